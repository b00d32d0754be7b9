// Test support: SQLite files written with the sqlite3 C API directly (not through
// askguru), in a fresh temporary directory removed at the end of the test.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

namespace askguru::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "askguru_test_XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    if (!made) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Creates (or extends) the database at `path` by running `script` read-write.
inline void write_database(const std::string& path, const std::string& script) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr), SQLITE_OK);
  char* error = nullptr;
  // Test files need no durability: skip the fsync after every statement.
  sqlite3_exec(db, "PRAGMA synchronous = OFF", nullptr, nullptr, nullptr);
  int rc = sqlite3_exec(db, script.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The shared development data (../shared/data); ASKGURU_SHARED_DATA env overrides the
// build-time path so worktrees elsewhere can point at it. "" when absent.
inline std::string shared_data_dir() {
  if (const char* env = std::getenv("ASKGURU_SHARED_DATA")) return env;
#ifdef ASKGURU_SHARED_DATA_DIR
  std::error_code ec;
  if (std::filesystem::is_directory(ASKGURU_SHARED_DATA_DIR, ec)) return ASKGURU_SHARED_DATA_DIR;
#endif
  return "";
}

// Runs a shell command line (the askguru binary, as a user would); returns its exit
// status (-1 when it did not exit normally) and its standard output.
inline std::pair<int, std::string> run_command(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {-1, ""};
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

struct CliRun {
  int status = -1;
  std::string out;
};

// Runs the askguru binary with `args` (a shell command line); stderr joins stdout unless
// `stderr_too` is false (then it is dropped).
inline CliRun run_askguru(const std::string& args, bool stderr_too = true) {
  auto [status, out] = run_command(std::string(ASKGURU_BINARY) + " " + args + (stderr_too ? " 2>&1" : " 2>/dev/null"));
  return CliRun{status, std::move(out)};
}

}  // namespace askguru::testing
