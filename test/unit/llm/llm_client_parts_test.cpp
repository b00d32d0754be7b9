// The LLM client's parts without a server: config loading and its errors,
// key redaction, wire bodies and reply parsing, the LLaMA-3.1 template,
// Retry-After parsing, token buckets and cost.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "askguru/common/files.h"
#include "askguru/llm/cache.h"
#include "askguru/llm/config.h"
#include "askguru/llm/http_loop.h"
#include "askguru/llm/rate_limit.h"
#include "askguru/llm/redact.h"
#include "askguru/llm/usage.h"
#include "askguru/llm/wire.h"

namespace askguru::llm {
namespace {

using nlohmann::json;

TEST(LlmClientConfig, LoadsEndpointsPricesAndCache) {
  auto config = LlmConfig::from_yaml(R"(
endpoints:
  - name: primary
    kind: openai
    base_url: http://127.0.0.1:8000/v1/
    model: ebs-llama31-lora
    api_key_env: VLLM_KEY
    timeout_ms: 1500
    max_concurrency: 4
    requests_per_minute: 600
    tokens_per_minute: 100000
    max_retries: 2
    headers: {X-Org: askguru}
    chat_template: llama3.1
  - name: claude
    kind: anthropic
    base_url: https://api.anthropic.com
    model: claude-sonnet
    anthropic_version: 2023-06-01
prices:
  ebs-llama31-lora: {input: 1.0, output: 2.0}
  claude-sonnet: {input: 3, output: 15, cached: 0.3}
cache: {mode: read-only, path: /tmp/x.sqlite}
)",
                                     "llm.yaml");
  ASSERT_TRUE(config.ok()) << config.error();
  ASSERT_EQ(config->endpoints.size(), 2u);
  const EndpointConfig& p = config->endpoints[0];
  EXPECT_EQ(p.base_url, "http://127.0.0.1:8000/v1");
  EXPECT_EQ(p.api_key_env, "VLLM_KEY");
  EXPECT_EQ(p.timeout_ms, 1500);
  EXPECT_EQ(p.max_concurrency, 4);
  EXPECT_EQ(p.requests_per_minute, 600);
  EXPECT_EQ(p.max_retries, 2);
  EXPECT_EQ(p.headers.at("X-Org"), "askguru");
  EXPECT_EQ(p.chat_template, ChatTemplate::kLlama31);
  EXPECT_EQ(config->endpoints[1].kind, EndpointKind::kAnthropic);
  ASSERT_NE(config->prices.find("claude-sonnet"), nullptr);
  EXPECT_DOUBLE_EQ(config->prices.find("claude-sonnet")->cached, 0.3);
  EXPECT_DOUBLE_EQ(config->prices.find("ebs-llama31-lora")->cached, 1.0);  // defaults to input
  EXPECT_EQ(config->cache.mode, CacheMode::kReadOnly);
  EXPECT_NE(config->find("claude"), nullptr);
  EXPECT_EQ(config->find("nope"), nullptr);
}

TEST(LlmClientConfig, ErrorsNameFileLineAndKey) {
  struct Case {
    const char* yaml;
    const char* expect;
  };
  const Case cases[] = {
      {"endpoints:\n  - name: a\n    base_url: http://x\n    model: m\n    timeout_ms: soon\n",
       "llm.yaml:5: endpoints[0].timeout_ms: expected an integer, got 'soon'"},
      {"endpoints:\n  - name: a\n    base_url: http://x\n", "endpoints[0].model: missing"},
      {"endpoints:\n  - name: a\n    base_url: ftp://x\n    model: m\n", "endpoints[0].base_url"},
      {"endpoints:\n  - name: a\n    base_url: http://x\n    model: m\n    kind: gemini\n", "unknown kind 'gemini'"},
      {"endpoints:\n  - {name: a, base_url: 'http://x', model: m}\n  - {name: a, base_url: 'http://y', model: m}\n",
       "duplicate endpoint name 'a'"},
      {"endpoints:\n  - {name: a, base_url: 'http://x', model: m, max_concurency: 3}\n", "max_concurency: unknown key"},
      {"endpoints: []\ncache: {mode: sometimes, path: x}\n", "cache.mode: unknown cache mode 'sometimes'"},
      {"endpoints: []\ncache: {mode: read-write}\n", "cache.path: required"},
      {"endpoints: []\nprices: {m: {input: -1}}\n", "prices.m.input: must not be negative"},
      {"endpoints: [\n", "llm.yaml:"},
      {"endpoints:\n  - {name: a, base_url: 'http://x', model: m, api_key_env: 'sk-abc123secret'}\n",
       "must name an environment variable"},
  };
  for (const Case& c : cases) {
    auto config = LlmConfig::from_yaml(c.yaml, "llm.yaml");
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(config.error().find(c.expect), std::string::npos) << config.error();
    EXPECT_NE(config.error().find("llm.yaml"), std::string::npos) << config.error();
  }
  // A key pasted into api_key_env is not echoed back.
  auto pasted = LlmConfig::from_yaml(cases[10].yaml, "llm.yaml");
  EXPECT_EQ(pasted.error().find("sk-abc123secret"), std::string::npos);
}

TEST(LlmClientConfig, MissingFileNamesIt) {
  auto config = LlmConfig::load("/nonexistent/llm.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("/nonexistent/llm.yaml"), std::string::npos);
}

TEST(LlmClientConfig, ExampleConfigLoads) {
  auto config = LlmConfig::load(std::string(ASKGURU_SOURCE_DIR) + "/configs/llm_example.yaml");
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_GE(config->endpoints.size(), 6u);
}

TEST(LlmClientRedact, RegisteredSecretsAndCredentialHeadersAreRedacted) {
  register_secret("sk-parts-test-0123456789");
  const std::string out = redact("401: Incorrect API key provided: sk-parts-test-0123456789. Try again.");
  EXPECT_EQ(out.find("sk-parts-test-0123456789"), std::string::npos);
  EXPECT_NE(out.find("[REDACTED]"), std::string::npos);
  EXPECT_NE(out.find("Try again."), std::string::npos);
  const std::string headers = redact("Authorization: Bearer abc.def-ghi\nx-api-key: zzz-999\n");
  EXPECT_EQ(headers.find("abc.def-ghi"), std::string::npos);
  EXPECT_EQ(headers.find("zzz-999"), std::string::npos);
  Status s = redact(Status(ErrorCode::kRefused, "key sk-parts-test-0123456789 refused"));
  EXPECT_EQ(s.code(), ErrorCode::kRefused);
  EXPECT_EQ(s.message(), "key [REDACTED] refused");
  EXPECT_EQ(redact("nothing secret here"), "nothing secret here");
}

TEST(LlmClientWire, OpenAiChatBodyCarriesEveryParameter) {
  ChatRequest req;
  req.messages = {{"system", "You write SQL."}, {"user", "How many heads?"}};
  req.temperature = 0.7;
  req.top_p = 0.9;
  req.max_tokens = 256;
  req.stop = {";"};
  req.n = 3;
  req.seed = 42;
  req.logprobs = true;
  req.top_logprobs = 2;
  req.response_format = ResponseFormat::kJsonSchema;
  req.json_schema = R"({"type":"object","properties":{"sql":{"type":"string"}}})";
  json body = json::parse(wire::openai_chat_body(req, "m1"));
  EXPECT_EQ(body["model"], "m1");
  EXPECT_EQ(body["messages"][1]["content"], "How many heads?");
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(body["top_p"].get<double>(), 0.9);
  EXPECT_EQ(body["max_tokens"], 256);
  EXPECT_EQ(body["stop"], json({";"}));
  EXPECT_EQ(body["n"], 3);
  EXPECT_EQ(body["seed"], 42);
  EXPECT_EQ(body["logprobs"], true);
  EXPECT_EQ(body["top_logprobs"], 2);
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["response_format"]["json_schema"]["schema"]["properties"]["sql"]["type"], "string");
  req.response_format = ResponseFormat::kJsonObject;
  EXPECT_EQ(json::parse(wire::openai_chat_body(req, "m1"))["response_format"], json({{"type", "json_object"}}));
}

TEST(LlmClientWire, AnthropicBodySeparatesSystemAndThinking) {
  ChatRequest req;
  req.messages = {{"system", "You write SQL."}, {"user", "q"}};
  req.temperature = 0.2;
  req.max_tokens = 1000;
  req.stop = {"</sql>"};
  json plain = json::parse(wire::anthropic_messages_body(req, "claude"));
  EXPECT_EQ(plain["system"], "You write SQL.");
  ASSERT_EQ(plain["messages"].size(), 1u);
  EXPECT_EQ(plain["messages"][0]["role"], "user");
  EXPECT_EQ(plain["max_tokens"], 1000);
  EXPECT_DOUBLE_EQ(plain["temperature"].get<double>(), 0.2);
  EXPECT_EQ(plain["stop_sequences"], json({"</sql>"}));
  req.thinking_budget = 2048;
  json thinking = json::parse(wire::anthropic_messages_body(req, "claude"));
  EXPECT_EQ(thinking["thinking"]["type"], "enabled");
  EXPECT_EQ(thinking["thinking"]["budget_tokens"], 2048);
  EXPECT_GT(thinking["max_tokens"].get<int>(), 2048);  // must exceed the budget
  EXPECT_FALSE(thinking.contains("temperature"));      // not allowed while thinking
}

TEST(LlmClientWire, ParsesChoicesUsageAndLogprobs) {
  const std::string body = R"({"model":"m1","choices":[
    {"index":1,"message":{"content":"SELECT 2"},"finish_reason":"stop"},
    {"index":0,"message":{"content":"SELECT 1","reasoning_content":"think"},"finish_reason":"stop",
     "logprobs":{"content":[{"token":"SELECT","logprob":-0.5},{"token":" 1","logprob":-1.5}]}}],
    "usage":{"prompt_tokens":100,"completion_tokens":20,"completion_tokens_details":{"reasoning_tokens":5},
             "prompt_tokens_details":{"cached_tokens":40}}})";
  Response r = wire::parse_openai_chat(body, false);
  ASSERT_TRUE(r.usable()) << r.problem_detail;
  ASSERT_EQ(r.choices.size(), 2u);
  EXPECT_EQ(r.choices[0].text, "SELECT 1");
  EXPECT_EQ(r.choices[0].thinking, "think");
  EXPECT_TRUE(r.choices[0].has_logprobs);
  EXPECT_DOUBLE_EQ(r.choices[0].mean_logprob, -1.0);
  EXPECT_EQ(r.choices[1].text, "SELECT 2");
  EXPECT_EQ(r.usage.input_tokens, 100);
  EXPECT_EQ(r.usage.output_tokens, 20);
  EXPECT_EQ(r.usage.reasoning_tokens, 5);
  EXPECT_EQ(r.usage.cached_tokens, 40);
  EXPECT_EQ(r.model, "m1");
}

TEST(LlmClientWire, MalformedRepliesAreClassified) {
  EXPECT_EQ(wire::parse_openai_chat("{\"choices\": [", false).problem, ReplyProblem::kInvalidEnvelope);
  EXPECT_EQ(wire::parse_openai_chat("<html>502</html>", false).problem, ReplyProblem::kInvalidEnvelope);
  EXPECT_EQ(wire::parse_openai_chat(R"({"choices":[]})", false).problem, ReplyProblem::kEmptyChoices);
  EXPECT_EQ(
      wire::parse_openai_chat(R"({"choices":[{"message":{"content":""},"finish_reason":"stop"}]})", false).problem,
      ReplyProblem::kEmptyContent);
  EXPECT_EQ(wire::parse_openai_chat(R"({"choices":[{"message":{"content":"SELECT"},"finish_reason":"length"}]})", false)
                .problem,
            ReplyProblem::kCutOff);
  EXPECT_EQ(
      wire::parse_openai_chat(R"({"choices":[{"message":{"content":"{\"a\": [1, 2"},"finish_reason":"stop"}]})", true)
          .problem,
      ReplyProblem::kTruncatedJson);
  EXPECT_EQ(
      wire::parse_openai_chat(R"({"choices":[{"message":{"content":"sure! {a: 1}"},"finish_reason":"stop"}]})", true)
          .problem,
      ReplyProblem::kInvalidJson);
  // A fenced JSON value is fine.
  EXPECT_TRUE(
      wire::parse_openai_chat(R"({"choices":[{"message":{"content":"```json\n{\"a\": 1}\n```"}}]})", true).usable());
  // One usable choice of two: usable overall, the bad one marked.
  Response mixed = wire::parse_openai_chat(
      R"({"choices":[{"message":{"content":"SELECT"},"finish_reason":"length"},{"message":{"content":"SELECT 1"},"finish_reason":"stop"}]})",
      false);
  EXPECT_TRUE(mixed.usable());
  EXPECT_EQ(mixed.choices[0].problem, ReplyProblem::kCutOff);
  EXPECT_EQ(mixed.choices[1].problem, ReplyProblem::kNone);
}

TEST(LlmClientWire, AnthropicContentBlocksAndThinkingTokens) {
  const std::string body = R"({"type":"message","model":"claude","stop_reason":"end_turn",
    "content":[{"type":"thinking","thinking":"Let me look at the tables first, carefully."},
               {"type":"text","text":"SELECT 1"}],
    "usage":{"input_tokens":50,"output_tokens":30,"cache_read_input_tokens":10}})";
  Response r = wire::parse_anthropic_messages(body, false);
  ASSERT_TRUE(r.usable());
  ASSERT_EQ(r.choices.size(), 1u);
  EXPECT_EQ(r.choices[0].text, "SELECT 1");
  EXPECT_EQ(r.choices[0].thinking, "Let me look at the tables first, carefully.");
  EXPECT_EQ(r.usage.input_tokens, 60);
  EXPECT_EQ(r.usage.cached_tokens, 10);
  EXPECT_EQ(r.usage.output_tokens, 30);
  EXPECT_EQ(r.usage.reasoning_tokens, 11);
  EXPECT_TRUE(r.usage.reasoning_estimated);
  EXPECT_EQ(
      wire::parse_anthropic_messages(R"({"type":"message","content":[],"stop_reason":"end_turn"})", false).problem,
      ReplyProblem::kEmptyChoices);
  EXPECT_EQ(wire::parse_anthropic_messages(
                R"({"type":"message","content":[{"type":"text","text":"SEL"}],"stop_reason":"max_tokens"})", false)
                .problem,
            ReplyProblem::kCutOff);
}

TEST(LlmClientWire, EmbeddingsModelsAndErrors) {
  auto e = wire::parse_openai_embeddings(
      R"({"model":"emb","data":[{"index":1,"embedding":[3,4]},{"index":0,"embedding":[1,2]}],"usage":{"prompt_tokens":7}})");
  ASSERT_TRUE(e.ok()) << e.error();
  ASSERT_EQ(e->vectors.size(), 2u);
  EXPECT_FLOAT_EQ(e->vectors[0][1], 2.0f);
  EXPECT_EQ(e->usage.input_tokens, 7);
  EXPECT_FALSE(wire::parse_openai_embeddings("{}").ok());
  auto m = wire::parse_models(R"({"object":"list","data":[{"id":"a"},{"id":"b"}]})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(wire::error_message(R"({"error":{"message":"bad model","type":"invalid_request_error"}})"), "bad model");
  EXPECT_EQ(wire::error_message(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
            "Overloaded");
  EXPECT_EQ(wire::error_message("plain text"), "plain text");
}

TEST(LlmClientWire, Llama31ChatTemplate) {
  const std::string prompt = wire::render_llama31({{"system", "You write SQL."}, {"user", "How many heads?"}});
  EXPECT_EQ(prompt,
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou write SQL.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHow many heads?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(LlmClientTransportParts, RetryAfterSecondsAndHttpDate) {
  EXPECT_EQ(parse_retry_after_ms("2"), 2000);
  EXPECT_EQ(parse_retry_after_ms(" 0.5 "), 500);
  EXPECT_EQ(parse_retry_after_ms("soon"), -1);
  EXPECT_EQ(parse_retry_after_ms("-3"), -1);
  EXPECT_EQ(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT"), 0);  // in the past: now
  // A date about 100 s ahead.
  char buf[64];
  std::time_t later = std::time(nullptr) + 100;
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", std::gmtime(&later));
  const long ms = parse_retry_after_ms(buf);
  EXPECT_GT(ms, 90000);
  EXPECT_LE(ms, 100000);
}

TEST(LlmClientTransportParts, TokenBucketRefillsAndCaps) {
  const auto t0 = std::chrono::steady_clock::now();
  TokenBucket b(60, t0);  // 1 per second, burst 10
  int taken = 0;
  while (b.can_take(1, t0)) {
    b.take(1, t0);
    ++taken;
  }
  EXPECT_EQ(taken, 10);
  EXPECT_FALSE(b.can_take(1, t0));
  const auto at = b.available_at(1, t0);
  EXPECT_NEAR(std::chrono::duration<double>(at - t0).count(), 1.0, 0.01);
  EXPECT_TRUE(b.can_take(1, t0 + std::chrono::seconds(1)));
  TokenBucket unlimited(0, t0);
  EXPECT_TRUE(unlimited.can_take(1e9, t0));

  RateLimiter limiter(2, 0, 0);
  std::chrono::steady_clock::time_point retry;
  bool waiting = false;
  EXPECT_TRUE(limiter.try_acquire(10, t0, &retry, &waiting));
  EXPECT_TRUE(limiter.try_acquire(10, t0, &retry, &waiting));
  EXPECT_FALSE(limiter.try_acquire(10, t0, &retry, &waiting));
  EXPECT_FALSE(waiting);  // the cap, not time
  limiter.release(0, t0);
  EXPECT_TRUE(limiter.try_acquire(10, t0, &retry, &waiting));
}

TEST(LlmClientCost, PricesInputCachedAndOutput) {
  PriceTable prices;
  prices.set("m", Price{2.0, 10.0, 0.5});
  Response r;
  r.model = "m";
  r.usage.input_tokens = 1'000'000;
  r.usage.cached_tokens = 400'000;
  r.usage.output_tokens = 100'000;
  r.usage.reasoning_tokens = 50'000;  // part of output: not billed twice
  compute_cost(prices, "fallback", r);
  EXPECT_TRUE(r.cost_known);
  EXPECT_DOUBLE_EQ(r.cost_usd, 0.6 * 2.0 + 0.4 * 0.5 + 0.1 * 10.0);
  r.model = "unknown-lora";
  compute_cost(prices, "m", r);  // falls back to the configured model
  EXPECT_TRUE(r.cost_known);
  compute_cost(prices, "also-unknown", r);
  EXPECT_FALSE(r.cost_known);
  EXPECT_EQ(r.cost_usd, 0.0);
}

TEST(LlmClientCacheKey, SampledRequestsKeepTheirIndexTemperatureZeroShares) {
  ChatRequest a;
  a.messages = {{"user", "q"}};
  a.temperature = 0.8;
  ChatRequest b = a;
  b.sample_index = 1;
  EXPECT_NE(canonical_request("e", "m", a), canonical_request("e", "m", b));
  a.temperature = b.temperature = 0.0;
  EXPECT_EQ(canonical_request("e", "m", a), canonical_request("e", "m", b));
  EXPECT_NE(canonical_request("e", "m", a), canonical_request("e2", "m", a));
  EXPECT_NE(canonical_request("e", "m", a), canonical_request("e", "m2", a));
  ChatRequest c = a;
  c.max_tokens = 10;
  EXPECT_NE(canonical_request("e", "m", a), canonical_request("e", "m", c));
  EXPECT_EQ(cache_key(canonical_request("e", "m", a)).size(), 32u);
}

}  // namespace
}  // namespace askguru::llm
