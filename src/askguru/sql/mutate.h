// Mutator: small, valid edits of a query — hard negatives for selector training and
// tests of comparison code.
//
// Kinds of edit (each on one site of the query):
//   kSwapColumn      a column for a sibling of the same catalog table with a compatible type
//                    (SQLite affinity classes: integer/real/numeric together, text, blob)
//   kComparison      =, <>, <, <=, >, >= changed into another of them
//   kDropCondition   one AND term of a WHERE or HAVING removed (the clause when it is alone)
//   kAddCondition    `AND t.c = <sample value>` (catalog samples) or `AND t.c IS [NOT] NULL`
//   kAggregate       COUNT/SUM/AVG/MIN/MAX(x) changed into another, or DISTINCT toggled
//   kOrderDirection  an ORDER BY term flipped (ASC ↔ DESC)
//   kJoinColumn      one side of a column = column join condition moved to another key-like
//                    column (primary key, foreign key, *id) of the same table and type
//   kLimit           LIMIT n → n+1 or n−1, or removed; LIMIT 1 added after an ORDER BY
//
// mutate() enumerates every site of the requested kinds in a fixed order, shuffles them with
// a generator seeded by `seed` (std::mt19937_64, so the result is the same on every platform),
// applies one edit per site to a fresh copy and keeps the mutant when it parses, analyses
// against the catalog with no error, and has a normal form (normalize.h) other than the
// original's and every mutant kept before. Each mutant is printed in the canonical form of
// the query's dialect.
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"
#include "askguru/sql/ast.h"

namespace askguru::sql {

enum class MutationKind : uint8_t {
  kSwapColumn,
  kComparison,
  kDropCondition,
  kAddCondition,
  kAggregate,
  kOrderDirection,
  kJoinColumn,
  kLimit,
};

std::string_view mutation_kind_name(MutationKind kind);  // "swap column", "comparison", ...

struct Mutant {
  std::string sql;
  std::string description;  // "change T1.age > 20 to T1.age >= 20"
  MutationKind kind = MutationKind::kSwapColumn;
};

struct MutateOptions {
  uint64_t seed = 1;
  size_t max_mutants = 8;
  std::vector<MutationKind> kinds;  // empty: every kind
};

// Mutants of the first statement's query; fails (kInvalidArgument) when it is no query.
Result<std::vector<Mutant>> mutate(const Ast& ast, const catalog::Catalog& catalog, const MutateOptions& options = {});

}  // namespace askguru::sql
