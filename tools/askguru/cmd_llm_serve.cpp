// `askguru llm-serve --script F [--port P] [--log requests.jsonl]`: runs the
// scripted LLM server (src/askguru/llm/scripted_server.h) on 127.0.0.1 until
// SIGINT or SIGTERM, for benchmarks and shell tests.
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "askguru/llm/scripted_server.h"
#include "subcommand.h"

namespace {

struct Options {
  std::string script;
  int port = 0;
  std::string log;
};

int stop_pipe[2] = {-1, -1};

void on_stop_signal(int sig) {
  const unsigned char byte = static_cast<unsigned char>(sig);
  [[maybe_unused]] ssize_t n = write(stop_pipe[1], &byte, 1);
}

void run(const Options& opt) {
  using namespace askguru;
  auto script = llm::Script::load(opt.script);
  if (!script.ok()) cli::fail(script.status());
  const size_t rules = script->rules.size();

  // Threads started before main (OpenBLAS's pool, loaded with FAISS) may receive the
  // stop signal, so the handler only writes to a pipe that this thread waits on.
  if (pipe(stop_pipe) != 0) cli::fail("cannot create a pipe: " + std::string(std::strerror(errno)));
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  auto server = llm::ScriptedServer::start(std::move(*script), opt.port);
  if (!server.ok()) cli::fail(server.status());
  if (!opt.log.empty()) {
    Status st = (*server)->set_log_file(opt.log);
    if (!st.ok()) cli::fail(st);
  }
  std::printf("%s\n", (*server)->base_url().c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "askguru llm-serve: %zu rules from %s on %s; stop with Ctrl-C or SIGTERM\n", rules,
               opt.script.c_str(), (*server)->base_url().c_str());

  unsigned char sig = 0;
  while (read(stop_pipe[0], &sig, 1) < 0 && errno == EINTR) {
  }
  (*server)->stop();
  std::fprintf(stderr, "askguru llm-serve: stopped by signal %d after %zu requests (at most %d at once)\n", sig,
               (*server)->request_count(), (*server)->max_in_flight());
}

void setup(CLI::App& sub) {
  auto opt = std::make_shared<Options>();
  sub.add_option("--script", opt->script, "YAML script of rules (see src/askguru/llm/scripted_server.h)")
      ->required()
      ->check(CLI::ExistingFile);
  sub.add_option("--port", opt->port, "port on 127.0.0.1; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  sub.add_option("--log", opt->log, "append every request as a JSON line to this file (keys redacted)");
  sub.callback([opt] { run(*opt); });
}

const askguru::cli::Registration reg("llm-serve",
                                     "Run the scripted LLM test server (OpenAI + Anthropic wire formats) until "
                                     "SIGINT/SIGTERM; prints its URL",
                                     setup);

}  // namespace
