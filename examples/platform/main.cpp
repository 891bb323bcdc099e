// The reference platform: users, login, admin area, posts, uploads and a JSON API,
// exercising every protection Bastion has. Its HTTP contract is docs/platform.md.
#include "account.hpp"
#include "accounts.hpp"
#include "admin.hpp"
#include "api.hpp"
#include "pages.hpp"
#include "schema.hpp"
#include "tokens.hpp"
#include "users.hpp"

#include <bastion/app/app.hpp>

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <map>
#include <string>

const std::map<std::string, std::string>& platform_templates();  // compiled in

namespace {

std::vector<bastion::option_spec> platform_options() {
  std::vector<bastion::option_spec> v;
  bastion::option_spec db;
  db.name = "DATABASE_URL";
  db.default_value = "sqlite:///instance/platform.db";
  db.description = "sqlite:///path or postgresql://...";
  db.secret = true;
  v.push_back(db);
  bastion::option_spec user;
  user.name = "ADMIN_USERNAME";
  user.default_value = "admin";
  user.description = "first admin, created by init-db";
  v.push_back(user);
  bastion::option_spec pw;
  pw.name = "ADMIN_PASSWORD";
  pw.description = "first admin's password (development: random, printed once)";
  pw.secret = true;
  v.push_back(pw);
  bastion::option_spec api_limit;
  api_limit.name = "API_RATELIMIT";
  api_limit.default_value = "60 per minute";
  api_limit.description = "limit on the JSON API per client";
  v.push_back(api_limit);
  bastion::option_spec login_limit;
  login_limit.name = "LOGIN_RATELIMIT";
  login_limit.default_value = "5 per minute";
  login_limit.description = "limit on POST /login per client address and per submitted username";
  v.push_back(login_limit);
  bastion::option_spec templates;
  templates.name = "TEMPLATES_DIR";
  templates.description = "load templates from this directory instead of the compiled-in ones";
  v.push_back(templates);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  bastion::app app("bastion-platform", platform_options());
  if (const auto dir = app.settings().get("TEMPLATES_DIR"); !dir.empty()) app.set_templates_dir(std::string(dir));
  else app.set_templates(platform_templates());

  app.database();  // opened lazily; also makes /ready check it
  platform::add_accounts(app);
  platform::add_account(app);
  platform::add_tokens(app);
  platform::add_pages(app);
  platform::add_admin(app);
  platform::add_api(app);
  platform::add_user_commands(app);
  platform::add_admin_checks(app);

  app.command("init-db", "create the schema (idempotent) and the first admin", [&app](CLI::App&) {
    return std::function<int()>([&app] {
      if (auto r = platform::create_schema(app.database()); !r) {
        fmt::print(stderr, "error: cannot create the schema: the database is not available or refused it\n");
        return 1;
      }
      fmt::print("schema ready\n");
      return platform::ensure_first_admin(app);
    });
  });
  return app.run(argc, argv);
}
