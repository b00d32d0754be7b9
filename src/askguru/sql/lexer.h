// Lexer: SQL text → tokens (offsets into the source; no copies).
//
// Handles the three dialects' literals, comments, identifier quoting and bind
// parameters. Keywords are recognised case-insensitively and tagged on the token; the
// parser decides whether a keyword may serve as an identifier. Thread-safe (pure).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/dialect.h"

namespace askguru::sql {

// X(name): every keyword the parser looks at. Order is irrelevant.
#define AG_SQL_KEYWORDS(X)                                                                                        \
  X(ABORT) X(ALL) X(ALTER) X(ANALYZE) X(AND) X(ANY) X(AS) X(ASC) X(ATTACH) X(BEGIN) X(BETWEEN) X(BOTH) X(BY)     \
  X(CALL) X(CASE) X(CAST) X(CLUSTER) X(COLLATE) X(COMMENT) X(COMMIT) X(CONNECT) X(CONNECT_BY_ROOT) X(COPY)       \
  X(CREATE) X(CROSS) X(CURRENT) X(CURRENT_DATE) X(CURRENT_TIME) X(CURRENT_TIMESTAMP) X(DATE) X(DEALLOCATE)       \
  X(DECLARE) X(DELETE) X(DESC) X(DETACH) X(DISCARD) X(DISTINCT) X(DO) X(DROP) X(ELSE) X(END) X(ESCAPE) X(EXCEPT) \
  X(EXCLUDE) X(EXEC) X(EXECUTE) X(EXISTS) X(EXPLAIN) X(EXTRACT) X(FALSE) X(FETCH) X(FILTER) X(FIRST)            \
  X(FOLLOWING) X(FOR) X(FROM) X(FULL) X(GLOB) X(GRANT) X(GROUP) X(GROUPS) X(HAVING) X(ILIKE) X(IN) X(INNER)      \
  X(INSERT) X(INTERSECT) X(INTERVAL) X(INTO) X(IS) X(ISNULL) X(JOIN) X(LAST) X(LATERAL) X(LEFT) X(LIKE) X(LIMIT) \
  X(LISTEN) X(LOAD) X(LOCK) X(MATCH) X(MATERIALIZED) X(MERGE) X(MINUS) X(NATURAL) X(NEXT) X(NO) X(NOCYCLE)      \
  X(NOT) X(NOTIFY) X(NOTNULL) X(NULL) X(NULLS) X(OF) X(OFFSET) X(ON) X(ONLY) X(OR) X(ORDER) X(OTHERS) X(OUTER)   \
  X(OVER) X(PARTITION) X(PERCENT) X(PLAN) X(PRAGMA) X(PRECEDING) X(PREPARE) X(PRIOR) X(QUERY) X(RANGE)          \
  X(RECURSIVE) X(REFRESH) X(REGEXP) X(REINDEX) X(RELEASE) X(RENAME) X(REPLACE) X(RESET) X(RETURNING) X(REVOKE)  \
  X(RIGHT) X(ROLLBACK) X(ROW) X(ROWS) X(SAVEPOINT) X(SELECT) X(SET) X(SHARE) X(SHOW) X(SIBLINGS) X(SIMILAR)      \
  X(SOME) X(START) X(TABLE) X(THEN) X(TIES) X(TIME) X(TIMESTAMP) X(TO) X(TRUE) X(TRUNCATE) X(TRY_CAST)           \
  X(UNBOUNDED) X(UNION) X(UNIQUE) X(UNKNOWN) X(UNLISTEN) X(UPDATE) X(UPSERT) X(USE) X(USING) X(VACUUM)          \
  X(VALUES) X(VERBOSE) X(WHEN) X(WHERE) X(WINDOW) X(WITH) X(WITHIN) X(WITHOUT) X(ZONE)

enum class Kw : uint16_t {
  kNone = 0,
#define AG_KW_ENUM(name) k_##name,
  AG_SQL_KEYWORDS(AG_KW_ENUM)
#undef AG_KW_ENUM
};

std::string_view keyword_text(Kw kw);     // "SELECT"
Kw lookup_keyword(std::string_view word);  // case-insensitive; Kw::kNone when not a keyword
// Keywords that can never be a bare identifier (column, table, alias, function name).
bool is_reserved_keyword(Kw kw);

enum class Tok : uint8_t {
  kEof,
  kWord,         // identifier or keyword (Token::kw says which keyword)
  kQuotedIdent,  // "x", `x`, [x]
  kString,       // 'x', E'x', N'x', q'[x]', $$x$$
  kBlob,         // X'ABCD'
  kNumber,
  kParam,        // ?, ?1, :name, :1, @name, $1, $name
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kSemicolon,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kConcat,       // ||
  kEq,           // =
  kEqEq,         // ==
  kNe,           // <>
  kBangEq,       // !=
  kLt,
  kLe,
  kGt,
  kGe,
  kAmp,
  kPipe,
  kTilde,        // ~ (also ~*, !~, !~*: see Token text)
  kShl,
  kShr,
  kCaret,        // ^
  kDoubleColon,  // ::
  kArrow,        // ->
  kLongArrow,    // ->>
  kNamedArg,     // => (also :=, PL/SQL assignment)
};

struct Token {
  Tok type = Tok::kEof;
  Kw kw = Kw::kNone;
  uint32_t begin = 0;  // byte offsets into the source
  uint32_t end = 0;
  std::string_view text(std::string_view source) const { return source.substr(begin, end - begin); }
};

struct LexError {
  uint32_t offset = 0;
  std::string message;  // "unterminated string literal"
};

// Appends the tokens of `source` to `out` (ending with one kEof token). Returns false and
// fills `error` on a lexical error.
bool tokenize(std::string_view source, Dialect dialect, std::vector<Token>& out, LexError& error);

// The value of a string token's text (quotes removed, '' and E'\n' escapes resolved):
// a view into `token_text` when nothing needs unescaping, else into `scratch`.
std::string_view string_token_value(std::string_view token_text, std::string& scratch);
// The name of a quoted identifier token ("a""b" → a"b, [x] → x, `x` → x).
std::string_view quoted_ident_value(std::string_view token_text, std::string& scratch);

}  // namespace askguru::sql
