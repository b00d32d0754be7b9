#include "askguru/sql/translate.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <set>

#include "askguru/sql/analysis.h"
#include "askguru/sql/ast_edit.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace askguru::sql {
namespace {

// kDate: an Oracle DATE / TIMESTAMP (SQLite and PostgreSQL targets read dates as text).
enum class Ty { kUnknown, kInt, kReal, kText, kBlob, kBool, kNull, kStringLiteral, kDate };

bool numeric(Ty t) { return t == Ty::kInt || t == Ty::kReal || t == Ty::kBool; }
bool textual(Ty t) { return t == Ty::kText; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

Ty type_of_declared(std::string_view declared) {
  std::string t = lower(declared);
  if (t.find("int") != std::string::npos) return Ty::kInt;
  if (t.find("double") != std::string::npos || t.find("real") != std::string::npos ||
      t.find("float") != std::string::npos || t.find("numeric") != std::string::npos ||
      t.find("decimal") != std::string::npos)
    return Ty::kReal;
  if (t.find("char") != std::string::npos || t.find("text") != std::string::npos || t.find("clob") != std::string::npos)
    return Ty::kText;
  if (t.find("bytea") != std::string::npos || t.find("blob") != std::string::npos) return Ty::kBlob;
  if (t.find("bool") != std::string::npos) return Ty::kBool;
  if (t.find("date") != std::string::npos || t.find("time") != std::string::npos) return Ty::kText;
  return Ty::kUnknown;
}

// A string that SQLite's numeric affinity turns into a number: returns its kind.
std::optional<LiteralKind> numeric_text(std::string_view s) {
  if (s.empty() || s.size() > 40) return std::nullopt;
  std::string str(s);
  char* end = nullptr;
  std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size() || std::isspace(static_cast<unsigned char>(str[0]))) return std::nullopt;
  for (char c : str) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
      return std::nullopt;
  }
  bool integer = str.find_first_of(".eE") == std::string::npos;
  return integer ? LiteralKind::kInteger : LiteralKind::kFloat;
}

// Oracle's reserved words (SQL Language Reference, "Oracle SQL Reserved Words"): as
// identifiers they must be quoted.
bool oracle_reserved(std::string_view name) {
  static const std::set<std::string> kWords = {
      "access",    "add",      "all",        "alter",    "and",       "any",      "as",       "asc",
      "audit",     "between",  "by",         "char",     "check",     "cluster",  "column",   "comment",
      "compress",  "connect",  "create",     "current",  "date",      "decimal",  "default",  "delete",
      "desc",      "distinct", "drop",       "else",     "exclusive", "exists",   "file",     "float",
      "for",       "from",     "grant",      "group",    "having",    "identified", "immediate", "in",
      "increment", "index",    "initial",    "insert",   "integer",   "intersect", "into",    "is",
      "level",     "like",     "lock",       "long",     "maxextents", "minus",   "mlslabel", "mode",
      "modify",    "noaudit",  "nocompress", "not",      "nowait",    "null",     "number",   "of",
      "offline",   "on",       "online",     "option",   "or",        "order",    "pctfree",  "prior",
      "public",    "raw",      "rename",     "resource", "revoke",    "row",      "rowid",    "rownum",
      "rows",      "select",   "session",    "set",      "share",     "size",     "smallint", "start",
      "successful", "synonym", "sysdate",    "table",    "then",      "to",       "trigger",  "uid",
      "union",     "unique",   "update",     "user",     "validate",  "values",   "varchar",  "varchar2",
      "view",      "whenever", "where",      "with"};
  return kWords.count(lower(name)) > 0;
}

// An Oracle column type as introspected (NUMBER(15), NUMBER(38,2), NUMBER, VARCHAR2(240),
// DATE, TIMESTAMP(6) ...); other spellings (a catalog read through another driver) by
// the generic rules. A NUMBER without precision is read as a real: its values may have
// decimals, so its division is not SQLite's integer division.
Ty oracle_type(std::string_view declared) {
  std::string t = lower(declared);
  if (t.rfind("number", 0) == 0) {
    size_t comma = t.find(',');
    if (t.find('(') == std::string::npos) return Ty::kReal;
    if (comma == std::string::npos) return Ty::kInt;
    return std::atoi(t.c_str() + comma + 1) == 0 ? Ty::kInt : Ty::kReal;
  }
  if (t.rfind("binary_", 0) == 0 || t.rfind("float", 0) == 0) return Ty::kReal;
  if (t == "date" || t.rfind("timestamp", 0) == 0) return Ty::kDate;
  if (t.rfind("varchar2", 0) == 0 || t.rfind("nvarchar2", 0) == 0 || t.rfind("nchar", 0) == 0 || t == "long" ||
      t == "nclob")
    return Ty::kText;
  if (t.rfind("raw", 0) == 0 || t == "long raw") return Ty::kBlob;
  return type_of_declared(declared);
}

// 'YYYY-MM-DD' → "DATE"; 'YYYY-MM-DD HH:MM:SS[.fff]' → "TIMESTAMP"; else "".
std::string_view iso_date_kind(std::string_view s) {
  auto digits = [&](size_t from, size_t n) {
    if (from + n > s.size()) return false;
    for (size_t i = from; i < from + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
  };
  if (!(digits(0, 4) && s.size() >= 10 && s[4] == '-' && digits(5, 2) && s[7] == '-' && digits(8, 2))) return {};
  if (s.size() == 10) return "DATE";
  if (s.size() >= 19 && s[10] == ' ' && digits(11, 2) && s[13] == ':' && digits(14, 2) && s[16] == ':' &&
      digits(17, 2) && (s.size() == 19 || (s[19] == '.' && s.size() > 20 && digits(20, s.size() - 20))))
    return "TIMESTAMP";
  return {};
}

// SQLite strftime format → Oracle TO_CHAR format; "" when an element has no equivalent
// (%s, %w, %f ...).
std::string oracle_date_format(std::string_view f) {
  std::string out;
  std::string quoted;  // literal text, written "..." in Oracle formats
  auto flush = [&] {
    if (quoted.empty()) return;
    bool plain = quoted.find_first_not_of(" -/:,.;") == std::string::npos;
    out += plain ? quoted : "\"" + quoted + "\"";
    quoted.clear();
  };
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      if (f[i] == '"') return {};
      quoted += f[i];
      continue;
    }
    if (++i >= f.size()) return {};
    const char* element = nullptr;
    switch (f[i]) {
      case 'Y': element = "YYYY"; break;
      case 'm': element = "MM"; break;
      case 'd': element = "DD"; break;
      case 'H': element = "HH24"; break;
      case 'M': element = "MI"; break;
      case 'S': element = "SS"; break;
      case 'j': element = "DDD"; break;
      case '%': quoted += '%'; continue;
      default: return {};
    }
    flush();
    out += element;
  }
  flush();
  return out;
}

bool pg_reserved_extra(std::string_view name) {
  static const char* kWords[] = {"user",     "offset",       "limit",        "window",  "analyze", "analyse",
                                 "both",     "leading",      "trailing",     "only",    "returning", "placing",
                                 "variadic", "symmetric",    "current_role", "session_user", "do", "fetch",
                                 "array",    "current_user", "authorization", "binary", "collation", "concurrently",
                                 "freeze",   "ilike",        "isnull",       "notnull", "overlaps", "similar",
                                 "verbose",  "tablesample",  "lateral",      "asymmetric", "initially", "deferrable"};
  for (const char* w : kWords) {
    if (iequal(name, w)) return true;
  }
  return false;
}

struct Col {
  std::string name;  // spelling in the target
  Ty type = Ty::kUnknown;
  bool nullable = true;
  bool numeric_affinity = false;  // text in the target, numeric affinity in the SQLite source
};

bool numeric_affinity(std::string_view declared) {
  std::string t = lower(declared);
  if (t.find("int") != std::string::npos) return true;
  if (t.find("char") != std::string::npos || t.find("clob") != std::string::npos || t.find("text") != std::string::npos)
    return false;
  if (t.empty() || t.find("blob") != std::string::npos) return false;
  return true;  // REAL, FLOA, DOUB, NUMERIC, DECIMAL, DATE ...
}

constexpr std::string_view kNumberPrefixPattern = "^\\s*[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?";
constexpr std::string_view kNumberPattern = "^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$";

struct Inst {
  std::string key;  // lower-case name that references use (alias, or table name)
  Identifier qualifier;  // how a reference to it is qualified in the output
  std::vector<Col> cols;
  bool open = false;  // unknown columns (table function, unknown table)
  std::vector<std::string> primary_key;  // catalog tables: the key's columns
};

struct Scope {
  Scope* parent = nullptr;
  std::vector<Inst> insts;
  SelectQuery* select = nullptr;
};

struct CteInfo {
  std::string key;
  std::vector<Col> cols;
};

enum class Clause { kSelect, kFrom, kWhere, kGroupBy, kHaving, kOrderBy, kOther };

struct Ctx {
  Scope* scope = nullptr;
  Clause clause = Clause::kOther;
  bool in_aggregate = false;
};

class Translator {
 public:
  Translator(Ast& ast, const catalog::Catalog& catalog, Dialect to, const catalog::Catalog* source)
      : ast_(ast), catalog_(catalog), to_(to), source_(source) {}

  std::vector<Col> query(Query* q, Scope* parent) {
    size_t ctes_before = ctes_.size();
    if (q->with != nullptr) {
      for (Cte& c : q->with->ctes) {
        CteInfo info;
        info.key = lower(c.name.name);
        if (c.query != nullptr) {
          // A recursive CTE sees itself: register a provisional entry first.
          if (q->with->recursive) ctes_.push_back(CteInfo{info.key, {}});
          auto cols = query(c.query, parent);
          if (q->with->recursive) ctes_.pop_back();
          info.cols = cols;
        }
        for (size_t i = 0; i < c.columns.size() && i < info.cols.size(); ++i) {
          info.cols[i].name = std::string(c.columns[i].name);
        }
        ctes_.push_back(std::move(info));
      }
    }
    std::vector<Col> out;
    if (auto* s = q->as<SelectQuery>()) {
      out = select(s, parent);
    } else if (auto* so = q->as<SetOpQuery>()) {
      out = query(so->left, parent);
      auto right = query(so->right, parent);
      for (size_t i = 0; i < out.size() && i < right.size(); ++i) {
        if (out[i].type == Ty::kUnknown || out[i].type == Ty::kNull) out[i].type = right[i].type;
      }
      // ORDER BY of a set operation: output column names or positions.
      for (OrderItem& o : so->order_by) {
        if (auto* ref = o.expr->as<ColumnRef>()) {
          ref->table = Identifier{};
          for (const Col& c : out) {
            if (iequal(c.name, ref->column.name)) ref->column = ident(c.name);
          }
        }
        null_order(o, nullptr, out);
      }
    } else if (auto* v = q->as<ValuesQuery>()) {
      Scope scope;
      scope.parent = parent;
      Ctx ctx{&scope, Clause::kOther, false};
      for (List<Expr*>& row : v->rows) {
        for (Expr*& e : row) expr(e, ctx);
      }
      if (!v->rows.empty()) out.resize(v->rows[0].size());
    }
    if (q->limit != nullptr) {
      Scope scope;
      scope.parent = parent;
      Ctx ctx{&scope, Clause::kOther, false};
      if (q->limit->count != nullptr) expr(q->limit->count, ctx);
      if (q->limit->offset != nullptr) expr(q->limit->offset, ctx);
    }
    ctes_.resize(ctes_before);
    return out;
  }

  std::set<std::string> rules;

 private:
  Identifier ident(std::string_view name) {
    Identifier id;
    id.name = ast_.arena().copy(name);
    id.quoted = needs_quotes(name);
    return id;
  }

  bool needs_quotes(std::string_view name) const {
    if (identifier_needs_quotes(name)) return true;
    for (char c : name) {
      if (to_ == Dialect::kPostgres && c >= 'A' && c <= 'Z') return true;
      if (to_ == Dialect::kOracle && c >= 'a' && c <= 'z') return true;
    }
    if (to_ == Dialect::kOracle) return oracle_reserved(name);
    return to_ == Dialect::kPostgres && pg_reserved_extra(name);
  }

  // ------------------------------------------------------------ node builders
  Expr* make_cast(Expr* value, std::string_view type) {
    auto* c = ast_.arena().make<Cast>();
    c->pos = value->pos;
    c->value = value;
    c->type.name = type;
    return c;
  }
  Function* make_function(std::string_view name, std::vector<Expr*> args, uint32_t pos) {
    auto* f = ast_.arena().make<Function>();
    f->pos = pos;
    f->name.name = name;
    f->args = ast_.make_list(args);
    return f;
  }
  Literal* make_literal(LiteralKind kind, std::string_view text, uint32_t pos) {
    auto* l = ast_.arena().make<Literal>();
    l->pos = pos;
    l->literal_kind = kind;
    l->text = ast_.arena().copy(text);
    return l;
  }

  // CASE WHEN e ~ number THEN CAST(e AS DOUBLE PRECISION) ELSE <otherwise> END
  Expr* number_of(Expr* e, Expr* otherwise) {
    auto* match = ast_.arena().make<Binary>();
    match->pos = e->pos;
    match->op = BinaryOp::kRegexMatch;
    match->op_text = "~";
    match->left = e;
    match->right = make_literal(LiteralKind::kString, kNumberPattern, e->pos);
    auto* c = ast_.arena().make<Case>();
    c->pos = e->pos;
    WhenClause w{match, make_cast(e, "DOUBLE PRECISION")};
    c->whens = ast_.make_list(std::vector<WhenClause>{w});
    c->else_result = otherwise;
    return c;
  }
  // SQLite reads text as a number in arithmetic and SUM/AVG: its longest numeric prefix,
  // else 0 (NULL stays NULL):
  //   CASE WHEN e IS NOT NULL THEN CAST(COALESCE(SUBSTRING(e, '^prefix'), '0') AS DOUBLE PRECISION) END
  Expr* text_as_number(Expr* e) {
    rules.insert("text as number");
    auto* not_null = ast_.arena().make<IsNull>();
    not_null->negated = true;
    not_null->value = e;
    Expr* prefix = make_function(
        "SUBSTRING", {e, make_literal(LiteralKind::kString, kNumberPrefixPattern, e->pos)}, e->pos);
    Expr* number = make_cast(
        make_function("COALESCE", {prefix, make_literal(LiteralKind::kString, "0", e->pos)}, e->pos),
        "DOUBLE PRECISION");
    auto* c = ast_.arena().make<Case>();
    c->pos = e->pos;
    c->whens = ast_.make_list(std::vector<WhenClause>{WhenClause{not_null, number}});
    return c;
  }

  // ------------------------------------------------------------ FROM
  void from(TableRef* t, Scope& scope) {
    if (t == nullptr) return;
    if (auto* tn = t->as<TableName>()) {
      Inst in;
      std::string written(tn->name.name);
      const CteInfo* cte = nullptr;
      if (tn->schema.empty()) {
        for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it) {
          if (it->key == lower(written)) {
            cte = &*it;
            break;
          }
        }
      }
      Identifier table_id = tn->name;
      if (cte != nullptr) {
        in.cols = cte->cols;
        in.open = cte->cols.empty();
      } else if (const catalog::Table* table = catalog_.find_table(written)) {
        table_id = ident(table->name);
        if (tn->name.name != table_id.name || tn->name.quoted != table_id.quoted) {
          tn->name = table_id;
          rules.insert("names");
        }
        if (!tn->schema.empty()) {
          tn->schema = ident(tn->schema.name);
        } else if (to_ == Dialect::kOracle && !table->schema.empty()) {
          // APPS.AP_INVOICES_ALL: the owner, as the catalog names it (a user other than the
          // owner sees the table only through it or a synonym).
          tn->schema = ident(table->schema);
          rules.insert("names");
        }
        in.primary_key = table->primary_key;
        const catalog::Table* source_table = source_ != nullptr ? source_->find_table(table->name) : nullptr;
        for (const catalog::Column& c : table->columns) {
          Col col{c.name, to_ == Dialect::kOracle ? oracle_type(c.type) : type_of_declared(c.type),
                  !(c.not_null || c.primary_key), false};
          if (source_table != nullptr && col.type == Ty::kText) {
            if (const catalog::Column* sc = source_table->find_column(c.name)) col.numeric_affinity = numeric_affinity(sc->type);
          }
          in.cols.push_back(col);
        }
      } else {
        in.open = true;
      }
      in.key = lower(tn->alias.present() ? tn->alias.name.name : tn->name.name);
      in.qualifier = tn->alias.present() ? tn->alias.name : table_id;
      apply_alias_columns(in, tn->alias);
      scope.insts.push_back(std::move(in));
      return;
    }
    if (auto* dt = t->as<DerivedTable>()) {
      Inst in;
      in.cols = query(dt->query, dt->lateral ? &scope : scope.parent);
      in.key = lower(dt->alias.name.name);
      in.qualifier = dt->alias.name;
      apply_alias_columns(in, dt->alias);
      scope.insts.push_back(std::move(in));
      return;
    }
    if (auto* tf = t->as<TableFunction>()) {
      Ctx ctx{&scope, Clause::kFrom, false};
      for (Expr*& a : tf->call->args) expr(a, ctx);
      Inst in;
      in.open = true;
      in.key = lower(tf->alias.present() ? tf->alias.name.name : tf->call->name.name);
      in.qualifier = tf->alias.present() ? tf->alias.name : tf->call->name;
      scope.insts.push_back(std::move(in));
      return;
    }
    if (auto* j = t->as<JoinRef>()) {
      size_t left_begin = scope.insts.size();
      from(j->left, scope);
      size_t right_begin = scope.insts.size();
      from(j->right, scope);
      for (Identifier& u : j->using_columns) {
        for (size_t i = left_begin; i < right_begin; ++i) {
          if (const Col* c = find_col(scope.insts[i], u.name)) {
            u = ident(c->name);
            break;
          }
        }
      }
      if (j->on != nullptr) {
        Ctx ctx{&scope, Clause::kFrom, false};
        expr(j->on, ctx);
      } else if (to_ != Dialect::kSqlite && j->type == JoinType::kInner && !j->natural && j->using_columns.empty()) {
        // SQLite: JOIN without ON is a cross join; PostgreSQL and Oracle require a condition
        // (Oracle has no TRUE before 23c: 1 = 1).
        if (to_ == Dialect::kOracle) {
          auto* one = ast_.arena().make<Binary>();
          one->pos = j->pos;
          one->op = BinaryOp::kEq;
          one->left = make_literal(LiteralKind::kInteger, "1", j->pos);
          one->right = make_literal(LiteralKind::kInteger, "1", j->pos);
          j->on = one;
        } else {
          j->on = make_literal(LiteralKind::kTrue, "TRUE", j->pos);
        }
        rules.insert("join without on");
      }
    }
  }

  static void apply_alias_columns(Inst& in, const Alias& alias) {
    for (size_t i = 0; i < alias.columns.size() && i < in.cols.size(); ++i) {
      in.cols[i].name = std::string(alias.columns[i].name);
    }
  }

  static const Col* find_col(const Inst& in, std::string_view name) {
    for (const Col& c : in.cols) {
      if (iequal(c.name, name)) return &c;
    }
    return nullptr;
  }

  // ------------------------------------------------------------ SELECT
  std::vector<Col> select(SelectQuery* s, Scope* parent) {
    Scope scope;
    scope.parent = parent;
    scope.select = s;
    from(s->from, scope);
    std::vector<Col> out;
    std::vector<Ty> item_types;
    for (SelectItem& item : s->items) {
      if (auto* star = item.expr->as<Star>()) {
        for (Inst& in : scope.insts) {
          if (!star->table.empty()) {
            if (in.key != lower(star->table.name)) continue;
            star->table = in.qualifier;
          }
          for (const Col& c : in.cols) out.push_back(c);
        }
        item_types.push_back(Ty::kUnknown);
        continue;
      }
      Ctx ctx{&scope, Clause::kSelect, false};
      Ty t = expr(item.expr, ctx);
      item_types.push_back(t);
      if (to_ == Dialect::kOracle && !item.alias.empty() && !item.alias.quoted && oracle_reserved(item.alias.name)) {
        item.alias.quoted = true;  // AS "date": Oracle refuses a reserved word as an alias
        rules.insert("names");
      }
      Col c;
      c.type = t;
      if (!item.alias.empty()) {
        c.name = std::string(item.alias.name);
      } else if (auto* ref = item.expr->as<ColumnRef>()) {
        c.name = std::string(ref->column.name);
      } else if (auto* f = item.expr->as<Function>()) {
        c.name = lower(f->name.name);
      }
      out.push_back(c);
    }
    if (s->where != nullptr) {
      Ctx ctx{&scope, Clause::kWhere, false};
      expr(s->where, ctx);
    }
    for (Expr*& g : s->group_by) {
      Ctx ctx{&scope, Clause::kGroupBy, false};
      expr(g, ctx);
      // Oracle has no GROUP BY <position>: the select item it names.
      if (auto* l = g->as<Literal>(); to_ == Dialect::kOracle && l != nullptr && l->literal_kind == LiteralKind::kInteger) {
        size_t n = static_cast<size_t>(std::atoi(std::string(l->text).c_str()));
        if (n >= 1 && n <= s->items.size() && s->items[n - 1].expr->as<Star>() == nullptr) {
          g = s->items[n - 1].expr;
          rules.insert("group by position");
        }
      }
    }
    if (s->having != nullptr) {
      Ctx ctx{&scope, Clause::kHaving, false};
      expr(s->having, ctx);
    }
    for (OrderItem& o : s->order_by) {
      Ctx ctx{&scope, Clause::kOrderBy, false};
      order_item_top_ = o.expr->as<ColumnRef>() != nullptr;
      Ty t = expr(o.expr, ctx);
      order_item_top_ = false;
      null_order(o, &scope, out, t);
    }
    affinity_order(s);
    distinct_order(s);
    complete_group_by(s, scope);
    if (to_ == Dialect::kOracle) oracle_conditions(s);
    return out;
  }

  // ORDER BY a numeric-affinity column held as text: NULL, then numbers by value, then text.
  void affinity_order(SelectQuery* s) {
    if (to_ != Dialect::kPostgres) return;
    std::vector<OrderItem> items;
    bool changed = false;
    for (const OrderItem& o : s->order_by) {
      if (!numeric_text_.count(o.expr)) {
        items.push_back(o);
        continue;
      }
      changed = true;
      Expr* e = o.expr;
      auto* is_null = ast_.arena().make<IsNull>();
      is_null->value = e;
      auto* number_class = number_of(e, make_literal(LiteralKind::kInteger, "2", e->pos))->as<Case>();
      number_class->whens[0].result = make_literal(LiteralKind::kInteger, "1", e->pos);
      std::vector<WhenClause> whens{WhenClause{is_null, make_literal(LiteralKind::kInteger, "0", e->pos)},
                                    number_class->whens[0]};
      number_class->whens = ast_.make_list(whens);
      OrderItem a = o, b = o, c = o;
      a.expr = number_class;
      b.expr = number_of(e, nullptr);
      a.nulls = b.nulls = c.nulls = OrderItem::Nulls::kDefault;
      items.push_back(a);
      items.push_back(b);
      items.push_back(c);
    }
    if (changed) {
      s->order_by = ast_.make_list(items);
      rules.insert("numeric affinity");
    }
  }

  // SELECT DISTINCT a ... ORDER BY b with b not selected: PostgreSQL refuses it; group by
  // the selected expressions and order by the least (greatest, descending) b of a group.
  void distinct_order(SelectQuery* s) {
    if (to_ == Dialect::kSqlite || s->distinct != Distinct::kDistinct || !s->group_by.empty() ||
        s->order_by.empty() || s->having != nullptr)
      return;
    for (const SelectItem& item : s->items) {
      if (item.expr->as<Star>() != nullptr || contains_aggregate(item.expr)) return;
    }
    std::vector<OrderItem> order(s->order_by.begin(), s->order_by.end());
    bool changed = false;
    for (OrderItem& o : order) {
      bool selected = false;
      for (const SelectItem& item : s->items) selected = selected || equal(item.expr, o.expr);
      if (auto* ref = o.expr->as<ColumnRef>(); ref != nullptr && alias_names_.count(ref)) selected = true;
      if (selected || contains_aggregate(o.expr)) continue;
      o.expr = make_function(o.descending() ? "MAX" : "MIN", {o.expr}, o.expr->pos);
      changed = true;
    }
    if (!changed) return;
    std::vector<Expr*> groups;
    for (const SelectItem& item : s->items) groups.push_back(item.expr);
    s->group_by = ast_.make_list(groups);
    s->order_by = ast_.make_list(order);
    s->distinct = Distinct::kNone;
    rules.insert("distinct order by");
  }

  // SQLite sorts NULL first; PostgreSQL last (ascending).
  void null_order(OrderItem& o, Scope* scope, const std::vector<Col>& out, Ty type = Ty::kUnknown) {
    if (to_ == Dialect::kSqlite || o.nulls != OrderItem::Nulls::kDefault) return;
    (void)type;
    if (!may_be_null(o.expr, scope, out)) return;
    o.nulls = o.descending() ? OrderItem::Nulls::kLast : OrderItem::Nulls::kFirst;
    rules.insert("null order");
  }

  bool may_be_null(const Expr* e, Scope* scope, const std::vector<Col>& out) const {
    if (e->as<Literal>() != nullptr) return false;
    if (auto* f = e->as<Function>()) {
      if (iequal(f->name.name, "count") && f->over == nullptr) return false;
    }
    if (auto* ref = e->as<ColumnRef>()) {
      if (scope != nullptr) {
        for (const Inst& in : scope->insts) {
          if (!ref->table.empty() && !iequal(in.qualifier.name, ref->table.name)) continue;
          if (const Col* c = find_col(in, ref->column.name)) return c->nullable;
        }
      }
      for (const Col& c : out) {
        if (iequal(c.name, ref->column.name)) return c.nullable;
      }
    }
    return true;
  }

  // ------------------------------------------------------------ GROUP BY completion
  static bool contains_aggregate(const Node* n) {
    if (n == nullptr) return false;
    if (auto* f = static_cast<const Expr*>(n)->as<Function>();
        f != nullptr && n->kind == NodeKind::kFunction && f->over == nullptr && f->over_name.empty() &&
        is_aggregate_function(f->name.name))
      return true;
    if (n->kind == NodeKind::kSubquery || n->kind == NodeKind::kExists || n->kind == NodeKind::kInQuery) {
      if (n->kind == NodeKind::kInQuery) return contains_aggregate(static_cast<const InQuery*>(n)->value);
      return false;
    }
    bool found = false;
    for_each_child(n, [&](const Node* child) {
      if (!found && child->kind <= NodeKind::kExtract) found = contains_aggregate(child);
    });
    return found;
  }

  // Column references of the current SELECT outside aggregates and subqueries.
  void bare_columns(Expr* e, const SelectQuery* s, std::vector<Expr*>& out) {
    if (e == nullptr) return;
    for (Expr* g : s->group_by) {
      if (equal(e, g)) return;
    }
    if (auto* ref = e->as<ColumnRef>()) {
      if (!outer_refs_.count(ref)) out.push_back(e);
      return;
    }
    if (auto* f = e->as<Function>()) {
      if (f->over != nullptr || !f->over_name.empty()) return;
      if (is_aggregate_function(f->name.name) && !(f->args.size() >= 2 && (iequal(f->name.name, "max") || iequal(f->name.name, "min"))))
        return;
    }
    if (e->kind == NodeKind::kSubquery || e->kind == NodeKind::kExists) return;
    for_each_slot(e, [&](auto*& slot) {
      using T = std::remove_reference_t<decltype(slot)>;
      if constexpr (std::is_same_v<T, Expr*>) bare_columns(slot, s, out);
    });
  }

  void complete_group_by(SelectQuery* s, Scope& scope) {
    if (to_ == Dialect::kSqlite) return;
    std::vector<Expr*> bare;
    for (SelectItem& item : s->items) bare_columns(item.expr, s, bare);
    if (s->having != nullptr) bare_columns(s->having, s, bare);
    for (OrderItem& o : s->order_by) bare_columns(o.expr, s, bare);
    if (bare.empty()) return;
    if (s->group_by.empty()) {
      bool aggregate = false;
      for (SelectItem& item : s->items) aggregate = aggregate || contains_aggregate(item.expr);
      if (s->having != nullptr) aggregate = true;
      for (OrderItem& o : s->order_by) aggregate = aggregate || contains_aggregate(o.expr);
      if (!aggregate) return;
      if (extreme_row(s, scope, bare)) return;
      one_row(s);
      return;
    }
    // Columns the groups determine: the GROUP BY columns, those equal to them (ON / WHERE
    // equalities), and every column of a table whose primary key is among them.
    std::set<std::string> grouped;
    for (Expr* g : s->group_by) {
      if (auto* ref = g->as<ColumnRef>()) grouped.insert(column_key(ref, scope));
    }
    std::vector<std::pair<std::string, std::string>> equalities;
    collect_equalities(s->where, scope, equalities);
    collect_join_equalities(s->from, scope, equalities);
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& [a, b] : equalities) {
        if (grouped.count(a) && grouped.insert(b).second) changed = true;
        if (grouped.count(b) && grouped.insert(a).second) changed = true;
      }
    }
    std::vector<Expr*> groups(s->group_by.begin(), s->group_by.end());
    std::set<const Expr*> wrap;
    for (Expr* b : bare) {
      bool present = false;
      for (Expr* g : groups) present = present || equal(b, g);
      // A select-list alias in ORDER BY names an output column: nothing to group.
      auto* ref = b->as<ColumnRef>();
      if (ref != nullptr && ref->table.empty() && alias_names_.count(ref)) present = true;
      if (present) continue;
      if (ref != nullptr && !determined(ref, scope, grouped)) {
        wrap.insert(b);  // SQLite takes it from some row of the group
        continue;
      }
      groups.push_back(b);
    }
    if (groups.size() != s->group_by.size()) {
      s->group_by = ast_.make_list(groups);
      rules.insert("group by");
    }
    if (!wrap.empty() && extreme_row_per_group(s)) return;
    if (!wrap.empty()) {
      for (SelectItem& item : s->items) wrap_only(item.expr, wrap);
      if (s->having != nullptr) wrap_only(s->having, wrap);
      for (OrderItem& o : s->order_by) wrap_only(o.expr, wrap);
      rules.insert("bare columns");
    }
  }

  // SELECT bare, MAX(x) ... GROUP BY g (nothing after): SQLite takes the bare columns from
  // the row holding each group's maximum. Written as
  //   SELECT DISTINCT ON (g) bare, MAX(x) OVER (PARTITION BY g) ... ORDER BY g, x DESC NULLS LAST
  bool extreme_row_per_group(SelectQuery* s) {
    if (to_ != Dialect::kPostgres) return false;  // DISTINCT ON is PostgreSQL's
    if (s->having != nullptr || !s->order_by.empty() || s->limit != nullptr || s->distinct != Distinct::kNone)
      return false;
    std::vector<Function*> aggregates;
    for (SelectItem& item : s->items) collect_aggregates(item.expr, aggregates);
    Function* extreme = nullptr;
    int count = 0;
    for (Function* f : aggregates) {
      if (f->distinct || f->star || !f->order_by.empty() || f->filter != nullptr) return false;
      if ((iequal(f->name.name, "max") || iequal(f->name.name, "min")) && f->args.size() == 1) {
        extreme = f;
        ++count;
      }
    }
    if (count != 1) return false;
    for (Expr* g : s->group_by) {
      if (g->as<Literal>() != nullptr) return false;  // GROUP BY 1: a position
    }
    for (Function* f : aggregates) {
      auto* w = ast_.arena().make<WindowSpec>();
      w->partition_by = s->group_by;
      f->over = w;
    }
    std::vector<OrderItem> order;
    for (Expr* g : s->group_by) {
      OrderItem o;
      o.expr = g;
      order.push_back(o);
    }
    OrderItem o;
    o.expr = extreme->args[0];
    o.direction = iequal(extreme->name.name, "max") ? OrderItem::Direction::kDesc : OrderItem::Direction::kAsc;
    o.nulls = OrderItem::Nulls::kLast;
    order.push_back(o);
    s->distinct = Distinct::kDistinctOn;
    s->distinct_on = s->group_by;
    s->group_by = List<Expr*>{};
    s->order_by = ast_.make_list(order);
    rules.insert("bare columns");
    return true;
  }

  void wrap_only(Expr*& e, const std::set<const Expr*>& wrap) {
    if (wrap.count(e)) {
      e = make_function("MIN", {e}, e->pos);
      return;
    }
    if (e->kind == NodeKind::kSubquery || e->kind == NodeKind::kExists) return;
    for_each_slot(e, [&](auto*& slot) {
      using T = std::remove_reference_t<decltype(slot)>;
      if constexpr (std::is_same_v<T, Expr*>) wrap_only(slot, wrap);
    });
  }

  const Inst* instance_of(const ColumnRef* ref, const Scope& scope) const {
    for (const Inst& in : scope.insts) {
      if (!ref->table.empty()) {
        if (in.key == lower(ref->table.name)) return &in;
      } else if (find_col(in, ref->column.name) != nullptr) {
        return &in;
      }
    }
    return nullptr;
  }

  std::string column_key(const ColumnRef* ref, const Scope& scope) const {
    const Inst* in = instance_of(ref, scope);
    return (in != nullptr ? in->key : std::string("?")) + "." + lower(ref->column.name);
  }

  bool determined(const ColumnRef* ref, const Scope& scope, const std::set<std::string>& grouped) const {
    if (grouped.count(column_key(ref, scope))) return true;
    const Inst* in = instance_of(ref, scope);
    if (in == nullptr) return true;  // unknown: leave it to the GROUP BY
    if (in->primary_key.empty()) return false;
    for (const std::string& k : in->primary_key) {
      if (!grouped.count(in->key + "." + lower(k))) return false;
    }
    return true;
  }

  void collect_equalities(const Expr* e, const Scope& scope, std::vector<std::pair<std::string, std::string>>& out) {
    if (e == nullptr) return;
    if (auto* b = e->as<Binary>()) {
      if (b->op == BinaryOp::kAnd) {
        collect_equalities(b->left, scope, out);
        collect_equalities(b->right, scope, out);
      } else if (b->op == BinaryOp::kEq) {
        auto* l = b->left->as<ColumnRef>();
        auto* r = b->right->as<ColumnRef>();
        if (l != nullptr && r != nullptr) out.emplace_back(column_key(l, scope), column_key(r, scope));
      }
    }
  }

  void collect_join_equalities(const TableRef* t, const Scope& scope,
                               std::vector<std::pair<std::string, std::string>>& out) {
    auto* j = t != nullptr ? t->as<JoinRef>() : nullptr;
    if (j == nullptr) return;
    collect_join_equalities(j->left, scope, out);
    collect_join_equalities(j->right, scope, out);
    if (j->type == JoinType::kInner || j->type == JoinType::kComma) collect_equalities(j->on, scope, out);
  }

  // SELECT bare, MAX(x) FROM ... (no GROUP BY): SQLite takes the bare columns from the row
  // holding the maximum. Written as window aggregates over the rows ordered by x, first row.
  bool extreme_row(SelectQuery* s, Scope& scope, const std::vector<Expr*>& bare) {
    (void)scope;
    (void)bare;
    Function* extreme = nullptr;
    int count = 0;
    std::vector<Function*> aggregates;
    for (SelectItem& item : s->items) collect_aggregates(item.expr, aggregates);
    for (Function* f : aggregates) {
      if ((iequal(f->name.name, "max") || iequal(f->name.name, "min")) && f->args.size() == 1) {
        extreme = f;
        ++count;
      }
    }
    if (count != 1 || s->having != nullptr || !s->order_by.empty() || s->limit != nullptr ||
        s->distinct != Distinct::kNone)
      return false;
    // Every aggregate becomes a window over the whole input; ORDER BY the extreme, LIMIT 1.
    for (Function* f : aggregates) {
      f->over = ast_.arena().make<WindowSpec>();
    }
    OrderItem o;
    o.expr = extreme->args[0];
    o.direction = iequal(extreme->name.name, "max") ? OrderItem::Direction::kDesc : OrderItem::Direction::kAsc;
    o.nulls = OrderItem::Nulls::kLast;
    s->order_by = ast_.make_list(std::vector<OrderItem>{o});
    auto* limit = ast_.arena().make<Limit>();
    limit->count = make_literal(LiteralKind::kInteger, "1", s->pos);
    s->limit = limit;
    rules.insert("bare columns");
    return true;
  }

  // An aggregate query without GROUP BY gives one row: ORDER BY has nothing to order (its
  // bare columns are dropped), and a bare column in the select list (SQLite: from some
  // row) becomes MIN(column).
  void one_row(SelectQuery* s) {
    std::vector<OrderItem> order;
    for (const OrderItem& o : s->order_by) {
      std::vector<Expr*> bare;
      bare_columns(o.expr, s, bare);
      if (bare.empty()) order.push_back(o);
    }
    if (order.size() != s->order_by.size()) s->order_by = ast_.make_list(order);
    for (SelectItem& item : s->items) wrap_bare(item.expr, s);
    if (s->having != nullptr) wrap_bare(s->having, s);
    rules.insert("bare columns");
  }

  void wrap_bare(Expr*& e, SelectQuery* s) {
    if (auto* ref = e->as<ColumnRef>()) {
      if (!outer_refs_.count(ref)) e = make_function("MIN", {e}, e->pos);
      return;
    }
    if (auto* f = e->as<Function>()) {
      if (f->over != nullptr || !f->over_name.empty()) return;
      if (is_aggregate_function(f->name.name) &&
          !(f->args.size() >= 2 && (iequal(f->name.name, "max") || iequal(f->name.name, "min"))))
        return;
    }
    if (e->kind == NodeKind::kSubquery || e->kind == NodeKind::kExists) return;
    for_each_slot(e, [&](auto*& slot) {
      using T = std::remove_reference_t<decltype(slot)>;
      if constexpr (std::is_same_v<T, Expr*>) wrap_bare(slot, s);
    });
  }

  static void collect_aggregates(Expr* e, std::vector<Function*>& out) {
    if (e == nullptr) return;
    if (auto* f = e->as<Function>()) {
      if (f->over == nullptr && f->over_name.empty() && is_aggregate_function(f->name.name) &&
          !(f->args.size() >= 2 && (iequal(f->name.name, "max") || iequal(f->name.name, "min")))) {
        out.push_back(f);
        return;
      }
    }
    if (e->kind == NodeKind::kSubquery || e->kind == NodeKind::kExists || e->kind == NodeKind::kInQuery) return;
    for_each_slot(e, [&](auto*& slot) {
      using T = std::remove_reference_t<decltype(slot)>;
      if constexpr (std::is_same_v<T, Expr*>) collect_aggregates(slot, out);
    });
  }

  // ------------------------------------------------------------ expressions
  Ty column(Expr*& slot, ColumnRef* ref, const Ctx& ctx) {
    std::string_view name = ref->column.name;
    if (!ref->table.empty()) {
      std::string key = lower(ref->table.name);
      bool outer = false;
      for (Scope* sc = ctx.scope; sc != nullptr; sc = sc->parent) {
        for (Inst& in : sc->insts) {
          if (in.key != key) continue;
          ref->table = in.qualifier;
          if (outer) outer_refs_.insert(ref);
          if (const Col* c = find_col(in, name)) {
            ref->column = ident(c->name);
            if (c->numeric_affinity) numeric_text_.insert(ref);
            return c->type;
          }
          return Ty::kUnknown;
        }
        outer = true;
      }
      return Ty::kUnknown;
    }
    SelectQuery* s = ctx.scope != nullptr ? ctx.scope->select : nullptr;
    // ORDER BY prefers a select-list alias.
    if (ctx.clause == Clause::kOrderBy && s != nullptr) {
      if (Ty t; alias_reference(slot, ref, s, ctx, t)) return t;
    }
    bool outer = false;
    for (Scope* sc = ctx.scope; sc != nullptr; sc = sc->parent) {
      for (Inst& in : sc->insts) {
        if (const Col* c = find_col(in, name)) {
          ref->column = ident(c->name);
          if (outer) outer_refs_.insert(ref);
          if (c->numeric_affinity) numeric_text_.insert(ref);
          return c->type;
        }
      }
      if (sc == ctx.scope && s != nullptr && ctx.clause != Clause::kSelect && ctx.clause != Clause::kFrom) {
        if (Ty t; alias_reference(slot, ref, s, ctx, t)) return t;
      }
      outer = true;
    }
    // SQLite's fallback: an unknown "name" is a string.
    if (ref->column.quoted && ref->pos < ast_.source().size() && ast_.source()[ref->pos] == '"') {
      slot = make_literal(LiteralKind::kString, name, ref->pos);
      rules.insert("double-quoted string");
      return Ty::kStringLiteral;
    }
    return Ty::kUnknown;
  }

  bool alias_reference(Expr*& slot, ColumnRef* ref, SelectQuery* s, const Ctx& ctx, Ty& type) {
    for (SelectItem& item : s->items) {
      if (item.alias.empty() || !iequal(item.alias.name, ref->column.name)) continue;
      type = Ty::kUnknown;
      if (ctx.clause == Clause::kOrderBy && order_item_top_) {
        ref->column = item.alias;
        alias_names_.insert(ref);
        return true;
      }
      if (ctx.clause == Clause::kGroupBy && to_ == Dialect::kPostgres && item.expr->as<ColumnRef>() == nullptr &&
          !contains_aggregate(item.expr)) {
        ref->column = item.alias;
        alias_names_.insert(ref);
        return true;
      }
      slot = item.expr;  // already translated
      rules.insert("alias");
      return true;
    }
    return false;
  }

  Ty literal_type(const Literal* l) const {
    switch (l->literal_kind) {
      case LiteralKind::kInteger: return Ty::kInt;
      case LiteralKind::kFloat: return Ty::kReal;
      case LiteralKind::kString: return Ty::kStringLiteral;
      case LiteralKind::kNull: return Ty::kNull;
      case LiteralKind::kTrue:
      case LiteralKind::kFalse: return Ty::kBool;
      default: return Ty::kUnknown;
    }
  }

  // Makes `a` comparable with an operand of type `other` as SQLite would compare them.
  void coerce(Expr*& a, Ty ta, Ty other) {
    if (to_ == Dialect::kSqlite) return;
    if (textual(other) && numeric(ta)) {
      if (auto* l = a->as<Literal>(); l != nullptr && (l->literal_kind == LiteralKind::kInteger ||
                                                       l->literal_kind == LiteralKind::kFloat)) {
        a = make_literal(LiteralKind::kString, l->text, l->pos);
      } else {
        a = make_cast(a, "TEXT");
      }
      rules.insert("text vs number");
      return;
    }
    if (numeric(other) && ta == Ty::kStringLiteral) {
      auto* l = a->as<Literal>();
      if (l == nullptr) return;
      if (auto kind = numeric_text(l->text)) {
        std::string text(l->text);
        if (!text.empty() && text[0] == '+') text.erase(0, 1);
        if (!text.empty() && text[0] == '-') {
          a = make_literal(*kind, text.substr(1), l->pos);
          auto* neg = ast_.arena().make<Unary>();
          neg->op = UnaryOp::kNeg;
          neg->operand = a;
          neg->pos = l->pos;
          a = neg;
        } else {
          a = make_literal(*kind, text, l->pos);
        }
        rules.insert("text vs number");
      }
    }
  }

  // A number compared with a string that is no number: compare as text (never equal).
  void number_vs_word(Expr*& num, Ty tn, Expr* other, Ty to) {
    if (to_ == Dialect::kSqlite || !numeric(tn) || to != Ty::kStringLiteral) return;
    auto* l = other->as<Literal>();
    if (l == nullptr || numeric_text(l->text)) return;
    num = make_cast(num, "TEXT");
    rules.insert("text vs number");
  }

  // A numeric-affinity column held as text compared with a number: numbers compare
  // numerically, other text is greater than every number (SQLite's order).
  Expr* affinity_comparison(Binary* b, Ty tl, Ty tr, bool& handled) {
    if (to_ != Dialect::kPostgres) return nullptr;
    bool left = numeric_text_.count(b->left) && numeric(tr);
    bool right = numeric_text_.count(b->right) && numeric(tl);
    if (!left && !right) return nullptr;
    if (b->op == BinaryOp::kIs || b->op == BinaryOp::kIsNot) return nullptr;
    handled = true;
    Expr*& column = left ? b->left : b->right;
    Expr* original = column;
    column = number_of(original, nullptr);
    rules.insert("numeric affinity");
    // When the text is no number: text > number.
    BinaryOp op = b->op;
    if (right) {  // number op text: mirror
      if (op == BinaryOp::kLt) op = BinaryOp::kGt;
      else if (op == BinaryOp::kLe) op = BinaryOp::kGe;
      else if (op == BinaryOp::kGt) op = BinaryOp::kLt;
      else if (op == BinaryOp::kGe) op = BinaryOp::kLe;
    }
    bool text_result = op == BinaryOp::kNe || op == BinaryOp::kGt || op == BinaryOp::kGe;
    if (!text_result) return nullptr;  // NULL (false) for non-numbers is right for =, <, <=
    auto* not_null = ast_.arena().make<IsNull>();
    not_null->negated = true;
    not_null->value = original;
    return make_function("COALESCE", {b, not_null}, b->pos);
  }

  void coerce_pair(Expr*& a, Ty ta, Expr*& b, Ty tb) {
    // Numeric side cast to text only when the other side is text and this side a number.
    if (textual(ta) && numeric(tb)) {
      coerce(b, tb, ta);
    } else if (textual(tb) && numeric(ta)) {
      coerce(a, ta, tb);
    } else if (numeric(ta) && tb == Ty::kStringLiteral) {
      number_vs_word(a, ta, b, tb);
      coerce(b, tb, ta);
    } else if (numeric(tb) && ta == Ty::kStringLiteral) {
      number_vs_word(b, tb, a, ta);
      coerce(a, ta, tb);
    }
  }

  static bool comparison(BinaryOp op) {
    return op == BinaryOp::kEq || op == BinaryOp::kNe || op == BinaryOp::kLt || op == BinaryOp::kLe ||
           op == BinaryOp::kGt || op == BinaryOp::kGe || op == BinaryOp::kIs || op == BinaryOp::kIsNot;
  }

  static Ty arithmetic(Ty a, Ty b) {
    if (a == Ty::kReal || b == Ty::kReal) return Ty::kReal;
    if ((a == Ty::kInt || a == Ty::kBool) && (b == Ty::kInt || b == Ty::kBool)) return Ty::kInt;
    return Ty::kUnknown;
  }

  Ty subquery_type(Query* q, const Ctx& ctx) {
    auto cols = query(q, ctx.scope);
    return cols.empty() ? Ty::kUnknown : cols[0].type;
  }

  Ty expr(Expr*& slot, const Ctx& ctx) {
    Expr* e = slot;
    const bool parent_concat = in_concat_;
    in_concat_ = false;
    switch (e->kind) {
      case NodeKind::kLiteral: return literal_type(static_cast<Literal*>(e));
      case NodeKind::kColumnRef: return column(slot, static_cast<ColumnRef*>(e), ctx);
      case NodeKind::kStar: {
        auto* star = static_cast<Star*>(e);
        if (!star->table.empty()) {
          for (Inst& in : ctx.scope->insts) {
            if (in.key == lower(star->table.name)) star->table = in.qualifier;
          }
        }
        return Ty::kUnknown;
      }
      case NodeKind::kUnary: {
        auto* u = static_cast<Unary*>(e);
        Ty t = expr(u->operand, ctx);
        return u->op == UnaryOp::kNot ? Ty::kBool : t;
      }
      case NodeKind::kBinary: {
        auto* b = static_cast<Binary*>(e);
        const bool concat = b->op == BinaryOp::kConcat;
        in_concat_ = concat;
        Ty tl = expr(b->left, ctx);
        in_concat_ = concat;
        Ty tr = expr(b->right, ctx);
        in_concat_ = false;
        if (comparison(b->op) && to_ == Dialect::kOracle) {
          if (Expr* r = oracle_comparison(b, tl, tr)) {
            slot = r;
            return Ty::kBool;
          }
        }
        if (comparison(b->op)) {
          bool handled = false;
          if (Expr* r = affinity_comparison(b, tl, tr, handled)) slot = r;
          if (handled) return Ty::kBool;
          coerce_pair(b->left, tl, b->right, tr);
          return Ty::kBool;
        }
        if (b->op == BinaryOp::kAnd || b->op == BinaryOp::kOr) return Ty::kBool;
        if (concat) {
          if (to_ == Dialect::kOracle && !parent_concat) oracle_concat(slot, b, ctx);
          return Ty::kText;
        }
        if (to_ == Dialect::kPostgres && (b->op == BinaryOp::kAdd || b->op == BinaryOp::kSub ||
                                          b->op == BinaryOp::kMul || b->op == BinaryOp::kDiv || b->op == BinaryOp::kMod)) {
          if (tl == Ty::kText) {
            b->left = text_as_number(b->left);
            tl = Ty::kReal;
          }
          if (tr == Ty::kText) {
            b->right = text_as_number(b->right);
            tr = Ty::kReal;
          }
        }
        if (b->op == BinaryOp::kDiv && to_ != Dialect::kSqlite) {
          auto* lit = b->right->as<Literal>();
          bool nonzero_literal = lit != nullptr &&
                                 (lit->literal_kind == LiteralKind::kInteger || lit->literal_kind == LiteralKind::kFloat) &&
                                 std::strtod(std::string(lit->text).c_str(), nullptr) != 0.0;
          if (!nonzero_literal) {
            b->right = make_function("NULLIF", {b->right, make_literal(LiteralKind::kInteger, "0", b->pos)}, b->pos);
            rules.insert("division");
          }
          // Oracle's / never truncates; SQLite's integer / integer does (toward zero).
          if (to_ == Dialect::kOracle && arithmetic(tl, tr) == Ty::kInt) {
            slot = make_function("TRUNC", {b}, b->pos);
            rules.insert("integer division");
          }
        }
        if (b->op == BinaryOp::kAdd || b->op == BinaryOp::kSub || b->op == BinaryOp::kMul || b->op == BinaryOp::kDiv ||
            b->op == BinaryOp::kMod)
          return arithmetic(tl, tr);
        return Ty::kUnknown;
      }
      case NodeKind::kLike: {
        auto* l = static_cast<Like*>(e);
        Ty tv = expr(l->value, ctx);
        expr(l->pattern, ctx);
        if (l->escape != nullptr) expr(l->escape, ctx);
        if (to_ == Dialect::kPostgres && l->op == LikeOp::kLike) {
          l->op = LikeOp::kILike;
          rules.insert("ilike");
          if (tv != Ty::kText && tv != Ty::kStringLiteral) l->value = make_cast(l->value, "TEXT");
        }
        if (to_ == Dialect::kOracle && l->op == LikeOp::kLike) {
          // Oracle's LIKE is case-sensitive (under the default NLS_COMP=BINARY): the printer
          // writes ILIKE as LOWER(a) LIKE LOWER(b).
          l->op = LikeOp::kILike;
          rules.insert("like case");
        }
        return Ty::kBool;
      }
      case NodeKind::kBetween: {
        auto* b = static_cast<Between*>(e);
        Ty tv = expr(b->value, ctx);
        Ty tl = expr(b->low, ctx);
        Ty th = expr(b->high, ctx);
        if (to_ == Dialect::kOracle && tv == Ty::kDate) {
          date_literal(b->low);
          date_literal(b->high);
        } else if (textual(tv)) {
          coerce(b->low, tl, tv);
          coerce(b->high, th, tv);
        } else if (numeric(tv)) {
          if (textual(tl) || textual(th)) {
            coerce(b->value, tv, Ty::kText);
          } else {
            coerce(b->low, tl, tv);
            coerce(b->high, th, tv);
          }
        }
        return Ty::kBool;
      }
      case NodeKind::kInList: {
        auto* in = static_cast<InList*>(e);
        Ty tv = expr(in->value, ctx);
        for (Expr*& item : in->items) {
          Ty ti = expr(item, ctx);
          if (to_ == Dialect::kOracle && tv == Ty::kDate) date_literal(item);
          else if (textual(tv) || (numeric(tv) && ti == Ty::kStringLiteral)) coerce(item, ti, tv);
        }
        return Ty::kBool;
      }
      case NodeKind::kInQuery: {
        auto* in = static_cast<InQuery*>(e);
        Ty tv = expr(in->value, ctx);
        Ty tq = subquery_type(in->query, ctx);
        if ((textual(tv) && numeric(tq)) || (numeric(tv) && textual(tq))) {
          // Compare as text on both sides.
          auto* sel = in->query->as<SelectQuery>();
          if (sel != nullptr && sel->items.size() == 1 && sel->items[0].expr->as<Star>() == nullptr) {
            if (numeric(tq)) sel->items[0].expr = make_cast(sel->items[0].expr, "TEXT");
            if (numeric(tv)) in->value = make_cast(in->value, "TEXT");
            rules.insert("text vs number");
          }
        }
        return Ty::kBool;
      }
      case NodeKind::kExists: subquery_type(static_cast<Exists*>(e)->query, ctx); return Ty::kBool;
      case NodeKind::kSubquery: return subquery_type(static_cast<Subquery*>(e)->query, ctx);
      case NodeKind::kIsNull: expr(static_cast<IsNull*>(e)->value, ctx); return Ty::kBool;
      case NodeKind::kIsBool: expr(static_cast<IsBool*>(e)->value, ctx); return Ty::kBool;
      case NodeKind::kCase: {
        auto* c = static_cast<Case*>(e);
        Ty to = c->operand != nullptr ? expr(c->operand, ctx) : Ty::kUnknown;
        Ty result = Ty::kUnknown;
        for (WhenClause& w : c->whens) {
          Ty tw = expr(w.condition, ctx);
          if (c->operand != nullptr) coerce_pair(c->operand, to, w.condition, tw);
          Ty tr = expr(w.result, ctx);
          if (result == Ty::kUnknown || result == Ty::kNull) result = tr;
        }
        if (c->else_result != nullptr) {
          Ty te = expr(c->else_result, ctx);
          if (result == Ty::kUnknown || result == Ty::kNull) result = te;
        }
        return result == Ty::kStringLiteral ? Ty::kText : result;
      }
      case NodeKind::kCast: {
        auto* c = static_cast<Cast*>(e);
        Ty tv = expr(c->value, ctx);
        Ty t = type_of_declared(c->type.name);
        if (to_ == Dialect::kPostgres && t == Ty::kInt && c->type.name != "BIGINT") {
          c->type.name = "BIGINT";
        }
        if (to_ == Dialect::kOracle) oracle_cast(slot, c, tv);
        return t;
      }
      case NodeKind::kFunction: return function(slot, static_cast<Function*>(e), ctx);
      case NodeKind::kCollate: {
        auto* c = static_cast<Collate*>(e);
        Ty t = expr(c->value, ctx);
        if (to_ != Dialect::kSqlite && iequal(c->collation.name, "nocase")) {
          c->value = make_function("LOWER", {c->value}, c->pos);
          slot = c->value;
          rules.insert("collate nocase");
        }
        return t;
      }
      case NodeKind::kRow:
        for (Expr*& item : static_cast<Row*>(e)->items) expr(item, ctx);
        return Ty::kUnknown;
      case NodeKind::kExtract: expr(static_cast<Extract*>(e)->value, ctx); return Ty::kInt;
      default: return Ty::kUnknown;
    }
  }

  Ty function(Expr*& slot, Function* f, const Ctx& ctx) {
    Ctx inner = ctx;
    bool aggregate = is_aggregate_function(f->name.name);
    if (aggregate) inner.in_aggregate = true;
    std::vector<Ty> types;
    for (Expr*& a : f->args) types.push_back(expr(a, inner));
    for (OrderItem& o : f->order_by) expr(o.expr, inner);
    if (f->filter != nullptr) expr(f->filter, inner);
    if (f->over != nullptr) {
      for (Expr*& p : f->over->partition_by) expr(p, ctx);
      for (OrderItem& o : f->over->order_by) expr(o.expr, ctx);
    }
    std::string name = lower(f->name.name);
    Ty first = types.empty() ? Ty::kUnknown : types[0];
    if (first == Ty::kStringLiteral) first = Ty::kText;
    if (to_ == Dialect::kOracle && !f->name.quoted && f->schema.empty()) return oracle_function(slot, f, types);
    if (to_ != Dialect::kPostgres || f->name.quoted || !f->schema.empty()) return Ty::kUnknown;
    if (name == "count") return Ty::kInt;
    if ((name == "avg" || name == "sum" || name == "total") && f->args.size() == 1 && first == Ty::kText) {
      f->args[0] = text_as_number(f->args[0]);
      first = Ty::kReal;
    }
    if (name == "avg" && f->args.size() == 1 && first == Ty::kInt) {
      // PostgreSQL averages integers exactly (NUMERIC); SQLite in double precision.
      f->args[0] = make_cast(f->args[0], "DOUBLE PRECISION");
      rules.insert("avg in double precision");
    }
    if (name == "avg") return Ty::kReal;
    if (name == "sum" || name == "total") {
      if (name == "total") {
        f->name.name = "SUM";
        slot = make_function("COALESCE", {f, make_literal(LiteralKind::kFloat, "0.0", f->pos)}, f->pos);
        rules.insert("functions");
        return Ty::kReal;
      }
      return first;
    }
    if ((name == "max" || name == "min") && f->args.size() >= 2) {
      f->name.name = name == "max" ? "GREATEST" : "LEAST";
      rules.insert("functions");
      return first;
    }
    if (name == "max" || name == "min" || name == "abs") return first;
    if (name == "length") {
      if (first != Ty::kText && !f->args.empty()) f->args[0] = make_cast(f->args[0], "TEXT");
      return Ty::kInt;
    }
    if (name == "round") {
      if (f->args.size() == 2 && first != Ty::kInt) {
        f->args[0] = make_cast(f->args[0], "NUMERIC");
        rules.insert("functions");
      }
      return Ty::kReal;
    }
    if (name == "instr" && f->args.size() == 2) {
      f->name.name = "STRPOS";
      rules.insert("functions");
      return Ty::kInt;
    }
    if (name == "group_concat" && !f->args.empty() && f->args.size() <= 2) {
      f->name.name = "STRING_AGG";
      if (first != Ty::kText) f->args[0] = make_cast(f->args[0], "TEXT");
      if (f->args.size() == 1) {
        std::vector<Expr*> args{f->args[0], make_literal(LiteralKind::kString, ",", f->pos)};
        f->args = ast_.make_list(args);
      }
      rules.insert("functions");
      return Ty::kText;
    }
    if (name == "substr" || name == "substring") {
      if (first != Ty::kText && !f->args.empty()) f->args[0] = make_cast(f->args[0], "TEXT");
      return Ty::kText;
    }
    if (name == "upper" || name == "lower" || name == "trim" || name == "ltrim" || name == "rtrim" ||
        name == "replace")
      return Ty::kText;
    if (name == "coalesce" || name == "ifnull" || name == "nullif") return first;
    if (name == "iif" && types.size() == 3) return types[1];
    return Ty::kUnknown;
  }

  // ------------------------------------------------------------ Oracle
  Expr* sysdate(uint32_t pos) {
    auto* r = ast_.arena().make<ColumnRef>();
    r->pos = pos;
    r->column.name = "SYSDATE";
    return r;
  }
  Literal* typed_literal(std::string_view type, std::string_view text, uint32_t pos) {
    Literal* l = make_literal(LiteralKind::kTyped, text, pos);
    l->type_name = type;
    return l;
  }
  Expr* make_binary(BinaryOp op, Expr* left, Expr* right) {
    auto* b = ast_.arena().make<Binary>();
    b->pos = left->pos;
    b->op = op;
    b->left = left;
    b->right = right;
    return b;
  }
  Expr* is_null(Expr* value, bool negated) {
    auto* n = ast_.arena().make<IsNull>();
    n->pos = value->pos;
    n->negated = negated;
    n->value = value;
    return n;
  }
  static bool is_now(const Expr* e) {
    auto* l = e->as<Literal>();
    return l != nullptr && l->literal_kind == LiteralKind::kString && iequal(l->text, "now");
  }

  // An ISO date string compared with an Oracle DATE: DATE '...' / TIMESTAMP '...'
  // (a plain string would be read with the session's NLS_DATE_FORMAT, 'DD-MON-RR' by default).
  void date_literal(Expr*& e) {
    auto* l = e->as<Literal>();
    if (l == nullptr || l->literal_kind != LiteralKind::kString) return;
    std::string_view kind = iso_date_kind(l->text);
    if (kind.empty()) return;
    e = typed_literal(kind, l->text, l->pos);
    rules.insert("date literal");
  }

  // Comparisons that Oracle reads differently; a replacement, or null (edited in place).
  Expr* oracle_comparison(Binary* b, Ty tl, Ty tr) {
    if (b->op == BinaryOp::kEq || b->op == BinaryOp::kNe) {
      // Oracle stores '' as NULL: x = '' can never hold; what was '' is NULL there.
      for (int side = 0; side < 2; ++side) {
        auto* l = (side == 0 ? b->right : b->left)->as<Literal>();
        if (l != nullptr && l->literal_kind == LiteralKind::kString && l->text.empty()) {
          rules.insert("empty string");
          return is_null(side == 0 ? b->left : b->right, b->op == BinaryOp::kNe);
        }
      }
    }
    if (tl == Ty::kDate) date_literal(b->right);
    if (tr == Ty::kDate) date_literal(b->left);
    // A DATE against ISO text (dates kept as text, as SQLite keeps them): compare text, as
    // SQLite does (Oracle would read the text with NLS_DATE_FORMAT).
    if ((tl == Ty::kDate && tr == Ty::kText) || (tl == Ty::kText && tr == Ty::kDate)) {
      Expr*& date = tl == Ty::kDate ? b->left : b->right;
      const char* format = date_only_.count(date) ? "YYYY-MM-DD" : "YYYY-MM-DD HH24:MI:SS";
      date = make_function("TO_CHAR", {date, make_literal(LiteralKind::kString, format, date->pos)}, date->pos);
      rules.insert("dates");
    }
    if (b->op == BinaryOp::kIs || b->op == BinaryOp::kIsNot) {
      // SQLite's a IS b (NULL-safe equality; Oracle has no IS NOT DISTINCT FROM before
      // 23ai): DECODE, which matches NULL with NULL.
      Expr* decode = make_function("DECODE", {b->left, b->right, make_literal(LiteralKind::kInteger, "1", b->pos),
                                              make_literal(LiteralKind::kInteger, "0", b->pos)},
                                   b->pos);
      rules.insert("is");
      return make_binary(BinaryOp::kEq, decode,
                         make_literal(LiteralKind::kInteger, b->op == BinaryOp::kIs ? "1" : "0", b->pos));
    }
    return nullptr;
  }

  // SQLite's || gives NULL when an operand is NULL; Oracle's reads NULL as ''. A chain
  // with operands that may be NULL: CASE WHEN a IS NOT NULL AND ... THEN a || ... END.
  void oracle_concat(Expr*& slot, Binary* chain, const Ctx& ctx) {
    std::vector<Expr*> leaves;
    std::vector<Expr*> stack{chain};
    while (!stack.empty()) {
      Expr* e = stack.back();
      stack.pop_back();
      if (auto* b = e->as<Binary>(); b != nullptr && b->op == BinaryOp::kConcat) {
        stack.push_back(b->right);
        stack.push_back(b->left);
      } else {
        leaves.push_back(e);
      }
    }
    Expr* condition = nullptr;
    for (Expr* leaf : leaves) {
      if (!may_be_null(leaf, ctx.scope, {})) continue;
      if (auto* f = leaf->as<Function>(); f != nullptr && (iequal(f->name.name, "nvl") || iequal(f->name.name, "coalesce") ||
                                                           iequal(f->name.name, "ifnull"))) {
        if (!f->args.empty() && !may_be_null(f->args[f->args.size() - 1], ctx.scope, {})) continue;
      }
      Expr* test = is_null(leaf, true);
      condition = condition == nullptr ? test : make_binary(BinaryOp::kAnd, condition, test);
    }
    if (condition == nullptr) return;
    auto* c = ast_.arena().make<Case>();
    c->pos = chain->pos;
    c->whens = ast_.make_list(std::vector<WhenClause>{WhenClause{condition, chain}});
    slot = c;
    rules.insert("concat null");
  }

  void oracle_cast(Expr*& slot, Cast* c, Ty value_type) {
    std::string type = lower(c->type.name);
    if (type == "real" || type == "double" || type == "double precision" || type == "float") {
      c->type.name = "BINARY_DOUBLE";
      c->type.params = List<std::string_view>{};
      rules.insert("cast");
    } else if (type == "numeric" || type == "decimal") {
      c->type.name = "NUMBER";
      rules.insert("cast");
    } else if (type == "varchar" || type == "nvarchar") {
      c->type.name = c->type.params.empty() ? "VARCHAR2(4000)" : "VARCHAR2";
      rules.insert("cast");
    } else if (type == "int" || type == "integer" || type == "bigint" || type == "smallint") {
      // SQLite truncates toward zero; Oracle's CAST(x AS INTEGER) rounds.
      Expr* value = numeric(value_type) ? c->value : make_cast(c->value, "NUMBER");
      slot = make_function("TRUNC", {value}, c->pos);
      rules.insert("cast");
    }
  }

  // strftime(f, x) on ISO text: the characters SQLite's own result would hold.
  Expr* iso_text_part(Expr* x, std::string_view format) {
    static const std::pair<const char*, std::pair<int, int>> kParts[] = {
        {"%Y", {1, 4}},   {"%m", {6, 2}},    {"%d", {9, 2}},    {"%Y-%m", {1, 7}},   {"%Y-%m-%d", {1, 10}},
        {"%m-%d", {6, 5}}, {"%H", {12, 2}},  {"%M", {15, 2}},   {"%S", {18, 2}},     {"%H:%M", {12, 5}},
        {"%H:%M:%S", {12, 8}}, {"%Y-%m-%d %H:%M:%S", {1, 19}}};
    for (const auto& [f, part] : kParts) {
      if (format != f) continue;
      return make_function("SUBSTR", {x, make_literal(LiteralKind::kInteger, std::to_string(part.first), x->pos),
                                      make_literal(LiteralKind::kInteger, std::to_string(part.second), x->pos)},
                           x->pos);
    }
    return nullptr;
  }

  // An ISO date text as an Oracle DATE (the time, when present, kept).
  Expr* text_to_date(Expr* x) {
    Expr* part = make_function("SUBSTR", {x, make_literal(LiteralKind::kInteger, "1", x->pos),
                                          make_literal(LiteralKind::kInteger, "19", x->pos)},
                               x->pos);
    return make_function("TO_DATE", {part, make_literal(LiteralKind::kString, "YYYY-MM-DD HH24:MI:SS", x->pos)}, x->pos);
  }

  // date(x, modifier...) / datetime(x, modifier...) with SQLite's '±N days|hours|minutes|
  // seconds|months|years' and 'start of day|month|year' modifiers: date arithmetic,
  // ADD_MONTHS and TRUNC on an Oracle DATE. On ISO text the result is text again. Other
  // modifiers ('weekday N', 'unixepoch', 'localtime' ...) are left as written.
  Ty date_with_modifiers(Expr*& slot, Function* f, const std::string& name, Ty first) {
    Expr* x = f->args[0];
    Expr* date = nullptr;
    bool text = false;
    auto* l = x->as<Literal>();
    if (is_now(x)) {
      date = sysdate(f->pos);
    } else if (l != nullptr && l->literal_kind == LiteralKind::kString && !iso_date_kind(l->text).empty()) {
      date = typed_literal(iso_date_kind(l->text), l->text, l->pos);
    } else if (first == Ty::kDate) {
      date = x;
    } else {
      date = text_to_date(x);
      text = true;
    }
    for (size_t i = 1; i < f->args.size(); ++i) {
      auto* m = f->args[i]->as<Literal>();
      if (m == nullptr || m->literal_kind != LiteralKind::kString) return Ty::kUnknown;
      std::string modifier = lower(m->text);
      while (!modifier.empty() && modifier.back() == ' ') modifier.pop_back();
      if (modifier == "start of day") {
        date = make_function("TRUNC", {date}, f->pos);
        continue;
      }
      if (modifier == "start of month" || modifier == "start of year") {
        date = make_function("TRUNC", {date, make_literal(LiteralKind::kString, modifier == "start of month" ? "MM" : "YYYY", f->pos)},
                             f->pos);
        continue;
      }
      size_t space = modifier.find(' ');
      if (space == std::string::npos) return Ty::kUnknown;
      std::string number = modifier.substr(0, space);
      std::string unit = modifier.substr(modifier.find_first_not_of(' ', space));
      if (!unit.empty() && unit.back() == 's') unit.pop_back();
      bool negative = !number.empty() && number[0] == '-';
      if (!number.empty() && (number[0] == '-' || number[0] == '+')) number.erase(0, 1);
      if (number.empty() || number.find_first_not_of("0123456789.") != std::string::npos) return Ty::kUnknown;
      if (unit == "month" || unit == "year") {
        if (number.find('.') != std::string::npos) return Ty::kUnknown;
        std::string months = unit == "year" ? std::to_string(std::atoll(number.c_str()) * 12) : number;
        Expr* amount = make_literal(LiteralKind::kInteger, ast_.arena().copy(months), f->pos);
        if (negative) {
          auto* neg = ast_.arena().make<Unary>();
          neg->pos = f->pos;
          neg->op = UnaryOp::kNeg;
          neg->operand = amount;
          amount = neg;
        }
        date = make_function("ADD_MONTHS", {date, amount}, f->pos);
        continue;
      }
      const char* per_day = unit == "day" ? "" : unit == "hour" ? "24" : unit == "minute" ? "1440" : unit == "second" ? "86400" : nullptr;
      if (per_day == nullptr) return Ty::kUnknown;
      Expr* amount = make_literal(number.find('.') != std::string::npos ? LiteralKind::kFloat : LiteralKind::kInteger,
                                  ast_.arena().copy(number), f->pos);
      if (*per_day != '\0') amount = make_binary(BinaryOp::kDiv, amount, make_literal(LiteralKind::kInteger, per_day, f->pos));
      date = make_binary(negative ? BinaryOp::kSub : BinaryOp::kAdd, date, amount);
    }
    if (name == "date") {
      date = make_function("TRUNC", {date}, f->pos);
      date_only_.insert(date);
    }
    rules.insert("dates");
    if (text) {
      slot = make_function("TO_CHAR", {date, make_literal(LiteralKind::kString, name == "date" ? "YYYY-MM-DD" : "YYYY-MM-DD HH24:MI:SS", f->pos)},
                           f->pos);
      return Ty::kText;
    }
    slot = date;
    return Ty::kDate;
  }

  Ty oracle_function(Expr*& slot, Function* f, const std::vector<Ty>& types) {
    std::string name = lower(f->name.name);
    Ty first = types.empty() ? Ty::kUnknown : types[0];
    if (first == Ty::kStringLiteral) first = Ty::kText;
    const bool plain = f->over == nullptr && f->over_name.empty() && f->filter == nullptr;
    if (name == "count" || name == "length" || name == "instr") return Ty::kInt;
    if (name == "avg" || name == "round") return Ty::kReal;
    if (name == "sum") return first;
    if (name == "total" && f->args.size() == 1) {
      f->name.name = "SUM";
      slot = make_function("COALESCE", {f, make_literal(LiteralKind::kFloat, "0.0", f->pos)}, f->pos);
      rules.insert("functions");
      return Ty::kReal;
    }
    if ((name == "max" || name == "min") && f->args.size() >= 2) {
      f->name.name = name == "max" ? "GREATEST" : "LEAST";
      rules.insert("functions");
      return first;
    }
    if (name == "max" || name == "min" || name == "abs" || name == "coalesce" || name == "nullif") return first;
    if (name == "ifnull" && f->args.size() == 2) {
      f->name.name = "NVL";
      rules.insert("functions");
      return first;
    }
    if (name == "iif" && types.size() == 3) return types[1];
    if (name == "substr" || name == "substring" || name == "upper" || name == "lower" || name == "trim" ||
        name == "ltrim" || name == "rtrim" || name == "replace")
      return Ty::kText;
    if (name == "group_concat" && plain && !f->args.empty() && f->args.size() <= 2 && f->order_by.empty()) {
      // LISTAGG's order is required (before 19c); SQLite's group_concat has none.
      f->name.name = "LISTAGG";
      if (f->args.size() == 1) {
        std::vector<Expr*> args{f->args[0], make_literal(LiteralKind::kString, ",", f->pos)};
        f->args = ast_.make_list(args);
      }
      OrderItem any;
      any.expr = make_literal(LiteralKind::kNull, "NULL", f->pos);
      f->within_group = ast_.make_list(std::vector<OrderItem>{any});
      rules.insert("functions");
      return Ty::kText;
    }
    if (!plain || f->distinct || f->star) return Ty::kUnknown;
    // Dates: SQLite's date functions read and write ISO text; Oracle's DATE is a type.
    if ((name == "date" || name == "datetime") && f->args.size() >= 2) return date_with_modifiers(slot, f, name, first);
    if ((name == "date" || name == "datetime") && f->args.size() == 1) {
      Expr* x = f->args[0];
      if (is_now(x)) {
        slot = name == "date" ? make_function("TRUNC", {sysdate(f->pos)}, f->pos) : sysdate(f->pos);
        if (name == "date") date_only_.insert(slot);
      } else if (first == Ty::kDate) {
        slot = name == "date" ? make_function("TRUNC", {x}, f->pos) : x;
        if (name == "date") date_only_.insert(slot);
      } else {
        slot = make_function("SUBSTR", {x, make_literal(LiteralKind::kInteger, "1", f->pos),
                                        make_literal(LiteralKind::kInteger, name == "date" ? "10" : "19", f->pos)},
                             f->pos);
        rules.insert("dates");
        return Ty::kText;
      }
      rules.insert("dates");
      return Ty::kDate;
    }
    if (name == "strftime" && f->args.size() == 2) {
      auto* format = f->args[0]->as<Literal>();
      if (format == nullptr || format->literal_kind != LiteralKind::kString) return Ty::kText;
      std::string oracle_format = oracle_date_format(format->text);
      if (oracle_format.empty()) return Ty::kText;
      Expr* x = f->args[1];
      Expr* date = nullptr;
      auto* text = x->as<Literal>();
      if (is_now(x)) {
        date = sysdate(f->pos);
      } else if (text != nullptr && text->literal_kind == LiteralKind::kString && !iso_date_kind(text->text).empty()) {
        date = typed_literal(iso_date_kind(text->text), text->text, text->pos);
      } else if (types[1] == Ty::kDate) {
        date = x;
      } else if (Expr* part = iso_text_part(x, format->text)) {
        slot = part;
        rules.insert("dates");
        return Ty::kText;
      } else {
        date = text_to_date(x);
      }
      slot = make_function("TO_CHAR", {date, make_literal(LiteralKind::kString, ast_.arena().copy(oracle_format), f->pos)},
                           f->pos);
      rules.insert("dates");
      return Ty::kText;
    }
    if (name == "julianday" && f->args.size() == 1) {
      // Days since 1970-01-01 plus the Julian day number of that midnight.
      Expr* x = f->args[0];
      auto* l = x->as<Literal>();
      std::string_view iso = l != nullptr && l->literal_kind == LiteralKind::kString ? iso_date_kind(l->text) : "";
      Expr* date = is_now(x)                ? sysdate(f->pos)
                   : !iso.empty()           ? typed_literal(iso, l->text, l->pos)
                   : first == Ty::kDate     ? make_cast(x, "DATE")
                                            : text_to_date(x);
      Expr* days = make_binary(BinaryOp::kSub, date, typed_literal("DATE", "1970-01-01", f->pos));
      slot = make_binary(BinaryOp::kAdd, days, make_literal(LiteralKind::kFloat, "2440587.5", f->pos));
      rules.insert("dates");
      return Ty::kReal;
    }
    return Ty::kUnknown;
  }

  // Oracle (before 23c) has no boolean values: a condition where a value is expected
  // (select list, arguments, ORDER BY ...) becomes CASE WHEN c THEN 1 WHEN NOT c THEN 0
  // END (NULL when SQLite's would be NULL), TRUE/FALSE become 1/0, and a value where a
  // condition is expected (WHERE flag) becomes flag <> 0.
  void oracle_conditions(SelectQuery* s) {
    for (SelectItem& item : s->items) as_value(item.expr);
    condition_of(s->where);
    for (Expr*& g : s->group_by) as_value(g);
    condition_of(s->having);
    for (OrderItem& o : s->order_by) as_value(o.expr);
    join_conditions(s->from);
  }

  void join_conditions(TableRef* t) {
    auto* j = t != nullptr ? t->as<JoinRef>() : nullptr;
    if (j == nullptr) return;
    join_conditions(j->left);
    join_conditions(j->right);
    condition_of(j->on);
  }

  static bool is_condition(const Expr* e) {
    switch (e->kind) {
      case NodeKind::kBinary: {
        auto op = static_cast<const Binary*>(e)->op;
        return comparison(op) || op == BinaryOp::kAnd || op == BinaryOp::kOr;
      }
      case NodeKind::kUnary: return static_cast<const Unary*>(e)->op == UnaryOp::kNot;
      case NodeKind::kLike:
      case NodeKind::kBetween:
      case NodeKind::kInList:
      case NodeKind::kInQuery:
      case NodeKind::kExists:
      case NodeKind::kIsNull:
      case NodeKind::kIsBool: return true;
      default: return false;
    }
  }

  void condition_of(Expr*& e) {
    if (e == nullptr) return;
    if (auto* l = e->as<Literal>(); l != nullptr && (l->literal_kind == LiteralKind::kTrue ||
                                                     l->literal_kind == LiteralKind::kFalse)) {
      e = make_binary(BinaryOp::kEq, make_literal(LiteralKind::kInteger, "1", l->pos),
                      make_literal(LiteralKind::kInteger, l->literal_kind == LiteralKind::kTrue ? "1" : "0", l->pos));
      rules.insert("booleans");
      return;
    }
    if (!is_condition(e)) {
      as_value(e);
      e = make_binary(BinaryOp::kNe, e, make_literal(LiteralKind::kInteger, "0", e->pos));
      rules.insert("booleans");
      return;
    }
    if (auto* b = e->as<Binary>(); b != nullptr && (b->op == BinaryOp::kAnd || b->op == BinaryOp::kOr)) {
      condition_of(b->left);
      condition_of(b->right);
      return;
    }
    if (auto* u = e->as<Unary>()) {
      condition_of(u->operand);
      return;
    }
    value_children(e);
  }

  void as_value(Expr*& e) {
    if (e == nullptr) return;
    if (auto* l = e->as<Literal>(); l != nullptr && (l->literal_kind == LiteralKind::kTrue ||
                                                     l->literal_kind == LiteralKind::kFalse)) {
      e = make_literal(LiteralKind::kInteger, l->literal_kind == LiteralKind::kTrue ? "1" : "0", l->pos);
      rules.insert("booleans");
      return;
    }
    if (is_condition(e)) {
      Expr* c = e;
      condition_of(c);
      auto* k = ast_.arena().make<Case>();
      k->pos = c->pos;
      const bool never_null = c->kind == NodeKind::kExists || c->kind == NodeKind::kIsNull || c->kind == NodeKind::kIsBool;
      std::vector<WhenClause> whens{WhenClause{c, make_literal(LiteralKind::kInteger, "1", c->pos)}};
      if (never_null) {
        k->else_result = make_literal(LiteralKind::kInteger, "0", c->pos);
      } else {
        auto* negation = ast_.arena().make<Unary>();
        negation->pos = c->pos;
        negation->op = UnaryOp::kNot;
        negation->operand = c;
        whens.push_back(WhenClause{negation, make_literal(LiteralKind::kInteger, "0", c->pos)});
      }
      k->whens = ast_.make_list(whens);
      e = k;
      rules.insert("booleans");
      return;
    }
    value_children(e);
  }

  // The children of `e`, each in the role it plays: conditions of CASE WHEN / IIF / FILTER,
  // values elsewhere. Subqueries are their own SELECTs (translated on their own).
  void value_children(Expr* e) {
    if (auto* c = e->as<Case>()) {
      as_value(c->operand);
      for (WhenClause& w : c->whens) {
        if (c->operand != nullptr) as_value(w.condition);
        else condition_of(w.condition);
        as_value(w.result);
      }
      as_value(c->else_result);
      return;
    }
    if (auto* f = e->as<Function>()) {
      for (size_t i = 0; i < f->args.size(); ++i) {
        if (i == 0 && iequal(f->name.name, "iif") && f->args.size() == 3) condition_of(f->args[i]);
        else as_value(f->args[i]);
      }
      for (OrderItem& o : f->order_by) as_value(o.expr);
      condition_of(f->filter);
      if (f->over != nullptr) {
        for (Expr*& p : f->over->partition_by) as_value(p);
        for (OrderItem& o : f->over->order_by) as_value(o.expr);
      }
      return;
    }
    if (e->kind == NodeKind::kSubquery || e->kind == NodeKind::kExists) return;
    for_each_slot(e, [&](auto*& slot) {
      using T = std::remove_reference_t<decltype(slot)>;
      if constexpr (std::is_same_v<T, Expr*>) as_value(slot);
    });
  }

  Ast& ast_;
  const catalog::Catalog& catalog_;
  Dialect to_;
  const catalog::Catalog* source_;
  std::set<const Expr*> numeric_text_;  // column refs of numeric-affinity columns held as text
  std::vector<CteInfo> ctes_;
  std::set<const ColumnRef*> outer_refs_;
  std::set<const ColumnRef*> alias_names_;
  bool order_item_top_ = false;
  bool in_concat_ = false;  // expr() is visiting an operand of ||
  std::set<const Expr*> date_only_;  // Oracle DATEs made by date(): midnight, compared as 'YYYY-MM-DD'
};

}  // namespace

Result<Translation> translate(std::string_view sql, const catalog::Catalog& target, const TranslateOptions& options) {
  auto parsed = parse(sql, options.from);
  if (!parsed.ok()) return parsed.status();
  Ast& ast = *parsed;
  Query* q = ast.query();
  if (q == nullptr || ast.statement().kind != StatementKind::kSelect) {
    return Status(ErrorCode::kInvalidArgument, "translate: only a query (SELECT) can be translated");
  }
  Translation out;
  if (options.to != options.from) {
    Translator t(ast, target, options.to, options.source);
    t.query(q, nullptr);
    out.rules.assign(t.rules.begin(), t.rules.end());
  }
  PrintOptions print_options;
  print_options.dialect = options.to;
  out.sql = print(ast, print_options);
  return out;
}

}  // namespace askguru::sql
