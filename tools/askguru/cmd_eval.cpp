// `askguru eval`: scores a prediction file against a dataset with the official
// metrics (bird-ex, spider-ex, ves) and writes a JSON report. Flags only; the work
// is askguru::eval::evaluate_files.
#include <cstdio>
#include <string>

#include "askguru/common/files.h"
#include "askguru/eval/metrics.h"
#include "askguru/eval/report.h"
#include "askguru/pipeline/evaluation.h"
#include "subcommand.h"

namespace {

struct Flags {
  std::string dataset;
  std::string db_root;
  std::string db_url;
  std::string pred_dialect = "sqlite";
  std::string pred;
  std::string metric;
  size_t jobs = 0;
  std::string out;
  double timeout_s = -1;
  bool no_cache = false;
  std::string cache_dir;
  bool keep_distinct = false;
  size_t ves_iterations = 100;
  // --config: run the pipeline instead of reading predictions.
  std::string config;
  size_t concurrency = 4;
  size_t limit = 0;
  std::string examples;
  std::string artifacts;
};

void run_pipeline(const Flags& flags, const askguru::eval::EvalOptions& eval_options) {
  using namespace askguru;
  auto config = pipeline::PipelineConfig::load(flags.config);
  if (!config.ok()) cli::fail(config.status(), 2);
  auto p = pipeline::Pipeline::create(std::move(*config));
  if (!p.ok()) cli::fail(p.status(), 2);
  pipeline::PipelineEvalOptions options;
  options.dataset = flags.dataset;
  options.eval = eval_options;
  options.concurrency = flags.concurrency;
  options.limit = flags.limit;
  options.examples = flags.examples;
  options.artifacts.root = flags.artifacts;
  auto report = pipeline::evaluate_pipeline(**p, options);
  if (!report.ok()) cli::fail(report.status());
  pipeline::print_pipeline_summary(*report, stdout);
  if (!flags.out.empty()) {
    Status written = files::write_file(flags.out, pipeline::pipeline_report_to_json(*report));
    if (!written.ok()) cli::fail(written);
    std::printf("report: %s\n", flags.out.c_str());
  }
}

void setup(CLI::App& sub) {
  auto flags = std::make_shared<Flags>();
  sub.add_option("--dataset", flags->dataset, "BIRD dev.json, Spider train/dev.json, or 'SQL<TAB>db_id' lines")
      ->required();
  auto* root = sub.add_option("--db-root", flags->db_root, "folder with <db_id>/<db_id>.sqlite");
  auto* url = sub.add_option("--db-url", flags->db_url,
                             "instead of --db-root: a server address with {db_id}, e.g. "
                             "'postgresql://host:port/{db_id}' or 'odbc:...;Database={db_id}' (gold SQL is translated "
                             "from SQLite into the server's dialect)");
  root->excludes(url);
  sub.add_option("--pred-dialect", flags->pred_dialect,
                 "--pred with --db-url: the predictions' dialect, translated like the gold (sqlite, postgres, oracle; "
                 "'native': run as written)")
      ->capture_default_str();
  auto* pred = sub.add_option("--pred", flags->pred, "predictions: BIRD JSON object, one SQL per line, or JSONL");
  auto* config = sub.add_option("--config", flags->config, "run the pipeline with this configuration instead of --pred");
  pred->excludes(config);
  sub.add_option("--concurrency", flags->concurrency, "--config: questions in flight (default 4)");
  sub.add_option("--limit", flags->limit, "--config: only the first N questions");
  sub.add_option("--examples", flags->examples, "--config: a dataset whose pairs become the example store");
  sub.add_option("--artifacts", flags->artifacts, "--config: artifact root (default $ASKGURU_HOME or ~/.cache/askguru)");
  sub.add_option("--metric", flags->metric,
                 "bird-ex, spider-ex or ves (default: spider-ex for a Spider dataset, else bird-ex)");
  sub.add_option("-j,--jobs", flags->jobs, "worker threads (default: one per core)");
  sub.add_option("--out", flags->out, "write the JSON report here");
  sub.add_option("--timeout-s", flags->timeout_s,
                 "time limit in seconds (default 30 for bird-ex and ves, 60 for spider-ex; 0: none)");
  sub.add_flag("--no-cache", flags->no_cache, "execute everything, neither reading nor writing the result cache");
  sub.add_option("--cache-dir", flags->cache_dir,
                 "result cache folder (default $ASKGURU_CACHE_DIR/eval or ~/.cache/askguru/eval)");
  sub.add_flag("--keep-distinct", flags->keep_distinct, "spider-ex: keep DISTINCT (exec_eval's --keep_distinct)");
  sub.add_option("--ves-iterations", flags->ves_iterations, "ves: timed runs per correct item (default 100)");
  sub.callback([flags] {
    using namespace askguru;
    eval::EvalOptions options;
    if (!flags->metric.empty()) {
      auto metric = eval::parse_metric(flags->metric);
      if (!metric.ok()) cli::fail(metric.status());
      options.metric = *metric;
    }
    options.db_root = flags->db_root;
    options.db_url = flags->db_url;
    if (flags->db_root.empty() && flags->db_url.empty()) cli::fail("give --db-root or --db-url", 2);
    if (!flags->db_url.empty() && flags->config.empty() && flags->pred_dialect != "native") {
      auto dialect = parse_dialect(flags->pred_dialect);
      if (!dialect) cli::fail("--pred-dialect: expected sqlite, postgres, oracle or native", 2);
      options.pred_dialect = *dialect;
    }
    options.jobs = flags->jobs;
    if (flags->timeout_s >= 0) options.timeout_s = flags->timeout_s;
    options.use_cache = !flags->no_cache;
    options.cache_dir = flags->cache_dir;
    options.keep_distinct = flags->keep_distinct;
    options.ves_iterations = flags->ves_iterations;
    if (!flags->config.empty()) return run_pipeline(*flags, options);
    if (flags->pred.empty()) cli::fail("give --pred (a predictions file) or --config (run the pipeline)", 2);
    auto report = eval::evaluate_files(flags->dataset, flags->pred, options);
    if (!report.ok()) cli::fail(report.status());
    eval::print_summary(*report, stdout);
    if (!flags->out.empty()) {
      Status written = files::write_file(flags->out, eval::report_to_json(*report));
      if (!written.ok()) cli::fail(written);
      std::printf("report: %s\n", flags->out.c_str());
    }
  });
}

const askguru::cli::Registration reg("eval", "Score predicted SQL against a dataset (BIRD EX, Spider EX, R-VES)",
                                     setup);

}  // namespace
