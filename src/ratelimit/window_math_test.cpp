// The strategies' arithmetic against hand-worked sequences: boundaries, roll-over,
// costs, and the remaining/reset/retry values clients see.
#include "ratelimit/window_math.hpp"

#include <gtest/gtest.h>

namespace bastion::detail {
namespace {

rate_limit per(std::uint64_t amount, std::int64_t seconds) { return {amount, std::chrono::seconds(seconds), ""}; }

struct step {
  std::int64_t now;
  std::uint64_t cost;
  bool allowed;
  std::uint64_t remaining;
  std::int64_t reset_after;
  std::int64_t retry_after;
};

template <class State, class Fn>
void run(const char* name, Fn hit, const rate_limit& l, const std::vector<step>& steps) {
  State s;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& st = steps[i];
    const auto r = hit(s, l, st.cost, st.now);
    EXPECT_EQ(r.allowed, st.allowed) << name << " step " << i;
    EXPECT_EQ(r.remaining, st.remaining) << name << " step " << i;
    EXPECT_EQ(r.reset_after_ms, st.reset_after) << name << " step " << i;
    EXPECT_EQ(r.retry_after_ms, st.retry_after) << name << " step " << i;
    EXPECT_EQ(r.limit, l.amount);
  }
}

TEST(FixedWindow, CountsPerAlignedWindowAndResetsAtItsEnd) {
  run<fixed_state>("fixed", fixed_hit, per(3, 10),
                   {
                       {1000, 1, true, 2, 9000, 0},
                       {2000, 1, true, 1, 8000, 0},
                       {9999, 1, true, 0, 1, 0},
                       {9999, 1, false, 0, 1, 1},       // full: wait for the boundary
                       {10000, 1, true, 2, 10000, 0},   // a new window
                       {10001, 3, false, 2, 9999, 9999},  // cost 3 does not fit in the 2 left
                       {10002, 2, true, 0, 9998, 0},
                       {35000, 5, false, 3, 5000, 5000},  // more than the limit never fits
                   });
}

TEST(MovingWindow, AdmitsExactlyNInAnyPeriod) {
  run<moving_state>("moving", moving_hit, per(3, 10),
                    {
                        {1000, 1, true, 2, 10000, 0},
                        {5000, 1, true, 1, 10000, 0},
                        {9000, 1, true, 0, 10000, 0},
                        {10500, 1, false, 0, 8500, 500},  // the 1000 hit leaves at 11000
                        {11000, 1, true, 0, 10000, 0},    // 1000 expired exactly at 11000
                        {11001, 2, false, 0, 9999, 7999},  // needs the 5000 and 9000 hits gone: 19000
                        {19000, 2, true, 0, 10000, 0},
                        {40000, 1, true, 2, 10000, 0},
                    });
}

TEST(SlidingWindowCounter, WeighsThePreviousWindowByOverlap) {
  // 10 per 10 s. Window [0,10000) takes 10; at 15000 half of it still counts (5).
  counter_state s;
  const auto l = per(10, 10);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(sliding_counter_hit(s, l, 1, 1000 + i).allowed);
  EXPECT_FALSE(sliding_counter_hit(s, l, 1, 9000).allowed);
  auto r = sliding_counter_hit(s, l, 1, 15000);  // 10*0.5 + 0 + 1 <= 10
  EXPECT_TRUE(r.allowed);
  EXPECT_EQ(r.remaining, 4u);  // 5 + 1 used
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(sliding_counter_hit(s, l, 1, 15000).allowed);
  r = sliding_counter_hit(s, l, 1, 15000);  // 5 + 5 + 1 > 10
  EXPECT_FALSE(r.allowed);
  // previous*(10000 - t)/10000 + 5 + 1 <= 10  ->  t >= 16000: 1000 ms from now.
  EXPECT_EQ(r.retry_after_ms, 1000);
  EXPECT_TRUE(sliding_counter_hit(s, l, 1, 16000).allowed);
  // Two windows later nothing of the old counts remains.
  r = sliding_counter_hit(s, l, 10, 31000);
  EXPECT_TRUE(r.allowed);
  EXPECT_EQ(r.remaining, 0u);
}

TEST(Gcra, SpacesHitsEvenlyWithBurstsUpToTheLimit) {
  run<gcra_state>("gcra", gcra_hit, per(3, 3),  // one per second, bursts of 3
                  {
                      {0, 1, true, 2, 1000, 0},
                      {0, 1, true, 1, 2000, 0},
                      {0, 1, true, 0, 3000, 0},
                      {0, 1, false, 0, 3000, 1000},
                      {1000, 1, true, 0, 3000, 0},   // one cell freed per second
                      {1500, 1, false, 0, 2500, 500},
                      {10000, 2, true, 1, 2000, 0},  // idle: full burst again
                      {10000, 4, false, 1, 2000, 3000},  // above the limit never fits
                  });
}

}  // namespace
}  // namespace bastion::detail
