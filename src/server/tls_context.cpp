#include "server/tls_context.hpp"

#include <openssl/ssl.h>

#include <cstring>

namespace bastion::detail {
namespace {

namespace ssl = boost::asio::ssl;

constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* tls13_suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// Only HTTP/1.1 is spoken; a client offering h2 alone gets no ALPN match and the
// handshake carries on without ALPN (clients then default to HTTP/1.1).
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen, void*) {
  static const unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, http11, sizeof http11, in, inlen) == OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

std::string tls_store::load(const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use |
                       ssl::context::no_compression,
                   ec);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1 || SSL_CTX_set_ciphersuites(native, tls13_suites) != 1)
    return "the TLS cipher configuration was refused by OpenSSL";
  SSL_CTX_set1_groups_list(native, "X25519:P-256:P-384");
  SSL_CTX_set_alpn_select_cb(native, select_alpn, nullptr);
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return "cannot load the certificate chain from TLS_CERT_FILE (" + ec.message() + ")";
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return "cannot load the private key from TLS_KEY_FILE (" + ec.message() + ")";
  if (SSL_CTX_check_private_key(native) != 1) return "TLS_KEY_FILE does not match the certificate in TLS_CERT_FILE";
  std::lock_guard lock(m_);
  ctx_ = std::move(ctx);
  cert_file_ = cert_file;
  key_file_ = key_file;
  return {};
}

std::shared_ptr<boost::asio::ssl::context> tls_store::current() const {
  std::lock_guard lock(m_);
  return ctx_;
}

}  // namespace bastion::detail
