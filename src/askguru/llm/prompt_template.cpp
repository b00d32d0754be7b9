#include "askguru/llm/prompt_template.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "askguru/common/embedded.h"
#include "askguru/common/files.h"
#include "askguru/common/text.h"

namespace askguru::llm {

struct PromptTemplate::Node {
  enum Kind { kText, kVar, kSection, kInverted } kind = kText;
  std::string text;  // kText: the text; otherwise the name
  std::vector<Node> children;
};

namespace {

bool is_name(std::string_view s) {
  if (s.empty()) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool only_blanks(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// Offsets to 1-based line:col.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }
  std::pair<int, int> at(size_t offset) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    const size_t line = static_cast<size_t>(it - starts_.begin());  // 1-based
    return {static_cast<int>(line), static_cast<int>(offset - starts_[line - 1] + 1)};
  }

 private:
  std::vector<size_t> starts_;
};

std::string loc(const std::pair<int, int>& lc) {
  return std::to_string(lc.first) + ":" + std::to_string(lc.second);
}

}  // namespace

Result<PromptTemplate> PromptTemplate::parse(std::string name, std::string_view text) {
  PromptTemplate t;
  t.name_ = std::move(name);
  const LineIndex lines(text);
  auto error = [&](size_t offset, const std::string& message) {
    return make_error(ErrorCode::kParseError, t.name_ + ":" + loc(lines.at(offset)) + ": " + message);
  };

  struct Frame {
    Node node;
    size_t open_offset = 0;
  };
  std::vector<Frame> stack(1);
  std::string pending;
  auto flush = [&] {
    if (pending.empty()) return;
    Node n;
    n.kind = Node::kText;
    n.text = std::move(pending);
    pending.clear();
    stack.back().node.children.push_back(std::move(n));
  };
  auto use = [&](const std::string& n, size_t offset) {
    t.names_.insert(n);
    t.first_use_.emplace(n, lines.at(offset));
  };

  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      pending.append(text.substr(pos));
      break;
    }
    pending.append(text.substr(pos, open - pos));
    const size_t line_end = std::min(text.find('\n', open), text.size());
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos || close > line_end) {
      return error(open, "'{{' is not closed by '}}' on the same line");
    }
    const std::string_view inner = text::trim(text.substr(open + 2, close - open - 2));
    if (inner.empty()) return error(open, "empty tag '{{}}'");
    const char sigil = inner[0];
    const bool has_sigil = sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!';
    const std::string tag_name(has_sigil ? text::trim(inner.substr(1)) : inner);
    if (sigil != '!' && !is_name(tag_name)) {
      return error(open, "bad placeholder name '" + tag_name + "' in '{{" + std::string(inner) +
                             "}}' (names are letters, digits and _)");
    }
    size_t next = close + 2;
    if (has_sigil) {
      // A section or comment tag alone on its line takes the whole line.
      size_t line_start = 0;
      if (open > 0) {
        const size_t newline = text.rfind('\n', open - 1);
        line_start = newline == std::string_view::npos ? 0 : newline + 1;
      }
      const bool standalone = only_blanks(text.substr(line_start, open - line_start)) &&
                              only_blanks(text.substr(close + 2, line_end - close - 2));
      if (standalone) {
        while (!pending.empty() && (pending.back() == ' ' || pending.back() == '\t')) pending.pop_back();
        next = line_end < text.size() ? line_end + 1 : line_end;
      }
    }
    if (!has_sigil) {
      flush();
      Node n;
      n.kind = Node::kVar;
      n.text = tag_name;
      stack.back().node.children.push_back(std::move(n));
      use(tag_name, open);
    } else if (sigil == '#' || sigil == '^') {
      flush();
      Frame f;
      f.node.kind = sigil == '#' ? Node::kSection : Node::kInverted;
      f.node.text = tag_name;
      f.open_offset = open;
      stack.push_back(std::move(f));
      use(tag_name, open);
    } else if (sigil == '/') {
      flush();
      if (stack.size() == 1) return error(open, "'{{/" + tag_name + "}}' closes a section that was never opened");
      if (stack.back().node.text != tag_name) {
        return error(open, "'{{/" + tag_name + "}}' closes '{{" +
                               (stack.back().node.kind == Node::kSection ? "#" : "^") + stack.back().node.text +
                               "}}' opened at " + loc(lines.at(stack.back().open_offset)));
      }
      Node done = std::move(stack.back().node);
      stack.pop_back();
      stack.back().node.children.push_back(std::move(done));
    }
    pos = next;
  }
  flush();
  if (stack.size() > 1) {
    return error(stack.back().open_offset, "section '{{" +
                                               std::string(stack.back().node.kind == Node::kSection ? "#" : "^") +
                                               stack.back().node.text + "}}' is never closed");
  }
  t.nodes_ = std::make_shared<const std::vector<Node>>(std::move(stack.back().node.children));
  return t;
}

std::string PromptTemplate::location(const std::string& placeholder) const {
  auto it = first_use_.find(placeholder);
  return it == first_use_.end() ? "" : loc(it->second);
}

namespace {

void render_nodes(const std::vector<PromptTemplate::Node>& nodes, const PromptValues& values, std::string& out) {
  for (const auto& n : nodes) {
    switch (n.kind) {
      case PromptTemplate::Node::kText: out += n.text; break;
      case PromptTemplate::Node::kVar: out += values.at(n.text); break;
      case PromptTemplate::Node::kSection:
        if (!values.at(n.text).empty()) render_nodes(n.children, values, out);
        break;
      case PromptTemplate::Node::kInverted:
        if (values.at(n.text).empty()) render_nodes(n.children, values, out);
        break;
    }
  }
}

}  // namespace

Result<std::string> PromptTemplate::render(const PromptValues& values) const {
  return render(values, {});
}

Result<std::string> PromptTemplate::render(const PromptValues& values, const std::set<std::string>& may_ignore) const {
  for (const auto& n : names_) {
    if (!values.count(n)) {
      return make_error(ErrorCode::kInvalidArgument,
                        name_ + ":" + location(n) + ": no value for placeholder {{" + n + "}}");
    }
  }
  for (const auto& [key, value] : values) {
    if (!names_.count(key) && !may_ignore.count(key)) {
      return make_error(ErrorCode::kInvalidArgument,
                        name_ + ": a value for '" + key + "', which the template does not use (it uses: " +
                            text::join(std::vector<std::string>(names_.begin(), names_.end()), ", ") + ")");
    }
  }
  std::string out;
  if (nodes_) render_nodes(*nodes_, values, out);
  return out;
}

// ---------------------------------------------------------------------------

Result<PromptLibrary> PromptLibrary::load_embedded() {
  PromptLibrary lib;
  const std::string prefix = "prompts/", suffix = ".txt";
  for (const auto& [path, content] : embedded::files()) {
    if (path.rfind(prefix, 0) != 0 || path.size() <= prefix.size() + suffix.size() ||
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    auto t = PromptTemplate::parse("embedded " + path, content);
    if (!t.ok()) return t.status();
    lib.templates_.insert_or_assign(path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()),
                                    std::move(*t));
  }
  return lib;
}

Status PromptLibrary::load_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error(ErrorCode::kNotFound, "prompt directory " + dir + " does not exist");
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".txt") paths.push_back(entry.path());
  }
  if (ec) return make_error(ErrorCode::kIoError, "cannot list " + dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    AG_ASSIGN_OR_RETURN(std::string content, files::read_file(p.string()));
    AG_ASSIGN_OR_RETURN(PromptTemplate t, PromptTemplate::parse(p.string(), content));
    templates_.insert_or_assign(p.stem().string(), std::move(t));
  }
  return Status();
}

Status PromptLibrary::add(const std::string& name, std::string_view text) {
  AG_ASSIGN_OR_RETURN(PromptTemplate t, PromptTemplate::parse(name, text));
  templates_.insert_or_assign(name, std::move(t));
  return Status();
}

std::vector<std::string> PromptLibrary::names() const {
  std::vector<std::string> out;
  for (const auto& [name, t] : templates_) out.push_back(name);
  return out;
}

const PromptTemplate* PromptLibrary::find(const std::string& name) const {
  auto it = templates_.find(name);
  return it == templates_.end() ? nullptr : &it->second;
}

Status PromptLibrary::require(const std::string& name, const std::set<std::string>& provided,
                              const std::set<std::string>& required) {
  const PromptTemplate* t = find(name);
  if (!t) {
    return make_error(ErrorCode::kNotFound,
                      "no prompt template '" + name + "' (have: " + text::join(names(), ", ") + ")");
  }
  for (const auto& p : t->placeholders()) {
    if (!provided.count(p)) {
      return make_error(ErrorCode::kInvalidArgument,
                        t->name() + ":" + t->location(p) + ": unknown placeholder {{" + p + "}} (this prompt gets: " +
                            text::join(std::vector<std::string>(provided.begin(), provided.end()), ", ") + ")");
    }
  }
  for (const auto& r : required) {
    if (!t->placeholders().count(r)) {
      return make_error(ErrorCode::kInvalidArgument, t->name() + ": must use placeholder {{" + r + "}}");
    }
  }
  declared_[name] = provided;
  return Status();
}

Result<std::string> PromptLibrary::render(const std::string& name, const PromptValues& values) const {
  const PromptTemplate* t = find(name);
  if (!t) return make_error(ErrorCode::kNotFound, "no prompt template '" + name + "'");
  auto it = declared_.find(name);
  static const std::set<std::string> kNone;
  return t->render(values, it == declared_.end() ? kNone : it->second);
}

}  // namespace askguru::llm
