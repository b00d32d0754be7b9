#include "askguru/sql/lexer.h"

#include <array>
#include <cstring>

namespace askguru::sql {
namespace {

constexpr std::string_view kKeywordTexts[] = {
    "",
#define AG_KW_TEXT(name) #name,
    AG_SQL_KEYWORDS(AG_KW_TEXT)
#undef AG_KW_TEXT
};
constexpr size_t kKeywordCount = sizeof(kKeywordTexts) / sizeof(kKeywordTexts[0]);
constexpr size_t kMaxKeywordLength = 17;
constexpr size_t kTableSize = 1024;  // power of two, > 4x the keyword count

inline unsigned char upper(unsigned char c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }

inline uint32_t hash_upper(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ upper(c)) * 16777619u;
  return h;
}

struct KeywordTable {
  std::array<uint16_t, kTableSize> slots{};
  KeywordTable() {
    for (size_t i = 1; i < kKeywordCount; ++i) {
      uint32_t h = hash_upper(kKeywordTexts[i]) & (kTableSize - 1);
      while (slots[h] != 0) h = (h + 1) & (kTableSize - 1);
      slots[h] = static_cast<uint16_t>(i);
    }
  }
};

const KeywordTable& keyword_table() {
  static const KeywordTable table;
  return table;
}

inline bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool is_hex(unsigned char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
inline bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
inline bool is_ident_char(unsigned char c, Dialect d) {
  return is_ident_start(c) || is_digit(c) || c == '$' || (c == '#' && d == Dialect::kOracle);
}

}  // namespace

// Words that can never be a bare identifier (column, table, alias, function name).
bool is_reserved_keyword(Kw kw) {
  switch (kw) {
    case Kw::k_ALL:
    case Kw::k_AND:
    case Kw::k_AS:
    case Kw::k_BETWEEN:
    case Kw::k_CASE:
    case Kw::k_CAST:
    case Kw::k_COLLATE:
    case Kw::k_CREATE:
    case Kw::k_CROSS:
    case Kw::k_CURRENT_DATE:
    case Kw::k_CURRENT_TIME:
    case Kw::k_CURRENT_TIMESTAMP:
    case Kw::k_DISTINCT:
    case Kw::k_ELSE:
    case Kw::k_END:
    case Kw::k_EXCEPT:
    case Kw::k_EXISTS:
    case Kw::k_FALSE:
    case Kw::k_FROM:
    case Kw::k_FULL:
    case Kw::k_GLOB:
    case Kw::k_GROUP:
    case Kw::k_HAVING:
    case Kw::k_ILIKE:
    case Kw::k_IN:
    case Kw::k_INNER:
    case Kw::k_INTERSECT:
    case Kw::k_INTO:
    case Kw::k_IS:
    case Kw::k_ISNULL:
    case Kw::k_JOIN:
    case Kw::k_LEFT:
    case Kw::k_LIKE:
    case Kw::k_LIMIT:
    case Kw::k_NATURAL:
    case Kw::k_NOT:
    case Kw::k_NOTNULL:
    case Kw::k_NULL:
    case Kw::k_ON:
    case Kw::k_OR:
    case Kw::k_ORDER:
    case Kw::k_OUTER:
    case Kw::k_REGEXP:
    case Kw::k_RIGHT:
    case Kw::k_SELECT:
    case Kw::k_THEN:
    case Kw::k_TRUE:
    case Kw::k_UNION:
    case Kw::k_USING:
    case Kw::k_VALUES:
    case Kw::k_WHEN:
    case Kw::k_WHERE:
    case Kw::k_WITH: return true;
    default: return false;
  }
}

std::string_view keyword_text(Kw kw) {
  auto i = static_cast<size_t>(kw);
  return i < kKeywordCount ? kKeywordTexts[i] : std::string_view();
}

Kw lookup_keyword(std::string_view word) {
  if (word.size() < 2 || word.size() > kMaxKeywordLength) return Kw::kNone;
  const KeywordTable& table = keyword_table();
  uint32_t h = hash_upper(word) & (kTableSize - 1);
  while (uint16_t idx = table.slots[h]) {
    std::string_view kw = kKeywordTexts[idx];
    if (kw.size() == word.size()) {
      bool same = true;
      for (size_t i = 0; i < kw.size(); ++i) {
        if (upper(static_cast<unsigned char>(word[i])) != static_cast<unsigned char>(kw[i])) {
          same = false;
          break;
        }
      }
      if (same) return static_cast<Kw>(idx);
    }
    h = (h + 1) & (kTableSize - 1);
  }
  return Kw::kNone;
}

bool tokenize(std::string_view src, Dialect dialect, std::vector<Token>& out, LexError& error) {
  const size_t n = src.size();
  if (n > 0x7fffffffu) {
    error = {0, "query text too long"};
    return false;
  }
  const char* s = src.data();
  size_t i = 0;
  auto fail = [&](size_t at, std::string message) {
    error = {static_cast<uint32_t>(at), std::move(message)};
    return false;
  };
  auto push = [&](Tok type, size_t b, size_t e, Kw kw = Kw::kNone) {
    out.push_back(Token{type, kw, static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
  };
  // Scans a '...' string starting at the quote at `q`; returns the index after it or 0.
  auto scan_quoted = [&](size_t q, char close, bool backslash_escapes) -> size_t {
    size_t j = q + 1;
    while (j < n) {
      char c = s[j];
      if (backslash_escapes && c == '\\' && j + 1 < n) {
        j += 2;
        continue;
      }
      if (c == close) {
        if (j + 1 < n && s[j + 1] == close) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      ++j;
    }
    return 0;
  };

  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (is_space(c)) {
      ++i;
      continue;
    }
    size_t start = i;
    // comments
    if (c == '-' && i + 1 < n && s[i + 1] == '-') {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      const void* close = nullptr;
      if (i + 2 < n) close = memmem(s + i + 2, n - i - 2, "*/", 2);
      if (close == nullptr) return fail(start, "unterminated /* comment");
      i = static_cast<size_t>(static_cast<const char*>(close) - s) + 2;
      continue;
    }
    // words, and prefixed strings X'..', E'..', N'..', q'..'
    if (is_ident_start(c)) {
      if (i + 1 < n && s[i + 1] == '\'') {
        unsigned char p = upper(c);
        if (p == 'X') {
          size_t e = scan_quoted(i + 1, '\'', false);
          if (e == 0) return fail(start, "unterminated blob literal");
          for (size_t k = i + 2; k + 1 < e; ++k) {
            if (!is_hex(static_cast<unsigned char>(s[k]))) return fail(k, "blob literal X'...' holds a non-hex digit");
          }
          if ((e - i - 3) % 2 != 0) return fail(start, "blob literal X'...' needs an even number of hex digits");
          push(Tok::kBlob, i, e);
          i = e;
          continue;
        }
        if ((p == 'E' && dialect == Dialect::kPostgres) || (p == 'N' && dialect != Dialect::kSqlite)) {
          size_t e = scan_quoted(i + 1, '\'', p == 'E');
          if (e == 0) return fail(start, "unterminated string literal");
          push(Tok::kString, i, e);
          i = e;
          continue;
        }
        if (p == 'Q' && dialect == Dialect::kOracle && i + 2 < n) {
          char open = s[i + 2];
          char close = open == '[' ? ']' : open == '(' ? ')' : open == '{' ? '}' : open == '<' ? '>' : open;
          size_t j = i + 3;
          while (j + 1 < n && !(s[j] == close && s[j + 1] == '\'')) ++j;
          if (j + 1 >= n) return fail(start, "unterminated q'...' string literal");
          push(Tok::kString, i, j + 2);
          i = j + 2;
          continue;
        }
      }
      ++i;
      while (i < n && is_ident_char(static_cast<unsigned char>(s[i]), dialect)) ++i;
      Kw kw = lookup_keyword(src.substr(start, i - start));
      push(Tok::kWord, start, i, kw);
      continue;
    }
    if (is_digit(c) || (c == '.' && i + 1 < n && is_digit(static_cast<unsigned char>(s[i + 1])))) {
      if (c == '0' && i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X') && i + 2 < n &&
          is_hex(static_cast<unsigned char>(s[i + 2]))) {
        i += 2;
        while (i < n && is_hex(static_cast<unsigned char>(s[i]))) ++i;
      } else {
        while (i < n && is_digit(static_cast<unsigned char>(s[i]))) ++i;
        if (i < n && s[i] == '.') {
          ++i;
          while (i < n && is_digit(static_cast<unsigned char>(s[i]))) ++i;
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
          size_t j = i + 1;
          if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
          if (j < n && is_digit(static_cast<unsigned char>(s[j]))) {
            i = j;
            while (i < n && is_digit(static_cast<unsigned char>(s[i]))) ++i;
          }
        }
      }
      push(Tok::kNumber, start, i);
      continue;
    }
    switch (c) {
      case '\'': {
        size_t e = scan_quoted(i, '\'', false);
        if (e == 0) return fail(start, "unterminated string literal");
        push(Tok::kString, i, e);
        i = e;
        continue;
      }
      case '"': {
        size_t e = scan_quoted(i, '"', false);
        if (e == 0) return fail(start, "unterminated quoted identifier");
        push(Tok::kQuotedIdent, i, e);
        i = e;
        continue;
      }
      case '`': {
        size_t e = scan_quoted(i, '`', false);
        if (e == 0) return fail(start, "unterminated `quoted` identifier");
        push(Tok::kQuotedIdent, i, e);
        i = e;
        continue;
      }
      case '[':
        if (dialect != Dialect::kPostgres) {
          const void* close = memchr(s + i + 1, ']', n - i - 1);
          if (close == nullptr) return fail(start, "unterminated [quoted] identifier");
          i = static_cast<size_t>(static_cast<const char*>(close) - s) + 1;
          push(Tok::kQuotedIdent, start, i);
        } else {
          push(Tok::kLBracket, i, i + 1);
          ++i;
        }
        continue;
      case ']': push(Tok::kRBracket, i, i + 1); ++i; continue;
      case '(': push(Tok::kLParen, i, i + 1); ++i; continue;
      case ')': push(Tok::kRParen, i, i + 1); ++i; continue;
      case ',': push(Tok::kComma, i, i + 1); ++i; continue;
      case '.': push(Tok::kDot, i, i + 1); ++i; continue;
      case ';': push(Tok::kSemicolon, i, i + 1); ++i; continue;
      case '+': push(Tok::kPlus, i, i + 1); ++i; continue;
      case '*': push(Tok::kStar, i, i + 1); ++i; continue;
      case '/': push(Tok::kSlash, i, i + 1); ++i; continue;
      case '%': push(Tok::kPercent, i, i + 1); ++i; continue;
      case '&': push(Tok::kAmp, i, i + 1); ++i; continue;
      case '^': push(Tok::kCaret, i, i + 1); ++i; continue;
      case '-':
        if (i + 2 < n && s[i + 1] == '>' && s[i + 2] == '>') {
          push(Tok::kLongArrow, i, i + 3);
          i += 3;
        } else if (i + 1 < n && s[i + 1] == '>') {
          push(Tok::kArrow, i, i + 2);
          i += 2;
        } else {
          push(Tok::kMinus, i, i + 1);
          ++i;
        }
        continue;
      case '|':
        if (i + 1 < n && s[i + 1] == '|') {
          push(Tok::kConcat, i, i + 2);
          i += 2;
        } else {
          push(Tok::kPipe, i, i + 1);
          ++i;
        }
        continue;
      case '=':
        if (i + 1 < n && s[i + 1] == '=') {
          push(Tok::kEqEq, i, i + 2);
          i += 2;
        } else if (i + 1 < n && s[i + 1] == '>') {
          push(Tok::kNamedArg, i, i + 2);
          i += 2;
        } else {
          push(Tok::kEq, i, i + 1);
          ++i;
        }
        continue;
      case '<':
        if (i + 1 < n && s[i + 1] == '=') {
          push(Tok::kLe, i, i + 2);
          i += 2;
        } else if (i + 1 < n && s[i + 1] == '>') {
          push(Tok::kNe, i, i + 2);
          i += 2;
        } else if (i + 1 < n && s[i + 1] == '<') {
          push(Tok::kShl, i, i + 2);
          i += 2;
        } else {
          push(Tok::kLt, i, i + 1);
          ++i;
        }
        continue;
      case '>':
        if (i + 1 < n && s[i + 1] == '=') {
          push(Tok::kGe, i, i + 2);
          i += 2;
        } else if (i + 1 < n && s[i + 1] == '>') {
          push(Tok::kShr, i, i + 2);
          i += 2;
        } else {
          push(Tok::kGt, i, i + 1);
          ++i;
        }
        continue;
      case '!':
        if (i + 1 < n && s[i + 1] == '=') {
          push(Tok::kBangEq, i, i + 2);
          i += 2;
          continue;
        }
        if (dialect == Dialect::kPostgres && i + 1 < n && s[i + 1] == '~') {
          size_t e = (i + 2 < n && s[i + 2] == '*') ? i + 3 : i + 2;
          push(Tok::kTilde, i, e);
          i = e;
          continue;
        }
        return fail(start, "unexpected character '!'");
      case '~': {
        size_t e = (dialect == Dialect::kPostgres && i + 1 < n && s[i + 1] == '*') ? i + 2 : i + 1;
        push(Tok::kTilde, i, e);
        i = e;
        continue;
      }
      case ':':
        if (i + 1 < n && s[i + 1] == ':') {
          push(Tok::kDoubleColon, i, i + 2);
          i += 2;
          continue;
        }
        if (i + 1 < n && is_ident_char(static_cast<unsigned char>(s[i + 1]), dialect)) {
          ++i;
          while (i < n && is_ident_char(static_cast<unsigned char>(s[i]), dialect)) ++i;
          push(Tok::kParam, start, i);
          continue;
        }
        // := is PL/SQL assignment (skipped inside a block) and PostgreSQL's older named-argument arrow.
        if (i + 1 < n && s[i + 1] == '=') {
          push(Tok::kNamedArg, i, i + 2);
          i += 2;
          continue;
        }
        return fail(start, "unexpected character ':'");
      case '?':
        ++i;
        while (i < n && is_digit(static_cast<unsigned char>(s[i]))) ++i;
        push(Tok::kParam, start, i);
        continue;
      case '@':
        if (i + 1 < n && is_ident_char(static_cast<unsigned char>(s[i + 1]), dialect)) {
          ++i;
          while (i < n && is_ident_char(static_cast<unsigned char>(s[i]), dialect)) ++i;
          push(Tok::kParam, start, i);
          continue;
        }
        return fail(start, "unexpected character '@'");
      case '$': {
        size_t j = i + 1;
        if (j < n && is_digit(static_cast<unsigned char>(s[j]))) {
          while (j < n && is_digit(static_cast<unsigned char>(s[j]))) ++j;
          push(Tok::kParam, start, j);
          i = j;
          continue;
        }
        if (dialect == Dialect::kPostgres) {
          // Dollar-quoted string: $tag$ ... $tag$
          while (j < n && is_ident_char(static_cast<unsigned char>(s[j]), dialect) && s[j] != '$') ++j;
          if (j < n && s[j] == '$') {
            std::string_view tag = src.substr(i, j - i + 1);
            size_t close = src.find(tag, j + 1);
            if (close == std::string_view::npos) return fail(start, "unterminated dollar-quoted string");
            push(Tok::kString, i, close + tag.size());
            i = close + tag.size();
            continue;
          }
          return fail(start, "unexpected character '$'");
        }
        if (j < n && is_ident_char(static_cast<unsigned char>(s[j]), dialect)) {
          while (j < n && is_ident_char(static_cast<unsigned char>(s[j]), dialect)) ++j;
          push(Tok::kParam, start, j);
          i = j;
          continue;
        }
        return fail(start, "unexpected character '$'");
      }
      default: break;
    }
    if (c < 0x20 || c == 0x7f) return fail(start, "unexpected control character");
    std::string message = "unexpected character '";
    message += static_cast<char>(c);
    message += "'";
    return fail(start, std::move(message));
  }
  out.push_back(Token{Tok::kEof, Kw::kNone, static_cast<uint32_t>(n), static_cast<uint32_t>(n)});
  return true;
}

std::string_view string_token_value(std::string_view t, std::string& scratch) {
  if (t.empty()) return t;
  char first = t[0];
  if (first == '$') {  // $tag$...$tag$
    size_t tag_end = t.find('$', 1);
    size_t tag_len = tag_end + 1;
    return t.substr(tag_len, t.size() - 2 * tag_len);
  }
  if ((first == 'q' || first == 'Q') && t.size() >= 5 && t[1] == '\'') return t.substr(3, t.size() - 5);
  bool escapes = false;
  if (first == 'E' || first == 'e') {
    escapes = true;
    t.remove_prefix(1);
  } else if (first == 'N' || first == 'n') {
    t.remove_prefix(1);
  }
  std::string_view body = t.substr(1, t.size() - 2);
  if (!escapes && body.find('\'') == std::string_view::npos) return body;
  if (escapes && body.find('\\') == std::string_view::npos && body.find('\'') == std::string_view::npos) return body;
  scratch.clear();
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\'' && i + 1 < body.size() && body[i + 1] == '\'') {
      scratch += '\'';
      ++i;
    } else if (escapes && c == '\\' && i + 1 < body.size()) {
      char e = body[++i];
      switch (e) {
        case 'n': scratch += '\n'; break;
        case 't': scratch += '\t'; break;
        case 'r': scratch += '\r'; break;
        case 'b': scratch += '\b'; break;
        case 'f': scratch += '\f'; break;
        default: scratch += e; break;
      }
    } else {
      scratch += c;
    }
  }
  return scratch;
}

std::string_view quoted_ident_value(std::string_view t, std::string& scratch) {
  char open = t[0];
  char close = open == '[' ? ']' : open;
  std::string_view body = t.substr(1, t.size() - 2);
  if (open == '[' || body.find(close) == std::string_view::npos) return body;
  scratch.clear();
  for (size_t i = 0; i < body.size(); ++i) {
    scratch += body[i];
    if (body[i] == close && i + 1 < body.size() && body[i + 1] == close) ++i;
  }
  return scratch;
}

}  // namespace askguru::sql
