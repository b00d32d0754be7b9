// The SQL abstract syntax tree shared by the parser, the printer and the analyses.
//
// Shape:
//   Ast ── statements() ─► Statement (kind, source range, Query* query for queries)
//   Query:    SelectQuery | SetOpQuery | ValuesQuery      (+ WITH, ORDER BY, LIMIT on any)
//   TableRef: TableName | DerivedTable | TableFunction | JoinRef   (FROM is one tree;
//             comma joins are JoinRef with JoinType::kComma)
//   Expr:     Literal, ColumnRef, Star, Param, Unary, Binary, Like, Between, InList,
//             InQuery, Exists, Subquery, IsNull, IsBool, Case, Cast, Function, Collate,
//             Row, Extract
//
// Every node has a NodeKind and the byte offset of its first token in the source
// (Ast::location() turns it into line:column). Nodes are plain structs allocated in the
// Ast's Arena: no parent pointers, no destructors, strings are std::string_view into the
// Ast's own copy of the source text (or into the arena when unescaped or synthesised).
// To build or edit nodes, allocate them with ast.arena().make<T>() and lists with
// ast.make_list(). Walk with for_each_child() (ast_walk below) or a switch on kind.
//
// Equality (equal()) is structural and ignores source positions and pure spelling
// choices (`!=` vs `<>`, `AS` present or not, INNER/OUTER noise words, ASC written out,
// `::` vs CAST, backticks vs double quotes, keyword and function-name case, Oracle's FROM DUAL
// vs no FROM).
//
// Thread-safety: an Ast is a value; const access from several threads is safe,
// mutation is not.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/dialect.h"
#include "askguru/sql/arena.h"

namespace askguru::sql {

enum class NodeKind : uint8_t {
  // expressions
  kLiteral,
  kColumnRef,
  kStar,
  kParam,
  kUnary,
  kBinary,
  kLike,
  kBetween,
  kInList,
  kInQuery,
  kExists,
  kSubquery,
  kIsNull,
  kIsBool,
  kCase,
  kCast,
  kFunction,
  kCollate,
  kRow,
  kExtract,
  // table references
  kTableName,
  kDerivedTable,
  kTableFunction,
  kJoin,
  // queries
  kSelect,
  kSetOp,
  kValues,
};

std::string_view node_kind_name(NodeKind kind);

struct Node {
  NodeKind kind;
  uint32_t pos = 0;  // byte offset of the first token in the source
  explicit Node(NodeKind k) : kind(k) {}
};

// An identifier as written. `quoted` is true for "x", `x`, [x] (and a 'x' alias).
struct Identifier {
  std::string_view name;
  bool quoted = false;
  bool empty() const { return name.empty(); }
};

struct Expr;
struct Query;
struct TableRef;

// ---------------------------------------------------------------- expressions

struct Expr : Node {
  using Node::Node;
  template <typename T>
  const T* as() const { return kind == T::kKind ? static_cast<const T*>(this) : nullptr; }
  template <typename T>
  T* as() { return kind == T::kKind ? static_cast<T*>(this) : nullptr; }
};

enum class LiteralKind : uint8_t {
  kInteger,           // text as written: 42, 0x1F
  kFloat,             // text as written: 1.5, .5, 1e-3
  kString,            // text is the value (quotes removed, '' unescaped)
  kBlob,              // text is the hex digits of X'...'
  kNull,
  kTrue,
  kFalse,
  kCurrentDate,
  kCurrentTime,
  kCurrentTimestamp,
  kTyped,             // DATE '...', TIME '...', TIMESTAMP '...': type_name + text value
  kInterval,          // INTERVAL '1' DAY: text value + qualifier ("DAY", "DAY TO SECOND", may be empty)
};

struct Literal : Expr {
  static constexpr NodeKind kKind = NodeKind::kLiteral;
  Literal() : Expr(kKind) {}
  LiteralKind literal_kind = LiteralKind::kNull;
  std::string_view text;
  std::string_view type_name;  // kTyped: "DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"
  std::string_view qualifier;  // kInterval
};

// [schema.][table.]column, optionally with Oracle's (+) outer-join marker.
struct ColumnRef : Expr {
  static constexpr NodeKind kKind = NodeKind::kColumnRef;
  ColumnRef() : Expr(kKind) {}
  Identifier schema;
  Identifier table;
  Identifier column;
  bool outer_join_marker = false;  // Oracle: t.c(+)
};

// * or [schema.]table.*
struct Star : Expr {
  static constexpr NodeKind kKind = NodeKind::kStar;
  Star() : Expr(kKind) {}
  Identifier schema;
  Identifier table;
};

// ?, ?1, :name, :1, @name, $1, $name: text as written.
struct Param : Expr {
  static constexpr NodeKind kKind = NodeKind::kParam;
  Param() : Expr(kKind) {}
  std::string_view text;
};

enum class UnaryOp : uint8_t { kNot, kNeg, kPlus, kBitNot, kPrior /* Oracle CONNECT BY */, kConnectByRoot };

struct Unary : Expr {
  static constexpr NodeKind kKind = NodeKind::kUnary;
  Unary() : Expr(kKind) {}
  UnaryOp op = UnaryOp::kNot;
  Expr* operand = nullptr;
};

enum class BinaryOp : uint8_t {
  kOr,
  kAnd,
  kEq,      // = (== in SQLite)
  kNe,      // <> or !=
  kLt,
  kLe,
  kGt,
  kGe,
  kIs,      // SQLite: a IS b
  kIsNot,   // SQLite: a IS NOT b
  kIsDistinctFrom,
  kIsNotDistinctFrom,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kConcat,  // ||
  kBitAnd,
  kBitOr,
  kShl,
  kShr,
  kPow,     // PostgreSQL ^
  kJsonGet,      // ->
  kJsonGetText,  // ->>
  kRegexMatch,   // PostgreSQL ~ (and ~*, !~, !~* through `spelling`)
};

// Spelling variants that equality ignores.
enum class OpSpelling : uint8_t { kDefault, kAlt };  // kAlt: '==' for kEq, '!=' for kNe

struct Binary : Expr {
  static constexpr NodeKind kKind = NodeKind::kBinary;
  Binary() : Expr(kKind) {}
  BinaryOp op = BinaryOp::kEq;
  OpSpelling spelling = OpSpelling::kDefault;
  std::string_view op_text;  // kRegexMatch: "~", "~*", "!~", "!~*"
  Expr* left = nullptr;
  Expr* right = nullptr;
};

enum class LikeOp : uint8_t { kLike, kILike, kGlob, kRegexp, kMatch, kSimilarTo };

struct Like : Expr {
  static constexpr NodeKind kKind = NodeKind::kLike;
  Like() : Expr(kKind) {}
  LikeOp op = LikeOp::kLike;
  bool negated = false;
  Expr* value = nullptr;
  Expr* pattern = nullptr;
  Expr* escape = nullptr;
};

struct Between : Expr {
  static constexpr NodeKind kKind = NodeKind::kBetween;
  Between() : Expr(kKind) {}
  bool negated = false;
  Expr* value = nullptr;
  Expr* low = nullptr;
  Expr* high = nullptr;
};

struct InList : Expr {
  static constexpr NodeKind kKind = NodeKind::kInList;
  InList() : Expr(kKind) {}
  bool negated = false;
  Expr* value = nullptr;
  List<Expr*> items;  // may be empty in SQLite: x IN ()
};

struct InQuery : Expr {
  static constexpr NodeKind kKind = NodeKind::kInQuery;
  InQuery() : Expr(kKind) {}
  bool negated = false;
  Expr* value = nullptr;
  Query* query = nullptr;
};

struct Exists : Expr {
  static constexpr NodeKind kKind = NodeKind::kExists;
  Exists() : Expr(kKind) {}
  bool negated = false;  // NOT EXISTS is Unary(kNot, Exists); this flag stays false from the parser
  Query* query = nullptr;
};

// A scalar subquery (SELECT ...) used as a value. Also ANY/ALL/SOME (subquery) via `quantifier`.
enum class Quantifier : uint8_t { kNone, kAny, kAll, kSome };

struct Subquery : Expr {
  static constexpr NodeKind kKind = NodeKind::kSubquery;
  Subquery() : Expr(kKind) {}
  Quantifier quantifier = Quantifier::kNone;
  Query* query = nullptr;
};

// x IS [NOT] NULL, x ISNULL, x NOTNULL, x NOT NULL.
enum class IsNullSpelling : uint8_t { kIsNull, kIsNullKeyword /* ISNULL / NOTNULL */, kNotNull /* NOT NULL */ };

struct IsNull : Expr {
  static constexpr NodeKind kKind = NodeKind::kIsNull;
  IsNull() : Expr(kKind) {}
  bool negated = false;
  IsNullSpelling spelling = IsNullSpelling::kIsNull;
  Expr* value = nullptr;
};

// x IS [NOT] TRUE | FALSE | UNKNOWN
enum class TruthValue : uint8_t { kTrue, kFalse, kUnknown };

struct IsBool : Expr {
  static constexpr NodeKind kKind = NodeKind::kIsBool;
  IsBool() : Expr(kKind) {}
  bool negated = false;
  TruthValue truth = TruthValue::kTrue;
  Expr* value = nullptr;
};

struct WhenClause {
  Expr* condition = nullptr;
  Expr* result = nullptr;
};

struct Case : Expr {
  static constexpr NodeKind kKind = NodeKind::kCase;
  Case() : Expr(kKind) {}
  Expr* operand = nullptr;  // CASE x WHEN ... (null for searched CASE)
  List<WhenClause> whens;
  Expr* else_result = nullptr;
};

// A type name: upper-cased words joined by single spaces ("DOUBLE PRECISION",
// "TIMESTAMP WITH TIME ZONE"), its parameters as written ("10", "2"), and PostgreSQL
// array brackets. An empty name is SQLite's typeless CAST(x AS).
struct TypeName {
  std::string_view name;
  List<std::string_view> params;
  uint8_t array_dims = 0;
};

enum class CastSyntax : uint8_t { kCast, kDoubleColon, kTryCast };

struct Cast : Expr {
  static constexpr NodeKind kKind = NodeKind::kCast;
  Cast() : Expr(kKind) {}
  CastSyntax syntax = CastSyntax::kCast;  // equality ignores kCast vs kDoubleColon
  Expr* value = nullptr;
  TypeName type;
};

struct OrderItem {
  enum class Direction : uint8_t { kDefault, kAsc, kDesc };  // equality treats kDefault == kAsc
  enum class Nulls : uint8_t { kDefault, kFirst, kLast };
  Expr* expr = nullptr;
  Direction direction = Direction::kDefault;
  Nulls nulls = Nulls::kDefault;
  bool descending() const { return direction == Direction::kDesc; }
};

enum class FrameUnit : uint8_t { kRows, kRange, kGroups };
enum class FrameBoundKind : uint8_t { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing, kUnboundedFollowing };
enum class FrameExclude : uint8_t { kNone, kNoOthers, kCurrentRow, kGroup, kTies };

struct FrameBound {
  FrameBoundKind kind = FrameBoundKind::kCurrentRow;
  Expr* offset = nullptr;  // kPreceding / kFollowing
};

struct Frame {
  FrameUnit unit = FrameUnit::kRows;
  bool between = false;  // BETWEEN start AND end; otherwise only start
  FrameBound start;
  FrameBound end;
  FrameExclude exclude = FrameExclude::kNone;
};

// OVER (...) or WINDOW w AS (...).
struct WindowSpec {
  Identifier base;  // an existing window name: OVER (w ORDER BY x)
  List<Expr*> partition_by;
  List<OrderItem> order_by;
  Frame* frame = nullptr;
};

// A function call, including aggregates and window functions.
// count(*) has `star`; the name is as written (equality and canonical output ignore case).
struct Function : Expr {
  static constexpr NodeKind kKind = NodeKind::kFunction;
  Function() : Expr(kKind) {}
  Identifier schema;  // schema.func(...) / package.func(...)
  Identifier name;
  bool distinct = false;
  bool star = false;  // COUNT(*)
  List<Expr*> args;
  List<OrderItem> order_by;      // agg(x ORDER BY y)
  List<OrderItem> within_group;  // LISTAGG(x, ',') WITHIN GROUP (ORDER BY y)
  Expr* filter = nullptr;        // FILTER (WHERE ...)
  WindowSpec* over = nullptr;    // OVER (...)
  Identifier over_name;          // OVER w
  bool has_parens = true;        // false for Oracle's SYSDATE-like bare calls (never set by the parser today)
};

struct Collate : Expr {
  static constexpr NodeKind kKind = NodeKind::kCollate;
  Collate() : Expr(kKind) {}
  Expr* value = nullptr;
  Identifier collation;
};

// (a, b, c): a row value. (a) alone is never a Row: parentheses are not kept in the AST.
struct Row : Expr {
  static constexpr NodeKind kKind = NodeKind::kRow;
  Row() : Expr(kKind) {}
  List<Expr*> items;
};

// EXTRACT(field FROM value). field is upper-cased ("YEAR", "EPOCH").
struct Extract : Expr {
  static constexpr NodeKind kKind = NodeKind::kExtract;
  Extract() : Expr(kKind) {}
  std::string_view field;
  Expr* value = nullptr;
};

// ---------------------------------------------------------------- FROM

struct TableRef : Node {
  using Node::Node;
  template <typename T>
  const T* as() const { return kind == T::kKind ? static_cast<const T*>(this) : nullptr; }
  template <typename T>
  T* as() { return kind == T::kKind ? static_cast<T*>(this) : nullptr; }
};

// AS alias [(c1, c2)]
struct Alias {
  Identifier name;
  List<Identifier> columns;
  bool as_keyword = false;  // spelling only
  bool present() const { return !name.empty(); }
};

struct TableName : TableRef {
  static constexpr NodeKind kKind = NodeKind::kTableName;
  TableName() : TableRef(kKind) {}
  Identifier schema;
  Identifier name;
  Alias alias;
  bool only = false;  // PostgreSQL ONLY t
};

struct DerivedTable : TableRef {
  static constexpr NodeKind kKind = NodeKind::kDerivedTable;
  DerivedTable() : TableRef(kKind) {}
  bool lateral = false;
  Query* query = nullptr;
  Alias alias;
};

// A table-valued function in FROM: json_each(x), generate_series(1, 3), UNNEST(a).
struct TableFunction : TableRef {
  static constexpr NodeKind kKind = NodeKind::kTableFunction;
  TableFunction() : TableRef(kKind) {}
  bool lateral = false;
  Function* call = nullptr;
  Alias alias;
};

enum class JoinType : uint8_t { kComma, kInner, kLeft, kRight, kFull, kCross };

struct JoinRef : TableRef {
  static constexpr NodeKind kKind = NodeKind::kJoin;
  JoinRef() : TableRef(kKind) {}
  JoinType type = JoinType::kInner;
  bool natural = false;
  bool inner_keyword = false;  // spelling only: INNER JOIN
  bool outer_keyword = false;  // spelling only: LEFT OUTER JOIN
  TableRef* left = nullptr;
  TableRef* right = nullptr;
  Expr* on = nullptr;
  List<Identifier> using_columns;
};

// ---------------------------------------------------------------- queries

struct Cte {
  Identifier name;
  List<Identifier> columns;
  Query* query = nullptr;  // null when the CTE body is a data-modifying statement
  enum class Materialized : uint8_t { kDefault, kMaterialized, kNotMaterialized } materialized =
      Materialized::kDefault;
  uint32_t pos = 0;
  uint8_t modifying_kind = 0;  // a StatementKind (as integer) when the body is INSERT/UPDATE/DELETE/MERGE
  std::string_view modifying_text;  // that statement's source text
};

struct With {
  bool recursive = false;
  List<Cte> ctes;
  uint32_t pos = 0;
};

// LIMIT / OFFSET / FETCH FIRST, in whatever syntax it was written.
struct Limit {
  enum class Syntax : uint8_t { kLimitOffset, kLimitComma /* SQLite LIMIT offset, count */, kFetch, kOffsetOnly };
  Syntax syntax = Syntax::kLimitOffset;  // spelling only
  Expr* count = nullptr;   // null: no row limit (OFFSET only, or LIMIT ALL)
  Expr* offset = nullptr;
  bool limit_all = false;  // PostgreSQL LIMIT ALL (spelling: same as no count)
  bool percent = false;    // FETCH FIRST n PERCENT
  bool with_ties = false;  // FETCH FIRST n ROWS WITH TIES
};

struct Query : Node {
  using Node::Node;
  With* with = nullptr;
  List<OrderItem> order_by;
  bool order_siblings = false;  // Oracle ORDER SIBLINGS BY
  Limit* limit = nullptr;
  bool for_update = false;      // FOR UPDATE / FOR SHARE (locking read)
  template <typename T>
  const T* as() const { return kind == T::kKind ? static_cast<const T*>(this) : nullptr; }
  template <typename T>
  T* as() { return kind == T::kKind ? static_cast<T*>(this) : nullptr; }
};

struct SelectItem {
  Expr* expr = nullptr;
  Identifier alias;
  bool as_keyword = false;  // spelling only
};

struct NamedWindow {
  Identifier name;
  WindowSpec* spec = nullptr;
};

enum class Distinct : uint8_t { kNone, kAll, kDistinct, kDistinctOn };  // kAll == kNone for equality

struct SelectQuery : Query {
  static constexpr NodeKind kKind = NodeKind::kSelect;
  SelectQuery() : Query(kKind) {}
  Distinct distinct = Distinct::kNone;
  List<Expr*> distinct_on;
  List<SelectItem> items;
  bool has_into = false;      // SELECT ... INTO t (creates a table in PostgreSQL)
  TableRef* from = nullptr;   // null: no FROM (Oracle FROM DUAL is a TableName "DUAL")
  Expr* where = nullptr;
  Expr* start_with = nullptr;  // Oracle hierarchical query
  Expr* connect_by = nullptr;
  bool nocycle = false;
  List<Expr*> group_by;
  Expr* having = nullptr;
  List<NamedWindow> windows;
};

enum class SetOp : uint8_t { kUnion, kIntersect, kExcept };

struct SetOpQuery : Query {
  static constexpr NodeKind kKind = NodeKind::kSetOp;
  SetOpQuery() : Query(kKind) {}
  SetOp op = SetOp::kUnion;
  bool all = false;
  bool minus_keyword = false;  // spelling only: Oracle MINUS
  Query* left = nullptr;
  Query* right = nullptr;
};

struct ValuesQuery : Query {
  static constexpr NodeKind kKind = NodeKind::kValues;
  ValuesQuery() : Query(kKind) {}
  List<List<Expr*>> rows;
};

// ---------------------------------------------------------------- statements

enum class StatementKind : uint8_t {
  kSelect,  // a query (SELECT, VALUES, WITH ... SELECT)
  kInsert,
  kUpdate,
  kDelete,
  kReplace,  // SQLite REPLACE INTO
  kMerge,
  kSelectInto,  // SELECT ... INTO (creates a table)
  kCreate,
  kDrop,
  kAlter,
  kTruncate,
  kRename,
  kComment,
  kPragma,
  kAttach,
  kDetach,
  kBegin,
  kCommit,
  kRollback,
  kSavepoint,
  kRelease,
  kVacuum,
  kAnalyze,
  kReindex,
  kGrant,
  kRevoke,
  kSet,
  kShow,
  kReset,
  kCall,  // CALL / EXEC / EXECUTE / DO
  kExplain,
  kLock,
  kCopy,
  kBlock,  // Oracle anonymous PL/SQL block (BEGIN ... END / DECLARE ...)
  kOther,  // recognised as a statement but of no kind above (LISTEN, NOTIFY, ...)
};

std::string_view statement_kind_name(StatementKind kind);  // "select", "insert", ...
// True for kinds that never change data or settings: kSelect, kExplain of a query without
// ANALYZE, kShow. PRAGMA and SET are not read-only (they can change state).
bool is_read_only_kind(StatementKind kind);

struct Statement {
  StatementKind kind = StatementKind::kOther;
  uint32_t begin = 0;  // source range of the statement, without the trailing ';'
  uint32_t end = 0;
  Query* query = nullptr;  // kSelect / kSelectInto; and kExplain when it explains a query
  // kExplain: what it explains; explain_analyze: EXPLAIN ANALYZE (runs the statement).
  const Statement* explained = nullptr;
  bool explain_analyze = false;
  // For writes hidden in a CTE (WITH d AS (DELETE ...) SELECT ...) `kind` is the write kind
  // and query is still set.
  std::string_view object_type;  // CREATE/DROP/ALTER: "TABLE", "INDEX", "VIEW", ... (upper-cased)
  std::string_view text;         // the statement's source text
};

// Line and column (both 1-based; column counts characters) of a byte offset.
struct Location {
  uint32_t line = 1;
  uint32_t column = 1;
};

// A parsed SQL text: owns a copy of the source, the arena holding every node, and the
// statements found (in order). Cheap to move.
class Ast {
 public:
  Ast(std::string_view source, Dialect dialect);
  Ast(Ast&&) noexcept = default;
  Ast& operator=(Ast&&) noexcept = default;
  ~Ast();

  Dialect dialect() const { return impl_->dialect; }
  std::string_view source() const { return impl_->source; }
  const std::vector<Statement>& statements() const { return impl_->statements; }
  std::vector<Statement>& statements() { return impl_->statements; }
  size_t size() const { return impl_->statements.size(); }
  // The first statement (an Ast from parse() always has at least one).
  const Statement& statement() const { return impl_->statements.front(); }
  // The first statement's query, or null when it is not a query.
  Query* query() const { return impl_->statements.empty() ? nullptr : impl_->statements.front().query; }

  Arena& arena() { return impl_->arena; }
  const Arena& arena() const { return impl_->arena; }
  Location location(uint32_t offset) const;

  // Copies `items` into the arena as a List.
  template <typename T>
  List<T> make_list(const std::vector<T>& items) {
    List<T> out;
    out.count = static_cast<uint32_t>(items.size());
    out.items = impl_->arena.template make_array<T>(items.size());
    for (size_t i = 0; i < items.size(); ++i) out.items[i] = items[i];
    return out;
  }

 private:
  struct Impl {
    Impl(std::string_view src, Dialect d);
    std::unique_ptr<char[]> buffer;
    std::string_view source;
    Dialect dialect;
    Arena arena;
    std::vector<Statement> statements;
  };
  std::unique_ptr<Impl> impl_;
};

Location location_of(std::string_view source, uint32_t offset);

// ---------------------------------------------------------------- equality and walking

// Structural equality, ignoring positions and spelling (see the file comment).
bool equal(const Expr* a, const Expr* b);
bool equal(const Query* a, const Query* b);
bool equal(const TableRef* a, const TableRef* b);
bool equal(const Statement& a, const Statement& b);
bool equal(const Ast& a, const Ast& b);  // same number of statements, pairwise equal

// Calls `fn` on each direct child node of `node` (expressions, queries and table refs,
// including those inside window specs, CTEs, ORDER BY items and LIMIT). Pre-order walks
// are for_each_child applied recursively.
template <typename Fn>
void for_each_child(const Node* node, Fn&& fn);

}  // namespace askguru::sql

#include "askguru/sql/ast_walk.h"
