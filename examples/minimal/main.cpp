// The smallest Bastion app: one route, and every built-in protection and command.
//   ./bastion-minimal serve     then   curl http://127.0.0.1:8080/hello/world
#include <bastion/app/app.hpp>

int main(int argc, char** argv) {
  bastion::app app("minimal");
  app.get("/hello/{name}", [](bastion::request& req, bastion::response& res) {
    res.json({{"hello", req.param("name")}});
  }, {.name = "hello"});
  return app.run(argc, argv);
}
