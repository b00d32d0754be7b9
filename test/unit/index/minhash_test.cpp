#include "askguru/index/minhash.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace askguru::index {
namespace {

TEST(CharNgrams, CodePointsAndShortTexts) {
  auto grams = char_ngrams("abcd", 3);
  ASSERT_EQ(grams.size(), 2u);
  EXPECT_EQ(grams[0], "abc");
  EXPECT_EQ(grams[1], "bcd");
  auto utf8 = char_ngrams("Zoë!", 3);  // 4 code points, 5 bytes
  ASSERT_EQ(utf8.size(), 2u);
  EXPECT_EQ(utf8[0], "Zoë");
  EXPECT_EQ(utf8[1], "oë!");
  EXPECT_EQ(char_ngrams("ab", 3).size(), 1u);
  EXPECT_TRUE(char_ngrams("", 3).empty());
}

TEST(MinHash, SameInputSameSignature) {
  MinHasher a(128, 7), b(128, 7), c(128, 8);
  EXPECT_EQ(a.signature("Harvard University"), b.signature("Harvard University"));
  EXPECT_NE(a.signature("Harvard University"), c.signature("Harvard University"));
  EXPECT_NE(a.signature("Harvard University"), a.signature("Stanford University"));
  EXPECT_EQ(a.signature("x").size(), 128u);
  // Order of updates does not matter (a set).
  EXPECT_EQ(a.signature_of({"p", "q", "r"}), a.signature_of({"r", "p", "q"}));
  EXPECT_EQ(a.empty_signature(), Signature(128, MinHasher::kMaxHash));
}

TEST(MinHash, JaccardEstimateWithinTolerance) {
  MinHasher hasher(256, 1);
  std::mt19937 rng(42);
  for (double target : {0.1, 0.3, 0.5, 0.8}) {
    // Two sets of 400 shingles sharing a known number of them.
    const int total = 400;
    int common = static_cast<int>(2 * total * target / (1 + target));
    std::vector<std::string> x, y;
    for (int i = 0; i < common; ++i) {
      std::string shared = "c";
      shared += std::to_string(i);
      x.push_back(shared);
      y.push_back(shared);
    }
    for (int i = common; i < total; ++i) {
      std::string only_x = std::to_string(rng()), only_y = std::to_string(rng());
      only_x += 'x';
      only_y += 'y';
      x.push_back(only_x);
      y.push_back(only_y);
    }
    double exact = static_cast<double>(common) / (2 * total - common);
    double estimate = jaccard_estimate(hasher.signature_of(x), hasher.signature_of(y));
    // Standard error sqrt(J(1-J)/256) <= 0.031; allow about three of them.
    EXPECT_NEAR(estimate, exact, 0.1) << "target " << target;
  }
  EXPECT_DOUBLE_EQ(jaccard_estimate(hasher.signature("abcdef"), hasher.signature("abcdef")), 1.0);
  EXPECT_DOUBLE_EQ(ngram_jaccard("abcd", "abcd"), 1.0);
  EXPECT_NEAR(ngram_jaccard("harvard", "harvard university"), 5.0 / 16.0, 1e-9);
}

TEST(Lsh, OptimalParamsMatchDatasketchShape) {
  // High thresholds want many rows per band, low ones many bands.
  LshParams high = optimal_lsh_params(0.9, 128);
  LshParams low = optimal_lsh_params(0.1, 128);
  EXPECT_LE(high.bands * high.rows, 128u);
  EXPECT_LE(low.bands * low.rows, 128u);
  EXPECT_GT(high.rows, low.rows);
  EXPECT_GT(low.bands, high.bands);
  // The weighted-error optimum of datasketch's formula (checked with a Python midpoint rule).
  EXPECT_EQ(high.bands, 5u);
  EXPECT_EQ(high.rows, 25u);
  LshParams mid = optimal_lsh_params(0.5, 128);
  EXPECT_EQ(mid.bands, 25u);
  EXPECT_EQ(mid.rows, 5u);
  LshParams small = optimal_lsh_params(0.2, 32);
  EXPECT_EQ(small.bands, 16u);
  EXPECT_EQ(small.rows, 2u);
}

TEST(Lsh, FindsNearDuplicatesNotStrangers) {
  MinHasher hasher(64, 3);
  MinHashLsh lsh(64, {16, 2});  // sic: 16 bands of 2 rows
  std::vector<std::string> values = {"Harvard University", "Stanford University", "Angela", "Sanders",
                                     "Yale University",    "Massachusetts",       "Orange", "Banana split"};
  for (size_t i = 0; i < values.size(); ++i) lsh.insert(static_cast<uint32_t>(i), hasher.signature(values[i]));
  lsh.finalize();
  auto hits = lsh.query(hasher.signature("Harvard Universty"));
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].first, 0u);
  auto angela = lsh.query(hasher.signature("Angella"));
  ASSERT_FALSE(angela.empty());
  EXPECT_EQ(angela[0].first, 2u);
  for (auto [id, bands] : lsh.query(hasher.signature("Banana split"))) {
    EXPECT_TRUE(id == 7u || bands < 3u) << values[id];
  }
  // Persistence round trip.
  std::string bytes;
  lsh.write(bytes);
  std::string_view view(bytes);
  MinHashLsh copy;
  ASSERT_TRUE(MinHashLsh::read(view, copy));
  EXPECT_TRUE(view.empty());
  EXPECT_EQ(copy.query(hasher.signature("Angella")), angela);
  std::string_view truncated(bytes.data(), bytes.size() / 2);
  MinHashLsh broken;
  EXPECT_FALSE(MinHashLsh::read(truncated, broken));
}

}  // namespace
}  // namespace askguru::index
