// load_into_postgres: an SQLite database copied into a real PostgreSQL server reads back
// with the same values (skips without ASKGURU_TEST_POSTGRES_URL).
#include "askguru/db/postgres_load.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>

#include "askguru/db/connection.h"
#include "unit/db/postgres_fixture.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::db {
namespace {

using askguru::testing::PgDatabase;
using askguru::testing::TempDir;
using askguru::testing::write_database;

TEST(PostgresLoadTypes, FollowTheStoredValues) {
  EXPECT_EQ(postgres_type_for("INTEGER", 5, 0, 0, 0), "bigint");
  EXPECT_EQ(postgres_type_for("NUMERIC", 5, 2, 0, 0), "double precision");
  EXPECT_EQ(postgres_type_for("INT", 5, 0, 1, 0), "text");  // SQLite kept a text value in an INT column
  EXPECT_EQ(postgres_type_for("BLOB", 0, 0, 0, 3), "bytea");
  EXPECT_EQ(postgres_type_for("varchar(20)", 0, 0, 0, 0), "text");
  EXPECT_EQ(postgres_type_for("bigint", 0, 0, 0, 0), "bigint");
  EXPECT_EQ(postgres_type_for("float", 0, 0, 0, 0), "double precision");
  EXPECT_EQ(postgres_type_for("decimal(10,2)", 0, 0, 0, 0), "numeric");
}

const char* kSource =
    "CREATE TABLE \"Country\" (\"Code\" TEXT, \"Region\" TEXT, \"Name\" TEXT NOT NULL, PRIMARY KEY (\"Code\", "
    "\"Region\"));"
    "CREATE TABLE city (id INTEGER PRIMARY KEY, name TEXT, pop INTEGER, area REAL, code TEXT, region TEXT, "
    "  founded DATE, flag BLOB, note, FOREIGN KEY (code, region) REFERENCES \"Country\" (\"Code\", \"Region\"));"
    "CREATE TABLE loose (k TEXT PRIMARY KEY, v INT);"  // NULL keys (SQLite allows them): the key is skipped
    "CREATE VIEW big AS SELECT name FROM city WHERE pop > 1000;"
    "INSERT INTO \"Country\" VALUES ('FR', 'EU', 'France'), ('JP', 'AS', 'Japan');"
    "INSERT INTO city VALUES (1, 'Paris', 2100000, 105.4, 'FR', 'EU', '1200-01-01', x'00ff', 'a\ttab'),"
    "  (2, 'Ly\"on', 500, 47.87, 'FR', 'EU', NULL, NULL, 'new\nline\\\\back'),"
    "  (3, 'Kyōto', 1460000, 827.8, 'JP', 'AS', '794-01-01', NULL, 42),"
    "  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);"
    "INSERT INTO loose VALUES (NULL, 10), (NULL, 'eleven');";

TEST(PostgresLoad, CopiesSchemaKeysAndRowsThatReadBackTheSame) {
  AG_REQUIRE_POSTGRES();
  TempDir dir;
  std::string path = dir.file("src.sqlite");
  write_database(path, kSource);
  PgDatabase db;
  auto source = open_connection(path);
  ASSERT_TRUE(source.ok()) << source.error();
  auto report = load_into_postgres(**source, db.url());
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report->tables, 3u);
  EXPECT_EQ(report->rows, 8u);
  EXPECT_EQ(report->primary_keys, 2u);
  EXPECT_EQ(report->foreign_keys, 1u);
  ASSERT_EQ(report->skipped.size(), 1u);
  EXPECT_NE(report->skipped[0].find("primary key of loose"), std::string::npos) << report->skipped[0];

  auto target = open_connection(db.url());
  ASSERT_TRUE(target.ok()) << target.error();
  for (const char* sql : {"SELECT * FROM city ORDER BY id", "SELECT * FROM \"Country\" ORDER BY \"Code\"",
                          "SELECT * FROM loose ORDER BY v"}) {
    auto expected = (*source)->execute(sql);
    auto actual = (*target)->execute(sql);
    ASSERT_TRUE(expected.ok()) << expected.error();
    ASSERT_TRUE(actual.ok()) << sql << ": " << actual.error();
    EXPECT_EQ(actual->columns, expected->columns) << sql;
    ASSERT_EQ(actual->rows.size(), expected->rows.size()) << sql;
    for (size_t r = 0; r < expected->rows.size(); ++r) {
      for (size_t c = 0; c < expected->rows[r].size(); ++c) {
        const Value& want = expected->rows[r][c];
        const Value& got = actual->rows[r][c];
        // Integers in a column that also holds text become text (a column has one type).
        if (want.type() == ValueType::kInteger && got.type() == ValueType::kText) {
          EXPECT_EQ(got.as_text(), want.to_string()) << sql << " row " << r << " column " << c;
        } else {
          EXPECT_EQ(got, want) << sql << " row " << r << " column " << c << ": " << got.to_string() << " vs "
                               << want.to_string();
        }
      }
    }
  }

  auto catalog = (*target)->introspect();
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  const catalog::Table* country = catalog->find_table("Country");
  ASSERT_NE(country, nullptr);
  EXPECT_EQ(country->name, "Country");  // exact case
  EXPECT_EQ(country->primary_key, (std::vector<std::string>{"Code", "Region"}));
  EXPECT_TRUE(country->find_column("Name")->not_null);
  EXPECT_EQ(catalog->find_table("city")->find_column("pop")->type, "bigint");
  EXPECT_EQ(catalog->find_table("city")->find_column("area")->type, "double precision");
  EXPECT_EQ(catalog->find_table("city")->find_column("flag")->type, "bytea");
  EXPECT_EQ(catalog->find_table("city")->find_column("note")->type, "text");
  EXPECT_EQ(catalog->find_table("big"), nullptr);  // views are not copied
  ASSERT_EQ(catalog->foreign_keys.size(), 1u);
  EXPECT_EQ(catalog->foreign_keys[0].from_columns, (std::vector<std::string>{"code", "region"}));
  EXPECT_EQ(catalog->foreign_keys[0].to_columns, (std::vector<std::string>{"Code", "Region"}));

  // Loading again needs --replace; the failed attempt changes nothing.
  auto again = load_into_postgres(**source, db.url());
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("already exists"), std::string::npos) << again.error();
  EXPECT_NE(again.error().find("--replace"), std::string::npos) << again.error();
  LoadOptions replace;
  replace.replace = true;
  replace.schema = "copy";
  auto into_schema = load_into_postgres(**source, db.url(), replace);
  ASSERT_TRUE(into_schema.ok()) << into_schema.error();
  EXPECT_EQ(db.admin().scalar("SELECT count(*) FROM copy.city"), "4");
  EXPECT_EQ(db.admin().scalar("SELECT count(*) FROM public.city"), "4");
}

TEST(PostgresLoad, CommandLine) {
  AG_REQUIRE_POSTGRES();
  TempDir dir;
  std::string path = dir.file("src.sqlite");
  write_database(path, kSource);
  PgDatabase db;
  std::string command = std::string(ASKGURU_BINARY) + " load --from " + path + " --to '" + db.url() + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  int status = ::pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_NE(out.find("3 tables, 8 rows"), std::string::npos) << out;
  EXPECT_NE(out.find("skipped primary key of loose"), std::string::npos) << out;
  EXPECT_EQ(db.admin().scalar("SELECT name FROM city WHERE id = 3"), "Kyōto");
}

}  // namespace
}  // namespace askguru::db
