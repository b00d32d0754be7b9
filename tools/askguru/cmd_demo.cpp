// `askguru demo --out DIR`: writes the EBS demo database (DIR/ebs_demo/ebs_demo.sqlite)
// and its column descriptions, then prints what it wrote.
#include <chrono>
#include <cstdio>

#include "askguru/demo/ebs_demo.h"
#include "subcommand.h"

namespace {

struct Options {
  std::string out = "out/demo";
  bool quiet = false;
};

void setup(CLI::App& sub) {
  auto options = std::make_shared<Options>();
  sub.add_option("--out", options->out, "db-root directory to write ebs_demo/ebs_demo.sqlite into")
      ->capture_default_str();
  sub.add_flag("--quiet", options->quiet, "print only the database path");
  sub.callback([options] {
    const auto start = std::chrono::steady_clock::now();
    askguru::demo::DemoSummary summary;
    const askguru::Status status = askguru::demo::build_ebs_demo(options->out, &summary);
    if (!status.ok()) askguru::cli::fail(status);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (options->quiet) {
      std::printf("%s\n", summary.db_path.c_str());
      return;
    }
    std::printf("wrote %s (%zu tables, %lld rows) in %.0f ms\n", summary.db_path.c_str(), summary.row_counts.size(),
                static_cast<long long>(summary.total_rows), ms);
    std::printf("column descriptions: %s/<TABLE>.csv\n", summary.descriptions_dir.c_str());
    for (const auto& [table, rows] : summary.row_counts) {
      std::printf("  %-30s %6lld\n", table.c_str(), static_cast<long long>(rows));
    }
  });
}

const askguru::cli::Registration reg("demo", "Build the Oracle EBS Payables/Purchasing demo database", setup);

}  // namespace
