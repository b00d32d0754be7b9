// `askguru retrieve --db F "question"`: the values, columns and examples retrieved
// for one question. `askguru retrieve --dataset F --db-root D --out retrieved.jsonl`:
// the same for every question of a BIRD/Spider dataset, one JSON line each, in
// dataset order, building missing artifacts on the way.
#include <cstdio>

#include "artifact_flags.h"
#include "askguru/common/text.h"
#include "subcommand.h"

namespace {

struct Flags {
  std::string db;
  std::string question;
  std::string evidence;
  std::string dataset;
  std::string db_root;
  std::string out;
  std::string examples;
  bool keep_self = false;
  size_t values_k = 10;
  size_t columns_k = 10;
  size_t examples_k = 5;
  size_t jobs = 0;
  bool json = false;
  askguru::cli::ArtifactFlags artifacts;
};

void run_batch(const Flags& flags) {
  using namespace askguru;
  if (flags.db_root.empty() || flags.out.empty()) cli::fail("--dataset needs --db-root and --out");
  index::BatchRetrievalOptions o;
  o.dataset = flags.dataset;
  o.db_root = flags.db_root;
  o.out = flags.out;
  o.examples = flags.examples;
  o.exclude_self = !flags.keep_self;
  o.jobs = flags.jobs;
  o.artifacts = flags.artifacts.options();
  o.query.values_k = flags.values_k;
  o.query.columns_k = flags.columns_k;
  o.query.examples_k = flags.examples_k;
  o.quiet = flags.artifacts.quiet;
  auto stats = index::retrieve_dataset(o);
  if (!stats.ok()) cli::fail(stats.status());
  std::printf("%zu questions over %zu databases (%zu built now, %zu failed) in %.1f s -> %s\n", stats->questions,
              stats->databases, stats->built, stats->failed, stats->seconds, flags.out.c_str());
  if (stats->failed > 0) throw cli::Exit{2};
}

void run(const Flags& flags) {
  using namespace askguru;
  if (!flags.dataset.empty()) return run_batch(flags);
  if (flags.db.empty() || flags.question.empty()) cli::fail("give --db F \"question\", or --dataset F --db-root D --out F");
  auto artifacts = index::DatabaseArtifacts::open(flags.db, flags.artifacts.options());
  if (!artifacts.ok()) cli::fail(artifacts.status());
  std::unique_ptr<index::ExampleStore> store;
  if (!flags.examples.empty()) {
    const index::DatabaseArtifacts& a = *artifacts;
    auto values_for = [&a](const std::string& db_id) -> const index::ValueIndex* {
      return db_id == a.catalog().db_id ? &a.values() : nullptr;
    };
    auto opened = index::open_example_store(flags.examples, flags.artifacts.root, false, values_for, flags.artifacts.quiet);
    if (!opened.ok()) cli::fail(opened.status());
    store = std::make_unique<index::ExampleStore>(std::move(opened->second));
    artifacts->use_examples(store.get());
  }
  index::RetrievalQuery q;
  q.question = flags.question;
  q.evidence = flags.evidence;
  q.values_k = flags.values_k;
  q.columns_k = flags.columns_k;
  q.examples_k = flags.examples_k;
  if (!flags.keep_self) q.exclude_question = flags.question;
  auto r = artifacts->retrieve(q);
  if (!r.ok()) cli::fail(r.status());
  if (flags.json) {
    std::printf("%s\n", index::retrieval_to_json(*r).c_str());
    return;
  }
  std::printf("values:\n");
  if (r->values.empty()) std::printf("  (none)\n");
  for (const auto& v : r->values) {
    std::printf("  %.3f  %s.%s = '%s'  (from \"%s\")\n", v.score, v.table.c_str(), v.column.c_str(), v.value.c_str(),
                v.keyword.c_str());
  }
  std::printf("columns:\n");
  for (const auto& c : r->columns) std::printf("  %.3f  %s.%s\n", c.score, c.table.c_str(), c.column.c_str());
  if (artifacts->examples()) {
    std::printf("examples:\n");
    if (r->examples.empty()) std::printf("  (none)\n");
    for (const auto& e : r->examples) {
      std::printf("  %.3f  [%s%s] %s\n         %s\n", e.score, e.example.db_id.c_str(), e.same_db ? "" : ", other db",
                  e.example.question.c_str(), text::ellipsize(e.example.sql, 200).c_str());
    }
  }
}

void setup(CLI::App& sub) {
  auto flags = std::make_shared<Flags>();
  sub.add_option("--db", flags->db, "database: an SQLite file, postgresql://... or odbc:...");
  sub.add_option("question", flags->question, "the question");
  sub.add_option("--evidence", flags->evidence, "BIRD evidence for the question");
  sub.add_option("--dataset", flags->dataset, "batch: a BIRD or Spider dataset (JSON)");
  sub.add_option("--db-root", flags->db_root, "batch: folder with <db_id>/<db_id>.sqlite");
  sub.add_option("--out", flags->out, "batch: write one JSON line per question here");
  sub.add_option("--examples", flags->examples,
                 "question/SQL pairs (train.json) for examples (default: the store `askguru index` attached)");
  sub.add_flag("--keep-self", flags->keep_self, "allow the asked question itself among the examples");
  sub.add_option("--values-k", flags->values_k, "values per question")->capture_default_str();
  sub.add_option("--columns-k", flags->columns_k, "columns per question")->capture_default_str();
  sub.add_option("--examples-k", flags->examples_k, "examples per question")->capture_default_str();
  sub.add_option("-j,--jobs", flags->jobs, "batch: databases in parallel (default: one per core)");
  sub.add_flag("--json", flags->json, "machine-readable output");
  flags->artifacts.add(sub, true);
  sub.callback([flags] { run(*flags); });
}

const askguru::cli::Registration reg("retrieve", "Values, columns and examples for a question (or a whole dataset)",
                                     setup);

}  // namespace
