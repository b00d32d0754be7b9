// Column and table descriptions from the files that datasets ship beside their
// databases: BIRD's database_description/<table>.csv and Spider/BIRD tables.json.
// Functions fill an existing Catalog; they are thread-safe on distinct catalogs.
#pragma once

#include <string>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"

namespace askguru::catalog {

// Reads every <table>.csv in `dir` (file names matched to tables case-insensitively)
// with the columns original_column_name, column_name, column_description,
// data_format, value_description. Rows naming unknown columns are skipped. Fails
// on an unreadable directory or a malformed file, naming the file and line.
Status apply_bird_descriptions(Catalog& catalog, const std::string& dir);

// Reads the entry of `catalog.db_id` from a tables.json file: natural column names
// (as descriptions when there is nothing better), types where none is declared,
// primary keys where none is declared, and foreign keys not already known.
// Fails with kNotFound when the file has no entry for the database.
Status apply_tables_json(Catalog& catalog, const std::string& path);

}  // namespace askguru::catalog
