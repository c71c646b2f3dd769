// Root tests for runtime/cni with the real bridge/host-local/loopback plugins, on a bridge and
// subnet unique to the test.
#include "runtime/cni.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "runtime/fsutil.h"
#include "runtime/process.h"
#include "tests/runtime/test_util.h"

namespace keelson::runtime {
namespace {

using namespace std::chrono_literals;

// CNI options isolated to one test: unique bridge, subnet, netns and state dirs.
CniOptions TestCniOptions(const std::string& dir) {
  CniOptions o;
  std::string id = RandomHex(3);
  o.bridge = "kt" + id;
  o.network_name = "keelson-test-" + id;
  int third = std::stoi(id.substr(0, 2), nullptr, 16);
  o.pod_cidr = "10.250." + std::to_string(third) + ".0/24";
  o.service_cidr = "10.251." + std::to_string(third) + ".0/24";
  o.netns_dir = dir + "/netns";
  o.state_dir = dir + "/cni";
  return o;
}

bool HaveCni() {
  return access("/usr/lib/cni/bridge", X_OK) == 0 && access("/usr/lib/cni/host-local", X_OK) == 0;
}

class RootCni : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!HaveCni()) GTEST_SKIP() << "needs containernetworking-plugins in /usr/lib/cni";
    cni_ = std::make_unique<Cni>(TestCniOptions(tmp_.path()));
  }
  void TearDown() override {
    if (!cni_) return;
    for (auto& name : netns_) {
      cni_->Teardown(name, cni_->NetnsPath(name));
      cni_->DeleteNetns(name);
    }
    for (pid_t p : pids_) {
      kill(p, SIGKILL);
      waitpid(p, nullptr, 0);
    }
    RunCommand({"ip", "link", "del", cni_->options().bridge});
    EXPECT_FALSE(testing::Exists("/sys/class/net/" + cni_->options().bridge));
  }
  std::string NewNetns(const std::string& name) {
    auto p = cni_->CreateNetns(name);
    EXPECT_TRUE(p) << p.error().message;
    netns_.push_back(name);
    return p ? *p : "";
  }
  api::Result<CommandResult> In(const std::string& netns, std::vector<std::string> argv) {
    std::vector<std::string> cmd = {"nsenter", "--net=" + netns};
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    return RunCommand(cmd, {.timeout = 5s});
  }

  testing::TempDir tmp_;
  std::unique_ptr<Cni> cni_;
  std::vector<std::string> netns_;
  std::vector<pid_t> pids_;
};

TEST_F(RootCni, TwoPodsReachEachOtherOverTheBridgeAndTeardownIsClean) {
  std::string a = NewNetns("pod-a"), b = NewNetns("pod-b");
  auto na = cni_->Setup("pod-a", a);
  ASSERT_TRUE(na) << na.error().message;
  auto nb = cni_->Setup("pod-b", b);
  ASSERT_TRUE(nb) << nb.error().message;
  EXPECT_NE(na->ip, nb->ip);
  EXPECT_EQ(na->prefix, 24);
  ASSERT_TRUE(cni_->Check("pod-a", a)) << cni_->Check("pod-a", a).error().message;

  // Routes: the pod range on-link and the service range via the bridge; no default route.
  auto routes = In(a, {"ip", "route"});
  ASSERT_TRUE(routes);
  EXPECT_EQ(routes->out.find("default"), std::string::npos) << routes->out;
  EXPECT_NE(routes->out.find(cni_->options().service_cidr), std::string::npos) << routes->out;

  auto ping = In(a, {"/bin/busybox", "ping", "-c", "1", "-W", "3", nb->ip});
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->exit_code, 0) << ping->out << ping->err;

  // An httpd in pod b answers pod a.
  ASSERT_TRUE(MakeDirs(tmp_ / "www"));
  ASSERT_TRUE(WriteFileAtomic(tmp_ / "www/index.html", "hello over the bridge\n"));
  pid_t httpd = fork();
  if (httpd == 0) {
    execlp("nsenter", "nsenter", ("--net=" + b).c_str(), "/bin/busybox", "httpd", "-f", "-p",
           "8080", "-h", (tmp_ / "www").c_str(), nullptr);
    _exit(127);
  }
  pids_.push_back(httpd);
  std::string body;
  for (int i = 0; i < 50 && body.empty(); ++i) {
    auto get = In(a, {"/bin/busybox", "wget", "-q", "-O", "-", "http://" + nb->ip + ":8080/"});
    if (get && get->exit_code == 0)
      body = get->out;
    else
      std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(body, "hello over the bridge\n");

  // Teardown twice (idempotent), then nothing is left on the bridge and the netns are gone.
  for (int round = 0; round < 2; ++round) {
    for (auto& [name, path] : {std::pair{"pod-a", a}, std::pair{"pod-b", b}}) {
      auto st = cni_->Teardown(name, path);
      EXPECT_TRUE(st) << st.error().message;
      EXPECT_TRUE(cni_->DeleteNetns(name));
    }
  }
  EXPECT_FALSE(testing::Exists(a));
  auto ports = RunCommand({"ls", "/sys/class/net/" + cni_->options().bridge + "/brif"});
  ASSERT_TRUE(ports);
  EXPECT_EQ(ports->out, "") << "veths left on the bridge";
  // The addresses went back to host-local: a new pod gets one again.
  std::string c = NewNetns("pod-c");
  auto nc = cni_->Setup("pod-c", c);
  ASSERT_TRUE(nc) << nc.error().message;
}

}  // namespace
}  // namespace keelson::runtime
