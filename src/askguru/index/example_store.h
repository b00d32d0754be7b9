// ExampleStore: question/SQL pairs (a training set, or a team's curated pairs)
// searchable by question similarity, for few-shot prompts.
//
// Each question is masked into a skeleton before it is embedded, so that examples
// are found by what they ask, not by which values they name: numbers become [NUM],
// quoted strings [STR], values stored in the database (found in its ValueIndex)
// [VAL], and capitalised entity spans [ENT] ("How many singers are older than
// 40?" -> "How many singers are older than [NUM]?"). Each entry keeps the masked
// question's embedding (FAISS flat inner product), the question, the SQL, the SQL
// skeleton and the database. search() returns the top-k similar examples with
// distinct SQL skeletons, from the same database first and from others when those
// are few, and can exclude the question being asked (evaluation on a training set).
//
// Persisted in a directory: examples.bin, examples.faiss, example_embedder.bin.
// Thread-safety: a built or loaded store is safe for concurrent search() calls.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"

namespace askguru::index {

class Embedder;
class ValueIndex;

struct ExamplePair {
  std::string db_id;
  std::string question;
  std::string evidence;
  std::string sql;
};

struct StoredExample {
  std::string db_id;
  std::string question;
  std::string evidence;
  std::string masked;    // the masked question
  std::string sql;
  std::string skeleton;  // the SQL with identifiers and literals masked
};

struct ExampleHit {
  size_t id = 0;  // position in the store
  StoredExample example;
  double score = 0.0;  // cosine similarity of the masked questions
  bool same_db = false;
};

// Masks a question's values and entities (see the class comment). `values` may be
// null (no [VAL] masking).
std::string mask_question(std::string_view question, const ValueIndex* values = nullptr);
// The SQL's skeleton for diversity: sql::skeleton() with columns and tables masked
// ("SELECT COUNT(*) FROM _ WHERE _ > ?"); a lexical masking when it does not parse.
std::string sql_skeleton(std::string_view sql);

struct ExampleStoreOptions {
  size_t dimension = 768;  // of the built-in lexical embedder
  // The value index of an example's database, for [VAL] masking; may return null.
  std::function<const ValueIndex*(const std::string& db_id)> values_for;
  bool quiet = true;
};

struct ExampleQuery {
  size_t top_k = 5;
  std::string db_id;             // examples of this database come first
  std::string exclude_question;  // never return this question (case-insensitive) of db_id
  // Never return an example of db_id with this SQL (compared without case, spaces and
  // quote style): in evaluation, paraphrases of the asked question share its gold SQL.
  std::string exclude_sql;
  const ValueIndex* values = nullptr;  // the database's values, for masking the question
  bool diverse = true;           // at most one example per SQL skeleton (while there are enough)
  // Same-database examples below this similarity give way to better ones from other databases.
  double min_same_db_score = 0.3;
  // Only same-database examples of at least min_same_db_score (no search of the others).
  bool same_db_only = false;
};

class ExampleStore {
 public:
  ExampleStore();
  ~ExampleStore();
  ExampleStore(ExampleStore&&) noexcept;
  ExampleStore& operator=(ExampleStore&&) noexcept;

  // `embedder` null: a LexicalEmbedder fitted on the masked questions.
  static Result<ExampleStore> build(std::vector<ExamplePair> pairs, const ExampleStoreOptions& options = {},
                                    std::shared_ptr<const Embedder> embedder = nullptr);
  // Pairs from a Spider/BIRD dataset file (train.json, dev.json).
  static Result<std::vector<ExamplePair>> read_pairs(const std::string& dataset_path);

  Status save(const std::string& dir) const;
  static Result<ExampleStore> load(const std::string& dir, std::shared_ptr<const Embedder> embedder = nullptr);

  Result<std::vector<ExampleHit>> search(std::string_view question, const ExampleQuery& query = {}) const;

  size_t size() const;
  const StoredExample& at(size_t i) const;
  std::string embedder_name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace askguru::index
