// The per-database artifact directory: everything askguru computes offline for
// one database (catalog.json with schema, descriptions, profile and summaries;
// the value index, the column index, ...) lives in
//
//   <root>/<db stem>-<fingerprint>/
//
// where <root> is --artifacts DIR, else $ASKGURU_HOME, else ~/.cache/askguru, and
// <fingerprint> is database_fingerprint(): a change to the database gives a new
// directory, so stale artifacts are never read. Directories of earlier versions
// of the same database file are removed when the new one is built.
//
// ArtifactDir is a small value (paths only); its methods touch the file system
// and are safe to call from several threads as long as they do not write the
// same file at once (writes are atomic renames).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"
#include "askguru/profile/options.h"

namespace askguru::profile {

// $ASKGURU_HOME, else $HOME/.cache/askguru, else ./.askguru.
std::string default_artifacts_root();

// A fast fingerprint of an SQLite database (16 hex digits): xxh3 of its size, its
// modification time, its first page (the header, with SQLite's change counter),
// its schema text (sqlite_master), and the size and time of a -wal file beside it.
// Reads a few KB whatever the size of the file.
Result<std::string> database_fingerprint(const std::string& db_path);

class ArtifactDir {
 public:
  // Computes the fingerprint and creates the directory (and the root) if needed.
  // options.force empties an existing directory. Fails when the database cannot be
  // read or the directory cannot be created.
  static Result<ArtifactDir> open(const std::string& db_path, const ArtifactOptions& options = {});

  const std::string& dir() const { return dir_; }
  const std::string& db_path() const { return db_path_; }  // absolute
  const std::string& fingerprint() const { return fingerprint_; }
  const std::string& db_id() const { return db_id_; }  // the file's stem

  // <dir>/<name>; `name` may contain '/' for a subdirectory.
  std::string path(std::string_view name) const;
  bool has(std::string_view name) const;

  // catalog.json (catalog/catalog_json.h).
  Status save_catalog(const catalog::Catalog& catalog) const;
  Result<catalog::Catalog> load_catalog() const;

  // Removes every file in the directory (keeps the directory).
  Status clear() const;
  // Total size of the files in the directory, in bytes.
  uint64_t size_bytes() const;

 private:
  std::string db_path_;
  std::string db_id_;
  std::string fingerprint_;
  std::string dir_;
};

inline constexpr std::string_view kCatalogFile = "catalog.json";

// The catalog.json of `dir` when it is complete and was made with the same denied
// columns as `options` deny; nullopt otherwise (missing, unreadable, stale).
std::optional<catalog::Catalog> load_current_catalog(const ArtifactDir& dir, const ProfileOptions& options);

// The profiled catalog of a database: loaded from its artifact directory when
// catalog.json is there and complete, otherwise built (introspection + profile,
// resuming per-table results a stopped run left) and saved. Denied columns are
// never read. LLM summaries are added by summarize_catalog() (profile/summaries.h).
Result<catalog::Catalog> profiled_catalog(const std::string& db_path, const ArtifactOptions& artifacts = {},
                                          const ProfileOptions& options = {});

}  // namespace askguru::profile
