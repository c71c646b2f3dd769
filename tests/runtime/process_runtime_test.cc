// Tests for runtime/process_runtime: the plan it gives keelson-monitor, and (as root) real
// containers started by the monitor itself, mirroring the runc runtime's tests.
#include "runtime/process_runtime.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <thread>

#include "runtime/fsutil.h"
#include "runtime/image_store.h"
#include "runtime/oci_spec.h"
#include "runtime/process.h"
#include "tests/runtime/test_util.h"

namespace keelson::runtime {
namespace {

using api::Json;
using namespace std::chrono_literals;

std::multimap<std::string, std::string> Decode(const std::string& plan) {
  std::multimap<std::string, std::string> out;
  size_t i = 0;
  while (i < plan.size()) {
    size_t k = plan.find('\0', i);
    size_t v = plan.find('\0', k + 1);
    out.emplace(plan.substr(i, k - i), plan.substr(k + 1, v - k - 1));
    i = v + 1;
  }
  return out;
}

std::vector<std::string> All(const std::multimap<std::string, std::string>& m,
                             const std::string& key) {
  std::vector<std::string> out;
  auto [a, b] = m.equal_range(key);
  for (auto it = a; it != b; ++it) out.push_back(it->second);
  return out;
}

TEST(ProcessPlan, CarriesTheOciSpec) {
  Json spec = Json::parse(R"({
    "process": {"user": {"uid": 1000, "gid": 2000, "additionalGids": [3000]},
      "args": ["sh", "-c", "echo hi"], "env": ["PATH=/bin", "A=b=c"], "cwd": "/work",
      "capabilities": {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]},
      "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
      "noNewPrivileges": true, "oomScoreAdj": 1000},
    "root": {"path": "/rootfs", "readonly": true},
    "hostname": "web",
    "mounts": [
      {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
      {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=65536k"]},
      {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro"]},
      {"destination": "/etc/hosts", "type": "bind", "source": "/pod/hosts", "options": ["rbind", "rprivate", "ro"]}],
    "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "network", "path": "/run/netns/x"}],
      "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"]}
  })");
  auto plan = BuildProcessPlan(spec, {"/sys/fs/cgroup/memory/k/c/cgroup.procs"});
  ASSERT_TRUE(plan) << plan.error().message;
  auto m = Decode(*plan);
  EXPECT_EQ(All(m, "arg"), (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(All(m, "env"), (std::vector<std::string>{"PATH=/bin", "A=b=c"}));
  EXPECT_EQ(All(m, "rootfs"), std::vector<std::string>{"/rootfs"});
  EXPECT_EQ(All(m, "readonly"), std::vector<std::string>{"1"});
  EXPECT_EQ(All(m, "cwd"), std::vector<std::string>{"/work"});
  EXPECT_EQ(All(m, "uid"), std::vector<std::string>{"1000"});
  EXPECT_EQ(All(m, "gid"), std::vector<std::string>{"2000"});
  EXPECT_EQ(All(m, "gid+"), std::vector<std::string>{"3000"});
  EXPECT_EQ(All(m, "hostname"), std::vector<std::string>{"web"});
  EXPECT_EQ(All(m, "unshare"), (std::vector<std::string>{"pid", "mount"}));
  EXPECT_EQ(All(m, "netns"), std::vector<std::string>{"/run/netns/x"});
  EXPECT_EQ(All(m, "caps"), std::vector<std::string>{"421"});  // bits 0, 5 and 10
  EXPECT_EQ(All(m, "nnp"), std::vector<std::string>{"1"});
  EXPECT_EQ(All(m, "oom"), std::vector<std::string>{"1000"});
  EXPECT_EQ(All(m, "nofile"), std::vector<std::string>{"1024"});
  EXPECT_EQ(All(m, "masked"), std::vector<std::string>{"/proc/kcore"});
  EXPECT_EQ(All(m, "readonly-path"), std::vector<std::string>{"/proc/sys"});
  EXPECT_EQ(All(m, "cgroup"), std::vector<std::string>{"/sys/fs/cgroup/memory/k/c/cgroup.procs"});
  auto mounts = All(m, "mount");
  ASSERT_EQ(mounts.size(), 3u) << "the cgroup mount is left out";
  EXPECT_TRUE(mounts[0].starts_with("proc\x1fproc\x1f/proc\x1f")) << mounts[0];
  EXPECT_TRUE(mounts[1].ends_with("\x1fmode=755,size=65536k")) << mounts[1];
  EXPECT_TRUE(mounts[2].starts_with("none\x1f/pod/hosts\x1f/etc/hosts\x1f")) << mounts[2];
}

TEST(ProcessPlan, RejectsWhatItCannotRun) {
  EXPECT_FALSE(BuildProcessPlan(Json::parse(R"({"process":{"args":["x"]}})"), {}));
  EXPECT_FALSE(
      BuildProcessPlan(Json::parse(R"({"root":{"path":"/r"},"process":{"args":[]}})"), {}));
  auto bad = BuildProcessPlan(
      Json::parse(
          R"({"root":{"path":"/r"},"process":{"args":["x"],"capabilities":{"bounding":["CAP_NOPE"]}}})"),
      {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("CAP_NOPE"), std::string::npos);
  EXPECT_FALSE(BuildProcessPlan(
      Json::parse(
          R"({"root":{"path":"/r"},"process":{"args":["x"]},"linux":{"namespaces":[{"type":"pid","path":"/proc/1/ns/pid"}]}})"),
      {}));
}

class RootProcessRuntime : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    auto store = ImageStore::Open(tmp_ / "images");
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    auto images = store_->Import(testing::BuildTestImage(tmp_.path()));
    ASSERT_TRUE(images) << images.error().message;
    image_ = (*images)[0];
    cgroup_parent_ = "/keelson-test-" + RandomHex(4);
    auto rt = NewProcessRuntime({.state_dir = tmp_ / "rt"});
    ASSERT_TRUE(rt) << rt.error().message;
    rt_ = std::move(*rt);
  }
  void TearDown() override {
    if (!rt_) return;
    auto ids = rt_->List();
    if (ids) {
      for (auto& id : *ids) EXPECT_TRUE(rt_->Delete(id)) << id;
    }
    for (auto& dir : dirs_) ImageStore::RemoveRootfs(dir);
    Cgroups().Remove(cgroup_parent_);
    for (auto& d : Cgroups().Dirs(cgroup_parent_))
      EXPECT_FALSE(testing::Exists(d)) << "cgroup left: " << d;
  }

  api::Result<ContainerState> Run(const std::string& id, std::vector<std::string> argv,
                                  Json resources = Json::object()) {
    std::string dir = tmp_ / ("c/" + id);
    dirs_.push_back(dir);
    auto fs = store_->CreateRootfs(image_, dir);
    if (!fs) return std::unexpected(fs.error());
    pod_ = api::Object(Json::parse(
        R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","uid":"u"},"spec":{"hostNetwork":true}})"));
    container_ = {{"name", id}, {"command", argv}, {"resources", resources}};
    pod_.json()["spec"]["containers"] = Json::array({container_});
    SpecParams p;
    p.pod = &pod_;
    p.container = &container_;
    p.image = image_.config;
    p.env = image_.config.env;
    p.rootfs = fs->path;
    p.cgroups_path = cgroup_parent_ + "/" + id;
    p.node.memory_bytes = 1LL << 30;
    auto spec = BuildOciSpec(p);
    if (!spec) return std::unexpected(spec.error());
    return rt_->Start({id, dir, *spec, dir + "/0.log"});
  }
  ContainerState WaitExit(const std::string& id) {
    for (int i = 0; i < 400; ++i) {
      auto s = rt_->State(id);
      if (s && s->status == ContainerStatus::kExited) return *s;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << id << " did not exit";
    return {};
  }

  testing::TempDir tmp_;
  std::unique_ptr<ImageStore> store_;
  ImageInfo image_;
  std::unique_ptr<ContainerRuntime> rt_;
  std::string cgroup_parent_;
  std::vector<std::string> dirs_;
  api::Object pod_;
  Json container_;
};

TEST_F(RootProcessRuntime, RunsIsolatedRecordsExitAndWritesCriLogs) {
  std::string host_only = tmp_.path();  // exists on the host, not in the image
  auto s = Run("exit7", {"sh", "-c",
                         "echo out line; echo err line >&2; echo pid $$$$; [ -e " + host_only +
                             " ] && echo host-visible || echo isolated; exit 7"});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_GT(s->pid, 0);
  auto done = WaitExit("exit7");
  EXPECT_EQ(done.exit_code, 7);
  EXPECT_FALSE(done.oom_killed);
  EXPECT_FALSE(done.finished_at.empty());
  auto log = ReadFile(tmp_ / "c/exit7/0.log");
  ASSERT_TRUE(log);
  EXPECT_NE(log->find(" stdout F out line\n"), std::string::npos) << *log;
  EXPECT_NE(log->find(" stderr F err line\n"), std::string::npos) << *log;
  EXPECT_NE(log->find(" stdout F pid 1\n"), std::string::npos) << "own pid namespace: " << *log;
  EXPECT_NE(log->find(" stdout F isolated\n"), std::string::npos) << *log;
}

TEST_F(RootProcessRuntime, UnknownCommandIsARunContainerError) {
  auto s = Run("nope", {"/no/such/binary"});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("no such file or directory"), std::string::npos)
      << s.error().message;
  auto t = Run("nope2", {"nosuchcommand"});
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("executable file not found in $PATH"), std::string::npos)
      << t.error().message;
  auto ids = rt_->List();
  ASSERT_TRUE(ids);
  EXPECT_TRUE(ids->empty()) << "a failed start leaves nothing behind";
}

TEST_F(RootProcessRuntime, MemoryLimitExceededIsOomKilled137) {
  if (!testing::Exists("/sys/fs/cgroup/memory") && !Cgroups().unified())
    GTEST_SKIP() << "no memory cgroup";
  auto s = Run("oom", {"sh", "-c", "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done"},
               {{"limits", {{"memory", "16Mi"}}}});
  ASSERT_TRUE(s) << s.error().message;
  auto done = WaitExit("oom");
  EXPECT_EQ(done.exit_code, 137);
  EXPECT_TRUE(done.oom_killed);
}

TEST_F(RootProcessRuntime, ExecStatsAndKill) {
  auto s = Run("sleeper", {"sleep", "1000"}, {{"limits", {{"memory", "64Mi"}, {"cpu", "500m"}}}});
  ASSERT_TRUE(s) << s.error().message;
  auto out =
      rt_->Exec("sleeper", {"sh", "-c", "echo hi; echo e >&2; ps | grep -c sleep; exit 3"}, 10s);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->exit_code, 3);
  EXPECT_NE(out->out.find("hi\n"), std::string::npos) << out->out;
  EXPECT_EQ(out->err, "e\n");
  auto missing = rt_->Exec("sleeper", {"nosuchcommand"}, 10s);
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_NE(missing->exit_code, 0);
  EXPECT_NE(missing->err.find("executable file not found"), std::string::npos) << missing->err;
  auto in = rt_->Exec("sleeper", {"cat"}, 10s, "from stdin");
  ASSERT_TRUE(in);
  EXPECT_EQ(in->out, "from stdin");
  auto stats = rt_->Stats("sleeper");
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_GT(stats->memory_usage, 0);
  EXPECT_EQ(stats->memory_limit, 64 << 20);
  // sleep as PID 1 has no SIGTERM handler, so the kernel drops SIGTERM (as with runc).
  ASSERT_TRUE(rt_->Kill("sleeper", SIGTERM));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(rt_->State("sleeper")->status, ContainerStatus::kRunning);
  ASSERT_TRUE(rt_->Kill("sleeper", SIGKILL));
  auto done = WaitExit("sleeper");
  EXPECT_EQ(done.exit_code, 137);
  EXPECT_EQ(done.signal, SIGKILL);
  EXPECT_FALSE(done.oom_killed);
}

TEST_F(RootProcessRuntime, ExecStartStreamsStdio) {
  auto s = Run("streamer", {"sleep", "1000"});
  ASSERT_TRUE(s) << s.error().message;
  auto p =
      rt_->ExecStart("streamer", {"sh", "-c", "read x; echo got $x; echo oops >&2; exit 4"}, false);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(write(p->in, "hello\n", 6), 6);
  close(p->in);
  std::string out, err;
  char buf[256];
  for (ssize_t n; (n = read(p->out, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  for (ssize_t n; (n = read(p->err, buf, sizeof buf)) > 0;) err.append(buf, static_cast<size_t>(n));
  close(p->out);
  close(p->err);
  EXPECT_EQ(WaitCommand(p->pid), 4);
  EXPECT_EQ(out, "got hello\n");
  EXPECT_EQ(err, "oops\n");
}

TEST_F(RootProcessRuntime, ANewRuntimeObjectReadoptsAndDeleteKillsEverything) {
  auto s = Run("adopt", {"sh", "-c", "sleep 1000 & sleep 1000"});
  ASSERT_TRUE(s) << s.error().message;
  auto rt2 = NewProcessRuntime({.state_dir = tmp_ / "rt"});
  ASSERT_TRUE(rt2);
  auto ids = (*rt2)->List();
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, std::vector<std::string>{"adopt"});
  auto st = (*rt2)->State("adopt");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, ContainerStatus::kRunning);
  EXPECT_EQ(st->pid, s->pid);
  ASSERT_TRUE((*rt2)->Delete("adopt"));
  EXPECT_EQ(rt_->State("adopt").error().reason, api::Reason::kNotFound);
  EXPECT_NE(kill(s->pid, 0), 0) << "the container process is gone";
}

}  // namespace
}  // namespace keelson::runtime
