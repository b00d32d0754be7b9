// Evaluation datasets and prediction files.
//
// Datasets: BIRD (a JSON array of {question_id, db_id, question, evidence, SQL,
// difficulty}), Spider (a JSON array of {db_id, question, query}) and a plain gold
// file (one "SQL<TAB>db_id" per line, as BIRD's dev_gold.sql and Spider's gold files).
// Predictions: BIRD's JSON object {"0": "SQL\t----- bird -----\tdb_id", ...} read in
// the file's key order, one SQL per line (anything after a TAB is ignored, as
// test-suite-sql-eval does), or JSONL {"question_id": ..., "sql": ...} matched by
// question_id when the dataset has them, else by position.
//
// Errors name the file and the line. Plain values; functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "askguru/common/status.h"

namespace askguru::eval {

enum class DatasetFormat { kBird, kSpider, kGoldLines };
const char* dataset_format_name(DatasetFormat format);

struct Example {
  std::optional<int64_t> question_id;
  std::string db_id;
  std::string question;
  std::string evidence;
  std::string gold_sql;
  std::string difficulty;  // BIRD: simple / moderate / challenging; empty when unknown
  size_t line = 0;         // where the example starts in its file (1-based)
};

struct Dataset {
  DatasetFormat format = DatasetFormat::kGoldLines;
  std::string path;
  std::vector<Example> examples;
};

// Detects the format from the content: a JSON array whose objects have "SQL" (BIRD)
// or "query" (Spider), else gold lines.
Result<Dataset> load_dataset(const std::string& path);
Result<Dataset> parse_dataset(const std::string& content, const std::string& path);

enum class PredictionFormat { kBirdJson, kLines, kJsonl };
const char* prediction_format_name(PredictionFormat format);

struct Prediction {
  std::string sql;
  std::string db_id;  // when the file names it (BIRD JSON, JSONL); else empty
  std::optional<int64_t> question_id;
  size_t line = 0;
};

struct Predictions {
  PredictionFormat format = PredictionFormat::kLines;
  std::string path;
  std::vector<Prediction> items;
};

// Detects the format: a JSON object (BIRD), lines that each parse as a JSON object
// with "sql" (JSONL), else one SQL per line.
Result<Predictions> load_predictions(const std::string& path);
Result<Predictions> parse_predictions(const std::string& content, const std::string& path);

// One SQL per dataset example, in dataset order. JSONL with question_ids is matched by
// id (every example needs one); everything else by position, and the counts must match.
// Predictions that name a different db_id than their example add a line to `warnings`.
Result<std::vector<std::string>> align_predictions(const Dataset& dataset, const Predictions& predictions,
                                                   std::vector<std::string>* warnings = nullptr);

}  // namespace askguru::eval
