#include "askguru/catalog/render.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "askguru/common/text.h"

// GCC 12 reports a false -Wrestrict inside std::string for `"literal" + std::string`
// at -O3 (GCC bug 105651); this file builds text that way throughout.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

namespace askguru::catalog {
namespace {

constexpr size_t kMaxSampleChars = 50;

struct SelectedTable {
  const Table* table;
  std::vector<const Column*> columns;
};

struct Selection {
  std::vector<SelectedTable> tables;
  std::vector<const ForeignKey*> keys;
};

Selection select(const Catalog& catalog, const RenderOptions& options) {
  Selection selection;
  // Selected table -> lower-case column names (empty set with `all` = every column).
  struct Wanted {
    bool all = false;
    std::set<std::string> columns;
  };
  std::map<const Table*, Wanted> wanted;
  if (!options.columns) {
    for (const auto& table : catalog.tables) wanted[&table].all = true;
  } else {
    for (const auto& ref : *options.columns) {
      const Table* table = catalog.find_table(ref.table);
      if (!table) continue;
      Wanted& w = wanted[table];
      if (ref.column.empty() || ref.column == "*") {
        w.all = true;
      } else if (const Column* column = table->find_column(ref.column)) {
        w.columns.insert(text::to_lower(column->name));
      }
    }
  }
  for (const auto& fk : catalog.foreign_keys) {
    const Table* from = catalog.find_table(fk.from_table);
    const Table* to = catalog.find_table(fk.to_table);
    if (!from || !to || !wanted.count(from) || !wanted.count(to)) continue;
    selection.keys.push_back(&fk);
    for (const auto& name : fk.from_columns) wanted[from].columns.insert(text::to_lower(name));
    for (const auto& name : fk.to_columns) wanted[to].columns.insert(text::to_lower(name));
  }
  for (const auto& table : catalog.tables) {
    auto it = wanted.find(&table);
    if (it == wanted.end()) continue;
    for (const auto& name : table.primary_key) it->second.columns.insert(text::to_lower(name));
    SelectedTable selected{&table, {}};
    for (const auto& column : table.columns) {
      if (it->second.all || it->second.columns.count(text::to_lower(column.name))) selected.columns.push_back(&column);
    }
    selection.tables.push_back(std::move(selected));
  }
  return selection;
}

// Whitespace runs (newlines included) as one space, trimmed.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string normalized(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  return text::to_lower(haystack).find(text::to_lower(needle)) != std::string::npos;
}

// The column's description for prompts: natural name (when it says more than the
// name), description and value description, on one line.
std::string describe(const Column& column, const RenderOptions& options) {
  if (!options.descriptions) return {};
  std::string description = one_line(column.description);
  std::string natural = one_line(column.natural_name);
  if (!natural.empty() && normalized(natural) != normalized(column.name) && !icontains(description, natural)) {
    description = description.empty() ? natural : natural + ": " + description;
  }
  std::string values = one_line(column.value_description);
  if (!values.empty() && values != description) {
    description = description.empty() ? values : description + "; values: " + values;
  }
  // With no shipped description, the LLM field summary (profile/summaries.h) stands in.
  if (description.empty() && options.summaries) description = one_line(column.summary_short);
  return description;
}

std::vector<std::string> samples_of(const Column& column, const RenderOptions& options) {
  std::vector<std::string> out;
  for (const auto& sample : column.samples) {
    if (out.size() >= options.max_samples) break;
    out.push_back(text::ellipsize(one_line(sample), kMaxSampleChars));
  }
  return out;
}

std::string table_title(const Table& table) {
  return table.schema.empty() ? table.name : table.schema + "." + table.name;
}

std::string key_text(const ForeignKey& fk) {
  std::vector<std::string> pairs;
  for (size_t i = 0; i < fk.from_columns.size() && i < fk.to_columns.size(); ++i) {
    pairs.push_back(fk.from_table + "." + fk.from_columns[i] + " -> " + fk.to_table + "." + fk.to_columns[i]);
  }
  return text::join(pairs, ", ");
}

bool is_plain_identifier(std::string_view name) {
  static const std::set<std::string> kReserved = {
      "all",        "alter",  "and",    "as",     "asc",    "between", "by",      "case",
      "check",      "column", "commit", "create", "cross",  "default", "delete",  "desc",
      "distinct",   "drop",   "else",   "end",    "except", "exists",  "foreign", "from",
      "full",       "group",  "having", "in",     "index",  "inner",   "insert",  "intersect",
      "into",       "is",     "join",   "key",    "left",   "like",    "limit",   "natural",
      "not",        "null",   "offset", "on",     "or",     "order",   "outer",   "primary",
      "references", "right",  "select", "set",    "table",  "then",    "to",      "transaction",
      "union",      "unique", "update", "using",  "values", "when",    "where",   "with"};
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return !kReserved.count(text::to_lower(name));
}

std::string sql_name(std::string_view name) {
  if (is_plain_identifier(name)) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// APPS.AP_INVOICES_ALL, "my schema"."t": each part quoted as it needs.
std::string sql_table_name(const Table& table) {
  return table.schema.empty() ? sql_name(table.name) : sql_name(table.schema) + "." + sql_name(table.name);
}

// Whether a foreign key's from_table / to_table (bare or schema-qualified) names `table`.
bool names_table(const std::string& name, const Table& table) {
  return text::iequals(name, table_title(table)) || (table.schema.empty() && text::iequals(name, table.name));
}

std::string sql_names(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const auto& name : names) quoted.push_back(sql_name(name));
  return text::join(quoted, ", ");
}

// ---- text ----------------------------------------------------------------------

std::string render_text(const Catalog& catalog, const Selection& selection, const RenderOptions& options) {
  std::string out = catalog.db_id.empty() ? std::string("database") : catalog.db_id;
  out += " (" + std::string(dialect_name(catalog.dialect)) + "): " + std::to_string(selection.tables.size()) +
         (selection.tables.size() == 1 ? " table" : " tables") + ", " + std::to_string(selection.keys.size()) +
         (selection.keys.size() == 1 ? " foreign key" : " foreign keys") + "\n";
  for (const auto& [table, columns] : selection.tables) {
    out += "\n" + table_title(*table) + " (" + (table->is_view ? "view" : "table");
    if (options.row_counts && table->row_count) out += ", " + std::to_string(*table->row_count) + " rows";
    out += ")";
    if (options.descriptions && !table->description.empty()) out += ": " + one_line(table->description);
    out += "\n";
    auto flags_of = [](const Column& column) -> std::string {
      if (column.primary_key) return "primary key";
      return column.not_null ? "not null" : "";
    };
    size_t name_width = 0;
    size_t type_width = 0;
    size_t flags_width = 0;
    for (const Column* column : columns) {
      name_width = std::max(name_width, column->name.size());
      type_width = std::max(type_width, column->type.size());
      flags_width = std::max(flags_width, flags_of(*column).size());
    }
    for (const Column* column : columns) {
      std::string line = "  ";
      line += column->name;
      line.append(name_width - column->name.size() + 2, ' ');
      line += column->type;
      line.append(type_width - column->type.size() + 2, ' ');
      std::string flags = flags_of(*column);
      line += flags;
      if (flags_width > 0) line.append(flags_width - flags.size() + 2, ' ');
      std::string description = describe(*column, options);
      if (!description.empty()) line += description + "  ";
      auto samples = samples_of(*column, options);
      if (!samples.empty()) line += "[e.g. " + text::join(samples, ", ") + "]";
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  if (!selection.keys.empty()) {
    out += "\nforeign keys:\n";
    for (const ForeignKey* fk : selection.keys) out += "  " + key_text(*fk) + "\n";
  }
  return out;
}

// ---- DDL -----------------------------------------------------------------------

std::string render_ddl(const Catalog& catalog, const Selection& selection, const RenderOptions& options) {
  std::string out;
  for (const auto& [table, columns] : selection.tables) {
    if (!out.empty()) out += "\n";
    if (table->is_view) out += "-- view: read-only, queried like a table\n";
    if (options.descriptions && !table->description.empty()) out += "-- " + one_line(table->description) + "\n";
    struct Item {
      std::string text;
      std::string comment;
    };
    std::vector<Item> items;
    const bool inline_key = table->primary_key.size() == 1;
    for (const Column* column : columns) {
      Item item;
      item.text = sql_name(column->name);
      if (!column->type.empty()) item.text += " " + column->type;
      if (inline_key && text::iequals(table->primary_key[0], column->name)) {
        item.text += " PRIMARY KEY";
      } else if (column->not_null) {
        item.text += " NOT NULL";
      }
      item.comment = describe(*column, options);
      auto samples = samples_of(*column, options);
      if (!samples.empty()) {
        if (!item.comment.empty()) item.comment += ". ";
        item.comment += "Examples: " + text::join(samples, ", ");
      }
      items.push_back(std::move(item));
    }
    if (table->primary_key.size() > 1) items.push_back({"PRIMARY KEY (" + sql_names(table->primary_key) + ")", ""});
    for (const ForeignKey* fk : selection.keys) {
      if (!names_table(fk->from_table, *table)) continue;
      const Table* to = catalog.find_table(fk->to_table);
      items.push_back({"FOREIGN KEY (" + sql_names(fk->from_columns) + ") REFERENCES " +
                           (to ? sql_table_name(*to) : sql_name(fk->to_table)) + " (" +
                           sql_names(fk->to_columns) + ")",
                       ""});
    }
    out += "CREATE TABLE " + sql_table_name(*table) + " (\n";
    for (size_t i = 0; i < items.size(); ++i) {
      out += "  " + items[i].text;
      if (i + 1 < items.size()) out += ",";
      if (!items[i].comment.empty()) out += " -- " + items[i].comment;
      out += "\n";
    }
    out += ");\n";
  }
  return out;
}

// ---- Markdown --------------------------------------------------------------------

std::string md_cell(std::string_view s) {
  return text::replace_all(one_line(s), "|", "\\|");
}

std::string render_markdown(const Catalog& catalog, const Selection& selection, const RenderOptions& options) {
  std::string out = "# Database `" + catalog.db_id + "`\n";
  for (const auto& [table, columns] : selection.tables) {
    out += "\n## " + std::string(table->is_view ? "View" : "Table") + " `" + table_title(*table) + "`";
    if (options.row_counts && table->row_count) out += " (" + std::to_string(*table->row_count) + " rows)";
    out += "\n\n";
    if (options.descriptions && !table->description.empty()) out += one_line(table->description) + "\n\n";
    out += "| Column | Type | Key | Description | Examples |\n|---|---|---|---|---|\n";
    for (const Column* column : columns) {
      std::string key = column->primary_key ? "PK" : "";
      for (const ForeignKey* fk : selection.keys) {
        if (!names_table(fk->from_table, *table)) continue;
        for (size_t i = 0; i < fk->from_columns.size(); ++i) {
          if (text::iequals(fk->from_columns[i], column->name) && i < fk->to_columns.size()) {
            key += std::string(key.empty() ? "" : ", ") + "FK → " + fk->to_table + "." + fk->to_columns[i];
          }
        }
      }
      std::vector<std::string> samples;
      for (const auto& sample : samples_of(*column, options)) samples.push_back("`" + md_cell(sample) + "`");
      out += "| " + md_cell(column->name) + " | " + md_cell(column->type) + " | " + md_cell(key) + " | " +
             md_cell(describe(*column, options)) + " | " + text::join(samples, ", ") + " |\n";
    }
  }
  if (!selection.keys.empty()) {
    out += "\n## Foreign keys\n\n";
    for (const ForeignKey* fk : selection.keys) {
      for (size_t i = 0; i < fk->from_columns.size() && i < fk->to_columns.size(); ++i) {
        out += "- `" + fk->from_table + "." + fk->from_columns[i] + "` → `" + fk->to_table + "." + fk->to_columns[i] +
               "`\n";
      }
    }
  }
  return out;
}

// ---- M-Schema (XiYan-SQL) -----------------------------------------------------------

// The examples M-Schema shows: at most max_samples; one for date/time types; for long
// values only the first, and none when one is longer than 50 characters.
// A column whose profile found dates or times (e.g. TEXT holding '2019-10-05') counts as
// a date/time type, as its declared type would in M-Schema. Without samples, the most
// frequent values of the profile serve.
bool temporal_values(const Column& column) {
  for (const auto& f : column.profile.formats) {
    if (f.rfind("date:", 0) == 0 || f.rfind("datetime:", 0) == 0 || f.rfind("time:", 0) == 0) return true;
  }
  return false;
}

std::vector<std::string> mschema_examples(const Column& column, const std::string& type, size_t max_samples) {
  std::vector<std::string> examples;
  for (const auto& sample : column.samples) {
    if (examples.size() >= max_samples) break;
    examples.push_back(one_line(sample));
  }
  if (examples.empty()) {
    for (const auto& top : column.profile.top_values) {
      if (examples.size() >= max_samples) break;
      examples.push_back(one_line(top.value));
    }
  }
  if (examples.empty()) return examples;
  size_t longest = 0;
  for (const auto& e : examples) longest = std::max(longest, e.size());
  if (type == "DATE" || type == "TIME" || type == "DATETIME" || type == "TIMESTAMP" || temporal_values(column)) {
    examples.resize(1);
  } else if (longest > 50) {
    examples.clear();
  } else if (longest > 20) {
    examples.resize(1);
  }
  return examples;
}

std::string render_mschema(const Catalog& catalog, const Selection& selection, const RenderOptions& options) {
  std::vector<std::string> lines;
  lines.push_back("【DB_ID】 " + catalog.db_id);
  lines.push_back("【Schema】");
  for (const auto& [table, columns] : selection.tables) {
    std::string title = "# Table: " + table_title(*table);
    if (options.descriptions && !table->description.empty()) title += ", " + one_line(table->description);
    lines.push_back(title);
    std::vector<std::string> fields;
    for (const Column* column : columns) {
      std::string type = text::to_upper(column->type.substr(0, column->type.find('(')));
      std::string field = "(" + column->name + ":" + type;
      std::string description = describe(*column, options);
      if (!description.empty()) field += ", " + description;
      if (column->primary_key) field += ", Primary Key";
      auto examples = mschema_examples(*column, type, options.max_samples);
      if (!examples.empty()) field += ", Examples: [" + text::join(examples, ", ") + "]";
      field += ")";
      fields.push_back(std::move(field));
    }
    lines.push_back("[");
    lines.push_back(text::join(fields, ",\n"));
    lines.push_back("]");
  }
  if (!selection.keys.empty()) {
    lines.push_back("【Foreign keys】");
    for (const ForeignKey* fk : selection.keys) {
      for (size_t i = 0; i < fk->from_columns.size() && i < fk->to_columns.size(); ++i) {
        lines.push_back(fk->from_table + "." + fk->from_columns[i] + "=" + fk->to_table + "." + fk->to_columns[i]);
      }
    }
  }
  return text::join(lines, "\n") + "\n";
}

}  // namespace

std::optional<RenderFormat> parse_render_format(std::string_view name) {
  std::string lower = text::to_lower(name);
  if (lower == "text") return RenderFormat::kText;
  if (lower == "ddl" || lower == "sql") return RenderFormat::kDdl;
  if (lower == "markdown" || lower == "md") return RenderFormat::kMarkdown;
  if (lower == "mschema" || lower == "m-schema") return RenderFormat::kMSchema;
  return std::nullopt;
}

std::string_view render_format_name(RenderFormat format) {
  switch (format) {
    case RenderFormat::kText: return "text";
    case RenderFormat::kDdl: return "ddl";
    case RenderFormat::kMarkdown: return "markdown";
    case RenderFormat::kMSchema: return "mschema";
  }
  return "ddl";
}

std::string render(const Catalog& catalog, const RenderOptions& options) {
  Selection selection = select(catalog, options);
  switch (options.format) {
    case RenderFormat::kText: return render_text(catalog, selection, options);
    case RenderFormat::kDdl: return render_ddl(catalog, selection, options);
    case RenderFormat::kMarkdown: return render_markdown(catalog, selection, options);
    case RenderFormat::kMSchema: return render_mschema(catalog, selection, options);
  }
  return {};
}

}  // namespace askguru::catalog
