// Runs the data-driven SQL cases in test/sql/*.test.
//
// A file is a sequence of cases. A case starts with `-- input` or `-- input (dialect)` and
// holds sections, each a header line followed by text up to the next header:
//   -- input (oracle)        the SQL (default dialect: sqlite)
//   -- canonical             canonical form in the input dialect
//   -- canonical (postgres)  canonical form in another dialect
//   -- print (oracle)        non-canonical printing in a dialect (transpiling)
//   -- error                 the full error message (headline, excerpt, caret line)
//   -- kind                  statement kinds, space-separated (e.g. "select drop")
//   -- rewrites              (text: why) the canonical form rewrites a construct into another
//                            one (IFNULL → COALESCE): its AST is not required to equal the input's
// Lines starting with '#' are comments. Every case that parses must also round-trip:
// print (input dialect, and canonical) → parse → an equal AST, and the canonical form must
// be stable. Output in another dialect must parse in that dialect and print stably.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace askguru::sql {
namespace {

namespace fs = std::filesystem;

struct Section {
  std::string name;     // input, canonical, print, error, kind
  std::string dialect;  // may be empty
  std::string text;
  int line = 0;
};

struct Case {
  std::vector<Section> sections;
  int line = 0;
};

std::string trim_trailing(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

bool parse_header(const std::string& line, Section& out) {
  static const char* kNames[] = {"input", "canonical", "print", "error", "kind", "rewrites"};
  if (line.rfind("-- ", 0) != 0) return false;
  std::string rest = line.substr(3);
  for (const char* name : kNames) {
    std::string n = name;
    if (rest == n) {
      out.name = n;
      return true;
    }
    if (rest.rfind(n + " (", 0) == 0 && rest.back() == ')') {
      out.name = n;
      out.dialect = rest.substr(n.size() + 2, rest.size() - n.size() - 3);
      return true;
    }
  }
  return false;
}

std::vector<Case> read_cases(const fs::path& file) {
  std::ifstream in(file);
  std::vector<Case> cases;
  std::string line;
  int line_no = 0;
  Section* current = nullptr;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line[0] == '#') continue;
    Section header;
    if (parse_header(line, header)) {
      header.line = line_no;
      if (header.name == "input") {
        cases.emplace_back();
        cases.back().line = line_no;
      }
      if (cases.empty()) {
        ADD_FAILURE() << file << ":" << line_no << ": a section before the first -- input";
        return cases;
      }
      cases.back().sections.push_back(header);
      current = &cases.back().sections.back();
      continue;
    }
    if (current != nullptr) {
      current->text += line;
      current->text += '\n';
    }
  }
  for (Case& c : cases) {
    for (Section& s : c.sections) s.text = trim_trailing(s.text);
  }
  return cases;
}

Dialect dialect_or(const std::string& name, Dialect fallback) {
  if (name.empty()) return fallback;
  auto d = parse_dialect(name);
  if (!d) ADD_FAILURE() << "unknown dialect " << name;
  return d.value_or(fallback);
}

std::string kinds_of(const Ast& ast) {
  std::string out;
  for (const Statement& st : ast.statements()) {
    if (!out.empty()) out += ' ';
    out += statement_kind_name(st.kind);
  }
  return out;
}

void run_case(const fs::path& file, const Case& c, size_t& checks) {
  const Section& input = c.sections.front();
  std::string where = file.filename().string() + ":" + std::to_string(c.line);
  Dialect dialect = dialect_or(input.dialect, Dialect::kSqlite);
  auto ast = parse(input.text, dialect);
  const Section* error = nullptr;
  bool rewrites = false;
  for (const Section& s : c.sections) {
    if (s.name == "error") error = &s;
    if (s.name == "rewrites") rewrites = true;
  }
  if (error != nullptr) {
    ++checks;
    if (ast.ok()) {
      ADD_FAILURE() << where << ": expected an error, but it parsed: " << input.text;
    } else {
      EXPECT_EQ(ast.error(), error->text) << where;
    }
    return;
  }
  if (!ast.ok()) {
    ADD_FAILURE() << where << ": does not parse: " << input.text << "\n" << ast.error();
    return;
  }
  // Round trip in the input dialect, plain and canonical.
  for (bool canon : {false, true}) {
    std::string printed = print(*ast, PrintOptions{dialect, canon});
    auto again = parse(printed, dialect);
    ++checks;
    if (!again.ok()) {
      ADD_FAILURE() << where << ": printed text does not parse: " << printed << "\n" << again.error();
      continue;
    }
    if (!(canon && rewrites)) {
      EXPECT_TRUE(equal(*ast, *again)) << where << ": round trip changed the AST\n  input:   " << input.text
                                       << "\n  printed: " << printed;
    }
    EXPECT_EQ(print(*again, PrintOptions{dialect, canon}), printed) << where << ": printing is not stable";
  }
  for (size_t i = 1; i < c.sections.size(); ++i) {
    const Section& s = c.sections[i];
    if (s.name == "rewrites") continue;
    ++checks;
    if (s.name == "kind") {
      EXPECT_EQ(kinds_of(*ast), s.text) << where;
      continue;
    }
    Dialect target = dialect_or(s.dialect, dialect);
    bool canon = s.name == "canonical";
    std::string printed = print(*ast, PrintOptions{target, canon});
    EXPECT_EQ(printed, s.text) << where << " (" << s.name << " " << dialect_name(target) << ")";
    auto again = parse(printed, target);
    if (!again.ok()) {
      ADD_FAILURE() << where << ": output does not parse as " << dialect_name(target) << ": " << printed << "\n"
                    << again.error();
      continue;
    }
    EXPECT_EQ(print(*again, PrintOptions{target, canon}), printed) << where << ": output is not stable";
  }
}

TEST(SqlFiles, AllCasesPass) {
  fs::path dir = fs::path(ASKGURU_TEST_DATA_DIR) / "sql";
  ASSERT_TRUE(fs::exists(dir)) << dir;
  size_t files = 0, cases = 0, checks = 0;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const fs::path& p : paths) {
    ++files;
    for (const Case& c : read_cases(p)) {
      ++cases;
      run_case(p, c, checks);
    }
  }
  std::printf("%zu files, %zu cases, %zu checks\n", files, cases, checks);
  EXPECT_GE(cases, 10u);
}

}  // namespace
}  // namespace askguru::sql
