#include "askguru/pipeline/fixer.h"

#include <fmt/format.h>

#include <future>

#include "askguru/common/text.h"
#include "askguru/index/retriever.h"
#include "askguru/llm/sql_extract.h"
#include "askguru/pipeline/generator.h"
#include "askguru/pipeline/selection.h"

namespace askguru::pipeline {

namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The SQL of a repair reply, or why there is none.
Result<std::string> repaired_sql(const Result<llm::Response>& reply) {
  if (!reply.ok()) return reply.status();
  if (!reply->usable()) return make_error(ErrorCode::kParseError, reply->problem_detail);
  return llm::extract_sql(reply->text());
}

}  // namespace

void CandidateRunner::run(Candidate& candidate) const {
  candidate.checks = CandidateChecks{};
  candidate.execution = CandidateExecution{};
  fill_candidate_checks(candidate, catalog_, policy_, dialect_);
  execute_candidate(candidate, connection_, timeout_);
}

std::string Fixer::problem(const Candidate& c) const {
  if (!c.checks.parsed || !c.checks.allowed) {
    return c.checks.feedback.empty() ? "The query was refused or does not parse." : c.checks.feedback;
  }
  if (c.execution.ran && !c.execution.status.ok()) {
    if (c.execution.status.code() == ErrorCode::kTimeout) {
      return "The query did not finish within the time limit: " + c.execution.status.message() +
             ". Avoid cartesian products and repeated scans.";
    }
    std::string out = "Executing the query failed: " + c.execution.status.message();
    if (!c.checks.feedback.empty()) out += "\n" + c.checks.feedback;
    return out;
  }
  if (config_.fix_join_findings && c.checks.score < 1.0 && !c.checks.feedback.empty()) return c.checks.feedback;
  if (config_.fix_empty && c.execution.ran && c.execution.result.rows.empty()) {
    return "The query ran but returned no rows, which is unlikely for this question. Check that the compared "
           "values are spelled exactly as stored (see the values above) and that the join conditions are right.";
  }
  return "";
}

int Fixer::repair(const StageContext& context, std::vector<Candidate>& candidates, const Grounding& grounding,
                  const SchemaLink& link, const CandidateRunner& runner) const {
  if (!enabled() || context.hub == nullptr) return 0;
  auto timer = context.trace->stage("fixer");
  const std::string schema = SchemaLinker::render_scope(context.prompt_catalog(), link, SchemaScope::kRecall,
                                                        catalog::RenderFormat::kDdl);
  const std::string values = format_values(grounding.values);
  int sent = 0;
  std::vector<bool> given_up(candidates.size(), false);
  for (int round = 1; round <= config_.max_attempts_per_candidate; ++round) {
    struct Pending {
      size_t index;
      std::string problem;
      std::future<Result<llm::Response>> reply;
    };
    std::vector<Pending> pending;
    for (size_t i = 0; i < candidates.size(); ++i) {
      Candidate& c = candidates[i];
      if (given_up[i] || c.fix_attempts >= config_.max_attempts_per_candidate) continue;
      if (sent >= config_.max_attempts_per_question) break;
      std::string problem = this->problem(c);
      if (problem.empty()) continue;
      auto prompt = context.prompts->render("fix", {{"dialect", std::string(dialect_display_name(context.dialect))},
                                                    {"schema", schema},
                                                    {"question", context.question->text},
                                                    {"evidence", context.question->evidence},
                                                    {"values", values},
                                                    {"sql", c.sql},
                                                    {"error", problem}});
      if (!prompt.ok()) {
        context.trace->note("fixer", prompt.status().to_string());
        return sent;
      }
      llm::ChatRequest request;
      request.messages = {{"user", *prompt}};
      request.temperature = 0;
      request.max_tokens = 1024;
      request.purpose = "fix";
      ++c.fix_attempts;
      ++sent;
      pending.push_back({i, problem, send_chat(context, config_.endpoint, std::move(request),
                                               fmt::format("candidate {} attempt {}", c.id, c.fix_attempts))});
    }
    if (pending.empty()) break;
    for (Pending& p : pending) {
      Candidate& c = candidates[p.index];
      Result<std::string> sql = repaired_sql(p.reply.get());
      if (!sql.ok() || text::trim(*sql) == text::trim(c.sql)) {
        given_up[p.index] = true;
        context.trace->note("fixer", fmt::format("candidate {}: no repair ({})", c.id,
                                                 sql.ok() ? "the same SQL came back" : sql.status().to_string()));
        continue;
      }
      c.repaired_from.push_back(std::move(c.sql));
      c.sql = std::move(*sql);
      runner.run(c);
      std::string left = problem(c);
      context.trace->note("fixer", fmt::format("candidate {} attempt {}: {}", c.id, c.fix_attempts,
                                               left.empty() ? "repaired" : "still wrong: " + first_line(left)));
    }
  }
  return sent;
}

}  // namespace askguru::pipeline
