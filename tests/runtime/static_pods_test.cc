// Tests for static pods: manifest reading and kubelet defaults (runtime/static_pods), and the
// agent's handling of them and their mirror pods, over an in-memory API and an in-memory
// container runtime (the Root suite in static_pods_root_test.cc runs one under real runc).
#include "runtime/static_pods.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "runtime/fsutil.h"
#include "runtime/image_store.h"
#include "runtime/node_agent.h"
#include "tests/runtime/fake_client.h"
#include "tests/runtime/test_util.h"

namespace keelson::runtime {
namespace {

using api::Json;
using namespace std::chrono_literals;

const api::GroupVersionKind kPod{"", "v1", "Pod"};
const api::GroupVersionKind kNode{"", "v1", "Node"};
const api::GroupVersionKind kEvent{"", "v1", "Event"};

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

constexpr char kWeb[] = R"(# a comment first
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  hostNetwork: true
  containers:
  - name: c
    image: keelson.dev/busybox:test
    command: [sleep, "1000"]
)";

TEST(ReadStaticPodDir, MultiDocumentYamlJsonAndKubeletDefaults) {
  testing::TempDir dir;
  Write(dir / "pods.yaml", std::string(kWeb) + R"(---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data}
spec:
  containers: [{name: c, image: busybox}]
)");
  Write(
      dir / "one.json",
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"j"},"spec":{"containers":[{"name":"c","image":"busybox"}]}})");
  Write(dir / "notes.txt", "not a manifest");
  Write(dir / ".hidden.yaml", "garbage: [");
  auto scan = ReadStaticPodDir(dir.path(), "node1");
  ASSERT_TRUE(scan.errors.empty()) << scan.errors[0].message;
  ASSERT_EQ(scan.pods.size(), 3u);
  const api::Object& j = scan.pods[0].pod;  // one.json sorts first
  EXPECT_EQ(j.name(), "j-node1");
  const api::Object& web = scan.pods[1].pod;
  EXPECT_EQ(web.name(), "web-node1");
  EXPECT_EQ(web.namespace_(), "default");
  EXPECT_EQ(scan.pods[1].line, 2);
  EXPECT_EQ(web.spec()["nodeName"], "node1");
  EXPECT_EQ(web.annotations()[kConfigSourceAnnotation], "file");
  EXPECT_EQ(web.annotations()[kConfigHashAnnotation], web.uid());
  EXPECT_EQ(web.uid().size(), 32u);
  EXPECT_EQ(web.status()["phase"], "Pending");
  EXPECT_EQ(web.spec()["restartPolicy"], "Always");  // API defaults applied
  Json toleration = {{"operator", "Exists"}, {"effect", "NoExecute"}};
  EXPECT_NE(
      std::find(web.spec()["tolerations"].begin(), web.spec()["tolerations"].end(), toleration),
      web.spec()["tolerations"].end());
  EXPECT_TRUE(IsStaticPod(web));
  const api::Object& db = scan.pods[2].pod;
  EXPECT_EQ(db.name(), "db-node1");
  EXPECT_EQ(db.namespace_(), "data");
  EXPECT_EQ(scan.pods[2].line, 14);
  EXPECT_NE(db.uid(), web.uid());
}

TEST(ReadStaticPodDir, UidIsStableAndFollowsContentFileAndNode) {
  testing::TempDir dir;
  Write(dir / "web.yaml", kWeb);
  std::string uid = ReadStaticPodDir(dir.path(), "n1").pods.at(0).pod.uid();
  EXPECT_EQ(ReadStaticPodDir(dir.path(), "n1").pods.at(0).pod.uid(), uid);
  EXPECT_NE(ReadStaticPodDir(dir.path(), "n2").pods.at(0).pod.uid(), uid);
  Write(dir / "web.yaml", std::string(kWeb) + "  restartPolicy: Never\n");
  EXPECT_NE(ReadStaticPodDir(dir.path(), "n1").pods.at(0).pod.uid(), uid);
}

TEST(ReadStaticPodDir, BadDocumentsNameFileAndLineAndOthersStillLoad) {
  testing::TempDir dir;
  Write(dir / "a.yaml", std::string(kWeb) + R"(---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
---
apiVersion: v1
kind: Pod
metadata: {name: noimage}
spec:
  containers: [{name: c}]
)");
  Write(dir / "b.yml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\n");
  Write(dir / "c.json", "{\"apiVersion\": \"v1\",\n \"kind\": }");
  Write(dir / "d.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {}\nspec: {containers: []}\n");
  auto scan = ReadStaticPodDir(dir.path(), "n1");
  ASSERT_EQ(scan.pods.size(), 1u);
  EXPECT_EQ(scan.pods[0].pod.name(), "web-n1");
  ASSERT_EQ(scan.errors.size(), 5u);
  auto has = [&](const std::string& prefix, const std::string& what) {
    for (auto& e : scan.errors)
      if (e.message.starts_with(prefix) && e.message.find(what) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has(dir / "a.yaml:14: ", "must be a v1 Pod")) << scan.errors[0].message;
  EXPECT_TRUE(has(dir / "a.yaml:18: ", "spec.containers[0].image: Required value"))
      << scan.errors[1].message;
  EXPECT_TRUE(has(dir / "b.yml:5", "")) << scan.errors[2].message;
  EXPECT_TRUE(has(dir / "c.json:2", "")) << scan.errors[3].message;
  EXPECT_TRUE(has(dir / "d.yaml:1: ", "metadata.name: Required value")) << scan.errors[4].message;
}

TEST(ReadStaticPodDir, MissingDirectoryIsEmpty) {
  auto scan = ReadStaticPodDir("/nonexistent/keelson-static", "n1");
  EXPECT_TRUE(scan.pods.empty());
  EXPECT_TRUE(scan.errors.empty());
}

TEST(MirrorPodFor, AnnotatedOwnedByTheNodeWithoutUidOrStatus) {
  testing::TempDir dir;
  Write(dir / "web.yaml", kWeb);
  api::Object sp = ReadStaticPodDir(dir.path(), "n1").pods.at(0).pod;
  api::Object m = MirrorPodFor(sp, "n1", "node-uid-1");
  EXPECT_TRUE(m.uid().empty());
  EXPECT_FALSE(m.json().contains("status"));
  EXPECT_EQ(m.name(), "web-n1");
  EXPECT_EQ(m.annotations()[kConfigMirrorAnnotation], sp.uid());
  EXPECT_EQ(m.annotations()[kConfigHashAnnotation], sp.uid());
  EXPECT_TRUE(IsMirrorPod(m));
  Json want = Json::array({{{"apiVersion", "v1"},
                            {"kind", "Node"},
                            {"name", "n1"},
                            {"uid", "node-uid-1"},
                            {"controller", true}}});
  EXPECT_EQ(m.metadata()["ownerReferences"], want);
}

// An in-memory ContainerRuntime: Start "runs" a container until Kill.
class MemoryRuntime : public ContainerRuntime {
 public:
  api::Result<ContainerState> Start(const StartRequest& req) override {
    std::lock_guard lock(mu_);
    ContainerState s;
    s.id = req.id;
    s.status = ContainerStatus::kRunning;
    s.pid = 1;
    s.started_at = api::NowTimestamp();
    states_[req.id] = s;
    ++starts_;
    return s;
  }
  api::Result<ContainerState> State(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = states_.find(id);
    if (it == states_.end()) return std::unexpected(api::NotFound("containers", id));
    return it->second;
  }
  api::Status Kill(const std::string& id, int signal) override {
    std::lock_guard lock(mu_);
    auto it = states_.find(id);
    if (it == states_.end()) return std::unexpected(api::NotFound("containers", id));
    if (it->second.status == ContainerStatus::kRunning) {
      it->second.status = ContainerStatus::kExited;
      it->second.exit_code = 128 + signal;
      it->second.finished_at = api::NowTimestamp();
    }
    return {};
  }
  api::Status Delete(const std::string& id) override {
    std::lock_guard lock(mu_);
    states_.erase(id);
    return {};
  }
  api::Result<std::vector<std::string>> List() override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (auto& [id, s] : states_) out.push_back(id);
    return out;
  }
  api::Result<ExecOutput> Exec(const std::string& id, const std::vector<std::string>&,
                               std::chrono::milliseconds, const std::string&) override {
    return std::unexpected(api::NotFound("containers", id));
  }
  api::Result<CgroupStats> Stats(const std::string& id) override {
    return std::unexpected(api::NotFound("containers", id));
  }
  std::string Name() const override { return "memory"; }

  std::vector<std::string> Running() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (auto& [id, s] : states_)
      if (s.status == ContainerStatus::kRunning) out.push_back(id);
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::string, ContainerState> states_;
  int starts_ = 0;
};

// A client that can be made unreachable (every call fails with Unavailable).
class FlakyClient : public api::Client {
 public:
  explicit FlakyClient(api::Client* inner) : inner_(inner) {}
  std::atomic<bool> down{false};
  api::Result<api::Object> Get(const api::GroupVersionKind& g, std::string_view ns,
                               std::string_view n) override {
    if (down) return Fail<api::Object>();
    return inner_->Get(g, ns, n);
  }
  api::Result<api::ObjectList> List(const api::GroupVersionKind& g, std::string_view ns,
                                    const api::ListOptions& o) override {
    if (down) return Fail<api::ObjectList>();
    return inner_->List(g, ns, o);
  }
  api::Result<api::Object> Create(const api::Object& obj, const api::WriteOptions& o) override {
    if (down) return Fail<api::Object>();
    return inner_->Create(obj, o);
  }
  api::Result<api::Object> Update(const api::Object& obj, const api::WriteOptions& o) override {
    if (down) return Fail<api::Object>();
    return inner_->Update(obj, o);
  }
  api::Result<api::Object> UpdateStatus(const api::Object& obj,
                                        const api::WriteOptions& o) override {
    if (down) return Fail<api::Object>();
    return inner_->UpdateStatus(obj, o);
  }
  api::Result<api::Object> Patch(const api::GroupVersionKind& g, std::string_view ns,
                                 std::string_view n, api::PatchType t, std::string_view body,
                                 const api::WriteOptions& o) override {
    if (down) return Fail<api::Object>();
    return inner_->Patch(g, ns, n, t, body, o);
  }
  api::Result<api::Object> Delete(const api::GroupVersionKind& g, std::string_view ns,
                                  std::string_view n, const api::DeleteOptions& o) override {
    if (down) return Fail<api::Object>();
    return inner_->Delete(g, ns, n, o);
  }
  api::Result<std::unique_ptr<api::WatchHandle>> Watch(
      const api::GroupVersionKind& g, std::string_view ns, const api::ListOptions& o,
      std::function<void(const api::WatchEvent&)> fn) override {
    if (down) return Fail<std::unique_ptr<api::WatchHandle>>();
    return inner_->Watch(g, ns, o, std::move(fn));
  }

 private:
  template <typename T>
  api::Result<T> Fail() {
    return std::unexpected(api::MakeError(api::Reason::kServiceUnavailable, "connection refused"));
  }
  api::Client* inner_;
};

class StaticPodAgent : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = testing::BuildTestImage(tmp_.path());
    ASSERT_FALSE(image_.empty());
    config_.node_name = "n1";
    config_.data_dir = tmp_ / "data";
    config_.static_pod_dir = tmp_ / "manifests";
    config_.static_pod_interval = 100ms;
    config_.sync_interval = 50ms;
    config_.lease_interval = 10s;
    MakeDirs(config_.static_pod_dir);
  }
  void TearDown() override {
    if (agent_) agent_->Stop();
    agent_.reset();
  }
  void StartAgent(bool expect_ok = true) {
    auto rt = std::make_unique<MemoryRuntime>();
    runtime_ = rt.get();
    auto a = NodeAgent::Create(&flaky_, config_, std::move(rt));
    ASSERT_TRUE(a) << a.error().message;
    agent_ = std::move(*a);
    auto imported = agent_->images().Import(image_);
    ASSERT_TRUE(imported) << imported.error().message;
    auto st = agent_->Start();
    EXPECT_EQ(static_cast<bool>(st), expect_ok);
  }
  // Polls `pred` every 20 ms for up to 10 s.
  bool Eventually(const std::function<bool()>& pred) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return pred();
  }
  std::string RunningFor(const std::string& uid) {
    for (auto& id : runtime_->Running())
      if (id.starts_with(uid + "_")) return id;
    return "";
  }
  std::string UidOf(const std::string& file) {
    for (auto& sp : ReadStaticPodDir(config_.static_pod_dir, "n1").pods)
      if (sp.file == file) return sp.pod.uid();
    return "";
  }

  testing::TempDir tmp_;
  std::string image_;
  NodeAgentConfig config_;
  testing::FakeClient client_;
  FlakyClient flaky_{&client_};
  MemoryRuntime* runtime_ = nullptr;
  std::unique_ptr<NodeAgent> agent_;
};

TEST_F(StaticPodAgent, RunsTheManifestAndMirrorsItWithStatusAndNodeOwner) {
  std::string file = config_.static_pod_dir + "/web.yaml";
  Write(file, kWeb);
  std::string uid = UidOf(file);
  StartAgent();
  ASSERT_TRUE(Eventually([&] { return !RunningFor(uid).empty(); }));
  api::Object mirror;
  ASSERT_TRUE(Eventually([&] {
    auto m = client_.Get(kPod, "default", "web-n1");
    if (!m) return false;
    mirror = *m;
    const Json* phase = m->Find("status.phase");
    return phase && *phase == "Running";
  }));
  EXPECT_TRUE(IsMirrorPod(mirror));
  EXPECT_NE(mirror.uid(), uid);
  EXPECT_EQ(mirror.annotations()[kConfigMirrorAnnotation], uid);
  auto node = client_.Get(kNode, "", "n1");
  ASSERT_TRUE(node);
  EXPECT_EQ(mirror.metadata()["ownerReferences"][0]["uid"], node->uid());
  EXPECT_EQ(mirror.metadata()["ownerReferences"][0]["kind"], "Node");
  // The agent never runs the mirror pod itself: one container only.
  EXPECT_EQ(runtime_->Running().size(), 1u);
}

TEST_F(StaticPodAgent, DeletingTheMirrorRecreatesItAndKeepsThePodRunning) {
  std::string file = config_.static_pod_dir + "/web.yaml";
  Write(file, kWeb);
  std::string uid = UidOf(file);
  StartAgent();
  std::string first_mirror;
  ASSERT_TRUE(Eventually([&] {
    auto m = client_.Get(kPod, "default", "web-n1");
    if (m) first_mirror = m->uid();
    return m && !RunningFor(uid).empty();
  }));
  std::string container = RunningFor(uid);
  // A graceful delete (deletionTimestamp) and then a forced one: both end in a fresh mirror.
  ASSERT_TRUE(client_.Delete(kPod, "default", "web-n1"));
  ASSERT_TRUE(Eventually([&] {
    auto m = client_.Get(kPod, "default", "web-n1");
    return m && m->uid() != first_mirror && m->deletion_timestamp().empty();
  }));
  std::string second_mirror = client_.Get(kPod, "default", "web-n1")->uid();
  api::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(client_.Delete(kPod, "default", "web-n1", now));
  ASSERT_TRUE(Eventually([&] {
    auto m = client_.Get(kPod, "default", "web-n1");
    return m && m->uid() != second_mirror;
  }));
  EXPECT_EQ(RunningFor(uid), container);
}

TEST_F(StaticPodAgent, AChangedManifestReplacesThePodAndARemovedOneStopsIt) {
  std::string file = config_.static_pod_dir + "/web.yaml";
  Write(file, kWeb);
  std::string uid = UidOf(file);
  StartAgent();
  ASSERT_TRUE(Eventually([&] { return !RunningFor(uid).empty(); }));
  Write(file, std::string(kWeb) + "  terminationGracePeriodSeconds: 1\n");
  std::string uid2 = UidOf(file);
  ASSERT_NE(uid2, uid);
  ASSERT_TRUE(Eventually([&] { return RunningFor(uid).empty() && !RunningFor(uid2).empty(); }));
  ASSERT_TRUE(Eventually([&] {
    auto m = client_.Get(kPod, "default", "web-n1");
    return m && m->annotations()[kConfigMirrorAnnotation] == uid2;
  }));
  unlink(file.c_str());
  ASSERT_TRUE(Eventually([&] { return runtime_->Running().empty(); }));
  ASSERT_TRUE(Eventually([&] { return !client_.Get(kPod, "default", "web-n1"); }));
}

TEST_F(StaticPodAgent, RunsWhileTheApiIsUnreachableAndMirrorsOnceItIsBack) {
  std::string file = config_.static_pod_dir + "/web.yaml";
  Write(file, kWeb);
  std::string uid = UidOf(file);
  flaky_.down = true;
  StartAgent(/*expect_ok=*/false);
  ASSERT_TRUE(Eventually([&] { return !RunningFor(uid).empty(); }));
  EXPECT_FALSE(client_.Get(kPod, "default", "web-n1"));
  flaky_.down = false;
  ASSERT_TRUE(agent_->Start());
  ASSERT_TRUE(Eventually([&] {
    auto m = client_.Get(kPod, "default", "web-n1");
    const Json* phase = m ? m->Find("status.phase") : nullptr;
    return phase && *phase == "Running";
  }));
  EXPECT_EQ(runtime_->Running().size(), 1u);
}

TEST_F(StaticPodAgent, AnInvalidManifestIsAnEventNamingFileAndLineAndOthersRun) {
  Write(config_.static_pod_dir + "/web.yaml", kWeb);
  std::string bad = config_.static_pod_dir + "/bad.yaml";
  Write(bad, "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n  - name: c\n");
  std::string uid = UidOf(config_.static_pod_dir + "/web.yaml");
  StartAgent();
  ASSERT_TRUE(Eventually([&] { return !RunningFor(uid).empty(); }));
  std::vector<std::string> messages;
  ASSERT_TRUE(Eventually([&] {
    messages.clear();
    auto evs = client_.List(kEvent, "default", {});
    for (auto& e : evs->items)
      if (e.json().value("reason", "") == "FailedStaticPodManifest")
        messages.push_back(e.json().value("message", ""));
    return !messages.empty();
  }));
  std::this_thread::sleep_for(300ms);  // several rounds: still one event
  auto evs = client_.List(kEvent, "default", {});
  int count = 0;
  for (auto& e : evs->items) count += e.json().value("reason", "") == "FailedStaticPodManifest";
  EXPECT_EQ(count, 1);
  EXPECT_NE(messages[0].find(bad + ":1: spec.containers[0].image: Required value"),
            std::string::npos)
      << messages[0];
}

}  // namespace
}  // namespace keelson::runtime
