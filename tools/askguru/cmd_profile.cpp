// `askguru profile --db F [--summaries --llm-config C [--endpoint E]] [--force]
// [--artifacts DIR] [--json] [--policy P [--role R]] [--deny table.column]...`:
// profiles a database (column statistics, formats, MinHash, join candidates) into
// its artifact directory, optionally adds LLM field summaries, and prints a summary.
// An up-to-date profile is loaded, not rebuilt; a stopped one is resumed.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "askguru/catalog/catalog_json.h"
#include "askguru/common/progress.h"
#include "askguru/common/text.h"
#include "askguru/guard/policy.h"
#include "askguru/llm/client.h"
#include "askguru/llm/config.h"
#include "askguru/profile/artifacts.h"
#include "askguru/profile/profiler.h"
#include "askguru/profile/summaries.h"
#include "subcommand.h"

namespace {

struct Options {
  std::string db;
  std::string artifacts;
  bool force = false;
  bool json = false;
  bool quiet = false;
  bool summaries = false;
  std::string llm_config;
  std::string endpoint;
  size_t fields_per_call = 8;
  std::string policy;
  std::string role;
  std::vector<std::string> deny;
  std::string tables;
  std::string descriptions;
  size_t jobs = 0;
  double table_budget = 60.0;
  double total_budget = 0.0;
  int64_t sample_rows = 200000;
};

std::string join_text(const askguru::catalog::JoinCandidate& j) {
  return fmt::format("{}.{} -> {}.{} (containment {:.2f}, jaccard {:.2f}{})", j.from_table, j.from_column, j.to_table,
                     j.to_column, j.containment, j.jaccard, j.declared ? ", declared" : "");
}

void run(const Options& opt) {
  using namespace askguru;
  if (opt.quiet) Progress::set_enabled(false);
  auto policy = guard::resolve_policy(opt.policy, opt.role);
  if (!policy.ok()) cli::fail(policy.status());
  profile::ProfileOptions options;
  options.deny = opt.deny;
  options.allow = [p = *policy](std::string_view table, std::string_view column) {
    return p.table_allowed("", table) && p.column_allowed(table, column);
  };
  options.descriptions_dir = opt.descriptions;
  options.tables_json = opt.tables;
  options.jobs = opt.jobs;
  options.table_budget_s = opt.table_budget;
  options.total_budget_s = opt.total_budget;
  options.sample_rows = opt.sample_rows;
  options.progress = !opt.quiet && !opt.json;

  profile::ArtifactOptions artifacts;
  artifacts.root = opt.artifacts;
  artifacts.force = opt.force;
  auto dir = profile::ArtifactDir::open(opt.db, artifacts);
  if (!dir.ok()) cli::fail(dir.status());

  bool loaded = false;
  profile::ProfileRun run;
  if (auto current = profile::load_current_catalog(*dir, options)) {
    loaded = true;
    run.catalog = std::move(*current);
    run.tables = run.catalog.tables.size();
  } else {
    auto made = profile::profile_database(*dir, options);
    if (!made.ok()) cli::fail(made.status());
    run = std::move(*made);
  }
  catalog::Catalog& catalog = run.catalog;

  profile::SummaryRun summaries;
  if (opt.summaries) {
    if (opt.llm_config.empty()) cli::fail("--summaries needs --llm-config");
    auto config = llm::LlmConfig::load(opt.llm_config);
    if (!config.ok()) cli::fail(config.status());
    std::string endpoint = opt.endpoint;
    if (endpoint.empty()) {
      if (config->endpoints.empty()) cli::fail(opt.llm_config + ": no endpoints");
      endpoint = config->endpoints.front().name;
    }
    const llm::EndpointConfig* e = config->find(endpoint);
    if (!e) cli::fail(opt.llm_config + ": no endpoint named '" + endpoint + "'");
    llm::LlmConfig one = *config;
    one.endpoints = {*e};
    // Summaries are cached on disk: the config's cache, else one beside the artifacts.
    if (one.cache.mode == llm::CacheMode::kOff) {
      one.cache.mode = llm::CacheMode::kReadWrite;
      one.cache.path = (std::filesystem::path(dir->dir()).parent_path() / "llm_cache.sqlite").string();
    }
    auto hub = llm::LlmHub::create(one);
    if (!hub.ok()) cli::fail(hub.status());
    profile::SummaryOptions summary_options;
    summary_options.fields_per_call = opt.fields_per_call;
    summary_options.deny = options.deny;
    summary_options.allow = options.allow;
    auto made = profile::summarize_catalog(catalog, *(*hub)->client(endpoint), summary_options);
    if (!made.ok()) cli::fail(made.status());
    summaries = *made;
    auto saved = dir->save_catalog(catalog);
    if (!saved.ok()) cli::fail(saved.status());
  }

  size_t columns = 0, profiled = 0, sampled = 0, partial = 0, undeclared = 0, summarized = 0;
  for (const auto& table : catalog.tables) {
    sampled += table.profile.sampled;
    partial += table.profile.partial;
    for (const auto& column : table.columns) {
      ++columns;
      profiled += column.profile.profiled;
      summarized += !column.summary_short.empty();
    }
  }
  for (const auto& j : catalog.join_candidates) undeclared += !j.declared;
  uint64_t bytes = dir->size_bytes();

  if (opt.json) {
    nlohmann::ordered_json out;
    out["db"] = dir->display();
    out["db_id"] = catalog.db_id;
    out["artifacts"] = dir->dir();
    out["fingerprint"] = dir->fingerprint();
    out["loaded"] = loaded;
    out["complete"] = catalog.profile.complete;
    out["tables"] = catalog.tables.size();
    out["tables_profiled"] = run.tables_profiled;
    out["tables_resumed"] = run.tables_resumed;
    out["tables_left"] = run.tables_left;
    out["tables_sampled"] = sampled;
    out["tables_partial"] = partial;
    out["columns"] = columns;
    out["columns_profiled"] = profiled;
    out["columns_denied"] = catalog.profile.deny.size();
    out["columns_summarized"] = summarized;
    out["join_candidates"] = catalog.join_candidates.size();
    out["join_candidates_undeclared"] = undeclared;
    out["seconds"] = loaded ? 0.0 : run.seconds;
    if (opt.summaries) {
      out["summary_calls"] = summaries.calls;
      out["summary_cached"] = summaries.cached;
      out["summary_repairs"] = summaries.repairs;
      out["summary_failed"] = summaries.failed;
      out["summary_cost_usd"] = summaries.cost_usd;
    }
    out["artifact_bytes"] = bytes;
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("%-28s %10s %8s %8s  %s\n", "table", "rows", "columns", "seconds", "notes");
  for (const auto& table : catalog.tables) {
    size_t n = 0;
    for (const auto& column : table.columns) n += column.profile.profiled;
    std::string notes;
    if (!table.profile.profiled) notes = "not profiled";
    if (table.profile.sampled) notes += fmt::format("sampled {} rows", table.profile.rows_read);
    if (table.profile.partial) notes += notes.empty() ? "partial (budget)" : ", partial (budget)";
    if (table.is_view) notes += notes.empty() ? "view" : ", view";
    std::printf("%-28s %10s %5zu/%-2zu %8.2f  %s\n", text::ellipsize(table.name, 28).c_str(),
                table.row_count ? std::to_string(*table.row_count).c_str() : "?", n, table.columns.size(),
                table.profile.seconds, notes.c_str());
  }
  if (!catalog.join_candidates.empty()) {
    std::printf("\njoin candidates:\n");
    for (const auto& j : catalog.join_candidates) std::printf("  %s\n", join_text(j).c_str());
  }
  std::printf("\n%s %s: %zu tables, %zu/%zu columns profiled (%zu denied), %zu sampled, %zu partial, %zu join "
              "candidates (%zu undeclared)%s\n",
              loaded ? "up to date" : (catalog.profile.complete ? "profiled" : "profiled in part"),
              catalog.db_id.c_str(), catalog.tables.size(), profiled, columns, catalog.profile.deny.size(), sampled,
              partial, catalog.join_candidates.size(), undeclared,
              loaded ? "" : fmt::format(" in {:.2f} s ({} resumed, {} left for a rerun)", run.seconds, run.tables_resumed,
                                        run.tables_left).c_str());
  if (opt.summaries) {
    std::printf("summaries: %zu columns summarised, %zu calls (%zu cached), %zu re-asked, %zu failed, $%.4f\n",
                summaries.summarized, summaries.calls, summaries.cached, summaries.repairs, summaries.failed,
                summaries.cost_usd);
  }
  std::printf("artifacts: %s (%s)\n", dir->dir().c_str(), text::human_bytes(bytes).c_str());
}

void setup(CLI::App& sub) {
  auto opt = std::make_shared<Options>();
  sub.add_option("--db", opt->db, "database: SQLite file, postgresql://... or odbc:...")->required();
  sub.add_option("--artifacts", opt->artifacts, "artifact root (default $ASKGURU_HOME, else ~/.cache/askguru)");
  sub.add_flag("--force", opt->force, "rebuild even when the profile is up to date");
  sub.add_flag("--json", opt->json, "print a JSON summary");
  sub.add_flag("-q,--quiet", opt->quiet, "no progress line");
  sub.add_flag("--summaries", opt->summaries, "add LLM field summaries (needs --llm-config)");
  sub.add_option("--llm-config", opt->llm_config, "LLM configuration (YAML) for --summaries");
  sub.add_option("--endpoint", opt->endpoint, "endpoint of --llm-config to use (default: the first)");
  sub.add_option("--fields-per-call", opt->fields_per_call, "columns per summary request")->capture_default_str();
  sub.add_option("--policy", opt->policy, "guardrail policy (YAML): its denied tables/columns are never read");
  sub.add_option("--role", opt->role, "role within --policy");
  sub.add_option("--deny", opt->deny, "table.column (or table.*) never to read or send to an LLM; repeatable");
  sub.add_option("--tables", opt->tables, "Spider/BIRD tables.json (natural column names)");
  sub.add_option("--descriptions", opt->descriptions, "BIRD description CSVs (default: beside the database)");
  sub.add_option("--jobs", opt->jobs, "tables profiled in parallel (0: one per core)")->capture_default_str();
  sub.add_option("--table-budget", opt->table_budget, "seconds per table (0: none)")->capture_default_str();
  sub.add_option("--total-budget", opt->total_budget, "seconds for the database; a rerun resumes (0: none)")
      ->capture_default_str();
  sub.add_option("--sample-rows", opt->sample_rows, "profile bigger tables on a sample of this many rows (0: never)")
      ->capture_default_str();
  sub.callback([opt] { run(*opt); });
}

const askguru::cli::Registration reg("profile",
                                     "Profile a database: column statistics, formats, join candidates, LLM summaries",
                                     setup);

}  // namespace
