#include "askguru/eval/compare.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "askguru/common/hash.h"

namespace askguru::eval {
namespace {

using db::Value;
using db::ValueType;

// A REAL that equals some int64 exactly: finite, integral and in range.
bool real_as_integer(double d, int64_t* out) {
  if (!std::isfinite(d) || d != std::trunc(d)) return false;
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

size_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return static_cast<size_t>(x);
}

// Length of the valid UTF-8 sequence at s[i], or 0 when invalid (maximal-subpart rules:
// `*skip` is how many bytes form the invalid prefix to drop).
size_t utf8_sequence(std::string_view s, size_t i, size_t* skip) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  *skip = 1;
  if (c < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) {
      *skip = k;
      return 0;
    }
    unsigned char x = b(i + k);
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (x < l || x > h) {
      *skip = k;
      return 0;
    }
  }
  return need + 1;
}

std::string bytes_repr(const std::string& bytes) {
  bool has_single = bytes.find('\'') != std::string::npos;
  bool has_double = bytes.find('"') != std::string::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  static const char* kHex = "0123456789abcdef";
  std::string out = "b";
  out += quote;
  for (unsigned char c : bytes) {
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

// test-suite-sql-eval's unorder_row: the row's values sorted (stably) by
// str(x) + str(type(x)).
db::Row unorder_row(const db::Row& row) {
  std::vector<std::string> keys;
  keys.reserve(row.size());
  for (const Value& v : row) keys.push_back(py_str(v) + py_type_str(v));
  std::vector<size_t> order(row.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  db::Row out;
  out.reserve(row.size());
  for (size_t i : order) out.push_back(row[i]);
  return out;
}

using RowSet = std::unordered_set<db::Row, PyRowHash, PyRowEqual>;
using RowCounts = std::unordered_map<db::Row, int64_t, PyRowHash, PyRowEqual>;

bool set_eq(const Rows& a, const Rows& b) {
  RowSet sa(a.begin(), a.end());
  RowSet sb(b.begin(), b.end());
  if (sa.size() != sb.size()) return false;
  for (const auto& row : sb) {
    if (!sa.count(row)) return false;
  }
  return true;
}

bool list_eq(const Rows& a, const Rows& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!py_row_equal(a[i], b[i])) return false;
  }
  return true;
}

bool multiset_eq(const Rows& a, const Rows& b) {
  if (a.size() != b.size()) return false;
  RowCounts counts;
  for (const auto& row : a) ++counts[row];
  for (const auto& row : b) {
    auto it = counts.find(row);
    if (it == counts.end() || --it->second < 0) return false;
  }
  return true;
}

bool quick_rej(const Rows& result1, const Rows& result2, bool order_matters) {
  Rows s1, s2;
  s1.reserve(result1.size());
  s2.reserve(result2.size());
  for (const auto& row : result1) s1.push_back(unorder_row(row));
  for (const auto& row : result2) s2.push_back(unorder_row(row));
  return order_matters ? list_eq(s1, s2) : set_eq(s1, s2);
}

struct ValueHash {
  size_t operator()(const Value& v) const { return py_hash(v); }
};
struct ValueEqual {
  bool operator()(const Value& a, const Value& b) const { return py_equal(a, b); }
};

// Column i of r1 against column j of r2: a necessary condition for a permutation
// that maps j to i (same sequence when order matters, same multiset otherwise).
bool columns_compatible(const Rows& r1, size_t i, const Rows& r2, size_t j, bool order_matters) {
  if (order_matters) {
    for (size_t k = 0; k < r1.size(); ++k) {
      if (!py_equal(r1[k][i], r2[k][j])) return false;
    }
    return true;
  }
  std::unordered_map<Value, int64_t, ValueHash, ValueEqual> counts;
  for (const auto& row : r1) ++counts[row[i]];
  for (const auto& row : r2) {
    auto it = counts.find(row[j]);
    if (it == counts.end() || --it->second < 0) return false;
  }
  return true;
}

bool columns_identical(const Rows& r, size_t a, size_t b) {
  for (const auto& row : r) {
    if (!py_equal(row[a], row[b])) return false;
  }
  return true;
}

class PermutationSearch {
 public:
  PermutationSearch(const Rows& r1, const Rows& r2, bool order_matters)
      : r1_(r1), r2_(r2), order_matters_(order_matters), n_(r1[0].size()) {
    compatible_.assign(n_, std::vector<char>(n_, 0));
    for (size_t i = 0; i < n_; ++i) {
      for (size_t j = 0; j < n_; ++j) compatible_[i][j] = columns_compatible(r1, i, r2, j, order_matters) ? 1 : 0;
    }
    // Columns of r2 with identical contents are interchangeable: use them in
    // increasing order only, so equivalent permutations are tried once.
    first_twin_.resize(n_);
    for (size_t j = 0; j < n_; ++j) {
      first_twin_[j] = j;
      for (size_t k = 0; k < j; ++k) {
        if (first_twin_[k] == k && columns_identical(r2, k, j)) {
          first_twin_[j] = k;
          break;
        }
      }
    }
    perm_.assign(n_, 0);
    used_.assign(n_, 0);
  }

  bool run() { return assign(0); }

 private:
  bool assign(size_t i) {
    if (i == n_) return check();
    for (size_t j = 0; j < n_; ++j) {
      if (used_[j] || !compatible_[i][j]) continue;
      if (!earlier_twins_used(j)) continue;
      used_[j] = 1;
      perm_[i] = j;
      bool found = assign(i + 1);
      used_[j] = 0;
      if (found) return true;
    }
    return false;
  }

  bool earlier_twins_used(size_t j) const {
    size_t root = first_twin_[j];
    if (root == j) return true;
    for (size_t k = root; k < j; ++k) {
      if (first_twin_[k] == root && !used_[k]) return false;
    }
    return true;
  }

  bool check() const {
    Rows permuted;
    permuted.reserve(r2_.size());
    for (const auto& row : r2_) {
      db::Row p;
      p.reserve(n_);
      for (size_t i = 0; i < n_; ++i) p.push_back(row[perm_[i]]);
      permuted.push_back(std::move(p));
    }
    return order_matters_ ? list_eq(r1_, permuted) : multiset_eq(r1_, permuted);
  }

  const Rows& r1_;
  const Rows& r2_;
  bool order_matters_;
  size_t n_;
  std::vector<std::vector<char>> compatible_;
  std::vector<size_t> first_twin_;
  std::vector<size_t> perm_;
  std::vector<char> used_;
};

}  // namespace

bool py_equal(const Value& a, const Value& b) {
  ValueType ta = a.type(), tb = b.type();
  switch (ta) {
    case ValueType::kNull: return tb == ValueType::kNull;
    case ValueType::kText: return tb == ValueType::kText && a.as_text() == b.as_text();
    case ValueType::kBlob: return tb == ValueType::kBlob && a.as_blob() == b.as_blob();
    case ValueType::kInteger:
      if (tb == ValueType::kInteger) return a.as_integer() == b.as_integer();
      if (tb == ValueType::kReal) {
        int64_t i;
        return real_as_integer(b.as_real(), &i) && i == a.as_integer();
      }
      return false;
    case ValueType::kReal:
      if (tb == ValueType::kReal) return a.as_real() == b.as_real();
      if (tb == ValueType::kInteger) {
        int64_t i;
        return real_as_integer(a.as_real(), &i) && i == b.as_integer();
      }
      return false;
  }
  return false;
}

size_t py_hash(const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: return 0x9e3779b97f4a7c15ULL;
    case ValueType::kInteger: return mix(static_cast<uint64_t>(v.as_integer()));
    case ValueType::kReal: {
      int64_t i;
      if (real_as_integer(v.as_real(), &i)) return mix(static_cast<uint64_t>(i));
      double d = v.as_real();
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return mix(bits ^ 0x5bd1e995ULL);
    }
    case ValueType::kText: return static_cast<size_t>(hash::xxh64(v.as_text(), 1));
    case ValueType::kBlob: return static_cast<size_t>(hash::xxh64(v.as_blob(), 2));
  }
  return 0;
}

bool py_row_equal(const db::Row& a, const db::Row& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!py_equal(a[i], b[i])) return false;
  }
  return true;
}

size_t py_row_hash(const db::Row& row) {
  size_t h = mix(row.size());
  for (const Value& v : row) h = mix(h * 31 + py_hash(v));
  return h;
}

std::string py_float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(end - buf));
  std::string sign;
  if (!s.empty() && s[0] == '-') {
    sign = "-";
    s.remove_prefix(1);
  }
  size_t epos = s.find('e');
  std::string_view mantissa = s.substr(0, epos);
  int exponent = 0;
  std::from_chars(s.data() + epos + 1 + (s[epos + 1] == '+' ? 1 : 0), s.data() + s.size(), exponent);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int decpt = exponent + 1;  // value = 0.DIGITS * 10^decpt
  const int ndigits = static_cast<int>(digits.size());
  std::string out = sign;
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (ndigits > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    int e = std::abs(exponent);
    if (e < 10) out += '0';
    out += std::to_string(e);
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-decpt), '0');
    out += digits;
  } else if (decpt >= ndigits) {
    out += digits;
    out.append(static_cast<size_t>(decpt - ndigits), '0');
    out += ".0";
  } else {
    out += digits.substr(0, static_cast<size_t>(decpt));
    out += '.';
    out += digits.substr(static_cast<size_t>(decpt));
  }
  return out;
}

std::string py_str(const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: return "None";
    case ValueType::kInteger: return std::to_string(v.as_integer());
    case ValueType::kReal: return py_float_repr(v.as_real());
    case ValueType::kText: return v.as_text();
    case ValueType::kBlob: return bytes_repr(v.as_blob());
  }
  return {};
}

const char* py_type_str(const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: return "<class 'NoneType'>";
    case ValueType::kInteger: return "<class 'int'>";
    case ValueType::kReal: return "<class 'float'>";
    case ValueType::kText: return "<class 'str'>";
    case ValueType::kBlob: return "<class 'bytes'>";
  }
  return "";
}

bool utf8_valid(std::string_view s) {
  size_t i = 0, skip = 0;
  while (i < s.size()) {
    size_t n = utf8_sequence(s, i, &skip);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string utf8_drop_invalid(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0, skip = 0;
  while (i < s.size()) {
    size_t n = utf8_sequence(s, i, &skip);
    if (n == 0) {
      i += skip;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

bool has_invalid_utf8(const Rows& rows) {
  for (const auto& row : rows) {
    for (const Value& v : row) {
      if (v.type() == ValueType::kText && !utf8_valid(v.as_text())) return true;
    }
  }
  return false;
}

Rows drop_invalid_utf8(const Rows& rows) {
  Rows out = rows;
  for (auto& row : out) {
    for (Value& v : row) {
      if (v.type() == ValueType::kText && !utf8_valid(v.as_text())) v = Value::text(utf8_drop_invalid(v.as_text()));
    }
  }
  return out;
}

bool bird_result_eq(const Rows& predicted, const Rows& gold) { return set_eq(predicted, gold); }

bool spider_result_eq(const Rows& result1, const Rows& result2, bool order_matters) {
  if (result1.empty() && result2.empty()) return true;
  if (result1.size() != result2.size()) return false;
  const size_t num_cols = result1[0].size();
  if (result2[0].size() != num_cols) return false;
  if (!quick_rej(result1, result2, order_matters)) return false;
  if (num_cols == 0) return true;
  return PermutationSearch(result1, result2, order_matters).run();
}

}  // namespace askguru::eval
