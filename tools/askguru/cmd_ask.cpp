// askguru ask: answers one question over a database with the pipeline and prints
// the SQL, a result table and a short trace summary (--trace: the whole trace;
// --json: one JSON object for machines).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "artifact_flags.h"
#include "askguru/db/format.h"
#include "askguru/guard/policy.h"
#include "askguru/pipeline/pipeline.h"
#include "subcommand.h"

namespace askguru::cli {
namespace {

struct AskOptions {
  std::string db;
  std::string config;
  std::string evidence;
  std::string examples;
  std::string question;
  bool trace = false;
  bool json = false;
  ArtifactFlags artifacts;
};

void run_ask(const AskOptions& opt) {
  pipeline::PipelineConfig config;
  if (!opt.config.empty()) {
    auto loaded = pipeline::PipelineConfig::load(opt.config);
    if (!loaded.ok()) fail(loaded.status(), 2);
    config = std::move(*loaded);
  }
  if (!opt.artifacts.role.empty()) fail("ask: --role is not supported: the pipeline applies one policy to every question", 2);
  if (!opt.artifacts.policy.empty()) config.policy_path = opt.artifacts.policy;  // --policy overrides the config's
  const std::string policy_path = config.policy_path;
  auto pipeline = pipeline::Pipeline::create(std::move(config));
  if (!pipeline.ok()) fail(pipeline.status(), 2);
  index::ArtifactOptions artifact_options = opt.artifacts.options();
  artifact_options.quiet = artifact_options.quiet || opt.json;
  // What the guardrail policy denies is never profiled, indexed or retrieved either.
  artifact_options.allow = opt.artifacts.allow_of(policy_path);
  auto database = pipeline::Database::open(opt.db, artifact_options, opt.examples);
  if (!database.ok()) fail(database.status(), 2);

  pipeline::Question question{opt.question, opt.evidence, {}};
  pipeline::Answer answer = (*pipeline)->ask(question, **database);
  if (opt.json) {
    std::printf("%s\n", answer.to_json(opt.trace).dump(1).c_str());
  } else {
    if (answer.status.ok()) {
      std::printf("%s\n\n%s\n", answer.sql.c_str(), db::format_table(answer.rows).c_str());
    }
    std::string summary = answer.summary();
    if (opt.trace && answer.trace) summary += "\n" + answer.to_json(true).dump(1);
    std::fprintf(stderr, "%s\n", summary.c_str());
  }
  if (!answer.status.ok()) {
    if (!opt.json) fail(answer.status, answer.status.code() == ErrorCode::kRefused ? 3 : 1);
    throw Exit{answer.status.code() == ErrorCode::kRefused ? 3 : 1};
  }
}

void setup_ask(CLI::App& sub) {
  auto opt = std::make_shared<AskOptions>();
  sub.add_option("--db", opt->db, "database: an SQLite file, postgresql://... or odbc:...")->required();
  sub.add_option("--config", opt->config,
                 "pipeline configuration (configs/*.yaml); without one askguru answers offline from examples only");
  sub.add_option("--evidence", opt->evidence, "a hint for the question (BIRD's evidence)");
  sub.add_option("--examples", opt->examples, "a Spider/BIRD dataset whose question/SQL pairs become examples");
  sub.add_flag("--trace", opt->trace, "print the whole trace: every call and every candidate");
  sub.add_flag("--json", opt->json, "print one JSON object");
  opt->artifacts.add(sub, false);
  sub.add_option("question", opt->question, "the question")->required();
  sub.callback([opt] { run_ask(*opt); });
}

Registration reg("ask", "Answer a question over a database: SQL, rows and a trace", setup_ask);

}  // namespace
}  // namespace askguru::cli
