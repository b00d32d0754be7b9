// Offline artifacts and evaluation on a server: loads the Spider training databases
// into PostgreSQL (one server database per Spider database, named by its db_id, dropped
// at the end), then for each builds the profile, value index and column index
// (index::DatabaseArtifacts, what `askguru index` does) from the SQLite file and from
// the server, and prints the time per database and in total, and how many profiled
// columns have the same statistics on both. Then one evaluation of the same predictions
// (spider-ex) with --db-root and with --db-url 'postgresql://.../{db_id}' (gold and
// predictions translated from SQLite): EX on each and the items that differ.
//
//   scripts/test_postgres.sh build/bench/bench_server_artifacts [--data DIR] [--url URL]
//                                        [--dbs N] [--questions N] [--jobs N] [--verbose 1]
//
// Predictions: the gold query for even-numbered questions, the previous question's gold
// on the same database for odd ones (right only where both ask the same), so EX is
// neither 0 nor 100. DIR defaults to ../shared/data; URL to $ASKGURU_TEST_POSTGRES_URL.
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "askguru/db/connection.h"
#include "askguru/db/postgres_load.h"
#include "askguru/eval/dataset.h"
#include "askguru/eval/metrics.h"
#include "askguru/eval/report.h"
#include "askguru/index/retriever.h"

namespace {

using namespace askguru;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string with_database(const std::string& url, const std::string& database) {
  size_t query = url.find('?');
  std::string base = url.substr(0, query);
  std::string rest = query == std::string::npos ? std::string() : url.substr(query);
  size_t slash = base.find('/', base.find("://") + 3);
  if (slash != std::string::npos) base.erase(slash);
  return base + "/" + database + rest;
}

bool admin_exec(PGconn* conn, const std::string& sql) {
  PGresult* res = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!ok) std::fprintf(stderr, "%s: %s", sql.c_str(), PQresultErrorMessage(res));
  PQclear(res);
  return ok;
}

// Profiled columns of `a` whose statistics `b` has too (same rows, nulls, distinct, min,
// max, type, top values); and how many were compared.
std::pair<size_t, size_t> same_statistics(const catalog::Catalog& a, const catalog::Catalog& b, bool verbose) {
  size_t same = 0, compared = 0;
  for (const auto& ta : a.tables) {
    const catalog::Table* tb = b.find_table(ta.name);
    if (!tb) continue;
    for (const auto& ca : ta.columns) {
      if (!ca.profile.profiled) continue;
      ++compared;
      const catalog::Column* cb = tb->find_column(ca.name);
      if (!cb) continue;
      const auto& x = ca.profile;
      const auto& y = cb->profile;
      bool top = x.top_values.size() == y.top_values.size();
      for (size_t k = 0; top && k < x.top_values.size(); ++k) {
        top = x.top_values[k].value == y.top_values[k].value && x.top_values[k].count == y.top_values[k].count;
      }
      bool equal = x.rows == y.rows && x.null_count == y.null_count && x.distinct == y.distinct && x.min == y.min &&
                   x.max == y.max && x.value_type == y.value_type && top;
      same += equal;
      if (!equal && verbose) {
        std::printf("  stats differ %s.%s.%s (%s): type %s/%s distinct %lld/%lld min %s/%s max %s/%s\n", a.db_id.c_str(),
                    ta.name.c_str(), ca.name.c_str(), cb->type.c_str(), x.value_type.c_str(), y.value_type.c_str(),
                    static_cast<long long>(x.distinct), static_cast<long long>(y.distinct), x.min.c_str(),
                    y.min.c_str(), x.max.c_str(), y.max.c_str());
      }
    }
  }
  return {same, compared};
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  std::string url = std::getenv("ASKGURU_TEST_POSTGRES_URL") ? std::getenv("ASKGURU_TEST_POSTGRES_URL") : "";
  size_t max_dbs = SIZE_MAX, max_questions = SIZE_MAX, jobs = 2;
  bool verbose = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
    if (!std::strcmp(argv[i], "--url")) url = argv[i + 1];
    if (!std::strcmp(argv[i], "--dbs")) max_dbs = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--questions")) max_questions = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--jobs")) jobs = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--verbose")) verbose = std::strcmp(argv[i + 1], "0") != 0;
  }
  if (url.empty()) {
    std::fprintf(stderr, "no server: pass --url or run under scripts/test_postgres.sh\n");
    return 2;
  }
  const std::string root = data + "/spider_train/database";
  auto dataset = eval::load_dataset(data + "/spider_train/train.json");
  if (!dataset.ok()) {
    std::fprintf(stderr, "%s\n", dataset.error().c_str());
    return 1;
  }
  PGconn* admin = PQconnectdb(url.c_str());
  if (PQstatus(admin) != CONNECTION_OK) {
    std::fprintf(stderr, "cannot connect: %s", PQerrorMessage(admin));
    return 1;
  }
  PQsetNoticeProcessor(
      admin, [](void*, const char*) {}, nullptr);

  std::vector<std::string> db_ids;
  for (const auto& example : dataset->examples) {
    if (std::find(db_ids.begin(), db_ids.end(), example.db_id) == db_ids.end()) db_ids.push_back(example.db_id);
  }
  if (db_ids.size() > max_dbs) db_ids.resize(max_dbs);

  // Load, named by db_id (quoted: Spider ids keep their case).
  std::vector<std::string> loaded;
  auto load_start = Clock::now();
  for (const std::string& id : db_ids) {
    admin_exec(admin, "DROP DATABASE IF EXISTS \"" + id + "\" WITH (FORCE)");
    if (!admin_exec(admin, "CREATE DATABASE \"" + id + "\" TEMPLATE template0 ENCODING 'UTF8'")) return 1;
    auto sqlite = db::open_connection(root + "/" + id + "/" + id + ".sqlite");
    auto report = sqlite.ok() ? db::load_into_postgres(**sqlite, with_database(url, id))
                              : Result<db::LoadReport>(sqlite.status());
    if (!report.ok()) {
      std::fprintf(stderr, "load %s: %s\n", id.c_str(), report.error().c_str());
      continue;
    }
    loaded.push_back(id);
  }
  const double load_seconds = seconds_since(load_start);

  // Profile + value index + column index, SQLite and PostgreSQL, from scratch.
  const fs::path artifacts_root = fs::temp_directory_path() / ("askguru_bench_server_" + std::to_string(::getpid()));
  index::ArtifactOptions options;
  options.root = artifacts_root.string();
  options.force = true;
  options.profile_jobs = jobs;
  options.quiet = true;
  struct Timing {
    std::string id;
    double sqlite = 0, postgres = 0;
    size_t values_sqlite = 0, values_postgres = 0;
  };
  std::vector<Timing> timings;
  size_t same = 0, compared = 0, failures = 0, tables_sampled = 0;
  double total_sqlite = 0, total_postgres = 0, pg_catalog = 0, pg_values = 0, pg_columns = 0;
  for (const std::string& id : loaded) {
    Timing t{id};
    auto t0 = Clock::now();
    auto lite = index::DatabaseArtifacts::open(root + "/" + id + "/" + id + ".sqlite", options);
    t.sqlite = seconds_since(t0);
    auto t1 = Clock::now();
    auto pg = index::DatabaseArtifacts::open(with_database(url, id), options);
    t.postgres = seconds_since(t1);
    if (!lite.ok() || !pg.ok()) {
      std::fprintf(stderr, "%s: %s\n", id.c_str(), (!lite.ok() ? lite.error() : pg.error()).c_str());
      ++failures;
      continue;
    }
    t.values_sqlite = lite->values().value_count();
    t.values_postgres = pg->values().value_count();
    auto [s, c] = same_statistics(lite->catalog(), pg->catalog(), verbose);
    same += s;
    compared += c;
    for (const auto& table : pg->catalog().tables) tables_sampled += table.profile.sampled;
    pg_catalog += pg->stats().catalog_seconds;
    pg_values += pg->stats().values_seconds;
    pg_columns += pg->stats().columns_seconds;
    total_sqlite += t.sqlite;
    total_postgres += t.postgres;
    timings.push_back(t);
  }
  std::error_code ec;
  fs::remove_all(artifacts_root, ec);

  // One evaluation on both: gold for even questions, the previous same-database gold for odd ones.
  eval::Dataset subset = *dataset;
  subset.examples.clear();
  std::vector<std::string> predictions;
  std::map<std::string, std::string> previous;
  for (const auto& example : dataset->examples) {
    if (subset.examples.size() >= max_questions) break;
    if (std::find(loaded.begin(), loaded.end(), example.db_id) == loaded.end()) continue;
    auto prev = previous.find(example.db_id);
    bool odd = subset.examples.size() % 2 == 1;
    predictions.push_back(odd && prev != previous.end() ? prev->second : example.gold_sql);
    previous[example.db_id] = example.gold_sql;
    subset.examples.push_back(example);
  }
  eval::EvalOptions eval_options;
  eval_options.metric = eval::Metric::kSpiderEx;
  eval_options.use_cache = false;
  eval_options.quiet = true;
  eval_options.jobs = jobs;
  eval_options.db_root = root;
  auto e0 = Clock::now();
  auto lite_eval = eval::evaluate(subset, predictions, eval_options, "bench");
  const double lite_eval_seconds = seconds_since(e0);
  eval_options.db_root.clear();
  eval_options.db_url = with_database(url, "{db_id}");
  eval_options.pred_dialect = Dialect::kSqlite;
  auto e1 = Clock::now();
  auto pg_eval = eval::evaluate(subset, predictions, eval_options, "bench");
  const double pg_eval_seconds = seconds_since(e1);

  for (const std::string& id : db_ids) admin_exec(admin, "DROP DATABASE IF EXISTS \"" + id + "\" WITH (FORCE)");
  PQfinish(admin);

  std::printf("load: %zu of %zu Spider databases into PostgreSQL in %.1f s\n", loaded.size(), db_ids.size(),
              load_seconds);
  std::sort(timings.begin(), timings.end(), [](const Timing& a, const Timing& b) { return a.postgres > b.postgres; });
  std::printf("profile + value index + column index per database (seconds; slowest on PostgreSQL first):\n");
  std::printf("  %-34s %8s %10s %7s %9s %9s\n", "db_id", "sqlite", "postgres", "ratio", "values_l", "values_pg");
  for (size_t i = 0; i < timings.size() && (verbose || i < 12); ++i) {
    const Timing& t = timings[i];
    std::printf("  %-34s %8.3f %10.3f %7.2f %9zu %9zu\n", t.id.c_str(), t.sqlite, t.postgres,
                t.postgres / std::max(t.sqlite, 1e-9), t.values_sqlite, t.values_postgres);
  }
  size_t equal_values = 0;
  for (const auto& t : timings) equal_values += t.values_sqlite == t.values_postgres;
  std::printf("total (%zu databases, %zu failed): SQLite %.2f s (%.3f s/db), PostgreSQL %.2f s (%.3f s/db), ratio %.2f\n",
              timings.size(), failures, total_sqlite, total_sqlite / std::max<size_t>(timings.size(), 1),
              total_postgres, total_postgres / std::max<size_t>(timings.size(), 1),
              total_postgres / std::max(total_sqlite, 1e-9));
  std::printf("PostgreSQL split: catalog (introspect + profile) %.2f s, value index %.2f s, column index %.2f s; "
              "%zu tables sampled\n",
              pg_catalog, pg_values, pg_columns, tables_sampled);
  std::printf("same column statistics on both engines: %zu of %zu profiled columns (%.1f%%); same value count: "
              "%zu of %zu databases\n",
              same, compared, 100.0 * static_cast<double>(same) / std::max<size_t>(compared, 1), equal_values,
              timings.size());
  if (!lite_eval.ok() || !pg_eval.ok()) {
    std::fprintf(stderr, "eval: %s\n", (!lite_eval.ok() ? lite_eval.error() : pg_eval.error()).c_str());
    return 1;
  }
  auto lite_summary = eval::summarize(*lite_eval).overall;
  auto pg_summary = eval::summarize(*pg_eval).overall;
  size_t differ = 0, pg_errors = 0;
  for (size_t i = 0; i < lite_eval->items.size(); ++i) {
    differ += lite_eval->items[i].correct != pg_eval->items[i].correct;
    pg_errors += pg_eval->items[i].error.has_value();
    if (verbose && lite_eval->items[i].correct != pg_eval->items[i].correct) {
      std::printf("  differs [%s] sqlite %d postgres %d: %s | %s\n", subset.examples[i].db_id.c_str(),
                  lite_eval->items[i].correct, pg_eval->items[i].correct, subset.examples[i].gold_sql.c_str(),
                  pg_eval->items[i].error ? pg_eval->items[i].error->c_str() : "");
    }
  }
  std::printf("eval spider-ex on %zu questions: SQLite (--db-root) EX %.2f%% in %.1f s; PostgreSQL (--db-url "
              "'.../{db_id}', %zu gold + %zu predictions translated) EX %.2f%% in %.1f s; %zu items differ, %zu "
              "PostgreSQL errors\n",
              subset.examples.size(), lite_summary.ex(), lite_eval_seconds, pg_eval->stats.translated_gold,
              pg_eval->stats.translated_predictions, pg_summary.ex(), pg_eval_seconds, differ, pg_errors);
  return 0;
}
