// The node agent (the kubelet of Keelson): registers this node, renews its Lease, and runs every
// Pod bound to it (spec.nodeName) as containers, reporting status back through api::Client.
// Everything goes through the client, so the agent can run in keelsond or against a remote API.
//
// Contract for the daemon:
//   auto agent = runtime::NodeAgent::Create(client, config);   // client outlives the agent
//   agent->Start();      // registers the Node, lists+watches Pods, adopts running containers,
//                        // runs the static pods of config.static_pod_dir
//   ...                  // serve pods/{name}/log with ReadLogs and /exec with Exec
//   agent->Stop();       // stops the agent's threads; containers keep running (a restarted
//                        // agent re-adopts them without counting restarts)
// Thread-safe: ReadLogs/Exec/Stats may be called from any thread while the agent runs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/client.h"
#include "api/error.h"
#include "runtime/clock.h"
#include "runtime/container_runtime.h"

namespace keelson::runtime {

struct NodeAgentConfig {
  std::string node_name;  // "" = hostname
  std::string data_dir;   // pods/, containers/, images/, runtime/ live here
  std::string pod_cidr = "10.88.0.0/16";
  std::string service_cidr = "10.96.0.0/12";
  std::string cni_bin_dir = "/usr/lib/cni";
  std::string cni_bridge = "keelson0";
  std::string netns_dir;         // "" = <data>/netns
  std::string runtime = "runc";  // "runc", or "process" (no runc: runtime/process_runtime.h)
  std::string runc_path = "runc";
  std::string monitor_path;  // "" = DefaultMonitorPath()
  std::string cluster_dns;   // nameserver for pods' resolv.conf ("" = the host's resolv.conf)
  std::string cluster_domain = "cluster.local";
  std::string host_ip;  // "" = first non-loopback IPv4
  // Registries ("host" or "host:port") pulled from over plain HTTP instead of HTTPS; localhost
  // and 127.0.0.0/8 always are (Docker's insecure-registries).
  std::vector<std::string> insecure_registries;
  std::chrono::milliseconds lease_interval{10000};
  std::chrono::milliseconds sync_interval{1000};   // worker resync (probes, backoffs)
  std::chrono::milliseconds volume_refresh{3000};  // configMap/secret volume refresh
  int max_pods = 110;
  // Static pods: manifests (*.yaml, *.yml, *.json) in this directory run without the API and are
  // mirrored into it ("" = off); re-read every static_pod_interval (the kubelet's 20 s).
  std::string static_pod_dir;
  std::chrono::milliseconds static_pod_interval{20000};
};

struct LogOptions {
  std::string container;    // "" = the only container
  bool previous = false;    // the previous attempt's log
  int64_t tail_lines = -1;  // -1 = all
  bool timestamps = false;
  bool follow = false;  // keep streaming until the container exits or `sink` returns false
  int64_t limit_bytes = 0;
};

class ImageStore;
class ImagePuller;
class Cni;
class PodWorker;
struct AgentContext;

class NodeAgent {
 public:
  // Opens the image store and the runtime under config.data_dir. `runtime` overrides the
  // configured one (tests); `clock` may be null (system clock). Errors: InternalError (data dir,
  // missing keelson-monitor or runc).
  static api::Result<std::unique_ptr<NodeAgent>> Create(
      api::Client* client, NodeAgentConfig config,
      std::unique_ptr<ContainerRuntime> runtime = nullptr, Clock* clock = nullptr);
  ~NodeAgent();

  // Registers the Node (creating or updating its status), starts the Lease renewal, lists and
  // watches the Pods bound to this node and starts one worker per Pod. Static pods start first
  // and keep running even when this fails (the API is unreachable). Errors: the client's.
  api::Status Start();
  // Stops watches, lease renewal and workers. Running containers are left alone.
  void Stop();

  // Streams a container's log lines to `sink` (each call one line including its "\n", with the
  // RFC 3339 timestamp prefix when asked). Errors: NotFound (pod, container, or no previous
  // attempt), BadRequest (several containers and none named).
  api::Status ReadLogs(const std::string& ns, const std::string& pod, const LogOptions& opts,
                       const std::function<bool(std::string_view)>& sink);
  // Runs argv in the pod's container ("" = the first). Errors: NotFound, BadRequest (not
  // running).
  api::Result<ExecOutput> Exec(const std::string& ns, const std::string& pod,
                               const std::string& container, const std::vector<std::string>& argv,
                               const std::string& stdin_data = "",
                               std::chrono::milliseconds timeout = std::chrono::minutes(5));

  // Starts argv in the pod's container with live stdio (a terminal when `tty`) for interactive
  // exec; see ContainerRuntime::ExecStart. Errors: as Exec, and BadRequest when the runtime
  // cannot stream.
  api::Result<ExecProcess> ExecStart(const std::string& ns, const std::string& pod,
                                     const std::string& container,
                                     const std::vector<std::string>& argv, bool tty);

  // cgroup figures of each running container of the pod (for `keelctl top pods` and the HPA).
  // Errors: NotFound (pod).
  struct ContainerStats {
    std::string name;
    CgroupStats stats;
  };
  api::Result<std::vector<ContainerStats>> PodStats(const std::string& ns, const std::string& pod);

  const std::string& node_name() const;
  ImageStore& images();
  // Registry pulls with the node's settings, deduplicated with the pod workers' (keelctl image
  // pull).
  ImagePuller& puller();
  ContainerRuntime& runtime();

 private:
  NodeAgent() = default;
  void OnPodEvent(const api::WatchEvent& ev);
  void LeaseLoop();
  api::Status RegisterNode();
  api::Status RenewLease();
  api::Status ListAndWatch();
  // The runtime id of the pod's running container ("" = the first). Errors: NotFound,
  // BadRequest (unknown or not running).
  api::Result<std::string> RunningContainerId(const std::string& ns, const std::string& pod,
                                              const std::string& container);
  std::shared_ptr<PodWorker> FindWorker(const std::string& ns, const std::string& name);
  void ReapWorkers();
  void StaticPodLoop();
  void SyncStaticPods();

  std::unique_ptr<AgentContext> ctx_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<PodWorker>> workers_;  // by pod uid
  std::unique_ptr<api::WatchHandle> watch_;
  std::thread lease_thread_;
  std::atomic<bool> stop_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  struct StaticPodState;
  std::unique_ptr<StaticPodState> static_;  // static pods and their mirrors
};

}  // namespace keelson::runtime
