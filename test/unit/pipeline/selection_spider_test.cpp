// evaluate_pools on ../shared/data/spider_train (skipped when it is absent): pools of the
// gold SQL, its canonical spelling and a wrong query, with the gold cluster in the
// majority: the deterministic rule reaches the upper bound; with the wrong query doubled
// it does not.
#include <gtest/gtest.h>

#include <filesystem>

#include "askguru/eval/dataset.h"
#include "askguru/pipeline/pool_eval.h"
#include "askguru/sql/parser.h"
#include "askguru/sql/printer.h"

namespace askguru::pipeline {
namespace {

TEST(SelectionSpider, MajorityAndMinorityPools) {
  const std::string data = std::string(ASKGURU_SHARED_DATA_DIR) + "/spider_train";
  if (!std::filesystem::exists(data + "/train.json")) GTEST_SKIP() << "no shared data at " << data;
  auto all = eval::load_dataset(data + "/train.json");
  ASSERT_TRUE(all.ok()) << all.error();
  eval::Dataset ds;
  ds.format = all->format;
  ds.path = all->path;
  std::vector<std::string> gold, canonical, wrong;
  for (size_t i = 0; i < all->examples.size() && ds.examples.size() < 40; i += 97) {
    const eval::Example& ex = all->examples[i];
    auto ast = sql::parse(ex.gold_sql, Dialect::kSqlite);
    if (!ast.ok()) continue;
    ds.examples.push_back(ex);
    gold.push_back(ex.gold_sql);
    canonical.push_back(sql::canonical(*ast));
    wrong.push_back("SELECT 'no such answer'");
  }
  ASSERT_GE(ds.examples.size(), 30u);
  PoolEvalOptions options;
  options.eval.db_root = data + "/database";
  options.eval.use_cache = false;
  options.eval.quiet = true;
  options.eval.jobs = 2;
  auto majority = evaluate_pools(ds, {"wrong", "gold", "canonical"}, {wrong, gold, canonical}, options);
  ASSERT_TRUE(majority.ok()) << majority.error();
  // A gold query that fails or that the scorer rejects leaves its question out of the bound.
  EXPECT_GE(majority->upper_bound + 2, ds.examples.size());
  EXPECT_EQ(majority->selected_correct, majority->upper_bound);
  EXPECT_GE(majority->by_rule[static_cast<int>(SelectionRule::kDeterministic)], majority->upper_bound);
  auto minority = evaluate_pools(ds, {"wrong", "wrong2", "gold"}, {wrong, wrong, gold}, options);
  ASSERT_TRUE(minority.ok()) << minority.error();
  EXPECT_EQ(minority->upper_bound, majority->upper_bound);
  EXPECT_EQ(minority->selected_correct, 0u);
}

}  // namespace
}  // namespace askguru::pipeline
