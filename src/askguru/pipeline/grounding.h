// Grounding (Operation 5): what the question refers to in this database, before
// any SQL is written.
//   - keywords and values: one cheap LLM call returning JSON (when an endpoint is
//     configured), plus the question's own n-grams and quoted strings;
//   - cell values: the value index searched with every keyword and its
//     sub-phrases (a matched value's column is always kept by schema linking);
//   - columns: the column index's best columns (the input of schema linking);
//   - examples: similar questions from the example store, matched on masked
//     skeletons.
// An LLM failure is noted in the trace and grounding goes on without it.
//
// Thread-safety: a Grounder is immutable; ground() may run on many threads.
#pragma once

#include <string>
#include <vector>

#include "askguru/index/column_index.h"
#include "askguru/index/example_store.h"
#include "askguru/index/value_index.h"
#include "askguru/pipeline/config.h"
#include "askguru/pipeline/question.h"

namespace askguru::pipeline {

struct Grounding {
  std::vector<std::string> keywords;  // from the LLM ("" when none was asked)
  std::vector<std::string> llm_values;
  std::vector<index::ValueHit> values;
  std::vector<index::ColumnHit> columns;
  std::vector<index::ExampleHit> examples;
};

// The values as prompt lines: "- table.column: 'value'" (at most `limit`).
std::string format_values(const std::vector<index::ValueHit>& values, size_t limit = 12);

class Grounder {
 public:
  Grounder(GroundingConfig config, size_t columns_k) : config_(std::move(config)), columns_k_(columns_k) {}

  Result<Grounding> ground(const StageContext& context) const;

 private:
  // Asks the keywords endpoint; an empty result (noted) when it fails.
  void ask_keywords(const StageContext& context, Grounding& grounding) const;

  GroundingConfig config_;
  size_t columns_k_;
};

}  // namespace askguru::pipeline
