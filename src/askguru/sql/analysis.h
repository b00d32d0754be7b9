// Analysis: resolves a parsed query's table and column references against a Catalog and
// records the facts later stages use (guardrail, join validator, schema-linking metrics,
// example store, mutation).
//
// Resolution follows the dialect's rules:
//   - FROM items: catalog tables and views (by name; the alias, when present, hides the
//     name), CTEs (WITH, also recursive: a CTE sees itself and the CTEs before it),
//     derived tables (their output columns, renamed by an alias column list) and table
//     functions (any column accepted). Unknown tables are errors with a suggestion.
//   - Columns: `t.c` looks up the instance named t in the current SELECT, then in the
//     enclosing ones (a correlated, outer reference). A bare `c` must be in exactly one
//     instance of the innermost SELECT that has it (ambiguity is an error), except a
//     column merged by USING or NATURAL, which the right side no longer offers unqualified.
//     `*` and `t.*` expand to every column of the instances concerned (ColumnUse::star).
//   - Select-list aliases: SQLite reads a bare name that is no column as a result alias
//     in WHERE, GROUP BY, HAVING and ORDER BY (ORDER BY prefers the alias), also from a
//     subquery nested in those clauses; PostgreSQL in GROUP BY and ORDER BY; Oracle in
//     ORDER BY. A set operation's ORDER BY resolves against its first SELECT (then the
//     others). `t.c` where t names several tables that all have c is ambiguous.
//   - An aggregate (or an alias of one) in WHERE, GROUP BY or a join condition is an error.
//   - SQLite's fallback: an unknown double-quoted bare identifier is read as a string
//     literal; it is a warning (kind "double-quoted string") and recorded as a literal.
//   - Implicit columns: rowid/oid/_rowid_ (SQLite), ROWNUM/ROWID/LEVEL (Oracle),
//     ctid/oid (PostgreSQL).
//   - Matching is case-insensitive (ASCII), except a quoted identifier in PostgreSQL,
//     which must match exactly.
// Unknown names are errors that name the nearest existing name by edit distance,
// qualified like the input: "column T1.nmae not found; did you mean T1.name?".
//
// Scopes: every SELECT (each arm of a set operation, each subquery, derived table and CTE
// body) is a Scope. Depth: 0 for the top SELECT and the arms of a top set operation; +1
// for a query nested in an expression, in FROM or in a CTE.
//
// Thread-safety: analyze() is a pure function; an Analysis is a plain value.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"
#include "askguru/sql/ast.h"

namespace askguru::sql {

struct Diagnostic {
  enum class Severity { kError, kWarning } severity = Severity::kError;
  std::string message;  // "column T1.nmae not found; did you mean T1.name?"
  uint32_t pos = 0;     // byte offset in the Ast's source
  // A short stable kind for counting and tests: "unknown column", "unknown table",
  // "ambiguous column", "double-quoted string", "unknown qualifier", "column count",
  // "misused aggregate" (an aggregate, or an alias of one, in WHERE / GROUP BY / ON),
  // "unused CTE" (SQLite: an error inside a CTE nothing reads, which SQLite never compiles).
  std::string kind;
};

enum class Clause : uint8_t { kSelect, kFrom /* ON / USING */, kWhere, kGroupBy, kHaving, kOrderBy, kOther };
std::string_view clause_name(Clause clause);  // "select", "from", "where", ...

struct TableInstance {
  int id = 0;
  int scope = 0;
  std::string table;     // catalog spelling; "" for a derived table, CTE or table function
  std::string alias;     // the alias, or the name as written when there is none
  bool derived = false;  // derived table, CTE reference or table function
  uint32_t pos = 0;
  std::string cte;  // the CTE name when this instance reads a CTE
};

struct ColumnUse {
  int instance = -1;   // -1 when unresolved (or a select-list alias)
  std::string table;   // catalog table ("" when unknown; traced through derived tables/CTEs)
  std::string column;  // catalog spelling when resolved, else as written
  Clause clause = Clause::kOther;
  int scope = 0;
  uint32_t pos = 0;
  bool outer_reference = false;  // resolved in an enclosing SELECT (correlated)
  bool star = false;             // one column of a * or t.* expansion
  bool alias_reference = false;  // a select-list alias (instance -1)
};

// c1 = c2 between two columns. For WHERE equalities join_type is JoinType::kComma.
struct Equality {
  int scope = 0;
  ColumnUse left, right;
  bool in_join_condition = false;  // ON / USING / NATURAL (vs WHERE / HAVING)
  JoinType join_type = JoinType::kComma;
  uint32_t pos = 0;
  bool conjunct = true;  // a top-level AND term of its ON/WHERE (not under OR/NOT/CASE ...)
};

struct Scope {
  int id = 0;
  int parent = -1;  // -1 for the top
  int depth = 0;
  std::vector<int> instances;
};

struct LiteralUse {
  std::string table, column;  // the column it is compared to ("" if none)
  std::string value;          // the literal's text (strings without quotes)
  LiteralKind kind = LiteralKind::kString;
  std::string op;  // "=", "<>", "<", "LIKE", "NOT LIKE", "IN", "NOT IN", "BETWEEN", "IS" ...; "" if none
  uint32_t pos = 0;
  int scope = 0;
};

struct Analysis {
  std::vector<Diagnostic> diagnostics;
  std::vector<Scope> scopes;
  std::vector<TableInstance> tables;
  std::vector<ColumnUse> columns;
  std::vector<Equality> equalities;
  std::vector<LiteralUse> literals;
  std::vector<std::string> aggregates;  // "COUNT", "SUM" ... in order of appearance
  int group_by_count = 0;               // GROUP BY terms over all scopes
  int order_by_count = 0;               // ORDER BY terms over all scopes (not inside window specs)
  int max_depth = 0;                    // deepest subquery nesting (0: no subquery)
  int join_count = 0;                   // joins of every form, comma joins included, over all scopes
  bool has_window = false;
  bool has_limit = false;  // a row limit on the top query

  bool has_errors() const;
  size_t error_count() const;
  size_t warning_count() const;
  std::set<std::string> referenced_tables() const;   // catalog spelling
  std::set<std::string> referenced_columns() const;  // "table.column", catalog spelling
  // One line per diagnostic: "error: ..." / "warning: ..." (for LLM repair prompts).
  std::string diagnostics_text() const;
};

// Resolves the first statement's query of `ast` against `catalog` following the dialect's
// rules (the Ast's dialect). Fails (kInvalidArgument) only when the statement is not a
// query; problems in the query are diagnostics.
Result<Analysis> analyze(const Ast& ast, const catalog::Catalog& catalog);
// The same for one query of `ast` (e.g. a statement other than the first).
Analysis analyze_query(const Ast& ast, const Query* query, const catalog::Catalog& catalog);

// A diagnostic as an LLM repair prompt should see it: "error at 1:8: <message>", then the
// source line and a caret under the column.
std::string format_diagnostic(const Ast& ast, const Diagnostic& diagnostic);

// Whether `name` (any case) is an aggregate function: COUNT, SUM, AVG, MIN, MAX, TOTAL,
// GROUP_CONCAT, STRING_AGG, ARRAY_AGG, LISTAGG, STDDEV, VARIANCE ...
bool is_aggregate_function(std::string_view name);

}  // namespace askguru::sql
