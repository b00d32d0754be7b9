#include "askguru/sql/mutate.h"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <type_traits>

#include "askguru/common/text.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/ast_edit.h"
#include "askguru/sql/normalize.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace askguru::sql {

std::string_view mutation_kind_name(MutationKind kind) {
  switch (kind) {
    case MutationKind::kSwapColumn: return "swap column";
    case MutationKind::kComparison: return "comparison";
    case MutationKind::kDropCondition: return "drop condition";
    case MutationKind::kAddCondition: return "add condition";
    case MutationKind::kAggregate: return "aggregate";
    case MutationKind::kOrderDirection: return "order direction";
    case MutationKind::kJoinColumn: return "join column";
    case MutationKind::kLimit: return "limit";
  }
  return "?";
}

namespace {

enum class Affinity { kNumeric, kText, kBlob };

// SQLite's affinity rules, with INTEGER, REAL and NUMERIC as one class.
Affinity affinity(std::string_view declared) {
  std::string t = text::to_upper(declared);
  if (t.find("INT") != std::string::npos) return Affinity::kNumeric;
  if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos ||
      t.find("TEXT") != std::string::npos) {
    return Affinity::kText;
  }
  if (t.empty() || t.find("BLOB") != std::string::npos) return Affinity::kBlob;
  return Affinity::kNumeric;
}

bool looks_numeric(std::string_view s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-') ? 1 : 0;
  bool digit = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digit = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
}

struct Site {
  MutationKind kind;
  Node* node = nullptr;
  OrderItem* order = nullptr;
  bool having = false;
  int leaf = -1;
};

bool is_comparison(BinaryOp op) {
  return op == BinaryOp::kEq || op == BinaryOp::kNe || op == BinaryOp::kLt || op == BinaryOp::kLe ||
         op == BinaryOp::kGt || op == BinaryOp::kGe;
}

bool is_simple_aggregate(const Function* f) {
  if (f->over != nullptr || !f->over_name.empty() || !f->schema.empty() || f->star || f->args.size() != 1) return false;
  for (const char* n : {"count", "sum", "avg", "min", "max"}) {
    if (text::iequals(f->name.name, n)) return true;
  }
  return false;
}

void and_leaves(Expr* e, std::vector<Expr*>& out) {
  if (auto* b = e->as<Binary>(); b != nullptr && b->op == BinaryOp::kAnd) {
    and_leaves(b->left, out);
    and_leaves(b->right, out);
  } else {
    out.push_back(e);
  }
}

// The sites of one copy of the query, in a fixed (pre-order) order.
class SiteCollector {
 public:
  SiteCollector(const Analysis& analysis) : analysis_(analysis) {
    for (const ColumnUse& u : analysis.columns) {
      if (!u.star && !u.alias_reference && u.instance >= 0) uses_.emplace(u.pos, &u);
    }
    for (const Equality& e : analysis.equalities) {
      if (e.in_join_condition) {
        join_positions_.insert(e.left.pos);
        join_positions_.insert(e.right.pos);
      }
    }
  }

  std::vector<Site> collect(Query* q) {
    sites_.clear();
    visit(q, false);
    return std::move(sites_);
  }

  const ColumnUse* catalog_use(const ColumnRef* c) const {
    auto it = uses_.find(c->pos);
    if (it == uses_.end()) return nullptr;
    const ColumnUse* u = it->second;
    const TableInstance& t = analysis_.tables[u->instance];
    if (t.derived || t.table.empty()) return nullptr;
    return u;
  }

 private:
  void visit(Node* n, bool in_on) {
    switch (n->kind) {
      case NodeKind::kColumnRef: {
        auto* c = static_cast<ColumnRef*>(n);
        if (catalog_use(c) != nullptr) {
          bool join = in_on && join_positions_.count(c->pos) != 0;
          sites_.push_back({join ? MutationKind::kJoinColumn : MutationKind::kSwapColumn, n});
        }
        return;
      }
      case NodeKind::kBinary:
        if (is_comparison(static_cast<Binary*>(n)->op)) sites_.push_back({MutationKind::kComparison, n});
        break;
      case NodeKind::kFunction:
        if (is_simple_aggregate(static_cast<Function*>(n))) sites_.push_back({MutationKind::kAggregate, n});
        break;
      case NodeKind::kJoin: {
        auto* j = static_cast<JoinRef*>(n);
        visit(j->left, false);
        visit(j->right, false);
        if (j->on != nullptr) visit(j->on, true);
        return;
      }
      case NodeKind::kSelect:
      case NodeKind::kSetOp:
      case NodeKind::kValues: {
        in_on = false;
        auto* q = static_cast<Query*>(n);
        for (OrderItem& o : q->order_by) {
          Site s{MutationKind::kOrderDirection, n};
          s.order = &o;
          sites_.push_back(s);
        }
        if (q->limit != nullptr ? (q->limit->count != nullptr && q->limit->count->kind == NodeKind::kLiteral)
                                : !q->order_by.empty()) {
          sites_.push_back({MutationKind::kLimit, n});
        }
        if (auto* s = q->as<SelectQuery>()) {
          for (bool having : {false, true}) {
            Expr* cond = having ? s->having : s->where;
            if (cond == nullptr) continue;
            std::vector<Expr*> leaves;
            and_leaves(cond, leaves);
            for (size_t i = 0; i < leaves.size(); ++i) {
              Site site{MutationKind::kDropCondition, n};
              site.having = having;
              site.leaf = static_cast<int>(i);
              sites_.push_back(site);
            }
          }
          if (s->from != nullptr) sites_.push_back({MutationKind::kAddCondition, n});
        }
        break;
      }
      default: break;
    }
    for_each_slot(n, [&](auto*& slot) { visit(slot, in_on); });
  }

  const Analysis& analysis_;
  std::multimap<uint32_t, const ColumnUse*> uses_;
  std::set<uint32_t> join_positions_;
  std::vector<Site> sites_;
};

class Mutator {
 public:
  Mutator(Ast& ast, const catalog::Catalog& catalog, const SiteCollector& sites, std::mt19937_64& rng)
      : ast_(ast), catalog_(catalog), sites_(sites), rng_(rng), dialect_(ast.dialect()) {}

  // Applies `site`; the description, or nullopt when the site offers no edit.
  std::optional<std::string> apply(const Site& site) {
    switch (site.kind) {
      case MutationKind::kSwapColumn: return swap_column(static_cast<ColumnRef*>(site.node), false);
      case MutationKind::kJoinColumn: return swap_column(static_cast<ColumnRef*>(site.node), true);
      case MutationKind::kComparison: return comparison(static_cast<Binary*>(site.node));
      case MutationKind::kDropCondition: return drop(static_cast<SelectQuery*>(site.node), site.having, site.leaf);
      case MutationKind::kAddCondition: return add(static_cast<SelectQuery*>(site.node));
      case MutationKind::kAggregate: return aggregate(static_cast<Function*>(site.node));
      case MutationKind::kOrderDirection: return flip(site.order);
      case MutationKind::kLimit: return limit(static_cast<Query*>(site.node));
    }
    return std::nullopt;
  }

 private:
  size_t pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  std::string text_of(const Expr* e) const { return print(e, PrintOptions{dialect_, true}); }

  Identifier make_ident(std::string_view name) {
    Identifier id;
    id.name = ast_.arena().copy(name);
    id.quoted = identifier_needs_quotes(name);
    return id;
  }

  bool key_like(const catalog::Table& t, const catalog::Column& c) const {
    if (c.primary_key) return true;
    std::string l = text::to_lower(c.name);
    if (l.size() >= 2 && l.compare(l.size() - 2, 2, "id") == 0) return true;
    for (const catalog::ForeignKey& fk : catalog_.foreign_keys) {
      if (text::iequals(fk.from_table, t.name)) {
        for (const std::string& f : fk.from_columns) {
          if (text::iequals(f, c.name)) return true;
        }
      }
      if (text::iequals(fk.to_table, t.name)) {
        for (const std::string& f : fk.to_columns) {
          if (text::iequals(f, c.name)) return true;
        }
      }
    }
    return false;
  }

  std::optional<std::string> swap_column(ColumnRef* ref, bool join) {
    const ColumnUse* use = sites_.catalog_use(ref);
    if (use == nullptr) return std::nullopt;
    const catalog::Table* table = catalog_.find_table(use->table);
    if (table == nullptr) return std::nullopt;
    const catalog::Column* current = table->find_column(ref->column.name);
    if (current == nullptr) return std::nullopt;
    Affinity aff = affinity(current->type);
    std::vector<const catalog::Column*> candidates, keys;
    for (const catalog::Column& c : table->columns) {
      if (&c == current || affinity(c.type) != aff) continue;
      candidates.push_back(&c);
      if (key_like(*table, c)) keys.push_back(&c);
    }
    if (join && !keys.empty()) candidates = keys;
    if (candidates.empty()) return std::nullopt;
    const catalog::Column* chosen = candidates[pick(candidates.size())];
    std::string before = text_of(ref);
    ref->column = make_ident(chosen->name);
    std::string after = text_of(ref);
    return (join ? "join on " + after + " instead of " + before : "use column " + after + " instead of " + before);
  }

  std::optional<std::string> comparison(Binary* b) {
    static const BinaryOp kOps[] = {BinaryOp::kEq, BinaryOp::kNe, BinaryOp::kLt,
                                    BinaryOp::kLe, BinaryOp::kGt, BinaryOp::kGe};
    std::vector<BinaryOp> others;
    for (BinaryOp op : kOps) {
      if (op != b->op) others.push_back(op);
    }
    std::string before = text_of(b);
    b->op = others[pick(others.size())];
    b->spelling = OpSpelling::kDefault;
    return "change " + before + " to " + text_of(b);
  }

  Expr* and_chain(const std::vector<Expr*>& leaves) {
    Expr* out = leaves.front();
    for (size_t i = 1; i < leaves.size(); ++i) {
      auto* b = ast_.arena().make<Binary>();
      b->op = BinaryOp::kAnd;
      b->left = out;
      b->right = leaves[i];
      b->pos = out->pos;
      out = b;
    }
    return out;
  }

  std::optional<std::string> drop(SelectQuery* s, bool having, int leaf) {
    Expr*& cond = having ? s->having : s->where;
    if (cond == nullptr) return std::nullopt;
    std::vector<Expr*> leaves;
    and_leaves(cond, leaves);
    if (leaf < 0 || static_cast<size_t>(leaf) >= leaves.size()) return std::nullopt;
    std::string removed = text_of(leaves[leaf]);
    leaves.erase(leaves.begin() + leaf);
    cond = leaves.empty() ? nullptr : and_chain(leaves);
    return std::string("drop the ") + (having ? "HAVING" : "WHERE") + " condition " + removed;
  }

  void table_names(TableRef* t, std::vector<TableName*>& out) {
    if (auto* tn = t->as<TableName>()) {
      out.push_back(tn);
    } else if (auto* j = t->as<JoinRef>()) {
      table_names(j->left, out);
      table_names(j->right, out);
    }
  }

  std::optional<std::string> add(SelectQuery* s) {
    std::vector<TableName*> names;
    table_names(s->from, names);
    std::vector<std::pair<TableName*, const catalog::Table*>> tables;
    for (TableName* tn : names) {
      if (const catalog::Table* t = catalog_.find_table(tn->name.name); t != nullptr && !t->columns.empty()) {
        tables.emplace_back(tn, t);
      }
    }
    if (tables.empty()) return std::nullopt;
    auto [tn, table] = tables[pick(tables.size())];
    const catalog::Column& column = table->columns[pick(table->columns.size())];
    auto* ref = ast_.arena().make<ColumnRef>();
    ref->pos = s->pos;
    bool qualify = tn->alias.present() || names.size() > 1;
    if (qualify) ref->table = tn->alias.present() ? tn->alias.name : tn->name;
    ref->column = make_ident(column.name);
    Expr* cond = nullptr;
    if (!column.samples.empty()) {
      const std::string& v = column.samples[pick(column.samples.size())];
      auto* lit = ast_.arena().make<Literal>();
      bool numeric = affinity(column.type) == Affinity::kNumeric && looks_numeric(v) && v[0] != '-';
      lit->literal_kind = numeric ? (v.find('.') != std::string::npos ? LiteralKind::kFloat : LiteralKind::kInteger)
                                  : LiteralKind::kString;
      lit->text = ast_.arena().copy(v);
      auto* b = ast_.arena().make<Binary>();
      b->op = BinaryOp::kEq;
      b->left = ref;
      b->right = lit;
      cond = b;
    } else {
      auto* n = ast_.arena().make<IsNull>();
      n->negated = pick(2) == 0;
      n->value = ref;
      cond = n;
    }
    std::string added = text_of(cond);
    if (s->where == nullptr) {
      s->where = cond;
    } else {
      auto* b = ast_.arena().make<Binary>();
      b->op = BinaryOp::kAnd;
      b->left = s->where;
      b->right = cond;
      s->where = b;
    }
    return "add the condition " + added;
  }

  std::optional<std::string> aggregate(Function* f) {
    static const char* kNames[] = {"COUNT", "SUM", "AVG", "MIN", "MAX"};
    std::string before = text_of(f);
    bool is_count = text::iequals(f->name.name, "count");
    // COUNT: toggling DISTINCT is one of the choices.
    size_t choice = pick(is_count ? 5 : 4);
    if (is_count && choice == 4) {
      f->distinct = !f->distinct;
    } else {
      std::vector<const char*> others;
      for (const char* n : kNames) {
        if (!text::iequals(f->name.name, n)) others.push_back(n);
      }
      f->name = Identifier{others[choice % others.size()], false};
    }
    return "change " + before + " to " + text_of(f);
  }

  std::optional<std::string> flip(OrderItem* o) {
    bool desc = o->descending();
    o->direction = desc ? OrderItem::Direction::kAsc : OrderItem::Direction::kDesc;
    return "order by " + text_of(o->expr) + (desc ? " ascending" : " descending") + " instead";
  }

  std::optional<std::string> limit(Query* q) {
    if (q->limit == nullptr) {
      if (q->order_by.empty()) return std::nullopt;
      auto* lim = ast_.arena().make<Limit>();
      auto* one = ast_.arena().make<Literal>();
      one->literal_kind = LiteralKind::kInteger;
      one->text = "1";
      lim->count = one;
      q->limit = lim;
      return std::string("keep only the first row (LIMIT 1)");
    }
    auto* lit = q->limit->count != nullptr ? q->limit->count->as<Literal>() : nullptr;
    if (lit == nullptr || lit->literal_kind != LiteralKind::kInteger || !looks_numeric(lit->text)) return std::nullopt;
    long long n = std::stoll(std::string(lit->text));
    std::vector<int> choices = {0, 1};  // 0: n+1, 1: remove, 2: n-1
    if (n > 1) choices.push_back(2);
    switch (choices[pick(choices.size())]) {
      case 0:
        lit->text = ast_.arena().copy(std::to_string(n + 1));
        return "LIMIT " + std::to_string(n + 1) + " instead of " + std::to_string(n);
      case 1:
        if (q->limit->offset != nullptr) return std::nullopt;
        q->limit = nullptr;
        return "no LIMIT (was " + std::to_string(n) + ")";
      default:
        lit->text = ast_.arena().copy(std::to_string(n - 1));
        return "LIMIT " + std::to_string(n - 1) + " instead of " + std::to_string(n);
    }
  }

  Ast& ast_;
  const catalog::Catalog& catalog_;
  const SiteCollector& sites_;
  std::mt19937_64& rng_;
  Dialect dialect_;
};

}  // namespace

Result<std::vector<Mutant>> mutate(const Ast& ast, const catalog::Catalog& catalog, const MutateOptions& options) {
  if (ast.size() == 0 || ast.query() == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "cannot mutate a statement that is not a query");
  }
  Dialect dialect = ast.dialect();
  // Work on the canonical text of the first statement: every copy parsed from it has the
  // same positions, so one analysis serves them all.
  std::string base = print(ast.statement(), PrintOptions{dialect, true});
  auto first = parse(base, dialect);
  if (!first.ok()) return first.status();
  Analysis analysis = analyze_query(*first, first->query(), catalog);
  NormalizeOptions nopt{&catalog};
  std::set<std::string> seen{normalize(*first, nopt)};
  SiteCollector collector(analysis);
  std::vector<Site> sites = collector.collect(first->query());

  std::vector<size_t> order;
  for (size_t i = 0; i < sites.size(); ++i) {
    if (options.kinds.empty() ||
        std::find(options.kinds.begin(), options.kinds.end(), sites[i].kind) != options.kinds.end()) {
      order.push_back(i);
    }
  }
  std::mt19937_64 rng(options.seed);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[static_cast<size_t>(rng() % i)]);

  std::vector<Mutant> out;
  for (size_t index : order) {
    if (out.size() >= options.max_mutants) break;
    auto copy = parse(base, dialect);
    if (!copy.ok()) break;
    std::vector<Site> copy_sites = collector.collect(copy->query());
    if (index >= copy_sites.size()) continue;
    Mutator m(*copy, catalog, collector, rng);
    std::optional<std::string> description = m.apply(copy_sites[index]);
    if (!description) continue;
    std::string sql = print(copy->statement(), PrintOptions{dialect, true});
    auto check = parse(sql, dialect);
    if (!check.ok()) continue;
    if (analyze_query(*check, check->query(), catalog).has_errors()) continue;
    if (!seen.insert(normalize(*check, nopt)).second) continue;
    out.push_back({std::move(sql), std::move(*description), copy_sites[index].kind});
  }
  return out;
}

}  // namespace askguru::sql
