// OdbcConnection through two real drivers: Debian's SQLite ODBC driver (libsqliteodbc,
// on files the test writes) and the PostgreSQL ODBC driver (odbc-postgresql) against the
// throw-away server of scripts/test_postgres.sh (ASKGURU_TEST_POSTGRES_URL; skipped
// without it). Plus the parts that need no database: the address, the query check.
#include "askguru/db/odbc_connection.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "askguru/catalog/catalog.h"
#include "askguru/db/postgres_connection.h"
#include "askguru/db/sqlite_connection.h"
#include "unit/db/postgres_fixture.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::db {
namespace {

using askguru::testing::PgDatabase;
using askguru::testing::CliRun;
using askguru::testing::run_askguru;
using askguru::testing::TempDir;
using std::chrono::milliseconds;

constexpr const char* kSqliteDriver = "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so";
constexpr const char* kPostgresDriver = "/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so";

#define AG_REQUIRE_DRIVER(path)                                                                       \
  do {                                                                                                \
    if (!std::filesystem::exists(path))                                                               \
      GTEST_SKIP() << "ODBC driver " << path << " is not installed (Debian: libsqliteodbc, odbc-postgresql)"; \
  } while (0)

// Sets an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// ---------------------------------------------------------------- without a database

TEST(OdbcAddress, DsnConnectionStringAndOptions) {
  auto dsn = parse_odbc_address("EBS;dialect=oracle");
  ASSERT_TRUE(dsn.ok()) << dsn.error();
  EXPECT_EQ(dsn->connection_string, "DSN=EBS");
  EXPECT_EQ(dsn->dialect, Dialect::kOracle);
  EXPECT_EQ(dsn->display, "odbc:EBS;dialect=oracle");

  auto string = parse_odbc_address("Driver=SQLite3;Database=/tmp/x.sqlite");
  ASSERT_TRUE(string.ok()) << string.error();
  EXPECT_EQ(string->connection_string, "Driver=SQLite3;Database=/tmp/x.sqlite");
  EXPECT_FALSE(string->dialect.has_value());

  EXPECT_EQ(parse_odbc_address("").status().code(), ErrorCode::kInvalidArgument);
  auto bad = parse_odbc_address("DSN=x;dialect=mysql");
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().find("mysql"), std::string::npos);
}

TEST(OdbcAddress, PasswordsNeverShownAndComeFromEnvironmentOrFile) {
  auto inline_pwd = parse_odbc_address("Driver=X;UID=scott;PWD={ti;ger}");
  ASSERT_TRUE(inline_pwd.ok()) << inline_pwd.error();
  EXPECT_EQ(inline_pwd->password, "ti;ger");
  EXPECT_TRUE(inline_pwd->password_in_address);
  EXPECT_EQ(inline_pwd->display, "odbc:Driver=X;UID=scott");

  {
    ScopedEnv env("ASKGURU_ODBC_PASSWORD", "from-env}x");
    auto from_env = parse_odbc_address("DSN=ebs;UID=apps");
    ASSERT_TRUE(from_env.ok());
    EXPECT_EQ(from_env->connection_string, "DSN=ebs;UID=apps;PWD={from-env}}x}");
    EXPECT_EQ(from_env->display.find("from-env"), std::string::npos);
  }
  {
    ScopedEnv env("MY_ODBC_SECRET", "named-var");
    auto named = parse_odbc_address("DSN=ebs;pwdenv=MY_ODBC_SECRET");
    ASSERT_TRUE(named.ok());
    EXPECT_EQ(named->connection_string, "DSN=ebs;PWD={named-var}");
  }
  TempDir dir;
  std::ofstream(dir.file("pw")) << "file-secret\n";
  auto from_file = parse_odbc_address("DSN=ebs;pwdfile=" + dir.file("pw"));
  ASSERT_TRUE(from_file.ok()) << from_file.error();
  EXPECT_EQ(from_file->connection_string, "DSN=ebs;PWD={file-secret}");
  EXPECT_EQ(from_file->display.find("file-secret"), std::string::npos);
  EXPECT_EQ(parse_odbc_address("DSN=ebs;pwdfile=" + dir.file("missing")).status().code(), ErrorCode::kNotFound);
}

TEST(OdbcAddress, ConnectErrorsNameTheAddressWithoutThePassword) {
  auto missing = OdbcConnection::open("Driver=/nonexistent/libnothing.so;Database=x;PWD=hunter2secret");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound) << missing.error();
  EXPECT_EQ(missing.error().find("hunter2secret"), std::string::npos) << missing.error();
  EXPECT_NE(missing.error().find("libnothing.so"), std::string::npos) << missing.error();

  auto no_dsn = open_connection("odbc:askguru_no_such_dsn");
  ASSERT_FALSE(no_dsn.ok());
  EXPECT_EQ(no_dsn.status().code(), ErrorCode::kNotFound) << no_dsn.error();
}

TEST(OdbcQueryCheck, DialectsRefuseWritesAndSideEffects) {
  for (Dialect d : {Dialect::kSqlite, Dialect::kOracle, Dialect::kPostgres}) {
    EXPECT_TRUE(check_odbc_query("SELECT a FROM t WHERE b > 1", d).ok()) << dialect_name(d);
    for (const char* sql : {"DELETE FROM t", "UPDATE t SET a = 1", "INSERT INTO t VALUES (1)", "DROP TABLE t",
                            "CREATE TABLE u (a INT)", "SELECT 1; DELETE FROM t",
                            "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d"}) {
      if (d == Dialect::kOracle && std::string_view(sql).find("RETURNING") != std::string_view::npos) continue;
      EXPECT_EQ(check_odbc_query(sql, d).code(), ErrorCode::kRefused) << dialect_name(d) << ": " << sql;
    }
  }
  EXPECT_TRUE(check_odbc_query("SELECT * FROM APPS.AP_INVOICES_ALL WHERE ROWNUM <= 10", Dialect::kOracle).ok());
  EXPECT_TRUE(check_odbc_query("SELECT DBMS_LOB.SUBSTR(note, 100, 1) FROM t", Dialect::kOracle).ok());
  Status sleep = check_odbc_query("SELECT DBMS_LOCK.SLEEP(10) FROM dual", Dialect::kOracle);
  EXPECT_EQ(sleep.code(), ErrorCode::kRefused);
  EXPECT_NE(sleep.message().find("DBMS_LOCK"), std::string::npos) << sleep.message();
  EXPECT_EQ(check_odbc_query("SELECT load_extension('x')", Dialect::kSqlite).code(), ErrorCode::kRefused);
  EXPECT_EQ(check_odbc_query("PRAGMA query_only = 0", Dialect::kSqlite).code(), ErrorCode::kRefused);
  EXPECT_EQ(check_odbc_query("SELECT pg_terminate_backend(1)", Dialect::kPostgres).code(), ErrorCode::kRefused);
}

TEST(OdbcDialect, FromDbmsName) {
  EXPECT_EQ(dialect_for_dbms("SQLite"), Dialect::kSqlite);
  EXPECT_EQ(dialect_for_dbms("PostgreSQL"), Dialect::kPostgres);
  EXPECT_EQ(dialect_for_dbms("Oracle"), Dialect::kOracle);
  EXPECT_FALSE(dialect_for_dbms("Microsoft SQL Server").has_value());
}

// ---------------------------------------------------------------- SQLite ODBC driver

class OdbcSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AG_REQUIRE_DRIVER(kSqliteDriver);
    path_ = dir_.file("shop.sqlite");
    askguru::testing::write_database(
        path_,
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT);"
        "CREATE TABLE product (sku TEXT, version INTEGER, price REAL, PRIMARY KEY (sku, version));"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer(id),"
        "  sku TEXT, version INTEGER, amount NUMERIC(10,2), placed DATE, at TIMESTAMP, note BLOB,"
        "  FOREIGN KEY (sku, version) REFERENCES product(sku, version));"
        "CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100;"
        "INSERT INTO customer VALUES (1, 'Zoë', 'Köln'), (2, 'Bob', NULL), (3, 'Ann', 'Paris');"
        "INSERT INTO product VALUES ('A1', 1, 9.5), ('A1', 2, 10.25), ('B7', 1, 0.1);"
        "INSERT INTO orders VALUES (1, 1, 'A1', 1, 120.50, '2024-01-31', '2024-01-31 12:30:00', x'00ff10'),"
        "  (2, 2, 'B7', 1, 3, '2023-12-01', NULL, NULL), (3, 1, 'A1', 2, NULL, NULL, NULL, NULL);");
    url_ = std::string("Driver=") + kSqliteDriver + ";Database=" + path_;
    auto conn = OdbcConnection::open(url_);
    ASSERT_TRUE(conn.ok()) << conn.error();
    conn_ = std::move(conn).value();
  }

  TempDir dir_;
  std::string path_;
  std::string url_;
  std::unique_ptr<OdbcConnection> conn_;
};

TEST_F(OdbcSqliteTest, DialectAndNames) {
  EXPECT_EQ(conn_->dialect(), Dialect::kSqlite);
  EXPECT_EQ(conn_->dbms_name(), "SQLite");
  EXPECT_EQ(conn_->display_name(), "odbc:" + url_);
  auto forced = OdbcConnection::open(url_ + ";dialect=postgres");
  ASSERT_TRUE(forced.ok()) << forced.error();
  EXPECT_EQ((*forced)->dialect(), Dialect::kPostgres);
  EXPECT_FALSE(conn_->fingerprint().empty());
  EXPECT_EQ(conn_->fingerprint(), conn_->fingerprint());
}

TEST_F(OdbcSqliteTest, ValuesMatchTheSqliteBackend) {
  auto direct = SqliteConnection::open(path_);
  ASSERT_TRUE(direct.ok()) << direct.error();
  for (const char* sql :
       {"SELECT * FROM customer ORDER BY id", "SELECT * FROM product ORDER BY sku, version",
        "SELECT id, customer_id, sku, version, amount, placed, at, note FROM orders ORDER BY id",
        "SELECT c.name, count(*) AS n, sum(o.amount) AS total FROM orders o JOIN customer c ON c.id = o.customer_id "
        "GROUP BY c.name ORDER BY c.name"}) {
    auto a = (*direct)->execute(sql);
    auto b = conn_->execute(sql);
    ASSERT_TRUE(a.ok()) << a.error();
    ASSERT_TRUE(b.ok()) << sql << ": " << b.error();
    EXPECT_EQ(a->columns, b->columns) << sql;
    ASSERT_EQ(a->rows.size(), b->rows.size()) << sql;
    for (size_t r = 0; r < a->rows.size(); ++r) {
      ASSERT_EQ(a->rows[r].size(), b->rows[r].size());
      for (size_t c = 0; c < a->rows[r].size(); ++c) {
        EXPECT_EQ(a->rows[r][c], b->rows[r][c]) << sql << " row " << r << " column " << a->columns[c] << ": "
                                                << a->rows[r][c].to_string() << " ("
                                                << value_type_name(a->rows[r][c].type()) << ") vs "
                                                << b->rows[r][c].to_string() << " ("
                                                << value_type_name(b->rows[r][c].type()) << ")";
      }
    }
  }
}

TEST_F(OdbcSqliteTest, WritesAreRefusedAtEveryLayer) {
  for (const char* sql : {"DELETE FROM customer", "UPDATE customer SET name = 'x'", "DROP TABLE orders",
                          "INSERT INTO customer VALUES (9, 'x', 'y')", "SELECT 1; DELETE FROM customer",
                          "ATTACH DATABASE '/tmp/x.db' AS x", "PRAGMA query_only = 0"}) {
    auto result = conn_->execute(sql);
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_EQ(result.status().code(), ErrorCode::kRefused) << sql << ": " << result.error();
  }
  // Past the parser: the session's query_only mode refuses the write in SQLite itself.
  for (const char* sql : {"DELETE FROM customer", "CREATE TABLE u (a INT)", "INSERT INTO customer VALUES (9, 'x', 'y')"}) {
    auto result = conn_->execute_trusted(sql, {});
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_EQ(result.status().code(), ErrorCode::kRefused) << sql << ": " << result.error();
  }
  auto count = conn_->execute("SELECT count(*) FROM customer");
  ASSERT_TRUE(count.ok()) << count.error();
  EXPECT_EQ(count->rows[0][0], Value::integer(3));
}

TEST_F(OdbcSqliteTest, TimeoutIsReportedAsATimeoutAndTheConnectionStaysUsable) {
  QueryOptions options;
  options.timeout = milliseconds(300);
  auto slow = conn_->execute(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n", options);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), ErrorCode::kTimeout) << slow.error();
  EXPECT_NE(slow.error().find("300 ms"), std::string::npos) << slow.error();

  auto bad = conn_->execute("SELECT nope FROM customer");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kSqlError) << bad.error();
  EXPECT_NE(bad.error().find("nope"), std::string::npos) << bad.error();

  auto next = conn_->execute("SELECT count(*) FROM customer");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(next->rows[0][0], Value::integer(3));
}

TEST_F(OdbcSqliteTest, InterruptFromAnotherThreadCancels) {
  std::thread interrupter([&] {
    std::this_thread::sleep_for(milliseconds(200));
    conn_->interrupt();
  });
  QueryOptions options;
  options.timeout = milliseconds(0);
  auto result = conn_->execute(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n", options);
  interrupter.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kCancelled) << result.error();
}

TEST_F(OdbcSqliteTest, RowCapStopsTheFetch) {
  QueryOptions options;
  options.max_rows = 2;
  auto capped = conn_->execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n",
                               options);
  ASSERT_TRUE(capped.ok()) << capped.error();
  EXPECT_EQ(capped->rows.size(), 2u);
  EXPECT_TRUE(capped->truncated);
  EXPECT_EQ(capped->rows[1][0], Value::integer(2));
  auto all = conn_->execute("SELECT id FROM customer", QueryOptions{milliseconds(5000), std::nullopt});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->rows.size(), 3u);
  EXPECT_FALSE(all->truncated);
}

TEST_F(OdbcSqliteTest, IntrospectionReadsKeysCompositeKeysAndViews) {
  auto catalog = conn_->introspect();
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  EXPECT_EQ(catalog->db_id, "shop");
  EXPECT_EQ(catalog->dialect, Dialect::kSqlite);
  ASSERT_EQ(catalog->tables.size(), 4u);
  const auto* product = catalog->find_table("product");
  ASSERT_NE(product, nullptr);
  EXPECT_EQ(product->schema, "");
  EXPECT_EQ(product->primary_key, (std::vector<std::string>{"sku", "version"}));
  EXPECT_EQ(product->row_count, 3);
  const auto* customer = catalog->find_table("customer");
  ASSERT_NE(customer, nullptr);
  ASSERT_EQ(customer->columns.size(), 3u);
  EXPECT_EQ(customer->columns[0].name, "id");
  EXPECT_TRUE(customer->columns[0].primary_key);
  EXPECT_TRUE(customer->columns[1].not_null);
  EXPECT_FALSE(customer->columns[2].not_null);
  EXPECT_FALSE(customer->columns[1].samples.empty());
  const auto* view = catalog->find_table("big_orders");
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(view->is_view);
  EXPECT_EQ(view->columns.size(), 8u);

  ASSERT_EQ(catalog->foreign_keys.size(), 2u);
  bool simple = false, composite = false;
  for (const auto& fk : catalog->foreign_keys) {
    EXPECT_EQ(fk.from_table, "orders");
    if (fk.to_table == "customer") {
      simple = fk.from_columns == std::vector<std::string>{"customer_id"} && fk.to_columns == std::vector<std::string>{"id"};
    }
    if (fk.to_table == "product") {
      composite = fk.from_columns == (std::vector<std::string>{"sku", "version"}) &&
                  fk.to_columns == (std::vector<std::string>{"sku", "version"});
    }
  }
  EXPECT_TRUE(simple);
  EXPECT_TRUE(composite);
}

TEST_F(OdbcSqliteTest, ForcedOracleDialectFallsBackToTheCatalogFunctions) {
  auto conn = OdbcConnection::open(url_ + ";dialect=oracle");
  ASSERT_TRUE(conn.ok()) << conn.error();
  IntrospectOptions options;
  options.sample_values = 0;
  auto catalog = (*conn)->introspect(options);
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  EXPECT_EQ(catalog->dialect, Dialect::kOracle);
  EXPECT_EQ(catalog->tables.size(), 4u);
}

// `askguru translate` on an odbc: address translates into the connection's dialect: with
// dialect=oracle (what the driver's SQL_DBMS_NAME gives on a real Oracle) the SQLite query
// comes out as Oracle SQL, resolved against the catalog read through the driver. No Oracle
// server runs here: the Oracle text is checked, not run (test/translate/oracle.test has
// the rules one by one).
TEST_F(OdbcSqliteTest, CliTranslatesIntoOracleWhenTheDialectIsOracle) {
  std::string path = dir_.file("ebs.sqlite");
  askguru::testing::write_database(path,
                                   "CREATE TABLE AP_INVOICES_ALL (INVOICE_ID INTEGER PRIMARY KEY, INVOICE_NUM TEXT "
                                   "NOT NULL, INVOICE_AMOUNT REAL, VENDOR_NAME TEXT);");
  const std::string address = std::string("'odbc:Driver=") + kSqliteDriver + ";Database=" + path;
  const std::string sql =
      " \"SELECT invoice_num || '/' || vendor_name FROM ap_invoices_all WHERE vendor_name LIKE 'acme%' LIMIT 5\"";
  auto oracle = run_askguru("translate --from sqlite --db " + address + ";dialect=oracle'" + sql);
  ASSERT_EQ(oracle.status, 0) << oracle.out;
  EXPECT_EQ(oracle.out,
            "SELECT CASE WHEN VENDOR_NAME IS NOT NULL THEN INVOICE_NUM || '/' || VENDOR_NAME END FROM AP_INVOICES_ALL "
            "WHERE LOWER(VENDOR_NAME) LIKE LOWER('acme%') FETCH FIRST 5 ROWS ONLY\n");
  // The driver reports SQLite: nothing to translate.
  auto sqlite = run_askguru("translate --from sqlite --db " + address + "'" + sql);
  ASSERT_EQ(sqlite.status, 0) << sqlite.out;
  EXPECT_EQ(sqlite.out,
            "SELECT invoice_num || '/' || vendor_name FROM ap_invoices_all WHERE vendor_name LIKE 'acme%' LIMIT 5\n");
}

TEST_F(OdbcSqliteTest, DatesReadAsDriverStructsBecomeIsoText) {
  // Under dialect=oracle dates are read as the driver's date/timestamp structs (Oracle's
  // text form follows NLS_DATE_FORMAT); the SQLite driver exercises that path for real.
  auto conn = OdbcConnection::open(url_ + ";dialect=oracle");
  ASSERT_TRUE(conn.ok()) << conn.error();
  auto rows = (*conn)->execute_trusted("SELECT placed, at FROM orders ORDER BY id", {});
  ASSERT_TRUE(rows.ok()) << rows.error();
  ASSERT_EQ(rows->rows.size(), 3u);
  EXPECT_EQ(rows->rows[0][0], Value::text("2024-01-31"));
  EXPECT_EQ(rows->rows[0][1], Value::text("2024-01-31 12:30:00"));
  EXPECT_EQ(rows->rows[1][0], Value::text("2023-12-01"));
  EXPECT_TRUE(rows->rows[1][1].is_null());
  EXPECT_TRUE(rows->rows[2][0].is_null());
}

TEST_F(OdbcSqliteTest, DataSourceNamesFromOdbcIni) {
  // unixODBC reads ODBCSYSINI once per process (this one has used ODBC already), so the
  // DSN is tried by a fresh askguru process.
  std::ofstream(dir_.file("odbcinst.ini")) << "[AskguruSQLite]\nDriver=" << kSqliteDriver << "\n";
  std::ofstream(dir_.file("odbc.ini")) << "[shopdsn]\nDriver=AskguruSQLite\nDatabase=" << path_ << "\n";
  ScopedEnv sys("ODBCSYSINI", dir_.path().string());
  ScopedEnv ini("ODBCINI", dir_.file("odbc.ini"));
  auto sql = run_askguru("sql --db odbc:shopdsn \"SELECT name FROM customer WHERE id = 1\"");
  EXPECT_EQ(sql.status, 0) << sql.out;
  EXPECT_NE(sql.out.find("Zoë"), std::string::npos) << sql.out;
  auto forced = run_askguru("schema --db 'odbc:shopdsn;dialect=sqlite'");
  EXPECT_EQ(forced.status, 0) << forced.out;
  EXPECT_NE(forced.out.find("customer"), std::string::npos) << forced.out;
}

TEST_F(OdbcSqliteTest, CliSchemaAndSqlWorkOnOdbcAddresses) {
  const std::string db = "'odbc:" + url_ + "'";
  auto schema = run_askguru("schema --db " + db);
  EXPECT_EQ(schema.status, 0) << schema.out;
  EXPECT_NE(schema.out.find("orders"), std::string::npos) << schema.out;
  EXPECT_NE(schema.out.find("product"), std::string::npos) << schema.out;
  auto sql = run_askguru("sql --json --db " + db + " \"SELECT name FROM customer WHERE city = 'Köln'\"");
  EXPECT_EQ(sql.status, 0) << sql.out;
  EXPECT_NE(sql.out.find("Zoë"), std::string::npos) << sql.out;
  auto write = run_askguru("sql --db " + db + " \"DELETE FROM customer\"");
  EXPECT_NE(write.status, 0) << write.out;
}

// ---------------------------------------------------------------- PostgreSQL ODBC driver

// The ODBC connection string for a postgresql://user@host:port/db URL (the test server's).
std::string odbc_for_postgres(const std::string& url, const std::string& user = "") {
  std::string rest = url.substr(url.find("://") + 3);
  std::string userinfo = rest.substr(0, rest.find('@'));
  rest = rest.substr(rest.find('@') + 1);
  std::string hostport = rest.substr(0, rest.find('/'));
  std::string db = rest.substr(rest.find('/') + 1);
  db = db.substr(0, db.find('?'));
  std::string host = hostport.substr(0, hostport.find(':'));
  std::string port = hostport.find(':') == std::string::npos ? "5432" : hostport.substr(hostport.find(':') + 1);
  return std::string("Driver=") + kPostgresDriver + ";Server=" + host + ";Port=" + port + ";Database=" + db +
         ";UID=" + (user.empty() ? userinfo : user);
}

class OdbcPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AG_REQUIRE_POSTGRES();
    AG_REQUIRE_DRIVER(kPostgresDriver);
    db_ = std::make_unique<PgDatabase>();
    db_->admin().exec(
        "CREATE TABLE t (id int PRIMARY KEY, big bigint, n numeric(12,2), whole numeric, f float8, s text, "
        "  v varchar(20), b boolean, d date, ts timestamp, bin bytea);"
        "INSERT INTO t VALUES (1, 9007199254740993, 12.50, 42, 0.1, 'Zoë in Köln', 'x', true, '2024-01-31', "
        "  '2024-01-31 12:30:00', '\\x00ff'), (2, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL);");
    conn_string_ = odbc_for_postgres(db_->url());
    auto conn = OdbcConnection::open(conn_string_);
    ASSERT_TRUE(conn.ok()) << conn.error();
    conn_ = std::move(conn).value();
  }

  std::unique_ptr<PgDatabase> db_;
  std::string conn_string_;
  std::unique_ptr<OdbcConnection> conn_;
};

TEST_F(OdbcPostgresTest, DialectIsDetected) {
  EXPECT_EQ(conn_->dialect(), Dialect::kPostgres);
  EXPECT_EQ(conn_->dbms_name(), "PostgreSQL");
  EXPECT_EQ(conn_->database(), db_->name());
}

TEST_F(OdbcPostgresTest, ValuesMatchThePostgresBackend) {
  auto direct = PostgresConnection::open(db_->url());
  ASSERT_TRUE(direct.ok()) << direct.error();
  for (const char* sql : {"SELECT * FROM t ORDER BY id",
                          "SELECT count(*) AS n, sum(n) AS total, avg(f) AS mean, max(d) AS last FROM t",
                          "SELECT 7 / 2 AS i, 7 / 2.0 AS r, 'a' || 'b' AS s, NULL AS nothing"}) {
    auto a = (*direct)->execute(sql);
    auto b = conn_->execute(sql);
    ASSERT_TRUE(a.ok()) << a.error();
    ASSERT_TRUE(b.ok()) << sql << ": " << b.error();
    EXPECT_EQ(a->columns, b->columns) << sql;
    ASSERT_EQ(a->rows.size(), b->rows.size()) << sql;
    for (size_t r = 0; r < a->rows.size(); ++r) {
      ASSERT_EQ(a->rows[r].size(), b->rows[r].size());
      for (size_t c = 0; c < a->rows[r].size(); ++c) {
        EXPECT_EQ(a->rows[r][c], b->rows[r][c]) << sql << " row " << r << " column " << a->columns[c] << ": "
                                                << a->rows[r][c].to_string() << " ("
                                                << value_type_name(a->rows[r][c].type()) << ") vs "
                                                << b->rows[r][c].to_string() << " ("
                                                << value_type_name(b->rows[r][c].type()) << ")";
      }
    }
  }
}

TEST_F(OdbcPostgresTest, WritesAreRefusedByTheParserAndByTheServer) {
  for (const char* sql : {"DELETE FROM t", "INSERT INTO t (id) VALUES (5)", "DROP TABLE t", "SELECT 1; DELETE FROM t",
                          "SELECT set_config('default_transaction_read_only', 'off', false)"}) {
    auto result = conn_->execute(sql);
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_EQ(result.status().code(), ErrorCode::kRefused) << sql << ": " << result.error();
  }
  // Past the parser: the read-only transaction refuses it on the server.
  for (const char* sql : {"DELETE FROM t", "INSERT INTO t (id) VALUES (5)", "CREATE TABLE u (a int)"}) {
    auto result = conn_->execute_trusted(sql, {});
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_EQ(result.status().code(), ErrorCode::kRefused) << sql << ": " << result.error();
  }
  EXPECT_EQ(db_->admin().scalar("SELECT count(*) FROM t"), "2");
  EXPECT_EQ(db_->admin().scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'u'"), "0");
  auto next = conn_->execute("SELECT count(*) FROM t");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(next->rows[0][0], Value::integer(2));
}

TEST_F(OdbcPostgresTest, TimeoutBelowOneSecondAndErrorsAreDistinct) {
  QueryOptions options;
  options.timeout = milliseconds(300);
  auto slow = conn_->execute("SELECT pg_sleep(10)", options);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), ErrorCode::kTimeout) << slow.error();
  auto bad = conn_->execute("SELECT nope FROM t");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kSqlError) << bad.error();
  EXPECT_NE(bad.error().find("nope"), std::string::npos) << bad.error();
  auto next = conn_->execute("SELECT count(*) FROM t");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(next->rows[0][0], Value::integer(2));
}

TEST_F(OdbcPostgresTest, IntrospectionReadsKeysCommentsSchemasAndViews) {
  db_->admin().exec(
      "CREATE SCHEMA sales;"
      "CREATE TABLE region (code text, country text, name text NOT NULL, PRIMARY KEY (country, code));"
      "COMMENT ON TABLE region IS 'Sales regions';"
      "COMMENT ON COLUMN region.name IS 'Display name of the region';"
      "CREATE TABLE sales.shop (id int PRIMARY KEY, country text, code text, "
      "  FOREIGN KEY (country, code) REFERENCES region (country, code));"
      "CREATE VIEW shop_names AS SELECT id FROM sales.shop;");
  auto catalog = conn_->introspect();
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  EXPECT_EQ(catalog->dialect, Dialect::kPostgres);
  const auto* region = catalog->find_table("region");
  ASSERT_NE(region, nullptr);
  EXPECT_EQ(region->schema, "");
  EXPECT_EQ(region->description, "Sales regions");
  EXPECT_EQ(region->primary_key, (std::vector<std::string>{"country", "code"}));
  const auto* name = region->find_column("name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->description, "Display name of the region");
  EXPECT_TRUE(name->not_null);
  const catalog::Table* shop = nullptr;
  for (const auto& t : catalog->tables) {
    if (t.name == "shop") shop = &t;
  }
  ASSERT_NE(shop, nullptr);
  EXPECT_EQ(shop->schema, "sales");
  const auto* view = catalog->find_table("shop_names");
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(view->is_view);
  const auto* t = catalog->find_table("t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->row_count, 2);
  ASSERT_EQ(catalog->foreign_keys.size(), 1u);
  EXPECT_EQ(catalog->foreign_keys[0].from_table, "sales.shop");
  EXPECT_EQ(catalog->foreign_keys[0].to_table, "region");
  EXPECT_EQ(catalog->foreign_keys[0].from_columns, (std::vector<std::string>{"country", "code"}));
  EXPECT_EQ(catalog->foreign_keys[0].to_columns, (std::vector<std::string>{"country", "code"}));
}

// psqlODBC buffers a whole result at execution unless it fetches through a cursor. The
// query below fails on the server at row 200,000 (division by zero): a driver that reads
// every row before the first reaches askguru meets that error, a cursor that FETCHes
// 1,000 rows at a time lets the byte guard (or the row cap) stop long before it.
TEST_F(OdbcPostgresTest, HugeResultStopsAtTheGuardsWithoutTheDriverBufferingIt) {
  const std::string sql =
      "SELECT g, CASE WHEN g < 200000 THEN repeat('x', 100) ELSE (1 / (g - g))::text END AS pad "
      "FROM generate_series(1, 300000) g";
  EXPECT_NE(conn_->driver_name().find("psqlodbc"), std::string::npos) << conn_->driver_name();
  EXPECT_TRUE(conn_->cursor_fetch());
  QueryOptions options;
  options.max_result_bytes = size_t{1} << 20;
  auto big = conn_->execute(sql, options);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), ErrorCode::kSqlError) << big.error();
  EXPECT_NE(big.error().find("result too large"), std::string::npos) << big.error();

  QueryOptions capped;
  capped.max_rows = 10;
  auto first = conn_->execute(sql, capped);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->rows.size(), 10u);
  EXPECT_TRUE(first->truncated);

  // The cursor lives in the query's READ ONLY transaction, which ends with the query.
  auto write = conn_->execute_trusted("CREATE TABLE u (a int)", {});
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.status().code(), ErrorCode::kRefused) << write.error();
  auto next = conn_->execute("SELECT count(*) FROM t");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(next->rows[0][0], Value::integer(2));

  // UseDeclareFetch in the address wins: with 0 the driver reads every row first.
  auto buffered = OdbcConnection::open(conn_string_ + ";UseDeclareFetch=0");
  ASSERT_TRUE(buffered.ok()) << buffered.error();
  EXPECT_FALSE((*buffered)->cursor_fetch());
  auto all = (*buffered)->execute(sql, options);
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.error().find("division by zero"), std::string::npos) << all.error();
}

TEST_F(OdbcPostgresTest, ServerGoingAwayGivesAClearErrorAndReconnects) {
  auto pid = conn_->execute("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok()) << pid.error();
  const std::string backend = pid->rows.at(0).at(0).to_string();
  std::thread killer([&] {
    for (int i = 0; i < 200; ++i) {
      std::this_thread::sleep_for(milliseconds(50));
      if (db_->server().scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = " + backend +
                               " AND query LIKE '%pg_sleep(60)%'") == "1") {
        break;
      }
    }
    db_->server().scalar("SELECT pg_terminate_backend(" + backend + ")");
  });
  QueryOptions options;
  options.timeout = milliseconds(0);
  auto result = conn_->execute("SELECT pg_sleep(60)", options);
  killer.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kUnavailable) << result.error();
  EXPECT_NE(result.error().find("closed the connection"), std::string::npos) << result.error();
  auto next = conn_->execute("SELECT pg_backend_pid()");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_NE(next->rows[0][0].to_string(), backend);
}

TEST_F(OdbcPostgresTest, IdleConnectionClosedByTheServerReconnects) {
  auto pid = conn_->execute("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok()) << pid.error();
  const std::string backend = pid->rows.at(0).at(0).to_string();
  EXPECT_EQ(db_->server().scalar("SELECT pg_terminate_backend(" + backend + ")"), "t");
  for (int i = 0; i < 100 && db_->server().scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = " + backend) != "0";
       ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  auto next = conn_->execute("SELECT pg_backend_pid()");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_NE(next->rows[0][0].to_string(), backend);
}

TEST_F(OdbcPostgresTest, CliSchemaAndSqlWorkThroughThePostgresDriver) {
  db_->admin().exec("COMMENT ON TABLE t IS 'All the types';");
  const std::string db = "'odbc:" + conn_string_ + "'";
  auto schema = run_askguru("schema --db " + db);
  EXPECT_EQ(schema.status, 0) << schema.out;
  EXPECT_NE(schema.out.find("(postgres)"), std::string::npos) << schema.out;
  EXPECT_NE(schema.out.find("All the types"), std::string::npos) << schema.out;
  auto sql = run_askguru("sql --db " + db + " \"SELECT s FROM t WHERE id = 1\"");
  EXPECT_EQ(sql.status, 0) << sql.out;
  EXPECT_NE(sql.out.find("Zoë in Köln"), std::string::npos) << sql.out;
  auto write = run_askguru("sql --db " + db + " \"UPDATE t SET s = 'x'\"");
  EXPECT_NE(write.status, 0) << write.out;
  EXPECT_EQ(db_->admin().scalar("SELECT s FROM t WHERE id = 1"), "Zoë in Köln");
}

TEST_F(OdbcPostgresTest, PasswordFromEnvironmentOrFileNeverInMessages) {
  const std::string secret = "odbc-Secret-991";
  db_->admin().exec("DROP ROLE IF EXISTS askguru_pw; CREATE ROLE askguru_pw LOGIN PASSWORD '" + secret +
                    "'; GRANT SELECT ON t TO askguru_pw;");
  const std::string address = odbc_for_postgres(db_->url(), "askguru_pw");
  auto without = OdbcConnection::open(address);
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.status().code(), ErrorCode::kRefused) << without.error();

  auto wrong = OdbcConnection::open(address + ";PWD=wrong-Secret-123");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kRefused) << wrong.error();
  EXPECT_EQ(wrong.error().find("wrong-Secret-123"), std::string::npos) << wrong.error();

  {
    ScopedEnv env("ASKGURU_ODBC_PASSWORD", secret);
    auto with_env = OdbcConnection::open(address);
    ASSERT_TRUE(with_env.ok()) << with_env.error();
    EXPECT_EQ((*with_env)->display_name().find(secret), std::string::npos);
    auto rows = (*with_env)->execute("SELECT count(*) FROM t");
    ASSERT_TRUE(rows.ok()) << rows.error();
    EXPECT_EQ(rows->rows[0][0], Value::integer(2));
  }
  TempDir dir;
  std::ofstream(dir.file("pw")) << secret << "\n";
  auto with_file = OdbcConnection::open(address + ";pwdfile=" + dir.file("pw"));
  ASSERT_TRUE(with_file.ok()) << with_file.error();
  EXPECT_EQ((*with_file)->display_name().find(secret), std::string::npos);
  with_file->reset();
  db_->admin().exec("DROP OWNED BY askguru_pw; DROP ROLE askguru_pw;");
}

}  // namespace
}  // namespace askguru::db
