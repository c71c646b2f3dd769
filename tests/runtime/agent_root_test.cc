// Root end-to-end tests of the node agent beyond the runc pod lifecycle (node_agent_test.cc):
// pods under the process runtime (no runc involved) and a static pod under runc. Real CNI
// namespaces and the busybox image; each test has its own data dir, bridge and subnet and removes
// every container, netns, mount and cgroup it made, even on failure.
#include <dirent.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "runtime/cni.h"
#include "runtime/fsutil.h"
#include "runtime/image_store.h"
#include "runtime/node_agent.h"
#include "runtime/process.h"
#include "runtime/process_runtime.h"
#include "runtime/runc_runtime.h"
#include "runtime/static_pods.h"
#include "tests/runtime/fake_client.h"
#include "tests/runtime/test_util.h"

namespace keelson::runtime {
namespace {

using api::Json;
using namespace std::chrono_literals;

const api::GroupVersionKind kPod{"", "v1", "Pod"};

class RootAgentBase : public ::testing::Test {
 protected:
  void Prepare(const std::string& runtime) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (access("/usr/lib/cni/bridge", X_OK) != 0) GTEST_SKIP() << "needs CNI plugins";
    if (runtime == "runc" && !testing::HaveRunc()) GTEST_SKIP() << "needs runc";
    std::string id = RandomHex(3);
    int third = std::stoi(id.substr(0, 2), nullptr, 16);
    config_.runtime = runtime;
    config_.node_name = "node-" + id;
    config_.data_dir = tmp_ / "data";
    config_.cni_bridge = "kp" + id;
    config_.pod_cidr = "10.250." + std::to_string(third) + ".0/24";
    config_.service_cidr = "10.251." + std::to_string(third) + ".0/24";
    config_.lease_interval = 500ms;
    config_.sync_interval = 200ms;
    config_.static_pod_interval = 200ms;
    image_ = testing::BuildTestImage(tmp_.path());
    ASSERT_FALSE(image_.empty());
    prepared_ = true;
  }
  void TearDown() override {
    if (agent_) agent_->Stop();
    agent_.reset();
    if (!prepared_) return;
    std::unique_ptr<ContainerRuntime> rt;
    if (config_.runtime == "process") {
      auto r = NewProcessRuntime({.state_dir = config_.data_dir + "/runtime/process"});
      if (r) rt = std::move(*r);
    } else {
      auto r =
          NewRuncRuntime({.runc_path = "runc", .state_dir = config_.data_dir + "/runtime/runc"});
      if (r) rt = std::move(*r);
    }
    if (rt) {
      auto ids = rt->List();
      if (ids)
        for (auto& id : *ids) (void)rt->Delete(id);
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
    for (auto& uid : pod_uids_) Cgroups().Remove("/keelson/pod" + uid, "/keelson");
    RunCommand({"ip", "link", "del", config_.cni_bridge});
    RemoveAll(config_.data_dir);
    EXPECT_FALSE(testing::Exists("/sys/class/net/" + config_.cni_bridge));
  }
  void StartAgent() {
    auto a = NodeAgent::Create(&client_, config_);
    ASSERT_TRUE(a) << a.error().message;
    agent_ = std::move(*a);
    auto imported = agent_->images().Import(image_);
    ASSERT_TRUE(imported) << imported.error().message;
    auto st = agent_->Start();
    ASSERT_TRUE(st) << st.error().message;
  }
  api::Object CreatePod(const std::string& json) {
    Json j = Json::parse(json);
    j["apiVersion"] = "v1";
    j["kind"] = "Pod";
    j["metadata"]["namespace"] = "default";
    j["spec"]["nodeName"] = config_.node_name;
    if (!j["spec"].contains("terminationGracePeriodSeconds"))
      j["spec"]["terminationGracePeriodSeconds"] = 1;
    auto p = client_.Create(api::Object(j));
    EXPECT_TRUE(p) << p.error().message;
    if (p) pod_uids_.push_back(p->uid());
    return p ? *p : api::Object();
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
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "pod " << name
                  << " did not reach the expected state; last status: " << last.status().dump(1);
    return last;
  }
  static Json Status(const api::Object& p) {
    const Json& s = p.status();
    return s.contains("containerStatuses") && !s["containerStatuses"].empty()
               ? s["containerStatuses"][0]
               : Json::object();
  }
  static bool Ready(const api::Object& p) {
    for (auto& c :
         p.status().is_object() ? p.status().value("conditions", Json::array()) : Json::array())
      if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
    return false;
  }
  static std::string PodIp(const api::Object& p) {
    return p.status().is_object() ? p.status().value("podIP", "") : "";
  }
  std::string Logs(const std::string& pod) {
    std::string out;
    auto st = agent_->ReadLogs("default", pod, {}, [&](std::string_view l) {
      out += l;
      return true;
    });
    return st ? out : "ERROR: " + st.error().message;
  }
  void DeleteAndWaitGone(const std::string& name) {
    ASSERT_TRUE(client_.Delete(kPod, "default", name));
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!client_.Get(kPod, "default", name)) return;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "pod " << name << " was not removed";
  }

  testing::TempDir tmp_;
  testing::FakeClient client_;
  NodeAgentConfig config_;
  std::string image_;
  std::unique_ptr<NodeAgent> agent_;
  std::vector<std::string> pod_uids_;
  bool prepared_ = false;
};

class RootProcessAgent : public RootAgentBase {
 protected:
  void SetUp() override { Prepare("process"); }
};

TEST_F(RootProcessAgent, HttpdPodAnswersOnItsPodIpWithExecLogsAndCleanDeletion) {
  StartAgent();
  CreatePod(
      R"({"metadata":{"name":"web"},"spec":{"containers":[{"name":"httpd","image":"keelson.dev/busybox:test",
    "command":["sh","-c","echo starting; exec httpd -f -p 8080 -h /var/www"],
    "ports":[{"name":"http","containerPort":8080}],
    "readinessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":1},
    "livenessProbe":{"exec":{"command":["true"]},"periodSeconds":1},
    "resources":{"limits":{"cpu":"200m","memory":"32Mi"}}}]}})");
  auto p = WaitPod("web", Ready);
  EXPECT_EQ(p.status()["phase"], "Running");
  EXPECT_TRUE(Status(p).value("containerID", "").starts_with("process://")) << Status(p).dump();
  std::string ip = PodIp(p);
  ASSERT_FALSE(ip.empty());
  auto get = RunCommand({"/bin/busybox", "wget", "-q", "-O", "-", "http://" + ip + ":8080/"},
                        {.timeout = 10s});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->out, "hello from keelson\n");
  auto host = agent_->Exec("default", "web", "", {"hostname"});
  ASSERT_TRUE(host) << host.error().message;
  EXPECT_EQ(host->out, "web\n");
  auto addr = agent_->Exec("default", "web", "", {"ip", "-4", "addr"});
  ASSERT_TRUE(addr) << addr.error().message;
  EXPECT_NE(addr->out.find(ip), std::string::npos) << "exec joins the pod netns: " << addr->out;
  EXPECT_EQ(Logs("web"), "starting\n");
  auto stats = agent_->PodStats("default", "web");
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_EQ((*stats)[0].stats.memory_limit, 32 << 20);
  std::this_thread::sleep_for(2500ms);  // a few liveness rounds: no restart
  EXPECT_EQ(Status(*client_.Get(kPod, "default", "web"))["restartCount"], 0);
  std::string netns = config_.data_dir + "/netns/" + p.uid();
  DeleteAndWaitGone("web");
  EXPECT_FALSE(testing::Exists(netns));
  EXPECT_TRUE(agent_->runtime().List()->empty());
}

TEST_F(RootProcessAgent, ExitCodesRestartsAndOomKill) {
  StartAgent();
  CreatePod(
      R"({"metadata":{"name":"fail"},"spec":{"restartPolicy":"Never","containers":[{"name":"c",
    "image":"keelson.dev/busybox:test","command":["sh","-c","exit 3"]}]}})");
  CreatePod(R"({"metadata":{"name":"oom"},"spec":{"restartPolicy":"Never","containers":[{"name":"c",
    "image":"keelson.dev/busybox:test","command":["sh","-c","x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done"],
    "resources":{"limits":{"memory":"16Mi","cpu":"500m"}}}]}})");
  CreatePod(R"({"metadata":{"name":"bad"},"spec":{"containers":[{"name":"c",
    "image":"keelson.dev/busybox:test","command":["/no/such"]}]}})");
  auto failed = WaitPod("fail", [](const api::Object& p) {
    return p.status().is_object() && p.status().value("phase", "") == "Failed";
  });
  EXPECT_EQ(Status(failed)["state"]["terminated"]["exitCode"], 3);
  EXPECT_EQ(Status(failed)["state"]["terminated"]["reason"], "Error");
  auto bad = WaitPod("bad", [](const api::Object& p) {
    auto s = Status(p);
    return s.contains("state") && s["state"].contains("waiting") &&
           s["state"]["waiting"].value("reason", "") == "RunContainerError";
  });
  EXPECT_NE(Status(bad)["state"]["waiting"].value("message", "").find("no such file or directory"),
            std::string::npos)
      << Status(bad).dump();
  if (!Cgroups().unified() && !testing::Exists("/sys/fs/cgroup/memory")) return;
  auto oom = WaitPod("oom", [](const api::Object& p) {
    return p.status().is_object() && p.status().value("phase", "") == "Failed";
  });
  EXPECT_EQ(Status(oom)["state"]["terminated"]["reason"], "OOMKilled") << Status(oom).dump();
  EXPECT_EQ(Status(oom)["state"]["terminated"]["exitCode"], 137);
}

class RootStaticPod : public RootAgentBase {
 protected:
  void SetUp() override {
    Prepare("runc");
    config_.static_pod_dir = tmp_ / "manifests";
    MakeDirs(config_.static_pod_dir);
  }
};

TEST_F(RootStaticPod, RunsUnderRuncIsMirroredAndStopsWhenItsFileGoes) {
  std::string file = config_.static_pod_dir + "/web.yaml";
  std::ofstream(file) << R"(apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: keelson.dev/busybox:test
    command: [httpd, -f, -p, "8080", -h, /var/www]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
)";
  auto scan = ReadStaticPodDir(config_.static_pod_dir, config_.node_name);
  ASSERT_EQ(scan.pods.size(), 1u);
  pod_uids_.push_back(scan.pods[0].pod.uid());
  StartAgent();
  std::string name = "web-" + config_.node_name;
  auto p = WaitPod(name, Ready);
  EXPECT_TRUE(IsMirrorPod(p));
  std::string ip = PodIp(p);
  ASSERT_FALSE(ip.empty());
  auto get = RunCommand({"/bin/busybox", "wget", "-q", "-O", "-", "http://" + ip + ":8080/"},
                        {.timeout = 10s});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->out, "hello from keelson\n");
  unlink(file.c_str());
  std::string netns = config_.data_dir + "/netns/" + scan.pods[0].pod.uid();
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline &&
         (client_.Get(kPod, "default", name) || !agent_->runtime().List()->empty() ||
          testing::Exists(netns)))
    std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(client_.Get(kPod, "default", name)) << "the mirror pod is deleted";
  EXPECT_TRUE(agent_->runtime().List()->empty()) << "the static pod's container is removed";
  EXPECT_FALSE(testing::Exists(netns)) << "the static pod's netns is removed";
}

}  // namespace
}  // namespace keelson::runtime
