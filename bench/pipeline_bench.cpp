// In-process cost of the request path, without sockets: parsing a request with Beast
// into our request object, routing, the middleware pipeline, and serialising the
// response. Run: build/bastion_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "bench_config.hpp"
#include "request_loop.hpp"

#include <bastion/app/app.hpp>
#include <bastion/log/log.hpp>

#include <benchmark/benchmark.h>
#include <boost/asio/buffer.hpp>

#include <map>
#include <string>

namespace {

bastion::config quiet_config(bool access_log = false) {
  return bench::make_config({{"ACCESS_LOG", access_log ? "true" : "false"}});
}

struct bench_app {
  bastion::app app;
  explicit bench_app(int layers = 0, bool access_log = false) : app("bench", quiet_config(access_log)) {
    for (int i = 0; i < layers; ++i)
      app.use({"pass", [](bastion::request& req, bastion::response& res, const bastion::next_fn& next) { next(req, res); }});
    app.get("/posts/{id:int}", [](bastion::request& req, bastion::response& res) {
      res.text(req.param("id"));
    });
    app.freeze();
  }
};

constexpr std::string_view health_request =
    "GET /health HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n";
constexpr std::string_view post_request =
    "GET /posts/12345?ref=home HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Mozilla/5.0\r\n"
    "Accept: text/html\r\nAccept-Language: en\r\nCookie: a=b; c=d\r\n\r\n";


void BM_HealthFullPath(benchmark::State& state) {
  bench_app b;
  bench::run_request(state, b.app, health_request);
}
BENCHMARK(BM_HealthFullPath);

void BM_DynamicRouteFullPath(benchmark::State& state) {
  bench_app b;
  bench::run_request(state, b.app, post_request);
}
BENCHMARK(BM_DynamicRouteFullPath);

// The cost of each pass-through middleware layer.
void BM_DynamicRouteWithLayers(benchmark::State& state) {
  bench_app b(static_cast<int>(state.range(0)));
  bench::run_request(state, b.app, post_request);
}
BENCHMARK(BM_DynamicRouteWithLayers)->Arg(0)->Arg(4)->Arg(16);

// The same with one JSON access-log line per request (written to /dev/null).
void BM_HealthFullPathWithAccessLog(benchmark::State& state) {
  bastion::log::init({.file = "/dev/null"});
  bench_app b(0, true);
  bench::run_request(state, b.app, health_request);
}
BENCHMARK(BM_HealthFullPathWithAccessLog);

// GET / answering a small HTML page whose inline script carries the CSP nonce: with the
// security headers layer (nonce, CSP, HSTS and the rest) and with SECURITY_HEADERS=false.
// The difference is the per-request cost of the headers plus the nonce.
struct home_app {
  bastion::app app;
  explicit home_app(bool headers)
      : app("bench", bench::make_config({{"SECURITY_HEADERS", headers ? "true" : "false"}, {"HSTS_ON_HTTP", "true"}})) {
    app.get("/", [](bastion::request& req, bastion::response& res) {
      std::string html = "<!doctype html><title>Home</title><p>Hello</p><script nonce=\"";
      html += req.csp_nonce();
      html += "\">document.documentElement.dataset.ok=1</script>";
      res.html(html);
    });
    app.freeze();
  }
};

constexpr std::string_view home_request =
    "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\n\r\n";

void BM_HomeWithSecurityHeaders(benchmark::State& state) {
  home_app b(true);
  bench::run_request(state, b.app, home_request);
}
BENCHMARK(BM_HomeWithSecurityHeaders);

void BM_HomeWithoutSecurityHeaders(benchmark::State& state) {
  home_app b(false);
  bench::run_request(state, b.app, home_request);
}
BENCHMARK(BM_HomeWithoutSecurityHeaders);

// A route with a rate limit (memory storage, a limit never reached) and without.
struct limited_app {
  bastion::app app;
  explicit limited_app(bool limited)
      : app("bench", bench::make_config({{"RATELIMIT_ENABLED", limited ? "true" : "false"},
                                         {"RATELIMIT_DEFAULT", "1000000000 per hour"}})) {
    app.get("/hello/{name}", [](bastion::request& req, bastion::response& res) { res.text(req.param("name")); });
    app.freeze();
  }
};

constexpr std::string_view hello_request = "GET /hello/bench HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

void BM_RateLimitedRoute(benchmark::State& state) {
  limited_app b(true);
  bench::run_request(state, b.app, hello_request);
}
BENCHMARK(BM_RateLimitedRoute);

void BM_UnlimitedRoute(benchmark::State& state) {
  limited_app b(false);
  bench::run_request(state, b.app, hello_request);
}
BENCHMARK(BM_UnlimitedRoute);

void BM_NotFound(benchmark::State& state) {
  bench_app b;
  bench::run_request(state, b.app, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
}
BENCHMARK(BM_NotFound);

void BM_ParseOnly(benchmark::State& state) {
  bench_app b;
  bastion::request req;
  for (auto _ : state) {
    req.reset();
    bastion::detail::request_parser parser(req, b.app, 8192);
    boost::system::error_code ec;
    parser.feed(post_request.data(), post_request.size(), ec);
    benchmark::DoNotOptimize(req.path().data());
  }
}
BENCHMARK(BM_ParseOnly);

}  // namespace
