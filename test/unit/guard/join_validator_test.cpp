// Join validator and review on a real SQLite fixture with declared foreign keys.
#include "askguru/guard/join_validator.h"

#include <gtest/gtest.h>

#include "askguru/db/connection.h"
#include "askguru/guard/review.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/parser.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::guard {
namespace {

// suppliers ← sites ← checks → suppliers; invoices → suppliers; payments → (invoices, checks);
// notes and legacy have no keys; payments has a composite primary key.
constexpr const char* kSchema = R"(
CREATE TABLE suppliers (vendor_id INTEGER PRIMARY KEY, name TEXT NOT NULL, segment1 TEXT, tax_id TEXT);
CREATE TABLE sites (site_id INTEGER PRIMARY KEY, vendor_id INTEGER NOT NULL REFERENCES suppliers (vendor_id),
                    city TEXT, opened DATE);
CREATE TABLE checks (check_id INTEGER PRIMARY KEY, vendor_id INTEGER REFERENCES suppliers (vendor_id),
                     site_id INTEGER REFERENCES sites (site_id), amount REAL, paid_on TEXT, bank_account TEXT);
CREATE TABLE invoices (invoice_id INTEGER PRIMARY KEY, vendor_id INTEGER REFERENCES suppliers (vendor_id),
                       invoice_num TEXT, amount REAL, status TEXT);
CREATE TABLE payments (invoice_id INTEGER REFERENCES invoices (invoice_id), check_id INTEGER REFERENCES checks,
                       amount REAL, PRIMARY KEY (invoice_id, check_id));
CREATE TABLE notes (note_id INTEGER PRIMARY KEY, ref TEXT, body TEXT, payload BLOB);
CREATE TABLE legacy (vendor_id VARCHAR(10), remark TEXT);
CREATE TABLE lines (invoice_id INTEGER REFERENCES invoices (invoice_id), line_number INTEGER, amount REAL,
                    PRIMARY KEY (invoice_id, line_number));
CREATE TABLE dists (dist_id INTEGER PRIMARY KEY, invoice_id INTEGER, invoice_line_number INTEGER, account TEXT,
                    FOREIGN KEY (invoice_id, invoice_line_number) REFERENCES lines (invoice_id, line_number));
INSERT INTO suppliers VALUES (1, 'Acme', '31005', 'X');
)";

class JoinValidatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new askguru::testing::TempDir();
    std::string path = dir_->file("fk.sqlite");
    askguru::testing::write_database(path, kSchema);
    auto conn = db::open_connection(path);
    ASSERT_TRUE(conn.ok()) << conn.error();
    auto cat = (*conn)->introspect();
    ASSERT_TRUE(cat.ok()) << cat.error();
    catalog_ = new catalog::Catalog(std::move(*cat));
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete dir_;
  }

  static JoinReport validate(const std::string& sql) {
    auto ast = sql::parse(sql, Dialect::kSqlite);
    EXPECT_TRUE(ast.ok()) << ast.error();
    if (!ast.ok()) return {};
    auto analysis = sql::analyze(*ast, *catalog_);
    EXPECT_TRUE(analysis.ok()) << analysis.error();
    if (!analysis.ok()) return {};
    return validate_joins(*ast, *analysis, *catalog_);
  }

  static std::string dump(const JoinReport& r) { return format_findings(r.findings, Severity::kNote); }

  static bool has(const JoinReport& r, std::string_view code, Severity severity) {
    for (const Finding& f : r.findings) {
      if (f.code == code && f.severity == severity) return true;
    }
    return false;
  }

  static askguru::testing::TempDir* dir_;
  static catalog::Catalog* catalog_;
};

askguru::testing::TempDir* JoinValidatorTest::dir_ = nullptr;
catalog::Catalog* JoinValidatorTest::catalog_ = nullptr;

TEST_F(JoinValidatorTest, ForeignKeyJoinsAreClean) {
  const char* clean[] = {
      "SELECT s.name, c.amount FROM checks c JOIN suppliers s ON c.vendor_id = s.vendor_id",
      "SELECT s.name FROM suppliers s JOIN sites t ON t.vendor_id = s.vendor_id JOIN checks c ON c.site_id = "
      "t.site_id",
      "SELECT s.name FROM suppliers s, invoices i WHERE s.vendor_id = i.vendor_id AND i.amount > 10",
      "SELECT name FROM suppliers JOIN invoices USING (vendor_id)",
      "SELECT name FROM suppliers NATURAL JOIN invoices",
      // Both columns reference the same key: a join through it.
      "SELECT i.invoice_num FROM invoices i JOIN checks c ON c.vendor_id = i.vendor_id",
      // The payments key is implicit in the DDL (REFERENCES checks): the primary key.
      "SELECT p.amount FROM payments p JOIN checks c ON c.check_id = p.check_id",
      // Correlated subquery following the key.
      "SELECT name FROM suppliers s WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.vendor_id = s.vendor_id)",
      // Single-row derived tables and a LEFT JOIN.
      "SELECT c.amount / t.total FROM checks c, (SELECT sum(amount) AS total FROM checks) t",
      "SELECT s.name, count(i.invoice_id) FROM suppliers s LEFT JOIN invoices i ON i.vendor_id = s.vendor_id "
      "GROUP BY s.name",
      // The same table twice with different roles is fine.
      "SELECT a.name, b.name FROM suppliers a JOIN suppliers b ON a.segment1 = b.segment1 AND a.vendor_id < "
      "b.vendor_id",
      // Non-equality join conditions connect too.
      "SELECT 1 FROM checks c JOIN invoices i ON c.amount BETWEEN i.amount - 1 AND i.amount + 1",
  };
  for (const char* sql : clean) {
    JoinReport r = validate(sql);
    EXPECT_EQ(count_findings(r.findings, Severity::kError), 0u) << sql << "\n" << dump(r);
  }
  JoinReport fk = validate(clean[1]);
  EXPECT_EQ(fk.verdict, JoinVerdict::kOk) << dump(fk);
  EXPECT_EQ(fk.equalities_checked, 2);
  EXPECT_EQ(fk.foreign_key_joins, 2);
  EXPECT_DOUBLE_EQ(fk.score, 1.0);
}

TEST_F(JoinValidatorTest, JoinThatContradictsAForeignKey) {
  JoinReport r = validate("SELECT c.amount FROM checks c JOIN sites t ON c.vendor_id = t.site_id");
  EXPECT_EQ(r.verdict, JoinVerdict::kError);
  ASSERT_TRUE(has(r, "join_contradicts_fk", Severity::kError)) << dump(r);
  std::string text = dump(r);
  EXPECT_NE(text.find("c.vendor_id (checks.vendor_id) references suppliers.vendor_id"), std::string::npos) << text;
  EXPECT_NE(text.find("t.site_id"), std::string::npos) << text;
  EXPECT_LT(r.score, 1.0);
  // The right table but the wrong column.
  JoinReport col = validate("SELECT 1 FROM payments p JOIN checks c ON p.check_id = c.vendor_id");
  EXPECT_TRUE(has(col, "join_contradicts_fk", Severity::kError)) << dump(col);
}

TEST_F(JoinValidatorTest, JoinWithoutForeignKeyIsAWarning) {
  JoinReport r = validate("SELECT 1 FROM invoices i JOIN notes n ON n.ref = i.invoice_num");
  EXPECT_EQ(r.verdict, JoinVerdict::kWarning) << dump(r);
  EXPECT_TRUE(has(r, "join_without_fk", Severity::kWarning)) << dump(r);
  EXPECT_DOUBLE_EQ(r.score, 0.9);
}

TEST_F(JoinValidatorTest, IncompatibleTypes) {
  JoinReport r = validate("SELECT 1 FROM invoices i JOIN notes n ON n.ref = i.invoice_id");
  EXPECT_TRUE(has(r, "join_type_mismatch", Severity::kError)) << dump(r);
  // The same name on both sides: the schema's types are loose, the join is meant.
  JoinReport named = validate("SELECT 1 FROM suppliers s JOIN legacy l ON l.vendor_id = s.vendor_id");
  EXPECT_FALSE(has(named, "join_type_mismatch", Severity::kError)) << dump(named);
  EXPECT_TRUE(has(named, "join_type_mismatch", Severity::kWarning)) << dump(named);
  JoinReport blob = validate("SELECT 1 FROM invoices i JOIN notes n ON n.payload = i.invoice_num");
  EXPECT_TRUE(has(blob, "join_type_mismatch", Severity::kError)) << dump(blob);
  // Dates stored as text join text.
  JoinReport date = validate("SELECT 1 FROM sites t JOIN checks c ON c.paid_on = t.opened AND c.site_id = t.site_id");
  EXPECT_FALSE(has(date, "join_type_mismatch", Severity::kError)) << dump(date);
}

TEST_F(JoinValidatorTest, MissingJoinConditions) {
  JoinReport comma = validate("SELECT s.name, c.amount FROM suppliers s, checks c WHERE c.amount > 5");
  ASSERT_TRUE(has(comma, "cartesian_product", Severity::kError)) << dump(comma);
  EXPECT_NE(dump(comma).find("c.vendor_id = s.vendor_id"), std::string::npos) << dump(comma);  // the repair
  JoinReport on_true = validate("SELECT 1 FROM suppliers s JOIN invoices i ON 1 = 1");
  EXPECT_TRUE(has(on_true, "cartesian_product", Severity::kError)) << dump(on_true);
  // Three tables, one left out.
  JoinReport three =
      validate("SELECT 1 FROM suppliers s JOIN invoices i ON i.vendor_id = s.vendor_id JOIN notes n ON n.body = 'x'");
  EXPECT_TRUE(has(three, "cartesian_product", Severity::kError)) << dump(three);
  EXPECT_NE(dump(three).find("notes n is not joined"), std::string::npos) << dump(three);
  // Inside a subquery too.
  JoinReport sub =
      validate("SELECT name FROM suppliers WHERE vendor_id IN (SELECT i.vendor_id FROM invoices i, checks c)");
  EXPECT_TRUE(has(sub, "cartesian_product", Severity::kError)) << dump(sub);
  // An explicit CROSS JOIN is a warning.
  JoinReport cross = validate("SELECT 1 FROM suppliers CROSS JOIN notes");
  EXPECT_TRUE(has(cross, "cross_join", Severity::kWarning)) << dump(cross);
  EXPECT_FALSE(has(cross, "cartesian_product", Severity::kError));
  // Connected through a correlated subquery's condition.
  JoinReport via = validate(
      "SELECT 1 FROM suppliers s, checks c WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.vendor_id = s.vendor_id "
      "AND i.amount = c.amount)");
  EXPECT_FALSE(has(via, "cartesian_product", Severity::kError)) << dump(via);
}

TEST_F(JoinValidatorTest, SameTableJoinedTwice) {
  JoinReport key = validate("SELECT a.amount FROM checks a JOIN checks b ON a.check_id = b.check_id");
  EXPECT_TRUE(has(key, "self_join_on_key", Severity::kError)) << dump(key);
  JoinReport composite =
      validate("SELECT 1 FROM payments a JOIN payments b ON a.invoice_id = b.invoice_id AND a.check_id = b.check_id");
  EXPECT_TRUE(has(composite, "self_join_on_key", Severity::kError)) << dump(composite);
  JoinReport partial = validate("SELECT 1 FROM payments a JOIN payments b ON a.invoice_id = b.invoice_id");
  EXPECT_FALSE(has(partial, "self_join_on_key", Severity::kError)) << dump(partial);
  JoinReport redundant = validate(
      "SELECT s.name, x.city FROM suppliers s JOIN sites x ON x.vendor_id = s.vendor_id JOIN sites y ON y.vendor_id "
      "= s.vendor_id");
  EXPECT_TRUE(has(redundant, "redundant_join", Severity::kWarning)) << dump(redundant);
  EXPECT_NE(dump(redundant).find("y is used nowhere else"), std::string::npos) << dump(redundant);
  // Two instances filtered differently answer a different question: not redundant.
  JoinReport roles = validate(
      "SELECT s.name FROM suppliers s JOIN sites x ON x.vendor_id = s.vendor_id JOIN sites y ON y.vendor_id = "
      "s.vendor_id WHERE x.city = 'Oslo' AND y.city = 'Rome'");
  EXPECT_FALSE(has(roles, "redundant_join", Severity::kWarning)) << dump(roles);
}

TEST_F(JoinValidatorTest, PartOfACompositeKey) {
  JoinReport part = validate("SELECT d.account FROM dists d JOIN lines l ON l.invoice_id = d.invoice_id");
  ASSERT_TRUE(has(part, "partial_composite_key", Severity::kWarning)) << dump(part);
  EXPECT_NE(dump(part).find("add d.invoice_line_number = l.line_number"), std::string::npos) << dump(part);
  JoinReport whole = validate(
      "SELECT d.account FROM dists d JOIN lines l ON l.invoice_id = d.invoice_id AND l.line_number = "
      "d.invoice_line_number");
  EXPECT_EQ(whole.verdict, JoinVerdict::kOk) << dump(whole);
  EXPECT_EQ(whole.foreign_key_joins, 2);
  // Distributions straight to their invoice: the key chain dists → lines → invoices.
  JoinReport chain = validate("SELECT i.invoice_num FROM invoices i JOIN dists d ON d.invoice_id = i.invoice_id");
  EXPECT_EQ(chain.verdict, JoinVerdict::kOk) << dump(chain);
}

TEST_F(JoinValidatorTest, CatalogWithoutForeignKeysGivesNoFkWarnings) {
  catalog::Catalog bare = *catalog_;
  bare.foreign_keys.clear();
  auto ast = sql::parse("SELECT 1 FROM invoices i JOIN notes n ON n.ref = i.invoice_num", Dialect::kSqlite);
  ASSERT_TRUE(ast.ok());
  auto analysis = sql::analyze(*ast, bare);
  ASSERT_TRUE(analysis.ok());
  JoinReport r = validate_joins(*ast, *analysis, bare);
  EXPECT_EQ(r.verdict, JoinVerdict::kOk) << dump(r);
  EXPECT_FALSE(r.catalog_has_foreign_keys);
}

TEST_F(JoinValidatorTest, ReviewCombinesAndScores) {
  ReviewOptions options;
  options.interactive = false;
  Review good = review("SELECT s.name FROM suppliers s JOIN invoices i ON i.vendor_id = s.vendor_id", *catalog_,
                       default_policy(), options);
  EXPECT_TRUE(good.guard.allowed());
  EXPECT_DOUBLE_EQ(good.score, 1.0);
  EXPECT_TRUE(good.feedback().empty()) << good.feedback();
  Review cartesian = review("SELECT s.name FROM suppliers s, invoices i", *catalog_, default_policy(), options);
  EXPECT_TRUE(cartesian.guard.allowed());
  EXPECT_LT(cartesian.score, good.score);
  EXPECT_NE(cartesian.feedback().find("cartesian product"), std::string::npos);
  Review unknown = review("SELECT s.nmae FROM suppliers s", *catalog_, default_policy(), options);
  EXPECT_LT(unknown.score, 1.0);
  EXPECT_NE(unknown.feedback().find("did you mean"), std::string::npos) << unknown.feedback();
  Review refused = review("DELETE FROM suppliers", *catalog_, default_policy(), options);
  EXPECT_FALSE(refused.guard.allowed());
  EXPECT_DOUBLE_EQ(refused.score, 0.0);
  Review broken = review("SELECT FROM WHERE", *catalog_, default_policy(), options);
  EXPECT_DOUBLE_EQ(broken.score, 0.0);
  EXPECT_NE(review_json(broken).find("\"verdict\":\"refuse\""), std::string::npos);
  std::string json = review_json(cartesian);
  EXPECT_NE(json.find("\"code\":\"cartesian_product\""), std::string::npos) << json;
  std::string text = review_text(good);
  EXPECT_NE(text.find("guardrail: allow"), std::string::npos) << text;
  EXPECT_NE(text.find("joins: ok"), std::string::npos) << text;
}

}  // namespace
}  // namespace askguru::guard
