// Profiling a real SQLite file: every statistic, sampling, budgets and resume,
// denied columns, join candidates, persistence, and rebuild on change.
#include <gtest/gtest.h>

#include <filesystem>

#include "askguru/catalog/catalog_json.h"
#include "askguru/common/files.h"
#include "askguru/profile/artifacts.h"
#include "askguru/profile/profiler.h"
#include "unit/profile/profile_fixture.h"

namespace askguru::profile {
namespace {

using askguru::testing::TempDir;
using askguru::testing::write_database;
using askguru::testing::write_profile_database;
namespace fs = std::filesystem;

const catalog::Column& column(const catalog::Catalog& c, const std::string& table, const std::string& name) {
  const auto* t = c.find_table(table);
  EXPECT_NE(t, nullptr) << table;
  const auto* col = t->find_column(name);
  EXPECT_NE(col, nullptr) << table << "." << name;
  return *col;
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

struct Fixture {
  TempDir tmp;
  std::string db = tmp.file("people.sqlite");
  ArtifactOptions artifacts;
  Fixture() {
    write_profile_database(db);
    artifacts.root = tmp.file("artifacts");
  }
  Result<ProfileRun> run(const ProfileOptions& options) {
    auto dir = ArtifactDir::open(db, artifacts);
    if (!dir.ok()) return dir.status();
    return profile_database(*dir, options);
  }
};

TEST(Profiler, EveryStatisticOnTheFixture) {
  Fixture f;
  ProfileOptions options;
  options.top_k = 3;
  options.sample_values = 3;
  auto run = f.run(options);
  ASSERT_TRUE(run.ok()) << run.error();
  const auto& c = run->catalog;
  EXPECT_EQ(run->tables, 3u);
  EXPECT_EQ(run->tables_profiled, 3u);
  EXPECT_EQ(run->tables_left, 0u);
  EXPECT_TRUE(c.profile.complete);

  const auto* people = c.find_table("people");
  ASSERT_NE(people, nullptr);
  EXPECT_TRUE(people->profile.profiled);
  EXPECT_FALSE(people->profile.sampled);
  EXPECT_FALSE(people->profile.partial);
  EXPECT_EQ(people->profile.rows_read, 10);

  const auto& id = column(c, "people", "id").profile;
  EXPECT_EQ(id.rows, 10);
  EXPECT_EQ(id.null_count, 0);
  EXPECT_EQ(id.distinct, 10);
  EXPECT_TRUE(id.distinct_exact);
  EXPECT_EQ(id.min, "1");
  EXPECT_EQ(id.max, "10");
  EXPECT_EQ(id.value_type, "integer");
  EXPECT_DOUBLE_EQ(id.avg_length, 1.1);
  EXPECT_EQ(id.max_length, 2);

  const auto& name = column(c, "people", "name");
  EXPECT_EQ(name.profile.null_count, 1);
  EXPECT_DOUBLE_EQ(name.profile.null_share, 0.1);
  EXPECT_EQ(name.profile.distinct, 8);
  EXPECT_EQ(name.profile.min, "Ann");
  EXPECT_EQ(name.profile.max, "Hal");
  EXPECT_EQ(name.profile.max_length, 5);  // "Chloé": characters, not bytes
  EXPECT_DOUBLE_EQ(name.profile.avg_length, (3 + 3 + 3 + 5 + 3 + 3 + 3 + 3 + 3) / 9.0);
  ASSERT_EQ(name.profile.top_values.size(), 3u);
  EXPECT_EQ(name.profile.top_values[0].value, "Ann");
  EXPECT_EQ(name.profile.top_values[0].count, 2);
  EXPECT_EQ(name.samples, (std::vector<std::string>{"Ann", "Bob", "Chloé"}));

  EXPECT_TRUE(has(column(c, "people", "birth").profile.formats, "date:YYYY-MM-DD"));
  EXPECT_TRUE(has(column(c, "people", "zip").profile.formats, "number_as_text"));
  EXPECT_TRUE(has(column(c, "people", "code").profile.formats, "code"));
  EXPECT_TRUE(has(column(c, "people", "email").profile.formats, "email"));
  EXPECT_TRUE(has(column(c, "people", "active").profile.formats, "boolean"));
  EXPECT_TRUE(column(c, "people", "name").profile.formats.empty());
  const auto& score = column(c, "people", "score").profile;
  EXPECT_EQ(score.value_type, "real");
  EXPECT_EQ(score.min, "1.5");
  EXPECT_EQ(score.max, "10.0");
  EXPECT_EQ(score.minhash.size(), options.minhash_perm);
}

TEST(Profiler, JoinCandidatesIncludeUndeclaredKeys) {
  Fixture f;
  auto run = f.run({});
  ASSERT_TRUE(run.ok()) << run.error();
  const auto& joins = run->catalog.join_candidates;
  auto find = [&](const std::string& ft, const std::string& fc, const std::string& tt, const std::string& tc) {
    for (const auto& j : joins)
      if (j.from_table == ft && j.from_column == fc && j.to_table == tt && j.to_column == tc) return &j;
    return static_cast<const catalog::JoinCandidate*>(nullptr);
  };
  const auto* team = find("people", "team_id", "team", "id");
  ASSERT_NE(team, nullptr) << catalog::to_json(run->catalog);
  EXPECT_FALSE(team->declared);
  EXPECT_GE(team->containment, 0.6);
  const auto* club = find("club", "person_id", "people", "id");
  ASSERT_NE(club, nullptr);
  EXPECT_TRUE(club->declared);
  // Unrelated text columns are no candidates.
  EXPECT_EQ(find("people", "name", "team", "name"), nullptr);
}

TEST(Profiler, DeniedColumnsAreNeverRead) {
  Fixture f;
  // A view whose `secret` column fails when read: any read of it would fail the pass.
  write_database(f.db, "CREATE VIEW people_view AS SELECT id, name, json('not json') AS secret FROM people;");
  ProfileOptions options;
  options.deny = {"people.secret", "PEOPLE_VIEW.Secret"};
  auto run = f.run(options);
  ASSERT_TRUE(run.ok()) << run.error();
  const auto& c = run->catalog;
  EXPECT_EQ(c.profile.deny, (std::vector<std::string>{"people.secret", "people_view.secret"}));
  EXPECT_EQ(run->columns_denied, 2u);
  const auto& secret = column(c, "people", "secret");
  EXPECT_FALSE(secret.profile.profiled);
  EXPECT_TRUE(secret.samples.empty());
  const auto* view = c.find_table("people_view");
  ASSERT_NE(view, nullptr);
  EXPECT_FALSE(view->profile.partial);
  EXPECT_EQ(column(c, "people_view", "name").profile.rows, 10);
  EXPECT_FALSE(column(c, "people_view", "secret").profile.profiled);
  auto dir = ArtifactDir::open(f.db, f.artifacts);
  ASSERT_TRUE(dir.ok());
  auto text = files::read_file(dir->path("catalog.json"));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->find("TOPSECRET"), std::string::npos);

  // Undenied, the view's poisoned column makes the pass fail (so the test above is real).
  ArtifactOptions forced = f.artifacts;
  forced.force = true;
  auto dir2 = ArtifactDir::open(f.db, forced);
  ASSERT_TRUE(dir2.ok());
  auto open_run = profile_database(*dir2, {});
  ASSERT_TRUE(open_run.ok());
  EXPECT_TRUE(open_run->catalog.find_table("people_view")->profile.partial);

  // A predicate (e.g. the guardrail policy) denies as well.
  ProfileOptions by_policy;
  by_policy.allow = [](std::string_view table, std::string_view col) { return !(table == "people" && col == "email"); };
  auto policy_run = f.run(by_policy);
  ASSERT_TRUE(policy_run.ok());
  EXPECT_FALSE(column(policy_run->catalog, "people", "email").profile.profiled);
  EXPECT_TRUE(column(policy_run->catalog, "people", "zip").profile.profiled);
}

TEST(Profiler, BigTablesAreSampledAcrossTheirRowidRange) {
  TempDir tmp;
  std::string db = tmp.file("big.sqlite");
  write_database(db, R"sql(
CREATE TABLE big (v INTEGER, w TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO big SELECT i, 'w' || (i % 7) FROM n;
)sql");
  ArtifactOptions artifacts;
  artifacts.root = tmp.file("a");
  auto dir = ArtifactDir::open(db, artifacts);
  ASSERT_TRUE(dir.ok());
  ProfileOptions options;
  options.sample_rows = 1600;
  auto run = profile_database(*dir, options);
  ASSERT_TRUE(run.ok()) << run.error();
  const auto* big = run->catalog.find_table("big");
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(big->profile.sampled);
  EXPECT_EQ(big->row_count.value_or(0), 20000);
  EXPECT_LE(big->profile.rows_read, 1600);
  EXPECT_GE(big->profile.rows_read, 1500);
  const auto& v = big->find_column("v")->profile;
  EXPECT_EQ(v.rows, big->profile.rows_read);
  // Segments spread over the table: values from its start and its end.
  EXPECT_LT(std::stoll(v.min), 100);
  EXPECT_GT(std::stoll(v.max), 18000);
  EXPECT_EQ(big->find_column("w")->profile.distinct, 7);
  EXPECT_EQ(run->tables_sampled, 1u);

  // Not sampled when the table fits.
  options.sample_rows = 0;
  ArtifactOptions forced = artifacts;
  forced.force = true;
  auto dir2 = ArtifactDir::open(db, forced);
  ASSERT_TRUE(dir2.ok());
  auto full = profile_database(*dir2, options);
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE(full->catalog.tables[0].profile.sampled);
  EXPECT_EQ(full->catalog.tables[0].profile.rows_read, 20000);
  EXPECT_EQ(full->catalog.tables[0].columns[0].profile.distinct, 20000);
}

TEST(Profiler, StoppedRunsResumeAndBudgetsStopWork) {
  Fixture f;
  ProfileOptions options;
  options.jobs = 1;
  options.max_tables = 1;  // as if the run had stopped after one table
  auto first = f.run(options);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->tables_profiled, 1u);
  EXPECT_EQ(first->tables_left, 2u);
  EXPECT_FALSE(first->catalog.profile.complete);
  auto dir = ArtifactDir::open(f.db, f.artifacts);
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE(dir->has("profile.partial/0.json"));

  options.max_tables = 0;
  auto second = f.run(options);
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->tables_resumed, 1u);
  EXPECT_EQ(second->tables_profiled, 2u);
  EXPECT_TRUE(second->catalog.profile.complete);
  EXPECT_FALSE(dir->has("profile.partial"));
  for (const auto& table : second->catalog.tables) EXPECT_TRUE(table.profile.profiled) << table.name;

  // A total budget that has already passed leaves every table for a rerun.
  ArtifactOptions forced = f.artifacts;
  forced.force = true;
  auto dir2 = ArtifactDir::open(f.db, forced);
  ASSERT_TRUE(dir2.ok());
  ProfileOptions no_time;
  no_time.total_budget_s = 1e-9;
  auto starved = profile_database(*dir2, no_time);
  ASSERT_TRUE(starved.ok());
  EXPECT_EQ(starved->tables_left, 3u);
  EXPECT_FALSE(starved->catalog.profile.complete);
  // profiled_catalog() sees the incomplete profile and finishes it.
  auto finished = profiled_catalog(f.db, f.artifacts);
  ASSERT_TRUE(finished.ok());
  EXPECT_TRUE(finished->profile.complete);

  // A per-table budget that has passed marks tables partial, but done.
  auto dir3 = ArtifactDir::open(f.db, forced);
  ASSERT_TRUE(dir3.ok());
  ProfileOptions tiny;
  tiny.table_budget_s = 1e-9;
  auto cut = profile_database(*dir3, tiny);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->tables_left, 0u);
  EXPECT_TRUE(cut->catalog.profile.complete);
  EXPECT_TRUE(cut->catalog.find_table("people")->profile.partial);
}

TEST(Profiler, CatalogRoundTripsAndIsReusedUntilTheDatabaseChanges) {
  Fixture f;
  auto built = profiled_catalog(f.db, f.artifacts);
  ASSERT_TRUE(built.ok()) << built.error();
  std::string json = catalog::to_json(*built);
  auto parsed = catalog::catalog_from_json(json);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(catalog::to_json(*parsed), json);
  EXPECT_EQ(parsed->tables[1].columns[0].profile.minhash, built->tables[1].columns[0].profile.minhash);

  // The second call loads catalog.json (marked here) instead of profiling again.
  auto dir = ArtifactDir::open(f.db, f.artifacts);
  ASSERT_TRUE(dir.ok());
  catalog::Catalog marked = *built;
  marked.tables[0].description = "loaded from disk";
  ASSERT_TRUE(dir->save_catalog(marked).ok());
  auto again = profiled_catalog(f.db, f.artifacts);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->tables[0].description, "loaded from disk");

  // Another deny list rebuilds.
  ProfileOptions deny;
  deny.deny = {"team.name"};
  auto denied = profiled_catalog(f.db, f.artifacts, deny);
  ASSERT_TRUE(denied.ok());
  EXPECT_FALSE(column(*denied, "team", "name").profile.profiled);

  // A changed database rebuilds.
  write_database(f.db, "INSERT INTO team VALUES (5, 'Black');");
  auto changed = profiled_catalog(f.db, f.artifacts, deny);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->tables[0].description, "");
  EXPECT_EQ(column(*changed, "team", "id").profile.distinct, 5);
}

}  // namespace
}  // namespace askguru::profile
