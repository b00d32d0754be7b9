// Helpers shared by the demo tests: a read-only sqlite3 handle and a fixture
// that builds the EBS demo once per test binary.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "askguru/common/hash.h"
#include "askguru/demo/ebs_demo.h"

namespace askguru::demo::demo_test {

namespace fs = std::filesystem;

inline fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("askguru_demo_test_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  return dir;
}

// Read-only handle on a database file, closed on scope exit.
class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path;
    }
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Every row as text cells ("NULL" for null); error is set when the SQL fails.
  std::vector<std::vector<std::string>> query(const std::string& sql, std::string* error = nullptr) const {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      if (error) *error = sqlite3_errmsg(db_);
      return rows;
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const int type = sqlite3_column_type(stmt, i);
        std::string cell;
        if (type == SQLITE_NULL) {
          cell = "NULL";
        } else if (type == SQLITE_INTEGER) {
          cell = "i:" + std::to_string(sqlite3_column_int64(stmt, i));
        } else if (type == SQLITE_FLOAT) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "f:%.17g", sqlite3_column_double(stmt, i));
          cell = buf;
        } else {
          cell = "t:" + std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)));
        }
        row.push_back(cell);
      }
      rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE && error) *error = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    return rows;
  }

  int64_t count(const std::string& sql) const {
    std::string error;
    auto rows = query(sql, &error);
    EXPECT_EQ(error, "") << sql;
    if (rows.empty() || rows[0].empty() || rows[0][0].rfind("i:", 0) != 0) return -1;
    return std::stoll(rows[0][0].substr(2));
  }

 private:
  sqlite3* db_ = nullptr;
};

// Builds the demo once for the whole suite.
class EbsDemo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(temp_dir("shared"));
    summary_ = new DemoSummary();
    const Status status = build_ebs_demo(dir_->string(), summary_);
    ASSERT_TRUE(status.ok()) << status.to_string();
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete summary_;
  }
  static std::string db_path() { return ebs_demo_db_path(dir_->string()); }

  static inline fs::path* dir_ = nullptr;
  static inline DemoSummary* summary_ = nullptr;
};

inline std::string content_hash(const std::string& path) {
  Db db(path);
  std::string all;
  for (const auto& table : ebs_demo_tables()) {
    all += "#" + table + "\n";
    for (const auto& row : db.query("SELECT * FROM " + table + " ORDER BY rowid")) {
      for (const auto& cell : row) all += cell + "\x1f";
      all += "\n";
    }
  }
  all += "#schema\n";
  for (const auto& row : db.query("SELECT sql FROM sqlite_master ORDER BY name")) all += row[0] + "\n";
  return hash::hex64(hash::xxh64(all));
}

}  // namespace askguru::demo::demo_test
