#include "askguru/llm/http_loop.h"

#include <curl/curl.h>
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace askguru::llm {

namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  uint64_t id = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpRequest request;
  HttpResult result;
  HttpLoop::Done done;
  std::chrono::steady_clock::time_point start;
  char error_buffer[CURL_ERROR_SIZE] = {0};
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->result.body.append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.substr(0, 5) == "HTTP/") {
    t->result.headers.clear();  // a new response (after 100-continue or a redirect)
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  t->result.headers[name] = std::string(value);
  return n;
}

}  // namespace

class HttpLoop::Impl {
 public:
  Impl() {
    global_init_once();
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, 256L);
    thread_ = std::thread([this] { run(); });
    std::unique_lock<std::mutex> lock(mu_);
    started_cv_.wait(lock, [this] { return started_; });
  }

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    curl_multi_wakeup(multi_);
    thread_.join();
    for (CURL* e : easy_pool_) curl_easy_cleanup(e);
    curl_multi_cleanup(multi_);
  }

  void post(Task task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      posted_.push_back(std::move(task));
    }
    curl_multi_wakeup(multi_);
  }

  bool in_loop_thread() const { return std::this_thread::get_id() == thread_id_; }

  uint64_t start_transfer(HttpRequest request, Done done) {
    auto t = std::make_unique<Transfer>();
    t->id = next_id_++;
    t->request = std::move(request);
    t->done = std::move(done);
    t->start = std::chrono::steady_clock::now();
    CURL* e = nullptr;
    if (!easy_pool_.empty()) {
      e = easy_pool_.back();
      easy_pool_.pop_back();
      curl_easy_reset(e);
    } else {
      e = curl_easy_init();
    }
    t->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, std::max(1L, t->request.timeout_ms));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     std::max(1L, std::min(t->request.connect_timeout_ms, t->request.timeout_ms)));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error_buffer);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    if (t->request.method == "POST") {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request.body.c_str());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->request.body.size()));
    } else {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    // No "Expect: 100-continue" round trip for large prompts.
    t->headers = curl_slist_append(t->headers, "Expect:");
    for (const std::string& h : t->request.headers) t->headers = curl_slist_append(t->headers, h.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    const uint64_t id = t->id;
    curl_multi_add_handle(multi_, e);
    transfers_.emplace(id, std::move(t));
    return id;
  }

  void abort_transfer(uint64_t id) {
    auto it = transfers_.find(id);
    if (it == transfers_.end()) return;
    std::unique_ptr<Transfer> t = std::move(it->second);
    transfers_.erase(it);
    curl_multi_remove_handle(multi_, t->easy);
    t->result.aborted = true;
    t->result.curl_error = "aborted";
    finish(std::move(t));
  }

  uint64_t add_timer(TimePoint when, Task task) {
    const uint64_t id = next_id_++;
    timers_.emplace(when, id);
    timer_tasks_.emplace(id, std::move(task));
    return id;
  }

  void cancel_timer(uint64_t id) { timer_tasks_.erase(id); }

  size_t transfers_in_flight() const { return transfers_.size(); }
  uint64_t transfers_done() const { return transfers_done_.load(); }
  uint64_t connections_opened() const { return connections_opened_.load(); }

  double cpu_seconds() const {
    timespec ts{};
    if (clock_gettime(cpu_clock_, &ts) != 0) return 0;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }

 private:
  void finish(std::unique_ptr<Transfer> t) {
    t->result.elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t->start).count();
    curl_slist_free_all(t->headers);
    t->headers = nullptr;
    if (easy_pool_.size() < 64) {
      easy_pool_.push_back(t->easy);
    } else {
      curl_easy_cleanup(t->easy);
    }
    t->easy = nullptr;
    Done done = std::move(t->done);
    HttpResult result = std::move(t->result);
    if (done) done(std::move(result));
  }

  void run_posted() {
    std::vector<Task> tasks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks.swap(posted_);
    }
    for (Task& task : tasks) task();
  }

  void run_timers() {
    const auto now = std::chrono::steady_clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      const uint64_t id = timers_.begin()->second;
      timers_.erase(timers_.begin());
      auto it = timer_tasks_.find(id);
      if (it == timer_tasks_.end()) continue;
      Task task = std::move(it->second);
      timer_tasks_.erase(it);
      task();
    }
  }

  void read_completions() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* raw = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
      const CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi_, msg->easy_handle);
      if (!raw) continue;
      auto it = transfers_.find(raw->id);
      if (it == transfers_.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      transfers_.erase(it);
      t->result.curl_code = static_cast<int>(code);
      long status = 0;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      t->result.status = status;
      long connects = 0;
      curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
      connections_opened_.fetch_add(static_cast<uint64_t>(std::max(0L, connects)));
      transfers_done_.fetch_add(1);
      if (code != CURLE_OK) {
        t->result.curl_error = t->error_buffer[0] ? t->error_buffer : curl_easy_strerror(code);
        t->result.timed_out = code == CURLE_OPERATION_TIMEDOUT;
      }
      finish(std::move(t));
    }
  }

  int next_timeout_ms() const {
    int timeout = 1000;
    auto it = timers_.begin();
    // Skip cancelled timers at the front cheaply.
    while (it != timers_.end() && !timer_tasks_.count(it->second)) ++it;
    if (it != timers_.end()) {
      const auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(it->first - std::chrono::steady_clock::now()).count();
      timeout = static_cast<int>(std::clamp<long long>(wait + 1, 0, timeout));
    }
    return timeout;
  }

  void run() {
    thread_id_ = std::this_thread::get_id();
    pthread_getcpuclockid(pthread_self(), &cpu_clock_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      started_ = true;
    }
    started_cv_.notify_all();
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) break;
      }
      run_posted();
      run_timers();
      int running = 0;
      curl_multi_perform(multi_, &running);
      read_completions();
      bool has_posted = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        has_posted = !posted_.empty() || stop_;
      }
      if (has_posted) continue;
      curl_multi_poll(multi_, nullptr, 0, next_timeout_ms(), nullptr);
    }
    // Shutdown: run what was posted (it may finish requests), then abort the rest.
    run_posted();
    std::vector<uint64_t> ids;
    for (auto& [id, _] : transfers_) ids.push_back(id);
    for (uint64_t id : ids) abort_transfer(id);
    timer_tasks_.clear();
    timers_.clear();
  }

  CURLM* multi_ = nullptr;
  std::thread thread_;
  std::thread::id thread_id_;
  clockid_t cpu_clock_ = CLOCK_THREAD_CPUTIME_ID;
  std::mutex mu_;
  std::condition_variable started_cv_;
  bool started_ = false;
  bool stop_ = false;
  std::vector<Task> posted_;
  std::atomic<uint64_t> transfers_done_{0};
  std::atomic<uint64_t> connections_opened_{0};
  // Loop-thread state.
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> transfers_;
  std::multimap<TimePoint, uint64_t> timers_;
  std::unordered_map<uint64_t, Task> timer_tasks_;
  std::vector<CURL*> easy_pool_;
};

HttpLoop::HttpLoop() : impl_(std::make_unique<Impl>()) {}
HttpLoop::~HttpLoop() = default;
void HttpLoop::post(Task task) {
  impl_->post(std::move(task));
}
bool HttpLoop::in_loop_thread() const {
  return impl_->in_loop_thread();
}
uint64_t HttpLoop::start_transfer(HttpRequest request, Done done) {
  return impl_->start_transfer(std::move(request), std::move(done));
}
void HttpLoop::abort_transfer(uint64_t id) {
  impl_->abort_transfer(id);
}
uint64_t HttpLoop::add_timer(TimePoint when, Task task) {
  return impl_->add_timer(when, std::move(task));
}
void HttpLoop::cancel_timer(uint64_t id) {
  impl_->cancel_timer(id);
}
size_t HttpLoop::transfers_in_flight() const {
  return impl_->transfers_in_flight();
}
uint64_t HttpLoop::transfers_done() const {
  return impl_->transfers_done();
}
uint64_t HttpLoop::connections_opened() const {
  return impl_->connections_opened();
}
double HttpLoop::cpu_seconds() const {
  return impl_->cpu_seconds();
}

long parse_retry_after_ms(const std::string& value) {
  std::string v = value;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  size_t start = 0;
  while (start < v.size() && std::isspace(static_cast<unsigned char>(v[start]))) ++start;
  v = v.substr(start);
  if (v.empty()) return -1;
  char* end = nullptr;
  const double seconds = std::strtod(v.c_str(), &end);
  if (end && *end == '\0') {
    if (!std::isfinite(seconds) || seconds < 0) return -1;
    return static_cast<long>(std::llround(std::min(seconds, 86400.0) * 1000.0));
  }
  const time_t when = curl_getdate(v.c_str(), nullptr);
  if (when < 0) return -1;
  const double diff = std::difftime(when, std::time(nullptr));
  return diff <= 0 ? 0 : static_cast<long>(std::min(diff, 86400.0) * 1000.0);
}

}  // namespace askguru::llm
