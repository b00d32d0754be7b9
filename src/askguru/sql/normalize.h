// Normaliser and skeletons: one text per query for comparing candidates, deduplicating,
// caching and retrieving similar examples.
//
// normalize() is the canonical printing (printer.h) of the query after these rewrites:
//   1. identifiers are case-folded to lower case (quoted ones too, except in PostgreSQL,
//      where quoting makes case significant) and unquoted when they no longer need quotes;
//      without a catalog, a bare double-quoted name in SQLite stays as written (it may be
//      SQLite's string: see 4);
//   2. table aliases are renamed t1, t2, ... and CTE names cte1, cte2, ... in order of
//      appearance (a SELECT's FROM items first, then the queries nested in it), and every
//      qualifier naming them follows; a CTE read without an alias is qualified by its new name;
//   3. the operands of a chain of AND (or of OR) are flattened and sorted by their
//      normalised text; the two sides of =, <>, IS, IS NOT are sorted; a < b, a <= b with
//      a's text after b's become b > a, b >= a (and the other way round); values (literals,
//      placeholders) sort after everything else, so `20 < age` reads `age > 20`;
//   4. with a catalog (options), SQLite's double-quoted strings ("Smith" that is no
//      column) become string literals ('Smith').
// Spelling (!= vs <>, INNER, AS, ASC, redundant parentheses, keyword case, whitespace) is
// already one in the canonical printing. Select-list aliases are kept (case-folded).
// Two queries with equal normal forms are the same query; the converse does not hold.
//
// skeleton() is the normal form with literal values replaced by `?` (an IN list of values
// becomes IN (?)); NULL, LIMIT/OFFSET counts and ORDER BY / GROUP BY positions stay.
// With mask_columns, column references become `_` too (unqualified):
//   SELECT count(*) FROM singer WHERE age > 20   →  SELECT COUNT(*) FROM singer WHERE age > ?
//                                   mask_columns →  SELECT COUNT(*) FROM singer WHERE _ > ?
//
// Statements other than queries are printed as their source text.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"
#include "askguru/sql/ast.h"

namespace askguru::sql {

struct NormalizeOptions {
  const catalog::Catalog* catalog = nullptr;  // enables rewrite 4
};

struct SkeletonOptions {
  bool mask_columns = false;
  const catalog::Catalog* catalog = nullptr;  // masks SQLite's double-quoted strings as values
};

std::string normalize(const Ast& ast, const NormalizeOptions& options = {});
std::string skeleton(const Ast& ast, const SkeletonOptions& options = {});

// Parses `sql` in `dialect` and normalises it; the parse error when it does not parse.
Result<std::string> normalize_sql(std::string_view sql, Dialect dialect, const NormalizeOptions& options = {});

}  // namespace askguru::sql
