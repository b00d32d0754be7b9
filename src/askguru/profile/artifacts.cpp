#include "askguru/profile/artifacts.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "askguru/catalog/catalog_json.h"
#include "askguru/common/files.h"
#include "askguru/common/hash.h"
#include "askguru/common/text.h"
#include "askguru/db/odbc_connection.h"
#include "askguru/db/postgres_connection.h"
#include "askguru/db/postgres_introspect.h"
#include "askguru/db/sqlite_connection.h"
#include "askguru/db/sqlite_introspect.h"
#include "askguru/profile/profiler.h"

namespace askguru::profile {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSourceFile = "source.json";

// Keeps a stem usable as a directory name on every file system.
std::string safe_stem(const std::string& stem) {
  std::string out;
  for (char c : stem) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.';
    out += ok ? c : '_';
  }
  if (out.empty()) out = "db";
  return out;
}

void append_u64(std::string& buf, uint64_t v) { buf.append(reinterpret_cast<const char*>(&v), sizeof v); }

uint64_t mtime_ns(const fs::path& path, std::error_code& ec) {
  auto t = fs::last_write_time(path, ec);
  if (ec) return 0;
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// Removes directories of earlier versions of the same database file: siblings named
// <stem>-<other fingerprint> whose source.json names the same path.
void remove_stale_versions(const fs::path& root, const std::string& stem, const std::string& current_dir,
                           const std::string& db_path) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (!entry.is_directory(ec)) continue;
    std::string name = entry.path().filename().string();
    if (name.size() != stem.size() + 17 || name.compare(0, stem.size() + 1, stem + "-") != 0) continue;
    if (entry.path().string() == current_dir) continue;
    auto source = files::read_file((entry.path() / kSourceFile).string());
    if (!source.ok()) continue;
    auto j = nlohmann::json::parse(*source, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("db_path", "") != db_path) continue;
    spdlog::info("removing artifacts of an earlier version of {}: {}", db_path, entry.path().string());
    fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

std::string default_artifacts_root() {
  if (const char* home = std::getenv("ASKGURU_HOME"); home && *home) return home;
  if (const char* home = std::getenv("HOME"); home && *home) return (fs::path(home) / ".cache" / "askguru").string();
  return ".askguru";
}

Result<std::string> database_fingerprint(const std::string& db_path) {
  std::error_code ec;
  fs::path path(db_path);
  if (!fs::is_regular_file(path, ec)) return make_error(ErrorCode::kNotFound, "no database file " + db_path);
  std::string buf;
  uint64_t size = fs::file_size(path, ec);
  if (ec) return make_error(ErrorCode::kIoError, "cannot stat " + db_path + ": " + ec.message());
  append_u64(buf, size);
  append_u64(buf, mtime_ns(path, ec));
  // The first page: SQLite's header (page size at offset 16, change counter at 24,
  // schema cookie at 40) and the start of sqlite_master.
  {
    std::ifstream in(db_path, std::ios::binary);
    if (!in) return make_error(ErrorCode::kIoError, "cannot read " + db_path);
    std::string page(4096, '\0');
    in.read(page.data(), static_cast<std::streamsize>(page.size()));
    page.resize(static_cast<size_t>(in.gcount()));
    buf += page;
  }
  fs::path wal(db_path + "-wal");
  if (fs::exists(wal, ec)) {
    append_u64(buf, fs::file_size(wal, ec));
    append_u64(buf, mtime_ns(wal, ec));
  }
  // The schema text (covers schema changes the first page does not hold).
  auto connection = db::SqliteConnection::open(db_path);
  if (!connection.ok()) return connection.status();
  auto schema = (*connection)->execute("SELECT type, name, sql FROM main.sqlite_master ORDER BY rowid");
  if (!schema.ok()) return schema.status().with_context("reading the schema of " + db_path);
  for (const auto& row : schema->rows) {
    for (const auto& value : row) {
      buf += value.to_string();
      buf += '\x1f';
    }
  }
  return hash::hex64(hash::xxh64(buf));
}

namespace {

void append_rows(std::string& material, const db::ResultSet& rows) {
  for (const auto& row : rows.rows) {
    for (const auto& value : row) {
      material += value.to_string();
      material += '\x1f';
    }
    material += '\n';
  }
}

constexpr size_t kMaxCountedTables = 2000;

}  // namespace

Result<std::string> server_fingerprint(db::Connection& connection) {
  std::string material = connection.fingerprint();
  material += '\n';
  const db::QueryOptions metadata{std::chrono::milliseconds(60000), std::nullopt};
  const std::string relations =
      "SELECT c.oid::int8, c.relfilenode::int8, "
      "CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.md5(pg_catalog.pg_get_viewdef(c.oid)) END "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' ORDER BY c.oid";
  if (auto* pg = dynamic_cast<db::PostgresConnection*>(&connection)) {
    auto rows = pg->execute_trusted(relations, metadata);
    if (!rows.ok()) return rows.status().with_context("fingerprinting " + connection.display_name());
    append_rows(material, *rows);
  } else if (auto* odbc = dynamic_cast<db::OdbcConnection*>(&connection)) {
    if (odbc->dialect() == Dialect::kPostgres) {
      // PostgreSQL through its ODBC driver: the server's counters, as for libpq (no COUNT(*)).
      auto counters = odbc->execute_trusted(db::postgres_fingerprint_query(), metadata);
      if (!counters.ok()) return counters.status().with_context("fingerprinting " + connection.display_name());
      append_rows(material, *counters);
      auto rows = odbc->execute_trusted(relations, metadata);
      if (!rows.ok()) return rows.status().with_context("fingerprinting " + connection.display_name());
      append_rows(material, *rows);
    } else if (odbc->dialect() == Dialect::kOracle) {
      auto rows = odbc->execute_trusted(
          "SELECT owner, table_name, num_rows, TO_CHAR(last_analyzed, 'YYYY-MM-DD HH24:MI:SS') FROM all_tables "
          "ORDER BY owner, table_name",
          metadata);
      if (rows.ok()) append_rows(material, *rows);
      auto changes = odbc->execute_trusted(
          "SELECT table_owner, table_name, partition_name, inserts, updates, deletes, truncated FROM all_tab_modifications "
          "ORDER BY table_owner, table_name, partition_name",
          metadata);
      if (changes.ok()) append_rows(material, *changes);
      if (!rows.ok()) spdlog::debug("{}: fingerprint without row counts: {}", connection.display_name(), rows.error());
    } else {
      AG_ASSIGN_OR_RETURN(auto tables, odbc->catalog_call(db::OdbcCatalogCall::kTables, "", ""));
      // TABLE_CAT, TABLE_SCHEM, TABLE_NAME, TABLE_TYPE, REMARKS
      size_t counted = 0;
      for (const auto& row : tables.rows) {
        if (row.size() < 4 || counted >= kMaxCountedTables) break;
        std::string type = text::to_upper(row[3].to_string());
        if (type != "TABLE") continue;
        std::string name = row[2].to_string();
        std::string schema = row[1].is_null() ? std::string() : row[1].to_string();
        std::string qualified = schema.empty() ? db::quote_identifier(name)
                                               : db::quote_identifier(schema) + "." + db::quote_identifier(name);
        auto count = odbc->execute_trusted("SELECT COUNT(*) FROM " + qualified, metadata);
        material += fmt::format("{}.{}={}\n", schema, name,
                                count.ok() && !count->rows.empty() ? count->rows[0][0].to_string() : "?");
        ++counted;
      }
    }
  }
  return hash::hex64(hash::xxh64(material));
}

std::string server_db_id(const db::Connection& connection) {
  std::string name;
  if (const auto* pg = dynamic_cast<const db::PostgresConnection*>(&connection)) name = pg->database();
  if (const auto* odbc = dynamic_cast<const db::OdbcConnection*>(&connection)) name = odbc->database();
  if (name.empty()) return "db";
  // A file the driver names (SQLite ODBC: the database file): its stem.
  if (name.find('/') != std::string::npos) name = fs::path(name).stem().string();
  return name.empty() ? "db" : name;
}

Result<ArtifactDir> ArtifactDir::open(const std::string& db, const ArtifactOptions& options) {
  std::error_code ec;
  ArtifactDir dir;
  if (auto file = db::sqlite_file_of(db)) {
    const std::string& db_path = *file;
    fs::path absolute = fs::absolute(db_path, ec);
    dir.db_path_ = (ec ? fs::path(db_path) : absolute).lexically_normal().string();
    dir.display_ = dir.db_path_;
    AG_ASSIGN_OR_RETURN(dir.fingerprint_, database_fingerprint(db_path));
    dir.db_id_ = fs::path(db_path).stem().string();
  } else {
    dir.server_ = true;
    dir.db_path_ = std::string(text::trim(db));
    dir.display_ = db::redact_address(dir.db_path_);
    AG_ASSIGN_OR_RETURN(auto connection, db::open_connection(dir.db_path_));
    AG_ASSIGN_OR_RETURN(dir.fingerprint_, server_fingerprint(*connection));
    dir.db_id_ = server_db_id(*connection);
  }
  fs::path root = options.root.empty() ? fs::path(default_artifacts_root()) : fs::path(options.root);
  std::string stem = safe_stem(dir.db_id_);
  fs::path path = root / (stem + "-" + dir.fingerprint_);
  dir.dir_ = path.string();
  bool existed = fs::is_directory(path, ec);
  fs::create_directories(path, ec);
  if (!fs::is_directory(path, ec)) {
    return make_error(ErrorCode::kIoError, "cannot create the artifact directory " + dir.dir_);
  }
  if (existed && options.force) AG_RETURN_IF_ERROR(dir.clear());
  if (!existed || options.force || !dir.has(kSourceFile)) {
    // The display form: a server address without its password.
    nlohmann::json source = {{"db_path", dir.display_}, {"db_id", dir.db_id_}, {"fingerprint", dir.fingerprint_}};
    AG_RETURN_IF_ERROR(files::write_file(dir.path(kSourceFile), source.dump(2) + "\n"));
    remove_stale_versions(root, stem, dir.dir_, dir.display_);
  }
  return dir;
}

std::string ArtifactDir::path(std::string_view name) const { return (fs::path(dir_) / std::string(name)).string(); }

bool ArtifactDir::has(std::string_view name) const {
  std::error_code ec;
  return fs::exists(path(name), ec);
}

Status ArtifactDir::save_catalog(const catalog::Catalog& catalog) const {
  return catalog::save_catalog(catalog, path(kCatalogFile));
}

Result<catalog::Catalog> ArtifactDir::load_catalog() const { return catalog::load_catalog(path(kCatalogFile)); }

Status ArtifactDir::clear() const {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    std::error_code remove_ec;
    fs::remove_all(entry.path(), remove_ec);
    if (remove_ec) {
      return make_error(ErrorCode::kIoError, "cannot remove " + entry.path().string() + ": " + remove_ec.message());
    }
  }
  if (ec) return make_error(ErrorCode::kIoError, "cannot list " + dir_ + ": " + ec.message());
  return Status();
}

uint64_t ArtifactDir::size_bytes() const {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) total += it->file_size(size_ec);
  }
  return total;
}

std::optional<catalog::Catalog> load_current_catalog(const ArtifactDir& dir, const ProfileOptions& options) {
  if (!dir.has(kCatalogFile)) return std::nullopt;
  auto loaded = dir.load_catalog();
  if (!loaded.ok()) {
    spdlog::warn("{}: {}; rebuilding", dir.path(kCatalogFile), loaded.error());
    return std::nullopt;
  }
  if (!loaded->profile.complete) {
    spdlog::info("{}: profile incomplete; resuming", dir.path(kCatalogFile));
    return std::nullopt;
  }
  if (loaded->profile.deny != denied_columns(*loaded, options)) {
    spdlog::info("{}: made with other denied columns; rebuilding", dir.path(kCatalogFile));
    return std::nullopt;
  }
  return std::move(*loaded);
}

Result<catalog::Catalog> profiled_catalog(const std::string& db_path, const ArtifactOptions& artifacts,
                                          const ProfileOptions& options) {
  AG_ASSIGN_OR_RETURN(ArtifactDir dir, ArtifactDir::open(db_path, artifacts));
  return profiled_catalog(dir, options);
}

Result<catalog::Catalog> profiled_catalog(const ArtifactDir& dir, const ProfileOptions& options) {
  if (auto current = load_current_catalog(dir, options)) return std::move(*current);
  AG_ASSIGN_OR_RETURN(ProfileRun run, profile_database(dir, options));
  return std::move(run.catalog);
}

}  // namespace askguru::profile
