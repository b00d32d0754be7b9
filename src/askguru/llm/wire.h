// Wire formats of the LLM providers: request bodies and reply parsing for
// OpenAI-compatible endpoints (/v1/chat/completions, /v1/completions,
// /v1/embeddings, /v1/models) and Anthropic's /v1/messages, plus LLaMA-3.1's
// chat template for servers that have none.
//
// Pure functions; thread-safe. Parsing never throws: a reply that cannot be
// used comes back with its ReplyProblem set.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"
#include "askguru/llm/types.h"

namespace askguru::llm::wire {

std::string openai_chat_body(const ChatRequest& request, const std::string& model);
std::string openai_completion_body(const CompletionRequest& request, const std::string& model);
std::string openai_embedding_body(const EmbeddingRequest& request, const std::string& model);
// Anthropic takes no `n`; callers send n requests instead.
std::string anthropic_messages_body(const ChatRequest& request, const std::string& model);

Response parse_openai_chat(std::string_view body, bool json_mode);
Response parse_openai_completion(std::string_view body, bool json_mode);
Response parse_anthropic_messages(std::string_view body, bool json_mode);
Result<EmbeddingResponse> parse_openai_embeddings(std::string_view body);
Result<ModelList> parse_models(std::string_view body);

// The message of a provider's error body ({"error": {"message": ...}}, either
// shape), or the body itself cut to 300 characters.
std::string error_message(std::string_view body);

// Classifies `text` expected to hold JSON (a ```json fence is allowed):
// kNone, kInvalidJson or kTruncatedJson (valid up to where it stops).
ReplyProblem classify_json_text(std::string_view text, std::string* detail);

// Marks each choice's problem (empty text, cut off, bad JSON in JSON mode) and
// sets the response's overall problem: kNone when any choice is usable.
void classify_choices(Response& response, bool json_mode);

// LLaMA-3.1's chat format, ending with the assistant header when
// `add_generation_prompt`:
//   <|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|>...
std::string render_llama31(const std::vector<Message>& messages, bool add_generation_prompt = true);
inline constexpr std::string_view kLlama31Eot = "<|eot_id|>";

// Rough token estimate (4 characters a token) for rate limiting and for
// thinking tokens that the provider does not count separately.
int64_t estimate_tokens(std::string_view text);

}  // namespace askguru::llm::wire
