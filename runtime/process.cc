// RunCommand: fork/exec with pipes, poll and a deadline.
#include "runtime/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/fsutil.h"

namespace keelson::runtime {

api::Result<Child> StartCommand(const std::vector<std::string>& argv,
                                const std::vector<std::string>& env, int terminal) {
  if (argv.empty()) return std::unexpected(api::Internal("run: empty command"));
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<char*> cenv;
  for (auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  if (terminal < 0) {
    // posix_spawn (vfork semantics: no copy of this process's page tables, which grow with the
    // number of pods) instead of fork; it reports exec failures as its return value.
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
      return std::unexpected(api::Internal(ErrnoMessage("run " + argv[0] + ": pipe")));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, pipe_only;
    sigemptyset(&none);
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &pipe_only);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);
    pid_t pid = -1;
    int e = posix_spawnp(&pid, cargv[0], &actions, &attr, cargv.data(),
                         env.empty() ? environ : cenv.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (e != 0) {
      close(in[1]);
      close(out[0]);
      close(err[0]);
      return std::unexpected(api::Internal("run " + argv[0] + ": " + std::strerror(e)));
    }
    return Child{pid, in[1], out[0], err[0]};
  }

  // With a terminal: fork, for the controlling tty (TIOCSCTTY) posix_spawn cannot set.
  int in[2], out[2], err[2], exec_err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) ||
      pipe2(exec_err, O_CLOEXEC)) {
    return std::unexpected(api::Internal(ErrnoMessage("run " + argv[0] + ": pipe")));
  }
  pid_t pid = fork();
  if (pid < 0) return std::unexpected(api::Internal(ErrnoMessage("run " + argv[0] + ": fork")));
  if (pid == 0) {
    if (terminal >= 0) {
      // A session of its own with the terminal as the controlling tty and all of stdio.
      setsid();
      ioctl(terminal, TIOCSCTTY, 0);
      dup2(terminal, 0);
      dup2(terminal, 1);
      dup2(terminal, 2);
    } else {
      setpgid(0, 0);
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(err[1], 2);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    if (!env.empty()) {
      execvpe(cargv[0], cargv.data(), cenv.data());
    } else {
      execvp(cargv[0], cargv.data());
    }
    int e = errno;
    (void)!write(exec_err[1], &e, sizeof e);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  close(exec_err[1]);
  int e = 0;
  ssize_t got = read(exec_err[0], &e, sizeof e);
  close(exec_err[0]);
  if (got == sizeof e) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    waitpid(pid, nullptr, 0);
    return std::unexpected(api::Internal("run " + argv[0] + ": " + std::strerror(e)));
  }
  if (terminal >= 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    return Child{pid, -1, -1, -1};
  }
  return Child{pid, in[1], out[0], err[0]};
}

int WaitCommand(int pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

api::Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                      const CommandOptions& opts) {
  auto child = StartCommand(argv, opts.env);
  if (!child) return std::unexpected(child.error());
  pid_t pid = child->pid;
  int in[2] = {-1, child->in}, out[2] = {child->out, -1}, err[2] = {child->err, -1};
  fcntl(in[1], F_SETFL, O_NONBLOCK);
  CommandResult res;
  size_t written = 0;
  int in_fd = in[1];
  if (opts.stdin_data.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  auto deadline = std::chrono::steady_clock::now() + opts.timeout;
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    pollfd fds[3];
    int n = 0;
    int which[3];
    if (out_open) fds[n] = {out[0], POLLIN, 0}, which[n++] = 1;
    if (err_open) fds[n] = {err[0], POLLIN, 0}, which[n++] = 2;
    if (in_fd >= 0) fds[n] = {in_fd, POLLOUT, 0}, which[n++] = 0;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      res.timed_out = true;
      break;
    }
    int r = poll(fds, static_cast<nfds_t>(n), static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (which[i] == 0) {
        ssize_t w =
            write(in_fd, opts.stdin_data.data() + written, opts.stdin_data.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN) written = opts.stdin_data.size();
        if (written >= opts.stdin_data.size()) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      int fd = which[i] == 1 ? out[0] : err[0];
      ssize_t rd = read(fd, buf, sizeof buf);
      if (rd > 0) {
        std::string& dst = which[i] == 1 ? res.out : res.err;
        if (dst.size() < opts.max_output)
          dst.append(buf, std::min(static_cast<size_t>(rd), opts.max_output - dst.size()));
      } else if (rd == 0 || (errno != EINTR && errno != EAGAIN)) {
        (which[i] == 1 ? out_open : err_open) = false;
      }
    }
  }
  if (in_fd >= 0) close(in_fd);
  close(out[0]);
  close(err[0]);
  if (res.timed_out) kill(-pid, SIGKILL);
  res.exit_code = WaitCommand(pid);
  return res;
}

}  // namespace keelson::runtime
