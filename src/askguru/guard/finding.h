// Finding: one observation of the guardrail or the join validator about a query, worded
// so that it can go verbatim into an LLM repair prompt. Plain value; thread-safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace askguru::guard {

enum class Severity : uint8_t {
  kError,    // the query is refused (guardrail) or wrong (join validator)
  kWarning,  // probably wrong: worth a repair attempt, lowers the score
  kNote,     // informational: a rewrite that was applied, a check that was skipped
};

std::string_view severity_name(Severity severity);  // "error", "warning", "note"

struct Finding {
  Severity severity = Severity::kError;
  std::string code;     // stable machine-readable name, e.g. "statement_kind", "cartesian_product"
  std::string message;  // one sentence a person or an LLM can act on
  uint32_t line = 0;    // 1-based position in the SQL text; 0 when not tied to one place
  uint32_t column = 0;
};

// "error at 1:8: <message>" lines, one per finding of at least `min` severity (errors
// first), for a repair prompt.
std::string format_findings(const std::vector<Finding>& findings, Severity min = Severity::kWarning);

size_t count_findings(const std::vector<Finding>& findings, Severity severity);

}  // namespace askguru::guard
