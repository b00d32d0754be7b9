// Join validator (the seed's sqlcoder_join_validator): checks how a query joins its
// tables against the catalog's keys, on the facts of sql::analyze().
//
// For every column = column equality between two table instances (ON, USING, NATURAL,
// or WHERE, correlated subqueries included):
//   - both sides must be existing columns (error otherwise) of compatible types (error:
//     number vs text vs blob; dates and text are compatible; untyped columns match all;
//     only a warning for two columns of the same name, a schema declared loosely);
//   - it should follow a declared foreign key, directly (A.fk = B.pk), through a chain of
//     keys (A.fk → C.pk, C.pk → B.pk as with a composite child key), or through a shared
//     referenced key (A.fk = B.fk, both reaching C.pk): otherwise a warning, given only
//     when the catalog declares foreign keys at all;
//   - it must not contradict one: a foreign-key column equated with a column other than
//     the key it references (AP_CHECKS_ALL.VENDOR_ID = AP_SUPPLIER_SITES_ALL.VENDOR_SITE_ID
//     when VENDOR_ID references AP_SUPPLIERS.VENDOR_ID) is an error.
// For every SELECT with several FROM items:
//   - missing join conditions: the items must be connected by conditions (equalities or
//     any predicate over two items, conjuncts of ON / WHERE, correlated subqueries
//     included). A disconnected item is a cartesian product: an error for a comma join or
//     JOIN without a real condition, a warning where an explicit CROSS JOIN asks for it.
//     Single-row derived tables (an aggregate without GROUP BY) and table functions are
//     exempt. The message proposes the declared foreign key that would connect them.
//   - a join on part of a composite foreign key (a warning: it pairs each row with every
//     row sharing that part), naming the missing column pairs;
//   - the same table joined twice so that one join is meaningless: joined to itself on
//     its whole primary key (both instances are the same row: error), or two instances
//     joined identically where one is used nowhere else (a redundant join: warning).
//
// Score in [0, 1]: 1 - 0.35 per error - 0.1 per warning (at least 0); for ranking
// candidates. Findings are worded for an LLM repair prompt.
//
// Thread-safety: validate_joins() is a pure function; a JoinReport is a plain value.
#pragma once

#include <string>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/guard/finding.h"

namespace askguru::sql {
class Ast;
struct Analysis;
}  // namespace askguru::sql

namespace askguru::guard {

enum class JoinVerdict : uint8_t { kOk, kWarning, kError };
std::string_view join_verdict_name(JoinVerdict verdict);  // "ok", "warning", "error"

struct JoinReport {
  JoinVerdict verdict = JoinVerdict::kOk;
  std::vector<Finding> findings;
  double score = 1.0;
  int equalities_checked = 0;  // column = column between two table instances
  int foreign_key_joins = 0;   // of those, following a declared foreign key
  bool catalog_has_foreign_keys = false;
};

// `analysis` must come from sql::analyze() of `ast`'s first query against `catalog`.
JoinReport validate_joins(const sql::Ast& ast, const sql::Analysis& analysis, const catalog::Catalog& catalog);

}  // namespace askguru::guard
