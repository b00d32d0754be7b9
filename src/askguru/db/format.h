// Prints a ResultSet for people (an aligned table, as `askguru sql` shows it) or
// as JSON (the HTTP API and --json). Pure functions; thread-safe.
#pragma once

#include <string>

#include "askguru/db/result_set.h"

namespace askguru::db {

struct TableFormatOptions {
  size_t max_cell_chars = 60;  // longer cells are cut with "…"; 0 keeps them whole
  bool footer = true;          // "(3 rows, 1.2 ms)" and a note when the row cap cut the fetch
};

// Columns separated by " | " under a header rule; numbers right-aligned, NULL as
// NULL, newlines in cells shown as "\n". Widths count display columns (UTF-8 aware).
std::string format_table(const ResultSet& result, const TableFormatOptions& options = {});

// {"columns": [...], "rows": [[...], ...], "row_count": N, "truncated": false, "elapsed_ms": 1.2}
// Integers and reals as JSON numbers (NaN and infinities as null), text as strings
// (invalid UTF-8 replaced), blobs as "x'00ff'", NULL as null.
std::string format_json(const ResultSet& result, int indent = -1);

// "(3 rows, 1.2 ms)" / "(1 row, 0.1 ms)".
std::string format_footer(const ResultSet& result);

}  // namespace askguru::db
