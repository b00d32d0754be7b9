// `askguru index --db F [--examples train.json] [--force]`: builds (or finds up to
// date) a database's catalog, value index and column index, and optionally the
// example store of a question/SQL file, attached to the database.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "artifact_flags.h"
#include "askguru/common/text.h"
#include "subcommand.h"

namespace {

struct Flags {
  std::string db;
  std::string examples;
  bool json = false;
  askguru::cli::ArtifactFlags artifacts;
};

void run(const Flags& flags) {
  using namespace askguru;
  auto artifacts = index::DatabaseArtifacts::open(flags.db, flags.artifacts.options());
  if (!artifacts.ok()) cli::fail(artifacts.status());
  const index::BuildStats& s = artifacts->stats();
  std::string store_dir;
  size_t store_size = 0;
  if (!flags.examples.empty()) {
    const index::DatabaseArtifacts& a = *artifacts;
    auto values_for = [&a](const std::string& db_id) -> const index::ValueIndex* {
      return db_id == a.catalog().db_id ? &a.values() : nullptr;
    };
    auto store = index::open_example_store(flags.examples, flags.artifacts.root, flags.artifacts.force, values_for,
                                           flags.artifacts.quiet);
    if (!store.ok()) cli::fail(store.status());
    store_dir = store->first;
    store_size = store->second.size();
    Status attached = artifacts->attach_examples(store_dir);
    if (!attached.ok()) cli::fail(attached);
  }
  if (flags.json) {
    nlohmann::json j{{"dir", artifacts->dir()},
                     {"fingerprint", artifacts->fingerprint()},
                     {"built", s.built},
                     {"tables", artifacts->catalog().tables.size()},
                     {"columns", artifacts->columns().documents().size()},
                     {"values", artifacts->values().value_count()},
                     {"value_columns", artifacts->values().columns().size()},
                     {"column_embedder", artifacts->columns().embedder_name()},
                     {"seconds", {{"catalog", s.catalog_seconds}, {"values", s.values_seconds}, {"columns", s.columns_seconds}}},
                     {"bytes", s.bytes}};
    if (!store_dir.empty()) j["examples"] = {{"dir", store_dir}, {"size", store_size}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("%s %s\n", s.built ? "built" : "up to date:", artifacts->dir().c_str());
  std::printf("  %zu tables, %zu columns indexed (embedder %s); %zu distinct values in %zu columns\n",
              artifacts->catalog().tables.size(), artifacts->columns().documents().size(),
              artifacts->columns().embedder_name().c_str(), artifacts->values().value_count(),
              artifacts->values().columns().size());
  if (s.built) {
    std::printf("  catalog %.2f s, values %.2f s, columns %.2f s; %s on disk\n", s.catalog_seconds, s.values_seconds,
                s.columns_seconds, text::human_bytes(s.bytes).c_str());
  }
  if (!store_dir.empty()) std::printf("  example store: %zu examples in %s\n", store_size, store_dir.c_str());
}

void setup(CLI::App& sub) {
  auto flags = std::make_shared<Flags>();
  sub.add_option("--db", flags->db, "database: an SQLite file, postgresql://... or odbc:...")->required();
  sub.add_option("--examples", flags->examples, "question/SQL pairs (Spider/BIRD train.json) for the example store");
  sub.add_flag("--json", flags->json, "machine-readable output");
  flags->artifacts.add(sub, true);
  sub.callback([flags] { run(*flags); });
}

const askguru::cli::Registration reg("index", "Build a database's value index, column index and example store",
                                     setup);

}  // namespace
