// for_each_child(): the one generic walk over the AST (included by ast.h; do not include alone).
#pragma once

namespace askguru::sql {

namespace walk_detail {

template <typename Fn>
void visit(const Node* n, Fn& fn) {
  if (n != nullptr) fn(n);
}

template <typename Fn>
void visit_list(const List<Expr*>& list, Fn& fn) {
  for (const Expr* e : list) visit(e, fn);
}

template <typename Fn>
void visit_order(const List<OrderItem>& list, Fn& fn) {
  for (const OrderItem& o : list) visit(o.expr, fn);
}

template <typename Fn>
void visit_window(const WindowSpec* w, Fn& fn) {
  if (w == nullptr) return;
  visit_list(w->partition_by, fn);
  visit_order(w->order_by, fn);
  if (w->frame != nullptr) {
    visit(w->frame->start.offset, fn);
    visit(w->frame->end.offset, fn);
  }
}

template <typename Fn>
void visit_query_common(const Query* q, Fn& fn) {
  if (q->with != nullptr) {
    for (const Cte& c : q->with->ctes) visit(c.query, fn);
  }
}

template <typename Fn>
void visit_query_tail(const Query* q, Fn& fn) {
  visit_order(q->order_by, fn);
  if (q->limit != nullptr) {
    visit(q->limit->count, fn);
    visit(q->limit->offset, fn);
  }
}

}  // namespace walk_detail

template <typename Fn>
void for_each_child(const Node* node, Fn&& fn) {
  using namespace walk_detail;
  switch (node->kind) {
    case NodeKind::kLiteral:
    case NodeKind::kColumnRef:
    case NodeKind::kStar:
    case NodeKind::kParam:
    case NodeKind::kTableName: return;
    case NodeKind::kUnary: visit(static_cast<const Unary*>(node)->operand, fn); return;
    case NodeKind::kBinary: {
      auto* b = static_cast<const Binary*>(node);
      visit(b->left, fn);
      visit(b->right, fn);
      return;
    }
    case NodeKind::kLike: {
      auto* l = static_cast<const Like*>(node);
      visit(l->value, fn);
      visit(l->pattern, fn);
      visit(l->escape, fn);
      return;
    }
    case NodeKind::kBetween: {
      auto* b = static_cast<const Between*>(node);
      visit(b->value, fn);
      visit(b->low, fn);
      visit(b->high, fn);
      return;
    }
    case NodeKind::kInList: {
      auto* i = static_cast<const InList*>(node);
      visit(i->value, fn);
      visit_list(i->items, fn);
      return;
    }
    case NodeKind::kInQuery: {
      auto* i = static_cast<const InQuery*>(node);
      visit(i->value, fn);
      visit(i->query, fn);
      return;
    }
    case NodeKind::kExists: visit(static_cast<const Exists*>(node)->query, fn); return;
    case NodeKind::kSubquery: visit(static_cast<const Subquery*>(node)->query, fn); return;
    case NodeKind::kIsNull: visit(static_cast<const IsNull*>(node)->value, fn); return;
    case NodeKind::kIsBool: visit(static_cast<const IsBool*>(node)->value, fn); return;
    case NodeKind::kCase: {
      auto* c = static_cast<const Case*>(node);
      visit(c->operand, fn);
      for (const WhenClause& w : c->whens) {
        visit(w.condition, fn);
        visit(w.result, fn);
      }
      visit(c->else_result, fn);
      return;
    }
    case NodeKind::kCast: visit(static_cast<const Cast*>(node)->value, fn); return;
    case NodeKind::kFunction: {
      auto* f = static_cast<const Function*>(node);
      visit_list(f->args, fn);
      visit_order(f->order_by, fn);
      visit_order(f->within_group, fn);
      visit(f->filter, fn);
      visit_window(f->over, fn);
      return;
    }
    case NodeKind::kCollate: visit(static_cast<const Collate*>(node)->value, fn); return;
    case NodeKind::kRow: visit_list(static_cast<const Row*>(node)->items, fn); return;
    case NodeKind::kExtract: visit(static_cast<const Extract*>(node)->value, fn); return;
    case NodeKind::kDerivedTable: visit(static_cast<const DerivedTable*>(node)->query, fn); return;
    case NodeKind::kTableFunction: visit(static_cast<const TableFunction*>(node)->call, fn); return;
    case NodeKind::kJoin: {
      auto* j = static_cast<const JoinRef*>(node);
      visit(j->left, fn);
      visit(j->right, fn);
      visit(j->on, fn);
      return;
    }
    case NodeKind::kSelect: {
      auto* s = static_cast<const SelectQuery*>(node);
      visit_query_common(s, fn);
      visit_list(s->distinct_on, fn);
      for (const SelectItem& item : s->items) visit(item.expr, fn);
      visit(s->from, fn);
      visit(s->where, fn);
      visit(s->start_with, fn);
      visit(s->connect_by, fn);
      visit_list(s->group_by, fn);
      visit(s->having, fn);
      for (const NamedWindow& w : s->windows) visit_window(w.spec, fn);
      visit_query_tail(s, fn);
      return;
    }
    case NodeKind::kSetOp: {
      auto* s = static_cast<const SetOpQuery*>(node);
      visit_query_common(s, fn);
      visit(s->left, fn);
      visit(s->right, fn);
      visit_query_tail(s, fn);
      return;
    }
    case NodeKind::kValues: {
      auto* v = static_cast<const ValuesQuery*>(node);
      visit_query_common(v, fn);
      for (const List<Expr*>& row : v->rows) visit_list(row, fn);
      visit_query_tail(v, fn);
      return;
    }
  }
}

}  // namespace askguru::sql
