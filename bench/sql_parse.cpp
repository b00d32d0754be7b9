// Throughput of the SQL front end on one core: parse, print (canonical and transpiled to
// Oracle) and analyse every gold query of the Spider training set, plus peak memory.
//
//   build/bench/bench_sql_parse [--data DIR] [--rounds N]
//
// DIR defaults to ../shared/data; the queries are DIR/spider_train/train.json and the
// catalogs come from DIR/spider_train/database/<db_id>/<db_id>.sqlite (introspected once,
// outside the timed loops). Each phase runs the whole set `rounds` times (default 20) on
// the calling thread and reports queries/s from CPU time (RUSAGE_THREAD) and from wall
// time. Queries that do not parse are counted and left out of the later phases.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/db/connection.h"
#include "askguru/eval/dataset.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace {

using namespace askguru;

double thread_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

struct Timing {
  double cpu = 0;
  double wall = 0;
};

template <typename Fn>
Timing time_rounds(int rounds, Fn&& one_round) {
  const double cpu0 = thread_cpu_seconds();
  const auto wall0 = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) one_round();
  return {thread_cpu_seconds() - cpu0,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count()};
}

void report(const char* phase, size_t per_round, int rounds, const Timing& t, const std::string& extra = "") {
  const double n = static_cast<double>(per_round) * rounds;
  std::printf("%-18s %9zu %10.0f %10.0f %9.2f %s\n", phase, per_round, n / t.cpu, n / t.wall, 1e6 * t.cpu / n,
              extra.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  int rounds = 20;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
      data = argv[++i];
    } else if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--data DIR] [--rounds N]\n", argv[0]);
      return 2;
    }
  }
  const std::string spider = data + "/spider_train";
  auto dataset = eval::load_dataset(spider + "/train.json");
  if (!dataset.ok()) {
    std::fprintf(stderr, "bench_sql_parse: %s\n", dataset.error().c_str());
    return 1;
  }
  std::vector<std::string> queries;
  std::vector<std::string> db_ids;
  size_t bytes = 0;
  for (const auto& example : dataset->examples) {
    queries.push_back(example.gold_sql);
    db_ids.push_back(example.db_id);
    bytes += example.gold_sql.size();
  }
  const long rss_loaded = peak_rss_kib();

  // Catalogs, outside the timed loops.
  std::map<std::string, catalog::Catalog> catalogs;
  for (const auto& db_id : db_ids) {
    if (catalogs.count(db_id)) continue;
    auto connection = db::open_connection(spider + "/database/" + db_id + "/" + db_id + ".sqlite");
    if (!connection.ok()) continue;
    db::IntrospectOptions options;
    options.sample_values = 0;
    options.count_rows = false;
    auto catalog = (*connection)->introspect(options);
    if (catalog.ok()) catalogs.emplace(db_id, std::move(*catalog));
  }

  std::printf("askguru SQL front end, one core: %zu Spider train gold queries (%.1f KiB), %d rounds\n\n",
              queries.size(), bytes / 1024.0, rounds);
  std::printf("%-18s %9s %10s %10s %9s\n", "phase", "queries", "q/s (cpu)", "q/s (wall)", "us/query");

  // Parse.
  size_t parse_errors = 0;
  Timing parse_time = time_rounds(rounds, [&] {
    parse_errors = 0;
    for (const auto& sql : queries) {
      auto ast = sql::parse(sql, Dialect::kSqlite);
      if (!ast.ok()) ++parse_errors;
    }
  });
  const double mib_per_s = static_cast<double>(bytes) * rounds / parse_time.cpu / (1024.0 * 1024.0);
  char extra[128];
  std::snprintf(extra, sizeof(extra), "%.1f MiB/s, %zu errors", mib_per_s, parse_errors);
  report("parse", queries.size(), rounds, parse_time, extra);

  // Keep the ASTs for the later phases.
  std::vector<sql::Ast> asts;
  std::vector<const catalog::Catalog*> ast_catalogs;
  for (size_t i = 0; i < queries.size(); ++i) {
    auto ast = sql::parse(queries[i], Dialect::kSqlite);
    if (!ast.ok()) continue;
    asts.push_back(std::move(*ast));
    auto it = catalogs.find(db_ids[i]);
    ast_catalogs.push_back(it == catalogs.end() ? nullptr : &it->second);
  }
  const long rss_parsed = peak_rss_kib();

  size_t printed_bytes = 0;
  Timing canonical_time = time_rounds(rounds, [&] {
    printed_bytes = 0;
    for (const auto& ast : asts) printed_bytes += sql::canonical(ast).size();
  });
  report("print canonical", asts.size(), rounds, canonical_time);

  Timing oracle_time = time_rounds(rounds, [&] {
    for (const auto& ast : asts) printed_bytes += sql::print(ast, {.dialect = Dialect::kOracle}).size();
  });
  report("print oracle", asts.size(), rounds, oracle_time);

  size_t analysed = 0, with_errors = 0;
  Timing analyse_time = time_rounds(rounds, [&] {
    analysed = with_errors = 0;
    for (size_t i = 0; i < asts.size(); ++i) {
      if (ast_catalogs[i] == nullptr) continue;
      auto analysis = sql::analyze(asts[i], *ast_catalogs[i]);
      ++analysed;
      if (!analysis.ok() || analysis->has_errors()) ++with_errors;
    }
  });
  std::snprintf(extra, sizeof(extra), "%zu with error diagnostics", with_errors);
  report("analyse", analysed, rounds, analyse_time, extra);

  Timing round_trip_time = time_rounds(rounds, [&] {
    for (const auto& sql_text : queries) {
      auto ast = sql::parse(sql_text, Dialect::kSqlite);
      if (ast.ok()) printed_bytes += sql::canonical(*ast).size();
    }
  });
  report("parse+canonical", queries.size(), rounds, round_trip_time);

  std::printf("\npeak RSS: %.1f MiB (%.1f MiB with the queries and catalogs loaded, %.1f MiB with all %zu ASTs held)\n",
              peak_rss_kib() / 1024.0, rss_loaded / 1024.0, rss_parsed / 1024.0, asts.size());
  return printed_bytes == 0 ? 1 : 0;
}
