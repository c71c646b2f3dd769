// The container runtime seam: what the pod worker needs from runc (or the process runtime) to
// run, observe, signal, exec into and remove one container. The pod worker never knows which
// implementation it drives.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/error.h"
#include "api/object.h"
#include "runtime/cgroups.h"

namespace keelson::runtime {

enum class ContainerStatus { kRunning, kExited, kUnknown };

struct ContainerState {
  std::string id;
  ContainerStatus status = ContainerStatus::kUnknown;
  int pid = 0;
  std::string started_at;  // RFC 3339 with nanoseconds
  std::string finished_at;
  int exit_code = 0;  // exit status or 128+signal
  int signal = 0;
  bool oom_killed = false;  // the cgroup saw an OOM kill
  std::string error;        // why it failed to start (status kUnknown)
};

struct StartRequest {
  std::string id;        // unique, [a-zA-Z0-9_.-]
  std::string dir;       // the container directory (bundle): config.json is written here
  api::Json spec;        // the OCI runtime spec (root.path usually dir + "/rootfs")
  std::string log_path;  // CRI-format log file the monitor writes
};

struct ExecOutput {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};

// An interactive exec started by ExecStart. The caller owns the fds and reaps the process with
// WaitCommand(pid) (runtime/process.h), whose status is the command's exit code.
//   tty:   `terminal` is the pty master (read output, write input, resize with TIOCSWINSZ);
//          in/out/err are -1 and the runtime's own errors arrive on the terminal too.
//   no tty: in/out/err are the command's stdin, stdout and stderr pipes.
struct ExecProcess {
  int pid = -1;
  int terminal = -1;
  int in = -1;
  int out = -1;
  int err = -1;
};

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;
  // Creates and starts the container under a monitor that outlives the caller. Returns its
  // state once the process runs. Errors: Invalid-like BadRequest carrying the runtime's message
  // (RunContainerError, e.g. `exec: "x": executable file not found in $PATH`); the container is
  // removed again on error.
  virtual api::Result<ContainerState> Start(const StartRequest& req) = 0;
  // The current state (from the monitor's state file, verified against the process). Errors:
  // NotFound (no such container).
  virtual api::Result<ContainerState> State(const std::string& id) = 0;
  // Sends `signal` to the container's init. Errors: NotFound; success if it already exited.
  virtual api::Status Kill(const std::string& id, int signal) = 0;
  // Kills (if running) and removes the container from the runtime, and waits for its monitor to
  // record the exit. Idempotent: success if it does not exist. Leaves `dir` to the caller.
  virtual api::Status Delete(const std::string& id) = 0;
  // Ids of every container the runtime knows (running or exited), for re-adoption and cleanup.
  virtual api::Result<std::vector<std::string>> List() = 0;
  // Runs argv inside the running container and returns its output. Errors: NotFound, and
  // InternalError when the runtime could not exec at all.
  virtual api::Result<ExecOutput> Exec(const std::string& id, const std::vector<std::string>& argv,
                                       std::chrono::milliseconds timeout,
                                       const std::string& stdin_data = "") = 0;
  // Starts argv inside the running container with live stdio (and a terminal when `tty`), for
  // interactive exec. Errors: NotFound, BadRequest (not running), InternalError; runtimes that
  // cannot stream answer BadRequest and callers fall back to Exec.
  virtual api::Result<ExecProcess> ExecStart(const std::string& id,
                                             const std::vector<std::string>& argv, bool tty) {
    (void)id, (void)argv, (void)tty;
    return std::unexpected(api::BadRequest("the " + Name() + " runtime cannot stream exec"));
  }
  // cgroup figures. Errors: NotFound.
  virtual api::Result<CgroupStats> Stats(const std::string& id) = 0;
  // "runc" or "process".
  virtual std::string Name() const = 0;
};

}  // namespace keelson::runtime
