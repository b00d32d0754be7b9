#include "askguru/common/dialect.h"

#include "askguru/common/text.h"

namespace askguru {

std::string_view dialect_name(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite: return "sqlite";
    case Dialect::kPostgres: return "postgres";
    case Dialect::kOracle: return "oracle";
  }
  return "sqlite";
}

std::optional<Dialect> parse_dialect(std::string_view name) {
  std::string lower = text::to_lower(name);
  if (lower == "sqlite" || lower == "sqlite3") return Dialect::kSqlite;
  if (lower == "postgres" || lower == "postgresql" || lower == "pg") return Dialect::kPostgres;
  if (lower == "oracle") return Dialect::kOracle;
  return std::nullopt;
}

}  // namespace askguru
