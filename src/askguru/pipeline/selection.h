// Selection: picks one candidate of a question's pool (Operation 9 of seed 004).
//
//  1. Clustering. Every valid candidate (Candidate::valid()) is put in a cluster of
//     candidates that returned the same result: the same multiset of rows, with a
//     consistent permutation of the columns allowed (eval::spider_result_eq), and row
//     order compared only when both candidates order their output
//     (CandidateChecks::orders_output). A candidate joins the first cluster (in pool
//     order) whose every member it equals, so an unordered result never bridges two
//     differently ordered ones. Candidate::cluster is set (-1 for invalid ones).
//  2. Fast path. All valid candidates in one cluster: the simplest SQL of the cluster
//     wins (fewest CandidateChecks::canonical_tokens, then the better generator rank,
//     then the pool position) and no LLM call is made.
//  3. Tournament. Otherwise clusters are ordered by size, then best generator rank, then
//     best join-check score; the representatives (simplest SQL) of the top K meet in a
//     round robin, every pair compared once by a selector endpoint, all comparisons in
//     flight together. The selector sees the question, the evidence, the schema text, both
//     SQLs and a sample of both results (first rows and the row count) and answers A or B
//     (prompts/select_pairwise.txt). The cluster with most wins is chosen; ties go to the
//     larger cluster, then the better generator rank, then the better score. A call that
//     fails or whose reply says neither A nor B is no vote (noted in the trace). Every call
//     is recorded in the trace with purpose "select".
//  4. Deterministic rule, without a selector, when no vote came back, or (an option) when
//     the largest cluster is a clear majority (SelectionOptions::majority_threshold): the largest
//     cluster, then the best generator rank, then the best score (the first cluster of the
//     order above).
//  5. No valid candidate: Selection::chosen is empty and `errors` says why each failed.
//
// Agreement (chosen cluster size / valid candidates) is the self-consistency figure the
// answer's confidence uses.
//
// Also here, for candidates built from plain SQL (`askguru select`, tests): fill the
// checks with guard::review plus the canonical form, and execute in evaluation mode.
//
// Thread-safety: SelectionStage is immutable after create(); select() may run on many
// threads at once (each call on its own candidates and trace). The LLM client and the
// prompt library must outlive the stage.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "askguru/common/dialect.h"
#include "askguru/common/status.h"
#include "askguru/pipeline/candidate.h"
#include "askguru/pipeline/trace.h"

namespace askguru::catalog {
struct Catalog;
}
namespace askguru::db {
class Connection;
}
namespace askguru::guard {
struct Policy;
}
namespace askguru::llm {
class LlmClient;
class PromptLibrary;
class RequestGroup;
}  // namespace askguru::llm

namespace askguru::pipeline {

struct ResultCluster {
  std::vector<size_t> members;  // indexes into the pool, in pool order
  size_t representative = 0;    // the simplest SQL of the cluster (an index into the pool)
  int best_rank = 0;            // the best (lowest) generator rank among the members
  double best_score = 0;        // the best join-check score among the members
  int wins = 0;                 // tournament wins (0 when there was no tournament)
  int losses = 0;
  size_t size() const { return members.size(); }
};

enum class SelectionRule {
  kNoValidCandidate,  // nothing to choose from
  kFastPath,          // every valid candidate agreed
  kTournament,        // the selector's votes decided
  kDeterministic,     // largest cluster, then generator rank, then score
};
std::string_view selection_rule_name(SelectionRule rule);  // "no-valid-candidate", "fast-path", ...

// One pairwise comparison of the tournament.
struct SelectorVote {
  size_t cluster_a = 0;  // indexes into Selection::clusters
  size_t cluster_b = 0;
  int winner = -1;       // cluster_a, cluster_b, or -1: no vote (failed call or unreadable reply)
  std::string reason;    // the selector's reason, or why there was no vote
};

struct Selection {
  std::optional<size_t> chosen;        // index into the pool; empty when nothing is valid
  SelectionRule rule = SelectionRule::kNoValidCandidate;
  bool fast_path = false;
  std::vector<ResultCluster> clusters;  // ordered: size, then best rank, then best score
  std::optional<size_t> chosen_cluster;  // index into clusters
  size_t valid_candidates = 0;
  size_t selector_calls = 0;     // comparisons asked
  size_t selector_failures = 0;  // of those, no vote
  std::vector<SelectorVote> votes;
  double agreement = 0;          // chosen cluster size / valid candidates (0 when none)
  std::vector<std::string> errors;  // kNoValidCandidate: why each candidate was not valid
  // One line for people: "tournament: cluster 2 of 3 (2/5 candidates), 3 wins".
  std::string summary() const;
};

struct SelectionContext {
  std::string question;
  std::string evidence;
  std::string schema;  // the schema text the selector sees (e.g. the S2 rendering)
};

struct SelectionOptions {
  size_t top_k = 4;           // cluster representatives in the tournament (>= 2)
  size_t sample_rows = 5;     // rows of each result shown to the selector
  size_t max_cell_chars = 60;
  std::string prompt = "select_pairwise";
  std::optional<double> temperature = 0.0;
  int max_tokens = 400;
  // Each pair asked twice, A/B swapped, to cancel position bias (twice the calls).
  bool both_orders = false;
  // Skip the tournament when the largest cluster holds at least this share of the valid
  // candidates and is strictly larger than the next one: the deterministic rule decides
  // with no call. 0 (the default): every disagreement goes to the selector. A weak
  // selector can overrule a clear majority (see bench_selection); 0.5 trusts a majority.
  double majority_threshold = 0;
  // Time for the whole tournament; 0: none beyond the group's deadline.
  std::chrono::milliseconds timeout{0};
};

class SelectionStage {
 public:
  // `selector` may be null (deterministic rule). With a selector, `prompts` must hold
  // options.prompt with the values the stage provides; an error names what is wrong.
  static Result<SelectionStage> create(llm::LlmClient* selector, const llm::PromptLibrary* prompts,
                                       SelectionOptions options = {});

  // Clusters `candidates` (setting Candidate::cluster) and chooses one. `group` (the
  // question's requests: deadline, cancel) may be null. Never fails: a selector that is
  // down or talks nonsense degrades to the deterministic rule.
  Selection select(std::vector<Candidate>& candidates, const SelectionContext& context, Trace& trace,
                   std::shared_ptr<llm::RequestGroup> group = nullptr) const;

  bool has_selector() const { return selector_ != nullptr; }
  const SelectionOptions& options() const { return options_; }

 private:
  SelectionStage(llm::LlmClient* selector, const llm::PromptLibrary* prompts, SelectionOptions options)
      : selector_(selector), prompts_(prompts), options_(std::move(options)) {}
  llm::LlmClient* selector_;
  const llm::PromptLibrary* prompts_;
  SelectionOptions options_;
};

// For traces and answers: {"rule", "fast_path", "chosen", "chosen_cluster", "agreement",
// "valid_candidates", "selector_calls", "selector_failures", "clusters": [{"members",
// "representative", "size", "best_rank", "best_score", "wins", "losses"}], "votes":
// [{"a", "b", "winner", "reason"}], "errors"}. Cluster numbers are 0-based indexes into
// "clusters"; candidate numbers are pool indexes.
nlohmann::json selection_to_json(const Selection& selection);

// ---------------------------------------------------------------- pieces, exposed for tests

// Whether two results are the same answer: row multisets equal under one column
// permutation; rows in order when `order_matters`.
bool same_result(const db::ResultSet& a, const db::ResultSet& b, bool order_matters);

// Clusters the valid candidates (sets Candidate::cluster) and returns the clusters in
// selection order (size, best rank, best score, first member), each with its representative.
std::vector<ResultCluster> cluster_candidates(std::vector<Candidate>& candidates);

// The selector's reply → 0 (A), 1 (B), or an error saying why it is unreadable. Takes a
// JSON object {"answer": "A"} anywhere in the reply (fences, prose, thinking allowed), or
// a reply that is only "A" / "B" / "Candidate B" / "answer: B".
Result<int> parse_selector_reply(std::string_view reply, std::string* reason = nullptr);

// A result sample for the selector: the first `rows` rows as a table, then "(N rows)".
std::string result_sample(const db::ResultSet& result, size_t rows, size_t max_cell_chars = 60);

// ---------------------------------------------------------------- candidates from plain SQL

// Fills candidate.checks: guard::review in evaluation mode (no row limit) under `policy`
// for parse, guardrail, findings and score, plus the canonical form, its token count
// and whether the outermost query orders its output.
void fill_candidate_checks(Candidate& candidate, const catalog::Catalog& catalog, const guard::Policy& policy,
                           Dialect dialect = Dialect::kSqlite);
// The canonical-form pieces alone (no catalog needed): canonical text, tokens, orders_output,
// parsed. Leaves `allowed` and the guardrail's findings alone.
void fill_canonical_form(CandidateChecks& checks, std::string_view sql, Dialect dialect = Dialect::kSqlite);

// Executes candidate.sql on `connection` with every row fetched (evaluation mode) and a
// time limit; fills candidate.execution. Candidates the guardrail refused are not run
// (execution.status says so).
void execute_candidate(Candidate& candidate, db::Connection& connection,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));

}  // namespace askguru::pipeline
