#include "askguru/pipeline/question.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "askguru/index/retriever.h"

namespace askguru::pipeline {

const catalog::Catalog& StageContext::prompt_catalog() const {
  return visible != nullptr ? *visible : artifacts->catalog();
}

Status Budget::admit() {
  std::lock_guard lock(mu_);
  if (max_calls_ > 0 && calls_ >= max_calls_) {
    return make_error(ErrorCode::kCancelled, fmt::format("budget: the limit of {} LLM calls is reached", max_calls_));
  }
  if (max_cost_usd_ > 0 && cost_usd_ >= max_cost_usd_) {
    return make_error(ErrorCode::kCancelled,
                      fmt::format("budget: the limit of ${:.4f} is reached (spent ${:.4f})", max_cost_usd_, cost_usd_));
  }
  ++calls_;
  return Status::ok_status();
}

void Budget::charge(double cost_usd) {
  std::lock_guard lock(mu_);
  cost_usd_ += cost_usd;
}

int Budget::remaining_calls() const {
  std::lock_guard lock(mu_);
  if (max_cost_usd_ > 0 && cost_usd_ >= max_cost_usd_) return 0;
  if (max_calls_ <= 0) return std::numeric_limits<int>::max();
  return std::max(0, max_calls_ - calls_);
}

void Budget::record(int calls, double cost_usd) {
  std::lock_guard lock(mu_);
  calls_ += calls;
  cost_usd_ += cost_usd;
}

int Budget::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

double Budget::cost_usd() const {
  std::lock_guard lock(mu_);
  return cost_usd_;
}

namespace {

template <typename Request, typename Send>
std::future<Result<llm::Response>> send(const StageContext& context, const std::string& endpoint, Request request,
                                        std::string detail, Send&& send_on) {
  auto promise = std::make_shared<std::promise<Result<llm::Response>>>();
  std::future<Result<llm::Response>> future = promise->get_future();
  const std::string purpose = request.purpose;
  auto fail_now = [&](const Status& status) {
    context.trace->record_call(purpose, endpoint, detail, Trace::Clock::now(), Result<llm::Response>(status));
    promise->set_value(status);
    return std::move(future);
  };
  if (context.hub == nullptr) return fail_now(make_error(ErrorCode::kInvalidArgument, "no LLM endpoint is configured"));
  auto client = context.hub->find(endpoint);
  if (!client.ok()) return fail_now(client.status());
  if (context.budget != nullptr) {
    Status admitted = context.budget->admit();
    if (!admitted.ok()) return fail_now(admitted);
  }
  if (context.group && context.group->deadline()) request.deadline = context.group->deadline();
  Trace* trace = context.trace;
  Budget* budget = context.budget;
  const auto started = Trace::Clock::now();
  send_on(**client, std::move(request),
          [promise, trace, budget, purpose, endpoint, detail = std::move(detail), started](Result<llm::Response> reply) {
            if (reply.ok() && budget != nullptr) budget->charge(reply->cost_usd);
            trace->record_call(purpose, endpoint, detail, started, reply);
            promise->set_value(std::move(reply));
          },
          context.group);
  return future;
}

}  // namespace

std::future<Result<llm::Response>> send_chat(const StageContext& context, const std::string& endpoint,
                                             llm::ChatRequest request, std::string detail) {
  return send(context, endpoint, std::move(request), std::move(detail),
              [](llm::LlmClient& client, llm::ChatRequest r, llm::LlmClient::ChatCallback done,
                 std::shared_ptr<llm::RequestGroup> group) { client.chat(std::move(r), std::move(done), group); });
}

std::future<Result<llm::Response>> send_completion(const StageContext& context, const std::string& endpoint,
                                                   llm::CompletionRequest request, std::string detail) {
  return send(context, endpoint, std::move(request), std::move(detail),
              [](llm::LlmClient& client, llm::CompletionRequest r, llm::LlmClient::ChatCallback done,
                 std::shared_ptr<llm::RequestGroup> group) { client.complete(std::move(r), std::move(done), group); });
}

}  // namespace askguru::pipeline
