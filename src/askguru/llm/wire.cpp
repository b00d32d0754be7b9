#include "askguru/llm/wire.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "askguru/common/text.h"

namespace askguru::llm {

std::string_view reply_problem_name(ReplyProblem problem) {
  switch (problem) {
    case ReplyProblem::kNone: return "none";
    case ReplyProblem::kInvalidEnvelope: return "invalid envelope";
    case ReplyProblem::kEmptyChoices: return "empty choices";
    case ReplyProblem::kEmptyContent: return "empty content";
    case ReplyProblem::kInvalidJson: return "invalid JSON";
    case ReplyProblem::kTruncatedJson: return "truncated JSON";
    case ReplyProblem::kCutOff: return "cut off by max_tokens";
  }
  return "unknown";
}

const std::string& Response::text() const {
  static const std::string kEmpty;
  return choices.empty() ? kEmpty : choices.front().text;
}

namespace wire {

using nlohmann::json;

namespace {

void put_sampling(json& body, const SamplingParams& p, bool chat) {
  if (p.temperature) body["temperature"] = *p.temperature;
  if (p.top_p) body["top_p"] = *p.top_p;
  if (p.max_tokens) body["max_tokens"] = *p.max_tokens;
  if (!p.stop.empty()) body["stop"] = p.stop;
  if (p.n != 1) body["n"] = p.n;
  if (p.seed) body["seed"] = *p.seed;
  if (p.logprobs) {
    if (chat) {
      body["logprobs"] = true;
      if (p.top_logprobs > 0) body["top_logprobs"] = p.top_logprobs;
    } else {
      body["logprobs"] = std::max(0, p.top_logprobs);
    }
  }
}

json parse_or_null(std::string_view body, std::string* error) {
  try {
    return json::parse(body);
  } catch (const json::exception& e) {
    if (error) *error = e.what();
    return json();
  }
}

int64_t int_at(const json& obj, const char* key) {
  if (!obj.is_object()) return 0;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return 0;
  return it->get<int64_t>();
}

std::string string_at(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

Response envelope_problem(std::string detail) {
  Response r;
  r.problem = ReplyProblem::kInvalidEnvelope;
  r.problem_detail = std::move(detail);
  return r;
}

void summarise_logprobs(Choice& c, const std::vector<double>& lps) {
  if (lps.empty()) return;
  c.has_logprobs = true;
  c.logprob_tokens = static_cast<int>(lps.size());
  for (double v : lps) c.sum_logprob += v;
  c.mean_logprob = c.sum_logprob / static_cast<double>(lps.size());
}

void parse_openai_usage(const json& root, Response& r) {
  if (!root.contains("usage") || !root["usage"].is_object()) return;
  const json& u = root["usage"];
  r.usage.input_tokens = int_at(u, "prompt_tokens");
  r.usage.output_tokens = int_at(u, "completion_tokens");
  if (u.contains("completion_tokens_details")) {
    r.usage.reasoning_tokens = int_at(u["completion_tokens_details"], "reasoning_tokens");
  }
  if (u.contains("prompt_tokens_details")) {
    r.usage.cached_tokens = int_at(u["prompt_tokens_details"], "cached_tokens");
  }
}

// Strips one surrounding ``` fence (with or without a language tag).
std::string_view strip_fence(std::string_view text) {
  std::string_view t = text::trim(text);
  if (t.substr(0, 3) != "```") return t;
  size_t nl = t.find('\n');
  if (nl == std::string_view::npos) return t;
  std::string_view inner = t.substr(nl + 1);
  size_t close = inner.rfind("```");
  if (close != std::string_view::npos) inner = inner.substr(0, close);
  return text::trim(inner);
}

}  // namespace

int64_t estimate_tokens(std::string_view text) {
  return static_cast<int64_t>((text.size() + 3) / 4);
}

std::string openai_chat_body(const ChatRequest& request, const std::string& model) {
  json body;
  body["model"] = model;
  json messages = json::array();
  for (const Message& m : request.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  body["messages"] = std::move(messages);
  put_sampling(body, request, true);
  if (request.response_format == ResponseFormat::kJsonObject) {
    body["response_format"] = {{"type", "json_object"}};
  } else if (request.response_format == ResponseFormat::kJsonSchema) {
    json schema = parse_or_null(request.json_schema, nullptr);
    if (schema.is_null()) schema = json::object();
    body["response_format"] = {
        {"type", "json_schema"},
        {"json_schema", {{"name", request.json_schema_name}, {"schema", schema}, {"strict", true}}}};
  }
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string openai_completion_body(const CompletionRequest& request, const std::string& model) {
  json body;
  body["model"] = model;
  body["prompt"] = request.prompt;
  put_sampling(body, request, false);
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string openai_embedding_body(const EmbeddingRequest& request, const std::string& model) {
  json body;
  body["model"] = model;
  body["input"] = request.inputs;
  if (request.dimensions) body["dimensions"] = *request.dimensions;
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string anthropic_messages_body(const ChatRequest& request, const std::string& model) {
  json body;
  body["model"] = model;
  std::string system;
  json messages = json::array();
  for (const Message& m : request.messages) {
    if (m.role == "system") {
      if (!system.empty()) system += "\n\n";
      system += m.content;
    } else {
      messages.push_back({{"role", m.role == "assistant" ? "assistant" : "user"}, {"content", m.content}});
    }
  }
  if (request.response_format != ResponseFormat::kNone) {
    if (!system.empty()) system += "\n\n";
    system += "Reply with one JSON value only, no prose and no code fence.";
    if (request.response_format == ResponseFormat::kJsonSchema && !request.json_schema.empty()) {
      system += " It must follow this JSON schema: " + request.json_schema;
    }
  }
  if (!system.empty()) body["system"] = system;
  body["messages"] = std::move(messages);
  int max_tokens = request.max_tokens.value_or(4096);
  if (request.thinking_budget && *request.thinking_budget > 0) {
    const int budget = *request.thinking_budget;
    if (max_tokens <= budget) max_tokens += budget;  // max_tokens must exceed the budget
    body["thinking"] = {{"type", "enabled"}, {"budget_tokens", budget}};
  } else {
    // Anthropic rejects temperature / top_p changes while thinking.
    if (request.temperature) body["temperature"] = *request.temperature;
    if (request.top_p) body["top_p"] = *request.top_p;
  }
  body["max_tokens"] = max_tokens;
  if (!request.stop.empty()) body["stop_sequences"] = request.stop;
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

ReplyProblem classify_json_text(std::string_view text, std::string* detail) {
  std::string_view t = strip_fence(text);
  if (t.empty()) {
    if (detail) *detail = "the reply is empty, expected JSON";
    return ReplyProblem::kInvalidJson;
  }
  try {
    json parsed = json::parse(t);
    (void)parsed;
    return ReplyProblem::kNone;
  } catch (const json::parse_error& e) {
    if (detail) *detail = e.what();
    // nlohmann reports the byte where it stopped: at the end means "cut off".
    return e.byte >= t.size() ? ReplyProblem::kTruncatedJson : ReplyProblem::kInvalidJson;
  } catch (const json::exception& e) {
    if (detail) *detail = e.what();
    return ReplyProblem::kInvalidJson;
  }
}

void classify_choices(Response& response, bool json_mode) {
  if (response.problem == ReplyProblem::kInvalidEnvelope) return;
  if (response.choices.empty()) {
    response.problem = ReplyProblem::kEmptyChoices;
    response.problem_detail = "the reply has no choices";
    return;
  }
  ReplyProblem first = ReplyProblem::kNone;
  std::string first_detail;
  bool any_usable = false;
  for (Choice& c : response.choices) {
    const bool cut = c.finish_reason == "length" || c.finish_reason == "max_tokens";
    if (json_mode) {
      std::string detail;
      ReplyProblem p = classify_json_text(c.text, &detail);
      if (p == ReplyProblem::kInvalidJson && cut && !text::trim(c.text).empty()) p = ReplyProblem::kTruncatedJson;
      if (p != ReplyProblem::kNone) {
        c.problem = p;
        c.problem_detail = detail;
      }
    } else if (text::trim(c.text).empty()) {
      c.problem = cut ? ReplyProblem::kCutOff : ReplyProblem::kEmptyContent;
      c.problem_detail = cut ? "the reply was cut off by max_tokens before any text" : "the reply has no text";
    } else if (cut) {
      c.problem = ReplyProblem::kCutOff;
      c.problem_detail = fmt::format("the reply was cut off by max_tokens after {} characters", c.text.size());
    }
    if (c.problem == ReplyProblem::kNone) {
      any_usable = true;
    } else if (first == ReplyProblem::kNone) {
      first = c.problem;
      first_detail = c.problem_detail;
    }
  }
  if (!any_usable) {
    response.problem = first;
    response.problem_detail = first_detail;
  }
}

Response parse_openai_chat(std::string_view body, bool json_mode) {
  std::string error;
  json root = parse_or_null(body, &error);
  if (!root.is_object()) return envelope_problem("the reply body is not JSON: " + error);
  if (!root.contains("choices") && root.contains("error")) return envelope_problem(error_message(body));
  Response r;
  r.model = string_at(root, "model");
  parse_openai_usage(root, r);
  if (root.contains("choices") && root["choices"].is_array()) {
    std::vector<std::pair<int64_t, Choice>> indexed;
    int64_t position = 0;
    for (const json& c : root["choices"]) {
      Choice choice;
      if (!c.is_object()) continue;
      choice.finish_reason = string_at(c, "finish_reason");
      if (c.contains("message") && c["message"].is_object()) {
        const json& m = c["message"];
        choice.text = string_at(m, "content");
        choice.thinking = string_at(m, "reasoning_content");
        if (choice.thinking.empty()) choice.thinking = string_at(m, "reasoning");
      }
      if (c.contains("logprobs") && c["logprobs"].is_object() && c["logprobs"].contains("content") &&
          c["logprobs"]["content"].is_array()) {
        std::vector<double> lps;
        for (const json& t : c["logprobs"]["content"]) {
          if (t.is_object() && t.contains("logprob") && t["logprob"].is_number())
            lps.push_back(t["logprob"].get<double>());
        }
        summarise_logprobs(choice, lps);
      }
      const int64_t index = c.contains("index") && c["index"].is_number() ? c["index"].get<int64_t>() : position;
      indexed.emplace_back(index, std::move(choice));
      ++position;
    }
    std::stable_sort(indexed.begin(), indexed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [_, c] : indexed) r.choices.push_back(std::move(c));
  }
  classify_choices(r, json_mode);
  return r;
}

Response parse_openai_completion(std::string_view body, bool json_mode) {
  std::string error;
  json root = parse_or_null(body, &error);
  if (!root.is_object()) return envelope_problem("the reply body is not JSON: " + error);
  if (!root.contains("choices") && root.contains("error")) return envelope_problem(error_message(body));
  Response r;
  r.model = string_at(root, "model");
  parse_openai_usage(root, r);
  if (root.contains("choices") && root["choices"].is_array()) {
    std::vector<std::pair<int64_t, Choice>> indexed;
    int64_t position = 0;
    for (const json& c : root["choices"]) {
      if (!c.is_object()) continue;
      Choice choice;
      choice.text = string_at(c, "text");
      choice.finish_reason = string_at(c, "finish_reason");
      if (c.contains("logprobs") && c["logprobs"].is_object() && c["logprobs"].contains("token_logprobs") &&
          c["logprobs"]["token_logprobs"].is_array()) {
        std::vector<double> lps;
        for (const json& v : c["logprobs"]["token_logprobs"]) {
          if (v.is_number()) lps.push_back(v.get<double>());
        }
        summarise_logprobs(choice, lps);
      }
      const int64_t index = c.contains("index") && c["index"].is_number() ? c["index"].get<int64_t>() : position;
      indexed.emplace_back(index, std::move(choice));
      ++position;
    }
    std::stable_sort(indexed.begin(), indexed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [_, c] : indexed) r.choices.push_back(std::move(c));
  }
  classify_choices(r, json_mode);
  return r;
}

Response parse_anthropic_messages(std::string_view body, bool json_mode) {
  std::string error;
  json root = parse_or_null(body, &error);
  if (!root.is_object()) return envelope_problem("the reply body is not JSON: " + error);
  if (string_at(root, "type") == "error") return envelope_problem(error_message(body));
  Response r;
  r.model = string_at(root, "model");
  if (root.contains("usage") && root["usage"].is_object()) {
    const json& u = root["usage"];
    const int64_t cache_read = int_at(u, "cache_read_input_tokens");
    r.usage.input_tokens = int_at(u, "input_tokens") + cache_read + int_at(u, "cache_creation_input_tokens");
    r.usage.cached_tokens = cache_read;
    r.usage.output_tokens = int_at(u, "output_tokens");
  }
  if (root.contains("content") && root["content"].is_array() && !root["content"].empty()) {
    Choice choice;
    choice.finish_reason = string_at(root, "stop_reason");
    for (const json& block : root["content"]) {
      const std::string type = string_at(block, "type");
      if (type == "text") {
        choice.text += string_at(block, "text");
      } else if (type == "thinking") {
        if (!choice.thinking.empty()) choice.thinking += "\n";
        choice.thinking += string_at(block, "thinking");
      }
    }
    if (!choice.thinking.empty()) {
      // Anthropic counts thinking inside output_tokens without a separate figure.
      r.usage.reasoning_tokens = std::min<int64_t>(estimate_tokens(choice.thinking), r.usage.output_tokens);
      r.usage.reasoning_estimated = true;
    }
    r.choices.push_back(std::move(choice));
  }
  classify_choices(r, json_mode);
  return r;
}

Result<EmbeddingResponse> parse_openai_embeddings(std::string_view body) {
  std::string error;
  json root = parse_or_null(body, &error);
  if (!root.is_object()) return make_error(ErrorCode::kParseError, "embedding reply is not JSON: " + error);
  if (!root.contains("data") || !root["data"].is_array()) {
    return make_error(ErrorCode::kParseError, "embedding reply has no 'data' list: " + error_message(body));
  }
  EmbeddingResponse r;
  r.model = string_at(root, "model");
  std::vector<std::pair<int64_t, std::vector<float>>> indexed;
  int64_t position = 0;
  for (const json& d : root["data"]) {
    if (!d.is_object() || !d.contains("embedding") || !d["embedding"].is_array()) {
      return make_error(ErrorCode::kParseError,
                        fmt::format("embedding reply item {} has no 'embedding' list", position));
    }
    std::vector<float> v;
    v.reserve(d["embedding"].size());
    for (const json& x : d["embedding"]) {
      if (!x.is_number()) return make_error(ErrorCode::kParseError, "embedding reply holds a non-number");
      v.push_back(x.get<float>());
    }
    const int64_t index = d.contains("index") && d["index"].is_number() ? d["index"].get<int64_t>() : position;
    indexed.emplace_back(index, std::move(v));
    ++position;
  }
  std::stable_sort(indexed.begin(), indexed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [_, v] : indexed) r.vectors.push_back(std::move(v));
  if (root.contains("usage") && root["usage"].is_object())
    r.usage.input_tokens = int_at(root["usage"], "prompt_tokens");
  return r;
}

Result<ModelList> parse_models(std::string_view body) {
  std::string error;
  json root = parse_or_null(body, &error);
  if (!root.is_object()) return make_error(ErrorCode::kParseError, "models reply is not JSON: " + error);
  ModelList list;
  // OpenAI: {"data": [{"id": ...}]}; Ollama's /api/tags-like shapes use "models".
  for (const char* key : {"data", "models"}) {
    if (root.contains(key) && root[key].is_array()) {
      for (const json& m : root[key]) {
        std::string id = string_at(m, "id");
        if (id.empty()) id = string_at(m, "name");
        if (!id.empty()) list.ids.push_back(std::move(id));
      }
    }
  }
  return list;
}

std::string error_message(std::string_view body) {
  json root = parse_or_null(body, nullptr);
  if (root.is_object() && root.contains("error")) {
    const json& e = root["error"];
    if (e.is_string()) return e.get<std::string>();
    std::string m = string_at(e, "message");
    if (!m.empty()) return m;
  }
  if (root.is_object()) {
    std::string m = string_at(root, "message");
    if (!m.empty()) return m;
  }
  return text::ellipsize(text::trim(body), 300);
}

std::string render_llama31(const std::vector<Message>& messages, bool add_generation_prompt) {
  std::string out = "<|begin_of_text|>";
  for (const Message& m : messages) {
    out += "<|start_header_id|>";
    out += m.role;
    out += "<|end_header_id|>\n\n";
    out += text::trim(m.content);
    out += kLlama31Eot;
  }
  if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

}  // namespace wire
}  // namespace askguru::llm
