// `askguru load --from F --to URL [--schema S] [--replace]`: copies an SQLite database
// (schema, keys, rows) into PostgreSQL (db/postgres_load.h) and prints what it did.
#include <cstdio>

#include "askguru/db/connection.h"
#include "askguru/db/postgres_connection.h"
#include "askguru/db/postgres_load.h"
#include "subcommand.h"

namespace {

struct Options {
  std::string from;
  std::string to;
  std::string schema = "public";
  bool replace = false;
};

void run(const Options& opt) {
  using namespace askguru;
  auto source = db::open_connection(opt.from);
  if (!source.ok()) cli::fail(source.status());
  db::LoadOptions load;
  load.schema = opt.schema;
  load.replace = opt.replace;
  auto report = db::load_into_postgres(**source, opt.to, load);
  if (!report.ok()) cli::fail(report.status());
  std::printf("loaded %s into %s (schema %s): %zu tables, %zu rows, %zu primary keys, %zu foreign keys in %.2f s\n",
              (*source)->display_name().c_str(), db::redact_postgres_url(opt.to).c_str(), opt.schema.c_str(),
              report->tables, report->rows, report->primary_keys, report->foreign_keys, report->seconds);
  for (const auto& skipped : report->skipped) std::printf("skipped %s\n", skipped.c_str());
}

void setup(CLI::App& sub) {
  auto opt = std::make_shared<Options>();
  sub.add_option("--from", opt->from, "source: an SQLite file (a path or sqlite:///path)")->required();
  sub.add_option("--to", opt->to,
                 "target: postgresql://user@host:port/db (password from PGPASSWORD or a password file)")
      ->required();
  sub.add_option("--schema", opt->schema, "target schema (created when missing)")->capture_default_str();
  sub.add_flag("--replace", opt->replace, "drop target tables of the same names first");
  sub.callback([opt] { run(*opt); });
}

const askguru::cli::Registration reg("load", "Copy an SQLite database (schema, keys, rows) into PostgreSQL", setup);

}  // namespace
