// Options of database profiling (profile/profiler.h) and of the per-database
// artifact directory (profile/artifacts.h). Plain value types, std only, so any
// module can include this header cheaply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace askguru::profile {

struct ProfileOptions {
  // Worker threads for tables profiled in parallel; 0: one per core.
  size_t jobs = 0;
  // Time budget per table and for the whole database, in seconds; 0: none. A table
  // that runs out of time keeps what it has read and is marked partial; tables not
  // started when the total budget runs out are left unprofiled (a rerun resumes).
  double table_budget_s = 60.0;
  double total_budget_s = 0.0;
  // Profile at most this many tables in one run (0: all); the rest are left for a
  // rerun, as when the total budget runs out (incremental runs, tests).
  size_t max_tables = 0;
  // Tables with more rows than this are profiled on a sample of about this many rows
  // (rowid ranges spread over the table); the profile records that it is sampled.
  // 0: never sample.
  int64_t sample_rows = 200000;
  // Distinct values are counted exactly up to this many per column, then by
  // HyperLogLog (the profile records which).
  size_t exact_distinct_limit = 20000;
  size_t top_k = 10;         // most frequent values kept per column
  size_t sample_values = 5;  // distinct example values kept per column
  size_t max_value_chars = 200;  // longer values are cut in top-k and samples
  size_t minhash_perm = 64;  // MinHash signature length per column (0: no signature)
  double join_threshold = 0.6;  // estimated containment for a join candidate
  // Columns never read, profiled, sampled or sent to an LLM: "table.column" (case-
  // insensitive), "table.*" for a whole table.
  std::vector<std::string> deny;
  // A further policy (e.g. the guardrail's, guard/policy.h): false denies the column.
  // Empty: none.
  std::function<bool(std::string_view table, std::string_view column)> allow;
  // Introspection inputs (BIRD description CSVs, Spider/BIRD tables.json).
  std::string descriptions_dir;
  std::string tables_json;
  bool progress = false;  // draw progress on stderr (a terminal only)
};

struct ArtifactOptions {
  // Root of all artifact directories; empty: $ASKGURU_HOME, else ~/.cache/askguru.
  std::string root;
  // Rebuild even when the artifacts are up to date (the directory is emptied first).
  bool force = false;
};

}  // namespace askguru::profile
