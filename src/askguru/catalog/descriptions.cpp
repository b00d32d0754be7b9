#include "askguru/catalog/descriptions.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "askguru/catalog/csv.h"
#include "askguru/common/files.h"
#include "askguru/common/text.h"

namespace askguru::catalog {
namespace {

using nlohmann::json;

// Lower-cased, underscores as spaces, single spaces: "Event_ID " -> "event id".
std::string normalized(std::string_view name) {
  std::string out;
  for (char c : text::trim(name)) {
    char d = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (d == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += d;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

Table* find_table(Catalog& catalog, std::string_view name) {
  return const_cast<Table*>(catalog.find_table(text::trim(name)));
}

Column* find_column(Table& table, std::string_view name) {
  return const_cast<Column*>(table.find_column(text::trim(name)));
}

Status apply_csv(Table& table, const std::string& path) {
  AG_ASSIGN_OR_RETURN(std::string content, files::read_file(path));
  AG_ASSIGN_OR_RETURN(auto records, parse_csv(content, path));
  if (records.empty()) return Status();
  std::map<std::string, size_t> header;
  for (size_t i = 0; i < records[0].fields.size(); ++i) header[normalized(records[0].fields[i])] = i;
  auto index_of = [&](std::string_view name) -> std::optional<size_t> {
    auto it = header.find(std::string(name));
    return it == header.end() ? std::nullopt : std::optional<size_t>(it->second);
  };
  auto original = index_of("original column name");
  if (!original) {
    return make_error(ErrorCode::kParseError, path + ":" + std::to_string(records[0].line) +
                                                  ": no 'original_column_name' column in the header");
  }
  auto natural = index_of("column name");
  auto description = index_of("column description");
  auto values = index_of("value description");
  auto field = [](const CsvRecord& record, std::optional<size_t> index) -> std::string {
    if (!index || *index >= record.fields.size()) return {};
    return std::string(text::trim(record.fields[*index]));
  };
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    std::string name = field(record, original);
    if (name.empty()) continue;
    Column* column = find_column(table, name);
    if (!column) {
      std::string natural_name = field(record, natural);
      if (!natural_name.empty()) column = find_column(table, natural_name);
    }
    if (!column) {
      spdlog::debug("{}:{}: no column '{}' in table {}; row skipped", path, record.line, name, table.name);
      continue;
    }
    std::string natural_name = field(record, natural);
    if (!natural_name.empty()) column->natural_name = natural_name;
    std::string text_description = field(record, description);
    if (!text_description.empty()) column->description = text_description;
    std::string value_description = field(record, values);
    if (!value_description.empty()) column->value_description = value_description;
  }
  return Status();
}

// Spider and BIRD write a composite primary key as a nested list: [1, [3, 4], 7].
std::vector<std::vector<int>> key_groups(const json& keys) {
  std::vector<std::vector<int>> groups;
  if (!keys.is_array()) return groups;
  for (const auto& key : keys) {
    std::vector<int> group;
    if (key.is_number_integer()) group.push_back(key.get<int>());
    if (key.is_array()) {
      for (const auto& part : key) {
        if (part.is_number_integer()) group.push_back(part.get<int>());
      }
    }
    if (!group.empty()) groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace

Status apply_bird_descriptions(Catalog& catalog, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error(ErrorCode::kNotFound, "descriptions directory not found: " + dir);
  std::map<std::string, std::string> by_table;  // lower-case stem -> path
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || !text::iequals(entry.path().extension().string(), ".csv")) continue;
    by_table[text::to_lower(text::trim(entry.path().stem().string()))] = entry.path().string();
  }
  if (ec) return make_error(ErrorCode::kIoError, "cannot list " + dir + ": " + ec.message());
  for (auto& table : catalog.tables) {
    auto it = by_table.find(text::to_lower(table.name));
    if (it == by_table.end()) continue;
    AG_RETURN_IF_ERROR(apply_csv(table, it->second));
  }
  return Status();
}

Status apply_tables_json(Catalog& catalog, const std::string& path) {
  AG_ASSIGN_OR_RETURN(std::string content, files::read_file(path));
  json document = json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return make_error(ErrorCode::kParseError, path + ": not valid JSON");
  if (!document.is_array()) return make_error(ErrorCode::kParseError, path + ": expected a JSON array of databases");
  const json* entry = nullptr;
  for (const auto& candidate : document) {
    if (candidate.is_object() && candidate.value("db_id", "") == catalog.db_id) {
      entry = &candidate;
      break;
    }
  }
  if (!entry) return make_error(ErrorCode::kNotFound, path + ": no entry for db_id '" + catalog.db_id + "'");

  try {
    const json& tables = entry->at("table_names_original");
    const json& originals = entry->at("column_names_original");
    const json empty = json::array();
    const json& naturals = entry->contains("column_names") ? entry->at("column_names") : empty;
    const json& types = entry->contains("column_types") ? entry->at("column_types") : empty;
    // Column index -> (table, column) in the catalog; nullptr where the file names something we lack.
    std::vector<std::pair<Table*, Column*>> columns(originals.size(), {nullptr, nullptr});
    for (size_t i = 0; i < originals.size(); ++i) {
      int table_index = originals[i].at(0).get<int>();
      if (table_index < 0 || static_cast<size_t>(table_index) >= tables.size()) continue;  // "*"
      Table* table = find_table(catalog, tables[static_cast<size_t>(table_index)].get<std::string>());
      if (!table) continue;
      Column* column = find_column(*table, originals[i].at(1).get<std::string>());
      if (!column) continue;
      columns[i] = {table, column};
      if (i < naturals.size() && naturals[i].is_array() && naturals[i].size() == 2 && naturals[i][1].is_string()) {
        std::string natural = naturals[i][1].get<std::string>();
        if (column->natural_name.empty()) column->natural_name = natural;
        if (column->description.empty() && normalized(natural) != normalized(column->name)) {
          column->description = natural;
        }
      }
      if (column->type.empty() && i < types.size() && types[i].is_string()) column->type = types[i].get<std::string>();
    }
    auto column_at = [&](int index) -> std::pair<Table*, Column*> {
      if (index < 0 || static_cast<size_t>(index) >= columns.size()) return {nullptr, nullptr};
      return columns[static_cast<size_t>(index)];
    };

    if (entry->contains("primary_keys")) {
      for (const auto& group : key_groups(entry->at("primary_keys"))) {
        auto [table, first] = column_at(group[0]);
        if (!table || !table->primary_key.empty()) continue;
        std::vector<std::string> key;
        for (int index : group) {
          auto [t, column] = column_at(index);
          if (t != table || !column) {
            key.clear();
            break;
          }
          key.push_back(column->name);
        }
        if (key.empty()) continue;
        for (const auto& name : key) find_column(*table, name)->primary_key = true;
        table->primary_key = std::move(key);
      }
    }

    if (entry->contains("foreign_keys")) {
      for (const auto& pair : entry->at("foreign_keys")) {
        if (!pair.is_array() || pair.size() != 2) continue;
        auto [from_table, from] = column_at(pair[0].get<int>());
        auto [to_table, to] = column_at(pair[1].get<int>());
        if (!from || !to) continue;
        bool known = false;
        for (const auto& fk : catalog.foreign_keys) {
          if (!text::iequals(fk.from_table, from_table->name) || !text::iequals(fk.to_table, to_table->name)) continue;
          for (size_t k = 0; k < fk.from_columns.size(); ++k) {
            if (text::iequals(fk.from_columns[k], from->name) && text::iequals(fk.to_columns[k], to->name))
              known = true;
          }
        }
        if (!known) catalog.foreign_keys.push_back({from_table->name, {from->name}, to_table->name, {to->name}});
      }
    }
  } catch (const json::exception& e) {
    return make_error(ErrorCode::kParseError,
                      path + ": entry '" + catalog.db_id + "' is not in the tables.json layout: " + e.what());
  }
  return Status();
}

}  // namespace askguru::catalog
