#include "askguru/guard/review.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "askguru/sql/analysis.h"
#include "askguru/sql/parser.h"

namespace askguru::guard {

namespace {

AnalysisSummary summarize(const sql::Ast& ast, const sql::Analysis& a) {
  AnalysisSummary s;
  s.available = true;
  for (const sql::TableInstance& t : a.tables) {
    std::string name = t.table.empty() ? (t.cte.empty() ? "(derived)" : t.cte) : t.table;
    if (!t.alias.empty() && t.alias != name) name += " AS " + t.alias;
    s.tables.push_back(std::move(name));
  }
  // Columns named in the query; a `*` shows as TABLE.* rather than as every column it covers.
  std::set<std::string> columns;
  for (const sql::ColumnUse& c : a.columns) {
    if (c.table.empty() || c.column.empty()) continue;
    columns.insert(c.star ? c.table + ".*" : c.table + "." + c.column);
  }
  s.columns.assign(columns.begin(), columns.end());
  for (const sql::Diagnostic& d : a.diagnostics) {
    sql::Location loc = ast.location(d.pos);
    s.diagnostics.push_back(fmt::format("{} at {}:{}: {}",
                                        d.severity == sql::Diagnostic::Severity::kError ? "error" : "warning", loc.line,
                                        loc.column, d.message));
  }
  s.errors = a.error_count();
  s.warnings = a.warning_count();
  s.nesting_depth = a.max_depth;
  s.joins = a.join_count;
  return s;
}

}  // namespace

Review review(std::string_view sql_text, const catalog::Catalog& catalog, const Policy& policy,
              const ReviewOptions& options) {
  Review r;
  r.sql = std::string(sql_text);
  r.policy = policy.name;
  auto parsed = sql::parse(sql_text, options.dialect);
  Guardrail guardrail(policy, &catalog);
  GuardOptions guard_options{options.dialect, options.interactive};
  if (!parsed.ok()) {
    r.guard = guardrail.check(sql_text, guard_options);  // the syntax refusal, worded once
    r.score = 0;
    return r;
  }
  // Analysis and joins look at the query as written; the guardrail may then rewrite it.
  if (parsed->statement().query != nullptr) {
    sql::Analysis analysis = sql::analyze_query(*parsed, parsed->statement().query, catalog);
    r.analysis = summarize(*parsed, analysis);
    r.joins = validate_joins(*parsed, analysis, catalog);
  }
  r.guard = guardrail.check(*parsed, guard_options);
  if (!r.guard.allowed()) {
    r.score = 0;
  } else {
    r.score = std::max(0.0, r.joins.score - 0.25 * static_cast<double>(r.analysis.errors));
  }
  return r;
}

std::string Review::feedback() const {
  std::string out = format_findings(guard.findings, Severity::kWarning);
  for (const std::string& d : analysis.diagnostics) out += d + "\n";
  out += format_findings(joins.findings, Severity::kWarning);
  return out;
}

std::string review_text(const Review& r) {
  std::string out;
  if (r.analysis.available) {
    const AnalysisSummary& a = r.analysis;
    out += "analysis:\n";
    out += fmt::format("  tables: {}\n", a.tables.empty() ? "(none)" : fmt::format("{}", fmt::join(a.tables, ", ")));
    out += fmt::format("  columns: {}\n", a.columns.empty() ? "(none)" : fmt::format("{}", fmt::join(a.columns, ", ")));
    out += fmt::format("  joins: {}, nesting depth: {}, errors: {}, warnings: {}\n", a.joins, a.nesting_depth, a.errors,
                       a.warnings);
    for (const std::string& d : a.diagnostics) out += "  " + d + "\n";
  }
  out += fmt::format(
      "guardrail: {} (policy '{}'; statement: {})\n", verdict_name(r.guard.verdict), r.policy,
      r.guard.statement_kinds.empty() ? std::string("-") : fmt::format("{}", fmt::join(r.guard.statement_kinds, "; ")));
  for (const Finding& f : r.guard.findings) {
    out += fmt::format("  {}{}: {}\n", severity_name(f.severity),
                       f.line > 0 ? fmt::format(" at {}:{}", f.line, f.column) : std::string(), f.message);
  }
  if (r.guard.allowed()) out += fmt::format("  sql to run: {}\n", r.guard.sql);
  if (r.analysis.available) {
    out += fmt::format("joins: {} ({} column equalities, {} following a foreign key{})\n",
                       join_verdict_name(r.joins.verdict), r.joins.equalities_checked, r.joins.foreign_key_joins,
                       r.joins.catalog_has_foreign_keys ? "" : "; the catalog declares no foreign keys");
    for (const Finding& f : r.joins.findings) {
      out += fmt::format("  {} at {}:{}: {}\n", severity_name(f.severity), f.line, f.column, f.message);
    }
  }
  out += fmt::format("score: {:.2f}\n", r.score);
  return out;
}

namespace {

nlohmann::json findings_json(const std::vector<Finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const Finding& f : findings) {
    nlohmann::json j = {{"severity", severity_name(f.severity)}, {"code", f.code}, {"message", f.message}};
    if (f.line > 0) {
      j["line"] = f.line;
      j["column"] = f.column;
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

std::string review_json(const Review& r) {
  nlohmann::json j;
  j["sql"] = r.sql;
  j["policy"] = r.policy;
  if (r.analysis.available) {
    j["analysis"] = {
        {"tables", r.analysis.tables}, {"columns", r.analysis.columns},   {"diagnostics", r.analysis.diagnostics},
        {"errors", r.analysis.errors}, {"warnings", r.analysis.warnings}, {"nesting_depth", r.analysis.nesting_depth},
        {"joins", r.analysis.joins}};
  } else {
    j["analysis"] = nullptr;
  }
  j["guardrail"] = {{"verdict", verdict_name(r.guard.verdict)},
                    {"statements", r.guard.statement_kinds},
                    {"findings", findings_json(r.guard.findings)},
                    {"sql", r.guard.allowed() ? nlohmann::json(r.guard.sql) : nlohmann::json(nullptr)},
                    {"rewritten", r.guard.rewritten},
                    {"row_limit_injected", r.guard.row_limit_injected},
                    {"nesting_depth", r.guard.nesting_depth},
                    {"joins", r.guard.joins}};
  j["joins"] = {{"verdict", join_verdict_name(r.joins.verdict)},
                {"findings", findings_json(r.joins.findings)},
                {"score", r.joins.score},
                {"equalities_checked", r.joins.equalities_checked},
                {"foreign_key_joins", r.joins.foreign_key_joins},
                {"catalog_has_foreign_keys", r.joins.catalog_has_foreign_keys}};
  j["score"] = r.score;
  j["feedback"] = r.feedback();
  return j.dump();
}

}  // namespace askguru::guard
