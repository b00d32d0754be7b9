// Selection over real SQLite results and a real scripted selector endpoint:
// clustering (column order ignored, row order only when both candidates order),
// the fast path (no selector request at all), the tournament choosing a minority
// cluster the selector prefers, a selector that is down or replies garbage (the
// deterministic rule), no valid candidate, and reply parsing.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "askguru/catalog/catalog.h"
#include "askguru/db/connection.h"
#include "askguru/guard/policy.h"
#include "askguru/llm/client.h"
#include "askguru/llm/http_loop.h"
#include "askguru/llm/prompt_template.h"
#include "askguru/llm/request_group.h"
#include "askguru/llm/scripted_server.h"
#include "askguru/pipeline/selection.h"

namespace askguru::pipeline {
namespace {

namespace fs = std::filesystem;

const char* kShop = R"(
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, price REAL, qty INTEGER);
INSERT INTO item VALUES (1, 'pen', 1.5, 10), (2, 'ink', 3.0, 3), (3, 'pad', 2.0, 0), (4, 'cap', 0.5, 7);
)";

class SelectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("askguru_selection_test_" + std::to_string(rd()));
    fs::create_directories(root_);
    const std::string path = (root_ / "shop.sqlite").string();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, kShop, nullptr, nullptr, &err);
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK);
    auto conn = db::open_connection(path);
    ASSERT_TRUE(conn.ok()) << conn.error();
    conn_ = std::move(*conn);
    auto catalog = conn_->introspect();
    ASSERT_TRUE(catalog.ok()) << catalog.error();
    catalog_ = std::move(*catalog);
    auto prompts = llm::PromptLibrary::load_embedded();
    ASSERT_TRUE(prompts.ok()) << prompts.error();
    prompts_ = std::make_unique<llm::PromptLibrary>(std::move(*prompts));
  }
  void TearDown() override {
    conn_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // One candidate per SQL; generator rank = position.
  std::vector<Candidate> pool(const std::vector<std::string>& sqls) {
    std::vector<Candidate> out;
    for (size_t i = 0; i < sqls.size(); ++i) {
      Candidate c;
      c.id = i;
      c.sql = sqls[i];
      c.origin.generator = "g" + std::to_string(i);
      c.origin.generator_rank = static_cast<int>(i);
      fill_candidate_checks(c, catalog_, guard::default_policy());
      execute_candidate(c, *conn_);
      out.push_back(std::move(c));
    }
    return out;
  }

  std::unique_ptr<llm::ScriptedServer> server(const std::string& yaml) {
    auto s = llm::ScriptedServer::start_yaml(yaml);
    EXPECT_TRUE(s.ok()) << s.error();
    return s.ok() ? std::move(*s) : nullptr;
  }

  std::unique_ptr<llm::LlmClient> client(const llm::ScriptedServer& s) {
    llm::EndpointConfig e;
    e.name = "judge";
    e.base_url = s.base_url();
    e.model = "judge-model";
    e.timeout_ms = 5000;
    e.max_retries = 1;
    e.backoff_initial_ms = 5;
    e.backoff_max_ms = 20;
    auto c = llm::LlmClient::create(e, llm::ClientContext{loop_, nullptr, nullptr, {}});
    EXPECT_TRUE(c.ok()) << c.error();
    return c.ok() ? std::move(*c) : nullptr;
  }

  SelectionStage stage(llm::LlmClient* selector, SelectionOptions options = {}) {
    auto s = SelectionStage::create(selector, prompts_.get(), options);
    EXPECT_TRUE(s.ok()) << s.error();
    return std::move(*s);
  }

  SelectionContext context() const { return {"Which items are well stocked?", "", "CREATE TABLE item(...)"}; }

  fs::path root_;
  std::unique_ptr<db::Connection> conn_;
  catalog::Catalog catalog_;
  std::unique_ptr<llm::PromptLibrary> prompts_;
  std::shared_ptr<llm::HttpLoop> loop_ = std::make_shared<llm::HttpLoop>();
};

TEST_F(SelectionTest, FillsChecksAndExecution) {
  auto p = pool({"select name from item where qty > 5 order by name", "SELEC nonsense", "SELECT nope FROM item",
                 "DELETE FROM item"});
  EXPECT_TRUE(p[0].checks.parsed);
  EXPECT_TRUE(p[0].checks.allowed);
  EXPECT_TRUE(p[0].checks.orders_output);
  EXPECT_EQ(p[0].checks.canonical, "SELECT name FROM item WHERE qty > 5 ORDER BY name");
  EXPECT_EQ(p[0].checks.canonical_tokens, 11u);
  EXPECT_TRUE(p[0].valid());
  EXPECT_EQ(p[0].execution.result.rows.size(), 2u);
  EXPECT_FALSE(p[1].checks.parsed);
  EXPECT_FALSE(p[1].valid());
  EXPECT_FALSE(p[2].valid());  // unknown column: a binding error at execution
  EXPECT_FALSE(p[3].checks.allowed);
  EXPECT_FALSE(p[3].execution.ran);
  EXPECT_EQ(p[3].execution.status.code(), ErrorCode::kRefused);
}

TEST_F(SelectionTest, ClustersIgnoreColumnOrder) {
  auto p = pool({"SELECT name, qty FROM item", "SELECT qty, name FROM item", "SELECT name, price FROM item",
                 "SELECT item.qty AS q, item.name FROM item WHERE 1 = 1"});
  auto clusters = cluster_candidates(p);
  ASSERT_EQ(clusters.size(), 2u);
  EXPECT_EQ(clusters[0].members, (std::vector<size_t>{0, 1, 3}));
  EXPECT_EQ(clusters[1].members, (std::vector<size_t>{2}));
  EXPECT_EQ(p[0].cluster, 0);
  EXPECT_EQ(p[2].cluster, 1);
}

TEST_F(SelectionTest, RowOrderCountsOnlyWhenBothOrder) {
  auto p = pool({"SELECT name FROM item ORDER BY id", "SELECT name FROM item ORDER BY id DESC", "SELECT name FROM item",
                 "SELECT name FROM item ORDER BY id ASC"});
  auto clusters = cluster_candidates(p);
  // 0 and 3 agree in order; 1 is the reverse order; 2 has no order, so it equals every
  // one of them as a multiset and joins the first cluster it fully matches.
  ASSERT_EQ(clusters.size(), 2u);
  EXPECT_EQ(p[0].cluster, p[3].cluster);
  EXPECT_EQ(p[0].cluster, p[2].cluster);
  EXPECT_NE(p[0].cluster, p[1].cluster);
  EXPECT_EQ(clusters[0].size(), 3u);
}

TEST_F(SelectionTest, UnorderedResultsIgnoreRowOrder) {
  auto p = pool({"SELECT name FROM item ORDER BY id DESC", "SELECT name FROM item ORDER BY name"});
  p[0].checks.orders_output = false;  // as if neither ordered: a multiset comparison
  EXPECT_EQ(cluster_candidates(p).size(), 1u);
  p[0].checks.orders_output = true;
  EXPECT_EQ(cluster_candidates(p).size(), 2u);
}

TEST_F(SelectionTest, FastPathMakesNoSelectorCall) {
  auto s = server(R"(
rules:
  - reply: {text: '{"answer": "A"}'}
)");
  ASSERT_TRUE(s);
  auto judge = client(*s);
  auto p = pool({"SELECT name FROM item WHERE qty > 5 AND 1 = 1", "SELECT name FROM item WHERE qty > 5",
                 "SELECT item.name FROM item WHERE item.qty >= 6", "SELEC broken"});
  Trace trace;
  Selection sel = stage(judge.get()).select(p, context(), trace);
  EXPECT_EQ(s->request_count(), 0u);
  EXPECT_TRUE(sel.fast_path);
  EXPECT_EQ(sel.rule, SelectionRule::kFastPath);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 1u);  // the fewest canonical tokens
  EXPECT_EQ(sel.valid_candidates, 3u);
  EXPECT_DOUBLE_EQ(sel.agreement, 1.0);
  EXPECT_EQ(sel.selector_calls, 0u);
  EXPECT_TRUE(trace.calls().empty());
  EXPECT_EQ(p[3].cluster, -1);
}

TEST_F(SelectionTest, SimplestTieGoesToBetterRank) {
  auto p = pool({"SELECT name FROM item WHERE qty > 6", "SELECT name FROM item WHERE qty > 5"});
  p[0].origin.generator_rank = 3;
  p[1].origin.generator_rank = 1;
  Trace trace;
  Selection sel = stage(nullptr).select(p, context(), trace);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 1u);
}

// The right answer (qty > 5: pen, cap) is a minority; the selector prefers it.
const std::vector<std::string> kMinorityPool = {
    "SELECT name FROM item",                  // cluster of 3 (wrong)
    "SELECT name FROM item WHERE qty >= 0",   //
    "SELECT name FROM item WHERE price > 0",  //
    "SELECT name FROM item WHERE qty > 5",    // the right one, alone
    "SELECT name FROM item WHERE qty = 3",    // another wrong one, alone
};

TEST_F(SelectionTest, TournamentPicksPreferredMinorityCluster) {
  auto s = server(R"(
rules:
  - match: {regex: '### Candidate A\n```sql\n[^`]*qty > 5'}
    reply: {text: 'The hint says well stocked. {"reason": "A filters on stock", "answer": "A"}'}
  - match: {regex: '### Candidate B\n```sql\n[^`]*qty > 5'}
    reply: {text: '```json\n{"reason": "B filters on stock", "answer": "B"}\n```'}
  - reply: {text: '{"reason": "coin", "answer": "A"}'}
)");
  ASSERT_TRUE(s);
  auto judge = client(*s);
  auto p = pool(kMinorityPool);
  Trace trace;
  Selection sel = stage(judge.get()).select(p, context(), trace);
  EXPECT_EQ(sel.rule, SelectionRule::kTournament);
  EXPECT_FALSE(sel.fast_path);
  ASSERT_EQ(sel.clusters.size(), 3u);
  EXPECT_EQ(sel.clusters[0].size(), 3u);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 3u);
  EXPECT_EQ(sel.selector_calls, 3u);  // round robin of 3 clusters
  EXPECT_EQ(sel.selector_failures, 0u);
  EXPECT_EQ(s->request_count(), 3u);
  EXPECT_EQ(sel.clusters[*sel.chosen_cluster].wins, 2);
  nlohmann::json j = selection_to_json(sel);
  EXPECT_EQ(j["rule"], "tournament");
  EXPECT_EQ(j["chosen"], 3);
  EXPECT_EQ(j["clusters"].size(), 3u);
  EXPECT_EQ(j["votes"].size(), 3u);
  EXPECT_DOUBLE_EQ(sel.agreement, 0.2);
  auto calls = trace.calls();
  ASSERT_EQ(calls.size(), 3u);
  for (const auto& call : calls) {
    EXPECT_EQ(call.purpose, "select");
    EXPECT_EQ(call.endpoint, "judge");
    EXPECT_TRUE(call.error.empty()) << call.error;
  }
  // Every request carried the question, both SQLs and the result samples.
  for (const auto& r : s->requests()) {
    EXPECT_NE(r.body.find("Which items are well stocked?"), std::string::npos);
    EXPECT_NE(r.body.find("rows)"), std::string::npos);
  }
}

TEST_F(SelectionTest, TopKLimitsTheTournament) {
  auto s = server(R"(
rules:
  - reply: {text: '{"answer": "B"}'}
)");
  ASSERT_TRUE(s);
  auto judge = client(*s);
  auto p = pool(kMinorityPool);
  SelectionOptions options;
  options.top_k = 2;
  options.both_orders = true;
  Trace trace;
  Selection sel = stage(judge.get(), options).select(p, context(), trace);
  // Two clusters, asked both ways: B wins each time, one win each; the tie goes to the larger.
  EXPECT_EQ(sel.selector_calls, 2u);
  EXPECT_EQ(s->request_count(), 2u);
  EXPECT_EQ(sel.rule, SelectionRule::kTournament);
  ASSERT_TRUE(sel.chosen_cluster);
  EXPECT_EQ(*sel.chosen_cluster, 0u);
}

TEST_F(SelectionTest, SelectorDownFallsBackToDeterministicRule) {
  auto s = server(R"(
rules:
  - reply: {status: 500, error: "overloaded"}
)");
  ASSERT_TRUE(s);
  auto judge = client(*s);
  auto p = pool(kMinorityPool);
  Trace trace;
  Selection sel = stage(judge.get()).select(p, context(), trace);
  EXPECT_EQ(sel.rule, SelectionRule::kDeterministic);
  EXPECT_EQ(sel.selector_calls, 3u);
  EXPECT_EQ(sel.selector_failures, 3u);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(p[*sel.chosen].cluster, 0);  // the largest cluster
  EXPECT_EQ(*sel.chosen, 0u);            // its simplest SQL
  auto calls = trace.calls();
  ASSERT_EQ(calls.size(), 3u);
  for (const auto& call : calls) EXPECT_FALSE(call.error.empty());
  bool noted = false;
  for (const auto& [stage_name, message] : trace.notes()) {
    if (message.find("deterministic") != std::string::npos) noted = true;
  }
  EXPECT_TRUE(noted);
}

TEST_F(SelectionTest, UnreachableSelectorFallsBack) {
  int port = 0;
  {
    auto s = server("rules: []\n");
    ASSERT_TRUE(s);
    port = s->port();
  }  // stopped: nothing listens there now
  llm::EndpointConfig e;
  e.name = "gone";
  e.base_url = "http://127.0.0.1:" + std::to_string(port);
  e.model = "m";
  e.timeout_ms = 2000;
  e.max_retries = 0;
  auto judge = llm::LlmClient::create(e, llm::ClientContext{loop_, nullptr, nullptr, {}});
  ASSERT_TRUE(judge.ok()) << judge.error();
  auto p = pool(kMinorityPool);
  Trace trace;
  Selection sel = stage(judge->get()).select(p, context(), trace);
  EXPECT_EQ(sel.rule, SelectionRule::kDeterministic);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 0u);
}

TEST_F(SelectionTest, GarbageRepliesAreNoVotes) {
  auto s = server(R"(
rules:
  - times: 1
    reply: {text: 'Both look plausible to me.'}
  - times: 1
    reply: {text: '{"answer": "C"}'}
  - reply: {fault: malformed_json}
)");
  ASSERT_TRUE(s);
  auto judge = client(*s);
  auto p = pool(kMinorityPool);
  Trace trace;
  Selection sel = stage(judge.get()).select(p, context(), trace);
  EXPECT_EQ(sel.rule, SelectionRule::kDeterministic);
  EXPECT_EQ(sel.selector_failures, sel.selector_calls);
  ASSERT_EQ(sel.votes.size(), 3u);
  for (const auto& v : sel.votes) {
    EXPECT_EQ(v.winner, -1);
    EXPECT_FALSE(v.reason.empty());
  }
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 0u);
}

TEST_F(SelectionTest, OneVoteIsEnoughWhenOthersFail) {
  auto s = server(R"(
rules:
  - match: {regex: '### Candidate B\n```sql\n[^`]*qty > 5'}
    reply: {text: '{"answer": "B"}'}
  - reply: {text: 'no idea'}
)");
  ASSERT_TRUE(s);
  auto judge = client(*s);
  auto p = pool(kMinorityPool);
  Trace trace;
  Selection sel = stage(judge.get()).select(p, context(), trace);
  EXPECT_EQ(sel.rule, SelectionRule::kTournament);
  EXPECT_GT(sel.selector_failures, 0u);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 3u);
}

TEST_F(SelectionTest, MajorityThresholdSkipsTheTournament) {
  auto s = server(R"(
rules:
  - reply: {text: '{"answer": "B"}'}
)");
  ASSERT_TRUE(s);
  auto judge = client(*s);
  auto p = pool(kMinorityPool);  // clusters of 3, 1, 1
  SelectionOptions options;
  options.majority_threshold = 0.6;  // 3/5 is enough
  Trace trace;
  Selection sel = stage(judge.get(), options).select(p, context(), trace);
  EXPECT_EQ(sel.rule, SelectionRule::kDeterministic);
  EXPECT_EQ(s->request_count(), 0u);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 0u);
  options.majority_threshold = 0.7;  // 3/5 is not: the tournament runs
  sel = stage(judge.get(), options).select(p, context(), trace);
  EXPECT_EQ(sel.rule, SelectionRule::kTournament);
  EXPECT_EQ(s->request_count(), 3u);
}

TEST_F(SelectionTest, DeadlineEndsASlowTournament) {
  auto s = server(R"(
rules:
  - reply: {text: '{"answer": "B"}', latency_ms: 5000}
)");
  ASSERT_TRUE(s);
  auto judge = client(*s);
  auto p = pool(kMinorityPool);
  SelectionOptions options;
  options.timeout = std::chrono::milliseconds(200);
  Trace trace;
  Selection sel = stage(judge.get(), options).select(p, context(), trace);
  EXPECT_EQ(sel.rule, SelectionRule::kDeterministic);
  EXPECT_EQ(sel.selector_failures, 3u);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 0u);
  // The question's group, cancelled before the stage runs: no vote either.
  auto group = std::make_shared<llm::RequestGroup>();
  group->cancel();
  Trace trace2;
  sel = stage(judge.get()).select(p, context(), trace2, group);
  EXPECT_EQ(sel.rule, SelectionRule::kDeterministic);
  EXPECT_EQ(sel.selector_failures, 3u);
}

TEST_F(SelectionTest, DeterministicRuleWithoutSelector) {
  auto p = pool({"SELECT name FROM item WHERE qty = 3", "SELECT name FROM item WHERE qty > 5",
                 "SELECT name FROM item WHERE qty >= 6", "SELECT name FROM item WHERE qty = 10"});
  // Clusters: {1, 2} (size 2), {0}, {3}. Largest wins.
  Trace trace;
  Selection sel = stage(nullptr).select(p, context(), trace);
  EXPECT_EQ(sel.rule, SelectionRule::kDeterministic);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 1u);
  EXPECT_DOUBLE_EQ(sel.agreement, 0.5);
  // Equal sizes: the better generator rank.
  auto q = pool({"SELECT name FROM item WHERE qty = 3", "SELECT name FROM item WHERE qty = 10"});
  q[0].origin.generator_rank = 5;
  sel = stage(nullptr).select(q, context(), trace);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 1u);
  // Equal sizes and ranks: the better join-check score.
  q[0].origin.generator_rank = 1;
  q[1].origin.generator_rank = 1;
  q[0].checks.score = 1.0;
  q[1].checks.score = 0.5;
  sel = stage(nullptr).select(q, context(), trace);
  ASSERT_TRUE(sel.chosen);
  EXPECT_EQ(*sel.chosen, 0u);
}

TEST_F(SelectionTest, NoValidCandidate) {
  auto p = pool({"SELEC name", "SELECT missing FROM item", "DROP TABLE item"});
  Trace trace;
  Selection sel = stage(nullptr).select(p, context(), trace);
  EXPECT_EQ(sel.rule, SelectionRule::kNoValidCandidate);
  EXPECT_FALSE(sel.chosen);
  EXPECT_EQ(sel.valid_candidates, 0u);
  ASSERT_EQ(sel.errors.size(), 3u);
  EXPECT_NE(sel.errors[1].find("missing"), std::string::npos) << sel.errors[1];
  EXPECT_NE(sel.summary().find("no valid candidate"), std::string::npos);
}

TEST_F(SelectionTest, PromptMustUseBothSqls) {
  llm::PromptLibrary library = *prompts_;
  ASSERT_TRUE(library.add("select_pairwise", "Pick one: {{sql_a}}").ok());
  auto s = server("rules: []\n");
  ASSERT_TRUE(s);
  auto judge = client(*s);
  EXPECT_FALSE(SelectionStage::create(judge.get(), &library).ok());
  ASSERT_TRUE(library.add("select_pairwise", "{{sql_a}} or {{sql_b}} for {{unknown}}").ok());
  auto bad = SelectionStage::create(judge.get(), &library);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("unknown"), std::string::npos);
  ASSERT_TRUE(library.add("select_pairwise", "{{sql_a}} or {{sql_b}}?").ok());
  EXPECT_TRUE(SelectionStage::create(judge.get(), &library).ok());
}

TEST(SelectorReply, Parses) {
  EXPECT_EQ(*parse_selector_reply(R"({"reason": "x", "answer": "A"})"), 0);
  EXPECT_EQ(*parse_selector_reply(R"(<think>A or B?</think> {"answer": "b"})"), 1);
  EXPECT_EQ(*parse_selector_reply("```json\n{\"answer\": \"Candidate B\"}\n```"), 1);
  EXPECT_EQ(*parse_selector_reply(R"({"winner": 2})"), 1);
  EXPECT_EQ(*parse_selector_reply("B"), 1);
  EXPECT_EQ(*parse_selector_reply(" A. "), 0);
  EXPECT_EQ(*parse_selector_reply("Looking at both, the answer is B."), 1);
  EXPECT_EQ(*parse_selector_reply("**Answer:** A"), 0);
  std::string reason;
  EXPECT_EQ(*parse_selector_reply(R"({"reason": "filters", "answer": "A"})", &reason), 0);
  EXPECT_EQ(reason, "filters");
  EXPECT_FALSE(parse_selector_reply("").ok());
  EXPECT_FALSE(parse_selector_reply("Both are wrong.").ok());
  EXPECT_FALSE(parse_selector_reply(R"({"answer": "C"})").ok());
  EXPECT_FALSE(parse_selector_reply(R"({"answer": "A or B"})").ok());
  EXPECT_FALSE(parse_selector_reply("the answer is about apples").ok());
}

TEST(ResultSample, ShowsFirstRowsAndCount) {
  db::ResultSet r;
  r.columns = {"name"};
  for (int i = 0; i < 7; ++i) r.rows.push_back({db::Value::text("n" + std::to_string(i))});
  std::string s = result_sample(r, 3);
  EXPECT_NE(s.find("n2"), std::string::npos);
  EXPECT_EQ(s.find("n3"), std::string::npos);
  EXPECT_NE(s.find("7 rows in all"), std::string::npos);
  EXPECT_EQ(result_sample(db::ResultSet{}, 3), "(no rows)");
}

}  // namespace
}  // namespace askguru::pipeline
