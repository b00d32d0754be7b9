#include "askguru/llm/request_group.h"

#include <vector>

namespace askguru::llm {

void RequestGroup::cancel(const std::string& reason) {
  std::vector<Canceller> to_call;
  Status status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cancelled_.ok()) return;
    cancelled_ = Status(ErrorCode::kCancelled, "request group cancelled: " + reason);
    status = cancelled_;
    for (auto& [_, c] : cancellers_) to_call.push_back(std::move(c));
    cancellers_.clear();
  }
  for (Canceller& c : to_call) c(status);
}

bool RequestGroup::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !cancelled_.ok();
}

Status RequestGroup::cancel_status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

size_t RequestGroup::outstanding() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancellers_.size();
}

uint64_t RequestGroup::add(Canceller canceller) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!cancelled_.ok()) return 0;
  const uint64_t id = next_id_++;
  cancellers_.emplace(id, std::move(canceller));
  return id;
}

void RequestGroup::remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  cancellers_.erase(id);
}

}  // namespace askguru::llm
