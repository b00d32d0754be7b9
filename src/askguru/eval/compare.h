// Result comparison exactly as the official scorers compare fetched rows.
//
// The official scorers are Python programs: they compare the lists of tuples that
// Python's sqlite3 module returns, with Python's equality and hashing. This file
// mirrors those semantics on db::Value rows:
//   - INTEGER and REAL compare numerically and exactly (1 == 1.0, 2**53+1 != 2.0**53),
//     and equal numbers hash alike (so sets and multisets agree with Python);
//   - TEXT never equals a number ('1' != 1), BLOB (bytes) never equals TEXT (str);
//   - NULL == NULL (None == None), also inside tuples; NaN never equals anything.
//
// bird_result_eq is BIRD's `set(predicted_res) == set(ground_truth_res)`
// (evaluation.py, mini_dev evaluation_ex.py). spider_result_eq is test-suite-sql-eval's
// exec_eval.result_eq: order matters only when asked, multiset comparison otherwise,
// and a permutation of the columns may be applied to the prediction.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/db/result_set.h"

namespace askguru::eval {

using Rows = std::vector<db::Row>;

// Python's `a == b` for the values Python's sqlite3 module returns.
bool py_equal(const db::Value& a, const db::Value& b);
// A hash consistent with py_equal (1 and 1.0 hash alike).
size_t py_hash(const db::Value& v);
// Python's tuple equality and a hash consistent with it.
bool py_row_equal(const db::Row& a, const db::Row& b);
size_t py_row_hash(const db::Row& row);

struct PyRowHash {
  size_t operator()(const db::Row& row) const { return py_row_hash(row); }
};
struct PyRowEqual {
  bool operator()(const db::Row& a, const db::Row& b) const { return py_row_equal(a, b); }
};

// Python's repr(float) (== str(float)): shortest round-trip digits, "1.0", "1e+16", "1e-05".
std::string py_float_repr(double v);
// Python's str(x) and str(type(x)) for the value Python's sqlite3 returns
// (int, float, str, bytes, None).
std::string py_str(const db::Value& v);
const char* py_type_str(const db::Value& v);

// UTF-8 helpers: Python's sqlite3 decodes TEXT strictly by default (BIRD: invalid
// UTF-8 raises), test-suite-sql-eval decodes with errors="ignore" (invalid bytes dropped).
bool utf8_valid(std::string_view s);
std::string utf8_drop_invalid(std::string_view s);
// True when some TEXT value in `rows` is not valid UTF-8.
bool has_invalid_utf8(const Rows& rows);
// Rows with every TEXT value passed through utf8_drop_invalid.
Rows drop_invalid_utf8(const Rows& rows);

// BIRD: set(predicted) == set(gold). Column order matters, duplicates and row order do not.
bool bird_result_eq(const Rows& predicted, const Rows& gold);

// test-suite-sql-eval exec_eval.result_eq(result1, result2, order_matters), called
// there as result_eq(gold, predicted, ...). The random sampling that prunes column
// permutations upstream only removes impossible ones, so this deterministic search
// gives the same answer.
bool spider_result_eq(const Rows& result1, const Rows& result2, bool order_matters);

}  // namespace askguru::eval
