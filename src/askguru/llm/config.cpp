#include "askguru/llm/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <set>

#include "askguru/common/files.h"
#include "askguru/common/text.h"
#include "askguru/common/yaml_reader.h"

namespace askguru::llm {

std::string_view endpoint_kind_name(EndpointKind kind) {
  return kind == EndpointKind::kAnthropic ? "anthropic" : "openai";
}

std::string_view cache_mode_name(CacheMode mode) {
  switch (mode) {
    case CacheMode::kOff: return "off";
    case CacheMode::kReadWrite: return "read-write";
    case CacheMode::kReadOnly: return "read-only";
  }
  return "off";
}

Result<CacheMode> parse_cache_mode(std::string_view text) {
  const std::string t = text::to_lower(text);
  if (t == "off" || t == "none" || t.empty()) return CacheMode::kOff;
  if (t == "read-write" || t == "readwrite" || t == "rw" || t == "on") return CacheMode::kReadWrite;
  if (t == "read-only" || t == "readonly" || t == "replay" || t == "ro") return CacheMode::kReadOnly;
  return make_error(ErrorCode::kInvalidArgument,
                    fmt::format("unknown cache mode '{}' (expected off, read-write or read-only)", text));
}

const Price* PriceTable::find(std::string_view model) const {
  auto it = prices_.find(model);
  return it == prices_.end() ? nullptr : &it->second;
}

const EndpointConfig* LlmConfig::find(std::string_view name) const {
  for (const auto& e : endpoints) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

namespace {

using yaml::Reader;

Result<EndpointConfig> parse_endpoint(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (!node.IsMap()) return r.error(node, key, "expected a map with name, kind, base_url, model");
  AG_RETURN_IF_ERROR(
      r.known_keys(node, key,
                   {"name", "kind", "base_url", "model", "api_key_env", "timeout_ms", "max_concurrency",
                    "requests_per_minute", "tokens_per_minute", "max_retries", "backoff_initial_ms", "backoff_max_ms",
                    "repair_malformed", "headers", "anthropic_version", "chat_template"}));
  EndpointConfig e;
  e.origin = r.where(node);
  for (const char* required : {"name", "base_url", "model"}) {
    if (!node[required]) return r.error(node, key + "." + required, "missing (required)");
  }
  AG_ASSIGN_OR_RETURN(e.name, r.str(node["name"], key + ".name"));
  AG_ASSIGN_OR_RETURN(e.base_url, r.str(node["base_url"], key + ".base_url"));
  AG_ASSIGN_OR_RETURN(e.model, r.str(node["model"], key + ".model"));
  if (e.name.empty()) return r.error(node["name"], key + ".name", "must not be empty");
  if (!text::istarts_with(e.base_url, "http://") && !text::istarts_with(e.base_url, "https://")) {
    return r.error(node["base_url"], key + ".base_url",
                   fmt::format("expected an http:// or https:// URL, got '{}'", e.base_url));
  }
  while (!e.base_url.empty() && e.base_url.back() == '/') e.base_url.pop_back();
  if (node["kind"]) {
    AG_ASSIGN_OR_RETURN(std::string kind, r.str(node["kind"], key + ".kind"));
    kind = text::to_lower(kind);
    if (kind == "openai" || kind == "openai-compatible") {
      e.kind = EndpointKind::kOpenAi;
    } else if (kind == "anthropic") {
      e.kind = EndpointKind::kAnthropic;
    } else {
      return r.error(node["kind"], key + ".kind",
                     fmt::format("unknown kind '{}' (expected openai or anthropic)", kind));
    }
  }
  if (node["api_key_env"]) {
    AG_ASSIGN_OR_RETURN(e.api_key_env, r.str(node["api_key_env"], key + ".api_key_env"));
    // A key pasted in by mistake must not be echoed back in the error.
    for (char c : e.api_key_env) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
        return r.error(node["api_key_env"], key + ".api_key_env",
                       "must name an environment variable (letters, digits, _), not hold the key itself");
      }
    }
  }
  if (node["timeout_ms"]) {
    AG_ASSIGN_OR_RETURN(e.timeout_ms, r.integer(node["timeout_ms"], key + ".timeout_ms", 1));
  }
  if (node["max_concurrency"]) {
    AG_ASSIGN_OR_RETURN(e.max_concurrency, r.integer(node["max_concurrency"], key + ".max_concurrency", 1));
  }
  if (node["requests_per_minute"]) {
    AG_ASSIGN_OR_RETURN(e.requests_per_minute, r.number(node["requests_per_minute"], key + ".requests_per_minute"));
  }
  if (node["tokens_per_minute"]) {
    AG_ASSIGN_OR_RETURN(e.tokens_per_minute, r.number(node["tokens_per_minute"], key + ".tokens_per_minute"));
  }
  if (node["max_retries"]) {
    AG_ASSIGN_OR_RETURN(e.max_retries, r.integer(node["max_retries"], key + ".max_retries", 0));
  }
  if (node["backoff_initial_ms"]) {
    AG_ASSIGN_OR_RETURN(e.backoff_initial_ms, r.integer(node["backoff_initial_ms"], key + ".backoff_initial_ms", 0));
  }
  if (node["backoff_max_ms"]) {
    AG_ASSIGN_OR_RETURN(e.backoff_max_ms, r.integer(node["backoff_max_ms"], key + ".backoff_max_ms", 0));
  }
  if (node["repair_malformed"]) {
    AG_ASSIGN_OR_RETURN(e.repair_malformed, r.boolean(node["repair_malformed"], key + ".repair_malformed"));
  }
  if (node["anthropic_version"]) {
    AG_ASSIGN_OR_RETURN(e.anthropic_version, r.str(node["anthropic_version"], key + ".anthropic_version"));
  }
  if (node["chat_template"]) {
    AG_ASSIGN_OR_RETURN(std::string t, r.str(node["chat_template"], key + ".chat_template"));
    t = text::to_lower(t);
    if (t == "none" || t.empty()) {
      e.chat_template = ChatTemplate::kNone;
    } else if (t == "llama3.1" || t == "llama-3.1" || t == "llama3") {
      e.chat_template = ChatTemplate::kLlama31;
    } else {
      return r.error(node["chat_template"], key + ".chat_template",
                     fmt::format("unknown chat template '{}' (expected none or llama3.1)", t));
    }
    if (e.chat_template != ChatTemplate::kNone && e.kind != EndpointKind::kOpenAi) {
      return r.error(node["chat_template"], key + ".chat_template",
                     "only openai-compatible endpoints take a chat template");
    }
  }
  if (node["headers"]) {
    const YAML::Node h = node["headers"];
    if (!h.IsMap()) return r.error(h, key + ".headers", "expected a map of header: value");
    for (const auto& kv : h) {
      AG_ASSIGN_OR_RETURN(std::string value, r.str(kv.second, key + ".headers." + kv.first.Scalar()));
      e.headers[kv.first.Scalar()] = value;
    }
  }
  return e;
}

Result<Price> parse_price(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (!node.IsMap()) return r.error(node, key, "expected a map {input, output, cached} in USD per 1M tokens");
  AG_RETURN_IF_ERROR(r.known_keys(node, key, {"input", "output", "cached"}));
  Price p;
  if (node["input"]) {
    AG_ASSIGN_OR_RETURN(p.input, r.number(node["input"], key + ".input"));
  }
  if (node["output"]) {
    AG_ASSIGN_OR_RETURN(p.output, r.number(node["output"], key + ".output"));
  }
  if (node["cached"]) {
    AG_ASSIGN_OR_RETURN(p.cached, r.number(node["cached"], key + ".cached"));
  } else {
    p.cached = p.input;
  }
  return p;
}

}  // namespace

Result<LlmConfig> LlmConfig::from_yaml(std::string_view yaml, const std::string& origin) {
  return from_yaml_section(yaml, origin, {}, false);
}

Result<LlmConfig> LlmConfig::from_yaml_section(std::string_view yaml, const std::string& origin,
                                               const std::set<std::string>& other_keys, bool endpoints_optional) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParseError, fmt::format("{}:{}: invalid YAML: {}", origin, e.mark.line + 1, e.msg));
  }
  Reader r(origin);
  LlmConfig config;
  config.path = origin;
  if (!root.IsMap()) return r.error(root, "(top level)", "expected a map with 'endpoints'");
  try {
    std::set<std::string> known = other_keys;
    known.insert({"endpoints", "prices", "cache"});
    AG_RETURN_IF_ERROR(r.known_keys(root, "", known));
    const YAML::Node endpoints = root["endpoints"] ? root["endpoints"] : YAML::Node(YAML::NodeType::Sequence);
    if (!root["endpoints"] && !endpoints_optional) return r.error(root, "endpoints", "missing (required)");
    if (!endpoints.IsSequence()) return r.error(endpoints, "endpoints", "expected a list of endpoints");
    std::set<std::string> names;
    for (size_t i = 0; i < endpoints.size(); ++i) {
      const std::string key = fmt::format("endpoints[{}]", i);
      AG_ASSIGN_OR_RETURN(EndpointConfig e, parse_endpoint(r, endpoints[i], key));
      if (!names.insert(e.name).second) {
        return r.error(endpoints[i], key + ".name", fmt::format("duplicate endpoint name '{}'", e.name));
      }
      config.endpoints.push_back(std::move(e));
    }
    if (const YAML::Node prices = root["prices"]) {
      if (!prices.IsMap()) return r.error(prices, "prices", "expected a map of model: {input, output, cached}");
      for (const auto& kv : prices) {
        AG_ASSIGN_OR_RETURN(Price p, parse_price(r, kv.second, "prices." + kv.first.Scalar()));
        config.prices.set(kv.first.Scalar(), p);
      }
    }
    if (const YAML::Node cache = root["cache"]) {
      if (!cache.IsMap()) return r.error(cache, "cache", "expected a map {mode, path}");
      AG_RETURN_IF_ERROR(r.known_keys(cache, "cache", {"mode", "path"}));
      if (cache["mode"]) {
        AG_ASSIGN_OR_RETURN(std::string mode, r.str(cache["mode"], "cache.mode"));
        auto parsed = parse_cache_mode(mode);
        if (!parsed.ok()) return r.error(cache["mode"], "cache.mode", parsed.error());
        config.cache.mode = *parsed;
      }
      if (cache["path"]) {
        AG_ASSIGN_OR_RETURN(config.cache.path, r.str(cache["path"], "cache.path"));
      }
      if (config.cache.mode != CacheMode::kOff && config.cache.path.empty()) {
        return r.error(cache, "cache.path", "required when cache.mode is not off");
      }
    }
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParseError, fmt::format("{}:{}: {}", origin, e.mark.line + 1, e.msg));
  }
  return config;
}

Result<LlmConfig> LlmConfig::load(const std::string& path) {
  auto content = files::read_file(path);
  if (!content.ok()) return content.status().with_context("reading LLM config");
  return from_yaml(*content, path);
}

}  // namespace askguru::llm
