// bench_profile: profiles every database of ../shared/data/spider_train/database/*/*.sqlite
// and ../shared/data/bird_student_club/databases/*/*.sqlite into a fresh artifact root
// and prints, per database and in total: profiling time, tables, columns, rows read,
// sampled tables, artifact size, join candidates and how many declared single-column
// foreign keys the candidates recover (a check of the MinHash join discovery), then the
// time to load the up-to-date catalogs again.
//
//   build/bench/bench_profile [--data DIR] [--jobs N] [--limit N] [--sample-rows N] [--quiet]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "askguru/common/log.h"
#include "askguru/common/text.h"
#include "askguru/profile/artifacts.h"
#include "askguru/profile/profiler.h"

namespace fs = std::filesystem;
using namespace askguru;

namespace {

struct Row {
  std::string name;
  double seconds = 0;
  size_t tables = 0, columns = 0, sampled = 0;
  int64_t rows = 0;
  uint64_t bytes = 0, db_bytes = 0;
  size_t joins = 0, undeclared = 0, fks = 0, fks_found = 0, fks_data = 0, fks_data_found = 0;
};

std::vector<std::string> databases(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& sub : fs::directory_iterator(dir, ec)) {
    if (!sub.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(sub.path(), ec)) {
      if (f.path().extension() == ".sqlite") out.push_back(f.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data;
  if (const char* env = std::getenv("ASKGURU_SHARED_DATA")) data = env;
  if (data.empty()) data = ASKGURU_SHARED_DATA_DIR;
  size_t jobs = 2, limit = 0;
  int64_t sample_rows = 200000;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--data") data = next();
    else if (a == "--jobs") jobs = std::stoul(next());
    else if (a == "--limit") limit = std::stoul(next());
    else if (a == "--sample-rows") sample_rows = std::stoll(next());
    else if (a == "--quiet") quiet = true;
    else {
      std::fprintf(stderr, "usage: bench_profile [--data DIR] [--jobs N] [--limit N] [--sample-rows N] [--quiet]\n");
      return 2;
    }
  }
  std::vector<std::string> dbs = databases(fs::path(data) / "spider_train" / "database");
  for (const auto& d : databases(fs::path(data) / "bird_student_club" / "databases")) dbs.push_back(d);
  if (dbs.empty()) {
    std::fprintf(stderr, "no databases under %s (set --data or ASKGURU_SHARED_DATA)\n", data.c_str());
    return 1;
  }
  if (limit > 0 && dbs.size() > limit) dbs.resize(limit);

  std::string root = (fs::temp_directory_path() / fmt::format("askguru_bench_profile_{}", ::getpid())).string();
  profile::ArtifactOptions artifacts;
  artifacts.root = root;
  artifacts.force = true;
  profile::ProfileOptions options;
  options.jobs = jobs;
  options.sample_rows = sample_rows;

  std::vector<Row> rows;
  Row total;
  total.name = "total";
  if (!quiet) {
    std::printf("%-32s %8s %6s %7s %9s %7s %10s %10s %6s %6s %9s\n", "database", "seconds", "tables", "columns",
                "rows", "sampled", "db size", "artifacts", "joins", "undecl", "fk found");
  }
  auto start_all = std::chrono::steady_clock::now();
  for (const auto& db : dbs) {
    auto dir = profile::ArtifactDir::open(db, artifacts);
    if (!dir.ok()) {
      std::fprintf(stderr, "%s: %s\n", db.c_str(), dir.error().c_str());
      continue;
    }
    auto t0 = std::chrono::steady_clock::now();
    auto run = profile::profile_database(*dir, options);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!run.ok()) {
      std::fprintf(stderr, "%s: %s\n", db.c_str(), run.error().c_str());
      continue;
    }
    const auto& c = run->catalog;
    Row r;
    r.name = c.db_id;
    r.seconds = seconds;
    r.tables = c.tables.size();
    r.sampled = run->tables_sampled;
    r.bytes = dir->size_bytes();
    std::error_code ec;
    r.db_bytes = fs::file_size(db, ec);
    for (const auto& t : c.tables) {
      r.rows += t.profile.rows_read;
      r.columns += t.columns.size();
    }
    r.joins = c.join_candidates.size();
    for (const auto& j : c.join_candidates) r.undeclared += !j.declared;
    for (const auto& fk : c.foreign_keys) {
      if (fk.from_columns.size() != 1) continue;
      ++r.fks;
      // Both sides hold values (empty tables cannot show an overlap).
      const auto* ft = c.find_table(fk.from_table);
      const auto* tt = c.find_table(fk.to_table);
      const auto* fc = ft ? ft->find_column(fk.from_columns[0]) : nullptr;
      const auto* tc = tt ? tt->find_column(fk.to_columns[0]) : nullptr;
      bool data = fc && tc && fc->profile.distinct > 0 && tc->profile.distinct > 0;
      r.fks_data += data;
      for (const auto& j : c.join_candidates) {
        bool forward = text::iequals(j.from_table, fk.from_table) && text::iequals(j.from_column, fk.from_columns[0]) &&
                       text::iequals(j.to_table, fk.to_table) && text::iequals(j.to_column, fk.to_columns[0]);
        bool backward = text::iequals(j.to_table, fk.from_table) && text::iequals(j.to_column, fk.from_columns[0]) &&
                        text::iequals(j.from_table, fk.to_table) && text::iequals(j.from_column, fk.to_columns[0]);
        if (forward || backward) {
          ++r.fks_found;
          r.fks_data_found += data;
          break;
        }
      }
    }
    if (!quiet) {
      std::printf("%-32s %8.3f %6zu %7zu %9lld %7zu %10s %10s %6zu %6zu %4zu/%-4zu\n", r.name.c_str(), r.seconds,
                  r.tables, r.columns, static_cast<long long>(r.rows), r.sampled, text::human_bytes(r.db_bytes).c_str(),
                  text::human_bytes(r.bytes).c_str(), r.joins, r.undeclared, r.fks_found, r.fks);
    }
    total.seconds += r.seconds;
    total.tables += r.tables;
    total.columns += r.columns;
    total.rows += r.rows;
    total.sampled += r.sampled;
    total.bytes += r.bytes;
    total.db_bytes += r.db_bytes;
    total.joins += r.joins;
    total.undeclared += r.undeclared;
    total.fks += r.fks;
    total.fks_found += r.fks_found;
    total.fks_data += r.fks_data;
    total.fks_data_found += r.fks_data_found;
    rows.push_back(r);
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_all).count();

  // Loading the up-to-date catalogs (what every later command does).
  artifacts.force = false;
  auto t1 = std::chrono::steady_clock::now();
  size_t loaded = 0;
  for (const auto& db : dbs) loaded += profile::profiled_catalog(db, artifacts, options).ok();
  double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();

  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.seconds > b.seconds; });
  std::vector<double> times;
  for (const auto& r : rows) times.push_back(r.seconds);
  std::sort(times.begin(), times.end());
  auto pct = [&](double p) { return times.empty() ? 0.0 : times[std::min(times.size() - 1, static_cast<size_t>(p * times.size()))]; };
  std::printf("\n%zu databases, %zu tables, %zu columns, %lld rows read, %zu sampled tables, jobs %zu\n", rows.size(),
              total.tables, total.columns, static_cast<long long>(total.rows), total.sampled, jobs);
  std::printf("profiling: %.2f s in total (wall %.2f s), per database p50 %.3f s, p95 %.3f s, max %.3f s (%s)\n",
              total.seconds, wall, pct(0.5), pct(0.95), rows.empty() ? 0.0 : rows[0].seconds,
              rows.empty() ? "" : rows[0].name.c_str());
  std::printf("throughput: %.0f rows/s, %.0f columns/s\n", total.rows / std::max(total.seconds, 1e-9),
              total.columns / std::max(total.seconds, 1e-9));
  std::printf("artifacts: %s in total for %s of databases (%.1f%%)\n", text::human_bytes(total.bytes).c_str(),
              text::human_bytes(total.db_bytes).c_str(), 100.0 * static_cast<double>(total.bytes) / std::max<double>(1, total.db_bytes));
  std::printf("join candidates: %zu (%zu undeclared); declared single-column foreign keys recovered: %zu/%zu (%.1f%%), "
              "%zu/%zu (%.1f%%) of those whose columns hold values\n",
              total.joins, total.undeclared, total.fks_found, total.fks,
              100.0 * static_cast<double>(total.fks_found) / std::max<size_t>(1, total.fks), total.fks_data_found,
              total.fks_data, 100.0 * static_cast<double>(total.fks_data_found) / std::max<size_t>(1, total.fks_data));
  std::printf("loading %zu up-to-date catalogs: %.3f s (%.2f ms each)\n", loaded, load_seconds,
              1000.0 * load_seconds / std::max<size_t>(1, dbs.size()));
  std::error_code ec;
  fs::remove_all(root, ec);
  return 0;
}
