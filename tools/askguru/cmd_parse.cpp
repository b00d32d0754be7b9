// `askguru parse [--dialect D] [--to D2] [--canonical]`: reads one query per line on
// stdin and writes one line per query: the printed SQL, or "ERROR: <message>".
#include <cstdio>
#include <iostream>
#include <string>

#include "askguru/common/dialect.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"
#include "subcommand.h"

namespace {

struct Options {
  std::string dialect = "sqlite";
  std::string to;
  bool canonical = false;
};

void run(const Options& o) {
  using namespace askguru;
  auto from = parse_dialect(o.dialect);
  if (!from) cli::fail("unknown dialect '" + o.dialect + "' (sqlite, postgres or oracle)");
  auto to = o.to.empty() ? from : parse_dialect(o.to);
  if (!to) cli::fail("unknown dialect '" + o.to + "' (sqlite, postgres or oracle)");
  sql::PrintOptions print_options;
  print_options.dialect = *to;
  print_options.canonical = o.canonical;
  std::string line;
  std::string out;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto ast = sql::parse(line, *from);
    if (ast.ok()) {
      out = sql::print(*ast, print_options);
    } else {
      out = "ERROR: ";
      out.append(sql::error_headline(ast.error()));
    }
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
}

void setup(CLI::App& sub) {
  auto options = std::make_shared<Options>();
  sub.add_option("--dialect", options->dialect, "dialect of the input: sqlite, postgres or oracle")
      ->capture_default_str();
  sub.add_option("--to", options->to, "dialect to print in (default: the input dialect)");
  sub.add_flag("--canonical", options->canonical, "print the canonical form (see src/askguru/sql/printer.h)");
  sub.callback([options] { run(*options); });
}

const askguru::cli::Registration reg("parse", "Parse SQL (one query per line on stdin) and print it back", setup);

}  // namespace
