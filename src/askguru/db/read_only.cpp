#include "askguru/db/read_only.h"

#include <vector>

#include "askguru/common/text.h"
#include "askguru/sql/lexer.h"

namespace askguru::db {

Status refuse_write(std::string what) {
  return make_error(ErrorCode::kRefused, std::move(what) + " — connections are read-only");
}

std::string first_word(std::string_view sql, Dialect dialect) {
  std::vector<sql::Token> tokens;
  sql::LexError error;
  sql::tokenize(sql, dialect, tokens, error);
  if (tokens.empty()) return {};
  if (tokens[0].type == sql::Tok::kLParen) return "(";
  if (tokens[0].type != sql::Tok::kWord) return {};
  return text::to_upper(tokens[0].text(sql));
}

Status check_one_read_only_statement(const sql::Ast& ast, Dialect dialect) {
  const auto& statements = ast.statements();
  if (statements.size() > 1) {
    std::string_view rest = ast.source().substr(statements[0].end);
    size_t semicolon = rest.find(';');
    if (semicolon != std::string_view::npos) rest.remove_prefix(semicolon + 1);
    return make_error(ErrorCode::kRefused, "several statements in one call: only one runs per call; remove '" +
                                               text::ellipsize(text::trim(rest), 80) + "'");
  }
  const sql::Statement& st = statements.front();
  if (st.kind == sql::StatementKind::kSelectInto) return refuse_write("SELECT ... INTO (it creates a table)");
  if (!sql::is_read_only_kind(st.kind)) {
    std::string kind = text::to_upper(sql::statement_kind_name(st.kind));
    if (st.query && st.kind != sql::StatementKind::kExplain) return refuse_write("a " + kind + " in a WITH query");
    std::string word = first_word(st.text, dialect);
    return refuse_write((word.empty() ? kind : word) + " statements are not allowed");
  }
  return Status();
}

}  // namespace askguru::db
