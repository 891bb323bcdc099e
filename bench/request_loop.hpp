#pragma once
// One request through an app the way a connection runs it, in a benchmark loop.
#include "server/request_parser.hpp"
#include "server/response_writer.hpp"

#include <bastion/app/app.hpp>

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

namespace bench {

// Parse + route + handle + serialise, as one connection does per request.
inline void run_request(benchmark::State& state, const bastion::app& app, std::string_view raw) {
  bastion::request req;
  bastion::response res;
  std::string out;
  out.reserve(4096);
  req.set_peer("127.0.0.1", false);
  for (auto _ : state) {
    req.reset();
    bastion::detail::request_parser parser(req, app, 8192);
    boost::system::error_code ec;
    parser.feed(raw.data(), raw.size(), ec);
    if (ec || !parser.is_done()) state.SkipWithError("parse failed");
    res.reset();
    app.handle(req, res);
    out.clear();
    bastion::detail::append_response(out, res, "Sun, 22 Nov 2026 00:00:00 GMT", {});
    benchmark::DoNotOptimize(out.data());
  }
}

}  // namespace bench
