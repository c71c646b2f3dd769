// keelctl's HTTPS client: api::Client over the Kubernetes REST API (cpp-httplib + OpenSSL),
// configured from a kubeconfig, plus raw requests (tables, discovery) and server discovery with
// kubectl's resource-name resolution. Thread-safe: requests on one RestClient are serialized;
// each watch runs on its own connection and thread.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "api/kinds.h"
#include "cli/kubeconfig.h"

namespace httplib {
class ClientImpl;
}

namespace keelson::cli {

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
};

// The Accept header kubectl sends for server-side tables.
inline constexpr std::string_view kTableAccept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s."
    "io,application/json";

// Errors that never reached the server: the messages kubectl prints for them ("The connection
// to the server 127.0.0.1:6443 was refused - did you specify the right host or port?",
// "Unable to connect to the server: ..."). Reason kServiceUnavailable.
bool IsTransportError(const api::Error& e);

class RestClient : public api::Client {
 public:
  // Builds a client for `cfg`. Loads the CA bundle and client certificate/key from memory (no
  // files are written). Errors: BadRequest for a bad server URL or unparsable PEM data.
  static api::Result<std::unique_ptr<RestClient>> Create(const RestConfig& cfg);
  ~RestClient() override;

  const RestConfig& config() const { return cfg_; }
  // The namespace used for namespaced requests that name none (the context's, else "default").
  const std::string& default_namespace() const { return default_namespace_; }
  // "127.0.0.1:6443", for messages.
  std::string host_port() const;

  // One request; `path` includes any query. Any HTTP status is a success here. Errors:
  // transport failures only (see IsTransportError).
  api::Result<HttpResponse> Do(std::string_view method, const std::string& path,
                               std::string_view body = "", std::string_view content_type = "",
                               std::string_view accept = "application/json");
  // GET `path` and parse the JSON body. Non-2xx statuses become the server's Status error.
  api::Result<api::Json> GetJson(const std::string& path,
                                 std::string_view accept = "application/json");
  // Like GetJson for any method with a JSON body.
  api::Result<api::Json> DoJson(std::string_view method, const std::string& path,
                                std::string_view body, std::string_view content_type);

  // Every resource the server serves in the preferred version of each group (core first), from
  // /api/v1 and /apis (cached after the first call). Subresources are folded into their
  // resource's `subresources`.
  api::Result<std::vector<api::KindInfo>> ServerResources();
  // kubectl's resolution of a resource argument ("po", "pods", "pod", "Pod", "deploy",
  // "deployments.apps", "deployments.v1.apps", "app" for keelson.dev applications) against
  // discovery. Errors: NotFound with `the server doesn't have a resource type "foo"`.
  api::Result<api::KindInfo> ResolveResource(std::string_view arg);
  // The resource serving `gvk`: the registry first, then discovery. Errors: NotFound
  // (`no matches for kind "X" in version "g/v"`).
  api::Result<api::KindInfo> KindFor(const api::GroupVersionKind& gvk);

  // REST path of a collection or object: /api/v1/namespaces/ns/pods/name[/sub].
  static std::string ResourcePath(const api::KindInfo& k, std::string_view ns,
                                  std::string_view name = "", std::string_view subresource = "");
  static std::string QueryEscape(std::string_view s);
  // The error a non-2xx response stands for: the server's Status, else the body text.
  static api::Error ErrorFromResponse(const HttpResponse& r);

  // Streams a watch (or any chunked response) line by line on a thread of its own until the
  // handle is destroyed or `on_line` returns false; `on_end` runs once when the stream ends by
  // itself (with the error, or nullopt for a clean close). Errors: the initial connection or
  // HTTP status failed (the server's Status).
  api::Result<std::unique_ptr<api::WatchHandle>> Stream(
      const std::string& path, std::string_view accept,
      std::function<bool(std::string_view line)> on_line,
      std::function<void(std::optional<api::Error>)> on_end);

  // GET `path` on a connection of its own (no read timeout: for `logs -f`) and hands every chunk
  // of a 2xx body to `on_data` on the calling thread as it arrives, until the body ends or
  // `on_data` returns false (a clean stop). Errors: transport failures (see IsTransportError);
  // a non-2xx status becomes the server's Status error (its body is read, not passed on).
  api::Status GetStream(const std::string& path, std::string_view accept,
                        const std::function<bool(std::string_view chunk)>& on_data);
  // Sends `body` (read until EOF, in 64 KiB pieces; never whole in memory) as the request body
  // of `method` `path`: with Content-Length when `length` is given, chunked otherwise. Any HTTP
  // status is a success, as with Do. Errors: transport failures; a read error on `body`
  // (Internal "read request body: ...").
  api::Result<HttpResponse> Upload(std::string_view method, const std::string& path,
                                   std::istream& body, std::optional<uint64_t> length,
                                   std::string_view content_type,
                                   std::string_view accept = "application/json");

  // api::Client.
  api::Result<api::Object> Get(const api::GroupVersionKind& gvk, std::string_view ns,
                               std::string_view name) override;
  api::Result<api::ObjectList> List(const api::GroupVersionKind& gvk, std::string_view ns,
                                    const api::ListOptions& opts = {}) override;
  api::Result<api::Object> Create(const api::Object& obj,
                                  const api::WriteOptions& opts = {}) override;
  api::Result<api::Object> Update(const api::Object& obj,
                                  const api::WriteOptions& opts = {}) override;
  api::Result<api::Object> UpdateStatus(const api::Object& obj,
                                        const api::WriteOptions& opts = {}) override;
  api::Result<api::Object> Patch(const api::GroupVersionKind& gvk, std::string_view ns,
                                 std::string_view name, api::PatchType type, std::string_view body,
                                 const api::WriteOptions& opts = {}) override;
  api::Result<api::Object> Delete(const api::GroupVersionKind& gvk, std::string_view ns,
                                  std::string_view name,
                                  const api::DeleteOptions& opts = {}) override;
  api::Result<std::unique_ptr<api::WatchHandle>> Watch(
      const api::GroupVersionKind& gvk, std::string_view ns, const api::ListOptions& opts,
      std::function<void(const api::WatchEvent&)> on_event) override;

 private:
  RestClient() = default;
  api::Result<std::unique_ptr<httplib::ClientImpl>> Connect(bool streaming) const;
  api::Error TransportError(int httplib_error) const;
  api::Result<api::Object> Write(std::string_view method, const api::Object& obj,
                                 std::string_view subresource, const api::WriteOptions& opts);
  std::string NamespaceFor(const api::KindInfo& k, std::string_view ns) const;

  RestConfig cfg_;
  std::string default_namespace_;
  bool tls_ = true;
  std::string host_;
  int port_ = 443;
  std::string prefix_;  // path prefix of the server URL
  std::mutex mu_;       // guards http_ and discovery_
  std::unique_ptr<httplib::ClientImpl> http_;
  std::optional<std::vector<api::KindInfo>> discovery_;
};

}  // namespace keelson::cli
