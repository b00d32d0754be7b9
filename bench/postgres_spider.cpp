// Cross-engine bench: loads the Spider training databases into PostgreSQL
// (db/postgres_load.h) and runs every gold query on both engines, untranslated, comparing
// the rows as test-suite-sql-eval does. Prints load time, the raw match rate (the
// baseline that catalog-aware translation must raise), the PostgreSQL errors by kind,
// and query throughput on each engine.
//
//   scripts/test_postgres.sh build/bench/bench_postgres_spider [--data DIR] [--url URL]
//                                                              [--dbs N] [--queries N]
//
// DIR defaults to ../shared/data; URL to $ASKGURU_TEST_POSTGRES_URL (a role that may
// create databases: one per Spider database, dropped at the end).
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "askguru/common/text.h"
#include "askguru/db/connection.h"
#include "askguru/db/postgres_load.h"
#include "askguru/eval/compare.h"
#include "askguru/eval/dataset.h"

namespace {

using namespace askguru;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

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

// The kind of a PostgreSQL error: its message with quoted names and numbers blanked.
std::string error_kind(const std::string& message) {
  std::string out;
  bool in_quote = false;
  for (char c : message.substr(0, message.find(" (hint"))) {
    if (c == '"') {
      in_quote = !in_quote;
      if (in_quote) out += "\"…\"";
      continue;
    }
    if (!in_quote) out += (c >= '0' && c <= '9') ? '#' : c;
  }
  return text::ellipsize(out, 90);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  std::string url = std::getenv("ASKGURU_TEST_POSTGRES_URL") ? std::getenv("ASKGURU_TEST_POSTGRES_URL") : "";
  size_t max_dbs = SIZE_MAX, max_queries = SIZE_MAX;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
    if (!std::strcmp(argv[i], "--url")) url = argv[i + 1];
    if (!std::strcmp(argv[i], "--dbs")) max_dbs = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--queries")) max_queries = std::stoul(argv[i + 1]);
  }
  if (url.empty()) {
    std::fprintf(stderr, "no server: pass --url or run under scripts/test_postgres.sh\n");
    return 2;
  }
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

  // Load every database the questions use, one PostgreSQL database each.
  std::vector<std::string> db_ids;
  for (const auto& example : dataset->examples) {
    if (std::find(db_ids.begin(), db_ids.end(), example.db_id) == db_ids.end()) db_ids.push_back(example.db_id);
  }
  if (db_ids.size() > max_dbs) db_ids.resize(max_dbs);
  struct Pair {
    std::unique_ptr<db::Connection> sqlite;
    std::string postgres_url;  // connections are opened one at a time (max_connections)
  };
  std::map<std::string, Pair> engines;
  size_t rows = 0, tables = 0, foreign_keys = 0, skipped = 0, load_failures = 0;
  auto load_start = Clock::now();
  for (size_t i = 0; i < db_ids.size(); ++i) {
    const std::string& id = db_ids[i];
    std::string name = "askguru_bench_" + std::to_string(i);
    admin_exec(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    if (!admin_exec(admin, "CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'")) return 1;
    auto sqlite = db::open_connection(data + "/spider_train/database/" + id + "/" + id + ".sqlite");
    if (!sqlite.ok()) {
      std::fprintf(stderr, "load %s: %s\n", id.c_str(), sqlite.error().c_str());
      ++load_failures;
      continue;
    }
    auto report = db::load_into_postgres(**sqlite, with_database(url, name));
    if (!report.ok()) {
      std::fprintf(stderr, "load %s: %s\n", id.c_str(), report.error().c_str());
      ++load_failures;
      continue;
    }
    rows += report->rows;
    tables += report->tables;
    foreign_keys += report->foreign_keys;
    skipped += report->skipped.size();
    engines[id] = Pair{std::move(*sqlite), with_database(url, name)};
  }
  double load_seconds = seconds_since(load_start);

  size_t total = 0, sqlite_errors = 0, pg_errors = 0, matches = 0, mismatches = 0;
  double sqlite_seconds = 0, pg_seconds = 0;
  const auto query_start = Clock::now();
  std::map<std::string, size_t> kinds;
  std::unique_ptr<db::Connection> postgres;
  std::string postgres_id;
  db::QueryOptions options;
  options.timeout = std::chrono::milliseconds(30000);
  for (const auto& example : dataset->examples) {
    if (total >= max_queries) break;
    auto it = engines.find(example.db_id);
    if (it == engines.end()) continue;
    if (example.db_id != postgres_id) {
      postgres.reset();
      auto opened = db::open_connection(it->second.postgres_url);
      if (!opened.ok()) {
        std::fprintf(stderr, "%s\n", opened.error().c_str());
        return 1;
      }
      postgres = std::move(*opened);
      postgres_id = example.db_id;
    }
    ++total;
    auto t0 = Clock::now();
    auto gold = it->second.sqlite->execute(example.gold_sql, options);
    sqlite_seconds += seconds_since(t0);
    auto t1 = Clock::now();
    auto pg = postgres->execute(example.gold_sql, options);
    pg_seconds += seconds_since(t1);
    if (!gold.ok()) {
      ++sqlite_errors;
      continue;
    }
    if (!pg.ok()) {
      ++pg_errors;
      ++kinds[error_kind(pg.error())];
      continue;
    }
    bool ordered = text::to_lower(example.gold_sql).find("order by") != std::string::npos;
    if (eval::spider_result_eq(gold->rows, pg->rows, ordered)) {
      ++matches;
    } else {
      ++mismatches;
    }
  }
  const double query_wall = seconds_since(query_start);
  postgres.reset();
  engines.clear();
  const auto drop_start = Clock::now();
  for (size_t i = 0; i < db_ids.size(); ++i) {
    admin_exec(admin, "DROP DATABASE IF EXISTS askguru_bench_" + std::to_string(i) + " WITH (FORCE)");
  }
  PQfinish(admin);
  const double drop_seconds = seconds_since(drop_start);

  size_t comparable = total - sqlite_errors;
  std::printf(
      "load: %zu databases (%zu failed), %zu tables, %zu rows, %zu foreign keys, %zu constraints skipped, "
      "%.2f s (%.0f rows/s)\n",
      db_ids.size() - load_failures, load_failures, tables, rows, foreign_keys, skipped, load_seconds,
      rows / std::max(load_seconds, 1e-9));
  std::printf("gold queries: %zu (%zu fail on SQLite itself)\n", total, sqlite_errors);
  std::printf("untranslated on PostgreSQL: %zu match (%.1f%%), %zu differ, %zu errors\n", matches,
              100.0 * matches / std::max<size_t>(comparable, 1), mismatches, pg_errors);
  std::printf("throughput: SQLite %.0f queries/s, PostgreSQL %.0f queries/s (one connection each, serial)\n",
              total / std::max(sqlite_seconds, 1e-9), total / std::max(pg_seconds, 1e-9));
  std::printf("wall: queries %.1f s (PostgreSQL connect included), dropping the databases %.1f s\n", query_wall,
              drop_seconds);
  std::vector<std::pair<size_t, std::string>> sorted;
  for (const auto& [kind, count] : kinds) sorted.emplace_back(count, kind);
  std::sort(sorted.rbegin(), sorted.rend());
  std::printf("PostgreSQL errors by kind:\n");
  for (size_t i = 0; i < sorted.size() && i < 12; ++i)
    std::printf("  %5zu  %s\n", sorted[i].first, sorted[i].second.c_str());
  return 0;
}
