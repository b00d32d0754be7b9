#include "askguru/profile/profiler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>

#include "askguru/catalog/catalog_json.h"
#include "askguru/common/files.h"
#include "askguru/common/progress.h"
#include "askguru/common/text.h"
#include "askguru/common/thread_pool.h"
#include "askguru/db/connection.h"
#include "askguru/db/odbc_connection.h"
#include "askguru/db/postgres_connection.h"
#include "askguru/db/sqlite_introspect.h"
#include "askguru/index/minhash.h"
#include "askguru/profile/artifacts.h"
#include "askguru/profile/column_stats.h"

namespace askguru::profile {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kSampleSegments = 16;
constexpr int64_t kMinChunkRows = 256;
constexpr int64_t kChunkCells = 1 << 17;  // values fetched per query

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// One worker's connection. askguru's own reads go to the server backends' trusted path
// (no parser check needed for SQL built here from quoted catalog names).
struct Source {
  std::unique_ptr<db::Connection> connection;
  db::PostgresConnection* postgres = nullptr;
  db::OdbcConnection* odbc = nullptr;
  Dialect dialect = Dialect::kSqlite;

  static Result<Source> open(const std::string& address) {
    Source s;
    AG_ASSIGN_OR_RETURN(s.connection, db::open_connection(address));
    s.postgres = dynamic_cast<db::PostgresConnection*>(s.connection.get());
    s.odbc = dynamic_cast<db::OdbcConnection*>(s.connection.get());
    s.dialect = s.connection->dialect();
    return s;
  }
  Result<db::ResultSet> run(const std::string& sql, const db::QueryOptions& q) {
    if (postgres) return postgres->execute_trusted(sql, q);
    if (odbc) return odbc->execute_trusted(sql, q);
    return connection->execute(sql, q);
  }
};

std::string limit_clause(Dialect dialect, int64_t n) {
  if (dialect == Dialect::kOracle) return fmt::format(" FETCH FIRST {} ROWS ONLY", n);
  return fmt::format(" LIMIT {}", n);
}

// Reads one table's allowed columns and fills their profiles. Stops at `deadline`
// (keeping what it read; the table is then partial).
//
// How rows are read: SQLite (native or through ODBC) by rowid ranges (a sample: 16
// segments spread over the rowid range); PostgreSQL by ctid page ranges (TID range
// scans), a sample with TABLESAMPLE SYSTEM from the row estimate; others (Oracle) in
// one query, a sample with SAMPLE (tables) or a row cap (FETCH FIRST / LIMIT).
void profile_table(Source& source, catalog::Table& table, const ProfileOptions& options,
                   const index::MinHasher* hasher, Clock::time_point deadline, bool has_deadline) {
  auto start = Clock::now();
  table.profile = {};
  table.profile.profiled = true;
  std::vector<size_t> allowed;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    table.columns[c].samples.clear();
    table.columns[c].profile = {};
    if (!column_denied(options, table.name, table.columns[c].name)) allowed.push_back(c);
  }
  if (allowed.empty()) return;

  ColumnStatsOptions stats_options;
  stats_options.exact_distinct_limit = options.exact_distinct_limit;
  stats_options.top_k = options.top_k;
  stats_options.sample_values = options.sample_values;
  stats_options.max_value_chars = options.max_value_chars;
  stats_options.hasher = hasher;
  std::vector<ColumnStats> stats;
  stats.reserve(allowed.size());
  for (size_t i = 0; i < allowed.size(); ++i) stats.emplace_back(stats_options);

  std::string select_list;
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i) select_list += ", ";
    select_list += db::quote_identifier(table.columns[allowed[i]].name);
  }
  const std::string quoted_table = table.schema.empty() ? db::quote_identifier(table.name)
                                                       : db::quote_identifier(table.schema) + "." +
                                                             db::quote_identifier(table.name);
  const int64_t chunk = std::max<int64_t>(kMinChunkRows, kChunkCells / static_cast<int64_t>(allowed.size() + 1));

  // Time left as a query timeout; 0 ms means "no limit" to execute(), so a passed
  // deadline is reported separately.
  auto query_options = [&](bool& expired) {
    db::QueryOptions q;
    q.timeout = std::chrono::milliseconds(0);
    expired = false;
    if (has_deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) expired = true;
      q.timeout = std::max(left, std::chrono::milliseconds(1));
    }
    return q;
  };
  // Runs one chunk; false when the pass must stop (deadline, error).
  auto run_chunk = [&](const std::string& sql, size_t skip_columns, db::ResultSet& out) {
    bool expired = false;
    auto q = query_options(expired);
    if (expired) {
      table.profile.partial = true;
      return false;
    }
    auto result = source.run(sql, q);
    if (!result.ok()) {
      if (result.status().code() != ErrorCode::kTimeout) {
        spdlog::warn("profiling {}: {}", table.name, result.error());
      }
      table.profile.partial = true;
      return false;
    }
    out = std::move(*result);
    for (const auto& row : out.rows) {
      for (size_t i = 0; i < allowed.size() && i + skip_columns < row.size(); ++i) stats[i].add(row[i + skip_columns]);
    }
    table.profile.rows_read += static_cast<int64_t>(out.rows.size());
    return true;
  };

  int64_t rows = table.row_count.value_or(-1);
  bool sample = options.sample_rows > 0 && (rows < 0 || rows > options.sample_rows);
  int64_t target = sample ? options.sample_rows : -1;

  auto finish = [&] {
    for (size_t i = 0; i < allowed.size(); ++i) {
      auto& column = table.columns[allowed[i]];
      column.profile = stats[i].finish(&column.samples);
    }
    table.profile.seconds = seconds_since(start);
  };
  if (source.dialect == Dialect::kPostgres) {
    db::ResultSet rs;
    if (sample && rows > 0 && !table.is_view) {
      // TABLESAMPLE SYSTEM picks whole pages at random: about `target` rows by the
      // planner's estimate; REPEATABLE keeps reruns on the same sample.
      double percent = std::clamp(100.0 * static_cast<double>(target) / static_cast<double>(rows), 0.0001, 100.0);
      run_chunk(fmt::format("SELECT {} FROM {} TABLESAMPLE SYSTEM ({:.4f}) REPEATABLE (0) LIMIT {}", select_list,
                            quoted_table, percent, target),
                0, rs);
      table.profile.sampled = true;
      finish();
      return;
    }
    // Every row (or up to `target` where the size is unknown), in ranges of pages so a
    // deadline keeps what was read.
    const int64_t cap = sample ? target : -1;
    int64_t pages = -1;
    if (!table.is_view) {
      bool expired = false;
      auto size = source.run(fmt::format("SELECT pg_catalog.pg_relation_size('{}'::regclass) / "
                                         "pg_catalog.current_setting('block_size')::int8",
                                         text::replace_all(quoted_table, "'", "''")),
                             query_options(expired));
      if (size.ok() && !size->rows.empty() && size->rows[0][0].type() == db::ValueType::kInteger) {
        pages = size->rows[0][0].as_integer();
      }
    }
    if (pages > 1) {
      int64_t expected = rows > 0 ? rows : pages * 64;
      int64_t chunks = std::clamp<int64_t>((expected + chunk - 1) / chunk, 1, pages);
      for (int64_t k = 0; k < chunks; ++k) {
        std::string sql = fmt::format("SELECT {} FROM {} WHERE ctid >= '({},0)'::tid", select_list, quoted_table,
                                      pages * k / chunks);
        // The last range is open: rows added since the size was read are read too.
        if (k + 1 < chunks) sql += fmt::format(" AND ctid < '({},0)'::tid", pages * (k + 1) / chunks);
        if (cap >= 0) sql += limit_clause(source.dialect, cap - table.profile.rows_read);
        if (!run_chunk(sql, 0, rs)) break;
        if (cap >= 0 && table.profile.rows_read >= cap) break;
      }
    } else {
      std::string sql = "SELECT " + select_list + " FROM " + quoted_table;
      if (cap >= 0) sql += limit_clause(source.dialect, cap);
      run_chunk(sql, 0, rs);
    }
    table.profile.sampled = cap >= 0 && table.profile.rows_read >= cap;
    finish();
    return;
  }
  if (source.dialect != Dialect::kSqlite) {
    // One bounded read: a sample of a big table, a row cap where the size is unknown.
    std::string sql = "SELECT " + select_list + " FROM " + quoted_table;
    bool sampled_clause = false;
    if (sample && rows > 0 && !table.is_view && source.dialect == Dialect::kOracle) {
      double percent = std::clamp(100.0 * static_cast<double>(target) / static_cast<double>(rows), 0.000001, 99.0);
      sql += fmt::format(" SAMPLE ({:.6f})", percent);
      sampled_clause = true;
    }
    if (sample) sql += limit_clause(source.dialect, target);
    db::ResultSet rs;
    run_chunk(sql, 0, rs);
    table.profile.sampled = sample && (sampled_clause || rows < 0 || table.profile.rows_read < rows);
    finish();
    return;
  }

  // A rowid alias no column shadows (tables only; WITHOUT ROWID tables fail the probe).
  std::string rowid;
  if (!table.is_view) {
    for (const char* name : {"rowid", "_rowid_", "oid"}) {
      bool shadowed = std::any_of(table.columns.begin(), table.columns.end(),
                                  [&](const catalog::Column& c) { return text::iequals(c.name, name); });
      if (!shadowed) {
        rowid = name;
        break;
      }
    }
  }
  int64_t lo = 0, hi = -1;
  if (!rowid.empty()) {
    bool expired = false;
    auto range = source.run(fmt::format("SELECT min({0}), max({0}) FROM {1}", rowid, quoted_table),
                            query_options(expired));
    if (range.ok() && !range->rows.empty() && range->rows[0][0].type() == db::ValueType::kInteger &&
        range->rows[0][1].type() == db::ValueType::kInteger) {
      lo = range->rows[0][0].as_integer();
      hi = range->rows[0][1].as_integer();
    } else if (range.ok() && !range->rows.empty() && range->rows[0][0].is_null()) {
      lo = 0;
      hi = -1;  // empty table
      table.profile.seconds = seconds_since(start);
      for (size_t i = 0; i < allowed.size(); ++i) table.columns[allowed[i]].profile = stats[i].finish();
      return;
    } else {
      rowid.clear();  // no rowid: a view or WITHOUT ROWID
    }
  }

  db::ResultSet rs;
  if (!rowid.empty()) {
    // Segments spread over the rowid range; one segment (the whole range) when not sampling.
    size_t segments = sample ? kSampleSegments : 1;
    int64_t per_segment = sample ? std::max<int64_t>(1, target / static_cast<int64_t>(segments)) : -1;
    long double span = static_cast<long double>(hi) - static_cast<long double>(lo) + 1.0L;
    bool stop = false;
    for (size_t s = 0; s < segments && !stop; ++s) {
      int64_t begin = lo + static_cast<int64_t>(span * static_cast<long double>(s) / static_cast<long double>(segments));
      int64_t end = s + 1 == segments
                        ? hi
                        : lo + static_cast<int64_t>(span * static_cast<long double>(s + 1) / static_cast<long double>(segments)) - 1;
      int64_t last = begin;
      bool first = true;
      int64_t read = 0;
      while (per_segment < 0 || read < per_segment) {
        int64_t n = per_segment < 0 ? chunk : std::min(chunk, per_segment - read);
        std::string sql = fmt::format("SELECT {0}, {1} FROM {2} WHERE {0} {3} {4} AND {0} <= {5} ORDER BY {0} LIMIT {6}",
                                      rowid, select_list, quoted_table, first ? ">=" : ">", last, end, n);
        if (!run_chunk(sql, 1, rs)) {
          stop = true;
          break;
        }
        read += static_cast<int64_t>(rs.rows.size());
        if (static_cast<int64_t>(rs.rows.size()) < n || rs.rows.empty()) break;
        const db::Value& last_id = rs.rows.back()[0];
        if (last_id.type() != db::ValueType::kInteger) break;
        last = last_id.as_integer();
        first = false;
      }
    }
  } else {
    int64_t offset = 0;
    while (target < 0 || offset < target) {
      int64_t n = target < 0 ? chunk : std::min(chunk, target - offset);
      std::string sql = fmt::format("SELECT {} FROM {} LIMIT {} OFFSET {}", select_list, quoted_table, n, offset);
      if (!run_chunk(sql, 0, rs)) break;
      offset += static_cast<int64_t>(rs.rows.size());
      if (static_cast<int64_t>(rs.rows.size()) < n) break;
    }
  }
  table.profile.sampled = sample && (rows < 0 || table.profile.rows_read < rows);
  finish();
}

std::string partial_file(size_t index) { return std::string(kPartialDir) + "/" + std::to_string(index) + ".json"; }

// Copies a table's profile from a one-table catalog saved by an earlier run.
bool resume_table(const ArtifactDir& dir, size_t index, catalog::Table& table) {
  if (!dir.has(partial_file(index))) return false;
  auto saved = catalog::load_catalog(dir.path(partial_file(index)));
  if (!saved.ok() || saved->tables.size() != 1) return false;
  const catalog::Table& done = saved->tables[0];
  if (done.name != table.name || done.columns.size() != table.columns.size() || !done.profile.profiled) return false;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (done.columns[c].name != table.columns[c].name) return false;
  }
  for (size_t c = 0; c < table.columns.size(); ++c) {
    table.columns[c].profile = done.columns[c].profile;
    table.columns[c].samples = done.columns[c].samples;
  }
  table.profile = done.profile;
  return true;
}

}  // namespace

std::vector<std::string> normalize_deny(const std::vector<std::string>& deny) {
  std::vector<std::string> out;
  for (const auto& entry : deny) {
    std::string e = text::to_lower(text::trim(entry));
    if (!e.empty()) out.push_back(e);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool is_denied(const std::vector<std::string>& normalized_deny, std::string_view table, std::string_view column) {
  if (normalized_deny.empty()) return false;
  std::string t = text::to_lower(table);
  std::string key = t + "." + text::to_lower(column);
  std::string all = t + ".*";
  return std::binary_search(normalized_deny.begin(), normalized_deny.end(), key) ||
         std::binary_search(normalized_deny.begin(), normalized_deny.end(), all);
}

bool column_denied(const ProfileOptions& options, std::string_view table, std::string_view column) {
  if (!options.deny.empty()) {
    // Small lists: a linear, case-insensitive scan keeps callers free of normalising.
    for (const auto& entry : options.deny) {
      std::string_view e = text::trim(entry);
      size_t dot = e.rfind('.');
      if (dot == std::string_view::npos) continue;
      if (!text::iequals(e.substr(0, dot), table)) continue;
      std::string_view c = e.substr(dot + 1);
      if (c == "*" || text::iequals(c, column)) return true;
    }
  }
  return options.allow && !options.allow(table, column);
}

std::vector<std::string> denied_columns(const catalog::Catalog& catalog, const ProfileOptions& options) {
  std::vector<std::string> out;
  for (const auto& table : catalog.tables) {
    for (const auto& column : table.columns) {
      if (column_denied(options, table.name, column.name)) {
        out.push_back(text::to_lower(table.name) + "." + text::to_lower(column.name));
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<ProfileRun> profile_database(const ArtifactDir& dir, const ProfileOptions& options) {
  auto start = Clock::now();
  AG_ASSIGN_OR_RETURN(Source first, Source::open(dir.db_path()));
  db::IntrospectOptions introspect;
  introspect.sample_values = 0;  // samples come from the profile, which never reads denied columns
  introspect.descriptions_dir = options.descriptions_dir;
  introspect.tables_json = options.tables_json;
  AG_ASSIGN_OR_RETURN(auto catalog, first.connection->introspect(introspect));

  ProfileRun run;
  run.tables = catalog.tables.size();
  catalog.profile = {};
  catalog.profile.deny = denied_columns(catalog, options);
  run.columns_denied = catalog.profile.deny.size();

  // Per-table results of an earlier run, if made with the same deny list.
  const std::string partial_dir = dir.path(kPartialDir);
  const std::string deny_file = dir.path(std::string(kPartialDir) + "/deny.json");
  nlohmann::json deny_json = catalog.profile.deny;
  {
    auto saved = files::read_file(deny_file);
    if (!saved.ok() || nlohmann::json::parse(*saved, nullptr, false) != deny_json) {
      std::error_code ec;
      fs::remove_all(partial_dir, ec);
    }
    std::error_code ec;
    fs::create_directories(partial_dir, ec);
    AG_RETURN_IF_ERROR(files::write_file(deny_file, deny_json.dump() + "\n"));
  }
  std::vector<size_t> todo;
  for (size_t t = 0; t < catalog.tables.size(); ++t) {
    if (resume_table(dir, t, catalog.tables[t])) {
      ++run.tables_resumed;
    } else {
      todo.push_back(t);
    }
  }

  std::unique_ptr<index::MinHasher> hasher;
  if (options.minhash_perm > 0) hasher = std::make_unique<index::MinHasher>(options.minhash_perm, 1);
  const bool has_total = options.total_budget_s > 0;
  const auto total_deadline = start + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(has_total ? options.total_budget_s : 0.0));
  std::atomic<size_t> profiled{0}, left{0}, started{0};
  std::atomic<bool> write_failed{false};
  std::mutex sources_mutex;
  std::vector<Source> sources;  // idle worker connections
  sources.push_back(std::move(first));
  Progress progress("profile " + dir.db_id(), todo.size(), !options.progress);
  parallel_for(todo.size(), options.jobs, [&](size_t k) {
    size_t t = todo[k];
    catalog::Table& table = catalog.tables[t];
    auto now = Clock::now();
    if ((has_total && now >= total_deadline) || (options.max_tables > 0 && started++ >= options.max_tables)) {
      ++left;
      progress.tick();
      return;
    }
    bool has_deadline = has_total || options.table_budget_s > 0;
    auto deadline = Clock::time_point::max();
    if (options.table_budget_s > 0) {
      deadline = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.table_budget_s));
    }
    if (has_total) deadline = std::min(deadline, total_deadline);
    // One connection per worker at a time: taken from those earlier tables left, else opened.
    std::optional<Source> source;
    {
      std::lock_guard<std::mutex> lock(sources_mutex);
      if (!sources.empty()) {
        source = std::move(sources.back());
        sources.pop_back();
      }
    }
    if (!source) {
      auto opened = Source::open(dir.db_path());
      if (!opened.ok()) {
        spdlog::warn("profiling {}: {}", table.name, opened.error());
        ++left;
        progress.tick();
        return;
      }
      source = std::move(*opened);
    }
    profile_table(*source, table, options, hasher.get(), deadline, has_deadline);
    {
      std::lock_guard<std::mutex> lock(sources_mutex);
      sources.push_back(std::move(*source));
    }
    // A table the total budget cut short is redone by the next run; one its own budget
    // cut stays partial (a rerun would stop at the same place).
    bool cut_by_total = table.profile.partial && has_total && Clock::now() >= total_deadline &&
                        (options.table_budget_s <= 0 || deadline == total_deadline);
    if (cut_by_total) {
      ++left;
    } else {
      ++profiled;
      catalog::Catalog one;
      one.db_id = catalog.db_id;
      one.tables.push_back(table);
      if (!files::write_file(dir.path(partial_file(t)), catalog::to_json(one, -1) + "\n").ok()) write_failed = true;
    }
    progress.tick();
  });
  run.tables_profiled = profiled;
  run.tables_left = left;
  if (write_failed) spdlog::warn("{}: some per-table results could not be saved", dir.dir());

  for (const auto& table : catalog.tables) {
    if (table.profile.sampled) ++run.tables_sampled;
    for (const auto& column : table.columns) run.columns_profiled += column.profile.profiled;
  }
  catalog.join_candidates = find_join_candidates(catalog, options.join_threshold);
  catalog.profile.complete = run.tables_left == 0;
  run.seconds = seconds_since(start);
  catalog.profile.seconds = run.seconds;
  progress.finish(fmt::format("{} columns, {} sampled tables{}", run.columns_profiled, run.tables_sampled,
                              run.tables_left ? fmt::format(", {} tables left for a rerun", run.tables_left) : ""));
  AG_RETURN_IF_ERROR(dir.save_catalog(catalog));
  if (catalog.profile.complete) {
    std::error_code ec;
    fs::remove_all(partial_dir, ec);
  }
  run.catalog = std::move(catalog);
  return run;
}

}  // namespace askguru::profile
