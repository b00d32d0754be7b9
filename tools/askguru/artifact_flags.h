// Flags shared by `askguru index`, `values`, `retrieve` and `ask`: where the
// per-database artifacts live and how they are built, including the embedder of the
// column index (--embedder: any OpenAI-compatible /v1/embeddings endpoint; the API
// key only ever comes from the environment variable named by --embedding-key-env).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "askguru/guard/policy.h"
#include "askguru/index/remote_embedder.h"
#include "askguru/index/retriever.h"
#include "subcommand.h"

namespace askguru::cli {

struct ArtifactFlags {
  std::string root;
  std::string tables;
  std::string descriptions;
  std::vector<std::string> deny;
  std::string policy;  // guardrail policy file; its denied tables and columns are never read
  std::string role;
  bool force = false;
  bool quiet = false;
  std::string embedder_url;
  std::string embedding_model;
  std::string embedding_key_env;
  int embedding_dim = 0;
  size_t embedding_batch = 64;

  void add(CLI::App& sub, bool with_force) {
    sub.add_option("--artifacts", root, "artifact root (default $ASKGURU_HOME, else ~/.cache/askguru)");
    sub.add_option("--tables", tables, "Spider/BIRD tables.json (natural column names)");
    sub.add_option("--descriptions", descriptions, "BIRD description CSVs (default: beside the database)");
    sub.add_option("--deny", deny, "columns never profiled or indexed: table.column or table.* (repeatable)");
    sub.add_option("--policy", policy, "guardrail policy (YAML): its denied tables and columns are never read");
    sub.add_option("--role", role, "role within --policy");
    if (with_force) sub.add_flag("--force", force, "rebuild even when the artifacts are up to date");
    sub.add_flag("-q,--quiet", quiet, "no progress lines");
    sub.add_option("--embedder", embedder_url,
                   "column index embedder: base URL of an OpenAI-compatible /v1/embeddings endpoint "
                   "(default: the built-in lexical embedder); artifacts built with another embedder are rebuilt");
    sub.add_option("--embedding-model", embedding_model, "model name for --embedder");
    sub.add_option("--embedding-key-env", embedding_key_env,
                   "environment variable holding the API key for --embedder (never the key itself)");
    sub.add_option("--embedding-dim", embedding_dim, "requested vector size for --embedder (default: the model's)");
    sub.add_option("--embedding-batch", embedding_batch, "texts per /v1/embeddings request")->capture_default_str();
  }

  // The --embedder as configured (created once: it probes the endpoint for the vector
  // size); null without --embedder. A bad configuration ends the command.
  std::shared_ptr<const index::Embedder> embedder() const {
    if (embedder_url.empty()) {
      if (!embedding_model.empty()) fail("--embedding-model needs --embedder URL");
      return nullptr;
    }
    if (embedder_) return embedder_;
    if (embedding_model.empty()) fail("--embedder needs --embedding-model NAME");
    index::RemoteEmbedderOptions o;
    o.endpoint.name = "embedder";
    o.endpoint.base_url = embedder_url;
    o.endpoint.model = embedding_model;
    o.endpoint.api_key_env = embedding_key_env;
    o.endpoint.origin = "--embedder";
    o.batch_size = embedding_batch == 0 ? 1 : embedding_batch;
    if (embedding_dim > 0) o.dimensions = embedding_dim;
    auto created = index::RemoteEmbedder::create(o);
    if (!created.ok()) fail(created.status());
    embedder_ = std::shared_ptr<const index::Embedder>(std::move(*created));
    return embedder_;
  }

  index::ArtifactOptions options() const {
    index::ArtifactOptions o;
    o.root = root;
    o.tables_json = tables;
    o.descriptions_dir = descriptions;
    o.force = force;
    o.deny = deny;
    o.quiet = quiet;
    o.embedder = embedder();
    if (!policy.empty() || !role.empty()) o.allow = allow_of(policy);
    return o;
  }

  // What a policy file lets be read (the built-in policy when `path` is empty); a bad
  // policy ends the command.
  std::function<bool(std::string_view, std::string_view)> allow_of(const std::string& path) const {
    auto resolved = guard::resolve_policy(path, role);
    if (!resolved.ok()) fail(resolved.status(), 2);
    return [p = *resolved](std::string_view table, std::string_view column) {
      return p.table_allowed("", table) && p.column_allowed(table, column);
    };
  }

 private:
  mutable std::shared_ptr<const index::Embedder> embedder_;
};

}  // namespace askguru::cli
