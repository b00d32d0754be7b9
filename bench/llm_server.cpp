// bench_llm_server: how close the scripted LLM server comes to the ideal when
// many requests with injected latency arrive at once (it must never be the
// bottleneck of a client benchmark). Clients are plain threads with one
// keep-alive cpp-httplib connection each.
//
//   bench_llm_server [requests=256] [latency_ms=200] [concurrency...=32 256]
#include <httplib.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "askguru/llm/scripted_server.h"

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const int requests = argc > 1 ? std::atoi(argv[1]) : 256;
  const int latency_ms = argc > 2 ? std::atoi(argv[2]) : 200;
  std::vector<int> levels;
  for (int i = 3; i < argc; ++i) levels.push_back(std::atoi(argv[i]));
  if (levels.empty()) levels = {32, 256};

  const std::string yaml =
      "rules:\n  - reply: {text: 'SELECT {{call}}', latency_ms: " + std::to_string(latency_ms) + "}\n";
  auto server = askguru::llm::ScriptedServer::start_yaml(yaml);
  if (!server.ok()) {
    std::fprintf(stderr, "bench_llm_server: %s\n", server.error().c_str());
    return 1;
  }
  const std::string body =
      R"({"model":"m","messages":[{"role":"user","content":"How many heads of departments are older than 56?"}]})";

  for (int concurrency : levels) {
    (*server)->clear_requests();
    std::atomic<int> next{0}, ok{0};
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < concurrency; ++c) {
      threads.emplace_back([&] {
        httplib::Client client("127.0.0.1", (*server)->port());
        client.set_keep_alive(true);
        client.set_tcp_nodelay(true);  // as libcurl does; else Nagle + delayed ACK add 40 ms
        client.set_read_timeout(30, 0);
        while (next.fetch_add(1) < requests) {
          auto res = client.Post("/v1/chat/completions", body, "application/json");
          if (res && res->status == 200) ok.fetch_add(1);
        }
      });
    }
    for (auto& t : threads) t.join();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    const double ideal = latency_ms / 1000.0 * std::ceil(double(requests) / concurrency);
    std::printf(
        "%d requests, %d ms latency, concurrency %d: %.0f ms (ideal %.0f ms, ratio %.3f), %d ok, "
        "server saw %d at once, process CPU %.2f ms/request\n",
        requests, latency_ms, concurrency, wall * 1000, ideal * 1000, wall / ideal, ok.load(),
        (*server)->max_in_flight(), cpu * 1000 / requests);
  }
  (*server)->stop();
  return 0;
}
