#include <bastion/auth/key_ring.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bastion {
namespace {

const std::string key_a(40, 'a');
const std::string key_b(40, 'b');
const std::string key_c(40, 'c');

key_ring ring(const std::string& current, std::vector<std::string> fallbacks = {}) { return key_ring(current, fallbacks); }

TEST(KeyRing, SignedValuesVerifyAndCarryTheCurrentKeyId) {
  const auto s = ring(key_a).signer("session");
  const auto v = s.sign("user=7");
  EXPECT_TRUE(v.starts_with("user=7." + ring(key_a).key_id() + "."));
  EXPECT_EQ(s.unsign(v), "user=7");
}

// Values signed today must verify after any upgrade: the format is pinned to a value computed
// independently (Python's hmac and an RFC 5869 HKDF, no salt), not to whatever the code does.
TEST(KeyRing, SignaturesMatchAnIndependentHkdfAndHmacComputation) {
  const auto v = ring(std::string(48, 's')).signer("session").sign("hello");
  EXPECT_EQ(v, "hello.a55ae960.UTPMCBmfmGZeX9wpPd7rqMZIkUgOMr3Oiixc5fNGveY");
}

TEST(KeyRing, RefusesTamperedTruncatedAndForeignValues) {
  const auto s = ring(key_a).signer("session");
  const auto v = s.sign("user=7");
  std::string flipped = v;
  flipped[2] ^= 1;  // the data
  std::string bad_mac = v;
  bad_mac.back() = bad_mac.back() == 'A' ? 'B' : 'A';
  struct row {
    const char* name;
    std::string value;
  };
  const row rows[] = {
      {"DataChanged", flipped},
      {"MacChanged", bad_mac},
      {"Truncated", v.substr(0, v.size() - 1)},
      {"MacRemoved", v.substr(0, v.rfind('.'))},
      {"Empty", ""},
      {"OnlyDots", ".."},
      {"UnknownKeyId", "user=7.00000000." + v.substr(v.rfind('.') + 1)},
      {"OtherSecret", ring(key_b).signer("session").sign("user=7")},
      {"OtherPurpose", ring(key_a).signer("csrf").sign("user=7")},
      {"DataAppended", v + "x"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(s.unsign(r.value), std::nullopt);
  }
}

TEST(KeyRing, RotationVerifiesWithFallbacksAndSignsWithTheCurrentKey) {
  const auto old_value = ring(key_a).signer("csrf").sign("x");
  const auto rotated = ring(key_b, {key_a}).signer("csrf");
  EXPECT_EQ(rotated.unsign(old_value), "x");                       // old artifacts still valid
  EXPECT_EQ(rotated.key_id(), ring(key_b).key_id());               // new ones signed with the new key
  EXPECT_EQ(ring(key_b).signer("csrf").unsign(rotated.sign("y")), "y");
  EXPECT_EQ(ring(key_b, {key_c}).signer("csrf").unsign(old_value), std::nullopt);  // fallback dropped
}

TEST(KeyRing, TimedValuesExpireAndRefuseTheFuture) {
  const auto s = ring(key_a).signer("csrf");
  const std::int64_t t0 = 1'800'000'000;
  const auto v = s.sign_timed("token", t0);
  struct row {
    const char* name;
    std::int64_t now;
    bool valid;
  };
  const row rows[] = {
      {"JustMade", t0, true},
      {"AtMaxAge", t0 + 3600, true},
      {"PastMaxAge", t0 + 3601, false},
      {"ClockSlightlyBehind", t0 - 59, true},
      {"FromTheFuture", t0 - 3600, false},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(s.unsign_timed(v, std::chrono::hours(1), r.now).has_value(), r.valid);
  }
  EXPECT_EQ(s.unsign_timed(s.sign("token.notanumber"), std::chrono::hours(1), t0), std::nullopt);
  EXPECT_EQ(s.unsign_timed(s.sign("token"), std::chrono::hours(1), t0), std::nullopt);  // untimed
}

TEST(KeyRing, PartsAreLengthPrefixedSoBoundariesMatter) {
  const auto s = ring(key_a).signer("csrf");
  EXPECT_NE(s.mac({"ab", "c"}), s.mac({"a", "bc"}));
  const auto tag = s.mac({"ab", "c"});
  EXPECT_TRUE(s.verify(s.key_id(), {"ab", "c"}, tag));
  EXPECT_FALSE(s.verify(s.key_id(), {"a", "bc"}, tag));
  EXPECT_FALSE(s.verify(s.key_id(), {"ab", "c"}, std::span<const unsigned char>(tag.data(), 31)));
}

TEST(KeyRing, PurposesGetUnrelatedKeys) {
  const auto r = ring(key_a);
  EXPECT_NE(r.signer("session").mac("x"), r.signer("csrf").mac("x"));
  EXPECT_EQ(r.signer("session").mac("x"), ring(key_a).signer("session").mac("x"));  // deterministic
}

TEST(KeyRing, RefusesEmptyKeys) {
  EXPECT_THROW(ring(""), std::invalid_argument);
  EXPECT_THROW(ring(key_a, {""}), std::invalid_argument);
}

}  // namespace
}  // namespace bastion
