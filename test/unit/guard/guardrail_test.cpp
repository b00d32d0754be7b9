// Guardrail: refusals by statement kind (never by keyword), tables, columns, `*`,
// functions, limits, and the row limit in each dialect.
#include "askguru/guard/guardrail.h"

#include <gtest/gtest.h>

namespace askguru::guard {
namespace {

catalog::Table make_table(std::string name, std::vector<std::string> columns) {
  catalog::Table t;
  t.name = std::move(name);
  for (auto& c : columns) {
    catalog::Column col;
    col.name = std::move(c);
    col.type = col.name.find("_ID") != std::string::npos || col.name == "AMOUNT" ? "INTEGER" : "TEXT";
    t.columns.push_back(std::move(col));
  }
  return t;
}

// A slice of the EBS demo schema.
catalog::Catalog ebs_catalog() {
  catalog::Catalog c;
  c.db_id = "ebs";
  c.tables.push_back(make_table("AP_SUPPLIERS", {"VENDOR_ID", "VENDOR_NAME", "NUM_1099", "STATUS"}));
  c.tables.push_back(
      make_table("AP_CHECKS_ALL", {"CHECK_ID", "VENDOR_ID", "AMOUNT", "BANK_ACCOUNT_NAME", "BANK_ACCOUNT_NUM"}));
  c.tables.push_back(make_table("AP_INVOICES_ALL", {"INVOICE_ID", "VENDOR_ID", "AMOUNT", "STATUS"}));
  return c;
}

Policy ebs_policy() {
  Policy p = default_policy();
  p.name = "ebs";
  p.denied_columns = {"AP_CHECKS_ALL.BANK_ACCOUNT_NUM", "*.NUM_1099"};
  return p;
}

GuardResult check(const std::string& sql, const Policy& policy = default_policy(), Dialect dialect = Dialect::kSqlite,
                  bool interactive = false) {
  static const catalog::Catalog catalog = ebs_catalog();
  Guardrail g(policy, &catalog);
  return g.check(sql, GuardOptions{dialect, interactive});
}

bool has_code(const GuardResult& r, std::string_view code) {
  for (const Finding& f : r.findings) {
    if (f.code == code && f.severity == Severity::kError) return true;
  }
  return false;
}

std::string dump(const GuardResult& r) {
  return format_findings(r.findings, Severity::kNote) + "sql: " + r.sql;
}

// ---------------------------------------------------------------- statement kinds

struct Refusal {
  const char* sql;
  const char* code;
  const char* words;  // in the message
};

TEST(GuardrailTest, EveryWritePathIsRefusedByKind) {
  const Refusal cases[] = {
      {"DELETE FROM AP_SUPPLIERS", "statement_kind", "a DELETE, which changes data"},
      {"delete from ap_suppliers where vendor_id = 1", "statement_kind", "DELETE"},
      {"INSERT INTO AP_SUPPLIERS (VENDOR_ID) VALUES (1)", "statement_kind", "an INSERT"},
      {"UPDATE AP_SUPPLIERS SET STATUS = 'X'", "statement_kind", "an UPDATE"},
      {"REPLACE INTO AP_SUPPLIERS VALUES (1, 'a', 'b', 'c')", "statement_kind", "REPLACE"},
      {"MERGE INTO t USING s ON (t.id = s.id) WHEN MATCHED THEN UPDATE SET t.x = s.x", "statement_kind", "MERGE"},
      {"DROP TABLE AP_SUPPLIERS", "statement_kind", "changes the schema"},
      {"CREATE TABLE x (a INT)", "statement_kind", "a CREATE"},
      {"ALTER TABLE AP_SUPPLIERS ADD COLUMN x INT", "statement_kind", "an ALTER"},
      {"TRUNCATE TABLE AP_SUPPLIERS", "statement_kind", "TRUNCATE"},
      {"CREATE INDEX i ON AP_SUPPLIERS (STATUS)", "statement_kind", "CREATE"},
      {"ATTACH DATABASE '/tmp/x.db' AS x", "statement_kind", "attaches or detaches a database"},
      {"DETACH DATABASE x", "statement_kind", "DETACH"},
      {"PRAGMA writable_schema = 1", "statement_kind", "a PRAGMA"},
      {"PRAGMA table_info(AP_SUPPLIERS)", "statement_kind", "PRAGMA"},
      {"VACUUM", "statement_kind", "VACUUM"},
      {"BEGIN", "statement_kind", "BEGIN"},
      {"COMMIT", "statement_kind", "COMMIT"},
      {"WITH d AS (DELETE FROM AP_SUPPLIERS RETURNING *) SELECT * FROM d", "statement_kind",
       "DELETE hidden in a WITH clause"},
      {"WITH x AS (SELECT 1) DELETE FROM AP_SUPPLIERS", "statement_kind", "a DELETE"},
      {"WITH u AS (UPDATE AP_SUPPLIERS SET STATUS = 'X' RETURNING VENDOR_ID) SELECT count(*) FROM u", "statement_kind",
       "UPDATE"},
      {"SELECT load_extension('/tmp/evil.so')", "denied_function", "load_extension()"},
      {"SELECT VENDOR_ID FROM AP_SUPPLIERS; DELETE FROM AP_SUPPLIERS", "multiple_statements", "2 statements"},
      {"SELECT 1; SELECT 2", "multiple_statements", "exactly one query"},
      {"SELECT * FROM AP_SUPPLIERS FOR UPDATE", "locking_read", "FOR UPDATE"},
      {"GRANT SELECT ON AP_SUPPLIERS TO bob", "statement_kind", "GRANT"},
      {"SET search_path = evil", "statement_kind", "SET"},
      {"CALL do_things()", "statement_kind", "CALL"},
      {"COPY AP_SUPPLIERS TO '/tmp/x'", "statement_kind", "COPY"},
      {"EXPLAIN ANALYZE DELETE FROM AP_SUPPLIERS", "statement_kind", ""},
  };
  for (const Refusal& c : cases) {
    GuardResult r = check(c.sql, default_policy(), Dialect::kPostgres);
    EXPECT_FALSE(r.allowed()) << c.sql;
    EXPECT_TRUE(r.sql.empty()) << c.sql;
    EXPECT_TRUE(has_code(r, c.code)) << c.sql << "\n" << dump(r);
    EXPECT_NE(r.feedback().find(c.words), std::string::npos) << c.sql << "\n" << r.feedback();
  }
}

TEST(GuardrailTest, PostgresSelectIntoIsRefused) {
  GuardResult r = check("SELECT VENDOR_ID INTO new_table FROM AP_SUPPLIERS", default_policy(), Dialect::kPostgres);
  EXPECT_FALSE(r.allowed()) << dump(r);
}

TEST(GuardrailTest, OracleBlocksAndPackagesAreRefused) {
  GuardResult block = check("BEGIN DELETE FROM AP_SUPPLIERS; END;", default_policy(), Dialect::kOracle);
  EXPECT_FALSE(block.allowed()) << dump(block);
  GuardResult sleep = check("SELECT DBMS_LOCK.SLEEP(10) FROM DUAL", default_policy(), Dialect::kOracle);
  EXPECT_FALSE(sleep.allowed());
  EXPECT_TRUE(has_code(sleep, "denied_function")) << dump(sleep);
  EXPECT_NE(sleep.feedback().find("DBMS_LOCK.SLEEP()"), std::string::npos) << sleep.feedback();
  GuardResult http = check("SELECT UTL_HTTP.REQUEST('http://x') FROM DUAL", default_policy(), Dialect::kOracle);
  EXPECT_TRUE(has_code(http, "denied_function")) << dump(http);
}

TEST(GuardrailTest, SyntaxErrorsAreRefusedWithThePosition) {
  GuardResult r = check("SELECT VENDOR_ID FORM AP_SUPPLIERS");
  EXPECT_FALSE(r.allowed());
  EXPECT_TRUE(has_code(r, "syntax"));
  EXPECT_NE(r.feedback().find("1:"), std::string::npos) << r.feedback();
}

// Keywords inside strings, names and comments are data, not statements.
TEST(GuardrailTest, KeywordsInDataPass) {
  const char* cases[] = {
      "SELECT * FROM AP_INVOICES_ALL WHERE STATUS = 'DELETE REQUESTED'",
      "SELECT VENDOR_NAME FROM AP_SUPPLIERS WHERE VENDOR_NAME LIKE '%DROP TABLE%'",
      "SELECT 'INSERT INTO x VALUES (1); --' AS note",
      "SELECT VENDOR_ID AS \"delete\" FROM AP_SUPPLIERS",
      "SELECT VENDOR_ID FROM AP_SUPPLIERS -- DELETE FROM AP_SUPPLIERS\n",
      "SELECT VENDOR_ID /* ; DROP TABLE AP_SUPPLIERS */ FROM AP_SUPPLIERS",
      "SELECT updated, deleted FROM (SELECT 1 AS updated, 0 AS deleted)",
      "WITH recent AS (SELECT * FROM AP_INVOICES_ALL WHERE STATUS <> 'UPDATE') SELECT count(*) FROM recent",
      "SELECT replace(VENDOR_NAME, 'a', 'b') FROM AP_SUPPLIERS",
      "SELECT VENDOR_ID FROM AP_SUPPLIERS;",
      "SELECT count(*) FROM AP_SUPPLIERS s WHERE EXISTS (SELECT 1 FROM AP_INVOICES_ALL i WHERE i.VENDOR_ID = "
      "s.VENDOR_ID)",
      "SELECT VENDOR_ID FROM AP_SUPPLIERS UNION SELECT VENDOR_ID FROM AP_INVOICES_ALL",
  };
  for (const char* sql : cases) {
    GuardResult r = check(sql);
    EXPECT_TRUE(r.allowed()) << sql << "\n" << dump(r);
    EXPECT_EQ(r.sql, sql);  // nothing rewritten when not interactive
  }
}

// ---------------------------------------------------------------- tables and columns

TEST(GuardrailTest, DeniedTables) {
  Policy p = default_policy();
  p.denied_tables = {"AP_CHECKS_*"};
  EXPECT_TRUE(has_code(check("SELECT CHECK_ID FROM AP_CHECKS_ALL", p), "denied_table"));
  EXPECT_TRUE(has_code(check("SELECT 1 FROM AP_SUPPLIERS s JOIN ap_checks_all c ON c.VENDOR_ID = s.VENDOR_ID", p),
                       "denied_table"));
  EXPECT_TRUE(has_code(check("SELECT 1 WHERE EXISTS (SELECT 1 FROM AP_CHECKS_ALL)", p), "denied_table"));
  EXPECT_TRUE(check("SELECT VENDOR_ID FROM AP_SUPPLIERS", p).allowed());
  GuardResult sys = check("SELECT * FROM pg_authid", default_policy(), Dialect::kPostgres);
  EXPECT_TRUE(has_code(sys, "denied_table")) << dump(sys);
  GuardResult oracle = check("SELECT name FROM SYS.USER$", default_policy(), Dialect::kOracle);
  EXPECT_TRUE(has_code(oracle, "denied_table")) << dump(oracle);
}

TEST(GuardrailTest, AllowedTablesList) {
  Policy p = default_policy();
  p.allowed_tables = {"AP_SUPPLIERS"};
  EXPECT_TRUE(check("SELECT VENDOR_ID FROM AP_SUPPLIERS", p).allowed());
  GuardResult r = check("SELECT INVOICE_ID FROM AP_INVOICES_ALL", p);
  EXPECT_TRUE(has_code(r, "denied_table")) << dump(r);
  EXPECT_NE(r.feedback().find("AP_INVOICES_ALL"), std::string::npos);
}

TEST(GuardrailTest, DeniedColumnsQualifiedUnqualifiedAliasAndEverywhere) {
  Policy p = ebs_policy();
  const char* refused[] = {
      "SELECT BANK_ACCOUNT_NUM FROM AP_CHECKS_ALL",
      "SELECT AP_CHECKS_ALL.BANK_ACCOUNT_NUM FROM AP_CHECKS_ALL",
      "SELECT c.bank_account_num FROM AP_CHECKS_ALL c",
      "SELECT c.CHECK_ID FROM AP_CHECKS_ALL AS c WHERE c.BANK_ACCOUNT_NUM LIKE '12%'",
      "SELECT CHECK_ID FROM AP_CHECKS_ALL ORDER BY BANK_ACCOUNT_NUM",
      "SELECT count(DISTINCT BANK_ACCOUNT_NUM) FROM AP_CHECKS_ALL",
      "SELECT x FROM (SELECT BANK_ACCOUNT_NUM AS x FROM AP_CHECKS_ALL) t",
      "WITH c AS (SELECT * FROM AP_CHECKS_ALL) SELECT BANK_ACCOUNT_NUM FROM c",
      "SELECT s.VENDOR_NAME FROM AP_SUPPLIERS s WHERE s.VENDOR_ID IN (SELECT VENDOR_ID FROM AP_CHECKS_ALL "
      "WHERE BANK_ACCOUNT_NUM = '1')",
      "SELECT NUM_1099 FROM AP_SUPPLIERS",
      "SELECT s.\"NUM_1099\" FROM AP_SUPPLIERS s",
      "SELECT 1 FROM AP_CHECKS_ALL a JOIN AP_CHECKS_ALL b USING (BANK_ACCOUNT_NUM)",
  };
  for (const char* sql : refused) {
    GuardResult r = check(sql, p);
    EXPECT_FALSE(r.allowed()) << sql << "\n" << dump(r);
    EXPECT_TRUE(has_code(r, "denied_column")) << sql << "\n" << dump(r);
  }
  GuardResult r = check("SELECT c.BANK_ACCOUNT_NUM FROM AP_CHECKS_ALL c", p);
  EXPECT_NE(r.feedback().find("AP_CHECKS_ALL.BANK_ACCOUNT_NUM may not be read"), std::string::npos) << r.feedback();
  const char* allowed[] = {
      "SELECT CHECK_ID, AMOUNT, BANK_ACCOUNT_NAME FROM AP_CHECKS_ALL",
      "SELECT count(*) FROM AP_CHECKS_ALL",
      "SELECT VENDOR_NAME FROM AP_SUPPLIERS WHERE VENDOR_NAME = 'BANK_ACCOUNT_NUM'",
  };
  for (const char* sql : allowed) {
    GuardResult a = check(sql, p);
    EXPECT_TRUE(a.allowed()) << sql << "\n" << dump(a);
  }
}

// With a catalog each reference is resolved to its table (sql::analyze): a column of the
// same name in another table stays readable. Without one, the name alone decides.
TEST(GuardrailTest, ColumnsAreResolvedToTheirTable) {
  Policy p = default_policy();
  p.denied_columns = {"AP_SUPPLIERS.STATUS"};
  const char* join = "SELECT {}.STATUS FROM AP_INVOICES_ALL i JOIN AP_SUPPLIERS s ON s.VENDOR_ID = i.VENDOR_ID";
  auto with = [&](const char* q) { return std::string(join).replace(std::string(join).find("{}"), 2, q); };
  GuardResult invoices = check(with("i"), p);
  EXPECT_TRUE(invoices.allowed()) << dump(invoices);
  GuardResult suppliers = check(with("s"), p);
  EXPECT_TRUE(has_code(suppliers, "denied_column")) << dump(suppliers);
  EXPECT_NE(suppliers.feedback().find("AP_SUPPLIERS.STATUS"), std::string::npos);
  // Correlated reference to the outer supplier.
  GuardResult outer = check(
      "SELECT s.VENDOR_ID FROM AP_SUPPLIERS s WHERE EXISTS (SELECT 1 FROM AP_INVOICES_ALL i WHERE i.VENDOR_ID = "
      "s.VENDOR_ID AND s.STATUS = 'A')",
      p);
  EXPECT_TRUE(has_code(outer, "denied_column")) << dump(outer);
  // A CTE that renames the column still reads it.
  GuardResult cte = check("WITH x AS (SELECT STATUS AS st FROM AP_SUPPLIERS) SELECT st FROM x", p);
  EXPECT_TRUE(has_code(cte, "denied_column")) << dump(cte);
  GuardResult cte_ok = check("WITH x AS (SELECT STATUS AS st FROM AP_INVOICES_ALL) SELECT st FROM x", p);
  EXPECT_TRUE(cte_ok.allowed()) << dump(cte_ok);
  Guardrail blind(p, nullptr);
  EXPECT_FALSE(blind.check(with("i"), GuardOptions{}).allowed());
}

TEST(GuardrailTest, NaturalJoinOnADeniedColumnIsRefused) {
  GuardResult r = check("SELECT a.CHECK_ID FROM AP_CHECKS_ALL a NATURAL JOIN AP_CHECKS_ALL b", ebs_policy());
  EXPECT_TRUE(has_code(r, "denied_column")) << dump(r);
  EXPECT_NE(r.feedback().find("AP_CHECKS_ALL.BANK_ACCOUNT_NUM"), std::string::npos) << r.feedback();
  GuardResult ok = check("SELECT s.VENDOR_NAME FROM AP_SUPPLIERS s NATURAL JOIN AP_INVOICES_ALL i", ebs_policy());
  EXPECT_TRUE(ok.allowed()) << dump(ok);
}

TEST(GuardrailTest, PostgresWholeRowReferenceIsRefused) {
  GuardResult r = check("SELECT c FROM AP_CHECKS_ALL c", ebs_policy(), Dialect::kPostgres);
  EXPECT_TRUE(has_code(r, "denied_column")) << dump(r);
  GuardResult j = check("SELECT row_to_json(c.*) FROM AP_CHECKS_ALL c", ebs_policy(), Dialect::kPostgres);
  EXPECT_TRUE(has_code(j, "denied_column")) << dump(j);
}

TEST(GuardrailTest, StarOverDeniedColumnsIsExpanded) {
  GuardResult r = check("SELECT * FROM AP_CHECKS_ALL", ebs_policy());
  ASSERT_TRUE(r.allowed()) << dump(r);
  EXPECT_TRUE(r.rewritten);
  EXPECT_EQ(r.sql,
            "SELECT AP_CHECKS_ALL.CHECK_ID, AP_CHECKS_ALL.VENDOR_ID, AP_CHECKS_ALL.AMOUNT, "
            "AP_CHECKS_ALL.BANK_ACCOUNT_NAME FROM AP_CHECKS_ALL");
  EXPECT_EQ(r.findings.back().code, "star_expanded");

  GuardResult join = check(
      "SELECT *, 1 AS one FROM AP_SUPPLIERS s JOIN AP_CHECKS_ALL c ON c.VENDOR_ID = s.VENDOR_ID WHERE c.AMOUNT > 5",
      ebs_policy());
  ASSERT_TRUE(join.allowed()) << dump(join);
  EXPECT_EQ(join.sql,
            "SELECT s.VENDOR_ID, s.VENDOR_NAME, s.STATUS, c.CHECK_ID, c.VENDOR_ID, c.AMOUNT, c.BANK_ACCOUNT_NAME, "
            "1 AS one FROM AP_SUPPLIERS s JOIN AP_CHECKS_ALL c ON c.VENDOR_ID = s.VENDOR_ID WHERE c.AMOUNT > 5");

  GuardResult qualified =
      check("SELECT i.*, c.* FROM AP_INVOICES_ALL i, AP_CHECKS_ALL c WHERE i.VENDOR_ID = c.VENDOR_ID", ebs_policy());
  ASSERT_TRUE(qualified.allowed()) << dump(qualified);
  EXPECT_EQ(qualified.sql,
            "SELECT i.*, c.CHECK_ID, c.VENDOR_ID, c.AMOUNT, c.BANK_ACCOUNT_NAME FROM AP_INVOICES_ALL i, "
            "AP_CHECKS_ALL c WHERE i.VENDOR_ID = c.VENDOR_ID");

  // A star over tables without denied columns is left alone.
  GuardResult plain = check("SELECT * FROM AP_INVOICES_ALL", ebs_policy());
  EXPECT_FALSE(plain.rewritten);
  EXPECT_EQ(plain.sql, "SELECT * FROM AP_INVOICES_ALL");

  // Inner stars are expanded too, so outer stars over them only see permitted columns.
  GuardResult nested = check("SELECT * FROM (SELECT * FROM AP_CHECKS_ALL) t", ebs_policy());
  ASSERT_TRUE(nested.allowed()) << dump(nested);
  EXPECT_EQ(nested.sql,
            "SELECT * FROM (SELECT AP_CHECKS_ALL.CHECK_ID, AP_CHECKS_ALL.VENDOR_ID, AP_CHECKS_ALL.AMOUNT, "
            "AP_CHECKS_ALL.BANK_ACCOUNT_NAME FROM AP_CHECKS_ALL) t");
}

TEST(GuardrailTest, StarIsRefusedWhereItCannotBeExpanded) {
  Policy refuse = ebs_policy();
  refuse.select_star = StarMode::kRefuse;
  GuardResult r = check("SELECT * FROM AP_CHECKS_ALL", refuse);
  EXPECT_TRUE(has_code(r, "select_star")) << dump(r);
  EXPECT_NE(r.feedback().find("AP_CHECKS_ALL.BANK_ACCOUNT_NUM"), std::string::npos) << r.feedback();

  GuardResult using_join = check("SELECT * FROM AP_SUPPLIERS JOIN AP_CHECKS_ALL USING (VENDOR_ID)", ebs_policy());
  EXPECT_TRUE(has_code(using_join, "select_star")) << dump(using_join);

  // Without a catalog the permitted columns are unknown.
  Policy narrow = default_policy();
  narrow.denied_columns = {"AP_CHECKS_ALL.BANK_ACCOUNT_NUM"};
  Guardrail blind(narrow, nullptr);
  GuardResult b = blind.check("SELECT * FROM AP_CHECKS_ALL", GuardOptions{});
  EXPECT_TRUE(has_code(b, "select_star")) << dump(b);
  EXPECT_TRUE(blind.check("SELECT * FROM AP_INVOICES_ALL", GuardOptions{}).allowed());
  EXPECT_FALSE(blind.check("SELECT c.BANK_ACCOUNT_NUM FROM AP_CHECKS_ALL c", GuardOptions{}).allowed());
}

// ---------------------------------------------------------------- functions and limits

TEST(GuardrailTest, FunctionDenylist) {
  const char* refused[] = {
      "SELECT load_extension('x')",
      "SELECT LOAD_EXTENSION('x', 'y')",
      "SELECT 1 WHERE 1 = (SELECT count(*) FROM AP_SUPPLIERS WHERE pg_sleep(5) IS NULL)",
      "SELECT pg_sleep_for('5 minutes')",
      "SELECT pg_catalog.pg_read_file('/etc/passwd')",
      "SELECT dblink_exec('host=x', 'delete from t')",
      "SELECT * FROM dblink('host=x', 'select 1') AS t",
      "SELECT lo_import('/etc/passwd')",
      "SELECT nextval('seq')",
      "SELECT query_to_xml('delete from t', true, true, '')",
  };
  for (const char* sql : refused) {
    GuardResult r = check(sql, default_policy(), Dialect::kPostgres);
    EXPECT_TRUE(has_code(r, "denied_function")) << sql << "\n" << dump(r);
  }
  Policy custom = default_policy();
  custom.denied_functions = {"random*"};
  EXPECT_FALSE(check("SELECT VENDOR_ID FROM AP_SUPPLIERS ORDER BY RANDOM()", custom).allowed());
  EXPECT_TRUE(check("SELECT load_extension('x')", custom).allowed());  // the policy's list replaces the default
  EXPECT_TRUE(check("SELECT lower(VENDOR_NAME), count(*), max(VENDOR_ID) FROM AP_SUPPLIERS GROUP BY 1").allowed());
}

TEST(GuardrailTest, NestingAndJoinLimits) {
  Policy p = default_policy();
  p.max_nesting = 2;
  p.max_joins = 2;
  GuardResult depth2 = check(
      "SELECT 1 FROM AP_SUPPLIERS WHERE VENDOR_ID IN (SELECT VENDOR_ID FROM AP_CHECKS_ALL WHERE AMOUNT > "
      "(SELECT avg(AMOUNT) FROM AP_CHECKS_ALL))",
      p);
  EXPECT_TRUE(depth2.allowed()) << dump(depth2);
  EXPECT_EQ(depth2.nesting_depth, 2u);
  GuardResult depth3 = check(
      "SELECT 1 FROM AP_SUPPLIERS WHERE VENDOR_ID IN (SELECT VENDOR_ID FROM AP_CHECKS_ALL WHERE AMOUNT > "
      "(SELECT avg(AMOUNT) FROM (SELECT AMOUNT FROM AP_CHECKS_ALL) t))",
      p);
  EXPECT_EQ(depth3.nesting_depth, 3u);
  EXPECT_TRUE(has_code(depth3, "max_nesting")) << dump(depth3);
  // The arms of set operations stay at their query's level; a WITH body is one level down.
  GuardResult flat = check("SELECT 1 UNION SELECT 2 UNION SELECT 3", p);
  EXPECT_EQ(flat.nesting_depth, 0u);
  GuardResult with = check("WITH a AS (SELECT 1 AS x) SELECT x FROM a UNION SELECT 2", p);
  EXPECT_EQ(with.nesting_depth, 1u);

  GuardResult joins2 = check(
      "SELECT 1 FROM AP_SUPPLIERS s JOIN AP_CHECKS_ALL c ON c.VENDOR_ID = s.VENDOR_ID, "
      "AP_INVOICES_ALL i WHERE i.VENDOR_ID = s.VENDOR_ID",
      p);
  EXPECT_EQ(joins2.joins, 2u);
  EXPECT_TRUE(joins2.allowed()) << dump(joins2);
  GuardResult joins3 = check(
      "SELECT 1 FROM AP_SUPPLIERS s JOIN AP_CHECKS_ALL c ON c.VENDOR_ID = s.VENDOR_ID JOIN AP_INVOICES_ALL i ON "
      "i.VENDOR_ID = s.VENDOR_ID WHERE EXISTS (SELECT 1 FROM AP_CHECKS_ALL a JOIN AP_CHECKS_ALL b ON a.CHECK_ID = "
      "b.CHECK_ID)",
      p);
  EXPECT_EQ(joins3.joins, 3u);
  EXPECT_TRUE(has_code(joins3, "max_joins")) << dump(joins3);
}

// ---------------------------------------------------------------- row limit

struct LimitCase {
  Dialect dialect;
  const char* sql;
  const char* expected;
};

TEST(GuardrailTest, RowLimitInjectedInEachDialect) {
  Policy p = default_policy();
  p.row_limit = 50;
  const LimitCase cases[] = {
      {Dialect::kSqlite, "SELECT VENDOR_NAME FROM AP_SUPPLIERS ORDER BY VENDOR_NAME",
       "SELECT VENDOR_NAME FROM AP_SUPPLIERS ORDER BY VENDOR_NAME LIMIT 50"},
      {Dialect::kPostgres, "SELECT VENDOR_NAME FROM AP_SUPPLIERS ORDER BY VENDOR_NAME",
       "SELECT VENDOR_NAME FROM AP_SUPPLIERS ORDER BY VENDOR_NAME LIMIT 50"},
      {Dialect::kOracle, "SELECT VENDOR_NAME FROM AP_SUPPLIERS ORDER BY VENDOR_NAME",
       "SELECT VENDOR_NAME FROM AP_SUPPLIERS ORDER BY VENDOR_NAME FETCH FIRST 50 ROWS ONLY"},
      {Dialect::kSqlite, "SELECT VENDOR_ID FROM AP_SUPPLIERS UNION SELECT VENDOR_ID FROM AP_CHECKS_ALL",
       "SELECT VENDOR_ID FROM AP_SUPPLIERS UNION SELECT VENDOR_ID FROM AP_CHECKS_ALL LIMIT 50"},
      {Dialect::kOracle, "SELECT VENDOR_ID FROM AP_SUPPLIERS MINUS SELECT VENDOR_ID FROM AP_CHECKS_ALL",
       "SELECT VENDOR_ID FROM AP_SUPPLIERS MINUS SELECT VENDOR_ID FROM AP_CHECKS_ALL FETCH FIRST 50 ROWS ONLY"},
      {Dialect::kPostgres, "SELECT VENDOR_ID FROM AP_SUPPLIERS OFFSET 10",
       "SELECT VENDOR_ID FROM AP_SUPPLIERS LIMIT 50 OFFSET 10"},
      {Dialect::kPostgres, "SELECT VENDOR_ID FROM AP_SUPPLIERS LIMIT ALL",
       "SELECT VENDOR_ID FROM AP_SUPPLIERS LIMIT 50"},
      {Dialect::kOracle, "SELECT VENDOR_ID FROM AP_SUPPLIERS OFFSET 5 ROWS",
       "SELECT VENDOR_ID FROM AP_SUPPLIERS OFFSET 5 ROWS FETCH FIRST 50 ROWS ONLY"},
      {Dialect::kSqlite, "WITH t AS (SELECT VENDOR_ID FROM AP_SUPPLIERS) SELECT * FROM t",
       "WITH t AS (SELECT VENDOR_ID FROM AP_SUPPLIERS) SELECT * FROM t LIMIT 50"},
  };
  for (const LimitCase& c : cases) {
    GuardResult r = check(c.sql, p, c.dialect, /*interactive=*/true);
    ASSERT_TRUE(r.allowed()) << c.sql << "\n" << dump(r);
    EXPECT_TRUE(r.row_limit_injected) << c.sql;
    EXPECT_EQ(r.sql, c.expected) << dialect_name(c.dialect);
  }
}

TEST(GuardrailTest, RowLimitKeepsAnExistingLimitAndNeverAppliesInEvaluation) {
  Policy p = default_policy();
  p.row_limit = 50;
  const LimitCase kept[] = {
      {Dialect::kSqlite, "SELECT VENDOR_ID FROM AP_SUPPLIERS LIMIT 5", nullptr},
      {Dialect::kSqlite, "SELECT VENDOR_ID FROM AP_SUPPLIERS LIMIT 2, 5", nullptr},
      {Dialect::kPostgres, "SELECT VENDOR_ID FROM AP_SUPPLIERS FETCH FIRST 3 ROWS ONLY", nullptr},
      {Dialect::kOracle, "SELECT VENDOR_ID FROM AP_SUPPLIERS WHERE ROWNUM <= 10", nullptr},
      {Dialect::kOracle, "SELECT VENDOR_ID FROM AP_SUPPLIERS FETCH FIRST 10 ROWS ONLY", nullptr},
      {Dialect::kSqlite, "VALUES (1), (2)", nullptr},
  };
  for (const LimitCase& c : kept) {
    GuardResult r = check(c.sql, p, c.dialect, true);
    ASSERT_TRUE(r.allowed()) << c.sql << "\n" << dump(r);
    EXPECT_FALSE(r.row_limit_injected) << c.sql;
    EXPECT_EQ(r.sql, c.sql);
  }
  GuardResult eval = check("SELECT VENDOR_ID FROM AP_SUPPLIERS", p, Dialect::kSqlite, /*interactive=*/false);
  EXPECT_FALSE(eval.row_limit_injected);
  EXPECT_EQ(eval.sql, "SELECT VENDOR_ID FROM AP_SUPPLIERS");
  p.row_limit = 0;
  EXPECT_FALSE(check("SELECT VENDOR_ID FROM AP_SUPPLIERS", p, Dialect::kSqlite, true).row_limit_injected);
}

TEST(GuardrailTest, RewritesCombine) {
  Policy p = ebs_policy();
  p.row_limit = 20;
  GuardResult r = check("SELECT * FROM AP_CHECKS_ALL c WHERE c.AMOUNT > 100", p, Dialect::kOracle, true);
  ASSERT_TRUE(r.allowed()) << dump(r);
  EXPECT_EQ(r.sql,
            "SELECT c.CHECK_ID, c.VENDOR_ID, c.AMOUNT, c.BANK_ACCOUNT_NAME FROM AP_CHECKS_ALL c WHERE c.AMOUNT > 100 "
            "FETCH FIRST 20 ROWS ONLY");
}

}  // namespace
}  // namespace askguru::guard
