#include "askguru/index/column_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "askguru/catalog/catalog.h"
#include "askguru/common/files.h"
#include "askguru/common/text.h"
#include "askguru/index/binary_io.h"
#include "askguru/index/embedder.h"
#include "askguru/index/lexical_embedder.h"
#include "askguru/index/value_index.h"

namespace askguru::index {
namespace {

constexpr std::string_view kMagic = "AGCOLS03";
constexpr const char* kDocsFile = "columns.bin";
constexpr const char* kColumnsFaiss = "columns.faiss";
constexpr const char* kTablesFaiss = "tables.faiss";
constexpr const char* kEmbedderFile = "column_embedder.bin";

std::string words_of(std::string_view name) { return text::join(lexical_words(name), " "); }

// Abbreviations common in column names, spelled out in the column documents.
const std::unordered_map<std::string_view, std::string_view>& abbreviations() {
  static const std::unordered_map<std::string_view, std::string_view> kMap = {
      {"fname", "first name"}, {"lname", "last name"}, {"dob", "date of birth"}, {"num", "number"},
      {"no", "number"}, {"nbr", "number"}, {"crs", "course"}, {"emp", "employee"}, {"dept", "department"},
      {"stu", "student"}, {"qty", "quantity"}, {"amt", "amount"}, {"desc", "description"}, {"addr", "address"},
      {"prof", "professor"}, {"pct", "percent"}, {"avg", "average"}, {"yr", "year"}, {"dt", "date"},
      {"tel", "telephone phone"}, {"cnt", "count"}, {"lat", "latitude"}, {"lng", "longitude"}, {"lon", "longitude"},
      {"long", "longitude"}, {"pos", "position"}, {"loc", "location"}, {"acct", "account"}, {"mgr", "manager"},
      {"org", "organization"}, {"cust", "customer"}, {"prod", "product"}, {"cat", "category"}, {"ref", "reference"},
      {"sex", "gender"}, {"gender", "sex"}, {"forename", "first name"}, {"surname", "last name"},
      {"dname", "department name"}, {"pname", "name"}, {"cname", "name"}, {"sname", "name"}, {"tot", "total"},
      {"hs", "high school"}, {"gpa", "grade point average"}, {"std", "standard"}, {"min", "minimum"},
      {"max", "maximum"}, {"temp", "temperature"}, {"lang", "language"}, {"dur", "duration"}, {"pop", "population"},
      {"hp", "horsepower"}, {"mpg", "miles per gallon"}, {"rev", "revenue"}, {"approx", "approximately"}};
  return kMap;
}

// Question words that name a kind of column without its words ("youngest" -> age).
const std::unordered_map<std::string_view, std::string_view>& question_synonyms() {
  static const std::unordered_map<std::string_view, std::string_view> kMap = {
      {"youngest", "age birth"}, {"oldest", "age birth date"}, {"older", "age"}, {"younger", "age"},
      {"old", "age"}, {"young", "age"}, {"born", "birth date"}, {"birthday", "birth date"},
      {"gender", "sex"}, {"female", "sex gender"}, {"male", "sex gender"}, {"women", "sex gender"},
      {"men", "sex gender"}, {"recent", "date time year"}, {"recently", "date time year"},
      {"latest", "date time year"}, {"earliest", "date time year"}, {"newest", "date year"}, {"when", "date time year"},
      {"forename", "first name"}, {"surname", "last name"}, {"salary", "wage pay"}, {"earn", "salary"},
      {"paid", "payment amount"}, {"pay", "payment amount"}, {"cost", "price amount"}, {"price", "cost"},
      {"expensive", "price cost"}, {"cheapest", "price cost"}, {"cheap", "price cost"},
      {"biggest", "size capacity"}, {"largest", "size capacity"}, {"where", "location city address"},
      {"located", "location city address"}, {"live", "address city"}, {"lives", "address city"},
      {"country", "nation"}, {"nationality", "country nation"}, {"phone", "telephone"}, {"tall", "height"},
      {"tallest", "height"}, {"heavy", "weight"}, {"heaviest", "weight"}, {"long", "length"},
      {"longest", "length duration"}, {"duration", "time length"}, {"rank", "ranking"},
      {"population", "inhabitants"}, {"year", "date"}, {"month", "date"}, {"day", "date"},
      {"budget", "amount"}, {"score", "point"}, {"points", "score"}, {"won", "win winner result"},
      {"win", "winner result"}, {"full", "first last"}};
  return kMap;
}

// Appends what abbreviations and synonyms add to a text's words.
std::string expand(std::string_view text, const std::unordered_map<std::string_view, std::string_view>& map) {
  std::string extra;
  for (const std::string& w : lexical_words(text)) {
    auto it = map.find(w);
    if (it != map.end()) {
      extra += ' ';
      extra += it->second;
    }
  }
  return extra;
}

// lexical_stem() and common derivational endings too, so that a question's verb finds
// a column's noun: "advises"/"advisor" -> "advis", "located"/"location" -> "locat".
std::string term_stem(std::string_view word) {
  std::string s = lexical_stem(word);
  for (std::string_view suffix : {"ations", "ation", "ment", "ions", "ion", "ing", "ed", "er", "or", "ly"}) {
    if (s.size() >= suffix.size() + 4 && s.ends_with(suffix)) {
      s.resize(s.size() - suffix.size());
      break;
    }
  }
  if (s.size() >= 5 && s.back() == 'e') s.pop_back();
  return s;
}

std::vector<std::string> bm25_terms(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& w : lexical_words(text)) {
    if (!is_lexical_stop_word(w)) out.push_back(term_stem(w));
  }
  return out;
}

// Okapi BM25 over a fixed set of documents.
class Bm25 {
 public:
  void build(const std::vector<std::string>& docs) {
    postings_.clear();
    length_.assign(docs.size(), 0.0);
    double total = 0.0;
    for (size_t d = 0; d < docs.size(); ++d) {
      std::unordered_map<std::string, uint32_t> tf;
      std::vector<std::string> terms = bm25_terms(docs[d]);
      for (const std::string& t : terms) ++tf[t];
      length_[d] = static_cast<double>(terms.size());
      total += length_[d];
      for (auto& [t, n] : tf) postings_[t].push_back({static_cast<uint32_t>(d), n});
    }
    average_ = docs.empty() ? 1.0 : std::max(1.0, total / static_cast<double>(docs.size()));
  }

  // Scores of every document (0 for those sharing no term), divided by the best.
  std::vector<double> scores(std::string_view query) const {
    std::vector<double> out(length_.size(), 0.0);
    std::unordered_set<std::string> seen;
    const double n = static_cast<double>(length_.size());
    for (const std::string& t : bm25_terms(query)) {
      if (!seen.insert(t).second) continue;
      auto it = postings_.find(t);
      if (it == postings_.end()) continue;
      const double df = static_cast<double>(it->second.size());
      const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
      for (auto [d, tf] : it->second) {
        const double f = tf;
        out[d] += idf * f * (kK1 + 1) / (f + kK1 * (1 - kB + kB * length_[d] / average_));
      }
    }
    double best = *std::max_element(out.begin(), out.end(), std::less<>());
    if (best > 0) {
      for (double& s : out) s /= best;
    }
    return out;
  }

 private:
  static constexpr double kK1 = 1.2;
  static constexpr double kB = 0.75;
  struct Posting {
    uint32_t doc;
    uint32_t tf;
  };
  std::unordered_map<std::string, std::vector<Posting>> postings_;
  std::vector<double> length_;
  double average_ = 1.0;
};

Status faiss_error(const std::string& what, const std::exception& e) {
  return make_error(ErrorCode::kIoError, what + ": " + e.what());
}

}  // namespace

bool column_listed(const std::vector<std::string>& list, std::string_view table, std::string_view column) {
  for (const std::string& entry : list) {
    size_t dot = entry.rfind('.');
    if (dot == std::string::npos) continue;
    std::string_view t(entry.data(), dot), c(entry.data() + dot + 1, entry.size() - dot - 1);
    if (text::iequals(t, table) && (c == "*" || text::iequals(c, column))) return true;
  }
  return false;
}

namespace {

// Denied columns: those the options exclude and those the profile recorded as denied.
bool excluded(const catalog::Catalog& catalog, const ColumnIndexOptions& options, std::string_view table,
              std::string_view column) {
  return column_listed(options.excluded_columns, table, column) || column_listed(catalog.profile.deny, table, column);
}

}  // namespace

std::vector<ColumnDocument> column_documents(const catalog::Catalog& catalog, const ColumnIndexOptions& options) {
  std::unordered_set<std::string> keys;  // "table.column", lower case
  for (const catalog::ForeignKey& fk : catalog.foreign_keys) {
    for (const std::string& c : fk.from_columns) keys.insert(text::to_lower(fk.from_table + "." + c));
    for (const std::string& c : fk.to_columns) keys.insert(text::to_lower(fk.to_table + "." + c));
  }
  std::vector<ColumnDocument> out;
  for (const catalog::Table& t : catalog.tables) {
    const std::string table_words = words_of(t.name);
    for (const catalog::Column& c : t.columns) {
      if (excluded(catalog, options, t.name, c.name)) continue;
      ColumnDocument doc;
      doc.table = t.name;
      doc.column = c.name;
      doc.key = c.primary_key || keys.count(text::to_lower(t.name + "." + c.name)) > 0;
      doc.primary = c.primary_key;
      std::string s = table_words + " | " + words_of(c.name) + expand(c.name, abbreviations());
      if (!c.natural_name.empty() && !text::iequals(words_of(c.natural_name), words_of(c.name))) {
        s += " (" + c.natural_name + ")";
      }
      if (!c.type.empty()) s += " | " + text::to_lower(c.type);
      for (const std::string* extra : {&c.description, &c.value_description, &c.summary_short}) {
        if (!text::trim(*extra).empty()) s += " | " + std::string(text::trim(*extra));
      }
      if (options.max_values > 0 && !c.samples.empty()) {
        s += " | values:";
        for (size_t i = 0; i < c.samples.size() && i < options.max_values; ++i) {
          s += (i ? ", " : " ") + text::ellipsize(c.samples[i], 40);
        }
      }
      doc.text = std::move(s);
      out.push_back(std::move(doc));
    }
  }
  return out;
}

std::vector<TableDocument> table_documents(const catalog::Catalog& catalog, const ColumnIndexOptions& options) {
  std::vector<TableDocument> out;
  for (const catalog::Table& t : catalog.tables) {
    std::string s = words_of(t.name);
    if (!t.description.empty()) s += " | " + t.description;
    s += " | columns:";
    size_t shown = 0;
    for (const catalog::Column& c : t.columns) {
      if (excluded(catalog, options, t.name, c.name)) continue;  // never named, not even here
      s += " " + (c.natural_name.empty() ? words_of(c.name) : c.natural_name) + ",";
      ++shown;
    }
    if (shown == 0 && !t.columns.empty()) continue;  // a table denied as a whole
    out.push_back({t.name, std::move(s)});
  }
  return out;
}

// The question and evidence with their synonyms, as searched.
std::string query_text(std::string_view question, std::string_view evidence) {
  std::string q(question);
  if (!evidence.empty()) q += " " + std::string(evidence);
  return q + expand(q, question_synonyms());
}

struct ColumnIndex::Impl {
  ColumnIndexOptions options;
  std::vector<ColumnDocument> docs;
  std::vector<TableDocument> tables;
  std::vector<uint32_t> doc_table;                  // column document -> table document
  std::vector<std::vector<uint32_t>> table_docs;    // table document -> its column documents
  std::vector<JoinEdge> joins;
  std::vector<std::vector<std::string>> name_terms;  // column document -> stems of its name (and expansions)
  std::vector<bool> label;                           // column document -> a label column of its table
  std::vector<std::string> lower_keys;               // column document -> lower "table\x1fcolumn"
  std::unordered_set<std::string> name_words;        // words of the column and table names (lower)
  std::shared_ptr<const Embedder> embedder;
  std::shared_ptr<const LexicalEmbedder> lexical;  // when the embedder is our own
  std::unique_ptr<faiss::IndexFlatIP> column_vectors;
  std::unique_ptr<faiss::IndexFlatIP> table_vectors;
  Bm25 column_bm25;
  Bm25 table_bm25;

  void derive() {
    std::unordered_map<std::string, uint32_t> table_id;
    for (size_t i = 0; i < tables.size(); ++i) table_id.emplace(tables[i].table, static_cast<uint32_t>(i));
    doc_table.assign(docs.size(), 0);
    table_docs.assign(tables.size(), {});
    for (size_t i = 0; i < docs.size(); ++i) {
      auto it = table_id.find(docs[i].table);
      doc_table[i] = it == table_id.end() ? 0 : it->second;
      if (it != table_id.end()) table_docs[it->second].push_back(static_cast<uint32_t>(i));
    }
    std::vector<std::string> texts;
    for (const ColumnDocument& d : docs) texts.push_back(d.text);
    column_bm25.build(texts);
    name_terms.assign(docs.size(), {});
    for (size_t i = 0; i < docs.size(); ++i) {
      std::vector<std::string> terms = bm25_terms(docs[i].column);
      std::vector<std::string> expanded = bm25_terms(expand(docs[i].column, abbreviations()));
      if (!expanded.empty()) terms = expanded;  // "fname" is matched as "first name"
      std::sort(terms.begin(), terms.end());
      terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
      name_terms[i] = std::move(terms);
    }
    texts.clear();
    for (const TableDocument& t : tables) texts.push_back(t.text);
    table_bm25.build(texts);
    name_words.clear();
    for (const ColumnDocument& d : docs) {
      for (std::string& w : lexical_words(d.column)) name_words.insert(std::move(w));
    }
    for (const TableDocument& t : tables) {
      for (std::string& w : lexical_words(t.table)) name_words.insert(std::move(w));
    }
    lower_keys.clear();
    for (const ColumnDocument& d : docs) lower_keys.push_back(text::to_lower(d.table) + '\x1f' + text::to_lower(d.column));
    label.assign(docs.size(), false);
    for (size_t i = 0; i < docs.size(); ++i) {
      if (docs[i].key) continue;
      std::string words = " " + words_of(docs[i].column) + expand(docs[i].column, abbreviations()) + " ";
      label[i] = words.find(" name ") != std::string::npos || words.find(" title ") != std::string::npos ||
                 text::iequals(docs[i].column, docs[i].table);
    }
  }

  // query_text() plus the database's own abbreviations of the question's words: a word
  // of at least 5 letters of a column or table name that begins a longer question word
  // ("temper" for "temperature") joins the query (by measurement: 3 or 4 letters bring
  // in as many wrong words as right ones).
  std::string search_text(std::string_view question, std::string_view evidence) const {
    std::string q = query_text(question, evidence);
    std::string extra;
    std::unordered_set<std::string> added;
    for (const std::string& w : lexical_words(q)) {
      if (is_lexical_stop_word(w)) continue;
      for (size_t n = 5; n + 1 < w.size(); ++n) {
        std::string p = w.substr(0, n);
        if (name_words.count(p) && added.insert(p).second) extra += " " + p;
      }
    }
    return q + extra;
  }

  Result<std::vector<float>> embed_query(std::string_view question, std::string_view evidence) const {
    std::string q = search_text(question, evidence);
    if (lexical) {
      std::vector<float> v(lexical->dimension());
      lexical->embed_one(q, v.data());
      return v;
    }
    AG_ASSIGN_OR_RETURN(Embeddings e, embedder->embed({q}));
    if (e.size() != 1 || e.dim != static_cast<size_t>(column_vectors->d)) {
      return make_error(ErrorCode::kInternal, "column index: the embedder returned a vector of the wrong size");
    }
    return std::move(e.data);
  }

  // Hybrid scores of every table for the query vector/text.
  std::vector<double> table_scores(const std::vector<float>& q, std::string_view query_text, double bm25_weight) const {
    std::vector<double> out(tables.size(), 0.0);
    if (tables.empty()) return out;
    const auto n = static_cast<faiss::Index::idx_t>(tables.size());
    std::vector<float> distances(tables.size());
    std::vector<faiss::Index::idx_t> labels(tables.size());
    table_vectors->search(1, q.data(), n, distances.data(), labels.data());
    std::vector<double> bm25 = table_bm25.scores(query_text);
    for (size_t i = 0; i < tables.size(); ++i) {
      if (labels[i] < 0) continue;
      auto t = static_cast<size_t>(labels[i]);
      out[t] = (1 - bm25_weight) * std::max(0.0f, distances[i]) + bm25_weight * bm25[t];
    }
    double best = *std::max_element(out.begin(), out.end());
    if (best > 0) {
      for (double& s : out) s /= best;
    }
    return out;
  }
};

ColumnIndex::ColumnIndex() : impl_(std::make_unique<Impl>()) {}
ColumnIndex::~ColumnIndex() = default;
ColumnIndex::ColumnIndex(ColumnIndex&&) noexcept = default;
ColumnIndex& ColumnIndex::operator=(ColumnIndex&&) noexcept = default;

const std::vector<ColumnDocument>& ColumnIndex::documents() const { return impl_->docs; }
const std::vector<TableDocument>& ColumnIndex::tables() const { return impl_->tables; }
const std::vector<JoinEdge>& ColumnIndex::joins() const { return impl_->joins; }
std::string ColumnIndex::embedder_name() const { return impl_->embedder ? impl_->embedder->name() : ""; }

Result<ColumnIndex> ColumnIndex::build(const catalog::Catalog& catalog, const ColumnIndexOptions& options,
                                       std::shared_ptr<const Embedder> embedder) {
  ColumnIndex index;
  Impl& impl = *index.impl_;
  impl.options = options;
  impl.docs = column_documents(catalog, options);
  impl.tables = table_documents(catalog, options);
  {
    std::unordered_map<std::string, uint32_t> doc_id;  // lower "table.column"
    for (size_t i = 0; i < impl.docs.size(); ++i) {
      doc_id.emplace(text::to_lower(impl.docs[i].table + "." + impl.docs[i].column), static_cast<uint32_t>(i));
    }
    for (const catalog::ForeignKey& fk : catalog.foreign_keys) {
      for (size_t c = 0; c < fk.from_columns.size(); ++c) {
        std::string to_column = c < fk.to_columns.size() ? fk.to_columns[c] : "";
        if (to_column.empty()) {  // REFERENCES t without a column: its primary key
          const catalog::Table* t = catalog.find_table(fk.to_table);
          if (t && t->primary_key.size() == fk.from_columns.size()) to_column = t->primary_key[c];
        }
        auto a = doc_id.find(text::to_lower(fk.from_table + "." + fk.from_columns[c]));
        auto b = doc_id.find(text::to_lower(fk.to_table + "." + to_column));
        if (a != doc_id.end() && b != doc_id.end() && a->second != b->second) impl.joins.push_back({a->second, b->second});
      }
    }
    // Undeclared joins by name: a column named like another table's single-column
    // primary key ("facid" -> faculty.FacID) or "<table>_id" / "<table>id".
    std::set<std::pair<uint32_t, uint32_t>> declared;
    for (const JoinEdge& j : impl.joins) declared.insert({std::min(j.from, j.to), std::max(j.from, j.to)});
    for (const catalog::Table& target : catalog.tables) {
      if (target.primary_key.size() != 1) continue;
      auto pk = doc_id.find(text::to_lower(target.name + "." + target.primary_key[0]));
      if (pk == doc_id.end()) continue;
      const std::string pk_name = text::to_lower(target.primary_key[0]);
      const std::string table_lower = text::to_lower(target.name);
      for (const catalog::Table& t : catalog.tables) {
        if (&t == &target) continue;
        for (const catalog::Column& c : t.columns) {
          const std::string n = text::to_lower(c.name);
          bool same = n == pk_name && pk_name != "id" && pk_name != "name";
          bool named = n == table_lower + "_id" || n == table_lower + "id";
          if (!same && !named) continue;
          auto from = doc_id.find(text::to_lower(t.name + "." + c.name));
          if (from == doc_id.end()) continue;
          std::pair<uint32_t, uint32_t> key{std::min(from->second, pk->second), std::max(from->second, pk->second)};
          if (declared.insert(key).second) impl.joins.push_back({from->second, pk->second});
        }
      }
    }
  }
  std::vector<std::string> texts;
  for (const ColumnDocument& d : impl.docs) texts.push_back(d.text);
  if (!embedder) {
    std::vector<std::string> fit_texts = texts;
    for (const TableDocument& t : impl.tables) fit_texts.push_back(t.text);
    impl.lexical = std::make_shared<LexicalEmbedder>(LexicalEmbedder::fit(fit_texts));
    impl.embedder = impl.lexical;
  } else {
    impl.embedder = std::move(embedder);
  }
  AG_ASSIGN_OR_RETURN(Embeddings columns, impl.embedder->embed(texts));
  texts.clear();
  for (const TableDocument& t : impl.tables) texts.push_back(t.text);
  AG_ASSIGN_OR_RETURN(Embeddings tables, impl.embedder->embed(texts));
  const auto dim = static_cast<int>(impl.embedder->dimension());
  try {
    impl.column_vectors = std::make_unique<faiss::IndexFlatIP>(dim);
    impl.table_vectors = std::make_unique<faiss::IndexFlatIP>(dim);
    if (columns.size() > 0) impl.column_vectors->add(static_cast<faiss::Index::idx_t>(columns.size()), columns.data.data());
    if (tables.size() > 0) impl.table_vectors->add(static_cast<faiss::Index::idx_t>(tables.size()), tables.data.data());
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("column index: FAISS: ") + e.what());
  }
  impl.derive();
  return index;
}

Status ColumnIndex::save(const std::string& dir) const {
  const Impl& impl = *impl_;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kIoError, "creating " + dir + ": " + ec.message());
  std::string out(kMagic);
  bin::put_string(out, impl.embedder->name());
  bin::put<uint64_t>(out, impl.options.max_values);
  bin::put<uint64_t>(out, impl.docs.size());
  for (const ColumnDocument& d : impl.docs) {
    bin::put_string(out, d.table);
    bin::put_string(out, d.column);
    bin::put_string(out, d.text);
    bin::put<uint8_t>(out, static_cast<uint8_t>((d.key ? 1 : 0) | (d.primary ? 2 : 0)));
  }
  bin::put<uint64_t>(out, impl.tables.size());
  for (const TableDocument& t : impl.tables) {
    bin::put_string(out, t.table);
    bin::put_string(out, t.text);
  }
  bin::put<uint64_t>(out, impl.joins.size());
  for (const JoinEdge& j : impl.joins) {
    bin::put<uint32_t>(out, j.from);
    bin::put<uint32_t>(out, j.to);
  }
  auto path = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  AG_RETURN_IF_ERROR(files::write_file(path(kDocsFile), out));
  try {
    faiss::write_index(impl.column_vectors.get(), path(kColumnsFaiss).c_str());
    faiss::write_index(impl.table_vectors.get(), path(kTablesFaiss).c_str());
  } catch (const std::exception& e) {
    return faiss_error("writing " + path(kColumnsFaiss), e);
  }
  if (impl.lexical) {
    AG_RETURN_IF_ERROR(impl.lexical->save(path(kEmbedderFile)));
  } else {
    std::filesystem::remove(path(kEmbedderFile), ec);
  }
  return Status();
}

Result<ColumnIndex> ColumnIndex::load(const std::string& dir, std::shared_ptr<const Embedder> embedder) {
  auto path = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
  AG_ASSIGN_OR_RETURN(std::string data, files::read_file(path(kDocsFile)));
  auto corrupt = [&](const std::string& what) {
    return make_error(ErrorCode::kParseError, path(kDocsFile) + ": not a column index or damaged (" + what + ")");
  };
  ColumnIndex index;
  Impl& impl = *index.impl_;
  bin::Reader in(data);
  if (!in.expect(kMagic)) return corrupt("bad magic");
  std::string embedder_name;
  uint64_t max_values = 0, ndocs = 0, ntables = 0;
  in.get_string(embedder_name);
  in.get(max_values);
  in.get(ndocs);
  if (!in.ok() || ndocs > data.size()) return corrupt("header");
  impl.options.max_values = max_values;
  impl.docs.resize(ndocs);
  for (ColumnDocument& d : impl.docs) {
    uint8_t key = 0;
    in.get_string(d.table);
    in.get_string(d.column);
    in.get_string(d.text);
    in.get(key);
    d.key = (key & 1) != 0;
    d.primary = (key & 2) != 0;
  }
  in.get(ntables);
  if (!in.ok() || ntables > data.size()) return corrupt("documents");
  impl.tables.resize(ntables);
  for (TableDocument& t : impl.tables) {
    in.get_string(t.table);
    in.get_string(t.text);
  }
  uint64_t njoins = 0;
  in.get(njoins);
  if (!in.ok() || njoins > data.size()) return corrupt("tables");
  impl.joins.resize(njoins);
  for (JoinEdge& j : impl.joins) {
    in.get(j.from);
    in.get(j.to);
    if (j.from >= ndocs || j.to >= ndocs) in.fail();
  }
  if (!in.ok() || !in.rest().empty()) return corrupt("joins");

  if (embedder) {
    if (embedder->name() != embedder_name) {
      return make_error(ErrorCode::kInvalidArgument, dir + ": the column index was built with embedder '" +
                                                         embedder_name + "', not '" + embedder->name() + "'");
    }
    impl.embedder = std::move(embedder);
  } else if (files::exists(path(kEmbedderFile))) {
    AG_ASSIGN_OR_RETURN(LexicalEmbedder lexical, LexicalEmbedder::load(path(kEmbedderFile)));
    impl.lexical = std::make_shared<LexicalEmbedder>(std::move(lexical));
    impl.embedder = impl.lexical;
  } else {
    return make_error(ErrorCode::kInvalidArgument,
                      dir + ": the column index was built with embedder '" + embedder_name + "'; configure it to search");
  }
  if (impl.embedder->name() != embedder_name) return corrupt("embedder " + impl.embedder->name() + " != " + embedder_name);
  try {
    for (auto [file, target] : {std::pair{kColumnsFaiss, &impl.column_vectors}, std::pair{kTablesFaiss, &impl.table_vectors}}) {
      std::unique_ptr<faiss::Index> raw(faiss::read_index(path(file).c_str()));
      auto* flat = dynamic_cast<faiss::IndexFlatIP*>(raw.get());
      if (!flat) return corrupt(std::string(file) + " is not a flat inner-product index");
      raw.release();
      target->reset(flat);
    }
  } catch (const std::exception& e) {
    return faiss_error("reading " + path(kColumnsFaiss), e);
  }
  if (static_cast<size_t>(impl.column_vectors->ntotal) != impl.docs.size() ||
      static_cast<size_t>(impl.table_vectors->ntotal) != impl.tables.size() ||
      static_cast<size_t>(impl.column_vectors->d) != impl.embedder->dimension()) {
    return corrupt("vectors do not match the documents");
  }
  impl.derive();
  return index;
}

Result<std::vector<ColumnHit>> ColumnIndex::search_tables(std::string_view question, std::string_view evidence,
                                                          size_t top_k) const {
  const Impl& impl = *impl_;
  AG_ASSIGN_OR_RETURN(std::vector<float> q, impl.embed_query(question, evidence));
  std::vector<double> scores = impl.table_scores(q, impl.search_text(question, evidence), ColumnQueryOptions{}.bm25_weight);
  std::vector<size_t> order(scores.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  std::vector<ColumnHit> out;
  for (size_t i = 0; i < order.size() && i < top_k; ++i) out.push_back({impl.tables[order[i]].table, "", scores[order[i]]});
  return out;
}

Result<std::vector<ColumnHit>> ColumnIndex::search(std::string_view question, std::string_view evidence,
                                                   const ColumnQueryOptions& options) const {
  const Impl& impl = *impl_;
  std::vector<ColumnHit> out;
  if (impl.docs.empty()) return out;
  AG_ASSIGN_OR_RETURN(std::vector<float> q, impl.embed_query(question, evidence));
  const std::string text = impl.search_text(question, evidence);
  std::vector<double> table_score = impl.table_scores(q, text, options.bm25_weight);

  // Candidate documents: all of them, or the columns of the best tables.
  std::vector<uint32_t> candidates;
  if (impl.docs.size() <= options.table_first_columns) {
    candidates.resize(impl.docs.size());
    for (size_t i = 0; i < candidates.size(); ++i) candidates[i] = static_cast<uint32_t>(i);
  } else {
    std::vector<size_t> order(table_score.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return table_score[a] > table_score[b]; });
    for (size_t i = 0; i < order.size() && i < options.top_tables; ++i) {
      const auto& ids = impl.table_docs[order[i]];
      candidates.insert(candidates.end(), ids.begin(), ids.end());
    }
  }
  std::vector<double> bm25 = impl.column_bm25.scores(text);
  std::unordered_set<std::string> question_terms;
  for (std::string& t : bm25_terms(text)) question_terms.insert(std::move(t));
  // Abbreviations the database itself uses: a word of a column's name that begins a
  // longer question word ("feb" of "february", "temp" of "temperature") counts as found.
  std::unordered_set<std::string> question_prefixes;
  for (const std::string& w : lexical_words(text)) {
    if (is_lexical_stop_word(w)) continue;
    for (size_t n = 3; n + 1 < w.size(); ++n) question_prefixes.insert(w.substr(0, n));
  }
  auto name_match = [&](uint32_t id) {
    size_t found = 0;
    for (const std::string& term : impl.name_terms[id]) found += question_terms.count(term) || question_prefixes.count(term);
    return static_cast<double>(found) / static_cast<double>(impl.name_terms[id].size());
  };
  std::unordered_map<std::string, double> value_score;  // "table\x1fcolumn" -> best value hit
  std::unordered_map<std::string, double> example_score;  // lower "table\x1fcolumn" -> best example
  if (options.value_hits) {
    for (const ValueHit& h : *options.value_hits) {
      double& s = value_score[h.table + '\x1f' + h.column];
      s = std::max(s, h.score);
    }
  }
  if (options.example_columns && options.example_weight > 0) {
    for (const ColumnHit& h : *options.example_columns) {
      // Keyed in lower case: an example's SQL may spell names differently.
      double& s = example_score[text::to_lower(h.table) + '\x1f' + text::to_lower(h.column)];
      s = std::max(s, h.score);
    }
  }
  const float* xb = impl.column_vectors->get_xb();
  const size_t dim = static_cast<size_t>(impl.column_vectors->d);
  std::vector<std::pair<double, uint32_t>> scored;
  scored.reserve(candidates.size());
  for (uint32_t id : candidates) {
    const ColumnDocument& d = impl.docs[id];
    double cosine = std::max(0.0f, dot(q.data(), xb + static_cast<size_t>(id) * dim, dim));
    double t = table_score[impl.doc_table[id]];
    double s = (1 - options.bm25_weight) * cosine + options.bm25_weight * bm25[id] + options.table_weight * t;
    if (d.key) s += options.key_weight * t;
    if (options.name_weight > 0 && !impl.name_terms[id].empty()) s += options.name_weight * name_match(id);
    if (!value_score.empty()) {
      auto it = value_score.find(d.table + '\x1f' + d.column);
      if (it != value_score.end()) s += options.value_weight * it->second;
    }
    if (!example_score.empty()) {
      auto it = example_score.find(impl.lower_keys[id]);
      if (it != example_score.end()) s += options.example_weight * it->second;
    }
    scored.emplace_back(s, id);
    if (options.explain) {
      ColumnExplain& e = *options.explain;
      e.doc.push_back(id);
      e.cosine.push_back(static_cast<float>(cosine));
      e.bm25.push_back(static_cast<float>(bm25[id]));
      e.table.push_back(static_cast<float>(t));
      const double nm = impl.name_terms[id].empty() ? 0.0 : name_match(id);
      e.name.push_back(static_cast<float>(nm));
      double v = 0;
      if (!value_score.empty()) {
        auto it = value_score.find(d.table + '\x1f' + d.column);
        if (it != value_score.end()) v = it->second;
      }
      e.value.push_back(static_cast<float>(v));
    }
  }
  if (options.explain) options.explain->table_scores = table_score;
  if (((options.join_weight > 0 && !impl.joins.empty()) || options.label_weight > 0) && !scored.empty()) {
    // Relevance of each table: its best column, relative to the best column overall.
    double best = 0;
    for (const auto& [s, id] : scored) best = std::max(best, s);
    std::vector<double> relevance(impl.tables.size(), 0.0);
    for (const auto& [s, id] : scored) {
      double& r = relevance[impl.doc_table[id]];
      r = std::max(r, best > 0 ? s / best : 0.0);
    }
    if (options.table_relevance > 0) {
      const double w = options.table_relevance;
      for (size_t t = 0; t < relevance.size(); ++t) relevance[t] = (1 - w) * relevance[t] + w * table_score[t];
    }
    std::vector<size_t> order(relevance.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return relevance[a] > relevance[b]; });
    std::vector<double> top(relevance.size(), 0.0);  // relevance of the join_tables best tables, else 0
    for (size_t i = 0; i < order.size() && i < options.join_tables; ++i) top[order[i]] = relevance[order[i]];
    // Bridges: a table with foreign keys into two relevant tables.
    std::vector<std::vector<uint32_t>> links(impl.tables.size());  // table -> tables its foreign keys reach
    for (const JoinEdge& j : impl.joins) links[impl.doc_table[j.from]].push_back(impl.doc_table[j.to]);
    std::vector<double> joined = top;
    for (size_t t = 0; t < links.size(); ++t) {
      double first = 0, second = 0;
      std::unordered_set<uint32_t> seen;
      for (uint32_t other : links[t]) {
        if (other == t || !seen.insert(other).second) continue;
        double r = top[other];
        if (r > first) {
          second = first;
          first = r;
        } else if (r > second) {
          second = r;
        }
      }
      joined[t] = std::max(joined[t], 0.9 * second);
    }
    std::unordered_map<uint32_t, double> bonus;
    if (options.label_weight > 0) {
      for (auto& [s, id] : scored) {
        const double r = top[impl.doc_table[id]];
        if (r > 0 && impl.label[id]) s += options.label_weight * r * best;
      }
    }
    for (const JoinEdge& j : impl.joins) {
      double r = std::min(joined[impl.doc_table[j.from]], joined[impl.doc_table[j.to]]);
      if (r <= 0) continue;
      double b = options.join_weight * r * best;
      bonus[j.from] = std::max(bonus[j.from], b);
      bonus[j.to] = std::max(bonus[j.to], b);
    }
    for (auto& [s, id] : scored) {
      auto it = bonus.find(id);
      if (it != bonus.end()) s += it->second;
    }
    // The two ends of a join between clearly relevant tables go together: each end
    // scores at least pair_factor times the other.
    if (options.pair_factor > 0 && !impl.joins.empty()) {
      std::unordered_map<uint32_t, size_t> position;  // document -> index in scored
      for (size_t i = 0; i < scored.size(); ++i) position.emplace(scored[i].second, i);
      std::vector<double> paired(scored.size());
      for (size_t i = 0; i < scored.size(); ++i) paired[i] = scored[i].first;
      for (const JoinEdge& j : impl.joins) {
        if (std::min(joined[impl.doc_table[j.from]], joined[impl.doc_table[j.to]]) <= options.pair_min_relevance) continue;
        auto a = position.find(j.from), b = position.find(j.to);
        if (a == position.end() || b == position.end()) continue;
        paired[a->second] = std::max(paired[a->second], options.pair_factor * scored[b->second].first);
        paired[b->second] = std::max(paired[b->second], options.pair_factor * scored[a->second].first);
      }
      for (size_t i = 0; i < scored.size(); ++i) scored[i].first = paired[i];
    }
  }
  // A column name repeated in many tables (dept_code in student, course, professor and
  // department): past its first same_name_keep columns in the ranking, the others drop
  // by the best score (behind every other candidate of the first 4k).
  if (options.same_name_keep > 0 && options.top_k < scored.size() && !scored.empty()) {
    auto by_score = [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; };
    const size_t pool = std::min(scored.size(), 4 * options.top_k);
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(pool), scored.end(), by_score);
    const double top = scored[0].first;
    std::unordered_map<std::string_view, size_t> seen;  // lower column name -> columns so far
    for (size_t i = 0; i < pool; ++i) {
      std::string_view key = impl.lower_keys[scored[i].second];
      key.remove_prefix(key.find('\x1f') + 1);
      if (++seen[key] > options.same_name_keep) scored[i].first -= top;
    }
  }
  const size_t k = std::min(options.top_k, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(k), scored.end(),
                    [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (size_t i = 0; i < k; ++i) {
    const ColumnDocument& d = impl.docs[scored[i].second];
    out.push_back({d.table, d.column, scored[i].first});
  }
  return out;
}

}  // namespace askguru::index
