#include "askguru/profile/join_candidates.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "askguru/common/text.h"
#include "askguru/index/minhash.h"

namespace askguru::profile {

namespace {

// Name words of an identifier: split at non-alphanumerics and camelCase, lower-cased,
// plural endings dropped, generic key words ("id", "code", ...) left out.
std::vector<std::string> name_words(std::string_view name) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    std::string w = text::to_lower(current);
    current.clear();
    if (w.size() > 4 && w.compare(w.size() - 3, 3, "ies") == 0) {
      w = w.substr(0, w.size() - 3) + "y";
    } else if (w.size() > 3 && w.back() == 's' && w[w.size() - 2] != 's') {
      w.pop_back();
    }
    static const char* kGeneric[] = {"id", "code", "num", "no", "key", "number", "fk", "ref"};
    for (const char* g : kGeneric)
      if (w == g) return;
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
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
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

}  // namespace

std::vector<catalog::JoinCandidate> find_join_candidates(const catalog::Catalog& catalog, double min_containment) {
  struct Item {
    const catalog::Table* table;
    const catalog::Column* column;
    double distinct;
    bool key_like;
  };
  std::vector<Item> items;
  for (const auto& table : catalog.tables) {
    for (const auto& column : table.columns) {
      const auto& p = column.profile;
      if (!p.profiled || p.minhash.empty() || p.distinct < 2) continue;
      if (p.value_type == "real" || p.value_type == "blob") continue;
      if (std::find(p.formats.begin(), p.formats.end(), "boolean") != p.formats.end()) continue;
      double non_null = static_cast<double>(p.rows - p.null_count);
      bool key_like = non_null > 0 && static_cast<double>(p.distinct) >= 0.95 * non_null;
      items.push_back({&table, &column, static_cast<double>(p.distinct), key_like});
    }
  }
  auto declared = [&](const Item& from, const Item& to) {
    for (const auto& fk : catalog.foreign_keys) {
      for (size_t k = 0; k < fk.from_columns.size(); ++k) {
        bool forward = text::iequals(fk.from_table, from.table->name) && text::iequals(fk.from_columns[k], from.column->name) &&
                       text::iequals(fk.to_table, to.table->name) && text::iequals(fk.to_columns[k], to.column->name);
        bool backward = text::iequals(fk.from_table, to.table->name) && text::iequals(fk.from_columns[k], to.column->name) &&
                        text::iequals(fk.to_table, from.table->name) && text::iequals(fk.to_columns[k], from.column->name);
        if (forward || backward) return true;
      }
    }
    return false;
  };
  std::vector<catalog::JoinCandidate> out;
  for (size_t i = 0; i < items.size(); ++i) {
    for (size_t j = i + 1; j < items.size(); ++j) {
      const Item& a = items[i];
      const Item& b = items[j];
      if (!a.key_like && !b.key_like) continue;
      if (a.column->profile.minhash.size() != b.column->profile.minhash.size()) continue;
      double jaccard = index::jaccard_estimate(a.column->profile.minhash, b.column->profile.minhash);
      if (jaccard <= 0.0) continue;
      double intersection = jaccard / (1.0 + jaccard) * (a.distinct + b.distinct);
      double in_a = std::min(1.0, intersection / a.distinct);  // share of a's values in b
      double in_b = std::min(1.0, intersection / b.distinct);
      // from -> to: the key-like side is the target; between two keys, the smaller set
      // points at the larger.
      bool a_to_b = b.key_like && (!a.key_like || a.distinct <= b.distinct);
      if (a.key_like && b.key_like && a.distinct == b.distinct) {
        // Two keys of one size: the direction whose names agree more.
        a_to_b = name_score(a.column->name, b.table->name, b.column->name) >=
                 name_score(b.column->name, a.table->name, a.column->name);
      }
      const Item& from = a_to_b ? a : b;
      const Item& to = a_to_b ? b : a;
      double containment = a_to_b ? in_a : in_b;
      if (containment < min_containment) continue;
      double names = name_score(from.column->name, to.table->name, to.column->name);
      // Tiny value sets ({1, 2}) overlap everything: only with agreeing names.
      if (std::min(a.distinct, b.distinct) < 3 && names < 0.5) continue;
      out.push_back({from.table->name, from.column->name, to.table->name, to.column->name, jaccard, containment, names,
                     declared(from, to)});
    }
  }
  // Values first, names to break the ties that small integer keys make everywhere.
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    double sx = x.containment + 0.5 * x.name_score, sy = y.containment + 0.5 * y.name_score;
    if (sx != sy) return sx > sy;
    if (x.containment != y.containment) return x.containment > y.containment;
    if (x.jaccard != y.jaccard) return x.jaccard > y.jaccard;
    return std::tie(x.from_table, x.from_column, x.to_table, x.to_column) <
           std::tie(y.from_table, y.from_column, y.to_table, y.to_column);
  });
  // At most three targets per source column.
  std::map<std::pair<std::string, std::string>, int> per_source;
  std::vector<catalog::JoinCandidate> kept;
  for (auto& candidate : out) {
    if (++per_source[{candidate.from_table, candidate.from_column}] <= 3) kept.push_back(std::move(candidate));
  }
  return kept;
}

}  // namespace askguru::profile
