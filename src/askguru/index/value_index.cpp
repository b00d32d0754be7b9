#include "askguru/index/value_index.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "askguru/catalog/catalog.h"
#include "askguru/common/files.h"
#include "askguru/common/progress.h"
#include "askguru/common/text.h"
#include "askguru/db/connection.h"
#include "askguru/index/binary_io.h"
#include "askguru/index/embedder.h"
#include "askguru/index/lexical_embedder.h"
#include "askguru/index/minhash.h"

namespace askguru::index {
namespace {

constexpr std::string_view kMagic = "AGVALS01";
constexpr const char* kValuesFile = "values.bin";
constexpr const char* kFtsFile = "values_fts.db";

// Whether a server column's declared type can hold text (values are read as text:
// character types, dates and times, enums, json, uuid, ...): not numbers, booleans or
// binary data.
bool may_hold_text(std::string_view declared) {
  std::string t = text::to_lower(declared);
  for (const char* numeric : {"int", "numeric", "decimal", "real", "double", "float", "bool", "bytea", "blob", "serial",
                              "money", "number", "raw", "bit"}) {
    if (t.find(numeric) != std::string::npos) return false;
  }
  return true;
}

std::string quote_ident(std::string_view name) { return "\"" + text::replace_all(std::string(name), "\"", "\"\"") + "\""; }

bool is_word_byte(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) >= 0x80; }

// `needle` occurs in `hay` with a word boundary on both sides.
bool contains_word(std::string_view hay, std::string_view needle) {
  if (needle.empty() || needle.size() > hay.size()) return false;
  for (size_t pos = hay.find(needle); pos != std::string_view::npos; pos = hay.find(needle, pos + 1)) {
    bool left = pos == 0 || !is_word_byte(hay[pos - 1]);
    size_t end = pos + needle.size();
    bool right = end == hay.size() || !is_word_byte(hay[end]);
    if (left && right) return true;
  }
  return false;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !is_word_byte(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && is_word_byte(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// CHESS's column rules (src/database_utils/db_values/preprocess.py), case-insensitive on types.
bool chess_skips_name(const std::string& column) {
  std::string lower = text::to_lower(column);
  for (const char* word : {"_id", " id", "url", "email", "web", "time", "phone", "date", "address"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return column.size() >= 2 && column.ends_with("Id");
}

}  // namespace

const char* candidate_generator_name(CandidateGenerator generator) {
  return generator == CandidateGenerator::kLsh ? "lsh" : "fts5";
}

Result<CandidateGenerator> parse_candidate_generator(std::string_view name) {
  if (text::iequals(name, "lsh") || text::iequals(name, "minhash")) return CandidateGenerator::kLsh;
  if (text::iequals(name, "fts5") || text::iequals(name, "fts")) return CandidateGenerator::kFts5;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown candidate generator '" + std::string(name) + "' (expected lsh or fts5)");
}

double value_similarity(std::string_view k, std::string_view v) {
  if (k.empty() || v.empty()) return 0.0;
  if (k == v) return 1.0;
  // A plural of the value ("members" -> 'Member', "classes" -> 'class').
  if (k.size() > v.size() && k.size() - v.size() <= 2 && k.substr(0, v.size()) == v && v.size() >= 3) {
    std::string_view tail = k.substr(v.size());
    if (tail == "s" || tail == "es") return 0.97;
  }
  const double lk = static_cast<double>(k.size()), lv = static_cast<double>(v.size());
  double best = 0.0;
  if (k.size() < v.size() && contains_word(v, k)) best = 0.8 + 0.15 * lk / lv;
  else if (v.size() < k.size() && contains_word(k, v)) best = 0.6 + 0.25 * lv / lk;
  best = std::max(best, text::edit_similarity(k, v));
  // A misspelt word inside a longer value: compare with windows of as many words.
  std::vector<std::string_view> kw = split_words(k);
  std::vector<std::string_view> vw = split_words(v);
  if (!kw.empty() && vw.size() > kw.size()) {
    for (size_t i = 0; i + kw.size() <= vw.size(); ++i) {
      const char* begin = vw[i].data();
      const char* end = vw[i + kw.size() - 1].data() + vw[i + kw.size() - 1].size();
      std::string_view window(begin, static_cast<size_t>(end - begin));
      double s = text::edit_similarity(k, window);
      if (s >= 0.75) best = std::max(best, s * (0.8 + 0.15 * lk / lv));
    }
  }
  return best;
}

struct ValueIndex::Impl {
  ValueIndexOptions options;
  ValueIndexStats stats;
  std::vector<ValueColumn> columns;
  std::vector<uint32_t> value_column;
  std::vector<std::string> values;
  // Derived on build/load.
  std::vector<std::string> lower;
  std::unordered_map<std::string, std::vector<uint32_t>> exact;
  MinHasher hasher{1};
  MinHashLsh lsh;
  // LSH items: every value, and every word (4+ bytes) of a value with several words,
  // so that a misspelt part ("Harverd") still finds the whole ("Harvard University").
  std::vector<uint32_t> lsh_item_value;
  // Short codes of categorical columns ('F', 'M', 'PROF'): found by a keyword they begin
  // ("female", "professors").
  std::vector<uint32_t> short_codes;
  // Yes/no columns ('Y'/'N', 'yes'/'no', 'T'/'F'): a keyword naming the column or its
  // table ("scholarship" -> OnScholarship) finds their values.
  std::unordered_map<std::string, std::vector<uint32_t>> flag_values;  // name stem -> value ids
  // Every value id sorted by its lower-case text, for prefix lookups ("Canadian" -> 'Canada').
  std::vector<uint32_t> sorted;
  sqlite3* fts = nullptr;
  mutable std::mutex fts_mutex;
  sqlite3_stmt* fts_stmt = nullptr;

  ~Impl() {
    if (fts_stmt) sqlite3_finalize(fts_stmt);
    if (fts) sqlite3_close(fts);
  }

  void derive() {
    lower.resize(values.size());
    exact.clear();
    exact.reserve(values.size());
    short_codes.clear();
    for (size_t i = 0; i < values.size(); ++i) {
      lower[i] = text::to_lower(values[i]);
      exact[lower[i]].push_back(static_cast<uint32_t>(i));
      const ValueColumn& c = columns[value_column[i]];
      if (lower[i].size() <= kShortCodeLength && c.values <= kShortCodeColumnValues &&
          std::all_of(lower[i].begin(), lower[i].end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); })) {
        short_codes.push_back(static_cast<uint32_t>(i));
      }
    }
    flag_values.clear();
    {
      static const std::unordered_set<std::string_view> kFlags = {"y", "n", "yes", "no", "t", "f", "true", "false"};
      std::vector<std::vector<uint32_t>> by_column(columns.size());
      for (size_t i = 0; i < values.size(); ++i) by_column[value_column[i]].push_back(static_cast<uint32_t>(i));
      for (size_t c = 0; c < columns.size(); ++c) {
        const auto& ids = by_column[c];
        if (ids.empty() || ids.size() > 3) continue;
        if (!std::all_of(ids.begin(), ids.end(), [&](uint32_t id) { return kFlags.count(lower[id]) > 0; })) continue;
        std::unordered_set<std::string> stems;
        for (const std::string& w : lexical_words(columns[c].table + " " + columns[c].column)) {
          if (w.size() >= 4) stems.insert(lexical_stem(w));
        }
        for (const std::string& stem : stems) {
          auto& list = flag_values[stem];
          list.insert(list.end(), ids.begin(), ids.end());
        }
      }
    }
    sorted.resize(values.size());
    for (size_t i = 0; i < sorted.size(); ++i) sorted[i] = static_cast<uint32_t>(i);
    std::sort(sorted.begin(), sorted.end(), [&](uint32_t a, uint32_t b) { return lower[a] < lower[b]; });
  }

  // Single words sharing a long prefix with a single-word keyword: another form of the
  // same word (nationalities, inflections) that n-gram candidates miss.
  void prefix_candidates(const std::string& keyword_lower, std::vector<std::pair<uint32_t, double>>& out,
                         const std::unordered_set<uint32_t>& seen, double min_similarity) const {
    if (keyword_lower.size() < 5 || keyword_lower.find(' ') != std::string::npos) return;
    const size_t n = std::min<size_t>(5, keyword_lower.size() - 2);
    const std::string prefix = keyword_lower.substr(0, std::max<size_t>(n, 4));
    auto it = std::lower_bound(sorted.begin(), sorted.end(), prefix,
                               [&](uint32_t id, const std::string& p) { return lower[id] < p; });
    for (size_t taken = 0; it != sorted.end() && lower[*it].starts_with(prefix) && taken < kPrefixCandidates; ++it, ++taken) {
      const std::string& v = lower[*it];
      if (seen.count(*it) || v.find(' ') != std::string::npos) continue;
      size_t common = 0;
      while (common < v.size() && common < keyword_lower.size() && v[common] == keyword_lower[common]) ++common;
      double score = 0.5 + 0.4 * static_cast<double>(common) / static_cast<double>(std::max(v.size(), keyword_lower.size()));
      if (score >= min_similarity) out.emplace_back(*it, score);
    }
  }

  static constexpr size_t kPrefixCandidates = 20;
  static constexpr size_t kShortCodeLength = 4;
  static constexpr size_t kShortCodeColumnValues = 30;
  static constexpr double kShortCodeScore = 0.7;
  static constexpr double kFlagScore = 0.7;

  Status open_fts(const std::string& path, bool create) {
    int flags = create ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path.c_str(), &fts, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      std::string message = fts ? sqlite3_errmsg(fts) : "out of memory";
      return make_error(ErrorCode::kIoError, "opening value index " + path + ": " + message);
    }
    return Status();
  }

  Status prepare_fts() {
    const char* sql = "SELECT rowid FROM v WHERE v MATCH ?1 ORDER BY rank LIMIT ?2";
    if (sqlite3_prepare_v2(fts, sql, -1, &fts_stmt, nullptr) != SQLITE_OK) {
      return make_error(ErrorCode::kIoError, std::string("value index FTS5: ") + sqlite3_errmsg(fts));
    }
    return Status();
  }

  Status build_fts() {
    AG_RETURN_IF_ERROR(open_fts(":memory:", true));
    char* error = nullptr;
    if (sqlite3_exec(fts, "CREATE VIRTUAL TABLE v USING fts5(value, tokenize='trigram'); BEGIN;", nullptr, nullptr,
                     &error) != SQLITE_OK) {
      std::string message = error ? error : "?";
      sqlite3_free(error);
      return make_error(ErrorCode::kInternal, "FTS5 trigram tokenizer unavailable: " + message);
    }
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(fts, "INSERT INTO v(rowid, value) VALUES (?1, ?2)", -1, &insert, nullptr);
    for (size_t i = 0; i < values.size(); ++i) {
      sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(i));
      sqlite3_bind_text(insert, 2, values[i].data(), static_cast<int>(values[i].size()), SQLITE_STATIC);
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_exec(fts, "COMMIT; INSERT INTO v(v) VALUES('optimize');", nullptr, nullptr, nullptr);
    return prepare_fts();
  }

  void build_lsh() {
    LshParams params{options.bands, options.rows};
    if (params.bands == 0 || params.rows == 0) params = optimal_lsh_params(options.lsh_threshold, options.num_perm);
    hasher = MinHasher(options.num_perm, options.seed);
    lsh = MinHashLsh(options.num_perm, params);
    lsh_item_value.clear();
    for (size_t i = 0; i < lower.size(); ++i) {
      auto add = [&](std::string_view s) {
        lsh.insert(static_cast<uint32_t>(lsh_item_value.size()), hasher.signature(s, options.ngram));
        lsh_item_value.push_back(static_cast<uint32_t>(i));
      };
      add(lower[i]);
      std::vector<std::string_view> parts = split_words(lower[i]);
      if (parts.size() > 1) {
        for (std::string_view w : parts) {
          if (w.size() >= 4) add(w);
        }
      }
    }
    lsh.finalize();
  }

  std::vector<uint32_t> fts_candidates(std::string_view keyword_lower, size_t limit) const {
    std::vector<uint32_t> out;
    if (!fts_stmt) return out;
    std::vector<std::string_view> grams = char_ngrams(keyword_lower, 3);
    if (grams.empty() || grams[0].size() < 3) return out;
    std::unordered_set<std::string_view> unique;
    std::string match;
    for (std::string_view g : grams) {
      if (!unique.insert(g).second) continue;
      if (!match.empty()) match += " OR ";
      match += '"' + text::replace_all(std::string(g), "\"", "\"\"") + '"';
    }
    std::lock_guard lock(fts_mutex);
    sqlite3_bind_text(fts_stmt, 1, match.data(), static_cast<int>(match.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(fts_stmt, 2, static_cast<sqlite3_int64>(limit));
    while (sqlite3_step(fts_stmt) == SQLITE_ROW) out.push_back(static_cast<uint32_t>(sqlite3_column_int64(fts_stmt, 0)));
    sqlite3_reset(fts_stmt);
    sqlite3_clear_bindings(fts_stmt);
    return out;
  }

  // (id, similarity) for one lower-case keyword.
  std::vector<std::pair<uint32_t, double>> lookup(const std::string& keyword_lower, const ValueQueryOptions& q) const {
    std::unordered_set<uint32_t> ids;
    if (auto it = exact.find(keyword_lower); it != exact.end()) ids.insert(it->second.begin(), it->second.end());
    if (q.generator == CandidateGenerator::kFts5 && fts_stmt) {
      for (uint32_t id : fts_candidates(keyword_lower, q.candidates_per_keyword)) ids.insert(id);
    } else if (lsh.size() > 0) {
      Signature sig = hasher.signature(keyword_lower, options.ngram);
      for (auto [item, bands] : lsh.query(sig, q.candidates_per_keyword, q.max_bucket)) ids.insert(lsh_item_value[item]);
    }
    std::vector<std::pair<uint32_t, double>> out;
    for (uint32_t id : ids) {
      double s = value_similarity(keyword_lower, lower[id]);
      if (s >= q.min_similarity) out.emplace_back(id, s);
    }
    prefix_candidates(keyword_lower, out, ids, q.min_similarity);
    if (!flag_values.empty() && keyword_lower.size() >= 4 && keyword_lower.find(' ') == std::string::npos) {
      auto it = flag_values.find(lexical_stem(keyword_lower));
      if (it != flag_values.end()) {
        for (uint32_t id : it->second) out.emplace_back(id, kFlagScore);
      }
    }
    if (keyword_lower.size() >= 4 && keyword_lower.size() <= 16 &&
        std::all_of(keyword_lower.begin(), keyword_lower.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); })) {
      for (uint32_t id : short_codes) {
        if (keyword_lower.starts_with(lower[id]) && !ids.count(id)) out.emplace_back(id, kShortCodeScore);
      }
    }
    return out;
  }
};

ValueIndex::ValueIndex() : impl_(std::make_unique<Impl>()) {}
ValueIndex::~ValueIndex() = default;
ValueIndex::ValueIndex(ValueIndex&&) noexcept = default;
ValueIndex& ValueIndex::operator=(ValueIndex&&) noexcept = default;

bool ValueIndex::contains(std::string_view text) const {
  return impl_->exact.count(text::to_lower(text::trim(text))) > 0;
}

std::vector<ValueHit> ValueIndex::exact(std::string_view text) const {
  std::vector<ValueHit> out;
  auto it = impl_->exact.find(text::to_lower(text::trim(text)));
  if (it == impl_->exact.end()) return out;
  for (uint32_t id : it->second) {
    const ValueColumn& c = impl_->columns[impl_->value_column[id]];
    out.push_back({c.table, c.column, impl_->values[id], 1.0, std::string(text)});
  }
  return out;
}

const std::vector<ValueColumn>& ValueIndex::columns() const { return impl_->columns; }
size_t ValueIndex::value_count() const { return impl_->values.size(); }
bool ValueIndex::has_fts5() const { return impl_->fts_stmt != nullptr; }
const ValueIndexStats& ValueIndex::stats() const { return impl_->stats; }
const ValueIndexOptions& ValueIndex::options() const { return impl_->options; }

Result<ValueIndex> ValueIndex::build(db::Connection& connection, const catalog::Catalog& catalog,
                                     const ValueIndexOptions& options) {
  auto start = std::chrono::steady_clock::now();
  ValueIndex index;
  Impl& impl = *index.impl_;
  impl.options = options;
  std::unordered_set<std::string> excluded;
  for (const std::string& e : options.excluded_columns) excluded.insert(text::to_lower(e));
  std::unordered_set<std::string> key_names;  // CHESS skips every column named like any primary key
  for (const catalog::Table& t : catalog.tables) {
    for (const catalog::Column& c : t.columns) {
      if (c.primary_key) key_names.insert(text::to_lower(c.name));
    }
  }
  size_t total_columns = 0;
  for (const catalog::Table& t : catalog.tables) total_columns += t.columns.size();
  Progress progress("value index " + catalog.db_id, total_columns, options.quiet);
  db::QueryOptions query_options;
  query_options.timeout = std::chrono::milliseconds(0);
  const bool sqlite = connection.dialect() == Dialect::kSqlite;

  for (const catalog::Table& t : catalog.tables) {
    if (t.is_view || text::iequals(t.name, "sqlite_sequence")) {
      progress.tick(t.columns.size());
      continue;
    }
    for (const catalog::Column& c : t.columns) {
      progress.tick();
      if (excluded.count(text::to_lower(t.name + "." + c.name)) || excluded.count(text::to_lower(t.name + ".*"))) continue;
      const std::string col = quote_ident(c.name);
      const std::string from = t.schema.empty() ? quote_ident(t.name) : quote_ident(t.schema) + "." + quote_ident(t.name);
      // Server databases type their columns: only those that can hold text are read.
      if (!sqlite && !may_hold_text(c.type)) continue;
      if (options.policy == ColumnPolicy::kChess) {
        if (text::to_upper(c.type).find("TEXT") == std::string::npos) continue;
        if (key_names.count(text::to_lower(c.name)) || chess_skips_name(c.name)) continue;
        auto sizes = connection.execute("SELECT SUM(LENGTH(u)), COUNT(u) FROM (SELECT DISTINCT " + col + " AS u FROM " +
                                            from + " WHERE " + col + " IS NOT NULL) d",
                                        query_options);
        if (!sizes.ok() || sizes->rows.empty() || sizes->rows[0][0].is_null()) continue;
        double sum = sizes->rows[0][0].type() == db::ValueType::kInteger ? static_cast<double>(sizes->rows[0][0].as_integer())
                                                                        : 0.0;
        double count = static_cast<double>(sizes->rows[0][1].as_integer());
        if (count == 0) continue;
        bool name = text::to_lower(c.name).find("name") != std::string::npos;
        if (!((name && sum < 5e6) || (sum < 2e6 && sum / count < 25) || count < 100)) continue;
      }
      std::string sql = sqlite ? "SELECT DISTINCT " + col + " FROM " + from + " WHERE typeof(" + col +
                                     ") = 'text' LIMIT " + std::to_string(options.max_values_per_column)
                               : "SELECT DISTINCT " + col + " FROM " + from + " WHERE " + col + " IS NOT NULL" +
                                     (connection.dialect() == Dialect::kOracle ? " FETCH FIRST " : " LIMIT ") +
                                     std::to_string(options.max_values_per_column) +
                                     (connection.dialect() == Dialect::kOracle ? " ROWS ONLY" : "");
      auto rows = connection.execute(sql, query_options);
      if (!rows.ok()) {
        // A server column DISTINCT cannot read (PostgreSQL json, Oracle CLOB/LONG) is left
        // out; on SQLite every column can be read, so an error there is real.
        if (sqlite || rows.status().code() != ErrorCode::kSqlError) {
          return rows.status().with_context("value index: reading " + t.name + "." + c.name);
        }
        spdlog::info("value index: {}.{} left out: {}", t.name, c.name, rows.error());
        continue;
      }
      ValueColumn vc{t.name, c.name, 0};
      const auto column_id = static_cast<uint32_t>(impl.columns.size());
      for (const db::Row& row : rows->rows) {
        if (row.empty() || row[0].type() != db::ValueType::kText) continue;
        const std::string& v = row[0].as_text();
        if (text::trim(v).empty()) continue;
        if (v.size() > options.max_value_length) {
          ++impl.stats.skipped_long;
          continue;
        }
        impl.values.push_back(v);
        impl.value_column.push_back(column_id);
        ++vc.values;
      }
      if (vc.values > 0) impl.columns.push_back(std::move(vc));
    }
  }
  impl.derive();
  impl.build_lsh();
  if (options.build_fts5) AG_RETURN_IF_ERROR(impl.build_fts());
  impl.stats.columns = impl.columns.size();
  impl.stats.values = impl.values.size();
  impl.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish(std::to_string(impl.values.size()) + " values in " + std::to_string(impl.columns.size()) + " columns");
  return index;
}

Status ValueIndex::save(const std::string& dir) const {
  const Impl& impl = *impl_;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kIoError, "creating " + dir + ": " + ec.message());
  std::string out;
  out.append(kMagic);
  const ValueIndexOptions& o = impl.options;
  bin::put<uint64_t>(out, o.num_perm);
  bin::put<uint64_t>(out, o.seed);
  bin::put<uint64_t>(out, o.ngram);
  bin::put<uint64_t>(out, o.max_value_length);
  bin::put<uint32_t>(out, static_cast<uint32_t>(o.policy));
  bin::put<uint64_t>(out, impl.stats.skipped_long);
  bin::put<double>(out, impl.stats.seconds);
  bin::put<uint32_t>(out, static_cast<uint32_t>(impl.columns.size()));
  for (const ValueColumn& c : impl.columns) {
    bin::put_string(out, c.table);
    bin::put_string(out, c.column);
    bin::put<uint64_t>(out, c.values);
  }
  bin::put<uint64_t>(out, impl.values.size());
  for (size_t i = 0; i < impl.values.size(); ++i) {
    bin::put<uint32_t>(out, impl.value_column[i]);
    bin::put_string(out, impl.values[i]);
  }
  impl.lsh.write(out);
  bin::put<uint64_t>(out, impl.lsh_item_value.size());
  out.append(reinterpret_cast<const char*>(impl.lsh_item_value.data()), impl.lsh_item_value.size() * sizeof(uint32_t));
  const std::string values_path = (std::filesystem::path(dir) / kValuesFile).string();
  AG_RETURN_IF_ERROR(files::write_file(values_path, out));

  const std::string fts_path = (std::filesystem::path(dir) / kFtsFile).string();
  std::filesystem::remove(fts_path, ec);
  if (impl.fts) {
    std::lock_guard lock(impl.fts_mutex);
    std::string tmp = fts_path + ".tmp";
    std::filesystem::remove(tmp, ec);
    std::string sql = "VACUUM INTO '" + text::replace_all(tmp, "'", "''") + "'";
    char* error = nullptr;
    if (sqlite3_exec(impl.fts, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "?";
      sqlite3_free(error);
      return make_error(ErrorCode::kIoError, "writing " + fts_path + ": " + message);
    }
    std::filesystem::rename(tmp, fts_path, ec);
    if (ec) return make_error(ErrorCode::kIoError, "writing " + fts_path + ": " + ec.message());
  }
  return Status();
}

Result<ValueIndex> ValueIndex::load(const std::string& dir) {
  const std::string values_path = (std::filesystem::path(dir) / kValuesFile).string();
  AG_ASSIGN_OR_RETURN(std::string data, files::read_file(values_path));
  auto corrupt = [&](const std::string& what) {
    return make_error(ErrorCode::kParseError, values_path + ": not a value index or damaged (" + what + ")");
  };
  ValueIndex index;
  Impl& impl = *index.impl_;
  bin::Reader in(data);
  if (!in.expect(kMagic)) return corrupt("bad magic");
  uint64_t num_perm = 0, seed = 0, ngram = 0, max_len = 0, skipped = 0;
  uint32_t policy = 0, ncolumns = 0;
  in.get(num_perm);
  in.get(seed);
  in.get(ngram);
  in.get(max_len);
  in.get(policy);
  in.get(skipped);
  in.get(impl.stats.seconds);
  in.get(ncolumns);
  if (!in.ok() || num_perm == 0 || num_perm > 4096 || ngram == 0 || ngram > 16 || policy > 1) return corrupt("header");
  impl.options.num_perm = num_perm;
  impl.options.seed = seed;
  impl.options.ngram = ngram;
  impl.options.max_value_length = max_len;
  impl.options.policy = static_cast<ColumnPolicy>(policy);
  impl.stats.skipped_long = skipped;
  for (uint32_t i = 0; i < ncolumns && in.ok(); ++i) {
    ValueColumn c;
    uint64_t n = 0;
    in.get_string(c.table);
    in.get_string(c.column);
    in.get(n);
    c.values = n;
    impl.columns.push_back(std::move(c));
  }
  uint64_t nvalues = 0;
  in.get(nvalues);
  if (!in.ok() || nvalues > data.size()) return corrupt("columns");
  impl.values.resize(nvalues);
  impl.value_column.resize(nvalues);
  for (uint64_t i = 0; i < nvalues && in.ok(); ++i) {
    in.get(impl.value_column[i]);
    in.get_string(impl.values[i]);
    if (impl.value_column[i] >= ncolumns) in.fail();
  }
  if (!in.ok()) return corrupt("values");
  if (!MinHashLsh::read(in.rest(), impl.lsh)) return corrupt("lsh");
  uint64_t nitems = 0;
  in.get(nitems);
  if (!in.ok() || nitems != impl.lsh.size() || in.rest().size() != nitems * sizeof(uint32_t)) return corrupt("lsh items");
  impl.lsh_item_value.resize(nitems);
  std::memcpy(impl.lsh_item_value.data(), in.rest().data(), nitems * sizeof(uint32_t));
  for (uint32_t v : impl.lsh_item_value) {
    if (v >= nvalues) return corrupt("lsh items");
  }
  impl.options.bands = impl.lsh.params().bands;
  impl.options.rows = impl.lsh.params().rows;
  impl.hasher = MinHasher(num_perm, seed);
  impl.derive();
  impl.stats.columns = impl.columns.size();
  impl.stats.values = impl.values.size();

  const std::string fts_path = (std::filesystem::path(dir) / kFtsFile).string();
  impl.options.build_fts5 = files::exists(fts_path);
  if (impl.options.build_fts5) {
    AG_RETURN_IF_ERROR(impl.open_fts(fts_path, false));
    AG_RETURN_IF_ERROR(impl.prepare_fts());
  }
  return index;
}

std::vector<ValueHit> ValueIndex::search(std::string_view keyword, const ValueQueryOptions& options) const {
  return search_keywords({Keyword{std::string(keyword), 1.0, false}}, options);
}

std::vector<ValueHit> ValueIndex::search_keywords(const std::vector<Keyword>& keywords,
                                                  const ValueQueryOptions& options) const {
  const Impl& impl = *impl_;
  struct Best {
    double score = 0.0;
    size_t keyword = 0;
  };
  std::unordered_map<uint32_t, Best> best;
  const size_t n = std::min(keywords.size(), options.max_keywords);
  std::vector<std::string> lowered(n);
  for (size_t k = 0; k < n; ++k) {
    lowered[k] = text::to_lower(text::trim(keywords[k].text));
    if (lowered[k].empty()) continue;
    for (auto [id, sim] : impl.lookup(lowered[k], options)) {
      double score = sim * keywords[k].weight;
      Best& b = best[id];
      if (score > b.score) b = {score, k};
    }
  }
  std::vector<std::pair<uint32_t, Best>> ranked(best.begin(), best.end());
  auto better = [&](const auto& x, const auto& y) {
    if (x.second.score != y.second.score) return x.second.score > y.second.score;
    return x.first < y.first;
  };
  std::sort(ranked.begin(), ranked.end(), better);

  if (options.embedder && !ranked.empty()) {
    const size_t m = std::min(ranked.size(), options.top_k * 3);
    std::vector<std::string> texts;
    for (size_t i = 0; i < m; ++i) {
      texts.push_back(lowered[ranked[i].second.keyword]);
      texts.push_back(impl.lower[ranked[i].first]);
    }
    auto vectors = options.embedder->embed(texts);
    if (vectors.ok() && vectors->size() == texts.size()) {
      for (size_t i = 0; i < m; ++i) {
        double cosine = dot(vectors->row(2 * i), vectors->row(2 * i + 1), vectors->dim);
        double& s = ranked[i].second.score;
        s = (1.0 - options.embedding_weight) * s + options.embedding_weight * std::max(0.0, cosine);
      }
      std::sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(m), better);
    }
  }

  std::vector<ValueHit> out;
  for (size_t i = 0; i < ranked.size() && out.size() < options.top_k; ++i) {
    uint32_t id = ranked[i].first;
    const ValueColumn& c = impl.columns[impl.value_column[id]];
    out.push_back({c.table, c.column, impl.values[id], ranked[i].second.score, keywords[ranked[i].second.keyword].text});
  }
  return out;
}

std::vector<ValueHit> ValueIndex::search_question(std::string_view question, std::string_view evidence,
                                                  const ValueQueryOptions& options) const {
  return search_keywords(question_keywords(question, evidence), options);
}

}  // namespace askguru::index
