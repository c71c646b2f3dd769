// A real Docker distribution registry (Debian's docker-registry) on a free loopback port for
// the registry tests and the pull benchmark, with skopeo to push test images into it. The
// registry runs in its own temp dir and is killed (by pid) when the object goes.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/fsutil.h"
#include "runtime/process.h"

namespace keelson::runtime::testing {

inline bool HaveRegistryTools() {
  return access("/usr/bin/docker-registry", X_OK) == 0 && access("/usr/bin/skopeo", X_OK) == 0;
}

// A loopback TCP port free right now.
inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    return -1;
  }
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

class TestRegistry {
 public:
  struct Options {
    std::string user, password;  // set: htpasswd (bcrypt) auth
    // set: token auth (realm URL, service, issuer, PEM bundle of the token signing cert)
    std::string token_realm, token_service, token_issuer, token_rootcert;
  };

  // Starts the registry with its storage and config under `dir` (which must exist). Returns
  // null with `err` set on failure.
  static std::unique_ptr<TestRegistry> Start(const std::string& dir, const Options& opts,
                                             std::string* err) {
    std::unique_ptr<TestRegistry> r(new TestRegistry());
    r->dir_ = dir;
    r->opts_ = opts;
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (r->TryStart(err)) return r;
      r->Kill();
    }
    return nullptr;
  }
  ~TestRegistry() { Kill(); }

  const std::string& host() const { return host_; }  // "127.0.0.1:<port>"
  std::string storage() const { return dir_ + "/storage"; }
  pid_t pid() const { return pid_; }

  // Pushes an image archive ("docker-archive:" or "oci-archive:" + path) to `repo_tag` with
  // skopeo (`format`: "" keeps docker v2s2, "oci" converts). Returns "" or the error text.
  std::string Push(const std::string& source, const std::string& repo_tag,
                   const std::string& format = "") {
    std::vector<std::string> argv = {"skopeo", "--policy", dir_ + "/policy.json",
                                     "copy",   "--quiet",  "--dest-tls-verify=false"};
    if (!opts_.user.empty()) {
      argv.push_back("--dest-creds");
      argv.push_back(opts_.user + ":" + opts_.password);
    }
    if (!format.empty()) {
      argv.push_back("--format");
      argv.push_back(format);
    }
    argv.push_back(source);
    argv.push_back("docker://" + host_ + "/" + repo_tag);
    auto r = RunCommand(argv, {.timeout = std::chrono::seconds(60)});
    if (!r) return r.error().message;
    if (r->exit_code != 0) return "skopeo: " + r->err + r->out;
    return "";
  }

  // The registry's own file for a blob (to tamper with in tests).
  std::string BlobFile(const std::string& digest) const {
    std::string hex = digest.substr(7);
    return storage() + "/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data";
  }

 private:
  TestRegistry() = default;

  bool TryStart(std::string* err) {
    int port = FreePort();
    if (port <= 0) {
      *err = "no free port";
      return false;
    }
    host_ = "127.0.0.1:" + std::to_string(port);
    std::string cfg =
        "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
        "storage:\n  filesystem:\n    rootdirectory: " +
        storage() + "\n  delete:\n    enabled: true\nhttp:\n  addr: " + host_ + "\n";
    if (!opts_.user.empty()) {
      auto h = RunCommand({"htpasswd", "-Bbn", opts_.user, opts_.password});
      if (!h || h->exit_code != 0) {
        *err = "htpasswd failed (apt-get install apache2-utils)";
        return false;
      }
      WriteFileAtomic(dir_ + "/htpasswd", h->out, 0600);
      cfg += "auth:\n  htpasswd:\n    realm: keelson-test\n    path: " + dir_ + "/htpasswd\n";
    } else if (!opts_.token_realm.empty()) {
      cfg += "auth:\n  token:\n    realm: " + opts_.token_realm +
             "\n    service: " + opts_.token_service + "\n    issuer: " + opts_.token_issuer +
             "\n    rootcertbundle: " + opts_.token_rootcert + "\n";
    }
    WriteFileAtomic(dir_ + "/config.yml", cfg, 0600);
    WriteFileAtomic(dir_ + "/policy.json", R"({"default":[{"type":"insecureAcceptAnything"}]})",
                    0600);
    std::string log = dir_ + "/registry.log";
    std::string config = dir_ + "/config.yml";
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      int null = open("/dev/null", O_RDONLY);
      if (null >= 0) dup2(null, 0);
      execl("/usr/bin/docker-registry", "docker-registry", "serve", config.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    if (pid_ < 0) {
      *err = "fork failed";
      return false;
    }
    httplib::Client c("http://" + host_);
    c.set_connection_timeout(0, 200000);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        auto text = ReadFile(log);
        *err = "docker-registry exited: " + (text ? *text : "");
        return false;
      }
      auto res = c.Get("/v2/");
      if (res && (res->status == 200 || res->status == 401)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    *err = "docker-registry did not answer on " + host_;
    return false;
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string dir_;
  Options opts_;
  std::string host_;
  pid_t pid_ = -1;
};

}  // namespace keelson::runtime::testing
