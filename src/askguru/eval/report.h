// EvalReport: the outcome of scoring one prediction file, item by item, and its
// renderings: a summary table for the terminal and a JSON report.
//
// JSON top level: "metric", "count", "ex" (percent), "correct", "errors",
// "timeouts", "ves" (R-VES only), "by_difficulty", "by_database", "options",
// "stats", "warnings" and "items" in dataset order, each with "index",
// "question_id", "db_id", "difficulty", "correct", "error" (string or null),
// "timeout", "reward" (R-VES only), "gold_sql" and "pred_sql".
//
// Plain values; functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace askguru::eval {

struct ItemResult {
  size_t index = 0;
  std::optional<int64_t> question_id;
  std::string db_id;
  std::string difficulty;  // BIRD difficulty or Spider hardness; empty when unknown
  std::string gold_sql;
  std::string pred_sql;
  bool correct = false;
  std::optional<std::string> error;  // why the item could not be compared (scores 0)
  bool timeout = false;
  double reward = 0.0;  // R-VES reward (0, 0.25, 0.5, 0.75, 1, 1.25)
  double time_ratio = 0.0;  // R-VES: mean gold/predicted time after outlier removal
};

struct EvalStats {
  double wall_seconds = 0.0;
  size_t queries = 0;           // executions the items asked for
  size_t distinct_queries = 0;  // after deduplication
  size_t cache_hits = 0;
  size_t executed = 0;          // run by SQLite in this process
  double execute_seconds = 0.0;
  double ves_seconds = 0.0;
  std::string cache_path;       // empty when the cache was off
  size_t translated_gold = 0;   // server databases (EvalOptions::db_url): gold queries translated
  size_t translated_predictions = 0;
};

struct EvalReport {
  std::string metric;  // "bird-ex", "spider-ex", "ves"
  std::string dataset_path;
  std::string predictions_path;
  std::string db_root;
  double timeout_seconds = 0.0;
  bool keep_distinct = false;
  size_t ves_iterations = 0;
  std::vector<ItemResult> items;
  std::vector<std::string> warnings;
  EvalStats stats;
};

struct Bucket {
  std::string name;
  size_t count = 0;
  size_t correct = 0;
  size_t errors = 0;
  size_t timeouts = 0;
  double ves_sum = 0.0;  // sum of sqrt(reward) * 100
  double ex() const { return count ? 100.0 * static_cast<double>(correct) / static_cast<double>(count) : 0.0; }
  double ves() const { return count ? ves_sum / static_cast<double>(count) : 0.0; }
};

struct Summary {
  Bucket overall;
  std::vector<Bucket> by_difficulty;  // simple, moderate, challenging (easy, medium, hard, extra) first
  std::vector<Bucket> by_database;    // by name
};

Summary summarize(const EvalReport& report);
std::string report_to_json(const EvalReport& report, int indent = 1);
// The table printed by `askguru eval`.
void print_summary(const EvalReport& report, std::FILE* out);

}  // namespace askguru::eval
