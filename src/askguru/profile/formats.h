// Format detection for column values: dates, datetimes, times, years, numbers
// stored as text, e-mail addresses, URLs, UUIDs, currency amounts, percentages,
// booleans and codes. FormatDetector counts which formats each value has; a
// format is reported for a column when most of its checked values have it.
// Pure functions; FormatDetector is a plain value, not thread-safe to mutate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace askguru::profile {

// Labels of the formats one value has. `is_text` says whether it is stored as
// text (only text can be a "number_as_text"). Labels: "date:YYYY-MM-DD" (and
// other layouts: "date:YYYY/MM/DD", "date:DD/MM/YYYY", "date:MM/DD/YYYY",
// "date:NN/NN/YYYY" when day and month cannot be told apart, "date:YYYYMMDD"),
// "datetime:YYYY-MM-DD HH:MM[:SS]" (the date layout, then the time), "time:HH:MM[:SS]",
// "year", "number_as_text", "phone", "email", "url", "uuid", "currency", "percent",
// "code_candidate" (a short token of letters and digits; the column decides).
std::vector<std::string> value_formats(std::string_view value, bool is_text);

class FormatDetector {
 public:
  void add(std::string_view value, bool is_text);
  int64_t checked() const { return checked_; }
  // Formats shared by at least `min_share` of the checked values, plus the column-
  // level ones: "boolean" (at most two distinct values, all yes/no-like) and "code"
  // (short tokens of near-constant length, mostly shared, not free text).
  // Date layouts that differ only in day/month order are merged.
  std::vector<std::string> formats(double min_share = 0.9) const;

 private:
  int64_t checked_ = 0;
  std::map<std::string, int64_t> counts_;
  std::map<std::string, int64_t> boolean_values_;  // lower-cased, while few
  bool not_boolean_ = false;
  size_t min_length_ = SIZE_MAX;
  size_t max_length_ = 0;
};

}  // namespace askguru::profile
