// Translated SQLite queries return on a real PostgreSQL server the rows the originals
// return on SQLite (db/translate.h over sql/translate.h; skips without
// ASKGURU_TEST_POSTGRES_URL).
#include "askguru/db/translate.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "askguru/db/connection.h"
#include "askguru/db/postgres_load.h"
#include "askguru/eval/compare.h"
#include "unit/db/postgres_fixture.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::db {
namespace {

using askguru::testing::PgDatabase;
using askguru::testing::CliRun;
using askguru::testing::run_askguru;
using askguru::testing::TempDir;
using askguru::testing::write_database;

const char* kSource =
    "CREATE TABLE \"Singer\" (\"Singer_ID\" INTEGER PRIMARY KEY, \"Name\" TEXT, \"Age\" INT, \"Country\" TEXT, "
    "  \"Code\" TEXT);"
    "CREATE TABLE concert (concert_ID INTEGER PRIMARY KEY, Singer_ID INT, Theme TEXT, Year INT, \"user\" TEXT);"
    "INSERT INTO \"Singer\" VALUES (1, 'Joe', 30, 'France', '7'), (2, 'Ann', 25, 'france', '12'),"
    "  (3, 'Bo', NULL, 'Spain', '7'), (4, 'Cy', 41, NULL, 'x');"
    "INSERT INTO concert VALUES (1, 1, 'Jazz', 2014, 'u1'), (2, 1, 'Pop', 2015, 'u2'), (3, 2, 'jazz', 2014, NULL);";

TEST(TranslatePostgres, TranslatedQueriesReturnTheSqliteRows) {
  AG_REQUIRE_POSTGRES();
  TempDir dir;
  std::string path = dir.file("src.sqlite");
  write_database(path, kSource);
  PgDatabase db;
  auto source = open_connection(path);
  ASSERT_TRUE(source.ok()) << source.error();
  auto report = load_into_postgres(**source, db.url());
  ASSERT_TRUE(report.ok()) << report.error();
  auto target = open_connection(db.url());
  ASSERT_TRUE(target.ok()) << target.error();

  const char* queries[] = {
      "SELECT name FROM singer WHERE age > 26",                                   // names, case
      "SELECT singer.name FROM singer WHERE singer.country = \"France\"",         // double-quoted string
      "SELECT count(*) FROM singer WHERE country LIKE 'FRA%'",                    // LIKE ignores case
      "SELECT name FROM singer WHERE code = 7",                                   // text vs number
      "SELECT name FROM singer WHERE age = '30'",                                 // numeric string
      "SELECT name FROM singer WHERE age LIKE '3%'",                              // LIKE on a number
      "SELECT count(*) / 0, 7 / 2 FROM singer",                                   // division
      "SELECT name FROM singer ORDER BY age",                                     // NULLs first
      "SELECT name FROM singer ORDER BY age DESC",                                // NULLs last
      "SELECT name, max(age) FROM singer",                                        // bare column of MAX
      "SELECT country, name, min(age) FROM singer GROUP BY country",              // ... per group
      "SELECT T1.name, count(*) FROM singer AS T1 JOIN concert AS T2 ON T1.singer_id = T2.singer_id "
      "GROUP BY T2.singer_id",                                                    // GROUP BY completed
      "SELECT country, count(*) AS c FROM singer GROUP BY country HAVING c >= 1 ORDER BY c DESC, country",
      "SELECT * FROM (SELECT name FROM singer WHERE age > 20)",                   // derived-table alias
      "SELECT \"user\", theme FROM concert WHERE year = 2014 ORDER BY theme",     // reserved word
      "SELECT round(avg(age), 1), group_concat(name) FROM singer WHERE singer_id = 1",
      "SELECT name FROM singer WHERE singer_id IN (SELECT singer_id FROM concert WHERE theme LIKE 'jazz')",
      "SELECT name FROM singer EXCEPT SELECT T1.name FROM singer AS T1 JOIN concert AS T2 "
      "ON T1.singer_id = T2.singer_id",
  };
  for (const char* sql : queries) {
    auto expected = (*source)->execute(sql);
    ASSERT_TRUE(expected.ok()) << sql << ": " << expected.error();
    auto translated = translate_for(**target, sql, Dialect::kSqlite);
    ASSERT_TRUE(translated.ok()) << sql << ": " << translated.error();
    auto actual = (*target)->execute(translated->sql);
    ASSERT_TRUE(actual.ok()) << sql << "\n→ " << translated->sql << ": " << actual.error();
    bool ordered = std::string(sql).find("ORDER BY") != std::string::npos;
    EXPECT_TRUE(eval::spider_result_eq(expected->rows, actual->rows, ordered)) << sql << "\n→ " << translated->sql;
  }
}

std::string without_space(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n'; }), s.end());
  return s;
}

// --source-db: a column declared INTEGER in SQLite that kept a text value is text once
// loaded into PostgreSQL; only the source's declared type tells the translation that
// SQLite compares it as a number (90 > 85, 100 > 85, and text is greater than numbers).
TEST(TranslatePostgres, CliSourceDatabaseGivesSqliteAffinity) {
  AG_REQUIRE_POSTGRES();
  TempDir dir;
  std::string path = dir.file("weather.sqlite");
  write_database(path,
                 "CREATE TABLE weather (id INTEGER PRIMARY KEY, temp INTEGER);"
                 "INSERT INTO weather VALUES (1, 90), (2, 80), (3, 'n/a'), (4, 100);");
  PgDatabase db;
  auto source = open_connection(path);
  ASSERT_TRUE(source.ok()) << source.error();
  ASSERT_TRUE(load_into_postgres(**source, db.url()).ok());
  const std::string query = "\"SELECT id FROM weather WHERE temp > 85 ORDER BY id\"";

  auto plain = run_askguru("translate --db " + db.url() + " " + query);
  ASSERT_EQ(plain.status, 0) << plain.out;
  EXPECT_EQ(plain.out.find("DOUBLE PRECISION"), std::string::npos) << plain.out;
  auto with_source = run_askguru("translate --db " + db.url() + " --source-db " + path + " " + query);
  ASSERT_EQ(with_source.status, 0) << with_source.out;
  EXPECT_NE(with_source.out.find("CAST(temp AS DOUBLE PRECISION)"), std::string::npos) << with_source.out;

  auto rows = run_askguru("sql --json --db " + db.url() + " --dialect sqlite --source-db " + path + " " + query);
  ASSERT_EQ(rows.status, 0) << rows.out;
  EXPECT_NE(without_space(rows.out).find("[[1],[3],[4]]"), std::string::npos) << rows.out;
  auto without = run_askguru("sql --json --db " + db.url() + " --dialect sqlite " + query);
  ASSERT_EQ(without.status, 0) << without.out;
  EXPECT_NE(without_space(without.out).find("[[1],[3]]"), std::string::npos) << without.out;

  auto missing = run_askguru("translate --db " + db.url() + " --source-db " + dir.file("nope.sqlite") + " " + query);
  EXPECT_NE(missing.status, 0) << missing.out;
  EXPECT_NE(missing.out.find("--source-db"), std::string::npos) << missing.out;
}

TEST(TranslatePostgres, SqliteTargetKeepsTheQuery) {
  TempDir dir;
  std::string path = dir.file("src.sqlite");
  write_database(path, kSource);
  auto source = open_connection(path);
  ASSERT_TRUE(source.ok()) << source.error();
  auto translated = translate_for(**source, "SELECT name FROM singer WHERE country LIKE 'f%'", Dialect::kSqlite);
  ASSERT_TRUE(translated.ok()) << translated.error();
  EXPECT_EQ(translated->sql, "SELECT name FROM singer WHERE country LIKE 'f%'");
}

}  // namespace
}  // namespace askguru::db
