#include "askguru/db/translate.h"

#include "askguru/db/connection.h"

namespace askguru::db {

Result<sql::Translation> translate_for(Connection& connection, std::string_view sql, Dialect from) {
  IntrospectOptions light;
  light.sample_values = 0;
  light.count_rows = false;
  auto catalog = connection.introspect(light);
  if (!catalog.ok()) return catalog.status();
  sql::TranslateOptions options;
  options.from = from;
  options.to = connection.dialect();
  return sql::translate(sql, *catalog, options);
}

}  // namespace askguru::db
