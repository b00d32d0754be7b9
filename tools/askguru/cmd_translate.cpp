// `askguru translate --db URL [--from sqlite] "SQL"`: prints the query translated into the
// database's dialect, resolved against its catalog (sql/translate.h). --rules also lists
// the translation rules that changed something, on stderr.
#include <cstdio>

#include "askguru/db/connection.h"
#include "askguru/db/translate.h"
#include "subcommand.h"

namespace {

struct Options {
  std::string db;
  std::string from = "sqlite";
  std::string sql;
  bool rules = false;
};

void run(const Options& opt) {
  using namespace askguru;
  auto from = parse_dialect(opt.from);
  if (!from) cli::fail("unknown dialect '" + opt.from + "' (sqlite, postgres, oracle)");
  auto connection = db::open_connection(opt.db);
  if (!connection.ok()) cli::fail(connection.status());
  auto translated = db::translate_for(**connection, opt.sql, *from);
  if (!translated.ok()) cli::fail(translated.status());
  std::printf("%s\n", translated->sql.c_str());
  if (opt.rules) {
    for (const std::string& rule : translated->rules) std::fprintf(stderr, "rule: %s\n", rule.c_str());
  }
}

void setup(CLI::App& sub) {
  auto opt = std::make_shared<Options>();
  sub.add_option("--db", opt->db, "target database: an SQLite file or postgresql://user@host:port/db")->required();
  sub.add_option("--from", opt->from, "the dialect the SQL is written in")->capture_default_str();
  sub.add_flag("--rules", opt->rules, "list the translation rules applied (stderr)");
  sub.add_option("sql", opt->sql, "one query")->required();
  sub.callback([opt] { run(*opt); });
}

const askguru::cli::Registration reg("translate", "Translate a query into a database's dialect, resolved against its catalog", setup);

}  // namespace
