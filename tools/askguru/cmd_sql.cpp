// `askguru sql --db F [--timeout-ms N] [--max-rows N] [--json] [--policy F] [--role R]
// [--dialect D] "SELECT ..."`: with --dialect (the SQL's own dialect, e.g. sqlite on a
// postgresql:// database) the query is first translated (db/translate.h; --source-db: the
// database the SQL was written for, whose declared types give SQLite's column affinity); then it runs
// one statement through the guardrail (guard/: the policy's checks and its row
// limit; the built-in default policy without --policy) and then the read-only
// connection, and prints the rows. Exit status: 0 on success, 2 when the statement is
// refused, 3 on timeout, 1 on any other failure.
#include <cstdio>
#include <memory>

#include "askguru/db/connection.h"
#include "askguru/db/format.h"
#include "askguru/db/translate.h"
#include "askguru/guard/guardrail.h"
#include "subcommand.h"

namespace {

struct Options {
  std::string db;
  std::string sql;
  int64_t timeout_ms = 30000;
  int64_t max_rows = 1000;
  bool json = false;
  std::string policy;
  std::string role;
  std::string dialect;
  std::string source_db;
};

int exit_code_for(askguru::ErrorCode code) {
  switch (code) {
    case askguru::ErrorCode::kRefused: return 2;
    case askguru::ErrorCode::kTimeout: return 3;
    default: return 1;
  }
}

void run(const Options& opt) {
  using namespace askguru;
  auto connection = db::open_connection(opt.db);
  if (!connection.ok()) cli::fail(connection.status());
  std::string sql = opt.sql;
  if (!opt.dialect.empty()) {
    auto from = parse_dialect(opt.dialect);
    if (!from) cli::fail("unknown dialect '" + opt.dialect + "' (sqlite, postgres, oracle)");
    if (*from != (*connection)->dialect()) {
      std::unique_ptr<db::Connection> source;
      if (!opt.source_db.empty()) {
        auto opened = db::open_connection(opt.source_db);
        if (!opened.ok()) cli::fail(opened.status().with_context("--source-db"));
        source = std::move(*opened);
      }
      auto translated = db::translate_for(**connection, sql, *from, source.get());
      if (!translated.ok()) cli::fail(translated.status());
      sql = translated->sql;
    }
  }
  // Guardrail before execution; the connection's authorizer stays underneath.
  auto policy = guard::resolve_policy(opt.policy, opt.role);
  if (!policy.ok()) cli::fail(policy.status());
  catalog::Catalog catalog;
  bool column_rules = !policy->denied_columns.empty() || !policy->allowed_columns.empty();
  if (column_rules) {
    db::IntrospectOptions light;
    light.sample_values = 0;
    light.count_rows = false;
    auto introspected = (*connection)->introspect(light);
    if (!introspected.ok()) cli::fail(introspected.status());
    catalog = std::move(*introspected);
  }
  guard::Guardrail guardrail(*policy, column_rules ? &catalog : nullptr);
  guard::GuardResult verdict = guardrail.check(sql, guard::GuardOptions{(*connection)->dialect(), true});
  if (!verdict.allowed()) cli::fail(verdict.status(), 2);
  for (const guard::Finding& f : verdict.findings) {
    if (f.code == "star_expanded") std::fprintf(stderr, "askguru sql: note: %s\n", f.message.c_str());
  }
  db::QueryOptions query;
  query.timeout = std::chrono::milliseconds(opt.timeout_ms);
  if (opt.max_rows > 0) query.max_rows = static_cast<size_t>(opt.max_rows);
  auto result = (*connection)->execute(verdict.sql, query);
  if (!result.ok()) cli::fail(result.status(), exit_code_for(result.status().code()));
  if (opt.json) {
    std::printf("%s\n", db::format_json(*result).c_str());
  } else {
    std::fputs(db::format_table(*result).c_str(), stdout);
  }
}

void setup(CLI::App& sub) {
  auto opt = std::make_shared<Options>();
  sub.add_option("--db", opt->db,
                 "database: an SQLite file (a path or sqlite:///path), postgresql://user@host:port/db or odbc:DSN / odbc:<connection string>")
      ->required();
  sub.add_option("--timeout-ms", opt->timeout_ms, "time limit; 0 for none")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--max-rows", opt->max_rows, "stop after this many rows; 0 fetches all")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub.add_flag("--json", opt->json, "print the result as JSON");
  sub.add_option("--policy", opt->policy, "guardrail policy (YAML); default: the built-in read-only policy");
  sub.add_option("--role", opt->role, "the caller role whose policy applies (the file's roles:)");
  sub.add_option("--dialect", opt->dialect,
                 "the dialect the SQL is written in (sqlite, postgres, oracle); translated when it is not the "
                 "database's");
  sub.add_option("--source-db", opt->source_db,
                 "with --dialect: the database the SQL was written for (e.g. the SQLite file the target was loaded "
                 "from); its declared types give SQLite's column affinity")
      ->needs("--dialect");
  sub.add_option("sql", opt->sql, "one read-only SQL statement")->required();
  sub.callback([opt] { run(*opt); });
}

const askguru::cli::Registration reg("sql", "Run one read-only SQL statement and print the rows", setup);

}  // namespace
