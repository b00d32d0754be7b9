// Question: what the pipeline is asked, and StageContext: what every online stage
// of one question shares (the database's artifacts, the LLM endpoints, the
// prompts, the trace and the question's request group). Plain values and
// non-owning pointers; a context lives for one question.
#pragma once

#include <future>
#include <memory>
#include <mutex>
#include <string>

#include "askguru/common/dialect.h"
#include "askguru/llm/client.h"
#include "askguru/llm/prompt_template.h"
#include "askguru/llm/request_group.h"
#include "askguru/pipeline/trace.h"

namespace askguru::catalog {
struct Catalog;
}
namespace askguru::guard {
struct Policy;
}
namespace askguru::index {
class DatabaseArtifacts;
}

namespace askguru::pipeline {

struct Question {
  std::string text;
  std::string evidence;  // BIRD's hint, or a user's note
  // Evaluation on a training set: never use this question as its own example.
  std::string exclude_example;
};

// The per-question limits of the budget config (max calls, max cost). Calls are
// admitted before they are sent and charged when they return. Thread-safe.
class Budget {
 public:
  Budget(int max_calls, double max_cost_usd) : max_calls_(max_calls), max_cost_usd_(max_cost_usd) {}
  // Ok and counted, or kCancelled saying which limit was reached.
  Status admit();
  void charge(double cost_usd);
  // For stages that call an endpoint directly (the selection's tournament): calls
  // still allowed (INT_MAX when unlimited; 0 once the cost limit is reached), and
  // the calls they made.
  int remaining_calls() const;
  void record(int calls, double cost_usd);
  int calls() const;
  double cost_usd() const;

 private:
  const int max_calls_;
  const double max_cost_usd_;
  mutable std::mutex mu_;
  int calls_ = 0;
  double cost_usd_ = 0;
};

struct StageContext {
  const Question* question = nullptr;
  const index::DatabaseArtifacts* artifacts = nullptr;
  // The policy, and what prompts may show: the catalog without what the policy denies
  // (Database::visible_catalog). Null: no policy, the artifacts' catalog.
  const guard::Policy* policy = nullptr;
  const catalog::Catalog* visible = nullptr;
  llm::LlmHub* hub = nullptr;  // null: no LLM configured
  const llm::PromptLibrary* prompts = nullptr;
  Trace* trace = nullptr;
  std::shared_ptr<llm::RequestGroup> group;
  Dialect dialect = Dialect::kSqlite;
  Budget* budget = nullptr;  // null: unlimited

  const catalog::Catalog& prompt_catalog() const;
};

// Sends one request for a stage: admitted by the budget, under the question's
// request group, recorded in the trace (purpose, endpoint, detail) when it ends.
// Never throws; a refused or failed call is an error Result.
std::future<Result<llm::Response>> send_chat(const StageContext& context, const std::string& endpoint,
                                             llm::ChatRequest request, std::string detail = {});
std::future<Result<llm::Response>> send_completion(const StageContext& context, const std::string& endpoint,
                                                   llm::CompletionRequest request, std::string detail = {});

}  // namespace askguru::pipeline
