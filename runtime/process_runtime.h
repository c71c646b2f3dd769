// ContainerRuntime without runc: keelson-monitor (in its --process mode) starts each container's
// process itself from the same OCI spec the runc runtime gets: new pid/ipc/uts/mount namespaces
// (and a user namespace when not root), the pod's network namespace joined, the spec's mounts,
// pivot_root (chroot fallback) into the rootfs, cgroup limits where the cgroup tree is writable,
// user/groups/capabilities/no_new_privs, env, cwd and argv. Logs, state.json and re-adoption work
// as with runc. Exec joins the container with `keelson-monitor --exec-in` (setns). Thread-safe.
//
// Layout under ProcessOptions::state_dir:
//   monitors/<id>/  state.json (the monitor's), plan (what the monitor runs), cgroup (the path)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/error.h"
#include "api/object.h"
#include "runtime/container_runtime.h"

namespace keelson::runtime {

struct ProcessOptions {
  std::string monitor_path;  // keelson-monitor ("" = DefaultMonitorPath())
  std::string state_dir;
  int64_t log_max_size = 10LL << 20;
  int log_max_files = 5;
  std::string cgroup_root = "/sys/fs/cgroup";
};

// Errors: InternalError when the state directory cannot be made or the monitor is missing.
api::Result<std::unique_ptr<ContainerRuntime>> NewProcessRuntime(const ProcessOptions& opts);

// The monitor's plan for an OCI runtime spec: "key\0value\0" pairs (rootfs, readonly, cwd, arg,
// env, uid, gid, gid+, hostname, unshare, netns, mount, masked, readonly-path, oom, nnp, caps,
// nofile) plus one "cgroup" entry per cgroup.procs file in `cgroup_procs`. Mounts of type
// "cgroup" are left out (the process runtime does not virtualise the cgroup tree). Errors:
// BadRequest naming the field (no root.path, no process.args, an unknown capability).
api::Result<std::string> BuildProcessPlan(const api::Json& spec,
                                          const std::vector<std::string>& cgroup_procs);

}  // namespace keelson::runtime
