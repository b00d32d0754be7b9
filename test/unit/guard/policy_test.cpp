// Policy: YAML loading, inheritance by role, matching, errors that name the key.
#include "askguru/guard/policy.h"

#include <gtest/gtest.h>

#include <fstream>

#include "unit/db/sqlite_fixture.h"

namespace askguru::guard {
namespace {

TEST(GlobTest, MatchesCaseInsensitivelyWithStarAndQuestionMark) {
  EXPECT_TRUE(glob_match("dbms_*", "DBMS_LOCK"));
  EXPECT_TRUE(glob_match("pg_sleep*", "pg_sleep_for"));
  EXPECT_TRUE(glob_match("*uritype", "HTTPURITYPE"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*.BANK_*", "AP_CHECKS_ALL.bank_account_num"));
  EXPECT_FALSE(glob_match("dbms_*", "xdbms_lock"));
  EXPECT_FALSE(glob_match("sleep", "sleeper"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_FALSE(glob_match("lo_*", "lower"));
}

TEST(PolicyTest, DefaultAllowsOnlyOneReadOnlyQuery) {
  Policy p = default_policy();
  EXPECT_TRUE(p.allows_kind(sql::StatementKind::kSelect));
  EXPECT_FALSE(p.allows_kind(sql::StatementKind::kDelete));
  EXPECT_FALSE(p.allows_kind(sql::StatementKind::kPragma));
  EXPECT_FALSE(p.multiple_statements);
  EXPECT_FALSE(p.function_allowed("", "load_extension"));
  EXPECT_FALSE(p.function_allowed("", "PG_SLEEP"));
  EXPECT_FALSE(p.function_allowed("DBMS_LOCK", "SLEEP"));
  EXPECT_FALSE(p.function_allowed("utl_http", "request"));
  EXPECT_TRUE(p.function_allowed("", "count"));
  EXPECT_TRUE(p.function_allowed("", "lower"));
  EXPECT_FALSE(p.table_allowed("", "pg_authid"));
  EXPECT_FALSE(p.table_allowed("SYS", "USER$"));
  EXPECT_TRUE(p.table_allowed("", "singer"));
  EXPECT_EQ(p.row_limit, 1000u);
}

TEST(PolicyTest, ColumnPatternsQualifiedAndBare) {
  Policy p;
  p.denied_columns = {"AP_CHECKS_ALL.BANK_ACCOUNT_NUM", "ssn"};
  EXPECT_FALSE(p.column_allowed("ap_checks_all", "bank_account_num"));
  EXPECT_TRUE(p.column_allowed("AP_CHECKS_ALL", "AMOUNT"));
  EXPECT_TRUE(p.column_allowed("OTHER", "BANK_ACCOUNT_NUM"));
  EXPECT_FALSE(p.column_allowed("people", "SSN"));
  p.allowed_columns = {"people.*"};
  EXPECT_TRUE(p.column_allowed("people", "name"));
  EXPECT_FALSE(p.column_allowed("people", "ssn"));  // deny wins over allow
  EXPECT_FALSE(p.column_allowed("orders", "id"));
}

// The shipped default.yaml says exactly what the built-in default does.
TEST(PolicyTest, ShippedDefaultFileEqualsBuiltIn) {
  auto set = load_policy_file(std::string(ASKGURU_SOURCE_DIR) + "/policies/default.yaml");
  ASSERT_TRUE(set.ok()) << set.error();
  Policy a = set->base, b = default_policy();
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.statements, b.statements);
  EXPECT_EQ(a.multiple_statements, b.multiple_statements);
  EXPECT_EQ(a.locking_reads, b.locking_reads);
  EXPECT_EQ(a.allowed_tables, b.allowed_tables);
  EXPECT_EQ(a.denied_tables, b.denied_tables);
  EXPECT_EQ(a.allowed_columns, b.allowed_columns);
  EXPECT_EQ(a.denied_columns, b.denied_columns);
  EXPECT_EQ(a.denied_functions, b.denied_functions);
  EXPECT_EQ(a.max_nesting, b.max_nesting);
  EXPECT_EQ(a.max_joins, b.max_joins);
  EXPECT_EQ(a.row_limit, b.row_limit);
  EXPECT_EQ(a.select_star, b.select_star);
  EXPECT_TRUE(set->roles.empty());
}

TEST(PolicyTest, EbsDemoFileDeniesBankAccountsAndHasRoles) {
  auto set = load_policy_file(std::string(ASKGURU_SOURCE_DIR) + "/policies/ebs_demo.yaml");
  ASSERT_TRUE(set.ok()) << set.error();
  EXPECT_FALSE(set->base.column_allowed("AP_CHECKS_ALL", "BANK_ACCOUNT_NUM"));
  EXPECT_FALSE(set->base.column_allowed("AP_SUPPLIERS", "NUM_1099"));
  EXPECT_TRUE(set->base.column_allowed("AP_CHECKS_ALL", "AMOUNT"));
  // Keys the file leaves out keep the built-in default.
  EXPECT_FALSE(set->base.function_allowed("", "load_extension"));
  auto treasury = set->select("treasury");
  ASSERT_TRUE(treasury.ok());
  EXPECT_TRUE(treasury->column_allowed("AP_CHECKS_ALL", "BANK_ACCOUNT_NUM"));
  EXPECT_FALSE(treasury->column_allowed("AP_SUPPLIERS", "NUM_1099"));
  EXPECT_EQ(treasury->row_limit, 2000u);
  EXPECT_EQ(treasury->max_joins, 10u);    // inherited from the file's top level
  auto auditor = set->select("AUDITOR");  // role names match case-insensitively
  ASSERT_TRUE(auditor.ok());
  EXPECT_FALSE(auditor->table_allowed("", "PO_HEADERS_ALL"));
  EXPECT_TRUE(auditor->table_allowed("", "AP_CHECKS_ALL"));
  EXPECT_FALSE(auditor->column_allowed("AP_CHECKS_ALL", "BANK_ACCOUNT_NUM"));
  auto missing = set->select("intern");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("no role 'intern'"), std::string::npos) << missing.error();
  EXPECT_NE(missing.error().find("treasury"), std::string::npos) << missing.error();
}

TEST(PolicyTest, ParsesEveryKey) {
  auto set = parse_policy(R"(
name: strict
statements: [select, explain]
multiple_statements: true
locking_reads: yes
tables: {allow: [a, b], deny: [c]}
columns: {deny: [a.secret]}
functions: {deny: random}
max_nesting: 2
max_joins: 3
row_limit: 0
select_star: refuse
)",
                          "inline");
  ASSERT_TRUE(set.ok()) << set.error();
  const Policy& p = set->base;
  EXPECT_EQ(p.name, "strict");
  EXPECT_TRUE(p.allows_kind(sql::StatementKind::kExplain));
  EXPECT_TRUE(p.multiple_statements);
  EXPECT_TRUE(p.locking_reads);
  EXPECT_EQ(p.allowed_tables, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.denied_tables, (std::vector<std::string>{"c"}));
  EXPECT_EQ(p.denied_functions, (std::vector<std::string>{"random"}));
  EXPECT_EQ(p.max_nesting, 2u);
  EXPECT_EQ(p.max_joins, 3u);
  EXPECT_EQ(p.row_limit, 0u);
  EXPECT_EQ(p.select_star, StarMode::kRefuse);
}

TEST(PolicyTest, EmptyDocumentIsTheDefault) {
  auto set = parse_policy("# nothing\n", "empty.yaml");
  ASSERT_TRUE(set.ok()) << set.error();
  EXPECT_EQ(set->base.row_limit, default_policy().row_limit);
}

struct BadYaml {
  const char* yaml;
  const char* expected;  // substrings of the message
  const char* expected2;
};

TEST(PolicyTest, ErrorsNameTheFileLineAndKey) {
  const BadYaml cases[] = {
      {"max_joins: many\n", "bad.yaml:1: max_joins: expected a non-negative integer, got 'many'", ""},
      {"max_nesting: -1\n", "max_nesting: expected a non-negative integer", ""},
      {"row_limit: [1]\n", "row_limit: expected a non-negative integer, got a list", ""},
      {"statements: [select, delet]\n", "bad.yaml:1: statements[1]: unknown statement kind 'delet'", "delete"},
      {"colums:\n  deny: [x]\n", "bad.yaml:1: colums: unknown key", "columns"},
      {"tables:\n  deny: [a]\n  alow: [b]\n", "bad.yaml:3: tables.alow: unknown key", "allow"},
      {"functions: {allow: [x]}\n", "functions.allow: unknown key", ""},
      {"columns: [a]\n", "columns: expected a mapping", ""},
      {"select_star: maybe\n", "select_star: expected expand or refuse, got 'maybe'", ""},
      {"locking_reads: perhaps\n", "locking_reads: expected true or false", ""},
      {"roles:\n  analyst:\n    max_joins: x\n", "bad.yaml:3: roles.analyst.max_joins: expected a non-negative", ""},
      {"roles:\n  analyst:\n    roles: {}\n", "roles.analyst.roles: unknown key", ""},
      {"roles: [a, b]\n", "roles: expected a mapping of role names", ""},
      {"tables: {deny: [a, [b]]}\n", "tables.deny[1]: expected a name", ""},
      {"max_joins: 1\n  bad indent: [\n", "bad.yaml:", "invalid YAML"},
      {"- just\n- a list\n", "expected a mapping of policy keys", ""},
  };
  for (const BadYaml& c : cases) {
    auto set = parse_policy(c.yaml, "bad.yaml");
    ASSERT_FALSE(set.ok()) << c.yaml;
    EXPECT_NE(set.error().find(c.expected), std::string::npos) << c.yaml << "\n→ " << set.error();
    EXPECT_NE(set.error().find(c.expected2), std::string::npos) << c.yaml << "\n→ " << set.error();
  }
}

TEST(PolicyTest, MissingFileIsAClearError) {
  auto p = resolve_policy("/nonexistent/policy.yaml", "");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("/nonexistent/policy.yaml"), std::string::npos) << p.error();
}

TEST(PolicyTest, ResolveWithoutFileIsTheBuiltInDefault) {
  auto p = resolve_policy("", "");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "default");
  auto role = resolve_policy("", "analyst");
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.error().find("no role 'analyst'"), std::string::npos);
}

TEST(PolicyTest, LoadsAFileFromDisk) {
  askguru::testing::TempDir dir;
  std::string path = dir.file("p.yaml");
  std::ofstream(path) << "row_limit: 7\nroles:\n  r1: {row_limit: 9}\n";
  auto base = resolve_policy(path, "");
  ASSERT_TRUE(base.ok()) << base.error();
  EXPECT_EQ(base->row_limit, 7u);
  auto r1 = resolve_policy(path, "r1");
  ASSERT_TRUE(r1.ok()) << r1.error();
  EXPECT_EQ(r1->row_limit, 9u);
  EXPECT_EQ(r1->name, "r1");
}

TEST(PolicyTest, VisibleCatalogHidesDeniedTablesColumnsAndTheKeysThatNameThem) {
  catalog::Catalog full;
  catalog::Table person;
  person.name = "person";
  person.columns = {{.name = "ssn", .primary_key = true}, {.name = "name"}, {.name = "salary"}};
  person.primary_key = {"ssn"};
  catalog::Table loan;
  loan.name = "loan";
  loan.columns = {{.name = "id"}, {.name = "borrower_ssn"}, {.name = "amount"}};
  catalog::Table secrets;
  secrets.name = "secrets";
  secrets.columns = {{.name = "token"}};
  full.tables = {person, loan, secrets};
  full.foreign_keys = {{"loan", {"borrower_ssn"}, "person", {"ssn"}}};
  full.join_candidates = {{.from_table = "loan", .from_column = "amount", .to_table = "person", .to_column = "salary"}};

  Policy policy;
  policy.denied_tables = {"secrets"};
  policy.denied_columns = {"person.ssn", "*.salary"};
  catalog::Catalog visible = visible_catalog(full, policy);
  ASSERT_EQ(visible.tables.size(), 2u);
  ASSERT_NE(visible.find_table("person"), nullptr);
  EXPECT_EQ(visible.find_table("secrets"), nullptr);
  const catalog::Table& p = *visible.find_table("person");
  ASSERT_EQ(p.columns.size(), 1u);
  EXPECT_EQ(p.columns[0].name, "name");
  EXPECT_TRUE(p.primary_key.empty());
  EXPECT_TRUE(visible.foreign_keys.empty());     // it names person.ssn
  EXPECT_TRUE(visible.join_candidates.empty());  // it names person.salary
  EXPECT_EQ(visible.find_table("loan")->columns.size(), 3u);
  // The default policy hides nothing here.
  EXPECT_EQ(visible_catalog(full, Policy{}).tables.size(), 3u);
}

}  // namespace
}  // namespace askguru::guard
