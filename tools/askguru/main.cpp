// askguru: turns natural-language questions into SQL and runs it. This file
// only dispatches to the subcommands that register themselves (subcommand.h).
#include <cstdio>
#include <map>
#include <vector>

#include "askguru/common/log.h"
#include "askguru/common/progress.h"
#include "subcommand.h"

namespace askguru::cli {
namespace {

struct Entry {
  std::string description;
  Setup setup;
};

std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> entries;
  return entries;
}

std::string& current_command() {
  static std::string name;
  return name;
}

}  // namespace

Registration::Registration(std::string name, std::string description, Setup setup) {
  registry().emplace(std::move(name), Entry{std::move(description), std::move(setup)});
}

void fail(const std::string& message, int code) {
  std::fprintf(stderr, "askguru %s: %s\n", current_command().c_str(), message.c_str());
  throw Exit{code};
}

void fail(const Status& status, int code) { fail(status.to_string(), code); }

}  // namespace askguru::cli

int main(int argc, char** argv) {
  using namespace askguru;
  CLI::App app{"askguru: natural-language questions to correct SQL, executed safely"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("askguru ") + ASKGURU_VERSION);
  std::string log_level = "warn";
  bool quiet = false;
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")->capture_default_str();
  app.add_flag("-q,--quiet", quiet, "no progress output");

  for (auto& [name, entry] : cli::registry()) {
    CLI::App* sub = app.add_subcommand(name, entry.description);
    std::string command = name;
    sub->parse_complete_callback([command] { cli::current_command() = command; });
    entry.setup(*sub);
  }
  app.parse_complete_callback([&] {
    log::init(log_level);
    Progress::set_enabled(!quiet);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const cli::Exit& e) {
    return e.code;
  }
  return 0;
}
