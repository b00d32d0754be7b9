#include "askguru/pipeline/pool_eval.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "askguru/catalog/render.h"
#include "askguru/common/progress.h"
#include "askguru/common/thread_pool.h"
#include "askguru/db/connection.h"
#include "askguru/eval/query_runner.h"
#include "askguru/eval/result_cache.h"
#include "askguru/guard/policy.h"

namespace askguru::pipeline {

double PoolEvalReport::accuracy() const {
  return questions ? 100.0 * static_cast<double>(selected_correct) / static_cast<double>(questions) : 0.0;
}
double PoolEvalReport::bound() const {
  return questions ? 100.0 * static_cast<double>(upper_bound) / static_cast<double>(questions) : 0.0;
}
double PoolEvalReport::relative() const {
  return upper_bound ? 100.0 * static_cast<double>(selected_correct) / static_cast<double>(upper_bound) : 0.0;
}
double PoolEvalReport::share(SelectionRule rule) const {
  return questions ? 100.0 * static_cast<double>(by_rule[static_cast<int>(rule)]) / static_cast<double>(questions)
                   : 0.0;
}

namespace {

std::string db_path(const std::string& root, const std::string& db_id) {
  return root + "/" + db_id + "/" + db_id + ".sqlite";
}

std::string one_line(std::string s) {
  for (char& ch : s) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  return s;
}

}  // namespace

Result<PoolEvalReport> evaluate_pools(const eval::Dataset& dataset, const std::vector<std::string>& generators,
                                      const std::vector<std::vector<std::string>>& pools,
                                      const PoolEvalOptions& options) {
  if (pools.empty()) return make_error(ErrorCode::kInvalidArgument, "no candidate pools given");
  if (generators.size() != pools.size()) {
    return make_error(ErrorCode::kInvalidArgument, "one generator name per pool is needed");
  }
  const size_t n = dataset.examples.size();
  for (size_t g = 0; g < pools.size(); ++g) {
    if (pools[g].size() != n) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("{}: {} SQL lines for {} questions", generators[g], pools[g].size(), n));
    }
  }
  PoolEvalReport report;
  report.generators = generators;
  report.questions = n;
  report.generator_correct.assign(pools.size(), 0);
  report.items.resize(n);

  // Correctness of every candidate with the official metric.
  std::vector<std::vector<bool>> correct(pools.size(), std::vector<bool>(n, false));
  for (size_t g = 0; g < pools.size(); ++g) {
    auto scored = eval::evaluate(dataset, pools[g], options.eval, generators[g]);
    if (!scored.ok()) return scored.status().with_context(generators[g]);
    report.metric = scored->metric;
    for (size_t q = 0; q < n; ++q) correct[g][q] = scored->items[q].correct;
  }

  // Execute every candidate once (deduplicated, cached).
  const auto exec_start = std::chrono::steady_clock::now();
  std::unique_ptr<eval::ResultCache> cache;
  if (options.eval.use_cache) {
    auto opened = eval::ResultCache::open(options.eval.cache_dir.empty() ? eval::ResultCache::default_dir()
                                                                         : options.eval.cache_dir);
    if (opened.ok()) cache = std::move(*opened);
  }
  eval::RunnerOptions runner_options;
  runner_options.jobs = options.eval.jobs;
  runner_options.timeout = std::chrono::milliseconds(static_cast<int64_t>(options.eval.timeout_s.value_or(30) * 1000));
  runner_options.cache = cache.get();
  runner_options.quiet = options.eval.quiet;
  runner_options.label = "executing candidates";
  eval::QueryRunner runner(runner_options);
  std::vector<std::vector<size_t>> ids(pools.size(), std::vector<size_t>(n));
  for (size_t q = 0; q < n; ++q) {
    const std::string path = db_path(options.eval.db_root, dataset.examples[q].db_id);
    for (size_t g = 0; g < pools.size(); ++g) ids[g][q] = runner.add(path, pools[g][q]);
  }
  runner.run();
  report.execute_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - exec_start).count();

  // Catalogs (and schema texts for a selector), one per database.
  std::map<std::string, catalog::Catalog> catalogs;
  std::map<std::string, std::string> schemas;
  for (const eval::Example& ex : dataset.examples) {
    if (catalogs.count(ex.db_id)) continue;
    catalog::Catalog catalog;
    auto conn = db::open_connection(db_path(options.eval.db_root, ex.db_id));
    if (conn.ok()) {
      db::IntrospectOptions io;
      io.count_rows = false;
      auto introspected = (*conn)->introspect(io);
      if (introspected.ok()) catalog = std::move(*introspected);
    }
    if (options.selector) schemas[ex.db_id] = catalog::render(catalog);
    catalogs.emplace(ex.db_id, std::move(catalog));
  }

  auto stage = SelectionStage::create(options.selector, options.prompts, options.selection);
  if (!stage.ok()) return stage.status();
  const guard::Policy policy = guard::default_policy();

  const auto select_start = std::chrono::steady_clock::now();
  Progress progress("selecting", n, options.eval.quiet);
  std::vector<Selection> selections(n);
  {
    // With a selector the workers mostly wait on the endpoint: keep more questions in flight.
    size_t threads = options.eval.jobs;
    if (options.selector != nullptr) threads = std::max<size_t>(threads, 16);
    ThreadPool pool(threads);
    std::vector<std::future<void>> done;
    done.reserve(n);
    for (size_t q = 0; q < n; ++q) {
      done.push_back(pool.submit([&, q] {
        const eval::Example& ex = dataset.examples[q];
        std::vector<Candidate> candidates(pools.size());
        for (size_t g = 0; g < pools.size(); ++g) {
          Candidate& c = candidates[g];
          c.id = g;
          c.sql = pools[g][q];
          c.origin.generator = generators[g];
          c.origin.generator_rank = static_cast<int>(g);
          fill_candidate_checks(c, catalogs.at(ex.db_id), policy);
          const eval::QueryOutcome& outcome = runner.outcome(ids[g][q]);
          c.execution.ran = true;
          c.execution.elapsed_ms = outcome.elapsed_ms;
          if (outcome.ok()) {
            c.execution.result.rows = outcome.rows;
          } else {
            c.execution.status = make_error(
                outcome.kind == eval::QueryOutcome::Kind::kTimeout ? ErrorCode::kTimeout : ErrorCode::kSqlError,
                outcome.message);
          }
        }
        Trace trace;
        SelectionContext context{ex.question, ex.evidence, options.selector ? schemas.at(ex.db_id) : ""};
        selections[q] = stage->select(candidates, context, trace);
        progress.tick();
      }));
    }
    for (auto& f : done) f.get();
  }
  progress.finish();
  report.select_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - select_start).count();

  for (size_t q = 0; q < n; ++q) {
    const Selection& sel = selections[q];
    PoolQuestion& item = report.items[q];
    item.correct.resize(pools.size());
    for (size_t g = 0; g < pools.size(); ++g) {
      item.correct[g] = correct[g][q];
      if (correct[g][q]) {
        item.any_correct = true;
        ++report.generator_correct[g];
      }
    }
    item.rule = sel.rule;
    item.clusters = sel.clusters.size();
    item.agreement = sel.agreement;
    item.valid = sel.valid_candidates;
    item.chosen_generator = sel.chosen ? static_cast<int>(*sel.chosen) : -1;
    const size_t written = sel.chosen ? *sel.chosen : 0;
    item.selected_correct = correct[written][q];
    report.selected_sql.push_back(one_line(pools[written][q]));
    if (item.any_correct) ++report.upper_bound;
    const int rule = static_cast<int>(sel.rule);
    ++report.by_rule[rule];
    if (item.selected_correct) {
      ++report.selected_correct;
      ++report.selected_correct_by_rule[rule];
    }
    report.selector_calls += sel.selector_calls;
    report.selector_failures += sel.selector_failures;
  }
  return report;
}

std::string pool_report_text(const PoolEvalReport& r) {
  std::string out = fmt::format("metric {}, {} questions, {} generators\n", r.metric, r.questions, r.generators.size());
  for (size_t g = 0; g < r.generators.size(); ++g) {
    out += fmt::format("  generator {} {:<24} EX {:6.2f}%\n", g, r.generators[g],
                       r.questions ? 100.0 * static_cast<double>(r.generator_correct[g]) /
                                         static_cast<double>(r.questions)
                                   : 0.0);
  }
  out += fmt::format("pool upper bound     {:6.2f}% ({}/{})\n", r.bound(), r.upper_bound, r.questions);
  out += fmt::format("selection accuracy   {:6.2f}% ({}/{}), {:.2f}% of the upper bound\n", r.accuracy(),
                     r.selected_correct, r.questions, r.relative());
  for (SelectionRule rule : {SelectionRule::kFastPath, SelectionRule::kTournament, SelectionRule::kDeterministic,
                             SelectionRule::kNoValidCandidate}) {
    const int i = static_cast<int>(rule);
    out += fmt::format("  {:<20} {:6.2f}% of questions ({}), {} of them correct\n", selection_rule_name(rule),
                       r.share(rule), r.by_rule[i], r.selected_correct_by_rule[i]);
  }
  if (r.selector_calls > 0) {
    out += fmt::format("selector calls       {} ({} without a vote), {:.2f} per question\n", r.selector_calls,
                       r.selector_failures,
                       r.questions ? static_cast<double>(r.selector_calls) / static_cast<double>(r.questions) : 0.0);
  }
  out += fmt::format("time: execution {:.2f} s, selection {:.2f} s ({:.3f} ms per question)\n", r.execute_seconds,
                     r.select_seconds, r.questions ? 1000.0 * r.select_seconds / static_cast<double>(r.questions) : 0.0);
  return out;
}

std::string pool_report_json(const PoolEvalReport& r, const eval::Dataset& dataset) {
  nlohmann::json j;
  j["metric"] = r.metric;
  j["questions"] = r.questions;
  j["generators"] = r.generators;
  j["generator_correct"] = r.generator_correct;
  j["upper_bound"] = r.upper_bound;
  j["selected_correct"] = r.selected_correct;
  j["upper_bound_pct"] = r.bound();
  j["accuracy_pct"] = r.accuracy();
  j["of_bound_pct"] = r.relative();
  nlohmann::json rules = nlohmann::json::object();
  for (SelectionRule rule : {SelectionRule::kFastPath, SelectionRule::kTournament, SelectionRule::kDeterministic,
                             SelectionRule::kNoValidCandidate}) {
    const int i = static_cast<int>(rule);
    rules[std::string(selection_rule_name(rule))] = {{"questions", r.by_rule[i]},
                                                     {"correct", r.selected_correct_by_rule[i]},
                                                     {"share_pct", r.share(rule)}};
  }
  j["rules"] = std::move(rules);
  j["selector_calls"] = r.selector_calls;
  j["selector_failures"] = r.selector_failures;
  j["execute_seconds"] = r.execute_seconds;
  j["select_seconds"] = r.select_seconds;
  nlohmann::json items = nlohmann::json::array();
  for (size_t q = 0; q < r.items.size(); ++q) {
    const PoolQuestion& it = r.items[q];
    nlohmann::json correct = nlohmann::json::array();
    for (bool c : it.correct) correct.push_back(c);
    items.push_back({{"index", q},
                     {"db_id", q < dataset.examples.size() ? dataset.examples[q].db_id : ""},
                     {"rule", std::string(selection_rule_name(it.rule))},
                     {"clusters", it.clusters},
                     {"valid", it.valid},
                     {"agreement", it.agreement},
                     {"chosen_generator", it.chosen_generator < 0 ? nlohmann::json(nullptr)
                                                                  : nlohmann::json(it.chosen_generator)},
                     {"selected_correct", it.selected_correct},
                     {"any_correct", it.any_correct},
                     {"correct", std::move(correct)}});
  }
  j["items"] = std::move(items);
  return j.dump(1);
}

}  // namespace askguru::pipeline
