#include "askguru/eval/metrics.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <set>

#include "askguru/common/progress.h"
#include "askguru/db/connection.h"
#include "askguru/sql/translate.h"
#include "askguru/common/text.h"
#include "askguru/common/thread_pool.h"
#include "askguru/eval/compare.h"
#include "askguru/eval/query_runner.h"
#include "askguru/eval/result_cache.h"
#include "askguru/eval/sql_cleanup.h"

namespace askguru::eval {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kNotFound = "database not found: ";

// What one item asked the runner for.
struct Plan {
  std::vector<std::pair<size_t, size_t>> runs;  // (gold id, predicted id), one per database
  std::vector<std::string> db_paths;
  std::string db_path;  // the database an error message names
  bool order_matters = false;
  std::string missing;  // set when no database file exists
};

std::string db_file(const std::string& root, const std::string& db_id) {
  return root + "/" + db_id + "/" + db_id + ".sqlite";
}

// test-suite-sql-eval: every file in the database's folder whose name contains
// ".sqlite" (SQLite's -journal/-wal/-shm companions aside), sorted.
std::vector<std::string> spider_db_files(const std::string& root, const std::string& db_id) {
  std::vector<std::string> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(root + "/" + db_id, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.find(".sqlite") == std::string::npos) continue;
    if (name.ends_with("-journal") || name.ends_with("-wal") || name.ends_with("-shm")) continue;
    if (!it->is_regular_file(ec)) continue;
    out.push_back(root + "/" + db_id + "/" + name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A server database's dialect and catalog (names and types), for translation.
struct ServerDb {
  std::string error;  // set when it cannot be opened or read
  Dialect dialect = Dialect::kSqlite;
  catalog::Catalog catalog;
};

ServerDb open_server(const std::string& address) {
  ServerDb out;
  auto connection = db::open_connection(address);
  if (!connection.ok()) {
    out.error = std::string(kNotFound) + db::redact_address(address) + " (" + connection.status().to_string() + ")";
    return out;
  }
  out.dialect = (*connection)->dialect();
  db::IntrospectOptions light;
  light.sample_values = 0;
  light.count_rows = false;
  auto catalog = (*connection)->introspect(light);
  if (!catalog.ok()) {
    out.error = std::string(kNotFound) + (*connection)->display_name() + " (cannot read its catalog: " +
                catalog.status().to_string() + ")";
    return out;
  }
  out.catalog = std::move(*catalog);
  return out;
}

// `sql` from `from` into the server's dialect; as written when the dialects agree or it
// does not parse (the server then reports the error).
std::string translated(const std::string& sql, Dialect from, const ServerDb& db, size_t* count) {
  if (from == db.dialect || text::trim(sql).empty()) return sql;
  sql::TranslateOptions options;
  options.from = from;
  options.to = db.dialect;
  auto out = sql::translate(sql, db.catalog, options);
  if (!out.ok()) return sql;
  ++*count;
  return out->sql;
}

std::string first_line(const std::string& s) { return text::ellipsize(s.substr(0, s.find('\n')), 300); }

std::string fmt_timeout_pair(double pred_ms, double gold_ms, double limit_ms) {
  return "prediction and gold together took " + std::to_string(static_cast<int64_t>(pred_ms + gold_ms)) +
         " ms (prediction " + std::to_string(static_cast<int64_t>(pred_ms)) + " ms, gold " +
         std::to_string(static_cast<int64_t>(gold_ms)) + " ms), over the limit of " +
         std::to_string(static_cast<int64_t>(limit_ms)) + " ms";
}

void score_bird(const QueryRunner& runner, const Plan& plan, double limit_ms, ItemResult* item) {
  const QueryOutcome& pred = runner.outcome(plan.runs[0].second);
  const QueryOutcome& gold = runner.outcome(plan.runs[0].first);
  // Upstream runs the prediction first, then the gold, inside one func_timeout.
  if (pred.kind == QueryOutcome::Kind::kTimeout) {
    item->timeout = true;
    item->error = "prediction: " + pred.message;
  } else if (!pred.ok()) {
    item->error = pred.message.starts_with(kNotFound) ? pred.message : "prediction: " + first_line(pred.message);
  } else if (gold.kind == QueryOutcome::Kind::kTimeout) {
    item->timeout = true;
    item->error = "gold: " + gold.message;
  } else if (!gold.ok()) {
    item->error = "gold: " + first_line(gold.message);
  } else if (limit_ms > 0 && pred.elapsed_ms + gold.elapsed_ms > limit_ms) {
    item->timeout = true;
    item->error = fmt_timeout_pair(pred.elapsed_ms, gold.elapsed_ms, limit_ms);
  } else if (has_invalid_utf8(pred.rows)) {
    item->error = "prediction: could not decode a TEXT value as UTF-8 (Python's sqlite3 raises)";
  } else if (has_invalid_utf8(gold.rows)) {
    item->error = "gold: could not decode a TEXT value as UTF-8 (Python's sqlite3 raises)";
  } else {
    // The same SQL text ran once for both: Python's set(r) == set(r) holds (SQLite
    // never returns NaN), so skip the comparison.
    item->correct = plan.runs[0].first == plan.runs[0].second || bird_result_eq(pred.rows, gold.rows);
  }
}

void score_spider(const QueryRunner& runner, const Plan& plan, ItemResult* item) {
  if (!plan.missing.empty()) {
    item->error = plan.missing;
    return;
  }
  for (size_t k = 0; k < plan.runs.size(); ++k) {
    const QueryOutcome& gold = runner.outcome(plan.runs[k].first);
    const QueryOutcome& pred = runner.outcome(plan.runs[k].second);
    const std::string where = plan.runs.size() > 1 ? " on " + plan.db_paths[k] : "";
    if (!gold.ok()) {
      item->timeout = gold.kind == QueryOutcome::Kind::kTimeout;
      item->error = gold.message.starts_with(kNotFound) ? gold.message
                                                        : "gold" + where + ": " + first_line(gold.message);
      return;
    }
    if (!pred.ok()) {
      item->timeout = pred.kind == QueryOutcome::Kind::kTimeout;
      item->error = pred.message.starts_with(kNotFound) ? pred.message
                                                        : "prediction" + where + ": " + first_line(pred.message);
      return;
    }
    // exec_eval decodes TEXT with errors="ignore". The same SQL text ran once for both:
    // result_eq(r, r) holds.
    bool equal;
    if (plan.runs[k].first == plan.runs[k].second) {
      equal = true;
    } else if (has_invalid_utf8(gold.rows) || has_invalid_utf8(pred.rows)) {
      equal = spider_result_eq(drop_invalid_utf8(gold.rows), drop_invalid_utf8(pred.rows), plan.order_matters);
    } else {
      equal = spider_result_eq(gold.rows, pred.rows, plan.order_matters);
    }
    if (!equal) return;
  }
  item->correct = true;
}

// Times `sql` once on `connection`: milliseconds, or the failure.
Result<double> time_query(db::Connection& connection, const std::string& sql, const db::QueryOptions& options) {
  const auto t0 = Clock::now();
  if (!is_blank_sql(sql)) {
    auto result = connection.execute(sql, options);
    if (!result.ok()) return result.status();
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void score_ves(ConnectionPool& pool, const std::string& db_path, const std::string& gold, const std::string& pred,
               size_t iterations, double limit_ms, ItemResult* item) {
  auto lease = pool.acquire(db_path);
  if (!lease.ok()) {
    item->error = "ves: " + lease.status().to_string();
    return;
  }
  db::QueryOptions options;
  options.timeout = std::chrono::milliseconds(static_cast<int64_t>(limit_ms));
  options.max_rows.reset();
  const double budget_ms = limit_ms * static_cast<double>(iterations);
  double total_ms = 0.0;
  std::vector<double> ratios;
  ratios.reserve(iterations);
  for (size_t k = 0; k < iterations; ++k) {
    auto p = time_query(**lease, pred, options);
    auto g = p.ok() ? time_query(**lease, gold, options) : Result<double>(p.status());
    if (!p.ok() || !g.ok()) {
      const Status& s = p.ok() ? g.status() : p.status();
      item->timeout = s.code() == ErrorCode::kTimeout;
      item->error = "ves timing: " + s.to_string();
      return;
    }
    total_ms += *p + *g;
    if (budget_ms > 0 && total_ms > budget_ms) {
      item->timeout = true;
      item->error = "ves timing exceeded " + std::to_string(static_cast<int64_t>(budget_ms)) + " ms";
      return;
    }
    if (*p <= 0.0) {
      item->error = "ves timing: the prediction took no measurable time (upstream divides by zero)";
      return;
    }
    ratios.push_back(*g / *p);
  }
  const auto kept = ves_clean_abnormal(ratios);
  if (kept.empty()) {
    item->error = "ves: every timing ratio was an outlier (upstream divides by zero)";
    return;
  }
  item->time_ratio = std::accumulate(kept.begin(), kept.end(), 0.0) / static_cast<double>(kept.size());
  item->reward = ves_reward(item->time_ratio);
}

}  // namespace

const char* metric_name(Metric metric) {
  switch (metric) {
    case Metric::kBirdEx: return "bird-ex";
    case Metric::kSpiderEx: return "spider-ex";
    case Metric::kVes: return "ves";
  }
  return "";
}

Result<Metric> parse_metric(std::string_view name) {
  std::string n = text::to_lower(name);
  if (n == "bird-ex" || n == "bird" || n == "ex") return Metric::kBirdEx;
  if (n == "spider-ex" || n == "spider") return Metric::kSpiderEx;
  if (n == "ves" || n == "r-ves" || n == "rves") return Metric::kVes;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown metric '" + std::string(name) + "': expected bird-ex, spider-ex or ves");
}

std::vector<double> ves_clean_abnormal(const std::vector<double>& ratios) {
  if (ratios.empty()) return {};
  const double n = static_cast<double>(ratios.size());
  const double mean = std::accumulate(ratios.begin(), ratios.end(), 0.0) / n;
  double var = 0.0;
  for (double x : ratios) var += (x - mean) * (x - mean);
  const double std_dev = std::sqrt(var / n);
  std::vector<double> out;
  for (double x : ratios) {
    if (x < mean + 3 * std_dev && x > mean - 3 * std_dev) out.push_back(x);
  }
  return out;
}

double ves_reward(double r) {
  if (r == 0) return 0.0;
  if (r >= 2) return 1.25;
  if (r >= 1) return 1.0;
  if (r >= 0.5) return 0.75;
  if (r >= 0.25) return 0.5;
  return 0.25;
}

std::string database_address(const EvalOptions& options, const std::string& db_id) {
  if (options.db_url.empty()) return db_file(options.db_root, db_id);
  return text::replace_all(options.db_url, "{db_id}", db_id);
}

Result<EvalReport> evaluate(const Dataset& dataset, const std::vector<std::string>& predictions,
                            const EvalOptions& options, const std::string& predictions_label) {
  const auto start = Clock::now();
  const auto& examples = dataset.examples;
  if (predictions.size() != examples.size()) {
    return make_error(ErrorCode::kInvalidArgument, std::to_string(predictions.size()) + " predictions for " +
                                                       std::to_string(examples.size()) + " examples in " +
                                                       dataset.path + ": the counts must be equal");
  }
  const bool server = !options.db_url.empty();
  if (!server) {
    if (options.db_root.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "no database root given (--db-root or --db-url)");
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(options.db_root, ec)) {
      return make_error(ErrorCode::kNotFound, "database root is not a directory: " + options.db_root);
    }
  }
  const Metric metric =
      options.metric.value_or(dataset.format == DatasetFormat::kSpider ? Metric::kSpiderEx : Metric::kBirdEx);
  const double timeout_s = options.timeout_s.value_or(metric == Metric::kSpiderEx ? 60.0 : 30.0);
  if (timeout_s < 0) return make_error(ErrorCode::kInvalidArgument, "the time limit must not be negative");
  const double limit_ms = timeout_s * 1000.0;
  const size_t jobs = options.jobs == 0 ? default_jobs() : options.jobs;

  EvalReport report;
  report.metric = metric_name(metric);
  report.dataset_path = dataset.path;
  report.predictions_path = predictions_label;
  report.db_root = server ? db::redact_address(options.db_url) : options.db_root;
  report.timeout_seconds = timeout_s;
  report.keep_distinct = options.keep_distinct;
  report.ves_iterations = metric == Metric::kVes ? options.ves_iterations : 0;

  std::unique_ptr<ResultCache> cache;
  if (options.use_cache) {
    const std::string dir = options.cache_dir.empty() ? ResultCache::default_dir() : options.cache_dir;
    auto opened = ResultCache::open(dir);
    if (opened.ok()) {
      cache = std::move(opened).value();
      report.stats.cache_path = cache->path();
    } else {
      report.warnings.push_back("result cache off: " + opened.status().to_string());
    }
  }

  RunnerOptions runner_options;
  runner_options.jobs = jobs;
  runner_options.timeout = std::chrono::milliseconds(static_cast<int64_t>(limit_ms));
  runner_options.cache = cache.get();
  runner_options.quiet = options.quiet;
  runner_options.label = "eval: executing";
  QueryRunner runner(runner_options);

  // Plan every item's executions.
  std::vector<Plan> plans(examples.size());
  std::vector<std::string> exec_gold(examples.size()), exec_pred(examples.size());
  std::map<std::string, std::vector<std::string>> spider_files;
  std::map<std::string, ServerDb> servers;
  for (size_t i = 0; i < examples.size(); ++i) {
    const Example& ex = examples[i];
    Plan& plan = plans[i];
    plan.db_path = database_address(options, ex.db_id);
    if (metric == Metric::kSpiderEx) {
      std::string g = spider_postprocess(ex.gold_sql);
      std::string p = spider_postprocess(spider_plug_value(predictions[i]));
      if (!options.keep_distinct) {
        g = spider_remove_distinct(g);
        p = spider_remove_distinct(p);
      }
      plan.order_matters = spider_order_matters(g);
      exec_gold[i] = spider_replace_cur_year(g);
      exec_pred[i] = spider_replace_cur_year(p);
      if (server) {
        plan.db_paths = {plan.db_path};
      } else {
        auto [it, inserted] = spider_files.try_emplace(ex.db_id);
        if (inserted) it->second = spider_db_files(options.db_root, ex.db_id);
        plan.db_paths = it->second;
        if (plan.db_paths.empty()) plan.missing = std::string(kNotFound) + plan.db_path;
      }
    } else {
      exec_gold[i] = ex.gold_sql;
      exec_pred[i] = predictions[i];
      plan.db_paths = {plan.db_path};
    }
    if (server) {
      // SQLite-dialect gold (and predictions, when asked) in the server's dialect.
      auto [it, inserted] = servers.try_emplace(plan.db_path);
      if (inserted) it->second = open_server(plan.db_path);
      const ServerDb& db = it->second;
      if (!db.error.empty()) {
        plan.missing = db.error;
      } else {
        exec_gold[i] = translated(exec_gold[i], options.gold_dialect, db, &report.stats.translated_gold);
        if (options.pred_dialect) {
          exec_pred[i] = translated(exec_pred[i], *options.pred_dialect, db, &report.stats.translated_predictions);
        }
      }
    }
    for (const auto& path : plan.db_paths) {
      plan.runs.emplace_back(runner.add(path, exec_gold[i]), runner.add(path, exec_pred[i]));
    }
  }
  runner.run();

  // Score.
  report.items.resize(examples.size());
  parallel_for(examples.size(), jobs, [&](size_t i) {
    const Example& ex = examples[i];
    ItemResult& item = report.items[i];
    item.index = i;
    item.question_id = ex.question_id;
    item.db_id = ex.db_id;
    item.difficulty = ex.difficulty;
    item.gold_sql = ex.gold_sql;
    item.pred_sql = predictions[i];
    if (metric == Metric::kSpiderEx) {
      if (options.hardness) item.difficulty = options.hardness(ex.gold_sql, ex.db_id);
      score_spider(runner, plans[i], &item);
    } else {
      score_bird(runner, plans[i], limit_ms, &item);
    }
  });

  if (metric == Metric::kVes && options.ves_iterations > 0) {
    std::vector<size_t> correct;
    for (size_t i = 0; i < report.items.size(); ++i) {
      if (report.items[i].correct) correct.push_back(i);
    }
    const auto ves_start = Clock::now();
    Progress progress("eval: timing (R-VES)", correct.size(), options.quiet || correct.empty());
    parallel_for(correct.size(), jobs, [&](size_t k) {
      const size_t i = correct[k];
      score_ves(runner.pool(), plans[i].db_path, exec_gold[i], exec_pred[i], options.ves_iterations, limit_ms,
                &report.items[i]);
      progress.tick();
    });
    progress.finish();
    report.stats.ves_seconds = std::chrono::duration<double>(Clock::now() - ves_start).count();
  }

  // Warnings: databases that were not there.
  std::set<std::string> missing;
  size_t missing_items = 0;
  for (const auto& item : report.items) {
    if (item.error && item.error->starts_with(kNotFound)) {
      missing.insert(item.error->substr(kNotFound.size()));
      ++missing_items;
    }
  }
  if (!missing.empty()) {
    std::vector<std::string> names(missing.begin(), missing.end());
    if (names.size() > 10) {
      names.resize(10);
      names.push_back("...");
    }
    report.warnings.push_back(std::to_string(missing_items) + " item(s) score 0 because " +
                              std::to_string(missing.size()) + " database(s) were not found: " +
                              text::join(names, ", "));
  }

  const RunnerStats& rs = runner.stats();
  report.stats.queries = rs.requested;
  report.stats.distinct_queries = rs.distinct;
  report.stats.cache_hits = rs.cache_hits;
  report.stats.executed = rs.executed;
  report.stats.execute_seconds = rs.execute_seconds;
  report.stats.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

Result<EvalReport> evaluate_files(const std::string& dataset_path, const std::string& predictions_path,
                                  const EvalOptions& options) {
  AG_ASSIGN_OR_RETURN(Dataset dataset, load_dataset(dataset_path));
  AG_ASSIGN_OR_RETURN(Predictions predictions, load_predictions(predictions_path));
  std::vector<std::string> warnings;
  AG_ASSIGN_OR_RETURN(std::vector<std::string> sqls, align_predictions(dataset, predictions, &warnings));
  AG_ASSIGN_OR_RETURN(EvalReport report, evaluate(dataset, sqls, options, predictions_path));
  report.warnings.insert(report.warnings.begin(), warnings.begin(), warnings.end());
  return report;
}

}  // namespace askguru::eval
