// Throughput of the SQL analyses on one core over the Spider training gold queries:
// analyse, normalize, skeleton and mutate (up to 8 mutants each), plus figures about
// their output (warnings by kind, distinct normal forms and skeletons, mutants by kind).
//
//   build/bench/bench_sql_analysis [--data DIR] [--rounds N]
//
// DIR defaults to ../shared/data. Catalogs are introspected once, outside the timed loops;
// queries that do not parse or have no database are left out. Times are CPU time of the
// calling thread (RUSAGE_THREAD).
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/db/connection.h"
#include "askguru/eval/dataset.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/mutate.h"
#include "askguru/sql/normalize.h"
#include "askguru/sql/parser.h"

namespace {

using namespace askguru;

double thread_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

template <typename Fn>
double cpu_rounds(int rounds, Fn&& one_round) {
  const double t0 = thread_cpu_seconds();
  for (int r = 0; r < rounds; ++r) one_round();
  return thread_cpu_seconds() - t0;
}

void report(const char* phase, size_t n, int rounds, double cpu) {
  const double total = static_cast<double>(n) * rounds;
  std::printf("%-12s %8zu %12.0f %10.2f\n", phase, n, total / cpu, 1e6 * cpu / total);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  int rounds = 3;
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
    std::fprintf(stderr, "bench_sql_analysis: %s\n", dataset.error().c_str());
    return 1;
  }
  std::map<std::string, catalog::Catalog> catalogs;
  std::vector<sql::Ast> asts;
  std::vector<const catalog::Catalog*> cats;
  for (const auto& example : dataset->examples) {
    if (!catalogs.count(example.db_id)) {
      auto connection = db::open_connection(spider + "/database/" + example.db_id + "/" + example.db_id + ".sqlite");
      if (!connection.ok()) continue;
      db::IntrospectOptions options;
      options.sample_values = 0;
      options.count_rows = false;
      auto catalog = (*connection)->introspect(options);
      if (!catalog.ok()) continue;
      catalogs.emplace(example.db_id, std::move(*catalog));
    }
    auto ast = sql::parse(example.gold_sql, Dialect::kSqlite);
    if (!ast.ok()) continue;
    asts.push_back(std::move(*ast));
    cats.push_back(&catalogs.at(example.db_id));
  }
  std::printf("askguru SQL analyses, one core: %zu Spider train gold queries with a database, %d rounds\n\n",
              asts.size(), rounds);
  std::printf("%-12s %8s %12s %10s\n", "phase", "queries", "q/s (cpu)", "us/query");

  std::map<std::string, size_t> diagnostics;
  double t = cpu_rounds(rounds, [&] {
    diagnostics.clear();
    for (size_t i = 0; i < asts.size(); ++i) {
      auto a = sql::analyze(asts[i], *cats[i]);
      if (!a.ok()) continue;
      for (const auto& d : a->diagnostics) {
        ++diagnostics[(d.severity == sql::Diagnostic::Severity::kError ? "error " : "warning ") + d.kind];
      }
    }
  });
  report("analyse", asts.size(), rounds, t);

  std::set<std::string> normal_forms, skeletons, masked;
  t = cpu_rounds(rounds, [&] {
    for (size_t i = 0; i < asts.size(); ++i)
      normal_forms.insert(sql::normalize(asts[i], sql::NormalizeOptions{cats[i]}));
  });
  report("normalize", asts.size(), rounds, t);
  t = cpu_rounds(rounds, [&] {
    for (size_t i = 0; i < asts.size(); ++i) {
      sql::SkeletonOptions o;
      o.catalog = cats[i];
      skeletons.insert(sql::skeleton(asts[i], o));
    }
  });
  report("skeleton", asts.size(), rounds, t);
  t = cpu_rounds(rounds, [&] {
    for (size_t i = 0; i < asts.size(); ++i) {
      sql::SkeletonOptions o;
      o.mask_columns = true;
      masked.insert(sql::skeleton(asts[i], o));
    }
  });
  report("skeleton -c", asts.size(), rounds, t);

  std::map<std::string, size_t> mutants;
  size_t total_mutants = 0;
  t = cpu_rounds(1, [&] {
    for (size_t i = 0; i < asts.size(); ++i) {
      sql::MutateOptions o;
      o.seed = i;
      auto m = sql::mutate(asts[i], *cats[i], o);
      if (!m.ok()) continue;
      for (const auto& x : *m) {
        ++mutants[std::string(sql::mutation_kind_name(x.kind))];
        ++total_mutants;
      }
    }
  });
  report("mutate (x8)", asts.size(), 1, t);

  std::printf("\ndiagnostics:");
  for (const auto& [k, n] : diagnostics) std::printf(" %s %zu;", k.c_str(), n);
  std::printf("\ndistinct: %zu normal forms, %zu skeletons, %zu skeletons with columns masked\n", normal_forms.size(),
              skeletons.size(), masked.size());
  std::printf("mutants: %zu (%.2f per query):", total_mutants,
              static_cast<double>(total_mutants) / static_cast<double>(asts.size()));
  for (const auto& [k, n] : mutants) std::printf(" %s %zu;", k.c_str(), n);
  std::printf("\n");
  return 0;
}
