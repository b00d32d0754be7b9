#include "askguru/guard/guardrail.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "askguru/common/text.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace askguru::guard {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "note";
}

std::string format_findings(const std::vector<Finding>& findings, Severity min) {
  std::string out;
  for (Severity s : {Severity::kError, Severity::kWarning, Severity::kNote}) {
    if (static_cast<int>(s) > static_cast<int>(min)) break;
    for (const Finding& f : findings) {
      if (f.severity != s) continue;
      out += severity_name(s);
      if (f.line > 0) out += fmt::format(" at {}:{}", f.line, f.column);
      out += ": ";
      out += f.message;
      out += '\n';
    }
  }
  return out;
}

size_t count_findings(const std::vector<Finding>& findings, Severity severity) {
  return static_cast<size_t>(
      std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == severity; }));
}

std::string_view verdict_name(Verdict verdict) {
  return verdict == Verdict::kAllow ? "allow" : "refuse";
}

std::string GuardResult::feedback() const {
  return format_findings(findings, Severity::kError);
}

Status GuardResult::status() const {
  if (allowed()) return Status::ok_status();
  std::string message;
  for (const Finding& f : findings) {
    if (f.severity != Severity::kError) continue;
    if (!message.empty()) message += ' ';
    message += f.message;
  }
  return make_error(ErrorCode::kRefused, message.empty() ? "refused by the guardrail" : message);
}

Guardrail::Guardrail(Policy policy, const catalog::Catalog* catalog) : policy_(std::move(policy)), catalog_(catalog) {}

namespace {

using namespace sql;

bool is_query(const Node* n) {
  return n->kind == NodeKind::kSelect || n->kind == NodeKind::kSetOp || n->kind == NodeKind::kValues;
}

std::string upper(std::string_view s) {
  return text::to_upper(s);
}

// What a statement kind does, for the refusal message.
std::string kind_effect(StatementKind kind) {
  switch (kind) {
    case StatementKind::kInsert:
    case StatementKind::kUpdate:
    case StatementKind::kDelete:
    case StatementKind::kReplace:
    case StatementKind::kMerge:
    case StatementKind::kTruncate: return "changes data";
    case StatementKind::kSelectInto: return "creates a table from the query's rows";
    case StatementKind::kCreate:
    case StatementKind::kDrop:
    case StatementKind::kAlter:
    case StatementKind::kRename:
    case StatementKind::kComment: return "changes the schema";
    case StatementKind::kPragma:
    case StatementKind::kSet:
    case StatementKind::kReset: return "reads or changes connection settings";
    case StatementKind::kAttach:
    case StatementKind::kDetach: return "attaches or detaches a database file";
    case StatementKind::kBegin:
    case StatementKind::kCommit:
    case StatementKind::kRollback:
    case StatementKind::kSavepoint:
    case StatementKind::kRelease:
    case StatementKind::kLock: return "controls transactions or locks";
    case StatementKind::kGrant:
    case StatementKind::kRevoke: return "changes privileges";
    case StatementKind::kVacuum:
    case StatementKind::kAnalyze:
    case StatementKind::kReindex: return "runs database maintenance";
    case StatementKind::kCall:
    case StatementKind::kBlock: return "runs procedural code";
    case StatementKind::kCopy: return "copies data to or from files";
    case StatementKind::kExplain: return "explains a statement";
    case StatementKind::kShow: return "shows a setting";
    case StatementKind::kSelect: return "reads data";
    case StatementKind::kOther: return "is not a query";
  }
  return "is not a query";
}

std::string allowed_kinds_text(const Policy& p) {
  std::vector<std::string> names;
  for (StatementKind k : p.statements) names.push_back(upper(statement_kind_name(k)));
  if (names.empty()) return "nothing";
  return text::join(names, ", ");
}

// One FROM item of a SELECT: what `*` expands over.
struct FromLeaf {
  const TableRef* ref = nullptr;
  std::string_view visible;  // alias, or the table name; empty when it has neither
};

void from_leaves(const TableRef* ref, std::vector<FromLeaf>& out, bool* merges_columns) {
  if (ref == nullptr) return;
  switch (ref->kind) {
    case NodeKind::kJoin: {
      auto* j = static_cast<const JoinRef*>(ref);
      if (j->natural || !j->using_columns.empty()) *merges_columns = true;
      from_leaves(j->left, out, merges_columns);
      from_leaves(j->right, out, merges_columns);
      return;
    }
    case NodeKind::kTableName: {
      auto* t = static_cast<const TableName*>(ref);
      out.push_back({ref, t->alias.present() ? t->alias.name.name : t->name.name});
      return;
    }
    case NodeKind::kDerivedTable: out.push_back({ref, static_cast<const DerivedTable*>(ref)->alias.name.name}); return;
    case NodeKind::kTableFunction:
      out.push_back({ref, static_cast<const TableFunction*>(ref)->alias.name.name});
      return;
    default: return;
  }
}

class Checker {
 public:
  Checker(const Policy& policy, const catalog::Catalog* catalog, Ast& ast, const GuardOptions& options,
          GuardResult& result)
      : policy_(policy), catalog_(catalog), ast_(ast), options_(options), result_(result) {}

  void run() {
    const auto& statements = ast_.statements();
    for (const Statement& st : statements) result_.statement_kinds.emplace_back(statement_kind_name(st.kind));
    if (statements.size() > 1 && !policy_.multiple_statements) {
      error("multiple_statements", statements[1].begin,
            fmt::format("The request holds {} statements; send exactly one query (no ';' between statements). "
                        "Nothing was executed.",
                        statements.size()));
    }
    for (Statement& st : ast_.statements()) check_statement(st);
    if (policy_.max_nesting > 0 && result_.nesting_depth > policy_.max_nesting) {
      error("max_nesting", 0,
            fmt::format("Subqueries are nested {} levels deep; the policy allows at most {}. Flatten the query "
                        "(joins or WITH clauses instead of nested subqueries).",
                        result_.nesting_depth, policy_.max_nesting));
    }
    if (policy_.max_joins > 0 && result_.joins > policy_.max_joins) {
      error("max_joins", 0,
            fmt::format("The query joins {} times; the policy allows at most {} joins. Use fewer tables.",
                        result_.joins, policy_.max_joins));
    }
  }

  bool refused() const { return refused_; }

 private:
  void error(std::string code, uint32_t pos, std::string message) {
    refused_ = true;
    add(Severity::kError, std::move(code), pos, std::move(message));
  }
  void add(Severity severity, std::string code, uint32_t pos, std::string message) {
    Finding f;
    f.severity = severity;
    f.code = std::move(code);
    f.message = std::move(message);
    if (pos > 0) {
      Location loc = ast_.location(pos);
      f.line = loc.line;
      f.column = loc.column;
    }
    result_.findings.push_back(std::move(f));
  }

  void check_statement(Statement& st) {
    if (!policy_.allows_kind(st.kind)) {
      std::string hidden;
      if (st.query != nullptr && st.kind != StatementKind::kSelect && st.kind != StatementKind::kExplain &&
          st.kind != StatementKind::kSelectInto) {
        hidden = " hidden in a WITH clause";
      }
      error("statement_kind", st.begin,
            fmt::format("The statement is {}{}, which {}; only {} may run here. It was not executed.",
                        article(upper(statement_kind_name(st.kind))), hidden, kind_effect(st.kind),
                        st.kind == StatementKind::kSelect ? allowed_kinds_text(policy_)
                                                          : "read-only queries (" + allowed_kinds_text(policy_) + ")"));
    }
    if (st.kind == StatementKind::kExplain && st.explained != nullptr) {
      if (st.explain_analyze && !is_read_only_kind(st.explained->kind)) {
        error("statement_kind", st.begin,
              fmt::format("EXPLAIN ANALYZE runs the {} it explains, which {}. It was not executed.",
                          upper(statement_kind_name(st.explained->kind)), kind_effect(st.explained->kind)));
      }
    }
    if (st.query != nullptr) {
      current_kind_ = st.kind;
      current_query_ = st.query;
      stars_.clear();
      select_stars_.clear();
      visit(st.query, 0);
      check_stars();
      check_columns();
    }
  }

  static std::string article(const std::string& word) {
    if (word.empty()) return word;
    char c = word[0];
    bool vowel = c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
    return (vowel ? "an " : "a ") + word;
  }

  // ---------------------------------------------------------------- the walk

  void visit(const Node* n, uint32_t depth) {
    switch (n->kind) {
      case NodeKind::kSelect:
      case NodeKind::kSetOp:
      case NodeKind::kValues: on_query(static_cast<const Query*>(n), depth); break;
      case NodeKind::kTableName: on_table(static_cast<const TableName*>(n)); break;
      case NodeKind::kFunction: on_function(static_cast<const Function*>(n)); break;
      case NodeKind::kJoin: {
        auto* j = static_cast<const JoinRef*>(n);
        ++result_.joins;
        for (const Identifier& u : j->using_columns) using_columns_.push_back({u.name, j->pos});
        break;
      }
      case NodeKind::kColumnRef: column_refs_.push_back(static_cast<const ColumnRef*>(n)); break;
      case NodeKind::kStar: stars_.push_back(static_cast<const Star*>(n)); break;
      default: break;
    }
    for_each_child(n, [&](const Node* child) {
      visit(child,
            is_query(child) && (!is_query(n) || is_cte_body(static_cast<const Query*>(n), child)) ? depth + 1 : depth);
    });
  }

  // Depth as sql::analyze counts it: +1 for a query in an expression, in FROM or in a CTE;
  // the arms of a set operation stay at its level.
  static bool is_cte_body(const Query* parent, const Node* child) {
    if (parent->with == nullptr) return false;
    for (const Cte& c : parent->with->ctes) {
      if (c.query == child) return true;
    }
    return false;
  }

  void on_query(const Query* q, uint32_t depth) {
    result_.nesting_depth = std::max(result_.nesting_depth, depth);
    if (q->with != nullptr) {
      for (const Cte& c : q->with->ctes) {
        cte_names_.insert(text::to_lower(c.name.name));
        if (c.modifying_kind != 0) {
          auto kind = static_cast<StatementKind>(c.modifying_kind);
          if (!policy_.allows_kind(kind) && kind != current_kind_) {
            error("cte_write", c.pos,
                  fmt::format("The WITH clause '{}' holds {}, which {}; only read-only queries may run here. "
                              "Nothing was executed.",
                              c.name.name, article(upper(statement_kind_name(kind))), kind_effect(kind)));
          }
        }
      }
    }
    if (q->for_update && !policy_.locking_reads) {
      error("locking_read", q->pos,
            "FOR UPDATE / FOR SHARE locks rows for writing; remove the locking clause (plain reads only).");
    }
    if (auto* s = q->as<SelectQuery>()) {
      if (s->has_into && !policy_.allows_kind(StatementKind::kSelectInto)) {
        error("select_into", s->pos,
              "SELECT ... INTO creates a table (or assigns variables); remove the INTO clause. Nothing was executed.");
      }
      for (size_t i = 0; i < s->items.size(); ++i) {
        if (s->items[i].expr != nullptr && s->items[i].expr->kind == NodeKind::kStar) {
          select_stars_.push_back({s, i});
        }
      }
    }
  }

  void on_table(const TableName* t) {
    tables_.push_back(t);
    if (!policy_.table_allowed(t->schema.name, t->name.name)) {
      std::string name =
          t->schema.empty() ? std::string(t->name.name) : fmt::format("{}.{}", t->schema.name, t->name.name);
      error("denied_table", t->pos,
            fmt::format("Table {} may not be read under the '{}' policy; answer the question without it.", name,
                        policy_.name));
    }
  }

  void on_function(const Function* f) {
    if (!policy_.function_allowed(f->schema.name, f->name.name)) {
      std::string name =
          f->schema.empty() ? std::string(f->name.name) : fmt::format("{}.{}", f->schema.name, f->name.name);
      error("denied_function", f->pos,
            fmt::format("Function {}() may not be called under the '{}' policy; rewrite the query without it.", name,
                        policy_.name));
    }
  }

  // ---------------------------------------------------------------- columns

  // The catalog table behind a table name, or null (no catalog, a CTE, an unknown table).
  const catalog::Table* base_table(const TableName* t) const {
    if (catalog_ == nullptr) return nullptr;
    return catalog_->find_table(t->name.name);
  }

  bool is_cte_name(const TableName* t) const {
    return t->schema.empty() && cte_names_.count(text::to_lower(t->name.name)) > 0;
  }

  // Columns of `table` the policy denies (catalog order).
  std::vector<std::string> denied_columns_of(const catalog::Table& table) const {
    std::vector<std::string> out;
    for (const catalog::Column& c : table.columns) {
      if (!policy_.column_allowed(table.name, c.name)) out.push_back(c.name);
    }
    return out;
  }

  // Whether the policy might deny some column of a table the catalog does not describe.
  bool may_deny_columns_of(std::string_view table) const {
    if (!policy_.allowed_columns.empty()) return true;
    for (const std::string& p : policy_.denied_columns) {
      size_t dot = p.rfind('.');
      if (dot == std::string::npos || glob_match(p.substr(0, dot), table)) return true;
    }
    return false;
  }

  // Checks one column name against every table of the statement that may hold it:
  // without a resolver every candidate counts (stricter, never looser).
  void check_column_name(std::string_view column, uint32_t pos) {
    std::set<std::string> seen;
    for (const TableName* t : tables_) {
      std::string key = text::to_lower(t->name.name);
      if (!seen.insert(key).second) continue;
      const catalog::Table* table = base_table(t);
      std::string_view table_name = t->name.name;
      if (table != nullptr) {
        if (table->find_column(column) == nullptr) continue;
        table_name = table->name;
      } else if (is_cte_name(t)) {
        continue;  // a CTE's columns are checked where its body reads them
      }
      if (!policy_.column_allowed(table_name, column)) {
        error("denied_column", pos,
              fmt::format("Column {}.{} may not be read under the '{}' policy; answer the question without it.",
                          table_name, column, policy_.name));
        return;
      }
    }
  }

  void check_columns() {
    if (policy_.denied_columns.empty() && policy_.allowed_columns.empty()) {
      column_refs_.clear();
      using_columns_.clear();
      return;
    }
    // With a catalog, sql::analyze resolves each reference to its table instance; what it
    // cannot resolve falls back to the stricter check by name.
    std::multimap<uint32_t, const ColumnUse*> resolved;
    Analysis analysis;
    if (catalog_ != nullptr && current_query_ != nullptr) {
      analysis = analyze_query(ast_, current_query_, *catalog_);
      for (const ColumnUse& u : analysis.columns) {
        if (!u.star) resolved.emplace(u.pos, &u);
      }
    }
    for (const ColumnRef* r : column_refs_) {
      auto range = resolved.equal_range(r->pos);
      bool done = false;
      for (auto it = range.first; it != range.second && !done; ++it) {
        const ColumnUse& u = *it->second;
        if (!text::iequals(u.column, r->column.name) && !u.alias_reference) continue;
        if (u.alias_reference) {
          done = true;  // a select-list alias: its expression is checked where it is written
        } else if (u.instance >= 0) {
          done = true;
          const TableInstance* inst = nullptr;
          for (const TableInstance& t : analysis.tables) {
            if (t.id == u.instance) inst = &t;
          }
          // Derived tables and CTEs: the columns they read are checked in their own SELECT.
          if (inst != nullptr && !inst->derived && !inst->table.empty() &&
              !policy_.column_allowed(inst->table, u.column)) {
            error("denied_column", r->pos,
                  fmt::format("Column {}.{} may not be read under the '{}' policy; answer the question without it.",
                              inst->table, u.column, policy_.name));
          }
        }
      }
      if (done) continue;
      check_column_name(r->column.name, r->pos);
      if (r->table.empty()) check_whole_row(r);
    }
    // Columns the query compares without naming them: NATURAL JOIN's common columns.
    std::set<uint32_t> written;
    for (const ColumnRef* r : column_refs_) written.insert(r->pos);
    for (const ColumnUse& u : analysis.columns) {
      if (u.star || u.instance < 0 || written.count(u.pos)) continue;
      for (const TableInstance& t : analysis.tables) {
        if (t.id != u.instance || t.derived || t.table.empty() || policy_.column_allowed(t.table, u.column)) continue;
        error("denied_column", u.pos,
              fmt::format("The join compares {}.{}, which the '{}' policy denies; join on other columns (name them "
                          "in ON instead of NATURAL JOIN).",
                          t.table, u.column, policy_.name));
        written.insert(u.pos);
      }
    }
    for (const auto& [name, pos] : using_columns_) check_column_name(name, pos);
    column_refs_.clear();
    using_columns_.clear();
  }

  // PostgreSQL reads a whole row through a bare table alias: SELECT t FROM tab t.
  void check_whole_row(const ColumnRef* r) {
    for (const TableName* t : tables_) {
      std::string_view visible = t->alias.present() ? t->alias.name.name : t->name.name;
      if (!text::iequals(visible, r->column.name)) continue;
      // A real column of that name takes precedence.
      bool is_column = false;
      for (const TableName* u : tables_) {
        const catalog::Table* table = base_table(u);
        if (table != nullptr && table->find_column(r->column.name) != nullptr) is_column = true;
      }
      if (is_column) continue;
      const catalog::Table* table = base_table(t);
      bool denies = table != nullptr ? !denied_columns_of(*table).empty() : may_deny_columns_of(t->name.name);
      if (denies) {
        error("denied_column", r->pos,
              fmt::format("'{}' reads whole rows of {}, which include columns the '{}' policy denies; list the "
                          "columns you need.",
                          r->column.name, t->name.name, policy_.name));
        return;
      }
    }
  }

  // ---------------------------------------------------------------- stars

  struct SelectStar {
    const SelectQuery* select;
    size_t item;
  };

  // The leaves a star covers in `select`, or nothing when none matches.
  static std::vector<FromLeaf> covered(const SelectQuery* select, const Star* star, bool* merges) {
    std::vector<FromLeaf> leaves;
    from_leaves(select->from, leaves, merges);
    if (star->table.empty()) return leaves;
    std::vector<FromLeaf> out;
    for (const FromLeaf& l : leaves) {
      if (text::iequals(l.visible, star->table.name)) out.push_back(l);
    }
    return out;
  }

  // Denied columns a leaf would expose through `*`; `unknown` when the catalog cannot say.
  std::vector<std::string> leaf_denied(const FromLeaf& leaf, bool* unknown) const {
    *unknown = false;
    auto* t = leaf.ref->as<TableName>();
    if (t == nullptr) return {};  // derived tables and functions: their own SELECT lists are checked
    if (const catalog::Table* table = base_table(t)) return denied_columns_of(*table);
    if (is_cte_name(t) || catalog_ != nullptr) return {};
    if (may_deny_columns_of(t->name.name)) *unknown = true;
    return {};
  }

  void check_stars() {
    if (policy_.denied_columns.empty() && policy_.allowed_columns.empty()) return;
    std::unordered_set<const Star*> in_select_list;
    for (const SelectStar& s : select_stars_) in_select_list.insert(s.select->items[s.item].expr->as<Star>());
    // A star outside a SELECT list (PostgreSQL row_to_json(t.*), count(t.*)): refuse when it may
    // reach a denied column; its SELECT is unknown here, so test every table of the statement.
    for (const Star* star : stars_) {
      if (in_select_list.count(star)) continue;
      for (const TableName* t : tables_) {
        std::string_view visible = t->alias.present() ? t->alias.name.name : t->name.name;
        if (!star->table.empty() && !text::iequals(visible, star->table.name)) continue;
        bool unknown = false;
        auto denied = leaf_denied({t, visible}, &unknown);
        if (!denied.empty() || unknown) {
          error("denied_column", star->pos,
                fmt::format("'*' here would read {}, which the '{}' policy denies; name the columns you need.",
                            unknown ? "columns of " + std::string(t->name.name) : denied_list(t->name.name, denied),
                            policy_.name));
          break;
        }
      }
    }
    // Stars in SELECT lists, last first so that item indexes stay valid while expanding.
    for (auto it = select_stars_.rbegin(); it != select_stars_.rend(); ++it) expand_star(*it);
  }

  static std::string denied_list(std::string_view table, const std::vector<std::string>& columns) {
    std::vector<std::string> names;
    for (const std::string& c : columns) names.push_back(fmt::format("{}.{}", table, c));
    return text::join(names, ", ");
  }

  void expand_star(const SelectStar& s) {
    const Star* star = s.select->items[s.item].expr->as<Star>();
    bool merges = false;
    std::vector<FromLeaf> leaves = covered(s.select, star, &merges);
    std::vector<std::vector<std::string>> denied(leaves.size());
    std::string why;  // the denied columns, for messages
    bool unknown_any = false;
    bool any = false;
    for (size_t i = 0; i < leaves.size(); ++i) {
      bool unknown = false;
      denied[i] = leaf_denied(leaves[i], &unknown);
      auto* t = leaves[i].ref->as<TableName>();
      if (!denied[i].empty()) {
        any = true;
        if (!why.empty()) why += ", ";
        why += denied_list(t->name.name, denied[i]);
      }
      if (unknown) {
        unknown_any = true;
        if (!why.empty()) why += ", ";
        why += fmt::format("columns of {}", t->name.name);
      }
    }
    if (!any && !unknown_any) return;
    std::string reason;
    if (unknown_any) {
      reason = "without the database's catalog its permitted columns are unknown";
    } else if (policy_.select_star == StarMode::kRefuse) {
      reason = "the policy refuses '*' over such tables";
    } else if (merges && star->table.empty()) {
      reason = "a NATURAL or USING join merges columns, so '*' cannot be expanded faithfully";
    } else {
      for (const FromLeaf& l : leaves) {
        if (l.visible.empty()) reason = "a FROM item without an alias cannot be qualified";
      }
    }
    if (!reason.empty()) {
      error("select_star", star->pos,
            fmt::format("'*' would read {}, which the '{}' policy denies, and {}; list the columns you need.", why,
                        policy_.name, reason));
      return;
    }
    // Rewrite: the star becomes `alias.*` for tables without denied columns and the
    // explicit permitted columns for those with.
    auto* select = const_cast<SelectQuery*>(s.select);  // the Ast is ours to edit (check(Ast&))
    std::vector<SelectItem> items(select->items.begin(), select->items.end());
    std::vector<SelectItem> replacement;
    for (size_t i = 0; i < leaves.size(); ++i) {
      Identifier qualifier;
      qualifier.name = leaves[i].visible;
      qualifier.quoted = identifier_quoted(leaves[i]);
      if (denied[i].empty()) {
        auto* st = ast_.arena().make<Star>();
        st->pos = star->pos;
        st->table = qualifier;
        replacement.push_back(SelectItem{st, {}, false});
        continue;
      }
      const catalog::Table* table = base_table(leaves[i].ref->as<TableName>());
      for (const catalog::Column& c : table->columns) {
        if (!policy_.column_allowed(table->name, c.name)) continue;
        auto* ref = ast_.arena().make<ColumnRef>();
        ref->pos = star->pos;
        ref->table = qualifier;
        ref->column.name = ast_.arena().copy(c.name);
        ref->column.quoted = needs_case_quotes(c.name);
        replacement.push_back(SelectItem{ref, {}, false});
      }
    }
    if (replacement.empty()) {
      error("select_star", star->pos,
            fmt::format("Every column '*' would read is denied by the '{}' policy ({}).", policy_.name, why));
      return;
    }
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(s.item));
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(s.item), replacement.begin(), replacement.end());
    select->items = ast_.make_list(items);
    rewritten_ = true;
    add(Severity::kNote, "star_expanded", star->pos,
        fmt::format("'*' was expanded to the permitted columns; {} withheld by the '{}' policy.", why, policy_.name));
  }

  bool identifier_quoted(const FromLeaf& leaf) const {
    if (auto* t = leaf.ref->as<TableName>()) return t->alias.present() ? t->alias.name.quoted : t->name.quoted;
    if (auto* d = leaf.ref->as<DerivedTable>()) return d->alias.name.quoted;
    if (auto* f = leaf.ref->as<TableFunction>()) return f->alias.name.quoted;
    return false;
  }

  // A catalog name must be quoted where the dialect would fold its case otherwise.
  bool needs_case_quotes(std::string_view name) const {
    bool has_upper = std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    bool has_lower = std::any_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (options_.dialect == Dialect::kPostgres) return has_upper;
    if (options_.dialect == Dialect::kOracle) return has_lower;
    return false;
  }

 public:
  bool rewritten() const { return rewritten_; }

 private:
  const Policy& policy_;
  const catalog::Catalog* catalog_;
  Ast& ast_;
  const GuardOptions& options_;
  GuardResult& result_;
  bool refused_ = false;
  StatementKind current_kind_ = StatementKind::kSelect;
  const Query* current_query_ = nullptr;
  bool rewritten_ = false;
  std::vector<const TableName*> tables_;
  std::vector<const ColumnRef*> column_refs_;
  std::vector<std::pair<std::string_view, uint32_t>> using_columns_;
  std::vector<const Star*> stars_;
  std::vector<SelectStar> select_stars_;
  std::set<std::string> cte_names_;
};

bool is_rownum_ref(const Expr* e) {
  auto* c = e != nullptr ? e->as<ColumnRef>() : nullptr;
  return c != nullptr && c->table.empty() && !c->column.quoted && text::iequals(c->column.name, "ROWNUM");
}

// Whether a WHERE clause bounds ROWNUM (Oracle's row limit): ROWNUM <= n, ROWNUM < n, n >= ROWNUM.
bool bounds_rownum(const Expr* e) {
  if (e == nullptr) return false;
  auto* b = e->as<Binary>();
  if (b == nullptr) return false;
  if (b->op == BinaryOp::kAnd) return bounds_rownum(b->left) || bounds_rownum(b->right);
  if (is_rownum_ref(b->left) && (b->op == BinaryOp::kLe || b->op == BinaryOp::kLt || b->op == BinaryOp::kEq)) {
    return true;
  }
  return is_rownum_ref(b->right) && (b->op == BinaryOp::kGe || b->op == BinaryOp::kGt || b->op == BinaryOp::kEq);
}

bool has_row_limit(const Query* q) {
  if (q->limit != nullptr && q->limit->count != nullptr) return true;
  // A bare VALUES list has as many rows as it spells out (and SQLite rejects VALUES ... LIMIT).
  if (q->kind == sql::NodeKind::kValues) return true;
  auto* s = q->as<SelectQuery>();
  return s != nullptr && bounds_rownum(s->where);
}

}  // namespace

GuardResult Guardrail::check(std::string_view sql_text, const GuardOptions& options) const {
  auto ast = sql::parse(sql_text, options.dialect);
  if (!ast.ok()) {
    GuardResult result;
    result.verdict = Verdict::kRefuse;
    Finding f;
    f.code = "syntax";
    f.message = std::string(sql::error_headline(ast.error())) +
                " (the text must parse as SQL before it can be checked; it was not executed)";
    result.findings.push_back(std::move(f));
    return result;
  }
  return check(*ast, options);
}

GuardResult Guardrail::check(sql::Ast& ast, const GuardOptions& options) const {
  GuardResult result;
  Checker checker(policy_, catalog_, ast, options, result);
  checker.run();
  if (checker.refused()) {
    result.verdict = Verdict::kRefuse;
    result.sql.clear();
    return result;
  }
  bool rewritten = checker.rewritten();
  if (options.interactive && policy_.row_limit > 0 && ast.size() == 1 &&
      ast.statement().kind == sql::StatementKind::kSelect && ast.query() != nullptr && !has_row_limit(ast.query())) {
    sql::Query* q = ast.query();
    auto* count = ast.arena().make<sql::Literal>();
    count->literal_kind = sql::LiteralKind::kInteger;
    count->text = ast.arena().copy(std::to_string(policy_.row_limit));
    count->pos = q->pos;
    if (q->limit == nullptr) {
      q->limit = ast.arena().make<sql::Limit>();
      q->limit->syntax =
          options.dialect == Dialect::kOracle ? sql::Limit::Syntax::kFetch : sql::Limit::Syntax::kLimitOffset;
    }
    q->limit->count = count;
    q->limit->limit_all = false;
    rewritten = true;
    result.row_limit_injected = true;
    Finding f;
    f.severity = Severity::kNote;
    f.code = "row_limit";
    f.message =
        fmt::format("A row limit of {} was added (interactive use; the policy's row_limit).", policy_.row_limit);
    result.findings.push_back(std::move(f));
  }
  if (rewritten) {
    result.sql = sql::print(ast, sql::PrintOptions{options.dialect, false});
    result.rewritten = true;
  } else {
    result.sql = std::string(ast.source());
  }
  return result;
}

}  // namespace askguru::guard
