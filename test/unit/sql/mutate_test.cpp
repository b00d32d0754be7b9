// Mutator tests on a real SQLite catalog: each kind of edit, determinism, the dropping of
// mutants equal to the original, and that mutants execute (the gold test runs them on
// Spider too).
#include "askguru/sql/mutate.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "askguru/sql/normalize.h"
#include "askguru/sql/parser.h"
#include "unit/sql/analysis_fixture.h"

namespace askguru::sql {
namespace {

const char* kSchema = R"(
CREATE TABLE singer(singer_id INTEGER PRIMARY KEY, name TEXT, country TEXT, age INTEGER, net_worth REAL);
CREATE TABLE concert(concert_id INTEGER PRIMARY KEY, concert_name TEXT, theme TEXT, year INTEGER, stadium_id INTEGER);
CREATE TABLE singer_in_concert(concert_id INTEGER REFERENCES concert(concert_id), singer_id INTEGER REFERENCES singer(singer_id));
INSERT INTO singer VALUES (1, 'Joe', 'France', 30, 1.5), (2, 'Ann', 'Spain', 40, 2.5);
INSERT INTO concert VALUES (1, 'A', 'x', 2014, 1), (2, 'B', 'y', 2015, 2);
INSERT INTO singer_in_concert VALUES (1, 1), (2, 2), (2, 1);
)";

class SqlMutate : public ::testing::Test {
 protected:
  std::vector<Mutant> run(const std::string& sql, std::vector<MutationKind> kinds, uint64_t seed = 7, size_t max = 50) {
    auto ast = parse(sql, Dialect::kSqlite);
    EXPECT_TRUE(ast.ok()) << ast.error();
    if (!ast.ok()) return {};
    MutateOptions o;
    o.seed = seed;
    o.max_mutants = max;
    o.kinds = std::move(kinds);
    auto m = mutate(*ast, catalogs_.get(kSchema), o);
    EXPECT_TRUE(m.ok()) << m.error();
    if (!m.ok()) return {};
    for (const Mutant& x : *m) EXPECT_TRUE(executes(x.sql)) << x.sql << " (" << x.description << ")";
    return *m;
  }

  bool executes(const std::string& sql) {
    const catalog::Catalog& cat = catalogs_.get(kSchema);
    (void)cat;
    if (db_ == nullptr) {
      path_ = dir_.file("m.sqlite");
      askguru::testing::write_database(path_, kSchema);
      sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return false;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE;
  }

  void TearDown() override {
    if (db_ != nullptr) sqlite3_close(db_);
  }

  testing::CatalogCache catalogs_;
  askguru::testing::TempDir dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

bool has(const std::vector<Mutant>& ms, const std::string& sql) {
  for (const Mutant& m : ms) {
    if (m.sql == sql) return true;
  }
  return false;
}

TEST_F(SqlMutate, SwapsAColumnForACompatibleSibling) {
  auto ms = run("SELECT name FROM singer WHERE age > 30", {MutationKind::kSwapColumn});
  EXPECT_TRUE(has(ms, "SELECT country FROM singer WHERE age > 30"));
  EXPECT_TRUE(has(ms, "SELECT name FROM singer WHERE singer_id > 30"));
  for (const Mutant& m : ms) {
    EXPECT_EQ(m.kind, MutationKind::kSwapColumn);
    // Text columns only for name, integers (and reals) only for age.
    EXPECT_EQ(m.sql.find("SELECT age"), std::string::npos) << m.sql;
    EXPECT_EQ(m.sql.find("WHERE name"), std::string::npos) << m.sql;
  }
}

TEST_F(SqlMutate, ChangesComparisonOperators) {
  auto ms = run("SELECT name FROM singer WHERE age > 30", {MutationKind::kComparison}, 1);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_NE(ms[0].sql, "SELECT name FROM singer WHERE age > 30");
  EXPECT_NE(ms[0].description.find("change age > 30 to age "), std::string::npos) << ms[0].description;
}

TEST_F(SqlMutate, DropsAndAddsConditions) {
  auto ms = run("SELECT name FROM singer WHERE age > 30 AND country = 'France'", {MutationKind::kDropCondition});
  EXPECT_TRUE(has(ms, "SELECT name FROM singer WHERE country = 'France'"));
  EXPECT_TRUE(has(ms, "SELECT name FROM singer WHERE age > 30"));
  ms = run("SELECT name FROM singer WHERE age > 30", {MutationKind::kDropCondition});
  EXPECT_TRUE(has(ms, "SELECT name FROM singer"));
  ms = run("SELECT name FROM singer", {MutationKind::kAddCondition});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].sql.rfind("SELECT name FROM singer WHERE ", 0), 0u) << ms[0].sql;
}

TEST_F(SqlMutate, ChangesAggregatesOrderAndLimit) {
  auto ms = run("SELECT max(age) FROM singer", {MutationKind::kAggregate});
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].sql.find("MAX("), std::string::npos);
  ms = run("SELECT name FROM singer ORDER BY age DESC LIMIT 1", {MutationKind::kOrderDirection, MutationKind::kLimit});
  EXPECT_TRUE(has(ms, "SELECT name FROM singer ORDER BY age LIMIT 1"));
  ms = run("SELECT name FROM singer ORDER BY age", {MutationKind::kLimit});
  EXPECT_TRUE(has(ms, "SELECT name FROM singer ORDER BY age LIMIT 1"));
}

TEST_F(SqlMutate, ChangesAJoinColumnToAKeyLikeColumn) {
  auto ms = run("SELECT T1.name FROM singer AS T1 JOIN singer_in_concert AS T2 ON T1.singer_id = T2.singer_id",
                {MutationKind::kJoinColumn});
  ASSERT_FALSE(ms.empty());
  EXPECT_TRUE(has(ms, "SELECT T1.name FROM singer AS T1 JOIN singer_in_concert AS T2 ON T1.singer_id = T2.concert_id"));
  for (const Mutant& m : ms) EXPECT_EQ(m.kind, MutationKind::kJoinColumn);
}

TEST_F(SqlMutate, IsDeterministicAndDropsNoOps) {
  const std::string sql =
      "SELECT T1.name, count(*) FROM singer AS T1 JOIN singer_in_concert AS T2 ON T1.singer_id = T2.singer_id "
      "WHERE T1.age > 20 GROUP BY T1.name ORDER BY count(*) DESC LIMIT 3";
  auto a = run(sql, {}, 42, 8);
  auto b = run(sql, {}, 42, 8);
  ASSERT_EQ(a.size(), 8u);
  ASSERT_EQ(a.size(), b.size());
  std::set<std::string> normal;
  auto original = parse(sql, Dialect::kSqlite);
  NormalizeOptions nopt{&catalogs_.get(kSchema)};
  normal.insert(normalize(*original, nopt));
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].sql, b[i].sql);
    EXPECT_EQ(a[i].description, b[i].description);
    auto m = parse(a[i].sql, Dialect::kSqlite);
    ASSERT_TRUE(m.ok());
    EXPECT_TRUE(normal.insert(normalize(*m, nopt)).second) << "a mutant equal to the original or another: " << a[i].sql;
  }
  // `a = b` flipped to `b = a` is no mutant: only = <-> = with sides swapped would be, and it is dropped.
  auto c = run("SELECT name FROM singer WHERE age = age", {MutationKind::kSwapColumn}, 3);
  for (const Mutant& m : c) EXPECT_NE(m.sql, "SELECT name FROM singer WHERE age = age");
}

TEST_F(SqlMutate, RefusesStatementsThatAreNotQueries) {
  auto ast = parse("DROP TABLE singer", Dialect::kSqlite);
  ASSERT_TRUE(ast.ok());
  EXPECT_FALSE(mutate(*ast, catalogs_.get(kSchema)).ok());
}

}  // namespace
}  // namespace askguru::sql
