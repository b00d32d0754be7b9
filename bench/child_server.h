// A child `askguru llm-serve` process serving a scripted LLM server, for benches
// that measure the client side's CPU time alone (getrusage RUSAGE_SELF).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace askguru::bench {

// A child `askguru llm-serve` process; stops it with SIGTERM.
struct ChildServer {
  pid_t pid = -1;
  std::string url;

  static bool start(const std::string& binary, const std::string& script_path, ChildServer* out) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    const pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      execl(binary.c_str(), binary.c_str(), "--log-level", "error", "llm-serve", "--script", script_path.c_str(),
            "--port", "0", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c = 0;
    while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    close(fds[0]);
    out->pid = pid;
    out->url = line;
    return line.rfind("http://", 0) == 0;
  }

  ~ChildServer() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      int status = 0;
      waitpid(pid, &status, 0);
    }
  }
};

}  // namespace askguru::bench
