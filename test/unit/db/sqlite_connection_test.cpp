#include "askguru/db/sqlite_connection.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <regex>
#include <thread>

#include "askguru/db/connection.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::db {
namespace {

using askguru::testing::file_bytes;
using askguru::testing::TempDir;
using askguru::testing::write_database;

constexpr const char* kForever =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

class SqliteConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("shop.sqlite");
    write_database(path_,
                   "PRAGMA journal_mode = DELETE;"
                   "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);"
                   "INSERT INTO t VALUES (1, 'apple'), (2, 'pear'), (3, NULL);"
                   "CREATE TABLE kinds (i INTEGER, r REAL, s TEXT, b BLOB, n);"
                   "INSERT INTO kinds VALUES (1, 1.0, '1', x'00ff', NULL);"
                   "CREATE VIEW v AS SELECT name FROM t WHERE id < 3;"
                   "CREATE VIRTUAL TABLE docs USING fts5(body);"
                   "INSERT INTO docs VALUES ('the quick brown fox'), ('lazy dogs sleep');");
    auto opened = open_connection(path_);
    ASSERT_TRUE(opened.ok()) << opened.error();
    conn_ = std::move(opened).value();
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(SqliteConnectionTest, SelectReturnsColumnsAndRows) {
  auto result = conn_->execute("SELECT id, name FROM t ORDER BY id");
  ASSERT_TRUE(result.ok()) << result.error();
  ASSERT_EQ(result->columns, (std::vector<std::string>{"id", "name"}));
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->rows[0][0], Value::integer(1));
  EXPECT_EQ(result->rows[1][1], Value::text("pear"));
  EXPECT_TRUE(result->rows[2][1].is_null());
  EXPECT_FALSE(result->truncated);
  EXPECT_GE(result->elapsed_ms, 0.0);
}

TEST_F(SqliteConnectionTest, ValuesKeepTheirStorageClass) {
  auto result = conn_->execute("SELECT i, r, s, b, n, 2.5, 7, 'x' || 1 FROM kinds");
  ASSERT_TRUE(result.ok()) << result.error();
  const Row& row = result->rows.at(0);
  EXPECT_EQ(row[0].type(), ValueType::kInteger);
  EXPECT_EQ(row[1].type(), ValueType::kReal);
  EXPECT_DOUBLE_EQ(row[1].as_real(), 1.0);
  EXPECT_EQ(row[2].type(), ValueType::kText);
  EXPECT_EQ(row[2].as_text(), "1");
  EXPECT_EQ(row[3].type(), ValueType::kBlob);
  EXPECT_EQ(row[3].as_blob(), std::string("\x00\xff", 2));
  EXPECT_EQ(row[4].type(), ValueType::kNull);
  EXPECT_EQ(row[5], Value::real(2.5));
  EXPECT_EQ(row[6], Value::integer(7));
  EXPECT_EQ(row[7], Value::text("x1"));
  EXPECT_NE(row[0], row[1]);  // 1 and 1.0 stay distinct here
}

TEST_F(SqliteConnectionTest, ViewsAndFts5ReadsWork) {
  auto view = conn_->execute("SELECT name FROM v ORDER BY name");
  ASSERT_TRUE(view.ok()) << view.error();
  EXPECT_EQ(view->rows.size(), 2u);
  // FTS5 issues PRAGMA data_version internally: denying it would return no rows.
  auto fts = conn_->execute("SELECT body FROM docs WHERE docs MATCH 'fox'");
  ASSERT_TRUE(fts.ok()) << fts.error();
  ASSERT_EQ(fts->rows.size(), 1u);
  EXPECT_EQ(fts->rows[0][0], Value::text("the quick brown fox"));
}

TEST_F(SqliteConnectionTest, ReadOnlyPragmasAreAllowed) {
  for (const char* sql : {"PRAGMA table_info(t)", "PRAGMA main.foreign_key_list('t')", "PRAGMA user_version",
                          "PRAGMA data_version", "SELECT name FROM pragma_table_info('t')", "PRAGMA index_list(t)"}) {
    auto result = conn_->execute(sql);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.error();
  }
  auto info = conn_->execute("SELECT name FROM pragma_table_info('t') ORDER BY cid");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->rows.size(), 2u);
}

struct WriteCase {
  const char* sql;
  const char* expected;  // a fragment of the refusal message
};

TEST_F(SqliteConnectionTest, EveryWritePathIsRefusedAndTheFileIsUnchanged) {
  const std::string before = file_bytes(path_);
  const std::string other = dir_.file("other.sqlite");
  const std::string vacuum_target = dir_.file("copy.sqlite");
  const std::vector<WriteCase> cases = {
      {"INSERT INTO t VALUES (9, 'x')", "INSERT into table 't' — connections are read-only"},
      {"INSERT INTO t DEFAULT VALUES", "INSERT into table 't'"},
      {"INSERT INTO t VALUES (1, 'a') ON CONFLICT DO NOTHING", "INSERT into table 't'"},
      {"REPLACE INTO t VALUES (1, 'x')", "INSERT into table 't'"},
      {"UPDATE t SET name = 'z'", "UPDATE of table 't' column 'name'"},
      {"DELETE FROM t", "DELETE from table 't'"},
      {"DELETE FROM t WHERE id = 1 RETURNING id", "DELETE from table 't'"},
      {"INSERT INTO docs VALUES ('x')", "INSERT into table 'docs'"},
      {"INSERT INTO docs(docs) VALUES ('optimize')", "INSERT into table 'docs'"},
      {"CREATE TABLE u (a)", "CREATE TABLE 'u'"},
      {"CREATE TABLE u AS SELECT * FROM t", "CREATE TABLE 'u'"},
      {"CREATE TEMP TABLE u (a)", "CREATE TEMP TABLE 'u'"},
      {"CREATE INDEX i ON t(name)", "CREATE INDEX 'i' on table 't'"},
      {"CREATE VIEW v2 AS SELECT 1", "CREATE VIEW 'v2'"},
      {"CREATE TEMP VIEW v2 AS SELECT 1", "CREATE TEMP VIEW 'v2'"},
      {"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END", "CREATE TRIGGER 'tr' on table 't'"},
      {"CREATE VIRTUAL TABLE f USING fts5(x)", "CREATE VIRTUAL TABLE 'f'"},
      {"DROP TABLE t", "DROP TABLE 't'"},
      {"DROP TABLE IF EXISTS docs", "DROP VIRTUAL TABLE 'docs'"},
      {"DROP VIEW v", "DROP VIEW 'v'"},
      {"ALTER TABLE t ADD COLUMN c", "ALTER TABLE 't'"},
      {"ALTER TABLE t RENAME TO t2", "ALTER TABLE 't'"},
      {"WITH x AS (SELECT 1) DELETE FROM t", "DELETE from table 't'"},
      {"WITH x AS (SELECT 5 AS a) INSERT INTO t SELECT a, 'n' FROM x", "INSERT into table 't'"},
      {"WITH x AS (SELECT 1) UPDATE t SET name = 'q'", "UPDATE of table 't'"},
      {"EXPLAIN DELETE FROM t", "DELETE from table 't'"},
      {"/* a comment */ DeLeTe\n   FROM\tt", "DELETE from table 't'"},
      {"  \n\t-- leading comment\n  insert INTO t VALUES (3, 'q')", "INSERT into table 't'"},
      {"ATTACH DATABASE 'OTHER' AS o", "ATTACH"},
      {"DETACH DATABASE temp", "DETACH"},
      {"PRAGMA user_version = 5", "PRAGMA user_version = 5"},
      {"PRAGMA journal_mode = WAL", "PRAGMA journal_mode = WAL"},
      {"PRAGMA main.journal_mode", "PRAGMA journal_mode"},
      {"PRAGMA writable_schema = ON", "PRAGMA writable_schema"},
      {"PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys"},
      {"PRAGMA wal_checkpoint", "PRAGMA wal_checkpoint"},
      {"PRAGMA optimize", "PRAGMA optimize"},
      {"PRAGMA integrity_check", "PRAGMA integrity_check"},
      {"SELECT load_extension('x')", "function load_extension()"},
      {"SELECT LOAD_EXTENSION('/tmp/x.so', 'init')", "function load_extension()"},
      {"SELECT 1; DROP TABLE t", "several statements in one call"},
      {"SELECT 1;\nSELECT 2", "several statements in one call"},
      {"SELECT 1 -- c\n; /* x */ DELETE FROM t", "several statements in one call"},
      {"UPDATE sqlite_master SET sql = 'x'", "sqlite_master"},
      {"DELETE FROM sqlite_master", "sqlite_master"},
      {"INSERT INTO sqlite_schema VALUES ('table', 'z', 'z', 0, 'CREATE TABLE z(a)')", "sqlite_master"},
      {"UPDATE temp.sqlite_master SET sql = 'x'", "sqlite_temp_master"},
      {"VACUUM", "VACUUM"},
      {"VACUUM INTO 'COPY'", "VACUUM"},
      {"REINDEX", "REINDEX"},
      {"REINDEX t", "REINDEX"},
      {"ANALYZE", "sqlite_stat1"},
      {"ANALYZE t", "sqlite_stat1"},
      {"BEGIN", "transaction control (BEGIN)"},
      {"BEGIN IMMEDIATE", "transaction control"},
      {"COMMIT", "transaction control"},
      {"ROLLBACK", "transaction control"},
      {"SAVEPOINT s", "SAVEPOINT"},
      {"RELEASE s", "SAVEPOINT"},
  };
  for (const auto& c : cases) {
    std::string sql = c.sql;
    sql = std::regex_replace(sql, std::regex("OTHER"), other);
    sql = std::regex_replace(sql, std::regex("COPY"), vacuum_target);
    auto result = conn_->execute(sql);
    ASSERT_FALSE(result.ok()) << "not refused: " << sql;
    EXPECT_EQ(result.status().code(), ErrorCode::kRefused) << sql << " -> " << result.status().to_string();
    EXPECT_NE(result.error().find(c.expected), std::string::npos)
        << sql << " -> " << result.error() << " (expected '" << c.expected << "')";
  }
  EXPECT_FALSE(std::filesystem::exists(other));
  EXPECT_FALSE(std::filesystem::exists(vacuum_target));
  conn_.reset();
  EXPECT_EQ(file_bytes(path_), before) << "the database file changed";
  auto reopened = open_connection(path_);
  ASSERT_TRUE(reopened.ok());
  auto rows = (*reopened)->execute("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.error();
  EXPECT_EQ(rows->rows[0][0], Value::integer(3));
}

TEST_F(SqliteConnectionTest, RefusalMessageIsPrecise) {
  auto result = conn_->execute("INSERT INTO t VALUES (9, 'x')");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().to_string(), "refused: INSERT into table 't' — connections are read-only");
  auto several = conn_->execute("SELECT 1; DROP TABLE t");
  ASSERT_FALSE(several.ok());
  EXPECT_EQ(several.status().to_string(),
            "refused: several statements in one call: only one runs per call; remove 'DROP TABLE t'");
}

TEST_F(SqliteConnectionTest, HarmlessTailsAreAccepted) {
  for (const char* sql : {"SELECT 1;", "SELECT 1 ;  ", "SELECT 1; -- done", "SELECT 1 /* c */ ;;\n",
                          "-- lead\nSELECT 1", ";SELECT 1", "SELECT 1; /* unterminated"}) {
    auto result = conn_->execute(sql);
    ASSERT_TRUE(result.ok()) << sql << ": " << result.error();
    EXPECT_EQ(result->rows.at(0).at(0), Value::integer(1)) << sql;
  }
  for (const char* sql : {"", "  ;; ", "-- only a comment"}) {
    auto result = conn_->execute(sql);
    ASSERT_FALSE(result.ok()) << "'" << sql << "'";
    EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST_F(SqliteConnectionTest, SqlErrorsCarrySqliteMessage) {
  auto result = conn_->execute("SELECT nope FROM t");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kSqlError);
  EXPECT_EQ(result.error(), "no such column: nope");
  auto missing = conn_->execute("SELECT * FROM missing_table");
  EXPECT_EQ(missing.status().code(), ErrorCode::kSqlError);
  EXPECT_EQ(missing.error(), "no such table: missing_table");
  auto syntax = conn_->execute("SELEC 1");
  EXPECT_EQ(syntax.status().code(), ErrorCode::kSqlError);
}

TEST_F(SqliteConnectionTest, TimeoutIsDistinctAndConnectionStaysUsable) {
  QueryOptions options;
  options.timeout = std::chrono::milliseconds(100);
  auto result = conn_->execute(kForever, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kTimeout);
  EXPECT_EQ(result.status().to_string(), "timeout: query exceeded 100 ms");
  auto after = conn_->execute("SELECT count(*) FROM t", options);
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(after->rows[0][0], Value::integer(3));
}

TEST_F(SqliteConnectionTest, InterruptFromAnotherThread) {
  std::atomic<bool> done{false};
  Result<ResultSet> result = make_error(ErrorCode::kInternal, "not run");
  std::thread worker([&] {
    QueryOptions options;
    options.timeout = std::chrono::milliseconds(0);  // no time limit: only interrupt() ends it
    result = conn_->execute(kForever, options);
    done = true;
  });
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    conn_->interrupt();
  }
  worker.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kCancelled) << result.status().to_string();
  auto after = conn_->execute("SELECT 42");
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(after->rows[0][0], Value::integer(42));
}

TEST_F(SqliteConnectionTest, RowCapSetsTruncated) {
  const char* sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100) SELECT x FROM c";
  QueryOptions options;
  options.max_rows = 10;
  auto capped = conn_->execute(sql, options);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->rows.size(), 10u);
  EXPECT_TRUE(capped->truncated);
  EXPECT_EQ(capped->rows[9][0], Value::integer(10));
  options.max_rows = 100;
  auto exact = conn_->execute(sql, options);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->rows.size(), 100u);
  EXPECT_FALSE(exact->truncated);
  auto all = conn_->execute(sql);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->rows.size(), 100u);
  EXPECT_FALSE(all->truncated);
}

TEST_F(SqliteConnectionTest, ResultMemoryGuard) {
  QueryOptions options;
  options.max_result_bytes = 1 << 20;
  auto result = conn_->execute(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x, printf('%0100d', x) FROM c", options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kSqlError);
  EXPECT_NE(result.error().find("result too large: over 1 MiB"), std::string::npos) << result.error();
  options.max_result_bytes = 0;  // no guard; the row cap still applies
  options.max_rows = 50000;
  auto capped = conn_->execute(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x, printf('%0100d', x) FROM c", options);
  ASSERT_TRUE(capped.ok()) << capped.error();
  EXPECT_EQ(capped->rows.size(), 50000u);
}

TEST_F(SqliteConnectionTest, LockedDatabaseGivesClearErrorNotAHang) {
  OpenOptions open_options;
  open_options.busy_timeout = std::chrono::milliseconds(200);
  auto opened = open_connection(path_, open_options);
  ASSERT_TRUE(opened.ok());
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &writer, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "BEGIN EXCLUSIVE; INSERT INTO t VALUES (10, 'locked')", nullptr, nullptr, nullptr),
            SQLITE_OK);
  auto result = (*opened)->execute("SELECT count(*) FROM t");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(result.error().find("database is locked"), std::string::npos) << result.error();
  EXPECT_NE(result.error().find("200 ms"), std::string::npos) << result.error();
  ASSERT_EQ(sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(writer);
  auto after = (*opened)->execute("SELECT count(*) FROM t");
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(after->rows[0][0], Value::integer(3));
}

TEST_F(SqliteConnectionTest, FingerprintFollowsContent) {
  std::string first = conn_->fingerprint();
  EXPECT_EQ(first, conn_->fingerprint());
  EXPECT_NE(first.find('-'), std::string::npos);
  // A byte-identical copy has the same fingerprint; a changed one does not.
  std::string copy = dir_.file("copy.sqlite");
  std::filesystem::copy_file(path_, copy);
  auto same = open_connection(copy);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ((*same)->fingerprint(), first);
  write_database(copy, "INSERT INTO t VALUES (4, 'plum')");
  auto changed = open_connection(copy);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE((*changed)->fingerprint(), first);
}

TEST(OpenConnection, AddressesAndErrors) {
  TempDir dir;
  std::string path = dir.file("a.sqlite");
  write_database(path, "CREATE TABLE x (a); INSERT INTO x VALUES (1);");

  auto plain = open_connection(path);
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ((*plain)->display_name(), path);
  EXPECT_EQ((*plain)->dialect(), Dialect::kSqlite);

  auto url = open_connection("sqlite://" + path);  // sqlite:///abs/path
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ((*url)->display_name(), path);

  auto relative_path = std::filesystem::relative(path).string();
  auto relative = open_connection("sqlite://" + relative_path);
  ASSERT_TRUE(relative.ok()) << relative.error();
  EXPECT_EQ((*relative)->display_name(), relative_path);

  auto unknown = open_connection("mysql://user:secret@host/db");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().find("'mysql'"), std::string::npos);
  EXPECT_EQ(unknown.error().find("secret"), std::string::npos);

  auto postgres = open_connection("postgresql://user:secret@127.0.0.1:1/db");  // nothing listens on port 1
  ASSERT_FALSE(postgres.ok());
  EXPECT_EQ(postgres.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(postgres.error().find("secret"), std::string::npos);

  auto missing = open_connection(dir.file("missing.sqlite"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().find("missing.sqlite"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("missing.sqlite")));  // read-only open never creates

  std::string not_db = dir.file("notes.txt");
  std::ofstream(not_db) << "this is not a database, just some words";
  auto bad = open_connection(not_db);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);

  auto directory = open_connection(dir.path().string());
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), ErrorCode::kInvalidArgument);

  auto empty = open_connection("   ");
  EXPECT_EQ(empty.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace askguru::db
