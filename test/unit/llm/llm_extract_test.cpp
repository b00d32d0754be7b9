// SQL and JSON extraction from LLM replies, driven by test/llm/extract_corpus.txt.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "askguru/common/files.h"
#include "askguru/common/text.h"
#include "askguru/llm/sql_extract.h"

namespace askguru::llm {
namespace {

struct Case {
  std::string name;
  int line = 0;
  std::string reply, expected, error;
  bool expect_error = false;
};

// Strips the one newline that ends a section, and trailing blank lines.
std::string section_text(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::vector<Case> load_corpus() {
  auto content = files::read_file(std::string(ASKGURU_TEST_DATA_DIR) + "/llm/extract_corpus.txt");
  EXPECT_TRUE(content.ok()) << content.error();
  std::vector<Case> cases;
  std::string* target = nullptr;
  int line_no = 0;
  for (const auto& line : text::split(content.value_or(""), '\n')) {
    ++line_no;
    if (line.rfind("=== ", 0) == 0) {
      cases.push_back(Case{line.substr(4), line_no, "", "", "", false});
      target = nullptr;
    } else if (!cases.empty() && line == "--- reply") {
      target = &cases.back().reply;
    } else if (!cases.empty() && line == "--- expected") {
      target = &cases.back().expected;
    } else if (!cases.empty() && line == "--- error") {
      cases.back().expect_error = true;
      target = &cases.back().error;
    } else if (target) {
      *target += line + "\n";
    }
  }
  for (auto& c : cases) {
    c.reply = section_text(c.reply);
    c.expected = section_text(c.expected);
    c.error = section_text(c.error);
  }
  return cases;
}

TEST(LlmExtract, Corpus) {
  const auto cases = load_corpus();
  ASSERT_GE(cases.size(), 30u);
  for (const auto& c : cases) {
    SCOPED_TRACE("extract_corpus.txt:" + std::to_string(c.line) + " (" + c.name + ")");
    auto sql = extract_sql(c.reply);
    if (c.expect_error) {
      ASSERT_FALSE(sql.ok()) << "extracted: " << sql.value();
      EXPECT_EQ(sql.status().code(), ErrorCode::kParseError);
      EXPECT_NE(sql.error().find(c.error), std::string::npos) << sql.error();
    } else {
      ASSERT_TRUE(sql.ok()) << sql.error();
      EXPECT_EQ(*sql, c.expected);
    }
  }
}

// Cut-off replies are routine: every prefix of every corpus reply gives SQL or
// an error, never a crash, and an extracted SQL always starts with a keyword.
TEST(LlmExtract, EveryPrefixOfEveryReplyIsHandled) {
  for (const auto& c : load_corpus()) {
    for (size_t n = 0; n <= c.reply.size(); ++n) {
      const std::string_view prefix = std::string_view(c.reply).substr(0, n);
      auto sql = extract_sql(prefix);
      if (sql.ok()) {
        EXPECT_FALSE(sql->empty()) << c.name << " @" << n;
        EXPECT_TRUE(std::isalpha(static_cast<unsigned char>((*sql)[0])) || (*sql)[0] == '(')
            << c.name << " @" << n << ": " << *sql;
      } else {
        EXPECT_EQ(sql.status().code(), ErrorCode::kParseError);
      }
      auto json = extract_json_object(prefix);
      if (json.ok()) {
        EXPECT_EQ((*json)[0], '{');
      }
    }
  }
}

TEST(LlmExtract, SplitStatementsRespectsQuotesAndComments) {
  auto parts = split_sql_statements("SELECT ';' FROM t; -- a; comment\nSELECT \"x;\" /* ; */ FROM u;;");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], "SELECT ';' FROM t");
  EXPECT_EQ(parts[1], "-- a; comment\nSELECT \"x;\" /* ; */ FROM u");
  EXPECT_EQ(split_sql_statements("SELECT 'it''s; fine'").size(), 1u);
}

TEST(LlmExtract, StripThinking) {
  EXPECT_EQ(strip_thinking("<think>a</think>b"), "b");
  EXPECT_EQ(strip_thinking("<THINKING>x</THINKING>\nSELECT 1"), "\nSELECT 1");
  EXPECT_EQ(strip_thinking("pre</think>post"), "post");
  EXPECT_EQ(strip_thinking("<think>cut off"), "");
}

TEST(LlmExtract, JsonObjectFromMessyReplies) {
  auto plain = extract_json_object(R"({"keywords": ["a", "b"], "values": []})");
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ(nlohmann::json::parse(*plain)["keywords"].size(), 2u);

  auto fenced =
      extract_json_object("Sure.\n```json\n{\"answer\": \"B\", \"reason\": \"A drops rows {x}\"}\n```\nDone.");
  ASSERT_TRUE(fenced.ok()) << fenced.error();
  EXPECT_EQ(nlohmann::json::parse(*fenced)["answer"], "B");

  auto prose = extract_json_object("<think>{not this}</think>I pick {\"answer\": \"A\"} because it filters.");
  ASSERT_TRUE(prose.ok()) << prose.error();
  EXPECT_EQ(nlohmann::json::parse(*prose)["answer"], "A");

  auto commas = extract_json_object("{\"tables\": [\"t1\", \"t2\",], \"columns\": [\"t1.id\",],}");
  ASSERT_TRUE(commas.ok()) << commas.error();
  EXPECT_EQ(nlohmann::json::parse(*commas)["tables"].size(), 2u);

  auto skip_bad = extract_json_object("set {a, b} then {\"ok\": true}");
  ASSERT_TRUE(skip_bad.ok()) << skip_bad.error();
  EXPECT_EQ(nlohmann::json::parse(*skip_bad)["ok"], true);

  auto truncated = extract_json_object("{\"fields\": [{\"table\": \"t\", \"short\": \"the id");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().find("truncated"), std::string::npos) << truncated.error();

  auto none = extract_json_object("I cannot answer that.");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("no JSON object"), std::string::npos);
  EXPECT_NE(none.error().find("I cannot answer that."), std::string::npos);
}

}  // namespace
}  // namespace askguru::llm
