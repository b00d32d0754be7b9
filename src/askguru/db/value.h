// A database value that keeps its storage class: NULL, INTEGER, REAL, TEXT or BLOB.
// Server backends convert into these classes (see issue #7): numerics that fit
// stay INTEGER, dates and timestamps become ISO TEXT. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace askguru::db {

enum class ValueType { kNull, kInteger, kReal, kText, kBlob };

struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

class Value {
 public:
  Value() = default;  // NULL
  static Value integer(int64_t v) { return Value(Storage(v)); }
  static Value real(double v) { return Value(Storage(v)); }
  static Value text(std::string v) { return Value(Storage(std::move(v))); }
  static Value blob(std::string bytes) { return Value(Storage(Blob{std::move(bytes)})); }

  ValueType type() const { return static_cast<ValueType>(data_.index()); }
  bool is_null() const { return type() == ValueType::kNull; }
  int64_t as_integer() const { return std::get<int64_t>(data_); }
  double as_real() const { return std::get<double>(data_); }
  const std::string& as_text() const { return std::get<std::string>(data_); }
  const std::string& as_blob() const { return std::get<Blob>(data_).bytes; }

  // For display: NULL prints as "NULL", reals as Python's repr would print them
  // (shortest round-trip form, "1.0" not "1"), blobs as x'..'.
  std::string to_string() const;

  // Exact equality including the storage class (1 != 1.0 here; the scorers
  // define their own equivalences in eval/).
  bool operator==(const Value& other) const = default;

 private:
  using Storage = std::variant<std::monostate, int64_t, double, std::string, Blob>;
  explicit Value(Storage data) : data_(std::move(data)) {}
  Storage data_;
};

const char* value_type_name(ValueType type);

}  // namespace askguru::db
