// Secret redaction for the LLM layer: API keys never reach logs, errors or output.
//
// Every key the client reads from the environment is registered here; redact()
// replaces each registered secret (and the value of any Authorization / x-api-key
// / api-key header or "Bearer" token written out in text) with "[REDACTED]".
// All functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "askguru/common/status.h"

namespace askguru::llm {

inline constexpr std::string_view kRedacted = "[REDACTED]";

// Remembers `secret` (ignored when shorter than 4 characters: too many false hits).
void register_secret(std::string_view secret);
// `text` with every registered secret and credential-looking token replaced.
std::string redact(std::string_view text);
// The same status with a redacted message.
Status redact(const Status& status);

// Logs through spdlog's default logger after redaction. level: spdlog's level
// names ("debug", "info", "warn", "error").
void log_redacted(std::string_view level, std::string_view message);

}  // namespace askguru::llm
