// Test support for the SQL analyses: catalogs from real SQLite files (DDL run with the
// sqlite3 API, introspected through askguru::db), a dump of an Analysis as text, and a
// reader for the data-driven files under test/data/sql/.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/db/sqlite_connection.h"
#include "askguru/sql/analysis.h"
#include "unit/db/sqlite_fixture.h"

namespace askguru::sql::testing {

// Catalogs built from DDL scripts, each written once to an SQLite file and introspected.
class CatalogCache {
 public:
  const catalog::Catalog& get(const std::string& ddl) {
    auto it = catalogs_.find(ddl);
    if (it != catalogs_.end()) return it->second;
    std::string path = dir_.file("db" + std::to_string(catalogs_.size()) + ".sqlite");
    askguru::testing::write_database(path, ddl);
    catalog::Catalog cat;
    auto conn = db::SqliteConnection::open(path);
    if (!conn.ok()) {
      ADD_FAILURE() << conn.error();
    } else {
      auto c = (*conn)->introspect(db::IntrospectOptions{0, false, "", ""});
      if (!c.ok())
        ADD_FAILURE() << c.error();
      else
        cat = std::move(*c);
    }
    paths_[ddl] = path;
    return catalogs_.emplace(ddl, std::move(cat)).first->second;
  }

  // The SQLite file of a DDL script (after get()).
  std::string path(const std::string& ddl) const {
    auto it = paths_.find(ddl);
    return it == paths_.end() ? "" : it->second;
  }

  // Whether SQLite itself compiles `sql` against the database of `ddl` (and its message).
  bool sqlite_accepts(const std::string& ddl, const std::string& sql, std::string* message = nullptr) {
    get(ddl);
    sqlite3* db = nullptr;
    bool ok = false;
    if (sqlite3_open_v2(path(ddl).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      ok = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK;
      if (!ok && message != nullptr) *message = sqlite3_errmsg(db);
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return ok;
  }

 private:
  askguru::testing::TempDir dir_;
  std::map<std::string, catalog::Catalog> catalogs_;
  std::map<std::string, std::string> paths_;
};

inline std::string join_sorted(std::vector<std::string> items, const char* sep = " ") {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

inline std::string column_text(const ColumnUse& c) {
  if (c.alias_reference) return "alias:" + c.column;
  return (c.table.empty() ? std::string("?") : c.table) + "." + c.column;
}

inline const char* join_type_text(JoinType t) {
  switch (t) {
    case JoinType::kComma: return "comma";
    case JoinType::kInner: return "inner";
    case JoinType::kLeft: return "left";
    case JoinType::kRight: return "right";
    case JoinType::kFull: return "full";
    case JoinType::kCross: return "cross";
  }
  return "?";
}

inline const char* literal_kind_text(LiteralKind k) {
  switch (k) {
    case LiteralKind::kInteger: return "integer";
    case LiteralKind::kFloat: return "float";
    case LiteralKind::kString: return "string";
    case LiteralKind::kBlob: return "blob";
    case LiteralKind::kNull: return "null";
    case LiteralKind::kTrue: return "true";
    case LiteralKind::kFalse: return "false";
    default: return "other";
  }
}

// The sections of an analysis dump, by name:
//   diagnostics  "error: <message>" / "warning: <message>", one a line, in order
//   tables       referenced catalog tables, sorted, space-separated
//   columns      referenced "table.column", sorted, space-separated
//   uses         every column use "clause:table.column[*][^]" in order (* star, ^ outer)
//   equalities   "<where> <join>: a.x = b.y" one a line ("on inner:", "where comma:"), "(or)"
//                suffix when not a top-level conjunct
//   literals     "table.column OP value (kind)" one a line, in order
//   facts        "aggregates=COUNT,SUM depth=1 joins=2 group_by=1 order_by=0 scopes=2"
inline std::map<std::string, std::string> dump(const Analysis& a) {
  std::map<std::string, std::string> out;
  std::string d;
  for (const Diagnostic& x : a.diagnostics) {
    if (!d.empty()) d += '\n';
    d += (x.severity == Diagnostic::Severity::kError ? "error: " : "warning: ") + x.message;
  }
  out["diagnostics"] = d;
  std::set<std::string> tables = a.referenced_tables();
  out["tables"] = join_sorted({tables.begin(), tables.end()});
  std::set<std::string> cols = a.referenced_columns();
  out["columns"] = join_sorted({cols.begin(), cols.end()});
  std::string uses;
  for (const ColumnUse& c : a.columns) {
    if (!uses.empty()) uses += ' ';
    uses += std::string(clause_name(c.clause)) + ":" + column_text(c) + (c.star ? "*" : "") +
            (c.outer_reference ? "^" : "");
  }
  out["uses"] = uses;
  std::string eq;
  for (const Equality& e : a.equalities) {
    if (!eq.empty()) eq += '\n';
    eq += std::string(e.in_join_condition ? "on " : "where ") + join_type_text(e.join_type) + ": " +
          column_text(e.left) + " = " + column_text(e.right) + (e.conjunct ? "" : " (or)");
  }
  out["equalities"] = eq;
  std::string lit;
  for (const LiteralUse& l : a.literals) {
    if (!lit.empty()) lit += '\n';
    std::string target = l.column.empty() ? "-" : (l.table.empty() ? "?" : l.table) + "." + l.column;
    lit += target + " " + (l.op.empty() ? "-" : l.op) + " " + l.value + " (" + literal_kind_text(l.kind) + ")";
  }
  out["literals"] = lit;
  std::string aggs;
  for (const std::string& g : a.aggregates) aggs += (aggs.empty() ? "" : ",") + g;
  out["facts"] = "aggregates=" + (aggs.empty() ? std::string("-") : aggs) + " depth=" + std::to_string(a.max_depth) +
                 " joins=" + std::to_string(a.join_count) + " group_by=" + std::to_string(a.group_by_count) +
                 " order_by=" + std::to_string(a.order_by_count) + " scopes=" + std::to_string(a.scopes.size());
  return out;
}

// A data-driven file: cases separated by "-- input"; each section a "-- name" or
// "-- name (arg)" line followed by its text. A "-- schema" section (before or inside a
// case) sets the DDL for the cases that follow. Lines starting with '#' are comments.
struct Section {
  std::string name;
  std::string arg;
  std::string text;
  int line = 0;
};

struct Case {
  std::string schema;
  std::vector<Section> sections;  // sections[0] is the input
  int line = 0;
  const Section* find(const std::string& name, const std::string& arg = "") const {
    for (const Section& s : sections) {
      if (s.name == name && s.arg == arg) return &s;
    }
    return nullptr;
  }
};

inline std::vector<Case> read_cases(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<Case> cases;
  std::string line, schema;
  int line_no = 0;
  Section* current = nullptr;
  bool in_schema = false;
  auto finish = [](std::string& s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line[0] == '#') continue;
    if (line.rfind("-- ", 0) == 0 && line.size() > 3 && std::isalpha(static_cast<unsigned char>(line[3]))) {
      Section s;
      std::string rest = line.substr(3);
      size_t paren = rest.find(" (");
      if (paren != std::string::npos && rest.back() == ')') {
        s.name = rest.substr(0, paren);
        s.arg = rest.substr(paren + 2, rest.size() - paren - 3);
      } else {
        s.name = rest;
      }
      s.line = line_no;
      if (s.name == "schema") {
        in_schema = true;
        schema.clear();
        current = nullptr;
        continue;
      }
      in_schema = false;
      if (s.name == "input") {
        cases.emplace_back();
        cases.back().line = line_no;
        cases.back().schema = schema;
      }
      if (cases.empty()) {
        ADD_FAILURE() << file << ":" << line_no << ": a section before the first -- input";
        return cases;
      }
      cases.back().sections.push_back(s);
      current = &cases.back().sections.back();
      continue;
    }
    if (in_schema) {
      schema += line + "\n";
    } else if (current != nullptr) {
      current->text += line + "\n";
    }
  }
  for (Case& c : cases) {
    for (Section& s : c.sections) finish(s.text);
  }
  return cases;
}

inline std::vector<std::filesystem::path> test_files(const std::string& prefix) {
  std::vector<std::filesystem::path> out;
  std::filesystem::path dir = std::filesystem::path(ASKGURU_TEST_DATA_DIR) / "data" / "sql";
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".test" && e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace askguru::sql::testing
