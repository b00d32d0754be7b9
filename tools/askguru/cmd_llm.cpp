// `askguru llm ping [--config C]`: for each endpoint, whether it is reachable,
// whether its model is listed by /v1/models, and the latency.
// `askguru llm chat --config C --endpoint E [--system S] [--temperature T] "prompt"`:
// one chat request; prints the reply, and usage and cost on stderr.
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "askguru/llm/client.h"
#include "askguru/llm/config.h"
#include "askguru/llm/http_loop.h"
#include "askguru/llm/redact.h"
#include "askguru/llm/usage.h"
#include "subcommand.h"

namespace {

using namespace askguru;

std::string default_config() {
  const char* env = std::getenv("ASKGURU_LLM_CONFIG");
  return env && *env ? env : "configs/llm.yaml";
}

struct PingOptions {
  std::string config = default_config();
  int timeout_ms = 10000;
};

void run_ping(const PingOptions& opt) {
  auto config = llm::LlmConfig::load(opt.config);
  if (!config.ok()) cli::fail(config.status());
  auto loop = std::make_shared<llm::HttpLoop>();
  int failures = 0;
  std::printf("%-20s %-10s %-40s %-10s %-12s %s\n", "endpoint", "kind", "model", "reachable", "model listed",
              "latency");
  for (const llm::EndpointConfig& e : config->endpoints) {
    llm::ClientContext ctx;
    ctx.loop = loop;
    auto client = llm::LlmClient::create(e, ctx);
    if (!client.ok()) {
      ++failures;
      std::printf("%-20s %-10s %-40s %-10s %-12s %s\n", e.name.c_str(),
                  std::string(llm::endpoint_kind_name(e.kind)).c_str(), e.model.c_str(), "no", "-",
                  llm::redact(client.error()).c_str());
      continue;
    }
    auto models = (*client)->list_models(opt.timeout_ms);
    if (!models.ok()) {
      ++failures;
      std::printf("%-20s %-10s %-40s %-10s %-12s %s\n", e.name.c_str(),
                  std::string(llm::endpoint_kind_name(e.kind)).c_str(), e.model.c_str(), "no", "-",
                  llm::redact(models.error()).c_str());
      continue;
    }
    bool listed = false;
    for (const std::string& id : models->ids) listed = listed || id == e.model;
    if (!listed) ++failures;
    std::printf("%-20s %-10s %-40s %-10s %-12s %.0f ms (%zu models)\n", e.name.c_str(),
                std::string(llm::endpoint_kind_name(e.kind)).c_str(), e.model.c_str(), "yes", listed ? "yes" : "NO",
                models->latency_ms, models->ids.size());
  }
  if (failures > 0) throw cli::Exit{1};
}

struct ChatOptions {
  std::string config = default_config();
  std::string endpoint;
  std::string system;
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  std::string cache;  // "", off, read-write, read-only
  std::string prompt;
};

void run_chat(const ChatOptions& opt) {
  auto config = llm::LlmConfig::load(opt.config);
  if (!config.ok()) cli::fail(config.status());
  std::optional<llm::CacheMode> mode;
  if (!opt.cache.empty()) {
    auto parsed = llm::parse_cache_mode(opt.cache);
    if (!parsed.ok()) cli::fail(parsed.status());
    mode = *parsed;
  }
  std::string endpoint = opt.endpoint;
  if (endpoint.empty()) {
    if (config->endpoints.empty()) cli::fail(opt.config + ": no endpoints");
    endpoint = config->endpoints.front().name;
  }
  const llm::EndpointConfig* e = config->find(endpoint);
  if (!e) {
    std::string known;
    for (const auto& x : config->endpoints) known += (known.empty() ? "" : ", ") + x.name;
    cli::fail(opt.config + ": no endpoint named '" + endpoint + "' (known: " + known + ")");
  }
  // Only the chosen endpoint: another one's missing key must not stop this call.
  llm::LlmConfig one = *config;
  one.endpoints = {*e};
  auto hub = llm::LlmHub::create(one, mode);
  if (!hub.ok()) cli::fail(llm::redact(hub.status()));
  llm::ChatRequest req;
  if (!opt.system.empty()) req.messages.push_back({"system", opt.system});
  req.messages.push_back({"user", opt.prompt});
  req.temperature = opt.temperature;
  req.max_tokens = opt.max_tokens;
  req.purpose = "cli chat";
  auto result = (*hub)->client(endpoint)->chat(req).get();
  if (!result.ok()) cli::fail(result.status());
  const llm::Response& r = *result;
  for (size_t i = 0; i < r.choices.size(); ++i) {
    if (r.choices.size() > 1) std::printf("--- choice %zu\n", i);
    std::printf("%s\n", r.choices[i].text.c_str());
  }
  std::fprintf(
      stderr, "[%s %s] %lld in, %lld out (%lld reasoning, %lld cached), cost $%.6f%s, %.0f ms%s, %d retries%s%s\n",
      r.endpoint.c_str(), r.model.c_str(), static_cast<long long>(r.usage.input_tokens),
      static_cast<long long>(r.usage.output_tokens), static_cast<long long>(r.usage.reasoning_tokens),
      static_cast<long long>(r.usage.cached_tokens), r.cost_usd, r.cost_known ? "" : " (no price)", r.latency_ms,
      r.cached ? " (cached)" : "", r.retries,
      r.usable() ? "" : ", problem: ", r.usable() ? "" : std::string(llm::reply_problem_name(r.problem)).c_str());
  if (!r.usable()) throw cli::Exit{2};
}

void setup(CLI::App& sub) {
  sub.require_subcommand(1);
  auto ping = std::make_shared<PingOptions>();
  CLI::App* p = sub.add_subcommand("ping", "Check every configured endpoint: reachable, model listed, latency");
  p->add_option("--config", ping->config, "LLM config (YAML); default $ASKGURU_LLM_CONFIG or configs/llm.yaml")
      ->capture_default_str();
  p->add_option("--timeout-ms", ping->timeout_ms, "per endpoint")->capture_default_str();
  p->callback([ping] { run_ping(*ping); });

  auto chat = std::make_shared<ChatOptions>();
  CLI::App* c = sub.add_subcommand("chat", "Send one chat request and print the reply");
  c->add_option("--config", chat->config, "LLM config (YAML)")->capture_default_str();
  c->add_option("--endpoint", chat->endpoint, "endpoint name (default: the first)");
  c->add_option("--system", chat->system, "system prompt");
  c->add_option("--temperature", chat->temperature, "sampling temperature");
  c->add_option("--max-tokens", chat->max_tokens, "reply length limit");
  c->add_option("--cache", chat->cache, "override the cache mode: off, read-write, read-only");
  c->add_option("prompt", chat->prompt, "the user message")->required();
  c->callback([chat] { run_chat(*chat); });
}

const askguru::cli::Registration reg("llm", "Talk to the configured LLM endpoints (ping, chat)", setup);

}  // namespace
