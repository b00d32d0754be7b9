#include "askguru/eval/result_cache.h"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "askguru/common/hash.h"

namespace askguru::eval {
namespace {

constexpr size_t kFlushBytes = 64u << 20;   // flush when this much is buffered
constexpr size_t kFlushEntries = 4096;
constexpr size_t kMaxPayload = 256u << 20;  // results larger than this are not cached

const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS results(
  key INTEGER PRIMARY KEY,      -- xxh64(fingerprint NUL sql)
  fingerprint TEXT NOT NULL,
  sql TEXT NOT NULL,
  kind INTEGER NOT NULL,        -- 0 rows, 1 error, 2 timeout
  message TEXT,
  elapsed_ms REAL NOT NULL,
  limit_ms REAL NOT NULL,       -- the time limit of the run that stored it (0: none)
  payload BLOB,                 -- encoded rows for kind 0
  created INTEGER NOT NULL DEFAULT (strftime('%s','now'))
);
)";

int64_t cache_key(const std::string& fingerprint, const std::string& sql) {
  std::string k;
  k.reserve(fingerprint.size() + 1 + sql.size());
  k += fingerprint;
  k += '\0';
  k += sql;
  return static_cast<int64_t>(hash::xxh64(k, 0x6576616c));
}

void put_u64(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool get_u64(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    auto b = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = result;
      return true;
    }
  }
  return false;
}

void put_fixed64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(buf, 8);
}

bool get_fixed64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r |= static_cast<uint64_t>(static_cast<unsigned char>((*in)[i])) << (8 * i);
  in->remove_prefix(8);
  *v = r;
  return true;
}

std::string home_cache() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/askguru/eval";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/askguru/eval";
  return ".askguru-cache/eval";
}

}  // namespace

std::string ResultCache::default_dir() {
  if (const char* dir = std::getenv("ASKGURU_CACHE_DIR"); dir && *dir) return std::string(dir) + "/eval";
  return home_cache();
}

std::string ResultCache::encode_rows(const std::vector<db::Row>& rows, size_t column_count) {
  std::string out;
  out.reserve(16 + rows.size() * column_count * 4);
  out.push_back(1);  // format version
  put_u64(&out, column_count);
  put_u64(&out, rows.size());
  for (const auto& row : rows) {
    put_u64(&out, row.size());
    for (const auto& v : row) {
      out.push_back(static_cast<char>(v.type()));
      switch (v.type()) {
        case db::ValueType::kNull: break;
        case db::ValueType::kInteger: {
          // zig-zag varint: small numbers stay small
          auto x = static_cast<uint64_t>(v.as_integer());
          put_u64(&out, (x << 1) ^ static_cast<uint64_t>(v.as_integer() >> 63));
          break;
        }
        case db::ValueType::kReal: {
          double d = v.as_real();
          uint64_t bits;
          std::memcpy(&bits, &d, sizeof bits);
          put_fixed64(&out, bits);
          break;
        }
        case db::ValueType::kText:
          put_u64(&out, v.as_text().size());
          out += v.as_text();
          break;
        case db::ValueType::kBlob:
          put_u64(&out, v.as_blob().size());
          out += v.as_blob();
          break;
      }
    }
  }
  return out;
}

bool ResultCache::decode_rows(std::string_view in, std::vector<db::Row>* rows, size_t* column_count) {
  if (in.empty() || in.front() != 1) return false;
  in.remove_prefix(1);
  uint64_t ncols, nrows;
  if (!get_u64(&in, &ncols) || !get_u64(&in, &nrows)) return false;
  if (nrows > in.size()) return false;
  *column_count = static_cast<size_t>(ncols);
  rows->clear();
  rows->reserve(static_cast<size_t>(nrows));
  for (uint64_t r = 0; r < nrows; ++r) {
    uint64_t n;
    if (!get_u64(&in, &n) || n > in.size()) return false;
    db::Row row;
    row.reserve(static_cast<size_t>(n));
    for (uint64_t c = 0; c < n; ++c) {
      if (in.empty()) return false;
      auto type = static_cast<db::ValueType>(in.front());
      in.remove_prefix(1);
      switch (type) {
        case db::ValueType::kNull: row.emplace_back(); break;
        case db::ValueType::kInteger: {
          uint64_t z;
          if (!get_u64(&in, &z)) return false;
          row.push_back(db::Value::integer(static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1))));
          break;
        }
        case db::ValueType::kReal: {
          uint64_t bits;
          if (!get_fixed64(&in, &bits)) return false;
          double d;
          std::memcpy(&d, &bits, sizeof d);
          row.push_back(db::Value::real(d));
          break;
        }
        case db::ValueType::kText:
        case db::ValueType::kBlob: {
          uint64_t len;
          if (!get_u64(&in, &len) || len > in.size()) return false;
          std::string bytes(in.substr(0, static_cast<size_t>(len)));
          in.remove_prefix(static_cast<size_t>(len));
          row.push_back(type == db::ValueType::kText ? db::Value::text(std::move(bytes))
                                                     : db::Value::blob(std::move(bytes)));
          break;
        }
        default: return false;
      }
    }
    rows->push_back(std::move(row));
  }
  return in.empty();
}

Result<std::unique_ptr<ResultCache>> ResultCache::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kIoError, "cannot create the cache directory " + dir + ": " + ec.message());
  std::string path = dir + "/results-v1.sqlite";
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(ErrorCode::kIoError, "cannot open the result cache " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 30000);
  char* err = nullptr;
  std::string setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;") + kSchema;
  rc = sqlite3_exec(db, setup.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    sqlite3_close(db);
    return make_error(ErrorCode::kIoError, "cannot set up the result cache " + path + ": " + msg);
  }
  std::unique_ptr<ResultCache> cache(new ResultCache(path, db));
  const char* select_sql = "SELECT fingerprint, sql, kind, message, elapsed_ms, limit_ms, payload FROM results WHERE key = ?";
  const char* insert_sql =
      "INSERT OR REPLACE INTO results(key, fingerprint, sql, kind, message, elapsed_ms, limit_ms, payload) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  if (sqlite3_prepare_v2(db, select_sql, -1, &cache->select_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, insert_sql, -1, &cache->insert_, nullptr) != SQLITE_OK) {
    return make_error(ErrorCode::kIoError, "cannot prepare the result cache " + path + ": " + sqlite3_errmsg(db));
  }
  return cache;
}

ResultCache::ResultCache(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

ResultCache::~ResultCache() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    (void)flush_locked();
  }
  sqlite3_finalize(select_);
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

// Turns a stored entry into the outcome for a run with limit `limit_ms`, or nullopt
// when the entry cannot answer it (a timeout under a smaller limit, a bad payload).
std::optional<QueryOutcome> ResultCache::restore(int kind, std::string message, double elapsed_ms, double stored_limit,
                                                 std::string_view payload, double limit_ms) {
  QueryOutcome o;
  o.kind = static_cast<QueryOutcome::Kind>(kind);
  o.message = std::move(message);
  o.elapsed_ms = elapsed_ms;
  if (o.kind == QueryOutcome::Kind::kTimeout) {
    if (!(limit_ms > 0 && limit_ms <= stored_limit)) return std::nullopt;
  } else if (o.kind == QueryOutcome::Kind::kRows) {
    if (!decode_rows(payload, &o.rows, &o.column_count)) return std::nullopt;
    if (limit_ms > 0 && o.elapsed_ms > limit_ms) {
      o.kind = QueryOutcome::Kind::kTimeout;
      o.message = "query exceeded " + std::to_string(static_cast<int64_t>(limit_ms)) + " ms";
      o.rows.clear();
    }
  } else if (o.kind != QueryOutcome::Kind::kError) {
    return std::nullopt;
  }
  return o;
}

std::optional<QueryOutcome> ResultCache::lookup(const std::string& fingerprint, const std::string& sql,
                                                double limit_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  const int64_t key = cache_key(fingerprint, sql);
  // Entries still buffered in this process.
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    if (it->key == key && it->fingerprint == fingerprint && it->sql == sql) {
      return restore(it->kind, it->message, it->elapsed_ms, it->limit_ms, it->payload, limit_ms);
    }
  }
  sqlite3_reset(select_);
  sqlite3_bind_int64(select_, 1, key);
  if (sqlite3_step(select_) != SQLITE_ROW) {
    sqlite3_reset(select_);
    return std::nullopt;
  }
  auto column_text = [&](int i) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(select_, i));
    return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(select_, i)));
  };
  std::optional<QueryOutcome> result;
  if (column_text(0) == fingerprint && column_text(1) == sql) {
    const auto* blob = static_cast<const char*>(sqlite3_column_blob(select_, 6));
    std::string_view payload(blob ? blob : "", static_cast<size_t>(sqlite3_column_bytes(select_, 6)));
    result = restore(sqlite3_column_int(select_, 2), column_text(3), sqlite3_column_double(select_, 4),
                     sqlite3_column_double(select_, 5), payload, limit_ms);
  }
  sqlite3_reset(select_);
  return result;
}

void ResultCache::put(const std::string& fingerprint, const std::string& sql, const QueryOutcome& outcome,
                      double limit_ms) {
  Pending p;
  p.key = cache_key(fingerprint, sql);
  p.fingerprint = fingerprint;
  p.sql = sql;
  p.kind = static_cast<int>(outcome.kind);
  p.message = outcome.message;
  p.elapsed_ms = outcome.elapsed_ms;
  p.limit_ms = limit_ms;
  if (outcome.ok()) {
    p.payload = encode_rows(outcome.rows, outcome.column_count);
    if (p.payload.size() > kMaxPayload) return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  pending_bytes_ += p.payload.size() + p.sql.size();
  pending_.push_back(std::move(p));
  if (pending_bytes_ > kFlushBytes || pending_.size() >= kFlushEntries) (void)flush_locked();
}

Status ResultCache::flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  return flush_locked();
}

Status ResultCache::flush_locked() {
  if (pending_.empty()) return Status();
  auto fail = [&](const char* what) {
    std::string msg = std::string("result cache ") + path_ + ": " + what + ": " + sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    pending_.clear();
    pending_bytes_ = 0;
    return make_error(ErrorCode::kIoError, msg);
  };
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("begin");
  for (const auto& p : pending_) {
    sqlite3_reset(insert_);
    sqlite3_bind_int64(insert_, 1, p.key);
    sqlite3_bind_text(insert_, 2, p.fingerprint.data(), static_cast<int>(p.fingerprint.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 3, p.sql.data(), static_cast<int>(p.sql.size()), SQLITE_STATIC);
    sqlite3_bind_int(insert_, 4, p.kind);
    sqlite3_bind_text(insert_, 5, p.message.data(), static_cast<int>(p.message.size()), SQLITE_STATIC);
    sqlite3_bind_double(insert_, 6, p.elapsed_ms);
    sqlite3_bind_double(insert_, 7, p.limit_ms);
    if (p.kind == 0) {
      sqlite3_bind_blob(insert_, 8, p.payload.data(), static_cast<int>(p.payload.size()), SQLITE_STATIC);
    } else {
      sqlite3_bind_null(insert_, 8);
    }
    if (sqlite3_step(insert_) != SQLITE_DONE) {
      sqlite3_reset(insert_);
      return fail("insert");
    }
  }
  sqlite3_reset(insert_);
  sqlite3_clear_bindings(insert_);
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  written_ += pending_.size();
  pending_.clear();
  pending_bytes_ = 0;
  return Status();
}

}  // namespace askguru::eval
