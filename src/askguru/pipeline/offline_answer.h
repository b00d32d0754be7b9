// OfflineAnswerer: answers a question without an LLM when its masked skeleton matches a
// stored example of the same database, by reusing that example's SQL with the new
// question's values substituted on the AST. With no LLM endpoint configured this is the
// engine's only way to answer; with one configured it is a zero-cost cache for frequent
// question shapes. It says what it did (the example, every substitution, a score), and a
// question it cannot answer gets a reason instead: a wrong answer given with confidence
// is worse than none, so every rule below errs towards "no match".
//
// A stored example matches a question when:
//   (a) both questions, masked by index::mask_question() with the database's value
//       index (numbers [NUM], quoted strings [STR], stored values [VAL], entities [ENT]),
//       have the same slots in the same order (NUM with NUM; STR/VAL/ENT with each other)
//       and nearly the same words between them: a weighted word edit distance (filler
//       words and words of the same stem cost 0.25, other content words 1, at most one of
//       them by default and never one that looks like a table or column name ("heights"
//       for "names"); comparison, negation and aggregate words such as "not", "more",
//       "least", "average", "and"/"or" never differ) gives score = 1 - cost / words,
//       which must reach `min_score`;
//   (b) each slot of the example's question aligns to literals of its SQL: a number to
//       the numeric literals of the same value (or a string literal spelled the same), a
//       text to the string literals equal to it (case-insensitive; also inside a LIKE
//       pattern's wildcards), found on the AST (LIMIT and SQLite's double-quoted strings
//       included) with the column each is compared to (sql::analyze). The new question's
//       text must be a value the value index stores in that same table.column (the
//       stored spelling is substituted). A slot with no literal must read the same in
//       both questions;
//   (c) the SQL's other literals ("youngest" -> LIMIT 1, "female" -> 'F') are kept only
//       when the questions differ in filler words alone: they are implied by the words
//       both questions share;
//   (d) the substituted SQL parses, resolves against the catalog, and (given a
//       connection) runs without error (optionally: returns rows).
// When several examples match equally well and their substituted SQL disagrees (in
// canonical form and, given a connection, in result rows), there is no answer.
//
// Thread-safety: a constructed OfflineAnswerer is immutable; answer() may be called from
// several threads at once, each with its own Connection (or none). The ExampleStore,
// Catalog and ValueIndex given to the constructor must outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/dialect.h"
#include "askguru/db/result_set.h"
#include "askguru/index/example_store.h"
#include "askguru/pipeline/candidate.h"

namespace askguru::guard {
struct Policy;
}

namespace askguru::catalog {
struct Catalog;
}
namespace askguru::db {
class Connection;
}
namespace askguru::index {
class ValueIndex;
}

namespace askguru::pipeline {

struct OfflineOptions {
  // The least masked-question similarity that answers (see the class comment). The
  // default is the one bench_offline_answer measured at >= 95% precision.
  double min_score = 0.8;
  // Words between the slots may differ by at most this weighted cost in total.
  double max_edit_cost = 2.0;
  // Content words (not filler, not a variant of the same stem) that may differ: an edited
  // content word usually names another column or table ("heights" for "names").
  size_t max_content_edits = 1;
  // A content word that differs must not look like a table or column name (a word of one,
  // or a prefix of at least 4 letters): "heights" for "names" is another column.
  bool refuse_schema_word_edits = true;
  // Whether that content word may be added or dropped ("friends of Alice that are
  // doctors" vs "friends of Bob": usually a condition more), not only replaced.
  bool allow_content_insertions = false;
  // Keep the SQL's literals that no slot accounts for ("youngest" -> LIMIT 1) also when
  // the questions differ in content words (not only in filler words). Off: precision.
  bool keep_literals_despite_content_edits = false;
  // Execute the answer (when answer() gets a connection) and reject an empty result.
  bool reject_empty_result = true;
  std::chrono::milliseconds timeout{5000};  // per execution
  size_t max_rows = 1000;                   // rows kept in the answer's result
  // The dialect the stored examples' SQL is written in (Spider/BIRD: SQLite).
  Dialect example_dialect = Dialect::kSqlite;
  // Never answer with an example whose question is this one (case-insensitive):
  // evaluation on the store's own questions.
  bool exclude_identical_question = false;
};

// One value put in place of an example's value.
struct OfflineSubstitution {
  std::string slot;   // [NUM], [STR], [VAL] or [ENT] (of the new question)
  std::string from;   // the example's literal value
  std::string to;     // the value in the answer
  std::string table;  // the column it is compared to ("" for a number or a LIMIT)
  std::string column;
  size_t occurrences = 0;  // literals replaced
};

struct OfflineMatch {
  std::string sql;        // the answer, printed in the target dialect
  size_t example_id = 0;  // position in the ExampleStore
  index::StoredExample example;
  std::vector<OfflineSubstitution> substitutions;
  std::vector<std::string> kept_literals;  // the SQL's literals no slot accounts for
  double score = 0.0;                      // masked-question similarity in [0, 1]
  double edit_cost = 0.0;                  // weighted word edits between the masked questions
  std::string masked_question;             // the new question, masked
  bool executed = false;                   // ran on the connection given to answer()
  db::ResultSet result;                    // its rows (capped at max_rows) when executed
  double elapsed_ms = 0.0;

  // One line for people: which example, which values, which score.
  std::string explanation() const;
};

struct OfflineAnswer {
  std::optional<OfflineMatch> match;  // empty: no answer
  std::string reason;                 // why there is no answer (empty when matched)
  std::string masked_question;
  size_t examples_considered = 0;  // this database's examples compared
  // The nearest examples that did not match and why ("#12 'How many ...': value 'X'
  // is not stored in singer.country"), best first, at most a few: for the trace.
  std::vector<std::string> rejected;

  bool matched() const { return match.has_value(); }
  // For a deployment without an LLM: the explanation, or the reason plus what to
  // configure to get an answer anyway.
  std::string message() const;
};

class OfflineAnswerer {
 public:
  // The examples of `db_id` in `store` (empty: catalog.db_id; "*": every example whose SQL
  // resolves against `catalog`, for stores without database names) answer questions
  // about the database `catalog` describes; `values` is its value index (null: only
  // numbers are substituted, text slots must read the same).
  OfflineAnswerer(const index::ExampleStore& store, const catalog::Catalog& catalog, const index::ValueIndex* values,
                  std::string db_id = {}, OfflineOptions options = {});
  ~OfflineAnswerer();
  OfflineAnswerer(OfflineAnswerer&&) noexcept;
  OfflineAnswerer& operator=(OfflineAnswerer&&) noexcept;

  // Answers `question`, or says why not. With a connection the answer is executed (its
  // dialect is the output dialect; without one: the catalog's). With a policy the
  // substituted SQL must pass the guardrail first, and its rewrite is what runs.
  OfflineAnswer answer(std::string_view question, db::Connection* connection = nullptr,
                       const guard::Policy* policy = nullptr) const;

  size_t example_count() const;  // this database's examples
  const OfflineOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The answer as a pipeline Candidate: origin.generator and style "offline", the
// execution filled in when the match was executed.
Candidate offline_candidate(const OfflineMatch& match, size_t id = 0);

}  // namespace askguru::pipeline
