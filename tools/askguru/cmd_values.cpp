// `askguru values --db F "keyword" [-k 10] [--generator lsh|fts5] [--question]`:
// the stored values most similar to a keyword and its word n-grams ("Angela Sanders"
// finds first_name 'Angela' and last_name 'Sanders'), or to a question's n-grams.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "artifact_flags.h"
#include "subcommand.h"

namespace {

struct Flags {
  std::string db;
  std::string keyword;
  std::string evidence;
  size_t k = 10;
  std::string generator = "lsh";
  bool question = false;
  bool json = false;
  askguru::cli::ArtifactFlags artifacts;
};

void run(const Flags& flags) {
  using namespace askguru;
  auto generator = index::parse_candidate_generator(flags.generator);
  if (!generator.ok()) cli::fail(generator.status());
  auto artifacts = index::DatabaseArtifacts::open(flags.db, flags.artifacts.options());
  if (!artifacts.ok()) cli::fail(artifacts.status());
  index::ValueQueryOptions q;
  q.top_k = flags.k;
  q.generator = *generator;
  std::vector<index::ValueHit> hits = flags.question
                                          ? artifacts->values().search_question(flags.keyword, flags.evidence, q)
                                          : artifacts->values().search_keywords(index::question_keywords(flags.keyword), q);
  if (flags.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& h : hits) {
      out.push_back({{"table", h.table}, {"column", h.column}, {"value", h.value}, {"score", h.score}, {"keyword", h.keyword}});
    }
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  if (hits.empty()) std::printf("no stored value is similar to '%s'\n", flags.keyword.c_str());
  for (const auto& h : hits) {
    std::printf("%.3f  %s.%s = '%s'", h.score, h.table.c_str(), h.column.c_str(), h.value.c_str());
    if (flags.question) std::printf("  (from \"%s\")", h.keyword.c_str());
    std::printf("\n");
  }
}

void setup(CLI::App& sub) {
  auto flags = std::make_shared<Flags>();
  sub.add_option("--db", flags->db, "database: an SQLite file, postgresql://... or odbc:...")->required();
  sub.add_option("keyword", flags->keyword, "a keyword (or, with --question, a question)")->required();
  sub.add_option("-k,--top", flags->k, "how many values")->capture_default_str();
  sub.add_option("--generator", flags->generator, "candidate generator: lsh or fts5")->capture_default_str();
  sub.add_flag("--question", flags->question, "treat the text as a question (stop words, evidence); a keyword is looked up with its word n-grams too");
  sub.add_option("--evidence", flags->evidence, "with --question: BIRD evidence, searched too");
  sub.add_flag("--json", flags->json, "machine-readable output");
  flags->artifacts.add(sub, false);
  sub.callback([flags] { run(*flags); });
}

const askguru::cli::Registration reg("values", "Find the stored spellings of a keyword (value index)", setup);

}  // namespace
