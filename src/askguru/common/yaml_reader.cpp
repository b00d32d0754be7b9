#include "askguru/common/yaml_reader.h"

#include <fmt/format.h>

#include "askguru/common/text.h"

namespace askguru::yaml {

Status Reader::error(const YAML::Node& node, const std::string& key, const std::string& what) const {
  return make_error(ErrorCode::kInvalidArgument, fmt::format("{}: {}: {}", where(node), key, what));
}

std::string Reader::where(const YAML::Node& node) const {
  const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  return line > 0 ? fmt::format("{}:{}", origin_, line) : origin_;
}

Result<std::string> Reader::str(const YAML::Node& node, const std::string& key) const {
  if (!node.IsScalar()) return error(node, key, "expected a string");
  return node.Scalar();
}

Result<int> Reader::integer(const YAML::Node& node, const std::string& key, int min_value) const {
  int v = 0;
  if (!node.IsScalar() || !YAML::convert<int>::decode(node, v)) {
    return error(node, key,
                 fmt::format("expected an integer, got '{}'", node.IsScalar() ? node.Scalar() : "(not a scalar)"));
  }
  if (v < min_value) return error(node, key, fmt::format("must be at least {}, got {}", min_value, v));
  return v;
}

Result<double> Reader::number(const YAML::Node& node, const std::string& key) const {
  double v = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, v)) {
    return error(node, key,
                 fmt::format("expected a number, got '{}'", node.IsScalar() ? node.Scalar() : "(not a scalar)"));
  }
  if (v < 0) return error(node, key, "must not be negative");
  return v;
}

Result<bool> Reader::boolean(const YAML::Node& node, const std::string& key) const {
  bool v = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, v)) return error(node, key, "expected true or false");
  return v;
}

Result<std::vector<std::string>> Reader::strings(const YAML::Node& node, const std::string& key) const {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return error(node, key, "expected a list of strings");
  for (size_t i = 0; i < node.size(); ++i) {
    AG_ASSIGN_OR_RETURN(std::string s, str(node[i], fmt::format("{}[{}]", key, i)));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<double>> Reader::numbers(const YAML::Node& node, const std::string& key) const {
  std::vector<double> out;
  if (node.IsScalar()) {
    AG_ASSIGN_OR_RETURN(double v, number(node, key));
    out.push_back(v);
    return out;
  }
  if (!node.IsSequence()) return error(node, key, "expected a list of numbers");
  for (size_t i = 0; i < node.size(); ++i) {
    AG_ASSIGN_OR_RETURN(double v, number(node[i], fmt::format("{}[{}]", key, i)));
    out.push_back(v);
  }
  return out;
}

Status Reader::known_keys(const YAML::Node& map, const std::string& key, const std::set<std::string>& known) const {
  for (const auto& kv : map) {
    const std::string k = kv.first.Scalar();
    if (!known.count(k)) {
      return error(kv.first, key.empty() ? k : key + "." + k,
                   fmt::format("unknown key (known: {})",
                               text::join(std::vector<std::string>(known.begin(), known.end()), ", ")));
    }
  }
  return Status::ok_status();
}

}  // namespace askguru::yaml
