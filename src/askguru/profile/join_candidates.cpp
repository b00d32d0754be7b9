#include "askguru/profile/join_candidates.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "askguru/common/text.h"
#include "askguru/index/minhash.h"

namespace askguru::profile {

namespace {

// Name words of an identifier in order: split at non-alphanumerics and camelCase,
// lower-cased, plural endings dropped, generic key words ("id", "code", ...) left out.
std::vector<std::string> ordered_name_words(std::string_view name) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    std::string w = text::to_lower(current);
    current.clear();
    static const std::pair<const char*, const char*> kIrregular[] = {
        {"people", "person"}, {"children", "child"}, {"men", "man"}, {"women", "woman"}};
    bool irregular = false;
    for (const auto& [plural, singular] : kIrregular) {
      if (w == plural) {
        w = singular;
        irregular = true;
      }
    }
    auto ends = [&](std::string_view suffix) {
      return w.size() > suffix.size() + 1 && w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (irregular) {
    } else if (ends("ies")) {
      w = w.substr(0, w.size() - 3) + "y";
    } else if (ends("sses") || ends("uses") || ends("xes") || ends("ches") || ends("shes")) {
      w.resize(w.size() - 2);  // addresses, campuses, boxes, matches
    } else if (ends("us") || ends("is") || ends("ss")) {
      // campus, analysis, address: singular already
    } else if (w.size() > 3 && w.back() == 's') {
      w.pop_back();
    }
    static const char* kGeneric[] = {"id", "code", "num", "no", "key", "number", "fk", "ref"};
    for (const char* g : kGeneric)
      if (w == g) return;
    // Ordinals (club_id_1, club_id_2).
    if (std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); })) return;
    words.push_back(std::move(w));
  };
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c)) {
      flush();
      continue;
    }
    if (std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(name[i - 1]))) flush();
    current += static_cast<char>(c);
  }
  flush();
  return words;
}

// The same, sorted and without repeats.
std::vector<std::string> name_words(std::string_view name) {
  auto words = ordered_name_words(name);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

// Words of columns that hold measures, not references (counts, years, ratings ...).
bool measure_word(const std::string& w) {
  static const char* kMeasures[] = {"count",  "year",     "age",     "rating",   "rate",    "level",  "duration",
                                    "price",  "amount",   "total",   "elevation", "height", "weight", "rank",
                                    "score",  "percent",  "quantity", "size",    "length",  "capacity",
                                    "population", "salary", "cost",   "point",   "minute", "hour",
                                    "day", "month", "week", "floor"};
  for (const char* m : kMeasures)
    if (w == m) return true;
  return false;
}

// Words equal up to a plural or an "e" that the plural rules leave (campuses ~ campus,
// addresses ~ address).
bool same_word(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const std::string& shorter = a.size() < b.size() ? a : b;
  const std::string& longer = a.size() < b.size() ? b : a;
  if (shorter.size() < 3 || longer.compare(0, shorter.size(), shorter) != 0) return false;
  std::string_view rest = std::string_view(longer).substr(shorter.size());
  return rest == "e" || rest == "s" || rest == "es";
}

bool subset(const std::vector<std::string>& small, const std::vector<std::string>& large) {
  return std::all_of(small.begin(), small.end(), [&](const std::string& w) {
    return std::any_of(large.begin(), large.end(), [&](const std::string& l) { return same_word(w, l); });
  });
}

// Agreement of a source column's name with a target table and column (0..1): 1 for
// equal column names, else the share of the source's words found in the target's.
double name_score(std::string_view from_column, std::string_view to_table, std::string_view to_column) {
  if (text::iequals(from_column, to_column) && !name_words(from_column).empty()) return 1.0;
  auto from = name_words(from_column);
  if (from.empty()) return 0.0;
  auto to = name_words(to_column);
  for (auto& w : name_words(to_table)) to.push_back(std::move(w));
  size_t shared = 0;
  for (const auto& w : from) shared += std::find(to.begin(), to.end(), w) != to.end();
  return static_cast<double>(shared) / static_cast<double>(from.size());
}

// A number when `s` is one (integers and integral reals, "12", "12.0").
std::optional<double> integral_value(std::string_view s) {
  std::string t(text::trim(s));
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9e15) return std::nullopt;
  return v;
}

struct Item {
  const catalog::Table* table = nullptr;
  const catalog::Column* column = nullptr;
  double distinct = 0;
  bool key = false;      // values unique (distinct ≈ non-null rows) or a one-column primary key
  bool pk_part = false;  // one column of a (composite) primary key
  bool integer = false;  // integral numbers (integer, integral real, numbers stored as text)
  bool range = false;    // lo..hi known (numbers stored as SQLite numbers)
  bool sole_pk = false;  // the table's one-column primary key
  bool measure = false;  // its name says it holds a measure (count, year, rating ...)
  bool date = false;     // dates or times
  double lo = 0, hi = 0;
  std::vector<std::string> words;        // name_words(column)
  std::vector<std::string> ordered;      // ordered_name_words(column)
  std::vector<std::string> table_words;  // name_words(table)
  std::vector<std::string> table_ordered;  // ordered_name_words(table)
};

// Whether the names say that `from` refers to `to` (a key of its table), strongly:
//   - the same words (team_id ~ team_id, zip ~ zip_code: "code" is generic);
//   - a column named after the target's table when the target is that table's key
//     (team_id -> team.id, physician -> physician.employeeid);
//   - a role before the target's words (home_team_id -> team.team_id,
//     customer_address_id -> addresses.address_id), the target in another table, the
//     source no measure (rental_duration is no rental).
bool names_relate(const Item& from, const Item& to) {
  if (from.words.empty()) return false;
  if (subset(from.words, to.words) && subset(to.words, from.words)) return true;
  if ((to.sole_pk || to.words.empty()) && subset(from.words, to.table_words) && subset(to.table_words, from.words)) {
    return true;  // named after the table
  }
  if (to.words.empty() && !from.key && subset(from.words, to.table_words) &&
      same_word(from.ordered.back(), to.table_ordered.back())) {
    return true;  // named after the table's head noun (company_id -> operate_company.id)
  }
  // A hierarchy within a table (manager_id, reports_to, parent_id -> the table's key).
  if (from.table == to.table && to.sole_pk &&
      std::any_of(from.ordered.begin(), from.ordered.end(), [](const std::string& w) {
        for (const char* h : {"parent", "manager", "report", "super", "supervisor", "boss", "superior"})
          if (w == h) return true;
        return false;
      })) {
    return true;
  }
  if (from.table == to.table || to.words.empty() || from.measure) return false;
  return subset(to.words, from.words) && same_word(from.ordered.back(), to.ordered.back());
}

std::optional<Item> make_item(const catalog::Table& table, const catalog::Column& column) {
  const auto& p = column.profile;
  if (!p.profiled || p.minhash.empty() || p.distinct < 2) return std::nullopt;
  if (p.value_type == "blob") return std::nullopt;
  // Booleans, contact data, money and shares are no references.
  bool date = false;
  for (const auto& f : p.formats) {
    for (const char* no : {"boolean", "phone", "email", "url", "currency", "percent"}) {
      if (f.rfind(no, 0) == 0) return std::nullopt;
    }
    date = date || f.rfind("date", 0) == 0 || f.rfind("time", 0) == 0;
  }
  // Free text is no key.
  if (p.avg_length > 64) return std::nullopt;
  Item item;
  item.date = date;
  item.table = &table;
  item.column = &column;
  item.distinct = static_cast<double>(p.distinct);
  double non_null = static_cast<double>(p.rows - p.null_count);
  item.pk_part = column.primary_key ||
                 std::any_of(table.primary_key.begin(), table.primary_key.end(),
                             [&](const std::string& k) { return text::iequals(k, column.name); });
  item.sole_pk = item.pk_part && table.primary_key.size() <= 1;
  item.key = (non_null > 0 && item.distinct >= 0.95 * non_null) || item.sole_pk;
  item.ordered = ordered_name_words(column.name);
  item.words = name_words(column.name);
  item.table_words = name_words(table.name);
  item.table_ordered = ordered_name_words(table.name);
  item.measure = std::any_of(item.ordered.begin(), item.ordered.end(), measure_word);
  bool numeric_type = p.value_type == "integer" || p.value_type == "real";
  bool number_text = p.value_type == "text" &&
                     std::find(p.formats.begin(), p.formats.end(), "number_as_text") != p.formats.end();
  if (numeric_type || number_text) {
    bool integral = true;
    for (const auto& s : column.samples) integral = integral && integral_value(s).has_value();
    auto lo = integral_value(p.min), hi = integral_value(p.max);
    if (numeric_type) integral = integral && lo && hi;
    item.integer = integral;
    if (integral && numeric_type) {
      item.range = true;
      item.lo = *lo;
      item.hi = *hi;
    }
  }
  // Reals with fractions never join (measures).
  if (p.value_type == "real" && !item.integer) return std::nullopt;
  return item;
}

bool has_format(const Item& x, std::string_view format) {
  const auto& f = x.column->profile.formats;
  return std::find(f.begin(), f.end(), format) != f.end();
}

// Numbers and text never share values; numbers stored as text do share with numbers
// (their signatures hash the same text).
bool compatible(const Item& a, const Item& b) {
  if (a.integer != b.integer) return false;
  return true;
}

// A small range of integers the column fills densely (1..n surrogate keys, counts,
// ratings): such columns overlap each other by chance.
// A target that would hold this share of from's values by chance always counts as chance:
// ids are not spread uniformly (low numbers are denser), so the bound below is optimistic.
constexpr double kChanceShare = 0.25;

// Numbers as text have no known range: below 100 (two digits) counts as a small range.
bool small_text_numbers(const Item& x) { return x.integer && !x.range && x.column->profile.max_length <= 2; }

// Whether `from`'s values could sit inside `to`'s by chance as much as they do: with
// to's values spread over its range at density rho, each of from's values (over the
// part of its range that to covers) falls in to's set with probability rho; the
// containment seen is chance unless the Chernoff bound on reaching it,
// exp(-d KL(c || rho)), is below 1%.
bool chance_overlap(const Item& from, const Item& to, double containment) {
  if (!from.integer || !to.integer) return false;
  if (!from.range || !to.range) return small_text_numbers(from) || small_text_numbers(to);
  double width = to.hi - to.lo + 1;
  double overlap = std::min(from.hi, to.hi) - std::max(from.lo, to.lo) + 1;
  if (width <= 0 || overlap <= 0) return false;
  double rho = std::min(1.0, to.distinct / width) * overlap / (from.hi - from.lo + 1);
  double c = std::min(containment, 0.999);
  if (c <= rho || rho >= kChanceShare) return true;
  if (rho <= 0) return false;
  double kl = c * std::log(c / rho) + (1 - c) * std::log((1 - c) / std::max(1e-9, 1 - rho));
  return -from.distinct * kl > std::log(0.01);
}

// From's [min, max] inside to's (numbers compared as numbers, text as text).
bool range_within(const Item& from, const Item& to) {
  if (from.range && to.range) return from.lo >= to.lo && from.hi <= to.hi;
  // Text ranges say little: only into a declared key.
  if (from.integer || to.integer || !to.sole_pk) return false;
  const auto& f = from.column->profile;
  const auto& t = to.column->profile;
  return f.min >= t.min && f.max <= t.max;
}

// A pair that passed the value and type rules (strings only for the ones kept).
struct Scored {
  const Item* from = nullptr;
  const Item* to = nullptr;
  double jaccard = 0;
  double containment = 0;
  bool names = false;
  bool chance = false;  // the values would overlap by chance (dense integer ranges)
  double name_score = 0;
  double score = 0;
};

}  // namespace

std::vector<catalog::JoinCandidate> find_join_candidates(const catalog::Catalog& catalog, double min_containment) {
  std::vector<Item> items;
  for (const auto& table : catalog.tables) {
    for (const auto& column : table.columns) {
      if (auto item = make_item(table, column)) items.push_back(*item);
    }
  }
  // Declared key column pairs, either direction, as lower-case "table.column".
  auto column_key = [](std::string_view table, std::string_view column) {
    return text::to_lower(table) + "." + text::to_lower(column);
  };
  std::set<std::pair<std::string, std::string>> declared_pairs;
  for (const auto& fk : catalog.foreign_keys) {
    for (size_t k = 0; k < fk.from_columns.size() && k < fk.to_columns.size(); ++k) {
      std::string from = column_key(fk.from_table, fk.from_columns[k]);
      std::string to = column_key(fk.to_table, fk.to_columns[k]);
      declared_pairs.emplace(from, to);
      declared_pairs.emplace(to, from);
    }
  }
  auto declared = [&](const Item& from, const Item& to) {
    return declared_pairs.count({column_key(from.table->name, from.column->name),
                                 column_key(to.table->name, to.column->name)}) > 0;
  };

  // Every pair needs a key or a primary-key part: those first, and pairs of two other
  // columns never looked at (keys x columns, not columns x columns).
  auto targets_end = std::stable_partition(items.begin(), items.end(), [](const Item& x) { return x.key || x.pk_part; });
  const size_t targets = static_cast<size_t>(targets_end - items.begin());
  std::vector<Scored> found;
  auto evaluate = [&](const Item& a, const Item& b) {
    {
      if (!compatible(a, b)) return;
      if (a.column->profile.minhash.size() != b.column->profile.minhash.size()) return;
      // Equal names other than a bare "id" (which every table may have).
      const bool same_names = text::iequals(a.column->name, b.column->name) && !a.words.empty();
      // The target holds unique values (a key); or both are parts of keys of the same
      // name (one column of a composite foreign key).
      const bool composite = same_names && !a.key && !b.key && (a.pk_part || b.pk_part) && a.table != b.table;
      if (!a.key && !b.key && !composite) return;
      const size_t perm = a.column->profile.minhash.size();
      const double jaccard = index::jaccard_estimate(a.column->profile.minhash, b.column->profile.minhash);
      // Containment of from in to from the Jaccard estimate and the distinct counts:
      // |A∩B| = J (|A| + |B|) / (1 + J).
      const double intersection = jaccard / (1.0 + jaccard) * (a.distinct + b.distinct);

      // The pair read as from -> to, if it passes.
      auto consider = [&](const Item& from, const Item& to) -> std::optional<Scored> {
        if (!to.key && !composite) return std::nullopt;
        double containment = std::min(1.0, intersection / from.distinct);
        // When from is contained in to, J = |from| / |to|: with few expected equal slots (under
        // 4) the signatures can neither see a small set inside a large one nor tell one or
        // two chance matches from it. Then agreeing names and from's range inside to's
        // stand in for the values (below).
        const double expected_slots = static_cast<double>(perm) * from.distinct / to.distinct;
        const bool blind = containment < min_containment || expected_slots < 4.0;
        if (blind && (expected_slots >= 4.0 || !to.key)) return std::nullopt;
        const bool names = names_relate(from, to);
        // Within one table: references to the table's own key only (manager_id -> id).
        if (from.table == to.table && (!to.sole_pk || from.key)) return std::nullopt;
        // Text shared with a unique text column that is no declared key (addresses, names
        // copied between tables): only with agreeing names, or into codes.
        if (!to.integer && !to.sole_pk && !names && !same_names && !has_format(to, "code")) return std::nullopt;
        // Dates only into a declared key (a calendar table).
        if ((from.date || to.date) && !to.sole_pk) return std::nullopt;
        // Measures (counts, years, ratings) refer to nothing unless the names say so.
        if (from.measure && !names) return std::nullopt;
        if (blind) {
          if (!names || !range_within(from, to)) return std::nullopt;
          if (containment < min_containment) containment = 1.0;
        }
        // Tiny value sets ({1, 2}) overlap everything: only with agreeing names.
        if (std::min(a.distinct, b.distinct) < 3 && !names && !same_names) return std::nullopt;
        Scored s;
        s.from = &from;
        s.to = &to;
        s.names = names || same_names;
        s.chance = chance_overlap(from, to, containment);
        s.jaccard = jaccard;
        s.containment = containment;
        return s;
      };
      // Both directions; the better: agreeing names, then a declared key as the target,
      // then the smaller set inside the larger.
      auto ab = consider(a, b);
      auto ba = consider(b, a);
      auto rank = [](const Scored& s) {
        return std::make_tuple(s.names, s.to->sole_pk, s.containment, s.to->distinct);
      };
      if (ab && ba) {
        if (rank(*ba) > rank(*ab)) ab = std::move(ba);
      } else if (ba) {
        ab = std::move(ba);
      }
      if (ab) found.push_back(std::move(*ab));
    }
  };

  // Pairs worth evaluating, without looking at all of them: a pair passes only with a
  // shared value (an equal signature slot: J > 0) or with agreeing names (a shared name
  // word stem) or within one table. Buckets of items by slot value, by stem and by table.
  auto stem = [](std::string_view w) {
    while (w.size() > 3 && (w.back() == 's' || w.back() == 'e')) w.remove_suffix(1);
    return std::string(w);
  };
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_slot;
  std::unordered_map<std::string, std::vector<uint32_t>> by_column_stem, by_any_stem;
  std::unordered_map<const catalog::Table*, std::vector<uint32_t>> by_table;
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& x = items[i];
    const auto idx = static_cast<uint32_t>(i);
    const auto& signature = x.column->profile.minhash;
    for (size_t k = 0; k < signature.size(); ++k) {
      if (signature[k] != index::MinHasher::kMaxHash) by_slot[(uint64_t{k} << 32) | signature[k]].push_back(idx);
    }
    for (const auto& w : x.words) {
      by_column_stem[stem(w)].push_back(idx);
      by_any_stem[stem(w)].push_back(idx);
    }
    for (const auto& w : x.table_words) by_any_stem[stem(w)].push_back(idx);
    by_table[x.table].push_back(idx);
  }
  auto unique_stems = [&](const std::vector<std::string>& words) {
    std::set<std::string> out;
    for (const auto& w : words) out.insert(stem(w));
    return out;
  };
  std::vector<uint32_t> seen(items.size(), UINT32_MAX);
  std::vector<uint32_t> partners;
  for (size_t i = 0; i < targets; ++i) {
    const Item& x = items[i];
    const auto self = static_cast<uint32_t>(i);
    partners.clear();
    auto add = [&](const std::vector<uint32_t>& bucket) {
      for (uint32_t j : bucket) {
        // Each pair once: two targets meet from the smaller index.
        if (j == self || (j < targets && j < self) || seen[j] == self) continue;
        seen[j] = self;
        partners.push_back(j);
      }
    };
    const auto& signature = x.column->profile.minhash;
    for (size_t k = 0; k < signature.size(); ++k) {
      auto it = by_slot.find((uint64_t{k} << 32) | signature[k]);
      if (it != by_slot.end()) add(it->second);
    }
    // x as the target: sources whose column words meet x's column or table words.
    std::vector<std::string> target_words = x.words;
    target_words.insert(target_words.end(), x.table_words.begin(), x.table_words.end());
    for (const auto& w : unique_stems(target_words)) {
      auto it = by_column_stem.find(w);
      if (it != by_column_stem.end()) add(it->second);
    }
    // x as the source (of another target): its column words.
    for (const auto& w : unique_stems(x.words)) {
      auto it = by_any_stem.find(w);
      if (it != by_any_stem.end()) add(it->second);
    }
    add(by_table[x.table]);
    std::sort(partners.begin(), partners.end());
    for (uint32_t j : partners) evaluate(x, items[j]);
  }
  // Chance overlaps (values inside a dense integer range) say something only when the
  // names agree, or when a source that is no key fits one such target alone. A source
  // with a parent (a target that is its table's key) keeps no siblings (other columns
  // that refer to the same parent).
  std::unordered_map<const Item*, int> chance_targets;
  std::unordered_map<const Item*, bool> has_parent;
  for (const auto& s : found) {
    chance_targets[s.from] += s.chance;
    if (s.to->sole_pk && (s.names || !s.chance)) has_parent[s.from] = true;
  }
  std::vector<Scored> kept_scored;
  for (auto& s : found) {
    if (s.chance && !s.names && (s.from->key || chance_targets[s.from] > 1)) continue;
    if (!s.to->sole_pk && has_parent[s.from]) continue;
    s.name_score = name_score(s.from->column->name, s.to->table->name, s.to->column->name);
    s.score = s.containment + (s.names ? 1.0 : 0.5 * s.name_score) - (s.chance ? 0.5 : 0.0);
    kept_scored.push_back(s);
  }
  std::sort(kept_scored.begin(), kept_scored.end(), [](const Scored& x, const Scored& y) {
    if (x.score != y.score) return x.score > y.score;
    if (x.containment != y.containment) return x.containment > y.containment;
    if (x.jaccard != y.jaccard) return x.jaccard > y.jaccard;
    return std::tie(x.from->table->name, x.from->column->name, x.to->table->name, x.to->column->name) <
           std::tie(y.from->table->name, y.from->column->name, y.to->table->name, y.to->column->name);
  });
  // At most three targets per source column.
  std::unordered_map<const Item*, int> per_source;
  std::vector<catalog::JoinCandidate> kept;
  for (const auto& s : kept_scored) {
    if (++per_source[s.from] > 3) continue;
    kept.push_back({s.from->table->name, s.from->column->name, s.to->table->name, s.to->column->name, s.jaccard,
                    s.containment, s.name_score, declared(*s.from, *s.to)});
  }
  return kept;
}

}  // namespace askguru::profile
