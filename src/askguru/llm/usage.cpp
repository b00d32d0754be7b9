#include "askguru/llm/usage.h"

#include <algorithm>

namespace askguru::llm {

double cost_of(const Price& price, const Usage& usage) {
  const int64_t cached = std::clamp<int64_t>(usage.cached_tokens, 0, usage.input_tokens);
  const double uncached = static_cast<double>(usage.input_tokens - cached);
  return (uncached * price.input + static_cast<double>(cached) * price.cached +
          static_cast<double>(usage.output_tokens) * price.output) /
         1e6;
}

void compute_cost(const PriceTable& prices, const std::string& fallback_model, Response& response) {
  const Price* price = prices.find(response.model);
  if (!price) price = prices.find(fallback_model);
  response.cost_known = price != nullptr;
  response.cost_usd = price ? cost_of(*price, response.usage) : 0.0;
}

void UsageTotals::add(const UsageTotals& o) {
  calls += o.calls;
  cache_hits += o.cache_hits;
  failures += o.failures;
  problems += o.problems;
  retries += o.retries;
  input_tokens += o.input_tokens;
  output_tokens += o.output_tokens;
  reasoning_tokens += o.reasoning_tokens;
  cached_tokens += o.cached_tokens;
  cost_usd += o.cost_usd;
  latency_ms += o.latency_ms;
}

void UsageMeter::record(const std::string& endpoint, const Response& r) {
  std::lock_guard<std::mutex> lock(mu_);
  UsageTotals& t = totals_[endpoint];
  if (r.cached) {
    ++t.cache_hits;
    return;
  }
  ++t.calls;
  if (!r.usable()) ++t.problems;
  t.retries += r.retries;
  t.input_tokens += r.usage.input_tokens;
  t.output_tokens += r.usage.output_tokens;
  t.reasoning_tokens += r.usage.reasoning_tokens;
  t.cached_tokens += r.usage.cached_tokens;
  t.cost_usd += r.cost_usd;
  t.latency_ms += r.latency_ms;
}

void UsageMeter::record_embedding(const std::string& endpoint, const EmbeddingResponse& r) {
  std::lock_guard<std::mutex> lock(mu_);
  UsageTotals& t = totals_[endpoint];
  ++t.calls;
  t.retries += r.retries;
  t.input_tokens += r.usage.input_tokens;
  t.cost_usd += r.cost_usd;
  t.latency_ms += r.latency_ms;
}

void UsageMeter::record_failure(const std::string& endpoint, int retries) {
  std::lock_guard<std::mutex> lock(mu_);
  UsageTotals& t = totals_[endpoint];
  ++t.failures;
  t.retries += retries;
}

std::map<std::string, UsageTotals> UsageMeter::by_endpoint() const {
  std::lock_guard<std::mutex> lock(mu_);
  return totals_;
}

UsageTotals UsageMeter::total() const {
  std::lock_guard<std::mutex> lock(mu_);
  UsageTotals sum;
  for (const auto& [_, t] : totals_) sum.add(t);
  return sum;
}

void UsageMeter::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  totals_.clear();
}

}  // namespace askguru::llm
