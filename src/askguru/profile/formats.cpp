#include "askguru/profile/formats.h"

#include <algorithm>
#include <cctype>

#include "askguru/common/text.h"

namespace askguru::profile {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// Integer or decimal, optional sign, optional thousands separators.
bool is_number(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') ++i;
  bool digits = false, dot = false, exponent = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits = true;
    } else if (c == '.' && !dot && !exponent) {
      dot = true;
    } else if (c == ',' && digits && !dot && !exponent) {
      // thousands separator: exactly three digits, then the end, ',' or '.'
      if (i + 3 >= s.size()) return false;
      for (size_t k = 1; k <= 3; ++k)
        if (!std::isdigit(static_cast<unsigned char>(s[i + k]))) return false;
      if (i + 4 < s.size() && s[i + 4] != ',' && s[i + 4] != '.') return false;
      i += 3;
    } else if ((c == 'e' || c == 'E') && digits && !exponent) {
      exponent = true;
      digits = false;
      if (i + 1 < s.size() && (s[i + 1] == '-' || s[i + 1] == '+')) ++i;
    } else {
      return false;
    }
  }
  return digits;
}

bool valid_date(int y, int m, int d) { return y >= 1000 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= 31; }

// A date at the start of s; returns its layout and length, or "".
std::string date_layout(std::string_view s, size_t& length) {
  // YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD
  if (s.size() >= 10 && all_digits(s.substr(0, 4)) && (s[4] == '-' || s[4] == '/' || s[4] == '.') && s[7] == s[4] &&
      all_digits(s.substr(5, 2)) && all_digits(s.substr(8, 2))) {
    if (valid_date(to_int(s.substr(0, 4)), to_int(s.substr(5, 2)), to_int(s.substr(8, 2)))) {
      length = 10;
      return std::string("YYYY") + s[4] + "MM" + s[4] + "DD";
    }
  }
  // DD/MM/YYYY, MM/DD/YYYY (also with '-' or '.')
  if (s.size() >= 10 && all_digits(s.substr(0, 2)) && (s[2] == '/' || s[2] == '-' || s[2] == '.') && s[5] == s[2] &&
      all_digits(s.substr(3, 2)) && all_digits(s.substr(6, 4))) {
    int a = to_int(s.substr(0, 2)), b = to_int(s.substr(3, 2)), y = to_int(s.substr(6, 4));
    std::string sep(1, s[2]);
    if (a > 12 && valid_date(y, b, a)) {
      length = 10;
      return "DD" + sep + "MM" + sep + "YYYY";
    }
    if (b > 12 && valid_date(y, a, b)) {
      length = 10;
      return "MM" + sep + "DD" + sep + "YYYY";
    }
    if (valid_date(y, a, b)) {
      length = 10;
      return "NN" + sep + "NN" + sep + "YYYY";
    }
  }
  // YYYYMMDD (the whole value only)
  if (s.size() == 8 && all_digits(s)) {
    int y = to_int(s.substr(0, 4)), m = to_int(s.substr(4, 2)), d = to_int(s.substr(6, 2));
    if (y >= 1800 && y <= 2200 && valid_date(y, m, d)) {
      length = 8;
      return "YYYYMMDD";
    }
  }
  return "";
}

// HH:MM or HH:MM:SS with optional fraction and zone; returns the layout or "".
std::string time_layout(std::string_view s) {
  if (s.size() < 5 || !all_digits(s.substr(0, 2)) || s[2] != ':' || !all_digits(s.substr(3, 2))) return "";
  if (to_int(s.substr(0, 2)) > 24 || to_int(s.substr(3, 2)) > 59) return "";
  std::string layout = "HH:MM";
  size_t i = 5;
  if (s.size() >= 8 && s[5] == ':' && all_digits(s.substr(6, 2))) {
    layout += ":SS";
    i = 8;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
  }
  std::string_view zone = s.substr(i);
  if (zone.empty() || zone == "Z" || ((zone[0] == '+' || zone[0] == '-') && zone.size() <= 6)) return layout;
  if (zone == " AM" || zone == " PM" || zone == "AM" || zone == "PM") return layout + " AM";
  return "";
}

bool is_email(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
  size_t dot = s.find('.', at);
  return dot != std::string_view::npos && dot > at + 1 && dot + 1 < s.size() && s.find(' ') == std::string_view::npos;
}

bool is_url(std::string_view s) {
  return (text::istarts_with(s, "http://") || text::istarts_with(s, "https://") || text::istarts_with(s, "www.") ||
          text::istarts_with(s, "ftp://")) &&
         s.find(' ') == std::string_view::npos;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i : {8, 13, 18, 23})
    if (s[i] != '-') return false;
  return is_hex(s.substr(0, 8)) && is_hex(s.substr(9, 4)) && is_hex(s.substr(14, 4)) && is_hex(s.substr(19, 4)) &&
         is_hex(s.substr(24));
}

// "(651) 928-4507", "+44 20 7946 0958", "403-555-1310": 7 to 15 digits with separators.
bool is_phone(std::string_view s) {
  size_t digits = 0, separators = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isdigit(c)) {
      ++digits;
    } else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || (c == '+' && i == 0)) {
      ++separators;
    } else {
      return false;
    }
  }
  return digits >= 7 && digits <= 15 && separators > 0 && std::isdigit(static_cast<unsigned char>(s.back()));
}

bool is_code_candidate(std::string_view s) {
  if (s.size() < 2 || s.size() > 16) return false;
  bool digit = false, upper = false, lower = false;
  for (unsigned char c : s) {
    if (std::isdigit(c)) {
      digit = true;
    } else if (std::isupper(c)) {
      upper = true;
    } else if (std::islower(c)) {
      lower = true;
    } else if (c != '-' && c != '_' && c != '.' && c != '/') {
      return false;
    }
  }
  // Letters with digits ("AB-123", "x12"), or upper-case letters only ("USA").
  return (digit && (upper || lower)) || (upper && !lower && !digit) || (digit && !upper && !lower && s[0] == '0');
}

bool boolean_word(std::string_view lower) {
  static const char* kWords[] = {"0", "1", "true", "false", "t", "f", "yes", "no", "y", "n"};
  return std::any_of(std::begin(kWords), std::end(kWords), [&](const char* w) { return lower == w; });
}

}  // namespace

std::vector<std::string> value_formats(std::string_view raw, bool is_text) {
  std::vector<std::string> out;
  std::string_view s = text::trim(raw);
  if (s.empty()) return out;
  if (is_text && is_number(s)) out.push_back("number_as_text");
  if (s.size() == 4 && all_digits(s)) {
    int y = to_int(s);
    if (y >= 1800 && y <= 2100) out.push_back("year");
  }
  size_t length = 0;
  std::string date = date_layout(s, length);
  if (!date.empty()) {
    if (length == s.size()) {
      out.push_back("date:" + date);
    } else if (s[length] == ' ' || s[length] == 'T') {
      std::string time = time_layout(s.substr(length + 1));
      if (!time.empty()) out.push_back("datetime:" + date + std::string(1, s[length] == 'T' ? 'T' : ' ') + time);
    }
  } else if (std::string time = time_layout(s); !time.empty()) {
    out.push_back("time:" + time);
  }
  if (is_text && out.empty() && is_phone(s)) out.push_back("phone");
  if (is_email(s)) out.push_back("email");
  if (is_url(s)) out.push_back("url");
  if (is_uuid(s)) out.push_back("uuid");
  if ((s[0] == '$' || text::istarts_with(s, "\xE2\x82\xAC") || text::istarts_with(s, "\xC2\xA3")) &&
      is_number(text::trim(s.substr(s[0] == '$' ? 1 : (s[0] == '\xE2' ? 3 : 2))))) {
    out.push_back("currency");
  }
  if (s.size() >= 2 && s.back() == '%' && is_number(text::trim(s.substr(0, s.size() - 1)))) out.push_back("percent");
  if (is_text && is_code_candidate(s)) out.push_back("code_candidate");
  return out;
}

void FormatDetector::add(std::string_view value, bool is_text) {
  ++checked_;
  for (auto& label : value_formats(value, is_text)) ++counts_[label];
  std::string_view trimmed = text::trim(value);
  min_length_ = std::min(min_length_, trimmed.size());
  max_length_ = std::max(max_length_, trimmed.size());
  if (!not_boolean_) {
    std::string lower = text::to_lower(trimmed);
    if (!boolean_word(lower)) {
      not_boolean_ = true;
    } else {
      ++boolean_values_[lower];
      if (boolean_values_.size() > 2) not_boolean_ = true;
    }
  }
}

std::vector<std::string> FormatDetector::formats(double min_share) const {
  std::vector<std::string> out;
  if (checked_ == 0) return out;
  auto share = [&](int64_t n) { return static_cast<double>(n) / static_cast<double>(checked_); };
  // Merge day/month-ambiguous layouts into the layout the other values settle.
  std::map<std::string, int64_t> counts = counts_;
  for (const char* sep : {"/", "-", "."}) {
    std::string nn = std::string("date:NN") + sep + "NN" + sep + "YYYY";
    auto it = counts.find(nn);
    if (it == counts.end()) continue;
    std::string dd = std::string("date:DD") + sep + "MM" + sep + "YYYY";
    std::string mm = std::string("date:MM") + sep + "DD" + sep + "YYYY";
    bool has_dd = counts.count(dd) > 0, has_mm = counts.count(mm) > 0;
    if (has_dd != has_mm) {
      counts[has_dd ? dd : mm] += it->second;
      counts.erase(it);
    }
  }
  for (const auto& [label, n] : counts) {
    if (label == "code_candidate") continue;
    if (share(n) >= min_share) out.push_back(label);
  }
  if (!not_boolean_ && !boolean_values_.empty()) out.push_back("boolean");
  auto code = counts.find("code_candidate");
  bool is_year = std::find(out.begin(), out.end(), "year") != out.end();
  bool is_date = std::any_of(out.begin(), out.end(), [](const std::string& f) { return f.rfind("date", 0) == 0; });
  if (code != counts.end() && share(code->second) >= min_share && max_length_ - min_length_ <= 3 && !is_year &&
      !is_date && not_boolean_) {
    out.push_back("code");
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace askguru::profile
