// Test helper: starts the real keelsond binary on a fresh temp dir and a free port, and talks to
// it over HTTPS with the admin credential from DIR/admin.conf. Used by tests/daemon and tests/e2e.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

namespace keelson::testing {

inline std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void WriteAll(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
}

inline std::string Base64Decode(const std::string& in) {
  std::string out(in.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return "";
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// A fresh temp directory removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "keelsond-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string KeelsondBinary() {
  const char* b = std::getenv("KEELSON_BUILD_DIR");
  return std::string(b != nullptr ? b : "build") + "/daemon/keelsond";
}

// One keelsond process. Start() waits until /readyz answers; Kill/Stop by its pid only.
class Keelsond {
 public:
  explicit Keelsond(std::string data_dir, std::vector<std::string> extra_args = {})
      : data_dir_(std::move(data_dir)), extra_(std::move(extra_args)) {
    // A client writing to a keelsond that was just killed must see an error, not die.
    signal(SIGPIPE, SIG_IGN);
  }
  ~Keelsond() { Kill(); }

  // Starts keelsond; `port` 0 picks a free one. Returns false (and fills error()) on failure.
  bool Start(int port = 0) {
    std::string port_file = data_dir_ + "/port";
    std::filesystem::remove(port_file);
    log_path_ = data_dir_ + "/keelsond.log";
    std::vector<std::string> args = {KeelsondBinary(),
                                     "--data-dir",
                                     data_dir_,
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port),
                                     "--port-file",
                                     port_file,
                                     "--log-level",
                                     "info"};
    // The node agent and the scheduler are off unless a test asks for them: the API tests run
    // as root in CI and must not start containers or write pod status behind their back.
    bool agent = false, scheduler = false;
    for (const auto& a : extra_) {
      agent = agent || a.rfind("--node-agent", 0) == 0;
      scheduler = scheduler || a.rfind("--scheduler", 0) == 0;
    }
    if (!agent) args.push_back("--node-agent=off");
    if (!scheduler) args.push_back("--scheduler=off");
    for (const auto& a : extra_) args.push_back(a);
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        error_ = "keelsond exited early: " + ReadAll(log_path_);
        return false;
      }
      std::string p = ReadAll(port_file);
      if (!p.empty() && p.back() == '\n') {
        port_ = std::stoi(p);
        if (LoadCredentials()) {
          auto c = Client();
          auto r = c->Get("/readyz");
          if (r && r->status == 200) return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    error_ = "keelsond did not become ready: " + ReadAll(log_path_);
    return false;
  }

  // SIGTERM and wait; returns the exit status (or -1).
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  // An HTTPS client with the admin client certificate from admin.conf, verifying the server
  // against the CA from admin.conf.
  std::unique_ptr<httplib::SSLClient> Client(bool with_cert = true) const {
    std::unique_ptr<httplib::SSLClient> c;
    if (with_cert) {
      c = std::make_unique<httplib::SSLClient>("127.0.0.1", port_, cert_path_, key_path_);
    } else {
      c = std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
    }
    c->set_ca_cert_path(ca_path_.c_str());
    c->enable_server_certificate_verification(true);
    c->set_read_timeout(30);
    c->set_keep_alive(true);
    return c;
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string kubeconfig() const { return data_dir_ + "/admin.conf"; }
  const std::string& error() const { return error_; }
  std::string log() const { return ReadAll(log_path_); }

 private:
  bool LoadCredentials() {
    try {
      YAML::Node kc = YAML::LoadFile(kubeconfig());
      std::string ca = Base64Decode(
          kc["clusters"][0]["cluster"]["certificate-authority-data"].as<std::string>());
      std::string cert =
          Base64Decode(kc["users"][0]["user"]["client-certificate-data"].as<std::string>());
      std::string key = Base64Decode(kc["users"][0]["user"]["client-key-data"].as<std::string>());
      std::string dir = data_dir_ + "/test-creds";
      std::filesystem::create_directories(dir);
      ca_path_ = dir + "/ca.crt";
      cert_path_ = dir + "/admin.crt";
      key_path_ = dir + "/admin.key";
      WriteAll(ca_path_, ca);
      WriteAll(cert_path_, cert);
      WriteAll(key_path_, key);
      return !ca.empty() && !cert.empty() && !key.empty();
    } catch (const std::exception&) {
      return false;
    }
  }

  std::string data_dir_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_, ca_path_, cert_path_, key_path_, error_;
};

inline nlohmann::json Json(const httplib::Result& r) {
  if (!r) return nullptr;
  return nlohmann::json::parse(r->body, nullptr, false);
}

}  // namespace keelson::testing
