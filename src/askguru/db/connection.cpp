#include "askguru/db/connection.h"

#include <cctype>
#include <mutex>
#include <set>

#include <spdlog/spdlog.h>

#include "askguru/common/text.h"
#include "askguru/db/odbc_connection.h"
#include "askguru/db/postgres_connection.h"
#include "askguru/db/sqlite_connection.h"

namespace askguru::db {
namespace {

// The URL's scheme ("sqlite", "postgresql"), or "" for a plain path. A scheme is
// letters, digits, '+', '-', '.' followed by "://", or one of the known schemes
// followed by ':' ("odbc:DSN=x", "sqlite:rel/path").
std::string scheme_of(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  std::string_view scheme = url.substr(0, colon);
  if (!std::isalpha(static_cast<unsigned char>(scheme[0]))) return {};
  for (char c : scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return {};
  }
  std::string lower = text::to_lower(scheme);
  if (url.substr(colon + 1, 2) == "//") return lower;
  if (lower == "sqlite" || lower == "sqlite3" || lower == "odbc") return lower;
  return {};
}

}  // namespace

std::optional<std::string> sqlite_file_of(std::string_view url) {
  std::string_view trimmed = text::trim(url);
  if (trimmed.empty()) return std::nullopt;
  std::string scheme = scheme_of(trimmed);
  if (scheme.empty()) return std::string(trimmed);
  if (scheme != "sqlite" && scheme != "sqlite3") return std::nullopt;
  std::string_view rest = trimmed.substr(scheme.size() + 1);
  if (rest.substr(0, 2) == "//") rest.remove_prefix(2);
  if (rest.empty()) return std::nullopt;
  return std::string(rest);
}

std::string redact_address(std::string_view url) {
  std::string_view trimmed = text::trim(url);
  std::string scheme = scheme_of(trimmed);
  if (scheme == "odbc") {
    auto address = parse_odbc_address(trimmed.substr(scheme.size() + 1));
    return address.ok() ? address->display : std::string("odbc:(unreadable address)");
  }
  if (scheme.empty() || scheme == "sqlite" || scheme == "sqlite3") return std::string(trimmed);
  return redact_postgres_url(trimmed);
}

void warn_password_in_address(const std::string& display, std::string_view advice) {
  static std::mutex mutex;
  static std::set<std::string> warned;
  {
    std::lock_guard lock(mutex);
    if (!warned.insert(display).second) return;
  }
  spdlog::warn("{}: a password in the database address can be seen by other users of this machine; prefer {}", display,
               advice);
}

Result<std::unique_ptr<Connection>> open_connection(std::string_view url, const OpenOptions& options) {
  std::string_view trimmed = text::trim(url);
  if (trimmed.empty()) return make_error(ErrorCode::kInvalidArgument, "empty database address");
  std::string scheme = scheme_of(trimmed);
  std::string path;
  if (scheme.empty()) {
    path = std::string(trimmed);
  } else if (scheme == "sqlite" || scheme == "sqlite3") {
    // sqlite:///abs/path -> /abs/path; sqlite://rel/path and sqlite:rel/path -> rel/path.
    std::string_view rest = trimmed.substr(scheme.size() + 1);
    if (rest.substr(0, 2) == "//") rest.remove_prefix(2);
    path = std::string(rest);
    if (path.empty())
      return make_error(ErrorCode::kInvalidArgument, "no file in database address '" + std::string(trimmed) + "'");
  } else if (scheme == "postgres" || scheme == "postgresql") {
    AG_ASSIGN_OR_RETURN(auto connection, PostgresConnection::open(std::string(trimmed), options));
    return std::unique_ptr<Connection>(std::move(connection));
  } else if (scheme == "odbc") {
    AG_ASSIGN_OR_RETURN(auto connection, OdbcConnection::open(trimmed.substr(scheme.size() + 1), options));
    return std::unique_ptr<Connection>(std::move(connection));
  } else {
    return make_error(ErrorCode::kInvalidArgument,
                      "unsupported database address scheme '" + scheme +
                          "' in " + redact_postgres_url(trimmed) +
                          "; expected a path to an SQLite file, sqlite:///path, postgresql://user@host:port/database or odbc:DSN");
  }
  AG_ASSIGN_OR_RETURN(auto connection, SqliteConnection::open(path, options));
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace askguru::db
