// keelsond's HTTPS front on cpp-httplib.
#include "daemon/http_server.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "api/codec.h"
#include "api/discovery.h"
#include "daemon/discovery_docs.h"
#include "daemon/log.h"
#include "daemon/node_api.h"
#include "daemon/patching.h"
#include "daemon/protobuf.h"

#if __has_include("api/table.h")
#include "api/table.h"
#define KEELSON_HAVE_TABLE 1
#endif

namespace keelson::daemon {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kBookmarkInterval = std::chrono::seconds(60);

// A worker pool that grows on demand up to `max` threads (long-running watches each hold one)
// and shrinks back to `min_idle` after a minute of idleness.
class DynamicPool : public httplib::TaskQueue {
 public:
  DynamicPool(size_t max, size_t min_idle) : max_(max), min_idle_(min_idle) {}

  void enqueue(std::function<void()> fn) override {
    std::unique_lock<std::mutex> l(mu_);
    jobs_.push_back(std::move(fn));
    if (idle_ == 0 && live_ < max_) {
      ++live_;
      std::thread([this] { Work(); }).detach();
    } else {
      cv_.notify_one();
    }
  }

  void shutdown() override {
    std::unique_lock<std::mutex> l(mu_);
    shutdown_ = true;
    cv_.notify_all();
    done_.wait(l, [this] { return live_ == 0; });
  }

 private:
  void Work() {
    std::unique_lock<std::mutex> l(mu_);
    for (;;) {
      ++idle_;
      bool woke =
          cv_.wait_for(l, std::chrono::seconds(60), [this] { return !jobs_.empty() || shutdown_; });
      --idle_;
      if (jobs_.empty() && (shutdown_ || (!woke && live_ > min_idle_))) break;
      if (jobs_.empty()) continue;
      auto fn = std::move(jobs_.front());
      jobs_.pop_front();
      l.unlock();
      fn();
      l.lock();
    }
    --live_;
    done_.notify_all();
  }

  const size_t max_, min_idle_;
  std::mutex mu_;
  std::condition_variable cv_, done_;
  std::deque<std::function<void()>> jobs_;
  size_t live_ = 0, idle_ = 0;
  bool shutdown_ = false;
};

// httplib's listen backlog is compiled in as 5; widen it so bursts of connections (many
// watchers at once) are not dropped.
class WideBacklogServer : public httplib::SSLServer {
 public:
  using httplib::SSLServer::SSLServer;
  void WidenBacklog() {
    int fd = svr_sock_;
    if (fd >= 0) ::listen(fd, 1024);
  }
};

struct Reply {
  int code = 200;
  std::string body;
  std::string content_type = "application/json";
};

std::string Dump(const api::Json& j) {
  return j.dump(-1, ' ', false, api::Json::error_handler_t::replace);
}

Reply ErrorReply(const api::Error& e) { return {e.HttpCode(), Dump(e.ToStatus())}; }

api::Error PathNotFound() {
  api::Error e =
      api::MakeError(api::Reason::kNotFound, "the server could not find the requested resource");
  return e;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool ParseBool(const std::string& v) {
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

// What the client accepts.
struct Negotiated {
  bool table = false;
  bool yaml = false;
  std::string table_version = "v1";
  bool acceptable = true;
};

Negotiated Negotiate(const std::string& accept) {
  Negotiated n;
  if (accept.empty()) return n;
  bool any_ok = false;
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    if (comma == std::string::npos) comma = accept.size();
    std::string part = accept.substr(start, comma - start);
    start = comma + 1;
    std::string media = part.substr(0, part.find(';'));
    while (!media.empty() && media.front() == ' ') media.erase(0, 1);
    while (!media.empty() && media.back() == ' ') media.pop_back();
    bool is_table = part.find("as=Table") != std::string::npos;
    if (media == "application/json" || media == "application/*" || media == "*/*") {
      if (is_table) {
        if (part.find("g=meta.k8s.io") == std::string::npos) continue;
        if (!any_ok) {
          n.table = true;
          n.table_version = part.find("v=v1beta1") != std::string::npos ? "v1beta1" : "v1";
        }
      } else if (part.find("as=") != std::string::npos) {
        continue;  // another transformation (PartialObjectMetadata, discovery) we do not serve
      }
      any_ok = true;
    } else if (media == "application/yaml" && !is_table) {
      if (!any_ok) n.yaml = true;
      any_ok = true;
    }
    if (any_ok) break;
  }
  n.acceptable = any_ok;
  return n;
}

struct ResourcePath {
  std::string group, version, ns, resource, name, subresource;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpOptions opts, Resources& resources, const Authenticator& authn, Metrics& metrics,
       const api::Kinds& kinds)
      : opts_(std::move(opts)), res_(resources), authn_(authn), metrics_(metrics), kinds_(kinds) {}

  api::Result<int> Bind();
  bool Run() { return server_->listen_after_bind(); }
  void Stop() {
    stopping_ = true;
    if (server_) server_->stop();
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader* reader = nullptr);
  // Reads the body of a POST/PUT/PATCH/DELETE (up to max_body_bytes; image uploads stream) and
  // handles the request.
  void HandleWithBody(const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader& reader);
  api::Result<UserInfo> Authenticate(const httplib::Request& req) const;
  void Send(httplib::Response& res, const Reply& r) {
    res.status = r.code;
    res.set_content(r.body, r.content_type.c_str());
  }
  Reply Discovery(const httplib::Request& req, const std::vector<std::string>& segs, bool& handled);
  void ServeResource(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                     const ResourcePath& rp, std::string& verb, const api::KindInfo*& kind_out);
  void ServeWatch(const httplib::Request& req, httplib::Response& res, const api::KindInfo& kind,
                  const ResourcePath& rp, RequestContext& ctx, const Negotiated& neg);
  Reply ObjectReply(const api::KindInfo& kind, const api::Object& obj, const Negotiated& neg,
                    const httplib::Request& req, int code = 200);
  Reply ListReply(const api::KindInfo& kind, api::ObjectList list, const Negotiated& neg,
                  const httplib::Request& req);
  api::Result<api::Json> TableOf(const api::KindInfo& kind, const std::vector<api::Object>& objs,
                                 const httplib::Request& req, const std::string& rv,
                                 const std::string& cont, const std::string& table_version);
  api::Result<api::Object> DecodeBody(const httplib::Request& req);

  HttpOptions opts_;
  Resources& res_;
  const Authenticator& authn_;
  Metrics& metrics_;
  const api::Kinds& kinds_;
  std::unique_ptr<WideBacklogServer> server_;
  std::atomic<bool> stopping_{false};
  std::string address_;
  std::unique_ptr<api::DiscoveryCache> discovery_;
  std::unique_ptr<NodeApi> node_;
};

api::Result<int> HttpServer::Impl::Bind() {
  const HttpOptions o = opts_;
  server_ = std::make_unique<WideBacklogServer>([o](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(&ctx,
                        SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(&ctx, o.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(&ctx, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(&ctx) != 1) {
      return false;
    }
    if (!o.client_ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(&ctx, o.client_ca_file.c_str(), nullptr) != 1) return false;
      STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.client_ca_file.c_str());
      if (names != nullptr) SSL_CTX_set_client_CA_list(&ctx, names);
      // Ask for a client certificate and verify it when sent; bearer tokens work without one.
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
    }
    return true;
  });
  if (!server_->is_valid()) {
    return std::unexpected(
        api::Internal("TLS setup with " + opts_.cert_file + " and " + opts_.key_file + " failed"));
  }
  size_t max_threads = static_cast<size_t>(opts_.max_threads);
  server_->new_task_queue = [max_threads] { return new DynamicPool(max_threads, 4); };
  server_->set_keep_alive_max_count(10000);
  server_->set_keep_alive_timeout(30);
  server_->set_read_timeout(60);
  server_->set_write_timeout(30);
  server_->set_tcp_nodelay(true);
  // Bodies are read by HandleWithBody, which holds API requests to max_body_bytes and lets image
  // archives (up to 4 GiB) stream to disk.
  server_->set_payload_max_length(std::max<size_t>(opts_.max_body_bytes, NodeApi::kMaxImageBytes));
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
  auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
    HandleWithBody(req, res, reader);
  };
  server_->Get(".*", handler);
  server_->Post(".*", with_body);
  server_->Put(".*", with_body);
  server_->Patch(".*", with_body);
  server_->Delete(".*", with_body);
  server_->Options(".*", handler);
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    api::Error e;
    if (res.status == 413) {
      e = api::MakeError(api::Reason::kRequestEntityTooLarge,
                         "the request body is larger than the server allows (3 MiB)");
    } else if (res.status == 404) {
      e = PathNotFound();
    } else {
      e = api::MakeError(api::Reason::kBadRequest,
                         "bad request (HTTP " + std::to_string(res.status) + ")");
      if (res.status == 405) e.reason = api::Reason::kMethodNotAllowed;
    }
    auto body = Dump(e.ToStatus());
    res.set_content(body, "application/json");
  });
  server_->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        LogError("request failed with an exception", {{"path", req.path}, {"error", what}});
        api::Error e = api::Internal("internal error: " + what);
        res.status = 500;
        res.set_content(Dump(e.ToStatus()), "application/json");
      });
  int port = opts_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(opts_.host);
    if (port <= 0) {
      return std::unexpected(api::Internal("bind " + opts_.host + ":0: " + std::strerror(errno)));
    }
  } else if (!server_->bind_to_port(opts_.host, port)) {
    return std::unexpected(api::Internal("bind " + opts_.host + ":" + std::to_string(port) + ": " +
                                         std::strerror(errno)));
  }
  server_->WidenBacklog();
  std::string host = opts_.host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  address_ = host + ":" + std::to_string(port);
  node_ = std::make_unique<NodeApi>(opts_.node_agent, res_, opts_.data_dir, &stopping_);
  if (opts_.node_agent != nullptr) {
    api::Kinds with_metrics = kinds_;
    RegisterNodeApiKinds(with_metrics);
    discovery_ = std::make_unique<api::DiscoveryCache>(with_metrics, address_);
  } else {
    discovery_ = std::make_unique<api::DiscoveryCache>(kinds_, address_);
  }
  return port;
}

api::Result<UserInfo> HttpServer::Impl::Authenticate(const httplib::Request& req) const {
  if (req.ssl != nullptr) {
    X509* peer = SSL_get0_peer_certificate(req.ssl);
    if (peer != nullptr && SSL_get_verify_result(req.ssl) == X509_V_OK) {
      X509_NAME* subj = X509_get_subject_name(peer);
      std::string cn;
      std::vector<std::string> orgs;
      for (int i = 0; i < X509_NAME_entry_count(subj); ++i) {
        X509_NAME_ENTRY* ent = X509_NAME_get_entry(subj, i);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ent));
        ASN1_STRING* d = X509_NAME_ENTRY_get_data(ent);
        std::string v(reinterpret_cast<const char*>(ASN1_STRING_get0_data(d)),
                      static_cast<size_t>(ASN1_STRING_length(d)));
        if (nid == NID_commonName) cn = v;
        if (nid == NID_organizationName) orgs.push_back(v);
      }
      if (!cn.empty()) return Authenticator::FromCertificate(cn, std::move(orgs));
    }
  }
  std::string auth = req.get_header_value("Authorization");
  if (auth.size() > 7 && (auth.rfind("Bearer ", 0) == 0 || auth.rfind("bearer ", 0) == 0)) {
    std::string token = auth.substr(7);
    while (!token.empty() && token.front() == ' ') token.erase(0, 1);
    while (!token.empty() && token.back() == ' ') token.pop_back();
    return authn_.AuthenticateToken(token);
  }
  return std::unexpected(api::MakeError(api::Reason::kUnauthorized, "Unauthorized"));
}

void HttpServer::Impl::HandleWithBody(const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader& reader) {
  if (req.method == "POST" && req.path.rfind("/apis/keelson.dev/v1/images", 0) == 0) {
    return Handle(req, res, &reader);
  }
  const size_t limit = opts_.max_body_bytes;
  auto too_large = [&] {
    api::Error e = api::MakeError(
        api::Reason::kRequestEntityTooLarge,
        "the request body is larger than the server allows (" + std::to_string(limit) + " bytes)");
    res.status = e.HttpCode();
    res.set_content(Dump(e.ToStatus()), "application/json");
  };
  if (req.has_header("Content-Length") &&
      std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) > limit) {
    reader([](const char*, size_t) { return false; });
    return too_large();
  }
  httplib::Request full = req;
  bool over = false;
  bool ok = reader([&](const char* d, size_t n) {
    if (full.body.size() + n > limit) {
      over = true;
      return false;
    }
    full.body.append(d, n);
    return true;
  });
  if (over) return too_large();
  if (!ok) {
    api::Error e = api::BadRequest("the request body could not be read");
    res.status = e.HttpCode();
    res.set_content(Dump(e.ToStatus()), "application/json");
    return;
  }
  Handle(full, res);
}

void HttpServer::Impl::Handle(const httplib::Request& req, httplib::Response& res,
                              const httplib::ContentReader* reader) {
  const auto start = Clock::now();
  std::string verb = req.method, group, resource, subresource;
  const api::KindInfo* kind = nullptr;
  auto segs = SplitPath(req.path);
  auto finish = [&] {
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    metrics_.ObserveRequest(verb, kind ? kind->group : group, kind ? kind->resource : resource,
                            subresource, res.status, secs);
    if (spdlog::should_log(spdlog::level::debug)) {
      LogDebug("request", {{"method", req.method},
                           {"path", req.path},
                           {"code", std::to_string(res.status)},
                           {"ms", std::to_string(secs * 1000)}});
    }
  };
  // Health and version need no credentials (system:public-info-viewer in Kubernetes).
  if (req.method == "GET" && segs.size() == 1) {
    const std::string& p = segs[0];
    if (p == "healthz" || p == "livez") {
      Send(res, {200, "ok", "text/plain"});
      return finish();
    }
    if (p == "readyz") {
      bool ready = opts_.ready == nullptr || opts_.ready->load();
      Send(res, {ready ? 200 : 503, ready ? "ok" : "not ready", "text/plain"});
      return finish();
    }
    if (p == "version") {
      Send(res, {200, Dump(VersionInfo())});
      return finish();
    }
  }
  auto user = Authenticate(req);
  if (!user) {
    Send(res, ErrorReply(user.error()));
    return finish();
  }
  RequestContext ctx{std::move(*user), {}};

  if (segs.empty() || (segs[0] != "api" && segs[0] != "apis")) {
    if (req.method == "GET" && segs.size() == 1 && segs[0] == "metrics") {
      Send(res, {200, metrics_.Render(), "text/plain; version=0.0.4"});
    } else if (req.method == "GET" && !segs.empty() && segs[0] == "openapi") {
      if (segs.size() == 2 && segs[1] == "v3") {
        Send(res, {200, Dump(OpenApiV3Root(kinds_))});
      } else if (segs.size() >= 3 && segs[1] == "v3") {
        std::string gv;
        for (size_t i = 2; i < segs.size(); ++i) gv += (i > 2 ? "/" : "") + segs[i];
        auto doc = OpenApiV3Document(kinds_, gv);
        Send(res, doc ? Reply{200, Dump(*doc)} : ErrorReply(PathNotFound()));
      } else {
        Send(res, ErrorReply(PathNotFound()));
      }
    } else {
      Send(res, ErrorReply(PathNotFound()));
    }
    return finish();
  }

  // Served from the node agent: metrics.k8s.io (kubectl top) and the image store.
  if (segs[0] == "apis" && segs.size() >= 4 && segs[1] == "metrics.k8s.io") {
    group = segs[1];
    resource = segs.size() >= 6 ? segs[5] : segs[3];
    node_->ServeMetrics(req, res, ctx, segs);
    return finish();
  }
  if (segs[0] == "apis" && segs.size() >= 4 && segs[1] == "keelson.dev" && segs[2] == "v1" &&
      segs[3] == "images") {
    group = segs[1];
    resource = segs[3];
    node_->ServeImages(req, res, ctx, reader);
    return finish();
  }

  // Discovery: /api, /api/v1, /apis, /apis/{g}, /apis/{g}/{v}.
  bool is_discovery =
      (segs[0] == "api" && segs.size() <= 2) || (segs[0] == "apis" && segs.size() <= 3);
  if (is_discovery) {
    if (req.method != "GET") {
      api::Error e =
          api::MakeError(api::Reason::kMethodNotAllowed,
                         "the server does not allow this method on the requested resource");
      Send(res, ErrorReply(e));
      return finish();
    }
    bool handled = false;
    Reply r = Discovery(req, segs, handled);
    Send(res, r);
    return finish();
  }

  ResourcePath rp;
  size_t i;
  if (segs[0] == "api") {
    rp.version = segs[1];
    i = 2;
  } else {
    rp.group = segs[1];
    rp.version = segs[2];
    i = 3;
  }
  std::vector<std::string> rest(segs.begin() + static_cast<long>(i), segs.end());
  if (rest.size() >= 3 && rest[0] == "namespaces" &&
      !(rest.size() == 3 && (rest[2] == "status" || rest[2] == "finalize"))) {
    rp.ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) {
    Send(res, ErrorReply(PathNotFound()));
    return finish();
  }
  rp.resource = rest[0];
  if (rest.size() > 1) rp.name = rest[1];
  if (rest.size() > 2) rp.subresource = rest[2];
  resource = rp.resource;
  group = rp.group;
  subresource = rp.subresource;
  ServeResource(req, res, ctx, rp, verb, kind);
  for (const auto& w : ctx.warnings) {
    res.set_header("Warning", "299 - " + Dump(api::Json(w)));
  }
  finish();
}

Reply HttpServer::Impl::Discovery(const httplib::Request& req, const std::vector<std::string>& segs,
                                  bool& handled) {
  handled = true;
  if (segs.size() == 1) {
    api::DiscoveryFormat f = api::NegotiateDiscovery(req.get_header_value("Accept"));
    const std::string& body = segs[0] == "api" ? discovery_->Api(f) : discovery_->Apis(f);
    return {200, body, std::string(api::DiscoveryContentType(f))};
  }
  const std::string* body = nullptr;
  if (segs[0] == "api") {
    body = discovery_->ResourceList("", segs[1]);
  } else if (segs.size() == 2) {
    body = discovery_->Group(segs[1]);
  } else {
    body = discovery_->ResourceList(segs[1], segs[2]);
  }
  return body != nullptr ? Reply{200, *body} : ErrorReply(PathNotFound());
}

api::Result<api::Object> HttpServer::Impl::DecodeBody(const httplib::Request& req) {
  std::string ct = req.get_header_value("Content-Type");
  std::string media = ct.substr(0, ct.find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  api::Result<api::Json> j;
  if (media.empty() || media == "application/json") {
    j = api::DecodeJson(req.body, "body");
  } else if (media == "application/yaml" || media == "application/x-yaml" || media == "text/yaml") {
    j = api::DecodeYaml(req.body, "body");
  } else if (media == "application/vnd.kubernetes.protobuf") {
    j = DecodeProtobufObject(req.body);
  } else {
    return std::unexpected(api::MakeError(api::Reason::kUnsupportedMediaType,
                                          "the body of the request was in an unknown format - "
                                          "accepted media types include: application/json, "
                                          "application/yaml"));
  }
  if (!j) return std::unexpected(j.error());
  if (!j->is_object()) {
    return std::unexpected(api::BadRequest("body: the request body must be a JSON object, not " +
                                           std::string(j->type_name())));
  }
  return api::Object(std::move(*j));
}

api::Result<api::Json> HttpServer::Impl::TableOf(const api::KindInfo& kind,
                                                 const std::vector<api::Object>& objs,
                                                 const httplib::Request& req, const std::string& rv,
                                                 const std::string& cont,
                                                 const std::string& table_version) {
#ifdef KEELSON_HAVE_TABLE
  api::TableOptions o;
  auto inc = api::ParseIncludeObject(req.get_param_value("includeObject"));
  if (!inc) return std::unexpected(inc.error());
  o.include_object = *inc;
  o.resource_version = rv;
  o.continue_token = cont;
  auto t = api::BuildTable(kind.gvk(), objs, o);
  if (!t) return t;
  (*t)["apiVersion"] = "meta.k8s.io/" + table_version;
  return t;
#else
  std::string inc = req.get_param_value("includeObject");
  if (!inc.empty() && inc != "None" && inc != "Metadata" && inc != "Object") {
    return std::unexpected(api::BadRequest("includeObject: unsupported value \"" + inc + "\""));
  }
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  api::Json rows = api::Json::array();
  for (const auto& o : objs) {
    std::string age = "<unknown>";
    if (auto t = api::ParseTime(o.creation_timestamp())) age = std::to_string(now - *t) + "s";
    api::Json row = {{"cells", {o.name(), age}}};
    if (inc == "Object") {
      row["object"] = o.json();
    } else if (inc != "None") {
      row["object"] = {{"kind", "PartialObjectMetadata"},
                       {"apiVersion", "meta.k8s.io/v1"},
                       {"metadata", o.metadata()}};
    }
    rows.push_back(row);
  }
  api::Json meta = {{"resourceVersion", rv}};
  if (!cont.empty()) meta["continue"] = cont;
  return api::Json{{"kind", "Table"},
                   {"apiVersion", "meta.k8s.io/" + table_version},
                   {"metadata", meta},
                   {"columnDefinitions",
                    {{{"name", "Name"},
                      {"type", "string"},
                      {"format", "name"},
                      {"description", ""},
                      {"priority", 0}},
                     {{"name", "Age"},
                      {"type", "string"},
                      {"format", ""},
                      {"description", ""},
                      {"priority", 0}}}},
                   {"rows", rows}};
#endif
}

Reply HttpServer::Impl::ObjectReply(const api::KindInfo& kind, const api::Object& obj,
                                    const Negotiated& neg, const httplib::Request& req, int code) {
  if (neg.table && obj.kind() == kind.kind) {
    auto t = TableOf(kind, {obj}, req, obj.resource_version(), "", neg.table_version);
    if (!t) return ErrorReply(t.error());
    return {code, Dump(*t)};
  }
  if (neg.yaml) return {code, api::EncodeYaml(obj.json()), "application/yaml"};
  return {code, Dump(obj.json())};
}

Reply HttpServer::Impl::ListReply(const api::KindInfo& kind, api::ObjectList list,
                                  const Negotiated& neg, const httplib::Request& req) {
  if (neg.table) {
    auto t = TableOf(kind, list.items, req, list.resource_version, list.continue_token,
                     neg.table_version);
    if (!t) return ErrorReply(t.error());
    return {200, Dump(*t)};
  }
  api::Json meta = {{"resourceVersion", list.resource_version}};
  if (!list.continue_token.empty()) meta["continue"] = list.continue_token;
  api::Json items = api::Json::array();
  for (auto& o : list.items) items.push_back(std::move(o).Release());
  api::Json j = {{"kind", kind.kind + "List"},
                 {"apiVersion", kind.api_version()},
                 {"metadata", std::move(meta)},
                 {"items", std::move(items)}};
  if (neg.yaml) return {200, api::EncodeYaml(j), "application/yaml"};
  return {200, Dump(j)};
}

namespace {

api::Result<api::WriteOptions> WriteOptionsOf(const httplib::Request& req) {
  api::WriteOptions o;
  // Kubernetes' default when the parameter is absent is Warn.
  o.field_validation = "Warn";
  if (req.has_param("fieldValidation")) {
    std::string v = req.get_param_value("fieldValidation");
    if (v != "Strict" && v != "Warn" && v != "Ignore") {
      return std::unexpected(api::BadRequest("fieldValidation parameter unsupported: " + v +
                                             " (use Ignore, Warn or Strict)"));
    }
    o.field_validation = v;
  }
  for (size_t i = 0; i < req.get_param_value_count("dryRun"); ++i) {
    std::string v = req.get_param_value("dryRun", i);
    if (v != "All") {
      return std::unexpected(api::BadRequest("Invalid dry run value: unsupported dry run value \"" +
                                             v + "\" (supported values: \"All\")"));
    }
    o.dry_run = true;
  }
  o.field_manager = req.get_param_value("fieldManager");
  return o;
}

api::Result<api::ListOptions> ListOptionsOf(const httplib::Request& req) {
  api::ListOptions o;
  o.label_selector = req.get_param_value("labelSelector");
  o.field_selector = req.get_param_value("fieldSelector");
  o.resource_version = req.get_param_value("resourceVersion");
  o.continue_token = req.get_param_value("continue");
  if (req.has_param("limit")) {
    try {
      o.limit = std::stoll(req.get_param_value("limit"));
    } catch (const std::exception&) {
      return std::unexpected(
          api::BadRequest("limit: invalid value \"" + req.get_param_value("limit") + "\""));
    }
  }
  return o;
}

// DeleteOptions from the query and an optional metav1.DeleteOptions body.
api::Result<std::pair<api::DeleteOptions, std::string>> DeleteOptionsOf(
    const httplib::Request& req) {
  api::DeleteOptions o;
  std::string rv;
  if (!req.body.empty()) {
    auto j = api::DecodeJson(req.body, "body");
    if (!j) return std::unexpected(j.error());
    if (j->is_object()) {
      if (auto p = j->find("propagationPolicy"); p != j->end() && p->is_string()) {
        o.propagation_policy = p->get<std::string>();
      }
      if (auto p = j->find("orphanDependents");
          p != j->end() && p->is_boolean() && p->get<bool>()) {
        o.propagation_policy = "Orphan";
      }
      if (auto g = j->find("gracePeriodSeconds"); g != j->end() && g->is_number_integer()) {
        o.grace_period_seconds = g->get<int64_t>();
      }
      if (auto p = j->find("preconditions"); p != j->end() && p->is_object()) {
        o.precondition_uid = p->value("uid", "");
        rv = p->value("resourceVersion", "");
      }
      if (auto d = j->find("dryRun"); d != j->end() && d->is_array()) {
        for (const auto& v : *d) {
          if (v != "All")
            return std::unexpected(api::BadRequest("unsupported dry run value " + v.dump()));
          o.dry_run = true;
        }
      }
    }
  }
  if (req.has_param("propagationPolicy"))
    o.propagation_policy = req.get_param_value("propagationPolicy");
  if (req.has_param("gracePeriodSeconds")) {
    try {
      o.grace_period_seconds = std::stoll(req.get_param_value("gracePeriodSeconds"));
    } catch (const std::exception&) {
      return std::unexpected(api::BadRequest("gracePeriodSeconds: invalid value"));
    }
  }
  if (req.has_param("dryRun")) {
    if (req.get_param_value("dryRun") != "All") {
      return std::unexpected(
          api::BadRequest("unsupported dry run value \"" + req.get_param_value("dryRun") + "\""));
    }
    o.dry_run = true;
  }
  if (o.propagation_policy.empty()) o.propagation_policy = "Background";
  return std::make_pair(o, rv);
}

}  // namespace

void HttpServer::Impl::ServeResource(const httplib::Request& req, httplib::Response& res,
                                     RequestContext& ctx, const ResourcePath& rp, std::string& verb,
                                     const api::KindInfo*& kind_out) {
  const api::KindInfo* kind = kinds_.ByResource(rp.group, rp.version, rp.resource);
  if (kind == nullptr) return Send(res, ErrorReply(PathNotFound()));
  kind_out = kind;
  if (!kind->namespaced && !rp.ns.empty()) return Send(res, ErrorReply(PathNotFound()));
  if (kind->group.empty() && kind->kind == "Pod" && !rp.ns.empty() && !rp.name.empty()) {
    if (rp.subresource == "log") {
      verb = "get";
      return node_->ServeLog(req, res, ctx, rp.ns, rp.name);
    }
    if (rp.subresource == "exec") {
      verb = "create";
      return node_->ServeExec(req, res, ctx, rp.ns, rp.name);
    }
    if (rp.subresource == "binding") {
      verb = "create";
      if (req.method != "POST") {
        return Send(res, ErrorReply(api::MakeError(
                             api::Reason::kMethodNotAllowed,
                             "the server does not allow this method on the requested resource")));
      }
      auto wo = WriteOptionsOf(req);
      if (!wo) return Send(res, ErrorReply(wo.error()));
      auto body = DecodeBody(req);
      if (!body) return Send(res, ErrorReply(body.error()));
      auto st = res_.Bind(ctx, rp.ns, rp.name, std::move(*body), *wo);
      if (!st) return Send(res, ErrorReply(st.error()));
      return Send(res, {201, Dump(st->json())});
    }
  }
  // A namespaced resource without a namespace in the path only lists and watches.
  if (kind->namespaced && rp.ns.empty() && (req.method != "GET" || !rp.name.empty())) {
    return Send(res, ErrorReply(PathNotFound()));
  }
  Negotiated neg = Negotiate(req.get_header_value("Accept"));
  if (!neg.acceptable) {
    return Send(res, ErrorReply(api::MakeError(
                         api::Reason::kNotAcceptable,
                         "only the following media types are accepted: application/json, "
                         "application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io")));
  }
  const std::string& m = req.method;
  if (m == "GET") {
    if (rp.name.empty()) {
      bool watch = req.has_param("watch") && ParseBool(req.get_param_value("watch"));
      verb = watch ? "watch" : "list";
      if (watch) return ServeWatch(req, res, *kind, rp, ctx, neg);
      auto lo = ListOptionsOf(req);
      if (!lo) return Send(res, ErrorReply(lo.error()));
      if (!neg.table && !neg.yaml && lo->label_selector.empty() && lo->field_selector.empty() &&
          lo->limit <= 0 && lo->continue_token.empty()) {
        // Plain JSON LIST: the stored JSON goes out as it is, without a parse and a dump each.
        auto raw = res_.ListRaw(ctx, *kind, rp.ns);
        if (!raw) return Send(res, ErrorReply(raw.error()));
        size_t size = 128;
        for (const auto& o : raw->items) size += o.json.size() + 1;
        std::string body;
        body.reserve(size);
        body += R"({"kind":")" + kind->kind + R"(List","apiVersion":")" + kind->api_version() +
                R"(","metadata":{"resourceVersion":")" + std::to_string(raw->revision) +
                R"("},"items":[)";
        for (size_t i = 0; i < raw->items.size(); ++i) {
          if (i > 0) body += ',';
          body += raw->items[i].json;
        }
        body += "]}";
        return Send(res, {200, std::move(body)});
      }
      auto list = res_.List(ctx, *kind, rp.ns, *lo);
      if (!list) return Send(res, ErrorReply(list.error()));
      return Send(res, ListReply(*kind, std::move(*list), neg, req));
    }
    verb = "get";
    auto obj = res_.Get(ctx, *kind, rp.ns, rp.name, rp.subresource);
    if (!obj) return Send(res, ErrorReply(obj.error()));
    return Send(res, ObjectReply(*kind, *obj, neg, req));
  }
  if (m == "POST") {
    verb = "create";
    if (!rp.name.empty()) {
      return Send(res, ErrorReply(api::MakeError(
                           api::Reason::kMethodNotAllowed,
                           "the server does not allow this method on the requested resource")));
    }
    auto wo = WriteOptionsOf(req);
    if (!wo) return Send(res, ErrorReply(wo.error()));
    auto body = DecodeBody(req);
    if (!body) return Send(res, ErrorReply(body.error()));
    auto created = res_.Create(ctx, *kind, rp.ns, std::move(*body), *wo);
    if (!created) return Send(res, ErrorReply(created.error()));
    return Send(res, ObjectReply(*kind, *created, neg, req, 201));
  }
  if (m == "PUT") {
    verb = "update";
    if (rp.name.empty()) {
      return Send(res, ErrorReply(api::MakeError(
                           api::Reason::kMethodNotAllowed,
                           "the server does not allow this method on the requested resource")));
    }
    auto wo = WriteOptionsOf(req);
    if (!wo) return Send(res, ErrorReply(wo.error()));
    auto body = DecodeBody(req);
    if (!body) return Send(res, ErrorReply(body.error()));
    auto updated = res_.Update(ctx, *kind, rp.ns, rp.name, rp.subresource, std::move(*body), *wo);
    if (!updated) return Send(res, ErrorReply(updated.error()));
    return Send(res, ObjectReply(*kind, *updated, neg, req));
  }
  if (m == "PATCH") {
    verb = "patch";
    if (rp.name.empty()) {
      return Send(res, ErrorReply(api::MakeError(
                           api::Reason::kMethodNotAllowed,
                           "the server does not allow this method on the requested resource")));
    }
    auto type = PatchTypeOf(req.get_header_value("Content-Type"));
    if (!type) {
      return Send(res,
                  ErrorReply(api::MakeError(
                      api::Reason::kUnsupportedMediaType,
                      "the body of the request was in an unknown format - accepted media "
                      "types include: application/json-patch+json, "
                      "application/merge-patch+json, application/strategic-merge-patch+json")));
    }
    auto wo = WriteOptionsOf(req);
    if (!wo) return Send(res, ErrorReply(wo.error()));
    auto patched = res_.Patch(ctx, *kind, rp.ns, rp.name, rp.subresource, *type, req.body, *wo);
    if (!patched) return Send(res, ErrorReply(patched.error()));
    return Send(res, ObjectReply(*kind, *patched, neg, req));
  }
  if (m == "DELETE") {
    auto dopts = DeleteOptionsOf(req);
    if (!dopts) return Send(res, ErrorReply(dopts.error()));
    if (rp.name.empty()) {
      verb = "deletecollection";
      auto lo = ListOptionsOf(req);
      if (!lo) return Send(res, ErrorReply(lo.error()));
      auto list = res_.DeleteCollection(ctx, *kind, rp.ns, *lo, dopts->first);
      if (!list) return Send(res, ErrorReply(list.error()));
      return Send(res, ListReply(*kind, std::move(*list), Negotiated{}, req));
    }
    verb = "delete";
    if (!rp.subresource.empty()) {
      return Send(res, ErrorReply(api::MakeError(
                           api::Reason::kMethodNotAllowed,
                           "the server does not allow this method on the requested resource")));
    }
    auto d = res_.Delete(ctx, *kind, rp.ns, rp.name, dopts->first, dopts->second);
    if (!d) return Send(res, ErrorReply(d.error()));
    if (d->deleted && !(kind->group.empty() && kind->kind == "Pod")) {
      api::Json details = {{"name", rp.name}, {"kind", kind->resource}, {"uid", d->object.uid()}};
      if (!kind->group.empty()) details["group"] = kind->group;
      api::Json st = {{"kind", "Status"},
                      {"apiVersion", "v1"},
                      {"metadata", api::Json::object()},
                      {"status", "Success"},
                      {"details", details}};
      return Send(res, {200, Dump(st)});
    }
    // A pod in graceful deletion is answered 200 with the object, as Kubernetes does.
    bool pod = kind->group.empty() && kind->kind == "Pod";
    return Send(res,
                ObjectReply(*kind, d->object, Negotiated{}, req, d->deleted || pod ? 200 : 202));
  }
  Send(res, ErrorReply(
                api::MakeError(api::Reason::kMethodNotAllowed,
                               "the server does not allow this method on the requested resource")));
}

namespace {

// The queue between a store watch thread and the HTTP response writer.
struct WatchStream {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> lines;
  bool ended = false;
  std::string last_rv;
};

bool ClientGone(const httplib::Request& req) {
  if (req.ssl == nullptr) return false;
  int fd = SSL_get_fd(req.ssl);
  if (fd < 0) return true;
  struct pollfd p = {fd, POLLRDHUP, 0};
  if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) return true;
  return false;
}

}  // namespace

void HttpServer::Impl::ServeWatch(const httplib::Request& req, httplib::Response& res,
                                  const api::KindInfo& kind, const ResourcePath& rp,
                                  RequestContext& ctx, const Negotiated& neg) {
  auto lo = ListOptionsOf(req);
  if (!lo) return Send(res, ErrorReply(lo.error()));
  bool bookmarks =
      req.has_param("allowWatchBookmarks") && ParseBool(req.get_param_value("allowWatchBookmarks"));
  int64_t timeout_s = 1800;
  if (req.has_param("timeoutSeconds")) {
    try {
      timeout_s = std::stoll(req.get_param_value("timeoutSeconds"));
    } catch (const std::exception&) {
      return Send(res, ErrorReply(api::BadRequest("timeoutSeconds: invalid value")));
    }
  }
  auto stream = std::make_shared<WatchStream>();
  stream->last_rv = lo->resource_version;
  const api::KindInfo* kp = &kind;
  auto to_line = [this, kp, neg, req_ptr = &req](const api::WatchEvent& ev) -> std::string {
    api::Json obj = ev.object.json();
    if (neg.table && ev.type != api::WatchEventType::kError &&
        ev.type != api::WatchEventType::kBookmark) {
      auto t =
          TableOf(*kp, {ev.object}, *req_ptr, ev.object.resource_version(), "", neg.table_version);
      if (t) obj = std::move(*t);
    }
    return Dump(api::Json{{"type", api::WatchEventTypeString(ev.type)},
                          {"object", std::move(obj)}}) +
           "\n";
  };
  auto on_event = [stream, to_line](const api::WatchEvent& ev) {
    std::string line = to_line(ev);
    std::lock_guard<std::mutex> l(stream->mu);
    if (stream->ended) return;
    stream->lines.push_back(std::move(line));
    stream->last_rv = ev.object.resource_version();
    stream->cv.notify_one();
  };
  auto on_error = [stream](const api::Error& e) {
    api::Json line = {{"type", "ERROR"}, {"object", e.ToStatus()}};
    std::lock_guard<std::mutex> l(stream->mu);
    stream->lines.push_back(Dump(line) + "\n");
    stream->ended = true;
    stream->cv.notify_one();
  };
  auto handle = res_.Watch(ctx, kind, rp.ns, *lo, on_event, on_error);
  if (!handle) {
    if (handle.error().reason == api::Reason::kGone) {
      // Kubernetes answers an expired revision with 200 and a single ERROR event.
      api::Json line = {{"type", "ERROR"}, {"object", handle.error().ToStatus()}};
      res.status = 200;
      res.set_content(Dump(line) + "\n", "application/json;stream=watch");
      return;
    }
    return Send(res, ErrorReply(handle.error()));
  }
  std::shared_ptr<api::WatchHandle> shared_handle(std::move(*handle));
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  auto next_bookmark = Clock::now() + kBookmarkInterval;
  const httplib::Request* reqp = &req;
  std::string api_version = kind.api_version(), kind_name = kind.kind;
  res.status = 200;
  res.set_chunked_content_provider(
      "application/json;stream=watch",
      [this, stream, shared_handle, deadline, next_bookmark, reqp, bookmarks, api_version,
       kind_name](size_t, httplib::DataSink& sink) mutable {
        std::deque<std::string> batch;
        bool ended = false;
        {
          std::unique_lock<std::mutex> l(stream->mu);
          stream->cv.wait_for(l, std::chrono::milliseconds(500),
                              [&] { return !stream->lines.empty() || stream->ended; });
          batch.swap(stream->lines);
          ended = stream->ended;
        }
        for (const auto& line : batch) {
          if (!sink.write(line.data(), line.size())) return false;
        }
        auto now = Clock::now();
        if (bookmarks && now >= next_bookmark && !ended) {
          std::string rv;
          {
            std::lock_guard<std::mutex> l(stream->mu);
            rv = stream->last_rv;
          }
          if (!rv.empty()) {
            std::string line = Dump(api::Json{{"type", "BOOKMARK"},
                                              {"object",
                                               {{"kind", kind_name},
                                                {"apiVersion", api_version},
                                                {"metadata", {{"resourceVersion", rv}}}}}}) +
                               "\n";
            if (!sink.write(line.data(), line.size())) return false;
          }
          next_bookmark = now + kBookmarkInterval;
        }
        if (ended || stopping_ || now >= deadline || ClientGone(*reqp)) {
          sink.done();
        }
        return true;
      },
      [stream, shared_handle](bool) mutable {
        {
          std::lock_guard<std::mutex> l(stream->mu);
          stream->ended = true;
        }
        shared_handle.reset();
      });
}

HttpServer::HttpServer(HttpOptions opts, Resources& resources, const Authenticator& authn,
                       Metrics& metrics, const api::Kinds& kinds)
    : impl_(std::make_unique<Impl>(std::move(opts), resources, authn, metrics, kinds)) {}
HttpServer::~HttpServer() = default;
api::Result<int> HttpServer::Bind() { return impl_->Bind(); }
bool HttpServer::Run() { return impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace keelson::daemon
