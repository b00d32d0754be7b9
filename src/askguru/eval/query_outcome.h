// What one execution of one SQL text on one database gave: every row, an error, or a
// timeout. Plain value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "askguru/db/result_set.h"

namespace askguru::eval {

struct QueryOutcome {
  enum class Kind : uint8_t { kRows = 0, kError = 1, kTimeout = 2 };
  Kind kind = Kind::kRows;
  std::string message;  // for kError and kTimeout
  size_t column_count = 0;
  std::vector<db::Row> rows;
  double elapsed_ms = 0.0;  // execution + fetch

  bool ok() const { return kind == Kind::kRows; }
  static QueryOutcome error(std::string message) {
    QueryOutcome o;
    o.kind = Kind::kError;
    o.message = std::move(message);
    return o;
  }
};

}  // namespace askguru::eval
