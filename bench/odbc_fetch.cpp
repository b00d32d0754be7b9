// bench_odbc_fetch: what a huge result costs through psqlODBC, with the driver buffering
// the whole result (UseDeclareFetch=0, the driver's default) and with askguru's cursor
// fetching (UseDeclareFetch=1; Fetch=N), for a row cap, the result-size guard and a full
// fetch. Each case runs in a child process, so the peak RSS printed is its own.
//
//   scripts/test_postgres.sh build/bench/bench_odbc_fetch [--rows 5000000] [--fetch 1000]
//   build/bench/bench_odbc_fetch --address "Driver={PostgreSQL Unicode};Server=...;Database=...;UID=..."
//
// Without --address it uses ASKGURU_TEST_POSTGRES_URL (the server scripts/test_postgres.sh starts).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "askguru/db/odbc_connection.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string odbc_for_postgres(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  std::string user = rest.substr(0, rest.find('@'));
  rest = rest.substr(rest.find('@') + 1);
  std::string hostport = rest.substr(0, rest.find('/'));
  std::string db = rest.substr(rest.find('/') + 1);
  db = db.substr(0, db.find('?'));
  std::string host = hostport.substr(0, hostport.find(':'));
  std::string port = hostport.find(':') == std::string::npos ? "5432" : hostport.substr(hostport.find(':') + 1);
  return "Driver={PostgreSQL Unicode};Server=" + host + ";Port=" + port + ";Database=" + db + ";UID=" + user;
}

struct Case {
  const char* name;
  std::optional<size_t> max_rows;
  size_t max_result_bytes;
};

void run_case(const std::string& address, const std::string& sql, const Case& c) {
  const auto start = Clock::now();
  auto conn = askguru::db::OdbcConnection::open(address);
  if (!conn.ok()) {
    std::printf("  %-24s cannot connect: %s\n", c.name, conn.error().c_str());
    return;
  }
  askguru::db::QueryOptions options;
  options.timeout = std::chrono::minutes(10);
  options.max_rows = c.max_rows;
  options.max_result_bytes = c.max_result_bytes;
  auto result = (*conn)->execute(sql, options);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::string outcome = result.ok() ? std::to_string(result->rows.size()) + " rows" + (result->truncated ? " (capped)" : "")
                                    : "error: " + result.error().substr(0, 60);
  std::printf("  %-24s %7.2f s  peak RSS %7.1f MB  %s\n", c.name, seconds, usage.ru_maxrss / 1024.0, outcome.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string address;
  long rows = 5000000;
  long fetch = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--address" && i + 1 < argc) address = argv[++i];
    else if (a == "--rows" && i + 1 < argc) rows = std::atol(argv[++i]);
    else if (a == "--fetch" && i + 1 < argc) fetch = std::atol(argv[++i]);
    else {
      std::fprintf(stderr, "usage: bench_odbc_fetch [--address ODBC-CONNECTION-STRING] [--rows N] [--fetch N]\n");
      return 2;
    }
  }
  if (address.empty()) {
    const char* url = std::getenv("ASKGURU_TEST_POSTGRES_URL");
    if (!url) {
      std::fprintf(stderr, "bench_odbc_fetch: give --address or run under scripts/test_postgres.sh\n");
      return 2;
    }
    address = odbc_for_postgres(url);
  }
  const std::string sql =
      "SELECT g, 'row ' || g AS label FROM generate_series(1, " + std::to_string(rows) + ") g";
  std::printf("query: %s\n", sql.c_str());
  const std::vector<Case> cases = {
      {"--max-rows 3", size_t{3}, size_t{4} << 30},
      {"max_result_bytes 64 MiB", std::nullopt, size_t{64} << 20},
      {"all rows", std::nullopt, 0},
  };
  struct Mode {
    const char* name;
    std::string suffix;
  };
  std::vector<Mode> modes = {{"driver buffers (UseDeclareFetch=0)", ";UseDeclareFetch=0"},
                             {"cursor fetch (askguru's default)", ""}};
  if (fetch > 0) modes.back().suffix = ";UseDeclareFetch=1;Fetch=" + std::to_string(fetch);
  for (const Mode& mode : modes) {
    std::printf("%s%s\n", mode.name, mode.suffix.empty() ? "" : (" " + mode.suffix).c_str());
    for (const Case& c : cases) {
      std::fflush(stdout);
      pid_t pid = fork();
      if (pid == 0) {
        run_case(address + mode.suffix, sql, c);
        std::_Exit(0);
      }
      int status = 0;
      waitpid(pid, &status, 0);
      if (!WIFEXITED(status)) std::printf("  %-24s child died (signal %d)\n", c.name, WTERMSIG(status));
    }
  }
  return 0;
}
