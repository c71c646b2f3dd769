// Root tests for runtime/runc_runtime + keelson-monitor with real runc and the busybox image.
#include "runtime/runc_runtime.h"

#include <gtest/gtest.h>
#include <signal.h>

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

class RootRuncRuntime : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!testing::HaveRunc()) GTEST_SKIP() << "needs runc";
    auto store = ImageStore::Open(tmp_ / "images");
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    auto images = store_->Import(testing::BuildTestImage(tmp_.path()));
    ASSERT_TRUE(images) << images.error().message;
    image_ = (*images)[0];
    cgroup_parent_ = "/keelson-test-" + RandomHex(4);
    auto rt = NewRuncRuntime({.runc_path = "runc", .state_dir = tmp_ / "rt"});
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

  // Starts busybox running `argv` with optional resources.
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
  // Polls until the container exited (or 20 s).
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

TEST_F(RootRuncRuntime, RunsRecordsExitAndWritesCriLogs) {
  auto s = Run("exit7", {"sh", "-c", "echo out line; echo err line >&2; exit 7"});
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
  EXPECT_EQ((*log)[4], '-');
  EXPECT_NE(log->find("Z stdout"), std::string::npos);
}

TEST_F(RootRuncRuntime, UnknownCommandIsARunContainerError) {
  auto s = Run("nope", {"/no/such/binary"});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("no such file or directory"), std::string::npos)
      << s.error().message;
  auto ids = rt_->List();
  ASSERT_TRUE(ids);
  EXPECT_TRUE(ids->empty()) << "a failed start leaves nothing behind";
}

TEST_F(RootRuncRuntime, MemoryLimitExceededIsOomKilled137) {
  auto s = Run("oom", {"sh", "-c", "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done"},
               {{"limits", {{"memory", "16Mi"}}}});
  ASSERT_TRUE(s) << s.error().message;
  auto done = WaitExit("oom");
  EXPECT_EQ(done.exit_code, 137);
  EXPECT_TRUE(done.oom_killed);
}

TEST_F(RootRuncRuntime, ExecAndStats) {
  auto s = Run("sleeper", {"sleep", "1000"}, {{"limits", {{"memory", "64Mi"}, {"cpu", "500m"}}}});
  ASSERT_TRUE(s) << s.error().message;
  auto out = rt_->Exec(
      "sleeper", {"sh", "-c", "cat /etc/hostname 2>/dev/null; echo hi; echo e >&2; exit 3"}, 10s);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->exit_code, 3);
  EXPECT_NE(out->out.find("hi"), std::string::npos);
  EXPECT_EQ(out->err, "e\n");
  auto stats = rt_->Stats("sleeper");
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_GT(stats->memory_usage, 0);
  EXPECT_EQ(stats->memory_limit, 64 << 20);
  // sleep as PID 1 has no SIGTERM handler, so the kernel drops SIGTERM (as in Kubernetes).
  ASSERT_TRUE(rt_->Kill("sleeper", SIGTERM));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(rt_->State("sleeper")->status, ContainerStatus::kRunning);
  ASSERT_TRUE(rt_->Kill("sleeper", SIGKILL));
  auto done = WaitExit("sleeper");
  EXPECT_EQ(done.exit_code, 137);
  EXPECT_EQ(done.signal, SIGKILL);
  EXPECT_FALSE(done.oom_killed);
}

// Reads `fd` until end of stream (or an error such as EIO on a pty whose slave closed).
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  return out;
}

TEST_F(RootRuncRuntime, ExecStartStreamsStdioAndATerminal) {
  auto s = Run("shell", {"sleep", "1000"});
  ASSERT_TRUE(s) << s.error().message;

  auto piped =
      rt_->ExecStart("shell", {"sh", "-c", "read x; echo got $x; echo e >&2; exit 4"}, false);
  ASSERT_TRUE(piped) << piped.error().message;
  EXPECT_EQ(piped->terminal, -1);
  ASSERT_EQ(write(piped->in, "abc\n", 4), 4);
  close(piped->in);
  EXPECT_EQ(ReadAll(piped->out), "got abc\n");
  EXPECT_EQ(ReadAll(piped->err), "e\n");
  close(piped->out);
  close(piped->err);
  EXPECT_EQ(WaitCommand(piped->pid), 4);

  auto tty = rt_->ExecStart("shell", {"sh", "-c", "test -t 0 && echo tty; read x; exit $x"}, true);
  ASSERT_TRUE(tty) << tty.error().message;
  ASSERT_GE(tty->terminal, 0);
  ASSERT_EQ(write(tty->terminal, "5\n", 2), 2);
  std::string out = ReadAll(tty->terminal);
  EXPECT_NE(out.find("tty\r\n"), std::string::npos) << out;
  close(tty->terminal);
  EXPECT_EQ(WaitCommand(tty->pid), 5);

  auto missing = rt_->ExecStart("shell", {"/no/such"}, true);
  ASSERT_TRUE(missing);  // runc reports a missing binary on the terminal, with a failing exit
  EXPECT_NE(ReadAll(missing->terminal).find("no such file"), std::string::npos);
  close(missing->terminal);
  EXPECT_NE(WaitCommand(missing->pid), 0);
  EXPECT_FALSE(rt_->ExecStart("nosuch", {"sh"}, false));
}

TEST_F(RootRuncRuntime, LogsRotateAtTheSizeLimitKeepingFiveFiles) {
  auto small =
      NewRuncRuntime({.runc_path = "runc", .state_dir = tmp_ / "rt", .log_max_size = 2000});
  ASSERT_TRUE(small);
  rt_ = std::move(*small);
  auto s =
      Run("chatty", {"sh", "-c", "i=0; while [ $i -lt 400 ]; do echo line $i; i=$((i+1)); done"});
  ASSERT_TRUE(s) << s.error().message;
  WaitExit("chatty");
  std::string base = tmp_ / "c/chatty/0.log";
  for (const char* suffix : {"", ".1", ".2", ".3", ".4"}) {
    auto f = ReadFile(base + suffix);
    ASSERT_TRUE(f) << base << suffix;
    EXPECT_LE(f->size(), 2000u);
  }
  EXPECT_FALSE(testing::Exists(base + ".5"));
  EXPECT_NE(ReadFile(base)->find(" stdout F line 399\n"), std::string::npos);
}

TEST_F(RootRuncRuntime, ANewRuntimeObjectReadoptsRunningContainers) {
  auto s = Run("adopt", {"sleep", "1000"});
  ASSERT_TRUE(s) << s.error().message;
  // What a restarted agent does: open the same state dir.
  auto rt2 = NewRuncRuntime({.runc_path = "runc", .state_dir = tmp_ / "rt"});
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
