// Tests of the EBS demo database generator: real SQLite files built by the
// generator, read with the sqlite3 C API.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "askguru/common/files.h"
#include "demo_test_util.h"

namespace askguru::demo {
namespace {

using namespace demo_test;  // NOLINT
namespace fs = std::filesystem;

TEST_F(EbsDemo, WritesTheDbRootLayout) {
  EXPECT_EQ(summary_->db_path, (*dir_ / "ebs_demo" / "ebs_demo.sqlite").string());
  EXPECT_TRUE(fs::is_regular_file(summary_->db_path));
  EXPECT_FALSE(fs::exists(summary_->db_path + ".tmp"));
  EXPECT_EQ(summary_->row_counts.size(), ebs_demo_tables().size());
  int64_t total = 0;
  for (const auto& [table, rows] : summary_->row_counts) total += rows;
  EXPECT_EQ(total, summary_->total_rows);
}

TEST_F(EbsDemo, IsDeterministic) {
  const fs::path other = temp_dir("second");
  DemoSummary second;
  ASSERT_TRUE(build_ebs_demo(other.string(), &second).ok());
  EXPECT_EQ(content_hash(db_path()), content_hash(second.db_path));
  // Same library, same operations: the very same bytes.
  auto a = hash::file_xxh64(db_path());
  auto b = hash::file_xxh64(second.db_path);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  for (const auto& table : ebs_demo_tables()) {
    auto x = files::read_file((*dir_ / "ebs_demo" / "database_description" / (table + ".csv")).string());
    auto y = files::read_file((other / "ebs_demo" / "database_description" / (table + ".csv")).string());
    ASSERT_TRUE(x.ok() && y.ok()) << table;
    EXPECT_EQ(*x, *y);
  }
  // Building again over an existing copy replaces it with the same content.
  ASSERT_TRUE(build_ebs_demo(other.string()).ok());
  EXPECT_EQ(content_hash(db_path()), content_hash(second.db_path));
  fs::remove_all(other);
}

TEST_F(EbsDemo, DeclaresPrimaryKeys) {
  Db db(db_path());
  const std::map<std::string, std::vector<std::string>> expected = {
      {"AP_SUPPLIERS", {"VENDOR_ID"}},
      {"AP_SUPPLIER_SITES_ALL", {"VENDOR_SITE_ID"}},
      {"AP_INVOICES_ALL", {"INVOICE_ID"}},
      {"AP_INVOICE_LINES_ALL", {"INVOICE_ID", "LINE_NUMBER"}},
      {"AP_PAYMENT_SCHEDULES_ALL", {"INVOICE_ID", "PAYMENT_NUM"}},
      {"AP_INVOICE_DISTRIBUTIONS_ALL", {"INVOICE_DISTRIBUTION_ID"}},
      {"PO_HEADERS_ALL", {"PO_HEADER_ID"}},
      {"PO_LINES_ALL", {"PO_LINE_ID"}},
      {"AP_CHECKS_ALL", {"CHECK_ID"}},
      {"AP_INVOICE_PAYMENTS_ALL", {"INVOICE_PAYMENT_ID"}},
      {"HR_OPERATING_UNITS", {"ORGANIZATION_ID"}},
      {"PER_ALL_PEOPLE_F", {"PERSON_ID"}},
      {"GL_CODE_COMBINATIONS", {"CODE_COMBINATION_ID"}},
      {"MTL_CATEGORIES_B", {"CATEGORY_ID"}},
  };
  EXPECT_EQ(expected.size(), ebs_demo_tables().size());
  for (const auto& [table, columns] : expected) {
    auto rows = db.query("SELECT name FROM pragma_table_info('" + table + "') WHERE pk > 0 ORDER BY pk");
    std::vector<std::string> pk;
    for (const auto& r : rows) pk.push_back(r[0].substr(2));
    EXPECT_EQ(pk, columns) << table;
  }
}

TEST_F(EbsDemo, DeclaresForeignKeysIncludingComposite) {
  Db db(db_path());
  // (table, from columns joined by ',', referenced table, to columns)
  auto fks = [&](const std::string& table) {
    std::map<int64_t, std::pair<std::string, std::pair<std::string, std::string>>> by_id;
    for (const auto& r : db.query("SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('" + table +
                                  "') ORDER BY id, seq")) {
      auto& entry = by_id[std::stoll(r[0].substr(2))];
      entry.first = r[1].substr(2);
      entry.second.first += (entry.second.first.empty() ? "" : ",") + r[2].substr(2);
      entry.second.second += (entry.second.second.empty() ? "" : ",") + r[3].substr(2);
    }
    std::set<std::string> out;
    for (const auto& [id, e] : by_id) out.insert(e.second.first + "->" + e.first + "(" + e.second.second + ")");
    return out;
  };
  const auto dist = fks("AP_INVOICE_DISTRIBUTIONS_ALL");
  EXPECT_TRUE(dist.count("INVOICE_ID,INVOICE_LINE_NUMBER->AP_INVOICE_LINES_ALL(INVOICE_ID,LINE_NUMBER)"));
  EXPECT_TRUE(dist.count("DIST_CODE_COMBINATION_ID->GL_CODE_COMBINATIONS(CODE_COMBINATION_ID)"));
  const auto pay = fks("AP_INVOICE_PAYMENTS_ALL");
  EXPECT_TRUE(pay.count("INVOICE_ID,PAYMENT_NUM->AP_PAYMENT_SCHEDULES_ALL(INVOICE_ID,PAYMENT_NUM)"));
  EXPECT_TRUE(pay.count("CHECK_ID->AP_CHECKS_ALL(CHECK_ID)"));
  EXPECT_TRUE(pay.count("REVERSAL_INV_PMT_ID->AP_INVOICE_PAYMENTS_ALL(INVOICE_PAYMENT_ID)"));
  const auto inv = fks("AP_INVOICES_ALL");
  EXPECT_TRUE(inv.count("VENDOR_ID->AP_SUPPLIERS(VENDOR_ID)"));
  EXPECT_TRUE(inv.count("VENDOR_SITE_ID->AP_SUPPLIER_SITES_ALL(VENDOR_SITE_ID)"));
  EXPECT_TRUE(inv.count("PO_HEADER_ID->PO_HEADERS_ALL(PO_HEADER_ID)"));
  const auto lines = fks("AP_INVOICE_LINES_ALL");
  EXPECT_TRUE(lines.count("INVOICE_ID->AP_INVOICES_ALL(INVOICE_ID)"));
  EXPECT_TRUE(lines.count("PO_LINE_ID->PO_LINES_ALL(PO_LINE_ID)"));
  EXPECT_TRUE(fks("PO_HEADERS_ALL").count("AGENT_ID->PER_ALL_PEOPLE_F(PERSON_ID)"));
  EXPECT_TRUE(fks("PO_LINES_ALL").count("PO_HEADER_ID->PO_HEADERS_ALL(PO_HEADER_ID)"));
  EXPECT_TRUE(fks("AP_SUPPLIER_SITES_ALL").count("VENDOR_ID->AP_SUPPLIERS(VENDOR_ID)"));
  EXPECT_TRUE(fks("AP_CHECKS_ALL").count("VENDOR_SITE_ID->AP_SUPPLIER_SITES_ALL(VENDOR_SITE_ID)"));
}

TEST_F(EbsDemo, RowCountsAreInTheExpectedRanges) {
  Db db(db_path());
  const std::map<std::string, std::pair<int64_t, int64_t>> ranges = {
      {"HR_OPERATING_UNITS", {3, 3}},
      {"PER_ALL_PEOPLE_F", {10, 20}},
      {"GL_CODE_COMBINATIONS", {50, 150}},
      {"MTL_CATEGORIES_B", {10, 25}},
      {"AP_SUPPLIERS", {80, 150}},
      {"AP_SUPPLIER_SITES_ALL", {100, 250}},
      {"PO_HEADERS_ALL", {200, 500}},
      {"PO_LINES_ALL", {400, 1200}},
      {"AP_INVOICES_ALL", {300, 800}},
      {"AP_INVOICE_LINES_ALL", {600, 2000}},
      {"AP_INVOICE_DISTRIBUTIONS_ALL", {600, 2500}},
      {"AP_PAYMENT_SCHEDULES_ALL", {300, 800}},
      {"AP_CHECKS_ALL", {200, 700}},
      {"AP_INVOICE_PAYMENTS_ALL", {250, 900}},
  };
  int64_t total = 0;
  for (const auto& [table, range] : ranges) {
    const int64_t n = db.count("SELECT COUNT(*) FROM " + table);
    EXPECT_GE(n, range.first) << table;
    EXPECT_LE(n, range.second) << table;
    total += n;
  }
  EXPECT_GE(total, 3000);
  EXPECT_LE(total, 10000);
  // The shapes the questions rely on.
  EXPECT_GE(db.count("SELECT COUNT(*) FROM AP_SUPPLIERS s WHERE NOT EXISTS "
                     "(SELECT 1 FROM AP_INVOICES_ALL i WHERE i.VENDOR_ID = s.VENDOR_ID)"),
            5);
  EXPECT_GE(db.count("SELECT COUNT(*) FROM AP_INVOICES_ALL WHERE CANCELLED_DATE IS NOT NULL"), 2);
  EXPECT_GE(db.count("SELECT COUNT(*) FROM AP_INVOICES_ALL WHERE INVOICE_TYPE_LOOKUP_CODE = 'CREDIT'"), 5);
  EXPECT_GE(db.count("SELECT COUNT(DISTINCT INVOICE_CURRENCY_CODE) FROM AP_INVOICES_ALL"), 3);
  EXPECT_GT(db.count("SELECT COUNT(*) FROM AP_INVOICES_ALL WHERE INVOICE_CURRENCY_CODE = 'USD'"),
            db.count("SELECT COUNT(*) FROM AP_INVOICES_ALL WHERE INVOICE_CURRENCY_CODE <> 'USD'"));
  for (const char* f : {"Y", "N", "P"}) {
    EXPECT_GE(db.count(std::string("SELECT COUNT(*) FROM AP_INVOICES_ALL WHERE PAYMENT_STATUS_FLAG = '") + f + "'"), 5)
        << f;
  }
  EXPECT_GE(db.count("SELECT COUNT(*) FROM AP_CHECKS_ALL WHERE STATUS_LOOKUP_CODE = 'VOIDED'"), 2);
  EXPECT_EQ(db.count("SELECT COUNT(*) FROM AP_SUPPLIERS WHERE VENDOR_NAME IN "
                     "('Acme Office Supplies', 'Global Steel Corp')"),
            2);
}

TEST_F(EbsDemo, ReferentialIntegrityHolds) {
  Db db(db_path());
  std::string error;
  EXPECT_TRUE(db.query("PRAGMA foreign_key_check", &error).empty());
  EXPECT_EQ(error, "");
  // The same, spelled out in SQL for the main links.
  const std::vector<std::string> orphans = {
      "SELECT COUNT(*) FROM AP_SUPPLIER_SITES_ALL s LEFT JOIN AP_SUPPLIERS v ON v.VENDOR_ID = s.VENDOR_ID "
      "WHERE v.VENDOR_ID IS NULL",
      "SELECT COUNT(*) FROM AP_INVOICES_ALL i LEFT JOIN AP_SUPPLIER_SITES_ALL s ON s.VENDOR_SITE_ID = "
      "i.VENDOR_SITE_ID WHERE s.VENDOR_SITE_ID IS NULL OR s.VENDOR_ID <> i.VENDOR_ID",
      "SELECT COUNT(*) FROM AP_INVOICES_ALL i WHERE i.PO_HEADER_ID IS NOT NULL AND NOT EXISTS "
      "(SELECT 1 FROM PO_HEADERS_ALL h WHERE h.PO_HEADER_ID = i.PO_HEADER_ID AND h.VENDOR_ID = i.VENDOR_ID)",
      "SELECT COUNT(*) FROM AP_INVOICE_LINES_ALL l LEFT JOIN AP_INVOICES_ALL i ON i.INVOICE_ID = l.INVOICE_ID "
      "WHERE i.INVOICE_ID IS NULL",
      "SELECT COUNT(*) FROM AP_INVOICE_LINES_ALL l WHERE l.PO_LINE_ID IS NOT NULL AND NOT EXISTS "
      "(SELECT 1 FROM PO_LINES_ALL p WHERE p.PO_LINE_ID = l.PO_LINE_ID AND p.PO_HEADER_ID = l.PO_HEADER_ID)",
      "SELECT COUNT(*) FROM AP_INVOICE_DISTRIBUTIONS_ALL d LEFT JOIN AP_INVOICE_LINES_ALL l ON l.INVOICE_ID = "
      "d.INVOICE_ID AND l.LINE_NUMBER = d.INVOICE_LINE_NUMBER WHERE l.INVOICE_ID IS NULL",
      "SELECT COUNT(*) FROM AP_INVOICE_DISTRIBUTIONS_ALL d LEFT JOIN GL_CODE_COMBINATIONS g ON "
      "g.CODE_COMBINATION_ID = d.DIST_CODE_COMBINATION_ID WHERE g.CODE_COMBINATION_ID IS NULL",
      "SELECT COUNT(*) FROM AP_INVOICE_PAYMENTS_ALL p LEFT JOIN AP_CHECKS_ALL c ON c.CHECK_ID = p.CHECK_ID "
      "WHERE c.CHECK_ID IS NULL",
      "SELECT COUNT(*) FROM AP_INVOICE_PAYMENTS_ALL p JOIN AP_INVOICES_ALL i ON i.INVOICE_ID = p.INVOICE_ID "
      "JOIN AP_CHECKS_ALL c ON c.CHECK_ID = p.CHECK_ID WHERE c.VENDOR_ID <> i.VENDOR_ID "
      "OR c.CURRENCY_CODE <> i.INVOICE_CURRENCY_CODE",
      "SELECT COUNT(*) FROM PO_HEADERS_ALL h LEFT JOIN PER_ALL_PEOPLE_F p ON p.PERSON_ID = h.AGENT_ID "
      "WHERE p.PERSON_ID IS NULL",
      "SELECT COUNT(*) FROM PO_LINES_ALL l LEFT JOIN PO_HEADERS_ALL h ON h.PO_HEADER_ID = l.PO_HEADER_ID "
      "WHERE h.PO_HEADER_ID IS NULL",
  };
  for (const auto& sql : orphans) EXPECT_EQ(db.count(sql), 0) << sql;
}

TEST_F(EbsDemo, AmountsAreConsistent) {
  Db db(db_path());
  const std::vector<std::string> violations = {
      // invoice amount = sum of its lines
      "SELECT COUNT(*) FROM AP_INVOICES_ALL i WHERE ROUND(i.INVOICE_AMOUNT - (SELECT SUM(l.AMOUNT) FROM "
      "AP_INVOICE_LINES_ALL l WHERE l.INVOICE_ID = i.INVOICE_ID), 2) <> 0",
      "SELECT COUNT(*) FROM AP_INVOICES_ALL i WHERE NOT EXISTS (SELECT 1 FROM AP_INVOICE_LINES_ALL l "
      "WHERE l.INVOICE_ID = i.INVOICE_ID)",
      // line amount = sum of its distributions
      "SELECT COUNT(*) FROM AP_INVOICE_LINES_ALL l WHERE ROUND(l.AMOUNT - (SELECT SUM(d.AMOUNT) FROM "
      "AP_INVOICE_DISTRIBUTIONS_ALL d WHERE d.INVOICE_ID = l.INVOICE_ID AND d.INVOICE_LINE_NUMBER = "
      "l.LINE_NUMBER), 2) <> 0",
      // item lines: amount = quantity * unit price
      "SELECT COUNT(*) FROM AP_INVOICE_LINES_ALL WHERE QUANTITY_INVOICED IS NOT NULL AND "
      "ROUND(AMOUNT - QUANTITY_INVOICED * UNIT_PRICE, 2) <> 0",
      // amount paid = sum of the invoice payments (reversals included)
      "SELECT COUNT(*) FROM AP_INVOICES_ALL i WHERE ROUND(i.AMOUNT_PAID - IFNULL((SELECT SUM(p.AMOUNT) FROM "
      "AP_INVOICE_PAYMENTS_ALL p WHERE p.INVOICE_ID = i.INVOICE_ID), 0), 2) <> 0",
      // payment status flag agrees with the amounts
      "SELECT COUNT(*) FROM AP_INVOICES_ALL WHERE PAYMENT_STATUS_FLAG <> CASE WHEN AMOUNT_PAID = 0 THEN 'N' "
      "WHEN AMOUNT_PAID = INVOICE_AMOUNT THEN 'Y' ELSE 'P' END",
      // a check's amount = the invoice payments it made (before any reversal)
      "SELECT COUNT(*) FROM AP_CHECKS_ALL c WHERE ROUND(c.AMOUNT - (SELECT SUM(p.AMOUNT) FROM "
      "AP_INVOICE_PAYMENTS_ALL p WHERE p.CHECK_ID = c.CHECK_ID AND p.REVERSAL_INV_PMT_ID IS NULL), 2) <> 0",
      // voided checks net to zero; others have no reversals
      "SELECT COUNT(*) FROM AP_CHECKS_ALL c WHERE (c.STATUS_LOOKUP_CODE = 'VOIDED') <> (ROUND((SELECT "
      "SUM(p.AMOUNT) FROM AP_INVOICE_PAYMENTS_ALL p WHERE p.CHECK_ID = c.CHECK_ID), 2) = 0)",
      // schedules: remaining = amount - paid, zero when cancelled
      "SELECT COUNT(*) FROM AP_PAYMENT_SCHEDULES_ALL s JOIN AP_INVOICES_ALL i ON i.INVOICE_ID = s.INVOICE_ID "
      "WHERE ROUND(s.AMOUNT_REMAINING - CASE WHEN i.CANCELLED_DATE IS NULL THEN i.INVOICE_AMOUNT - "
      "i.AMOUNT_PAID ELSE 0 END, 2) <> 0 OR s.GROSS_AMOUNT <> i.INVOICE_AMOUNT",
      // cancelled invoices are unpaid; credit memos are negative
      "SELECT COUNT(*) FROM AP_INVOICES_ALL WHERE CANCELLED_DATE IS NOT NULL AND (AMOUNT_PAID <> 0 OR "
      "CANCELLED_AMOUNT <> INVOICE_AMOUNT)",
      "SELECT COUNT(*) FROM AP_INVOICES_ALL WHERE (INVOICE_TYPE_LOOKUP_CODE = 'CREDIT') <> (INVOICE_AMOUNT < 0)",
      // never invoiced more than ordered; payments never before the invoice
      "SELECT COUNT(*) FROM PO_LINES_ALL pl WHERE pl.QUANTITY < (SELECT SUM(l.QUANTITY_INVOICED) FROM "
      "AP_INVOICE_LINES_ALL l WHERE l.PO_LINE_ID = pl.PO_LINE_ID)",
      "SELECT COUNT(*) FROM AP_INVOICE_PAYMENTS_ALL p JOIN AP_INVOICES_ALL i ON i.INVOICE_ID = p.INVOICE_ID "
      "WHERE p.ACCOUNTING_DATE < i.INVOICE_DATE",
  };
  for (const auto& sql : violations) EXPECT_EQ(db.count(sql), 0) << sql;
}

TEST_F(EbsDemo, DatesAreIsoText) {
  Db db(db_path());
  const std::vector<std::pair<std::string, std::string>> date_columns = {
      {"AP_INVOICES_ALL", "INVOICE_DATE"},   {"AP_INVOICES_ALL", "CANCELLED_DATE"},
      {"AP_CHECKS_ALL", "CHECK_DATE"},       {"PO_HEADERS_ALL", "CREATION_DATE"},
      {"AP_SUPPLIERS", "START_DATE_ACTIVE"}, {"AP_PAYMENT_SCHEDULES_ALL", "DUE_DATE"}};
  for (const auto& [table, column] : date_columns) {
    EXPECT_EQ(db.count("SELECT COUNT(*) FROM " + table + " WHERE " + column + " IS NOT NULL AND (typeof(" + column +
                       ") <> 'text' OR date(" + column + ") IS NOT " + column + ")"),
              0)
        << table << "." << column;
  }
}

TEST_F(EbsDemo, WritesBirdDescriptionCsvs) {
  Db db(db_path());
  for (const auto& table : ebs_demo_tables()) {
    auto csv = files::read_file((*dir_ / "ebs_demo" / "database_description" / (table + ".csv")).string());
    ASSERT_TRUE(csv.ok()) << table;
    std::istringstream in(*csv);
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header, "original_column_name,column_name,column_description,data_format,value_description");
    // Every column has a row, in table order (no field holds a newline).
    auto columns = db.query("SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid");
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ASSERT_LT(n, columns.size()) << table;
      EXPECT_EQ(line.substr(0, line.find(',')), columns[n][0].substr(2)) << table;
      ++n;
    }
    EXPECT_EQ(n, columns.size()) << table;
  }
}

TEST(EbsDemoErrors, BadOutputDirectoryIsAClearError) {
  Status empty = build_ebs_demo("");
  EXPECT_FALSE(empty.ok());
  EXPECT_EQ(empty.code(), ErrorCode::kInvalidArgument);

  const fs::path dir = temp_dir("blocked");
  fs::create_directories(dir);
  // A plain file where the ebs_demo directory should go.
  std::ofstream(dir / "ebs_demo") << "not a directory";
  Status blocked = build_ebs_demo(dir.string());
  EXPECT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.code(), ErrorCode::kIoError);
  EXPECT_NE(blocked.message().find("ebs_demo"), std::string::npos) << blocked.message();
  fs::remove_all(dir);
}

TEST_F(EbsDemo, CommandLineBuildsTheDemo) {
  const fs::path dir = temp_dir("cli");
  const std::string command =
      std::string(ASKGURU_BINARY) + " demo --quiet --out " + dir.string() + " > " + (dir.string() + ".out") + " 2>&1";
  fs::create_directories(dir);
  ASSERT_EQ(std::system(command.c_str()), 0);
  auto out = files::read_file(dir.string() + ".out");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, ebs_demo_db_path(dir.string()) + "\n");
  EXPECT_EQ(content_hash(ebs_demo_db_path(dir.string())), content_hash(db_path()));
  fs::remove_all(dir);
  fs::remove(dir.string() + ".out");
}

}  // namespace
}  // namespace askguru::demo
