// Translated SQLite queries return on a real PostgreSQL server the rows the originals
// return on SQLite (db/translate.h over sql/translate.h; skips without
// ASKGURU_TEST_POSTGRES_URL).
#include "askguru/db/translate.h"

#include <gtest/gtest.h>

#include "askguru/db/connection.h"
#include "askguru/db/postgres_load.h"
#include "askguru/eval/compare.h"
#include "unit/db/postgres_fixture.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::db {
namespace {

using askguru::testing::PgDatabase;
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
