// Little helpers for the index files' binary formats: append plain values and
// length-prefixed strings to a buffer, and read them back with bounds checks.
// Internal to index/; plain functions, thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace askguru::index::bin {

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}
inline void put_string(std::string& out, std::string_view s) {
  put<uint32_t>(out, static_cast<uint32_t>(s.size()));
  out.append(s.data(), s.size());
}

// Reads from the front of a view; every read returns false (and leaves `ok` false)
// once the data runs out.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  template <typename T>
  bool get(T& value) {
    if (!ok_ || data_.size() < sizeof value) return ok_ = false;
    std::memcpy(&value, data_.data(), sizeof value);
    data_.remove_prefix(sizeof value);
    return true;
  }
  bool get_string(std::string& s) {
    uint32_t n = 0;
    if (!get(n) || data_.size() < n) return ok_ = false;
    s.assign(data_.data(), n);
    data_.remove_prefix(n);
    return true;
  }
  bool expect(std::string_view magic) {
    if (!ok_ || data_.substr(0, magic.size()) != magic) return ok_ = false;
    data_.remove_prefix(magic.size());
    return true;
  }
  std::string_view& rest() { return data_; }
  bool ok() const { return ok_; }
  void fail() { ok_ = false; }

 private:
  std::string_view data_;
  bool ok_ = true;
};

}  // namespace askguru::index::bin
