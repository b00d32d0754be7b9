#include "askguru/sql/ast.h"

#include <cstring>

namespace askguru::sql {

Ast::Impl::Impl(std::string_view src, Dialect d) : dialect(d), arena(256 + src.size() * 8) {
  buffer = std::make_unique<char[]>(src.size() + 1);
  if (!src.empty()) std::memcpy(buffer.get(), src.data(), src.size());
  buffer[src.size()] = '\0';
  source = std::string_view(buffer.get(), src.size());
}

Ast::Ast(std::string_view source, Dialect dialect) : impl_(std::make_unique<Impl>(source, dialect)) {}
Ast::~Ast() = default;

Location location_of(std::string_view source, uint32_t offset) {
  Location loc;
  size_t end = offset < source.size() ? offset : source.size();
  for (size_t i = 0; i < end; ++i) {
    unsigned char c = static_cast<unsigned char>(source[i]);
    if (c == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++loc.column;
    }
  }
  return loc;
}

Location Ast::location(uint32_t offset) const { return location_of(source(), offset); }

std::string_view node_kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::kLiteral: return "literal";
    case NodeKind::kColumnRef: return "column_ref";
    case NodeKind::kStar: return "star";
    case NodeKind::kParam: return "param";
    case NodeKind::kUnary: return "unary";
    case NodeKind::kBinary: return "binary";
    case NodeKind::kLike: return "like";
    case NodeKind::kBetween: return "between";
    case NodeKind::kInList: return "in_list";
    case NodeKind::kInQuery: return "in_query";
    case NodeKind::kExists: return "exists";
    case NodeKind::kSubquery: return "subquery";
    case NodeKind::kIsNull: return "is_null";
    case NodeKind::kIsBool: return "is_bool";
    case NodeKind::kCase: return "case";
    case NodeKind::kCast: return "cast";
    case NodeKind::kFunction: return "function";
    case NodeKind::kCollate: return "collate";
    case NodeKind::kRow: return "row";
    case NodeKind::kExtract: return "extract";
    case NodeKind::kTableName: return "table_name";
    case NodeKind::kDerivedTable: return "derived_table";
    case NodeKind::kTableFunction: return "table_function";
    case NodeKind::kJoin: return "join";
    case NodeKind::kSelect: return "select";
    case NodeKind::kSetOp: return "set_op";
    case NodeKind::kValues: return "values";
  }
  return "unknown";
}

std::string_view statement_kind_name(StatementKind kind) {
  switch (kind) {
    case StatementKind::kSelect: return "select";
    case StatementKind::kInsert: return "insert";
    case StatementKind::kUpdate: return "update";
    case StatementKind::kDelete: return "delete";
    case StatementKind::kReplace: return "replace";
    case StatementKind::kMerge: return "merge";
    case StatementKind::kSelectInto: return "select_into";
    case StatementKind::kCreate: return "create";
    case StatementKind::kDrop: return "drop";
    case StatementKind::kAlter: return "alter";
    case StatementKind::kTruncate: return "truncate";
    case StatementKind::kRename: return "rename";
    case StatementKind::kComment: return "comment";
    case StatementKind::kPragma: return "pragma";
    case StatementKind::kAttach: return "attach";
    case StatementKind::kDetach: return "detach";
    case StatementKind::kBegin: return "begin";
    case StatementKind::kCommit: return "commit";
    case StatementKind::kRollback: return "rollback";
    case StatementKind::kSavepoint: return "savepoint";
    case StatementKind::kRelease: return "release";
    case StatementKind::kVacuum: return "vacuum";
    case StatementKind::kAnalyze: return "analyze";
    case StatementKind::kReindex: return "reindex";
    case StatementKind::kGrant: return "grant";
    case StatementKind::kRevoke: return "revoke";
    case StatementKind::kSet: return "set";
    case StatementKind::kShow: return "show";
    case StatementKind::kReset: return "reset";
    case StatementKind::kCall: return "call";
    case StatementKind::kExplain: return "explain";
    case StatementKind::kLock: return "lock";
    case StatementKind::kCopy: return "copy";
    case StatementKind::kBlock: return "block";
    case StatementKind::kOther: return "other";
  }
  return "other";
}

bool is_read_only_kind(StatementKind kind) {
  return kind == StatementKind::kSelect || kind == StatementKind::kShow;
}

// ---------------------------------------------------------------- equality
namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
    if (x != y) return false;
  }
  return true;
}

bool eq(const Identifier& a, const Identifier& b) { return a.name == b.name && a.quoted == b.quoted; }

bool eq(const List<Identifier>& a, const List<Identifier>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!eq(a[i], b[i])) return false;
  }
  return true;
}

bool eq_exprs(const List<Expr*>& a, const List<Expr*>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!equal(a[i], b[i])) return false;
  }
  return true;
}

bool eq_order(const List<OrderItem>& a, const List<OrderItem>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto dir = [](OrderItem::Direction d) { return d == OrderItem::Direction::kDesc; };
    if (dir(a[i].direction) != dir(b[i].direction) || a[i].nulls != b[i].nulls || !equal(a[i].expr, b[i].expr))
      return false;
  }
  return true;
}

bool eq_type(const TypeName& a, const TypeName& b) {
  if (a.name != b.name || a.array_dims != b.array_dims || a.params.size() != b.params.size()) return false;
  for (size_t i = 0; i < a.params.size(); ++i) {
    if (a.params[i] != b.params[i]) return false;
  }
  return true;
}

bool eq_bound(const FrameBound& a, const FrameBound& b) { return a.kind == b.kind && equal(a.offset, b.offset); }

bool eq_window(const WindowSpec* a, const WindowSpec* b) {
  if (a == nullptr || b == nullptr) return a == b;
  if (!eq(a->base, b->base) || !eq_exprs(a->partition_by, b->partition_by) || !eq_order(a->order_by, b->order_by))
    return false;
  if (a->frame == nullptr || b->frame == nullptr) return a->frame == b->frame;
  const Frame& x = *a->frame;
  const Frame& y = *b->frame;
  return x.unit == y.unit && x.between == y.between && eq_bound(x.start, y.start) &&
         (!x.between || eq_bound(x.end, y.end)) && x.exclude == y.exclude;
}

bool eq_alias(const Alias& a, const Alias& b) { return eq(a.name, b.name) && eq(a.columns, b.columns); }

bool limit_empty(const Limit* l) {
  return l == nullptr || (l->count == nullptr && l->offset == nullptr && !l->percent && !l->with_ties);
}

bool eq_limit(const Limit* a, const Limit* b) {
  if (limit_empty(a) || limit_empty(b)) return limit_empty(a) && limit_empty(b);
  return equal(a->count, b->count) && equal(a->offset, b->offset) && a->percent == b->percent &&
         a->with_ties == b->with_ties;
}

bool eq_with(const With* a, const With* b) {
  if (a == nullptr || b == nullptr) return a == b;
  if (a->recursive != b->recursive || a->ctes.size() != b->ctes.size()) return false;
  for (size_t i = 0; i < a->ctes.size(); ++i) {
    const Cte& x = a->ctes[i];
    const Cte& y = b->ctes[i];
    if (!eq(x.name, y.name) || !eq(x.columns, y.columns) || x.materialized != y.materialized ||
        x.modifying_kind != y.modifying_kind || x.modifying_text != y.modifying_text || !equal(x.query, y.query))
      return false;
  }
  return true;
}

}  // namespace

bool equal(const Expr* a, const Expr* b) {
  if (a == nullptr || b == nullptr) return a == b;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case NodeKind::kLiteral: {
      auto* x = static_cast<const Literal*>(a);
      auto* y = static_cast<const Literal*>(b);
      return x->literal_kind == y->literal_kind && x->text == y->text && x->type_name == y->type_name &&
             x->qualifier == y->qualifier;
    }
    case NodeKind::kColumnRef: {
      auto* x = static_cast<const ColumnRef*>(a);
      auto* y = static_cast<const ColumnRef*>(b);
      return eq(x->schema, y->schema) && eq(x->table, y->table) && eq(x->column, y->column) &&
             x->outer_join_marker == y->outer_join_marker;
    }
    case NodeKind::kStar: {
      auto* x = static_cast<const Star*>(a);
      auto* y = static_cast<const Star*>(b);
      return eq(x->schema, y->schema) && eq(x->table, y->table);
    }
    case NodeKind::kParam: return static_cast<const Param*>(a)->text == static_cast<const Param*>(b)->text;
    case NodeKind::kUnary: {
      auto* x = static_cast<const Unary*>(a);
      auto* y = static_cast<const Unary*>(b);
      return x->op == y->op && equal(x->operand, y->operand);
    }
    case NodeKind::kBinary: {
      auto* x = static_cast<const Binary*>(a);
      auto* y = static_cast<const Binary*>(b);
      return x->op == y->op && x->op_text == y->op_text && equal(x->left, y->left) && equal(x->right, y->right);
    }
    case NodeKind::kLike: {
      auto* x = static_cast<const Like*>(a);
      auto* y = static_cast<const Like*>(b);
      return x->op == y->op && x->negated == y->negated && equal(x->value, y->value) &&
             equal(x->pattern, y->pattern) && equal(x->escape, y->escape);
    }
    case NodeKind::kBetween: {
      auto* x = static_cast<const Between*>(a);
      auto* y = static_cast<const Between*>(b);
      return x->negated == y->negated && equal(x->value, y->value) && equal(x->low, y->low) &&
             equal(x->high, y->high);
    }
    case NodeKind::kInList: {
      auto* x = static_cast<const InList*>(a);
      auto* y = static_cast<const InList*>(b);
      return x->negated == y->negated && equal(x->value, y->value) && eq_exprs(x->items, y->items);
    }
    case NodeKind::kInQuery: {
      auto* x = static_cast<const InQuery*>(a);
      auto* y = static_cast<const InQuery*>(b);
      return x->negated == y->negated && equal(x->value, y->value) && equal(x->query, y->query);
    }
    case NodeKind::kExists: {
      auto* x = static_cast<const Exists*>(a);
      auto* y = static_cast<const Exists*>(b);
      return x->negated == y->negated && equal(x->query, y->query);
    }
    case NodeKind::kSubquery: {
      auto* x = static_cast<const Subquery*>(a);
      auto* y = static_cast<const Subquery*>(b);
      return x->quantifier == y->quantifier && equal(x->query, y->query);
    }
    case NodeKind::kIsNull: {
      auto* x = static_cast<const IsNull*>(a);
      auto* y = static_cast<const IsNull*>(b);
      return x->negated == y->negated && equal(x->value, y->value);
    }
    case NodeKind::kIsBool: {
      auto* x = static_cast<const IsBool*>(a);
      auto* y = static_cast<const IsBool*>(b);
      return x->negated == y->negated && x->truth == y->truth && equal(x->value, y->value);
    }
    case NodeKind::kCase: {
      auto* x = static_cast<const Case*>(a);
      auto* y = static_cast<const Case*>(b);
      if (!equal(x->operand, y->operand) || !equal(x->else_result, y->else_result) ||
          x->whens.size() != y->whens.size())
        return false;
      for (size_t i = 0; i < x->whens.size(); ++i) {
        if (!equal(x->whens[i].condition, y->whens[i].condition) || !equal(x->whens[i].result, y->whens[i].result))
          return false;
      }
      return true;
    }
    case NodeKind::kCast: {
      auto* x = static_cast<const Cast*>(a);
      auto* y = static_cast<const Cast*>(b);
      bool x_try = x->syntax == CastSyntax::kTryCast;
      bool y_try = y->syntax == CastSyntax::kTryCast;
      return x_try == y_try && eq_type(x->type, y->type) && equal(x->value, y->value);
    }
    case NodeKind::kFunction: {
      auto* x = static_cast<const Function*>(a);
      auto* y = static_cast<const Function*>(b);
      return iequal(x->name.name, y->name.name) && iequal(x->schema.name, y->schema.name) &&
             x->distinct == y->distinct && x->star == y->star && eq_exprs(x->args, y->args) &&
             eq_order(x->order_by, y->order_by) && eq_order(x->within_group, y->within_group) &&
             equal(x->filter, y->filter) && eq_window(x->over, y->over) && eq(x->over_name, y->over_name);
    }
    case NodeKind::kCollate: {
      auto* x = static_cast<const Collate*>(a);
      auto* y = static_cast<const Collate*>(b);
      return iequal(x->collation.name, y->collation.name) && equal(x->value, y->value);
    }
    case NodeKind::kRow: return eq_exprs(static_cast<const Row*>(a)->items, static_cast<const Row*>(b)->items);
    case NodeKind::kExtract: {
      auto* x = static_cast<const Extract*>(a);
      auto* y = static_cast<const Extract*>(b);
      return x->field == y->field && equal(x->value, y->value);
    }
    default: return false;
  }
}

bool equal(const TableRef* a, const TableRef* b) {
  if (a == nullptr || b == nullptr) return a == b;
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case NodeKind::kTableName: {
      auto* x = static_cast<const TableName*>(a);
      auto* y = static_cast<const TableName*>(b);
      return eq(x->schema, y->schema) && eq(x->name, y->name) && eq_alias(x->alias, y->alias) && x->only == y->only;
    }
    case NodeKind::kDerivedTable: {
      auto* x = static_cast<const DerivedTable*>(a);
      auto* y = static_cast<const DerivedTable*>(b);
      return x->lateral == y->lateral && eq_alias(x->alias, y->alias) && equal(x->query, y->query);
    }
    case NodeKind::kTableFunction: {
      auto* x = static_cast<const TableFunction*>(a);
      auto* y = static_cast<const TableFunction*>(b);
      return x->lateral == y->lateral && eq_alias(x->alias, y->alias) && equal(x->call, y->call);
    }
    case NodeKind::kJoin: {
      auto* x = static_cast<const JoinRef*>(a);
      auto* y = static_cast<const JoinRef*>(b);
      return x->type == y->type && x->natural == y->natural && equal(x->left, y->left) &&
             equal(x->right, y->right) && equal(x->on, y->on) && eq(x->using_columns, y->using_columns);
    }
    default: return false;
  }
}

// Oracle's FROM DUAL is spelling for "no FROM" (the printer adds and drops it by dialect).
static const TableRef* from_without_dual(const TableRef* from) {
  auto* t = from == nullptr ? nullptr : from->as<TableName>();
  bool dual = t != nullptr && t->schema.empty() && !t->name.quoted && !t->alias.present() && iequal(t->name.name, "DUAL");
  return dual ? nullptr : from;
}

bool equal(const Query* a, const Query* b) {
  if (a == nullptr || b == nullptr) return a == b;
  if (a->kind != b->kind) return false;
  if (!eq_with(a->with, b->with) || !eq_order(a->order_by, b->order_by) || a->order_siblings != b->order_siblings ||
      !eq_limit(a->limit, b->limit) || a->for_update != b->for_update)
    return false;
  switch (a->kind) {
    case NodeKind::kSelect: {
      auto* x = static_cast<const SelectQuery*>(a);
      auto* y = static_cast<const SelectQuery*>(b);
      auto norm = [](Distinct d) { return d == Distinct::kAll ? Distinct::kNone : d; };
      if (norm(x->distinct) != norm(y->distinct) || !eq_exprs(x->distinct_on, y->distinct_on) ||
          x->items.size() != y->items.size() || x->has_into != y->has_into)
        return false;
      for (size_t i = 0; i < x->items.size(); ++i) {
        if (!equal(x->items[i].expr, y->items[i].expr) || !eq(x->items[i].alias, y->items[i].alias)) return false;
      }
      if (!equal(from_without_dual(x->from), from_without_dual(y->from)) || !equal(x->where, y->where) || !equal(x->start_with, y->start_with) ||
          !equal(x->connect_by, y->connect_by) || x->nocycle != y->nocycle || !eq_exprs(x->group_by, y->group_by) ||
          !equal(x->having, y->having) || x->windows.size() != y->windows.size())
        return false;
      for (size_t i = 0; i < x->windows.size(); ++i) {
        if (!eq(x->windows[i].name, y->windows[i].name) || !eq_window(x->windows[i].spec, y->windows[i].spec))
          return false;
      }
      return true;
    }
    case NodeKind::kSetOp: {
      auto* x = static_cast<const SetOpQuery*>(a);
      auto* y = static_cast<const SetOpQuery*>(b);
      return x->op == y->op && x->all == y->all && equal(x->left, y->left) && equal(x->right, y->right);
    }
    case NodeKind::kValues: {
      auto* x = static_cast<const ValuesQuery*>(a);
      auto* y = static_cast<const ValuesQuery*>(b);
      if (x->rows.size() != y->rows.size()) return false;
      for (size_t i = 0; i < x->rows.size(); ++i) {
        if (!eq_exprs(x->rows[i], y->rows[i])) return false;
      }
      return true;
    }
    default: return false;
  }
}

bool equal(const Statement& a, const Statement& b) {
  if (a.kind != b.kind || a.object_type != b.object_type || a.explain_analyze != b.explain_analyze) return false;
  if ((a.explained == nullptr) != (b.explained == nullptr)) return false;
  if (a.explained != nullptr) return equal(*a.explained, *b.explained);
  if (a.query != nullptr || b.query != nullptr) return equal(a.query, b.query);
  return a.text == b.text;
}

bool equal(const Ast& a, const Ast& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!equal(a.statements()[i], b.statements()[i])) return false;
  }
  return true;
}

}  // namespace askguru::sql
