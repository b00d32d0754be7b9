#include "askguru/pipeline/generator.h"

#include <fmt/format.h>

#include <future>
#include <map>

#include "askguru/index/retriever.h"
#include "askguru/llm/sql_extract.h"

namespace askguru::pipeline {

std::string_view dialect_display_name(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite: return "SQLite";
    case Dialect::kPostgres: return "PostgreSQL";
    case Dialect::kOracle: return "Oracle";
  }
  return "SQLite";
}

std::string format_examples(const std::vector<index::ExampleHit>& examples, size_t limit) {
  std::string out;
  for (size_t i = 0; i < examples.size() && i < limit; ++i) {
    out += fmt::format("Question: {}\nSQL: {}\n\n", examples[i].example.question, examples[i].example.sql);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

namespace {

std::string_view template_name(PromptStyle style) {
  switch (style) {
    case PromptStyle::kReasoning: return "generate_reasoning";
    case PromptStyle::kStandard: return "generate_standard";
    case PromptStyle::kIcl: return "generate_icl";
    case PromptStyle::kSqlCoder: return "sqlcoder";
  }
  return "generate_standard";
}

// One request in flight and what its choices will become.
struct Pending {
  CandidateOrigin origin;
  std::future<Result<llm::Response>> reply;
};

}  // namespace

std::vector<Candidate> CandidateGenerator::generate(const StageContext& context, const std::vector<GenerationJob>& jobs,
                                                    const Grounding& grounding, const SchemaLink& link,
                                                    size_t first_id) const {
  auto timer = context.trace->stage("generation");
  const catalog::Catalog& catalog = context.prompt_catalog();
  std::map<std::pair<SchemaScope, catalog::RenderFormat>, std::string> schemas;  // rendered once per question
  const std::string values = format_values(grounding.values);
  std::vector<Pending> pending;

  for (const GenerationJob& job : jobs) {
    const GeneratorConfig& g = *job.generator;
    const int samples = job.samples > 0 ? job.samples : g.n;
    const llm::EndpointConfig* endpoint = context.hub ? context.hub->config().find(g.endpoint) : nullptr;
    // Anthropic has no `n`: one request per sample there.
    const bool one_per_sample = endpoint && endpoint->kind == llm::EndpointKind::kAnthropic;
    for (SchemaScope scope : g.schemas) {
      auto [it, inserted] = schemas.try_emplace({scope, g.format});
      if (inserted) it->second = SchemaLinker::render_scope(catalog, link, scope, g.format);
      llm::PromptValues prompt_values = {{"dialect", std::string(dialect_display_name(context.dialect))},
                                         {"schema", it->second},
                                         {"question", context.question->text},
                                         {"evidence", context.question->evidence},
                                         {"values", values}};
      if (g.style == PromptStyle::kIcl) prompt_values["examples"] = format_examples(grounding.examples, g.examples);
      auto prompt = context.prompts->render(std::string(template_name(g.style)), prompt_values);
      if (!prompt.ok()) {
        context.trace->note("generation", g.name + ": " + prompt.status().to_string());
        continue;
      }
      for (double temperature : g.temperatures) {
        const int requests = one_per_sample ? samples : 1;
        for (int r = 0; r < requests; ++r) {
          CandidateOrigin origin{g.name, g.endpoint, std::string(prompt_style_name(g.style)),
                                 std::string(schema_scope_name(scope)), std::string(catalog::render_format_name(g.format)),
                                 temperature, r, job.rank};
          const std::string detail = fmt::format("{} {} t={}", g.name, origin.schema, temperature);
          auto fill = [&](llm::SamplingParams& params) {
            params.temperature = temperature;
            params.max_tokens = g.max_tokens;
            params.n = one_per_sample ? 1 : samples;
            params.sample_index = r;
            params.logprobs = g.logprobs;
            params.purpose = "generate";
          };
          if (g.style == PromptStyle::kSqlCoder) {
            llm::CompletionRequest request;
            fill(request);
            request.prompt = *prompt;
            request.stop = {"[/SQL]", "```"};
            pending.push_back({origin, send_completion(context, g.endpoint, std::move(request), detail)});
          } else {
            llm::ChatRequest request;
            fill(request);
            request.messages = {{"user", *prompt}};
            if (g.thinking_budget > 0) request.thinking_budget = g.thinking_budget;
            pending.push_back({origin, send_chat(context, g.endpoint, std::move(request), detail)});
          }
        }
      }
    }
  }

  std::vector<Candidate> candidates;
  for (Pending& p : pending) {
    Result<llm::Response> reply = p.reply.get();
    if (!reply.ok()) {
      context.trace->note("generation", fmt::format("{}: {}", p.origin.generator, reply.status().to_string()));
      continue;
    }
    if (!reply->usable()) {
      context.trace->note("generation", fmt::format("{}: unusable reply ({}: {})", p.origin.generator,
                                                    llm::reply_problem_name(reply->problem), reply->problem_detail));
      continue;
    }
    for (size_t i = 0; i < reply->choices.size(); ++i) {
      const llm::Choice& choice = reply->choices[i];
      auto sql = llm::extract_sql(choice.text);
      if (!sql.ok()) {
        context.trace->note("generation", fmt::format("{} sample {}: no SQL in the reply ({})", p.origin.generator,
                                                      i, sql.status().message()));
        continue;
      }
      Candidate c;
      c.id = first_id + candidates.size();
      c.sql = std::move(*sql);
      c.origin = p.origin;
      c.origin.sample = p.origin.sample + static_cast<int>(i);
      if (choice.has_logprobs) c.mean_logprob = choice.mean_logprob;
      candidates.push_back(std::move(c));
    }
  }
  context.trace->note("generation", fmt::format("{} candidates from {} requests", candidates.size(), pending.size()));
  return candidates;
}

}  // namespace askguru::pipeline
