// Pool evaluation: runs the selection stage over candidate pools that existing systems
// produced (one SQL per question per generator) and measures it against the dataset's
// gold with the official metrics: per-generator EX, the pool upper bound (the share of
// questions where some candidate is correct), selection accuracy and its ratio to the
// bound, and how often each selection rule decided. `askguru select` and bench_selection
// call it.
//
// Candidates are checked (fill_candidate_checks, the default guardrail policy in
// evaluation mode) and executed once each through eval::QueryRunner (parallel, result
// cache); a question's selection runs on a worker thread with its own Trace (at least 16
// workers when a selector is set, since they mostly wait on it).
//
// Thread-safety: a pure function of its inputs (the selector client is thread-safe).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "askguru/common/status.h"
#include "askguru/eval/dataset.h"
#include "askguru/eval/metrics.h"
#include "askguru/pipeline/selection.h"

namespace askguru::pipeline {

struct PoolEvalOptions {
  eval::EvalOptions eval;  // metric, db_root, jobs, time limit, cache, quiet
  SelectionOptions selection;
  llm::LlmClient* selector = nullptr;  // null: the deterministic rule
  const llm::PromptLibrary* prompts = nullptr;
};

struct PoolQuestion {
  std::vector<bool> correct;  // per generator
  bool any_correct = false;
  size_t valid = 0;  // valid candidates
  int chosen_generator = -1;  // -1: no valid candidate (the first generator's SQL is written)
  bool selected_correct = false;
  SelectionRule rule = SelectionRule::kNoValidCandidate;
  size_t clusters = 0;
  double agreement = 0;
};

struct PoolEvalReport {
  std::string metric;
  std::vector<std::string> generators;
  std::vector<size_t> generator_correct;
  size_t questions = 0;
  size_t upper_bound = 0;        // questions where some candidate is correct
  size_t selected_correct = 0;
  size_t by_rule[4] = {0, 0, 0, 0};  // indexed by SelectionRule
  size_t selected_correct_by_rule[4] = {0, 0, 0, 0};
  size_t selector_calls = 0;
  size_t selector_failures = 0;
  double select_seconds = 0;  // clustering and selection, execution excluded
  double execute_seconds = 0;
  std::vector<std::string> selected_sql;  // per question, one line each
  std::vector<PoolQuestion> items;

  double accuracy() const;   // selected_correct / questions, percent
  double bound() const;      // upper_bound / questions, percent
  double relative() const;   // selected_correct / upper_bound, percent (0 when the bound is 0)
  double share(SelectionRule rule) const;  // percent of questions
};

// `pools[g][q]`: generator g's SQL for question q (every generator has one per question);
// generators are ranked in the order given.
Result<PoolEvalReport> evaluate_pools(const eval::Dataset& dataset, const std::vector<std::string>& generators,
                                      const std::vector<std::vector<std::string>>& pools,
                                      const PoolEvalOptions& options);

// The figures `askguru select` prints.
std::string pool_report_text(const PoolEvalReport& report);
// The same figures as JSON, with one item per question: "index", "db_id", "rule",
// "clusters", "agreement", "chosen_generator" (null: no valid candidate), "selected_correct",
// "any_correct", "correct" (per generator).
std::string pool_report_json(const PoolEvalReport& report, const eval::Dataset& dataset);

}  // namespace askguru::pipeline
