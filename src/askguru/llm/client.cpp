#include "askguru/llm/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <random>
#include <unordered_map>

#include "askguru/llm/cache.h"
#include "askguru/llm/http_loop.h"
#include "askguru/llm/rate_limit.h"
#include "askguru/llm/redact.h"
#include "askguru/llm/request_group.h"
#include "askguru/llm/usage.h"
#include "askguru/llm/wire.h"

namespace askguru::llm {

namespace {

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::optional<Clock::time_point> earliest(std::optional<Clock::time_point> a, std::optional<Clock::time_point> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

enum class CallKind { kChat, kCompletion, kEmbedding };

ErrorCode code_for_http_status(long status) {
  switch (status) {
    case 400:
    case 422: return ErrorCode::kInvalidArgument;
    case 401:
    case 403: return ErrorCode::kRefused;
    case 404: return ErrorCode::kNotFound;
    default: return ErrorCode::kUnavailable;
  }
}

bool retryable_status(long status) {
  return status == 408 || status == 429 || status >= 500;
}

std::string corrective_message(const Response& r) {
  switch (r.problem) {
    case ReplyProblem::kInvalidJson:
    case ReplyProblem::kTruncatedJson:
      return fmt::format(
          "Your previous reply was not valid JSON ({}: {}). Reply again with only the complete JSON value, "
          "no prose and no code fence.",
          reply_problem_name(r.problem), r.problem_detail);
    case ReplyProblem::kCutOff:
      return "Your previous reply was cut off by the length limit. Reply again with the complete answer, "
             "more briefly.";
    default: return "";
  }
}

}  // namespace

// All per-endpoint state. Everything below `loop-thread state` is touched only
// on the HttpLoop thread.
class LlmClient::Core : public std::enable_shared_from_this<LlmClient::Core> {
 public:
  struct Call {
    uint64_t id = 0;
    CallKind kind = CallKind::kChat;
    ChatRequest chat;
    CompletionRequest completion;
    EmbeddingRequest embedding;
    bool json_mode = false;
    bool via_template = false;  // chat rendered with a chat template, sent as a completion
    std::string model;
    std::string path;
    std::string body;
    std::string canonical;  // cache key source; "" when not cached
    std::string purpose;
    double est_tokens = 0;
    Clock::time_point submitted;
    std::optional<Clock::time_point> deadline;
    std::shared_ptr<RequestGroup> group;
    uint64_t group_reg = 0;
    int transport_retries = 0;
    int repairs = 0;
    double backoff_ms = 0;
    Usage spent;  // usage of earlier attempts whose replies were malformed
    enum class State { kQueued, kInFlight, kBackoff, kDone } state = State::kQueued;
    uint64_t transfer_id = 0;
    uint64_t backoff_timer = 0;
    uint64_t deadline_timer = 0;
    bool acquired = false;
    ChatCallback on_done;
    EmbeddingCallback on_embedding;
  };

  Core(EndpointConfig config, HttpLoop* loop, ClientContext context, std::string api_key)
      : config_(std::move(config)),
        loop_(loop),
        cache_(std::move(context.cache)),
        usage_(std::move(context.usage)),
        prices_(std::move(context.prices)),
        api_key_(std::move(api_key)),
        limiter_(config_.max_concurrency, config_.requests_per_minute, config_.tokens_per_minute),
        rng_(std::random_device{}()) {}

  const EndpointConfig& config() const { return config_; }

  std::string url(std::string_view path) const {
    const std::string& base = config_.base_url;
    const size_t scheme = base.find("://");
    const size_t path_start = scheme == std::string::npos ? std::string::npos : base.find('/', scheme + 3);
    std::string out = base;
    if (path_start == std::string::npos) out += "/v1";
    out += path;
    return out;
  }

  std::vector<std::string> headers() const {
    std::vector<std::string> h = {"Content-Type: application/json", "Accept: application/json"};
    if (config_.kind == EndpointKind::kAnthropic) {
      if (!api_key_.empty()) h.push_back("x-api-key: " + api_key_);
      h.push_back("anthropic-version: " + config_.anthropic_version);
    } else if (!api_key_.empty()) {
      h.push_back("Authorization: Bearer " + api_key_);
    }
    for (const auto& [name, value] : config_.headers) h.push_back(name + ": " + value);
    return h;
  }

  // --- submission (any thread) ---------------------------------------------

  void submit_chat(ChatRequest request, ChatCallback done, std::shared_ptr<RequestGroup> group) {
    auto call = std::make_shared<Call>();
    call->kind = CallKind::kChat;
    call->submitted = Clock::now();
    call->purpose = request.purpose;
    call->model = request.model.empty() ? config_.model : request.model;
    call->json_mode = request.response_format != ResponseFormat::kNone;
    if (request.messages.empty()) return fail_now(done, ErrorCode::kInvalidArgument, "a chat request needs messages");
    if (request.n < 1) return fail_now(done, ErrorCode::kInvalidArgument, "n must be at least 1");
    if (config_.kind == EndpointKind::kAnthropic && request.n != 1) {
      return fail_now(done, ErrorCode::kInvalidArgument,
                      "Anthropic answers one sample per request: send n requests with sample_index 0..n-1");
    }
    if (cache_) call->canonical = canonical_request(config_.name, call->model, request);
    if (serve_from_cache(*call, done)) return;
    call->via_template = config_.chat_template == ChatTemplate::kLlama31;
    call->chat = std::move(request);
    build_body(*call);
    call->on_done = std::move(done);
    enqueue(std::move(call), std::move(group));
  }

  void submit_completion(CompletionRequest request, ChatCallback done, std::shared_ptr<RequestGroup> group) {
    auto call = std::make_shared<Call>();
    call->kind = CallKind::kCompletion;
    call->submitted = Clock::now();
    call->purpose = request.purpose;
    call->model = request.model.empty() ? config_.model : request.model;
    if (config_.kind != EndpointKind::kOpenAi) {
      return fail_now(done, ErrorCode::kInvalidArgument, "raw completions need an OpenAI-compatible endpoint");
    }
    if (request.n < 1) return fail_now(done, ErrorCode::kInvalidArgument, "n must be at least 1");
    if (cache_) call->canonical = canonical_request(config_.name, call->model, request);
    if (serve_from_cache(*call, done)) return;
    call->completion = std::move(request);
    build_body(*call);
    call->on_done = std::move(done);
    enqueue(std::move(call), std::move(group));
  }

  void submit_embedding(EmbeddingRequest request, EmbeddingCallback done, std::shared_ptr<RequestGroup> group) {
    auto call = std::make_shared<Call>();
    call->kind = CallKind::kEmbedding;
    call->submitted = Clock::now();
    call->purpose = request.purpose;
    call->model = request.model.empty() ? config_.model : request.model;
    if (config_.kind != EndpointKind::kOpenAi) {
      done(Status(ErrorCode::kInvalidArgument, prefix() + "embeddings need an OpenAI-compatible endpoint"));
      return;
    }
    call->embedding = std::move(request);
    build_body(*call);
    call->on_embedding = std::move(done);
    enqueue(std::move(call), std::move(group));
  }

  Result<ModelList> list_models(int timeout_ms) {
    auto promise = std::make_shared<std::promise<Result<ModelList>>>();
    auto future = promise->get_future();
    HttpRequest req;
    req.method = "GET";
    req.url = url("/models");
    req.headers = headers();
    req.timeout_ms = timeout_ms;
    const std::string where = prefix();
    loop_->post([loop = loop_, req = std::move(req), promise, where]() mutable {
      loop->start_transfer(std::move(req), [promise, where](HttpResult r) {
        if (r.curl_code != 0) {
          promise->set_value(redact(Status(r.timed_out ? ErrorCode::kTimeout : ErrorCode::kUnavailable,
                                           where + "cannot reach the server: " + r.curl_error)));
          return;
        }
        if (r.status != 200) {
          promise->set_value(redact(Status(code_for_http_status(r.status), fmt::format("{}HTTP {}: {}", where, r.status,
                                                                                       wire::error_message(r.body)))));
          return;
        }
        auto list = wire::parse_models(r.body);
        if (list.ok()) list->latency_ms = r.elapsed_ms;
        promise->set_value(list.ok() ? std::move(list) : Result<ModelList>(redact(list.status())));
      });
    });
    return future.get();
  }

  size_t outstanding() const { return outstanding_.load(); }

  // Fails every call (from ~LlmClient). Loop thread.
  void shutdown() {
    shut_down_ = true;
    std::vector<uint64_t> ids;
    for (auto& [id, _] : calls_) ids.push_back(id);
    for (uint64_t id : ids) abort_call(id, Status(ErrorCode::kCancelled, prefix() + "the client was shut down"));
    if (dispatch_timer_) loop_->cancel_timer(dispatch_timer_);
    dispatch_timer_ = 0;
  }

 private:
  std::string prefix() const { return fmt::format("endpoint {} ({}): ", config_.name, config_.model); }

  void fail_now(const ChatCallback& done, ErrorCode code, const std::string& message) {
    if (usage_) usage_->record_failure(config_.name, 0);
    done(redact(Status(code, prefix() + message)));
  }

  // Answers from the cache, or fails a replay miss. Returns true when `done` was called.
  bool serve_from_cache(Call& call, const ChatCallback& done) {
    if (!cache_ || call.canonical.empty()) return false;
    auto hit = cache_->lookup(call.canonical);
    if (!hit.ok()) {
      if (cache_->mode() == CacheMode::kReadOnly) {
        done(redact(hit.status()));
        return true;
      }
      log_redacted("warn", prefix() + "cache lookup failed: " + hit.error());
      return false;
    }
    if (hit->has_value()) {
      Response r = std::move(**hit);
      r.endpoint = config_.name;
      r.latency_ms = ms_between(call.submitted, Clock::now());
      if (usage_) usage_->record(config_.name, r);
      done(std::move(r));
      return true;
    }
    if (cache_->mode() == CacheMode::kReadOnly) {
      if (usage_) usage_->record_failure(config_.name, 0);
      done(Status(ErrorCode::kNotFound,
                  fmt::format("cache miss in replay mode for {} (endpoint {}, model {}, key {}, cache {})",
                              call.purpose.empty() ? "an unnamed request" : call.purpose, config_.name, call.model,
                              cache_key(call.canonical), cache_->path())));
      return true;
    }
    return false;
  }

  void build_body(Call& call) {
    switch (call.kind) {
      case CallKind::kChat: {
        const ChatRequest& req = call.chat;
        if (call.via_template) {
          CompletionRequest c;
          static_cast<SamplingParams&>(c) = req;
          c.prompt = wire::render_llama31(req.messages);
          c.stop.emplace_back(wire::kLlama31Eot);
          call.path = "/completions";
          call.body = wire::openai_completion_body(c, call.model);
        } else if (config_.kind == EndpointKind::kAnthropic) {
          call.path = "/messages";
          call.body = wire::anthropic_messages_body(req, call.model);
        } else {
          call.path = "/chat/completions";
          call.body = wire::openai_chat_body(req, call.model);
        }
        const int max_out = req.max_tokens.value_or(512) + req.thinking_budget.value_or(0);
        call.est_tokens = static_cast<double>(wire::estimate_tokens(call.body) + int64_t{max_out} * req.n);
        break;
      }
      case CallKind::kCompletion:
        call.path = "/completions";
        call.body = wire::openai_completion_body(call.completion, call.model);
        call.est_tokens = static_cast<double>(wire::estimate_tokens(call.body) +
                                              int64_t{call.completion.max_tokens.value_or(512)} * call.completion.n);
        break;
      case CallKind::kEmbedding:
        call.path = "/embeddings";
        call.body = wire::openai_embedding_body(call.embedding, call.model);
        call.est_tokens = static_cast<double>(wire::estimate_tokens(call.body));
        break;
    }
  }

  std::optional<Clock::time_point> request_deadline(const Call& call) const {
    switch (call.kind) {
      case CallKind::kChat: return call.chat.deadline;
      case CallKind::kCompletion: return call.completion.deadline;
      case CallKind::kEmbedding: return call.embedding.deadline;
    }
    return std::nullopt;
  }

  void enqueue(std::shared_ptr<Call> call, std::shared_ptr<RequestGroup> group) {
    call->group = std::move(group);
    call->deadline = earliest(request_deadline(*call), call->group ? call->group->deadline() : std::nullopt);
    outstanding_.fetch_add(1);
    loop_->post([self = shared_from_this(), call = std::move(call)]() mutable { self->on_enqueue(std::move(call)); });
  }

  // --- loop-thread state machine -------------------------------------------

  void on_enqueue(std::shared_ptr<Call> call) {
    call->id = next_call_id_++;
    const uint64_t id = call->id;
    calls_.emplace(id, call);
    if (shut_down_) return abort_call(id, Status(ErrorCode::kCancelled, prefix() + "the client was shut down"));
    if (call->group) {
      std::weak_ptr<Core> weak = weak_from_this();
      HttpLoop* loop = loop_;
      call->group_reg = call->group->add([weak, loop, id](const Status& status) {
        if (auto self = weak.lock()) {
          loop->post([self, id, status] { self->abort_call(id, status); });
        }
      });
      if (call->group_reg == 0) return abort_call(id, call->group->cancel_status());
    }
    if (call->deadline) {
      if (*call->deadline <= Clock::now()) return abort_call(id, deadline_status(*call));
      call->deadline_timer = loop_->add_timer(*call->deadline, [self = shared_from_this(), id] {
        auto it = self->calls_.find(id);
        if (it == self->calls_.end()) return;
        it->second->deadline_timer = 0;
        self->abort_call(id, self->deadline_status(*it->second));
      });
    }
    queue_.push_back(id);
    dispatch();
  }

  Status deadline_status(const Call& call) const {
    const bool group_deadline = call.group && call.group->deadline() && call.deadline == call.group->deadline();
    return Status(
        ErrorCode::kTimeout,
        fmt::format("{}{} deadline passed after {:.0f} ms ({}{} retries){}", prefix(),
                    group_deadline ? "the question's" : "the request's", ms_between(call.submitted, Clock::now()),
                    call.purpose.empty() ? "" : call.purpose + ", ", call.transport_retries + call.repairs,
                    last_error_.count(call.id) ? "; last error: " + last_error_.at(call.id) : ""));
  }

  void dispatch() {
    const auto now = Clock::now();
    while (!queue_.empty()) {
      const uint64_t id = queue_.front();
      auto it = calls_.find(id);
      if (it == calls_.end() || it->second->state != Call::State::kQueued) {
        queue_.pop_front();
        continue;
      }
      Clock::time_point retry_at;
      bool waiting_for_time = false;
      if (!limiter_.try_acquire(it->second->est_tokens, now, &retry_at, &waiting_for_time)) {
        if (waiting_for_time && (dispatch_timer_ == 0 || retry_at < dispatch_at_)) {
          if (dispatch_timer_) loop_->cancel_timer(dispatch_timer_);
          dispatch_at_ = retry_at;
          dispatch_timer_ = loop_->add_timer(retry_at, [self = shared_from_this()] {
            self->dispatch_timer_ = 0;
            self->dispatch();
          });
        }
        return;
      }
      queue_.pop_front();
      start_attempt(*it->second);
    }
  }

  void start_attempt(Call& call) {
    call.acquired = true;
    call.state = Call::State::kInFlight;
    HttpRequest req;
    req.url = url(call.path);
    req.headers = headers();
    req.body = call.body;
    long timeout = config_.timeout_ms;
    if (call.deadline) {
      // A little past the deadline: the deadline timer ends the call first, with a clear message.
      const long left = static_cast<long>(ms_between(Clock::now(), *call.deadline)) + 50;
      timeout = std::max(1L, std::min(timeout, left));
    }
    req.timeout_ms = timeout;
    req.connect_timeout_ms = std::min(timeout, 10000L);
    const uint64_t id = call.id;
    call.transfer_id = loop_->start_transfer(
        std::move(req), [self = shared_from_this(), id](HttpResult r) { self->on_result(id, std::move(r)); });
  }

  void release(Call& call, double token_delta) {
    if (!call.acquired) return;
    call.acquired = false;
    limiter_.release(token_delta, Clock::now());
  }

  void on_result(uint64_t id, HttpResult r) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    std::shared_ptr<Call> call = it->second;
    call->transfer_id = 0;
    if (r.aborted) {
      release(*call, 0);
      dispatch_soon();
      return;
    }
    if (r.curl_code != 0) {
      release(*call, 0);
      retry_or_fail(*call, r.timed_out ? ErrorCode::kTimeout : ErrorCode::kUnavailable,
                    (r.timed_out ? "timed out: " : "connection error: ") + r.curl_error, -1);
      dispatch_soon();
      return;
    }
    if (r.status < 200 || r.status >= 300) {
      release(*call, 0);
      const std::string message = fmt::format("HTTP {}: {}", r.status, wire::error_message(r.body));
      if (retryable_status(r.status)) {
        long retry_after = -1;
        if (auto h = r.headers.find("retry-after-ms"); h != r.headers.end()) {
          char* end = nullptr;
          const double v = std::strtod(h->second.c_str(), &end);
          if (end != h->second.c_str() && v >= 0) retry_after = static_cast<long>(v);
        }
        if (auto h = r.headers.find("retry-after"); retry_after < 0 && h != r.headers.end()) {
          retry_after = parse_retry_after_ms(h->second);
        }
        retry_or_fail(*call, ErrorCode::kUnavailable, message, retry_after);
      } else {
        finish_error(*call, Status(code_for_http_status(r.status), prefix() + message + " (not retried)"));
      }
      dispatch_soon();
      return;
    }
    if (call->kind == CallKind::kEmbedding) {
      release(*call, 0);
      auto parsed = wire::parse_openai_embeddings(r.body);
      if (!parsed.ok()) {
        retry_or_fail(*call, ErrorCode::kParseError, parsed.error(), -1);
      } else {
        EmbeddingResponse e = std::move(parsed).value();
        e.endpoint = config_.name;
        if (e.model.empty()) e.model = call->model;
        e.retries = call->transport_retries;
        e.latency_ms = ms_between(call->submitted, Clock::now());
        if (const Price* p = prices_.find(e.model); p || (p = prices_.find(call->model))) {
          e.cost_usd = cost_of(*p, e.usage);
        }
        if (usage_) usage_->record_embedding(config_.name, e);
        finish_embedding(*call, std::move(e));
      }
      dispatch_soon();
      return;
    }
    Response response;
    if (call->kind == CallKind::kChat && config_.kind == EndpointKind::kAnthropic) {
      response = wire::parse_anthropic_messages(r.body, call->json_mode);
    } else if (call->kind == CallKind::kChat && !call->via_template) {
      response = wire::parse_openai_chat(r.body, call->json_mode);
    } else {
      response = wire::parse_openai_completion(r.body, call->json_mode);
    }
    const int64_t real_tokens = response.usage.input_tokens + response.usage.output_tokens;
    release(*call, real_tokens > 0 ? static_cast<double>(real_tokens) - call->est_tokens : 0.0);
    if (!response.usable() && try_repair(*call, response)) {
      dispatch_soon();
      return;
    }
    finish_response(*call, std::move(response));
    dispatch_soon();
  }

  // Retries once with a corrective message when the reply is malformed.
  bool try_repair(Call& call, const Response& response) {
    const bool allowed = config_.repair_malformed &&
                         (call.kind == CallKind::kChat ? call.chat.repair_malformed : call.completion.repair_malformed);
    if (!allowed || call.repairs >= 1) return false;
    if (call.deadline && *call.deadline <= Clock::now()) return false;
    call.repairs++;
    call.spent.input_tokens += response.usage.input_tokens;
    call.spent.output_tokens += response.usage.output_tokens;
    call.spent.reasoning_tokens += response.usage.reasoning_tokens;
    call.spent.cached_tokens += response.usage.cached_tokens;
    const std::string correction = corrective_message(response);
    if (call.kind == CallKind::kChat && !correction.empty() && !response.choices.empty()) {
      call.chat.messages.push_back({"assistant", response.choices.front().text});
      call.chat.messages.push_back({"user", correction});
      build_body(call);
    }
    log_redacted("debug", fmt::format("{}malformed reply ({}: {}); retrying once{}", prefix(),
                                      reply_problem_name(response.problem), response.problem_detail,
                                      correction.empty() ? "" : " with a corrective message"));
    call.state = Call::State::kQueued;
    queue_.push_front(call.id);
    return true;
  }

  void retry_or_fail(Call& call, ErrorCode code, const std::string& message, long retry_after_ms) {
    last_error_[call.id] = message;
    if (call.transport_retries >= config_.max_retries) {
      finish_error(call, Status(code, fmt::format("{}{} (gave up after {} retries)", prefix(), message,
                                                  call.transport_retries)));
      return;
    }
    double delay_ms = 0;
    if (retry_after_ms >= 0) {
      std::uniform_real_distribution<double> jitter(0.0, 0.1);
      delay_ms = static_cast<double>(retry_after_ms) * (1.0 + jitter(rng_));
    } else {
      const double cap = static_cast<double>(config_.backoff_max_ms);
      const double base = std::min(cap, config_.backoff_initial_ms * std::pow(2.0, call.transport_retries));
      std::uniform_real_distribution<double> jitter(0.5, 1.0);
      delay_ms = base * jitter(rng_);
    }
    const auto when = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(delay_ms * 1000));
    if (call.deadline && Clock::now() >= *call.deadline) {
      finish_error(call, deadline_status(call));
      return;
    }
    if (call.deadline && when >= *call.deadline) {
      finish_error(
          call, Status(ErrorCode::kTimeout, fmt::format("{}{}; the next retry (in {:.0f} ms) would pass the deadline",
                                                        prefix(), message, delay_ms)));
      return;
    }
    call.transport_retries++;
    call.backoff_ms += delay_ms;
    log_redacted("debug", fmt::format("{}retry {}/{} in {:.0f} ms after {}", prefix(), call.transport_retries,
                                      config_.max_retries, delay_ms, message));
    call.state = Call::State::kBackoff;
    const uint64_t id = call.id;
    call.backoff_timer = loop_->add_timer(when, [self = shared_from_this(), id] {
      auto it = self->calls_.find(id);
      if (it == self->calls_.end()) return;
      it->second->backoff_timer = 0;
      it->second->state = Call::State::kQueued;
      self->queue_.push_front(id);
      self->dispatch();
    });
  }

  void dispatch_soon() {
    if (dispatch_posted_) return;
    dispatch_posted_ = true;
    loop_->post([self = shared_from_this()] {
      self->dispatch_posted_ = false;
      self->dispatch();
    });
  }

  // Ends a call in any state with `status`. Loop thread.
  void abort_call(uint64_t id, const Status& status) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    Call& call = *it->second;
    if (call.state == Call::State::kInFlight && call.transfer_id) {
      const uint64_t tid = call.transfer_id;
      call.transfer_id = 0;
      loop_->abort_transfer(tid);  // its callback releases the limiter slot
      release(call, 0);
    }
    finish_error(call, status);
    dispatch_soon();
  }

  // Removes the call from every structure; returns it for its callback.
  std::shared_ptr<Call> retire(Call& call) {
    call.state = Call::State::kDone;
    if (call.backoff_timer) loop_->cancel_timer(call.backoff_timer);
    if (call.deadline_timer) loop_->cancel_timer(call.deadline_timer);
    call.backoff_timer = call.deadline_timer = 0;
    if (call.group && call.group_reg) call.group->remove(call.group_reg);
    call.group_reg = 0;
    last_error_.erase(call.id);
    auto it = calls_.find(call.id);
    std::shared_ptr<Call> keep = it == calls_.end() ? nullptr : it->second;
    if (it != calls_.end()) calls_.erase(it);
    outstanding_.fetch_sub(1);
    return keep;
  }

  void finish_error(Call& call, Status status) {
    auto keep = retire(call);
    if (!keep) return;
    status = redact(status);
    if (usage_) usage_->record_failure(config_.name, call.transport_retries + call.repairs);
    if (status.code() != ErrorCode::kCancelled) log_redacted("debug", status.to_string());
    if (keep->on_done) keep->on_done(std::move(status));
    if (keep->on_embedding) keep->on_embedding(std::move(status));
  }

  void finish_response(Call& call, Response response) {
    auto keep = retire(call);
    if (!keep) return;
    response.usage.input_tokens += call.spent.input_tokens;
    response.usage.output_tokens += call.spent.output_tokens;
    response.usage.reasoning_tokens += call.spent.reasoning_tokens;
    response.usage.cached_tokens += call.spent.cached_tokens;
    response.endpoint = config_.name;
    if (response.model.empty()) response.model = call.model;
    compute_cost(prices_, call.model, response);
    response.retries = call.transport_retries + call.repairs;
    response.backoff_ms = call.backoff_ms;
    response.latency_ms = ms_between(call.submitted, Clock::now());
    if (cache_ && !call.canonical.empty() && response.usable()) {
      Status s = cache_->store(call.canonical, response, call.purpose);
      if (!s.ok()) log_redacted("warn", prefix() + "cache store failed: " + s.message());
    }
    if (usage_) usage_->record(config_.name, response);
    if (keep->on_done) keep->on_done(std::move(response));
  }

  void finish_embedding(Call& call, EmbeddingResponse response) {
    auto keep = retire(call);
    if (keep && keep->on_embedding) keep->on_embedding(std::move(response));
  }

  const EndpointConfig config_;
  HttpLoop* const loop_;
  const std::shared_ptr<ResponseCache> cache_;
  const std::shared_ptr<UsageMeter> usage_;
  const PriceTable prices_;
  const std::string api_key_;
  std::atomic<size_t> outstanding_{0};

  // loop-thread state
  RateLimiter limiter_;
  std::mt19937_64 rng_;
  uint64_t next_call_id_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<Call>> calls_;
  std::unordered_map<uint64_t, std::string> last_error_;
  std::deque<uint64_t> queue_;
  uint64_t dispatch_timer_ = 0;
  Clock::time_point dispatch_at_;
  bool dispatch_posted_ = false;
  bool shut_down_ = false;
};

// --- LlmClient ---------------------------------------------------------------

Result<std::unique_ptr<LlmClient>> LlmClient::create(const EndpointConfig& config, ClientContext context) {
  std::string key;
  if (!config.api_key_env.empty()) {
    const char* value = std::getenv(config.api_key_env.c_str());
    if (!value || !*value) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("endpoint {} ({}): the environment variable {} (api_key_env) is not set",
                                    config.name, config.origin, config.api_key_env));
    }
    key = value;
    register_secret(key);
  }
  std::shared_ptr<HttpLoop> loop = context.loop ? context.loop : std::make_shared<HttpLoop>();
  auto core = std::make_shared<Core>(config, loop.get(), std::move(context), std::move(key));
  return std::unique_ptr<LlmClient>(new LlmClient(std::move(loop), std::move(core)));
}

LlmClient::LlmClient(std::shared_ptr<HttpLoop> loop, std::shared_ptr<Core> core)
    : loop_(std::move(loop)), core_(std::move(core)) {}

LlmClient::~LlmClient() {
  if (loop_->in_loop_thread()) {
    core_->shutdown();
    return;
  }
  std::promise<void> done;
  loop_->post([core = core_, &done] {
    core->shutdown();
    done.set_value();
  });
  done.get_future().wait();
}

const EndpointConfig& LlmClient::config() const {
  return core_->config();
}
const std::string& LlmClient::name() const {
  return core_->config().name;
}
std::string LlmClient::url(std::string_view path) const {
  return core_->url(path);
}
size_t LlmClient::outstanding() const {
  return core_->outstanding();
}

void LlmClient::chat(ChatRequest request, ChatCallback done, std::shared_ptr<RequestGroup> group) {
  core_->submit_chat(std::move(request), std::move(done), std::move(group));
}

std::future<Result<Response>> LlmClient::chat(ChatRequest request, std::shared_ptr<RequestGroup> group) {
  auto promise = std::make_shared<std::promise<Result<Response>>>();
  auto future = promise->get_future();
  chat(
      std::move(request), [promise](Result<Response> r) { promise->set_value(std::move(r)); }, std::move(group));
  return future;
}

void LlmClient::complete(CompletionRequest request, ChatCallback done, std::shared_ptr<RequestGroup> group) {
  core_->submit_completion(std::move(request), std::move(done), std::move(group));
}

std::future<Result<Response>> LlmClient::complete(CompletionRequest request, std::shared_ptr<RequestGroup> group) {
  auto promise = std::make_shared<std::promise<Result<Response>>>();
  auto future = promise->get_future();
  complete(
      std::move(request), [promise](Result<Response> r) { promise->set_value(std::move(r)); }, std::move(group));
  return future;
}

void LlmClient::embed(EmbeddingRequest request, EmbeddingCallback done, std::shared_ptr<RequestGroup> group) {
  core_->submit_embedding(std::move(request), std::move(done), std::move(group));
}

std::future<Result<EmbeddingResponse>> LlmClient::embed(EmbeddingRequest request, std::shared_ptr<RequestGroup> group) {
  auto promise = std::make_shared<std::promise<Result<EmbeddingResponse>>>();
  auto future = promise->get_future();
  embed(
      std::move(request), [promise](Result<EmbeddingResponse> r) { promise->set_value(std::move(r)); },
      std::move(group));
  return future;
}

Result<ModelList> LlmClient::list_models(int timeout_ms) {
  return core_->list_models(timeout_ms);
}

// --- LlmHub ------------------------------------------------------------------

Result<std::unique_ptr<LlmHub>> LlmHub::create(const LlmConfig& config, std::optional<CacheMode> cache_mode) {
  std::unique_ptr<LlmHub> hub(new LlmHub());
  hub->config_ = config;
  hub->loop_ = std::make_shared<HttpLoop>();
  hub->usage_ = std::make_shared<UsageMeter>();
  const CacheMode mode = cache_mode.value_or(config.cache.mode);
  if (mode != CacheMode::kOff) {
    if (config.cache.path.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("{}: cache.path is needed for cache mode {}", config.path, cache_mode_name(mode)));
    }
    AG_ASSIGN_OR_RETURN(auto cache, ResponseCache::open(config.cache.path, mode));
    hub->cache_ = std::move(cache);
  }
  for (const EndpointConfig& e : config.endpoints) {
    ClientContext ctx{hub->loop_, hub->cache_, hub->usage_, config.prices};
    AG_ASSIGN_OR_RETURN(auto client, LlmClient::create(e, std::move(ctx)));
    hub->clients_.push_back(std::move(client));
  }
  return hub;
}

LlmHub::~LlmHub() {
  clients_.clear();  // before the loop they run on
}

LlmClient* LlmHub::client(std::string_view name) const {
  for (const auto& c : clients_) {
    if (c->name() == name) return c.get();
  }
  return nullptr;
}

Result<LlmClient*> LlmHub::find(std::string_view name) const {
  if (LlmClient* c = client(name)) return c;
  std::string known;
  for (const auto& c : clients_) known += (known.empty() ? "" : ", ") + c->name();
  return make_error(ErrorCode::kNotFound, fmt::format("{}: no endpoint named '{}' (known: {})", config_.path, name,
                                                      known.empty() ? "none" : known));
}

std::vector<std::string> LlmHub::names() const {
  std::vector<std::string> out;
  for (const auto& c : clients_) out.push_back(c->name());
  return out;
}

}  // namespace askguru::llm
