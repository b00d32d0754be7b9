// Catalog-aware translation: SQL written for one engine (SQLite) → the same query for a
// target engine (PostgreSQL or Oracle), resolved against the target database's Catalog, so that it
// returns the rows the original returns on the source engine.
//
// The printer (printer.h) transpiles syntax; translate() also fixes what depends on names
// and types, which only the catalog knows. Rules (PostgreSQL target):
//   - names: tables and columns get the catalog's exact spelling, quoted when PostgreSQL
//     would fold or misread them (upper case, reserved words); a qualifier naming a table
//     without alias follows its table; a select-list alias used in WHERE / GROUP BY /
//     HAVING / inside an ORDER BY expression is replaced by its expression;
//   - SQLite's double-quoted string: an unknown double-quoted bare identifier → '...';
//   - comparisons (=, <>, <, IN, BETWEEN) of text with numbers follow SQLite's affinity:
//     a number literal against a text column becomes '...', a numeric string literal
//     against a numeric column becomes a number, a number expression against text is
//     cast to TEXT;
//   - text used as a number (SUM, AVG, arithmetic) → CASE WHEN x ~ number THEN CAST(x AS
//     DOUBLE PRECISION) ELSE 0 END (SQLite reads non-numeric text as 0); with a source
//     catalog, numeric-affinity columns held as text compare and sort as SQLite does;
//   - SELECT DISTINCT a ... ORDER BY b (b not selected) → GROUP BY a ORDER BY MIN(b) / MAX(b);
//   - LIKE → ILIKE (SQLite's LIKE ignores ASCII case); a number LIKE '...' casts to TEXT;
//   - a / b → a / NULLIF(b, 0) (SQLite gives NULL on division by zero, PostgreSQL fails);
//     integer / integer stays integer division in both;
//   - GROUP BY completed with the bare columns SQLite allows in the select list, HAVING
//     and ORDER BY; an aggregate query without GROUP BY with bare columns and one MIN/MAX
//     takes the bare columns from the row holding the extreme, as SQLite does;
//   - ORDER BY: NULLS FIRST (ascending) / NULLS LAST (descending), SQLite's null order;
//   - functions: ROUND(x, n) on NUMERIC, INSTR → STRPOS, GROUP_CONCAT → STRING_AGG,
//     scalar MAX/MIN(a, b) → GREATEST/LEAST, SUBSTR kept, IFNULL/IIF by the printer;
//   - derived tables without alias are named (printer).
// Rules (Oracle target, 12c and later; EBS-style catalogs with upper-case names):
//   - names as for PostgreSQL, quoted when Oracle would fold or misread them (lower case,
//     Oracle's reserved words: "LEVEL", "SIZE", "DATE"); a table gets its owner
//     (APPS.AP_INVOICES_ALL); table aliases without AS, LIMIT/OFFSET as OFFSET ... ROWS
//     FETCH FIRST ... ROWS ONLY, FROM DUAL, EXCEPT as MINUS (printer);
//   - a || b → CASE WHEN a IS NOT NULL AND b IS NOT NULL THEN a || b END for operands
//     that may be NULL (SQLite gives NULL, Oracle reads NULL as '');
//   - LIKE → LOWER(a) LIKE LOWER(b) (Oracle's LIKE is case-sensitive under NLS_COMP=BINARY);
//   - a / b → a / NULLIF(b, 0), and TRUNC(...) when both are integers (NUMBER(p), NUMBER(p,0));
//     a NUMBER without precision counts as real;
//   - x = '' → x IS NULL, x <> '' → x IS NOT NULL (Oracle stores '' as NULL);
//   - ISO strings compared with a DATE / TIMESTAMP → DATE '...' / TIMESTAMP '...';
//     date('now') → TRUNC(SYSDATE), datetime('now') → SYSDATE, strftime(f, d) →
//     TO_CHAR(d, f'), date/datetime modifiers (±N days/hours/minutes/seconds/months/years,
//     start of day/month/year) → arithmetic, ADD_MONTHS, TRUNC; julianday(d) → d - DATE
//     '1970-01-01' + 2440587.5; on ISO text columns strftime is SUBSTR of the text, and a
//     DATE compared with text is compared as TO_CHAR(d, 'YYYY-MM-DD[ HH24:MI:SS]');
//     SQLite's a IS b → DECODE(a, b, 1, 0) = 1;
//   - CAST: REAL → BINARY_DOUBLE, NUMERIC → NUMBER, TEXT → VARCHAR2(4000), INTEGER →
//     TRUNC(x) (Oracle's CAST rounds; SQLite truncates);
//   - conditions used as values → CASE WHEN c THEN 1 WHEN NOT c THEN 0 END, TRUE/FALSE → 1/0,
//     a value used as a condition → x <> 0 (no boolean type before 23c);
//   - GROUP_CONCAT(x[, s]) → LISTAGG(x, s) WITHIN GROUP (ORDER BY NULL), IFNULL → NVL,
//     TOTAL → COALESCE(SUM), MAX/MIN(a, b) → GREATEST/LEAST, SUBSTR/INSTR/LENGTH kept;
//   - GROUP BY completed (Oracle does not take columns a grouped key determines), GROUP BY
//     <position> and select-list aliases in GROUP BY replaced by the expression, NULLS
//     FIRST/LAST, DISTINCT ... ORDER BY, text-vs-number comparisons as for PostgreSQL.
// Not translated for Oracle: the numeric-affinity rules (source catalog), bare columns per
// group (PostgreSQL's DISTINCT ON), SQLite's 'now' being UTC (SYSDATE is the server's).
// Unknown names are left as written (the target then reports them).
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "askguru/catalog/catalog.h"
#include "askguru/common/dialect.h"
#include "askguru/common/status.h"

namespace askguru::sql {

struct TranslateOptions {
  Dialect from = Dialect::kSqlite;
  Dialect to = Dialect::kPostgres;
  // The source database's catalog when known (e.g. the SQLite file a PostgreSQL database
  // was loaded from): its declared types give SQLite's column affinity, so a column
  // declared numeric that the target holds as text (it kept some text values) compares
  // and sorts as SQLite does (numbers numerically, text after numbers).
  const catalog::Catalog* source = nullptr;
};

struct Translation {
  std::string sql;
  std::vector<std::string> rules;  // the rules that changed something ("ilike", "group by", ...), unique
};

// Translates one query (the first statement must be a query). Fails on a parse error.
Result<Translation> translate(std::string_view sql, const catalog::Catalog& target, const TranslateOptions& options = {});

}  // namespace askguru::sql
