#include "askguru/index/example_store.h"

#include <faiss/IndexFlat.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "askguru/common/files.h"
#include "askguru/common/progress.h"
#include "askguru/common/text.h"
#include "askguru/eval/dataset.h"
#include "askguru/index/binary_io.h"
#include "askguru/index/embedder.h"
#include "askguru/index/keywords.h"
#include "askguru/index/lexical_embedder.h"
#include "askguru/index/value_index.h"
#include "askguru/sql/lexer.h"
#include "askguru/sql/normalize.h"
#include "askguru/sql/parser.h"

namespace askguru::index {
namespace {

constexpr std::string_view kMagic = "AGEXMP01";
constexpr const char* kExamplesFile = "examples.bin";
constexpr const char* kFaissFile = "examples.faiss";
constexpr const char* kEmbedderFile = "example_embedder.bin";

bool is_word_char(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }

struct Piece {
  std::string text;
  bool word = false;
  bool sentence_start = false;
  std::string mask;  // non-empty: replaced by this (consecutive equal masks of one span merge)
  int span = -1;     // which masked span it belongs to
};

bool is_number_word(std::string_view w) {
  bool digit = false;
  for (char c : w) digit = digit || std::isdigit(static_cast<unsigned char>(c)) != 0;
  if (!digit) return false;
  // 40, 3.5, 1,000, 1990s, 2nd, 10th, 5k
  size_t letters = 0;
  for (char c : w) letters += std::isalpha(static_cast<unsigned char>(c)) ? 1 : 0;
  return letters <= 2;
}

bool is_capitalised(std::string_view w) { return !w.empty() && std::isupper(static_cast<unsigned char>(w[0])) != 0; }

std::string key_of(std::string_view q) { return text::to_lower(text::trim(q)); }

// A SQL for equality up to case, white space, quote style and a final semicolon.
std::string sql_key(std::string_view sql) {
  std::string out;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    out += c == '"' ? '\'' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  while (!out.empty() && out.back() == ';') out.pop_back();
  return out;
}

}  // namespace

std::string mask_question(std::string_view question, const ValueIndex* values) {
  // 1. Pieces: words, quoted strings (masked at once) and the separators between them.
  std::vector<Piece> pieces;
  bool sentence_start = true;
  size_t i = 0;
  while (i < question.size()) {
    auto c = static_cast<unsigned char>(question[i]);
    if ((c == '"' || c == '\'') && !(c == '\'' && i > 0 && is_word_char(static_cast<unsigned char>(question[i - 1])))) {
      size_t end = question.find(static_cast<char>(c), i + 1);
      if (end != std::string_view::npos && end > i + 1) {
        pieces.push_back({std::string(question.substr(i, end - i + 1)), false, false, "[STR]", -1});
        sentence_start = false;
        i = end + 1;
        continue;
      }
    }
    if (!is_word_char(c)) {
      size_t j = i;
      while (j < question.size() && !is_word_char(static_cast<unsigned char>(question[j])) && question[j] != '"' &&
             !(question[j] == '\'' && !(j > 0 && is_word_char(static_cast<unsigned char>(question[j - 1]))))) {
        if (question[j] == '.' || question[j] == '?' || question[j] == '!' || question[j] == ';') sentence_start = true;
        ++j;
      }
      if (j == i) j = i + 1;  // a lone quote that opens nothing
      pieces.push_back({std::string(question.substr(i, j - i)), false, false, "", -1});
      i = j;
      continue;
    }
    size_t j = i;
    while (j < question.size()) {
      auto d = static_cast<unsigned char>(question[j]);
      if (is_word_char(d)) {
        ++j;
      } else if ((d == '\'' || d == '-' || d == '.' || d == ',' || d == '&') && j + 1 < question.size() &&
                 is_word_char(static_cast<unsigned char>(question[j + 1])) &&
                 (d != ',' || (std::isdigit(static_cast<unsigned char>(question[j - 1])) &&
                               std::isdigit(static_cast<unsigned char>(question[j + 1]))))) {
        ++j;
      } else {
        break;
      }
    }
    pieces.push_back({std::string(question.substr(i, j - i)), true, sentence_start, "", -1});
    sentence_start = false;
    i = j;
  }
  std::vector<size_t> words;
  for (size_t p = 0; p < pieces.size(); ++p) {
    if (pieces[p].word) words.push_back(p);
  }
  // Only spaces between two words keep them in one span.
  auto adjacent = [&](size_t a, size_t b) {  // word indices a < b, b == a + 1
    for (size_t p = words[a] + 1; p < words[b]; ++p) {
      if (!pieces[p].word && text::trim(pieces[p].text).size() > 0) return false;
    }
    return true;
  };
  int next_span = 0;
  auto mark = [&](size_t from, size_t to, const char* mask) {  // word indices [from, to)
    for (size_t w = from; w < to; ++w) {
      pieces[words[w]].mask = mask;
      pieces[words[w]].span = next_span;
    }
    ++next_span;
  };
  // 2. Numbers.
  for (size_t w = 0; w < words.size(); ++w) {
    if (is_number_word(pieces[words[w]].text)) mark(w, w + 1, "[NUM]");
  }
  // 3. Values stored in the database, longest first.
  if (values) {
    for (size_t n = 4; n >= 1; --n) {
      for (size_t w = 0; w + n <= words.size(); ++w) {
        bool free = true, joined = true, content = false;
        std::string phrase;
        for (size_t k = w; k < w + n; ++k) {
          free = free && pieces[words[k]].mask.empty();
          if (k > w) joined = joined && adjacent(k - 1, k);
          std::string lower = text::to_lower(pieces[words[k]].text);
          content = content || (!is_stop_word(lower) && lower.size() > 1);
          if (k > w) phrase += ' ';
          phrase += pieces[words[k]].text;
        }
        if (!free || !joined || !content) continue;
        if (values->contains(phrase)) mark(w, w + n, "[VAL]");
      }
    }
  }
  // 4. Capitalised entity spans ("Angela Sanders", "University of Michigan"); a lone
  // capitalised word at a sentence start is just the start of the sentence.
  for (size_t w = 0; w < words.size();) {
    const Piece& p = pieces[words[w]];
    if (!p.mask.empty() || !is_capitalised(p.text)) {
      ++w;
      continue;
    }
    size_t end = w + 1;
    while (end < words.size() && pieces[words[end]].mask.empty() && adjacent(end - 1, end)) {
      const std::string& t = pieces[words[end]].text;
      if (is_capitalised(t)) {
        ++end;
      } else if ((t == "of" || t == "the" || t == "de" || t == "and" || t == "&") && end + 1 < words.size() &&
                 is_capitalised(pieces[words[end + 1]].text) && adjacent(end, end + 1)) {
        end += 2;
      } else {
        break;
      }
    }
    const bool lone_start = end == w + 1 && p.sentence_start;
    const bool pronoun = end == w + 1 && p.text == "I";
    if (!lone_start && !pronoun) {
      // A sentence-initial question word is not part of the entity ("What Harvard ...").
      size_t from = w;
      if (p.sentence_start && is_stop_word(text::to_lower(p.text))) ++from;
      if (from < end) mark(from, end, "[ENT]");
    }
    w = end;
  }
  // 5. Emit, one mask per span (the spaces inside a span go with it).
  std::string out;
  int open_span = -1;
  for (size_t p = 0; p < pieces.size(); ++p) {
    const Piece& piece = pieces[p];
    if (!piece.word && piece.mask.empty() && open_span >= 0) {
      // Space inside a span: skip when the next word continues the span.
      size_t q = p + 1;
      if (q < pieces.size() && pieces[q].span == open_span && text::trim(piece.text).empty()) continue;
    }
    if (!piece.mask.empty()) {
      if (piece.span >= 0 && piece.span == open_span) continue;
      out += piece.mask;
      open_span = piece.span;
      continue;
    }
    open_span = -1;
    out += piece.text;
  }
  return out;
}

std::string sql_skeleton(std::string_view sql) {
  // sql::skeleton() with columns masked; table names masked too, so that skeletons
  // compare across databases ("SELECT COUNT(*) FROM _ WHERE _ > ?").
  auto ast = sql::parse(sql, Dialect::kSqlite);
  if (ast.ok()) {
    sql::SkeletonOptions options;
    options.mask_columns = true;
    std::string skeleton = sql::skeleton(*ast, options);
    std::vector<sql::Token> tokens;
    sql::LexError error;
    if (sql::tokenize(skeleton, Dialect::kSqlite, tokens, error)) {
      std::string out;
      size_t copied = 0;
      for (size_t i = 0; i + 1 < tokens.size(); ++i) {
        const bool table_slot = tokens[i].kw == sql::Kw::k_FROM || tokens[i].kw == sql::Kw::k_JOIN;
        const sql::Token& next = tokens[i + 1];
        if (table_slot && (next.type == sql::Tok::kWord || next.type == sql::Tok::kQuotedIdent) &&
            (next.kw == sql::Kw::kNone || !sql::is_reserved_keyword(next.kw))) {
          out.append(skeleton, copied, next.begin - copied);
          out += '_';
          copied = next.end;
        }
      }
      out.append(skeleton, copied, std::string::npos);
      return out;
    }
    return skeleton;
  }
  // Unparsable: keywords and punctuation kept, identifiers and literals masked.
  std::vector<sql::Token> tokens;
  sql::LexError error;
  if (!sql::tokenize(sql, Dialect::kSqlite, tokens, error)) return text::to_lower(text::trim(sql));
  std::string out;
  for (const sql::Token& t : tokens) {
    if (t.type == sql::Tok::kEof) break;
    std::string piece;
    switch (t.type) {
      case sql::Tok::kWord:
        piece = t.kw != sql::Kw::kNone && sql::is_reserved_keyword(t.kw) ? std::string(sql::keyword_text(t.kw)) : "_";
        break;
      case sql::Tok::kQuotedIdent:
      case sql::Tok::kString:
      case sql::Tok::kNumber:
      case sql::Tok::kBlob:
      case sql::Tok::kParam:
        piece = "_";
        break;
      default:
        piece = std::string(t.text(sql));
    }
    // "_ . _" (qualified names) and "_ ( _ )" function names stay one mask.
    if (piece == "_" && (out.ends_with("_") || out.ends_with("_."))) {
      if (out.ends_with("_.")) out.pop_back();
      continue;
    }
    if (piece == "." && out.ends_with("_")) {
      out += ".";
      continue;
    }
    if (!out.empty()) out += ' ';
    out += piece;
  }
  return out;
}

struct ExampleStore::Impl {
  std::vector<StoredExample> examples;
  std::shared_ptr<const Embedder> embedder;
  std::shared_ptr<const LexicalEmbedder> lexical;
  std::unique_ptr<faiss::IndexFlatIP> vectors;
  std::unordered_map<std::string, std::vector<uint32_t>> by_db;

  void derive() {
    by_db.clear();
    for (size_t i = 0; i < examples.size(); ++i) by_db[examples[i].db_id].push_back(static_cast<uint32_t>(i));
  }

  Result<std::vector<float>> embed_one(const std::string& masked) const {
    if (lexical) {
      std::vector<float> v(lexical->dimension());
      lexical->embed_one(masked, v.data());
      return v;
    }
    AG_ASSIGN_OR_RETURN(Embeddings e, embedder->embed({masked}));
    if (e.size() != 1 || e.dim != static_cast<size_t>(vectors->d)) {
      return make_error(ErrorCode::kInternal, "example store: the embedder returned a vector of the wrong size");
    }
    return std::move(e.data);
  }
};

ExampleStore::ExampleStore() : impl_(std::make_unique<Impl>()) {}
ExampleStore::~ExampleStore() = default;
ExampleStore::ExampleStore(ExampleStore&&) noexcept = default;
ExampleStore& ExampleStore::operator=(ExampleStore&&) noexcept = default;

size_t ExampleStore::size() const { return impl_->examples.size(); }
const StoredExample& ExampleStore::at(size_t i) const { return impl_->examples.at(i); }
std::string ExampleStore::embedder_name() const { return impl_->embedder ? impl_->embedder->name() : ""; }

Result<std::vector<ExamplePair>> ExampleStore::read_pairs(const std::string& dataset_path) {
  AG_ASSIGN_OR_RETURN(eval::Dataset dataset, eval::load_dataset(dataset_path));
  if (dataset.format == eval::DatasetFormat::kGoldLines) {
    return make_error(ErrorCode::kInvalidArgument,
                      dataset_path + ": examples need questions: a Spider or BIRD JSON file (train.json), not gold lines");
  }
  std::vector<ExamplePair> out;
  out.reserve(dataset.examples.size());
  for (eval::Example& e : dataset.examples) {
    out.push_back({std::move(e.db_id), std::move(e.question), std::move(e.evidence), std::move(e.gold_sql)});
  }
  return out;
}

Result<ExampleStore> ExampleStore::build(std::vector<ExamplePair> pairs, const ExampleStoreOptions& options,
                                         std::shared_ptr<const Embedder> embedder) {
  ExampleStore store;
  Impl& impl = *store.impl_;
  Progress progress("example store", pairs.size(), options.quiet);
  impl.examples.reserve(pairs.size());
  std::vector<std::string> masked;
  for (ExamplePair& p : pairs) {
    StoredExample e;
    const ValueIndex* values = options.values_for ? options.values_for(p.db_id) : nullptr;
    e.masked = mask_question(p.question, values);
    e.skeleton = sql_skeleton(p.sql);
    e.db_id = std::move(p.db_id);
    e.question = std::move(p.question);
    e.evidence = std::move(p.evidence);
    e.sql = std::move(p.sql);
    masked.push_back(e.masked);
    impl.examples.push_back(std::move(e));
    progress.tick();
  }
  if (!embedder) {
    LexicalEmbedderOptions lo;
    lo.dimension = options.dimension;
    impl.lexical = std::make_shared<LexicalEmbedder>(LexicalEmbedder::fit(masked, lo));
    impl.embedder = impl.lexical;
  } else {
    impl.embedder = std::move(embedder);
  }
  AG_ASSIGN_OR_RETURN(Embeddings vectors, impl.embedder->embed(masked));
  try {
    impl.vectors = std::make_unique<faiss::IndexFlatIP>(static_cast<int>(impl.embedder->dimension()));
    if (vectors.size() > 0) impl.vectors->add(static_cast<faiss::Index::idx_t>(vectors.size()), vectors.data.data());
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("example store: FAISS: ") + e.what());
  }
  impl.derive();
  progress.finish(std::to_string(impl.examples.size()) + " examples");
  return store;
}

Status ExampleStore::save(const std::string& dir) const {
  const Impl& impl = *impl_;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kIoError, "creating " + dir + ": " + ec.message());
  auto path = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  std::string out(kMagic);
  bin::put_string(out, impl.embedder->name());
  bin::put<uint64_t>(out, impl.examples.size());
  for (const StoredExample& e : impl.examples) {
    for (const std::string* s : {&e.db_id, &e.question, &e.evidence, &e.masked, &e.sql, &e.skeleton}) {
      bin::put_string(out, *s);
    }
  }
  AG_RETURN_IF_ERROR(files::write_file(path(kExamplesFile), out));
  try {
    faiss::write_index(impl.vectors.get(), path(kFaissFile).c_str());
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kIoError, "writing " + path(kFaissFile) + ": " + e.what());
  }
  if (impl.lexical) return impl.lexical->save(path(kEmbedderFile));
  std::filesystem::remove(path(kEmbedderFile), ec);
  return Status();
}

Result<ExampleStore> ExampleStore::load(const std::string& dir, std::shared_ptr<const Embedder> embedder) {
  auto path = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  AG_ASSIGN_OR_RETURN(std::string data, files::read_file(path(kExamplesFile)));
  auto corrupt = [&](const std::string& what) {
    return make_error(ErrorCode::kParseError, path(kExamplesFile) + ": not an example store or damaged (" + what + ")");
  };
  ExampleStore store;
  Impl& impl = *store.impl_;
  bin::Reader in(data);
  if (!in.expect(kMagic)) return corrupt("bad magic");
  std::string embedder_name;
  uint64_t n = 0;
  in.get_string(embedder_name);
  in.get(n);
  if (!in.ok() || n > data.size()) return corrupt("header");
  impl.examples.resize(n);
  for (StoredExample& e : impl.examples) {
    for (std::string* s : {&e.db_id, &e.question, &e.evidence, &e.masked, &e.sql, &e.skeleton}) in.get_string(*s);
  }
  if (!in.ok() || !in.rest().empty()) return corrupt("examples");
  if (embedder) {
    if (embedder->name() != embedder_name) {
      return make_error(ErrorCode::kInvalidArgument, dir + ": the example store was built with embedder '" +
                                                         embedder_name + "', not '" + embedder->name() + "'");
    }
    impl.embedder = std::move(embedder);
  } else if (files::exists(path(kEmbedderFile))) {
    AG_ASSIGN_OR_RETURN(LexicalEmbedder lexical, LexicalEmbedder::load(path(kEmbedderFile)));
    impl.lexical = std::make_shared<LexicalEmbedder>(std::move(lexical));
    impl.embedder = impl.lexical;
  } else {
    return make_error(ErrorCode::kInvalidArgument,
                      dir + ": the example store was built with embedder '" + embedder_name + "'; configure it to search");
  }
  if (impl.embedder->name() != embedder_name) return corrupt("embedder " + impl.embedder->name());
  try {
    std::unique_ptr<faiss::Index> raw(faiss::read_index(path(kFaissFile).c_str()));
    auto* flat = dynamic_cast<faiss::IndexFlatIP*>(raw.get());
    if (!flat) return corrupt(std::string(kFaissFile) + " is not a flat inner-product index");
    raw.release();
    impl.vectors.reset(flat);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kIoError, "reading " + path(kFaissFile) + ": " + e.what());
  }
  if (static_cast<size_t>(impl.vectors->ntotal) != impl.examples.size() ||
      static_cast<size_t>(impl.vectors->d) != impl.embedder->dimension()) {
    return corrupt("vectors do not match the examples");
  }
  impl.derive();
  return store;
}

Result<std::vector<ExampleHit>> ExampleStore::search(std::string_view question, const ExampleQuery& query) const {
  const Impl& impl = *impl_;
  std::vector<ExampleHit> out;
  if (impl.examples.empty() || query.top_k == 0) return out;
  AG_ASSIGN_OR_RETURN(std::vector<float> q, impl.embed_one(mask_question(question, query.values)));
  const std::string exclude = key_of(query.exclude_question);
  const std::string exclude_sql = query.exclude_sql.empty() ? std::string() : sql_key(query.exclude_sql);
  auto excluded = [&](uint32_t id) {
    const StoredExample& e = impl.examples[id];
    if (e.db_id != query.db_id) return false;
    return (!exclude.empty() && key_of(e.question) == exclude) || (!exclude_sql.empty() && sql_key(e.sql) == exclude_sql);
  };
  // Same-database examples: scored directly; the others: FAISS's best.
  std::vector<std::pair<float, uint32_t>> same, others;
  const float* xb = impl.vectors->get_xb();
  const size_t dim = static_cast<size_t>(impl.vectors->d);
  auto it = impl.by_db.find(query.db_id);
  if (it != impl.by_db.end()) {
    for (uint32_t id : it->second) {
      if (!excluded(id)) same.emplace_back(dot(q.data(), xb + id * dim, dim), id);
    }
  }
  auto by_score = [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; };
  std::sort(same.begin(), same.end(), by_score);

  std::unordered_set<std::string> skeletons;
  std::unordered_set<uint32_t> taken;
  auto take = [&](const std::vector<std::pair<float, uint32_t>>& list, bool diverse, double min_score) {
    for (auto [score, id] : list) {
      if (out.size() >= query.top_k) return;
      if (score < min_score || taken.count(id)) continue;
      const StoredExample& e = impl.examples[id];
      if (diverse && skeletons.count(e.skeleton)) continue;
      skeletons.insert(e.skeleton);
      taken.insert(id);
      out.push_back({id, e, score, e.db_id == query.db_id});
    }
  };
  take(same, query.diverse, query.min_same_db_score);
  if (out.size() >= query.top_k || query.same_db_only) return out;
  // Too few from this database: the best of the others, by FAISS.
  const size_t want = std::min<size_t>(impl.examples.size(), std::max<size_t>(query.top_k * 10, 50));
  std::vector<float> distances(want);
  std::vector<faiss::Index::idx_t> labels(want);
  impl.vectors->search(1, q.data(), static_cast<faiss::Index::idx_t>(want), distances.data(), labels.data());
  for (size_t i = 0; i < want; ++i) {
    if (labels[i] < 0) continue;
    auto id = static_cast<uint32_t>(labels[i]);
    if (impl.examples[id].db_id != query.db_id) others.emplace_back(distances[i], id);
  }
  std::sort(others.begin(), others.end(), by_score);
  take(others, query.diverse, -1.0);
  if (query.diverse) {  // not enough distinct skeletons: repeat some
    take(same, false, query.min_same_db_score);
    take(others, false, -1.0);
  }
  take(same, false, -1.0);
  return out;
}

}  // namespace askguru::index
