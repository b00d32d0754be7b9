// bench_guard_gold: runs the guardrail and the join validator (guard::review) over gold
// queries and prints what they say about them (gold queries are correct, so every
// refusal or join error is a false positive worth reading) and the throughput.
//
//   build/bench/bench_guard_gold [--data DIR] [--bird DIR] [--policy FILE] [--examples N] [--execute 1]
//                                [--mutate 1]
//
// DIR defaults to ../shared/data/spider_train (train.json, database/<db>/<db>.sqlite);
// --bird to ../shared/data/bird_student_club (dev.json, databases/<db>/<db>.sqlite).
// Prints, per data set: queries, reviews/s (one core, catalogs loaded beforehand), guard
// verdicts by code, join verdicts, findings by code, analysis errors, score histogram, and
// up to N examples per finding code. With --execute 1 it then runs every allowed query as
// interactive use rewrites it (row limit injected, `*` expanded) and the original, and
// counts the rewrites that fail where the original runs. With --mutate 1 it corrupts one
// join condition per query that has one (the right-hand column swapped for another column
// of its table, an id-like column first: the typical wrong key) and counts how often the
// join validator flags the result (error, warning), split by whether the catalog declares
// foreign keys.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "askguru/common/files.h"
#include "askguru/db/connection.h"
#include "askguru/guard/review.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace {

using namespace askguru;
namespace fs = std::filesystem;

struct Item {
  std::string db_id;
  std::string sql;
};

std::vector<Item> load(const std::string& path, const char* sql_key) {
  std::vector<Item> out;
  auto text = files::read_file(path);
  if (!text.ok()) return out;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& q : j) out.push_back({q.value("db_id", ""), q.value(sql_key, "")});
  return out;
}

sql::ColumnRef* find_column_ref(sql::Node* n, uint32_t pos) {
  if (n->kind == sql::NodeKind::kColumnRef && n->pos == pos) return static_cast<sql::ColumnRef*>(n);
  sql::ColumnRef* found = nullptr;
  sql::for_each_child(n, [&](const sql::Node* c) {
    if (found == nullptr) found = find_column_ref(const_cast<sql::Node*>(c), pos);  // the Ast is ours
  });
  return found;
}

bool id_like(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "id" || (lower.size() > 2 && lower.compare(lower.size() - 2, 2, "id") == 0);
}

// The query with its first join condition's right-hand column replaced, or "".
std::string mutate_join(const std::string& text, const catalog::Catalog& cat) {
  auto ast = sql::parse(text, Dialect::kSqlite);
  if (!ast.ok() || ast->query() == nullptr) return "";
  auto analysis = sql::analyze(*ast, cat);
  if (!analysis.ok() || analysis->has_errors()) return "";
  for (const sql::Equality& e : analysis->equalities) {
    if (!e.in_join_condition || !e.conjunct || e.left.instance < 0 || e.right.instance < 0) continue;
    if (e.left.table.empty() || e.right.table.empty() || e.right.star) continue;
    const catalog::Table* table = cat.find_table(e.right.table);
    if (table == nullptr) continue;
    std::string replacement;
    for (int pass = 0; pass < 2 && replacement.empty(); ++pass) {
      for (const catalog::Column& c : table->columns) {
        if (c.name == e.right.column || (pass == 0 && !id_like(c.name))) continue;
        replacement = c.name;
        break;
      }
    }
    if (replacement.empty()) continue;
    sql::ColumnRef* ref = find_column_ref(ast->query(), e.right.pos);
    if (ref == nullptr) continue;
    ref->column.name = ast->arena().copy(replacement);
    ref->column.quoted = false;
    return sql::print(*ast, sql::PrintOptions{Dialect::kSqlite, false});
  }
  return "";
}

void run(const std::string& name, const std::vector<Item>& items, const std::string& db_dir,
         const guard::Policy& policy, size_t examples, bool execute, bool mutate) {
  std::map<std::string, catalog::Catalog> catalogs;
  std::vector<std::pair<const Item*, const catalog::Catalog*>> work;
  size_t missing = 0;
  for (const Item& it : items) {
    auto found = catalogs.find(it.db_id);
    if (found == catalogs.end()) {
      std::string path = (fs::path(db_dir) / it.db_id / (it.db_id + ".sqlite")).string();
      catalog::Catalog cat;
      if (fs::exists(path)) {
        if (auto conn = db::open_connection(path); conn.ok()) {
          db::IntrospectOptions light;
          light.sample_values = 0;
          light.count_rows = false;
          if (auto c = (*conn)->introspect(light); c.ok()) cat = std::move(*c);
        }
      }
      found = catalogs.emplace(it.db_id, std::move(cat)).first;
    }
    if (found->second.tables.empty()) {
      ++missing;
      continue;
    }
    work.emplace_back(&it, &found->second);
  }
  std::map<std::string, size_t> guard_codes, join_codes, verdicts;
  std::map<std::string, std::vector<std::string>> shown;
  size_t refused = 0, analysis_errors = 0;
  size_t hist[5] = {0, 0, 0, 0, 0};
  guard::ReviewOptions options;
  options.interactive = false;
  auto start = std::chrono::steady_clock::now();
  for (const auto& [item, cat] : work) {
    guard::Review r = guard::review(item->sql, *cat, policy, options);
    if (!r.guard.allowed()) ++refused;
    for (const guard::Finding& f : r.guard.findings) {
      if (f.severity != guard::Severity::kError) continue;
      ++guard_codes[f.code];
      if (shown[f.code].size() < examples) shown[f.code].push_back(item->sql + "\n      → " + f.message);
    }
    if (r.analysis.errors > 0) ++analysis_errors;
    ++verdicts[std::string(guard::join_verdict_name(r.joins.verdict))];
    for (const guard::Finding& f : r.joins.findings) {
      std::string code = std::string(guard::severity_name(f.severity)) + " " + f.code;
      ++join_codes[code];
      if (shown[code].size() < examples) shown[code].push_back(item->sql + "\n      → " + f.message);
    }
    int bucket = r.score >= 1.0 ? 4 : r.score >= 0.75 ? 3 : r.score >= 0.5 ? 2 : r.score > 0 ? 1 : 0;
    ++hist[bucket];
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("== %s: %zu queries reviewed (%zu without a database), %.0f reviews/s (%.3f s)\n", name.c_str(),
              work.size(), missing, seconds > 0 ? static_cast<double>(work.size()) / seconds : 0.0, seconds);
  std::printf("guardrail (policy %s): %zu refused\n", policy.name.c_str(), refused);
  for (const auto& [code, n] : guard_codes) std::printf("  %-28s %zu\n", code.c_str(), n);
  std::printf("analysis: %zu queries with errors\n", analysis_errors);
  std::printf("joins: ok %zu, warning %zu, error %zu\n", verdicts["ok"], verdicts["warning"], verdicts["error"]);
  for (const auto& [code, n] : join_codes) std::printf("  %-28s %zu\n", code.c_str(), n);
  std::printf("score: 1.0: %zu, [0.75,1): %zu, [0.5,0.75): %zu, (0,0.5): %zu, 0: %zu\n", hist[4], hist[3], hist[2],
              hist[1], hist[0]);
  if (mutate) {
    guard::ReviewOptions eval;
    eval.interactive = false;
    // [has foreign keys][0: clean, 1: warning, 2: error]
    size_t tally[2][3] = {{0, 0, 0}, {0, 0, 0}};
    size_t gold_clean[2] = {0, 0};
    std::vector<std::string> missed;
    for (const auto& [item, cat] : work) {
      std::string mutated = mutate_join(item->sql, *cat);
      if (mutated.empty()) continue;
      guard::Review gold = guard::review(item->sql, *cat, policy, eval);
      guard::Review r = guard::review(mutated, *cat, policy, eval);
      int fk = cat->foreign_keys.empty() ? 0 : 1;
      int level = r.joins.verdict == guard::JoinVerdict::kError     ? 2
                  : r.joins.verdict == guard::JoinVerdict::kWarning ? 1
                                                                    : 0;
      ++tally[fk][level];
      if (gold.joins.verdict == guard::JoinVerdict::kOk) ++gold_clean[fk];
      if (level == 0 && fk == 1 && missed.size() < examples) missed.push_back(mutated);
    }
    for (int fk = 1; fk >= 0; --fk) {
      size_t n = tally[fk][0] + tally[fk][1] + tally[fk][2];
      std::printf(
          "join-column mutations, catalogs %s foreign keys: %zu mutated; flagged error %zu (%.1f%%), "
          "warning %zu (%.1f%%), missed %zu (%.1f%%); their gold queries clean: %zu\n",
          fk ? "with" : "without", n, tally[fk][2], n ? 100.0 * tally[fk][2] / n : 0.0, tally[fk][1],
          n ? 100.0 * tally[fk][1] / n : 0.0, tally[fk][0], n ? 100.0 * tally[fk][0] / n : 0.0, gold_clean[fk]);
    }
    for (const std::string& m : missed) std::printf("  missed: %s\n", m.c_str());
  }
  if (execute) {
    guard::ReviewOptions interactive;
    interactive.interactive = true;
    size_t ran = 0, rewritten = 0, broken = 0;
    std::vector<std::string> broken_examples;
    std::map<std::string, std::unique_ptr<db::Connection>> connections;
    for (const auto& [item, cat] : work) {
      guard::Review r = guard::review(item->sql, *cat, policy, interactive);
      if (!r.guard.allowed() || !r.guard.rewritten) continue;
      auto& conn = connections[item->db_id];
      if (!conn) {
        auto opened = db::open_connection((fs::path(db_dir) / item->db_id / (item->db_id + ".sqlite")).string());
        if (!opened.ok()) continue;
        conn = std::move(*opened);
      }
      db::QueryOptions q;
      q.timeout = std::chrono::milliseconds(5000);
      q.max_rows = 10;
      auto original = conn->execute(item->sql, q);
      if (!original.ok()) continue;
      ++ran;
      ++rewritten;
      auto rewritten_result = conn->execute(r.guard.sql, q);
      if (!rewritten_result.ok() && rewritten_result.status().code() != ErrorCode::kTimeout) {
        ++broken;
        if (broken_examples.size() < examples) {
          broken_examples.push_back(item->sql + "\n      → " + r.guard.sql + "\n      → " + rewritten_result.error());
        }
      }
    }
    std::printf(
        "interactive rewrites executed: %zu (of queries the database runs), failing where the original "
        "runs: %zu\n",
        rewritten, broken);
    for (const std::string& b : broken_examples) std::printf("  - %s\n", b.c_str());
    (void)ran;
  }
  for (const auto& [code, list] : shown) {
    if (list.empty()) continue;
    std::printf("examples of %s:\n", code.c_str());
    for (const std::string& s : list) std::printf("  - %s\n", s.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = std::string(ASKGURU_SHARED_DATA_DIR) + "/spider_train";
  std::string bird = std::string(ASKGURU_SHARED_DATA_DIR) + "/bird_student_club";
  std::string policy_path;
  size_t examples = 3;
  bool execute = false;
  bool mutate = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--data")
      data = argv[i + 1];
    else if (flag == "--bird")
      bird = argv[i + 1];
    else if (flag == "--policy")
      policy_path = argv[i + 1];
    else if (flag == "--examples")
      examples = std::stoul(argv[i + 1]);
    else if (flag == "--execute")
      execute = std::string(argv[i + 1]) != "0";
    else if (flag == "--mutate")
      mutate = std::string(argv[i + 1]) != "0";
  }
  auto policy = guard::resolve_policy(policy_path, "");
  if (!policy.ok()) {
    std::fprintf(stderr, "bench_guard_gold: %s\n", policy.error().c_str());
    return 1;
  }
  auto spider = load(data + "/train.json", "query");
  if (spider.empty()) {
    std::printf("no Spider data at %s\n", data.c_str());
  } else {
    run("spider_train", spider, data + "/database", *policy, examples, execute, mutate);
  }
  auto bird_items = load(bird + "/dev.json", "SQL");
  if (bird_items.empty()) {
    std::printf("no BIRD data at %s\n", bird.c_str());
  } else {
    run("bird_student_club", bird_items, bird + "/databases", *policy, examples, execute, mutate);
  }
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak memory: %.1f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}
