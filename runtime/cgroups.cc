// cgroup v1/v2 figures.
#include "runtime/cgroups.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <vector>

#include "runtime/fsutil.h"

namespace keelson::runtime {

namespace {

constexpr long kCgroup2Magic = 0x63677270;

int64_t ReadInt(const std::string& path, bool* ok = nullptr) {
  auto s = ReadFile(path);
  if (ok) *ok = s.has_value();
  if (!s) return 0;
  try {
    if (s->starts_with("max")) return 0;
    return std::stoll(*s);
  } catch (...) {
    return 0;
  }
}

// "key value" lines.
int64_t ReadKey(const std::string& path, const std::string& key) {
  auto s = ReadFile(path);
  if (!s) return 0;
  std::istringstream in(*s);
  std::string k;
  int64_t v;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return 0;
}

}  // namespace

Cgroups::Cgroups(std::string root) : root_(std::move(root)) {
  struct statfs fs;
  unified_ = statfs(root_.c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == kCgroup2Magic;
}

std::vector<std::string> Cgroups::Dirs(const std::string& path) const {
  if (unified_) return {root_ + path};
  std::vector<std::string> out;
  DIR* d = opendir(root_.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == ".." || n == "unified") continue;
    std::string full = root_ + "/" + n;
    struct stat st;
    // Skip the comma-joined aliases (cpu -> cpu,cpuacct) to visit each hierarchy once.
    if (lstat(full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    out.push_back(full + path);
  }
  closedir(d);
  return out;
}

api::Result<CgroupStats> Cgroups::Stats(const std::string& path) const {
  CgroupStats s;
  bool ok = false;
  if (unified_) {
    std::string dir = root_ + path;
    s.memory_usage = ReadInt(dir + "/memory.current", &ok);
    if (!ok)
      return std::unexpected(
          api::MakeError(api::Reason::kNotFound, "cgroup " + path + " not found"));
    s.memory_limit = ReadInt(dir + "/memory.max");
    s.memory_working_set = s.memory_usage - ReadKey(dir + "/memory.stat", "inactive_file");
    s.cpu_usage_ns = ReadKey(dir + "/cpu.stat", "usage_usec") * 1000;
    s.oom_kills = ReadKey(dir + "/memory.events", "oom_kill");
    s.pids = ReadInt(dir + "/pids.current");
  } else {
    std::string mem = root_ + "/memory" + path;
    s.memory_usage = ReadInt(mem + "/memory.usage_in_bytes", &ok);
    if (!ok)
      return std::unexpected(
          api::MakeError(api::Reason::kNotFound, "cgroup " + path + " not found"));
    int64_t limit = ReadInt(mem + "/memory.limit_in_bytes");
    s.memory_limit = limit >= (int64_t{1} << 60) ? 0 : limit;
    s.memory_working_set = s.memory_usage - ReadKey(mem + "/memory.stat", "total_inactive_file");
    if (s.memory_working_set < 0) s.memory_working_set = 0;
    s.oom_kills = ReadKey(mem + "/memory.oom_control", "oom_kill");
    if (s.oom_kills == 0 && ReadKey(mem + "/memory.oom_control", "under_oom") > 0) s.oom_kills = 1;
    s.cpu_usage_ns = ReadInt(root_ + "/cpuacct" + path + "/cpuacct.usage");
    s.pids = ReadInt(root_ + "/pids" + path + "/pids.current");
  }
  return s;
}

api::Status Cgroups::Remove(const std::string& path, const std::string& stop_at) const {
  api::Status result;
  for (const auto& dir : Dirs(path)) {
    std::string d = dir;
    std::string base = dir.substr(0, dir.size() - path.size());
    std::string rel = path;
    while (!rel.empty() && rel != "/" && rel != stop_at) {
      if (rmdir((base + rel).c_str()) != 0 && errno != ENOENT) {
        if (rel == path) {
          result = std::unexpected(api::Internal(ErrnoMessage("rmdir " + base + rel)));
        }
        break;
      }
      rel = rel.substr(0, rel.rfind('/'));
    }
  }
  return result;
}

}  // namespace keelson::runtime
