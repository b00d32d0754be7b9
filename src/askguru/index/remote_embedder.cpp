#include "askguru/index/remote_embedder.h"

#include <future>

#include "askguru/llm/client.h"
#include "askguru/llm/types.h"

namespace askguru::index {

RemoteEmbedder::~RemoteEmbedder() = default;

Result<std::unique_ptr<RemoteEmbedder>> RemoteEmbedder::create(const RemoteEmbedderOptions& options) {
  if (options.endpoint.base_url.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "remote embedder: the endpoint has no base_url");
  }
  if (options.endpoint.kind != llm::EndpointKind::kOpenAi) {
    return make_error(ErrorCode::kInvalidArgument, "remote embedder: endpoint '" + options.endpoint.name +
                                                       "' is not OpenAI-compatible (/v1/embeddings)");
  }
  std::unique_ptr<RemoteEmbedder> e(new RemoteEmbedder());
  e->options_ = options;
  if (e->options_.batch_size == 0) e->options_.batch_size = 1;
  AG_ASSIGN_OR_RETURN(e->client_, llm::LlmClient::create(options.endpoint));
  if (options.dimensions && *options.dimensions > 0) {
    e->dimension_ = static_cast<size_t>(*options.dimensions);
  } else {
    // Learn the model's vector size from one request.
    llm::EmbeddingRequest probe;
    probe.inputs = {"dimension probe"};
    probe.purpose = "embedding-probe";
    ++e->requests_;
    auto reply = e->client_->embed(std::move(probe)).get();
    if (!reply.ok()) return reply.status().with_context("remote embedder " + e->name() + ": probing the vector size");
    if (reply->vectors.size() != 1 || reply->vectors[0].empty()) {
      return make_error(ErrorCode::kParseError, "remote embedder " + e->name() + ": the probe returned no vector");
    }
    e->dimension_ = reply->vectors[0].size();
  }
  return e;
}

std::string RemoteEmbedder::name() const {
  std::string n = "remote:";
  n.append(options_.endpoint.model).append("@").append(options_.endpoint.base_url);
  if (options_.dimensions) n.append("#").append(std::to_string(*options_.dimensions));
  return n;
}

size_t RemoteEmbedder::requests() const { return requests_.load(); }

Result<Embeddings> RemoteEmbedder::embed(const std::vector<std::string>& texts) const {
  Embeddings out;
  out.dim = dimension_;
  out.data.assign(texts.size() * dimension_, 0.0f);
  const size_t batch = options_.batch_size;
  const size_t batches = (texts.size() + batch - 1) / batch;
  std::vector<std::future<Result<llm::EmbeddingResponse>>> pending;
  pending.reserve(batches);
  for (size_t b = 0; b < batches; ++b) {
    llm::EmbeddingRequest request;
    const size_t begin = b * batch, end = std::min(texts.size(), begin + batch);
    request.inputs.assign(texts.begin() + static_cast<std::ptrdiff_t>(begin),
                          texts.begin() + static_cast<std::ptrdiff_t>(end));
    // An empty input is rejected by some servers: send a space instead.
    for (std::string& s : request.inputs) {
      if (s.empty()) s = " ";
    }
    request.dimensions = options_.dimensions;
    request.purpose = "embedding";
    ++requests_;
    pending.push_back(client_->embed(std::move(request)));
  }
  Status first_error;
  for (size_t b = 0; b < batches; ++b) {
    auto reply = pending[b].get();  // wait for every batch, even after a failure
    if (!first_error.ok()) continue;
    const std::string where =
        "remote embedder " + name() + ": batch " + std::to_string(b + 1) + "/" + std::to_string(batches);
    const size_t begin = b * batch, end = std::min(texts.size(), begin + batch);
    if (!reply.ok()) {
      first_error = reply.status().with_context(where);
      continue;
    }
    if (reply->vectors.size() != end - begin) {
      first_error = make_error(ErrorCode::kParseError, where + ": " + std::to_string(reply->vectors.size()) +
                                                           " vectors for " + std::to_string(end - begin) + " inputs");
      continue;
    }
    for (size_t i = begin; i < end; ++i) {
      const std::vector<float>& v = reply->vectors[i - begin];
      if (v.size() != dimension_) {
        first_error = make_error(ErrorCode::kParseError, where + ": a vector of size " + std::to_string(v.size()) +
                                                             ", expected " + std::to_string(dimension_));
        break;
      }
      std::copy(v.begin(), v.end(), out.row(i));
      l2_normalize(out.row(i), dimension_);
    }
  }
  if (!first_error.ok()) return first_error;
  return out;
}

}  // namespace askguru::index
