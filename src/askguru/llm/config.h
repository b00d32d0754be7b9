// Configuration of the LLM layer, read from YAML:
//
//   endpoints:
//     - name: primary                 # how stages refer to it
//       kind: openai                  # openai (OpenAI-compatible) | anthropic
//       base_url: http://127.0.0.1:8000/v1   # no path: "/v1" is added
//       model: ebs-llama31-lora       # a vLLM LoRA adapter is just a model name
//       api_key_env: VLLM_API_KEY     # the NAME of an environment variable (optional)
//       timeout_ms: 60000             # per attempt
//       max_concurrency: 16           # requests in flight at once
//       requests_per_minute: 0        # 0: unlimited
//       tokens_per_minute: 0          # 0: unlimited (prompt estimate + max_tokens)
//       max_retries: 4                # transport retries (429, 5xx, resets, timeouts)
//       backoff_initial_ms: 500
//       backoff_max_ms: 20000
//       repair_malformed: true        # retry once with a corrective message
//       headers: {X-Org: askguru}     # extra HTTP headers
//       anthropic_version: 2023-06-01
//       chat_template: none           # llama3.1: render chats, send to /v1/completions
//   prices:                           # USD per 1M tokens
//     gpt-4o-mini: {input: 0.15, output: 0.60, cached: 0.075}
//   cache: {mode: read-write, path: .askguru/llm_cache.sqlite}   # off | read-write | read-only
//
// Plain values; not synchronised.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"

namespace askguru::llm {

enum class EndpointKind { kOpenAi, kAnthropic };
enum class ChatTemplate { kNone, kLlama31 };
enum class CacheMode { kOff, kReadWrite, kReadOnly };

std::string_view endpoint_kind_name(EndpointKind kind);
std::string_view cache_mode_name(CacheMode mode);
Result<CacheMode> parse_cache_mode(std::string_view text);

struct EndpointConfig {
  std::string name;
  EndpointKind kind = EndpointKind::kOpenAi;
  std::string base_url;
  std::string model;
  std::string api_key_env;  // never the key itself
  int timeout_ms = 60000;
  int max_concurrency = 16;
  double requests_per_minute = 0;
  double tokens_per_minute = 0;
  int max_retries = 4;
  int backoff_initial_ms = 500;
  int backoff_max_ms = 20000;
  bool repair_malformed = true;
  std::map<std::string, std::string> headers;
  std::string anthropic_version = "2023-06-01";
  ChatTemplate chat_template = ChatTemplate::kNone;
  // Where it came from, for error messages: "llm.yaml:12".
  std::string origin;
};

// USD per one million tokens.
struct Price {
  double input = 0;
  double output = 0;
  double cached = 0;  // cached input tokens; 0 falls back to `input`
};

class PriceTable {
 public:
  void set(std::string model, Price price) { prices_[std::move(model)] = price; }
  const Price* find(std::string_view model) const;
  bool empty() const { return prices_.empty(); }

 private:
  std::map<std::string, Price, std::less<>> prices_;
};

struct CacheConfig {
  CacheMode mode = CacheMode::kOff;
  std::string path;
};

struct LlmConfig {
  std::vector<EndpointConfig> endpoints;
  PriceTable prices;
  CacheConfig cache;
  std::string path;  // the file it was loaded from ("" for a string)

  const EndpointConfig* find(std::string_view name) const;

  // Errors name the file, the key and the line: "llm.yaml:7: endpoints[0].timeout_ms: ...".
  static Result<LlmConfig> from_yaml(std::string_view yaml, const std::string& origin = "<config>");
  // The LLM part of a larger file (a pipeline config): top-level keys in
  // `other_keys` belong to the caller and are skipped; `endpoints` may be absent
  // (no LLM configured) when `endpoints_optional`.
  static Result<LlmConfig> from_yaml_section(std::string_view yaml, const std::string& origin,
                                             const std::set<std::string>& other_keys, bool endpoints_optional);
  static Result<LlmConfig> load(const std::string& path);
};

}  // namespace askguru::llm
