#include "askguru/profile/profiler.h"

#include <algorithm>
#include <chrono>

#include "askguru/common/text.h"
#include "askguru/db/sqlite_connection.h"
#include "askguru/profile/artifacts.h"

namespace askguru::profile {

std::vector<std::string> normalize_deny(const std::vector<std::string>& deny) {
  std::vector<std::string> out;
  for (const auto& entry : deny) {
    std::string e = text::to_lower(text::trim(entry));
    if (!e.empty()) out.push_back(e);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool is_denied(const std::vector<std::string>& normalized_deny, std::string_view table, std::string_view column) {
  if (normalized_deny.empty()) return false;
  std::string t = text::to_lower(table);
  std::string key = t + "." + text::to_lower(column);
  std::string all = t + ".*";
  return std::binary_search(normalized_deny.begin(), normalized_deny.end(), key) ||
         std::binary_search(normalized_deny.begin(), normalized_deny.end(), all);
}

Result<ProfileRun> profile_database(const ArtifactDir& dir, const ProfileOptions& options) {
  auto start = std::chrono::steady_clock::now();
  AG_ASSIGN_OR_RETURN(auto connection, db::SqliteConnection::open(dir.db_path()));
  db::IntrospectOptions introspect;
  introspect.sample_values = 0;  // samples come from the profile, which skips denied columns
  introspect.descriptions_dir = options.descriptions_dir;
  introspect.tables_json = options.tables_json;
  AG_ASSIGN_OR_RETURN(auto catalog, connection->introspect(introspect));
  ProfileRun run;
  run.tables = catalog.tables.size();
  catalog.profile.deny = normalize_deny(options.deny);
  catalog.profile.complete = true;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  catalog.profile.seconds = run.seconds;
  AG_RETURN_IF_ERROR(dir.save_catalog(catalog));
  run.catalog = std::move(catalog);
  return run;
}

}  // namespace askguru::profile
