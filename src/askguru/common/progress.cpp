#include "askguru/common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace askguru {
namespace {
std::atomic<bool> g_enabled{true};
}

void Progress::set_enabled(bool enabled) { g_enabled = enabled; }

Progress::Progress(std::string label, size_t total, bool quiet)
    : label_(std::move(label)),
      total_(total),
      quiet_(quiet || !g_enabled),
      interactive_(!quiet_ && isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_ && interactive_) std::fputc('\n', stderr);
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::tick(size_t n) {
  size_t done = done_ += n;
  if (interactive_) draw(done, done == total_);
}

void Progress::draw(size_t done, bool force) {
  std::lock_guard<std::mutex> lock(draw_mutex_);
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = elapsed_seconds();
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  int percent = total_ ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total_)) : 100;
  std::fprintf(stderr, "\r%s: %zu/%zu (%d%%) %.1f/s ", label_.c_str(), done, total_, percent, rate);
  std::fflush(stderr);
}

void Progress::finish(const std::string& extra) {
  if (finished_) return;
  finished_ = true;
  if (quiet_) return;
  double seconds = elapsed_seconds();
  size_t done = done_;
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  std::fprintf(stderr, "%s%s: %zu/%zu in %.2f s (%.1f/s)%s%s\n", interactive_ ? "\r" : "", label_.c_str(), done,
               total_, seconds, rate, extra.empty() ? "" : " ", extra.c_str());
}

}  // namespace askguru
