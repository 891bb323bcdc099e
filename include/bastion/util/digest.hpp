#pragma once
// SHA-256 as lower-case hex: for storing high-entropy secrets (session ids, API tokens)
// so that the store itself holds nothing a client could present.
#include <string>
#include <string_view>

namespace bastion {

std::string sha256_hex(std::string_view data);

}  // namespace bastion
