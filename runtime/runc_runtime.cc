// runc driver behind ContainerRuntime.
#include "runtime/runc_runtime.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <thread>

#include "runtime/fsutil.h"
#include "runtime/process.h"

namespace keelson::runtime {

namespace {

using api::Json;
using namespace std::chrono_literals;

bool ValidId(const std::string& id) {
  return !id.empty() && id.size() <= 128 && id[0] != '.' &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         });
}

// The lowest oom_score_adj this process may give a child: anything without CAP_SYS_RESOURCE
// cannot go below its own (nested container hosts often drop that capability).
int MinOomScoreAdj() {
  auto status = ReadFile("/proc/self/status");
  if (status) {
    auto at = status->find("CapEff:");
    if (at != std::string::npos) {
      uint64_t caps = std::strtoull(status->c_str() + at + 7, nullptr, 16);
      if (caps & (uint64_t{1} << 24)) return -1000;
    }
  }
  auto own = ReadFile("/proc/self/oom_score_adj");
  return own ? std::atoi(own->c_str()) : 0;
}

class RuncRuntime : public ContainerRuntime {
 public:
  explicit RuncRuntime(RuncOptions o) : o_(std::move(o)), cgroups_(o_.cgroup_root) {}

  std::string Name() const override { return "runc"; }

  api::Result<ContainerState> Start(const StartRequest& req) override {
    if (!ValidId(req.id))
      return std::unexpected(api::BadRequest("container id \"" + req.id + "\" is not valid"));
    std::string mdir = MonitorDir(req.id);
    // A leftover from an earlier attempt with the same id: remove it first.
    struct stat sb;
    if (stat(mdir.c_str(), &sb) == 0 || stat((RuncRoot() + "/" + req.id).c_str(), &sb) == 0)
      (void)Delete(req.id);
    auto st = MakeDirs(mdir, 0700);
    if (!st) return std::unexpected(st.error().Wrap("start " + req.id));
    st = MakeDirs(req.dir, 0755);
    if (!st) return std::unexpected(st.error().Wrap("start " + req.id));
    Json spec = req.spec;
    if (spec.contains("process") && spec["process"].contains("oomScoreAdj")) {
      static const int min_adj = MinOomScoreAdj();
      if (spec["process"]["oomScoreAdj"].get<int>() < min_adj)
        spec["process"]["oomScoreAdj"] = min_adj;
    }
    st = WriteFileAtomic(req.dir + "/config.json", spec.dump(), 0600, /*durable=*/false);
    if (!st) return std::unexpected(st.error().Wrap("start " + req.id));
    std::string cg = req.spec.contains("linux") ? req.spec["linux"].value("cgroupsPath", "") : "";
    WriteFileAtomic(mdir + "/cgroup", cg, 0600, false);
    WriteFileAtomic(mdir + "/bundle", req.dir, 0600, false);
    auto log_dir = req.log_path.substr(0, req.log_path.rfind('/'));
    MakeDirs(log_dir, 0755);
    auto r = RunCommand(
        {o_.monitor_path, "--id", req.id, "--bundle", req.dir, "--runc", o_.runc_path,
         "--runc-root", RuncRoot(), "--state", mdir, "--log", req.log_path, "--log-max-size",
         std::to_string(o_.log_max_size), "--log-max-files", std::to_string(o_.log_max_files)},
        {.timeout = 120s});
    if (!r) return std::unexpected(r.error().Wrap("start " + req.id));
    if (r->exit_code != 0) {
      std::string msg = r->err;
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      RunCommand({o_.runc_path, "--root", RuncRoot(), "delete", "--force", req.id},
                 {.timeout = 30s});
      RemoveAll(mdir);
      return std::unexpected(
          api::BadRequest(msg.empty() ? "monitor failed to start the container" : msg));
    }
    return State(req.id);
  }

  api::Result<ContainerState> State(const std::string& id) override {
    ContainerState s;
    s.id = id;
    auto text = ReadFile(MonitorDir(id) + "/state.json");
    if (!text) {
      if (text.error().reason == api::Reason::kNotFound)
        return std::unexpected(api::NotFound("containers", id));
      return std::unexpected(text.error());
    }
    Json j;
    try {
      j = Json::parse(*text);
    } catch (const std::exception& e) {
      return std::unexpected(api::Internal("container " + id + ": state.json: " + e.what()));
    }
    std::string status = j.value("status", "");
    s.pid = j.value("pid", 0);
    s.started_at = j.value("startedAt", "");
    s.finished_at = j.value("finishedAt", "");
    if (status == "running") {
      // Trust the monitor while it lives; if it died (killed, node rebooted), look at the process.
      int mpid = j.value("monitorPid", 0);
      bool monitor_alive = mpid > 0 && kill(mpid, 0) == 0;
      bool proc_alive = s.pid > 0 && kill(s.pid, 0) == 0;
      if (monitor_alive || proc_alive) {
        s.status = ContainerStatus::kRunning;
      } else {
        s.status = ContainerStatus::kExited;
        s.exit_code = 255;
        s.error = "the container's monitor disappeared; exit status unknown";
        s.finished_at = api::NowTimestamp();
      }
    } else if (status == "exited") {
      s.status = ContainerStatus::kExited;
      s.exit_code = j.value("exitCode", 0);
      s.signal = j.value("signal", 0);
    } else {
      s.status = ContainerStatus::kUnknown;
      s.error = j.value("error", "unknown state");
    }
    if (s.status == ContainerStatus::kExited) {
      auto cg = ReadFile(MonitorDir(id) + "/cgroup");
      if (cg && !cg->empty()) {
        auto stats = cgroups_.Stats(*cg);
        if (stats && stats->oom_kills > 0) s.oom_killed = true;
      }
    }
    return s;
  }

  api::Status Kill(const std::string& id, int signal) override {
    auto s = State(id);
    if (!s) return std::unexpected(s.error());
    if (s->status != ContainerStatus::kRunning) return {};
    auto r = RunCommand({o_.runc_path, "--root", RuncRoot(), "kill", id, std::to_string(signal)},
                        {.timeout = 30s});
    if (!r) return std::unexpected(r.error().Wrap("kill " + id));
    if (r->exit_code != 0) {
      auto again = State(id);
      if (again && again->status != ContainerStatus::kRunning) return {};
      // runc refuses to signal a stopped container; the monitor may not have noticed yet.
      if (r->err.find("not running") != std::string::npos ||
          r->err.find("stopped") != std::string::npos)
        return {};
      return std::unexpected(api::Internal("runc kill " + id + ": " + Trim(r->err)));
    }
    return {};
  }

  api::Status Delete(const std::string& id) override {
    if (!ValidId(id))
      return std::unexpected(api::BadRequest("container id \"" + id + "\" is not valid"));
    auto before = State(id);
    auto r =
        RunCommand({o_.runc_path, "--root", RuncRoot(), "delete", "--force", id}, {.timeout = 30s});
    if (!r) return std::unexpected(r.error().Wrap("delete " + id));
    if (r->exit_code != 0 && r->err.find("does not exist") == std::string::npos &&
        r->err.find("not exist") == std::string::npos) {
      return std::unexpected(api::Internal("runc delete " + id + ": " + Trim(r->err)));
    }
    // Wait (bounded) for the monitor to record the exit, so nothing writes into the directory
    // after we remove it.
    if (before && before->status == ContainerStatus::kRunning) {
      for (int i = 0; i < 100; ++i) {
        auto s = State(id);
        if (!s || s->status != ContainerStatus::kRunning) break;
        std::this_thread::sleep_for(20ms);
      }
    }
    auto cg = ReadFile(MonitorDir(id) + "/cgroup");
    if (cg && !cg->empty()) cgroups_.Remove(*cg);
    return RemoveAll(MonitorDir(id));
  }

  api::Result<std::vector<std::string>> List() override {
    std::set<std::string> ids;
    for (const std::string& dir : {MonitorDir(""), RuncRoot()}) {
      DIR* d = opendir(dir.c_str());
      if (d == nullptr) continue;
      while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != ".." && ValidId(n)) ids.insert(n);
      }
      closedir(d);
    }
    return std::vector<std::string>(ids.begin(), ids.end());
  }

  api::Result<ExecOutput> Exec(const std::string& id, const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout,
                               const std::string& stdin_data) override {
    auto s = State(id);
    if (!s) return std::unexpected(s.error());
    if (s->status != ContainerStatus::kRunning) {
      return std::unexpected(api::BadRequest("container " + id + " is not running"));
    }
    std::vector<std::string> cmd = {o_.runc_path, "--root", RuncRoot(), "exec", id};
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    auto r = RunCommand(cmd, {.stdin_data = stdin_data, .timeout = timeout});
    if (!r) return std::unexpected(r.error().Wrap("exec in " + id));
    ExecOutput out{r->exit_code, r->timed_out, std::move(r->out), std::move(r->err)};
    return out;
  }

  api::Result<ExecProcess> ExecStart(const std::string& id, const std::vector<std::string>& argv,
                                     bool tty) override {
    auto s = State(id);
    if (!s) return std::unexpected(s.error());
    if (s->status != ContainerStatus::kRunning) {
      return std::unexpected(api::BadRequest("container " + id + " is not running"));
    }
    std::vector<std::string> cmd = {o_.runc_path, "--root", RuncRoot(), "exec"};
    if (!tty) {
      cmd.push_back(id);
      cmd.insert(cmd.end(), argv.begin(), argv.end());
      auto child = StartCommand(cmd);
      if (!child) return std::unexpected(child.error().Wrap("exec in " + id));
      return ExecProcess{child->pid, -1, child->in, child->out, child->err};
    }
    // In the foreground runc copies between its own terminal and the container's: give it a
    // pty of ours, so the caller holds the master end.
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
      if (master >= 0) close(master);
      return std::unexpected(api::Internal(ErrnoMessage("exec in " + id + ": pty")));
    }
    char slave_name[128];
    int slave = -1;
    if (ptsname_r(master, slave_name, sizeof slave_name) == 0) {
      slave = open(slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    }
    if (slave < 0) {
      close(master);
      return std::unexpected(api::Internal(ErrnoMessage("exec in " + id + ": pty slave")));
    }
    cmd.insert(cmd.end(), {"--tty", id});
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    auto child = StartCommand(cmd, {}, slave);
    close(slave);
    if (!child) {
      close(master);
      return std::unexpected(child.error().Wrap("exec in " + id));
    }
    return ExecProcess{child->pid, master, -1, -1, -1};
  }

  api::Result<CgroupStats> Stats(const std::string& id) override {
    auto cg = ReadFile(MonitorDir(id) + "/cgroup");
    if (!cg) return std::unexpected(api::NotFound("containers", id));
    return cgroups_.Stats(*cg);
  }

 private:
  static std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  std::string RuncRoot() const { return o_.state_dir + "/runc"; }
  std::string MonitorDir(const std::string& id) const { return o_.state_dir + "/monitors/" + id; }

  RuncOptions o_;
  Cgroups cgroups_;
};

}  // namespace

std::string DefaultMonitorPath() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = 0;
    std::string dir(self);
    dir = dir.substr(0, dir.rfind('/'));
    for (const std::string& cand : {dir + "/keelson-monitor", dir + "/../runtime/keelson-monitor",
                                    dir + "/../../runtime/keelson-monitor"}) {
      if (access(cand.c_str(), X_OK) == 0) return cand;
    }
  }
  if (const char* env = std::getenv("KEELSON_MONITOR")) return env;
  if (const char* b = std::getenv("KEELSON_BUILD_DIR"))
    return std::string(b) + "/runtime/keelson-monitor";
  return "keelson-monitor";
}

api::Result<std::unique_ptr<ContainerRuntime>> NewRuncRuntime(const RuncOptions& in) {
  RuncOptions o = in;
  if (o.monitor_path.empty()) o.monitor_path = DefaultMonitorPath();
  if (access(o.monitor_path.c_str(), X_OK) != 0) {
    return std::unexpected(
        api::Internal("runc runtime: monitor " + o.monitor_path + " is not executable"));
  }
  for (const char* sub : {"/runc", "/monitors"}) {
    auto st = MakeDirs(o.state_dir + sub, 0700);
    if (!st) return std::unexpected(st.error().Wrap("runc runtime"));
  }
  return std::unique_ptr<ContainerRuntime>(new RuncRuntime(std::move(o)));
}

}  // namespace keelson::runtime
