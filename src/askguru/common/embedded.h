// Files embedded into the binary at build time (prompt templates under prompts/).
// Immutable, so lookups are thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace askguru::embedded {

// name -> content, e.g. "prompts/generate_standard.txt".
const std::map<std::string, std::string_view>& files();
// nullptr when no such file was embedded.
const std::string_view* find(const std::string& name);

// The generated table (cmake/EmbedFilesScript.cmake), ended by a null name.
struct Entry {
  const char* name;
  std::string_view content;
};
extern const Entry kTable[];

}  // namespace askguru::embedded
