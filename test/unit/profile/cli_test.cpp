// `askguru profile` end to end: the JSON summary, reuse of an up-to-date profile,
// --force, --deny, and --summaries against the scripted LLM server.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "askguru/catalog/catalog_json.h"
#include "askguru/catalog/render.h"
#include "askguru/llm/scripted_server.h"
#include "askguru/profile/artifacts.h"
#include "unit/profile/profile_fixture.h"

namespace askguru::profile {
namespace {

using askguru::testing::TempDir;
using askguru::testing::write_profile_database;

using askguru::testing::run_command;

TEST(ProfileCli, JsonSummaryReuseForceAndDeny) {
  TempDir tmp;
  std::string db = tmp.file("people.sqlite");
  write_profile_database(db);
  std::string base = std::string(ASKGURU_BINARY) + " profile -q --json --db " + db + " --artifacts " +
                     tmp.file("artifacts") + " --deny people.secret";
  auto [rc, out] = run_command(base + " 2>/dev/null");
  ASSERT_EQ(rc, 0) << out;
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["loaded"], false);
  EXPECT_EQ(j["complete"], true);
  EXPECT_EQ(j["tables"], 3);
  EXPECT_EQ(j["columns"], 15);
  EXPECT_EQ(j["columns_profiled"], 14);
  EXPECT_EQ(j["columns_denied"], 1);
  EXPECT_GE(j["join_candidates"].get<int>(), 2);
  EXPECT_GT(j["artifact_bytes"].get<int>(), 0);

  auto [rc2, out2] = run_command(base + " 2>/dev/null");
  ASSERT_EQ(rc2, 0);
  EXPECT_EQ(nlohmann::json::parse(out2)["loaded"], true);
  auto [rc3, out3] = run_command(base + " --force 2>/dev/null");
  ASSERT_EQ(rc3, 0);
  EXPECT_EQ(nlohmann::json::parse(out3)["loaded"], false);

  // The human form names the tables and the join candidates.
  auto [rc4, text] = run_command(std::string(ASKGURU_BINARY) + " profile -q --db " + db + " --artifacts " +
                         tmp.file("artifacts") + " --deny people.secret 2>/dev/null");
  ASSERT_EQ(rc4, 0);
  EXPECT_NE(text.find("people.team_id -> team.id"), std::string::npos) << text;
  EXPECT_NE(text.find("up to date"), std::string::npos) << text;

  auto [bad, _] = run_command(std::string(ASKGURU_BINARY) + " profile -q --db " + tmp.file("missing.sqlite") + " 2>/dev/null");
  EXPECT_NE(bad, 0);
}

TEST(ProfileCli, SummariesFromTheScriptedServer) {
  TempDir tmp;
  std::string db = tmp.file("people.sqlite");
  write_profile_database(db);
  // One reply for every batch: it names every column; each batch takes its own.
  std::string fields;
  for (const char* table_columns : {"team:id,name", "people:id,name,birth,score,zip,code,email,active,team_id",
                                    "club:club_id,person_id,role"}) {
    std::string tc = table_columns;
    std::string table = tc.substr(0, tc.find(':'));
    std::string rest = tc.substr(tc.find(':') + 1) + ",";
    for (size_t start = 0, comma; (comma = rest.find(',', start)) != std::string::npos; start = comma + 1) {
      std::string column = rest.substr(start, comma - start);
      fields += "{\"table\": \"" + table + "\", \"column\": \"" + column + "\", \"short\": \"About " + column +
                "\", \"long\": \"The " + column + " of a " + table + ".\"},";
    }
  }
  fields.pop_back();
  std::string reply = "{\"fields\": [" + fields + "]}";
  nlohmann::json rule_reply = {{"text", reply}};
  std::string script = "rules:\n  - reply: " + rule_reply.dump() + "\n";
  auto server = llm::ScriptedServer::start_yaml(script);
  ASSERT_TRUE(server.ok()) << server.error();
  std::string config = tmp.file("llm.yaml");
  std::ofstream(config) << "endpoints:\n  - name: local\n    kind: openai\n    base_url: " << (*server)->base_url()
                        << "\n    model: m1\n    timeout_ms: 5000\n";
  std::string command = std::string(ASKGURU_BINARY) + " profile -q --json --db " + db + " --artifacts " +
                        tmp.file("artifacts") + " --deny people.secret --summaries --llm-config " + config +
                        " --fields-per-call 5 2>/dev/null";
  auto [rc, out] = run_command(command);
  ASSERT_EQ(rc, 0) << out;
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["columns_summarized"], 14);
  EXPECT_EQ(j["summary_calls"], 3);  // 14 columns, 5 a call
  EXPECT_EQ(j["summary_failed"], 0);
  for (const auto& request : (*server)->requests()) EXPECT_EQ(request.body.find("secret"), std::string::npos);

  // The summaries are in catalog.json and M-Schema shows them.
  ArtifactOptions artifacts;
  artifacts.root = tmp.file("artifacts");
  auto dir = ArtifactDir::open(db, artifacts);
  ASSERT_TRUE(dir.ok());
  auto catalog = dir->load_catalog();
  ASSERT_TRUE(catalog.ok());
  EXPECT_TRUE(catalog->profile.summaries);
  EXPECT_EQ(catalog->find_table("team")->find_column("name")->summary_long, "The name of a team.");
  catalog::RenderOptions render;
  render.format = catalog::RenderFormat::kMSchema;
  std::string mschema = catalog::render(*catalog, render);
  EXPECT_NE(mschema.find("(name:TEXT, About name, Examples: [Red, Blue, Green])"), std::string::npos) << mschema;
  // A TEXT column of dates gets one example, as a DATE column would.
  EXPECT_NE(mschema.find("(birth:TEXT, About birth, Examples: [1990-01-15])"), std::string::npos) << mschema;

  // Rerun: summaries are kept, nothing is asked.
  size_t before = (*server)->request_count();
  auto [rc2, out2] = run_command(command);
  ASSERT_EQ(rc2, 0);
  EXPECT_EQ(nlohmann::json::parse(out2)["summary_calls"], 0);
  EXPECT_EQ((*server)->request_count(), before);
}

}  // namespace
}  // namespace askguru::profile
