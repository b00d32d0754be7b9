// OdbcConnection: one database through unixODBC and its driver (Oracle, and anything
// else with an ODBC driver; tested with Debian's SQLite and PostgreSQL drivers).
//
// Addressed as odbc:<DSN> or odbc:<connection string>, for example
//   odbc:EBS;dialect=oracle
//   odbc:Driver=SQLite3;Database=/data/sales.sqlite
//   odbc:Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=5432;Database=sales;UID=reader
// Items askguru reads itself, removed before the string reaches the driver:
//   dialect=sqlite|postgres|oracle   forces the dialect (default: from SQL_DBMS_NAME)
//   pwdfile=/path                    the password is the file's first line
//   pwdenv=NAME                      the password is the environment variable NAME
// With psqlODBC, results stream through a cursor (UseDeclareFetch=1, Fetch=1000) unless
// the connection string sets UseDeclareFetch itself: the driver otherwise holds a whole
// result in memory before the first row reaches askguru's row cap and byte guard.
// Without PWD/Password in the string, the password comes from pwdfile, pwdenv or
// ASKGURU_ODBC_PASSWORD, in that order. A PWD written in the address works but is never
// printed: display_name() and every message show the address without it.
//
// Layers that keep it read-only, outermost first:
//   1. askguru's SQL parser, in the connection's dialect, refuses anything that is not
//      exactly one query (check_odbc_query); on PostgreSQL the same check as
//      PostgresConnection (side-effect functions included).
//   2. SQL_ATTR_ACCESS_MODE = SQL_MODE_READ_ONLY on the connection (drivers that
//      honour it refuse writes themselves).
//   3. The engine's own read-only mode: SQLite PRAGMA query_only; PostgreSQL
//      default_transaction_read_only plus SET TRANSACTION READ ONLY per query; Oracle
//      SET TRANSACTION READ ONLY per query (autocommit off, rolled back after).
// For production, connect as a user that can only read.
//
// Time: SQL_ATTR_QUERY_TIMEOUT (whole seconds, rounded up) plus a watchdog thread
// that calls SQLCancel at askguru's deadline or on interrupt(); reported as kTimeout /
// kCancelled, distinct from kSqlError. A connection the driver reports dead (SQLSTATE
// 08xxx, SQL_ATTR_CONNECTION_DEAD) fails with kUnavailable and the next call reconnects.
//
// Values: integer types → INTEGER; REAL/FLOAT/DOUBLE → REAL; DECIMAL/NUMERIC →
// INTEGER when integral and within 64 bits, else REAL; BIT → INTEGER 0/1; binary →
// BLOB; DATE/TIME/TIMESTAMP → ISO TEXT ("2024-01-31", "2024-01-31 12:00:00[.ffffff]");
// everything else → TEXT (UTF-8). A value the driver cannot give in the column's
// reported type (SQLite's loose typing) is read as text.
//
// Thread-safety: used by one thread at a time, except interrupt(), which any thread may
// call while the connection is alive. Open one connection per worker thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "askguru/db/connection.h"

namespace askguru::db {

// An odbc: address taken apart (without the "odbc:" prefix).
struct OdbcAddress {
  std::string connection_string;  // for the driver; may hold the password
  std::string display;            // "odbc:..." without secrets
  std::string password;           // to scrub from messages; "" when none
  std::optional<Dialect> dialect; // forced with dialect=
  bool password_in_address = false;
};

// Parses what follows "odbc:". Fails with kInvalidArgument (unknown dialect, empty
// address) or kNotFound (an unreadable pwdfile).
Result<OdbcAddress> parse_odbc_address(std::string_view target);

// Refusal of SQL that must not reach the database (layer 1 above): OK for exactly one
// read-only query in `dialect`, else Status{kRefused}. Thread-safe (pure).
Status check_odbc_query(std::string_view sql, Dialect dialect);

// The dialect for an SQL_DBMS_NAME ("SQLite", "PostgreSQL", "Oracle"); nullopt when unknown.
std::optional<Dialect> dialect_for_dbms(std::string_view dbms_name);

// The ODBC catalog functions introspection uses.
enum class OdbcCatalogCall { kTables, kColumns, kPrimaryKeys, kForeignKeys };

class OdbcConnection final : public Connection {
 public:
  // `target` is the address without "odbc:". Fails with kInvalidArgument for a bad
  // address or an unknown DBMS without dialect=, kNotFound for an unknown DSN or driver,
  // kRefused when login fails, kUnavailable when the server cannot be reached.
  static Result<std::unique_ptr<OdbcConnection>> open(std::string_view target, const OpenOptions& options = {});
  ~OdbcConnection() override;

  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;

  Result<ResultSet> execute(std::string_view sql, const QueryOptions& options = {}) override;
  // Oracle: ALL_TAB_COMMENTS / ALL_TAB_COLUMNS / ALL_COL_COMMENTS / ALL_CONSTRAINTS /
  // ALL_SYNONYMS (odbc_oracle.h), falling back to the ODBC catalog functions when they
  // cannot be read. Others: SQLTables, SQLColumns, SQLPrimaryKeys, SQLForeignKeys, with
  // the driver's REMARKS as descriptions.
  Result<catalog::Catalog> introspect(const IntrospectOptions& options = {}) override;
  Dialect dialect() const override { return dialect_; }
  std::string display_name() const override { return address_.display; }
  // "<xxh64 in hex>" of the address, the DBMS and its tables and columns; cached.
  std::string fingerprint() const override;
  void interrupt() override;

  // Runs askguru's own SQL (catalog queries) with the same read-only session and time
  // limit but without the parser's check. Not for SQL from users or models.
  Result<ResultSet> execute_trusted(std::string_view sql, const QueryOptions& options);
  // One ODBC catalog function; `schema`/`table` are exact names ("" = any / none).
  // kForeignKeys lists the keys of `table` (the referencing side).
  Result<ResultSet> catalog_call(OdbcCatalogCall call, std::string_view schema, std::string_view table);

  const std::string& dbms_name() const { return dbms_name_; }
  const std::string& dbms_version() const { return dbms_version_; }
  // SQL_DRIVER_NAME, e.g. "psqlodbcw.so", "libsqlite3odbc.so".
  const std::string& driver_name() const { return driver_name_; }
  // Whether the driver fetches rows in batches through a server-side cursor (psqlODBC's
  // UseDeclareFetch) rather than reading whole results at execution.
  bool cursor_fetch() const { return cursor_fetch_; }
  // The database's name (SQL_DATABASE_NAME), or the DSN / file stem.
  const std::string& database() const { return database_; }

 private:
  explicit OdbcConnection(OdbcAddress address);

  Status connect();
  void disconnect();
  // Runs `start` on a fresh statement handle and collects its rows.
  Result<ResultSet> run(const std::function<short(void*)>& start, const QueryOptions& options, bool transaction);
  Status exec_simple(const std::string& sql);
  void use_cursor_fetch();
  std::string clean(std::string message) const;

  OdbcAddress address_;
  Dialect dialect_ = Dialect::kSqlite;
  std::string dbms_name_;
  std::string dbms_version_;
  std::string driver_name_;
  bool cursor_fetch_ = false;
  std::string database_;
  bool per_query_read_only_ = false;  // SET TRANSACTION READ ONLY before each query
  void* env_ = nullptr;               // SQLHENV
  void* dbc_ = nullptr;               // SQLHDBC
  bool connected_ = false;

  // The watchdog's view of the running statement.
  std::mutex running_mutex_;
  std::condition_variable running_cv_;
  void* running_stmt_ = nullptr;  // SQLHSTMT while a statement runs
  std::atomic<bool> interrupt_requested_{false};

  mutable std::once_flag fingerprint_once_;
  mutable std::string fingerprint_;
};

}  // namespace askguru::db
