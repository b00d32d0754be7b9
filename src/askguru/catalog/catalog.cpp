#include "askguru/catalog/catalog.h"

#include "askguru/common/text.h"

namespace askguru::catalog {

const Column* Table::find_column(std::string_view column_name) const {
  for (const auto& column : columns) {
    if (text::iequals(column.name, column_name)) return &column;
  }
  return nullptr;
}

const Table* Catalog::find_table(std::string_view table_name) const {
  for (const auto& table : tables) {
    if (text::iequals(table.name, table_name)) return &table;
  }
  return nullptr;
}

}  // namespace askguru::catalog
