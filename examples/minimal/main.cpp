// The smallest Bastion app: one route, and every built-in protection and command.
//   ./bastion-minimal serve     then   curl http://127.0.0.1:8080/hello/world
#include <bastion/app/app.hpp>

int main(int argc, char** argv) {
  bastion::app app("minimal");
  // A page with an inline script: it runs because it carries this response's CSP nonce.
  app.get("/", [](bastion::request& req, bastion::response& res) {
    std::string html = "<!doctype html><title>Hello</title><p>Hello from Bastion</p><script nonce=\"";
    html += req.csp_nonce();
    html += "\">document.documentElement.dataset.ok = '1'</script>";
    res.html(html);
  }, {.name = "index"});
  app.get("/hello/{name}", [](bastion::request& req, bastion::response& res) {
    res.json({{"hello", req.param("name")}});
  }, {.name = "hello"});
  return app.run(argc, argv);
}
