// LlmClient: one configured endpoint (OpenAI-compatible or Anthropic),
// concurrent, rate-limited, retried, cached and costed. LlmHub: every endpoint
// of a config sharing one HttpLoop (one thread on curl_multi_poll), one cache
// and one UsageMeter.
//
//   auto hub = LlmHub::create(config);
//   ChatRequest req; req.messages = {{"user", "Write SQL for ..."}}; req.temperature = 0;
//   Result<Response> r = (*hub)->client("primary")->chat(req).get();
//
// A request waits in the endpoint's queue (concurrency cap, requests and tokens
// per minute) without blocking anything, is retried with exponential backoff
// and jitter on 429, 408, 5xx, connection errors and timeouts (honouring
// Retry-After), and is not retried on other 4xx. A reply with a ReplyProblem is
// retried once with a corrective message when allowed, then returned with the
// problem set (it still cost tokens). Errors are Status values whose messages
// never hold an API key (redact.h).
//
// Thread-safety: every method may be called from any thread. Callbacks run on
// the loop thread (or, for a cache hit or an immediate error, on the calling
// thread) and must not block; futures avoid that question. Do not destroy a
// client from one of its own callbacks.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"
#include "askguru/llm/config.h"
#include "askguru/llm/types.h"

namespace askguru::llm {

class HttpLoop;
class ResponseCache;
class UsageMeter;
class RequestGroup;

// What clients share. Any pointer may be null except `loop` (a client makes
// its own loop when it is null).
struct ClientContext {
  std::shared_ptr<HttpLoop> loop;
  std::shared_ptr<ResponseCache> cache;
  std::shared_ptr<UsageMeter> usage;
  PriceTable prices;
};

class LlmClient {
 public:
  using ChatCallback = std::function<void(Result<Response>)>;
  using EmbeddingCallback = std::function<void(Result<EmbeddingResponse>)>;

  // Reads the API key from the environment variable the config names (an
  // error when it is named but unset).
  static Result<std::unique_ptr<LlmClient>> create(const EndpointConfig& config, ClientContext context = {});
  ~LlmClient();
  LlmClient(const LlmClient&) = delete;
  LlmClient& operator=(const LlmClient&) = delete;

  const EndpointConfig& config() const;
  const std::string& name() const;

  void chat(ChatRequest request, ChatCallback done, std::shared_ptr<RequestGroup> group = nullptr);
  std::future<Result<Response>> chat(ChatRequest request, std::shared_ptr<RequestGroup> group = nullptr);
  void complete(CompletionRequest request, ChatCallback done, std::shared_ptr<RequestGroup> group = nullptr);
  std::future<Result<Response>> complete(CompletionRequest request, std::shared_ptr<RequestGroup> group = nullptr);
  void embed(EmbeddingRequest request, EmbeddingCallback done, std::shared_ptr<RequestGroup> group = nullptr);
  std::future<Result<EmbeddingResponse>> embed(EmbeddingRequest request, std::shared_ptr<RequestGroup> group = nullptr);

  // GET /v1/models (the health check), one attempt, blocking.
  Result<ModelList> list_models(int timeout_ms = 10000);

  // The URL a path of the provider's API goes to: base_url + ("/v1" when the
  // base has no path) + path, e.g. "/chat/completions".
  std::string url(std::string_view path) const;

  // Requests waiting in the queue or in flight right now.
  size_t outstanding() const;

  class Core;

 private:
  LlmClient(std::shared_ptr<HttpLoop> loop, std::shared_ptr<Core> core);
  std::shared_ptr<HttpLoop> loop_;
  std::shared_ptr<Core> core_;
};

class LlmHub {
 public:
  // `cache_mode` overrides the config's mode (e.g. --replay on the command line).
  static Result<std::unique_ptr<LlmHub>> create(const LlmConfig& config,
                                                std::optional<CacheMode> cache_mode = std::nullopt);
  ~LlmHub();

  // nullptr when there is no such endpoint.
  LlmClient* client(std::string_view name) const;
  // Like client() but an error naming the known endpoints.
  Result<LlmClient*> find(std::string_view name) const;
  std::vector<std::string> names() const;

  const LlmConfig& config() const { return config_; }
  UsageMeter& usage() { return *usage_; }
  ResponseCache* cache() const { return cache_.get(); }
  HttpLoop& loop() { return *loop_; }

 private:
  LlmHub() = default;
  LlmConfig config_;
  std::shared_ptr<HttpLoop> loop_;
  std::shared_ptr<ResponseCache> cache_;
  std::shared_ptr<UsageMeter> usage_;
  std::vector<std::unique_ptr<LlmClient>> clients_;
};

}  // namespace askguru::llm
