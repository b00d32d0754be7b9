// yaml::Reader: reads typed values out of yaml-cpp nodes for configuration files,
// with errors that name the file, the line and the key ("llm.yaml:7:
// endpoints[0].timeout_ms: expected an integer, got 'soon'").
//
// A Reader is a plain value (the origin's name); its methods are const and
// thread-safe. Callers keep catching YAML::Exception around their parse.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "askguru/common/status.h"

namespace askguru::yaml {

class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  Status error(const YAML::Node& node, const std::string& key, const std::string& what) const;
  // "file:line" of a node (the origin alone when the node has no mark).
  std::string where(const YAML::Node& node) const;

  Result<std::string> str(const YAML::Node& node, const std::string& key) const;
  Result<int> integer(const YAML::Node& node, const std::string& key, int min_value) const;
  // Non-negative numbers.
  Result<double> number(const YAML::Node& node, const std::string& key) const;
  Result<bool> boolean(const YAML::Node& node, const std::string& key) const;
  // A list of strings; a single string counts as a list of one.
  Result<std::vector<std::string>> strings(const YAML::Node& node, const std::string& key) const;
  // A list of non-negative numbers; a single number counts as a list of one.
  Result<std::vector<double>> numbers(const YAML::Node& node, const std::string& key) const;
  // An error for the first key of `map` not in `known`, listing the known ones.
  Status known_keys(const YAML::Node& map, const std::string& key, const std::set<std::string>& known) const;

 private:
  std::string origin_;
};

}  // namespace askguru::yaml
