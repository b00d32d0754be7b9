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
// A server database (postgresql://, odbc:) gets <root>/<database name>-<fingerprint>/,
// with server_fingerprint() as the fingerprint (the address without secrets is part
// of it, so two servers' databases of one name do not share a directory). Only the
// database's name and the address without secrets are ever written (paths,
// source.json, messages): a password in the URL never reaches the disk.
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

namespace askguru::db {
class Connection;
}

namespace askguru::profile {

// $ASKGURU_HOME, else $HOME/.cache/askguru, else ./.askguru.
std::string default_artifacts_root();

// A fast fingerprint of an SQLite database (16 hex digits): xxh3 of its size, its
// modification time, its first page (the header, with SQLite's change counter),
// its schema text (sqlite_master), and the size and time of a -wal file beside it.
// Reads a few KB whatever the size of the file.
Result<std::string> database_fingerprint(const std::string& db_path);

// The fingerprint of a server database (16 hex digits), from an open connection:
//  - PostgreSQL: the connection's fingerprint (address, relations, columns and types,
//    pg_stat_all_tables' insert/update/delete counters) plus each relation's
//    relfilenode (TRUNCATE, VACUUM FULL, CLUSTER) and view definitions. Not the row
//    estimates (reltuples): autovacuum changes them without any write.
//  - ODBC: the connection's fingerprint (address, DBMS, SQLColumns) plus row counts:
//    COUNT(*) per table (at most 2,000 tables), on Oracle ALL_TABLES.NUM_ROWS and
//    LAST_ANALYZED plus ALL_TAB_MODIFICATIONS when readable; PostgreSQL through its
//    driver as through libpq (write counters, relfilenodes, view definitions).
// What it can miss (the artifacts then stay until --force or the next noticed change):
// on PostgreSQL, writes the statistics system has not reported yet (a session reports
// its counters when it goes idle, at most once a second, and when it ends), writes with
// track_counts off, changed comments and changed functions a view calls; a counter reset
// (pg_stat_reset(), a crash) only causes a needless rebuild. Through ODBC, UPDATEs that
// keep every table's row count, tables past the first 2,000, and on Oracle DML that
// ALL_TAB_MODIFICATIONS has not recorded yet (it is flushed every few minutes) or cannot
// be read (then only changes since the last statistics run show).
Result<std::string> server_fingerprint(db::Connection& connection);

// The database's name for a server connection (PostgreSQL's database, ODBC's
// SQL_DATABASE_NAME or DSN), else "db".
std::string server_db_id(const db::Connection& connection);

class ArtifactDir {
 public:
  // `db` is an SQLite file (a path or sqlite:///path) or a server address
  // (postgresql://..., odbc:...). Computes the fingerprint and creates the directory
  // (and the root) if needed. options.force empties an existing directory. Fails when
  // the database cannot be read or the directory cannot be created.
  static Result<ArtifactDir> open(const std::string& db, const ArtifactOptions& options = {});

  const std::string& dir() const { return dir_; }
  // What db::open_connection() takes: the absolute file path, or the server address as
  // given (it may hold a password: never print it; display() is safe).
  const std::string& db_path() const { return db_path_; }
  // The file path, or the server address without secrets.
  const std::string& display() const { return display_; }
  bool is_server() const { return server_; }
  const std::string& fingerprint() const { return fingerprint_; }
  const std::string& db_id() const { return db_id_; }  // the file's stem, or the server database's name

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
  std::string display_;
  bool server_ = false;
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
Result<catalog::Catalog> profiled_catalog(const ArtifactDir& dir, const ProfileOptions& options = {});

}  // namespace askguru::profile
