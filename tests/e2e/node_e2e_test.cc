// keelsond as a node, end to end: the real binary with its node agent and scheduler, the busybox
// test image imported over the API, a pod scheduled and run under runc, real `kubectl logs`,
// `kubectl top`, exec over the HTTP API, a graceful `kubectl delete pod` that returns only once
// the containers are gone, and kill -9 + restart re-adopting running containers. Needs root, runc,
// the CNI plugins and kubectl; skips otherwise.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include "tests/daemon/keelsond_process.h"

namespace keelson::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kKubectl = "/usr/bin/kubectl";
constexpr const char* kNode = "keelson-e2e";

std::string SourceDir() {
  const char* s = std::getenv("KEELSON_SOURCE_DIR");
  return s != nullptr ? s : ".";
}

std::string BuildDir() {
  const char* b = std::getenv("KEELSON_BUILD_DIR");
  return b != nullptr ? b : "build";
}

bool HaveRunc() {
  return access("/usr/sbin/runc", X_OK) == 0 || access("/usr/bin/runc", X_OK) == 0;
}

std::string Sh(const std::string& cmd, int* code = nullptr) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  if (code != nullptr) *code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

std::string PodYaml(const std::string& name, const std::string& node_name = "") {
  std::string y = R"(apiVersion: v1
kind: Pod
metadata:
  name: )" + name +
                  R"(
  labels:
    app: e2e
spec:
  terminationGracePeriodSeconds: 20
)";
  if (!node_name.empty()) y += "  nodeName: " + node_name + "\n";
  y += R"(  containers:
  - name: main
    image: keelson.dev/busybox:test
    command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; echo hello from e2e; i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done"]
)";
  return y;
}

class RootNodeE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!HaveRunc()) GTEST_SKIP() << "needs runc";
    if (access(kKubectl, X_OK) != 0) GTEST_SKIP() << "needs kubectl";
    if (access("/usr/lib/cni/bridge", X_OK) != 0 && access("/opt/cni/bin/bridge", X_OK) != 0) {
      GTEST_SKIP() << "needs the CNI plugins";
    }
    if (access((BuildDir() + "/runtime/keelson-monitor").c_str(), X_OK) != 0) {
      GTEST_SKIP() << "keelson-monitor not built";
    }
    data_ = dir_.path() + "/data";
    std::filesystem::create_directories(data_);
    image_ = dir_.path() + "/busybox.tar";
    int code = 0;
    std::string out = Sh(SourceDir() + "/scripts/build-test-image.sh " + image_, &code);
    ASSERT_EQ(code, 0) << out;
    Trace("image built");
    StartDaemon();
  }

  static void Trace(const char* what) {
    if (std::getenv("KEELSON_E2E_TRACE") == nullptr) return;
    auto now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch());
    std::fprintf(stderr, "[%.3f] %s\n", now.count(), what);
  }

  void StartDaemon() {
    d_ = std::make_unique<Keelsond>(data_,
                                    std::vector<std::string>{"--node-agent=on", "--scheduler=on",
                                                             std::string("--node-name=") + kNode});
    Trace("start keelsond");
    ASSERT_TRUE(d_->Start()) << d_->error();
    Trace("keelsond ready");
  }

  // Deletes every pod with grace 0 and waits for the agent to remove their containers, then
  // stops keelsond; whatever is left (after a failure) is removed with runc directly.
  void TearDown() override {
    if (d_ != nullptr && d_->pid() > 0) {
      {
        // Its keep-alive connection would hold keelsond's shutdown for the idle timeout.
        auto c = d_->Client();
        c->set_keep_alive(false);
        auto pods = Json(c->Get("/api/v1/pods"));
        if (pods.is_object()) {
          for (const auto& p : pods["items"]) {
            c->Delete("/api/v1/namespaces/" + p["metadata"]["namespace"].get<std::string>() +
                      "/pods/" + p["metadata"]["name"].get<std::string>() +
                      "?gracePeriodSeconds=0");
          }
        }
      }
      Trace("teardown: pods deleted");
      for (int i = 0; i < 150 && !ContainersGone(); ++i) std::this_thread::sleep_for(100ms);
      Trace("teardown: containers gone");
      d_->Stop();
      Trace("teardown: keelsond stopped");
    }
    d_.reset();
    if (data_.empty()) return;
    std::string root = data_ + "/runtime/runc/runc";
    if (std::filesystem::exists(root)) {
      std::string ids = Sh("runc --root " + root + " list -q");
      std::istringstream in(ids);
      std::string id;
      while (std::getline(in, id)) {
        if (!id.empty()) Sh("runc --root " + root + " delete --force " + id);
      }
    }
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(data_ + "/netns", ec)) {
      Sh("umount " + e.path().string());
    }
    Sh("umount -R " + data_ + "/containers/*/rootfs");
  }

  bool ContainersGone() {
    std::error_code ec;
    auto it = std::filesystem::directory_iterator(data_ + "/containers", ec);
    return ec || it == std::filesystem::directory_iterator();
  }

  struct Run {
    int code = -1;
    std::string out;
  };
  Run Kubectl(const std::string& args, const std::string& prefix = "") {
    Run r;
    r.out = Sh(prefix + kKubectl + std::string(" --kubeconfig ") + d_->kubeconfig() +
                   " --request-timeout=60s " + args,
               &r.code);
    return r;
  }

  void ImportImage() {
    auto c = d_->Client();
    c->set_read_timeout(120);
    std::string body = ReadAll(image_);
    auto r = c->Post("/apis/keelson.dev/v1/images", body, "application/x-tar");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201) << r->body;
    auto j = json::parse(r->body);
    EXPECT_EQ(j["kind"], "ImageList");
    ASSERT_EQ(j["items"].size(), 1u);
    EXPECT_EQ(j["items"][0]["repoTags"][0], "keelson.dev/busybox:test");
  }

  // Watches the pod until `pred` holds for it; returns its last state (null on timeout).
  json WaitPod(const std::string& name, const std::function<bool(const json&)>& pred,
               std::chrono::seconds timeout = 60s) {
    auto c = d_->Client();
    c->set_read_timeout(static_cast<time_t>(timeout.count()));
    json found;
    std::string buf;
    c->Get("/api/v1/namespaces/default/pods?watch=1&fieldSelector=metadata.name%3D" + name +
               "&timeoutSeconds=" + std::to_string(timeout.count()),
           [&](const char* data, size_t len) {
             buf.append(data, len);
             size_t nl;
             while ((nl = buf.find('\n')) != std::string::npos) {
               auto ev = json::parse(buf.substr(0, nl), nullptr, false);
               buf.erase(0, nl + 1);
               if (ev.is_object() && ev["type"] != "DELETED" && pred(ev["object"])) {
                 found = ev["object"];
                 return false;
               }
             }
             return true;
           });
    return found;
  }

  static bool Running(const json& p) {
    return p.contains("status") && p["status"].value("phase", "") == "Running";
  }

  TempDir dir_;
  std::string data_, image_;
  std::unique_ptr<Keelsond> d_;
};

TEST_F(RootNodeE2E, PodRunsWithLogsExecTopAndGracefulDelete) {
  ImportImage();
  ASSERT_EQ(Kubectl("apply -f " +
                    [&] {
                      std::string f = dir_.path() + "/pod.yaml";
                      WriteAll(f, PodYaml("web"));
                      return f;
                    }())
                .code,
            0);
  // The scheduler binds it (no nodeName in the manifest), the agent runs it.
  json pod = WaitPod("web", Running);
  ASSERT_FALSE(pod.is_null()) << d_->log();
  EXPECT_EQ(pod["spec"]["nodeName"], kNode);

  // kubectl logs, --tail, -f.
  std::this_thread::sleep_for(1500ms);
  auto logs = Kubectl("logs web");
  EXPECT_EQ(logs.code, 0) << logs.out;
  EXPECT_EQ(logs.out.rfind("hello from e2e\ntick 0\n", 0), 0u) << logs.out;
  auto tail = Kubectl("logs web --tail=1");
  EXPECT_EQ(tail.code, 0);
  EXPECT_EQ(std::count(tail.out.begin(), tail.out.end(), '\n'), 1) << tail.out;
  EXPECT_EQ(tail.out.rfind("tick ", 0), 0u) << tail.out;
  auto follow = Kubectl("logs -f web", "timeout 3 ");
  EXPECT_NE(follow.out.find("tick 3"), std::string::npos) << follow.out;
  auto bad = Kubectl("logs web -c nope");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.out.find("container nope is not valid for pod web"), std::string::npos) << bad.out;
  auto prev = Kubectl("logs web --previous");
  EXPECT_NE(prev.out.find("previous terminated container \"main\" in pod \"web\" not found"),
            std::string::npos)
      << prev.out;

  // Exec over the HTTP API; kubectl exec's streaming upgrade is refused clearly.
  auto c = d_->Client();
  auto ex =
      c->Post("/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=" +
                  httplib::detail::encode_query_param("read x; echo out $x; echo err >&2; exit 3") +
                  "&stdin=true",
              "piped\n", "application/octet-stream");
  ASSERT_TRUE(ex);
  ASSERT_EQ(ex->status, 200) << ex->body;
  auto ej = json::parse(ex->body);
  EXPECT_EQ(ej["exitCode"], 3);
  EXPECT_EQ(Base64Decode(ej["stdout"]), "out piped\n");
  EXPECT_EQ(Base64Decode(ej["stderr"]), "err\n");
  auto up = c->Post("/api/v1/namespaces/default/pods/web/exec?command=true",
                    httplib::Headers{{"Upgrade", "SPDY/3.1"}}, "", "text/plain");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 400);
  EXPECT_NE(up->body.find("use keelctl exec"), std::string::npos);

  // kubectl top (metrics.k8s.io).
  auto top = Kubectl("top pod web");
  EXPECT_EQ(top.code, 0) << top.out;
  EXPECT_NE(top.out.find("web"), std::string::npos) << top.out;
  EXPECT_NE(top.out.find("Mi"), std::string::npos) << top.out;
  auto top_node = Kubectl("top node");
  EXPECT_EQ(top_node.code, 0) << top_node.out;
  EXPECT_NE(top_node.out.find(kNode), std::string::npos) << top_node.out;

  // The image is listed and cannot be removed while the pod runs.
  auto imgs = Json(c->Get("/apis/keelson.dev/v1/images"));
  ASSERT_EQ(imgs["items"].size(), 1u) << imgs.dump();
  auto rm = c->Delete("/apis/keelson.dev/v1/images/" +
                      httplib::detail::encode_query_param("keelson.dev/busybox:test"));
  ASSERT_TRUE(rm);
  EXPECT_EQ(rm->status, 409) << rm->body;

  // Graceful delete: kubectl returns once the agent stopped the containers and removed the pod.
  auto start = std::chrono::steady_clock::now();
  auto del = Kubectl("delete pod web");
  EXPECT_EQ(del.code, 0) << del.out;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s) << "SIGTERM is trapped: no grace wait";
  auto gone = c->Get("/api/v1/namespaces/default/pods/web");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  EXPECT_TRUE(ContainersGone());
  EXPECT_EQ(Sh("runc --root " + data_ + "/runtime/runc/runc list -q"), "");
}

TEST_F(RootNodeE2E, KillAndRestartReadoptsRunningContainers) {
  ImportImage();
  auto c = d_->Client();
  std::string f = dir_.path() + "/pod.yaml";
  WriteAll(f, PodYaml("steady", kNode));
  ASSERT_EQ(Kubectl("apply -f " + f).code, 0);
  Trace("pod applied");
  json pod = WaitPod("steady", Running);
  Trace("pod running");
  ASSERT_FALSE(pod.is_null()) << d_->log();
  auto status = pod["status"]["containerStatuses"][0];
  std::string id = status.value("containerID", "");
  int restarts = status.value("restartCount", -1);
  ASSERT_FALSE(id.empty());

  d_->Kill();
  StartDaemon();
  Trace("restarted");
  std::this_thread::sleep_for(3s);
  auto again = Json(d_->Client()->Get("/api/v1/namespaces/default/pods/steady"));
  ASSERT_TRUE(again.is_object());
  EXPECT_EQ(again["status"]["phase"], "Running") << again.dump();
  EXPECT_EQ(again["status"]["containerStatuses"][0].value("containerID", ""), id);
  EXPECT_EQ(again["status"]["containerStatuses"][0].value("restartCount", -1), restarts);
  auto logs = Kubectl("logs steady --tail=1");
  EXPECT_EQ(logs.out.rfind("tick ", 0), 0u) << logs.out;
}

}  // namespace
}  // namespace keelson::testing
