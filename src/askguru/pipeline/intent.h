// Write intent: whether a question asks to change data ("Delete the orders of
// 2019", "Update the price of ...", "Add a new supplier"). askguru only reads, so
// such a question is refused before any LLM call; the guardrail still refuses any
// write statement a generator might produce for an innocent question.
// Pure function; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace askguru::pipeline {

// The reason to refuse ("the question asks to delete data"), or nullopt.
std::optional<std::string> write_intent(std::string_view question);

}  // namespace askguru::pipeline
