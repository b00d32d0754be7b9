// Database profiling (Operation 0): introspects a database into a Catalog and
// computes each column's statistics (catalog::ColumnProfile) in one pass per
// table, tables in parallel, within time budgets, on a sample of big tables.
// Any backend (db::open_connection): SQLite reads rowid ranges, PostgreSQL ctid page
// ranges and TABLESAMPLE SYSTEM for big tables (by the planner's row estimate), other
// engines one bounded read (Oracle SAMPLE, FETCH FIRST / LIMIT); one connection per
// worker thread.
// Per-table results are saved in the artifact directory as they finish, so a
// stopped or budget-cut run resumes where it left off. Columns the options deny
// are never read. Finally lists join candidates from the MinHash signatures and
// writes catalog.json.
//
// profile_database() is safe to call from several threads for different
// databases; for one database, one call at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"
#include "askguru/profile/join_candidates.h"  // find_join_candidates, called at the end of profiling
#include "askguru/profile/options.h"

namespace askguru::profile {

class ArtifactDir;

struct ProfileRun {
  catalog::Catalog catalog;
  size_t tables = 0;           // tables and views in the catalog
  size_t tables_profiled = 0;  // profiled in this run
  size_t tables_resumed = 0;   // taken from an earlier, stopped run
  size_t tables_left = 0;      // not profiled: the total budget ran out
  size_t tables_sampled = 0;
  size_t columns_profiled = 0;
  size_t columns_denied = 0;
  double seconds = 0.0;
};

// Per-table results of an unfinished run live under this subdirectory.
inline constexpr std::string_view kPartialDir = "profile.partial";

// Profiles the database of `dir` and saves catalog.json there (complete or not;
// ProfileInfo::complete says which).
Result<ProfileRun> profile_database(const ArtifactDir& dir, const ProfileOptions& options = {});

// "table.column" → lower-case normal form; "table.*" denies a whole table.
std::vector<std::string> normalize_deny(const std::vector<std::string>& deny);
bool is_denied(const std::vector<std::string>& normalized_deny, std::string_view table, std::string_view column);
// Whether options deny a column (the deny list or the allow predicate).
bool column_denied(const ProfileOptions& options, std::string_view table, std::string_view column);
// The catalog's columns the options deny, as sorted lower-case "table.column"
// (what ProfileInfo::deny records).
std::vector<std::string> denied_columns(const catalog::Catalog& catalog, const ProfileOptions& options);

}  // namespace askguru::profile
