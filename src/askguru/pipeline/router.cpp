#include "askguru/pipeline/router.h"

#include <fmt/format.h>

#include <set>

#include "askguru/common/text.h"
#include "askguru/index/keywords.h"

namespace askguru::pipeline {

bool question_looks_complex(std::string_view question) {
  static const std::set<std::string> kComplex = {
      "each",    "per",        "average",  "avg",     "most",    "least",   "highest", "lowest", "maximum",
      "minimum", "ratio",      "percentage", "percent", "proportion", "compare", "compared", "difference",
      "rank",    "ranking",    "top",      "than",    "both",    "either",  "except",  "without", "never",
      "all",     "every",      "total",    "sum",     "group",   "distinct", "more",   "fewer", "cumulative"};
  size_t hits = 0;
  for (const std::string& w : index::words(question)) hits += kComplex.count(text::to_lower(w));
  return hits >= 2;
}

GenerationJob Router::job(const std::string& name, int samples) const {
  GenerationJob j;
  for (size_t i = 0; i < config_.generators.size(); ++i) {
    if (config_.generators[i].name == name) {
      j.generator = &config_.generators[i];
      j.rank = static_cast<int>(i);
    }
  }
  j.samples = samples;
  return j;
}

RoutePlan Router::first_wave(const Question& question, const SchemaLink& link) const {
  RoutePlan plan;
  const RoutingConfig& r = config_.routing;
  switch (r.policy) {
    case RoutingPolicy::kSingle:
      plan.jobs.push_back(job(r.primary));
      plan.reason = "single: " + r.primary;
      break;
    case RoutingPolicy::kFallback:
      plan.jobs.push_back(job(r.primary, r.primary_samples));
      plan.reason = fmt::format("fallback: primary {} ×{}", r.primary, r.primary_samples);
      break;
    case RoutingPolicy::kByComplexity: {
      const bool complex = link.tables() > r.complex_tables || question_looks_complex(question.text);
      std::vector<std::string> names = complex ? r.complex : r.simple;
      if (names.empty()) {  // defaults: the first generator for simple questions, all for complex ones
        for (const auto& g : config_.generators) {
          names.push_back(g.name);
          if (!complex) break;
        }
      }
      for (const std::string& name : names) plan.jobs.push_back(job(name));
      plan.reason = fmt::format("by_complexity: {} ({} linked tables) -> {}", complex ? "complex" : "simple",
                                link.tables(), text::join(names, ", "));
      break;
    }
    case RoutingPolicy::kEnsemble:
      for (const auto& g : config_.generators) plan.jobs.push_back(job(g.name));
      plan.reason = fmt::format("ensemble: {} generators", plan.jobs.size());
      break;
  }
  std::erase_if(plan.jobs, [](const GenerationJob& j) { return j.generator == nullptr; });
  return plan;
}

RoutePlan Router::second_wave(bool first_wave_valid, double first_wave_confidence) const {
  RoutePlan plan;
  const RoutingConfig& r = config_.routing;
  if (r.policy != RoutingPolicy::kFallback) return plan;
  if (first_wave_valid && first_wave_confidence >= r.confidence_threshold) return plan;
  plan.jobs.push_back(job(r.secondary));
  std::erase_if(plan.jobs, [](const GenerationJob& j) { return j.generator == nullptr; });
  plan.reason = first_wave_valid ? fmt::format("fallback: primary confidence {:.2f} < {:.2f}, asking {}",
                                               first_wave_confidence, r.confidence_threshold, r.secondary)
                                 : fmt::format("fallback: no primary candidate passed the checks, asking {}", r.secondary);
  return plan;
}

}  // namespace askguru::pipeline
