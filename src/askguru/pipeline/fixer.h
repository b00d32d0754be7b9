// The fixer (Operation 8) and the candidate runner it shares with the pipeline.
//
// CandidateRunner checks a candidate (parse, guardrail, analysis, join validator:
// selection.h's fill_candidate_checks) and, when the guardrail allows it, executes
// it with every row fetched under a time limit (execute_candidate).
//
// Fixer asks an LLM to repair a candidate, giving it the precise problem, when
//   - it does not parse, the guardrail refuses it, or names do not resolve;
//   - its execution failed (SQL error or timeout);
//   - the join validator lowered its score (fix_join_findings);
//   - it returned no rows (fix_empty): SQL questions rarely ask for nothing.
// Repairs run in rounds, all of a round's requests in flight together; each
// repaired SQL is run again. Attempts are bounded per candidate and per question;
// a reply without SQL, or with the same SQL, ends that candidate's repairs.
//
// Thread-safety: CandidateRunner uses one Connection and must stay on one thread;
// Fixer is immutable.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/db/connection.h"
#include "askguru/guard/policy.h"
#include "askguru/pipeline/candidate.h"
#include "askguru/pipeline/config.h"
#include "askguru/pipeline/grounding.h"
#include "askguru/pipeline/schema_linker.h"

namespace askguru::pipeline {

class CandidateRunner {
 public:
  CandidateRunner(const catalog::Catalog& catalog, const guard::Policy& policy, Dialect dialect,
                  db::Connection& connection, std::chrono::milliseconds timeout)
      : catalog_(catalog), policy_(policy), dialect_(dialect), connection_(connection), timeout_(timeout) {}

  void run(Candidate& candidate) const;

 private:
  const catalog::Catalog& catalog_;
  const guard::Policy& policy_;
  Dialect dialect_;
  db::Connection& connection_;
  std::chrono::milliseconds timeout_;
};

class Fixer {
 public:
  explicit Fixer(FixerConfig config) : config_(std::move(config)) {}

  // What is wrong with a checked and executed candidate, worded for the repair
  // prompt; "" when nothing is.
  std::string problem(const Candidate& candidate) const;

  // Repairs `candidates` in place; returns the repair requests sent.
  int repair(const StageContext& context, std::vector<Candidate>& candidates, const Grounding& grounding,
             const SchemaLink& link, const CandidateRunner& runner) const;

  bool enabled() const { return !config_.endpoint.empty(); }

 private:
  FixerConfig config_;
};

}  // namespace askguru::pipeline
