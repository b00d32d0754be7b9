// Introspection of a PostgreSQL database into a Catalog, from pg_catalog, through the
// connection's read-only transactions (PostgresConnection::execute_trusted). Not
// thread-safe beyond the connection's own rules.
#pragma once

#include <string>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"
#include "askguru/db/connection.h"

namespace askguru::db {

class PostgresConnection;

Result<catalog::Catalog> introspect_postgres(PostgresConnection& connection, const IntrospectOptions& options);

// A query whose rows change when the schema or the content of the user tables changes
// (relations, columns and types, and the server's insert/update/delete counters).
std::string postgres_fingerprint_query();

}  // namespace askguru::db
