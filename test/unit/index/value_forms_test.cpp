// The value index's other forms of a value: dates written with slashes or month
// names, plurals, nationalities (prefixes), short codes of categorical columns
// ('F' for "female"), yes/no columns named by a keyword, and the LSH bucket cap.
#include <gtest/gtest.h>

#include <algorithm>

#include "askguru/db/connection.h"
#include "askguru/index/keywords.h"
#include "askguru/index/minhash.h"
#include "askguru/index/value_index.h"
#include "unit/index/index_fixture.h"

namespace askguru::index {
namespace {

using askguru::testing::TempDir;

bool has_keyword(const std::vector<Keyword>& keywords, const std::string& text) {
  return std::any_of(keywords.begin(), keywords.end(), [&](const Keyword& k) { return k.text == text; });
}

TEST(Keywords, DatesBecomeIso) {
  auto k = question_keywords("Who received funds on 9/9/2019 and on 2019/10/14?");
  EXPECT_TRUE(has_keyword(k, "2019-09-09"));
  EXPECT_TRUE(has_keyword(k, "2019-10-14"));
  auto named = question_keywords("Which employees were hired after September 7th, 1987 or on 3 Jan 2001?");
  EXPECT_TRUE(has_keyword(named, "1987-09-07"));
  EXPECT_TRUE(has_keyword(named, "2001-01-03"));
  auto none = question_keywords("Scores of 13/45/2019 and 1/2/3?");
  EXPECT_FALSE(std::any_of(none.begin(), none.end(), [](const Keyword& w) { return w.text.find('-') != std::string::npos; }));
}

TEST(ValueSimilarity, PluralsAreNearlyEqual) {
  EXPECT_NEAR(value_similarity("members", "member"), 0.97, 1e-9);
  EXPECT_NEAR(value_similarity("classes", "class"), 0.97, 1e-9);
  EXPECT_LT(value_similarity("mass", "ma"), 0.9);
}

class ValueFormsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("people.sqlite");
    askguru::testing::write_database(path_, R"sql(
CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, sex TEXT, country TEXT, OnScholarship TEXT, hired TEXT);
INSERT INTO person VALUES (1, 'Ann Lee', 'F', 'Canada', 'Y', '1987-09-07'),
                          (2, 'Bob Ray', 'M', 'Italy', 'N', '1990-01-02'),
                          (3, 'Cy Tam', 'M', 'Canada', 'N', '1991-05-06');
)sql");
    auto conn = db::open_connection(path_);
    ASSERT_TRUE(conn.ok());
    auto catalog = (*conn)->introspect();
    ASSERT_TRUE(catalog.ok());
    auto built = ValueIndex::build(**conn, *catalog);
    ASSERT_TRUE(built.ok()) << built.error();
    index_ = std::move(*built);
  }

  bool finds(const std::string& question, const std::string& column, const std::string& value) const {
    for (const ValueHit& h : index_.search_question(question)) {
      if (h.column == column && h.value == value) return true;
    }
    return false;
  }

  TempDir dir_;
  std::string path_;
  ValueIndex index_;
};

TEST_F(ValueFormsTest, FindsOtherFormsOfStoredValues) {
  EXPECT_TRUE(finds("How many Canadian people are there?", "country", "Canada"));
  EXPECT_TRUE(finds("List the Italian people.", "country", "Italy"));
  EXPECT_TRUE(finds("How many female people are there?", "sex", "F"));
  EXPECT_TRUE(finds("Which people are on scholarship?", "OnScholarship", "Y"));
  EXPECT_TRUE(finds("Who was hired on September 7th, 1987?", "hired", "1987-09-07"));
  EXPECT_FALSE(finds("Which people are tall?", "OnScholarship", "Y"));
  EXPECT_TRUE(index_.contains("canada"));
  EXPECT_FALSE(index_.contains("Canad"));
  auto exact = index_.exact("ann lee");
  ASSERT_EQ(exact.size(), 1u);
  EXPECT_EQ(exact[0].value, "Ann Lee");
  EXPECT_EQ(exact[0].column, "name");
}

TEST(Lsh, BucketCapSkipsUnselectiveBuckets) {
  MinHasher hasher(16, 1);
  MinHashLsh lsh(16, {16, 1});  // one row per band: near-identical strings share most buckets
  std::vector<std::string> values;
  for (int d = 1; d <= 28; ++d) values.push_back("2019-09-" + std::string(d < 10 ? "0" : "") + std::to_string(d));
  values.push_back("Harvard");
  for (size_t i = 0; i < values.size(); ++i) lsh.insert(static_cast<uint32_t>(i), hasher.signature(values[i]));
  lsh.finalize();
  auto all = lsh.query(hasher.signature("2019-09-14"));
  auto capped = lsh.query(hasher.signature("2019-09-14"), 0, 4);
  EXPECT_GT(all.size(), capped.size());
  ASSERT_FALSE(capped.empty());  // the smallest matching buckets are always kept
  EXPECT_TRUE(std::any_of(capped.begin(), capped.end(), [&](auto hit) { return values[hit.first] == "2019-09-14"; }));
}

}  // namespace
}  // namespace askguru::index
