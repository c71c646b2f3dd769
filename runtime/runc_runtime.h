// ContainerRuntime over runc: one keelson-monitor per container runs `runc create` + `start`,
// holds the stdio, writes the log and records the exit; this class reads what the monitors
// record, so a restarted agent sees the same containers. Thread-safe.
//
// Layout under Options::state_dir:
//   runc/             runc --root
//   monitors/<id>/    state.json (the monitor's), runc.log, cgroup (the container's cgroupsPath)
#pragma once

#include <memory>
#include <string>

#include "runtime/cgroups.h"
#include "runtime/container_runtime.h"

namespace keelson::runtime {

struct RuncOptions {
  std::string runc_path = "runc";
  std::string monitor_path;  // keelson-monitor
  std::string state_dir;
  int64_t log_max_size = 10LL << 20;
  int log_max_files = 5;
  std::string cgroup_root = "/sys/fs/cgroup";
};

// Errors: InternalError when the directories cannot be made or the binaries are missing.
api::Result<std::unique_ptr<ContainerRuntime>> NewRuncRuntime(const RuncOptions& opts);

// Where keelson-monitor is expected: beside the running executable, else $KEELSON_MONITOR, else
// the build tree's runtime/keelson-monitor ($KEELSON_BUILD_DIR).
std::string DefaultMonitorPath();

}  // namespace keelson::runtime
