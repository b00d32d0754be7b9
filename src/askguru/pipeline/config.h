// PipelineConfig: how askguru answers a question, read from one YAML file that
// also holds the LLM endpoints (llm/config.h's keys: endpoints, prices, cache).
// Every section is optional; without endpoints the engine runs offline (the
// skeleton fallback only). configs/*.yaml are documented examples.
//
//   endpoints: [...]                  # llm/config.h
//   grounding: {keywords_endpoint: fast, values_k: 10, examples_k: 3}
//   linking:   {endpoint: fast, columns_k: 30, recall_columns: 12, passes: 2}
//   generators:
//     - {name: reasoning, endpoint: primary, style: reasoning, schemas: [S1, S2],
//        format: ddl, temperatures: [0, 0.7], n: 1, max_tokens: 2048, thinking_budget: 0}
//   fixer:     {endpoint: fast, max_attempts_per_candidate: 2, max_attempts_per_question: 6,
//               fix_empty: true, fix_join_findings: true}
//   selection: {selector: fast, max_clusters: 4, sample_rows: 5, majority_threshold: 0, both_orders: false}
//   routing:   {policy: ensemble, primary: reasoning, secondary: standard,
//               confidence_threshold: 0.6, primary_samples: 3, complex_tables: 3,
//               simple: [standard], complex: [reasoning, icl]}
//   budget:    {max_calls: 40, max_cost_usd: 0.5, deadline_ms: 120000}
//   execution: {timeout_ms: 10000, answer_rows: 1000}
//   offline:   {enabled: true}
//   policy: policies/default.yaml     # guardrail policy ("" : built-in default)
//   prompts_dir: ""                   # overrides of prompts/*.txt
//
// Errors name the file, the key and the line. Plain values; not synchronised.
#pragma once

#include <string>
#include <vector>

#include "askguru/catalog/render.h"
#include "askguru/common/status.h"
#include "askguru/llm/config.h"

namespace askguru::pipeline {

enum class PromptStyle { kReasoning, kStandard, kIcl, kSqlCoder };
std::string_view prompt_style_name(PromptStyle style);

enum class SchemaScope { kPrecise, kRecall, kFull };  // S1, S2, the whole catalog
std::string_view schema_scope_name(SchemaScope scope);

struct GeneratorConfig {
  std::string name;
  std::string endpoint;
  PromptStyle style = PromptStyle::kStandard;
  std::vector<SchemaScope> schemas = {SchemaScope::kPrecise};
  catalog::RenderFormat format = catalog::RenderFormat::kDdl;
  std::vector<double> temperatures = {0.0};
  int n = 1;  // samples per (schema, temperature)
  int max_tokens = 2048;
  int thinking_budget = 0;  // Anthropic extended thinking; 0: off
  bool logprobs = false;    // ask for token log-probabilities (confidence)
  int examples = 3;         // icl: examples in the prompt
};

struct GroundingConfig {
  std::string keywords_endpoint;  // "": keywords from the question's n-grams only
  size_t values_k = 10;
  size_t examples_k = 3;
};

struct LinkingConfig {
  std::string endpoint;       // "": no LLM selection, S1 = the best retrieved columns
  size_t columns_k = 30;      // retrieved columns shown to the LLM (with their tables' keys)
  size_t recall_columns = 12; // the best retrieved columns S2 adds to S1
  int passes = 2;             // LLM selection passes (the second sees the first's choice)
  size_t full_schema_columns = 60;  // schemas this small skip retrieval: the LLM sees all
};

struct FixerConfig {
  std::string endpoint;  // "": no repair
  int max_attempts_per_candidate = 2;
  int max_attempts_per_question = 6;
  bool fix_empty = true;          // an empty result where one is unlikely
  bool fix_join_findings = true;  // the join validator reported an error
};

struct SelectionConfig {
  std::string selector;  // "": the deterministic rule
  size_t max_clusters = 4;
  size_t sample_rows = 5;
  // A largest cluster holding more than this share of the valid candidates (and larger
  // than the next) is chosen without a tournament; 0: every disagreement is judged.
  double majority_threshold = 0;
  bool both_orders = false;  // ask each pair twice, A/B swapped (position bias; twice the calls)
};

enum class RoutingPolicy { kSingle, kFallback, kByComplexity, kEnsemble };
std::string_view routing_policy_name(RoutingPolicy policy);

struct RoutingConfig {
  RoutingPolicy policy = RoutingPolicy::kEnsemble;
  std::string primary;    // generator names (single, fallback)
  std::string secondary;  // fallback
  double confidence_threshold = 0.6;
  int primary_samples = 3;  // fallback: samples of the primary, so confidence has a basis
  size_t complex_tables = 3;            // by_complexity: more linked tables than this is complex
  std::vector<std::string> simple;      // by_complexity: generators for simple questions
  std::vector<std::string> complex;     // by_complexity: generators for complex ones
};

struct BudgetConfig {
  int max_calls = 0;        // 0: unlimited
  double max_cost_usd = 0;  // 0: unlimited
  int deadline_ms = 0;      // 0: none
};

struct ExecutionConfig {
  int timeout_ms = 10000;
  size_t answer_rows = 1000;
};

struct PipelineConfig {
  llm::LlmConfig llm;
  GroundingConfig grounding;
  LinkingConfig linking;
  std::vector<GeneratorConfig> generators;
  FixerConfig fixer;
  SelectionConfig selection;
  RoutingConfig routing;
  BudgetConfig budget;
  ExecutionConfig execution;
  bool offline_enabled = true;
  std::string policy_path;
  std::string prompts_dir;
  std::string path;  // the file it came from

  bool has_llm() const { return !llm.endpoints.empty(); }
  const GeneratorConfig* find_generator(std::string_view name) const;

  static Result<PipelineConfig> from_yaml(std::string_view yaml, const std::string& origin = "<config>");
  static Result<PipelineConfig> load(const std::string& path);
};

}  // namespace askguru::pipeline
