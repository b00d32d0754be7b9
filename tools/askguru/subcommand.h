// Subcommand registry for the askguru executable. Each subcommand lives in its
// own file and registers itself:
//
//   static askguru::cli::Registration reg("schema", "Print a database's catalog", setup_schema);
//
// where setup_schema(CLI::App& sub) declares flags and sets sub.callback(...).
// A callback reports failure by throwing askguru::cli::Exit{code} after printing
// a message to stderr (see fail()).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "askguru/common/status.h"

namespace askguru::cli {

using Setup = std::function<void(CLI::App&)>;

struct Registration {
  Registration(std::string name, std::string description, Setup setup);
};

// Thrown from a callback to end the program with this exit status.
struct Exit {
  int code;
};

// Prints "askguru <command>: <message>" to stderr and exits with `code`.
[[noreturn]] void fail(const Status& status, int code = 1);
[[noreturn]] void fail(const std::string& message, int code = 1);

}  // namespace askguru::cli
