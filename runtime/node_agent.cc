// NodeAgent: node registration, lease, pod watch → pod workers, logs and exec.
#include "runtime/node_agent.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <set>
#include <thread>

#include "runtime/fsutil.h"
#include "runtime/pod_worker.h"
#include "runtime/process_runtime.h"
#include "runtime/runc_runtime.h"
#include "runtime/static_pods.h"

namespace keelson::runtime {

using api::Json;
using namespace std::chrono_literals;

namespace {

const api::GroupVersionKind kPod{"", "v1", "Pod"};
const api::GroupVersionKind kNode{"", "v1", "Node"};
const api::GroupVersionKind kLease{"coordination.k8s.io", "v1", "Lease"};
const api::GroupVersionKind kNamespace{"", "v1", "Namespace"};

std::string FirstIpv4(const std::string& avoid_prefix) {
  ifaddrs* ifs = nullptr;
  if (getifaddrs(&ifs) != 0) return "127.0.0.1";
  std::string out;
  for (ifaddrs* i = ifs; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof buf);
    std::string ip = buf;
    if (ip.starts_with("127.") || (!avoid_prefix.empty() && ip.starts_with(avoid_prefix))) continue;
    out = ip;
    break;
  }
  freeifaddrs(ifs);
  return out.empty() ? "127.0.0.1" : out;
}

std::string NodeNameOf(const api::Object& pod) {
  const Json* n = pod.Find("spec.nodeName");
  return n && n->is_string() ? n->get<std::string>() : "";
}

int64_t MemTotal() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kb;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemTotal:") return kb * 1024;
  }
  return 0;
}

std::string MicroTime() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::string base = api::FormatTime(us / 1000000);
  char frac[16];
  snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(us % 1000000));
  return base.substr(0, 19) + frac + "Z";
}

}  // namespace

struct NodeAgent::StaticPodState {
  std::thread thread;
  std::mutex mu;
  std::condition_variable cv;
  bool kick = false;
  bool stop = false;
  std::set<std::string> reported;   // manifest errors already logged and sent as events
  std::set<std::string> conflicts;  // names taken in the API by a pod that is not a mirror
  std::string node_uid;
};

api::Result<std::unique_ptr<NodeAgent>> NodeAgent::Create(api::Client* client,
                                                          NodeAgentConfig config,
                                                          std::unique_ptr<ContainerRuntime> runtime,
                                                          Clock* clock) {
  std::unique_ptr<NodeAgent> agent(new NodeAgent());
  agent->static_ = std::make_unique<StaticPodState>();
  auto ctx = std::make_unique<AgentContext>();
  ctx->client = client;
  if (config.node_name.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    config.node_name = host;
  }
  if (config.data_dir.empty())
    return std::unexpected(api::BadRequest("node agent: data_dir is required"));
  if (config.netns_dir.empty()) config.netns_dir = config.data_dir + "/netns";
  for (const char* sub : {"/pods", "/containers", "/runtime"}) {
    auto st = MakeDirs(config.data_dir + sub, 0700);
    if (!st) return std::unexpected(st.error().Wrap("node agent"));
  }
  auto images = ImageStore::Open(config.data_dir + "/images");
  if (!images) return std::unexpected(images.error().Wrap("node agent"));
  ctx->images = std::move(*images);
  if (!runtime) {
    api::Result<std::unique_ptr<ContainerRuntime>> rt;
    if (config.runtime == "runc") {
      rt = NewRuncRuntime({.runc_path = config.runc_path,
                           .monitor_path = config.monitor_path,
                           .state_dir = config.data_dir + "/runtime/runc"});
    } else if (config.runtime == "process") {
      rt = NewProcessRuntime(
          {.monitor_path = config.monitor_path, .state_dir = config.data_dir + "/runtime/process"});
    } else {
      return std::unexpected(api::BadRequest("node agent: runtime \"" + config.runtime +
                                             "\" is not supported (use runc or process)"));
    }
    if (!rt) return std::unexpected(rt.error().Wrap("node agent"));
    runtime = std::move(*rt);
  }
  ctx->runtime = std::move(runtime);
  CniOptions cni;
  cni.bin_dir = config.cni_bin_dir;
  cni.netns_dir = config.netns_dir;
  cni.state_dir = config.data_dir + "/cni";
  cni.bridge = config.cni_bridge;
  cni.network_name = "keelson-" + config.cni_bridge;
  cni.pod_cidr = config.pod_cidr;
  cni.service_cidr = config.service_cidr;
  ctx->cni = std::make_unique<Cni>(cni);
  if (clock == nullptr) {
    ctx->owned_clock = std::make_unique<SystemClock>();
    clock = ctx->owned_clock.get();
  }
  ctx->clock = clock;
  ctx->puller = std::make_unique<ImagePuller>(
      ctx->images.get(), client, RegistryOptions{.insecure_registries = config.insecure_registries},
      clock);
  std::string pod_prefix =
      config.pod_cidr.substr(0, config.pod_cidr.find('.', config.pod_cidr.find('.') + 1) + 1);
  ctx->node.node_name = config.node_name;
  ctx->node.host_ip = config.host_ip.empty() ? FirstIpv4(pod_prefix) : config.host_ip;
  ctx->node.cpu_milli = static_cast<int64_t>(sysconf(_SC_NPROCESSORS_ONLN)) * 1000;
  ctx->node.memory_bytes = MemTotal();
  struct statvfs fs;
  if (statvfs(config.data_dir.c_str(), &fs) == 0) {
    ctx->node.ephemeral_storage =
        static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);
  }
  ctx->config = std::move(config);
  agent->ctx_ = std::move(ctx);
  return agent;
}

NodeAgent::~NodeAgent() { Stop(); }

const std::string& NodeAgent::node_name() const { return ctx_->config.node_name; }
ImageStore& NodeAgent::images() { return *ctx_->images; }
ImagePuller& NodeAgent::puller() { return *ctx_->puller; }
ContainerRuntime& NodeAgent::runtime() { return *ctx_->runtime; }

api::Status NodeAgent::RegisterNode() {
  const auto& n = ctx_->node;
  struct utsname u;
  uname(&u);
  std::string cpu = std::to_string(n.cpu_milli / 1000);
  std::string mem = std::to_string(n.memory_bytes / 1024) + "Ki";
  std::string eph = std::to_string(n.ephemeral_storage / 1024) + "Ki";
  std::string pods = std::to_string(ctx_->config.max_pods);
  Json capacity = {{"cpu", cpu}, {"memory", mem}, {"pods", pods}, {"ephemeral-storage", eph}};
  std::string now = api::NowTimestamp();
  auto cond = [&](const char* type, bool ok, const char* reason, const char* msg) {
    return Json{{"type", type},   {"status", ok ? "True" : "False"}, {"reason", reason},
                {"message", msg}, {"lastHeartbeatTime", now},        {"lastTransitionTime", now}};
  };
  Json status = {
      {"capacity", capacity},
      {"allocatable", capacity},
      {"addresses", Json::array({{{"type", "InternalIP"}, {"address", n.host_ip}},
                                 {{"type", "Hostname"}, {"address", n.node_name}}})},
      {"conditions",
       Json::array(
           {cond("MemoryPressure", false, "KubeletHasSufficientMemory",
                 "kubelet has sufficient memory available"),
            cond("DiskPressure", false, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            cond("PIDPressure", false, "KubeletHasSufficientPID",
                 "kubelet has sufficient PID available"),
            cond("Ready", true, "KubeletReady", "kubelet is posting ready status")})},
      {"nodeInfo",
       {{"machineID", ""},
        {"systemUUID", ""},
        {"bootID", ""},
        {"kernelVersion", u.release},
        {"osImage", "Linux"},
        {"containerRuntimeVersion", ctx_->runtime->Name() + "://" + std::string("1")},
        {"kubeletVersion", "v1.30.0-keelson"},
        {"kubeProxyVersion", "v1.30.0-keelson"},
        {"operatingSystem", "linux"},
        {"architecture", "amd64"}}},
      {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 0}}}}},
  };
  auto existing = ctx_->client->Get(kNode, "", n.node_name);
  api::Object node;
  if (!existing) {
    if (existing.error().reason != api::Reason::kNotFound)
      return std::unexpected(existing.error().Wrap("register node"));
    node = api::Object(Json{
        {"apiVersion", "v1"},
        {"kind", "Node"},
        {"metadata",
         {{"name", n.node_name},
          {"labels",
           {{"kubernetes.io/hostname", n.node_name},
            {"kubernetes.io/os", "linux"},
            {"kubernetes.io/arch", "amd64"}}}}},
        {"spec", {{"podCIDR", ctx_->config.pod_cidr}, {"podCIDRs", {ctx_->config.pod_cidr}}}}});
    auto created = ctx_->client->Create(node);
    if (!created && created.error().reason != api::Reason::kAlreadyExists) {
      return std::unexpected(created.error().Wrap("register node"));
    }
    if (created) node = *created;
  } else {
    node = *existing;
  }
  node.json()["status"] = status;
  node.set_resource_version("");
  auto r = ctx_->client->UpdateStatus(node);
  if (!r) return std::unexpected(r.error().Wrap("register node status"));
  return {};
}

api::Status NodeAgent::RenewLease() {
  const std::string ns = "kube-node-lease";
  const std::string& name = ctx_->config.node_name;
  auto lease = ctx_->client->Get(kLease, ns, name);
  if (!lease) {
    if (lease.error().reason != api::Reason::kNotFound)
      return std::unexpected(lease.error().Wrap("renew lease"));
    if (!ctx_->client->Get(kNamespace, "", ns)) {
      (void)ctx_->client->Create(api::Object(
          Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}));
    }
    Json l = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", name}, {"namespace", ns}}},
        {"spec",
         {{"holderIdentity", name}, {"leaseDurationSeconds", 40}, {"renewTime", MicroTime()}}}};
    auto c = ctx_->client->Create(api::Object(l));
    if (!c) return std::unexpected(c.error().Wrap("create lease"));
    return {};
  }
  lease->json()["spec"]["holderIdentity"] = name;
  lease->json()["spec"]["leaseDurationSeconds"] = 40;
  lease->json()["spec"]["renewTime"] = MicroTime();
  auto u = ctx_->client->Update(*lease);
  if (!u) return std::unexpected(u.error().Wrap("renew lease"));
  return {};
}

void NodeAgent::OnPodEvent(const api::WatchEvent& ev) {
  if (ev.type == api::WatchEventType::kError) {
    spdlog::warn("pod watch error; relisting");
    std::thread([this] {
      if (!stop_) (void)ListAndWatch();
    }).detach();
    return;
  }
  if (ev.type == api::WatchEventType::kBookmark) return;
  const api::Object& pod = ev.object;
  if (NodeNameOf(pod) != ctx_->config.node_name) return;
  if (IsMirrorPod(pod)) {
    // Mirror pods only show static pods; one deleted (or being deleted) is made again.
    if (ev.type == api::WatchEventType::kDeleted || !pod.deletion_timestamp().empty()) {
      {
        std::lock_guard lock(static_->mu);
        static_->kick = true;
      }
      static_->cv.notify_all();
    }
    return;
  }
  std::shared_ptr<PodWorker> worker;
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    auto it = workers_.find(pod.uid());
    if (it != workers_.end()) {
      worker = it->second;
    } else if (ev.type != api::WatchEventType::kDeleted) {
      workers_[pod.uid()] = std::make_shared<PodWorker>(ctx_.get(), pod);
      return;
    }
  }
  if (worker) {
    if (ev.type == api::WatchEventType::kDeleted)
      worker->Update(std::nullopt);
    else
      worker->Update(pod);
  }
  ReapWorkers();
}

void NodeAgent::ReapWorkers() {
  std::vector<std::shared_ptr<PodWorker>> done;
  {
    std::lock_guard lock(mu_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->second->Finished()) {
        done.push_back(it->second);
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
  }
  done.clear();  // joins outside the lock
}

api::Status NodeAgent::ListAndWatch() {
  api::ListOptions opts;
  opts.field_selector = "spec.nodeName=" + ctx_->config.node_name;
  auto list = ctx_->client->List(kPod, "", opts);
  if (!list) return std::unexpected(list.error().Wrap("list pods"));
  std::set<std::string> seen;
  for (auto& pod : list->items) {
    if (NodeNameOf(pod) != ctx_->config.node_name || IsMirrorPod(pod)) continue;
    seen.insert(pod.uid());
    OnPodEvent({api::WatchEventType::kModified, pod});
  }
  // Pods that went away while we were not watching.
  {
    std::lock_guard lock(mu_);
    for (auto& [uid, w] : workers_) {
      if (IsStaticPod(w->pod()))
        seen.insert(uid);  // runs from its manifest, not from the API
      else if (!seen.contains(uid))
        w->Update(std::nullopt);
    }
  }
  // Containers of pods the API no longer has (deleted while the agent was down).
  auto ids = ctx_->runtime->List();
  if (ids) {
    std::set<std::string> orphans;
    // Containers of static pods whose workers have not started yet (agent start) are kept.
    std::set<std::string> static_uids;
    if (!ctx_->config.static_pod_dir.empty()) {
      for (auto& sp : ReadStaticPodDir(ctx_->config.static_pod_dir, ctx_->config.node_name).pods)
        static_uids.insert(sp.pod.uid());
    }
    for (auto& id : *ids) {
      std::string uid = id.substr(0, id.find('_'));
      if (!seen.contains(uid) && !static_uids.contains(uid)) orphans.insert(uid);
    }
    for (auto& uid : orphans) {
      spdlog::info("removing containers of a pod that is gone uid={}", uid);
      Json meta = {{"name", "orphan"}, {"namespace", "orphan"}, {"uid", uid}};
      Json ghost_json = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", meta}};
      ghost_json["spec"]["nodeName"] = ctx_->config.node_name;
      api::Object ghost(ghost_json);
      auto w = std::make_shared<PodWorker>(ctx_.get(), ghost);
      w->Update(std::nullopt);
      std::lock_guard lock(mu_);
      workers_["orphan-" + uid] = w;
    }
  }
  opts.resource_version = list->resource_version;
  auto watch =
      ctx_->client->Watch(kPod, "", opts, [this](const api::WatchEvent& ev) { OnPodEvent(ev); });
  if (!watch) return std::unexpected(watch.error().Wrap("watch pods"));
  std::lock_guard lock(mu_);
  watch_ = std::move(*watch);
  return {};
}

void NodeAgent::LeaseLoop() {
  while (!stop_) {
    auto st = RenewLease();
    if (!st) spdlog::warn("lease renewal failed error=\"{}\"", st.error().message);
    ReapWorkers();
    std::unique_lock lock(stop_mu_);
    stop_cv_.wait_for(lock, ctx_->config.lease_interval, [&] { return stop_.load(); });
  }
}

api::Status NodeAgent::Start() {
  stop_ = false;
  if (!ctx_->config.static_pod_dir.empty() && !static_->thread.joinable()) {
    static_->stop = false;
    SyncStaticPods();  // before anything that needs the API
    static_->thread = std::thread([this] { StaticPodLoop(); });
  }
  auto st = RegisterNode();
  if (!st) return st;
  if (static_->thread.joinable()) {
    // Mirror pods need the Node (their owner): make them now rather than next round.
    {
      std::lock_guard lock(static_->mu);
      static_->kick = true;
    }
    static_->cv.notify_all();
  }
  (void)RenewLease();
  st = ListAndWatch();
  if (!st) return st;
  lease_thread_ = std::thread([this] { LeaseLoop(); });
  spdlog::info("node agent started node={} ip={} runtime={}", ctx_->config.node_name,
               ctx_->node.host_ip, ctx_->runtime->Name());
  return {};
}

void NodeAgent::Stop() {
  if (stop_.exchange(true)) return;
  stop_cv_.notify_all();
  if (lease_thread_.joinable()) lease_thread_.join();
  {
    std::lock_guard lock(static_->mu);
    static_->stop = true;
  }
  static_->cv.notify_all();
  if (static_->thread.joinable()) static_->thread.join();
  std::unique_ptr<api::WatchHandle> watch;
  std::map<std::string, std::shared_ptr<PodWorker>> workers;
  {
    std::lock_guard lock(mu_);
    watch = std::move(watch_);
    workers.swap(workers_);
  }
  watch.reset();
  for (auto& [uid, w] : workers) w->Stop();
}

std::shared_ptr<PodWorker> NodeAgent::FindWorker(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  for (auto& [uid, w] : workers_) {
    api::Object p = w->pod();
    if (p.namespace_() == ns && p.name() == name) return w;
  }
  return nullptr;
}

api::Status NodeAgent::ReadLogs(const std::string& ns, const std::string& pod,
                                const LogOptions& opts,
                                const std::function<bool(std::string_view)>& sink) {
  auto w = FindWorker(ns, pod);
  if (!w) return std::unexpected(api::NotFound("pods", pod));
  std::string container = opts.container;
  auto names = w->ContainerNames();
  if (container.empty()) {
    if (names.size() != 1) {
      std::string list;
      for (auto& n : names) list += (list.empty() ? "" : " ") + n;
      return std::unexpected(api::BadRequest("a container name must be specified for pod " + pod +
                                             ", choose one of: [" + list + "]"));
    }
    container = names[0];
  }
  int attempt = 0;
  std::string id = w->ContainerId(container, opts.previous, &attempt);
  if (id.empty()) {
    if (opts.previous) {
      return std::unexpected(api::BadRequest("previous terminated container \"" + container +
                                             "\" in pod \"" + pod + "\" not found"));
    }
    return std::unexpected(api::BadRequest("container \"" + container + "\" in pod \"" + pod +
                                           "\" is waiting to start: ContainerCreating"));
  }
  std::string base = w->PodDir() + "/" + container + "/" + std::to_string(attempt) + ".log";
  // Rotated files oldest first, then the current one.
  std::vector<std::string> files;
  for (int r = 4; r >= 1; --r) {
    std::string f = base + "." + std::to_string(r);
    if (access(f.c_str(), R_OK) == 0) files.push_back(f);
  }
  files.push_back(base);
  std::string partial;
  std::deque<std::string> tail;
  int64_t bytes = 0;
  bool stopped = false;
  auto emit_line = [&](const std::string& line) -> bool {
    // "<ts> <stream> <P|F> <content>"
    size_t a = line.find(' ');
    size_t b = a == std::string::npos ? a : line.find(' ', a + 1);
    size_t c = b == std::string::npos ? b : line.find(' ', b + 1);
    if (c == std::string::npos) return true;
    std::string ts = line.substr(0, a);
    char tag = line[b + 1];
    partial += line.substr(c + 1);
    if (tag == 'P') return true;
    std::string out = (opts.timestamps ? ts + " " : "") + partial + "\n";
    partial.clear();
    if (opts.tail_lines >= 0 && !opts.follow) {
      tail.push_back(out);
      if (static_cast<int64_t>(tail.size()) > opts.tail_lines) tail.pop_front();
      return true;
    }
    if (opts.limit_bytes > 0 && bytes + static_cast<int64_t>(out.size()) > opts.limit_bytes)
      return false;
    bytes += static_cast<int64_t>(out.size());
    return sink(out);
  };
  // With follow + tail, print the last N lines first.
  if (opts.follow && opts.tail_lines >= 0) {
    std::deque<std::string> lines;
    for (auto& f : files) {
      std::ifstream in(f);
      std::string line;
      while (std::getline(in, line)) {
        lines.push_back(line);
        if (static_cast<int64_t>(lines.size()) > opts.tail_lines) lines.pop_front();
      }
    }
    for (auto& l : lines)
      if (!emit_line(l)) return {};
    files.clear();
  }
  size_t offset = 0;
  for (size_t i = 0; i < files.size() && !stopped; ++i) {
    std::ifstream in(files[i]);
    std::string line;
    while (std::getline(in, line)) {
      if (!emit_line(line)) {
        stopped = true;
        break;
      }
    }
    if (i + 1 == files.size()) {
      in.clear();
      offset = static_cast<size_t>(in.tellg() < 0 ? 0 : static_cast<size_t>(in.tellg()));
    }
  }
  for (auto& t : tail)
    if (!sink(t)) return {};
  if (!opts.follow || stopped || opts.previous) return {};
  if (files.empty()) {
    struct stat st;
    offset = stat(base.c_str(), &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  }
  // Follow: poll for growth until the container stops.
  std::string carry;
  for (;;) {
    auto state = ctx_->runtime->State(id);
    bool running = state && state->status == ContainerStatus::kRunning;
    std::ifstream in(base);
    in.seekg(0, std::ios::end);
    size_t size = static_cast<size_t>(in.tellg() < 0 ? 0 : static_cast<size_t>(in.tellg()));
    if (size < offset) offset = 0;  // rotated
    if (size > offset) {
      in.seekg(static_cast<std::streamoff>(offset));
      std::string chunk(size - offset, '\0');
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      offset = size;
      carry += chunk;
      size_t nl;
      while ((nl = carry.find('\n')) != std::string::npos) {
        if (!emit_line(carry.substr(0, nl))) return {};
        carry.erase(0, nl + 1);
      }
      continue;
    }
    if (!running || stop_) return {};
    std::this_thread::sleep_for(200ms);
  }
}

api::Result<std::string> NodeAgent::RunningContainerId(const std::string& ns,
                                                       const std::string& pod,
                                                       const std::string& container) {
  auto w = FindWorker(ns, pod);
  if (!w) return std::unexpected(api::NotFound("pods", pod));
  std::string name = container;
  auto names = w->ContainerNames();
  if (name.empty()) {
    if (names.empty()) return std::unexpected(api::BadRequest("pod " + pod + " has no containers"));
    name = names[0];
  } else if (std::find(names.begin(), names.end(), name) == names.end()) {
    return std::unexpected(api::BadRequest("container " + name + " is not valid for pod " + pod));
  }
  std::string id = w->ContainerId(name, false, nullptr);
  if (id.empty())
    return std::unexpected(
        api::BadRequest("container " + name + " in pod " + pod + " is not running"));
  return id;
}

api::Result<ExecOutput> NodeAgent::Exec(const std::string& ns, const std::string& pod,
                                        const std::string& container,
                                        const std::vector<std::string>& argv,
                                        const std::string& stdin_data,
                                        std::chrono::milliseconds timeout) {
  auto id = RunningContainerId(ns, pod, container);
  if (!id) return std::unexpected(id.error());
  return ctx_->runtime->Exec(*id, argv, timeout, stdin_data);
}

api::Result<ExecProcess> NodeAgent::ExecStart(const std::string& ns, const std::string& pod,
                                              const std::string& container,
                                              const std::vector<std::string>& argv, bool tty) {
  auto id = RunningContainerId(ns, pod, container);
  if (!id) return std::unexpected(id.error());
  return ctx_->runtime->ExecStart(*id, argv, tty);
}

}  // namespace keelson::runtime

namespace keelson::runtime {

api::Result<std::vector<NodeAgent::ContainerStats>> NodeAgent::PodStats(const std::string& ns,
                                                                        const std::string& pod) {
  auto w = FindWorker(ns, pod);
  if (!w) return std::unexpected(api::NotFound("pods", pod));
  std::vector<ContainerStats> out;
  for (const auto& name : w->ContainerNames()) {
    std::string id = w->ContainerId(name, false, nullptr);
    if (id.empty()) continue;
    auto st = ctx_->runtime->Stats(id);
    if (st) out.push_back({name, *st});
  }
  return out;
}

}  // namespace keelson::runtime

// Static pods: the manifest directory is the source of truth; the API only shows mirrors.
namespace keelson::runtime {

void NodeAgent::StaticPodLoop() {
  for (;;) {
    {
      std::unique_lock lock(static_->mu);
      static_->cv.wait_for(lock, ctx_->config.static_pod_interval,
                           [&] { return static_->stop || static_->kick; });
      if (static_->stop) return;
      static_->kick = false;
    }
    SyncStaticPods();
    ReapWorkers();
  }
}

void NodeAgent::SyncStaticPods() {
  const std::string& node = ctx_->config.node_name;
  StaticPodScan scan = ReadStaticPodDir(ctx_->config.static_pod_dir, node);

  // Bad manifests: one log line and one Event each, until they change.
  std::set<std::string> current;
  for (const auto& e : scan.errors) {
    current.insert(e.message);
    if (static_->reported.contains(e.message)) continue;
    spdlog::error("static pod manifest rejected file={} line={} error=\"{}\"", e.file, e.line,
                  e.message);
    Json ev = {{"apiVersion", "v1"},
               {"kind", "Event"},
               {"metadata", {{"name", node + "." + RandomHex(8)}, {"namespace", "default"}}},
               {"involvedObject", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}},
               {"reason", "FailedStaticPodManifest"},
               {"message", "Invalid static pod manifest " + e.message},
               {"type", "Warning"},
               {"source", {{"component", "kubelet"}, {"host", node}}},
               {"firstTimestamp", api::NowTimestamp()},
               {"lastTimestamp", api::NowTimestamp()},
               {"count", 1}};
    if (!static_->node_uid.empty()) ev["involvedObject"]["uid"] = static_->node_uid;
    // Reported once the API took the event; logged again until then.
    if (ctx_->client->Create(api::Object(std::move(ev)))) static_->reported.insert(e.message);
  }
  std::erase_if(static_->reported, [&](const std::string& m) { return !current.contains(m); });

  // Workers: one per static pod; a changed manifest is a new uid, so the old pod is replaced.
  std::set<std::string> want;
  {
    std::lock_guard lock(mu_);
    for (const auto& sp : scan.pods) {
      const std::string uid = sp.pod.uid();
      want.insert(uid);
      if (workers_.contains(uid)) continue;
      spdlog::info("static pod added pod={}/{} file={} uid={}", sp.pod.namespace_(), sp.pod.name(),
                   sp.file, uid);
      workers_[uid] = std::make_shared<PodWorker>(ctx_.get(), sp.pod);
    }
    for (auto& [uid, w] : workers_) {
      if (want.contains(uid)) continue;
      api::Object p = w->pod();
      if (!IsStaticPod(p) || w->Finished()) continue;
      w->Remove();
    }
  }

  // Mirror pods (needs the API; retried next round when it is unreachable).
  if (static_->node_uid.empty()) {
    auto n = ctx_->client->Get(kNode, "", node);
    if (!n) return;
    static_->node_uid = n->uid();
  }
  std::map<std::string, const api::Object*> desired;  // ns/name → static pod
  for (const auto& sp : scan.pods) desired[sp.pod.namespace_() + "/" + sp.pod.name()] = &sp.pod;
  for (const auto& [key, sp] : desired) {
    const std::string hash = sp->annotations()[kConfigHashAnnotation];
    auto cur = ctx_->client->Get(kPod, sp->namespace_(), sp->name());
    if (cur) {
      if (!IsMirrorPod(*cur)) {
        if (static_->conflicts.insert(key).second) {
          spdlog::warn("static pod has no mirror: a pod of the same name exists pod={}", key);
        }
        continue;
      }
      if (cur->annotations()[kConfigMirrorAnnotation] == hash && cur->deletion_timestamp().empty())
        continue;
      api::DeleteOptions opts;
      opts.grace_period_seconds = 0;
      opts.precondition_uid = cur->uid();
      auto d = ctx_->client->Delete(kPod, sp->namespace_(), sp->name(), opts);
      if (!d && d.error().reason != api::Reason::kNotFound) {
        spdlog::warn("delete outdated mirror pod failed pod={} error=\"{}\"", key,
                     d.error().message);
        continue;
      }
    } else if (cur.error().reason != api::Reason::kNotFound) {
      return;
    }
    static_->conflicts.erase(key);
    auto c = ctx_->client->Create(MirrorPodFor(*sp, node, static_->node_uid));
    if (c) {
      spdlog::info("mirror pod created pod={} uid={}", key, c->uid());
    } else if (c.error().reason != api::Reason::kAlreadyExists) {
      spdlog::warn("mirror pod create failed pod={} error=\"{}\"", key, c.error().message);
    }
  }
  // Mirrors whose static pod is gone (manifest removed, possibly while the agent was down).
  api::ListOptions opts;
  opts.field_selector = "spec.nodeName=" + node;
  auto list = ctx_->client->List(kPod, "", opts);
  if (!list) return;
  for (const auto& p : list->items) {
    if (!IsMirrorPod(p) || NodeNameOf(p) != node) continue;
    if (desired.contains(p.namespace_() + "/" + p.name())) continue;
    api::DeleteOptions del;
    del.grace_period_seconds = 0;
    del.precondition_uid = p.uid();
    auto d = ctx_->client->Delete(kPod, p.namespace_(), p.name(), del);
    if (d) spdlog::info("mirror pod deleted pod={}/{}", p.namespace_(), p.name());
  }
}

}  // namespace keelson::runtime
