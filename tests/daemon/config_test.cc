// Tests for keelsond's configuration, token file parsing, metrics and strict decoding errors.
#include <gtest/gtest.h>

#include "daemon/admission.h"
#include "daemon/auth.h"
#include "daemon/config.h"
#include "daemon/metrics.h"
#include "tests/daemon/keelsond_process.h"

namespace keelson::daemon {
namespace {

using keelson::testing::TempDir;
using keelson::testing::WriteAll;

api::Result<Config> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "keelsond");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  return ParseArgs(static_cast<int>(argv.size()), argv.data());
}

TEST(Config, DefaultsMatchTheQuickStart) {
  auto c = Parse({});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->data_dir, "./.keelson");
  EXPECT_EQ(c->listen, "127.0.0.1:6443");
  EXPECT_EQ(c->ListenHost(), "127.0.0.1");
  EXPECT_EQ(c->ListenPort(), 6443);
  EXPECT_EQ(c->log_format, "text");
}

TEST(Config, FlagsOverrideTheConfigFile) {
  TempDir dir;
  std::string file = dir.path() + "/keelsond.yaml";
  WriteAll(file, "data-dir: /var/lib/keelson\nlisten: 0.0.0.0:7443\nlog-format: json\n");
  auto c = Parse({"--config", file, "--listen", "127.0.0.1:9443"});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->data_dir, "/var/lib/keelson");
  EXPECT_EQ(c->listen, "127.0.0.1:9443");
  EXPECT_EQ(c->log_format, "json");
}

TEST(Config, UnknownConfigKeyNamesFileAndLine) {
  TempDir dir;
  std::string file = dir.path() + "/keelsond.yaml";
  WriteAll(file, "data-dir: x\nlisten-address: y\n");
  auto c = Parse({"--config", file});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find(file + ":2"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("listen-address"), std::string::npos);
}

TEST(Config, RejectsBadValues) {
  EXPECT_FALSE(Parse({"--log-format", "xml"}));
  EXPECT_FALSE(Parse({"--log-level", "loud"}));
  EXPECT_FALSE(Parse({"--listen", "nohostport"}));
  EXPECT_FALSE(Parse({"--listen", "127.0.0.1:99999"}));
  EXPECT_FALSE(Parse({"--no-such-flag"}));
}

TEST(Config, NodeFlagsDefaultsFileAndOverrides) {
  auto d = Parse({});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->node_agent, "auto");
  EXPECT_EQ(d->scheduler, "on");
  EXPECT_EQ(d->pod_cidr, "10.88.0.0/16");
  EXPECT_EQ(d->container_runtime, "runc");
  EXPECT_EQ(d->cni_bin_dir, DefaultCniBinDir());
  TempDir dir;
  std::string file = dir.path() + "/keelsond.yaml";
  WriteAll(file, "node-agent: \"on\"\nnode-name: n1\npod-cidr: 10.90.0.0/16\nscheduler: \"off\"\n");
  auto c = Parse({"--config", file, "--node-name", "n2", "--cni-bin-dir", "/opt/cni/bin"});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->node_agent, "on");
  EXPECT_EQ(c->node_name, "n2");
  EXPECT_EQ(c->pod_cidr, "10.90.0.0/16");
  EXPECT_EQ(c->scheduler, "off");
  EXPECT_EQ(c->cni_bin_dir, "/opt/cni/bin");
}

TEST(Config, RuntimeStaticPodsAndInsecureRegistries) {
  TempDir dir;
  std::string file = dir.path() + "/keelsond.yaml";
  WriteAll(file,
           "runtime: process\nstatic-pod-dir: /etc/keelson/manifests\n"
           "insecure-registries: [\"127.0.0.1:5000\", \"registry.local\"]\n");
  auto c = Parse({"--config", file});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->container_runtime, "process");
  EXPECT_EQ(c->static_pod_dir, "/etc/keelson/manifests");
  EXPECT_EQ(c->insecure_registries, (std::vector<std::string>{"127.0.0.1:5000", "registry.local"}));
  auto f = Parse({"--config", file, "--insecure-registry", "a:1", "--insecure-registry", "b"});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->insecure_registries, (std::vector<std::string>{"a:1", "b"}));
  WriteAll(file, "insecure-registries: 127.0.0.1:5000\n");
  auto bad = Parse({"--config", file});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find(":1: insecure-registries: must be a list"), std::string::npos)
      << bad.error().message;
}

TEST(Config, RejectsBadNodeValues) {
  struct Case {
    std::vector<std::string> args;
    std::string want;
  };
  for (const auto& c :
       std::vector<Case>{{{"--node-agent", "maybe"}, "node-agent \"maybe\": want auto, on or off"},
                         {{"--scheduler", "yes"}, "scheduler \"yes\": want on or off"},
                         {{"--runtime", "crun"}, "runtime \"crun\": want runc or process"},
                         {{"--pod-cidr", "10.88.0.0"}, "pod-cidr \"10.88.0.0\": want an IPv4 CIDR"},
                         {{"--service-cidr", "300.1.0.0/16"}, "service-cidr \"300.1.0.0/16\""}}) {
    auto r = Parse(c.args);
    ASSERT_FALSE(r) << c.want;
    EXPECT_NE(r.error().message.find(c.want), std::string::npos) << r.error().message;
  }
}

TEST(Config, SplitsIpv6HostPort) {
  auto hp = SplitHostPort("[::1]:6443");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->first, "::1");
  EXPECT_EQ(hp->second, 6443);
}

TEST(TokenFile, ParsesKubernetesCsvWithQuotedGroups) {
  TempDir dir;
  std::string file = dir.path() + "/tokens.csv";
  WriteAll(file, "# comment\nt0ken,alice,1001,\"dev,ops\"\nother,bob,1002\n");
  Authenticator a;
  ASSERT_TRUE(a.LoadTokenFile(file));
  auto u = a.AuthenticateToken("t0ken");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->name, "alice");
  EXPECT_EQ(u->uid, "1001");
  EXPECT_EQ(u->groups, (std::vector<std::string>{"dev", "ops", "system:authenticated"}));
  EXPECT_TRUE(a.AuthenticateToken("other"));
  auto bad = a.AuthenticateToken("nope");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().HttpCode(), 401);
}

TEST(TokenFile, MalformedLineNamesFileAndLine) {
  TempDir dir;
  std::string file = dir.path() + "/tokens.csv";
  WriteAll(file, "good,alice,1\nbadline\n");
  Authenticator a;
  auto s = a.LoadTokenFile(file);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find(file + ":2"), std::string::npos) << s.error().message;
}

TEST(Forbidden, MessageHasKubernetesShape) {
  UserInfo u{"bob", "", {}};
  Attributes a{&u, "get", "", "configmaps", "", "default", "x"};
  auto e = ForbiddenError(a, "");
  EXPECT_EQ(e.HttpCode(), 403);
  EXPECT_EQ(e.message,
            "configmaps \"x\" is forbidden: User \"bob\" cannot get resource \"configmaps\" in API "
            "group \"\" in the namespace \"default\"");
}

TEST(StrictDecoding, ListsEveryUnknownField) {
  auto e = StrictDecodingError({"spec.replica", "spec.foo"});
  EXPECT_EQ(e.HttpCode(), 400);
  EXPECT_EQ(e.message,
            "strict decoding error: unknown field \"spec.replica\", unknown field \"spec.foo\"");
}

TEST(Metrics, RendersCountersAndHistograms) {
  Metrics m;
  m.ObserveRequest("get", "", "configmaps", "", 200, 0.0007);
  m.ObserveRequest("get", "", "configmaps", "", 200, 0.3);
  m.AddGauge("keelson_store_revision", "rev", [] { return 42.0; });
  std::string out = m.Render();
  EXPECT_NE(out.find("apiserver_request_total{verb=\"get\",group=\"\",resource=\"configmaps\","
                     "subresource=\"\",code=\"200\"} 2"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("le=\"0.001\"} 1"), std::string::npos) << out;
  EXPECT_NE(out.find("le=\"+Inf\"} 2"), std::string::npos) << out;
  EXPECT_NE(out.find("keelson_store_revision 42"), std::string::npos) << out;
}

}  // namespace
}  // namespace keelson::daemon
