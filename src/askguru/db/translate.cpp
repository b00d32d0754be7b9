#include "askguru/db/translate.h"

#include <optional>

#include "askguru/db/connection.h"

namespace askguru::db {

Result<sql::Translation> translate_for(Connection& connection, std::string_view sql, Dialect from,
                                       Connection* source) {
  IntrospectOptions light;
  light.sample_values = 0;
  light.count_rows = false;
  auto catalog = connection.introspect(light);
  if (!catalog.ok()) return catalog.status();
  sql::TranslateOptions options;
  options.from = from;
  options.to = connection.dialect();
  std::optional<catalog::Catalog> source_catalog;
  if (source != nullptr) {
    auto introspected = source->introspect(light);
    if (!introspected.ok()) {
      return Status(introspected.status().code(),
                    "reading the source database " + source->display_name() + ": " + introspected.status().message());
    }
    source_catalog = std::move(*introspected);
    options.source = &*source_catalog;
  }
  return sql::translate(sql, *catalog, options);
}

}  // namespace askguru::db
