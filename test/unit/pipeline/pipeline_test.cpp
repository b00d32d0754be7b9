// End-to-end tests of the pipeline: a real SQLite database, a real scripted LLM
// server on 127.0.0.1, every stage, routing policy and failure mode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "askguru/pipeline/intent.h"
#include "askguru/pipeline/router.h"
#include "unit/pipeline/pipeline_fixture.h"

namespace askguru::pipeline {
namespace {

using testing::rule;
using testing::sql_reply;

class Pipeline : public testing::PipelineFixture {};

const char* kTwoGenerators = R"(generators:
  - {name: standard, endpoint: gen-a, style: standard, schemas: [S1]}
  - {name: reasoning, endpoint: gen-b, style: reasoning, schemas: [S2], format: mschema}
)";

TEST_F(Pipeline, FastPathWhenAllCandidatesAgreeMakesNoSelectorCall) {
  start_server(rule("a", sql_reply("SELECT COUNT(*) FROM member")) +
               rule("b", "Plan: count the members.\nFinal answer:\n" + sql_reply("SELECT count(member_id) FROM member")) +
               rule("fast", R"({"answer": "A"})", "Decide which one"));
  auto p = make_pipeline(config_yaml(std::string(kTwoGenerators) + "selection: {selector: fast}\n"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "How many members are there?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_TRUE(answer.selection.fast_path);
  EXPECT_EQ(answer.sql, "SELECT COUNT(*) FROM member");  // the simplest of the cluster
  ASSERT_EQ(answer.rows.rows.size(), 1u);
  EXPECT_EQ(answer.rows.rows[0][0].as_integer(), 4);
  EXPECT_EQ(requests_for("fast"), 0u);
  EXPECT_EQ(answer.candidates.size(), 2u);
  // Laplace agreement: 2 of 2 -> 3/4.
  EXPECT_DOUBLE_EQ(answer.confidence, 0.75);
  // The trace has both generation calls with their purpose and endpoint.
  auto calls = answer.trace->calls();
  ASSERT_EQ(calls.size(), 2u);
  for (const auto& c : calls) {
    EXPECT_EQ(c.purpose, "generate");
    EXPECT_TRUE(c.error.empty()) << c.error;
    EXPECT_GT(c.input_tokens, 0);
  }
  // The reasoning generator saw M-Schema; the evidence-free prompts still carry the values section only when found.
  EXPECT_EQ(requests_for("b", "First think step by step"), 1u);
}

TEST_F(Pipeline, TournamentPicksTheSelectorsChoiceEvenInTheMinority) {
  // Two samples of gen-a agree on first names; gen-b returns last names; the selector prefers last names.
  start_server(rule("a", sql_reply("SELECT first_name FROM member WHERE position = 'President'")) +
               rule("b", sql_reply("SELECT last_name FROM member WHERE position = 'President'")) +
               "  - match: {model: fast, regex: \"Candidate B\\\\s*```sql\\\\s*SELECT last_name\"}\n"
               "    reply: {text: '{\"reason\": \"asks for the surname\", \"answer\": \"B\"}'}\n" +
               rule("fast", R"({"reason": "asks for the surname", "answer": "A"})", "Decide which one"));
  auto p = make_pipeline(config_yaml(R"(generators:
  - {name: standard, endpoint: gen-a, temperatures: [0, 0.8]}
  - {name: other, endpoint: gen-b}
selection: {selector: fast}
)"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "What is the surname of the club's president?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_FALSE(answer.selection.fast_path);
  EXPECT_EQ(answer.selection.rule, SelectionRule::kTournament);
  EXPECT_EQ(answer.sql, "SELECT last_name FROM member WHERE position = 'President'");
  ASSERT_EQ(answer.rows.rows.size(), 1u);
  EXPECT_EQ(answer.rows.rows[0][0].as_text(), "Gilmour");
  EXPECT_EQ(requests_for("fast", "Decide which one"), 1u);
  // One of three agrees: (1 + 1) / (3 + 2).
  EXPECT_DOUBLE_EQ(answer.confidence, 0.4);
}

TEST_F(Pipeline, WithoutSelectorTheLargestClusterWins) {
  start_server(rule("a", sql_reply("SELECT first_name FROM member WHERE position = 'President'")) +
               rule("b", sql_reply("SELECT last_name FROM member WHERE position = 'President'")));
  auto p = make_pipeline(config_yaml(R"(generators:
  - {name: other, endpoint: gen-b}
  - {name: standard, endpoint: gen-a, temperatures: [0, 0.8]}
)"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "What is the name of the club's president?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_EQ(answer.selection.rule, SelectionRule::kDeterministic);
  EXPECT_EQ(answer.rows.rows[0][0].as_text(), "Grant");

  // With a selector but a majority threshold, a clear majority (2 of 3) is trusted without a call.
  start_server(rule("a", sql_reply("SELECT first_name FROM member WHERE position = 'President'")) +
               rule("b", sql_reply("SELECT last_name FROM member WHERE position = 'President'")) +
               rule("fast", R"({"answer": "B"})", "Decide which one"));
  auto judged = make_pipeline(config_yaml(R"(generators:
  - {name: other, endpoint: gen-b}
  - {name: standard, endpoint: gen-a, temperatures: [0, 0.8]}
selection: {selector: fast, majority_threshold: 0.5}
)"));
  ASSERT_TRUE(judged);
  Answer majority = ask(*judged, "What is the name of the club's president?");
  ASSERT_TRUE(majority.status.ok()) << majority.status.to_string();
  EXPECT_EQ(majority.rows.rows[0][0].as_text(), "Grant");
  EXPECT_EQ(requests_for("fast"), 0u);
}

TEST_F(Pipeline, FixerRepairsAnExecutionErrorWithThePreciseMessage) {
  start_server(rule("a", sql_reply("SELECT COUNT(*) FROM members")) +
               rule("fast", sql_reply("SELECT COUNT(*) FROM member"), "Repair it"));
  auto p = make_pipeline(config_yaml(R"(generators:
  - {name: standard, endpoint: gen-a}
fixer: {endpoint: fast, max_attempts_per_candidate: 2}
)"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "How many members are there?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_EQ(answer.sql, "SELECT COUNT(*) FROM member");
  ASSERT_EQ(answer.candidates.size(), 1u);
  EXPECT_EQ(answer.candidates[0].repaired_from, std::vector<std::string>{"SELECT COUNT(*) FROM members"});
  EXPECT_EQ(answer.candidates[0].fix_attempts, 1);
  // The repair prompt quoted the failing SQL and named the unknown table.
  EXPECT_EQ(requests_for("fast", "FROM members"), 1u);
  bool named = false;
  for (const auto& r : server_->requests()) named = named || r.body.find("members") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST_F(Pipeline, FixerRetriesAnEmptyResultAndStopsAtItsBound) {
  // The fixer keeps answering with an empty query: two attempts, then it stops.
  start_server(rule("a", sql_reply("SELECT first_name FROM member WHERE last_name = 'sanders'")) +
               rule("fast", sql_reply("SELECT first_name FROM member WHERE last_name = 'SANDERS'"), "Repair it",
                    "times: 1") +
               rule("fast", sql_reply("SELECT first_name FROM member WHERE last_name = 'Sanders'"), "Repair it"));
  auto p = make_pipeline(config_yaml(R"(generators:
  - {name: standard, endpoint: gen-a}
fixer: {endpoint: fast, max_attempts_per_candidate: 2, max_attempts_per_question: 5}
)"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "What is the first name of the member called Sanders?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_EQ(answer.rows.rows.size(), 1u);
  EXPECT_EQ(answer.rows.rows[0][0].as_text(), "Angela");
  EXPECT_EQ(answer.candidates[0].fix_attempts, 2);
  EXPECT_EQ(requests_for("fast", "returned no rows"), 2u);
}

TEST_F(Pipeline, GroundingAndLinkingUseTheLlmAndSurviveGarbage) {
  start_server(rule("fast", R"({"keywords": ["president"], "values": ["Grant"]})", "Extract what is needed") +
               rule("fast", R"({"tables": ["member"], "columns": ["member.first_name", "member.position", "member.nope"]})",
                    "Select the tables and columns") +
               rule("a", sql_reply("SELECT first_name FROM member WHERE position = 'President'")));
  auto p = make_pipeline(config_yaml(R"(grounding: {keywords_endpoint: fast}
linking: {endpoint: fast, passes: 2}
generators:
  - {name: standard, endpoint: gen-a, schemas: [S1]}
)"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "Who is the president?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_EQ(answer.grounding.keywords, std::vector<std::string>{"president"});
  bool found_president = false;
  for (const auto& v : answer.grounding.values) found_president = found_president || v.value == "President";
  EXPECT_TRUE(found_president);
  EXPECT_TRUE(answer.link.llm_selected);
  EXPECT_EQ(requests_for("fast", "Select the tables and columns"), 2u);  // two passes
  // S1 has the chosen columns (the unknown one dropped) and the matched value's column.
  bool has_first = false, has_nope = false, has_position = false;
  for (const auto& c : answer.link.precise) {
    has_first = has_first || c.column == "first_name";
    has_nope = has_nope || c.column == "nope";
    has_position = has_position || c.column == "position";
  }
  EXPECT_TRUE(has_first);
  EXPECT_TRUE(has_position);
  EXPECT_FALSE(has_nope);
  // The generator's S1 schema shows member but not event; values and keywords reached it.
  EXPECT_EQ(requests_for("a", "CREATE TABLE event"), 0u);
  EXPECT_EQ(requests_for("a", "President"), 1u);

  // Garbage from the fast endpoint: grounding and linking fall back, the answer still comes.
  start_server(rule("fast", "I cannot help with that.") +
               rule("a", sql_reply("SELECT first_name FROM member WHERE position = 'President'")));
  auto p2 = make_pipeline(config_yaml(R"(grounding: {keywords_endpoint: fast}
linking: {endpoint: fast}
generators:
  - {name: standard, endpoint: gen-a}
)"));
  ASSERT_TRUE(p2);
  Answer again = ask(*p2, "Who is the president?");
  ASSERT_TRUE(again.status.ok()) << again.status.to_string();
  EXPECT_FALSE(again.link.llm_selected);
  EXPECT_FALSE(again.link.precise.empty());
  bool noted = false;
  for (const auto& [stage, message] : again.trace->notes()) noted = noted || stage == "linking";
  EXPECT_TRUE(noted);
}

TEST_F(Pipeline, EveryPromptStyleAndProviderFormat) {
  // SQLCoder's completion format, Claude's Messages API (one request per sample),
  // in-context examples, and log-probabilities feeding the confidence.
  start_server(rule("a", "SELECT COUNT(*) FROM member\n[/SQL]") + rule("b", sql_reply("SELECT COUNT(*) FROM member")));
  std::string yaml = config_yaml(R"(generators:
  - {name: coder, endpoint: gen-a, style: sqlcoder}
  - {name: claude, endpoint: claude, style: reasoning, n: 2, temperatures: [0.7], thinking_budget: 1024}
  - {name: icl, endpoint: gen-b, style: icl, logprobs: true}
)");
  ::setenv("ASKGURU_TEST_ANTHROPIC_KEY", "sk-ant-test", 1);  // Anthropic requires a key header
  yaml.insert(yaml.find("generators:"), "  - {name: claude, kind: anthropic, base_url: " + server_->base_url() +
                                             ", model: b, api_key_env: ASKGURU_TEST_ANTHROPIC_KEY, timeout_ms: 5000, "
                                             "max_retries: 0}\n");
  auto p = make_pipeline(yaml);
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "How many members are there?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  ASSERT_EQ(answer.candidates.size(), 4u);
  EXPECT_TRUE(answer.selection.fast_path);
  size_t completions = 0, messages = 0, chats = 0;
  for (const auto& r : server_->requests()) {
    completions += r.path == "/v1/completions" ? 1 : 0;
    messages += r.path == "/v1/messages" ? 1 : 0;
    chats += r.path == "/v1/chat/completions" ? 1 : 0;
  }
  EXPECT_EQ(completions, 1u);
  EXPECT_EQ(messages, 2u);  // Anthropic has no n: one request per sample
  EXPECT_EQ(chats, 1u);
  EXPECT_EQ(requests_for("a", "[QUESTION]How many members are there?[/QUESTION]"), 1u);
  EXPECT_EQ(requests_for("b", "budget_tokens"), 2u);
  // One of four candidates has log-probabilities (-0.05 a token from the server):
  // confidence = ((4 + 1) / (4 + 2) + exp(-0.05)) / 2.
  EXPECT_NEAR(answer.confidence, (5.0 / 6.0 + std::exp(-0.05)) / 2.0, 1e-9);
}

TEST_F(Pipeline, SingleRoutesToThePrimaryOnly) {
  start_server(rule("a", sql_reply("SELECT COUNT(*) FROM member")) + rule("b", sql_reply("SELECT 1")));
  auto p = make_pipeline(config_yaml(std::string(kTwoGenerators) + "routing: {policy: single, primary: standard}\n"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "How many members are there?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_EQ(requests_for("a"), 1u);
  EXPECT_EQ(requests_for("b"), 0u);
}

TEST_F(Pipeline, FallbackCallsTheSecondaryOnlyWhenThePrimaryIsUnsure) {
  const std::string config = std::string(kTwoGenerators) +
                             "routing: {policy: fallback, primary: standard, secondary: reasoning, "
                             "confidence_threshold: 0.6, primary_samples: 3}\n";
  // Three agreeing samples: (3 + 1) / (3 + 2) = 0.8, confident.
  start_server(rule("a", sql_reply("SELECT COUNT(*) FROM member")) + rule("b", sql_reply("SELECT COUNT(*) FROM member")));
  auto p = make_pipeline(config_yaml(config));
  ASSERT_TRUE(p);
  Answer sure = ask(*p, "How many members are there?");
  ASSERT_TRUE(sure.status.ok()) << sure.status.to_string();
  EXPECT_DOUBLE_EQ(sure.confidence, 0.8);
  EXPECT_EQ(requests_for("b"), 0u);
  EXPECT_EQ(sure.candidates.size(), 3u);

  // Three disagreeing samples: 0.4 < 0.6, the secondary is asked and selection sees both pools.
  start_server("  - match: {model: a}\n    reply: {text: [\"SELECT first_name FROM member\", \"SELECT last_name FROM member\", "
               "\"SELECT email FROM member\"]}\n" +
               rule("b", sql_reply("SELECT last_name FROM member")));
  auto p2 = make_pipeline(config_yaml(config));
  ASSERT_TRUE(p2);
  Answer unsure = ask(*p2, "List the members' surnames.");
  ASSERT_TRUE(unsure.status.ok()) << unsure.status.to_string();
  EXPECT_EQ(requests_for("b"), 1u);
  EXPECT_EQ(unsure.candidates.size(), 4u);
  EXPECT_EQ(unsure.sql, "SELECT last_name FROM member");  // the cluster the secondary joined
  ASSERT_EQ(unsure.route.size(), 2u);
  EXPECT_NE(unsure.route[1].find("confidence"), std::string::npos);
}

TEST_F(Pipeline, ByComplexityRoutesOnLinkedTablesAndWording) {
  EXPECT_FALSE(question_looks_complex("How many members are there?"));
  EXPECT_TRUE(question_looks_complex("What is the average zip code of members in each major, highest first?"));
  start_server(rule("a", sql_reply("SELECT COUNT(*) FROM member")) + rule("b", sql_reply("SELECT COUNT(*) FROM member")));
  auto p = make_pipeline(config_yaml(std::string(kTwoGenerators) +
                                     "routing: {policy: by_complexity, complex_tables: 3, simple: [standard], "
                                     "complex: [reasoning]}\n"));
  ASSERT_TRUE(p);
  ASSERT_TRUE(ask(*p, "How many members are there?").status.ok());
  EXPECT_EQ(requests_for("a"), 1u);
  EXPECT_EQ(requests_for("b"), 0u);
  ask(*p, "What is the average zip code of members in each major, highest first?");
  EXPECT_EQ(requests_for("b"), 1u);
}

TEST_F(Pipeline, EnsembleAsksEveryGenerator) {
  start_server(rule("a", sql_reply("SELECT COUNT(*) FROM member")) + rule("b", sql_reply("SELECT COUNT(*) FROM member")));
  auto p = make_pipeline(config_yaml(kTwoGenerators));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "How many members are there?");
  ASSERT_TRUE(answer.status.ok());
  EXPECT_EQ(requests_for("a"), 1u);
  EXPECT_EQ(requests_for("b"), 1u);
  EXPECT_EQ(answer.route.front(), "ensemble: 2 generators");
}

TEST_F(Pipeline, BudgetLimitsCallsAndSaysSo) {
  start_server(rule("fast", R"({"keywords": [], "values": []})", "Extract what is needed") +
               rule("a", sql_reply("SELECT COUNT(*) FROM member")) + rule("b", sql_reply("SELECT COUNT(*) FROM member")));
  auto p = make_pipeline(config_yaml(std::string(kTwoGenerators) +
                                     "grounding: {keywords_endpoint: fast}\nbudget: {max_calls: 2}\n"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "How many members are there?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();  // one generator still got through
  EXPECT_EQ(server_->request_count(), 2u);
  size_t refused = 0;
  for (const auto& c : answer.trace->calls()) refused += c.error.find("budget") != std::string::npos ? 1 : 0;
  EXPECT_EQ(refused, 1u);
}

TEST_F(Pipeline, TheTournamentFitsTheBudgetThatIsLeft) {
  start_server(rule("a", sql_reply("SELECT first_name FROM member")) + rule("b", sql_reply("SELECT last_name FROM member")) +
               rule("fast", R"({"answer": "B"})", "Decide which one"));
  const std::string lineup = "generators:\n  - {name: standard, endpoint: gen-a}\n  - {name: other, endpoint: gen-b}\n"
                             "selection: {selector: fast}\n";
  // Two generator calls use the whole budget: the deterministic rule decides.
  auto p = make_pipeline(config_yaml(lineup + "budget: {max_calls: 2}\n"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "List the members.");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_EQ(answer.selection.rule, SelectionRule::kDeterministic);
  EXPECT_EQ(requests_for("fast"), 0u);
  // One call left: the tournament of two runs.
  auto q = make_pipeline(config_yaml(lineup + "budget: {max_calls: 3}\n"));
  ASSERT_TRUE(q);
  Answer judged = ask(*q, "List the members.");
  EXPECT_EQ(judged.selection.rule, SelectionRule::kTournament);
  EXPECT_EQ(requests_for("fast"), 1u);
}

TEST_F(Pipeline, DeadlineEndsSlowCallsWithAClearError) {
  start_server("  - match: {model: a}\n    reply: {text: 'SELECT 1', latency_ms: 3000}\n");
  auto p = make_pipeline(config_yaml("generators:\n  - {name: standard, endpoint: gen-a}\nbudget: {deadline_ms: 300}\n"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "How many members are there?");
  EXPECT_EQ(answer.status.code(), ErrorCode::kNotFound);
  auto calls = answer.trace->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_NE(calls[0].error.find("timeout"), std::string::npos) << calls[0].error;
}

TEST_F(Pipeline, AnEndpointThatIsDownDegradesWithoutCrashing) {
  start_server(rule("a", sql_reply("SELECT COUNT(*) FROM member")));
  // gen-b points at a closed port; gen-a still answers.
  std::string yaml = config_yaml(std::string(kTwoGenerators) + "selection: {selector: fast}\n");
  const std::string live = server_->base_url();
  size_t at = yaml.find(live, yaml.find("name: gen-b"));
  yaml.replace(at, live.size(), "http://127.0.0.1:1");
  auto p = make_pipeline(yaml);
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "How many members are there?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_EQ(answer.trace->totals().failed_calls, 1u);

  // Every endpoint down: a clear error, no crash.
  auto down = make_pipeline(config_yaml(kTwoGenerators, "http://127.0.0.1:1"));
  ASSERT_TRUE(down);
  Answer none = ask(*down, "How many members are there?");
  EXPECT_EQ(none.status.code(), ErrorCode::kNotFound);
  EXPECT_NE(none.status.message().find("no candidate"), std::string::npos);
  EXPECT_EQ(none.trace->totals().failed_calls, 2u);
}

TEST_F(Pipeline, GarbageAndBrokenRepliesCostCandidatesNotTheAnswer) {
  // gen-a's replies are broken on the wire; gen-b talks prose without SQL once, then answers.
  start_server("  - match: {model: a}\n    reply: {fault: malformed_json}\n" +
               rule("b", "I am not sure what you mean.", "", "times: 1") +
               rule("b", sql_reply("SELECT COUNT(*) FROM member")));
  auto p = make_pipeline(config_yaml(R"(generators:
  - {name: standard, endpoint: gen-a}
  - {name: other, endpoint: gen-b, temperatures: [0, 0.9]}
)"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "How many members are there?");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_EQ(answer.sql, "SELECT COUNT(*) FROM member");
  EXPECT_EQ(answer.candidates.size(), 1u);
  size_t no_sql = 0, broken = 0;
  for (const auto& [stage, message] : answer.trace->notes()) {
    no_sql += message.find("no SQL in the reply") != std::string::npos ? 1 : 0;
    broken += stage == "generation" && message.rfind("standard:", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(no_sql, 1u);
  EXPECT_EQ(broken, 1u);
}

TEST_F(Pipeline, QuestionsThatAskToChangeDataAreRefusedBeforeAnyCall) {
  start_server(rule("a", sql_reply("DELETE FROM member")));
  auto p = make_pipeline(config_yaml(kTwoGenerators));
  ASSERT_TRUE(p);
  for (const char* q : {"Delete all members of the Law major.", "Please update the zip of Angela to 2140",
                        "Could you add a new event called Picnic?", "DROP TABLE member"}) {
    Answer answer = ask(*p, q);
    EXPECT_EQ(answer.status.code(), ErrorCode::kRefused) << q;
  }
  EXPECT_EQ(server_->request_count(), 0u);
  // Reading questions with the same words are not refused.
  EXPECT_FALSE(write_intent("How many events were deleted from the calendar?"));
  EXPECT_FALSE(write_intent("Add up the zip codes of all members."));
  EXPECT_FALSE(write_intent("Which members changed their major?"));

  // A generator that writes for an innocent question is refused by the guardrail.
  Answer writes = ask(*p, "Which members are there?");
  EXPECT_FALSE(writes.status.ok());
  EXPECT_EQ(writes.status.code(), ErrorCode::kRefused) << writes.status.to_string();
  EXPECT_FALSE(writes.candidates[0].checks.allowed);
}

TEST_F(Pipeline, DeniedColumnsNeverReachTheAnswer) {
  // The policy withholds member.email: "SELECT *" runs as the guardrail's expansion without it.
  start_server(rule("a", sql_reply("SELECT * FROM member WHERE position = 'President'")) +
               rule("b", sql_reply("SELECT email FROM member")));
  const std::string policy = dir_.file("policy.yaml");
  std::ofstream(policy) << "name: no_email\ncolumns:\n  deny: [member.email]\nselect_star: expand\n";
  auto p = make_pipeline(config_yaml("generators:\n  - {name: standard, endpoint: gen-a}\npolicy: " + policy + "\n"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "Show everything about the president.");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  EXPECT_EQ(std::find(answer.rows.columns.begin(), answer.rows.columns.end(), "email"), answer.rows.columns.end());
  EXPECT_EQ(answer.sql.find('*'), std::string::npos) << answer.sql;
  ASSERT_EQ(answer.rows.rows.size(), 1u);

  // A candidate that names the column is refused, and nothing else answers.
  auto q = make_pipeline(config_yaml("generators:\n  - {name: other, endpoint: gen-b}\npolicy: " + policy + "\n"));
  ASSERT_TRUE(q);
  Answer refused = ask(*q, "List the members' email addresses.");
  EXPECT_FALSE(refused.status.ok());
  EXPECT_FALSE(refused.candidates[0].checks.allowed);
}

TEST_F(Pipeline, DeniedColumnsNeverReachAPrompt) {
  // The artifacts are built without the policy (as if cached before it), so the value
  // index holds the e-mail addresses and the example store a query that reads them.
  std::string examples = dir_.file("train.json");
  std::ofstream(examples) << R"([
 {"db_id": "club", "question": "Give the contact of Angela Sanders.", "query": "SELECT email FROM member WHERE first_name = 'Angela' AND last_name = 'Sanders'"},
 {"db_id": "club", "question": "How many members are there?", "query": "SELECT COUNT(*) FROM member"}
])";
  database(examples);
  start_server(rule("a", sql_reply("SELECT first_name, last_name FROM member WHERE first_name = 'Grant'")) +
               rule("fast", R"({"keywords": ["contact", "Grant"], "values": ["Grant Gilmour"]})"));
  const std::string policy = dir_.file("policy.yaml");
  std::ofstream(policy) << "name: no_email\ncolumns:\n  deny: [member.email]\n";
  auto p = make_pipeline(config_yaml("grounding: {keywords_endpoint: fast}\n"
                                     "generators:\n  - {name: icl, endpoint: gen-a, style: icl}\npolicy: " + policy + "\n"));
  ASSERT_TRUE(p);
  Answer answer = ask(*p, "Give the contact of Grant Gilmour.");
  ASSERT_TRUE(answer.status.ok()) << answer.status.to_string();
  // The stored example matched, but the policy refuses its SQL: no offline answer.
  EXPECT_FALSE(answer.offline);
  bool refused_offline = false;
  for (const auto& [stage, message] : answer.trace->notes()) {
    refused_offline = refused_offline || (stage == "offline" && message.find("policy refuses") != std::string::npos);
  }
  EXPECT_TRUE(refused_offline);
  // Neither the column, nor its values, nor the example that reads it reached an LLM.
  ASSERT_GE(server_->request_count(), 2u);
  for (const auto& r : server_->requests()) {
    if (r.body.find("Give the contact of Grant") == std::string::npos) continue;
    EXPECT_EQ(r.body.find("email"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("example.com"), std::string::npos) << r.body;
  }
  EXPECT_GE(requests_for("a", "How many members are there?"), 1u);  // the allowed example is shown
}

TEST_F(Pipeline, ConfigErrorsNameTheKeyAndLine) {
  start_server(rule("a", "SELECT 1"));
  auto bad = PipelineConfig::from_yaml(config_yaml("generators:\n  - {name: g, endpoint: nowhere}\n"), "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("p.yaml:6: generators[0].endpoint: no endpoint named 'nowhere'"), std::string::npos)
      << bad.error();
  auto unknown = PipelineConfig::from_yaml("fixer: {endpiont: x}\n", "p.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("p.yaml:1: fixer.endpiont: unknown key"), std::string::npos) << unknown.error();
  auto policy = PipelineConfig::from_yaml(config_yaml(std::string(kTwoGenerators) + "routing: {policy: fallback, primary: standard}\n"), "p.yaml");
  ASSERT_FALSE(policy.ok());
  EXPECT_NE(policy.error().find("secondary"), std::string::npos) << policy.error();
  // No endpoints at all is a valid, offline configuration.
  auto offline = PipelineConfig::from_yaml("offline: {enabled: true}\n", "p.yaml");
  ASSERT_TRUE(offline.ok()) << offline.error();
  EXPECT_FALSE(offline->has_llm());
}

TEST(PipelineConfigs, ShippedExamplesLoad) {
  for (const char* name : {"local.yaml", "hybrid.yaml", "dual-model.yaml"}) {
    auto config = PipelineConfig::load(std::string(ASKGURU_SOURCE_DIR) + "/configs/" + name);
    ASSERT_TRUE(config.ok()) << name << ": " << config.error();
    EXPECT_FALSE(config->generators.empty()) << name;
  }
}

}  // namespace
}  // namespace askguru::pipeline
