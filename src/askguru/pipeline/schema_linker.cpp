#include "askguru/pipeline/schema_linker.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "askguru/common/text.h"
#include "askguru/index/retriever.h"
#include "askguru/llm/sql_extract.h"

namespace askguru::pipeline {

namespace {

std::string key_of(const catalog::ColumnRef& c) { return text::to_lower(c.table) + "." + text::to_lower(c.column); }

// Appends the columns of `more` that `out` lacks.
void add_all(std::vector<catalog::ColumnRef>& out, const std::vector<catalog::ColumnRef>& more) {
  std::set<std::string> seen;
  for (const auto& c : out) seen.insert(key_of(c));
  for (const auto& c : more) {
    if (seen.insert(key_of(c)).second) out.push_back(c);
  }
}

size_t column_count(const catalog::Catalog& catalog) {
  size_t n = 0;
  for (const auto& t : catalog.tables) n += t.columns.size();
  return n;
}

std::vector<catalog::ColumnRef> all_columns(const catalog::Catalog& catalog, const std::set<std::string>* tables) {
  std::vector<catalog::ColumnRef> out;
  for (const auto& t : catalog.tables) {
    if (tables && !tables->count(text::to_lower(t.name))) continue;
    for (const auto& c : t.columns) out.push_back({t.name, c.name});
  }
  return out;
}

// "table.column" (or "table" alone) resolved against the catalog, in its spelling.
std::optional<catalog::ColumnRef> resolve(const catalog::Catalog& catalog, std::string name) {
  name = text::replace_all(text::replace_all(name, "`", ""), "\"", "");
  size_t dot = name.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  const catalog::Table* table = catalog.find_table(text::trim(name.substr(0, dot)));
  if (!table) return std::nullopt;
  const catalog::Column* column = table->find_column(text::trim(name.substr(dot + 1)));
  if (!column) return std::nullopt;
  return catalog::ColumnRef{table->name, column->name};
}

}  // namespace

size_t SchemaLink::tables() const {
  std::set<std::string> names;
  for (const auto& c : precise) names.insert(text::to_lower(c.table));
  return names.size();
}

std::string SchemaLinker::render_scope(const catalog::Catalog& catalog, const SchemaLink& link, SchemaScope scope,
                                       catalog::RenderFormat format) {
  catalog::RenderOptions options;
  options.format = format;
  if (scope == SchemaScope::kPrecise && !link.precise.empty()) options.columns = link.precise;
  if (scope == SchemaScope::kRecall && !link.recall.empty()) options.columns = link.recall;
  return catalog::render(catalog, options);
}

Result<std::vector<catalog::ColumnRef>> SchemaLinker::select_columns(
    const StageContext& context, const Grounding& grounding, const std::vector<catalog::ColumnRef>& schema_columns,
    int pass) const {
  const catalog::Catalog& catalog = context.prompt_catalog();
  catalog::RenderOptions render;
  render.format = catalog::RenderFormat::kMSchema;
  render.columns = schema_columns;
  auto prompt = context.prompts->render("column_select", {{"schema", catalog::render(catalog, render)},
                                                          {"question", context.question->text},
                                                          {"evidence", context.question->evidence},
                                                          {"values", format_values(grounding.values)}});
  if (!prompt.ok()) return prompt.status();
  llm::ChatRequest request;
  request.messages = {{"user", *prompt}};
  request.temperature = 0;
  request.max_tokens = 800;
  request.response_format = llm::ResponseFormat::kJsonObject;
  request.purpose = "link";
  Result<llm::Response> reply = send_chat(context, config_.endpoint, std::move(request), fmt::format("pass {}", pass)).get();
  if (!reply.ok()) return reply.status();
  if (!reply->usable()) return make_error(ErrorCode::kParseError, reply->problem_detail);
  AG_ASSIGN_OR_RETURN(std::string json_text, llm::extract_json_object(reply->text()));
  nlohmann::json object = nlohmann::json::parse(json_text, nullptr, false);
  if (!object.is_object() || !object.contains("columns") || !object["columns"].is_array()) {
    return make_error(ErrorCode::kParseError, "the reply has no \"columns\" list");
  }
  std::vector<catalog::ColumnRef> chosen;
  size_t unknown = 0;
  for (const auto& item : object["columns"]) {
    if (!item.is_string()) continue;
    if (auto ref = resolve(catalog, item.get<std::string>())) {
      add_all(chosen, {*ref});
    } else {
      ++unknown;
    }
  }
  if (unknown > 0) context.trace->note("linking", fmt::format("pass {}: {} unknown column names dropped", pass, unknown));
  if (chosen.empty()) return make_error(ErrorCode::kParseError, "the reply names no known column");
  return chosen;
}

SchemaLink SchemaLinker::link(const StageContext& context, const Grounding& grounding) const {
  auto timer = context.trace->stage("linking");
  const catalog::Catalog& catalog = context.prompt_catalog();
  std::vector<catalog::ColumnRef> value_columns;
  for (const auto& v : grounding.values) add_all(value_columns, {{v.table, v.column}});
  std::vector<catalog::ColumnRef> retrieved;
  for (const auto& c : grounding.columns) add_all(retrieved, {{c.table, c.column}});

  const bool small = column_count(catalog) <= config_.full_schema_columns;
  std::vector<catalog::ColumnRef> candidates = small ? all_columns(catalog, nullptr) : retrieved;
  if (!small) add_all(candidates, value_columns);
  if (candidates.size() > config_.columns_k && !small) candidates.resize(config_.columns_k);

  SchemaLink link;
  if (!config_.endpoint.empty() && context.hub != nullptr) {
    auto chosen = select_columns(context, grounding, candidates, 1);
    for (int pass = 2; chosen.ok() && pass <= config_.passes; ++pass) {
      // Every column of the chosen tables and their foreign-key neighbours.
      std::set<std::string> tables;
      for (const auto& c : *chosen) tables.insert(text::to_lower(c.table));
      for (const auto& fk : catalog.foreign_keys) {
        bool from = tables.count(text::to_lower(fk.from_table)) > 0;
        bool to = tables.count(text::to_lower(fk.to_table)) > 0;
        if (from != to) tables.insert(text::to_lower(from ? fk.to_table : fk.from_table));
      }
      auto refined = select_columns(context, grounding, all_columns(catalog, &tables), pass);
      if (!refined.ok()) {
        context.trace->note("linking", fmt::format("pass {} failed, keeping pass {}: {}", pass, pass - 1,
                                                   refined.status().to_string()));
        break;
      }
      chosen = std::move(refined);
    }
    if (chosen.ok()) {
      link.precise = std::move(*chosen);
      link.llm_selected = true;
    } else {
      context.trace->note("linking", "LLM column selection failed, linking by retrieval: " + chosen.status().to_string());
    }
  }
  if (!link.llm_selected) {
    // Without the LLM, S1 is the best third of the retrieved columns (at least 6).
    size_t keep = std::min(retrieved.size(), std::max<size_t>(6, retrieved.size() / 3));
    link.precise.assign(retrieved.begin(), retrieved.begin() + static_cast<long>(keep));
  }
  add_all(link.precise, value_columns);
  link.recall = link.precise;
  std::vector<catalog::ColumnRef> best(retrieved.begin(),
                                       retrieved.begin() + static_cast<long>(std::min(retrieved.size(), config_.recall_columns)));
  add_all(link.recall, best);
  context.trace->note("linking", fmt::format("S1 {} columns in {} tables{}, S2 {} columns", link.precise.size(),
                                             link.tables(), link.llm_selected ? " (LLM)" : " (retrieval)",
                                             link.recall.size()));
  return link;
}

}  // namespace askguru::pipeline
