// Guardrail policy: what one connection or caller role may run.
//
// A policy is read from YAML (policies/default.yaml documents every key):
//
//   statements: [select]           # allowed statement kinds (sql::statement_kind_name)
//   multiple_statements: false     # more than one statement in one request
//   locking_reads: false           # SELECT ... FOR UPDATE
//   tables:  {allow: [...], deny: [...]}     # globs on "table" or "schema.table"
//   columns: {allow: [...], deny: [...]}     # globs on "table.column" (or "column" alone)
//   functions: {deny: [...]}                 # globs on "func", "package.func" or "package"
//   max_nesting: 4                 # subquery depth, as sql::analyze counts it (0 = no limit)
//   max_joins: 10                  # joins in the whole statement (0 = no limit)
//   row_limit: 1000                # injected when the top query has none (0 = none)
//   select_star: expand            # expand | refuse: `*` over a table with denied columns
//   roles:                         # optional: one policy per caller role, each
//     analyst: {...}               #   inheriting every key it does not set from the
//     auditor: {...}               #   file's top level
//
// Keys absent from a file keep the built-in safe default (default_policy()). Globs use
// `*` and `?` and match case-insensitively. An allow list that is empty allows all.
//
// A Policy is a plain value; a PolicySet is immutable after loading. Both are safe to
// share read-only between threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/status.h"
#include "askguru/sql/ast.h"

namespace askguru::guard {

enum class StarMode : uint8_t {
  kExpand,  // rewrite `*` / `t.*` into the table's permitted columns
  kRefuse,  // refuse a `*` that would reach a denied column
};

struct Policy {
  std::string name = "default";
  std::vector<sql::StatementKind> statements = {sql::StatementKind::kSelect};
  bool multiple_statements = false;
  bool locking_reads = false;
  std::vector<std::string> allowed_tables;  // empty: every table
  std::vector<std::string> denied_tables;
  std::vector<std::string> allowed_columns;  // empty: every column
  std::vector<std::string> denied_columns;
  std::vector<std::string> denied_functions;
  uint32_t max_nesting = 0;  // 0: no limit
  uint32_t max_joins = 0;    // 0: no limit
  uint64_t row_limit = 0;    // 0: none injected
  StarMode select_star = StarMode::kExpand;

  bool allows_kind(sql::StatementKind kind) const;
  // Whether the table `schema.name` may be read (schema may be empty).
  bool table_allowed(std::string_view schema, std::string_view name) const;
  // Whether column `column` of table `table` may be read.
  bool column_allowed(std::string_view table, std::string_view column) const;
  // Whether calling `package.name(...)` is allowed (package may be empty).
  bool function_allowed(std::string_view package, std::string_view name) const;
};

// The built-in policy used when no --policy is given: a single read-only query, no
// system tables with secrets, the dangerous functions of the three dialects denied,
// nesting 8, joins 16, row limit 1000. policies/default.yaml spells out the same.
Policy default_policy();

// A policy file: its top-level policy and any per-role ones.
struct PolicySet {
  std::string origin;  // the file name, or "built-in default"
  Policy base;
  std::map<std::string, Policy> roles;

  // The policy for `role` ("" = the top-level one); kNotFound names the roles there are.
  Result<Policy> select(std::string_view role) const;
};

// Parses a policy document; `origin` names it in messages ("policies/x.yaml:12: max_joins: ...").
Result<PolicySet> parse_policy(std::string_view yaml, std::string_view origin);
// Reads and parses a file.
Result<PolicySet> load_policy_file(const std::string& path);
// load_policy_file(path), or the built-in default when `path` is empty; then select(role).
Result<Policy> resolve_policy(const std::string& path, std::string_view role);

// What a policy lets an LLM see of a database: `catalog` without the tables and columns
// the policy denies, and without the keys, foreign keys and join candidates that name
// them. Prompts are rendered from this, never from the full catalog.
catalog::Catalog visible_catalog(const catalog::Catalog& catalog, const Policy& policy);

// Case-insensitive glob match with `*` (any run) and `?` (one character).
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace askguru::guard
