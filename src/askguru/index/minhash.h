// MinHash signatures over character n-grams and banded LSH over them, following
// datasketch's scheme: each permutation is h_i(x) = ((a_i * x + b_i) mod p) & 0xFFFFFFFF
// with p = 2^61 - 1, a_i in [1, p), b_i in [0, p) drawn from a seeded generator, and
// x a 32-bit hash of the shingle; the signature keeps the minimum per permutation,
// starting from 2^32 - 1. Two differences from datasketch, on purpose: the 32-bit
// shingle hash is xxHash3 (datasketch: the first 4 bytes of SHA-1), and a*x is
// reduced exactly with 128-bit arithmetic (numpy wraps it at 2^64). Signatures are
// therefore not byte-identical with datasketch's, but have the same statistics.
//
// MinHasher is immutable after construction and safe to share between threads.
// MinHashLsh is not thread-safe for insert(); concurrent query() calls are safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace askguru::index {

using Signature = std::vector<uint32_t>;

// Character n-grams (UTF-8 code points, not bytes) of `text`. A text shorter than
// n code points yields itself as its only shingle (datasketch would yield none);
// an empty text yields nothing.
std::vector<std::string_view> char_ngrams(std::string_view text, size_t n);

class MinHasher {
 public:
  static constexpr uint64_t kMersennePrime = (uint64_t{1} << 61) - 1;
  static constexpr uint32_t kMaxHash = 0xFFFFFFFFu;

  explicit MinHasher(size_t num_perm = 128, uint64_t seed = 1);

  size_t num_perm() const { return a_.size(); }
  uint64_t seed() const { return seed_; }

  // A fresh signature: every slot at kMaxHash (the empty set).
  Signature empty_signature() const { return Signature(num_perm(), kMaxHash); }
  // Adds one shingle to `signature`.
  void update(Signature& signature, std::string_view shingle) const;
  // The signature of the set of character n-grams of `text`.
  Signature signature(std::string_view text, size_t ngram = 3) const;
  // The signature of an arbitrary set of shingles (e.g. a column's values).
  Signature signature_of(const std::vector<std::string>& shingles) const;

 private:
  uint64_t seed_;
  std::vector<uint64_t> a_;
  std::vector<uint64_t> b_;
};

// Share of equal slots: an unbiased estimate of the Jaccard similarity of the two sets.
// Signatures of different lengths give 0.
double jaccard_estimate(const Signature& a, const Signature& b);
// Exact Jaccard similarity of the n-gram sets of two texts (for tests and re-ranking).
double ngram_jaccard(std::string_view a, std::string_view b, size_t ngram = 3);

struct LshParams {
  size_t bands = 0;
  size_t rows = 0;
};

// datasketch's choice of (bands, rows) for a Jaccard threshold: minimises the
// weighted sum of the false-positive area (integral of P(candidate | s) over
// [0, threshold]) and the false-negative area (integral of 1 - P over [threshold, 1]),
// P(candidate | s) = 1 - (1 - s^r)^b, over all b * r <= num_perm.
LshParams optimal_lsh_params(double threshold, size_t num_perm, double false_positive_weight = 0.5,
                             double false_negative_weight = 0.5);

// Banded LSH: a signature is cut into `bands` bands of `rows` slots; items that share
// a whole band with the query are its candidates. Items are dense uint32 ids. Each
// band is a sorted array of (key, id), so loading a stored index needs no hashing:
// insert() everything, then finalize() once before query().
class MinHashLsh {
 public:
  MinHashLsh() = default;
  MinHashLsh(size_t num_perm, LshParams params);

  const LshParams& params() const { return params_; }
  size_t num_perm() const { return num_perm_; }
  size_t size() const { return size_; }

  void insert(uint32_t id, const Signature& signature);
  void finalize();
  // Candidates with the number of bands each shares with `signature`, most first
  // (ties by id); at most `limit` (0: all). Thread-safe after finalize().
  // `max_bucket` > 0: buckets holding more items than this are skipped (too unselective:
  // dates and codes sharing most of their 3-grams), unless every matching bucket is.
  std::vector<std::pair<uint32_t, uint32_t>> query(const Signature& signature, size_t limit = 0,
                                                   size_t max_bucket = 0) const;

  // The band keys of a signature (what insert() stores).
  std::vector<uint64_t> band_keys(const Signature& signature) const;

  // Binary persistence (appends to / consumes from the buffer).
  void write(std::string& out) const;
  static bool read(std::string_view& in, MinHashLsh& lsh);

 private:
  struct Band {
    std::vector<uint64_t> keys;
    std::vector<uint32_t> ids;
  };
  size_t num_perm_ = 0;
  LshParams params_;
  size_t size_ = 0;
  std::vector<Band> bands_;
};

}  // namespace askguru::index
