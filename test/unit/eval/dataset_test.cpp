// Dataset and prediction readers: formats, order, matching, and errors that name the line.
#include "askguru/eval/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace askguru::eval {
namespace {

using ::testing::HasSubstr;

TEST(Dataset, ReadsBird) {
  const std::string json = R"([
  {"question_id": 7, "db_id": "club", "question": "Q1", "evidence": "E1",
   "SQL": "SELECT 1 ", "difficulty": "simple"},
  {"question_id": 9, "db_id": "club", "question": "Q2", "evidence": "",
   "SQL": "SELECT 2", "difficulty": "challenging"}
])";
  auto ds = parse_dataset(json, "dev.json");
  ASSERT_TRUE(ds.ok()) << ds.error();
  EXPECT_EQ(ds->format, DatasetFormat::kBird);
  ASSERT_EQ(ds->examples.size(), 2u);
  EXPECT_EQ(ds->examples[0].question_id, 7);
  EXPECT_EQ(ds->examples[0].gold_sql, "SELECT 1");
  EXPECT_EQ(ds->examples[0].evidence, "E1");
  EXPECT_EQ(ds->examples[1].difficulty, "challenging");
  EXPECT_EQ(ds->examples[1].line, 4u);
}

TEST(Dataset, ReadsSpiderAndGoldLines) {
  auto spider = parse_dataset(R"([{"db_id": "a", "question": "q", "query": "SELECT x FROM t"}])", "train.json");
  ASSERT_TRUE(spider.ok()) << spider.error();
  EXPECT_EQ(spider->format, DatasetFormat::kSpider);
  EXPECT_EQ(spider->examples[0].gold_sql, "SELECT x FROM t");
  EXPECT_FALSE(spider->examples[0].question_id.has_value());

  auto gold = parse_dataset("SELECT 1\tdb1\n\nSELECT 2\tdb2\r\n", "gold.sql");
  ASSERT_TRUE(gold.ok()) << gold.error();
  EXPECT_EQ(gold->format, DatasetFormat::kGoldLines);
  ASSERT_EQ(gold->examples.size(), 2u);
  EXPECT_EQ(gold->examples[1].db_id, "db2");
  EXPECT_EQ(gold->examples[1].line, 3u);
}

TEST(Dataset, ErrorsNameTheFileAndLine) {
  auto bad_line = parse_dataset("SELECT 1\tdb\nSELECT 2 no tab\nSELECT 3\tdb\n", "gold.sql");
  ASSERT_FALSE(bad_line.ok());
  EXPECT_THAT(bad_line.error(), HasSubstr("gold.sql:2:"));

  auto bad_json = parse_dataset("[\n {\"db_id\": \"a\",\n  \"query\": \"SELECT 1\",,\n }\n]", "train.json");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_THAT(bad_json.error(), HasSubstr("train.json:3:"));
  EXPECT_THAT(bad_json.error(), HasSubstr("invalid JSON"));

  auto missing = parse_dataset(
      "[\n {\"db_id\": \"a\", \"SQL\": \"SELECT 1\"},\n\n {\"db_id\": \"b\", \"question\": \"no sql\", \"SQL\": 3}\n]",
      "dev.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error(), HasSubstr("dev.json:4"));
  EXPECT_THAT(missing.error(), HasSubstr("\"SQL\""));

  auto unknown = parse_dataset(R"([{"foo": 1}])", "x.json");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error(), HasSubstr("x.json:1"));

  auto absent = load_dataset("/nonexistent/dev.json");
  ASSERT_FALSE(absent.ok());
  EXPECT_THAT(absent.error(), HasSubstr("/nonexistent/dev.json"));
}

TEST(Predictions, BirdJsonKeepsTheFileOrder) {
  const std::string json =
      "{\n \"1\": \"SELECT b\\t----- bird -----\\tdb1\",\n \"0\": \"SELECT a\\t----- bird -----\\tdb0\",\n"
      " \"2\": \"SELECT c\",\n \"3\": 0\n}";
  auto p = parse_predictions(json, "predict_dev.json");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->format, PredictionFormat::kBirdJson);
  ASSERT_EQ(p->items.size(), 4u);
  EXPECT_EQ(p->items[0].sql, "SELECT b");
  EXPECT_EQ(p->items[0].db_id, "db1");
  EXPECT_EQ(p->items[1].sql, "SELECT a");
  EXPECT_EQ(p->items[2].sql, "SELECT c");
  EXPECT_EQ(p->items[3].sql, " ");  // not a string: scored as an empty statement
  EXPECT_EQ(p->items[1].line, 3u);
}

TEST(Predictions, LinesAndJsonl) {
  auto lines = parse_predictions("SELECT 1\tdb\n  SELECT 2  \n\nSELECT 3\n\n", "pred.sql");
  ASSERT_TRUE(lines.ok()) << lines.error();
  EXPECT_EQ(lines->format, PredictionFormat::kLines);
  ASSERT_EQ(lines->items.size(), 4u);  // an empty line inside is an empty prediction
  EXPECT_EQ(lines->items[0].sql, "SELECT 1");
  EXPECT_EQ(lines->items[1].sql, "SELECT 2");
  EXPECT_EQ(lines->items[2].sql, "");

  auto jsonl = parse_predictions("{\"question_id\": 9, \"sql\": \"SELECT 9\"}\n{\"question_id\": \"7\", \"sql\": \"SELECT 7\"}\n",
                                 "pred.jsonl");
  ASSERT_TRUE(jsonl.ok()) << jsonl.error();
  EXPECT_EQ(jsonl->format, PredictionFormat::kJsonl);
  EXPECT_EQ(jsonl->items[1].question_id, 7);

  auto one = parse_predictions("{\"question_id\": 9, \"sql\": \"SELECT 9\"}\n", "one.jsonl");
  ASSERT_TRUE(one.ok()) << one.error();
  EXPECT_EQ(one->format, PredictionFormat::kJsonl);

  auto bad = parse_predictions("{\"question_id\": 9, \"sql\": \"SELECT 9\"}\n{\"question_id\": 7, \"sql\": }\n",
                               "bad.jsonl");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error(), HasSubstr("bad.jsonl:2"));
  auto nosql = parse_predictions("{\"question_id\": 9, \"sql\": \"SELECT 9\"}\n{\"question_id\": 7}\n", "x.jsonl");
  ASSERT_FALSE(nosql.ok());
  EXPECT_THAT(nosql.error(), HasSubstr("x.jsonl:2: missing field \"sql\""));
}

TEST(Predictions, AlignByIdByPositionAndCountErrors) {
  auto ds = parse_dataset(R"([
 {"question_id": 7, "db_id": "a", "SQL": "SELECT 7"},
 {"question_id": 9, "db_id": "b", "SQL": "SELECT 9"}])",
                          "dev.json");
  ASSERT_TRUE(ds.ok());
  auto jsonl = parse_predictions("{\"question_id\": 9, \"sql\": \"P9\"}\n{\"question_id\": 7, \"sql\": \"P7\", \"db_id\": \"zz\"}\n",
                                 "p.jsonl");
  ASSERT_TRUE(jsonl.ok());
  std::vector<std::string> warnings;
  auto aligned = align_predictions(*ds, *jsonl, &warnings);
  ASSERT_TRUE(aligned.ok()) << aligned.error();
  EXPECT_EQ((*aligned)[0], "P7");
  EXPECT_EQ((*aligned)[1], "P9");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("p.jsonl:2"));

  auto short_jsonl = parse_predictions("{\"question_id\": 9, \"sql\": \"P9\"}\n", "s.jsonl");
  auto missing = align_predictions(*ds, *short_jsonl);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error(), HasSubstr("question_id 7"));

  auto lines = parse_predictions("SELECT 1\n", "p.sql");
  auto mismatch = align_predictions(*ds, *lines);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_THAT(mismatch.error(), HasSubstr("p.sql has 1 predictions but dev.json has 2 examples"));
}

}  // namespace
}  // namespace askguru::eval
