// RestClient: Kubernetes REST over cpp-httplib with in-memory TLS material.
#include "cli/rest_client.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <istream>
#include <thread>

#include <httplib.h>

namespace keelson::cli {
namespace {

using api::Json;

constexpr std::string_view kTransportMarker = "keelctl-transport";

api::Error Transport(std::string msg) {
  api::Error e = api::MakeError(api::Reason::kServiceUnavailable, std::move(msg));
  e.group = std::string(kTransportMarker);
  return e;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ::tolower);
  return out;
}

api::Error StatusError(const HttpResponse& r) {
  Json body = Json::parse(r.body, nullptr, false);
  api::Error e = api::Error::FromStatus(body.is_discarded() ? Json() : body, r.status);
  if (e.message.empty() || body.is_discarded()) {
    std::string text = r.body;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (!text.empty() && text.size() < 512) e.message = text;
  }
  return e;
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr MemBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::string OpensslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "no PEM data found";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// Every certificate of a PEM bundle in a new X509_STORE (ownership passes to the caller).
api::Result<X509_STORE*> LoadCaStore(const std::string& pem) {
  BioPtr bio = MemBio(pem);
  X509_STORE* store = X509_STORE_new();
  int n = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, cert);
    X509_free(cert);
    ++n;
  }
  ERR_clear_error();
  if (n == 0) {
    X509_STORE_free(store);
    return std::unexpected(api::BadRequest("certificate-authority: no PEM certificate found"));
  }
  return store;
}

void AppendQuery(std::string& path, std::string_view key, std::string_view value) {
  path += path.find('?') == std::string::npos ? '?' : '&';
  path += key;
  path += '=';
  path += RestClient::QueryEscape(value);
}

void AddWriteOptions(std::string& path, const api::WriteOptions& opts) {
  if (opts.dry_run) AppendQuery(path, "dryRun", "All");
  if (!opts.field_validation.empty()) AppendQuery(path, "fieldValidation", opts.field_validation);
  if (!opts.field_manager.empty()) AppendQuery(path, "fieldManager", opts.field_manager);
}

// Kubernetes lists omit apiVersion/kind on items; restore them from the list.
void FillItemTypes(Json& item, const std::string& api_version, const std::string& kind) {
  if (!item.is_object()) return;
  if (!item.contains("apiVersion") && !api_version.empty()) item["apiVersion"] = api_version;
  if (!item.contains("kind") && !kind.empty()) item["kind"] = kind;
}

class StreamHandle : public api::WatchHandle {
 public:
  StreamHandle(std::unique_ptr<httplib::ClientImpl> http) : http_(std::move(http)) {}
  ~StreamHandle() override {
    stopping_ = true;
    http_->stop();
    if (thread_.joinable()) thread_.join();
  }
  void Start(std::function<void()> body) { thread_ = std::thread(std::move(body)); }
  httplib::ClientImpl& http() { return *http_; }
  bool stopping() const { return stopping_; }

 private:
  std::unique_ptr<httplib::ClientImpl> http_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

api::WatchEventType ParseEventType(std::string_view t) {
  if (t == "ADDED") return api::WatchEventType::kAdded;
  if (t == "MODIFIED") return api::WatchEventType::kModified;
  if (t == "DELETED") return api::WatchEventType::kDeleted;
  if (t == "BOOKMARK") return api::WatchEventType::kBookmark;
  return api::WatchEventType::kError;
}

}  // namespace

bool IsTransportError(const api::Error& e) { return e.group == kTransportMarker; }

api::Result<std::unique_ptr<RestClient>> RestClient::Create(const RestConfig& cfg) {
  std::unique_ptr<RestClient> c(new RestClient());
  c->cfg_ = cfg;
  c->default_namespace_ = cfg.namespace_.empty() ? "default" : cfg.namespace_;
  std::string_view url = cfg.server;
  if (url.starts_with("https://")) {
    c->tls_ = true;
    url.remove_prefix(8);
    c->port_ = 443;
  } else if (url.starts_with("http://")) {
    c->tls_ = false;
    url.remove_prefix(7);
    c->port_ = 80;
  } else {
    return std::unexpected(api::BadRequest(cfg.source + ": server \"" + cfg.server +
                                           "\": expected https://host[:port]"));
  }
  size_t slash = url.find('/');
  std::string_view hostport = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    c->prefix_ = std::string(url.substr(slash));
    while (!c->prefix_.empty() && c->prefix_.back() == '/') c->prefix_.pop_back();
  }
  // [v6]:port, host:port, host
  if (hostport.starts_with("[")) {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      return std::unexpected(api::BadRequest("server \"" + cfg.server + "\": bad IPv6 host"));
    }
    c->host_ = std::string(hostport.substr(1, close - 1));
    hostport.remove_prefix(close + 1);
    if (hostport.starts_with(":")) c->port_ = std::atoi(std::string(hostport.substr(1)).c_str());
  } else {
    size_t colon = hostport.rfind(':');
    c->host_ = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      c->port_ = std::atoi(std::string(hostport.substr(colon + 1)).c_str());
    }
  }
  if (c->host_.empty() || c->port_ <= 0 || c->port_ > 65535) {
    return std::unexpected(
        api::BadRequest(cfg.source + ": server \"" + cfg.server + "\": bad host or port"));
  }
  auto http = c->Connect(false);
  if (!http) return std::unexpected(http.error());
  c->http_ = std::move(*http);
  return c;
}

RestClient::~RestClient() = default;

std::string RestClient::host_port() const {
  bool v6 = host_.find(':') != std::string::npos;
  return (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

api::Result<std::unique_ptr<httplib::ClientImpl>> RestClient::Connect(bool streaming) const {
  std::unique_ptr<httplib::ClientImpl> http;
  if (tls_) {
    X509* cert = nullptr;
    EVP_PKEY* key = nullptr;
    if (!cfg_.client_cert_pem.empty()) {
      BioPtr cb = MemBio(cfg_.client_cert_pem);
      cert = PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr);
      if (!cert) {
        return std::unexpected(
            api::BadRequest(cfg_.source + ": client certificate: " + OpensslError()));
      }
      BioPtr kb = MemBio(cfg_.client_key_pem);
      key = PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr);
      if (!key) {
        X509_free(cert);
        return std::unexpected(api::BadRequest(cfg_.source + ": client key: " + OpensslError()));
      }
    }
    std::unique_ptr<httplib::SSLClient> ssl;
    if (cert) {
      ssl = std::make_unique<httplib::SSLClient>(host_, port_, cert, key);
      X509_free(cert);  // the SSL_CTX holds its own references
      EVP_PKEY_free(key);
    } else {
      ssl = std::make_unique<httplib::SSLClient>(host_, port_);
    }
    if (!ssl->is_valid()) {
      return std::unexpected(
          api::BadRequest(cfg_.source + ": TLS setup failed: " + OpensslError()));
    }
    if (!cfg_.ca_pem.empty()) {
      auto store = LoadCaStore(cfg_.ca_pem);
      if (!store) return std::unexpected(store.error().Wrap(cfg_.source));
      ssl->set_ca_cert_store(*store);  // the SSL_CTX owns it now
    }
    ssl->enable_server_certificate_verification(!cfg_.insecure_skip_tls_verify);
    http = std::move(ssl);
  } else {
    http = std::make_unique<httplib::ClientImpl>(host_, port_);
  }
  http->set_connection_timeout(5, 0);
  if (streaming) {
    http->set_read_timeout(24 * 3600, 0);
    http->set_keep_alive(false);
  } else {
    http->set_read_timeout(60, 0);
    http->set_keep_alive(true);
  }
  http->set_write_timeout(60, 0);
  if (!cfg_.token.empty()) {
    http->set_bearer_token_auth(cfg_.token);
  } else if (!cfg_.username.empty()) {
    http->set_basic_auth(cfg_.username, cfg_.password);
  }
  http->set_default_headers({{"User-Agent", "keelctl/v1.32.0 (linux/amd64) keelson"}});
  return http;
}

api::Error RestClient::TransportError(int err) const {
  auto e = static_cast<httplib::Error>(err);
  switch (e) {
    case httplib::Error::Connection:
      return Transport("The connection to the server " + host_port() +
                       " was refused - did you specify the right host or port?");
    case httplib::Error::SSLServerVerification:
      return Transport(
          "Unable to connect to the server: tls: failed to verify certificate: x509: "
          "certificate signed by unknown authority");
    case httplib::Error::SSLConnection:
      return Transport("Unable to connect to the server: TLS handshake failed with " + host_port());
    default:
      return Transport("Unable to connect to the server: " + httplib::to_string(e));
  }
}

api::Result<HttpResponse> RestClient::Do(std::string_view method, const std::string& path,
                                         std::string_view body, std::string_view content_type,
                                         std::string_view accept) {
  httplib::Request req;
  req.method = std::string(method);
  req.path = prefix_ + path;
  if (!accept.empty()) req.headers.emplace("Accept", std::string(accept));
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req.body = std::string(body);
    req.headers.emplace("Content-Type",
                        content_type.empty() ? "application/json" : std::string(content_type));
  }
  std::lock_guard<std::mutex> lock(mu_);
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  if (!http_->send(req, res, err)) return std::unexpected(TransportError(static_cast<int>(err)));
  HttpResponse out;
  out.status = res.status;
  out.body = std::move(res.body);
  out.content_type = res.get_header_value("Content-Type");
  return out;
}

api::Result<Json> RestClient::DoJson(std::string_view method, const std::string& path,
                                     std::string_view body, std::string_view content_type) {
  auto r = Do(method, path, body, content_type, "application/json");
  if (!r) return std::unexpected(r.error());
  if (r->status < 200 || r->status >= 300) return std::unexpected(StatusError(*r));
  Json j = Json::parse(r->body, nullptr, false);
  if (j.is_discarded()) {
    return std::unexpected(api::Internal("error: " + std::string(method) + " " + path +
                                         ": the server returned a body that is not JSON"));
  }
  return j;
}

api::Result<Json> RestClient::GetJson(const std::string& path, std::string_view accept) {
  auto r = Do("GET", path, "", "", accept);
  if (!r) return std::unexpected(r.error());
  if (r->status < 200 || r->status >= 300) return std::unexpected(StatusError(*r));
  Json j = Json::parse(r->body, nullptr, false);
  if (j.is_discarded()) {
    return std::unexpected(
        api::Internal("error: GET " + path + ": the server returned a body that is not JSON"));
  }
  return j;
}

api::Error RestClient::ErrorFromResponse(const HttpResponse& r) { return StatusError(r); }

api::Status RestClient::GetStream(const std::string& path, std::string_view accept,
                                  const std::function<bool(std::string_view chunk)>& on_data) {
  auto http = Connect(true);
  if (!http) return std::unexpected(http.error());
  int code = 0;
  std::string error_body;
  bool stopped = false;
  httplib::Headers headers = {{"Accept", std::string(accept)}};
  auto res = (*http)->Get(
      prefix_ + path, headers,
      [&](const httplib::Response& r) {
        code = r.status;
        return true;
      },
      [&](const char* data, size_t len) {
        if (code < 200 || code >= 300) {
          if (error_body.size() < (1 << 20)) error_body.append(data, len);
          return true;
        }
        if (!on_data(std::string_view(data, len))) {
          stopped = true;
          return false;
        }
        return true;
      });
  if (stopped) return {};
  if (code == 0) return std::unexpected(TransportError(static_cast<int>(res.error())));
  if (code < 200 || code >= 300)
    return std::unexpected(StatusError(HttpResponse{code, error_body, ""}));
  if (!res) {
    // The body broke off after a 2xx status (server gone mid-stream).
    return std::unexpected(TransportError(static_cast<int>(res.error())).Wrap("read GET " + path));
  }
  return {};
}

api::Result<HttpResponse> RestClient::Upload(std::string_view method, const std::string& path,
                                             std::istream& body, std::optional<uint64_t> length,
                                             std::string_view content_type,
                                             std::string_view accept) {
  if (method != "POST" && method != "PUT") {
    return std::unexpected(api::Internal("upload: method " + std::string(method) + " unsupported"));
  }
  std::string read_error;
  auto read_some = [&](std::vector<char>& buf) -> std::streamsize {
    body.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = body.gcount();
    if (n == 0 && body.bad()) read_error = "read request body: I/O error";
    return n;
  };
  httplib::Headers headers;
  if (!accept.empty()) headers.emplace("Accept", std::string(accept));
  std::string ct(content_type);
  std::string full = prefix_ + path;
  std::lock_guard<std::mutex> lock(mu_);
  httplib::Result res{nullptr, httplib::Error::Unknown};
  if (length) {
    uint64_t sent = 0;
    httplib::ContentProvider provider = [&, buf = std::vector<char>(64 * 1024)](
                                            size_t, size_t, httplib::DataSink& sink) mutable {
      std::streamsize n = read_some(buf);
      if (n <= 0) {
        if (read_error.empty() && sent < *length) read_error = "read request body: file shrank";
        return false;  // aborts the request: the length promised cannot be met
      }
      sent += static_cast<uint64_t>(n);
      return sink.write(buf.data(), static_cast<size_t>(n));
    };
    res = method == "POST" ? http_->Post(full, headers, *length, provider, ct)
                           : http_->Put(full, headers, *length, provider, ct);
  } else {
    httplib::ContentProviderWithoutLength provider = [&, buf = std::vector<char>(64 * 1024)](
                                                         size_t, httplib::DataSink& sink) mutable {
      std::streamsize n = read_some(buf);
      if (n <= 0) {
        if (!read_error.empty()) return false;
        sink.done();
        return true;
      }
      return sink.write(buf.data(), static_cast<size_t>(n));
    };
    res = method == "POST" ? http_->Post(full, headers, provider, ct)
                           : http_->Put(full, headers, provider, ct);
  }
  if (!read_error.empty()) return std::unexpected(api::Internal(read_error));
  if (!res) return std::unexpected(TransportError(static_cast<int>(res.error())));
  HttpResponse out;
  out.status = res->status;
  out.body = std::move(res->body);
  out.content_type = res->get_header_value("Content-Type");
  return out;
}

std::string RestClient::QueryEscape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string RestClient::ResourcePath(const api::KindInfo& k, std::string_view ns,
                                     std::string_view name, std::string_view subresource) {
  std::string p = k.group.empty() ? "/api/" + k.version : "/apis/" + k.group + "/" + k.version;
  if (k.namespaced && !ns.empty()) p += "/namespaces/" + QueryEscape(ns);
  p += "/" + k.resource;
  if (!name.empty()) p += "/" + QueryEscape(name);
  if (!subresource.empty()) p += "/" + std::string(subresource);
  return p;
}

api::Result<std::vector<api::KindInfo>> RestClient::ServerResources() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (discovery_) return *discovery_;
  }
  std::vector<api::KindInfo> out;
  auto add_list = [&](const Json& list, const std::string& group, const std::string& version) {
    const Json& res = list.contains("resources") ? list["resources"] : Json::array();
    for (const auto& r : res) {
      std::string name = r.value("name", "");
      auto slash = name.find('/');
      if (slash != std::string::npos) {
        std::string parent = name.substr(0, slash);
        for (auto& k : out) {
          if (k.group == group && k.version == version && k.resource == parent) {
            k.subresources.push_back(name.substr(slash + 1));
          }
        }
        continue;
      }
      api::KindInfo k;
      k.group = group;
      k.version = version;
      k.resource = name;
      k.kind = r.value("kind", "");
      k.singular = r.value("singularName", "");
      if (k.singular.empty()) k.singular = Lower(k.kind);
      k.namespaced = r.value("namespaced", false);
      if (r.contains("shortNames") && r["shortNames"].is_array()) {
        for (const auto& s : r["shortNames"]) k.short_names.push_back(s.get<std::string>());
      }
      if (r.contains("categories") && r["categories"].is_array()) {
        for (const auto& s : r["categories"]) k.categories.push_back(s.get<std::string>());
      }
      if (r.contains("verbs") && r["verbs"].is_array()) {
        for (const auto& s : r["verbs"]) k.verbs.push_back(s.get<std::string>());
      }
      out.push_back(std::move(k));
    }
  };
  auto core = GetJson("/api/v1");
  if (!core) return std::unexpected(core.error());
  add_list(*core, "", "v1");
  auto groups = GetJson("/apis");
  if (!groups) return std::unexpected(groups.error());
  if (groups->contains("groups") && (*groups)["groups"].is_array()) {
    for (const auto& g : (*groups)["groups"]) {
      std::string name = g.value("name", "");
      std::string version;
      if (g.contains("preferredVersion")) version = g["preferredVersion"].value("version", "");
      if (version.empty() && g.contains("versions") && !g["versions"].empty()) {
        version = g["versions"][0].value("version", "");
      }
      if (name.empty() || version.empty()) continue;
      auto list = GetJson("/apis/" + name + "/" + version);
      if (!list) {
        if (IsTransportError(list.error())) return std::unexpected(list.error());
        continue;  // one broken group does not hide the others (kubectl warns and goes on)
      }
      add_list(*list, name, version);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  discovery_ = out;
  return out;
}

api::Result<api::KindInfo> RestClient::ResolveResource(std::string_view arg) {
  auto all = ServerResources();
  if (!all) return std::unexpected(all.error());
  std::string in = Lower(arg);
  auto matches = [](const api::KindInfo& k, const std::string& name) {
    if (Lower(k.resource) == name || Lower(k.singular) == name || Lower(k.kind) == name) {
      return true;
    }
    for (const auto& s : k.short_names) {
      if (Lower(s) == name) return true;
    }
    return false;
  };
  // "resource.group" or "resource.version.group" first, then the whole argument as a name.
  if (auto dot = in.find('.'); dot != std::string::npos) {
    std::string name = in.substr(0, dot);
    std::string rest = in.substr(dot + 1);
    for (const auto& k : *all) {
      if (!matches(k, name)) continue;
      if (Lower(k.group) == rest || Lower(k.version + "." + k.group) == rest) return k;
    }
  }
  for (const auto& k : *all) {
    if (matches(k, in)) return k;
  }
  return std::unexpected(api::MakeError(
      api::Reason::kNotFound,
      "error: the server doesn't have a resource type \"" + std::string(arg) + "\""));
}

api::Result<api::KindInfo> RestClient::KindFor(const api::GroupVersionKind& gvk) {
  if (const api::KindInfo* k = api::Kinds::Default().ByGvk(gvk)) return *k;
  auto all = ServerResources();
  if (!all) return std::unexpected(all.error());
  for (const auto& k : *all) {
    if (k.group == gvk.group && k.kind == gvk.kind) {
      api::KindInfo copy = k;
      copy.version = gvk.version;
      return copy;
    }
  }
  return std::unexpected(
      api::MakeError(api::Reason::kNotFound, "error: resource mapping not found for kind \"" +
                                                 gvk.kind + "\" in version \"" + gvk.ApiVersion() +
                                                 "\": ensure CRDs are installed first"));
}

std::string RestClient::NamespaceFor(const api::KindInfo& k, std::string_view ns) const {
  if (!k.namespaced) return "";
  return ns.empty() ? default_namespace_ : std::string(ns);
}

api::Result<api::Object> RestClient::Get(const api::GroupVersionKind& gvk, std::string_view ns,
                                         std::string_view name) {
  auto k = KindFor(gvk);
  if (!k) return std::unexpected(k.error());
  auto j = GetJson(ResourcePath(*k, NamespaceFor(*k, ns), name));
  if (!j) return std::unexpected(j.error());
  return api::Object(std::move(*j));
}

api::Result<api::ObjectList> RestClient::List(const api::GroupVersionKind& gvk, std::string_view ns,
                                              const api::ListOptions& opts) {
  auto k = KindFor(gvk);
  if (!k) return std::unexpected(k.error());
  std::string path = ResourcePath(*k, k->namespaced ? ns : "");
  if (!opts.label_selector.empty()) AppendQuery(path, "labelSelector", opts.label_selector);
  if (!opts.field_selector.empty()) AppendQuery(path, "fieldSelector", opts.field_selector);
  if (opts.limit > 0) AppendQuery(path, "limit", std::to_string(opts.limit));
  if (!opts.continue_token.empty()) AppendQuery(path, "continue", opts.continue_token);
  if (!opts.resource_version.empty()) {
    AppendQuery(path, "resourceVersion", opts.resource_version);
  }
  auto j = GetJson(path);
  if (!j) return std::unexpected(j.error());
  api::ObjectList list;
  if (j->contains("metadata") && (*j)["metadata"].is_object()) {
    list.resource_version = (*j)["metadata"].value("resourceVersion", "");
    list.continue_token = (*j)["metadata"].value("continue", "");
  }
  if (j->contains("items") && (*j)["items"].is_array()) {
    for (auto& item : (*j)["items"]) {
      FillItemTypes(item, k->api_version(), k->kind);
      list.items.emplace_back(std::move(item));
    }
  }
  return list;
}

api::Result<api::Object> RestClient::Write(std::string_view method, const api::Object& obj,
                                           std::string_view subresource,
                                           const api::WriteOptions& opts) {
  auto k = KindFor(obj.gvk());
  if (!k) return std::unexpected(k.error());
  std::string ns = NamespaceFor(*k, obj.namespace_());
  std::string path =
      ResourcePath(*k, ns, method == "POST" ? "" : obj.name(), method == "POST" ? "" : subresource);
  AddWriteOptions(path, opts);
  api::Json body = obj.json();
  if (k->namespaced && !body["metadata"].contains("namespace")) body["metadata"]["namespace"] = ns;
  auto j = DoJson(method, path, body.dump(), "application/json");
  if (!j) return std::unexpected(j.error());
  return api::Object(std::move(*j));
}

api::Result<api::Object> RestClient::Create(const api::Object& obj, const api::WriteOptions& opts) {
  return Write("POST", obj, "", opts);
}

api::Result<api::Object> RestClient::Update(const api::Object& obj, const api::WriteOptions& opts) {
  return Write("PUT", obj, "", opts);
}

api::Result<api::Object> RestClient::UpdateStatus(const api::Object& obj,
                                                  const api::WriteOptions& opts) {
  return Write("PUT", obj, "status", opts);
}

api::Result<api::Object> RestClient::Patch(const api::GroupVersionKind& gvk, std::string_view ns,
                                           std::string_view name, api::PatchType type,
                                           std::string_view body, const api::WriteOptions& opts) {
  auto k = KindFor(gvk);
  if (!k) return std::unexpected(k.error());
  std::string path = ResourcePath(*k, NamespaceFor(*k, ns), name);
  AddWriteOptions(path, opts);
  std::string_view ct = type == api::PatchType::kMerge ? "application/merge-patch+json"
                        : type == api::PatchType::kJsonPatch
                            ? "application/json-patch+json"
                            : "application/strategic-merge-patch+json";
  auto j = DoJson("PATCH", path, body, ct);
  if (!j) return std::unexpected(j.error());
  return api::Object(std::move(*j));
}

api::Result<api::Object> RestClient::Delete(const api::GroupVersionKind& gvk, std::string_view ns,
                                            std::string_view name, const api::DeleteOptions& opts) {
  auto k = KindFor(gvk);
  if (!k) return std::unexpected(k.error());
  Json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!opts.propagation_policy.empty()) body["propagationPolicy"] = opts.propagation_policy;
  if (opts.grace_period_seconds >= 0) body["gracePeriodSeconds"] = opts.grace_period_seconds;
  if (!opts.precondition_uid.empty()) body["preconditions"] = {{"uid", opts.precondition_uid}};
  if (opts.dry_run) body["dryRun"] = Json::array({"All"});
  auto j = DoJson("DELETE", ResourcePath(*k, NamespaceFor(*k, ns), name), body.dump(),
                  "application/json");
  if (!j) return std::unexpected(j.error());
  return api::Object(std::move(*j));
}

api::Result<std::unique_ptr<api::WatchHandle>> RestClient::Stream(
    const std::string& path, std::string_view accept,
    std::function<bool(std::string_view line)> on_line,
    std::function<void(std::optional<api::Error>)> on_end) {
  auto http = Connect(true);
  if (!http) return std::unexpected(http.error());
  auto handle = std::make_unique<StreamHandle>(std::move(*http));
  StreamHandle* h = handle.get();
  std::string full = prefix_ + path;
  std::string acc(accept);
  // The first response status is reported synchronously through this promise-like pair.
  auto started = std::make_shared<std::pair<std::mutex, std::condition_variable>>();
  auto status = std::make_shared<std::optional<api::Result<int>>>();
  h->Start([this, h, full, acc, on_line, on_end, started, status] {
    std::string buffer;
    std::string error_body;
    int code = 0;
    bool stopped_by_callback = false;
    auto signal = [&](api::Result<int> r) {
      std::lock_guard<std::mutex> lock(started->first);
      if (!status->has_value()) {
        *status = std::move(r);
        started->second.notify_all();
      }
    };
    httplib::Headers headers = {{"Accept", acc}};
    auto res = h->http().Get(
        full, headers,
        [&](const httplib::Response& r) {
          code = r.status;
          signal(code);
          return true;
        },
        [&](const char* data, size_t len) {
          if (code < 200 || code >= 300) {
            error_body.append(data, len);
            return true;
          }
          buffer.append(data, len);
          size_t nl;
          while ((nl = buffer.find('\n')) != std::string::npos) {
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            if (line.empty()) continue;
            if (!on_line(line)) {
              stopped_by_callback = true;
              return false;
            }
          }
          return true;
        });
    if (!res && code == 0) {
      api::Error e = TransportError(static_cast<int>(res.error()));
      signal(std::unexpected(e));
      return;
    }
    if (code < 200 || code >= 300) {
      signal(std::unexpected(StatusError(HttpResponse{code, error_body, ""})));
      return;
    }
    if (!buffer.empty() && !h->stopping() && !stopped_by_callback) on_line(buffer);
    if (h->stopping() || stopped_by_callback) return;
    if (on_end) {
      if (!res) {
        on_end(TransportError(static_cast<int>(res.error())));
      } else {
        on_end(std::nullopt);
      }
    }
  });
  std::unique_lock<std::mutex> lock(started->first);
  started->second.wait(lock, [&] { return status->has_value(); });
  if (!status->value()) return std::unexpected(status->value().error());
  return std::unique_ptr<api::WatchHandle>(std::move(handle));
}

api::Result<std::unique_ptr<api::WatchHandle>> RestClient::Watch(
    const api::GroupVersionKind& gvk, std::string_view ns, const api::ListOptions& opts,
    std::function<void(const api::WatchEvent&)> on_event) {
  auto k = KindFor(gvk);
  if (!k) return std::unexpected(k.error());
  std::string path = ResourcePath(*k, k->namespaced ? ns : "");
  AppendQuery(path, "watch", "1");
  if (!opts.resource_version.empty()) {
    AppendQuery(path, "resourceVersion", opts.resource_version);
  }
  if (!opts.label_selector.empty()) AppendQuery(path, "labelSelector", opts.label_selector);
  if (!opts.field_selector.empty()) AppendQuery(path, "fieldSelector", opts.field_selector);
  std::string api_version = k->api_version(), kind = k->kind;
  return Stream(
      path, "application/json",
      [on_event, api_version, kind](std::string_view line) {
        Json ev = Json::parse(line, nullptr, false);
        if (ev.is_discarded() || !ev.is_object()) return true;
        api::WatchEvent e{ParseEventType(ev.value("type", "")), api::Object()};
        if (ev.contains("object")) {
          Json obj = ev["object"];
          if (e.type != api::WatchEventType::kError) FillItemTypes(obj, api_version, kind);
          e.object = api::Object(std::move(obj));
        }
        on_event(e);
        return true;
      },
      [on_event](std::optional<api::Error> err) {
        api::Error e = err ? *err : api::MakeError(api::Reason::kGone, "watch stream closed");
        on_event(api::WatchEvent{api::WatchEventType::kError, api::Object(e.ToStatus())});
      });
}

}  // namespace keelson::cli
