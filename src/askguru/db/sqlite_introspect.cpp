#include "askguru/db/sqlite_introspect.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "askguru/catalog/descriptions.h"
#include "askguru/common/text.h"
#include "askguru/db/sqlite_connection.h"

namespace askguru::db {
namespace {

constexpr std::chrono::milliseconds kMetadataTimeout{30000};
constexpr std::chrono::milliseconds kSampleTimeout{3000};
constexpr size_t kMaxSampleChars = 80;

std::string text_of(const Value& value) {
  return value.is_null() ? std::string() : value.to_string();
}

// Tables SQLite itself creates for a virtual table (FTS5 "_data", "_idx", ...).
std::set<std::string> shadow_tables(SqliteConnection& connection) {
  std::set<std::string> names;
  auto list = connection.execute("PRAGMA main.table_list", {kMetadataTimeout, std::nullopt});
  if (!list.ok()) return names;  // older SQLite: no table_list; keep everything
  for (const auto& row : list->rows) {
    if (row.size() >= 3 && text_of(row[2]) == "shadow") names.insert(text::to_lower(text_of(row[1])));
  }
  return names;
}

Status read_columns(SqliteConnection& connection, catalog::Table& table) {
  AG_ASSIGN_OR_RETURN(auto info,
                      connection.execute(fmt::format("PRAGMA main.table_info({})", quote_identifier(table.name)),
                                         {kMetadataTimeout, std::nullopt}));
  // cid, name, type, notnull, dflt_value, pk (1-based position in the primary key, 0 when not in it)
  std::vector<std::pair<int64_t, std::string>> key;
  for (const auto& row : info.rows) {
    if (row.size() < 6) continue;
    catalog::Column column;
    column.name = text_of(row[1]);
    column.type = text_of(row[2]);
    column.not_null = row[3].type() == ValueType::kInteger && row[3].as_integer() != 0;
    int64_t pk = row[5].type() == ValueType::kInteger ? row[5].as_integer() : 0;
    if (pk > 0) {
      column.primary_key = true;
      key.emplace_back(pk, column.name);
    }
    table.columns.push_back(std::move(column));
  }
  std::sort(key.begin(), key.end());
  for (auto& [position, name] : key) table.primary_key.push_back(std::move(name));
  return Status();
}

// Foreign keys as declared; targets resolved to real table/column names. An FK that
// names no target columns points at the target's primary key.
void read_foreign_keys(SqliteConnection& connection, const catalog::Table& table, catalog::Catalog& catalog) {
  auto list = connection.execute(fmt::format("PRAGMA main.foreign_key_list({})", quote_identifier(table.name)),
                                 {kMetadataTimeout, std::nullopt});
  if (!list.ok()) {
    spdlog::warn("{}: cannot read foreign keys of {}: {}", connection.display_name(), table.name, list.error());
    return;
  }
  // id, seq, table, from, to, on_update, on_delete, match
  std::map<int64_t, std::vector<const Row*>> by_id;
  for (const auto& row : list->rows) {
    if (row.size() >= 5 && row[0].type() == ValueType::kInteger) by_id[row[0].as_integer()].push_back(&row);
  }
  for (auto& [id, rows] : by_id) {
    std::sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) {
      return (*a)[1].type() == ValueType::kInteger && (*b)[1].type() == ValueType::kInteger &&
             (*a)[1].as_integer() < (*b)[1].as_integer();
    });
    std::string target_name = text_of((*rows.front())[2]);
    const catalog::Table* target = catalog.find_table(target_name);
    if (!target) {
      spdlog::debug("{}: foreign key {}.{} -> missing table {} skipped", connection.display_name(), table.name, id,
                    target_name);
      continue;
    }
    catalog::ForeignKey fk;
    fk.from_table = table.name;
    fk.to_table = target->name;
    bool valid = true;
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& row = *rows[i];
      const catalog::Column* from = table.find_column(text_of(row[3]));
      std::string to_name = text_of(row[4]);
      if (to_name.empty() && i < target->primary_key.size()) to_name = target->primary_key[i];
      const catalog::Column* to = target->find_column(to_name);
      if (!from || !to) {
        valid = false;
        break;
      }
      fk.from_columns.push_back(from->name);
      fk.to_columns.push_back(to->name);
    }
    if (!valid || fk.from_columns.empty()) {
      spdlog::debug("{}: foreign key of {} to {} names unknown columns; skipped", connection.display_name(), table.name,
                    target->name);
      continue;
    }
    catalog.foreign_keys.push_back(std::move(fk));
  }
}

void read_samples(SqliteConnection& connection, catalog::Table& table, size_t count) {
  for (auto& column : table.columns) {
    std::string quoted = quote_identifier(column.name);
    auto samples = connection.execute(
        fmt::format("SELECT DISTINCT {0} FROM {1} WHERE {0} IS NOT NULL AND typeof({0}) <> 'blob' LIMIT {2}", quoted,
                    quote_identifier(table.name), count),
        {kSampleTimeout, std::nullopt});
    if (!samples.ok()) {
      spdlog::debug("{}: no samples for {}.{}: {}", connection.display_name(), table.name, column.name,
                    samples.error());
      continue;
    }
    for (const auto& row : samples->rows) {
      if (!row.empty()) column.samples.push_back(text::ellipsize(row[0].to_string(), kMaxSampleChars));
    }
  }
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

Result<catalog::Catalog> introspect_sqlite(SqliteConnection& connection, const IntrospectOptions& options) {
  namespace fs = std::filesystem;
  catalog::Catalog catalog;
  catalog.db_id = fs::path(connection.path()).stem().string();
  catalog.dialect = Dialect::kSqlite;

  AG_ASSIGN_OR_RETURN(auto objects,
                      connection.execute("SELECT type, name FROM main.sqlite_master WHERE type IN ('table', 'view') "
                                         "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
                                         {kMetadataTimeout, std::nullopt}));
  const auto shadows = shadow_tables(connection);
  for (const auto& row : objects.rows) {
    catalog::Table table;
    table.name = text_of(row[1]);
    if (shadows.count(text::to_lower(table.name))) continue;
    table.is_view = text_of(row[0]) == "view";
    AG_RETURN_IF_ERROR(read_columns(connection, table).with_context("reading columns of " + table.name));
    catalog.tables.push_back(std::move(table));
  }
  for (const auto& table : catalog.tables) {
    if (!table.is_view) read_foreign_keys(connection, table, catalog);
  }
  for (auto& table : catalog.tables) {
    if (options.count_rows) {
      auto count = connection.execute(fmt::format("SELECT count(*) FROM {}", quote_identifier(table.name)),
                                      {table.is_view ? kSampleTimeout : kMetadataTimeout, std::nullopt});
      if (count.ok() && !count->rows.empty() && count->rows[0][0].type() == ValueType::kInteger) {
        table.row_count = count->rows[0][0].as_integer();
      } else if (!count.ok()) {
        spdlog::debug("{}: no row count for {}: {}", connection.display_name(), table.name, count.error());
      }
    }
    if (options.sample_values > 0) read_samples(connection, table, options.sample_values);
  }

  std::string descriptions_dir = options.descriptions_dir;
  if (descriptions_dir.empty()) {
    fs::path beside = fs::path(connection.path()).parent_path() / "database_description";
    std::error_code ec;
    if (fs::is_directory(beside, ec)) descriptions_dir = beside.string();
  }
  if (!descriptions_dir.empty()) AG_RETURN_IF_ERROR(catalog::apply_bird_descriptions(catalog, descriptions_dir));
  if (!options.tables_json.empty()) AG_RETURN_IF_ERROR(catalog::apply_tables_json(catalog, options.tables_json));
  return catalog;
}

}  // namespace askguru::db
