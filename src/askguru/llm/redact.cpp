#include "askguru/llm/redact.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

#include "askguru/common/text.h"

namespace askguru::llm {
namespace {

std::mutex& secrets_mutex() {
  static std::mutex mu;
  return mu;
}

// Longest first, so that a secret containing another is replaced whole.
struct LongerFirst {
  bool operator()(const std::string& a, const std::string& b) const {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  }
};

std::set<std::string, LongerFirst>& secrets() {
  static std::set<std::string, LongerFirst> s;
  return s;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' ||
         c == '/' || c == '=';
}

// Replaces the token that follows each (case-insensitive) `marker`.
std::string redact_after(std::string text, std::string_view marker) {
  std::string lower = text::to_lower(text);
  const std::string lower_marker = text::to_lower(marker);
  size_t pos = 0;
  while ((pos = lower.find(lower_marker, pos)) != std::string::npos) {
    size_t start = pos + lower_marker.size();
    while (start < text.size() && (text[start] == ' ' || text[start] == '"' || text[start] == '\'')) ++start;
    size_t end = start;
    while (end < text.size() && is_token_char(text[end])) ++end;
    if (end > start && text.compare(start, end - start, kRedacted) != 0) {
      text.replace(start, end - start, kRedacted);
      lower.replace(start, end - start, kRedacted);
    }
    pos = start + 1;
  }
  return text;
}

}  // namespace

void register_secret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard<std::mutex> lock(secrets_mutex());
  secrets().emplace(secret);
}

std::string redact(std::string_view input) {
  std::string out(input);
  {
    std::lock_guard<std::mutex> lock(secrets_mutex());
    for (const std::string& secret : secrets()) {
      size_t pos = 0;
      while ((pos = out.find(secret, pos)) != std::string::npos) {
        out.replace(pos, secret.size(), kRedacted);
        pos += kRedacted.size();
      }
    }
  }
  for (std::string_view marker : {"bearer ", "x-api-key:", "api-key:", "x-goog-api-key:", "\"x-api-key\":"}) {
    out = redact_after(std::move(out), marker);
  }
  return out;
}

Status redact(const Status& status) {
  if (status.ok()) return status;
  return Status(status.code(), redact(status.message()));
}

void log_redacted(std::string_view level, std::string_view message) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (!spdlog::default_logger_raw()->should_log(lvl)) return;
  spdlog::log(lvl, "{}", redact(message));
}

}  // namespace askguru::llm
