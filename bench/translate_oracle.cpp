// bench_translate_oracle: every gold query of Spider's training split translated from
// SQLite into Oracle (sql/translate.h) against its database's catalog as Oracle would hold
// it after a plain load: names upper-cased, INTEGER → NUMBER(10), REAL → BINARY_DOUBLE,
// NUMERIC → NUMBER, dates → DATE, other text → VARCHAR2(4000).
//
// No Oracle server runs here, so nothing is executed: it counts translations that fail,
// outputs that do not parse back as Oracle, and outputs that still hold SQLite-only
// spellings (LIMIT, STRFTIME, IFNULL, GROUP_CONCAT ...), with examples, the rules
// applied and the throughput (one core).
//
//   build/bench/bench_translate_oracle [--data DIR] [--examples N] [--bird] [--print]
//
// --bird: BIRD's student_club dev questions (DIR/bird_student_club) instead of Spider.
// --print: every query and its translation.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/text.h"
#include "askguru/db/connection.h"
#include "askguru/eval/dataset.h"
#include "askguru/sql/lexer.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/translate.h"

namespace {

using namespace askguru;

std::string oracle_type(const std::string& sqlite_type) {
  std::string t = text::to_lower(sqlite_type);
  if (t.find("int") != std::string::npos) return "NUMBER(10)";
  if (t.find("char") != std::string::npos || t.find("text") != std::string::npos || t.find("clob") != std::string::npos)
    return "VARCHAR2(4000)";
  if (t.find("real") != std::string::npos || t.find("floa") != std::string::npos || t.find("doub") != std::string::npos)
    return "BINARY_DOUBLE";
  if (t.find("date") != std::string::npos || t.find("time") != std::string::npos) return "DATE";
  if (t.find("blob") != std::string::npos) return "BLOB";
  if (t.empty()) return "VARCHAR2(4000)";
  return "NUMBER";
}

catalog::Catalog as_oracle(const catalog::Catalog& sqlite) {
  catalog::Catalog out = sqlite;
  out.dialect = Dialect::kOracle;
  for (auto& table : out.tables) {
    table.name = text::to_upper(table.name);
    for (auto& column : table.columns) {
      column.name = text::to_upper(column.name);
      column.type = oracle_type(column.type);
    }
    for (auto& key : table.primary_key) key = text::to_upper(key);
  }
  return out;
}

// Words that mean SQLite kept its own spelling where Oracle has another: keywords, and
// functions (followed by "(").
const char* const kSqliteWords[] = {"LIMIT", "TRUE", "FALSE", "ILIKE", "GLOB"};
const char* const kSqliteFunctions[] = {"STRFTIME", "JULIANDAY", "IFNULL", "GROUP_CONCAT", "IIF",
                                        "TOTAL",    "DATETIME",  "DATE",   "TIME"};

std::string sqlite_only_word(const std::string& sql) {
  std::vector<sql::Token> tokens;
  sql::LexError error;
  sql::tokenize(sql, Dialect::kOracle, tokens, error);
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].type != sql::Tok::kWord) continue;
    std::string word = text::to_upper(tokens[i].text(sql));
    for (const char* w : kSqliteWords) {
      if (word == w) return word;
    }
    if (i + 1 < tokens.size() && tokens[i + 1].type == sql::Tok::kLParen) {
      for (const char* w : kSqliteFunctions) {
        if (word == w) return word + "(";
      }
    }
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  size_t examples = 3;
  bool bird = false;
  bool print_all = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--bird") == 0) {
      bird = true;
    } else if (std::strcmp(argv[i], "--print") == 0) {
      print_all = true;
    } else if (std::strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
      data = argv[++i];
    } else if (std::strcmp(argv[i], "--examples") == 0 && i + 1 < argc) {
      examples = static_cast<size_t>(std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--data DIR] [--examples N] [--bird] [--print]\n", argv[0]);
      return 2;
    }
  }
  const std::string root = data + (bird ? "/bird_student_club" : "/spider_train");
  const std::string databases = root + (bird ? "/databases/" : "/database/");
  auto dataset = eval::load_dataset(root + (bird ? "/dev.json" : "/train.json"));
  if (!dataset.ok()) {
    std::fprintf(stderr, "bench_translate_oracle: %s\n", dataset.error().c_str());
    return 1;
  }
  std::map<std::string, catalog::Catalog> catalogs;
  for (const auto& example : dataset->examples) {
    if (catalogs.count(example.db_id)) continue;
    auto connection = db::open_connection(databases + example.db_id + "/" + example.db_id + ".sqlite");
    if (!connection.ok()) continue;
    db::IntrospectOptions options;
    options.sample_values = 0;
    options.count_rows = false;
    auto catalog = (*connection)->introspect(options);
    if (catalog.ok()) catalogs.emplace(example.db_id, as_oracle(*catalog));
  }

  size_t total = 0, failed = 0, unparsable = 0, sqlite_left = 0, changed = 0;
  std::map<std::string, size_t> rules, leftovers;
  std::vector<std::string> failed_examples, unparsable_examples, leftover_examples;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& example : dataset->examples) {
    auto it = catalogs.find(example.db_id);
    if (it == catalogs.end()) continue;
    ++total;
    sql::TranslateOptions options;
    options.to = Dialect::kOracle;
    auto out = sql::translate(example.gold_sql, it->second, options);
    if (!out.ok()) {
      ++failed;
      if (failed_examples.size() < examples) failed_examples.push_back(example.gold_sql + "\n    " + out.error());
      continue;
    }
    if (print_all) std::printf("%s\n →  %s\n", example.gold_sql.c_str(), out->sql.c_str());
    if (!out->rules.empty()) ++changed;
    for (const auto& r : out->rules) ++rules[r];
    auto reparsed = sql::parse(out->sql, Dialect::kOracle);
    if (!reparsed.ok()) {
      ++unparsable;
      if (unparsable_examples.size() < examples)
        unparsable_examples.push_back(out->sql + "\n    " + std::string(sql::error_headline(reparsed.error())));
    }
    std::string word = sqlite_only_word(out->sql);
    if (!word.empty()) {
      ++sqlite_left;
      ++leftovers[word];
      if (leftover_examples.size() < examples) leftover_examples.push_back(example.gold_sql + "\n →  " + out->sql);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("%s gold → Oracle: %zu queries on %zu databases, %.2f s (%.0f queries/s, one core)\n",
              bird ? "BIRD student_club dev" : "Spider train", total,
              catalogs.size(), seconds, total / seconds);
  std::printf("  changed by a rule        %6zu (%.1f%%)\n", changed, 100.0 * changed / total);
  std::printf("  translation failed       %6zu\n", failed);
  std::printf("  output not Oracle syntax %6zu (askguru's Oracle parser)\n", unparsable);
  std::printf("  SQLite spelling left     %6zu\n", sqlite_left);
  std::printf("rules:");
  for (const auto& [r, n] : rules) std::printf(" %s %zu;", r.c_str(), n);
  std::printf("\nleft over:");
  for (const auto& [w, n] : leftovers) std::printf(" %s %zu;", w.c_str(), n);
  std::printf("\n");
  for (const auto& e : failed_examples) std::printf("failed: %s\n", e.c_str());
  for (const auto& e : unparsable_examples) std::printf("not Oracle: %s\n", e.c_str());
  for (const auto& e : leftover_examples) std::printf("left over: %s\n", e.c_str());
  return 0;
}
