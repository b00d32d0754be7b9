#include "askguru/llm/scripted_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <re2/re2.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "askguru/common/files.h"
#include "askguru/common/hash.h"
#include "askguru/common/text.h"

namespace askguru::llm {

using nlohmann::json;

std::string_view fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kNone: return "none";
    case FaultKind::kReset: return "reset";
    case FaultKind::kTruncatedBody: return "truncated_body";
    case FaultKind::kTruncatedJson: return "truncated_json";
    case FaultKind::kMalformedJson: return "malformed_json";
    case FaultKind::kEmptyChoices: return "empty_choices";
  }
  return "none";
}

// ---------------------------------------------------------------------------
// Script parsing

namespace {

std::string where(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return "script";
  return "line " + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Status yaml_error(const YAML::Node& node, const std::string& message) {
  return make_error(ErrorCode::kParseError, where(node) + ": " + message);
}

// YAML -> JSON for `json:` replies. Plain scalars become numbers/bools/null when they read as such.
json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Sequence: {
      json arr = json::array();
      for (const auto& item : node) arr.push_back(yaml_to_json(item));
      return arr;
    }
    case YAML::NodeType::Map: {
      json obj = json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return obj;
    }
    case YAML::NodeType::Scalar: break;
  }
  const std::string s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: always a string
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  if (s == "null" || s == "~") return nullptr;
  if (!s.empty()) {
    char* end = nullptr;
    long long i = std::strtoll(s.c_str(), &end, 10);
    if (end && *end == '\0') return i;
    double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0') return d;
  }
  return s;
}

Result<std::vector<std::string>> string_list(const YAML::Node& node, const std::string& key) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!item.IsScalar()) return yaml_error(item, "'" + key + "' must be a string or a list of strings");
      out.push_back(item.Scalar());
    }
  } else {
    return yaml_error(node, "'" + key + "' must be a string or a list of strings");
  }
  return out;
}

Result<int64_t> integer(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) return yaml_error(node, "'" + key + "' must be an integer");
  const std::string& s = node.Scalar();
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || !end || *end != '\0') return yaml_error(node, "'" + key + "' must be an integer, got '" + s + "'");
  return static_cast<int64_t>(v);
}

Status check_keys(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& what) {
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (!allowed.count(key)) {
      return yaml_error(kv.first, "unknown key '" + key + "' in " + what + " (allowed: " +
                                      text::join(std::vector<std::string>(allowed.begin(), allowed.end()), ", ") + ")");
    }
  }
  return Status();
}

Result<FaultKind> parse_fault(const YAML::Node& node) {
  const std::string s = node.IsScalar() ? node.Scalar() : "";
  if (s == "reset" || s == "connection_reset") return FaultKind::kReset;
  if (s == "truncated_body") return FaultKind::kTruncatedBody;
  if (s == "truncated_json") return FaultKind::kTruncatedJson;
  if (s == "malformed_json") return FaultKind::kMalformedJson;
  if (s == "empty_choices") return FaultKind::kEmptyChoices;
  if (s == "none") return FaultKind::kNone;
  return yaml_error(node, "unknown fault '" + s +
                              "' (expected reset, truncated_body, truncated_json, malformed_json or empty_choices)");
}

Result<ScriptMatch> parse_match(const YAML::Node& node) {
  ScriptMatch m;
  if (!node.IsMap()) return yaml_error(node, "'match' must be a map");
  AG_RETURN_IF_ERROR(
      check_keys(node, {"path", "model", "contains", "last_user_contains", "body_contains", "regex"}, "match"));
  if (node["path"]) m.path = node["path"].Scalar();
  if (node["model"]) m.model = node["model"].Scalar();
  if (node["contains"]) {
    AG_ASSIGN_OR_RETURN(m.contains, string_list(node["contains"], "contains"));
  }
  if (node["last_user_contains"]) {
    AG_ASSIGN_OR_RETURN(m.last_user_contains, string_list(node["last_user_contains"], "last_user_contains"));
  }
  if (node["body_contains"]) {
    AG_ASSIGN_OR_RETURN(m.body_contains, string_list(node["body_contains"], "body_contains"));
  }
  if (node["regex"]) {
    m.regex = node["regex"].Scalar();
    auto re = std::make_shared<re2::RE2>(m.regex, re2::RE2::Quiet);
    if (!re->ok()) return yaml_error(node["regex"], "bad regex '" + m.regex + "': " + re->error());
    m.compiled_regex = std::move(re);
  }
  return m;
}

Result<ScriptReply> parse_reply(const YAML::Node& node) {
  ScriptReply r;
  if (!node.IsMap()) return yaml_error(node, "'reply' must be a map");
  AG_RETURN_IF_ERROR(check_keys(node,
                                {"text", "json", "thinking", "finish_reason", "n", "usage", "latency_ms", "status",
                                 "retry_after", "error", "fault", "body", "headers", "logprob"},
                                "reply"));
  if (node["text"] && node["json"]) return yaml_error(node, "a reply has either 'text' or 'json', not both");
  if (node["text"]) {
    AG_ASSIGN_OR_RETURN(r.texts, string_list(node["text"], "text"));
    if (r.texts.empty()) return yaml_error(node["text"], "'text' is an empty list");
  }
  if (node["json"]) r.texts.push_back(yaml_to_json(node["json"]).dump());
  if (node["thinking"]) r.thinking = node["thinking"].Scalar();
  if (node["finish_reason"]) r.finish_reason = node["finish_reason"].Scalar();
  if (node["n"]) {
    AG_ASSIGN_OR_RETURN(int64_t n, integer(node["n"], "n"));
    if (n < 1 || n > 1000) return yaml_error(node["n"], "'n' must be between 1 and 1000");
    r.n = static_cast<int>(n);
  }
  if (node["usage"]) {
    const YAML::Node u = node["usage"];
    if (!u.IsMap()) return yaml_error(u, "'usage' must be a map");
    AG_RETURN_IF_ERROR(check_keys(
        u, {"prompt_tokens", "completion_tokens", "reasoning_tokens", "input_tokens", "output_tokens"}, "usage"));
    for (const auto& kv : u) {
      const std::string key = kv.first.Scalar();
      AG_ASSIGN_OR_RETURN(int64_t v, integer(kv.second, key));
      if (key == "prompt_tokens" || key == "input_tokens") r.usage.prompt_tokens = v;
      if (key == "completion_tokens" || key == "output_tokens") r.usage.completion_tokens = v;
      if (key == "reasoning_tokens") r.usage.reasoning_tokens = v;
    }
  }
  if (node["latency_ms"]) {
    AG_ASSIGN_OR_RETURN(int64_t ms, integer(node["latency_ms"], "latency_ms"));
    if (ms < 0) return yaml_error(node["latency_ms"], "'latency_ms' must be >= 0");
    r.latency_ms = static_cast<int>(ms);
  }
  if (node["status"]) {
    AG_ASSIGN_OR_RETURN(int64_t st, integer(node["status"], "status"));
    if (st < 100 || st > 599) return yaml_error(node["status"], "'status' must be an HTTP status (100-599)");
    r.status = static_cast<int>(st);
  }
  if (node["retry_after"]) r.retry_after = node["retry_after"].Scalar();
  if (node["error"]) r.error_message = node["error"].Scalar();
  if (node["fault"]) {
    AG_ASSIGN_OR_RETURN(r.fault, parse_fault(node["fault"]));
  }
  if (node["body"]) r.raw_body = node["body"].Scalar();
  if (node["headers"]) {
    if (!node["headers"].IsMap()) return yaml_error(node["headers"], "'headers' must be a map");
    for (const auto& kv : node["headers"]) r.headers[kv.first.Scalar()] = kv.second.Scalar();
  }
  if (node["logprob"]) {
    try {
      r.logprob = node["logprob"].as<double>();
    } catch (const YAML::Exception&) {
      return yaml_error(node["logprob"], "'logprob' must be a number");
    }
  }
  return r;
}

Result<Script> parse_script(const YAML::Node& root) {
  Script script;
  if (root.IsNull()) return script;
  if (!root.IsMap())
    return yaml_error(root, "a script is a map with 'rules' (and optional embedding_dim, models, api_key)");
  AG_RETURN_IF_ERROR(check_keys(root, {"rules", "embedding_dim", "models", "api_key", "seed"}, "the script"));
  if (root["seed"]) {
    AG_ASSIGN_OR_RETURN(int64_t seed, integer(root["seed"], "seed"));
    script.seed = static_cast<uint64_t>(seed);
  }
  if (root["embedding_dim"]) {
    AG_ASSIGN_OR_RETURN(int64_t dim, integer(root["embedding_dim"], "embedding_dim"));
    if (dim < 1 || dim > 65536) return yaml_error(root["embedding_dim"], "'embedding_dim' must be 1..65536");
    script.embedding_dim = static_cast<int>(dim);
  }
  if (root["models"]) {
    AG_ASSIGN_OR_RETURN(script.models, string_list(root["models"], "models"));
  }
  if (root["api_key"]) script.api_key = root["api_key"].Scalar();
  const YAML::Node rules = root["rules"];
  if (!rules) return script;
  if (!rules.IsSequence()) return yaml_error(rules, "'rules' must be a list");
  int index = 0;
  for (const auto& node : rules) {
    ++index;
    if (!node.IsMap()) return yaml_error(node, "a rule must be a map with 'match' and 'reply'");
    AG_RETURN_IF_ERROR(check_keys(node, {"name", "match", "times", "every", "probability", "reply"}, "a rule"));
    ScriptRule rule;
    rule.line = node.Mark().line + 1;
    rule.name = node["name"] ? node["name"].Scalar()
                             : "rule " + std::to_string(index) + " (line " + std::to_string(rule.line) + ")";
    if (node["match"]) {
      AG_ASSIGN_OR_RETURN(rule.match, parse_match(node["match"]));
    }
    if (node["times"]) {
      AG_ASSIGN_OR_RETURN(int64_t times, integer(node["times"], "times"));
      if (times < 0) return yaml_error(node["times"], "'times' must be >= 0");
      rule.times = static_cast<int>(times);
    }
    if (node["every"]) {
      AG_ASSIGN_OR_RETURN(int64_t every, integer(node["every"], "every"));
      if (every < 1) return yaml_error(node["every"], "'every' must be >= 1");
      rule.every = static_cast<int>(every);
    }
    if (node["probability"]) {
      try {
        rule.probability = node["probability"].as<double>();
      } catch (const YAML::Exception&) {
        return yaml_error(node["probability"], "'probability' must be a number");
      }
      if (!(rule.probability >= 0.0 && rule.probability <= 1.0)) {
        return yaml_error(node["probability"], "'probability' must be between 0 and 1");
      }
    }
    if (!node["reply"]) return yaml_error(node, "rule '" + rule.name + "' has no 'reply'");
    AG_ASSIGN_OR_RETURN(rule.reply, parse_reply(node["reply"]));
    script.rules.push_back(std::move(rule));
  }
  return script;
}

}  // namespace

Result<Script> Script::from_yaml(std::string_view yaml) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    return parse_script(root);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParseError, "line " + std::to_string(e.mark.line + 1) + ":" +
                                                  std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<Script> Script::load(const std::string& path) {
  AG_ASSIGN_OR_RETURN(std::string content, files::read_file(path));
  auto script = from_yaml(content);
  if (!script.ok()) return script.status().with_context(path);
  return script;
}

std::vector<std::string> Script::model_names() const {
  std::set<std::string> names(models.begin(), models.end());
  for (const auto& rule : rules) {
    if (!rule.match.model.empty()) names.insert(rule.match.model);
  }
  return {names.begin(), names.end()};
}

std::vector<float> scripted_embedding(std::string_view text, int dim) {
  std::vector<float> v(static_cast<size_t>(std::max(dim, 1)), 0.0f);
  const std::string s = "  " + text::to_lower(text) + "  ";
  for (size_t i = 0; i + 3 <= s.size(); ++i) {
    const uint64_t h = hash::xxh64(std::string_view(s).substr(i, 3), 0x5eed);
    v[h % v.size()] += (h >> 63) ? 1.0f : -1.0f;
  }
  double norm = 0;
  for (float x : v) norm += double(x) * x;
  if (norm == 0) {
    v[0] = 1.0f;
    return v;
  }
  const float inv = static_cast<float>(1.0 / std::sqrt(norm));
  for (float& x : v) x *= inv;
  return v;
}

// ---------------------------------------------------------------------------
// The server

namespace {

// httplib's default queue is a fixed pool of 8 threads; a test double must not
// be the bottleneck, so every connection gets its own thread. The state lives in
// a shared_ptr so a finishing thread never touches a destroyed queue.
class ThreadPerConnectionQueue : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override {
    auto state = state_;
    {
      std::lock_guard<std::mutex> lock(state->mu);
      ++state->active;
    }
    std::thread([state, fn = std::move(fn)] {
      fn();
      std::lock_guard<std::mutex> lock(state->mu);
      if (--state->active == 0) state->cv.notify_all();
    }).detach();
  }
  void shutdown() override {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->cv.wait(lock, [&] { return state_->active == 0; });
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    int active = 0;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// httplib (0.11) listens with a backlog of 5: a burst of connections overflows
// it and the kernel drops SYNs, which the clients retry a second later. Linux
// lets listen() be called again on a listening socket to widen the backlog.
class WideBacklogServer : public httplib::Server {
 public:
  void widen_backlog() { ::listen(svr_sock_, SOMAXCONN); }
};

bool is_generation_path(const std::string& path) {
  return path == "/v1/chat/completions" || path == "/v1/completions" || path == "/v1/messages";
}

int64_t estimate_tokens(std::string_view s) {
  return s.empty() ? 0 : static_cast<int64_t>((s.size() + 3) / 4);
}

// Field readers that never throw on a request of the wrong shape.
std::string str_field(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}
bool bool_field(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}
int int_field(const json& obj, const char* key, int fallback) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

std::string content_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_string()) {
        out += (out.empty() ? "" : "\n") + part.get<std::string>();
      } else if (part.is_object() && part.contains("text") && part["text"].is_string()) {
        out += (out.empty() ? "" : "\n") + part["text"].get<std::string>();
      }
    }
  }
  return out;
}

// The request's text for matching: every message, the system prompt, the prompt or the input.
void request_text(const json& body, std::string& all, std::string& last_user) {
  std::vector<std::string> parts;
  if (body.contains("system")) parts.push_back(content_text(body["system"]));
  if (body.contains("messages") && body["messages"].is_array()) {
    for (const auto& m : body["messages"]) {
      if (!m.is_object() || !m.contains("content")) continue;
      std::string t = content_text(m["content"]);
      if (str_field(m, "role") == "user") last_user = t;
      parts.push_back(std::move(t));
    }
  }
  for (const char* key : {"prompt", "input"}) {
    if (!body.contains(key)) continue;
    const json& v = body[key];
    std::string t = v.is_string() ? v.get<std::string>() : content_text(v);
    if (t.empty() && !v.is_null()) t = v.dump();
    last_user = t;
    parts.push_back(std::move(t));
  }
  all = text::join(parts, "\n");
}

std::string lower_map_key(const std::string& s) {
  return text::to_lower(s);
}

}  // namespace

class ScriptedServer::Impl {
 public:
  explicit Impl(Script script)
      : script_(std::move(script)),
        used_(script_.rules.size(), 0),
        seen_(script_.rules.size(), 0),
        rng_(script_.seed) {}

  Status start(int port) {
    server_.new_task_queue = [] { return new ThreadPerConnectionQueue(); };
    server_.set_keep_alive_max_count(1000);
    server_.set_tcp_nodelay(true);
    // httplib's default sets SO_REUSEPORT, which would let a second server share the port.
    server_.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
    server_.Post(".*", handler);
    server_.Get(".*", handler);
    if (port == 0) {
      port_ = server_.bind_to_any_port("127.0.0.1");
      if (port_ < 0) return make_error(ErrorCode::kIoError, "scripted server: cannot bind 127.0.0.1 to a free port");
    } else {
      if (!server_.bind_to_port("127.0.0.1", port)) {
        return make_error(ErrorCode::kIoError,
                          "scripted server: cannot bind 127.0.0.1:" + std::to_string(port) + " (in use?)");
      }
      port_ = port;
    }
    server_.widen_backlog();
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (!server_.is_running()) {
      stop();
      return make_error(ErrorCode::kInternal, "scripted server: did not start listening");
    }
    return Status();
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(stop_mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    stop_cv_.notify_all();
    server_.stop();
    // httplib's connection threads wait up to 5 s on idle keep-alive connections;
    // shutting those sockets down ends the waits now.
    for_each_connection([](int fd, int) { ::shutdown(fd, SHUT_RDWR); });
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(log_mu_);
    if (log_file_.is_open()) log_file_.close();
  }

  int port() const { return port_; }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard<std::mutex> lock(log_mu_);
    return requests_;
  }
  size_t request_count() const {
    std::lock_guard<std::mutex> lock(log_mu_);
    return requests_.size();
  }
  void clear_requests() {
    std::lock_guard<std::mutex> lock(log_mu_);
    requests_.clear();
    max_in_flight_ = in_flight_.load();
  }
  int max_in_flight() const { return max_in_flight_.load(); }
  int in_flight() const { return in_flight_.load(); }

  Status set_log_file(const std::string& path) {
    std::lock_guard<std::mutex> lock(log_mu_);
    log_file_.open(path, std::ios::app);
    if (!log_file_) return make_error(ErrorCode::kIoError, "cannot open request log " + path);
    return Status();
  }

 private:
  struct Matched {
    const ScriptRule* rule = nullptr;
    int call = 0;  // how many requests this rule answered before
  };

  void handle(const httplib::Request& req, httplib::Response& res) {
    const int now = ++in_flight_;
    int prev = max_in_flight_.load();
    while (now > prev && !max_in_flight_.compare_exchange_weak(prev, now)) {
    }
    RecordedRequest rec;
    rec.method = req.method;
    rec.path = req.path;
    rec.body = req.body;
    for (const auto& [k, v] : req.headers) {
      std::string key = lower_map_key(k);
      // httplib adds the connection's addresses as pseudo-headers; they were not sent.
      if (key == "remote_addr" || key == "remote_port" || key == "local_addr" || key == "local_port") continue;
      rec.headers[std::move(key)] = v;
    }
    bool reset = false;
    try {
      serve(req, res, rec, reset);
    } catch (const std::exception& e) {
      send_error(req, res, 400, std::string("scripted server: cannot handle the request: ") + e.what());
    }
    if (reset) {
      // Logged before the reset: a client that sees the reset may ask for the log at once.
      rec.status = 0;
      record(std::move(rec));
      if (reset_connection(req)) {
        res.status = 500;  // written to /dev/null
      } else {
        send_error(req, res, 500, "scripted server: could not reset the connection");
      }
    } else {
      rec.status = res.status;
      record(std::move(rec));
    }
    --in_flight_;
  }

  void record(RecordedRequest rec) {
    std::lock_guard<std::mutex> lock(log_mu_);
    if (log_file_.is_open()) {
      json headers = json::object();
      for (const auto& [k, v] : rec.headers) {
        const bool secret = k == "authorization" || k == "x-api-key" || k == "api-key";
        headers[k] = secret ? "<redacted>" : v;
      }
      json line = {
          {"method", rec.method}, {"path", rec.path}, {"status", rec.status}, {"rule", rec.rule}, {"headers", headers}};
      json body = json::parse(rec.body, nullptr, false);
      line["body"] = body.is_discarded() ? json(rec.body) : body;
      log_file_ << line.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
      log_file_.flush();
    }
    requests_.push_back(std::move(rec));
  }

  bool anthropic(const httplib::Request& req) const { return req.path == "/v1/messages"; }

  void send_error(const httplib::Request& req, httplib::Response& res, int status, const std::string& message,
                  const std::string& retry_after = "") {
    std::string type;
    const bool is_anthropic = anthropic(req) || req.has_header("anthropic-version");
    switch (status) {
      case 400: type = "invalid_request_error"; break;
      case 401: type = "authentication_error"; break;
      case 403: type = "permission_error"; break;
      case 404: type = "not_found_error"; break;
      case 429: type = "rate_limit_error"; break;
      case 529: type = "overloaded_error"; break;
      default: type = status >= 500 ? (is_anthropic ? "api_error" : "server_error") : "invalid_request_error";
    }
    json body;
    if (is_anthropic) {
      body = {{"type", "error"}, {"error", {{"type", type}, {"message", message}}}};
    } else {
      body = {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", status}}}};
    }
    res.status = status;
    if (!retry_after.empty()) res.set_header("Retry-After", retry_after);
    res.set_content(body.dump(), "application/json");
  }

  // The first rule that matches and still has uses left; counts the use.
  Matched match(const std::string& path, const std::string& model, const std::string& all_text,
                const std::string& last_user, const std::string& raw_body) {
    std::lock_guard<std::mutex> lock(rules_mu_);
    for (size_t i = 0; i < script_.rules.size(); ++i) {
      const ScriptRule& rule = script_.rules[i];
      const ScriptMatch& m = rule.match;
      if (rule.times >= 0 && used_[i] >= rule.times) continue;
      if (m.path.empty() ? !is_generation_path(path) : m.path != path) continue;
      if (!m.model.empty() && m.model != model) continue;
      bool ok = true;
      for (const auto& s : m.contains) ok = ok && all_text.find(s) != std::string::npos;
      for (const auto& s : m.last_user_contains) ok = ok && last_user.find(s) != std::string::npos;
      for (const auto& s : m.body_contains) ok = ok && raw_body.find(s) != std::string::npos;
      if (ok && m.compiled_regex) ok = re2::RE2::PartialMatch(all_text, *m.compiled_regex);
      if (!ok) continue;
      if (rule.every > 1 && ++seen_[i] % rule.every != 0) continue;
      if (rule.probability < 1.0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= rule.probability) {
        continue;
      }
      return Matched{&rule, used_[i]++};
    }
    return Matched{};
  }

  // Sleeps `ms` unless the server stops first.
  void sleep_ms(int ms) {
    if (ms <= 0) return;
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopped_; });
  }

  // Closes the connection of `req` with a TCP reset and no reply. httplib does not
  // hand the socket to handlers, so it is found by its address pair, given
  // SO_LINGER 0 and replaced (dup2) by /dev/null: the socket closes with RST
  // while httplib's descriptor stays valid until httplib closes it.
  bool reset_connection(const httplib::Request& req) {
    bool done = false;
    for_each_connection([&](int fd, int peer_port) {
      if (done || peer_port != req.remote_port) return;
      linger lg{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
      const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
      if (null_fd >= 0) {
        dup2(null_fd, fd);
        close(null_fd);
        done = true;
      }
    });
    return done;
  }

  // Calls fn(fd, peer_port) for every accepted connection socket of this server
  // (local port == port_) that this process holds, found through /proc/self/fd.
  template <typename Fn>
  void for_each_connection(Fn fn) const {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return;
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] == '.') continue;
      const int fd = std::atoi(entry->d_name);
      if (fd == dirfd(dir)) continue;
      struct stat st {};
      if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
      sockaddr_in local{}, peer{};
      socklen_t len = sizeof(local);
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0 || local.sin_family != AF_INET) continue;
      len = sizeof(peer);
      if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) continue;  // the listening socket
      if (ntohs(local.sin_port) != port_) continue;
      fn(fd, static_cast<int>(ntohs(peer.sin_port)));
    }
    closedir(dir);
  }

  void serve(const httplib::Request& req, httplib::Response& res, RecordedRequest& rec, bool& reset) {
    const std::string& path = req.path;
    const bool known = is_generation_path(path) || path == "/v1/embeddings" || path == "/v1/models";
    if (!known) {
      send_error(req, res, 404, "scripted server: unknown endpoint " + req.method + " " + path);
      return;
    }
    if (path == "/v1/models" ? req.method != "GET" : req.method != "POST") {
      send_error(req, res, 405, "scripted server: " + req.method + " is not allowed on " + path);
      return;
    }
    // Authentication, as the providers check it.
    if (anthropic(req)) {
      if (!req.has_header("x-api-key")) {
        send_error(req, res, 401, "x-api-key header is required");
        return;
      }
      if (!req.has_header("anthropic-version")) {
        send_error(req, res, 400, "anthropic-version: header is required");
        return;
      }
      if (!script_.api_key.empty() && req.get_header_value("x-api-key") != script_.api_key) {
        send_error(req, res, 401, "invalid x-api-key");
        return;
      }
    } else if (!script_.api_key.empty()) {
      const std::string auth = req.get_header_value("Authorization");
      const std::string key = req.get_header_value("x-api-key");
      if (auth != "Bearer " + script_.api_key && key != script_.api_key) {
        send_error(
            req, res, 401,
            auth.empty() ? "You didn't provide an API key (Authorization: Bearer ...)" : "Incorrect API key provided");
        return;
      }
    }

    json body = json::object();
    if (req.method == "POST") {
      body = json::parse(req.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) {
        send_error(req, res, 400, "scripted server: the request body is not a JSON object");
        return;
      }
    }
    const std::string model = str_field(body, "model");
    std::string all_text, last_user;
    request_text(body, all_text, last_user);

    Matched m = match(path, model, all_text, last_user, req.body);
    if (!m.rule) {
      if (path == "/v1/embeddings") return send_embeddings(res, body, model);
      if (path == "/v1/models") return send_models(res);
      send_error(req, res, 404,
                 "scripted server: no rule matched POST " + path + " model='" + model + "' text='" +
                     text::ellipsize(all_text, 200) + "'");
      return;
    }
    rec.rule = m.rule->name;
    const ScriptReply& reply = m.rule->reply;
    sleep_ms(reply.latency_ms);
    for (const auto& [k, v] : reply.headers) res.set_header(k, v);

    if (reply.fault == FaultKind::kReset) {
      reset = true;  // handle() logs the request, then resets the connection
      return;
    }
    if (reply.status != 200) {
      std::string message = reply.error_message;
      if (message.empty()) message = "scripted error " + std::to_string(reply.status) + " from " + m.rule->name;
      if (!reply.raw_body.empty()) {
        res.status = reply.status;
        if (!reply.retry_after.empty()) res.set_header("Retry-After", reply.retry_after);
        res.set_content(reply.raw_body, "application/json");
        return;
      }
      send_error(req, res, reply.status, message, reply.retry_after);
      return;
    }
    std::string out;
    if (!reply.raw_body.empty()) {
      out = reply.raw_body;
    } else if (reply.fault == FaultKind::kMalformedJson) {
      out = "{\"id\": \"scripted\", \"choices\": [ this is not json";
      out += " }";
    } else if (path == "/v1/embeddings") {
      out = embeddings_json(body, model).dump();
    } else if (path == "/v1/models") {
      out = models_json().dump();
    } else {
      out = completion_json(path, body, model, all_text, reply, m.call).dump();
    }

    if (reply.fault == FaultKind::kTruncatedJson) out.resize(out.size() / 2);
    if (reply.fault == FaultKind::kTruncatedBody) {
      // Promise the whole body, send half, then fail the provider: httplib closes the connection.
      auto shared = std::make_shared<std::string>(std::move(out));
      res.status = 200;
      res.set_content_provider(shared->size(), "application/json",
                               [shared](size_t offset, size_t, httplib::DataSink& sink) {
                                 const size_t half = shared->size() / 2;
                                 if (offset < half) {
                                   sink.write(shared->data() + offset, half - offset);
                                   return true;
                                 }
                                 return false;
                               });
      return;
    }
    res.status = 200;
    res.set_content(out, "application/json");
  }

  void send_embeddings(httplib::Response& res, const json& body, const std::string& model) {
    res.status = 200;
    res.set_content(embeddings_json(body, model).dump(), "application/json");
  }
  void send_models(httplib::Response& res) {
    res.status = 200;
    res.set_content(models_json().dump(), "application/json");
  }

  json embeddings_json(const json& body, const std::string& model) const {
    std::vector<std::string> inputs;
    if (body.contains("input")) {
      const json& in = body["input"];
      if (in.is_string()) {
        inputs.push_back(in.get<std::string>());
      } else if (in.is_array()) {
        for (const auto& x : in) inputs.push_back(x.is_string() ? x.get<std::string>() : x.dump());
      }
    }
    int dim = script_.embedding_dim;
    if (body.contains("dimensions") && body["dimensions"].is_number_integer()) {
      dim = std::clamp(body["dimensions"].get<int>(), 1, 65536);
    }
    json data = json::array();
    int64_t tokens = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", scripted_embedding(inputs[i], dim)}});
      tokens += estimate_tokens(inputs[i]);
    }
    return {{"object", "list"},
            {"data", data},
            {"model", model},
            {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
  }

  json models_json() const {
    json data = json::array();
    const auto names = script_.model_names();
    for (const auto& name : names) {
      // Fields of both providers' listings.
      data.push_back({{"id", name},
                      {"object", "model"},
                      {"type", "model"},
                      {"display_name", name},
                      {"created", 0},
                      {"created_at", "2024-01-01T00:00:00Z"},
                      {"owned_by", "scripted"}});
    }
    json out = {{"object", "list"}, {"data", data}, {"has_more", false}};
    out["first_id"] = names.empty() ? json(nullptr) : json(names.front());
    out["last_id"] = names.empty() ? json(nullptr) : json(names.back());
    return out;
  }

  static std::string substitute(std::string s, const std::string& model, int choice, int call,
                                const std::string& seed) {
    if (s.find("{{") == std::string::npos) return s;
    s = text::replace_all(std::move(s), "{{model}}", model);
    s = text::replace_all(std::move(s), "{{choice}}", std::to_string(choice));
    s = text::replace_all(std::move(s), "{{call}}", std::to_string(call));
    s = text::replace_all(std::move(s), "{{seed}}", seed);
    return s;
  }

  // Splits a text into whitespace-led pieces: the "tokens" logprobs report.
  static std::vector<std::string> pseudo_tokens(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
      if ((c == ' ' || c == '\n') && !cur.empty()) {
        out.push_back(std::move(cur));
        cur.clear();
      }
      cur += c;
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
  }

  json completion_json(const std::string& path, const json& body, const std::string& model,
                       const std::string& prompt_text, const ScriptReply& reply, int call) {
    const uint64_t id = ++next_id_;
    int n = reply.n;
    if (n == 0) n = std::clamp(int_field(body, "n", 1), 1, 1000);
    if (path == "/v1/messages") n = 1;
    std::string seed;
    if (body.contains("seed") && !body["seed"].is_null()) seed = body["seed"].dump();

    std::vector<std::string> texts;
    for (int i = 0; i < n; ++i) {
      std::string t;
      if (!reply.texts.empty()) t = reply.texts[(static_cast<size_t>(call) * n + i) % reply.texts.size()];
      texts.push_back(substitute(std::move(t), model, i, call, seed));
    }
    const std::string thinking = substitute(reply.thinking, model, 0, call, seed);

    int64_t prompt_tokens = reply.usage.prompt_tokens >= 0 ? reply.usage.prompt_tokens : estimate_tokens(prompt_text);
    int64_t reasoning = reply.usage.reasoning_tokens >= 0 ? reply.usage.reasoning_tokens : estimate_tokens(thinking);
    int64_t completion = reply.usage.completion_tokens;
    if (completion < 0) {
      completion = reasoning * n;
      for (const auto& t : texts) completion += estimate_tokens(t);
    }
    const bool empty = reply.fault == FaultKind::kEmptyChoices;

    if (path == "/v1/messages") {
      json content = json::array();
      if (!empty) {
        if (!thinking.empty()) {
          content.push_back({{"type", "thinking"}, {"thinking", thinking}, {"signature", "scripted-signature"}});
        }
        content.push_back({{"type", "text"}, {"text", texts[0]}});
      }
      std::string stop = reply.finish_reason;
      if (stop == "stop") stop = "end_turn";
      if (stop == "length") stop = "max_tokens";
      return {{"id", "msg_scripted_" + std::to_string(id)},
              {"type", "message"},
              {"role", "assistant"},
              {"model", model},
              {"content", content},
              {"stop_reason", stop},
              {"stop_sequence", nullptr},
              {"usage", {{"input_tokens", prompt_tokens}, {"output_tokens", completion}}}};
    }

    const bool chat = path == "/v1/chat/completions";
    bool want_logprobs = false;
    int top = 0;
    if (chat) {
      want_logprobs = bool_field(body, "logprobs");
      top = std::clamp(int_field(body, "top_logprobs", 0), 0, 20);
    } else if (int_field(body, "logprobs", -1) >= 0) {
      want_logprobs = true;
      top = std::clamp(int_field(body, "logprobs", 0), 0, 20);
    }
    json choices = json::array();
    for (int i = 0; i < n && !empty; ++i) {
      json choice = {{"index", i}, {"finish_reason", reply.finish_reason}, {"logprobs", nullptr}};
      if (want_logprobs) choice["logprobs"] = logprobs_json(texts[i], reply.logprob, top, chat);
      if (chat) {
        json message = {{"role", "assistant"}, {"content", texts[i]}};
        if (!thinking.empty()) message["reasoning_content"] = thinking;
        choice["message"] = message;
      } else {
        choice["text"] = texts[i];
      }
      choices.push_back(choice);
    }
    return {{"id", (chat ? "chatcmpl-scripted-" : "cmpl-scripted-") + std::to_string(id)},
            {"object", chat ? "chat.completion" : "text_completion"},
            {"created", static_cast<int64_t>(std::time(nullptr))},
            {"model", model},
            {"choices", choices},
            {"usage",
             {{"prompt_tokens", prompt_tokens},
              {"completion_tokens", completion},
              {"total_tokens", prompt_tokens + completion},
              {"completion_tokens_details", {{"reasoning_tokens", reasoning * n}}}}}};
  }

  static json logprobs_json(const std::string& text, double logprob, int top, bool chat) {
    const auto tokens = pseudo_tokens(text);
    if (chat) {
      json content = json::array();
      for (const auto& tok : tokens) {
        json alts = json::array();
        alts.push_back({{"token", tok}, {"logprob", logprob}});
        for (int k = 1; k < top; ++k)
          alts.push_back({{"token", "<alt" + std::to_string(k) + ">"}, {"logprob", logprob - 2.0 * k}});
        json entry = {{"token", tok}, {"logprob", logprob}, {"bytes", std::vector<int>(tok.begin(), tok.end())}};
        entry["top_logprobs"] = top > 0 ? alts : json::array();
        content.push_back(entry);
      }
      return {{"content", content}};
    }
    json toks = json::array(), lps = json::array(), tops = json::array(), offsets = json::array();
    size_t offset = 0;
    for (const auto& tok : tokens) {
      toks.push_back(tok);
      lps.push_back(logprob);
      json alts = json::object();
      alts[tok] = logprob;
      for (int k = 1; k < top; ++k) alts["<alt" + std::to_string(k) + ">"] = logprob - 2.0 * k;
      tops.push_back(alts);
      offsets.push_back(offset);
      offset += tok.size();
    }
    return {{"tokens", toks}, {"token_logprobs", lps}, {"top_logprobs", tops}, {"text_offset", offsets}};
  }

  Script script_;
  std::vector<int> used_;      // per rule: requests answered; guarded by rules_mu_
  std::vector<int64_t> seen_;  // per rule: matching requests, for `every`; guarded by rules_mu_
  std::mt19937_64 rng_;        // for `probability`; guarded by rules_mu_
  std::mutex rules_mu_;
  WideBacklogServer server_;
  std::thread thread_;
  int port_ = 0;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopped_ = false;

  mutable std::mutex log_mu_;
  std::vector<RecordedRequest> requests_;
  std::ofstream log_file_;

  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  std::atomic<uint64_t> next_id_{0};
};

ScriptedServer::ScriptedServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScriptedServer::~ScriptedServer() {
  stop();
}

Result<std::unique_ptr<ScriptedServer>> ScriptedServer::start(Script script, int port) {
  if (port < 0 || port > 65535) return make_error(ErrorCode::kInvalidArgument, "bad port " + std::to_string(port));
  auto impl = std::make_unique<Impl>(std::move(script));
  AG_RETURN_IF_ERROR(impl->start(port));
  return std::unique_ptr<ScriptedServer>(new ScriptedServer(std::move(impl)));
}

Result<std::unique_ptr<ScriptedServer>> ScriptedServer::start_yaml(std::string_view yaml, int port) {
  AG_ASSIGN_OR_RETURN(Script script, Script::from_yaml(yaml));
  return start(std::move(script), port);
}

int ScriptedServer::port() const {
  return impl_->port();
}
std::string ScriptedServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port());
}
std::vector<RecordedRequest> ScriptedServer::requests() const {
  return impl_->requests();
}
size_t ScriptedServer::request_count() const {
  return impl_->request_count();
}
void ScriptedServer::clear_requests() {
  impl_->clear_requests();
}
int ScriptedServer::max_in_flight() const {
  return impl_->max_in_flight();
}
int ScriptedServer::in_flight() const {
  return impl_->in_flight();
}
Status ScriptedServer::set_log_file(const std::string& path) {
  return impl_->set_log_file(path);
}
void ScriptedServer::stop() {
  if (impl_) impl_->stop();
}

}  // namespace askguru::llm
