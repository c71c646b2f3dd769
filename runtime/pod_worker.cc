// The per-pod state machine (the kubelet's syncPod).
#include "runtime/pod_worker.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "runtime/fsutil.h"
#include "runtime/resources.h"
#include "runtime/static_pods.h"

namespace keelson::runtime {

using api::Json;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

namespace {

const api::GroupVersionKind kPod{"", "v1", "Pod"};
const api::GroupVersionKind kEvent{"", "v1", "Event"};

std::string Str(const Json& j, const char* key, const std::string& dflt = "") {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : dflt;
}
int64_t Int(const Json& j, const char* key, int64_t dflt) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : dflt;
}
const Json& Arr(const Json& j, const char* key) {
  static const Json empty = Json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}
bool HostNetwork(const api::Object& p) {
  const Json* h = p.Find("spec.hostNetwork");
  return h && h->is_boolean() && h->get<bool>();
}
// "2024-01-01T00:00:00.123456789Z" → "2024-01-01T00:00:00Z" (Kubernetes status precision).
std::string Seconds(const std::string& t) { return t.size() >= 19 ? t.substr(0, 19) + "Z" : t; }

// Connects to ip:port within `timeout`; returns the fd or -1 with `err` set.
int Connect(const std::string& ip, int port, std::chrono::milliseconds timeout, std::string* err) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    *err = "bad address " + ip;
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = ErrnoMessage("socket");
    return -1;
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    *err = ErrnoMessage("dial tcp " + ip + ":" + std::to_string(port));
    close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
    *err = "dial tcp " + ip + ":" + std::to_string(port) + ": i/o timeout";
    close(fd);
    return -1;
  }
  int soerr = 0;
  socklen_t len = sizeof soerr;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
  if (soerr != 0) {
    *err = "dial tcp " + ip + ":" + std::to_string(port) + ": " + std::strerror(soerr);
    close(fd);
    return -1;
  }
  return fd;
}

// A minimal HTTP/1.1 GET; returns the status code or -1 with `err`.
int HttpGet(const std::string& ip, int port, const std::string& path, const Json& headers,
            std::chrono::milliseconds timeout, std::string* err) {
  auto deadline = Steady::now() + timeout;
  int fd = Connect(ip, port, timeout, err);
  if (fd < 0) return -1;
  std::string req = "GET " + (path.empty() ? "/" : path) + " HTTP/1.1\r\nHost: " + ip + ":" +
                    std::to_string(port) +
                    "\r\nUser-Agent: kube-probe/1.30\r\nAccept: */*\r\nConnection: close\r\n";
  for (auto& h : headers) req += Str(h, "name") + ": " + Str(h, "value") + "\r\n";
  req += "\r\n";
  send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string resp;
  char buf[4096];
  while (resp.find("\r\n") == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) != 1) {
      *err = "Get \"http://" + ip + ":" + std::to_string(port) + path +
             "\": context deadline exceeded";
      close(fd);
      return -1;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  int code = -1;
  if (resp.starts_with("HTTP/") && resp.find(' ') != std::string::npos)
    code = std::atoi(resp.c_str() + resp.find(' ') + 1);
  if (code < 0) *err = "malformed HTTP response";
  return code;
}

}  // namespace

struct PodWorker::Probe {
  int successes = 0;
  int failures = 0;
  Steady::time_point next{};
};

struct PodWorker::ContainerRecord {
  std::string name;
  bool init = false;
  int attempt = -1;  // latest created attempt (= restartCount); -1: none yet
  std::string id;
  std::optional<ContainerState> state;
  std::string image, image_id;
  std::string waiting_reason = "ContainerCreating", waiting_message;
  Json last_terminated;  // lastState.terminated: the previous attempt's exit
  Json current_term;     // the current attempt's exit (once it exited)
  bool exit_handled = false;
  RestartBackoff backoff;
  ImagePullState pull;
  bool started = false;
  bool ready = false;
  bool post_start_done = false;
  Steady::time_point running_since{};
  Probe startup, liveness, readiness;
};

PodWorker::PodWorker(AgentContext* ctx, api::Object pod) : ctx_(ctx), pod_(std::move(pod)) {
  uid_ = pod_.uid();
  ns_ = pod_.namespace_();
  name_ = pod_.name();
  thread_ = std::thread([this] { Loop(); });
}

PodWorker::~PodWorker() { Stop(); }

void PodWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && std::this_thread::get_id() != thread_.get_id()) thread_.join();
}

void PodWorker::Update(std::optional<api::Object> pod) {
  {
    std::lock_guard lock(mu_);
    if (pod)
      pod_ = std::move(*pod);
    else
      deleted_ = true;
    dirty_ = true;
  }
  cv_.notify_all();
}

void PodWorker::Remove() {
  {
    std::lock_guard lock(mu_);
    removed_ = true;
    dirty_ = true;
  }
  cv_.notify_all();
}

api::Object PodWorker::pod() const {
  std::lock_guard lock(mu_);
  return pod_;
}

std::string PodWorker::PodDir() const {
  return ctx_->config.data_dir + "/pods/" + ns_ + "_" + name_ + "_" + uid_;
}
std::string PodWorker::ContainerIdFor(const std::string& name, int attempt) const {
  return uid_ + "_" + name + "_" + std::to_string(attempt);
}
std::string PodWorker::LogPath(const std::string& name, int attempt) const {
  return PodDir() + "/" + name + "/" + std::to_string(attempt) + ".log";
}

std::vector<std::string> PodWorker::ContainerNames() const {
  api::Object p = pod();
  std::vector<std::string> out;
  for (auto& c : Arr(p.spec(), "containers")) out.push_back(Str(c, "name"));
  return out;
}

std::string PodWorker::ContainerId(const std::string& name, bool previous, int* attempt) const {
  // Read from the log files: <pod>/<name>/<attempt>.log, so it works for exited attempts too.
  std::set<int> attempts;
  std::string dir = PodDir() + "/" + name;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.ends_with(".log")) attempts.insert(std::atoi(n.c_str()));
    }
    closedir(d);
  }
  if (attempts.empty()) return "";
  auto it = attempts.end();
  --it;
  if (previous) {
    if (it == attempts.begin()) return "";
    --it;
  }
  if (attempt) *attempt = *it;
  return ContainerIdFor(name, *it);
}

void PodWorker::Loop() {
  Adopt();
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, ctx_->config.sync_interval, [&] { return stop_ || dirty_; });
      if (stop_) return;
      dirty_ = false;
    }
    Sync();
    if (finished_) return;
  }
}

void PodWorker::Adopt() {
  auto ids = ctx_->runtime->List();
  if (!ids) return;
  std::string prefix = uid_ + "_";
  for (const auto& id : *ids) {
    if (!id.starts_with(prefix)) continue;
    std::string rest = id.substr(prefix.size());
    auto us = rest.rfind('_');
    if (us == std::string::npos) continue;
    std::string name = rest.substr(0, us);
    int attempt = std::atoi(rest.c_str() + us + 1);
    auto& rec = records_[name];
    if (!rec) {
      rec = std::make_unique<ContainerRecord>();
      rec->name = name;
    }
    if (attempt > rec->attempt) {
      rec->attempt = attempt;
      rec->id = id;
      rec->waiting_reason.clear();
    }
  }
  // Restore restart counts and lastState the API already shows.
  api::Object p = pod();
  for (const char* list : {"initContainerStatuses", "containerStatuses"}) {
    for (auto& cs : Arr(p.status(), list)) {
      auto it = records_.find(Str(cs, "name"));
      if (it == records_.end()) continue;
      if (cs.contains("lastState") && cs["lastState"].contains("terminated")) {
        it->second->last_terminated = cs["lastState"]["terminated"];
      }
      if (cs.contains("state") && cs["state"].contains("running")) {
        it->second->started = cs.value("started", false);
        it->second->ready = cs.value("ready", false);
        it->second->post_start_done = true;
        it->second->running_since = ctx_->clock->Now();
      }
    }
  }
  start_time_ = Str(p.status(), "startTime");
  if (!records_.empty()) {
    spdlog::info("pod adopted pod={}/{} containers={}", ns_, name_, records_.size());
  }
}

void PodWorker::Event(const std::string& type, const std::string& reason,
                      const std::string& message) {
  Json ev = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name_ + "." + RandomHex(8)}, {"namespace", ns_}}},
      {"involvedObject",
       {{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", name_}, {"namespace", ns_}, {"uid", uid_}}},
      {"reason", reason},
      {"message", message},
      {"type", type},
      {"source", {{"component", "kubelet"}, {"host", ctx_->node.node_name}}},
      {"firstTimestamp", api::NowTimestamp()},
      {"lastTimestamp", api::NowTimestamp()},
      {"count", 1}};
  (void)ctx_->client->Create(api::Object(std::move(ev)));
}

bool PodWorker::EnsureSandbox(std::string* message) {
  if (sandbox_ready_) return true;
  api::Object p = pod();
  const Json& spec = p.spec();
  std::string dir = PodDir();
  if (auto st = MakeDirs(dir + "/.etc", 0755); !st) {
    *message = st.error().message;
    return false;
  }
  bool host_network = spec.value("hostNetwork", false);
  if (!host_network) {
    auto t0 = Steady::now();
    ctx_->cni_gate.Enter();
    auto t_locked = Steady::now();
    auto ns = ctx_->cni->CreateNetns(uid_);
    if (!ns) {
      ctx_->cni_gate.Leave(false);
      *message = ns.error().message;
      return false;
    }
    auto cached = ctx_->cni->Cached(uid_);
    if (cached) {
      ctx_->cni_gate.Leave(false);
      pod_ip_ = cached->ip;
    } else {
      auto net = ctx_->cni->Setup(uid_, *ns);
      ctx_->cni_gate.Leave(static_cast<bool>(net));
      if (!net) {
        *message = "Failed to create pod sandbox: " + net.error().message;
        Event("Warning", "FailedCreatePodSandBox", *message);
        return false;
      }
      pod_ip_ = net->ip;
    }
    auto ms = [](Steady::duration d) {
      return std::chrono::duration_cast<std::chrono::microseconds>(d).count() / 1000.0;
    };
    spdlog::debug("pod network ready pod={}/{} ip={} wait_ms={:.1f} setup_ms={:.1f}", ns_, name_,
                  pod_ip_, ms(t_locked - t0), ms(Steady::now() - t_locked));
  } else {
    pod_ip_ = ctx_->node.host_ip;
  }
  std::string hostname = Str(spec, "hostname", name_);
  std::string hosts =
      "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
      "ip6-loopback\n"
      "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-"
      "allrouters\n";
  if (!host_network) {
    std::string fqdn = hostname;
    if (spec.contains("subdomain"))
      fqdn += "." + Str(spec, "subdomain") + "." + ns_ + ".svc." + ctx_->config.cluster_domain;
    hosts += pod_ip_ + "\t" + (fqdn == hostname ? hostname : fqdn + "\t" + hostname) + "\n";
  }
  for (auto& alias : Arr(spec, "hostAliases")) {
    hosts += "\n# Entries added by HostAliases.\n" + Str(alias, "ip");
    for (auto& h : Arr(alias, "hostnames")) hosts += "\t" + h.get<std::string>();
    hosts += "\n";
  }
  std::string resolv;
  std::string policy = Str(spec, "dnsPolicy", "ClusterFirst");
  if (!ctx_->config.cluster_dns.empty() && !host_network && policy != "Default") {
    std::string d = ctx_->config.cluster_domain;
    resolv = "search " + ns_ + ".svc." + d + " svc." + d + " " + d + "\nnameserver " +
             ctx_->config.cluster_dns + "\noptions ndots:5\n";
  } else {
    auto host = ReadFile("/etc/resolv.conf");
    resolv = host ? *host : "";
  }
  if (!WriteFileAtomic(dir + "/.etc/hosts", hosts, 0644, false) ||
      !WriteFileAtomic(dir + "/.etc/resolv.conf", resolv, 0644, false) ||
      !WriteFileAtomic(dir + "/.etc/hostname", hostname + "\n", 0644, false)) {
    *message = "write /etc files for the pod";
    return false;
  }
  sandbox_ready_ = true;
  return true;
}

namespace {

// Writes `files` (relative path → content, mode) into `dir`, atomically per file, and removes
// files an earlier render wrote that are no longer wanted.
api::Status RenderFiles(const std::string& dir,
                        const std::map<std::string, std::pair<std::string, int>>& files) {
  std::set<std::string> old;
  auto manifest = ReadFile(dir + "/..keelson-files");
  if (manifest) {
    size_t pos = 0;
    while (pos < manifest->size()) {
      size_t nl = manifest->find('\n', pos);
      old.insert(manifest->substr(pos, nl - pos));
      pos = nl == std::string::npos ? manifest->size() : nl + 1;
    }
  }
  std::string list;
  for (auto& [path, content] : files) {
    if (path.empty() || path.front() == '/' || path.find("..") != std::string::npos) {
      return std::unexpected(
          api::BadRequest("item path \"" + path + "\" must be relative and may not contain '..'"));
    }
    std::string full = dir + "/" + path;
    MakeDirs(full.substr(0, full.rfind('/')), 0755);
    auto current = ReadFile(full);
    struct stat st;
    bool same_mode =
        stat(full.c_str(), &st) == 0 && static_cast<int>(st.st_mode & 07777) == content.second;
    if (!current || *current != content.first || !same_mode) {
      auto w = WriteFileAtomic(full, content.first, content.second);
      if (!w) return w;
    }
    old.erase(path);
    list += path + "\n";
  }
  for (auto& gone : old)
    if (!gone.empty()) unlink((dir + "/" + gone).c_str());
  return WriteFileAtomic(dir + "/..keelson-files", list, 0600);
}

bool IsMountPoint(const std::string& path) {
  struct stat a, b;
  return stat(path.c_str(), &a) == 0 && stat((path + "/..").c_str(), &b) == 0 &&
         a.st_dev != b.st_dev;
}

}  // namespace

bool PodWorker::EnsureVolumes(bool refresh, std::string* reason, std::string* message) {
  if (volumes_ready_ && !refresh) return true;
  api::Object p = pod();
  const Json& spec = p.spec();
  std::string vroot = PodDir() + "/.volumes";
  for (const auto& v : Arr(spec, "volumes")) {
    std::string name = Str(v, "name");
    std::string dir = vroot + "/" + name;
    auto fail = [&](const std::string& r, const std::string& m) {
      *reason = r;
      *message = "MountVolume.SetUp failed for volume \"" + name + "\" : " + m;
      if (!volumes_ready_) Event("Warning", "FailedMount", *message);
      return false;
    };
    if (v.contains("emptyDir")) {
      if (volumes_ready_) continue;
      MakeDirs(dir, 0777);
      chmod(dir.c_str(), 0777);
      const Json& ed = v["emptyDir"];
      if (Str(ed, "medium") == "Memory" && !IsMountPoint(dir)) {
        std::string opts = "mode=0777";
        if (ed.contains("sizeLimit")) {
          auto q = ParseQuantity(ed["sizeLimit"].is_string() ? ed["sizeLimit"].get<std::string>()
                                                             : ed["sizeLimit"].dump());
          if (q) opts += ",size=" + std::to_string(IntValue(*q));
        }
        if (mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
          return fail("ContainerCreating", ErrnoMessage("mount tmpfs"));
        }
      }
    } else if (v.contains("hostPath")) {
      if (volumes_ready_) continue;
      std::string path = Str(v["hostPath"], "path");
      std::string type = Str(v["hostPath"], "type");
      struct stat st;
      bool exists = stat(path.c_str(), &st) == 0;
      if (type == "DirectoryOrCreate" && !exists) {
        if (!MakeDirs(path, 0755)) return fail("ContainerCreating", "mkdir " + path);
      } else if (type == "FileOrCreate" && !exists) {
        MakeDirs(path.substr(0, path.rfind('/')), 0755);
        int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0) return fail("ContainerCreating", ErrnoMessage("create " + path));
        close(fd);
      } else if (!type.empty() && type != "DirectoryOrCreate" && type != "FileOrCreate") {
        struct {
          const char* type;
          bool (*ok)(mode_t);
          const char* what;
        } checks[] = {{"Directory", [](mode_t m) { return S_ISDIR(m); }, "a directory"},
                      {"File", [](mode_t m) { return S_ISREG(m); }, "a file"},
                      {"Socket", [](mode_t m) { return S_ISSOCK(m); }, "a socket file"},
                      {"CharDevice", [](mode_t m) { return S_ISCHR(m); }, "a character device"},
                      {"BlockDevice", [](mode_t m) { return S_ISBLK(m); }, "a block device"}};
        bool known = false;
        for (auto& c : checks) {
          if (type != c.type) continue;
          known = true;
          if (!exists || !c.ok(st.st_mode)) {
            return fail("ContainerCreating",
                        "hostPath type check failed: " + path + " is not " + c.what);
          }
        }
        if (!known) return fail("ContainerCreating", "invalid hostPath type \"" + type + "\"");
      }
    } else if (v.contains("configMap") || v.contains("secret")) {
      bool secret = v.contains("secret");
      const Json& src = secret ? v["secret"] : v["configMap"];
      std::string src_name = secret ? Str(src, "secretName") : Str(src, "name");
      MakeDirs(dir, 0755);
      if (secret && !IsMountPoint(dir) &&
          mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") !=
              0) {
        return fail("ContainerCreating", ErrnoMessage("mount tmpfs for secret"));
      }
      auto obj = ctx_->client->Get(secret ? api::GroupVersionKind{"", "v1", "Secret"}
                                          : api::GroupVersionKind{"", "v1", "ConfigMap"},
                                   ns_, src_name);
      std::map<std::string, std::string> data;
      if (!obj) {
        if (obj.error().reason == api::Reason::kNotFound && src.value("optional", false)) {
          // Optional and missing: an empty volume.
        } else {
          return fail("ContainerCreating", std::string(secret ? "secret" : "configmap") + " \"" +
                                               src_name + "\" not found");
        }
      } else {
        for (const char* field : {"data", "binaryData", "stringData"}) {
          if (!obj->json().contains(field) || !obj->json()[field].is_object()) continue;
          for (auto& [k, val] : obj->json()[field].items()) {
            std::string s = val.is_string() ? val.get<std::string>() : "";
            if (secret && std::string(field) == "data") {
              auto d = Base64Decode(s);
              s = d ? *d : "";
            } else if (std::string(field) == "binaryData") {
              auto d = Base64Decode(s);
              s = d ? *d : "";
            }
            data[k] = s;
          }
        }
      }
      int mode = static_cast<int>(Int(src, "defaultMode", 0644));
      std::map<std::string, std::pair<std::string, int>> files;
      if (src.contains("items") && src["items"].is_array()) {
        for (auto& item : src["items"]) {
          std::string key = Str(item, "key");
          auto it = data.find(key);
          if (it == data.end()) {
            if (src.value("optional", false)) continue;
            return fail("ContainerCreating",
                        "configmap references non-existent config key: " + key);
          }
          files[Str(item, "path")] = {it->second, static_cast<int>(Int(item, "mode", mode))};
        }
      } else {
        for (auto& [k, val] : data) files[k] = {val, mode};
      }
      auto st = RenderFiles(dir, files);
      if (!st) return fail("ContainerCreating", st.error().message);
    } else if (v.contains("downwardAPI")) {
      MakeDirs(dir, 0755);
      int mode = static_cast<int>(Int(v["downwardAPI"], "defaultMode", 0644));
      std::map<std::string, std::pair<std::string, int>> files;
      for (auto& item : Arr(v["downwardAPI"], "items")) {
        std::string value;
        if (item.contains("fieldRef")) {
          std::string fp = Str(item["fieldRef"], "fieldPath");
          if (fp == "metadata.labels" || fp == "metadata.annotations") {
            for (auto& [k, val] : (fp == "metadata.labels" ? p.labels() : p.annotations())) {
              value += k + "=\"" + val + "\"\n";
            }
          } else {
            auto r = ResolveFieldRef(p, fp, ctx_->node, pod_ip_);
            if (!r) return fail("ContainerCreating", r.error().message);
            value = *r;
          }
        } else if (item.contains("resourceFieldRef")) {
          const Json* target = nullptr;
          std::string cname = Str(item["resourceFieldRef"], "containerName");
          for (auto& c : Arr(spec, "containers"))
            if (Str(c, "name") == cname || (cname.empty() && !target)) target = &c;
          if (!target)
            return fail("ContainerCreating", "resourceFieldRef: no container \"" + cname + "\"");
          auto r = ResolveResourceFieldRef(p, *target, item["resourceFieldRef"], ctx_->node);
          if (!r) return fail("ContainerCreating", r.error().message);
          value = *r;
        }
        files[Str(item, "path")] = {value, static_cast<int>(Int(item, "mode", mode))};
      }
      auto st = RenderFiles(dir, files);
      if (!st) return fail("ContainerCreating", st.error().message);
    } else if (v.contains("persistentVolumeClaim")) {
      if (volumes_ready_) continue;
      std::string claim = Str(v["persistentVolumeClaim"], "claimName");
      auto pvc = ctx_->client->Get({"", "v1", "PersistentVolumeClaim"}, ns_, claim);
      if (!pvc)
        return fail("ContainerCreating", "persistentvolumeclaim \"" + claim + "\" not found");
      std::string pv_name = Str(pvc->spec(), "volumeName");
      if (pv_name.empty())
        return fail("ContainerCreating", "persistentvolumeclaim \"" + claim + "\" is not bound");
      auto pv = ctx_->client->Get({"", "v1", "PersistentVolume"}, "", pv_name);
      if (!pv || !pv->spec().contains("hostPath")) {
        return fail("ContainerCreating",
                    "persistentvolume \"" + pv_name + "\" is not a hostPath volume");
      }
      MakeDirs(Str(pv->spec()["hostPath"], "path"), 0755);
    } else if (!volumes_ready_) {
      return fail("ContainerCreating", "volume type not supported by this node");
    }
  }
  volumes_ready_ = true;
  reason->clear();
  message->clear();
  return true;
}

api::Result<std::vector<BindMount>> PodWorker::MountsFor(const Json& cspec) {
  api::Object p = pod();
  std::vector<BindMount> out;
  std::string dir = PodDir();
  std::set<std::string> targets;
  for (auto& m : Arr(cspec, "volumeMounts")) targets.insert(Str(m, "mountPath"));
  if (!targets.contains("/etc/hosts"))
    out.push_back({dir + "/.etc/hosts", "/etc/hosts", false, true});
  if (!targets.contains("/etc/resolv.conf"))
    out.push_back({dir + "/.etc/resolv.conf", "/etc/resolv.conf", false, true});
  if (!targets.contains("/etc/hostname"))
    out.push_back({dir + "/.etc/hostname", "/etc/hostname", false, true});
  for (auto& m : Arr(cspec, "volumeMounts")) {
    std::string vname = Str(m, "name");
    const Json* vol = nullptr;
    for (auto& v : Arr(p.spec(), "volumes"))
      if (Str(v, "name") == vname) vol = &v;
    if (!vol)
      return std::unexpected(api::BadRequest("volumeMounts: no volume named \"" + vname + "\""));
    std::string source;
    if (vol->contains("hostPath")) {
      source = Str((*vol)["hostPath"], "path");
    } else if (vol->contains("persistentVolumeClaim")) {
      auto pvc = ctx_->client->Get({"", "v1", "PersistentVolumeClaim"}, ns_,
                                   Str((*vol)["persistentVolumeClaim"], "claimName"));
      if (!pvc) return std::unexpected(pvc.error());
      auto pv =
          ctx_->client->Get({"", "v1", "PersistentVolume"}, "", Str(pvc->spec(), "volumeName"));
      if (!pv) return std::unexpected(pv.error());
      source = (pv->Find("spec.hostPath.path") && pv->Find("spec.hostPath.path")->is_string()
                    ? pv->Find("spec.hostPath.path")->get<std::string>()
                    : "");
    } else {
      source = dir + "/.volumes/" + vname;
    }
    std::string sub = Str(m, "subPath");
    if (!sub.empty()) {
      if (sub.front() == '/' || sub == ".." || sub.starts_with("../") ||
          sub.find("/../") != std::string::npos || sub.ends_with("/..")) {
        return std::unexpected(
            api::BadRequest("subPath \"" + sub + "\" must be relative and may not contain '..'"));
      }
      source += "/" + sub;
      struct stat st;
      if (stat(source.c_str(), &st) != 0) MakeDirs(source, 0755);
    }
    out.push_back({source, Str(m, "mountPath"), m.value("readOnly", false), true});
  }
  return out;
}

bool PodWorker::StartContainer(const Json& cspec, ContainerRecord& rec) {
  auto t0 = Steady::now();
  api::Object p = pod();
  std::string image_ref = Str(cspec, "image");
  rec.image = image_ref;
  auto now = ctx_->clock->Now();
  auto pulled = ctx_->puller->Ensure(
      p, cspec, rec.pull,
      [this](const std::string& t, const std::string& r, const std::string& m) { Event(t, r, m); });
  if (!pulled.image) {
    rec.waiting_reason = pulled.reason.empty() ? "ContainerCreating" : pulled.reason;
    rec.waiting_message = pulled.message;
    return false;
  }
  const auto& image = pulled.image;
  rec.image_id = image->config_digest;
  auto env = ResolveEnv(ctx_->client, p, cspec, image->config, ctx_->node, pod_ip_);
  if (!env) {
    rec.waiting_reason = "CreateContainerConfigError";
    rec.waiting_message = env.error().message;
    Event("Warning", "Failed", "Error: " + rec.waiting_message);
    return false;
  }
  auto mounts = MountsFor(cspec);
  if (!mounts) {
    rec.waiting_reason = "CreateContainerConfigError";
    rec.waiting_message = mounts.error().message;
    return false;
  }
  if (rec.backoff.Remaining(now) > Steady::duration::zero()) return false;
  int attempt = rec.attempt + 1;
  std::string id = ContainerIdFor(rec.name, attempt);
  std::string cdir = ctx_->config.data_dir + "/containers/" + id;
  auto t_prepared = Steady::now();
  auto fs = ctx_->images->CreateRootfs(*image, cdir);
  if (!fs) {
    rec.waiting_reason = "CreateContainerError";
    rec.waiting_message = fs.error().message;
    return false;
  }
  SpecParams sp;
  sp.pod = &p;
  sp.container = &cspec;
  sp.image = image->config;
  sp.env = *env;
  sp.rootfs = fs->path;
  if (!HostNetwork(p)) sp.netns_path = ctx_->cni->NetnsPath(uid_);
  sp.mounts = *mounts;
  sp.cgroups_path = "/keelson/pod" + uid_ + "/" + id;
  sp.node = ctx_->node;
  auto oci = BuildOciSpec(sp);
  if (!oci) {
    ImageStore::RemoveRootfs(cdir);
    RemoveAll(cdir);
    rec.waiting_reason = "CreateContainerConfigError";
    rec.waiting_message = oci.error().message;
    return false;
  }
  MakeDirs(PodDir() + "/" + rec.name, 0755);
  auto t_rootfs = Steady::now();
  auto st = ctx_->runtime->Start({id, cdir, *oci, LogPath(rec.name, attempt)});
  auto ms = [](Steady::duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count() / 1000.0;
  };
  spdlog::debug(
      "container start pod={}/{} container={} prepare_ms={:.1f} rootfs_ms={:.1f} "
      "runtime_ms={:.1f}",
      ns_, name_, rec.name, ms(t_prepared - t0), ms(t_rootfs - t_prepared),
      ms(Steady::now() - t_rootfs));
  if (!st) {
    ImageStore::RemoveRootfs(cdir);
    RemoveAll(cdir);
    rec.backoff.Restarted(now);
    rec.waiting_reason = "RunContainerError";
    rec.waiting_message = st.error().message;
    Event("Warning", "Failed", "Error: " + rec.waiting_message);
    return false;
  }
  // The previous attempt becomes lastState; its runtime container and rootfs go, its log stays
  // (for --previous); older logs go.
  if (rec.attempt >= 0) {
    std::string prev = rec.id;
    (void)ctx_->runtime->Delete(prev);
    ImageStore::RemoveRootfs(ctx_->config.data_dir + "/containers/" + prev);
    RemoveAll(ctx_->config.data_dir + "/containers/" + prev);
    for (int old = attempt - 2; old >= 0 && old >= attempt - 5; --old) {
      std::string base = LogPath(rec.name, old);
      unlink(base.c_str());
      for (int r = 1; r < 5; ++r) unlink((base + "." + std::to_string(r)).c_str());
    }
    rec.backoff.Restarted(now);
  }
  if (!rec.current_term.is_null()) rec.last_terminated = rec.current_term;
  rec.current_term = Json();
  rec.attempt = attempt;
  rec.id = id;
  rec.state = *st;
  rec.exit_handled = false;
  rec.waiting_reason.clear();
  rec.waiting_message.clear();
  rec.started = false;
  rec.ready = false;
  rec.post_start_done = false;
  rec.running_since = now;
  rec.startup = rec.liveness = rec.readiness = Probe{};
  started_events_.push_back("Started container " + rec.name);
  return true;
}

bool PodWorker::RunHandler(const Json& handler, const ContainerRecord& rec, const Json& cspec,
                           std::string* message) {
  if (handler.contains("sleep")) {
    std::this_thread::sleep_for(std::chrono::seconds(Int(handler["sleep"], "seconds", 0)));
    return true;
  }
  Json probe = handler;
  probe["timeoutSeconds"] = Int(handler, "timeoutSeconds", 30);
  return DoProbe(probe, rec, cspec, message);
}

bool PodWorker::DoProbe(const Json& probe, const ContainerRecord& rec, const Json& cspec,
                        std::string* message) {
  auto timeout = std::chrono::seconds(std::max<int64_t>(1, Int(probe, "timeoutSeconds", 1)));
  api::Object p = pod();
  std::string host = HostNetwork(p) ? "127.0.0.1" : pod_ip_;
  auto port_of = [&](const Json& port) -> int {
    if (port.is_number_integer()) return port.get<int>();
    std::string name = port.is_string() ? port.get<std::string>() : "";
    if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) return std::stoi(name);
    for (auto& cp : Arr(cspec, "ports"))
      if (Str(cp, "name") == name) return static_cast<int>(Int(cp, "containerPort", -1));
    return -1;
  };
  if (probe.contains("exec")) {
    std::vector<std::string> argv;
    for (auto& a : Arr(probe["exec"], "command")) argv.push_back(a.get<std::string>());
    auto r = ctx_->runtime->Exec(rec.id, argv, timeout);
    if (!r) {
      *message = r.error().message;
      return false;
    }
    if (r->timed_out) {
      *message = "command timed out";
      return false;
    }
    *message = r->out + r->err;
    return r->exit_code == 0;
  }
  if (probe.contains("httpGet")) {
    const Json& h = probe["httpGet"];
    int port = port_of(h.value("port", Json()));
    if (port <= 0) {
      *message = "unknown port " + h.value("port", Json()).dump();
      return false;
    }
    if (Str(h, "scheme", "HTTP") != "HTTP") {
      *message = "HTTPS probes are not supported by this node";
      return false;
    }
    std::string err;
    int code = HttpGet(Str(h, "host", host), port, Str(h, "path", "/"), Arr(h, "httpHeaders"),
                       timeout, &err);
    if (code < 0) {
      *message = err;
      return false;
    }
    if (code >= 200 && code < 400) return true;
    *message = "HTTP probe failed with statuscode: " + std::to_string(code);
    return false;
  }
  if (probe.contains("tcpSocket")) {
    const Json& t = probe["tcpSocket"];
    int port = port_of(t.value("port", Json()));
    std::string err;
    int fd = Connect(Str(t, "host", host), port, timeout, &err);
    if (fd < 0) {
      *message = err;
      return false;
    }
    close(fd);
    return true;
  }
  *message = "probe handler not supported";
  return false;
}

void PodWorker::RunProbes(const Json& cspec, ContainerRecord& rec) {
  auto now = ctx_->clock->Now();
  auto due = [&](const Json& probe, Probe& st) {
    if (st.next == Steady::time_point{}) {
      st.next = rec.running_since + std::chrono::seconds(Int(probe, "initialDelaySeconds", 0));
    }
    if (now < st.next) return false;
    st.next = now + std::chrono::seconds(std::max<int64_t>(1, Int(probe, "periodSeconds", 10)));
    return true;
  };
  std::string msg;
  if (cspec.contains("startupProbe") && !rec.started) {
    const Json& probe = cspec["startupProbe"];
    if (due(probe, rec.startup)) {
      if (DoProbe(probe, rec, cspec, &msg)) {
        rec.started = true;
      } else if (++rec.startup.failures >= Int(probe, "failureThreshold", 3)) {
        Event("Warning", "Unhealthy", "Startup probe failed: " + msg);
        KillContainer(rec, &cspec,
                      static_cast<int>(Int(pod().spec(), "terminationGracePeriodSeconds", 30)),
                      "Container " + rec.name + " failed startup probe, will be restarted");
        return;
      }
    }
    if (!rec.started) return;
  }
  rec.started = true;
  if (cspec.contains("livenessProbe")) {
    const Json& probe = cspec["livenessProbe"];
    if (due(probe, rec.liveness)) {
      if (DoProbe(probe, rec, cspec, &msg)) {
        rec.liveness.failures = 0;
      } else {
        Event("Warning", "Unhealthy", "Liveness probe failed: " + msg);
        if (++rec.liveness.failures >= Int(probe, "failureThreshold", 3)) {
          KillContainer(rec, &cspec,
                        static_cast<int>(Int(pod().spec(), "terminationGracePeriodSeconds", 30)),
                        "Container " + rec.name + " failed liveness probe, will be restarted");
          return;
        }
      }
    }
  }
  if (cspec.contains("readinessProbe")) {
    const Json& probe = cspec["readinessProbe"];
    if (due(probe, rec.readiness)) {
      if (DoProbe(probe, rec, cspec, &msg)) {
        rec.readiness.failures = 0;
        if (++rec.readiness.successes >= Int(probe, "successThreshold", 1)) rec.ready = true;
      } else {
        rec.readiness.successes = 0;
        if (++rec.readiness.failures >= Int(probe, "failureThreshold", 3)) rec.ready = false;
      }
    }
  } else {
    rec.ready = true;
  }
}

void PodWorker::KillContainer(ContainerRecord& rec, const Json* cspec, int grace,
                              const std::string& reason) {
  if (rec.id.empty()) return;
  Event("Normal", "Killing", reason.empty() ? "Stopping container " + rec.name : reason);
  auto deadline = ctx_->clock->Now() + std::chrono::seconds(grace);
  if (cspec && cspec->contains("lifecycle") && (*cspec)["lifecycle"].contains("preStop")) {
    std::string msg;
    if (!RunHandler((*cspec)["lifecycle"]["preStop"], rec, *cspec, &msg)) {
      Event("Warning", "FailedPreStopHook", "PreStopHook failed: " + msg);
    }
  }
  (void)ctx_->runtime->Kill(rec.id, SIGTERM);
  for (;;) {
    auto s = ctx_->runtime->State(rec.id);
    if (!s || s->status != ContainerStatus::kRunning) return;
    if (ctx_->clock->Now() >= deadline) break;
    std::this_thread::sleep_for(50ms);
  }
  (void)ctx_->runtime->Kill(rec.id, SIGKILL);
  for (int i = 0; i < 100; ++i) {
    auto s = ctx_->runtime->State(rec.id);
    if (!s || s->status != ContainerStatus::kRunning) return;
    std::this_thread::sleep_for(50ms);
  }
}

void PodWorker::SyncContainer(const Json& cspec, bool init, ContainerRecord& rec, bool* done_ok,
                              bool* failed_final) {
  *done_ok = false;
  *failed_final = false;
  rec.init = init;
  api::Object p = pod();
  std::string policy = Str(p.spec(), "restartPolicy", "Always");
  if (rec.attempt >= 0) {
    auto s = ctx_->runtime->State(rec.id);
    if (s) {
      rec.state = *s;
    } else if (!rec.state || rec.state->status == ContainerStatus::kRunning) {
      // The runtime lost it (deleted behind our back): an exit with unknown status.
      ContainerState lost;
      lost.id = rec.id;
      lost.status = ContainerStatus::kExited;
      lost.exit_code = 137;
      lost.finished_at = api::NowTimestamp();
      rec.state = lost;
    }
  }
  if (rec.state && rec.state->status == ContainerStatus::kRunning) {
    if (!rec.post_start_done) {
      rec.post_start_done = true;
      if (cspec.contains("lifecycle") && cspec["lifecycle"].contains("postStart")) {
        std::string msg;
        if (!RunHandler(cspec["lifecycle"]["postStart"], rec, cspec, &msg)) {
          Event("Warning", "FailedPostStartHook", "PostStartHook failed: " + msg);
          KillContainer(rec, &cspec, 0, "FailedPostStartHook");
          return;
        }
      }
    }
    if (!init) RunProbes(cspec, rec);
    return;
  }
  if (rec.state && rec.state->status == ContainerStatus::kExited) {
    const ContainerState& s = *rec.state;
    if (!rec.exit_handled) {
      rec.exit_handled = true;
      rec.ready = false;
      auto start = api::ParseTime(Seconds(s.started_at));
      auto finish = api::ParseTime(Seconds(s.finished_at));
      if (start && finish) rec.backoff.Exited(std::chrono::seconds(*finish - *start));
      rec.current_term = {{"exitCode", s.exit_code},
                          {"reason", s.oom_killed       ? "OOMKilled"
                                     : s.exit_code == 0 ? "Completed"
                                                        : "Error"},
                          {"startedAt", Seconds(s.started_at)},
                          {"finishedAt", Seconds(s.finished_at)},
                          {"containerID", ctx_->runtime->Name() + "://" + rec.id}};
      if (s.signal) rec.current_term["signal"] = s.signal;
      if (s.exit_code != 0) {
        spdlog::info("container exited pod={}/{} container={} exit={} oom={}", ns_, name_, rec.name,
                     s.exit_code, s.oom_killed);
      }
    }
    bool restart = policy == "Always"      ? !init || s.exit_code != 0
                   : policy == "OnFailure" ? s.exit_code != 0
                                           : false;
    if (init && s.exit_code == 0) {
      *done_ok = true;
      return;
    }
    if (!restart) {
      if (s.exit_code == 0)
        *done_ok = true;
      else
        *failed_final = true;
      return;
    }
    auto remaining = rec.backoff.Remaining(ctx_->clock->Now());
    if (remaining > Steady::duration::zero()) {
      rec.waiting_reason = "CrashLoopBackOff";
      rec.waiting_message =
          "back-off " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(rec.backoff.delay()).count()) +
          "s restarting failed container=" + rec.name + " pod=" + name_ + "_" + ns_ + "(" + uid_ +
          ")";
      return;
    }
    StartContainer(cspec, rec);
    return;
  }
  // Never started (or its start failed): try now.
  if (rec.state && rec.state->status == ContainerStatus::kUnknown && rec.attempt >= 0) {
    rec.waiting_reason = "RunContainerError";
    rec.waiting_message = rec.state->error;
  }
  StartContainer(cspec, rec);
}

void PodWorker::Sync() {
  api::Object p;
  bool deleted, removed;
  {
    std::lock_guard lock(mu_);
    p = pod_;
    deleted = deleted_;
    removed = removed_;
  }
  if (deleted || removed || !p.deletion_timestamp().empty()) {
    Terminate(!deleted && !removed);
    finished_ = true;
    return;
  }
  const Json& spec = p.spec();
  if (start_time_.empty()) start_time_ = api::NowTimestamp();
  for (const char* list : {"initContainers", "containers"}) {
    for (auto& c : Arr(spec, list)) {
      auto& rec = records_[Str(c, "name")];
      if (!rec) {
        rec = std::make_unique<ContainerRecord>();
        rec->name = Str(c, "name");
        rec->image = Str(c, "image");
        rec->waiting_reason =
            std::string(list) == "containers" && !Arr(spec, "initContainers").empty()
                ? "PodInitializing"
                : "ContainerCreating";
      }
    }
  }
  // A pod that finished (Succeeded/Failed) stays as it is.
  std::string phase = Str(p.status(), "phase");
  if (phase == "Succeeded" || phase == "Failed") return;

  if (!EnsureSandbox(&sandbox_message_)) {
    WriteStatus();
    return;
  }
  bool refresh = ctx_->clock->Now() - last_volume_refresh_ >= ctx_->config.volume_refresh;
  if (refresh) last_volume_refresh_ = ctx_->clock->Now();
  if (!EnsureVolumes(refresh, &volume_reason_, &volume_message_)) {
    WriteStatus();
    return;
  }
  bool inits_done = true;
  for (auto& c : Arr(spec, "initContainers")) {
    bool ok = false, failed = false;
    SyncContainer(c, true, *records_[Str(c, "name")], &ok, &failed);
    if (!ok) {
      inits_done = false;
      break;
    }
  }
  if (inits_done) {
    for (auto& c : Arr(spec, "containers")) {
      bool ok = false, failed = false;
      SyncContainer(c, false, *records_[Str(c, "name")], &ok, &failed);
    }
  }
  WriteStatus();
  for (const auto& m : started_events_) Event("Normal", "Started", m);
  started_events_.clear();
}

void PodWorker::WriteStatus() {
  api::Object p = pod();
  const Json& spec = p.spec();
  std::string policy = Str(spec, "restartPolicy", "Always");
  auto status_of = [&](const Json& c, bool init) {
    auto& rec = *records_[Str(c, "name")];
    Json cs = {{"name", rec.name},
               {"image", Str(c, "image")},
               {"imageID", rec.image_id},
               {"restartCount", std::max(rec.attempt, 0)},
               {"ready", false},
               {"started", false},
               {"lastState", Json::object()}};
    if (!rec.id.empty()) cs["containerID"] = ctx_->runtime->Name() + "://" + rec.id;
    if (!rec.last_terminated.is_null() && !rec.last_terminated.empty())
      cs["lastState"] = {{"terminated", rec.last_terminated}};
    bool waiting = !rec.waiting_reason.empty();
    if (!volume_reason_.empty() || !sandbox_message_.empty()) {
      cs["state"] = {{"waiting", {{"reason", "ContainerCreating"}}}};
    } else if (rec.state && rec.state->status == ContainerStatus::kRunning && !waiting) {
      cs["state"] = {{"running", {{"startedAt", Seconds(rec.state->started_at)}}}};
      cs["ready"] = !init && rec.ready;
      cs["started"] = rec.started || init || !c.contains("startupProbe");
    } else if (rec.state && rec.state->status == ContainerStatus::kExited &&
               !rec.current_term.is_null()) {
      if (waiting) {
        // Waiting to restart: this exit is the last state.
        cs["state"] = {
            {"waiting", {{"reason", rec.waiting_reason}, {"message", rec.waiting_message}}}};
        cs["lastState"] = {{"terminated", rec.current_term}};
      } else {
        cs["state"] = {{"terminated", rec.current_term}};
      }
    } else {
      Json w = {{"reason", rec.waiting_reason.empty() ? "ContainerCreating" : rec.waiting_reason}};
      if (!rec.waiting_message.empty()) w["message"] = rec.waiting_message;
      cs["state"] = {{"waiting", w}};
    }
    return cs;
  };
  Json init_statuses = Json::array(), statuses = Json::array();
  bool initialized = true, init_failed = false;
  for (auto& c : Arr(spec, "initContainers")) {
    Json cs = status_of(c, true);
    bool ok = cs["state"].contains("terminated") && cs["state"]["terminated"]["exitCode"] == 0;
    if (!ok) initialized = false;
    if (cs["state"].contains("terminated") && !ok && policy == "Never") init_failed = true;
    init_statuses.push_back(cs);
  }
  int running = 0, waiting = 0, stopped = 0, succeeded = 0;
  std::vector<std::string> unready;
  for (auto& c : Arr(spec, "containers")) {
    Json cs = status_of(c, false);
    if (!cs["ready"].get<bool>()) unready.push_back(Str(c, "name"));
    if (cs["state"].contains("running")) {
      ++running;
    } else if (cs["state"].contains("terminated")) {
      ++stopped;
      if (cs["state"]["terminated"]["exitCode"] == 0) ++succeeded;
    } else if (cs["state"].contains("waiting") && cs["lastState"].contains("terminated")) {
      ++stopped;
    } else {
      ++waiting;
    }
    statuses.push_back(cs);
  }
  std::string phase;
  if (init_failed)
    phase = "Failed";
  else if (!initialized)
    phase = "Pending";
  else if (waiting > 0)
    phase = "Pending";
  else if (running > 0)
    phase = "Running";
  else if (stopped > 0) {
    if (policy == "Always")
      phase = "Running";
    else if (stopped == succeeded)
      phase = "Succeeded";
    else if (policy == "Never")
      phase = "Failed";
    else
      phase = "Running";
  } else
    phase = "Pending";

  Json old = p.status();
  auto cond = [&](const std::string& type, bool ok, const std::string& reason,
                  const std::string& message) {
    Json c = {{"type", type}, {"status", ok ? "True" : "False"}, {"lastProbeTime", nullptr}};
    std::string t = api::NowTimestamp();
    for (auto& oc : Arr(old, "conditions")) {
      if (Str(oc, "type") == type && Str(oc, "status") == (ok ? "True" : "False"))
        t = Str(oc, "lastTransitionTime", t);
    }
    c["lastTransitionTime"] = t;
    if (!ok && !reason.empty()) c["reason"] = reason;
    if (!ok && !message.empty()) c["message"] = message;
    return c;
  };
  bool done = phase == "Succeeded" || phase == "Failed";
  std::string unready_list;
  for (auto& n : unready) unready_list += (unready_list.empty() ? "" : " ") + n;
  bool all_ready = unready.empty() && initialized && !done;
  Json conditions = Json::array();
  conditions.push_back(cond("PodReadyToStartContainers", sandbox_ready_, "", ""));
  conditions.push_back(cond("Initialized", initialized, "ContainersNotInitialized",
                            "containers with incomplete status: [" + std::string("init") + "]"));
  conditions.push_back(cond("Ready", all_ready, done ? "PodCompleted" : "ContainersNotReady",
                            done ? "" : "containers with unready status: [" + unready_list + "]"));
  conditions.push_back(cond("ContainersReady", all_ready,
                            done ? "PodCompleted" : "ContainersNotReady",
                            done ? "" : "containers with unready status: [" + unready_list + "]"));
  conditions.push_back(cond("PodScheduled", true, "", ""));
  if (!initialized) {
    std::string pending;
    for (auto& cs : init_statuses)
      if (!(cs["state"].contains("terminated") && cs["state"]["terminated"]["exitCode"] == 0))
        pending += (pending.empty() ? "" : " ") + cs["name"].get<std::string>();
    conditions[1]["message"] = "containers with incomplete status: [" + pending + "]";
  }
  Json status = {{"phase", phase},
                 {"conditions", conditions},
                 {"hostIP", ctx_->node.host_ip},
                 {"hostIPs", Json::array({{{"ip", ctx_->node.host_ip}}})},
                 {"startTime", start_time_},
                 {"qosClass", std::string(QosClassName(PodQosClass(spec)))},
                 {"containerStatuses", statuses}};
  if (!pod_ip_.empty()) {
    status["podIP"] = pod_ip_;
    status["podIPs"] = Json::array({{{"ip", pod_ip_}}});
  }
  if (!init_statuses.empty()) status["initContainerStatuses"] = init_statuses;
  if (!sandbox_message_.empty()) status["message"] = sandbox_message_;
  if (!volume_message_.empty()) status["message"] = volume_message_;
  if (IsStaticPod(p)) {
    WriteMirrorStatus(p, status);
    return;
  }
  if (status == last_status_) return;
  api::Object out = p;
  out.json()["status"] = status;
  out.set_resource_version("");
  auto r = ctx_->client->UpdateStatus(out);
  if (r) {
    last_status_ = status;
    std::lock_guard lock(mu_);
    if (pod_.resource_version().empty() ||
        std::stoll("0" + r->resource_version()) >= std::stoll("0" + pod_.resource_version())) {
      pod_.json()["status"] = status;
    }
  } else if (r.error().reason != api::Reason::kNotFound) {
    spdlog::warn("pod status update failed pod={}/{} error=\"{}\"", ns_, name_, r.error().message);
  }
}

void PodWorker::WriteMirrorStatus(const api::Object& p, const Json& status) {
  // A static pod's status lives here (the source of truth is the file) and is shown on its
  // mirror pod, when the API has one of this version (the kubelet's status manager does the same
  // translation from the static pod's uid to the mirror's).
  {
    std::lock_guard lock(mu_);
    pod_.json()["status"] = status;
  }
  auto mirror = ctx_->client->Get(kPod, ns_, name_);
  if (!mirror || !IsMirrorPod(*mirror)) return;
  auto hash = p.annotations()[kConfigHashAnnotation];
  if (mirror->annotations()[kConfigMirrorAnnotation] != hash) return;
  if (mirror->status() == status) return;
  api::Object out = *mirror;
  out.json()["status"] = status;
  out.set_resource_version("");
  auto r = ctx_->client->UpdateStatus(out);
  if (!r && r.error().reason != api::Reason::kNotFound) {
    spdlog::warn("mirror pod status update failed pod={}/{} error=\"{}\"", ns_, name_,
                 r.error().message);
  }
}

void PodWorker::Terminate(bool delete_object) {
  api::Object p = pod();
  int64_t grace = Int(p.metadata(), "deletionGracePeriodSeconds",
                      Int(p.spec(), "terminationGracePeriodSeconds", 30));
  if (!deleted_ && grace > 0) {
    // Run preStop hooks, then SIGTERM to all, SIGKILL at the deadline.
    auto deadline = ctx_->clock->Now() + std::chrono::seconds(grace);
    std::vector<ContainerRecord*> live;
    for (auto& [name, rec] : records_) {
      if (rec->id.empty()) continue;
      auto s = ctx_->runtime->State(rec->id);
      if (!s || s->status != ContainerStatus::kRunning) continue;
      const Json* cspec = nullptr;
      for (auto& c : Arr(p.spec(), "containers"))
        if (Str(c, "name") == name) cspec = &c;
      if (cspec && cspec->contains("lifecycle") && (*cspec)["lifecycle"].contains("preStop")) {
        std::string msg;
        if (!RunHandler((*cspec)["lifecycle"]["preStop"], *rec, *cspec, &msg)) {
          Event("Warning", "FailedPreStopHook", "PreStopHook failed: " + msg);
        }
      }
      Event("Normal", "Killing", "Stopping container " + name);
      (void)ctx_->runtime->Kill(rec->id, SIGTERM);
      live.push_back(rec.get());
    }
    while (!live.empty() && ctx_->clock->Now() < deadline) {
      std::erase_if(live, [&](ContainerRecord* r) {
        auto s = ctx_->runtime->State(r->id);
        return !s || s->status != ContainerStatus::kRunning;
      });
      if (!live.empty()) std::this_thread::sleep_for(50ms);
    }
  }
  Cleanup();
  if (delete_object) {
    api::DeleteOptions opts;
    opts.grace_period_seconds = 0;
    opts.precondition_uid = uid_;
    auto r = ctx_->client->Delete(kPod, ns_, name_, opts);
    if (!r && r.error().reason != api::Reason::kNotFound) {
      spdlog::warn("pod delete failed pod={}/{} error=\"{}\"", ns_, name_, r.error().message);
    }
  }
  spdlog::info("pod terminated pod={}/{}", ns_, name_);
}

void PodWorker::Cleanup() {
  auto ids = ctx_->runtime->List();
  if (ids) {
    for (auto& id : *ids) {
      if (!id.starts_with(uid_ + "_")) continue;
      (void)ctx_->runtime->Delete(id);
      ImageStore::RemoveRootfs(ctx_->config.data_dir + "/containers/" + id);
      RemoveAll(ctx_->config.data_dir + "/containers/" + id);
    }
  }
  {
    ctx_->cni_gate.Enter();
    std::string ns = ctx_->cni->NetnsPath(uid_);
    (void)ctx_->cni->Teardown(uid_, ns);
    (void)ctx_->cni->DeleteNetns(uid_);
    ctx_->cni_gate.Leave(false);
  }
  ctx_->cgroups.Remove("/keelson/pod" + uid_, "/keelson");
  // The pod directory (logs, volumes; tmpfs volumes are unmounted on the way).
  std::string pods = ctx_->config.data_dir + "/pods";
  if (DIR* d = opendir(pods.c_str())) {
    std::vector<std::string> mine;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.ends_with("_" + uid_)) mine.push_back(pods + "/" + n);
    }
    closedir(d);
    for (auto& dir : mine) RemoveAll(dir);
  }
  sandbox_ready_ = false;
}

}  // namespace keelson::runtime
