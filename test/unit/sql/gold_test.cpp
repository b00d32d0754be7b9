// Every gold query of Spider train and BIRD student_club that SQLite itself accepts must
// parse, print back (SQLite, and canonical) to an equal AST, and the printed query must
// return exactly the rows of the original. Skips when ../shared/data is absent.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "askguru/db/sqlite_connection.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/ast_edit.h"
#include "askguru/sql/mutate.h"
#include "askguru/sql/normalize.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace askguru::sql {
namespace {

namespace fs = std::filesystem;

struct GoldQuery {
  std::string db_id;
  std::string sql;
};

std::vector<GoldQuery> load(const fs::path& file, const char* sql_key) {
  std::vector<GoldQuery> out;
  std::ifstream in(file);
  nlohmann::json j = nlohmann::json::parse(in);
  for (const auto& item : j) out.push_back({item.at("db_id").get<std::string>(), item.at(sql_key).get<std::string>()});
  return out;
}

// A read-only SQLite database, opened once per db_id.
class Databases {
 public:
  explicit Databases(fs::path root) : root_(std::move(root)) {}
  ~Databases() {
    for (auto& [name, db] : dbs_) {
      if (db != nullptr) sqlite3_close(db);
    }
  }
  sqlite3* get(const std::string& db_id) {
    auto it = dbs_.find(db_id);
    if (it != dbs_.end()) return it->second;
    sqlite3* db = nullptr;
    fs::path file = root_ / db_id / (db_id + ".sqlite");
    if (fs::exists(file)) {
      std::string uri = "file:" + file.string() + "?mode=ro&immutable=1";
      if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        db = nullptr;
      }
    }
    dbs_[db_id] = db;
    return db;
  }

 private:
  fs::path root_;
  std::map<std::string, sqlite3*> dbs_;
};

int stop_long_queries(void* counter) {
  return ++*static_cast<int*>(counter) > 20000;
}

// Catalogs introspected through askguru::db, one per db_id (nullptr when it fails).
class Catalogs {
 public:
  explicit Catalogs(fs::path root) : root_(std::move(root)) {}
  const catalog::Catalog* get(const std::string& db_id) {
    auto it = catalogs_.find(db_id);
    if (it != catalogs_.end()) return it->second ? &*it->second : nullptr;
    std::optional<catalog::Catalog> cat;
    auto conn = db::SqliteConnection::open((root_ / db_id / (db_id + ".sqlite")).string());
    if (conn.ok()) {
      auto c = (*conn)->introspect(db::IntrospectOptions{0, false, "", ""});
      if (c.ok())
        cat = std::move(*c);
      else
        ADD_FAILURE() << db_id << ": " << c.error();
    }
    return catalogs_.emplace(db_id, std::move(cat)).first->second ? &*catalogs_[db_id] : nullptr;
  }

 private:
  fs::path root_;
  std::map<std::string, std::optional<catalog::Catalog>> catalogs_;
};

// Runs `sql`; rows as text (NULL distinct from ''), or nullopt with `error` on failure.
bool run_query(sqlite3* db, const std::string& sql, std::vector<std::string>& rows, std::string& error) {
  sqlite3_stmt* stmt = nullptr;
  int ticks = 0;
  sqlite3_progress_handler(db, 1000, stop_long_queries, &ticks);
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    return false;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
        row += "\x01NULL";
      } else {
        const unsigned char* t = sqlite3_column_text(stmt, c);
        row += t ? reinterpret_cast<const char*>(t) : "";
      }
      row += '\x1f';
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) error = sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_progress_handler(db, 0, nullptr, nullptr);
  return rc == SQLITE_DONE;
}

bool sqlite_accepts(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  bool ok = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, &tail) == SQLITE_OK && stmt != nullptr;
  sqlite3_finalize(stmt);
  return ok;
}

// Corruptions of a query for checking the analysis against SQLite's own verdict: the k-th
// column reference misspelt, the k-th table name misspelt, or the k-th qualified column
// reference unqualified. Returns "" when there is no k-th site.
void collect_refs(Node* n, std::vector<ColumnRef*>& columns, std::vector<TableName*>& tables) {
  if (auto* c = n->kind == NodeKind::kColumnRef ? static_cast<ColumnRef*>(n) : nullptr) columns.push_back(c);
  if (auto* t = n->kind == NodeKind::kTableName ? static_cast<TableName*>(n) : nullptr) tables.push_back(t);
  for_each_slot(n, [&](auto*& slot) { collect_refs(slot, columns, tables); });
}

std::string corrupt(const std::string& sql, int how, size_t k) {
  auto ast = parse(sql, Dialect::kSqlite);
  if (!ast.ok() || ast->query() == nullptr) return "";
  std::vector<ColumnRef*> columns;
  std::vector<TableName*> tables;
  collect_refs(ast->query(), columns, tables);
  if (how == 0) {
    if (k >= columns.size()) return "";
    std::string name = std::string(columns[k]->column.name) + "_x";
    columns[k]->column.name = ast->arena().copy(name);
  } else if (how == 1) {
    if (k >= tables.size()) return "";
    std::string name = std::string(tables[k]->name.name) + "_x";
    tables[k]->name.name = ast->arena().copy(name);
  } else {
    std::vector<ColumnRef*> qualified;
    for (ColumnRef* c : columns) {
      if (!c->table.empty()) qualified.push_back(c);
    }
    if (k >= qualified.size()) return "";
    qualified[k]->table = {};
  }
  return print(*ast, PrintOptions{Dialect::kSqlite, false});
}

void check_gold_set(const fs::path& json, const char* sql_key, const fs::path& db_root, size_t expected_min) {
  if (!fs::exists(json)) GTEST_SKIP() << json << " is absent";
  std::vector<GoldQuery> queries = load(json, sql_key);
  ASSERT_GE(queries.size(), expected_min);
  Databases dbs(db_root);
  Catalogs catalogs(db_root);
  std::map<std::string, size_t> warnings_by_kind;
  size_t analysed = 0, analysis_errors = 0, with_warnings = 0, normalized_same = 0, normalized_limit_ties = 0;
  std::set<std::string> skeletons, normal_forms;
  size_t mutated_queries = 0, mutants_slow = 0, corruptions = 0, corruptions_rejected = 0;
  std::map<std::string, size_t> mutants_by_kind;
  size_t parsed = 0, round_trips = 0, executed_same = 0, no_db = 0, rejected = 0, slow = 0;
  std::vector<std::string> rejected_list;
  for (size_t i = 0; i < queries.size(); ++i) {
    const GoldQuery& q = queries[i];
    sqlite3* db = dbs.get(q.db_id);
    if (db == nullptr) {
      ++no_db;
      continue;
    }
    if (!sqlite_accepts(db, q.sql)) {
      ++rejected;
      rejected_list.push_back("#" + std::to_string(i) + " (" + q.db_id + "): " + q.sql);
      continue;
    }
    auto ast = parse(q.sql, Dialect::kSqlite);
    if (!ast.ok()) {
      ADD_FAILURE() << "#" << i << " does not parse: " << q.sql << "\n" << ast.error();
      continue;
    }
    ++parsed;
    const catalog::Catalog* cat = catalogs.get(q.db_id);
    if (cat != nullptr) {
      auto analysis = analyze(*ast, *cat);
      if (!analysis.ok()) {
        ADD_FAILURE() << "#" << i << " cannot be analysed: " << analysis.error();
      } else {
        ++analysed;
        if (analysis->has_errors()) {
          ++analysis_errors;
          ADD_FAILURE() << "#" << i << " (" << q.db_id << ") analysis errors:\n  " << q.sql << "\n"
                        << analysis->diagnostics_text();
        }
        // Every referenced column must exist in the catalog (rowid aside).
        for (const ColumnUse& c : analysis->columns) {
          if (c.table.empty()) continue;
          const catalog::Table* t = cat->find_table(c.table);
          if (t == nullptr || (t->find_column(c.column) == nullptr && c.column != "rowid")) {
            ADD_FAILURE() << "#" << i << " resolves " << c.table << "." << c.column
                          << " outside the catalog: " << q.sql;
          }
        }
        if (analysis->warning_count() > 0) ++with_warnings;
        for (const Diagnostic& d : analysis->diagnostics) {
          if (d.severity == Diagnostic::Severity::kWarning) ++warnings_by_kind[d.kind];
        }
      }
    }
    PrintOptions sqlite_print{Dialect::kSqlite, false};
    std::string printed = print(*ast, sqlite_print);
    std::string canon = canonical(*ast);
    auto again = parse(printed, Dialect::kSqlite);
    auto again_canon = parse(canon, Dialect::kSqlite);
    if (!again.ok() || !equal(*ast, *again) || !again_canon.ok() || !equal(*ast, *again_canon)) {
      ADD_FAILURE() << "#" << i << " does not round-trip:\n  original:  " << q.sql << "\n  printed:   " << printed
                    << "\n  canonical: " << canon;
      continue;
    }
    if (canonical(*again_canon) != canon) {
      ADD_FAILURE() << "#" << i << " canonical form is not stable: " << canon;
      continue;
    }
    ++round_trips;
    std::vector<std::string> rows_a, rows_b;
    std::string err_a, err_b;
    bool ok_a = run_query(db, q.sql, rows_a, err_a);
    if (!ok_a && err_a == "interrupted") {
      ++slow;
      continue;
    }
    bool ok_b = run_query(db, printed, rows_b, err_b);
    if (ok_a != ok_b) {
      ADD_FAILURE() << "#" << i << " ran differently: " << err_a << " vs " << err_b << "\n  " << printed;
      continue;
    }
    if (rows_a != rows_b) {
      ADD_FAILURE() << "#" << i << " returns other rows when printed:\n  original: " << q.sql
                    << "\n  printed:  " << printed;
      continue;
    }
    ++executed_same;
    // The normal form and the skeleton parse and are fixed points; the normal form returns
    // the same rows (as a multiset: a changed plan may reorder ties).
    if (cat != nullptr) {
      NormalizeOptions nopt{cat};
      std::string norm = normalize(*ast, nopt);
      auto again_norm = normalize_sql(norm, Dialect::kSqlite, nopt);
      if (!again_norm.ok() || *again_norm != norm) {
        ADD_FAILURE() << "#" << i << " normal form is not a fixed point:\n  " << norm << "\n  "
                      << (again_norm.ok() ? *again_norm : again_norm.error());
        continue;
      }
      std::vector<std::string> rows_n;
      std::string err_n;
      if (!run_query(db, norm, rows_n, err_n)) {
        ADD_FAILURE() << "#" << i << " normal form fails: " << err_n << "\n  " << norm;
        continue;
      }
      std::vector<std::string> sorted_a = rows_a;
      std::sort(sorted_a.begin(), sorted_a.end());
      std::sort(rows_n.begin(), rows_n.end());
      if (sorted_a != rows_n) {
        std::string upper = q.sql;
        for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (upper.find("LIMIT") != std::string::npos) {
          ++normalized_limit_ties;  // LIMIT over ties may pick other rows under another plan
        } else {
          ADD_FAILURE() << "#" << i << " normal form returns other rows:\n  original: " << q.sql
                        << "\n  normal:   " << norm;
          continue;
        }
      } else {
        ++normalized_same;
      }
      SkeletonOptions so;
      so.catalog = cat;
      std::string skel = skeleton(*ast, so);
      auto skel_ast = parse(skel, Dialect::kSqlite);
      if (!skel_ast.ok() || skeleton(*skel_ast) != skel) {
        ADD_FAILURE() << "#" << i << " skeleton does not parse or is not a fixed point: " << skel;
        continue;
      }
      skeletons.insert(skel);
      normal_forms.insert(norm);
      // Corruptions of a sample: the analysis reports an error exactly when SQLite rejects.
      if (i % 5 == 0) {
        for (int how = 0; how < 3; ++how) {
          for (size_t k = 0; k < 3; ++k) {
            std::string bad = corrupt(q.sql, how, k);
            if (bad.empty()) continue;
            auto bad_ast = parse(bad, Dialect::kSqlite);
            if (!bad_ast.ok()) continue;
            auto bad_analysis = analyze(*bad_ast, *cat);
            bool sqlite_ok = sqlite_accepts(db, bad);
            bool ours_ok = bad_analysis.ok() && !bad_analysis->has_errors();
            ++corruptions;
            if (!sqlite_ok) ++corruptions_rejected;
            if (sqlite_ok != ours_ok) {
              ADD_FAILURE() << "#" << i << " SQLite " << (sqlite_ok ? "accepts" : "rejects") << " but the analysis "
                            << (ours_ok ? "finds no error" : "reports:\n" + bad_analysis->diagnostics_text()) << "  "
                            << bad;
            }
          }
        }
      }
      // Mutants of a sample (every 10th query) must be valid: SQLite runs them.
      if (i % 10 == 0) {
        MutateOptions mo;
        mo.seed = i;
        mo.max_mutants = 6;
        auto mutants = mutate(*ast, *cat, mo);
        if (!mutants.ok()) {
          ADD_FAILURE() << "#" << i << " cannot be mutated: " << mutants.error();
          continue;
        }
        ++mutated_queries;
        for (const Mutant& m : *mutants) {
          std::vector<std::string> rows_m;
          std::string err_m;
          if (run_query(db, m.sql, rows_m, err_m)) {
            ++mutants_by_kind[std::string(mutation_kind_name(m.kind))];
          } else if (err_m == "interrupted") {
            ++mutants_slow;
          } else {
            ADD_FAILURE() << "#" << i << " mutant (" << m.description << ") fails: " << err_m << "\n  " << m.sql;
          }
        }
      }
    }
  }
  std::printf(
      "%s: %zu queries, %zu without database, %zu rejected by SQLite, %zu parsed, %zu round-tripped, "
      "%zu executed with identical rows, %zu skipped as slow\n",
      json.filename().c_str(), queries.size(), no_db, rejected, parsed, round_trips, executed_same, slow);
  std::printf("%s: %zu analysed against their catalog, %zu with analysis errors, %zu with warnings\n",
              json.filename().c_str(), analysed, analysis_errors, with_warnings);
  std::printf(
      "%s: normal forms: %zu return the same rows, %zu differ only under LIMIT ties; %zu distinct normal "
      "forms, %zu distinct skeletons\n",
      json.filename().c_str(), normalized_same, normalized_limit_ties, normal_forms.size(), skeletons.size());
  size_t mutants_ok = 0;
  for (const auto& [kind, n] : mutants_by_kind) mutants_ok += n;
  std::printf("%s: %zu sampled queries mutated: %zu mutants ran on SQLite (%zu interrupted as slow):",
              json.filename().c_str(), mutated_queries, mutants_ok, mutants_slow);
  for (const auto& [kind, n] : mutants_by_kind) std::printf(" %s %zu;", kind.c_str(), n);
  std::printf("\n");
  std::printf(
      "%s: %zu corrupted queries (misspelt column or table, dropped qualifier), %zu rejected by SQLite; the "
      "analysis agrees with SQLite on each unless reported above\n",
      json.filename().c_str(), corruptions, corruptions_rejected);
  for (const auto& [kind, n] : warnings_by_kind) std::printf("  warnings \"%s\": %zu\n", kind.c_str(), n);
  for (const std::string& r : rejected_list) std::printf("  rejected by SQLite: %s\n", r.c_str());
  EXPECT_EQ(parsed, queries.size() - no_db - rejected);
  EXPECT_EQ(round_trips, parsed);
  EXPECT_EQ(analysed, parsed);
  EXPECT_EQ(analysis_errors, 0u);
  EXPECT_EQ(executed_same + slow, round_trips);
}

// ../shared/data, or the ASKGURU_SHARED_DATA_DIR / ASKGURU_SHARED_DATA environment variables.
fs::path shared_data() {
  for (const char* name : {"ASKGURU_SHARED_DATA_DIR", "ASKGURU_SHARED_DATA"}) {
    if (const char* env = std::getenv(name); env != nullptr && *env != '\0') return env;
  }
  return ASKGURU_SHARED_DATA_DIR;
}

TEST(SqlGold, SpiderTrainParsesRoundTripsAndExecutesTheSame) {
  fs::path root = shared_data() / "spider_train";
  check_gold_set(root / "train.json", "query", root / "database", 7000);
}

TEST(SqlGold, BirdStudentClubParsesRoundTripsAndExecutesTheSame) {
  fs::path root = shared_data() / "bird_student_club";
  check_gold_set(root / "dev.json", "SQL", root / "databases", 100);
}

}  // namespace
}  // namespace askguru::sql
