#pragma once
// Throwaway TLS material for tests: a self-signed P-256 certificate for "localhost" and
// 127.0.0.1 with a chosen serial number, written as PEM files into a directory.
#include <string>

namespace bastion::testing {

struct tls_files {
  std::string cert;  // path of the certificate PEM
  std::string key;   // path of the private key PEM
};

// Writes `<dir>/<name>.crt` and `<dir>/<name>.key`. Throws on failure.
tls_files make_self_signed(const std::string& dir, const std::string& name, long serial);

}  // namespace bastion::testing
