#include "askguru/catalog/catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "askguru/catalog/catalog_json.h"
#include "askguru/catalog/csv.h"
#include "askguru/catalog/descriptions.h"
#include "askguru/catalog/render.h"
#include "askguru/db/connection.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::catalog {
namespace {

using askguru::testing::shared_data_dir;
using askguru::testing::TempDir;
using askguru::testing::write_database;

constexpr const char* kShopSchema =
    "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL, region VARCHAR(20));"
    "INSERT INTO customer VALUES (1, 'Ada', 'north'), (2, 'Bo', 'south'), (3, 'Cy', 'north'), (4, 'Di', NULL);"
    "CREATE TABLE orders (customer_id INTEGER NOT NULL, order_no INTEGER, placed TEXT,"
    "  PRIMARY KEY (order_no, customer_id), FOREIGN KEY (customer_id) REFERENCES customer(id));"
    "INSERT INTO orders VALUES (1, 10, '2024-01-02'), (1, 11, '2024-02-03'), (2, 10, '2024-03-04');"
    // The target columns are omitted: they are the target's primary key, in key order.
    "CREATE TABLE line (customer_id INTEGER, order_no INTEGER, line_no INTEGER, qty REAL, blob_col BLOB,"
    "  PRIMARY KEY (customer_id, order_no, line_no), FOREIGN KEY (order_no, customer_id) REFERENCES orders);"
    "INSERT INTO line VALUES (1, 10, 1, 2.5, x'00'), (1, 10, 2, 1.0, NULL);"
    "CREATE TABLE broken (x INTEGER REFERENCES nowhere(id), y);"
    "CREATE VIEW north_customers AS SELECT id, name FROM customer WHERE region = 'north';";

class IntrospectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("shop.sqlite");
    write_database(path_, kShopSchema);
  }

  Catalog introspect(const db::IntrospectOptions& options = {}) {
    auto connection = db::open_connection(path_);
    EXPECT_TRUE(connection.ok()) << connection.error();
    auto catalog = (*connection)->introspect(options);
    EXPECT_TRUE(catalog.ok()) << catalog.error();
    return catalog.ok() ? std::move(catalog).value() : Catalog();
  }

  TempDir dir_;
  std::string path_;
};

TEST_F(IntrospectTest, TablesColumnsAndKeys) {
  Catalog catalog = introspect();
  EXPECT_EQ(catalog.db_id, "shop");
  ASSERT_EQ(catalog.tables.size(), 5u);
  EXPECT_EQ(catalog.tables[0].name, "customer");
  EXPECT_EQ(catalog.tables[4].name, "north_customers");
  EXPECT_TRUE(catalog.tables[4].is_view);
  EXPECT_FALSE(catalog.tables[0].is_view);

  const Table* customer = catalog.find_table("CUSTOMER");
  ASSERT_NE(customer, nullptr);
  EXPECT_EQ(customer->primary_key, std::vector<std::string>{"id"});
  EXPECT_TRUE(customer->find_column("id")->primary_key);
  EXPECT_TRUE(customer->find_column("name")->not_null);
  EXPECT_EQ(customer->find_column("region")->type, "VARCHAR(20)");
  EXPECT_EQ(customer->row_count, 4);

  const Table* orders = catalog.find_table("orders");
  ASSERT_NE(orders, nullptr);
  // Key order, not column order.
  EXPECT_EQ(orders->primary_key, (std::vector<std::string>{"order_no", "customer_id"}));
  const Table* line = catalog.find_table("line");
  EXPECT_EQ(line->primary_key, (std::vector<std::string>{"customer_id", "order_no", "line_no"}));
  EXPECT_FALSE(line->find_column("qty")->primary_key);

  ASSERT_EQ(catalog.foreign_keys.size(), 2u);  // broken's FK to a missing table is dropped
  const ForeignKey& to_customer = catalog.foreign_keys[0];
  EXPECT_EQ(to_customer.from_table, "orders");
  EXPECT_EQ(to_customer.from_columns, std::vector<std::string>{"customer_id"});
  EXPECT_EQ(to_customer.to_table, "customer");
  EXPECT_EQ(to_customer.to_columns, std::vector<std::string>{"id"});
  const ForeignKey& to_orders = catalog.foreign_keys[1];
  EXPECT_EQ(to_orders.from_table, "line");
  EXPECT_EQ(to_orders.from_columns, (std::vector<std::string>{"order_no", "customer_id"}));
  EXPECT_EQ(to_orders.to_table, "orders");
  EXPECT_EQ(to_orders.to_columns, (std::vector<std::string>{"order_no", "customer_id"}));

  const Table* view = catalog.find_table("north_customers");
  ASSERT_EQ(view->columns.size(), 2u);
  EXPECT_EQ(view->row_count, 2);
  EXPECT_TRUE(view->primary_key.empty());
}

TEST_F(IntrospectTest, SamplesAreDistinctNonNullAndCapped) {
  Catalog catalog = introspect();
  const Column* region = catalog.find_table("customer")->find_column("region");
  EXPECT_EQ(region->samples, (std::vector<std::string>{"north", "south"}));
  const Column* name = catalog.find_table("customer")->find_column("name");
  EXPECT_EQ(name->samples.size(), 3u);
  const Column* qty = catalog.find_table("line")->find_column("qty");
  EXPECT_EQ(qty->samples, (std::vector<std::string>{"2.5", "1.0"}));
  EXPECT_TRUE(catalog.find_table("line")->find_column("blob_col")->samples.empty());

  db::IntrospectOptions options;
  options.sample_values = 0;
  options.count_rows = false;
  Catalog bare = introspect(options);
  EXPECT_TRUE(bare.find_table("customer")->find_column("region")->samples.empty());
  EXPECT_FALSE(bare.find_table("customer")->row_count.has_value());
}

TEST_F(IntrospectTest, BirdDescriptionsWithBomCp1252AndQuotedLines) {
  std::filesystem::create_directory(dir_.path() / "database_description");
  // File name differs in case from the table; BOM; CRLF; a quoted field over two lines
  // with a doubled quote; cp1252 bytes (0x93/0x94 curly quotes, 0xE9 e-acute, 0x95 bullet).
  std::ofstream(dir_.path() / "database_description" / "Customer.csv", std::ios::binary)
      << "\xEF\xBB\xBF"
         "original_column_name,column_name,column_description,data_format,value_description\r\n"
         "id,customer id,Unique id of the customer,integer,\r\n"
         " NAME ,customer name,\"The customer\x92s \x93"
         "full\x94 name, as \"\"written\"\"\",text,\"caf\xE9\r\n"
         "\x95 second line\"\r\n"
         "unknown_column,,ignored,,\r\n"
         "region,,,text,north / south\r\n";
  Catalog catalog = introspect();  // found beside the file
  const Table* customer = catalog.find_table("customer");
  EXPECT_EQ(customer->find_column("id")->description, "Unique id of the customer");
  EXPECT_EQ(customer->find_column("id")->natural_name, "customer id");
  const Column* name = customer->find_column("name");
  EXPECT_EQ(name->description, "The customer\u2019s \u201cfull\u201d name, as \"written\"");
  EXPECT_EQ(name->value_description, "caf\u00e9\r\n\u2022 second line");
  EXPECT_EQ(customer->find_column("region")->value_description, "north / south");
  EXPECT_TRUE(customer->find_column("region")->description.empty());

  // An explicit directory wins; a missing one is an error naming it.
  db::IntrospectOptions options;
  options.descriptions_dir = dir_.file("nope");
  auto connection = db::open_connection(path_);
  auto missing = (*connection)->introspect(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("nope"), std::string::npos);
}

TEST_F(IntrospectTest, MalformedDescriptionFileNamesFileAndLine) {
  std::filesystem::create_directory(dir_.path() / "database_description");
  std::ofstream(dir_.path() / "database_description" / "orders.csv")
      << "original_column_name,column_name,column_description\nplaced,placed,\"never closed\n";
  auto connection = db::open_connection(path_);
  auto catalog = (*connection)->introspect();
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().code(), ErrorCode::kParseError);
  EXPECT_NE(catalog.error().find("orders.csv:2: unterminated quoted field"), std::string::npos) << catalog.error();
}

TEST_F(IntrospectTest, TablesJsonAddsNamesTypesKeys) {
  // `broken` has no declared key: tables.json supplies a composite one; it also adds an
  // FK the database does not declare, natural names, and a type where none is declared.
  std::string tables_json = dir_.file("tables.json");
  std::ofstream(tables_json) << R"([
    {"db_id": "other", "table_names_original": [], "column_names_original": []},
    {"db_id": "shop",
     "table_names_original": ["customer", "broken", "orders"],
     "table_names": ["customer", "broken thing", "orders"],
     "column_names_original": [[-1, "*"], [0, "id"], [0, "name"], [1, "x"], [1, "y"], [2, "customer_id"], [0, "missing"]],
     "column_names": [[-1, "*"], [0, "id"], [0, "customer full name"], [1, "x"], [1, "why"], [2, "customer id"], [0, "m"]],
     "column_types": ["text", "number", "text", "number", "text", "number", "text"],
     "primary_keys": [1, [3, 4]],
     "foreign_keys": [[5, 1], [3, 1]]}
  ])";
  db::IntrospectOptions options;
  options.tables_json = tables_json;
  Catalog catalog = introspect(options);
  const Table* customer = catalog.find_table("customer");
  EXPECT_EQ(customer->find_column("name")->natural_name, "customer full name");
  EXPECT_EQ(customer->find_column("name")->description, "customer full name");
  EXPECT_EQ(customer->find_column("id")->description, "");  // "id" says nothing more than the name
  const Table* broken = catalog.find_table("broken");
  EXPECT_EQ(broken->primary_key, (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(broken->find_column("y")->primary_key);
  EXPECT_EQ(broken->find_column("y")->type, "text");     // none declared
  EXPECT_EQ(broken->find_column("x")->type, "INTEGER");  // declared wins
  // orders.customer_id -> customer.id is already known; broken.x -> customer.id is new.
  ASSERT_EQ(catalog.foreign_keys.size(), 3u);
  EXPECT_EQ(catalog.foreign_keys[2].from_table, "broken");
  EXPECT_EQ(catalog.foreign_keys[2].to_columns, std::vector<std::string>{"id"});

  options.tables_json = dir_.file("absent.json");
  auto connection = db::open_connection(path_);
  EXPECT_FALSE((*connection)->introspect(options).ok());
  std::ofstream(tables_json) << R"([{"db_id": "elsewhere"}])";
  options.tables_json = tables_json;
  auto no_entry = (*connection)->introspect(options);
  ASSERT_FALSE(no_entry.ok());
  EXPECT_EQ(no_entry.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(no_entry.error().find("'shop'"), std::string::npos);
}

TEST_F(IntrospectTest, JsonRoundTrip) {
  Catalog catalog = introspect();
  catalog.tables[0].description = "People who buy";
  catalog.tables[0].columns[1].summary_short = "a name";
  catalog.tables[0].columns[1].value_description = "text with \"quotes\" and \u00e9";
  std::string json = to_json(catalog);
  auto back = catalog_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(to_json(*back), json);
  EXPECT_EQ(back->tables.size(), catalog.tables.size());
  EXPECT_EQ(back->foreign_keys[1].to_columns, catalog.foreign_keys[1].to_columns);
  EXPECT_EQ(back->find_table("customer")->row_count, 4);
  EXPECT_FALSE(back->find_table("broken")->row_count == std::nullopt);
  EXPECT_TRUE(back->find_table("north_customers")->is_view);
  EXPECT_EQ(back->tables[0].columns[1].summary_short, "a name");

  std::string file = dir_.file("catalog.json");
  ASSERT_TRUE(save_catalog(catalog, file).ok());
  auto loaded = load_catalog(file);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(to_json(*loaded), json);

  auto bad = catalog_from_json("{\"tables\": [{\"columns\": []}]}", "x.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kParseError);
  EXPECT_NE(bad.error().find("x.json"), std::string::npos);
  EXPECT_FALSE(catalog_from_json("not json").ok());
}

// ---- rendering on a tiny hand-made catalog (golden strings) --------------------------

Catalog tiny_catalog() {
  Catalog c;
  c.db_id = "club";
  Table member;
  member.name = "member";
  member.row_count = 3;
  member.primary_key = {"id"};
  member.columns = {
      {"id", "INTEGER", true, true, "", "member id", "", {"1", "2"}},
      {"name", "TEXT", false, true, "", "Full name", "", {"Ada", "Bo"}},
      {"joined", "DATE", false, false, "", "", "", {"2024-01-01", "2024-02-02"}},
  };
  Table attendance;
  attendance.name = "attendance";
  attendance.description = "Who came to which event";
  attendance.primary_key = {"member_id", "event_id"};
  attendance.columns = {
      {"member_id", "INTEGER", true, false, "", "", "", {}},
      {"event_id", "INTEGER", true, false, "", "", "", {}},
      {"note", "VARCHAR(40)", false, false, "", "A note", "free text\nover lines", {}},
  };
  Table event;
  event.name = "event";
  event.primary_key = {"id"};
  event.columns = {{"id", "INTEGER", true, false, "", "", "", {}}, {"order", "TEXT", false, false, "", "", "", {}}};
  c.tables = {member, attendance, event};
  c.foreign_keys = {{"attendance", {"member_id"}, "member", {"id"}}, {"attendance", {"event_id"}, "event", {"id"}}};
  return c;
}

TEST(Render, MSchemaGolden) {
  RenderOptions options;
  options.format = RenderFormat::kMSchema;
  EXPECT_EQ(render(tiny_catalog(), options),
            "【DB_ID】 club\n"
            "【Schema】\n"
            "# Table: member\n"
            "[\n"
            "(id:INTEGER, member id, Primary Key, Examples: [1, 2]),\n"
            "(name:TEXT, Full name, Examples: [Ada, Bo]),\n"
            "(joined:DATE, Examples: [2024-01-01])\n"
            "]\n"
            "# Table: attendance, Who came to which event\n"
            "[\n"
            "(member_id:INTEGER, Primary Key),\n"
            "(event_id:INTEGER, Primary Key),\n"
            "(note:VARCHAR, A note; values: free text over lines)\n"
            "]\n"
            "# Table: event\n"
            "[\n"
            "(id:INTEGER, Primary Key),\n"
            "(order:TEXT)\n"
            "]\n"
            "【Foreign keys】\n"
            "attendance.member_id=member.id\n"
            "attendance.event_id=event.id\n");
}

TEST(Render, DdlGolden) {
  RenderOptions options;
  options.format = RenderFormat::kDdl;
  EXPECT_EQ(render(tiny_catalog(), options),
            "CREATE TABLE member (\n"
            "  id INTEGER PRIMARY KEY, -- member id. Examples: 1, 2\n"
            "  name TEXT NOT NULL, -- Full name. Examples: Ada, Bo\n"
            "  joined DATE -- Examples: 2024-01-01, 2024-02-02\n"
            ");\n"
            "\n"
            "-- Who came to which event\n"
            "CREATE TABLE attendance (\n"
            "  member_id INTEGER,\n"
            "  event_id INTEGER,\n"
            "  note VARCHAR(40), -- A note; values: free text over lines\n"
            "  PRIMARY KEY (member_id, event_id),\n"
            "  FOREIGN KEY (member_id) REFERENCES member (id),\n"
            "  FOREIGN KEY (event_id) REFERENCES event (id)\n"
            ");\n"
            "\n"
            "CREATE TABLE event (\n"
            "  id INTEGER PRIMARY KEY,\n"
            "  \"order\" TEXT\n"
            ");\n");
}

TEST(Render, TextAndMarkdownGolden) {
  RenderOptions options;
  options.format = RenderFormat::kText;
  options.columns = std::vector<ColumnRef>{{"member", "name"}};
  EXPECT_EQ(render(tiny_catalog(), options),
            "club (sqlite): 1 table, 0 foreign keys\n"
            "\n"
            "member (table, 3 rows)\n"
            "  id    INTEGER  primary key  member id  [e.g. 1, 2]\n"
            "  name  TEXT     not null     Full name  [e.g. Ada, Bo]\n");
  options.format = RenderFormat::kMarkdown;
  options.columns = std::vector<ColumnRef>{{"member", "name"}, {"attendance", "note"}};
  EXPECT_EQ(render(tiny_catalog(), options),
            "# Database `club`\n"
            "\n"
            "## Table `member` (3 rows)\n"
            "\n"
            "| Column | Type | Key | Description | Examples |\n"
            "|---|---|---|---|---|\n"
            "| id | INTEGER | PK | member id | `1`, `2` |\n"
            "| name | TEXT |  | Full name | `Ada`, `Bo` |\n"
            "\n"
            "## Table `attendance`\n"
            "\n"
            "Who came to which event\n"
            "\n"
            "| Column | Type | Key | Description | Examples |\n"
            "|---|---|---|---|---|\n"
            "| member_id | INTEGER | PK, FK → member.id |  |  |\n"
            "| event_id | INTEGER | PK |  |  |\n"
            "| note | VARCHAR(40) |  | A note; values: free text over lines |  |\n"
            "\n"
            "## Foreign keys\n"
            "\n"
            "- `attendance.member_id` → `member.id`\n");
}

TEST(Render, SubsetIncludesJoinKeysOnly) {
  RenderOptions options;
  options.format = RenderFormat::kMSchema;
  options.max_samples = 0;
  options.descriptions = false;
  // `note` of attendance and `order` of event: the join through attendance.event_id
  // comes along, and member (not selected) stays out with its key.
  options.columns = std::vector<ColumnRef>{{"attendance", "note"}, {"EVENT", "Order"}, {"nosuch", "x"}};
  EXPECT_EQ(render(tiny_catalog(), options),
            "【DB_ID】 club\n"
            "【Schema】\n"
            "# Table: attendance\n"
            "[\n"
            "(member_id:INTEGER, Primary Key),\n"
            "(event_id:INTEGER, Primary Key),\n"
            "(note:VARCHAR)\n"
            "]\n"
            "# Table: event\n"
            "[\n"
            "(id:INTEGER, Primary Key),\n"
            "(order:TEXT)\n"
            "]\n"
            "【Foreign keys】\n"
            "attendance.event_id=event.id\n");
  EXPECT_EQ(parse_render_format("M-Schema"), RenderFormat::kMSchema);
  EXPECT_EQ(parse_render_format("md"), RenderFormat::kMarkdown);
  EXPECT_FALSE(parse_render_format("yaml").has_value());
}

TEST(Csv, QuotingEncodingAndErrors) {
  auto records = parse_csv("a,b,c\n\"x, y\",\"line1\nline2\",\"say \"\"hi\"\"\"\n\nlast,,\n", "t.csv");
  ASSERT_TRUE(records.ok()) << records.error();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[1].fields, (std::vector<std::string>{"x, y", "line1\nline2", "say \"hi\""}));
  EXPECT_EQ((*records)[1].line, 2u);
  EXPECT_EQ((*records)[2].fields, (std::vector<std::string>{"last", "", ""}));
  EXPECT_EQ((*records)[2].line, 5u);
  EXPECT_EQ(repair_utf8("caf\xE9 \x80 \x81 ok \xC3\xA9"), "caf\u00e9 \u20ac \u0081 ok \u00e9");
  EXPECT_EQ(repair_utf8("\xE2\x82"), "\u00e2\u201a");  // a cut sequence is read as cp1252
  auto open_quote = parse_csv("a\n\"b\nc", "u.csv");
  ASSERT_FALSE(open_quote.ok());
  EXPECT_EQ(open_quote.error(), "u.csv:2: unterminated quoted field");
}

// ---- the shared development data (skipped when absent) -------------------------------

TEST(SharedData, StudentClubIntrospects) {
  std::string root = shared_data_dir();
  if (root.empty()) GTEST_SKIP() << "no ../shared/data";
  std::string db = root + "/bird_student_club/databases/student_club/student_club.sqlite";
  auto connection = db::open_connection(db);
  ASSERT_TRUE(connection.ok()) << connection.error();
  auto catalog = (*connection)->introspect();
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  EXPECT_EQ(catalog->db_id, "student_club");
  EXPECT_EQ(catalog->tables.size(), 8u);
  const Table* attendance = catalog->find_table("attendance");
  ASSERT_NE(attendance, nullptr);
  EXPECT_EQ(attendance->primary_key, (std::vector<std::string>{"link_to_event", "link_to_member"}));
  EXPECT_GE(catalog->foreign_keys.size(), 7u);
  const Table* budget = catalog->find_table("budget");
  ASSERT_NE(budget, nullptr);
  // budget.csv holds a cp1252 bullet (0x95): it must arrive as valid UTF-8.
  bool any_description = false;
  for (const auto& column : budget->columns) {
    any_description |= !column.description.empty();
    EXPECT_EQ(repair_utf8(column.description + column.value_description),
              column.description + column.value_description);
  }
  EXPECT_TRUE(any_description);
  EXPECT_GT(*catalog->find_table("zip_code")->row_count, 1000);
  std::string mschema = render(*catalog, {RenderFormat::kMSchema});
  EXPECT_NE(mschema.find("# Table: event"), std::string::npos);
  EXPECT_NE(mschema.find("【Foreign keys】"), std::string::npos);

  db::IntrospectOptions with_tables;
  with_tables.tables_json = root + "/bird_student_club/dev_tables.json";
  auto enriched = (*connection)->introspect(with_tables);
  ASSERT_TRUE(enriched.ok()) << enriched.error();
  EXPECT_EQ(enriched->foreign_keys.size(), catalog->foreign_keys.size());  // nothing new, nothing doubled
}

TEST(SharedData, SpiderDatabaseWithTablesJson) {
  std::string root = shared_data_dir();
  if (root.empty()) GTEST_SKIP() << "no ../shared/data";
  std::string db = root + "/spider_train/database/perpetrator/perpetrator.sqlite";
  auto connection = db::open_connection(db);
  ASSERT_TRUE(connection.ok()) << connection.error();
  db::IntrospectOptions options;
  options.tables_json = root + "/spider_train/tables.json";
  auto catalog = (*connection)->introspect(options);
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  const Table* people = catalog->find_table("people");
  ASSERT_NE(people, nullptr);
  EXPECT_EQ(people->primary_key, std::vector<std::string>{"People_ID"});
  EXPECT_EQ(people->find_column("Home Town")->natural_name, "home town");
  ASSERT_EQ(catalog->foreign_keys.size(), 1u);
  EXPECT_EQ(catalog->foreign_keys[0].from_table, "perpetrator");
  EXPECT_EQ(catalog->foreign_keys[0].to_columns, std::vector<std::string>{"People_ID"});
  std::string ddl = render(*catalog, {RenderFormat::kDdl});
  EXPECT_NE(ddl.find("\"Home Town\" TEXT"), std::string::npos) << ddl;
}

}  // namespace
}  // namespace askguru::catalog
