// Trace: everything one question touched, for people, logs, evaluation and the
// HTTP API alike: every LLM call (purpose, endpoint, tokens, cost, latency, cache
// hit, error), the stages with their timings, and notes ("fixer: candidate 3
// repaired"). Candidates are kept by the answer beside the trace.
//
// Thread-safety: record_call(), note() and the stage timers may be called from
// any thread (LLM callbacks run on the client's loop thread); readers take a copy.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "askguru/common/status.h"
#include "askguru/llm/types.h"

namespace askguru::pipeline {

struct LlmCall {
  std::string purpose;   // keywords | link | generate | fix | select
  std::string endpoint;  // the config's endpoint name
  std::string model;     // the model the server said answered
  std::string detail;    // the generator, the candidate id, the pair compared ...
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  bool cost_known = true;
  double start_ms = 0;    // since the question started
  double latency_ms = 0;  // the call's wall time, retries included
  bool cached = false;
  int retries = 0;
  std::string error;  // "" when a usable reply came back
};

struct StageTiming {
  std::string stage;
  double start_ms = 0;
  double elapsed_ms = 0;
};

struct TraceTotals {
  size_t calls = 0;
  size_t failed_calls = 0;
  size_t cached_calls = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  // Wall time during which at least one LLM call was in flight: the latency of the
  // critical path through the calls, since the stages wait for each other.
  double llm_busy_ms = 0;
};

class Trace {
 public:
  using Clock = std::chrono::steady_clock;

  Trace() : start_(Clock::now()) {}

  Clock::time_point start() const { return start_; }
  double ms_since_start(Clock::time_point t) const;
  double elapsed_ms() const { return ms_since_start(Clock::now()); }

  // A call that began at `started` and ended now with `reply`.
  void record_call(std::string purpose, std::string endpoint, std::string detail, Clock::time_point started,
                   const Result<llm::Response>& reply);
  void record_call(LlmCall call);
  void note(std::string stage, std::string message);

  // RAII timer of one stage.
  class StageTimer {
   public:
    StageTimer(Trace& trace, std::string stage);
    ~StageTimer();
    StageTimer(const StageTimer&) = delete;
    StageTimer& operator=(const StageTimer&) = delete;

   private:
    Trace& trace_;
    std::string stage_;
    Clock::time_point started_;
  };
  StageTimer stage(std::string name) { return StageTimer(*this, std::move(name)); }

  std::vector<LlmCall> calls() const;
  std::vector<StageTiming> stages() const;
  std::vector<std::pair<std::string, std::string>> notes() const;
  TraceTotals totals() const;

  // {"elapsed_ms", "totals": {...}, "stages": [...], "calls": [...], "notes": [...]}
  nlohmann::json to_json() const;

 private:
  const Clock::time_point start_;
  mutable std::mutex mu_;
  std::vector<LlmCall> calls_;
  std::vector<StageTiming> stages_;
  std::vector<std::pair<std::string, std::string>> notes_;
};

}  // namespace askguru::pipeline
