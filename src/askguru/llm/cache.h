// ResponseCache: an on-disk cache of LLM replies in one SQLite file.
//
// The key is a hash of the canonical request: endpoint name, model, kind,
// messages or prompt and every parameter. Sampled requests (temperature unset
// or > 0) also put their sample index into it, so that n candidates stay n;
// temperature-0 requests share one entry whatever the index. Only usable
// replies (no ReplyProblem) are stored. The canonical request is stored too and
// compared on lookup, so a hash collision is a miss, never a wrong reply.
//
// Modes: off (nothing is read or written), read-write, read-only (replay: the
// caller treats a miss as an error; see LlmClient).
//
// Thread-safe: one connection guarded by a mutex; WAL journal, so several
// processes may share a file.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "askguru/common/status.h"
#include "askguru/llm/config.h"
#include "askguru/llm/types.h"

struct sqlite3;

namespace askguru::llm {

// Canonical text of a request (sorted-key JSON) and its cache key (32 hex digits).
std::string canonical_request(const std::string& endpoint, const std::string& model, const ChatRequest& request);
std::string canonical_request(const std::string& endpoint, const std::string& model, const CompletionRequest& request);
std::string cache_key(const std::string& canonical);

class ResponseCache {
 public:
  struct Stats {
    int64_t hits = 0;
    int64_t misses = 0;
    int64_t stores = 0;
  };

  // Creates the file (and its folder) in read-write mode; read-only needs it to exist.
  static Result<std::unique_ptr<ResponseCache>> open(const std::string& path, CacheMode mode);
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  CacheMode mode() const { return mode_; }
  const std::string& path() const { return path_; }

  // The stored reply (with cached = true, zero cost, original latency and
  // cost filled in), or nullopt on a miss.
  Result<std::optional<Response>> lookup(const std::string& canonical);
  // No-op in read-only mode and for unusable replies.
  Status store(const std::string& canonical, const Response& response, const std::string& purpose);
  Result<int64_t> size();
  Stats stats() const;

 private:
  ResponseCache(sqlite3* db, std::string path, CacheMode mode) : db_(db), path_(std::move(path)), mode_(mode) {}

  sqlite3* db_;
  std::string path_;
  CacheMode mode_;
  mutable std::mutex mu_;
  Stats stats_;
};

}  // namespace askguru::llm
