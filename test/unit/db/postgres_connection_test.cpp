// PostgresConnection against a real server (scripts/test_postgres.sh starts a throw-away
// one and sets ASKGURU_TEST_POSTGRES_URL; without it these tests skip), plus the parts
// that need no server (the query check, URL redaction).
#include "askguru/db/postgres_connection.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include "askguru/catalog/catalog.h"
#include "unit/db/postgres_fixture.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::db {
namespace {

using askguru::testing::PgDatabase;
using askguru::testing::TempDir;
using std::chrono::milliseconds;

// ---------------------------------------------------------------- without a server

TEST(PostgresQueryCheck, QueriesPass) {
  for (const char* sql :
       {"SELECT 1", "select a, b from t where a > 1 order by b limit 3", "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
        "VALUES (1), (2)", "SHOW search_path", "SELECT pg_sleep(1)", "SELECT count(*) FROM t;", "-- note\nSELECT 1",
        "SELECT 'pg_terminate_backend(1)' AS text_not_a_call"}) {
    Status status = check_postgres_query(sql);
    EXPECT_TRUE(status.ok()) << sql << ": " << status.to_string();
  }
}

TEST(PostgresQueryCheck, WritesAndSideEffectsAreRefused) {
  struct Case {
    const char* sql;
    const char* expected;  // a fragment of the message
  };
  const Case cases[] = {
      {"INSERT INTO t VALUES (1)", "INSERT statements are not allowed"},
      {"UPDATE t SET a = 1", "UPDATE"},
      {"DELETE FROM t", "DELETE"},
      {"MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", "MERGE"},
      {"CREATE TABLE u (a int)", "CREATE"},
      {"DROP TABLE t", "DROP"},
      {"ALTER TABLE t ADD COLUMN c int", "ALTER"},
      {"TRUNCATE t", "TRUNCATE"},
      {"WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "DELETE in a WITH query"},
      {"COPY t TO STDOUT", "COPY"},
      {"COPY (SELECT 1) TO PROGRAM 'true'", "COPY"},
      {"SET statement_timeout = 0", "SET"},
      {"ALTER SYSTEM SET work_mem = '1GB'", "ALTER"},
      {"SELECT 1; DELETE FROM t", "several statements"},
      {"SELECT 1; SELECT 2", "several statements"},
      {"SELECT * INTO u FROM t", "SELECT ... INTO"},
      {"SELECT pg_terminate_backend(1)", "function pg_terminate_backend()"},
      {"SELECT pg_catalog.set_config('default_transaction_read_only', 'off', false)", "set_config"},
      {"SELECT \"pg_cancel_backend\"(1)", "pg_cancel_backend"},
      {"SELECT lo_import('/etc/passwd')", "lo_import"},
      {"SELECT pg_notify('c', 'x')", "pg_notify"},
      {"SELECT query_to_xml('DELETE FROM t', true, true, '')", "query_to_xml"},
      {"SELECT nextval('s')", "nextval"},
      {"SELECT PG_ADVISORY_LOCK(1)", "pg_advisory_lock"},
      {"BEGIN", "BEGIN"},
      {"DO $$ BEGIN DELETE FROM t; END $$", ""},
      {"VACUUM t", "VACUUM"},
  };
  for (const auto& c : cases) {
    Status status = check_postgres_query(c.sql);
    EXPECT_EQ(status.code(), ErrorCode::kRefused) << c.sql << ": " << status.to_string();
    EXPECT_NE(status.message().find(c.expected), std::string::npos) << c.sql << ": " << status.message();
  }
}

TEST(PostgresUrl, RedactionRemovesPasswords) {
  EXPECT_EQ(redact_postgres_url("postgresql://alice:s3cret@db.example:5432/sales"),
            "postgresql://alice@db.example:5432/sales");
  EXPECT_EQ(redact_postgres_url("postgresql://alice:a/b@c@host/db?sslmode=require"),
            "postgresql://alice@host/db?sslmode=require");
  EXPECT_EQ(redact_postgres_url("postgres://host/db?password=s3cret&sslmode=disable"),
            "postgres://host/db?sslmode=disable");
  EXPECT_EQ(redact_postgres_url("postgres://host/db?sslmode=disable&password=s3cret"),
            "postgres://host/db?sslmode=disable");
  EXPECT_EQ(redact_postgres_url("postgresql://bob@host/db"), "postgresql://bob@host/db");
  EXPECT_EQ(redact_postgres_url("host=h password='a b' dbname=x"), "host=h dbname=x");
}

TEST(PostgresUrl, BadAddressesFailWithoutThePassword) {
  auto malformed = open_connection("postgresql://u:topsecret99@127.0.0.1:5432/db?nosuchoption=1");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().code(), ErrorCode::kInvalidArgument) << malformed.error();
  EXPECT_EQ(malformed.error().find("topsecret99"), std::string::npos) << malformed.error();

  auto refused = open_connection("postgresql://u:topsecret99@127.0.0.1:1/db");  // nothing listens on port 1
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable) << refused.error();
  EXPECT_EQ(refused.error().find("topsecret99"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("postgresql://u@127.0.0.1:1/db"), std::string::npos) << refused.error();
}

// ---------------------------------------------------------------- against the server

class PostgresConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AG_REQUIRE_POSTGRES();
    db_ = std::make_unique<PgDatabase>();
    db_->admin().exec(
        "CREATE TABLE t (id int PRIMARY KEY, name text);"
        "INSERT INTO t VALUES (1, 'apple'), (2, 'pear'), (3, NULL);"
        "CREATE SEQUENCE s;");
    auto conn = open_connection(db_->url());
    ASSERT_TRUE(conn.ok()) << conn.error();
    conn_ = std::move(*conn);
  }

  std::unique_ptr<PgDatabase> db_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(PostgresConnectionTest, SelectReturnsColumnsAndRows) {
  EXPECT_EQ(conn_->dialect(), Dialect::kPostgres);
  auto result = conn_->execute("SELECT id, name FROM t ORDER BY id");
  ASSERT_TRUE(result.ok()) << result.error();
  ASSERT_EQ(result->columns, (std::vector<std::string>{"id", "name"}));
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->rows[0][0], Value::integer(1));
  EXPECT_EQ(result->rows[1][1], Value::text("pear"));
  EXPECT_TRUE(result->rows[2][1].is_null());
  EXPECT_FALSE(result->truncated);

  auto empty = conn_->execute("SELECT id, name FROM t WHERE false");
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_EQ(empty->columns, (std::vector<std::string>{"id", "name"}));
  EXPECT_TRUE(empty->rows.empty());
}

TEST_F(PostgresConnectionTest, ValuesConvertFaithfully) {
  db_->admin().exec(
      "CREATE TABLE kinds (i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n0 numeric(12,0), n2 numeric(10,2), "
      "n numeric, b bool, tx text, vc varchar(10), ch char(4), d date, ts timestamp, tstz timestamptz, tm time, "
      "by bytea, u uuid, j jsonb, arr int[], nul int);"
      "INSERT INTO kinds VALUES (-32768, 2147483647, 9223372036854775807, 1.5, 0.1, 123456789012, 3.10, "
      "1e30, true, 'héllo', 'v', 'ab', '2024-02-29', '2024-02-29 13:45:06.5', '2024-02-29 13:45:06+00', "
      "'23:59:59', '\\x00ff41', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": [1, 2]}', '{1,2}', NULL);");
  auto result = conn_->execute("SELECT * FROM kinds");
  ASSERT_TRUE(result.ok()) << result.error();
  ASSERT_EQ(result->rows.size(), 1u);
  const Row& row = result->rows[0];
  ASSERT_EQ(row.size(), 21u);
  EXPECT_EQ(row[0], Value::integer(-32768));
  EXPECT_EQ(row[1], Value::integer(2147483647));
  EXPECT_EQ(row[2], Value::integer(INT64_MAX));
  EXPECT_EQ(row[3], Value::real(1.5));
  EXPECT_EQ(row[4], Value::real(0.1));  // shortest round-trip text, exactly 0.1
  EXPECT_EQ(row[5], Value::integer(123456789012));
  EXPECT_EQ(row[6], Value::real(3.1));
  EXPECT_EQ(row[7], Value::real(1e30));  // integral but too large for 64 bits
  EXPECT_EQ(row[8], Value::integer(1));
  EXPECT_EQ(row[9], Value::text("héllo"));
  EXPECT_EQ(row[10], Value::text("v"));
  EXPECT_EQ(row[11], Value::text("ab  "));  // char(n) keeps its padding, as the server returns it
  EXPECT_EQ(row[12], Value::text("2024-02-29"));
  EXPECT_EQ(row[13], Value::text("2024-02-29 13:45:06.5"));
  ASSERT_EQ(row[14].type(), ValueType::kText);
  EXPECT_EQ(row[14].as_text().substr(0, 4), "2024");  // ISO, in the session's time zone
  EXPECT_EQ(row[15], Value::text("23:59:59"));
  EXPECT_EQ(row[16], Value::blob(std::string("\x00\xff"
                                             "A",
                                             3)));
  EXPECT_EQ(row[17], Value::text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
  EXPECT_EQ(row[18], Value::text("{\"k\": [1, 2]}"));
  EXPECT_EQ(row[19], Value::text("{1,2}"));
  EXPECT_TRUE(row[20].is_null());

  // Aggregates as SQLite would give them: sum of integers is an integer, avg a real.
  auto agg = conn_->execute(
      "SELECT sum(id), avg(id), count(*), false, 'NaN'::float8, '-Infinity'::float8, 7 / 2, 7.0 / 2, "
      "'-12'::numeric, 1.50::numeric(4,2) * 2 FROM t");
  ASSERT_TRUE(agg.ok()) << agg.error();
  const Row& a = agg->rows.at(0);
  EXPECT_EQ(a[0], Value::integer(6));
  EXPECT_EQ(a[1], Value::real(2.0));
  EXPECT_EQ(a[2], Value::integer(3));
  EXPECT_EQ(a[3], Value::integer(0));
  ASSERT_EQ(a[4].type(), ValueType::kReal);
  EXPECT_TRUE(std::isnan(a[4].as_real()));
  EXPECT_EQ(a[5], Value::real(-INFINITY));
  EXPECT_EQ(a[6], Value::integer(3));
  EXPECT_EQ(a[7], Value::real(3.5));
  EXPECT_EQ(a[8], Value::integer(-12));
  EXPECT_EQ(a[9], Value::real(3.0));
}

TEST_F(PostgresConnectionTest, EveryWritePathIsRefusedAndNothingChanges) {
  db_->admin().exec("CREATE TABLE audit (n int); CREATE MATERIALIZED VIEW mv AS SELECT count(*) FROM t;");
  const std::string pid = [&] {
    auto r = conn_->execute("SELECT pg_backend_pid()");
    return r.ok() ? r->rows.at(0).at(0).to_string() : std::string("0");
  }();
  const std::vector<std::string> writes = {
      "INSERT INTO t VALUES (9, 'x')",
      "INSERT INTO t SELECT id + 10, name FROM t",
      "UPDATE t SET name = 'z'",
      "DELETE FROM t",
      "DELETE FROM t WHERE id = 1 RETURNING id",
      "MERGE INTO t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE",
      "TRUNCATE t",
      "CREATE TABLE u (a int)",
      "CREATE TEMP TABLE u (a int)",
      "CREATE TABLE u AS SELECT * FROM t",
      "SELECT * INTO u FROM t",
      "CREATE INDEX i ON t (name)",
      "CREATE VIEW v2 AS SELECT 1",
      "DROP TABLE t",
      "ALTER TABLE t ADD COLUMN c int",
      "ALTER TABLE t RENAME TO t2",
      "COMMENT ON TABLE t IS 'x'",
      "GRANT SELECT ON t TO PUBLIC",
      "REFRESH MATERIALIZED VIEW mv",
      "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
      "WITH i AS (INSERT INTO audit VALUES (1) RETURNING n) SELECT n FROM i",
      "COPY t TO STDOUT",
      "COPY t FROM STDIN",
      "COPY (SELECT 1) TO '/tmp/askguru_copy_test'",
      "COPY (SELECT 1) TO PROGRAM 'touch /tmp/askguru_copy_test'",
      "SET default_transaction_read_only = off",
      "SET statement_timeout = 0",
      "RESET ALL",
      "ALTER SYSTEM SET work_mem = '64MB'",
      "ALTER ROLE CURRENT_USER SET work_mem = '64MB'",
      "SELECT 1; DELETE FROM t",
      "SELECT 1; SELECT 2",
      "BEGIN",
      "COMMIT",
      "LOCK TABLE t",
      "VACUUM t",
      "ANALYZE t",
      "DO $$ BEGIN DELETE FROM t; END $$",
      "CALL nothing()",
      "PREPARE p AS DELETE FROM t",
      "DECLARE c CURSOR FOR SELECT 1",
      "LISTEN chan",
      "NOTIFY chan",
      "SELECT * FROM t FOR UPDATE",
      "SELECT pg_terminate_backend(" + pid + ")",
      "SELECT pg_cancel_backend(" + pid + ")",
      "SELECT set_config('default_transaction_read_only', 'off', false)",
      "SELECT lo_import('/etc/hostname')",
      "SELECT pg_notify('chan', 'x')",
      "SELECT nextval('s')",
      "SELECT setval('s', 100)",
      "SELECT query_to_xml('DELETE FROM t', true, true, '')",
      "SELECT pg_reload_conf()",
      "SELECT pg_advisory_lock(1)",
      "SELECT pg_read_file('/etc/hostname')",
  };
  for (const auto& sql : writes) {
    auto result = conn_->execute(sql);
    ASSERT_FALSE(result.ok()) << sql << " ran";
    EXPECT_EQ(result.status().code(), ErrorCode::kRefused) << sql << ": " << result.error();
  }
  // The connection is still usable, and nothing changed.
  auto after = conn_->execute(
      "SELECT count(*), current_setting('default_transaction_read_only'), "
      "current_setting('transaction_read_only') FROM t");
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(after->rows[0][0], Value::integer(3));
  EXPECT_EQ(after->rows[0][1], Value::text("on"));
  EXPECT_EQ(after->rows[0][2], Value::text("on"));
  EXPECT_EQ(db_->admin().scalar("SELECT count(*) FROM t"), "3");
  EXPECT_EQ(db_->admin().scalar("SELECT count(*) FROM audit"), "0");
  EXPECT_EQ(db_->admin().scalar("SELECT count(*) FROM pg_class WHERE relname IN ('u', 'v2', 'i', 't2')"), "0");
  EXPECT_EQ(db_->admin().scalar("SELECT count(*) FROM pg_largeobject_metadata"), "0");
  EXPECT_EQ(db_->admin().scalar("SELECT last_value FROM s"), "1");
  EXPECT_EQ(db_->admin().scalar("SELECT is_called::text FROM s"), "false");
  EXPECT_EQ(db_->admin().scalar("SELECT obj_description('t'::regclass, 'pg_class')"), "");
  EXPECT_FALSE(std::ifstream("/tmp/askguru_copy_test").good());
}

TEST_F(PostgresConnectionTest, ServerRefusesWritesEvenPastTheParser) {
  // Layers 2 and 3 alone (execute_trusted skips the parser's check).
  auto* pg = dynamic_cast<PostgresConnection*>(conn_.get());
  ASSERT_NE(pg, nullptr);
  QueryOptions options;
  auto insert = pg->execute_trusted("INSERT INTO t VALUES (9, 'x')", options);
  ASSERT_FALSE(insert.ok());
  EXPECT_EQ(insert.status().code(), ErrorCode::kRefused) << insert.error();
  EXPECT_NE(insert.error().find("read-only transaction"), std::string::npos) << insert.error();
  auto several = pg->execute_trusted("SELECT 1; DELETE FROM t", options);
  ASSERT_FALSE(several.ok());
  EXPECT_EQ(several.status().code(), ErrorCode::kRefused) << several.error();
  auto ddl = pg->execute_trusted("CREATE TABLE u (a int)", options);
  ASSERT_FALSE(ddl.ok());
  EXPECT_EQ(ddl.status().code(), ErrorCode::kRefused) << ddl.error();
  EXPECT_EQ(db_->admin().scalar("SELECT count(*) FROM t"), "3");
}

TEST_F(PostgresConnectionTest, SqlErrorsCarryTheServerMessage) {
  auto missing = conn_->execute("SELECT nosuch FROM t");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(missing.error().find("column \"nosuch\" does not exist"), std::string::npos) << missing.error();
  auto division = conn_->execute("SELECT 1 / (id - 1) FROM t");
  ASSERT_FALSE(division.ok());
  EXPECT_EQ(division.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(division.error().find("division by zero"), std::string::npos) << division.error();
  // The failed transaction was rolled back: the next query works.
  auto next = conn_->execute("SELECT count(*) FROM t");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(next->rows[0][0], Value::integer(3));
}

TEST_F(PostgresConnectionTest, TimeoutIsDistinctAndConnectionStaysUsable) {
  QueryOptions options;
  options.timeout = milliseconds(300);
  auto slow = conn_->execute("SELECT pg_sleep(20)", options);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), ErrorCode::kTimeout) << slow.error();
  EXPECT_NE(slow.error().find("300 ms"), std::string::npos) << slow.error();
  // A heavy query (not a sleep) ends the same way.
  auto heavy = conn_->execute("SELECT count(*) FROM generate_series(1, 1000000000)", options);
  ASSERT_FALSE(heavy.ok());
  EXPECT_EQ(heavy.status().code(), ErrorCode::kTimeout) << heavy.error();
  auto next = conn_->execute("SELECT current_setting('statement_timeout')");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(next->rows[0][0], Value::text("30s"));  // the default QueryOptions timeout, per query
}

TEST_F(PostgresConnectionTest, InterruptFromAnotherThreadCancels) {
  QueryOptions options;
  options.timeout = milliseconds(0);  // no time limit: only the interrupt ends it
  std::atomic<bool> done{false};
  std::thread canceller([&] {
    while (!done.load()) {
      std::this_thread::sleep_for(milliseconds(100));
      conn_->interrupt();  // repeated: the first may come before the query starts
    }
  });
  auto result = conn_->execute("SELECT pg_sleep(60)", options);
  done = true;
  canceller.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kCancelled) << result.error();
  auto next = conn_->execute("SELECT 1");
  ASSERT_TRUE(next.ok()) << next.error();
}

TEST_F(PostgresConnectionTest, RowCapStopsEarlyAndAllRowsWithoutIt) {
  QueryOptions capped;
  capped.max_rows = 10;
  // 100 million rows that stream (generate_series alone would be materialised first).
  const std::string many = "SELECT a * 10000 + b AS g FROM generate_series(0, 9999) a, generate_series(1, 10000) b";
  auto first = conn_->execute(many, capped);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->rows.size(), 10u);
  EXPECT_TRUE(first->truncated);
  EXPECT_EQ(first->rows[9][0], Value::integer(10));

  auto exact = conn_->execute("SELECT g FROM generate_series(1, 10) g", capped);
  ASSERT_TRUE(exact.ok()) << exact.error();
  EXPECT_EQ(exact->rows.size(), 10u);
  EXPECT_FALSE(exact->truncated);

  auto all = conn_->execute("SELECT g, 'row ' || g FROM generate_series(1, 50000) g");
  ASSERT_TRUE(all.ok()) << all.error();
  ASSERT_EQ(all->rows.size(), 50000u);
  EXPECT_FALSE(all->truncated);
  EXPECT_EQ(all->rows.back()[1], Value::text("row 50000"));

  QueryOptions small;
  small.max_result_bytes = size_t{1} << 20;
  auto huge = conn_->execute("SELECT repeat('x', 1000) FROM (" + many + ") s", small);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(huge.error().find("result too large"), std::string::npos) << huge.error();

  auto next = conn_->execute("SELECT count(*) FROM t");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(next->rows[0][0], Value::integer(3));
}

TEST_F(PostgresConnectionTest, ServerGoingAwayGivesAClearErrorAndReconnects) {
  auto pid = conn_->execute("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok()) << pid.error();
  const std::string backend = pid->rows.at(0).at(0).to_string();
  std::thread killer([&] {
    // Wait until the query runs, then end its session from a second connection.
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
  EXPECT_NE(result.error().find("terminating connection"), std::string::npos) << result.error();
  auto next = conn_->execute("SELECT pg_backend_pid()");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_NE(next->rows[0][0].to_string(), backend);
}

TEST_F(PostgresConnectionTest, IntrospectionReadsSchemasKeysCommentsAndViews) {
  db_->admin().exec(
      "CREATE SCHEMA sales;"
      "CREATE TABLE region (code text, country text, name text NOT NULL, PRIMARY KEY (country, code));"
      "COMMENT ON TABLE region IS 'Sales regions';"
      "COMMENT ON COLUMN region.name IS 'Display name of the region';"
      "CREATE TABLE sales.orders (order_id bigint PRIMARY KEY, country text, code text, amount numeric(10,2), "
      "  FOREIGN KEY (country, code) REFERENCES region (country, code));"
      "CREATE TABLE sales.t (x int);"  // same name as public.t, not on the search_path
      "CREATE VIEW big_orders AS SELECT order_id, amount FROM sales.orders WHERE amount > 100;"
      "CREATE TABLE blobs (id int REFERENCES t (id), data bytea);"
      "INSERT INTO region VALUES ('N', 'FR', 'Nord'), ('S', 'FR', 'Sud'), ('N', 'DE', 'Nord');"
      "INSERT INTO sales.orders VALUES (1, 'FR', 'N', 150), (2, 'DE', 'N', 50);"
      "INSERT INTO blobs VALUES (1, '\\x00');");
  auto catalog = conn_->introspect();
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  EXPECT_EQ(catalog->dialect, Dialect::kPostgres);
  EXPECT_EQ(catalog->db_id, db_->name());

  auto find = [&](const std::string& schema, const std::string& name) -> const catalog::Table* {
    for (const auto& table : catalog->tables) {
      if (table.schema == schema && table.name == name) return &table;
    }
    return nullptr;
  };
  const catalog::Table* region = find("", "region");
  ASSERT_NE(region, nullptr);
  EXPECT_EQ(region->description, "Sales regions");
  EXPECT_EQ(region->primary_key, (std::vector<std::string>{"country", "code"}));
  ASSERT_NE(region->find_column("name"), nullptr);
  EXPECT_EQ(region->find_column("name")->description, "Display name of the region");
  EXPECT_TRUE(region->find_column("name")->not_null);
  EXPECT_TRUE(region->find_column("code")->primary_key);
  EXPECT_FALSE(region->find_column("name")->primary_key);
  EXPECT_EQ(region->row_count, 3);  // never analysed: counted

  const catalog::Table* orders = find("sales", "orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->find_column("amount")->type, "numeric(10,2)");
  EXPECT_EQ(orders->find_column("order_id")->type, "bigint");
  EXPECT_EQ(orders->primary_key, (std::vector<std::string>{"order_id"}));
  ASSERT_NE(find("", "t"), nullptr);
  ASSERT_NE(find("sales", "t"), nullptr);

  const catalog::Table* view = find("", "big_orders");
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(view->is_view);
  EXPECT_EQ(view->columns.size(), 2u);
  EXPECT_EQ(view->row_count, 1);

  bool composite = false, simple = false;
  for (const auto& fk : catalog->foreign_keys) {
    if (fk.from_table == "sales.orders") {
      composite = true;
      EXPECT_EQ(fk.to_table, "region");
      EXPECT_EQ(fk.from_columns, (std::vector<std::string>{"country", "code"}));
      EXPECT_EQ(fk.to_columns, (std::vector<std::string>{"country", "code"}));
    }
    if (fk.from_table == "blobs") {
      simple = true;
      EXPECT_EQ(fk.to_table, "t");
      EXPECT_EQ(fk.from_columns, (std::vector<std::string>{"id"}));
    }
  }
  EXPECT_TRUE(composite);
  EXPECT_TRUE(simple);

  // Samples as text, none for bytea.
  const catalog::Table* blobs = find("", "blobs");
  ASSERT_NE(blobs, nullptr);
  EXPECT_TRUE(blobs->find_column("data")->samples.empty());
  EXPECT_EQ(blobs->find_column("id")->samples, (std::vector<std::string>{"1"}));
  const auto& names = region->find_column("name")->samples;
  EXPECT_EQ(names.size(), 2u);  // distinct: Nord, Sud

  // One schema only.
  IntrospectOptions only_sales;
  only_sales.schemas = {"sales"};
  only_sales.sample_values = 0;
  auto sales = conn_->introspect(only_sales);
  ASSERT_TRUE(sales.ok()) << sales.error();
  ASSERT_EQ(sales->tables.size(), 2u);
  for (const auto& table : sales->tables) EXPECT_EQ(table.schema, "sales");
  EXPECT_TRUE(sales->foreign_keys.empty());  // its target is in a schema not read
}

TEST_F(PostgresConnectionTest, LargeTablesGetEstimatesAndSampledValues) {
  db_->admin().exec(
      "CREATE TABLE big AS SELECT g AS id, 'name ' || (g % 1000) AS name FROM generate_series(1, 300000) g;"
      "ANALYZE big;");
  IntrospectOptions options;
  options.schemas = {"public"};
  auto catalog = conn_->introspect(options);
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  const catalog::Table* big = catalog->find_table("big");
  ASSERT_NE(big, nullptr);
  ASSERT_TRUE(big->row_count.has_value());
  EXPECT_GT(*big->row_count, 250000);  // the planner's estimate
  EXPECT_LT(*big->row_count, 350000);
  EXPECT_EQ(big->find_column("name")->samples.size(), 3u);
  EXPECT_EQ(big->find_column("name")->samples[0].substr(0, 5), "name ");
}

TEST_F(PostgresConnectionTest, FingerprintFollowsTheSchema) {
  std::string before = conn_->fingerprint();
  EXPECT_EQ(before.size(), 16u);
  auto again = open_connection(db_->url());
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ((*again)->fingerprint(), before);
  db_->admin().exec("ALTER TABLE t ADD COLUMN extra int");
  auto changed = open_connection(db_->url());
  ASSERT_TRUE(changed.ok()) << changed.error();
  EXPECT_NE((*changed)->fingerprint(), before);
}

// ---------------------------------------------------------------- authentication

// Sets an environment variable for the scope, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    if (old) old_ = old;
    had_ = old != nullptr;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

// The URL of `base` for user askguru_pw, with an optional password in it.
std::string user_url(const std::string& base, const std::string& password) {
  std::string url = base;
  size_t authority = url.find("://") + 3;
  size_t at = url.find('@', authority);
  size_t host = at == std::string::npos || at > url.find('/', authority) ? authority : at + 1;
  return url.substr(0, authority) + "askguru_pw" + (password.empty() ? "" : ":" + password) + "@" + url.substr(host);
}

TEST(PostgresAuth, PasswordsComeFromTheEnvironmentAndAreNeverPrinted) {
  AG_REQUIRE_POSTGRES();
  PgDatabase db;
  db.server().exec(
      "DO $$ BEGIN CREATE ROLE askguru_pw LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
      "ALTER ROLE askguru_pw PASSWORD 'Right-Pw-1234';");
  db.admin().exec("GRANT SELECT ON ALL TABLES IN SCHEMA public TO askguru_pw");
  const std::string base = db.url();
  ScopedEnv no_password("PGPASSWORD", nullptr);
  ScopedEnv no_file("PGPASSFILE", "/nonexistent/askguru_pgpass");

  auto wrong = open_connection(user_url(base, "Wrong-Pw-5678"));
  if (wrong.ok()) GTEST_SKIP() << "this server does not ask askguru_pw for a password (see scripts/test_postgres.sh)";
  EXPECT_EQ(wrong.status().code(), ErrorCode::kRefused) << wrong.error();
  EXPECT_NE(wrong.error().find("password authentication failed"), std::string::npos) << wrong.error();
  EXPECT_EQ(wrong.error().find("Wrong-Pw-5678"), std::string::npos) << wrong.error();

  auto none = open_connection(user_url(base, ""));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), ErrorCode::kRefused) << none.error();
  EXPECT_NE(none.error().find("PGPASSWORD"), std::string::npos) << none.error();

  {
    ScopedEnv password("PGPASSWORD", "Right-Pw-1234");
    auto from_env = open_connection(user_url(base, ""));
    ASSERT_TRUE(from_env.ok()) << from_env.error();
    auto r = (*from_env)->execute("SELECT current_user");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->rows[0][0], Value::text("askguru_pw"));
  }
  {
    TempDir dir;
    std::string file = dir.file("pgpass");
    std::ofstream(file) << "*:*:*:askguru_pw:Right-Pw-1234\n";
    ::chmod(file.c_str(), 0600);
    ScopedEnv passfile("PGPASSFILE", file.c_str());
    auto from_file = open_connection(user_url(base, ""));
    ASSERT_TRUE(from_file.ok()) << from_file.error();
  }
  auto in_url = open_connection(user_url(base, "Right-Pw-1234"));
  ASSERT_TRUE(in_url.ok()) << in_url.error();
  EXPECT_EQ((*in_url)->display_name().find("Right-Pw-1234"), std::string::npos) << (*in_url)->display_name();
  EXPECT_NE((*in_url)->display_name().find("askguru_pw@"), std::string::npos) << (*in_url)->display_name();
  auto failing = (*in_url)->execute("SELECT nosuch");
  ASSERT_FALSE(failing.ok());
  EXPECT_EQ(failing.error().find("Right-Pw-1234"), std::string::npos);

  auto missing_db = open_connection(testing::with_database(base, "askguru_no_such_db"));
  ASSERT_FALSE(missing_db.ok());
  EXPECT_EQ(missing_db.status().code(), ErrorCode::kNotFound) << missing_db.error();
}

// ---------------------------------------------------------------- the CLI

// Runs a command line; returns its exit status and fills `out` with stdout.
int run_command(const std::string& command, std::string& out) {
  out.clear();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return -1;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(PostgresCli, SchemaAndSqlWorkOnPostgresUrls) {
  AG_REQUIRE_POSTGRES();
  PgDatabase db;
  db.admin().exec(
      "CREATE TABLE dept (id int PRIMARY KEY, name text NOT NULL);"
      "COMMENT ON COLUMN dept.name IS 'Department name';"
      "CREATE TABLE emp (id int PRIMARY KEY, dept_id int REFERENCES dept (id), salary numeric(10,2));"
      "INSERT INTO dept VALUES (1, 'sales'), (2, 'ops');"
      "INSERT INTO emp VALUES (1, 1, 100.50), (2, 2, 200), (3, 2, 300);");
  const std::string bin = ASKGURU_BINARY;
  const std::string url = "'" + db.url() + "'";
  std::string out;
  ASSERT_EQ(run_command(bin + " schema --db " + url + " --format ddl", out), 0) << out;
  EXPECT_NE(out.find("dept"), std::string::npos) << out;
  EXPECT_NE(out.find("Department name"), std::string::npos) << out;
  EXPECT_NE(out.find("REFERENCES"), std::string::npos) << out;

  ASSERT_EQ(run_command(bin + " sql --json --db " + url +
                            " \"SELECT d.name, sum(e.salary) AS total FROM emp e JOIN dept d ON d.id = e.dept_id "
                            "GROUP BY d.name ORDER BY d.name\"",
                        out),
            0)
      << out;
  EXPECT_NE(out.find("ops"), std::string::npos) << out;
  EXPECT_NE(out.find("500"), std::string::npos) << out;
  EXPECT_NE(out.find("100.5"), std::string::npos) << out;

  EXPECT_EQ(run_command(bin + " sql --db " + url + " \"DELETE FROM emp\" 2>&1", out), 2) << out;
  EXPECT_EQ(db.admin().scalar("SELECT count(*) FROM emp"), "3");
  EXPECT_EQ(run_command(bin + " sql --timeout-ms 200 --db " + url +
                            " \"SELECT count(*) FROM generate_series(1, 1000000000)\" 2>&1",
                        out),
            3)
      << out;
}

}  // namespace
}  // namespace askguru::db
