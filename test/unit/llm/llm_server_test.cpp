// The scripted LLM server, exercised over real HTTP with cpp-httplib's client.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "askguru/common/files.h"
#include "askguru/llm/scripted_server.h"

namespace askguru::llm {
namespace {

using nlohmann::json;

std::unique_ptr<ScriptedServer> start_server(const std::string& yaml) {
  auto script = Script::from_yaml(yaml);
  EXPECT_TRUE(script.ok()) << script.error();
  if (!script.ok()) return nullptr;
  auto server = ScriptedServer::start(std::move(*script));
  EXPECT_TRUE(server.ok()) << server.error();
  return server.ok() ? std::move(*server) : nullptr;
}

httplib::Result post(const ScriptedServer& server, const std::string& path, const json& body,
                     httplib::Headers headers = {}) {
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(10, 0);
  return client.Post(path.c_str(), headers, body.dump(), "application/json");
}

json chat(const std::string& model, const std::string& user, int n = 1) {
  return {{"model", model},
          {"n", n},
          {"messages", {{{"role", "system"}, {"content", "You write SQL."}}, {{"role", "user"}, {"content", user}}}}};
}

TEST(LlmServer, ChatCompletionWithChoicesUsageAndFinishReason) {
  auto server = start_server(R"(
rules:
  - name: sql
    match: {path: /v1/chat/completions, model: m1, contains: "How many"}
    reply:
      text: ["SELECT 1", "SELECT 2", "SELECT 3"]
      usage: {prompt_tokens: 100, completion_tokens: 7, reasoning_tokens: 3}
      finish_reason: length
)");
  ASSERT_TRUE(server);
  auto res =
      post(*server, "/v1/chat/completions", chat("m1", "How many heads?", 3), {{"Authorization", "Bearer sk-1"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  ASSERT_EQ(body["choices"].size(), 3u);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "m1");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(body["choices"][i]["index"], i);
    EXPECT_EQ(body["choices"][i]["message"]["role"], "assistant");
    EXPECT_EQ(body["choices"][i]["message"]["content"], "SELECT " + std::to_string(i + 1));
    EXPECT_EQ(body["choices"][i]["finish_reason"], "length");
  }
  EXPECT_EQ(body["usage"]["prompt_tokens"], 100);
  EXPECT_EQ(body["usage"]["completion_tokens"], 7);
  EXPECT_EQ(body["usage"]["total_tokens"], 107);
  EXPECT_EQ(body["usage"]["completion_tokens_details"]["reasoning_tokens"], 9);  // 3 per choice

  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/chat/completions");
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer sk-1");
  EXPECT_EQ(requests[0].rule, "sql");
  EXPECT_EQ(requests[0].status, 200);
  EXPECT_EQ(json::parse(requests[0].body)["messages"][1]["content"], "How many heads?");
}

TEST(LlmServer, SuccessiveCallsRotateTextsAndSubstituteTemplates) {
  auto server = start_server(R"(
rules:
  - reply: {text: ["first {{call}}/{{choice}} {{model}} seed={{seed}}", "second {{call}}"]}
)");
  ASSERT_TRUE(server);
  json req = chat("m", "q");
  req["seed"] = 7;
  auto a = post(*server, "/v1/chat/completions", req);
  auto b = post(*server, "/v1/chat/completions", req);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(json::parse(a->body)["choices"][0]["message"]["content"], "first 0/0 m seed=7");
  EXPECT_EQ(json::parse(b->body)["choices"][0]["message"]["content"], "second 1");
}

TEST(LlmServer, JsonReplyAndReasoningContent) {
  auto server = start_server(R"(
rules:
  - reply:
      json: {keywords: [heads, "age"], count: 2, ok: true}
      thinking: "look at the head table"
)");
  ASSERT_TRUE(server);
  auto res = post(*server, "/v1/chat/completions", chat("any", "extract"));
  ASSERT_TRUE(res);
  json body = json::parse(res->body);
  json content = json::parse(body["choices"][0]["message"]["content"].get<std::string>());
  EXPECT_EQ(content["keywords"], json({"heads", "age"}));
  EXPECT_EQ(content["count"], 2);
  EXPECT_EQ(content["ok"], true);
  EXPECT_EQ(body["choices"][0]["message"]["reasoning_content"], "look at the head table");
  EXPECT_GT(body["usage"]["completion_tokens_details"]["reasoning_tokens"].get<int>(), 0);
}

TEST(LlmServer, LogprobsWhenRequested) {
  auto server = start_server("rules: [{reply: {text: 'SELECT name FROM t', logprob: -0.25}}]");
  ASSERT_TRUE(server);
  json req = chat("m", "q");
  auto plain = post(*server, "/v1/chat/completions", req);
  ASSERT_TRUE(plain);
  EXPECT_TRUE(json::parse(plain->body)["choices"][0]["logprobs"].is_null());
  req["logprobs"] = true;
  req["top_logprobs"] = 2;
  auto res = post(*server, "/v1/chat/completions", req);
  ASSERT_TRUE(res);
  json lp = json::parse(res->body)["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(lp.size(), 4u);
  std::string joined;
  for (const auto& tok : lp) {
    joined += tok["token"].get<std::string>();
    EXPECT_DOUBLE_EQ(tok["logprob"].get<double>(), -0.25);
    EXPECT_EQ(tok["top_logprobs"].size(), 2u);
  }
  EXPECT_EQ(joined, "SELECT name FROM t");
}

TEST(LlmServer, RawCompletions) {
  auto server = start_server(R"(
rules:
  - match: {path: /v1/completions, contains: "### Task"}
    reply: {text: " SELECT 1;\n```"}
)");
  ASSERT_TRUE(server);
  json req = {{"model", "sqlcoder"}, {"prompt", "### Task\nGenerate a SQL query"}, {"logprobs", 1}};
  auto res = post(*server, "/v1/completions", req);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  EXPECT_EQ(body["object"], "text_completion");
  EXPECT_EQ(body["choices"][0]["text"], " SELECT 1;\n```");
  EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");
  EXPECT_FALSE(body["choices"][0]["logprobs"]["tokens"].empty());
  // The same prompt on the chat path matches no rule.
  auto other = post(*server, "/v1/chat/completions", chat("sqlcoder", "### Task"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

TEST(LlmServer, EmbeddingsAreDeterministicAndSized) {
  auto server = start_server("embedding_dim: 32\n");
  ASSERT_TRUE(server);
  json req = {{"model", "emb"}, {"input", {"student club events", "student club event", "zzz qqq"}}};
  auto a = post(*server, "/v1/embeddings", req);
  auto b = post(*server, "/v1/embeddings", req);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->status, 200) << a->body;
  json ja = json::parse(a->body), jb = json::parse(b->body);
  ASSERT_EQ(ja["data"].size(), 3u);
  EXPECT_EQ(ja["data"], jb["data"]);
  auto vec = [&](int i) { return ja["data"][i]["embedding"].get<std::vector<float>>(); };
  ASSERT_EQ(vec(0).size(), 32u);
  auto dot = [](const std::vector<float>& x, const std::vector<float>& y) {
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
    return s;
  };
  EXPECT_NEAR(dot(vec(0), vec(0)), 1.0, 1e-5);
  EXPECT_GT(dot(vec(0), vec(1)), dot(vec(0), vec(2)));
  req["dimensions"] = 8;
  req["input"] = "one";
  auto c = post(*server, "/v1/embeddings", req);
  ASSERT_TRUE(c);
  EXPECT_EQ(json::parse(c->body)["data"][0]["embedding"].size(), 8u);
}

TEST(LlmServer, ModelsListsScriptModels) {
  auto server = start_server(R"(
models: [extra]
rules:
  - {match: {model: llama-70b-lora}, reply: {text: x}}
  - {match: {model: sqlcoder-70b}, reply: {text: y}}
)");
  ASSERT_TRUE(server);
  httplib::Client client("127.0.0.1", server->port());
  auto res = client.Get("/v1/models");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  std::vector<std::string> ids;
  const json models = json::parse(res->body);
  for (const auto& m : models["data"]) ids.push_back(m["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"extra", "llama-70b-lora", "sqlcoder-70b"}));
}

httplib::Headers anthropic_headers() {
  return {{"x-api-key", "sk-ant"}, {"anthropic-version", "2023-06-01"}};
}

json anthropic_request(const std::string& user) {
  return {{"model", "claude"},
          {"max_tokens", 256},
          {"system", "You write SQL."},
          {"thinking", {{"type", "enabled"}, {"budget_tokens", 1024}}},
          {"messages", {{{"role", "user"}, {"content", user}}}}};
}

TEST(LlmServer, AnthropicMessagesWithThinking) {
  auto server = start_server(R"(
rules:
  - match: {path: /v1/messages, contains: ["You write SQL.", "count"]}
    reply: {thinking: "plan", text: "SELECT COUNT(*) FROM t", usage: {input_tokens: 40, output_tokens: 12}}
)");
  ASSERT_TRUE(server);
  auto res = post(*server, "/v1/messages", anthropic_request("count rows"), anthropic_headers());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  EXPECT_EQ(body["type"], "message");
  ASSERT_EQ(body["content"].size(), 2u);
  EXPECT_EQ(body["content"][0]["type"], "thinking");
  EXPECT_EQ(body["content"][0]["thinking"], "plan");
  EXPECT_EQ(body["content"][1]["type"], "text");
  EXPECT_EQ(body["content"][1]["text"], "SELECT COUNT(*) FROM t");
  EXPECT_EQ(body["stop_reason"], "end_turn");
  EXPECT_EQ(body["usage"]["input_tokens"], 40);
  EXPECT_EQ(body["usage"]["output_tokens"], 12);
  EXPECT_EQ(server->requests()[0].headers["anthropic-version"], "2023-06-01");
}

TEST(LlmServer, AnthropicChecksHeaders) {
  auto server = start_server("rules: [{reply: {text: x}}]");
  ASSERT_TRUE(server);
  auto no_key = post(*server, "/v1/messages", anthropic_request("q"), {{"anthropic-version", "2023-06-01"}});
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  json err = json::parse(no_key->body);
  EXPECT_EQ(err["type"], "error");
  EXPECT_EQ(err["error"]["type"], "authentication_error");
  auto no_version = post(*server, "/v1/messages", anthropic_request("q"), {{"x-api-key", "k"}});
  ASSERT_TRUE(no_version);
  EXPECT_EQ(no_version->status, 400);
  EXPECT_EQ(json::parse(no_version->body)["error"]["type"], "invalid_request_error");
}

TEST(LlmServer, ApiKeyIsChecked) {
  auto server = start_server("api_key: sk-good\nrules: [{reply: {text: ok}}]");
  ASSERT_TRUE(server);
  auto none = post(*server, "/v1/chat/completions", chat("m", "q"));
  auto wrong = post(*server, "/v1/chat/completions", chat("m", "q"), {{"Authorization", "Bearer sk-bad"}});
  auto good = post(*server, "/v1/chat/completions", chat("m", "q"), {{"Authorization", "Bearer sk-good"}});
  auto claude_wrong = post(*server, "/v1/messages", anthropic_request("q"), anthropic_headers());
  ASSERT_TRUE(none && wrong && good && claude_wrong);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(json::parse(none->body)["error"]["type"], "authentication_error");
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(good->status, 200);
  EXPECT_EQ(claude_wrong->status, 401);
}

TEST(LlmServer, TimesFallsThroughAfterNUses) {
  auto server = start_server(R"(
rules:
  - name: busy
    times: 2
    reply: {status: 429, retry_after: "3", error: "slow down"}
  - name: broken
    times: 1
    reply: {status: 500}
  - name: fine
    reply: {text: "SELECT 1"}
)");
  ASSERT_TRUE(server);
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) {
    auto res = post(*server, "/v1/chat/completions", chat("m", "q"));
    ASSERT_TRUE(res);
    statuses.push_back(res->status);
    if (i == 0) {
      EXPECT_EQ(res->get_header_value("Retry-After"), "3");
      json err = json::parse(res->body);
      EXPECT_EQ(err["error"]["message"], "slow down");
      EXPECT_EQ(err["error"]["type"], "rate_limit_error");
    }
    if (i == 2) {
      EXPECT_EQ(json::parse(res->body)["error"]["type"], "server_error");
    }
  }
  EXPECT_EQ(statuses, (std::vector<int>{429, 429, 500, 200}));
  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].rule, "busy");
  EXPECT_EQ(requests[2].rule, "broken");
  EXPECT_EQ(requests[3].rule, "fine");
}

TEST(LlmServer, AnthropicErrorShapeForScriptedStatus) {
  auto server = start_server("rules: [{match: {path: /v1/messages}, reply: {status: 529}}]");
  ASSERT_TRUE(server);
  auto res = post(*server, "/v1/messages", anthropic_request("q"), anthropic_headers());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 529);
  json err = json::parse(res->body);
  EXPECT_EQ(err["type"], "error");
  EXPECT_EQ(err["error"]["type"], "overloaded_error");
}

TEST(LlmServer, ConnectionResetGivesNoReply) {
  auto server = start_server("rules: [{times: 1, reply: {fault: reset}}, {reply: {text: after}}]");
  ASSERT_TRUE(server);
  auto res = post(*server, "/v1/chat/completions", chat("m", "q"));
  EXPECT_FALSE(res);
  // The server keeps serving.
  auto next = post(*server, "/v1/chat/completions", chat("m", "q"));
  ASSERT_TRUE(next);
  EXPECT_EQ(json::parse(next->body)["choices"][0]["message"]["content"], "after");
  // The reset is logged with status 0 (in either order: the client retried at once).
  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(std::min(requests[0].status, requests[1].status), 0);
  EXPECT_EQ(std::max(requests[0].status, requests[1].status), 200);
}

TEST(LlmServer, TruncatedBodyFailsTheRead) {
  auto server = start_server("rules: [{reply: {fault: truncated_body, text: 'SELECT 1 FROM a_long_table_name'}}]");
  ASSERT_TRUE(server);
  auto res = post(*server, "/v1/chat/completions", chat("m", "q"));
  EXPECT_FALSE(res);  // Content-Length promised more than arrived
}

TEST(LlmServer, TruncatedAndMalformedJsonAreNotJson) {
  auto server = start_server(R"(
rules:
  - {match: {contains: cut}, reply: {fault: truncated_json, text: "SELECT 1"}}
  - {match: {contains: bad}, reply: {fault: malformed_json}}
  - {match: {contains: empty}, reply: {fault: empty_choices}}
  - {match: {path: /v1/messages}, reply: {fault: empty_choices}}
)");
  ASSERT_TRUE(server);
  for (const char* q : {"cut", "bad"}) {
    auto res = post(*server, "/v1/chat/completions", chat("m", q));
    ASSERT_TRUE(res) << q;
    EXPECT_EQ(res->status, 200);
    EXPECT_TRUE(json::parse(res->body, nullptr, false).is_discarded()) << q << ": " << res->body;
  }
  auto empty = post(*server, "/v1/chat/completions", chat("m", "empty"));
  ASSERT_TRUE(empty);
  json body = json::parse(empty->body);
  EXPECT_TRUE(body["choices"].is_array());
  EXPECT_TRUE(body["choices"].empty());
  auto claude = post(*server, "/v1/messages", anthropic_request("q"), anthropic_headers());
  ASSERT_TRUE(claude);
  EXPECT_TRUE(json::parse(claude->body)["content"].empty());
}

TEST(LlmServer, NoRuleMatchedIsA404ThatSaysSo) {
  auto server = start_server(R"(
rules:
  - {match: {model: m1, regex: "heads? of"}, reply: {text: ok}}
)");
  ASSERT_TRUE(server);
  auto hit = post(*server, "/v1/chat/completions", chat("m1", "the head of a department"));
  auto wrong_model = post(*server, "/v1/chat/completions", chat("m2", "the head of a department"));
  auto wrong_text = post(*server, "/v1/chat/completions", chat("m1", "the tail"));
  ASSERT_TRUE(hit && wrong_model && wrong_text);
  EXPECT_EQ(hit->status, 200);
  EXPECT_EQ(wrong_model->status, 404);
  EXPECT_NE(json::parse(wrong_model->body)["error"]["message"].get<std::string>().find("no rule matched"),
            std::string::npos);
  EXPECT_EQ(wrong_text->status, 404);
  auto bad_json =
      httplib::Client("127.0.0.1", server->port()).Post("/v1/chat/completions", "{nope", "application/json");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_EQ(server->request_count(), 4u);
}

TEST(LlmServer, LastUserAndBodyMatches) {
  auto server = start_server(R"(
rules:
  - {match: {last_user_contains: "fix", body_contains: '"temperature":0'}, reply: {text: fixed}}
  - {reply: {text: other}}
)");
  ASSERT_TRUE(server);
  json req = chat("m", "please fix it");
  req["temperature"] = 0;
  auto a = post(*server, "/v1/chat/completions", req);
  req["temperature"] = 1;
  auto b = post(*server, "/v1/chat/completions", req);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(json::parse(a->body)["choices"][0]["message"]["content"], "fixed");
  EXPECT_EQ(json::parse(b->body)["choices"][0]["message"]["content"], "other");
}

TEST(LlmServer, ScriptErrorsNameTheLine) {
  auto unknown = Script::from_yaml("rules:\n  - match: {model: m}\n    reply: {txt: x}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("line 3"), std::string::npos) << unknown.error();
  EXPECT_NE(unknown.error().find("'txt'"), std::string::npos) << unknown.error();
  auto regex = Script::from_yaml("rules:\n  - {match: {regex: '(unclosed'}, reply: {text: x}}\n");
  ASSERT_FALSE(regex.ok());
  EXPECT_NE(regex.error().find("bad regex"), std::string::npos);
  auto fault = Script::from_yaml("rules:\n  - reply: {fault: explode}\n");
  ASSERT_FALSE(fault.ok());
  EXPECT_NE(fault.error().find("unknown fault 'explode'"), std::string::npos);
  auto syntax = Script::from_yaml("rules: [\n  {reply: {text: x}\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.error().find("line "), std::string::npos);
  auto no_reply = Script::from_yaml("rules:\n  - match: {model: m}\n");
  ASSERT_FALSE(no_reply.ok());
  EXPECT_NE(no_reply.error().find("no 'reply'"), std::string::npos);
  auto missing = Script::load("/nonexistent/script.yaml");
  EXPECT_FALSE(missing.ok());
}

TEST(LlmServer, RequestLogFileRedactsKeys) {
  auto server = start_server("rules: [{reply: {text: x}}]");
  ASSERT_TRUE(server);
  const auto path =
      (std::filesystem::temp_directory_path() / ("llm_server_log_" + std::to_string(::getpid()) + ".jsonl")).string();
  std::filesystem::remove(path);
  ASSERT_TRUE(server->set_log_file(path).ok());
  ASSERT_TRUE(post(*server, "/v1/chat/completions", chat("m", "q"), {{"Authorization", "Bearer sk-secret-123"}}));
  server->stop();
  auto content = files::read_file(path);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(content->find("sk-secret-123"), std::string::npos);
  json line = json::parse(content->substr(0, content->find('\n')));
  EXPECT_EQ(line["path"], "/v1/chat/completions");
  EXPECT_EQ(line["headers"]["authorization"], "<redacted>");
  EXPECT_EQ(line["body"]["model"], "m");
  std::filesystem::remove(path);
}

TEST(LlmServer, StartOnBusyPortFailsAndStopIsIdempotent) {
  auto server = start_server("rules: []");
  ASSERT_TRUE(server);
  EXPECT_EQ(server->base_url(), "http://127.0.0.1:" + std::to_string(server->port()));
  auto second = ScriptedServer::start(Script{}, server->port());
  EXPECT_FALSE(second.ok());
  server->stop();
  server->stop();
}

TEST(LlmServer, ServesManyRequestsConcurrently) {
  auto server = start_server("rules: [{reply: {text: 'SELECT {{call}}', latency_ms: 200}}]");
  ASSERT_TRUE(server);
  constexpr int kRequests = 64;
  std::vector<std::thread> threads;
  std::vector<int> statuses(kRequests, 0);
  std::vector<std::string> texts(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      std::string question = "question ";
      question += std::to_string(i);
      auto res = post(*server, "/v1/chat/completions", chat("m", question));
      if (res) {
        statuses[i] = res->status;
        texts[i] = json::parse(res->body)["choices"][0]["message"]["content"];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int s : statuses) EXPECT_EQ(s, 200);
  std::sort(texts.begin(), texts.end());
  EXPECT_EQ(std::unique(texts.begin(), texts.end()), texts.end()) << "every call numbered once";
  EXPECT_GE(server->max_in_flight(), 32) << "the server must not serialise requests";
  EXPECT_EQ(server->in_flight(), 0);
}

TEST(LlmServer, StopWakesSleepingRequests) {
  auto server = start_server("rules: [{reply: {text: x, latency_ms: 60000}}]");
  ASSERT_TRUE(server);
  std::thread client([&] { post(*server, "/v1/chat/completions", chat("m", "q")); });
  while (server->in_flight() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server->stop();  // returns although a request sleeps for a minute
  client.join();
  EXPECT_EQ(server->request_count(), 1u);
}

TEST(LlmServer, EveryAndProbabilityInjectAShareOfFaults) {
  auto server = ScriptedServer::start_yaml(R"(
seed: 7
rules:
  - {match: {contains: every}, every: 4, reply: {status: 500}}
  - {match: {contains: maybe}, probability: 0.25, reply: {status: 429, retry_after: "0"}}
  - reply: {text: ok}
)");
  ASSERT_TRUE(server.ok()) << server.error();
  std::vector<int> every;
  for (int i = 0; i < 8; ++i) {
    auto res = post(**server, "/v1/chat/completions", chat("m", "every"));
    ASSERT_TRUE(res);
    every.push_back(res->status);
  }
  EXPECT_EQ(every, (std::vector<int>{200, 200, 200, 500, 200, 200, 200, 500}));
  int limited = 0;
  for (int i = 0; i < 400; ++i) {
    auto res = post(**server, "/v1/chat/completions", chat("m", "maybe"));
    ASSERT_TRUE(res);
    limited += res->status == 429;
  }
  EXPECT_GT(limited, 50);  // about 100 of 400
  EXPECT_LT(limited, 150);
  EXPECT_FALSE(Script::from_yaml("rules: [{probability: 2, reply: {text: x}}]").ok());
  EXPECT_FALSE(Script::from_yaml("rules: [{every: 0, reply: {text: x}}]").ok());
}

// `askguru llm-serve` as a shell script or benchmark starts it.
TEST(LlmServe, CommandLineServesUntilSigterm) {
  const auto dir = std::filesystem::temp_directory_path() / ("llm_serve_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string script = (dir / "script.yaml").string(), log = (dir / "requests.jsonl").string();
  std::ofstream(script) << "rules:\n  - {match: {model: m}, reply: {text: 'SELECT 1'}}\n";

  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> args = {ASKGURU_BINARY, "llm-serve", "--script", script, "--log", log};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, ASKGURU_BINARY, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);

  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  ASSERT_EQ(line.rfind("http://127.0.0.1:", 0), 0u) << line;
  const int port = std::stoi(line.substr(line.rfind(':') + 1));
  httplib::Client client("127.0.0.1", port);
  auto res = client.Post("/v1/chat/completions", chat("m", "q").dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["choices"][0]["message"]["content"], "SELECT 1");

  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  auto logged = files::read_file(log);
  ASSERT_TRUE(logged.ok());
  EXPECT_NE(logged->find("/v1/chat/completions"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace askguru::llm
