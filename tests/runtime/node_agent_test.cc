// Root end-to-end tests of the node agent: real runc, real CNI namespaces, the busybox image,
// driven through an in-memory api::Client. Each test has its own data dir, bridge and subnet, and
// removes every container, netns, mount and cgroup it made.
#include "runtime/node_agent.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "runtime/fsutil.h"
#include "runtime/image_store.h"
#include "runtime/pod_worker.h"
#include "runtime/process.h"
#include "runtime/runc_runtime.h"
#include "tests/runtime/fake_client.h"
#include "tests/runtime/test_util.h"

namespace keelson::runtime {
namespace {

using api::Json;
using namespace std::chrono_literals;

const api::GroupVersionKind kPod{"", "v1", "Pod"};

class RootNodeAgent : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!testing::HaveRunc() || access("/usr/lib/cni/bridge", X_OK) != 0)
      GTEST_SKIP() << "needs runc and CNI plugins";
    std::string id = RandomHex(3);
    int third = std::stoi(id.substr(0, 2), nullptr, 16);
    config_.node_name = "node-" + id;
    config_.data_dir = tmp_ / "data";
    config_.cni_bridge = "ka" + id;
    config_.pod_cidr = "10.252." + std::to_string(third) + ".0/24";
    config_.service_cidr = "10.253." + std::to_string(third) + ".0/24";
    config_.lease_interval = 500ms;
    config_.sync_interval = 200ms;
    config_.volume_refresh = 300ms;
    image_ = testing::BuildTestImage(tmp_.path());
    ASSERT_FALSE(image_.empty());
  }
  void TearDown() override {
    if (agent_) agent_->Stop();
    agent_.reset();
    if (config_.data_dir.empty() || geteuid() != 0) return;
    // Remove whatever is left, even after a failure.
    auto rt = NewRuncRuntimeForCleanup();
    if (rt) {
      auto ids = rt->List();
      if (ids)
        for (auto& id : *ids) rt->Delete(id);
    }
    Cni cni(CniOptionsFor());
    std::string netns = config_.data_dir + "/netns";
    if (DIR* d = opendir(netns.c_str())) {
      std::vector<std::string> names;
      while (dirent* e = readdir(d))
        if (e->d_name[0] != '.') names.push_back(e->d_name);
      closedir(d);
      for (auto& n : names) {
        cni.Teardown(n, cni.NetnsPath(n));
        cni.DeleteNetns(n);
      }
    }
    RunCommand({"ip", "link", "del", config_.cni_bridge});
    if (DIR* d = opendir("/sys/fs/cgroup/memory/keelson")) {
      closedir(d);
    }
    RemoveAll(config_.data_dir);
    EXPECT_FALSE(testing::Exists("/sys/class/net/" + config_.cni_bridge));
  }
  std::unique_ptr<ContainerRuntime> NewRuncRuntimeForCleanup() {
    auto rt =
        NewRuncRuntime({.runc_path = "runc", .state_dir = config_.data_dir + "/runtime/runc"});
    return rt ? std::move(*rt) : nullptr;
  }
  CniOptions CniOptionsFor() {
    CniOptions o;
    o.netns_dir = config_.data_dir + "/netns";
    o.state_dir = config_.data_dir + "/cni";
    o.bridge = config_.cni_bridge;
    o.network_name = "keelson-" + config_.cni_bridge;
    o.pod_cidr = config_.pod_cidr;
    o.service_cidr = config_.service_cidr;
    return o;
  }
  void StartAgent(Clock* clock = nullptr) {
    auto a = NodeAgent::Create(&client_, config_, nullptr, clock);
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
    return p ? *p : api::Object();
  }
  // Polls the pod until `pred` holds (or the timeout); returns the last version seen.
  api::Object WaitPod(const std::string& name, const std::function<bool(const api::Object&)>& pred,
                      std::chrono::seconds timeout = 30s,
                      const std::function<void()>& tick = nullptr) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    api::Object last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto p = client_.Get(kPod, "default", name);
      if (p) {
        last = *p;
        if (pred(last)) return last;
      }
      if (tick) tick();
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "pod " << name
                  << " did not reach the expected state; last status: " << last.status().dump(1);
    return last;
  }
  static Json Status(const api::Object& p, int i = 0) {
    const Json& s = p.status();
    return s.contains("containerStatuses") && s["containerStatuses"].size() > static_cast<size_t>(i)
               ? s["containerStatuses"][i]
               : Json::object();
  }
  static bool Condition(const api::Object& p, const std::string& type) {
    for (auto& c :
         p.status().is_object() ? p.status().value("conditions", Json::array()) : Json::array())
      if (c.value("type", "") == type) return c.value("status", "") == "True";
    return false;
  }
  std::string Logs(const std::string& pod, LogOptions opts = {}) {
    std::string out;
    auto st = agent_->ReadLogs("default", pod, opts, [&](std::string_view l) {
      out += l;
      return true;
    });
    if (!st) return "ERROR: " + st.error().message;
    return out;
  }
  void DeleteAndWaitGone(const std::string& name) {
    ASSERT_TRUE(client_.Delete(kPod, "default", name));
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!client_.Get(kPod, "default", name)) return;
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "pod " << name << " was not removed after graceful deletion";
  }

  testing::TempDir tmp_;
  testing::FakeClient client_;
  NodeAgentConfig config_;
  std::string image_;
  std::unique_ptr<NodeAgent> agent_;
};

TEST_F(RootNodeAgent, HttpdPodBecomesReadyAnswersOnItsPodIpAndIsDeletedGracefully) {
  StartAgent();
  auto node = client_.Get({"", "v1", "Node"}, "", config_.node_name);
  ASSERT_TRUE(node) << "the node registered";
  EXPECT_EQ(node->status()["allocatable"]["pods"], "110");
  EXPECT_TRUE(
      client_.Get({"coordination.k8s.io", "v1", "Lease"}, "kube-node-lease", config_.node_name));

  CreatePod(
      R"({"metadata":{"name":"web"},"spec":{"containers":[{"name":"httpd","image":"keelson.dev/busybox:test",
    "command":["httpd","-f","-p","8080","-h","/var/www"],"ports":[{"name":"http","containerPort":8080}],
    "readinessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":1},
    "resources":{"requests":{"cpu":"100m","memory":"32Mi"}}}]}})");
  auto p = WaitPod("web", [](const api::Object& p) { return Condition(p, "Ready"); });
  EXPECT_EQ(p.status()["phase"], "Running");
  EXPECT_EQ(p.status()["qosClass"], "Burstable");
  EXPECT_EQ(Status(p)["ready"], true);
  EXPECT_EQ(Status(p)["restartCount"], 0);
  std::string ip = (p.status().is_object() ? p.status().value("podIP", "") : "");
  ASSERT_FALSE(ip.empty());
  auto get = RunCommand({"/bin/busybox", "wget", "-q", "-O", "-", "http://" + ip + ":8080/"},
                        {.timeout = 10s});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->out, "hello from keelson\n");

  std::string netns = config_.data_dir + "/netns/" + p.uid();
  EXPECT_TRUE(testing::Exists(netns));
  DeleteAndWaitGone("web");
  EXPECT_FALSE(testing::Exists(netns)) << "netns removed";
  auto rt = NewRuncRuntimeForCleanup();
  EXPECT_TRUE(rt->List()->empty()) << "containers removed";
}

TEST_F(RootNodeAgent, CrashLoopBackoffGrowsAndPreviousLogsAreKept) {
  FakeClock clock;
  StartAgent(&clock);
  CreatePod(R"({"metadata":{"name":"crash"},"spec":{"volumes":[{"name":"d","emptyDir":{}}],
    "containers":[{"name":"c","image":"keelson.dev/busybox:test",
    "command":["sh","-c","echo run >> /d/runs; echo attempt $(wc -l < /d/runs); exit 1"],
    "volumeMounts":[{"name":"d","mountPath":"/d"}]}]}})");
  // The first restart is immediate, then back-off 10s.
  auto p = WaitPod("crash", [](const api::Object& p) {
    auto s = Status(p);
    return s.value("restartCount", 0) == 1 && s["state"].contains("waiting") &&
           s["state"]["waiting"].value("reason", "") == "CrashLoopBackOff";
  });
  EXPECT_NE(Status(p)["state"]["waiting"]
                .value("message", "")
                .find("back-off 10s restarting failed container=c pod=crash_default("),
            std::string::npos)
      << Status(p).dump();
  EXPECT_EQ(Status(p)["lastState"]["terminated"]["exitCode"], 1);
  EXPECT_EQ(Status(p)["lastState"]["terminated"]["reason"], "Error");
  EXPECT_EQ(p.status()["phase"], "Running");
  // Nothing restarts while the back-off lasts.
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(Status(*client_.Get(kPod, "default", "crash"))["restartCount"], 1);
  clock.Advance(11s);
  p = WaitPod("crash", [](const api::Object& p) {
    auto s = Status(p);
    return s.value("restartCount", 0) == 2 && s["state"].contains("waiting") &&
           s["state"]["waiting"].value("message", "").find("back-off 20s") != std::string::npos;
  });
  EXPECT_EQ(Logs("crash"), "attempt 3\n");
  LogOptions prev;
  prev.previous = true;
  EXPECT_EQ(Logs("crash", prev), "attempt 2\n");
  LogOptions ts;
  ts.timestamps = true;
  EXPECT_NE(Logs("crash", ts).find("Z attempt 3\n"), std::string::npos);
}

TEST_F(RootNodeAgent, MemoryLimitExceededIsOomKilled) {
  StartAgent();
  CreatePod(R"({"metadata":{"name":"oom"},"spec":{"restartPolicy":"Never","containers":[{"name":"c",
    "image":"keelson.dev/busybox:test","command":["sh","-c","x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done"],
    "resources":{"limits":{"memory":"16Mi","cpu":"500m"}}}]}})");
  auto p = WaitPod("oom", [](const api::Object& p) {
    return p.status().is_object() && p.status().value("phase", "") == "Failed";
  });
  auto term = Status(p)["state"]["terminated"];
  EXPECT_EQ(term["reason"], "OOMKilled") << Status(p).dump();
  EXPECT_EQ(term["exitCode"], 137);
  EXPECT_EQ(p.status()["qosClass"], "Guaranteed");
}

TEST_F(RootNodeAgent, LivenessFailureRestartsTheContainer) {
  StartAgent();
  CreatePod(
      R"({"metadata":{"name":"live"},"spec":{"containers":[{"name":"c","image":"keelson.dev/busybox:test",
    "command":["sleep","1000"],"livenessProbe":{"exec":{"command":["test","-e","/nope"]},"periodSeconds":1,
    "failureThreshold":2}}]}})");
  auto p = WaitPod(
      "live", [](const api::Object& p) { return Status(p).value("restartCount", 0) >= 1; }, 40s);
  EXPECT_EQ(Status(p)["lastState"]["terminated"]["exitCode"], 137) << Status(p).dump();
}

TEST_F(RootNodeAgent, InitContainersRunInOrderBeforeTheApp) {
  StartAgent();
  CreatePod(R"({"metadata":{"name":"init"},"spec":{"volumes":[{"name":"w","emptyDir":{}}],
    "initContainers":[
      {"name":"one","image":"keelson.dev/busybox:test","command":["sh","-c","echo one >> /w/order"],"volumeMounts":[{"name":"w","mountPath":"/w"}]},
      {"name":"two","image":"keelson.dev/busybox:test","command":["sh","-c","sleep 0.3; echo two >> /w/order"],"volumeMounts":[{"name":"w","mountPath":"/w"}]}],
    "containers":[{"name":"app","image":"keelson.dev/busybox:test","command":["sh","-c","cat /w/order; echo app; sleep 1000"],
      "volumeMounts":[{"name":"w","mountPath":"/w"}]}]}})");
  auto p = WaitPod("init", [](const api::Object& p) { return Condition(p, "Ready"); });
  EXPECT_TRUE(Condition(p, "Initialized"));
  ASSERT_EQ(p.status()["initContainerStatuses"].size(), 2u);
  EXPECT_EQ(p.status()["initContainerStatuses"][0]["state"]["terminated"]["reason"], "Completed");
  for (int i = 0; i < 20 && Logs("init") != "one\ntwo\napp\n"; ++i)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(Logs("init"), "one\ntwo\napp\n");
}

TEST_F(RootNodeAgent, ConfigMapVolumeUpdatesSecretOnTmpfsEnvAndExec) {
  StartAgent();
  ASSERT_TRUE(client_.Create(api::Object(Json::parse(
      R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"default"},"data":{"password":"aHVudGVyMg=="}})"))));
  // The ConfigMap does not exist yet: CreateContainerConfigError, then it starts by itself.
  CreatePod(R"({"metadata":{"name":"cfg"},"spec":{"volumes":[{"name":"c","configMap":{"name":"cm"}},
    {"name":"s","secret":{"secretName":"s","defaultMode":256}}],
    "containers":[{"name":"c","image":"keelson.dev/busybox:test","command":["sleep","1000"],
    "env":[{"name":"GREETING","valueFrom":{"configMapKeyRef":{"name":"env-cm","key":"greeting"}}}],
    "volumeMounts":[{"name":"c","mountPath":"/cfg"},{"name":"s","mountPath":"/sec","readOnly":true}]}]}})");
  ASSERT_TRUE(client_.Create(api::Object(Json::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"default"},"data":{"key":"v1"}})"))));
  auto p = WaitPod("cfg", [](const api::Object& p) {
    auto s = Status(p);
    return s.contains("state") && s["state"].contains("waiting") &&
           s["state"]["waiting"].value("reason", "") == "CreateContainerConfigError";
  });
  EXPECT_EQ(Status(p)["state"]["waiting"]["message"], "configmap \"env-cm\" not found");
  ASSERT_TRUE(client_.Create(api::Object(Json::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"env-cm","namespace":"default"},"data":{"greeting":"hi"}})"))));
  WaitPod("cfg", [](const api::Object& p) { return Condition(p, "Ready"); });

  auto exec = [&](std::vector<std::string> argv) {
    auto r = agent_->Exec("default", "cfg", "", argv);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->out : "";
  };
  EXPECT_EQ(exec({"cat", "/cfg/key"}), "v1");
  auto stats = agent_->PodStats("default", "cfg");
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_GT((*stats)[0].stats.memory_usage, 0);
  EXPECT_EQ(exec({"sh", "-c", "echo $GREETING"}), "hi\n");
  EXPECT_EQ(exec({"cat", "/sec/password"}), "hunter2");
  EXPECT_NE(exec({"grep", " /sec ", "/proc/mounts"}).find("tmpfs"), std::string::npos);
  EXPECT_EQ(exec({"stat", "-c", "%a", "/sec/password"}), "400\n");
  auto r = agent_->Exec("default", "cfg", "", {"sh", "-c", "exit 3"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 3);

  auto cm = client_.Get({"", "v1", "ConfigMap"}, "default", "cm");
  cm->json()["data"]["key"] = "v2";
  ASSERT_TRUE(client_.Update(*cm));
  std::string now;
  for (int i = 0; i < 50 && now != "v2"; ++i) {
    now = exec({"cat", "/cfg/key"});
    if (now != "v2") std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(now, "v2") << "the configMap update reached the mounted volume";
}

TEST_F(RootNodeAgent, UnknownCommandIsRunContainerError) {
  StartAgent();
  CreatePod(
      R"({"metadata":{"name":"bad"},"spec":{"containers":[{"name":"c","image":"keelson.dev/busybox:test","command":["/no/such"]}]}})");
  auto p = WaitPod("bad", [](const api::Object& p) {
    auto s = Status(p);
    return s.contains("state") && s["state"].contains("waiting") &&
           s["state"]["waiting"].value("reason", "") == "RunContainerError";
  });
  EXPECT_NE(Status(p)["state"]["waiting"].value("message", "").find("no such file or directory"),
            std::string::npos);
}

TEST_F(RootNodeAgent, ARestartedAgentReadoptsRunningContainersWithoutARestart) {
  StartAgent();
  CreatePod(
      R"({"metadata":{"name":"keep"},"spec":{"containers":[{"name":"c","image":"keelson.dev/busybox:test","command":["sleep","1000"]}]}})");
  auto p = WaitPod("keep", [](const api::Object& p) { return Condition(p, "Ready"); });
  std::string id = Status(p)["containerID"];
  // Stopping the agent leaves the container running, as kill -9 of keelsond would.
  agent_->Stop();
  agent_.reset();
  auto rt = NewRuncRuntimeForCleanup();
  auto st = rt->State(id.substr(std::string("runc://").size()));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, ContainerStatus::kRunning);
  StartAgent();
  std::this_thread::sleep_for(1500ms);
  p = WaitPod("keep", [](const api::Object& p) { return Condition(p, "Ready"); });
  EXPECT_EQ(Status(p)["containerID"], id);
  EXPECT_EQ(Status(p)["restartCount"], 0);
  auto again = rt->State(id.substr(std::string("runc://").size()));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->pid, st->pid) << "the same process";
  DeleteAndWaitGone("keep");
}

}  // namespace
}  // namespace keelson::runtime
