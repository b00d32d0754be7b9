#include "askguru/pipeline/grounding.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "askguru/common/text.h"
#include "askguru/guard/guardrail.h"
#include "askguru/index/keywords.h"
#include "askguru/index/retriever.h"
#include "askguru/llm/sql_extract.h"

namespace askguru::pipeline {

std::string format_values(const std::vector<index::ValueHit>& values, size_t limit) {
  std::string out;
  for (size_t i = 0; i < values.size() && i < limit; ++i) {
    const index::ValueHit& v = values[i];
    std::string quoted = text::replace_all(v.value, "'", "''");
    out += fmt::format("- {}.{}: '{}'\n", v.table, v.column, quoted);
  }
  if (!out.empty()) out.pop_back();
  return out;
}

namespace {

// Strings of a JSON array field, ignoring anything that is not a string.
std::vector<std::string> string_list(const nlohmann::json& object, const char* field) {
  std::vector<std::string> out;
  auto it = object.find(field);
  if (it == object.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (item.is_string() && !item.get<std::string>().empty()) out.push_back(item.get<std::string>());
    if (item.is_number()) out.push_back(item.dump());
  }
  return out;
}

// A keyword and its word sub-phrases, longest first ("New York City" -> "New York", "York City", ...).
std::vector<index::Keyword> with_sub_phrases(const std::vector<std::string>& phrases, double weight) {
  std::vector<index::Keyword> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& text, double w) {
    if (text.empty() || !seen.insert(text::to_lower(text)).second) return;
    out.push_back(index::Keyword{text, w, false});
  };
  for (const std::string& phrase : phrases) {
    add(phrase, weight);
    std::vector<std::string> words = index::words(phrase);
    for (size_t len = words.size() > 1 ? words.size() - 1 : 0; len >= 1; --len) {
      for (size_t start = 0; start + len <= words.size(); ++start) {
        std::vector<std::string> part(words.begin() + static_cast<long>(start),
                                      words.begin() + static_cast<long>(start + len));
        if (len == 1 && index::is_stop_word(text::to_lower(part[0]))) continue;
        add(text::join(part, " "), weight * 0.8);
      }
    }
  }
  return out;
}

}  // namespace

void Grounder::ask_keywords(const StageContext& context, Grounding& grounding) const {
  const Question& q = *context.question;
  auto prompt = context.prompts->render("keywords", {{"question", q.text}, {"evidence", q.evidence}});
  if (!prompt.ok()) {
    context.trace->note("grounding", "keywords prompt: " + prompt.status().to_string());
    return;
  }
  llm::ChatRequest request;
  request.messages = {{"user", *prompt}};
  request.temperature = 0;
  request.max_tokens = 300;
  request.response_format = llm::ResponseFormat::kJsonObject;
  request.purpose = "keywords";
  Result<llm::Response> reply = send_chat(context, config_.keywords_endpoint, std::move(request)).get();
  if (!reply.ok() || !reply->usable()) {
    context.trace->note("grounding", "keyword extraction failed, using the question's own words: " +
                                         (reply.ok() ? reply->problem_detail : reply.status().to_string()));
    return;
  }
  auto json_text = llm::extract_json_object(reply->text());
  nlohmann::json object = json_text.ok() ? nlohmann::json::parse(*json_text, nullptr, false) : nlohmann::json();
  if (!object.is_object()) {
    context.trace->note("grounding", "keyword reply is not a JSON object; using the question's own words");
    return;
  }
  grounding.keywords = string_list(object, "keywords");
  grounding.llm_values = string_list(object, "values");
}

namespace {

// Drops what the policy denies before any prompt shows it: values and columns the
// prompt catalog lacks, and this database's examples whose SQL the guardrail refuses
// (cached artifacts may predate the policy).
void withhold_denied(const StageContext& context, Grounding& grounding) {
  if (context.policy == nullptr) return;
  const catalog::Catalog& visible = context.prompt_catalog();
  auto shown = [&](const std::string& table, const std::string& column) {
    const catalog::Table* t = visible.find_table(table);
    return t != nullptr && t->find_column(column) != nullptr;
  };
  std::erase_if(grounding.values, [&](const index::ValueHit& v) { return !shown(v.table, v.column); });
  std::erase_if(grounding.columns, [&](const index::ColumnHit& c) { return !shown(c.table, c.column); });
  guard::Guardrail guardrail(*context.policy, &context.artifacts->catalog());
  guard::GuardOptions options;
  options.dialect = context.artifacts->catalog().dialect;
  options.interactive = false;
  std::erase_if(grounding.examples, [&](const index::ExampleHit& e) {
    return e.same_db && !guardrail.check(e.example.sql, options).allowed();
  });
}

}  // namespace

Result<Grounding> Grounder::ground(const StageContext& context) const {
  auto timer = context.trace->stage("grounding");
  const Question& q = *context.question;
  Grounding grounding;
  if (!config_.keywords_endpoint.empty() && context.hub != nullptr) ask_keywords(context, grounding);

  index::RetrievalQuery query;
  query.question = q.text;
  query.evidence = q.evidence;
  query.values_k = config_.values_k;
  query.columns_k = columns_k_;
  query.examples_k = config_.examples_k;
  query.exclude_question = q.exclude_example;
  AG_ASSIGN_OR_RETURN(index::Retrieval retrieval, context.artifacts->retrieve(query));
  grounding.values = std::move(retrieval.values);
  grounding.columns = std::move(retrieval.columns);
  grounding.examples = std::move(retrieval.examples);

  // The LLM's values and keywords (and their sub-phrases) find values the n-grams missed.
  if (!grounding.llm_values.empty() || !grounding.keywords.empty()) {
    std::vector<index::Keyword> keywords = with_sub_phrases(grounding.llm_values, 1.0);
    for (index::Keyword& k : with_sub_phrases(grounding.keywords, 0.7)) keywords.push_back(std::move(k));
    index::ValueQueryOptions options;
    options.top_k = config_.values_k;
    std::vector<index::ValueHit> more = context.artifacts->values().search_keywords(keywords, options);
    std::set<std::string> seen;
    for (const index::ValueHit& v : grounding.values) seen.insert(v.table + "\x1f" + v.column + "\x1f" + v.value);
    for (index::ValueHit& v : more) {
      if (seen.insert(v.table + "\x1f" + v.column + "\x1f" + v.value).second) grounding.values.push_back(std::move(v));
    }
    std::stable_sort(grounding.values.begin(), grounding.values.end(),
                     [](const index::ValueHit& a, const index::ValueHit& b) { return a.score > b.score; });
    if (grounding.values.size() > config_.values_k) grounding.values.resize(config_.values_k);
  }
  withhold_denied(context, grounding);
  context.trace->note("grounding", fmt::format("{} values, {} columns, {} examples{}", grounding.values.size(),
                                               grounding.columns.size(), grounding.examples.size(),
                                               grounding.keywords.empty() ? "" : ", LLM keywords"));
  return grounding;
}

}  // namespace askguru::pipeline
