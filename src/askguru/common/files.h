// Whole-file reading and writing with errors as values. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "askguru/common/status.h"

namespace askguru::files {

Result<std::string> read_file(const std::string& path);
// Writes atomically: to a temporary file beside `path`, then renames it over.
Status write_file(const std::string& path, std::string_view content);
bool exists(const std::string& path);

}  // namespace askguru::files
