#include "askguru/profile/column_stats.h"

#include <algorithm>
#include <cmath>

#include "askguru/common/hash.h"
#include "askguru/common/text.h"
#include "askguru/index/minhash.h"

namespace askguru::profile {
namespace {

constexpr size_t kMaxKeyBytes = 512;

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

char type_tag(db::ValueType type) { return static_cast<char>('0' + static_cast<int>(type)); }

std::string key_of(const db::Value& value) {
  std::string key(1, type_tag(value.type()));
  switch (value.type()) {
    case db::ValueType::kText:
    case db::ValueType::kBlob: {
      const std::string& bytes = value.type() == db::ValueType::kText ? value.as_text() : value.as_blob();
      if (bytes.size() <= kMaxKeyBytes) {
        key += bytes;
      } else {
        key.append(bytes, 0, kMaxKeyBytes);
        key += '\x1f' + hash::hex64(hash::xxh64(bytes));
      }
      break;
    }
    default: key += value.to_string();
  }
  return key;
}

// The display text of a key (its value's text form; long values cut).
std::string display_of(const std::string& key, size_t max_chars) {
  std::string_view body(key);
  body.remove_prefix(1);
  if (key[0] == type_tag(db::ValueType::kBlob)) return "<blob>";
  size_t cut = body.find('\x1f');
  if (cut != std::string_view::npos && key.size() > kMaxKeyBytes) body = body.substr(0, cut);
  return text::ellipsize(body, max_chars);
}

}  // namespace

int compare_values(const db::Value& a, const db::Value& b) {
  auto rank = [](db::ValueType t) {
    switch (t) {
      case db::ValueType::kNull: return 0;
      case db::ValueType::kInteger:
      case db::ValueType::kReal: return 1;
      case db::ValueType::kText: return 2;
      case db::ValueType::kBlob: return 3;
    }
    return 0;
  };
  int ra = rank(a.type()), rb = rank(b.type());
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.type()) {
    case db::ValueType::kNull: return 0;
    case db::ValueType::kInteger:
    case db::ValueType::kReal: {
      if (a.type() == db::ValueType::kInteger && b.type() == db::ValueType::kInteger) {
        return a.as_integer() < b.as_integer() ? -1 : a.as_integer() > b.as_integer() ? 1 : 0;
      }
      double x = a.type() == db::ValueType::kInteger ? static_cast<double>(a.as_integer()) : a.as_real();
      double y = b.type() == db::ValueType::kInteger ? static_cast<double>(b.as_integer()) : b.as_real();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case db::ValueType::kText: {
      int c = a.as_text().compare(b.as_text());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case db::ValueType::kBlob: {
      int c = a.as_blob().compare(b.as_blob());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
  }
  return 0;
}

std::string normal_text(const db::Value& value) {
  switch (value.type()) {
    case db::ValueType::kReal: {
      double v = value.as_real();
      if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15) return std::to_string(static_cast<int64_t>(v));
      return value.to_string();
    }
    case db::ValueType::kText: return std::string(text::trim(value.as_text()));
    default: return value.to_string();
  }
}

ColumnStats::ColumnStats(const ColumnStatsOptions& options) : options_(options) {
  if (options_.hasher) signature_ = options_.hasher->empty_signature();
}
ColumnStats::~ColumnStats() = default;
ColumnStats::ColumnStats(ColumnStats&&) noexcept = default;
ColumnStats& ColumnStats::operator=(ColumnStats&&) noexcept = default;

void ColumnStats::overflow() {
  hll_ = std::make_unique<HyperLogLog>(14);
  for (const auto& [key, count] : counts_) hll_->add(key);
  // Keep the most frequent as Misra-Gries counters.
  size_t capacity = std::max<size_t>(64, options_.top_k * 32);
  std::vector<std::pair<int64_t, const std::string*>> order;
  order.reserve(counts_.size());
  for (const auto& [key, count] : counts_) order.push_back({count, &key});
  size_t keep = std::min(capacity, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < keep; ++i) frequent_.emplace(*order[i].second, order[i].first);
  counts_.clear();
  counts_.rehash(0);
}

void ColumnStats::add(const db::Value& value) {
  ++rows_;
  db::ValueType type = value.type();
  ++type_counts_[static_cast<int>(type)];
  if (type == db::ValueType::kNull) {
    ++nulls_;
    return;
  }
  if (!min_ || compare_values(value, *min_) < 0) min_ = value;
  if (!max_ || compare_values(value, *max_) > 0) max_ = value;

  std::string key = key_of(value);
  size_t length = type == db::ValueType::kBlob ? value.as_blob().size()
                  : type == db::ValueType::kText ? utf8_length(value.as_text())
                                                 : key.size() - 1;
  length_sum_ += static_cast<double>(length);
  max_length_ = std::max<int64_t>(max_length_, static_cast<int64_t>(length));

  bool is_new = false;
  if (!hll_) {
    auto [it, inserted] = counts_.try_emplace(key, 0);
    ++it->second;
    is_new = inserted;
    if (counts_.size() > options_.exact_distinct_limit) overflow();
  } else {
    hll_->add(key);
    auto it = frequent_.find(key);
    if (it != frequent_.end()) {
      ++it->second;
    } else if (frequent_.size() < std::max<size_t>(64, options_.top_k * 32)) {
      frequent_.emplace(key, 1);
    } else {
      for (auto f = frequent_.begin(); f != frequent_.end();) {
        if (--f->second == 0) {
          f = frequent_.erase(f);
        } else {
          ++f;
        }
      }
    }
    is_new = true;  // unknown past the bound: hash it (MinHash updates are idempotent)
  }
  if (is_new && type != db::ValueType::kBlob) {
    std::string normal = normal_text(value);
    if (options_.hasher && !normal.empty()) options_.hasher->update(signature_, normal);
    if (samples_.size() < options_.sample_values && !normal.empty() &&
        std::find(samples_.begin(), samples_.end(), normal) == samples_.end()) {
      samples_.push_back(text::ellipsize(normal, options_.max_value_chars));
    }
  }
  if (type != db::ValueType::kBlob && formats_.checked() < static_cast<int64_t>(options_.format_checks)) {
    formats_.add(type == db::ValueType::kText ? std::string_view(value.as_text()) : std::string_view(key).substr(1),
                 type == db::ValueType::kText);
  }
}

catalog::ColumnProfile ColumnStats::finish(std::vector<std::string>* samples) const {
  catalog::ColumnProfile p;
  p.profiled = true;
  p.rows = rows_;
  p.null_count = nulls_;
  p.null_share = rows_ > 0 ? static_cast<double>(nulls_) / static_cast<double>(rows_) : 0.0;
  int64_t non_null = rows_ - nulls_;
  if (hll_) {
    p.distinct = static_cast<int64_t>(std::llround(hll_->estimate()));
    p.distinct = std::clamp<int64_t>(p.distinct, static_cast<int64_t>(options_.exact_distinct_limit) + 1,
                                     std::max<int64_t>(non_null, 1));
    p.distinct_exact = false;
  } else {
    p.distinct = static_cast<int64_t>(counts_.size());
  }
  if (min_) p.min = text::ellipsize(min_->type() == db::ValueType::kBlob ? "<blob>" : min_->to_string(), options_.max_value_chars);
  if (max_) p.max = text::ellipsize(max_->type() == db::ValueType::kBlob ? "<blob>" : max_->to_string(), options_.max_value_chars);
  if (non_null > 0) p.avg_length = length_sum_ / static_cast<double>(non_null);
  p.max_length = max_length_;
  int kinds = 0;
  std::string type;
  for (int t = 1; t < 5; ++t) {
    if (type_counts_[t] > 0) {
      ++kinds;
      type = db::value_type_name(static_cast<db::ValueType>(t));
    }
  }
  p.value_type = kinds > 1 ? "mixed" : type;
  const auto& source = hll_ ? frequent_ : counts_;
  std::vector<std::pair<const std::string*, int64_t>> order;
  order.reserve(source.size());
  for (const auto& [key, count] : source) order.push_back({&key, count});
  size_t keep = std::min(options_.top_k, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                    [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : *a.first < *b.first; });
  for (size_t i = 0; i < keep; ++i) p.top_values.push_back({display_of(*order[i].first, options_.max_value_chars), order[i].second});
  p.formats = formats_.formats();
  if (options_.hasher && non_null > 0) p.minhash = signature_;
  if (samples) *samples = samples_;
  return p;
}

}  // namespace askguru::profile
