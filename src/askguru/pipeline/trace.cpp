#include "askguru/pipeline/trace.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace askguru::pipeline {

double Trace::ms_since_start(Clock::time_point t) const {
  return std::chrono::duration<double, std::milli>(t - start_).count();
}

void Trace::record_call(std::string purpose, std::string endpoint, std::string detail, Clock::time_point started,
                        const Result<llm::Response>& reply) {
  LlmCall call;
  call.purpose = std::move(purpose);
  call.endpoint = std::move(endpoint);
  call.detail = std::move(detail);
  call.start_ms = ms_since_start(started);
  call.latency_ms = ms_since_start(Clock::now()) - call.start_ms;
  if (reply.ok()) {
    const llm::Response& response = *reply;
    call.model = response.model;
    call.input_tokens = response.usage.input_tokens;
    call.output_tokens = response.usage.output_tokens;
    call.cost_usd = response.cost_usd;
    call.cost_known = response.cost_known;
    call.cached = response.cached;
    call.retries = response.retries;
    if (!response.usable()) {
      call.error = std::string(llm::reply_problem_name(response.problem)) + ": " + response.problem_detail;
    }
  } else {
    call.error = reply.status().to_string();
  }
  record_call(std::move(call));
}

void Trace::record_call(LlmCall call) {
  std::lock_guard lock(mu_);
  calls_.push_back(std::move(call));
}

void Trace::note(std::string stage, std::string message) {
  std::lock_guard lock(mu_);
  notes_.emplace_back(std::move(stage), std::move(message));
}

Trace::StageTimer::StageTimer(Trace& trace, std::string stage)
    : trace_(trace), stage_(std::move(stage)), started_(Clock::now()) {}

Trace::StageTimer::~StageTimer() {
  StageTiming timing{stage_, trace_.ms_since_start(started_), 0};
  timing.elapsed_ms = trace_.elapsed_ms() - timing.start_ms;
  std::lock_guard lock(trace_.mu_);
  trace_.stages_.push_back(std::move(timing));
}

std::vector<LlmCall> Trace::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

std::vector<StageTiming> Trace::stages() const {
  std::lock_guard lock(mu_);
  return stages_;
}

std::vector<std::pair<std::string, std::string>> Trace::notes() const {
  std::lock_guard lock(mu_);
  return notes_;
}

TraceTotals Trace::totals() const {
  std::vector<LlmCall> all = calls();
  TraceTotals totals;
  std::vector<std::pair<double, double>> intervals;
  for (const LlmCall& call : all) {
    ++totals.calls;
    totals.failed_calls += call.error.empty() ? 0 : 1;
    totals.cached_calls += call.cached ? 1 : 0;
    totals.input_tokens += call.input_tokens;
    totals.output_tokens += call.output_tokens;
    totals.cost_usd += call.cost_usd;
    intervals.emplace_back(call.start_ms, call.start_ms + call.latency_ms);
  }
  // Length of the union of the call intervals.
  std::sort(intervals.begin(), intervals.end());
  double covered_until = -1e300;
  for (const auto& [begin, end] : intervals) {
    double from = std::max(begin, covered_until);
    if (end > from) totals.llm_busy_ms += end - from;
    covered_until = std::max(covered_until, end);
  }
  return totals;
}

nlohmann::json Trace::to_json() const {
  TraceTotals t = totals();
  nlohmann::json out;
  out["elapsed_ms"] = elapsed_ms();
  out["totals"] = {{"calls", t.calls},
                   {"failed_calls", t.failed_calls},
                   {"cached_calls", t.cached_calls},
                   {"input_tokens", t.input_tokens},
                   {"output_tokens", t.output_tokens},
                   {"cost_usd", t.cost_usd},
                   {"llm_busy_ms", t.llm_busy_ms}};
  nlohmann::json stages = nlohmann::json::array();
  for (const StageTiming& s : this->stages()) {
    stages.push_back({{"stage", s.stage}, {"start_ms", s.start_ms}, {"elapsed_ms", s.elapsed_ms}});
  }
  out["stages"] = std::move(stages);
  nlohmann::json calls = nlohmann::json::array();
  for (const LlmCall& c : this->calls()) {
    nlohmann::json call = {{"purpose", c.purpose},       {"endpoint", c.endpoint},
                           {"model", c.model},           {"detail", c.detail},
                           {"input_tokens", c.input_tokens}, {"output_tokens", c.output_tokens},
                           {"cost_usd", c.cost_usd},     {"start_ms", c.start_ms},
                           {"latency_ms", c.latency_ms}, {"cached", c.cached},
                           {"retries", c.retries}};
    if (!c.cost_known) call["cost_known"] = false;
    if (!c.error.empty()) call["error"] = c.error;
    calls.push_back(std::move(call));
  }
  out["calls"] = std::move(calls);
  nlohmann::json notes = nlohmann::json::array();
  for (const auto& [stage, message] : this->notes()) notes.push_back({{"stage", stage}, {"message", message}});
  out["notes"] = std::move(notes);
  return out;
}

}  // namespace askguru::pipeline
