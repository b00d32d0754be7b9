// Arena: a bump allocator for AST nodes, lists and unescaped strings.
//
// Everything allocated from an Arena lives until the Arena is destroyed; nothing is
// freed one by one and no destructor runs, so only trivially destructible types may be
// allocated (checked at compile time). Allocation is a pointer bump in the current
// block; blocks grow geometrically. Not thread-safe: one Arena belongs to one Ast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace askguru::sql {

class Arena {
 public:
  explicit Arena(size_t first_block = 4096) : next_block_size_(first_block < 256 ? 256 : first_block) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* allocate(size_t size, size_t align) {
    uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + (align - 1)) & ~(uintptr_t(align) - 1);
    if (cur_ == nullptr || p + size > reinterpret_cast<uintptr_t>(end_)) return allocate_slow(size, align);
    cur_ = reinterpret_cast<char*>(p + size);
    return reinterpret_cast<void*>(p);
  }

  template <typename T, typename... Args>
  T* make(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    return new (allocate(sizeof(T), alignof(T))) T(std::forward<Args>(args)...);
  }

  // An uninitialised array of n T (T trivially destructible and default-constructible).
  template <typename T>
  T* make_array(size_t n) {
    static_assert(std::is_trivially_destructible_v<T>, "arena objects are never destroyed");
    if (n == 0) return nullptr;
    T* out = static_cast<T*>(allocate(sizeof(T) * n, alignof(T)));
    for (size_t i = 0; i < n; ++i) new (out + i) T();
    return out;
  }

  // Copies `s` into the arena; the view stays valid for the arena's lifetime.
  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Bytes handed out so far (including alignment padding), and bytes reserved in blocks.
  size_t used_bytes() const { return used_ + static_cast<size_t>(cur_ - block_begin_); }
  size_t reserved_bytes() const { return reserved_; }

 private:
  void* allocate_slow(size_t size, size_t align) {
    used_ += static_cast<size_t>(cur_ - block_begin_);
    size_t need = size + align;
    size_t block = next_block_size_;
    while (block < need) block *= 2;
    if (next_block_size_ < (size_t(1) << 20)) next_block_size_ *= 2;
    blocks_.push_back(std::make_unique<char[]>(block));
    reserved_ += block;
    block_begin_ = cur_ = blocks_.back().get();
    end_ = cur_ + block;
    uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + (align - 1)) & ~(uintptr_t(align) - 1);
    cur_ = reinterpret_cast<char*>(p + size);
    return reinterpret_cast<void*>(p);
  }

  char* block_begin_ = nullptr;
  char* cur_ = nullptr;
  char* end_ = nullptr;
  size_t next_block_size_;
  size_t used_ = 0;
  size_t reserved_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
};

// A read-only array living in an Arena: a pointer and a count. Cheap to copy.
template <typename T>
struct List {
  T* items = nullptr;
  uint32_t count = 0;

  size_t size() const { return count; }
  bool empty() const { return count == 0; }
  T* begin() const { return items; }
  T* end() const { return items + count; }
  T& operator[](size_t i) const { return items[i]; }
  T& front() const { return items[0]; }
  T& back() const { return items[count - 1]; }
};

}  // namespace askguru::sql
