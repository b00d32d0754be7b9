// The EBS demo database: a small SQLite database in the spirit of Oracle
// E-Business Suite Payables (AP) and Purchasing (PO) — suppliers and their
// sites, purchase orders and lines, invoices with lines, distributions and
// payment schedules, payments (checks) and the invoice payments between them —
// with BIRD-style column descriptions (database_description/<TABLE>.csv).
//
// The generator is deterministic: a fixed-seed PRNG and integer arithmetic
// only, so every build writes the same bytes with the same SQLite library.
// It is the one place in askguru that opens SQLite for writing.
//
// Thread-safety: build_ebs_demo() keeps no shared state; concurrent calls are
// safe for distinct output directories.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "askguru/common/status.h"

namespace askguru::demo {

inline constexpr const char* kEbsDemoDbId = "ebs_demo";

// What build_ebs_demo() wrote.
struct DemoSummary {
  std::string db_path;                                      // <dir>/ebs_demo/ebs_demo.sqlite
  std::string descriptions_dir;                             // <dir>/ebs_demo/database_description
  std::vector<std::pair<std::string, int64_t>> row_counts;  // per table, in creation order
  int64_t total_rows = 0;
};

// Writes <dir>/ebs_demo/ebs_demo.sqlite (the evaluator's db-root layout
// D/<db_id>/<db_id>.sqlite) and <dir>/ebs_demo/database_description/<TABLE>.csv,
// replacing earlier copies. Creates the directories it needs. The database is
// written to a temporary file and renamed into place, so readers never see a
// half-written file.
Status build_ebs_demo(const std::string& dir, DemoSummary* summary = nullptr);

// <dir>/ebs_demo/ebs_demo.sqlite
std::string ebs_demo_db_path(const std::string& dir);

// The demo's tables, in creation (foreign-key) order.
std::vector<std::string> ebs_demo_tables();

}  // namespace askguru::demo
