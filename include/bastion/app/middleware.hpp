#pragma once
// The one composition shape: a handler writes a response for a request; a middleware
// wraps the rest of the chain ("around"): it may act before calling `next`, after it,
// or instead of it.
//
//   app.use({"timing", [](request& req, response& res, const next_fn& next) {
//     auto t0 = now(); next(req, res); res.set_header("Server-Timing", ...);
//   }});
//
// Each route's chain is flattened once when the app is frozen: app-wide middleware,
// then the blueprint's, then the route's, then the handler.
#include <bastion/http/request.hpp>
#include <bastion/http/response.hpp>

#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace bastion {

using handler = std::function<void(request&, response&)>;

struct middleware;

// A flattened chain: middleware in order, then the endpoint handler. An exception
// leaving any layer is turned into an error response right there (`on_error`), so the
// outer layers still see, and can decorate, the error page. That error response starts
// from scratch: a layer sets its response headers after `next` returns, not before.
struct pipeline {
  std::vector<const middleware*> layers;
  const handler* endpoint = nullptr;
  std::function<void(request&, response&, std::exception_ptr)> on_error;
};

// Calls the rest of the chain. Cheap to copy.
class next_fn {
 public:
  next_fn(const pipeline& p, std::size_t index) noexcept : p_(&p), index_(index) {}
  void operator()(request& req, response& res) const;

 private:
  const pipeline* p_;
  std::size_t index_;
};

struct middleware {
  std::string name;  // shown by `routes` and in the pipeline listing
  std::function<void(request&, response&, const next_fn&)> fn;
  bool applies_to_probes = false;  // also wraps /health and /ready (only layers that cannot block)
};

inline void next_fn::operator()(request& req, response& res) const {
  try {
    if (index_ < p_->layers.size())
      p_->layers[index_]->fn(req, res, next_fn(*p_, index_ + 1));
    else
      (*p_->endpoint)(req, res);
    // A layer or handler that only set an error status gets the standard error page.
    if (res.status() >= 400 && res.body().empty()) p_->on_error(req, res, nullptr);
  } catch (...) {
    p_->on_error(req, res, std::current_exception());
  }
}

}  // namespace bastion
