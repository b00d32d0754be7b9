#include "askguru/db/format.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>

#include "unit/db/sqlite_fixture.h"

namespace askguru::db {
namespace {

using askguru::testing::CliRun;
using askguru::testing::run_askguru;
using askguru::testing::TempDir;
using askguru::testing::write_database;

ResultSet sample_result() {
  ResultSet r;
  r.columns = {"id", "name", "score"};
  auto add = [&r](Value a, Value b, Value c) {
    Row& row = r.rows.emplace_back();
    row.push_back(std::move(a));
    row.push_back(std::move(b));
    row.push_back(std::move(c));
  };
  add(Value::integer(1), Value::text("Ada"), Value::real(2.5));
  add(Value::integer(12), Value(), Value::real(10.0));
  add(Value::integer(3), Value::text("Zoë\nNew"), Value());
  r.elapsed_ms = 1.25;
  return r;
}

TEST(Format, AlignedTable) {
  EXPECT_EQ(format_table(sample_result()),
            "id | name     | score\n"
            "---+----------+------\n"
            " 1 | Ada      |   2.5\n"
            "12 | NULL     |  10.0\n"
            " 3 | Zoë\\nNew |  NULL\n"
            "(3 rows, 1.2 ms)\n");
  ResultSet one;
  one.columns = {"x"};
  one.rows.emplace_back().push_back(Value::blob(std::string("\x01\xab", 2)));
  one.truncated = true;
  EXPECT_EQ(format_table(one),
            "x\n"
            "-------\n"
            "x'01ab'\n"
            "(1 row, 0.0 ms)\n"
            "(stopped at 1 rows: the query returns more; raise the row cap to see them)\n");
}

TEST(Format, Json) {
  EXPECT_EQ(format_json(sample_result()),
            "{\"columns\":[\"id\",\"name\",\"score\"],\"elapsed_ms\":1.25,\"row_count\":3,"
            "\"rows\":[[1,\"Ada\",2.5],[12,null,10.0],[3,\"Zoë\\nNew\",null]],\"truncated\":false}");
}

TEST(Cli, SqlPrintsRowsAndRefusesWrites) {
  TempDir dir;
  std::string db = dir.file("t.sqlite");
  write_database(db, "CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, NULL), (3, 'z');");
  CliRun ok = run_askguru("sql --db " + db + " 'SELECT a, b FROM t ORDER BY a'");
  EXPECT_EQ(ok.status, 0) << ok.out;
  EXPECT_NE(ok.out.find("a | b\n--+-----\n1 | x\n2 | NULL\n3 | z\n(3 rows, "), std::string::npos) << ok.out;

  CliRun capped = run_askguru("sql --db " + db + " --max-rows 2 'SELECT a FROM t'");
  EXPECT_EQ(capped.status, 0);
  EXPECT_NE(capped.out.find("stopped at 2 rows"), std::string::npos) << capped.out;

  CliRun json = run_askguru("sql --db sqlite://" + db + " --json 'SELECT a FROM t WHERE a = 1'");
  EXPECT_EQ(json.status, 0);
  EXPECT_NE(json.out.find("\"rows\":[[1]]"), std::string::npos) << json.out;

  CliRun refused = run_askguru("sql --db " + db + " 'DELETE FROM t'");
  EXPECT_EQ(refused.status, 2);
  EXPECT_EQ(refused.out,
            "askguru sql: refused: The statement is a DELETE, which changes data; only read-only queries (SELECT) "
            "may run here. It was not executed.\n");

  CliRun timeout = run_askguru("sql --db " + db +
                               " --timeout-ms 50 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                               "SELECT count(*) FROM c'");
  EXPECT_EQ(timeout.status, 3);
  EXPECT_EQ(timeout.out, "askguru sql: timeout: query exceeded 50 ms\n");

  CliRun error = run_askguru("sql --db " + db + " 'SELECT nope FROM t'");
  EXPECT_EQ(error.status, 1);
  EXPECT_EQ(error.out, "askguru sql: sql error: no such column: nope\n");

  CliRun missing = run_askguru("sql --db " + dir.file("none.sqlite") + " 'SELECT 1'");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.out.find("database file not found"), std::string::npos);
}

TEST(Cli, SchemaFormats) {
  TempDir dir;
  std::string db = dir.file("club.sqlite");
  write_database(db,
                 "CREATE TABLE member (id INTEGER PRIMARY KEY, name TEXT);"
                 "CREATE TABLE visit (member_id INTEGER REFERENCES member(id), day TEXT);"
                 "INSERT INTO member VALUES (1, 'Ada');");
  CliRun mschema = run_askguru("schema --db " + db + " --format mschema");
  EXPECT_EQ(mschema.status, 0) << mschema.out;
  EXPECT_EQ(mschema.out,
            "【DB_ID】 club\n【Schema】\n# Table: member\n[\n(id:INTEGER, Primary Key, Examples: [1]),\n"
            "(name:TEXT, Examples: [Ada])\n]\n# Table: visit\n[\n(member_id:INTEGER),\n(day:TEXT)\n]\n"
            "【Foreign keys】\nvisit.member_id=member.id\n");
  CliRun json = run_askguru("schema --db " + db + " --format json");
  EXPECT_EQ(json.status, 0);
  EXPECT_NE(json.out.find("\"db_id\": \"club\""), std::string::npos) << json.out;
  for (const char* format : {"text", "ddl", "markdown"}) {
    CliRun r = run_askguru("schema --db " + db + " --format " + format);
    EXPECT_EQ(r.status, 0) << format << ": " << r.out;
    EXPECT_NE(r.out.find("member"), std::string::npos) << format;
  }
  CliRun bad = run_askguru("schema --db " + db + " --format yaml");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("unknown --format 'yaml'"), std::string::npos);
}

}  // namespace
}  // namespace askguru::db
