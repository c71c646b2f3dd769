// keelsond configuration parsing.
#include "daemon/config.h"

#include <yaml-cpp/yaml.h>
#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace keelson::daemon {
namespace {

const std::set<std::string> kLevels = {"trace", "debug",    "info", "warn",
                                       "error", "critical", "off"};

api::Status ApplyFile(const std::string& path, Config& cfg) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::ParserException& e) {
    return std::unexpected(api::BadRequest("config " + path + ":" +
                                           std::to_string(e.mark.line + 1) + ":" +
                                           std::to_string(e.mark.column + 1) + ": " + e.msg));
  } catch (const std::exception& e) {
    return std::unexpected(api::BadRequest("config " + path + ": " + e.what()));
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) {
    return std::unexpected(api::BadRequest("config " + path + ": top level must be a mapping"));
  }
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>("");
    const YAML::Node& v = kv.second;
    std::string where = "config " + path + ":" + std::to_string(kv.first.Mark().line + 1) + ": ";
    if (key == "insecure-registries") {
      if (!v.IsSequence()) {
        return std::unexpected(api::BadRequest(where + key + ": must be a list of HOST[:PORT]"));
      }
      cfg.insecure_registries.clear();
      for (const auto& item : v) {
        if (!item.IsScalar()) {
          return std::unexpected(api::BadRequest(where + key + ": must be a list of HOST[:PORT]"));
        }
        cfg.insecure_registries.push_back(item.as<std::string>());
      }
      continue;
    }
    if (!v.IsScalar()) return std::unexpected(api::BadRequest(where + key + ": must be a scalar"));
    std::string s = v.as<std::string>();
    auto to_int = [&](auto& out) -> api::Status {
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec != std::errc() || p != s.data() + s.size()) {
        return std::unexpected(api::BadRequest(where + key + ": not an integer: " + s));
      }
      return {};
    };
    if (key == "data-dir") {
      cfg.data_dir = s;
    } else if (key == "listen") {
      cfg.listen = s;
    } else if (key == "log-format") {
      cfg.log_format = s;
    } else if (key == "log-level") {
      cfg.log_level = s;
    } else if (key == "token-auth-file") {
      cfg.token_auth_file = s;
    } else if (key == "port-file") {
      cfg.port_file = s;
    } else if (key == "node-agent") {
      cfg.node_agent = s;
    } else if (key == "node-name") {
      cfg.node_name = s;
    } else if (key == "pod-cidr") {
      cfg.pod_cidr = s;
    } else if (key == "service-cidr") {
      cfg.service_cidr = s;
    } else if (key == "cni-bin-dir") {
      cfg.cni_bin_dir = s;
    } else if (key == "runtime") {
      cfg.container_runtime = s;
    } else if (key == "scheduler") {
      cfg.scheduler = s;
    } else if (key == "static-pod-dir") {
      cfg.static_pod_dir = s;
    } else if (key == "max-body-bytes") {
      if (auto st = to_int(cfg.max_body_bytes); !st) return st;
    } else if (key == "max-threads") {
      if (auto st = to_int(cfg.max_threads); !st) return st;
    } else {
      return std::unexpected(api::BadRequest(where + "unknown key \"" + key + "\""));
    }
  }
  return {};
}

bool ValidCidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  in_addr a{};
  if (inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &a) != 1) return false;
  int bits = -1;
  std::string b = cidr.substr(slash + 1);
  auto [p, ec] = std::from_chars(b.data(), b.data() + b.size(), bits);
  return ec == std::errc() && p == b.data() + b.size() && bits >= 8 && bits <= 30;
}

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

}  // namespace

std::string DefaultCniBinDir() {
  for (const char* d : {"/usr/lib/cni", "/opt/cni/bin"}) {
    struct stat st;
    if (stat(d, &st) == 0 && S_ISDIR(st.st_mode)) return d;
  }
  return "/usr/lib/cni";
}

std::string FindMonitor() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir(self, static_cast<size_t>(n));
    dir = dir.substr(0, dir.rfind('/'));
    for (const std::string& cand :
         {dir + "/keelson-monitor", dir + "/../runtime/keelson-monitor"}) {
      if (Executable(cand)) return cand;
    }
  }
  const char* path = std::getenv("PATH");
  std::string p = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t colon = p.find(':', start);
    if (colon == std::string::npos) colon = p.size();
    std::string dir = p.substr(start, colon - start);
    start = colon + 1;
    if (!dir.empty() && Executable(dir + "/keelson-monitor")) return dir + "/keelson-monitor";
  }
  return "";
}

api::Result<std::pair<std::string, int>> SplitHostPort(const std::string& listen) {
  std::string host, port;
  if (!listen.empty() && listen[0] == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return std::unexpected(
          api::BadRequest("listen address \"" + listen + "\": want [HOST]:PORT"));
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
      return std::unexpected(api::BadRequest("listen address \"" + listen + "\": want HOST:PORT"));
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  int p = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || end != port.data() + port.size() || p < 0 || p > 65535) {
    return std::unexpected(
        api::BadRequest("listen address \"" + listen + "\": bad port \"" + port + "\""));
  }
  if (host.empty()) host = "0.0.0.0";
  return std::make_pair(host, p);
}

std::string Config::ListenHost() const {
  auto hp = SplitHostPort(listen);
  return hp ? hp->first : "";
}

int Config::ListenPort() const {
  auto hp = SplitHostPort(listen);
  return hp ? hp->second : -1;
}

api::Result<Config> ParseArgs(int argc, const char* const* argv) {
  CLI::App app{"keelsond: the Keelson daemon (API server, sync engine, controllers, node agent)",
               "keelsond"};
  std::string data_dir, listen, config_file, log_format, log_level, token_file, port_file;
  std::string node_agent, node_name, pod_cidr, service_cidr, cni_bin_dir, runtime, scheduler;
  std::string static_pod_dir;
  std::vector<std::string> insecure_registries;
  size_t max_body = 0;
  int max_threads = 0;
  app.add_option("--data-dir", data_dir, "data directory (default ./.keelson)");
  app.add_option("--listen", listen, "HTTPS listen address HOST:PORT (default 127.0.0.1:6443)");
  app.add_option("--config", config_file, "YAML config file with the same keys as the flags");
  app.add_option("--log-format", log_format, "text or json (default text)");
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|critical|off");
  app.add_option("--token-auth-file", token_file,
                 "static bearer tokens, CSV: token,user,uid,\"group1,group2\"");
  app.add_option("--max-body-bytes", max_body, "largest accepted request body (default 3 MiB)");
  app.add_option("--max-threads", max_threads, "largest HTTP worker pool (default 512)");
  app.add_option("--port-file", port_file, "write the bound port to this file once listening");
  app.add_option("--node-agent", node_agent,
                 "auto|on|off: run the node agent (auto: when root and runc and keelson-monitor "
                 "are found)");
  app.add_option("--node-name", node_name, "this node's name (default the hostname)");
  app.add_option("--pod-cidr", pod_cidr, "pod address range (default 10.88.0.0/16)");
  app.add_option("--service-cidr", service_cidr, "service address range (default 10.96.0.0/12)");
  app.add_option("--cni-bin-dir", cni_bin_dir,
                 "CNI plugin directory (default: first of /usr/lib/cni, /opt/cni/bin)");
  app.add_option("--runtime", runtime,
                 "container runtime: runc, or process (fork/exec with namespaces, no runc)");
  app.add_option("--static-pod-dir", static_pod_dir,
                 "directory of Pod manifests the node agent runs as static pods");
  app.add_option("--insecure-registry", insecure_registries,
                 "registry HOST[:PORT] to pull from over plain HTTP (repeatable)");
  app.add_option("--scheduler", scheduler, "on|off: run the scheduler (default on)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    api::Error e = api::BadRequest(app.help());
    e.name = "help";
    return std::unexpected(e);
  } catch (const CLI::ParseError& e) {
    return std::unexpected(api::BadRequest(std::string("command line: ") + e.what()));
  }

  Config cfg;
  if (!config_file.empty()) {
    cfg.config_file = config_file;
    if (auto st = ApplyFile(config_file, cfg); !st) return std::unexpected(st.error());
  }
  if (app.count("--data-dir")) cfg.data_dir = data_dir;
  if (app.count("--listen")) cfg.listen = listen;
  if (app.count("--log-format")) cfg.log_format = log_format;
  if (app.count("--log-level")) cfg.log_level = log_level;
  if (app.count("--token-auth-file")) cfg.token_auth_file = token_file;
  if (app.count("--max-body-bytes")) cfg.max_body_bytes = max_body;
  if (app.count("--max-threads")) cfg.max_threads = max_threads;
  if (app.count("--port-file")) cfg.port_file = port_file;
  if (app.count("--node-agent")) cfg.node_agent = node_agent;
  if (app.count("--node-name")) cfg.node_name = node_name;
  if (app.count("--pod-cidr")) cfg.pod_cidr = pod_cidr;
  if (app.count("--service-cidr")) cfg.service_cidr = service_cidr;
  if (app.count("--cni-bin-dir")) cfg.cni_bin_dir = cni_bin_dir;
  if (app.count("--runtime")) cfg.container_runtime = runtime;
  if (app.count("--scheduler")) cfg.scheduler = scheduler;
  if (app.count("--static-pod-dir")) cfg.static_pod_dir = static_pod_dir;
  if (app.count("--insecure-registry")) cfg.insecure_registries = insecure_registries;
  if (cfg.cni_bin_dir.empty()) cfg.cni_bin_dir = DefaultCniBinDir();

  if (cfg.log_format != "text" && cfg.log_format != "json") {
    return std::unexpected(
        api::BadRequest("log-format \"" + cfg.log_format + "\": want text or json"));
  }
  if (!kLevels.contains(cfg.log_level)) {
    return std::unexpected(
        api::BadRequest("log-level \"" + cfg.log_level +
                        "\": want one of trace, debug, info, warn, error, critical, off"));
  }
  if (cfg.data_dir.empty()) return std::unexpected(api::BadRequest("data-dir: must not be empty"));
  if (auto hp = SplitHostPort(cfg.listen); !hp) return std::unexpected(hp.error());
  if (cfg.max_threads < 4) return std::unexpected(api::BadRequest("max-threads: must be >= 4"));
  if (cfg.node_agent != "auto" && cfg.node_agent != "on" && cfg.node_agent != "off") {
    return std::unexpected(
        api::BadRequest("node-agent \"" + cfg.node_agent + "\": want auto, on or off"));
  }
  if (cfg.scheduler != "on" && cfg.scheduler != "off") {
    return std::unexpected(api::BadRequest("scheduler \"" + cfg.scheduler + "\": want on or off"));
  }
  if (cfg.container_runtime != "runc" && cfg.container_runtime != "process") {
    return std::unexpected(
        api::BadRequest("runtime \"" + cfg.container_runtime + "\": want runc or process"));
  }
  for (auto [flag, cidr] : {std::pair<const char*, const std::string*>{"pod-cidr", &cfg.pod_cidr},
                            {"service-cidr", &cfg.service_cidr}}) {
    if (!ValidCidr(*cidr)) {
      return std::unexpected(api::BadRequest(std::string(flag) + " \"" + *cidr +
                                             "\": want an IPv4 CIDR such as 10.88.0.0/16"));
    }
  }
  return cfg;
}

}  // namespace keelson::daemon
