// Prompt templates: parsing, strict rendering, sections, the embedded library.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "askguru/common/embedded.h"
#include "askguru/llm/prompt_template.h"

namespace askguru::llm {
namespace {

TEST(LlmPrompt, RendersPlaceholders) {
  auto t = PromptTemplate::parse("t.txt", "Q: {{question}}\nSchema:\n{{ schema }}\nQ again: {{question}}");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->placeholders(), (std::set<std::string>{"question", "schema"}));
  auto out = t->render({{"question", "How many?"}, {"schema", "CREATE TABLE t(a)"}});
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(*out, "Q: How many?\nSchema:\nCREATE TABLE t(a)\nQ again: How many?");
}

TEST(LlmPrompt, ValuesAreNotReinterpreted) {
  auto t = PromptTemplate::parse("t.txt", "{{a}}|{{b}}");
  ASSERT_TRUE(t.ok());
  auto out = t->render({{"a", "{{b}}"}, {"b", "x"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "{{b}}|x");
}

TEST(LlmPrompt, MissingValueIsAnError) {
  auto t = PromptTemplate::parse("gen.txt", "line one\nQ: {{question}} E: {{evidence}}");
  ASSERT_TRUE(t.ok());
  auto out = t->render({{"question", "q"}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().find("gen.txt:2:"), std::string::npos) << out.error();
  EXPECT_NE(out.error().find("{{evidence}}"), std::string::npos) << out.error();
}

TEST(LlmPrompt, UnknownValueIsAnError) {
  auto t = PromptTemplate::parse("gen.txt", "Q: {{question}}");
  ASSERT_TRUE(t.ok());
  auto out = t->render({{"question", "q"}, {"qestion", "typo"}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().find("'qestion'"), std::string::npos) << out.error();
  EXPECT_NE(out.error().find("it uses: question"), std::string::npos) << out.error();
}

TEST(LlmPrompt, MalformedBracesNameLineAndColumn) {
  struct Bad {
    const char* text;
    const char* where;
    const char* what;
  };
  const Bad bad[] = {
      {"ok\nQ: {{question}", "t.txt:2:4", "not closed"},
      {"{{}}", "t.txt:1:1", "empty tag"},
      {"a {{two words}}", "t.txt:1:3", "bad placeholder name"},
      {"{{1abc}}", "t.txt:1:1", "bad placeholder name"},
      {"{{#evidence}}\nE", "t.txt:1:1", "never closed"},
      {"x\n  {{/evidence}}", "t.txt:2:3", "never opened"},
      {"{{#a}}{{/b}}", "t.txt:1:7", "closes '{{#a}}' opened at 1:1"},
      {"{{question\n}}", "t.txt:1:1", "not closed"},
  };
  for (const auto& b : bad) {
    auto t = PromptTemplate::parse("t.txt", b.text);
    ASSERT_FALSE(t.ok()) << b.text;
    EXPECT_EQ(t.status().code(), ErrorCode::kParseError);
    EXPECT_NE(t.error().find(b.where), std::string::npos) << b.text << " -> " << t.error();
    EXPECT_NE(t.error().find(b.what), std::string::npos) << b.text << " -> " << t.error();
  }
}

TEST(LlmPrompt, LoneClosingBracesAreText) {
  auto t = PromptTemplate::parse("t.txt", "Reply like {\"a\": {\"b\": 1}} for {{question}}");
  ASSERT_TRUE(t.ok()) << t.error();
  auto out = t->render({{"question", "q"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "Reply like {\"a\": {\"b\": 1}} for q");
}

TEST(LlmPrompt, SectionsShowOnlyWhenNonEmptyAndLeaveNoBlankLines) {
  auto t = PromptTemplate::parse("t.txt",
                                 "{{! a comment line }}\n"
                                 "Question: {{question}}\n"
                                 "{{#evidence}}\n"
                                 "Hint: {{evidence}}\n"
                                 "{{/evidence}}\n"
                                 "{{^evidence}}\n"
                                 "No hint.\n"
                                 "{{/evidence}}\n"
                                 "End{{#x}} [{{x}}]{{/x}}.\n");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->placeholders(), (std::set<std::string>{"evidence", "question", "x"}));
  auto with = t->render({{"question", "q"}, {"evidence", "e"}, {"x", "1"}});
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(*with, "Question: q\nHint: e\nEnd [1].\n");
  auto without = t->render({{"question", "q"}, {"evidence", ""}, {"x", ""}});
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(*without, "Question: q\nNo hint.\nEnd.\n");
  // A section name still needs a value: "" hides it, absence is an error.
  EXPECT_FALSE(t->render({{"question", "q"}, {"x", ""}}).ok());
}

// The placeholders each prompt's caller provides (the pipeline declares the same sets).
const std::map<std::string, std::set<std::string>> kPromptInputs = {
    {"keywords", {"question", "evidence"}},
    {"generate_standard", {"dialect", "schema", "question", "evidence", "values"}},
    {"generate_reasoning", {"dialect", "schema", "question", "evidence", "values"}},
    {"generate_icl", {"dialect", "schema", "question", "evidence", "values", "examples"}},
    {"sqlcoder", {"dialect", "schema", "question", "evidence", "values"}},
    {"fix", {"dialect", "schema", "question", "evidence", "values", "sql", "error"}},
    {"select_pairwise", {"question", "evidence", "schema", "sql_a", "result_a", "sql_b", "result_b"}},
    {"column_select", {"schema", "question", "evidence", "values"}},
    {"field_summary", {"database", "fields"}},
};

TEST(LlmPrompt, EmbeddedLibraryHasEveryPipelinePrompt) {
  auto lib = PromptLibrary::load_embedded();
  ASSERT_TRUE(lib.ok()) << lib.error();
  for (const auto& [name, inputs] : kPromptInputs) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(lib->contains(name));
    EXPECT_TRUE(lib->require(name, inputs, {inputs.begin(), inputs.end()}).ok()) << "every input is used";
    PromptValues values;
    for (const auto& in : inputs) values[in] = "<" + in + ">";
    auto out = lib->render(name, values);
    ASSERT_TRUE(out.ok()) << out.error();
    EXPECT_EQ(out->find("{{"), std::string::npos) << *out;
    if (inputs.count("question")) {
      EXPECT_NE(out->find("<question>"), std::string::npos);
    }
  }
  EXPECT_FALSE(lib->contains("README"));
}

// Every prefix of every embedded prompt parses or fails with a located error; nothing crashes.
TEST(LlmPrompt, EveryPrefixParsesOrFailsCleanly) {
  for (const auto& [name, content] : embedded::files()) {
    for (size_t n = 0; n <= content.size(); ++n) {
      auto t = PromptTemplate::parse(name, content.substr(0, n));
      if (!t.ok()) {
        EXPECT_EQ(t.status().code(), ErrorCode::kParseError);
        EXPECT_EQ(t.error().rfind(name + ":", 0), 0u) << t.error();
      }
    }
  }
}

TEST(LlmPrompt, SqlcoderPromptKeepsItsFormat) {
  auto lib = PromptLibrary::load_embedded();
  ASSERT_TRUE(lib.ok());
  auto out = lib->render(
      "sqlcoder",
      {{"dialect", "SQLite"}, {"schema", "CREATE TABLE t(a)"}, {"question", "How many?"}, {"evidence", ""}, {"values", ""}});
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(out->rfind("### Task\nGenerate a SQL query to answer [QUESTION]How many?[/QUESTION]\n\n", 0), 0u) << *out;
  EXPECT_NE(out->find("### Database Schema\n"), std::string::npos);
  EXPECT_NE(out->find("[SQL]"), std::string::npos);
  EXPECT_EQ(out->find("- \n"), std::string::npos) << "an empty evidence leaves no empty bullet";
}

TEST(LlmPrompt, RequireRejectsUnknownPlaceholdersAtLoadTime) {
  PromptLibrary lib;
  ASSERT_TRUE(lib.add("gen", "Schema {{schema}}\nQ: {{question}} {{hint}}").ok());
  Status st = lib.require("gen", {"schema", "question", "evidence"});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("gen:2:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("{{hint}}"), std::string::npos) << st.message();
  EXPECT_FALSE(lib.require("missing", {"x"}).ok());
  ASSERT_TRUE(lib.add("fix", "Fix {{sql}}").ok());
  EXPECT_FALSE(lib.require("fix", {"sql", "error"}, {"error"}).ok()) << "must use {{error}}";
}

TEST(LlmPrompt, DeclaredButUnusedValuesAreIgnoredByTheLibrary) {
  PromptLibrary lib;
  ASSERT_TRUE(lib.add("gen", "Q: {{question}}").ok());
  // Undeclared: strict.
  EXPECT_FALSE(lib.render("gen", {{"question", "q"}, {"evidence", "e"}}).ok());
  ASSERT_TRUE(lib.require("gen", {"question", "evidence"}).ok());
  auto out = lib.render("gen", {{"question", "q"}, {"evidence", "e"}});
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(*out, "Q: q");
  EXPECT_FALSE(lib.render("gen", {{"question", "q"}, {"other", "x"}}).ok()) << "not declared";
  EXPECT_FALSE(lib.render("gen", {{"evidence", "e"}}).ok()) << "missing question";
}

TEST(LlmPrompt, DirectoryOverridesEmbedded) {
  auto lib = PromptLibrary::load_embedded();
  ASSERT_TRUE(lib.ok());
  const auto dir = std::filesystem::temp_directory_path() / ("llm_prompt_dir_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "keywords.txt") << "Keywords of {{question}} ({{evidence}})";
  std::ofstream(dir / "notes.md") << "ignored";
  ASSERT_TRUE(lib->load_directory(dir.string()).ok());
  auto out = lib->render("keywords", {{"question", "q"}, {"evidence", "e"}});
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(*out, "Keywords of q (e)");
  std::ofstream(dir / "broken.txt") << "{{oops";
  Status st = lib->load_directory(dir.string());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("broken.txt:1:1"), std::string::npos) << st.message();
  EXPECT_FALSE(lib->load_directory((dir / "absent").string()).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace askguru::llm
