#include "users.hpp"

#include <bastion/auth/password.hpp>
#include <bastion/util/random.hpp>
#include <bastion/util/strings.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <array>
#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace platform {
namespace {

// Passwords that seed documents and tutorials ship as defaults.
constexpr std::array<std::string_view, 8> default_passwords = {
    "admin", "password", "changeme", "admin123", "secret", "123456", "letmein", "Password1"};

bool is_default_password(std::string_view pw) {
  for (auto d : default_passwords)
    if (bastion::iequals(pw, d)) return true;
  return false;
}

std::string read_password() {
  const bool tty = ::isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << "Password: " << std::flush;
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Returns an exit code; prints the outcome without ever echoing the password.
int create_user(bastion::app& app, const std::string& name, const std::string& password, bool admin) {
  if (name.empty() || name.size() > 64) {
    fmt::print(stderr, "error: the user name must be 1 to 64 characters\n");
    return 2;
  }
  auto hash = bastion::hash_password(password, app.auth().password);
  if (!hash) {
    fmt::print(stderr, "error: {}\n", hash.error().message());
    return 2;
  }
  auto r = app.database().query("INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?)", name, *hash,
                                admin ? "admin" : "user");
  if (!r) {
    if (r.error() == bastion::db::db_errc::constraint) fmt::print(stderr, "error: user '{}' already exists\n", name);
    else fmt::print(stderr, "error: the database is not available (run init-db first?)\n");
    return 1;
  }
  fmt::print("created {} '{}'\n", admin ? "admin" : "user", name);
  return 0;
}

}  // namespace

void add_user_commands(bastion::app& app) {
  app.command("create-user", "create a user; the password is read from standard input or prompted for",
              [&app](CLI::App& cmd) {
                auto name = std::make_shared<std::string>();
                auto admin = std::make_shared<bool>(false);
                cmd.add_option("name", *name, "user name")->required();
                cmd.add_flag("--admin", *admin, "give the user the admin role");
                return std::function<int()>([&app, name, admin] {
                  return create_user(app, *name, read_password(), *admin);
                });
              });
}

void add_admin_checks(bastion::app& app) {
  app.add_deploy_check({"platform.E001", bastion::check_severity::error, true,
                        [](const bastion::config& c) -> std::optional<std::string> {
                          const auto pw = c.get("ADMIN_PASSWORD");
                          if (pw.empty()) return std::nullopt;
                          if (is_default_password(pw))
                            return "ADMIN_PASSWORD is a well-known default; choose a long random one";
                          if (pw.size() < 12)
                            return fmt::format("ADMIN_PASSWORD is {} characters; use at least 12", pw.size());
                          return std::nullopt;
                        }});
}

int ensure_first_admin(bastion::app& app) {
  auto& db = app.database();
  auto existing = db.query("SELECT COUNT(*) FROM users WHERE role = 'admin'");
  if (!existing) {
    fmt::print(stderr, "error: the database is not available\n");
    return 1;
  }
  if (existing->rows.at(0).integer(0) > 0) return 0;
  const auto& cfg = app.settings();
  std::string name(cfg.get("ADMIN_USERNAME"));
  std::string password(cfg.get("ADMIN_PASSWORD"));
  bool generated = false;
  if (password.empty()) {
    if (cfg.is_production()) {
      fmt::print(stderr, "error: set ADMIN_PASSWORD (12+ characters, not a default) to create the first admin\n");
      return 1;
    }
    password = bastion::random_token(18);
    generated = true;
  }
  if (cfg.is_production() && (is_default_password(password) || password.size() < 12)) {
    fmt::print(stderr, "error: ADMIN_PASSWORD is weak or a default; refusing to create the admin\n");
    return 1;
  }
  if (int rc = create_user(app, name, password, true); rc != 0) return rc;
  if (generated) fmt::print("generated password for '{}' (shown once): {}\n", name, password);
  return 0;
}

}  // namespace platform
