// Candidate: one SQL query the pipeline considers for a question, with where it
// came from (generator, prompt style, schema, format, temperature), what the
// checks said about it, what it returned when executed, and the repairs it went
// through. Generation creates candidates; checks, the fixer and selection fill in
// the rest; the trace and the evaluation report read them.
//
// Plain values; not synchronised (each stage owns the candidates it works on).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "askguru/common/status.h"
#include "askguru/db/result_set.h"

namespace askguru::pipeline {

struct CandidateOrigin {
  std::string generator;   // the lineup entry's name ("reasoning-claude"); "offline" for the skeleton fallback
  std::string endpoint;    // the LLM endpoint that wrote it ("" for offline)
  std::string style;       // reasoning | standard | icl | sqlcoder | offline
  std::string schema;      // S1 (precise) | S2 (recall) | full
  std::string format;      // ddl | markdown | mschema
  double temperature = 0;  // as requested
  int sample = 0;          // index among the generator's samples
  int generator_rank = 0;  // the generator's position in the lineup: 0 is the most trusted
};

// What parsing, the guardrail and the join validator said (guard/review.h).
struct CandidateChecks {
  bool checked = false;
  bool parsed = false;
  bool allowed = false;           // the guardrail let it through
  double score = 0;               // guard::Review::score: 1 when nothing is wrong
  std::vector<std::string> findings;  // one line each: guardrail, analysis and join messages
  std::string feedback;           // guard::Review::feedback(), for a repair prompt
  // The guardrail's rewrite to execute instead of the SQL ("SELECT *" expanded without
  // the denied columns); "" when it did not rewrite.
  std::string approved_sql;
  std::string canonical;          // the canonical printing ("" when it does not parse)
  size_t canonical_tokens = 0;    // tokens of the canonical form: "simplest" means fewest
  bool orders_output = false;     // the outermost query has ORDER BY: row order matters
};

struct CandidateExecution {
  bool ran = false;           // execution was attempted
  Status status;              // ok, or the SQL error / timeout / refusal
  db::ResultSet result;       // all rows (selection compares whole results)
  double elapsed_ms = 0;
};

struct Candidate {
  size_t id = 0;  // position in the question's pool
  std::string sql;
  CandidateOrigin origin;
  CandidateChecks checks;
  CandidateExecution execution;
  std::vector<std::string> repaired_from;  // earlier SQL texts, oldest first
  int fix_attempts = 0;
  std::optional<double> mean_logprob;      // when the endpoint returned log-probabilities
  int cluster = -1;                        // selection's cluster, -1 before or when invalid

  // Passed the checks and ran without error: it takes part in selection.
  bool valid() const { return checks.allowed && execution.ran && execution.status.ok(); }
};

}  // namespace askguru::pipeline
