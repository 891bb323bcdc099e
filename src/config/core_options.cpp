// The options every Bastion app has. Later modules add theirs here, so that one list
// drives validation, `config` output and the deploy checks.
#include <bastion/config/config.hpp>

#include "config/option_helpers.hpp"

namespace bastion {
std::vector<option_spec> security_options();   // security_options.cpp
std::vector<option_spec> ratelimit_options();  // ratelimit_options.cpp
std::vector<option_spec> session_options_list();  // session_options.cpp

namespace {
using namespace detail;
using o = option_type;
}  // namespace

std::vector<option_spec> core_options() {
  std::vector<option_spec> v;
  v.push_back(spec("APP_ENV", o::string, "development", "development, testing or production"));
  v.push_back(spec("APP_DEBUG", o::boolean, "false", "debug details on error pages (loopback clients only; refused in production)"));
  v.push_back(secret(spec("SECRET_KEY", o::string, "", "signing key, at least 32 bytes (required in production)")));
  v.push_back(spec("SECRET_KEY_FILE", o::string, "", "file holding the signing key (instead of SECRET_KEY)"));
  v.push_back(secret(spec("SECRET_KEY_FALLBACKS", o::list, "", "old keys still accepted for verification")));
  v.push_back(secret(spec("DATABASE_URL", o::string, "sqlite:///instance/app.db", "sqlite:///path or postgresql://...")));
  v.push_back(spec("HOST", o::string, "127.0.0.1", "listen address"));
  v.push_back(bounded(spec("PORT", o::integer, "8080", "listen port"), 0, 65535));
  v.push_back(spec("SERVER_NAME", o::list, "", "allowed Host names: example.com, .example.com (with subdomains), *.example.com; others get 400 (empty = any)"));
  v.push_back(spec("LOG_TO_STDOUT", o::boolean, "true", "JSON-lines logs to stdout (else stderr)"));
  v.push_back(choices(spec("LOG_LEVEL", o::string, "info", "lowest level logged"),
                      {"trace", "debug", "info", "warn", "error", "critical", "off"}));
  v.push_back(spec("ACCESS_LOG", o::boolean, "true", "one log line per request"));
  v.push_back(bounded(spec("SERVER_THREADS", o::integer, "0", "I/O threads, one event loop each (0 = one per core)"), 0, 1024));
  v.push_back(bounded(spec("BLOCKING_THREADS", o::integer, "8", "threads for routes marked blocking (0 = run them on the event loop)"), 0, 1024));
  v.push_back(bounded(spec("MAX_CONTENT_LENGTH", o::size, "1MiB", "largest request body (routes may override); 413 above"), 1, std::int64_t(1) << 40));
  v.push_back(bounded(spec("MAX_HEADER_BYTES", o::size, "8KiB", "largest request line + header block; 431 above"), 1024, 1 << 20));
  v.push_back(bounded(spec("MAX_FORM_FIELDS", o::integer, "1000", "largest number of form or query fields"), 1, 100000));
  v.push_back(bounded(spec("HEADER_TIMEOUT", o::duration, "10s", "time to receive a whole request header (slowloris)"), 100, 3600000));
  v.push_back(bounded(spec("BODY_TIMEOUT", o::duration, "30s", "time to receive a whole request body"), 100, 3600000));
  v.push_back(bounded(spec("KEEPALIVE_TIMEOUT", o::duration, "5s", "idle time before a kept-alive connection is closed"), 100, 3600000));
  v.push_back(bounded(spec("WRITE_TIMEOUT", o::duration, "30s", "time to send a response to a slow reader"), 100, 3600000));
  v.push_back(bounded(spec("SHUTDOWN_TIMEOUT", o::duration, "10s", "grace period for in-flight requests on SIGTERM/SIGINT"), 0, 3600000));
  v.push_back(bounded(spec("MAX_CONNECTIONS", o::integer, "10000", "concurrent connections; more are closed at once"), 1, 1000000));
  for (auto& s : security_options()) v.push_back(std::move(s));
  for (auto& s : ratelimit_options()) v.push_back(std::move(s));
  for (auto& s : session_options_list()) v.push_back(std::move(s));
  return v;
}

}  // namespace bastion
