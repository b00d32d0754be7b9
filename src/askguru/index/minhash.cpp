#include "askguru/index/minhash.h"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <limits>
#include <unordered_set>

#include "askguru/common/hash.h"

namespace askguru::index {
namespace {

__extension__ typedef unsigned __int128 Uint128;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // stray continuation byte: count it alone
}

// Simpson's rule with an even number of intervals.
template <typename F>
double integrate(F f, double lo, double hi) {
  if (hi <= lo) return 0.0;
  constexpr int kIntervals = 64;
  double h = (hi - lo) / kIntervals;
  double sum = f(lo) + f(hi);
  for (int i = 1; i < kIntervals; ++i) sum += f(lo + i * h) * (i % 2 == 1 ? 4.0 : 2.0);
  return sum * h / 3.0;
}

}  // namespace

std::vector<std::string_view> char_ngrams(std::string_view text, size_t n) {
  std::vector<std::string_view> out;
  if (text.empty() || n == 0) return out;
  std::vector<size_t> starts;
  starts.reserve(text.size() + 1);
  for (size_t i = 0; i < text.size(); i += utf8_length(static_cast<unsigned char>(text[i]))) starts.push_back(i);
  starts.push_back(text.size());
  size_t chars = starts.size() - 1;
  if (chars < n) {
    out.push_back(text);
    return out;
  }
  out.reserve(chars - n + 1);
  for (size_t i = 0; i + n <= chars; ++i) out.push_back(text.substr(starts[i], starts[i + n] - starts[i]));
  return out;
}

MinHasher::MinHasher(size_t num_perm, uint64_t seed) : seed_(seed) {
  if (num_perm == 0) num_perm = 1;
  a_.resize(num_perm);
  b_.resize(num_perm);
  uint64_t state = seed;
  for (size_t i = 0; i < num_perm; ++i) {
    a_[i] = 1 + splitmix64(state) % (kMersennePrime - 1);  // [1, p)
    b_[i] = splitmix64(state) % kMersennePrime;             // [0, p)
  }
}

void MinHasher::update(Signature& signature, std::string_view shingle) const {
  const uint64_t x = hash::xxh64(shingle) & 0xFFFFFFFFull;
  const size_t n = std::min(signature.size(), a_.size());
  for (size_t i = 0; i < n; ++i) {
    Uint128 product = static_cast<Uint128>(a_[i]) * x + b_[i];
    auto value = static_cast<uint32_t>(static_cast<uint64_t>(product % kMersennePrime) & 0xFFFFFFFFull);
    if (value < signature[i]) signature[i] = value;
  }
}

Signature MinHasher::signature(std::string_view text, size_t ngram) const {
  Signature sig = empty_signature();
  for (std::string_view gram : char_ngrams(text, ngram)) update(sig, gram);
  return sig;
}

Signature MinHasher::signature_of(const std::vector<std::string>& shingles) const {
  Signature sig = empty_signature();
  for (const std::string& s : shingles) update(sig, s);
  return sig;
}

double jaccard_estimate(const Signature& a, const Signature& b) {
  if (a.size() != b.size() || a.empty()) return 0.0;
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

double ngram_jaccard(std::string_view a, std::string_view b, size_t ngram) {
  auto ga = char_ngrams(a, ngram);
  auto gb = char_ngrams(b, ngram);
  std::unordered_set<std::string_view> sa(ga.begin(), ga.end());
  std::unordered_set<std::string_view> sb(gb.begin(), gb.end());
  if (sa.empty() && sb.empty()) return 1.0;
  size_t common = 0;
  for (std::string_view g : sa) common += sb.count(g);
  return static_cast<double>(common) / static_cast<double>(sa.size() + sb.size() - common);
}

LshParams optimal_lsh_params(double threshold, size_t num_perm, double false_positive_weight,
                             double false_negative_weight) {
  double best = std::numeric_limits<double>::infinity();
  LshParams opt{1, std::max<size_t>(num_perm, 1)};
  for (size_t b = 1; b <= num_perm; ++b) {
    for (size_t r = 1; r <= num_perm / b; ++r) {
      const double bd = static_cast<double>(b), rd = static_cast<double>(r);
      auto p_candidate = [&](double s) { return 1.0 - std::pow(1.0 - std::pow(s, rd), bd); };
      double fp = integrate(p_candidate, 0.0, threshold);
      double fn = integrate([&](double s) { return 1.0 - p_candidate(s); }, threshold, 1.0);
      double error = fp * false_positive_weight + fn * false_negative_weight;
      if (error < best) {
        best = error;
        opt = {b, r};
      }
    }
  }
  return opt;
}

MinHashLsh::MinHashLsh(size_t num_perm, LshParams params) : num_perm_(num_perm), params_(params) {
  if (params_.bands == 0 || params_.rows == 0 || params_.bands * params_.rows > num_perm_) {
    params_ = optimal_lsh_params(0.5, num_perm_);
  }
  bands_.resize(params_.bands);
}

std::vector<uint64_t> MinHashLsh::band_keys(const Signature& signature) const {
  std::vector<uint64_t> keys(params_.bands);
  for (size_t band = 0; band < params_.bands; ++band) {
    const size_t start = band * params_.rows;
    if (start + params_.rows > signature.size()) {
      keys[band] = 0;
      continue;
    }
    std::string_view bytes(reinterpret_cast<const char*>(signature.data() + start), params_.rows * sizeof(uint32_t));
    keys[band] = hash::xxh64(bytes, band);
  }
  return keys;
}

void MinHashLsh::insert(uint32_t id, const Signature& signature) {
  std::vector<uint64_t> keys = band_keys(signature);
  for (size_t band = 0; band < params_.bands; ++band) {
    bands_[band].keys.push_back(keys[band]);
    bands_[band].ids.push_back(id);
  }
  ++size_;
}

void MinHashLsh::finalize() {
  for (Band& band : bands_) {
    std::vector<size_t> order(band.keys.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      return band.keys[x] != band.keys[y] ? band.keys[x] < band.keys[y] : band.ids[x] < band.ids[y];
    });
    std::vector<uint64_t> keys(order.size());
    std::vector<uint32_t> ids(order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      keys[i] = band.keys[order[i]];
      ids[i] = band.ids[order[i]];
    }
    band.keys = std::move(keys);
    band.ids = std::move(ids);
  }
}

std::vector<std::pair<uint32_t, uint32_t>> MinHashLsh::query(const Signature& signature, size_t limit,
                                                             size_t max_bucket) const {
  std::vector<uint64_t> keys = band_keys(signature);
  std::unordered_map<uint32_t, uint32_t> hits;
  using Range = std::pair<std::vector<uint64_t>::const_iterator, std::vector<uint64_t>::const_iterator>;
  std::vector<std::pair<size_t, Range>> ranges;  // (band, matching bucket)
  size_t smallest = SIZE_MAX;
  for (size_t band = 0; band < params_.bands; ++band) {
    const Band& b = bands_[band];
    auto range = std::equal_range(b.keys.begin(), b.keys.end(), keys[band]);
    size_t n = static_cast<size_t>(range.second - range.first);
    if (n == 0) continue;
    smallest = std::min(smallest, n);
    ranges.emplace_back(band, range);
  }
  const size_t cap = max_bucket == 0 ? SIZE_MAX : std::max(max_bucket, smallest);
  for (const auto& [band, range] : ranges) {
    const Band& b = bands_[band];
    if (static_cast<size_t>(range.second - range.first) > cap) continue;
    for (auto it = range.first; it != range.second; ++it) ++hits[b.ids[static_cast<size_t>(it - b.keys.begin())]];
  }
  std::vector<std::pair<uint32_t, uint32_t>> out(hits.begin(), hits.end());
  auto better = [](const auto& x, const auto& y) { return x.second != y.second ? x.second > y.second : x.first < y.first; };
  if (limit > 0 && out.size() > limit) {
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(limit), out.end(), better);
    out.resize(limit);
  } else {
    std::sort(out.begin(), out.end(), better);
  }
  return out;
}

namespace {
template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
bool get(std::string_view& in, T& v) {
  if (in.size() < sizeof v) return false;
  std::memcpy(&v, in.data(), sizeof v);
  in.remove_prefix(sizeof v);
  return true;
}
}  // namespace

void MinHashLsh::write(std::string& out) const {
  put<uint64_t>(out, num_perm_);
  put<uint64_t>(out, params_.bands);
  put<uint64_t>(out, params_.rows);
  put<uint64_t>(out, size_);
  for (const Band& band : bands_) {
    out.append(reinterpret_cast<const char*>(band.keys.data()), band.keys.size() * sizeof(uint64_t));
    out.append(reinterpret_cast<const char*>(band.ids.data()), band.ids.size() * sizeof(uint32_t));
  }
}

bool MinHashLsh::read(std::string_view& in, MinHashLsh& lsh) {
  uint64_t num_perm = 0, bands = 0, rows = 0, size = 0;
  if (!get(in, num_perm) || !get(in, bands) || !get(in, rows) || !get(in, size)) return false;
  if (bands == 0 || rows == 0 || bands * rows > num_perm || num_perm > (1u << 16)) return false;
  if (in.size() < bands * size * (sizeof(uint64_t) + sizeof(uint32_t))) return false;
  lsh = MinHashLsh(num_perm, {bands, rows});
  lsh.size_ = size;
  for (Band& band : lsh.bands_) {
    band.keys.resize(size);
    band.ids.resize(size);
    std::memcpy(band.keys.data(), in.data(), size * sizeof(uint64_t));
    in.remove_prefix(size * sizeof(uint64_t));
    std::memcpy(band.ids.data(), in.data(), size * sizeof(uint32_t));
    in.remove_prefix(size * sizeof(uint32_t));
  }
  return true;
}

}  // namespace askguru::index
