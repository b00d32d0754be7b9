// `askguru ask` and `askguru eval --config` as a user runs them: the real binary, a
// real SQLite database, the scripted LLM server on 127.0.0.1.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "unit/pipeline/pipeline_fixture.h"

namespace askguru::pipeline {
namespace {

using testing::rule;
using testing::sql_reply;

using askguru::testing::run_command;

class Cli : public testing::PipelineFixture {
 protected:
  std::string write_config(const std::string& yaml) {
    std::string path = dir_.file("pipeline.yaml");
    std::ofstream(path) << yaml;
    return path;
  }
  std::string askguru() const { return std::string(ASKGURU_BINARY) + " --log-level off "; }
  std::string artifacts() const { return " --artifacts " + dir_.file("artifacts") + " "; }
};

TEST_F(Cli, AskPrintsSqlRowsAndTraceAsJson) {
  start_server(rule("a", sql_reply("SELECT COUNT(*) FROM member")));
  std::string config = write_config(config_yaml("generators:\n  - {name: standard, endpoint: gen-a}\n"));
  auto [rc, out] = run_command(askguru() + "ask -q --json --trace --db " + db_path_ + " --config " + config + artifacts() +
                       "'How many members are there?' 2>&1");
  ASSERT_EQ(rc, 0) << out;
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["sql"], "SELECT COUNT(*) FROM member");
  EXPECT_EQ(j["result"]["rows"][0][0], 4);
  EXPECT_EQ(j["trace"]["calls"].size(), 1u);
  EXPECT_EQ(j["trace"]["calls"][0]["purpose"], "generate");
  EXPECT_EQ(j["candidates"].size(), 1u);

  // The table form: the SQL, the rows, and a summary on stderr.
  auto [rc2, text] = run_command(askguru() + "ask -q --db " + db_path_ + " --config " + config + artifacts() +
                         "'How many members are there?' 2>&1");
  ASSERT_EQ(rc2, 0) << text;
  EXPECT_NE(text.find("SELECT COUNT(*) FROM member"), std::string::npos);
  EXPECT_NE(text.find("llm: 1 calls"), std::string::npos) << text;
}

TEST_F(Cli, AskRefusesWritesAndExplainsWhatToConfigure) {
  auto [rc, out] = run_command(askguru() + "ask -q --db " + db_path_ + artifacts() + "'Delete every member' 2>&1");
  EXPECT_EQ(rc, 3) << out;
  EXPECT_NE(out.find("never changes a database"), std::string::npos) << out;

  // No configuration and no examples: a message naming what to configure.
  auto [rc2, out2] = run_command(askguru() + "ask -q --db " + db_path_ + artifacts() + "'How many members are there?' 2>&1");
  EXPECT_EQ(rc2, 1) << out2;
  EXPECT_NE(out2.find("configure an LLM endpoint"), std::string::npos) << out2;

  // A configuration that does not load: exit 2 with the file and line.
  std::string bad = write_config("generators:\n  - {name: g, endpoint: nowhere}\n");
  auto [rc3, out3] = run_command(askguru() + "ask -q --db " + db_path_ + " --config " + bad + " 'x' 2>&1");
  EXPECT_EQ(rc3, 2) << out3;
  EXPECT_NE(out3.find("pipeline.yaml:2"), std::string::npos) << out3;
}

TEST_F(Cli, EvalWithConfigReportsPipelineFigures) {
  // Two questions; gen-a is right on both, gen-b on the first only.
  start_server(rule("a", sql_reply("SELECT COUNT(*) FROM member"), "How many members") +
               rule("a", sql_reply("SELECT first_name FROM member WHERE position = 'President'"), "president") +
               rule("b", sql_reply("SELECT COUNT(*) FROM member"), "How many members") +
               rule("b", sql_reply("SELECT last_name FROM member WHERE position = 'President'"), "president"));
  std::string config = write_config(config_yaml(R"(generators:
  - {name: standard, endpoint: gen-a}
  - {name: other, endpoint: gen-b}
)"));
  std::filesystem::create_directories(dir_.file("root/club"));
  std::filesystem::copy_file(db_path_, dir_.file("root/club/club.sqlite"));
  std::string dataset = dir_.file("dev.json");
  std::ofstream(dataset) << R"([
 {"question_id": 0, "db_id": "club", "question": "How many members are there?", "evidence": "", "SQL": "SELECT COUNT(*) FROM member", "difficulty": "simple"},
 {"question_id": 1, "db_id": "club", "question": "What is the first name of the president?", "evidence": "", "SQL": "SELECT first_name FROM member WHERE position = 'President'", "difficulty": "simple"}
])";
  std::string report = dir_.file("report.json");
  auto [rc, out] = run_command(askguru() + "-q eval --config " + config + " --dataset " + dataset + " --db-root " +
                       dir_.file("root") + artifacts() + " --no-cache --out " + report + " 2>&1");
  ASSERT_EQ(rc, 0) << out;
  std::ifstream in(report);
  auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["correct"], 2);
  const auto& p = j["pipeline"];
  EXPECT_EQ(p["questions"], 2);
  EXPECT_DOUBLE_EQ(p["pool_upper_bound"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(p["fast_path_share"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(p["calls_per_question"].get<double>(), 2.0);
  std::map<std::string, double> ex;
  for (const auto& g : p["generators"]) ex[g["name"]] = g["ex"].get<double>();
  EXPECT_DOUBLE_EQ(ex["standard"], 100.0);
  EXPECT_DOUBLE_EQ(ex["other"], 50.0);
  EXPECT_NE(out.find("pool upper bound 100.00%"), std::string::npos) << out;
}

}  // namespace
}  // namespace askguru::pipeline
