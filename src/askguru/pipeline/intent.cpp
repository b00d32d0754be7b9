#include "askguru/pipeline/intent.h"

#include <map>
#include <set>
#include <vector>

#include "askguru/common/text.h"
#include "askguru/index/keywords.h"

namespace askguru::pipeline {

std::optional<std::string> write_intent(std::string_view question) {
  // Imperative verbs that change data, and SQL statements pasted as questions.
  static const std::map<std::string, std::string> kVerbs = {
      {"delete", "delete"}, {"remove", "delete"},   {"erase", "delete"},   {"purge", "delete"},
      {"drop", "drop"},     {"truncate", "delete"}, {"update", "update"},  {"modify", "update"},
      {"change", "update"}, {"set", "update"},      {"rename", "update"},  {"increase", "update"},
      {"decrease", "update"}, {"insert", "insert"}, {"add", "insert"},     {"create", "create"},
      {"alter", "alter"},   {"grant", "grant"},     {"revoke", "revoke"},  {"replace", "update"},
      {"merge", "update"},  {"overwrite", "update"}};
  static const std::set<std::string> kPolite = {"please", "can", "could", "would", "you", "kindly", "go", "ahead",
                                                   "and", "now", "i", "want", "to", "need", "let's", "lets"};
  std::vector<std::string> words = index::words(question);
  // Skip a polite preamble ("Could you please ..."), then look at the first verb.
  size_t i = 0;
  while (i < words.size() && i < 6 && kPolite.count(text::to_lower(words[i]))) ++i;
  if (i >= words.size()) return std::nullopt;
  auto it = kVerbs.find(text::to_lower(words[i]));
  if (it == kVerbs.end()) return std::nullopt;
  // "Add up", "Set of" read as questions, not orders.
  if (i + 1 < words.size()) {
    std::string next = text::to_lower(words[i + 1]);
    if ((it->first == "add" && next == "up") || (it->first == "set" && next == "of")) return std::nullopt;
  }
  return "the question asks to " + it->second + " data (\"" + words[i] +
         " ...\"); askguru answers questions with read-only queries and never changes a database";
}

}  // namespace askguru::pipeline
