// The rows a query returned. Plain value type.
#pragma once

#include <string>
#include <vector>

#include "askguru/db/value.h"

namespace askguru::db {

using Row = std::vector<Value>;

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  bool truncated = false;    // the row cap stopped the fetch early
  double elapsed_ms = 0.0;   // execution + fetch time
};

}  // namespace askguru::db
