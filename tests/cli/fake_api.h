// An in-test Kubernetes-shaped API server (cpp-httplib, plain HTTP on 127.0.0.1, port 0) for the
// keelctl command tests, plus a kubeconfig pointing at it and an in-process keelctl runner.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "nlohmann/json.hpp"

namespace keelson::cli::testing {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

// One request as the fake server saw it.
struct SeenRequest {
  std::string method;
  std::string path;
  std::multimap<std::string, std::string> params;
  std::string body;
  std::string content_type;
  bool chunked = false;
};

class FakeApi {
 public:
  FakeApi() {
    dir_ = fs::temp_directory_path() /
           ("keelctl-fake-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
    // Discovery, legacy form (kubectl falls back to it when the aggregated form is absent).
    server_.Get("/api", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      Json j = {{"kind", "APIVersions"},
                {"versions", {"v1"}},
                {"serverAddressByClientCIDRs",
                 {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1"}}}}};
      res.set_content(j.dump(), "application/json");
    });
    server_.Get("/api/v1", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      Json r = Json::array();
      r.push_back({{"name", "pods"},
                   {"singularName", "pod"},
                   {"namespaced", true},
                   {"kind", "Pod"},
                   {"verbs", {"get", "list"}},
                   {"shortNames", {"po"}}});
      r.push_back({{"name", "pods/log"},
                   {"singularName", ""},
                   {"namespaced", true},
                   {"kind", "Pod"},
                   {"verbs", {"get"}}});
      r.push_back({{"name", "nodes"},
                   {"singularName", "node"},
                   {"namespaced", false},
                   {"kind", "Node"},
                   {"verbs", {"get", "list"}},
                   {"shortNames", {"no"}}});
      Json j = {{"kind", "APIResourceList"}, {"groupVersion", "v1"}, {"resources", r}};
      res.set_content(j.dump(), "application/json");
    });
    server_.Get("/apis", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      Json groups = Json::array();
      groups.push_back(Group("apps", "v1"));
      if (metrics_api) groups.push_back(Group("metrics.k8s.io", "v1beta1"));
      Json j = {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
      res.set_content(j.dump(), "application/json");
    });
    server_.Get("/apis/apps/v1", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      Json r = Json::array();
      r.push_back({{"name", "deployments"},
                   {"singularName", "deployment"},
                   {"namespaced", true},
                   {"kind", "Deployment"},
                   {"verbs", {"get", "list"}},
                   {"shortNames", {"deploy"}}});
      Json j = {{"kind", "APIResourceList"}, {"groupVersion", "apps/v1"}, {"resources", r}};
      res.set_content(j.dump(), "application/json");
    });
    server_.Get("/apis/metrics.k8s.io/v1beta1",
                [this](const httplib::Request& req, httplib::Response& res) {
                  Record(req);
                  Json r = Json::array();
                  r.push_back({{"name", "nodes"},
                               {"singularName", ""},
                               {"namespaced", false},
                               {"kind", "NodeMetrics"},
                               {"verbs", {"get", "list"}}});
                  r.push_back({{"name", "pods"},
                               {"singularName", ""},
                               {"namespaced", true},
                               {"kind", "PodMetrics"},
                               {"verbs", {"get", "list"}}});
                  Json j = {{"kind", "APIResourceList"},
                            {"groupVersion", "metrics.k8s.io/v1beta1"},
                            {"resources", r}};
                  res.set_content(j.dump(), "application/json");
                });
  }

  ~FakeApi() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  httplib::Server& server() { return server_; }

  // Starts serving; returns false if the port could not be bound.
  bool Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return false;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    kubeconfig_ = (dir_ / "config").string();
    std::ofstream(kubeconfig_) << "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n"
                               << "    server: http://127.0.0.1:" << port_
                               << "\n  name: fake\ncontexts:\n- context:\n    cluster: fake\n"
                               << "    user: u\n  name: fake\ncurrent-context: fake\n"
                               << "users:\n- name: u\n  user:\n    token: t\n";
    return true;
  }

  void Record(const httplib::Request& req, std::string body = "") {
    SeenRequest s;
    s.method = req.method;
    s.path = req.path;
    for (const auto& [k, v] : req.params) s.params.emplace(k, v);
    s.body = body.empty() ? req.body : body;
    s.content_type = req.get_header_value("Content-Type");
    s.chunked = req.get_header_value("Transfer-Encoding") == "chunked";
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(std::move(s));
  }

  // The last request whose path is `path` (nullopt if none).
  std::optional<SeenRequest> Last(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = seen_.rbegin(); it != seen_.rend(); ++it) {
      if (it->path == path) return *it;
    }
    return std::nullopt;
  }

  // Runs keelctl in-process against this server.
  RunResult Keelctl(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), {"--kubeconfig", kubeconfig_});
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    int code = RunKeelctl(args, in, out, err);
    return {code, out.str(), err.str()};
  }

  // Runs /usr/bin/kubectl against this server (nullopt when kubectl is not installed).
  std::optional<RunResult> Kubectl(const std::vector<std::string>& args) {
    if (!fs::exists("/usr/bin/kubectl")) return std::nullopt;
    std::string cmd = "/usr/bin/kubectl --kubeconfig " + kubeconfig_ + " --cache-dir " +
                      (dir_ / "cache").string();
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " >" + (dir_ / "k.out").string() + " 2>" + (dir_ / "k.err").string();
    int status = std::system(cmd.c_str());
    auto read = [](const fs::path& p) {
      std::ifstream f(p, std::ios::binary);
      std::ostringstream ss;
      ss << f.rdbuf();
      return ss.str();
    };
    return RunResult{WEXITSTATUS(status), read(dir_ / "k.out"), read(dir_ / "k.err")};
  }

  const fs::path& dir() const { return dir_; }
  int port() const { return port_; }

  std::atomic<bool> metrics_api{true};

 private:
  static Json Group(const std::string& name, const std::string& version) {
    Json gv = {{"groupVersion", name + "/" + version}, {"version", version}};
    return {{"name", name}, {"versions", Json::array({gv})}, {"preferredVersion", gv}};
  }

  static inline std::atomic<int> counter_{0};
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  fs::path dir_;
  std::string kubeconfig_;
  std::mutex mu_;
  std::vector<SeenRequest> seen_;
};

// A Status body as the API server writes it.
inline std::string StatusBody(int code, const std::string& reason, const std::string& message) {
  Json j = {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", Json::object()},
            {"status", "Failure"}, {"message", message}, {"reason", reason},
            {"code", code}};
  return j.dump();
}

}  // namespace keelson::cli::testing
