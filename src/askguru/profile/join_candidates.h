// Join discovery from column profiles: column pairs whose value sets overlap
// (MinHash signatures and distinct counts) are join candidates even without
// declared keys. Pure functions of a Catalog; safe to call from any thread.
#pragma once

#include <vector>

#include "askguru/catalog/catalog.h"

namespace askguru::profile {

// Lists column pairs whose value sets overlap strongly (from the MinHash signatures
// and distinct counts in the profiles), most contained first; marks declared keys.
std::vector<catalog::JoinCandidate> find_join_candidates(const catalog::Catalog& catalog, double min_containment);

}  // namespace askguru::profile
