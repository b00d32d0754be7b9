// bench_retrieval: offline indexing and online retrieval over Spider's training split
// and BIRD's student_club (../shared/data). Prints:
//   - build time per database (catalog + value index + column index) and in total,
//     seconds per 100k distinct values, artifact size;
//   - value recall@10: of the gold SQL's string literals stored in the database, the
//     share found among the first 10 values retrieved for the question (keywords from
//     the question's n-grams and, for BIRD, the evidence; no LLM), and the raw share
//     over all string literals;
//   - the value index's candidate generators (MinHash LSH vs FTS5 trigram) at several
//     candidate budgets: recall and p50/p95 latency, to compare at the same latency;
//   - column recall@5/@10: the share of the gold SQL's columns among the top-k;
//   - example store (Spider train, the asked question excluded): share of questions
//     with an example of the gold SQL's skeleton among the top 5;
//   - p50/p95 latency of one question's retrieval (values + columns + examples).
//
//   build/bench/bench_retrieval [--data DIR] [--jobs N] [--limit-dbs N] [--limit N]
//                               [--artifacts DIR] [--bm25 W] [--table W] [--value W]
//                               [--key W] [--join W] [--generator lsh|fts5] [--no-sweep] [--misses N [--show-top]]
//                               [--reuse] [--no-examples] [--name W] [--label W] [--table-relevance W]
//                               [--pair F] [--pair-min R] [--join-tables N] [--dump FILE]
//                               [--example-columns W] [--same-name N]
//   --dump writes one JSON line per database (documents, tables, joins) and per question
//   (gold columns, every candidate's score parts) to tune the column scoring offline.
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/text.h"
#include "askguru/common/thread_pool.h"
#include "askguru/db/connection.h"
#include "askguru/eval/dataset.h"
#include "askguru/index/retriever.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/lexer.h"
#include "askguru/sql/parser.h"

namespace {

using namespace askguru;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// CPU time of this thread: what a query costs without the waits for the scheduler
// (on a loaded 2-core machine wall-time tails are mostly preemption).
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

struct Args {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  size_t jobs = 2;
  size_t limit_dbs = 0;
  size_t limit = 0;
  std::string artifacts;
  index::ColumnQueryOptions column;
  index::CandidateGenerator generator = index::CandidateGenerator::kLsh;
  bool sweep = true;
  bool reuse = false;
  bool examples = true;
  size_t misses = 0;
  bool show_top = false;  // with --misses: the top 10 retrieved too
  double example_weight = 0;  // > 0: columns of similar examples (gold SQL excluded) boost columns
  std::string dump;       // JSON lines of every question's score parts (for offline analysis)
};

FILE* g_dump = nullptr;

std::string json_str(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  out += '"';
  return out;
}

template <typename T>
std::string json_list(const std::vector<T>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ",";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.5g", static_cast<double>(v[i]));
    out += buf;
  }
  return out + "]";
}

// String literals of a SQL (LIKE patterns without their wildcards).
std::vector<std::string> gold_literals(const std::string& sql) {
  std::vector<sql::Token> tokens;
  sql::LexError error;
  std::vector<std::string> out;
  if (!sql::tokenize(sql, Dialect::kSqlite, tokens, error)) return out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].type != sql::Tok::kString) continue;
    std::string scratch;
    std::string v(sql::string_token_value(tokens[i].text(sql), scratch));
    bool like = i > 0 && (tokens[i - 1].kw == sql::Kw::k_LIKE || tokens[i - 1].kw == sql::Kw::k_GLOB);
    if (like) {
      v = text::replace_all(v, "%", "");
      if (tokens[i - 1].kw == sql::Kw::k_GLOB) v = text::replace_all(v, "*", "");
    }
    if (!text::trim(v).empty()) out.push_back(std::string(text::trim(v)));
  }
  return out;
}

// Columns of a SQL as "table.column" (lower case), resolved against the catalog by
// sql::analyze() (`*` expansions left out); when it does not parse, a lexical
// approximation (aliases, qualified names, bare names of the tables in the query).
std::set<std::string> lexical_gold_columns(const std::string& sql, const catalog::Catalog& catalog);

std::set<std::string> gold_columns(const std::string& sql, const catalog::Catalog& catalog) {
  auto ast = sql::parse(sql, Dialect::kSqlite);
  if (ast.ok()) {
    auto analysis = sql::analyze(*ast, catalog);
    if (analysis.ok()) {
      std::set<std::string> out;
      for (const sql::ColumnUse& c : analysis->columns) {
        if (c.star || c.alias_reference || c.table.empty() || c.instance < 0) continue;
        if (!catalog.find_table(c.table) || !catalog.find_table(c.table)->find_column(c.column)) continue;
        out.insert(text::to_lower(c.table + "." + c.column));
      }
      return out;
    }
  }
  return lexical_gold_columns(sql, catalog);
}

std::set<std::string> lexical_gold_columns(const std::string& sql, const catalog::Catalog& catalog) {
  std::set<std::string> out;
  std::vector<sql::Token> tokens;
  sql::LexError error;
  if (!sql::tokenize(sql, Dialect::kSqlite, tokens, error)) return out;
  auto name = [&](const sql::Token& t) -> std::string {
    std::string scratch;
    if (t.type == sql::Tok::kQuotedIdent) return text::to_lower(sql::quoted_ident_value(t.text(sql), scratch));
    if (t.type == sql::Tok::kWord) return text::to_lower(t.text(sql));
    if (t.type == sql::Tok::kString) return text::to_lower(sql::string_token_value(t.text(sql), scratch));
    return "";
  };
  std::unordered_map<std::string, const catalog::Table*> tables;  // name or alias -> table
  std::vector<const catalog::Table*> used;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].type != sql::Tok::kWord && tokens[i].type != sql::Tok::kQuotedIdent) continue;
    if (i > 0 && tokens[i - 1].type == sql::Tok::kDot) continue;
    if (i + 1 < tokens.size() && tokens[i + 1].type == sql::Tok::kDot) continue;
    const catalog::Table* t = catalog.find_table(name(tokens[i]));
    if (!t) continue;
    // Only a table name right after FROM / JOIN / a comma in FROM counts as a table use.
    bool after_from = i > 0 && (tokens[i - 1].kw == sql::Kw::k_FROM || tokens[i - 1].kw == sql::Kw::k_JOIN ||
                                tokens[i - 1].type == sql::Tok::kComma);
    if (!after_from) continue;
    tables[text::to_lower(t->name)] = t;
    used.push_back(t);
    size_t j = i + 1;
    if (j < tokens.size() && tokens[j].kw == sql::Kw::k_AS) ++j;
    if (j < tokens.size() && tokens[j].type == sql::Tok::kWord &&
        (tokens[j].kw == sql::Kw::kNone || !sql::is_reserved_keyword(tokens[j].kw))) {
      tables[name(tokens[j])] = t;
    }
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    const sql::Token& t = tokens[i];
    if (t.type != sql::Tok::kWord && t.type != sql::Tok::kQuotedIdent) continue;
    if (i + 2 < tokens.size() && tokens[i + 1].type == sql::Tok::kDot) {
      auto it = tables.find(name(t));
      const std::string column = name(tokens[i + 2]);
      if (it != tables.end() && it->second->find_column(column)) {
        out.insert(text::to_lower(it->second->name + "." + it->second->find_column(column)->name));
      }
      i += 2;
      continue;
    }
    if (i > 0 && tokens[i - 1].type == sql::Tok::kDot) continue;
    if (t.type == sql::Tok::kWord && t.kw != sql::Kw::kNone && sql::is_reserved_keyword(t.kw)) continue;
    if (i + 1 < tokens.size() && tokens[i + 1].type == sql::Tok::kLParen) continue;  // a function
    const std::string n = name(t);
    if (tables.count(n)) continue;
    for (const catalog::Table* table : used) {
      if (const catalog::Column* c = table->find_column(n)) {
        out.insert(text::to_lower(table->name + "." + c->name));
        break;
      }
    }
  }
  return out;
}

struct Database {
  std::string db_id;
  std::string path;
  std::string tables_json;
  std::vector<size_t> questions;  // indices into the dataset
  std::unique_ptr<index::DatabaseArtifacts> artifacts;
  std::unordered_map<std::string, bool> stored;  // literal -> stored in the database
};

struct Suite {
  std::string name;
  eval::Dataset dataset;
  std::vector<Database> databases;
};

bool literal_stored(Database& db, db::Connection& connection, const std::string& literal) {
  auto it = db.stored.find(literal);
  if (it != db.stored.end()) return it->second;
  bool found = false;
  std::string quoted = "'";
  quoted.append(text::replace_all(literal, "'", "''")).append("'");
  for (const catalog::Table& t : db.artifacts->catalog().tables) {
    for (const catalog::Column& c : t.columns) {
      std::string sql = "SELECT 1 FROM \"";
      sql.append(t.name).append("\" WHERE typeof(\"").append(c.name).append("\") = 'text' AND \"").append(c.name).append("\" = ").append(quoted);
      sql.append(" COLLATE NOCASE LIMIT 1");
      auto r = connection.execute(sql);
      if (r.ok() && !r->rows.empty()) {
        found = true;
        break;
      }
    }
    if (found) break;
  }
  db.stored[literal] = found;
  return found;
}

Result<Suite> load_suite(const std::string& name, const std::string& dir, const std::string& dataset_file,
                         const std::string& db_dir, const std::string& tables_json, const Args& args) {
  Suite suite;
  suite.name = name;
  AG_ASSIGN_OR_RETURN(suite.dataset, eval::load_dataset((fs::path(dir) / dataset_file).string()));
  if (args.limit > 0 && suite.dataset.examples.size() > args.limit) suite.dataset.examples.resize(args.limit);
  std::map<std::string, std::vector<size_t>> by_db;
  for (size_t i = 0; i < suite.dataset.examples.size(); ++i) by_db[suite.dataset.examples[i].db_id].push_back(i);
  for (auto& [db_id, items] : by_db) {
    std::string path = (fs::path(dir) / db_dir / db_id / (db_id + ".sqlite")).string();
    if (!fs::exists(path)) continue;
    if (args.limit_dbs > 0 && suite.databases.size() >= args.limit_dbs) break;
    Database d;
    d.db_id = db_id;
    d.path = path;
    d.tables_json = (fs::path(dir) / tables_json).string();
    d.questions = items;
    suite.databases.push_back(std::move(d));
  }
  return suite;
}

void build(Suite& suite, const Args& args, const std::string& root) {
  std::vector<index::BuildStats> stats(suite.databases.size());
  std::vector<std::string> errors(suite.databases.size());
  auto start = Clock::now();
  parallel_for(suite.databases.size(), args.jobs, [&](size_t i) {
    Database& d = suite.databases[i];
    index::ArtifactOptions o;
    o.root = root;
    o.force = !args.reuse;
    o.tables_json = d.tables_json;
    auto a = index::DatabaseArtifacts::open(d.path, o);
    if (!a.ok()) {
      errors[i] = a.error();
      return;
    }
    stats[i] = a->stats();
    d.artifacts = std::make_unique<index::DatabaseArtifacts>(std::move(*a));
  });
  const double wall = ms_since(start) / 1000.0;
  double total = 0, values_s = 0, columns_s = 0, catalog_s = 0;
  uint64_t bytes = 0, values = 0;
  std::vector<std::pair<double, size_t>> slowest;
  for (size_t i = 0; i < suite.databases.size(); ++i) {
    if (!errors[i].empty()) {
      std::printf("  %s: build failed: %s\n", suite.databases[i].db_id.c_str(), errors[i].c_str());
      continue;
    }
    const auto& s = stats[i];
    double t = s.catalog_seconds + s.values_seconds + s.columns_seconds;
    total += t;
    catalog_s += s.catalog_seconds;
    values_s += s.values_seconds;
    columns_s += s.columns_seconds;
    bytes += s.bytes;
    values += suite.databases[i].artifacts->values().value_count();
    slowest.emplace_back(t, i);
  }
  std::sort(slowest.rbegin(), slowest.rend());
  std::printf("[%s] build: %zu databases, %llu distinct values, %.2f s summed over databases "
              "(catalog %.2f, values %.2f, columns %.2f), %.2f s wall on %zu threads; %.2f s per 100k values; "
              "artifacts %s\n",
              suite.name.c_str(), suite.databases.size(), static_cast<unsigned long long>(values), total, catalog_s,
              values_s, columns_s, wall, args.jobs, values ? total / static_cast<double>(values) * 1e5 : 0.0,
              text::human_bytes(bytes).c_str());
  for (size_t k = 0; k < slowest.size() && k < 5; ++k) {
    const auto& d = suite.databases[slowest[k].second];
    const auto& s = stats[slowest[k].second];
    std::printf("    %-28s %6.3f s (catalog %.3f, values %.3f, columns %.3f)  %7zu values  %s\n", d.db_id.c_str(),
                slowest[k].first, s.catalog_seconds, s.values_seconds, s.columns_seconds,
                d.artifacts->values().value_count(), text::human_bytes(s.bytes).c_str());
  }
}

struct ValueRun {
  std::string label;
  index::ValueQueryOptions options;
  size_t hits = 0;
  std::vector<double> latency_ms;
};

void evaluate(Suite& suite, const Args& args) {
  size_t literals = 0, stored = 0, hits_stored = 0, hits_all = 0;
  size_t gold_cols = 0, col_hits5 = 0, col_hits10 = 0, questions = 0, all_cols10 = 0;
  size_t key_cols = 0, key_hits10 = 0;
  std::vector<double> latency_all, latency_values, latency_columns, cpu_all;
  std::vector<std::string> value_misses, column_misses;

  std::vector<ValueRun> runs;
  if (args.sweep) {
    for (size_t c : {10, 20, 40, 80}) {
      ValueRun r{"lsh  cand=" + std::to_string(c), {}, 0, {}};
      r.options.generator = index::CandidateGenerator::kLsh;
      r.options.candidates_per_keyword = c;
      runs.push_back(r);
    }
    for (size_t cap : {0, 128}) {
      ValueRun r{"lsh  cand=40 bucket cap " + std::to_string(cap), {}, 0, {}};
      r.options.candidates_per_keyword = 40;
      r.options.max_bucket = cap;
      runs.push_back(r);
    }
    for (size_t c : {5, 10, 20, 40}) {
      ValueRun r{"fts5 cand=" + std::to_string(c), {}, 0, {}};
      r.options.generator = index::CandidateGenerator::kFts5;
      r.options.candidates_per_keyword = c;
      runs.push_back(r);
    }
  }

  for (Database& d : suite.databases) {
    if (!d.artifacts) continue;
    auto connection = db::open_connection(d.path);
    if (!connection.ok()) continue;
    if (g_dump) {
      const auto& docs = d.artifacts->columns().documents();
      std::string line = "{\"kind\":\"db\",\"suite\":" + json_str(suite.name) + ",\"db\":" + json_str(d.db_id) + ",\"docs\":[";
      for (size_t i = 0; i < docs.size(); ++i) {
        if (i) line += ',';
        line.append("[").append(json_str(docs[i].table)).append(",").append(json_str(docs[i].column));
        line.append(docs[i].key ? ",1" : ",0").append(docs[i].primary ? ",1]" : ",0]");
      }
      line += "],\"tables\":[";
      const auto& tables = d.artifacts->columns().tables();
      for (size_t i = 0; i < tables.size(); ++i) {
        if (i) line += ',';
        line.append(json_str(tables[i].table));
      }
      line += "],\"joins\":[";
      const auto& joins = d.artifacts->columns().joins();
      for (size_t i = 0; i < joins.size(); ++i) {
        if (i) line += ',';
        line.append("[").append(std::to_string(joins[i].from)).append(",").append(std::to_string(joins[i].to)).append("]");
      }
      line += "]}\n";
      std::fputs(line.c_str(), g_dump);
    }
    for (size_t qi : d.questions) {
      const eval::Example& e = suite.dataset.examples[qi];
      ++questions;
      index::RetrievalQuery q;
      q.question = e.question;
      q.evidence = e.evidence;
      q.examples_k = 0;
      q.value_options.generator = args.generator;
      q.column_options = args.column;
      if (args.example_weight > 0) {
        q.column_options.example_weight = args.example_weight;
        q.exclude_question = e.question;
        q.exclude_sql = e.gold_sql;
      }
      const double cpu0 = thread_cpu_ms();
      auto t = Clock::now();
      auto r = d.artifacts->retrieve(q);
      latency_all.push_back(ms_since(t));
      cpu_all.push_back(thread_cpu_ms() - cpu0);
      if (!r.ok()) continue;
      // Split timing: values alone, columns alone.
      t = Clock::now();
      auto values_only = d.artifacts->values().search_question(e.question, e.evidence, q.value_options);
      latency_values.push_back(ms_since(t));
      t = Clock::now();
      index::ColumnQueryOptions cq = args.column;
      cq.value_hits = &values_only;
      auto cols = d.artifacts->columns().search(e.question, e.evidence, cq);
      latency_columns.push_back(ms_since(t));

      std::vector<std::string> lits = gold_literals(e.gold_sql);
      std::vector<std::string> stored_lits;
      for (const std::string& l : lits) {
        ++literals;
        bool is_stored = literal_stored(d, **connection, l);
        bool hit = false;
        for (size_t k = 0; k < r->values.size() && k < 10; ++k) hit = hit || text::iequals(r->values[k].value, l);
        hits_all += hit;
        if (is_stored) {
          ++stored;
          hits_stored += hit;
          stored_lits.push_back(l);
          if (!hit && value_misses.size() < args.misses) {
            value_misses.push_back(d.db_id + ": '" + l + "' for: " + e.question);
          }
        }
      }
      for (ValueRun& run : runs) {
        if (stored_lits.empty()) continue;
        index::ValueQueryOptions vo = run.options;
        vo.top_k = 10;
        auto tv = Clock::now();
        auto v = d.artifacts->values().search_question(e.question, e.evidence, vo);
        run.latency_ms.push_back(ms_since(tv));
        for (const std::string& l : stored_lits) {
          for (const auto& h : v) {
            if (text::iequals(h.value, l)) {
              ++run.hits;
              break;
            }
          }
        }
      }
      std::set<std::string> gold = gold_columns(e.gold_sql, d.artifacts->catalog());
      std::unordered_set<std::string> keys;
      for (const auto& doc : d.artifacts->columns().documents()) {
        if (doc.key) keys.insert(text::to_lower(doc.table + "." + doc.column));
      }
      size_t covered10 = 0;
      for (const std::string& g : gold) {
        ++gold_cols;
        bool is_key = keys.count(g) > 0;
        key_cols += is_key;
        for (size_t k = 0; is_key && k < r->columns.size() && k < 10; ++k) {
          key_hits10 += text::to_lower(r->columns[k].table + "." + r->columns[k].column) == g;
        }
        for (size_t k = 0; k < r->columns.size() && k < 10; ++k) {
          if (text::to_lower(r->columns[k].table + "." + r->columns[k].column) == g) {
            col_hits10 += 1;
            col_hits5 += k < 5;
            ++covered10;
            break;
          }
        }
      }
      all_cols10 += covered10 == gold.size();
      if (g_dump) {
        index::ColumnExplain ex;
        index::ColumnQueryOptions cq2 = args.column;
        cq2.value_hits = &r->values;
        cq2.explain = &ex;
        (void)d.artifacts->columns().search(e.question, e.evidence, cq2);
        std::vector<int> gold_ids;
        const auto& docs = d.artifacts->columns().documents();
        for (size_t i = 0; i < docs.size(); ++i) {
          if (gold.count(text::to_lower(docs[i].table + "." + docs[i].column))) gold_ids.push_back(static_cast<int>(i));
        }
        std::string line = "{\"kind\":\"q\",\"suite\":" + json_str(suite.name) + ",\"db\":" + json_str(d.db_id) +
                           ",\"q\":" + json_str(e.question) + ",\"sql\":" + json_str(e.gold_sql) +
                           ",\"ngold\":" + std::to_string(gold.size()) + ",\"gold\":" + json_list(gold_ids) +
                           ",\"doc\":" + json_list(ex.doc) + ",\"cos\":" + json_list(ex.cosine) +
                           ",\"bm25\":" + json_list(ex.bm25) + ",\"table\":" + json_list(ex.table) +
                           ",\"name\":" + json_list(ex.name) + ",\"value\":" + json_list(ex.value) +
                           ",\"ts\":" + json_list(ex.table_scores) + "}\n";
        std::fputs(line.c_str(), g_dump);
      }
      if (covered10 < gold.size() && column_misses.size() < args.misses) {
        std::string missing;
        index::ColumnQueryOptions all = args.column;
        all.top_k = 100000;
        all.value_hits = &r->values;
        auto full = d.artifacts->columns().search(e.question, e.evidence, all);
        for (const std::string& g : gold) {
          bool found = false;
          for (size_t k = 0; k < r->columns.size() && k < 10; ++k) {
            found = found || text::to_lower(r->columns[k].table + "." + r->columns[k].column) == g;
          }
          if (!found) {
            missing += " " + g;
            if (full.ok()) {
              for (size_t k = 0; k < full->size(); ++k) {
                if (text::to_lower((*full)[k].table + "." + (*full)[k].column) == g) {
                  missing += "#" + std::to_string(k + 1);
                  break;
                }
              }
            }
          }
        }
        if (args.show_top) {
          missing += "  [top:";
          for (size_t k = 0; k < r->columns.size() && k < 10; ++k) {
            missing += " " + r->columns[k].table + "." + r->columns[k].column;
          }
          missing += "]";
        }
        column_misses.push_back(d.db_id + ":" + missing + " for: " + e.question);
      }
    }
  }
  auto pct = [](size_t a, size_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; };
  std::printf("[%s] %zu questions\n", suite.name.c_str(), questions);
  std::printf("  value recall@10 (%s): %.1f%% of %zu stored literals; raw %.1f%% of %zu literals\n",
              index::candidate_generator_name(args.generator), pct(hits_stored, stored), stored, pct(hits_all, literals),
              literals);
  std::printf("  column recall: @5 %.1f%%, @10 %.1f%% (%zu) of %zu gold columns; all gold columns in top 10: %.1f%% of questions\n",
              pct(col_hits5, gold_cols), pct(col_hits10, gold_cols), col_hits10, gold_cols, pct(all_cols10, questions));
  std::printf("  column recall@10 by kind: keys %.1f%% of %zu, other columns %.1f%% of %zu\n", pct(key_hits10, key_cols),
              key_cols, pct(col_hits10 - key_hits10, gold_cols - key_cols), gold_cols - key_cols);
  std::printf("  latency per question (values + columns): wall p50 %.2f ms, p95 %.2f ms; thread CPU p50 %.2f ms, p95 "
              "%.2f ms; values wall p50 %.2f / p95 %.2f ms; columns wall p50 %.2f / p95 %.2f ms\n",
              percentile(latency_all, 0.5), percentile(latency_all, 0.95), percentile(cpu_all, 0.5),
              percentile(cpu_all, 0.95), percentile(latency_values, 0.5),
              percentile(latency_values, 0.95), percentile(latency_columns, 0.5), percentile(latency_columns, 0.95));
  if (!runs.empty()) {
    std::printf("  candidate generators (questions with stored literals; recall@10, latency of the value lookup):\n");
    for (const ValueRun& run : runs) {
      std::printf("    %-30s recall %.1f%%  p50 %.2f ms  p95 %.2f ms\n", run.label.c_str(), pct(run.hits, stored),
                  percentile(run.latency_ms, 0.5), percentile(run.latency_ms, 0.95));
    }
  }
  for (const auto& m : value_misses) std::printf("  value miss: %s\n", m.c_str());
  for (const auto& m : column_misses) std::printf("  column miss: %s\n", m.c_str());
}

void examples(Suite& suite, const Args& args, const std::string& root, const std::string& train) {
  auto opened = index::open_example_store(train, root, true, nullptr, true);
  if (!opened.ok()) {
    std::printf("[%s] example store: %s\n", suite.name.c_str(), opened.error().c_str());
    return;
  }
  index::ExampleStore& store = opened->second;
  std::unordered_map<std::string, const index::DatabaseArtifacts*> by_id;
  for (const Database& d : suite.databases) by_id[d.db_id] = d.artifacts.get();
  size_t questions = 0, skeleton_hit = 0, same_db = 0, returned = 0;
  std::vector<double> latency;
  for (const Database& d : suite.databases) {
    if (!d.artifacts) continue;
    for (size_t qi : d.questions) {
      const eval::Example& e = suite.dataset.examples[qi];
      index::ExampleQuery q;
      q.top_k = 5;
      q.db_id = e.db_id;
      q.exclude_question = e.question;
      q.values = &d.artifacts->values();
      auto t = Clock::now();
      auto hits = store.search(e.question, q);
      latency.push_back(ms_since(t));
      if (!hits.ok()) continue;
      ++questions;
      const std::string gold = index::sql_skeleton(e.gold_sql);
      bool hit = false;
      for (const auto& h : *hits) {
        hit = hit || h.example.skeleton == gold;
        same_db += h.same_db;
        ++returned;
      }
      skeleton_hit += hit;
    }
  }
  (void)args;
  std::printf("[%s] examples (store: %zu pairs of %s, asked question excluded): gold skeleton among top 5 for %.1f%% "
              "of %zu questions; %.1f%% of returned examples from the same database; p50 %.2f ms, p95 %.2f ms\n",
              suite.name.c_str(), store.size(), fs::path(train).filename().c_str(),
              questions ? 100.0 * static_cast<double>(skeleton_hit) / static_cast<double>(questions) : 0.0, questions,
              returned ? 100.0 * static_cast<double>(same_db) / static_cast<double>(returned) : 0.0,
              percentile(latency, 0.5), percentile(latency, 0.95));
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_retrieval: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data") args.data = next();
    else if (a == "--jobs") args.jobs = std::stoul(next());
    else if (a == "--limit-dbs") args.limit_dbs = std::stoul(next());
    else if (a == "--limit") args.limit = std::stoul(next());
    else if (a == "--artifacts") args.artifacts = next();
    else if (a == "--bm25") args.column.bm25_weight = std::stod(next());
    else if (a == "--table") args.column.table_weight = std::stod(next());
    else if (a == "--value") args.column.value_weight = std::stod(next());
    else if (a == "--key") args.column.key_weight = std::stod(next());
    else if (a == "--no-sweep") args.sweep = false;
    else if (a == "--reuse") args.reuse = true;
    else if (a == "--no-examples") args.examples = false;
    else if (a == "--join") args.column.join_weight = std::stod(next());
    else if (a == "--name") args.column.name_weight = std::stod(next());
    else if (a == "--label") args.column.label_weight = std::stod(next());
    else if (a == "--table-relevance") args.column.table_relevance = std::stod(next());
    else if (a == "--pair") args.column.pair_factor = std::stod(next());
    else if (a == "--pair-min") args.column.pair_min_relevance = std::stod(next());
    else if (a == "--join-tables") args.column.join_tables = std::stoul(next());
    else if (a == "--same-name") args.column.same_name_keep = std::stoul(next());
    else if (a == "--misses") args.misses = std::stoul(next());
    else if (a == "--show-top") args.show_top = true;
    else if (a == "--dump") args.dump = next();
    else if (a == "--example-columns") args.example_weight = std::stod(next());
    else if (a == "--generator") {
      auto g = index::parse_candidate_generator(next());
      if (!g.ok()) {
        std::fprintf(stderr, "bench_retrieval: %s\n", g.error().c_str());
        return 2;
      }
      args.generator = *g;
    } else {
      std::fprintf(stderr, "bench_retrieval: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (!args.dump.empty()) g_dump = std::fopen(args.dump.c_str(), "w");
  if (!fs::exists(args.data)) {
    std::printf("bench_retrieval: no data at %s; nothing to measure\n", args.data.c_str());
    return 0;
  }
  const std::string root =
      args.artifacts.empty() ? (fs::temp_directory_path() / ("askguru_bench_retrieval_" + std::to_string(::getpid()))).string()
                             : args.artifacts;
  std::printf("bench_retrieval: data %s, artifacts %s, %zu build threads; column weights bm25 %.2f table %.2f value "
              "%.2f key %.2f join %.2f\n",
              args.data.c_str(), root.c_str(), args.jobs, args.column.bm25_weight, args.column.table_weight,
              args.column.value_weight, args.column.key_weight, args.column.join_weight);
  struct Spec {
    const char* name;
    const char* dir;
    const char* dataset;
    const char* db_dir;
    const char* tables;
  };
  for (const Spec& s : {Spec{"bird_student_club", "bird_student_club", "dev.json", "databases", "dev_tables.json"},
                        Spec{"spider_train", "spider_train", "train.json", "database", "tables.json"}}) {
    const std::string dir = (fs::path(args.data) / s.dir).string();
    if (!fs::exists(dir)) continue;
    auto suite = load_suite(s.name, dir, s.dataset, s.db_dir, s.tables, args);
    if (!suite.ok()) {
      std::printf("[%s] %s\n", s.name, suite.error().c_str());
      continue;
    }
    build(*suite, args, root);
    std::unique_ptr<index::ExampleStore> store;
    if (args.example_weight > 0) {
      // The store of the suite's own questions; each question excludes itself and every
      // example with its gold SQL (Spider asks each query twice, in paraphrase).
      auto opened = index::open_example_store((fs::path(dir) / s.dataset).string(), root, true, nullptr, true);
      if (!opened.ok()) {
        std::printf("[%s] example store: %s\n", s.name, opened.error().c_str());
        continue;
      }
      store = std::make_unique<index::ExampleStore>(std::move(opened->second));
      for (Database& d : suite->databases) {
        if (d.artifacts) d.artifacts->use_examples(store.get());
      }
      std::printf("[%s] columns of similar examples weigh %.2f (store: %zu pairs of %s; the asked question and its gold "
                  "SQL excluded)\n",
                  s.name, args.example_weight, store->size(), s.dataset);
    }
    evaluate(*suite, args);
    for (Database& d : suite->databases) {
      if (d.artifacts) d.artifacts->use_examples(nullptr);
    }
    if (args.examples && std::string(s.name) == "spider_train") examples(*suite, args, root, (fs::path(dir) / s.dataset).string());
  }
  if (g_dump) std::fclose(g_dump);
  if (args.artifacts.empty()) {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  return 0;
}
