// ValueIndex: the distinct text values of a database's columns, searchable by a
// keyword so that a word of a question finds the stored spelling ("Harvard" ->
// 'Harvard University', "Angella" -> 'Angela').
//
// Candidates come from an exact-match table plus one of two generators: MinHash LSH
// over character 3-grams (minhash.h) or SQLite FTS5 with the trigram tokenizer (an
// index database in the artifact directory, opened with the plain sqlite3 API).
// Candidates are re-ranked by edit similarity and word containment, and by embedding
// similarity when an embedder is given.
//
// Thread-safety: a built or loaded ValueIndex is safe for concurrent search() calls
// (the FTS5 handle is serialised internally).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"
#include "askguru/index/keywords.h"

namespace askguru::db {
class Connection;
}
namespace askguru::catalog {
struct Catalog;
}

namespace askguru::index {

class Embedder;

enum class CandidateGenerator { kLsh, kFts5 };
const char* candidate_generator_name(CandidateGenerator generator);
Result<CandidateGenerator> parse_candidate_generator(std::string_view name);

// Which columns to index.
enum class ColumnPolicy {
  kAllText,  // every text value of every column (long values excepted): the default, by measurement
  kChess,    // CHESS's rules: declared TEXT, no key/id/url/email/date/... columns, size limits
};

struct ValueIndexOptions {
  ColumnPolicy policy = ColumnPolicy::kAllText;
  // Values longer than this (in bytes) are free text, not literals: not indexed.
  size_t max_value_length = 120;
  // Columns with more distinct values than this are indexed up to it (first ones).
  size_t max_values_per_column = 1'000'000;
  // "table.column" (lower case) never read: e.g. columns the guardrail denies.
  std::vector<std::string> excluded_columns;
  // MinHash LSH.
  size_t num_perm = 32;
  uint64_t seed = 1;
  size_t ngram = 3;
  size_t bands = 16;  // 0: datasketch's optimum for `lsh_threshold`
  size_t rows = 2;
  double lsh_threshold = 0.1;
  // Also build the FTS5 trigram index (needed for CandidateGenerator::kFts5).
  bool build_fts5 = true;
  bool quiet = true;  // no progress line
};

struct ValueHit {
  std::string table;
  std::string column;
  std::string value;
  double score = 0.0;
  std::string keyword;  // the keyword that found it
};

struct ValueQueryOptions {
  size_t top_k = 10;
  CandidateGenerator generator = CandidateGenerator::kLsh;
  size_t candidates_per_keyword = 20;  // from the generator, before re-ranking (by measurement)
  size_t max_bucket = 128;             // LSH buckets larger than this are skipped (0: none)
  double min_similarity = 0.55;        // below this a candidate is dropped
  size_t max_keywords = 64;            // keywords looked up per question
  // Optional: re-rank the best candidates by cosine similarity too (keyword vs value).
  const Embedder* embedder = nullptr;
  double embedding_weight = 0.25;
};

struct ValueColumn {
  std::string table;
  std::string column;
  size_t values = 0;
};

struct ValueIndexStats {
  size_t columns = 0;
  size_t values = 0;
  size_t skipped_long = 0;  // values longer than max_value_length
  double seconds = 0.0;
};

class ValueIndex {
 public:
  ValueIndex();
  ~ValueIndex();
  ValueIndex(ValueIndex&&) noexcept;
  ValueIndex& operator=(ValueIndex&&) noexcept;

  // Reads the distinct values of the columns `options` selects and indexes them.
  static Result<ValueIndex> build(db::Connection& connection, const catalog::Catalog& catalog,
                                  const ValueIndexOptions& options = {});
  // Writes values.bin (values + LSH) and, when built, values_fts.db into `dir`
  // (created if missing).
  Status save(const std::string& dir) const;
  static Result<ValueIndex> load(const std::string& dir);

  // Values similar to one keyword, best first.
  std::vector<ValueHit> search(std::string_view keyword, const ValueQueryOptions& options = {}) const;
  // Values for several keywords, merged (a value keeps its best score), best first.
  std::vector<ValueHit> search_keywords(const std::vector<Keyword>& keywords,
                                        const ValueQueryOptions& options = {}) const;
  // Keywords from the question's n-grams and the evidence, then search_keywords().
  std::vector<ValueHit> search_question(std::string_view question, std::string_view evidence = {},
                                        const ValueQueryOptions& options = {}) const;

  // Whether `text` is stored (case-insensitive, exact).
  bool contains(std::string_view text) const;
  // The stored values equal to `text` (case-insensitive), with their columns.
  std::vector<ValueHit> exact(std::string_view text) const;

  const std::vector<ValueColumn>& columns() const;
  size_t value_count() const;
  bool has_fts5() const;
  const ValueIndexStats& stats() const;
  const ValueIndexOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Similarity of a stored value to a keyword in [0, 1]: 1 for equal (case-insensitive),
// high when the keyword is a whole-word part of the value, else edit similarity.
// Both arguments lower case.
double value_similarity(std::string_view keyword_lower, std::string_view value_lower);

}  // namespace askguru::index
