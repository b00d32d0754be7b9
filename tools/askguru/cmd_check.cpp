// `askguru check --db F [--dialect sqlite|postgres|oracle] [--policy F] [--role R]
// [--evaluation] [--json] "SQL"`: prints what askguru sees in one query (analysis
// summary), the guardrail's verdict under the policy, and the join validator's
// findings, without running the query. Exit status: 0 when the query would run, 2
// when the guardrail refuses it, 1 on any other failure (no database, bad policy).
#include <cstdio>

#include "askguru/db/connection.h"
#include "askguru/guard/review.h"
#include "subcommand.h"

namespace {

struct Options {
  std::string db;
  std::string dialect;
  std::string policy;
  std::string role;
  std::string sql;
  bool json = false;
  bool evaluation = false;
};

void run(const Options& opt) {
  using namespace askguru;
  auto connection = db::open_connection(opt.db);
  if (!connection.ok()) cli::fail(connection.status());
  Dialect dialect = (*connection)->dialect();
  if (!opt.dialect.empty()) {
    auto d = parse_dialect(opt.dialect);
    if (!d) cli::fail("unknown dialect '" + opt.dialect + "' (sqlite, postgres or oracle)");
    dialect = *d;
  }
  auto policy = guard::resolve_policy(opt.policy, opt.role);
  if (!policy.ok()) cli::fail(policy.status());
  db::IntrospectOptions light;
  light.sample_values = 0;
  light.count_rows = false;
  auto catalog = (*connection)->introspect(light);
  if (!catalog.ok()) cli::fail(catalog.status());

  guard::ReviewOptions options;
  options.dialect = dialect;
  options.interactive = !opt.evaluation;
  guard::Review review = guard::review(opt.sql, *catalog, *policy, options);
  std::string out = opt.json ? guard::review_json(review) + "\n" : guard::review_text(review);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (!review.guard.allowed()) throw cli::Exit{2};
}

void setup(CLI::App& sub) {
  auto opt = std::make_shared<Options>();
  sub.add_option("--db", opt->db, "database whose catalog the query is checked against (SQLite file)")->required();
  sub.add_option("--dialect", opt->dialect,
                 "dialect of the query: sqlite, postgres or oracle (default: the database's)");
  sub.add_option("--policy", opt->policy, "guardrail policy (YAML); default: the built-in read-only policy");
  sub.add_option("--role", opt->role, "the caller role whose policy applies (the file's roles:)");
  sub.add_flag("--evaluation", opt->evaluation, "evaluation use: no row limit is injected");
  sub.add_flag("--json", opt->json, "print the report as JSON");
  sub.add_option("sql", opt->sql, "the SQL to check")->required();
  sub.callback([opt] { run(*opt); });
}

const askguru::cli::Registration reg("check", "Check one query: analysis, guardrail verdict, join findings", setup);

}  // namespace
