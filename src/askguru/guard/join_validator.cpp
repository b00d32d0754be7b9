#include "askguru/guard/join_validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "askguru/common/text.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/ast.h"

namespace askguru::guard {

std::string_view join_verdict_name(JoinVerdict verdict) {
  switch (verdict) {
    case JoinVerdict::kOk: return "ok";
    case JoinVerdict::kWarning: return "warning";
    case JoinVerdict::kError: return "error";
  }
  return "ok";
}

namespace {

using namespace sql;

// ---------------------------------------------------------------- types

enum class TypeClass : uint8_t { kUnknown, kNumber, kText, kDate, kBlob };

TypeClass type_class(std::string_view declared) {
  std::string t = text::to_upper(declared);
  if (t.empty()) return TypeClass::kUnknown;
  auto has = [&](const char* s) { return t.find(s) != std::string::npos; };
  // SQLite's affinity rules first (INT, then CHAR/CLOB/TEXT, then BLOB, then REAL/FLOA/DOUB).
  if (has("INT")) return TypeClass::kNumber;
  if (has("CHAR") || has("CLOB") || has("TEXT") || has("STRING")) return TypeClass::kText;
  if (has("BLOB") || has("BYTEA") || has("RAW") || has("BINARY")) return TypeClass::kBlob;
  if (has("DATE") || has("TIME")) return TypeClass::kDate;
  if (has("REAL") || has("FLOA") || has("DOUB") || has("NUM") || has("DEC") || has("MONEY") || has("BOOL") ||
      has("BIT")) {
    return TypeClass::kNumber;
  }
  return TypeClass::kUnknown;
}

std::string_view type_class_name(TypeClass c) {
  switch (c) {
    case TypeClass::kUnknown: return "untyped";
    case TypeClass::kNumber: return "number";
    case TypeClass::kText: return "text";
    case TypeClass::kDate: return "date";
    case TypeClass::kBlob: return "blob";
  }
  return "untyped";
}

bool compatible(TypeClass a, TypeClass b) {
  if (a == TypeClass::kUnknown || b == TypeClass::kUnknown || a == b) return true;
  auto pair = [&](TypeClass x, TypeClass y) { return (a == x && b == y) || (a == y && b == x); };
  return pair(TypeClass::kDate, TypeClass::kText) || pair(TypeClass::kDate, TypeClass::kNumber);
}

// ---------------------------------------------------------------- foreign keys

struct KeyRef {
  std::string table;
  std::string column;
};

bool same(std::string_view a, std::string_view b) {
  return text::iequals(a, b);
}

class Keys {
 public:
  explicit Keys(const catalog::Catalog& catalog) : catalog_(catalog) {}

  bool any() const { return !catalog_.foreign_keys.empty(); }

  // The keys `table.column` references through declared foreign keys.
  std::vector<KeyRef> targets(std::string_view table, std::string_view column) const {
    std::vector<KeyRef> out;
    for (const catalog::ForeignKey& fk : catalog_.foreign_keys) {
      if (!same(fk.from_table, table)) continue;
      for (size_t i = 0; i < fk.from_columns.size() && i < fk.to_columns.size(); ++i) {
        if (same(fk.from_columns[i], column)) out.push_back({fk.to_table, to_column(fk, i)});
      }
    }
    return out;
  }

  // Every key `table.column` reaches by following foreign keys, transitively
  // (AP_INVOICE_DISTRIBUTIONS_ALL.INVOICE_ID → AP_INVOICE_LINES_ALL.INVOICE_ID →
  // AP_INVOICES_ALL.INVOICE_ID), the column itself first.
  std::vector<KeyRef> closure(std::string_view table, std::string_view column) const {
    std::vector<KeyRef> out{{std::string(table), std::string(column)}};
    for (size_t i = 0; i < out.size() && out.size() < 64; ++i) {
      for (KeyRef& next : targets(out[i].table, out[i].column)) {
        bool seen = std::any_of(out.begin(), out.end(), [&](const KeyRef& k) {
          return same(k.table, next.table) && same(k.column, next.column);
        });
        if (!seen) out.push_back(std::move(next));
      }
    }
    return out;
  }

  // A declared foreign key whose column pair is (a, b) in either direction.
  const catalog::ForeignKey* direct(const KeyRef& a, const KeyRef& b) const {
    for (const catalog::ForeignKey& fk : catalog_.foreign_keys) {
      for (size_t i = 0; i < fk.from_columns.size(); ++i) {
        std::string to = to_column(fk, i);
        if (same(fk.from_table, a.table) && same(fk.from_columns[i], a.column) && same(fk.to_table, b.table) &&
            same(to, b.column)) {
          return &fk;
        }
        if (same(fk.from_table, b.table) && same(fk.from_columns[i], b.column) && same(fk.to_table, a.table) &&
            same(to, a.column)) {
          return &fk;
        }
      }
    }
    return nullptr;
  }

  // Some declared foreign key between the two tables, either direction.
  const catalog::ForeignKey* between(std::string_view a, std::string_view b) const {
    for (const catalog::ForeignKey& fk : catalog_.foreign_keys) {
      if ((same(fk.from_table, a) && same(fk.to_table, b)) || (same(fk.from_table, b) && same(fk.to_table, a))) {
        return &fk;
      }
    }
    return nullptr;
  }

  // The referenced column (SQLite leaves it implicit when the key is the primary key).
  std::string to_column(const catalog::ForeignKey& fk, size_t i) const {
    if (i < fk.to_columns.size() && !fk.to_columns[i].empty()) return fk.to_columns[i];
    if (const catalog::Table* t = catalog_.find_table(fk.to_table)) {
      if (i < t->primary_key.size()) return t->primary_key[i];
    }
    return i < fk.from_columns.size() ? fk.from_columns[i] : std::string();
  }

 private:
  const catalog::Catalog& catalog_;
};

// ---------------------------------------------------------------- AST facts per SELECT

void conjuncts(const Expr* e, std::vector<const Expr*>& out) {
  if (e == nullptr) return;
  auto* b = e->as<Binary>();
  if (b != nullptr && b->op == BinaryOp::kAnd) {
    conjuncts(b->left, out);
    conjuncts(b->right, out);
  } else {
    out.push_back(e);
  }
}

void column_positions(const Node* n, std::vector<uint32_t>& out) {
  if (n->kind == NodeKind::kColumnRef) out.push_back(n->pos);
  for_each_child(n, [&](const Node* c) { column_positions(c, out); });
}

bool has_aggregate(const Node* n) {
  if (n->kind == NodeKind::kFunction) {
    auto* f = static_cast<const Function*>(n);
    if (f->over == nullptr && f->over_name.empty() && is_aggregate_function(f->name.name)) return true;
  }
  if (n->kind == NodeKind::kSelect || n->kind == NodeKind::kSetOp || n->kind == NodeKind::kValues) return false;
  bool found = false;
  for_each_child(n, [&](const Node* c) { found = found || has_aggregate(c); });
  return found;
}

// A query that yields at most one row: an aggregate without GROUP BY, LIMIT 1, or no FROM.
bool single_row(const Query* q) {
  if (q == nullptr) return false;
  if (q->limit != nullptr && q->limit->count != nullptr) {
    if (auto* l = q->limit->count->as<Literal>(); l != nullptr && (l->text == "1" || l->text == "0")) return true;
  }
  auto* s = q->as<SelectQuery>();
  if (s == nullptr) return false;
  if (!s->group_by.empty()) return false;
  if (s->from == nullptr) return true;
  for (const SelectItem& item : s->items) {
    if (item.expr != nullptr && has_aggregate(item.expr)) return true;
  }
  return false;
}

struct SelectFacts {
  const SelectQuery* select = nullptr;
  std::vector<const TableRef*> leaves;
  std::vector<const Expr*> conditions;  // conjuncts of every ON and of WHERE
  bool cross_join = false;
};

void collect_from(const TableRef* ref, SelectFacts& f) {
  if (ref == nullptr) return;
  if (auto* j = ref->as<JoinRef>()) {
    if (j->type == JoinType::kCross) f.cross_join = true;
    collect_from(j->left, f);
    collect_from(j->right, f);
    conjuncts(j->on, f.conditions);
    return;
  }
  f.leaves.push_back(ref);
}

void collect_selects(const Node* n, std::vector<SelectFacts>& out, std::map<std::string, const Query*>& ctes) {
  if (auto* q = (n->kind == NodeKind::kSelect || n->kind == NodeKind::kSetOp || n->kind == NodeKind::kValues)
                    ? static_cast<const Query*>(n)
                    : nullptr) {
    if (q->with != nullptr) {
      for (const Cte& c : q->with->ctes) {
        if (c.query != nullptr) ctes.emplace(text::to_lower(c.name.name), c.query);
      }
    }
  }
  if (auto* s = n->kind == NodeKind::kSelect ? static_cast<const SelectQuery*>(n) : nullptr) {
    SelectFacts f;
    f.select = s;
    collect_from(s->from, f);
    conjuncts(s->where, f.conditions);
    out.push_back(std::move(f));
  }
  for_each_child(n, [&](const Node* c) { collect_selects(c, out, ctes); });
}

// ---------------------------------------------------------------- union-find

struct Components {
  explicit Components(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  size_t find(size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(size_t a, size_t b) { parent[find(a)] = find(b); }
  std::vector<size_t> parent;
};

// ---------------------------------------------------------------- the validator

class Validator {
 public:
  Validator(const Ast& ast, const Analysis& analysis, const catalog::Catalog& catalog, JoinReport& report)
      : ast_(ast), a_(analysis), catalog_(catalog), keys_(catalog), report_(report) {
    for (size_t i = 0; i < a_.tables.size(); ++i) index_[a_.tables[i].id] = i;
    for (const ColumnUse& c : a_.columns) {
      if (!c.star) uses_by_pos_.emplace(c.pos, &c);
    }
  }

  void run() {
    report_.catalog_has_foreign_keys = keys_.any();
    for (const Equality& e : a_.equalities) check_equality(e);
    std::vector<SelectFacts> selects;
    std::map<std::string, const Query*> ctes;
    if (const Query* q = ast_.query()) collect_selects(q, selects, ctes);
    ctes_ = std::move(ctes);
    for (const Scope& s : a_.scopes) check_scope(s, selects);
  }

 private:
  const TableInstance* instance(int id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &a_.tables[it->second];
  }

  void add(Severity severity, std::string code, uint32_t pos, std::string message) {
    Finding f;
    f.severity = severity;
    f.code = std::move(code);
    f.message = std::move(message);
    Location loc = ast_.location(pos);
    f.line = loc.line;
    f.column = loc.column;
    report_.findings.push_back(std::move(f));
  }

  // "c.VENDOR_ID" as the query writes it, with the table when the alias differs.
  std::string shown(const ColumnUse& c) const {
    const TableInstance* t = instance(c.instance);
    std::string q = t != nullptr ? t->alias : c.table;
    std::string out = q.empty() ? c.column : fmt::format("{}.{}", q, c.column);
    if (t != nullptr && !c.table.empty() && !same(t->alias, c.table)) out += fmt::format(" ({}.{})", c.table, c.column);
    return out;
  }

  std::string instance_name(const TableInstance& t) const {
    if (t.table.empty()) return t.alias;
    return same(t.alias, t.table) ? t.table : fmt::format("{} {}", t.table, t.alias);
  }

  void check_equality(const Equality& e) {
    if (e.left.instance < 0 || e.right.instance < 0) {
      if (e.in_join_condition && !e.left.alias_reference && !e.right.alias_reference) {
        const ColumnUse& bad = e.left.instance < 0 ? e.left : e.right;
        add(Severity::kError, "join_unknown_column", e.pos,
            fmt::format("The join condition uses {}, which is not a column of any table it joins; use an existing "
                        "column.",
                        bad.column));
      }
      return;
    }
    if (e.left.instance == e.right.instance) return;  // a filter on one row, not a join
    ++report_.equalities_checked;
    if (e.left.table.empty() || e.right.table.empty()) return;  // computed columns: nothing to compare with
    const catalog::Table* lt = catalog_.find_table(e.left.table);
    const catalog::Table* rt = catalog_.find_table(e.right.table);
    const catalog::Column* lc = lt != nullptr ? lt->find_column(e.left.column) : nullptr;
    const catalog::Column* rc = rt != nullptr ? rt->find_column(e.right.column) : nullptr;
    if (lc == nullptr || rc == nullptr) {
      const ColumnUse& bad = lc == nullptr ? e.left : e.right;
      add(Severity::kError, "join_unknown_column", e.pos,
          fmt::format("The join condition uses {}, which does not exist; use an existing column.", shown(bad)));
      return;
    }
    KeyRef l{lt->name, lc->name}, r{rt->name, rc->name};
    if (same(l.table, r.table) && same(l.column, r.column)) return;  // self-join on one column: see check_twice
    if (keys_.direct(l, r) != nullptr) {
      ++report_.foreign_key_joins;
      return;
    }
    TypeClass ltc = type_class(lc->type), rtc = type_class(rc->type);
    if (!compatible(ltc, rtc)) {
      // Same-named key columns declared with different types (a schema's sloppiness, common
      // in SQLite files, where affinity still makes them compare) are only a warning.
      add(same(l.column, r.column) ? Severity::kWarning : Severity::kError, "join_type_mismatch", e.pos,
          fmt::format("The join equates {}, of type {} ({}), with {}, of type {} ({}): values of these types never "
                      "match as intended; join columns of the same kind.",
                      shown(e.left), lc->type, type_class_name(ltc), shown(e.right), rc->type, type_class_name(rtc)));
      return;
    }
    // Through chains of keys: one side reaches the other, or both reach the same key.
    std::vector<KeyRef> lc_all = keys_.closure(l.table, l.column), rc_all = keys_.closure(r.table, r.column);
    for (const KeyRef& x : lc_all) {
      for (const KeyRef& y : rc_all) {
        if (same(x.table, y.table) && same(x.column, y.column)) {
          ++report_.foreign_key_joins;
          return;
        }
      }
    }
    std::vector<KeyRef> lk = keys_.targets(l.table, l.column), rk = keys_.targets(r.table, r.column);
    // A foreign-key column equated with something other than the key it references.
    auto contradiction = [&](const ColumnUse& fk_side, const std::vector<KeyRef>& targets, const ColumnUse& other) {
      if (targets.empty()) return false;
      std::vector<std::string> names;
      for (const KeyRef& t : targets) names.push_back(fmt::format("{}.{}", t.table, t.column));
      add(Severity::kError, "join_contradicts_fk", e.pos,
          fmt::format("{} references {} (declared foreign key), but the join equates it with {}; join it to {} "
                      "instead.",
                      shown(fk_side), text::join(names, " / "), shown(other), text::join(names, " / ")));
      return true;
    };
    if (contradiction(e.left, lk, e.right) || contradiction(e.right, rk, e.left)) return;
    if (keys_.any()) {
      add(Severity::kWarning, "join_without_fk", e.pos,
          fmt::format("The join {} = {} follows no declared foreign key; check that these columns really match.",
                      shown(e.left), shown(e.right)));
    }
  }

  // ---------------------------------------------------------------- per SELECT

  const SelectFacts* facts_for(const Scope& s, const std::vector<SelectFacts>& selects) const {
    for (int id : s.instances) {
      const TableInstance* t = instance(id);
      if (t == nullptr) continue;
      for (const SelectFacts& f : selects) {
        for (const TableRef* leaf : f.leaves) {
          if (leaf->pos == t->pos) return &f;
        }
      }
    }
    return nullptr;
  }

  const TableRef* leaf_of(const TableInstance& t, const SelectFacts* f) const {
    if (f == nullptr) return nullptr;
    for (const TableRef* leaf : f->leaves) {
      if (leaf->pos == t.pos) return leaf;
    }
    return nullptr;
  }

  // Instances that cannot multiply rows or that join through their arguments.
  bool exempt(const TableInstance& t, const SelectFacts* f) const {
    const TableRef* leaf = leaf_of(t, f);
    if (leaf != nullptr) {
      if (leaf->kind == NodeKind::kTableFunction) return true;
      if (auto* d = leaf->as<DerivedTable>()) return d->lateral || single_row(d->query);
    }
    if (!t.cte.empty()) {
      auto it = ctes_.find(text::to_lower(t.cte));
      if (it != ctes_.end() && single_row(it->second)) return true;
    }
    return false;
  }

  void check_scope(const Scope& s, const std::vector<SelectFacts>& selects) {
    if (s.instances.size() < 2) return;
    const SelectFacts* f = facts_for(s, selects);
    std::map<int, size_t> slot;  // instance id -> index in s.instances
    for (size_t i = 0; i < s.instances.size(); ++i) slot[s.instances[i]] = i;
    Components comp(s.instances.size());
    for (const Equality& e : a_.equalities) {
      if (!e.conjunct || e.left.instance < 0 || e.right.instance < 0) continue;
      auto l = slot.find(e.left.instance), r = slot.find(e.right.instance);
      if (l != slot.end() && r != slot.end()) comp.unite(l->second, r->second);
    }
    if (f != nullptr) {
      for (const Expr* cond : f->conditions) {
        std::vector<uint32_t> positions;
        column_positions(cond, positions);
        std::vector<size_t> touched;
        for (uint32_t p : positions) {
          auto range = uses_by_pos_.equal_range(p);
          for (auto it = range.first; it != range.second; ++it) {
            auto sl = slot.find(it->second->instance);
            if (sl != slot.end()) touched.push_back(sl->second);
          }
        }
        for (size_t i = 1; i < touched.size(); ++i) comp.unite(touched[0], touched[i]);
      }
    }
    std::vector<size_t> active;
    for (size_t i = 0; i < s.instances.size(); ++i) {
      const TableInstance* t = instance(s.instances[i]);
      if (t != nullptr && !exempt(*t, f)) active.push_back(i);
    }
    std::map<size_t, std::vector<size_t>> groups;
    for (size_t i : active) groups[comp.find(i)].push_back(i);
    if (groups.size() > 1) report_cartesian(s, groups, f != nullptr && f->cross_join);
    check_twice(s);
    check_composite_keys(s);
  }

  // A join on part of a composite foreign key (distributions to invoice lines on INVOICE_ID
  // alone) pairs each row with every row sharing that part: usually a multiplication.
  void check_composite_keys(const Scope& s) {
    for (size_t x = 0; x < s.instances.size(); ++x) {
      for (size_t y = 0; y < s.instances.size(); ++y) {
        if (x == y) continue;
        const TableInstance* from = instance(s.instances[x]);
        const TableInstance* to = instance(s.instances[y]);
        if (from == nullptr || to == nullptr || from->table.empty() || to->table.empty()) continue;
        for (const catalog::ForeignKey& fk : catalog_.foreign_keys) {
          if (fk.from_columns.size() < 2 || !same(fk.from_table, from->table) || !same(fk.to_table, to->table)) {
            continue;
          }
          std::vector<std::string> missing;
          size_t matched = 0;
          uint32_t pos = 0;
          for (size_t i = 0; i < fk.from_columns.size(); ++i) {
            std::string target = keys_.to_column(fk, i);
            uint32_t at = equated_at(from->id, fk.from_columns[i], to->id, target);
            if (at != 0) {
              ++matched;
              pos = pos == 0 ? at : pos;
            } else {
              missing.push_back(fmt::format("{}.{} = {}.{}", from->alias, fk.from_columns[i], to->alias, target));
            }
          }
          if (matched == 0 || missing.empty()) continue;
          add(Severity::kWarning, "partial_composite_key", pos,
              fmt::format("{} joins {} on part of its composite foreign key ({} → {}), so each row meets every row "
                          "sharing that part; add {}.",
                          instance_name(*from), instance_name(*to), fmt::format("{}", fmt::join(fk.from_columns, ", ")),
                          fk.to_table, text::join(missing, " AND ")));
        }
      }
    }
  }

  // The position of a conjunct equality i.a = j.b (either way round), or 0.
  uint32_t equated_at(int i, std::string_view a, int j, std::string_view b) const {
    for (const Equality& e : a_.equalities) {
      if (!e.conjunct) continue;
      if (e.left.instance == i && e.right.instance == j && same(e.left.column, a) && same(e.right.column, b)) {
        return e.pos == 0 ? 1 : e.pos;
      }
      if (e.left.instance == j && e.right.instance == i && same(e.left.column, b) && same(e.right.column, a)) {
        return e.pos == 0 ? 1 : e.pos;
      }
    }
    return 0;
  }

  void report_cartesian(const Scope& s, const std::map<size_t, std::vector<size_t>>& groups, bool cross_join) {
    std::vector<std::vector<const TableInstance*>> parts;
    for (const auto& [root, members] : groups) {
      std::vector<const TableInstance*> part;
      for (size_t i : members) part.push_back(instance(s.instances[i]));
      parts.push_back(std::move(part));
    }
    std::sort(parts.begin(), parts.end(), [](const auto& x, const auto& y) { return x[0]->pos < y[0]->pos; });
    auto names = [&](const std::vector<const TableInstance*>& part) {
      std::vector<std::string> out;
      for (const TableInstance* t : part) out.push_back(instance_name(*t));
      return text::join(out, ", ");
    };
    for (size_t p = 1; p < parts.size(); ++p) {
      std::string suggestion;
      for (size_t q = 0; q < p && suggestion.empty(); ++q) {
        for (const TableInstance* a : parts[q]) {
          for (const TableInstance* b : parts[p]) {
            if (a->table.empty() || b->table.empty() || !suggestion.empty()) continue;
            if (const catalog::ForeignKey* fk = keys_.between(a->table, b->table)) {
              bool a_from = same(fk->from_table, a->table);
              const TableInstance* from = a_from ? a : b;
              const TableInstance* to = a_from ? b : a;
              std::vector<std::string> terms;
              for (size_t i = 0; i < fk->from_columns.size(); ++i) {
                terms.push_back(
                    fmt::format("{}.{} = {}.{}", from->alias, fk->from_columns[i], to->alias, keys_.to_column(*fk, i)));
              }
              suggestion = fmt::format(" (the declared foreign key suggests {})", text::join(terms, " AND "));
            }
          }
        }
      }
      if (cross_join) {
        add(Severity::kWarning, "cross_join", parts[p][0]->pos,
            fmt::format("CROSS JOIN pairs every row of {} with every row of {}; make sure a cartesian product is "
                        "intended{}.",
                        names(parts[p]), names(parts[0]), suggestion));
      } else {
        add(Severity::kError, "cartesian_product", parts[p][0]->pos,
            fmt::format("{} is not joined to {} by any condition, so every row of one is paired with every row of "
                        "the other (a cartesian product); add the join condition{}.",
                        names(parts[p]), names(parts[0]), suggestion));
      }
    }
  }

  // Equalities of the scope between instance `i` and instances other than `i` and `j`:
  // (my column, other instance, other column).
  std::set<std::tuple<std::string, int, std::string>> edges(int i, int j) const {
    std::set<std::tuple<std::string, int, std::string>> out;
    for (const Equality& e : a_.equalities) {
      if (!e.conjunct) continue;
      const ColumnUse* me = nullptr;
      const ColumnUse* other = nullptr;
      if (e.left.instance == i) {
        me = &e.left;
        other = &e.right;
      } else if (e.right.instance == i) {
        me = &e.right;
        other = &e.left;
      }
      if (me == nullptr || other->instance < 0 || other->instance == i || other->instance == j) continue;
      out.emplace(text::to_lower(me->column), other->instance, text::to_lower(other->column));
    }
    return out;
  }

  // Uses of instance `i` outside its join equalities (stars count: they read every column).
  size_t other_uses(int i) const {
    std::set<uint32_t> in_equalities;
    for (const Equality& e : a_.equalities) {
      if (e.left.instance == i) in_equalities.insert(e.left.pos);
      if (e.right.instance == i) in_equalities.insert(e.right.pos);
    }
    size_t n = 0;
    for (const ColumnUse& c : a_.columns) {
      if (c.instance == i && (c.star || !in_equalities.count(c.pos))) ++n;
    }
    return n;
  }

  bool equated(int i, int j, std::string_view column) const {
    for (const Equality& e : a_.equalities) {
      if (!e.conjunct) continue;
      bool forward = e.left.instance == i && e.right.instance == j;
      bool backward = e.left.instance == j && e.right.instance == i;
      if ((forward || backward) && same(e.left.column, column) && same(e.right.column, column)) return true;
    }
    return false;
  }

  void check_twice(const Scope& s) {
    for (size_t x = 0; x < s.instances.size(); ++x) {
      for (size_t y = x + 1; y < s.instances.size(); ++y) {
        const TableInstance* a = instance(s.instances[x]);
        const TableInstance* b = instance(s.instances[y]);
        if (a == nullptr || b == nullptr || a->table.empty() || !same(a->table, b->table)) continue;
        const catalog::Table* table = catalog_.find_table(a->table);
        if (table != nullptr && !table->primary_key.empty()) {
          bool all = std::all_of(table->primary_key.begin(), table->primary_key.end(),
                                 [&](const std::string& k) { return equated(a->id, b->id, k); });
          if (all) {
            std::vector<std::string> terms;
            for (const std::string& k : table->primary_key) {
              terms.push_back(fmt::format("{}.{} = {}.{}", a->alias, k, b->alias, k));
            }
            add(Severity::kError, "self_join_on_key", b->pos,
                fmt::format("{} is joined to itself on its primary key ({}): both instances are the same row, so "
                            "the join does nothing; use one instance of {}.",
                            a->table, text::join(terms, " AND "), a->table));
            continue;
          }
        }
        auto ea = edges(a->id, b->id), eb = edges(b->id, a->id);
        if (ea.empty() || ea != eb) continue;
        const TableInstance* unused = other_uses(b->id) == 0 ? b : (other_uses(a->id) == 0 ? a : nullptr);
        if (unused == nullptr) continue;
        const TableInstance* kept = unused == b ? a : b;
        add(Severity::kWarning, "redundant_join", unused->pos,
            fmt::format("{} is joined twice ({} and {}) on the same condition and {} is used nowhere else: that "
                        "join is meaningless (it can only repeat rows); remove it.",
                        a->table, kept->alias, unused->alias, unused->alias));
      }
    }
  }

  const Ast& ast_;
  const Analysis& a_;
  const catalog::Catalog& catalog_;
  Keys keys_;
  JoinReport& report_;
  std::map<int, size_t> index_;
  std::multimap<uint32_t, const ColumnUse*> uses_by_pos_;
  std::map<std::string, const Query*> ctes_;
};

}  // namespace

JoinReport validate_joins(const sql::Ast& ast, const sql::Analysis& analysis, const catalog::Catalog& catalog) {
  JoinReport report;
  Validator(ast, analysis, catalog, report).run();
  size_t errors = count_findings(report.findings, Severity::kError);
  size_t warnings = count_findings(report.findings, Severity::kWarning);
  report.verdict = errors > 0 ? JoinVerdict::kError : warnings > 0 ? JoinVerdict::kWarning : JoinVerdict::kOk;
  report.score = std::max(0.0, 1.0 - 0.35 * static_cast<double>(errors) - 0.1 * static_cast<double>(warnings));
  return report;
}

}  // namespace askguru::guard
