// Pulls the SQL (or the JSON object) out of an LLM reply of any shape: fenced
// blocks (```sql, ```SQL, ```, ~~~), <sql> tags, leading prose, trailing
// explanations, thinking sections (<think>…</think>, "Thought:"), "Final
// answer:" sections, JSON replies {"sql": …}, "SQL: SELECT …" labels,
// SQLCoder's raw completions (ending with ``` , [/SQL] or ;), markdown bold.
//
// The rule for which SQL wins (what LLMs do: reasoning replies revise and put
// their answer last; a "final answer" section is the answer):
//   1. thinking sections are dropped (everything before a lone </think> too);
//   2. a reply that is a JSON object with "sql"/"query" gives that string;
//   3. if the reply has a final-answer marker ("Final answer", "Final SQL",
//      "Final query", "Answer:"), only the text after the last marker is
//      searched (unless it holds no SQL);
//   4. in the searched text the LAST fenced block (or <sql> block) that holds a
//      query wins, but in a final-answer section the FIRST one (later blocks
//      there are "alternatively…" asides); an unclosed fence runs to the end
//      (a cut-off reply);
//   5. without fences: the statement after a "SQL:" / "SQLQuery:" / "Query:"
//      label, else the last inline `code span` holding a query, else the
//      statement that starts at the first line beginning with SELECT or WITH
//      (upper case, or followed by FROM / AS ( so that "Select the rows…" is
//      prose), up to its ';', a blank line, a prose line ("This query…",
//      "SQLResult:"), a fence or [/SQL];
//   6. if the chosen text holds several statements, the last query statement
//      wins; leading comment lines, markdown bold and the trailing ';' go.
// A reply with none of these is an error (kParseError) quoting its start.
//
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"

namespace askguru::llm {

Result<std::string> extract_sql(std::string_view reply);

// The first JSON object in a reply (a ```json block first, then the first
// balanced {...} that parses), tolerant of prose, fences, thinking sections and
// trailing commas. Returns the JSON text, re-serialised compactly. A reply whose
// object is cut off is an error that says "truncated".
Result<std::string> extract_json_object(std::string_view reply);

// The reply without its thinking sections (<think>, <thinking>, <reasoning>).
std::string strip_thinking(std::string_view reply);

// Splits SQL text into statements at ';' outside quotes and comments.
std::vector<std::string> split_sql_statements(std::string_view sql);

}  // namespace askguru::llm
