// Tests for the kinds registry: built-in table and kubectl-style name resolution.
#include "api/kinds.h"

#include <set>

#include <gtest/gtest.h>

namespace keelson::api {
namespace {

struct LookupCase {
  std::string input;
  std::string group;  // expected; "-" for not found
  std::string version;
  std::string resource;
};

TEST(KindsLookup, ResolvesLikeKubectl) {
  const std::vector<LookupCase> cases = {
      {"po", "", "v1", "pods"},
      {"pods", "", "v1", "pods"},
      {"pod", "", "v1", "pods"},
      {"Pod", "", "v1", "pods"},
      {"PODS", "", "v1", "pods"},
      {"deploy", "apps", "v1", "deployments"},
      {"deployments.apps", "apps", "v1", "deployments"},
      {"deployment.apps", "apps", "v1", "deployments"},
      {"deployments.v1.apps", "apps", "v1", "deployments"},
      {"Deployment", "apps", "v1", "deployments"},
      {"hpa", "autoscaling", "v2", "horizontalpodautoscalers"},
      {"horizontalpodautoscalers.autoscaling", "autoscaling", "v2", "horizontalpodautoscalers"},
      {"svc", "", "v1", "services"},
      {"rs", "apps", "v1", "replicasets"},
      {"ds", "apps", "v1", "daemonsets"},
      {"sts", "apps", "v1", "statefulsets"},
      {"cm", "", "v1", "configmaps"},
      {"ns", "", "v1", "namespaces"},
      {"no", "", "v1", "nodes"},
      {"sa", "", "v1", "serviceaccounts"},
      {"pv", "", "v1", "persistentvolumes"},
      {"pvc", "", "v1", "persistentvolumeclaims"},
      {"ep", "", "v1", "endpoints"},
      {"cj", "batch", "v1", "cronjobs"},
      {"ing", "networking.k8s.io", "v1", "ingresses"},
      {"netpol", "networking.k8s.io", "v1", "networkpolicies"},
      {"pdb", "policy", "v1", "poddisruptionbudgets"},
      {"sc", "storage.k8s.io", "v1", "storageclasses"},
      {"crd", "apiextensions.k8s.io", "v1", "customresourcedefinitions"},
      {"crds", "apiextensions.k8s.io", "v1", "customresourcedefinitions"},
      {"limits", "", "v1", "limitranges"},
      {"quota", "", "v1", "resourcequotas"},
      {"rc", "", "v1", "replicationcontrollers"},
      {"csr", "certificates.k8s.io", "v1", "certificatesigningrequests"},
      {"events", "", "v1", "events"},
      {"ev", "", "v1", "events"},
      {"events.events.k8s.io", "events.k8s.io", "v1", "events"},
      {"jobs", "batch", "v1", "jobs"},
      {"leases", "coordination.k8s.io", "v1", "leases"},
      {"clusterroles", "rbac.authorization.k8s.io", "v1", "clusterroles"},
      {"endpointslices", "discovery.k8s.io", "v1", "endpointslices"},
      {"app", "keelson.dev", "v1", "applications"},
      {"apps", "keelson.dev", "v1", "applications"},
      {"repo", "keelson.dev", "v1", "repositories"},
      {"sealedsecrets", "keelson.dev", "v1", "sealedsecrets"},
      {"unknown", "-", "", ""},
      {"deployments.batch", "-", "", ""},
      {"", "-", "", ""},
      {"pods.", "-", "", ""},
  };
  for (const auto& c : cases) {
    const KindInfo* k = Kinds::Default().Lookup(c.input);
    if (c.group == "-") {
      EXPECT_EQ(k, nullptr) << c.input << " resolved to " << (k ? k->qualified_resource() : "");
      continue;
    }
    ASSERT_NE(k, nullptr) << c.input;
    EXPECT_EQ(k->group, c.group) << c.input;
    EXPECT_EQ(k->version, c.version) << c.input;
    EXPECT_EQ(k->resource, c.resource) << c.input;
  }
}

TEST(KindsTable, ScopeVerbsAndSubresources) {
  const Kinds& kinds = Kinds::Default();
  const KindInfo* pods = kinds.ByResource("", "v1", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_TRUE(pods->namespaced);
  EXPECT_EQ(pods->kind, "Pod");
  EXPECT_EQ(pods->singular, "pod");
  EXPECT_EQ(pods->categories, std::vector<std::string>{"all"});
  const std::set<std::string> pod_subs(pods->subresources.begin(), pods->subresources.end());
  for (const char* s : {"status", "log", "exec", "binding", "eviction"}) {
    EXPECT_TRUE(pod_subs.count(s)) << s;
  }

  const KindInfo* ns = kinds.ByGvk({"", "v1", "Namespace"});
  ASSERT_NE(ns, nullptr);
  EXPECT_FALSE(ns->namespaced);
  EXPECT_EQ(std::count(ns->verbs.begin(), ns->verbs.end(), "deletecollection"), 0);

  const KindInfo* deploy = kinds.ByGvk({"apps", "v1", "Deployment"});
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ(deploy->subresources, (std::vector<std::string>{"scale", "status"}));
  EXPECT_EQ(deploy->verbs.size(), 8u);
  EXPECT_EQ(deploy->api_version(), "apps/v1");
  EXPECT_EQ(deploy->qualified_resource(), "deployments.apps");

  const KindInfo* ssar = kinds.ByGvk({"authorization.k8s.io", "v1", "SelfSubjectAccessReview"});
  ASSERT_NE(ssar, nullptr);
  EXPECT_EQ(ssar->verbs, std::vector<std::string>{"create"});
  EXPECT_FALSE(ssar->namespaced);
  const KindInfo* lsar = kinds.ByGvk({"authorization.k8s.io", "v1", "LocalSubjectAccessReview"});
  ASSERT_NE(lsar, nullptr);
  EXPECT_TRUE(lsar->namespaced);

  const KindInfo* sa = kinds.ByResource("", "v1", "serviceaccounts");
  ASSERT_NE(sa, nullptr);
  EXPECT_EQ(sa->subresources, std::vector<std::string>{"token"});

  EXPECT_NE(kinds.ByGvk({"autoscaling", "v1", "HorizontalPodAutoscaler"}), nullptr);
  EXPECT_EQ(kinds.ByGvk({"apps", "v1beta1", "Deployment"}), nullptr);
  EXPECT_EQ(kinds.ByResource("apps", "v1", "pods"), nullptr);
}

TEST(KindsTable, EveryBuiltinIsConsistent) {
  std::set<std::string> seen;
  for (const auto& k : Kinds::Default().All()) {
    const std::string key = k.api_version() + "/" + k.kind;
    EXPECT_TRUE(seen.insert(key).second) << "registered twice: " << key;
    EXPECT_FALSE(k.resource.empty()) << key;
    EXPECT_FALSE(k.verbs.empty()) << key;
    EXPECT_EQ(k.singular.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos) << key;
    // Every kind resolves back through its own plural in its own group.
    const KindInfo* back = Kinds::Default().Lookup(k.resource + "." + k.version +
                                                   (k.group.empty() ? "" : "." + k.group));
    ASSERT_NE(back, nullptr) << key;
    EXPECT_EQ(back->resource, k.resource);
  }
  EXPECT_GE(seen.size(), 50u);
}

TEST(KindsRegister, ReplacesSameGvkAndAppendsNew) {
  Kinds kinds;
  KindInfo a;
  a.group = "example.com";
  a.version = "v1";
  a.kind = "Widget";
  a.resource = "widgets";
  a.singular = "widget";
  a.short_names = {"wd"};
  a.verbs = {"get"};
  kinds.Register(a);
  a.short_names = {"wdg"};
  kinds.Register(a);
  ASSERT_EQ(kinds.All().size(), 1u);
  EXPECT_EQ(kinds.Lookup("wd"), nullptr);
  ASSERT_NE(kinds.Lookup("WDG"), nullptr);
  EXPECT_EQ(kinds.Lookup("widgets.example.com")->kind, "Widget");
}

}  // namespace
}  // namespace keelson::api
