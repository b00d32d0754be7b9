// Column index (retrieval order, hybrid scoring, value boosts, persistence round
// trip), example store (masking, skeletons, diversity, same database first,
// exclusion, persistence) and DatabaseArtifacts (build, reuse, rebuild when the
// database changes).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "askguru/db/connection.h"
#include "askguru/index/column_index.h"
#include "askguru/index/example_store.h"
#include "askguru/index/remote_embedder.h"
#include "askguru/index/retriever.h"
#include "askguru/llm/scripted_server.h"
#include "askguru/index/value_index.h"
#include "unit/index/index_fixture.h"

namespace askguru::index {
namespace {

using askguru::testing::TempDir;

catalog::Catalog club_catalog(const std::string& path) {
  auto conn = db::open_connection(path);
  EXPECT_TRUE(conn.ok()) << conn.error();
  auto catalog = (*conn)->introspect();
  EXPECT_TRUE(catalog.ok()) << catalog.error();
  return *catalog;
}

size_t rank_of(const std::vector<ColumnHit>& hits, const std::string& table, const std::string& column) {
  for (size_t i = 0; i < hits.size(); ++i) {
    if (hits[i].table == table && hits[i].column == column) return i;
  }
  return hits.size();
}

class ColumnIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("club.sqlite");
    askguru::testing::write_club_database(path_);
    catalog_ = club_catalog(path_);
  }
  TempDir dir_;
  std::string path_;
  catalog::Catalog catalog_;
};

TEST_F(ColumnIndexTest, DocumentsDescribeColumns) {
  auto docs = column_documents(catalog_);
  ASSERT_EQ(docs.size(), 4u + 7u + 5u);
  const ColumnDocument* first_name = nullptr;
  for (const auto& d : docs) {
    if (d.table == "member" && d.column == "first_name") first_name = &d;
  }
  ASSERT_NE(first_name, nullptr);
  EXPECT_NE(first_name->text.find("first name"), std::string::npos) << first_name->text;
  EXPECT_NE(first_name->text.find("member"), std::string::npos);
  EXPECT_NE(first_name->text.find("values:"), std::string::npos);
  for (const auto& d : docs) {
    if (d.column == "member_id" || d.column == "link_to_major") {
      EXPECT_TRUE(d.key) << d.column;
    }
    if (d.column == "first_name") {
      EXPECT_FALSE(d.key);
    }
  }
}

TEST_F(ColumnIndexTest, DeniedColumnsAreNeitherDocumentsNorNamedByTables) {
  ColumnIndexOptions options;
  options.excluded_columns = {"MEMBER.Email", "event.*"};
  catalog_.profile.deny = {"major.college"};  // as the profiler records --deny
  auto index = ColumnIndex::build(catalog_, options);
  ASSERT_TRUE(index.ok()) << index.error();
  for (const auto& d : index->documents()) {
    EXPECT_FALSE(d.table == "member" && d.column == "email");
    EXPECT_FALSE(d.table == "major" && d.column == "college");
    EXPECT_NE(d.table, "event");
  }
  std::set<std::string> tables;
  for (const auto& t : index->tables()) {
    tables.insert(t.table);
    EXPECT_EQ(t.text.find("email"), std::string::npos) << t.text;
    EXPECT_EQ(t.text.find("college"), std::string::npos) << t.text;
    if (t.table == "member") {
      EXPECT_NE(t.text.find("first name"), std::string::npos) << t.text;
    }
  }
  EXPECT_EQ(tables, (std::set<std::string>{"major", "member"}));  // event is denied as a whole
  auto hits = index->search("What is the email of the member and the college of the major?");
  ASSERT_TRUE(hits.ok()) << hits.error();
  for (const auto& h : *hits) EXPECT_FALSE(h.column == "email" || h.column == "college" || h.table == "event");
}

TEST_F(ColumnIndexTest, RetrievalOrder) {
  auto index = ColumnIndex::build(catalog_);
  ASSERT_TRUE(index.ok()) << index.error();
  auto hits = index->search("What is the first name of the member who is the president?");
  ASSERT_TRUE(hits.ok()) << hits.error();
  ASSERT_EQ(hits->size(), 10u);
  EXPECT_LT(rank_of(*hits, "member", "first_name"), 3u);
  EXPECT_LT(rank_of(*hits, "member", "position"), 10u);
  for (size_t i = 1; i < hits->size(); ++i) EXPECT_GE((*hits)[i - 1].score, (*hits)[i].score);

  auto events = index->search("List the dates of all events of type game");
  ASSERT_TRUE(events.ok());
  EXPECT_LT(rank_of(*events, "event", "event_date"), 3u);
  EXPECT_LT(rank_of(*events, "event", "type"), 3u);

  auto tables = index->search_tables("Which college does the major belong to?", "", 3);
  ASSERT_TRUE(tables.ok());
  ASSERT_FALSE(tables->empty());
  EXPECT_EQ((*tables)[0].table, "major");
}

TEST_F(ColumnIndexTest, ValueHitsBoostTheirColumns) {
  auto index = ColumnIndex::build(catalog_);
  ASSERT_TRUE(index.ok());
  ColumnQueryOptions q;
  q.top_k = 16;
  auto plain = index->search("Is Cullen here?", "", q);
  std::vector<ValueHit> values = {{"member", "last_name", "Cullen", 1.0, "Cullen"}};
  q.value_hits = &values;
  auto boosted = index->search("Is Cullen here?", "", q);
  ASSERT_TRUE(plain.ok() && boosted.ok());
  EXPECT_EQ(rank_of(*boosted, "member", "last_name"), 0u);
  EXPECT_GT(rank_of(*plain, "member", "last_name"), 0u);
}

TEST_F(ColumnIndexTest, PersistenceRoundTrip) {
  auto index = ColumnIndex::build(catalog_);
  ASSERT_TRUE(index.ok());
  const std::string dir = dir_.file("cols");
  ASSERT_TRUE(index->save(dir).ok());
  auto loaded = ColumnIndex::load(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->embedder_name(), index->embedder_name());
  ASSERT_EQ(loaded->documents().size(), index->documents().size());
  for (const char* question : {"college of each major", "members' email addresses", "notes of the yearly kickoff"}) {
    auto a = index->search(question);
    auto b = loaded->search(question);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->size(), b->size());
    for (size_t i = 0; i < a->size(); ++i) {
      EXPECT_EQ((*a)[i].table + "." + (*a)[i].column, (*b)[i].table + "." + (*b)[i].column);
      EXPECT_NEAR((*a)[i].score, (*b)[i].score, 1e-6);
    }
  }
  std::filesystem::remove(std::filesystem::path(dir) / "columns.faiss");
  EXPECT_FALSE(ColumnIndex::load(dir).ok());
}

TEST(ColumnIndexJoins, JoinKeysOfRelevantTablesRankHigh) {
  TempDir dir;
  const std::string path = dir.file("school.sqlite");
  askguru::testing::write_database(path, R"sql(
CREATE TABLE student (stuid INTEGER PRIMARY KEY, fname TEXT, lname TEXT, age INTEGER, city_code TEXT);
CREATE TABLE activity (actid INTEGER PRIMARY KEY, activity_name TEXT);
CREATE TABLE participates_in (stuid INTEGER REFERENCES student(stuid), actid INTEGER REFERENCES activity(actid));
CREATE TABLE faculty (facid INTEGER PRIMARY KEY, rank TEXT, building TEXT, phone TEXT, room TEXT, sex TEXT);
CREATE TABLE advises (facid INTEGER, advisee INTEGER);
)sql");
  auto catalog = club_catalog(path);
  auto index = ColumnIndex::build(catalog);
  ASSERT_TRUE(index.ok());
  // Declared keys, and the undeclared advises.facid -> faculty.facid by name.
  EXPECT_EQ(index->joins().size(), 3u);
  ColumnQueryOptions q;
  q.top_k = 6;
  auto hits = index->search("What are the first names of students who take part in the chess activity?", "", q);
  ASSERT_TRUE(hits.ok());
  EXPECT_LT(rank_of(*hits, "student", "fname"), 6u);
  EXPECT_LT(rank_of(*hits, "activity", "activity_name"), 6u);
  // The bridge table's keys come with the two tables it joins.
  EXPECT_LT(rank_of(*hits, "participates_in", "stuid"), 6u);
  EXPECT_LT(rank_of(*hits, "participates_in", "actid"), 6u);
  q.join_weight = 0;
  auto plain = index->search("What are the first names of students who take part in the chess activity?", "", q);
  ASSERT_TRUE(plain.ok());
  EXPECT_GT(rank_of(*plain, "participates_in", "stuid") + rank_of(*plain, "participates_in", "actid"),
            rank_of(*hits, "participates_in", "stuid") + rank_of(*hits, "participates_in", "actid"));
  // Abbreviated names are spelled out: "fname" answers "first name".
  auto first = index->search("first name of each student");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(rank_of(*first, "student", "fname"), 0u);
}

TEST(ColumnIndexRanking, DatabaseAbbreviationsAndRepeatedNames) {
  TempDir dir;
  const std::string path = dir.file("weather.sqlite");
  askguru::testing::write_database(path, R"sql(
CREATE TABLE city (city_id INTEGER PRIMARY KEY, city TEXT, dept_code TEXT);
CREATE TABLE temperature (city_id INTEGER REFERENCES city(city_id), jan REAL, feb REAL, mar REAL, apr REAL,
  jun REAL, jul REAL, aug REAL, sep REAL, oct REAL, nov REAL, dec REAL);
CREATE TABLE department (dept_code TEXT PRIMARY KEY, dept_name TEXT);
CREATE TABLE professor (prof_id INTEGER PRIMARY KEY, dept_code TEXT REFERENCES department(dept_code));
CREATE TABLE course (crs_code TEXT PRIMARY KEY, dept_code TEXT REFERENCES department(dept_code), crs_credit INTEGER);
CREATE TABLE student (stu_num INTEGER PRIMARY KEY, dept_code TEXT REFERENCES department(dept_code), stu_gpa REAL);
)sql");
  auto catalog = club_catalog(path);
  auto index = ColumnIndex::build(catalog);
  ASSERT_TRUE(index.ok());
  // "feb" is the database's own abbreviation of "February": it outranks the other months.
  auto months = index->search("Which city has the highest temperature in February?");
  ASSERT_TRUE(months.ok());
  EXPECT_LT(rank_of(*months, "temperature", "feb"), rank_of(*months, "temperature", "jan"));
  EXPECT_LT(rank_of(*months, "temperature", "feb"), 4u);
  // dept_code is in five tables: at most three of them stay among the first columns.
  ColumnQueryOptions q;
  q.top_k = 6;
  auto codes = index->search("department code of each department, course, professor, student and city", "", q);
  ASSERT_TRUE(codes.ok());
  size_t dept_codes = 0;
  for (const ColumnHit& h : *codes) dept_codes += h.column == "dept_code";
  EXPECT_LE(dept_codes, 3u);
  q.same_name_keep = 0;
  auto unlimited = index->search("department code of each department, course, professor, student and city", "", q);
  ASSERT_TRUE(unlimited.ok());
  size_t all_codes = 0;
  for (const ColumnHit& h : *unlimited) all_codes += h.column == "dept_code";
  EXPECT_GT(all_codes, 3u);
}

TEST_F(ColumnIndexTest, LargeSchemasGoTableFirst) {
  auto index = ColumnIndex::build(catalog_);
  ASSERT_TRUE(index.ok());
  ColumnQueryOptions q;
  q.table_first_columns = 1;  // treat the club as "large"
  q.top_tables = 1;
  q.top_k = 20;
  auto hits = index->search("Which college is the major Business in?", "", q);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 4u);  // only the best table's columns
  for (const auto& h : *hits) EXPECT_EQ(h.table, "major");
}

TEST(MaskQuestion, MasksValuesAndEntities) {
  EXPECT_EQ(mask_question("How many singers are older than 40?"), "How many singers are older than [NUM]?");
  EXPECT_EQ(mask_question("Show the name of the member 'Angela Sanders'."), "Show the name of the member [STR].");
  EXPECT_EQ(mask_question("Which students live in New York City and were born after 1990?"),
            "Which students live in [ENT] and were born after [NUM]?");
  EXPECT_EQ(mask_question("What is the budget of the University of Michigan in 2019?"),
            "What is the budget of the [ENT] in [NUM]?");
  EXPECT_EQ(mask_question("Find 3.5 or 1,000 people."), "Find [NUM] or [NUM] people.");
  // A capitalised first word is just the start of the sentence.
  EXPECT_EQ(mask_question("List all singers."), "List all singers.");
}

TEST(MaskQuestion, MasksStoredValues) {
  TempDir dir;
  const std::string path = dir.file("club.sqlite");
  askguru::testing::write_club_database(path);
  auto conn = db::open_connection(path);
  ASSERT_TRUE(conn.ok());
  auto catalog = (*conn)->introspect();
  ASSERT_TRUE(catalog.ok());
  auto values = ValueIndex::build(**conn, *catalog);
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(mask_question("How many events of type social are there?", &*values),
            "How many events of type [VAL] are there?");
  EXPECT_EQ(mask_question("Which members are in the school of law?", &*values), "Which members are in the [VAL]?");
  EXPECT_EQ(mask_question("How many events of type social are there?"), "How many events of type social are there?");
}

TEST(SqlSkeleton, MasksIdentifiersAndLiterals) {
  EXPECT_EQ(sql_skeleton("SELECT count(*) FROM singer WHERE age > 40"), sql_skeleton("select COUNT(*) from concert where year > 2014"));
  EXPECT_EQ(sql_skeleton("SELECT count(*) FROM singer WHERE age > 40"), "SELECT COUNT(*) FROM _ WHERE _ > ?");
  EXPECT_EQ(sql_skeleton("SELECT T1.name FROM a AS T1 WHERE T1.x = 'y'"), sql_skeleton("select b.z from c as b where b.w = 'v'"));
  EXPECT_FALSE(sql_skeleton("SELEKT garbage 'x' 42").empty());
  EXPECT_NE(sql_skeleton("SELECT name FROM singer ORDER BY age DESC LIMIT 1"), sql_skeleton("SELECT name FROM singer"));
}

std::vector<ExamplePair> pairs() {
  return {
      {"concert_singer", "How many singers are there?", "", "SELECT count(*) FROM singer"},
      {"concert_singer", "How many singers do we have?", "", "SELECT count(*) FROM singer"},
      {"concert_singer", "What is the total number of singers?", "", "SELECT count(*) FROM singer"},
      {"concert_singer", "How many singers are older than 40?", "", "SELECT count(*) FROM singer WHERE age > 40"},
      {"concert_singer", "Show the names of singers ordered by age.", "", "SELECT name FROM singer ORDER BY age"},
      {"pets", "How many pets are there?", "", "SELECT count(*) FROM pets"},
      {"pets", "How many pets are older than 3?", "", "SELECT count(*) FROM pets WHERE pet_age > 3"},
      {"pets", "How many dogs are owned by Smith?", "", "SELECT count(*) FROM pets WHERE owner = 'Smith'"},
  };
}

TEST(ExampleStore, SameDatabaseFirstWithDiverseSkeletons) {
  auto store = ExampleStore::build(pairs());
  ASSERT_TRUE(store.ok()) << store.error();
  EXPECT_EQ(store->size(), 8u);
  EXPECT_EQ(store->at(3).masked, "How many singers are older than [NUM]?");
  ExampleQuery q;
  q.db_id = "concert_singer";
  q.top_k = 3;
  auto hits = store->search("How many singers are older than 25?", q);
  ASSERT_TRUE(hits.ok()) << hits.error();
  ASSERT_EQ(hits->size(), 3u);
  EXPECT_EQ((*hits)[0].example.question, "How many singers are older than 40?");
  EXPECT_NEAR((*hits)[0].score, 1.0, 1e-5);  // the same masked question
  EXPECT_TRUE((*hits)[0].same_db);
  // Diverse: the three "count singers" examples share a skeleton; only one is taken.
  std::set<std::string> skeletons;
  for (const auto& h : *hits) skeletons.insert(h.example.skeleton);
  EXPECT_EQ(skeletons.size(), 3u);

  q.diverse = false;
  auto plain = store->search("How many singers are older than 25?", q);
  ASSERT_TRUE(plain.ok());
  std::set<std::string> plain_skeletons;
  for (const auto& h : *plain) plain_skeletons.insert(h.example.skeleton);
  EXPECT_LT(plain_skeletons.size(), 3u);
}

TEST(ExampleStore, OtherDatabasesFillIn) {
  auto store = ExampleStore::build(pairs());
  ASSERT_TRUE(store.ok());
  ExampleQuery q;
  q.db_id = "pets";
  q.top_k = 5;
  auto hits = store->search("How many pets are older than 7?", q);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 5u);
  EXPECT_TRUE((*hits)[0].same_db);
  EXPECT_EQ((*hits)[0].example.question, "How many pets are older than 3?");
  bool seen_other = false;
  for (const auto& h : *hits) {
    if (!h.same_db) seen_other = true;
    if (seen_other) {
      EXPECT_FALSE(h.same_db) << "same-database examples come first";
    }
  }
  EXPECT_TRUE(seen_other);
}

TEST(ExampleStore, ExcludesTheAskedQuestion) {
  auto store = ExampleStore::build(pairs());
  ASSERT_TRUE(store.ok());
  ExampleQuery q;
  q.db_id = "concert_singer";
  q.top_k = 8;
  q.exclude_question = "how many singers are older than 40? ";
  auto hits = store->search("How many singers are older than 40?", q);
  ASSERT_TRUE(hits.ok());
  for (const auto& h : *hits) EXPECT_NE(h.example.question, "How many singers are older than 40?");
  EXPECT_EQ(hits->size(), 7u);
}

TEST(ExampleStore, PersistenceRoundTrip) {
  TempDir dir;
  auto store = ExampleStore::build(pairs());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->save(dir.file("ex")).ok());
  auto loaded = ExampleStore::load(dir.file("ex"));
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), store->size());
  EXPECT_EQ(loaded->at(7).sql, store->at(7).sql);
  EXPECT_EQ(loaded->at(7).skeleton, store->at(7).skeleton);
  ExampleQuery q;
  q.db_id = "pets";
  auto a = store->search("How many cats are owned by Jones?", q);
  auto b = loaded->search("How many cats are owned by Jones?", q);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  for (size_t i = 0; i < a->size(); ++i) EXPECT_EQ((*a)[i].id, (*b)[i].id);
  EXPECT_EQ((*a)[0].example.sql, "SELECT count(*) FROM pets WHERE owner = 'Smith'");
}

TEST(DatabaseArtifacts, BuildReuseAndRebuildWhenTheDatabaseChanges) {
  TempDir dir;
  const std::string path = dir.file("club.sqlite");
  askguru::testing::write_club_database(path);
  ArtifactOptions o;
  o.root = dir.file("artifacts");
  auto first = DatabaseArtifacts::open(path, o);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_TRUE(first->stats().built);
  EXPECT_GT(first->stats().bytes, 0u);
  EXPECT_EQ(first->catalog().tables.size(), 3u);
  for (const char* f : {"catalog.json", "retrieval.json", "values.bin", "columns.bin", "columns.faiss"}) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(first->dir()) / f)) << f;
  }
  RetrievalQuery q;
  q.question = "What is the major of Angela Sanders?";
  auto r = first->retrieve(q);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_FALSE(r->values.empty());
  EXPECT_EQ(r->values[0].value == "Angela" || r->values[0].value == "Sanders", true) << r->values[0].value;
  EXPECT_LT(rank_of(r->columns, "member", "first_name"), 5u);

  auto second = DatabaseArtifacts::open(path, o);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->stats().built);
  EXPECT_EQ(second->dir(), first->dir());
  auto r2 = second->retrieve(q);
  ASSERT_TRUE(r2.ok());
  ASSERT_EQ(r2->values.size(), r->values.size());
  EXPECT_EQ(r2->values[0].value, r->values[0].value);

  // Change the database: a new fingerprint, a fresh build that sees the new value.
  askguru::testing::write_database(path, "INSERT INTO member VALUES ('m9', 'Zebulon', 'Quartermaine', 'z@example.com', 'Member', 'rec2', 1000);");
  auto third = DatabaseArtifacts::open(path, o);
  ASSERT_TRUE(third.ok()) << third.error();
  EXPECT_TRUE(third->stats().built);
  EXPECT_NE(third->dir(), first->dir());
  EXPECT_TRUE(third->values().contains("Quartermaine"));
  EXPECT_FALSE(first->values().contains("Quartermaine"));

  // force rebuilds in place; build_missing=false refuses to build.
  o.force = true;
  auto forced = DatabaseArtifacts::open(path, o);
  ASSERT_TRUE(forced.ok());
  EXPECT_TRUE(forced->stats().built);
  EXPECT_EQ(forced->dir(), third->dir());
  ArtifactOptions strict;
  strict.root = dir.file("elsewhere");
  strict.build_missing = false;
  EXPECT_FALSE(DatabaseArtifacts::open(path, strict).ok());
}

TEST(DatabaseArtifacts, DeniedColumnsAreNotIndexed) {
  TempDir dir;
  const std::string path = dir.file("club.sqlite");
  askguru::testing::write_club_database(path);
  ArtifactOptions o;
  o.root = dir.file("artifacts");
  o.deny = {"member.email"};
  auto artifacts = DatabaseArtifacts::open(path, o);
  ASSERT_TRUE(artifacts.ok()) << artifacts.error();
  for (const auto& t : artifacts->columns().tables()) EXPECT_EQ(t.text.find("email"), std::string::npos) << t.text;
  for (const auto& d : artifacts->columns().documents()) EXPECT_NE(d.column, "email");
  EXPECT_FALSE(artifacts->values().contains("angela@example.com"));

  // A policy's denials (the allow predicate) count the same, and another policy rebuilds.
  ArtifactOptions p;
  p.root = o.root;
  p.allow = [](std::string_view table, std::string_view column) { return !(table == "major" && column == "college"); };
  auto policed = DatabaseArtifacts::open(path, p);
  ASSERT_TRUE(policed.ok()) << policed.error();
  EXPECT_TRUE(policed->stats().built);
  for (const auto& t : policed->columns().tables()) EXPECT_EQ(t.text.find("college"), std::string::npos) << t.text;
  for (const auto& d : policed->columns().documents()) EXPECT_NE(d.column, "college");
  EXPECT_FALSE(policed->values().contains("Harvard University"));
  EXPECT_TRUE(policed->values().contains("angela@example.com"));  // only the policy's column is gone
  auto again = DatabaseArtifacts::open(path, p);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->stats().built);
  p.allow = [](std::string_view table, std::string_view column) { return !(table == "member" && column == "email"); };
  auto other = DatabaseArtifacts::open(path, p);  // another policy: rebuilt
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->stats().built);
  EXPECT_TRUE(other->values().contains("Harvard University"));
  EXPECT_FALSE(other->values().contains("angela@example.com"));
  p.allow = [](std::string_view, std::string_view) { return true; };  // denies nothing here: as no policy
  auto none = DatabaseArtifacts::open(path, p);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->stats().built);
  ArtifactOptions plain;
  plain.root = o.root;
  auto reused = DatabaseArtifacts::open(path, plain);
  ASSERT_TRUE(reused.ok());
  EXPECT_FALSE(reused->stats().built);  // the same columns denied (none): no flip-flop between commands
}

TEST(DatabaseArtifacts, EmbeddersAreNeverMixed) {
  auto server = llm::ScriptedServer::start_yaml("embedding_dim: 16\n");
  ASSERT_TRUE(server.ok()) << server.error();
  auto remote = [&](const std::string& model) -> std::shared_ptr<const Embedder> {
    RemoteEmbedderOptions o;
    o.endpoint.name = "emb";
    o.endpoint.base_url = (*server)->base_url();
    o.endpoint.model = model;
    o.endpoint.timeout_ms = 5000;
    o.endpoint.max_retries = 0;
    auto e = RemoteEmbedder::create(o);
    EXPECT_TRUE(e.ok()) << e.error();
    return e.ok() ? std::shared_ptr<const Embedder>(std::move(*e)) : nullptr;
  };
  TempDir dir;
  const std::string path = dir.file("club.sqlite");
  askguru::testing::write_club_database(path);
  ArtifactOptions o;
  o.root = dir.file("artifacts");
  o.embedder = remote("bge-a");
  ASSERT_TRUE(o.embedder);
  auto built = DatabaseArtifacts::open(path, o);
  ASSERT_TRUE(built.ok()) << built.error();
  EXPECT_TRUE(built->stats().built);
  EXPECT_EQ(built->columns().embedder_name(), o.embedder->name());
  EXPECT_EQ(built->columns().embedder_name().find("remote:bge-a@"), 0u) << built->columns().embedder_name();
  const size_t before = (*server)->request_count();
  RetrievalQuery q;
  q.question = "What is the email of Angela Sanders?";
  auto r = built->retrieve(q);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->columns.size(), 10u);
  EXPECT_GT((*server)->request_count(), before);  // the question was embedded remotely

  // The same embedder reuses the build; another one (or none) rebuilds the column index.
  auto again = DatabaseArtifacts::open(path, o);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_FALSE(again->stats().built);
  ArtifactOptions other = o;
  other.embedder = remote("bge-b");
  other.build_missing = false;
  auto refused = DatabaseArtifacts::open(path, other);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("remote:bge-a@"), std::string::npos) << refused.error();
  other.build_missing = true;
  auto rebuilt = DatabaseArtifacts::open(path, other);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error();
  EXPECT_TRUE(rebuilt->stats().built);
  EXPECT_EQ(rebuilt->columns().embedder_name(), other.embedder->name());
  ArtifactOptions lexical = o;
  lexical.embedder = nullptr;
  auto plain = DatabaseArtifacts::open(path, lexical);
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_TRUE(plain->stats().built);
  EXPECT_EQ(plain->columns().embedder_name().find("lexical-"), 0u) << plain->columns().embedder_name();
  auto plain_again = DatabaseArtifacts::open(path, lexical);
  ASSERT_TRUE(plain_again.ok());
  EXPECT_FALSE(plain_again->stats().built);
  // A lexical build does not load as a remote one.
  other.build_missing = false;
  EXPECT_FALSE(DatabaseArtifacts::open(path, other).ok());
}

TEST(ExampleStore, ExcludesEveryExampleWithTheAskedSql) {
  auto store = ExampleStore::build({{"db", "How many heads are older than 56?", "", "SELECT count(*) FROM head WHERE age > 56"},
                                    {"db", "Count the heads older than 56.", "", "select COUNT(*)  from head where age  >  56;"},
                                    {"db", "List the names of heads older than 56.", "", "SELECT name FROM head WHERE age > 56"},
                                    {"other", "How many heads are older than 56?", "", "SELECT count(*) FROM head WHERE age > 56"}});
  ASSERT_TRUE(store.ok()) << store.error();
  ExampleQuery q;
  q.db_id = "db";
  q.top_k = 8;
  q.diverse = false;
  q.exclude_question = "How many heads are older than 56?";
  q.exclude_sql = "SELECT count(*) FROM head WHERE age > 56";
  auto hits = store->search("How many heads are older than 56?", q);
  ASSERT_TRUE(hits.ok()) << hits.error();
  std::set<std::string> questions;
  for (const auto& h : *hits) questions.insert(h.example.db_id + ": " + h.example.question);
  // The paraphrase with the same SQL (other case, spaces, a semicolon) is gone; other
  // databases' examples are not the asked question's and stay.
  EXPECT_EQ(questions, (std::set<std::string>{"db: List the names of heads older than 56.",
                                              "other: How many heads are older than 56?"}));
}

TEST(DatabaseArtifacts, ColumnsOfSimilarExamplesRankHigher) {
  TempDir dir;
  const std::string path = dir.file("club.sqlite");
  askguru::testing::write_club_database(path);
  ArtifactOptions o;
  o.root = dir.file("artifacts");
  auto a = DatabaseArtifacts::open(path, o);
  ASSERT_TRUE(a.ok()) << a.error();
  auto store = ExampleStore::build(
      {{"club", "Who leads the club?", "", "SELECT T1.email FROM member AS T1 WHERE T1.position = 'President'"},
       {"club", "List the events of type Game.", "", "SELECT event_name FROM event WHERE type = 'Game'"}});
  ASSERT_TRUE(store.ok()) << store.error();
  RetrievalQuery q;
  q.question = "Who leads the club now?";
  q.columns_k = 16;
  auto plain = a->retrieve(q);  // no store yet
  ASSERT_TRUE(plain.ok()) << plain.error();
  a->use_examples(&*store);
  auto helped = a->retrieve(q);
  ASSERT_TRUE(helped.ok()) << helped.error();
  EXPECT_LT(rank_of(helped->columns, "member", "email"), rank_of(plain->columns, "member", "email"));
  EXPECT_LE(rank_of(helped->columns, "member", "position"), rank_of(plain->columns, "member", "position"));
  // With the example's SQL excluded (evaluation): as without the store.
  q.exclude_sql = "SELECT T1.email FROM member AS T1 WHERE T1.position = 'President'";
  auto excluded = a->retrieve(q);
  ASSERT_TRUE(excluded.ok());
  EXPECT_EQ(rank_of(excluded->columns, "member", "email"), rank_of(plain->columns, "member", "email"));
  a->use_examples(nullptr);
}

TEST(DatabaseArtifacts, AttachedExamplesAreRemembered) {
  TempDir dir;
  const std::string path = dir.file("club.sqlite");
  askguru::testing::write_club_database(path);
  ArtifactOptions o;
  o.root = dir.file("artifacts");
  auto store = ExampleStore::build({{"club", "How many members are there?", "", "SELECT count(*) FROM member"},
                                    {"club", "List the events of type Game.", "", "SELECT event_name FROM event WHERE type = 'Game'"}});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->save(dir.file("store")).ok());
  {
    auto a = DatabaseArtifacts::open(path, o);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->examples(), nullptr);
    ASSERT_TRUE(a->attach_examples(dir.file("store")).ok());
  }
  auto b = DatabaseArtifacts::open(path, o);
  ASSERT_TRUE(b.ok());
  ASSERT_NE(b->examples(), nullptr);
  RetrievalQuery q;
  q.question = "List the events of type Social.";
  auto r = b->retrieve(q);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->examples.empty());
  EXPECT_EQ(r->examples[0].example.sql, "SELECT event_name FROM event WHERE type = 'Game'");
  EXPECT_TRUE(r->examples[0].same_db);
}

}  // namespace
}  // namespace askguru::index
