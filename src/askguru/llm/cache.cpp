#include "askguru/llm/cache.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "askguru/common/hash.h"

namespace askguru::llm {

using nlohmann::json;

namespace {

bool is_sampled(const SamplingParams& p) {
  return !p.temperature || *p.temperature > 0;
}

void put_sampling(json& j, const SamplingParams& p) {
  j["temperature"] = p.temperature ? json(*p.temperature) : json();
  j["top_p"] = p.top_p ? json(*p.top_p) : json();
  j["max_tokens"] = p.max_tokens ? json(*p.max_tokens) : json();
  j["stop"] = p.stop;
  j["n"] = p.n;
  j["seed"] = p.seed ? json(*p.seed) : json();
  j["logprobs"] = p.logprobs;
  j["top_logprobs"] = p.top_logprobs;
  if (is_sampled(p)) j["sample_index"] = p.sample_index;
}

json response_to_json(const Response& r) {
  json choices = json::array();
  for (const Choice& c : r.choices) {
    choices.push_back({{"text", c.text},
                       {"thinking", c.thinking},
                       {"finish_reason", c.finish_reason},
                       {"has_logprobs", c.has_logprobs},
                       {"mean_logprob", c.mean_logprob},
                       {"sum_logprob", c.sum_logprob},
                       {"logprob_tokens", c.logprob_tokens}});
  }
  return {{"choices", choices},
          {"usage",
           {{"input", r.usage.input_tokens},
            {"output", r.usage.output_tokens},
            {"reasoning", r.usage.reasoning_tokens},
            {"cached", r.usage.cached_tokens},
            {"reasoning_estimated", r.usage.reasoning_estimated}}},
          {"model", r.model},
          {"cost_known", r.cost_known}};
}

Result<Response> response_from_json(const std::string& text) {
  try {
    const json j = json::parse(text);
    Response r;
    for (const json& c : j.at("choices")) {
      Choice choice;
      choice.text = c.value("text", "");
      choice.thinking = c.value("thinking", "");
      choice.finish_reason = c.value("finish_reason", "");
      choice.has_logprobs = c.value("has_logprobs", false);
      choice.mean_logprob = c.value("mean_logprob", 0.0);
      choice.sum_logprob = c.value("sum_logprob", 0.0);
      choice.logprob_tokens = c.value("logprob_tokens", 0);
      r.choices.push_back(std::move(choice));
    }
    const json& u = j.at("usage");
    r.usage.input_tokens = u.value("input", int64_t{0});
    r.usage.output_tokens = u.value("output", int64_t{0});
    r.usage.reasoning_tokens = u.value("reasoning", int64_t{0});
    r.usage.cached_tokens = u.value("cached", int64_t{0});
    r.usage.reasoning_estimated = u.value("reasoning_estimated", false);
    r.model = j.value("model", "");
    r.cost_known = j.value("cost_known", false);
    return r;
  } catch (const json::exception& e) {
    return make_error(ErrorCode::kParseError, std::string("corrupt cache entry: ") + e.what());
  }
}

Status sqlite_error(sqlite3* db, const std::string& path, const std::string& what) {
  return make_error(ErrorCode::kIoError, fmt::format("LLM cache {}: {}: {}", path, what, sqlite3_errmsg(db)));
}

// RAII statement.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  sqlite3_stmt* get() { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

void bind_text(sqlite3_stmt* s, int index, const std::string& value) {
  sqlite3_bind_text(s, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* s, int index) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, index));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, index))) : std::string();
}

}  // namespace

std::string canonical_request(const std::string& endpoint, const std::string& model, const ChatRequest& request) {
  json j;
  j["kind"] = "chat";
  j["endpoint"] = endpoint;
  j["model"] = model;
  json messages = json::array();
  for (const Message& m : request.messages) messages.push_back({m.role, m.content});
  j["messages"] = messages;
  put_sampling(j, request);
  j["response_format"] = static_cast<int>(request.response_format);
  if (request.response_format == ResponseFormat::kJsonSchema) j["json_schema"] = request.json_schema;
  j["thinking_budget"] = request.thinking_budget ? json(*request.thinking_budget) : json();
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string canonical_request(const std::string& endpoint, const std::string& model, const CompletionRequest& request) {
  json j;
  j["kind"] = "completion";
  j["endpoint"] = endpoint;
  j["model"] = model;
  j["prompt"] = request.prompt;
  put_sampling(j, request);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string cache_key(const std::string& canonical) {
  return hash::hex64(hash::xxh64(canonical, 0)) + hash::hex64(hash::xxh64(canonical, 0x9e3779b97f4a7c15ULL));
}

Result<std::unique_ptr<ResponseCache>> ResponseCache::open(const std::string& path, CacheMode mode) {
  if (mode == CacheMode::kOff) return make_error(ErrorCode::kInvalidArgument, "LLM cache: mode is off");
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "LLM cache: no path given");
  int flags = SQLITE_OPEN_NOMUTEX;
  if (mode == CacheMode::kReadOnly) {
    if (!std::filesystem::exists(path)) {
      return make_error(
          ErrorCode::kNotFound,
          fmt::format("LLM cache {} does not exist (read-only replay mode needs a recorded cache)", path));
    }
    flags |= SQLITE_OPEN_READONLY;
  } else {
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status s = sqlite_error(db, path, "cannot open");
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<ResponseCache> cache(new ResponseCache(db, path, mode));
  if (mode == CacheMode::kReadWrite) {
    const char* ddl =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE IF NOT EXISTS llm_cache (key TEXT PRIMARY KEY, endpoint TEXT, model TEXT, purpose TEXT,"
        " request TEXT NOT NULL, response TEXT NOT NULL, latency_ms REAL, cost_usd REAL, created_at INTEGER);";
    if (sqlite3_exec(db, ddl, nullptr, nullptr, nullptr) != SQLITE_OK)
      return sqlite_error(db, path, "cannot create table");
  } else {
    Stmt check(db, "SELECT 1 FROM llm_cache LIMIT 1");
    if (!check) return sqlite_error(db, path, "not an askguru LLM cache");
  }
  return cache;
}

ResponseCache::~ResponseCache() {
  sqlite3_close(db_);
}

Result<std::optional<Response>> ResponseCache::lookup(const std::string& canonical) {
  const std::string key = cache_key(canonical);
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT request, response, latency_ms, cost_usd FROM llm_cache WHERE key = ?1");
  if (!s) return sqlite_error(db_, path_, "lookup");
  bind_text(s.get(), 1, key);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_ROW && column_text(s.get(), 0) == canonical) {
    AG_ASSIGN_OR_RETURN(Response r, response_from_json(column_text(s.get(), 1)));
    r.cached = true;
    r.original_latency_ms = sqlite3_column_double(s.get(), 2);
    r.original_cost_usd = sqlite3_column_double(s.get(), 3);
    r.cost_usd = 0;
    ++stats_.hits;
    return std::optional<Response>(std::move(r));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(db_, path_, "lookup");
  ++stats_.misses;
  return std::optional<Response>();
}

Status ResponseCache::store(const std::string& canonical, const Response& response, const std::string& purpose) {
  if (mode_ != CacheMode::kReadWrite || !response.usable() || response.cached) return Status::ok_status();
  const std::string key = cache_key(canonical);
  const std::string body = response_to_json(response).dump(-1, ' ', false, json::error_handler_t::replace);
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "INSERT OR REPLACE INTO llm_cache (key, endpoint, model, purpose, request, response, latency_ms, cost_usd,"
         " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!s) return sqlite_error(db_, path_, "store");
  std::string endpoint, model;
  try {
    const json j = json::parse(canonical);
    endpoint = j.value("endpoint", "");
    model = j.value("model", "");
  } catch (const json::exception&) {
  }
  bind_text(s.get(), 1, key);
  bind_text(s.get(), 2, endpoint);
  bind_text(s.get(), 3, model);
  bind_text(s.get(), 4, purpose);
  bind_text(s.get(), 5, canonical);
  bind_text(s.get(), 6, body);
  sqlite3_bind_double(s.get(), 7, response.latency_ms);
  sqlite3_bind_double(s.get(), 8, response.cost_usd);
  sqlite3_bind_int64(s.get(), 9, static_cast<sqlite3_int64>(std::time(nullptr)));
  if (sqlite3_step(s.get()) != SQLITE_DONE) return sqlite_error(db_, path_, "store");
  ++stats_.stores;
  return Status::ok_status();
}

Result<int64_t> ResponseCache::size() {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT COUNT(*) FROM llm_cache");
  if (!s || sqlite3_step(s.get()) != SQLITE_ROW) return sqlite_error(db_, path_, "count");
  return static_cast<int64_t>(sqlite3_column_int64(s.get(), 0));
}

ResponseCache::Stats ResponseCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace askguru::llm
