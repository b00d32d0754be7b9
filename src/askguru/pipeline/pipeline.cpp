#include "askguru/pipeline/pipeline.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "askguru/db/connection.h"
#include "askguru/db/format.h"
#include "askguru/pipeline/generator.h"
#include "askguru/pipeline/intent.h"

namespace askguru::pipeline {

// ------------------------------------------------------------------ Database

Result<std::unique_ptr<Database>> Database::open(const std::string& url, const index::ArtifactOptions& options,
                                                 const std::string& examples_dataset) {
  AG_ASSIGN_OR_RETURN(index::DatabaseArtifacts artifacts, index::DatabaseArtifacts::open(url, options));
  auto owned = std::make_unique<index::DatabaseArtifacts>(std::move(artifacts));
  std::unique_ptr<index::ExampleStore> store;
  if (!examples_dataset.empty()) {
    const index::ValueIndex* values = &owned->values();
    const std::string db_id = owned->catalog().db_id;
    auto opened = index::open_example_store(
        examples_dataset, options.root, false,
        [values, db_id](const std::string& id) { return id == db_id ? values : nullptr; }, options.quiet);
    if (!opened.ok()) return opened.status().with_context("example store");
    store = std::make_unique<index::ExampleStore>(std::move(opened->second));
    owned->use_examples(store.get());
  }
  auto db = std::make_unique<Database>(url, owned.get(), owned->examples());
  db->owned_artifacts_ = std::move(owned);
  db->owned_store_ = std::move(store);
  return db;
}

Database::Database(std::string url, const index::DatabaseArtifacts* artifacts, const index::ExampleStore* store,
                   const OfflineOptions& offline_options)
    : url_(std::move(url)), artifacts_(artifacts) {
  if (store != nullptr) {
    offline_ = std::make_unique<OfflineAnswerer>(*store, artifacts->catalog(), &artifacts->values(), std::string(),
                                                 offline_options);
  }
}

namespace {

// What of a policy decides visibility: its table and column lists.
std::string policy_scope(const guard::Policy& policy) {
  std::string key;
  for (const auto* list : {&policy.allowed_tables, &policy.denied_tables, &policy.allowed_columns,
                           &policy.denied_columns}) {
    for (const std::string& item : *list) key += item + '\x1f';
    key += '\x1e';
  }
  return key;
}

}  // namespace

const catalog::Catalog& Database::visible_catalog(const guard::Policy& policy) const {
  const std::string key = policy_scope(policy);
  std::lock_guard lock(visible_mutex_);
  auto& slot = visible_[key];
  if (!slot) slot = std::make_unique<const catalog::Catalog>(guard::visible_catalog(artifacts_->catalog(), policy));
  return *slot;
}

// ------------------------------------------------------------------ Answer

nlohmann::json Answer::to_json(bool full) const {
  nlohmann::json out;
  out["status"] = status.ok() ? "ok" : std::string(error_code_name(status.code()));
  if (!status.ok()) out["error"] = status.message();
  out["sql"] = sql;
  // {"columns", "rows", "row_count", "truncated", "elapsed_ms"}: db/format.h's JSON form.
  out["result"] = nlohmann::json::parse(db::format_json(rows));
  out["confidence"] = confidence;
  out["offline"] = offline;
  if (offline) out["offline_explanation"] = offline_explanation;
  out["route"] = route;
  out["selection"] = {{"rule", std::string(selection_rule_name(selection.rule))},
                      {"fast_path", selection.fast_path},
                      {"clusters", selection.clusters.size()},
                      {"valid_candidates", selection.valid_candidates},
                      {"selector_calls", selection.selector_calls},
                      {"agreement", selection.agreement},
                      {"summary", selection.summary()}};
  out["elapsed_ms"] = elapsed_ms;
  if (trace) {
    TraceTotals t = trace->totals();
    out["usage"] = {{"calls", t.calls},
                    {"input_tokens", t.input_tokens},
                    {"output_tokens", t.output_tokens},
                    {"cost_usd", t.cost_usd},
                    {"llm_busy_ms", t.llm_busy_ms}};
  }
  if (full) {
    if (trace) out["trace"] = trace->to_json();
    nlohmann::json list = nlohmann::json::array();
    for (const Candidate& c : candidates) {
      nlohmann::json j = {{"id", c.id},
                          {"sql", c.sql},
                          {"generator", c.origin.generator},
                          {"endpoint", c.origin.endpoint},
                          {"style", c.origin.style},
                          {"schema", c.origin.schema},
                          {"format", c.origin.format},
                          {"temperature", c.origin.temperature},
                          {"sample", c.origin.sample},
                          {"allowed", c.checks.allowed},
                          {"score", c.checks.score},
                          {"findings", c.checks.findings},
                          {"fix_attempts", c.fix_attempts},
                          {"repaired_from", c.repaired_from},
                          {"cluster", c.cluster},
                          {"valid", c.valid()}};
      if (c.execution.ran) {
        j["execution"] = c.execution.status.ok()
                             ? nlohmann::json{{"rows", c.execution.result.rows.size()},
                                              {"elapsed_ms", c.execution.elapsed_ms}}
                             : nlohmann::json{{"error", c.execution.status.to_string()}};
      }
      list.push_back(std::move(j));
    }
    out["candidates"] = std::move(list);
  }
  return out;
}

std::string Answer::summary() const {
  std::string out;
  for (const std::string& r : route) out += "route: " + r + "\n";
  if (offline) out += "offline: " + offline_explanation + "\n";
  if (!candidates.empty() && !offline) {
    size_t valid = 0, repaired = 0;
    for (const Candidate& c : candidates) {
      valid += c.valid() ? 1 : 0;
      repaired += c.repaired_from.empty() ? 0 : 1;
    }
    out += fmt::format("candidates: {} ({} valid, {} repaired)\n", candidates.size(), valid, repaired);
    out += "selection: " + selection.summary() + "\n";
  }
  if (trace) {
    TraceTotals t = trace->totals();
    out += fmt::format("llm: {} calls ({} failed, {} cached), {} + {} tokens, ${:.4f}\n", t.calls, t.failed_calls,
                       t.cached_calls, t.input_tokens, t.output_tokens, t.cost_usd);
  }
  out += fmt::format("confidence: {:.2f}; time: {:.0f} ms", confidence, elapsed_ms);
  return out;
}

// ------------------------------------------------------------------ Pipeline

Pipeline::~Pipeline() = default;

Result<std::unique_ptr<Pipeline>> Pipeline::create(PipelineConfig config) {
  std::unique_ptr<Pipeline> p(new Pipeline());
  p->config_ = std::move(config);
  const PipelineConfig& c = p->config_;
  AG_ASSIGN_OR_RETURN(p->prompts_, llm::PromptLibrary::load_embedded());
  if (!c.prompts_dir.empty()) AG_RETURN_IF_ERROR(p->prompts_.load_directory(c.prompts_dir));
  // Declare what each stage provides, so an edited prompt fails now, not mid-question.
  const std::set<std::string> generate = {"dialect", "schema", "question", "evidence", "values"};
  AG_RETURN_IF_ERROR(p->prompts_.require("keywords", {"question", "evidence"}));
  AG_RETURN_IF_ERROR(p->prompts_.require("column_select", {"schema", "question", "evidence", "values"}));
  for (const char* name : {"generate_standard", "generate_reasoning", "sqlcoder"}) {
    AG_RETURN_IF_ERROR(p->prompts_.require(name, generate));
  }
  std::set<std::string> icl = generate;
  icl.insert("examples");
  AG_RETURN_IF_ERROR(p->prompts_.require("generate_icl", icl));
  std::set<std::string> fix = generate;
  fix.insert({"sql", "error"});
  AG_RETURN_IF_ERROR(p->prompts_.require("fix", fix));
  AG_ASSIGN_OR_RETURN(p->policy_, guard::resolve_policy(c.policy_path, ""));
  if (c.has_llm()) {
    AG_ASSIGN_OR_RETURN(p->hub_, llm::LlmHub::create(c.llm));
  }
  p->grounder_ = std::make_unique<Grounder>(c.grounding, c.linking.columns_k);
  p->linker_ = std::make_unique<SchemaLinker>(c.linking);
  p->router_ = std::make_unique<Router>(p->config_);
  p->fixer_ = std::make_unique<Fixer>(c.fixer);
  SelectionOptions options;
  options.top_k = c.selection.max_clusters;
  options.sample_rows = c.selection.sample_rows;
  options.majority_threshold = c.selection.majority_threshold;
  options.both_orders = c.selection.both_orders;
  p->selector_ = c.selection.selector.empty() || !p->hub_ ? nullptr : p->hub_->client(c.selection.selector);
  p->selection_options_ = options;
  AG_ASSIGN_OR_RETURN(SelectionStage stage, SelectionStage::create(p->selector_, &p->prompts_, options));
  p->selection_ = std::make_unique<SelectionStage>(std::move(stage));
  return p;
}

void Pipeline::run_wave(const StageContext& context, const RoutePlan& plan, const CandidateRunner& runner,
                        Answer& answer) const {
  answer.route.push_back(plan.reason);
  std::vector<Candidate> wave =
      CandidateGenerator().generate(context, plan.jobs, answer.grounding, answer.link, answer.candidates.size());
  {
    auto timer = context.trace->stage("checks");
    for (Candidate& c : wave) runner.run(c);
  }
  fixer_->repair(context, wave, answer.grounding, answer.link, runner);
  for (Candidate& c : wave) answer.candidates.push_back(std::move(c));
}

Selection Pipeline::select(const StageContext& context, Answer& answer) const {
  SelectionContext selection_context{context.question->text, context.question->evidence,
                                     SchemaLinker::render_scope(context.prompt_catalog(), answer.link,
                                                                SchemaScope::kRecall, catalog::RenderFormat::kDdl)};
  auto timer = context.trace->stage("selection");
  if (selector_ == nullptr || context.budget == nullptr) {
    return selection_->select(answer.candidates, selection_context, *context.trace, context.group);
  }
  // The tournament calls the selector directly: fit its round robin (k representatives
  // ask k(k-1)/2 pairs, twice with both_orders) into what the question's budget has
  // left, then charge it.
  const int remaining = context.budget->remaining_calls();
  SelectionOptions options = selection_options_;
  const size_t per_pair = options.both_orders ? 2 : 1;
  while (options.top_k >= 2 &&
         static_cast<int64_t>(per_pair * options.top_k * (options.top_k - 1) / 2) > remaining) {
    --options.top_k;
  }
  llm::LlmClient* selector = options.top_k >= 2 ? selector_ : nullptr;
  if (selector == nullptr) context.trace->note("selection", "budget: no calls left for the selector");
  options.top_k = std::max<size_t>(options.top_k, 2);
  auto stage = SelectionStage::create(selector, &prompts_, options);
  if (!stage.ok()) return selection_->select(answer.candidates, selection_context, *context.trace, context.group);
  const size_t calls_before = context.trace->calls().size();
  Selection selection = stage->select(answer.candidates, selection_context, *context.trace, context.group);
  double cost = 0;
  const std::vector<LlmCall> calls = context.trace->calls();
  for (size_t i = calls_before; i < calls.size(); ++i) cost += calls[i].purpose == "select" ? calls[i].cost_usd : 0;
  context.budget->record(static_cast<int>(selection.selector_calls), cost);
  return selection;
}

double Pipeline::confidence(const Answer& answer) {
  const Selection& s = answer.selection;
  if (!s.chosen || !s.chosen_cluster) return 0;
  const ResultCluster& cluster = s.clusters[*s.chosen_cluster];
  const double agreement =
      (static_cast<double>(cluster.size()) + 1.0) / (static_cast<double>(s.valid_candidates) + 2.0);
  double logprob_sum = 0;
  size_t with_logprob = 0;
  for (size_t member : cluster.members) {
    if (answer.candidates[member].mean_logprob) {
      logprob_sum += std::exp(*answer.candidates[member].mean_logprob);
      ++with_logprob;
    }
  }
  if (with_logprob == 0) return agreement;
  return (agreement + logprob_sum / static_cast<double>(with_logprob)) / 2.0;
}

Answer Pipeline::ask(const Question& question, const Database& database) const {
  Answer answer;
  answer.trace = std::make_shared<Trace>();
  Trace& trace = *answer.trace;
  auto finish = [&]() -> Answer {
    answer.elapsed_ms = trace.elapsed_ms();
    return std::move(answer);
  };

  if (auto refusal = write_intent(question.text)) {
    answer.status = make_error(ErrorCode::kRefused, *refusal);
    trace.note("intent", *refusal);
    return finish();
  }
  auto connection = db::open_connection(database.url());
  if (!connection.ok()) {
    answer.status = connection.status();
    return finish();
  }
  const std::chrono::milliseconds timeout(config_.execution.timeout_ms);
  auto cap_rows = [&](db::ResultSet rows) {
    if (rows.rows.size() > config_.execution.answer_rows) {
      rows.rows.resize(config_.execution.answer_rows);
      rows.truncated = true;
    }
    return rows;
  };

  // Offline fallback: a stored example of the same shape, with this question's values.
  const bool can_generate = hub_ != nullptr && !config_.generators.empty();
  std::string offline_reason = "no example store is attached to this database";
  if (config_.offline_enabled && database.offline() != nullptr) {
    auto timer = trace.stage("offline");
    OfflineAnswer offline = database.offline()->answer(question.text, connection->get(), &policy_);
    if (offline.matched()) {
      answer.offline = true;
      answer.offline_explanation = offline.match->explanation();
      answer.sql = offline.match->sql;
      answer.rows = cap_rows(offline.match->result);
      answer.confidence = offline.match->score;
      answer.candidates.push_back(offline_candidate(*offline.match, 0));
      answer.route.push_back(can_generate ? "offline: a stored example matched; no LLM call (cache)"
                                          : "offline: a stored example matched");
      trace.note("offline", answer.offline_explanation);
      return finish();
    }
    offline_reason = offline.reason;
    trace.note("offline", "no match: " + offline.reason);
  }
  if (!can_generate) {
    answer.status = make_error(
        ErrorCode::kInvalidArgument,
        fmt::format("no answer offline ({}); to answer any question, configure an LLM endpoint and generators "
                    "in --config (see configs/local.yaml)",
                    offline_reason));
    return finish();
  }

  std::optional<llm::Clock::time_point> deadline;
  if (config_.budget.deadline_ms > 0) deadline = llm::Clock::now() + std::chrono::milliseconds(config_.budget.deadline_ms);
  Budget budget(config_.budget.max_calls, config_.budget.max_cost_usd);
  StageContext context;
  context.question = &question;
  context.artifacts = &database.artifacts();
  context.policy = &policy_;
  context.visible = &database.visible_catalog(policy_);
  context.hub = hub_.get();
  context.prompts = &prompts_;
  context.trace = &trace;
  context.group = std::make_shared<llm::RequestGroup>(deadline);
  context.dialect = (*connection)->dialect();
  context.budget = &budget;

  auto grounding = grounder_->ground(context);
  if (!grounding.ok()) {
    answer.status = grounding.status().with_context("grounding");
    return finish();
  }
  answer.grounding = std::move(*grounding);
  answer.link = linker_->link(context, answer.grounding);

  CandidateRunner runner(database.artifacts().catalog(), policy_, context.dialect, **connection, timeout);
  run_wave(context, router_->first_wave(question, answer.link), runner, answer);
  answer.selection = select(context, answer);
  answer.confidence = confidence(answer);
  RoutePlan second = router_->second_wave(answer.selection.chosen.has_value(), answer.confidence);
  if (!second.jobs.empty()) {
    run_wave(context, second, runner, answer);
    answer.selection = select(context, answer);
    answer.confidence = confidence(answer);
  }

  if (!answer.selection.chosen) {
    bool all_writes = !answer.candidates.empty();
    for (const Candidate& c : answer.candidates) {
      all_writes = all_writes && c.checks.parsed && !c.checks.allowed &&
                   c.checks.feedback.find("statement") != std::string::npos;
    }
    std::string errors = answer.selection.errors.empty() ? std::string("no candidate was generated")
                                                         : answer.selection.errors.front();
    answer.status = make_error(all_writes ? ErrorCode::kRefused : ErrorCode::kNotFound,
                               fmt::format("no candidate passed the checks and ran ({} generated): {}",
                                           answer.candidates.size(), errors));
    return finish();
  }
  const Candidate& chosen = answer.candidates[*answer.selection.chosen];
  answer.sql = chosen.checks.approved_sql.empty() ? chosen.sql : chosen.checks.approved_sql;
  answer.rows = cap_rows(chosen.execution.result);
  context.group->cancel();  // nothing is waited on any more
  return finish();
}

}  // namespace askguru::pipeline
