// The TLS listener over real loopback sockets: protocol versions, certificate reload
// without dropping connections, the redirect-only plain listener, handshake timeouts.
#include "support/client.hpp"
#include "support/loopback_socket.hpp"
#include "support/test_server.hpp"
#include "support/tls_files.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <sys/socket.h>

namespace bastion {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using namespace std::chrono_literals;

std::uint16_t free_port() { return testing::free_loopback_port(); }

// A blocking TLS client pinned to one protocol version range.
class tls_client {
 public:
  tls_client(std::uint16_t port, int min_version = TLS1_2_VERSION, int max_version = TLS1_3_VERSION)
      : ctx_(ssl::context::tls_client), stream_(io_, ctx_) {
    SSL* s = stream_.native_handle();
    SSL_set_min_proto_version(s, min_version);
    SSL_set_max_proto_version(s, max_version);
    SSL_set_security_level(s, 0);  // let the client offer old versions
    stream_.set_verify_mode(ssl::verify_none);  // self-signed; the serial is checked instead
    boost::system::error_code ec;
    stream_.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) stream_.handshake(ssl::stream_base::client, ec);
    ok_ = !ec;
  }
  bool ok() const { return ok_; }
  long serial() {
    X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
    if (!cert) return -1;
    const long s = ASN1_INTEGER_get(X509_get_serialNumber(cert));
    X509_free(cert);
    return s;
  }
  std::string version() { return SSL_get_version(stream_.native_handle()); }
  // Sends a keep-alive GET and returns the status line and body.
  std::string get(std::string_view path) {
    if (!send("GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\n\r\n")) return {};
    return read_response();
  }
  bool send(std::string_view bytes) {
    boost::system::error_code ec;
    asio::write(stream_, asio::buffer(bytes), ec);
    return !ec;
  }
  // The next response's status line and body.
  std::string read_response() {
    boost::system::error_code ec;
    asio::read_until(stream_, buf_, "\r\n\r\n", ec);
    if (ec) return {};
    std::string head(asio::buffers_begin(buf_.data()), asio::buffers_end(buf_.data()));
    const auto end = head.find("\r\n\r\n") + 4;
    buf_.consume(end);
    head.resize(end);
    const auto cl = head.find("Content-Length: ");
    std::size_t length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
    if (buf_.size() < length) asio::read(stream_, buf_, asio::transfer_exactly(length - buf_.size()), ec);
    std::string body(asio::buffers_begin(buf_.data()), asio::buffers_begin(buf_.data()) + length);
    buf_.consume(length);
    return head.substr(0, head.find("\r\n")) + "|" + body;
  }

 private:
  asio::io_context io_;
  ssl::context ctx_;
  ssl::stream<asio::ip::tcp::socket> stream_;
  asio::streambuf buf_;
  bool ok_ = false;
};

struct tls_fixture : ::testing::Test {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("bastion-tls-" + std::to_string(::getpid()));
  testing::tls_files first;
  app a{"tls-test", testing::test_config({})};

  void SetUp() override {
    std::filesystem::create_directories(dir);
    first = testing::make_self_signed(dir.string(), "first", 1001);
    a.get("/hello", [](request& req, response& res) { res.text(std::string(req.scheme())); });
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  server_options tls_options() {
    server_options o;
    o.tls_cert_file = first.cert;
    o.tls_key_file = first.key;
    return o;
  }
};

TEST_F(tls_fixture, ServesTls12AndTls13AndRefusesOlderVersions) {
  testing::test_server srv(a, tls_options());
  struct row {
    int min, max;
    bool ok;
    const char* version;
  };
  const row rows[] = {
      {TLS1_3_VERSION, TLS1_3_VERSION, true, "TLSv1.3"},
      {TLS1_2_VERSION, TLS1_2_VERSION, true, "TLSv1.2"},
      {TLS1_1_VERSION, TLS1_1_VERSION, false, ""},
      {TLS1_VERSION, TLS1_VERSION, false, ""},
  };
  for (const auto& r : rows) {
    tls_client c(srv.port(), r.min, r.max);
    EXPECT_EQ(c.ok(), r.ok) << r.version;
    if (!r.ok) continue;
    EXPECT_EQ(c.version(), r.version);
    EXPECT_EQ(c.get("/hello"), "HTTP/1.1 200 OK|https");
  }
}

TEST_F(tls_fixture, AnswersPipelinedAndBlockingRequestsInOrder) {
  a.get("/pool/{n}", [](request& req, response& res) { res.text(std::string(req.param("n"))); }, {.blocking = true});
  a.get("/big", [](request&, response& res) { res.text(std::string(200 * 1024, 'x')); });
  testing::test_server srv(a, tls_options());
  tls_client c(srv.port());
  ASSERT_TRUE(c.ok());
  std::string batch;
  for (const char* path : {"/hello", "/pool/1", "/hello", "/pool/2"})
    batch += "GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  ASSERT_TRUE(c.send(batch));
  EXPECT_EQ(c.read_response(), "HTTP/1.1 200 OK|https");
  EXPECT_EQ(c.read_response(), "HTTP/1.1 200 OK|1");
  EXPECT_EQ(c.read_response(), "HTTP/1.1 200 OK|https");
  EXPECT_EQ(c.read_response(), "HTTP/1.1 200 OK|2");
  // Larger than many TLS records and the socket buffer: written asynchronously.
  EXPECT_EQ(c.get("/big"), "HTTP/1.1 200 OK|" + std::string(200 * 1024, 'x'));
  EXPECT_EQ(c.get("/hello"), "HTTP/1.1 200 OK|https");
}

TEST_F(tls_fixture, ReloadsTheCertificateWithoutDroppingOpenConnections) {
  testing::test_server srv(a, tls_options());
  tls_client before(srv.port());
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before.serial(), 1001);
  EXPECT_EQ(before.get("/hello"), "HTTP/1.1 200 OK|https");

  // Replace the files in place (as certbot or a secret mount does), then reload.
  const auto second = testing::make_self_signed(dir.string(), "second", 2002);
  std::filesystem::copy_file(second.cert, first.cert, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(second.key, first.key, std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(srv.get().reload_tls(), "");

  tls_client after(srv.port());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after.serial(), 2002);
  // The connection opened before the reload still works.
  EXPECT_EQ(before.get("/hello"), "HTTP/1.1 200 OK|https");

  // A broken file is refused and the current certificate stays.
  { std::ofstream(first.key) << "not a key"; }
  EXPECT_NE(srv.get().reload_tls(), "");
  tls_client still(srv.port());
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still.serial(), 2002);
}

TEST_F(tls_fixture, RefusesToListenWithAMismatchedKey) {
  const auto other = testing::make_self_signed(dir.string(), "other", 3003);
  auto o = tls_options();
  o.tls_key_file = other.key;
  a.freeze();
  server srv(a, o);
  EXPECT_FALSE(srv.listen());
}

TEST_F(tls_fixture, PlainListenerOnlyRedirectsToHttps) {
  auto o = tls_options();
  o.redirect_port = free_port();
  testing::test_server srv(a, o);
  ASSERT_NE(srv.get().redirect_port(), 0);
  auto r = testing::request(srv.get().redirect_port(), "GET", "/hello?x=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301u);
  EXPECT_EQ(r->header("location"), "https://127.0.0.1:" + std::to_string(srv.port()) + "/hello?x=1");
  r = testing::request(srv.get().redirect_port(), "POST", "/hello", "a=b", {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 308u);
  EXPECT_EQ(r->header("location"), "https://127.0.0.1:" + std::to_string(srv.port()) + "/hello");
  testing::raw_client evil(srv.get().redirect_port());
  ASSERT_TRUE(evil.send("GET /hello HTTP/1.1\r\nHost: evil.example/x\r\n\r\n"));
  r = evil.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400u);
  EXPECT_FALSE(r->has("location"));
}

TEST_F(tls_fixture, ClosesPlainTextAndSilentClientsOnTheTlsPort) {
  auto o = tls_options();
  o.header_timeout = 500ms;
  testing::test_server srv(a, o);
  testing::raw_client plain(srv.port());
  ASSERT_TRUE(plain.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_TRUE(plain.closed_by_peer(3s));
  testing::raw_client silent(srv.port());
  EXPECT_TRUE(silent.closed_by_peer(3s));  // no ClientHello: closed by the header deadline
  tls_client fine(srv.port());
  EXPECT_TRUE(fine.ok());
}

}  // namespace
}  // namespace bastion
