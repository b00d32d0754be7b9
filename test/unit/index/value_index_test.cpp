#include "askguru/index/value_index.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "askguru/catalog/catalog.h"
#include "askguru/db/connection.h"
#include "askguru/index/keywords.h"
#include "unit/index/index_fixture.h"

namespace askguru::index {
namespace {

using askguru::testing::TempDir;

class ValueIndexTest : public ::testing::TestWithParam<CandidateGenerator> {
 protected:
  void SetUp() override {
    path_ = dir_.file("club.sqlite");
    askguru::testing::write_club_database(path_);
    auto conn = db::open_connection(path_);
    ASSERT_TRUE(conn.ok()) << conn.error();
    auto catalog = (*conn)->introspect();
    ASSERT_TRUE(catalog.ok()) << catalog.error();
    auto built = ValueIndex::build(**conn, *catalog);
    ASSERT_TRUE(built.ok()) << built.error();
    index_ = std::move(*built);
    query_.generator = GetParam();
  }

  static bool has(const std::vector<ValueHit>& hits, const std::string& table, const std::string& column,
                  const std::string& value, size_t within) {
    for (size_t i = 0; i < hits.size() && i < within; ++i) {
      if (hits[i].table == table && hits[i].column == column && hits[i].value == value) return true;
    }
    return false;
  }

  TempDir dir_;
  std::string path_;
  ValueIndex index_;
  ValueQueryOptions query_;
};

TEST_P(ValueIndexTest, FindsStoredSpellings) {
  auto harvard = index_.search("Harvard", query_);
  ASSERT_FALSE(harvard.empty());
  EXPECT_EQ(harvard[0].value, "Harvard University");
  EXPECT_EQ(harvard[0].table, "major");
  EXPECT_EQ(harvard[0].column, "college");

  auto misspelt = index_.search("Angella", query_);
  ASSERT_FALSE(misspelt.empty());
  EXPECT_EQ(misspelt[0].value, "Angela");
  EXPECT_EQ(misspelt[0].column, "first_name");

  auto exact = index_.search("physics", query_);
  ASSERT_FALSE(exact.empty());
  EXPECT_EQ(exact[0].value, "Physics");
  EXPECT_DOUBLE_EQ(exact[0].score, 1.0);
  EXPECT_TRUE(index_.search("zzzzqqq", query_).empty());
}

TEST_P(ValueIndexTest, QuestionFindsEveryPart) {
  auto hits = index_.search_question("What's Angela Sanders's major?", "", query_);
  ASSERT_GE(hits.size(), 2u);
  EXPECT_TRUE(has(hits, "member", "first_name", "Angela", 2));
  EXPECT_TRUE(has(hits, "member", "last_name", "Sanders", 2));
  auto evidence = index_.search_question("How many events were games?", "type = 'Game'", query_);
  ASSERT_FALSE(evidence.empty());
  EXPECT_EQ(evidence[0].value, "Game");
}

TEST_P(ValueIndexTest, SkipsKeysOnlyUnderChessPolicyAndRoundTrips) {
  // Default policy indexes every text value, ids included.
  EXPECT_FALSE(index_.search("rec1", query_).empty());
  ASSERT_TRUE(index_.has_fts5());
  std::string out = dir_.file("artifacts");
  ASSERT_TRUE(index_.save(out).ok());
  auto loaded = ValueIndex::load(out);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->value_count(), index_.value_count());
  EXPECT_TRUE(loaded->has_fts5());
  auto a = index_.search_question("Which members study at Harverd?", "", query_);
  auto b = loaded->search_question("Which members study at Harverd?", "", query_);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_TRUE(has(a, "major", "college", "Harvard University", 3));
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].value, b[i].value);
    EXPECT_DOUBLE_EQ(a[i].score, b[i].score);
  }

  auto conn = db::open_connection(path_);
  ASSERT_TRUE(conn.ok());
  auto catalog = (*conn)->introspect();
  ASSERT_TRUE(catalog.ok());
  ValueIndexOptions chess;
  chess.policy = ColumnPolicy::kChess;
  auto chess_index = ValueIndex::build(**conn, *catalog, chess);
  ASSERT_TRUE(chess_index.ok()) << chess_index.error();
  // Dates, e-mails and primary keys are skipped by CHESS's rules, but not by default.
  EXPECT_TRUE(has(index_.search("2019-10-05", query_), "event", "event_date", "2019-10-05", 1));
  EXPECT_TRUE(has(index_.search("m1", query_), "member", "member_id", "m1", 1));
  EXPECT_TRUE(chess_index->search("2019-10-05", query_).empty());
  for (const ValueHit& hit : chess_index->search("angela@example.com", query_)) EXPECT_NE(hit.column, "email");
  for (const ValueHit& hit : chess_index->search("m1", query_)) EXPECT_NE(hit.column, "member_id");
  EXPECT_FALSE(chess_index->search("Harvard", query_).empty());
  EXPECT_LT(chess_index->value_count(), index_.value_count());
}

TEST(ValueIndexLoad, DamagedFilesAreErrors) {
  TempDir dir;
  EXPECT_FALSE(ValueIndex::load(dir.file("missing")).ok());
  std::filesystem::create_directories(dir.file("bad"));
  {
    std::ofstream(dir.file("bad/values.bin")) << "AGVALS01 but then nothing useful";
  }
  auto bad = ValueIndex::load(dir.file("bad"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("values.bin"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Generators, ValueIndexTest,
                         ::testing::Values(CandidateGenerator::kLsh, CandidateGenerator::kFts5),
                         [](const auto& info) { return std::string(candidate_generator_name(info.param)); });

TEST(Keywords, NgramsQuotesAndStopWords) {
  auto keywords = question_keywords("What's Angela Sanders's major?", "type = 'Student'");
  std::vector<std::string> texts;
  for (const auto& k : keywords) texts.push_back(k.text);
  EXPECT_EQ(texts[0], "Student");  // quoted first
  EXPECT_NE(std::find(texts.begin(), texts.end(), "Angela Sanders"), texts.end());
  EXPECT_NE(std::find(texts.begin(), texts.end(), "Sanders"), texts.end());
  EXPECT_EQ(std::find(texts.begin(), texts.end(), "What"), texts.end());
  EXPECT_EQ(words("Sanders's U.S. store"), (std::vector<std::string>{"Sanders", "U.S", "store"}));
  EXPECT_EQ(quoted_strings("name = 'O''Brien' or \"x\" and don't"), (std::vector<std::string>{"O", "Brien", "x"}));
}

TEST(ValueSimilarity, Ordering) {
  EXPECT_DOUBLE_EQ(value_similarity("angela", "angela"), 1.0);
  EXPECT_GT(value_similarity("harvard", "harvard university"), value_similarity("harvard", "harvey"));
  EXPECT_GT(value_similarity("angella", "angela"), 0.8);
  EXPECT_LT(value_similarity("angela", "sanders"), 0.5);
}

}  // namespace
}  // namespace askguru::index
