// cgroup access for the node agent: detects the unified (v2) or legacy/hybrid (v1) hierarchy and
// reads container figures (memory, cpu, OOM kills) from the cgroup runc made for a
// `linux.cgroupsPath`. Thread-safe (stateless reads of /sys/fs/cgroup).
#pragma once

#include <cstdint>
#include <string>

#include "api/error.h"

namespace keelson::runtime {

struct CgroupStats {
  int64_t memory_usage = 0;        // bytes (v1 memory.usage_in_bytes, v2 memory.current)
  int64_t memory_working_set = 0;  // usage minus inactive file pages, as the kubelet reports
  int64_t memory_limit = 0;        // bytes, 0 = none
  int64_t cpu_usage_ns = 0;        // cumulative
  int64_t oom_kills = 0;           // processes killed by the OOM killer in this cgroup
  int64_t pids = 0;
};

class Cgroups {
 public:
  // `root` is the cgroup mount ("/sys/fs/cgroup"); tests point it elsewhere.
  explicit Cgroups(std::string root = "/sys/fs/cgroup");
  bool unified() const { return unified_; }
  // Figures for the cgroup at `path` ("/keelson/pod<uid>/<id>"). Errors: NotFound when the
  // cgroup does not exist (the container was deleted).
  api::Result<CgroupStats> Stats(const std::string& path) const;
  // Removes the cgroup directory `path` (must be empty of processes) from every hierarchy, and
  // then its now-empty parents up to (not including) `stop_at`. Missing is success.
  api::Status Remove(const std::string& path, const std::string& stop_at = "") const;
  // Directories of `path` in every mounted hierarchy (one for v2).
  std::vector<std::string> Dirs(const std::string& path) const;

 private:
  std::string root_;
  bool unified_ = false;
};

}  // namespace keelson::runtime
