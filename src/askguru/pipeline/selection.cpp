#include "askguru/pipeline/selection.h"

#include <algorithm>
#include <cctype>
#include <future>
#include <limits>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "askguru/catalog/catalog.h"
#include "askguru/common/text.h"
#include "askguru/db/connection.h"
#include "askguru/db/format.h"
#include "askguru/eval/compare.h"
#include "askguru/guard/review.h"
#include "askguru/llm/client.h"
#include "askguru/llm/prompt_template.h"
#include "askguru/llm/request_group.h"
#include "askguru/llm/sql_extract.h"
#include "askguru/sql/lexer.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace askguru::pipeline {

std::string_view selection_rule_name(SelectionRule rule) {
  switch (rule) {
    case SelectionRule::kNoValidCandidate: return "no-valid-candidate";
    case SelectionRule::kFastPath: return "fast-path";
    case SelectionRule::kTournament: return "tournament";
    case SelectionRule::kDeterministic: return "deterministic";
  }
  return "?";
}

std::string Selection::summary() const {
  if (!chosen) return fmt::format("no valid candidate ({} errors)", errors.size());
  const ResultCluster& c = clusters[*chosen_cluster];
  std::string s = fmt::format("{}: candidate {} from cluster {} of {} ({}/{} valid candidates)",
                              selection_rule_name(rule), *chosen, *chosen_cluster + 1, clusters.size(), c.size(),
                              valid_candidates);
  if (rule == SelectionRule::kTournament || selector_calls > 0) {
    s += fmt::format(", {} wins, {} selector calls ({} without a vote)", c.wins, selector_calls, selector_failures);
  }
  return s;
}

nlohmann::json selection_to_json(const Selection& s) {
  nlohmann::json j;
  j["rule"] = std::string(selection_rule_name(s.rule));
  j["fast_path"] = s.fast_path;
  j["chosen"] = s.chosen ? nlohmann::json(*s.chosen) : nlohmann::json(nullptr);
  j["chosen_cluster"] = s.chosen_cluster ? nlohmann::json(*s.chosen_cluster) : nlohmann::json(nullptr);
  j["agreement"] = s.agreement;
  j["valid_candidates"] = s.valid_candidates;
  j["selector_calls"] = s.selector_calls;
  j["selector_failures"] = s.selector_failures;
  nlohmann::json clusters = nlohmann::json::array();
  for (const ResultCluster& c : s.clusters) {
    clusters.push_back({{"members", c.members},
                        {"representative", c.representative},
                        {"size", c.size()},
                        {"best_rank", c.best_rank},
                        {"best_score", c.best_score},
                        {"wins", c.wins},
                        {"losses", c.losses}});
  }
  j["clusters"] = std::move(clusters);
  nlohmann::json votes = nlohmann::json::array();
  for (const SelectorVote& v : s.votes) {
    votes.push_back({{"a", v.cluster_a},
                     {"b", v.cluster_b},
                     {"winner", v.winner < 0 ? nlohmann::json(nullptr) : nlohmann::json(v.winner)},
                     {"reason", v.reason}});
  }
  j["votes"] = std::move(votes);
  j["errors"] = s.errors;
  return j;
}

// ---------------------------------------------------------------- clustering

bool same_result(const db::ResultSet& a, const db::ResultSet& b, bool order_matters) {
  return eval::spider_result_eq(a.rows, b.rows, order_matters);
}

namespace {

// A necessary condition for same_result, cheap to compare: row count, column count and
// a hash of the row multiset that ignores row order and column order.
struct Fingerprint {
  size_t rows = 0;
  size_t columns = 0;
  uint64_t hash = 0;
  bool operator==(const Fingerprint&) const = default;
};

uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

Fingerprint fingerprint(const db::ResultSet& result) {
  Fingerprint f;
  f.rows = result.rows.size();
  if (f.rows == 0) return f;  // every empty result equals every other
  f.columns = result.rows.front().size();
  std::vector<uint64_t> cells;
  for (const db::Row& row : result.rows) {
    cells.clear();
    for (const db::Value& v : row) cells.push_back(mix(eval::py_hash(v)));
    std::sort(cells.begin(), cells.end());
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (uint64_t c : cells) h = mix(h ^ c) + 0x9e3779b97f4a7c15ULL;
    f.hash += mix(h);  // a sum: row order does not matter
  }
  return f;
}

size_t simplicity_tokens(const Candidate& c) {
  return c.checks.canonical_tokens > 0 ? c.checks.canonical_tokens : std::numeric_limits<size_t>::max();
}

// Whether a is simpler than b: fewer canonical tokens, then better rank, then pool order.
bool simpler(const Candidate& a, size_t ia, const Candidate& b, size_t ib) {
  if (simplicity_tokens(a) != simplicity_tokens(b)) return simplicity_tokens(a) < simplicity_tokens(b);
  if (a.origin.generator_rank != b.origin.generator_rank) return a.origin.generator_rank < b.origin.generator_rank;
  return ia < ib;
}

}  // namespace

std::vector<ResultCluster> cluster_candidates(std::vector<Candidate>& candidates) {
  std::vector<Fingerprint> prints(candidates.size());
  std::vector<ResultCluster> clusters;
  for (size_t i = 0; i < candidates.size(); ++i) {
    Candidate& c = candidates[i];
    c.cluster = -1;
    if (!c.valid()) continue;
    prints[i] = fingerprint(c.execution.result);
    bool placed = false;
    for (ResultCluster& cluster : clusters) {
      bool all = true;
      for (size_t m : cluster.members) {
        const Candidate& other = candidates[m];
        if (!(prints[m] == prints[i]) ||
            !same_result(other.execution.result, c.execution.result,
                         other.checks.orders_output && c.checks.orders_output)) {
          all = false;
          break;
        }
      }
      if (all) {
        cluster.members.push_back(i);
        placed = true;
        break;
      }
    }
    if (!placed) clusters.push_back(ResultCluster{{i}, i, 0, 0, 0, 0});
  }
  for (ResultCluster& cluster : clusters) {
    cluster.representative = cluster.members.front();
    cluster.best_rank = std::numeric_limits<int>::max();
    cluster.best_score = -1;
    for (size_t m : cluster.members) {
      const Candidate& c = candidates[m];
      if (simpler(c, m, candidates[cluster.representative], cluster.representative)) cluster.representative = m;
      cluster.best_rank = std::min(cluster.best_rank, c.origin.generator_rank);
      cluster.best_score = std::max(cluster.best_score, c.checks.score);
    }
  }
  std::stable_sort(clusters.begin(), clusters.end(), [](const ResultCluster& a, const ResultCluster& b) {
    if (a.size() != b.size()) return a.size() > b.size();
    if (a.best_rank != b.best_rank) return a.best_rank < b.best_rank;
    if (a.best_score != b.best_score) return a.best_score > b.best_score;
    return a.members.front() < b.members.front();
  });
  for (size_t k = 0; k < clusters.size(); ++k) {
    for (size_t m : clusters[k].members) candidates[m].cluster = static_cast<int>(k);
  }
  return clusters;
}

// ---------------------------------------------------------------- selector replies and prompts

namespace {

std::string upper_letters(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (std::isalnum(static_cast<unsigned char>(ch))) out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

// "A", "B", "Candidate A", "SQL B", "Query A", "Option B" → 0 / 1; else -1.
int letter_of(std::string_view s) {
  std::string u = upper_letters(s);
  for (std::string_view prefix : {"CANDIDATE", "SQL", "QUERY", "OPTION", "ANSWER"}) {
    if (u.size() > prefix.size() && u.compare(0, prefix.size(), prefix) == 0) {
      u = u.substr(prefix.size());
      break;
    }
  }
  if (u == "A" || u == "1") return 0;
  if (u == "B" || u == "2") return 1;
  return -1;
}

}  // namespace

Result<int> parse_selector_reply(std::string_view reply, std::string* reason) {
  const std::string text = llm::strip_thinking(reply);
  auto object = llm::extract_json_object(text);
  if (object.ok()) {
    nlohmann::json j = nlohmann::json::parse(*object, nullptr, false);
    if (j.is_object()) {
      if (reason && j.contains("reason") && j["reason"].is_string()) *reason = j["reason"].get<std::string>();
      for (const char* key : {"answer", "winner", "choice", "better", "correct"}) {
        auto it = j.find(key);
        if (it == j.end()) continue;
        if (it->is_string()) {
          int letter = letter_of(it->get<std::string>());
          if (letter >= 0) return letter;
        } else if (it->is_number_integer()) {
          int64_t n = it->get<int64_t>();
          if (n == 1 || n == 2) return static_cast<int>(n - 1);
        }
        return make_error(ErrorCode::kParseError,
                          fmt::format("selector reply: \"{}\" is neither A nor B: {}", key, it->dump()));
      }
    }
  }
  // No usable JSON: a bare letter, or "answer: B" on the last line that says so.
  std::string_view trimmed = text::trim(text);
  int letter = letter_of(trimmed);
  if (letter >= 0 && trimmed.size() <= 16) return letter;
  const std::string lower = text::to_lower(trimmed);
  size_t pos = lower.rfind("answer");
  if (pos != std::string::npos) {
    size_t i = pos + 6;
    while (i < lower.size() && (lower[i] == ' ' || lower[i] == ':' || lower[i] == '"' || lower[i] == '\'' ||
                                lower[i] == '*' || lower[i] == '=' || lower[i] == 'i' || lower[i] == 's')) {
      ++i;
    }
    if (i < lower.size() && (lower[i] == 'a' || lower[i] == 'b') &&
        (i + 1 == lower.size() || !std::isalnum(static_cast<unsigned char>(lower[i + 1])))) {
      return lower[i] == 'a' ? 0 : 1;
    }
  }
  return make_error(ErrorCode::kParseError,
                    fmt::format("selector reply names neither A nor B: \"{}\"", text::ellipsize(trimmed, 120)));
}

std::string result_sample(const db::ResultSet& result, size_t rows, size_t max_cell_chars) {
  if (result.rows.empty()) return "(no rows)";
  db::ResultSet sample;
  sample.columns = result.columns;
  const size_t width = result.rows.front().size();
  for (size_t c = sample.columns.size(); c < width; ++c) sample.columns.push_back(fmt::format("column{}", c + 1));
  const size_t shown = std::min(rows, result.rows.size());
  sample.rows.assign(result.rows.begin(), result.rows.begin() + static_cast<std::ptrdiff_t>(shown));
  db::TableFormatOptions options;
  options.max_cell_chars = max_cell_chars;
  options.footer = false;
  std::string out = db::format_table(sample, options);
  if (!out.empty() && out.back() != '\n') out += '\n';
  const size_t n = result.rows.size();
  if (shown < n) {
    out += fmt::format("({} rows in all; the first {} shown)", n, shown);
  } else {
    out += fmt::format("({} row{})", n, n == 1 ? "" : "s");
  }
  return out;
}

// ---------------------------------------------------------------- the stage

Result<SelectionStage> SelectionStage::create(llm::LlmClient* selector, const llm::PromptLibrary* prompts,
                                              SelectionOptions options) {
  if (options.top_k < 2) options.top_k = 2;
  if (selector != nullptr) {
    if (prompts == nullptr) {
      return make_error(ErrorCode::kInvalidArgument, "selection: a selector needs the prompt library");
    }
    if (!prompts->find(options.prompt)) {
      return make_error(ErrorCode::kNotFound, fmt::format("selection: no prompt template '{}'", options.prompt));
    }
    const std::set<std::string> provided = {"question", "evidence", "schema", "sql_a",
                                            "result_a", "sql_b",    "result_b"};
    const llm::PromptTemplate* prompt = prompts->find(options.prompt);
    for (const std::string& name : prompt->placeholders()) {
      if (!provided.count(name)) {
        return make_error(ErrorCode::kInvalidArgument,
                          fmt::format("selection: prompt '{}' uses {{{{{}}}}} at {}, which the selection stage does "
                                      "not provide (it provides question, evidence, schema, sql_a, result_a, sql_b, "
                                      "result_b)",
                                      options.prompt, name, prompt->location(name)));
      }
    }
    for (const char* name : {"sql_a", "sql_b"}) {
      if (!prompt->placeholders().count(name)) {
        return make_error(ErrorCode::kInvalidArgument,
                          fmt::format("selection: prompt '{}' must use {{{{{}}}}}", options.prompt, name));
      }
    }
  }
  return SelectionStage(selector, prompts, std::move(options));
}

namespace {

// The first cluster (in selection order) among the first `n`: deterministic rule.
Selection finish(Selection s, size_t cluster_index, SelectionRule rule, const std::vector<Candidate>& candidates) {
  (void)candidates;
  s.rule = rule;
  s.fast_path = rule == SelectionRule::kFastPath;
  s.chosen_cluster = cluster_index;
  s.chosen = s.clusters[cluster_index].representative;
  s.agreement = s.valid_candidates == 0 ? 0.0
                                        : static_cast<double>(s.clusters[cluster_index].size()) /
                                              static_cast<double>(s.valid_candidates);
  return s;
}

struct Comparison {
  size_t a = 0, b = 0;  // cluster indexes as shown (A, B)
  // Shared with the client's callback, which may still be returning from set_value()
  // when the waiting thread moves on.
  std::shared_ptr<std::promise<Result<llm::Response>>> promise =
      std::make_shared<std::promise<Result<llm::Response>>>();
};

// Values an edited template may leave out.
const std::set<std::string> kOptionalValues = {"question", "evidence", "schema", "result_a", "result_b"};

}  // namespace

Selection SelectionStage::select(std::vector<Candidate>& candidates, const SelectionContext& context, Trace& trace,
                                 std::shared_ptr<llm::RequestGroup> group) const {
  auto timer = trace.stage("select");
  Selection s;
  s.clusters = cluster_candidates(candidates);
  for (const Candidate& c : candidates) {
    if (c.valid()) {
      ++s.valid_candidates;
      continue;
    }
    std::string why;
    if (!c.checks.checked) {
      why = "not checked";
    } else if (!c.checks.allowed) {
      why = c.checks.feedback.empty() ? "refused by the checks" : c.checks.feedback;
    } else if (!c.execution.ran) {
      why = "not executed";
    } else {
      why = c.execution.status.to_string();
    }
    s.errors.push_back(fmt::format("candidate {} ({}): {}", c.id, c.origin.generator, text::trim(why)));
  }
  if (s.clusters.empty()) {
    s.rule = SelectionRule::kNoValidCandidate;
    trace.note("select", fmt::format("no valid candidate among {}", candidates.size()));
    return s;
  }
  if (s.clusters.size() == 1) {
    trace.note("select", fmt::format("fast path: all {} valid candidates agree", s.valid_candidates));
    return finish(std::move(s), 0, SelectionRule::kFastPath, candidates);
  }
  if (selector_ == nullptr) {
    trace.note("select", fmt::format("{} clusters, no selector: deterministic rule", s.clusters.size()));
    return finish(std::move(s), 0, SelectionRule::kDeterministic, candidates);
  }

  if (options_.majority_threshold > 0 && s.clusters[0].size() > s.clusters[1].size() &&
      static_cast<double>(s.clusters[0].size()) >=
          options_.majority_threshold * static_cast<double>(s.valid_candidates)) {
    trace.note("select", fmt::format("cluster 1 holds {} of {} valid candidates: majority, no tournament",
                                     s.clusters[0].size(), s.valid_candidates));
    return finish(std::move(s), 0, SelectionRule::kDeterministic, candidates);
  }

  // The tournament: a round robin among the top K representatives, all calls at once.
  const size_t k = std::min(options_.top_k, s.clusters.size());
  std::vector<std::string> samples(k);
  for (size_t i = 0; i < k; ++i) {
    samples[i] = result_sample(candidates[s.clusters[i].representative].execution.result, options_.sample_rows,
                               options_.max_cell_chars);
  }
  std::vector<std::unique_ptr<Comparison>> comparisons;
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = i + 1; j < k; ++j) {
      auto add = [&](size_t a, size_t b) {
        auto cmp = std::make_unique<Comparison>();
        cmp->a = a;
        cmp->b = b;
        comparisons.push_back(std::move(cmp));
      };
      add(i, j);
      if (options_.both_orders) add(j, i);
    }
  }
  std::optional<llm::Clock::time_point> deadline;
  if (options_.timeout.count() > 0) deadline = llm::Clock::now() + options_.timeout;
  std::vector<std::future<Result<llm::Response>>> futures;
  std::vector<std::string> render_errors(comparisons.size());
  for (size_t n = 0; n < comparisons.size(); ++n) {
    Comparison& cmp = *comparisons[n];
    futures.push_back(cmp.promise->get_future());
    const Candidate& ca = candidates[s.clusters[cmp.a].representative];
    const Candidate& cb = candidates[s.clusters[cmp.b].representative];
    llm::PromptValues values{{"question", context.question}, {"evidence", context.evidence},
                             {"schema", context.schema},     {"sql_a", ca.sql},
                             {"result_a", samples[cmp.a]},   {"sql_b", cb.sql},
                             {"result_b", samples[cmp.b]}};
    auto prompt = prompts_->find(options_.prompt)->render(values, kOptionalValues);
    if (!prompt.ok()) {
      cmp.promise->set_value(prompt.status());
      continue;
    }
    llm::ChatRequest request;
    request.messages = {{"user", std::move(*prompt)}};
    request.temperature = options_.temperature;
    request.max_tokens = options_.max_tokens;
    request.purpose = "select";
    request.deadline = deadline;
    std::string detail = fmt::format("cluster {} (candidate {}) vs cluster {} (candidate {})", cmp.a + 1, ca.id,
                                     cmp.b + 1, cb.id);
    const auto started = Trace::Clock::now();
    const std::string endpoint = selector_->name();
    auto promise = cmp.promise;
    selector_->chat(
        std::move(request),
        [promise, &trace, started, endpoint, detail = std::move(detail)](Result<llm::Response> reply) {
          trace.record_call("select", endpoint, detail, started, reply);
          promise->set_value(std::move(reply));
        },
        group);
  }

  for (size_t n = 0; n < comparisons.size(); ++n) {
    Comparison& cmp = *comparisons[n];
    Result<llm::Response> reply = futures[n].get();
    ++s.selector_calls;
    SelectorVote vote{cmp.a, cmp.b, -1, ""};
    std::string why;
    if (!reply.ok()) {
      why = reply.status().to_string();
    } else if (!reply->usable()) {
      why = fmt::format("{}: {}", llm::reply_problem_name(reply->problem), reply->problem_detail);
    } else {
      auto letter = parse_selector_reply(reply->text(), &vote.reason);
      if (letter.ok()) {
        vote.winner = static_cast<int>(*letter == 0 ? cmp.a : cmp.b);
      } else {
        why = letter.status().message();
      }
    }
    if (vote.winner < 0) {
      ++s.selector_failures;
      vote.reason = why;
      trace.note("select", fmt::format("cluster {} vs cluster {}: no vote ({})", cmp.a + 1, cmp.b + 1, why));
    } else {
      const size_t winner = static_cast<size_t>(vote.winner);
      const size_t loser = winner == cmp.a ? cmp.b : cmp.a;
      ++s.clusters[winner].wins;
      ++s.clusters[loser].losses;
    }
    s.votes.push_back(std::move(vote));
  }
  comparisons.clear();

  if (s.selector_failures == s.selector_calls) {
    trace.note("select", "no selector vote came back: deterministic rule");
    return finish(std::move(s), 0, SelectionRule::kDeterministic, candidates);
  }
  size_t best = 0;  // clusters are in tie-break order: size, rank, score
  for (size_t i = 1; i < k; ++i) {
    if (s.clusters[i].wins > s.clusters[best].wins) best = i;
  }
  trace.note("select", fmt::format("tournament of {} clusters: cluster {} wins with {} of {} votes", k, best + 1,
                                   s.clusters[best].wins, s.selector_calls - s.selector_failures));
  return finish(std::move(s), best, SelectionRule::kTournament, candidates);
}

// ---------------------------------------------------------------- candidates from plain SQL

void fill_canonical_form(CandidateChecks& checks, std::string_view sql, Dialect dialect) {
  auto ast = sql::parse(sql, dialect);
  checks.parsed = ast.ok();
  checks.canonical.clear();
  checks.canonical_tokens = 0;
  checks.orders_output = false;
  if (!ast.ok()) return;
  checks.canonical = sql::canonical(*ast);
  std::vector<sql::Token> tokens;
  sql::LexError error;
  if (sql::tokenize(checks.canonical, dialect, tokens, error)) {
    checks.canonical_tokens = tokens.empty() ? 0 : tokens.size() - 1;  // less the end token
  } else {
    checks.canonical_tokens = checks.canonical.size();
  }
  const sql::Query* query = ast->query();
  checks.orders_output = query != nullptr && !query->order_by.empty();
}

void fill_candidate_checks(Candidate& candidate, const catalog::Catalog& catalog, const guard::Policy& policy,
                           Dialect dialect) {
  CandidateChecks& checks = candidate.checks;
  guard::ReviewOptions options;
  options.dialect = dialect;
  options.interactive = false;
  guard::Review review = guard::review(candidate.sql, catalog, policy, options);
  fill_canonical_form(checks, candidate.sql, dialect);
  checks.checked = true;
  checks.allowed = review.guard.allowed();
  checks.approved_sql = review.guard.allowed() && review.guard.rewritten ? review.guard.sql : std::string();
  checks.score = review.score;
  checks.findings.clear();
  for (const guard::Finding& f : review.guard.findings) {
    if (f.severity != guard::Severity::kNote) {
      checks.findings.push_back(fmt::format("{}: {}", guard::severity_name(f.severity), f.message));
    }
  }
  for (const std::string& d : review.analysis.diagnostics) checks.findings.push_back(d);
  for (const guard::Finding& f : review.joins.findings) {
    if (f.severity != guard::Severity::kNote) {
      checks.findings.push_back(fmt::format("{}: {}", guard::severity_name(f.severity), f.message));
    }
  }
  checks.feedback = review.feedback();
}

void execute_candidate(Candidate& candidate, db::Connection& connection, std::chrono::milliseconds timeout) {
  CandidateExecution& ex = candidate.execution;
  ex = CandidateExecution{};
  if (candidate.checks.checked && !candidate.checks.allowed) {
    ex.status = make_error(ErrorCode::kRefused, candidate.checks.feedback.empty()
                                                    ? std::string("the checks refused the query")
                                                    : candidate.checks.feedback);
    return;
  }
  db::QueryOptions options;
  options.timeout = timeout;
  options.max_rows = std::nullopt;
  ex.ran = true;
  const auto started = std::chrono::steady_clock::now();
  const std::string& sql = candidate.checks.approved_sql.empty() ? candidate.sql : candidate.checks.approved_sql;
  auto result = connection.execute(sql, options);
  ex.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (result.ok()) {
    ex.result = std::move(*result);
  } else {
    ex.status = result.status();
  }
}

}  // namespace askguru::pipeline
