// Guardrail: decides, on the parsed SQL and before anything runs, whether a request
// may execute under a Policy, and rewrites it for interactive use.
//
// Checks (each failure is an error Finding and refuses the request):
//   - the text parses (a syntax error refuses: what cannot be read cannot be vetted);
//   - statement count (one unless the policy allows several) and each statement's kind
//     (sql::Statement::kind; writes hidden in a CTE anywhere in the statement are
//     classified as the write and refused as such, SELECT ... INTO and FOR UPDATE too);
//     this works on the AST, so `WHERE status = 'DELETE REQUESTED'` is an ordinary query;
//   - tables: every table name in the statement against tables.allow / tables.deny (a
//     CTE that reuses a denied table's name is refused too: conservative on purpose);
//   - columns: every column reference resolved to its table (sql::analyze when it is
//     available, otherwise by name against every table of the statement) against
//     columns.allow / columns.deny; USING columns and PostgreSQL whole-row references
//     (`SELECT t FROM tab t`) included;
//   - `*` and `t.*` over a table with a column the policy denies: with select_star:
//     expand, a `*` in a SELECT list is rewritten into the explicit permitted columns
//     (qualified, in catalog order; other tables of the same FROM keep `alias.*`); a
//     `*` elsewhere, a `*` over a USING/NATURAL join, or select_star: refuse refuses with
//     a message naming the denied columns;
//   - functions: every call (scalar, aggregate, table-valued, package.function) against
//     functions.deny;
//   - subquery nesting depth and number of joins against max_nesting / max_joins.
// Rewrites (interactive use only; never in evaluation, GuardOptions::interactive=false):
//   - row_limit: when the top query has no row limit (no LIMIT / FETCH FIRST, no Oracle
//     ROWNUM bound), one is added through the AST and the printer in the target dialect:
//     LIMIT n (SQLite, PostgreSQL), FETCH FIRST n ROWS ONLY (Oracle).
// When nothing is rewritten the SQL to run is the input text, byte for byte.
//
// The database layer's read-only authorizer stays underneath as the last line.
//
// Thread-safety: a Guardrail is immutable after construction; check() may be called
// from several threads at once. The catalog must outlive the Guardrail.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/dialect.h"
#include "askguru/guard/finding.h"
#include "askguru/guard/policy.h"
#include "askguru/sql/ast.h"

namespace askguru::guard {

struct GuardOptions {
  Dialect dialect = Dialect::kSqlite;  // of the input, and of the database it runs on
  bool interactive = true;             // false (evaluation): no row limit is injected
};

enum class Verdict : uint8_t { kAllow, kRefuse };
std::string_view verdict_name(Verdict verdict);  // "allow", "refuse"

struct GuardResult {
  Verdict verdict = Verdict::kAllow;
  std::vector<Finding> findings;  // errors say why it was refused; notes say what was rewritten
  std::string sql;                // what to execute (empty when refused)
  bool rewritten = false;         // sql differs from the input
  bool row_limit_injected = false;
  uint32_t nesting_depth = 0;                // deepest subquery level (0: no subquery)
  uint32_t joins = 0;                        // joins in the whole statement (comma joins included)
  std::vector<std::string> statement_kinds;  // per statement, sql::statement_kind_name

  bool allowed() const { return verdict == Verdict::kAllow; }
  // The refusal reasons, one per line, for a person or an LLM repair prompt.
  std::string feedback() const;
  // OK when allowed; otherwise kRefused with the reasons (sentences joined by spaces).
  Status status() const;
};

class Guardrail {
 public:
  // `catalog` may be null: column checks then match by name alone (stricter), and a `*`
  // that might reach a denied column is refused instead of expanded.
  Guardrail(Policy policy, const catalog::Catalog* catalog);

  // Parses `sql` in options.dialect and checks it.
  GuardResult check(std::string_view sql, const GuardOptions& options) const;
  // Checks an already parsed text; rewrites (row limit, `*`) edit `ast` in place.
  GuardResult check(sql::Ast& ast, const GuardOptions& options) const;

  const Policy& policy() const { return policy_; }

 private:
  Policy policy_;
  const catalog::Catalog* catalog_;
};

}  // namespace askguru::guard
