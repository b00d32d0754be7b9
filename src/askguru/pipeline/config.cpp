#include "askguru/pipeline/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "askguru/common/files.h"
#include "askguru/common/text.h"
#include "askguru/common/yaml_reader.h"

namespace askguru::pipeline {

std::string_view prompt_style_name(PromptStyle style) {
  switch (style) {
    case PromptStyle::kReasoning: return "reasoning";
    case PromptStyle::kStandard: return "standard";
    case PromptStyle::kIcl: return "icl";
    case PromptStyle::kSqlCoder: return "sqlcoder";
  }
  return "standard";
}

std::string_view schema_scope_name(SchemaScope scope) {
  switch (scope) {
    case SchemaScope::kPrecise: return "S1";
    case SchemaScope::kRecall: return "S2";
    case SchemaScope::kFull: return "full";
  }
  return "S1";
}

std::string_view routing_policy_name(RoutingPolicy policy) {
  switch (policy) {
    case RoutingPolicy::kSingle: return "single";
    case RoutingPolicy::kFallback: return "fallback";
    case RoutingPolicy::kByComplexity: return "by_complexity";
    case RoutingPolicy::kEnsemble: return "ensemble";
  }
  return "ensemble";
}

const GeneratorConfig* PipelineConfig::find_generator(std::string_view name) const {
  for (const GeneratorConfig& g : generators) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

namespace {

using yaml::Reader;

// Reads a size_t field when present.
Status read_size(const Reader& r, const YAML::Node& map, const char* field, const std::string& section,
                 size_t& out, int min_value = 0) {
  if (!map[field]) return Status::ok_status();
  AG_ASSIGN_OR_RETURN(int v, r.integer(map[field], section + "." + field, min_value));
  out = static_cast<size_t>(v);
  return Status::ok_status();
}

Status read_int(const Reader& r, const YAML::Node& map, const char* field, const std::string& section, int& out,
                int min_value = 0) {
  if (!map[field]) return Status::ok_status();
  AG_ASSIGN_OR_RETURN(out, r.integer(map[field], section + "." + field, min_value));
  return Status::ok_status();
}

Status read_str(const Reader& r, const YAML::Node& map, const char* field, const std::string& section,
                std::string& out) {
  if (!map[field]) return Status::ok_status();
  AG_ASSIGN_OR_RETURN(out, r.str(map[field], section.empty() ? std::string(field) : section + "." + field));
  return Status::ok_status();
}

Status read_bool(const Reader& r, const YAML::Node& map, const char* field, const std::string& section, bool& out) {
  if (!map[field]) return Status::ok_status();
  AG_ASSIGN_OR_RETURN(out, r.boolean(map[field], section + "." + field));
  return Status::ok_status();
}

Status read_number(const Reader& r, const YAML::Node& map, const char* field, const std::string& section,
                   double& out) {
  if (!map[field]) return Status::ok_status();
  AG_ASSIGN_OR_RETURN(out, r.number(map[field], section + "." + field));
  return Status::ok_status();
}

Result<YAML::Node> section(const Reader& r, const YAML::Node& root, const std::string& name,
                           const std::set<std::string>& known) {
  YAML::Node node = root[name];
  if (!node) return YAML::Node(YAML::NodeType::Map);
  if (!node.IsMap()) return r.error(node, name, "expected a map");
  AG_RETURN_IF_ERROR(r.known_keys(node, name, known));
  return node;
}

Result<GeneratorConfig> parse_generator(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (!node.IsMap()) return r.error(node, key, "expected a map with name, endpoint, style");
  AG_RETURN_IF_ERROR(r.known_keys(node, key,
                                  {"name", "endpoint", "style", "schemas", "format", "temperatures", "n", "max_tokens",
                                   "thinking_budget", "logprobs", "examples"}));
  GeneratorConfig g;
  for (const char* required : {"name", "endpoint"}) {
    if (!node[required]) return r.error(node, key + "." + required, "missing (required)");
  }
  AG_RETURN_IF_ERROR(read_str(r, node, "name", key, g.name));
  AG_RETURN_IF_ERROR(read_str(r, node, "endpoint", key, g.endpoint));
  if (node["style"]) {
    AG_ASSIGN_OR_RETURN(std::string style, r.str(node["style"], key + ".style"));
    style = text::to_lower(style);
    if (style == "reasoning") {
      g.style = PromptStyle::kReasoning;
    } else if (style == "standard") {
      g.style = PromptStyle::kStandard;
    } else if (style == "icl") {
      g.style = PromptStyle::kIcl;
    } else if (style == "sqlcoder") {
      g.style = PromptStyle::kSqlCoder;
    } else {
      return r.error(node["style"], key + ".style",
                     fmt::format("unknown style '{}' (expected reasoning, standard, icl or sqlcoder)", style));
    }
  }
  if (node["schemas"]) {
    AG_ASSIGN_OR_RETURN(std::vector<std::string> names, r.strings(node["schemas"], key + ".schemas"));
    g.schemas.clear();
    for (const std::string& name : names) {
      std::string lower = text::to_lower(name);
      if (lower == "s1" || lower == "precise") {
        g.schemas.push_back(SchemaScope::kPrecise);
      } else if (lower == "s2" || lower == "recall") {
        g.schemas.push_back(SchemaScope::kRecall);
      } else if (lower == "full") {
        g.schemas.push_back(SchemaScope::kFull);
      } else {
        return r.error(node["schemas"], key + ".schemas",
                       fmt::format("unknown schema '{}' (expected S1, S2 or full)", name));
      }
    }
    if (g.schemas.empty()) return r.error(node["schemas"], key + ".schemas", "must name at least one schema");
  }
  if (node["format"]) {
    AG_ASSIGN_OR_RETURN(std::string format, r.str(node["format"], key + ".format"));
    auto parsed = catalog::parse_render_format(format);
    if (!parsed || *parsed == catalog::RenderFormat::kText) {
      return r.error(node["format"], key + ".format",
                     fmt::format("unknown format '{}' (expected ddl, markdown or mschema)", format));
    }
    g.format = *parsed;
  }
  if (node["temperatures"]) {
    AG_ASSIGN_OR_RETURN(g.temperatures, r.numbers(node["temperatures"], key + ".temperatures"));
    if (g.temperatures.empty()) return r.error(node["temperatures"], key + ".temperatures", "must not be empty");
  }
  AG_RETURN_IF_ERROR(read_int(r, node, "n", key, g.n, 1));
  AG_RETURN_IF_ERROR(read_int(r, node, "max_tokens", key, g.max_tokens, 1));
  AG_RETURN_IF_ERROR(read_int(r, node, "thinking_budget", key, g.thinking_budget, 0));
  AG_RETURN_IF_ERROR(read_bool(r, node, "logprobs", key, g.logprobs));
  AG_RETURN_IF_ERROR(read_int(r, node, "examples", key, g.examples, 0));
  return g;
}

Result<RoutingPolicy> parse_policy(const Reader& r, const YAML::Node& node) {
  AG_ASSIGN_OR_RETURN(std::string name, r.str(node, "routing.policy"));
  for (RoutingPolicy p :
       {RoutingPolicy::kSingle, RoutingPolicy::kFallback, RoutingPolicy::kByComplexity, RoutingPolicy::kEnsemble}) {
    if (text::to_lower(name) == routing_policy_name(p)) return p;
  }
  return r.error(node, "routing.policy",
                 fmt::format("unknown policy '{}' (expected single, fallback, by_complexity or ensemble)", name));
}

// Every endpoint and generator a section names must exist.
Status check_references(const Reader& r, const YAML::Node& root, const PipelineConfig& config) {
  auto endpoint = [&](const std::string& name, const YAML::Node& node, const std::string& key) -> Status {
    if (name.empty() || config.llm.find(name)) return Status::ok_status();
    std::vector<std::string> known;
    for (const auto& e : config.llm.endpoints) known.push_back(e.name);
    return r.error(node, key,
                   fmt::format("no endpoint named '{}' (endpoints: {})", name,
                               known.empty() ? "none configured" : text::join(known, ", ")));
  };
  AG_RETURN_IF_ERROR(endpoint(config.grounding.keywords_endpoint, root["grounding"], "grounding.keywords_endpoint"));
  AG_RETURN_IF_ERROR(endpoint(config.linking.endpoint, root["linking"], "linking.endpoint"));
  AG_RETURN_IF_ERROR(endpoint(config.fixer.endpoint, root["fixer"], "fixer.endpoint"));
  AG_RETURN_IF_ERROR(endpoint(config.selection.selector, root["selection"], "selection.selector"));
  std::set<std::string> names;
  for (size_t i = 0; i < config.generators.size(); ++i) {
    const GeneratorConfig& g = config.generators[i];
    const std::string key = fmt::format("generators[{}]", i);
    AG_RETURN_IF_ERROR(endpoint(g.endpoint, root["generators"][i], key + ".endpoint"));
    if (!names.insert(g.name).second) {
      return r.error(root["generators"][i], key + ".name", fmt::format("duplicate generator name '{}'", g.name));
    }
  }
  auto generator = [&](const std::string& name, const std::string& key) -> Status {
    if (name.empty() || names.count(name)) return Status::ok_status();
    return r.error(root["routing"], key,
                   fmt::format("no generator named '{}' (generators: {})", name,
                               names.empty() ? "none" : text::join(std::vector<std::string>(names.begin(), names.end()), ", ")));
  };
  const RoutingConfig& routing = config.routing;
  AG_RETURN_IF_ERROR(generator(routing.primary, "routing.primary"));
  AG_RETURN_IF_ERROR(generator(routing.secondary, "routing.secondary"));
  for (const std::string& g : routing.simple) AG_RETURN_IF_ERROR(generator(g, "routing.simple"));
  for (const std::string& g : routing.complex) AG_RETURN_IF_ERROR(generator(g, "routing.complex"));
  if ((routing.policy == RoutingPolicy::kSingle || routing.policy == RoutingPolicy::kFallback) &&
      routing.primary.empty() && !config.generators.empty()) {
    return r.error(root["routing"], "routing.primary",
                   fmt::format("policy {} needs a primary generator", routing_policy_name(routing.policy)));
  }
  if (routing.policy == RoutingPolicy::kFallback && routing.secondary.empty()) {
    return r.error(root["routing"], "routing.secondary", "policy fallback needs a secondary generator");
  }
  return Status::ok_status();
}

}  // namespace

Result<PipelineConfig> PipelineConfig::from_yaml(std::string_view yaml, const std::string& origin) {
  static const std::set<std::string> kSections = {"grounding", "linking",   "generators", "fixer",
                                                  "selection", "routing",   "budget",     "execution",
                                                  "offline",   "policy",    "prompts_dir"};
  PipelineConfig config;
  config.path = origin;
  AG_ASSIGN_OR_RETURN(config.llm, llm::LlmConfig::from_yaml_section(yaml, origin, kSections, true));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParseError, fmt::format("{}:{}: invalid YAML: {}", origin, e.mark.line + 1, e.msg));
  }
  Reader r(origin);
  try {
    AG_ASSIGN_OR_RETURN(YAML::Node grounding, section(r, root, "grounding", {"keywords_endpoint", "values_k", "examples_k"}));
    AG_RETURN_IF_ERROR(read_str(r, grounding, "keywords_endpoint", "grounding", config.grounding.keywords_endpoint));
    AG_RETURN_IF_ERROR(read_size(r, grounding, "values_k", "grounding", config.grounding.values_k));
    AG_RETURN_IF_ERROR(read_size(r, grounding, "examples_k", "grounding", config.grounding.examples_k));

    AG_ASSIGN_OR_RETURN(YAML::Node linking, section(r, root, "linking",
                                                    {"endpoint", "columns_k", "recall_columns", "passes",
                                                     "full_schema_columns"}));
    AG_RETURN_IF_ERROR(read_str(r, linking, "endpoint", "linking", config.linking.endpoint));
    AG_RETURN_IF_ERROR(read_size(r, linking, "columns_k", "linking", config.linking.columns_k, 1));
    AG_RETURN_IF_ERROR(read_size(r, linking, "recall_columns", "linking", config.linking.recall_columns));
    AG_RETURN_IF_ERROR(read_int(r, linking, "passes", "linking", config.linking.passes, 1));
    AG_RETURN_IF_ERROR(read_size(r, linking, "full_schema_columns", "linking", config.linking.full_schema_columns));

    if (const YAML::Node generators = root["generators"]) {
      if (!generators.IsSequence()) return r.error(generators, "generators", "expected a list of generators");
      for (size_t i = 0; i < generators.size(); ++i) {
        AG_ASSIGN_OR_RETURN(GeneratorConfig g, parse_generator(r, generators[i], fmt::format("generators[{}]", i)));
        config.generators.push_back(std::move(g));
      }
    }

    AG_ASSIGN_OR_RETURN(YAML::Node fixer, section(r, root, "fixer",
                                                  {"endpoint", "max_attempts_per_candidate",
                                                   "max_attempts_per_question", "fix_empty", "fix_join_findings"}));
    AG_RETURN_IF_ERROR(read_str(r, fixer, "endpoint", "fixer", config.fixer.endpoint));
    AG_RETURN_IF_ERROR(read_int(r, fixer, "max_attempts_per_candidate", "fixer", config.fixer.max_attempts_per_candidate));
    AG_RETURN_IF_ERROR(read_int(r, fixer, "max_attempts_per_question", "fixer", config.fixer.max_attempts_per_question));
    AG_RETURN_IF_ERROR(read_bool(r, fixer, "fix_empty", "fixer", config.fixer.fix_empty));
    AG_RETURN_IF_ERROR(read_bool(r, fixer, "fix_join_findings", "fixer", config.fixer.fix_join_findings));

    AG_ASSIGN_OR_RETURN(YAML::Node selection, section(r, root, "selection",
                                                      {"selector", "max_clusters", "sample_rows", "majority_threshold",
                                                       "both_orders"}));
    AG_RETURN_IF_ERROR(read_str(r, selection, "selector", "selection", config.selection.selector));
    AG_RETURN_IF_ERROR(read_size(r, selection, "max_clusters", "selection", config.selection.max_clusters, 2));
    AG_RETURN_IF_ERROR(read_size(r, selection, "sample_rows", "selection", config.selection.sample_rows));
    AG_RETURN_IF_ERROR(
        read_number(r, selection, "majority_threshold", "selection", config.selection.majority_threshold));
    AG_RETURN_IF_ERROR(read_bool(r, selection, "both_orders", "selection", config.selection.both_orders));

    AG_ASSIGN_OR_RETURN(YAML::Node routing, section(r, root, "routing",
                                                    {"policy", "primary", "secondary", "confidence_threshold",
                                                     "primary_samples", "complex_tables", "simple", "complex"}));
    if (routing["policy"]) {
      AG_ASSIGN_OR_RETURN(config.routing.policy, parse_policy(r, routing["policy"]));
    }
    AG_RETURN_IF_ERROR(read_str(r, routing, "primary", "routing", config.routing.primary));
    AG_RETURN_IF_ERROR(read_str(r, routing, "secondary", "routing", config.routing.secondary));
    AG_RETURN_IF_ERROR(read_number(r, routing, "confidence_threshold", "routing", config.routing.confidence_threshold));
    AG_RETURN_IF_ERROR(read_int(r, routing, "primary_samples", "routing", config.routing.primary_samples, 1));
    AG_RETURN_IF_ERROR(read_size(r, routing, "complex_tables", "routing", config.routing.complex_tables));
    if (routing["simple"]) {
      AG_ASSIGN_OR_RETURN(config.routing.simple, r.strings(routing["simple"], "routing.simple"));
    }
    if (routing["complex"]) {
      AG_ASSIGN_OR_RETURN(config.routing.complex, r.strings(routing["complex"], "routing.complex"));
    }

    AG_ASSIGN_OR_RETURN(YAML::Node budget, section(r, root, "budget", {"max_calls", "max_cost_usd", "deadline_ms"}));
    AG_RETURN_IF_ERROR(read_int(r, budget, "max_calls", "budget", config.budget.max_calls));
    AG_RETURN_IF_ERROR(read_number(r, budget, "max_cost_usd", "budget", config.budget.max_cost_usd));
    AG_RETURN_IF_ERROR(read_int(r, budget, "deadline_ms", "budget", config.budget.deadline_ms));

    AG_ASSIGN_OR_RETURN(YAML::Node execution, section(r, root, "execution", {"timeout_ms", "answer_rows"}));
    AG_RETURN_IF_ERROR(read_int(r, execution, "timeout_ms", "execution", config.execution.timeout_ms, 1));
    AG_RETURN_IF_ERROR(read_size(r, execution, "answer_rows", "execution", config.execution.answer_rows, 1));

    AG_ASSIGN_OR_RETURN(YAML::Node offline, section(r, root, "offline", {"enabled"}));
    AG_RETURN_IF_ERROR(read_bool(r, offline, "enabled", "offline", config.offline_enabled));

    AG_RETURN_IF_ERROR(read_str(r, root, "policy", "", config.policy_path));
    AG_RETURN_IF_ERROR(read_str(r, root, "prompts_dir", "", config.prompts_dir));

    AG_RETURN_IF_ERROR(check_references(r, root, config));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParseError, fmt::format("{}:{}: {}", origin, e.mark.line + 1, e.msg));
  }
  return config;
}

Result<PipelineConfig> PipelineConfig::load(const std::string& path) {
  auto content = files::read_file(path);
  if (!content.ok()) return content.status().with_context("reading pipeline config");
  // Paths inside (policy, prompts_dir) are relative to the working directory, like the LLM cache path.
  return from_yaml(*content, path);
}

}  // namespace askguru::pipeline
