#include "askguru/guard/policy.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "askguru/common/files.h"
#include "askguru/common/text.h"

namespace askguru::guard {

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point per '*' (linear for practical patterns).
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

// A table pattern with a '.' names "schema.table"; without, the table alone.
bool table_match(const std::vector<std::string>& patterns, std::string_view schema, std::string_view name) {
  std::string qualified = schema.empty() ? std::string(name) : fmt::format("{}.{}", schema, name);
  for (const std::string& p : patterns) {
    if (p.find('.') != std::string::npos) {
      if (!schema.empty() && glob_match(p, qualified)) return true;
    } else if (glob_match(p, name)) {
      return true;
    }
  }
  return false;
}

// A column pattern with a '.' names "table.column"; without, the column of any table.
bool column_match(const std::vector<std::string>& patterns, std::string_view table, std::string_view column) {
  std::string qualified = fmt::format("{}.{}", table, column);
  for (const std::string& p : patterns) {
    if (p.find('.') != std::string::npos ? glob_match(p, qualified) : glob_match(p, column)) return true;
  }
  return false;
}

constexpr sql::StatementKind kLastKind = sql::StatementKind::kOther;

std::optional<sql::StatementKind> kind_from_name(std::string_view name) {
  for (int k = 0; k <= static_cast<int>(kLastKind); ++k) {
    auto kind = static_cast<sql::StatementKind>(k);
    if (text::iequals(sql::statement_kind_name(kind), name)) return kind;
  }
  return std::nullopt;
}

}  // namespace

bool Policy::allows_kind(sql::StatementKind kind) const {
  for (sql::StatementKind k : statements) {
    if (k == kind) return true;
  }
  return false;
}

bool Policy::table_allowed(std::string_view schema, std::string_view name) const {
  if (table_match(denied_tables, schema, name)) return false;
  return allowed_tables.empty() || table_match(allowed_tables, schema, name);
}

bool Policy::column_allowed(std::string_view table, std::string_view column) const {
  if (column_match(denied_columns, table, column)) return false;
  return allowed_columns.empty() || column_match(allowed_columns, table, column);
}

bool Policy::function_allowed(std::string_view package, std::string_view name) const {
  std::string qualified = package.empty() ? std::string(name) : fmt::format("{}.{}", package, name);
  for (const std::string& p : denied_functions) {
    if (p.find('.') != std::string::npos) {
      if (!package.empty() && glob_match(p, qualified)) return false;
    } else if (glob_match(p, name) || (!package.empty() && glob_match(p, package))) {
      return false;
    }
  }
  return true;
}

Policy default_policy() {
  Policy p;
  p.name = "default";
  p.statements = {sql::StatementKind::kSelect};
  p.multiple_statements = false;
  p.locking_reads = false;
  // Catalogs that hold password hashes, credentials or links to other databases.
  p.denied_tables = {"pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings", "pg_largeobject",
                     "user$",     "link$",     "dba_users",       "dba_db_links",     "sys.*$"};
  // Functions that load code, sleep, read or write files, reach the network, run SQL
  // text, change state or signal other sessions (SQLite, PostgreSQL, Oracle).
  p.denied_functions = {"load_extension",
                        "readfile",
                        "writefile",
                        "edit",
                        "fts3_tokenizer",
                        "sleep",
                        "pg_sleep*",
                        "pg_read_file",
                        "pg_read_binary_file",
                        "pg_ls_*",
                        "pg_stat_file",
                        "lo_*",
                        "dblink*",
                        "pg_terminate_backend",
                        "pg_cancel_backend",
                        "pg_reload_conf",
                        "pg_rotate_logfile",
                        "pg_promote",
                        "set_config",
                        "pg_advisory*",
                        "pg_try_advisory*",
                        "nextval",
                        "setval",
                        "query_to_xml*",
                        "table_to_xml*",
                        "cursor_to_xml*",
                        "database_to_xml*",
                        "schema_to_xml*",
                        "pg_file_*",
                        "pg_notify",
                        "pg_create_*",
                        "pg_drop_*",
                        "pg_switch_*",
                        "pg_*backup*",
                        "pg_replication_*",
                        "pg_logical_*",
                        "pg_log_*",
                        "copy_*",
                        "dbms_*",
                        "utl_*",
                        "owa_*",
                        "htp",
                        "htf",
                        "ctx_*",
                        "ctxsys.*",
                        "sys.*",
                        "*uritype",
                        "xp_*",
                        "sp_*"};
  p.max_nesting = 8;
  p.max_joins = 16;
  p.row_limit = 1000;
  p.select_star = StarMode::kExpand;
  return p;
}

Result<Policy> PolicySet::select(std::string_view role) const {
  if (role.empty()) return base;
  for (const auto& [name, policy] : roles) {
    if (text::iequals(name, role)) return policy;
  }
  std::vector<std::string> names;
  for (const auto& kv : roles) names.push_back(kv.first);
  return make_error(ErrorCode::kNotFound, fmt::format("{}: no role '{}' ({})", origin, role,
                                                      names.empty() ? std::string("the file defines no roles:")
                                                                    : "roles: " + text::join(names, ", ")));
}

namespace {

// Reads typed values out of YAML nodes, naming the origin, line and key on error.
class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  Status error(const YAML::Node& node, const std::string& key, const std::string& what) const {
    return make_error(ErrorCode::kInvalidArgument, fmt::format("{}: {}: {}", where(node), key, what));
  }
  std::string where(const YAML::Node& node) const {
    const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
    return line > 0 ? fmt::format("{}:{}", origin_, line) : origin_;
  }
  static std::string shown(const YAML::Node& node) {
    if (node.IsScalar()) return "'" + node.Scalar() + "'";
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a mapping";
    return "nothing";
  }

  Result<uint64_t> count(const YAML::Node& node, const std::string& key) const {
    uint64_t v = 0;
    if (!node.IsScalar() || node.Scalar().empty() || node.Scalar()[0] == '-' ||
        !YAML::convert<uint64_t>::decode(node, v)) {
      return error(node, key, fmt::format("expected a non-negative integer, got {}", shown(node)));
    }
    return v;
  }
  Result<bool> boolean(const YAML::Node& node, const std::string& key) const {
    bool v = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, v)) {
      return error(node, key, fmt::format("expected true or false, got {}", shown(node)));
    }
    return v;
  }
  Result<std::vector<std::string>> strings(const YAML::Node& node, const std::string& key) const {
    std::vector<std::string> out;
    if (node.IsNull()) return out;
    if (node.IsScalar()) {  // a single name is a list of one
      out.push_back(node.Scalar());
      return out;
    }
    if (!node.IsSequence()) return error(node, key, fmt::format("expected a list of names, got {}", shown(node)));
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      if (!item.IsScalar() || item.Scalar().empty()) {
        return error(item, fmt::format("{}[{}]", key, i), fmt::format("expected a name, got {}", shown(item)));
      }
      out.push_back(item.Scalar());
    }
    return out;
  }
  Status known_keys(const YAML::Node& map, const std::string& key, const std::set<std::string>& known) const {
    for (const auto& kv : map) {
      const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      if (!known.count(k)) {
        return error(kv.first, key.empty() ? k : key + "." + k,
                     fmt::format("unknown key (known: {})",
                                 text::join(std::vector<std::string>(known.begin(), known.end()), ", ")));
      }
    }
    return Status::ok_status();
  }

 private:
  std::string origin_;
};

// {allow: [...], deny: [...]} (or only one of them).
Status read_allow_deny(const Reader& r, const YAML::Node& node, const std::string& key, bool allow_ok,
                       std::vector<std::string>* allow, std::vector<std::string>* deny) {
  if (!node.IsMap()) {
    return r.error(node, key,
                   fmt::format("expected a mapping with {}, got {}", allow_ok ? "'allow' and/or 'deny'" : "'deny'",
                               Reader::shown(node)));
  }
  AG_RETURN_IF_ERROR(
      r.known_keys(node, key, allow_ok ? std::set<std::string>{"allow", "deny"} : std::set<std::string>{"deny"}));
  if (allow_ok && node["allow"]) {
    AG_ASSIGN_OR_RETURN(*allow, r.strings(node["allow"], key + ".allow"));
  }
  if (node["deny"]) {
    AG_ASSIGN_OR_RETURN(*deny, r.strings(node["deny"], key + ".deny"));
  }
  return Status::ok_status();
}

// Applies the keys present in `node` over `p`. `prefix` is "" or "roles.<name>.".
Status apply(const Reader& r, const YAML::Node& node, const std::string& prefix, bool top_level, Policy* p) {
  if (!node.IsMap()) {
    return r.error(node, prefix.empty() ? "policy" : prefix.substr(0, prefix.size() - 1),
                   fmt::format("expected a mapping of policy keys, got {}", Reader::shown(node)));
  }
  std::set<std::string> known = {"name",      "statements", "multiple_statements", "locking_reads",
                                 "tables",    "columns",    "functions",           "max_nesting",
                                 "max_joins", "row_limit",  "select_star"};
  if (top_level) known.insert("roles");
  AG_RETURN_IF_ERROR(r.known_keys(node, prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1), known));

  if (const YAML::Node n = node["name"]) {
    if (!n.IsScalar()) return r.error(n, prefix + "name", "expected a string");
    p->name = n.Scalar();
  }
  if (const YAML::Node n = node["statements"]) {
    AG_ASSIGN_OR_RETURN(std::vector<std::string> names, r.strings(n, prefix + "statements"));
    p->statements.clear();
    for (size_t i = 0; i < names.size(); ++i) {
      auto kind = kind_from_name(names[i]);
      if (!kind) {
        std::vector<std::string> all;
        for (int k = 0; k <= static_cast<int>(kLastKind); ++k) {
          all.emplace_back(sql::statement_kind_name(static_cast<sql::StatementKind>(k)));
        }
        return r.error(n.IsSequence() ? n[i] : n, fmt::format("{}statements[{}]", prefix, i),
                       fmt::format("unknown statement kind '{}' (known: {})", names[i], text::join(all, ", ")));
      }
      p->statements.push_back(*kind);
    }
  }
  if (const YAML::Node n = node["multiple_statements"]) {
    AG_ASSIGN_OR_RETURN(p->multiple_statements, r.boolean(n, prefix + "multiple_statements"));
  }
  if (const YAML::Node n = node["locking_reads"]) {
    AG_ASSIGN_OR_RETURN(p->locking_reads, r.boolean(n, prefix + "locking_reads"));
  }
  if (const YAML::Node n = node["tables"]) {
    AG_RETURN_IF_ERROR(read_allow_deny(r, n, prefix + "tables", true, &p->allowed_tables, &p->denied_tables));
  }
  if (const YAML::Node n = node["columns"]) {
    AG_RETURN_IF_ERROR(read_allow_deny(r, n, prefix + "columns", true, &p->allowed_columns, &p->denied_columns));
  }
  if (const YAML::Node n = node["functions"]) {
    std::vector<std::string> unused;
    AG_RETURN_IF_ERROR(read_allow_deny(r, n, prefix + "functions", false, &unused, &p->denied_functions));
  }
  auto read_u32 = [&](const char* key, uint32_t* out) -> Status {
    if (const YAML::Node n = node[key]) {
      AG_ASSIGN_OR_RETURN(uint64_t v, r.count(n, prefix + key));
      if (v > 1000000) return r.error(n, prefix + key, fmt::format("{} is too large", v));
      *out = static_cast<uint32_t>(v);
    }
    return Status::ok_status();
  };
  AG_RETURN_IF_ERROR(read_u32("max_nesting", &p->max_nesting));
  AG_RETURN_IF_ERROR(read_u32("max_joins", &p->max_joins));
  if (const YAML::Node n = node["row_limit"]) {
    AG_ASSIGN_OR_RETURN(p->row_limit, r.count(n, prefix + "row_limit"));
  }
  if (const YAML::Node n = node["select_star"]) {
    if (!n.IsScalar()) return r.error(n, prefix + "select_star", "expected expand or refuse");
    if (text::iequals(n.Scalar(), "expand")) {
      p->select_star = StarMode::kExpand;
    } else if (text::iequals(n.Scalar(), "refuse")) {
      p->select_star = StarMode::kRefuse;
    } else {
      return r.error(n, prefix + "select_star", fmt::format("expected expand or refuse, got '{}'", n.Scalar()));
    }
  }
  return Status::ok_status();
}

}  // namespace

Result<PolicySet> parse_policy(std::string_view yaml, std::string_view origin) {
  Reader r{std::string(origin)};
  PolicySet set;
  set.origin = std::string(origin);
  set.base = default_policy();
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root || root.IsNull()) return set;  // an empty file: the default policy
    AG_RETURN_IF_ERROR(apply(r, root, "", true, &set.base));
    if (const YAML::Node roles = root["roles"]) {
      if (!roles.IsMap()) {
        return r.error(roles, "roles",
                       fmt::format("expected a mapping of role names to policies, got {}", Reader::shown(roles)));
      }
      for (const auto& kv : roles) {
        const std::string role = kv.first.Scalar();
        Policy p = set.base;
        p.name = role;
        AG_RETURN_IF_ERROR(apply(r, kv.second, "roles." + role + ".", false, &p));
        set.roles[role] = std::move(p);
      }
    }
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kParseError,
                      fmt::format("{}:{}: invalid YAML: {}", origin, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.msg));
  }
  return set;
}

Result<PolicySet> load_policy_file(const std::string& path) {
  auto content = files::read_file(path);
  if (!content.ok()) return content.status().with_context("policy");
  return parse_policy(*content, path);
}

Result<Policy> resolve_policy(const std::string& path, std::string_view role) {
  PolicySet set;
  if (path.empty()) {
    set.origin = "built-in default policy";
    set.base = default_policy();
  } else {
    AG_ASSIGN_OR_RETURN(set, load_policy_file(path));
  }
  return set.select(role);
}

catalog::Catalog visible_catalog(const catalog::Catalog& catalog, const Policy& policy) {
  catalog::Catalog out = catalog;
  std::set<std::pair<std::string, std::string>> hidden;  // lower-case (table, column)
  auto is_hidden = [&](std::string_view table, std::string_view column) {
    return hidden.count({text::to_lower(table), text::to_lower(column)}) > 0;
  };
  std::erase_if(out.tables, [&](catalog::Table& table) {
    const bool table_visible = policy.table_allowed(table.schema, table.name);
    std::erase_if(table.columns, [&](const catalog::Column& column) {
      if (table_visible && policy.column_allowed(table.name, column.name)) return false;
      hidden.insert({text::to_lower(table.name), text::to_lower(column.name)});
      return true;
    });
    std::erase_if(table.primary_key, [&](const std::string& column) { return is_hidden(table.name, column); });
    return !table_visible || table.columns.empty();
  });
  auto names_hidden = [&](const std::string& table, const std::vector<std::string>& columns) {
    for (const std::string& column : columns) {
      if (is_hidden(table, column)) return true;
    }
    return false;
  };
  std::erase_if(out.foreign_keys, [&](const catalog::ForeignKey& fk) {
    return names_hidden(fk.from_table, fk.from_columns) || names_hidden(fk.to_table, fk.to_columns);
  });
  std::erase_if(out.join_candidates, [&](const catalog::JoinCandidate& j) {
    return is_hidden(j.from_table, j.from_column) || is_hidden(j.to_table, j.to_column);
  });
  return out;
}

}  // namespace askguru::guard
