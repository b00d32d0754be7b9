#include "askguru/llm/sql_extract.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>

#include "askguru/common/text.h"

namespace askguru::llm {

namespace {

using nlohmann::json;

size_t find_ci(std::string_view hay, std::string_view needle, size_t from = 0) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && std::tolower(static_cast<unsigned char>(hay[i + k])) ==
                                    std::tolower(static_cast<unsigned char>(needle[k]))) {
      ++k;
    }
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

size_t rfind_ci(std::string_view hay, std::string_view needle) {
  size_t found = std::string_view::npos;
  for (size_t p = find_ci(hay, needle); p != std::string_view::npos; p = find_ci(hay, needle, p + 1)) found = p;
  return found;
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// The first word of `s` (letters, digits, _), upper-cased, skipping blanks, '(' and comments.
std::string first_keyword(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '(') {
      ++i;
    } else if (s.substr(i, 2) == "--") {
      const size_t eol = s.find('\n', i);
      i = eol == std::string_view::npos ? s.size() : eol + 1;
    } else if (s.substr(i, 2) == "/*") {
      const size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else {
      break;
    }
  }
  size_t j = i;
  while (j < s.size() && is_word_char(s[j])) ++j;
  return text::to_upper(s.substr(i, j - i));
}

bool is_query(std::string_view s) {
  const std::string k = first_keyword(s);
  return k == "SELECT" || k == "WITH" || k == "VALUES";
}

bool is_statement(std::string_view s) {
  static const std::set<std::string> kStatements = {"SELECT",  "WITH",    "VALUES", "INSERT",  "UPDATE",
                                                    "DELETE",  "CREATE",  "DROP",   "ALTER",   "PRAGMA",
                                                    "EXPLAIN", "REPLACE", "MERGE",  "TRUNCATE"};
  return kStatements.count(first_keyword(s)) > 0;
}

// Removes a wrapping of markdown bold/italics or inline backticks, and [SQL] tags.
std::string unwrap(std::string s) {
  s = std::string(text::trim(s));
  for (const char* tag : {"[SQL]", "[/SQL]", "<sql>", "</sql>"}) s = text::replace_all(std::move(s), tag, "");
  s = std::string(text::trim(s));
  bool changed = true;
  while (changed && s.size() >= 2) {
    changed = false;
    for (std::string_view w : {"**", "__", "`"}) {
      if (s.size() >= 2 * w.size() && s.compare(0, w.size(), w) == 0 &&
          s.compare(s.size() - w.size(), w.size(), w) == 0) {
        s = std::string(text::trim(std::string_view(s).substr(w.size(), s.size() - 2 * w.size())));
        changed = true;
      }
    }
    // "**SELECT ...;**" leaves "**" only at one end when the ';' sits inside.
    if (!changed && s.compare(0, 2, "**") == 0 && s.find("**", 2) == std::string::npos) {
      s = std::string(text::trim(std::string_view(s).substr(2)));
      changed = true;
    }
  }
  return s;
}

// Drops comment-only lines at the start, trailing ';' and blanks.
std::string tidy(std::string_view stmt) {
  std::string s(text::trim(stmt));
  while (true) {
    if (s.compare(0, 2, "--") == 0) {
      const size_t eol = s.find('\n');
      s = eol == std::string::npos ? "" : std::string(text::trim(std::string_view(s).substr(eol + 1)));
    } else if (s.compare(0, 2, "/*") == 0) {
      const size_t end = s.find("*/");
      s = end == std::string::npos ? "" : std::string(text::trim(std::string_view(s).substr(end + 2)));
    } else {
      break;
    }
  }
  while (!s.empty() && (s.back() == ';' || std::isspace(static_cast<unsigned char>(s.back())))) s.pop_back();
  // A trailing "**" of markdown bold after the statement.
  if (s.size() > 2 && s.compare(s.size() - 2, 2, "**") == 0) {
    s.resize(s.size() - 2);
    while (!s.empty() && (s.back() == ';' || std::isspace(static_cast<unsigned char>(s.back())))) s.pop_back();
  }
  return s;
}

// Picks the last query statement of a block of SQL text; "" if it has none.
std::string pick_statement(std::string_view block, bool queries_only) {
  const auto statements = split_sql_statements(unwrap(std::string(block)));
  std::string best;
  for (const auto& st : statements) {
    const std::string t = tidy(st);
    if (t.empty()) continue;
    if (queries_only ? is_query(t) : is_statement(t)) best = t;
  }
  return best;
}

struct Block {
  std::string lang;
  std::string body;
};

// Fenced (``` / ~~~, any length >= 3) and <sql> blocks, in order.
std::vector<Block> find_blocks(std::string_view s) {
  std::vector<Block> blocks;
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t tick = s.find("```", pos), tilde = s.find("~~~", pos), tag = find_ci(s, "<sql>", pos);
    const size_t p = std::min({tick, tilde, tag});
    if (p == std::string_view::npos) break;
    if (p == tag) {
      const size_t body = p + 5;
      const size_t end = find_ci(s, "</sql>", body);
      blocks.push_back({"sql", std::string(s.substr(body, end == std::string_view::npos ? s.npos : end - body))});
      pos = end == std::string_view::npos ? s.size() : end + 6;
      continue;
    }
    const char fc = s[p];
    size_t run = 0;
    while (p + run < s.size() && s[p + run] == fc) ++run;
    const std::string fence(run, fc);
    const size_t after = p + run;
    const size_t eol = std::min(s.find('\n', after), s.size());
    const std::string_view info = s.substr(after, eol - after);
    const size_t inline_close = info.find(fence);
    if (inline_close != std::string_view::npos) {  // ```SELECT 1``` or ```sql SELECT 1```
      std::string_view body = text::trim(info.substr(0, inline_close));
      std::string lang;
      if (text::istarts_with(body, "sql ")) {
        lang = "sql";
        body = body.substr(4);
      }
      blocks.push_back({lang, std::string(body)});
      pos = after + inline_close + run;
      continue;
    }
    std::string lang = text::to_lower(text::trim(info));
    const size_t space = lang.find_first_of(" \t{");
    if (space != std::string::npos) lang.resize(space);
    const size_t body_start = std::min(eol + 1, s.size());
    const size_t close = s.find(fence, body_start);
    if (close == std::string_view::npos) {
      blocks.push_back({lang, std::string(s.substr(body_start))});
      break;
    }
    blocks.push_back({lang, std::string(s.substr(body_start, close - body_start))});
    size_t next = close;
    while (next < s.size() && s[next] == fc) ++next;
    pos = next;
  }
  return blocks;
}

bool sql_lang(const std::string& lang) {
  return lang.empty() || lang.find("sql") != std::string::npos || lang == "oracle" || lang == "plsql";
}

// The SQL of the last (or first) fenced block that holds a query, else any statement.
std::string from_blocks(std::string_view s, bool first) {
  auto blocks = find_blocks(s);
  if (!first) std::reverse(blocks.begin(), blocks.end());
  for (bool queries_only : {true, false}) {
    for (const auto& block : blocks) {
      if (!sql_lang(block.lang)) continue;
      std::string sql = pick_statement(block.body, queries_only);
      if (!sql.empty()) return sql;
    }
  }
  return "";
}

bool prose_line(std::string_view line) {
  static const std::set<std::string> kProse = {
      "This",  "The",   "Here", "Here's",        "Note", "Explanation", "It", "I",       "We", "In", "That", "These",
      "Above", "Below", "Also", "Alternatively", "Let",  "Now",         "So", "Finally", "To", "If", "You",  "Thus"};
  line = text::trim(line);
  size_t j = 0;
  while (j < line.size() && (is_word_char(line[j]) || line[j] == '\'')) ++j;
  if (j > 0 && j < line.size() && line[j] == ':') return true;  // "SQLResult:", "Explanation:", "Answer:"
  return j < line.size() && (line[j] == ' ' || line[j] == ',') && kProse.count(std::string(line.substr(0, j))) > 0;
}

// From `start`, the statement up to its ';' (outside quotes), a blank line, a
// prose line, a fence or [/SQL], whichever comes first.
std::string statement_from(std::string_view s, size_t start) {
  std::string_view rest = s.substr(start);
  size_t end = rest.size();
  for (std::string_view stop : {"```", "~~~", "[/SQL]", "</sql>"}) end = std::min(end, rest.find(stop));
  rest = rest.substr(0, end);
  // Cut at a blank line or a prose line.
  size_t line_start = 0;
  bool first = true;
  while (line_start < rest.size()) {
    const size_t eol = std::min(rest.find('\n', line_start), rest.size());
    const std::string_view line = rest.substr(line_start, eol - line_start);
    if (!first && (text::trim(line).empty() || prose_line(line))) {
      rest = rest.substr(0, line_start);
      break;
    }
    first = false;
    line_start = eol + 1;
  }
  const auto statements = split_sql_statements(rest);
  return statements.empty() ? "" : tidy(unwrap(statements.front()));
}

// A line that starts a statement: its first word is SELECT/WITH (after bold or
// backticks), and it is SQL rather than prose ("Select the students..." is prose).
std::optional<size_t> first_statement_line(std::string_view s) {
  size_t line_start = 0;
  while (line_start < s.size()) {
    const size_t eol = std::min(s.find('\n', line_start), s.size());
    std::string_view line = s.substr(line_start, eol - line_start);
    size_t off = 0;
    while (off < line.size() && (line[off] == ' ' || line[off] == '\t' || line[off] == '*' || line[off] == '`' ||
                                 line[off] == '>' || line[off] == '(')) {
      ++off;
    }
    const std::string_view rest = line.substr(off);
    size_t j = 0;
    while (j < rest.size() && is_word_char(rest[j])) ++j;
    const std::string word(rest.substr(0, j));
    const bool upper = word == "SELECT" || word == "WITH";
    const bool lower = text::iequals(word, "select") || text::iequals(word, "with");
    if (upper || lower) {
      const std::string stmt = statement_from(s, line_start + off);
      const bool sql_like =
          upper || find_ci(stmt, " from ") != std::string::npos || find_ci(stmt, "\nfrom ") != std::string::npos;
      if (!stmt.empty() && sql_like &&
          (word.size() != 4 || find_ci(stmt, " as (") != std::string::npos ||
           find_ci(stmt, " as(") != std::string::npos || upper)) {
        return line_start + off;
      }
    }
    line_start = eol + 1;
  }
  return std::nullopt;
}

// A "SQL:" style label; returns the offset after it.
std::optional<size_t> after_label(std::string_view s) {
  std::optional<size_t> found;
  for (std::string_view label : {"sqlquery:", "sql query:", "sql:", "query:"}) {
    for (size_t p = find_ci(s, label); p != std::string_view::npos; p = find_ci(s, label, p + 1)) {
      // At a line start (after optional bold/space).
      size_t b = p;
      while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '*' || s[b - 1] == '#')) --b;
      if (b != 0 && s[b - 1] != '\n') continue;
      size_t after = p + label.size();
      while (after < s.size() && (s[after] == '*' || std::isspace(static_cast<unsigned char>(s[after])))) ++after;
      if (is_statement(s.substr(after))) found = after;  // the last label wins
    }
    if (found) return found;
  }
  return found;
}

// The last inline code span (`...`) that holds a query.
std::string from_code_spans(std::string_view s) {
  std::string best;
  size_t pos = 0;
  while (true) {
    const size_t a = s.find('`', pos);
    if (a == std::string_view::npos) break;
    const size_t b = s.find('`', a + 1);
    if (b == std::string_view::npos) break;
    const std::string sql = pick_statement(s.substr(a + 1, b - a - 1), true);
    if (!sql.empty()) best = sql;
    pos = b + 1;
  }
  return best;
}

// `first`: in a final-answer section the first block is the answer; elsewhere the last.
std::string find_sql(std::string_view s, bool first) {
  std::string sql = from_blocks(s, first);
  if (!sql.empty()) return sql;
  if (auto p = after_label(s)) {
    sql = statement_from(s, *p);
    if (!sql.empty()) return sql;
  }
  sql = from_code_spans(s);
  if (!sql.empty()) return sql;
  if (auto p = first_statement_line(s)) return statement_from(s, *p);
  return "";
}

std::string snippet(std::string_view s) {
  std::string t = text::replace_all(std::string(text::trim(s)), "\n", " ");
  return text::ellipsize(t, 120);
}

// The end of a balanced {...} starting at `open`, aware of JSON strings; npos when unbalanced.
size_t json_end(std::string_view s, size_t open) {
  int depth = 0;
  bool in_str = false;
  for (size_t i = open; i < s.size(); ++i) {
    const char c = s[i];
    if (in_str) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_str = false;
      }
      continue;
    }
    if (c == '"') in_str = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

// Removes commas before '}' or ']' outside strings ({"a": 1,} -> {"a": 1}).
std::string drop_trailing_commas(std::string_view s) {
  std::string out;
  bool in_str = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_str) {
      out += c;
      if (c == '\\' && i + 1 < s.size()) {
        out += s[++i];
      } else if (c == '"') {
        in_str = false;
      }
      continue;
    }
    if (c == '"') in_str = true;
    if (c == ',') {
      size_t j = i + 1;
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j < s.size() && (s[j] == '}' || s[j] == ']')) continue;
    }
    out += c;
  }
  return out;
}

// Parses the first JSON object of `s`; sets `truncated` when one opens but never closes.
std::optional<json> first_object(std::string_view s, bool& truncated) {
  for (size_t p = s.find('{'); p != std::string_view::npos; p = s.find('{', p + 1)) {
    const size_t end = json_end(s, p);
    if (end == std::string_view::npos) {
      truncated = true;
      continue;
    }
    const std::string_view candidate = s.substr(p, end - p);
    json j = json::parse(candidate, nullptr, false);
    if (j.is_discarded()) j = json::parse(drop_trailing_commas(candidate), nullptr, false);
    if (!j.is_discarded() && j.is_object()) return j;
  }
  return std::nullopt;
}

}  // namespace

std::string strip_thinking(std::string_view reply) {
  std::string s(reply);
  static const std::pair<const char*, const char*> kTags[] = {
      {"<think>", "</think>"}, {"<thinking>", "</thinking>"}, {"<reasoning>", "</reasoning>"}};
  for (const auto& [open_tag, close_tag] : kTags) {
    const std::string_view open = open_tag, close = close_tag;
    while (true) {
      const size_t a = find_ci(s, open);
      if (a == std::string::npos) break;
      const size_t b = find_ci(s, close, a + open.size());
      s.erase(a, b == std::string::npos ? std::string::npos : b + close.size() - a);
    }
    // A closing tag without its opening (servers that strip "<think>" from the reply).
    const size_t lone = rfind_ci(s, close);
    if (lone != std::string::npos) s.erase(0, lone + close.size());
  }
  // ReAct-style "Thought: ..." lines.
  std::string out;
  size_t line_start = 0;
  while (line_start < s.size()) {
    const size_t eol = std::min(s.find('\n', line_start), s.size());
    const std::string_view line = std::string_view(s).substr(line_start, eol - line_start);
    if (!text::istarts_with(text::trim(line), "thought:")) {
      out.append(line);
      if (eol < s.size()) out += '\n';
    }
    line_start = eol + 1;
  }
  return out;
}

std::vector<std::string> split_sql_statements(std::string_view sql) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      cur += c;
      if (c == quote) {
        if (i + 1 < sql.size() && sql[i + 1] == quote) {
          cur += sql[++i];  // doubled quote escapes itself
        } else {
          quote = 0;
        }
      }
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      cur += c;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t eol = std::min(sql.find('\n', i), sql.size());
      cur.append(sql.substr(i, eol - i));
      i = eol - 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const size_t end = sql.find("*/", i + 2);
      const size_t stop = end == std::string_view::npos ? sql.size() : end + 2;
      cur.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == ';') {
      if (!text::trim(cur).empty()) out.push_back(std::string(text::trim(cur)));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!text::trim(cur).empty()) out.push_back(std::string(text::trim(cur)));
  return out;
}

Result<std::string> extract_sql(std::string_view reply) {
  const std::string s = strip_thinking(reply);
  if (text::trim(s).empty()) {
    return make_error(ErrorCode::kParseError, text::trim(reply).empty()
                                                  ? "the reply is empty"
                                                  : "the reply holds only a thinking section, no SQL");
  }
  // A JSON reply: {"sql": "..."}.
  bool truncated = false;
  if (auto obj = first_object(s, truncated)) {
    for (const char* key : {"sql", "SQL", "query", "sql_query", "final_sql"}) {
      auto it = obj->find(key);
      if (it != obj->end() && it->is_string()) {
        std::string sql = pick_statement(it->get<std::string>(), false);
        if (!sql.empty()) return sql;
      }
    }
  }
  // A final-answer section, when it holds SQL.
  size_t marker = std::string::npos;
  for (std::string_view m : {"final answer", "final sql", "final query", "answer:"}) {
    const size_t p = rfind_ci(s, m);
    if (p != std::string::npos && (marker == std::string::npos || p > marker)) marker = p;
  }
  if (marker != std::string::npos) {
    std::string_view tail = std::string_view(s).substr(marker);
    const size_t eol = tail.find_first_of(":\n");
    // Skip the marker itself ("Final Answer:" / "**Final answer**").
    if (eol != std::string_view::npos) tail = tail.substr(eol + 1);
    std::string sql = find_sql(tail, true);
    if (sql.empty()) {
      // "Final answer: SELECT ..." on the marker's own line.
      const size_t p = std::string_view(s).substr(marker).find_first_of(':');
      if (p != std::string_view::npos && is_statement(std::string_view(s).substr(marker + p + 1))) {
        sql = statement_from(s, marker + p + 1);
      }
    }
    if (!sql.empty()) return sql;
  }
  std::string sql = find_sql(s, false);
  if (!sql.empty()) return sql;
  return make_error(ErrorCode::kParseError, "no SQL query found in the reply: \"" + snippet(s) + "\"");
}

Result<std::string> extract_json_object(std::string_view reply) {
  const std::string s = strip_thinking(reply);
  bool truncated = false;
  for (const auto& block : find_blocks(s)) {
    if (block.lang != "json" && !block.lang.empty()) continue;
    if (auto obj = first_object(block.body, truncated)) return obj->dump();
  }
  if (auto obj = first_object(s, truncated)) return obj->dump();
  if (truncated) {
    return make_error(ErrorCode::kParseError,
                      "truncated JSON object in the reply (a '{' is never closed): \"" + snippet(s) + "\"");
  }
  return make_error(ErrorCode::kParseError, "no JSON object found in the reply: \"" + snippet(s) + "\"");
}

}  // namespace askguru::llm
