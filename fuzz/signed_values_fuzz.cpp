// What a client can send back to be trusted: base64url text, signed values (session
// cookies, timed values), the session record a network store returns, and CSRF tokens.
//
// Every input is read in every way:
//   - base64url: what decodes re-encodes to the same text (one text per byte string);
//     any bytes encode to text that decodes back to them;
//   - a signed value: what unsign() accepts is a prefix of the input, and signing that
//     prefix again (with the current or the fallback key) gives the input back, so nothing
//     unsigned is ever accepted; the same for unsign_timed(), whose data never outlives
//     the time limit;
//   - a session record in JSON: what parses survives to_json() and back unchanged;
//   - a CSRF token: from a client that sends only the token (no Fetch Metadata, no
//     Origin), the raw input never passes; the input's bytes flipped into a real token
//     pass only when the unmasked token is unchanged (only its mask moved), and a real
//     token never passes for another session.
#include "fuzz_check.hpp"

#include <bastion/auth/key_ring.hpp>
#include <bastion/http/request.hpp>
#include <bastion/security/csrf.hpp>
#include <bastion/session/session.hpp>
#include <bastion/session/session_store.hpp>
#include <bastion/util/base64.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

const std::vector<std::string> fallbacks{std::string(40, 'o')};
const bastion::key_ring ring(std::string(40, 'c'), fallbacks);
const bastion::key_ring old_ring(fallbacks.front());
const bastion::signer current = ring.signer("session");
const bastion::signer old = old_ring.signer("session");
const bastion::csrf_protection csrf({}, ring);
constexpr std::int64_t now = 1'800'000'000;

void check_base64url(std::string_view input) {
  if (const auto bytes = bastion::base64url_decode(input)) FUZZ_CHECK(bastion::base64url_encode(*bytes) == input);
  const auto text = bastion::base64url_encode(input);
  FUZZ_CHECK(bastion::base64url_decode(text) == std::string(input));
}

void check_signed(std::string_view input) {
  if (const auto data = current.unsign(input)) {
    FUZZ_CHECK(input.starts_with(*data));
    FUZZ_CHECK(current.sign(*data) == input || old.sign(*data) == input);
  }
  if (const auto data = current.unsign_timed(input, std::chrono::hours(1), now)) {
    FUZZ_CHECK(input.starts_with(*data));
    const auto stamp = std::string_view(input).substr(data->size() + 1);
    const auto seconds = std::stoll(std::string(stamp.substr(0, stamp.find('.'))));
    FUZZ_CHECK(seconds >= now - 3600 && seconds <= now + 60);
  }
}

void check_record(std::string_view input) {
  const auto r = bastion::session_record_from_json(input);
  if (!r) return;
  const auto back = bastion::session_record_from_json(bastion::to_json(*r));
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(back->user_id == r->user_id && back->csrf_secret == r->csrf_secret && back->data == r->data &&
             back->created == r->created && back->last_seen == r->last_seen);
}

// A POST from a client that sends neither Fetch Metadata nor Origin, only the token.
bastion::csrf_verdict verdict_for(bastion::request& req, std::string_view token) {
  req.add_header("X-CSRFToken", token);
  return csrf.check(req);
}

bastion::request& post(bastion::request& req) {
  req.set_peer("127.0.0.1", false);
  req.set_start_line(bastion::http::verb::post, "POST", "/submit", 11);
  req.add_header("Host", "127.0.0.1:8080");
  req.emplace<bastion::session>();
  return req;
}

// The token under its mask: what the server actually checks.
std::string unmasked(const std::string& masked) {
  const auto half = masked.size() / 2;
  std::string raw(half, '\0');
  for (std::size_t i = 0; i < half; ++i) raw[i] = static_cast<char>(masked[i] ^ masked[half + i]);
  return raw;
}

void check_csrf(std::string_view input) {
  bastion::request mine;
  const auto token = csrf.token(post(mine));
  {
    bastion::request req;
    post(req);
    (void)csrf.token(req);  // this session has a secret of its own
    FUZZ_CHECK(verdict_for(req, token) == bastion::csrf_verdict::invalid_token);
    bastion::request again;
    post(again);
    (void)csrf.token(again);
    FUZZ_CHECK(!bastion::passed(verdict_for(again, input)));
  }
  // Flip the token's bytes with the input's.
  const auto original = *bastion::base64url_decode(token);
  auto tampered = original;
  for (std::size_t i = 0; i < input.size() && i < tampered.size(); ++i) tampered[i] ^= input[i];
  const bool same_token = unmasked(tampered) == unmasked(original);
  bastion::request replay;
  replay.set_peer("127.0.0.1", false);
  replay.set_start_line(bastion::http::verb::post, "POST", "/submit", 11);
  replay.add_header("Host", "127.0.0.1:8080");
  replay.emplace<bastion::session>() = *bastion::find_session(mine);
  const auto v = verdict_for(replay, bastion::base64url_encode(tampered));
  FUZZ_CHECK(bastion::passed(v) == same_token);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_base64url(input);
  check_signed(input);
  check_record(input);
  check_csrf(input);
  return 0;
}
