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
  // A schema-qualified name ("APPS.AP_INVOICES_ALL", "sales.shop") first names its table
  // exactly; a bare name matches the first table of that name in any schema.
  for (const auto& table : tables) {
    if (!table.schema.empty() && table_name.size() == table.schema.size() + 1 + table.name.size() &&
        table_name[table.schema.size()] == '.' && text::iequals(table_name.substr(0, table.schema.size()), table.schema) &&
        text::iequals(table_name.substr(table.schema.size() + 1), table.name)) {
      return &table;
    }
  }
  for (const auto& table : tables) {
    if (text::iequals(table.name, table_name)) return &table;
  }
  return nullptr;
}

}  // namespace askguru::catalog
