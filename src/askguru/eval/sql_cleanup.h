// The text clean-ups the official scorers apply to SQL before they execute it.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace askguru::eval {

// test-suite-sql-eval evaluation.py: the prediction's " value " placeholder becomes " 1 ".
std::string spider_plug_value(std::string sql);
// exec_eval.postprocess: "> =" -> ">=", "< =" -> "<=", "! =" -> "!=".
std::string spider_postprocess(std::string sql);
// parse.remove_distinct: drops every token spelled DISTINCT (any case) and keeps the
// rest of the text, whitespace included, as sqlparse's flattened tokens would.
// Quoted strings, quoted identifiers and comments are left alone. Like upstream
// (sqlparse.parse(s)[0]) it keeps only the first statement: "SELECT a; DESC" becomes
// "SELECT a; ".
std::string spider_remove_distinct(std::string_view sql);
// exec_eval.replace_cur_year: YEAR(CURDATE()) (any case and spacing) -> 2020,
// trailing whitespace included.
std::string spider_replace_cur_year(std::string_view sql);
// exec_eval's `'order by' in g_str.lower()`.
bool spider_order_matters(std::string_view gold_sql);

// True when Python's sqlite3 refuses `sql` with "You can only execute one statement at
// a time": something other than whitespace and comments follows the first ';'.
bool python_rejects_as_several_statements(std::string_view sql);

// True when `sql` holds no statement: only whitespace, comments and semicolons.
// Python's sqlite3 executes such a string as a no-op that returns no rows.
bool is_blank_sql(std::string_view sql);

// BIRD's prediction value "SQL\t----- bird -----\tdb_id" (mini_dev package_sqls): the
// SQL before the separator when there is exactly one separator, else the whole value
// stripped. `db_id` receives the part after the separator (empty when none).
std::string bird_split_prediction(std::string_view value, std::string* db_id);

inline constexpr std::string_view kBirdSeparator = "\t----- bird -----\t";

}  // namespace askguru::eval
