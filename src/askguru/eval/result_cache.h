// ResultCache: executed query outcomes on disk, so that scoring another prediction
// file only runs SQL that has not run before.
//
// One SQLite file (<dir>/results-v1.sqlite) holds, per (database fingerprint, exact SQL
// text), the fetched rows with their storage classes (compact binary), or the error,
// or the timeout with the limit it ran under. Gold and predicted SQL share it.
// A timeout is only reused when the current limit is not larger; rows whose recorded
// run took longer than the current limit read back as a timeout.
//
// Thread-safety: every method may be called from any thread (one internal mutex).
// New entries are buffered and written in one transaction by flush() (also when the
// buffer grows large); several processes may share a cache directory (WAL mode).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"
#include "askguru/eval/query_outcome.h"

struct sqlite3;
struct sqlite3_stmt;

namespace askguru::eval {

class ResultCache {
 public:
  // Creates the directory and the file when needed.
  static Result<std::unique_ptr<ResultCache>> open(const std::string& dir);
  // $ASKGURU_CACHE_DIR/eval, else $XDG_CACHE_HOME/askguru/eval, else ~/.cache/askguru/eval.
  static std::string default_dir();

  ~ResultCache();
  ResultCache(const ResultCache&) = delete;
  ResultCache& operator=(const ResultCache&) = delete;

  // limit_ms: the time limit of this run (0: none).
  std::optional<QueryOutcome> lookup(const std::string& fingerprint, const std::string& sql, double limit_ms);
  // Buffers an outcome; errors that may pass (a locked database, a cancel) should not be put.
  void put(const std::string& fingerprint, const std::string& sql, const QueryOutcome& outcome, double limit_ms);
  // Writes the buffered entries in one transaction.
  Status flush();

  const std::string& path() const { return path_; }
  size_t entries_written() const { return written_; }

  // The binary row encoding, exposed for tests.
  static std::string encode_rows(const std::vector<db::Row>& rows, size_t column_count);
  static bool decode_rows(std::string_view bytes, std::vector<db::Row>* rows, size_t* column_count);

 private:
  struct Pending {
    int64_t key;
    std::string fingerprint;
    std::string sql;
    int kind;
    std::string message;
    double elapsed_ms;
    double limit_ms;
    std::string payload;
  };
  ResultCache(std::string path, sqlite3* db);
  static std::optional<QueryOutcome> restore(int kind, std::string message, double elapsed_ms, double stored_limit,
                                             std::string_view payload, double limit_ms);
  Status flush_locked();

  std::string path_;
  sqlite3* db_;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  std::mutex mutex_;
  std::vector<Pending> pending_;
  size_t pending_bytes_ = 0;
  size_t written_ = 0;
};

}  // namespace askguru::eval
