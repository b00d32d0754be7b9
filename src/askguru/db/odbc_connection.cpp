#include "askguru/db/odbc_connection.h"

#include <spdlog/spdlog.h>
#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "askguru/common/hash.h"
#include "askguru/common/text.h"
#include "askguru/db/odbc_introspect.h"
#include "askguru/db/postgres_connection.h"
#include "askguru/db/read_only.h"
#include "askguru/sql/lexer.h"
#include "askguru/sql/parser.h"

namespace askguru::db {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kWatchSlice{20};
constexpr SQLULEN kLoginTimeoutSeconds = 10;

// psqlODBC's own connection attributes (its pgapifunc.h), settable once connected:
// UseDeclareFetch and Fetch of the connection string.
constexpr SQLINTEGER kPsqlOdbcUseDeclareFetch = 65539;
constexpr SQLINTEGER kPsqlOdbcFetch = 65541;
// Rows per FETCH when askguru turns cursor fetching on (psqlODBC's default is 100).
constexpr SQLINTEGER kPsqlOdbcFetchRows = 1000;

// ---------------------------------------------------------------- the address

// Splits a connection string into its key=value items (';' separated, {braced} values
// kept whole). Items without '=' keep an empty key.
struct Item {
  std::string key;    // as written, trimmed
  std::string value;  // as written (braces kept)
  std::string text;   // the whole item
};

std::vector<Item> split_items(std::string_view s) {
  std::vector<Item> items;
  size_t i = 0;
  while (i <= s.size()) {
    size_t end = i;
    bool braced = false;
    while (end < s.size() && (braced || s[end] != ';')) {
      if (s[end] == '{') braced = true;
      else if (s[end] == '}') {
        if (braced && end + 1 < s.size() && s[end + 1] == '}') ++end;  // "}}" inside braces
        else braced = false;
      }
      ++end;
    }
    std::string_view text = text::trim(s.substr(i, end - i));
    if (!text.empty()) {
      Item item;
      item.text = std::string(text);
      size_t eq = text.find('=');
      if (eq != std::string_view::npos) {
        item.key = std::string(text::trim(text.substr(0, eq)));
        item.value = std::string(text::trim(text.substr(eq + 1)));
      }
      items.push_back(std::move(item));
    }
    i = end + 1;
  }
  return items;
}

std::string unbrace(std::string_view value) {
  if (value.size() >= 2 && value.front() == '{' && value.back() == '}') {
    return text::replace_all(std::string(value.substr(1, value.size() - 2)), "}}", "}");
  }
  return std::string(value);
}

std::string brace(std::string_view value) {
  return "{" + text::replace_all(std::string(value), "}", "}}") + "}";
}

bool is_password_key(std::string_view key) {
  return text::iequals(key, "pwd") || text::iequals(key, "password");
}

std::string read_password_file(const std::string& path, Status& status) {
  std::ifstream in(path);
  if (!in) {
    status = make_error(ErrorCode::kNotFound, "cannot read the password file " + path);
    return {};
  }
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

// ---------------------------------------------------------------- diagnostics

struct Diag {
  std::string state;
  std::string message;
};

std::vector<Diag> diagnostics(SQLSMALLINT type, SQLHANDLE handle) {
  std::vector<Diag> out;
  if (!handle) return out;
  for (SQLSMALLINT i = 1; i <= 8; ++i) {
    SQLCHAR state[8] = {};
    SQLINTEGER native = 0;
    SQLCHAR message[2048] = {};
    SQLSMALLINT length = 0;
    SQLRETURN rc = SQLGetDiagRec(type, handle, i, state, &native, message, sizeof message, &length);
    if (rc != SQL_SUCCESS && rc != SQL_SUCCESS_WITH_INFO) break;
    std::string text(reinterpret_cast<const char*>(message));
    // "[unixODBC][Driver Manager]..." / "[SQLite]..." prefixes say little to a reader.
    while (!text.empty() && text.front() == '[') {
      size_t close = text.find(']');
      if (close == std::string::npos) break;
      text.erase(0, close + 1);
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    out.push_back({reinterpret_cast<const char*>(state), std::string(text::trim(text))});
  }
  return out;
}

std::string first_state(const std::vector<Diag>& diags) {
  for (const auto& d : diags) {
    if (d.state != "01000" && d.state.substr(0, 2) != "01") return d.state;
  }
  return diags.empty() ? std::string() : diags.front().state;
}

std::string joined_messages(const std::vector<Diag>& diags) {
  std::vector<std::string> parts;
  for (const auto& d : diags) {
    if (d.message.empty()) continue;
    if (std::find(parts.begin(), parts.end(), d.message) == parts.end()) parts.push_back(d.message);
  }
  return parts.empty() ? std::string("no diagnostic from the driver") : text::join(parts, "; ");
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
  return text::to_lower(haystack).find(text::to_lower(needle)) != std::string::npos;
}

// ---------------------------------------------------------------- layer 1

// Calls of functions with side effects outside the parser's statement kinds.
Status check_calls(std::string_view sql, Dialect dialect) {
  std::vector<sql::Token> tokens;
  sql::LexError error;
  if (!sql::tokenize(sql, dialect, tokens, error)) return Status();  // the database reports it
  for (size_t i = 0; i < tokens.size(); ++i) {
    const sql::Token& t = tokens[i];
    if (t.type != sql::Tok::kWord && t.type != sql::Tok::kQuotedIdent) continue;
    std::string scratch;
    std::string name = t.type == sql::Tok::kWord ? text::to_lower(t.text(sql))
                                                  : text::to_lower(sql::quoted_ident_value(t.text(sql), scratch));
    bool call = i + 1 < tokens.size() && tokens[i + 1].type == sql::Tok::kLParen;
    bool package = i + 1 < tokens.size() && tokens[i + 1].type == sql::Tok::kDot;
    if (dialect == Dialect::kSqlite && call && (name == "load_extension" || name == "writefile" || name == "edit")) {
      return refuse_write("function " + name + "()");
    }
    if (dialect == Dialect::kOracle && package && (name.rfind("dbms_", 0) == 0 || name.rfind("utl_", 0) == 0)) {
      // DBMS_LOB's readers are common in reporting queries; the rest of DBMS_* / UTL_*
      // (DBMS_LOCK.SLEEP, UTL_HTTP, DBMS_SCHEDULER ...) act on the server or the network.
      std::string member =
          i + 2 < tokens.size() && tokens[i + 2].type == sql::Tok::kWord ? text::to_lower(tokens[i + 2].text(sql)) : "";
      bool lob_reader = name == "dbms_lob" && (member == "substr" || member == "getlength" || member == "instr" ||
                                               member == "compare");
      if (!lob_reader) return refuse_write("package " + text::to_upper(name) + " (server-side effects)");
    }
  }
  return Status();
}

// ---------------------------------------------------------------- UTF and values

std::optional<int64_t> parse_integer(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return v;
  return std::nullopt;
}

std::optional<double> parse_real(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return d;
  return std::nullopt;
}

// kBool: text "1"/"0"/"t"/"f" → INTEGER. kSqliteNumeric: SQLite's NUMERIC affinity,
// where integral values are stored as integers (read as a double, integral → INTEGER).
enum class Conversion { kInteger, kReal, kNumeric, kBool, kSqliteNumeric, kBlob, kDate, kTime, kTimestamp, kText };

Conversion conversion_for(SQLSMALLINT type) {
  switch (type) {
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT:
    case SQL_BIT: return Conversion::kInteger;
    case SQL_REAL:
    case SQL_FLOAT:
    case SQL_DOUBLE: return Conversion::kReal;
    case SQL_DECIMAL:
    case SQL_NUMERIC: return Conversion::kNumeric;
    case SQL_BINARY:
    case SQL_VARBINARY:
    case SQL_LONGVARBINARY: return Conversion::kBlob;
    case SQL_TYPE_DATE:
    case SQL_DATE: return Conversion::kDate;
    case SQL_TYPE_TIME:
    case SQL_TIME: return Conversion::kTime;
    case SQL_TYPE_TIMESTAMP:
    case SQL_TIMESTAMP: return Conversion::kTimestamp;
    default: return Conversion::kText;
  }
}

// What the column's type name adds to its SQL type: PostgreSQL's bool (a character
// column under psqlODBC's default BoolsAsChar), SQLite's column affinity (the SQLite
// driver reports NUMERIC(10,2) as a double, though SQLite stores 3 in it as an integer).
Conversion refine_conversion(Conversion conversion, std::string_view type_name, Dialect dialect) {
  std::string name = text::to_lower(type_name);
  if (name == "bool" || name == "boolean") return dialect == Dialect::kSqlite ? Conversion::kInteger : Conversion::kBool;
  if (dialect != Dialect::kSqlite || name.empty()) return conversion;
  if (conversion != Conversion::kReal && conversion != Conversion::kNumeric && conversion != Conversion::kInteger) {
    return conversion;
  }
  // SQLite's affinity rules (https://sqlite.org/datatype3.html, 3.1), in order.
  if (name.find("int") != std::string::npos) return Conversion::kInteger;
  if (name.find("char") != std::string::npos || name.find("clob") != std::string::npos ||
      name.find("text") != std::string::npos) {
    return Conversion::kText;
  }
  if (name.find("blob") != std::string::npos) return conversion;
  if (name.find("real") != std::string::npos || name.find("floa") != std::string::npos ||
      name.find("doub") != std::string::npos) {
    return Conversion::kReal;
  }
  return Conversion::kSqliteNumeric;
}

// Text the driver gave for a column of a numeric type: INTEGER when integral and within
// 64 bits ("12", "12.000"), REAL for other numbers, TEXT when not a number at all
// (SQLite keeps 'abc' in an INTEGER column).
Value numeric_value(std::string s, bool keep_real) {
  std::string_view t = text::trim(s);
  if (auto v = parse_integer(t)) return Value::integer(*v);
  if (!keep_real) {
    size_t dot = t.find('.');
    if (dot != std::string_view::npos && t.find_first_of("eE") == std::string_view::npos &&
        t.find_first_not_of('0', dot + 1) == std::string_view::npos) {
      if (auto v = parse_integer(t.substr(0, dot))) return Value::integer(*v);
    }
  }
  if (auto v = parse_real(t)) return Value::real(*v);
  return Value::text(std::move(s));
}

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::string fraction(SQLUINTEGER nanoseconds) {
  if (nanoseconds == 0) return {};
  char buf[16];
  std::snprintf(buf, sizeof buf, ".%09u", static_cast<unsigned>(nanoseconds));
  std::string out = buf;
  while (out.size() > 7 && out.back() == '0') out.pop_back();  // keep microseconds at least
  return out;
}

std::string iso_date(const SQL_DATE_STRUCT& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-", static_cast<int>(d.year));
  return buf + two(d.month) + "-" + two(d.day);
}

}  // namespace

// ---------------------------------------------------------------- public helpers

Result<OdbcAddress> parse_odbc_address(std::string_view target) {
  std::string_view trimmed = text::trim(target);
  if (trimmed.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "empty odbc: address; expected odbc:DSN or odbc:Driver=...;Database=... (a connection string)");
  }
  OdbcAddress address;
  std::vector<Item> items = split_items(trimmed);
  std::vector<std::string> driver_items;
  std::vector<std::string> shown;
  std::string pwdfile, pwdenv;
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& item = items[i];
    if (item.key.empty() && item.text.find('=') == std::string::npos) {
      if (i != 0) {
        return make_error(ErrorCode::kInvalidArgument, "odbc address item '" + item.text +
                                                           "' is not key=value (only the first item may be a bare DSN)");
      }
      driver_items.push_back("DSN=" + item.text);
      shown.push_back(item.text);
      continue;
    }
    if (text::iequals(item.key, "dialect")) {
      auto dialect = parse_dialect(text::to_lower(unbrace(item.value)));
      if (!dialect) {
        return make_error(ErrorCode::kInvalidArgument,
                          "unknown dialect '" + item.value + "' in the odbc address; expected sqlite, postgres or oracle");
      }
      address.dialect = *dialect;
      shown.push_back(item.text);
      continue;
    }
    if (text::iequals(item.key, "pwdfile")) {
      pwdfile = unbrace(item.value);
      shown.push_back(item.text);
      continue;
    }
    if (text::iequals(item.key, "pwdenv")) {
      pwdenv = unbrace(item.value);
      shown.push_back(item.text);
      continue;
    }
    if (is_password_key(item.key)) {
      address.password = unbrace(item.value);
      address.password_in_address = true;
      driver_items.push_back(item.text);
      continue;
    }
    driver_items.push_back(item.text);
    shown.push_back(item.text);
  }
  if (driver_items.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "odbc address names no DSN or driver: " + std::string(trimmed));
  }
  if (!address.password_in_address) {
    std::optional<std::string> password;
    if (!pwdfile.empty()) {
      Status status;
      password = read_password_file(pwdfile, status);
      AG_RETURN_IF_ERROR(status);
    } else if (!pwdenv.empty()) {
      const char* value = std::getenv(pwdenv.c_str());
      if (!value) {
        return make_error(ErrorCode::kNotFound, "the odbc address names pwdenv=" + pwdenv +
                                                    " but that environment variable is not set");
      }
      password = value;
    } else if (const char* value = std::getenv("ASKGURU_ODBC_PASSWORD"); value && *value) {
      password = value;
    }
    if (password) {
      address.password = *password;
      driver_items.push_back("PWD=" + brace(*password));
    }
  }
  address.connection_string = text::join(driver_items, ";");
  address.display = "odbc:" + text::join(shown, ";");
  return address;
}

std::optional<Dialect> dialect_for_dbms(std::string_view dbms_name) {
  if (contains_ci(dbms_name, "sqlite")) return Dialect::kSqlite;
  if (contains_ci(dbms_name, "postgres")) return Dialect::kPostgres;
  if (contains_ci(dbms_name, "oracle")) return Dialect::kOracle;
  return std::nullopt;
}

Status check_odbc_query(std::string_view sql, Dialect dialect) {
  if (dialect == Dialect::kPostgres) return check_postgres_query(sql);
  auto ast = sql::parse(sql, dialect);
  if (ast.ok()) {
    AG_RETURN_IF_ERROR(check_one_read_only_statement(*ast, dialect));
  } else {
    std::string word = first_word(sql, dialect);
    static const char* const kQueryStarts[] = {"SELECT", "WITH", "VALUES", "("};
    if (std::none_of(std::begin(kQueryStarts), std::end(kQueryStarts), [&](const char* w) { return word == w; })) {
      return refuse_write("only queries run (SELECT, VALUES, WITH ... SELECT); not understood: " +
                    std::string(sql::error_headline(ast.error())));
    }
  }
  return check_calls(sql, dialect);
}

// ---------------------------------------------------------------- connection

OdbcConnection::OdbcConnection(OdbcAddress address) : address_(std::move(address)) {}

OdbcConnection::~OdbcConnection() {
  disconnect();
}

std::string OdbcConnection::clean(std::string message) const {
  if (address_.password.size() >= 3) message = text::replace_all(std::move(message), address_.password, "***");
  // Drivers quote the connection string in some messages.
  size_t pwd = std::string::npos;
  for (const char* key : {"PWD=", "pwd=", "Pwd=", "PASSWORD=", "Password=", "password="}) {
    while ((pwd = message.find(key)) != std::string::npos) {
      size_t end = message.find(';', pwd);
      message.replace(pwd, (end == std::string::npos ? message.size() : end) - pwd, "PWD=***");
      if (message.find(key, pwd + 7) == std::string::npos) break;
    }
  }
  return message;
}

void OdbcConnection::disconnect() {
  if (dbc_) {
    if (connected_) SQLDisconnect(static_cast<SQLHDBC>(dbc_));
    SQLFreeHandle(SQL_HANDLE_DBC, static_cast<SQLHDBC>(dbc_));
  }
  if (env_) SQLFreeHandle(SQL_HANDLE_ENV, static_cast<SQLHENV>(env_));
  dbc_ = nullptr;
  env_ = nullptr;
  connected_ = false;
}

Result<std::unique_ptr<OdbcConnection>> OdbcConnection::open(std::string_view target, const OpenOptions& /*options*/) {
  AG_ASSIGN_OR_RETURN(OdbcAddress address, parse_odbc_address(target));
  std::unique_ptr<OdbcConnection> connection(new OdbcConnection(std::move(address)));
  if (connection->address_.password_in_address) {
    warn_password_in_address(connection->address_.display, "ASKGURU_ODBC_PASSWORD, pwdenv=NAME or pwdfile=/path");
  }
  AG_RETURN_IF_ERROR(connection->connect());
  return connection;
}

Status OdbcConnection::connect() {
  disconnect();
  SQLHENV env = SQL_NULL_HENV;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env))) {
    return make_error(ErrorCode::kInternal, "unixODBC could not allocate an environment");
  }
  env_ = env;
  SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  SQLHDBC dbc = SQL_NULL_HDBC;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc))) {
    disconnect();
    return make_error(ErrorCode::kInternal, "unixODBC could not allocate a connection");
  }
  dbc_ = dbc;
  SQLSetConnectAttr(dbc, SQL_ATTR_LOGIN_TIMEOUT, reinterpret_cast<SQLPOINTER>(kLoginTimeoutSeconds), 0);
  SQLSetConnectAttr(dbc, SQL_ATTR_ACCESS_MODE, reinterpret_cast<SQLPOINTER>(SQL_MODE_READ_ONLY), 0);

  std::string in = address_.connection_string;
  SQLCHAR out[2048];
  SQLSMALLINT out_length = 0;
  SQLRETURN rc = SQLDriverConnect(dbc, nullptr, reinterpret_cast<SQLCHAR*>(in.data()), static_cast<SQLSMALLINT>(in.size()),
                                  out, sizeof out, &out_length, SQL_DRIVER_NOPROMPT);
  if (!SQL_SUCCEEDED(rc)) {
    auto diags = diagnostics(SQL_HANDLE_DBC, dbc);
    std::string state = first_state(diags);
    std::string message = clean(joined_messages(diags));
    disconnect();
    ErrorCode code = ErrorCode::kUnavailable;
    std::string hint;
    if (state == "IM002" || state == "IM003" || (state == "01000" && contains_ci(message, "file not found"))) {
      code = ErrorCode::kNotFound;
      hint = " (is the DSN in odbc.ini, or the Driver= in odbcinst.ini or a path to the driver's .so?)";
    } else if (state == "28000" || contains_ci(message, "password") || contains_ci(message, "authentication")) {
      code = ErrorCode::kRefused;
      if (address_.password.empty()) hint = " (set ASKGURU_ODBC_PASSWORD, or add pwdenv=NAME or pwdfile=/path)";
    } else if (contains_ci(message, "does not exist") || contains_ci(message, "unable to open")) {
      code = ErrorCode::kNotFound;
    }
    return make_error(code, "cannot connect to " + address_.display + ": " + message + (state.empty() ? "" : " [" + state + "]") + hint);
  }
  connected_ = true;
  // Some drivers take the access mode only once connected.
  SQLSetConnectAttr(dbc, SQL_ATTR_ACCESS_MODE, reinterpret_cast<SQLPOINTER>(SQL_MODE_READ_ONLY), 0);

  auto info = [&](SQLUSMALLINT what) {
    SQLCHAR buf[512] = {};
    SQLSMALLINT length = 0;
    if (!SQL_SUCCEEDED(SQLGetInfo(dbc, what, buf, sizeof buf, &length))) return std::string();
    return std::string(reinterpret_cast<const char*>(buf));
  };
  dbms_name_ = info(SQL_DBMS_NAME);
  dbms_version_ = info(SQL_DBMS_VER);
  driver_name_ = info(SQL_DRIVER_NAME);
  database_ = info(SQL_DATABASE_NAME);
  if (database_.empty()) {
    for (const auto& item : split_items(address_.connection_string)) {
      if (text::iequals(item.key, "dsn")) database_ = unbrace(item.value);
    }
  }
  // SQLite's driver names the file; the catalog's id is its stem, as for SqliteConnection.
  if (database_.find('/') != std::string::npos) database_ = std::filesystem::path(database_).stem().string();

  if (address_.dialect) {
    dialect_ = *address_.dialect;
  } else if (auto detected = dialect_for_dbms(dbms_name_)) {
    dialect_ = *detected;
  } else {
    std::string name = dbms_name_.empty() ? "an unnamed DBMS" : "DBMS '" + dbms_name_ + "'";
    disconnect();
    return make_error(ErrorCode::kInvalidArgument, address_.display + " is " + name +
                                                       ", whose SQL dialect askguru does not know; add dialect=sqlite, "
                                                       "dialect=postgres or dialect=oracle to the address to choose one");
  }

  // Layer 3: the engine's own read-only mode.
  Status session;
  per_query_read_only_ = false;
  if (contains_ci(dbms_name_, "sqlite")) {
    session = exec_simple("PRAGMA query_only = 1");
  } else if (contains_ci(dbms_name_, "postgres")) {
    session = exec_simple("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
    per_query_read_only_ = true;
  } else if (contains_ci(dbms_name_, "oracle")) {
    per_query_read_only_ = true;
  }
  if (!session.ok()) {
    disconnect();
    return make_error(ErrorCode::kUnavailable,
                      "cannot prepare a read-only session on " + address_.display + ": " + session.message());
  }
  if (per_query_read_only_) {
    SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), 0);
  }
  use_cursor_fetch();
  return Status();
}

// psqlODBC reads a whole result into its own memory at SQLExecDirect unless
// UseDeclareFetch is on; then it declares a cursor and FETCHes `Fetch` rows at a time,
// so askguru's row cap and max_result_bytes stop a huge result after a batch instead of
// after the driver has buffered all of it. The cursor lives in the query's READ ONLY
// transaction (autocommit is off; DECLARE and FETCH are reads) and closes with it.
void OdbcConnection::use_cursor_fetch() {
  cursor_fetch_ = false;
  if (!contains_ci(driver_name_, "psqlodbc")) return;
  bool declare_set = false, fetch_set = false;
  for (const auto& item : split_items(address_.connection_string)) {
    if (text::iequals(item.key, "UseDeclareFetch") || text::iequals(item.key, "B6")) declare_set = true;
    if (text::iequals(item.key, "Fetch") || text::iequals(item.key, "A7")) fetch_set = true;
  }
  auto dbc = static_cast<SQLHDBC>(dbc_);
  if (!declare_set) {
    SQLSetConnectAttr(dbc, kPsqlOdbcUseDeclareFetch, reinterpret_cast<SQLPOINTER>(SQLULEN{1}), SQL_IS_INTEGER);
    if (!fetch_set) {
      SQLSetConnectAttr(dbc, kPsqlOdbcFetch, reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(kPsqlOdbcFetchRows)),
                        SQL_IS_INTEGER);
    }
  }
  SQLINTEGER on = 0;
  if (SQL_SUCCEEDED(SQLGetConnectAttr(dbc, kPsqlOdbcUseDeclareFetch, &on, sizeof on, nullptr))) cursor_fetch_ = on != 0;
  if (!declare_set && !cursor_fetch_) {
    spdlog::warn("{}: psqlODBC did not take UseDeclareFetch; it will buffer whole results", address_.display);
  }
}

// A statement of askguru's own with no result, outside the watchdog (session setup).
Status OdbcConnection::exec_simple(const std::string& sql) {
  SQLHSTMT stmt = SQL_NULL_HSTMT;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, static_cast<SQLHDBC>(dbc_), &stmt))) {
    return make_error(ErrorCode::kInternal, "could not allocate a statement");
  }
  std::string text = sql;
  SQLRETURN rc = SQLExecDirect(stmt, reinterpret_cast<SQLCHAR*>(text.data()), static_cast<SQLINTEGER>(text.size()));
  Status status;
  if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
    status = make_error(ErrorCode::kSqlError, clean(joined_messages(diagnostics(SQL_HANDLE_STMT, stmt))));
  }
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  return status;
}

void OdbcConnection::interrupt() {
  interrupt_requested_.store(true, std::memory_order_relaxed);
  running_cv_.notify_all();
}

Result<ResultSet> OdbcConnection::execute(std::string_view sql, const QueryOptions& options) {
  if (text::trim(sql).empty()) return make_error(ErrorCode::kInvalidArgument, "empty statement: nothing to execute");
  if (sql.find('\0') != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument, "statement contains a NUL byte");
  }
  AG_RETURN_IF_ERROR(check_odbc_query(sql, dialect_));
  return execute_trusted(sql, options);
}

Result<ResultSet> OdbcConnection::execute_trusted(std::string_view sql, const QueryOptions& options) {
  std::string text(sql);
  return run(
      [&text](void* stmt) -> short {
        return SQLExecDirect(static_cast<SQLHSTMT>(stmt), reinterpret_cast<SQLCHAR*>(text.data()),
                             static_cast<SQLINTEGER>(text.size()));
      },
      options, true);
}

Result<ResultSet> OdbcConnection::catalog_call(OdbcCatalogCall call, std::string_view schema, std::string_view table) {
  std::string s(schema), t(table);
  auto ptr = [](std::string& v) { return v.empty() ? nullptr : reinterpret_cast<SQLCHAR*>(v.data()); };
  auto len = [](const std::string& v) { return v.empty() ? SQLSMALLINT{0} : static_cast<SQLSMALLINT>(v.size()); };
  std::string pattern_s = s, pattern_t = t;
  std::string types = dialect_ == Dialect::kOracle ? "TABLE,VIEW,SYNONYM" : "TABLE,VIEW";
  std::string all = "%";
  const QueryOptions options{std::chrono::milliseconds(60000), std::nullopt};
  return run(
      [&](void* handle) -> short {
        auto stmt = static_cast<SQLHSTMT>(handle);
        switch (call) {
          case OdbcCatalogCall::kTables:
            if (pattern_s.empty() && dialect_ != Dialect::kSqlite) pattern_s = "%";  // every schema
            return SQLTables(stmt, nullptr, 0, ptr(pattern_s), len(pattern_s), reinterpret_cast<SQLCHAR*>(all.data()),
                             1, reinterpret_cast<SQLCHAR*>(types.data()), static_cast<SQLSMALLINT>(types.size()));
          case OdbcCatalogCall::kColumns:
            return SQLColumns(stmt, nullptr, 0, ptr(pattern_s), len(pattern_s),
                              pattern_t.empty() ? reinterpret_cast<SQLCHAR*>(all.data()) : ptr(pattern_t),
                              pattern_t.empty() ? SQLSMALLINT{1} : len(pattern_t), reinterpret_cast<SQLCHAR*>(all.data()),
                              1);
          case OdbcCatalogCall::kPrimaryKeys:
            return SQLPrimaryKeys(stmt, nullptr, 0, ptr(s), len(s), ptr(t), len(t));
          case OdbcCatalogCall::kForeignKeys:
            return SQLForeignKeys(stmt, nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0, ptr(s), len(s), ptr(t), len(t));
        }
        return SQL_ERROR;
      },
      options, false);
}

Result<ResultSet> OdbcConnection::run(const std::function<short(void*)>& start, const QueryOptions& options,
                                      bool transaction) {
  const auto begin = Clock::now();
  interrupt_requested_.store(false, std::memory_order_relaxed);
  if (!connected_) AG_RETURN_IF_ERROR(connect().with_context("reconnecting"));
  auto dbc = static_cast<SQLHDBC>(dbc_);
  const auto deadline = options.timeout.count() > 0 ? begin + options.timeout : Clock::time_point::max();
  const std::string timeout_text = std::to_string(options.timeout.count()) + " ms";

  if (transaction && per_query_read_only_) {
    // A connection the server dropped while idle fails here, before the query ran:
    // reconnect once and go on.
    for (int attempt = 0;; ++attempt) {
      Status status = exec_simple("SET TRANSACTION READ ONLY");
      if (status.ok()) break;
      SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);
      SQLUINTEGER dead = SQL_CD_FALSE;
      SQLGetConnectAttr(dbc, SQL_ATTR_CONNECTION_DEAD, &dead, 0, nullptr);
      if (dead != SQL_CD_TRUE && !contains_ci(status.message(), "connection")) {
        return make_error(ErrorCode::kSqlError, "cannot start a read-only transaction: " + status.message());
      }
      disconnect();
      if (attempt > 0) {
        return make_error(ErrorCode::kUnavailable, "the database closed the connection to " + address_.display + ": " +
                                                       status.message() + " (the next query reconnects)");
      }
      spdlog::info("{}: the connection was closed while idle ({}); reconnecting", address_.display, status.message());
      AG_RETURN_IF_ERROR(connect().with_context("reconnecting"));
      dbc = static_cast<SQLHDBC>(dbc_);
    }
  }

  SQLHSTMT stmt = SQL_NULL_HSTMT;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt))) {
    auto diags = diagnostics(SQL_HANDLE_DBC, dbc);
    disconnect();
    return make_error(ErrorCode::kUnavailable,
                      "cannot use the connection to " + address_.display + ": " + clean(joined_messages(diags)) +
                          " (the next query reconnects)");
  }
  if (options.timeout.count() > 0) {
    auto seconds = static_cast<SQLULEN>((options.timeout.count() + 999) / 1000);
    SQLSetStmtAttr(stmt, SQL_ATTR_QUERY_TIMEOUT, reinterpret_cast<SQLPOINTER>(seconds), 0);
  }
  if (options.max_rows && *options.max_rows < SIZE_MAX - 1) {
    // One more than the cap, to tell a capped result from one that just fits. psqlODBC
    // without a cursor (UseDeclareFetch=0) still reads the whole result at execution:
    // bench_odbc_fetch measured 466 MB and 2.8 s for 3 rows of 5,000,000.
    auto rows = static_cast<SQLULEN>(*options.max_rows + 1);
    SQLSetStmtAttr(stmt, SQL_ATTR_MAX_ROWS, reinterpret_cast<SQLPOINTER>(rows), 0);
  }

  // The watchdog cancels the statement at the deadline or on interrupt().
  enum Fired { kNone = 0, kDeadline = 1, kInterrupt = 2 };
  std::atomic<int> fired{kNone};
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(running_mutex_);
    while (!done) {
      int why = interrupt_requested_.load(std::memory_order_relaxed) ? kInterrupt
                : Clock::now() >= deadline                             ? kDeadline
                                                                       : kNone;
      if (why != kNone) {
        fired.store(why);
        SQLCancel(stmt);
        return;
      }
      running_cv_.wait_until(lock, std::min(deadline, Clock::now() + kWatchSlice));
    }
  });
  auto stop_watchdog = [&] {
    {
      std::lock_guard lock(running_mutex_);
      done = true;
    }
    running_cv_.notify_all();
    watchdog.join();
  };

  ResultSet result;
  bool too_large = false;
  std::vector<Diag> failure;
  SQLRETURN rc = start(stmt);
  if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
    failure = diagnostics(SQL_HANDLE_STMT, stmt);
    if (failure.empty()) failure.push_back({"", "the statement failed (return code " + std::to_string(rc) + ")"});
  } else {
    SQLSMALLINT ncols = 0;
    if (rc != SQL_NO_DATA) SQLNumResultCols(stmt, &ncols);
    std::vector<Conversion> conversions;
    for (SQLUSMALLINT c = 1; c <= static_cast<SQLUSMALLINT>(std::max<SQLSMALLINT>(ncols, 0)); ++c) {
      SQLCHAR name[512] = {};
      SQLSMALLINT name_length = 0, type = 0, digits = 0, nullable = 0;
      SQLULEN size = 0;
      SQLDescribeCol(stmt, c, name, sizeof name, &name_length, &type, &size, &digits, &nullable);
      result.columns.emplace_back(reinterpret_cast<const char*>(name));
      Conversion conversion = conversion_for(type);
      // SQLite and PostgreSQL write dates as ISO text already; Oracle's text follows
      // NLS_DATE_FORMAT, so others read the driver's date structs.
      if ((conversion == Conversion::kDate || conversion == Conversion::kTime || conversion == Conversion::kTimestamp) &&
          (dialect_ == Dialect::kSqlite || dialect_ == Dialect::kPostgres)) {
        conversion = Conversion::kText;
      }
      SQLCHAR type_name[128] = {};
      SQLSMALLINT type_name_length = 0;
      SQLColAttribute(stmt, c, SQL_DESC_TYPE_NAME, type_name, sizeof type_name, &type_name_length, nullptr);
      conversion = refine_conversion(conversion, reinterpret_cast<const char*>(type_name), dialect_);
      conversions.push_back(conversion);
    }
    const size_t cap = options.max_rows.value_or(SIZE_MAX);
    const size_t byte_cap = options.max_result_bytes > 0 ? options.max_result_bytes : SIZE_MAX;
    const size_t row_overhead = sizeof(Row) + conversions.size() * sizeof(Value);
    size_t bytes = 0;
    std::string chunk(8192, '\0');
    while (ncols > 0 && failure.empty()) {
      rc = SQLFetch(stmt);
      if (rc == SQL_NO_DATA) break;
      if (!SQL_SUCCEEDED(rc)) {
        failure = diagnostics(SQL_HANDLE_STMT, stmt);
        if (failure.empty()) failure.push_back({"", "fetching a row failed"});
        break;
      }
      if (result.rows.size() >= cap) {
        result.truncated = true;
        break;
      }
      Row row;
      row.reserve(conversions.size());
      for (size_t c = 0; c < conversions.size() && failure.empty(); ++c) {
        const auto column = static_cast<SQLUSMALLINT>(c + 1);
        const Conversion conversion = conversions[c];
        SQLLEN indicator = 0;
        if (conversion == Conversion::kReal || conversion == Conversion::kSqliteNumeric) {
          double d = 0;
          SQLRETURN r = SQLGetData(stmt, column, SQL_C_DOUBLE, &d, sizeof d, &indicator);
          if (SQL_SUCCEEDED(r)) {
            if (indicator == SQL_NULL_DATA) {
              row.emplace_back();
            } else if (conversion == Conversion::kSqliteNumeric && std::trunc(d) == d && std::fabs(d) < 9.2e18) {
              row.push_back(Value::integer(static_cast<int64_t>(d)));
            } else {
              row.push_back(Value::real(d));
            }
            continue;
          }
          // Not a number (SQLite's loose typing): fall through to text.
        } else if (conversion == Conversion::kDate) {
          SQL_DATE_STRUCT d{};
          SQLRETURN r = SQLGetData(stmt, column, SQL_C_TYPE_DATE, &d, sizeof d, &indicator);
          if (SQL_SUCCEEDED(r)) {
            row.push_back(indicator == SQL_NULL_DATA ? Value() : Value::text(iso_date(d)));
            continue;
          }
        } else if (conversion == Conversion::kTime) {
          SQL_TIME_STRUCT t{};
          SQLRETURN r = SQLGetData(stmt, column, SQL_C_TYPE_TIME, &t, sizeof t, &indicator);
          if (SQL_SUCCEEDED(r)) {
            row.push_back(indicator == SQL_NULL_DATA ? Value()
                                                     : Value::text(two(t.hour) + ":" + two(t.minute) + ":" + two(t.second)));
            continue;
          }
        } else if (conversion == Conversion::kTimestamp) {
          SQL_TIMESTAMP_STRUCT ts{};
          SQLRETURN r = SQLGetData(stmt, column, SQL_C_TYPE_TIMESTAMP, &ts, sizeof ts, &indicator);
          if (SQL_SUCCEEDED(r)) {
            if (indicator == SQL_NULL_DATA) {
              row.emplace_back();
            } else {
              SQL_DATE_STRUCT d{ts.year, ts.month, ts.day};
              row.push_back(Value::text(iso_date(d) + " " + two(ts.hour) + ":" + two(ts.minute) + ":" +
                                        two(ts.second) + fraction(ts.fraction)));
            }
            continue;
          }
        }
        // Text or bytes, in chunks.
        const bool binary = conversion == Conversion::kBlob;
        std::string data;
        bool is_null = false;
        while (true) {
          SQLRETURN r = SQLGetData(stmt, column, binary ? SQL_C_BINARY : SQL_C_CHAR, chunk.data(),
                                   static_cast<SQLLEN>(chunk.size()), &indicator);
          if (r == SQL_NO_DATA) break;
          if (!SQL_SUCCEEDED(r)) {
            failure = diagnostics(SQL_HANDLE_STMT, stmt);
            if (failure.empty()) failure.push_back({"", "reading column " + result.columns[c] + " failed"});
            break;
          }
          if (indicator == SQL_NULL_DATA) {
            is_null = true;
            break;
          }
          const size_t room = binary ? chunk.size() : chunk.size() - 1;
          if (indicator == SQL_NO_TOTAL || static_cast<size_t>(indicator) > room) {
            data.append(chunk.data(), room);
            if (r == SQL_SUCCESS) break;  // a driver that reports no total but finished
            continue;
          }
          data.append(chunk.data(), static_cast<size_t>(indicator));
          break;
        }
        if (!failure.empty()) break;
        bytes += data.size();
        if (is_null) {
          row.emplace_back();
        } else if (binary) {
          row.push_back(Value::blob(std::move(data)));
        } else if (conversion == Conversion::kInteger || conversion == Conversion::kNumeric) {
          row.push_back(numeric_value(std::move(data), false));
        } else if (conversion == Conversion::kReal || conversion == Conversion::kSqliteNumeric) {
          row.push_back(numeric_value(std::move(data), true));
        } else if (conversion == Conversion::kBool) {
          std::string lower = text::to_lower(text::trim(data));
          if (lower == "1" || lower == "t" || lower == "true") row.push_back(Value::integer(1));
          else if (lower == "0" || lower == "f" || lower == "false") row.push_back(Value::integer(0));
          else row.push_back(Value::text(std::move(data)));
        } else {
          row.push_back(Value::text(std::move(data)));
        }
      }
      if (!failure.empty()) break;
      result.rows.push_back(std::move(row));
      bytes += row_overhead;
      if (bytes > byte_cap) {
        too_large = true;
        break;
      }
      if (fired.load() != kNone) break;
    }
  }
  stop_watchdog();
  SQLFreeStmt(stmt, SQL_CLOSE);
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);

  // The connection's state after the statement.
  SQLUINTEGER dead = SQL_CD_FALSE;
  if (connected_) SQLGetConnectAttr(dbc, SQL_ATTR_CONNECTION_DEAD, &dead, 0, nullptr);
  if (per_query_read_only_ && connected_ && dead != SQL_CD_TRUE) SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);

  const std::string state = first_state(failure);
  const std::string message = failure.empty() ? std::string() : clean(joined_messages(failure));
  const int why = fired.load();
  const bool lost = dead == SQL_CD_TRUE || state.rfind("08", 0) == 0;
  if (lost) {
    disconnect();
    return make_error(ErrorCode::kUnavailable, "the database closed the connection to " + address_.display +
                                                   (message.empty() ? std::string() : ": " + message) +
                                                   " (the next query reconnects)");
  }
  if (why == kInterrupt) return make_error(ErrorCode::kCancelled, "query interrupted");
  if (why == kDeadline || state == "HYT00" || state == "HYT01" ||
      (state == "HY008" && Clock::now() >= deadline)) {
    return make_error(ErrorCode::kTimeout, "query exceeded " + timeout_text);
  }
  if (state == "HY008") return make_error(ErrorCode::kCancelled, "query cancelled: " + message);
  if (too_large) {
    return make_error(ErrorCode::kSqlError, "result too large: over " + std::to_string(options.max_result_bytes >> 20) +
                                                " MiB after " + std::to_string(result.rows.size()) +
                                                " rows; add a LIMIT, a filter or an aggregate");
  }
  if (!failure.empty()) {
    if (state == "25006" || contains_ci(message, "read-only") || contains_ci(message, "readonly") ||
        contains_ci(message, "read only")) {
      return refuse_write(message);
    }
    if (state == "42501") return make_error(ErrorCode::kRefused, message);
    if (contains_ci(message, "interrupted") || contains_ci(message, "canceling statement")) {
      return make_error(Clock::now() >= deadline ? ErrorCode::kTimeout : ErrorCode::kCancelled,
                        Clock::now() >= deadline ? "query exceeded " + timeout_text : "query cancelled: " + message);
    }
    return make_error(ErrorCode::kSqlError, message + (state.empty() || state == "HY000" ? "" : " [" + state + "]"));
  }
  result.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
  return result;
}

std::string OdbcConnection::fingerprint() const {
  std::call_once(fingerprint_once_, [this] {
    auto* self = const_cast<OdbcConnection*>(this);
    std::string material = address_.display + "\n" + dbms_name_ + " " + dbms_version_ + "\n";
    auto columns = self->catalog_call(OdbcCatalogCall::kColumns, "", "");
    if (columns.ok()) {
      for (const auto& row : columns->rows) {
        for (size_t i = 0; i < row.size() && i < 7; ++i) material += row[i].to_string() + "\t";
        material += "\n";
      }
    } else {
      spdlog::debug("{}: fingerprint from the address only: {}", address_.display, columns.error());
    }
    fingerprint_ = hash::hex64(hash::xxh64(material));
  });
  return fingerprint_;
}

Result<catalog::Catalog> OdbcConnection::introspect(const IntrospectOptions& options) {
  return introspect_odbc(*this, options);
}

}  // namespace askguru::db
