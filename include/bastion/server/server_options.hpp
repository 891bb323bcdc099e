#pragma once
// Limits and timeouts of the HTTP server. Every limit is on by default.
#include <bastion/config/config.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace bastion {

struct server_options {
  std::string host = "127.0.0.1";                       // listen address (IPv4 or IPv6 literal)
  std::uint16_t port = 8080;                            // 0 = an ephemeral port (tests)
  unsigned threads = 0;                                 // event loops, one per thread; 0 = one per core
  unsigned blocking_threads = 8;                        // pool for routes marked blocking; 0 = run them on the loop
  std::size_t max_header_bytes = 8 * 1024;              // request line + headers; 431 above
  std::size_t max_connections = 10000;                  // more are accepted and closed at once
  std::size_t max_pipelined = 16;                       // responses batched per write
  std::chrono::milliseconds header_timeout{10000};      // whole header block, from its first byte (slowloris)
  std::chrono::milliseconds body_timeout{30000};        // whole body, from the end of the header
  std::chrono::milliseconds idle_timeout{5000};         // between requests on a kept-alive connection
  std::chrono::milliseconds write_timeout{30000};       // sending a response to a slow reader
  std::chrono::milliseconds shutdown_timeout{10000};    // grace for in-flight requests on stop
  std::chrono::milliseconds tick{250};                  // resolution of all the timeouts above
  std::string tls_cert_file, tls_key_file;              // both set: the listener speaks TLS (1.2/1.3)
  std::uint16_t redirect_port = 0;                      // plain-http listener that only redirects (0 = none)
};

// The server options from HOST, PORT, SERVER_THREADS, MAX_HEADER_BYTES, MAX_CONNECTIONS,
// the *_TIMEOUT options, TLS_CERT_FILE/TLS_KEY_FILE and HTTP_REDIRECT_PORT.
server_options server_options_from(const config& cfg);

}  // namespace bastion
