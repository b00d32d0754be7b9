// bench_db_execute: the cost of askguru's read-only execute() against plain SQLite.
//
// Runs the gold SQL of ../shared/data/spider_train/train.json (or the first N with
// --limit N) on its databases twice, single-threaded, one connection per database:
//   raw      sqlite3_prepare_v2 + sqlite3_step, columns read but not copied
//   askguru  SqliteConnection::execute (authorizer, progress handler, values copied)
// and then introspects every database once. Prints queries/s, rows and the overhead.
//
//   build/bench/bench_db_execute [--limit N] [--data DIR]
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "askguru/common/files.h"
#include "askguru/db/connection.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Item {
  std::string db_id;
  std::string sql;
};

// Plain SQLite: what executing a query costs with nothing around it.
size_t run_raw(const std::string& path, const std::vector<const Item*>& items, size_t& errors) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    errors += items.size();
    return 0;
  }
  size_t rows = 0;
  for (const Item* item : items) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, item->sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ++errors;
      continue;
    }
    int columns = sqlite3_column_count(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      ++rows;
      for (int i = 0; i < columns; ++i) {
        if (sqlite3_column_type(stmt, i) == SQLITE_TEXT) sqlite3_column_text(stmt, i);
      }
    }
    if (rc != SQLITE_DONE) ++errors;
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return rows;
}

size_t run_askguru(const std::string& path, const std::vector<const Item*>& items, size_t& errors) {
  auto connection = askguru::db::open_connection(path);
  if (!connection.ok()) {
    errors += items.size();
    return 0;
  }
  size_t rows = 0;
  for (const Item* item : items) {
    auto result = (*connection)->execute(item->sql);
    if (result.ok()) {
      rows += result->rows.size();
    } else {
      ++errors;
    }
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  size_t limit = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--limit") && i + 1 < argc) limit = std::stoul(argv[++i]);
    if (!std::strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
  }
  std::string root = data + "/spider_train";
  auto content = askguru::files::read_file(root + "/train.json");
  if (!content.ok()) {
    std::fprintf(stderr, "bench_db_execute: %s (pass --data DIR)\n", content.error().c_str());
    return 1;
  }
  auto train = nlohmann::json::parse(*content);
  std::vector<Item> items;
  for (const auto& entry : train) {
    items.push_back({entry.at("db_id").get<std::string>(), entry.at("query").get<std::string>()});
    if (limit && items.size() >= limit) break;
  }
  std::map<std::string, std::vector<const Item*>> by_db;
  for (const auto& item : items) by_db[item.db_id].push_back(&item);
  auto path_of = [&](const std::string& db_id) { return root + "/database/" + db_id + "/" + db_id + ".sqlite"; };

  std::printf("%zu queries over %zu databases (single thread)\n", items.size(), by_db.size());
  for (int round = 0; round < 2; ++round) {  // the first round warms the page cache
    size_t raw_errors = 0, ours_errors = 0, raw_rows = 0, ours_rows = 0;
    auto start = Clock::now();
    for (const auto& [db_id, list] : by_db) raw_rows += run_raw(path_of(db_id), list, raw_errors);
    double raw_s = seconds_since(start);
    start = Clock::now();
    for (const auto& [db_id, list] : by_db) ours_rows += run_askguru(path_of(db_id), list, ours_errors);
    double ours_s = seconds_since(start);
    std::printf(
        "%s raw sqlite: %.3f s (%.0f q/s, %zu rows, %zu errors) | askguru execute: %.3f s (%.0f q/s, %zu rows, "
        "%zu errors) | overhead %+.1f%%\n",
        round == 0 ? "cold" : "warm", raw_s, items.size() / raw_s, raw_rows, raw_errors, ours_s, items.size() / ours_s,
        ours_rows, ours_errors, 100.0 * (ours_s - raw_s) / raw_s);
  }

  auto start = Clock::now();
  size_t tables = 0, failures = 0;
  for (const auto& [db_id, list] : by_db) {
    auto connection = askguru::db::open_connection(path_of(db_id));
    if (!connection.ok()) {
      ++failures;
      continue;
    }
    auto catalog = (*connection)->introspect();
    if (catalog.ok()) {
      tables += catalog->tables.size();
    } else {
      ++failures;
      std::fprintf(stderr, "%s: %s\n", db_id.c_str(), catalog.error().c_str());
    }
  }
  double introspect_s = seconds_since(start);
  std::printf("introspect: %zu databases, %zu tables in %.3f s (%.1f ms per database, %zu failures)\n", by_db.size(),
              tables, introspect_s, 1000.0 * introspect_s / by_db.size(), failures);
  return 0;
}
