// Prompt templates: text files under prompts/ with named placeholders, embedded
// into the binary at build time (common/embedded.h) and optionally overridden
// from a directory.
//
// Syntax (a small, strict subset of Mustache):
//   {{name}}                 the value of `name`, verbatim
//   {{#name}} ... {{/name}}  the block, shown only when `name` is non-empty
//   {{^name}} ... {{/name}}  the block, shown only when `name` is empty
//   {{! a comment }}         nothing
// A name is [A-Za-z_][A-Za-z0-9_]*; spaces inside the braces are allowed. A
// section or comment tag alone on its line takes the whole line with it, so
// hidden sections leave no blank lines. A `{{` that does not start a valid tag
// is an error with line:col; a lone `}}` is text (JSON examples end with it).
//
// Rendering is strict: every placeholder and section name needs a value (pass ""
// to hide a section), and a value for a name the template does not use is an
// error too; nothing silently becomes an empty string.
//
// Thread-safety: PromptTemplate and PromptLibrary are immutable after loading;
// render() is const and safe to call from many threads at once.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/common/status.h"

namespace askguru::llm {

using PromptValues = std::map<std::string, std::string>;

class PromptTemplate {
 public:
  // `name` is used in errors ("prompts/fix.txt:3:7: ..."): pass the file name or path.
  static Result<PromptTemplate> parse(std::string name, std::string_view text);

  const std::string& name() const { return name_; }
  // Every name the template uses, as a placeholder or a section.
  const std::set<std::string>& placeholders() const { return names_; }
  // "line:col" of the first use of `placeholder`, or "" when unused.
  std::string location(const std::string& placeholder) const;

  Result<std::string> render(const PromptValues& values) const;
  // Like render(), but values for names the template does not use are ignored
  // when they are in `may_ignore` (a caller's declared set; see PromptLibrary).
  Result<std::string> render(const PromptValues& values, const std::set<std::string>& may_ignore) const;

  struct Node;

 private:
  std::string name_;
  std::shared_ptr<const std::vector<Node>> nodes_;
  std::set<std::string> names_;
  std::map<std::string, std::pair<int, int>> first_use_;
};

// The prompt templates of the program: the embedded prompts/*.txt, optionally
// overridden by the *.txt files of a directory. Templates are named by their
// file name without ".txt" ("generate_standard").
class PromptLibrary {
 public:
  // Parses every embedded prompts/*.txt; a malformed one is an error naming it.
  static Result<PromptLibrary> load_embedded();
  // Replaces or adds templates from `dir`/*.txt (a user's edited prompts).
  Status load_directory(const std::string& dir);
  // Adds or replaces one template from text (tests, generated prompts).
  Status add(const std::string& name, std::string_view text);

  bool contains(const std::string& name) const { return templates_.count(name) > 0; }
  std::vector<std::string> names() const;
  // nullptr when there is no such template.
  const PromptTemplate* find(const std::string& name) const;

  // A caller declares the values it will provide for template `name`. The
  // template must exist, may use only names from `provided`, and must use every
  // name in `required`. Errors name the file and the line:col of the offending
  // placeholder. Call at load time, so a bad override fails before any question.
  Status require(const std::string& name, const std::set<std::string>& provided,
                 const std::set<std::string>& required = {});

  // Renders `name`. Values for names the template does not use are an error,
  // except names the caller declared with require() (an edited template may
  // drop an optional part such as {{evidence}}).
  Result<std::string> render(const std::string& name, const PromptValues& values) const;

 private:
  std::map<std::string, PromptTemplate> templates_;
  std::map<std::string, std::set<std::string>> declared_;
};

}  // namespace askguru::llm
