// Copying a database (schema, keys, rows) into PostgreSQL, so a benchmark's SQLite
// database can be served from a real server (`askguru load --from F --to URL`).
//
// Names keep their exact case (every identifier is quoted). Column types follow the
// values actually stored, so results compare across engines: a column holding only
// integers becomes bigint, integers and reals double precision, any text text, only
// blobs bytea; an empty column maps its declared type by SQLite's affinity rules. Rows
// go through COPY. Primary keys, NOT NULL and foreign keys are added after the rows,
// each in a savepoint: a constraint the data breaks (SQLite does not enforce them all)
// is skipped and named in the report, not fatal. Foreign keys are NOT VALID (not
// re-checked). Everything runs in one transaction: a failure leaves the target as it was.
//
// This is the one place askguru writes to a database; it opens its own libpq session
// (the read-only Connection cannot write). Not thread-safe; one call at a time.
#pragma once

#include <string>
#include <vector>

#include "askguru/common/status.h"

namespace askguru::db {

class Connection;

struct LoadOptions {
  std::string schema = "public";  // target schema (created when missing)
  bool replace = false;           // drop target tables of the same names first; else they must not exist
};

struct LoadReport {
  size_t tables = 0;
  size_t rows = 0;
  size_t primary_keys = 0;
  size_t foreign_keys = 0;
  std::vector<std::string> skipped;  // constraints the data did not allow, with the server's reason
  double seconds = 0.0;
};

// Copies every table of `source` (views are not copied) into the PostgreSQL database at
// `url`.
Result<LoadReport> load_into_postgres(Connection& source, const std::string& url, const LoadOptions& options = {});

// The PostgreSQL type for a column, from the storage classes its values have (counts of
// integer, real, text and blob values) and its declared SQLite type.
std::string postgres_type_for(const std::string& declared, size_t integers, size_t reals, size_t texts, size_t blobs);

}  // namespace askguru::db
