// End-to-end: keelctl logs, exec, image and top against a real keelsond running its node agent
// (runc, the busybox test image), compared with the real kubectl where it is installed. Needs
// root and runc (suite prefix Root); skips cleanly otherwise.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t Spawn(const std::vector<std::string>& argv, const fs::path& in, int out_fd, int err_fd) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int i = ::open(in.c_str(), O_RDONLY);
    ::dup2(i, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

class RootKeelctlPodsE2E : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) {
      skip_ = "needs root (runc, CNI)";
      return;
    }
    if (::access("/usr/sbin/runc", X_OK) != 0 && ::access("/usr/bin/runc", X_OK) != 0) {
      skip_ = "needs runc";
      return;
    }
    std::string build = Env("KEELSON_BUILD_DIR", "build");
    keelsond_ = Env("KEELSOND", build + "/daemon/keelsond");
    keelctl_ = build + "/cli/keelctl";
    if (!fs::exists(keelsond_) || !fs::exists(keelctl_)) {
      skip_ = "needs " + keelsond_ + " and " + keelctl_ + " (build both targets)";
      return;
    }
    // A keelsond built without the node agent (no --node-agent flag) cannot run pods: that is a
    // missing feature of that build, not a failure of keelctl.
    std::string help =
        (fs::temp_directory_path() / ("keelsond-help-" + std::to_string(::getpid())));
    std::system((keelsond_ + " --help >" + help + " 2>&1").c_str());
    bool has_agent = ReadAll(help).find("--node-agent") != std::string::npos;
    fs::remove(help);
    if (!has_agent) {
      skip_ = keelsond_ + " has no node agent (--node-agent)";
      return;
    }
    ::signal(SIGPIPE, SIG_IGN);
    std::string tmpl = (fs::temp_directory_path() / "keelctl-pods-e2e-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    std::ofstream(dir_ / "empty");
    std::string script = Env("KEELSON_SOURCE_DIR", ".") + "/scripts/build-test-image.sh";
    std::string image = (dir_ / "busybox.tar").string();
    if (std::system((script + " " + image + " >/dev/null 2>&1").c_str()) != 0) {
      setup_error_ = "scripts/build-test-image.sh failed (busybox-static installed?)";
      return;
    }
    int log = ::open((dir_ / "keelsond.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    daemon_pid_ = Spawn({keelsond_, "--data-dir", (dir_ / "data").string(), "--listen",
                         "127.0.0.1:0", "--port-file", (dir_ / "port").string(), "--node-agent",
                         "on", "--node-name", "keelctl-e2e"},
                        dir_ / "empty", log, log);
    ::close(log);
    kubeconfig_ = (dir_ / "data" / "admin.conf").string();
    auto deadline = Clock::now() + std::chrono::seconds(30);
    bool ready = false;
    while (Clock::now() < deadline && !ready) {
      ready = fs::exists(dir_ / "port") && fs::exists(kubeconfig_) && Run({"version"}).code == 0;
      if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!ready) {
      setup_error_ = "keelsond did not become ready: " + ReadAll(dir_ / "keelsond.log");
      return;
    }
    import_ = Run({"image", "import", image});
    // Two pods: one whose log is fixed (two containers: the default-container notice), one that
    // keeps writing (follow).
    std::ofstream(dir_ / "pods.yaml") << R"(apiVersion: v1
kind: Pod
metadata:
  name: e2e-static
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: keelson.dev/busybox:test
    imagePullPolicy: Never
    command: ["sh", "-c", "echo one; echo three; sleep 0.3; echo two >&2; exec sleep 3600"]
  - name: b
    image: keelson.dev/busybox:test
    imagePullPolicy: Never
    command: ["sh", "-c", "echo from b; exec sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: e2e-ticker
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: keelson.dev/busybox:test
    imagePullPolicy: Never
    command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done"]
)";
    Result c = Run({"create", "-f", (dir_ / "pods.yaml").string()});
    if (c.code != 0) {
      setup_error_ = "create pods: " + c.err;
      return;
    }
    deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      Result r = Run({"get", "pods", "-o", "jsonpath={.items[*].status.phase}"});
      if (r.out == "Running Running") {
        // The fixed log is complete once the shell has exec'ed sleep.
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    setup_error_ = "pods did not start: " + Run({"get", "pods", "-o", "yaml"}).out +
                   ReadAll(dir_ / "keelsond.log");
  }

  static void TearDownTestSuite() {
    if (daemon_pid_ > 0) {
      Run({"delete", "pods", "--all", "--grace-period=0", "--force"});
      auto deadline = Clock::now() + std::chrono::seconds(30);
      while (Clock::now() < deadline) {
        Result r = Run({"get", "pods", "-o", "name"});
        if (r.code == 0 && r.out.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      ::kill(daemon_pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 200 && ::waitpid(daemon_pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (::waitpid(daemon_pid_, &status, WNOHANG) == 0) {
        ::kill(daemon_pid_, SIGKILL);
        ::waitpid(daemon_pid_, &status, 0);
      }
      daemon_pid_ = -1;
    }
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
  }

  static Result Exec(const std::string& binary, const std::vector<std::string>& args,
                     const std::string& stdin_text = "") {
    static int counter = 0;
    int n = ++counter;
    fs::path in = dir_ / ("in" + std::to_string(n));
    fs::path out = dir_ / ("out" + std::to_string(n));
    fs::path err = dir_ / ("err" + std::to_string(n));
    std::ofstream(in) << stdin_text;
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> argv = {binary, "--kubeconfig", kubeconfig_};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_t pid = Spawn(argv, in, o, e);
    ::close(o);
    ::close(e);
    int status = 0;
    ::waitpid(pid, &status, 0);
    Result r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadAll(out), ReadAll(err)};
    fs::remove(in);
    fs::remove(out);
    fs::remove(err);
    return r;
  }
  static Result Run(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    return Exec(keelctl_, args, stdin_text);
  }
  static bool HaveKubectl() { return fs::exists("/usr/bin/kubectl"); }
  static Result Kubectl(const std::vector<std::string>& args) {
    std::vector<std::string> a = {"--cache-dir", (dir_ / "kubectl-cache").string()};
    a.insert(a.end(), args.begin(), args.end());
    Result r = Exec("/usr/bin/kubectl", a);
    r.err = std::regex_replace(r.err, std::regex("kubectl"), "keelctl");
    return r;
  }

  static inline std::string skip_, setup_error_, keelsond_, keelctl_, kubeconfig_;
  static inline fs::path dir_;
  static inline pid_t daemon_pid_ = -1;
  static inline Result import_;
};

TEST_F(RootKeelctlPodsE2E, ImageImportListAndRemove) {
  EXPECT_EQ(import_.code, 0) << import_.err;
  EXPECT_EQ(import_.out, "Loaded image: keelson.dev/busybox:test\n");
  Result r = Run({"image", "ls"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex("^REPOSITORY +TAG +IMAGE ID +SIZE +CREATED\n"
                        "keelson.dev/busybox +test +[0-9a-f]{12} +[0-9.]+[kMG]?B +.+\n")))
      << r.out;
  r = Run({"image", "ls", "-q"});
  EXPECT_TRUE(std::regex_match(r.out, std::regex("([0-9a-f]{12}\n)+"))) << r.out;
  r = Run({"image", "rm", "keelson.dev/nothing:here"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.err.starts_with("Error from server (NotFound): ")) << r.err;
}

TEST_F(RootKeelctlPodsE2E, LogsMatchKubectl) {
  Result r = Run({"logs", "e2e-static"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "one\nthree\ntwo\n");
  EXPECT_EQ(r.err, "Defaulted container \"a\" out of: a, b\n");
  r = Run({"logs", "pod/e2e-static", "b"});
  EXPECT_EQ(r.out, "from b\n");
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl not installed: no comparison";
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"logs", "e2e-static"},
                                             {"logs", "e2e-static", "-c", "a", "--tail=2"},
                                             {"logs", "e2e-static", "-c", "a", "--limit-bytes=6"},
                                             {"logs", "e2e-static", "-c", "b", "--timestamps"},
                                             {"logs", "e2e-static", "-c", "nope"},
                                             {"logs", "e2e-missing"},
                                             {"logs", "e2e-static", "--tail=-5"}}) {
    Result k = Kubectl(args);
    Result o = Run(args);
    std::string what = args.back();
    EXPECT_EQ(o.out, k.out) << what;
    EXPECT_EQ(o.err, k.err) << what;
    EXPECT_EQ(o.code, k.code) << what;
  }
}

TEST_F(RootKeelctlPodsE2E, LogsFollowStreamsLinesAsTheyAreWritten) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  int err = ::open((dir_ / "follow.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = Spawn({keelctl_, "--kubeconfig", kubeconfig_, "logs", "-f", "e2e-ticker", "--tail=1"},
                    dir_ / "empty", fds[1], err);
  ::close(fds[1]);
  ::close(err);
  // Read three lines; each must arrive on its own, about a second apart.
  std::vector<std::pair<Clock::time_point, std::string>> lines;
  std::string buf;
  auto deadline = Clock::now() + std::chrono::seconds(10);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  while (lines.size() < 3 && Clock::now() < deadline) {
    char chunk[256];
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n > 0) {
      buf.append(chunk, static_cast<size_t>(n));
      size_t nl;
      while ((nl = buf.find('\n')) != std::string::npos) {
        lines.emplace_back(Clock::now(), buf.substr(0, nl));
        buf.erase(0, nl + 1);
      }
    } else if (n == 0) {
      break;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  ::close(fds[0]);
  ASSERT_EQ(lines.size(), 3u) << ReadAll(dir_ / "follow.err");
  std::smatch m0, m2;
  ASSERT_TRUE(std::regex_match(lines[0].second, m0, std::regex("tick ([0-9]+)")));
  ASSERT_TRUE(std::regex_match(lines[2].second, m2, std::regex("tick ([0-9]+)")));
  EXPECT_EQ(std::stoi(m2[1]), std::stoi(m0[1]) + 2);
  EXPECT_GT(lines[2].first - lines[0].first, std::chrono::milliseconds(1200))
      << "lines arrived together: not streamed";
}

TEST_F(RootKeelctlPodsE2E, ExecRunsInTheContainer) {
  Result r = Run({"exec", "e2e-ticker", "--", "sh", "-c", "echo out; echo err >&2; exit 7"});
  EXPECT_EQ(r.code, 7);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\ncommand terminated with exit code 7\n");
  r = Run({"exec", "-i", "e2e-ticker", "--", "cat"}, "through stdin\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "through stdin\n");
  r = Run({"exec", "e2e-static", "-c", "b", "--", "hostname"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(r.out.empty());
  r = Run({"exec", "e2e-ticker", "--", "/no/such/binary"});
  EXPECT_NE(r.code, 0);
  EXPECT_FALSE(r.err.empty());
  r = Run({"exec", "e2e-missing", "--", "ls"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): pods \"e2e-missing\" not found\n");
}

TEST_F(RootKeelctlPodsE2E, TopLikeKubectl) {
  Result r;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    r = Run({"top", "pod"});
    if (r.code == 0 && r.out.find("e2e-ticker") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(
      r.out,
      std::regex(
          "^NAME +CPU\\(cores\\) +MEMORY\\(bytes\\) +\n(e2e-[a-z]+ +[0-9]+m +[0-9]+Mi +\n){2}$")))
      << r.out;
  Result n = Run({"top", "node"});
  ASSERT_EQ(n.code, 0) << n.err;
  EXPECT_TRUE(std::regex_search(
      n.out, std::regex("^NAME +CPU\\(cores\\) +CPU\\(%\\) +MEMORY\\(bytes\\) +MEMORY\\(%\\) +\n"
                        "keelctl-e2e +[0-9]+m +[0-9]+% +[0-9]+Mi +[0-9]+% +\n$")))
      << n.out;
  Result c = Run({"top", "pod", "e2e-static", "--containers"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_TRUE(std::regex_search(
      c.out,
      std::regex("^POD +NAME +CPU\\(cores\\) +MEMORY\\(bytes\\) +\n"
                 "e2e-static +a +[0-9]+m +[0-9]+Mi +\ne2e-static +b +[0-9]+m +[0-9]+Mi +\n$")))
      << c.out;
  if (!HaveKubectl()) GTEST_SKIP() << "kubectl not installed: no comparison";
  // Usage moves between two calls, so compare the layout: same header, same names per row.
  auto shape = [](const std::string& s) {
    return std::regex_replace(s, std::regex("[0-9]+(m|Mi|%)( *)"), "N$1 ");
  };
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"top", "pod"},
                                             {"top", "node"},
                                             {"top", "pod", "-A", "--containers"},
                                             {"top", "pod", "e2e-missing"}}) {
    Result k = Kubectl(args);
    Result o = Run(args);
    EXPECT_EQ(shape(o.out), shape(k.out)) << args.back();
    EXPECT_EQ(o.err, k.err) << args.back();
    EXPECT_EQ(o.code, k.code) << args.back();
  }
}

}  // namespace
