// One Pod's lifecycle on this node: sandbox (netns, /etc files), volumes, init containers in
// order, app containers with restart policy and backoff, hooks, probes, status, and graceful
// termination. Runs on its own thread; level-triggered (each Sync converges from what the
// runtime and the API say, so a restarted agent picks up where it was).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/client.h"
#include "runtime/cgroups.h"
#include "runtime/clock.h"
#include "runtime/cni.h"
#include "runtime/container_runtime.h"
#include "runtime/image_puller.h"
#include "runtime/image_store.h"
#include "runtime/node_agent.h"
#include "runtime/oci_spec.h"

namespace keelson::runtime {

// Admission to CNI plugin calls. Until one ADD succeeded they run one at a time (the first one
// creates the bridge and its gateway address, which the bridge plugin does not do race-free);
// after that up to kParallel at once (host-local locks its own store), so pods do not queue
// behind one another's plugin execs. Thread-safe.
class CniGate {
 public:
  static constexpr int kParallel = 4;
  // Blocks until the caller may run a plugin; the slot is held until Leave.
  void Enter() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return active_ < (ready_ ? kParallel : 1); });
    ++active_;
  }
  void Leave(bool added) {
    {
      std::lock_guard lock(mu_);
      --active_;
      if (added) ready_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0;
  bool ready_ = false;
};

// What every pod worker shares (owned by the NodeAgent).
struct AgentContext {
  api::Client* client = nullptr;
  NodeAgentConfig config;
  NodeFacts node;
  std::unique_ptr<ImageStore> images;
  std::unique_ptr<ImagePuller> puller;  // after `images`: destroyed (joined) before it
  std::unique_ptr<ContainerRuntime> runtime;
  std::unique_ptr<Cni> cni;
  Cgroups cgroups;
  Clock* clock = nullptr;
  std::unique_ptr<Clock> owned_clock;
  CniGate cni_gate;
};

class PodWorker {
 public:
  PodWorker(AgentContext* ctx, api::Object pod);
  ~PodWorker();

  // A newer version of the pod from the watch (or nullopt: it was deleted from the API).
  void Update(std::optional<api::Object> pod);
  // Its source no longer wants the pod (a static pod's manifest went away): terminate it
  // gracefully (preStop, SIGTERM, grace period) without deleting any API object. Idempotent.
  void Remove();
  // Stops the thread without touching containers (agent shutdown).
  void Stop();
  // True once the pod is torn down and its object removed: the agent drops the worker.
  bool Finished() const { return finished_; }

  api::Object pod() const;
  std::string PodDir() const;
  // Container id and state for logs/exec ("" when none). `previous` = the attempt before.
  std::string ContainerId(const std::string& name, bool previous, int* attempt) const;
  std::vector<std::string> ContainerNames() const;

 private:
  struct Probe;
  struct ContainerRecord;
  void Loop();
  void Sync();
  bool EnsureSandbox(std::string* message);
  bool EnsureVolumes(bool refresh, std::string* reason, std::string* message);
  void SyncContainer(const api::Json& spec, bool init, ContainerRecord& rec, bool* done_ok,
                     bool* failed_final);
  bool StartContainer(const api::Json& spec, ContainerRecord& rec);
  void RunProbes(const api::Json& spec, ContainerRecord& rec);
  bool RunHandler(const api::Json& handler, const ContainerRecord& rec, const api::Json& spec,
                  std::string* message);
  bool DoProbe(const api::Json& probe, const ContainerRecord& rec, const api::Json& spec,
               std::string* message);
  void KillContainer(ContainerRecord& rec, const api::Json* spec, int grace_seconds,
                     const std::string& reason);
  void Terminate(bool delete_object);
  void Cleanup();
  void Adopt();
  void WriteStatus();
  void WriteMirrorStatus(const api::Object& p, const api::Json& status);
  void Event(const std::string& type, const std::string& reason, const std::string& message);
  std::string ContainerIdFor(const std::string& name, int attempt) const;
  std::string LogPath(const std::string& name, int attempt) const;
  api::Result<std::vector<BindMount>> MountsFor(const api::Json& spec);

  AgentContext* ctx_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  api::Object pod_;       // latest from the API
  bool deleted_ = false;  // gone from the API
  bool removed_ = false;  // dropped by its source (Remove)
  bool dirty_ = true;
  bool stop_ = false;
  std::atomic<bool> finished_{false};
  std::thread thread_;

  // Worker-thread state.
  std::string uid_, ns_, name_;
  std::map<std::string, std::unique_ptr<ContainerRecord>> records_;  // by container name
  std::string pod_ip_;
  bool sandbox_ready_ = false;
  bool volumes_ready_ = false;
  std::chrono::steady_clock::time_point last_volume_refresh_{};
  std::string start_time_;
  api::Json last_status_;
  std::string sandbox_message_;
  std::string volume_reason_, volume_message_;
  bool terminating_ = false;
  // "Started" events of this Sync, sent after its status write (events must not delay Running).
  std::vector<std::string> started_events_;
};

}  // namespace keelson::runtime
