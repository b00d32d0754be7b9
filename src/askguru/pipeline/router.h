// Routing (seed 000's dual-model deployment): which generators of the lineup
// answer a question.
//   single         the primary generator only.
//   fallback       the primary first, sampled `primary_samples` times so that its
//                  confidence has a basis; when that confidence is below the
//                  threshold or no primary candidate passes the checks, the
//                  secondary runs too and selection sees both pools (the join
//                  validator checks the secondary's joins like every candidate's).
//   by_complexity  `complex` generators when the question is complex (more linked
//                  tables than `complex_tables`, or words that ask for grouping,
//                  ranking, ratios, comparisons or nesting), `simple` ones otherwise.
//   ensemble       every generator, then selection.
// Thread-safety: immutable.
#pragma once

#include <string>
#include <vector>

#include "askguru/pipeline/config.h"
#include "askguru/pipeline/generator.h"
#include "askguru/pipeline/question.h"
#include "askguru/pipeline/schema_linker.h"

namespace askguru::pipeline {

struct RoutePlan {
  std::vector<GenerationJob> jobs;
  std::string reason;  // for the trace: "by_complexity: complex (4 tables)"
};

// Words of a question that call for more than a lookup; used by by_complexity.
bool question_looks_complex(std::string_view question);

class Router {
 public:
  explicit Router(const PipelineConfig& config) : config_(config) {}

  RoutePlan first_wave(const Question& question, const SchemaLink& link) const;
  // fallback only: the secondary, when the first wave's answer is not trusted.
  RoutePlan second_wave(bool first_wave_valid, double first_wave_confidence) const;

 private:
  GenerationJob job(const std::string& name, int samples = 0) const;
  const PipelineConfig& config_;
};

}  // namespace askguru::pipeline
