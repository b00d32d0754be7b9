// LexicalEmbedder: a built-in Embedder that needs no model. A text becomes a
// bag of hashed features (word stems, word bigrams and character n-grams of the
// words, with snake_case and camelCase names split into words), each weighted by
// sublinear term frequency times the inverse document frequency learnt by fit(),
// projected into `dimension` buckets with a sign hash, and L2-normalised.
//
// Fit it on the documents it will index (column documents, example questions), save
// it with the index, and load it back: vectors are only comparable between the same
// fitted embedder. Immutable after fit()/load(): safe for concurrent embed() calls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"
#include "askguru/index/embedder.h"

namespace askguru::index {

struct LexicalEmbedderOptions {
  size_t dimension = 1024;
  size_t min_char_ngram = 3;
  size_t max_char_ngram = 4;
  bool word_bigrams = true;
  // Relative weight of each feature group.
  float word_weight = 1.0f;
  float bigram_weight = 0.5f;
  float char_weight = 0.35f;
};

// One hashed feature of a text: bucket in [0, dimension), signed weight (tf part only).
struct LexicalFeature {
  uint32_t bucket = 0;
  float weight = 0.0f;
};

class LexicalEmbedder : public Embedder {
 public:
  explicit LexicalEmbedder(LexicalEmbedderOptions options = {});

  // Learns document frequencies from `documents` (an unfitted embedder weighs every
  // feature alike).
  static LexicalEmbedder fit(const std::vector<std::string>& documents, LexicalEmbedderOptions options = {});

  size_t dimension() const override { return options_.dimension; }
  std::string name() const override;
  Result<Embeddings> embed(const std::vector<std::string>& texts) const override;
  // One text into `out` (dimension() floats, overwritten).
  void embed_one(std::string_view text, float* out) const;

  const LexicalEmbedderOptions& options() const { return options_; }
  size_t documents() const { return documents_; }

  // Binary form (options + idf table); save/load write and read it as a file.
  std::string serialize() const;
  static Result<LexicalEmbedder> deserialize(std::string_view data, const std::string& source = "embedder");
  Status save(const std::string& path) const;
  static Result<LexicalEmbedder> load(const std::string& path);

 private:
  std::vector<LexicalFeature> features(std::string_view text) const;

  LexicalEmbedderOptions options_;
  size_t documents_ = 0;
  std::vector<float> idf_;  // per bucket; empty: all 1
};

// The lower-case words of a text for lexical matching: letters and digits, with
// snake_case, kebab-case and camelCase split ("LastName_2" -> "last", "name", "2").
std::vector<std::string> lexical_words(std::string_view text);
// A crude English stem: plural and common inflection endings removed ("cities" ->
// "city", "singers" -> "singer", "classes" -> "class").
std::string lexical_stem(std::string_view lower_word);
// Function words that carry no meaning for retrieval ("the", "of", "what").
bool is_lexical_stop_word(std::string_view lower_word);

}  // namespace askguru::index
