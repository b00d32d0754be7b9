// Operator precedence per dialect, shared by the parser (how text groups) and the
// printer (where parentheses are needed). Higher binds tighter. Thread-safe (pure).
#pragma once

#include "askguru/common/dialect.h"
#include "askguru/sql/ast.h"

namespace askguru::sql {

enum class OpClass : uint8_t {
  kOr,
  kAnd,
  kNot,
  kIs,          // IS [NOT] NULL/TRUE/DISTINCT FROM, ISNULL, NOTNULL, SQLite a IS b
  kEquality,    // = == <> !=
  kRelational,  // < <= > >=
  kLikeIn,      // LIKE ILIKE GLOB REGEXP MATCH SIMILAR, IN, BETWEEN
  kBitwise,     // & | << >>
  kAdditive,    // + -
  kMultiplicative,
  kPow,         // ^ (PostgreSQL)
  kConcat,      // ||
  kJson,        // -> ->>
  kRegex,       // ~ (PostgreSQL)
  kUnary,       // - + ~ PRIOR
  kCollate,
  kCast,        // ::
  kPrimary,
};

inline int precedence(OpClass op, Dialect d) {
  switch (op) {
    case OpClass::kOr: return 1;
    case OpClass::kAnd: return 2;
    case OpClass::kNot: return 3;
    case OpClass::kIs: return d == Dialect::kPostgres ? 4 : 5;
    case OpClass::kEquality: return 5;
    case OpClass::kRelational: return d == Dialect::kSqlite ? 6 : 5;
    case OpClass::kLikeIn: return d == Dialect::kPostgres ? 7 : 5;
    case OpClass::kBitwise: return 8;
    case OpClass::kAdditive: return 9;
    case OpClass::kMultiplicative: return 10;
    case OpClass::kPow: return 11;
    case OpClass::kConcat: return d == Dialect::kSqlite ? 12 : d == Dialect::kOracle ? 9 : 8;
    case OpClass::kJson: return d == Dialect::kSqlite ? 12 : 8;
    case OpClass::kRegex: return 8;
    case OpClass::kUnary: return 13;
    case OpClass::kCollate: return 14;
    case OpClass::kCast: return 15;
    case OpClass::kPrimary: return 100;
  }
  return 100;
}

inline OpClass binary_op_class(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return OpClass::kOr;
    case BinaryOp::kAnd: return OpClass::kAnd;
    case BinaryOp::kEq:
    case BinaryOp::kNe: return OpClass::kEquality;
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe: return OpClass::kRelational;
    case BinaryOp::kIs:
    case BinaryOp::kIsNot:
    case BinaryOp::kIsDistinctFrom:
    case BinaryOp::kIsNotDistinctFrom: return OpClass::kIs;
    case BinaryOp::kAdd:
    case BinaryOp::kSub: return OpClass::kAdditive;
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod: return OpClass::kMultiplicative;
    case BinaryOp::kConcat: return OpClass::kConcat;
    case BinaryOp::kBitAnd:
    case BinaryOp::kBitOr:
    case BinaryOp::kShl:
    case BinaryOp::kShr: return OpClass::kBitwise;
    case BinaryOp::kPow: return OpClass::kPow;
    case BinaryOp::kJsonGet:
    case BinaryOp::kJsonGetText: return OpClass::kJson;
    case BinaryOp::kRegexMatch: return OpClass::kRegex;
  }
  return OpClass::kPrimary;
}

// The class an expression node binds as (kPrimary for atoms, calls, CASE, CAST(...)).
inline OpClass expr_op_class(const Expr* e) {
  switch (e->kind) {
    case NodeKind::kBinary: return binary_op_class(static_cast<const Binary*>(e)->op);
    case NodeKind::kUnary: {
      auto op = static_cast<const Unary*>(e)->op;
      return op == UnaryOp::kNot ? OpClass::kNot : OpClass::kUnary;
    }
    case NodeKind::kLike:
    case NodeKind::kBetween:
    case NodeKind::kInList:
    case NodeKind::kInQuery: return OpClass::kLikeIn;
    case NodeKind::kIsNull:
    case NodeKind::kIsBool: return OpClass::kIs;
    case NodeKind::kCollate: return OpClass::kCollate;
    case NodeKind::kCast:
      return static_cast<const Cast*>(e)->syntax == CastSyntax::kDoubleColon ? OpClass::kCast : OpClass::kPrimary;
    default: return OpClass::kPrimary;
  }
}

// Non-associative classes: an operand of the same level gets parentheses on either side.
inline bool is_comparison_class(OpClass c) {
  return c == OpClass::kIs || c == OpClass::kEquality || c == OpClass::kRelational || c == OpClass::kLikeIn;
}

}  // namespace askguru::sql
