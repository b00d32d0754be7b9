// PostgresConnection: one PostgreSQL database through libpq, read-only by construction.
//
// Addressed by a libpq URL, postgresql://user@host:port/db?options (postgres:// too).
// Secrets come from the environment (PGPASSWORD, PGPASSFILE, ~/.pgpass, PGSERVICE);
// a password written in the URL works but is never printed: display_name() and every
// error message show the address without it.
//
// Layers that keep it read-only, outermost first:
//   1. askguru's SQL parser (postgres dialect) refuses anything that is not exactly one
//      query (SELECT / VALUES / WITH ... SELECT, SHOW), a write hidden in a CTE included,
//      and a lexical scan refuses calls of server functions with side effects
//      (pg_terminate_backend, set_config, lo_import, pg_notify, dblink, query_to_xml ...).
//   2. The query goes through the extended protocol, which takes one statement only.
//   3. The session has default_transaction_read_only = on and every query runs inside
//      BEGIN READ ONLY ... COMMIT (ROLLBACK on failure): the server refuses any write.
// For production, connect as a role that can only read (e.g. a member of
// pg_read_all_data): user-defined functions with side effects are outside layer 1.
//
// Time: every query gets SET LOCAL statement_timeout, and the client cancels it
// (PQcancel) itself when askguru's deadline passes or interrupt() is called; both are
// reported as ErrorCode::kTimeout / kCancelled, distinct from kSqlError. A server that
// ignores the cancel, or goes away, costs at most a few seconds: the connection is
// dropped (kUnavailable) and the next call reconnects.
//
// Rows are fetched in single-row mode, so the row cap and the result-size guard stop a
// large result without reading all of it (the rest is cancelled). Values convert to
// askguru's storage classes: int2/4/8 and oid → INTEGER; float4/8 → REAL; numeric →
// INTEGER when it has no fractional digits and fits in 64 bits, else REAL; bool →
// INTEGER 0/1; bytea → BLOB; date, time, timestamp(tz) → ISO TEXT (DateStyle ISO);
// everything else (text, varchar, char, uuid, json, arrays, intervals) → TEXT.
//
// Thread-safety: used by one thread at a time, except interrupt(), which any thread may
// call while the connection is alive. Open one connection per worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "askguru/db/connection.h"

struct pg_conn;
struct pg_cancel;

namespace askguru::db {

class PostgresConnection final : public Connection {
 public:
  // Connects to `url` and prepares the read-only session. Fails with kInvalidArgument
  // for a malformed URL, kRefused when authentication fails, kUnavailable when the
  // server cannot be reached.
  static Result<std::unique_ptr<PostgresConnection>> open(const std::string& url, const OpenOptions& options = {});
  ~PostgresConnection() override;

  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  Result<ResultSet> execute(std::string_view sql, const QueryOptions& options = {}) override;
  // Schemas: IntrospectOptions::schemas, or every schema but the system ones. Tables of
  // the schemas on the search_path are named unqualified (Table::schema empty) unless an
  // earlier schema on the path has a table of the same name; the others carry their
  // schema. Row counts are the planner's estimates (pg_class.reltuples), exact counts
  // (count_rows) only for tables never analysed; samples read TABLESAMPLE SYSTEM on
  // tables larger than about 100,000 rows.
  Result<catalog::Catalog> introspect(const IntrospectOptions& options = {}) override;
  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string display_name() const override { return display_; }
  // "<xxh64 in hex>" of the address, the schema (relations, columns, types) and the
  // server's write counters of each table; computed on first use and cached.
  std::string fingerprint() const override;
  void interrupt() override;

  // Runs askguru's own SQL (catalog queries) with the same read-only transaction and time
  // limit but without the parser's check. Not for SQL from users or models.
  Result<ResultSet> execute_trusted(std::string_view sql, const QueryOptions& options);

  // The database's name (the URL's path).
  const std::string& database() const { return database_; }

 private:
  explicit PostgresConnection(std::string url);

  Status connect();
  void disconnect();
  Result<ResultSet> run(std::string_view sql, const QueryOptions& options);
  struct Exchange;
  Status exchange(Exchange& x);

  std::string url_;       // as given (may hold a password): used to connect only
  std::string display_;   // the URL without secrets
  std::string password_;  // the URL's password, if any, to scrub from messages
  std::string database_;
  pg_conn* conn_ = nullptr;
  pg_cancel* cancel_ = nullptr;
  std::atomic<bool> interrupt_requested_{false};

  mutable std::once_flag fingerprint_once_;
  mutable std::string fingerprint_;
};

// The URL with any password removed (user:secret@ → user@, password=... dropped from the
// query), safe to print. Works on malformed URLs too.
std::string redact_postgres_url(std::string_view url);

// Refusal of SQL that must not reach the server (see layer 1 above): OK for exactly one
// read-only query, else Status{kRefused} naming what was refused. Thread-safe (pure).
Status check_postgres_query(std::string_view sql);

}  // namespace askguru::db
