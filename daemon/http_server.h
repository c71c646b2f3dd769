// keelsond's HTTPS front: TLS (optional client certificates), authentication, Kubernetes REST
// paths, discovery, OpenAPI, health, metrics, and watch streaming, over cpp-httplib.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "api/error.h"
#include "api/kinds.h"
#include "daemon/auth.h"
#include "daemon/metrics.h"
#include "daemon/resources.h"

namespace keelson::runtime {
class NodeAgent;
}

namespace keelson::daemon {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 6443;  // 0 = any free port
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // client certificates are verified against it when presented
  size_t max_body_bytes = 3u << 20;
  int max_threads = 512;
  // Readiness: /readyz answers 200 only once this is true.
  const std::atomic<bool>* ready = nullptr;
  // The node agent behind pods/log, pods/exec, metrics.k8s.io and keelson.dev/v1 images; null
  // when it does not run (those endpoints then answer 503, metrics are not in discovery).
  runtime::NodeAgent* node_agent = nullptr;
  std::string data_dir;  // image uploads are spooled under <data_dir>/tmp
};

class HttpServer {
 public:
  HttpServer(HttpOptions opts, Resources& resources, const Authenticator& authn, Metrics& metrics,
             const api::Kinds& kinds);
  ~HttpServer();

  // Creates the TLS context and binds the socket; returns the bound port. Errors: InternalError
  // (bad certificate/key, address in use).
  api::Result<int> Bind();
  // Serves until Stop(); returns false if the listener failed.
  bool Run();
  // Stops accepting, ends open watches, and makes Run() return. Thread-safe, idempotent.
  void Stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace keelson::daemon
