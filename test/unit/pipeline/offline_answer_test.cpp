#include "askguru/pipeline/offline_answer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>

#include "askguru/catalog/catalog.h"
#include "askguru/db/connection.h"
#include "askguru/eval/compare.h"
#include "askguru/eval/dataset.h"
#include "askguru/eval/sql_cleanup.h"
#include "askguru/index/example_store.h"
#include "askguru/index/value_index.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::pipeline {
namespace {

using askguru::testing::TempDir;

class OfflineAnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("concert.sqlite");
    askguru::testing::write_database(path_, R"sql(
CREATE TABLE singer (singer_id INTEGER PRIMARY KEY, name TEXT, country TEXT, age INTEGER);
CREATE TABLE song (song_id INTEGER PRIMARY KEY, singer_id INTEGER REFERENCES singer(singer_id), title TEXT,
                   sales REAL);
INSERT INTO singer VALUES (1, 'Adele', 'United Kingdom', 35), (2, 'Stromae', 'Belgium', 39),
                          (3, 'Zaz', 'France', 44), (4, 'Nena', 'Germany', 63),
                          (5, 'Christine', 'France', 36), (6, 'Mark Forster', 'Germany', 41);
INSERT INTO song VALUES (1, 1, 'Rolling in the Deep', 9.5), (2, 2, 'Alors on danse', 5.0),
                        (3, 3, 'Je veux', 2.1), (4, 4, 'Love Will Find Us', 6.0), (5, 5, 'Tilted', 1.2),
                        (6, 6, 'Summer Rain', 0.8), (7, 1, 'Hello', 12.0);
)sql");
    auto conn = db::open_connection(path_);
    ASSERT_TRUE(conn.ok()) << conn.error();
    conn_ = std::move(*conn);
    auto catalog = conn_->introspect();
    ASSERT_TRUE(catalog.ok()) << catalog.error();
    catalog_ = std::move(*catalog);
    catalog_.db_id = "concert";
    index::ValueIndexOptions vo;
    vo.build_fts5 = false;
    auto values = index::ValueIndex::build(*conn_, catalog_, vo);
    ASSERT_TRUE(values.ok()) << values.error();
    values_ = std::move(*values);

    std::vector<index::ExamplePair> pairs = {
        {"concert", "How many singers are from France?", "", "SELECT count(*) FROM singer WHERE country = 'France'"},
        {"concert", "How many singers are from Europe?", "",
         "SELECT count(*) FROM singer WHERE country IN ('France', 'Germany', 'Belgium')"},
        {"concert", "List the names of singers older than 30.", "", "SELECT name FROM singer WHERE age > 30"},
        {"concert", "What are the names of the 3 oldest singers?", "",
         "SELECT name FROM singer ORDER BY age DESC LIMIT 3"},
        {"concert", "Show the names of singers from France who are older than 40.", "",
         "SELECT name FROM singer WHERE country = \"France\" AND age > 40"},
        {"concert", "Who is the youngest singer?", "", "SELECT name FROM singer ORDER BY age LIMIT 1"},
        {"concert", "Find the titles of songs whose title contains 'Love'.", "",
         "SELECT title FROM song WHERE title LIKE '%Love%'"},
        {"concert", "Which singer older than 1 is the youngest?", "",
         "SELECT name FROM singer WHERE age > 1 ORDER BY age LIMIT 1"},
        // Two equally close examples whose SQL disagrees (the second is a bad pair).
        {"concert", "What is the country of the singer with id 1?", "",
         "SELECT country FROM singer WHERE singer_id = 1"},
        {"concert", "What is the country of the singer with id 2?", "", "SELECT name FROM singer WHERE singer_id = 2"},
        // Another database: never used.
        {"other", "How many pilots are from France?", "", "SELECT count(*) FROM pilot WHERE country = 'France'"},
    };
    index::ExampleStoreOptions so;
    so.dimension = 64;
    so.values_for = [this](const std::string& db) -> const index::ValueIndex* {
      return db == "concert" ? &values_ : nullptr;
    };
    auto store = index::ExampleStore::build(pairs, so);
    ASSERT_TRUE(store.ok()) << store.error();
    store_ = std::make_unique<index::ExampleStore>(std::move(*store));
  }

  OfflineAnswerer answerer(OfflineOptions options = {}) const {
    return OfflineAnswerer(*store_, catalog_, &values_, "", options);
  }

  db::ResultSet run(const std::string& sql) {
    auto rs = conn_->execute(sql);
    EXPECT_TRUE(rs.ok()) << sql << ": " << rs.error();
    return rs.ok() ? std::move(*rs) : db::ResultSet{};
  }

  // The answer's rows equal those of `expected` (executed here).
  void expect_rows(const OfflineAnswer& a, const std::string& expected) {
    ASSERT_TRUE(a.matched()) << a.reason;
    db::ResultSet got = run(a.match->sql);
    db::ResultSet want = run(expected);
    EXPECT_FALSE(want.rows.empty());
    EXPECT_TRUE(eval::spider_result_eq(want.rows, got.rows, eval::spider_order_matters(expected)))
        << a.match->sql << " vs " << expected;
    EXPECT_TRUE(a.match->executed);
    EXPECT_EQ(a.match->result.rows.size(), want.rows.size());
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<db::Connection> conn_;
  catalog::Catalog catalog_;
  index::ValueIndex values_;
  std::unique_ptr<index::ExampleStore> store_;
};

TEST_F(OfflineAnswerTest, UsesOnlyThisDatabasesExamples) {
  EXPECT_EQ(answerer().example_count(), 10u);
  // "*": every example whose SQL resolves against this catalog (the pilot one does not).
  EXPECT_EQ(OfflineAnswerer(*store_, catalog_, &values_, "*").example_count(), 10u);
}

TEST_F(OfflineAnswerTest, SubstitutesAStoredValueInTheSameColumn) {
  OfflineAnswer a = answerer().answer("How many singers are from Germany?", conn_.get());
  ASSERT_TRUE(a.matched()) << a.reason;
  EXPECT_EQ(a.match->sql, "SELECT count(*) FROM singer WHERE country = 'Germany'");
  EXPECT_EQ(a.match->example.question, "How many singers are from France?");
  ASSERT_EQ(a.match->substitutions.size(), 1u);
  EXPECT_EQ(a.match->substitutions[0].from, "France");
  EXPECT_EQ(a.match->substitutions[0].to, "Germany");
  EXPECT_EQ(a.match->substitutions[0].table, "singer");
  EXPECT_EQ(a.match->substitutions[0].column, "country");
  EXPECT_DOUBLE_EQ(a.match->score, 1.0);
  expect_rows(a, "SELECT count(*) FROM singer WHERE country = 'Germany'");
  EXPECT_NE(a.message().find("answered offline"), std::string::npos);
  EXPECT_NE(a.message().find("Germany for France"), std::string::npos);

  Candidate c = offline_candidate(*a.match, 3);
  EXPECT_EQ(c.id, 3u);
  EXPECT_EQ(c.origin.generator, "offline");
  EXPECT_EQ(c.origin.style, "offline");
  EXPECT_TRUE(c.execution.ran);
  EXPECT_EQ(c.execution.result.rows.size(), 1u);
}

TEST_F(OfflineAnswerTest, UsesTheStoredSpelling) {
  OfflineAnswer a = answerer().answer("How many singers are from belgium?", conn_.get());
  ASSERT_TRUE(a.matched()) << a.reason;
  EXPECT_EQ(a.match->sql, "SELECT count(*) FROM singer WHERE country = 'Belgium'");
  expect_rows(a, "SELECT count(*) FROM singer WHERE country = 'Belgium'");
}

TEST_F(OfflineAnswerTest, SubstitutesNumbersAndLimits) {
  OfflineAnswer a = answerer().answer("List the names of singers older than 40.", conn_.get());
  ASSERT_TRUE(a.matched()) << a.reason;
  EXPECT_EQ(a.match->sql, "SELECT name FROM singer WHERE age > 40");
  expect_rows(a, "SELECT name FROM singer WHERE age > 40");

  OfflineAnswer top = answerer().answer("What are the names of the 2 oldest singers?", conn_.get());
  ASSERT_TRUE(top.matched()) << top.reason;
  EXPECT_EQ(top.match->sql, "SELECT name FROM singer ORDER BY age DESC LIMIT 2");
  expect_rows(top, "SELECT name FROM singer ORDER BY age DESC LIMIT 2");
}

TEST_F(OfflineAnswerTest, SubstitutesSeveralSlots) {
  OfflineAnswer a = answerer().answer("Show the names of singers from Germany who are older than 50.", conn_.get());
  ASSERT_TRUE(a.matched()) << a.reason;
  EXPECT_EQ(a.match->sql, "SELECT name FROM singer WHERE country = 'Germany' AND age > 50");
  EXPECT_EQ(a.match->substitutions.size(), 2u);
  expect_rows(a, "SELECT name FROM singer WHERE country = 'Germany' AND age > 50");
  // SQLite's double-quoted string comes out as a string literal, also when kept.
  OfflineAnswer b = answerer().answer("Show the names of singers from France who are older than 30.", conn_.get());
  ASSERT_TRUE(b.matched()) << b.reason;
  EXPECT_EQ(b.match->sql, "SELECT name FROM singer WHERE country = 'France' AND age > 30");
}

TEST_F(OfflineAnswerTest, SubstitutesInsideALikePattern) {
  OfflineAnswer a = answerer().answer("Find the titles of songs whose title contains 'Rain'.", conn_.get());
  ASSERT_TRUE(a.matched()) << a.reason;
  EXPECT_EQ(a.match->sql, "SELECT title FROM song WHERE title LIKE '%Rain%'");
  expect_rows(a, "SELECT title FROM song WHERE title LIKE '%Rain%'");
}

TEST_F(OfflineAnswerTest, FillerWordsMayDiffer) {
  OfflineAnswer a = answerer().answer("Who is the youngest singer?", conn_.get());
  ASSERT_TRUE(a.matched()) << a.reason;
  EXPECT_TRUE(a.match->substitutions.empty());
  ASSERT_EQ(a.match->kept_literals.size(), 1u);  // LIMIT 1, implied by "youngest"
  OfflineOptions loose;
  loose.min_score = 0.5;
  OfflineAnswer b = answerer(loose).answer("Who is the youngest of all the singers?", conn_.get());
  ASSERT_TRUE(b.matched()) << b.reason;
  EXPECT_LT(b.match->score, 1.0);
  expect_rows(b, "SELECT name FROM singer ORDER BY age LIMIT 1");
}

TEST_F(OfflineAnswerTest, AnswersWithoutAConnection) {
  OfflineAnswer a = answerer().answer("List the names of singers older than 35.");
  ASSERT_TRUE(a.matched()) << a.reason;
  EXPECT_FALSE(a.match->executed);
  EXPECT_EQ(a.match->sql, "SELECT name FROM singer WHERE age > 35");
}

TEST_F(OfflineAnswerTest, PrintsInTheCatalogsDialect) {
  catalog::Catalog pg = catalog_;
  pg.dialect = Dialect::kPostgres;
  OfflineAnswerer answerer(*store_, pg, &values_, "concert");
  OfflineAnswer a = answerer.answer("Show the names of singers from Germany who are older than 50.");
  ASSERT_TRUE(a.matched()) << a.reason;
  EXPECT_EQ(a.match->sql, "SELECT name FROM singer WHERE country = 'Germany' AND age > 50");
  OfflineAnswer b = answerer.answer("Show the names of singers from France who are older than 50.");
  ASSERT_TRUE(b.matched()) << b.reason;
  EXPECT_EQ(b.match->sql, "SELECT name FROM singer WHERE country = 'France' AND age > 50");
}

TEST_F(OfflineAnswerTest, RefusesADifferentShape) {
  OfflineAnswer a = answerer().answer("What is the average age of singers from France?", conn_.get());
  EXPECT_FALSE(a.matched());
  EXPECT_FALSE(a.reason.empty());
  EXPECT_NE(a.message().find("Configure an LLM endpoint"), std::string::npos);
  // A comparison word that differs is never an edit, however loose the threshold.
  OfflineOptions loose;
  loose.min_score = 0.0;
  loose.max_edit_cost = 100;
  EXPECT_FALSE(answerer(loose).answer("List the names of singers younger than 40.", conn_.get()).matched());
}

TEST_F(OfflineAnswerTest, RefusesAValueNotStoredInThatColumn) {
  OfflineAnswer mars = answerer().answer("How many singers are from Mars?", conn_.get());
  EXPECT_FALSE(mars.matched());
  // Stored, but as a singer's name, not a country.
  OfflineAnswer adele = answerer().answer("How many singers are from Adele?", conn_.get());
  EXPECT_FALSE(adele.matched());
  bool named = false;
  for (const std::string& r : adele.rejected)
    named = named || r.find("not stored in singer.country") != std::string::npos;
  EXPECT_TRUE(named) << adele.reason;
}

TEST_F(OfflineAnswerTest, RefusesALiteralImpliedByWordsThatDiffer) {
  // "performer" for "singer": the LIMIT 1 the example's words imply is not accounted for.
  // ("singer" names a table, which is refused anyway unless allowed, as here.)
  OfflineOptions loose;
  loose.min_score = 0.5;
  loose.refuse_schema_word_edits = false;
  OfflineAnswer a = answerer(loose).answer("Who is the youngest performer?", conn_.get());
  EXPECT_FALSE(a.matched());
  EXPECT_NE(a.reason.find("implied"), std::string::npos) << a.reason;
  loose.keep_literals_despite_content_edits = true;
  EXPECT_TRUE(answerer(loose).answer("Who is the youngest performer?", conn_.get()).matched());
  // No content word may differ when max_content_edits is 0.
  loose.max_content_edits = 0;
  EXPECT_FALSE(answerer(loose).answer("Who is the youngest performer?", conn_.get()).matched());
}

TEST_F(OfflineAnswerTest, RefusesAContentWordMoreOrLess) {
  // "famous" adds a condition the example's SQL does not have.
  OfflineAnswer a = answerer().answer("List the names of famous singers older than 40.", conn_.get());
  EXPECT_FALSE(a.matched());
  EXPECT_NE(a.reason.find("more or less"), std::string::npos) << a.reason;
  OfflineOptions loose;
  loose.allow_content_insertions = true;
  EXPECT_TRUE(answerer(loose).answer("List the names of famous singers older than 40.", conn_.get()).matched());
  // A misspelt comparison word is still one ("diffrent" is "different").
  loose.min_score = 0.0;
  loose.max_edit_cost = 100;
  EXPECT_FALSE(answerer(loose).answer("List the names of diffrent singers older than 40.", conn_.get()).matched());
}

TEST_F(OfflineAnswerTest, RefusesAnEditedWordThatNamesTheSchema) {
  OfflineOptions loose;
  loose.min_score = 0.5;
  // "songs" for "singers": another table.
  OfflineAnswer a = answerer(loose).answer("What are the names of the 3 oldest songs?", conn_.get());
  EXPECT_FALSE(a.matched());
  EXPECT_NE(a.reason.find("names a table or column"), std::string::npos) << a.reason;
  loose.refuse_schema_word_edits = false;
  EXPECT_TRUE(answerer(loose).answer("What are the names of the 3 oldest songs?", conn_.get()).matched());
}

TEST_F(OfflineAnswerTest, RefusesASlotItsSqlDoesNotHold) {
  // "Europe" is no literal of its example's SQL; "Asia" is no stored country either.
  OfflineAnswer a = answerer().answer("How many singers are from Asia?", conn_.get());
  EXPECT_FALSE(a.matched());
}

TEST_F(OfflineAnswerTest, RefusesANumberWithTwoRoles) {
  // The example's 1 is both the age bound and the LIMIT.
  OfflineAnswer a = answerer().answer("Which singer older than 40 is the youngest?", conn_.get());
  EXPECT_FALSE(a.matched());
  EXPECT_NE(a.reason.find("two roles"), std::string::npos) << a.reason;
  // Asked with the same number, the example's SQL is reused as it is.
  EXPECT_TRUE(answerer().answer("Which singer older than 1 is the youngest?", conn_.get()).matched());
}

TEST_F(OfflineAnswerTest, RefusesAnEmptyResult) {
  OfflineAnswer a = answerer().answer("List the names of singers older than 99.", conn_.get());
  EXPECT_FALSE(a.matched());
  EXPECT_NE(a.reason.find("no rows"), std::string::npos) << a.reason;
  OfflineOptions keep;
  keep.reject_empty_result = false;
  EXPECT_TRUE(answerer(keep).answer("List the names of singers older than 99.", conn_.get()).matched());
}

TEST_F(OfflineAnswerTest, RefusesWhenEquallyCloseExamplesDisagree) {
  OfflineAnswer a = answerer().answer("What is the country of the singer with id 3?", conn_.get());
  EXPECT_FALSE(a.matched());
  EXPECT_NE(a.reason.find("disagree"), std::string::npos) << a.reason;
}

TEST_F(OfflineAnswerTest, ExcludesTheQuestionItself) {
  OfflineOptions o;
  o.exclude_identical_question = true;
  EXPECT_FALSE(answerer(o).answer("Who is the youngest singer?", conn_.get()).matched());
}

// Spider's training split: the answers on held-out questions of a few databases execute,
// and most agree with the gold SQL.
TEST(OfflineAnswerSpider, HeldOutQuestionsOfSeveralDatabases) {
  const std::string root = std::string(ASKGURU_SHARED_DATA_DIR) + "/spider_train";
  if (!std::filesystem::exists(root + "/train.json")) GTEST_SKIP() << "no " << root;
  auto dataset = eval::load_dataset(root + "/train.json");
  ASSERT_TRUE(dataset.ok()) << dataset.error();
  const std::vector<std::string> dbs = {"concert_singer", "world_1", "student_1", "hr_1", "college_2"};
  size_t answered = 0, correct = 0;
  for (const std::string& db_id : dbs) {
    const std::string path = root + "/database/" + db_id + "/" + db_id + ".sqlite";
    if (!std::filesystem::exists(path)) continue;
    auto conn = db::open_connection(path);
    ASSERT_TRUE(conn.ok()) << conn.error();
    auto catalog = (*conn)->introspect();
    ASSERT_TRUE(catalog.ok()) << catalog.error();
    index::ValueIndexOptions vo;
    vo.build_fts5 = false;
    auto values = index::ValueIndex::build(**conn, *catalog, vo);
    ASSERT_TRUE(values.ok()) << values.error();
    std::vector<index::ExamplePair> pairs;
    std::vector<const eval::Example*> held;
    size_t n = 0;
    for (const eval::Example& ex : dataset->examples) {
      if (ex.db_id != db_id) continue;
      if (n++ % 5 == 4) {
        held.push_back(&ex);
      } else {
        pairs.push_back({ex.db_id, ex.question, "", ex.gold_sql});
      }
    }
    index::ExampleStoreOptions so;
    so.dimension = 64;
    auto store = index::ExampleStore::build(pairs, so);
    ASSERT_TRUE(store.ok()) << store.error();
    OfflineAnswerer answerer(*store, *catalog, &*values, db_id);
    for (const eval::Example* ex : held) {
      OfflineAnswer a = answerer.answer(ex->question, conn->get());
      if (!a.matched()) continue;
      ++answered;
      ASSERT_TRUE(a.match->executed);
      auto gold = (*conn)->execute(ex->gold_sql);
      if (!gold.ok()) continue;
      if (eval::spider_result_eq(gold->rows, a.match->result.rows, eval::spider_order_matters(ex->gold_sql))) {
        ++correct;
      }
    }
  }
  EXPECT_GT(answered, 0u);
  EXPECT_GE(static_cast<double>(correct), 0.8 * static_cast<double>(answered))
      << correct << " of " << answered << " offline answers correct";
}

}  // namespace
}  // namespace askguru::pipeline
