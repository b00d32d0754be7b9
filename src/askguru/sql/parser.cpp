#include "askguru/sql/parser.h"

#include <algorithm>
#include <vector>

#include "askguru/sql/lexer.h"
#include "askguru/sql/precedence.h"

namespace askguru::sql {
namespace {

// Thrown inside the parser only; parse() turns it into a Status.
struct ParseFailure {
  uint32_t offset;
  std::string message;
};

bool is_reserved(Kw kw) { return is_reserved_keyword(kw); }

// Words that may name a column but are never taken as an implicit alias (no AS).
bool blocks_implicit_alias(Kw kw) {
  if (is_reserved(kw)) return true;
  switch (kw) {
    case Kw::k_CONNECT:
    case Kw::k_ESCAPE:
    case Kw::k_FETCH:
    case Kw::k_FILTER:
    case Kw::k_FOR:
    case Kw::k_MATCH:
    case Kw::k_MINUS:
    case Kw::k_OFFSET:
    case Kw::k_OVER:
    case Kw::k_RETURNING:
    case Kw::k_START:
    case Kw::k_WINDOW:
    case Kw::k_WITHIN: return true;
    default: return false;
  }
}

// Reserved words that are also function names: LEFT(s, 3), REPLACE(...), GLOB(...).
bool reserved_function_name(Kw kw) {
  switch (kw) {
    case Kw::k_LEFT:
    case Kw::k_RIGHT:
    case Kw::k_GLOB:
    case Kw::k_LIKE:
    case Kw::k_ILIKE:
    case Kw::k_REGEXP:
    case Kw::k_ISNULL:
    case Kw::k_NOTNULL: return true;
    default: return false;
  }
}

// Whether `w` is one edit (a letter changed, added or dropped, or two adjacent letters
// swapped) away from a clause keyword, ignoring case: FORM, WHER, GROPU ...
bool looks_like_clause_keyword(std::string_view w) {
  static constexpr std::string_view kWords[] = {"FROM", "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "UNION", "JOIN"};
  auto up = [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; };
  for (std::string_view k : kWords) {
    size_t n = w.size(), m = k.size();
    if (n + 1 < m || m + 1 < n) continue;
    size_t i = 0;
    while (i < n && i < m && up(w[i]) == k[i]) ++i;  // common prefix
    size_t j = 0;
    while (j < n - i && j < m - i && up(w[n - 1 - j]) == k[m - 1 - j]) ++j;  // common suffix
    size_t rest_w = n - i - j, rest_k = m - i - j;
    if (rest_w <= 1 && rest_k <= 1) return true;  // equal, or one change / insertion / deletion
    if (rest_w == 2 && rest_k == 2 && up(w[i]) == k[i + 1] && up(w[i + 1]) == k[i]) return true;  // swap
  }
  return false;
}

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

// A small-buffer list under construction; finish() copies it into the arena.
template <typename T, size_t N = 8>
class ListBuilder {
 public:
  void push(const T& v) {
    if (n_ < N) {
      inline_[n_++] = v;
    } else {
      if (heap_.empty()) heap_.assign(inline_, inline_ + N);
      heap_.push_back(v);
      ++n_;
    }
  }
  size_t size() const { return n_; }
  List<T> finish(Arena& arena) const {
    List<T> out;
    out.count = static_cast<uint32_t>(n_);
    if (n_ == 0) return out;
    out.items = arena.make_array<T>(n_);
    const T* src = n_ <= N ? inline_ : heap_.data();
    for (size_t i = 0; i < n_; ++i) out.items[i] = src[i];
    return out;
  }

 private:
  T inline_[N];
  std::vector<T> heap_;
  size_t n_ = 0;
};

std::string_view kw_upper(Kw kw) { return keyword_text(kw); }

class Parser {
 public:
  Parser(Ast& ast, const std::vector<Token>& toks, const ParseOptions& options)
      : ast_(ast), arena_(ast.arena()), src_(ast.source()), dialect_(ast.dialect()), toks_(toks),
        options_(options) {}

  void parse_all() {
    while (true) {
      while (cur().type == Tok::kSemicolon) ++pos_;
      if (cur().type == Tok::kEof) break;
      if (!ast_.statements().empty() && !options_.allow_multiple) {
        fail_at(cur(), "only one statement is allowed, found a second statement starting with " + describe(cur()));
      }
      Statement st = parse_statement();
      ast_.statements().push_back(st);
      if (cur().type != Tok::kSemicolon && cur().type != Tok::kEof) fail_end_of_statement(st);
    }
    if (ast_.statements().empty()) fail_at(cur(), "empty query: expected a statement such as SELECT");
  }

 private:
  // ------------------------------------------------------------ token helpers
  const Token& cur() const { return toks_[pos_]; }
  const Token& peek(size_t k = 1) const {
    size_t i = pos_ + k;
    return i < toks_.size() ? toks_[i] : toks_.back();
  }
  bool at(Tok t) const { return cur().type == t; }
  bool at_kw(Kw kw) const { return cur().type == Tok::kWord && cur().kw == kw; }
  bool peek_kw(size_t k, Kw kw) const { return peek(k).type == Tok::kWord && peek(k).kw == kw; }
  void advance() {
    if (cur().type != Tok::kEof) ++pos_;
  }
  bool accept(Tok t) {
    if (!at(t)) return false;
    ++pos_;
    return true;
  }
  bool accept_kw(Kw kw) {
    if (!at_kw(kw)) return false;
    ++pos_;
    return true;
  }
  void expect(Tok t, std::string_view what) {
    if (!accept(t)) fail_expected(what);
  }
  void expect_kw(Kw kw) {
    if (!accept_kw(kw)) fail_expected(kw_upper(kw));
  }
  std::string_view text(const Token& t) const { return t.text(src_); }

  std::string describe(const Token& t) const {
    if (t.type == Tok::kEof) return "end of query";
    std::string_view s = text(t);
    std::string out = "'";
    if (s.size() > 40) {
      out.append(s.substr(0, 37));
      out += "...";
    } else {
      out.append(s);
    }
    out += "'";
    return out;
  }

  [[noreturn]] void fail_at(const Token& t, std::string message) { throw ParseFailure{t.begin, std::move(message)}; }
  [[noreturn]] void fail_expected(std::string_view what) {
    std::string m = "expected ";
    m.append(what);
    m += ", found ";
    m += describe(cur());
    fail_at(cur(), std::move(m));
  }

  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) {
      if (++p.depth_ > p.options_.max_depth) {
        p.fail_at(p.cur(), "query nested too deeply (more than " + std::to_string(p.options_.max_depth) + " levels)");
      }
    }
    ~DepthGuard() { --p.depth_; }
  };

  template <typename T>
  T* make(const Token& at_tok) {
    T* n = arena_.make<T>();
    n->pos = at_tok.begin;
    return n;
  }

  // ------------------------------------------------------------ identifiers
  bool is_identifier_token(const Token& t) const {
    if (t.type == Tok::kQuotedIdent) return true;
    return t.type == Tok::kWord && !is_reserved(t.kw);
  }

  Identifier make_identifier(const Token& t) {
    Identifier id;
    if (t.type == Tok::kQuotedIdent) {
      std::string_view v = quoted_ident_value(text(t), scratch_);
      if (!v.empty() && v.data() == scratch_.data()) v = arena_.copy(v);
      id.name = v;
      id.quoted = true;
    } else if (t.type == Tok::kString) {
      std::string_view v = string_token_value(text(t), scratch_);
      if (!v.empty() && v.data() == scratch_.data()) v = arena_.copy(v);
      id.name = v;
      id.quoted = true;
    } else {
      id.name = text(t);
    }
    return id;
  }

  Identifier parse_identifier(std::string_view what) {
    if (!is_identifier_token(cur())) fail_expected(what);
    Identifier id = make_identifier(cur());
    advance();
    return id;
  }

  // An alias after AS: any identifier, a quoted name or (SQLite, Oracle) a string.
  Identifier parse_alias_after_as() {
    const Token& t = cur();
    if (is_identifier_token(t) || t.type == Tok::kString) {
      Identifier id = make_identifier(t);
      advance();
      return id;
    }
    fail_expected("an alias name");
  }

  // An implicit alias (no AS) if the current token can be one.
  bool at_implicit_alias() const {
    const Token& t = cur();
    if (t.type == Tok::kQuotedIdent) return true;
    if (t.type == Tok::kString) return dialect_ == Dialect::kSqlite;
    return t.type == Tok::kWord && !blocks_implicit_alias(t.kw);
  }

  List<Identifier> parse_identifier_list_in_parens(std::string_view what) {
    expect(Tok::kLParen, "'('");
    ListBuilder<Identifier> ids;
    do {
      ids.push(parse_identifier(what));
    } while (accept(Tok::kComma));
    expect(Tok::kRParen, "',' or ')'");
    return ids.finish(arena_);
  }

  // ------------------------------------------------------------ statements
  Statement parse_statement() {
    const Token& first = cur();
    Statement st;
    st.begin = first.begin;
    if (first.type == Tok::kLParen || at_kw(Kw::k_SELECT) || at_kw(Kw::k_VALUES)) {
      st.query = parse_query(nullptr);
      st.kind = StatementKind::kSelect;
      classify_query(st);
    } else if (at_kw(Kw::k_WITH)) {
      With* with = parse_with();
      if (at(Tok::kLParen) || at_kw(Kw::k_SELECT) || at_kw(Kw::k_VALUES)) {
        st.query = parse_query(with);
        st.kind = StatementKind::kSelect;
        classify_query(st);
      } else {
        StatementKind k = write_kind(cur());
        if (k == StatementKind::kOther) fail_expected("SELECT, INSERT, UPDATE or DELETE after the WITH clause");
        st.kind = k;
        skip_statement_rest(false);
      }
    } else if (first.type == Tok::kWord) {
      classify_other(st);
    } else {
      fail_expected("a statement such as SELECT");
    }
    st.end = end_of_previous();
    st.text = src_.substr(st.begin, st.end - st.begin);
    return st;
  }

  uint32_t end_of_previous() const { return pos_ == 0 ? 0 : toks_[pos_ - 1].end; }

  // A data-modifying CTE anywhere in the WITH clauses of the top query makes the statement that write.
  void classify_query(Statement& st) {
    if (st.query->with != nullptr) {
      for (const Cte& c : st.query->with->ctes) {
        if (c.modifying_kind != 0) {
          st.kind = static_cast<StatementKind>(c.modifying_kind);
          return;
        }
      }
    }
    if (has_into_) st.kind = StatementKind::kSelectInto;
  }

  StatementKind write_kind(const Token& t) const {
    if (t.type != Tok::kWord) return StatementKind::kOther;
    switch (t.kw) {
      case Kw::k_INSERT:
      case Kw::k_UPSERT: return StatementKind::kInsert;
      case Kw::k_UPDATE: return StatementKind::kUpdate;
      case Kw::k_DELETE: return StatementKind::kDelete;
      case Kw::k_REPLACE: return StatementKind::kReplace;
      case Kw::k_MERGE: return StatementKind::kMerge;
      default: return StatementKind::kOther;
    }
  }

  // Skips to the ';' that ends the statement (outside parentheses and BEGIN...END blocks).
  void skip_statement_rest(bool track_blocks) {
    int depth = 0;
    int blocks = 0;
    while (!at(Tok::kEof)) {
      const Token& t = cur();
      if (t.type == Tok::kLParen) ++depth;
      if (t.type == Tok::kRParen && depth > 0) --depth;
      if (track_blocks && t.type == Tok::kWord) {
        if (t.kw == Kw::k_BEGIN || t.kw == Kw::k_CASE) ++blocks;
        if (t.kw == Kw::k_END && blocks > 0) --blocks;
      }
      if (t.type == Tok::kSemicolon && depth == 0 && blocks == 0) return;
      ++pos_;
    }
  }

  void skip_to_eof() {
    while (!at(Tok::kEof)) ++pos_;
  }

  void classify_other(Statement& st) {
    const Token& first = cur();
    StatementKind k = write_kind(first);
    if (k != StatementKind::kOther) {
      st.kind = k;
      skip_statement_rest(false);
      return;
    }
    switch (first.kw) {
      case Kw::k_CREATE:
      case Kw::k_DROP:
      case Kw::k_ALTER: {
        st.kind = first.kw == Kw::k_CREATE ? StatementKind::kCreate
                  : first.kw == Kw::k_DROP ? StatementKind::kDrop
                                           : StatementKind::kAlter;
        advance();
        // Skip modifiers to find the object type: CREATE OR REPLACE TEMP VIEW, CREATE UNIQUE INDEX...
        for (int i = 0; i < 6 && at(Tok::kWord); ++i) {
          std::string_view w = text(cur());
          if (iequal(w, "OR") || iequal(w, "REPLACE") || iequal(w, "TEMP") || iequal(w, "TEMPORARY") ||
              iequal(w, "UNIQUE") || iequal(w, "VIRTUAL") || iequal(w, "GLOBAL") || iequal(w, "LOCAL") ||
              iequal(w, "UNLOGGED") || iequal(w, "MATERIALIZED") || iequal(w, "FORCE") || iequal(w, "NOFORCE") ||
              iequal(w, "EDITIONABLE") || iequal(w, "NONEDITIONABLE") || iequal(w, "PUBLIC") ||
              iequal(w, "BITMAP") || iequal(w, "RECURSIVE")) {
            advance();
            continue;
          }
          break;
        }
        if (at(Tok::kWord)) {
          std::string_view w = text(cur());
          std::string up(w);
          for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          st.object_type = arena_.copy(up);
          bool procedural = iequal(w, "PROCEDURE") || iequal(w, "FUNCTION") || iequal(w, "PACKAGE") ||
                            iequal(w, "TYPE") || iequal(w, "TRIGGER");
          if (procedural && dialect_ == Dialect::kOracle && first.kw == Kw::k_CREATE) {
            skip_to_eof();
            return;
          }
          skip_statement_rest(first.kw == Kw::k_CREATE && iequal(w, "TRIGGER"));
          return;
        }
        skip_statement_rest(false);
        return;
      }
      case Kw::k_TRUNCATE: st.kind = StatementKind::kTruncate; break;
      case Kw::k_RENAME: st.kind = StatementKind::kRename; break;
      case Kw::k_COMMENT: st.kind = StatementKind::kComment; break;
      case Kw::k_PRAGMA: st.kind = StatementKind::kPragma; break;
      case Kw::k_ATTACH: st.kind = StatementKind::kAttach; break;
      case Kw::k_DETACH: st.kind = StatementKind::kDetach; break;
      case Kw::k_BEGIN:
        if (dialect_ == Dialect::kOracle) {
          st.kind = StatementKind::kBlock;
          skip_to_eof();
          return;
        }
        st.kind = StatementKind::kBegin;
        break;
      case Kw::k_DECLARE:
        st.kind = StatementKind::kBlock;
        skip_to_eof();
        return;
      case Kw::k_START: st.kind = StatementKind::kBegin; break;
      case Kw::k_COMMIT:
      case Kw::k_END: st.kind = StatementKind::kCommit; break;
      case Kw::k_ABORT:
      case Kw::k_ROLLBACK: st.kind = StatementKind::kRollback; break;
      case Kw::k_SAVEPOINT: st.kind = StatementKind::kSavepoint; break;
      case Kw::k_RELEASE: st.kind = StatementKind::kRelease; break;
      case Kw::k_VACUUM: st.kind = StatementKind::kVacuum; break;
      case Kw::k_ANALYZE: st.kind = StatementKind::kAnalyze; break;
      case Kw::k_REINDEX: st.kind = StatementKind::kReindex; break;
      case Kw::k_GRANT: st.kind = StatementKind::kGrant; break;
      case Kw::k_REVOKE: st.kind = StatementKind::kRevoke; break;
      case Kw::k_SET: st.kind = StatementKind::kSet; break;
      case Kw::k_SHOW: st.kind = StatementKind::kShow; break;
      case Kw::k_RESET: st.kind = StatementKind::kReset; break;
      case Kw::k_CALL:
      case Kw::k_EXEC:
      case Kw::k_EXECUTE:
      case Kw::k_DO: st.kind = StatementKind::kCall; break;
      case Kw::k_LOCK: st.kind = StatementKind::kLock; break;
      case Kw::k_COPY: st.kind = StatementKind::kCopy; break;
      case Kw::k_LISTEN:
      case Kw::k_NOTIFY:
      case Kw::k_UNLISTEN:
      case Kw::k_DISCARD:
      case Kw::k_PREPARE:
      case Kw::k_DEALLOCATE:
      case Kw::k_CLUSTER:
      case Kw::k_REFRESH:
      case Kw::k_LOAD:
      case Kw::k_USE: st.kind = StatementKind::kOther; break;
      case Kw::k_EXPLAIN: {
        parse_explain(st);
        return;
      }
      default: fail_expected("a statement such as SELECT");
    }
    skip_statement_rest(false);
  }

  void parse_explain(Statement& st) {
    st.kind = StatementKind::kExplain;
    advance();  // EXPLAIN
    while (true) {
      if (accept_kw(Kw::k_QUERY)) {
        expect_kw(Kw::k_PLAN);
      } else if (accept_kw(Kw::k_ANALYZE)) {
        st.explain_analyze = true;
      } else if (accept_kw(Kw::k_VERBOSE)) {
      } else if (at_kw(Kw::k_PLAN) && dialect_ == Dialect::kOracle) {
        // EXPLAIN PLAN [SET STATEMENT_ID = '..'] [INTO t] FOR stmt
        while (!at(Tok::kEof) && !at_kw(Kw::k_FOR)) advance();
        expect_kw(Kw::k_FOR);
        break;
      } else if (at(Tok::kLParen)) {
        int depth = 0;
        do {
          if (at(Tok::kLParen)) ++depth;
          if (at(Tok::kRParen)) --depth;
          if (at_kw(Kw::k_ANALYZE)) st.explain_analyze = true;
          advance();
        } while (depth > 0 && !at(Tok::kEof));
      } else {
        break;
      }
    }
    DepthGuard guard(*this);
    Statement inner = parse_statement();
    auto* stored = arena_.make<Statement>(inner);
    st.explained = stored;
    st.query = inner.query;
  }

  // ------------------------------------------------------------ queries
  With* parse_with() {
    const Token& w = cur();
    expect_kw(Kw::k_WITH);
    auto* with = arena_.make<With>();
    with->pos = w.begin;
    with->recursive = accept_kw(Kw::k_RECURSIVE);
    ListBuilder<Cte, 4> ctes;
    do {
      Cte c;
      c.pos = cur().begin;
      c.name = parse_identifier("a CTE name");
      if (at(Tok::kLParen)) c.columns = parse_identifier_list_in_parens("a column name");
      expect_kw(Kw::k_AS);
      if (accept_kw(Kw::k_NOT)) {
        expect_kw(Kw::k_MATERIALIZED);
        c.materialized = Cte::Materialized::kNotMaterialized;
      } else if (accept_kw(Kw::k_MATERIALIZED)) {
        c.materialized = Cte::Materialized::kMaterialized;
      }
      const Token& open = cur();
      expect(Tok::kLParen, "'(' and the CTE's query");
      StatementKind wk = write_kind(cur());
      if (wk != StatementKind::kOther) {
        c.modifying_kind = static_cast<uint8_t>(wk);
        uint32_t body_begin = cur().begin;
        int depth = 1;
        while (!at(Tok::kEof)) {
          if (at(Tok::kLParen)) ++depth;
          if (at(Tok::kRParen) && --depth == 0) break;
          advance();
        }
        c.modifying_text = src_.substr(body_begin, cur().begin - body_begin);
        while (!c.modifying_text.empty() && (c.modifying_text.back() == ' ' || c.modifying_text.back() == '\n' ||
                                             c.modifying_text.back() == '\t' || c.modifying_text.back() == '\r'))
          c.modifying_text.remove_suffix(1);
        (void)open;
      } else {
        c.query = parse_query(nullptr);
      }
      expect(Tok::kRParen, "')' after the CTE's query");
      ctes.push(c);
    } while (accept(Tok::kComma));
    with->ctes = ctes.finish(arena_);
    return with;
  }

  bool at_query_start() const {
    return at_kw(Kw::k_SELECT) || at_kw(Kw::k_VALUES) || at_kw(Kw::k_WITH);
  }

  // Looks past opening parentheses: does a query start there?
  bool parens_start_query() const {
    size_t i = pos_;
    while (i < toks_.size() && toks_[i].type == Tok::kLParen) ++i;
    if (i >= toks_.size()) return false;
    const Token& t = toks_[i];
    return t.type == Tok::kWord && (t.kw == Kw::k_SELECT || t.kw == Kw::k_VALUES || t.kw == Kw::k_WITH);
  }

  // [WITH] set-expression [ORDER BY] [LIMIT/OFFSET/FETCH] [FOR UPDATE]
  Query* parse_query(With* with) {
    DepthGuard guard(*this);
    if (with == nullptr && at_kw(Kw::k_WITH)) with = parse_with();
    Query* q = parse_set_expr(0);
    bool has_tail = at_kw(Kw::k_ORDER) || at_kw(Kw::k_LIMIT) || at_kw(Kw::k_OFFSET) || at_kw(Kw::k_FETCH);
    if ((with != nullptr && q->with != nullptr) ||
        (has_tail && (!q->order_by.empty() || q->limit != nullptr))) {
      // (SELECT ... LIMIT 1) ORDER BY x: wrap the parenthesised query as a derived table.
      q = wrap_as_derived(q);
    }
    if (with != nullptr) {
      q->with = with;
      q->pos = with->pos;
    }
    parse_query_tail(q);
    return q;
  }

  Query* wrap_as_derived(Query* inner) {
    auto* sel = arena_.make<SelectQuery>();
    sel->pos = inner->pos;
    auto* star = arena_.make<Star>();
    star->pos = inner->pos;
    SelectItem item;
    item.expr = star;
    sel->items.count = 1;
    sel->items.items = arena_.make_array<SelectItem>(1);
    sel->items.items[0] = item;
    auto* dt = arena_.make<DerivedTable>();
    dt->pos = inner->pos;
    dt->query = inner;
    sel->from = dt;
    return sel;
  }

  void parse_query_tail(Query* q) {
    if (at_kw(Kw::k_ORDER)) {
      advance();
      if (dialect_ == Dialect::kOracle && accept_kw(Kw::k_SIBLINGS)) q->order_siblings = true;
      expect_kw(Kw::k_BY);
      q->order_by = parse_order_list();
    }
    parse_limit(q);
    if (at_kw(Kw::k_FOR) && (peek_kw(1, Kw::k_UPDATE) || peek_kw(1, Kw::k_SHARE) || peek_kw(1, Kw::k_NO) ||
                             iequal(text(peek(1)), "KEY"))) {
      advance();
      q->for_update = true;
      while (at(Tok::kWord) || at(Tok::kComma) || at(Tok::kDot) || at(Tok::kNumber) || at(Tok::kQuotedIdent)) {
        if (at(Tok::kWord) && (cur().kw == Kw::k_UNION || cur().kw == Kw::k_EXCEPT || cur().kw == Kw::k_INTERSECT))
          break;
        advance();
      }
    }
  }

  void parse_limit(Query* q) {
    Limit* lim = nullptr;
    auto get = [&]() {
      if (lim == nullptr) {
        lim = arena_.make<Limit>();
        q->limit = lim;
      }
      return lim;
    };
    while (true) {
      if (at_kw(Kw::k_LIMIT)) {
        if (lim != nullptr && (lim->count != nullptr || lim->limit_all)) fail_expected("end of query");
        advance();
        Limit* l = get();
        if (accept_kw(Kw::k_ALL)) {
          l->limit_all = true;
          continue;
        }
        Expr* e = parse_expr(0);
        if (accept(Tok::kComma)) {
          if (l->offset != nullptr) fail_expected("end of query");
          l->syntax = Limit::Syntax::kLimitComma;
          l->offset = e;
          l->count = parse_expr(0);
        } else {
          l->count = e;
          if (l->syntax != Limit::Syntax::kFetch) l->syntax = Limit::Syntax::kLimitOffset;
        }
        continue;
      }
      if (at_kw(Kw::k_OFFSET)) {
        if (lim != nullptr && lim->offset != nullptr) fail_expected("end of query");
        advance();
        Limit* l = get();
        l->offset = parse_expr(0);
        if (l->count == nullptr && !l->limit_all) l->syntax = Limit::Syntax::kOffsetOnly;
        if (!accept_kw(Kw::k_ROWS)) accept_kw(Kw::k_ROW);
        continue;
      }
      if (at_kw(Kw::k_FETCH)) {
        if (lim != nullptr && lim->count != nullptr) fail_expected("end of query");
        advance();
        if (!accept_kw(Kw::k_FIRST) && !accept_kw(Kw::k_NEXT)) fail_expected("FIRST or NEXT");
        Limit* l = get();
        l->syntax = Limit::Syntax::kFetch;
        if (at_kw(Kw::k_ROW) || at_kw(Kw::k_ROWS)) {
          auto* one = make<Literal>(cur());
          one->literal_kind = LiteralKind::kInteger;
          one->text = "1";
          l->count = one;
        } else {
          l->count = parse_expr(0);
        }
        if (accept_kw(Kw::k_PERCENT)) l->percent = true;
        if (!accept_kw(Kw::k_ROWS) && !accept_kw(Kw::k_ROW)) fail_expected("ROWS");
        if (accept_kw(Kw::k_WITH)) {
          expect_kw(Kw::k_TIES);
          l->with_ties = true;
        } else {
          expect_kw(Kw::k_ONLY);
        }
        continue;
      }
      break;
    }
  }

  int set_op_level(const Token& t) const {
    if (t.type != Tok::kWord) return 0;
    switch (t.kw) {
      case Kw::k_UNION:
      case Kw::k_EXCEPT: return 1;
      case Kw::k_MINUS: return dialect_ == Dialect::kOracle || peek_kw(1, Kw::k_SELECT) ? 1 : 0;
      case Kw::k_INTERSECT: return dialect_ == Dialect::kPostgres ? 2 : 1;
      default: return 0;
    }
  }

  Query* parse_set_expr(int min_level) {
    Query* left = parse_set_term();
    while (true) {
      const Token& t = cur();
      int level = set_op_level(t);
      if (level == 0 || level < min_level) break;
      advance();
      auto* op = make<SetOpQuery>(t);
      op->pos = left->pos;
      switch (t.kw) {
        case Kw::k_UNION: op->op = SetOp::kUnion; break;
        case Kw::k_INTERSECT: op->op = SetOp::kIntersect; break;
        case Kw::k_MINUS:
          op->op = SetOp::kExcept;
          op->minus_keyword = true;
          break;
        default: op->op = SetOp::kExcept; break;
      }
      if (accept_kw(Kw::k_ALL)) {
        op->all = true;
      } else {
        accept_kw(Kw::k_DISTINCT);
      }
      op->left = left;
      op->right = parse_set_expr(level + 1);
      left = op;
    }
    return left;
  }

  Query* parse_set_term() {
    DepthGuard guard(*this);
    if (at(Tok::kLParen)) {
      advance();
      Query* q = parse_query(nullptr);
      expect(Tok::kRParen, "')'");
      return q;
    }
    if (at_kw(Kw::k_VALUES)) return parse_values();
    if (at_kw(Kw::k_SELECT)) return parse_select();
    fail_expected("SELECT");
  }

  Query* parse_values() {
    auto* v = make<ValuesQuery>(cur());
    advance();
    ListBuilder<List<Expr*>, 4> rows;
    do {
      expect(Tok::kLParen, "'(' and a row of values");
      ListBuilder<Expr*> items;
      do {
        items.push(parse_expr(0));
      } while (accept(Tok::kComma));
      expect(Tok::kRParen, "',' or ')'");
      rows.push(items.finish(arena_));
    } while (accept(Tok::kComma));
    v->rows = rows.finish(arena_);
    return v;
  }

  Query* parse_select() {
    auto* s = make<SelectQuery>(cur());
    expect_kw(Kw::k_SELECT);
    if (accept_kw(Kw::k_DISTINCT)) {
      s->distinct = Distinct::kDistinct;
      if (accept_kw(Kw::k_ON)) {
        s->distinct = Distinct::kDistinctOn;
        expect(Tok::kLParen, "'('");
        s->distinct_on = parse_expr_list();
        expect(Tok::kRParen, "',' or ')'");
      }
    } else if (dialect_ == Dialect::kOracle && accept_kw(Kw::k_UNIQUE)) {
      s->distinct = Distinct::kDistinct;
    } else if (accept_kw(Kw::k_ALL)) {
      s->distinct = Distinct::kAll;
    }
    ListBuilder<SelectItem, 16> items;
    do {
      items.push(parse_select_item());
    } while (accept(Tok::kComma));
    s->items = items.finish(arena_);
    if (at_kw(Kw::k_INTO)) {
      advance();
      s->has_into = true;
      has_into_ = true;
      // INTO [TEMP|UNLOGGED] [TABLE] target[, target...] (PostgreSQL table / PL/SQL variables)
      do {
        while (at(Tok::kWord) && (iequal(text(cur()), "TEMP") || iequal(text(cur()), "TEMPORARY") ||
                                  iequal(text(cur()), "UNLOGGED") || cur().kw == Kw::k_TABLE))
          advance();
        if (at(Tok::kParam)) {
          advance();
        } else {
          parse_identifier("a target name after INTO");
          while (accept(Tok::kDot)) parse_identifier("a name");
        }
      } while (accept(Tok::kComma));
    }
    if (accept_kw(Kw::k_FROM)) s->from = parse_from();
    if (accept_kw(Kw::k_WHERE)) s->where = parse_expr(0);
    parse_hierarchical(s);
    if (at_kw(Kw::k_GROUP)) {
      advance();
      expect_kw(Kw::k_BY);
      s->group_by = parse_expr_list();
    }
    if (accept_kw(Kw::k_HAVING)) s->having = parse_expr(0);
    if (at_kw(Kw::k_WINDOW)) {
      advance();
      ListBuilder<NamedWindow, 2> windows;
      do {
        NamedWindow w;
        w.name = parse_identifier("a window name");
        expect_kw(Kw::k_AS);
        expect(Tok::kLParen, "'('");
        w.spec = parse_window_spec();
        windows.push(w);
      } while (accept(Tok::kComma));
      s->windows = windows.finish(arena_);
    }
    return s;
  }

  void parse_hierarchical(SelectQuery* s) {
    for (int i = 0; i < 2; ++i) {
      if (at_kw(Kw::k_START) && peek_kw(1, Kw::k_WITH) && s->start_with == nullptr) {
        advance();
        advance();
        s->start_with = parse_expr(0);
      } else if (at_kw(Kw::k_CONNECT) && peek_kw(1, Kw::k_BY) && s->connect_by == nullptr) {
        advance();
        advance();
        if (accept_kw(Kw::k_NOCYCLE)) s->nocycle = true;
        s->connect_by = parse_expr(0);
      }
    }
  }

  SelectItem parse_select_item() {
    SelectItem item;
    item.expr = parse_expr(0);
    if (accept_kw(Kw::k_AS)) {
      item.as_keyword = true;
      item.alias = parse_alias_after_as();
    } else if (at_implicit_alias()) {
      implicit_alias_tok_ = pos_;
      item.alias = make_identifier(cur());
      advance();
    }
    return item;
  }

  List<Expr*> parse_expr_list() {
    ListBuilder<Expr*> items;
    do {
      items.push(parse_expr(0));
    } while (accept(Tok::kComma));
    return items.finish(arena_);
  }

  List<OrderItem> parse_order_list() {
    ListBuilder<OrderItem> items;
    do {
      OrderItem o;
      o.expr = parse_expr(0);
      if (accept_kw(Kw::k_ASC)) {
        o.direction = OrderItem::Direction::kAsc;
      } else if (accept_kw(Kw::k_DESC)) {
        o.direction = OrderItem::Direction::kDesc;
      }
      if (accept_kw(Kw::k_NULLS)) {
        if (accept_kw(Kw::k_FIRST)) {
          o.nulls = OrderItem::Nulls::kFirst;
        } else if (accept_kw(Kw::k_LAST)) {
          o.nulls = OrderItem::Nulls::kLast;
        } else {
          fail_expected("FIRST or LAST");
        }
      }
      items.push(o);
    } while (accept(Tok::kComma));
    return items.finish(arena_);
  }

  // ------------------------------------------------------------ FROM
  TableRef* parse_from() {
    TableRef* left = parse_table_primary();
    while (true) {
      const Token& t = cur();
      if (accept(Tok::kComma)) {
        auto* j = make<JoinRef>(t);
        j->pos = left->pos;
        j->type = JoinType::kComma;
        j->left = left;
        j->right = parse_table_primary();
        left = j;
        continue;
      }
      if (t.type != Tok::kWord) break;
      bool is_join = true;
      switch (t.kw) {
        case Kw::k_NATURAL:
        case Kw::k_JOIN:
        case Kw::k_INNER:
        case Kw::k_LEFT:
        case Kw::k_RIGHT:
        case Kw::k_FULL:
        case Kw::k_CROSS: break;
        default: is_join = false;
      }
      if (!is_join) break;
      auto* j = make<JoinRef>(t);
      j->pos = left->pos;
      if (accept_kw(Kw::k_NATURAL)) j->natural = true;
      if (accept_kw(Kw::k_INNER)) {
        j->type = JoinType::kInner;
        j->inner_keyword = true;
      } else if (accept_kw(Kw::k_LEFT)) {
        j->type = JoinType::kLeft;
        j->outer_keyword = accept_kw(Kw::k_OUTER);
      } else if (accept_kw(Kw::k_RIGHT)) {
        j->type = JoinType::kRight;
        j->outer_keyword = accept_kw(Kw::k_OUTER);
      } else if (accept_kw(Kw::k_FULL)) {
        j->type = JoinType::kFull;
        j->outer_keyword = accept_kw(Kw::k_OUTER);
      } else if (accept_kw(Kw::k_CROSS)) {
        j->type = JoinType::kCross;
      } else {
        j->type = JoinType::kInner;
      }
      expect_kw(Kw::k_JOIN);
      j->left = left;
      j->right = parse_table_primary();
      if (!j->natural && j->type != JoinType::kCross) {
        if (accept_kw(Kw::k_ON)) {
          j->on = parse_expr(0);
        } else if (at_kw(Kw::k_USING)) {
          advance();
          j->using_columns = parse_identifier_list_in_parens("a column name");
        }
      }
      left = j;
    }
    return left;
  }

  void parse_table_alias(Alias& alias) {
    if (accept_kw(Kw::k_AS)) {
      alias.as_keyword = true;
      alias.name = parse_alias_after_as();
    } else if (at_implicit_alias() && cur().type != Tok::kString &&
               !(dialect_ == Dialect::kSqlite && iequal(text(cur()), "INDEXED") && peek_kw(1, Kw::k_BY))) {
      implicit_alias_tok_ = pos_;
      alias.name = make_identifier(cur());
      advance();
    } else {
      return;
    }
    if (at(Tok::kLParen)) alias.columns = parse_identifier_list_in_parens("a column name");
  }

  TableRef* parse_table_primary() {
    DepthGuard guard(*this);
    const Token& t = cur();
    bool lateral = false;
    if (at_kw(Kw::k_LATERAL)) {
      advance();
      lateral = true;
    }
    if (at(Tok::kLParen)) {
      if (parens_start_query()) {
        auto* d = make<DerivedTable>(t);
        d->lateral = lateral;
        advance();
        d->query = parse_query(nullptr);
        expect(Tok::kRParen, "')' after the subquery");
        parse_table_alias(d->alias);
        return d;
      }
      advance();
      TableRef* inner = parse_from();
      expect(Tok::kRParen, "')'");
      if (at_implicit_alias() || at_kw(Kw::k_AS)) {
        // (a JOIN b) AS x is not something we model; treat as an error with a clear message.
        fail_at(cur(), "an alias for a parenthesised join is not supported");
      }
      return inner;
    }
    bool only = false;
    if (at_kw(Kw::k_ONLY) && dialect_ == Dialect::kPostgres && is_identifier_token(peek())) {
      advance();
      only = true;
    }
    const Token& name_tok = cur();
    Identifier first = parse_identifier("a table name");
    Identifier second;
    if (accept(Tok::kDot)) second = parse_identifier("a table name");
    if (at(Tok::kLParen)) {
      auto* tf = make<TableFunction>(t);
      tf->lateral = lateral;
      auto* fn = make<Function>(name_tok);
      if (second.empty()) {
        fn->name = first;
      } else {
        fn->schema = first;
        fn->name = second;
      }
      parse_function_args(fn);
      tf->call = fn;
      parse_table_alias(tf->alias);
      return tf;
    }
    auto* tn = make<TableName>(t);
    tn->only = only;
    if (second.empty()) {
      tn->name = first;
    } else {
      tn->schema = first;
      tn->name = second;
    }
    parse_table_alias(tn->alias);
    // SQLite: INDEXED BY name / NOT INDEXED
    if (dialect_ == Dialect::kSqlite && at(Tok::kWord) && iequal(text(cur()), "INDEXED")) {
      advance();
      expect_kw(Kw::k_BY);
      parse_identifier("an index name");
    } else if (dialect_ == Dialect::kSqlite && at_kw(Kw::k_NOT) && iequal(text(peek()), "INDEXED")) {
      advance();
      advance();
    }
    return tn;
  }

  // ------------------------------------------------------------ expressions
  // Infix precedence of the current token (0 when it does not continue an expression).
  int infix_level() const {
    const Token& t = cur();
    switch (t.type) {
      case Tok::kPlus:
      case Tok::kMinus: return precedence(OpClass::kAdditive, dialect_);
      case Tok::kStar:
      case Tok::kSlash:
      case Tok::kPercent: return precedence(OpClass::kMultiplicative, dialect_);
      case Tok::kConcat: return precedence(OpClass::kConcat, dialect_);
      case Tok::kEq:
      case Tok::kEqEq:
      case Tok::kNe:
      case Tok::kBangEq: return precedence(OpClass::kEquality, dialect_);
      case Tok::kLt:
      case Tok::kLe:
      case Tok::kGt:
      case Tok::kGe: return precedence(OpClass::kRelational, dialect_);
      case Tok::kAmp:
      case Tok::kPipe:
      case Tok::kShl:
      case Tok::kShr: return precedence(OpClass::kBitwise, dialect_);
      case Tok::kCaret: return dialect_ == Dialect::kPostgres ? precedence(OpClass::kPow, dialect_) : 0;
      case Tok::kArrow:
      case Tok::kLongArrow: return precedence(OpClass::kJson, dialect_);
      case Tok::kTilde: return precedence(OpClass::kRegex, dialect_);
      case Tok::kDoubleColon: return precedence(OpClass::kCast, dialect_);
      case Tok::kWord: break;
      default: return 0;
    }
    switch (t.kw) {
      case Kw::k_OR: return precedence(OpClass::kOr, dialect_);
      case Kw::k_AND: return precedence(OpClass::kAnd, dialect_);
      case Kw::k_IS:
      case Kw::k_ISNULL:
      case Kw::k_NOTNULL: return precedence(OpClass::kIs, dialect_);
      case Kw::k_LIKE:
      case Kw::k_ILIKE:
      case Kw::k_GLOB:
      case Kw::k_REGEXP:
      case Kw::k_MATCH:
      case Kw::k_IN:
      case Kw::k_BETWEEN: return precedence(OpClass::kLikeIn, dialect_);
      case Kw::k_SIMILAR: return peek_kw(1, Kw::k_TO) ? precedence(OpClass::kLikeIn, dialect_) : 0;
      case Kw::k_COLLATE: return precedence(OpClass::kCollate, dialect_);
      case Kw::k_NOT: {
        const Token& n = peek();
        if (n.type != Tok::kWord) return 0;
        switch (n.kw) {
          case Kw::k_LIKE:
          case Kw::k_ILIKE:
          case Kw::k_GLOB:
          case Kw::k_REGEXP:
          case Kw::k_MATCH:
          case Kw::k_IN:
          case Kw::k_BETWEEN:
          case Kw::k_SIMILAR: return precedence(OpClass::kLikeIn, dialect_);
          case Kw::k_NULL: return dialect_ == Dialect::kSqlite ? precedence(OpClass::kIs, dialect_) : 0;
          default: return 0;
        }
      }
      default: return 0;
    }
  }

  Expr* parse_expr(int min_level) {
    DepthGuard guard(*this);
    Expr* left = parse_prefix();
    while (true) {
      int level = infix_level();
      if (level == 0 || level < min_level) break;
      left = parse_infix(left, level);
    }
    return left;
  }

  Binary* make_binary(const Token& op_tok, Expr* left, BinaryOp op) {
    auto* b = make<Binary>(op_tok);
    b->pos = left->pos;
    b->op = op;
    b->left = left;
    return b;
  }

  // Parses the right side of a comparison, allowing ANY/SOME/ALL (subquery).
  Expr* parse_comparison_rhs(int level) {
    if ((at_kw(Kw::k_ANY) || at_kw(Kw::k_SOME) || at_kw(Kw::k_ALL)) && peek().type == Tok::kLParen) {
      const Token& q = cur();
      Quantifier quant = q.kw == Kw::k_ANY ? Quantifier::kAny : q.kw == Kw::k_SOME ? Quantifier::kSome : Quantifier::kAll;
      advance();
      advance();
      auto* sq = make<Subquery>(q);
      sq->quantifier = quant;
      sq->query = parse_query(nullptr);
      expect(Tok::kRParen, "')'");
      return sq;
    }
    return parse_expr(level + 1);
  }

  Expr* parse_infix(Expr* left, int level) {
    const Token& t = cur();
    switch (t.type) {
      case Tok::kWord: return parse_keyword_infix(left, level);
      case Tok::kDoubleColon: {
        advance();
        auto* c = make<Cast>(t);
        c->pos = left->pos;
        c->syntax = CastSyntax::kDoubleColon;
        c->value = left;
        c->type = parse_type_name(false);
        return c;
      }
      default: break;
    }
    BinaryOp op;
    OpSpelling spelling = OpSpelling::kDefault;
    bool comparison = false;
    switch (t.type) {
      case Tok::kPlus: op = BinaryOp::kAdd; break;
      case Tok::kMinus: op = BinaryOp::kSub; break;
      case Tok::kStar: op = BinaryOp::kMul; break;
      case Tok::kSlash: op = BinaryOp::kDiv; break;
      case Tok::kPercent: op = BinaryOp::kMod; break;
      case Tok::kConcat: op = BinaryOp::kConcat; break;
      case Tok::kEq: op = BinaryOp::kEq; comparison = true; break;
      case Tok::kEqEq: op = BinaryOp::kEq; spelling = OpSpelling::kAlt; comparison = true; break;
      case Tok::kNe: op = BinaryOp::kNe; comparison = true; break;
      case Tok::kBangEq: op = BinaryOp::kNe; spelling = OpSpelling::kAlt; comparison = true; break;
      case Tok::kLt: op = BinaryOp::kLt; comparison = true; break;
      case Tok::kLe: op = BinaryOp::kLe; comparison = true; break;
      case Tok::kGt: op = BinaryOp::kGt; comparison = true; break;
      case Tok::kGe: op = BinaryOp::kGe; comparison = true; break;
      case Tok::kAmp: op = BinaryOp::kBitAnd; break;
      case Tok::kPipe: op = BinaryOp::kBitOr; break;
      case Tok::kShl: op = BinaryOp::kShl; break;
      case Tok::kShr: op = BinaryOp::kShr; break;
      case Tok::kCaret: op = BinaryOp::kPow; break;
      case Tok::kArrow: op = BinaryOp::kJsonGet; break;
      case Tok::kLongArrow: op = BinaryOp::kJsonGetText; break;
      case Tok::kTilde: op = BinaryOp::kRegexMatch; break;
      default: fail_expected("an operator");
    }
    advance();
    Binary* b = make_binary(t, left, op);
    b->spelling = spelling;
    if (op == BinaryOp::kRegexMatch) b->op_text = text(t);
    b->right = comparison ? parse_comparison_rhs(level) : parse_expr(level + 1);
    return b;
  }

  Expr* parse_keyword_infix(Expr* left, int level) {
    const Token& t = cur();
    switch (t.kw) {
      case Kw::k_OR:
      case Kw::k_AND: {
        advance();
        Binary* b = make_binary(t, left, t.kw == Kw::k_OR ? BinaryOp::kOr : BinaryOp::kAnd);
        b->right = parse_expr(level + 1);
        return b;
      }
      case Kw::k_COLLATE: {
        advance();
        auto* c = make<Collate>(t);
        c->pos = left->pos;
        c->value = left;
        if (at(Tok::kString)) {
          c->collation = make_identifier(cur());
          advance();
        } else {
          c->collation = parse_identifier("a collation name");
        }
        return c;
      }
      case Kw::k_ISNULL:
      case Kw::k_NOTNULL: {
        advance();
        auto* n = make<IsNull>(t);
        n->pos = left->pos;
        n->value = left;
        n->negated = t.kw == Kw::k_NOTNULL;
        n->spelling = IsNullSpelling::kIsNullKeyword;
        return n;
      }
      case Kw::k_IS: {
        advance();
        bool negated = accept_kw(Kw::k_NOT);
        if (at_kw(Kw::k_NULL)) {
          advance();
          auto* n = make<IsNull>(t);
          n->pos = left->pos;
          n->value = left;
          n->negated = negated;
          return n;
        }
        if (at_kw(Kw::k_TRUE) || at_kw(Kw::k_FALSE) || at_kw(Kw::k_UNKNOWN)) {
          auto* n = make<IsBool>(t);
          n->pos = left->pos;
          n->value = left;
          n->negated = negated;
          n->truth = at_kw(Kw::k_TRUE) ? TruthValue::kTrue : at_kw(Kw::k_FALSE) ? TruthValue::kFalse : TruthValue::kUnknown;
          advance();
          return n;
        }
        if (accept_kw(Kw::k_DISTINCT)) {
          expect_kw(Kw::k_FROM);
          Binary* b = make_binary(t, left, negated ? BinaryOp::kIsNotDistinctFrom : BinaryOp::kIsDistinctFrom);
          b->right = parse_expr(level + 1);
          return b;
        }
        if (dialect_ != Dialect::kSqlite) fail_expected("NULL, NOT, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS");
        Binary* b = make_binary(t, left, negated ? BinaryOp::kIsNot : BinaryOp::kIs);
        b->right = parse_expr(level + 1);
        return b;
      }
      default: break;
    }
    bool negated = false;
    if (t.kw == Kw::k_NOT) {
      advance();
      negated = true;
      if (at_kw(Kw::k_NULL)) {
        advance();
        auto* n = make<IsNull>(t);
        n->pos = left->pos;
        n->value = left;
        n->negated = true;
        n->spelling = IsNullSpelling::kNotNull;
        return n;
      }
    }
    const Token& op = cur();
    switch (op.kw) {
      case Kw::k_IN: {
        advance();
        if (!at(Tok::kLParen)) fail_expected("'(' after IN");
        if (parens_start_query()) {
          advance();
          auto* in = make<InQuery>(op);
          in->pos = left->pos;
          in->negated = negated;
          in->value = left;
          in->query = parse_query(nullptr);
          expect(Tok::kRParen, "')'");
          return in;
        }
        advance();
        auto* in = make<InList>(op);
        in->pos = left->pos;
        in->negated = negated;
        in->value = left;
        if (!at(Tok::kRParen)) in->items = parse_expr_list();
        expect(Tok::kRParen, "',' or ')'");
        return in;
      }
      case Kw::k_BETWEEN: {
        advance();
        auto* b = make<Between>(op);
        b->pos = left->pos;
        b->negated = negated;
        b->value = left;
        b->low = parse_expr(level + 1);
        expect_kw(Kw::k_AND);
        b->high = parse_expr(level + 1);
        return b;
      }
      case Kw::k_LIKE:
      case Kw::k_ILIKE:
      case Kw::k_GLOB:
      case Kw::k_REGEXP:
      case Kw::k_MATCH:
      case Kw::k_SIMILAR: {
        advance();
        auto* l = make<Like>(op);
        l->pos = left->pos;
        l->negated = negated;
        l->value = left;
        switch (op.kw) {
          case Kw::k_ILIKE: l->op = LikeOp::kILike; break;
          case Kw::k_GLOB: l->op = LikeOp::kGlob; break;
          case Kw::k_REGEXP: l->op = LikeOp::kRegexp; break;
          case Kw::k_MATCH: l->op = LikeOp::kMatch; break;
          case Kw::k_SIMILAR:
            expect_kw(Kw::k_TO);
            l->op = LikeOp::kSimilarTo;
            break;
          default: l->op = LikeOp::kLike; break;
        }
        l->pattern = parse_expr(level + 1);
        if (accept_kw(Kw::k_ESCAPE)) l->escape = parse_expr(level + 1);
        return l;
      }
      default: break;
    }
    fail_expected("LIKE, IN, BETWEEN or NULL after NOT");
  }

  Literal* make_literal(const Token& t, LiteralKind kind, std::string_view value) {
    auto* l = make<Literal>(t);
    l->literal_kind = kind;
    l->text = value;
    return l;
  }

  std::string_view string_value(const Token& t) {
    std::string_view v = string_token_value(text(t), scratch_);
    if (!v.empty() && v.data() == scratch_.data()) v = arena_.copy(v);
    return v;
  }

  Expr* parse_prefix() {
    const Token& t = cur();
    switch (t.type) {
      case Tok::kNumber: {
        advance();
        std::string_view s = text(t);
        bool is_float = false;
        if (!(s.size() > 1 && (s[1] == 'x' || s[1] == 'X'))) {
          for (char c : s) {
            if (c == '.' || c == 'e' || c == 'E') is_float = true;
          }
        }
        return make_literal(t, is_float ? LiteralKind::kFloat : LiteralKind::kInteger, s);
      }
      case Tok::kString: advance(); return make_literal(t, LiteralKind::kString, string_value(t));
      case Tok::kBlob: {
        advance();
        std::string_view s = text(t);
        return make_literal(t, LiteralKind::kBlob, s.substr(2, s.size() - 3));
      }
      case Tok::kParam: {
        advance();
        auto* p = make<Param>(t);
        p->text = text(t);
        return p;
      }
      case Tok::kStar: {
        advance();
        return make<Star>(t);
      }
      case Tok::kMinus:
      case Tok::kPlus:
      case Tok::kTilde: {
        // Only a bare '~' is a prefix operator; PostgreSQL's '~*' and '!~' are infix only.
        if (t.type == Tok::kTilde && text(t) != "~") fail_expected("an expression");
        advance();
        auto* u = make<Unary>(t);
        u->op = t.type == Tok::kMinus ? UnaryOp::kNeg : t.type == Tok::kPlus ? UnaryOp::kPlus : UnaryOp::kBitNot;
        u->operand = parse_expr(precedence(OpClass::kUnary, dialect_));
        return u;
      }
      case Tok::kLParen: return parse_paren();
      case Tok::kQuotedIdent: return parse_name_expr();
      case Tok::kWord: break;
      default: fail_expected("an expression");
    }
    switch (t.kw) {
      case Kw::k_NULL: advance(); return make_literal(t, LiteralKind::kNull, "NULL");
      case Kw::k_TRUE: advance(); return make_literal(t, LiteralKind::kTrue, "TRUE");
      case Kw::k_FALSE: advance(); return make_literal(t, LiteralKind::kFalse, "FALSE");
      case Kw::k_CURRENT_DATE: advance(); return make_literal(t, LiteralKind::kCurrentDate, "CURRENT_DATE");
      case Kw::k_CURRENT_TIME:
        if (peek().type == Tok::kLParen) break;
        advance();
        return make_literal(t, LiteralKind::kCurrentTime, "CURRENT_TIME");
      case Kw::k_CURRENT_TIMESTAMP:
        if (peek().type == Tok::kLParen) break;
        advance();
        return make_literal(t, LiteralKind::kCurrentTimestamp, "CURRENT_TIMESTAMP");
      case Kw::k_NOT: {
        advance();
        auto* u = make<Unary>(t);
        u->op = UnaryOp::kNot;
        u->operand = parse_expr(precedence(OpClass::kNot, dialect_));
        return u;
      }
      case Kw::k_PRIOR:
      case Kw::k_CONNECT_BY_ROOT:
        // A prefix operator only when an operand follows; otherwise PRIOR is a column name.
        if (dialect_ == Dialect::kOracle && starts_operand(peek())) {
          advance();
          auto* u = make<Unary>(t);
          u->op = t.kw == Kw::k_PRIOR ? UnaryOp::kPrior : UnaryOp::kConnectByRoot;
          u->operand = parse_expr(precedence(OpClass::kUnary, dialect_));
          return u;
        }
        break;
      case Kw::k_EXISTS: {
        advance();
        expect(Tok::kLParen, "'(' after EXISTS");
        auto* e = make<Exists>(t);
        e->query = parse_query(nullptr);
        expect(Tok::kRParen, "')'");
        return e;
      }
      case Kw::k_CASE: return parse_case();
      case Kw::k_CAST:
      case Kw::k_TRY_CAST:
        if (peek().type == Tok::kLParen) {
          advance();
          advance();
          auto* c = make<Cast>(t);
          c->syntax = t.kw == Kw::k_CAST ? CastSyntax::kCast : CastSyntax::kTryCast;
          c->value = parse_expr(0);
          expect_kw(Kw::k_AS);
          c->type = parse_type_name(true);
          expect(Tok::kRParen, "')' after the type name");
          return c;
        }
        break;
      case Kw::k_EXTRACT:
        if (peek().type == Tok::kLParen) {
          advance();
          advance();
          auto* e = make<Extract>(t);
          if (at(Tok::kWord) || at(Tok::kString)) {
            std::string_view f = at(Tok::kString) ? string_value(cur()) : text(cur());
            e->field = upper_copy(f);
            advance();
          } else {
            fail_expected("a field name such as YEAR");
          }
          expect_kw(Kw::k_FROM);
          e->value = parse_expr(0);
          expect(Tok::kRParen, "')'");
          return e;
        }
        break;
      case Kw::k_DATE:
      case Kw::k_TIME:
      case Kw::k_TIMESTAMP:
        if (dialect_ != Dialect::kSqlite && peek().type == Tok::kString) {
          advance();
          auto* l = make_literal(t, LiteralKind::kTyped, string_value(cur()));
          l->type_name = keyword_text(t.kw);
          advance();
          return l;
        }
        break;
      case Kw::k_INTERVAL:
        if (dialect_ != Dialect::kSqlite && (peek().type == Tok::kString || peek().type == Tok::kNumber)) {
          advance();
          auto* l = make_literal(t, LiteralKind::kInterval,
                                 at(Tok::kString) ? string_value(cur()) : text(cur()));
          advance();
          l->qualifier = parse_interval_qualifier();
          return l;
        }
        break;
      case Kw::k_ROW:
        if (peek().type == Tok::kLParen && dialect_ == Dialect::kPostgres) {
          advance();
          advance();
          auto* r = make<Row>(t);
          if (!at(Tok::kRParen)) r->items = parse_expr_list();
          expect(Tok::kRParen, "',' or ')'");
          return r;
        }
        break;
      default:
        if (is_reserved(t.kw)) {
          if (reserved_function_name(t.kw) && peek().type == Tok::kLParen) break;
          fail_expected("an expression");
        }
        break;
    }
    return parse_name_expr();
  }

  std::string_view upper_copy(std::string_view s) {
    bool has_lower = false;
    for (char c : s) has_lower |= (c >= 'a' && c <= 'z');
    if (!has_lower) return s;
    char* p = static_cast<char*>(arena_.allocate(s.size(), 1));
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      p[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    }
    return {p, s.size()};
  }

  static bool is_interval_unit(std::string_view w) {
    static constexpr std::string_view kUnits[] = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND",
                                                  "YEARS", "MONTHS", "DAYS", "HOURS", "MINUTES", "SECONDS", "WEEK"};
    for (std::string_view u : kUnits) {
      if (iequal(u, w)) return true;
    }
    return false;
  }

  // YEAR | DAY(3) | DAY TO SECOND(2) ... → upper-cased text with single spaces.
  std::string_view parse_interval_qualifier() {
    if (!(at(Tok::kWord) && is_interval_unit(text(cur())))) return {};
    std::string q;
    auto unit = [&]() {
      std::string_view w = text(cur());
      for (char c : w) q += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      advance();
      if (at(Tok::kLParen) && peek().type == Tok::kNumber) {
        q += '(';
        advance();
        q.append(text(cur()));
        advance();
        if (accept(Tok::kComma)) {
          q += ", ";
          if (!at(Tok::kNumber)) fail_expected("a number");
          q.append(text(cur()));
          advance();
        }
        expect(Tok::kRParen, "')'");
        q += ')';
      }
    };
    unit();
    if (at_kw(Kw::k_TO) && peek().type == Tok::kWord && is_interval_unit(text(peek()))) {
      advance();
      q += " TO ";
      unit();
    }
    return arena_.copy(q);
  }

  static bool is_type_continuation(std::string_view w) {
    return iequal(w, "PRECISION") || iequal(w, "VARYING") || iequal(w, "WITH") || iequal(w, "WITHOUT") ||
           iequal(w, "TIME") || iequal(w, "ZONE") || iequal(w, "LOCAL") || iequal(w, "UNSIGNED");
  }

  // A type name. In CAST(... AS type) any words up to ')' belong to it (SQLite accepts
  // any); after :: only the known multi-word continuations do.
  static bool starts_operand(const Token& t) {
    switch (t.type) {
      case Tok::kWord:
        switch (t.kw) {
          // reserved words that begin an expression (see parse_primary)
          case Kw::k_NULL: case Kw::k_TRUE: case Kw::k_FALSE: case Kw::k_CURRENT_DATE:
          case Kw::k_CURRENT_TIME: case Kw::k_CURRENT_TIMESTAMP: case Kw::k_NOT: case Kw::k_PRIOR:
          case Kw::k_CONNECT_BY_ROOT: case Kw::k_EXISTS: case Kw::k_CASE: case Kw::k_CAST:
          case Kw::k_TRY_CAST: case Kw::k_EXTRACT: case Kw::k_DATE: case Kw::k_TIME:
          case Kw::k_TIMESTAMP: case Kw::k_INTERVAL: case Kw::k_ROW: return true;
          default: return !is_reserved(t.kw) || reserved_function_name(t.kw);
        }
      case Tok::kMinus:
      case Tok::kPlus:
      case Tok::kParam:
      case Tok::kQuotedIdent:
      case Tok::kNumber:
      case Tok::kString:
      case Tok::kLParen: return true;
      default: return false;
    }
  }

  TypeName parse_type_name(bool in_cast) {
    TypeName type;
    if (in_cast && at(Tok::kRParen)) return type;  // SQLite: CAST(x AS)
    std::string name;
    ListBuilder<std::string_view, 4> params;
    bool first = true;
    while (true) {
      const Token& t = cur();
      bool word = t.type == Tok::kWord || t.type == Tok::kQuotedIdent;
      if (!word) break;
      if (!first) {
        if (!in_cast && !is_type_continuation(text(t))) break;
        if (t.kw == Kw::k_AS || t.kw == Kw::k_FROM) break;
        // WITH only continues when followed by TIME / LOCAL (TIMESTAMP WITH TIME ZONE)
        if ((iequal(text(t), "WITH") || iequal(text(t), "WITHOUT")) &&
            !(iequal(text(peek()), "TIME") || iequal(text(peek()), "LOCAL")))
          break;
      }
      if (!name.empty()) name += ' ';
      if (t.type == Tok::kQuotedIdent) {
        // A plain word is treated like an unquoted one (type names are upper-cased); anything
        // else is requoted so that it prints back.
        std::string_view value = quoted_ident_value(text(t), scratch_);
        bool plain = !value.empty() && !std::isdigit(static_cast<unsigned char>(value[0])) &&
                     std::all_of(value.begin(), value.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                     });
        if (plain) {
          for (char c : value) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        } else {
          name += '"';
          for (char c : value) name.append(c == '"' ? "\"\"" : std::string(1, c));
          name += '"';
        }
      } else {
        for (char c : text(t)) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      advance();
      first = false;
      if (at(Tok::kLParen) && params.size() == 0) {
        advance();
        do {
          const Token& p = cur();
          if (p.type == Tok::kMinus || p.type == Tok::kPlus) {
            const Token& num = peek();
            if (num.type != Tok::kNumber) fail_expected("a number");
            params.push(src_.substr(p.begin, num.end - p.begin));
            advance();
            advance();
          } else if (p.type == Tok::kNumber || p.type == Tok::kWord) {
            // VARCHAR2(20 CHAR), VARCHAR(MAX)
            if (p.type == Tok::kNumber && peek().type == Tok::kWord) {
              params.push(src_.substr(p.begin, peek().end - p.begin));
              advance();
              advance();
            } else {
              params.push(text(p));
              advance();
            }
          } else {
            fail_expected("a type parameter");
          }
        } while (accept(Tok::kComma));
        expect(Tok::kRParen, "')' after the type parameters");
      }
    }
    if (name.empty()) fail_expected("a type name");
    while (at(Tok::kLBracket) && peek().type == Tok::kRBracket) {
      advance();
      advance();
      ++type.array_dims;
    }
    type.name = arena_.copy(name);
    type.params = params.finish(arena_);
    return type;
  }

  // At '(' '(' ... SELECT: the inner parentheses hold a query, but the outer ones hold a
  // query only when the inner group is followed by a set operator, a query tail or ')';
  // `((SELECT 1) < 2)` is an expression.
  bool nested_parens_hold_query() const {
    size_t j = pos_ + 1;
    if (j >= toks_.size() || toks_[j].type != Tok::kLParen) return true;
    int depth = 0;
    for (; j < toks_.size(); ++j) {
      if (toks_[j].type == Tok::kLParen) ++depth;
      if (toks_[j].type == Tok::kRParen && --depth == 0) break;
    }
    if (j + 1 >= toks_.size()) return true;
    const Token& next = toks_[j + 1];
    if (next.type == Tok::kRParen) return true;
    switch (next.kw) {
      case Kw::k_UNION: case Kw::k_INTERSECT: case Kw::k_EXCEPT: case Kw::k_MINUS:
      case Kw::k_ORDER: case Kw::k_LIMIT: case Kw::k_OFFSET: case Kw::k_FETCH: return next.type == Tok::kWord;
      default: return false;
    }
  }

  Expr* parse_paren() {
    const Token& open = cur();
    if (parens_start_query() && nested_parens_hold_query()) {
      advance();
      auto* sq = make<Subquery>(open);
      sq->query = parse_query(nullptr);
      expect(Tok::kRParen, "')' after the subquery");
      return sq;
    }
    advance();
    Expr* first = parse_expr(0);
    if (accept(Tok::kComma)) {
      ListBuilder<Expr*> items;
      items.push(first);
      do {
        items.push(parse_expr(0));
      } while (accept(Tok::kComma));
      expect(Tok::kRParen, "',' or ')'");
      auto* r = make<Row>(open);
      r->items = items.finish(arena_);
      return r;
    }
    expect(Tok::kRParen, "')'");
    return first;
  }

  Expr* parse_case() {
    const Token& t = cur();
    advance();
    auto* c = make<Case>(t);
    if (!at_kw(Kw::k_WHEN)) c->operand = parse_expr(0);
    ListBuilder<WhenClause, 4> whens;
    while (accept_kw(Kw::k_WHEN)) {
      WhenClause w;
      w.condition = parse_expr(0);
      expect_kw(Kw::k_THEN);
      w.result = parse_expr(0);
      whens.push(w);
    }
    if (whens.size() == 0) fail_expected("WHEN");
    c->whens = whens.finish(arena_);
    if (accept_kw(Kw::k_ELSE)) c->else_result = parse_expr(0);
    expect_kw(Kw::k_END);
    return c;
  }

  // name, name.name, name.name.name, name.*, name(...)
  Expr* parse_name_expr() {
    const Token& t = cur();
    Identifier parts[3];
    int n = 0;
    parts[n++] = make_identifier(t);
    advance();
    while (at(Tok::kDot)) {
      if (peek().type == Tok::kStar) {
        advance();
        advance();
        auto* s = make<Star>(t);
        if (n == 1) {
          s->table = parts[0];
        } else if (n == 2) {
          s->schema = parts[0];
          s->table = parts[1];
        } else {
          fail_at(t, "too many name parts before .*");
        }
        return s;
      }
      if (n == 3) fail_at(cur(), "too many dots in a column name");
      advance();
      const Token& part = cur();
      if (part.type == Tok::kQuotedIdent || part.type == Tok::kWord) {
        // after a dot any word is a name (t.order, t.group)
        parts[n++] = make_identifier(part);
        advance();
      } else {
        fail_expected("a column name after '.'");
      }
    }
    // `name(+)` is Oracle's outer-join marker on a column, never a call.
    const bool outer_join_marker =
        at(Tok::kLParen) && peek().type == Tok::kPlus && peek(2).type == Tok::kRParen;
    if (at(Tok::kLParen) && n <= 2 && !outer_join_marker) {
      auto* f = make<Function>(t);
      if (n == 1) {
        f->name = parts[0];
      } else {
        f->schema = parts[0];
        f->name = parts[1];
      }
      parse_function_args(f);
      parse_function_suffix(f);
      return f;
    }
    auto* c = make<ColumnRef>(t);
    if (n == 1) {
      c->column = parts[0];
    } else if (n == 2) {
      c->table = parts[0];
      c->column = parts[1];
    } else {
      c->schema = parts[0];
      c->table = parts[1];
      c->column = parts[2];
    }
    // Oracle outer-join marker: col(+)
    if (outer_join_marker) {
      advance();
      advance();
      advance();
      c->outer_join_marker = true;
    }
    return c;
  }

  void parse_function_args(Function* f) {
    expect(Tok::kLParen, "'('");
    if (at(Tok::kStar) && peek().type == Tok::kRParen) {
      advance();
      advance();
      f->star = true;
      return;
    }
    if (accept(Tok::kRParen)) return;
    if (accept_kw(Kw::k_DISTINCT)) {
      f->distinct = true;
    } else {
      accept_kw(Kw::k_ALL);
    }
    f->args = parse_expr_list();
    if (at_kw(Kw::k_ORDER)) {
      advance();
      expect_kw(Kw::k_BY);
      f->order_by = parse_order_list();
    }
    expect(Tok::kRParen, "',' or ')'");
  }

  void parse_function_suffix(Function* f) {
    if (at_kw(Kw::k_WITHIN) && peek_kw(1, Kw::k_GROUP)) {
      advance();
      advance();
      expect(Tok::kLParen, "'('");
      expect_kw(Kw::k_ORDER);
      expect_kw(Kw::k_BY);
      f->within_group = parse_order_list();
      expect(Tok::kRParen, "')'");
    }
    if (at_kw(Kw::k_FILTER) && peek().type == Tok::kLParen) {
      advance();
      advance();
      expect_kw(Kw::k_WHERE);
      f->filter = parse_expr(0);
      expect(Tok::kRParen, "')'");
    }
    if (at_kw(Kw::k_OVER)) {
      advance();
      if (accept(Tok::kLParen)) {
        f->over = parse_window_spec();
      } else {
        f->over_name = parse_identifier("a window name or '('");
      }
    }
  }

  // After '(' of a window specification; consumes the closing ')'.
  WindowSpec* parse_window_spec() {
    auto* w = arena_.make<WindowSpec>();
    if (is_identifier_token(cur()) && !at_kw(Kw::k_PARTITION) && !at_kw(Kw::k_ORDER) && !at_kw(Kw::k_ROWS) &&
        !at_kw(Kw::k_RANGE) && !at_kw(Kw::k_GROUPS)) {
      w->base = parse_identifier("a window name");
    }
    if (at_kw(Kw::k_PARTITION)) {
      advance();
      expect_kw(Kw::k_BY);
      w->partition_by = parse_expr_list();
    }
    if (at_kw(Kw::k_ORDER)) {
      advance();
      expect_kw(Kw::k_BY);
      w->order_by = parse_order_list();
    }
    if (at_kw(Kw::k_ROWS) || at_kw(Kw::k_RANGE) || at_kw(Kw::k_GROUPS)) {
      auto* fr = arena_.make<Frame>();
      fr->unit = at_kw(Kw::k_ROWS) ? FrameUnit::kRows : at_kw(Kw::k_RANGE) ? FrameUnit::kRange : FrameUnit::kGroups;
      advance();
      if (accept_kw(Kw::k_BETWEEN)) {
        fr->between = true;
        fr->start = parse_frame_bound();
        expect_kw(Kw::k_AND);
        fr->end = parse_frame_bound();
      } else {
        fr->start = parse_frame_bound();
      }
      if (accept_kw(Kw::k_EXCLUDE)) {
        if (accept_kw(Kw::k_NO)) {
          expect_kw(Kw::k_OTHERS);
          fr->exclude = FrameExclude::kNoOthers;
        } else if (accept_kw(Kw::k_CURRENT)) {
          expect_kw(Kw::k_ROW);
          fr->exclude = FrameExclude::kCurrentRow;
        } else if (accept_kw(Kw::k_GROUP)) {
          fr->exclude = FrameExclude::kGroup;
        } else if (accept_kw(Kw::k_TIES)) {
          fr->exclude = FrameExclude::kTies;
        } else {
          fail_expected("NO OTHERS, CURRENT ROW, GROUP or TIES");
        }
      }
      w->frame = fr;
    }
    expect(Tok::kRParen, "')' to close the window specification");
    return w;
  }

  FrameBound parse_frame_bound() {
    FrameBound b;
    if (accept_kw(Kw::k_UNBOUNDED)) {
      if (accept_kw(Kw::k_PRECEDING)) {
        b.kind = FrameBoundKind::kUnboundedPreceding;
      } else {
        expect_kw(Kw::k_FOLLOWING);
        b.kind = FrameBoundKind::kUnboundedFollowing;
      }
      return b;
    }
    if (accept_kw(Kw::k_CURRENT)) {
      expect_kw(Kw::k_ROW);
      b.kind = FrameBoundKind::kCurrentRow;
      return b;
    }
    b.offset = parse_expr(precedence(OpClass::kAnd, dialect_) + 1);
    if (accept_kw(Kw::k_PRECEDING)) {
      b.kind = FrameBoundKind::kPreceding;
    } else {
      expect_kw(Kw::k_FOLLOWING);
      b.kind = FrameBoundKind::kFollowing;
    }
    return b;
  }

  // ------------------------------------------------------------ end-of-statement errors
  static const SelectQuery* last_select(const Query* q) {
    while (q != nullptr && q->kind == NodeKind::kSetOp) q = static_cast<const SetOpQuery*>(q)->right;
    return q != nullptr && q->kind == NodeKind::kSelect ? static_cast<const SelectQuery*>(q) : nullptr;
  }

  [[noreturn]] void fail_end_of_statement(const Statement& st) {
    const Token* bad = &cur();
    // `SELECT a FORM t`: FORM was taken as an alias; the mistake is there. But in
    // `SELECT a, b c FORM t` the alias c is fine and FORM is the mistake.
    if (implicit_alias_tok_ + 1 == pos_ && (cur().type == Tok::kWord || cur().type == Tok::kQuotedIdent) &&
        looks_like_clause_keyword(text(toks_[implicit_alias_tok_])))
      bad = &toks_[implicit_alias_tok_];
    std::string expected;
    const Query* q = st.query;
    std::string_view limit_word = dialect_ == Dialect::kOracle ? "FETCH FIRST" : "LIMIT";
    if (q != nullptr && q->order_by.empty() && q->limit == nullptr) {
      const SelectQuery* s = last_select(q);
      if (s != nullptr) {
        if (s->from == nullptr && s->where == nullptr) {
          expected = "FROM";
        } else if (s->where == nullptr && s->group_by.empty() && s->having == nullptr) {
          expected = "WHERE, GROUP BY, ORDER BY, ";
          expected += limit_word;
        } else if (s->group_by.empty() && s->having == nullptr) {
          expected = "AND, OR, GROUP BY, ORDER BY, ";
          expected += limit_word;
        } else if (s->having == nullptr) {
          expected = "HAVING, ORDER BY, ";
          expected += limit_word;
        } else {
          expected = "ORDER BY, ";
          expected += limit_word;
        }
      }
    } else if (q != nullptr && q->limit == nullptr) {
      expected = limit_word;
    }
    std::string m = "expected ";
    if (!expected.empty()) {
      m += expected;
      m += " or ";
    }
    m += "end of query, found ";
    m += describe(*bad);
    fail_at(*bad, std::move(m));
  }

  Ast& ast_;
  Arena& arena_;
  std::string_view src_;
  Dialect dialect_;
  const std::vector<Token>& toks_;
  ParseOptions options_;
  size_t pos_ = 0;
  uint32_t depth_ = 0;
  size_t implicit_alias_tok_ = static_cast<size_t>(-2);
  bool has_into_ = false;
  std::string scratch_;
};

}  // namespace

std::string format_syntax_error(std::string_view source, uint32_t offset, std::string_view message) {
  if (offset > source.size()) offset = static_cast<uint32_t>(source.size());
  Location loc = location_of(source, offset);
  std::string out = "syntax error at " + std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": ";
  out.append(message);
  size_t line_begin = source.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_begin = (line_begin == std::string_view::npos || (offset == 0 && source[0] != '\n')) ? 0 : line_begin + 1;
  if (offset == 0) line_begin = 0;
  size_t line_end = source.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = source.size();
  std::string_view line = source.substr(line_begin, line_end - line_begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Caret column in characters (UTF-8 continuation bytes do not count).
  size_t caret = 0;
  for (size_t i = line_begin; i < offset && i < line_begin + line.size(); ++i) {
    if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) ++caret;
  }
  // Long lines: show a window of about 100 characters around the caret.
  size_t shown_from = 0;
  std::string prefix;
  std::string suffix;
  if (line.size() > 120) {
    size_t byte_off = offset - line_begin;
    shown_from = byte_off > 60 ? byte_off - 60 : 0;
    while (shown_from > 0 && (static_cast<unsigned char>(line[shown_from]) & 0xC0) == 0x80) --shown_from;
    size_t shown_to = std::min(line.size(), shown_from + 120);
    while (shown_to < line.size() && (static_cast<unsigned char>(line[shown_to]) & 0xC0) == 0x80) ++shown_to;
    if (shown_from > 0) prefix = "...";
    if (shown_to < line.size()) suffix = "...";
    size_t skipped_chars = 0;
    for (size_t i = 0; i < shown_from; ++i) {
      if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++skipped_chars;
    }
    caret = caret - skipped_chars + prefix.size();
    line = line.substr(shown_from, shown_to - shown_from);
  }
  out += '\n';
  out += prefix;
  for (char c : line) out += (c == '\t') ? ' ' : c;
  out += suffix;
  out += '\n';
  out.append(caret, ' ');
  out += '^';
  return out;
}

std::string_view error_headline(std::string_view message) {
  size_t nl = message.find('\n');
  return nl == std::string_view::npos ? message : message.substr(0, nl);
}

Result<Ast> parse(std::string_view sql, Dialect dialect, const ParseOptions& options) {
  Ast ast(sql, dialect);
  thread_local std::vector<Token> tokens;
  tokens.clear();
  if (tokens.capacity() > (size_t(1) << 20)) tokens.shrink_to_fit();
  LexError lex_error;
  if (!tokenize(ast.source(), dialect, tokens, lex_error)) {
    return Status(ErrorCode::kParseError, format_syntax_error(ast.source(), lex_error.offset, lex_error.message));
  }
  try {
    Parser parser(ast, tokens, options);
    parser.parse_all();
  } catch (const ParseFailure& failure) {
    return Status(ErrorCode::kParseError, format_syntax_error(ast.source(), failure.offset, failure.message));
  }
  return ast;
}

Result<Ast> parse_single(std::string_view sql, Dialect dialect) {
  ParseOptions options;
  options.allow_multiple = false;
  return parse(sql, dialect, options);
}

}  // namespace askguru::sql
