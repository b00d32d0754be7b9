// Join discovery (profile/join_candidates.h) on small databases the tests write: a small
// column inside a large key is found, 1..n integer columns are not paired by chance,
// declared foreign keys are marked, composite key parts and hierarchies are found.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "askguru/catalog/catalog_json.h"
#include "askguru/profile/artifacts.h"
#include "askguru/profile/join_candidates.h"
#include "askguru/profile/profiler.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::profile {
namespace {

using askguru::testing::TempDir;
using askguru::testing::write_database;

// Profiles a database made by `script` and returns its catalog (join candidates included).
catalog::Catalog profile_script(const TempDir& tmp, const std::string& script) {
  std::string db = tmp.file("joins.sqlite");
  write_database(db, script);
  ArtifactOptions artifacts;
  artifacts.root = tmp.file("artifacts");
  auto dir = ArtifactDir::open(db, artifacts);
  EXPECT_TRUE(dir.ok()) << dir.error();
  ProfileOptions options;
  options.jobs = 1;
  auto run = profile_database(*dir, options);
  EXPECT_TRUE(run.ok()) << run.error();
  return run.ok() ? run->catalog : catalog::Catalog{};
}

const catalog::JoinCandidate* find(const std::vector<catalog::JoinCandidate>& joins, const std::string& from,
                                   const std::string& to) {
  for (const auto& j : joins) {
    if (j.from_table + "." + j.from_column == from && j.to_table + "." + j.to_column == to) return &j;
  }
  return nullptr;
}

// Either direction.
bool paired(const std::vector<catalog::JoinCandidate>& joins, const std::string& a, const std::string& b) {
  return find(joins, a, b) || find(joins, b, a);
}

std::string dump(const std::vector<catalog::JoinCandidate>& joins) {
  std::string out;
  for (const auto& j : joins) {
    out += j.from_table + "." + j.from_column + " -> " + j.to_table + "." + j.to_column +
           " c=" + std::to_string(j.containment) + " J=" + std::to_string(j.jaccard) + (j.declared ? " declared" : "") +
           "\n";
  }
  return out;
}

TEST(JoinCandidates, SmallColumnInsideALargeKeyIsFound) {
  TempDir tmp;
  // 5,000 sparse zip codes; 20 members live at some of them. MinHash Jaccard is about
  // 20/5000: no signature slot is expected to match, so names and ranges decide.
  // 300 customer codes; 60 of them placed orders under an unrelated column name: the
  // values decide (Jaccard 0.2, containment 1).
  auto c = profile_script(tmp, R"(
    CREATE TABLE zip_code (zip_code INTEGER PRIMARY KEY, city TEXT);
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4999)
      INSERT INTO zip_code SELECT 501 + 19 * i, 'city ' || (i % 97) FROM n;
    CREATE TABLE member (member_id INTEGER PRIMARY KEY, zip INTEGER);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
      INSERT INTO member SELECT i, 501 + 19 * ((i * 37) % 20 * 211) FROM n;
    CREATE TABLE customer (code TEXT PRIMARY KEY, name TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
      INSERT INTO customer SELECT printf('C%05d', i * 7), 'name ' || i FROM n;
    CREATE TABLE orders (order_id INTEGER PRIMARY KEY, buyer TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
      INSERT INTO orders SELECT 100000 + i, printf('C%05d', (i % 60 + 1) * 7) FROM n;
  )");
  const auto& joins = c.join_candidates;
  const auto* zip = find(joins, "member.zip", "zip_code.zip_code");
  ASSERT_NE(zip, nullptr) << dump(joins);
  EXPECT_FALSE(zip->declared);
  EXPECT_LT(zip->jaccard, 0.05);
  const auto* buyer = find(joins, "orders.buyer", "customer.code");
  ASSERT_NE(buyer, nullptr) << dump(joins);
  EXPECT_GE(buyer->containment, 0.6);
  EXPECT_FALSE(buyer->declared);
  // Text that shares no values is no candidate, whatever the sizes.
  EXPECT_FALSE(paired(joins, "customer.name", "zip_code.city")) << dump(joins);
}

TEST(JoinCandidates, DenseSmallIntegerColumnsAreNotPairedByChance) {
  TempDir tmp;
  // Three tables keyed 1..n, counts and ratings in small ranges: all their value sets
  // overlap. Only shop.region_id -> region.id is a reference (the names say so).
  auto c = profile_script(tmp, R"(
    CREATE TABLE region (id INTEGER PRIMARY KEY, name TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12)
      INSERT INTO region SELECT i, 'region ' || i FROM n;
    CREATE TABLE shop (shop_id INTEGER PRIMARY KEY, region_id INTEGER, staff_count INTEGER, rating INTEGER);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
      INSERT INTO shop SELECT i, (i % 12) + 1, (i % 9) + 1, (i % 5) + 1 FROM n;
    CREATE TABLE pilot (pilot_id INTEGER PRIMARY KEY, name TEXT, age INTEGER);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 15)
      INSERT INTO pilot SELECT i, 'pilot ' || i, 30 + i FROM n;
  )");
  const auto& joins = c.join_candidates;
  const auto* region = find(joins, "shop.region_id", "region.id");
  ASSERT_NE(region, nullptr) << dump(joins);
  EXPECT_FALSE(region->declared);
  // 1..n keys with each other.
  EXPECT_FALSE(paired(joins, "region.id", "shop.shop_id")) << dump(joins);
  EXPECT_FALSE(paired(joins, "region.id", "pilot.pilot_id")) << dump(joins);
  EXPECT_FALSE(paired(joins, "shop.shop_id", "pilot.pilot_id")) << dump(joins);
  // The reference is not also sent to other 1..n keys.
  EXPECT_FALSE(paired(joins, "shop.region_id", "shop.shop_id")) << dump(joins);
  EXPECT_FALSE(paired(joins, "shop.region_id", "pilot.pilot_id")) << dump(joins);
  // Counts and ratings refer to nothing.
  for (const auto& j : joins) {
    EXPECT_NE(j.from_column, "staff_count") << dump(joins);
    EXPECT_NE(j.from_column, "rating") << dump(joins);
    EXPECT_NE(j.to_column, "staff_count") << dump(joins);
    EXPECT_NE(j.to_column, "rating") << dump(joins);
  }
}

TEST(JoinCandidates, DeclaredForeignKeysAreMarked) {
  TempDir tmp;
  // ticket.holder references person.ssn (declared; sparse values, so the data finds it);
  // ticket.seller_ssn -> person.ssn is found the same way but not declared.
  auto c = profile_script(tmp, R"(
    CREATE TABLE person (ssn INTEGER PRIMARY KEY, name TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
      INSERT INTO person SELECT 100000000 + i * 7919, 'person ' || i FROM n;
    CREATE TABLE ticket (ticket_id INTEGER PRIMARY KEY, holder INTEGER REFERENCES person(ssn), seller_ssn INTEGER);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 80)
      INSERT INTO ticket SELECT i, 100000000 + ((i % 30) + 1) * 7919, 100000000 + ((i % 25) + 5) * 7919 FROM n;
  )");
  ASSERT_EQ(c.foreign_keys.size(), 1u);
  const auto& joins = c.join_candidates;
  const auto* holder = find(joins, "ticket.holder", "person.ssn");
  ASSERT_NE(holder, nullptr) << dump(joins);
  EXPECT_TRUE(holder->declared);
  const auto* seller = find(joins, "ticket.seller_ssn", "person.ssn");
  ASSERT_NE(seller, nullptr) << dump(joins);
  EXPECT_FALSE(seller->declared);
  // Recomputed from the catalog alone, the same list.
  auto again = find_join_candidates(c, ProfileOptions{}.join_threshold);
  ASSERT_EQ(again.size(), joins.size());
  for (size_t i = 0; i < joins.size(); ++i) {
    EXPECT_EQ(again[i].from_column, joins[i].from_column);
    EXPECT_EQ(again[i].declared, joins[i].declared);
  }
}

TEST(JoinCandidates, CompositeKeyPartsAndHierarchies) {
  TempDir tmp;
  // takes references section by its four-column key (no column of it is unique);
  // employee.manager_id refers to employee's own key; dept and project are keyed 1..n
  // by a bare "id" each, which says nothing.
  auto c = profile_script(tmp, R"(
    CREATE TABLE section (course_id TEXT, sec_id TEXT, semester TEXT, year INTEGER,
                          PRIMARY KEY (course_id, sec_id, semester, year));
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 39)
      INSERT INTO section SELECT printf('CS-%03d', 101 + i % 10), CAST(1 + (i / 10) % 2 AS TEXT),
                                 CASE WHEN i < 20 THEN 'Fall' ELSE 'Spring' END, 2001 + i % 5 FROM n;
    CREATE TABLE takes (student INTEGER, course_id TEXT, sec_id TEXT, semester TEXT, year INTEGER,
                        PRIMARY KEY (student, course_id, sec_id, semester, year));
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 199)
      INSERT INTO takes SELECT 5000 + i, course_id, sec_id, semester, year
                        FROM n JOIN section ON section.rowid = 1 + (n.i * 7) % 40;
    CREATE TABLE employee (emp_id INTEGER PRIMARY KEY, name TEXT, manager_id INTEGER);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
      INSERT INTO employee SELECT i, 'employee ' || i, CASE WHEN i > 5 THEN 1 + i % 5 END FROM n;
    CREATE TABLE dept (id INTEGER PRIMARY KEY, name TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
      INSERT INTO dept SELECT i, 'dept ' || i FROM n;
    CREATE TABLE project (id INTEGER PRIMARY KEY, title TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12)
      INSERT INTO project SELECT i, 'project ' || i FROM n;
  )");
  const auto& joins = c.join_candidates;
  for (const char* part : {"course_id", "sec_id", "semester", "year"}) {
    EXPECT_TRUE(paired(joins, std::string("takes.") + part, std::string("section.") + part)) << part << "\n"
                                                                                              << dump(joins);
  }
  EXPECT_NE(find(joins, "employee.manager_id", "employee.emp_id"), nullptr) << dump(joins);
  EXPECT_FALSE(paired(joins, "employee.manager_id", "dept.id")) << dump(joins);
  EXPECT_FALSE(paired(joins, "dept.id", "project.id")) << dump(joins);
  EXPECT_FALSE(paired(joins, "employee.emp_id", "project.id")) << dump(joins);
}

}  // namespace
}  // namespace askguru::profile
