#include "askguru/db/postgres_introspect.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "askguru/catalog/descriptions.h"
#include "askguru/common/text.h"
#include "askguru/db/postgres_connection.h"
#include "askguru/db/sqlite_introspect.h"  // quote_identifier: the same "..." rules

namespace askguru::db {
namespace {

constexpr std::chrono::milliseconds kMetadataTimeout{30000};
constexpr std::chrono::milliseconds kSampleTimeout{3000};
constexpr size_t kMaxSampleChars = 80;
constexpr double kSampleAbove = 100000;  // rows: read samples through TABLESAMPLE above this
constexpr double kSampleTarget = 20000;  // rows such a sample aims at
constexpr int kSampleScan = 10000;       // rows a sample query reads at most

std::string text_of(const Value& value) {
  return value.is_null() ? std::string() : value.to_string();
}

int64_t integer_of(const Value& value) {
  if (value.type() == ValueType::kInteger) return value.as_integer();
  if (value.type() == ValueType::kReal) return static_cast<int64_t>(std::llround(value.as_real()));
  return 0;
}

std::string literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// The relations introspection reads: tables, partitioned tables (not their partitions),
// views, materialized views and foreign tables that the user may read, in the chosen
// schemas.
std::string relations_filter(const std::vector<std::string>& schemas) {
  std::string filter =
      "c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition "
      "AND pg_catalog.has_any_column_privilege(c.oid, 'SELECT') AND ";
  if (schemas.empty()) {
    filter +=
        "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
        "AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
  } else {
    std::vector<std::string> quoted;
    for (const auto& s : schemas) quoted.push_back(literal(s));
    filter += "n.nspname IN (" + text::join(quoted, ", ") + ")";
  }
  return filter;
}

struct Relation {
  int64_t oid = 0;
  std::string schema;
  std::string name;
  std::string kind;  // relkind
  double reltuples = -1;
  int64_t relpages = 0;
  int64_t path_position = 0;  // 1-based position of its schema on the search_path; 0: not on it
  size_t table_index = 0;     // into catalog.tables
};

std::string qualified(const Relation& r) {
  return quote_identifier(r.schema) + "." + quote_identifier(r.name);
}

// The name a query uses: bare for tables found first on the search_path.
std::string title(const catalog::Table& t) {
  return t.schema.empty() ? t.name : t.schema + "." + t.name;
}

void read_samples(PostgresConnection& connection, const Relation& relation, catalog::Table& table,
                  const std::vector<std::string>& base_types, size_t count) {
  std::string sample;
  if ((relation.kind == "r" || relation.kind == "m") && table.row_count && *table.row_count > kSampleAbove) {
    double percent = std::clamp(100.0 * kSampleTarget / static_cast<double>(*table.row_count), 0.01, 100.0);
    sample = fmt::format(" TABLESAMPLE SYSTEM ({:.4f})", percent);
  }
  for (size_t i = 0; i < table.columns.size(); ++i) {
    auto& column = table.columns[i];
    if (base_types[i] == "bytea") continue;
    std::string quoted = quote_identifier(column.name);
    for (const char* cast : {"", "::text"}) {  // ::text for types without equality (json, point)
      auto rows = connection.execute_trusted(
          fmt::format("SELECT DISTINCT s.v FROM (SELECT {0}{1} AS v FROM {2}{3} WHERE {0} IS NOT NULL LIMIT {4}) s "
                      "LIMIT {5}",
                      quoted, cast, qualified(relation), sample, kSampleScan, count),
          {kSampleTimeout, std::nullopt});
      if (!rows.ok()) {
        spdlog::debug("{}: no samples for {}.{}: {}", connection.display_name(), table.name, column.name, rows.error());
        if (rows.status().code() != ErrorCode::kSqlError) break;
        continue;
      }
      for (const auto& row : rows->rows) {
        if (!row.empty()) column.samples.push_back(text::ellipsize(row[0].to_string(), kMaxSampleChars));
      }
      break;
    }
  }
}

}  // namespace

std::string postgres_fingerprint_query() {
  return "SELECT c.oid::int8, n.nspname, c.relname, c.relkind::text, "
         "coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, -1), "
         "(SELECT string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ',' "
         "ORDER BY a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 "
         "AND NOT a.attisdropped) "
         "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
         "LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid WHERE " +
         relations_filter({}) + " ORDER BY c.oid";
}

Result<catalog::Catalog> introspect_postgres(PostgresConnection& connection, const IntrospectOptions& options) {
  catalog::Catalog catalog;
  catalog.db_id = connection.database();
  catalog.dialect = Dialect::kPostgres;
  const QueryOptions metadata{kMetadataTimeout, std::nullopt};
  const std::string rels =
      "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " +
      relations_filter(options.schemas);

  AG_ASSIGN_OR_RETURN(
      auto relation_rows,
      connection.execute_trusted(
          "SELECT c.oid::int8, n.nspname, c.relname, c.relkind::text, c.reltuples::float8, c.relpages::int8, "
          "pg_catalog.obj_description(c.oid, 'pg_class'), "
          "coalesce(pg_catalog.array_position(pg_catalog.current_schemas(false), n.nspname), 0) "
          "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " +
              relations_filter(options.schemas) +
              " ORDER BY pg_catalog.array_position(pg_catalog.current_schemas(false), n.nspname) IS NULL, "
              "n.nspname, c.relname",
          metadata));
  std::vector<Relation> relations;
  std::map<std::string, int64_t> first_on_path;  // relation name → smallest search_path position
  for (const auto& row : relation_rows.rows) {
    Relation r;
    r.oid = integer_of(row[0]);
    r.schema = text_of(row[1]);
    r.name = text_of(row[2]);
    r.kind = text_of(row[3]);
    r.reltuples = row[4].type() == ValueType::kReal ? row[4].as_real() : -1;
    r.relpages = integer_of(row[5]);
    r.path_position = integer_of(row[7]);
    if (r.path_position > 0) {
      auto [it, inserted] = first_on_path.emplace(r.name, r.path_position);
      if (!inserted) it->second = std::min(it->second, r.path_position);
    }
    catalog::Table table;
    table.name = r.name;
    table.is_view = r.kind == "v" || r.kind == "m";
    table.description = text_of(row[6]);
    r.table_index = catalog.tables.size();
    catalog.tables.push_back(std::move(table));
    relations.push_back(std::move(r));
  }
  std::map<int64_t, size_t> by_oid;  // oid → index into relations
  for (size_t i = 0; i < relations.size(); ++i) {
    Relation& r = relations[i];
    bool bare = r.path_position > 0 && first_on_path[r.name] == r.path_position;
    catalog.tables[r.table_index].schema = bare ? std::string() : r.schema;
    by_oid[r.oid] = i;
  }

  // Columns, with their declared types and comments.
  std::vector<std::vector<std::string>> base_types(relations.size());
  AG_ASSIGN_OR_RETURN(
      auto column_rows,
      connection.execute_trusted(
          "SELECT a.attrelid::int8, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
          "pg_catalog.col_description(a.attrelid, a.attnum), "
          "pg_catalog.format_type(coalesce(nullif(t.typbasetype, 0), a.atttypid), NULL) "
          "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
          "WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid IN (" +
              rels + ") ORDER BY a.attrelid, a.attnum",
          metadata));
  for (const auto& row : column_rows.rows) {
    auto it = by_oid.find(integer_of(row[0]));
    if (it == by_oid.end()) continue;
    catalog::Column column;
    column.name = text_of(row[1]);
    column.type = text_of(row[2]);
    column.not_null = row[3].type() == ValueType::kInteger && row[3].as_integer() != 0;
    column.description = text_of(row[4]);
    catalog.tables[relations[it->second].table_index].columns.push_back(std::move(column));
    base_types[it->second].push_back(text_of(row[5]));
  }

  // Primary and foreign keys, composite ones column by column in key order.
  AG_ASSIGN_OR_RETURN(
      auto key_rows,
      connection.execute_trusted(
          "SELECT con.conrelid::int8, con.contype::text, con.conname, con.confrelid::int8, k.ord, a.attname, "
          "fa.attname FROM pg_catalog.pg_constraint con "
          "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord) "
          "JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum "
          "LEFT JOIN pg_catalog.pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fattnum "
          "WHERE con.contype IN ('p', 'f') AND con.conrelid IN (" +
              rels + ") ORDER BY con.conrelid, con.contype, con.conname, k.ord",
          metadata));
  std::map<std::pair<int64_t, std::string>, catalog::ForeignKey> foreign_keys;  // (table oid, name) → key
  std::vector<std::pair<int64_t, std::string>> fk_order;
  for (const auto& row : key_rows.rows) {
    auto from = by_oid.find(integer_of(row[0]));
    if (from == by_oid.end()) continue;
    catalog::Table& table = catalog.tables[relations[from->second].table_index];
    std::string kind = text_of(row[1]);
    std::string column = text_of(row[5]);
    if (kind == "p") {
      table.primary_key.push_back(column);
      for (auto& c : table.columns) {
        if (c.name == column) c.primary_key = true;
      }
      continue;
    }
    auto to = by_oid.find(integer_of(row[3]));
    if (to == by_oid.end()) continue;  // the target is in a schema not read
    auto key = std::make_pair(integer_of(row[0]), text_of(row[2]));
    auto [it, inserted] = foreign_keys.try_emplace(key);
    if (inserted) {
      fk_order.push_back(key);
      it->second.from_table = title(table);
      it->second.to_table = title(catalog.tables[relations[to->second].table_index]);
    }
    it->second.from_columns.push_back(column);
    it->second.to_columns.push_back(text_of(row[6]));
  }
  for (const auto& key : fk_order) catalog.foreign_keys.push_back(std::move(foreign_keys[key]));

  // Row counts: the planner's estimate; an exact count only where there is none yet.
  for (size_t i = 0; i < relations.size(); ++i) {
    const Relation& r = relations[i];
    catalog::Table& table = catalog.tables[r.table_index];
    bool estimated = r.kind != "v" && r.kind != "f" && r.reltuples >= 0 && !(r.reltuples == 0 && r.relpages == 0);
    if (estimated) {
      table.row_count = static_cast<int64_t>(std::llround(r.reltuples));
    } else if (options.count_rows) {
      auto count = connection.execute_trusted("SELECT count(*) FROM " + qualified(r),
                                              {r.kind == "v" ? kSampleTimeout : kMetadataTimeout, std::nullopt});
      if (count.ok() && !count->rows.empty() && count->rows[0][0].type() == ValueType::kInteger) {
        table.row_count = count->rows[0][0].as_integer();
      } else if (!count.ok()) {
        spdlog::debug("{}: no row count for {}: {}", connection.display_name(), table.name, count.error());
      }
    }
    if (options.sample_values > 0) read_samples(connection, r, table, base_types[i], options.sample_values);
  }

  if (!options.descriptions_dir.empty()) {
    AG_RETURN_IF_ERROR(catalog::apply_bird_descriptions(catalog, options.descriptions_dir));
  }
  if (!options.tables_json.empty()) AG_RETURN_IF_ERROR(catalog::apply_tables_json(catalog, options.tables_json));
  return catalog;
}

}  // namespace askguru::db
