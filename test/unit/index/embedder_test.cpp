// Embedders: the built-in lexical one (determinism, normalisation, similarity order,
// persistence) and the remote one against the scripted server on 127.0.0.1
// (batching, vector order, a failing endpoint, a wrong-sized reply).
#include <gtest/gtest.h>

#include <cmath>

#include "askguru/index/lexical_embedder.h"
#include "askguru/index/remote_embedder.h"
#include "askguru/llm/scripted_server.h"
#include "unit/index/index_fixture.h"

namespace askguru::index {
namespace {

using askguru::testing::TempDir;

float norm(const float* v, size_t dim) { return std::sqrt(dot(v, v, dim)); }

const std::vector<std::string> kDocs = {
    "singer | name | text", "singer | age | integer", "concert | concert name | text",
    "stadium | capacity | integer", "singer in concert | singer id | integer"};

TEST(LexicalWords, SplitsIdentifiers) {
  EXPECT_EQ(lexical_words("LastName_2"), (std::vector<std::string>{"last", "name", "2"}));
  EXPECT_EQ(lexical_words("HTMLParser first-name"), (std::vector<std::string>{"html", "parser", "first", "name"}));
  EXPECT_EQ(lexical_stem("cities"), "city");
  EXPECT_EQ(lexical_stem("singers"), "singer");
  EXPECT_EQ(lexical_stem("classes"), "class");
  EXPECT_EQ(lexical_stem("status"), "status");
}

TEST(LexicalEmbedder, DeterministicAndNormalised) {
  LexicalEmbedder e = LexicalEmbedder::fit(kDocs);
  auto a = e.embed({"How old is each singer?", ""});
  auto b = e.embed({"How old is each singer?"});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ(a->dim, e.dimension());
  EXPECT_NEAR(norm(a->row(0), a->dim), 1.0f, 1e-5);
  EXPECT_FLOAT_EQ(norm(a->row(1), a->dim), 0.0f);  // nothing to embed stays zero
  for (size_t i = 0; i < a->dim; ++i) ASSERT_EQ(a->row(0)[i], b->row(0)[i]);
}

TEST(LexicalEmbedder, SimilarTextsScoreHigher) {
  LexicalEmbedder e = LexicalEmbedder::fit(kDocs);
  auto v = e.embed({"What is the average age of singers?", "singer | age | integer", "stadium | capacity | integer"});
  ASSERT_TRUE(v.ok());
  EXPECT_GT(dot(v->row(0), v->row(1), v->dim), dot(v->row(0), v->row(2), v->dim) + 0.1f);
}

TEST(LexicalEmbedder, IdfDownweightsCommonWords) {
  // "singer" is in three of five documents; "capacity" in one: a query naming both is
  // closer to the capacity document.
  LexicalEmbedder e = LexicalEmbedder::fit(kDocs);
  auto v = e.embed({"singer capacity", "stadium | capacity | integer", "singer | name | text"});
  ASSERT_TRUE(v.ok());
  EXPECT_GT(dot(v->row(0), v->row(1), v->dim), dot(v->row(0), v->row(2), v->dim));
}

TEST(LexicalEmbedder, SaveLoadRoundTrip) {
  TempDir dir;
  LexicalEmbedderOptions o;
  o.dimension = 256;
  LexicalEmbedder e = LexicalEmbedder::fit(kDocs, o);
  ASSERT_TRUE(e.save(dir.file("lex.bin")).ok());
  auto loaded = LexicalEmbedder::load(dir.file("lex.bin"));
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->name(), e.name());
  EXPECT_EQ(loaded->documents(), kDocs.size());
  auto a = e.embed({"concert names"});
  auto b = loaded->embed({"concert names"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->data, b->data);
  // Damaged files are errors, not crashes.
  std::string data = e.serialize();
  EXPECT_FALSE(LexicalEmbedder::deserialize(data.substr(0, data.size() - 3)).ok());
  EXPECT_FALSE(LexicalEmbedder::deserialize("garbage").ok());
}

std::unique_ptr<llm::ScriptedServer> start_server(const std::string& yaml) {
  auto server = llm::ScriptedServer::start_yaml(yaml);
  EXPECT_TRUE(server.ok()) << server.error();
  return server.ok() ? std::move(*server) : nullptr;
}

RemoteEmbedderOptions remote_options(const llm::ScriptedServer& server, size_t batch) {
  RemoteEmbedderOptions o;
  o.endpoint.name = "emb";
  o.endpoint.base_url = server.base_url();
  o.endpoint.model = "bge-test";
  o.endpoint.timeout_ms = 5000;
  o.endpoint.max_retries = 1;
  o.endpoint.backoff_initial_ms = 5;
  o.endpoint.backoff_max_ms = 10;
  o.batch_size = batch;
  return o;
}

TEST(RemoteEmbedder, BatchesAndKeepsOrder) {
  auto server = start_server("embedding_dim: 24\n");
  ASSERT_TRUE(server);
  auto e = RemoteEmbedder::create(remote_options(*server, 2));
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ((*e)->dimension(), 24u);  // learnt from the probe
  std::vector<std::string> texts = {"singer name", "concert year", "stadium capacity", "singer age", "country"};
  auto v = (*e)->embed(texts);
  ASSERT_TRUE(v.ok()) << v.error();
  ASSERT_EQ(v->size(), 5u);
  EXPECT_EQ(server->request_count(), 1u + 3u);  // probe + ceil(5 / 2) batches
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<float> expected = llm::scripted_embedding(texts[i], 24);
    l2_normalize(expected.data(), expected.size());
    EXPECT_NEAR(norm(v->row(i), 24), 1.0f, 1e-5);
    for (size_t j = 0; j < 24; ++j) ASSERT_NEAR(v->row(i)[j], expected[j], 1e-5) << "text " << i;
  }
  EXPECT_NE((*e)->name().find("bge-test"), std::string::npos);
}

TEST(RemoteEmbedder, FailingEndpointIsAnError) {
  auto server = start_server(R"(
embedding_dim: 8
rules:
  - match: {path: /v1/embeddings, contains: "broken"}
    reply: {status: 400, error: "input rejected"}
)");
  ASSERT_TRUE(server);
  RemoteEmbedderOptions o = remote_options(*server, 2);
  o.dimensions = 8;  // no probe
  auto e = RemoteEmbedder::create(o);
  ASSERT_TRUE(e.ok()) << e.error();
  auto v = (*e)->embed({"fine", "also fine", "broken text"});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().find("batch 2/2"), std::string::npos) << v.error();
  EXPECT_NE(v.error().find("bge-test"), std::string::npos) << v.error();
}

TEST(RemoteEmbedder, MalformedRepliesAreErrors) {
  auto server = start_server(R"(
embedding_dim: 8
rules:
  - match: {path: /v1/embeddings, contains: "short"}
    reply: {body: '{"model":"m","data":[{"index":0,"embedding":[1,0,0]}]}'}
  - match: {path: /v1/embeddings, contains: "missing"}
    reply: {body: '{"model":"m","data":[{"index":0,"embedding":[1,0,0,0,0,0,0,0]}]}'}
)");
  ASSERT_TRUE(server);
  RemoteEmbedderOptions o = remote_options(*server, 4);
  o.dimensions = 8;
  auto e = RemoteEmbedder::create(o);
  ASSERT_TRUE(e.ok());
  auto good = (*e)->embed({"a", "b"});
  ASSERT_TRUE(good.ok()) << good.error();
  auto short_vector = (*e)->embed({"short"});
  ASSERT_FALSE(short_vector.ok());
  EXPECT_NE(short_vector.error().find("size 3"), std::string::npos) << short_vector.error();
  auto missing = (*e)->embed({"missing", "two"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("1 vectors for 2 inputs"), std::string::npos) << missing.error();
  server->stop();
  EXPECT_FALSE((*e)->embed({"a"}).ok());  // connection refused, surfaced after the retries
}

TEST(RemoteEmbedder, UnreachableProbeIsAnError) {
  RemoteEmbedderOptions o;
  o.endpoint.name = "emb";
  o.endpoint.base_url = "http://127.0.0.1:1";
  o.endpoint.model = "m";
  o.endpoint.timeout_ms = 1000;
  o.endpoint.max_retries = 0;
  auto e = RemoteEmbedder::create(o);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().find("probing"), std::string::npos) << e.error();
}

}  // namespace
}  // namespace askguru::index
