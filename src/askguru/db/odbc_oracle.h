// Oracle's data dictionary read into a Catalog, for OdbcConnection on an Oracle server.
//
// Four queries (ALL_TAB_COMMENTS + ALL_TABLES, ALL_TAB_COLUMNS + ALL_COL_COMMENTS,
// ALL_CONSTRAINTS + ALL_CONS_COLUMNS, ALL_SYNONYMS) read the chosen schemas (default:
// the session's CURRENT_SCHEMA) and the tables and views their synonyms point at, so an
// E-Business Suite login as APPS sees APPS.AP_INVOICES_ALL with AP.AP_INVOICES_ALL's
// columns, keys and comments. oracle_catalog_from_rows maps the rows to tables named
// schema-qualified (Table::schema = owner): one per table or view of a chosen schema and
// one per synonym; foreign keys are repeated for every name of the referencing table and
// point at the first name of the referenced one.
//
// No Oracle server runs in the tests: the SQL text and the mapping are checked against
// golden files (test/unit/db/golden/). Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/db/result_set.h"

namespace askguru::db {

struct OracleCatalogQueries {
  // OWNER, TABLE_NAME, TABLE_TYPE ('TABLE'/'VIEW'), COMMENTS, IN_SCOPE (1/0), NUM_ROWS
  std::string tables;
  // OWNER, TABLE_NAME, COLUMN_NAME, DATA_TYPE, DATA_LENGTH, DATA_PRECISION, DATA_SCALE,
  // NULLABLE ('Y'/'N'), COLUMN_ID, COMMENTS
  std::string columns;
  // OWNER, TABLE_NAME, CONSTRAINT_TYPE ('P'/'R'), CONSTRAINT_NAME, POSITION, COLUMN_NAME,
  // R_OWNER, R_TABLE_NAME, R_COLUMN_NAME
  std::string keys;
  // OWNER, SYNONYM_NAME, TABLE_OWNER, TABLE_NAME
  std::string synonyms;
};

// `schemas` empty: SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA'). Names are used as given
// (Oracle stores unquoted names in upper case: write APPS, not apps).
OracleCatalogQueries oracle_catalog_queries(const std::vector<std::string>& schemas);

struct OracleCatalogRows {
  ResultSet tables;
  ResultSet columns;
  ResultSet keys;
  ResultSet synonyms;
};

catalog::Catalog oracle_catalog_from_rows(const OracleCatalogRows& rows, const std::string& db_id);

}  // namespace askguru::db
