// ColumnStats: the one-pass accumulator behind a column's profile. Feed it every
// value read (add), then finish() gives the catalog::ColumnProfile and the column's
// sample values.
//
// Distinct values are counted exactly (value -> count) up to a bound; past it the
// count moves to a HyperLogLog sketch and the frequencies to a Misra-Gries summary
// (top values then approximate: counts are lower bounds). The MinHash signature is
// over the set of values in a normal text form (integers and integral reals as
// digits, text trimmed), so an INTEGER key and its TEXT copy match.
//
// Not thread-safe: one accumulator per column per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/db/value.h"
#include "askguru/profile/formats.h"
#include "askguru/profile/hyperloglog.h"

namespace askguru::index {
class MinHasher;
}

namespace askguru::profile {

struct ColumnStatsOptions {
  size_t exact_distinct_limit = 20000;
  size_t top_k = 10;
  size_t sample_values = 5;
  size_t max_value_chars = 200;
  size_t format_checks = 5000;        // values examined for formats
  const index::MinHasher* hasher = nullptr;  // null: no signature
};

// SQLite's order of values: NULL < INTEGER/REAL (numerically) < TEXT < BLOB.
int compare_values(const db::Value& a, const db::Value& b);

// The text that stands for a value in value sets (MinHash, join discovery).
std::string normal_text(const db::Value& value);

class ColumnStats {
 public:
  explicit ColumnStats(const ColumnStatsOptions& options);
  ~ColumnStats();
  ColumnStats(ColumnStats&&) noexcept;
  ColumnStats& operator=(ColumnStats&&) noexcept;

  void add(const db::Value& value);

  int64_t rows() const { return rows_; }
  // The profile (profiled = true) and up to sample_values distinct example values,
  // in the order first seen (blobs never).
  catalog::ColumnProfile finish(std::vector<std::string>* samples = nullptr) const;

 private:
  void overflow();

  ColumnStatsOptions options_;
  int64_t rows_ = 0;
  int64_t nulls_ = 0;
  int64_t type_counts_[5] = {0, 0, 0, 0, 0};
  // key: one type byte + the value's bytes (cut, with a hash, when long)
  std::unordered_map<std::string, int64_t> counts_;
  std::unique_ptr<HyperLogLog> hll_;  // set once counts_ overflowed
  std::unordered_map<std::string, int64_t> frequent_;  // Misra-Gries after overflow
  std::optional<db::Value> min_;
  std::optional<db::Value> max_;
  double length_sum_ = 0.0;
  int64_t max_length_ = 0;
  FormatDetector formats_;
  std::vector<uint32_t> signature_;
  std::vector<std::string> samples_;
};

}  // namespace askguru::profile
