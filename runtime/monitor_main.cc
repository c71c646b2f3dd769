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
//
// Process mode (the process runtime, for machines without runc): `--process PLAN` replaces
// `--runc`/`--runc-root`/`--bundle`; the monitor itself starts the container's process as the
// plan says (namespaces, mounts, pivot_root or chroot into the rootfs, cgroups, user, caps, env,
// cwd, argv) with the same logging and state.json semantics. PLAN is written by
// runtime/process_runtime.cc: "key\0value\0" pairs (see ReadPlan).
//
//   keelson-monitor --exec-in PID --plan PLAN -- ARGV...
// runs ARGV inside the running container whose init is PID (setns into its namespaces, its root,
// cgroups, user and environment), with the caller's stdio; exits with ARGV's status (128+signal).
// Written against libc only and linked statically: it must stay under 2 MiB RSS.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
  const char* process_plan = nullptr;  // process mode
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

// Atomic for readers (rename); not flushed to disk: what it describes (a process) does not
// survive a machine crash, and a flush would put disk latency on every container start.
void WriteState(const char* json) {
  char tmp[4200], dst[4200];
  snprintf(tmp, sizeof tmp, "%s/state.json.tmp", opt.state);
  snprintf(dst, sizeof dst, "%s/state.json", opt.state);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  (void)!write(fd, json, strlen(json));
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
    else if (!strcmp(k, "--process"))
      opt.process_plan = v;
    else
      return false;
  }
  if (opt.process_plan) return (argc % 2 == 1) && opt.id && opt.state && opt.log;
  return (argc % 2 == 1) && opt.id && opt.bundle && opt.runc_root && opt.state && opt.log;
}

// ---- Process mode: the monitor starts the container's process itself ----

struct PlanMount {
  const char* type;
  const char* source;
  const char* dest;
  unsigned long flags;
  unsigned long propagation;
  const char* data;
};

struct Plan {
  const char* rootfs = nullptr;
  bool readonly = false;
  const char* cwd = "/";
  const char* args[1024];
  int nargs = 0;
  const char* env[4096];
  int nenv = 0;
  long uid = 0, gid = 0;
  gid_t gids[64];
  int ngids = 0;
  const char* hostname = nullptr;
  int clone_flags = 0;
  const char* netns = nullptr;
  PlanMount mounts[128];
  int nmounts = 0;
  const char* cgroups[32];  // cgroup.procs files to join
  int ncgroups = 0;
  const char* masked[64];
  int nmasked = 0;
  const char* readonly_paths[64];
  int nreadonly = 0;
  bool has_oom = false;
  int oom = 0;
  bool nnp = false;
  bool has_caps = false;
  unsigned long long caps = 0;
  long long nofile = 0;
};

Plan plan;

// Splits `s` at `sep` into at most n fields (in place).
int Split(char* s, char sep, char** fields, int n) {
  int k = 0;
  fields[k++] = s;
  for (char* p = s; *p && k < n; ++p) {
    if (*p == sep) {
      *p = 0;
      fields[k++] = p + 1;
    }
  }
  return k;
}

// Reads the plan: "key\0value\0" pairs. Returns an error message or nullptr.
const char* ReadPlan(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "open plan";
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > (64 << 20)) {
    close(fd);
    return "plan size";
  }
  char* buf = static_cast<char*>(malloc(static_cast<size_t>(st.st_size) + 1));
  if (!buf) return "plan: out of memory";
  size_t len = 0;
  while (len < static_cast<size_t>(st.st_size)) {
    ssize_t n = read(fd, buf + len, static_cast<size_t>(st.st_size) - len);
    if (n <= 0) break;
    len += static_cast<size_t>(n);
  }
  close(fd);
  buf[len] = 0;
  size_t i = 0;
  while (i < len) {
    char* key = buf + i;
    i += strlen(key) + 1;
    if (i >= len + 1) return "plan: key without value";
    char* val = buf + i;
    i += strlen(val) + 1;
    if (!strcmp(key, "rootfs")) {
      plan.rootfs = val;
    } else if (!strcmp(key, "readonly")) {
      plan.readonly = val[0] == '1';
    } else if (!strcmp(key, "cwd")) {
      plan.cwd = val;
    } else if (!strcmp(key, "arg")) {
      if (plan.nargs + 1 >= 1024) return "plan: too many args";
      plan.args[plan.nargs++] = val;
    } else if (!strcmp(key, "env")) {
      if (plan.nenv + 1 >= 4096) return "plan: too many env";
      plan.env[plan.nenv++] = val;
    } else if (!strcmp(key, "uid")) {
      plan.uid = atol(val);
    } else if (!strcmp(key, "gid")) {
      plan.gid = atol(val);
    } else if (!strcmp(key, "gid+")) {
      if (plan.ngids < 64) plan.gids[plan.ngids++] = static_cast<gid_t>(atol(val));
    } else if (!strcmp(key, "hostname")) {
      plan.hostname = val;
    } else if (!strcmp(key, "unshare")) {
      if (!strcmp(val, "pid")) plan.clone_flags |= CLONE_NEWPID;
      if (!strcmp(val, "ipc")) plan.clone_flags |= CLONE_NEWIPC;
      if (!strcmp(val, "uts")) plan.clone_flags |= CLONE_NEWUTS;
      if (!strcmp(val, "mount")) plan.clone_flags |= CLONE_NEWNS;
      if (!strcmp(val, "network")) plan.clone_flags |= CLONE_NEWNET;
      if (!strcmp(val, "user")) plan.clone_flags |= CLONE_NEWUSER;
    } else if (!strcmp(key, "netns")) {
      plan.netns = val;
    } else if (!strcmp(key, "mount")) {
      char* f[6];
      if (Split(val, '\x1f', f, 6) != 6 || plan.nmounts >= 128) return "plan: bad mount";
      plan.mounts[plan.nmounts++] = {
          f[0], f[1], f[2], strtoul(f[3], nullptr, 10), strtoul(f[4], nullptr, 10), f[5]};
    } else if (!strcmp(key, "cgroup")) {
      if (plan.ncgroups < 32) plan.cgroups[plan.ncgroups++] = val;
    } else if (!strcmp(key, "masked")) {
      if (plan.nmasked < 64) plan.masked[plan.nmasked++] = val;
    } else if (!strcmp(key, "readonly-path")) {
      if (plan.nreadonly < 64) plan.readonly_paths[plan.nreadonly++] = val;
    } else if (!strcmp(key, "oom")) {
      plan.has_oom = true;
      plan.oom = atoi(val);
    } else if (!strcmp(key, "nnp")) {
      plan.nnp = val[0] == '1';
    } else if (!strcmp(key, "caps")) {
      plan.has_caps = true;
      plan.caps = strtoull(val, nullptr, 16);
    } else if (!strcmp(key, "nofile")) {
      plan.nofile = atoll(val);
    }
  }
  plan.args[plan.nargs] = nullptr;
  plan.env[plan.nenv] = nullptr;
  if (!plan.rootfs || plan.nargs == 0) return "plan: rootfs and arg are required";
  return nullptr;
}

// Go-style error text: strerror lower-cased at the start ("no such file or directory").
const char* GoErr(int e) {
  static char buf[256];
  snprintf(buf, sizeof buf, "%s", strerror(e));
  if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z')) buf[0] += 'a' - 'A';
  return buf;
}

int child_err_fd = -1;

[[noreturn]] void ChildFail(const char* fmt, const char* a, const char* b = "") {
  char msg[2048];
  snprintf(msg, sizeof msg, fmt, a, b);
  (void)!write(child_err_fd, msg, strlen(msg));
  _exit(127);
}

void MkdirAll(const char* path, mode_t mode) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char* p = tmp + 1; *p; ++p) {
    if (*p == '/') {
      *p = 0;
      mkdir(tmp, mode);
      *p = '/';
    }
  }
  mkdir(tmp, mode);
}

void WriteText(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)!write(fd, text, strlen(text));
  close(fd);
}

const char* EnvValue(const char* const* env, const char* key) {
  size_t kl = strlen(key);
  for (; *env; ++env)
    if (!strncmp(*env, key, kl) && (*env)[kl] == '=') return *env + kl + 1;
  return nullptr;
}

// execve with the container's PATH ($PATH lookup as Go's exec.LookPath does); returns only on
// error, after reporting it.
[[noreturn]] void ExecPlanned(char* const* argv, char* const* env) {
  const char* file = argv[0];
  if (strchr(file, '/')) {
    execve(file, argv, env);
    int e = errno;
    ChildFail("exec: \"%s\": %s", file, GoErr(e));
  }
  const char* path = EnvValue(env, "PATH");
  if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  char dir[2048], full[4200];
  const char* p = path;
  int last = ENOENT;
  while (true) {
    const char* end = strchr(p, ':');
    size_t n = end ? static_cast<size_t>(end - p) : strlen(p);
    snprintf(dir, sizeof dir, "%.*s", static_cast<int>(n), n ? p : ".");
    snprintf(full, sizeof full, "%s/%s", dir, file);
    struct stat st;
    if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) {
      execve(full, argv, env);
      last = errno;
      break;
    }
    if (!end) break;
    p = end + 1;
  }
  if (last == ENOENT) ChildFail("exec: \"%s\": executable file not found in $PATH", file);
  ChildFail("exec: \"%s\": %s", file, GoErr(last));
}

// User, groups, capabilities, no_new_privs: the last steps before exec.
void DropPrivileges() {
  if (plan.has_caps) {
    for (int c = 0; c <= 63; ++c) {
      if (plan.caps & (1ULL << c)) continue;
      if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno == EINVAL) break;  // past the last
    }
  }
  prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
  if (setgroups(static_cast<size_t>(plan.ngids), plan.gids) != 0 && errno != EPERM)
    ChildFail("setgroups: %s%s", GoErr(errno));
  if (setresgid(static_cast<gid_t>(plan.gid), static_cast<gid_t>(plan.gid),
                static_cast<gid_t>(plan.gid)) != 0)
    ChildFail("setgid %s: %s", plan.gid == 0 ? "0" : "n", GoErr(errno));
  if (setresuid(static_cast<uid_t>(plan.uid), static_cast<uid_t>(plan.uid),
                static_cast<uid_t>(plan.uid)) != 0)
    ChildFail("setuid: %s%s", GoErr(errno));
  if (plan.has_caps) {
    __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    for (int i = 0; i < 2; ++i) {
      unsigned v = static_cast<unsigned>(plan.caps >> (32 * i));
      data[i].effective = data[i].permitted = data[i].inheritable = v;
    }
    if (syscall(SYS_capset, &hdr, data) != 0) ChildFail("capset: %s%s", GoErr(errno));
  }
  if (plan.nnp) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

struct ChildArgs {
  int go_fd;
  int err_fd;
  int out_fd;
  int errout_fd;
};

// The container's init before exec: runs in the new namespaces, cloned by the monitor.
int ChildMain(void* arg) {
  ChildArgs* a = static_cast<ChildArgs*>(arg);
  child_err_fd = a->err_fd;
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  dup2(devnull, 0);
  dup2(a->out_fd, 1);
  dup2(a->errout_fd, 2);
  for (int sig = 1; sig < 32; ++sig) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Wait for the monitor: cgroups joined, id maps written.
  char go = 0;
  while (read(a->go_fd, &go, 1) < 0 && errno == EINTR) {
  }
  if (go != 'G') _exit(126);
  if (plan.netns) {
    int fd = open(plan.netns, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0)
      ChildFail("join network namespace %s: %s", plan.netns, GoErr(errno));
    close(fd);
  }
  if (plan.hostname && (plan.clone_flags & CLONE_NEWUTS) &&
      sethostname(plan.hostname, strlen(plan.hostname)) != 0)
    ChildFail("sethostname %s: %s", plan.hostname, GoErr(errno));
  if (plan.has_oom) {
    char v[32];
    snprintf(v, sizeof v, "%d", plan.oom);
    WriteText("/proc/self/oom_score_adj", v);
  }
  if (plan.nofile > 0) {
    rlimit rl = {static_cast<rlim_t>(plan.nofile), static_cast<rlim_t>(plan.nofile)};
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  const char* root = plan.rootfs;
  char target[4096];
  if (plan.clone_flags & CLONE_NEWNS) {
    if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
      ChildFail("make / rslave: %s%s", GoErr(errno));
    if (mount(root, root, nullptr, MS_BIND | MS_REC, nullptr) != 0)
      ChildFail("bind rootfs %s: %s", root, GoErr(errno));
    for (int i = 0; i < plan.nmounts; ++i) {
      const PlanMount& m = plan.mounts[i];
      snprintf(target, sizeof target, "%s%s", root, m.dest);
      bool bind = (m.flags & MS_BIND) != 0;
      struct stat st;
      if (bind && stat(m.source, &st) == 0 && !S_ISDIR(st.st_mode)) {
        char parent[4096];
        snprintf(parent, sizeof parent, "%s", target);
        if (char* slash = strrchr(parent, '/')) *slash = 0;
        MkdirAll(parent, 0755);
        int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) close(fd);
      } else {
        MkdirAll(target, 0755);
      }
      unsigned long flags = m.flags & ~static_cast<unsigned long>(MS_RDONLY);
      if (!bind) flags = m.flags;
      if (mount(m.source, target, m.type, flags, m.data[0] ? m.data : nullptr) != 0) {
        int e = errno;
        // sysfs needs a network namespace of our own; fall back to the host's, read-only.
        if (!strcmp(m.type, "sysfs") &&
            mount("/sys", target, nullptr, MS_BIND | MS_REC, nullptr) == 0) {
          mount(nullptr, target, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr);
          continue;
        }
        if (!strcmp(m.type, "mqueue")) continue;  // optional
        ChildFail("mount %s: %s", m.dest, GoErr(e));
      }
      if (bind && (m.flags & MS_RDONLY) &&
          mount(nullptr, target, nullptr,
                MS_REMOUNT | MS_BIND | MS_RDONLY | (m.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)),
                nullptr) != 0)
        ChildFail("remount %s read-only: %s", m.dest, GoErr(errno));
      if (m.propagation) mount(nullptr, target, nullptr, m.propagation, nullptr);
    }
    // /dev: the usual nodes, bound from the host (mknod may not be allowed).
    static const char* const kDevices[] = {"null", "zero", "full", "random", "urandom", "tty"};
    for (const char* dev : kDevices) {
      char src[64];
      snprintf(src, sizeof src, "/dev/%s", dev);
      snprintf(target, sizeof target, "%s/dev/%s", root, dev);
      struct stat st;
      if (lstat(target, &st) != 0) {
        int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd >= 0) close(fd);
      }
      mount(src, target, nullptr, MS_BIND, nullptr);
    }
    static const char* const kLinks[][2] = {{"/proc/self/fd", "fd"},
                                            {"/proc/self/fd/0", "stdin"},
                                            {"/proc/self/fd/1", "stdout"},
                                            {"/proc/self/fd/2", "stderr"},
                                            {"pts/ptmx", "ptmx"}};
    for (auto& l : kLinks) {
      snprintf(target, sizeof target, "%s/dev/%s", root, l[1]);
      (void)!symlink(l[0], target);
    }
    if (chdir(root) != 0) ChildFail("chdir %s: %s", root, GoErr(errno));
    // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the
    // container's tree. A rootfs pivot_root refuses (initramfs) falls back to chroot.
    if (syscall(SYS_pivot_root, ".", ".") == 0) {
      if (umount2(".", MNT_DETACH) != 0) ChildFail("detach old root: %s%s", GoErr(errno));
    } else if (chroot(".") != 0) {
      ChildFail("chroot %s: %s", root, GoErr(errno));
    }
    if (chdir("/") != 0) ChildFail("chdir /: %s%s", GoErr(errno));
    for (int i = 0; i < plan.nmasked; ++i) {
      struct stat st;
      if (stat(plan.masked[i], &st) != 0) continue;
      if (S_ISDIR(st.st_mode))
        mount("tmpfs", plan.masked[i], "tmpfs", MS_RDONLY, nullptr);
      else
        mount("/dev/null", plan.masked[i], nullptr, MS_BIND, nullptr);
    }
    for (int i = 0; i < plan.nreadonly; ++i) {
      if (mount(plan.readonly_paths[i], plan.readonly_paths[i], nullptr, MS_BIND | MS_REC,
                nullptr) == 0)
        mount(nullptr, plan.readonly_paths[i], nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr);
    }
    if (plan.readonly &&
        mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
      ChildFail("remount rootfs read-only: %s%s", GoErr(errno));
  } else {
    if (chroot(root) != 0) ChildFail("chroot %s: %s", root, GoErr(errno));
    if (chdir("/") != 0) ChildFail("chdir /: %s%s", GoErr(errno));
  }
  DropPrivileges();
  if (chdir(plan.cwd) != 0)
    ChildFail("chdir to cwd (\"%s\") set in config.json failed: %s", plan.cwd, GoErr(errno));
  ExecPlanned(const_cast<char* const*>(plan.args), const_cast<char* const*>(plan.env));
}

void WriteIdMap(pid_t pid, const char* file, long inside, long outside) {
  char path[64], text[64];
  snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
  snprintf(text, sizeof text, "%ld %ld 1\n", inside, outside);
  WriteText(path, text);
}

// Starts the planned process with its stdout/stderr on the given pipes; returns its pid. On
// failure records the failed state and reports through `sync_fd` (does not return).
pid_t StartPlannedProcess(int sync_fd, int out_fd, int err_fd) {
  if (const char* e = ReadPlan(opt.process_plan)) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s: %s", e, opt.process_plan);
    Die(sync_fd, "%s", msg);
  }
  int go[2], errp[2];
  if (pipe2(go, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0)
    Die(sync_fd, "pipe: %s", strerror(errno));
  if (geteuid() != 0) plan.clone_flags |= CLONE_NEWUSER;  // unprivileged: map ourselves to root
  const size_t kStack = 1 << 20;
  void* stack =
      mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) Die(sync_fd, "mmap: %s", strerror(errno));
  ChildArgs args = {go[0], errp[1], out_fd, err_fd};
  pid_t pid =
      clone(ChildMain, static_cast<char*>(stack) + kStack, plan.clone_flags | SIGCHLD, &args);
  if (pid < 0) {
    char json[1024] = "{\"status\":\"failed\",\"error\":\"";
    char msg[512];
    snprintf(msg, sizeof msg, "clone: %s", GoErr(errno));
    JsonEscape(json, sizeof json, msg);
    strcat(json, "\"}");
    WriteState(json);
    Die(sync_fd, "%s", msg);
  }
  close(go[0]);
  close(errp[1]);
  if (plan.clone_flags & CLONE_NEWUSER) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/setgroups", pid);
    WriteText(path, "deny");
    WriteIdMap(pid, "uid_map", plan.uid, static_cast<long>(geteuid()));
    WriteIdMap(pid, "gid_map", plan.gid, static_cast<long>(getegid()));
  }
  char pidtext[32];
  snprintf(pidtext, sizeof pidtext, "%d", pid);
  for (int i = 0; i < plan.ncgroups; ++i) WriteText(plan.cgroups[i], pidtext);
  (void)!write(go[1], "G", 1);
  close(go[1]);
  char err[2048];
  size_t n = 0;
  ssize_t r;
  while (n + 1 < sizeof err && (r = read(errp[0], err + n, sizeof err - 1 - n)) != 0) {
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    n += static_cast<size_t>(r);
  }
  err[n] = 0;
  close(errp[0]);
  if (n > 0) {
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    char json[3000] = "{\"status\":\"failed\",\"error\":\"";
    JsonEscape(json, sizeof json, err);
    strcat(json, "\"}");
    WriteState(json);
    Die(sync_fd, "%s", err);
  }
  return pid;
}

// `--exec-in PID --plan PLAN -- ARGV...`: nsenter + the container's process settings.
int ExecIn(int argc, char** argv) {
  if (argc < 6 || strcmp(argv[3], "--plan") || strcmp(argv[5], "--") || argc < 7) {
    fprintf(stderr, "usage: keelson-monitor --exec-in PID --plan PLAN -- ARGV...\n");
    return 2;
  }
  pid_t target = static_cast<pid_t>(atoi(argv[2]));
  if (const char* e = ReadPlan(argv[4])) {
    fprintf(stderr, "keelson-monitor: %s\n", e);
    return 126;
  }
  char path[128];
  snprintf(path, sizeof path, "/proc/%d/root", target);
  int rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) {
    fprintf(stderr, "keelson-monitor: container process %d: %s\n", target, GoErr(errno));
    return 126;
  }
  // Join what differs from ours: user first (it grants the rest), mount last (it moves root).
  static const char* const kNs[] = {"user", "ipc", "uts", "net", "pid", "mnt"};
  for (const char* ns : kNs) {
    char mine[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", target, ns);
    snprintf(mine, sizeof mine, "/proc/self/ns/%s", ns);
    struct stat a, b;
    if (stat(path, &a) != 0 || stat(mine, &b) != 0) continue;
    if (a.st_ino == b.st_ino && a.st_dev == b.st_dev) continue;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, 0) != 0) {
      fprintf(stderr, "keelson-monitor: setns %s: %s\n", ns, GoErr(errno));
      return 126;
    }
    close(fd);
  }
  if (fchdir(rootfd) != 0 || chroot(".") != 0 || chdir("/") != 0) {
    fprintf(stderr, "keelson-monitor: enter container root: %s\n", GoErr(errno));
    return 126;
  }
  close(rootfd);
  char pidtext[32];
  snprintf(pidtext, sizeof pidtext, "%d", getpid());
  for (int i = 0; i < plan.ncgroups; ++i) WriteText(plan.cgroups[i], pidtext);
  pid_t child = fork();  // the pid namespace applies to children
  if (child < 0) {
    fprintf(stderr, "keelson-monitor: fork: %s\n", GoErr(errno));
    return 126;
  }
  if (child == 0) {
    child_err_fd = 2;
    DropPrivileges();
    if (chdir(plan.cwd) != 0) chdir("/");
    ExecPlanned(argv + 6, const_cast<char* const*>(plan.env));
  }
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  int st = 0;
  while (waitpid(child, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && !strcmp(argv[1], "--exec-in")) return ExecIn(argc, argv);
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

  pid_t cpid = 0;
  if (opt.process_plan) {
    cpid = StartPlannedProcess(sync[1], out_pipe[1], err_pipe[1]);
    close(out_pipe[1]);
    close(err_pipe[1]);
  } else {
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
