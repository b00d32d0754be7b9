// End-to-end scoring over real SQLite files created by the test: the BIRD and Spider
// semantics on crafted edge cases, timeouts, missing databases, the result cache and
// the JSON report.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "askguru/common/files.h"
#include "askguru/eval/metrics.h"
#include "askguru/eval/result_cache.h"

namespace askguru::eval {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

void make_db(const fs::path& file, const std::string& script) {
  fs::create_directories(file.parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, script.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

const char* kShop = R"(
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, price REAL, qty INTEGER, note TEXT);
INSERT INTO item VALUES (1, 'pen', 1.5, 10, NULL), (2, 'ink', 3.0, 3, 'blue'),
                        (3, 'pen', 1.5, 10, NULL), (4, 'pad', 2.0, 0, '');
)";

class EvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("askguru_eval_test_" + std::to_string(rd()));
    make_db(root_ / "db" / "shop" / "shop.sqlite", kShop);
    options_.db_root = (root_ / "db").string();
    options_.use_cache = false;
    options_.quiet = true;
    options_.jobs = 2;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  static Dataset dataset(const std::vector<std::string>& gold, const std::string& db_id = "shop") {
    Dataset ds;
    ds.path = "memory";
    for (size_t i = 0; i < gold.size(); ++i) {
      Example ex;
      ex.db_id = db_id;
      ex.gold_sql = gold[i];
      ex.difficulty = i % 2 ? "moderate" : "simple";
      ex.question_id = static_cast<int64_t>(100 + i);
      ds.examples.push_back(ex);
    }
    return ds;
  }

  ItemResult one(Metric metric, const std::string& gold, const std::string& pred) {
    EvalOptions o = options_;
    o.metric = metric;
    auto report = evaluate(dataset({gold}), {pred}, o);
    EXPECT_TRUE(report.ok()) << report.error();
    return report.ok() ? report->items.at(0) : ItemResult{};
  }
  bool bird(const std::string& gold, const std::string& pred) { return one(Metric::kBirdEx, gold, pred).correct; }
  bool spider(const std::string& gold, const std::string& pred) {
    return one(Metric::kSpiderEx, gold, pred).correct;
  }

  fs::path root_;
  EvalOptions options_;
};

TEST_F(EvalTest, BirdSemantics) {
  // Duplicates and row order are ignored.
  EXPECT_TRUE(bird("SELECT name FROM item", "SELECT DISTINCT name FROM item"));
  EXPECT_TRUE(bird("SELECT id FROM item ORDER BY id", "SELECT id FROM item ORDER BY id DESC"));
  // NULL == NULL, 1 == 1.0, '1' != 1.
  EXPECT_TRUE(bird("SELECT note FROM item WHERE id = 1", "SELECT NULL"));
  EXPECT_TRUE(bird("SELECT 1", "SELECT 1.0"));
  EXPECT_TRUE(bird("SELECT qty FROM item WHERE id = 2", "SELECT price FROM item WHERE id = 2"));
  EXPECT_FALSE(bird("SELECT 1", "SELECT '1'"));
  EXPECT_FALSE(bird("SELECT 9007199254740993", "SELECT 9007199254740992.0"));
  EXPECT_FALSE(bird("SELECT note FROM item WHERE id = 4", "SELECT NULL"));  // '' is not NULL
  // Column order matters.
  EXPECT_FALSE(bird("SELECT id, name FROM item", "SELECT name, id FROM item"));
  // Empty results match whatever their columns.
  EXPECT_TRUE(bird("SELECT id FROM item WHERE 0", "SELECT name, price FROM item WHERE id > 99"));
  EXPECT_FALSE(bird("SELECT id FROM item WHERE 0", "SELECT id FROM item"));
  // An empty prediction runs as a no-op with no rows, as in Python.
  EXPECT_TRUE(bird("SELECT id FROM item WHERE 0", "  "));
  EXPECT_FALSE(bird("SELECT id FROM item", ""));
  // Python's sqlite3 refuses anything but comments after the first statement.
  EXPECT_FALSE(bird("SELECT 1", "SELECT 1; SELECT 2"));
  EXPECT_FALSE(bird("SELECT 1", "SELECT 1;;"));
  EXPECT_TRUE(bird("SELECT 1", "SELECT 1; -- done"));
}

TEST_F(EvalTest, BirdErrorsScoreZero) {
  ItemResult r = one(Metric::kBirdEx, "SELECT id FROM item", "SELECT nope FROM item");
  EXPECT_FALSE(r.correct);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_THAT(*r.error, HasSubstr("prediction"));
  EXPECT_THAT(*r.error, HasSubstr("nope"));
  EXPECT_FALSE(r.timeout);

  ItemResult g = one(Metric::kBirdEx, "SELECT FROM", "SELECT 1");
  EXPECT_FALSE(g.correct);
  ASSERT_TRUE(g.error.has_value());
  EXPECT_THAT(*g.error, HasSubstr("gold"));

  // Writes are refused, and refused is wrong.
  ItemResult w = one(Metric::kBirdEx, "SELECT 1", "DELETE FROM item");
  EXPECT_FALSE(w.correct);
  EXPECT_TRUE(w.error.has_value());
}

TEST_F(EvalTest, TimeoutsScoreZeroAndSayTimeout) {
  options_.timeout_s = 0.2;
  const std::string slow =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT max(x) FROM c";
  ItemResult r = one(Metric::kBirdEx, "SELECT 1", slow);
  EXPECT_FALSE(r.correct);
  EXPECT_TRUE(r.timeout);
  ASSERT_TRUE(r.error.has_value());
  ItemResult s = one(Metric::kSpiderEx, "SELECT 1", slow);
  EXPECT_FALSE(s.correct);
  EXPECT_TRUE(s.timeout);
}

TEST_F(EvalTest, SpiderSemantics) {
  // Bags: duplicates count (DISTINCT is removed from both by default).
  EXPECT_TRUE(spider("SELECT name FROM item", "SELECT DISTINCT name FROM item"));
  EXPECT_FALSE(spider("SELECT name FROM item", "SELECT name FROM item GROUP BY name"));
  // Order matters only when the gold says ORDER BY.
  EXPECT_TRUE(spider("SELECT id FROM item", "SELECT id FROM item ORDER BY id DESC"));
  EXPECT_FALSE(spider("SELECT id FROM item ORDER BY id", "SELECT id FROM item ORDER BY id DESC"));
  EXPECT_TRUE(spider("SELECT id FROM item ORDER BY id", "SELECT id FROM item ORDER BY id ASC"));
  // Column permutations are allowed.
  EXPECT_TRUE(spider("SELECT id, name FROM item", "SELECT name, id FROM item"));
  EXPECT_TRUE(spider("SELECT id, name, price, qty FROM item", "SELECT qty, price, id, name FROM item"));
  EXPECT_FALSE(spider("SELECT id, qty FROM item", "SELECT id, id FROM item"));
  // NULLs, 1 vs 1.0 vs '1', empty results.
  EXPECT_TRUE(spider("SELECT note FROM item WHERE id = 1", "SELECT NULL"));
  EXPECT_TRUE(spider("SELECT 1", "SELECT 1.0"));
  EXPECT_FALSE(spider("SELECT 1", "SELECT '1'"));
  EXPECT_TRUE(spider("SELECT id FROM item WHERE 0", "SELECT name, price FROM item WHERE 0"));
  // The clean-ups: " value ", "> =", YEAR(CURDATE()).
  EXPECT_TRUE(spider("SELECT id FROM item WHERE qty = 10", "SELECT id FROM item WHERE qty - 9 = value "));
  EXPECT_TRUE(spider("SELECT id FROM item WHERE qty >= 3", "SELECT id FROM item WHERE qty > = 3"));
  EXPECT_TRUE(spider("SELECT 2020", "SELECT YEAR(CURDATE())"));
  // remove_distinct keeps sqlparse's first statement only, so trailing junk is cut.
  EXPECT_TRUE(spider("SELECT id FROM item ORDER BY id", "SELECT id FROM item ORDER BY id; DESC"));
  // Errors score 0.
  ItemResult r = one(Metric::kSpiderEx, "SELECT id FROM item", "SELECT id FROM nowhere");
  EXPECT_FALSE(r.correct);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_THAT(*r.error, HasSubstr("nowhere"));
}

TEST_F(EvalTest, SpiderKeepDistinct) {
  options_.keep_distinct = true;
  EXPECT_FALSE(spider("SELECT name FROM item", "SELECT DISTINCT name FROM item"));
  EXPECT_TRUE(spider("SELECT DISTINCT name FROM item", "SELECT name FROM item GROUP BY name"));
  EXPECT_FALSE(spider("SELECT id FROM item ORDER BY id", "SELECT id FROM item ORDER BY id; DESC"));
}

TEST_F(EvalTest, SpiderTestSuiteUsesEveryDatabaseInTheFolder) {
  // A second database in the folder where the two queries disagree.
  const char* alt = R"(
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, price REAL, qty INTEGER, note TEXT);
INSERT INTO item VALUES (1, 'pen', 1.5, 10, NULL), (2, 'pen', 9.0, 10, NULL);
)";
  const std::string gold = "SELECT count(*) FROM item WHERE name = 'pen'";
  const std::string pred = "SELECT count(*) FROM item WHERE price = 1.5";
  EXPECT_TRUE(spider(gold, pred));
  make_db(root_ / "db" / "shop" / "shop_2.sqlite", alt);
  EXPECT_FALSE(spider(gold, pred));
  EXPECT_TRUE(bird(gold, pred));  // BIRD only uses shop.sqlite
}

TEST_F(EvalTest, MissingDatabaseIsAnItemErrorAndAWarning) {
  Dataset ds = dataset({"SELECT 1", "SELECT 1"});
  ds.examples[1].db_id = "absent";
  for (Metric m : {Metric::kBirdEx, Metric::kSpiderEx}) {
    EvalOptions o = options_;
    o.metric = m;
    auto report = evaluate(ds, {"SELECT 1", "SELECT 1"}, o);
    ASSERT_TRUE(report.ok()) << report.error();
    EXPECT_TRUE(report->items[0].correct);
    EXPECT_FALSE(report->items[1].correct);
    ASSERT_TRUE(report->items[1].error.has_value());
    EXPECT_THAT(*report->items[1].error, HasSubstr((root_ / "db" / "absent" / "absent.sqlite").string()));
    ASSERT_FALSE(report->warnings.empty());
    EXPECT_THAT(report->warnings.back(), HasSubstr("absent"));
  }
}

TEST_F(EvalTest, CacheAnswersTheSecondRunWithoutExecuting) {
  options_.use_cache = true;
  options_.cache_dir = (root_ / "cache").string();
  options_.metric = Metric::kBirdEx;
  Dataset ds = dataset({"SELECT id FROM item", "SELECT name FROM item", "SELECT id FROM item"});
  std::vector<std::string> preds = {"SELECT id FROM item", "SELECT name, id FROM item", "SELECT nope"};
  auto first = evaluate(ds, preds, options_);
  ASSERT_TRUE(first.ok()) << first.error();
  // Identical SQL runs once: 4 distinct queries for 6 executions asked.
  EXPECT_EQ(first->stats.queries, 6u);
  EXPECT_EQ(first->stats.distinct_queries, 4u);
  EXPECT_EQ(first->stats.executed, 4u);
  EXPECT_EQ(first->stats.cache_hits, 0u);

  auto second = evaluate(ds, preds, options_);
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->stats.executed, 0u);
  EXPECT_EQ(second->stats.cache_hits, 4u);
  for (size_t i = 0; i < ds.examples.size(); ++i) {
    EXPECT_EQ(first->items[i].correct, second->items[i].correct) << i;
    EXPECT_EQ(first->items[i].error, second->items[i].error) << i;
  }
  EXPECT_TRUE(second->items[0].correct);
  EXPECT_FALSE(second->items[1].correct);
  EXPECT_TRUE(second->items[2].error.has_value());

  // Another prediction file only runs what is new.
  preds[1] = "SELECT name FROM item ORDER BY id";
  auto third = evaluate(ds, preds, options_);
  ASSERT_TRUE(third.ok()) << third.error();
  EXPECT_EQ(third->stats.executed, 1u);
  EXPECT_TRUE(third->items[1].correct);
}

TEST_F(EvalTest, CachedTimeoutsRespectTheLimit) {
  options_.use_cache = true;
  options_.cache_dir = (root_ / "cache").string();
  options_.metric = Metric::kBirdEx;
  options_.timeout_s = 0.1;
  const std::string slow =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT max(x) FROM c";
  Dataset ds = dataset({"SELECT 1"});
  auto first = evaluate(ds, {slow}, options_);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->items[0].timeout);
  auto again = evaluate(ds, {slow}, options_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->items[0].timeout);
  EXPECT_EQ(again->stats.executed, 0u);  // same limit: the cached timeout answers
  options_.timeout_s = 0.3;
  auto longer = evaluate(ds, {slow}, options_);
  ASSERT_TRUE(longer.ok());
  EXPECT_EQ(longer->stats.executed, 1u);  // a larger limit runs it again
}

TEST(ResultCacheCodec, RoundTripsEveryStorageClass) {
  std::vector<db::Row> rows = {
      {db::Value::integer(0), db::Value::integer(-1), db::Value::integer(INT64_MIN), db::Value::integer(INT64_MAX)},
      {db::Value::real(1.5), db::Value::real(-0.0), db::Value::text(""), db::Value::text("h\xc3\xa9")},
      {db::Value(), db::Value::blob(std::string("\0\xff", 2)), db::Value::real(1e300), db::Value::integer(300)}};
  std::string bytes = ResultCache::encode_rows(rows, 4);
  std::vector<db::Row> back;
  size_t cols = 0;
  ASSERT_TRUE(ResultCache::decode_rows(bytes, &back, &cols));
  EXPECT_EQ(cols, 4u);
  ASSERT_EQ(back.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_TRUE(back[i] == rows[i]) << i;
  EXPECT_FALSE(ResultCache::decode_rows(bytes.substr(0, bytes.size() - 1), &back, &cols));
}

TEST_F(EvalTest, ReportJsonHasTheDocumentedFields) {
  Dataset ds = dataset({"SELECT id FROM item", "SELECT 1", "SELECT 2"});
  ds.examples[2].db_id = "absent";
  options_.metric = Metric::kBirdEx;
  auto report = evaluate(ds, {"SELECT id FROM item", "SELECT nope", "SELECT 2"}, options_, "pred.sql");
  ASSERT_TRUE(report.ok()) << report.error();
  auto j = nlohmann::json::parse(report_to_json(*report));
  EXPECT_EQ(j["metric"], "bird-ex");
  EXPECT_EQ(j["count"], 3);
  EXPECT_NEAR(j["ex"].get<double>(), 100.0 / 3, 1e-9);
  EXPECT_EQ(j["errors"], 2);
  EXPECT_EQ(j["timeouts"], 0);
  EXPECT_EQ(j["by_difficulty"]["simple"]["count"], 2);
  EXPECT_EQ(j["by_database"]["shop"]["correct"], 1);
  ASSERT_EQ(j["items"].size(), 3u);
  EXPECT_EQ(j["items"][0]["correct"], true);
  EXPECT_TRUE(j["items"][0]["error"].is_null());
  EXPECT_EQ(j["items"][0]["timeout"], false);
  EXPECT_EQ(j["items"][0]["question_id"], 100);
  EXPECT_EQ(j["items"][1]["index"], 1);
  EXPECT_TRUE(j["items"][1]["error"].is_string());
  EXPECT_EQ(j["items"][2]["db_id"], "absent");
  EXPECT_EQ(j["items"][2]["difficulty"], "simple");
  EXPECT_FALSE(j["warnings"].empty());
}

TEST_F(EvalTest, VesRewardsCorrectItemsOnly) {
  EXPECT_EQ(ves_reward(0), 0);
  EXPECT_EQ(ves_reward(2.0), 1.25);
  EXPECT_EQ(ves_reward(1.99), 1.0);
  EXPECT_EQ(ves_reward(0.5), 0.75);
  EXPECT_EQ(ves_reward(0.3), 0.5);
  EXPECT_EQ(ves_reward(0.1), 0.25);
  // Outliers beyond 3 population standard deviations go; equal values all go (upstream
  // then divides by zero and scores 0).
  std::vector<double> ratios(20, 1.0);
  ratios.push_back(100.0);
  EXPECT_EQ(ves_clean_abnormal(ratios).size(), 20u);
  EXPECT_TRUE(ves_clean_abnormal({1.0, 1.0}).empty());

  options_.metric = Metric::kVes;
  options_.ves_iterations = 5;
  auto report = evaluate(dataset({"SELECT id FROM item", "SELECT id FROM item"}),
                         {"SELECT id FROM item ORDER BY id DESC", "SELECT name FROM item"}, options_);
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_TRUE(report->items[0].correct);
  EXPECT_GT(report->items[0].reward, 0.0);
  EXPECT_GT(report->items[0].time_ratio, 0.0);
  EXPECT_FALSE(report->items[1].correct);
  EXPECT_EQ(report->items[1].reward, 0.0);
  auto j = nlohmann::json::parse(report_to_json(*report));
  EXPECT_EQ(j["metric"], "ves");
  EXPECT_GT(j["ves"].get<double>(), 0.0);
}

TEST_F(EvalTest, FilesAndTheCommandLine) {
  fs::path dev = root_ / "dev.json", pred = root_ / "pred.json", out = root_ / "report.json";
  ASSERT_TRUE(files::write_file(dev.string(), R"([
 {"question_id": 1, "db_id": "shop", "question": "q", "evidence": "", "SQL": "SELECT count(*) FROM item", "difficulty": "simple"},
 {"question_id": 2, "db_id": "shop", "question": "q", "evidence": "", "SQL": "SELECT max(price) FROM item", "difficulty": "moderate"}
])")
                  .ok());
  ASSERT_TRUE(files::write_file(pred.string(), "{\"0\": \"SELECT count(id) FROM item\\t----- bird -----\\tshop\", "
                                               "\"1\": \"SELECT min(price) FROM item\\t----- bird -----\\tshop\"}")
                  .ok());
  auto report = evaluate_files(dev.string(), pred.string(), options_);
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report->metric, "bird-ex");
  EXPECT_TRUE(report->items[0].correct);
  EXPECT_FALSE(report->items[1].correct);

  std::string cmd = std::string(ASKGURU_BINARY) + " -q eval --dataset " + dev.string() + " --db-root " +
                    options_.db_root + " --pred " + pred.string() + " --out " + out.string() + " --no-cache > " +
                    (root_ / "stdout.txt").string() + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << files::read_file((root_ / "stdout.txt").string()).value_or("");
  auto j = nlohmann::json::parse(files::read_file(out.string()).value());
  EXPECT_EQ(j["count"], 2);
  EXPECT_EQ(j["ex"], 50.0);
  auto printed = files::read_file((root_ / "stdout.txt").string()).value();
  EXPECT_THAT(printed, HasSubstr("simple"));
  EXPECT_THAT(printed, HasSubstr("50.00"));

  // A count mismatch is a clear error and a non-zero exit status.
  ASSERT_TRUE(files::write_file(pred.string(), "SELECT 1\n").ok());
  int rc = std::system((std::string(ASKGURU_BINARY) + " -q eval --dataset " + dev.string() + " --db-root " +
                        options_.db_root + " --pred " + pred.string() + " --no-cache > " +
                        (root_ / "err.txt").string() + " 2>&1")
                           .c_str());
  EXPECT_NE(rc, 0);
  EXPECT_THAT(files::read_file((root_ / "err.txt").string()).value(), HasSubstr("1 predictions but"));
}

std::string shared_data_dir() {
  if (const char* env = std::getenv("ASKGURU_SHARED_DATA_DIR"); env && *env) return env;
  return ASKGURU_SHARED_DATA_DIR;
}

TEST(EvalSharedData, BirdStudentClubGoldAgainstGoldIsPerfect) {
  const std::string dir = shared_data_dir() + "/bird_student_club";
  if (!fs::exists(dir + "/dev.json")) GTEST_SKIP() << "no " << dir;
  auto ds = load_dataset(dir + "/dev.json");
  ASSERT_TRUE(ds.ok()) << ds.error();
  std::vector<std::string> gold;
  for (const auto& ex : ds->examples) gold.push_back(ex.gold_sql);
  EvalOptions o;
  o.db_root = dir + "/databases";
  o.use_cache = false;
  o.quiet = true;
  auto report = evaluate(*ds, gold, o);
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report->items.size(), 158u);
  size_t correct = 0;
  for (const auto& item : report->items) {
    correct += item.correct;
    EXPECT_TRUE(item.correct) << item.index << ": " << item.error.value_or("");
  }
  EXPECT_EQ(correct, 158u);
  EXPECT_EQ(report->metric, "bird-ex");
}

}  // namespace
}  // namespace askguru::eval
