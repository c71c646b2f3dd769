// keelsond configuration: command-line flags (CLI11) over an optional YAML config file with the
// same keys, over built-in defaults.
#pragma once

#include <string>
#include <vector>

#include "api/error.h"

namespace keelson::daemon {

struct Config {
  std::string data_dir = "./.keelson";
  std::string listen = "127.0.0.1:6443";  // HOST:PORT; [::1]:6443 for IPv6; port 0 = any free
  std::string config_file;
  std::string log_format = "text";   // text | json
  std::string log_level = "info";    // trace | debug | info | warn | error | critical | off
  std::string token_auth_file;       // Kubernetes static token CSV: token,user,uid,"g1,g2"
  size_t max_body_bytes = 3u << 20;  // larger request bodies get 413
  int max_threads = 512;             // upper bound of the HTTP worker pool
  // Where the chosen port is written once listening (useful with port 0); "" = not written.
  std::string port_file;

  // The node agent: "auto" runs it when keelsond is root and runc and keelson-monitor are
  // found, "on" requires it (start fails without), "off" never runs it.
  std::string node_agent = "auto";
  std::string node_name;  // "" = the hostname
  std::string pod_cidr = "10.88.0.0/16";
  std::string service_cidr = "10.96.0.0/12";
  std::string cni_bin_dir;                 // "" = first of /usr/lib/cni, /opt/cni/bin that exists
  std::string container_runtime = "runc";  // runc | process (fork/exec for machines without runc)
  std::string static_pod_dir;              // manifests run as static pods ("" = none)
  std::vector<std::string> insecure_registries;  // HOST[:PORT] pulled over plain HTTP
  std::string scheduler = "on";                  // on | off: the in-process scheduler

  // Host and port split out of `listen`.
  std::string ListenHost() const;
  int ListenPort() const;
};

// Parses argv. A `--config FILE` is read first (YAML mapping with keys data-dir, listen,
// log-format, log-level, token-auth-file, max-body-bytes, max-threads, port-file, node-agent,
// node-name, pod-cidr, service-cidr, cni-bin-dir, runtime, scheduler, static-pod-dir,
// insecure-registries (a list)); flags given
// on the command line override it. Returns the config, or BadRequest naming the flag, the file
// and line, or the key. `--help` yields a BadRequest whose message is the help text and whose
// name is "help" (the caller prints it and exits 0).
api::Result<Config> ParseArgs(int argc, const char* const* argv);

// The first of /usr/lib/cni and /opt/cni/bin that exists ("/usr/lib/cni" if neither does).
std::string DefaultCniBinDir();

// Where keelson-monitor is: beside the running binary (install layout), then ../runtime/ (the
// build layout: build/daemon/keelsond, build/runtime/keelson-monitor), then each PATH entry.
// "" if none has an executable keelson-monitor.
std::string FindMonitor();

// Splits "host:port", "[v6]:port". BadRequest on a malformed value.
api::Result<std::pair<std::string, int>> SplitHostPort(const std::string& listen);

}  // namespace keelson::daemon
