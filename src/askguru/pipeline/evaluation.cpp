#include "askguru/pipeline/evaluation.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>

#include "askguru/common/progress.h"
#include "askguru/common/thread_pool.h"
#include "askguru/eval/dataset.h"

namespace askguru::pipeline {

namespace fs = std::filesystem;

double PipelineEvalReport::ex() const { return eval::summarize(report).overall.ex(); }

double PipelineEvalReport::upper_bound() const {
  return questions ? 100.0 * static_cast<double>(pool_correct) / static_cast<double>(questions) : 0.0;
}

double PipelineEvalReport::selection_accuracy() const {
  double bound = upper_bound();
  return bound > 0 ? 100.0 * ex() / bound : 0.0;
}

double PipelineEvalReport::percentile_latency(double p) const {
  if (latency_ms.empty()) return 0;
  std::vector<double> sorted = latency_ms;
  std::sort(sorted.begin(), sorted.end());
  size_t index = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

namespace {

// The databases of a dataset, opened once and shared by the questions.
struct Databases {
  std::map<std::string, std::unique_ptr<index::DatabaseArtifacts>> artifacts;
  std::map<std::string, std::unique_ptr<Database>> databases;
  std::map<std::string, std::string> errors;
  std::unique_ptr<index::ExampleStore> store;
};

Databases open_databases(const eval::Dataset& dataset, size_t count, const PipelineEvalOptions& options) {
  Databases out;
  // <db-root>/<id>/<id>.sqlite, or the server address of --db-url with {db_id} filled in.
  auto db_path = [&](const std::string& id) { return eval::database_address(options.eval, id); };
  std::set<std::string> ids;
  for (size_t i = 0; i < count; ++i) ids.insert(dataset.examples[i].db_id);
  Progress progress("artifacts", ids.size(), options.quiet);
  for (const std::string& id : ids) {
    auto artifacts = index::DatabaseArtifacts::open(db_path(id), options.artifacts);
    progress.tick();
    if (artifacts.ok()) {
      out.artifacts[id] = std::make_unique<index::DatabaseArtifacts>(std::move(*artifacts));
    } else {
      out.errors[id] = artifacts.status().to_string();
    }
  }
  progress.finish();
  if (!options.examples.empty()) {
    // Masks stored values ([VAL]) with each database's value index, as Database::open does.
    auto values_for = [&out](const std::string& id) -> const index::ValueIndex* {
      auto it = out.artifacts.find(id);
      return it == out.artifacts.end() ? nullptr : &it->second->values();
    };
    auto store = index::open_example_store(options.examples, options.artifacts.root, false, values_for, options.quiet);
    if (store.ok()) {
      out.store = std::make_unique<index::ExampleStore>(std::move(store->second));
    } else {
      out.errors["*"] = store.status().to_string();
    }
  }
  OfflineOptions offline;
  offline.exclude_identical_question = options.exclude_self;
  for (auto& [id, artifacts] : out.artifacts) {
    if (out.store) artifacts->use_examples(out.store.get());
    out.databases[id] = std::make_unique<Database>(db_path(id), artifacts.get(), artifacts->examples(), offline);
  }
  return out;
}

}  // namespace

Result<PipelineEvalReport> evaluate_pipeline(const Pipeline& pipeline, const PipelineEvalOptions& options) {
  AG_ASSIGN_OR_RETURN(eval::Dataset dataset, eval::load_dataset(options.dataset));
  const size_t count = options.limit > 0 ? std::min(options.limit, dataset.examples.size()) : dataset.examples.size();
  dataset.examples.resize(count);
  Databases dbs = open_databases(dataset, count, options);

  PipelineEvalReport out;
  out.questions = count;
  std::vector<Answer> answers(count);
  const auto started = std::chrono::steady_clock::now();
  {
    ThreadPool pool(std::max<size_t>(1, options.concurrency));
    Progress progress("questions", count, options.quiet);
    std::vector<std::future<void>> done;
    for (size_t i = 0; i < count; ++i) {
      done.push_back(pool.submit([&, i] {
        const eval::Example& e = dataset.examples[i];
        auto db = dbs.databases.find(e.db_id);
        if (db == dbs.databases.end()) {
          answers[i].status = make_error(ErrorCode::kNotFound, "database " + e.db_id + ": " + dbs.errors[e.db_id]);
        } else {
          Question q{e.question, e.evidence, options.exclude_self ? e.question : std::string()};
          answers[i] = pipeline.ask(q, *db->second);
        }
        progress.tick();
      }));
    }
    for (auto& f : done) f.get();
    progress.finish();
  }
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // The answers, scored.
  std::vector<std::string> predictions;
  for (const Answer& a : answers) predictions.push_back(a.sql);
  eval::EvalOptions eval_options = options.eval;
  eval_options.quiet = options.quiet;
  AG_ASSIGN_OR_RETURN(out.report, eval::evaluate(dataset, predictions, eval_options, options.dataset + " (pipeline)"));

  // Every candidate, scored the same way: one dataset item per (question, candidate).
  eval::Dataset pool;
  pool.format = dataset.format;
  pool.path = dataset.path;
  std::vector<std::string> pool_sql;
  std::vector<std::pair<size_t, size_t>> owner;  // (question, candidate)
  for (size_t i = 0; i < count; ++i) {
    for (size_t c = 0; c < answers[i].candidates.size(); ++c) {
      pool.examples.push_back(dataset.examples[i]);
      pool_sql.push_back(answers[i].candidates[c].sql);
      owner.emplace_back(i, c);
    }
  }
  std::vector<std::vector<bool>> candidate_correct(count);
  for (size_t i = 0; i < count; ++i) candidate_correct[i].assign(answers[i].candidates.size(), false);
  if (!pool.examples.empty()) {
    eval_options.quiet = true;
    AG_ASSIGN_OR_RETURN(eval::EvalReport pool_report, eval::evaluate(pool, pool_sql, eval_options, "candidates"));
    for (size_t k = 0; k < pool_report.items.size(); ++k) {
      candidate_correct[owner[k].first][owner[k].second] = pool_report.items[k].correct;
    }
  }

  std::map<std::string, GeneratorFigures> generators;
  for (size_t i = 0; i < count; ++i) {
    const Answer& a = answers[i];
    out.answered += a.status.ok() ? 1 : 0;
    out.refused += a.status.code() == ErrorCode::kRefused ? 1 : 0;
    out.fast_path += a.selection.fast_path ? 1 : 0;
    out.offline += a.offline ? 1 : 0;
    out.pool_correct += std::find(candidate_correct[i].begin(), candidate_correct[i].end(), true) !=
                                candidate_correct[i].end()
                            ? 1
                            : 0;
    out.latency_ms.push_back(a.elapsed_ms);
    out.confidence.push_back(a.confidence);
    if (a.trace) {
      TraceTotals t = a.trace->totals();
      out.calls += t.calls;
      out.input_tokens += t.input_tokens;
      out.output_tokens += t.output_tokens;
      out.cost_usd += t.cost_usd;
    }
    std::map<std::string, bool> first_seen;
    for (size_t c = 0; c < a.candidates.size(); ++c) {
      const std::string& name = a.candidates[c].origin.generator;
      GeneratorFigures& g = generators[name];
      g.name = name;
      ++g.candidates;
      if (first_seen.emplace(name, true).second) {
        ++g.questions;
        g.correct += candidate_correct[i][c] ? 1 : 0;
      }
    }
  }
  for (auto& [name, g] : generators) out.generators.push_back(g);
  return out;
}

std::string pipeline_report_to_json(const PipelineEvalReport& r) {
  nlohmann::json j = nlohmann::json::parse(eval::report_to_json(r.report));
  const double n = r.questions ? static_cast<double>(r.questions) : 1.0;
  nlohmann::json generators = nlohmann::json::array();
  for (const GeneratorFigures& g : r.generators) {
    generators.push_back({{"name", g.name},
                          {"questions", g.questions},
                          {"candidates", g.candidates},
                          {"correct", g.correct},
                          {"ex", 100.0 * static_cast<double>(g.correct) / n}});
  }
  j["pipeline"] = {{"questions", r.questions},
                   {"answered", r.answered},
                   {"refused", r.refused},
                   {"ex", r.ex()},
                   {"pool_upper_bound", r.upper_bound()},
                   {"selection_accuracy", r.selection_accuracy()},
                   {"fast_path_share", 100.0 * static_cast<double>(r.fast_path) / n},
                   {"offline_share", 100.0 * static_cast<double>(r.offline) / n},
                   {"calls_per_question", static_cast<double>(r.calls) / n},
                   {"input_tokens_per_question", static_cast<double>(r.input_tokens) / n},
                   {"output_tokens_per_question", static_cast<double>(r.output_tokens) / n},
                   {"cost_usd_per_question", r.cost_usd / n},
                   {"cost_usd", r.cost_usd},
                   {"latency_ms_p50", r.percentile_latency(50)},
                   {"latency_ms_p95", r.percentile_latency(95)},
                   {"wall_seconds", r.wall_seconds},
                   {"generators", generators},
                   {"confidence", r.confidence},
                   {"latency_ms", r.latency_ms}};
  return j.dump(1);
}

void print_pipeline_summary(const PipelineEvalReport& r, std::FILE* out) {
  eval::print_summary(r.report, out);
  const double n = r.questions ? static_cast<double>(r.questions) : 1.0;
  std::fprintf(out, "\npipeline (%zu questions, %zu answered, %zu refused, %.1f s)\n", r.questions, r.answered,
               r.refused, r.wall_seconds);
  std::fprintf(out, "  EX %.2f%%   pool upper bound %.2f%%   selection accuracy %.1f%% of the bound\n", r.ex(),
               r.upper_bound(), r.selection_accuracy());
  std::fprintf(out, "  fast path %.1f%%   offline %.1f%%\n", 100.0 * static_cast<double>(r.fast_path) / n,
               100.0 * static_cast<double>(r.offline) / n);
  std::fprintf(out, "  per question: %.2f LLM calls, %.0f + %.0f tokens, $%.5f\n", static_cast<double>(r.calls) / n,
               static_cast<double>(r.input_tokens) / n, static_cast<double>(r.output_tokens) / n, r.cost_usd / n);
  std::fprintf(out, "  latency p50 %.0f ms, p95 %.0f ms\n", r.percentile_latency(50), r.percentile_latency(95));
  for (const GeneratorFigures& g : r.generators) {
    std::fprintf(out, "  generator %-20s EX %6.2f%%  (%zu questions, %zu candidates)\n", g.name.c_str(),
                 100.0 * static_cast<double>(g.correct) / n, g.questions, g.candidates);
  }
}

}  // namespace askguru::pipeline
