#include "askguru/index/retriever.h"

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "askguru/catalog/catalog_json.h"
#include "askguru/common/files.h"
#include "askguru/common/progress.h"
#include "askguru/common/thread_pool.h"
#include "askguru/eval/dataset.h"
#include "askguru/common/hash.h"
#include "askguru/common/text.h"
#include "askguru/db/connection.h"
#include "askguru/index/embedder.h"
#include "askguru/profile/artifacts.h"
#include "askguru/profile/profiler.h"
#include "askguru/sql/analysis.h"
#include "askguru/sql/parser.h"

namespace askguru::index {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
constexpr int kFormat = 1;
constexpr const char* kManifest = "retrieval.json";

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string safe_name(std::string_view s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
  return out.empty() ? "db" : out;
}

}  // namespace

std::string default_artifact_root() { return profile::default_artifacts_root(); }

struct DatabaseArtifacts::Impl {
  std::string dir;
  std::string fingerprint;
  catalog::Catalog catalog;
  ValueIndex values;
  ColumnIndex columns;
  std::unique_ptr<ExampleStore> own_examples;
  const ExampleStore* examples = nullptr;
  BuildStats stats;
  json manifest;
  // Columns of the example store's SQL (by example id), parsed against the catalog once.
  mutable std::mutex example_mutex;
  mutable std::unordered_map<size_t, std::vector<std::pair<std::string, std::string>>> example_cache;

  std::vector<std::pair<std::string, std::string>> example_columns(size_t id, const std::string& sql) const {
    {
      std::lock_guard lock(example_mutex);
      auto it = example_cache.find(id);
      if (it != example_cache.end()) return it->second;
    }
    std::vector<std::pair<std::string, std::string>> out;
    auto ast = sql::parse(sql, catalog.dialect);
    if (ast.ok()) {
      auto analysis = sql::analyze(*ast, catalog);
      if (analysis.ok()) {
        std::set<std::pair<std::string, std::string>> seen;
        for (const sql::ColumnUse& c : analysis->columns) {
          if (c.star || c.alias_reference || c.table.empty() || c.instance < 0) continue;
          if (seen.insert({c.table, c.column}).second) out.emplace_back(c.table, c.column);
        }
      }
    }
    std::lock_guard lock(example_mutex);
    example_cache.emplace(id, out);
    return out;
  }
};

DatabaseArtifacts::DatabaseArtifacts() : impl_(std::make_unique<Impl>()) {}
DatabaseArtifacts::~DatabaseArtifacts() = default;
DatabaseArtifacts::DatabaseArtifacts(DatabaseArtifacts&&) noexcept = default;
DatabaseArtifacts& DatabaseArtifacts::operator=(DatabaseArtifacts&&) noexcept = default;

const catalog::Catalog& DatabaseArtifacts::catalog() const { return impl_->catalog; }
const ValueIndex& DatabaseArtifacts::values() const { return impl_->values; }
const ColumnIndex& DatabaseArtifacts::columns() const { return impl_->columns; }
const ExampleStore* DatabaseArtifacts::examples() const { return impl_->examples; }
void DatabaseArtifacts::use_examples(const ExampleStore* store) { impl_->examples = store; }
const std::string& DatabaseArtifacts::dir() const { return impl_->dir; }
const std::string& DatabaseArtifacts::fingerprint() const { return impl_->fingerprint; }
const BuildStats& DatabaseArtifacts::stats() const { return impl_->stats; }

Result<DatabaseArtifacts> DatabaseArtifacts::open(const std::string& db_path, const ArtifactOptions& options) {
  auto start = std::chrono::steady_clock::now();
  if (auto file = db::sqlite_file_of(db_path); file && !files::exists(*file)) {
    return make_error(ErrorCode::kNotFound, "no database " + *file);
  }
  profile::ArtifactOptions artifact_options;
  artifact_options.root = options.root;
  artifact_options.force = options.force;  // empties the directory
  AG_ASSIGN_OR_RETURN(profile::ArtifactDir adir, profile::ArtifactDir::open(db_path, artifact_options));
  DatabaseArtifacts out;
  Impl& impl = *out.impl_;
  impl.fingerprint = adir.fingerprint();
  impl.dir = adir.dir();
  const std::string manifest_path = adir.path(kManifest);

  // A complete build of this very database content is reused.
  bool reuse = false;
  if (!options.force && files::exists(manifest_path)) {
    auto text = files::read_file(manifest_path);
    if (text.ok()) {
      json m = json::parse(*text, nullptr, false);
      const std::string embedder = m.is_object() ? m.value("column_embedder", "") : "";
      const bool same_embedder = options.embedder ? embedder == options.embedder->name()
                                                  : embedder.rfind("lexical-", 0) == 0;
      reuse = m.is_object() && m.value("format", 0) == kFormat && m.value("fingerprint", "") == impl.fingerprint &&
              m.value("deny", json::array()) == json(options.deny) && same_embedder;
      if (!same_embedder && !options.build_missing) {
        return make_error(ErrorCode::kInvalidArgument,
                          impl.dir + ": the column index was built with embedder '" + embedder + "', not '" +
                              (options.embedder ? options.embedder->name() : std::string("lexical")) +
                              "'; rebuild it with askguru index --db " + db_path + " and that embedder");
      }
      if (reuse) impl.manifest = std::move(m);
    }
  }
  if (reuse) {
    auto catalog = adir.load_catalog();
    if (catalog.ok()) {
      // Built under another policy (it denied other columns, or none): rebuild.
      profile::ProfileOptions denial;
      denial.deny = options.deny;
      denial.allow = options.allow;
      if (profile::denied_columns(*catalog, denial) != catalog->profile.deny) {
        catalog = make_error(ErrorCode::kInvalidArgument, "built under another policy");
      }
    }
    auto values = catalog.ok() ? ValueIndex::load(impl.dir) : Result<ValueIndex>(catalog.status());
    auto columns = values.ok() ? ColumnIndex::load(impl.dir, options.embedder) : Result<ColumnIndex>(values.status());
    if (columns.ok()) {
      impl.catalog = std::move(*catalog);
      impl.values = std::move(*values);
      impl.columns = std::move(*columns);
      std::string store = impl.manifest.value("examples", "");
      if (!store.empty()) {
        auto loaded = ExampleStore::load(store);
        if (loaded.ok()) {
          impl.own_examples = std::make_unique<ExampleStore>(std::move(*loaded));
          impl.examples = impl.own_examples.get();
        }
      }
      impl.stats.load_seconds = since(start);
      impl.stats.bytes = adir.size_bytes();
      return out;
    }
    // A damaged build: rebuild it below.
  }
  if (!options.build_missing) {
    return make_error(ErrorCode::kNotFound,
                      "no index for " + adir.display() + " in " + impl.dir + "; run askguru index --db " + adir.display());
  }
  std::error_code ec;
  fs::remove(manifest_path, ec);
  impl.stats.built = true;

  auto t = std::chrono::steady_clock::now();
  profile::ProfileOptions profile_options;
  profile_options.jobs = options.profile_jobs;
  profile_options.deny = options.deny;
  profile_options.allow = options.allow;
  profile_options.descriptions_dir = options.descriptions_dir;
  profile_options.tables_json = options.tables_json;
  profile_options.progress = !options.quiet;
  artifact_options.force = false;  // already emptied above when forced
  AG_ASSIGN_OR_RETURN(impl.catalog, profile::profiled_catalog(adir, profile_options));
  if (impl.catalog.db_id.empty()) impl.catalog.db_id = adir.db_id();
  impl.stats.catalog_seconds = since(t);

  t = std::chrono::steady_clock::now();
  AG_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> connection, db::open_connection(db_path));
  ValueIndexOptions value_options = options.values;
  value_options.quiet = options.quiet;
  value_options.excluded_columns.insert(value_options.excluded_columns.end(), options.deny.begin(), options.deny.end());
  // What the profile denied (the deny list and the policy's allow), spelled "table.column".
  value_options.excluded_columns.insert(value_options.excluded_columns.end(), impl.catalog.profile.deny.begin(),
                                        impl.catalog.profile.deny.end());
  AG_ASSIGN_OR_RETURN(impl.values, ValueIndex::build(*connection, impl.catalog, value_options));
  AG_RETURN_IF_ERROR(impl.values.save(impl.dir));
  impl.stats.values_seconds = since(t);

  t = std::chrono::steady_clock::now();
  ColumnIndexOptions column_options = options.columns;
  column_options.excluded_columns.insert(column_options.excluded_columns.end(), options.deny.begin(), options.deny.end());
  AG_ASSIGN_OR_RETURN(impl.columns, ColumnIndex::build(impl.catalog, column_options, options.embedder));
  AG_RETURN_IF_ERROR(impl.columns.save(impl.dir));
  impl.stats.columns_seconds = since(t);

  impl.manifest = json{{"format", kFormat},
                       {"db", adir.display()},  // never a password
                       {"db_id", impl.catalog.db_id},
                       {"fingerprint", impl.fingerprint},
                       {"deny", options.deny},
                       {"values", impl.values.value_count()},
                       {"value_columns", impl.values.columns().size()},
                       {"columns", impl.columns.documents().size()},
                       {"column_embedder", impl.columns.embedder_name()}};
  AG_RETURN_IF_ERROR(files::write_file(manifest_path, impl.manifest.dump(2)));
  impl.stats.bytes = adir.size_bytes();
  return out;
}

Status DatabaseArtifacts::attach_examples(const std::string& store_dir) {
  Impl& impl = *impl_;
  AG_ASSIGN_OR_RETURN(ExampleStore store, ExampleStore::load(store_dir));
  impl.own_examples = std::make_unique<ExampleStore>(std::move(store));
  impl.examples = impl.own_examples.get();
  impl.manifest["examples"] = fs::absolute(store_dir).string();
  return files::write_file((fs::path(impl.dir) / kManifest).string(), impl.manifest.dump(2));
}

Result<Retrieval> DatabaseArtifacts::retrieve(const RetrievalQuery& query) const {
  const Impl& impl = *impl_;
  Retrieval out;
  ValueQueryOptions vq = query.value_options;
  vq.top_k = query.values_k;
  out.values = impl.values.search_question(query.question, query.evidence, vq);
  ColumnQueryOptions cq = query.column_options;
  cq.top_k = query.columns_k;
  cq.value_hits = &out.values;
  ExampleQuery eq;
  eq.db_id = impl.catalog.db_id;
  eq.exclude_question = query.exclude_question;
  eq.exclude_sql = query.exclude_sql;
  eq.values = &impl.values;
  std::vector<ColumnHit> example_columns;
  if (impl.examples && query.example_columns_k > 0 && cq.example_weight > 0) {
    ExampleQuery similar = eq;
    similar.top_k = query.example_columns_k;
    similar.diverse = false;
    similar.same_db_only = true;
    AG_ASSIGN_OR_RETURN(std::vector<ExampleHit> hits, impl.examples->search(query.question, similar));
    for (const ExampleHit& h : hits) {
      if (!h.same_db) continue;
      for (const auto& [table, column] : impl.example_columns(h.id, h.example.sql)) {
        example_columns.push_back({table, column, h.score});
      }
    }
    cq.example_columns = &example_columns;
  }
  AG_ASSIGN_OR_RETURN(out.columns, impl.columns.search(query.question, query.evidence, cq));
  if (impl.examples && query.examples_k > 0) {
    eq.top_k = query.examples_k;
    AG_ASSIGN_OR_RETURN(out.examples, impl.examples->search(query.question, eq));
  }
  return out;
}

Result<std::pair<std::string, ExampleStore>> open_example_store(
    const std::string& dataset_path, const std::string& root, bool force,
    const std::function<const ValueIndex*(const std::string&)>& values_for, bool quiet) {
  AG_ASSIGN_OR_RETURN(uint64_t file_hash, hash::file_xxh64(dataset_path));
  const std::string base = root.empty() ? default_artifact_root() : root;  // NOLINT
  const std::string dir = (fs::path(base) / "examples" /
                           (safe_name(fs::path(dataset_path).stem().string()) + "-" + hash::hex64(file_hash)))
                              .string();
  if (!force && files::exists((fs::path(dir) / "examples.bin").string())) {
    auto loaded = ExampleStore::load(dir);
    if (loaded.ok()) return std::pair{dir, std::move(*loaded)};
  }
  AG_ASSIGN_OR_RETURN(std::vector<ExamplePair> pairs, ExampleStore::read_pairs(dataset_path));
  ExampleStoreOptions options;
  options.values_for = values_for;
  options.quiet = quiet;
  AG_ASSIGN_OR_RETURN(ExampleStore store, ExampleStore::build(std::move(pairs), options));
  AG_RETURN_IF_ERROR(store.save(dir));
  return std::pair{dir, std::move(store)};
}


std::string retrieval_to_json(const Retrieval& r, int64_t index) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();  // keys in the documented order
  if (index >= 0) j["index"] = index;
  nlohmann::ordered_json values = nlohmann::ordered_json::array();
  for (const ValueHit& v : r.values) {
    values.push_back({{"table", v.table}, {"column", v.column}, {"value", v.value}, {"score", v.score}});
  }
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (const ColumnHit& c : r.columns) columns.push_back({{"table", c.table}, {"column", c.column}, {"score", c.score}});
  nlohmann::ordered_json examples = nlohmann::ordered_json::array();
  for (const ExampleHit& e : r.examples) {
    examples.push_back({{"db_id", e.example.db_id},
                        {"question", e.example.question},
                        {"sql", e.example.sql},
                        {"score", e.score},
                        {"same_db", e.same_db}});
  }
  j["values"] = std::move(values);
  j["columns"] = std::move(columns);
  j["examples"] = std::move(examples);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<BatchRetrievalStats> retrieve_dataset(const BatchRetrievalOptions& options) {
  auto start = std::chrono::steady_clock::now();
  AG_ASSIGN_OR_RETURN(eval::Dataset dataset, eval::load_dataset(options.dataset));
  if (dataset.format == eval::DatasetFormat::kGoldLines) {
    return make_error(ErrorCode::kInvalidArgument, options.dataset + ": batch retrieval needs questions (BIRD or Spider JSON)");
  }
  BatchRetrievalStats stats;
  stats.questions = dataset.examples.size();
  std::map<std::string, std::vector<size_t>> by_db;
  for (size_t i = 0; i < dataset.examples.size(); ++i) by_db[dataset.examples[i].db_id].push_back(i);
  std::vector<std::string> db_ids;
  for (const auto& [db, _] : by_db) db_ids.push_back(db);
  stats.databases = db_ids.size();

  const std::string root = options.artifacts.root.empty() ? default_artifact_root() : options.artifacts.root;
  std::unique_ptr<ExampleStore> store;
  if (!options.examples.empty()) {
    AG_ASSIGN_OR_RETURN(auto opened, open_example_store(options.examples, root, options.artifacts.force, nullptr, options.quiet));
    store = std::make_unique<ExampleStore>(std::move(opened.second));
  }
  std::vector<std::string> lines(dataset.examples.size());
  std::mutex mutex;
  Progress progress("retrieve", dataset.examples.size(), options.quiet);
  parallel_for(db_ids.size(), options.jobs, [&](size_t d) {
    const std::string& db_id = db_ids[d];
    const std::vector<size_t>& items = by_db[db_id];
    const std::string path = (fs::path(options.db_root) / db_id / (db_id + ".sqlite")).string();
    auto fail_all = [&](const Status& status) {
      for (size_t i : items) {
        nlohmann::ordered_json j{{"index", i}, {"error", status.message()}, {"values", json::array()},
                                 {"columns", json::array()}, {"examples", json::array()}};
        lines[i] = j.dump(-1, ' ', false, json::error_handler_t::replace);
      }
      std::lock_guard lock(mutex);
      stats.failed += items.size();
    };
    Result<DatabaseArtifacts> artifacts = files::exists(path)
                                              ? DatabaseArtifacts::open(path, options.artifacts)
                                              : Result<DatabaseArtifacts>(make_error(ErrorCode::kNotFound, "no database " + path));
    if (!artifacts.ok()) {
      fail_all(artifacts.status());
      progress.tick(items.size());
      return;
    }
    if (artifacts->stats().built) {
      std::lock_guard lock(mutex);
      ++stats.built;
    }
    if (store) artifacts->use_examples(store.get());
    for (size_t i : items) {
      const eval::Example& e = dataset.examples[i];
      RetrievalQuery q = options.query;
      q.question = e.question;
      q.evidence = e.evidence;
      if (options.exclude_self) q.exclude_question = e.question;
      auto r = artifacts->retrieve(q);
      if (r.ok()) {
        lines[i] = retrieval_to_json(*r, static_cast<int64_t>(i));
      } else {
        nlohmann::ordered_json j{{"index", i}, {"error", r.error()}, {"values", json::array()},
                                 {"columns", json::array()}, {"examples", json::array()}};
        lines[i] = j.dump(-1, ' ', false, json::error_handler_t::replace);
        std::lock_guard lock(mutex);
        ++stats.failed;
      }
      progress.tick();
    }
  });
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  AG_RETURN_IF_ERROR(files::write_file(options.out, out));
  stats.seconds = since(start);
  progress.finish(std::to_string(stats.databases) + " databases, " + std::to_string(stats.built) + " built");
  return stats;
}

}  // namespace askguru::index
