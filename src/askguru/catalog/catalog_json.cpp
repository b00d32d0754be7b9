#include "askguru/catalog/catalog_json.h"

#include <nlohmann/json.hpp>

#include "askguru/common/files.h"

namespace askguru::catalog {
namespace {

using nlohmann::json;
using ordered = nlohmann::ordered_json;

void put(ordered& object, const char* key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

void put(ordered& object, const char* key, const std::vector<std::string>& values) {
  if (!values.empty()) object[key] = values;
}

void put(ordered& object, const char* key, bool value) {
  if (value) object[key] = true;
}

template <typename T>
T get(const json& object, const char* key, T fallback) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  return it->get<T>();
}

}  // namespace

std::string to_json(const Catalog& catalog, int indent) {
  ordered root;
  root["db_id"] = catalog.db_id;
  root["dialect"] = std::string(dialect_name(catalog.dialect));
  ordered tables = ordered::array();
  for (const auto& table : catalog.tables) {
    ordered t;
    put(t, "schema", table.schema);
    t["name"] = table.name;
    put(t, "is_view", table.is_view);
    put(t, "description", table.description);
    if (table.row_count) t["row_count"] = *table.row_count;
    put(t, "primary_key", table.primary_key);
    ordered columns = ordered::array();
    for (const auto& column : table.columns) {
      ordered c;
      c["name"] = column.name;
      c["type"] = column.type;
      put(c, "primary_key", column.primary_key);
      put(c, "not_null", column.not_null);
      put(c, "natural_name", column.natural_name);
      put(c, "description", column.description);
      put(c, "value_description", column.value_description);
      put(c, "samples", column.samples);
      put(c, "summary_short", column.summary_short);
      put(c, "summary_long", column.summary_long);
      columns.push_back(std::move(c));
    }
    t["columns"] = std::move(columns);
    tables.push_back(std::move(t));
  }
  root["tables"] = std::move(tables);
  ordered keys = ordered::array();
  for (const auto& fk : catalog.foreign_keys) {
    keys.push_back({{"from_table", fk.from_table},
                    {"from_columns", fk.from_columns},
                    {"to_table", fk.to_table},
                    {"to_columns", fk.to_columns}});
  }
  root["foreign_keys"] = std::move(keys);
  // Replace invalid UTF-8 rather than throw: descriptions come from arbitrary files.
  return root.dump(indent, ' ', false, ordered::error_handler_t::replace);
}

Result<Catalog> catalog_from_json(std::string_view json_text, std::string_view source) {
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return make_error(ErrorCode::kParseError, std::string(source) + ": not valid JSON");
  if (!root.is_object()) return make_error(ErrorCode::kParseError, std::string(source) + ": expected a JSON object");
  Catalog catalog;
  try {
    catalog.db_id = get<std::string>(root, "db_id", "");
    std::string dialect = get<std::string>(root, "dialect", "sqlite");
    auto parsed = parse_dialect(dialect);
    if (!parsed) {
      return make_error(ErrorCode::kParseError, std::string(source) + ": unknown dialect '" + dialect + "'");
    }
    catalog.dialect = *parsed;
    for (const auto& t : root.value("tables", json::array())) {
      Table table;
      table.schema = get<std::string>(t, "schema", "");
      table.name = t.at("name").get<std::string>();
      table.is_view = get<bool>(t, "is_view", false);
      table.description = get<std::string>(t, "description", "");
      if (t.contains("row_count") && !t["row_count"].is_null()) table.row_count = t["row_count"].get<int64_t>();
      table.primary_key = get<std::vector<std::string>>(t, "primary_key", {});
      for (const auto& c : t.value("columns", json::array())) {
        Column column;
        column.name = c.at("name").get<std::string>();
        column.type = get<std::string>(c, "type", "");
        column.primary_key = get<bool>(c, "primary_key", false);
        column.not_null = get<bool>(c, "not_null", false);
        column.natural_name = get<std::string>(c, "natural_name", "");
        column.description = get<std::string>(c, "description", "");
        column.value_description = get<std::string>(c, "value_description", "");
        column.samples = get<std::vector<std::string>>(c, "samples", {});
        column.summary_short = get<std::string>(c, "summary_short", "");
        column.summary_long = get<std::string>(c, "summary_long", "");
        table.columns.push_back(std::move(column));
      }
      catalog.tables.push_back(std::move(table));
    }
    for (const auto& k : root.value("foreign_keys", json::array())) {
      ForeignKey fk;
      fk.from_table = k.at("from_table").get<std::string>();
      fk.from_columns = k.at("from_columns").get<std::vector<std::string>>();
      fk.to_table = k.at("to_table").get<std::string>();
      fk.to_columns = k.at("to_columns").get<std::vector<std::string>>();
      if (fk.from_columns.size() != fk.to_columns.size()) {
        return make_error(ErrorCode::kParseError, std::string(source) + ": foreign key " + fk.from_table + " -> " +
                                                      fk.to_table + " has unequal column lists");
      }
      catalog.foreign_keys.push_back(std::move(fk));
    }
  } catch (const json::exception& e) {
    return make_error(ErrorCode::kParseError, std::string(source) + ": not a catalog: " + e.what());
  }
  return catalog;
}

Status save_catalog(const Catalog& catalog, const std::string& path) {
  return files::write_file(path, to_json(catalog) + "\n");
}

Result<Catalog> load_catalog(const std::string& path) {
  AG_ASSIGN_OR_RETURN(std::string content, files::read_file(path));
  return catalog_from_json(content, path);
}

}  // namespace askguru::catalog
