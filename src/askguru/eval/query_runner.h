// QueryRunner: executes a batch of (database, SQL) pairs once each, in parallel, with
// connections reused across queries, answering from the ResultCache where it can.
//
// SQL that Python's sqlite3 (which the official scorers use) runs differently is
// answered as Python would: an empty statement gives no rows, and text after the
// first statement is the error "You can only execute one statement at a time."
//
// Usage: add() every query (identical pairs are deduplicated and get the same id),
// run(), then read outcome(id). The database's content fingerprint
// (Connection::fingerprint()) and the exact SQL text key the cache.
//
// ConnectionPool hands out one open connection per thread at a time and keeps idle
// ones (most recently used first) for reuse.
//
// Thread-safety: ConnectionPool is thread-safe. QueryRunner's add() and run() are
// called from one thread; run() uses `jobs` threads internally; outcome() and stats()
// may be read from any thread once run() has returned.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "askguru/common/status.h"
#include "askguru/db/connection.h"
#include "askguru/eval/query_outcome.h"

namespace askguru::eval {

class ResultCache;

class ConnectionPool {
 public:
  // Keeps at most `max_idle` idle connections open (least recently used closed first).
  explicit ConnectionPool(size_t max_idle = 16);

  // A connection on loan; it goes back to the pool when the lease ends.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::string path, std::unique_ptr<db::Connection> connection)
        : pool_(pool), path_(std::move(path)), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    db::Connection& operator*() const { return *connection_; }
    db::Connection* operator->() const { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::string path_;
    std::unique_ptr<db::Connection> connection_;
  };

  Result<Lease> acquire(const std::string& path);
  size_t opened() const;

 private:
  void release(const std::string& path, std::unique_ptr<db::Connection> connection);

  size_t max_idle_;
  mutable std::mutex mutex_;
  std::list<std::pair<std::string, std::unique_ptr<db::Connection>>> idle_;  // front: most recent
  size_t opened_ = 0;
};

struct RunnerOptions {
  size_t jobs = 0;                              // 0: one per core
  std::chrono::milliseconds timeout{30000};     // per query; 0: none
  ResultCache* cache = nullptr;                 // nullptr: no cache
  bool quiet = false;                           // no progress line
  std::string label = "executing";
};

struct RunnerStats {
  size_t requested = 0;   // add() calls
  size_t distinct = 0;    // distinct (database, SQL) pairs
  size_t blank = 0;       // empty statements, answered without executing
  size_t cache_hits = 0;
  size_t executed = 0;    // queries SQLite ran in this process
  size_t failed_databases = 0;
  double execute_seconds = 0.0;
};

class QueryRunner {
 public:
  explicit QueryRunner(RunnerOptions options);
  ~QueryRunner();

  // The SQL is executed as given, less leading and trailing whitespace.
  size_t add(const std::string& db_path, const std::string& sql);
  // Executes every query added since the last run().
  void run();

  const QueryOutcome& outcome(size_t id) const { return outcomes_[id]; }
  const RunnerStats& stats() const { return stats_; }
  ConnectionPool& pool() { return pool_; }
  // The fingerprint run() computed for a database ("" when it could not be opened).
  std::string fingerprint(const std::string& db_path) const;

 private:
  struct Query {
    std::string db_path;
    std::string sql;
  };

  RunnerOptions options_;
  ConnectionPool pool_;
  std::vector<Query> queries_;
  std::vector<QueryOutcome> outcomes_;
  std::unordered_map<std::string, size_t> index_;  // db_path NUL sql -> id
  size_t done_ = 0;                                 // queries_[0, done_) have outcomes
  std::map<std::string, std::string> fingerprints_;
  std::map<std::string, std::string> open_errors_;
  RunnerStats stats_;
};

// A Status as the message a scorer reports ("timeout: ...", "sql error: ...").
QueryOutcome outcome_from_status(const Status& status, double elapsed_ms);

}  // namespace askguru::eval
