// A scripted LLM server for tests and benchmarks: a real HTTP server on
// 127.0.0.1 that speaks the OpenAI and Anthropic wire formats and answers from a
// script of rules, with injected latency and faults.
//
// Endpoints:
//   POST /v1/chat/completions   OpenAI chat (n choices, usage, logprobs when asked)
//   POST /v1/completions        OpenAI raw completions (choices[].text)
//   POST /v1/embeddings         deterministic vectors hashed from the input text
//   GET  /v1/models             the models the script names
//   POST /v1/messages           Anthropic Messages (thinking + text blocks)
//
// The script (YAML) is a list of rules tried in order; the first that matches
// the request answers it. A rule with `times: N` answers N requests, then falls
// through to later rules ("fail twice, then succeed"). When no rule matches a
// chat, completion or message request, the reply is a 404 error whose message
// says so. Embeddings and models are served without a rule; a rule naming their
// path explicitly can still inject a fault or latency into them.
//
//   embedding_dim: 64            # default vector size (a request's "dimensions" wins)
//   models: [extra-model]        # listed by /v1/models beside every rule's model
//   api_key: sk-test             # optional: requests must carry it (401 otherwise)
//   seed: 42                     # for rules with a probability
//   rules:
//     - name: flaky
//       match: {path: /v1/chat/completions, model: m1, contains: "How many", regex: "head(s)?"}
//       times: 2                      # answers 2 requests, then falls through
//       reply: {status: 429, retry_after: 1}
//     - match: {path: /v1/chat/completions}
//       every: 10                     # or probability: 0.1 (seeded by `seed:`)
//       reply: {status: 500}
//     - match: {model: m1}
//       reply:
//         text: ["SELECT 1", "SELECT 2"]   # choice i of call k gets texts[(k*n+i) % size]
//         thinking: "reason first"        # Anthropic thinking block / OpenAI reasoning_content
//         finish_reason: stop             # "length" = cut off by max_tokens
//         usage: {prompt_tokens: 10, completion_tokens: 5, reasoning_tokens: 2}
//         latency_ms: 200
//         n: 2                            # overrides the request's n
//     - reply: {fault: reset}             # reset | truncated_body | truncated_json |
//                                         # malformed_json | empty_choices
//
// Reply texts may use {{model}}, {{choice}} (choice index), {{call}} (how many
// requests this rule answered before) and {{seed}} (the request's seed or "").
//
// Thread-safety: Script is a plain value. A ScriptedServer serves requests on a
// thread per connection (never a small fixed pool); all its public methods are
// safe to call from any thread while it runs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"

namespace re2 {
class RE2;
}

namespace askguru::llm {

// What a rule matches. Empty fields match anything. `path` empty matches the
// generation endpoints (chat, completions, messages) but not embeddings/models.
struct ScriptMatch {
  std::string path;
  std::string model;
  // Substrings that must all occur in the request's text (every message's
  // content, the system prompt, the raw prompt or the embedding input, joined by
  // newlines), or in the last user message (`last_user_contains`).
  std::vector<std::string> contains;
  std::vector<std::string> last_user_contains;
  // Substrings of the raw request body (e.g. "\"temperature\":0").
  std::vector<std::string> body_contains;
  // RE2 pattern searched (not anchored) in the request's text.
  std::string regex;
  std::shared_ptr<const re2::RE2> compiled_regex;
};

enum class FaultKind {
  kNone,
  kReset,          // the socket is reset without any reply
  kTruncatedBody,  // Content-Length promises the whole body; half is sent, then the connection closes
  kTruncatedJson,  // a complete HTTP reply whose JSON body is cut in half
  kMalformedJson,  // a 200 reply whose body is not JSON
  kEmptyChoices,   // valid JSON with no choices (OpenAI) or no content blocks (Anthropic)
};

std::string_view fault_kind_name(FaultKind kind);

// Token counts a rule reports; -1 means "estimate from the text" (4 chars a token).
struct ScriptUsage {
  int64_t prompt_tokens = -1;
  int64_t completion_tokens = -1;
  int64_t reasoning_tokens = -1;
};

struct ScriptReply {
  std::vector<std::string> texts;  // a `json:` value is stored here serialized
  std::string thinking;
  std::string finish_reason = "stop";
  int n = 0;  // 0: the request's n (default 1)
  ScriptUsage usage;
  int latency_ms = 0;
  int status = 200;  // != 200: a provider-style error reply with this status
  std::string retry_after;
  std::string error_message;
  FaultKind fault = FaultKind::kNone;
  std::string raw_body;  // when set, sent as the body verbatim (with `status`)
  std::map<std::string, std::string> headers;
  double logprob = -0.05;  // per-token logprob reported when logprobs are requested
};

struct ScriptRule {
  std::string name;  // "rule 3 (line 12)" when unnamed
  int line = 0;      // 1-based line in the script
  ScriptMatch match;
  int times = -1;  // -1: unlimited
  // Of the requests that match, the rule takes every `every`-th one (the
  // every-th, 2×every-th, …) and, independently, each with `probability`;
  // the others fall through. For "10% of calls fail" in benchmarks.
  int every = 1;
  double probability = 1.0;
  ScriptReply reply;
};

struct Script {
  std::vector<ScriptRule> rules;
  int embedding_dim = 64;
  std::vector<std::string> models;
  std::string api_key;  // empty: no auth check beyond Anthropic's header presence
  uint64_t seed = 42;   // for rules with a probability

  // Errors name the line and column of the offending YAML node.
  static Result<Script> from_yaml(std::string_view yaml);
  static Result<Script> load(const std::string& path);
  // Every model a rule or `models` names, sorted, without duplicates.
  std::vector<std::string> model_names() const;
};

// One request the server saw. Header names are lower-cased.
struct RecordedRequest {
  std::string method, path, body;
  std::map<std::string, std::string> headers;
  std::string rule;  // the rule that answered it, "" when none
  int status = 0;    // the status the server replied with (0 for a reset)
};

// Deterministic embedding of `text`: hashed character trigrams, L2-normalised,
// so similar strings get similar vectors. Exposed for tests.
std::vector<float> scripted_embedding(std::string_view text, int dim);

class ScriptedServer {
 public:
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  // Binds 127.0.0.1:port (0 picks a free port) and serves until stop().
  static Result<std::unique_ptr<ScriptedServer>> start(Script script, int port = 0);
  // Parses `yaml` (Script::from_yaml) and starts a server with it.
  static Result<std::unique_ptr<ScriptedServer>> start_yaml(std::string_view yaml, int port = 0);

  int port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"

  std::vector<RecordedRequest> requests() const;
  size_t request_count() const;
  // Forgets the requests seen so far and restarts max_in_flight() from now.
  void clear_requests();
  // The most requests that were being handled at the same moment.
  int max_in_flight() const;
  int in_flight() const;

  // Appends one JSON line per request to `path` (API keys redacted).
  Status set_log_file(const std::string& path);

  // Stops accepting, wakes sleeping latency waits, closes idle keep-alive
  // connections and joins every thread. Idempotent.
  void stop();

  class Impl;

 private:
  explicit ScriptedServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace askguru::llm
