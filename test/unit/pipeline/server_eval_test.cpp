// `askguru ask` and `askguru eval --config` on a PostgreSQL database (the club fixture
// loaded with db::load_into_postgres) as a user runs them: the real binary, the real
// server of scripts/test_postgres.sh (skipped without one), the scripted LLM server.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "askguru/db/connection.h"
#include "askguru/db/postgres_load.h"
#include "unit/db/postgres_fixture.h"
#include "unit/pipeline/pipeline_fixture.h"

namespace askguru::pipeline {
namespace {

using askguru::testing::PgDatabase;
using askguru::testing::run_command;
using testing::rule;
using testing::sql_reply;

class ServerCli : public testing::PipelineFixture {
 protected:
  std::string write_config(const std::string& yaml) {
    std::string path = dir_.file("pipeline.yaml");
    std::ofstream(path) << yaml;
    return path;
  }
  std::string askguru() const { return std::string(ASKGURU_BINARY) + " --log-level off "; }
  std::string artifacts() const { return " --artifacts " + dir_.file("artifacts") + " "; }
};

TEST_F(ServerCli, AskAndEvalWithConfigOnPostgres) {
  AG_REQUIRE_POSTGRES();
  PgDatabase pg;
  {
    auto source = db::open_connection(db_path_);
    ASSERT_TRUE(source.ok()) << source.error();
    auto loaded = db::load_into_postgres(**source, pg.url());
    ASSERT_TRUE(loaded.ok()) << loaded.error();
  }
  // Two questions; gen-a is right on both, gen-b on the first only. The replies are in
  // PostgreSQL's dialect, the gold in SQLite's (double-quoted string: translated).
  start_server(rule("a", sql_reply("SELECT COUNT(*) FROM member"), "How many members") +
               rule("a", sql_reply("SELECT first_name FROM member WHERE position = 'President'"), "president") +
               rule("b", sql_reply("SELECT COUNT(*) FROM member"), "How many members") +
               rule("b", sql_reply("SELECT last_name FROM member WHERE position = 'President'"), "president"));
  std::string config = write_config(config_yaml(R"(generators:
  - {name: standard, endpoint: gen-a}
  - {name: other, endpoint: gen-b}
)"));
  auto [rc_ask, answer] = run_command(askguru() + "ask -q --json --db '" + pg.url() + "' --config " + config +
                                      artifacts() + " 'How many members are there?' 2>&1");
  ASSERT_EQ(rc_ask, 0) << answer;
  auto a = nlohmann::json::parse(answer, nullptr, false);
  ASSERT_FALSE(a.is_discarded()) << answer;
  EXPECT_EQ(a["sql"], "SELECT COUNT(*) FROM member");
  EXPECT_EQ(a["status"], "ok");

  std::string dataset = dir_.file("dev.json");
  std::ofstream(dataset) << R"([
 {"question_id": 0, "db_id": ")" << pg.name() << R"(", "question": "How many members are there?", "evidence": "", "SQL": "SELECT COUNT(*) FROM member", "difficulty": "simple"},
 {"question_id": 1, "db_id": ")" << pg.name() << R"(", "question": "What is the first name of the president?", "evidence": "", "SQL": "SELECT first_name FROM member WHERE position = \"President\"", "difficulty": "simple"}
])";
  std::string report = dir_.file("report.json");
  std::string url = askguru::testing::with_database(askguru::testing::postgres_admin_url(), "{db_id}");
  auto [rc, out] = run_command(askguru() + "-q eval --config " + config + " --dataset " + dataset + " --db-url '" + url +
                               "'" + artifacts() + " --no-cache --out " + report + " 2>&1");
  ASSERT_EQ(rc, 0) << out;
  std::ifstream in(report);
  auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["correct"], 2) << out;
  EXPECT_EQ(j["stats"]["translated_gold"], 2) << out;
  EXPECT_EQ(j["stats"]["translated_predictions"], 0) << out;
  std::map<std::string, double> ex;
  for (const auto& g : j["pipeline"]["generators"]) ex[g["name"]] = g["ex"].get<double>();
  EXPECT_DOUBLE_EQ(ex["standard"], 100.0);
  EXPECT_DOUBLE_EQ(ex["other"], 50.0);
}

}  // namespace
}  // namespace askguru::pipeline
