// libFuzzer target for the SQL front end. The first byte picks the dialect; the rest is
// SQL text. Beyond "no crash, hang or sanitizer report", it checks the printer's promise:
// a query that parses prints (as written and canonically) to text that parses again and
// prints to the same text. (An equal AST is not required: the printer rewrites constructs
// the dialect lacks, e.g. IIF in PostgreSQL becomes CASE; test/sql/*.test checks AST
// equality on valid input.)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace {

using askguru::Dialect;
namespace sql = askguru::sql;

[[noreturn]] void fail(const char* what, std::string_view input, const std::string& printed) {
  std::fprintf(stderr, "%s\ninput:   %.*s\nprinted: %s\n", what, static_cast<int>(input.size()), input.data(),
               printed.c_str());
  std::abort();
}

void check_round_trip(const sql::Ast& ast, std::string_view input, Dialect dialect, bool canonical) {
  const std::string printed = sql::print(ast, {.dialect = dialect, .canonical = canonical});
  auto again = sql::parse(printed, dialect);
  // Printing may add parentheses (a comparison inside a comparison), so input just under
  // the depth limit can print to text just over it: a clean refusal, not a bug.
  if (!again.ok() && again.status().message().find("nested too deeply") != std::string::npos) return;
  if (!again.ok()) fail("printed SQL does not parse", input, printed + "\nerror: " + again.status().message());
  if (sql::print(*again, {.dialect = dialect, .canonical = canonical}) != printed) {
    fail("printing is not stable", input, printed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Dialect dialect = static_cast<Dialect>(data[0] % 3);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto ast = sql::parse(text, dialect);
  if (!ast.ok()) {
    (void)sql::error_headline(ast.status().message());
    return 0;
  }
  // Only queries are printed structurally; other statements are printed as their text.
  for (const auto& statement : ast->statements()) {
    if (statement.query == nullptr) return 0;
  }
  check_round_trip(*ast, text, dialect, /*canonical=*/false);
  check_round_trip(*ast, text, dialect, /*canonical=*/true);
  // Transpiling must at least produce text the target dialect reads.
  for (Dialect target : {Dialect::kSqlite, Dialect::kPostgres, Dialect::kOracle}) {
    (void)sql::print(*ast, {.dialect = target, .canonical = true});
  }
  return 0;
}
