// Tests for runtime/oci_spec and runtime/resources: kubelet rules for argv, env, security
// context and resources.
#include "runtime/oci_spec.h"

#include <gtest/gtest.h>

#include "runtime/resources.h"
#include "tests/runtime/fake_client.h"

namespace keelson::runtime {
namespace {

using api::Json;

api::Object PodFrom(const char* json) { return api::Object(Json::parse(json)); }

TEST(ExpandVars, KubernetesRules) {
  auto lookup = [](const std::string& k) -> std::optional<std::string> {
    if (k == "A") return "alpha";
    if (k == "EMPTY") return "";
    return std::nullopt;
  };
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"$(A)", "alpha"}, {"x-$(A)-y", "x-alpha-y"},  {"$(MISSING)", "$(MISSING)"},
      {"$$(A)", "$(A)"}, {"$$$(A)", "$alpha"},       {"$(A", "$(A"},
      {"$A", "$A"},      {"trailing$", "trailing$"}, {"$(EMPTY)x", "x"},
      {"$()", "$()"},    {"no vars", "no vars"},     {"$(A)$(A)", "alphaalpha"},
  };
  for (auto& c : cases) EXPECT_EQ(ExpandVars(c.in, lookup), c.want) << c.in;
}

TEST(BuildArgs, EntrypointAndCmdRules) {
  ImageConfig image;
  image.entrypoint = {"/entry"};
  image.cmd = {"--default"};
  struct Case {
    const char* container;
    std::vector<std::string> want;
  } cases[] = {
      {R"({"name":"c"})", {"/entry", "--default"}},
      {R"j({"name":"c","args":["a","$(X)"]})j", {"/entry", "a", "x-value"}},
      {R"({"name":"c","command":["/bin/sh"]})", {"/bin/sh"}},
      {R"j({"name":"c","command":["/bin/sh","-c"],"args":["echo $(X) $$(X)"]})j",
       {"/bin/sh", "-c", "echo x-value $(X)"}},
  };
  for (auto& c : cases) {
    auto got = BuildArgs(Json::parse(c.container), image, {"X=x-value"});
    ASSERT_TRUE(got) << c.container;
    EXPECT_EQ(*got, c.want) << c.container;
  }
  auto none = BuildArgs(Json::parse(R"({"name":"c"})"), ImageConfig{}, {});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no command specified"), std::string::npos);
}

TEST(Resources, QuantitiesAndCgroupFigures) {
  struct Case {
    const char* q;
    int64_t milli;
  } cases[] = {{"100m", 100}, {"1", 1000},     {"0.5", 500},
               {"1.5", 1500}, {"2k", 2000000}, {"1e3", 1000000}};
  for (auto& c : cases) {
    auto v = ParseQuantity(c.q);
    ASSERT_TRUE(v) << c.q;
    EXPECT_EQ(MilliValue(*v), c.milli) << c.q;
  }
  EXPECT_EQ(IntValue(*ParseQuantity("128Mi")), 134217728);
  EXPECT_EQ(IntValue(*ParseQuantity("1G")), 1000000000);
  EXPECT_FALSE(ParseQuantity("12x"));
  EXPECT_FALSE(ParseQuantity(""));
  EXPECT_EQ(CpuShares(0), 2);
  EXPECT_EQ(CpuShares(1), 2);
  EXPECT_EQ(CpuShares(250), 256);
  EXPECT_EQ(CpuShares(1000), 1024);
  EXPECT_EQ(CpuQuota(0), 0);
  EXPECT_EQ(CpuQuota(500), 50000);
  EXPECT_EQ(CpuQuota(5), 1000);
  int64_t cap = 8LL << 30;
  EXPECT_EQ(OomScoreAdj(QosClass::kGuaranteed, 0, cap), -997);
  EXPECT_EQ(OomScoreAdj(QosClass::kBestEffort, 0, cap), 1000);
  EXPECT_EQ(OomScoreAdj(QosClass::kBurstable, 0, cap), 999);
  EXPECT_EQ(OomScoreAdj(QosClass::kBurstable, cap / 2, cap), 500);
  EXPECT_EQ(OomScoreAdj(QosClass::kBurstable, cap, cap), 3);
}

TEST(Resources, QosClass) {
  struct Case {
    const char* spec;
    QosClass want;
  } cases[] = {
      {R"({"containers":[{"name":"a"}]})", QosClass::kBestEffort},
      {R"({"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]})",
       QosClass::kGuaranteed},
      {R"({"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"1","memory":"1Gi"}}}]})",
       QosClass::kGuaranteed},
      {R"({"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m"}}}]})",
       QosClass::kBurstable},
      {R"({"containers":[{"name":"a","resources":{"requests":{"memory":"64Mi"}}}]})",
       QosClass::kBurstable},
      {R"({"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"}}},{"name":"b"}]})",
       QosClass::kBurstable},
  };
  for (auto& c : cases) EXPECT_EQ(PodQosClass(Json::parse(c.spec)), c.want) << c.spec;
}

class ResolveEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(client_.Create(api::Object(Json::parse(
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"ns"},"data":{"K1":"v1","K2":"v2","bad key":"x"}})"))));
    ASSERT_TRUE(client_.Create(api::Object(Json::parse(
        R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"sec","namespace":"ns"},"data":{"PASSWORD":"czNjcjN0"}})"))));
  }
  api::Result<std::vector<std::string>> Resolve(const char* container) {
    pod_ = PodFrom(
        R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns","uid":"u1",
      "labels":{"app":"web"}},"spec":{"nodeName":"n1","containers":[]}})");
    Json c = Json::parse(container);
    pod_.json()["spec"]["containers"].push_back(c);
    ImageConfig image;
    image.env = {"PATH=/bin", "FROM_IMAGE=1"};
    NodeFacts node{"n1", "10.0.0.1", 2000, 4LL << 30, 0};
    return ResolveEnv(&client_, pod_, c, image, node, "10.88.0.5");
  }
  testing::FakeClient client_;
  api::Object pod_;
};

TEST_F(ResolveEnvTest, AllSourcesInOrderWithExpansion) {
  auto env = Resolve(R"j({"name":"c",
    "envFrom":[{"configMapRef":{"name":"cfg"},"prefix":"CM_"},{"secretRef":{"name":"sec"}}],
    "env":[{"name":"A","value":"a"},{"name":"B","value":"$(A)-$(CM_K1)-$(NOPE)"},
           {"name":"FROM_IMAGE","value":"overridden"},
           {"name":"K","valueFrom":{"configMapKeyRef":{"name":"cfg","key":"K2"}}},
           {"name":"S","valueFrom":{"secretKeyRef":{"name":"sec","key":"PASSWORD"}}},
           {"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},
           {"name":"APP","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels['app']"}}},
           {"name":"IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}},
           {"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}},
           {"name":"MEM","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":"1Mi"}}},
           {"name":"CPU","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu"}}}]})j");
  ASSERT_TRUE(env) << env.error().message;
  std::vector<std::string> want = {
      "PATH=/bin", "FROM_IMAGE=overridden", "CM_K1=v1", "CM_K2=v2", "PASSWORD=s3cr3t",
      "A=a",       "B=a-v1-$(NOPE)",        "K=v2",     "S=s3cr3t", "POD=p",
      "APP=web",   "IP=10.88.0.5",          "NODE=n1",  "MEM=4096", "CPU=2"};
  EXPECT_EQ(*env, want);
}

TEST_F(ResolveEnvTest, MissingSourcesFailUnlessOptional) {
  struct Case {
    const char* container;
    const char* error;  // "" = succeeds
  } cases[] = {
      {R"({"name":"c","env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"nope","key":"k"}}}]})",
       "configmap \"nope\" not found"},
      {R"({"name":"c","env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"cfg","key":"nokey"}}}]})",
       "couldn't find key nokey in ConfigMap ns/cfg"},
      {R"({"name":"c","env":[{"name":"X","valueFrom":{"secretKeyRef":{"name":"nosec","key":"k"}}}]})",
       "secret \"nosec\" not found"},
      {R"({"name":"c","envFrom":[{"secretRef":{"name":"nosec"}}]})", "secret \"nosec\" not found"},
      {R"({"name":"c","env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"nope","key":"k","optional":true}}}]})",
       ""},
      {R"({"name":"c","envFrom":[{"configMapRef":{"name":"nope","optional":true}}]})", ""},
  };
  for (auto& c : cases) {
    auto env = Resolve(c.container);
    if (std::string(c.error).empty()) {
      EXPECT_TRUE(env) << c.container;
    } else {
      ASSERT_FALSE(env) << c.container;
      EXPECT_EQ(env.error().message, c.error);
    }
  }
}

class BuildOciSpecTest : public ::testing::Test {
 protected:
  api::Result<Json> Build(const char* pod_spec, const char* container, ImageConfig image = {}) {
    pod_ = PodFrom(
        R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"ns","uid":"u1"}})");
    pod_.json()["spec"] = Json::parse(pod_spec);
    container_ = Json::parse(container);
    pod_.json()["spec"]["containers"] = Json::array({container_});
    SpecParams p;
    p.pod = &pod_;
    p.container = &container_;
    if (image.cmd.empty()) image.cmd = {"sh"};
    p.image = image;
    p.env = {"PATH=/bin"};
    p.rootfs = "/r";
    p.netns_path = "/run/netns/x";
    p.cgroups_path = "/keelson/podu1/c1";
    p.node = {"n1", "10.0.0.1", 2000, 1000LL << 20, 0};
    p.mounts = {{"/data/hosts", "/etc/hosts", false, true}, {"/data/vol", "/cfg", true, true}};
    return BuildOciSpec(p);
  }
  api::Object pod_;
  Json container_;
};

TEST_F(BuildOciSpecTest, DefaultsForABareContainer) {
  auto s = Build("{}", R"({"name":"c"})");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)["process"]["args"], Json({"sh"}));
  EXPECT_EQ((*s)["process"]["cwd"], "/");
  EXPECT_EQ((*s)["process"]["user"]["uid"], 0);
  EXPECT_EQ((*s)["process"]["noNewPrivileges"], false);
  EXPECT_EQ((*s)["process"]["oomScoreAdj"], 1000);  // BestEffort
  EXPECT_EQ((*s)["process"]["capabilities"]["bounding"].size(), DefaultCapabilities().size());
  EXPECT_EQ((*s)["hostname"], "web");
  EXPECT_EQ((*s)["root"]["readonly"], false);
  EXPECT_EQ((*s)["linux"]["resources"]["cpu"]["shares"], 2);
  EXPECT_FALSE((*s)["linux"]["resources"].contains("memory"));
  EXPECT_EQ((*s)["linux"]["resources"]["pids"]["limit"], 4096);
  EXPECT_EQ((*s)["linux"]["cgroupsPath"], "/keelson/podu1/c1");
  Json ns = (*s)["linux"]["namespaces"];
  EXPECT_EQ(ns.size(), 5u);
  EXPECT_EQ(ns.back(), Json({{"type", "network"}, {"path", "/run/netns/x"}}));
  bool ro_volume = false;
  for (auto& m : (*s)["mounts"]) {
    if (m["destination"] == "/cfg") ro_volume = m["options"].back() == "ro";
  }
  EXPECT_TRUE(ro_volume);
}

TEST_F(BuildOciSpecTest, ResourcesAndQos) {
  auto g = Build("{}", R"({"name":"c","resources":{"limits":{"cpu":"500m","memory":"64Mi"}}})");
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ((*g)["linux"]["resources"]["memory"]["limit"], 64 << 20);
  EXPECT_EQ((*g)["linux"]["resources"]["cpu"]["shares"], 512);
  EXPECT_EQ((*g)["linux"]["resources"]["cpu"]["quota"], 50000);
  EXPECT_EQ((*g)["linux"]["resources"]["cpu"]["period"], 100000);
  EXPECT_EQ((*g)["process"]["oomScoreAdj"], -997);
  auto b = Build("{}", R"({"name":"c","resources":{"requests":{"cpu":"100m","memory":"250Mi"}}})");
  ASSERT_TRUE(b);
  EXPECT_EQ((*b)["process"]["oomScoreAdj"], 750);  // 1000 - 1000*250Mi/1000Mi
  EXPECT_EQ((*b)["linux"]["resources"]["cpu"]["shares"], 102);
  EXPECT_FALSE((*b)["linux"]["resources"]["cpu"].contains("quota"));
}

TEST_F(BuildOciSpecTest, SecurityContext) {
  auto s = Build(
      R"({"securityContext":{"runAsUser":1000,"runAsGroup":2000,"supplementalGroups":[5]}})",
      R"({"name":"c","workingDir":"/w","securityContext":{"runAsUser":1001,"readOnlyRootFilesystem":true,
                    "allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"],"add":["NET_BIND_SERVICE"]}}})");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)["process"]["user"]["uid"], 1001);
  EXPECT_EQ((*s)["process"]["user"]["gid"], 2000);
  EXPECT_EQ((*s)["process"]["user"]["additionalGids"], Json({5}));
  EXPECT_EQ((*s)["process"]["cwd"], "/w");
  EXPECT_EQ((*s)["root"]["readonly"], true);
  EXPECT_EQ((*s)["process"]["noNewPrivileges"], true);
  EXPECT_EQ((*s)["process"]["capabilities"]["effective"], Json({"CAP_NET_BIND_SERVICE"}));

  auto p = Build(
      "{}",
      R"({"name":"c","securityContext":{"privileged":true,"allowPrivilegeEscalation":false}})");
  ASSERT_TRUE(p);
  EXPECT_GT((*p)["process"]["capabilities"]["bounding"].size(), 30u);
  EXPECT_EQ((*p)["process"]["noNewPrivileges"], false);
  EXPECT_FALSE((*p)["linux"].contains("maskedPaths"));

  auto bad =
      Build("{}", R"({"name":"c","securityContext":{"capabilities":{"add":["NOT_A_CAP"]}}})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("NOT_A_CAP"), std::string::npos);
  auto nonroot = Build(R"({"securityContext":{"runAsNonRoot":true}})", R"({"name":"c"})");
  ASSERT_FALSE(nonroot);
  EXPECT_NE(nonroot.error().message.find("runAsNonRoot"), std::string::npos);
}

TEST_F(BuildOciSpecTest, HostNetworkSkipsNetAndUts) {
  auto s = Build(R"({"hostNetwork":true})", R"({"name":"c"})");
  ASSERT_TRUE(s) << s.error().message;
  for (auto& n : (*s)["linux"]["namespaces"]) {
    EXPECT_NE(n["type"], "network");
    EXPECT_NE(n["type"], "uts");
  }
  EXPECT_FALSE(s->contains("hostname"));
}

}  // namespace
}  // namespace keelson::runtime
