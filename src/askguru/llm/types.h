// Request and response values of the LLM client layer (llm/client.h).
//
// Plain values with no third-party types: every pipeline stage can include this
// header cheaply. Not synchronised (copy or move them between threads).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace askguru::llm {

using Clock = std::chrono::steady_clock;

struct Message {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

enum class ResponseFormat {
  kNone,        // free text
  kJsonObject,  // OpenAI response_format {"type":"json_object"}
  kJsonSchema,  // OpenAI response_format {"type":"json_schema"} with `json_schema`
};

// Parameters shared by chat and raw-completion requests. Unset optionals are
// not sent: the server's default applies.
struct SamplingParams {
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int> max_tokens;
  std::vector<std::string> stop;
  int n = 1;
  std::optional<int64_t> seed;
  // Chat: logprobs=true plus top_logprobs; completions: logprobs=top_logprobs.
  bool logprobs = false;
  int top_logprobs = 0;
  // Sampled requests (temperature > 0 or unset) put this index into the cache
  // key, so that n independent candidates stay n; temperature-0 requests share
  // one key whatever the index.
  int sample_index = 0;
  // A tag for logs, traces and cache-miss errors: "generate", "select", ...
  std::string purpose;
  // Total deadline of the request, retries included. Unset: none beyond the
  // endpoint's per-attempt timeout and the group's deadline.
  std::optional<Clock::time_point> deadline;
  // Retry once with a corrective message when the reply is malformed
  // (ReplyProblem); the endpoint config can switch this off for all requests.
  bool repair_malformed = true;
};

struct ChatRequest : SamplingParams {
  std::vector<Message> messages;  // system messages are moved to Anthropic's `system`
  ResponseFormat response_format = ResponseFormat::kNone;
  std::string json_schema;  // kJsonSchema: the schema as JSON text
  std::string json_schema_name = "reply";
  std::optional<int> thinking_budget;  // Anthropic extended thinking: budget_tokens
  std::string model;                   // empty: the endpoint's model
};

// A raw prompt for /v1/completions (SQLCoder's format, rendered chat templates).
struct CompletionRequest : SamplingParams {
  std::string prompt;
  std::string model;  // empty: the endpoint's model
};

struct EmbeddingRequest {
  std::vector<std::string> inputs;
  std::optional<int> dimensions;
  std::string model;  // empty: the endpoint's model
  std::string purpose;
  std::optional<Clock::time_point> deadline;
};

// Why a reply that arrived cannot be used as it is. Reported, never thrown.
enum class ReplyProblem {
  kNone,
  kInvalidEnvelope,  // the HTTP body is not the provider's JSON shape (bad or cut JSON)
  kEmptyChoices,     // no choices (OpenAI) or no content blocks (Anthropic)
  kEmptyContent,     // a choice with no text at all
  kInvalidJson,      // JSON mode: the text is not valid JSON
  kTruncatedJson,    // JSON mode: the text is JSON cut off before its end
  kCutOff,           // finish_reason "length" / stop_reason "max_tokens"
};

std::string_view reply_problem_name(ReplyProblem problem);

struct Usage {
  int64_t input_tokens = 0;      // all prompt tokens, cached ones included
  int64_t output_tokens = 0;     // all generated tokens, reasoning included
  int64_t reasoning_tokens = 0;  // part of output_tokens spent thinking
  int64_t cached_tokens = 0;     // part of input_tokens read from the provider's prompt cache
  // Anthropic does not report thinking tokens: they are estimated from the
  // thinking text (4 characters a token) and this is set.
  bool reasoning_estimated = false;
};

struct Choice {
  std::string text;
  std::string thinking;       // reasoning text when the provider returns it
  std::string finish_reason;  // as the provider says it: stop, length, end_turn, max_tokens, ...
  ReplyProblem problem = ReplyProblem::kNone;
  std::string problem_detail;  // e.g. the JSON parse error
  // Logprobs summary (when requested and returned).
  bool has_logprobs = false;
  double mean_logprob = 0.0;
  double sum_logprob = 0.0;
  int logprob_tokens = 0;
};

struct Response {
  std::vector<Choice> choices;
  Usage usage;
  double cost_usd = 0.0;    // 0 for a cached reply; see original_cost_usd
  bool cost_known = false;  // false when the price table lacks the model
  double latency_ms = 0.0;  // wall time of this call (a cache hit: the lookup)
  bool cached = false;
  double original_latency_ms = 0.0;  // for a cached reply: the latency when it was made
  double original_cost_usd = 0.0;    // for a cached reply: its cost when it was made
  int retries = 0;                   // attempts after the first (transport and repair)
  double backoff_ms = 0.0;           // total time planned waiting between attempts
  std::string endpoint;
  std::string model;  // the model the server says answered
  // The whole reply's problem: kNone when at least one choice is usable,
  // otherwise the first choice's problem (or an envelope problem). The
  // client already retried once with a corrective message when allowed.
  ReplyProblem problem = ReplyProblem::kNone;
  std::string problem_detail;

  bool usable() const { return problem == ReplyProblem::kNone; }
  // The first choice's text ("" when none).
  const std::string& text() const;
};

struct EmbeddingResponse {
  std::vector<std::vector<float>> vectors;  // one per input, in input order
  Usage usage;
  double cost_usd = 0.0;
  double latency_ms = 0.0;
  int retries = 0;
  std::string endpoint;
  std::string model;
};

struct ModelList {
  std::vector<std::string> ids;
  double latency_ms = 0.0;
};

}  // namespace askguru::llm
