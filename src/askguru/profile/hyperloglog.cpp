#include "askguru/profile/hyperloglog.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "askguru/common/hash.h"

namespace askguru::profile {

HyperLogLog::HyperLogLog(int precision)
    : precision_(std::clamp(precision, 4, 18)), registers_(size_t{1} << precision_, 0) {}

void HyperLogLog::add_hash(uint64_t hash) {
  size_t index = static_cast<size_t>(hash >> (64 - precision_));
  uint64_t rest = hash << precision_;
  int max_rank = 64 - precision_ + 1;
  int rank = rest == 0 ? max_rank : std::min(std::countl_zero(rest) + 1, max_rank);
  if (rank > registers_[index]) registers_[index] = static_cast<uint8_t>(rank);
}

void HyperLogLog::add(std::string_view item) { add_hash(hash::xxh64(item, 0x9E3779B97F4A7C15ull)); }

void HyperLogLog::merge(const HyperLogLog& other) {
  if (other.precision_ != precision_) return;
  for (size_t i = 0; i < registers_.size(); ++i) registers_[i] = std::max(registers_[i], other.registers_[i]);
}

double HyperLogLog::estimate() const {
  const double m = static_cast<double>(registers_.size());
  double alpha = 0.7213 / (1.0 + 1.079 / m);
  double sum = 0.0;
  size_t zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    if (r == 0) ++zeros;
  }
  double raw = alpha * m * m / sum;
  if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / static_cast<double>(zeros));
  return raw;
}

}  // namespace askguru::profile
