// Content hashing (xxHash3, 64 bit) for cache keys and database fingerprints. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "askguru/common/status.h"

namespace askguru::hash {

uint64_t xxh64(std::string_view data, uint64_t seed = 0);
// 16 lower-case hex digits.
std::string hex64(uint64_t value);
// Hash of a whole file's bytes, streamed.
Result<uint64_t> file_xxh64(const std::string& path);

}  // namespace askguru::hash
