// DatabaseArtifacts: everything retrieval knows about one database, built once and
// cached on disk in the database's artifact directory (profile/artifacts.h, keyed by
// its fingerprint, so a changed database gets a fresh build; `force` rebuilds): the
// profiled catalog (catalog.json, profile::profiled_catalog), the value index, the
// column index and retrieval.json, a manifest naming the example store `askguru index
// --examples` attached. Denied columns are neither profiled nor indexed. retrieve() answers one question with its
// values, columns and examples (the grounding inputs of the online pipeline).
//
// Example stores are shared between databases (a training set spans many): they
// live under <root>/examples/<hash of the dataset file>/ (open_example_store()).
//
// Thread-safety: open() builds or loads; afterwards retrieve() is safe to call from
// several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"
#include "askguru/index/column_index.h"
#include "askguru/index/example_store.h"
#include "askguru/index/value_index.h"

namespace askguru::index {

struct ArtifactOptions {
  // Root of the artifact directories; empty: profile::default_artifacts_root().
  std::string root;
  bool force = false;         // rebuild even when a complete build is there
  bool build_missing = true;  // false: a missing build is an error
  std::string tables_json;    // Spider/BIRD tables.json for natural names (optional)
  std::string descriptions_dir;
  // Columns never profiled or indexed: "table.column" or "table.*" (case-insensitive).
  std::vector<std::string> deny;
  // Optional: false for a column a guardrail policy denies (never profiled or indexed
  // either). A build whose profile denied other columns than these is rebuilt.
  std::function<bool(std::string_view table, std::string_view column)> allow;
  size_t profile_jobs = 1;  // threads profiling tables
  ValueIndexOptions values;
  ColumnIndexOptions columns;
  // Embeds the column documents and questions; null: the built-in lexical embedder.
  // A build is reused only with an embedder of the same name() (model and endpoint);
  // another one rebuilds the column index, so vectors of two embedders never mix.
  std::shared_ptr<const Embedder> embedder;
  bool quiet = true;  // no progress lines
};

struct BuildStats {
  bool built = false;  // false: loaded from disk
  double catalog_seconds = 0.0;
  double values_seconds = 0.0;
  double columns_seconds = 0.0;
  double load_seconds = 0.0;
  uint64_t bytes = 0;  // size of the artifact directory
};

struct RetrievalQuery {
  std::string question;
  std::string evidence;
  size_t values_k = 10;
  size_t columns_k = 10;
  size_t examples_k = 5;
  std::string exclude_question;  // for evaluation on the store's own questions
  std::string exclude_sql;       // for evaluation: nor any example with the asked gold SQL
  // Same-database examples whose SQL's columns feed column retrieval
  // (column_options.example_weight); 0: none.
  size_t example_columns_k = 5;
  ValueQueryOptions value_options;
  ColumnQueryOptions column_options;
};

struct Retrieval {
  std::vector<ValueHit> values;
  std::vector<ColumnHit> columns;
  std::vector<ExampleHit> examples;
};

std::string default_artifact_root();

class DatabaseArtifacts {
 public:
  DatabaseArtifacts();
  ~DatabaseArtifacts();
  DatabaseArtifacts(DatabaseArtifacts&&) noexcept;
  DatabaseArtifacts& operator=(DatabaseArtifacts&&) noexcept;

  // Opens the database read-only, then loads its artifacts or builds the missing ones.
  static Result<DatabaseArtifacts> open(const std::string& db_path, const ArtifactOptions& options = {});

  // Remembers `store_dir` as this database's example store (manifest) and uses it.
  Status attach_examples(const std::string& store_dir);

  Result<Retrieval> retrieve(const RetrievalQuery& query) const;

  const catalog::Catalog& catalog() const;
  const ValueIndex& values() const;
  const ColumnIndex& columns() const;
  // Null when no example store is attached.
  const ExampleStore* examples() const;
  // Uses `store` (owned elsewhere, must outlive this) instead of the attached one.
  void use_examples(const ExampleStore* store);
  const std::string& dir() const;
  const std::string& fingerprint() const;
  const BuildStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Loads the example store built from `dataset_path` under <root>/examples/, or builds
// and saves it. `values_for` (optional) gives a database's value index for masking.
Result<std::pair<std::string, ExampleStore>> open_example_store(
    const std::string& dataset_path, const std::string& root, bool force,
    const std::function<const ValueIndex*(const std::string&)>& values_for = nullptr, bool quiet = true);

// One JSON object: {"index", "values": [{table, column, value, score}], "columns":
// [{table, column, score}], "examples": [{db_id, question, sql, score, same_db}]}
// (`index` < 0 leaves it out), on one line.
std::string retrieval_to_json(const Retrieval& retrieval, int64_t index = -1);

struct BatchRetrievalOptions {
  std::string dataset;     // BIRD or Spider JSON
  std::string db_root;     // databases at <db_root>/<db_id>/<db_id>.sqlite
  std::string out;         // JSONL, one line per question in dataset order
  std::string examples;    // optional example dataset (train.json)
  bool exclude_self = true;  // never return the asked question itself as an example
  size_t jobs = 0;         // databases in parallel; 0: one per core
  ArtifactOptions artifacts;
  RetrievalQuery query;    // k's and scoring (question/evidence are set per line)
  bool quiet = false;
};

struct BatchRetrievalStats {
  size_t questions = 0;
  size_t databases = 0;
  size_t built = 0;     // databases whose artifacts were built now
  size_t failed = 0;    // questions whose database could not be opened
  double seconds = 0.0;
};

// Retrieves for every question of a dataset, building missing artifacts on the way.
// A question whose database is missing gets a line with "error" and empty lists.
Result<BatchRetrievalStats> retrieve_dataset(const BatchRetrievalOptions& options);

}  // namespace askguru::index
