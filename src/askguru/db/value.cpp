#include "askguru/db/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace askguru::db {

const char* value_type_name(ValueType type) {
  switch (type) {
    case ValueType::kNull: return "null";
    case ValueType::kInteger: return "integer";
    case ValueType::kReal: return "real";
    case ValueType::kText: return "text";
    case ValueType::kBlob: return "blob";
  }
  return "null";
}

std::string Value::to_string() const {
  switch (type()) {
    case ValueType::kNull: return "NULL";
    case ValueType::kInteger: return std::to_string(as_integer());
    case ValueType::kReal: {
      double v = as_real();
      if (std::isnan(v)) return "nan";
      if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
      std::string s(buf, end);
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case ValueType::kText: return as_text();
    case ValueType::kBlob: {
      static const char* kHex = "0123456789abcdef";
      std::string out = "x'";
      for (unsigned char c : as_blob()) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out + "'";
    }
  }
  return {};
}

}  // namespace askguru::db
