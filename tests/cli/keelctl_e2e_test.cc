// End-to-end tests: a real keelsond on a temp dir and a free loopback port, driven by the keelctl
// binary (and, where installed, the real kubectl for table parity).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
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

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

std::string BuildDir() {
  const char* b = std::getenv("KEELSON_BUILD_DIR");
  return b ? b : "build";
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

// Starts `argv` with stdin/stdout/stderr redirected to files; returns the pid.
pid_t Spawn(const std::vector<std::string>& argv, const fs::path& in, const fs::path& out,
            const fs::path& err, const std::vector<std::pair<std::string, std::string>>& env) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int i = ::open(in.c_str(), O_RDONLY);
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(i, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

class KeelctlE2E : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    // KEELSOND overrides the daemon binary (e.g. to test against another build).
    const char* override_daemon = std::getenv("KEELSOND");
    keelsond_ = override_daemon ? override_daemon : BuildDir() + "/daemon/keelsond";
    keelctl_ = BuildDir() + "/cli/keelctl";
    if (!fs::exists(keelsond_) || !fs::exists(keelctl_)) return;
    dir_ = fs::temp_directory_path() / ("keelctl-e2e-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "empty");
    port_ = FreePort();
    daemon_pid_ = Spawn({keelsond_, "--data-dir", (dir_ / "data").string(), "--listen",
                         "127.0.0.1:" + std::to_string(port_)},
                        dir_ / "empty", dir_ / "keelsond.out", dir_ / "keelsond.err", {});
    kubeconfig_ = (dir_ / "data" / "admin.conf").string();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (fs::exists(kubeconfig_) && Run({"version"}).code == 0) {
        ready_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  static void TearDownTestSuite() {
    if (daemon_pid_ > 0) {
      ::kill(daemon_pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 100 && ::waitpid(daemon_pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (::waitpid(daemon_pid_, &status, WNOHANG) == 0) {
        ::kill(daemon_pid_, SIGKILL);
        ::waitpid(daemon_pid_, &status, 0);
      }
      daemon_pid_ = -1;
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void SetUp() override {
    if (!fs::exists(keelsond_) || !fs::exists(keelctl_)) {
      GTEST_SKIP() << "needs " << keelsond_ << " and " << keelctl_ << " (build both targets)";
    }
    ASSERT_TRUE(ready_) << "keelsond did not become ready: " << ReadAll(dir_ / "keelsond.err");
  }

  static Result Exec(const std::string& binary, const std::vector<std::string>& args,
                     const std::string& stdin_text = "",
                     const std::vector<std::pair<std::string, std::string>>& env = {}) {
    static int counter = 0;
    int n = ++counter;
    fs::path in = dir_ / ("in" + std::to_string(n));
    fs::path out = dir_ / ("out" + std::to_string(n));
    fs::path err = dir_ / ("err" + std::to_string(n));
    std::ofstream(in) << stdin_text;
    std::vector<std::string> argv = {binary, "--kubeconfig", kubeconfig_};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_t pid = Spawn(argv, in, out, err, env);
    int status = 0;
    ::waitpid(pid, &status, 0);
    Result r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadAll(out), ReadAll(err)};
    fs::remove(in);
    fs::remove(out);
    fs::remove(err);
    return r;
  }
  static Result Run(const std::vector<std::string>& args, const std::string& stdin_text = "",
                    const std::vector<std::pair<std::string, std::string>>& env = {}) {
    return Exec(keelctl_, args, stdin_text, env);
  }

  static std::string WriteFile(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
    return p.string();
  }

  static inline std::string keelsond_, keelctl_, kubeconfig_;
  static inline fs::path dir_;
  static inline int port_ = 0;
  static inline pid_t daemon_pid_ = -1;
  static inline bool ready_ = false;
};

TEST_F(KeelctlE2E, CreateGetDeleteWithKubectlMessages) {
  std::string f = WriteFile("cm.yaml", R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: e2e-cm
data:
  color: blue
  size: "3"
)");
  Result r = Run({"create", "-f", f});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "configmap/e2e-cm created\n");

  r = Run({"create", "-f", f});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error from server (AlreadyExists): error when creating \"" + f +
                       "\": configmaps \"e2e-cm\" already exists\n");

  r = Run({"get", "configmaps", "e2e-cm"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("NAME     DATA   AGE\ne2e-cm   2      [0-9]+s\n")))
      << r.out;

  r = Run({"get", "cm/e2e-cm", "-o", "jsonpath={.data.color}"});
  EXPECT_EQ(r.out, "blue");

  r = Run({"delete", "configmap", "e2e-cm"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "configmap \"e2e-cm\" deleted\n");

  r = Run({"get", "cm", "e2e-cm"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): configmaps \"e2e-cm\" not found\n");
}

TEST_F(KeelctlE2E, UnknownResourceTypeAndBadFlags) {
  Result r = Run({"get", "foo"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: the server doesn't have a resource type \"foo\"\n");
  r = Run({"get", "cm", "-o", "xml"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(
      r.err.starts_with("error: unable to match a printer suitable for the output "
                        "format \"xml\""))
      << r.err;
}

TEST_F(KeelctlE2E, RecursiveImagesFromADeployment) {
  std::string f = WriteFile("deploy.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: e2e-web
spec:
  replicas: 0
  selector:
    matchLabels: {app: e2e-web}
  template:
    metadata:
      labels: {app: e2e-web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
      - name: cache
        image: redis:7
)");
  Result r = Run({"create", "-f", f});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "deployment.apps/e2e-web created\n");
  r = Run({"get", "deploy", "e2e-web", "-o", "jsonpath={..image}"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "nginx:1.25 redis:7");
  r = Run({"get", "deployments.apps", "e2e-web", "-o", "wide"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("CONTAINERS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("web,cache"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("app=e2e-web"), std::string::npos) << r.out;
  r = Run({"delete", "-f", f});
  EXPECT_EQ(r.out, "deployment.apps \"e2e-web\" deleted\n") << r.err;
}

TEST_F(KeelctlE2E, ImperativeConfigMapAndSecret) {
  std::string file = WriteFile("props/app.properties", "mode=fast\n");
  std::string env = WriteFile("app.env", "# c\nA=1\nB=two\n");
  Result r = Run({"create", "configmap", "e2e-gen", "--from-literal=k=v", "--from-file=" + file,
                  "--from-env-file=" + env});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "configmap/e2e-gen created\n");
  r = Run({"get", "cm", "e2e-gen", "-o", "jsonpath={.data}"});
  EXPECT_EQ(r.out, R"({"A":"1","B":"two","app.properties":"mode=fast\n","k":"v"})");

  r = Run({"create", "secret", "generic", "e2e-secret", "--from-literal=password=s3cr3t"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "secret/e2e-secret created\n");
  r = Run({"get", "secret", "e2e-secret", "-o", "jsonpath={.data.password}"});
  EXPECT_EQ(r.out, "czNjcjN0");
  r = Run({"get", "secret", "e2e-secret"});
  EXPECT_TRUE(std::regex_search(r.out, std::regex("e2e-secret   Opaque   1      [0-9]+s\n")))
      << r.out;

  r = Run({"create", "configmap", "dry", "--from-literal=a=b", "--dry-run=client", "-o", "yaml"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  creationTimestamp: null\n"
            "  name: dry\n");
  r = Run({"get", "cm", "dry"});
  EXPECT_EQ(r.code, 1);

  r = Run({"create", "namespace", "e2e-shop"});
  EXPECT_EQ(r.out, "namespace/e2e-shop created\n") << r.err;
  r = Run({"create", "serviceaccount", "robot", "-n", "e2e-shop"});
  EXPECT_EQ(r.out, "serviceaccount/robot created\n") << r.err;
  r = Run({"get", "sa", "-n", "e2e-shop", "robot", "-o", "name"});
  EXPECT_EQ(r.out, "serviceaccount/robot\n") << r.err;
}

TEST_F(KeelctlE2E, LabelAnnotatePatchReplace) {
  ASSERT_EQ(Run({"create", "configmap", "e2e-lbl", "--from-literal=a=1"}).code, 0);
  Result r = Run({"label", "cm", "e2e-lbl", "app=web"});
  EXPECT_EQ(r.out, "configmap/e2e-lbl labeled\n") << r.err;
  r = Run({"label", "cm", "e2e-lbl", "app=api"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: 'app' already has a value (web), and --overwrite is false\n");
  r = Run({"label", "cm", "e2e-lbl", "app=api", "--overwrite"});
  EXPECT_EQ(r.out, "configmap/e2e-lbl labeled\n") << r.err;
  r = Run({"get", "cm", "-l", "app=api", "-o", "name"});
  EXPECT_EQ(r.out, "configmap/e2e-lbl\n");
  r = Run({"get", "cm", "e2e-lbl", "--show-labels", "--no-headers"});
  EXPECT_NE(r.out.find("app=api"), std::string::npos) << r.out;
  r = Run({"label", "cm", "e2e-lbl", "app-"});
  EXPECT_EQ(r.out, "configmap/e2e-lbl unlabeled\n") << r.err;
  r = Run({"annotate", "cm", "e2e-lbl", "owner=team-a"});
  EXPECT_EQ(r.out, "configmap/e2e-lbl annotated\n") << r.err;

  r = Run({"patch", "cm", "e2e-lbl", "--type", "merge", "-p", R"({"data":{"b":"2"}})"});
  EXPECT_EQ(r.out, "configmap/e2e-lbl patched\n") << r.err;
  r = Run({"patch", "cm", "e2e-lbl", "--type", "json", "-p",
           R"([{"op":"replace","path":"/data/a","value":"9"}])"});
  EXPECT_EQ(r.out, "configmap/e2e-lbl patched\n") << r.err;
  r = Run({"get", "cm", "e2e-lbl", "-o", "jsonpath={.data.a}{.data.b}"});
  EXPECT_EQ(r.out, "92");

  std::string f = WriteFile("replace.yaml", R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: e2e-lbl
data:
  only: "yes"
)");
  r = Run({"replace", "-f", f});
  EXPECT_EQ(r.out, "configmap/e2e-lbl replaced\n") << r.err;
  r = Run({"get", "cm", "e2e-lbl", "-o", "jsonpath={.data}"});
  EXPECT_EQ(r.out, R"({"only":"yes"})");
  r = Run({"delete", "cm", "-l", "app=nothing"});
  EXPECT_EQ(r.err, "No resources found\n");
}

TEST_F(KeelctlE2E, EditThroughEditor) {
  ASSERT_EQ(Run({"create", "configmap", "e2e-edit", "--from-literal=v=one"}).code, 0);
  Result r = Run({"edit", "cm", "e2e-edit"}, "", {{"KUBE_EDITOR", "true"}});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "Edit cancelled, no changes made.\n");
  r = Run({"edit", "cm", "e2e-edit"}, "", {{"KUBE_EDITOR", "sed -i s/one/two/"}});
  EXPECT_EQ(r.out, "configmap/e2e-edit edited\n") << r.err;
  r = Run({"get", "cm", "e2e-edit", "-o", "jsonpath={.data.v}"});
  EXPECT_EQ(r.out, "two");
}

TEST_F(KeelctlE2E, ApiResourcesVersionDescribe) {
  Result r = Run({"api-resources"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("NAME ")) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\nconfigmaps +cm +v1 +true +ConfigMap\n")))
      << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\ndeployments +deploy +apps/v1 +true +"
                                                  "Deployment\n")))
      << r.out;
  r = Run({"version"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Client Version: "), std::string::npos);
  EXPECT_NE(r.out.find("Server Version: "), std::string::npos);

  ASSERT_EQ(Run({"create", "configmap", "e2e-desc", "--from-literal=key=value"}).code, 0);
  r = Run({"describe", "configmap", "e2e-desc"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(
      r.out.starts_with("Name:         e2e-desc\nNamespace:    default\nLabels:       "
                        "<none>\nAnnotations:  <none>\n"))
      << r.out;
  EXPECT_NE(r.out.find("Data\n====\nkey:\n----\nvalue\n"), std::string::npos) << r.out;
}

TEST_F(KeelctlE2E, AllNamespacesAndMultipleTypes) {
  ASSERT_EQ(Run({"create", "namespace", "e2e-multi"}).code, 0);
  ASSERT_EQ(Run({"create", "configmap", "m1", "-n", "e2e-multi", "--from-literal=a=b"}).code, 0);
  ASSERT_EQ(Run({"create", "serviceaccount", "s1", "-n", "e2e-multi"}).code, 0);
  Result r = Run({"get", "cm,sa", "-n", "e2e-multi", "--no-headers"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("configmap/m1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("serviceaccount/s1"), std::string::npos) << r.out;
  r = Run({"get", "cm", "-A"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("NAMESPACE ")) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\ne2e-multi +m1 +1 +[0-9]+s\n"))) << r.out;
  ASSERT_EQ(Run({"create", "namespace", "e2e-empty-ns"}).code, 0);
  r = Run({"get", "secrets", "-n", "e2e-empty-ns"});
  EXPECT_EQ(r.err, "No resources found in e2e-empty-ns namespace.\n");
}

TEST_F(KeelctlE2E, WatchPrintsRowsAsEventsArrive) {
  fs::path out = dir_ / "watch.out", err = dir_ / "watch.err";
  ASSERT_EQ(Run({"create", "namespace", "e2e-watch"}).code, 0);
  pid_t pid = Spawn({keelctl_, "--kubeconfig", kubeconfig_, "get", "cm", "-n", "e2e-watch", "-w"},
                    dir_ / "empty", out, err, {});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(Run({"create", "configmap", "w1", "-n", "e2e-watch", "--from-literal=a=b"}).code, 0);
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    seen = ReadAll(out).find("w1 ") != std::string::npos;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(seen) << "stdout: " << ReadAll(out) << "\nstderr: " << ReadAll(err);
}

// The real kubectl prints the same tables as keelctl for the same server.
TEST_F(KeelctlE2E, KubectlPrintsTheSameTables) {
  if (!fs::exists("/usr/bin/kubectl")) GTEST_SKIP() << "kubectl is not installed";
  ASSERT_EQ(Run({"create", "namespace", "e2e-parity"}).code, 0);
  ASSERT_EQ(Run({"create", "configmap", "p1", "-n", "e2e-parity", "--from-literal=a=b"}).code, 0);
  ASSERT_EQ(Run({"create", "configmap", "parity-two", "-n", "e2e-parity", "--from-literal=a=b",
                 "--from-literal=c=d"})
                .code,
            0);
  std::regex age("[0-9]+[smhdy][0-9smhdy]*");
  for (std::vector<std::string> args :
       {std::vector<std::string>{"get", "cm", "-n", "e2e-parity"},
        std::vector<std::string>{"get", "cm", "-n", "e2e-parity", "-o", "wide"},
        std::vector<std::string>{"get", "ns", "e2e-parity"},
        std::vector<std::string>{"get", "cm", "p1", "-n", "e2e-parity", "-o",
                                 "jsonpath={.metadata.name}"}}) {
    Result mine = Run(args);
    Result theirs = Exec("/usr/bin/kubectl", args);
    ASSERT_EQ(theirs.code, 0) << theirs.err;
    EXPECT_EQ(std::regex_replace(mine.out, age, "AGE"), std::regex_replace(theirs.out, age, "AGE"))
        << args[1];
  }
  Result theirs = Exec("/usr/bin/kubectl", {"get", "cm", "missing", "-n", "e2e-parity"});
  Result mine = Run({"get", "cm", "missing", "-n", "e2e-parity"});
  EXPECT_EQ(mine.err, theirs.err);
  EXPECT_EQ(mine.code, theirs.code);
}

}  // namespace
