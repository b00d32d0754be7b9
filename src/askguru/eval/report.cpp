#include "askguru/eval/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace askguru::eval {
namespace {

int difficulty_rank(const std::string& name) {
  static const char* kOrder[] = {"simple", "moderate", "challenging", "easy", "medium", "hard", "extra"};
  for (int i = 0; i < 7; ++i) {
    if (name == kOrder[i]) return i;
  }
  return 100;
}

void add(Bucket* b, const ItemResult& item) {
  ++b->count;
  if (item.correct) ++b->correct;
  if (item.timeout) {
    ++b->timeouts;
  } else if (item.error) {
    ++b->errors;
  }
  b->ves_sum += std::sqrt(item.reward) * 100.0;
}

nlohmann::ordered_json bucket_json(const Bucket& b, bool ves) {
  nlohmann::ordered_json j;
  j["count"] = b.count;
  j["correct"] = b.correct;
  j["ex"] = b.ex();
  if (ves) j["ves"] = b.ves();
  j["errors"] = b.errors;
  j["timeouts"] = b.timeouts;
  return j;
}

}  // namespace

Summary summarize(const EvalReport& report) {
  Summary s;
  s.overall.name = "total";
  std::map<std::string, Bucket> by_difficulty, by_database;
  for (const auto& item : report.items) {
    add(&s.overall, item);
    if (!item.difficulty.empty()) {
      Bucket& b = by_difficulty[item.difficulty];
      b.name = item.difficulty;
      add(&b, item);
    }
    Bucket& d = by_database[item.db_id];
    d.name = item.db_id;
    add(&d, item);
  }
  for (auto& [name, b] : by_difficulty) s.by_difficulty.push_back(b);
  std::stable_sort(s.by_difficulty.begin(), s.by_difficulty.end(), [](const Bucket& a, const Bucket& b) {
    return difficulty_rank(a.name) < difficulty_rank(b.name);
  });
  for (auto& [name, b] : by_database) s.by_database.push_back(b);
  return s;
}

std::string report_to_json(const EvalReport& report, int indent) {
  const bool ves = report.metric == "ves";
  const Summary s = summarize(report);
  nlohmann::ordered_json j;
  j["metric"] = report.metric;
  j["count"] = s.overall.count;
  j["ex"] = s.overall.ex();
  if (ves) j["ves"] = s.overall.ves();
  j["correct"] = s.overall.correct;
  j["errors"] = s.overall.errors;
  j["timeouts"] = s.overall.timeouts;
  auto& diff = j["by_difficulty"] = nlohmann::ordered_json::object();
  for (const auto& b : s.by_difficulty) diff[b.name] = bucket_json(b, ves);
  auto& dbs = j["by_database"] = nlohmann::ordered_json::object();
  for (const auto& b : s.by_database) dbs[b.name] = bucket_json(b, ves);
  auto& opts = j["options"];
  opts["dataset"] = report.dataset_path;
  opts["predictions"] = report.predictions_path;
  opts["db_root"] = report.db_root;
  opts["timeout_s"] = report.timeout_seconds;
  if (report.metric == "spider-ex") opts["keep_distinct"] = report.keep_distinct;
  if (ves) opts["ves_iterations"] = report.ves_iterations;
  auto& st = j["stats"];
  st["wall_s"] = report.stats.wall_seconds;
  st["queries"] = report.stats.queries;
  st["distinct_queries"] = report.stats.distinct_queries;
  st["cache_hits"] = report.stats.cache_hits;
  st["executed"] = report.stats.executed;
  st["execute_s"] = report.stats.execute_seconds;
  if (ves) st["ves_s"] = report.stats.ves_seconds;
  if (report.stats.translated_gold + report.stats.translated_predictions > 0) {
    st["translated_gold"] = report.stats.translated_gold;
    st["translated_predictions"] = report.stats.translated_predictions;
  }
  st["cache"] = report.stats.cache_path.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(report.stats.cache_path);
  j["warnings"] = report.warnings;
  auto& items = j["items"] = nlohmann::ordered_json::array();
  for (const auto& item : report.items) {
    nlohmann::ordered_json it;
    it["index"] = item.index;
    it["question_id"] = item.question_id ? nlohmann::ordered_json(*item.question_id) : nlohmann::ordered_json();
    it["db_id"] = item.db_id;
    it["difficulty"] = item.difficulty.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(item.difficulty);
    it["correct"] = item.correct;
    it["error"] = item.error ? nlohmann::ordered_json(*item.error) : nlohmann::ordered_json();
    it["timeout"] = item.timeout;
    if (ves) {
      it["reward"] = item.reward;
      it["time_ratio"] = item.time_ratio;
    }
    it["gold_sql"] = item.gold_sql;
    it["pred_sql"] = item.pred_sql;
    items.push_back(std::move(it));
  }
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void print_summary(const EvalReport& report, std::FILE* out) {
  const bool ves = report.metric == "ves";
  const Summary s = summarize(report);
  auto row = [&](const Bucket& b) {
    std::string line = fmt::format("  {:<28} {:>7} {:>8} {:>8.2f}", b.name, b.count, b.correct, b.ex());
    if (ves) line += fmt::format(" {:>8.2f}", b.ves());
    line += fmt::format(" {:>7} {:>9}\n", b.errors, b.timeouts);
    std::fputs(line.c_str(), out);
  };
  std::string header = fmt::format("  {:<28} {:>7} {:>8} {:>8}", "", "count", "correct", "EX %");
  if (ves) header += fmt::format(" {:>8}", "R-VES");
  header += fmt::format(" {:>7} {:>9}\n", "errors", "timeouts");
  std::fprintf(out, "%s: %zu items, predictions %s\n", report.metric.c_str(), s.overall.count,
               report.predictions_path.c_str());
  std::fputs(header.c_str(), out);
  if (!s.by_difficulty.empty()) {
    for (const auto& b : s.by_difficulty) row(b);
  }
  row(s.overall);
  if (s.by_database.size() > 1) {
    std::fprintf(out, "by database (%zu):\n", s.by_database.size());
    for (const auto& b : s.by_database) row(b);
  }
  const auto& st = report.stats;
  std::fprintf(out,
               "queries: %zu asked, %zu distinct, %zu from cache, %zu executed in %.2f s; wall %.2f s (%.1f items/s)\n",
               st.queries, st.distinct_queries, st.cache_hits, st.executed, st.execute_seconds, st.wall_seconds,
               st.wall_seconds > 0 ? static_cast<double>(s.overall.count) / st.wall_seconds : 0.0);
  if (st.translated_gold + st.translated_predictions > 0) {
    std::fprintf(out, "translated into the server's dialect: %zu gold queries, %zu predictions\n", st.translated_gold,
                 st.translated_predictions);
  }
  for (const auto& w : report.warnings) std::fprintf(out, "warning: %s\n", w.c_str());
}

}  // namespace askguru::eval
