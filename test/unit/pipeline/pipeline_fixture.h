// Test support for pipeline/: the club database, a scripted LLM server, and a
// pipeline configuration that points at it.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "askguru/llm/scripted_server.h"
#include "askguru/pipeline/pipeline.h"
#include "unit/index/index_fixture.h"

namespace askguru::testing {

class PipelineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = dir_.file("club.sqlite");
    write_club_database(db_path_);
  }

  // Starts the scripted server with `rules` (YAML list items, indented by 2).
  void start_server(const std::string& rules) {
    auto server = llm::ScriptedServer::start_yaml("rules:\n" + rules);
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(*server);
  }

  // Endpoints fast (model fast), gen-a (model a), gen-b (model b) on the server,
  // then `rest` (the pipeline sections).
  std::string config_yaml(const std::string& rest, const std::string& base_url = "") const {
    const std::string url = base_url.empty() ? server_->base_url() : base_url;
    std::string out = "endpoints:\n";
    for (const char* name : {"fast", "a", "b"}) {
      out += std::string("  - {name: ") + (std::string(name) == "fast" ? "fast" : std::string("gen-") + name) +
             ", kind: openai, base_url: " + url + ", model: " + name + ", timeout_ms: 5000, max_retries: 0}\n";
    }
    return out + rest;
  }

  std::unique_ptr<pipeline::Pipeline> make_pipeline(const std::string& yaml) {
    auto config = pipeline::PipelineConfig::from_yaml(yaml, "test.yaml");
    EXPECT_TRUE(config.ok()) << config.error();
    if (!config.ok()) return nullptr;
    auto p = pipeline::Pipeline::create(std::move(*config));
    EXPECT_TRUE(p.ok()) << p.error();
    return p.ok() ? std::move(*p) : nullptr;
  }

  const pipeline::Database& database(const std::string& examples = {}) {
    if (!database_) {
      index::ArtifactOptions options;
      options.root = dir_.file("artifacts");
      auto db = pipeline::Database::open(db_path_, options, examples);
      EXPECT_TRUE(db.ok()) << db.error();
      database_ = std::move(*db);
    }
    return *database_;
  }

  pipeline::Answer ask(pipeline::Pipeline& p, const std::string& question, const std::string& evidence = {}) {
    return p.ask(pipeline::Question{question, evidence, {}}, database());
  }

  // Requests the server saw for `model` whose body contains `text`.
  size_t requests_for(const std::string& model, const std::string& text = "") const {
    size_t n = 0;
    for (const auto& r : server_->requests()) {
      if (r.body.find("\"model\":\"" + model + "\"") != std::string::npos &&
          (text.empty() || r.body.find(text) != std::string::npos)) {
        ++n;
      }
    }
    return n;
  }

  TempDir dir_;
  std::string db_path_;
  std::unique_ptr<llm::ScriptedServer> server_;
  std::unique_ptr<pipeline::Database> database_;
};

// A reply rule for `model` (and optional `contains`) answering `text`.
inline std::string rule(const std::string& model, const std::string& text, const std::string& contains = "",
                        const std::string& extra = "") {
  nlohmann::json reply = {{"text", text}};
  std::string out = "  - match: {model: " + model;
  if (!contains.empty()) out += ", contains: [" + nlohmann::json(contains).dump() + "]";
  out += "}\n    reply: " + reply.dump() + "\n";
  if (!extra.empty()) out += "    " + extra + "\n";
  return out;
}

inline std::string sql_reply(const std::string& sql) { return "```sql\n" + sql + "\n```"; }

}  // namespace askguru::testing
