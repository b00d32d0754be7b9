// Review: everything askguru checks about one candidate query before running it, in one
// call: the analysis summary (tables, columns, joins, nesting), the guardrail verdict
// under a policy, and the join validator's findings, with one score for ranking
// candidates. `askguru check` prints it; the pipeline's fixer and selection read it.
//
// Score in [0, 1]: 0 when the guardrail refuses or the SQL does not parse; otherwise the
// join validator's score (1 for a query with no join problem), lowered for analysis
// errors (unknown tables or columns: 0.25 each, at most to 0).
//
// Thread-safety: review() is a pure function of its inputs; a Review is a plain value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/guard/guardrail.h"
#include "askguru/guard/join_validator.h"
#include "askguru/guard/policy.h"

namespace askguru::guard {

struct ReviewOptions {
  Dialect dialect = Dialect::kSqlite;
  bool interactive = true;  // false in evaluation: no row limit
};

// What the analysis found, flattened for printing.
struct AnalysisSummary {
  bool available = false;                // false when the SQL did not parse or is not a query
  std::vector<std::string> tables;       // "TABLE" or "TABLE AS alias", in order of appearance
  std::vector<std::string> columns;      // "TABLE.COLUMN" referenced (catalog spelling); "TABLE.*" for a star
  std::vector<std::string> diagnostics;  // "error: column x not found; did you mean y?"
  size_t errors = 0;
  size_t warnings = 0;
  int nesting_depth = 0;
  int joins = 0;
};

struct Review {
  std::string sql;     // the input
  std::string policy;  // the policy's name
  AnalysisSummary analysis;
  GuardResult guard;
  JoinReport joins;
  double score = 0;

  // Every error and warning (guardrail, analysis, joins), one per line, for an LLM
  // repair prompt; empty when there is nothing to fix.
  std::string feedback() const;
};

Review review(std::string_view sql, const catalog::Catalog& catalog, const Policy& policy,
              const ReviewOptions& options);

// A report for people (what `askguru check` prints) and the same as one JSON object.
std::string review_text(const Review& review);
std::string review_json(const Review& review);

}  // namespace askguru::guard
