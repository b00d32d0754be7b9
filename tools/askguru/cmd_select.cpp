// `askguru select`: runs the selection stage over candidate pools written by existing
// systems (one SQL per line per generator, generators ranked in the order given), writes
// the chosen SQL per question and prints selection accuracy against the pool upper
// bound. Flags only; the work is askguru::pipeline::evaluate_pools.
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "askguru/common/files.h"
#include "askguru/eval/dataset.h"
#include "askguru/llm/client.h"
#include "askguru/llm/prompt_template.h"
#include "askguru/pipeline/config.h"
#include "askguru/pipeline/pool_eval.h"
#include "subcommand.h"

namespace {

struct Flags {
  std::string dataset;
  std::string db_root;
  std::vector<std::string> candidates;
  std::string metric;
  std::string out;
  std::string report;
  bool both_orders = false;
  double majority = 0;
  std::string config;
  std::string llm_config;
  std::string selector;
  std::string prompts_dir;
  size_t jobs = 0;
  size_t top_k = 4;
  double timeout_s = -1;
  bool no_cache = false;
  bool quiet = false;
};

void setup(CLI::App& sub) {
  auto flags = std::make_shared<Flags>();
  sub.add_option("--dataset", flags->dataset, "BIRD dev.json, Spider train/dev.json, or 'SQL<TAB>db_id' lines")
      ->required();
  sub.add_option("--db-root", flags->db_root, "folder with <db_id>/<db_id>.sqlite")->required();
  sub.add_option("--candidates", flags->candidates,
                 "one file per generator (best ranked first), one SQL per line in dataset order")
      ->required()
      ->expected(1, -1);
  sub.add_option("--metric", flags->metric, "bird-ex or spider-ex (default: by the dataset)");
  sub.add_option("--out", flags->out, "write the chosen SQL here, one per line");
  sub.add_option("--report", flags->report, "write a JSON report (figures and one item per question) here");
  sub.add_flag("--both-orders", flags->both_orders, "ask each pair twice, A and B swapped (position bias)");
  sub.add_option("--majority", flags->majority,
                 "no tournament when the largest cluster holds at least this share of the valid candidates "
                 "(e.g. 0.5; default 0: always)");
  sub.add_option("--config", flags->config,
                 "a pipeline configuration: its endpoints and selection section (selector, max_clusters, "
                 "majority_threshold, both_orders); the flags below override it");
  sub.add_option("--llm-config", flags->llm_config, "LLM endpoints (YAML) for the selector");
  sub.add_option("--selector", flags->selector, "the endpoint that judges pairs (needs --llm-config)");
  sub.add_option("--prompts", flags->prompts_dir, "a folder of edited prompt templates (*.txt)");
  sub.add_option("--top-k", flags->top_k, "cluster representatives in the tournament (default 4)");
  sub.add_option("-j,--jobs", flags->jobs, "worker threads (default: one per core)");
  sub.add_option("--timeout-s", flags->timeout_s, "time limit per query in seconds (default: the metric's)");
  sub.add_flag("--no-cache", flags->no_cache, "execute everything, neither reading nor writing the result cache");
  sub.add_flag("-q,--quiet", flags->quiet, "no progress lines");
  sub.callback([flags, &sub] {
    using namespace askguru;
    auto dataset = eval::load_dataset(flags->dataset);
    if (!dataset.ok()) cli::fail(dataset.status());
    pipeline::PoolEvalOptions options;
    if (!flags->metric.empty()) {
      auto metric = eval::parse_metric(flags->metric);
      if (!metric.ok()) cli::fail(metric.status());
      if (*metric == eval::Metric::kVes) cli::fail("--metric: selection is scored with bird-ex or spider-ex");
      options.eval.metric = *metric;
    }
    options.eval.db_root = flags->db_root;
    options.eval.jobs = flags->jobs;
    options.eval.use_cache = !flags->no_cache;
    options.eval.quiet = flags->quiet;
    if (flags->timeout_s >= 0) options.eval.timeout_s = flags->timeout_s;
    options.selection.top_k = flags->top_k;
    options.selection.both_orders = flags->both_orders;
    options.selection.majority_threshold = flags->majority;
    std::optional<llm::LlmConfig> llm_config;
    std::string selector = flags->selector;
    std::string prompts_dir = flags->prompts_dir;
    if (!flags->config.empty()) {
      auto config = pipeline::PipelineConfig::load(flags->config);
      if (!config.ok()) cli::fail(config.status(), 2);
      llm_config = config->llm;
      if (selector.empty()) selector = config->selection.selector;
      if (prompts_dir.empty()) prompts_dir = config->prompts_dir;
      if (!sub.count("--top-k")) options.selection.top_k = config->selection.max_clusters;
      if (!sub.count("--both-orders")) options.selection.both_orders = config->selection.both_orders;
      if (!sub.count("--majority")) options.selection.majority_threshold = config->selection.majority_threshold;
    } else if (!flags->llm_config.empty()) {
      auto config = llm::LlmConfig::load(flags->llm_config);
      if (!config.ok()) cli::fail(config.status());
      llm_config = std::move(*config);
    }

    std::vector<std::string> names;
    std::vector<std::vector<std::string>> pools;
    for (const std::string& file : flags->candidates) {
      auto predictions = eval::load_predictions(file);
      if (!predictions.ok()) cli::fail(predictions.status());
      std::vector<std::string> warnings;
      auto aligned = eval::align_predictions(*dataset, *predictions, &warnings);
      if (!aligned.ok()) cli::fail(aligned.status().with_context(file));
      for (const std::string& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
      names.push_back(std::filesystem::path(file).stem().string());
      pools.push_back(std::move(*aligned));
    }

    std::unique_ptr<llm::LlmHub> hub;
    std::unique_ptr<llm::PromptLibrary> prompts;
    if (!selector.empty()) {
      if (!llm_config) cli::fail("--selector needs --config or --llm-config");
      auto created = llm::LlmHub::create(*llm_config);
      if (!created.ok()) cli::fail(created.status());
      hub = std::move(*created);
      auto client = hub->find(selector);
      if (!client.ok()) cli::fail(client.status());
      options.selector = *client;
      auto library = llm::PromptLibrary::load_embedded();
      if (!library.ok()) cli::fail(library.status());
      if (!prompts_dir.empty()) {
        Status loaded = library->load_directory(prompts_dir);
        if (!loaded.ok()) cli::fail(loaded);
      }
      prompts = std::make_unique<llm::PromptLibrary>(std::move(*library));
      options.prompts = prompts.get();
    } else if (llm_config) {
      std::fprintf(stderr, "note: no selector named: the deterministic rule decides\n");
    }

    auto report = pipeline::evaluate_pools(*dataset, names, pools, options);
    if (!report.ok()) cli::fail(report.status());
    std::fputs(pipeline::pool_report_text(*report).c_str(), stdout);
    if (!flags->out.empty()) {
      std::string text;
      for (const std::string& sql : report->selected_sql) text += sql + "\n";
      Status written = files::write_file(flags->out, text);
      if (!written.ok()) cli::fail(written);
      std::printf("selected SQL: %s\n", flags->out.c_str());
    }
    if (!flags->report.empty()) {
      Status written = files::write_file(flags->report, pipeline::pool_report_json(*report, *dataset));
      if (!written.ok()) cli::fail(written);
      std::printf("report: %s\n", flags->report.c_str());
    }
  });
}

const askguru::cli::Registration reg("select",
                                     "Choose one SQL per question from candidate pools and score the choice "
                                     "against the pool upper bound",
                                     setup);

}  // namespace
