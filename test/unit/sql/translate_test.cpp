// Runs the data-driven translation cases in test/translate/*.test (sql/translate.h).
//
// A file is a sequence of sections, each a header line followed by text up to the next
// header:
//   -- schema      the target catalog, one table a line:
//                  [SCHEMA.]Name: col type [pk] [notnull], col type ...   (types as the target
//                  names them: bigint, text / NUMBER(15), VARCHAR2(240), DATE)
//                  it holds for the cases after it, until the next schema
//   -- source      (optional) the SQLite source's catalog, same form with SQLite's declared
//                  types (TranslateOptions::source); holds until the next schema or source
//   -- input       SQLite SQL
//   -- postgres    the expected translation (PostgreSQL)
//   -- oracle      or the expected translation to Oracle
//   -- rules       (optional) the rules reported, space-separated, in order
// Lines starting with '#' are comments. Every expected translation must also parse in its
// target dialect.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "askguru/sql/parser.h"
#include "askguru/sql/translate.h"

namespace askguru::sql {
namespace {

namespace fs = std::filesystem;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t b = s.find_first_not_of(" \n");
  return b == std::string::npos ? std::string() : s.substr(b);
}

// Splits at `sep` outside parentheses (NUMBER(38,2) stays whole).
std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  int depth = 0;
  auto flush = [&] {
    part = trim(part);
    if (!part.empty()) out.push_back(part);
    part.clear();
  };
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == sep && depth == 0) {
      flush();
      continue;
    }
    part += c;
  }
  flush();
  return out;
}

catalog::Catalog parse_schema(const std::string& text) {
  catalog::Catalog cat;
  cat.dialect = Dialect::kPostgres;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    catalog::Table table;
    table.name = trim(line.substr(0, colon));
    if (size_t dot = table.name.find('.'); dot != std::string::npos) {
      table.schema = table.name.substr(0, dot);
      table.name = table.name.substr(dot + 1);
    }
    for (const std::string& def : split(line.substr(colon + 1), ',')) {
      std::vector<std::string> words = split(def, ' ');
      catalog::Column column;
      column.name = words[0];
      for (size_t i = 1; i < words.size(); ++i) {
        if (words[i] == "pk") {
          column.primary_key = true;
          table.primary_key.push_back(column.name);
        } else if (words[i] == "notnull") {
          column.not_null = true;
        } else {
          column.type += (column.type.empty() ? "" : " ") + words[i];
        }
      }
      table.columns.push_back(column);
    }
    cat.tables.push_back(table);
  }
  return cat;
}

struct Section {
  std::string name;
  std::string text;
  int line = 0;
};

void run_file(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Section> sections;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line[0] == '#') continue;
    if (line.rfind("-- ", 0) == 0) {
      sections.push_back(Section{line.substr(3), "", n});
      continue;
    }
    if (sections.empty()) continue;
    sections.back().text += line + "\n";
  }
  catalog::Catalog cat, source;
  bool has_source = false;
  int cases = 0;
  for (size_t i = 0; i < sections.size(); ++i) {
    const Section& s = sections[i];
    if (s.name == "schema") {
      cat = parse_schema(s.text);
      has_source = false;
      continue;
    }
    if (s.name == "source") {
      source = parse_schema(s.text);
      has_source = true;
      continue;
    }
    if (s.name != "input") continue;
    ASSERT_TRUE(i + 1 < sections.size() && (sections[i + 1].name == "postgres" || sections[i + 1].name == "oracle"))
        << path << ":" << s.line << ": an input needs a -- postgres or -- oracle section";
    ++cases;
    std::string where = path.filename().string() + ":" + std::to_string(s.line);
    TranslateOptions options;
    options.to = sections[i + 1].name == "oracle" ? Dialect::kOracle : Dialect::kPostgres;
    if (has_source) options.source = &source;
    auto out = translate(trim(s.text), cat, options);
    ASSERT_TRUE(out.ok()) << where << ": " << out.error();
    EXPECT_EQ(out->sql, trim(sections[i + 1].text)) << where;
    auto reparsed = parse(out->sql, options.to);
    EXPECT_TRUE(reparsed.ok()) << where << ": the translation does not parse: " << reparsed.error();
    if (i + 2 < sections.size() && sections[i + 2].name == "rules") {
      std::string got;
      for (const std::string& r : out->rules) got += (got.empty() ? "" : "; ") + r;
      EXPECT_EQ(got, trim(sections[i + 2].text)) << where;
    }
  }
  EXPECT_GT(cases, 0) << path;
}

TEST(TranslateFiles, AllCases) {
  fs::path dir = fs::path(ASKGURU_TEST_DATA_DIR) / "translate";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".test") continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    run_file(entry.path());
  }
  EXPECT_GT(files, 0);
}

TEST(Translate, RefusesStatementsOtherThanQueries) {
  catalog::Catalog cat;
  auto out = translate("DELETE FROM t", cat);
  EXPECT_FALSE(out.ok());
  EXPECT_FALSE(translate("SELEC 1", cat).ok());
}

TEST(Translate, SameDialectIsUnchangedApartFromPrinting) {
  catalog::Catalog cat;
  TranslateOptions o;
  o.to = Dialect::kSqlite;
  auto out = translate("SELECT a FROM t WHERE b LIKE 'x%'", cat, o);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->sql, "SELECT a FROM t WHERE b LIKE 'x%'");
  EXPECT_TRUE(out->rules.empty());
}

}  // namespace
}  // namespace askguru::sql
