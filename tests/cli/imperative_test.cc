// Tests for cli/imperative.h: kubectl's configmap/secret sources.
#include "cli/imperative.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace keelson::cli {
namespace {

namespace fs = std::filesystem;

class ImperativeTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("keelctl-imp-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    auto p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  fs::path dir_;
};

TEST_F(ImperativeTest, LiteralsBecomeData) {
  DataSources src;
  src.literals = {"a=1", "b=x=y"};
  auto cm = BuildConfigMap("cfg", "", src);
  ASSERT_TRUE(cm) << cm.error().message;
  EXPECT_EQ(cm->json(), api::Json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"cfg"},"data":{"a":"1","b":"x=y"}})"));
}

TEST_F(ImperativeTest, BadLiteralAndDuplicateKeys) {
  DataSources bad;
  bad.literals = {"novalue"};
  auto r = BuildConfigMap("cfg", "", bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "error: invalid literal source novalue, expected key=value");
  DataSources dup;
  dup.literals = {"a=1", "a=2"};
  r = BuildConfigMap("cfg", "", dup);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "error: cannot add key \"a\", another key by that name already exists in Data for "
            "ConfigMap \"cfg\"");
  DataSources key;
  key.literals = {"a b=1"};
  r = BuildConfigMap("cfg", "", key);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("\"a b\" is not a valid key name for a ConfigMap"),
            std::string::npos);
}

TEST_F(ImperativeTest, FromFileKeyedUnkeyedAndDirectory) {
  std::string f = Write("app.properties", "color=blue\n");
  Write("dir/one.txt", "1");
  Write("dir/two.txt", "2");
  Write("dir/sub/ignored.txt", "x");
  DataSources src;
  src.files = {f, "renamed=" + f, (dir_ / "dir").string()};
  auto cm = BuildConfigMap("cfg", "shop", src);
  ASSERT_TRUE(cm) << cm.error().message;
  EXPECT_EQ(cm->namespace_(), "shop");
  EXPECT_EQ(cm->json()["data"], api::Json::parse(R"({"app.properties":"color=blue\n",
      "renamed":"color=blue\n","one.txt":"1","two.txt":"2"})"));
}

TEST_F(ImperativeTest, FromFileErrors) {
  DataSources missing;
  missing.files = {(dir_ / "nope").string()};
  auto r = BuildConfigMap("cfg", "", missing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "error: error reading " + (dir_ / "nope").string() + ": no such file or directory");
  Write("d/a", "1");
  DataSources keyed_dir;
  keyed_dir.files = {"k=" + (dir_ / "d").string()};
  r = BuildConfigMap("cfg", "", keyed_dir);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "error: cannot give a key name for a directory path");
}

TEST_F(ImperativeTest, BinaryFileGoesToBinaryData) {
  std::string f = Write("blob", std::string("\xff\xfe\x00\x01", 4));
  DataSources src;
  src.files = {f};
  auto cm = BuildConfigMap("cfg", "", src);
  ASSERT_TRUE(cm);
  EXPECT_FALSE(cm->json().contains("data"));
  EXPECT_EQ(cm->json()["binaryData"]["blob"], "//4AAQ==");
}

TEST_F(ImperativeTest, EnvFileLikeKubectl) {
  std::string f = Write("app.env",
                        "\xEF\xBB\xBF# comment\n"
                        "\n"
                        "  LEADING=trimmed\n"
                        "QUOTED=\"kept\"\n"
                        "EMPTY=\n"
                        "FROM_ENV\n"
                        "UNSET_VAR\n");
  DataSources src;
  src.env_files = {f};
  src.getenv = [](const std::string& k) -> std::optional<std::string> {
    if (k == "FROM_ENV") return "env-value";
    return std::nullopt;
  };
  auto cm = BuildConfigMap("cfg", "", src);
  ASSERT_TRUE(cm) << cm.error().message;
  EXPECT_EQ(cm->json()["data"], api::Json::parse(R"({"LEADING":"trimmed","QUOTED":"\"kept\"",
      "EMPTY":"","FROM_ENV":"env-value"})"));
}

TEST_F(ImperativeTest, EnvFileRejectsBadNamesWithLine) {
  std::string f = Write("bad.env", "OK=1\n1BAD=2\n");
  DataSources src;
  src.env_files = {f};
  auto cm = BuildConfigMap("cfg", "", src);
  ASSERT_FALSE(cm);
  EXPECT_NE(cm.error().message.find("\"1BAD\" is not a valid key name"), std::string::npos);
  EXPECT_NE(cm.error().message.find("line 2"), std::string::npos);
}

TEST_F(ImperativeTest, SecretValuesAreBase64) {
  std::string f = Write("tls.key", "KEY");
  DataSources src;
  src.literals = {"password=s3cr3t"};
  src.files = {f};
  auto s = BuildSecret("creds", "", "", src);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->json(), api::Json::parse(R"({"apiVersion":"v1","kind":"Secret",
      "metadata":{"name":"creds"},"data":{"password":"czNjcjN0","tls.key":"S0VZ"}})"));
  auto typed = BuildSecret("creds", "ns", "kubernetes.io/basic-auth", src);
  ASSERT_TRUE(typed);
  EXPECT_EQ(typed->json()["type"], "kubernetes.io/basic-auth");
}

}  // namespace
}  // namespace keelson::cli
