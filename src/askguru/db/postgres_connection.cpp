#include "askguru/db/postgres_connection.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>

#include "askguru/common/hash.h"
#include "askguru/common/text.h"
#include "askguru/db/postgres_introspect.h"
#include "askguru/db/read_only.h"
#include "askguru/sql/lexer.h"
#include "askguru/sql/parser.h"

namespace askguru::db {
namespace {

using Clock = std::chrono::steady_clock;

// How long the server may take to honour a cancel (or to answer COMMIT/ROLLBACK) before
// the connection is dropped.
constexpr std::chrono::milliseconds kCancelGrace{3000};
constexpr std::chrono::milliseconds kSessionSetupTimeout{10000};
constexpr int kPollSliceMs = 50;  // interrupt() is noticed within this

// Type OIDs (pg_type.dat; stable across server versions).
enum : Oid {
  kBoolOid = 16,
  kByteaOid = 17,
  kInt8Oid = 20,
  kInt2Oid = 21,
  kInt4Oid = 23,
  kOidOid = 26,
  kFloat4Oid = 700,
  kFloat8Oid = 701,
  kNumericOid = 1700,
};

// ---------------------------------------------------------------- URL and messages

// Drops password=... from a list of key=value items separated by `sep` ('&' in a URL's
// query, ' ' in a key=value connection string; quoted values kept whole).
std::string drop_password_items(std::string_view items, char sep) {
  std::string out;
  size_t i = 0;
  while (i < items.size()) {
    size_t end = i;
    bool quoted = false;
    while (end < items.size() && (quoted || items[end] != sep)) {
      if (items[end] == '\\' && end + 1 < items.size()) {
        end += 2;
        continue;
      }
      if (sep == ' ' && items[end] == '\'') quoted = !quoted;
      ++end;
    }
    std::string_view item = items.substr(i, end - i);
    std::string_view key = text::trim(item.substr(0, item.find('=')));
    if (!text::iequals(key, "password") && !item.empty()) {
      if (!out.empty()) out += sep;
      out += item;
    }
    i = end + 1;
  }
  return out;
}

std::string redact(std::string_view url) {
  std::string out(url);
  size_t scheme_end = out.find("://");
  if (scheme_end == std::string::npos) return drop_password_items(out, ' ');  // key=value form
  // user:password@host → user@host. The userinfo ends at the last '@' before the query.
  size_t authority = scheme_end + 3;
  size_t query = out.find('?', authority);
  size_t at = out.rfind('@', query == std::string::npos ? std::string::npos : query);
  if (at != std::string::npos && at >= authority) {
    size_t colon = out.find(':', authority);
    if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
  }
  query = out.find('?', authority);
  if (query != std::string::npos) {
    std::string params = drop_password_items(std::string_view(out).substr(query + 1), '&');
    out.erase(query);
    if (!params.empty()) out += "?" + params;
  }
  return out;
}

// The password libpq will use from the URL itself, if the URL names one.
std::string url_password(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  if (err) PQfreemem(err);
  std::string password;
  if (options) {
    for (PQconninfoOption* o = options; o->keyword; ++o) {
      if (std::strcmp(o->keyword, "password") == 0 && o->val) password = o->val;
    }
    PQconninfoFree(options);
  }
  return password;
}

std::string database_of(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  if (err) PQfreemem(err);
  std::string name;
  if (options) {
    for (PQconninfoOption* o = options; o->keyword; ++o) {
      if (std::strcmp(o->keyword, "dbname") == 0 && o->val) name = o->val;
    }
    PQconninfoFree(options);
  }
  return name;
}

// libpq's message, one line per line, without the trailing newline and without the
// password (libpq never prints it, but the message may quote the connection string).
std::string clean_message(std::string message, const std::string& password) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  // Short passwords would blot out ordinary words; libpq never prints passwords anyway.
  if (password.size() >= 4) message = text::replace_all(std::move(message), password, "***");
  return message;
}

void ignore_notice(void* /*arg*/, const char* message) {
  spdlog::debug("postgres notice: {}", message ? message : "");
}

// ---------------------------------------------------------------- layer 1: the query check

bool matches(std::string_view name, std::string_view pattern) {
  if (!pattern.empty() && pattern.back() == '*')
    return name.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  return name == pattern;
}

// Server functions that change state, signal other sessions, touch files, reach other
// servers or run SQL text of their own (which would escape the checks here). pg_sleep
// is not among them: the time limit ends it.
bool is_refused_function(std::string_view name) {
  static constexpr std::string_view kRefused[] = {"pg_terminate_backend",
                                                  "pg_cancel_backend",
                                                  "pg_reload_conf",
                                                  "pg_rotate_logfile*",
                                                  "pg_promote",
                                                  "pg_log_backend_memory_contexts",
                                                  "set_config",
                                                  "pg_notify",
                                                  "pg_advisory*",
                                                  "pg_try_advisory*",
                                                  "pg_read_file",
                                                  "pg_read_binary_file",
                                                  "pg_ls_*",
                                                  "pg_stat_file",
                                                  "pg_file_*",
                                                  "pg_logdir_ls",
                                                  "lo_*",
                                                  "be_lo_*",
                                                  "loread",
                                                  "lowrite",
                                                  "nextval",
                                                  "setval",
                                                  "txid_current*",
                                                  "pg_current_xact_id*",
                                                  "pg_switch_wal",
                                                  "pg_create_restore_point",
                                                  "pg_start_backup",
                                                  "pg_stop_backup",
                                                  "pg_backup_*",
                                                  "pg_create_*",
                                                  "pg_drop_replication_slot",
                                                  "pg_copy_*",
                                                  "pg_replication_*",
                                                  "pg_logical_*",
                                                  "pg_wal_replay_*",
                                                  "pg_stat_reset*",
                                                  "pg_stat_statements_reset",
                                                  "pg_import_system_collations",
                                                  "pg_prewarm",
                                                  "dblink*",
                                                  "query_to_xml*",
                                                  "cursor_to_xml*",
                                                  "ts_stat",
                                                  "pg_sequence_*"};
  for (std::string_view pattern : kRefused) {
    if (matches(name, pattern)) return true;
  }
  return false;
}

Status check_functions(std::string_view sql) {
  std::vector<sql::Token> tokens;
  sql::LexError error;
  if (!sql::tokenize(sql, Dialect::kPostgres, tokens, error)) return Status();  // the server reports it
  std::string scratch;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    const sql::Token& t = tokens[i];
    if (tokens[i + 1].type != sql::Tok::kLParen) continue;
    std::string name;
    if (t.type == sql::Tok::kWord) {
      name = text::to_lower(t.text(sql));
    } else if (t.type == sql::Tok::kQuotedIdent) {
      name = std::string(sql::quoted_ident_value(t.text(sql), scratch));
    } else {
      continue;
    }
    if (is_refused_function(name)) return refuse_write("function " + name + "()");
  }
  return Status();
}

// ---------------------------------------------------------------- values

enum class Conversion { kInteger, kReal, kNumeric, kBool, kBlob, kText };

Conversion conversion_for(Oid type) {
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: return Conversion::kInteger;
    case kFloat4Oid:
    case kFloat8Oid: return Conversion::kReal;
    case kNumericOid: return Conversion::kNumeric;
    case kBoolOid: return Conversion::kBool;
    case kByteaOid: return Conversion::kBlob;
    default: return Conversion::kText;
  }
}

std::optional<double> parse_real(std::string_view s) {
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec == std::errc() && end == s.data() + s.size()) return d;
  if (ec == std::errc::result_out_of_range) return s.substr(0, 1) == "-" ? -HUGE_VAL : HUGE_VAL;
  // from_chars takes "inf"/"infinity"/"nan" but PostgreSQL writes "Infinity" and "NaN"
  // with capitals; from_chars is case-insensitive for them, so this is the odd rest.
  return std::nullopt;
}

std::optional<int64_t> parse_integer(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && end == s.data() + s.size()) return v;
  return std::nullopt;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Value bytea_value(const char* data, size_t size) {
  std::string_view s(data, size);
  if (s.substr(0, 2) == "\\x" && s.size() % 2 == 0) {
    std::string bytes;
    bytes.reserve((s.size() - 2) / 2);
    bool ok = true;
    for (size_t i = 2; i + 1 < s.size(); i += 2) {
      int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
      if (hi < 0 || lo < 0) {
        ok = false;
        break;
      }
      bytes.push_back(static_cast<char>(hi * 16 + lo));
    }
    if (ok) return Value::blob(std::move(bytes));
  }
  size_t length = 0;  // escape format (bytea_output = escape)
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(data), &length);
  if (!raw) return Value::text(std::string(s));
  Value v = Value::blob(std::string(reinterpret_cast<const char*>(raw), length));
  PQfreemem(raw);
  return v;
}

Value convert(Conversion conversion, const char* data, size_t size) {
  std::string_view s(data, size);
  switch (conversion) {
    case Conversion::kInteger: {
      if (auto v = parse_integer(s)) return Value::integer(*v);
      break;
    }
    case Conversion::kReal: {
      if (auto v = parse_real(s)) return Value::real(*v);
      break;
    }
    case Conversion::kNumeric: {
      // No fractional digits (scale 0, or an integral unconstrained value such as sum()):
      // INTEGER when it fits; otherwise REAL.
      if (s.find_first_of(".eEIN") == std::string_view::npos) {
        if (auto v = parse_integer(s)) return Value::integer(*v);
      }
      if (auto v = parse_real(s)) return Value::real(*v);
      break;
    }
    case Conversion::kBool:
      if (s == "t") return Value::integer(1);
      if (s == "f") return Value::integer(0);
      break;
    case Conversion::kBlob: return bytea_value(data, size);
    case Conversion::kText: break;
  }
  return Value::text(std::string(s));
}

}  // namespace

std::string redact_postgres_url(std::string_view url) {
  return redact(url);
}

Status check_postgres_query(std::string_view sql) {
  auto ast = sql::parse(sql, Dialect::kPostgres);
  if (ast.ok()) {
    AG_RETURN_IF_ERROR(check_one_read_only_statement(*ast, Dialect::kPostgres));
  } else {
    // Syntax askguru's parser does not know: a query may still be valid PostgreSQL.
    // Let the server judge it (layers 2 and 3 still hold) when it starts like a query.
    std::string word = first_word(sql, Dialect::kPostgres);
    static const char* const kQueryStarts[] = {"SELECT", "WITH", "VALUES", "TABLE", "(", "SHOW"};
    if (std::none_of(std::begin(kQueryStarts), std::end(kQueryStarts), [&](const char* w) { return word == w; })) {
      return refuse_write("only queries run (SELECT, VALUES, WITH ... SELECT, SHOW); not understood: " +
                    std::string(sql::error_headline(ast.error())));
    }
  }
  return check_functions(sql);
}

// ---------------------------------------------------------------- connection

struct PostgresConnection::Exchange {
  std::string_view sql;
  bool extended = false;  // one statement, extended protocol
  Clock::time_point deadline = Clock::time_point::max();
  ResultSet* rows = nullptr;  // single-row mode into this; null: ignore rows
  size_t cap = SIZE_MAX;
  size_t byte_cap = SIZE_MAX;

  bool for_deadline = false;   // the client cancelled at the deadline
  bool for_interrupt = false;  // the client cancelled for interrupt()
  bool stopped = false;        // the client cancelled because it has what it needs (row cap)
  bool too_large = false;      // ... or because the result outgrew byte_cap
  bool abandoned = false;      // the server did not honour the cancel: connection dropped
  bool lost = false;           // the connection went away
  bool copy = false;           // the statement started a COPY
  std::string sqlstate;        // of the first error
  std::string message;
  std::string hint;

  bool failed() const { return abandoned || lost || copy || !message.empty(); }
};

PostgresConnection::PostgresConnection(std::string url)
    : url_(std::move(url)), password_(url_password(url_)), database_(database_of(url_)) {
  display_ = clean_message(redact(url_), password_);
}

PostgresConnection::~PostgresConnection() {
  disconnect();
}

void PostgresConnection::disconnect() {
  if (cancel_) PQfreeCancel(cancel_);
  cancel_ = nullptr;
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

Result<std::unique_ptr<PostgresConnection>> PostgresConnection::open(const std::string& url,
                                                                     const OpenOptions& /*options*/) {
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &err);
  if (!parsed) {
    std::string message = err ? clean_message(err, url_password(url)) : "out of memory";
    if (err) PQfreemem(err);
    return make_error(ErrorCode::kInvalidArgument, "malformed PostgreSQL address " + redact(url) + ": " + message +
                                                       " (expected postgresql://user@host:port/database?options)");
  }
  PQconninfoFree(parsed);
  std::unique_ptr<PostgresConnection> connection(new PostgresConnection(url));
  if (!connection->password_.empty()) {
    warn_password_in_address(connection->display_, "PGPASSWORD or a password file (~/.pgpass, PGPASSFILE)");
  }
  AG_RETURN_IF_ERROR(connection->connect());
  return connection;
}

Status PostgresConnection::connect() {
  disconnect();
  // Defaults first (the URL may override them), then what askguru needs.
  const char* keys[] = {"connect_timeout", "keepalives_idle",           "keepalives_interval", "keepalives_count",
                        "dbname",          "fallback_application_name", "client_encoding",     nullptr};
  const char* values[] = {"10", "30", "10", "3", url_.c_str(), "askguru", "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (!conn) return make_error(ErrorCode::kInternal, "libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = clean_message(PQerrorMessage(conn), password_);
    PQfinish(conn);
    ErrorCode code = ErrorCode::kUnavailable;
    std::string hint;
    if (message.find("no password supplied") != std::string::npos) {
      code = ErrorCode::kRefused;
      hint = " (set PGPASSWORD, or put the password in a password file: ~/.pgpass or PGPASSFILE)";
    } else if (message.find("authentication failed") != std::string::npos ||
               (message.find("role \"") != std::string::npos && message.find("does not exist") != std::string::npos) ||
               message.find("pg_hba.conf") != std::string::npos) {
      code = ErrorCode::kRefused;
    } else if (message.find("database \"") != std::string::npos &&
               message.find("does not exist") != std::string::npos) {
      code = ErrorCode::kNotFound;
    } else if (message.find("invalid") != std::string::npos &&
               message.find("connection to server") == std::string::npos) {
      code = ErrorCode::kInvalidArgument;
    }
    return make_error(code, "cannot connect to " + display_ + ": " + message + hint);
  }
  PQsetNoticeProcessor(conn, &ignore_notice, nullptr);
  conn_ = conn;
  Exchange setup;
  setup.sql =
      "SET default_transaction_read_only = on; SET DateStyle = 'ISO, MDY'; SET bytea_output = 'hex'; "
      "SET extra_float_digits = 1";
  setup.deadline = Clock::now() + kSessionSetupTimeout;
  AG_RETURN_IF_ERROR(exchange(setup));
  if (setup.failed()) {
    std::string message = setup.message.empty() ? "no answer" : setup.message;
    disconnect();
    return make_error(ErrorCode::kUnavailable, "cannot prepare a read-only session on " + display_ + ": " + message);
  }
  cancel_ = PQgetCancel(conn_);
  if (!cancel_) {
    disconnect();
    return make_error(ErrorCode::kInternal, "libpq could not make a cancel handle for " + display_);
  }
  return Status();
}

void PostgresConnection::interrupt() {
  interrupt_requested_.store(true, std::memory_order_relaxed);
}

// Sends x.sql and collects its results, cancelling at the deadline, on interrupt() and
// when the row cap or the size guard is reached. Never blocks longer than the deadline
// plus kCancelGrace. Returns non-OK only for a bug-like libpq state; the outcome is in x.
Status PostgresConnection::exchange(Exchange& x) {
  std::string sql(x.sql);
  int sent = x.extended ? PQsendQueryParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0)
                        : PQsendQuery(conn_, sql.c_str());
  if (!sent) {
    x.message = clean_message(PQerrorMessage(conn_), password_);
    if (PQstatus(conn_) == CONNECTION_BAD) {
      x.lost = true;
      disconnect();
    }
    if (x.message.empty()) x.message = "the query could not be sent";
    return Status();
  }
  if (x.rows) PQsetSingleRowMode(conn_);

  bool cancel_sent = false;
  Clock::time_point grace = Clock::time_point::max();
  auto send_cancel = [&] {
    if (cancel_sent) return;
    cancel_sent = true;
    grace = Clock::now() + kCancelGrace;
    char error[256];
    if (cancel_ && !PQcancel(cancel_, error, sizeof error)) spdlog::debug("{}: cancel failed: {}", display_, error);
  };
  // Returns false when the exchange must end now (connection dropped).
  auto check_time = [&]() -> bool {
    if (cancel_sent) {
      if (Clock::now() >= grace) {
        x.abandoned = true;
        disconnect();
        return false;
      }
      return true;
    }
    if (interrupt_requested_.load(std::memory_order_relaxed)) {
      x.for_interrupt = true;
      send_cancel();
    } else if (Clock::now() >= x.deadline) {
      x.for_deadline = true;
      send_cancel();
    }
    return true;
  };

  std::vector<Conversion> conversions;
  size_t bytes = 0;
  size_t row_overhead = 0;
  while (true) {
    while (PQisBusy(conn_)) {
      if (!check_time()) return Status();
      auto until = std::min(cancel_sent ? grace : x.deadline, Clock::now() + std::chrono::milliseconds(kPollSliceMs));
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      pollfd p{PQsocket(conn_), POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(std::clamp<int64_t>(wait, 0, kPollSliceMs)));
      if (ready < 0 && errno != EINTR) {
        x.lost = true;
        x.message = std::string("waiting for the server failed: ") + std::strerror(errno);
        disconnect();
        return Status();
      }
      if (ready > 0 && !PQconsumeInput(conn_)) {
        x.lost = true;
        if (x.message.empty()) x.message = clean_message(PQerrorMessage(conn_), password_);
        disconnect();
        return Status();
      }
    }
    PGresult* res = PQgetResult(conn_);
    if (!res) break;
    switch (PQresultStatus(res)) {
      case PGRES_SINGLE_TUPLE:
      case PGRES_TUPLES_OK: {
        if (!x.rows) break;
        const int ncols = PQnfields(res);
        if (conversions.empty() && ncols > 0 && x.rows->columns.empty()) {
          for (int i = 0; i < ncols; ++i) {
            x.rows->columns.emplace_back(PQfname(res, i));
            conversions.push_back(conversion_for(PQftype(res, i)));
          }
          row_overhead = sizeof(Row) + static_cast<size_t>(ncols) * sizeof(Value);
        }
        if (x.stopped) break;
        const int nrows = PQntuples(res);
        for (int r = 0; r < nrows && !x.stopped; ++r) {
          if (x.rows->rows.size() >= x.cap) {
            x.rows->truncated = true;
            x.stopped = true;
            send_cancel();
            break;
          }
          Row& row = x.rows->rows.emplace_back();
          row.reserve(static_cast<size_t>(ncols));
          for (int c = 0; c < ncols; ++c) {
            if (PQgetisnull(res, r, c)) {
              row.emplace_back();
              continue;
            }
            auto size = static_cast<size_t>(PQgetlength(res, r, c));
            bytes += size;
            row.push_back(convert(conversions[static_cast<size_t>(c)], PQgetvalue(res, r, c), size));
          }
          bytes += row_overhead;
          if (bytes > x.byte_cap) {
            x.too_large = true;
            x.stopped = true;
            send_cancel();
          }
        }
        break;
      }
      case PGRES_COMMAND_OK:
      case PGRES_EMPTY_QUERY: break;
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
      case PGRES_COPY_BOTH:
        // Layer 1 refuses COPY; should one get here, end the session rather than speak COPY.
        PQclear(res);
        x.copy = true;
        disconnect();
        return Status();
      default: {
        if (x.message.empty()) {
          const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
          const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
          const char* hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
          x.sqlstate = state ? state : "";
          x.message = clean_message(primary ? primary : PQresultErrorMessage(res), password_);
          if (x.message.empty()) x.message = PQresStatus(PQresultStatus(res));
          x.hint = hint ? clean_message(hint, password_) : "";
        }
        break;
      }
    }
    PQclear(res);
    if (!check_time()) return Status();
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    x.lost = true;
    if (x.message.empty()) x.message = clean_message(PQerrorMessage(conn_), password_);
    disconnect();
  }
  return Status();
}

Result<ResultSet> PostgresConnection::execute(std::string_view sql, const QueryOptions& options) {
  if (text::trim(sql).empty()) return make_error(ErrorCode::kInvalidArgument, "empty statement: nothing to execute");
  if (sql.find('\0') != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument, "statement contains a NUL byte");
  }
  AG_RETURN_IF_ERROR(check_postgres_query(sql));
  return run(sql, options);
}

Result<ResultSet> PostgresConnection::execute_trusted(std::string_view sql, const QueryOptions& options) {
  return run(sql, options);
}

Result<ResultSet> PostgresConnection::run(std::string_view sql, const QueryOptions& options) {
  const auto start = Clock::now();
  interrupt_requested_.store(false, std::memory_order_relaxed);
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    AG_RETURN_IF_ERROR(connect().with_context("reconnecting"));
  }
  const auto deadline = options.timeout.count() > 0 ? start + options.timeout : Clock::time_point::max();
  const std::string timeout_text = std::to_string(options.timeout.count()) + " ms";

  const int64_t server_timeout = std::min<int64_t>(options.timeout.count(), INT_MAX);  // the server's ceiling
  std::string begin_sql =
      "BEGIN READ ONLY; SET LOCAL statement_timeout = " + std::to_string(std::max<int64_t>(server_timeout, 0));
  Exchange begin;
  begin.sql = begin_sql;
  begin.deadline = deadline;
  AG_RETURN_IF_ERROR(exchange(begin));

  ResultSet result;
  Exchange query;
  query.sql = sql;
  query.extended = true;
  query.deadline = deadline;
  query.rows = &result;
  query.cap = options.max_rows.value_or(SIZE_MAX);
  query.byte_cap = options.max_result_bytes > 0 ? options.max_result_bytes : SIZE_MAX;
  Exchange* outcome = &begin;
  if (!begin.failed()) {
    AG_RETURN_IF_ERROR(exchange(query));
    outcome = &query;
  }

  // End the transaction; a connection left inside one is dropped.
  if (conn_) {
    bool ok = !outcome->failed() || outcome->stopped;
    for (const char* end_sql : {ok ? "COMMIT" : "ROLLBACK", "ROLLBACK"}) {
      if (!conn_ || PQtransactionStatus(conn_) == PQTRANS_IDLE) break;
      Exchange end;
      end.sql = end_sql;
      end.deadline = Clock::now() + kCancelGrace;
      AG_RETURN_IF_ERROR(exchange(end));
    }
    if (conn_ && PQtransactionStatus(conn_) != PQTRANS_IDLE) disconnect();
  }

  const Exchange& x = *outcome;
  const std::string reconnect_note = " (the connection was closed; the next query reconnects)";
  if (x.abandoned) {
    if (x.for_interrupt) {
      return make_error(ErrorCode::kCancelled,
                        "query interrupted; the server did not confirm the cancel" + reconnect_note);
    }
    return make_error(ErrorCode::kTimeout,
                      "query exceeded " + timeout_text + "; the server did not confirm the cancel" + reconnect_note);
  }
  if (x.too_large) {
    return make_error(ErrorCode::kSqlError, "result too large: over " + std::to_string(query.byte_cap >> 20) +
                                                " MiB after " + std::to_string(result.rows.size()) +
                                                " rows; add a LIMIT, a filter or an aggregate");
  }
  if (x.copy) return refuse_write("COPY");
  if (x.lost && !x.stopped) {
    return make_error(
        ErrorCode::kUnavailable,
        "the server closed the connection" + (x.message.empty() ? std::string() : ": " + x.message) + reconnect_note);
  }
  if (!x.stopped) {
    if (x.for_interrupt) return make_error(ErrorCode::kCancelled, "query interrupted");
    if (x.for_deadline) return make_error(ErrorCode::kTimeout, "query exceeded " + timeout_text);
    if (!x.message.empty()) {
      std::string message = x.message + (x.hint.empty() ? std::string() : " (hint: " + x.hint + ")");
      if (x.sqlstate == "57014") {
        if (x.message.find("statement timeout") != std::string::npos) {
          return make_error(ErrorCode::kTimeout, "query exceeded " + timeout_text + " (server statement_timeout)");
        }
        return make_error(ErrorCode::kCancelled, "query cancelled by the server: " + message);
      }
      if (x.sqlstate == "25006") return refuse_write(message);
      if (x.sqlstate == "42501") return make_error(ErrorCode::kRefused, message);
      if (x.sqlstate.rfind("57P", 0) == 0 || x.sqlstate.rfind("08", 0) == 0) {
        return make_error(ErrorCode::kUnavailable, message);
      }
      if (x.message.find("multiple commands") != std::string::npos) {
        return make_error(ErrorCode::kRefused, "several statements in one call: only one runs per call");
      }
      return make_error(ErrorCode::kSqlError, message);
    }
  }
  result.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

std::string PostgresConnection::fingerprint() const {
  std::call_once(fingerprint_once_, [this] {
    auto* self = const_cast<PostgresConnection*>(this);
    auto rows = self->execute_trusted(postgres_fingerprint_query(), {std::chrono::milliseconds(30000), std::nullopt});
    std::string material = display_ + "\n";
    if (rows.ok()) {
      for (const auto& row : rows->rows) {
        for (const auto& value : row) material += value.to_string() + "\t";
        material += "\n";
      }
    } else {
      spdlog::debug("{}: fingerprint from the address only: {}", display_, rows.error());
    }
    fingerprint_ = hash::hex64(hash::xxh64(material));
  });
  return fingerprint_;
}

Result<catalog::Catalog> PostgresConnection::introspect(const IntrospectOptions& options) {
  return introspect_postgres(*this, options);
}

}  // namespace askguru::db
