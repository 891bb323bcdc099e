// Cost of rendering a page inside a layout, the shape of the platform's /posts.
#include <bastion/templates/templates.hpp>

#include <benchmark/benchmark.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <map>
#include <string>

namespace {

void BM_RenderListInLayout(benchmark::State& state) {
  const std::map<std::string, std::string> sources{
      {"layout", "<!doctype html><html><head><title>{{title}}</title></head><body><main>{{> content}}</main></body></html>"},
      {"posts", "<h1>Posts</h1><ul>{{#posts}}<li><a href=\"/posts/{{id}}\">{{title}}</a> <small>{{created_at}}</small></li>{{/posts}}</ul>"},
  };
  bastion::template_engine engine(sources);
  boost::json::array posts;
  for (int i = 0; i < state.range(0); ++i)
    posts.push_back({{"id", i}, {"title", "Post number " + std::to_string(i)}, {"created_at", "2026-11-22 00:00:00"}});
  const boost::json::value data = {{"title", "Posts"}, {"posts", posts}};
  for (auto _ : state) {
    auto html = engine.render("posts", data, "layout");
    benchmark::DoNotOptimize(html);
  }
}
BENCHMARK(BM_RenderListInLayout)->Arg(1)->Arg(20)->Arg(100);

}  // namespace
