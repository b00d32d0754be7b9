// Translation for a connection: introspects the connection's database (names and types
// only: no samples, no row counts) and translates SQL written for another engine into
// the connection's dialect against that catalog (sql/translate.h). What `askguru
// translate` and `askguru sql --dialect` call.
//
// `source`, when given, is the database the SQL was written for (the SQLite file the
// target was loaded from, `--source-db`): its declared types give SQLite's column
// affinity, so numeric-affinity columns the target holds as text compare and sort as
// SQLite does (TranslateOptions::source).
//
// Thread-safety: as the Connection (one call at a time per connection).
#pragma once

#include <string_view>

#include "askguru/common/dialect.h"
#include "askguru/common/status.h"
#include "askguru/sql/translate.h"

namespace askguru::db {

class Connection;

Result<sql::Translation> translate_for(Connection& connection, std::string_view sql, Dialect from,
                                       Connection* source = nullptr);

}  // namespace askguru::db
