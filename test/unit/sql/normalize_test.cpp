// Runs the data-driven normaliser and skeleton cases in test/data/sql/normalize*.test
// (format: analysis_fixture.h). Sections:
//   -- normalize            the normal form (with the schema's catalog when there is one)
//   -- skeleton             the skeleton
//   -- skeleton (columns)   the skeleton with columns masked
//   -- same                 queries, one a line, with the same normal form as the input
//   -- different            queries, one a line, with another normal form
// Every normal form must parse and be a fixed point (normalising it again changes nothing).
#include "askguru/sql/normalize.h"

#include <gtest/gtest.h>

#include <sstream>

#include "askguru/sql/parser.h"
#include "unit/sql/analysis_fixture.h"

namespace askguru::sql {
namespace {

using testing::Case;
using testing::CatalogCache;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

TEST(SqlNormalizeFiles, AllCasesPass) {
  CatalogCache catalogs;
  size_t cases = 0, checks = 0;
  auto files = testing::test_files("normalize");
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
      const catalog::Catalog* cat = c.schema.empty() ? nullptr : &catalogs.get(c.schema);
      NormalizeOptions nopt{cat};
      std::string norm = normalize(*ast, nopt);
      auto again = normalize_sql(norm, dialect, nopt);
      ++checks;
      if (!again.ok()) {
        ADD_FAILURE() << where << ": normal form does not parse: " << norm << "\n" << again.error();
      } else {
        EXPECT_EQ(*again, norm) << where << ": normal form is not a fixed point";
      }
      for (const auto& s : c.sections) {
        if (s.name == "normalize") {
          ++checks;
          EXPECT_EQ(norm, s.text) << where;
        } else if (s.name == "skeleton") {
          ++checks;
          SkeletonOptions so;
          so.catalog = cat;
          so.mask_columns = s.arg == "columns";
          EXPECT_EQ(skeleton(*ast, so), s.text) << where << " (skeleton " << s.arg << ")";
        } else if (s.name == "same" || s.name == "different") {
          for (const std::string& other : lines_of(s.text)) {
            ++checks;
            auto o = normalize_sql(other, dialect, nopt);
            if (!o.ok()) {
              ADD_FAILURE() << where << ": does not parse: " << other;
              continue;
            }
            if (s.name == "same") {
              EXPECT_EQ(*o, norm) << where << ": expected the same normal form for\n  " << other;
            } else {
              EXPECT_NE(*o, norm) << where << ": expected another normal form for\n  " << other;
            }
          }
        }
      }
    }
  }
  std::printf("%zu normalize cases, %zu checks\n", cases, checks);
  EXPECT_GE(cases, 10u);
}

}  // namespace
}  // namespace askguru::sql
