// keelsond wiring.
#include "daemon/daemon.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "api/kinds.h"
#include "daemon/admission.h"
#include "daemon/local_client.h"
#include "daemon/log.h"

namespace keelson::daemon {
namespace {

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

  HttpOptions ho;
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
}

void Daemon::Stop() {
  if (stopped_) return;
  stopped_ = true;
  ready_ = false;
  http_->Stop();
  if (serve_thread_.joinable()) serve_thread_.join();
}

Daemon::~Daemon() {
  Stop();
  // Clients and the server go before the store they use.
  admin_client_.reset();
  http_.reset();
  resources_.reset();
  store_.reset();
}

}  // namespace keelson::daemon
