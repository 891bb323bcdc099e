#include "tokens.hpp"

#include <bastion/auth/authentication.hpp>
#include <bastion/http/http_error.hpp>
#include <bastion/util/digest.hpp>
#include <bastion/util/random.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace platform {
namespace {

constexpr std::string_view token_prefix = "bpt_";  // recognisable in a leak scan

std::optional<std::int64_t> user_id_of(bastion::app& app, const std::string& name) {
  auto rows = app.database().query("SELECT id FROM users WHERE username = ?", name);
  if (!rows || rows->rows.empty()) return std::nullopt;
  return rows->rows.front().integer(0);
}

int create_token(bastion::app& app, const std::string& name) {
  const auto id = user_id_of(app, name);
  if (!id) {
    fmt::print(stderr, "error: no user '{}' (or the database is not available)\n", name);
    return 1;
  }
  const auto token = std::string(token_prefix) + bastion::random_token(32);
  auto r = app.database().query("INSERT INTO api_tokens (user_id, token_hash) VALUES (?, ?)", *id,
                                bastion::sha256_hex(token));
  if (!r) {
    fmt::print(stderr, "error: the token could not be stored\n");
    return 1;
  }
  fmt::print("{}\n", token);  // shown once: only its digest is kept
  return 0;
}

int revoke_tokens(bastion::app& app, const std::string& name) {
  const auto id = user_id_of(app, name);
  if (!id) {
    fmt::print(stderr, "error: no user '{}' (or the database is not available)\n", name);
    return 1;
  }
  auto r = app.database().query("UPDATE api_tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0", *id);
  if (!r) {
    fmt::print(stderr, "error: the database is not available\n");
    return 1;
  }
  fmt::print("revoked {} token(s) of '{}'\n", r->affected_rows, name);
  return 0;
}

}  // namespace

void add_tokens(bastion::app& app) {
  app.set_token_authenticator([&app](std::string_view token) -> std::optional<bastion::user> {
    if (!token.starts_with(token_prefix) || token.size() > 128) return std::nullopt;
    auto rows = app.database().query(
        "SELECT u.id, u.username, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ? AND t.revoked = 0",
        bastion::sha256_hex(token));
    if (!rows) throw bastion::http_error(503);
    if (rows->rows.empty()) return std::nullopt;
    const auto& r = rows->rows.front();
    return bastion::user{std::to_string(r.integer(0)), r.text(1), {r.text(2)}};
  });
  app.command("create-token", "print a new API token for a user (shown once)", [&app](CLI::App& cmd) {
    auto name = std::make_shared<std::string>();
    cmd.add_option("name", *name, "user name")->required();
    return std::function<int()>([&app, name] { return create_token(app, *name); });
  });
  app.command("revoke-tokens", "revoke every API token of a user", [&app](CLI::App& cmd) {
    auto name = std::make_shared<std::string>();
    cmd.add_option("name", *name, "user name")->required();
    return std::function<int()>([&app, name] { return revoke_tokens(app, *name); });
  });
}

}  // namespace platform
