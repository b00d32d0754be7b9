#include "askguru/eval/dataset.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "askguru/common/files.h"
#include "askguru/common/text.h"
#include "askguru/eval/sql_cleanup.h"

namespace askguru::eval {
namespace {

using Json = nlohmann::ordered_json;

// Maps byte offsets to 1-based line numbers.
class LineIndex {
 public:
  explicit LineIndex(const std::string& content) {
    starts_.push_back(0);
    for (size_t i = 0; i < content.size(); ++i) {
      if (content[i] == '\n') starts_.push_back(i + 1);
    }
  }
  size_t line(size_t offset) const {
    return static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin());
  }
  size_t column(size_t offset) const { return offset - starts_[line(offset) - 1] + 1; }

 private:
  std::vector<size_t> starts_;
};

// Offsets where each element of the top-level array (or each key of the top-level
// object) starts, so errors about one element can name its line.
std::vector<size_t> top_level_offsets(const std::string& s) {
  std::vector<size_t> out;
  int depth = 0;
  bool in_string = false, expect = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (expect && depth == 1 && c != ']' && c != '}') {
      out.push_back(i);
    }
    expect = false;
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
      if (depth == 1) expect = true;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect = true;
    }
  }
  return out;
}

std::string where(const std::string& path, size_t line) { return path + ":" + std::to_string(line); }

Status json_error(const std::string& path, const std::string& content, const Json::parse_error& e) {
  LineIndex lines(content);
  size_t offset = e.byte > 0 ? e.byte - 1 : 0;
  std::string what = e.what();
  // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line 1, column 2: ".
  size_t colon = what.find(": ");
  if (colon != std::string::npos) what = what.substr(colon + 2);
  return make_error(ErrorCode::kParseError, path + ":" + std::to_string(lines.line(offset)) + ":" +
                                                std::to_string(lines.column(offset)) + ": invalid JSON: " + what);
}

Result<std::string> string_field(const Json& object, const char* key, const std::string& at, bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (!required) return std::string();
    return make_error(ErrorCode::kParseError, at + ": missing field \"" + key + "\"");
  }
  if (!it->is_string()) {
    return make_error(ErrorCode::kParseError, at + ": field \"" + key + "\" must be a string, not " + it->type_name());
  }
  return it->get<std::string>();
}

Result<std::optional<int64_t>> id_field(const Json& object, const std::string& at) {
  auto it = object.find("question_id");
  if (it == object.end() || it->is_null()) return std::optional<int64_t>();
  if (it->is_number_integer()) return std::optional<int64_t>(it->get<int64_t>());
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0') return std::optional<int64_t>(v);
  }
  return make_error(ErrorCode::kParseError, at + ": field \"question_id\" must be an integer");
}

Result<Dataset> parse_json_dataset(const std::string& content, const std::string& path) {
  Json doc;
  try {
    doc = Json::parse(content);
  } catch (const Json::parse_error& e) {
    return json_error(path, content, e);
  }
  if (!doc.is_array()) return make_error(ErrorCode::kParseError, path + ": expected a JSON array of examples");
  Dataset dataset;
  dataset.path = path;
  if (doc.empty()) return make_error(ErrorCode::kInvalidArgument, path + ": the dataset has no examples");
  const Json& first = doc.front();
  if (first.is_object() && first.contains("SQL")) {
    dataset.format = DatasetFormat::kBird;
  } else if (first.is_object() && first.contains("query")) {
    dataset.format = DatasetFormat::kSpider;
  } else {
    LineIndex lines(content);
    auto offsets = top_level_offsets(content);
    return make_error(ErrorCode::kParseError,
                      where(path, offsets.empty() ? 1 : lines.line(offsets[0])) +
                          ": unknown dataset: expected objects with \"SQL\" (BIRD) or \"query\" (Spider)");
  }
  LineIndex lines(content);
  const auto offsets = top_level_offsets(content);
  const bool bird = dataset.format == DatasetFormat::kBird;
  dataset.examples.reserve(doc.size());
  for (size_t i = 0; i < doc.size(); ++i) {
    const size_t line = i < offsets.size() ? lines.line(offsets[i]) : 0;
    const std::string at = where(path, line) + " (example " + std::to_string(i) + ")";
    const Json& item = doc[i];
    if (!item.is_object()) return make_error(ErrorCode::kParseError, at + ": expected an object");
    Example ex;
    ex.line = line;
    AG_ASSIGN_OR_RETURN(ex.db_id, string_field(item, "db_id", at, true));
    AG_ASSIGN_OR_RETURN(ex.question, string_field(item, "question", at, false));
    if (bird) {
      AG_ASSIGN_OR_RETURN(std::string sql, string_field(item, "SQL", at, true));
      ex.gold_sql = std::string(text::trim(sql));
      AG_ASSIGN_OR_RETURN(ex.evidence, string_field(item, "evidence", at, false));
      AG_ASSIGN_OR_RETURN(ex.difficulty, string_field(item, "difficulty", at, false));
      AG_ASSIGN_OR_RETURN(ex.question_id, id_field(item, at));
    } else {
      AG_ASSIGN_OR_RETURN(std::string sql, string_field(item, "query", at, true));
      ex.gold_sql = std::string(text::trim(sql));
    }
    if (ex.db_id.empty()) return make_error(ErrorCode::kParseError, at + ": empty db_id");
    dataset.examples.push_back(std::move(ex));
  }
  return dataset;
}

Result<Dataset> parse_gold_lines(const std::string& content, const std::string& path) {
  Dataset dataset;
  dataset.path = path;
  dataset.format = DatasetFormat::kGoldLines;
  auto lines = text::split(content, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = text::trim(lines[i]);
    if (line.empty()) continue;
    auto fields = text::split(line, '\t');
    if (fields.size() != 2 || text::trim(fields[1]).empty()) {
      return make_error(ErrorCode::kParseError, where(path, i + 1) + ": expected 'SQL<TAB>db_id', found " +
                                                    std::to_string(fields.size()) + " TAB-separated field(s)");
    }
    Example ex;
    ex.line = i + 1;
    ex.gold_sql = std::string(text::trim(fields[0]));
    ex.db_id = std::string(text::trim(fields[1]));
    dataset.examples.push_back(std::move(ex));
  }
  if (dataset.examples.empty()) return make_error(ErrorCode::kInvalidArgument, path + ": the dataset has no examples");
  return dataset;
}

Result<Predictions> parse_bird_predictions(const Json& doc, const std::string& content, const std::string& path) {
  Predictions out;
  out.path = path;
  out.format = PredictionFormat::kBirdJson;
  LineIndex lines(content);
  const auto offsets = top_level_offsets(content);
  size_t i = 0;
  for (auto it = doc.begin(); it != doc.end(); ++it, ++i) {
    Prediction p;
    p.line = i < offsets.size() ? lines.line(offsets[i]) : 0;
    if (it.value().is_string()) {
      p.sql = bird_split_prediction(it.value().get<std::string>(), &p.db_id);
    } else {
      p.sql = " ";  // mini_dev scores a non-string prediction as the empty statement " "
    }
    out.items.push_back(std::move(p));
  }
  return out;
}

bool looks_like_jsonl_object(const Json& j) {
  return j.is_object() && (j.contains("sql") || j.contains("SQL") || j.contains("query") || j.contains("predicted_sql"));
}

Result<Predictions> parse_jsonl(const std::string& content, const std::string& path) {
  Predictions out;
  out.path = path;
  out.format = PredictionFormat::kJsonl;
  auto lines = text::split(content, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = text::trim(lines[i]);
    if (line.empty()) continue;
    const std::string at = where(path, i + 1);
    Json j;
    try {
      j = Json::parse(line);
    } catch (const Json::parse_error& e) {
      std::string what = e.what();
      size_t colon = what.find(": ");
      if (colon != std::string::npos) what = what.substr(colon + 2);
      return make_error(ErrorCode::kParseError, at + ": invalid JSON: " + what);
    }
    if (!j.is_object()) return make_error(ErrorCode::kParseError, at + ": expected a JSON object per line");
    Prediction p;
    p.line = i + 1;
    const char* key = nullptr;
    for (const char* k : {"sql", "SQL", "predicted_sql", "query"}) {
      if (j.contains(k)) {
        key = k;
        break;
      }
    }
    if (!key) return make_error(ErrorCode::kParseError, at + ": missing field \"sql\"");
    if (j[key].is_null()) {
      p.sql = "";
    } else {
      AG_ASSIGN_OR_RETURN(p.sql, string_field(j, key, at, true));
    }
    AG_ASSIGN_OR_RETURN(p.db_id, string_field(j, "db_id", at, false));
    AG_ASSIGN_OR_RETURN(p.question_id, id_field(j, at));
    out.items.push_back(std::move(p));
  }
  return out;
}

Result<Predictions> parse_lines(const std::string& content, const std::string& path) {
  Predictions out;
  out.path = path;
  out.format = PredictionFormat::kLines;
  auto lines = text::split(content, '\n');
  while (!lines.empty() && text::trim(lines.back()).empty()) lines.pop_back();
  for (size_t i = 0; i < lines.size(); ++i) {
    Prediction p;
    p.line = i + 1;
    std::string_view line = text::trim(lines[i]);
    size_t tab = line.find('\t');
    p.sql = std::string(line.substr(0, tab));
    if (tab != std::string_view::npos) p.db_id = std::string(text::trim(line.substr(tab + 1)));
    out.items.push_back(std::move(p));
  }
  return out;
}

}  // namespace

const char* dataset_format_name(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::kBird: return "bird";
    case DatasetFormat::kSpider: return "spider";
    case DatasetFormat::kGoldLines: return "gold-lines";
  }
  return "";
}

const char* prediction_format_name(PredictionFormat format) {
  switch (format) {
    case PredictionFormat::kBirdJson: return "bird-json";
    case PredictionFormat::kLines: return "lines";
    case PredictionFormat::kJsonl: return "jsonl";
  }
  return "";
}

Result<Dataset> parse_dataset(const std::string& content, const std::string& path) {
  std::string_view body = text::trim(content);
  if (body.empty()) return make_error(ErrorCode::kInvalidArgument, path + ": the dataset file is empty");
  if (body.front() == '[') return parse_json_dataset(content, path);
  if (body.front() == '{') {
    return make_error(ErrorCode::kParseError,
                      path + ":1: a JSON object is not a dataset: expected a JSON array (BIRD dev.json, Spider "
                             "train.json) or 'SQL<TAB>db_id' lines");
  }
  return parse_gold_lines(content, path);
}

Result<Dataset> load_dataset(const std::string& path) {
  AG_ASSIGN_OR_RETURN(std::string content, files::read_file(path));
  return parse_dataset(content, path);
}

Result<Predictions> parse_predictions(const std::string& content, const std::string& path) {
  std::string_view body = text::trim(content);
  if (body.empty()) return make_error(ErrorCode::kInvalidArgument, path + ": the prediction file is empty");
  if (body.front() == '{') {
    Json doc;
    bool whole = true;
    try {
      doc = Json::parse(content);
    } catch (const Json::parse_error& e) {
      whole = false;
      // Several objects, one per line, do not parse as one document: JSONL. A single
      // malformed object gets the JSON error.
      size_t first_newline = body.find('\n');
      std::string first_line(text::trim(body.substr(0, first_newline)));
      bool first_is_object = false;
      try {
        first_is_object = Json::parse(first_line).is_object();
      } catch (const Json::parse_error&) {
      }
      if (!first_is_object) return json_error(path, content, e);
    }
    if (whole) {
      if (!doc.is_object()) return make_error(ErrorCode::kParseError, path + ": expected a JSON object");
      if (looks_like_jsonl_object(doc)) return parse_jsonl(content, path);
      return parse_bird_predictions(doc, content, path);
    }
    return parse_jsonl(content, path);
  }
  return parse_lines(content, path);
}

Result<Predictions> load_predictions(const std::string& path) {
  AG_ASSIGN_OR_RETURN(std::string content, files::read_file(path));
  return parse_predictions(content, path);
}

Result<std::vector<std::string>> align_predictions(const Dataset& dataset, const Predictions& predictions,
                                                   std::vector<std::string>* warnings) {
  const auto& examples = dataset.examples;
  const auto& items = predictions.items;
  std::vector<const Prediction*> matched(examples.size(), nullptr);

  bool by_id = predictions.format == PredictionFormat::kJsonl && !items.empty() &&
               std::all_of(items.begin(), items.end(), [](const Prediction& p) { return p.question_id.has_value(); }) &&
               std::all_of(examples.begin(), examples.end(),
                           [](const Example& e) { return e.question_id.has_value(); });
  if (by_id) {
    std::map<int64_t, size_t> index;
    for (size_t i = 0; i < examples.size(); ++i) index.emplace(*examples[i].question_id, i);
    for (const auto& p : items) {
      auto it = index.find(*p.question_id);
      const std::string at = where(predictions.path, p.line);
      if (it == index.end()) {
        return make_error(ErrorCode::kInvalidArgument, at + ": question_id " + std::to_string(*p.question_id) +
                                                           " is not in " + dataset.path);
      }
      if (matched[it->second]) {
        return make_error(ErrorCode::kInvalidArgument,
                          at + ": a second prediction for question_id " + std::to_string(*p.question_id) +
                              " (the first is on line " + std::to_string(matched[it->second]->line) + ")");
      }
      matched[it->second] = &p;
    }
    std::vector<std::string> missing;
    for (size_t i = 0; i < examples.size(); ++i) {
      if (!matched[i]) missing.push_back(std::to_string(*examples[i].question_id));
    }
    if (!missing.empty()) {
      size_t n = missing.size();
      if (missing.size() > 5) missing.resize(5);
      return make_error(ErrorCode::kInvalidArgument,
                        predictions.path + ": no prediction for " + std::to_string(n) + " of " +
                            std::to_string(examples.size()) + " questions in " + dataset.path +
                            " (question_id " + text::join(missing, ", ") + (n > 5 ? ", ..." : "") + ")");
    }
  } else {
    if (items.size() != examples.size()) {
      return make_error(ErrorCode::kInvalidArgument,
                        predictions.path + " has " + std::to_string(items.size()) + " predictions but " +
                            dataset.path + " has " + std::to_string(examples.size()) +
                            " examples: predictions are matched by position, so the counts must be equal");
    }
    for (size_t i = 0; i < items.size(); ++i) matched[i] = &items[i];
  }

  std::vector<std::string> out;
  out.reserve(examples.size());
  size_t db_mismatches = 0;
  std::string first_mismatch;
  for (size_t i = 0; i < examples.size(); ++i) {
    const Prediction& p = *matched[i];
    if (!p.db_id.empty() && p.db_id != examples[i].db_id) {
      if (db_mismatches++ == 0) {
        first_mismatch = where(predictions.path, p.line) + " names database '" + p.db_id + "' but example " +
                         std::to_string(i) + " is on '" + examples[i].db_id + "'";
      }
    }
    out.push_back(p.sql);
  }
  if (db_mismatches > 0 && warnings) {
    warnings->push_back(std::to_string(db_mismatches) +
                        " prediction(s) name another database than their example; the example's database is "
                        "used (first: " +
                        first_mismatch + ")");
  }
  return out;
}

}  // namespace askguru::eval
