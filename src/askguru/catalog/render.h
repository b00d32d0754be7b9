// Renders a Catalog as text for people and prompts: a human listing, SQL DDL
// with descriptions as comments, Markdown, or XiYan's M-Schema. Optionally only
// a subset of columns, plus the keys that join the tables they belong to.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/catalog/catalog.h"

namespace askguru::catalog {

enum class RenderFormat { kText, kDdl, kMarkdown, kMSchema };

// "text", "ddl", "markdown" (or "md"), "mschema" (or "m-schema").
std::optional<RenderFormat> parse_render_format(std::string_view name);
std::string_view render_format_name(RenderFormat format);

struct ColumnRef {
  std::string table;
  std::string column;  // "*" selects every column of the table
};

struct RenderOptions {
  RenderFormat format = RenderFormat::kDdl;
  // nullopt: the whole catalog. Otherwise the tables these columns belong to, with
  // these columns, their primary keys and the foreign-key columns that join the
  // selected tables to each other. Unknown names are ignored.
  std::optional<std::vector<ColumnRef>> columns;
  bool descriptions = true;  // column descriptions and value descriptions
  bool summaries = true;     // the short LLM summary where a column has no description
  size_t max_samples = 3;    // example values per column; 0 for none
  bool row_counts = true;    // text and markdown only
};

std::string render(const Catalog& catalog, const RenderOptions& options = {});

}  // namespace askguru::catalog
