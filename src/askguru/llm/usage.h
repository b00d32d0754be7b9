// Cost accounting and usage totals of the LLM layer.
//
// compute_cost prices a reply from the config's price table (USD per 1M
// tokens): uncached input at `input`, cached input at `cached`, all output
// (reasoning included: providers bill it as output) at `output`.
// UsageMeter sums calls per endpoint; thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "askguru/llm/config.h"
#include "askguru/llm/types.h"

namespace askguru::llm {

// Sets response.cost_usd and cost_known from `prices` (model first, then `fallback_model`).
void compute_cost(const PriceTable& prices, const std::string& fallback_model, Response& response);
double cost_of(const Price& price, const Usage& usage);

struct UsageTotals {
  int64_t calls = 0;       // replies received from the server (after retries)
  int64_t cache_hits = 0;  // calls answered by the cache
  int64_t failures = 0;    // calls that ended in an error
  int64_t problems = 0;    // replies with a ReplyProblem after the repair attempt
  int64_t retries = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t reasoning_tokens = 0;
  int64_t cached_tokens = 0;
  double cost_usd = 0;
  double latency_ms = 0;  // summed over calls sent to the server

  void add(const UsageTotals& other);
};

class UsageMeter {
 public:
  void record(const std::string& endpoint, const Response& response);
  void record_embedding(const std::string& endpoint, const EmbeddingResponse& response);
  void record_failure(const std::string& endpoint, int retries);
  std::map<std::string, UsageTotals> by_endpoint() const;
  UsageTotals total() const;
  void reset();

 private:
  mutable std::mutex mu_;
  std::map<std::string, UsageTotals> totals_;
};

}  // namespace askguru::llm
