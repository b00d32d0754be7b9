// Runs the data-driven analysis cases in test/data/sql/analysis*.test (format: see
// analysis_fixture.h). Each case's input is parsed in its dialect (-- input (postgres)),
// analysed against the catalog of the current -- schema, and every fact section present
// must match the dump exactly; a case without -- diagnostics must have none. For SQLite
// cases, SQLite itself must compile the query exactly when the analysis reports no error.
#include "askguru/sql/analysis.h"

#include <gtest/gtest.h>

#include "askguru/sql/parser.h"
#include "unit/sql/analysis_fixture.h"

namespace askguru::sql {
namespace {

using testing::Case;
using testing::CatalogCache;

TEST(SqlAnalysisFiles, AllCasesPass) {
  CatalogCache catalogs;
  size_t cases = 0, checks = 0;
  auto files = testing::test_files("analysis");
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    for (const Case& c : testing::read_cases(file)) {
      ++cases;
      std::string where = file.filename().string() + ":" + std::to_string(c.line);
      const auto& input = c.sections.front();
      Dialect dialect = input.arg.empty() ? Dialect::kSqlite : parse_dialect(input.arg).value_or(Dialect::kSqlite);
      auto ast = parse(input.text, dialect);
      if (!ast.ok()) {
        ADD_FAILURE() << where << ": does not parse: " << ast.error();
        continue;
      }
      const catalog::Catalog& cat = catalogs.get(c.schema);
      auto analysis = analyze(*ast, cat);
      if (!analysis.ok()) {
        ADD_FAILURE() << where << ": " << analysis.error();
        continue;
      }
      // SQLite itself must agree: it compiles the query exactly when the analysis finds no error.
      if (dialect == Dialect::kSqlite) {
        ++checks;
        std::string message;
        bool accepted = catalogs.sqlite_accepts(c.schema, input.text, &message);
        EXPECT_EQ(accepted, !analysis->has_errors())
            << where << ": SQLite " << (accepted ? "accepts" : "rejects (" + message + ")") << "\n  " << input.text
            << "\n"
            << analysis->diagnostics_text();
      }
      auto facts = testing::dump(*analysis);
      bool has_diagnostics = false;
      for (const auto& s : c.sections) {
        if (s.name == "input") continue;
        if (s.name == "diagnostics") has_diagnostics = true;
        auto it = facts.find(s.name);
        if (it == facts.end()) continue;  // a section for another test (normalize, skeleton ...)
        ++checks;
        EXPECT_EQ(it->second, s.text) << where << " (" << s.name << ")\n  " << input.text;
      }
      if (!has_diagnostics) {
        ++checks;
        EXPECT_EQ(facts["diagnostics"], "") << where << "\n  " << input.text;
      }
    }
  }
  std::printf("%zu analysis cases, %zu checks\n", cases, checks);
  EXPECT_GE(cases, 20u);
}

TEST(SqlAnalysis, RefusesStatementsThatAreNotQueries) {
  auto ast = parse("DELETE FROM t", Dialect::kSqlite);
  ASSERT_TRUE(ast.ok());
  catalog::Catalog cat;
  auto a = analyze(*ast, cat);
  EXPECT_FALSE(a.ok());
}

TEST(SqlAnalysis, FormatsDiagnosticsWithACaret) {
  auto ast = parse("SELECT name\nFROM t AS T1 WHERE T1.nmae = 1", Dialect::kSqlite);
  ASSERT_TRUE(ast.ok());
  catalog::Catalog cat;
  catalog::Table t;
  t.name = "t";
  t.columns.push_back({});
  t.columns.back().name = "name";
  cat.tables.push_back(t);
  auto a = analyze(*ast, cat);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->diagnostics.size(), 1u);
  EXPECT_EQ(format_diagnostic(*ast, a->diagnostics[0]),
            "error at 2:20: column T1.nmae not found; did you mean T1.name?\n"
            "FROM t AS T1 WHERE T1.nmae = 1\n"
            "                   ^");
}

TEST(SqlAnalysis, AggregateNames) {
  EXPECT_TRUE(is_aggregate_function("count"));
  EXPECT_TRUE(is_aggregate_function("GROUP_CONCAT"));
  EXPECT_FALSE(is_aggregate_function("lower"));
}

}  // namespace
}  // namespace askguru::sql
