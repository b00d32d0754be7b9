// bench_eval_spider: scores prediction files over Spider's training split and prints
// items/s, wall time, peak memory (ru_maxrss) and EX, cold and with a warm cache.
//
//   build/bench/bench_eval_spider [--data DIR] [--jobs N] [--limit N] [--fraction F]
//                                 [--timeout-s S] [--write-mutated FILE [--write-only]]
//                                 [--metric spider-ex|bird-ex]
//
// DIR defaults to ../shared/data/spider_train (train.json, database/<db>/<db>.sqlite).
// Phases, each in a child process so that peak memory is its own:
//   gold/no-cache   gold as prediction, no cache (pure execution)
//   gold/cold       gold as prediction, fresh cache directory
//   gold/warm       the same again: everything from the cache
//   mutated/cold    a mutated copy (a fraction F of queries edited: ORDER BY direction,
//                   LIMIT, a comparison operator), fresh cache directory
//   mutated/warm    the mutated copy with the gold cache warm: only edited SQL runs
// Then it lists the gold-vs-gold exceptions (items that are not correct) and why.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>
#include <string>
#include <vector>

#include "askguru/common/files.h"
#include "askguru/common/hash.h"
#include "askguru/common/progress.h"
#include "askguru/common/text.h"
#include "askguru/eval/dataset.h"
#include "askguru/eval/metrics.h"

namespace {

using namespace askguru;
namespace fs = std::filesystem;

struct Figures {
  double wall_s = 0;
  double execute_s = 0;
  size_t items = 0;
  size_t correct = 0;
  size_t errors = 0;
  size_t timeouts = 0;
  size_t distinct = 0;
  size_t cache_hits = 0;
  size_t executed = 0;
  bool ok = false;
};

// Position of `word` in `s` as a whole word, case-insensitive, or npos.
size_t find_word(const std::string& s, const std::string& word, size_t from = 0) {
  const std::string lower = text::to_lower(s);
  for (size_t pos = lower.find(word, from); pos != std::string::npos; pos = lower.find(word, pos + 1)) {
    bool left = pos == 0 || !std::isalnum(static_cast<unsigned char>(lower[pos - 1]));
    size_t end = pos + word.size();
    bool right = end >= lower.size() || !std::isalnum(static_cast<unsigned char>(lower[end]));
    if (left && right) return pos;
  }
  return std::string::npos;
}

// A crude mutation by text edits; returns the SQL unchanged when no rule applies.
std::string mutate(const std::string& sql) {
  std::string s = sql;
  if (size_t p = find_word(s, "desc"); p != std::string::npos) return s.replace(p, 4, "ASC");
  if (size_t p = find_word(s, "asc"); p != std::string::npos) return s.replace(p, 3, "DESC");
  if (size_t p = find_word(s, "limit"); p != std::string::npos) {
    size_t d = s.find_first_of("0123456789", p);
    if (d != std::string::npos) {
      size_t e = s.find_first_not_of("0123456789", d);
      long n = std::strtol(s.substr(d, e - d).c_str(), nullptr, 10);
      return s.replace(d, (e == std::string::npos ? s.size() : e) - d, std::to_string(n + 1));
    }
  }
  // Comparison operators only after WHERE: flipping a join condition would make a
  // cross product that measures nothing but the time limit.
  if (size_t w = find_word(s, "where"); w != std::string::npos) {
    for (auto [from, to] : {std::pair{" > ", " < "}, {" < ", " > "}, {" >= ", " > "}, {" <= ", " < "},
                            {" != ", " = "}, {" = ", " != "}}) {
      if (size_t p = s.find(from, w); p != std::string::npos) return s.replace(p, std::strlen(from), to);
    }
  }
  if (size_t p = find_word(s, "order by"); p != std::string::npos) return s + " DESC";
  return s;
}

Figures run_phase(const eval::Dataset& ds, const std::vector<std::string>& preds, const eval::EvalOptions& options,
                  eval::EvalReport* keep) {
  Figures f;
  auto report = eval::evaluate(ds, preds, options, "bench");
  if (!report.ok()) {
    std::fprintf(stderr, "bench_eval_spider: %s\n", report.status().to_string().c_str());
    return f;
  }
  f.ok = true;
  f.wall_s = report->stats.wall_seconds;
  f.execute_s = report->stats.execute_seconds;
  f.items = report->items.size();
  for (const auto& item : report->items) {
    f.correct += item.correct;
    f.timeouts += item.timeout;
    f.errors += item.error.has_value() && !item.timeout;
  }
  f.distinct = report->stats.distinct_queries;
  f.cache_hits = report->stats.cache_hits;
  f.executed = report->stats.executed;
  if (keep) *keep = std::move(report).value();
  return f;
}

// Runs one phase in a child process; returns its figures and its peak RSS in KiB.
Figures in_child(const eval::Dataset& ds, const std::vector<std::string>& preds, const eval::EvalOptions& options,
                 long* maxrss_kib) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Figures f = run_phase(ds, preds, options, nullptr);
    ssize_t n = write(fds[1], &f, sizeof f);
    _exit(n == static_cast<ssize_t>(sizeof f) ? 0 : 1);
  }
  close(fds[1]);
  Figures f;
  ssize_t n = read(fds[0], &f, sizeof f);
  close(fds[0]);
  int status = 0;
  struct rusage usage {};
  if (wait4(pid, &status, 0, &usage) < 0) std::perror("wait4");
  *maxrss_kib = usage.ru_maxrss;
  if (n != static_cast<ssize_t>(sizeof f)) f.ok = false;
  return f;
}

void print_row(const char* name, const Figures& f, long rss_kib) {
  if (!f.ok) {
    std::printf("%-14s failed\n", name);
    return;
  }
  std::printf("%-14s %6zu %8.2f %9.1f %8zu %8zu %8zu %8.2f %8.1f %7.2f %6zu %6zu\n", name, f.items, f.wall_s,
              f.wall_s > 0 ? static_cast<double>(f.items) / f.wall_s : 0.0, f.distinct, f.cache_hits, f.executed,
              f.execute_s, static_cast<double>(rss_kib) / 1024.0,
              f.items ? 100.0 * static_cast<double>(f.correct) / static_cast<double>(f.items) : 0.0, f.errors,
              f.timeouts);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = std::string(ASKGURU_SHARED_DATA_DIR) + "/spider_train";
  if (const char* env = std::getenv("ASKGURU_SHARED_DATA_DIR"); env && *env) data = std::string(env) + "/spider_train";
  size_t jobs = 0, limit = 0;
  double fraction = 0.3, timeout_s = -1;
  std::string write_mutated, metric_name = "spider-ex";
  bool write_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_eval_spider: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data") data = next();
    else if (a == "--jobs") jobs = std::stoul(next());
    else if (a == "--limit") limit = std::stoul(next());
    else if (a == "--fraction") fraction = std::stod(next());
    else if (a == "--timeout-s") timeout_s = std::stod(next());
    else if (a == "--write-mutated") write_mutated = next();
    else if (a == "--metric") metric_name = next();
    else if (a == "--write-only") write_only = true;
    else {
      std::fprintf(stderr, "usage: bench_eval_spider [--data DIR] [--jobs N] [--limit N] [--fraction F] "
                           "[--timeout-s S] [--write-mutated FILE [--write-only]] [--metric spider-ex|bird-ex]\n");
      return 2;
    }
  }
  auto ds = eval::load_dataset(data + "/train.json");
  if (!ds.ok()) {
    std::fprintf(stderr, "bench_eval_spider: %s (point --data at spider_train)\n", ds.status().to_string().c_str());
    return 1;
  }
  if (limit > 0 && limit < ds->examples.size()) ds->examples.resize(limit);
  auto metric = eval::parse_metric(metric_name);
  if (!metric.ok()) {
    std::fprintf(stderr, "bench_eval_spider: %s\n", metric.status().to_string().c_str());
    return 2;
  }

  std::vector<std::string> gold, mutated;
  size_t edited = 0;
  for (size_t i = 0; i < ds->examples.size(); ++i) {
    const std::string& g = ds->examples[i].gold_sql;
    gold.push_back(g);
    // A deterministic choice of items: hash of the index.
    bool pick = static_cast<double>(hash::xxh64(std::to_string(i)) % 10000) < fraction * 10000;
    std::string m = pick ? mutate(g) : g;
    edited += m != g;
    mutated.push_back(std::move(m));
  }
  if (!write_mutated.empty()) {
    std::string content;
    for (size_t i = 0; i < mutated.size(); ++i) content += mutated[i] + "\t" + ds->examples[i].db_id + "\n";
    (void)files::write_file(write_mutated, content);
    if (write_only) return 0;
  }

  const fs::path tmp = fs::temp_directory_path() / ("askguru_bench_eval_" + std::to_string(getpid()));
  eval::EvalOptions options;
  options.metric = *metric;
  options.db_root = data + "/database";
  options.jobs = jobs;
  if (timeout_s >= 0) options.timeout_s = timeout_s;
  options.quiet = true;

  std::printf("bench_eval_spider: %zu items from %s, metric %s, %zu jobs, %zu of them mutated (fraction %.2f)\n",
              ds->examples.size(), data.c_str(), metric_name.c_str(), jobs ? jobs : std::thread::hardware_concurrency(),
              edited, fraction);
  std::printf("%-14s %6s %8s %9s %8s %8s %8s %8s %8s %7s %6s %6s\n", "phase", "items", "wall_s", "items/s", "distinct",
              "hits", "executed", "exec_s", "peak_MiB", "EX%", "errors", "tmouts");
  long rss = 0;
  eval::EvalOptions o = options;
  o.use_cache = false;
  {
    Figures f = in_child(*ds, gold, o, &rss);
    print_row("gold/no-cache", f, rss);
  }
  o = options;
  o.cache_dir = (tmp / "gold").string();
  {
    Figures f = in_child(*ds, gold, o, &rss);
    print_row("gold/cold", f, rss);
  }
  {
    Figures f = in_child(*ds, gold, o, &rss);
    print_row("gold/warm", f, rss);
  }
  o.cache_dir = (tmp / "mutated").string();
  {
    Figures f = in_child(*ds, mutated, o, &rss);
    print_row("mutated/cold", f, rss);
  }
  o.cache_dir = (tmp / "gold").string();
  {
    Figures f = in_child(*ds, mutated, o, &rss);
    print_row("mutated/warm", f, rss);
  }

  // Gold-vs-gold exceptions, from the warm cache (this process runs threads from here on).
  eval::EvalReport report;
  Progress::set_enabled(false);
  Figures f = run_phase(*ds, gold, o, &report);
  if (f.ok) {
    std::map<std::string, size_t> missing;
    std::vector<const eval::ItemResult*> others;
    for (const auto& item : report.items) {
      if (item.correct) continue;
      if (item.error && item.error->starts_with("database not found")) {
        ++missing[item.db_id];
      } else {
        others.push_back(&item);
      }
    }
    std::printf("gold-vs-gold: EX %.2f%% (%zu of %zu); exceptions:\n",
                100.0 * static_cast<double>(f.correct) / static_cast<double>(f.items), f.correct, f.items);
    for (const auto& [db, n] : missing) std::printf("  %zu items: database %s is missing\n", n, db.c_str());
    for (const auto* item : others) {
      std::printf("  item %zu (%s): %s%s\n    gold: %s\n", item->index, item->db_id.c_str(),
                  item->timeout ? "timeout: " : "", item->error.value_or("results differ").c_str(),
                  text::ellipsize(item->gold_sql, 200).c_str());
    }
  }
  std::error_code ec;
  fs::remove_all(tmp, ec);
  return 0;
}
