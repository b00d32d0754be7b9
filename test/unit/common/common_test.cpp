#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "askguru/common/files.h"
#include "askguru/common/hash.h"
#include "askguru/common/status.h"
#include "askguru/common/text.h"
#include "askguru/common/thread_pool.h"

namespace askguru {
namespace {

Result<int> parse_positive(int x) {
  if (x <= 0) return make_error(ErrorCode::kInvalidArgument, "expected a positive number, got " + std::to_string(x));
  return x;
}

Result<int> doubled(int x) {
  AG_ASSIGN_OR_RETURN(int value, parse_positive(x));
  return value * 2;
}

TEST(Status, ResultCarriesValueOrError) {
  auto good = doubled(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.status().to_string(), "invalid argument: expected a positive number, got -1");
  EXPECT_EQ(bad.status().with_context("row 3").message(), "row 3: expected a positive number, got -1");
}

TEST(Text, EditDistanceAndSimilarity) {
  EXPECT_EQ(text::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(text::edit_distance("", "abc"), 3u);
  EXPECT_DOUBLE_EQ(text::edit_similarity("abc", "abc"), 1.0);
  EXPECT_DOUBLE_EQ(text::edit_similarity("abcd", "abce"), 0.75);
}

TEST(Text, SplitJoinTrimCase) {
  EXPECT_EQ(text::split("a\tb\t", '\t'), (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(text::join({"x", "y"}, ", "), "x, y");
  EXPECT_EQ(text::trim("  hi \n"), "hi");
  EXPECT_TRUE(text::iequals("SeLeCt", "select"));
  EXPECT_EQ(text::ellipsize("héllo world", 2), "h\xE2\x80\xA6");
}

TEST(ThreadPool, ParallelForVisitsEveryIndexOnce) {
  std::vector<std::atomic<int>> seen(1000);
  parallel_for(seen.size(), 4, [&](size_t i) { seen[i]++; });
  for (auto& s : seen) EXPECT_EQ(s.load(), 1);
  ThreadPool pool(2);
  auto f = pool.submit([] { return 42; });
  EXPECT_EQ(f.get(), 42);
}

TEST(Files, WriteReadAndHash) {
  auto dir = std::filesystem::temp_directory_path() / "askguru_common_test";
  std::string path = (dir / "x.txt").string();
  ASSERT_TRUE(files::write_file(path, "hello").ok());
  auto content = files::read_file(path);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "hello");
  auto h = hash::file_xxh64(path);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, hash::xxh64("hello"));
  auto missing = files::read_file((dir / "nope").string());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace askguru
