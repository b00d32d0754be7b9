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

// A value and how often it occurs (top-k lists of a column profile).
struct ValueCount {
  std::string value;
  int64_t count = 0;
};

// Statistics of one column (profile/profiler.h). Computed over `rows` rows, all of
// the table's or a sample (Table::profile.sampled). Values are compared as SQLite
// orders them (NULL < numbers < text < blob); min and max are their text form.
struct ColumnProfile {
  bool profiled = false;       // false: never profiled (denied, skipped, budget)
  int64_t rows = 0;            // rows read
  int64_t null_count = 0;
  double null_share = 0.0;     // null_count / rows
  int64_t distinct = 0;        // distinct non-null values, exact or estimated
  bool distinct_exact = true;  // false: HyperLogLog estimate (top values are then approximate too)
  std::string min;
  std::string max;
  double avg_length = 0.0;     // characters of the text form of non-null values
  int64_t max_length = 0;
  std::string value_type;      // storage class of the non-null values: integer, real, text, blob or mixed
  std::vector<ValueCount> top_values;  // most frequent first
  std::vector<std::string> formats;    // detected formats: "date:YYYY-MM-DD", "number_as_text", "code", ...
  std::vector<uint32_t> minhash;       // MinHash signature of the value set (join discovery)
};

struct TableProfile {
  bool profiled = false;
  bool sampled = false;        // statistics come from a sample of the rows
  bool partial = false;        // the time budget ended the pass early
  int64_t rows_read = 0;
  double seconds = 0.0;
};

// Two columns whose value sets overlap strongly: a join candidate even without a
// declared foreign key. `containment` estimates the share of from's distinct values
// found in to's.
struct JoinCandidate {
  std::string from_table;
  std::string from_column;
  std::string to_table;
  std::string to_column;
  double jaccard = 0.0;
  double containment = 0.0;
  double name_score = 0.0;     // how much the names agree (0..1): from column vs. to table and column
  bool declared = false;       // a declared foreign key links them too
};

// How the catalog's profile was made (to tell when a rerun must rebuild it).
struct ProfileInfo {
  bool complete = false;       // every table profiled (no total budget cut)
  std::vector<std::string> deny;  // columns denied when it was made, normalised "table.column"
  double seconds = 0.0;
  bool summaries = false;      // LLM field summaries present
};

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
  ColumnProfile profile;
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
  TableProfile profile;

  const Column* find_column(std::string_view column_name) const;  // case-insensitive
};

struct Catalog {
  std::string db_id;             // e.g. the file's stem
  Dialect dialect = Dialect::kSqlite;
  std::vector<Table> tables;
  std::vector<ForeignKey> foreign_keys;
  std::vector<JoinCandidate> join_candidates;
  ProfileInfo profile;

  // Case-insensitive; "schema.name" names a table of that schema, a bare name the first
  // table of that name.
  const Table* find_table(std::string_view table_name) const;
};

}  // namespace askguru::catalog
