// keelsond wiring: data directory, PKI, admin kubeconfig, store, authentication, authorization,
// admission, the API (HTTPS and in-process), metrics, the scheduler and the node agent. Later
// components (controllers, sync) hang off it through AdminClient().
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "api/client.h"
#include "controllers/scheduler.h"
#include "daemon/auth.h"
#include "daemon/config.h"
#include "daemon/http_server.h"
#include "daemon/metrics.h"
#include "daemon/pki.h"
#include "daemon/resources.h"
#include "runtime/node_agent.h"
#include "store/store.h"

namespace keelson::daemon {

class Daemon {
 public:
  // Prepares the data directory (PKI, store), binds the HTTPS port and writes DIR/admin.conf
  // (and the port file if configured). Does not serve yet. Errors name the step that failed.
  static api::Result<std::unique_ptr<Daemon>> Create(const Config& config);
  ~Daemon();

  // Serves HTTPS on a background thread and marks the server ready, then starts the scheduler
  // and the node agent (each through its own in-process client); a failure to start either is
  // logged and leaves the API serving.
  void Start();
  // Stops serving (open watches and log streams end), then the scheduler and the node agent
  // (containers keep running; a restarted keelsond re-adopts them). Idempotent.
  void Stop();

  int port() const { return port_; }
  const PkiFiles& pki() const { return pki_; }
  // An in-process client acting as keelson-admin (system:masters).
  api::Client& AdminClient() { return *admin_client_; }
  Resources& resources() { return *resources_; }
  // The node agent, or null when it does not run (--node-agent=off, or auto without root, runc
  // or keelson-monitor).
  runtime::NodeAgent* node_agent() { return agent_.get(); }

 private:
  Daemon() = default;

  Config config_;
  PkiFiles pki_;
  int port_ = 0;
  std::unique_ptr<store::Store> store_;
  Authenticator authn_;
  std::unique_ptr<Authorizer> authz_;
  std::unique_ptr<Resources> resources_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<api::Client> admin_client_;
  std::unique_ptr<api::Client> agent_client_;
  std::unique_ptr<api::Client> scheduler_client_;
  std::unique_ptr<runtime::NodeAgent> agent_;
  std::unique_ptr<controllers::Scheduler> scheduler_;
  std::atomic<bool> ready_{false};
  std::thread serve_thread_;
  bool stopped_ = false;
};

}  // namespace keelson::daemon
