// Schema linking (Operation 6): which tables and columns the question needs.
//   - Candidates: the whole catalog when it is small (LinkingConfig::
//     full_schema_columns), otherwise the column index's best columns plus the
//     columns of matched values.
//   - With an endpoint: LLM column selection in passes. Pass 1 sees the candidate
//     columns; pass 2 sees every column of the tables pass 1 chose (and their
//     foreign-key neighbours) and refines the choice. Unknown names are dropped.
//   - S1 (precise): the LLM's columns (without an LLM: the best retrieved
//     columns), plus every column holding a matched value.
//   - S2 (recall): S1 plus the best retrieved columns. Rendering adds the keys
//     that join the chosen tables (catalog/render.h).
// An LLM failure falls back to retrieval and is noted in the trace.
//
// Thread-safety: immutable; link() may run on many threads.
#pragma once

#include <string>
#include <vector>

#include "askguru/catalog/render.h"
#include "askguru/pipeline/config.h"
#include "askguru/pipeline/grounding.h"

namespace askguru::pipeline {

struct SchemaLink {
  std::vector<catalog::ColumnRef> precise;  // S1
  std::vector<catalog::ColumnRef> recall;   // S2
  bool llm_selected = false;
  size_t tables() const;  // distinct tables of S1
};

class SchemaLinker {
 public:
  explicit SchemaLinker(LinkingConfig config) : config_(std::move(config)) {}

  SchemaLink link(const StageContext& context, const Grounding& grounding) const;

  // The schema text a generator sees for one scope and format.
  static std::string render_scope(const catalog::Catalog& catalog, const SchemaLink& link, SchemaScope scope,
                                  catalog::RenderFormat format);

 private:
  // One LLM selection over `schema_columns`; the chosen columns (catalog spelling) or an error.
  Result<std::vector<catalog::ColumnRef>> select_columns(const StageContext& context, const Grounding& grounding,
                                                         const std::vector<catalog::ColumnRef>& schema_columns,
                                                         int pass) const;

  LinkingConfig config_;
};

}  // namespace askguru::pipeline
