// HyperLogLog distinct-count sketch (Flajolet et al. 2007, with linear counting
// for small cardinalities and 64-bit hashes, so no large-range correction).
// Precision p gives 2^p one-byte registers and a standard error of about
// 1.04 / sqrt(2^p): 0.81% at p = 14. Plain value type; not thread-safe to mutate.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace askguru::profile {

class HyperLogLog {
 public:
  explicit HyperLogLog(int precision = 14);

  int precision() const { return precision_; }
  // Adds an item by its 64-bit hash (well mixed, e.g. xxh3).
  void add_hash(uint64_t hash);
  // Adds an item by its bytes (hashed with xxh3).
  void add(std::string_view item);
  // Folds another sketch of the same precision into this one (set union).
  void merge(const HyperLogLog& other);
  double estimate() const;

 private:
  int precision_;
  std::vector<uint8_t> registers_;
};

}  // namespace askguru::profile
