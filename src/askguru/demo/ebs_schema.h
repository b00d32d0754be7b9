// The EBS demo's schema, written once: the DDL and the BIRD-style description
// CSVs are both rendered from these definitions. Internal to demo/.
// Immutable static data; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace askguru::demo {

// One column: its SQL declaration and its BIRD description row
// (original_column_name, column_name, column_description, data_format, value_description).
struct ColumnDef {
  std::string name;
  std::string type;        // SQLite declared type: INTEGER, TEXT, REAL
  std::string constraint;  // e.g. "NOT NULL"; empty for none
  std::string readable;    // BIRD column_name: a readable name, or empty
  std::string description;
  std::string format;  // integer, text, real, date
  std::string values;  // value description: codes, units, caveats
};

struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;
  std::vector<std::string> constraints;  // PRIMARY KEY (...), UNIQUE (...), FOREIGN KEY (...) REFERENCES ...
};

// Every table, in creation (foreign-key) order.
const std::vector<TableDef>& ebs_schema();

// CREATE TABLE statement for one table.
std::string create_table_sql(const TableDef& table);

// The table's database_description CSV (header line and one row per column).
std::string description_csv(const TableDef& table);

}  // namespace askguru::demo
