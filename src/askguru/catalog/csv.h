// A small CSV reader for metadata files (BIRD's database_description/*.csv):
// RFC 4180 quoting (quoted fields may hold commas, doubled quotes and newlines),
// CRLF or LF line ends, a UTF-8 byte-order mark skipped, and bytes that are not
// valid UTF-8 read as Windows-1252 and converted to UTF-8. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"

namespace askguru::catalog {

struct CsvRecord {
  size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

// Parses `content`; `source` names it in errors ("file.csv:12: unterminated quoted field").
Result<std::vector<CsvRecord>> parse_csv(std::string_view content, std::string_view source);

// Returns `bytes` as valid UTF-8: valid sequences are kept, every other byte is
// taken as Windows-1252 (ISO-8859-1 where 1252 leaves a hole) and re-encoded.
std::string repair_utf8(std::string_view bytes);

}  // namespace askguru::catalog
