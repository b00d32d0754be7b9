// SqliteConnection: one SQLite database file, opened read-only by construction.
//
// Three independent layers keep it read-only: the file is opened with
// SQLITE_OPEN_READONLY; an authorizer denies every write, schema change,
// ATTACH/DETACH, transaction control, load_extension() and every PRAGMA but a
// short list of harmless reads; and a prepared statement that
// sqlite3_stmt_readonly() reports as writing is refused before it runs.
// Exactly one statement per execute() call.
//
// Thread-safety: used by one thread at a time, except interrupt(), which any
// thread may call while the connection is alive. Open one connection per
// worker thread for parallel work.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "askguru/db/connection.h"

struct sqlite3;

namespace askguru::db {

class SqliteConnection final : public Connection {
 public:
  // Opens `path` read-only. Fails with kNotFound when the file does not exist and
  // kInvalidArgument when it is not an SQLite database.
  static Result<std::unique_ptr<SqliteConnection>> open(const std::string& path, const OpenOptions& options = {});
  ~SqliteConnection() override;

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result<ResultSet> execute(std::string_view sql, const QueryOptions& options = {}) override;
  Result<catalog::Catalog> introspect(const IntrospectOptions& options = {}) override;
  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string display_name() const override { return path_; }
  // "<xxh64 of the file (and its -wal file, if any) in hex>-<size in bytes>", computed
  // on first use and cached.
  std::string fingerprint() const override;
  void interrupt() override;

  const std::string& path() const { return path_; }

  // Used by the C callbacks; not part of the interface.
  int authorize(int action, const char* arg1, const char* arg2, const char* db_name, const char* trigger);
  int on_progress();

 private:
  SqliteConnection(std::string path, sqlite3* db, const OpenOptions& options);

  std::string path_;
  sqlite3* db_;
  OpenOptions options_;
  // First refusal the authorizer recorded while preparing the current statement.
  std::string refusal_;
  // A schema-table write the authorizer let through (see authorize()); reported if
  // SQLite then refuses the statement itself ("table sqlite_master may not be modified").
  std::string soft_refusal_;
  // Deadline of the running statement; time_point::max() when none.
  std::chrono::steady_clock::time_point deadline_;
  bool timed_out_ = false;
  std::atomic<bool> interrupt_requested_{false};

  mutable std::once_flag fingerprint_once_;
  mutable std::string fingerprint_;
};

}  // namespace askguru::db
