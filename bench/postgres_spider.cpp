// Cross-engine bench: loads the Spider training databases into PostgreSQL
// (db/postgres_load.h) and runs every gold query on both engines, untranslated and
// translated (sql/translate.h, against the catalog introspected from PostgreSQL),
// comparing the rows as test-suite-sql-eval does. Prints load time, the raw match rate
// (the baseline), the translated match rate with the rest classified (ties under
// ORDER BY ... LIMIT, PostgreSQL errors by kind, other differences), and query
// throughput on each engine.
//
//   scripts/test_postgres.sh build/bench/bench_postgres_spider [--data DIR] [--url URL]
//                                        [--dbs N] [--queries N] [--dump FILE]
//
// --dump FILE writes every translated query that errs or differs (gold, translation,
// reason) for inspection.
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
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"
#include "askguru/sql/translate.h"

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

// A top-n query whose rows differ only by which of several tied rows were kept: the
// PostgreSQL rows, as many as SQLite's, all occur in SQLite's result without the limit.
bool tie_under_limit(db::Connection& sqlite, const std::string& gold, const eval::Rows& gold_rows,
                     const eval::Rows& pg_rows, const db::QueryOptions& options) {
  auto ast = sql::parse(gold, Dialect::kSqlite);
  if (!ast.ok() || ast->query() == nullptr || ast->query()->limit == nullptr || ast->query()->order_by.empty())
    return false;
  if (gold_rows.size() != pg_rows.size()) return false;
  ast->query()->limit = nullptr;
  auto all = sqlite.execute(sql::print(*ast, sql::PrintOptions{Dialect::kSqlite, false}), options);
  if (!all.ok()) return false;
  std::vector<bool> used(all->rows.size(), false);
  for (const db::Row& row : pg_rows) {
    bool found = false;
    for (size_t i = 0; i < all->rows.size() && !found; ++i) {
      if (!used[i] && eval::py_row_equal(row, all->rows[i])) used[i] = found = true;
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  std::string url = std::getenv("ASKGURU_TEST_POSTGRES_URL") ? std::getenv("ASKGURU_TEST_POSTGRES_URL") : "";
  size_t max_dbs = SIZE_MAX, max_queries = SIZE_MAX;
  std::string dump_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
    if (!std::strcmp(argv[i], "--url")) url = argv[i + 1];
    if (!std::strcmp(argv[i], "--dbs")) max_dbs = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--queries")) max_queries = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dump")) dump_path = argv[i + 1];
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
  size_t t_matches = 0, t_ties = 0, t_tie_order = 0, t_differ = 0, t_errors = 0, t_failed = 0;
  double translate_seconds = 0;
  std::map<std::string, size_t> t_kinds, t_rules;
  catalog::Catalog target, source;
  FILE* dump = dump_path.empty() ? nullptr : std::fopen(dump_path.c_str(), "w");
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
      db::IntrospectOptions light;
      light.sample_values = 0;
      light.count_rows = false;
      auto introspected = postgres->introspect(light);
      if (!introspected.ok()) {
        std::fprintf(stderr, "%s\n", introspected.error().c_str());
        return 1;
      }
      target = std::move(*introspected);
      auto source_catalog = it->second.sqlite->introspect(light);
      source = source_catalog.ok() ? std::move(*source_catalog) : catalog::Catalog{};
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
    bool ordered = text::to_lower(example.gold_sql).find("order by") != std::string::npos;
    if (!pg.ok()) {
      ++pg_errors;
      ++kinds[error_kind(pg.error())];
    } else if (eval::spider_result_eq(gold->rows, pg->rows, ordered)) {
      ++matches;
    } else {
      ++mismatches;
    }
    // Translated.
    auto t2 = Clock::now();
    sql::TranslateOptions translate_options;
    translate_options.source = &source;
    auto translated = sql::translate(example.gold_sql, target, translate_options);
    translate_seconds += seconds_since(t2);
    if (!translated.ok()) {
      ++t_failed;
      if (dump) std::fprintf(dump, "## untranslatable\n%s\n%s\n\n", example.gold_sql.c_str(), translated.error().c_str());
      continue;
    }
    for (const std::string& rule : translated->rules) ++t_rules[rule];
    auto tpg = postgres->execute(translated->sql, options);
    if (!tpg.ok()) {
      ++t_errors;
      ++t_kinds[error_kind(tpg.error())];
      if (dump)
        std::fprintf(dump, "## error [%s]\n%s\n%s\n%s\n\n", example.db_id.c_str(), example.gold_sql.c_str(),
                     translated->sql.c_str(), tpg.error().c_str());
    } else if (eval::spider_result_eq(gold->rows, tpg->rows, ordered)) {
      ++t_matches;
    } else if (tie_under_limit(*it->second.sqlite, example.gold_sql, gold->rows, tpg->rows, options)) {
      ++t_ties;
    } else if (ordered && eval::spider_result_eq(gold->rows, tpg->rows, false)) {
      ++t_tie_order;
    } else {
      ++t_differ;
      if (dump) {
        std::fprintf(dump, "## differ [%s] sqlite %zu rows, postgres %zu rows\n%s\n%s\n", example.db_id.c_str(),
                     gold->rows.size(), tpg->rows.size(), example.gold_sql.c_str(), translated->sql.c_str());
        for (size_t r = 0; r < 3; ++r) {
          std::string a, b;
          if (r < gold->rows.size())
            for (const auto& v : gold->rows[r]) a += eval::py_str(v) + " | ";
          if (r < tpg->rows.size())
            for (const auto& v : tpg->rows[r]) b += eval::py_str(v) + " | ";
          std::fprintf(dump, "  sqlite: %s\n  postgres: %s\n", a.c_str(), b.c_str());
        }
        std::fprintf(dump, "\n");
      }
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
  std::printf("translated on PostgreSQL: %zu match (%.1f%%); %zu ties under ORDER BY ... LIMIT, %zu same rows in "
              "another order (ties under ORDER BY without LIMIT): match or tie %.1f%%; %zu differ, %zu errors, "
              "%zu not translatable; translation %.0f queries/s\n",
              t_matches, 100.0 * t_matches / std::max<size_t>(comparable, 1), t_ties, t_tie_order,
              100.0 * (t_matches + t_ties + t_tie_order) / std::max<size_t>(comparable, 1), t_differ, t_errors,
              t_failed, comparable / std::max(translate_seconds, 1e-9));
  std::printf("translation rules applied (queries):");
  for (const auto& [rule, count] : t_rules) std::printf(" %s %zu;", rule.c_str(), count);
  std::printf("\n");
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
  std::vector<std::pair<size_t, std::string>> t_sorted;
  for (const auto& [kind, count] : t_kinds) t_sorted.emplace_back(count, kind);
  std::sort(t_sorted.rbegin(), t_sorted.rend());
  std::printf("translated: PostgreSQL errors by kind:\n");
  for (size_t i = 0; i < t_sorted.size() && i < 12; ++i)
    std::printf("  %5zu  %s\n", t_sorted[i].first, t_sorted[i].second.c_str());
  if (dump) std::fclose(dump);
  return 0;
}
