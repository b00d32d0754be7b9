#include "askguru/index/lexical_embedder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "askguru/common/files.h"
#include "askguru/common/hash.h"
#include "askguru/index/binary_io.h"

namespace askguru::index {
namespace {

constexpr std::string_view kMagic = "AGLEX001";

bool is_alnum(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }

uint64_t feature_hash(char kind, std::string_view text) {
  return hash::xxh64(text, static_cast<uint64_t>(kind) * 0x9E3779B97F4A7C15ull);
}

}  // namespace

bool is_lexical_stop_word(std::string_view w) {
  static const std::unordered_set<std::string_view> kWords = {
      "a",    "an",    "the",  "of",   "in",    "on",   "at",   "to",    "for",  "by",    "with", "from",
      "and",  "or",    "is",   "are",  "was",   "were", "be",   "been",  "it",   "its",   "this", "that",
      "these", "those", "what", "which", "who",  "whom", "whose", "how",  "when", "where", "why",  "do",
      "does", "did",   "has",  "have", "had",   "there", "their", "they", "them", "me",   "my",   "i",
      "you",  "your",  "we",   "our",  "he",    "she",  "his",  "her",   "as",   "than",  "then", "please",
      "show", "give",  "tell", "list", "find",  "return", "all", "each",  "every", "any", "also", "s"};
  return kWords.count(w) > 0;
}

std::string lexical_stem(std::string_view w) {
  std::string s(w);
  auto ends = [&](std::string_view suffix) { return s.size() > suffix.size() + 2 && s.ends_with(suffix); };
  if (ends("ies")) {
    s.resize(s.size() - 3);
    s += 'y';
  } else if (ends("sses") || ends("xes") || ends("ches") || ends("shes")) {
    s.resize(s.size() - 2);
  } else if (s.size() > 3 && s.back() == 's' && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is")) {
    s.pop_back();
  }
  return s;
}

std::vector<std::string> lexical_words(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) out.push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (!is_alnum(c)) {
      flush();
      continue;
    }
    if (!current.empty() && c < 0x80) {
      auto prev = static_cast<unsigned char>(text[i - 1]);
      bool lower_to_upper = std::isupper(c) && (std::islower(prev) || std::isdigit(prev));
      bool digit_change = (std::isdigit(c) != 0) != (std::isdigit(prev) != 0) && prev < 0x80;
      // "HTMLParser": the upper case letter before a lower case one starts a new word.
      bool acronym_end = std::isupper(c) && std::isupper(prev) && i + 1 < text.size() &&
                         std::islower(static_cast<unsigned char>(text[i + 1]));
      if (lower_to_upper || digit_change || acronym_end) flush();
    }
    current += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
  }
  flush();
  return out;
}

LexicalEmbedder::LexicalEmbedder(LexicalEmbedderOptions options) : options_(options) {
  if (options_.dimension == 0) options_.dimension = 1;
}

std::string LexicalEmbedder::name() const {
  return "lexical-v1-" + std::to_string(options_.dimension) + "-" + std::to_string(options_.min_char_ngram) + "." +
         std::to_string(options_.max_char_ngram);
}

std::vector<LexicalFeature> LexicalEmbedder::features(std::string_view text) const {
  std::unordered_map<uint64_t, float> counts;  // hash -> group weight * count
  std::vector<std::string> words = lexical_words(text);
  std::vector<std::string> stems;
  for (const std::string& w : words) {
    if (is_lexical_stop_word(w)) {
      stems.emplace_back();
      continue;
    }
    stems.push_back(lexical_stem(w));
  }
  std::string padded;
  for (size_t i = 0; i < stems.size(); ++i) {
    const std::string& s = stems[i];
    if (s.empty()) continue;
    counts[feature_hash('w', s)] += options_.word_weight;
    if (options_.word_bigrams && i + 1 < stems.size() && !stems[i + 1].empty()) {
      counts[feature_hash('b', s + " " + stems[i + 1])] += options_.bigram_weight;
    }
    if (options_.char_weight > 0 && options_.min_char_ngram > 0) {
      padded = " " + s + " ";
      for (size_t n = options_.min_char_ngram; n <= options_.max_char_ngram; ++n) {
        if (padded.size() < n) break;
        for (size_t j = 0; j + n <= padded.size(); ++j) {
          counts[feature_hash('c', std::string_view(padded).substr(j, n))] += options_.char_weight;
        }
      }
    }
  }
  std::vector<LexicalFeature> out;
  out.reserve(counts.size());
  const auto dim = static_cast<uint64_t>(options_.dimension);
  for (auto [h, count] : counts) {
    // Sublinear tf keeps a repeated word from dominating; the sign hash keeps collisions unbiased.
    float w = 1.0f + std::log(std::max(count, 1e-3f));
    if (count < 1.0f) w = count;  // a lone light feature (a char n-gram) keeps its group weight
    float sign = (h >> 63) ? -1.0f : 1.0f;
    out.push_back({static_cast<uint32_t>((h >> 1) % dim), sign * w});
  }
  return out;
}

LexicalEmbedder LexicalEmbedder::fit(const std::vector<std::string>& documents, LexicalEmbedderOptions options) {
  LexicalEmbedder e(options);
  std::vector<uint32_t> df(e.options_.dimension, 0);
  std::vector<uint32_t> seen(e.options_.dimension, 0);  // last document that counted each bucket (1-based)
  for (size_t d = 0; d < documents.size(); ++d) {
    for (const LexicalFeature& f : e.features(documents[d])) {
      if (seen[f.bucket] == d + 1) continue;
      seen[f.bucket] = static_cast<uint32_t>(d + 1);
      ++df[f.bucket];
    }
  }
  e.documents_ = documents.size();
  e.idf_.resize(e.options_.dimension);
  const double n = static_cast<double>(documents.size());
  for (size_t i = 0; i < df.size(); ++i) e.idf_[i] = static_cast<float>(std::log((1.0 + n) / (1.0 + df[i])) + 1.0);
  return e;
}

void LexicalEmbedder::embed_one(std::string_view text, float* out) const {
  std::fill(out, out + options_.dimension, 0.0f);
  for (const LexicalFeature& f : features(text)) {
    float idf = idf_.empty() ? 1.0f : idf_[f.bucket];
    out[f.bucket] += f.weight * idf;
  }
  l2_normalize(out, options_.dimension);
}

Result<Embeddings> LexicalEmbedder::embed(const std::vector<std::string>& texts) const {
  Embeddings e;
  e.dim = options_.dimension;
  e.data.resize(texts.size() * e.dim);
  for (size_t i = 0; i < texts.size(); ++i) embed_one(texts[i], e.row(i));
  return e;
}

std::string LexicalEmbedder::serialize() const {
  std::string out(kMagic);
  bin::put<uint64_t>(out, options_.dimension);
  bin::put<uint64_t>(out, options_.min_char_ngram);
  bin::put<uint64_t>(out, options_.max_char_ngram);
  bin::put<uint8_t>(out, options_.word_bigrams ? 1 : 0);
  bin::put<float>(out, options_.word_weight);
  bin::put<float>(out, options_.bigram_weight);
  bin::put<float>(out, options_.char_weight);
  bin::put<uint64_t>(out, documents_);
  bin::put<uint64_t>(out, idf_.size());
  out.append(reinterpret_cast<const char*>(idf_.data()), idf_.size() * sizeof(float));
  return out;
}

Result<LexicalEmbedder> LexicalEmbedder::deserialize(std::string_view data, const std::string& source) {
  bin::Reader in(data);
  auto corrupt = [&](const char* what) {
    return make_error(ErrorCode::kParseError, source + ": not a lexical embedder or damaged (" + what + ")");
  };
  if (!in.expect(kMagic)) return corrupt("bad magic");
  LexicalEmbedderOptions o;
  uint64_t dim = 0, mn = 0, mx = 0, docs = 0, nidf = 0;
  uint8_t bigrams = 0;
  in.get(dim);
  in.get(mn);
  in.get(mx);
  in.get(bigrams);
  in.get(o.word_weight);
  in.get(o.bigram_weight);
  in.get(o.char_weight);
  in.get(docs);
  in.get(nidf);
  if (!in.ok() || dim == 0 || dim > (1u << 24) || mx > 16 || (nidf != 0 && nidf != dim)) return corrupt("header");
  if (in.rest().size() != nidf * sizeof(float)) return corrupt("idf table");
  o.dimension = dim;
  o.min_char_ngram = mn;
  o.max_char_ngram = mx;
  o.word_bigrams = bigrams != 0;
  LexicalEmbedder e(o);
  e.documents_ = docs;
  e.idf_.resize(nidf);
  std::memcpy(e.idf_.data(), in.rest().data(), nidf * sizeof(float));
  return e;
}

Status LexicalEmbedder::save(const std::string& path) const { return files::write_file(path, serialize()); }

Result<LexicalEmbedder> LexicalEmbedder::load(const std::string& path) {
  AG_ASSIGN_OR_RETURN(std::string data, files::read_file(path));
  return deserialize(data, path);
}

}  // namespace askguru::index
