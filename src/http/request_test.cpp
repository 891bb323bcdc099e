#include <bastion/http/request.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bastion {
namespace {

using verb = boost::beast::http::verb;

TEST(Request, StartsEmpty) {
  request req;
  EXPECT_EQ(req.method(), verb::unknown);
  EXPECT_EQ(req.target(), "");
  EXPECT_EQ(req.path(), "");
  EXPECT_EQ(req.raw_query(), "");
  EXPECT_EQ(req.version(), 11u);
  EXPECT_EQ(req.header_count(), 0u);
  EXPECT_EQ(req.body(), "");
  EXPECT_EQ(req.matched_route(), nullptr);
  EXPECT_FALSE(req.is_secure());
  EXPECT_EQ(req.scheme(), "http");
}

TEST(Request, DecodesThePathAndKeepsTheQueryRaw) {
  struct row {
    const char* name;
    std::string_view target;
    std::string_view path;
    std::string_view raw_query;
  };
  const row rows[] = {
      {"Root", "/", "/", ""},
      {"PathAndQuery", "/posts/1?x=y", "/posts/1", "x=y"},
      {"EmptyQuery", "/search?", "/search", ""},
      {"EncodedSpace", "/a%20b?q=a%20b", "/a b", "q=a%20b"},
      {"EncodedUtf8", "/caf%C3%A9", "/caf\xC3\xA9", ""},
      {"PlusStaysPlusInPath", "/a+b?q=a+b", "/a+b", "q=a+b"},
      {"EncodedDotsDecodedForTheLayersBelowToRefuse", "/static/%2e%2e/secret", "/static/../secret", ""},
      {"QueryKeepsEncodedAmpersand", "/?a=1%262&b", "/", "a=1%262&b"},
      {"SlashInQuery", "/p?x=1/2", "/p", "x=1/2"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    request req;
    ASSERT_TRUE(req.set_start_line(verb::get, "GET", r.target, 11));
    EXPECT_EQ(req.target(), r.target);
    EXPECT_EQ(req.path(), r.path);
    EXPECT_EQ(req.raw_query(), r.raw_query);
    EXPECT_EQ(req.method(), verb::get);
    EXPECT_EQ(req.method_string(), "GET");
  }
}

TEST(Request, RefusesTargetsThatAreNotOriginForm) {
  struct row {
    const char* name;
    std::string_view target;
  };
  const row rows[] = {
      {"Empty", ""},
      {"AbsoluteForm", "http://x/"},
      {"AbsoluteFormWithPath", "https://evil.example/admin"},
      {"AsteriskForm", "*"},
      {"AuthorityForm", "example.com:443"},
      {"RelativePath", "posts/1"},
      {"EncodedNul", "/a%00b"},
      {"EncodedNulAtTheEnd", "/a%00"},
      {"BadPercentEncoding", "/a%zz"},
      {"TruncatedPercentEncoding", "/a%4"},
      {"RawSpace", "/a b"},
      {"Fragment", "/a#b"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    request req;
    EXPECT_FALSE(req.set_start_line(verb::get, "GET", std::string(r.target), 11));
  }
}

TEST(Request, KeepsTheMethodTextOfUnknownMethods) {
  request req;
  ASSERT_TRUE(req.set_start_line(verb::unknown, "BREW", "/pot", 10));
  EXPECT_EQ(req.method(), verb::unknown);
  EXPECT_EQ(req.method_string(), "BREW");
  EXPECT_EQ(req.version(), 10u);
}

TEST(Request, LooksUpHeadersCaseInsensitivelyAndTheFirstValueWins) {
  request req;
  ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/", 11));
  req.add_header("Content-Type", "text/html");
  req.add_header("X-Forwarded-For", "1.1.1.1");
  req.add_header("x-forwarded-for", "2.2.2.2");

  struct row {
    const char* name;
    std::string_view header;
    bool present;
    std::string_view value;
  };
  const row rows[] = {
      {"SameCase", "Content-Type", true, "text/html"},
      {"LowerCase", "content-type", true, "text/html"},
      {"UpperCase", "CONTENT-TYPE", true, "text/html"},
      {"FirstOfTwo", "X-FORWARDED-FOR", true, "1.1.1.1"},
      {"Missing", "Accept", false, ""},
      {"PrefixIsNotAMatch", "Content", false, ""},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(req.has_header(r.header), r.present);
    EXPECT_EQ(req.header(r.header), r.value);
  }
  ASSERT_EQ(req.header_count(), 3u);
  EXPECT_EQ(req.header_at(2).name, "x-forwarded-for");
  EXPECT_EQ(req.header_at(2).value, "2.2.2.2");
}

TEST(Request, KeepsViewsRightWhenManyHeadersGrowTheBuffer) {
  request req;
  ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/path?q=1", 11));
  req.add_header("Host", "example.com");
  const std::string big(1024, 'x');
  for (int i = 0; i < 40; ++i) req.add_header("X-Filler-" + std::to_string(i), big);
  EXPECT_EQ(req.target(), "/path?q=1");
  EXPECT_EQ(req.raw_query(), "q=1");
  EXPECT_EQ(req.host(), "example.com");
  EXPECT_EQ(req.header("x-filler-39"), big);
}

TEST(Request, QueryIsParsedWithTheRequestLimits) {
  struct row {
    const char* name;
    std::string_view target;
    form_limits limits;
    bool ok;
    form_errc error;
  };
  const row rows[] = {
      {"DefaultLimits", "/?a=1&b=2&c=3", {}, true, {}},
      {"TooManyFields", "/?a=1&b=2&c=3", {.max_fields = 2}, false, form_errc::too_many_fields},
      {"TooLarge", "/?a=1234567890", {.max_bytes = 8}, false, form_errc::too_large},
      {"EncodedNul", "/?a=%00", {}, false, form_errc::malformed},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    request req;
    req.set_limits(r.limits);
    ASSERT_TRUE(req.set_start_line(verb::get, "GET", r.target, 11));
    const auto& q = req.query();
    ASSERT_EQ(bool(q), r.ok);
    if (!r.ok) {
      EXPECT_EQ(q.error(), make_error_code(r.error));
    }
  }
}

TEST(Request, QueryDecodesValues) {
  request req;
  ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/search?q=two+words&page=2&tag=a&tag=b", 11));
  const auto& q = req.query();
  ASSERT_TRUE(q) << q.error().message();
  EXPECT_EQ(q->get("q"), "two words");
  EXPECT_EQ(q->get("page"), "2");
  EXPECT_EQ(q->get_all("tag").size(), 2u);
}

TEST(Request, FormOnlyParsesUrlencodedBodies) {
  struct row {
    const char* name;
    const char* content_type;  // null: no header
    std::string body;
    form_limits limits;
    bool ok;
    form_errc error;
  };
  const row rows[] = {
      {"Urlencoded", "application/x-www-form-urlencoded", "title=Hello+world", {}, true, {}},
      {"WithCharset", "application/x-www-form-urlencoded; charset=utf-8", "title=Hello+world", {}, true, {}},
      {"MixedCase", "Application/X-WWW-Form-Urlencoded", "title=Hello+world", {}, true, {}},
      {"NoContentType", nullptr, "title=Hello+world", {}, false, form_errc::wrong_content_type},
      {"Multipart", "multipart/form-data; boundary=x", "title=Hello+world", {}, false, form_errc::wrong_content_type},
      {"Json", "application/json", "title=Hello+world", {}, false, form_errc::wrong_content_type},
      {"LookalikeType", "application/x-www-form-urlencoded-evil", "title=x", {}, false, form_errc::wrong_content_type},
      {"TooLarge", "application/x-www-form-urlencoded", "title=Hello+world", {.max_bytes = 5}, false, form_errc::too_large},
      {"TooManyFields", "application/x-www-form-urlencoded", "a=1&b=2", {.max_fields = 1}, false,
       form_errc::too_many_fields},
      {"Malformed", "application/x-www-form-urlencoded", "title=%zz", {}, false, form_errc::malformed},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    request req;
    req.set_limits(r.limits);
    ASSERT_TRUE(req.set_start_line(verb::post, "POST", "/posts", 11));
    if (r.content_type) req.add_header("Content-Type", r.content_type);
    req.body_buffer() = r.body;
    const auto& f = req.form();
    ASSERT_EQ(bool(f), r.ok);
    if (r.ok) {
      EXPECT_EQ(f->get("title"), "Hello world");
    } else {
      EXPECT_EQ(f.error(), make_error_code(r.error));
    }
  }
}

TEST(Request, JsonNeedsAJsonContentTypeAndAShallowValidBody) {
  const std::string depth_32 = std::string(32, '[') + std::string(32, ']');
  const std::string depth_33 = std::string(33, '[') + std::string(33, ']');
  struct row {
    const char* name;
    const char* content_type;  // null: no header
    std::string body;
    bool ok;
  };
  const row rows[] = {
      {"Json", "application/json", R"({"a":1})", true},
      {"JsonWithCharset", "application/json; charset=utf-8", R"({"a":1})", true},
      {"UpperCase", "Application/JSON", R"({"a":1})", true},
      {"ProblemJson", "application/problem+json", R"({"a":1})", true},
      {"DepthThirtyTwo", "application/json", depth_32, true},
      {"NoContentType", nullptr, R"({"a":1})", false},
      {"TextPlain", "text/plain", R"({"a":1})", false},
      {"Form", "application/x-www-form-urlencoded", R"({"a":1})", false},
      {"Malformed", "application/json", R"({"a":)", false},
      {"TrailingGarbage", "application/json", R"({"a":1} x)", false},
      {"Empty", "application/json", "", false},
      {"DepthThirtyThree", "application/json", depth_33, false},
      {"DeepObjects", "application/json", [] {
         std::string s;
         for (int i = 0; i < 40; ++i) s += R"({"a":)";
         s += "1";
         s += std::string(40, '}');
         return s;
       }(), false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    request req;
    ASSERT_TRUE(req.set_start_line(verb::post, "POST", "/api/posts", 11));
    if (r.content_type) req.add_header("Content-Type", r.content_type);
    req.body_buffer() = r.body;
    const auto v = req.json();
    EXPECT_EQ(bool(v), r.ok);
  }
}

TEST(Request, JsonReturnsTheParsedValue) {
  request req;
  ASSERT_TRUE(req.set_start_line(verb::post, "POST", "/api/posts", 11));
  req.add_header("Content-Type", "application/json");
  req.body_buffer() = R"({"title":"Hello","tags":["a","b"]})";
  const auto v = req.json();
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->at("title").as_string(), "Hello");
  EXPECT_EQ(v->at("tags").as_array().size(), 2u);
}

TEST(Request, CookiesComeFromEveryCookieHeader) {
  request req;
  ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/", 11));
  req.add_header("Cookie", "sid=abc; theme=dark");
  req.add_header("Accept", "text/html");
  req.add_header("cookie", "lang=en; sid=second; bad name=1");
  const auto& jar = req.cookies();
  EXPECT_EQ(jar.size(), 4u);
  ASSERT_TRUE(jar.get("sid"));
  EXPECT_EQ(*jar.get("sid"), "abc");
  ASSERT_TRUE(jar.get("lang"));
  EXPECT_EQ(*jar.get("lang"), "en");
  EXPECT_FALSE(jar.get("bad name"));
}

TEST(Request, NoCookieHeaderGivesAnEmptyJar) {
  request req;
  ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/", 11));
  EXPECT_EQ(req.cookies().size(), 0u);
}

TEST(Request, WantsJsonForApiPathsAndJsonClients) {
  struct row {
    const char* name;
    std::string_view target;
    const char* accept;  // null: no header
    bool expected;
  };
  const row rows[] = {
      {"HtmlPageDefault", "/posts", nullptr, false},
      {"ApiPath", "/api/posts", nullptr, true},
      {"ApiRoot", "/api", nullptr, true},
      {"ApiRootWithSlash", "/api/", nullptr, true},
      {"ApiLookalikePath", "/apiary", nullptr, false},
      {"ApiNotAtTheStart", "/docs/api/x", nullptr, false},
      {"AcceptJson", "/posts", "application/json", true},
      {"AcceptJsonInAList", "/posts", "text/html;q=0.9, Application/JSON", true},
      {"AcceptHtml", "/posts", "text/html,application/xhtml+xml", false},
      {"AcceptAnything", "/posts", "*/*", false},
      {"ApiPathEvenForHtmlClients", "/api/posts", "text/html", true},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    request req;
    ASSERT_TRUE(req.set_start_line(verb::get, "GET", r.target, 11));
    if (r.accept) req.add_header("Accept", r.accept);
    EXPECT_EQ(req.wants_json(), r.expected);
  }
}

TEST(Request, ParamsAreLookedUpByName) {
  request req;
  ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/posts/42/comments/7", 11));
  req.add_param("id", "42");
  req.add_param("comment", "7");
  EXPECT_EQ(req.param("id"), "42");
  EXPECT_EQ(req.param_int("id"), 42);
  EXPECT_EQ(req.param_int("comment"), 7);
  EXPECT_EQ(req.param("missing"), "");
  EXPECT_EQ(req.param_int("missing"), 0);
}

struct user_state {
  std::string name;
};

struct counted_state {
  explicit counted_state(int& destroyed) : destroyed_(destroyed) {}
  ~counted_state() { ++destroyed_; }
  int& destroyed_;
};

TEST(Request, KeepsOneStateSlotPerType) {
  request req;
  EXPECT_EQ(req.get<user_state>(), nullptr);
  auto& user = req.emplace<user_state>(user_state{"ada"});
  req.emplace<int>(7);
  ASSERT_NE(req.get<user_state>(), nullptr);
  EXPECT_EQ(req.get<user_state>(), &user);
  EXPECT_EQ(req.get<user_state>()->name, "ada");
  ASSERT_NE(req.get<int>(), nullptr);
  EXPECT_EQ(*req.get<int>(), 7);
  EXPECT_EQ(req.get<double>(), nullptr);
  user.name = "grace";
  EXPECT_EQ(req.get<user_state>()->name, "grace");
}

TEST(Request, ResetClearsEverythingFromThePreviousRequest) {
  int destroyed = 0;
  request req;
  req.set_peer("192.0.2.1", true);
  ASSERT_TRUE(req.set_start_line(verb::post, "POST", "/api/posts/1?x=1", 11));
  req.add_header("Cookie", "sid=abc");
  req.add_header("Content-Type", "application/x-www-form-urlencoded");
  req.body_buffer() = "title=x";
  req.add_param("id", "1");
  req.set_request_id("req-1");
  req.set_client_address("203.0.113.9");
  req.emplace<user_state>(user_state{"ada"});
  req.emplace<counted_state>(destroyed);
  // Fill the caches so reset has something to drop.
  ASSERT_TRUE(req.query());
  ASSERT_TRUE(req.form());
  ASSERT_EQ(req.cookies().size(), 1u);

  req.reset();

  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(req.method(), verb::unknown);
  EXPECT_EQ(req.target(), "");
  EXPECT_EQ(req.path(), "");
  EXPECT_EQ(req.raw_query(), "");
  EXPECT_EQ(req.header_count(), 0u);
  EXPECT_FALSE(req.has_header("cookie"));
  EXPECT_EQ(req.body(), "");
  EXPECT_EQ(req.param("id"), "");
  EXPECT_EQ(req.request_id(), "");
  EXPECT_EQ(req.matched_route(), nullptr);
  EXPECT_EQ(req.get<user_state>(), nullptr);
  EXPECT_EQ(req.get<counted_state>(), nullptr);
  EXPECT_EQ(req.cookies().size(), 0u);
  ASSERT_TRUE(req.query());
  EXPECT_EQ(req.query()->size(), 0u);
  EXPECT_EQ(req.form().error(), make_error_code(form_errc::wrong_content_type));
  // The connection facts belong to the connection, not to the request.
  EXPECT_EQ(req.peer_address(), "192.0.2.1");
  EXPECT_EQ(req.client_address(), "192.0.2.1");
}

TEST(Request, SecondRequestOnAConnectionSeesOnlyItsOwnData) {
  request req;
  ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/first?a=1", 11));
  req.add_header("Accept", "application/json");
  ASSERT_TRUE(req.query());
  req.reset();
  ASSERT_TRUE(req.set_start_line(verb::get, "GET", "/second?b=2", 11));
  EXPECT_EQ(req.path(), "/second");
  EXPECT_EQ(req.raw_query(), "b=2");
  EXPECT_FALSE(req.has_header("accept"));
  ASSERT_TRUE(req.query());
  EXPECT_FALSE(req.query()->contains("a"));
  EXPECT_EQ(req.query()->get("b"), "2");
}

TEST(Request, RecognisesLoopbackClients) {
  struct row {
    const char* name;
    std::string_view address;
    bool expected;
  };
  const row rows[] = {
      {"Ipv4Loopback", "127.0.0.1", true},
      {"OtherIpv4Loopback", "127.10.20.30", true},
      {"Ipv6Loopback", "::1", true},
      {"Ipv4MappedLoopback", "::ffff:127.0.0.1", true},
      {"PrivateNetwork", "10.0.0.1", false},
      {"PublicAddress", "203.0.113.5", false},
      {"LoopbackDigitsLater", "10.127.0.1", false},
      {"OtherIpv6", "::2", false},
      {"Ipv6AllZeros", "::", false},
      {"Empty", "", false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    request req;
    req.set_peer(r.address, false);
    EXPECT_EQ(req.is_loopback_client(), r.expected);
  }
}

TEST(Request, LoopbackDependsOnTheResolvedClientNotThePeer) {
  request req;
  req.set_peer("127.0.0.1", false);  // a local reverse proxy
  req.set_client_address("198.51.100.7");
  EXPECT_FALSE(req.is_loopback_client());
  EXPECT_EQ(req.peer_address(), "127.0.0.1");
}

TEST(Request, SchemeFollowsTheConnection) {
  request req;
  req.set_peer("192.0.2.1", true);
  EXPECT_TRUE(req.is_secure());
  EXPECT_EQ(req.scheme(), "https");
  req.set_secure(false);
  EXPECT_EQ(req.scheme(), "http");
}

}  // namespace
}  // namespace bastion
