// Embedder: turns texts into L2-normalised vectors for similarity search (column
// documents, masked example questions, value re-ranking).
//
// Implementations: LexicalEmbedder (lexical_embedder.h, built in, no model) and
// RemoteEmbedder (remote_embedder.h, any OpenAI-compatible /v1/embeddings endpoint).
// An Embedder's embed() is safe to call from several threads at once once it is
// configured (fitted, for the lexical one).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "askguru/common/status.h"

namespace askguru::index {

// Row-major matrix of `size()` vectors of `dim` floats.
struct Embeddings {
  size_t dim = 0;
  std::vector<float> data;

  size_t size() const { return dim == 0 ? 0 : data.size() / dim; }
  const float* row(size_t i) const { return data.data() + i * dim; }
  float* row(size_t i) { return data.data() + i * dim; }
};

class Embedder {
 public:
  virtual ~Embedder() = default;
  virtual size_t dimension() const = 0;
  // Identifies the model and its settings ("lexical-v1-1024", "remote:bge-small@http://..."):
  // vectors from embedders with different names are not comparable.
  virtual std::string name() const = 0;
  // One L2-normalised vector per text, in order.
  virtual Result<Embeddings> embed(const std::vector<std::string>& texts) const = 0;
};

// Inner product of two vectors of length `dim`.
float dot(const float* a, const float* b, size_t dim);
// Scales `v` to unit length (leaves a zero vector as is).
void l2_normalize(float* v, size_t dim);

}  // namespace askguru::index
