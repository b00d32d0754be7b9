// Generation (Operation 7): candidates from a lineup of generators, all requests in
// flight together. A generator is an endpoint × a prompt style (reasoning,
// standard, in-context examples, SQLCoder's completion format) × schemas (S1, S2,
// full) × a format (DDL, Markdown, M-Schema) × temperatures × n samples. Evidence
// and matched values go into every prompt. The SQL is pulled out of each reply
// (llm/sql_extract.h); a reply without SQL is noted in the trace, not a candidate.
//
// Thread-safety: immutable; generate() may run on many threads.
#pragma once

#include <vector>

#include "askguru/pipeline/candidate.h"
#include "askguru/pipeline/config.h"
#include "askguru/pipeline/grounding.h"
#include "askguru/pipeline/schema_linker.h"

namespace askguru::pipeline {

// One generator of the lineup as the router chose to run it.
struct GenerationJob {
  const GeneratorConfig* generator = nullptr;
  int rank = 0;         // its position in the lineup (0: most trusted)
  int samples = 0;      // > 0: overrides the generator's n (fallback samples the primary)
};

// The prompt-facing name of a dialect: "SQLite", "PostgreSQL", "Oracle".
std::string_view dialect_display_name(Dialect dialect);

// Examples as prompt text: "Question: ...\nSQL: ..." blocks.
std::string format_examples(const std::vector<index::ExampleHit>& examples, size_t limit);

class CandidateGenerator {
 public:
  // Sends every request of `jobs`, waits for all, and returns the candidates with
  // ids from `first_id` on, in job order.
  std::vector<Candidate> generate(const StageContext& context, const std::vector<GenerationJob>& jobs,
                                  const Grounding& grounding, const SchemaLink& link, size_t first_id) const;
};

}  // namespace askguru::pipeline
