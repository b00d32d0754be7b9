// `askguru version`: prints the version and the embedded prompt templates.
#include <cstdio>

#include "askguru/common/embedded.h"
#include "subcommand.h"

namespace {

void setup(CLI::App& sub) {
  sub.callback([] {
    std::printf("askguru %s\n", ASKGURU_VERSION);
    std::printf("embedded files: %zu\n", askguru::embedded::files().size());
  });
}

const askguru::cli::Registration reg("version", "Print the version and build facts", setup);

}  // namespace
