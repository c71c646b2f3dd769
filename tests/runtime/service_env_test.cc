// Tests for the service link environment variables (kubelet envvars.FromServices and
// getServiceEnvVarMap) and their place in ResolveEnv.
#include <gtest/gtest.h>

#include <algorithm>

#include "runtime/oci_spec.h"
#include "tests/runtime/fake_client.h"

namespace keelson::runtime {
namespace {

using api::Json;
using Vars = std::vector<std::pair<std::string, std::string>>;

api::Object Svc(const char* json) {
  Json j = Json::parse(json);
  j["apiVersion"] = "v1";
  j["kind"] = "Service";
  return api::Object(j);
}

TEST(ServiceEnvVars, KubernetesNamesAndDockerLinks) {
  auto vars = ServiceEnvVars({Svc(R"({"metadata":{"name":"my-db","namespace":"ns"},
      "spec":{"clusterIP":"10.96.0.12","ports":[{"port":5432},
        {"name":"metrics-http","port":9187,"protocol":"TCP"},{"name":"dns","port":53,"protocol":"UDP"}]}})")});
  Vars want = {
      {"MY_DB_SERVICE_HOST", "10.96.0.12"},        {"MY_DB_SERVICE_PORT", "5432"},
      {"MY_DB_SERVICE_PORT_METRICS_HTTP", "9187"}, {"MY_DB_SERVICE_PORT_DNS", "53"},
      {"MY_DB_PORT", "tcp://10.96.0.12:5432"},     {"MY_DB_PORT_5432_TCP", "tcp://10.96.0.12:5432"},
      {"MY_DB_PORT_5432_TCP_PROTO", "tcp"},        {"MY_DB_PORT_5432_TCP_PORT", "5432"},
      {"MY_DB_PORT_5432_TCP_ADDR", "10.96.0.12"},  {"MY_DB_PORT_9187_TCP", "tcp://10.96.0.12:9187"},
      {"MY_DB_PORT_9187_TCP_PROTO", "tcp"},        {"MY_DB_PORT_9187_TCP_PORT", "9187"},
      {"MY_DB_PORT_9187_TCP_ADDR", "10.96.0.12"},  {"MY_DB_PORT_53_UDP", "udp://10.96.0.12:53"},
      {"MY_DB_PORT_53_UDP_PROTO", "udp"},          {"MY_DB_PORT_53_UDP_PORT", "53"},
      {"MY_DB_PORT_53_UDP_ADDR", "10.96.0.12"},
  };
  EXPECT_EQ(vars, want);
}

TEST(ServiceEnvVars, SkipsServicesWithoutAClusterIp) {
  auto vars = ServiceEnvVars({
      Svc(R"({"metadata":{"name":"headless"},"spec":{"clusterIP":"None","ports":[{"port":80}]}})"),
      Svc(R"({"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"a.b","ports":[{"port":80}]}})"),
      Svc(R"({"metadata":{"name":"ok"},"spec":{"clusterIP":"10.96.0.3","ports":[{"port":80}]}})"),
  });
  ASSERT_FALSE(vars.empty());
  for (auto& [k, v] : vars) EXPECT_TRUE(k.starts_with("OK_")) << k;
}

TEST(ServiceEnvVars, Ipv6AddressIsBracketedInUrls) {
  auto vars = ServiceEnvVars(
      {Svc(R"({"metadata":{"name":"v6"},"spec":{"clusterIP":"fd00::5","ports":[{"port":80}]}})")});
  auto it = std::find_if(vars.begin(), vars.end(), [](auto& kv) { return kv.first == "V6_PORT"; });
  ASSERT_NE(it, vars.end());
  EXPECT_EQ(it->second, "tcp://[fd00::5]:80");
}

class ServiceLinkEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (
        const char* s : {
            R"({"metadata":{"name":"kubernetes","namespace":"default"},"spec":{"clusterIP":"10.96.0.1","ports":[{"name":"https","port":443}]}})",
            R"({"metadata":{"name":"web","namespace":"shop"},"spec":{"clusterIP":"10.96.0.20","ports":[{"port":80}]}})",
            R"({"metadata":{"name":"none","namespace":"shop"},"spec":{"clusterIP":"None","ports":[{"port":80}]}})",
            R"({"metadata":{"name":"other","namespace":"elsewhere"},"spec":{"clusterIP":"10.96.0.30","ports":[{"port":81}]}})",
        }) {
      ASSERT_TRUE(client_.Create(Svc(s)));
    }
  }
  api::Result<std::vector<std::string>> Resolve(const char* container, bool links = true,
                                                const char* ns = "shop") {
    Json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", "p"}, {"namespace", ns}, {"uid", "u1"}}},
                {"spec", {{"containers", Json::array()}}}};
    if (!links) pod["spec"]["enableServiceLinks"] = false;
    Json c = Json::parse(container);
    pod["spec"]["containers"].push_back(c);
    ImageConfig image;
    image.env = {"PATH=/bin", "WEB_SERVICE_PORT=from-image"};
    NodeFacts node{"n1", "10.0.0.1", 2000, 4LL << 30, 0};
    return ResolveEnv(&client_, api::Object(pod), c, image, node, "10.88.0.5");
  }
  static std::string Get(const std::vector<std::string>& env, const std::string& name) {
    for (auto& kv : env)
      if (kv.starts_with(name + "=")) return kv.substr(name.size() + 1);
    return "<unset>";
  }
  testing::FakeClient client_;
};

TEST_F(ServiceLinkEnvTest, NamespaceServicesAndTheMasterServiceAfterUserEnv) {
  auto env = Resolve(R"({"name":"c","env":[{"name":"A","value":"1"}]})");
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(Get(*env, "WEB_SERVICE_HOST"), "10.96.0.20");
  EXPECT_EQ(Get(*env, "WEB_PORT_80_TCP_ADDR"), "10.96.0.20");
  EXPECT_EQ(Get(*env, "KUBERNETES_SERVICE_HOST"), "10.96.0.1");
  EXPECT_EQ(Get(*env, "KUBERNETES_SERVICE_PORT_HTTPS"), "443");
  EXPECT_EQ(Get(*env, "KUBERNETES_PORT"), "tcp://10.96.0.1:443");
  EXPECT_EQ(Get(*env, "OTHER_SERVICE_HOST"), "<unset>");
  EXPECT_EQ(Get(*env, "NONE_SERVICE_HOST"), "<unset>");
  // A service variable replaces the image's value in place; user variables come first.
  EXPECT_EQ(Get(*env, "WEB_SERVICE_PORT"), "80");
  EXPECT_EQ((*env)[0], "PATH=/bin");
  EXPECT_EQ((*env)[1], "WEB_SERVICE_PORT=80");
  EXPECT_EQ((*env)[2], "A=1");
  // Master services sort before namespace ones by name: kubernetes < web.
  auto pos = [&](const std::string& k) {
    return std::find_if(env->begin(), env->end(),
                        [&](auto& kv) { return kv.starts_with(k + "="); }) -
           env->begin();
  };
  EXPECT_LT(pos("KUBERNETES_SERVICE_HOST"), pos("WEB_SERVICE_HOST"));
}

TEST_F(ServiceLinkEnvTest, UserEnvAndEnvFromWinAndExpansionSeesServiceVariables) {
  ASSERT_TRUE(client_.Create(api::Object(Json::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"shop"},"data":{"WEB_PORT":"mine"}})"))));
  auto env = Resolve(R"j({"name":"c","envFrom":[{"configMapRef":{"name":"cfg"}}],
      "env":[{"name":"WEB_SERVICE_HOST","value":"override"},
             {"name":"URL","value":"http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)/"},
             {"name":"API","value":"$(KUBERNETES_SERVICE_HOST)"}]})j");
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(Get(*env, "WEB_SERVICE_HOST"), "override");
  EXPECT_EQ(Get(*env, "WEB_PORT"), "mine");
  // URL expands the declared WEB_SERVICE_HOST and, as the kubelet (which never sees the image's
  // variables), the service's WEB_SERVICE_PORT.
  EXPECT_EQ(Get(*env, "URL"), "http://override:80/");
  EXPECT_EQ(Get(*env, "API"), "10.96.0.1");
  EXPECT_EQ(std::count_if(env->begin(), env->end(),
                          [](auto& kv) { return kv.starts_with("WEB_SERVICE_HOST="); }),
            1);
}

TEST_F(ServiceLinkEnvTest, EnableServiceLinksFalseKeepsOnlyTheMasterService) {
  auto env = Resolve(R"({"name":"c"})", /*links=*/false);
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(Get(*env, "WEB_SERVICE_HOST"), "<unset>");
  EXPECT_EQ(Get(*env, "KUBERNETES_SERVICE_HOST"), "10.96.0.1");
}

TEST_F(ServiceLinkEnvTest, ANamespaceServiceNamedKubernetesWinsOverTheMasterOne) {
  ASSERT_TRUE(client_.Create(Svc(
      R"({"metadata":{"name":"kubernetes","namespace":"shop"},"spec":{"clusterIP":"10.96.0.99","ports":[{"port":8080}]}})")));
  auto env = Resolve(R"({"name":"c"})");
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(Get(*env, "KUBERNETES_SERVICE_HOST"), "10.96.0.99");
  auto off = Resolve(R"({"name":"c"})", /*links=*/false);
  ASSERT_TRUE(off);
  EXPECT_EQ(Get(*off, "KUBERNETES_SERVICE_HOST"), "10.96.0.1");
}

}  // namespace
}  // namespace keelson::runtime
