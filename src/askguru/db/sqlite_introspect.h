// Introspection of an SQLite database into a Catalog, through the connection's
// own read-only execute() (so every statement passes the same authorizer).
// Not thread-safe beyond the connection's own rules.
#pragma once

#include <string>
#include <string_view>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"
#include "askguru/db/connection.h"

namespace askguru::db {

class SqliteConnection;

Result<catalog::Catalog> introspect_sqlite(SqliteConnection& connection, const IntrospectOptions& options);

// "name" with embedded double quotes doubled, for SQLite identifiers.
std::string quote_identifier(std::string_view name);

}  // namespace askguru::db
