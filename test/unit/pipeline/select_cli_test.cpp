// `askguru select` end to end: a real SQLite database, a gold-lines dataset, three
// candidate files; checks the chosen SQL file and the printed figures, and that a
// candidates file of the wrong length fails with a message.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/wait.h>

#include "askguru/llm/scripted_server.h"

namespace {

namespace fs = std::filesystem;

std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {-1, ""};
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) output.append(buf.data(), n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::vector<std::string> lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(SelectCli, ChoosesAndScores) {
  std::random_device rd;
  const fs::path root = fs::temp_directory_path() / ("askguru_select_cli_" + std::to_string(rd()));
  fs::create_directories(root / "db" / "shop");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((root / "db" / "shop" / "shop.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER);"
                         "INSERT INTO item VALUES (1, 'pen', 10), (2, 'ink', 3), (3, 'pad', 0);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  // Three questions. Gold: q0 well stocked, q1 count, q2 names by id.
  write(root / "gold.sql",
        "SELECT name FROM item WHERE qty > 5\tshop\n"
        "SELECT COUNT(*) FROM item\tshop\n"
        "SELECT name FROM item ORDER BY id\tshop\n");
  // q0: all agree (fast path); q1: a and b wrong together (deterministic picks them), c right;
  // q2: nothing valid in a and b, c right (alone, so also the fast path).
  write(root / "a.sql", "SELECT name FROM item WHERE qty >= 6 AND 1 = 1\nSELECT COUNT(*) + 1 FROM item\nSELEC x\n");
  write(root / "b.sql", "SELECT name FROM item WHERE qty > 5\nSELECT COUNT(*) + 1 FROM item\nSELECT nope FROM item\n");
  write(root / "c.sql", "SELECT item.name FROM item WHERE qty > 5\nSELECT COUNT(id) FROM item\nSELECT name FROM item ORDER BY id\n");
  const std::string base = std::string(ASKGURU_BINARY) + " select -q --no-cache --metric bird-ex --dataset " +
                           (root / "gold.sql").string() + " --db-root " + (root / "db").string();
  auto [rc, out] = run(base + " --candidates " + (root / "a.sql").string() + " " + (root / "b.sql").string() + " " +
                       (root / "c.sql").string() + " --out " + (root / "chosen.sql").string() + " 2>&1");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("pool upper bound     100.00% (3/3)"), std::string::npos) << out;
  EXPECT_NE(out.find("selection accuracy    66.67% (2/3)"), std::string::npos) << out;
  EXPECT_NE(out.find("fast-path             66.67% of questions (2)"), std::string::npos) << out;
  auto chosen = lines(root / "chosen.sql");
  ASSERT_EQ(chosen.size(), 3u);
  EXPECT_EQ(chosen[0], "SELECT name FROM item WHERE qty > 5");  // simplest of the unanimous cluster
  EXPECT_EQ(chosen[1], "SELECT COUNT(*) + 1 FROM item");        // the larger cluster, although wrong
  EXPECT_EQ(chosen[2], "SELECT name FROM item ORDER BY id");    // the only valid one

  // With a selector (the scripted server) that prefers COUNT(id): q1 goes to c.
  auto server = askguru::llm::ScriptedServer::start_yaml(R"(
rules:
  - match: {regex: '### Candidate A\n```sql\nSELECT COUNT\(id\)'}
    reply: {text: '{"answer": "A"}'}
  - reply: {text: '{"answer": "B"}'}
)");
  ASSERT_TRUE(server.ok()) << server.error();
  write(root / "llm.yaml", "endpoints:\n  - name: judge\n    base_url: " + (*server)->base_url() +
                               "\n    model: judge-model\n    max_retries: 0\n");
  auto [rc2, out2] = run(base + " --candidates " + (root / "a.sql").string() + " " + (root / "b.sql").string() + " " +
                         (root / "c.sql").string() + " --llm-config " + (root / "llm.yaml").string() +
                         " --selector judge --out " + (root / "judged.sql").string() + " --report " +
                         (root / "report.json").string() + " 2>&1");
  ASSERT_EQ(rc2, 0) << out2;
  EXPECT_NE(out2.find("selection accuracy   100.00% (3/3)"), std::string::npos) << out2;
  EXPECT_NE(out2.find("selector calls       1 (0 without a vote)"), std::string::npos) << out2;
  EXPECT_EQ((*server)->request_count(), 1u);
  EXPECT_EQ(lines(root / "judged.sql").at(1), "SELECT COUNT(id) FROM item");
  std::ifstream report_file(root / "report.json");
  std::stringstream report;
  report << report_file.rdbuf();
  EXPECT_NE(report.str().find("\"tournament\""), std::string::npos);
  EXPECT_NE(report.str().find("\"chosen_generator\": 2"), std::string::npos) << report.str();

  // The same selector named by a pipeline configuration's selection section.
  write(root / "pipeline.yaml", "endpoints:\n  - name: judge\n    base_url: " + (*server)->base_url() +
                                    "\n    model: judge-model\n    max_retries: 0\nselection: {selector: judge}\n");
  auto [rc3, out3] = run(base + " --candidates " + (root / "a.sql").string() + " " + (root / "b.sql").string() + " " +
                         (root / "c.sql").string() + " --config " + (root / "pipeline.yaml").string() + " 2>&1");
  ASSERT_EQ(rc3, 0) << out3;
  EXPECT_NE(out3.find("selection accuracy   100.00% (3/3)"), std::string::npos) << out3;
  EXPECT_EQ((*server)->request_count(), 2u);

  write(root / "short.sql", "SELECT 1\n");
  auto [bad, message] = run(base + " --candidates " + (root / "short.sql").string() + " 2>&1");
  EXPECT_NE(bad, 0);
  EXPECT_NE(message.find("askguru select:"), std::string::npos) << message;
  std::error_code ec;
  fs::remove_all(root, ec);
}

}  // namespace
