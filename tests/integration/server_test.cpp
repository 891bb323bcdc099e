// The HTTP server over real loopback sockets: keep-alive, pipelining, limits,
// timeouts, malformed input and graceful shutdown.
#include "support/client.hpp"
#include "support/test_server.hpp"

#include <bastion/http/http_error.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace bastion {
namespace {

using namespace std::chrono_literals;
using testing::raw_client;

// An app with the routes every test below needs.
struct fixture_app {
  app a{"server-test", testing::test_config({{"MAX_CONTENT_LENGTH", "1KiB"}})};
  std::atomic<int> slow_started{0};

  fixture_app() {
    a.get("/echo/{n}", [](request& req, response& res) { res.text(std::string(req.param("n"))); });
    a.post("/upload", [](request& req, response& res) { res.text(std::to_string(req.body().size())); });
    a.post("/big", [](request& req, response& res) { res.text(std::to_string(req.body().size())); },
           {.max_body_bytes = 64 * 1024});
    a.get("/slow", [this](request&, response& res) {
      slow_started = 1;
      std::this_thread::sleep_for(600ms);
      res.text("finished");
    });
    a.get("/boom", [](request&, response&) { throw std::runtime_error("SELECT password FROM users at /srv/app/db.cpp:42"); });
    a.get("/blocking", [](request&, response& res) {
      std::this_thread::sleep_for(500ms);
      res.text("slept");
    }, {.blocking = true});
  }
};

std::string get(std::string_view target, std::string_view extra = {}) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

TEST(Server, KeepsConnectionAliveAcrossRequests) {
  fixture_app f;
  testing::test_server s(f.a);
  raw_client c(s.port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send(get("/echo/" + std::to_string(i))));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, std::to_string(i));
    EXPECT_FALSE(r->has("connection"));
  }
}

TEST(Server, AnswersPipelinedRequestsInOrder) {
  fixture_app f;
  testing::test_server s(f.a);
  raw_client c(s.port());
  std::string batch;
  for (int i = 0; i < 20; ++i) batch += get("/echo/" + std::to_string(i));
  ASSERT_TRUE(c.send(batch));
  for (int i = 0; i < 20; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << "response " << i;
    EXPECT_EQ(r->body, std::to_string(i));
  }
}

TEST(Server, SendsDateAndContentLengthButNoServerBanner) {
  fixture_app f;
  testing::test_server s(f.a);
  auto r = testing::request(s.port(), "GET", "/echo/abc");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->header("date").empty());
  EXPECT_EQ(r->header("content-length"), "3");
  EXPECT_FALSE(r->has("server"));
  EXPECT_FALSE(r->has("x-powered-by"));
}

TEST(Server, ServesHeadFromGetWithoutBody) {
  fixture_app f;
  testing::test_server s(f.a);
  raw_client c(s.port());
  ASSERT_TRUE(c.send("HEAD /echo/hello HTTP/1.1\r\nHost: t\r\n\r\n" + get("/echo/next")));
  auto head = c.read_response(true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200u);
  EXPECT_EQ(head->header("content-length"), "5");
  auto next = c.read_response();  // a body on the HEAD would corrupt this one
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "next");
}

TEST(Server, RefusesOversizedHeaderWith431AndCloses) {
  fixture_app f;
  testing::test_server s(f.a);
  raw_client c(s.port());
  ASSERT_TRUE(c.send("GET /echo/x HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431u);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.closed_by_peer());
}

// Regression (found by fuzz/http_parser_fuzz): Beast counts its header limit per read,
// so a header sent in pieces used to pass the limit many times over.
TEST(Server, EnforcesTheHeaderLimitAcrossReads) {
  fixture_app f;
  testing::test_server s(f.a);
  raw_client c(s.port());
  ASSERT_TRUE(c.send("GET /echo/x HTTP/1.1\r\nHost: t\r\n"));
  bool refused = false;
  for (int i = 0; i < 40 && !refused; ++i) {
    std::this_thread::sleep_for(5ms);  // separate reads on the server side
    refused = !c.send("X-Part-" + std::to_string(i) + ": " + std::string(1000, 'a') + "\r\nX");
  }
  c.send("-End: 1\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431u);
  EXPECT_TRUE(c.closed_by_peer());
}

// Regression (found by fuzz/http_parser_fuzz): within one read Beast counts the request
// line and the fields against the limit separately, so 8 KiB of fields after a request
// line passed in one piece but not in several.
TEST(Server, CountsTheRequestLineAgainstTheHeaderLimit) {
  fixture_app f;
  testing::test_server s(f.a);
  const std::string start = "GET /echo/x HTTP/1.1\r\nHost: t\r\nX-Big: ";
  const std::string request = start + std::string(8192 - start.size() - 3, 'a') + "\r\n\r\n";  // 8193 bytes
  ASSERT_EQ(request.size(), 8193u);
  raw_client c(s.port());
  ASSERT_TRUE(c.send(request));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431u);
  const std::string fits = start + std::string(8192 - start.size() - 4, 'a') + "\r\n\r\n";  // 8192 bytes
  ASSERT_EQ(fits.size(), 8192u);
  raw_client ok(s.port());
  ASSERT_TRUE(ok.send(fits));
  auto r2 = ok.read_response();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200u);
}

TEST(Server, IgnoresChunkedTrailersAsHeaders) {
  app a("trailers", testing::test_config());
  a.post("/who", [](request& req, response& res) { res.text("cookie=" + std::string(req.header("cookie"))); });
  testing::test_server s(a);
  raw_client c(s.port());
  ASSERT_TRUE(c.send("POST /who HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "1\r\nx\r\n0\r\nCookie: session=forged\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "cookie=");
}

TEST(Server, RefusesBodiesOverTheLimit) {
  struct row {
    const char* name;
    std::string request;
    unsigned status;
  };
  const std::string big(2000, 'x');
  const row rows[] = {
      {"content-length over the default", "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n" + big, 413},
      {"content-length within the default", "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'x'), 200},
      {"chunked over the default",
       "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" + big + "\r\n0\r\n\r\n", 413},
      {"route override allows more", "POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n" + big, 200},
      {"route override still has a limit",
       "POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 70000\r\n\r\n", 413},
  };
  fixture_app f;
  testing::test_server s(f.a);
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    raw_client c(s.port());
    ASSERT_TRUE(c.send(r.request));
    auto resp = c.read_response();
    ASSERT_TRUE(resp);
    EXPECT_EQ(resp->status, r.status);
    if (r.status == 413) {
      EXPECT_TRUE(c.closed_by_peer());
    }
  }
}

TEST(Server, AnswersMalformedRequestsWith400AndCloses) {
  struct row {
    const char* name;
    std::string bytes;
  };
  const row rows[] = {
      {"garbage request line", "GARBAGE\r\n\r\n"},
      {"absolute-form target", "GET http://evil.example/ HTTP/1.1\r\nHost: t\r\n\r\n"},
      {"space in target", "GET /a b HTTP/1.1\r\nHost: t\r\n\r\n"},
      {"bad version", "GET / HTTP/9.9\r\nHost: t\r\n\r\n"},
      {"header without colon", "GET / HTTP/1.1\r\nHost t\r\n\r\n"},
      {"encoded NUL in path", "GET /echo/a%00b HTTP/1.1\r\nHost: t\r\n\r\n"},
      {"conflicting lengths", "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
      {"length with chunked", "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"bad chunk size", "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
      {"HTTP/1.1 without Host", "GET /echo/x HTTP/1.1\r\n\r\n"},
      {"two Host headers", "GET /echo/x HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n"},
  };
  fixture_app f;
  testing::test_server s(f.a);
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    raw_client c(s.port());
    ASSERT_TRUE(c.send(r.bytes));
    auto resp = c.read_response();
    ASSERT_TRUE(resp);
    EXPECT_EQ(resp->status, 400u);
    EXPECT_TRUE(c.closed_by_peer());
  }
  // The server is still fine afterwards.
  auto ok = testing::request(s.port(), "GET", "/echo/alive");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "alive");
}

TEST(Server, ErrorBodiesCarryNoInternals) {
  fixture_app f;
  testing::test_server s(f.a);
  struct row {
    const char* target;
    const char* accept;
    unsigned status;
  };
  const row rows[] = {
      {"/nowhere", "text/html", 404}, {"/nowhere", "application/json", 404},
      {"/boom", "text/html", 500},    {"/boom", "application/json", 500},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(r.target) + " " + r.accept);
    auto resp = testing::request(s.port(), "GET", r.target, {}, {{"Accept", r.accept}});
    ASSERT_TRUE(resp);
    EXPECT_EQ(resp->status, r.status);
    for (const char* leak : {"SELECT", "password", "/srv/", ".cpp", "runtime_error", "boost", "Beast"})
      EXPECT_EQ(resp->body.find(leak), std::string::npos) << leak << " in " << resp->body;
    if (std::string_view(r.accept) == "application/json") {
      EXPECT_EQ(resp->body.rfind("{\"error\":", 0), 0u) << resp->body;
    }
  }
  auto post = testing::request(s.port(), "POST", "/echo/x");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405u);
  EXPECT_EQ(post->header("allow"), "GET, HEAD, OPTIONS");
}

TEST(Server, TimesOutSlowClientsWhileServingOthers) {
  fixture_app f;
  server_options o;
  o.header_timeout = 800ms;
  o.tick = 100ms;
  testing::test_server s(f.a, o);
  raw_client slow(s.port());
  ASSERT_TRUE(slow.send("GET /echo/x HTTP/1.1\r\nHost: t\r\n"));  // never finishes its header
  for (int i = 0; i < 5; ++i) {
    auto r = testing::request(s.port(), "GET", "/echo/fast");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "fast");
  }
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.closed_by_peer(3s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(Server, TimesOutTricklingHeaderEvenWhenBytesKeepComing) {
  fixture_app f;
  server_options o;
  o.header_timeout = 600ms;
  o.tick = 100ms;
  testing::test_server s(f.a, o);
  raw_client slow(s.port(), 200ms);
  ASSERT_TRUE(slow.send("GET /echo/x HTTP/1.1\r\n"));
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {  // one header byte every 100 ms, slowloris style
    closed = !slow.send("X") || slow.closed_by_peer(100ms);
  }
  EXPECT_TRUE(closed);
}

TEST(Server, ClosesIdleKeepAliveConnections) {
  fixture_app f;
  server_options o;
  o.idle_timeout = 500ms;
  o.tick = 100ms;
  testing::test_server s(f.a, o);
  raw_client c(s.port());
  ASSERT_TRUE(c.send(get("/echo/1")));
  ASSERT_TRUE(c.read_response());
  EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST(Server, ClosesConnectionsOverTheLimit) {
  fixture_app f;
  server_options o;
  o.max_connections = 2;
  o.threads = 1;
  testing::test_server s(f.a, o);
  raw_client a(s.port()), b(s.port());
  ASSERT_TRUE(a.send(get("/echo/a")));
  ASSERT_TRUE(a.read_response());
  ASSERT_TRUE(b.send(get("/echo/b")));
  ASSERT_TRUE(b.read_response());
  raw_client third(s.port());
  EXPECT_TRUE(third.closed_by_peer(2s));
}

TEST(Server, HonoursConnectionCloseAndHttp10) {
  fixture_app f;
  testing::test_server s(f.a);
  {
    raw_client c(s.port());
    ASSERT_TRUE(c.send(get("/echo/x", "Connection: close\r\n")));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    raw_client c(s.port());
    ASSERT_TRUE(c.send("GET /echo/y HTTP/1.0\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "y");
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    raw_client c(s.port());
    ASSERT_TRUE(c.send("GET /echo/z HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("connection"), "keep-alive");
    EXPECT_FALSE(c.closed_by_peer(300ms));
  }
}

TEST(Server, SendsContinueBeforeReadingAnExpectedBody) {
  fixture_app f;
  testing::test_server s(f.a);
  raw_client c(s.port());
  ASSERT_TRUE(c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.read_response(true);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100u);
  ASSERT_TRUE(c.send("abcd"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "4");
}

TEST(Server, BlockingRoutesDoNotStallTheirEventLoop) {
  fixture_app f;
  server_options o;
  o.threads = 1;  // one loop: a handler blocking it would stall everyone
  o.blocking_threads = 2;
  testing::test_server s(f.a, o);
  auto slow = std::async(std::launch::async, [&] { return testing::request(s.port(), "GET", "/blocking"); });
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  auto fast = testing::request(s.port(), "GET", "/echo/fast");
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->body, "fast");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms);
  auto r = slow.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "slept");
}

TEST(Server, KeepsPipelinedOrderAroundBlockingRoutes) {
  fixture_app f;
  server_options o;
  o.threads = 1;
  testing::test_server s(f.a, o);
  raw_client c(s.port());
  ASSERT_TRUE(c.send(get("/echo/1") + get("/blocking") + get("/echo/3") + get("/echo/4", "Connection: close\r\n") +
                     get("/echo/never")));
  for (const char* expected : {"1", "slept", "3", "4"}) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << expected;
    EXPECT_EQ(r->body, expected);
  }
  EXPECT_TRUE(c.closed_by_peer());  // nothing after Connection: close is answered
}

TEST(Server, GracefulStopFinishesInFlightBlockingRequest) {
  fixture_app f;
  server_options o;
  o.threads = 1;
  testing::test_server srv(f.a, o);
  const auto port = srv.port();
  auto in_flight = std::async(std::launch::async, [port] { return testing::request(port, "GET", "/blocking"); });
  std::this_thread::sleep_for(100ms);
  srv.get().stop();
  auto r = in_flight.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "slept");
  srv.get().wait();
}

TEST(Server, GracefulStopFinishesInFlightRequest) {
  fixture_app f;
  server_options o;
  o.threads = 1;
  o.shutdown_timeout = 5s;
  testing::test_server srv(f.a, o);
  const auto port = srv.port();
  auto in_flight = std::async(std::launch::async, [port] { return testing::request(port, "GET", "/slow"); });
  while (!f.slow_started) std::this_thread::sleep_for(5ms);
  srv.get().stop();
  auto r = in_flight.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "finished");
  srv.get().wait();
  raw_client after(port);
  EXPECT_FALSE(after.connected());
}

TEST(Server, GracefulStopClosesIdleConnectionsAtOnce) {
  fixture_app f;
  server_options o;
  o.threads = 1;
  testing::test_server srv(f.a, o);
  raw_client idle(srv.port());
  ASSERT_TRUE(idle.send(get("/echo/1")));
  ASSERT_TRUE(idle.read_response());
  const auto start = std::chrono::steady_clock::now();
  srv.stop_and_wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(idle.closed_by_peer(1s));
}

}  // namespace
}  // namespace bastion
