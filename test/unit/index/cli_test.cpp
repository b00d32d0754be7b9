// `askguru index` / `retrieve` / `ask` with --embedder as a user runs them: the real
// binary, a real SQLite database and the scripted LLM server's /v1/embeddings on
// 127.0.0.1, which insists on an API key that only the environment carries.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "askguru/llm/scripted_server.h"
#include "unit/index/index_fixture.h"

namespace askguru::index {
namespace {

using askguru::testing::run_command;
using askguru::testing::TempDir;

TEST(EmbedderFlags, IndexRetrieveAndRebuildPerEmbedder) {
  auto server = llm::ScriptedServer::start_yaml("embedding_dim: 12\napi_key: sk-embed-test\n");
  ASSERT_TRUE(server.ok()) << server.error();
  TempDir dir;
  const std::string db = dir.file("club.sqlite");
  askguru::testing::write_club_database(db);
  const std::string askguru = std::string(ASKGURU_BINARY) + " --log-level off ";
  const std::string common = " -q --db " + db + " --artifacts " + dir.file("artifacts") + " ";
  const std::string remote = " --embedder " + (*server)->base_url() + " --embedding-model emb-1 --embedding-key-env AG_TEST_EMBED_KEY ";
  const std::string env = "AG_TEST_EMBED_KEY=sk-embed-test ";

  auto [rc, out] = run_command(env + askguru + "index --json" + common + remote + "2>&1");
  ASSERT_EQ(rc, 0) << out;
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_TRUE(j["built"].get<bool>());
  EXPECT_EQ(j["column_embedder"].get<std::string>().rfind("remote:emb-1@", 0), 0u) << out;
  const size_t after_index = (*server)->request_count();
  EXPECT_GE(after_index, 2u);  // probe + documents

  // retrieve with the same embedder: reused, and the question goes to the endpoint.
  auto [rc2, out2] = run_command(env + askguru + "retrieve --json" + common + remote + "'What is the email of Angela Sanders?' 2>&1");
  ASSERT_EQ(rc2, 0) << out2;
  auto r = nlohmann::json::parse(out2, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << out2;
  EXPECT_EQ(r["columns"].size(), 10u);
  EXPECT_GT((*server)->request_count(), after_index);

  // The key comes only from the environment: without it the endpoint refuses.
  auto [rc3, out3] = run_command("env -u AG_TEST_EMBED_KEY " + askguru + "retrieve" + common + remote + "'email?' 2>&1");
  EXPECT_NE(rc3, 0) << out3;
  EXPECT_NE(out3.find("AG_TEST_EMBED_KEY"), std::string::npos) << out3;

  // Without --embedder the lexical index is rebuilt, not the remote vectors reused.
  auto [rc4, out4] = run_command(askguru + "index --json" + common + "2>&1");
  ASSERT_EQ(rc4, 0) << out4;
  auto k = nlohmann::json::parse(out4, nullptr, false);
  ASSERT_FALSE(k.is_discarded()) << out4;
  EXPECT_TRUE(k["built"].get<bool>());
  EXPECT_EQ(k["column_embedder"].get<std::string>().rfind("lexical-", 0), 0u) << out4;

  // Half a configuration is an error that says what is missing.
  auto [rc5, out5] = run_command(askguru + "retrieve" + common + " --embedder " + (*server)->base_url() + " 'email?' 2>&1");
  EXPECT_NE(rc5, 0) << out5;
  EXPECT_NE(out5.find("--embedding-model"), std::string::npos) << out5;

  // ask takes the same flags.
  auto [rc6, out6] = run_command(askguru + "ask --help 2>&1");
  EXPECT_EQ(rc6, 0) << out6;
  EXPECT_NE(out6.find("--embedder"), std::string::npos) << out6;
  EXPECT_NE(out6.find("--embedding-key-env"), std::string::npos) << out6;
}

TEST(PolicyFlag, IndexValuesAndRetrieveNeverReadWhatThePolicyDenies) {
  TempDir dir;
  const std::string db = dir.file("club.sqlite");
  askguru::testing::write_club_database(db);
  const std::string policy = dir.file("policy.yaml");
  std::ofstream(policy) << "name: no_email\ncolumns:\n  deny: [member.email]\n";
  const std::string askguru = std::string(ASKGURU_BINARY) + " --log-level off ";
  const std::string common = " -q --db " + db + " --artifacts " + dir.file("artifacts") + " --policy " + policy + " ";

  auto [rc, out] = run_command(askguru + "values --json" + common + "'angela@example.com' 2>&1");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out.find("example.com"), std::string::npos) << out;
  auto [rc2, out2] = run_command(askguru + "retrieve --json" + common + "'What is the email of Angela Sanders?' 2>&1");
  ASSERT_EQ(rc2, 0) << out2;
  auto r = nlohmann::json::parse(out2, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << out2;
  ASSERT_FALSE(r["columns"].empty());
  for (const auto& c : r["columns"]) EXPECT_NE(c["column"].get<std::string>(), "email") << out2;

  // Without the policy the same database is rebuilt and the column is found.
  auto [rc3, out3] = run_command(askguru + "values --json -q --db " + db + " --artifacts " + dir.file("artifacts") +
                                 " 'angela@example.com' 2>&1");
  ASSERT_EQ(rc3, 0) << out3;
  EXPECT_NE(out3.find("angela@example.com"), std::string::npos) << out3;

  // A policy that does not load ends the command with its error.
  auto [rc4, out4] = run_command(askguru + "index -q --db " + db + " --policy " + dir.file("missing.yaml") + " 2>&1");
  EXPECT_NE(rc4, 0) << out4;
  EXPECT_NE(out4.find("missing.yaml"), std::string::npos) << out4;
}

}  // namespace
}  // namespace askguru::index
