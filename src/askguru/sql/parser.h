// Parser: SQL text in one dialect → Ast.
//
// Queries (SELECT / VALUES / WITH ... SELECT, set operations, subqueries, windows, the
// Oracle and PostgreSQL extensions) are parsed fully; every other statement is recognised
// and classified (Statement::kind) without being parsed in depth, so a guardrail can
// refuse it by kind. A write hidden in a CTE (WITH d AS (DELETE ...) SELECT ...) or
// following one (WITH x AS (...) DELETE ...) is classified as that write.
//
// Errors are Status{kParseError} whose message reads, for example:
//
//   syntax error at 1:15: expected FROM or end of query, found 'FORM'
//   SELECT a, b c FORM t
//                 ^
//
// (first line: position and reason; then the source line and a caret under the column).
// error_headline() gives the first line alone.
//
// Thread-safety: the functions are pure; call them from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "askguru/common/dialect.h"
#include "askguru/common/status.h"
#include "askguru/sql/ast.h"

namespace askguru::sql {

struct ParseOptions {
  // Nesting deeper than this (parentheses, subqueries, operators) is a clean error
  // rather than a stack overflow.
  uint32_t max_depth = 200;
  // When false, a second statement in the text is a parse error.
  bool allow_multiple = true;
};

// Parses every statement of `sql` (separated by ';'). The Ast holds at least one
// statement; empty input (or only comments / semicolons) is an error.
Result<Ast> parse(std::string_view sql, Dialect dialect, const ParseOptions& options = {});

// Parses exactly one statement; a second one is an error naming it.
Result<Ast> parse_single(std::string_view sql, Dialect dialect);

// "syntax error at L:C: <message>\n<source line>\n<caret line>".
std::string format_syntax_error(std::string_view source, uint32_t offset, std::string_view message);

// The first line of an error message (what one-line outputs show).
std::string_view error_headline(std::string_view message);

}  // namespace askguru::sql
