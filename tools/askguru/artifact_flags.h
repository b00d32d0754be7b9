// Flags shared by `askguru index`, `values` and `retrieve`: where the per-database
// artifacts live and how they are built.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "askguru/index/retriever.h"

namespace askguru::cli {

struct ArtifactFlags {
  std::string root;
  std::string tables;
  std::string descriptions;
  std::vector<std::string> deny;
  bool force = false;
  bool quiet = false;

  void add(CLI::App& sub, bool with_force) {
    sub.add_option("--artifacts", root, "artifact root (default $ASKGURU_HOME, else ~/.cache/askguru)");
    sub.add_option("--tables", tables, "Spider/BIRD tables.json (natural column names)");
    sub.add_option("--descriptions", descriptions, "BIRD description CSVs (default: beside the database)");
    sub.add_option("--deny", deny, "columns never profiled or indexed: table.column or table.* (repeatable)");
    if (with_force) sub.add_flag("--force", force, "rebuild even when the artifacts are up to date");
    sub.add_flag("-q,--quiet", quiet, "no progress lines");
  }

  index::ArtifactOptions options() const {
    index::ArtifactOptions o;
    o.root = root;
    o.tables_json = tables;
    o.descriptions_dir = descriptions;
    o.force = force;
    o.deny = deny;
    o.quiet = quiet;
    return o;
  }
};

}  // namespace askguru::cli
