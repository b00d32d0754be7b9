// The evaluation metrics, each matching its official script:
//
//   bird-ex    BIRD evaluation.py / mini_dev evaluation_ex.py: 1 iff
//              set(predicted rows) == set(gold rows) with Python equality; an error or
//              a timeout scores 0. The time limit (default 30 s) covers the predicted and
//              the gold query together, as func_timeout does around both there.
//   spider-ex  test-suite-sql-eval exec_eval.eval_exec_match (plug_value off): the
//              prediction's " value " becomes " 1 ", both queries get postprocess() and,
//              unless keep_distinct, remove_distinct(); rows compare as bags, in order
//              only when the gold says "order by", with column permutations; every
//              *.sqlite file in <db-root>/<db_id>/ must agree (the test suite). Default
//              limit 60 s per query (exec_eval.TIMEOUT).
//   ves        BIRD mini_dev evaluation_ves.py (R-VES): a correct item (bird-ex) runs
//              predicted and gold `ves_iterations` times (default 100), the ratios
//              gold_time / predicted_time lose the outliers beyond 3 standard deviations,
//              and their mean maps to a reward 1.25 (>= 2), 1 (>= 1), 0.75 (>= 0.5),
//              0.5 (>= 0.25), 0.25 (else); the score is the mean of sqrt(reward) * 100.
//              Timings reuse one connection per thread (upstream reconnects per run) and
//              run on `jobs` threads; use jobs = 1 for the steadiest figures.
//
// evaluate() runs every distinct (database, SQL) once (cache aside) on `jobs` threads
// and scores the items. Thread-safe: independent calls may run concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/dialect.h"
#include "askguru/common/status.h"
#include "askguru/eval/dataset.h"
#include "askguru/eval/report.h"

namespace askguru::eval {

enum class Metric { kBirdEx, kSpiderEx, kVes };
const char* metric_name(Metric metric);
Result<Metric> parse_metric(std::string_view name);

// Spider hardness (easy/medium/hard/extra) of a gold query; needs the SQL parser.
// Called from several threads at once: it must be thread-safe.
using HardnessFn = std::function<std::string(const std::string& gold_sql, const std::string& db_id)>;

struct EvalOptions {
  std::optional<Metric> metric;   // default: bird-ex for BIRD and gold-line files, spider-ex for Spider
  std::string db_root;            // databases at <db_root>/<db_id>/<db_id>.sqlite
  // Instead of db_root: a server address with {db_id} in it (postgresql://host:port/{db_id},
  // odbc:Driver=...;Database={db_id}); one database per db_id (no test-suite files).
  // Gold SQL is translated from gold_dialect into the server's dialect with the
  // catalog-aware translator (sql/translate.h), predictions from pred_dialect when set
  // (nullopt: run as written, e.g. the pipeline's answers in the server's dialect). A
  // query that does not parse for translation runs as written.
  std::string db_url;
  Dialect gold_dialect = Dialect::kSqlite;
  std::optional<Dialect> pred_dialect;
  size_t jobs = 0;                // 0: one per core
  std::optional<double> timeout_s;  // default: 30 (bird-ex, ves), 60 (spider-ex); 0: none
  bool use_cache = true;
  std::string cache_dir;          // empty: ResultCache::default_dir()
  bool keep_distinct = false;     // spider-ex: exec_eval's --keep_distinct
  size_t ves_iterations = 100;
  bool quiet = false;             // no progress lines
  HardnessFn hardness;            // spider-ex: fills ItemResult::difficulty when set
};

// Scores `predictions` (one SQL per example, in dataset order).
Result<EvalReport> evaluate(const Dataset& dataset, const std::vector<std::string>& predictions,
                            const EvalOptions& options, const std::string& predictions_label = "");
// Reads both files (formats detected) and scores them.
// The address of `db_id`'s database: <db_root>/<db_id>/<db_id>.sqlite, or db_url with
// every {db_id} replaced.
std::string database_address(const EvalOptions& options, const std::string& db_id);

Result<EvalReport> evaluate_files(const std::string& dataset_path, const std::string& predictions_path,
                                  const EvalOptions& options);

// R-VES pieces, exposed for tests: upstream's clean_abnormal (keeps values strictly
// within mean +- 3 population standard deviations) and the reward buckets.
std::vector<double> ves_clean_abnormal(const std::vector<double>& ratios);
double ves_reward(double time_ratio);

}  // namespace askguru::eval
