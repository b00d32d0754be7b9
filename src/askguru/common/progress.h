// Progress reporting for long work (profiling, indexing, evaluation).
//
// Draws a single updating line on stderr when it is a terminal, at most ten
// times a second; prints nothing while running otherwise. finish() prints a one-line
// summary either way (unless quiet). tick() is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace askguru {

class Progress {
 public:
  Progress(std::string label, size_t total, bool quiet = false);
  ~Progress();

  void tick(size_t n = 1);
  // Prints "label: 100/100 in 1.2 s (83.3/s) <extra>" and stops drawing.
  void finish(const std::string& extra = "");
  double elapsed_seconds() const;

  // Overall switch, e.g. for --quiet or tests.
  static void set_enabled(bool enabled);

 private:
  void draw(size_t done, bool force);

  std::string label_;
  size_t total_;
  bool quiet_;
  bool interactive_;
  bool finished_ = false;
  std::atomic<size_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex draw_mutex_;
};

}  // namespace askguru
