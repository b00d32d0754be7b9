// RequestGroup: the requests of one question, with a shared deadline and a
// cancel switch. When the deadline passes every outstanding request of the
// group fails with kTimeout; cancel() (e.g. "the answer is already decided")
// makes them fail at once with kCancelled and frees their connections.
//
// Thread-safe: any thread may cancel, and requests register and unregister
// themselves from the client's loop thread. Cancellers run outside the lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "askguru/common/status.h"
#include "askguru/llm/types.h"

namespace askguru::llm {

class RequestGroup {
 public:
  using Canceller = std::function<void(const Status&)>;

  explicit RequestGroup(std::optional<Clock::time_point> deadline = std::nullopt) : deadline_(deadline) {}
  static std::shared_ptr<RequestGroup> with_timeout(std::chrono::milliseconds timeout) {
    return std::make_shared<RequestGroup>(Clock::now() + timeout);
  }

  std::optional<Clock::time_point> deadline() const { return deadline_; }
  // Cancels every outstanding request of the group; later ones fail at once.
  void cancel(const std::string& reason = "the answer is already decided");
  bool cancelled() const;
  // The status cancelled requests get (ok while not cancelled).
  Status cancel_status() const;
  size_t outstanding() const;

  // For clients: registers a canceller; returns 0 (and registers nothing) when
  // the group is already cancelled.
  uint64_t add(Canceller canceller);
  void remove(uint64_t id);

 private:
  const std::optional<Clock::time_point> deadline_;
  mutable std::mutex mu_;
  Status cancelled_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Canceller> cancellers_;
};

}  // namespace askguru::llm
