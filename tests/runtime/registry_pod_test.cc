// Root end-to-end tests of registry pulls through the node agent: real runc and CNI, the
// busybox image pushed to a real docker-registry on loopback, pods whose images are pulled.
#include <dirent.h>
#include <gtest/gtest.h>

#include <thread>

#include "runtime/cni.h"
#include "runtime/fsutil.h"
#include "runtime/image_store.h"
#include "runtime/node_agent.h"
#include "runtime/process.h"
#include "runtime/runc_runtime.h"
#include "tests/runtime/fake_client.h"
#include "tests/runtime/registry_fixture.h"
#include "tests/runtime/test_util.h"

namespace keelson::runtime {
namespace {

using api::Json;
using namespace std::chrono_literals;

const api::GroupVersionKind kPod{"", "v1", "Pod"};

class RootRegistryPod : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!testing::HaveRunc() || access("/usr/lib/cni/bridge", X_OK) != 0)
      GTEST_SKIP() << "needs runc and CNI plugins";
    if (!testing::HaveRegistryTools()) GTEST_SKIP() << "needs docker-registry and skopeo";
    std::string id = RandomHex(3);
    int third = std::stoi(id.substr(0, 2), nullptr, 16);
    config_.node_name = "node-" + id;
    config_.data_dir = tmp_ / "data";
    config_.cni_bridge = "kr" + id;
    config_.pod_cidr = "10.250." + std::to_string(third) + ".0/24";
    config_.service_cidr = "10.251." + std::to_string(third) + ".0/24";
    config_.lease_interval = 500ms;
    config_.sync_interval = 200ms;
    std::string archive = testing::BuildTestImage(tmp_.path());
    ASSERT_FALSE(archive.empty());
    MakeDirs(tmp_ / "registry", 0700);
    std::string err;
    registry_ = testing::TestRegistry::Start(tmp_ / "registry", {}, &err);
    ASSERT_TRUE(registry_) << err;
    ASSERT_EQ(registry_->Push("docker-archive:" + archive, "busybox:latest"), "");
    auto a = NodeAgent::Create(&client_, config_);
    ASSERT_TRUE(a) << a.error().message;
    agent_ = std::move(*a);
    auto st = agent_->Start();
    ASSERT_TRUE(st) << st.error().message;
  }
  void TearDown() override {
    if (agent_) {
      for (auto& name : pods_) (void)client_.Delete(kPod, "default", name);
      auto deadline = std::chrono::steady_clock::now() + 20s;
      for (auto& name : pods_) {
        while (client_.Get(kPod, "default", name) && std::chrono::steady_clock::now() < deadline)
          std::this_thread::sleep_for(100ms);
      }
      agent_->Stop();
    }
    agent_.reset();
    registry_.reset();
    if (config_.data_dir.empty() || geteuid() != 0) return;
    auto rt =
        NewRuncRuntime({.runc_path = "runc", .state_dir = config_.data_dir + "/runtime/runc"});
    if (rt) {
      auto ids = (*rt)->List();
      if (ids)
        for (auto& id : *ids) (void)(*rt)->Delete(id);
    }
    CniOptions o;
    o.netns_dir = config_.data_dir + "/netns";
    o.state_dir = config_.data_dir + "/cni";
    o.bridge = config_.cni_bridge;
    o.network_name = "keelson-" + config_.cni_bridge;
    o.pod_cidr = config_.pod_cidr;
    o.service_cidr = config_.service_cidr;
    Cni cni(o);
    if (DIR* d = opendir(o.netns_dir.c_str())) {
      std::vector<std::string> names;
      while (dirent* e = readdir(d))
        if (e->d_name[0] != '.') names.push_back(e->d_name);
      closedir(d);
      for (auto& n : names) {
        (void)cni.Teardown(n, cni.NetnsPath(n));
        (void)cni.DeleteNetns(n);
      }
    }
    (void)RunCommand({"ip", "link", "del", config_.cni_bridge});
    RemoveAll(config_.data_dir);
  }
  void CreatePod(const std::string& name, const Json& container) {
    Json j = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec",
               {{"nodeName", config_.node_name},
                {"terminationGracePeriodSeconds", 1},
                {"containers", {container}}}}};
    auto p = client_.Create(api::Object(j));
    ASSERT_TRUE(p) << p.error().message;
    pods_.push_back(name);
  }
  api::Object WaitPod(const std::string& name, const std::function<bool(const api::Object&)>& pred,
                      std::chrono::seconds timeout = 30s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    api::Object last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto p = client_.Get(kPod, "default", name);
      if (p) {
        last = *p;
        if (pred(last)) return last;
      }
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "pod " << name
                  << " did not reach the expected state; last status: " << last.status().dump(1);
    return last;
  }
  static std::string Waiting(const api::Object& p) {
    const Json& s = p.status();
    if (!s.is_object() || !s.contains("containerStatuses")) return "";
    const Json& st = s["containerStatuses"][0]["state"];
    return st.contains("waiting") ? st["waiting"].value("reason", "") : "";
  }
  std::vector<std::string> Events(const std::string& pod) {
    std::vector<std::string> out;
    auto list = client_.List({"", "v1", "Event"}, "default", {});
    if (!list) return out;
    std::sort(list->items.begin(), list->items.end(), [](auto& a, auto& b) {
      return a.json().value("firstTimestamp", "") < b.json().value("firstTimestamp", "");
    });
    for (auto& e : list->items) {
      if (e.json()["involvedObject"].value("name", "") != pod) continue;
      out.push_back(e.json().value("reason", "") + ": " + e.json().value("message", ""));
    }
    return out;
  }

  testing::TempDir tmp_;
  testing::FakeClient client_;
  NodeAgentConfig config_;
  std::unique_ptr<testing::TestRegistry> registry_;
  std::unique_ptr<NodeAgent> agent_;
  std::vector<std::string> pods_;
};

TEST_F(RootRegistryPod, PolicyAlwaysPullsFromTheRegistryAndRuns) {
  std::string image = registry_->host() + "/busybox:latest";
  CreatePod("pulled", {{"name", "main"}, {"image", image}, {"command", {"sleep", "3600"}}});
  auto p = WaitPod("pulled", [](const api::Object& p) {
    return p.status().is_object() && p.status().value("phase", "") == "Running";
  });
  EXPECT_EQ(p.status()["containerStatuses"][0]["image"], image);
  EXPECT_TRUE(agent_->images().Resolve(image)) << "the pulled image is in the node's store";
  auto events = Events("pulled");
  std::string all;
  for (auto& e : events) all += e + "\n";
  ASSERT_GE(events.size(), 3u) << all;
  EXPECT_NE(all.find("Pulling: Pulling image \"" + image + "\"\n"), std::string::npos) << all;
  EXPECT_NE(all.find("Pulled: Successfully pulled image \"" + image + "\" in "), std::string::npos)
      << all;
  EXPECT_NE(all.find("Started: Started container main"), std::string::npos) << all;
}

TEST_F(RootRegistryPod, MissingImageIsErrImagePullThenImagePullBackOff) {
  std::string image = registry_->host() + "/missing:1";
  CreatePod("missing", {{"name", "main"}, {"image", image}});
  bool saw_err = false;
  auto p = WaitPod("missing", [&](const api::Object& p) {
    saw_err |= Waiting(p) == "ErrImagePull";
    return Waiting(p) == "ImagePullBackOff";
  });
  EXPECT_TRUE(saw_err) << "ErrImagePull comes first";
  EXPECT_EQ(p.status()["phase"], "Pending");
  EXPECT_EQ(p.status()["containerStatuses"][0]["state"]["waiting"]["message"],
            "Back-off pulling image \"" + image + "\"");
  std::string all;
  for (auto& e : Events("missing")) all += e + "\n";
  EXPECT_NE(all.find("Failed: Failed to pull image \"" + image + "\": pull " + image +
                     ": manifest unknown"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("BackOff: Back-off pulling image \"" + image + "\""), std::string::npos)
      << all;

  CreatePod("never", {{"name", "main"}, {"image", image}, {"imagePullPolicy", "Never"}});
  p = WaitPod("never", [](const api::Object& p) { return Waiting(p) == "ErrImageNeverPull"; });
  EXPECT_EQ(p.status()["containerStatuses"][0]["state"]["waiting"]["message"],
            "Container image \"" + image + "\" is not present with pull policy of Never");
}

}  // namespace
}  // namespace keelson::runtime
