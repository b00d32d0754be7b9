// Catalog: the enriched schema of one database (tables, columns, keys,
// descriptions, samples, and later profiles and LLM summaries). Plain value
// type; safe to share read-only between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "askguru/common/dialect.h"

namespace askguru::catalog {

struct Column {
  std::string name;
  std::string type;              // declared type as written ("VARCHAR(30)", "" when none)
  bool primary_key = false;
  bool not_null = false;
  std::string natural_name;      // expanded name ("event id": BIRD column_name, Spider column_names)
  std::string description;       // human description (BIRD CSV, tables.json, comments)
  std::string value_description; // BIRD's value_description
  std::vector<std::string> samples;  // a few distinct example values as text
  std::string summary_short;     // LLM field summary (profile/)
  std::string summary_long;
};

struct ForeignKey {
  std::string from_table;
  std::vector<std::string> from_columns;
  std::string to_table;
  std::vector<std::string> to_columns;
};

struct Table {
  std::string schema;            // "" for SQLite's main; "APPS" on Oracle
  std::string name;
  bool is_view = false;
  std::string description;
  std::vector<Column> columns;
  std::vector<std::string> primary_key;  // in key order; composite keys have several
  std::optional<int64_t> row_count;

  const Column* find_column(std::string_view column_name) const;  // case-insensitive
};

struct Catalog {
  std::string db_id;             // e.g. the file's stem
  Dialect dialect = Dialect::kSqlite;
  std::vector<Table> tables;
  std::vector<ForeignKey> foreign_keys;

  const Table* find_table(std::string_view table_name) const;  // case-insensitive
};

}  // namespace askguru::catalog
