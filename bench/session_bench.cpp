// In-process cost of sessions and CSRF: the same request through an app with sessions
// (memory store) and CSRF on, and through one with both off; the difference is the cost of
// loading the session and verifying the token. Plus Argon2id at the OWASP floor.
// Run: build/bastion_bench --benchmark_filter='Session|Csrf|Argon2id' --benchmark_repetitions=5
#include "bench_config.hpp"
#include "request_loop.hpp"

#include <bastion/app/app.hpp>
#include <bastion/auth/key_ring.hpp>
#include <bastion/auth/password.hpp>
#include <bastion/security/csrf.hpp>
#include <bastion/session/session.hpp>
#include <bastion/util/digest.hpp>

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

namespace {

const std::string secret(48, 's');

std::unique_ptr<bastion::app> make_app(bool protections) {
  auto a = std::make_unique<bastion::app>(
      "bench", bench::make_config({{"SECRET_KEY", secret},
                                   {"SESSIONS", protections ? "true" : "false"},
                                   {"CSRF_ENABLED", protections ? "true" : "false"}}));
  a->post("/login", [](bastion::request& req, bastion::response& res) {
    bastion::session_of(req).login("42");
    res.text(bastion::csrf_token(req));
  }, {.csrf_exempt = true});
  a->post("/submit", [](bastion::request&, bastion::response& res) { res.text("stored"); });
  a->get("/page", [](bastion::request&, bastion::response& res) { res.text("page"); });
  a->freeze();
  return a;
}

// A logged-in session: its cookie pair and a CSRF token, made through the app itself.
struct credentials {
  std::string cookie, token;
};
credentials log_in(const bastion::app& a) {
  bastion::request req;
  bastion::response res;
  req.set_peer("127.0.0.1", false);
  req.set_start_line(bastion::http::verb::post, "POST", "/login", 11);
  req.add_header("Host", "127.0.0.1:8080");
  a.route_request(req);
  a.handle(req, res);
  const auto set = res.header("Set-Cookie");
  return {std::string(set.substr(0, set.find(';'))), res.body()};
}

std::string post_with(const credentials& c) {
  return "POST /submit HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Mozilla/5.0\r\nCookie: " + c.cookie +
         "\r\nX-CSRFToken: " + c.token + "\r\nContent-Length: 0\r\n\r\n";
}

std::string get_with(const credentials& c) {
  return "GET /page HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Mozilla/5.0\r\nCookie: " + c.cookie + "\r\n\r\n";
}

void BM_PostWithSessionAndCsrfToken(benchmark::State& state) {
  const auto a = make_app(true);
  const auto c = log_in(*a);
  bench::run_request(state, *a, post_with(c));
}
BENCHMARK(BM_PostWithSessionAndCsrfToken);

void BM_PostWithoutSessionsOrCsrf(benchmark::State& state) {
  const auto with = make_app(true);
  const auto a = make_app(false);
  bench::run_request(state, *a, post_with(log_in(*with)));  // the same bytes, ignored
}
BENCHMARK(BM_PostWithoutSessionsOrCsrf);

void BM_GetWithSession(benchmark::State& state) {
  const auto a = make_app(true);
  bench::run_request(state, *a, get_with(log_in(*a)));
}
BENCHMARK(BM_GetWithSession);

void BM_GetWithoutSessions(benchmark::State& state) {
  const auto with = make_app(true);
  const auto a = make_app(false);
  bench::run_request(state, *a, get_with(log_in(*with)));
}
BENCHMARK(BM_GetWithoutSessions);

void BM_CsrfTokenIssue(benchmark::State& state) {
  const auto a = make_app(true);
  bastion::csrf_protection csrf({}, a->keys());
  bastion::request req;
  auto& s = req.emplace<bastion::session>();
  benchmark::DoNotOptimize(&s);
  for (auto _ : state) benchmark::DoNotOptimize(csrf.token(req).data());
}
BENCHMARK(BM_CsrfTokenIssue);

// The two hashes under every session lookup: the cookie's MAC and the store key.
void BM_SessionCookieUnsign(benchmark::State& state) {
  const auto s = bastion::key_ring(secret).signer("session");
  const auto v = s.sign(std::string(43, 'x'));
  for (auto _ : state) benchmark::DoNotOptimize(s.unsign(v));
}
BENCHMARK(BM_SessionCookieUnsign);

void BM_SessionStoreKey(benchmark::State& state) {
  const std::string id(43, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(bastion::sha256_hex(id));
}
BENCHMARK(BM_SessionStoreKey);

void BM_Argon2idHashAtOwaspFloor(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(bastion::hash_password("correct horse battery staple"));
}
BENCHMARK(BM_Argon2idHashAtOwaspFloor)->Unit(benchmark::kMillisecond);

void BM_Argon2idVerifyAtOwaspFloor(benchmark::State& state) {
  const auto h = *bastion::hash_password("correct horse battery staple");
  for (auto _ : state) benchmark::DoNotOptimize(bastion::verify_password(h, "correct horse battery staple"));
}
BENCHMARK(BM_Argon2idVerifyAtOwaspFloor)->Unit(benchmark::kMillisecond);

}  // namespace
