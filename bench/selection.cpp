// bench_selection: selection accuracy against the pool upper bound on candidate pools
// built from Spider training questions, so that a largest-cluster rule cannot look perfect.
//
//   build/bench/bench_selection [--data DIR] [--questions N] [--jobs N] [--judge-accuracy P]
//
// For each question (spread evenly over train.json) the gold SQL is mutated (sql/mutate.h:
// hard negatives that parse and bind) and executed; mutants whose result differs from the
// gold's, with pairwise different results, are the wrong answers W1, W2, W3. Pools of five
// candidates (the gold's two spellings G, G' share one result), shuffled per question so that
// the generator rank says nothing about correctness:
//   unanimous  G G' G G' G        every candidate agrees: the fast path
//   majority   G G' G  W1 W2      the gold cluster is the largest
//   tie        G G' W1 W1 W2      the gold cluster ties with a wrong one
//   minority   G W1 W1 W1 W2      a wrong cluster is the largest
//   absent     W1 W1 W2 W3 W3     no candidate is right: the upper bound is 0
// Each composition runs through pipeline::evaluate_pools (official spider-ex scoring) with
// the deterministic rule, then with a tournament judged by the scripted LLM server acting as
// a selector that is right with probability P (default 0.8) whenever the gold cluster is in
// the pair (coin flip otherwise), then with the same judge but no tournament when the largest
// cluster holds a strict majority of the candidates (SelectionOptions::majority_threshold 0.5). The gold-equivalent candidates carry a /*gold*/ comment for
// the scripted judge to see; comments change neither results nor canonical token counts.
// Prints, per composition and rule: upper bound, selection accuracy, its share of the bound,
// the fast-path share, selector calls per question and selection time per question
// (clustering + selection, execution excluded).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "askguru/db/connection.h"
#include "askguru/eval/dataset.h"
#include "askguru/llm/client.h"
#include "askguru/llm/prompt_template.h"
#include "askguru/llm/scripted_server.h"
#include "askguru/pipeline/pool_eval.h"
#include "askguru/sql/mutate.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace {

using namespace askguru;
namespace fs = std::filesystem;

std::string one_line(std::string s) {
  for (char& ch : s) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  return s;
}

struct PoolSource {
  size_t example = 0;
  std::string gold, gold2;           // two spellings of the gold query
  std::vector<std::string> wrong;    // three mutants with distinct, non-gold results
};

}  // namespace

int main(int argc, char** argv) {
  std::string data = std::string(ASKGURU_SHARED_DATA_DIR) + "/spider_train";
  size_t questions = 300, jobs = 0;
  double judge_accuracy = 0.8;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_selection: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data") data = next();
    else if (a == "--questions") questions = std::stoul(next());
    else if (a == "--jobs") jobs = std::stoul(next());
    else if (a == "--judge-accuracy") judge_accuracy = std::stod(next());
    else {
      std::fprintf(stderr, "usage: bench_selection [--data DIR] [--questions N] [--jobs N] [--judge-accuracy P]\n");
      return 2;
    }
  }
  auto ds = eval::load_dataset(data + "/train.json");
  if (!ds.ok()) {
    std::fprintf(stderr, "bench_selection: %s (no shared data?)\n", ds.error().c_str());
    return 1;
  }
  const std::string db_root = data + "/database";

  // 1. Pools: gold, its canonical spelling, and three wrong mutants per question.
  const auto build_start = std::chrono::steady_clock::now();
  std::map<std::string, std::unique_ptr<db::Connection>> conns;
  std::map<std::string, catalog::Catalog> catalogs;
  std::vector<PoolSource> sources;
  const size_t stride = std::max<size_t>(1, ds->examples.size() / (questions * 2));
  size_t tried = 0;
  db::QueryOptions qo;
  qo.timeout = std::chrono::milliseconds(3000);
  qo.max_rows = std::nullopt;
  for (size_t q = 0; q < ds->examples.size() && sources.size() < questions; q += stride) {
    const eval::Example& ex = ds->examples[q];
    ++tried;
    if (!conns.count(ex.db_id)) {
      auto conn = db::open_connection(db_root + "/" + ex.db_id + "/" + ex.db_id + ".sqlite");
      if (!conn.ok()) continue;
      auto cat = (*conn)->introspect();
      if (!cat.ok()) continue;
      catalogs[ex.db_id] = std::move(*cat);
      conns[ex.db_id] = std::move(*conn);
    }
    db::Connection& conn = *conns[ex.db_id];
    auto ast = sql::parse(ex.gold_sql, Dialect::kSqlite);
    if (!ast.ok()) continue;
    auto gold_rows = conn.execute(ex.gold_sql, qo);
    if (!gold_rows.ok()) continue;
    const bool gold_orders = ast->query() && !ast->query()->order_by.empty();
    sql::MutateOptions mo;
    mo.seed = q + 1;
    mo.max_mutants = 12;
    auto mutants = sql::mutate(*ast, catalogs[ex.db_id], mo);
    if (!mutants.ok()) continue;
    PoolSource src;
    src.example = q;
    src.gold = one_line(ex.gold_sql);
    src.gold2 = one_line(sql::canonical(*ast));
    std::vector<db::ResultSet> kept;
    for (const sql::Mutant& m : *mutants) {
      if (src.wrong.size() == 3) break;
      auto rows = conn.execute(m.sql, qo);
      if (!rows.ok()) continue;
      auto mast = sql::parse(m.sql, Dialect::kSqlite);
      const bool orders = mast.ok() && mast->query() && !mast->query()->order_by.empty();
      if (pipeline::same_result(*gold_rows, *rows, gold_orders && orders)) continue;
      if (pipeline::same_result(*gold_rows, *rows, false)) continue;  // the metric may ignore order
      bool distinct = true;
      for (const db::ResultSet& k : kept) distinct = distinct && !pipeline::same_result(k, *rows, false);
      if (!distinct) continue;
      kept.push_back(std::move(*rows));
      src.wrong.push_back(one_line(m.sql));
    }
    if (src.wrong.size() == 3) sources.push_back(std::move(src));
  }
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
  std::printf("bench_selection: %zu questions with 3 distinct wrong mutants (of %zu tried, stride %zu), pools built "
              "in %.1f s\n",
              sources.size(), tried, stride, build_s);
  if (sources.empty()) return 1;

  eval::Dataset subset;
  subset.format = ds->format;
  subset.path = ds->path;
  for (const PoolSource& s : sources) subset.examples.push_back(ds->examples[s.example]);

  // 2. Compositions: slot strings name which SQL goes in each of the five places.
  struct Composition {
    const char* name;
    std::vector<int> slots;  // 0: gold, 1: gold2, 2..4: wrong[0..2]
  };
  const std::vector<Composition> compositions = {
      {"unanimous", {0, 1, 0, 1, 0}},
      {"majority", {0, 1, 0, 2, 3}},
      {"tie", {0, 1, 2, 2, 3}},
      {"minority", {0, 2, 2, 2, 3}},
      {"absent", {2, 2, 3, 4, 4}},
  };

  // The scripted judge.
  const std::string yaml = fmt::format(R"(seed: 7
rules:
  - match: {{regex: 'A: [^\n]*/\*gold\*/'}}
    probability: {0}
    reply: {{text: '{{"answer": "A"}}'}}
  - match: {{regex: 'A: [^\n]*/\*gold\*/'}}
    reply: {{text: '{{"answer": "B"}}'}}
  - match: {{regex: 'B: [^\n]*/\*gold\*/'}}
    probability: {0}
    reply: {{text: '{{"answer": "B"}}'}}
  - match: {{regex: 'B: [^\n]*/\*gold\*/'}}
    reply: {{text: '{{"answer": "A"}}'}}
  - probability: 0.5
    reply: {{text: '{{"answer": "A"}}'}}
  - reply: {{text: '{{"answer": "B"}}'}}
)",
                                       judge_accuracy);
  auto server = llm::ScriptedServer::start_yaml(yaml);
  if (!server.ok()) {
    std::fprintf(stderr, "bench_selection: scripted server: %s\n", server.error().c_str());
    return 1;
  }
  llm::EndpointConfig e;
  e.name = "scripted-judge";
  e.base_url = (*server)->base_url();
  e.model = "judge";
  e.max_concurrency = 64;
  auto judge = llm::LlmClient::create(e);
  auto prompts = llm::PromptLibrary::load_embedded();
  if (!judge.ok() || !prompts.ok()) {
    std::fprintf(stderr, "bench_selection: judge setup failed\n");
    return 1;
  }
  (void)prompts->add("select_pairwise_bench", "A: {{sql_a}}\nB: {{sql_b}}\n");

  std::printf("\n%-10s %-13s %7s %9s %9s %9s %8s %9s\n", "pool", "rule", "bound%", "select%", "of bound", "fast%",
              "calls/q", "ms/q");
  std::mt19937_64 rng(2026);
  for (const Composition& comp : compositions) {
    std::vector<std::vector<std::string>> pools(5, std::vector<std::string>(sources.size()));
    for (size_t q = 0; q < sources.size(); ++q) {
      const PoolSource& s = sources[q];
      std::vector<int> slots = comp.slots;
      std::shuffle(slots.begin(), slots.end(), rng);
      for (size_t g = 0; g < 5; ++g) {
        const int k = slots[g];
        pools[g][q] = k == 0 ? s.gold + " /*gold*/" : k == 1 ? s.gold2 + " /*gold*/" : s.wrong[static_cast<size_t>(k - 2)];
      }
    }
    for (int mode = 0; mode < 3; ++mode) {
      const bool with_judge = mode > 0;
      pipeline::PoolEvalOptions options;
      options.eval.metric = eval::Metric::kSpiderEx;
      options.eval.db_root = db_root;
      options.eval.jobs = jobs;
      options.eval.timeout_s = 10;
      options.eval.use_cache = true;
      options.eval.cache_dir = (fs::temp_directory_path() / "askguru_bench_selection_cache").string();
      options.eval.quiet = true;
      if (with_judge) {
        options.selector = judge->get();
        options.prompts = &*prompts;
        options.selection.prompt = "select_pairwise_bench";
        if (mode == 2) options.selection.majority_threshold = 0.5;
      }
      auto report = pipeline::evaluate_pools(subset, {"g0", "g1", "g2", "g3", "g4"}, pools, options);
      if (!report.ok()) {
        std::fprintf(stderr, "bench_selection: %s\n", report.error().c_str());
        return 1;
      }
      const auto& r = *report;
      std::printf("%-10s %-13s %7.2f %9.2f %9s %9.2f %8.2f %9.3f\n", comp.name,
                  mode == 0   ? "deterministic"
                  : mode == 1 ? fmt::format("judge p={:.2f}", judge_accuracy).c_str()
                              : "judge+maj0.5", r.bound(),
                  r.accuracy(), r.upper_bound ? fmt::format("{:.2f}%", r.relative()).c_str() : "n/a",
                  r.share(pipeline::SelectionRule::kFastPath),
                  static_cast<double>(r.selector_calls) / static_cast<double>(r.questions),
                  1000.0 * r.select_seconds / static_cast<double>(r.questions));
      std::fflush(stdout);
    }
  }
  (*server)->stop();
  return 0;
}
