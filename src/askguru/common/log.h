// Logging: spdlog to stderr. Call log::init once from main; library code logs
// through spdlog's default logger (thread-safe).
#pragma once

#include <string_view>

namespace askguru::log {

// level: "trace", "debug", "info", "warn", "error", "off".
void init(std::string_view level);

}  // namespace askguru::log
