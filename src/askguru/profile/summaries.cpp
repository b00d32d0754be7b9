#include "askguru/profile/summaries.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>

#include "askguru/common/text.h"
#include "askguru/llm/client.h"
#include "askguru/llm/prompt_template.h"
#include "askguru/profile/profiler.h"

namespace askguru::profile {
namespace {

using nlohmann::json;

constexpr size_t kMaxShortWords = 20;
constexpr size_t kPromptValues = 5;
constexpr size_t kPromptValueChars = 60;

std::string_view strip_fence(std::string_view s) {
  s = text::trim(s);
  if (s.substr(0, 3) == "```") {
    size_t newline = s.find('\n');
    if (newline == std::string_view::npos) return s;
    s.remove_prefix(newline + 1);
    size_t end = s.rfind("```");
    if (end != std::string_view::npos) s = s.substr(0, end);
  }
  return text::trim(s);
}

size_t word_count(std::string_view s) {
  size_t words = 0;
  bool in_word = false;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

std::string percent(double share) { return fmt::format("{:.0f}%", share * 100.0); }

struct Batch {
  std::vector<FieldRef> fields;
  std::vector<std::pair<size_t, size_t>> where;  // (table index, column index) per field
  std::vector<llm::Message> messages;
  std::vector<bool> done;
  size_t attempts = 0;
};

}  // namespace

std::string_view summary_reply_schema() {
  return R"({"type": "object", "required": ["fields"], "properties": {"fields": {"type": "array", "items": {"type": "object", "required": ["table", "column", "short", "long"], "properties": {"table": {"type": "string"}, "column": {"type": "string"}, "short": {"type": "string", "minLength": 1}, "long": {"type": "string", "minLength": 1}}}}}})";
}

std::string reply_schema_problem(std::string_view reply, const std::vector<FieldRef>& fields,
                                 std::vector<FieldSummary>* out) {
  json root = json::parse(strip_fence(reply), nullptr, false);
  if (root.is_discarded()) return "the reply is not valid JSON";
  if (!root.is_object()) return "the reply is not a JSON object";
  auto it = root.find("fields");
  if (it == root.end() || !it->is_array()) return "the reply has no \"fields\" array";
  std::vector<bool> seen(fields.size(), false);
  std::string problem;
  size_t index = 0;
  for (const auto& entry : *it) {
    ++index;
    auto str = [&](const char* key) -> const std::string* {
      if (!entry.is_object()) return nullptr;
      auto f = entry.find(key);
      return f != entry.end() && f->is_string() ? f->get_ptr<const std::string*>() : nullptr;
    };
    const std::string *table = str("table"), *column = str("column"), *short_text = str("short"),
                      *long_text = str("long");
    if (!table || !column || !short_text || !long_text) {
      if (problem.empty()) {
        problem = fmt::format("entry {} needs string fields \"table\", \"column\", \"short\" and \"long\"", index);
      }
      continue;
    }
    size_t match = fields.size();
    for (size_t f = 0; f < fields.size(); ++f) {
      if (text::iequals(fields[f].table, *table) && text::iequals(fields[f].column, *column)) {
        match = f;
        break;
      }
    }
    if (match == fields.size()) continue;  // not asked about: ignored
    std::string_view s = text::trim(*short_text), l = text::trim(*long_text);
    if (s.empty() || l.empty()) {
      if (problem.empty()) problem = fmt::format("{}.{} has an empty summary", *table, *column);
      continue;
    }
    if (word_count(s) > kMaxShortWords) {
      if (problem.empty()) {
        problem = fmt::format("the short summary of {}.{} has more than {} words", *table, *column, kMaxShortWords);
      }
      continue;
    }
    if (seen[match]) continue;
    seen[match] = true;
    if (out) out->push_back({match, std::string(s), std::string(l)});
  }
  std::vector<std::string> missing;
  for (size_t f = 0; f < fields.size(); ++f) {
    if (!seen[f]) missing.push_back(fmt::format("{}.{}", fields[f].table, fields[f].column));
  }
  if (!missing.empty() && problem.empty()) problem = fmt::format("missing fields: {}", text::join(missing, ", "));
  return problem;
}

std::string describe_field(const catalog::Catalog& catalog, const catalog::Table& table,
                           const catalog::Column& column) {
  std::string out = fmt::format("table \"{}\", column \"{}\"", table.name, column.name);
  if (!column.type.empty()) out += fmt::format(" ({})", column.type);
  if (column.primary_key) out += ", primary key";
  for (const auto& fk : catalog.foreign_keys) {
    for (size_t k = 0; k < fk.from_columns.size(); ++k) {
      if (text::iequals(fk.from_table, table.name) && text::iequals(fk.from_columns[k], column.name)) {
        out += fmt::format(", references {}.{}", fk.to_table, fk.to_columns[k]);
      }
    }
  }
  for (const auto& jc : catalog.join_candidates) {
    if (!jc.declared && text::iequals(jc.from_table, table.name) && text::iequals(jc.from_column, column.name)) {
      out += fmt::format(", values match {}.{}", jc.to_table, jc.to_column);
    }
  }
  if (!column.natural_name.empty() && !text::iequals(column.natural_name, column.name)) {
    out += fmt::format("\n   also called: {}", column.natural_name);
  }
  if (!column.description.empty()) out += fmt::format("\n   description: {}", column.description);
  if (!column.value_description.empty()) out += fmt::format("\n   value description: {}", column.value_description);
  std::vector<std::string> values;
  const auto& p = column.profile;
  if (p.profiled && !p.top_values.empty()) {
    for (const auto& vc : p.top_values) {
      if (values.size() >= kPromptValues) break;
      values.push_back(fmt::format("'{}'", text::ellipsize(vc.value, kPromptValueChars)));
    }
  } else {
    for (const auto& s : column.samples) {
      if (values.size() >= kPromptValues) break;
      values.push_back(fmt::format("'{}'", text::ellipsize(s, kPromptValueChars)));
    }
  }
  if (!values.empty()) out += fmt::format("\n   values: {}", text::join(values, ", "));
  if (p.profiled) {
    out += fmt::format("\n   statistics: {} rows{}, {} null, {}{} distinct", p.rows, table.profile.sampled ? " (sample)" : "",
                       percent(p.null_share), p.distinct_exact ? "" : "~", p.distinct);
    if (!p.min.empty() && !p.max.empty()) {
      out += fmt::format(", range {} .. {}", text::ellipsize(p.min, kPromptValueChars), text::ellipsize(p.max, kPromptValueChars));
    }
    if (!p.formats.empty()) out += fmt::format(", formats: {}", text::join(p.formats, ", "));
  }
  return out;
}

Result<SummaryRun> summarize_catalog(catalog::Catalog& catalog, llm::LlmClient& client, const SummaryOptions& options) {
  auto start = std::chrono::steady_clock::now();
  const llm::PromptLibrary* prompts = options.prompts;
  std::unique_ptr<llm::PromptLibrary> embedded;
  if (!prompts) {
    auto loaded = llm::PromptLibrary::load_embedded();
    if (!loaded.ok()) return loaded.status();
    embedded = std::make_unique<llm::PromptLibrary>(std::move(*loaded));
    prompts = embedded.get();
  }
  ProfileOptions deny;
  deny.deny = options.deny;
  deny.allow = options.allow;

  SummaryRun run;
  std::vector<Batch> batches;
  const size_t per_call = std::max<size_t>(1, options.fields_per_call);
  for (size_t t = 0; t < catalog.tables.size(); ++t) {
    const auto& table = catalog.tables[t];
    for (size_t c = 0; c < table.columns.size(); ++c) {
      const auto& column = table.columns[c];
      if (column_denied(deny, table.name, column.name)) continue;
      if (!options.overwrite && !column.summary_short.empty() && !column.summary_long.empty()) continue;
      if (batches.empty() || batches.back().fields.size() >= per_call) batches.emplace_back();
      batches.back().fields.push_back({table.name, column.name});
      batches.back().where.push_back({t, c});
      ++run.fields;
    }
  }
  for (auto& batch : batches) {
    std::string fields_text;
    for (size_t f = 0; f < batch.fields.size(); ++f) {
      const auto& [t, c] = batch.where[f];
      fields_text += fmt::format("{}. {}\n", f + 1, describe_field(catalog, catalog.tables[t], catalog.tables[t].columns[c]));
    }
    auto prompt = prompts->render("field_summary", {{"database", catalog.db_id}, {"fields", fields_text}});
    if (!prompt.ok()) return prompt.status();
    batch.messages = {{"user", *prompt}};
    batch.done.assign(batch.fields.size(), false);
  }

  const size_t attempts = std::max<size_t>(1, options.max_attempts);
  std::vector<size_t> pending(batches.size());
  for (size_t b = 0; b < batches.size(); ++b) pending[b] = b;
  for (size_t attempt = 0; attempt < attempts && !pending.empty(); ++attempt) {
    std::vector<size_t> again;
    for (size_t begin = 0; begin < pending.size(); begin += std::max<size_t>(1, options.max_batches_in_flight)) {
      size_t end = std::min(pending.size(), begin + std::max<size_t>(1, options.max_batches_in_flight));
      std::vector<std::future<Result<llm::Response>>> futures;
      for (size_t k = begin; k < end; ++k) {
        Batch& batch = batches[pending[k]];
        llm::ChatRequest request;
        request.messages = batch.messages;
        request.temperature = 0.0;
        request.max_tokens = options.max_tokens;
        request.response_format = llm::ResponseFormat::kJsonObject;
        request.purpose = "field_summary";
        futures.push_back(client.chat(std::move(request)));
        ++run.calls;
      }
      for (size_t k = begin; k < end; ++k) {
        Batch& batch = batches[pending[k]];
        auto response = futures[k - begin].get();
        ++batch.attempts;
        if (!response.ok()) {
          spdlog::warn("field summaries for {}: {}", batch.fields.front().table, response.error());
          again.push_back(pending[k]);  // transport retries are the client's; one more round here
          continue;
        }
        if (response->cached) ++run.cached;
        run.cost_usd += response->cost_usd;
        std::string problem;
        std::vector<FieldSummary> accepted;
        if (!response->usable()) {
          problem = fmt::format("the reply was unusable ({})", llm::reply_problem_name(response->problem));
        } else {
          problem = reply_schema_problem(response->text(), batch.fields, &accepted);
        }
        for (const auto& s : accepted) {
          if (batch.done[s.field]) continue;
          batch.done[s.field] = true;
          auto& column = catalog.tables[batch.where[s.field].first].columns[batch.where[s.field].second];
          column.summary_short = s.short_text;
          column.summary_long = s.long_text;
        }
        if (!problem.empty()) {
          spdlog::debug("field summaries: {}; asking again", problem);
          // The corrective turn makes a new request (and cache key): a cached bad reply is not replayed.
          batch.messages.push_back({"assistant", response->text()});
          batch.messages.push_back(
              {"user", fmt::format("Your reply could not be used: {}. Answer again with only the JSON object "
                                   "{{\"fields\": [{{\"table\", \"column\", \"short\", \"long\"}}, ...]}} for all {} "
                                   "fields, in order.",
                                   problem, batch.fields.size())});
          again.push_back(pending[k]);
        }
      }
    }
    if (attempt + 1 < attempts) run.repairs += again.size();
    pending = std::move(again);
  }
  for (const auto& batch : batches) {
    for (bool d : batch.done) {
      if (d) {
        ++run.summarized;
      } else {
        ++run.failed;
      }
    }
  }
  catalog.profile.summaries = run.summarized > 0 || catalog.profile.summaries;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace askguru::profile
