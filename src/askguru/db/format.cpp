#include "askguru/db/format.h"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "askguru/common/text.h"

namespace askguru::db {
namespace {

// Display width of a UTF-8 string (wide East Asian characters count 2, invalid bytes 1).
size_t display_width(std::string_view s) {
  size_t width = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      ++width;
      ++p;
      --left;
      continue;
    }
    int w = utf8proc_charwidth(cp);
    width += static_cast<size_t>(w < 0 ? 1 : w);
    p += n;
    left -= n;
  }
  return width;
}

std::string cell_text(const Value& value, size_t max_chars) {
  std::string s = value.to_string();
  if (value.type() == ValueType::kText) {
    s = text::replace_all(std::move(s), "\r", "\\r");
    s = text::replace_all(std::move(s), "\n", "\\n");
    s = text::replace_all(std::move(s), "\t", " ");
  }
  if (max_chars > 0) s = text::ellipsize(s, max_chars);
  return s;
}

bool is_number(const Value& value) {
  return value.type() == ValueType::kInteger || value.type() == ValueType::kReal;
}

void pad(std::string& out, size_t n) {
  out.append(n, ' ');
}

}  // namespace

std::string format_footer(const ResultSet& result) {
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1f ms", result.elapsed_ms);
  std::string out = "(";
  out += std::to_string(result.rows.size());
  out += result.rows.size() == 1 ? " row, " : " rows, ";
  out += elapsed;
  out += ")";
  return out;
}

std::string format_table(const ResultSet& result, const TableFormatOptions& options) {
  const size_t columns = result.columns.size();
  std::vector<std::vector<std::string>> cells(result.rows.size());
  std::vector<size_t> widths(columns, 0);
  std::vector<bool> numeric(columns, true);  // right-align columns that hold only numbers (and NULLs)
  for (size_t c = 0; c < columns; ++c) widths[c] = display_width(result.columns[c]);
  for (size_t r = 0; r < result.rows.size(); ++r) {
    const Row& row = result.rows[r];
    cells[r].reserve(columns);
    for (size_t c = 0; c < columns; ++c) {
      const Value& value = c < row.size() ? row[c] : Value();
      cells[r].push_back(cell_text(value, options.max_cell_chars));
      widths[c] = std::max(widths[c], display_width(cells[r].back()));
      if (!value.is_null() && !is_number(value)) numeric[c] = false;
    }
  }
  std::string out;
  if (columns > 0) {
    for (size_t c = 0; c < columns; ++c) {
      if (c > 0) out += " | ";
      out += result.columns[c];
      if (c + 1 < columns) pad(out, widths[c] - display_width(result.columns[c]));
    }
    out += "\n";
    for (size_t c = 0; c < columns; ++c) {
      if (c > 0) out += "-+-";
      out.append(widths[c], '-');
    }
    out += "\n";
    for (const auto& row : cells) {
      std::string line;
      for (size_t c = 0; c < columns; ++c) {
        if (c > 0) line += " | ";
        size_t fill = widths[c] - display_width(row[c]);
        if (numeric[c]) {
          pad(line, fill);
          line += row[c];
        } else {
          line += row[c];
          pad(line, fill);
        }
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  if (options.footer) {
    out += format_footer(result) + "\n";
    if (result.truncated) {
      out += "(stopped at ";
      out += std::to_string(result.rows.size());
      out += " rows: the query returns more; raise the row cap to see them)\n";
    }
  }
  return out;
}

std::string format_json(const ResultSet& result, int indent) {
  using nlohmann::json;
  json rows = json::array();
  for (const auto& row : result.rows) {
    json out_row = json::array();
    for (const auto& value : row) {
      switch (value.type()) {
        case ValueType::kNull: out_row.push_back(nullptr); break;
        case ValueType::kInteger: out_row.push_back(value.as_integer()); break;
        case ValueType::kReal:
          if (std::isfinite(value.as_real())) {
            out_row.push_back(value.as_real());
          } else {
            out_row.push_back(nullptr);
          }
          break;
        case ValueType::kText: out_row.push_back(value.as_text()); break;
        case ValueType::kBlob: out_row.push_back(value.to_string()); break;
      }
    }
    rows.push_back(std::move(out_row));
  }
  json root = {{"columns", result.columns},
               {"rows", std::move(rows)},
               {"row_count", result.rows.size()},
               {"truncated", result.truncated},
               {"elapsed_ms", result.elapsed_ms}};
  return root.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace askguru::db
