#include "askguru/common/embedded.h"

namespace askguru::embedded {

const std::map<std::string, std::string_view>& files() {
  static const std::map<std::string, std::string_view> table = [] {
    std::map<std::string, std::string_view> map;
    for (const Entry* entry = kTable; entry->name; ++entry) map.emplace(entry->name, entry->content);
    return map;
  }();
  return table;
}

const std::string_view* find(const std::string& name) {
  auto it = files().find(name);
  return it == files().end() ? nullptr : &it->second;
}

}  // namespace askguru::embedded
