// Introspection of an ODBC database into a Catalog (see OdbcConnection::introspect).
// Not thread-safe beyond the connection's own rules.
#pragma once

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"
#include "askguru/db/connection.h"

namespace askguru::db {

class OdbcConnection;

Result<catalog::Catalog> introspect_odbc(OdbcConnection& connection, const IntrospectOptions& options);

}  // namespace askguru::db
