// The SQL dialects askguru reads and writes.
#pragma once

#include <optional>
#include <string_view>

namespace askguru {

enum class Dialect { kSqlite, kPostgres, kOracle };

std::string_view dialect_name(Dialect dialect);  // "sqlite", "postgres", "oracle"
std::optional<Dialect> parse_dialect(std::string_view name);  // also accepts "postgresql"

}  // namespace askguru
