// Profiling, indexing and evaluation on server databases: a real PostgreSQL server
// (ASKGURU_TEST_POSTGRES_URL, started by scripts/test_postgres.sh; skipped without one)
// holding the profile fixture loaded with db::load_into_postgres, and the same SQLite
// file through Debian's SQLite ODBC driver (skipped when it is not installed).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "askguru/common/files.h"
#include "askguru/db/connection.h"
#include "askguru/db/postgres_load.h"
#include "askguru/eval/dataset.h"
#include "askguru/eval/metrics.h"
#include "askguru/eval/report.h"
#include "askguru/index/retriever.h"
#include "askguru/profile/artifacts.h"
#include "askguru/profile/profiler.h"
#include "unit/db/postgres_fixture.h"
#include "unit/profile/profile_fixture.h"

namespace askguru::profile {
namespace {

using askguru::testing::PgDatabase;
using askguru::testing::TempDir;
using askguru::testing::write_database;
using askguru::testing::write_profile_database;
namespace fs = std::filesystem;

constexpr const char* kSqliteOdbcDriver = "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so";

// Every file under `dir`, concatenated (to look for a secret in any of them).
std::string all_files(const std::string& dir) {
  std::string out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    out += entry.path().string() + "\n";
    if (entry.is_regular_file()) {
      auto text = files::read_file(entry.path().string());
      if (text.ok()) out += *text;
    }
  }
  return out;
}

// The profile fixture in SQLite and loaded into a fresh PostgreSQL database; waits until
// the server's statistics show the load (the loader's session reports them as it ends),
// so fingerprints taken afterwards are stable.
struct ServerFixture {
  TempDir tmp;
  std::string sqlite = tmp.file("people.sqlite");
  PgDatabase pg;
  ServerFixture() {
    write_profile_database(sqlite);
    auto source = db::open_connection(sqlite);
    EXPECT_TRUE(source.ok()) << source.error();
    auto loaded = db::load_into_postgres(**source, pg.url());
    EXPECT_TRUE(loaded.ok()) << loaded.error();
    wait_for_inserts(18);  // 4 teams + 10 people + 4 clubs
  }
  void wait_for_inserts(int64_t rows) {
    for (int i = 0; i < 200; ++i) {
      std::string n = pg.admin().scalar("SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables");
      if (!n.empty() && std::stoll(n) >= rows) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "the server's statistics never showed " << rows << " inserted rows";
  }
};

void expect_same_profile(const catalog::Catalog& a, const catalog::Catalog& b, const std::string& table) {
  const catalog::Table* ta = a.find_table(table);
  const catalog::Table* tb = b.find_table(table);
  ASSERT_NE(ta, nullptr);
  ASSERT_NE(tb, nullptr);
  EXPECT_FALSE(tb->profile.sampled);
  EXPECT_EQ(ta->profile.rows_read, tb->profile.rows_read);
  ASSERT_EQ(ta->columns.size(), tb->columns.size());
  for (size_t i = 0; i < ta->columns.size(); ++i) {
    const auto& x = ta->columns[i].profile;
    const auto& y = tb->columns[i].profile;
    const std::string& name = ta->columns[i].name;
    EXPECT_EQ(x.profiled, y.profiled) << name;
    EXPECT_EQ(x.rows, y.rows) << name;
    EXPECT_EQ(x.null_count, y.null_count) << name;
    EXPECT_EQ(x.distinct, y.distinct) << name;
    EXPECT_EQ(x.min, y.min) << name;
    EXPECT_EQ(x.max, y.max) << name;
    EXPECT_EQ(x.max_length, y.max_length) << name;
    EXPECT_DOUBLE_EQ(x.avg_length, y.avg_length) << name;
    EXPECT_EQ(x.value_type, y.value_type) << name;
    EXPECT_EQ(x.formats, y.formats) << name;
    EXPECT_EQ(x.minhash, y.minhash) << name;
    ASSERT_EQ(x.top_values.size(), y.top_values.size()) << name;
    for (size_t k = 0; k < x.top_values.size(); ++k) {
      EXPECT_EQ(x.top_values[k].value, y.top_values[k].value) << name;
      EXPECT_EQ(x.top_values[k].count, y.top_values[k].count) << name;
    }
    EXPECT_EQ(ta->columns[i].samples, tb->columns[i].samples) << name;
  }
}

Result<catalog::Catalog> profile_of(const std::string& db, const std::string& root, const ProfileOptions& options = {}) {
  ArtifactOptions artifacts;
  artifacts.root = root;
  AG_ASSIGN_OR_RETURN(auto dir, ArtifactDir::open(db, artifacts));
  AG_ASSIGN_OR_RETURN(auto run, profile_database(dir, options));
  return std::move(run.catalog);
}

TEST(ServerProfile, PostgresGivesTheSqliteStatisticsAndIndexes) {
  AG_REQUIRE_POSTGRES();
  ServerFixture f;
  ProfileOptions options;
  options.deny = {"people.secret"};
  auto lite = profile_of(f.sqlite, f.tmp.file("art"), options);
  ASSERT_TRUE(lite.ok()) << lite.error();
  auto pg = profile_of(f.pg.url(), f.tmp.file("art"), options);
  ASSERT_TRUE(pg.ok()) << pg.error();
  EXPECT_EQ(pg->db_id, f.pg.name());
  EXPECT_EQ(pg->dialect, Dialect::kPostgres);
  EXPECT_TRUE(pg->profile.complete);
  for (const char* table : {"people", "team", "club"}) expect_same_profile(*lite, *pg, table);
  const auto* secret = pg->find_table("people")->find_column("secret");
  EXPECT_FALSE(secret->profile.profiled);
  EXPECT_TRUE(secret->samples.empty());
  // The undeclared key people.team_id -> team.id is found on the server as well.
  bool team_join = false;
  for (const auto& j : pg->join_candidates) team_join |= j.from_table == "people" && j.from_column == "team_id";
  EXPECT_TRUE(team_join);

  // Value and column index, values and retrieval on the server database.
  index::ArtifactOptions artifacts;
  artifacts.root = f.tmp.file("art");
  artifacts.deny = {"people.secret"};
  auto built = index::DatabaseArtifacts::open(f.pg.url(), artifacts);
  ASSERT_TRUE(built.ok()) << built.error();
  EXPECT_TRUE(built->stats().built);
  EXPECT_TRUE(built->values().contains("Chloé"));
  EXPECT_TRUE(built->values().contains("chair"));
  EXPECT_FALSE(built->values().contains("TOPSECRET-3"));  // denied: never read
  auto lite_built = index::DatabaseArtifacts::open(f.sqlite, artifacts);
  ASSERT_TRUE(lite_built.ok()) << lite_built.error();
  EXPECT_EQ(built->values().value_count(), lite_built->values().value_count());
  index::RetrievalQuery query;
  query.question = "Which members does Chloe's club have?";
  auto found = built->retrieve(query);
  ASSERT_TRUE(found.ok()) << found.error();
  bool chloe = false;
  for (const auto& hit : found->values) chloe |= hit.value == "Chloé" && hit.table == "people" && hit.column == "name";
  EXPECT_TRUE(chloe);
  ASSERT_FALSE(found->columns.empty());

  // A second open loads what the first built.
  auto again = index::DatabaseArtifacts::open(f.pg.url(), artifacts);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_FALSE(again->stats().built);
  EXPECT_EQ(again->dir(), built->dir());
}

TEST(ServerProfile, PostgresSamplesBigTablesAndHonoursTheRowCap) {
  AG_REQUIRE_POSTGRES();
  TempDir tmp;
  PgDatabase pg;
  pg.admin().exec(
      "CREATE TABLE big (id integer PRIMARY KEY, w text);"
      "INSERT INTO big SELECT g, 'w' || (g % 7) FROM generate_series(1, 50000) g;"
      "CREATE VIEW big_view AS SELECT id, w FROM big;"
      "ANALYZE big;");
  ProfileOptions options;
  options.sample_rows = 5000;
  auto c = profile_of(pg.url(), tmp.file("art"), options);
  ASSERT_TRUE(c.ok()) << c.error();
  const auto* big = c->find_table("big");
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(big->profile.sampled);
  EXPECT_FALSE(big->profile.partial);
  EXPECT_GT(big->profile.rows_read, 0);
  EXPECT_LE(big->profile.rows_read, 5000);
  EXPECT_EQ(big->find_column("w")->profile.distinct, 7);
  // A view has no estimate: read up to the cap.
  const auto* view = c->find_table("big_view");
  ASSERT_NE(view, nullptr);
  EXPECT_LE(view->profile.rows_read, 5000);

  // Unsampled: every row, read in ranges of pages.
  options.sample_rows = 0;
  ArtifactOptions forced;
  forced.root = tmp.file("art");
  forced.force = true;
  auto dir = ArtifactDir::open(pg.url(), forced);
  ASSERT_TRUE(dir.ok()) << dir.error();
  auto full = profile_database(*dir, options);
  ASSERT_TRUE(full.ok()) << full.error();
  const auto* all = full->catalog.find_table("big");
  EXPECT_FALSE(all->profile.sampled);
  EXPECT_EQ(all->profile.rows_read, 50000);
  EXPECT_EQ(all->find_column("id")->profile.distinct, 50000);
  EXPECT_EQ(all->find_column("id")->profile.max, "50000");
}

TEST(ServerProfile, CliProfileIndexValuesRetrieveOnAUrl) {
  AG_REQUIRE_POSTGRES();
  ServerFixture f;
  const std::string bin = std::string(ASKGURU_BINARY) + " --log-level off ";
  const std::string common = " --db '" + f.pg.url() + "' --artifacts " + f.tmp.file("art") + " ";
  auto [rc, out] = askguru::testing::run_command(bin + "profile -q --json --deny people.secret" + common + " 2>&1");
  ASSERT_EQ(rc, 0) << out;
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["db_id"], f.pg.name());
  EXPECT_EQ(j["tables"], 3);
  EXPECT_EQ(j["columns_denied"], 1);
  EXPECT_EQ(j["complete"], true);
  auto [rc2, indexed] = askguru::testing::run_command(bin + "index -q --deny people.secret" + common + " 2>&1");
  ASSERT_EQ(rc2, 0) << indexed;
  auto [rc3, values] = askguru::testing::run_command(bin + "values -q --deny people.secret" + common + " Chloe 2>&1");
  ASSERT_EQ(rc3, 0) << values;
  EXPECT_NE(values.find("people.name = 'Chloé'"), std::string::npos) << values;
  auto [rc4, retrieved] =
      askguru::testing::run_command(bin + "retrieve -q --deny people.secret" + common + " 'Which club is Chloe in?' 2>&1");
  ASSERT_EQ(rc4, 0) << retrieved;
  EXPECT_NE(retrieved.find("people.name"), std::string::npos) << retrieved;
}

TEST(ServerProfile, PostgresColumnsWithoutEqualityDoNotStopTheIndex) {
  AG_REQUIRE_POSTGRES();
  TempDir tmp;
  PgDatabase pg;
  pg.admin().exec(
      "CREATE TABLE doc (id integer PRIMARY KEY, body json, tag text, born date);"
      "INSERT INTO doc VALUES (1, '{\"a\": 1}', 'alpha', '2024-01-31'), (2, '[1]', 'beta', NULL);");
  index::ArtifactOptions artifacts;
  artifacts.root = tmp.file("art");
  auto built = index::DatabaseArtifacts::open(pg.url(), artifacts);
  ASSERT_TRUE(built.ok()) << built.error();
  EXPECT_TRUE(built->values().contains("alpha"));
  EXPECT_TRUE(built->values().contains("2024-01-31"));  // dates read as ISO text
  const auto* body = built->catalog().find_table("doc")->find_column("body");
  EXPECT_TRUE(body->profile.profiled);  // profiling reads it; only DISTINCT cannot
  EXPECT_EQ(body->profile.distinct, 2);
}

TEST(ServerProfile, PostgresStoppedRunsResume) {
  AG_REQUIRE_POSTGRES();
  ServerFixture f;
  ArtifactOptions artifacts;
  artifacts.root = f.tmp.file("art");
  auto dir = ArtifactDir::open(f.pg.url(), artifacts);
  ASSERT_TRUE(dir.ok()) << dir.error();
  ProfileOptions options;
  options.max_tables = 1;
  options.jobs = 1;
  auto first = profile_database(*dir, options);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->tables_profiled, 1u);
  EXPECT_EQ(first->tables_left, 2u);
  EXPECT_FALSE(first->catalog.profile.complete);
  EXPECT_FALSE(load_current_catalog(*dir, {}).has_value());
  auto rest = profile_database(*dir, {});
  ASSERT_TRUE(rest.ok()) << rest.error();
  EXPECT_EQ(rest->tables_resumed, 1u);
  EXPECT_EQ(rest->tables_profiled, 2u);
  EXPECT_TRUE(rest->catalog.profile.complete);
  EXPECT_TRUE(load_current_catalog(*dir, {}).has_value());
}

TEST(ServerProfile, PostgresFingerprintFollowsTheDataAndIsStableOtherwise) {
  AG_REQUIRE_POSTGRES();
  ServerFixture f;
  ArtifactOptions artifacts;
  artifacts.root = f.tmp.file("art");
  auto first = ArtifactDir::open(f.pg.url(), artifacts);
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_TRUE(profile_database(*first).ok());
  auto same = ArtifactDir::open(f.pg.url(), artifacts);
  ASSERT_TRUE(same.ok()) << same.error();
  EXPECT_EQ(same->fingerprint(), first->fingerprint()) << "reading must not change the fingerprint";
  EXPECT_EQ(same->dir(), first->dir());
  EXPECT_TRUE(load_current_catalog(*same, {}).has_value());

  // A write the statistics system reports changes it (and a new directory replaces the old).
  auto changed_after = [&](const std::string& sql) {
    std::string before = ArtifactDir::open(f.pg.url(), artifacts)->fingerprint();
    f.pg.admin().exec(sql);
    f.pg.admin().exec("SELECT pg_stat_force_next_flush()");
    for (int i = 0; i < 100; ++i) {
      auto now = ArtifactDir::open(f.pg.url(), artifacts);
      if (now.ok() && now->fingerprint() != before) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  EXPECT_TRUE(changed_after("UPDATE people SET name = 'Ann B' WHERE id = 1"));
  EXPECT_FALSE(fs::exists(first->dir())) << "the earlier version's artifacts are removed";
  EXPECT_TRUE(changed_after("INSERT INTO team VALUES (5, 'Plum')"));
  EXPECT_TRUE(changed_after("TRUNCATE club"));
  EXPECT_TRUE(changed_after("ALTER TABLE team ADD COLUMN motto text"));

  // The rebuilt profile sees the new data; --force rebuilds even when it is current.
  auto now = ArtifactDir::open(f.pg.url(), artifacts);
  ASSERT_TRUE(now.ok());
  EXPECT_FALSE(load_current_catalog(*now, {}).has_value());
  auto rebuilt = profiled_catalog(f.pg.url(), artifacts);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error();
  EXPECT_EQ(rebuilt->find_table("club")->profile.rows_read, 0);
  EXPECT_EQ(rebuilt->find_table("team")->find_column("id")->profile.distinct, 5);
  ArtifactOptions forced = artifacts;
  forced.force = true;
  auto emptied = ArtifactDir::open(f.pg.url(), forced);
  ASSERT_TRUE(emptied.ok());
  EXPECT_FALSE(emptied->has(kCatalogFile));
}

TEST(ServerProfile, PasswordsNeverReachArtifactsOrMessages) {
  AG_REQUIRE_POSTGRES();
  ServerFixture f;
  f.pg.server().exec(
      "DO $$ BEGIN CREATE ROLE askguru_pw LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
      "ALTER ROLE askguru_pw PASSWORD 'Right-Pw-1234';");
  f.pg.admin().exec("GRANT SELECT ON ALL TABLES IN SCHEMA public TO askguru_pw");
  std::string url = f.pg.url();
  size_t authority = url.find("://") + 3;
  size_t at = url.find('@', authority);
  std::string host = url.substr(at == std::string::npos ? authority : at + 1);
  std::string with_password = url.substr(0, authority) + "askguru_pw:Right-Pw-1234@" + host;
  std::string wrong = url.substr(0, authority) + "askguru_pw:Wrong-Pw-5678@" + host;

  ArtifactOptions artifacts;
  artifacts.root = f.tmp.file("art");
  auto refused = ArtifactDir::open(wrong, artifacts);
  if (refused.ok()) GTEST_SKIP() << "this server does not ask askguru_pw for a password";
  EXPECT_EQ(refused.error().find("Wrong-Pw-5678"), std::string::npos) << refused.error();

  index::ArtifactOptions index_artifacts;
  index_artifacts.root = artifacts.root;
  auto built = index::DatabaseArtifacts::open(with_password, index_artifacts);
  ASSERT_TRUE(built.ok()) << built.error();
  EXPECT_TRUE(built->values().contains("Chloé"));
  EXPECT_EQ(built->dir().find("Right-Pw-1234"), std::string::npos);
  std::string everything = all_files(artifacts.root);
  EXPECT_NE(everything.find("askguru_pw@"), std::string::npos) << "source.json names the address without the password";
  EXPECT_EQ(everything.find("Right-Pw-1234"), std::string::npos);
}

TEST(ServerProfile, OdbcGivesTheSqliteStatisticsAndFollowsChanges) {
  if (!fs::exists(kSqliteOdbcDriver)) GTEST_SKIP() << "the SQLite ODBC driver (libsqliteodbc) is not installed";
  TempDir tmp;
  std::string file = tmp.file("people.sqlite");
  write_profile_database(file);
  std::string odbc = std::string("odbc:Driver=") + kSqliteOdbcDriver + ";Database=" + file + ";PWD=Odbc-Secret-99";
  ProfileOptions options;
  options.deny = {"people.secret"};
  auto lite = profile_of(file, tmp.file("art"), options);
  ASSERT_TRUE(lite.ok()) << lite.error();
  ArtifactOptions artifacts;
  artifacts.root = tmp.file("art");
  auto dir = ArtifactDir::open(odbc, artifacts);
  ASSERT_TRUE(dir.ok()) << dir.error();
  EXPECT_TRUE(dir->is_server());
  EXPECT_EQ(dir->db_id(), "people");
  auto run = profile_database(*dir, options);
  ASSERT_TRUE(run.ok()) << run.error();
  for (const char* table : {"people", "team", "club"}) expect_same_profile(*lite, run->catalog, table);

  index::ArtifactOptions index_artifacts;
  index_artifacts.root = artifacts.root;
  index_artifacts.deny = {"people.secret"};
  auto built = index::DatabaseArtifacts::open(odbc, index_artifacts);
  ASSERT_TRUE(built.ok()) << built.error();
  EXPECT_TRUE(built->values().contains("Chloé"));
  EXPECT_FALSE(built->values().contains("TOPSECRET-3"));
  EXPECT_EQ(all_files(artifacts.root).find("Odbc-Secret-99"), std::string::npos);

  // Row counts are in the fingerprint: an insert gives a new directory.
  write_database(file, "INSERT INTO team VALUES (5, 'Plum');");
  auto after = ArtifactDir::open(odbc, artifacts);
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_NE(after->fingerprint(), dir->fingerprint());
}

TEST(ServerProfile, PostgresThroughOdbcMatchesLibpqAndFollowsWrites) {
  AG_REQUIRE_POSTGRES();
  constexpr const char* kPostgresOdbcDriver = "/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so";
  if (!fs::exists(kPostgresOdbcDriver)) GTEST_SKIP() << "the PostgreSQL ODBC driver (odbc-postgresql) is not installed";
  ServerFixture f;
  // odbc:Driver=...;Server=host;Port=port;Database=db;UID=user from the test server's URL.
  std::string rest = f.pg.url().substr(f.pg.url().find("://") + 3);
  std::string user = rest.substr(0, rest.find('@'));
  rest = rest.substr(rest.find('@') + 1);
  std::string hostport = rest.substr(0, rest.find('/'));
  std::string host = hostport.substr(0, hostport.find(':'));
  std::string port = hostport.find(':') == std::string::npos ? "5432" : hostport.substr(hostport.find(':') + 1);
  std::string odbc = std::string("odbc:Driver=") + kPostgresOdbcDriver + ";Server=" + host + ";Port=" + port +
                     ";Database=" + f.pg.name() + ";UID=" + user;
  auto native = profile_of(f.pg.url(), f.tmp.file("art"));
  ASSERT_TRUE(native.ok()) << native.error();
  ArtifactOptions artifacts;
  artifacts.root = f.tmp.file("art");
  auto dir = ArtifactDir::open(odbc, artifacts);
  ASSERT_TRUE(dir.ok()) << dir.error();
  EXPECT_EQ(dir->db_id(), f.pg.name());
  auto run = profile_database(*dir);
  ASSERT_TRUE(run.ok()) << run.error();
  for (const char* table : {"people", "team", "club"}) expect_same_profile(*native, run->catalog, table);
  auto again = ArtifactDir::open(odbc, artifacts);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->fingerprint(), dir->fingerprint());
  f.pg.admin().exec("UPDATE people SET zip = '02135' WHERE id = 1");
  f.pg.admin().exec("SELECT pg_stat_force_next_flush()");
  bool changed = false;
  for (int i = 0; i < 100 && !changed; ++i) {
    auto now = ArtifactDir::open(odbc, artifacts);
    changed = now.ok() && now->fingerprint() != dir->fingerprint();
    if (!changed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(changed) << "an UPDATE that keeps the row counts changes the fingerprint through ODBC too";
}

// ---------------------------------------------------------------- evaluation on a server

struct EvalCase {
  std::string gold;
  std::string pred;
};

TEST(ServerEval, DbIdTemplateGivesTheSqliteExecutionAccuracy) {
  AG_REQUIRE_POSTGRES();
  ServerFixture f;
  // <root>/<db_id>/<db_id>.sqlite for --db-root; the server database of the same name.
  const std::string id = f.pg.name();
  fs::create_directories(f.tmp.path() / "root" / id);
  fs::copy_file(f.sqlite, f.tmp.path() / "root" / id / (id + ".sqlite"));
  // SQLite-dialect gold and predictions: case-insensitive LIKE, double-quoted strings,
  // bare columns beside an aggregate, integer division; right and wrong answers.
  const std::vector<EvalCase> cases = {
      {"SELECT name FROM people WHERE name LIKE 'ann'", "SELECT name FROM people WHERE id IN (1, 3)"},     // right
      {"SELECT count(*) FROM people WHERE active = 1", "SELECT count(*) FROM people"},                    // wrong
      {"SELECT T2.name FROM club AS T1 JOIN people AS T2 ON T1.person_id = T2.id WHERE T1.role = \"chair\"",
       "SELECT name FROM people WHERE id = 1"},                                                           // right
      {"SELECT team_id, count(*) FROM people GROUP BY team_id", "SELECT team_id, count(*) FROM people GROUP BY team_id"},
      {"SELECT name, max(score) FROM people", "SELECT name, score FROM people ORDER BY score DESC LIMIT 1"},  // right
      {"SELECT sum(score) / count(*) FROM people", "SELECT avg(score) FROM people"},                       // right
      {"SELECT 7 / 2 FROM team WHERE id = 1", "SELECT 3.5 FROM team WHERE id = 1"},                         // wrong
      {"SELECT name FROM team ORDER BY name", "SELECT name FROM team ORDER BY name DESC"},  // wrong in spider-ex
  };
  nlohmann::json dataset = nlohmann::json::array();
  std::string predictions;
  for (const auto& c : cases) {
    dataset.push_back({{"db_id", id}, {"question", "q"}, {"query", c.gold}});
    predictions += c.pred + "\n";
  }
  ASSERT_TRUE(files::write_file(f.tmp.file("dev.json"), dataset.dump()).ok());
  ASSERT_TRUE(files::write_file(f.tmp.file("pred.sql"), predictions).ok());

  for (auto metric : {eval::Metric::kSpiderEx, eval::Metric::kBirdEx}) {
    eval::EvalOptions options;
    options.metric = metric;
    options.use_cache = false;
    options.quiet = true;
    options.db_root = (f.tmp.path() / "root").string();
    auto lite = eval::evaluate_files(f.tmp.file("dev.json"), f.tmp.file("pred.sql"), options);
    ASSERT_TRUE(lite.ok()) << lite.error();
    options.db_root.clear();
    options.db_url = askguru::testing::with_database(askguru::testing::postgres_admin_url(), "{db_id}");
    options.pred_dialect = Dialect::kSqlite;
    auto server = eval::evaluate_files(f.tmp.file("dev.json"), f.tmp.file("pred.sql"), options);
    ASSERT_TRUE(server.ok()) << server.error();
    ASSERT_EQ(server->items.size(), cases.size());
    EXPECT_EQ(server->stats.translated_gold, cases.size());
    size_t lite_correct = 0, server_correct = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      lite_correct += lite->items[i].correct;
      server_correct += server->items[i].correct;
      EXPECT_EQ(lite->items[i].correct, server->items[i].correct)
          << eval::metric_name(metric) << " item " << i << ": " << cases[i].gold << " | "
          << (server->items[i].error ? *server->items[i].error : std::string());
      EXPECT_FALSE(server->items[i].error.has_value()) << *server->items[i].error;
    }
    // bird-ex compares sets: the reversed ORDER BY is right there.
    EXPECT_EQ(lite_correct, metric == eval::Metric::kSpiderEx ? 5u : 6u) << eval::metric_name(metric);
    EXPECT_EQ(server_correct, lite_correct) << eval::metric_name(metric);
  }
}

}  // namespace
}  // namespace askguru::profile
