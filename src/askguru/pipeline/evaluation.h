// Pipeline evaluation: runs the pipeline over a dataset (questions in flight up to
// a concurrency limit), scores its answers with the official metric (eval/), and
// adds the seeds' comparison figures, per generator and for the whole system:
//   - the candidate-pool upper bound: the share of questions some candidate answers
//     correctly (scored with the same metric as the answers);
//   - selection accuracy relative to that bound (EX / upper bound);
//   - the fast-path share and the offline share;
//   - per-generator EX: a question counts for a generator when the first candidate
//     it wrote (before repairs' re-numbering: the lowest id) is correct;
//   - LLM calls, tokens and cost per question; latency p50/p95.
// `askguru eval --config` prints and writes it; the report JSON is eval/report.h's,
// extended with a "pipeline" object.
//
// Thread-safety: evaluate_pipeline() is safe to call concurrently with different options.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "askguru/eval/metrics.h"
#include "askguru/eval/report.h"
#include "askguru/index/retriever.h"
#include "askguru/pipeline/pipeline.h"

namespace askguru::pipeline {

struct PipelineEvalOptions {
  std::string dataset;
  eval::EvalOptions eval;          // metric, db_root, timeout, cache (jobs: scoring threads)
  size_t concurrency = 4;          // questions in flight
  size_t limit = 0;                // the first `limit` questions only; 0: all
  std::string examples;            // a dataset whose pairs become the example store ("" : none)
  bool exclude_self = true;        // a question is never its own example
  index::ArtifactOptions artifacts;
  bool quiet = false;
};

struct GeneratorFigures {
  std::string name;
  size_t questions = 0;  // questions it wrote at least one candidate for
  size_t correct = 0;    // of all questions, those whose first candidate of it is correct
  size_t candidates = 0;
};

struct PipelineEvalReport {
  eval::EvalReport report;  // the answers, scored
  size_t questions = 0;
  size_t answered = 0;          // an answer with SQL came back
  size_t pool_correct = 0;      // some candidate is correct
  size_t fast_path = 0;
  size_t offline = 0;
  size_t refused = 0;
  size_t calls = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  std::vector<double> latency_ms;  // per question, in dataset order
  std::vector<double> confidence;
  std::vector<GeneratorFigures> generators;
  double wall_seconds = 0;

  double ex() const;              // percent
  double upper_bound() const;     // percent
  double selection_accuracy() const;  // EX / upper bound, percent
  double percentile_latency(double p) const;
};

Result<PipelineEvalReport> evaluate_pipeline(const Pipeline& pipeline, const PipelineEvalOptions& options);

// eval::report_to_json extended with {"pipeline": {...}}.
std::string pipeline_report_to_json(const PipelineEvalReport& report);
// eval::print_summary, then the pipeline's figures.
void print_pipeline_summary(const PipelineEvalReport& report, std::FILE* out);

}  // namespace askguru::pipeline
