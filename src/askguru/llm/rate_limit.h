// Per-endpoint admission control: a concurrency cap plus token buckets for
// requests per minute and tokens per minute.
//
// A bucket refills continuously at rate/60 per second and holds at most ten
// seconds' worth (at least one request, or one whole request's tokens), so a
// burst never exceeds about a sixth of the per-minute budget. A request larger
// than the bucket is let through when the bucket is full and drives it
// negative, so it cannot starve. Not thread-safe: used on the HttpLoop thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace askguru::llm {

class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // per_minute <= 0: unlimited.
  explicit TokenBucket(double per_minute, TimePoint now = std::chrono::steady_clock::now());

  bool unlimited() const { return rate_per_s_ <= 0; }
  // Whether `amount` can be taken now.
  bool can_take(double amount, TimePoint now);
  void take(double amount, TimePoint now);
  // Returns `amount` (or takes more when negative), e.g. after the real usage is known.
  void adjust(double delta, TimePoint now);
  // When `amount` will be available (now when it already is).
  TimePoint available_at(double amount, TimePoint now);
  double level(TimePoint now);

 private:
  void refill(TimePoint now);

  double rate_per_s_;
  double capacity_;
  double level_;
  TimePoint last_;
};

class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  RateLimiter(int max_concurrency, double requests_per_minute, double tokens_per_minute);

  // Whether a request estimated at `tokens` may start now; when not and the
  // cap is the reason, *retry_at is unset (a finishing request wakes it).
  bool try_acquire(double tokens, TimePoint now, TimePoint* retry_at, bool* waiting_for_time);
  // A started request finished; `token_delta` = real tokens - estimate.
  void release(double token_delta, TimePoint now);
  int in_flight() const { return in_flight_; }

 private:
  int max_concurrency_;
  int in_flight_ = 0;
  TokenBucket requests_;
  TokenBucket tokens_;
};

}  // namespace askguru::llm
