// The scheduler: binds Pods without spec.nodeName to a Node, with the Kubernetes default
// plugins' semantics for the filters (resources fit, nodeSelector, required node affinity,
// taints/tolerations, unschedulable nodes, max pods, host ports) and scores (least allocated,
// preferred node affinity, spreading pods of one owner). A Pod that fits nowhere stays Pending
// with PodScheduled=False/Unschedulable and the Kubernetes message ("0/1 nodes are available:
// 1 Insufficient memory.") and is retried when nodes or pods change.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/client.h"
#include "api/error.h"
#include "api/object.h"

namespace keelson::controllers {

// What a node offers and what is already placed on it.
struct NodeState {
  api::Object node;
  int64_t alloc_cpu_milli = 0;
  int64_t alloc_memory = 0;
  int64_t alloc_ephemeral = 0;
  int64_t alloc_pods = 110;
  int64_t req_cpu_milli = 0;
  int64_t req_memory = 0;
  int64_t req_ephemeral = 0;
  int64_t pods = 0;
  std::map<std::string, int> owner_pods;  // owner uid → pods of that owner on the node
  std::vector<std::string> host_ports;    // "TCP/0.0.0.0/80"
};

// Builds a NodeState from a Node object (allocatable, falling back to capacity).
NodeState NodeStateFromNode(const api::Object& node);
// Accounts `pod` (bound to the node) into `state`.
void AddPod(NodeState& state, const api::Object& pod);

// The pod's effective requests: max(sum of containers, each init container), as the scheduler
// counts them.
struct PodRequests {
  int64_t cpu_milli = 0;
  int64_t memory = 0;
  int64_t ephemeral = 0;
};
PodRequests RequestsOf(const api::Json& pod_spec);

// Picks the best node for `pod`. Returns the node name, or an Unschedulable error (reason
// kConflict is not used: api::Reason::kInvalid is not either) whose message is the Kubernetes
// FitError text "0/N nodes are available: ...". Pure; thread-safe.
api::Result<std::string> SchedulePod(const api::Object& pod, const std::vector<NodeState>& nodes);

// Does `node` satisfy the required node affinity / nodeSelector of `pod_spec`?
bool MatchesNodeSelectorAndAffinity(const api::Json& pod_spec, const api::Object& node);

// The controller: watches Pods and Nodes through the client and binds pending Pods (those with
// no nodeName and schedulerName unset or "default-scheduler"). Start/Stop are not reentrant;
// everything else happens on its own thread.
class Scheduler {
 public:
  explicit Scheduler(api::Client* client) : client_(client) {}
  ~Scheduler() { Stop(); }
  // Starts the watches and the scheduling thread. Errors: the client's (watch failed).
  api::Status Start();
  void Stop();
  // One full pass: list nodes and pods, bind what fits, mark the rest Unschedulable. Returns the
  // number of pods bound. Exposed for tests and benchmarks.
  api::Result<int> RunOnce();

 private:
  void Loop();
  api::Client* client_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = true;
  bool stop_ = false;
  std::thread thread_;
  std::vector<std::unique_ptr<api::WatchHandle>> watches_;
};

}  // namespace keelson::controllers
