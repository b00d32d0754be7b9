#include "askguru/profile/artifacts.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "askguru/catalog/catalog_json.h"
#include "askguru/common/files.h"
#include "askguru/common/hash.h"
#include "askguru/db/sqlite_connection.h"
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

Result<ArtifactDir> ArtifactDir::open(const std::string& db_path, const ArtifactOptions& options) {
  std::error_code ec;
  ArtifactDir dir;
  fs::path absolute = fs::absolute(db_path, ec);
  dir.db_path_ = (ec ? fs::path(db_path) : absolute).lexically_normal().string();
  AG_ASSIGN_OR_RETURN(dir.fingerprint_, database_fingerprint(db_path));
  dir.db_id_ = fs::path(db_path).stem().string();
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
    nlohmann::json source = {{"db_path", dir.db_path_}, {"db_id", dir.db_id_}, {"fingerprint", dir.fingerprint_}};
    AG_RETURN_IF_ERROR(files::write_file(dir.path(kSourceFile), source.dump(2) + "\n"));
    remove_stale_versions(root, stem, dir.dir_, dir.db_path_);
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
  if (auto current = load_current_catalog(dir, options)) return std::move(*current);
  AG_ASSIGN_OR_RETURN(ProfileRun run, profile_database(dir, options));
  return std::move(run.catalog);
}

}  // namespace askguru::profile
