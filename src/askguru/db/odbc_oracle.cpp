#include "askguru/db/odbc_oracle.h"

#include <cmath>
#include <map>

#include "askguru/common/text.h"

namespace askguru::db {
namespace {

std::string literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// "<column> IN ('APPS', 'AP')" or "<column> = SYS_CONTEXT(...)".
std::string scope(const std::string& column, const std::vector<std::string>& schemas) {
  if (schemas.empty()) return column + " = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')";
  std::vector<std::string> quoted;
  for (const auto& s : schemas) quoted.push_back(literal(s));
  return column + " IN (" + text::join(quoted, ", ") + ")";
}

// The relations read: those of the chosen schemas and the targets of their synonyms.
std::string relations(const std::string& owner, const std::string& table, const std::vector<std::string>& schemas) {
  std::string out = "(";
  out.append(scope(owner, schemas)).append(" OR (").append(owner).append(", ").append(table);
  out.append(") IN (SELECT s.TABLE_OWNER, s.TABLE_NAME FROM ALL_SYNONYMS s WHERE ");
  out.append(scope("s.OWNER", schemas)).append(" AND s.DB_LINK IS NULL))");
  return out;
}

std::string text_of(const Row& row, size_t i) {
  return i < row.size() && !row[i].is_null() ? row[i].to_string() : std::string();
}

std::optional<int64_t> integer_of(const Row& row, size_t i) {
  if (i >= row.size()) return std::nullopt;
  if (row[i].type() == ValueType::kInteger) return row[i].as_integer();
  if (row[i].type() == ValueType::kReal) return static_cast<int64_t>(std::llround(row[i].as_real()));
  if (row[i].type() == ValueType::kText) {
    try {
      return std::stoll(row[i].as_text());
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// VARCHAR2(240), NUMBER(15,2), NUMBER, DATE.
std::string column_type(const Row& row) {
  std::string type = text_of(row, 3);
  auto length = integer_of(row, 4);
  auto precision = integer_of(row, 5);
  auto scale = integer_of(row, 6);
  static const char* const kSized[] = {"VARCHAR2", "NVARCHAR2", "CHAR", "NCHAR", "RAW", "VARCHAR"};
  for (const char* sized : kSized) {
    if (type == sized && length) return type + "(" + std::to_string(*length) + ")";
  }
  if ((type == "NUMBER" || type == "FLOAT") && precision) {
    if (type == "NUMBER" && scale && *scale != 0) {
      return type + "(" + std::to_string(*precision) + "," + std::to_string(*scale) + ")";
    }
    return type + "(" + std::to_string(*precision) + ")";
  }
  return type;
}

struct Base {
  std::string owner;
  std::string name;
  bool is_view = false;
  bool in_scope = false;
  std::string comments;
  std::optional<int64_t> num_rows;
  std::vector<catalog::Column> columns;
  std::vector<std::string> primary_key;
  std::vector<std::string> names;  // qualified names it is known by in the catalog
};

}  // namespace

OracleCatalogQueries oracle_catalog_queries(const std::vector<std::string>& schemas) {
  OracleCatalogQueries q;
  q.tables =
      "SELECT t.OWNER, t.TABLE_NAME, t.TABLE_TYPE, t.COMMENTS, CASE WHEN " + scope("t.OWNER", schemas) +
      " THEN 1 ELSE 0 END AS IN_SCOPE, s.NUM_ROWS\n"
      "FROM ALL_TAB_COMMENTS t\n"
      "LEFT JOIN ALL_TABLES s ON s.OWNER = t.OWNER AND s.TABLE_NAME = t.TABLE_NAME\n"
      "WHERE " +
      relations("t.OWNER", "t.TABLE_NAME", schemas) +
      "\n  AND t.TABLE_TYPE IN ('TABLE', 'VIEW') AND t.TABLE_NAME NOT LIKE 'BIN$%'\n"
      "ORDER BY t.OWNER, t.TABLE_NAME";
  q.columns =
      "SELECT c.OWNER, c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.DATA_LENGTH, c.DATA_PRECISION, c.DATA_SCALE, "
      "c.NULLABLE, c.COLUMN_ID, m.COMMENTS\n"
      "FROM ALL_TAB_COLUMNS c\n"
      "LEFT JOIN ALL_COL_COMMENTS m ON m.OWNER = c.OWNER AND m.TABLE_NAME = c.TABLE_NAME AND m.COLUMN_NAME = "
      "c.COLUMN_NAME\n"
      "WHERE " +
      relations("c.OWNER", "c.TABLE_NAME", schemas) +
      "\n"
      "ORDER BY c.OWNER, c.TABLE_NAME, c.COLUMN_ID";
  q.keys =
      "SELECT k.OWNER, k.TABLE_NAME, k.CONSTRAINT_TYPE, k.CONSTRAINT_NAME, kc.POSITION, kc.COLUMN_NAME, r.OWNER, "
      "r.TABLE_NAME, rc.COLUMN_NAME\n"
      "FROM ALL_CONSTRAINTS k\n"
      "JOIN ALL_CONS_COLUMNS kc ON kc.OWNER = k.OWNER AND kc.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND kc.TABLE_NAME = "
      "k.TABLE_NAME\n"
      "LEFT JOIN ALL_CONSTRAINTS r ON r.OWNER = k.R_OWNER AND r.CONSTRAINT_NAME = k.R_CONSTRAINT_NAME\n"
      "LEFT JOIN ALL_CONS_COLUMNS rc ON rc.OWNER = r.OWNER AND rc.CONSTRAINT_NAME = r.CONSTRAINT_NAME AND "
      "rc.POSITION = kc.POSITION\n"
      "WHERE k.CONSTRAINT_TYPE IN ('P', 'R') AND " +
      relations("k.OWNER", "k.TABLE_NAME", schemas) +
      "\n"
      "ORDER BY k.OWNER, k.TABLE_NAME, k.CONSTRAINT_TYPE, k.CONSTRAINT_NAME, kc.POSITION";
  q.synonyms =
      "SELECT s.OWNER, s.SYNONYM_NAME, s.TABLE_OWNER, s.TABLE_NAME\n"
      "FROM ALL_SYNONYMS s\n"
      "WHERE " +
      scope("s.OWNER", schemas) +
      " AND s.DB_LINK IS NULL\n"
      "ORDER BY s.OWNER, s.SYNONYM_NAME";
  return q;
}

catalog::Catalog oracle_catalog_from_rows(const OracleCatalogRows& rows, const std::string& db_id) {
  catalog::Catalog catalog;
  catalog.db_id = db_id;
  catalog.dialect = Dialect::kOracle;

  std::map<std::string, Base> bases;  // "OWNER.NAME" → relation
  std::vector<std::string> order;
  for (const auto& row : rows.tables.rows) {
    std::string key = text_of(row, 0) + "." + text_of(row, 1);
    auto [it, inserted] = bases.try_emplace(key);
    if (!inserted) continue;
    Base& b = it->second;
    b.owner = text_of(row, 0);
    b.name = text_of(row, 1);
    b.is_view = text_of(row, 2) == "VIEW";
    b.comments = text_of(row, 3);
    b.in_scope = integer_of(row, 4).value_or(0) != 0;
    b.num_rows = integer_of(row, 5);
    order.push_back(key);
  }
  for (const auto& row : rows.columns.rows) {
    auto it = bases.find(text_of(row, 0) + "." + text_of(row, 1));
    if (it == bases.end()) continue;
    catalog::Column column;
    column.name = text_of(row, 2);
    column.type = column_type(row);
    column.not_null = text_of(row, 7) == "N";
    column.description = text_of(row, 9);
    it->second.columns.push_back(std::move(column));
  }
  struct Key {
    std::string from, to;
    std::vector<std::string> from_columns, to_columns;
  };
  std::map<std::string, Key> foreign;  // "OWNER.CONSTRAINT" → key
  std::vector<std::string> foreign_order;
  for (const auto& row : rows.keys.rows) {
    std::string table = text_of(row, 0) + "." + text_of(row, 1);
    auto it = bases.find(table);
    if (it == bases.end()) continue;
    std::string type = text_of(row, 2);
    std::string column = text_of(row, 5);
    if (type == "P") {
      it->second.primary_key.push_back(column);
      for (auto& c : it->second.columns) {
        if (c.name == column) c.primary_key = true;
      }
      continue;
    }
    if (type != "R") continue;
    std::string name = text_of(row, 0) + "." + text_of(row, 3);
    auto [k, inserted] = foreign.try_emplace(name);
    if (inserted) {
      foreign_order.push_back(name);
      k->second.from = table;
      k->second.to = text_of(row, 6) + "." + text_of(row, 7);
    }
    k->second.from_columns.push_back(column);
    k->second.to_columns.push_back(text_of(row, 8));
  }

  auto make_table = [&](const Base& b, const std::string& schema, const std::string& name) {
    catalog::Table t;
    t.schema = schema;
    t.name = name;
    t.is_view = b.is_view;
    t.description = b.comments;
    t.columns = b.columns;
    t.primary_key = b.primary_key;
    t.row_count = b.num_rows;
    return t;
  };
  for (const auto& key : order) {
    Base& b = bases[key];
    if (!b.in_scope) continue;
    catalog.tables.push_back(make_table(b, b.owner, b.name));
    b.names.push_back(key);
  }
  for (const auto& row : rows.synonyms.rows) {
    std::string synonym = text_of(row, 0) + "." + text_of(row, 1);
    auto it = bases.find(text_of(row, 2) + "." + text_of(row, 3));
    if (it == bases.end() || bases.count(synonym)) continue;  // a dangling synonym, or a name taken
    Base& b = it->second;
    catalog::Table t = make_table(b, text_of(row, 0), text_of(row, 1));
    if (t.description.empty()) t.description = "Synonym for " + it->first + ".";
    catalog.tables.push_back(std::move(t));
    b.names.push_back(synonym);
  }
  for (const auto& name : foreign_order) {
    const Key& k = foreign[name];
    auto from = bases.find(k.from);
    auto to = bases.find(k.to);
    if (from == bases.end() || to == bases.end() || to->second.names.empty()) continue;
    for (const auto& from_name : from->second.names) {
      catalog.foreign_keys.push_back({from_name, k.from_columns, to->second.names.front(), k.to_columns});
    }
  }
  return catalog;
}

}  // namespace askguru::db
