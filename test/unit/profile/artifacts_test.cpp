// The per-database artifact directory: fingerprints, paths, catalog round trip,
// rebuild when the database changes, --force, removal of stale versions.
#include <gtest/gtest.h>

#include <filesystem>

#include "askguru/catalog/catalog_json.h"
#include "askguru/profile/artifacts.h"
#include "askguru/profile/profiler.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::profile {
namespace {

using askguru::testing::TempDir;
using askguru::testing::write_database;
namespace fs = std::filesystem;

TEST(Artifacts, FingerprintIsStableAndChangesWithTheDatabase) {
  TempDir tmp;
  std::string db = tmp.file("shop.sqlite");
  write_database(db, "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);");
  auto a = database_fingerprint(db);
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->size(), 16u);
  auto b = database_fingerprint(db);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  write_database(db, "INSERT INTO t VALUES (2);");
  auto c = database_fingerprint(db);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*a, *c);
  EXPECT_FALSE(database_fingerprint(tmp.file("missing.sqlite")).ok());
}

TEST(Artifacts, DirectoryIsKeyedByStemAndFingerprint) {
  TempDir tmp;
  std::string db = tmp.file("shop.sqlite");
  write_database(db, "CREATE TABLE t (a INTEGER);");
  ArtifactOptions options;
  options.root = tmp.file("root");
  auto dir = ArtifactDir::open(db, options);
  ASSERT_TRUE(dir.ok()) << dir.error();
  EXPECT_EQ(dir->db_id(), "shop");
  EXPECT_EQ(fs::path(dir->dir()).filename().string(), "shop-" + dir->fingerprint());
  EXPECT_EQ(fs::path(dir->dir()).parent_path().string(), options.root);
  EXPECT_TRUE(fs::is_directory(dir->dir()));
  EXPECT_EQ(dir->path("values.idx"), (fs::path(dir->dir()) / "values.idx").string());
  EXPECT_FALSE(dir->has("catalog.json"));

  catalog::Catalog catalog;
  catalog.db_id = "shop";
  catalog::Table table;
  table.name = "t";
  table.columns.push_back({});
  table.columns.back().name = "a";
  table.columns.back().profile.profiled = true;
  table.columns.back().profile.distinct = 7;
  table.columns.back().profile.minhash = {1, 0xFFFFFFFFu, 42};
  table.columns.back().profile.top_values = {{"x", 3}, {"y", 1}};
  catalog.tables.push_back(table);
  catalog.join_candidates.push_back({"t", "a", "u", "b", 0.5, 0.9, 0.25, true});
  ASSERT_TRUE(dir->save_catalog(catalog).ok());
  EXPECT_TRUE(dir->has("catalog.json"));
  auto loaded = dir->load_catalog();
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(catalog::to_json(*loaded), catalog::to_json(catalog));
  EXPECT_EQ(loaded->tables[0].columns[0].profile.minhash, (std::vector<uint32_t>{1, 0xFFFFFFFFu, 42}));
  EXPECT_GT(dir->size_bytes(), 0u);

  // Same database again: same directory, catalog kept.
  auto again = ArtifactDir::open(db, options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->dir(), dir->dir());
  EXPECT_TRUE(again->has("catalog.json"));
  // --force empties it.
  options.force = true;
  auto forced = ArtifactDir::open(db, options);
  ASSERT_TRUE(forced.ok());
  EXPECT_FALSE(forced->has("catalog.json"));
}

TEST(Artifacts, ChangedDatabaseGetsANewDirectoryAndTheOldOneIsRemoved) {
  TempDir tmp;
  std::string db = tmp.file("shop.sqlite");
  write_database(db, "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);");
  ArtifactOptions options;
  options.root = tmp.file("root");
  auto first = profiled_catalog(db, options);
  ASSERT_TRUE(first.ok()) << first.error();
  auto old_dir = ArtifactDir::open(db, options);
  ASSERT_TRUE(old_dir.ok());
  EXPECT_TRUE(old_dir->has("catalog.json"));
  write_database(db, "ALTER TABLE t ADD COLUMN b TEXT;");
  auto second = profiled_catalog(db, options);
  ASSERT_TRUE(second.ok()) << second.error();
  ASSERT_EQ(second->tables.size(), 1u);
  EXPECT_EQ(second->tables[0].columns.size(), 2u);
  auto new_dir = ArtifactDir::open(db, options);
  ASSERT_TRUE(new_dir.ok());
  EXPECT_NE(new_dir->dir(), old_dir->dir());
  EXPECT_FALSE(fs::exists(old_dir->dir()));
  EXPECT_TRUE(new_dir->has("catalog.json"));
}

}  // namespace
}  // namespace askguru::profile
