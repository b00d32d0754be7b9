// Tests of the question sets shipped in examples/ebs_demo: every gold SQL runs
// and returns rows on the generated database; the baseline predictions are
// mostly, not all, right.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "askguru/common/files.h"
#include "demo_test_util.h"

namespace askguru::demo {
namespace {

using namespace demo_test;  // NOLINT
namespace fs = std::filesystem;

fs::path examples_dir() {
  return fs::path(ASKGURU_SOURCE_DIR) / "examples" / "ebs_demo";
}

nlohmann::json load_json(const fs::path& path) {
  auto text = files::read_file(path.string());
  EXPECT_TRUE(text.ok()) << path;
  if (!text.ok()) return nlohmann::json::array();
  return nlohmann::json::parse(*text);
}

void check_question_set(const fs::path& path, const std::string& db, size_t minimum, std::set<std::string>* seen) {
  const auto items = load_json(path);
  ASSERT_TRUE(items.is_array()) << path;
  EXPECT_GE(items.size(), minimum) << path;
  Db conn(db);
  std::set<int64_t> ids;
  for (const auto& item : items) {
    const std::string where =
        path.filename().string() + " question_id " + item.value("question_id", nlohmann::json(-1)).dump();
    ASSERT_TRUE(item.contains("question_id") && item.contains("db_id") && item.contains("question") &&
                item.contains("evidence") && item.contains("SQL") && item.contains("difficulty"))
        << where;
    EXPECT_TRUE(ids.insert(item["question_id"].get<int64_t>()).second) << where << ": duplicate id";
    EXPECT_EQ(item["db_id"], "ebs_demo") << where;
    const std::string difficulty = item["difficulty"];
    EXPECT_TRUE(difficulty == "simple" || difficulty == "moderate" || difficulty == "challenging") << where;
    const std::string question = item["question"];
    EXPECT_TRUE(seen->insert(question).second) << where << ": question repeated: " << question;
    const std::string sql = item["SQL"];
    EXPECT_EQ(sql.find('\n'), std::string::npos) << where;
    std::string error;
    const auto rows = conn.query(sql, &error);
    EXPECT_EQ(error, "") << where << ": " << sql;
    EXPECT_GE(rows.size(), 1u) << where << " returns no rows: " << sql;
  }
}

TEST_F(EbsDemo, EveryGoldSqlRunsAndReturnsRows) {
  std::set<std::string> seen;
  check_question_set(examples_dir() / "questions.json", db_path(), 60, &seen);
  check_question_set(examples_dir() / "train.json", db_path(), 60, &seen);  // and no question in both sets
}

// Set of rows, BIRD style: duplicates and order ignored, 1 == 1.0.
std::set<std::vector<std::string>> as_set(const std::vector<std::vector<std::string>>& rows) {
  std::set<std::vector<std::string>> out;
  for (auto row : rows) {
    for (auto& cell : row) {
      if (cell.rfind("f:", 0) == 0) {
        const double v = std::stod(cell.substr(2));
        if (v == static_cast<double>(static_cast<int64_t>(v))) cell = "i:" + std::to_string(static_cast<int64_t>(v));
      }
    }
    out.insert(row);
  }
  return out;
}

TEST_F(EbsDemo, BaselinePredictionsAreMostlyRight) {
  const auto items = load_json(examples_dir() / "questions.json");
  auto text = files::read_file((examples_dir() / "predictions_baseline.sql").string());
  ASSERT_TRUE(text.ok());
  std::vector<std::string> predictions;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) predictions.push_back(line);
  ASSERT_EQ(predictions.size(), items.size()) << "one prediction per question, in dataset order";
  Db db(db_path());
  size_t correct = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string gold_error, pred_error;
    const auto gold = db.query(items[i]["SQL"].get<std::string>(), &gold_error);
    const auto pred = db.query(predictions[i], &pred_error);
    if (pred_error.empty() && as_set(gold) == as_set(pred)) ++correct;
  }
  // A plausible naive system: most right, a fifth or so wrong.
  const double ex = 100.0 * static_cast<double>(correct) / static_cast<double>(items.size());
  EXPECT_GE(ex, 65.0);
  EXPECT_LE(ex, 90.0);
}

}  // namespace
}  // namespace askguru::demo
