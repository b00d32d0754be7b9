// HttpLoop: ONE thread running libcurl's multi interface (curl_multi_poll) for
// every HTTP transfer of the LLM layer, plus timers and posted tasks.
//
// Thread-safety: post() and cpu_seconds() may be called from any thread. Every
// other method must be called on the loop thread (from a posted task, a timer
// or a transfer callback); callbacks run on the loop thread and must not block.
// The destructor aborts outstanding transfers (their callbacks run with
// `aborted` set) and joins the thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace askguru::llm {

struct HttpRequest {
  std::string method = "POST";  // POST or GET
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  long timeout_ms = 60000;  // the whole transfer
  long connect_timeout_ms = 10000;
};

struct HttpResult {
  long status = 0;         // HTTP status; 0 when no reply arrived
  int curl_code = 0;       // CURLcode; 0 = the transfer completed
  std::string curl_error;  // curl's message when curl_code != 0
  bool timed_out = false;  // curl_code was a timeout
  bool aborted = false;    // abort_transfer() or loop shutdown
  std::string body;
  std::map<std::string, std::string> headers;  // lower-cased names
  double elapsed_ms = 0;
};

class HttpLoop {
 public:
  using Task = std::function<void()>;
  using Done = std::function<void(HttpResult)>;
  using TimePoint = std::chrono::steady_clock::time_point;

  HttpLoop();
  ~HttpLoop();
  HttpLoop(const HttpLoop&) = delete;
  HttpLoop& operator=(const HttpLoop&) = delete;

  // Runs `task` on the loop thread soon. Any thread.
  void post(Task task);
  bool in_loop_thread() const;

  // Loop thread only.
  uint64_t start_transfer(HttpRequest request, Done done);
  // The transfer's callback runs with `aborted` (unless it already completed).
  void abort_transfer(uint64_t id);
  uint64_t add_timer(TimePoint when, Task task);
  void cancel_timer(uint64_t id);
  size_t transfers_in_flight() const;

  // Totals since start (any thread): transfers finished and new connections
  // they had to open (the rest reused a kept-alive one).
  uint64_t transfers_done() const;
  uint64_t connections_opened() const;

  // CPU time the loop thread has used so far (any thread).
  double cpu_seconds() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Parses a Retry-After value: delta seconds ("2", "1.5") or an HTTP date.
// Returns milliseconds to wait from now, or -1 when it cannot be parsed.
long parse_retry_after_ms(const std::string& value);

}  // namespace askguru::llm
