// keelsond wiring.
#include "daemon/daemon.h"

#include <sys/stat.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "api/kinds.h"
#include "daemon/admission.h"
#include "daemon/local_client.h"
#include "daemon/log.h"

namespace keelson::daemon {
namespace {

// The executable named `name` in PATH (then /usr/sbin and /sbin, which a root PATH may lack),
// or "".
std::string FindInPath(const std::string& name) {
  const char* env = std::getenv("PATH");
  std::string path = std::string(env != nullptr ? env : "") + ":/usr/local/sbin:/usr/sbin:/sbin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(start, colon - start);
    start = colon + 1;
    if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
  }
  return "";
}

double ResidentBytes() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

}  // namespace

api::Result<std::unique_ptr<Daemon>> Daemon::Create(const Config& config) {
  std::unique_ptr<Daemon> d(new Daemon());
  d->config_ = config;
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec)
    return std::unexpected(
        api::Internal("create data dir " + config.data_dir + ": " + ec.message()));
  ::chmod(config.data_dir.c_str(), 0700);

  auto hp = SplitHostPort(config.listen);
  if (!hp) return std::unexpected(hp.error());
  auto pki = EnsurePki(config.data_dir, {hp->first});
  if (!pki) return std::unexpected(pki.error().Wrap("pki"));
  d->pki_ = *pki;

  if (!config.token_auth_file.empty()) {
    if (auto s = d->authn_.LoadTokenFile(config.token_auth_file); !s)
      return std::unexpected(s.error());
  }

  auto store = store::OpenSqlite(config.data_dir);
  if (!store) return std::unexpected(store.error().Wrap("open store in " + config.data_dir));
  d->store_ = std::move(*store);
  d->authz_ = std::make_unique<AllowAllAuthorizer>();
  d->resources_ =
      std::make_unique<Resources>(*d->store_, *d->authz_, AdmissionChain::Default(*d->store_));
  d->admin_client_ = std::make_unique<LocalClient>(
      *d->resources_, api::Kinds::Default(),
      Authenticator::FromCertificate("keelson-admin", {"system:masters"}));

  Metrics& m = d->metrics_;
  store::Store* st = d->store_.get();
  Resources* rs = d->resources_.get();
  m.AddGauge("keelson_store_revision", "The current revision of the object store.",
             [st] { return static_cast<double>(st->CurrentRevision()); });
  m.AddGauge("apiserver_registered_watchers", "Number of currently open watches.",
             [rs] { return static_cast<double>(rs->watchers()); });
  m.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.", ResidentBytes);

  // The node agent: decided before the server is built (the server serves its endpoints), started
  // in Start() once the API serves.
  if (config.node_agent != "off") {
    std::string why_not;
    std::string runc = FindInPath("runc");
    std::string monitor = FindMonitor();
    bool need_runc = config.container_runtime == "runc";
    if (geteuid() != 0) {
      why_not = "keelsond is not running as root";
    } else if (need_runc && runc.empty()) {
      why_not = "runc was not found in PATH, /usr/sbin or /sbin";
    } else if (monitor.empty()) {
      why_not = "keelson-monitor was not found beside keelsond, in ../runtime/ or in PATH";
    }
    if (why_not.empty()) {
      std::string node_name = config.node_name;
      d->agent_client_ = std::make_unique<LocalClient>(
          *d->resources_, api::Kinds::Default(),
          // Full rights until a Node authorizer exists; the name says who wrote what.
          Authenticator::FromCertificate("system:node:" + (node_name.empty() ? "self" : node_name),
                                         {"system:nodes", "system:masters"}));
      runtime::NodeAgentConfig ac;
      ac.node_name = node_name;
      ac.data_dir = config.data_dir;
      ac.pod_cidr = config.pod_cidr;
      ac.service_cidr = config.service_cidr;
      ac.cni_bin_dir = config.cni_bin_dir;
      ac.runtime = config.container_runtime;
      ac.runc_path = runc;
      ac.monitor_path = monitor;
      ac.static_pod_dir = config.static_pod_dir;
      ac.insecure_registries = config.insecure_registries;
      auto agent = runtime::NodeAgent::Create(d->agent_client_.get(), ac);
      if (agent) {
        d->agent_ = std::move(*agent);
      } else {
        why_not = agent.error().message;
      }
    }
    if (!why_not.empty()) {
      if (config.node_agent == "on") {
        return std::unexpected(api::MakeError(api::Reason::kInternalError,
                                              "node agent (--node-agent=on): " + why_not));
      }
      LogInfo("node agent off", {{"reason", why_not}});
    }
  } else {
    LogInfo("node agent off", {{"reason", "--node-agent=off"}});
  }
  if (config.scheduler == "on") {
    d->scheduler_client_ = std::make_unique<LocalClient>(
        *d->resources_, api::Kinds::Default(),
        Authenticator::FromCertificate("system:kube-scheduler", {"system:masters"}));
    d->scheduler_ = std::make_unique<controllers::Scheduler>(d->scheduler_client_.get());
  }

  HttpOptions ho;
  ho.node_agent = d->agent_.get();
  ho.data_dir = config.data_dir;
  ho.host = hp->first;
  ho.port = hp->second;
  ho.cert_file = d->pki_.server_cert;
  ho.key_file = d->pki_.server_key;
  ho.client_ca_file = d->pki_.ca_cert;
  ho.max_body_bytes = config.max_body_bytes;
  ho.max_threads = config.max_threads;
  ho.ready = &d->ready_;
  d->http_ = std::make_unique<HttpServer>(ho, *d->resources_, d->authn_, d->metrics_,
                                          api::Kinds::Default());
  auto port = d->http_->Bind();
  if (!port) return std::unexpected(port.error().Wrap("listen on " + config.listen));
  d->port_ = *port;

  std::string host = hp->first;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  std::string url = "https://" + host + ":" + std::to_string(d->port_);
  std::string kubeconfig = config.data_dir + "/admin.conf";
  if (auto s = WriteAdminKubeconfig(kubeconfig, url, d->pki_); !s) {
    return std::unexpected(s.error().Wrap("write " + kubeconfig));
  }
  if (!config.port_file.empty()) {
    if (auto s = WriteFileAtomic(config.port_file, std::to_string(d->port_) + "\n", 0644); !s) {
      return std::unexpected(s.error());
    }
  }
  LogInfo("keelsond listening", {{"url", url},
                                 {"kubeconfig", kubeconfig},
                                 {"revision", std::to_string(d->store_->CurrentRevision())}});
  return d;
}

void Daemon::Start() {
  serve_thread_ = std::thread([this] {
    if (!http_->Run() && !stopped_) LogError("https server stopped unexpectedly");
  });
  ready_ = true;
  if (scheduler_) {
    if (auto s = scheduler_->Start(); !s) {
      LogError("scheduler failed to start", {{"error", s.error().message}});
    } else {
      LogInfo("scheduler started");
    }
  }
  if (agent_) {
    if (auto s = agent_->Start(); !s) {
      LogError("node agent failed to start", {{"error", s.error().message}});
    }
  }
}

void Daemon::Stop() {
  if (stopped_) return;
  stopped_ = true;
  ready_ = false;
  http_->Stop();
  if (serve_thread_.joinable()) serve_thread_.join();
  if (scheduler_) scheduler_->Stop();
  if (agent_) agent_->Stop();
}

Daemon::~Daemon() {
  Stop();
  // Clients and the server go before the store they use.
  http_.reset();
  scheduler_.reset();
  agent_.reset();
  scheduler_client_.reset();
  agent_client_.reset();
  admin_client_.reset();
  http_.reset();
  resources_.reset();
  store_.reset();
}

}  // namespace keelson::daemon
