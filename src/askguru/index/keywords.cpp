#include "askguru/index/keywords.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "askguru/common/text.h"

namespace askguru::index {
namespace {

const std::unordered_set<std::string_view>& stop_words() {
  static const std::unordered_set<std::string_view> kWords = {
      "a", "about", "above", "after", "again", "against", "all", "also", "am", "among", "an", "and", "any", "are",
      "as", "at", "average", "be", "been", "before", "being", "below", "between", "both", "but", "by", "can",
      "could", "count", "did", "do", "does", "doing", "down", "during", "each", "either", "ever", "every", "few",
      "find", "for", "from", "further", "give", "given", "had", "has", "have", "having", "he", "her", "here",
      "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "least", "less", "list",
      "many", "max", "maximum", "me", "min", "minimum", "more", "most", "much", "my", "name", "names", "no",
      "nor", "not", "number", "of", "off", "on", "once", "one", "only", "or", "order", "other", "our", "out",
      "over", "own", "please", "refer", "refers", "same", "she", "should", "show", "so", "some", "such", "than",
      "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
      "to", "too", "total", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
      "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "would", "you", "your", "s",
      "sum", "return", "tell", "provide", "state", "stated", "mentioned", "belong", "belongs"};
  return kWords;
}

bool is_word_char(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }

struct Token {
  std::string text;
  bool capitalised = false;
  bool sentence_start = false;
  bool break_after = false;  // punctuation follows: n-grams do not cross it
};

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  bool sentence_start = true;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!is_word_char(c)) {
      if (c != ' ' && c != '\t' && c != '\n' && !out.empty()) out.back().break_after = true;
      if (c == '.' || c == '?' || c == '!' || c == ';' || c == ':') sentence_start = true;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size()) {
      unsigned char d = static_cast<unsigned char>(s[j]);
      if (is_word_char(d)) {
        ++j;
      } else if ((d == '\'' || d == '-' || d == '.' || d == '&') && j + 1 < s.size() &&
                 is_word_char(static_cast<unsigned char>(s[j + 1])) && j > i) {
        ++j;
      } else {
        break;
      }
    }
    std::string word(s.substr(i, j - i));
    if (word.size() > 2 && (word.ends_with("'s") || word.ends_with("'S"))) word.resize(word.size() - 2);
    // A dot at the end of a word ends a sentence ("... Harvard." ); inner dots stay ("U.S").
    Token t;
    t.capitalised = std::isupper(static_cast<unsigned char>(word[0])) != 0;
    t.sentence_start = sentence_start;
    t.text = std::move(word);
    out.push_back(std::move(t));
    sentence_start = false;
    i = j;
  }
  return out;
}

void extract_quoted(std::string_view text, std::vector<std::string>& out) {
  for (size_t i = 0; i < text.size(); ++i) {
    char q = text[i];
    if (q != '\'' && q != '"') continue;
    // An apostrophe inside a word ("Sanders's", "don't") does not open a quote.
    if (q == '\'' && i > 0 && is_word_char(static_cast<unsigned char>(text[i - 1]))) continue;
    size_t end = text.find(q, i + 1);
    while (end != std::string_view::npos && q == '\'' && end + 1 < text.size() &&
           is_word_char(static_cast<unsigned char>(text[end + 1]))) {
      end = text.find(q, end + 1);  // "'O'Brien'"-like: the closing quote is not followed by a letter
    }
    if (end == std::string_view::npos) break;
    std::string_view inner = text.substr(i + 1, end - i - 1);
    if (!text::trim(inner).empty() && inner.size() <= 200) out.emplace_back(inner);
    i = end;
  }
}

}  // namespace

bool is_stop_word(std::string_view lower_word) { return stop_words().count(lower_word) > 0; }

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  for (Token& t : tokenize(text)) out.push_back(std::move(t.text));
  return out;
}

std::vector<std::string> quoted_strings(std::string_view text) {
  std::vector<std::string> out;
  extract_quoted(text, out);
  return out;
}

std::vector<Keyword> question_keywords(std::string_view question, std::string_view evidence,
                                       const KeywordOptions& options) {
  std::vector<Keyword> out;
  std::unordered_map<std::string, size_t> seen;  // lower-case text -> index in out
  auto add = [&](std::string text, double weight, bool quoted) {
    std::string key = text::to_lower(text);
    if (key.empty()) return;
    auto it = seen.find(key);
    if (it != seen.end()) {
      Keyword& k = out[it->second];
      if (weight > k.weight) k.weight = weight;
      k.quoted = k.quoted || quoted;
      return;
    }
    seen.emplace(std::move(key), out.size());
    out.push_back({std::move(text), weight, quoted});
  };

  // Dates written as 9/14/2019 or 2019/9/14: also as stored, 2019-09-14.
  for (std::string_view source : {question, evidence}) {
    for (size_t i = 0; i < source.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(source[i])) || (i > 0 && std::isdigit(static_cast<unsigned char>(source[i - 1])))) continue;
      int parts[3] = {0, 0, 0};
      size_t digits[3] = {0, 0, 0};
      size_t j = i;
      int n = 0;
      for (; n < 3; ++n) {
        while (j < source.size() && std::isdigit(static_cast<unsigned char>(source[j])) && digits[n] < 4) {
          parts[n] = parts[n] * 10 + (source[j] - '0');
          ++digits[n];
          ++j;
        }
        if (digits[n] == 0) break;
        if (n < 2 && (j >= source.size() || source[j] != '/')) break;
        if (n < 2) ++j;
      }
      if (n < 3 && !(n == 2 && digits[2] > 0)) continue;
      int year, month, day;
      if (digits[0] == 4) {
        year = parts[0], month = parts[1], day = parts[2];
      } else if (digits[2] == 4) {
        year = parts[2], month = parts[0], day = parts[1];
      } else {
        continue;
      }
      if (month < 1 || month > 12 || day < 1 || day > 31) continue;
      char iso[16];
      std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", year, month, day);
      add(iso, 1.0, false);
      i = j;
    }
  }
  // Dates written with a month name: "September 7th, 1987", "7 September 1987".
  for (std::string_view source : {question, evidence}) {
    static const char* kMonths[] = {"january", "february", "march", "april", "may", "june", "july",
                                    "august", "september", "october", "november", "december"};
    std::vector<Token> tokens = tokenize(source);
    auto month_of = [&](const std::string& w) {
      std::string l = text::to_lower(w);
      for (int m = 0; m < 12; ++m) {
        std::string_view name = kMonths[m];
        if (l == name || (l.size() == 3 && name.starts_with(l) && m != 4)) return m + 1;
      }
      return 0;
    };
    auto number_of = [](const std::string& w, int max_digits) {
      int v = 0, digits = 0;
      size_t i = 0;
      while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i])) && digits < max_digits) v = v * 10 + (w[i++] - '0'), ++digits;
      std::string rest = text::to_lower(w.substr(i));
      bool ok = digits > 0 && (rest.empty() || rest == "st" || rest == "nd" || rest == "rd" || rest == "th");
      return ok ? std::pair{v, digits} : std::pair{-1, 0};
    };
    for (size_t i = 0; i + 2 < tokens.size(); ++i) {
      int month = 0, day = -1, year = -1;
      if ((month = month_of(tokens[i].text)) > 0) {  // September 7th, 1987
        auto d = number_of(tokens[i + 1].text, 2);
        auto y = number_of(tokens[i + 2].text, 4);
        if (d.second > 0 && y.second == 4) day = d.first, year = y.first;
      } else if ((month = month_of(tokens[i + 1].text)) > 0) {  // 7 September 1987
        auto d = number_of(tokens[i].text, 2);
        auto y = number_of(tokens[i + 2].text, 4);
        if (d.second > 0 && y.second == 4) day = d.first, year = y.first;
      }
      if (month > 0 && day >= 1 && day <= 31 && year >= 0) {
        char iso[16];
        std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", year, month, day);
        add(iso, 1.0, false);
      }
    }
  }
  for (std::string_view source : {question, evidence}) {
    std::vector<std::string> quoted;
    extract_quoted(source, quoted);
    for (std::string& q : quoted) add(std::string(text::trim(q)), 1.0, true);
  }
  for (int pass = 0; pass < 2; ++pass) {
    std::string_view source = pass == 0 ? question : evidence;
    const double base = pass == 0 ? 1.0 : 0.9;
    std::vector<Token> tokens = tokenize(source);
    std::vector<std::string> lower(tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) lower[i] = text::to_lower(tokens[i].text);
    for (size_t n = std::min<size_t>(options.max_ngram, tokens.size()); n >= 1; --n) {
      for (size_t i = 0; i + n <= tokens.size(); ++i) {
        bool crosses = false;
        for (size_t j = i; j + 1 < i + n; ++j) crosses = crosses || tokens[j].break_after;
        if (crosses) continue;
        if (is_stop_word(lower[i]) || is_stop_word(lower[i + n - 1])) continue;
        bool capitalised = true;
        bool has_alpha = false;
        std::string text;
        for (size_t j = i; j < i + n; ++j) {
          if (j > i) text += ' ';
          text += tokens[j].text;
          bool cap = tokens[j].capitalised && !(tokens[j].sentence_start && n == 1);
          if (!is_stop_word(lower[j])) capitalised = capitalised && cap;
          for (char c : tokens[j].text) has_alpha = has_alpha || std::isalpha(static_cast<unsigned char>(c)) != 0;
        }
        double weight = base * (capitalised ? 0.95 : 0.85);
        if (!has_alpha) weight = base * 0.8;  // bare numbers are rarely stored as text
        add(std::move(text), weight, false);
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Keyword& a, const Keyword& b) { return a.weight > b.weight; });
  return out;
}

}  // namespace askguru::index
