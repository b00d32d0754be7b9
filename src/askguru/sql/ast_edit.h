// for_each_slot(): the mutable twin of for_each_child() (ast_walk.h). It calls
// `fn(slot)` with a reference to each direct child pointer of `node`, typed as it is
// stored (Expr*&, Query*&, TableRef*&, Function*&), so an edit can replace a child
// (e.g. a literal by a placeholder, a condition by another). Null slots are skipped.
// Use a generic lambda: [&](auto*& slot) { ... }.
//
// Thread-safety: mutates the Ast it is given; one thread per Ast.
#pragma once

#include "askguru/sql/ast.h"

namespace askguru::sql {

namespace edit_detail {

template <typename T, typename Fn>
void slot(T*& p, Fn& fn) {
  if (p != nullptr) fn(p);
}

template <typename Fn>
void slot_list(List<Expr*>& list, Fn& fn) {
  for (Expr*& e : list) slot(e, fn);
}

template <typename Fn>
void slot_order(List<OrderItem>& list, Fn& fn) {
  for (OrderItem& o : list) slot(o.expr, fn);
}

template <typename Fn>
void slot_window(WindowSpec* w, Fn& fn) {
  if (w == nullptr) return;
  slot_list(w->partition_by, fn);
  slot_order(w->order_by, fn);
  if (w->frame != nullptr) {
    slot(w->frame->start.offset, fn);
    slot(w->frame->end.offset, fn);
  }
}

template <typename Fn>
void slot_query_common(Query* q, Fn& fn) {
  if (q->with != nullptr) {
    for (Cte& c : q->with->ctes) slot(c.query, fn);
  }
}

template <typename Fn>
void slot_query_tail(Query* q, Fn& fn) {
  slot_order(q->order_by, fn);
  if (q->limit != nullptr) {
    slot(q->limit->count, fn);
    slot(q->limit->offset, fn);
  }
}

}  // namespace edit_detail

template <typename Fn>
void for_each_slot(Node* node, Fn&& fn) {
  using namespace edit_detail;
  switch (node->kind) {
    case NodeKind::kLiteral:
    case NodeKind::kColumnRef:
    case NodeKind::kStar:
    case NodeKind::kParam:
    case NodeKind::kTableName: return;
    case NodeKind::kUnary: slot(static_cast<Unary*>(node)->operand, fn); return;
    case NodeKind::kBinary: {
      auto* b = static_cast<Binary*>(node);
      slot(b->left, fn);
      slot(b->right, fn);
      return;
    }
    case NodeKind::kLike: {
      auto* l = static_cast<Like*>(node);
      slot(l->value, fn);
      slot(l->pattern, fn);
      slot(l->escape, fn);
      return;
    }
    case NodeKind::kBetween: {
      auto* b = static_cast<Between*>(node);
      slot(b->value, fn);
      slot(b->low, fn);
      slot(b->high, fn);
      return;
    }
    case NodeKind::kInList: {
      auto* i = static_cast<InList*>(node);
      slot(i->value, fn);
      slot_list(i->items, fn);
      return;
    }
    case NodeKind::kInQuery: {
      auto* i = static_cast<InQuery*>(node);
      slot(i->value, fn);
      slot(i->query, fn);
      return;
    }
    case NodeKind::kExists: slot(static_cast<Exists*>(node)->query, fn); return;
    case NodeKind::kSubquery: slot(static_cast<Subquery*>(node)->query, fn); return;
    case NodeKind::kIsNull: slot(static_cast<IsNull*>(node)->value, fn); return;
    case NodeKind::kIsBool: slot(static_cast<IsBool*>(node)->value, fn); return;
    case NodeKind::kCase: {
      auto* c = static_cast<Case*>(node);
      slot(c->operand, fn);
      for (WhenClause& w : c->whens) {
        slot(w.condition, fn);
        slot(w.result, fn);
      }
      slot(c->else_result, fn);
      return;
    }
    case NodeKind::kCast: slot(static_cast<Cast*>(node)->value, fn); return;
    case NodeKind::kFunction: {
      auto* f = static_cast<Function*>(node);
      slot_list(f->args, fn);
      slot_order(f->order_by, fn);
      slot_order(f->within_group, fn);
      slot(f->filter, fn);
      slot_window(f->over, fn);
      return;
    }
    case NodeKind::kCollate: slot(static_cast<Collate*>(node)->value, fn); return;
    case NodeKind::kRow: slot_list(static_cast<Row*>(node)->items, fn); return;
    case NodeKind::kExtract: slot(static_cast<Extract*>(node)->value, fn); return;
    case NodeKind::kDerivedTable: slot(static_cast<DerivedTable*>(node)->query, fn); return;
    case NodeKind::kTableFunction: slot(static_cast<TableFunction*>(node)->call, fn); return;
    case NodeKind::kJoin: {
      auto* j = static_cast<JoinRef*>(node);
      slot(j->left, fn);
      slot(j->right, fn);
      slot(j->on, fn);
      return;
    }
    case NodeKind::kSelect: {
      auto* s = static_cast<SelectQuery*>(node);
      slot_query_common(s, fn);
      slot_list(s->distinct_on, fn);
      for (SelectItem& item : s->items) slot(item.expr, fn);
      slot(s->from, fn);
      slot(s->where, fn);
      slot(s->start_with, fn);
      slot(s->connect_by, fn);
      slot_list(s->group_by, fn);
      slot(s->having, fn);
      for (NamedWindow& w : s->windows) slot_window(w.spec, fn);
      slot_query_tail(s, fn);
      return;
    }
    case NodeKind::kSetOp: {
      auto* s = static_cast<SetOpQuery*>(node);
      slot_query_common(s, fn);
      slot(s->left, fn);
      slot(s->right, fn);
      slot_query_tail(s, fn);
      return;
    }
    case NodeKind::kValues: {
      auto* v = static_cast<ValuesQuery*>(node);
      slot_query_common(v, fn);
      for (List<Expr*>& row : v->rows) slot_list(row, fn);
      slot_query_tail(v, fn);
      return;
    }
  }
}

}  // namespace askguru::sql
