// The parser layer of the server backends' read-only guarantee (PostgreSQL, ODBC):
// what they share before each backend adds its own checks of calls and functions.
#pragma once

#include <string>
#include <string_view>

#include "askguru/common/dialect.h"
#include "askguru/common/status.h"
#include "askguru/sql/ast.h"

namespace askguru::db {

// kRefused with `what` and a note that connections are read-only.
Status refuse_write(std::string what);

// The first token of `sql`, upper-cased ("DELETE", "("); "" when it is no word.
std::string first_word(std::string_view sql, Dialect dialect);

// Refuses a parsed text that holds several statements, SELECT ... INTO, or a statement
// kind that is not read-only (a write inside WITH included); OK otherwise.
Status check_one_read_only_statement(const sql::Ast& ast, Dialect dialect);

}  // namespace askguru::db
