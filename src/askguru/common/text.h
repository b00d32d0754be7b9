// Small string helpers shared by every module. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace askguru::text {

std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string replace_all(std::string s, std::string_view from, std::string_view to);

// Levenshtein distance over bytes; O(|a|*|b|) time, O(min) memory.
size_t edit_distance(std::string_view a, std::string_view b);
// 1 - distance / max(len): 1.0 for equal strings, 0.0 for nothing in common.
double edit_similarity(std::string_view a, std::string_view b);

// Cuts a string to at most `max_chars` bytes (at a UTF-8 boundary), adding "…" when cut.
std::string ellipsize(std::string_view s, size_t max_chars);
// Formats a byte count as "12.3 MiB".
std::string human_bytes(uint64_t bytes);

}  // namespace askguru::text
