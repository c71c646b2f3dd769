// The process runtime: keelson-monitor --process behind ContainerRuntime.
#include "runtime/process_runtime.h"

#include "runtime/oci_spec.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include "runtime/cgroups.h"
#include "runtime/fsutil.h"
#include "runtime/process.h"
#include "runtime/runc_runtime.h"

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

int LastCap() {
  static const int last = [] {
    auto t = ReadFile("/proc/sys/kernel/cap_last_cap");
    return t ? std::atoi(t->c_str()) : 40;
  }();
  return last;
}

// OCI mount options → mount(2) flags, propagation flags and the data string.
void MountFlags(const Json& options, const std::string& type, unsigned long* flags,
                unsigned long* propagation, std::string* data) {
  *flags = type == "bind" ? MS_BIND : 0;
  *propagation = 0;
  data->clear();
  struct Opt {
    const char* name;
    unsigned long flag;
    bool clear;
  };
  static const Opt kFlags[] = {
      {"ro", MS_RDONLY, false},          {"rw", MS_RDONLY, true},
      {"nosuid", MS_NOSUID, false},      {"suid", MS_NOSUID, true},
      {"nodev", MS_NODEV, false},        {"dev", MS_NODEV, true},
      {"noexec", MS_NOEXEC, false},      {"exec", MS_NOEXEC, true},
      {"relatime", MS_RELATIME, false},  {"strictatime", MS_STRICTATIME, false},
      {"noatime", MS_NOATIME, false},    {"bind", MS_BIND, false},
      {"rbind", MS_BIND | MS_REC, false}};
  static const Opt kPropagation[] = {
      {"private", MS_PRIVATE, false}, {"rprivate", MS_PRIVATE | MS_REC, false},
      {"slave", MS_SLAVE, false},     {"rslave", MS_SLAVE | MS_REC, false},
      {"shared", MS_SHARED, false},   {"rshared", MS_SHARED | MS_REC, false}};
  if (!options.is_array()) return;
  for (const auto& o : options) {
    if (!o.is_string()) continue;
    std::string s = o.get<std::string>();
    bool known = false;
    for (const auto& f : kFlags) {
      if (s != f.name) continue;
      known = true;
      if (f.clear)
        *flags &= ~f.flag;
      else
        *flags |= f.flag;
    }
    for (const auto& p : kPropagation) {
      if (s != p.name) continue;
      known = true;
      *propagation = p.flag;
    }
    if (!known) *data += (data->empty() ? "" : ",") + s;
  }
}

void Put(std::string& plan, std::string_view key, std::string_view value) {
  plan.append(key);
  plan.push_back('\0');
  plan.append(value);
  plan.push_back('\0');
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class ProcessRuntime : public ContainerRuntime {
 public:
  explicit ProcessRuntime(ProcessOptions o) : o_(std::move(o)), cgroups_(o_.cgroup_root) {}

  std::string Name() const override { return "process"; }

  api::Result<ContainerState> Start(const StartRequest& req) override {
    if (!ValidId(req.id))
      return std::unexpected(api::BadRequest("container id \"" + req.id + "\" is not valid"));
    std::string mdir = MonitorDir(req.id);
    struct stat sb;
    if (stat(mdir.c_str(), &sb) == 0) (void)Delete(req.id);
    for (const std::string& d : {mdir, req.dir}) {
      auto st = MakeDirs(d, d == mdir ? 0700 : 0755);
      if (!st) return std::unexpected(st.error().Wrap("start " + req.id));
    }
    const Json& spec = req.spec;
    // The same config.json runc would get, for whoever inspects the bundle.
    (void)WriteFileAtomic(req.dir + "/config.json", spec.dump(), 0600, false);
    std::string cg;
    if (auto l = spec.find("linux"); l != spec.end() && l->is_object())
      cg = l->value("cgroupsPath", "");
    std::vector<std::string> procs;
    if (!cg.empty()) procs = SetupCgroup(req.id, cg, spec);
    WriteFileAtomic(mdir + "/cgroup", cg, 0600, false);
    auto plan = BuildProcessPlan(spec, procs);
    if (!plan) {
      Cleanup(req.id, cg);
      return std::unexpected(plan.error().Wrap("start " + req.id));
    }
    auto st = WriteFileAtomic(mdir + "/plan", *plan, 0600, false);
    if (!st) {
      Cleanup(req.id, cg);
      return std::unexpected(st.error().Wrap("start " + req.id));
    }
    MakeDirs(req.log_path.substr(0, req.log_path.rfind('/')), 0755);
    auto r =
        RunCommand({o_.monitor_path, "--id", req.id, "--process", mdir + "/plan", "--state", mdir,
                    "--log", req.log_path, "--log-max-size", std::to_string(o_.log_max_size),
                    "--log-max-files", std::to_string(o_.log_max_files)},
                   {.timeout = 120s});
    if (!r) {
      Cleanup(req.id, cg);
      return std::unexpected(r.error().Wrap("start " + req.id));
    }
    if (r->exit_code != 0) {
      std::string msg = Trim(r->err);
      Cleanup(req.id, cg);
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
      int mpid = j.value("monitorPid", 0);
      if ((mpid > 0 && kill(mpid, 0) == 0) || (s.pid > 0 && kill(s.pid, 0) == 0)) {
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
    if (s->status != ContainerStatus::kRunning || s->pid <= 0) return {};
    if (kill(s->pid, signal) != 0 && errno != ESRCH)
      return std::unexpected(api::Internal(ErrnoMessage("kill " + id)));
    return {};
  }

  api::Status Delete(const std::string& id) override {
    if (!ValidId(id))
      return std::unexpected(api::BadRequest("container id \"" + id + "\" is not valid"));
    auto before = State(id);
    auto cg = ReadFile(MonitorDir(id) + "/cgroup");
    std::string cgroup = cg ? *cg : "";
    if (before && before->status == ContainerStatus::kRunning) {
      if (before->pid > 0) kill(before->pid, SIGKILL);
      KillCgroup(cgroup);
      // Wait (bounded) for the monitor to record the exit, so nothing writes into the directory
      // after we remove it.
      for (int i = 0; i < 250; ++i) {
        auto s = State(id);
        if (!s || s->status != ContainerStatus::kRunning) break;
        std::this_thread::sleep_for(20ms);
      }
    }
    Cleanup(id, cgroup);
    return {};
  }

  api::Result<std::vector<std::string>> List() override {
    std::vector<std::string> ids;
    if (DIR* d = opendir(MonitorDir("").c_str())) {
      while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != ".." && ValidId(n)) ids.push_back(n);
      }
      closedir(d);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  api::Result<ExecOutput> Exec(const std::string& id, const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout,
                               const std::string& stdin_data) override {
    auto s = State(id);
    if (!s) return std::unexpected(s.error());
    if (s->status != ContainerStatus::kRunning)
      return std::unexpected(api::BadRequest("container " + id + " is not running"));
    if (argv.empty()) return std::unexpected(api::BadRequest("exec: no command"));
    std::vector<std::string> cmd = {o_.monitor_path,          "--exec-in",
                                    std::to_string(s->pid),   "--plan",
                                    MonitorDir(id) + "/plan", "--"};
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    auto r = RunCommand(cmd, {.stdin_data = stdin_data, .timeout = timeout});
    if (!r) return std::unexpected(r.error().Wrap("exec in " + id));
    if (r->exit_code == 126 && r->err.starts_with("keelson-monitor: "))
      return std::unexpected(api::Internal("exec in " + id + ": " + Trim(r->err.substr(17))));
    return ExecOutput{r->exit_code, r->timed_out, std::move(r->out), std::move(r->err)};
  }

  api::Result<ExecProcess> ExecStart(const std::string& id, const std::vector<std::string>& argv,
                                     bool tty) override {
    auto s = State(id);
    if (!s) return std::unexpected(s.error());
    if (s->status != ContainerStatus::kRunning)
      return std::unexpected(api::BadRequest("container " + id + " is not running"));
    if (argv.empty()) return std::unexpected(api::BadRequest("exec: no command"));
    std::vector<std::string> cmd = {o_.monitor_path,          "--exec-in",
                                    std::to_string(s->pid),   "--plan",
                                    MonitorDir(id) + "/plan", "--"};
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    if (!tty) {
      auto child = StartCommand(cmd);
      if (!child) return std::unexpected(child.error().Wrap("exec in " + id));
      return ExecProcess{child->pid, -1, child->in, child->out, child->err};
    }
    // The monitor runs the command on a pty of ours (its controlling terminal, kept across
    // setns), so the caller holds the master end.
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
      if (master >= 0) close(master);
      return std::unexpected(api::Internal(ErrnoMessage("exec in " + id + ": pty")));
    }
    char slave_name[128];
    int slave = -1;
    if (ptsname_r(master, slave_name, sizeof slave_name) == 0)
      slave = open(slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
      close(master);
      return std::unexpected(api::Internal(ErrnoMessage("exec in " + id + ": pty slave")));
    }
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
    if (cg->empty())
      return std::unexpected(api::NotFound("cgroups", "container " + id + " has no cgroup"));
    return cgroups_.Stats(*cg);
  }

 private:
  std::string MonitorDir(const std::string& id) const { return o_.state_dir + "/monitors/" + id; }

  // Creates the container's cgroup in every hierarchy we may write, applies the spec's limits,
  // and returns the cgroup.procs files the monitor puts the process in. A hierarchy that is not
  // writable (a container host, an unprivileged agent) is skipped: limits are best effort here.
  std::vector<std::string> SetupCgroup(const std::string& id, const std::string& path,
                                       const Json& spec) {
    std::vector<std::string> procs;
    const Json* res = nullptr;
    if (auto l = spec.find("linux"); l != spec.end() && l->contains("resources"))
      res = &(*l)["resources"];
    auto num = [&](const char* group, const char* key) -> int64_t {
      if (!res || !res->contains(group) || !(*res)[group].contains(key)) return 0;
      const Json& v = (*res)[group][key];
      return v.is_number_integer() ? v.get<int64_t>() : 0;
    };
    int64_t mem = num("memory", "limit"), shares = num("cpu", "shares");
    int64_t quota = num("cpu", "quota"), period = num("cpu", "period"), pids = num("pids", "limit");
    for (const auto& dir : cgroups_.Dirs(path)) {
      std::string hierarchy = dir.substr(0, dir.size() - path.size());
      std::string name = hierarchy.substr(hierarchy.rfind('/') + 1);
      // cpuset needs cpus/mems copied down every level, and named hierarchies hold no limits.
      if (!cgroups_.unified() && (name.find("cpuset") != std::string::npos || name == "systemd" ||
                                  name.starts_with("name=")))
        continue;
      if (!cgroups_.unified()) {
        // Controllers mounted together (cpu,cpuacct) appear once as the real directory.
        struct stat st;
        if (lstat(hierarchy.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      }
      if (!MakeDirs(dir, 0755)) {
        spdlog::debug("process runtime: cgroup not writable, skipped dir={} container={}", dir, id);
        continue;
      }
      auto write = [&](const std::string& file, const std::string& value) {
        auto st = WriteCgroupFile(dir + "/" + file, value);
        if (!st)
          spdlog::warn("process runtime: {} error=\"{}\"", dir + "/" + file, st.error().message);
      };
      if (cgroups_.unified()) {
        EnableControllers(hierarchy, path);
        if (mem > 0) write("memory.max", std::to_string(mem));
        if (shares > 0) write("cpu.weight", std::to_string(1 + ((shares - 2) * 9999) / 262142));
        if (quota > 0) write("cpu.max", std::to_string(quota) + " " + std::to_string(period));
        if (pids > 0) write("pids.max", std::to_string(pids));
      } else if (name.find("memory") != std::string::npos) {
        if (mem > 0) write("memory.limit_in_bytes", std::to_string(mem));
      } else if (name == "cpu" || name.starts_with("cpu,")) {
        if (shares > 0) write("cpu.shares", std::to_string(shares));
        if (quota > 0) {
          write("cpu.cfs_period_us", std::to_string(period));
          write("cpu.cfs_quota_us", std::to_string(quota));
        }
      } else if (name == "pids") {
        if (pids > 0) write("pids.max", std::to_string(pids));
      }
      procs.push_back(dir + "/cgroup.procs");
    }
    return procs;
  }

  // cgroup v2: a controller's files exist in a child only when its parent delegates it.
  void EnableControllers(const std::string& root, const std::string& path) {
    size_t pos = 0;
    std::vector<std::string> levels = {root};
    while ((pos = path.find('/', pos + 1)) != std::string::npos)
      levels.push_back(root + path.substr(0, pos));
    for (const auto& level : levels) {
      for (const char* c : {"+memory", "+cpu", "+pids"})
        (void)WriteCgroupFile(level + "/cgroup.subtree_control", c);
    }
  }

  // Writes without a temp file (cgroupfs has no rename); errors as values.
  static api::Status WriteCgroupFile(const std::string& path, const std::string& value) {
    std::ofstream out(path);
    if (!out) return std::unexpected(api::Internal(ErrnoMessage("open " + path)));
    out << value;
    out.flush();
    if (!out) return std::unexpected(api::Internal(ErrnoMessage("write " + path)));
    return {};
  }

  // SIGKILL to every process left in the container's cgroup (a hostPID container has no pid
  // namespace to take them down with its init).
  void KillCgroup(const std::string& path) {
    if (path.empty()) return;
    for (const auto& dir : cgroups_.Dirs(path)) {
      auto procs = ReadFile(dir + "/cgroup.procs");
      if (!procs) continue;
      size_t pos = 0;
      while (pos < procs->size()) {
        size_t nl = procs->find('\n', pos);
        int pid = std::atoi(procs->c_str() + pos);
        if (pid > 0) kill(pid, SIGKILL);
        pos = nl == std::string::npos ? procs->size() : nl + 1;
      }
    }
  }

  void Cleanup(const std::string& id, const std::string& cgroup) {
    if (!cgroup.empty()) {
      // The processes may take a moment to leave after SIGKILL.
      for (int i = 0; i < 50; ++i) {
        if (cgroups_.Remove(cgroup)) break;
        KillCgroup(cgroup);
        std::this_thread::sleep_for(20ms);
      }
    }
    RemoveAll(MonitorDir(id));
  }

  ProcessOptions o_;
  Cgroups cgroups_;
};

}  // namespace

api::Result<std::string> BuildProcessPlan(const Json& spec,
                                          const std::vector<std::string>& cgroup_procs) {
  std::string plan;
  const Json& root = spec.value("root", Json::object());
  std::string rootfs = root.value("path", "");
  if (rootfs.empty()) return std::unexpected(api::BadRequest("root.path: Required value"));
  Put(plan, "rootfs", rootfs);
  Put(plan, "readonly", root.value("readonly", false) ? "1" : "0");
  const Json& proc = spec.value("process", Json::object());
  const Json& args = proc.value("args", Json::array());
  if (!args.is_array() || args.empty())
    return std::unexpected(api::BadRequest("process.args: Required value"));
  for (const auto& a : args) Put(plan, "arg", a.is_string() ? a.get<std::string>() : a.dump());
  for (const auto& e : proc.value("env", Json::array()))
    if (e.is_string()) Put(plan, "env", e.get<std::string>());
  Put(plan, "cwd", proc.value("cwd", "/"));
  const Json& user = proc.value("user", Json::object());
  Put(plan, "uid", std::to_string(user.value("uid", 0)));
  Put(plan, "gid", std::to_string(user.value("gid", 0)));
  for (const auto& g : user.value("additionalGids", Json::array()))
    if (g.is_number_integer()) Put(plan, "gid+", std::to_string(g.get<int64_t>()));
  if (spec.contains("hostname") && spec["hostname"].is_string())
    Put(plan, "hostname", spec["hostname"].get<std::string>());
  const Json& linux = spec.value("linux", Json::object());
  for (const auto& ns : linux.value("namespaces", Json::array())) {
    std::string type = ns.value("type", "");
    std::string path = ns.value("path", "");
    if (type == "network" && !path.empty()) {
      Put(plan, "netns", path);
    } else if (type == "pid" || type == "ipc" || type == "uts" || type == "mount" ||
               type == "network" || type == "user") {
      if (!path.empty())
        return std::unexpected(api::BadRequest("linux.namespaces: joining a " + type +
                                               " namespace is not supported by the process "
                                               "runtime"));
      Put(plan, "unshare", type);
    }
  }
  for (const auto& m : spec.value("mounts", Json::array())) {
    std::string type = m.value("type", "");
    if (type == "cgroup") continue;
    unsigned long flags, propagation;
    std::string data;
    MountFlags(m.value("options", Json::array()), type, &flags, &propagation, &data);
    std::string dest = m.value("destination", "");
    if (dest.empty() || dest[0] != '/')
      return std::unexpected(
          api::BadRequest("mounts: destination \"" + dest + "\" must be an absolute path"));
    std::string value = (type == "bind" ? std::string("none") : type) + '\x1f' +
                        m.value("source", "") + '\x1f' + dest + '\x1f' + std::to_string(flags) +
                        '\x1f' + std::to_string(propagation) + '\x1f' + data;
    Put(plan, "mount", value);
  }
  for (const auto& p : linux.value("maskedPaths", Json::array()))
    if (p.is_string()) Put(plan, "masked", p.get<std::string>());
  for (const auto& p : linux.value("readonlyPaths", Json::array()))
    if (p.is_string()) Put(plan, "readonly-path", p.get<std::string>());
  if (proc.contains("oomScoreAdj") && proc["oomScoreAdj"].is_number_integer())
    Put(plan, "oom", std::to_string(proc["oomScoreAdj"].get<int>()));
  if (proc.value("noNewPrivileges", false)) Put(plan, "nnp", "1");
  if (proc.contains("capabilities")) {
    uint64_t bits = 0;
    for (const auto& c : proc["capabilities"].value("bounding", Json::array())) {
      std::string name = c.is_string() ? c.get<std::string>() : "";
      const auto& all = AllCapabilities();
      auto it = std::find(all.begin(), all.end(), name);
      if (it == all.end())
        return std::unexpected(
            api::BadRequest("process.capabilities: unknown capability \"" + name + "\""));
      int bit = static_cast<int>(it - all.begin());
      if (bit <= LastCap()) bits |= uint64_t{1} << bit;
    }
    char hex[32];
    snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(bits));
    Put(plan, "caps", hex);
  }
  for (const auto& r : proc.value("rlimits", Json::array()))
    if (r.value("type", "") == "RLIMIT_NOFILE")
      Put(plan, "nofile", std::to_string(r.value("hard", int64_t{0})));
  for (const auto& p : cgroup_procs) Put(plan, "cgroup", p);
  return plan;
}

api::Result<std::unique_ptr<ContainerRuntime>> NewProcessRuntime(const ProcessOptions& in) {
  ProcessOptions o = in;
  if (o.monitor_path.empty()) o.monitor_path = DefaultMonitorPath();
  if (access(o.monitor_path.c_str(), X_OK) != 0) {
    return std::unexpected(
        api::Internal("process runtime: monitor " + o.monitor_path + " is not executable"));
  }
  auto st = MakeDirs(o.state_dir + "/monitors", 0700);
  if (!st) return std::unexpected(st.error().Wrap("process runtime"));
  return std::unique_ptr<ContainerRuntime>(new ProcessRuntime(std::move(o)));
}

}  // namespace keelson::runtime
