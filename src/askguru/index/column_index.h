// ColumnIndex: schema linking by retrieval. Every column of a catalog becomes a
// document (table and column names split into words, natural name, type,
// description, value description, LLM summary, example values); the documents are
// embedded (LexicalEmbedder by default, fitted on them, or any Embedder such as a
// RemoteEmbedder) into a FAISS flat inner-product index, and scored together with
// BM25 over the same words (a hybrid: by measurement it beats either alone; see
// bench/retrieval.cpp). A table-level index over table documents adds each table's
// score to its columns; for large schemas (ERP systems) search goes table-first and
// only ranks the columns of the best tables. Value hits for the question (ValueIndex)
// can boost the columns that hold them.
//
// Persisted in a directory: columns.bin (documents, options, BM25 statistics),
// columns.faiss and tables.faiss (FAISS's own format), column_embedder.bin (the
// fitted lexical embedder, when it is the one used).
//
// Thread-safety: a built or loaded ColumnIndex is safe for concurrent search() calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"

namespace askguru::catalog {
struct Catalog;
}

namespace askguru::index {

class Embedder;
struct ValueHit;
struct ColumnExplain;

struct ColumnDocument {
  std::string table;
  std::string column;
  std::string text;
  bool key = false;      // part of a primary or foreign key
  bool primary = false;  // part of its table's primary key
};

struct TableDocument {
  std::string table;
  std::string text;
};

// A foreign-key column pair, as indices into the column documents.
struct JoinEdge {
  uint32_t from = 0;
  uint32_t to = 0;
};

struct ColumnIndexOptions {
  size_t max_values = 4;  // example values per column document (from the catalog's samples)
  // Columns left out (denied by the guardrail policy): "table.column" or "table.*".
  std::vector<std::string> excluded_columns;
};

// Whether `table`.`column` is in `list` ("table.column" or "table.*", case-insensitive).
bool column_listed(const std::vector<std::string>& list, std::string_view table, std::string_view column);

struct ColumnHit {
  std::string table;
  std::string column;
  double score = 0.0;
};

struct ColumnQueryOptions {
  size_t top_k = 10;
  double bm25_weight = 0.5;    // score = (1 - w) * cosine + w * bm25 / max bm25
  double table_weight = 0.2;   // + w * the table's score
  double value_weight = 0.4;   // + w * best value-hit score in the column
  double name_weight = 0.2;    // + w * share of the column name's words found in the question
  double key_weight = 0.1;     // + w * table score for key columns (join keys are rarely named)
  // Join keys: a foreign key between two relevant tables (relevance: the best column
  // score of the table, relative to the best overall) adds w * the lesser relevance to
  // both of its columns; a table joining two relevant tables (a bridge, e.g.
  // attendance between member and event) counts as relevant too.
  double join_weight = 0.6;
  // Table relevance mixes in the table document's score with this weight.
  double table_relevance = 0.1;
  // The label columns of a relevant table (name, title, first/last name: what "which
  // X" asks for) add w * its relevance.
  double label_weight = 0.1;
  // Join ends between two tables more relevant than pair_min_relevance score at
  // least pair_factor times their partner (a join needs both of its columns).
  double pair_factor = 0.99;
  double pair_min_relevance = 0.5;
  size_t join_tables = 5;  // the most relevant tables considered for joins
  // Columns of one name (case-insensitive) kept in their place in the ranking; the
  // further ones (a key repeated in many tables) fall behind the other candidates of
  // the first 4 * top_k. 0: no limit. By measurement (bench_retrieval --same-name N)
  // 3 lifts Spider's recall@10 by 0.2 points and leaves BIRD's unchanged (2 drops keys).
  size_t same_name_keep = 3;
  // Table-first for large schemas: above this many columns, only the columns of the
  // `top_tables` best tables are ranked.
  size_t table_first_columns = 2000;
  size_t top_tables = 30;
  const std::vector<ValueHit>* value_hits = nullptr;
  // Columns the SQL of similar stored examples (same database) uses, each scored by
  // the best example's similarity: + w * that score. By measurement (bench_retrieval
  // --example-columns W, gold SQL excluded) 0.2 lifts Spider's recall@10 96.4 -> 97.3%
  // and leaves BIRD's at 96.0% (one column of 744 less); more helps Spider, hurts BIRD.
  double example_weight = 0.2;
  const std::vector<ColumnHit>* example_columns = nullptr;
  // When set, filled with the score parts of every candidate column (for benches).
  ColumnExplain* explain = nullptr;
};

// Score parts of each candidate column document (index into documents()).
struct ColumnExplain {
  std::vector<uint32_t> doc;
  std::vector<float> cosine, bm25, table, name, value;
  std::vector<double> table_scores;  // per table document
};

// Documents of the columns and tables that are not excluded (options.excluded_columns
// and the catalog's profile.deny): a denied column is neither a document nor named in
// its table's document; a table whose columns are all denied has no document.
std::vector<ColumnDocument> column_documents(const catalog::Catalog& catalog, const ColumnIndexOptions& options = {});
std::vector<TableDocument> table_documents(const catalog::Catalog& catalog, const ColumnIndexOptions& options = {});

class ColumnIndex {
 public:
  ColumnIndex();
  ~ColumnIndex();
  ColumnIndex(ColumnIndex&&) noexcept;
  ColumnIndex& operator=(ColumnIndex&&) noexcept;

  // `embedder` null: a LexicalEmbedder fitted on the documents (kept with the index).
  static Result<ColumnIndex> build(const catalog::Catalog& catalog, const ColumnIndexOptions& options = {},
                                   std::shared_ptr<const Embedder> embedder = nullptr);
  Status save(const std::string& dir) const;
  // An index built with a non-lexical embedder needs the same embedder (same name()).
  static Result<ColumnIndex> load(const std::string& dir, std::shared_ptr<const Embedder> embedder = nullptr);

  // The best columns for a question (and evidence), best first.
  Result<std::vector<ColumnHit>> search(std::string_view question, std::string_view evidence = {},
                                        const ColumnQueryOptions& options = {}) const;
  // Tables alone, best first.
  Result<std::vector<ColumnHit>> search_tables(std::string_view question, std::string_view evidence = {},
                                               size_t top_k = 10) const;

  const std::vector<ColumnDocument>& documents() const;
  const std::vector<TableDocument>& tables() const;
  const std::vector<JoinEdge>& joins() const;
  std::string embedder_name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace askguru::index
