#include "askguru/db/postgres_load.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <chrono>

#include "askguru/catalog/catalog.h"
#include "askguru/common/text.h"
#include "askguru/db/connection.h"
#include "askguru/db/postgres_connection.h"
#include "askguru/db/sqlite_introspect.h"  // quote_identifier

namespace askguru::db {
namespace {

constexpr size_t kCopyChunk = size_t{1} << 20;

struct PgSession {
  PGconn* conn = nullptr;
  std::string display;
  ~PgSession() {
    if (conn) PQfinish(conn);
  }
  // Runs one or more statements; the error names the target.
  Status exec(const std::string& sql) {
    PGresult* res = PQexec(conn, sql.c_str());
    auto status = PQresultStatus(res);
    Status out;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = PQresultErrorMessage(res);
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
      out = make_error(ErrorCode::kSqlError, message);
    }
    PQclear(res);
    return out;
  }
  // Runs `sql` in a savepoint; returns the server's message when it failed (and was undone).
  std::string try_exec(const std::string& sql) {
    Status s = exec("SAVEPOINT askguru_load; " + sql + "; RELEASE SAVEPOINT askguru_load");
    if (s.ok()) return {};
    (void)exec("ROLLBACK TO SAVEPOINT askguru_load; RELEASE SAVEPOINT askguru_load");
    return s.message();
  }
};

std::string qualified(const std::string& schema, const std::string& name) {
  return quote_identifier(schema) + "." + quote_identifier(name);
}

std::string column_list(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const auto& n : names) quoted.push_back(quote_identifier(n));
  return text::join(quoted, ", ");
}

// Valid UTF-8 without NUL bytes (PostgreSQL text holds neither): invalid bytes become '?'.
std::string clean_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      out += '?';
      ++i;
      continue;
    }
    if (c != 0) out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

// One value in COPY's text format.
void append_copy_value(std::string& out, const Value& value, bool bytea) {
  std::string plain;
  switch (value.type()) {
    case ValueType::kNull: out += "\\N"; return;
    case ValueType::kInteger: out += std::to_string(value.as_integer()); return;
    case ValueType::kReal: out += value.to_string(); return;
    case ValueType::kText: plain = clean_text(value.as_text()); break;
    case ValueType::kBlob: {
      const std::string& bytes = value.as_blob();
      if (bytea) {
        static const char* kHex = "0123456789abcdef";
        out += "\\\\x";
        for (unsigned char b : bytes) {
          out += kHex[b >> 4];
          out += kHex[b & 15];
        }
        return;
      }
      plain = clean_text(bytes);
      break;
    }
  }
  for (char c : plain) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

Status copy_rows(PgSession& pg, const std::string& target, const std::vector<std::string>& columns,
                 const std::vector<bool>& bytea, const ResultSet& rows) {
  std::string sql = "COPY " + target + " (" + column_list(columns) + ") FROM STDIN";
  PGresult* res = PQexec(pg.conn, sql.c_str());
  bool ready = PQresultStatus(res) == PGRES_COPY_IN;
  std::string error = ready ? "" : PQresultErrorMessage(res);
  PQclear(res);
  if (!ready) return make_error(ErrorCode::kSqlError, "COPY into " + target + ": " + error);
  std::string buffer;
  bool sent_ok = true;
  for (const auto& row : rows.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) buffer += '\t';
      append_copy_value(buffer, row[i], bytea[i]);
    }
    buffer += '\n';
    if (buffer.size() >= kCopyChunk) {
      sent_ok = PQputCopyData(pg.conn, buffer.data(), static_cast<int>(buffer.size())) == 1;
      buffer.clear();
      if (!sent_ok) break;
    }
  }
  if (sent_ok && !buffer.empty()) sent_ok = PQputCopyData(pg.conn, buffer.data(), static_cast<int>(buffer.size())) == 1;
  PQputCopyEnd(pg.conn, sent_ok ? nullptr : "sending rows failed");
  Status out;
  while ((res = PQgetResult(pg.conn)) != nullptr) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK && out.ok()) {
      std::string message = PQresultErrorMessage(res);
      while (!message.empty() && message.back() == '\n') message.pop_back();
      out = make_error(ErrorCode::kSqlError, "COPY into " + target + ": " + message);
    }
    PQclear(res);
  }
  return out;
}

}  // namespace

std::string postgres_type_for(const std::string& declared, size_t integers, size_t reals, size_t texts, size_t blobs) {
  if (texts > 0) return "text";
  if (blobs > 0) return integers + reals > 0 ? "text" : "bytea";
  if (reals > 0) return "double precision";
  if (integers > 0) return "bigint";
  // No values: SQLite's affinity rules on the declared type.
  std::string t = text::to_upper(declared);
  if (t.find("INT") != std::string::npos) return "bigint";
  if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos || t.find("TEXT") != std::string::npos)
    return "text";
  if (t.empty() || t.find("BLOB") != std::string::npos) return "text";
  if (t.find("REAL") != std::string::npos || t.find("FLOA") != std::string::npos || t.find("DOUB") != std::string::npos)
    return "double precision";
  return "numeric";
}

Result<LoadReport> load_into_postgres(Connection& source, const std::string& url, const LoadOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (source.dialect() != Dialect::kSqlite) {
    return make_error(ErrorCode::kInvalidArgument, "load reads SQLite databases; " + source.display_name() + " is " +
                                                       std::string(dialect_name(source.dialect())));
  }
  IntrospectOptions light;
  light.sample_values = 0;
  light.count_rows = false;
  AG_ASSIGN_OR_RETURN(auto catalog, source.introspect(light));

  PgSession pg;
  pg.display = redact_postgres_url(url);
  pg.conn = PQconnectdb(url.c_str());
  if (!pg.conn || PQstatus(pg.conn) != CONNECTION_OK) {
    std::string message = pg.conn ? PQerrorMessage(pg.conn) : "out of memory";
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return make_error(ErrorCode::kUnavailable, "cannot connect to " + pg.display + ": " + message);
  }
  PQsetNoticeProcessor(
      pg.conn, [](void*, const char*) {}, nullptr);
  auto in_target = [&](Status s) { return s.with_context("loading into " + pg.display); };
  AG_RETURN_IF_ERROR(in_target(pg.exec("BEGIN; SET LOCAL client_min_messages = warning")));
  if (options.schema != "public") {
    AG_RETURN_IF_ERROR(in_target(pg.exec("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(options.schema))));
  }

  LoadReport report;
  const QueryOptions read_all{std::chrono::milliseconds(0), std::nullopt, 0};
  for (const auto& table : catalog.tables) {
    if (table.is_view || table.columns.empty()) continue;
    const std::string target = qualified(options.schema, table.name);
    const std::string from = quote_identifier(table.name);
    // Storage classes per column, to choose the types.
    std::vector<std::string> parts;
    for (const auto& column : table.columns) {
      std::string c = quote_identifier(column.name);
      for (const char* cls : {"integer", "real", "text", "blob"}) {
        parts.push_back(fmt::format("coalesce(sum(typeof({}) = '{}'), 0)", c, cls));
      }
    }
    AG_ASSIGN_OR_RETURN(auto classes, source.execute("SELECT " + text::join(parts, ", ") + " FROM " + from, read_all));
    std::vector<std::string> names, definitions;
    std::vector<bool> bytea;
    const Row& counts = classes.rows.at(0);
    for (size_t i = 0; i < table.columns.size(); ++i) {
      auto n = [&](size_t k) { return static_cast<size_t>(counts[4 * i + k].as_integer()); };
      std::string type = postgres_type_for(table.columns[i].type, n(0), n(1), n(2), n(3));
      names.push_back(table.columns[i].name);
      definitions.push_back(quote_identifier(table.columns[i].name) + " " + type);
      bytea.push_back(type == "bytea");
    }
    if (options.replace) AG_RETURN_IF_ERROR(in_target(pg.exec("DROP TABLE IF EXISTS " + target + " CASCADE")));
    Status created = pg.exec("CREATE TABLE " + target + " (" + text::join(definitions, ", ") + ")");
    if (!created.ok()) {
      return in_target(created.with_context(std::string("creating ") + target +
                                            (options.replace ? "" : " (use --replace to drop existing tables)")));
    }
    AG_ASSIGN_OR_RETURN(auto rows, source.execute("SELECT " + column_list(names) + " FROM " + from, read_all));
    AG_RETURN_IF_ERROR(in_target(copy_rows(pg, target, names, bytea, rows)));
    report.rows += rows.rows.size();
    ++report.tables;
    for (const auto& column : table.columns) {
      if (!column.not_null) continue;
      std::string why =
          pg.try_exec("ALTER TABLE " + target + " ALTER COLUMN " + quote_identifier(column.name) + " SET NOT NULL");
      if (!why.empty()) report.skipped.push_back("NOT NULL " + table.name + "." + column.name + ": " + why);
    }
    if (!table.primary_key.empty()) {
      std::string why =
          pg.try_exec("ALTER TABLE " + target + " ADD PRIMARY KEY (" + column_list(table.primary_key) + ")");
      if (why.empty()) {
        ++report.primary_keys;
      } else {
        report.skipped.push_back("primary key of " + table.name + ": " + why);
      }
    }
  }
  for (const auto& fk : catalog.foreign_keys) {
    const catalog::Table* to = catalog.find_table(fk.to_table);
    if (!to || to->is_view) continue;
    std::string why = pg.try_exec("ALTER TABLE " + qualified(options.schema, fk.from_table) + " ADD FOREIGN KEY (" +
                                  column_list(fk.from_columns) + ") REFERENCES " + qualified(options.schema, to->name) +
                                  " (" + column_list(fk.to_columns) + ") NOT VALID");
    if (why.empty()) {
      ++report.foreign_keys;
    } else {
      report.skipped.push_back("foreign key " + fk.from_table + "(" + text::join(fk.from_columns, ", ") + ") -> " +
                               fk.to_table + ": " + why);
    }
  }
  for (const auto& table : catalog.tables) {
    if (!table.is_view && !table.columns.empty()) {
      AG_RETURN_IF_ERROR(in_target(pg.exec("ANALYZE " + qualified(options.schema, table.name))));
    }
  }
  AG_RETURN_IF_ERROR(in_target(pg.exec("COMMIT")));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace askguru::db
