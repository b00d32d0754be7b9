// LlmClient over real HTTP against the scripted LLM server: every injected fault
// with its outcome (retried, surfaced, not retried), Retry-After, deadlines and
// group cancellation, malformed-reply classes and their repair, cache modes,
// cost accounting, Anthropic thinking tokens and key redaction.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "askguru/llm/cache.h"
#include "askguru/llm/client.h"
#include "askguru/llm/http_loop.h"
#include "askguru/llm/request_group.h"
#include "askguru/llm/scripted_server.h"
#include "askguru/llm/usage.h"

namespace askguru::llm {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::unique_ptr<ScriptedServer> start_server(const std::string& yaml) {
  auto script = Script::from_yaml(yaml);
  EXPECT_TRUE(script.ok()) << script.error();
  if (!script.ok()) return nullptr;
  auto server = ScriptedServer::start(std::move(*script));
  EXPECT_TRUE(server.ok()) << server.error();
  return server.ok() ? std::move(*server) : nullptr;
}

EndpointConfig endpoint(const ScriptedServer& server, const std::string& model = "m1",
                        EndpointKind kind = EndpointKind::kOpenAi) {
  EndpointConfig e;
  e.name = "test";
  e.kind = kind;
  e.base_url = server.base_url();
  e.model = model;
  e.timeout_ms = 5000;
  e.max_retries = 3;
  e.backoff_initial_ms = 5;
  e.backoff_max_ms = 50;
  return e;
}

struct Fixture {
  std::shared_ptr<HttpLoop> loop = std::make_shared<HttpLoop>();
  std::shared_ptr<UsageMeter> usage = std::make_shared<UsageMeter>();
  std::unique_ptr<LlmClient> client;

  explicit Fixture(const EndpointConfig& e, std::shared_ptr<ResponseCache> cache = nullptr, PriceTable prices = {}) {
    auto c = LlmClient::create(e, ClientContext{loop, std::move(cache), usage, std::move(prices)});
    EXPECT_TRUE(c.ok()) << c.error();
    if (c.ok()) client = std::move(*c);
  }
};

ChatRequest ask(const std::string& question, std::optional<double> temperature = 0.0) {
  ChatRequest req;
  req.messages = {{"system", "You write SQL."}, {"user", question}};
  req.temperature = temperature;
  req.purpose = "test";
  return req;
}

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("askguru_llm_client_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
  return path.string();
}

TEST(LlmClient, ChatSendsRequestAndReadsReply) {
  auto server = start_server(R"(
rules:
  - match: {path: /v1/chat/completions, model: m1, contains: "How many"}
    reply: {text: "SELECT COUNT(*) FROM head", usage: {prompt_tokens: 120, completion_tokens: 8}}
)");
  ASSERT_TRUE(server);
  EndpointConfig e = endpoint(*server);
  e.headers["X-Trace"] = "abc";
  Fixture f(e);
  ChatRequest req = ask("How many heads?");
  req.max_tokens = 64;
  req.seed = 7;
  auto r = f.client->chat(req).get();
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->text(), "SELECT COUNT(*) FROM head");
  EXPECT_EQ(r->usage.input_tokens, 120);
  EXPECT_EQ(r->usage.output_tokens, 8);
  EXPECT_EQ(r->retries, 0);
  EXPECT_EQ(r->endpoint, "test");
  EXPECT_EQ(r->model, "m1");
  EXPECT_FALSE(r->cached);
  auto seen = server->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/v1/chat/completions");
  EXPECT_EQ(seen[0].headers["x-trace"], "abc");
  json body = json::parse(seen[0].body);
  EXPECT_EQ(body["max_tokens"], 64);
  EXPECT_EQ(body["seed"], 7);
  EXPECT_EQ(body["temperature"], 0.0);
  EXPECT_EQ(body["messages"][0]["role"], "system");
}

TEST(LlmClient, NChoicesStayN) {
  auto server = start_server("rules: [{reply: {text: ['A {{choice}}', 'B {{choice}}', 'C {{choice}}']}}]");
  ASSERT_TRUE(server);
  Fixture f(endpoint(*server));
  ChatRequest req = ask("q", 0.8);
  req.n = 3;
  auto r = f.client->chat(req).get();
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->choices.size(), 3u);
  EXPECT_EQ(r->choices[0].text, "A 0");
  EXPECT_EQ(r->choices[2].text, "C 2");
  EXPECT_EQ(json::parse(server->requests()[0].body)["n"], 3);
}

TEST(LlmClient, RetriesRateLimitsHonouringRetryAfter) {
  auto server = start_server(R"(
rules:
  - {name: limited, times: 1, reply: {status: 429, retry_after: "1", error: "Rate limit reached"}}
  - {name: ok, reply: {text: "SELECT 1"}}
)");
  ASSERT_TRUE(server);
  Fixture f(endpoint(*server));
  auto r = f.client->chat(ask("q")).get();
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->text(), "SELECT 1");
  EXPECT_EQ(r->retries, 1);
  // backoff_initial_ms is 5 ms: the 1 s wait can only come from Retry-After.
  EXPECT_GE(r->backoff_ms, 1000.0);
  auto seen = server->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].status, 429);
  EXPECT_EQ(seen[1].status, 200);
}

TEST(LlmClient, RetriesServerErrorsResetsAndTruncatedBodies) {
  for (const std::string fault : {"{status: 500}", "{status: 503}", "{fault: reset}", "{fault: truncated_body}"}) {
    SCOPED_TRACE(fault);
    auto server = start_server("rules:\n  - {times: 2, reply: " + fault + "}\n  - {reply: {text: 'SELECT 1'}}\n");
    ASSERT_TRUE(server);
    Fixture f(endpoint(*server));
    auto r = f.client->chat(ask("q")).get();
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->text(), "SELECT 1");
    EXPECT_EQ(r->retries, 2);
    EXPECT_EQ(server->request_count(), 3u);
    EXPECT_EQ(f.usage->total().retries, 2);
  }
}

TEST(LlmClient, GivesUpAfterMaxRetriesWithTheLastError) {
  auto server = start_server("rules: [{reply: {status: 500, error: 'engine overloaded'}}]");
  ASSERT_TRUE(server);
  EndpointConfig e = endpoint(*server);
  e.max_retries = 2;
  Fixture f(e);
  auto r = f.client->chat(ask("q")).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.error().find("HTTP 500"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("engine overloaded"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("gave up after 2 retries"), std::string::npos) << r.error();
  EXPECT_EQ(server->request_count(), 3u);
  EXPECT_EQ(f.usage->total().failures, 1);
}

TEST(LlmClient, DoesNotRetryClientErrors) {
  const std::pair<int, ErrorCode> cases[] = {{400, ErrorCode::kInvalidArgument},
                                             {401, ErrorCode::kRefused},
                                             {403, ErrorCode::kRefused},
                                             {404, ErrorCode::kNotFound},
                                             {422, ErrorCode::kInvalidArgument}};
  for (const auto& [status, code] : cases) {
    SCOPED_TRACE(status);
    auto server = start_server("rules: [{reply: {status: " + std::to_string(status) + ", error: 'no such thing'}}]");
    ASSERT_TRUE(server);
    Fixture f(endpoint(*server));
    auto r = f.client->chat(ask("q")).get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code);
    EXPECT_NE(r.error().find(fmt::format("HTTP {}", status)), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("not retried"), std::string::npos) << r.error();
    EXPECT_EQ(server->request_count(), 1u);
  }
}

TEST(LlmClient, ConnectionRefusedIsRetriedThenSurfaced) {
  int port = 0;
  {
    auto server = start_server("rules: [{reply: {text: x}}]");
    ASSERT_TRUE(server);
    port = server->port();
  }  // stopped: nothing listens there now
  EndpointConfig e;
  e.name = "gone";
  e.base_url = "http://127.0.0.1:" + std::to_string(port);
  e.model = "m1";
  e.max_retries = 2;
  e.backoff_initial_ms = 1;
  e.backoff_max_ms = 5;
  Fixture f(e);
  auto r = f.client->chat(ask("q")).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.error().find("connection error"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("gave up after 2 retries"), std::string::npos) << r.error();
}

TEST(LlmClient, MalformedEnvelopeIsRetriedOnceThenReported) {
  for (const std::string fault : {"malformed_json", "truncated_json", "empty_choices"}) {
    SCOPED_TRACE(fault);
    // Always malformed: one repair attempt, then the problem is reported.
    auto server = start_server("rules: [{reply: {fault: " + fault + "}}]");
    ASSERT_TRUE(server);
    Fixture f(endpoint(*server));
    auto r = f.client->chat(ask("q")).get();
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_FALSE(r->usable());
    EXPECT_EQ(r->problem, fault == "empty_choices" ? ReplyProblem::kEmptyChoices : ReplyProblem::kInvalidEnvelope);
    EXPECT_EQ(r->retries, 1);
    EXPECT_EQ(server->request_count(), 2u);
    EXPECT_EQ(f.usage->total().problems, 1);
  }
  // Malformed once, then fine: the repair attempt succeeds.
  auto server =
      start_server("rules:\n  - {times: 1, reply: {fault: malformed_json}}\n  - {reply: {text: 'SELECT 1'}}\n");
  ASSERT_TRUE(server);
  Fixture f(endpoint(*server));
  auto r = f.client->chat(ask("q")).get();
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r->usable());
  EXPECT_EQ(r->text(), "SELECT 1");
  EXPECT_EQ(r->retries, 1);
}

TEST(LlmClient, JsonModeRepairAppendsACorrectiveMessage) {
  auto server = start_server(R"(
rules:
  - name: fixed
    match: {last_user_contains: "not valid JSON"}
    reply: {json: {sql: "SELECT 1"}}
  - name: cut
    reply: {text: '{"sql": "SELECT', finish_reason: length, usage: {prompt_tokens: 10, completion_tokens: 4}}
)");
  ASSERT_TRUE(server);
  Fixture f(endpoint(*server));
  ChatRequest req = ask("q");
  req.response_format = ResponseFormat::kJsonObject;
  auto r = f.client->chat(req).get();
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_TRUE(r->usable()) << r->problem_detail;
  EXPECT_EQ(json::parse(r->text())["sql"], "SELECT 1");
  EXPECT_EQ(r->retries, 1);
  // The malformed attempt's tokens are counted too.
  EXPECT_GE(r->usage.input_tokens, 10 + 1);
  auto seen = server->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].rule, "cut");
  EXPECT_EQ(seen[1].rule, "fixed");
  json second = json::parse(seen[1].body);
  EXPECT_EQ(second["response_format"]["type"], "json_object");
  const auto& msgs = second["messages"];
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_EQ(msgs[2]["role"], "assistant");
  EXPECT_EQ(msgs[2]["content"], "{\"sql\": \"SELECT");
  EXPECT_NE(msgs[3]["content"].get<std::string>().find("truncated JSON"), std::string::npos);
}

TEST(LlmClient, ReplyProblemClassesAreReportedWithoutRepairWhenOff) {
  struct Case {
    std::string reply;
    bool json_mode;
    ReplyProblem expect;
  };
  const Case cases[] = {
      {"{text: 'SELECT a FROM', finish_reason: length}", false, ReplyProblem::kCutOff},
      {"{text: 'Sure! here: {a: 1}'}", true, ReplyProblem::kInvalidJson},
      {"{text: '{\"a\": [1, 2'}", true, ReplyProblem::kTruncatedJson},
      {"{text: ''}", false, ReplyProblem::kEmptyContent},
      {"{fault: empty_choices}", false, ReplyProblem::kEmptyChoices},
      {"{fault: malformed_json}", false, ReplyProblem::kInvalidEnvelope},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reply);
    auto server = start_server("rules: [{reply: " + c.reply + "}]");
    ASSERT_TRUE(server);
    EndpointConfig e = endpoint(*server);
    e.repair_malformed = false;
    Fixture f(e);
    ChatRequest req = ask("q");
    if (c.json_mode) req.response_format = ResponseFormat::kJsonObject;
    auto r = f.client->chat(req).get();
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->problem, c.expect) << reply_problem_name(r->problem) << ": " << r->problem_detail;
    EXPECT_EQ(r->retries, 0);
    EXPECT_EQ(server->request_count(), 1u);
  }
}

TEST(LlmClient, RequestDeadlineStopsSlowCalls) {
  auto server = start_server("rules: [{reply: {text: 'late', latency_ms: 3000}}]");
  ASSERT_TRUE(server);
  Fixture f(endpoint(*server));
  ChatRequest req = ask("q");
  req.deadline = Clock::now() + 200ms;
  auto r = f.client->chat(req).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kTimeout);
  EXPECT_NE(r.error().find("deadline"), std::string::npos) << r.error();
}

TEST(LlmClient, PerAttemptTimeoutIsRetried) {
  auto server = start_server(R"(
rules:
  - {times: 1, reply: {text: slow, latency_ms: 2000}}
  - {reply: {text: fast}}
)");
  ASSERT_TRUE(server);
  EndpointConfig e = endpoint(*server);
  e.timeout_ms = 300;
  Fixture f(e);
  auto r = f.client->chat(ask("q")).get();
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->text(), "fast");
  EXPECT_EQ(r->retries, 1);
}

TEST(LlmClient, RetryThatWouldPassTheDeadlineIsNotWaitedFor) {
  auto server = start_server("rules: [{reply: {status: 429, retry_after: '30'}}]");
  ASSERT_TRUE(server);
  Fixture f(endpoint(*server));
  ChatRequest req = ask("q");
  req.deadline = Clock::now() + 5s;
  auto r = f.client->chat(req).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kTimeout);
  EXPECT_NE(r.error().find("would pass the deadline"), std::string::npos) << r.error();
  EXPECT_EQ(server->request_count(), 1u);
}

TEST(LlmClient, GroupCancelAbortsOutstandingRequests) {
  auto server = start_server(R"(
rules:
  - {match: {contains: fast}, reply: {text: "SELECT 1"}}
  - {reply: {text: "SELECT 2", latency_ms: 5000}}
)");
  ASSERT_TRUE(server);
  Fixture f(endpoint(*server));
  auto group = std::make_shared<RequestGroup>();
  auto fast = f.client->chat(ask("fast"), group);
  std::vector<std::future<Result<Response>>> slow;
  for (int i = 0; i < 4; ++i) slow.push_back(f.client->chat(ask(fmt::format("slow {}", i)), group));
  auto first = fast.get();
  ASSERT_TRUE(first.ok()) << first.error();
  // Wait until the slow ones reached the server, then decide.
  for (int i = 0; i < 500 && server->in_flight() < 4; ++i) std::this_thread::sleep_for(5ms);
  group->cancel("the answer is decided");
  for (auto& s : slow) {
    auto r = s.get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kCancelled);
    EXPECT_NE(r.error().find("the answer is decided"), std::string::npos) << r.error();
  }
  EXPECT_EQ(group->outstanding(), 0u);
  // Later requests of a cancelled group fail at once, without reaching the server.
  const size_t before = server->request_count();
  auto late = f.client->chat(ask("fast"), group).get();
  EXPECT_EQ(late.status().code(), ErrorCode::kCancelled);
  EXPECT_EQ(server->request_count(), before);
  EXPECT_EQ(f.client->outstanding(), 0u);
}

TEST(LlmClient, GroupDeadlineTimesOutQueuedAndRunningRequests) {
  auto server = start_server("rules: [{reply: {text: 'SELECT 1', latency_ms: 3000}}]");
  ASSERT_TRUE(server);
  EndpointConfig e = endpoint(*server);
  e.max_concurrency = 2;  // the rest wait in the queue
  Fixture f(e);
  auto group = RequestGroup::with_timeout(300ms);
  std::vector<std::future<Result<Response>>> calls;
  for (int i = 0; i < 6; ++i) calls.push_back(f.client->chat(ask(fmt::format("q{}", i)), group));
  for (auto& c : calls) {
    auto r = c.get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kTimeout);
    EXPECT_NE(r.error().find("question's deadline"), std::string::npos) << r.error();
  }
  EXPECT_LE(server->max_in_flight(), 2);
}

TEST(LlmClient, ManyRequestsInFlightUnderTheConcurrencyCap) {
  auto server = start_server("rules: [{reply: {text: 'SELECT {{call}}', latency_ms: 100}}]");
  ASSERT_TRUE(server);
  EndpointConfig e = endpoint(*server);
  e.max_concurrency = 8;
  Fixture f(e);
  std::vector<std::future<Result<Response>>> calls;
  for (int i = 0; i < 40; ++i) calls.push_back(f.client->chat(ask(fmt::format("q{}", i))));
  std::set<std::string> texts;
  for (auto& c : calls) {
    auto r = c.get();
    ASSERT_TRUE(r.ok()) << r.error();
    texts.insert(r->text());
  }
  EXPECT_EQ(texts.size(), 40u);  // every reply distinct: none lost or duplicated
  EXPECT_EQ(server->max_in_flight(), 8);
  EXPECT_EQ(f.usage->total().calls, 40);
}

TEST(LlmClient, RequestsPerMinuteLimitQueuesWithoutFailing) {
  auto server = start_server("rules: [{reply: {text: ok}}]");
  ASSERT_TRUE(server);
  EndpointConfig e = endpoint(*server);
  e.requests_per_minute = 600;  // 10 a second, a burst of 100
  Fixture f(e);
  std::vector<std::future<Result<Response>>> calls;
  for (int i = 0; i < 105; ++i) calls.push_back(f.client->chat(ask(fmt::format("q{}", i))));
  for (auto& c : calls) ASSERT_TRUE(c.get().ok());
  EXPECT_EQ(server->request_count(), 105u);
}

TEST(LlmClient, CacheReadWriteThenReplay) {
  auto server = start_server(R"(
rules:
  - reply: {text: ["SELECT {{call}}"], usage: {prompt_tokens: 1000, completion_tokens: 100}, latency_ms: 50}
)");
  ASSERT_TRUE(server);
  const std::string path = temp_path("cache_rw.sqlite");
  PriceTable prices;
  prices.set("m1", Price{1.0, 2.0, 1.0});
  {
    auto cache = ResponseCache::open(path, CacheMode::kReadWrite);
    ASSERT_TRUE(cache.ok()) << cache.error();
    Fixture f(endpoint(*server), std::shared_ptr<ResponseCache>(std::move(*cache)), prices);
    auto first = f.client->chat(ask("q")).get();
    ASSERT_TRUE(first.ok()) << first.error();
    EXPECT_FALSE(first->cached);
    EXPECT_DOUBLE_EQ(first->cost_usd, (1000 * 1.0 + 100 * 2.0) / 1e6);
    // Temperature 0: the same reply whatever the sample index.
    ChatRequest again = ask("q");
    again.sample_index = 5;
    auto second = f.client->chat(again).get();
    ASSERT_TRUE(second.ok());
    EXPECT_TRUE(second->cached);
    EXPECT_EQ(second->text(), first->text());
    EXPECT_EQ(second->cost_usd, 0.0);
    EXPECT_DOUBLE_EQ(second->original_cost_usd, first->cost_usd);
    EXPECT_GE(second->original_latency_ms, 50.0);
    EXPECT_EQ(second->usage.input_tokens, 1000);
    EXPECT_EQ(server->request_count(), 1u);
    // Sampled requests: each sample index is its own entry, so n stay n.
    for (int i = 0; i < 3; ++i) {
      ChatRequest s = ask("q", 0.8);
      s.sample_index = i;
      auto r = f.client->chat(s).get();
      ASSERT_TRUE(r.ok());
      EXPECT_FALSE(r->cached);
    }
    EXPECT_EQ(server->request_count(), 4u);
    EXPECT_EQ(f.usage->total().cache_hits, 1);
    EXPECT_DOUBLE_EQ(f.usage->total().cost_usd, 4 * first->cost_usd);
  }
  // Replay: hits come from the file; a miss is an error naming the purpose.
  auto ro = ResponseCache::open(path, CacheMode::kReadOnly);
  ASSERT_TRUE(ro.ok()) << ro.error();
  Fixture f(endpoint(*server), std::shared_ptr<ResponseCache>(std::move(*ro)), prices);
  ChatRequest s1 = ask("q", 0.8);
  s1.sample_index = 1;
  auto hit = f.client->chat(s1).get();
  ASSERT_TRUE(hit.ok()) << hit.error();
  EXPECT_TRUE(hit->cached);
  ChatRequest unseen = ask("a question never asked", 0.0);
  unseen.purpose = "generate";
  auto miss = f.client->chat(unseen).get();
  ASSERT_FALSE(miss.ok());
  EXPECT_EQ(miss.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(miss.error().find("cache miss in replay mode for generate"), std::string::npos) << miss.error();
  EXPECT_EQ(server->request_count(), 4u);  // replay never reaches the server
  EXPECT_FALSE(ResponseCache::open(temp_path("absent.sqlite"), CacheMode::kReadOnly).ok());
}

TEST(LlmClient, UnusableRepliesAreNotCached) {
  auto server = start_server("rules:\n  - {times: 2, reply: {fault: empty_choices}}\n  - {reply: {text: ok}}\n");
  ASSERT_TRUE(server);
  auto cache = ResponseCache::open(temp_path("cache_bad.sqlite"), CacheMode::kReadWrite);
  ASSERT_TRUE(cache.ok());
  std::shared_ptr<ResponseCache> shared(std::move(*cache));
  Fixture f(endpoint(*server), shared);
  auto bad = f.client->chat(ask("q")).get();
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->usable());
  EXPECT_EQ(*shared->size(), 0);
  auto good = f.client->chat(ask("q")).get();
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good->usable());
  EXPECT_FALSE(good->cached);
  EXPECT_EQ(*shared->size(), 1);
}

TEST(LlmClient, AnthropicMessagesWithThinking) {
  auto server = start_server(R"(
rules:
  - match: {path: /v1/messages, model: claude-x}
    reply:
      text: "SELECT name FROM head"
      thinking: "The head table has a name column; count nothing, just list."
      usage: {input_tokens: 200, output_tokens: 60}
)");
  ASSERT_TRUE(server);
  setenv("ASKGURU_TEST_ANTHROPIC_KEY", "sk-ant-test-key-42", 1);
  EndpointConfig e = endpoint(*server, "claude-x", EndpointKind::kAnthropic);
  e.api_key_env = "ASKGURU_TEST_ANTHROPIC_KEY";
  PriceTable prices;
  prices.set("claude-x", Price{3.0, 15.0, 0.3});
  Fixture f(e, nullptr, prices);
  ChatRequest req = ask("List heads");
  req.thinking_budget = 1024;
  req.stop = {"</sql>"};
  auto r = f.client->chat(req).get();
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->text(), "SELECT name FROM head");
  EXPECT_EQ(r->choices[0].thinking, "The head table has a name column; count nothing, just list.");
  EXPECT_EQ(r->usage.input_tokens, 200);
  EXPECT_EQ(r->usage.output_tokens, 60);
  EXPECT_GT(r->usage.reasoning_tokens, 0);
  EXPECT_LT(r->usage.reasoning_tokens, 60);
  EXPECT_TRUE(r->usage.reasoning_estimated);
  EXPECT_DOUBLE_EQ(r->cost_usd, (200 * 3.0 + 60 * 15.0) / 1e6);
  auto seen = server->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/v1/messages");
  EXPECT_EQ(seen[0].headers["x-api-key"], "sk-ant-test-key-42");
  EXPECT_EQ(seen[0].headers["anthropic-version"], "2023-06-01");
  json body = json::parse(seen[0].body);
  EXPECT_EQ(body["system"], "You write SQL.");
  EXPECT_EQ(body["thinking"]["budget_tokens"], 1024);
  EXPECT_EQ(body["stop_sequences"], json({"</sql>"}));
  EXPECT_EQ(f.usage->total().reasoning_tokens, r->usage.reasoning_tokens);
}

TEST(LlmClient, OpenAiReasoningTokensCountedSeparately) {
  auto server = start_server(
      "rules: [{reply: {text: 'SELECT 1', thinking: 'hmm', usage: {prompt_tokens: 10, completion_tokens: 30, "
      "reasoning_tokens: 25}}}]");
  ASSERT_TRUE(server);
  Fixture f(endpoint(*server));
  auto r = f.client->chat(ask("q")).get();
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->usage.reasoning_tokens, 25);
  EXPECT_FALSE(r->usage.reasoning_estimated);
  EXPECT_EQ(r->choices[0].thinking, "hmm");
}

TEST(LlmClient, KeysAreRedactedFromErrorsAndLogs) {
  auto server = start_server(R"(
api_key: sk-live-abcdef0123456789
rules:
  - {match: {contains: echo}, reply: {status: 401, error: "Incorrect API key provided: sk-live-abcdef0123456789"}}
  - {reply: {status: 500, error: "upstream saw Authorization: Bearer sk-live-abcdef0123456789"}}
)");
  ASSERT_TRUE(server);
  setenv("ASKGURU_TEST_OPENAI_KEY", "sk-live-abcdef0123456789", 1);
  EndpointConfig e = endpoint(*server);
  e.api_key_env = "ASKGURU_TEST_OPENAI_KEY";
  e.max_retries = 1;
  std::ostringstream logs;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logs);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  Fixture f(e);
  auto echoed = f.client->chat(ask("echo")).get();
  auto failed = f.client->chat(ask("other")).get();
  spdlog::set_default_logger(previous);
  ASSERT_FALSE(echoed.ok());
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(server->requests()[0].headers["authorization"], "Bearer sk-live-abcdef0123456789");
  for (const std::string& text : {echoed.error(), failed.error(), logs.str()}) {
    EXPECT_EQ(text.find("sk-live-abcdef0123456789"), std::string::npos) << text;
  }
  EXPECT_NE(echoed.error().find("[REDACTED]"), std::string::npos) << echoed.error();
  EXPECT_NE(logs.str().find("retry 1/1"), std::string::npos) << logs.str();
  // A named but unset variable is an error naming the variable, not a key.
  unsetenv("ASKGURU_TEST_UNSET_KEY");
  e.api_key_env = "ASKGURU_TEST_UNSET_KEY";
  auto missing = LlmClient::create(e, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("ASKGURU_TEST_UNSET_KEY"), std::string::npos);
}

TEST(LlmClient, CompletionsEmbeddingsModelsAndChatTemplate) {
  auto server = start_server(R"(
models: [extra]
rules:
  - match: {path: /v1/completions, contains: "<|start_header_id|>assistant<|end_header_id|>"}
    reply: {text: "SELECT templated"}
  - match: {path: /v1/completions}
    reply: {text: " raw completion", logprob: -0.5}
  - match: {model: m1}
    reply: {text: chat}
)");
  ASSERT_TRUE(server);
  Fixture f(endpoint(*server));
  CompletionRequest c;
  c.prompt = "### Task\nGenerate SQL\n### SQL\n";
  c.logprobs = true;
  c.max_tokens = 20;
  auto raw = f.client->complete(c).get();
  ASSERT_TRUE(raw.ok()) << raw.error();
  EXPECT_EQ(raw->text(), " raw completion");
  EXPECT_TRUE(raw->choices[0].has_logprobs);
  EXPECT_DOUBLE_EQ(raw->choices[0].mean_logprob, -0.5);

  EmbeddingRequest er;
  er.inputs = {"head of department", "age"};
  er.dimensions = 16;
  auto emb = f.client->embed(er).get();
  ASSERT_TRUE(emb.ok()) << emb.error();
  ASSERT_EQ(emb->vectors.size(), 2u);
  EXPECT_EQ(emb->vectors[0].size(), 16u);

  auto models = f.client->list_models();
  ASSERT_TRUE(models.ok()) << models.error();
  EXPECT_NE(std::find(models->ids.begin(), models->ids.end(), "m1"), models->ids.end());
  EXPECT_NE(std::find(models->ids.begin(), models->ids.end(), "extra"), models->ids.end());

  EndpointConfig templated = endpoint(*server);
  templated.chat_template = ChatTemplate::kLlama31;
  Fixture t(templated);
  auto r = t.client->chat(ask("q")).get();
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->text(), "SELECT templated");
  json body = json::parse(server->requests().back().body);
  EXPECT_EQ(server->requests().back().path, "/v1/completions");
  EXPECT_EQ(body["prompt"].get<std::string>().rfind("<|begin_of_text|><|start_header_id|>system", 0), 0u);
  EXPECT_EQ(body["stop"], json({"<|eot_id|>"}));
}

TEST(LlmClient, HubFromConfigWithCacheOverride) {
  auto server = start_server("rules: [{reply: {text: 'SELECT 1'}}]");
  ASSERT_TRUE(server);
  const std::string path = temp_path("hub.sqlite");
  const std::string yaml = "endpoints:\n  - {name: a, base_url: '" + server->base_url() +
                           "', model: m1}\ncache: {mode: read-write, path: '" + path + "'}\n";
  auto config = LlmConfig::from_yaml(yaml, "hub.yaml");
  ASSERT_TRUE(config.ok()) << config.error();
  {
    auto hub = LlmHub::create(*config);
    ASSERT_TRUE(hub.ok()) << hub.error();
    auto a = (*hub)->find("a");
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE((*a)->chat(ask("q")).get().ok());
    auto none = (*hub)->find("b");
    ASSERT_FALSE(none.ok());
    EXPECT_NE(none.error().find("known: a"), std::string::npos);
  }
  auto replay = LlmHub::create(*config, CacheMode::kReadOnly);
  ASSERT_TRUE(replay.ok()) << replay.error();
  auto r = (*replay)->client("a")->chat(ask("q")).get();
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r->cached);
  EXPECT_EQ(server->request_count(), 1u);
}

TEST(LlmClient, DestroyingTheClientFailsOutstandingRequests) {
  auto server = start_server("rules: [{reply: {text: x, latency_ms: 5000}}]");
  ASSERT_TRUE(server);
  Fixture f(endpoint(*server));
  auto pending = f.client->chat(ask("q"));
  f.client.reset();
  auto r = pending.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace askguru::llm
