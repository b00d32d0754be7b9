// LLM field summaries against the scripted LLM server (real HTTP on 127.0.0.1):
// batching, schema checks, a malformed and an incomplete reply asked again, the
// response cache, and denied columns kept out of every prompt.
#include <gtest/gtest.h>

#include "askguru/llm/cache.h"
#include "askguru/llm/client.h"
#include "askguru/llm/http_loop.h"
#include "askguru/llm/scripted_server.h"
#include "askguru/llm/usage.h"
#include "askguru/profile/artifacts.h"
#include "askguru/profile/summaries.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::profile {
namespace {

using askguru::testing::TempDir;
using askguru::testing::write_database;

constexpr const char* kScript = R"yaml(
rules:
  - name: not-json
    match: {contains: ['column "name"']}
    times: 1
    reply: {text: "Sure! Here are the summaries you asked for."}
  - name: incomplete
    match: {contains: ['column "name"']}
    times: 1
    reply: {json: {fields: [{table: team, column: id, short: "Team number", long: "Key of the team."}]}}
  - name: team
    match: {contains: ['column "name"']}
    reply:
      json:
        fields:
          - {table: team, column: id, short: "Team number", long: "The key of the team."}
          - {table: team, column: name, short: "Team name", long: "The name of the team, such as Red."}
  - name: people
    match: {contains: ['table "people"']}
    reply:
      text: "```json\n{\"fields\": [{\"table\": \"people\", \"column\": \"id\", \"short\": \"Person number\", \"long\": \"The key of a person.\"}]}\n```"
)yaml";

struct SummaryFixture {
  TempDir tmp;
  std::string db = tmp.file("club.sqlite");
  std::unique_ptr<llm::ScriptedServer> server;
  std::shared_ptr<llm::HttpLoop> loop = std::make_shared<llm::HttpLoop>();
  std::shared_ptr<llm::ResponseCache> cache;
  std::unique_ptr<llm::LlmClient> client;
  catalog::Catalog catalog;

  SummaryFixture() {
    write_database(db, R"sql(
CREATE TABLE team (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO team VALUES (1, 'Red'), (2, 'Blue');
CREATE TABLE people (id INTEGER PRIMARY KEY, secret TEXT);
INSERT INTO people VALUES (1, 'TOPSECRET-1');
)sql");
    auto started = llm::ScriptedServer::start_yaml(kScript);
    EXPECT_TRUE(started.ok()) << started.error();
    if (!started.ok()) return;
    server = std::move(*started);
    auto opened = llm::ResponseCache::open(tmp.file("cache.sqlite"), llm::CacheMode::kReadWrite);
    EXPECT_TRUE(opened.ok()) << opened.error();
    cache = std::move(*opened);
    llm::EndpointConfig e;
    e.name = "summaries";
    e.base_url = server->base_url();
    e.model = "m1";
    e.timeout_ms = 5000;
    e.backoff_initial_ms = 5;
    e.backoff_max_ms = 20;
    auto c = llm::LlmClient::create(e, llm::ClientContext{loop, cache, std::make_shared<llm::UsageMeter>(), {}});
    EXPECT_TRUE(c.ok()) << c.error();
    client = std::move(*c);
    ArtifactOptions artifacts;
    artifacts.root = tmp.file("artifacts");
    ProfileOptions options;
    options.deny = {"people.secret"};
    auto profiled = profiled_catalog(db, artifacts, options);
    EXPECT_TRUE(profiled.ok()) << profiled.error();
    catalog = *profiled;
  }
};

TEST(Summaries, BatchesRepairsAndCaches) {
  SummaryFixture s;
  ASSERT_TRUE(s.server && s.client);
  SummaryOptions options;
  options.fields_per_call = 2;
  options.deny = {"people.secret"};
  auto run = summarize_catalog(s.catalog, *s.client, options);
  ASSERT_TRUE(run.ok()) << run.error();
  EXPECT_EQ(run->fields, 3u);
  EXPECT_EQ(run->summarized, 3u);
  EXPECT_EQ(run->failed, 0u);
  EXPECT_EQ(run->repairs, 1u);  // the incomplete reply (the non-JSON one the client repaired itself)
  const auto* team = s.catalog.find_table("team");
  ASSERT_NE(team, nullptr);
  EXPECT_EQ(team->find_column("id")->summary_short, "Team number");
  EXPECT_EQ(team->find_column("id")->summary_long, "Key of the team.");  // kept from the partial reply
  EXPECT_EQ(team->find_column("name")->summary_short, "Team name");
  EXPECT_EQ(s.catalog.find_table("people")->find_column("id")->summary_short, "Person number");
  EXPECT_TRUE(s.catalog.find_table("people")->find_column("secret")->summary_short.empty());
  EXPECT_TRUE(s.catalog.profile.summaries);

  // Every rule answered, in order; the denied column never reached the server.
  std::map<std::string, int> by_rule;
  for (const auto& request : s.server->requests()) {
    ++by_rule[request.rule];
    EXPECT_EQ(request.body.find("secret"), std::string::npos) << request.body;
    EXPECT_EQ(request.body.find("TOPSECRET"), std::string::npos);
  }
  EXPECT_EQ(by_rule["not-json"], 1);
  EXPECT_EQ(by_rule["incomplete"], 1);
  EXPECT_EQ(by_rule["team"], 1);
  EXPECT_EQ(by_rule["people"], 1);
  // The prompt carries the profile: values and statistics.
  bool saw_values = false;
  for (const auto& request : s.server->requests()) {
    if (request.body.find("values: 'Red', 'Blue'") != std::string::npos ||
        request.body.find("values: 'Blue', 'Red'") != std::string::npos) {
      saw_values = true;
    }
  }
  EXPECT_TRUE(saw_values);

  // Existing summaries are kept; overwriting asks again and the cache answers.
  auto none = summarize_catalog(s.catalog, *s.client, options);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->fields, 0u);
  options.overwrite = true;
  size_t before = s.server->request_count();
  auto replay = summarize_catalog(s.catalog, *s.client, options);
  ASSERT_TRUE(replay.ok()) << replay.error();
  EXPECT_EQ(replay->summarized, 3u);
  EXPECT_EQ(replay->cached, replay->calls);
  EXPECT_EQ(s.server->request_count(), before);
}

TEST(Summaries, ReplySchemaChecks) {
  std::vector<FieldRef> fields = {{"people", "id"}};
  std::vector<FieldSummary> out;
  EXPECT_EQ(reply_schema_problem(R"({"fields": [{"table": "people", "column": "id", "short": "x"}]})", fields, &out),
            "entry 1 needs string fields \"table\", \"column\", \"short\" and \"long\"");
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(reply_schema_problem(R"([1, 2])", fields), "the reply is not a JSON object");
  EXPECT_EQ(reply_schema_problem(R"({"items": []})", fields), "the reply has no \"fields\" array");
  EXPECT_EQ(reply_schema_problem(R"({"fields": []})", fields), "missing fields: people.id");
  EXPECT_EQ(reply_schema_problem("nope", fields), "the reply is not valid JSON");
  EXPECT_EQ(reply_schema_problem(R"({"fields": [{"table": "people", "column": "id", "short": " ", "long": "l"}]})", fields),
            "people.id has an empty summary");
  EXPECT_EQ(reply_schema_problem(R"({"fields": [{"table": "PEOPLE", "column": "Id", "short": "s", "long": "l"},
                                               {"table": "other", "column": "x", "short": "s", "long": "l"}]})",
                                 fields, &out),
            "");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].field, 0u);
  EXPECT_EQ(out[0].short_text, "s");
}

TEST(Summaries, KeepsWhatAPartialReplyGaveAndGivesUpAfterMaxAttempts) {
  SummaryFixture s;
  ASSERT_TRUE(s.server && s.client);
  SummaryOptions options;
  options.deny = {"people.*"};
  options.max_attempts = 1;
  auto run = summarize_catalog(s.catalog, *s.client, options);
  ASSERT_TRUE(run.ok()) << run.error();
  EXPECT_EQ(run->fields, 2u);
  EXPECT_EQ(run->summarized, 1u);  // team.id from the incomplete reply
  EXPECT_EQ(run->failed, 1u);
  EXPECT_EQ(run->repairs, 0u);
  EXPECT_EQ(s.catalog.find_table("team")->find_column("id")->summary_long, "Key of the team.");
  EXPECT_TRUE(s.catalog.find_table("team")->find_column("name")->summary_short.empty());
  for (const auto& request : s.server->requests()) EXPECT_NE(request.rule, "people");
}

}  // namespace
}  // namespace askguru::profile
