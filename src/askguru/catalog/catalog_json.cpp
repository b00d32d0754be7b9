#include "askguru/catalog/catalog_json.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

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

std::string hex_signature(const std::vector<uint32_t>& signature) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(signature.size() * 8);
  for (uint32_t v : signature) {
    for (int shift = 28; shift >= 0; shift -= 4) out += kDigits[(v >> shift) & 0xF];
  }
  return out;
}

bool parse_signature(const std::string& hex, std::vector<uint32_t>& out) {
  if (hex.size() % 8 != 0) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 8) {
    uint32_t v = 0;
    for (size_t j = i; j < i + 8; ++j) {
      char c = hex[j];
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      v = (v << 4) | static_cast<uint32_t>(d);
    }
    out.push_back(v);
  }
  return true;
}

ordered column_profile_json(const ColumnProfile& p) {
  ordered j;
  j["rows"] = p.rows;
  j["null_count"] = p.null_count;
  j["null_share"] = p.null_share;
  j["distinct"] = p.distinct;
  if (!p.distinct_exact) j["distinct_exact"] = false;
  put(j, "value_type", p.value_type);
  put(j, "min", p.min);
  put(j, "max", p.max);
  j["avg_length"] = p.avg_length;
  j["max_length"] = p.max_length;
  if (!p.top_values.empty()) {
    ordered top = ordered::array();
    for (const auto& vc : p.top_values) top.push_back(ordered::array({vc.value, vc.count}));
    j["top_values"] = std::move(top);
  }
  put(j, "formats", p.formats);
  if (!p.minhash.empty()) j["minhash"] = hex_signature(p.minhash);
  return j;
}

ColumnProfile column_profile_from_json(const json& j, const std::string& where) {
  ColumnProfile p;
  p.profiled = true;
  p.rows = get<int64_t>(j, "rows", 0);
  p.null_count = get<int64_t>(j, "null_count", 0);
  p.null_share = get<double>(j, "null_share", 0.0);
  p.distinct = get<int64_t>(j, "distinct", 0);
  p.distinct_exact = get<bool>(j, "distinct_exact", true);
  p.value_type = get<std::string>(j, "value_type", "");
  p.min = get<std::string>(j, "min", "");
  p.max = get<std::string>(j, "max", "");
  p.avg_length = get<double>(j, "avg_length", 0.0);
  p.max_length = get<int64_t>(j, "max_length", 0);
  for (const auto& vc : j.value("top_values", json::array())) {
    p.top_values.push_back({vc.at(0).get<std::string>(), vc.at(1).get<int64_t>()});
  }
  p.formats = get<std::vector<std::string>>(j, "formats", {});
  std::string signature = get<std::string>(j, "minhash", "");
  if (!signature.empty() && !parse_signature(signature, p.minhash)) {
    throw std::runtime_error(where + ": malformed minhash signature");
  }
  return p;
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
      if (column.profile.profiled) c["profile"] = column_profile_json(column.profile);
      columns.push_back(std::move(c));
    }
    t["columns"] = std::move(columns);
    if (table.profile.profiled) {
      ordered p;
      put(p, "sampled", table.profile.sampled);
      put(p, "partial", table.profile.partial);
      p["rows_read"] = table.profile.rows_read;
      p["seconds"] = table.profile.seconds;
      t["profile"] = std::move(p);
    }
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
  if (!catalog.join_candidates.empty()) {
    ordered joins = ordered::array();
    for (const auto& jc : catalog.join_candidates) {
      ordered j;
      j["from_table"] = jc.from_table;
      j["from_column"] = jc.from_column;
      j["to_table"] = jc.to_table;
      j["to_column"] = jc.to_column;
      j["jaccard"] = jc.jaccard;
      j["containment"] = jc.containment;
      if (jc.name_score > 0) j["name_score"] = jc.name_score;
      put(j, "declared", jc.declared);
      joins.push_back(std::move(j));
    }
    root["join_candidates"] = std::move(joins);
  }
  const ProfileInfo& info = catalog.profile;
  if (info.complete || !info.deny.empty() || info.seconds > 0 || info.summaries) {
    ordered p;
    put(p, "complete", info.complete);
    put(p, "deny", info.deny);
    p["seconds"] = info.seconds;
    put(p, "summaries", info.summaries);
    root["profile"] = std::move(p);
  }
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
        if (c.contains("profile") && c["profile"].is_object()) {
          column.profile = column_profile_from_json(c["profile"], std::string(source) + ": " + table.name + "." +
                                                                       column.name);
        }
        table.columns.push_back(std::move(column));
      }
      if (t.contains("profile") && t["profile"].is_object()) {
        const json& p = t["profile"];
        table.profile.profiled = true;
        table.profile.sampled = get<bool>(p, "sampled", false);
        table.profile.partial = get<bool>(p, "partial", false);
        table.profile.rows_read = get<int64_t>(p, "rows_read", 0);
        table.profile.seconds = get<double>(p, "seconds", 0.0);
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
    for (const auto& j : root.value("join_candidates", json::array())) {
      JoinCandidate jc;
      jc.from_table = j.at("from_table").get<std::string>();
      jc.from_column = j.at("from_column").get<std::string>();
      jc.to_table = j.at("to_table").get<std::string>();
      jc.to_column = j.at("to_column").get<std::string>();
      jc.jaccard = get<double>(j, "jaccard", 0.0);
      jc.containment = get<double>(j, "containment", 0.0);
      jc.name_score = get<double>(j, "name_score", 0.0);
      jc.declared = get<bool>(j, "declared", false);
      catalog.join_candidates.push_back(std::move(jc));
    }
    if (root.contains("profile") && root["profile"].is_object()) {
      const json& p = root["profile"];
      catalog.profile.complete = get<bool>(p, "complete", false);
      catalog.profile.deny = get<std::vector<std::string>>(p, "deny", {});
      catalog.profile.seconds = get<double>(p, "seconds", 0.0);
      catalog.profile.summaries = get<bool>(p, "summaries", false);
    }
  } catch (const json::exception& e) {
    return make_error(ErrorCode::kParseError, std::string(source) + ": not a catalog: " + e.what());
  } catch (const std::runtime_error& e) {
    return make_error(ErrorCode::kParseError, e.what());
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
