#include "askguru/db/sqlite_connection.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "askguru/catalog/catalog.h"
#include "askguru/common/hash.h"
#include "askguru/common/text.h"
#include "askguru/db/sqlite_introspect.h"

namespace askguru::db {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kProgressInterval = 1000;  // VM instructions between deadline checks
constexpr const char* kReadOnlyNote = " — connections are read-only";

struct StmtDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// Skips whitespace, semicolons and SQL comments; returns the rest.
std::string_view skip_insignificant(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ';') {
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t close = s.find("*/", i + 2);
      i = close == std::string_view::npos ? s.size() : close + 2;  // SQLite ends an open comment at EOF
    } else {
      break;
    }
  }
  return s.substr(i);
}

// The first word of a statement, upper-cased ("VACUUM"), for messages.
std::string first_keyword(std::string_view sql) {
  size_t n = 0;
  while (n < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[n])) || sql[n] == '_')) ++n;
  return text::to_upper(sql.substr(0, n));
}

std::string quoted(const char* s) {
  if (!s) return "?";
  std::string out;
  out.reserve(std::strlen(s) + 2);
  out += '\'';
  out += s;
  out += '\'';
  return out;
}

bool in_list(std::string_view name, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// PRAGMAs that only read, allowed with no argument (with one they change a setting).
bool is_read_pragma(std::string_view name) {
  return in_list(name, {"data_version", "page_size", "page_count", "freelist_count", "schema_version", "user_version",
                        "application_id", "encoding", "foreign_keys", "auto_vacuum", "max_page_count"});
}

// PRAGMAs whose argument only names what to read (a table, an index).
bool is_lookup_pragma(std::string_view name) {
  return in_list(
      name, {"table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
             "database_list", "collation_list", "function_list", "module_list", "pragma_list", "compile_options"});
}

// Functions refused even in a SELECT: they load code or reach outside the database.
bool is_refused_function(std::string_view name) {
  return in_list(name, {"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"});
}

bool is_schema_table(const char* name) {
  if (!name) return false;
  std::string lower = text::to_lower(name);
  return lower == "sqlite_master" || lower == "sqlite_schema" || lower == "sqlite_temp_master" ||
         lower == "sqlite_temp_schema";
}

// Statements refused by their first keyword even when the layers below let them
// through as no-ops (e.g. REINDEX of a table without indexes).
bool is_write_keyword(std::string_view keyword) {
  return in_list(keyword,
                 {"INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT", "CREATE", "DROP", "ALTER", "ATTACH", "DETACH",
                  "VACUUM", "REINDEX", "ANALYZE", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"});
}

int authorizer_callback(void* self, int action, const char* a1, const char* a2, const char* db, const char* trigger) {
  return static_cast<SqliteConnection*>(self)->authorize(action, a1, a2, db, trigger);
}

int progress_callback(void* self) {
  return static_cast<SqliteConnection*>(self)->on_progress();
}

Status check_sqlite_header(const std::string& path, uintmax_t size) {
  if (size == 0) return Status();  // an empty file is an empty database
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIoError, "cannot read database file " + path);
  std::array<char, 16> header{};
  in.read(header.data(), header.size());
  static constexpr char kMagic[16] = "SQLite format 3";  // 15 characters and the terminating NUL
  if (in.gcount() != 16 || !std::equal(header.begin(), header.end(), kMagic)) {
    return make_error(ErrorCode::kInvalidArgument, "not an SQLite database (no 'SQLite format 3' header): " + path);
  }
  return Status();
}

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const std::string& path, const OpenOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return make_error(ErrorCode::kNotFound, "database file not found: " + path);
  if (fs::is_directory(status)) {
    return make_error(ErrorCode::kInvalidArgument, "expected an SQLite database file, got a directory: " + path);
  }
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return make_error(ErrorCode::kIoError, "cannot read database file " + path + ": " + ec.message());
  AG_RETURN_IF_ERROR(check_sqlite_header(path, size));

  sqlite3* db = nullptr;
  // No SQLITE_OPEN_URI: the path is taken literally, so no "?mode=rw" can sneak in.
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(ErrorCode::kIoError, "cannot open " + path + ": " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(path, db, options));
  sqlite3_set_authorizer(db, &authorizer_callback, connection.get());
  sqlite3_progress_handler(db, kProgressInterval, &progress_callback, connection.get());
  return connection;
}

SqliteConnection::SqliteConnection(std::string path, sqlite3* db, const OpenOptions& options)
    : path_(std::move(path)), db_(db), options_(options), deadline_(Clock::time_point::max()) {}

SqliteConnection::~SqliteConnection() {
  sqlite3_close_v2(db_);
}

int SqliteConnection::authorize(int action, const char* a1, const char* a2, const char* /*db_name*/,
                                const char* /*trigger*/) {
  std::string refusal;
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE: return SQLITE_OK;
    case SQLITE_FUNCTION: {
      std::string name = text::to_lower(a2 ? a2 : "");
      if (!is_refused_function(name)) return SQLITE_OK;
      refusal = "function " + name + "()";
      break;
    }
    case SQLITE_PRAGMA: {
      std::string name = text::to_lower(a1 ? a1 : "");
      if (is_lookup_pragma(name) || (a2 == nullptr && is_read_pragma(name))) return SQLITE_OK;
      refusal = "PRAGMA " + name + (a2 ? std::string(" = ") + a2 : std::string());
      break;
    }
    case SQLITE_INSERT: refusal = "INSERT into table " + quoted(a1); break;
    case SQLITE_UPDATE: refusal = "UPDATE of table " + quoted(a1) + " column " + quoted(a2); break;
    case SQLITE_DELETE: refusal = "DELETE from table " + quoted(a1); break;
    case SQLITE_CREATE_TABLE: refusal = "CREATE TABLE " + quoted(a1); break;
    case SQLITE_CREATE_TEMP_TABLE: refusal = "CREATE TEMP TABLE " + quoted(a1); break;
    case SQLITE_CREATE_INDEX: refusal = "CREATE INDEX " + quoted(a1) + " on table " + quoted(a2); break;
    case SQLITE_CREATE_TEMP_INDEX: refusal = "CREATE TEMP INDEX " + quoted(a1) + " on table " + quoted(a2); break;
    case SQLITE_CREATE_VIEW: refusal = "CREATE VIEW " + quoted(a1); break;
    case SQLITE_CREATE_TEMP_VIEW: refusal = "CREATE TEMP VIEW " + quoted(a1); break;
    case SQLITE_CREATE_TRIGGER: refusal = "CREATE TRIGGER " + quoted(a1) + " on table " + quoted(a2); break;
    case SQLITE_CREATE_TEMP_TRIGGER: refusal = "CREATE TEMP TRIGGER " + quoted(a1) + " on table " + quoted(a2); break;
    case SQLITE_CREATE_VTABLE: refusal = "CREATE VIRTUAL TABLE " + quoted(a1) + " using " + quoted(a2); break;
    case SQLITE_DROP_TABLE: refusal = "DROP TABLE " + quoted(a1); break;
    case SQLITE_DROP_TEMP_TABLE: refusal = "DROP TEMP TABLE " + quoted(a1); break;
    case SQLITE_DROP_INDEX: refusal = "DROP INDEX " + quoted(a1); break;
    case SQLITE_DROP_TEMP_INDEX: refusal = "DROP TEMP INDEX " + quoted(a1); break;
    case SQLITE_DROP_VIEW: refusal = "DROP VIEW " + quoted(a1); break;
    case SQLITE_DROP_TEMP_VIEW: refusal = "DROP TEMP VIEW " + quoted(a1); break;
    case SQLITE_DROP_TRIGGER: refusal = "DROP TRIGGER " + quoted(a1); break;
    case SQLITE_DROP_TEMP_TRIGGER: refusal = "DROP TEMP TRIGGER " + quoted(a1); break;
    case SQLITE_DROP_VTABLE: refusal = "DROP VIRTUAL TABLE " + quoted(a1); break;
    case SQLITE_ALTER_TABLE: refusal = "ALTER TABLE " + quoted(a2); break;
    case SQLITE_ATTACH: refusal = "ATTACH " + quoted(a1); break;
    case SQLITE_DETACH: refusal = "DETACH " + quoted(a1); break;
    case SQLITE_TRANSACTION: refusal = std::string("transaction control (") + (a1 ? a1 : "?") + ")"; break;
    case SQLITE_SAVEPOINT: refusal = std::string("SAVEPOINT ") + (a1 ? a1 : "?") + " " + (a2 ? a2 : ""); break;
    case SQLITE_REINDEX: refusal = "REINDEX " + quoted(a1); break;
    case SQLITE_ANALYZE: refusal = "ANALYZE " + quoted(a1); break;
    default: refusal = "operation " + std::to_string(action); break;
  }
  // Writes to the schema table itself are let through the authorizer and remembered:
  // CREATE and DROP check them before their own action (which is then refused with a
  // precise name), and SQLite 3.40 prepares, but never runs, an UPDATE of sqlite_master
  // when it first connects a virtual table (FTS5, pragma_table_info). The read-only open,
  // SQLITE_DBCONFIG_DEFENSIVE and sqlite3_stmt_readonly() stop any real schema write.
  if ((action == SQLITE_INSERT || action == SQLITE_DELETE || action == SQLITE_UPDATE) && is_schema_table(a1)) {
    if (soft_refusal_.empty()) soft_refusal_ = std::move(refusal);
    return SQLITE_OK;
  }
  if (refusal_.empty()) refusal_ = std::move(refusal);
  return SQLITE_DENY;
}

int SqliteConnection::on_progress() {
  if (interrupt_requested_.load(std::memory_order_relaxed)) return 1;
  if (deadline_ != Clock::time_point::max() && Clock::now() >= deadline_) {
    timed_out_ = true;
    return 1;
  }
  return 0;
}

void SqliteConnection::interrupt() {
  interrupt_requested_.store(true, std::memory_order_relaxed);
  sqlite3_interrupt(db_);
}

Result<ResultSet> SqliteConnection::execute(std::string_view sql, const QueryOptions& options) {
  const auto start = Clock::now();
  std::string_view body = skip_insignificant(sql);
  if (body.empty()) return make_error(ErrorCode::kInvalidArgument, "empty statement: nothing to execute");
  if (body.size() > static_cast<size_t>(INT_MAX)) {
    return make_error(ErrorCode::kInvalidArgument, "statement too long: " + std::to_string(body.size()) + " bytes");
  }

  refusal_.clear();
  soft_refusal_.clear();
  timed_out_ = false;
  interrupt_requested_.store(false, std::memory_order_relaxed);
  deadline_ = options.timeout.count() > 0 ? start + options.timeout : Clock::time_point::max();
  auto busy_wait = options_.busy_timeout;
  if (options.timeout.count() > 0) busy_wait = std::min(busy_wait, options.timeout);
  sqlite3_busy_timeout(db_, static_cast<int>(busy_wait.count()));

  auto fail = [&](int rc) -> Status {
    if (!refusal_.empty()) return make_error(ErrorCode::kRefused, refusal_ + kReadOnlyNote);
    int primary = rc & 0xff;
    if (primary == SQLITE_INTERRUPT) {
      if (timed_out_) {
        return make_error(ErrorCode::kTimeout, "query exceeded " + std::to_string(options.timeout.count()) + " ms");
      }
      return make_error(ErrorCode::kCancelled, "query interrupted");
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return make_error(ErrorCode::kUnavailable, "database is locked by another connection (waited " +
                                                     std::to_string(busy_wait.count()) + " ms): " + path_);
    }
    if (std::strstr(sqlite3_errmsg(db_), "may not be modified")) {  // SQLite's own guard of its tables
      return make_error(ErrorCode::kRefused,
                        (soft_refusal_.empty() ? std::string(sqlite3_errmsg(db_)) : soft_refusal_) + kReadOnlyNote);
    }
    if (primary == SQLITE_AUTH)
      return make_error(ErrorCode::kRefused, sqlite3_errmsg(db_) + std::string(kReadOnlyNote));
    return make_error(ErrorCode::kSqlError, sqlite3_errmsg(db_));
  };

  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, body.data(), static_cast<int>(body.size()), &raw, &tail);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return fail(rc);
  if (!stmt) return make_error(ErrorCode::kInvalidArgument, "empty statement: nothing to execute");
  std::string_view rest = skip_insignificant(body.substr(static_cast<size_t>(tail - body.data())));
  if (!rest.empty()) {
    return make_error(ErrorCode::kRefused, "several statements in one call: only one runs per call; remove '" +
                                               text::ellipsize(rest, 80) + "'");
  }
  const std::string keyword = first_keyword(body);
  if (!sqlite3_stmt_readonly(stmt.get()) || is_write_keyword(keyword)) {
    return make_error(ErrorCode::kRefused, keyword + " statements are not allowed" + kReadOnlyNote);
  }

  ResultSet result;
  const int column_count = sqlite3_column_count(stmt.get());
  result.columns.reserve(static_cast<size_t>(column_count));
  for (int i = 0; i < column_count; ++i) {
    const char* name = sqlite3_column_name(stmt.get(), i);
    result.columns.emplace_back(name ? name : "");
  }
  const size_t cap = options.max_rows.value_or(SIZE_MAX);
  result.rows.reserve(std::min<size_t>(cap, 64));
  sqlite3_stmt* s = stmt.get();
  const size_t byte_cap = options.max_result_bytes > 0 ? options.max_result_bytes : SIZE_MAX;
  const size_t row_overhead = sizeof(Row) + static_cast<size_t>(column_count) * sizeof(Value);
  size_t bytes = 0;
  while (true) {
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return fail(rc);
    if (result.rows.size() >= cap) {
      result.truncated = true;
      break;
    }
    Row& row = result.rows.emplace_back();
    row.reserve(static_cast<size_t>(column_count));
    for (int i = 0; i < column_count; ++i) {
      switch (sqlite3_column_type(s, i)) {
        case SQLITE_INTEGER: row.push_back(Value::integer(sqlite3_column_int64(s, i))); break;
        case SQLITE_FLOAT: row.push_back(Value::real(sqlite3_column_double(s, i))); break;
        case SQLITE_TEXT: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
          auto size = static_cast<size_t>(sqlite3_column_bytes(s, i));
          bytes += size;
          row.push_back(Value::text(std::string(text ? text : "", size)));
          break;
        }
        case SQLITE_BLOB: {
          const auto* data = static_cast<const char*>(sqlite3_column_blob(s, i));
          auto size = static_cast<size_t>(sqlite3_column_bytes(s, i));
          bytes += size;
          row.push_back(Value::blob(data ? std::string(data, size) : std::string()));
          break;
        }
        default: row.emplace_back(); break;
      }
    }
    bytes += row_overhead;
    if (bytes > byte_cap) {
      return make_error(ErrorCode::kSqlError, "result too large: over " + std::to_string(byte_cap >> 20) +
                                                  " MiB after " + std::to_string(result.rows.size()) +
                                                  " rows; add a LIMIT, a filter or an aggregate");
    }
  }
  result.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

std::string SqliteConnection::fingerprint() const {
  std::call_once(fingerprint_once_, [this] {
    namespace fs = std::filesystem;
    std::error_code ec;
    uintmax_t size = fs::file_size(path_, ec);
    auto main_hash = hash::file_xxh64(path_);
    if (!main_hash.ok()) {
      // Unreadable now: fall back to the path, so caches still separate databases.
      fingerprint_ = "path-" + hash::hex64(hash::xxh64(path_));
      return;
    }
    uint64_t h = *main_hash;
    std::string wal = path_ + "-wal";
    uintmax_t wal_size = fs::file_size(wal, ec);
    if (!ec && wal_size > 0) {
      auto wal_hash = hash::file_xxh64(wal);
      if (wal_hash.ok()) {
        h = hash::xxh64(hash::hex64(h) + hash::hex64(*wal_hash));
        size += wal_size;
      }
    }
    fingerprint_ = hash::hex64(h) + "-" + std::to_string(size);
  });
  return fingerprint_;
}

Result<catalog::Catalog> SqliteConnection::introspect(const IntrospectOptions& options) {
  return introspect_sqlite(*this, options);
}

}  // namespace askguru::db
