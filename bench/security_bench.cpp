// In-process cost of the security headers: the compiled header policy applied to a
// response, with and without a CSP nonce, and the nonce alone.
// Run: build/bastion_bench --benchmark_filter=Security --benchmark_repetitions=5
#include <bastion/security/proxy_headers.hpp>
#include <bastion/security/security_headers.hpp>

#include <benchmark/benchmark.h>

namespace {

void BM_SecurityHeadersApply(benchmark::State& state) {
  const auto policy = bastion::header_policy::make({});
  bastion::request req;
  req.set_peer("127.0.0.1", true);
  bastion::response res;
  for (auto _ : state) {
    res.reset();
    res.text("ok");
    policy->apply(req, res);
    benchmark::DoNotOptimize(res.header("Content-Security-Policy").data());
  }
}
BENCHMARK(BM_SecurityHeadersApply);

void BM_SecurityHeadersApplyWithNonce(benchmark::State& state) {
  const auto policy = bastion::header_policy::make({});
  bastion::request req;
  req.set_peer("127.0.0.1", true);
  bastion::response res;
  for (auto _ : state) {
    req.reset();
    res.reset();
    res.text("ok");
    benchmark::DoNotOptimize(req.csp_nonce().data());
    policy->apply(req, res);
    benchmark::DoNotOptimize(res.header("Content-Security-Policy").data());
  }
}
BENCHMARK(BM_SecurityHeadersApplyWithNonce);

void BM_CspNonce(benchmark::State& state) {
  bastion::request req;
  for (auto _ : state) {
    req.reset();
    benchmark::DoNotOptimize(req.csp_nonce().data());
  }
}
BENCHMARK(BM_CspNonce);

void BM_ProxyResolutionTrustedHop(benchmark::State& state) {
  bastion::proxy_options o;
  o.trusted.push_back(*bastion::ip_network::parse("10.0.0.0/8"));
  bastion::request req;
  req.set_peer("10.0.0.2", false);
  req.set_start_line(bastion::http::verb::get, "GET", "/", 11);
  req.add_header("Host", "app.example.com");
  req.add_header("X-Forwarded-For", "198.51.100.7");
  req.add_header("X-Forwarded-Proto", "https");
  for (auto _ : state) {
    auto r = bastion::resolve_proxy_headers(o, req);
    benchmark::DoNotOptimize(r.client.data());
  }
}
BENCHMARK(BM_ProxyResolutionTrustedHop);

}  // namespace
