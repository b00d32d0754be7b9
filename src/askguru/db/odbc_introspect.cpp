#include "askguru/db/odbc_introspect.h"

#include <spdlog/spdlog.h>
#include <sql.h>
#include <sqlext.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "askguru/catalog/descriptions.h"
#include "askguru/common/text.h"
#include "askguru/db/odbc_connection.h"
#include "askguru/db/odbc_oracle.h"

namespace askguru::db {
namespace {

constexpr std::chrono::milliseconds kMetadataTimeout{60000};
constexpr std::chrono::milliseconds kSampleTimeout{3000};
constexpr size_t kMaxSampleChars = 80;

std::string text_of(const Row& row, size_t i) {
  return i < row.size() && !row[i].is_null() ? row[i].to_string() : std::string();
}

int64_t integer_of(const Row& row, size_t i, int64_t fallback = 0) {
  if (i >= row.size()) return fallback;
  const Value& v = row[i];
  if (v.type() == ValueType::kInteger) return v.as_integer();
  if (v.type() == ValueType::kReal) return static_cast<int64_t>(std::llround(v.as_real()));
  if (v.type() == ValueType::kText) {
    try {
      return std::stoll(v.as_text());
    } catch (...) {
      return fallback;
    }
  }
  return fallback;
}

std::string quote(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

bool is_system_schema(Dialect dialect, const std::string& schema) {
  if (dialect == Dialect::kPostgres) {
    return schema == "pg_catalog" || schema == "information_schema" || schema.rfind("pg_toast", 0) == 0 ||
           schema.rfind("pg_temp_", 0) == 0;
  }
  if (dialect == Dialect::kOracle) {
    static const char* const kSystem[] = {"SYS",    "SYSTEM", "OUTLN",  "XDB",    "MDSYS",  "CTXSYS", "ORDSYS",
                                          "DBSNMP", "WMSYS",  "OLAPSYS", "LBACSYS", "DVSYS", "AUDSYS", "GSMADMIN_INTERNAL",
                                          "APPQOSSYS", "ORDDATA", "OJVMSYS", "PUBLIC"};
    return std::any_of(std::begin(kSystem), std::end(kSystem), [&](const char* s) { return schema == s; });
  }
  return false;
}

// The schema a table is named with in the catalog: none for SQLite and PostgreSQL's
// public schema; always the owner on Oracle (APPS.AP_INVOICES_ALL).
std::string shown_schema(Dialect dialect, const std::string& schema) {
  if (dialect == Dialect::kSqlite) return {};
  if (dialect == Dialect::kPostgres && schema == "public") return {};
  return schema;
}

std::string title(const std::string& schema, const std::string& name) {
  return schema.empty() ? name : schema + "." + name;
}

// VARCHAR(30), NUMERIC(10,2), INTEGER: the driver's TYPE_NAME with its size where it
// means something and is not written already.
std::string column_type(const Row& row) {
  std::string type = text_of(row, 5);
  if (type.find('(') != std::string::npos) return type;
  int64_t data_type = integer_of(row, 4);
  bool has_size = !(row.size() <= 6 || row[6].is_null());
  int64_t size = integer_of(row, 6);
  switch (data_type) {
    case SQL_CHAR:
    case SQL_VARCHAR:
    case SQL_WCHAR:
    case SQL_WVARCHAR:
      if (has_size && size > 0 && size < 65536) return type + "(" + std::to_string(size) + ")";
      break;
    case SQL_DECIMAL:
    case SQL_NUMERIC:
      if (has_size && size > 0 && size < 1000) {
        int64_t scale = integer_of(row, 8);
        return type + "(" + std::to_string(size) + (scale > 0 ? "," + std::to_string(scale) : "") + ")";
      }
      break;
    default: break;
  }
  return type;
}

std::string limit_clause(Dialect dialect, size_t n) {
  if (dialect == Dialect::kOracle) return " FETCH FIRST " + std::to_string(n) + " ROWS ONLY";
  return " LIMIT " + std::to_string(n);
}

struct Source {
  std::string schema;  // as the database names it ("" when it has none)
  std::string name;
};

std::string qualified(const Source& s) {
  return s.schema.empty() ? quote(s.name) : quote(s.schema) + "." + quote(s.name);
}

void read_counts_and_samples(OdbcConnection& connection, const std::vector<Source>& sources, catalog::Catalog& catalog,
                             const IntrospectOptions& options) {
  for (size_t i = 0; i < sources.size(); ++i) {
    catalog::Table& table = catalog.tables[i];
    if (options.count_rows && !table.row_count) {
      auto count = connection.execute_trusted("SELECT COUNT(*) FROM " + qualified(sources[i]),
                                              {table.is_view ? kSampleTimeout : kMetadataTimeout, std::nullopt});
      if (count.ok() && !count->rows.empty() && !count->rows[0].empty() &&
          count->rows[0][0].type() == ValueType::kInteger) {
        table.row_count = count->rows[0][0].as_integer();
      } else if (!count.ok()) {
        spdlog::debug("{}: no row count for {}: {}", connection.display_name(), table.name, count.error());
      }
    }
    if (options.sample_values == 0) continue;
    for (auto& column : table.columns) {
      std::string lower = text::to_lower(column.type);
      if (lower.find("blob") != std::string::npos || lower.find("bytea") != std::string::npos ||
          lower.find("binary") != std::string::npos || lower == "raw" || lower.find("long") != std::string::npos) {
        continue;
      }
      std::string c = quote(column.name);
      auto rows = connection.execute_trusted("SELECT DISTINCT " + c + " FROM " + qualified(sources[i]) + " WHERE " + c +
                                                 " IS NOT NULL" + limit_clause(connection.dialect(), options.sample_values),
                                             {kSampleTimeout, options.sample_values});
      if (!rows.ok()) {
        spdlog::debug("{}: no samples for {}.{}: {}", connection.display_name(), table.name, column.name, rows.error());
        continue;
      }
      for (const auto& row : rows->rows) {
        if (!row.empty()) column.samples.push_back(text::ellipsize(row[0].to_string(), kMaxSampleChars));
      }
    }
  }
}

Result<catalog::Catalog> introspect_oracle(OdbcConnection& connection, const IntrospectOptions& options,
                                           std::vector<Source>& sources) {
  OracleCatalogQueries queries = oracle_catalog_queries(options.schemas);
  const QueryOptions metadata{kMetadataTimeout, std::nullopt};
  OracleCatalogRows rows;
  AG_ASSIGN_OR_RETURN(rows.tables, connection.execute_trusted(queries.tables, metadata));
  AG_ASSIGN_OR_RETURN(rows.columns, connection.execute_trusted(queries.columns, metadata));
  AG_ASSIGN_OR_RETURN(rows.keys, connection.execute_trusted(queries.keys, metadata));
  AG_ASSIGN_OR_RETURN(rows.synonyms, connection.execute_trusted(queries.synonyms, metadata));
  catalog::Catalog catalog = oracle_catalog_from_rows(rows, connection.database());
  for (const auto& t : catalog.tables) sources.push_back({t.schema, t.name});
  return catalog;
}

Result<catalog::Catalog> introspect_generic(OdbcConnection& connection, const IntrospectOptions& options,
                                            std::vector<Source>& sources) {
  const Dialect dialect = connection.dialect();
  catalog::Catalog catalog;
  catalog.db_id = connection.database();
  catalog.dialect = dialect;

  std::vector<std::string> schema_filters = options.schemas;
  if (schema_filters.empty()) schema_filters.push_back("");
  std::vector<std::string> shown;  // catalog schema of each table
  for (const auto& schema : schema_filters) {
    AG_ASSIGN_OR_RETURN(auto tables, connection.catalog_call(OdbcCatalogCall::kTables, schema, ""));
    for (const auto& row : tables.rows) {
      std::string owner = text_of(row, 1);
      std::string name = text_of(row, 2);
      std::string type = text::to_upper(text_of(row, 3));
      if (name.empty() || (schema.empty() && is_system_schema(dialect, owner))) continue;
      if (dialect == Dialect::kSqlite && name.rfind("sqlite_", 0) == 0) continue;
      if (type.find("SYSTEM") != std::string::npos) continue;
      catalog::Table table;
      table.schema = shown_schema(dialect, owner);
      table.name = name;
      table.is_view = type.find("VIEW") != std::string::npos;
      table.description = text_of(row, 4);
      catalog.tables.push_back(std::move(table));
      sources.push_back({owner, name});
    }
  }

  std::map<std::pair<std::string, std::string>, std::string> titles;  // (schema, name) → catalog name
  for (size_t i = 0; i < sources.size(); ++i) {
    titles[{sources[i].schema, sources[i].name}] = title(catalog.tables[i].schema, catalog.tables[i].name);
  }

  std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>> comments;
  if (dialect == Dialect::kPostgres && connection.dbms_name() == "PostgreSQL") {
    // psqlODBC leaves REMARKS empty: read COMMENT ON from the catalog instead.
    auto rows = connection.execute_trusted(
        "SELECT n.nspname, c.relname, coalesce(a.attname, ''), d.description FROM pg_catalog.pg_description d "
        "JOIN pg_catalog.pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0",
        {kMetadataTimeout, std::nullopt});
    if (rows.ok()) {
      for (const auto& row : rows->rows) comments[{text_of(row, 0), text_of(row, 1)}][text_of(row, 2)] = text_of(row, 3);
    } else {
      spdlog::debug("{}: no comments: {}", connection.display_name(), rows.error());
    }
  }
  auto comment = [&](const Source& source, const std::string& column) -> std::string {
    auto t = comments.find({source.schema, source.name});
    if (t == comments.end()) return {};
    auto c = t->second.find(column);
    return c == t->second.end() ? std::string() : c->second;
  };

  for (size_t i = 0; i < sources.size(); ++i) {
    const Source& source = sources[i];
    catalog::Table& table = catalog.tables[i];
    if (table.description.empty()) table.description = comment(source, "");
    // SQLColumns takes patterns ('_' matches any character): keep the exact table only.
    AG_ASSIGN_OR_RETURN(auto columns, connection.catalog_call(OdbcCatalogCall::kColumns, source.schema, source.name));
    std::vector<std::pair<int64_t, catalog::Column>> ordered;
    for (const auto& row : columns.rows) {
      if (text_of(row, 2) != source.name || text_of(row, 1) != source.schema) continue;
      catalog::Column column;
      column.name = text_of(row, 3);
      column.type = column_type(row);
      column.not_null = integer_of(row, 10, SQL_NULLABLE_UNKNOWN) == SQL_NO_NULLS;
      column.description = text_of(row, 11);
      if (column.description.empty()) column.description = comment(source, column.name);
      ordered.emplace_back(integer_of(row, 16, static_cast<int64_t>(ordered.size() + 1)), std::move(column));
    }
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [position, column] : ordered) table.columns.push_back(std::move(column));
    if (table.is_view) continue;

    auto keys = connection.catalog_call(OdbcCatalogCall::kPrimaryKeys, source.schema, source.name);
    if (keys.ok()) {
      std::vector<std::pair<int64_t, std::string>> key;
      for (const auto& row : keys->rows) key.emplace_back(integer_of(row, 4), text_of(row, 3));
      std::stable_sort(key.begin(), key.end());
      for (const auto& [seq, name] : key) {
        table.primary_key.push_back(name);
        for (auto& c : table.columns) {
          if (c.name == name) c.primary_key = true;
        }
      }
    } else {
      spdlog::debug("{}: no primary key for {}: {}", connection.display_name(), table.name, keys.error());
    }

    auto foreign = connection.catalog_call(OdbcCatalogCall::kForeignKeys, source.schema, source.name);
    if (!foreign.ok()) {
      spdlog::debug("{}: no foreign keys for {}: {}", connection.display_name(), table.name, foreign.error());
      continue;
    }
    // One key per FK_NAME (and referenced table); drivers without key names (SQLite's)
    // start a new key where KEY_SEQ starts again.
    struct Part {
      std::string group;
      int64_t seq;
      std::string to_schema, to_table, to_column, from_column;
    };
    std::vector<Part> parts;
    for (const auto& row : foreign->rows) {
      Part p{text_of(row, 11), integer_of(row, 8), text_of(row, 1), text_of(row, 2), text_of(row, 3), text_of(row, 7)};
      parts.push_back(std::move(p));
    }
    std::vector<std::string> group_order;
    std::map<std::string, std::vector<Part>> groups;
    std::map<std::string, int> unnamed_count;
    std::string previous_unnamed;
    for (auto& p : parts) {
      std::string key;
      if (!p.group.empty()) {
        key = p.group + "\x1f" + p.to_schema + "." + p.to_table;
      } else {
        std::string base = "\x1e" + p.to_schema + "." + p.to_table;
        if (p.seq <= 1 || previous_unnamed.empty() || previous_unnamed.rfind(base, 0) != 0) {
          key = base + "#" + std::to_string(unnamed_count[base]++);
        } else {
          key = previous_unnamed;
        }
        previous_unnamed = key;
      }
      if (!groups.count(key)) group_order.push_back(key);
      groups[key].push_back(p);
    }
    for (const auto& key : group_order) {
      auto& g = groups[key];
      std::stable_sort(g.begin(), g.end(), [](const Part& a, const Part& b) { return a.seq < b.seq; });
      catalog::ForeignKey fk;
      fk.from_table = title(table.schema, table.name);
      auto it = titles.find({g.front().to_schema, g.front().to_table});
      fk.to_table = it != titles.end() ? it->second : title(shown_schema(dialect, g.front().to_schema), g.front().to_table);
      for (const auto& p : g) {
        fk.from_columns.push_back(p.from_column);
        fk.to_columns.push_back(p.to_column);
      }
      catalog.foreign_keys.push_back(std::move(fk));
    }
  }
  return catalog;
}

}  // namespace

Result<catalog::Catalog> introspect_odbc(OdbcConnection& connection, const IntrospectOptions& options) {
  std::vector<Source> sources;
  std::optional<catalog::Catalog> catalog;
  if (connection.dialect() == Dialect::kOracle) {
    auto oracle = introspect_oracle(connection, options, sources);
    if (oracle.ok()) {
      catalog = std::move(oracle).value();
    } else {
      spdlog::info("{}: Oracle's dictionary views could not be read ({}); using the ODBC catalog functions",
                   connection.display_name(), oracle.error());
      sources.clear();
    }
  }
  if (!catalog) {
    AG_ASSIGN_OR_RETURN(auto generic, introspect_generic(connection, options, sources));
    catalog = std::move(generic);
  }
  read_counts_and_samples(connection, sources, *catalog, options);
  if (!options.descriptions_dir.empty()) {
    AG_RETURN_IF_ERROR(catalog::apply_bird_descriptions(*catalog, options.descriptions_dir));
  }
  if (!options.tables_json.empty()) AG_RETURN_IF_ERROR(catalog::apply_tables_json(*catalog, options.tables_json));
  return std::move(*catalog);
}

}  // namespace askguru::db
