// `askguru schema --db F [--format text|json|ddl|markdown|mschema] [--descriptions DIR]
// [--tables F]`: introspects a database read-only and prints its catalog.
#include <cstdio>

#include "askguru/catalog/catalog_json.h"
#include "askguru/catalog/render.h"
#include "askguru/db/connection.h"
#include "subcommand.h"

namespace {

struct Options {
  std::string db;
  std::string format = "text";
  std::string descriptions;
  std::string tables;
  size_t samples = 3;
  bool no_counts = false;
  std::vector<std::string> columns;
};

void run(const Options& opt) {
  using namespace askguru;
  std::optional<catalog::RenderFormat> format;
  if (opt.format != "json") {
    format = catalog::parse_render_format(opt.format);
    if (!format) cli::fail("unknown --format '" + opt.format + "'; use text, json, ddl, markdown or mschema");
  }
  auto connection = db::open_connection(opt.db);
  if (!connection.ok()) cli::fail(connection.status());
  db::IntrospectOptions introspect;
  introspect.descriptions_dir = opt.descriptions;
  introspect.tables_json = opt.tables;
  introspect.sample_values = opt.samples;
  introspect.count_rows = !opt.no_counts;
  auto catalog = (*connection)->introspect(introspect);
  if (!catalog.ok()) cli::fail(catalog.status());
  if (!format) {
    std::printf("%s\n", catalog::to_json(*catalog).c_str());
    return;
  }
  catalog::RenderOptions render;
  render.format = *format;
  render.max_samples = opt.samples;
  if (!opt.columns.empty()) {
    std::vector<catalog::ColumnRef> refs;
    for (const auto& name : opt.columns) {
      size_t dot = name.find('.');
      if (dot == std::string::npos) {
        refs.push_back({name, "*"});
      } else {
        refs.push_back({name.substr(0, dot), name.substr(dot + 1)});
      }
    }
    render.columns = std::move(refs);
  }
  std::fputs(catalog::render(*catalog, render).c_str(), stdout);
}

void setup(CLI::App& sub) {
  auto opt = std::make_shared<Options>();
  sub.add_option("--db", opt->db,
                 "database: an SQLite file (a path or sqlite:///path), postgresql://user@host:port/db or odbc:DSN / odbc:<connection string>")
      ->required();
  sub.add_option("--format", opt->format, "text, json, ddl, markdown or mschema")->capture_default_str();
  sub.add_option("--descriptions", opt->descriptions,
                 "directory of BIRD description CSVs (default: database_description/ beside the file)");
  sub.add_option("--tables", opt->tables, "Spider/BIRD tables.json with names, keys and natural column names");
  sub.add_option("--samples", opt->samples, "distinct example values per column")->capture_default_str();
  sub.add_flag("--no-counts", opt->no_counts, "skip exact row counts (faster on large databases)");
  sub.add_option("--only", opt->columns,
                 "render only these columns (table.column or table), plus the keys that join them");
  sub.callback([opt] { run(*opt); });
}

const askguru::cli::Registration reg("schema", "Print a database's catalog (tables, columns, keys, descriptions)",
                                     setup);

}  // namespace
