// Oracle's catalog queries and their row → Catalog mapping (odbc_oracle.h), checked
// against golden files in test/unit/db/golden/ (ASKGURU_UPDATE_GOLDEN=1 rewrites them).
// No Oracle server can run here: an SQLite file stands in for the data dictionary
// (ALL_TAB_COMMENTS, ALL_TAB_COLUMNS, ... with Oracle's column names and an E-Business
// Suite-like content), read once directly and once through the SQLite ODBC driver with
// dialect=oracle, so the queries really run and OdbcConnection's Oracle path is taken.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "askguru/catalog/catalog_json.h"
#include "askguru/catalog/render.h"
#include "askguru/db/odbc_connection.h"
#include "askguru/db/odbc_oracle.h"
#include "askguru/db/sqlite_connection.h"
#include "askguru/sql/parser.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::db {
namespace {

using askguru::testing::TempDir;

constexpr const char* kSqliteDriver = "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so";

std::string golden_path(const std::string& name) {
  return std::string(ASKGURU_TEST_DATA_DIR) + "/unit/db/golden/" + name;
}

// Compares `actual` with the golden file (or rewrites it under ASKGURU_UPDATE_GOLDEN=1).
void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  if (const char* update = std::getenv("ASKGURU_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing golden file " << path << " (ASKGURU_UPDATE_GOLDEN=1 writes it)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "differs from " << path << " (ASKGURU_UPDATE_GOLDEN=1 rewrites it)";
}

// A data dictionary in the shape of Oracle's ALL_* views: schema AP owns the Payables
// tables, APPS has synonyms for them (and one for a table it cannot see), a view and a
// table of its own.
constexpr const char* kDictionary = R"sql(
CREATE TABLE ALL_TAB_COMMENTS (OWNER TEXT, TABLE_NAME TEXT, TABLE_TYPE TEXT, COMMENTS TEXT);
CREATE TABLE ALL_TABLES (OWNER TEXT, TABLE_NAME TEXT, NUM_ROWS INTEGER);
CREATE TABLE ALL_TAB_COLUMNS (OWNER TEXT, TABLE_NAME TEXT, COLUMN_NAME TEXT, DATA_TYPE TEXT, DATA_LENGTH INTEGER,
  DATA_PRECISION INTEGER, DATA_SCALE INTEGER, NULLABLE TEXT, COLUMN_ID INTEGER);
CREATE TABLE ALL_COL_COMMENTS (OWNER TEXT, TABLE_NAME TEXT, COLUMN_NAME TEXT, COMMENTS TEXT);
CREATE TABLE ALL_CONSTRAINTS (OWNER TEXT, CONSTRAINT_NAME TEXT, CONSTRAINT_TYPE TEXT, TABLE_NAME TEXT, R_OWNER TEXT,
  R_CONSTRAINT_NAME TEXT, STATUS TEXT);
CREATE TABLE ALL_CONS_COLUMNS (OWNER TEXT, CONSTRAINT_NAME TEXT, TABLE_NAME TEXT, COLUMN_NAME TEXT, POSITION INTEGER);
CREATE TABLE ALL_SYNONYMS (OWNER TEXT, SYNONYM_NAME TEXT, TABLE_OWNER TEXT, TABLE_NAME TEXT, DB_LINK TEXT);

INSERT INTO ALL_TAB_COMMENTS VALUES
  ('AP', 'AP_INVOICES_ALL', 'TABLE', 'Detailed invoice records'),
  ('AP', 'AP_INVOICE_LINES_ALL', 'TABLE', 'Invoice lines'),
  ('AP', 'AP_SUPPLIERS', 'TABLE', NULL),
  ('AP', 'BIN$abc==$0', 'TABLE', NULL),
  ('APPS', 'AP_INVOICES_V', 'VIEW', 'Invoices with supplier names'),
  ('APPS', 'XX_APPROVALS', 'TABLE', NULL),
  ('HR', 'PER_ALL_PEOPLE_F', 'TABLE', 'People');
INSERT INTO ALL_TABLES VALUES ('AP', 'AP_INVOICES_ALL', 125000), ('AP', 'AP_INVOICE_LINES_ALL', 480000),
  ('AP', 'AP_SUPPLIERS', NULL), ('APPS', 'XX_APPROVALS', 12), ('HR', 'PER_ALL_PEOPLE_F', 9000);
INSERT INTO ALL_TAB_COLUMNS VALUES
  ('AP', 'AP_INVOICES_ALL', 'INVOICE_ID', 'NUMBER', 22, 15, 0, 'N', 1),
  ('AP', 'AP_INVOICES_ALL', 'INVOICE_NUM', 'VARCHAR2', 50, NULL, NULL, 'N', 2),
  ('AP', 'AP_INVOICES_ALL', 'VENDOR_ID', 'NUMBER', 22, 15, 0, 'Y', 3),
  ('AP', 'AP_INVOICES_ALL', 'INVOICE_AMOUNT', 'NUMBER', 22, NULL, NULL, 'Y', 4),
  ('AP', 'AP_INVOICES_ALL', 'INVOICE_DATE', 'DATE', 7, NULL, NULL, 'Y', 5),
  ('AP', 'AP_INVOICE_LINES_ALL', 'INVOICE_ID', 'NUMBER', 22, 15, 0, 'N', 1),
  ('AP', 'AP_INVOICE_LINES_ALL', 'LINE_NUMBER', 'NUMBER', 22, 15, 0, 'N', 2),
  ('AP', 'AP_INVOICE_LINES_ALL', 'AMOUNT', 'NUMBER', 22, 38, 2, 'Y', 3),
  ('AP', 'AP_SUPPLIERS', 'VENDOR_ID', 'NUMBER', 22, 15, 0, 'N', 1),
  ('AP', 'AP_SUPPLIERS', 'VENDOR_NAME', 'VARCHAR2', 240, NULL, NULL, 'Y', 2),
  ('APPS', 'AP_INVOICES_V', 'INVOICE_ID', 'NUMBER', 22, 15, 0, 'N', 1),
  ('APPS', 'AP_INVOICES_V', 'VENDOR_NAME', 'VARCHAR2', 240, NULL, NULL, 'Y', 2),
  ('APPS', 'XX_APPROVALS', 'INVOICE_ID', 'NUMBER', 22, NULL, NULL, 'N', 1),
  ('APPS', 'XX_APPROVALS', 'APPROVER', 'CHAR', 30, NULL, NULL, 'Y', 2),
  ('HR', 'PER_ALL_PEOPLE_F', 'PERSON_ID', 'NUMBER', 22, 10, 0, 'N', 1);
INSERT INTO ALL_COL_COMMENTS VALUES
  ('AP', 'AP_INVOICES_ALL', 'INVOICE_ID', 'Invoice identifier'),
  ('AP', 'AP_INVOICES_ALL', 'INVOICE_NUM', NULL),
  ('AP', 'AP_SUPPLIERS', 'VENDOR_NAME', 'Supplier name'),
  ('APPS', 'XX_APPROVALS', 'APPROVER', 'Who approved');
INSERT INTO ALL_CONSTRAINTS VALUES
  ('AP', 'AP_INVOICES_PK', 'P', 'AP_INVOICES_ALL', NULL, NULL, 'ENABLED'),
  ('AP', 'AP_INVOICES_FK1', 'R', 'AP_INVOICES_ALL', 'AP', 'AP_SUPPLIERS_PK', 'ENABLED'),
  ('AP', 'AP_INVOICES_CK1', 'C', 'AP_INVOICES_ALL', NULL, NULL, 'ENABLED'),
  ('AP', 'AP_INVOICE_LINES_PK', 'P', 'AP_INVOICE_LINES_ALL', NULL, NULL, 'ENABLED'),
  ('AP', 'AP_INVOICE_LINES_FK1', 'R', 'AP_INVOICE_LINES_ALL', 'AP', 'AP_INVOICES_PK', 'ENABLED'),
  ('AP', 'AP_SUPPLIERS_PK', 'P', 'AP_SUPPLIERS', NULL, NULL, 'ENABLED'),
  ('APPS', 'XX_APPROVALS_FK1', 'R', 'XX_APPROVALS', 'AP', 'AP_INVOICES_PK', 'ENABLED'),
  ('HR', 'PER_PEOPLE_PK', 'P', 'PER_ALL_PEOPLE_F', NULL, NULL, 'ENABLED');
INSERT INTO ALL_CONS_COLUMNS VALUES
  ('AP', 'AP_INVOICES_PK', 'AP_INVOICES_ALL', 'INVOICE_ID', 1),
  ('AP', 'AP_INVOICES_FK1', 'AP_INVOICES_ALL', 'VENDOR_ID', 1),
  ('AP', 'AP_INVOICES_CK1', 'AP_INVOICES_ALL', 'INVOICE_NUM', NULL),
  ('AP', 'AP_INVOICE_LINES_PK', 'AP_INVOICE_LINES_ALL', 'LINE_NUMBER', 2),
  ('AP', 'AP_INVOICE_LINES_PK', 'AP_INVOICE_LINES_ALL', 'INVOICE_ID', 1),
  ('AP', 'AP_INVOICE_LINES_FK1', 'AP_INVOICE_LINES_ALL', 'INVOICE_ID', 1),
  ('AP', 'AP_SUPPLIERS_PK', 'AP_SUPPLIERS', 'VENDOR_ID', 1),
  ('APPS', 'XX_APPROVALS_FK1', 'XX_APPROVALS', 'INVOICE_ID', 1),
  ('HR', 'PER_PEOPLE_PK', 'PER_ALL_PEOPLE_F', 'PERSON_ID', 1);
INSERT INTO ALL_SYNONYMS VALUES
  ('APPS', 'AP_INVOICES_ALL', 'AP', 'AP_INVOICES_ALL', NULL),
  ('APPS', 'AP_INVOICE_LINES_ALL', 'AP', 'AP_INVOICE_LINES_ALL', NULL),
  ('APPS', 'AP_SUPPLIERS', 'AP', 'AP_SUPPLIERS', NULL),
  ('APPS', 'GL_LEDGERS', 'GL', 'GL_LEDGERS', NULL),
  ('APPS', 'REMOTE_T', 'X', 'T', 'OTHERDB');
)sql";

class OracleCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("dictionary.sqlite");
    askguru::testing::write_database(path_, kDictionary);
  }
  TempDir dir_;
  std::string path_;
};

TEST(OracleCatalogQueries, MatchTheGoldenFiles) {
  OracleCatalogQueries apps = oracle_catalog_queries({"APPS"});
  expect_golden("oracle_tables.sql", apps.tables + "\n");
  expect_golden("oracle_columns.sql", apps.columns + "\n");
  expect_golden("oracle_keys.sql", apps.keys + "\n");
  expect_golden("oracle_synonyms.sql", apps.synonyms + "\n");
  // Without schemas: the session's own schema.
  OracleCatalogQueries own = oracle_catalog_queries({});
  EXPECT_NE(own.tables.find("SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')"), std::string::npos);
  EXPECT_EQ(own.tables.find("'APPS'"), std::string::npos);
  // Quotes in a schema name cannot break out of the literal.
  EXPECT_NE(oracle_catalog_queries({"A'B"}).synonyms.find("'A''B'"), std::string::npos);
  // Each is one query that askguru's own Oracle parser reads as read-only.
  for (const std::string* q : {&apps.tables, &apps.columns, &apps.keys, &apps.synonyms, &own.tables}) {
    EXPECT_TRUE(check_odbc_query(*q, Dialect::kOracle).ok()) << check_odbc_query(*q, Dialect::kOracle).to_string();
  }
}

TEST_F(OracleCatalogTest, RowsMapToASchemaQualifiedCatalog) {
  auto db = SqliteConnection::open(path_);
  ASSERT_TRUE(db.ok()) << db.error();
  OracleCatalogQueries q = oracle_catalog_queries({"APPS"});
  OracleCatalogRows rows;
  for (auto [sql, out] : {std::pair{&q.tables, &rows.tables}, std::pair{&q.columns, &rows.columns},
                          std::pair{&q.keys, &rows.keys}, std::pair{&q.synonyms, &rows.synonyms}}) {
    auto result = (*db)->execute(*sql);
    ASSERT_TRUE(result.ok()) << result.error() << "\n" << *sql;
    *out = std::move(result).value();
  }
  catalog::Catalog catalog = oracle_catalog_from_rows(rows, "EBS");
  expect_golden("oracle_catalog.json", catalog::to_json(catalog) + "\n");
  // What a prompt shows: schema-qualified names, Oracle types, comments.
  catalog::RenderOptions ddl;
  ddl.format = catalog::RenderFormat::kDdl;
  expect_golden("oracle_catalog.ddl.sql", catalog::render(catalog, ddl));

  EXPECT_EQ(catalog.dialect, Dialect::kOracle);
  // APPS's own view and table, then one table per synonym; not HR's table, not the
  // recycle bin, not the dangling or remote synonyms, not AP's tables under their own names.
  std::vector<std::string> names;
  for (const auto& t : catalog.tables) names.push_back(t.schema + "." + t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"APPS.AP_INVOICES_V", "APPS.XX_APPROVALS", "APPS.AP_INVOICES_ALL",
                                             "APPS.AP_INVOICE_LINES_ALL", "APPS.AP_SUPPLIERS"}));
  const auto& invoices = catalog.tables[2];
  EXPECT_EQ(invoices.description, "Detailed invoice records");
  EXPECT_EQ(invoices.row_count, 125000);
  EXPECT_EQ(invoices.primary_key, (std::vector<std::string>{"INVOICE_ID"}));
  ASSERT_EQ(invoices.columns.size(), 5u);
  EXPECT_EQ(invoices.columns[0].type, "NUMBER(15)");
  EXPECT_EQ(invoices.columns[0].description, "Invoice identifier");
  EXPECT_TRUE(invoices.columns[0].primary_key);
  EXPECT_EQ(invoices.columns[1].type, "VARCHAR2(50)");
  EXPECT_EQ(invoices.columns[3].type, "NUMBER");
  EXPECT_EQ(invoices.columns[4].type, "DATE");
  EXPECT_EQ(catalog.tables[3].primary_key, (std::vector<std::string>{"INVOICE_ID", "LINE_NUMBER"}));
  EXPECT_EQ(catalog.tables[3].columns[2].type, "NUMBER(38,2)");
  EXPECT_EQ(catalog.tables[4].description, "Synonym for AP.AP_SUPPLIERS.");
  EXPECT_TRUE(catalog.tables[0].is_view);
  EXPECT_EQ(catalog.find_table("apps.ap_suppliers"), &catalog.tables[4]);
  EXPECT_EQ(catalog.find_table("AP_SUPPLIERS"), &catalog.tables[4]);
  EXPECT_EQ(catalog.find_table("AP.AP_SUPPLIERS"), nullptr);
  ASSERT_EQ(catalog.foreign_keys.size(), 3u);
  EXPECT_EQ(catalog.foreign_keys[0].from_table, "APPS.AP_INVOICES_ALL");
  EXPECT_EQ(catalog.foreign_keys[0].to_table, "APPS.AP_SUPPLIERS");
  EXPECT_EQ(catalog.foreign_keys[1].from_table, "APPS.AP_INVOICE_LINES_ALL");
  EXPECT_EQ(catalog.foreign_keys[1].to_table, "APPS.AP_INVOICES_ALL");
  EXPECT_EQ(catalog.foreign_keys[2].from_table, "APPS.XX_APPROVALS");
  EXPECT_EQ(catalog.foreign_keys[2].to_table, "APPS.AP_INVOICES_ALL");
}

TEST_F(OracleCatalogTest, OdbcConnectionTakesTheOraclePathThroughARealDriver) {
  if (!std::filesystem::exists(kSqliteDriver)) GTEST_SKIP() << "libsqliteodbc is not installed";
  auto conn = OdbcConnection::open(std::string("Driver=") + kSqliteDriver + ";Database=" + path_ + ";dialect=oracle");
  ASSERT_TRUE(conn.ok()) << conn.error();
  EXPECT_EQ((*conn)->dialect(), Dialect::kOracle);
  IntrospectOptions options;
  options.schemas = {"APPS"};
  options.sample_values = 0;
  options.count_rows = false;
  auto catalog = (*conn)->introspect(options);
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  catalog->db_id = "EBS";
  expect_golden("oracle_catalog.json", catalog::to_json(*catalog) + "\n");
}

}  // namespace
}  // namespace askguru::db
