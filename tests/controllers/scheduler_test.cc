// Tests for controllers/scheduler: filters, scores, the Unschedulable message, binding through
// the client, and the 1,000 pods / 100 nodes figure.
#include "controllers/scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/runtime/fake_client.h"

namespace keelson::controllers {
namespace {

using api::Json;

api::Object NodeObj(const std::string& name, const std::string& cpu, const std::string& memory,
                    Json labels = Json::object(), Json spec = Json::object()) {
  return api::Object(
      Json{{"apiVersion", "v1"},
           {"kind", "Node"},
           {"metadata", {{"name", name}, {"labels", labels}}},
           {"spec", spec},
           {"status", {{"allocatable", {{"cpu", cpu}, {"memory", memory}, {"pods", "110"}}}}}});
}

api::Object PodObj(const std::string& name, Json spec) {
  if (!spec.contains("containers"))
    spec["containers"] = Json::array({{{"name", "c"}, {"image", "busybox"}}});
  return api::Object(
      Json{{"apiVersion", "v1"},
           {"kind", "Pod"},
           {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "u-" + name}}},
           {"spec", spec}});
}

Json Requests(const std::string& cpu, const std::string& memory) {
  return Json::array({{{"name", "c"},
                       {"image", "busybox"},
                       {"resources", {{"requests", {{"cpu", cpu}, {"memory", memory}}}}}}});
}

std::vector<NodeState> States(const std::vector<api::Object>& nodes) {
  std::vector<NodeState> out;
  for (auto& n : nodes) out.push_back(NodeStateFromNode(n));
  return out;
}

TEST(SchedulePod, InsufficientMemoryMessage) {
  auto nodes = States({NodeObj("n1", "4", "1Gi")});
  auto r = SchedulePod(PodObj("p", {{"containers", Requests("100m", "2Gi")}}), nodes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "0/1 nodes are available: 1 Insufficient memory.");
}

TEST(SchedulePod, EveryFilterReportsItsReason) {
  auto nodes = States({
      NodeObj("small", "1", "1Gi"),
      NodeObj(
          "tainted", "8", "8Gi", Json::object(),
          {{"taints",
            Json::array({{{"key", "dedicated"}, {"value", "gpu"}, {"effect", "NoSchedule"}}})}}),
      NodeObj("cordoned", "8", "8Gi", Json::object(), {{"unschedulable", true}}),
      NodeObj("other-zone", "8", "8Gi", {{"zone", "b"}}),
  });
  Json spec = {{"containers", Requests("2", "512Mi")}, {"nodeSelector", {{"zone", "a"}}}};
  // small lacks the label too: the selector filter runs before resources (as in kube-scheduler).
  auto r = SchedulePod(PodObj("p", spec), nodes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "0/4 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 1 "
            "node(s) had untolerated "
            "taint {dedicated: gpu}, 1 node(s) were unschedulable.");
}

TEST(SchedulePod, SelectorAffinityAndTolerationsAllow) {
  auto nodes = States({
      NodeObj("a", "4", "4Gi", {{"zone", "a"}, {"disk", "ssd"}}),
      NodeObj("b", "4", "4Gi", {{"zone", "b"}},
              {{"taints",
                Json::array({{{"key", "dedicated"}, {"value", "gpu"}, {"effect", "NoExecute"}}})}}),
  });
  Json affinity = {
      {"nodeAffinity",
       {{"requiredDuringSchedulingIgnoredDuringExecution",
         {{"nodeSelectorTerms",
           Json::array({{{"matchExpressions", Json::array({{{"key", "zone"},
                                                            {"operator", "In"},
                                                            {"values", {"b", "c"}}}})}}})}}}}}};
  Json tol = Json::array(
      {{{"key", "dedicated"}, {"operator", "Equal"}, {"value", "gpu"}, {"effect", "NoExecute"}}});
  auto r = SchedulePod(PodObj("p", {{"affinity", affinity}, {"tolerations", tol}}), nodes);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "b");
  auto no_tol = SchedulePod(PodObj("p", {{"affinity", affinity}}), nodes);
  ASSERT_FALSE(no_tol);
  EXPECT_NE(no_tol.error().message.find("1 node(s) had untolerated taint {dedicated: gpu}"),
            std::string::npos);
  auto sel = SchedulePod(PodObj("p", {{"nodeSelector", {{"disk", "ssd"}}}}), nodes);
  ASSERT_TRUE(sel);
  EXPECT_EQ(*sel, "a");
}

TEST(SchedulePod, HostPortConflictAndMaxPods) {
  auto nodes = States({NodeObj("n", "4", "4Gi")});
  Json c = Json::array({{{"name", "c"},
                         {"image", "x"},
                         {"ports", Json::array({{{"containerPort", 80}, {"hostPort", 8080}}})}}});
  AddPod(nodes[0], PodObj("first", {{"containers", c}}));
  auto r = SchedulePod(PodObj("second", {{"containers", c}}), nodes);
  ASSERT_FALSE(r);
  EXPECT_EQ(
      r.error().message,
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
  nodes[0].alloc_pods = 1;
  auto full = SchedulePod(PodObj("third", {}), nodes);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().message, "0/1 nodes are available: 1 Too many pods.");
}

TEST(SchedulePod, ScoresPreferLeastAllocatedPreferredAffinityAndSpreading) {
  auto nodes = States({NodeObj("busy", "4", "4Gi"), NodeObj("idle", "4", "4Gi")});
  AddPod(nodes[0], PodObj("x", {{"containers", Requests("3", "3Gi")}}));
  auto r = SchedulePod(PodObj("p", {{"containers", Requests("100m", "100Mi")}}), nodes);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "idle");

  auto same = States({NodeObj("a", "4", "4Gi", {{"tier", "fast"}}), NodeObj("b", "4", "4Gi")});
  Json pref = {
      {"nodeAffinity",
       {{"preferredDuringSchedulingIgnoredDuringExecution",
         Json::array({{{"weight", 50},
                       {"preference",
                        {{"matchExpressions",
                          Json::array({{{"key", "tier"}, {"operator", "Exists"}}})}}}}})}}}};
  auto p = SchedulePod(PodObj("p", {{"affinity", pref}}), same);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, "a");

  // Two replicas of one owner land on different nodes.
  auto spread = States({NodeObj("a", "4", "4Gi"), NodeObj("b", "4", "4Gi")});
  auto replica = [](const std::string& name) {
    auto o = PodObj(name, {{"containers", Requests("100m", "64Mi")}});
    o.add_owner_reference({"apps/v1", "ReplicaSet", "rs", "rs-uid", true, true});
    return o;
  };
  auto first = SchedulePod(replica("r1"), spread);
  ASSERT_TRUE(first);
  AddPod(spread[*first == "a" ? 0 : 1], replica("r1"));
  auto second = SchedulePod(replica("r2"), spread);
  ASSERT_TRUE(second);
  EXPECT_NE(*first, *second);
}

TEST(Scheduler, BindsThroughTheClientAndRetriesWhenANodeAppears) {
  runtime::testing::FakeClient client;
  ASSERT_TRUE(client.Create(NodeObj("small", "1", "1Gi")));
  ASSERT_TRUE(client.Create(PodObj("fits", {{"containers", Requests("100m", "128Mi")}})));
  ASSERT_TRUE(client.Create(PodObj("big", {{"containers", Requests("100m", "4Gi")}})));
  Scheduler s(&client);
  ASSERT_TRUE(s.Start());
  auto wait = [&](const std::string& name, auto pred) {
    for (int i = 0; i < 100; ++i) {
      auto p = client.Get({"", "v1", "Pod"}, "default", name);
      if (p && pred(*p)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  EXPECT_TRUE(
      wait("fits", [](const api::Object& p) { return p.spec().value("nodeName", "") == "small"; }));
  EXPECT_TRUE(wait("big", [](const api::Object& p) {
    for (auto& c : p.status().value("conditions", Json::array()))
      if (c["type"] == "PodScheduled" && c["reason"] == "Unschedulable" &&
          c["message"] == "0/1 nodes are available: 1 Insufficient memory.")
        return true;
    return false;
  }));
  ASSERT_TRUE(client.Create(NodeObj("large", "8", "16Gi")));
  EXPECT_TRUE(
      wait("big", [](const api::Object& p) { return p.spec().value("nodeName", "") == "large"; }));
  s.Stop();
}

TEST(Scheduler, ThousandPodsOverHundredNodesUnderOneSecond) {
  runtime::testing::FakeClient client;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(client.Create(
        NodeObj("node-" + std::to_string(i), "16", "64Gi", {{"zone", i % 2 ? "a" : "b"}})));
  }
  for (int i = 0; i < 1000; ++i) {
    Json spec = {{"containers", Requests("100m", "256Mi")}};
    if (i % 3 == 0) spec["nodeSelector"] = {{"zone", "a"}};
    ASSERT_TRUE(client.Create(PodObj("p-" + std::to_string(i), spec)));
  }
  Scheduler s(&client);
  auto start = std::chrono::steady_clock::now();
  auto bound = s.RunOnce();
  auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(bound) << bound.error().message;
  EXPECT_EQ(*bound, 1000);
  std::printf("scheduled %d pods over 100 nodes in %.3f s\n", *bound, elapsed);
  EXPECT_LT(elapsed, 1.0);
  // Spread: no node got more than twice its fair share.
  auto pods = client.List({"", "v1", "Pod"}, "", {});
  std::map<std::string, int> per_node;
  for (auto& p : pods->items) per_node[p.spec()["nodeName"]]++;
  for (auto& [n, count] : per_node) EXPECT_LE(count, 20) << n;
}

}  // namespace
}  // namespace keelson::controllers
