// Pod networking through CNI plugins (containernetworking-plugins: bridge + host-local +
// loopback): network namespaces as bind-mounted nsfs files, and ADD/CHECK/DEL with a network
// configuration generated from the node's settings. Pods get routes to the pod and service
// ranges only: no default route, no masquerade, so nothing leaves the machine. Thread-safe.
#pragma once

#include <string>

#include "api/error.h"
#include "api/object.h"

namespace keelson::runtime {

struct CniOptions {
  std::string bin_dir = "/usr/lib/cni";
  std::string netns_dir = "/var/run/netns";  // where namespaces are bind-mounted
  std::string state_dir;                     // host-local leases and cached results
  std::string network_name = "keelson";
  std::string bridge = "keelson0";
  std::string pod_cidr = "10.88.0.0/16";
  std::string service_cidr = "10.96.0.0/12";
  int mtu = 1500;
};

struct PodNetwork {
  std::string ip;       // "10.88.0.5"
  int prefix = 0;       // 16
  std::string gateway;  // "10.88.0.1"
  std::string interface = "eth0";
};

class Cni {
 public:
  explicit Cni(CniOptions opts) : o_(std::move(opts)) {}

  // The conflist this node uses (bridge with host-local IPAM).
  api::Json NetworkConfig() const;

  // Makes a new network namespace and pins it at netns_dir/<name>; returns the path. An
  // existing pinned namespace of that name is reused. Errors: InternalError with errno text.
  api::Result<std::string> CreateNetns(const std::string& name) const;
  // Unpins and removes the namespace; missing is success.
  api::Status DeleteNetns(const std::string& name) const;
  std::string NetnsPath(const std::string& name) const { return o_.netns_dir + "/" + name; }

  // CNI ADD for `container_id` in `netns_path`: loopback up, then eth0 on the bridge with an
  // address from host-local. Errors: InternalError carrying the plugin's error message.
  api::Result<PodNetwork> Setup(const std::string& container_id,
                                const std::string& netns_path) const;
  // The address a previous Setup gave `container_id` (a restarted agent). Errors: NotFound.
  api::Result<PodNetwork> Cached(const std::string& container_id) const;
  // CNI CHECK. Errors: InternalError with the plugin's message.
  api::Status Check(const std::string& container_id, const std::string& netns_path) const;
  // CNI DEL (releases the address, removes the veth). Idempotent; a missing netns is fine.
  api::Status Teardown(const std::string& container_id, const std::string& netns_path) const;

  const CniOptions& options() const { return o_; }

 private:
  api::Result<api::Json> Invoke(const std::string& plugin, const std::string& command,
                                const api::Json& config, const std::string& container_id,
                                const std::string& netns_path, const std::string& ifname) const;
  api::Json BridgeConfig() const;

  CniOptions o_;
};

}  // namespace keelson::runtime
