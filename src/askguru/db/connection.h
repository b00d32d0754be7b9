// Connection: one database, executed read-only with a time limit and an
// optional row cap, and introspected into a Catalog.
//
// Backends: SQLite (embedded default), PostgreSQL (libpq) and ODBC (unixODBC: Oracle
// and any database with a driver). A Connection is used by one thread at a time,
// except interrupt(), which any thread may call to cancel the running query.
// Open one connection per worker thread for parallel work.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/catalog/catalog.h"  // light (std only): introspect() callers need the complete type
#include "askguru/common/dialect.h"
#include "askguru/common/status.h"
#include "askguru/db/result_set.h"

namespace askguru::db {

struct QueryOptions {
  // 0 means no limit. A query that runs out of time fails with ErrorCode::kTimeout.
  std::chrono::milliseconds timeout{30000};
  // Row cap for interactive use; nullopt fetches every row (evaluation, comparison).
  std::optional<size_t> max_rows;
  // Memory guard for the fetched rows (approximate bytes); 0 means no limit. A result
  // that grows past it fails with kSqlError ("result too large ...") instead of
  // exhausting memory (a runaway cross join or recursive CTE).
  size_t max_result_bytes = size_t{4} << 30;
};

struct IntrospectOptions {
  size_t sample_values = 3;        // distinct sample values per column
  bool count_rows = true;          // exact row counts (cheap on SQLite)
  std::string descriptions_dir;    // BIRD database_description/*.csv; empty: look beside the file
  std::string tables_json;         // Spider/BIRD tables.json; empty: none
  // Server databases (PostgreSQL): the schemas to read; empty: every non-system schema.
  std::vector<std::string> schemas;
};

struct OpenOptions {
  std::chrono::milliseconds busy_timeout{5000};  // wait this long on a locked database
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Runs exactly one read-only statement. Writes, several statements, ATTACH and
  // the like fail with ErrorCode::kRefused; SQL errors with kSqlError; a passed time
  // limit with kTimeout.
  virtual Result<ResultSet> execute(std::string_view sql, const QueryOptions& options = {}) = 0;

  virtual Result<catalog::Catalog> introspect(const IntrospectOptions& options = {}) = 0;

  virtual Dialect dialect() const = 0;
  // The address with any secret removed, safe to print.
  virtual std::string display_name() const = 0;
  // A stable identifier of the database's content (e.g. xxh64 of the file and its mtime),
  // for caches keyed by database.
  virtual std::string fingerprint() const = 0;

  // Cancels the running statement, if any. Thread-safe.
  virtual void interrupt() = 0;
};

// Opens a database by URL: a plain path or sqlite:///path (read-only), or
// postgresql://user@host:port/db?options (postgres:// too; the password from PGPASSWORD,
// a password file or the environment), or odbc:DSN / odbc:<connection string>
// (odbc_connection.h; dialect=, pwdfile=, pwdenv= items; ASKGURU_ODBC_PASSWORD).
Result<std::unique_ptr<Connection>> open_connection(std::string_view url, const OpenOptions& options = {});

// The SQLite file an address names (a plain path, sqlite:///path, sqlite:rel/path), or
// nullopt for a server address (postgresql://, odbc:) or an unknown scheme.
std::optional<std::string> sqlite_file_of(std::string_view url);

// The address with secrets removed, safe to print, without connecting: a file path as
// given, a postgresql:// URL without its password, an odbc: address without PWD=.
std::string redact_address(std::string_view url);

// Warns that `display` (a redacted address) carried a password, once per address and
// process: commands open several connections to one database (profiling workers).
void warn_password_in_address(const std::string& display, std::string_view advice);

}  // namespace askguru::db
