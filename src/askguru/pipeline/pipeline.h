// Pipeline: a question in; the SQL, its rows, a confidence and a trace out
// (DESIGN.md's online data flow, seed 004's Operations 5-9 under seed 000's
// routing policies).
//
//   refuse questions that ask to change data (intent.h)
//   offline fallback: a stored example's SQL with the question's values
//       (offline_answer.h) — the only answer without an LLM, a zero-cost cache with one
//   grounding -> schema linking -> routing -> generation -> checks + execution
//       -> fixer -> selection (-> fallback's second wave -> selection)
//   answer: the chosen SQL, its rows (capped), confidence, trace, candidates
//
// Confidence in [0, 1]:
//   agreement  = (k + 1) / (n + 2), where k candidates of the n valid ones return the
//                chosen result (Laplace's rule: one lone candidate gives 2/3, five
//                that agree 6/7, two of three 3/5; no basis is never certainty);
//   logprob    = exp(mean token log-probability) over the chosen cluster's
//                members, when the endpoint returned log-probabilities;
//   confidence = agreement, or (agreement + logprob) / 2 when logprob exists.
//   An offline answer's confidence is its match score. No answer: 0.
//
// Thread-safety: after create(), ask() may be called from many threads at once;
// each call opens its own connection to the database.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "askguru/db/result_set.h"
#include "askguru/guard/policy.h"
#include "askguru/index/retriever.h"
#include "askguru/pipeline/candidate.h"
#include "askguru/pipeline/config.h"
#include "askguru/pipeline/fixer.h"
#include "askguru/pipeline/grounding.h"
#include "askguru/pipeline/offline_answer.h"
#include "askguru/pipeline/question.h"
#include "askguru/pipeline/router.h"
#include "askguru/pipeline/schema_linker.h"
#include "askguru/pipeline/selection.h"
#include "askguru/pipeline/trace.h"

namespace askguru::pipeline {

// One database the pipeline answers over: its URL (each question opens its own
// connection), its artifacts, and the offline answerer over its examples.
class Database {
 public:
  // Opens (building when missing) the artifacts; `examples_dataset` (optional) is a
  // Spider/BIRD file whose pairs become the example store.
  static Result<std::unique_ptr<Database>> open(const std::string& url, const index::ArtifactOptions& options,
                                                const std::string& examples_dataset = {});
  // Over artifacts owned elsewhere (evaluation shares them), with an optional store.
  Database(std::string url, const index::DatabaseArtifacts* artifacts, const index::ExampleStore* store,
           const OfflineOptions& offline_options = {});

  const std::string& url() const { return url_; }
  const index::DatabaseArtifacts& artifacts() const { return *artifacts_; }
  const OfflineAnswerer* offline() const { return offline_.get(); }
  // What `policy` lets an LLM see of this database (guard::visible_catalog), made once
  // per policy and kept.
  const catalog::Catalog& visible_catalog(const guard::Policy& policy) const;

 private:
  std::string url_;
  std::unique_ptr<index::DatabaseArtifacts> owned_artifacts_;
  std::unique_ptr<index::ExampleStore> owned_store_;
  const index::DatabaseArtifacts* artifacts_ = nullptr;
  std::unique_ptr<OfflineAnswerer> offline_;
  mutable std::mutex visible_mutex_;
  mutable std::map<std::string, std::unique_ptr<const catalog::Catalog>> visible_;  // by policy_scope()
};

struct Answer {
  // ok: `sql` answers. kRefused: the question asks to change data (or every
  // candidate was a refused write). kInvalidArgument: nothing is configured that
  // could answer. kNotFound: no candidate passed the checks and ran. Other codes:
  // the database could not be opened.
  Status status;
  std::string sql;
  db::ResultSet rows;  // capped at execution.answer_rows (rows.truncated says so)
  double confidence = 0;
  bool offline = false;  // answered by the offline fallback (no generation)
  std::string offline_explanation;
  std::vector<std::string> route;  // routing decisions, in order
  Grounding grounding;
  SchemaLink link;
  std::vector<Candidate> candidates;
  Selection selection;
  std::shared_ptr<Trace> trace;
  double elapsed_ms = 0;

  // {"status", "error", "sql", "result" (db/format.h's JSON), "confidence", "offline",
  //  "route", "selection", "usage", "trace" (full only), "candidates" (full only)}
  nlohmann::json to_json(bool full) const;
  // A few lines for people: route, candidates, selection, calls, tokens, cost, time.
  std::string summary() const;
};

class Pipeline {
 public:
  static Result<std::unique_ptr<Pipeline>> create(PipelineConfig config);
  ~Pipeline();

  Answer ask(const Question& question, const Database& database) const;

  const PipelineConfig& config() const { return config_; }
  llm::LlmHub* hub() const { return hub_.get(); }

 private:
  Pipeline() = default;
  // Generation, checks, execution and repair of one wave; appends to `answer.candidates`.
  void run_wave(const StageContext& context, const RoutePlan& plan, const CandidateRunner& runner,
                Answer& answer) const;
  Selection select(const StageContext& context, Answer& answer) const;
  static double confidence(const Answer& answer);

  PipelineConfig config_;
  std::unique_ptr<llm::LlmHub> hub_;
  llm::PromptLibrary prompts_;
  guard::Policy policy_;
  std::unique_ptr<Grounder> grounder_;
  std::unique_ptr<SchemaLinker> linker_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Fixer> fixer_;
  std::unique_ptr<SelectionStage> selection_;
  llm::LlmClient* selector_ = nullptr;
  SelectionOptions selection_options_;
};

}  // namespace askguru::pipeline
