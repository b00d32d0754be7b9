#include "askguru/sql/normalize.h"

#include <algorithm>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "askguru/common/text.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/ast_edit.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace askguru::sql {
namespace {

struct Mode {
  bool mask_literals = false;
  bool mask_columns = false;
  const catalog::Catalog* catalog = nullptr;
};

class Normalizer {
 public:
  Normalizer(Ast& ast, const Mode& mode) : ast_(ast), mode_(mode), dialect_(ast.dialect()) {}

  void run() {
    for (Statement& st : ast_.statements()) {
      if (st.query == nullptr) continue;
      if (mode_.catalog != nullptr && dialect_ == Dialect::kSqlite) find_string_identifiers(st.query);
      strings_to_literals(st.query);
      rename_query(st.query);
      fold(st.query);
      if (mode_.mask_literals || mode_.mask_columns) mask(st.query);
      sort(st.query);
    }
  }

 private:
  // ------------------------------------------------------------ helpers
  std::string_view lower_copy(std::string_view s) { return ast_.arena().copy(text::to_lower(s)); }
  std::string_view fresh_name(const char* prefix, int n) {
    std::string s(prefix);
    s.append(std::to_string(n));  // (not prefix + to_string: g++ 12 -Wrestrict false positive)
    return ast_.arena().copy(s);
  }

  void fold_id(Identifier& id) {
    if (id.empty()) return;
    if (dialect_ == Dialect::kPostgres && id.quoted) return;
    id.name = lower_copy(id.name);
    if (id.quoted && !identifier_needs_quotes(id.name)) id.quoted = false;
  }

  std::string key(const Expr* e) const { return print(e, PrintOptions{dialect_, true}); }

  // Sort key of a comparison operand: values (literals, placeholders) after everything else.
  std::string operand_key(const Expr* e) const {
    bool value = e->kind == NodeKind::kLiteral || e->kind == NodeKind::kParam ||
                 (e->kind == NodeKind::kUnary && static_cast<const Unary*>(e)->operand->kind == NodeKind::kLiteral);
    std::string k(1, value ? '1' : '0');
    k += key(e);
    return k;
  }

  template <typename Fn>
  void walk_all(Node* n, Fn& fn) {
    fn(n);
    for_each_slot(n, [&](auto*& slot) { walk_all(slot, fn); });
  }

  // ------------------------------------------------------------ 4: double-quoted strings
  void find_string_identifiers(Query* q) {
    Analysis a = analyze_query(ast_, q, *mode_.catalog);
    for (const Diagnostic& d : a.diagnostics) {
      if (d.kind == "double-quoted string") string_positions_.insert(d.pos);
    }
  }

  void strings_to_literals(Node* n) {
    if (string_positions_.empty()) return;
    for_each_slot(n, [&](auto*& slot) {
      using T = std::remove_pointer_t<std::remove_reference_t<decltype(slot)>>;
      if constexpr (std::is_same_v<T, Expr>) {
        if (auto* c = slot->template as<ColumnRef>();
            c != nullptr && c->table.empty() && c->column.quoted && string_positions_.count(c->pos) != 0) {
          auto* lit = ast_.arena().make<Literal>();
          lit->pos = c->pos;
          lit->literal_kind = LiteralKind::kString;
          lit->text = c->column.name;
          slot = lit;
          return;
        }
      }
      strings_to_literals(slot);
    });
  }

  // ------------------------------------------------------------ 2: aliases and CTE names
  struct Name {
    std::string old_lower;
    std::string_view new_name;
  };

  std::string_view lookup(const std::vector<Name>& names, std::string_view old) const {
    std::string l = text::to_lower(old);
    for (auto it = names.rbegin(); it != names.rend(); ++it) {
      if (it->old_lower == l) return it->new_name;
    }
    return {};
  }

  void rename_query(Query* q) {
    size_t cte_mark = ctes_.size();
    if (q->with != nullptr) {
      for (Cte& c : q->with->ctes) {
        std::string_view fresh = fresh_name("cte", ++cte_count_);
        ctes_.push_back({text::to_lower(c.name.name), fresh});
        if (c.query != nullptr) rename_query(c.query);
        c.name = Identifier{fresh, false};
      }
    }
    switch (q->kind) {
      case NodeKind::kSelect: rename_select(static_cast<SelectQuery*>(q)); break;
      case NodeKind::kSetOp: {
        auto* s = static_cast<SetOpQuery*>(q);
        rename_query(s->left);
        rename_query(s->right);
        break;
      }
      default: break;
    }
    if (q->kind != NodeKind::kSelect) {
      for (OrderItem& o : q->order_by) rename_expr(o.expr);
      if (q->kind == NodeKind::kValues) {
        for (List<Expr*>& row : static_cast<ValuesQuery*>(q)->rows) {
          for (Expr*& e : row) rename_expr(e);
        }
      }
      if (q->limit != nullptr) {
        if (q->limit->count) rename_expr(q->limit->count);
        if (q->limit->offset) rename_expr(q->limit->offset);
      }
    }
    ctes_.resize(cte_mark);
  }

  void assign_aliases(TableRef* t, std::vector<Name>& scope) {
    switch (t->kind) {
      case NodeKind::kTableName: {
        auto* tn = static_cast<TableName*>(t);
        std::string_view cte = tn->schema.empty() ? lookup(ctes_, tn->name.name) : std::string_view();
        if (tn->alias.present()) {
          std::string_view fresh = fresh_name("t", ++alias_count_);
          scope.push_back({text::to_lower(tn->alias.name.name), fresh});
          tn->alias.name = Identifier{fresh, false};
        } else if (!cte.empty()) {
          scope.push_back({text::to_lower(tn->name.name), cte});
        }
        if (!cte.empty()) tn->name = Identifier{cte, false};
        return;
      }
      case NodeKind::kDerivedTable: {
        auto* d = static_cast<DerivedTable*>(t);
        if (d->alias.present()) {
          std::string_view fresh = fresh_name("t", ++alias_count_);
          scope.push_back({text::to_lower(d->alias.name.name), fresh});
          d->alias.name = Identifier{fresh, false};
        }
        return;
      }
      case NodeKind::kTableFunction: {
        auto* f = static_cast<TableFunction*>(t);
        if (f->alias.present()) {
          std::string_view fresh = fresh_name("t", ++alias_count_);
          scope.push_back({text::to_lower(f->alias.name.name), fresh});
          f->alias.name = Identifier{fresh, false};
        }
        return;
      }
      case NodeKind::kJoin: {
        auto* j = static_cast<JoinRef*>(t);
        assign_aliases(j->left, scope);
        assign_aliases(j->right, scope);
        return;
      }
      default: return;
    }
  }

  void rename_from_exprs(TableRef* t) {
    switch (t->kind) {
      case NodeKind::kDerivedTable: rename_query(static_cast<DerivedTable*>(t)->query); return;
      case NodeKind::kTableFunction: {
        for (Expr*& a : static_cast<TableFunction*>(t)->call->args) rename_expr(a);
        return;
      }
      case NodeKind::kJoin: {
        auto* j = static_cast<JoinRef*>(t);
        rename_from_exprs(j->left);
        rename_from_exprs(j->right);
        if (j->on != nullptr) rename_expr(j->on);
        return;
      }
      default: return;
    }
  }

  void rename_select(SelectQuery* s) {
    std::vector<Name> scope;
    if (s->from != nullptr) assign_aliases(s->from, scope);
    size_t mark = aliases_.size();
    aliases_.insert(aliases_.end(), scope.begin(), scope.end());
    if (s->from != nullptr) rename_from_exprs(s->from);
    for (Expr*& e : s->distinct_on) rename_expr(e);
    for (SelectItem& item : s->items) rename_expr(item.expr);
    if (s->where) rename_expr(s->where);
    if (s->start_with) rename_expr(s->start_with);
    if (s->connect_by) rename_expr(s->connect_by);
    for (Expr*& e : s->group_by) rename_expr(e);
    if (s->having) rename_expr(s->having);
    for (NamedWindow& w : s->windows) rename_window(w.spec);
    for (OrderItem& o : s->order_by) rename_expr(o.expr);
    if (s->limit != nullptr) {
      if (s->limit->count) rename_expr(s->limit->count);
      if (s->limit->offset) rename_expr(s->limit->offset);
    }
    aliases_.resize(mark);
  }

  void rename_window(WindowSpec* w) {
    if (w == nullptr) return;
    for (Expr*& e : w->partition_by) rename_expr(e);
    for (OrderItem& o : w->order_by) rename_expr(o.expr);
  }

  void rename_qualifier(Identifier& table, const Identifier& schema) {
    if (table.empty() || !schema.empty()) return;
    std::string_view fresh = lookup(aliases_, table.name);
    if (!fresh.empty()) table = Identifier{fresh, false};
  }

  void rename_expr(Expr* e) {
    if (auto* c = e->as<ColumnRef>()) {
      rename_qualifier(c->table, c->schema);
      return;
    }
    if (auto* s = e->as<Star>()) {
      rename_qualifier(s->table, s->schema);
      return;
    }
    for_each_slot(e, [&](auto*& slot) {
      using T = std::remove_pointer_t<std::remove_reference_t<decltype(slot)>>;
      if constexpr (std::is_same_v<T, Query>) {
        rename_query(slot);
      } else if constexpr (std::is_same_v<T, Expr>) {
        rename_expr(slot);
      }
    });
  }

  // ------------------------------------------------------------ 1: case folding
  void fold(Node* root) {
    auto fn = [&](Node* n) {
      switch (n->kind) {
        case NodeKind::kColumnRef: {
          auto* c = static_cast<ColumnRef*>(n);
          // A bare double-quoted name may be SQLite's string: keep it as written.
          // (With a catalog the strings are literals already.)
          bool maybe_string = mode_.catalog == nullptr && dialect_ == Dialect::kSqlite && c->table.empty() &&
                              c->column.quoted && c->pos < ast_.source().size() && ast_.source()[c->pos] == '"';
          fold_id(c->schema);
          fold_id(c->table);
          if (!maybe_string) fold_id(c->column);
          break;
        }
        case NodeKind::kStar: {
          auto* s = static_cast<Star*>(n);
          fold_id(s->schema);
          fold_id(s->table);
          break;
        }
        case NodeKind::kTableName: {
          auto* t = static_cast<TableName*>(n);
          fold_id(t->schema);
          fold_id(t->name);
          fold_alias(t->alias);
          break;
        }
        case NodeKind::kDerivedTable: fold_alias(static_cast<DerivedTable*>(n)->alias); break;
        case NodeKind::kTableFunction: fold_alias(static_cast<TableFunction*>(n)->alias); break;
        case NodeKind::kJoin:
          for (Identifier& id : static_cast<JoinRef*>(n)->using_columns) fold_id(id);
          break;
        case NodeKind::kFunction: fold_id(static_cast<Function*>(n)->over_name); break;
        case NodeKind::kSelect:
        case NodeKind::kSetOp:
        case NodeKind::kValues: {
          auto* q = static_cast<Query*>(n);
          if (q->with != nullptr) {
            for (Cte& c : q->with->ctes) {
              fold_id(c.name);
              for (Identifier& id : c.columns) fold_id(id);
            }
          }
          if (auto* s = q->as<SelectQuery>()) {
            for (SelectItem& item : s->items) fold_id(item.alias);
            for (NamedWindow& w : s->windows) fold_id(w.name);
          }
          break;
        }
        default: break;
      }
    };
    walk_all(root, fn);
  }

  void fold_alias(Alias& a) {
    fold_id(a.name);
    for (Identifier& id : a.columns) fold_id(id);
  }

  // ------------------------------------------------------------ skeleton masking
  void protect(Query* q) {
    if (q->limit != nullptr) {
      protected_.insert(q->limit->count);
      protected_.insert(q->limit->offset);
    }
    for (OrderItem& o : q->order_by) {
      if (o.expr->kind == NodeKind::kLiteral) protected_.insert(o.expr);
    }
    if (auto* s = q->as<SelectQuery>()) {
      for (Expr* e : s->group_by) {
        if (e->kind == NodeKind::kLiteral) protected_.insert(e);
      }
    }
  }

  bool maskable_literal(const Expr* e) const {
    if (protected_.count(e) != 0) return false;
    if (auto* l = e->as<Literal>()) {
      switch (l->literal_kind) {
        case LiteralKind::kNull:
        case LiteralKind::kCurrentDate:
        case LiteralKind::kCurrentTime:
        case LiteralKind::kCurrentTimestamp: return false;
        default: return true;
      }
    }
    if (auto* u = e->as<Unary>()) {
      return (u->op == UnaryOp::kNeg || u->op == UnaryOp::kPlus) && u->operand != nullptr &&
             u->operand->kind == NodeKind::kLiteral;
    }
    return false;
  }

  Expr* placeholder(uint32_t pos) {
    auto* p = ast_.arena().make<Param>();
    p->pos = pos;
    p->text = "?";
    return p;
  }

  void mask(Node* n) {
    if (n->kind == NodeKind::kSelect || n->kind == NodeKind::kSetOp || n->kind == NodeKind::kValues) {
      protect(static_cast<Query*>(n));
    }
    if (mode_.mask_literals) {
      if (auto* in = n->kind == NodeKind::kInList ? static_cast<InList*>(n) : nullptr;
          in != nullptr && !in->items.empty()) {
        bool all = std::all_of(in->items.begin(), in->items.end(), [&](const Expr* e) { return maskable_literal(e); });
        if (all) {
          in->items.count = 1;
          in->items[0] = placeholder(in->items[0]->pos);
        }
      }
    }
    for_each_slot(n, [&](auto*& slot) {
      using T = std::remove_pointer_t<std::remove_reference_t<decltype(slot)>>;
      if constexpr (std::is_same_v<T, Expr>) {
        if (mode_.mask_literals && maskable_literal(slot)) {
          slot = placeholder(slot->pos);
          return;
        }
        if (mode_.mask_columns) {
          if (auto* c = slot->template as<ColumnRef>()) {
            c->schema = {};
            c->table = {};
            c->column = Identifier{"_", false};
            return;
          }
        }
      }
      mask(slot);
    });
  }

  // ------------------------------------------------------------ 3: commutative operands
  static bool is_chain(const Expr* e, BinaryOp op) {
    auto* b = e->as<Binary>();
    return b != nullptr && b->op == op;
  }

  void collect_chain(Binary* b, BinaryOp op, std::vector<Expr*>& leaves, std::vector<Binary*>& nodes) {
    nodes.push_back(b);
    for (Expr* side : {b->left, b->right}) {
      if (is_chain(side, op)) {
        collect_chain(static_cast<Binary*>(side), op, leaves, nodes);
      } else {
        leaves.push_back(side);
      }
    }
  }

  void sort(Node* n) {
    for_each_slot(n, [&](auto*& slot) { sort(slot); });
    auto* b = n->kind == NodeKind::kBinary ? static_cast<Binary*>(n) : nullptr;
    if (b == nullptr) return;
    switch (b->op) {
      case BinaryOp::kAnd:
      case BinaryOp::kOr: {
        std::vector<Expr*> leaves;
        std::vector<Binary*> nodes;
        collect_chain(b, b->op, leaves, nodes);
        std::vector<std::pair<std::string, Expr*>> keyed;
        for (Expr* e : leaves) keyed.emplace_back(key(e), e);
        std::stable_sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
        // Rebuild left-deep with the same nodes; nodes[0] (b) stays the root.
        size_t k = nodes.size();  // == leaves - 1
        for (size_t i = 0; i < k; ++i) {
          Binary* node = nodes[i];
          node->right = keyed[k - i].second;
          node->left = i + 1 < k ? static_cast<Expr*>(nodes[i + 1]) : keyed[0].second;
        }
        return;
      }
      case BinaryOp::kEq:
      case BinaryOp::kNe:
      case BinaryOp::kIs:
      case BinaryOp::kIsNot:
      case BinaryOp::kIsDistinctFrom:
      case BinaryOp::kIsNotDistinctFrom:
        if (operand_key(b->right) < operand_key(b->left)) std::swap(b->left, b->right);
        return;
      case BinaryOp::kLt:
      case BinaryOp::kLe:
        if (operand_key(b->right) < operand_key(b->left)) {
          std::swap(b->left, b->right);
          b->op = b->op == BinaryOp::kLt ? BinaryOp::kGt : BinaryOp::kGe;
        }
        return;
      case BinaryOp::kGt:
      case BinaryOp::kGe:
        if (operand_key(b->right) < operand_key(b->left)) {
          std::swap(b->left, b->right);
          b->op = b->op == BinaryOp::kGt ? BinaryOp::kLt : BinaryOp::kLe;
        }
        return;
      default: return;
    }
  }

  Ast& ast_;
  Mode mode_;
  Dialect dialect_;
  std::set<uint32_t> string_positions_;
  std::set<const Expr*> protected_;
  std::vector<Name> ctes_;
  std::vector<Name> aliases_;
  int alias_count_ = 0;
  int cte_count_ = 0;
};

std::string run(const Ast& ast, const Mode& mode) {
  std::string canon = canonical(ast);
  auto copy = parse(canon, ast.dialect());
  if (!copy.ok()) return canon;  // the printer's round trip is tested; never expected
  Normalizer(*copy, mode).run();
  return print(*copy, PrintOptions{ast.dialect(), true});
}

}  // namespace

std::string normalize(const Ast& ast, const NormalizeOptions& options) {
  Mode mode;
  mode.catalog = options.catalog;
  return run(ast, mode);
}

std::string skeleton(const Ast& ast, const SkeletonOptions& options) {
  Mode mode;
  mode.mask_literals = true;
  mode.mask_columns = options.mask_columns;
  mode.catalog = options.catalog;
  return run(ast, mode);
}

Result<std::string> normalize_sql(std::string_view sql, Dialect dialect, const NormalizeOptions& options) {
  auto ast = parse(sql, dialect);
  if (!ast.ok()) return ast.status();
  return normalize(*ast, options);
}

}  // namespace askguru::sql
