// bench_pipeline: the whole pipeline on Spider training questions against the
// scripted LLM server with a fixed latency per call.
//
// Per question the server answers from rules keyed on the question's text:
//   keywords  {"keywords": [], "values": []}
//   linking   the columns the gold SQL uses (from its analysis)
//   gen-a     the gold SQL
//   gen-b     the gold SQL for even questions, a mutant of it for odd ones (so about
//             half the questions go to the tournament, half take the fast path)
//   fixer     the gold SQL (asked when a mutant fails or returns no rows)
//   selector  {"answer": "B"} on every other comparison, else "A"
// The server runs in a child process (`askguru llm-serve`), so getrusage(RUSAGE_SELF)
// over the run is askguru's own CPU time, LLM waits excluded.
//
// Prints, per question: wall time / critical-path latency of its LLM calls (the
// union of the calls' in-flight intervals: the stages wait for each other), calls,
// and askguru's CPU time; and the answers' EX as a sanity check.
//
//   bench_pipeline [--data ../shared/data] [--questions 100] [--latency-ms 200] [--concurrency 8]
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <nlohmann/json.hpp>

#include "askguru/common/thread_pool.h"
#include "askguru/eval/dataset.h"
#include "askguru/eval/metrics.h"
#include "askguru/guard/review.h"
#include "askguru/pipeline/pipeline.h"
#include "askguru/sql/mutate.h"
#include "askguru/sql/parser.h"
#include "child_server.h"

namespace {

using namespace askguru;
namespace fs = std::filesystem;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// One scripted rule: `model` requests whose text contains every string of `contains`.
std::string rule(const std::string& model, const std::vector<std::string>& contains, const std::string& text,
                 int latency_ms) {
  nlohmann::json r = {{"match", {{"model", model}, {"contains", contains}}},
                      {"reply", {{"text", text}, {"latency_ms", latency_ms}}}};
  return "  - " + r.dump() + "\n";
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  size_t questions = 100;
  int latency_ms = 200;
  size_t concurrency = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
    if (!std::strcmp(argv[i], "--questions")) questions = std::strtoul(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--latency-ms")) latency_ms = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--concurrency")) concurrency = std::strtoul(argv[i + 1], nullptr, 10);
  }
  const std::string spider = data + "/spider_train";
  auto dataset = eval::load_dataset(spider + "/train.json");
  if (!dataset.ok()) {
    std::fprintf(stderr, "bench_pipeline: %s (give --data DIR with spider_train/)\n", dataset.error().c_str());
    return 1;
  }
  // Questions spread over the databases: every k-th one.
  eval::Dataset picked;
  picked.format = dataset->format;
  const size_t step = std::max<size_t>(1, dataset->examples.size() / questions);
  for (size_t i = 0; i < dataset->examples.size() && picked.examples.size() < questions; i += step) {
    const eval::Example& e = dataset->examples[i];
    if (fs::exists(spider + "/database/" + e.db_id + "/" + e.db_id + ".sqlite")) picked.examples.push_back(e);
  }

  const fs::path work = fs::temp_directory_path() / fmt::format("askguru_bench_pipeline_{}", getpid());
  fs::create_directories(work);
  index::ArtifactOptions artifact_options;
  artifact_options.root = (work / "artifacts").string();
  std::map<std::string, std::unique_ptr<pipeline::Database>> databases;
  std::string script = "rules:\n";
  script += rule("fast", {"Extract what is needed"}, R"({"keywords": [], "values": []})", latency_ms);
  // The selector answers B on every other comparison, so selection is not always the first cluster.
  script += "  - {match: {model: fast, contains: [\"Decide which one\"]}, every: 2, reply: {text: '{\"answer\": \"B\"}', "
            "latency_ms: " + std::to_string(latency_ms) + "}}\n";
  script += rule("fast", {"Decide which one"}, R"({"reason": "scripted", "answer": "A"})", latency_ms);
  size_t mutated = 0;
  for (size_t i = 0; i < picked.examples.size(); ++i) {
    const eval::Example& e = picked.examples[i];
    auto& db = databases[e.db_id];
    if (!db) {
      auto opened =
          pipeline::Database::open(spider + "/database/" + e.db_id + "/" + e.db_id + ".sqlite", artifact_options);
      if (!opened.ok()) {
        std::fprintf(stderr, "bench_pipeline: %s: %s\n", e.db_id.c_str(), opened.error().c_str());
        return 1;
      }
      db = std::move(*opened);
    }
    const catalog::Catalog& catalog = db->artifacts().catalog();
    guard::Review review = guard::review(e.gold_sql, catalog, guard::default_policy(), {Dialect::kSqlite, false});
    nlohmann::json link = {{"tables", nlohmann::json::array()}, {"columns", review.analysis.columns}};
    std::string second = e.gold_sql;
    if (i % 2 == 1) {
      auto ast = sql::parse(e.gold_sql, Dialect::kSqlite);
      auto mutants = ast.ok() ? sql::mutate(*ast, catalog, {static_cast<uint64_t>(i + 1), 1, {}})
                              : Result<std::vector<sql::Mutant>>(ast.status());
      if (mutants.ok() && !mutants->empty()) {
        second = mutants->front().sql;
        ++mutated;
      }
    }
    const std::string gold = "```sql\n" + e.gold_sql + "\n```";
    script += rule("fast", {"Repair it", e.question}, gold, latency_ms);
    script += rule("fast", {"Select the tables and columns", e.question}, link.dump(), latency_ms);
    script += rule("a", {e.question}, gold, latency_ms);
    script += rule("b", {e.question}, "```sql\n" + second + "\n```", latency_ms);
  }
  const std::string script_path = (work / "script.yaml").string();
  std::ofstream(script_path) << script;
  bench::ChildServer server;
  if (!bench::ChildServer::start(ASKGURU_BINARY, script_path, &server)) {
    std::fprintf(stderr, "bench_pipeline: could not start %s llm-serve\n", ASKGURU_BINARY);
    return 1;
  }
  std::string yaml = "endpoints:\n";
  for (const char* model : {"fast", "a", "b"}) {
    yaml += fmt::format("  - {{name: {}, kind: openai, base_url: {}, model: {}, max_concurrency: 64}}\n", model,
                        server.url, model);
  }
  yaml += R"(grounding: {keywords_endpoint: fast}
linking: {endpoint: fast, passes: 1}
generators:
  - {name: standard, endpoint: a, style: standard, schemas: [S1]}
  - {name: reasoning, endpoint: b, style: reasoning, schemas: [S2]}
fixer: {endpoint: fast, max_attempts_per_candidate: 1}
selection: {selector: fast}
)";
  auto config = pipeline::PipelineConfig::from_yaml(yaml, "bench");
  if (!config.ok()) {
    std::fprintf(stderr, "bench_pipeline: %s\n", config.error().c_str());
    return 1;
  }
  auto p = pipeline::Pipeline::create(std::move(*config));
  if (!p.ok()) {
    std::fprintf(stderr, "bench_pipeline: %s\n", p.error().c_str());
    return 1;
  }

  const size_t n = picked.examples.size();
  std::vector<pipeline::Answer> answers(n);
  const double cpu_before = cpu_seconds();
  const auto wall_before = std::chrono::steady_clock::now();
  {
    ThreadPool pool(concurrency);
    std::vector<std::future<void>> done;
    for (size_t i = 0; i < n; ++i) {
      done.push_back(pool.submit([&, i] {
        const eval::Example& e = picked.examples[i];
        answers[i] = (*p)->ask(pipeline::Question{e.question, e.evidence, {}}, *databases[e.db_id]);
      }));
    }
    for (auto& f : done) f.get();
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  const double cpu = cpu_seconds() - cpu_before;

  std::vector<double> ratios, busy, elapsed;
  size_t calls = 0, fast = 0, failed_calls = 0, ok = 0;
  std::vector<std::string> predictions;
  for (const pipeline::Answer& a : answers) {
    pipeline::TraceTotals t = a.trace->totals();
    calls += t.calls;
    failed_calls += t.failed_calls;
    fast += a.selection.fast_path ? 1 : 0;
    ok += a.status.ok() ? 1 : 0;
    if (t.llm_busy_ms > 0) ratios.push_back(a.elapsed_ms / t.llm_busy_ms);
    busy.push_back(t.llm_busy_ms);
    elapsed.push_back(a.elapsed_ms);
    predictions.push_back(a.sql);
  }
  eval::EvalOptions eval_options;
  eval_options.db_root = spider + "/database";
  eval_options.use_cache = false;
  eval_options.quiet = true;
  auto report = eval::evaluate(picked, predictions, eval_options, "bench");
  size_t correct = 0;
  if (report.ok()) {
    for (const auto& item : report->items) correct += item.correct ? 1 : 0;
  }

  std::printf("bench_pipeline: %zu Spider train questions over %zu databases, %d ms per LLM call, %zu in flight\n", n,
              databases.size(), latency_ms, concurrency);
  std::printf("  lineup: keywords + linking (1 pass) + 2 generators + fixer + selector; %zu of %zu second candidates mutated\n",
              mutated, n);
  std::printf("  answered %zu, fast path %zu (%.0f%%), LLM calls %.2f per question (%zu failed)\n", ok, fast,
              100.0 * static_cast<double>(fast) / static_cast<double>(n), static_cast<double>(calls) / static_cast<double>(n),
              failed_calls);
  std::printf("  wall / critical path of LLM calls: mean %.3f, p50 %.3f, p95 %.3f\n",
              ratios.empty() ? 0.0 : std::accumulate(ratios.begin(), ratios.end(), 0.0) / static_cast<double>(ratios.size()),
              percentile(ratios, 50), percentile(ratios, 95));
  std::printf("  per question: wall p50 %.0f ms, p95 %.0f ms; critical path p50 %.0f ms\n", percentile(elapsed, 50),
              percentile(elapsed, 95), percentile(busy, 50));
  std::printf("  askguru CPU time: %.2f ms per question (server in a child process; %.2f s in all, %.2f s wall)\n",
              1000.0 * cpu / static_cast<double>(n), cpu, wall);
  std::printf("  EX of the answers: %.1f%% (%zu/%zu)\n", 100.0 * static_cast<double>(correct) / static_cast<double>(n),
              correct, n);
  std::error_code ec;
  fs::remove_all(work, ec);
  return 0;
}
