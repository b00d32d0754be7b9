#include "askguru/sql/analysis.h"

#include <algorithm>
#include <map>
#include <optional>

#include "askguru/common/text.h"
#include "askguru/sql/printer.h"

namespace askguru::sql {

std::string_view clause_name(Clause clause) {
  switch (clause) {
    case Clause::kSelect: return "select";
    case Clause::kFrom: return "from";
    case Clause::kWhere: return "where";
    case Clause::kGroupBy: return "group by";
    case Clause::kHaving: return "having";
    case Clause::kOrderBy: return "order by";
    case Clause::kOther: return "other";
  }
  return "other";
}

bool is_aggregate_function(std::string_view name) {
  static const char* kNames[] = {"count",
                                 "sum",
                                 "avg",
                                 "min",
                                 "max",
                                 "total",
                                 "group_concat",
                                 "string_agg",
                                 "array_agg",
                                 "listagg",
                                 "stddev",
                                 "stddev_pop",
                                 "stddev_samp",
                                 "variance",
                                 "var_pop",
                                 "var_samp",
                                 "bool_and",
                                 "bool_or",
                                 "every",
                                 "median",
                                 "json_group_array",
                                 "json_group_object",
                                 "bit_and",
                                 "bit_or"};
  for (const char* n : kNames) {
    if (text::iequals(name, n)) return true;
  }
  return false;
}

bool Analysis::has_errors() const {
  return error_count() > 0;
}

size_t Analysis::error_count() const {
  return static_cast<size_t>(std::count_if(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::kError;
  }));
}

size_t Analysis::warning_count() const {
  return diagnostics.size() - error_count();
}

std::set<std::string> Analysis::referenced_tables() const {
  std::set<std::string> out;
  for (const TableInstance& t : tables) {
    if (!t.table.empty()) out.insert(t.table);
  }
  return out;
}

std::set<std::string> Analysis::referenced_columns() const {
  std::set<std::string> out;
  for (const ColumnUse& c : columns) {
    if (!c.table.empty() && !c.column.empty()) out.insert(c.table + "." + c.column);
  }
  return out;
}

std::string Analysis::diagnostics_text() const {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    out += d.severity == Diagnostic::Severity::kError ? "error: " : "warning: ";
    out += d.message;
    out += '\n';
  }
  return out;
}

std::string format_diagnostic(const Ast& ast, const Diagnostic& diagnostic) {
  std::string_view src = ast.source();
  uint32_t pos = std::min<uint32_t>(diagnostic.pos, static_cast<uint32_t>(src.size()));
  Location loc = ast.location(pos);
  std::string out = diagnostic.severity == Diagnostic::Severity::kError ? "error" : "warning";
  out += " at " + std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": " + diagnostic.message;
  size_t begin = src.rfind('\n', pos == 0 ? 0 : pos - 1);
  begin = (begin == std::string_view::npos || (pos == 0 && src[0] != '\n')) ? 0 : begin + 1;
  if (pos < begin) begin = pos;
  size_t end = src.find('\n', pos);
  if (end == std::string_view::npos) end = src.size();
  out += "\n";
  out.append(src.substr(begin, end - begin));
  out += "\n";
  out.append(loc.column > 0 ? loc.column - 1 : 0, ' ');
  out += '^';
  return out;
}

namespace {

// One output column of a query, with the catalog column it comes from (if any).
struct OutCol {
  std::string name;
  std::string table;   // origin catalog table ("" if computed)
  std::string column;  // origin catalog column
};

struct QueryResult {
  std::vector<OutCol> cols;
  bool open = false;            // the columns are not fully known (a table function, an unknown table ...)
  std::vector<int> arm_scopes;  // the scopes of the SELECT arms (one for a plain SELECT)
};

struct Inst {
  int id = 0;
  int scope = 0;
  std::string_view match_name;  // alias, or the name as written
  bool match_quoted = false;
  const catalog::Table* table = nullptr;
  std::vector<OutCol> cols;
  bool open = false;
  std::vector<std::string> hidden;  // lower-case names hidden from unqualified lookup (USING)
};

struct CteDef {
  std::string_view name;
  bool quoted = false;
  std::vector<OutCol> cols;
  bool open = true;
  bool used = false;
  size_t diag_begin = 0, diag_end = 0;  // the diagnostics of its body
};

// Where a scope's unresolved names go next: a SELECT, and the clause of that SELECT the
// scope is nested in (which decides whether its select-list aliases are visible).
struct Outer {
  int scope = -1;
  Clause clause = Clause::kOther;
};

struct ScopeCtx {
  int lookup_parent = -1;  // where unresolved names go next (-1: nowhere)
  Clause lookup_clause = Clause::kOther;
  const SelectQuery* select = nullptr;
  std::vector<int> insts;
};

struct Ctx {
  int scope = 0;
  Clause clause = Clause::kOther;
  bool in_join = false;
  JoinType join_type = JoinType::kComma;
  bool conjunct = false;
  bool record_literals = true;
  int depth = 0;
};

// What an expression is, seen from a comparison around it.
struct ExprInfo {
  int column = -1;   // index in Analysis::columns when the expression is a (wrapped) column
  int literal = -1;  // index in Analysis::literals when it is a (signed) literal
};

std::string lower(std::string_view s) {
  return text::to_lower(s);
}

class Analyzer {
 public:
  Analyzer(const Ast& ast, const catalog::Catalog& catalog) : ast_(ast), catalog_(catalog), dialect_(ast.dialect()) {}

  Analysis run(const Query* q) {
    query(q, -1, Outer{}, 0, true);
    for (const Scope& s : out_.scopes) out_.max_depth = std::max(out_.max_depth, s.depth);
    return std::move(out_);
  }

 private:
  // ------------------------------------------------------------ names
  bool same(std::string_view written, bool quoted, std::string_view name) const {
    if (dialect_ == Dialect::kPostgres && quoted) return written == name;
    return text::iequals(written, name);
  }

  void diag(Diagnostic::Severity sev, std::string kind, std::string message, uint32_t pos) {
    Diagnostic d;
    d.severity = sev;
    d.kind = std::move(kind);
    d.message = std::move(message);
    d.pos = pos;
    out_.diagnostics.push_back(std::move(d));
  }
  void error(std::string kind, std::string message, uint32_t pos) {
    diag(Diagnostic::Severity::kError, std::move(kind), std::move(message), pos);
  }

  // The nearest candidate to `name` (case-insensitive edit distance), or "" when none is close.
  static std::string nearest(std::string_view name, const std::vector<std::string>& candidates) {
    std::string lname = lower(name);
    std::string best;
    size_t best_d = static_cast<size_t>(-1);
    for (const std::string& c : candidates) {
      std::string lc = lower(c);
      size_t d = text::edit_distance(lname, lc);
      // A name contained in the other (id vs student_id) counts as close.
      if (d > 0 && lname.size() >= 3 && (lc.find(lname) != std::string::npos || lname.find(lc) != std::string::npos)) {
        d = std::min(d, size_t{2});
      }
      if (d < best_d) {
        best_d = d;
        best = c;
      }
    }
    size_t limit = std::max<size_t>(2, lname.size() / 2);
    if (best_d > limit) return "";
    return best;
  }

  static std::string list_names(const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size() && i < 15; ++i) {
      if (i) out += ", ";
      out += names[i];
    }
    if (names.size() > 15) out += ", ...";
    return out;
  }

  std::string qualified(std::string_view qual, std::string_view col) const {
    if (qual.empty()) return std::string(col);
    return std::string(qual) + "." + std::string(col);
  }

  bool implicit_column(std::string_view name, const Inst* inst) const {
    switch (dialect_) {
      case Dialect::kSqlite:
        if (inst != nullptr && (inst->table == nullptr || inst->table->is_view)) return false;
        return text::iequals(name, "rowid") || text::iequals(name, "oid") || text::iequals(name, "_rowid_");
      case Dialect::kOracle: return text::iequals(name, "rowid");
      case Dialect::kPostgres: return text::iequals(name, "ctid") || text::iequals(name, "oid");
    }
    return false;
  }

  // Pseudo-columns a bare name may be without any table (Oracle SYSDATE, ...).
  bool bare_pseudo_column(std::string_view name) const {
    if (dialect_ == Dialect::kOracle) {
      for (const char* n :
           {"rownum", "level", "sysdate", "systimestamp", "user", "uid", "connect_by_isleaf", "connect_by_iscycle"}) {
        if (text::iequals(name, n)) return true;
      }
    }
    if (dialect_ == Dialect::kPostgres) {
      for (const char* n : {"current_user", "session_user", "current_schema", "current_catalog", "user"}) {
        if (text::iequals(name, n)) return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------ scopes and instances
  int new_scope(int parent, Outer outer, int depth, const SelectQuery* select) {
    Scope s;
    s.id = static_cast<int>(out_.scopes.size());
    s.parent = parent;
    s.depth = depth;
    out_.scopes.push_back(s);
    ScopeCtx c;
    c.lookup_parent = outer.scope;
    c.lookup_clause = outer.clause;
    c.select = select;
    scopes_.push_back(std::move(c));
    return s.id;
  }

  Inst& new_inst(int scope, std::string table, std::string_view match, bool quoted, bool derived, uint32_t pos,
                 std::string cte = "") {
    Inst in;
    in.id = static_cast<int>(insts_.size());
    in.scope = scope;
    in.match_name = match;
    in.match_quoted = quoted;
    insts_.push_back(std::move(in));
    TableInstance t;
    t.id = insts_.back().id;
    t.scope = scope;
    t.table = std::move(table);
    t.alias = std::string(match);
    t.derived = derived;
    t.pos = pos;
    t.cte = std::move(cte);
    out_.tables.push_back(std::move(t));
    out_.scopes[scope].instances.push_back(insts_.back().id);
    scopes_[scope].insts.push_back(insts_.back().id);
    return insts_.back();
  }

  CteDef* find_cte(std::string_view name, bool quoted) {
    for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
      if (same(name, quoted, it->name) || same(it->name, it->quoted, name)) return &*it;
    }
    return nullptr;
  }

  const catalog::Table* find_table(std::string_view name, bool quoted) const {
    for (const catalog::Table& t : catalog_.tables) {
      if (same(name, quoted, t.name)) return &t;
    }
    return nullptr;
  }

  // ------------------------------------------------------------ queries
  // Analyses `q` (a query nested at `depth`, structurally inside scope `parent`, resolving
  // outer names through `lookup_parent`) and returns its output columns.
  QueryResult query(const Query* q, int parent, Outer outer, int depth, bool top = false) {
    size_t cte_mark = ctes_.size();
    if (q->with != nullptr) {
      for (const Cte& c : q->with->ctes) {
        CteDef def;
        def.name = c.name.name;
        def.quoted = c.name.quoted;
        def.open = true;
        if (!c.columns.empty()) {
          def.open = false;
          for (const Identifier& id : c.columns) def.cols.push_back({std::string(id.name), "", ""});
        }
        ctes_.push_back(def);
        size_t index = ctes_.size() - 1;
        if (c.query != nullptr) {
          ctes_[index].diag_begin = out_.diagnostics.size();
          QueryResult r = query(c.query, parent, outer, depth + 1);
          CteDef& d = ctes_[index];
          d.diag_end = out_.diagnostics.size();
          if (c.columns.empty()) {
            d.cols = r.cols;
            d.open = r.open;
          } else {
            if (!r.open && r.cols.size() != c.columns.size()) {
              error("column count",
                    "CTE " + std::string(c.name.name) + " names " + std::to_string(c.columns.size()) +
                        " columns but its query returns " + std::to_string(r.cols.size()),
                    c.pos);
            }
            for (size_t i = 0; i < d.cols.size() && i < r.cols.size(); ++i) {
              d.cols[i].table = r.cols[i].table;
              d.cols[i].column = r.cols[i].column;
            }
          }
        }
      }
    }
    QueryResult result;
    switch (q->kind) {
      case NodeKind::kSelect: result = select(static_cast<const SelectQuery*>(q), parent, outer, depth); break;
      case NodeKind::kSetOp: {
        auto* s = static_cast<const SetOpQuery*>(q);
        QueryResult l = query(s->left, parent, outer, depth);
        QueryResult r = query(s->right, parent, outer, depth);
        result.cols = l.cols;
        result.open = l.open || r.open;
        result.arm_scopes = l.arm_scopes;
        result.arm_scopes.insert(result.arm_scopes.end(), r.arm_scopes.begin(), r.arm_scopes.end());
        if (!l.open && !r.open && l.cols.size() != r.cols.size()) {
          error("column count",
                "the arms of " +
                    std::string(s->op == SetOp::kUnion       ? "UNION"
                                : s->op == SetOp::kIntersect ? "INTERSECT"
                                                             : "EXCEPT") +
                    " return different numbers of columns (" + std::to_string(l.cols.size()) + " and " +
                    std::to_string(r.cols.size()) + ")",
                s->pos);
        }
        // ORDER BY of a compound: resolved against its first SELECT, then the others.
        for (const OrderItem& o : q->order_by) {
          ++out_.order_by_count;
          compound_order_term(o.expr, result.arm_scopes, depth);
        }
        limit(q, result.arm_scopes.empty() ? parent : result.arm_scopes.front(), depth, top);
        break;
      }
      case NodeKind::kValues: {
        auto* v = static_cast<const ValuesQuery*>(q);
        int sc = new_scope(parent, outer, depth, nullptr);
        result.arm_scopes.push_back(sc);
        size_t width = 0;
        for (const List<Expr*>& row : v->rows) {
          width = std::max<size_t>(width, row.size());
          Ctx ctx;
          ctx.scope = sc;
          ctx.clause = Clause::kSelect;
          ctx.depth = depth;
          for (const Expr* e : row) expr(e, ctx);
        }
        for (size_t i = 0; i < width; ++i) result.cols.push_back({"column" + std::to_string(i + 1), "", ""});
        for (const OrderItem& o : q->order_by) {
          ++out_.order_by_count;
          Ctx ctx;
          ctx.scope = sc;
          ctx.clause = Clause::kOrderBy;
          ctx.depth = depth;
          ctx.record_literals = false;
          expr(o.expr, ctx);
        }
        limit(q, sc, depth, top);
        break;
      }
      default: break;
    }
    // SQLite does not compile a CTE that nothing reads: its errors are only warnings.
    if (dialect_ == Dialect::kSqlite) {
      for (size_t i = cte_mark; i < ctes_.size(); ++i) {
        if (ctes_[i].used) continue;
        for (size_t d = ctes_[i].diag_begin; d < ctes_[i].diag_end && d < out_.diagnostics.size(); ++d) {
          Diagnostic& diag = out_.diagnostics[d];
          if (diag.severity != Diagnostic::Severity::kError) continue;
          diag.severity = Diagnostic::Severity::kWarning;
          diag.message = "in CTE " + std::string(ctes_[i].name) + ", which the query never reads: " + diag.message;
          diag.kind = "unused CTE";
        }
      }
    }
    ctes_.resize(cte_mark);
    return result;
  }

  void limit(const Query* q, int scope, int depth, bool top) {
    if (q->limit == nullptr) return;
    if (top && q->limit->count != nullptr) out_.has_limit = true;
    if (scope < 0) return;
    Ctx ctx;
    ctx.scope = scope;
    ctx.clause = Clause::kOther;
    ctx.depth = depth;
    ctx.record_literals = false;
    if (q->limit->count) expr(q->limit->count, ctx);
    if (q->limit->offset) expr(q->limit->offset, ctx);
  }

  void compound_order_term(const Expr* e, const std::vector<int>& arms, int depth) {
    if (arms.empty()) return;
    // Try each arm silently; keep the first that resolves without errors.
    for (size_t a = 0; a < arms.size(); ++a) {
      size_t n_diag = out_.diagnostics.size(), n_cols = out_.columns.size(), n_lits = out_.literals.size(),
             n_eq = out_.equalities.size(), n_agg = out_.aggregates.size(), n_scopes = out_.scopes.size(),
             n_tables = out_.tables.size();
      Ctx ctx;
      ctx.scope = arms[a];
      ctx.clause = Clause::kOrderBy;
      ctx.depth = depth;
      ctx.record_literals = !(e->kind == NodeKind::kLiteral);
      expr(e, ctx);
      bool ok = out_.diagnostics.size() == n_diag;
      if (ok || a + 1 == arms.size()) {
        if (!ok && arms.size() > 1) {
          // Report the first arm's errors: roll back and redo on arm 0.
          rollback(n_diag, n_cols, n_lits, n_eq, n_agg, n_scopes, n_tables);
          ctx.scope = arms[0];
          expr(e, ctx);
        }
        return;
      }
      rollback(n_diag, n_cols, n_lits, n_eq, n_agg, n_scopes, n_tables);
    }
  }

  void rollback(size_t n_diag, size_t n_cols, size_t n_lits, size_t n_eq, size_t n_agg, size_t n_scopes,
                size_t n_tables) {
    out_.diagnostics.resize(n_diag);
    out_.columns.resize(n_cols);
    out_.literals.resize(n_lits);
    out_.equalities.resize(n_eq);
    out_.aggregates.resize(n_agg);
    out_.scopes.resize(n_scopes);
    scopes_.resize(n_scopes);
    out_.tables.resize(n_tables);
    insts_.resize(n_tables);
    for (Scope& s : out_.scopes) {
      while (!s.instances.empty() && s.instances.back() >= static_cast<int>(n_tables)) s.instances.pop_back();
    }
    for (ScopeCtx& s : scopes_) {
      while (!s.insts.empty() && s.insts.back() >= static_cast<int>(n_tables)) s.insts.pop_back();
    }
  }

  QueryResult select(const SelectQuery* s, int parent, Outer outer, int depth) {
    int sc = new_scope(parent, outer, depth, s);
    QueryResult result;
    result.arm_scopes.push_back(sc);
    // FROM: instances first, then the ON conditions (which may name any instance).
    std::vector<std::pair<const JoinRef*, int>> pending_on;
    if (s->from != nullptr) from(s->from, sc, depth, pending_on);
    for (auto& [j, unused] : pending_on) {
      (void)unused;
      Ctx ctx;
      ctx.scope = sc;
      ctx.clause = Clause::kFrom;
      ctx.in_join = true;
      ctx.join_type = j->type;
      ctx.conjunct = true;
      ctx.depth = depth;
      expr(j->on, ctx);
    }
    Ctx ctx;
    ctx.scope = sc;
    ctx.depth = depth;
    ctx.clause = Clause::kSelect;
    for (const Expr* e : s->distinct_on) expr(e, ctx);
    for (const SelectItem& item : s->items) {
      if (const Star* star = item.expr->as<Star>()) {
        expand_star(star, sc, result);
        continue;
      }
      ExprInfo info = expr(item.expr, ctx);
      OutCol col;
      if (!item.alias.empty()) {
        col.name = std::string(item.alias.name);
      } else if (const ColumnRef* c = item.expr->as<ColumnRef>()) {
        col.name = std::string(c->column.name);
      } else {
        col.name = print(item.expr, PrintOptions{dialect_, false});
      }
      if (info.column >= 0) {
        col.table = out_.columns[info.column].table;
        col.column = out_.columns[info.column].column;
      }
      result.cols.push_back(std::move(col));
    }
    if (s->where != nullptr) {
      Ctx w = ctx;
      w.clause = Clause::kWhere;
      w.conjunct = true;
      expr(s->where, w);
    }
    if (s->start_with != nullptr) expr(s->start_with, ctx_with(ctx, Clause::kOther));
    if (s->connect_by != nullptr) expr(s->connect_by, ctx_with(ctx, Clause::kOther));
    for (const Expr* e : s->group_by) {
      ++out_.group_by_count;
      Ctx g = ctx_with(ctx, Clause::kGroupBy);
      g.record_literals = e->kind != NodeKind::kLiteral;
      expr(e, g);
    }
    if (s->having != nullptr) {
      Ctx h = ctx_with(ctx, Clause::kHaving);
      h.conjunct = true;
      expr(s->having, h);
    }
    for (const NamedWindow& w : s->windows) window(w.spec, ctx_with(ctx, Clause::kOther));
    for (const OrderItem& o : s->order_by) {
      ++out_.order_by_count;
      Ctx oc = ctx_with(ctx, Clause::kOrderBy);
      oc.record_literals = o.expr->kind != NodeKind::kLiteral;
      expr(o.expr, oc);
    }
    limit(s, sc, depth, depth == 0 && parent == -1);
    return result;
  }

  static Ctx ctx_with(const Ctx& base, Clause clause) {
    Ctx c = base;
    c.clause = clause;
    c.conjunct = false;
    c.in_join = false;
    c.record_literals = true;
    return c;
  }

  void expand_star(const Star* star, int sc, QueryResult& result) {
    std::vector<int> targets;
    if (!star->table.empty()) {
      for (int id : scopes_[sc].insts) {
        if (same(star->table.name, star->table.quoted, insts_[id].match_name)) {
          targets.push_back(id);
          break;
        }
      }
      if (targets.empty()) {
        std::vector<std::string> names;
        for (int id : scopes_[sc].insts) names.emplace_back(insts_[id].match_name);
        std::string near = nearest(star->table.name, names);
        error("unknown qualifier",
              "table or alias " + std::string(star->table.name) + " not found for " + std::string(star->table.name) +
                  ".*" + (near.empty() ? "" : "; did you mean " + near + ".*?"),
              star->pos);
        result.open = true;
        return;
      }
    } else {
      targets = scopes_[sc].insts;
    }
    for (int id : targets) {
      const Inst& in = insts_[id];
      if (in.open) result.open = true;
      for (const OutCol& c : in.cols) {
        if (star->table.empty() && std::find(in.hidden.begin(), in.hidden.end(), lower(c.name)) != in.hidden.end()) {
          continue;
        }
        ColumnUse u = use_of(in, &c, c.name, Clause::kSelect, sc, star->pos);
        u.star = true;
        out_.columns.push_back(u);
        result.cols.push_back(c);
      }
    }
  }

  // ------------------------------------------------------------ FROM
  void from(const TableRef* t, int sc, int depth, std::vector<std::pair<const JoinRef*, int>>& pending_on) {
    switch (t->kind) {
      case NodeKind::kTableName: {
        auto* tn = static_cast<const TableName*>(t);
        std::string_view match = tn->alias.present() ? tn->alias.name.name : tn->name.name;
        bool quoted = tn->alias.present() ? tn->alias.name.quoted : tn->name.quoted;
        CteDef* cte = tn->schema.empty() ? find_cte(tn->name.name, tn->name.quoted) : nullptr;
        if (cte != nullptr) {
          cte->used = true;
          std::vector<OutCol> cols = cte->cols;
          bool open = cte->open;
          Inst& in = new_inst(sc, "", match, quoted, true, tn->pos, std::string(cte->name));
          in.cols = std::move(cols);
          in.open = open;
          rename_columns(in, tn->alias, tn->pos);
          return;
        }
        const catalog::Table* table = find_table(tn->name.name, tn->name.quoted);
        if (table == nullptr && dialect_ == Dialect::kOracle && text::iequals(tn->name.name, "dual")) {
          Inst& in = new_inst(sc, "", match, quoted, true, tn->pos);
          in.cols.push_back({"DUMMY", "", ""});
          return;
        }
        if (table == nullptr) {
          std::vector<std::string> names;
          for (const catalog::Table& ct : catalog_.tables) names.push_back(ct.name);
          for (const CteDef& c : ctes_) names.emplace_back(c.name);
          std::string near = nearest(tn->name.name, names);
          error("unknown table",
                "table " + std::string(tn->name.name) + " not found; " +
                    (near.empty() ? "tables: " + list_names(names) : "did you mean " + near + "?"),
                tn->pos);
          Inst& in = new_inst(sc, "", match, quoted, false, tn->pos);
          in.open = true;
          return;
        }
        Inst& in = new_inst(sc, table->name, match, quoted, false, tn->pos);
        in.table = table;
        for (const catalog::Column& c : table->columns) in.cols.push_back({c.name, table->name, c.name});
        rename_columns(in, tn->alias, tn->pos);
        return;
      }
      case NodeKind::kDerivedTable: {
        auto* d = static_cast<const DerivedTable*>(t);
        Outer o = d->lateral ? Outer{sc, Clause::kFrom} : Outer{scopes_[sc].lookup_parent, scopes_[sc].lookup_clause};
        QueryResult r = query(d->query, sc, o, depth + 1);
        Inst& in = new_inst(sc, "", d->alias.name.name, d->alias.name.quoted, true, d->pos);
        in.cols = std::move(r.cols);
        in.open = r.open;
        rename_columns(in, d->alias, d->pos);
        return;
      }
      case NodeKind::kTableFunction: {
        auto* f = static_cast<const TableFunction*>(t);
        Ctx ctx;
        ctx.scope = sc;
        ctx.clause = Clause::kFrom;
        ctx.depth = depth;
        for (const Expr* a : f->call->args) expr(a, ctx);
        std::string_view match = f->alias.present() ? f->alias.name.name : f->call->name.name;
        Inst& in = new_inst(sc, "", match, f->alias.present() && f->alias.name.quoted, true, f->pos);
        in.open = true;
        for (const Identifier& id : f->alias.columns) in.cols.push_back({std::string(id.name), "", ""});
        return;
      }
      case NodeKind::kJoin: {
        auto* j = static_cast<const JoinRef*>(t);
        ++out_.join_count;
        size_t left_begin = insts_.size();
        from(j->left, sc, depth, pending_on);
        size_t right_begin = insts_.size();
        from(j->right, sc, depth, pending_on);
        size_t right_end = insts_.size();
        if (j->natural) {
          std::vector<std::string> common;
          for (size_t r = right_begin; r < right_end; ++r) {
            for (const OutCol& c : insts_[r].cols) {
              if (is_hidden(insts_[r], c.name)) continue;
              for (size_t l = left_begin; l < right_begin; ++l) {
                if (has_column(insts_[l], c.name) && !is_hidden(insts_[l], c.name)) {
                  common.push_back(c.name);
                  break;
                }
              }
            }
          }
          for (const std::string& c : common) using_column(c, j, sc, left_begin, right_begin, right_end, j->pos);
        }
        for (const Identifier& id : j->using_columns) {
          using_column(std::string(id.name), j, sc, left_begin, right_begin, right_end, j->pos);
        }
        if (j->on != nullptr) pending_on.emplace_back(j, sc);
        return;
      }
      default: return;
    }
  }

  void rename_columns(Inst& in, const Alias& alias, uint32_t pos) {
    if (alias.columns.empty()) return;
    if (!in.open && alias.columns.size() > in.cols.size()) {
      error("column count",
            "alias " + std::string(alias.name.name) + " names " + std::to_string(alias.columns.size()) +
                " columns but the table has " + std::to_string(in.cols.size()),
            pos);
    }
    for (size_t i = 0; i < alias.columns.size(); ++i) {
      if (i < in.cols.size()) {
        in.cols[i].name = std::string(alias.columns[i].name);
      } else {
        in.cols.push_back({std::string(alias.columns[i].name), "", ""});
      }
    }
  }

  bool is_hidden(const Inst& in, std::string_view name) const {
    std::string l = lower(name);
    return std::find(in.hidden.begin(), in.hidden.end(), l) != in.hidden.end();
  }

  const OutCol* column_of(const Inst& in, std::string_view name, bool quoted) const {
    for (const OutCol& c : in.cols) {
      if (same(name, quoted, c.name)) return &c;
    }
    return nullptr;
  }
  bool has_column(const Inst& in, std::string_view name) const { return column_of(in, name, false) != nullptr; }

  ColumnUse use_of(const Inst& in, const OutCol* c, std::string_view written, Clause clause, int scope, uint32_t pos) {
    ColumnUse u;
    u.instance = in.id;
    if (in.table != nullptr) {
      u.table = in.table->name;
      u.column = c != nullptr ? c->name : std::string(written);
    } else if (c != nullptr && !c->table.empty()) {
      u.table = c->table;
      u.column = c->column;
    } else {
      u.column = c != nullptr ? c->name : std::string(written);
    }
    u.clause = clause;
    u.scope = scope;
    u.pos = pos;
    return u;
  }

  void using_column(const std::string& name, const JoinRef* j, int sc, size_t lb, size_t rb, size_t re, uint32_t pos) {
    int li = -1, ri = -1;
    for (size_t l = lb; l < rb && li < 0; ++l) {
      if ((has_column(insts_[l], name) || insts_[l].open) && !is_hidden(insts_[l], name)) li = static_cast<int>(l);
    }
    for (size_t r = rb; r < re && ri < 0; ++r) {
      if ((has_column(insts_[r], name) || insts_[r].open) && !is_hidden(insts_[r], name)) ri = static_cast<int>(r);
    }
    if (li < 0 || ri < 0) {
      error("unknown column",
            "USING column " + name + " not found on the " + (li < 0 ? "left" : "right") + " side of the join", pos);
      return;
    }
    Equality e;
    e.scope = sc;
    e.left = use_of(insts_[li], column_of(insts_[li], name, false), name, Clause::kFrom, sc, pos);
    e.right = use_of(insts_[ri], column_of(insts_[ri], name, false), name, Clause::kFrom, sc, pos);
    out_.columns.push_back(e.left);
    out_.columns.push_back(e.right);
    e.in_join_condition = true;
    e.join_type = j->type;
    e.pos = pos;
    e.conjunct = true;
    out_.equalities.push_back(std::move(e));
    insts_[ri].hidden.push_back(lower(name));
  }

  // ------------------------------------------------------------ expressions
  void window(const WindowSpec* w, const Ctx& ctx) {
    if (w == nullptr) return;
    for (const Expr* e : w->partition_by) expr(e, ctx);
    for (const OrderItem& o : w->order_by) expr(o.expr, ctx);
    if (w->frame != nullptr) {
      Ctx f = ctx;
      f.record_literals = false;
      if (w->frame->start.offset) expr(w->frame->start.offset, f);
      if (w->frame->end.offset) expr(w->frame->end.offset, f);
    }
  }

  void nested(const Query* q, const Ctx& ctx) { query(q, ctx.scope, Outer{ctx.scope, ctx.clause}, ctx.depth + 1); }

  // Strips wrappers that keep a column's values comparable: COLLATE, CAST, LOWER/UPPER/TRIM.
  static const Expr* unwrap(const Expr* e) {
    while (e != nullptr) {
      if (auto* c = e->as<Collate>()) {
        e = c->value;
      } else if (auto* c2 = e->as<Cast>()) {
        e = c2->value;
      } else if (auto* f = e->as<Function>();
                 f != nullptr && f->args.size() == 1 && f->over == nullptr &&
                 (text::iequals(f->name.name, "lower") || text::iequals(f->name.name, "upper") ||
                  text::iequals(f->name.name, "trim"))) {
        e = f->args[0];
      } else {
        break;
      }
    }
    return e;
  }

  void link_literal(const ExprInfo& col, const ExprInfo& lit, std::string op) {
    if (lit.literal < 0) return;
    LiteralUse& l = out_.literals[lit.literal];
    l.op = std::move(op);
    if (col.column >= 0) {
      const ColumnUse& c = out_.columns[col.column];
      l.table = c.table;
      l.column = c.column;
    }
  }

  static const char* comparison_text(BinaryOp op) {
    switch (op) {
      case BinaryOp::kEq: return "=";
      case BinaryOp::kNe: return "<>";
      case BinaryOp::kLt: return "<";
      case BinaryOp::kLe: return "<=";
      case BinaryOp::kGt: return ">";
      case BinaryOp::kGe: return ">=";
      case BinaryOp::kIs: return "IS";
      case BinaryOp::kIsNot: return "IS NOT";
      case BinaryOp::kIsDistinctFrom: return "IS DISTINCT FROM";
      case BinaryOp::kIsNotDistinctFrom: return "IS NOT DISTINCT FROM";
      default: return nullptr;
    }
  }

  static std::string like_text(const Like* l) {
    std::string op;
    switch (l->op) {
      case LikeOp::kLike: op = "LIKE"; break;
      case LikeOp::kILike: op = "ILIKE"; break;
      case LikeOp::kGlob: op = "GLOB"; break;
      case LikeOp::kRegexp: op = "REGEXP"; break;
      case LikeOp::kMatch: op = "MATCH"; break;
      case LikeOp::kSimilarTo: op = "SIMILAR TO"; break;
    }
    return l->negated ? "NOT " + op : op;
  }

  // ExprInfo of `e` seen through unwrap(): the recorded column or literal of the inner node.
  ExprInfo expr(const Expr* e, const Ctx& ctx) {
    ExprInfo info;
    if (e == nullptr) return info;
    switch (e->kind) {
      case NodeKind::kLiteral: {
        auto* l = static_cast<const Literal*>(e);
        if (ctx.record_literals) info.literal = record_literal(l->text, l->literal_kind, l->pos, ctx);
        return info;
      }
      case NodeKind::kUnary: {
        auto* u = static_cast<const Unary*>(e);
        if ((u->op == UnaryOp::kNeg || u->op == UnaryOp::kPlus) && u->operand != nullptr &&
            u->operand->kind == NodeKind::kLiteral) {
          auto* l = static_cast<const Literal*>(u->operand);
          if (ctx.record_literals) {
            std::string v = (u->op == UnaryOp::kNeg ? "-" : "") + std::string(l->text);
            info.literal = record_literal(v, l->literal_kind, u->pos, ctx);
          }
          return info;
        }
        Ctx c = ctx;
        c.conjunct = false;
        expr(u->operand, c);
        return info;
      }
      case NodeKind::kColumnRef: return column(static_cast<const ColumnRef*>(e), ctx);
      case NodeKind::kStar: return info;
      case NodeKind::kParam: return info;
      case NodeKind::kBinary: {
        auto* b = static_cast<const Binary*>(e);
        Ctx c = ctx;
        c.conjunct = ctx.conjunct && b->op == BinaryOp::kAnd;
        ExprInfo l = expr(b->left, c);
        ExprInfo r = expr(b->right, c);
        if (const char* op = comparison_text(b->op)) {
          ExprInfo lu = l, ru = r;
          if (lu.column >= 0 && ru.literal >= 0)
            link_literal(lu, ru, op);
          else if (ru.column >= 0 && lu.literal >= 0)
            link_literal(ru, lu, op);
          else {
            if (lu.literal >= 0) out_.literals[lu.literal].op = op;
            if (ru.literal >= 0) out_.literals[ru.literal].op = op;
          }
          if (b->op == BinaryOp::kEq && l.column >= 0 && r.column >= 0) {
            Equality eq;
            eq.scope = ctx.scope;
            eq.left = out_.columns[l.column];
            eq.right = out_.columns[r.column];
            eq.in_join_condition = ctx.in_join;
            eq.join_type = ctx.in_join ? ctx.join_type : JoinType::kComma;
            eq.pos = b->pos;
            eq.conjunct = ctx.conjunct;
            out_.equalities.push_back(std::move(eq));
          }
        }
        return info;
      }
      case NodeKind::kLike: {
        auto* l = static_cast<const Like*>(e);
        Ctx c = ctx;
        c.conjunct = false;
        ExprInfo v = expr(l->value, c);
        ExprInfo p = expr(l->pattern, c);
        link_literal(v, p, like_text(l));
        ExprInfo esc = expr(l->escape, c);
        if (esc.literal >= 0) out_.literals[esc.literal].op = "ESCAPE";
        return info;
      }
      case NodeKind::kBetween: {
        auto* b = static_cast<const Between*>(e);
        Ctx c = ctx;
        c.conjunct = false;
        ExprInfo v = expr(b->value, c);
        std::string op = b->negated ? "NOT BETWEEN" : "BETWEEN";
        link_literal(v, expr(b->low, c), op);
        link_literal(v, expr(b->high, c), op);
        return info;
      }
      case NodeKind::kInList: {
        auto* in = static_cast<const InList*>(e);
        Ctx c = ctx;
        c.conjunct = false;
        ExprInfo v = expr(in->value, c);
        std::string op = in->negated ? "NOT IN" : "IN";
        for (const Expr* item : in->items) link_literal(v, expr(item, c), op);
        return info;
      }
      case NodeKind::kFunction: {
        auto* f = static_cast<const Function*>(e);
        bool aggregate = is_aggregate_function(f->name.name) && f->schema.empty();
        if (aggregate && (text::iequals(f->name.name, "min") || text::iequals(f->name.name, "max")) &&
            f->args.size() > 1) {
          aggregate = false;  // SQLite's scalar MIN/MAX
        }
        if (aggregate) out_.aggregates.push_back(text::to_upper(f->name.name));
        if (aggregate && f->over == nullptr && f->over_name.empty() &&
            (ctx.clause == Clause::kWhere || ctx.clause == Clause::kGroupBy || ctx.clause == Clause::kFrom)) {
          const char* where = ctx.clause == Clause::kWhere     ? "WHERE"
                              : ctx.clause == Clause::kGroupBy ? "GROUP BY"
                                                               : "a join condition";
          error("misused aggregate",
                "misuse of aggregate function " + text::to_upper(f->name.name) + "() in " + where +
                    (ctx.clause == Clause::kWhere ? "; put the condition in HAVING or compare with a subquery" : ""),
                f->pos);
        }
        if (f->over != nullptr || !f->over_name.empty()) out_.has_window = true;
        Ctx c = ctx;
        c.conjunct = false;
        ExprInfo single;
        for (const Expr* a : f->args) single = expr(a, c);
        if (f->args.size() == 1 && unwrap(e) != e) info = single;
        for (const OrderItem& o : f->order_by) expr(o.expr, c);
        for (const OrderItem& o : f->within_group) expr(o.expr, c);
        if (f->filter != nullptr) expr(f->filter, c);
        window(f->over, c);
        return info;
      }
      case NodeKind::kCollate: {
        Ctx c = ctx;
        c.conjunct = false;
        return expr(static_cast<const Collate*>(e)->value, c);
      }
      case NodeKind::kCast: {
        Ctx c = ctx;
        c.conjunct = false;
        return expr(static_cast<const Cast*>(e)->value, c);
      }
      case NodeKind::kInQuery: {
        auto* in = static_cast<const InQuery*>(e);
        Ctx c = ctx;
        c.conjunct = false;
        expr(in->value, c);
        nested(in->query, ctx);
        return info;
      }
      case NodeKind::kExists: nested(static_cast<const Exists*>(e)->query, ctx); return info;
      case NodeKind::kSubquery: nested(static_cast<const Subquery*>(e)->query, ctx); return info;
      default: {
        Ctx c = ctx;
        c.conjunct = false;
        for_each_child(e, [&](const Node* child) {
          switch (child->kind) {
            case NodeKind::kSelect:
            case NodeKind::kSetOp:
            case NodeKind::kValues: nested(static_cast<const Query*>(child), ctx); break;
            case NodeKind::kTableName:
            case NodeKind::kDerivedTable:
            case NodeKind::kTableFunction:
            case NodeKind::kJoin: break;
            default: expr(static_cast<const Expr*>(child), c); break;
          }
        });
        return info;
      }
    }
  }

  int record_literal(std::string_view value, LiteralKind kind, uint32_t pos, const Ctx& ctx) {
    LiteralUse l;
    l.value = std::string(value);
    l.kind = kind;
    l.pos = pos;
    l.scope = ctx.scope;
    out_.literals.push_back(std::move(l));
    return static_cast<int>(out_.literals.size()) - 1;
  }

  bool alias_allowed(Clause clause) const {
    switch (dialect_) {
      case Dialect::kSqlite:
        return clause == Clause::kWhere || clause == Clause::kGroupBy || clause == Clause::kHaving ||
               clause == Clause::kOrderBy;
      case Dialect::kPostgres: return clause == Clause::kGroupBy || clause == Clause::kOrderBy;
      case Dialect::kOracle: return clause == Clause::kOrderBy;
    }
    return false;
  }

  // The select-list item of scope `sc` aliased `name`, or -1.
  int find_alias(int sc, std::string_view name, bool quoted) const {
    const SelectQuery* s = scopes_[sc].select;
    if (s == nullptr) return -1;
    for (size_t i = 0; i < s->items.size(); ++i) {
      if (!s->items[i].alias.empty() && same(name, quoted, s->items[i].alias.name)) return static_cast<int>(i);
    }
    return -1;
  }

  int push_use(ColumnUse u, bool outer) {
    u.outer_reference = outer;
    out_.columns.push_back(std::move(u));
    return static_cast<int>(out_.columns.size()) - 1;
  }

  // Whether `e` holds an aggregate call of its own query (not one inside a subquery, nor a window).
  static bool has_aggregate(const Node* e) {
    if (e == nullptr) return false;
    if (auto* f = e->kind == NodeKind::kFunction ? static_cast<const Function*>(e) : nullptr) {
      if (is_aggregate_function(f->name.name) && f->over == nullptr && f->over_name.empty() && f->schema.empty() &&
          !((text::iequals(f->name.name, "min") || text::iequals(f->name.name, "max")) && f->args.size() > 1)) {
        return true;
      }
    }
    bool found = false;
    for_each_child(e, [&](const Node* child) {
      if (found || child->kind == NodeKind::kSelect || child->kind == NodeKind::kSetOp ||
          child->kind == NodeKind::kValues) {
        return;
      }
      found = has_aggregate(child);
    });
    return found;
  }

  ExprInfo alias_use(const ColumnRef* ref, const Ctx& ctx, int scope) {
    int item = find_alias(scope, ref->column.name, ref->column.quoted);
    if (scope == ctx.scope && item >= 0 && (ctx.clause == Clause::kWhere || ctx.clause == Clause::kGroupBy) &&
        has_aggregate(scopes_[scope].select->items[item].expr)) {
      error("misused aggregate",
            "misuse of aggregate: " + std::string(ref->column.name) + " is " +
                print(scopes_[scope].select->items[item].expr, PrintOptions{dialect_, true}) + ", which " +
                (ctx.clause == Clause::kWhere ? "WHERE" : "GROUP BY") + " cannot use" +
                (ctx.clause == Clause::kWhere ? "; put the condition in HAVING" : ""),
            ref->pos);
    }
    ColumnUse u;
    u.column = std::string(ref->column.name);
    u.clause = ctx.clause;
    u.scope = ctx.scope;
    u.pos = ref->pos;
    u.alias_reference = true;
    out_.columns.push_back(std::move(u));
    return {};
  }

  ExprInfo column(const ColumnRef* ref, const Ctx& ctx) {
    ExprInfo info;
    const Identifier& col = ref->column;
    if (!ref->table.empty()) {
      // Qualified: the instance named so, here or in an enclosing SELECT.
      int s = ctx.scope;
      bool outer = false;
      while (s >= 0) {
        std::vector<int> named;  // the instances named so (SQLite accepts a repeated alias)
        for (int id : scopes_[s].insts) {
          const Inst& in = insts_[id];
          if (!in.match_name.empty() && same(ref->table.name, ref->table.quoted, in.match_name)) named.push_back(id);
        }
        if (!named.empty()) {
          std::vector<std::pair<int, const OutCol*>> with;
          for (int id : named) {
            if (const OutCol* c = column_of(insts_[id], col.name, col.quoted)) with.emplace_back(id, c);
          }
          if (with.empty()) {
            for (int id : named) {
              if (insts_[id].open || implicit_column(col.name, &insts_[id])) {
                with.emplace_back(id, nullptr);
                break;
              }
            }
          }
          if (with.empty()) {
            const Inst& in = insts_[named.front()];
            std::vector<std::string> names;
            for (const OutCol& oc : in.cols) names.push_back(oc.name);
            std::string near = nearest(col.name, names);
            std::string where = in.table != nullptr ? in.table->name : std::string(in.match_name);
            error("unknown column",
                  "column " + qualified(ref->table.name, col.name) + " not found" +
                      (near.empty() ? " in " + where + " (columns: " + list_names(names) + ")"
                                    : "; did you mean " + qualified(ref->table.name, near) + "?"),
                  ref->pos);
            info.column = push_use(use_of(in, nullptr, col.name, ctx.clause, ctx.scope, ref->pos), outer);
            return info;
          }
          if (with.size() > 1) {
            error("ambiguous column",
                  "ambiguous column name: " + qualified(ref->table.name, col.name) + " (" +
                      std::string(ref->table.name) + " names " + std::to_string(with.size()) +
                      " tables here; give each its own alias)",
                  ref->pos);
          }
          info.column =
              push_use(use_of(insts_[with[0].first], with[0].second, col.name, ctx.clause, ctx.scope, ref->pos), outer);
          return info;
        }
        s = scopes_[s].lookup_parent;
        outer = true;
      }
      // Not found: explain (an aliased table named by its table name is a common slip).
      std::vector<std::string> names;
      std::string hint;
      for (s = ctx.scope; s >= 0; s = scopes_[s].lookup_parent) {
        for (int id : scopes_[s].insts) {
          const Inst& in = insts_[id];
          if (!in.match_name.empty()) names.emplace_back(in.match_name);
          if (hint.empty() && in.table != nullptr && text::iequals(in.table->name, ref->table.name)) {
            hint = "table " + in.table->name + " is aliased as " + std::string(in.match_name) + " here; use " +
                   qualified(in.match_name, col.name);
          }
        }
      }
      std::string near = nearest(ref->table.name, names);
      std::string msg = "no table or alias named " + std::string(ref->table.name) + " for column " +
                        qualified(ref->table.name, col.name) + "; ";
      if (!hint.empty())
        msg += hint;
      else if (!near.empty())
        msg += "did you mean " + qualified(near, col.name) + "?";
      else
        msg += "tables here: " + list_names(names);
      error("unknown qualifier", msg, ref->pos);
      ColumnUse u;
      u.column = std::string(col.name);
      u.clause = ctx.clause;
      u.scope = ctx.scope;
      u.pos = ref->pos;
      info.column = push_use(std::move(u), false);
      return info;
    }

    // Unqualified.
    bool aliases = alias_allowed(ctx.clause);
    if (aliases && ctx.clause == Clause::kOrderBy && find_alias(ctx.scope, col.name, col.quoted) >= 0) {
      return alias_use(ref, ctx, ctx.scope);
    }
    bool outer = false;
    Clause clause_here = ctx.clause;
    for (int s = ctx.scope; s >= 0; s = scopes_[s].lookup_parent) {
      std::vector<std::pair<int, const OutCol*>> found;
      int open_inst = -1;
      for (int id : scopes_[s].insts) {
        const Inst& in = insts_[id];
        if (is_hidden(in, col.name)) continue;
        if (const OutCol* c = column_of(in, col.name, col.quoted)) {
          found.emplace_back(id, c);
        } else if (in.open && open_inst < 0) {
          open_inst = id;
        }
      }
      if (found.empty()) {
        for (int id : scopes_[s].insts) {
          if (implicit_column(col.name, &insts_[id])) {
            found.emplace_back(id, nullptr);
            break;
          }
        }
      }
      if (found.size() > 1) {
        std::string list;
        for (size_t i = 0; i < found.size(); ++i) {
          const Inst& in = insts_[found[i].first];
          if (i) list += ", ";
          list += qualified(in.match_name.empty() ? std::string_view("(subquery)") : in.match_name,
                            found[i].second ? std::string_view(found[i].second->name) : col.name);
        }
        error("ambiguous column", "ambiguous column name: " + std::string(col.name) + " (" + list + ")", ref->pos);
      }
      if (!found.empty()) {
        const Inst& in = insts_[found[0].first];
        info.column = push_use(use_of(in, found[0].second, col.name, ctx.clause, ctx.scope, ref->pos), outer);
        return info;
      }
      if (open_inst >= 0) {
        info.column = push_use(use_of(insts_[open_inst], nullptr, col.name, ctx.clause, ctx.scope, ref->pos), outer);
        return info;
      }
      bool aliases_here = s == ctx.scope ? aliases : alias_allowed(clause_here);
      if (aliases_here && find_alias(s, col.name, col.quoted) >= 0) return alias_use(ref, ctx, s);
      clause_here = scopes_[s].lookup_clause;
      outer = true;
    }
    if (bare_pseudo_column(col.name) || implicit_column(col.name, nullptr)) {
      ColumnUse u;
      u.column = std::string(col.name);
      u.clause = ctx.clause;
      u.scope = ctx.scope;
      u.pos = ref->pos;
      push_use(std::move(u), false);
      return info;
    }
    // SQLite: an unknown "identifier" is the string 'identifier'.
    if (dialect_ == Dialect::kSqlite && col.quoted && ref->pos < ast_.source().size() &&
        ast_.source()[ref->pos] == '"') {
      diag(Diagnostic::Severity::kWarning, "double-quoted string",
           "\"" + std::string(col.name) + "\" is not a column; SQLite reads it as the string '" +
               std::string(col.name) + "'",
           ref->pos);
      if (ctx.record_literals) info.literal = record_literal(col.name, LiteralKind::kString, ref->pos, ctx);
      return info;
    }
    std::vector<std::string> names;
    for (int s = ctx.scope; s >= 0; s = scopes_[s].lookup_parent) {
      for (int id : scopes_[s].insts) {
        for (const OutCol& c : insts_[id].cols) names.push_back(c.name);
      }
    }
    if (aliases && scopes_[ctx.scope].select != nullptr) {
      for (const SelectItem& item : scopes_[ctx.scope].select->items) {
        if (!item.alias.empty()) names.emplace_back(item.alias.name);
      }
    }
    std::string near = nearest(col.name, names);
    std::string msg = "column " + std::string(col.name) + " not found";
    if (!aliases && find_alias(ctx.scope, col.name, col.quoted) >= 0) {
      msg += "; " + std::string(col.name) + " is a select-list alias, which " + std::string(dialect_name(dialect_)) +
             " does not accept in " + std::string(clause_name(ctx.clause)) + ": repeat the expression";
    } else if (!near.empty()) {
      msg += "; did you mean " + near + "?";
    } else if (scopes_[ctx.scope].insts.empty()) {
      msg += " (the query has no FROM table)";
    } else {
      msg += " (columns: " + list_names(names) + ")";
    }
    error("unknown column", msg, ref->pos);
    ColumnUse u;
    u.column = std::string(col.name);
    u.clause = ctx.clause;
    u.scope = ctx.scope;
    u.pos = ref->pos;
    info.column = push_use(std::move(u), false);
    return info;
  }

  const Ast& ast_;
  const catalog::Catalog& catalog_;
  Dialect dialect_;
  Analysis out_;
  std::vector<Inst> insts_;
  std::vector<ScopeCtx> scopes_;
  std::vector<CteDef> ctes_;
};

}  // namespace

Analysis analyze_query(const Ast& ast, const Query* query, const catalog::Catalog& catalog) {
  Analyzer a(ast, catalog);
  return a.run(query);
}

Result<Analysis> analyze(const Ast& ast, const catalog::Catalog& catalog) {
  if (ast.size() == 0 || ast.query() == nullptr) {
    std::string kind = ast.size() == 0 ? "empty" : std::string(statement_kind_name(ast.statement().kind));
    return make_error(ErrorCode::kInvalidArgument,
                      "cannot analyse a " + kind + " statement: only queries are analysed");
  }
  return analyze_query(ast, ast.query(), catalog);
}

}  // namespace askguru::sql
