// bench_offline_answer: precision and coverage of the offline fallback (pipeline/
// offline_answer.h) on Spider's training split (../shared/data/spider_train).
//
// Every `--holdout`-th question of each database (5: 20%) is held out; the example store
// holds the rest. Each held-out question is answered with min_score 0 (so that one run
// gives every threshold: the answer at threshold t is the run's answer when its score is
// >= t), executed, and compared with the gold SQL's rows as test-suite-sql-eval does
// (eval/compare.h: bag of rows, in order only when the gold orders, column permutations).
// Prints, per threshold: answered share (coverage), precision of the answered, and the
// share of all held-out questions answered correctly; then why questions went unanswered
// and (--misses N) the first wrong answers.
//
//   build/bench/bench_offline_answer [--data DIR] [--holdout N] [--jobs N] [--limit-dbs N]
//       [--max-edit-cost X] [--max-content-edits N] [--content-insertions] [--schema-word-edits] [--keep-literals]
//       [--keep-empty] [--misses N] [--unanswered N]
#include "askguru/pipeline/offline_answer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/db/connection.h"
#include "askguru/eval/compare.h"
#include "askguru/eval/dataset.h"
#include "askguru/eval/sql_cleanup.h"
#include "askguru/index/example_store.h"
#include "askguru/index/value_index.h"

namespace {

using namespace askguru;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string data = ASKGURU_SHARED_DATA_DIR;
  size_t holdout = 5;
  size_t jobs = 1;
  size_t limit_dbs = 0;
  size_t misses = 0;
  size_t unanswered = 0;
  pipeline::OfflineOptions options;
};

struct Outcome {
  bool answered = false;
  bool correct = false;
  bool gold_failed = false;
  double score = 0.0;
  std::string reason;
  std::string masked;
  std::string question, gold, sql, example;
  std::string db_id;
};

std::string reason_kind(const std::string& reason) {
  static const std::vector<std::pair<std::string, std::string>> kinds = {
      {"no example of this database has the question's shape", "no example with the same slots"},
      {"content word more or less", "nearest example has a content word more or less"},
      {"content word", "nearest example differs in content words"},
      {"names a table or column", "nearest example differs in a schema word"},
      {"word edits costing", "nearest example: word edits cost too much"},
      {"the nearest example", "nearest example below the threshold"},
      {"not stored in", "value not stored in the example's column"},
      {"not part of any value", "value not stored in the example's column"},
      {"implied by words", "implied literal, content words differ"},
      {"is not a literal of its SQL", "slot not in the example's SQL"},
      {"disagree", "equally close examples disagree"},
      {"returns no rows", "empty result"},
      {"compared to no column", "literal compared to no column"},
      {"not plain numbers", "number-like slot differs"},
      {"does not resolve", "example SQL does not resolve"},
      {"fails", "substituted SQL fails"},
      {"appears twice", "ambiguous repeated value"},
  };
  for (const auto& [needle, kind] : kinds) {
    if (reason.find(needle) != std::string::npos) return kind;
  }
  return "other: " + reason.substr(0, 60);
}

int run(const Args& args) {
  const std::string root = args.data + "/spider_train";
  auto dataset = eval::load_dataset(root + "/train.json");
  if (!dataset.ok()) {
    std::fprintf(stderr, "bench_offline_answer: %s\n", dataset.status().message().c_str());
    return 1;
  }
  // Split: every holdout-th question of each database.
  std::map<std::string, std::vector<size_t>> held_by_db;
  std::vector<index::ExamplePair> pairs;
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < dataset->examples.size(); ++i) {
    const eval::Example& ex = dataset->examples[i];
    if (!fs::exists(root + "/database/" + ex.db_id + "/" + ex.db_id + ".sqlite")) continue;
    if (seen[ex.db_id]++ % args.holdout == args.holdout - 1) {
      held_by_db[ex.db_id].push_back(i);
    } else {
      pairs.push_back({ex.db_id, ex.question, "", ex.gold_sql});
    }
  }
  std::vector<std::string> dbs;
  for (const auto& [db, _] : held_by_db) dbs.push_back(db);
  if (args.limit_dbs > 0 && dbs.size() > args.limit_dbs) dbs.resize(args.limit_dbs);
  size_t held_total = 0;
  for (const std::string& db : dbs) held_total += held_by_db[db].size();

  auto t0 = Clock::now();
  index::ExampleStoreOptions so;
  so.dimension = 64;  // the answerer does not use the embeddings
  auto store = index::ExampleStore::build(pairs, so);
  if (!store.ok()) {
    std::fprintf(stderr, "bench_offline_answer: %s\n", store.status().message().c_str());
    return 1;
  }
  std::printf("spider_train: %zu databases, %zu examples in the store, %zu held out (every %zu-th per database)\n",
              dbs.size(), pairs.size(), held_total, args.holdout);
  std::printf(
      "options: max_edit_cost %.2f, max_content_edits %zu, content insertions %s, schema-word edits %s, keep "
      "literals despite content edits %s, reject empty results %s\n",
      args.options.max_edit_cost, args.options.max_content_edits, args.options.allow_content_insertions ? "yes" : "no",
      args.options.refuse_schema_word_edits ? "no" : "yes",
      args.options.keep_literals_despite_content_edits ? "yes" : "no", args.options.reject_empty_result ? "yes" : "no");

  std::vector<Outcome> outcomes;
  std::mutex mu;
  std::atomic<size_t> next{0};
  double answer_ms = 0.0;
  size_t answer_calls = 0;
  auto worker = [&]() {
    for (size_t d = next++; d < dbs.size(); d = next++) {
      const std::string& db_id = dbs[d];
      const std::string path = root + "/database/" + db_id + "/" + db_id + ".sqlite";
      std::vector<Outcome> local;
      auto conn = db::open_connection(path);
      auto catalog = conn.ok() ? (*conn)->introspect() : Result<catalog::Catalog>(conn.status());
      if (!conn.ok() || !catalog.ok()) {
        std::fprintf(stderr, "%s: %s\n", db_id.c_str(),
                     (conn.ok() ? catalog.status() : conn.status()).message().c_str());
        continue;
      }
      index::ValueIndexOptions vo;
      vo.build_fts5 = false;
      auto values = index::ValueIndex::build(**conn, *catalog, vo);
      if (!values.ok()) {
        std::fprintf(stderr, "%s: %s\n", db_id.c_str(), values.status().message().c_str());
        continue;
      }
      pipeline::OfflineOptions options = args.options;
      options.min_score = 0.0;  // every threshold from one run
      pipeline::OfflineAnswerer answerer(*store, *catalog, &*values, db_id, options);
      double ms = 0.0;
      for (size_t i : held_by_db[db_id]) {
        const eval::Example& ex = dataset->examples[i];
        Outcome o;
        o.db_id = db_id;
        o.question = ex.question;
        o.gold = ex.gold_sql;
        auto t = Clock::now();
        pipeline::OfflineAnswer a = answerer.answer(ex.question, conn->get());
        ms += std::chrono::duration<double, std::milli>(Clock::now() - t).count();
        o.masked = a.masked_question;
        if (!a.matched()) {
          o.reason = a.reason;
        } else {
          o.answered = true;
          o.score = a.match->score;
          o.sql = a.match->sql;
          o.example = a.match->example.question;
          db::QueryOptions qo;
          qo.timeout = std::chrono::milliseconds(30000);
          auto gold = (*conn)->execute(ex.gold_sql, qo);
          auto pred = (*conn)->execute(a.match->sql, qo);
          if (!gold.ok()) {
            o.gold_failed = true;
          } else if (pred.ok()) {
            o.correct = eval::spider_result_eq(gold->rows, pred->rows, eval::spider_order_matters(ex.gold_sql));
          }
        }
        local.push_back(std::move(o));
      }
      std::lock_guard<std::mutex> lock(mu);
      answer_ms += ms;
      answer_calls += held_by_db[db_id].size();
      for (Outcome& o : local) outcomes.push_back(std::move(o));
    }
  };
  std::vector<std::thread> threads;
  for (size_t j = 0; j < std::max<size_t>(args.jobs, 1); ++j) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  size_t gold_failed = 0;
  for (const Outcome& o : outcomes) gold_failed += o.gold_failed ? 1 : 0;
  const size_t n = outcomes.size();
  std::printf(
      "%zu held-out questions answered in %.1f s (value indexes included); %.2f ms per answer() call; "
      "%zu answered items whose gold SQL fails are left out\n\n",
      n, seconds, answer_calls ? answer_ms / static_cast<double>(answer_calls) : 0.0, gold_failed);
  std::printf("| min_score | answered | coverage | correct | precision | correct of all |\n");
  std::printf("|---|---|---|---|---|---|\n");
  const size_t scored = n - gold_failed;
  for (double t : {1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.0}) {
    size_t answered = 0, correct = 0;
    for (const Outcome& o : outcomes) {
      if (!o.answered || o.gold_failed || o.score < t - 1e-12) continue;
      ++answered;
      correct += o.correct ? 1 : 0;
    }
    std::printf("| %.2f%s | %zu | %.1f%% | %zu | %.1f%% | %.1f%% |\n", t,
                std::fabs(t - pipeline::OfflineOptions{}.min_score) < 1e-9 ? " (default)" : "", answered,
                scored ? 100.0 * static_cast<double>(answered) / static_cast<double>(scored) : 0.0, correct,
                answered ? 100.0 * static_cast<double>(correct) / static_cast<double>(answered) : 0.0,
                scored ? 100.0 * static_cast<double>(correct) / static_cast<double>(scored) : 0.0);
  }
  std::map<std::string, size_t> reasons;
  for (const Outcome& o : outcomes) {
    if (!o.answered) ++reasons[reason_kind(o.reason)];
  }
  std::vector<std::pair<size_t, std::string>> sorted;
  for (const auto& [k, v] : reasons) sorted.emplace_back(v, k);
  std::sort(sorted.rbegin(), sorted.rend());
  std::printf("\nunanswered (at min_score 0), by reason:\n");
  for (const auto& [count, kind] : sorted) std::printf("  %5zu  %s\n", count, kind.c_str());
  size_t shown = 0;
  for (const Outcome& o : outcomes) {
    if (shown >= args.misses) break;
    if (!o.answered || o.correct || o.gold_failed) continue;
    ++shown;
    std::printf("\nwrong (%s, score %.2f): %s\n  example: %s\n  answer:  %s\n  gold:    %s\n", o.db_id.c_str(), o.score,
                o.question.c_str(), o.example.c_str(), o.sql.c_str(), o.gold.c_str());
  }
  shown = 0;
  for (const Outcome& o : outcomes) {
    if (shown >= args.unanswered) break;
    if (o.answered) continue;
    ++shown;
    std::printf("\nunanswered (%s): %s\n  masked: %s\n  reason: %s\n", o.db_id.c_str(), o.question.c_str(),
                o.masked.c_str(), o.reason.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_offline_answer: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data") {
      args.data = value();
    } else if (a == "--holdout") {
      args.holdout = std::max<size_t>(2, std::stoul(value()));
    } else if (a == "--jobs") {
      args.jobs = std::stoul(value());
    } else if (a == "--limit-dbs") {
      args.limit_dbs = std::stoul(value());
    } else if (a == "--max-edit-cost") {
      args.options.max_edit_cost = std::stod(value());
    } else if (a == "--max-content-edits") {
      args.options.max_content_edits = std::stoul(value());
    } else if (a == "--content-insertions") {
      args.options.allow_content_insertions = true;
    } else if (a == "--schema-word-edits") {
      args.options.refuse_schema_word_edits = false;
    } else if (a == "--keep-literals") {
      args.options.keep_literals_despite_content_edits = true;
    } else if (a == "--keep-empty") {
      args.options.reject_empty_result = false;
    } else if (a == "--unanswered") {
      args.unanswered = std::stoul(value());
    } else if (a == "--misses") {
      args.misses = std::stoul(value());
    } else {
      std::fprintf(stderr,
                   "usage: bench_offline_answer [--data DIR] [--holdout N] [--jobs N] [--limit-dbs N] "
                   "[--max-edit-cost X] [--max-content-edits N] [--content-insertions] [--schema-word-edits] "
                   "[--keep-literals] [--keep-empty] [--misses N] "
                   "[--unanswered N]\n");
      return 2;
    }
  }
  return run(args);
}
