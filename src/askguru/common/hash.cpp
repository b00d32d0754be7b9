#include "askguru/common/hash.h"

#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace askguru::hash {

uint64_t xxh64(std::string_view data, uint64_t seed) { return XXH3_64bits_withSeed(data.data(), data.size(), seed); }

std::string hex64(uint64_t value) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
  return buf;
}

Result<uint64_t> file_xxh64(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return make_error(ErrorCode::kIoError, "cannot read " + path + ": " + std::strerror(errno));
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state(XXH3_createState(), &XXH3_freeState);
  XXH3_64bits_reset(state.get());
  std::vector<char> buffer(1 << 20);
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) XXH3_64bits_update(state.get(), buffer.data(), n);
  if (std::ferror(file.get())) return make_error(ErrorCode::kIoError, "error reading " + path);
  return static_cast<uint64_t>(XXH3_64bits_digest(state.get()));
}

}  // namespace askguru::hash
