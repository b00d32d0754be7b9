// bench_join_candidates: how well the join discovery of the profiler (profile/
// join_candidates.h) finds the joins a database really has, over Spider's training
// split and BIRD's student_club (../shared/data).
//
// Ground truth per database, as unordered column pairs:
//   - declared foreign keys (the SQLite schema plus tables.json), one pair per column of
//     a key;
//   - gold join pairs: c1 = c2 between columns of two table instances in the gold SQL of
//     the database's questions (JOIN ... ON and WHERE equalities, resolved by
//     sql::analyze(); a column equal to itself is left out).
// Prints, per dataset: recall of declared foreign keys and of gold join pairs (all, and
// those whose two columns hold values, since no data can show an overlap of an empty
// column), recall of the gold pairs weighted by the questions that use them, precision
// against the union of both truths, candidates per database, profiling time and the time
// of find_join_candidates() alone.
//
//   build/bench/bench_join_candidates [--data DIR] [--jobs N] [--limit-dbs N]
//                                     [--artifacts DIR] [--threshold X] [--misses N]
//                                     [--false N] [--db NAME] [--show] [--scale K]
//
// Last, the cost on a large schema: every profiled catalog merged into one (tables
// renamed "<db>__<table>"), K copies of it (--scale, default 1), as one
// find_join_candidates() call.
//
// --show lists every candidate (+ when in the ground truth). --artifacts keeps the profiles in DIR and reuses them on the next run (only
// find_join_candidates() is then rerun); without it a temporary root is used and removed.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/log.h"
#include "askguru/common/text.h"
#include "askguru/common/thread_pool.h"
#include "askguru/eval/dataset.h"
#include "askguru/index/minhash.h"
#include "askguru/profile/artifacts.h"
#include "askguru/profile/join_candidates.h"
#include "askguru/profile/profiler.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/parser.h"

namespace {

using namespace askguru;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Args {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  size_t jobs = 2;
  size_t limit_dbs = 0;
  std::string artifacts;
  double threshold = profile::ProfileOptions{}.join_threshold;
  size_t misses = 0;
  size_t false_positives = 0;
  std::string only_db;
  bool show = false;
  size_t scale = 1;
};

// "t.c" lower case; a pair is its two ends in order.
using Pair = std::pair<std::string, std::string>;

Pair make_pair_key(std::string_view t1, std::string_view c1, std::string_view t2, std::string_view c2) {
  std::string a = text::to_lower(t1) + "." + text::to_lower(c1);
  std::string b = text::to_lower(t2) + "." + text::to_lower(c2);
  if (b < a) std::swap(a, b);
  return {a, b};
}

const catalog::Column* find_column(const catalog::Catalog& c, std::string_view table, std::string_view column) {
  const catalog::Table* t = c.find_table(table);
  return t ? t->find_column(column) : nullptr;
}

const catalog::Column* find_column(const catalog::Catalog& c, const std::string& dotted) {
  size_t dot = dotted.find('.');
  return find_column(c, dotted.substr(0, dot), dotted.substr(dot + 1));
}

bool holds_values(const catalog::Catalog& c, const Pair& p) {
  const catalog::Column* a = find_column(c, p.first);
  const catalog::Column* b = find_column(c, p.second);
  return a && b && a->profile.distinct > 0 && b->profile.distinct > 0;
}

struct Database {
  std::string db_id;
  std::string path;
  std::string tables_json;
  std::string descriptions_dir;
  std::vector<std::string> gold_sql;
  // Filled by the run.
  catalog::Catalog catalog;
  bool ok = false;
  double profile_seconds = 0;
  double join_seconds = 0;
  std::set<Pair> fks;
  std::map<Pair, size_t> gold;  // pair -> questions using it
  size_t sql_failed = 0;
  std::vector<catalog::JoinCandidate> candidates;
};

struct Suite {
  std::string name;
  std::vector<Database> databases;
};

Result<Suite> load_suite(const std::string& name, const fs::path& dir, const std::string& dataset_file,
                         const std::string& db_dir, const std::string& tables_json, const Args& args) {
  Suite suite;
  suite.name = name;
  AG_ASSIGN_OR_RETURN(auto dataset, eval::load_dataset((dir / dataset_file).string()));
  std::map<std::string, std::vector<std::string>> by_db;
  for (const auto& e : dataset.examples) by_db[e.db_id].push_back(e.gold_sql);
  // Every database of the directory, with or without questions.
  std::error_code ec;
  for (const auto& sub : fs::directory_iterator(dir / db_dir, ec)) {
    if (!sub.is_directory()) continue;
    std::string db_id = sub.path().filename().string();
    if (!args.only_db.empty() && db_id != args.only_db) continue;
    fs::path path = sub.path() / (db_id + ".sqlite");
    if (!fs::exists(path)) continue;
    Database d;
    d.db_id = db_id;
    d.path = path.string();
    d.tables_json = (dir / tables_json).string();
    if (fs::is_directory(sub.path() / "database_description")) {
      d.descriptions_dir = (sub.path() / "database_description").string();
    }
    d.gold_sql = by_db[db_id];
    suite.databases.push_back(std::move(d));
  }
  std::sort(suite.databases.begin(), suite.databases.end(),
            [](const Database& a, const Database& b) { return a.db_id < b.db_id; });
  if (args.limit_dbs > 0 && suite.databases.size() > args.limit_dbs) suite.databases.resize(args.limit_dbs);
  return suite;
}

void truth(Database& d) {
  const catalog::Catalog& c = d.catalog;
  for (const auto& fk : c.foreign_keys) {
    for (size_t k = 0; k < fk.from_columns.size() && k < fk.to_columns.size(); ++k) {
      if (!find_column(c, fk.from_table, fk.from_columns[k]) || !find_column(c, fk.to_table, fk.to_columns[k])) continue;
      Pair p = make_pair_key(fk.from_table, fk.from_columns[k], fk.to_table, fk.to_columns[k]);
      if (p.first != p.second) d.fks.insert(p);
    }
  }
  for (const std::string& sql : d.gold_sql) {
    auto ast = sql::parse(sql, Dialect::kSqlite);
    if (!ast.ok()) {
      ++d.sql_failed;
      continue;
    }
    auto analysis = sql::analyze(*ast, c);
    if (!analysis.ok()) {
      ++d.sql_failed;
      continue;
    }
    std::set<Pair> pairs;  // per question
    for (const sql::Equality& e : analysis->equalities) {
      const sql::ColumnUse& l = e.left;
      const sql::ColumnUse& r = e.right;
      if (l.table.empty() || r.table.empty() || l.star || r.star) continue;
      if (!find_column(c, l.table, l.column) || !find_column(c, r.table, r.column)) continue;
      Pair p = make_pair_key(l.table, l.column, r.table, r.column);
      if (p.first == p.second) continue;
      pairs.insert(p);
    }
    for (const Pair& p : pairs) ++d.gold[p];
  }
}

// What the profiles say about a pair (for the miss lists).
std::string describe(const catalog::Catalog& c, const Pair& p) {
  const catalog::Column* a = find_column(c, p.first);
  const catalog::Column* b = find_column(c, p.second);
  if (!a || !b) return "?";
  auto side = [](const catalog::Column* x) {
    const auto& pr = x->profile;
    return fmt::format("{}{} d={} rows={} nulls={} [{}..{}]", pr.value_type, x->primary_key ? " pk" : "", pr.distinct,
                       pr.rows, pr.null_count, pr.min.substr(0, 12), pr.max.substr(0, 12));
  };
  double j = -1;
  if (!a->profile.minhash.empty() && a->profile.minhash.size() == b->profile.minhash.size()) {
    j = index::jaccard_estimate(a->profile.minhash, b->profile.minhash);
  }
  return fmt::format("J={:.2f}  {}: {} ~ {}: {}", j, p.first, side(a), p.second, side(b));
}

struct Totals {
  size_t dbs = 0, fks = 0, fks_found = 0, fks_data = 0, fks_data_found = 0;
  size_t gold = 0, gold_found = 0, gold_data = 0, gold_data_found = 0;
  size_t gold_undeclared = 0, gold_undeclared_found = 0;
  size_t uses = 0, uses_found = 0;
  size_t candidates = 0, candidates_true = 0, candidates_declared_flag = 0, max_candidates = 0;
  size_t sql = 0, sql_failed = 0;
  double profile_seconds = 0, join_seconds = 0, max_join_seconds = 0;
};

void report(Suite& suite, const Args& args) {
  Totals t;
  std::vector<std::string> fk_misses, gold_misses, false_list;
  for (Database& d : suite.databases) {
    if (!d.ok) continue;
    ++t.dbs;
    std::set<Pair> found;
    for (const auto& j : d.candidates) {
      found.insert(make_pair_key(j.from_table, j.from_column, j.to_table, j.to_column));
      t.candidates_declared_flag += j.declared;
    }
    t.candidates += d.candidates.size();
    t.max_candidates = std::max(t.max_candidates, d.candidates.size());
    t.profile_seconds += d.profile_seconds;
    t.join_seconds += d.join_seconds;
    t.max_join_seconds = std::max(t.max_join_seconds, d.join_seconds);
    t.sql += d.gold_sql.size();
    t.sql_failed += d.sql_failed;
    for (const Pair& p : d.fks) {
      bool hit = found.count(p) > 0;
      bool data = holds_values(d.catalog, p);
      ++t.fks;
      t.fks_found += hit;
      t.fks_data += data;
      t.fks_data_found += hit && data;
      if (!hit && data) fk_misses.push_back(d.db_id + ": " + p.first + " = " + p.second + "  " + describe(d.catalog, p));
    }
    for (const auto& [p, uses] : d.gold) {
      bool hit = found.count(p) > 0;
      bool data = holds_values(d.catalog, p);
      ++t.gold;
      t.gold_found += hit;
      t.gold_data += data;
      t.gold_data_found += hit && data;
      if (!d.fks.count(p)) {
        ++t.gold_undeclared;
        t.gold_undeclared_found += hit;
      }
      t.uses += uses;
      t.uses_found += hit ? uses : 0;
      if (!hit && data) {
        gold_misses.push_back(fmt::format("{}: {} = {} ({} questions{})  {}", d.db_id, p.first, p.second, uses,
                                          d.fks.count(p) ? ", declared" : "", describe(d.catalog, p)));
      }
    }
    for (const auto& j : d.candidates) {
      Pair p = make_pair_key(j.from_table, j.from_column, j.to_table, j.to_column);
      bool ok = d.fks.count(p) || d.gold.count(p);
      t.candidates_true += ok;
      if (args.show) {
        std::printf("  %s %s: %s.%s -> %s.%s (containment %.2f, jaccard %.2f, names %.2f%s)\n", ok ? "+" : "-",
                    d.db_id.c_str(), j.from_table.c_str(), j.from_column.c_str(), j.to_table.c_str(),
                    j.to_column.c_str(), j.containment, j.jaccard, j.name_score, j.declared ? ", declared" : "");
      }
      if (!ok) {
        false_list.push_back(fmt::format("{}: {}.{} -> {}.{} (c={:.2f} J={:.2f} n={:.2f})  {}", d.db_id, j.from_table,
                                         j.from_column, j.to_table, j.to_column, j.containment, j.jaccard,
                                         j.name_score, describe(d.catalog, p)));
      }
    }
  }
  auto pct = [](size_t a, size_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
  std::printf("[%s] %zu databases, %zu gold SQL (%zu not analysed), threshold %.2f\n", suite.name.c_str(), t.dbs, t.sql,
              t.sql_failed, args.threshold);
  std::printf("  declared FK pairs:  recall %5.1f%% of %zu; %5.1f%% of the %zu whose columns hold values\n",
              pct(t.fks_found, t.fks), t.fks, pct(t.fks_data_found, t.fks_data), t.fks_data);
  std::printf("  gold join pairs:    recall %5.1f%% of %zu; %5.1f%% of the %zu whose columns hold values; "
              "undeclared %5.1f%% of %zu; by use %5.1f%% of %zu\n",
              pct(t.gold_found, t.gold), t.gold, pct(t.gold_data_found, t.gold_data), t.gold_data,
              pct(t.gold_undeclared_found, t.gold_undeclared), t.gold_undeclared, pct(t.uses_found, t.uses), t.uses);
  std::printf("  candidates:         %zu (%.1f per database, max %zu), %zu marked declared; precision vs FK+gold "
              "%5.1f%%\n",
              t.candidates, t.dbs ? static_cast<double>(t.candidates) / static_cast<double>(t.dbs) : 0.0,
              t.max_candidates, t.candidates_declared_flag, pct(t.candidates_true, t.candidates));
  std::printf("  time:               profiling %.2f s in total; find_join_candidates %.1f ms in total, max %.2f ms\n",
              t.profile_seconds, 1000.0 * t.join_seconds, 1000.0 * t.max_join_seconds);
  for (size_t i = 0; i < fk_misses.size() && i < args.misses; ++i) std::printf("  FK miss: %s\n", fk_misses[i].c_str());
  for (size_t i = 0; i < gold_misses.size() && i < args.misses; ++i) {
    std::printf("  gold miss: %s\n", gold_misses[i].c_str());
  }
  for (size_t i = 0; i < false_list.size() && i < args.false_positives; ++i) {
    std::printf("  false: %s\n", false_list[i].c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (const char* env = std::getenv("ASKGURU_SHARED_DATA")) args.data = env;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_join_candidates: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data") args.data = next();
    else if (a == "--jobs") args.jobs = std::stoul(next());
    else if (a == "--limit-dbs") args.limit_dbs = std::stoul(next());
    else if (a == "--artifacts") args.artifacts = next();
    else if (a == "--threshold") args.threshold = std::stod(next());
    else if (a == "--misses") args.misses = std::stoul(next());
    else if (a == "--false") args.false_positives = std::stoul(next());
    else if (a == "--db") args.only_db = next();
    else if (a == "--show") args.show = true;
    else if (a == "--scale") args.scale = std::stoul(next());
    else {
      std::fprintf(stderr,
                   "usage: bench_join_candidates [--data DIR] [--jobs N] [--limit-dbs N] [--artifacts DIR] "
                   "[--threshold X] [--misses N] [--false N] [--db NAME] [--show] [--scale K]\n");
      return 2;
    }
  }
  log::init("warn");
  std::vector<Suite> suites;
  fs::path data(args.data);
  auto spider = load_suite("spider_train", data / "spider_train", "train.json", "database", "tables.json", args);
  if (spider.ok() && !spider->databases.empty()) suites.push_back(std::move(*spider));
  auto bird = load_suite("bird_student_club", data / "bird_student_club", "dev.json", "databases", "dev_tables.json", args);
  if (bird.ok() && !bird->databases.empty()) suites.push_back(std::move(*bird));
  if (suites.empty()) {
    std::fprintf(stderr, "no datasets under %s (set --data or ASKGURU_SHARED_DATA)\n", args.data.c_str());
    return 1;
  }

  const bool temporary = args.artifacts.empty();
  std::string root = temporary ? (fs::temp_directory_path() / fmt::format("askguru_bench_joins_{}", ::getpid())).string()
                               : args.artifacts;
  for (Suite& suite : suites) {
    std::mutex errors_mutex;
    parallel_for(suite.databases.size(), args.jobs, [&](size_t i) {
      Database& d = suite.databases[i];
      profile::ArtifactOptions artifacts;
      artifacts.root = root;
      profile::ProfileOptions options;
      options.jobs = 1;
      options.tables_json = d.tables_json;
      options.descriptions_dir = d.descriptions_dir;
      auto t0 = Clock::now();
      auto catalog = profile::profiled_catalog(d.path, artifacts, options);
      d.profile_seconds = seconds_since(t0);
      if (!catalog.ok()) {
        std::lock_guard<std::mutex> lock(errors_mutex);
        std::fprintf(stderr, "%s: %s\n", d.db_id.c_str(), catalog.error().c_str());
        return;
      }
      d.catalog = std::move(*catalog);
      auto t1 = Clock::now();
      d.candidates = profile::find_join_candidates(d.catalog, args.threshold);
      d.join_seconds = seconds_since(t1);
      truth(d);
      d.ok = true;
    });
    report(suite, args);
  }
  // One large schema: all catalogs (K copies) as one.
  {
    catalog::Catalog big;
    big.db_id = "all";
    for (size_t copy = 0; copy < args.scale; ++copy) {
      for (const Suite& suite : suites) {
        for (const Database& d : suite.databases) {
          if (!d.ok) continue;
          std::string prefix = d.db_id + "__" + (copy ? std::to_string(copy) + "__" : "");
          for (catalog::Table t : d.catalog.tables) {
            t.name = prefix + t.name;
            big.tables.push_back(std::move(t));
          }
          for (catalog::ForeignKey fk : d.catalog.foreign_keys) {
            fk.from_table = prefix + fk.from_table;
            fk.to_table = prefix + fk.to_table;
            big.foreign_keys.push_back(std::move(fk));
          }
        }
      }
    }
    size_t columns = 0;
    for (const auto& t : big.tables) columns += t.columns.size();
    auto t0 = Clock::now();
    auto candidates = profile::find_join_candidates(big, args.threshold);
    double seconds = seconds_since(t0);
    size_t within = 0;
    for (const auto& j : candidates) {
      within += j.from_table.substr(0, j.from_table.find("__")) == j.to_table.substr(0, j.to_table.find("__"));
    }
    if (args.show) {
      for (const auto& j : candidates) {
        bool same = j.from_table.substr(0, j.from_table.find("__")) == j.to_table.substr(0, j.to_table.find("__"));
        std::printf("  %s %s.%s -> %s.%s (containment %.2f, jaccard %.2f, names %.2f)\n", same ? "=" : "x",
                    j.from_table.c_str(), j.from_column.c_str(), j.to_table.c_str(), j.to_column.c_str(),
                    j.containment, j.jaccard, j.name_score);
      }
    }
    std::printf("[one schema] %zu tables, %zu columns (%zu copies of every catalog): find_join_candidates %.3f s, "
                "%zu candidates, %.1f%% of them within one database\n",
                big.tables.size(), columns, args.scale, seconds, candidates.size(),
                candidates.empty() ? 0.0 : 100.0 * static_cast<double>(within) / static_cast<double>(candidates.size()));
  }
  if (temporary) {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  return 0;
}
