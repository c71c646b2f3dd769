// Time seam for the node agent (backoffs, probes, leases), and the restart backoff policy.
#pragma once

#include <algorithm>
#include <chrono>
#include <mutex>

namespace keelson::runtime {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::steady_clock::time_point Now() const = 0;
};

class SystemClock : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override {
    return std::chrono::steady_clock::now();
  }
};

// A clock tests move by hand. Thread-safe.
class FakeClock : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void Advance(std::chrono::steady_clock::duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
};

// The kubelet's container restart backoff: the first restart is immediate, then 10 s doubling
// to 300 s between restarts; a container that ran for 10 minutes resets it. Not thread-safe.
class RestartBackoff {
 public:
  using Duration = std::chrono::steady_clock::duration;
  static constexpr Duration kInitial = std::chrono::seconds(10);
  static constexpr Duration kMax = std::chrono::seconds(300);
  static constexpr Duration kReset = std::chrono::minutes(10);

  // The container ran for `ran` before it exited.
  void Exited(Duration ran) {
    if (ran >= kReset) delay_ = Duration::zero();
  }
  // How long the caller must still wait before the next restart (zero = restart now).
  Duration Remaining(std::chrono::steady_clock::time_point now) const {
    if (delay_ == Duration::zero()) return Duration::zero();
    auto until = last_restart_ + delay_;
    return now >= until ? Duration::zero() : until - now;
  }
  // The current delay (what "back-off 10s" reports).
  Duration delay() const { return delay_; }
  // Records a restart at `now` and doubles the next delay.
  void Restarted(std::chrono::steady_clock::time_point now) {
    last_restart_ = now;
    delay_ = delay_ == Duration::zero() ? kInitial : std::min<Duration>(delay_ * 2, kMax);
  }

 private:
  Duration delay_ = Duration::zero();
  std::chrono::steady_clock::time_point last_restart_{};
};

}  // namespace keelson::runtime
