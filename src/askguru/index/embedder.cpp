#include "askguru/index/embedder.h"

#include <cmath>

namespace askguru::index {

float dot(const float* a, const float* b, size_t dim) {
  float sum = 0.0f;
  for (size_t i = 0; i < dim; ++i) sum += a[i] * b[i];
  return sum;
}

void l2_normalize(float* v, size_t dim) {
  float norm = std::sqrt(dot(v, v, dim));
  if (norm <= 0.0f) return;
  for (size_t i = 0; i < dim; ++i) v[i] /= norm;
}

}  // namespace askguru::index
