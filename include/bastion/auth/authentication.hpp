#pragma once
// Who made a request, and whether a route lets them in.
//
// An app supplies a user loader (a user id from the session -> the user) and, for APIs,
// a token authenticator (an `Authorization: Bearer` token -> the user). Both may block
// (a database): routes that require a user run on the blocking pool. The user is looked up
// once per request, on first use.
//
// Routes say who may call them with route_options::auth (login, role); anonymous HTML
// requests then get 302 to LOGIN_URL with a same-site `next`, JSON requests 401, a user
// without the role 403. A request with an Authorization header is judged by its token
// alone: its cookies carry no authority (and it needs no CSRF token).
#include <bastion/app/middleware.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bastion {

struct user {
  std::string id;                  // what the session stores
  std::string name;
  std::vector<std::string> roles;  // "admin", ...
  bool has_role(std::string_view role) const noexcept;
};

using user_loader = std::function<std::optional<user>(std::string_view user_id)>;
using token_authenticator = std::function<std::optional<user>(std::string_view token)>;

enum class auth_method { none, session, token };

struct auth_options {
  std::string login_url = "/login";  // LOGIN_URL: where anonymous HTML requests are sent
  user_loader load_user;             // null: sessions name no users
  token_authenticator authenticate_token;  // null: bearer tokens are refused
};

// The request's user (null = anonymous). Looks it up on first use (session or token).
const user* current_user(request& req);
// How current_user() was established (none for anonymous).
auth_method authenticated_by(request& req);
// The bearer token of `Authorization: Bearer <token>`, or "" (case-insensitive scheme).
std::string_view bearer_token(const request& req) noexcept;

// Resolves identities for the rest of the chain and enforces the route's requirement.
middleware authentication_layer(const auth_options& options);

}  // namespace bastion
