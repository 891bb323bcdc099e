#include <bastion/auth/password.hpp>

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace bastion {
namespace {

const std::string good_password = "correct horse battery staple";

std::string must_hash(std::string_view password, const password_options& options = {}) {
  auto h = hash_password(password, options);
  if (!h) {
    ADD_FAILURE() << "hash failed: " << h.error().message();
    return {};
  }
  return *h;
}

TEST(Password, VerifiesOnlyTheHashedPassword) {
  const auto hash = must_hash(good_password);
  EXPECT_TRUE(verify_password(hash, good_password));
  EXPECT_FALSE(verify_password(hash, "correct horse battery stapler"));
  EXPECT_FALSE(verify_password(hash, "Correct horse battery staple"));
  EXPECT_FALSE(verify_password(hash, ""));
}

TEST(Password, HashIsAnArgon2idPhcStringWithTheOwaspFloor) {
  const auto hash = must_hash(good_password);
  const std::regex shape(R"(\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+)");
  EXPECT_TRUE(std::regex_match(hash, shape)) << hash;
  EXPECT_EQ(hash.find(good_password), std::string::npos);
}

TEST(Password, StrongerParametersAreRecordedInTheHash) {
  const auto hash = must_hash(good_password, {.memory_kib = 32768, .iterations = 3});
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=32768,t=3,p=1$")) << hash;
  EXPECT_TRUE(verify_password(hash, good_password));
}

TEST(Password, SamePasswordHashesDifferentlyEachTime) {
  const auto a = must_hash(good_password);
  const auto b = must_hash(good_password);
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password(a, good_password));
  EXPECT_TRUE(verify_password(b, good_password));
}

TEST(Password, PolicyAndParameterFloorAreEnforced) {
  struct row {
    const char* name;
    std::string password;
    password_options options;
    password_errc expected;
  };
  const row rows[] = {
      {"TooShort", std::string(11, 'a'), {}, password_errc::too_short},
      {"Empty", "", {}, password_errc::too_short},
      {"TooLong", std::string(257, 'a'), {}, password_errc::too_long},
      {"TooShortForOwnMinimum", "twenty chars long!!", {.min_length = 20}, password_errc::too_short},
      {"TooLongForOwnMaximum", std::string(65, 'a'), {.max_length = 64}, password_errc::too_long},
      {"WeakMemory", good_password, {.memory_kib = 1024}, password_errc::weak_parameters},
      {"MemoryJustBelowFloor", good_password, {.memory_kib = 19455}, password_errc::weak_parameters},
      {"OneIteration", good_password, {.iterations = 1}, password_errc::weak_parameters},
      {"ZeroIterations", good_password, {.iterations = 0}, password_errc::weak_parameters},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto h = hash_password(r.password, r.options);
    ASSERT_FALSE(h) << *h;
    EXPECT_EQ(h.error(), make_error_code(r.expected)) << h.error().message();
  }
}

TEST(Password, LengthLimitsAreInclusive) {
  struct row {
    const char* name;
    std::string password;
  };
  const row rows[] = {
      {"Shortest", std::string(12, 'a')},
      {"Longest", std::string(256, 'a')},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto hash = must_hash(r.password);
    EXPECT_TRUE(verify_password(hash, r.password));
  }
}

TEST(Password, MalformedStoredHashesNeverVerify) {
  const auto real = must_hash(good_password);
  struct row {
    const char* name;
    std::string stored;
  };
  const row rows[] = {
      {"Empty", ""},
      {"PlainText", good_password},
      {"PrefixOnly", "$argon2id$"},
      {"NoSaltOrHash", "$argon2id$v=19$m=19456,t=2,p=1$"},
      {"Truncated", real.substr(0, real.size() - 10)},
      {"OtherAlgorithm", "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"},
      {"VeryLong", real + std::string(200, 'A')},
      {"EmbeddedNul", real.substr(0, 20) + std::string(1, '\0') + real.substr(21)},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_FALSE(verify_password(r.stored, good_password));
  }
}

TEST(Password, LongPasswordsAreNotTruncated) {
  std::string a(200, 'x');
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<char>('a' + i % 26);
  std::string b = a;
  b[150] = b[150] == 'z' ? 'y' : 'z';
  const auto hash = must_hash(a);
  EXPECT_TRUE(verify_password(hash, a));
  EXPECT_FALSE(verify_password(hash, b));
  EXPECT_FALSE(verify_password(hash, a.substr(0, 150)));
}

TEST(Password, BytesAfterANulStillCount) {
  const std::string a = std::string("twelve chars") + '\0' + "and more";
  const std::string b = std::string("twelve chars") + '\0' + "and less";
  const auto hash = must_hash(a);
  EXPECT_TRUE(verify_password(hash, a));
  EXPECT_FALSE(verify_password(hash, b));
  EXPECT_FALSE(verify_password(hash, "twelve chars"));
}

}  // namespace
}  // namespace bastion

namespace bastion {
namespace {

TEST(Password, RehashIsNeededExactlyWhenTheParametersChanged) {
  const auto h = hash_password("correct horse battery", {});
  ASSERT_TRUE(h);
  EXPECT_FALSE(needs_rehash(*h, {}));
  EXPECT_TRUE(needs_rehash(*h, {.memory_kib = 32768}));
  EXPECT_TRUE(needs_rehash(*h, {.iterations = 3}));
  EXPECT_TRUE(needs_rehash("not a hash", {}));
  EXPECT_TRUE(needs_rehash("", {}));
}

TEST(Password, UnknownUsersNeverVerify) {
  EXPECT_FALSE(verify_unknown_user("correct horse battery"));
  EXPECT_FALSE(verify_unknown_user(""));
  EXPECT_FALSE(verify_unknown_user("bastion-dummy-password-for-unknown-users"));
}

}  // namespace
}  // namespace bastion
