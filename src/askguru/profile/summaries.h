// LLM field summaries (Operation 0): a short (≤ 12 words) and a long (1–2
// sentences) description of every column, written by an LLM from the column's
// name, type, keys, shipped description, sample values and profile. Several
// fields go in one call (prompts/field_summary.txt); the reply must be a JSON
// object that passes reply_schema_problem(); a malformed or incomplete reply is
// asked again with a corrective message naming what was wrong, up to
// max_attempts. Replies are cached by the client's ResponseCache, and the
// summaries themselves are kept in catalog.json.
//
// Denied columns are never put into a prompt (not even their names).
//
// summarize_catalog() blocks until done; it may run batches concurrently (the
// client's own limits apply). Not thread-safe for one catalog.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"

namespace askguru::llm {
class LlmClient;
class PromptLibrary;
}  // namespace askguru::llm

namespace askguru::profile {

struct SummaryOptions {
  size_t fields_per_call = 8;
  size_t max_attempts = 3;      // per batch, the first included
  size_t max_batches_in_flight = 8;
  int max_tokens = 4000;
  bool overwrite = false;       // summarise columns that already have summaries
  // Denied columns: "table.column" / "table.*" and an optional predicate (as in
  // ProfileOptions).
  std::vector<std::string> deny;
  std::function<bool(std::string_view table, std::string_view column)> allow;
  const llm::PromptLibrary* prompts = nullptr;  // null: the embedded prompts
};

struct SummaryRun {
  size_t fields = 0;        // columns asked about
  size_t summarized = 0;    // columns that got both summaries
  size_t calls = 0;         // requests sent (cache hits included)
  size_t cached = 0;        // of which answered from the cache
  size_t repairs = 0;       // re-asks after a malformed or incomplete reply
  size_t failed = 0;        // columns left without summaries
  double cost_usd = 0.0;
  double seconds = 0.0;
};

// The JSON schema replies must follow (for response_format json_schema and docs).
std::string_view summary_reply_schema();

struct FieldRef {
  std::string table;
  std::string column;
};

// Why `reply` is not an acceptable answer for `fields` ("" when it is): not JSON,
// not {"fields": [...]}, an entry without string table/column/short/long, empty
// text, a field asked for and missing. Accepted entries are appended to `out` as
// (index into fields, short, long).
struct FieldSummary {
  size_t field = 0;
  std::string short_text;
  std::string long_text;
};
std::string reply_schema_problem(std::string_view reply, const std::vector<FieldRef>& fields,
                                 std::vector<FieldSummary>* out = nullptr);

// The text describing one column in the prompt.
std::string describe_field(const catalog::Catalog& catalog, const catalog::Table& table,
                           const catalog::Column& column);

Result<SummaryRun> summarize_catalog(catalog::Catalog& catalog, llm::LlmClient& client,
                                     const SummaryOptions& options = {});

}  // namespace askguru::profile
