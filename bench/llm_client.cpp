// bench_llm_client: the LLM client against the scripted server with 200 ms of
// latency per call.
//
//   1. 256 chat requests at concurrency 32: wall time, its ratio to the ideal
//      8 x 200 ms, and the client's CPU time per request.
//   2. The same with 10% of the requests answered first by an injected 429
//      (Retry-After: 0.2) or 500: every request must still succeed with its own
//      reply (no duplicates, none lost); prints the ratio and the retry count.
//
// The server runs in a child process (`askguru llm-serve`), so the process CPU
// time measured here (getrusage RUSAGE_SELF) is the client's alone: its curl
// event-loop thread plus the thread submitting requests. The loop thread's own
// CPU time is printed too. With --in-process (or when the askguru binary is
// missing) the server runs in this process and only the client threads' CPU
// time is reported.
//
//   bench_llm_client [--requests 256] [--concurrency 32] [--latency-ms 200] [--in-process]
#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "askguru/common/files.h"
#include "askguru/llm/client.h"
#include "askguru/llm/http_loop.h"
#include "askguru/llm/scripted_server.h"
#include "askguru/llm/usage.h"
#include "child_server.h"

namespace {

using namespace askguru;
using Clock = std::chrono::steady_clock;
using bench::ChildServer;

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The script: request i carries seed i; the reply echoes it, so every result
// can be checked against its own request. Marked requests fail once first.
std::string make_script(int requests, int latency_ms, bool faults, int* injected) {
  std::string yaml = "rules:\n";
  *injected = 0;
  if (faults) {
    for (int i = 0; i < requests; ++i) {
      if (i % 10 != 3) continue;  // 10% of the requests
      const bool rate_limit = (*injected % 2) == 0;
      yaml += fmt::format(
          "  - {{name: fault{}, times: 1, match: {{contains: 'request #{}#'}}, reply: {}}}\n", i, i,
          rate_limit ? "{status: 429, retry_after: '0.2', error: rate limited}" : "{status: 500, error: overloaded}");
      ++*injected;
    }
  }
  yaml += fmt::format(
      "  - {{name: ok, reply: {{text: 'SELECT {{{{seed}}}}', latency_ms: {}, "
      "usage: {{prompt_tokens: 300, completion_tokens: 12}}}}}}\n",
      latency_ms);
  return yaml;
}

struct RunResult {
  double wall_s = 0;
  double process_cpu_s = 0;
  double loop_cpu_s = 0;
  double submit_cpu_s = 0;
  int ok = 0;
  int wrong = 0;
  int failed = 0;
  int duplicates = 0;
  int64_t retries = 0;
  uint64_t transfers = 0;
  uint64_t connections = 0;
  std::string first_error;
};

RunResult run(const std::string& base_url, int requests, int concurrency) {
  llm::EndpointConfig e;
  e.name = "bench";
  e.base_url = base_url;
  e.model = "bench-model";
  e.max_concurrency = concurrency;
  e.timeout_ms = 30000;
  e.max_retries = 4;
  e.backoff_initial_ms = 100;
  auto loop = std::make_shared<llm::HttpLoop>();
  auto usage = std::make_shared<llm::UsageMeter>();
  auto client = llm::LlmClient::create(e, llm::ClientContext{loop, nullptr, usage, {}});
  if (!client.ok()) {
    std::fprintf(stderr, "bench_llm_client: %s\n", client.error().c_str());
    std::exit(1);
  }
  // Warm-up: connection set-up is not what is measured.
  {
    llm::ChatRequest warm;
    warm.messages = {{"user", "warm-up"}};
    warm.seed = -1;
    auto r = (*client)->chat(warm).get();
    if (!r.ok()) {
      std::fprintf(stderr, "bench_llm_client: warm-up failed: %s\n", r.error().c_str());
      std::exit(1);
    }
    usage->reset();
  }
  RunResult out;
  const double cpu0 = process_cpu_seconds();
  const double loop0 = loop->cpu_seconds();
  const double submit0 = thread_cpu_seconds();
  const uint64_t transfers0 = loop->transfers_done();
  const uint64_t connections0 = loop->connections_opened();
  const auto t0 = Clock::now();
  std::vector<std::future<Result<llm::Response>>> futures;
  futures.reserve(static_cast<size_t>(requests));
  for (int i = 0; i < requests; ++i) {
    llm::ChatRequest req;
    req.messages = {{"system", "You write SQLite SQL."},
                    {"user", fmt::format("request #{}#: how many heads of departments are older than 56?", i)}};
    req.temperature = 0.0;
    req.max_tokens = 64;
    req.seed = i;
    req.purpose = "bench";
    futures.push_back((*client)->chat(std::move(req)));
  }
  std::set<std::string> texts;
  for (int i = 0; i < requests; ++i) {
    auto r = futures[static_cast<size_t>(i)].get();
    if (!r.ok()) {
      ++out.failed;
      if (out.first_error.empty()) out.first_error = r.error();
      continue;
    }
    if (r->text() != fmt::format("SELECT {}", i)) ++out.wrong;
    if (!texts.insert(r->text()).second) ++out.duplicates;
    ++out.ok;
  }
  out.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  out.submit_cpu_s = thread_cpu_seconds() - submit0;
  out.loop_cpu_s = loop->cpu_seconds() - loop0;
  out.process_cpu_s = process_cpu_seconds() - cpu0;
  out.retries = usage->total().retries;
  out.transfers = loop->transfers_done() - transfers0;
  out.connections = loop->connections_opened() - connections0;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int requests = 256;
  int concurrency = 32;
  int latency_ms = 200;
  bool in_process = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--requests" && i + 1 < argc) {
      requests = std::atoi(argv[++i]);
    } else if (a == "--concurrency" && i + 1 < argc) {
      concurrency = std::atoi(argv[++i]);
    } else if (a == "--latency-ms" && i + 1 < argc) {
      latency_ms = std::atoi(argv[++i]);
    } else if (a == "--in-process") {
      in_process = true;
    } else {
      std::fprintf(stderr, "usage: %s [--requests N] [--concurrency C] [--latency-ms L] [--in-process]\n", argv[0]);
      return 2;
    }
  }
  const std::string binary = ASKGURU_BINARY;
  if (!in_process && !std::filesystem::exists(binary)) {
    std::fprintf(stderr, "bench_llm_client: %s not found; running the server in-process\n", binary.c_str());
    in_process = true;
  }
  const double ideal_s = std::ceil(static_cast<double>(requests) / concurrency) * latency_ms / 1000.0;
  std::printf("bench_llm_client: %d requests, concurrency %d, %d ms per call, server %s; ideal %.3f s\n", requests,
              concurrency, latency_ms, in_process ? "in this process" : "in a child process (askguru llm-serve)",
              ideal_s);
  int exit_code = 0;
  for (const bool faults : {false, true}) {
    int injected = 0;
    const std::string yaml = make_script(requests, latency_ms, faults, &injected);
    RunResult r;
    if (in_process) {
      auto script = llm::Script::from_yaml(yaml);
      auto server = script.ok() ? llm::ScriptedServer::start(std::move(*script))
                                : Result<std::unique_ptr<llm::ScriptedServer>>(script.status());
      if (!server.ok()) {
        std::fprintf(stderr, "bench_llm_client: %s\n", server.error().c_str());
        return 1;
      }
      r = run((*server)->base_url(), requests, concurrency);
    } else {
      const std::string path =
          (std::filesystem::temp_directory_path() / fmt::format("bench_llm_client_{}.yaml", getpid())).string();
      Status st = files::write_file(path, yaml);
      ChildServer child;
      if (!st.ok() || !ChildServer::start(binary, path, &child)) {
        std::fprintf(stderr, "bench_llm_client: cannot start %s llm-serve\n", binary.c_str());
        return 1;
      }
      r = run(child.url, requests, concurrency);
      std::filesystem::remove(path);
    }
    const double cpu_per_request_ms =
        (in_process ? r.loop_cpu_s + r.submit_cpu_s : r.process_cpu_s) * 1000.0 / requests;
    std::printf("\n%s\n",
                faults ? fmt::format("with faults: {} of {} requests answered first by 429 (Retry-After 0.2 s) or 500",
                                     injected, requests)
                             .c_str()
                       : "clean run");
    std::printf("  wall time            %.3f s (ratio to ideal %.3f)\n", r.wall_s, r.wall_s / ideal_s);
    std::printf(
        "  client CPU           %.3f ms per request (%s %.3f s; loop thread %.3f s, submitting thread %.3f s)\n",
        cpu_per_request_ms, in_process ? "client threads" : "process",
        in_process ? r.loop_cpu_s + r.submit_cpu_s : r.process_cpu_s, r.loop_cpu_s, r.submit_cpu_s);
    std::printf("  results              %d ok, %d failed, %d wrong reply, %d duplicated\n", r.ok, r.failed, r.wrong,
                r.duplicates);
    std::printf("  retries              %lld\n", static_cast<long long>(r.retries));
    std::printf("  HTTP transfers       %llu over %llu new connections\n", static_cast<unsigned long long>(r.transfers),
                static_cast<unsigned long long>(r.connections));
    if (!r.first_error.empty()) std::printf("  first error          %s\n", r.first_error.c_str());
    if (r.ok != requests || r.wrong || r.duplicates || (faults && r.retries < injected)) exit_code = 1;
  }
  return exit_code;
}
