// A fixed-size pool of worker threads and a parallel_for built on it.
//
// ThreadPool is safe for concurrent submit() from multiple threads. Destruction
// waits for queued tasks to finish.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <future>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace askguru {

class ThreadPool {
 public:
  // threads == 0 means one per hardware core.
  explicit ThreadPool(size_t threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size(); }

  template <typename F>
  auto submit(F&& fn) -> std::future<decltype(fn())> {
    using R = decltype(fn());
    auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(fn));
    std::future<R> future = task->get_future();
    enqueue([task] { (*task)(); });
    return future;
  }

 private:
  void enqueue(std::function<void()> job);
  void run_worker();

  std::vector<std::thread> workers_;
  std::queue<std::function<void()>> jobs_;
  std::mutex mutex_;
  std::condition_variable ready_;
  bool stopping_ = false;
};

size_t default_jobs();

// Calls fn(i) for every i in [0, count) on `jobs` threads (work-stealing by an
// atomic counter, so uneven items balance). fn must be thread-safe.
// jobs == 0 means default_jobs().
void parallel_for(size_t count, size_t jobs, const std::function<void(size_t)>& fn);

}  // namespace askguru
