#include "askguru/eval/query_runner.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "askguru/common/progress.h"
#include "askguru/common/text.h"
#include "askguru/common/thread_pool.h"
#include "askguru/eval/result_cache.h"
#include "askguru/eval/sql_cleanup.h"

namespace askguru::eval {

// ---- ConnectionPool ----

ConnectionPool::ConnectionPool(size_t max_idle) : max_idle_(std::max<size_t>(1, max_idle)) {}

ConnectionPool::Lease::~Lease() {
  if (pool_ && connection_) pool_->release(path_, std::move(connection_));
}

Result<ConnectionPool::Lease> ConnectionPool::acquire(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (it->first == path) {
        auto connection = std::move(it->second);
        idle_.erase(it);
        return Lease(this, path, std::move(connection));
      }
    }
  }
  AG_ASSIGN_OR_RETURN(auto connection, db::open_connection(path));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++opened_;
  }
  return Lease(this, path, std::move(connection));
}

size_t ConnectionPool::opened() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return opened_;
}

void ConnectionPool::release(const std::string& path, std::unique_ptr<db::Connection> connection) {
  std::unique_ptr<db::Connection> evicted;
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.emplace_front(path, std::move(connection));
  if (idle_.size() > max_idle_) {
    evicted = std::move(idle_.back().second);  // closed after the lock is released
    idle_.pop_back();
  }
}

// ---- QueryRunner ----

QueryOutcome outcome_from_status(const Status& status, double elapsed_ms) {
  QueryOutcome o;
  o.kind = status.code() == ErrorCode::kTimeout ? QueryOutcome::Kind::kTimeout : QueryOutcome::Kind::kError;
  o.message = status.to_string();
  o.elapsed_ms = elapsed_ms;
  return o;
}

namespace {

// Outcomes that say something about the SQL and the database, not about this moment.
bool cacheable(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kSqlError:
    case ErrorCode::kRefused:
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kTimeout: return true;
    default: return false;
  }
}

}  // namespace

QueryRunner::QueryRunner(RunnerOptions options)
    : options_(std::move(options)),
      pool_(2 * (options_.jobs == 0 ? default_jobs() : options_.jobs) + 2) {}

QueryRunner::~QueryRunner() = default;

size_t QueryRunner::add(const std::string& db_path, const std::string& sql) {
  ++stats_.requested;
  std::string trimmed(text::trim(sql));
  std::string key = db_path;
  key += '\0';
  key += trimmed;
  auto [it, inserted] = index_.emplace(std::move(key), queries_.size());
  if (inserted) {
    queries_.push_back(Query{db_path, std::move(trimmed)});
    outcomes_.emplace_back();
  }
  return it->second;
}

std::string QueryRunner::fingerprint(const std::string& db_path) const {
  auto it = fingerprints_.find(db_path);
  return it == fingerprints_.end() ? std::string() : it->second;
}

void QueryRunner::run() {
  const size_t begin = done_, end = queries_.size();
  done_ = end;
  if (begin == end) return;
  stats_.distinct = queries_.size();
  const size_t jobs = options_.jobs == 0 ? default_jobs() : options_.jobs;
  const double limit_ms = static_cast<double>(options_.timeout.count());

  // 1. Open every database once: its fingerprint keys the cache, and a database that
  //    cannot be opened fails its queries with one clear message.
  std::vector<std::string> new_dbs;
  for (size_t i = begin; i < end; ++i) {
    const auto& path = queries_[i].db_path;
    if (!fingerprints_.count(path) && !open_errors_.count(path)) {
      fingerprints_[path];
      new_dbs.push_back(path);
    }
  }
  std::sort(new_dbs.begin(), new_dbs.end());
  new_dbs.erase(std::unique(new_dbs.begin(), new_dbs.end()), new_dbs.end());
  std::vector<std::string> fps(new_dbs.size()), errors(new_dbs.size());
  parallel_for(new_dbs.size(), jobs, [&](size_t k) {
    const std::string& path = new_dbs[k];
    std::error_code ec;
    if (auto file = db::sqlite_file_of(path); file && !std::filesystem::exists(*file, ec)) {
      errors[k] = "database not found: " + path;
      return;
    }
    auto lease = pool_.acquire(path);
    if (!lease.ok()) {
      errors[k] = "cannot open database " + path + ": " + lease.status().to_string();
      return;
    }
    fps[k] = (*lease)->fingerprint();
  });
  for (size_t k = 0; k < new_dbs.size(); ++k) {
    if (!errors[k].empty()) {
      fingerprints_.erase(new_dbs[k]);
      open_errors_[new_dbs[k]] = errors[k];
      ++stats_.failed_databases;
    } else {
      fingerprints_[new_dbs[k]] = fps[k];
    }
  }

  // 2. Answer what needs no execution: unopenable databases, blank SQL, the cache.
  std::vector<size_t> todo;
  for (size_t i = begin; i < end; ++i) {
    const Query& q = queries_[i];
    if (auto it = open_errors_.find(q.db_path); it != open_errors_.end()) {
      outcomes_[i] = QueryOutcome::error(it->second);
      continue;
    }
    if (is_blank_sql(q.sql)) {
      // Python's sqlite3 runs an empty statement as a no-op with no rows.
      outcomes_[i] = QueryOutcome{};
      ++stats_.blank;
      continue;
    }
    if (python_rejects_as_several_statements(q.sql)) {
      // The official scorers run SQL through Python's sqlite3, which refuses this.
      outcomes_[i] = QueryOutcome::error("ProgrammingError: You can only execute one statement at a time.");
      continue;
    }
    if (options_.cache) {
      if (auto hit = options_.cache->lookup(fingerprints_[q.db_path], q.sql, limit_ms)) {
        outcomes_[i] = std::move(*hit);
        ++stats_.cache_hits;
        continue;
      }
    }
    todo.push_back(i);
  }

  // 3. Execute the rest, grouped by database so that a thread keeps its connection.
  std::stable_sort(todo.begin(), todo.end(),
                   [&](size_t a, size_t b) { return queries_[a].db_path < queries_[b].db_path; });
  const auto start = std::chrono::steady_clock::now();
  Progress progress(options_.label, todo.size(), options_.quiet || todo.empty());
  db::QueryOptions query_options;
  query_options.timeout = options_.timeout;
  query_options.max_rows.reset();
  parallel_for(todo.size(), jobs, [&](size_t k) {
    const size_t i = todo[k];
    const Query& q = queries_[i];
    QueryOutcome out;
    auto lease = pool_.acquire(q.db_path);
    if (!lease.ok()) {
      out = QueryOutcome::error("cannot open database " + db::redact_address(q.db_path) + ": " + lease.status().to_string());
    } else {
      const auto t0 = std::chrono::steady_clock::now();
      auto result = (*lease)->execute(q.sql, query_options);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (result.ok()) {
        out.column_count = result->columns.size();
        out.rows = std::move(result->rows);
        out.elapsed_ms = ms;
        if (options_.cache) options_.cache->put(fingerprints_.at(q.db_path), q.sql, out, limit_ms);
      } else {
        out = outcome_from_status(result.status(), ms);
        if (options_.cache && cacheable(result.status())) {
          options_.cache->put(fingerprints_.at(q.db_path), q.sql, out, limit_ms);
        }
      }
    }
    outcomes_[i] = std::move(out);
    progress.tick();
  });
  stats_.executed += todo.size();
  stats_.execute_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish(std::to_string(todo.size()) + " queries executed");
  if (options_.cache) (void)options_.cache->flush();
}

}  // namespace askguru::eval
