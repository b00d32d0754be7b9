// `askguru check` and `askguru sql --policy/--role`: the guardrail from the command line,
// on the EBS demo database (generated) and with the shipped policies.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "askguru/db/connection.h"
#include "askguru/demo/ebs_demo.h"
#include "askguru/guard/review.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::guard {
namespace {

using askguru::testing::CliRun;
using askguru::testing::run_askguru;

std::string policy_file(const char* name) {
  return std::string(ASKGURU_SOURCE_DIR) + "/policies/" + name;
}

class GuardCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new askguru::testing::TempDir();
    ASSERT_TRUE(demo::build_ebs_demo(dir_->path().string()).ok());
    db_ = demo::ebs_demo_db_path(dir_->path().string());
  }
  static void TearDownTestSuite() { delete dir_; }
  static askguru::testing::TempDir* dir_;
  static std::string db_;
};

askguru::testing::TempDir* GuardCli::dir_ = nullptr;
std::string GuardCli::db_;

TEST_F(GuardCli, CheckPrintsAnalysisVerdictAndJoins) {
  CliRun ok = run_askguru("check --db " + db_ +
                          " 'SELECT s.VENDOR_NAME, c.AMOUNT FROM AP_CHECKS_ALL c JOIN AP_SUPPLIERS s ON "
                          "c.VENDOR_ID = s.VENDOR_ID'");
  EXPECT_EQ(ok.status, 0) << ok.out;
  EXPECT_NE(ok.out.find("tables: AP_CHECKS_ALL AS c, AP_SUPPLIERS AS s"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("guardrail: allow"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("LIMIT 1000"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("joins: ok (1 column equalities, 1 following a foreign key)"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("score: 1.00"), std::string::npos) << ok.out;

  CliRun wrong = run_askguru("check --db " + db_ +
                             " 'SELECT c.AMOUNT FROM AP_CHECKS_ALL c JOIN AP_SUPPLIER_SITES_ALL t ON c.VENDOR_ID = "
                             "t.VENDOR_SITE_ID'");
  EXPECT_EQ(wrong.status, 0) << wrong.out;  // runnable, but wrong: the findings say so
  EXPECT_NE(wrong.out.find("joins: error"), std::string::npos) << wrong.out;
  EXPECT_NE(wrong.out.find("references AP_SUPPLIERS.VENDOR_ID"), std::string::npos) << wrong.out;

  CliRun refused =
      run_askguru("check --db " + db_ + " 'WITH d AS (DELETE FROM AP_SUPPLIERS RETURNING *) SELECT * FROM d'");
  EXPECT_EQ(refused.status, 2) << refused.out;
  EXPECT_NE(refused.out.find("guardrail: refuse"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("score: 0.00"), std::string::npos) << refused.out;
}

TEST_F(GuardCli, CheckJsonWithPolicyRoleAndDialect) {
  CliRun r = run_askguru("check --db " + db_ + " --policy " + policy_file("ebs_demo.yaml") +
                         " --dialect oracle --json 'SELECT * FROM AP_CHECKS_ALL WHERE AMOUNT > 100'");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["policy"], "ebs_demo");
  EXPECT_EQ(j["guardrail"]["verdict"], "allow");
  std::string sql = j["guardrail"]["sql"];
  EXPECT_EQ(sql.find("BANK_ACCOUNT_NUM"), std::string::npos) << sql;
  EXPECT_NE(sql.find("AP_CHECKS_ALL.BANK_ACCOUNT_NAME"), std::string::npos) << sql;
  EXPECT_NE(sql.find("FETCH FIRST 500 ROWS ONLY"), std::string::npos) << sql;

  CliRun treasury = run_askguru("check --db " + db_ + " --policy " + policy_file("ebs_demo.yaml") +
                                " --role treasury --json 'SELECT BANK_ACCOUNT_NUM FROM AP_CHECKS_ALL'");
  EXPECT_EQ(treasury.status, 0) << treasury.out;
  CliRun clerk = run_askguru("check --db " + db_ + " --policy " + policy_file("ebs_demo.yaml") +
                             " --role ap_clerk --json 'SELECT BANK_ACCOUNT_NUM FROM AP_CHECKS_ALL'");
  EXPECT_EQ(clerk.status, 2) << clerk.out;
  auto cj = nlohmann::json::parse(clerk.out);
  EXPECT_EQ(cj["guardrail"]["findings"][0]["code"], "denied_column");

  CliRun norole =
      run_askguru("check --db " + db_ + " --policy " + policy_file("ebs_demo.yaml") + " --role intern 'SELECT 1'");
  EXPECT_EQ(norole.status, 1);
  EXPECT_NE(norole.out.find("askguru check: not found: "), std::string::npos) << norole.out;
  EXPECT_NE(norole.out.find("no role 'intern'"), std::string::npos) << norole.out;
}

TEST_F(GuardCli, BadPolicyFileNamesTheKey) {
  std::string path = dir_->file("bad.yaml");
  std::ofstream(path) << "name: x\nmax_joins: lots\n";
  CliRun r = run_askguru("check --db " + db_ + " --policy " + path + " 'SELECT 1'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("bad.yaml:2: max_joins: expected a non-negative integer, got 'lots'"), std::string::npos)
      << r.out;
  CliRun s = run_askguru("sql --db " + db_ + " --policy " + path + " 'SELECT 1'");
  EXPECT_EQ(s.status, 1);
  EXPECT_NE(s.out.find("max_joins"), std::string::npos) << s.out;
}

TEST_F(GuardCli, SqlRunsTheGuardrailFirst) {
  CliRun rows = run_askguru("sql --db " + db_ + " --policy " + policy_file("ebs_demo.yaml") +
                                " --json 'SELECT * FROM AP_CHECKS_ALL ORDER BY CHECK_ID'",
                            /*stderr_too=*/false);
  ASSERT_EQ(rows.status, 0) << rows.out;
  auto j = nlohmann::json::parse(rows.out);
  EXPECT_EQ(j["row_count"], 456);
  for (const auto& c : j["columns"]) EXPECT_NE(c, "BANK_ACCOUNT_NUM");
  EXPECT_EQ(j["columns"].size(), 16u);  // 17 columns less the denied one
  EXPECT_EQ(j["columns"][0], "CHECK_ID");
  CliRun noted = run_askguru("sql --db " + db_ + " --policy " + policy_file("ebs_demo.yaml") +
                             " --max-rows 1 'SELECT * FROM AP_CHECKS_ALL'");
  EXPECT_NE(noted.out.find("askguru sql: note: '*' was expanded to the permitted columns; "
                           "AP_CHECKS_ALL.BANK_ACCOUNT_NUM withheld"),
            std::string::npos)
      << noted.out;

  CliRun limited = run_askguru("sql --db " + db_ + " --policy " + policy_file("ebs_demo.yaml") +
                               " --max-rows 0 --json 'SELECT LINE_NUMBER FROM AP_INVOICE_LINES_ALL'");
  ASSERT_EQ(limited.status, 0) << limited.out;
  EXPECT_EQ(nlohmann::json::parse(limited.out)["row_count"], 500);  // the policy's row limit: LIMIT 500

  CliRun denied = run_askguru("sql --db " + db_ + " --policy " + policy_file("ebs_demo.yaml") +
                              " 'SELECT BANK_ACCOUNT_NUM FROM AP_CHECKS_ALL'");
  EXPECT_EQ(denied.status, 2);
  EXPECT_EQ(denied.out,
            "askguru sql: refused: Column AP_CHECKS_ALL.BANK_ACCOUNT_NUM may not be read under the 'ebs_demo' "
            "policy; answer the question without it.\n");

  CliRun keyword = run_askguru(
      "sql --db " + db_ + " 'SELECT count(*) FROM AP_INVOICES_ALL WHERE DESCRIPTION = '\"'\"'DELETE REQUESTED'\"'\"''");
  EXPECT_EQ(keyword.status, 0) << keyword.out;

  CliRun attach = run_askguru("sql --db " + db_ + " \"ATTACH DATABASE '/tmp/x.db' AS x\"");
  EXPECT_EQ(attach.status, 2) << attach.out;
  EXPECT_NE(attach.out.find("ATTACH"), std::string::npos) << attach.out;
}

// The demo's gold queries (examples/ebs_demo) are correct: the default policy lets every
// one through and the join validator finds no error in any of them. Under the EBS policy
// only those that read a denied column are refused.
TEST_F(GuardCli, DemoGoldQueriesPass) {
  auto conn = db::open_connection(db_);
  ASSERT_TRUE(conn.ok());
  auto cat = (*conn)->introspect();
  ASSERT_TRUE(cat.ok());
  auto ebs = resolve_policy(policy_file("ebs_demo.yaml"), "");
  ASSERT_TRUE(ebs.ok()) << ebs.error();
  size_t total = 0, refused_ebs = 0;
  for (const char* file : {"questions.json", "train.json"}) {
    std::ifstream in(std::string(ASKGURU_SOURCE_DIR) + "/examples/ebs_demo/" + file);
    ASSERT_TRUE(in.good()) << file;
    auto items = nlohmann::json::parse(in);
    for (const auto& q : items) {
      std::string sql = q["SQL"];
      ++total;
      ReviewOptions options;
      options.interactive = false;
      Review r = review(sql, *cat, default_policy(), options);
      EXPECT_TRUE(r.guard.allowed()) << sql << "\n" << r.feedback();
      EXPECT_EQ(count_findings(r.joins.findings, Severity::kError), 0u) << sql << "\n" << r.feedback();
      Review e = review(sql, *cat, *ebs, options);
      if (!e.guard.allowed()) {
        ++refused_ebs;
        bool reads_denied =
            sql.find("BANK_ACCOUNT_NUM") != std::string::npos || sql.find("NUM_1099") != std::string::npos;
        EXPECT_TRUE(reads_denied) << sql << "\n" << e.feedback();
      }
    }
  }
  EXPECT_GT(total, 100u);
  EXPECT_LE(refused_ebs, 3u);
}

}  // namespace
}  // namespace askguru::guard
