// The node agent's endpoints: pod logs and exec, metrics.k8s.io and images.
#include "daemon/node_api.h"

#include <fcntl.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/base64.h"
#include "api/selector.h"
#include "daemon/websocket.h"
#include "runtime/image_store.h"
#include "runtime/node_agent.h"
#include "runtime/process.h"

namespace keelson::daemon {
namespace {

using api::Json;

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

void SendJson(httplib::Response& res, int code, const Json& j) {
  res.status = code;
  res.set_content(Dump(j), "application/json");
}

void SendError(httplib::Response& res, const api::Error& e) {
  SendJson(res, e.HttpCode(), e.ToStatus());
}

api::Error AgentOff(std::string_view what) {
  return api::MakeError(api::Reason::kServiceUnavailable,
                        std::string(what) +
                            " needs the node agent, which is not running in this keelsond "
                            "(start it as root with runc and keelson-monitor installed, or with "
                            "--node-agent=on to see why it cannot run)");
}

bool ParseBool(const std::string& v) {
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

// An integer query parameter; `fallback` when absent. BadRequest names the parameter.
api::Result<int64_t> IntParam(const httplib::Request& req, const char* name, int64_t fallback) {
  if (!req.has_param(name)) return fallback;
  std::string v = req.get_param_value(name);
  try {
    size_t pos = 0;
    int64_t n = std::stoll(v, &pos);
    if (pos != v.size()) throw std::invalid_argument(v);
    return n;
  } catch (const std::exception&) {
    return std::unexpected(
        api::BadRequest(std::string(name) + ": invalid value \"" + v + "\": not an integer"));
  }
}

bool ClientGone(const httplib::Request& req) {
  if (req.ssl == nullptr) return false;
  int fd = SSL_get_fd(req.ssl);
  if (fd < 0) return true;
  struct pollfd p = {fd, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

const api::KindInfo& PodKind() {
  static const api::KindInfo* k = api::Kinds::Default().ByResource("", "v1", "pods");
  return *k;
}

api::KindInfo MetricsKind(bool pods) {
  api::KindInfo k;
  k.group = "metrics.k8s.io";
  k.version = "v1beta1";
  k.kind = pods ? "PodMetrics" : "NodeMetrics";
  k.resource = pods ? "pods" : "nodes";
  k.singular = "";
  k.namespaced = pods;
  k.verbs = {"get", "list"};
  return k;
}

api::KindInfo ImagesKind() {
  api::KindInfo k;
  k.group = "keelson.dev";
  k.version = "v1";
  k.kind = "Image";
  k.resource = "images";
  k.namespaced = false;
  k.verbs = {"create", "delete", "get", "list"};
  return k;
}

std::vector<std::string> Names(const Json& spec, const char* list) {
  std::vector<std::string> out;
  if (auto it = spec.find(list); it != spec.end() && it->is_array()) {
    for (const auto& c : *it) {
      if (c.is_object()) out.push_back(c.value("name", ""));
    }
  }
  return out;
}

std::string Bracketed(const std::vector<std::string>& names) {
  std::string s = "[";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? " " : "") + names[i];
  return s + "]";
}

// The container a log/exec request means, with Kubernetes' errors (validateContainer in
// pkg/registry/core/pod/strategy.go).
api::Result<std::string> PickContainer(const api::Object& pod, const std::string& container) {
  const Json& spec = pod.spec();
  auto containers = Names(spec, "containers");
  auto inits = Names(spec, "initContainers");
  if (container.empty()) {
    if (containers.size() == 1) return containers[0];
    if (containers.empty()) {
      return std::unexpected(
          api::BadRequest("a container name must be specified for pod " + pod.name()));
    }
    std::string msg = "a container name must be specified for pod " + pod.name() +
                      ", choose one of: " + Bracketed(containers);
    if (!inits.empty()) msg += " or one of the init containers: " + Bracketed(inits);
    return std::unexpected(api::BadRequest(msg));
  }
  auto ephemeral = Names(spec, "ephemeralContainers");
  bool known = false;
  for (const auto* list : {&containers, &inits, &ephemeral}) {
    known = known || std::find(list->begin(), list->end(), container) != list->end();
  }
  if (!known) {
    return std::unexpected(
        api::BadRequest("container " + container + " is not valid for pod " + pod.name()));
  }
  return container;
}

std::string NodeNameOf(const api::Object& pod) {
  const Json* n = pod.Find("spec.nodeName");
  return n != nullptr && n->is_string() ? n->get<std::string>() : "";
}

// The pod is bound to the agent's node. BadRequest/ServiceUnavailable otherwise.
api::Status OnThisNode(const api::Object& pod, const std::string& node) {
  std::string bound = NodeNameOf(pod);
  if (bound.empty()) {
    return std::unexpected(api::BadRequest("pod " + pod.name() + " does not have a host assigned"));
  }
  if (bound != node) {
    return std::unexpected(api::MakeError(api::Reason::kServiceUnavailable,
                                          "pod " + pod.name() + " runs on node \"" + bound +
                                              "\"; this keelsond runs node \"" + node + "\""));
  }
  return {};
}

// A Go time.Duration string ("523ms", "1.5s", "15s").
std::string GoDuration(double seconds) {
  char buf[64];
  if (seconds < 1.0) {
    std::snprintf(buf, sizeof buf, "%dms", static_cast<int>(seconds * 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%.3f", seconds);
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s + "s";
  }
  return buf;
}

// Cumulative CPU of the whole node (all CPUs, busy time) in ns, from /proc/stat.
int64_t NodeCpuNs() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  int64_t v[10] = {0};
  f >> cpu;
  for (auto& x : v) f >> x;
  int64_t total = 0;
  for (int i = 0; i < 8; ++i) total += v[i];  // guest time is already in user
  int64_t busy = total - v[3] - v[4];         // minus idle and iowait
  long hz = sysconf(_SC_CLK_TCK);
  return busy * (1000000000 / (hz > 0 ? hz : 100));
}

// The node's working set in bytes: MemTotal - MemAvailable.
int64_t NodeMemoryBytes() {
  std::ifstream f("/proc/meminfo");
  std::string key, unit;
  int64_t value = 0, total = 0, avail = 0;
  while (f >> key >> value >> unit) {
    if (key == "MemTotal:") total = value;
    if (key == "MemAvailable:") avail = value;
  }
  return (total - avail) * 1024;
}

Json Usage(int64_t nanocores, int64_t memory_bytes) {
  return {{"cpu", std::to_string(std::max<int64_t>(nanocores, 0)) + "n"},
          {"memory", std::to_string(std::max<int64_t>(memory_bytes, 0) / 1024) + "Ki"}};
}

Json ImageJson(const runtime::ImageInfo& i, const std::string& store_root) {
  Json tags = Json::array(), digests = Json::array();
  for (const auto& r : i.refs) (r.find('@') != std::string::npos ? digests : tags).push_back(r);
  Json j = {{"id", i.config_digest},
            {"repoTags", tags},
            {"repoDigests", digests},
            {"size", i.size},
            {"manifestDigest", i.manifest_digest},
            {"layers", i.diff_ids.size()}};
  std::string hex = i.config_digest.substr(i.config_digest.find(':') + 1);
  std::ifstream f(store_root + "/blobs/sha256/" + hex);
  if (f) {
    std::stringstream ss;
    ss << f.rdbuf();
    Json cfg = Json::parse(ss.str(), nullptr, false);
    if (cfg.is_object() && cfg.contains("created") && cfg["created"].is_string()) {
      j["created"] = cfg["created"];
    }
    if (cfg.is_object() && cfg.contains("architecture")) j["architecture"] = cfg["architecture"];
    if (cfg.is_object() && cfg.contains("os")) j["os"] = cfg["os"];
  }
  return j;
}

Json ImageList(const std::vector<runtime::ImageInfo>& images, const std::string& store_root) {
  Json items = Json::array();
  for (const auto& i : images) items.push_back(ImageJson(i, store_root));
  return {{"kind", "ImageList"},
          {"apiVersion", "keelson.dev/v1"},
          {"metadata", Json::object()},
          {"items", items}};
}

}  // namespace

NodeApi::NodeApi(runtime::NodeAgent* agent, Resources& resources, std::string data_dir,
                 const std::atomic<bool>* stopping)
    : agent_(agent), res_(resources), data_dir_(std::move(data_dir)), stopping_(stopping) {}

void NodeApi::ServeLog(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                       const std::string& ns, const std::string& name) {
  if (req.method != "GET") {
    return SendError(res, api::MakeError(api::Reason::kMethodNotAllowed,
                                         "the server does not allow this method on the "
                                         "requested resource"));
  }
  if (auto s = res_.Authorize(ctx, "get", PodKind(), "log", ns, name); !s) {
    return SendError(res, s.error());
  }
  auto pod = res_.Get(ctx, PodKind(), ns, name);
  if (!pod) return SendError(res, pod.error());
  runtime::LogOptions o;
  auto container = PickContainer(*pod, req.get_param_value("container"));
  if (!container) return SendError(res, container.error());
  o.container = *container;
  o.follow = ParseBool(req.get_param_value("follow"));
  o.previous = ParseBool(req.get_param_value("previous"));
  bool timestamps = ParseBool(req.get_param_value("timestamps"));
  auto tail = IntParam(req, "tailLines", -1);
  auto limit = IntParam(req, "limitBytes", 0);
  auto since = IntParam(req, "sinceSeconds", 0);
  for (auto* r : {&tail, &limit, &since}) {
    if (!*r) return SendError(res, r->error());
  }
  if (req.has_param("tailLines") && *tail < 0) {
    return SendError(res, api::BadRequest("tailLines: Invalid value: " + std::to_string(*tail) +
                                          ": must be greater than or equal to 0"));
  }
  if (req.has_param("limitBytes") && *limit < 1) {
    return SendError(res, api::BadRequest("limitBytes: Invalid value: " + std::to_string(*limit) +
                                          ": must be greater than 0"));
  }
  if (req.has_param("sinceSeconds") && *since < 1) {
    return SendError(res, api::BadRequest("sinceSeconds: Invalid value: " + std::to_string(*since) +
                                          ": must be greater than 0"));
  }
  int64_t since_unix = 0;
  if (*since > 0) {
    since_unix = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count() -
                 *since;
  } else if (req.has_param("sinceTime")) {
    auto t = api::ParseTime(req.get_param_value("sinceTime"));
    if (!t) return SendError(res, api::BadRequest("sinceTime: invalid RFC 3339 time"));
    since_unix = *t;
  }
  o.tail_lines = *tail;
  o.limit_bytes = *limit;
  // Time filtering needs each line's timestamp; it is cut again unless the client asked.
  o.timestamps = timestamps || since_unix > 0;
  // A pod not yet bound has no logs anywhere: Kubernetes answers an empty body.
  if (NodeNameOf(*pod).empty()) {
    res.status = 200;
    res.set_content("", "text/plain");
    return;
  }
  if (agent_ == nullptr) return SendError(res, AgentOff("pods/log"));
  if (auto s = OnThisNode(*pod, agent_->node_name()); !s) return SendError(res, s.error());
  auto filter = [timestamps, since_unix](std::string_view line, std::string& out) -> bool {
    if (since_unix <= 0) {
      out.assign(line);
      return true;
    }
    size_t sp = line.find(' ');
    auto t = api::ParseTime(line.substr(0, sp));
    if (t && *t < since_unix) return false;
    out.assign(timestamps || sp == std::string_view::npos ? line : line.substr(sp + 1));
    return true;
  };
  runtime::NodeAgent* agent = agent_;
  if (!o.follow) {
    std::string body, line;
    auto s = agent->ReadLogs(ns, name, o, [&](std::string_view l) {
      if (!l.empty() && filter(l, line)) body += line;
      return true;
    });
    if (!s) return SendError(res, s.error());
    res.status = 200;
    res.set_content(body, "text/plain");
    return;
  }
  // Check the request (container state, previous attempt) before the stream commits to 200.
  runtime::LogOptions probe = o;
  probe.follow = false;
  probe.tail_lines = 0;
  if (auto s = agent->ReadLogs(ns, name, probe, [](std::string_view) { return true; }); !s) {
    return SendError(res, s.error());
  }
  const httplib::Request* reqp = &req;
  const std::atomic<bool>* stopping = stopping_;
  // httplib gzips text/* responses for clients that accept it (Go's transport always does), and
  // its compressor only flushes at the end: a followed log would never arrive. The request
  // object is httplib's own, non-const; dropping the header keeps this stream uncompressed.
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
  res.status = 200;
  res.set_chunked_content_provider(
      "text/plain", [agent, ns, name, o, reqp, stopping, filter](size_t, httplib::DataSink& sink) {
        std::string line;
        auto s = agent->ReadLogs(ns, name, o, [&](std::string_view l) {
          // Empty: the agent's keep-alive while the container is silent.
          if (stopping->load() || (l.empty() && ClientGone(*reqp))) return false;
          if (l.empty() || !filter(l, line)) return true;
          return sink.write(line.data(), line.size());
        });
        if (!s) {
          std::string msg = "keelsond: " + s.error().message + "\n";
          sink.write(msg.data(), msg.size());
        }
        sink.done();
        return true;
      });
}

void NodeApi::ServeExec(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                        const std::string& ns, const std::string& name) {
  ws::UpgradeRequest upgrade{req.get_header_value("Upgrade"), req.get_header_value("Connection"),
                             req.get_header_value("Sec-WebSocket-Key"),
                             req.get_header_value("Sec-WebSocket-Version"),
                             req.get_header_value("Sec-WebSocket-Protocol")};
  bool streaming = ws::IsUpgrade(upgrade);
  if (!streaming && req.has_header("Upgrade")) {
    return SendError(res, api::BadRequest("keelsond serves exec over WebSocket "
                                          "(v5.channel.k8s.io), not " +
                                          req.get_header_value("Upgrade")));
  }
  if (!streaming && req.method != "POST") {
    return SendError(res, api::MakeError(api::Reason::kMethodNotAllowed,
                                         "exec without a streaming upgrade takes POST"));
  }
  if (auto s = res_.Authorize(ctx, "create", PodKind(), "exec", ns, name); !s) {
    return SendError(res, s.error());
  }
  auto pod = res_.Get(ctx, PodKind(), ns, name);
  if (!pod) return SendError(res, pod.error());
  std::vector<std::string> argv;
  for (size_t i = 0; i < req.get_param_value_count("command"); ++i) {
    argv.push_back(req.get_param_value("command", i));
  }
  if (argv.empty()) return SendError(res, api::BadRequest("you must specify at least 1 command"));
  auto container = PickContainer(*pod, req.get_param_value("container"));
  if (!container) return SendError(res, container.error());
  auto timeout = IntParam(req, "timeoutSeconds", 300);
  if (!timeout) return SendError(res, timeout.error());
  if (*timeout < 1) {
    return SendError(res, api::BadRequest("timeoutSeconds: Invalid value: " +
                                          std::to_string(*timeout) + ": must be greater than 0"));
  }
  const Json* phase = pod->Find("status.phase");
  if (phase != nullptr && phase->is_string() && (*phase == "Succeeded" || *phase == "Failed")) {
    return SendError(
        res, api::BadRequest("cannot exec into a container in a completed pod; current phase is " +
                             phase->get<std::string>()));
  }
  if (NodeNameOf(*pod).empty()) {
    return SendError(res, api::BadRequest("pod " + name + " does not have a host assigned"));
  }
  if (agent_ == nullptr) return SendError(res, AgentOff("pods/exec"));
  if (auto s = OnThisNode(*pod, agent_->node_name()); !s) return SendError(res, s.error());
  if (streaming) return ServeExecStream(req, res, upgrade, ns, name, *container, argv);
  std::string stdin_data = ParseBool(req.get_param_value("stdin")) ? req.body : std::string();
  auto out = agent_->Exec(ns, name, *container, argv, stdin_data, std::chrono::seconds(*timeout));
  if (!out) return SendError(res, out.error());
  SendJson(res, 200,
           Json{{"kind", "ExecResult"},
                {"apiVersion", "keelson.dev/v1"},
                {"exitCode", out->exit_code},
                {"timedOut", out->timed_out},
                {"stdout", api::Base64Encode(out->out)},
                {"stderr", api::Base64Encode(out->err)}});
}

void NodeApi::ServeExecStream(const httplib::Request& req, httplib::Response& res,
                              const ws::UpgradeRequest& upgrade, const std::string& ns,
                              const std::string& name, const std::string& container,
                              const std::vector<std::string>& argv) {
  auto hs = ws::Handshake(upgrade, {"v5.channel.k8s.io", "v4.channel.k8s.io"});
  if (!hs) return SendError(res, hs.error());
  if (req.ssl == nullptr) {
    return SendError(res, api::BadRequest("exec over WebSocket needs the TLS listener"));
  }
  ws::RemoteCommandOptions opts;
  opts.stdin = ParseBool(req.get_param_value("stdin"));
  opts.stdout = !req.has_param("stdout") || ParseBool(req.get_param_value("stdout"));
  opts.stderr = !req.has_param("stderr") || ParseBool(req.get_param_value("stderr"));
  opts.tty = ParseBool(req.get_param_value("tty"));
  for (const auto& a : argv) opts.command += (opts.command.empty() ? "" : " ") + a;
  auto proc = agent_->ExecStart(ns, name, container, argv, opts.tty);
  bool buffered = false;
  if (!proc) {
    // A runtime that cannot stream still runs non-interactive commands.
    if (opts.tty || proc.error().message.find("cannot stream") == std::string::npos) {
      return SendError(res, proc.error());
    }
    buffered = true;
  }
  // From here the connection is the WebSocket's: the transport shuts it down when it goes, so
  // the HTTP server cannot write a response into it afterwards.
  res.set_header("Connection", "close");
  ws::SslTransport transport(const_cast<SSL*>(req.ssl));
  if (!transport.Write(hs->response.data(), hs->response.size())) {
    if (proc) {
      for (int fd : {proc->terminal, proc->in, proc->out, proc->err}) {
        if (fd >= 0) close(fd);
      }
      kill(proc->pid, SIGTERM);
      runtime::WaitCommand(proc->pid);
    }
    return;
  }
  ws::Conn conn(transport);
  api::Status st;
  if (buffered) {
    st = ws::ServeRemoteCommand(conn, opts, [&](const std::string& stdin_data) {
      auto out = agent_->Exec(ns, name, container, argv, stdin_data);
      if (!out) return api::Result<ws::RemoteCommandResult>(std::unexpected(out.error()));
      return api::Result<ws::RemoteCommandResult>(
          ws::RemoteCommandResult{out->exit_code, std::move(out->out), std::move(out->err)});
    });
  } else {
    st = ws::ServeRemoteCommandStream(conn, opts, *proc);
  }
  if (!st) spdlog::info("exec session ended pod={}/{} reason=\"{}\"", ns, name, st.error().message);
}

std::map<std::string, int64_t> NodeApi::CpuRates(
    const std::vector<std::string>& keys,
    const std::function<std::map<std::string, int64_t>()>& read, double* window_seconds) {
  using Clock = std::chrono::steady_clock;
  auto now = Clock::now();
  auto cur = read();
  std::map<std::string, int64_t> out;
  std::unique_lock<std::mutex> l(mu_);
  auto usable = [&](const std::string& k) {
    auto it = samples_.find(k);
    if (it == samples_.end()) return false;
    auto age = now - it->second.at;
    return age >= std::chrono::seconds(1) && age <= std::chrono::seconds(60);
  };
  bool all_usable = std::all_of(keys.begin(), keys.end(), usable);
  double window = 0;
  if (!all_usable) {
    // No recent figure: measure over a short window now.
    l.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto later = Clock::now();
    auto next = read();
    window = std::chrono::duration<double>(later - now).count();
    for (const auto& k : keys) {
      if (!cur.contains(k) || !next.contains(k)) continue;
      out[k] = static_cast<int64_t>(static_cast<double>(next[k] - cur[k]) / window);
    }
    l.lock();
    for (const auto& [k, v] : next) samples_[k] = {later, v};
  } else {
    for (const auto& k : keys) {
      const CpuSample& prev = samples_[k];
      double secs = std::chrono::duration<double>(now - prev.at).count();
      window = std::max(window, secs);
      if (cur.contains(k)) {
        out[k] = static_cast<int64_t>(static_cast<double>(cur[k] - prev.cpu_ns) / secs);
      }
    }
    // Keep a sample about 10 s old so the window stays close to the kubelet's.
    for (const auto& [k, v] : cur) {
      auto it = samples_.find(k);
      if (it == samples_.end() || now - it->second.at >= std::chrono::seconds(10)) {
        samples_[k] = {now, v};
      }
    }
  }
  std::erase_if(samples_,
                [&](const auto& kv) { return now - kv.second.at > std::chrono::minutes(5); });
  *window_seconds = window;
  return out;
}

void NodeApi::ServeMetrics(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                           const std::vector<std::string>& segs) {
  if (agent_ == nullptr || segs.size() < 4 || segs[2] != "v1beta1") {
    return SendError(res, api::MakeError(api::Reason::kNotFound,
                                         "the server could not find the requested resource"));
  }
  if (req.method != "GET") {
    return SendError(res, api::MakeError(api::Reason::kMethodNotAllowed,
                                         "the server does not allow this method on the "
                                         "requested resource"));
  }
  std::vector<std::string> rest(segs.begin() + 3, segs.end());
  std::string ns, name;
  bool pods = false;
  if (rest[0] == "nodes" && rest.size() <= 2) {
    if (rest.size() == 2) name = rest[1];
  } else if (rest[0] == "pods" && rest.size() <= 2) {
    pods = true;
    if (rest.size() == 2) name = rest[1];
  } else if (rest.size() >= 3 && rest.size() <= 4 && rest[0] == "namespaces" && rest[2] == "pods") {
    pods = true;
    ns = rest[1];
    if (rest.size() == 4) name = rest[3];
  } else {
    return SendError(res, api::MakeError(api::Reason::kNotFound,
                                         "the server could not find the requested resource"));
  }
  if (pods && ns.empty() && !name.empty()) {
    return SendError(res, api::MakeError(api::Reason::kNotFound,
                                         "the server could not find the requested resource"));
  }
  api::KindInfo kind = MetricsKind(pods);
  if (auto s = res_.Authorize(ctx, name.empty() ? "list" : "get", kind, "", ns, name); !s) {
    return SendError(res, s.error());
  }
  api::ListOptions lo;
  lo.label_selector = req.get_param_value("labelSelector");
  lo.field_selector = req.get_param_value("fieldSelector");
  const std::string node = agent_->node_name();
  std::string now = api::NowTimestamp();
  auto not_found = [&](const std::string& n) {
    api::Error e =
        api::NotFound(pods ? "podmetrics.metrics.k8s.io" : "nodemetrics.metrics.k8s.io", n);
    e.group = "metrics.k8s.io";
    e.kind = pods ? "pods" : "nodes";
    return e;
  };

  if (!pods) {
    // This keelsond has one node: its own.
    auto node_obj = res_.store().Get("nodes", "", node);
    if (!name.empty() && (name != node || !node_obj)) return SendError(res, not_found(name));
    bool match = node_obj.has_value();
    if (match && name.empty()) {
      auto ls = api::LabelSelector::Parse(lo.label_selector);
      if (!ls) return SendError(res, ls.error());
      match = ls->Matches(node_obj->labels());
    }
    Json items = Json::array();
    if (match) {
      double window = 0;
      auto rates = CpuRates(
          {"node"},
          [] {
            return std::map<std::string, int64_t>{{"node", NodeCpuNs()}};
          },
          &window);
      Json m = {{"metadata",
                 {{"name", node},
                  {"creationTimestamp", now},
                  {"labels", node_obj->json()["metadata"].value("labels", Json::object())}}},
                {"timestamp", now},
                {"window", GoDuration(window)},
                {"usage", Usage(rates["node"], NodeMemoryBytes())}};
      if (!name.empty()) {
        m["kind"] = "NodeMetrics";
        m["apiVersion"] = "metrics.k8s.io/v1beta1";
        return SendJson(res, 200, m);
      }
      items.push_back(m);
    }
    return SendJson(res, 200,
                    Json{{"kind", "NodeMetricsList"},
                         {"apiVersion", "metrics.k8s.io/v1beta1"},
                         {"metadata", Json::object()},
                         {"items", items}});
  }

  std::vector<api::Object> candidates;
  if (!name.empty()) {
    auto p = res_.Get(ctx, PodKind(), ns, name);
    if (!p) return SendError(res, not_found(name));
    candidates.push_back(std::move(*p));
  } else {
    auto list = res_.List(ctx, PodKind(), ns, lo);
    if (!list) return SendError(res, list.error());
    candidates = std::move(list->items);
  }
  struct PodFigures {
    const api::Object* pod;
    std::vector<runtime::NodeAgent::ContainerStats> stats;
  };
  std::vector<PodFigures> figures;
  std::vector<std::string> keys;
  auto key_of = [](const api::Object& p, const std::string& c) { return p.uid() + "/" + c; };
  for (const auto& p : candidates) {
    if (NodeNameOf(p) != node) continue;
    auto st = agent_->PodStats(p.namespace_(), p.name());
    if (!st || st->empty()) continue;
    for (const auto& c : *st) keys.push_back(key_of(p, c.name));
    figures.push_back({&p, std::move(*st)});
  }
  if (!name.empty() && figures.empty()) return SendError(res, not_found(name));
  double window = 0;
  std::map<std::string, int64_t> rates;
  if (!keys.empty()) {
    runtime::NodeAgent* agent = agent_;
    rates = CpuRates(
        keys,
        [&figures, agent, key_of] {
          std::map<std::string, int64_t> m;
          for (const auto& f : figures) {
            auto st = agent->PodStats(f.pod->namespace_(), f.pod->name());
            if (!st) continue;
            for (const auto& c : *st) m[key_of(*f.pod, c.name)] = c.stats.cpu_usage_ns;
          }
          return m;
        },
        &window);
  }
  Json items = Json::array();
  for (const auto& f : figures) {
    Json containers = Json::array();
    for (const auto& c : f.stats) {
      containers.push_back(
          {{"name", c.name},
           {"usage", Usage(rates[key_of(*f.pod, c.name)], c.stats.memory_working_set)}});
    }
    Json m = {{"metadata",
               {{"name", f.pod->name()},
                {"namespace", f.pod->namespace_()},
                {"creationTimestamp", now},
                {"labels", f.pod->json()["metadata"].value("labels", Json::object())}}},
              {"timestamp", now},
              {"window", GoDuration(window)},
              {"containers", containers}};
    if (!name.empty()) {
      m["kind"] = "PodMetrics";
      m["apiVersion"] = "metrics.k8s.io/v1beta1";
      return SendJson(res, 200, m);
    }
    items.push_back(m);
  }
  SendJson(res, 200,
           Json{{"kind", "PodMetricsList"},
                {"apiVersion", "metrics.k8s.io/v1beta1"},
                {"metadata", Json::object()},
                {"items", items}});
}

void NodeApi::ServeImages(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                          const httplib::ContentReader* reader) {
  static const std::string kPrefix = "/apis/keelson.dev/v1/images";
  std::string ref;
  if (req.path.size() > kPrefix.size() + 1) ref = req.path.substr(kPrefix.size() + 1);
  const api::KindInfo kind = ImagesKind();
  auto discard = [&] {
    if (reader != nullptr) (*reader)([](const char*, size_t) { return false; });
  };
  std::string verb = req.method == "GET"      ? (ref.empty() ? "list" : "get")
                     : req.method == "POST"   ? "create"
                     : req.method == "DELETE" ? "delete"
                                              : "";
  if (verb.empty() || (req.method == "POST" && !ref.empty()) ||
      (req.method == "DELETE" && ref.empty())) {
    discard();
    return SendError(res, api::MakeError(api::Reason::kMethodNotAllowed,
                                         "the server does not allow this method on the "
                                         "requested resource"));
  }
  if (auto s = res_.Authorize(ctx, verb, kind, "", "", ref); !s) {
    discard();
    return SendError(res, s.error());
  }
  if (agent_ == nullptr) {
    discard();
    return SendError(res, AgentOff("the image store"));
  }
  runtime::ImageStore& images = agent_->images();
  const std::string& root = images.root();

  if (req.method == "GET") {
    if (!ref.empty()) {
      auto info = images.Resolve(ref);
      if (!info) return SendError(res, api::NotFound("images.keelson.dev", ref));
      Json j = ImageJson(*info, root);
      j["kind"] = "Image";
      j["apiVersion"] = "keelson.dev/v1";
      return SendJson(res, 200, j);
    }
    auto list = images.List();
    if (!list) return SendError(res, list.error().Wrap("list images"));
    return SendJson(res, 200, ImageList(*list, root));
  }

  if (req.method == "POST") {
    std::string ct = req.get_header_value("Content-Type");
    std::string media = ct.substr(0, ct.find(';'));
    if (!media.empty() && media != "application/x-tar" && media != "application/octet-stream" &&
        media != "application/gzip" && media != "application/x-gzip" &&
        media != "application/tar") {
      discard();
      return SendError(
          res, api::MakeError(api::Reason::kUnsupportedMediaType,
                              "image archives are sent as application/x-tar, not " + media));
    }
    if (req.has_header("Content-Length") &&
        std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) >
            kMaxImageBytes) {
      discard();
      return SendError(res, api::MakeError(api::Reason::kRequestEntityTooLarge,
                                           "image archive larger than 4 GiB"));
    }
    std::string dir = data_dir_ + "/tmp";
    ::mkdir(dir.c_str(), 0700);
    std::string path = dir + "/image-upload-XXXXXX";
    int fd = ::mkstemp(path.data());
    if (fd < 0) {
      discard();
      return SendError(
          res, api::Internal("spool image archive in " + dir + ": " + std::strerror(errno)));
    }
    uint64_t total = 0;
    bool too_large = false, write_failed = false;
    auto write_all = [&](const char* d, size_t n) {
      total += n;
      if (total > kMaxImageBytes) {
        too_large = true;
        return false;
      }
      while (n > 0) {
        ssize_t w = ::write(fd, d, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          write_failed = true;
          return false;
        }
        d += w;
        n -= static_cast<size_t>(w);
      }
      return true;
    };
    bool ok =
        reader != nullptr ? (*reader)(write_all) : write_all(req.body.data(), req.body.size());
    ::close(fd);
    struct Unlink {
      std::string p;
      ~Unlink() { ::unlink(p.c_str()); }
    } cleanup{path};
    if (too_large) {
      return SendError(res, api::MakeError(api::Reason::kRequestEntityTooLarge,
                                           "image archive larger than 4 GiB"));
    }
    if (write_failed) {
      return SendError(
          res, api::Internal("spool image archive in " + dir + ": " + std::strerror(errno)));
    }
    if (!ok) return SendError(res, api::BadRequest("image archive: the upload was cut short"));
    if (total == 0) return SendError(res, api::BadRequest("image archive: empty request body"));
    auto imported = images.Import(path);
    if (!imported) return SendError(res, imported.error().Wrap("import image archive"));
    return SendJson(res, 201, ImageList(*imported, root));
  }

  // DELETE: a reference removes that name; an image ID removes every name of the image.
  auto info = images.Resolve(ref);
  if (!info) return SendError(res, api::NotFound("images.keelson.dev", ref));
  bool by_id = ref.starts_with("sha256:") ||
               (ref.size() >= 12 && ref.find_first_not_of("0123456789abcdef") == std::string::npos);
  std::vector<std::string> refs;
  if (by_id) {
    refs = info->refs;
  } else {
    auto norm = runtime::NormalizeReference(ref);
    refs.push_back(norm ? *norm : ref);
  }
  bool last_name = by_id || info->refs.size() <= 1;
  if (last_name) {
    // Refuse while a running container of this node uses the image (docker rmi's conflict).
    auto pods = res_.store().List("pods", "");
    if (pods) {
      for (const auto& p : pods->items) {
        if (NodeNameOf(p) != agent_->node_name()) continue;
        const Json* statuses = p.Find("status.containerStatuses");
        if (statuses == nullptr || !statuses->is_array()) continue;
        for (const auto& cs : *statuses) {
          if (!cs.is_object() || !cs.contains("state") || !cs["state"].contains("running")) {
            continue;
          }
          auto used = images.Resolve(cs.value("image", ""));
          if (used && used->config_digest == info->config_digest) {
            api::Error e =
                api::MakeError(api::Reason::kConflict, "conflict: unable to remove image \"" + ref +
                                                           "\": it is in use by running "
                                                           "container \"" +
                                                           cs.value("name", "") + "\" of pod " +
                                                           p.namespace_() + "/" + p.name());
            e.kind = "images";
            e.group = "keelson.dev";
            e.name = ref;
            return SendError(res, e);
          }
        }
      }
    }
  }
  if (refs.empty()) return SendError(res, api::NotFound("images.keelson.dev", ref));
  for (const auto& r : refs) {
    if (auto s = images.Remove(r); !s) return SendError(res, s.error().Wrap("remove " + r));
  }
  SendJson(res, 200,
           Json{{"kind", "Status"},
                {"apiVersion", "v1"},
                {"metadata", Json::object()},
                {"status", "Success"},
                {"details", {{"name", ref}, {"group", "keelson.dev"}, {"kind", "images"}}}});
}

void RegisterNodeApiKinds(api::Kinds& kinds) {
  kinds.Register(MetricsKind(false));
  kinds.Register(MetricsKind(true));
}

}  // namespace keelson::daemon
