// RemoteEmbedder: an Embedder backed by any OpenAI-compatible /v1/embeddings
// endpoint (vLLM, Ollama, llama.cpp server, OpenAI) through llm::LlmClient, which
// brings retries, rate limits and the cache. Texts are sent in batches of
// `batch_size`, all batches in flight at once (the client caps concurrency); the
// vectors come back in input order and L2-normalised. A failed batch, a reply with
// the wrong number of vectors or a vector of the wrong size is an error naming the
// endpoint and the batch.
//
// Thread-safety: embed() may be called from several threads at once.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "askguru/common/status.h"
#include "askguru/index/embedder.h"
#include "askguru/llm/config.h"

namespace askguru::llm {
class LlmClient;
}

namespace askguru::index {

struct RemoteEmbedderOptions {
  llm::EndpointConfig endpoint;  // kind openai; model = the embedding model
  size_t batch_size = 64;
  // Requested vector size ("dimensions" in the request); nullopt: the model's own,
  // learnt from one probe request at create().
  std::optional<int> dimensions;
};

class RemoteEmbedder : public Embedder {
 public:
  static Result<std::unique_ptr<RemoteEmbedder>> create(const RemoteEmbedderOptions& options);
  ~RemoteEmbedder() override;

  size_t dimension() const override { return dimension_; }
  std::string name() const override;
  Result<Embeddings> embed(const std::vector<std::string>& texts) const override;

  // Requests sent so far (one per batch, plus the probe).
  size_t requests() const;

 private:
  RemoteEmbedder() = default;
  RemoteEmbedderOptions options_;
  std::unique_ptr<llm::LlmClient> client_;
  size_t dimension_ = 0;
  mutable std::atomic<size_t> requests_{0};
};

}  // namespace askguru::index
