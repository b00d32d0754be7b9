#include "askguru/pipeline/offline_answer.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "askguru/catalog/catalog.h"
#include "askguru/common/text.h"
#include "askguru/db/connection.h"
#include "askguru/eval/compare.h"
#include "askguru/eval/sql_cleanup.h"
#include "askguru/guard/guardrail.h"
#include "askguru/index/value_index.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/ast_edit.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace askguru::pipeline {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr size_t kMaxRejected = 5;

// ------------------------------------------------------------------ masked questions

struct Slot {
  std::string mask;  // [NUM] [STR] [VAL] [ENT]
  std::string text;  // as written in the question (quotes removed for [STR])
  bool number() const { return mask == "[NUM]"; }
};

struct Masked {
  std::string masked;
  std::vector<std::vector<std::string>> segments;  // words between slots: slots + 1 of them
  std::vector<Slot> slots;
  size_t tokens = 0;  // words + slots
  bool ok = true;     // the slots could be read back from the question
};

bool is_mask_at(std::string_view s, size_t i, std::string_view* mask) {
  for (std::string_view m : {"[NUM]", "[STR]", "[VAL]", "[ENT]"}) {
    if (s.substr(i, m.size()) == m) {
      *mask = m;
      return true;
    }
  }
  return false;
}

bool word_char(unsigned char c) {
  return std::isalnum(c) != 0 || c >= 0x80;
}

// The masked text as literal pieces and masks, in order (pieces.size() == masks.size() + 1).
void split_masked(std::string_view masked, std::vector<std::string>& pieces, std::vector<std::string>& masks) {
  pieces.assign(1, "");
  masks.clear();
  for (size_t i = 0; i < masked.size();) {
    std::string_view m;
    if (masked[i] == '[' && is_mask_at(masked, i, &m)) {
      masks.emplace_back(m);
      pieces.emplace_back();
      i += m.size();
    } else {
      pieces.back() += masked[i++];
    }
  }
}

// Reads back the text each mask stands for: the pieces between masks are copied from the
// question verbatim, so the question is matched against them (shortest spans first,
// backtracking when a later piece does not fit).
bool match_pieces(std::string_view q, size_t pos, const std::vector<std::string>& pieces, size_t k,
                  std::vector<std::string>& spans) {
  // Invariant: pieces[k] starts at pos.
  if (q.substr(pos, pieces[k].size()) != pieces[k]) return false;
  pos += pieces[k].size();
  if (k + 1 == pieces.size()) return pos == q.size();
  const std::string& next = pieces[k + 1];
  for (size_t end = pos + 1; end <= q.size(); ++end) {
    if (k + 2 == pieces.size()) {
      // The last piece must end the question.
      if (q.size() - end != next.size()) continue;
    }
    if (q.substr(end, next.size()) != next) continue;
    spans[k] = std::string(q.substr(pos, end - pos));
    if (match_pieces(q, end, pieces, k + 1, spans)) return true;
  }
  return false;
}

Masked mask(std::string_view question, const index::ValueIndex* values) {
  Masked out;
  out.masked = index::mask_question(question, values);
  std::vector<std::string> pieces, masks;
  split_masked(out.masked, pieces, masks);
  std::vector<std::string> spans(masks.size());
  out.ok = match_pieces(question, 0, pieces, 0, spans);
  for (size_t i = 0; i < masks.size(); ++i) {
    std::string t = std::string(text::trim(spans[i]));
    if (masks[i] == "[STR]" && t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front()) {
      t = t.substr(1, t.size() - 2);
    }
    out.slots.push_back({masks[i], t});
  }
  out.segments.assign(1, {});
  for (size_t p = 0; p < pieces.size(); ++p) {
    if (p > 0) out.segments.emplace_back();
    const std::string& s = pieces[p];
    for (size_t i = 0; i < s.size();) {
      if (!word_char(static_cast<unsigned char>(s[i]))) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < s.size() && (word_char(static_cast<unsigned char>(s[j])) ||
                              (s[j] == '\'' && j + 1 < s.size() && word_char(static_cast<unsigned char>(s[j + 1]))))) {
        ++j;
      }
      out.segments.back().push_back(text::to_lower(s.substr(i, j - i)));
      i = j;
    }
  }
  out.tokens = out.slots.size();
  for (const auto& seg : out.segments) out.tokens += seg.size();
  return out;
}

// ------------------------------------------------------------------ word edit costs

const std::unordered_set<std::string>& filler_words() {
  static const std::unordered_set<std::string> kWords = {
      "the",           "a",          "an",    "of",      "is",    "are",    "was",    "were",  "be",
      "been",          "please",     "me",    "us",      "you",   "i",      "we",     "all",   "that",
      "those",         "these",      "this",  "which",   "what",  "who",    "whom",   "whose", "do",
      "does",          "did",        "there", "their",   "them",  "they",   "its",    "it",    "to",
      "for",           "in",         "on",    "with",    "by",    "as",     "give",   "show",  "list",
      "find",          "return",     "tell",  "display", "get",   "named",  "called", "whole", "entire",
      "can",           "could",      "would", "will",    "have",  "has",    "had",    "also",  "any",
      "corresponding", "respective", "s",     "compute", "exist", "exists", "listed"};
  return kWords;
}

// Words whose difference changes the query: never edited.
const std::unordered_set<std::string>& critical_words() {
  static const std::unordered_set<std::string> kWords = {
      "not",       "no",         "never",      "none",       "nor",          "without",        "except",
      "than",      "more",       "less",       "most",       "least",        "fewer",          "fewest",
      "greater",   "larger",     "smaller",    "bigger",     "higher",       "lower",          "highest",
      "lowest",    "largest",    "smallest",   "biggest",    "longest",      "shortest",       "longer",
      "shorter",   "maximum",    "minimum",    "max",        "min",          "average",        "avg",
      "mean",      "total",      "sum",        "count",      "number",       "many",           "much",
      "older",     "younger",    "oldest",     "youngest",   "before",       "after",          "earlier",
      "later",     "latest",     "earliest",   "newest",     "first",        "last",           "top",
      "bottom",    "each",       "per",        "every",      "distinct",     "different",      "unique",
      "ascending", "descending", "increasing", "decreasing", "alphabetical", "alphabetically", "order",
      "ordered",   "sorted",     "sort",       "and",        "or",           "both",           "either",
      "neither",   "only",       "between",    "above",      "below",        "over",           "under",
      "at",        "same",       "other",      "equal",      "exactly",      "percentage",     "percent",
      "ratio",     "difference", "one",        "two",        "three",        "four",           "five",
      "six",       "seven",      "eight",      "nine",       "ten",          "once",           "twice",
      "single",    "multiple",   "equals",     "larger",     "shortest",     "cheapest",       "expensive",
      "lowest",    "best",       "worst",      "second",     "third",        "half",           "times"};
  return kWords;
}

std::string stem(std::string w) {
  if (w.size() > 2 && w.ends_with("'s")) w.resize(w.size() - 2);
  if (w.size() > 4 && w.ends_with("ies")) return w.substr(0, w.size() - 3) + "y";
  if (w.size() > 4 && (w.ends_with("ses") || w.ends_with("xes") || w.ends_with("ches") || w.ends_with("shes"))) {
    return w.substr(0, w.size() - 2);
  }
  if (w.size() > 3 && w.back() == 's' && !w.ends_with("ss")) w.pop_back();
  return w;
}

bool critical(const std::string& w) {
  if (critical_words().count(w) > 0 || w.ends_with("n't") || w == "cannot") return true;
  // A misspelt one ("diffrent", "avarage"): long words within one edit (memoised per thread).
  if (w.size() < 5) return false;
  thread_local std::unordered_map<std::string, bool> misspelt;
  if (auto it = misspelt.find(w); it != misspelt.end()) return it->second;
  bool near = false;
  for (const std::string& c : critical_words()) {
    if (c.size() >= 6 && c.size() + 1 >= w.size() && w.size() + 1 >= c.size() && text::edit_distance(c, w) <= 1) {
      near = true;
      break;
    }
  }
  if (misspelt.size() > 100000) misspelt.clear();
  misspelt.emplace(w, near);
  return near;
}

double indel_cost(const std::string& w) {
  if (critical(w)) return kInf;
  return filler_words().count(w) ? 0.25 : 1.0;
}

double sub_cost(const std::string& a, const std::string& b) {
  if (a == b) return 0.0;
  if (critical(a) || critical(b)) return kInf;
  if (stem(a) == stem(b)) return 0.25;
  if (filler_words().count(a) && filler_words().count(b)) return 0.25;
  return 1.0;
}

struct EditCost {
  double total = 0.0;
  bool content = false;  // some edit touches a content word (not a filler word, not a stem variant)
  size_t content_edits = 0;
  size_t content_indels = 0;               // of which words added or dropped (not substituted)
  std::vector<std::string> content_words;  // the content words edited (either side)
};

EditCost segment_cost(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<double>> d(n + 1, std::vector<double>(m + 1, 0.0));
  // 0: start, 1: substitution (or match), 2: deletion of a[i-1], 3: insertion of b[j-1].
  std::vector<std::vector<uint8_t>> op(n + 1, std::vector<uint8_t>(m + 1, 0));
  for (size_t i = 1; i <= n; ++i) {
    d[i][0] = d[i - 1][0] + indel_cost(a[i - 1]);
    op[i][0] = 2;
  }
  for (size_t j = 1; j <= m; ++j) {
    d[0][j] = d[0][j - 1] + indel_cost(b[j - 1]);
    op[0][j] = 3;
  }
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      double del = d[i - 1][j] + indel_cost(a[i - 1]);
      double ins = d[i][j - 1] + indel_cost(b[j - 1]);
      double sub = d[i - 1][j - 1] + sub_cost(a[i - 1], b[j - 1]);
      if (sub <= del && sub <= ins) {
        d[i][j] = sub;
        op[i][j] = 1;
      } else if (del <= ins) {
        d[i][j] = del;
        op[i][j] = 2;
      } else {
        d[i][j] = ins;
        op[i][j] = 3;
      }
    }
  }
  EditCost out;
  out.total = d[n][m];
  if (!std::isfinite(out.total)) return out;
  for (size_t i = n, j = m; i > 0 || j > 0;) {
    switch (op[i][j]) {
      case 1:
        if (sub_cost(a[i - 1], b[j - 1]) >= 1.0) {
          out.content_words.push_back(a[i - 1]);
          out.content_words.push_back(b[j - 1]);
          ++out.content_edits;
        }
        --i;
        --j;
        break;
      case 2:
        if (indel_cost(a[i - 1]) >= 1.0) {
          out.content_words.push_back(a[i - 1]);
          ++out.content_edits;
          ++out.content_indels;
        }
        --i;
        break;
      default:
        if (indel_cost(b[j - 1]) >= 1.0) {
          out.content_words.push_back(b[j - 1]);
          ++out.content_edits;
          ++out.content_indels;
        }
        --j;
        break;
    }
  }
  out.content = out.content_edits > 0;
  return out;
}

// ------------------------------------------------------------------ numbers

// A plain number ("40", "3.5", "1,000"), normalised ("1000"); nullopt for anything else.
std::optional<std::string> plain_number(std::string_view s) {
  std::string out;
  bool digit = false, dot = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      out += c;
      digit = true;
    } else if (c == ',' && digit && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      continue;
    } else if (c == '.' && !dot && digit && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      out += c;
      dot = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digit) return std::nullopt;
  return out;
}

std::optional<double> number_value(std::string_view s) {
  std::string t(text::trim(s));
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end == nullptr || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool same_number(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(a));
}

// ------------------------------------------------------------------ SQL literals

struct SqlLiteral {
  sql::Expr* node = nullptr;  // Literal, or a ColumnRef SQLite reads as a string
  bool number = false;
  bool string = false;
  std::string value;
  std::string table, column, op;
  bool claimed = false;
  bool quoted_ref = false;  // SQLite's "double-quoted string": printed as a string literal
  std::string display;      // for kept-literal messages
};

struct LiteralCollector {
  std::vector<SqlLiteral>* out;
  const std::map<uint32_t, const sql::LiteralUse*>* uses;
  const std::unordered_set<uint32_t>* string_refs;  // positions of double-quoted strings

  template <typename T>
  void operator()(T*& slot) {
    if constexpr (std::is_base_of_v<sql::Expr, T>) {
      sql::Expr* e = slot;
      if (auto* l = e->template as<sql::Literal>()) {
        SqlLiteral lit;
        lit.node = e;
        lit.value = std::string(l->text);
        lit.number = l->literal_kind == sql::LiteralKind::kInteger || l->literal_kind == sql::LiteralKind::kFloat;
        lit.string = l->literal_kind == sql::LiteralKind::kString;
        if (lit.number || lit.string) {
          annotate(lit, e->pos);
          lit.display = lit.string ? "'" + lit.value + "'" : lit.value;
          out->push_back(std::move(lit));
        }
        return;
      }
      if (auto* c = e->template as<sql::ColumnRef>(); c != nullptr && string_refs->count(e->pos) && c->table.empty()) {
        SqlLiteral lit;
        lit.node = e;
        lit.value = std::string(c->column.name);
        lit.string = true;
        lit.quoted_ref = true;
        annotate(lit, e->pos);
        lit.display = "\"" + lit.value + "\"";
        out->push_back(std::move(lit));
        return;
      }
      if (auto* u = e->template as<sql::Unary>(); u != nullptr && u->operand != nullptr &&
                                                  u->operand->kind == sql::NodeKind::kLiteral &&
                                                  (u->op == sql::UnaryOp::kNeg || u->op == sql::UnaryOp::kPlus)) {
        // A signed number: kept as it is (a question's "-5" is masked without its sign).
        auto* l = static_cast<const sql::Literal*>(u->operand);
        SqlLiteral lit;
        lit.node = nullptr;
        lit.value = (u->op == sql::UnaryOp::kNeg ? "-" : "") + std::string(l->text);
        lit.display = lit.value;
        out->push_back(std::move(lit));
        return;
      }
    }
    sql::for_each_slot(slot, *this);
  }

  void annotate(SqlLiteral& lit, uint32_t pos) const {
    if (auto it = uses->find(pos); it != uses->end()) {
      lit.table = it->second->table;
      lit.column = it->second->column;
      lit.op = it->second->op;
    }
  }
};

struct Replacer {
  const std::map<const sql::Expr*, sql::Literal*>* replacements;
  template <typename T>
  void operator()(T*& slot) {
    if constexpr (std::is_same_v<T, sql::Expr>) {
      if (auto it = replacements->find(slot); it != replacements->end()) {
        slot = it->second;
        return;
      }
    }
    sql::for_each_slot(slot, *this);
  }
};

// Whether `pattern` is `needle` wrapped in LIKE wildcards only; sets prefix/suffix.
bool like_wraps(std::string_view pattern, std::string_view needle, std::string* prefix, std::string* suffix) {
  if (needle.empty()) return false;
  std::string lp = text::to_lower(pattern), ln = text::to_lower(needle);
  size_t at = lp.find(ln);
  if (at == std::string::npos) return false;
  std::string_view pre = pattern.substr(0, at), post = pattern.substr(at + needle.size());
  auto wild = [](std::string_view s) { return std::all_of(s.begin(), s.end(), [](char c) { return c == '%'; }); };
  if (!wild(pre) || !wild(post) || (pre.empty() && post.empty())) return false;
  *prefix = std::string(pre);
  *suffix = std::string(post);
  return true;
}

std::string quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

struct Attempt {
  OfflineMatch match;
  std::string canonical;
  std::string reason;  // empty: success
};

}  // namespace

// ------------------------------------------------------------------ OfflineMatch / OfflineAnswer

std::string OfflineMatch::explanation() const {
  std::string s = "answered offline from the stored example \"" + example.question + "\" (score " +
                  std::to_string(score).substr(0, 4) + ")";
  if (substitutions.empty()) {
    s += ", its SQL unchanged";
  } else {
    s += ", with ";
    for (size_t i = 0; i < substitutions.size(); ++i) {
      const OfflineSubstitution& sub = substitutions[i];
      if (i > 0) s += ", ";
      s += sub.to + " for " + sub.from;
      if (!sub.column.empty()) s += " (" + sub.table + "." + sub.column + ")";
    }
  }
  return s;
}

std::string OfflineAnswer::message() const {
  if (match) return match->explanation();
  return "no LLM endpoint is configured, and no stored example of this database matches the question closely "
         "enough to answer it offline (" +
         reason +
         "). Configure an LLM endpoint (see configs/llm_example.yaml; --config) to answer any question, or add "
         "question/SQL examples of this shape to the example store (askguru index --examples).";
}

// ------------------------------------------------------------------ OfflineAnswerer

struct OfflineAnswerer::Impl {
  const index::ExampleStore* store = nullptr;
  const catalog::Catalog* catalog = nullptr;
  const index::ValueIndex* values = nullptr;
  OfflineOptions options;
  std::vector<size_t> ids;                       // this database's examples
  std::vector<Masked> masked;                    // their questions, masked with this database's values
  std::unordered_set<std::string> schema_words;  // stems of the words of table and column names

  // Whether a question word may name a table or column ("heights" -> mountain.Height).
  bool schema_word(const std::string& w) const {
    const std::string st = stem(w);
    if (schema_words.count(st)) return true;
    if (st.size() < 4) return false;
    for (const std::string& s : schema_words) {
      if (s.size() >= 4 && (s.starts_with(st) || st.starts_with(s))) return true;
    }
    return false;
  }

  bool stored_in(const std::string& value, const std::string& table, const std::string& column,
                 std::string* spelling) const {
    if (values == nullptr) return false;
    std::vector<index::ValueHit> hits = values->exact(value);
    const index::ValueHit* best = nullptr;
    for (const index::ValueHit& h : hits) {
      if (!text::iequals(h.table, table) || !text::iequals(h.column, column)) continue;
      if (best == nullptr || (h.value == value && best->value != value)) best = &h;
    }
    if (best == nullptr) return false;
    *spelling = best->value;
    return true;
  }

  bool stored_within(const std::string& value, const std::string& table, const std::string& column) const {
    if (values == nullptr) return false;
    index::ValueQueryOptions q;
    q.top_k = 50;
    std::string lower = text::to_lower(value);
    for (const index::ValueHit& h : values->search(value, q)) {
      if (text::iequals(h.table, table) && text::iequals(h.column, column) &&
          text::to_lower(h.value).find(lower) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  // Steps (b)-(d) for one example whose masked question passed (a).
  Attempt attempt(size_t k, const Masked& q, const EditCost& cost, double score, db::Connection* connection,
                  Dialect target, const guard::Policy* policy) const {
    Attempt a;
    const index::StoredExample& ex = store->at(ids[k]);
    const Masked& e = masked[k];
    a.match.example_id = ids[k];
    a.match.example = ex;
    a.match.score = score;
    a.match.edit_cost = cost.total;
    a.match.masked_question = q.masked;

    auto parsed = sql::parse(ex.sql, options.example_dialect);
    if (!parsed.ok()) {
      a.reason = "its SQL does not parse: " + parsed.status().message();
      return a;
    }
    sql::Ast ast = std::move(parsed).value();
    if (ast.size() != 1 || ast.query() == nullptr) {
      a.reason = "its SQL is not one query";
      return a;
    }
    auto analysis = sql::analyze(ast, *catalog);
    if (!analysis.ok() || analysis->has_errors()) {
      a.reason = "its SQL does not resolve against this database" +
                 (analysis.ok() ? ": " + analysis->diagnostics_text() : std::string());
      return a;
    }
    std::map<uint32_t, const sql::LiteralUse*> uses;
    for (const sql::LiteralUse& u : analysis->literals) uses.emplace(u.pos, &u);
    std::unordered_set<uint32_t> string_refs;
    for (const sql::Diagnostic& d : analysis->diagnostics) {
      if (d.kind == "double-quoted string") string_refs.insert(d.pos);
    }
    std::vector<SqlLiteral> literals;
    LiteralCollector collector{&literals, &uses, &string_refs};
    sql::Query* top = ast.query();
    sql::for_each_slot(top, collector);

    // (b) slots to literals.
    std::map<const sql::Expr*, sql::Literal*> replacements;
    std::vector<int> claimed_by(literals.size(), -1);
    auto make_literal = [&](sql::LiteralKind kind, std::string_view value, uint32_t pos) {
      auto* l = ast.arena().make<sql::Literal>();
      l->literal_kind = kind;
      l->text = ast.arena().copy(value);
      l->pos = pos;
      return l;
    };
    for (size_t s = 0; s < e.slots.size(); ++s) {
      const Slot& es = e.slots[s];
      const Slot& ns = q.slots[s];
      const bool identical = text::iequals(es.text, ns.text);
      std::optional<std::string> en = es.number() ? plain_number(es.text) : std::nullopt;
      std::optional<std::string> nn = ns.number() ? plain_number(ns.text) : std::nullopt;
      OfflineSubstitution sub;
      sub.slot = ns.mask;
      sub.from = es.text;
      sub.to = ns.text;
      if (en && nn) {
        double ev = *number_value(*en);
        const SqlLiteral* first_use = nullptr;
        for (size_t i = 0; i < literals.size(); ++i) {
          SqlLiteral& lit = literals[i];
          if (lit.node == nullptr || claimed_by[i] >= 0) continue;
          bool hit = false;
          if (lit.number) {
            auto lv = number_value(lit.value);
            hit = lv && same_number(*lv, ev);
          } else if (lit.string) {
            hit = lit.value == *en || lit.value == es.text;
          }
          if (!hit) continue;
          if (!identical && first_use != nullptr &&
              (first_use->table != lit.table || first_use->column != lit.column || first_use->op != lit.op)) {
            // 1 in "more than 1" and in "LIMIT 1": which of them the question's number is, is unknown.
            a.reason = "the example's number " + *en + " stands in its SQL in two roles";
            return a;
          }
          if (first_use == nullptr) first_use = &lit;
          claimed_by[i] = static_cast<int>(s);
          ++sub.occurrences;
          if (!identical) {
            if (lit.number) {
              replacements[lit.node] = make_literal(
                  nn->find('.') == std::string::npos ? sql::LiteralKind::kInteger : sql::LiteralKind::kFloat, *nn,
                  lit.node->pos);
            } else {
              replacements[lit.node] = make_literal(sql::LiteralKind::kString, *nn, lit.node->pos);
            }
          }
        }
        sub.from = *en;
        sub.to = *nn;
      } else if (en || nn || es.number() != ns.number()) {
        // A number against a text, or a number-like word ("1990s", "2nd"): only as it is.
        if (!identical) {
          a.reason = "\"" + es.text + "\" and \"" + ns.text + "\" are not plain numbers of one kind";
          return a;
        }
        for (size_t i = 0; i < literals.size(); ++i) {
          if (literals[i].node != nullptr && claimed_by[i] < 0 && text::iequals(literals[i].value, es.text)) {
            claimed_by[i] = static_cast<int>(s);
          }
        }
        continue;
      } else {
        // Text slots.
        for (size_t i = 0; i < literals.size(); ++i) {
          SqlLiteral& lit = literals[i];
          if (lit.node == nullptr || claimed_by[i] >= 0 || !lit.string) continue;
          std::string prefix, suffix;
          const bool equal = text::iequals(lit.value, es.text);
          const bool like = !equal && like_wraps(lit.value, es.text, &prefix, &suffix);
          if (!equal && !like) continue;
          claimed_by[i] = static_cast<int>(s);
          ++sub.occurrences;
          if (identical) continue;
          if (lit.column.empty()) {
            a.reason = "the example's value " + quote(lit.value) + " is compared to no column, so " + quote(ns.text) +
                       " cannot be checked";
            return a;
          }
          std::string spelling;
          if (equal) {
            if (!stored_in(ns.text, lit.table, lit.column, &spelling)) {
              a.reason = "value " + quote(ns.text) + " is not stored in " + lit.table + "." + lit.column;
              return a;
            }
          } else {
            if (!stored_in(ns.text, lit.table, lit.column, &spelling) &&
                !stored_within(ns.text, lit.table, lit.column)) {
              a.reason = "value " + quote(ns.text) + " is not part of any value of " + lit.table + "." + lit.column;
              return a;
            }
            spelling = prefix + ns.text + suffix;
          }
          if (!sub.table.empty() && (!text::iequals(sub.table, lit.table) || !text::iequals(sub.column, lit.column))) {
            // The same value compared to two columns: fine when stored in both (checked).
          }
          sub.table = lit.table;
          sub.column = lit.column;
          sub.to = spelling;
          sub.from = lit.value;
          replacements[lit.node] = make_literal(sql::LiteralKind::kString, spelling, lit.node->pos);
        }
      }
      if (sub.occurrences == 0) {
        // The same example value named twice: an earlier slot already claimed its literals.
        bool earlier = false;
        for (size_t p = 0; p < s; ++p) {
          if (text::iequals(e.slots[p].text, es.text)) {
            earlier = true;
            if (!text::iequals(q.slots[p].text, ns.text)) {
              a.reason = "\"" + es.text + "\" appears twice in the example but the question gives two values";
              return a;
            }
          }
        }
        if (!earlier && !identical) {
          a.reason = "the example's " + es.mask + " \"" + es.text +
                     "\" is not a literal of its SQL, and the question's \"" + ns.text + "\" differs";
          return a;
        }
        continue;
      }
      if (!identical) a.match.substitutions.push_back(std::move(sub));
    }

    // (c) literals no slot accounts for.
    for (size_t i = 0; i < literals.size(); ++i) {
      if (claimed_by[i] < 0) a.match.kept_literals.push_back(literals[i].display);
    }
    if (!a.match.kept_literals.empty() && cost.content && !options.keep_literals_despite_content_edits) {
      a.reason = "its SQL's literal " + a.match.kept_literals.front() +
                 " is implied by words, and the questions differ in content words";
      return a;
    }

    // (d) substitute, print, re-check. SQLite's "double-quoted strings" become string
    // literals (an identifier in every other dialect).
    for (const SqlLiteral& lit : literals) {
      if (lit.quoted_ref && replacements.count(lit.node) == 0) {
        replacements[lit.node] = make_literal(sql::LiteralKind::kString, lit.value, lit.node->pos);
      }
    }
    Replacer replacer{&replacements};
    if (!replacements.empty()) sql::for_each_slot(top, replacer);
    sql::PrintOptions print;
    print.dialect = target;
    a.match.sql = sql::print(ast, print);
    auto reparsed = sql::parse(a.match.sql, target);
    if (!reparsed.ok()) {
      a.reason = "the substituted SQL does not parse: " + reparsed.status().message();
      return a;
    }
    a.canonical = sql::canonical(*reparsed);
    if (policy != nullptr) {
      guard::GuardOptions guard_options;
      guard_options.dialect = target;
      guard_options.interactive = false;
      guard::GuardResult verdict = guard::Guardrail(*policy, catalog).check(a.match.sql, guard_options);
      if (!verdict.allowed()) {
        a.reason = "the policy refuses its SQL: " + verdict.feedback();
        return a;
      }
      a.match.sql = verdict.sql;
    }
    if (connection != nullptr) {
      db::QueryOptions qo;
      qo.timeout = options.timeout;
      qo.max_rows = options.max_rows;
      auto t0 = std::chrono::steady_clock::now();
      auto rs = connection->execute(a.match.sql, qo);
      a.match.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!rs.ok()) {
        a.reason = "the substituted SQL fails: " + rs.status().message();
        return a;
      }
      a.match.executed = true;
      a.match.result = std::move(rs).value();
      if (options.reject_empty_result && a.match.result.rows.empty()) {
        a.reason = "the substituted SQL returns no rows";
        return a;
      }
    }
    return a;
  }
};

OfflineAnswerer::OfflineAnswerer(const index::ExampleStore& store, const catalog::Catalog& catalog,
                                 const index::ValueIndex* values, std::string db_id, OfflineOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->store = &store;
  impl_->catalog = &catalog;
  impl_->values = values;
  impl_->options = options;
  if (db_id.empty()) db_id = catalog.db_id;
  auto add_words = [&](std::string_view name) {
    std::string word;
    auto flush = [&]() {
      if (!word.empty()) impl_->schema_words.insert(stem(text::to_lower(word)));
      word.clear();
    };
    for (size_t i = 0; i < name.size(); ++i) {
      const char c = name[i];
      if (!std::isalnum(static_cast<unsigned char>(c))) {
        flush();
        continue;
      }
      // camelCase boundary: "AllergyType" -> allergy, type.
      if (std::isupper(static_cast<unsigned char>(c)) && i > 0 &&
          std::islower(static_cast<unsigned char>(name[i - 1]))) {
        flush();
      }
      word += c;
    }
    flush();
  };
  for (const catalog::Table& t : catalog.tables) {
    add_words(t.name);
    for (const catalog::Column& c : t.columns) {
      add_words(c.name);
      add_words(c.natural_name);
    }
  }
  const bool any = db_id == "*";
  for (size_t i = 0; i < store.size(); ++i) {
    const index::StoredExample& ex = store.at(i);
    if (any) {
      auto ast = sql::parse(ex.sql, options.example_dialect);
      if (!ast.ok()) continue;
      auto analysis = sql::analyze(*ast, catalog);
      if (!analysis.ok() || analysis->has_errors()) continue;
    } else if (!text::iequals(ex.db_id, db_id)) {
      continue;
    }
    impl_->ids.push_back(i);
    impl_->masked.push_back(mask(ex.question, values));
  }
}

OfflineAnswerer::~OfflineAnswerer() = default;
OfflineAnswerer::OfflineAnswerer(OfflineAnswerer&&) noexcept = default;
OfflineAnswerer& OfflineAnswerer::operator=(OfflineAnswerer&&) noexcept = default;

size_t OfflineAnswerer::example_count() const {
  return impl_->ids.size();
}
const OfflineOptions& OfflineAnswerer::options() const {
  return impl_->options;
}

OfflineAnswer OfflineAnswerer::answer(std::string_view question, db::Connection* connection,
                                      const guard::Policy* policy) const {
  const Impl& im = *impl_;
  OfflineAnswer out;
  Masked q = mask(question, im.values);
  out.masked_question = q.masked;
  out.examples_considered = im.ids.size();
  if (im.ids.empty()) {
    out.reason = "the example store holds no example of this database";
    return out;
  }
  if (!q.ok) {
    out.reason = "the question's masked values could not be read back";
    return out;
  }
  const std::string question_key = text::to_lower(text::trim(question));

  // (a) masked-question similarity, for every example with the same slots.
  struct Scored {
    size_t k;
    EditCost cost;
    double score;
  };
  std::vector<Scored> scored;
  std::string nearest_reason;
  double nearest = -1.0;
  for (size_t k = 0; k < im.ids.size(); ++k) {
    const Masked& e = im.masked[k];
    if (!e.ok) continue;
    if (im.options.exclude_identical_question &&
        text::to_lower(text::trim(im.store->at(im.ids[k]).question)) == question_key) {
      continue;
    }
    if (e.slots.size() != q.slots.size()) continue;
    bool kinds = true;
    for (size_t s = 0; s < e.slots.size() && kinds; ++s) kinds = e.slots[s].number() == q.slots[s].number();
    if (!kinds) continue;
    EditCost cost;
    for (size_t g = 0; g < e.segments.size(); ++g) {
      EditCost c = segment_cost(e.segments[g], q.segments[g]);
      cost.total += c.total;
      cost.content = cost.content || c.content;
      cost.content_edits += c.content_edits;
      cost.content_indels += c.content_indels;
      cost.content_words.insert(cost.content_words.end(), c.content_words.begin(), c.content_words.end());
    }
    if (!std::isfinite(cost.total)) continue;
    double score = 1.0 - cost.total / static_cast<double>(std::max<size_t>({e.tokens, q.tokens, 1}));
    bool names_schema = false;
    for (const std::string& w : cost.content_words) names_schema = names_schema || im.schema_word(w);
    if (score < im.options.min_score || cost.total > im.options.max_edit_cost ||
        cost.content_edits > im.options.max_content_edits || (names_schema && im.options.refuse_schema_word_edits) ||
        (cost.content_indels > 0 && !im.options.allow_content_insertions)) {
      if (score > nearest) {
        nearest = score;
        std::string r = "the nearest example, \"";
        r += im.store->at(im.ids[k]).question;
        r += "\", ";
        if (cost.content_indels > 0 && !im.options.allow_content_insertions) {
          r += "has a content word more or less (a condition or column more or less)";
        } else if (names_schema && im.options.refuse_schema_word_edits) {
          r += "differs in a word that names a table or column";
        } else if (cost.content_edits > im.options.max_content_edits) {
          r += "differs in ";
          r += std::to_string(cost.content_edits);
          r += " content word(s) (at most ";
          r += std::to_string(im.options.max_content_edits);
          r += ")";
        } else if (cost.total > im.options.max_edit_cost) {
          r += "differs by word edits costing ";
          r += std::to_string(cost.total).substr(0, 4);
          r += " (at most ";
          r += std::to_string(im.options.max_edit_cost).substr(0, 4);
          r += ")";
        } else {
          r += "scores ";
          r += std::to_string(score).substr(0, 4);
          r += " (needs ";
          r += std::to_string(im.options.min_score).substr(0, 4);
          r += ")";
        }
        nearest_reason = std::move(r);
      }
      continue;
    }
    scored.push_back({k, cost, score});
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  if (scored.empty()) {
    out.reason = nearest_reason.empty() ? "no example of this database has the question's shape (" + q.masked + ")"
                                        : nearest_reason;
    return out;
  }

  const Dialect target = connection != nullptr ? connection->dialect() : im.catalog->dialect;
  std::vector<Attempt> matched;
  double best = -1.0;
  for (const Scored& s : scored) {
    if (!matched.empty() && s.score < best - 1e-12) break;
    Attempt a = im.attempt(s.k, q, s.cost, s.score, connection, target, policy);
    if (!a.reason.empty()) {
      if (out.rejected.size() < kMaxRejected) {
        out.rejected.push_back("#" + std::to_string(im.ids[s.k]) + " \"" + im.store->at(im.ids[s.k]).question +
                               "\" (score " + std::to_string(s.score).substr(0, 4) + "): " + a.reason);
      }
      continue;
    }
    if (matched.empty()) best = s.score;
    matched.push_back(std::move(a));
  }
  if (matched.empty()) {
    out.reason = "no example of the question's shape fits: " + (out.rejected.empty() ? "" : out.rejected.front());
    return out;
  }
  // Equally close examples must agree.
  const Attempt& first = matched.front();
  for (size_t i = 1; i < matched.size(); ++i) {
    const Attempt& other = matched[i];
    if (other.canonical == first.canonical) continue;
    bool same = false;
    if (first.match.executed && other.match.executed && !first.match.result.truncated &&
        !other.match.result.truncated) {
      bool order = eval::spider_order_matters(first.match.sql) || eval::spider_order_matters(other.match.sql);
      same = eval::spider_result_eq(first.match.result.rows, other.match.result.rows, order);
    }
    if (!same) {
      out.reason = "equally close examples disagree: \"" + first.match.example.question + "\" and \"" +
                   other.match.example.question + "\"";
      return out;
    }
  }
  out.match = std::move(matched.front().match);
  return out;
}

Candidate offline_candidate(const OfflineMatch& match, size_t id) {
  Candidate c;
  c.id = id;
  c.sql = match.sql;
  c.origin.generator = "offline";
  c.origin.style = "offline";
  c.origin.schema = "full";
  if (match.executed) {
    c.execution.ran = true;
    c.execution.status = Status::ok_status();
    c.execution.result = match.result;
    c.execution.elapsed_ms = match.elapsed_ms;
  }
  return c;
}

}  // namespace askguru::pipeline
