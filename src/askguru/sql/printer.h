// Printer: AST → SQL text in any of the three dialects.
//
// print() writes an Ast (or one statement, query or expression) in a target dialect,
// transpiling where the target spells a construct differently:
//   - row limits: LIMIT n OFFSET m (SQLite, PostgreSQL) ↔ OFFSET m ROWS FETCH FIRST n ROWS
//     ONLY (Oracle); SQLite's LIMIT m, n; PostgreSQL LIMIT ALL; an Oracle `WHERE ROWNUM <= n`
//     (no ORDER BY, grouping, DISTINCT or aggregate) becomes LIMIT n elsewhere;
//   - IIF(c, a, b) → CASE WHEN c THEN a ELSE b END (PostgreSQL, Oracle);
//   - NVL(a, b) → COALESCE(a, b) (SQLite, PostgreSQL); IFNULL(a, b) → COALESCE(a, b)
//     (PostgreSQL, Oracle); NVL2 and DECODE → CASE outside Oracle;
//   - CONCAT(a, b) → COALESCE(a, '') || COALESCE(b, '') in SQLite (no CONCAT before 3.44);
//   - x::T → CAST(x AS T) outside PostgreSQL; a ILIKE b → LOWER(a) LIKE LOWER(b) in SQLite
//     and Oracle; EXTRACT(YEAR FROM x) → CAST(STRFTIME('%Y', x) AS INTEGER) in SQLite;
//   - a % b → MOD(a, b) and a ^ b → POWER(a, b) where the operator does not exist;
//   - SQLite a IS b → a IS NOT DISTINCT FROM b elsewhere; ISNULL/NOTNULL → IS [NOT] NULL;
//   - FROM DUAL is dropped outside Oracle and added in Oracle for a SELECT without FROM;
//   - a derived table without alias gets one (_q1, _q2 ...) when an Ast of another dialect
//     is printed as PostgreSQL (which requires it before version 16);
//   - MINUS ↔ EXCEPT; DATE '...' → '...' in SQLite; FILTER (WHERE c) → CASE inside the
//     aggregate in Oracle; no AS before Oracle table aliases;
//   - identifiers quoted `x` or [x] are printed "x" in every dialect.
// Constructs without an equivalent (CONNECT BY, (+), DISTINCT ON, GLOB ...) are printed
// as they are.
//
// THE CANONICAL FORM (PrintOptions::canonical) is the one defined printing that the
// normaliser, skeletons, cache keys and candidate selection share:
//   1. Keywords are upper-case. Unquoted function names are upper-case. Identifiers
//      (tables, columns, aliases, CTE names) are exactly as written.
//   2. An identifier is quoted, with "..." (embedded " doubled), iff it was quoted in the
//      source (any of "x", `x`, [x], or a string used as alias) or it would not read back
//      as a plain identifier (a reserved word, or characters outside letters, digits, _ and $,
//      or a leading digit).
//   3. Tokens are separated by single spaces; no space after "(" or before ")", ",", ".";
//      ", " between list items; no space between a function name and "("; one space
//      around binary operators; "-x" for unary minus; "NOT x".
//   4. Parentheses appear only where the target dialect's operator precedence needs them
//      (precedence.h), plus around a comparison that is an operand of another comparison,
//      and around subqueries (always).
//   5. One spelling per construct: <> (never !=), = (never ==), AS before every column
//      alias and table alias (Oracle table aliases: no AS), JOIN (never INNER JOIN),
//      LEFT/RIGHT/FULL JOIN (never OUTER), ASC omitted, DISTINCT (never UNIQUE, and SELECT ALL
//      as plain SELECT), IS [NOT] NULL (never ISNULL/NOTNULL/NOT NULL), CAST(x AS T) (never
//      x::T), EXCEPT (MINUS in Oracle), COALESCE for NVL/IFNULL outside Oracle.
//   6. Row limits: LIMIT n [OFFSET m] in SQLite and PostgreSQL (LIMIT -1 OFFSET m in SQLite
//      for an offset alone); OFFSET m ROWS FETCH FIRST n ROWS ONLY in Oracle.
//   7. Numbers as written; strings '...' with ' doubled; NULL, TRUE, FALSE upper-case.
//   8. Statements joined by "; " with no trailing semicolon. Statements other than queries
//      are printed as their source text.
// Without `canonical`, the printer keeps the source's spelling choices (1-6) where the
// target dialect accepts them: != vs <>, AS present or not, INNER/OUTER, ASC, LIMIT m, n,
// x::T in PostgreSQL, function-name case.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "askguru/common/dialect.h"
#include "askguru/sql/ast.h"

namespace askguru::sql {

struct PrintOptions {
  Dialect dialect = Dialect::kSqlite;  // the target dialect
  bool canonical = false;
};

std::string print(const Ast& ast, const PrintOptions& options);
std::string print(const Statement& statement, const PrintOptions& options);
std::string print(const Query* query, const PrintOptions& options);
std::string print(const Expr* expr, const PrintOptions& options);

// The canonical form of every statement in `ast`, in `dialect` (the Ast's own by default).
std::string canonical(const Ast& ast);
std::string canonical(const Ast& ast, Dialect dialect);

// Whether `name` must be quoted to read back as one identifier.
bool identifier_needs_quotes(std::string_view name);

}  // namespace askguru::sql
