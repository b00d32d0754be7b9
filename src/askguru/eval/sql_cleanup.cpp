#include "askguru/eval/sql_cleanup.h"

#include <re2/re2.h>

#include <cctype>

#include "askguru/common/text.h"

namespace askguru::eval {
namespace {

bool is_word_start(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool is_word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80 || c == '$'; }

// Python's str.strip() on ASCII whitespace (the characters that matter in SQL files).
std::string_view py_strip(std::string_view s) {
  const char* ws = " \t\n\r\f\v";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// Index just past the quoted token starting at s[i] (quote char q, closing char close).
size_t skip_quoted(std::string_view s, size_t i, char close) {
  size_t j = i + 1;
  while (j < s.size()) {
    if (s[j] == close) {
      // A doubled quote is an escaped quote inside the token ('it''s').
      if (close != ']' && j + 1 < s.size() && s[j + 1] == close) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    ++j;
  }
  return s.size();
}

}  // namespace

std::string spider_plug_value(std::string sql) { return text::replace_all(std::move(sql), " value ", " 1 "); }

std::string spider_postprocess(std::string sql) {
  sql = text::replace_all(std::move(sql), "> =", ">=");
  sql = text::replace_all(std::move(sql), "< =", "<=");
  return text::replace_all(std::move(sql), "! =", "!=");
}

std::string spider_remove_distinct(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t j = i + 1;
    if (c == '\'' || c == '"' || c == '`') {
      j = skip_quoted(s, i, static_cast<char>(c));
    } else if (c == '[') {
      j = skip_quoted(s, i, ']');
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      j = s.find('\n', i);
      j = j == std::string_view::npos ? s.size() : j + 1;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      j = s.find("*/", i + 2);
      j = j == std::string_view::npos ? s.size() : j + 2;
    } else if (c == ';') {
      // sqlparse.parse(s)[0] is the first statement only: it ends after the ';' and
      // the blanks that follow it on the same line.
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      out.append(s.substr(i, j - i));
      return out;
    } else if (std::isdigit(c)) {
      while (j < s.size() && is_word_char(static_cast<unsigned char>(s[j]))) ++j;
    } else if (is_word_start(c)) {
      while (j < s.size() && is_word_char(static_cast<unsigned char>(s[j]))) ++j;
      if (text::iequals(s.substr(i, j - i), "distinct")) {
        i = j;
        continue;
      }
    }
    out.append(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string spider_replace_cur_year(std::string_view sql) {
  static const RE2 kCurYear(R"((?i)YEAR\s*\(\s*CURDATE\s*\(\s*\)\s*\)\s*)");
  std::string out(sql);
  RE2::GlobalReplace(&out, kCurYear, "2020");
  return out;
}

bool spider_order_matters(std::string_view gold_sql) {
  return text::to_lower(gold_sql).find("order by") != std::string::npos;
}

bool python_rejects_as_several_statements(std::string_view s) {
  size_t i = 0;
  // Find the ';' that ends the first statement.
  while (i < s.size() && s[i] != ';') {
    const char c = s[i];
    if (c == '\'' || c == '"' || c == '`') {
      i = skip_quoted(s, i, c);
    } else if (c == '[') {
      i = skip_quoted(s, i, ']');
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      size_t j = s.find('\n', i);
      i = j == std::string_view::npos ? s.size() : j + 1;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t j = s.find("*/", i + 2);
      i = j == std::string_view::npos ? s.size() : j + 2;
    } else {
      ++i;
    }
  }
  if (i >= s.size()) return false;
  // After it, Python's sqlite3 allows only whitespace and comments (not even another ';').
  ++i;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c)) {
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      size_t j = s.find('\n', i);
      i = j == std::string_view::npos ? s.size() : j + 1;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t j = s.find("*/", i + 2);
      i = j == std::string_view::npos ? s.size() : j + 2;
    } else {
      return true;
    }
  }
  return false;
}

bool is_blank_sql(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c) || c == ';') {
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      size_t j = s.find('\n', i);
      i = j == std::string_view::npos ? s.size() : j + 1;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t j = s.find("*/", i + 2);
      i = j == std::string_view::npos ? s.size() : j + 2;
    } else {
      return false;
    }
  }
  return true;
}

std::string bird_split_prediction(std::string_view value, std::string* db_id) {
  size_t first = value.find(kBirdSeparator);
  if (first != std::string_view::npos && value.find(kBirdSeparator, first + kBirdSeparator.size()) == std::string_view::npos) {
    if (db_id) *db_id = std::string(value.substr(first + kBirdSeparator.size()));
    return std::string(value.substr(0, first));
  }
  if (db_id) db_id->clear();
  return std::string(py_strip(value));
}

}  // namespace askguru::eval
