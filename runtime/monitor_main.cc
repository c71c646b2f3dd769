// keelson-monitor: the per-container supervisor (the conmon / containerd-shim pattern).
//
//   keelson-monitor --id ID --bundle DIR --runc PATH --runc-root DIR --state DIR --log FILE
//                   [--log-max-size BYTES] [--log-max-files N]
//
// It detaches from its caller (the caller's child exits once the container started or failed,
// so the caller can reap it and the monitor lives on in its own session), becomes a child
// subreaper, runs `runc run --detach` with pipes as the container's stdout and stderr,
// and then:
//   - writes every output line to FILE in the CRI log format
//     ("2024-01-01T00:00:00.000000000Z stdout F line"), rotating at --log-max-size (10 MiB)
//     keeping --log-max-files files (5: FILE, FILE.1 ... FILE.4);
//   - reaps the container's init and records its exit in DIR/state.json, atomically:
//     {"status":"running","pid":N,"startedAt":"..."} then
//     {"status":"exited","pid":N,"startedAt":"...","finishedAt":"...","exitCode":N,"signal":N}.
//     A failure before the start is {"status":"failed","error":"..."}.
// The caller's process exits 0 when the container runs, 1 (message on stderr) when it could not
// be started. Killing the caller (keelsond) leaves the monitor and the container running.
// Written against libc only and linked statically: it must stay under 2 MiB RSS.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

struct Options {
  const char* id = nullptr;
  const char* bundle = nullptr;
  const char* runc = "runc";
  const char* runc_root = nullptr;
  const char* state = nullptr;
  const char* log = nullptr;
  long long log_max_size = 10LL << 20;
  int log_max_files = 5;
};

Options opt;

void Die(int sync_fd, const char* fmt, const char* arg) {
  char msg[2048];
  snprintf(msg, sizeof msg, fmt, arg);
  if (sync_fd >= 0) {
    (void)!write(sync_fd, "E", 1);
    (void)!write(sync_fd, msg, strlen(msg));
  } else {
    fprintf(stderr, "keelson-monitor: %s\n", msg);
  }
  _exit(1);
}

// Appends `s` JSON-escaped to `out` (bounded).
void JsonEscape(char* out, size_t cap, const char* s) {
  size_t n = strlen(out);
  for (; *s && n + 7 < cap; ++s) {
    unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      out[n++] = '\\';
      out[n++] = static_cast<char>(c);
    } else if (c < 0x20) {
      n += static_cast<size_t>(snprintf(out + n, cap - n, "\\u%04x", c));
    } else {
      out[n++] = static_cast<char>(c);
    }
  }
  out[n] = 0;
}

void WriteState(const char* json) {
  char tmp[4200], dst[4200];
  snprintf(tmp, sizeof tmp, "%s/state.json.tmp", opt.state);
  snprintf(dst, sizeof dst, "%s/state.json", opt.state);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  (void)!write(fd, json, strlen(json));
  fsync(fd);
  close(fd);
  rename(tmp, dst);
}

void Timestamp(char* out, size_t cap) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t;
  gmtime_r(&ts.tv_sec, &t);
  snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", t.tm_year + 1900, t.tm_mon + 1,
           t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec);
}

// Runs argv with stdin from /dev/null, stdout/stderr to the given fds; returns the exit status.
int Run(char* const argv[], int out_fd, int err_fd) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    execvp(argv[0], argv);
    _exit(127);
  }
  if (pid < 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// The last "msg" of runc's JSON log (its error), or "".
void RuncError(const char* log_path, char* out, size_t cap) {
  out[0] = 0;
  int fd = open(log_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  static char buf[65536];
  off_t size = lseek(fd, 0, SEEK_END);
  off_t from =
      size > static_cast<off_t>(sizeof buf - 1) ? size - static_cast<off_t>(sizeof buf - 1) : 0;
  ssize_t n = pread(fd, buf, sizeof buf - 1, from);
  close(fd);
  if (n <= 0) return;
  buf[n] = 0;
  // Find the last line containing "level":"error".
  char* last = nullptr;
  for (char* p = strstr(buf, "\"level\":\"error\""); p; p = strstr(p + 1, "\"level\":\"error\""))
    last = p;
  if (last == nullptr) return;
  while (last > buf && last[-1] != '\n') --last;
  char* msg = strstr(last, "\"msg\":\"");
  if (msg == nullptr) return;
  msg += 7;
  size_t i = 0;
  for (; *msg && *msg != '\n' && i + 1 < cap; ++msg) {
    if (*msg == '\\' && msg[1]) {
      ++msg;
      out[i++] = *msg == 'n' ? ' ' : *msg;
      continue;
    }
    if (*msg == '"') break;
    out[i++] = *msg;
  }
  out[i] = 0;
}

// CRI log writer with rotation.
struct LogWriter {
  int fd = -1;
  long long size = 0;

  void Open() {
    fd = open(opt.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    struct stat st;
    size = (fd >= 0 && fstat(fd, &st) == 0) ? st.st_size : 0;
  }
  void Rotate() {
    if (fd >= 0) close(fd);
    char from[4200], to[4200];
    for (int i = opt.log_max_files - 1; i >= 1; --i) {
      if (i == 1)
        snprintf(from, sizeof from, "%s", opt.log);
      else
        snprintf(from, sizeof from, "%s.%d", opt.log, i - 1);
      snprintf(to, sizeof to, "%s.%d", opt.log, i);
      rename(from, to);
    }
    if (opt.log_max_files <= 1) unlink(opt.log);
    Open();
  }
  void Line(const char* stream, const char* data, size_t len, bool partial) {
    if (fd < 0) return;
    char head[96];
    Timestamp(head, sizeof head);
    size_t hl = strlen(head);
    hl += static_cast<size_t>(
        snprintf(head + hl, sizeof head - hl, " %s %c ", stream, partial ? 'P' : 'F'));
    if (size > 0 && size + static_cast<long long>(hl + len + 1) > opt.log_max_size) Rotate();
    iovec iov[3] = {{head, hl}, {const_cast<char*>(data), len}, {const_cast<char*>("\n"), 1}};
    ssize_t n = writev(fd, iov, 3);
    if (n > 0) size += n;
  }
};

struct Stream {
  const char* name;
  int fd;
  char buf[16384];
  size_t len = 0;
};

// Reads what is available and writes complete lines; returns false at EOF.
bool Pump(Stream& s, LogWriter& log) {
  ssize_t n = read(s.fd, s.buf + s.len, sizeof s.buf - s.len);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) {
    if (s.len > 0) log.Line(s.name, s.buf, s.len, false);
    s.len = 0;
    return false;
  }
  s.len += static_cast<size_t>(n);
  size_t start = 0;
  for (size_t i = 0; i < s.len; ++i) {
    if (s.buf[i] == '\n') {
      log.Line(s.name, s.buf + start, i - start, false);
      start = i + 1;
    }
  }
  if (start == 0 && s.len == sizeof s.buf) {
    log.Line(s.name, s.buf, s.len, true);  // a line longer than the buffer: a partial entry
    s.len = 0;
    return true;
  }
  memmove(s.buf, s.buf + start, s.len - start);
  s.len -= start;
  return true;
}

bool ParseArgs(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const char* k = argv[i];
    const char* v = argv[i + 1];
    if (!strcmp(k, "--id"))
      opt.id = v;
    else if (!strcmp(k, "--bundle"))
      opt.bundle = v;
    else if (!strcmp(k, "--runc"))
      opt.runc = v;
    else if (!strcmp(k, "--runc-root"))
      opt.runc_root = v;
    else if (!strcmp(k, "--state"))
      opt.state = v;
    else if (!strcmp(k, "--log"))
      opt.log = v;
    else if (!strcmp(k, "--log-max-size"))
      opt.log_max_size = atoll(v);
    else if (!strcmp(k, "--log-max-files"))
      opt.log_max_files = atoi(v);
    else
      return false;
  }
  return (argc % 2 == 1) && opt.id && opt.bundle && opt.runc_root && opt.state && opt.log;
}

}  // namespace

int main(int argc, char** argv) {
  if (!ParseArgs(argc, argv)) {
    fprintf(stderr,
            "usage: keelson-monitor --id ID --bundle DIR --runc PATH --runc-root DIR --state DIR "
            "--log FILE "
            "[--log-max-size BYTES] [--log-max-files N]\n");
    return 2;
  }
  int sync[2];
  if (pipe2(sync, O_CLOEXEC) != 0) return 1;
  pid_t child = fork();
  if (child < 0) {
    perror("keelson-monitor: fork");
    return 1;
  }
  if (child > 0) {
    // The caller's child: wait for the daemon's verdict, then exit so the caller can reap us.
    close(sync[1]);
    char msg[2100];
    size_t n = 0;
    ssize_t r;
    while (n + 1 < sizeof msg && (r = read(sync[0], msg + n, sizeof msg - 1 - n)) != 0) {
      if (r < 0) {
        if (errno == EINTR) continue;
        break;
      }
      n += static_cast<size_t>(r);
    }
    msg[n] = 0;
    if (n > 0 && msg[0] == 'S') {
      printf("%s\n", msg + 1);
      return 0;
    }
    fprintf(stderr, "%s\n",
            n > 1 ? msg + 1 : "keelson-monitor exited before starting the container");
    return 1;
  }
  close(sync[0]);
  setsid();
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(devnull, 1);
  dup2(devnull, 2);
  chdir("/");

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
    Die(sync[1], "pipe: %s", strerror(errno));
  LogWriter log;
  log.Open();
  if (log.fd < 0) Die(sync[1], "open log: %s", strerror(errno));

  char pid_file[4200], runc_log[4200];
  snprintf(pid_file, sizeof pid_file, "%s/pid", opt.state);
  snprintf(runc_log, sizeof runc_log, "%s/runc.log", opt.state);
  unlink(pid_file);
  // `runc run --detach` (create + start in one runc process): its stdio become the container's
  // (pass-through), so give it the pipes' write ends. The container's init is re-parented to us
  // (the subreaper) when runc exits.
  {
    char* args[] = {const_cast<char*>(opt.runc),
                    const_cast<char*>("--root"),
                    const_cast<char*>(opt.runc_root),
                    const_cast<char*>("--log"),
                    runc_log,
                    const_cast<char*>("--log-format"),
                    const_cast<char*>("json"),
                    const_cast<char*>("run"),
                    const_cast<char*>("--detach"),
                    const_cast<char*>("--bundle"),
                    const_cast<char*>(opt.bundle),
                    const_cast<char*>("--pid-file"),
                    pid_file,
                    const_cast<char*>(opt.id),
                    nullptr};
    int st = Run(args, out_pipe[1], err_pipe[1]);
    if (st != 0) {
      char err[1024];
      RuncError(runc_log, err, sizeof err);
      char json[3000] = "{\"status\":\"failed\",\"error\":\"";
      char msg[1100];
      snprintf(msg, sizeof msg, "runc run: %s", err[0] ? err : "failed");
      JsonEscape(json, sizeof json, msg);
      strcat(json, "\"}");
      WriteState(json);
      Die(sync[1], "%s", msg);
    }
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  pid_t cpid = 0;
  {
    char buf[32] = {};
    int fd = open(pid_file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      (void)!read(fd, buf, sizeof buf - 1);
      close(fd);
    }
    cpid = static_cast<pid_t>(atoi(buf));
    if (cpid <= 0) Die(sync[1], "%s", "runc run wrote no pid file");
  }
  char started[64];
  Timestamp(started, sizeof started);
  {
    char json[512];
    snprintf(json, sizeof json,
             "{\"status\":\"running\",\"pid\":%d,\"monitorPid\":%d,\"startedAt\":\"%s\"}", cpid,
             getpid(), started);
    WriteState(json);
    char msg[64];
    snprintf(msg, sizeof msg, "S%d", cpid);
    (void)!write(sync[1], msg, strlen(msg));
    close(sync[1]);
  }

  Stream streams[2] = {{"stdout", out_pipe[0], {}, 0}, {"stderr", err_pipe[0], {}, 0}};
  bool open_streams[2] = {true, true};
  bool exited = false;
  int status = 0;
  timespec exit_time{};
  for (;;) {
    pollfd fds[3];
    int nfds = 0;
    int map[3] = {-1, -1, -1};
    for (int i = 0; i < 2; ++i) {
      if (open_streams[i]) {
        fds[nfds] = {streams[i].fd, POLLIN, 0};
        map[nfds++] = i;
      }
    }
    fds[nfds] = {sfd, POLLIN, 0};
    map[nfds++] = 2;
    // After the exit, give the pipes 2 s to drain (a daemonized grandchild may hold them).
    int timeout = -1;
    if (exited) {
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long waited =
          (now.tv_sec - exit_time.tv_sec) * 1000 + (now.tv_nsec - exit_time.tv_nsec) / 1000000;
      timeout = waited >= 2000 ? 0 : static_cast<int>(2000 - waited);
      if (timeout == 0 || (!open_streams[0] && !open_streams[1])) break;
    }
    int r = poll(fds, static_cast<nfds_t>(nfds), timeout);
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < nfds && r > 0; ++i) {
      if (!fds[i].revents) continue;
      if (map[i] == 2) {
        signalfd_siginfo si;
        while (read(sfd, &si, sizeof si) > 0) {
        }
        int st;
        pid_t p;
        while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
          if (p == cpid && !exited) {
            exited = true;
            status = st;
            clock_gettime(CLOCK_MONOTONIC, &exit_time);
          }
        }
      } else if (!Pump(streams[map[i]], log)) {
        open_streams[map[i]] = false;
      }
    }
  }
  char finished[64];
  Timestamp(finished, sizeof finished);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  char json[512];
  snprintf(json, sizeof json,
           "{\"status\":\"exited\",\"pid\":%d,\"startedAt\":\"%s\",\"finishedAt\":\"%s\","
           "\"exitCode\":%d,\"signal\":%d}",
           cpid, started, finished, code, sig);
  WriteState(json);
  return 0;
}
