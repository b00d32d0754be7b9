// Keywords for value lookup, taken from a question (and, for BIRD, its evidence)
// without an LLM: quoted strings, and word n-grams that neither start nor end with a
// stop word. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace askguru::index {

struct Keyword {
  std::string text;     // as written in the question
  double weight = 1.0;  // how likely it names a stored value: quoted > capitalised > other
  bool quoted = false;
};

struct KeywordOptions {
  size_t max_ngram = 4;  // longest word n-gram
};

// Words of a text: letters, digits and inner apostrophes/hyphens/dots/ampersands;
// a trailing possessive "'s" is dropped ("Sanders's" -> "Sanders").
std::vector<std::string> words(std::string_view text);
bool is_stop_word(std::string_view lower_word);

// Keywords of a question and its evidence, most likely first, without duplicates
// (case-insensitive).
std::vector<Keyword> question_keywords(std::string_view question, std::string_view evidence = {},
                                       const KeywordOptions& options = {});

// Strings between matching quotes ('...', "...", `...` excluded) in `text`.
std::vector<std::string> quoted_strings(std::string_view text);

}  // namespace askguru::index
