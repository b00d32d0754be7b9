#include "askguru/llm/rate_limit.h"

#include <algorithm>

namespace askguru::llm {

TokenBucket::TokenBucket(double per_minute, TimePoint now)
    : rate_per_s_(per_minute > 0 ? per_minute / 60.0 : 0),
      capacity_(std::max(1.0, per_minute / 6.0)),
      level_(capacity_),
      last_(now) {}

void TokenBucket::refill(TimePoint now) {
  if (now <= last_) return;
  const double seconds = std::chrono::duration<double>(now - last_).count();
  level_ = std::min(capacity_, level_ + seconds * rate_per_s_);
  last_ = now;
}

bool TokenBucket::can_take(double amount, TimePoint now) {
  if (unlimited()) return true;
  refill(now);
  return level_ >= std::min(amount, capacity_);
}

void TokenBucket::take(double amount, TimePoint now) {
  if (unlimited()) return;
  refill(now);
  level_ -= amount;
}

void TokenBucket::adjust(double delta, TimePoint now) {
  if (unlimited()) return;
  refill(now);
  level_ = std::min(capacity_, level_ - delta);
}

TokenBucket::TimePoint TokenBucket::available_at(double amount, TimePoint now) {
  if (unlimited()) return now;
  refill(now);
  const double need = std::min(amount, capacity_) - level_;
  if (need <= 0) return now;
  return now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double>(need / rate_per_s_));
}

double TokenBucket::level(TimePoint now) {
  refill(now);
  return level_;
}

RateLimiter::RateLimiter(int max_concurrency, double requests_per_minute, double tokens_per_minute)
    : max_concurrency_(std::max(1, max_concurrency)), requests_(requests_per_minute), tokens_(tokens_per_minute) {}

bool RateLimiter::try_acquire(double tokens, TimePoint now, TimePoint* retry_at, bool* waiting_for_time) {
  *waiting_for_time = false;
  if (in_flight_ >= max_concurrency_) return false;
  if (!requests_.can_take(1, now) || !tokens_.can_take(tokens, now)) {
    *waiting_for_time = true;
    *retry_at = std::max(requests_.available_at(1, now), tokens_.available_at(tokens, now));
    return false;
  }
  requests_.take(1, now);
  tokens_.take(tokens, now);
  ++in_flight_;
  return true;
}

void RateLimiter::release(double token_delta, TimePoint now) {
  if (in_flight_ > 0) --in_flight_;
  if (token_delta != 0) tokens_.adjust(token_delta, now);
}

}  // namespace askguru::llm
