// Tests for cli/kubeconfig.h.
#include "cli/kubeconfig.h"

#include "api/base64.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace keelson::cli {
namespace {

std::string Kubeconfig() {
  return R"(apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: )" +
         api::Base64Encode("CA PEM") + R"(
    server: https://127.0.0.1:6443
  name: keelson
- cluster:
    server: https://other:443
    insecure-skip-tls-verify: true
  name: other
contexts:
- context:
    cluster: keelson
    user: admin
  name: keelson
- context:
    cluster: other
    user: tokenuser
    namespace: shop
  name: other
current-context: keelson
users:
- name: admin
  user:
    client-certificate-data: )" +
         api::Base64Encode("CERT PEM") + R"(
    client-key-data: )" +
         api::Base64Encode("KEY PEM") + R"(
- name: tokenuser
  user:
    token: abc123
)";
}

TEST(Kubeconfig, CurrentContextWithEmbeddedData) {
  auto cfg = ParseKubeconfig(Kubeconfig(), "admin.conf");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->server, "https://127.0.0.1:6443");
  EXPECT_EQ(cfg->ca_pem, "CA PEM");
  EXPECT_EQ(cfg->client_cert_pem, "CERT PEM");
  EXPECT_EQ(cfg->client_key_pem, "KEY PEM");
  EXPECT_EQ(cfg->context, "keelson");
  EXPECT_EQ(cfg->namespace_, "");
  EXPECT_FALSE(cfg->insecure_skip_tls_verify);
}

TEST(Kubeconfig, ContextOverrideWithTokenNamespaceAndInsecure) {
  auto cfg = ParseKubeconfig(Kubeconfig(), "admin.conf", "", "other");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->server, "https://other:443");
  EXPECT_EQ(cfg->token, "abc123");
  EXPECT_EQ(cfg->namespace_, "shop");
  EXPECT_TRUE(cfg->insecure_skip_tls_verify);
  EXPECT_TRUE(cfg->client_cert_pem.empty());
}

TEST(Kubeconfig, MissingContextIsAnErrorNamingIt) {
  auto cfg = ParseKubeconfig(Kubeconfig(), "admin.conf", "", "nope");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().message, "admin.conf: context \"nope\" not found");
}

TEST(Kubeconfig, BadBase64NamesTheField) {
  std::string text = R"(clusters:
- name: c
  cluster: {server: "https://x:1"}
contexts:
- name: k
  context: {cluster: c, user: u}
current-context: k
users:
- name: u
  user: {client-certificate-data: "!!notbase64", client-key-data: "QQ=="}
)";
  auto cfg = ParseKubeconfig(text, "k.conf");
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().message.find("k.conf: users[0].user.client-certificate-data: illegal "
                                     "base64 data"),
            std::string::npos)
      << cfg.error().message;
}

TEST(Kubeconfig, MissingServerAndNoCurrentContext) {
  auto no_ctx = ParseKubeconfig("clusters: []\n", "k.conf");
  ASSERT_FALSE(no_ctx);
  EXPECT_NE(no_ctx.error().message.find("current-context is not set"), std::string::npos);
  auto no_server = ParseKubeconfig(R"(clusters: [{name: c, cluster: {}}]
contexts: [{name: k, context: {cluster: c}}]
current-context: k
)",
                                   "k.conf");
  ASSERT_FALSE(no_server);
  EXPECT_EQ(no_server.error().message, "k.conf: clusters[0].cluster.server: Required value");
}

TEST(Kubeconfig, FileReferencesAreRelativeToTheKubeconfig) {
  auto dir = std::filesystem::temp_directory_path() / ("keelctl-kc-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "ca.crt") << "FILE CA";
  std::ofstream(dir / "token") << "tok\n";
  std::ofstream(dir / "config") << R"(clusters: [{name: c, cluster: {server: "https://h:1",
  certificate-authority: ca.crt}}]
contexts: [{name: k, context: {cluster: c, user: u}}]
current-context: k
users: [{name: u, user: {tokenFile: token}}]
)";
  auto cfg = LoadKubeconfig((dir / "config").string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->ca_pem, "FILE CA");
  EXPECT_EQ(cfg->token, "tok");
}

TEST(Kubeconfig, MissingFileIsNotFound) {
  auto cfg = LoadKubeconfig("/nonexistent/admin.conf");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().reason, api::Reason::kNotFound);
  EXPECT_NE(cfg.error().message.find("/nonexistent/admin.conf"), std::string::npos);
}

TEST(Kubeconfig, PathPrecedenceFlagThenEnvThenDefault) {
  ::setenv("KEELCONFIG", "/env/config", 1);
  EXPECT_EQ(KubeconfigPath("/flag/config"), "/flag/config");
  EXPECT_EQ(KubeconfigPath(""), "/env/config");
  ::unsetenv("KEELCONFIG");
  EXPECT_EQ(KubeconfigPath(""), "./.keelson/admin.conf");
}

TEST(Base64, RoundTripsAndRejectsGarbage) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    auto d = Base64Decode(api::Base64Encode(s));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(api::Base64Encode("hello"), "aGVsbG8=");
  EXPECT_FALSE(Base64Decode("a$b"));
}

}  // namespace
}  // namespace keelson::cli
