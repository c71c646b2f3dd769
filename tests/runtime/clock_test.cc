// Tests for runtime/clock: the kubelet restart backoff on fake time.
#include "runtime/clock.h"

#include <gtest/gtest.h>

namespace keelson::runtime {
namespace {

using namespace std::chrono_literals;

TEST(RestartBackoff, ImmediateThenTenSecondsDoublingToFiveMinutes) {
  FakeClock clock;
  RestartBackoff b;
  EXPECT_EQ(b.Remaining(clock.Now()), 0s) << "the first restart is immediate";
  std::vector<int> delays;
  for (int i = 0; i < 8; ++i) {
    b.Restarted(clock.Now());
    delays.push_back(
        static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(b.delay()).count()));
    EXPECT_GT(b.Remaining(clock.Now()), 0s);
    clock.Advance(b.delay() - 1s);
    EXPECT_EQ(b.Remaining(clock.Now()), 1s);
    clock.Advance(1s);
    EXPECT_EQ(b.Remaining(clock.Now()), 0s);
  }
  EXPECT_EQ(delays, (std::vector<int>{10, 20, 40, 80, 160, 300, 300, 300}));
}

TEST(RestartBackoff, ResetsAfterTenMinutesRunning) {
  FakeClock clock;
  RestartBackoff b;
  b.Restarted(clock.Now());
  b.Restarted(clock.Now());
  EXPECT_EQ(b.delay(), 20s);
  b.Exited(9min);
  EXPECT_EQ(b.delay(), 20s) << "a short run keeps the backoff";
  b.Exited(10min);
  EXPECT_EQ(b.delay(), 0s);
  EXPECT_EQ(b.Remaining(clock.Now()), 0s);
}

}  // namespace
}  // namespace keelson::runtime
