// Join discovery from column profiles: column pairs whose value sets overlap
// (MinHash signatures and distinct counts) are join candidates even without
// declared keys. Pure functions of a Catalog; safe to call from any thread.
#pragma once

#include <vector>

#include "askguru/catalog/catalog.h"

namespace askguru::profile {

// Lists column pairs whose value sets overlap (from the MinHash signatures, distinct
// counts, ranges and names in the profiles), best first; marks declared keys. A pair
// `from -> to` needs:
//   - a target that is a key (unique values, or a one-column primary key), or two parts
//     of primary keys of the same name (one column of a composite foreign key);
//   - compatible values (integral numbers, numbers stored as text, or text; never
//     fractional reals, blobs, booleans, contact data, money or long free text; dates
//     only into a declared key);
//   - containment of from in to, |A∩B|/|A| = J(|A|+|B|)/((1+J)|A|), of at least
//     `min_containment`; where the signatures cannot tell (fewer than 4 equal slots
//     expected if from were inside to: a small set in a large one), agreeing names and
//     from's range inside to's instead (a containment below the threshold is then
//     recorded as 1);
//   - agreeing names (equal words, a column named after the target's table or its head
//     noun, a role before the target's words, a hierarchy word within a table) when the
//     values could overlap by chance: integers inside a range the target fills to 25% or
//     more (1..n keys), or where a Chernoff bound does not rule chance out; tiny sets. A
//     key or a measure (count, year, rating) as the source needs them always, another
//     source only when it fits several such targets. Text into a unique text column that
//     is no declared key (addresses copied between tables) needs them too.
//   - within one table, only a reference to the table's own key (manager_id -> id).
// Of the two directions the one with agreeing names, then a declared key as target,
// wins. A source with a parent (a target that is its table's key) keeps no siblings
// (other columns referring to the same parent); at most three targets per source.
// Cost: only pairs of a key (or key part) with a column that shares a signature slot, a
// name word stem or the table are evaluated; strings are built for the kept pairs only
// (bench_join_candidates: Spider's 769 tables as one schema in about 0.2 s). Columns of
// 1..n ranges all share slots, so many such columns still cost quadratically.
std::vector<catalog::JoinCandidate> find_join_candidates(const catalog::Catalog& catalog, double min_containment);

}  // namespace askguru::profile
