// Test support: a fresh PostgreSQL database per test on the server named by
// ASKGURU_TEST_POSTGRES_URL (a superuser URL; scripts/test_postgres.sh starts a
// throw-away server and sets it), written with libpq directly (not through askguru),
// dropped at the end of the test. Tests skip when the variable is not set.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

namespace askguru::testing {

inline const char* postgres_admin_url() {
  const char* url = std::getenv("ASKGURU_TEST_POSTGRES_URL");
  return url && *url ? url : nullptr;
}

#define AG_REQUIRE_POSTGRES()                                                                       \
  do {                                                                                              \
    if (!::askguru::testing::postgres_admin_url())                                                  \
      GTEST_SKIP() << "ASKGURU_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against " \
                      "(scripts/test_postgres.sh starts a throw-away one and sets it)";             \
  } while (0)

// `url` with its database (the path) replaced by `database`.
inline std::string with_database(const std::string& url, const std::string& database) {
  size_t query = url.find('?');
  std::string base = url.substr(0, query);
  std::string rest = query == std::string::npos ? std::string() : url.substr(query);
  size_t authority = base.find("://");
  size_t slash = base.find('/', authority == std::string::npos ? 0 : authority + 3);
  if (slash != std::string::npos) base.erase(slash);
  return base + "/" + database + rest;
}

// One libpq session with full rights, for setting up and checking fixtures.
class PgAdmin {
 public:
  explicit PgAdmin(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK)
      ADD_FAILURE() << "cannot connect to the test server: " << PQerrorMessage(conn_);
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~PgAdmin() { PQfinish(conn_); }
  PgAdmin(const PgAdmin&) = delete;
  PgAdmin& operator=(const PgAdmin&) = delete;

  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }

  // Runs `sql` (several statements allowed); a failure fails the test.
  void exec(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      ADD_FAILURE() << "setup SQL failed: " << PQresultErrorMessage(res) << "\n" << sql;
    }
    PQclear(res);
  }

  // The first column of the first row, as text ("" when none or NULL).
  std::string scalar(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    std::string out;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      ADD_FAILURE() << "query failed: " << PQresultErrorMessage(res) << "\n" << sql;
    } else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
      out = PQgetvalue(res, 0, 0);
    }
    PQclear(res);
    return out;
  }

 private:
  PGconn* conn_;
};

// A database of its own for one test: created empty, dropped (with its sessions) after.
class PgDatabase {
 public:
  PgDatabase() : admin_(postgres_admin_url()) {
    static std::atomic<int> counter{0};
    name_ = "askguru_t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    admin_.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    admin_.exec("CREATE DATABASE " + name_ + " TEMPLATE template0 ENCODING 'UTF8'");
    url_ = with_database(postgres_admin_url(), name_);
    db_admin_ = std::make_unique<PgAdmin>(url_);
  }
  ~PgDatabase() {
    db_admin_.reset();
    admin_.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // A superuser session on this database.
  PgAdmin& admin() { return *db_admin_; }
  // A superuser session on the server's maintenance database.
  PgAdmin& server() { return admin_; }

 private:
  PgAdmin admin_;
  std::string name_;
  std::string url_;
  std::unique_ptr<PgAdmin> db_admin_;
};

}  // namespace askguru::testing
