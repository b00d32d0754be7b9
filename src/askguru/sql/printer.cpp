#include "askguru/sql/printer.h"

#include "askguru/sql/lexer.h"
#include "askguru/sql/precedence.h"

namespace askguru::sql {
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

bool is_aggregate_name(std::string_view n) {
  static constexpr std::string_view kNames[] = {"COUNT", "SUM", "AVG", "MIN", "MAX", "TOTAL", "GROUP_CONCAT",
                                                "STRING_AGG", "LISTAGG", "ARRAY_AGG", "STDDEV", "VARIANCE",
                                                "MEDIAN", "BOOL_AND", "BOOL_OR", "EVERY"};
  for (std::string_view k : kNames) {
    if (iequal(k, n)) return true;
  }
  return false;
}

bool has_aggregate(const Node* n) {
  if (n == nullptr) return false;
  if (n->kind == NodeKind::kFunction) {
    auto* f = static_cast<const Function*>(n);
    if (f->over == nullptr && f->over_name.empty() && is_aggregate_name(f->name.name)) return true;
  }
  if (n->kind == NodeKind::kSubquery || n->kind == NodeKind::kExists || n->kind == NodeKind::kInQuery) return false;
  bool found = false;
  for_each_child(n, [&](const Node* c) {
    if (!found && c->kind != NodeKind::kSelect && c->kind != NodeKind::kSetOp && c->kind != NodeKind::kValues)
      found = has_aggregate(c);
  });
  return found;
}

bool is_rownum(const Expr* e) {
  auto* c = e->as<ColumnRef>();
  return c != nullptr && c->table.empty() && !c->column.quoted && iequal(c->column.name, "ROWNUM");
}

bool plain_word(std::string_view name);

class Printer {
 public:
  explicit Printer(const PrintOptions& o) : opt_(o), d_(o.dialect), canon_(o.canonical) {}

  std::string take() { return std::move(out_); }

  void statement(const Statement& st) {
    // SELECT ... INTO keeps no INTO targets in the AST: it is printed as its source text.
    if (st.query != nullptr && st.explained == nullptr && st.kind != StatementKind::kSelectInto) {
      query(st.query);
    } else {
      out_.append(st.text);
    }
  }

  // ------------------------------------------------------------ identifiers and literals
  // `after_dot`: a name after "t." reads back even when it is a reserved word.
  void ident(const Identifier& id, bool after_dot = false) {
    if (id.quoted || (after_dot ? !plain_word(id.name) : identifier_needs_quotes(id.name))) {
      out_ += '"';
      for (char c : id.name) {
        if (c == '"') out_ += '"';
        out_ += c;
      }
      out_ += '"';
    } else {
      out_.append(id.name);
    }
  }

  void string_literal(std::string_view v) {
    out_ += '\'';
    for (char c : v) {
      if (c == '\'') out_ += '\'';
      out_ += c;
    }
    out_ += '\'';
  }

  void literal(const Literal* l) {
    switch (l->literal_kind) {
      case LiteralKind::kInteger:
      case LiteralKind::kFloat: out_.append(l->text); return;
      case LiteralKind::kString: string_literal(l->text); return;
      case LiteralKind::kBlob:
        out_ += "X'";
        out_.append(l->text);
        out_ += '\'';
        return;
      case LiteralKind::kNull: out_ += "NULL"; return;
      case LiteralKind::kTrue: out_ += "TRUE"; return;
      case LiteralKind::kFalse: out_ += "FALSE"; return;
      case LiteralKind::kCurrentDate: out_ += "CURRENT_DATE"; return;
      case LiteralKind::kCurrentTime: out_ += "CURRENT_TIME"; return;
      case LiteralKind::kCurrentTimestamp: out_ += "CURRENT_TIMESTAMP"; return;
      case LiteralKind::kTyped:
        if (d_ != Dialect::kSqlite) {
          out_.append(l->type_name);
          out_ += ' ';
        }
        string_literal(l->text);
        return;
      case LiteralKind::kInterval:
        out_ += "INTERVAL ";
        string_literal(l->text);
        if (!l->qualifier.empty()) {
          out_ += ' ';
          out_.append(l->qualifier);
        }
        return;
    }
  }

  void function_name(const Identifier& id) {
    if (id.quoted) {
      ident(id);
      return;
    }
    if (canon_) {
      for (char c : id.name) out_ += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    } else {
      out_.append(id.name);
    }
  }

  // ------------------------------------------------------------ expressions
  int level_of(const Expr* e) const {
    if (e->kind == NodeKind::kCast) {
      auto* c = static_cast<const Cast*>(e);
      return prints_double_colon(c) ? precedence(OpClass::kCast, d_) : 100;
    }
    if (e->kind == NodeKind::kBinary) {
      auto* b = static_cast<const Binary*>(e);
      if ((b->op == BinaryOp::kMod && d_ == Dialect::kOracle) || (b->op == BinaryOp::kPow && d_ != Dialect::kPostgres))
        return 100;  // printed as MOD(...) / POWER(...)
    }
    if (e->kind == NodeKind::kLiteral) {
      // A negative number is never a literal (it is Unary), so literals are atoms.
      return 100;
    }
    return precedence(expr_op_class(e), d_);
  }

  bool prints_double_colon(const Cast* c) const {
    return c->syntax == CastSyntax::kDoubleColon && d_ == Dialect::kPostgres && !canon_;
  }

  // Prints `child` as an operand of an operator at `level`.
  void operand(const Expr* child, int level, bool right_side, bool comparison_parent) {
    int cl = level_of(child);
    bool parens = cl < level || (right_side && cl == level);
    if (!parens && comparison_parent && cl == level && is_comparison_class(expr_op_class(child))) parens = true;
    if (parens) out_ += '(';
    expr(child);
    if (parens) out_ += ')';
  }

  void expr_list(const List<Expr*>& list) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (i > 0) out_ += ", ";
      expr(list[i]);
    }
  }

  void order_list(const List<OrderItem>& list) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (i > 0) out_ += ", ";
      const OrderItem& o = list[i];
      expr(o.expr);
      if (o.direction == OrderItem::Direction::kDesc) {
        out_ += " DESC";
      } else if (o.direction == OrderItem::Direction::kAsc && !canon_) {
        out_ += " ASC";
      }
      if (o.nulls == OrderItem::Nulls::kFirst) out_ += " NULLS FIRST";
      if (o.nulls == OrderItem::Nulls::kLast) out_ += " NULLS LAST";
    }
  }

  static const char* binary_token(const Binary* b, bool canon, Dialect d) {
    switch (b->op) {
      case BinaryOp::kOr: return " OR ";
      case BinaryOp::kAnd: return " AND ";
      case BinaryOp::kEq: return (!canon && b->spelling == OpSpelling::kAlt && d == Dialect::kSqlite) ? " == " : " = ";
      case BinaryOp::kNe: return (!canon && b->spelling == OpSpelling::kAlt) ? " != " : " <> ";
      case BinaryOp::kLt: return " < ";
      case BinaryOp::kLe: return " <= ";
      case BinaryOp::kGt: return " > ";
      case BinaryOp::kGe: return " >= ";
      case BinaryOp::kIs: return d == Dialect::kSqlite ? " IS " : " IS NOT DISTINCT FROM ";
      case BinaryOp::kIsNot: return d == Dialect::kSqlite ? " IS NOT " : " IS DISTINCT FROM ";
      case BinaryOp::kIsDistinctFrom: return " IS DISTINCT FROM ";
      case BinaryOp::kIsNotDistinctFrom: return " IS NOT DISTINCT FROM ";
      case BinaryOp::kAdd: return " + ";
      case BinaryOp::kSub: return " - ";
      case BinaryOp::kMul: return " * ";
      case BinaryOp::kDiv: return " / ";
      case BinaryOp::kMod: return " % ";
      case BinaryOp::kConcat: return " || ";
      case BinaryOp::kBitAnd: return " & ";
      case BinaryOp::kBitOr: return " | ";
      case BinaryOp::kShl: return " << ";
      case BinaryOp::kShr: return " >> ";
      case BinaryOp::kPow: return " ^ ";
      case BinaryOp::kJsonGet: return " -> ";
      case BinaryOp::kJsonGetText: return " ->> ";
      case BinaryOp::kRegexMatch: return " ~ ";
    }
    return " ? ";
  }

  void binary(const Binary* b) {
    if (b->op == BinaryOp::kMod && d_ == Dialect::kOracle) {
      out_ += "MOD(";
      expr(b->left);
      out_ += ", ";
      expr(b->right);
      out_ += ')';
      return;
    }
    if (b->op == BinaryOp::kPow && d_ != Dialect::kPostgres) {
      out_ += "POWER(";
      expr(b->left);
      out_ += ", ";
      expr(b->right);
      out_ += ')';
      return;
    }
    int level = level_of(b);
    bool cmp = is_comparison_class(binary_op_class(b->op));
    operand(b->left, level, false, cmp);
    if (b->op == BinaryOp::kRegexMatch && !b->op_text.empty()) {
      out_ += ' ';
      out_.append(b->op_text);
      out_ += ' ';
    } else {
      out_ += binary_token(b, canon_, d_);
    }
    operand(b->right, level, true, cmp);
  }

  void like(const Like* l) {
    int level = level_of(l);
    bool lower = l->op == LikeOp::kILike && d_ != Dialect::kPostgres;
    if (lower) {
      out_ += "LOWER(";
      expr(l->value);
      out_ += ')';
    } else {
      operand(l->value, level, false, true);
    }
    if (l->negated) out_ += " NOT";
    switch (l->op) {
      case LikeOp::kLike: out_ += " LIKE "; break;
      case LikeOp::kILike: out_ += lower ? " LIKE " : " ILIKE "; break;
      case LikeOp::kGlob: out_ += " GLOB "; break;
      case LikeOp::kRegexp: out_ += " REGEXP "; break;
      case LikeOp::kMatch: out_ += " MATCH "; break;
      case LikeOp::kSimilarTo: out_ += " SIMILAR TO "; break;
    }
    if (lower) {
      out_ += "LOWER(";
      expr(l->pattern);
      out_ += ')';
    } else {
      operand(l->pattern, level, true, true);
    }
    if (l->escape != nullptr) {
      out_ += " ESCAPE ";
      operand(l->escape, level, true, true);
    }
  }

  void subquery_parens(const Query* q) {
    out_ += '(';
    query(q);
    out_ += ')';
  }

  void type_name(const TypeName& t) {
    std::string_view name = t.name;
    if (d_ == Dialect::kOracle && name == "TEXT") name = "VARCHAR2(4000)";
    out_.append(name);
    if (!t.params.empty() && name.find('(') == std::string_view::npos) {
      out_ += '(';
      for (size_t i = 0; i < t.params.size(); ++i) {
        if (i > 0) out_ += ", ";
        out_.append(t.params[i]);
      }
      out_ += ')';
    }
    for (int i = 0; i < t.array_dims; ++i) out_ += "[]";
  }

  void window_spec(const WindowSpec* w) {
    out_ += '(';
    bool space = false;
    auto sep = [&]() {
      if (space) out_ += ' ';
      space = true;
    };
    if (!w->base.empty()) {
      sep();
      ident(w->base);
    }
    if (!w->partition_by.empty()) {
      sep();
      out_ += "PARTITION BY ";
      expr_list(w->partition_by);
    }
    if (!w->order_by.empty()) {
      sep();
      out_ += "ORDER BY ";
      order_list(w->order_by);
    }
    if (w->frame != nullptr) {
      sep();
      const Frame& f = *w->frame;
      out_ += f.unit == FrameUnit::kRows ? "ROWS " : f.unit == FrameUnit::kRange ? "RANGE " : "GROUPS ";
      if (f.between) {
        out_ += "BETWEEN ";
        frame_bound(f.start);
        out_ += " AND ";
        frame_bound(f.end);
      } else {
        frame_bound(f.start);
      }
      switch (f.exclude) {
        case FrameExclude::kNone: break;
        case FrameExclude::kNoOthers: out_ += " EXCLUDE NO OTHERS"; break;
        case FrameExclude::kCurrentRow: out_ += " EXCLUDE CURRENT ROW"; break;
        case FrameExclude::kGroup: out_ += " EXCLUDE GROUP"; break;
        case FrameExclude::kTies: out_ += " EXCLUDE TIES"; break;
      }
    }
    out_ += ')';
  }

  void frame_bound(const FrameBound& b) {
    switch (b.kind) {
      case FrameBoundKind::kUnboundedPreceding: out_ += "UNBOUNDED PRECEDING"; return;
      case FrameBoundKind::kUnboundedFollowing: out_ += "UNBOUNDED FOLLOWING"; return;
      case FrameBoundKind::kCurrentRow: out_ += "CURRENT ROW"; return;
      case FrameBoundKind::kPreceding:
        operand(b.offset, precedence(OpClass::kAnd, d_) + 1, false, false);
        out_ += " PRECEDING";
        return;
      case FrameBoundKind::kFollowing:
        operand(b.offset, precedence(OpClass::kAnd, d_) + 1, false, false);
        out_ += " FOLLOWING";
        return;
    }
  }

  // Rewrites for functions the target spells differently; true when handled.
  bool transpiled_function(const Function* f) {
    if (!f->schema.empty() || f->name.quoted || f->over != nullptr || !f->over_name.empty() || f->distinct ||
        f->star || !f->order_by.empty() || f->filter != nullptr)
      return false;
    std::string_view n = f->name.name;
    const List<Expr*>& a = f->args;
    if (iequal(n, "IIF") && a.size() == 3 && d_ != Dialect::kSqlite) {
      out_ += "CASE WHEN ";
      expr(a[0]);
      out_ += " THEN ";
      expr(a[1]);
      out_ += " ELSE ";
      expr(a[2]);
      out_ += " END";
      return true;
    }
    if (((iequal(n, "NVL") && d_ != Dialect::kOracle) || (iequal(n, "IFNULL") && d_ != Dialect::kSqlite)) &&
        a.size() == 2) {
      out_ += "COALESCE(";
      expr_list(a);
      out_ += ')';
      return true;
    }
    if (canon_ && iequal(n, "IFNULL") && a.size() == 2) {
      out_ += "COALESCE(";
      expr_list(a);
      out_ += ')';
      return true;
    }
    if (iequal(n, "NVL2") && a.size() == 3 && d_ != Dialect::kOracle) {
      out_ += "CASE WHEN ";
      operand(a[0], precedence(OpClass::kIs, d_), false, true);
      out_ += " IS NOT NULL THEN ";
      expr(a[1]);
      out_ += " ELSE ";
      expr(a[2]);
      out_ += " END";
      return true;
    }
    if (iequal(n, "DECODE") && a.size() >= 3 && d_ != Dialect::kOracle) {
      // DECODE matches NULL to NULL. A simple CASE (x WHEN s) does not, so it is used only
      // when every search value is a non-NULL literal; otherwise a searched CASE spells the
      // NULL-safe comparison.
      bool simple = true;
      for (size_t k = 1; k + 1 < a.size(); k += 2) {
        auto* lit = a[k]->as<Literal>();
        if (lit == nullptr || lit->literal_kind == LiteralKind::kNull) simple = false;
      }
      out_ += simple ? "CASE " : "CASE";
      if (simple) expr(a[0]);
      size_t i = 1;
      for (; i + 1 < a.size(); i += 2) {
        out_ += " WHEN ";
        if (simple) {
          expr(a[i]);
        } else {
          auto* lit = a[i]->as<Literal>();
          if (lit != nullptr && lit->literal_kind == LiteralKind::kNull) {
            operand(a[0], precedence(OpClass::kIs, d_), false, true);
            out_ += " IS NULL";
          } else if (lit != nullptr) {
            operand(a[0], precedence(OpClass::kEquality, d_), false, true);
            out_ += " = ";
            operand(a[i], precedence(OpClass::kEquality, d_), true, true);
          } else {
            operand(a[0], precedence(OpClass::kIs, d_), false, true);
            out_ += d_ == Dialect::kSqlite ? " IS " : " IS NOT DISTINCT FROM ";
            operand(a[i], precedence(OpClass::kIs, d_), true, true);
          }
        }
        out_ += " THEN ";
        expr(a[i + 1]);
      }
      if (i < a.size()) {
        out_ += " ELSE ";
        expr(a[i]);
      }
      out_ += " END";
      return true;
    }
    if (iequal(n, "CONCAT") && d_ == Dialect::kSqlite && a.size() >= 1) {
      for (size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out_ += " || ";
        if (a[i]->kind == NodeKind::kLiteral && static_cast<const Literal*>(a[i])->literal_kind == LiteralKind::kString) {
          expr(a[i]);
        } else {
          out_ += "COALESCE(";
          expr(a[i]);
          out_ += ", '')";
        }
      }
      return true;
    }
    // Oracle's CONCAT takes exactly two arguments; its || already reads NULL as ''.
    if (iequal(n, "CONCAT") && d_ == Dialect::kOracle && a.size() >= 3) {
      for (size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out_ += " || ";
        operand(a[i], precedence(OpClass::kConcat, d_), i != 0, false);
      }
      return true;
    }
    if (iequal(n, "SUBSTRING") && d_ == Dialect::kOracle) {
      out_ += "SUBSTR(";
      expr_list(a);
      out_ += ')';
      return true;
    }
    return false;
  }

  // `in_from`: a table-valued call (json_each, generate_series...) is never rewritten into
  // an expression such as CASE, which FROM would not accept.
  void function(const Function* f, bool in_from = false) {
    if (!in_from && transpiled_function(f)) return;
    if (!f->schema.empty()) {
      ident(f->schema);
      out_ += '.';
    }
    function_name(f->name);
    out_ += '(';
    bool filter_inline = f->filter != nullptr && d_ == Dialect::kOracle;
    if (f->star) {
      if (filter_inline) {
        out_ += "CASE WHEN ";
        expr(f->filter);
        out_ += " THEN 1 END";
      } else {
        out_ += '*';
      }
    } else {
      if (f->distinct) out_ += "DISTINCT ";
      for (size_t i = 0; i < f->args.size(); ++i) {
        if (i > 0) out_ += ", ";
        if (filter_inline && i == 0) {
          out_ += "CASE WHEN ";
          expr(f->filter);
          out_ += " THEN ";
          expr(f->args[i]);
          out_ += " END";
        } else {
          expr(f->args[i]);
        }
      }
      if (!f->order_by.empty()) {
        out_ += " ORDER BY ";
        order_list(f->order_by);
      }
    }
    out_ += ')';
    if (!f->within_group.empty()) {
      out_ += " WITHIN GROUP (ORDER BY ";
      order_list(f->within_group);
      out_ += ')';
    }
    if (f->filter != nullptr && !filter_inline) {
      out_ += " FILTER (WHERE ";
      expr(f->filter);
      out_ += ')';
    }
    if (f->over != nullptr) {
      out_ += " OVER ";
      window_spec(f->over);
    } else if (!f->over_name.empty()) {
      out_ += " OVER ";
      ident(f->over_name);
    }
  }

  void extract(const Extract* e) {
    if (d_ == Dialect::kSqlite) {
      const char* fmt = nullptr;
      std::string_view f = e->field;
      if (f == "YEAR") fmt = "%Y";
      else if (f == "MONTH") fmt = "%m";
      else if (f == "DAY") fmt = "%d";
      else if (f == "HOUR") fmt = "%H";
      else if (f == "MINUTE") fmt = "%M";
      else if (f == "SECOND") fmt = "%S";
      else if (f == "DOY") fmt = "%j";
      else if (f == "EPOCH") fmt = "%s";
      if (fmt != nullptr) {
        out_ += "CAST(STRFTIME('";
        out_ += fmt;
        out_ += "', ";
        expr(e->value);
        out_ += ") AS INTEGER)";
        return;
      }
    }
    out_ += "EXTRACT(";
    out_.append(e->field);
    out_ += " FROM ";
    expr(e->value);
    out_ += ')';
  }

  void expr(const Expr* e) {
    switch (e->kind) {
      case NodeKind::kLiteral: literal(static_cast<const Literal*>(e)); return;
      case NodeKind::kColumnRef: {
        auto* c = static_cast<const ColumnRef*>(e);
        if (!c->schema.empty()) {
          ident(c->schema);
          out_ += '.';
        }
        if (!c->table.empty()) {
          ident(c->table);
          out_ += '.';
        }
        ident(c->column, !c->table.empty());
        if (c->outer_join_marker) out_ += "(+)";
        return;
      }
      case NodeKind::kStar: {
        auto* s = static_cast<const Star*>(e);
        if (!s->schema.empty()) {
          ident(s->schema);
          out_ += '.';
        }
        if (!s->table.empty()) {
          ident(s->table);
          out_ += '.';
        }
        out_ += '*';
        return;
      }
      case NodeKind::kParam: out_.append(static_cast<const Param*>(e)->text); return;
      case NodeKind::kUnary: {
        auto* u = static_cast<const Unary*>(e);
        int level = level_of(u);
        switch (u->op) {
          case UnaryOp::kNot: out_ += "NOT "; break;
          case UnaryOp::kNeg: out_ += '-'; break;
          case UnaryOp::kPlus: out_ += '+'; break;
          case UnaryOp::kBitNot: out_ += '~'; break;
          case UnaryOp::kPrior: out_ += "PRIOR "; break;
          case UnaryOp::kConnectByRoot: out_ += "CONNECT_BY_ROOT "; break;
        }
        if (u->op != UnaryOp::kNot && u->operand->kind == NodeKind::kUnary) out_ += ' ';
        const size_t operand_at = out_.size();
        // A column named PRIOR after PRIOR would read back as a second operator.
        auto* column = u->operand->as<ColumnRef>();
        if ((u->op == UnaryOp::kPrior || u->op == UnaryOp::kConnectByRoot) && column != nullptr &&
            column->table.empty() && !column->column.quoted &&
            (iequal(column->column.name, "PRIOR") || iequal(column->column.name, "CONNECT_BY_ROOT"))) {
          out_ += '(';
          expr(u->operand);
          out_ += ')';
          return;
        }
        operand(u->operand, level, false, false);
        // Keep tokens apart that would fuse when read back: "~*" (a PostgreSQL operator), "--".
        if (operand_at < out_.size() && ((u->op == UnaryOp::kBitNot && out_[operand_at] == '*') ||
                                         (u->op == UnaryOp::kNeg && out_[operand_at] == '-'))) {
          out_.insert(operand_at, 1, ' ');
        }
        return;
      }
      case NodeKind::kBinary: binary(static_cast<const Binary*>(e)); return;
      case NodeKind::kLike: like(static_cast<const Like*>(e)); return;
      case NodeKind::kBetween: {
        auto* b = static_cast<const Between*>(e);
        int level = level_of(b);
        operand(b->value, level, false, true);
        out_ += b->negated ? " NOT BETWEEN " : " BETWEEN ";
        operand(b->low, level + 1, false, true);
        out_ += " AND ";
        operand(b->high, level + 1, false, true);
        return;
      }
      case NodeKind::kInList: {
        auto* in = static_cast<const InList*>(e);
        operand(in->value, level_of(in), false, true);
        out_ += in->negated ? " NOT IN (" : " IN (";
        expr_list(in->items);
        out_ += ')';
        return;
      }
      case NodeKind::kInQuery: {
        auto* in = static_cast<const InQuery*>(e);
        operand(in->value, level_of(in), false, true);
        out_ += in->negated ? " NOT IN " : " IN ";
        subquery_parens(in->query);
        return;
      }
      case NodeKind::kExists: {
        auto* x = static_cast<const Exists*>(e);
        out_ += x->negated ? "NOT EXISTS " : "EXISTS ";
        subquery_parens(x->query);
        return;
      }
      case NodeKind::kSubquery: {
        auto* s = static_cast<const Subquery*>(e);
        switch (s->quantifier) {
          case Quantifier::kNone: break;
          case Quantifier::kAny: out_ += "ANY "; break;
          case Quantifier::kAll: out_ += "ALL "; break;
          case Quantifier::kSome: out_ += "SOME "; break;
        }
        subquery_parens(s->query);
        return;
      }
      case NodeKind::kIsNull: {
        auto* n = static_cast<const IsNull*>(e);
        operand(n->value, level_of(n), false, true);
        bool keep = !canon_ && d_ != Dialect::kOracle;
        if (keep && n->spelling == IsNullSpelling::kIsNullKeyword) {
          out_ += n->negated ? " NOTNULL" : " ISNULL";
        } else if (keep && n->spelling == IsNullSpelling::kNotNull && d_ == Dialect::kSqlite) {
          out_ += " NOT NULL";
        } else {
          out_ += n->negated ? " IS NOT NULL" : " IS NULL";
        }
        return;
      }
      case NodeKind::kIsBool: {
        auto* n = static_cast<const IsBool*>(e);
        operand(n->value, level_of(n), false, true);
        out_ += n->negated ? " IS NOT " : " IS ";
        out_ += n->truth == TruthValue::kTrue ? "TRUE" : n->truth == TruthValue::kFalse ? "FALSE" : "UNKNOWN";
        return;
      }
      case NodeKind::kCase: {
        auto* c = static_cast<const Case*>(e);
        out_ += "CASE";
        if (c->operand != nullptr) {
          out_ += ' ';
          expr(c->operand);
        }
        for (const WhenClause& w : c->whens) {
          out_ += " WHEN ";
          expr(w.condition);
          out_ += " THEN ";
          expr(w.result);
        }
        if (c->else_result != nullptr) {
          out_ += " ELSE ";
          expr(c->else_result);
        }
        out_ += " END";
        return;
      }
      case NodeKind::kCast: {
        auto* c = static_cast<const Cast*>(e);
        if (prints_double_colon(c)) {
          operand(c->value, precedence(OpClass::kCast, d_), false, false);
          out_ += "::";
          type_name(c->type);
          return;
        }
        out_ += c->syntax == CastSyntax::kTryCast ? "TRY_CAST(" : "CAST(";
        expr(c->value);
        out_ += " AS";
        if (!c->type.name.empty()) {
          out_ += ' ';
          type_name(c->type);
        }
        out_ += ')';
        return;
      }
      case NodeKind::kFunction: function(static_cast<const Function*>(e)); return;
      case NodeKind::kCollate: {
        auto* c = static_cast<const Collate*>(e);
        operand(c->value, level_of(c), false, false);
        out_ += " COLLATE ";
        ident(c->collation);
        return;
      }
      case NodeKind::kRow: {
        auto* r = static_cast<const Row*>(e);
        if (r->items.size() < 2) out_ += "ROW";
        out_ += '(';
        expr_list(r->items);
        out_ += ')';
        return;
      }
      case NodeKind::kExtract: extract(static_cast<const Extract*>(e)); return;
      default: out_ += "?"; return;
    }
  }

  // ------------------------------------------------------------ FROM
  void alias(const Alias& a, bool table) {
    if (!a.present()) return;
    bool with_as = table ? (d_ != Dialect::kOracle && (canon_ || a.as_keyword)) : (canon_ || a.as_keyword);
    out_ += with_as ? " AS " : " ";
    ident(a.name);
    if (!a.columns.empty()) {
      out_ += '(';
      for (size_t i = 0; i < a.columns.size(); ++i) {
        if (i > 0) out_ += ", ";
        ident(a.columns[i]);
      }
      out_ += ')';
    }
  }

  static bool is_dual(const TableRef* t) {
    auto* tn = t->as<TableName>();
    return tn != nullptr && tn->schema.empty() && !tn->name.quoted && iequal(tn->name.name, "DUAL") &&
           !tn->alias.present();
  }

  void table_ref(const TableRef* t) {
    switch (t->kind) {
      case NodeKind::kTableName: {
        auto* tn = static_cast<const TableName*>(t);
        if (tn->only) out_ += "ONLY ";
        if (!tn->schema.empty()) {
          ident(tn->schema);
          out_ += '.';
        }
        ident(tn->name);
        alias(tn->alias, true);
        return;
      }
      case NodeKind::kDerivedTable: {
        auto* dt = static_cast<const DerivedTable*>(t);
        if (dt->lateral) out_ += "LATERAL ";
        subquery_parens(dt->query);
        alias(dt->alias, true);
        if (name_derived_tables_ && !dt->alias.present()) {
          out_ += " AS _q";
          out_ += std::to_string(++derived_tables_named_);
        }
        return;
      }
      case NodeKind::kTableFunction: {
        auto* tf = static_cast<const TableFunction*>(t);
        if (tf->lateral) out_ += "LATERAL ";
        function(tf->call, /*in_from=*/true);
        alias(tf->alias, true);
        return;
      }
      case NodeKind::kJoin: {
        auto* j = static_cast<const JoinRef*>(t);
        table_ref(j->left);
        if (j->type == JoinType::kComma) {
          out_ += ", ";
        } else {
          out_ += ' ';
          if (j->natural) out_ += "NATURAL ";
          switch (j->type) {
            case JoinType::kInner:
              if (!canon_ && j->inner_keyword) out_ += "INNER ";
              break;
            case JoinType::kLeft: out_ += (!canon_ && j->outer_keyword) ? "LEFT OUTER " : "LEFT "; break;
            case JoinType::kRight: out_ += (!canon_ && j->outer_keyword) ? "RIGHT OUTER " : "RIGHT "; break;
            case JoinType::kFull: out_ += (!canon_ && j->outer_keyword) ? "FULL OUTER " : "FULL "; break;
            case JoinType::kCross: out_ += "CROSS "; break;
            case JoinType::kComma: break;
          }
          out_ += "JOIN ";
        }
        bool paren = j->right->kind == NodeKind::kJoin;
        if (paren) out_ += '(';
        table_ref(j->right);
        if (paren) out_ += ')';
        if (j->on != nullptr) {
          out_ += " ON ";
          expr(j->on);
        } else if (!j->using_columns.empty()) {
          out_ += " USING (";
          for (size_t i = 0; i < j->using_columns.size(); ++i) {
            if (i > 0) out_ += ", ";
            ident(j->using_columns[i]);
          }
          out_ += ')';
        }
        return;
      }
      default: return;
    }
  }

  // ------------------------------------------------------------ queries
  // Whether `n` reads the table `name` (an unqualified FROM name): a CTE that refers to itself.
  static bool reads_table(const Node* n, std::string_view name) {
    if (n->kind == NodeKind::kTableName) {
      auto* tn = static_cast<const TableName*>(n);
      return tn->schema.empty() && iequal(tn->name.name, name);
    }
    bool found = false;
    for_each_child(n, [&](const Node* child) { found = found || reads_table(child, name); });
    return found;
  }

  void with(const With* w) {
    out_ += "WITH ";
    // Oracle has no RECURSIVE keyword (any CTE with a column list may refer to itself);
    // PostgreSQL requires it for a CTE that refers to itself (SQLite accepts either).
    bool recursive = w->recursive;
    if (d_ == Dialect::kOracle) {
      recursive = false;
    } else if (!recursive && d_ == Dialect::kPostgres) {
      for (const Cte& c : w->ctes) recursive = recursive || (c.query != nullptr && reads_table(c.query, c.name.name));
    }
    if (recursive) out_ += "RECURSIVE ";
    for (size_t i = 0; i < w->ctes.size(); ++i) {
      const Cte& c = w->ctes[i];
      if (i > 0) out_ += ", ";
      ident(c.name);
      if (!c.columns.empty()) {
        out_ += '(';
        for (size_t k = 0; k < c.columns.size(); ++k) {
          if (k > 0) out_ += ", ";
          ident(c.columns[k]);
        }
        out_ += ')';
      }
      out_ += " AS ";
      if (c.materialized == Cte::Materialized::kMaterialized) out_ += "MATERIALIZED ";
      if (c.materialized == Cte::Materialized::kNotMaterialized) out_ += "NOT MATERIALIZED ";
      if (c.query != nullptr) {
        subquery_parens(c.query);
      } else {
        out_ += '(';
        out_.append(c.modifying_text);
        out_ += ')';
      }
    }
    out_ += ' ';
  }

  static bool has_tail(const Query* q) {
    return q->with != nullptr || !q->order_by.empty() || q->limit != nullptr || q->for_update;
  }

  static int set_level(const SetOpQuery* s, Dialect d) {
    return (s->op == SetOp::kIntersect && d == Dialect::kPostgres) ? 2 : 1;
  }

  void set_operand(const Query* q, int parent_level, bool right_side) {
    bool wrap = has_tail(q);
    if (auto* s = q->as<SetOpQuery>()) {
      int l = set_level(s, d_);
      if (l < parent_level || (right_side && l == parent_level)) wrap = true;
    }
    if (!wrap) {
      // A LIMIT made from ROWNUM would need parentheses here: keep the arm's ROWNUM filter.
      in_set_arm_ = true;
      query(q);
      in_set_arm_ = false;
      return;
    }
    if (d_ == Dialect::kSqlite) {
      // SQLite does not accept parenthesised compound members.
      out_ += "SELECT * FROM (";
      query(q);
      out_ += ')';
      return;
    }
    subquery_parens(q);
  }

  void query(const Query* q) {
    if (q->with != nullptr) with(q->with);
    const Expr* rownum_limit = nullptr;
    bool rownum_lt = false;
    switch (q->kind) {
      case NodeKind::kSelect: select(static_cast<const SelectQuery*>(q), &rownum_limit, &rownum_lt); break;
      case NodeKind::kSetOp: {
        auto* s = static_cast<const SetOpQuery*>(q);
        int level = set_level(s, d_);
        set_operand(s->left, level, false);
        switch (s->op) {
          case SetOp::kUnion: out_ += " UNION "; break;
          case SetOp::kIntersect: out_ += " INTERSECT "; break;
          case SetOp::kExcept: out_ += d_ == Dialect::kOracle ? " MINUS " : " EXCEPT "; break;
        }
        if (s->all) out_ += "ALL ";
        set_operand(s->right, level, true);
        break;
      }
      case NodeKind::kValues: {
        auto* v = static_cast<const ValuesQuery*>(q);
        out_ += "VALUES ";
        for (size_t i = 0; i < v->rows.size(); ++i) {
          if (i > 0) out_ += ", ";
          out_ += '(';
          expr_list(v->rows[i]);
          out_ += ')';
        }
        break;
      }
      default: break;
    }
    if (!q->order_by.empty()) {
      out_ += q->order_siblings && d_ == Dialect::kOracle ? " ORDER SIBLINGS BY " : " ORDER BY ";
      order_list(q->order_by);
    }
    if (rownum_limit != nullptr) {
      out_ += " LIMIT ";
      if (rownum_lt) {
        auto* lit = rownum_limit->as<Literal>();
        if (lit != nullptr && lit->literal_kind == LiteralKind::kInteger && lit->text.size() < 18 &&
            lit->text.find_first_not_of("0123456789") == std::string_view::npos) {
          out_ += std::to_string(std::stoll(std::string(lit->text)) - 1);
        } else {
          operand(rownum_limit, precedence(OpClass::kAdditive, d_), false, false);
          out_ += " - 1";
        }
      } else {
        expr(rownum_limit);
      }
    } else {
      limit(q->limit);
    }
    if (q->for_update) out_ += " FOR UPDATE";
  }

  void limit(const Limit* l) {
    if (l == nullptr) return;
    const Expr* count = l->count;
    const Expr* offset = l->offset;
    // SQLite's LIMIT -1 (any negative count) means no limit; PostgreSQL rejects a negative
    // LIMIT and Oracle's FETCH FIRST -1 returns no rows.
    if (d_ != Dialect::kSqlite && count != nullptr && count->kind == NodeKind::kUnary) {
      auto* u = static_cast<const Unary*>(count);
      if (u->op == UnaryOp::kNeg && u->operand->kind == NodeKind::kLiteral) count = nullptr;
    }
    if (count == nullptr && offset == nullptr && !l->limit_all) return;
    bool fetch = d_ == Dialect::kOracle ||
                 (d_ == Dialect::kPostgres && count != nullptr && (l->with_ties || l->percent || (!canon_ && l->syntax == Limit::Syntax::kFetch)));
    if (fetch) {
      if (offset != nullptr) {
        out_ += " OFFSET ";
        expr(offset);
        out_ += " ROWS";
      }
      if (count != nullptr) {
        out_ += " FETCH FIRST ";
        expr(count);
        if (l->percent) out_ += " PERCENT";
        out_ += l->with_ties ? " ROWS WITH TIES" : " ROWS ONLY";
      }
      return;
    }
    if (d_ == Dialect::kSqlite) {
      if (!canon_ && l->syntax == Limit::Syntax::kLimitComma && count != nullptr && offset != nullptr) {
        out_ += " LIMIT ";
        expr(offset);
        out_ += ", ";
        expr(count);
        return;
      }
      if (count != nullptr) {
        out_ += " LIMIT ";
        expr(count);
      } else if (offset != nullptr) {
        out_ += " LIMIT -1";
      }
      if (offset != nullptr) {
        out_ += " OFFSET ";
        expr(offset);
      }
      return;
    }
    // PostgreSQL
    if (count != nullptr) {
      out_ += " LIMIT ";
      expr(count);
    } else if (l->limit_all && !canon_) {
      out_ += " LIMIT ALL";
    }
    if (offset != nullptr) {
      out_ += " OFFSET ";
      expr(offset);
    }
  }

  // Collects the AND-conjuncts of `e`.
  static void conjuncts(const Expr* e, std::vector<const Expr*>& out) {
    auto* b = e->as<Binary>();
    if (b != nullptr && b->op == BinaryOp::kAnd) {
      conjuncts(b->left, out);
      conjuncts(b->right, out);
    } else {
      out.push_back(e);
    }
  }

  // `ROWNUM <= n`, `ROWNUM < n`, `n >= ROWNUM`, `n > ROWNUM`: the bound (and whether strict).
  // Only a count LIMIT reads the same: a parameter or an integer literal (ROWNUM < 0 and
  // negative bounds stay as they are).
  static const Expr* rownum_bound(const Expr* e, bool* strict) {
    const Expr* bound = rownum_bound_any(e, strict);
    if (bound == nullptr || bound->kind == NodeKind::kParam) return bound;
    auto* lit = bound->as<Literal>();
    if (lit == nullptr || lit->literal_kind != LiteralKind::kInteger || (*strict && lit->text.find_first_not_of('0') == std::string_view::npos)) {
      return nullptr;
    }
    return bound;
  }

  static const Expr* rownum_bound_any(const Expr* e, bool* strict) {
    auto* b = e->as<Binary>();
    if (b == nullptr) return nullptr;
    if (is_rownum(b->left) && (b->op == BinaryOp::kLe || b->op == BinaryOp::kLt)) {
      *strict = b->op == BinaryOp::kLt;
      return b->right;
    }
    if (is_rownum(b->right) && (b->op == BinaryOp::kGe || b->op == BinaryOp::kGt)) {
      *strict = b->op == BinaryOp::kGt;
      return b->left;
    }
    // ROWNUM = 1 is ROWNUM <= 1 (ROWNUM = 2 and above select nothing: left as they are).
    if (b->op == BinaryOp::kEq) {
      const Expr* other = is_rownum(b->left) ? b->right : is_rownum(b->right) ? b->left : nullptr;
      auto* lit = other != nullptr ? other->as<Literal>() : nullptr;
      if (lit != nullptr && lit->literal_kind == LiteralKind::kInteger && lit->text == "1") {
        *strict = false;
        return other;
      }
    }
    return nullptr;
  }

  void select(const SelectQuery* s, const Expr** rownum_limit, bool* rownum_strict) {
    const bool rownum_to_limit = !in_set_arm_;
    in_set_arm_ = false;  // not for the subqueries inside
    out_ += "SELECT ";
    switch (s->distinct) {
      case Distinct::kNone: break;
      case Distinct::kAll:
        if (!canon_) out_ += "ALL ";
        break;
      case Distinct::kDistinct: out_ += "DISTINCT "; break;
      case Distinct::kDistinctOn:
        out_ += "DISTINCT ON (";
        expr_list(s->distinct_on);
        out_ += ") ";
        break;
    }
    for (size_t i = 0; i < s->items.size(); ++i) {
      if (i > 0) out_ += ", ";
      const SelectItem& item = s->items[i];
      expr(item.expr);
      if (!item.alias.empty()) {
        bool with_as = canon_ || item.as_keyword || (!item.alias.quoted && lookup_keyword(item.alias.name) != Kw::kNone);
        out_ += with_as ? " AS " : " ";
        ident(item.alias);
      }
    }
    bool from_printed = false;
    if (s->from != nullptr && !(d_ != Dialect::kOracle && is_dual(s->from))) {
      out_ += " FROM ";
      table_ref(s->from);
      from_printed = true;
    }
    if (!from_printed && d_ == Dialect::kOracle) out_ += " FROM DUAL";
    if (s->where != nullptr) {
      // Oracle ROWNUM filter → LIMIT elsewhere, when it means the same.
      std::vector<const Expr*> parts;
      const Expr* bound = nullptr;
      size_t bound_index = 0;
      if (rownum_to_limit && d_ != Dialect::kOracle && s->limit == nullptr && s->order_by.empty() && s->group_by.empty() &&
          s->having == nullptr && s->distinct != Distinct::kDistinct && s->distinct != Distinct::kDistinctOn &&
          s->connect_by == nullptr) {
        bool any_agg = false;
        for (const SelectItem& item : s->items) any_agg = any_agg || has_aggregate(item.expr);
        if (!any_agg) {
          conjuncts(s->where, parts);
          int found = 0;
          for (size_t i = 0; i < parts.size(); ++i) {
            bool strict = false;
            if (const Expr* b = rownum_bound(parts[i], &strict)) {
              bound = b;
              bound_index = i;
              *rownum_strict = strict;
              ++found;
            }
          }
          if (found != 1) bound = nullptr;
        }
      }
      if (bound != nullptr) {
        *rownum_limit = bound;
        bool first = true;
        for (size_t i = 0; i < parts.size(); ++i) {
          if (i == bound_index) continue;
          out_ += first ? " WHERE " : " AND ";
          first = false;
          operand(parts[i], precedence(OpClass::kAnd, d_), i != 0, false);
        }
      } else {
        out_ += " WHERE ";
        expr(s->where);
      }
    }
    if (s->start_with != nullptr) {
      out_ += " START WITH ";
      expr(s->start_with);
    }
    if (s->connect_by != nullptr) {
      out_ += " CONNECT BY ";
      if (s->nocycle) out_ += "NOCYCLE ";
      expr(s->connect_by);
    }
    if (!s->group_by.empty()) {
      out_ += " GROUP BY ";
      expr_list(s->group_by);
    }
    if (s->having != nullptr) {
      out_ += " HAVING ";
      expr(s->having);
    }
    if (!s->windows.empty()) {
      out_ += " WINDOW ";
      for (size_t i = 0; i < s->windows.size(); ++i) {
        if (i > 0) out_ += ", ";
        ident(s->windows[i].name);
        out_ += " AS ";
        window_spec(s->windows[i].spec);
      }
    }
  }

  const PrintOptions& opt_;
  Dialect d_;
  bool canon_;
  std::string out_;
  bool in_set_arm_ = false;  // printing a SELECT that is an unparenthesised set-operation arm
  // PostgreSQL before 16 requires an alias on every derived table; SQLite and Oracle do not.
  // When transpiling into PostgreSQL, unnamed derived tables get _q1, _q2 ...
  bool name_derived_tables_ = false;
  int derived_tables_named_ = 0;
};

}  // namespace

namespace {
bool plain_word(std::string_view name) {
  if (name.empty()) return false;
  unsigned char c0 = static_cast<unsigned char>(name[0]);
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_' || c0 >= 0x80)) return false;
  for (char ch : name) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
              c >= 0x80;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool identifier_needs_quotes(std::string_view name) {
  if (!plain_word(name)) return true;
  Kw kw = lookup_keyword(name);
  return kw != Kw::kNone && is_reserved_keyword(kw);
}

std::string print(const Expr* expr, const PrintOptions& options) {
  Printer p(options);
  p.expr(expr);
  return p.take();
}

std::string print(const Query* query, const PrintOptions& options) {
  Printer p(options);
  p.query(query);
  return p.take();
}

std::string print(const Statement& statement, const PrintOptions& options) {
  Printer p(options);
  p.statement(statement);
  return p.take();
}

std::string print(const Ast& ast, const PrintOptions& options) {
  std::string out;
  for (size_t i = 0; i < ast.size(); ++i) {
    if (i > 0) out += "; ";
    Printer p(options);
    p.name_derived_tables_ = options.dialect == Dialect::kPostgres && ast.dialect() != Dialect::kPostgres;
    p.statement(ast.statements()[i]);
    out += p.take();
  }
  return out;
}

std::string canonical(const Ast& ast) { return canonical(ast, ast.dialect()); }

std::string canonical(const Ast& ast, Dialect dialect) {
  PrintOptions o;
  o.dialect = dialect;
  o.canonical = true;
  return print(ast, o);
}

}  // namespace askguru::sql
