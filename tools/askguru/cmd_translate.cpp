// `askguru translate --db URL [--from sqlite] [--source-db F] "SQL"`: prints the query
// translated into the database's dialect, resolved against its catalog (sql/translate.h).
// --source-db names the database the SQL was written for (the SQLite file the target was
// loaded from), whose declared types give SQLite's column affinity. --rules also lists
// the translation rules that changed something, on stderr.
#include <cstdio>
#include <memory>

#include "askguru/db/connection.h"
#include "askguru/db/translate.h"
#include "subcommand.h"

namespace {

struct Options {
  std::string db;
  std::string from = "sqlite";
  std::string source_db;
  std::string sql;
  bool rules = false;
};

void run(const Options& opt) {
  using namespace askguru;
  auto from = parse_dialect(opt.from);
  if (!from) cli::fail("unknown dialect '" + opt.from + "' (sqlite, postgres, oracle)");
  auto connection = db::open_connection(opt.db);
  if (!connection.ok()) cli::fail(connection.status());
  std::unique_ptr<db::Connection> source;
  if (!opt.source_db.empty()) {
    auto opened = db::open_connection(opt.source_db);
    if (!opened.ok()) cli::fail(opened.status().with_context("--source-db"));
    source = std::move(*opened);
  }
  auto translated = db::translate_for(**connection, opt.sql, *from, source.get());
  if (!translated.ok()) cli::fail(translated.status());
  std::printf("%s\n", translated->sql.c_str());
  if (opt.rules) {
    for (const std::string& rule : translated->rules) std::fprintf(stderr, "rule: %s\n", rule.c_str());
  }
}

void setup(CLI::App& sub) {
  auto opt = std::make_shared<Options>();
  sub.add_option("--db", opt->db,
                 "target database: an SQLite file, postgresql://user@host:port/db or odbc:DSN / odbc:<connection "
                 "string> (Oracle: the dialect the driver reports, or dialect=oracle in the address)")
      ->required();
  sub.add_option("--from", opt->from, "the dialect the SQL is written in")->capture_default_str();
  sub.add_option("--source-db", opt->source_db,
                 "the database the SQL was written for (e.g. the SQLite file the target was loaded from); its "
                 "declared types give SQLite's column affinity");
  sub.add_flag("--rules", opt->rules, "list the translation rules applied (stderr)");
  sub.add_option("sql", opt->sql, "one query")->required();
  sub.callback([opt] { run(*opt); });
}

const askguru::cli::Registration reg("translate", "Translate a query into a database's dialect, resolved against its catalog", setup);

}  // namespace
