// The API endpoints keelsond serves from its node agent: pods/{name}/log, pods/{name}/exec,
// metrics.k8s.io/v1beta1 (kubectl top) and keelson.dev/v1 images (keelctl image). Shapes:
//
//   GET  /api/v1/namespaces/{ns}/pods/{name}/log?container=&follow=&previous=&tailLines=
//        &timestamps=&limitBytes=&sinceSeconds=                       → 200 text/plain (chunked
//        while following, until the container exits or the client goes away)
//   POST /api/v1/namespaces/{ns}/pods/{name}/exec?container=&command=a&command=b&stdin=
//        &timeoutSeconds= (body = stdin when stdin=true)              → 200 application/json
//        {"kind":"ExecResult","apiVersion":"keelson.dev/v1","exitCode":N,"stdout":"<base64>",
//         "stderr":"<base64>","timedOut":false}; an Upgrade header (SPDY/WebSocket) → 400
//   GET  /apis/metrics.k8s.io/v1beta1/nodes[/{name}]                    → NodeMetrics(List)
//   GET  /apis/metrics.k8s.io/v1beta1[/namespaces/{ns}]/pods[/{name}]   → PodMetrics(List)
//   GET    /apis/keelson.dev/v1/images                                  → ImageList
//   POST   /apis/keelson.dev/v1/images  (body: docker-save or OCI archive) → 201 ImageList
//   DELETE /apis/keelson.dev/v1/images/{ref}                            → 200 Status Success
//
// Errors are Kubernetes Status objects. Without a node agent every endpoint answers 503
// ServiceUnavailable saying so (metrics are then absent from discovery, so 404 there).
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/resources.h"

namespace httplib {
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

namespace keelson::runtime {
class NodeAgent;
}

namespace keelson::daemon {

class NodeApi {
 public:
  // `agent` may be null (the agent is off). `resources` must outlive this; uploads are spooled
  // under `data_dir`/tmp. `stopping` turns true when the server shuts down (streams end).
  NodeApi(runtime::NodeAgent* agent, Resources& resources, std::string data_dir,
          const std::atomic<bool>* stopping);

  bool agent_running() const { return agent_ != nullptr; }

  // pods/{name}/log and pods/{name}/exec.
  void ServeLog(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                const std::string& ns, const std::string& name);
  void ServeExec(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                 const std::string& ns, const std::string& name);
  // `segs` = the path split at "/", starting with "apis", "metrics.k8s.io".
  void ServeMetrics(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                    const std::vector<std::string>& segs);
  // /apis/keelson.dev/v1/images[/{ref}]; `reader` streams a POST body (null for other verbs).
  void ServeImages(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                   const httplib::ContentReader* reader);

  // Largest accepted image archive.
  static constexpr uint64_t kMaxImageBytes = 4ull << 30;

 private:
  struct CpuSample {
    std::chrono::steady_clock::time_point at;
    int64_t cpu_ns = 0;
  };
  // CPU usage in nanocores for each key from its cumulative figure, using the previous sample of
  // the key when there is a recent one; else samples twice around a short sleep via `read`.
  std::map<std::string, int64_t> CpuRates(
      const std::vector<std::string>& keys,
      const std::function<std::map<std::string, int64_t>()>& read, double* window_seconds);

  runtime::NodeAgent* agent_;
  Resources& res_;
  std::string data_dir_;
  const std::atomic<bool>* stopping_;
  std::mutex mu_;
  std::map<std::string, CpuSample> samples_;
};

// Adds metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics to `kinds` (for discovery documents
// of a server whose node agent runs).
void RegisterNodeApiKinds(api::Kinds& kinds);

}  // namespace keelson::daemon
