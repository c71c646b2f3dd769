// Running helper programs (runc, CNI plugins, the monitor) with captured output and a timeout.
// Thread-safe: every call forks its own child.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "api/error.h"

namespace keelson::runtime {

struct CommandResult {
  int exit_code = -1;  // exit status, or 128+signal
  bool timed_out = false;
  std::string out;
  std::string err;
};

struct CommandOptions {
  std::string stdin_data;
  // Replaces the environment when non-empty ("K=V"); else the caller's environment is kept.
  std::vector<std::string> env;
  std::chrono::milliseconds timeout{60000};
  size_t max_output = 16 << 20;  // bytes kept per stream
};

// A started child: its pid and the parent's ends of its stdin, stdout and stderr pipes
// (close-on-exec). The caller owns the fds and must reap the pid with WaitCommand.
struct Child {
  int pid = -1;
  int in = -1;
  int out = -1;
  int err = -1;
};

// Starts argv[0] (searched in PATH) in its own process group with piped stdio; `env` replaces
// the environment when non-empty. With `terminal` (a pty slave fd) the child instead runs in a
// session of its own with that terminal as controlling tty and stdio, and in/out/err are -1.
// Errors: InternalError naming the program when it cannot be started.
api::Result<Child> StartCommand(const std::vector<std::string>& argv,
                                const std::vector<std::string>& env = {}, int terminal = -1);
// Waits for a child: its exit status, 128+signal, or -1 when it cannot be waited for.
int WaitCommand(int pid);

// Runs argv[0] (searched in PATH) with `opts`; the child gets its own process group, killed with
// SIGKILL at the timeout. A non-zero exit is a success of this call (see exit_code). Errors:
// InternalError when the program cannot be started (the message names it).
api::Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                      const CommandOptions& opts = {});

}  // namespace keelson::runtime
