#pragma once
// The server's TLS configuration: TLS 1.2 and 1.3 only, forward-secret AEAD cipher
// suites (Mozilla's "intermediate" list without DHE), no compression or renegotiation,
// ALPN http/1.1. The certificate can be replaced while serving (SIGHUP): connections
// already open keep the context they started with, new ones get the new one.
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <string>

namespace bastion::detail {

class tls_store {
 public:
  // Loads the certificate chain and key; on failure keeps the current context and
  // returns what went wrong (without key material).
  std::string load(const std::string& cert_file, const std::string& key_file);
  std::string reload() { return load(cert_file_, key_file_); }
  std::shared_ptr<boost::asio::ssl::context> current() const;

 private:
  mutable std::mutex m_;
  std::shared_ptr<boost::asio::ssl::context> ctx_;
  std::string cert_file_, key_file_;
};

}  // namespace bastion::detail
