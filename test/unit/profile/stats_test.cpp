// HyperLogLog error bounds, format detection and the column accumulator.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "askguru/db/value.h"
#include "askguru/index/minhash.h"
#include "askguru/profile/column_stats.h"
#include "askguru/profile/formats.h"
#include "askguru/profile/hyperloglog.h"

namespace askguru::profile {
namespace {

using db::Value;

// Built with append: GCC 12 warns (-Wrestrict, a false positive) on "literal" + std::string at -O3.
std::string item(const char* prefix, size_t i) {
  std::string s = prefix;
  s.append(std::to_string(i));
  return s;
}

double relative_error(double estimate, double truth) { return std::fabs(estimate - truth) / truth; }

TEST(HyperLogLog, ErrorStaysWithinFourStandardErrors) {
  // p = 14: standard error 1.04 / 128 = 0.81%; 4 sigma = 3.25%.
  for (size_t n : {10u, 1000u, 20000u, 100000u, 1000000u}) {
    HyperLogLog hll(14);
    for (size_t i = 0; i < n; ++i) hll.add(item("value-", i));
    EXPECT_LT(relative_error(hll.estimate(), static_cast<double>(n)), 0.0325) << "n = " << n << " estimate " << hll.estimate();
  }
}

TEST(HyperLogLog, DuplicatesDoNotCountAndMergeIsUnion) {
  HyperLogLog a(12), b(12);
  for (int round = 0; round < 5; ++round)
    for (int i = 0; i < 3000; ++i) a.add(item("k", static_cast<size_t>(i)));
  for (int i = 2000; i < 6000; ++i) b.add(item("k", static_cast<size_t>(i)));
  // p = 12: 1.6% standard error; 4 sigma = 6.5%.
  EXPECT_LT(relative_error(a.estimate(), 3000), 0.065) << a.estimate();
  a.merge(b);
  EXPECT_LT(relative_error(a.estimate(), 6000), 0.065) << a.estimate();
  HyperLogLog empty;
  EXPECT_EQ(empty.estimate(), 0.0);
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(Formats, SingleValues) {
  EXPECT_TRUE(has(value_formats("2019-10-05", true), "date:YYYY-MM-DD"));
  EXPECT_TRUE(has(value_formats("2019/10/05", true), "date:YYYY/MM/DD"));
  EXPECT_TRUE(has(value_formats("25/12/2020", true), "date:DD/MM/YYYY"));
  EXPECT_TRUE(has(value_formats("12/25/2020", true), "date:MM/DD/YYYY"));
  EXPECT_TRUE(has(value_formats("03/04/2020", true), "date:NN/NN/YYYY"));
  EXPECT_TRUE(has(value_formats("20200131", false), "date:YYYYMMDD"));
  EXPECT_TRUE(has(value_formats("2019-10-05 13:45:00", true), "datetime:YYYY-MM-DD HH:MM:SS"));
  EXPECT_TRUE(has(value_formats("2019-10-05T13:45:00.123Z", true), "datetime:YYYY-MM-DDTHH:MM:SS"));
  EXPECT_TRUE(has(value_formats("13:45", true), "time:HH:MM"));
  EXPECT_TRUE(has(value_formats("1999", false), "year"));
  EXPECT_TRUE(has(value_formats("42", true), "number_as_text"));
  EXPECT_TRUE(has(value_formats("-1,234.50", true), "number_as_text"));
  EXPECT_TRUE(has(value_formats("1.5e3", true), "number_as_text"));
  EXPECT_FALSE(has(value_formats("42", false), "number_as_text"));  // an INTEGER is no number-as-text
  EXPECT_FALSE(has(value_formats("1,23", true), "number_as_text"));
  EXPECT_FALSE(has(value_formats("12abc", true), "number_as_text"));
  EXPECT_TRUE(has(value_formats("(651) 928-4507", true), "phone"));
  EXPECT_TRUE(has(value_formats("+44 20 7946 0958", true), "phone"));
  EXPECT_FALSE(has(value_formats("2019-10-05", true), "phone"));
  EXPECT_FALSE(has(value_formats("1234567", true), "phone"));
  EXPECT_FALSE(has(value_formats("1234567.89", true), "phone"));
  EXPECT_TRUE(has(value_formats("ann@example.com", true), "email"));
  EXPECT_FALSE(has(value_formats("not an @ email", true), "email"));
  EXPECT_TRUE(has(value_formats("https://x.org/a", true), "url"));
  EXPECT_TRUE(has(value_formats("123e4567-e89b-12d3-a456-426614174000", true), "uuid"));
  EXPECT_TRUE(has(value_formats("$1,200.00", true), "currency"));
  EXPECT_TRUE(has(value_formats("12.5%", true), "percent"));
  EXPECT_TRUE(value_formats("2019-13-45", true).empty() || !has(value_formats("2019-13-45", true), "date:YYYY-MM-DD"));
  EXPECT_TRUE(value_formats("hello world", true).empty());
}

TEST(Formats, ColumnLevelDecisions) {
  FormatDetector codes;
  for (const char* v : {"AB-12", "CD-34", "EF-56", "GH-789"}) codes.add(v, true);
  EXPECT_TRUE(has(codes.formats(), "code"));

  FormatDetector words;
  for (const char* v : {"apple pie", "banana", "cherry tart"}) words.add(v, true);
  EXPECT_FALSE(has(words.formats(), "code"));
  EXPECT_TRUE(words.formats().empty());

  FormatDetector flags;
  for (const char* v : {"Y", "N", "Y", "Y"}) flags.add(v, true);
  EXPECT_TRUE(has(flags.formats(), "boolean"));
  EXPECT_FALSE(has(flags.formats(), "code"));

  // Day/month order settled by the values that tell it.
  FormatDetector dates;
  for (const char* v : {"01/02/2020", "03/04/2020", "25/12/2020"}) dates.add(v, true);
  EXPECT_TRUE(has(dates.formats(0.6), "date:DD/MM/YYYY")) << ::testing::PrintToString(dates.formats(0.6));

  // 90% rule: one odd value in ten still leaves the format.
  FormatDetector mostly;
  for (int i = 0; i < 9; ++i) mostly.add(std::to_string(100 + i), true);
  mostly.add("n/a", true);
  EXPECT_TRUE(has(mostly.formats(), "number_as_text"));
  mostly.add("unknown", true);
  EXPECT_FALSE(has(mostly.formats(), "number_as_text"));
}

TEST(ColumnStats, ExactStatistics) {
  index::MinHasher hasher(32, 1);
  ColumnStatsOptions options;
  options.top_k = 2;
  options.sample_values = 3;
  options.hasher = &hasher;
  ColumnStats stats(options);
  for (const char* v : {"bb", "a", "bb", "cccc", "bb", "a"}) stats.add(Value::text(v));
  stats.add(Value());
  stats.add(Value());
  std::vector<std::string> samples;
  auto p = stats.finish(&samples);
  EXPECT_TRUE(p.profiled);
  EXPECT_EQ(p.rows, 8);
  EXPECT_EQ(p.null_count, 2);
  EXPECT_DOUBLE_EQ(p.null_share, 0.25);
  EXPECT_EQ(p.distinct, 3);
  EXPECT_TRUE(p.distinct_exact);
  EXPECT_EQ(p.min, "a");
  EXPECT_EQ(p.max, "cccc");
  EXPECT_DOUBLE_EQ(p.avg_length, (2 + 1 + 2 + 4 + 2 + 1) / 6.0);
  EXPECT_EQ(p.max_length, 4);
  EXPECT_EQ(p.value_type, "text");
  ASSERT_EQ(p.top_values.size(), 2u);
  EXPECT_EQ(p.top_values[0].value, "bb");
  EXPECT_EQ(p.top_values[0].count, 3);
  EXPECT_EQ(p.top_values[1].value, "a");
  EXPECT_EQ(p.top_values[1].count, 2);
  EXPECT_EQ(samples, (std::vector<std::string>{"bb", "a", "cccc"}));
  EXPECT_EQ(p.minhash.size(), 32u);
  // The signature is that of the value set.
  EXPECT_EQ(p.minhash, hasher.signature_of({"a", "bb", "cccc"}));
}

TEST(ColumnStats, SqliteOrderAndMixedTypes) {
  ColumnStats stats({});
  stats.add(Value::text("10"));
  stats.add(Value::integer(7));
  stats.add(Value::real(2.5));
  stats.add(Value::blob("\x01\x02"));
  auto p = stats.finish();
  EXPECT_EQ(p.min, "2.5");   // numbers before text
  EXPECT_EQ(p.max, "<blob>");  // blobs last
  EXPECT_EQ(p.value_type, "mixed");
  EXPECT_EQ(compare_values(Value::integer(3), Value::real(2.5)), 1);
  EXPECT_EQ(compare_values(Value::integer(3), Value::text("1")), -1);
  EXPECT_EQ(normal_text(Value::real(3.0)), "3");
  EXPECT_EQ(normal_text(Value::text(" x ")), "x");
}

TEST(ColumnStats, PastTheExactBoundUsesHyperLogLogAndKeepsHeavyHitters) {
  ColumnStatsOptions options;
  options.exact_distinct_limit = 100;
  options.top_k = 3;
  ColumnStats stats(options);
  const int distinct = 20000;
  for (int i = 0; i < distinct; ++i) {
    stats.add(Value::integer(i));
    if (i % 4 == 0) stats.add(Value::text("popular"));
  }
  auto p = stats.finish();
  EXPECT_FALSE(p.distinct_exact);
  EXPECT_LT(relative_error(static_cast<double>(p.distinct), distinct + 1), 0.0325) << p.distinct;
  ASSERT_FALSE(p.top_values.empty());
  EXPECT_EQ(p.top_values[0].value, "popular");
  EXPECT_GT(p.top_values[0].count, 0);
  EXPECT_LE(p.top_values[0].count, distinct / 4);  // Misra-Gries counts are lower bounds
  EXPECT_EQ(p.rows, distinct + distinct / 4);
  EXPECT_EQ(p.min, "0");
  EXPECT_EQ(p.max, "popular");
}

}  // namespace
}  // namespace askguru::profile
