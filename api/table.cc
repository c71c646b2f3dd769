// Server-side table printers, ported from k8s.io/kubernetes/pkg/printers/internalversion.
#include "api/table.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

namespace keelson::api {
namespace {

constexpr const char* kNameDoc =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr const char* kAgeDoc =
    "CreationTimestamp is a timestamp representing the server time when this object was created. "
    "It is not guaranteed to be set in happens-before order across separate operations. Clients "
    "may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the "
    "system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";
constexpr const char* kContainersDoc = "Names of each container in the template.";
constexpr const char* kImagesDoc = "Images referenced by each container in the template.";

const Json& NullJson() {
  static const Json kNull;
  return kNull;
}

// Follows object keys; null when any step is absent or not an object.
const Json& At(const Json& j, std::initializer_list<std::string_view> path) {
  const Json* cur = &j;
  for (auto key : path) {
    if (!cur->is_object()) return NullJson();
    auto it = cur->find(key);
    if (it == cur->end()) return NullJson();
    cur = &*it;
  }
  return *cur;
}

std::string Str(const Json& j, std::initializer_list<std::string_view> path) {
  const Json& v = At(j, path);
  return v.is_string() ? v.get<std::string>() : std::string();
}

int64_t Int(const Json& j, std::initializer_list<std::string_view> path, int64_t dflt = 0) {
  const Json& v = At(j, path);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number()) return static_cast<int64_t>(v.get<double>());
  return dflt;
}

bool Bool(const Json& j, std::initializer_list<std::string_view> path) {
  const Json& v = At(j, path);
  return v.is_boolean() && v.get<bool>();
}

const Json& Arr(const Json& j, std::initializer_list<std::string_view> path) {
  static const Json kEmpty = Json::array();
  const Json& v = At(j, path);
  return v.is_array() ? v : kEmpty;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string OrNone(std::string s) { return s.empty() ? "<none>" : s; }

struct Ctx {
  int64_t now;
};

std::string Age(const Json& obj, const Ctx& c) {
  return TimestampSince(Str(obj, {"metadata", "creationTimestamp"}), c.now);
}
std::string CreatedAt(const Json& obj) {
  auto t = ParseTime(Str(obj, {"metadata", "creationTimestamp"}));
  return t ? FormatTime(*t) : std::string("<unknown>");
}

// Container names and images of a pod spec, comma-joined (layoutContainerCells).
std::pair<std::string, std::string> ContainersImages(const Json& pod_spec) {
  std::vector<std::string> names, images;
  for (const auto& c : Arr(pod_spec, {"containers"})) {
    names.push_back(Str(c, {"name"}));
    images.push_back(Str(c, {"image"}));
  }
  return {Join(names, ","), Join(images, ",")};
}

using Row = std::vector<Json>;
using RowFn = std::function<Row(const Json&, const Ctx&, Json& conditions)>;

struct Printer {
  std::vector<TableColumn> columns;
  RowFn row;
};

TableColumn Col(std::string name, std::string type, std::string description, int priority = 0) {
  return TableColumn{std::move(name), std::move(type), "", std::move(description), priority};
}
TableColumn NameCol() { return TableColumn{"Name", "string", "name", kNameDoc, 0}; }
TableColumn AgeCol() { return Col("Age", "string", kAgeDoc); }

// ---- pods ----

bool IsRestartableInit(const Json& pod, const std::string& name) {
  for (const auto& c : Arr(pod, {"spec", "initContainers"})) {
    if (Str(c, {"name"}) == name) return Str(c, {"restartPolicy"}) == "Always";
  }
  return false;
}

bool HasCondition(const Json& conditions, std::string_view type, std::string_view status) {
  if (!conditions.is_array()) return false;
  for (const auto& c : conditions) {
    if (Str(c, {"type"}) == type && Str(c, {"status"}) == status) return true;
  }
  return false;
}

Row PodRow(const Json& pod, const Ctx& c, Json& conditions) {
  int64_t restarts = 0, restartable_init_restarts = 0;
  int64_t total = static_cast<int64_t>(Arr(pod, {"spec", "containers"}).size());
  int64_t ready = 0;
  int64_t last_restart = 0, last_restartable_init_restart = 0;
  const Json& status = At(pod, {"status"});
  std::string phase = Str(status, {"phase"});
  std::string reason = phase;
  if (!Str(status, {"reason"}).empty()) reason = Str(status, {"reason"});
  for (const auto& cond : Arr(status, {"conditions"})) {
    if (Str(cond, {"type"}) == "PodScheduled" && Str(cond, {"reason"}) == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }
  if (phase == "Succeeded") {
    conditions = Json::array({{{"type", "Completed"},
                               {"status", "True"},
                               {"reason", "Succeeded"},
                               {"message", "The pod has completed successfully."}}});
  } else if (phase == "Failed") {
    conditions = Json::array({{{"type", "Completed"},
                               {"status", "True"},
                               {"reason", "Failed"},
                               {"message", "The pod failed."}}});
  }
  const Json& init_specs = Arr(pod, {"spec", "initContainers"});
  for (const auto& ic : init_specs) {
    if (Str(ic, {"restartPolicy"}) == "Always") ++total;
  }
  auto finished_at = [](const Json& cs) -> int64_t {
    std::string t = Str(cs, {"lastState", "terminated", "finishedAt"});
    auto v = ParseTime(t);
    return v ? *v : 0;
  };

  bool initializing = false;
  const Json& init_statuses = Arr(status, {"initContainerStatuses"});
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const Json& cs = init_statuses[i];
    int64_t rc = Int(cs, {"restartCount"});
    restarts += rc;
    int64_t fin = finished_at(cs);
    if (fin > last_restart) last_restart = fin;
    bool restartable = IsRestartableInit(pod, Str(cs, {"name"}));
    if (restartable) {
      restartable_init_restarts += rc;
      if (fin > last_restartable_init_restart) last_restartable_init_restart = fin;
    }
    const Json& terminated = At(cs, {"state", "terminated"});
    const Json& waiting = At(cs, {"state", "waiting"});
    if (terminated.is_object() && Int(terminated, {"exitCode"}) == 0) continue;
    if (restartable && Bool(cs, {"started"})) {
      if (Bool(cs, {"ready"})) ++ready;
      continue;
    }
    if (terminated.is_object()) {
      std::string r = Str(terminated, {"reason"});
      if (r.empty()) {
        int64_t sig = Int(terminated, {"signal"});
        reason = sig != 0 ? "Init:Signal:" + std::to_string(sig)
                          : "Init:ExitCode:" + std::to_string(Int(terminated, {"exitCode"}));
      } else {
        reason = "Init:" + r;
      }
    } else if (waiting.is_object() && !Str(waiting, {"reason"}).empty() &&
               Str(waiting, {"reason"}) != "PodInitializing") {
      reason = "Init:" + Str(waiting, {"reason"});
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_specs.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || HasCondition(status.is_object() ? At(status, {"conditions"}) : NullJson(),
                                    "Initialized", "True")) {
    restarts = restartable_init_restarts;
    last_restart = last_restartable_init_restart;
    bool has_running = false;
    const Json& statuses = Arr(status, {"containerStatuses"});
    for (size_t k = statuses.size(); k-- > 0;) {
      const Json& cs = statuses[k];
      restarts += Int(cs, {"restartCount"});
      int64_t fin = finished_at(cs);
      if (fin > last_restart) last_restart = fin;
      const Json& waiting = At(cs, {"state", "waiting"});
      const Json& terminated = At(cs, {"state", "terminated"});
      const Json& running = At(cs, {"state", "running"});
      if (waiting.is_object() && !Str(waiting, {"reason"}).empty()) {
        reason = Str(waiting, {"reason"});
      } else if (terminated.is_object() && !Str(terminated, {"reason"}).empty()) {
        reason = Str(terminated, {"reason"});
      } else if (terminated.is_object()) {
        int64_t sig = Int(terminated, {"signal"});
        reason = sig != 0 ? "Signal:" + std::to_string(sig)
                          : "ExitCode:" + std::to_string(Int(terminated, {"exitCode"}));
      } else if (Bool(cs, {"ready"}) && running.is_object()) {
        has_running = true;
        ++ready;
      }
    }
    if (reason == "Completed" && has_running) {
      reason = HasCondition(At(status, {"conditions"}), "Ready", "True") ? "Running" : "NotReady";
    }
  }

  bool deleting = !Str(pod, {"metadata", "deletionTimestamp"}).empty();
  if (deleting && Str(status, {"reason"}) == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  std::string restarts_str = std::to_string(restarts);
  if (restarts != 0 && last_restart != 0) {
    restarts_str += " (" + HumanDuration(c.now - last_restart) + " ago)";
  }

  std::string pod_ip;
  const Json& ips = Arr(status, {"podIPs"});
  if (!ips.empty()) pod_ip = Str(ips[0], {"ip"});
  if (pod_ip.empty()) pod_ip = Str(status, {"podIP"});
  std::string gates = "<none>";
  const Json& rg = Arr(pod, {"spec", "readinessGates"});
  if (!rg.empty()) {
    int trues = 0;
    for (const auto& g : rg) {
      for (const auto& cond : Arr(status, {"conditions"})) {
        if (Str(cond, {"type"}) == Str(g, {"conditionType"})) {
          if (Str(cond, {"status"}) == "True") ++trues;
          break;
        }
      }
    }
    gates = std::to_string(trues) + "/" + std::to_string(rg.size());
  }
  return {Str(pod, {"metadata", "name"}),
          std::to_string(ready) + "/" + std::to_string(total),
          reason,
          restarts_str,
          Age(pod, c),
          OrNone(pod_ip),
          OrNone(Str(pod, {"spec", "nodeName"})),
          OrNone(Str(status, {"nominatedNodeName"})),
          gates};
}

// ---- workloads ----

Row DeploymentRow(const Json& o, const Ctx& c, Json&) {
  auto [containers, images] = ContainersImages(At(o, {"spec", "template", "spec"}));
  int64_t desired = Int(o, {"spec", "replicas"}, 1);
  return {Str(o, {"metadata", "name"}),
          std::to_string(Int(o, {"status", "readyReplicas"})) + "/" + std::to_string(desired),
          Int(o, {"status", "updatedReplicas"}),
          Int(o, {"status", "availableReplicas"}),
          Age(o, c),
          containers,
          images,
          FormatLabelSelector(At(o, {"spec", "selector"}))};
}

Row ReplicaSetRow(const Json& o, const Ctx& c, Json&) {
  auto [containers, images] = ContainersImages(At(o, {"spec", "template", "spec"}));
  return {Str(o, {"metadata", "name"}),
          Int(o, {"spec", "replicas"}, 1),
          Int(o, {"status", "replicas"}),
          Int(o, {"status", "readyReplicas"}),
          Age(o, c),
          containers,
          images,
          FormatLabelSelector(At(o, {"spec", "selector"}))};
}

Row StatefulSetRow(const Json& o, const Ctx& c, Json&) {
  auto [containers, images] = ContainersImages(At(o, {"spec", "template", "spec"}));
  return {Str(o, {"metadata", "name"}),
          std::to_string(Int(o, {"status", "readyReplicas"})) + "/" +
              std::to_string(Int(o, {"spec", "replicas"}, 1)),
          Age(o, c), containers, images};
}

Row DaemonSetRow(const Json& o, const Ctx& c, Json&) {
  auto [containers, images] = ContainersImages(At(o, {"spec", "template", "spec"}));
  const Json& s = At(o, {"status"});
  return {Str(o, {"metadata", "name"}),
          Int(s, {"desiredNumberScheduled"}),
          Int(s, {"currentNumberScheduled"}),
          Int(s, {"numberReady"}),
          Int(s, {"updatedNumberScheduled"}),
          Int(s, {"numberAvailable"}),
          FormatLabels(At(o, {"spec", "template", "spec", "nodeSelector"})),
          Age(o, c),
          containers,
          images,
          FormatLabelSelector(At(o, {"spec", "selector"}))};
}

Row JobRow(const Json& o, const Ctx& c, Json&) {
  auto [containers, images] = ContainersImages(At(o, {"spec", "template", "spec"}));
  const Json& conds = At(o, {"status", "conditions"});
  std::string status;
  if (HasCondition(conds, "Complete", "True")) {
    status = "Complete";
  } else if (HasCondition(conds, "Failed", "True")) {
    status = "Failed";
  } else if (!Str(o, {"metadata", "deletionTimestamp"}).empty()) {
    status = "Terminating";
  } else if (HasCondition(conds, "Suspended", "True")) {
    status = "Suspended";
  } else if (HasCondition(conds, "FailureTarget", "True")) {
    status = "FailureTarget";
  } else if (HasCondition(conds, "SuccessCriteriaMet", "True")) {
    status = "SuccessCriteriaMet";
  } else {
    status = "Running";
  }
  int64_t succeeded = Int(o, {"status", "succeeded"});
  std::string completions;
  const Json& comp = At(o, {"spec", "completions"});
  if (comp.is_number()) {
    completions = std::to_string(succeeded) + "/" + std::to_string(comp.get<int64_t>());
  } else {
    int64_t parallelism = Int(o, {"spec", "parallelism"});
    completions = parallelism > 1
                      ? std::to_string(succeeded) + "/1 of " + std::to_string(parallelism)
                      : std::to_string(succeeded) + "/1";
  }
  std::string duration;
  auto start = ParseTime(Str(o, {"status", "startTime"}));
  auto end = ParseTime(Str(o, {"status", "completionTime"}));
  if (start) duration = HumanDuration((end ? *end : c.now) - *start);
  return {Str(o, {"metadata", "name"}),
          status,
          completions,
          duration,
          Age(o, c),
          containers,
          images,
          FormatLabelSelector(At(o, {"spec", "selector"}))};
}

Row CronJobRow(const Json& o, const Ctx& c, Json&) {
  const Json& job = At(o, {"spec", "jobTemplate", "spec"});
  auto [containers, images] = ContainersImages(At(job, {"template", "spec"}));
  const Json& suspend = At(o, {"spec", "suspend"});
  std::string last = Str(o, {"status", "lastScheduleTime"});
  const Json& sel = At(job, {"selector"});
  return {Str(o, {"metadata", "name"}),
          Str(o, {"spec", "schedule"}),
          OrNone(Str(o, {"spec", "timeZone"})),
          suspend.is_boolean() ? (suspend.get<bool>() ? "True" : "False") : "<unset>",
          static_cast<int64_t>(Arr(o, {"status", "active"}).size()),
          last.empty() ? std::string("<none>") : TimestampSince(last, c.now),
          Age(o, c),
          containers,
          images,
          sel.is_object() ? FormatLabelSelector(sel) : std::string("<none>")};
}

// ---- services and networking ----

// loadBalancerStatusStringer: ingress IPs or hostnames, comma-joined.
std::string LoadBalancerString(const Json& lb) {
  std::vector<std::string> out;
  for (const auto& ing : Arr(lb, {"ingress"})) {
    if (!Str(ing, {"ip"}).empty()) {
      out.push_back(Str(ing, {"ip"}));
    } else if (!Str(ing, {"hostname"}).empty()) {
      out.push_back(Str(ing, {"hostname"}));
    }
  }
  return Join(out, ",");
}

std::string ServiceExternalIp(const Json& svc, const std::string& type) {
  std::vector<std::string> external;
  for (const auto& ip : Arr(svc, {"spec", "externalIPs"})) {
    if (ip.is_string()) external.push_back(ip.get<std::string>());
  }
  if (type == "ClusterIP" || type == "NodePort") {
    return external.empty() ? "<none>" : Join(external, ",");
  }
  if (type == "LoadBalancer") {
    std::string lb = LoadBalancerString(At(svc, {"status", "loadBalancer"}));
    if (!external.empty()) return lb.empty() ? Join(external, ",") : lb + "," + Join(external, ",");
    return lb.empty() ? "<pending>" : lb;
  }
  if (type == "ExternalName") return Str(svc, {"spec", "externalName"});
  return "<unknown>";
}

Row ServiceRow(const Json& o, const Ctx& c, Json&) {
  std::string type = Str(o, {"spec", "type"});
  if (type.empty()) type = "ClusterIP";  // the API server defaults it
  std::vector<std::string> ports;
  for (const auto& p : Arr(o, {"spec", "ports"})) {
    std::string proto = Str(p, {"protocol"});
    if (proto.empty()) proto = "TCP";
    int64_t node_port = Int(p, {"nodePort"});
    ports.push_back(std::to_string(Int(p, {"port"})) +
                    (node_port > 0 ? ":" + std::to_string(node_port) : "") + "/" + proto);
  }
  return {Str(o, {"metadata", "name"}),
          type,
          OrNone(Str(o, {"spec", "clusterIP"})),
          ServiceExternalIp(o, type),
          OrNone(Join(ports, ",")),
          Age(o, c),
          FormatLabels(At(o, {"spec", "selector"}))};
}

std::string JoinHostPort(const std::string& host, int64_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Row EndpointsRow(const Json& o, const Ctx& c, Json&) {
  const Json& subsets = Arr(o, {"subsets"});
  std::string text;
  if (subsets.empty()) {
    text = "<none>";
  } else {
    std::vector<std::string> list;
    const size_t max = 3;
    bool more = false;
    size_t count = 0;
    for (const auto& ss : subsets) {
      const Json& addrs = Arr(ss, {"addresses"});
      const Json& ports = Arr(ss, {"ports"});
      if (ports.empty()) {
        count += addrs.size();
        for (const auto& a : addrs) {
          if (list.size() == max) {
            more = true;
            break;
          }
          list.push_back(Str(a, {"ip"}));
        }
        continue;
      }
      for (const auto& p : ports) {
        count += addrs.size();
        for (const auto& a : addrs) {
          if (list.size() == max) {
            more = true;
            break;
          }
          list.push_back(JoinHostPort(Str(a, {"ip"}), Int(p, {"port"})));
        }
      }
    }
    text = Join(list, ",");
    if (more) text += " + " + std::to_string(count - max) + " more...";
  }
  return {Str(o, {"metadata", "name"}), text, Age(o, c)};
}

Row EndpointSliceRow(const Json& o, const Ctx& c, Json&) {
  std::vector<std::string> ports;
  for (const auto& p : Arr(o, {"ports"})) ports.push_back(std::to_string(Int(p, {"port"})));
  std::vector<std::string> addrs;
  size_t count = 0;
  for (const auto& e : Arr(o, {"endpoints"})) {
    for (const auto& a : Arr(e, {"addresses"})) {
      ++count;
      if (addrs.size() < 3 && a.is_string()) addrs.push_back(a.get<std::string>());
    }
  }
  std::string eps = addrs.empty() ? "<unset>" : Join(addrs, ",");
  if (count > 3) eps += " + " + std::to_string(count - 3) + " more...";
  return {Str(o, {"metadata", "name"}), Str(o, {"addressType"}),
          ports.empty() ? std::string("<unset>") : Join(ports, ","), eps, Age(o, c)};
}

Row IngressRow(const Json& o, const Ctx& c, Json&) {
  const Json& rules = Arr(o, {"spec", "rules"});
  std::vector<std::string> hosts;
  const size_t max = 3;
  bool more = false;
  for (const auto& r : rules) {
    if (hosts.size() == max) more = true;
    if (!more && !Str(r, {"host"}).empty()) hosts.push_back(Str(r, {"host"}));
  }
  std::string host_text = hosts.empty() ? "*" : Join(hosts, ",");
  if (more) host_text += " + " + std::to_string(rules.size() - max) + " more...";
  std::string cls = Str(o, {"spec", "ingressClassName"});
  return {Str(o, {"metadata", "name"}),
          OrNone(cls),
          host_text,
          LoadBalancerString(At(o, {"status", "loadBalancer"})),
          Arr(o, {"spec", "tls"}).empty() ? "80" : "80, 443",
          Age(o, c)};
}

Row IngressClassRow(const Json& o, const Ctx& c, Json&) {
  std::string params = "<none>";
  const Json& p = At(o, {"spec", "parameters"});
  if (p.is_object()) {
    std::string group = Str(p, {"apiGroup"});
    params = Str(p, {"kind"}) + (group.empty() ? "" : "." + group) + "/" + Str(p, {"name"});
  }
  return {Str(o, {"metadata", "name"}), Str(o, {"spec", "controller"}), params, Age(o, c)};
}

Row NetworkPolicyRow(const Json& o, const Ctx& c, Json&) {
  std::string sel = FormatLabelSelector(At(o, {"spec", "podSelector"}));
  return {Str(o, {"metadata", "name"}), sel.empty() ? "<none>" : sel, Age(o, c)};
}

// ---- cluster objects ----

Row NodeRow(const Json& o, const Ctx& c, Json&) {
  std::vector<std::string> status;
  for (const auto& cond : Arr(o, {"status", "conditions"})) {
    if (Str(cond, {"type"}) == "Ready") {
      status.push_back(Str(cond, {"status"}) == "True" ? "Ready" : "NotReady");
      break;
    }
  }
  if (status.empty()) status.push_back("Unknown");
  if (Bool(o, {"spec", "unschedulable"})) status.push_back("SchedulingDisabled");
  std::set<std::string> roles;
  const Json& labels = At(o, {"metadata", "labels"});
  if (labels.is_object()) {
    for (auto it = labels.begin(); it != labels.end(); ++it) {
      static constexpr std::string_view kPrefix = "node-role.kubernetes.io/";
      if (it.key().starts_with(kPrefix)) {
        std::string role = it.key().substr(kPrefix.size());
        if (!role.empty()) roles.insert(role);
      } else if (it.key() == "kubernetes.io/role" && it->is_string() &&
                 !it->get<std::string>().empty()) {
        roles.insert(it->get<std::string>());
      }
    }
  }
  auto address = [&](std::string_view type) {
    for (const auto& a : Arr(o, {"status", "addresses"})) {
      if (Str(a, {"type"}) == type) return Str(a, {"address"});
    }
    return std::string("<none>");
  };
  auto unknown = [](std::string s) { return s.empty() ? std::string("<unknown>") : s; };
  const Json& info = At(o, {"status", "nodeInfo"});
  return {Str(o, {"metadata", "name"}),
          Join(status, ","),
          OrNone(Join(std::vector<std::string>(roles.begin(), roles.end()), ",")),
          Age(o, c),
          Str(info, {"kubeletVersion"}),
          address("InternalIP"),
          address("ExternalIP"),
          unknown(Str(info, {"osImage"})),
          unknown(Str(info, {"kernelVersion"})),
          unknown(Str(info, {"containerRuntimeVersion"}))};
}

Row NamespaceRow(const Json& o, const Ctx& c, Json&) {
  std::string phase = Str(o, {"status", "phase"});
  if (phase.empty()) phase = "Active";  // the API server defaults it
  return {Str(o, {"metadata", "name"}), phase, Age(o, c)};
}

Row EventRow(const Json& o, const Ctx& c, Json&) {
  std::string first = Str(o, {"firstTimestamp"});
  std::string first_text =
      first.empty() ? TimestampSince(Str(o, {"eventTime"}), c.now) : TimestampSince(first, c.now);
  std::string last = Str(o, {"lastTimestamp"});
  std::string last_text = last.empty() ? first_text : TimestampSince(last, c.now);
  int64_t count = Int(o, {"count"});
  const Json& series = At(o, {"series"});
  if (series.is_object()) {
    last_text = TimestampSince(Str(series, {"lastObservedTime"}), c.now);
    count = Int(series, {"count"});
  } else if (count == 0) {
    count = 1;
  }
  const Json& inv = At(o, {"involvedObject"});
  std::string kind = Str(inv, {"kind"});
  std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
  std::string target = Str(inv, {"name"}).empty() ? kind : kind + "/" + Str(inv, {"name"});
  std::string component = Str(o, {"source", "component"});
  if (component.empty()) component = Str(o, {"reportingComponent"});
  std::string host = Str(o, {"source", "host"});
  if (host.empty()) host = Str(o, {"reportingInstance"});
  std::string source = host.empty() ? component : component + ", " + host;
  std::string message = Str(o, {"message"});
  auto b = message.find_first_not_of(" \t\r\n");
  auto e = message.find_last_not_of(" \t\r\n");
  message = b == std::string::npos ? "" : message.substr(b, e - b + 1);
  return {last_text, Str(o, {"type"}), Str(o, {"reason"}), target, Str(inv, {"fieldPath"}),
          source,    message,          first_text,         count,  Str(o, {"metadata", "name"})};
}

Row ConfigMapRow(const Json& o, const Ctx& c, Json&) {
  int64_t n = 0;
  if (At(o, {"data"}).is_object()) n += static_cast<int64_t>(At(o, {"data"}).size());
  if (At(o, {"binaryData"}).is_object()) n += static_cast<int64_t>(At(o, {"binaryData"}).size());
  return {Str(o, {"metadata", "name"}), n, Age(o, c)};
}

Row SecretRow(const Json& o, const Ctx& c, Json&) {
  std::set<std::string> keys;
  for (const char* field : {"data", "stringData"}) {
    const Json& d = At(o, {field});
    if (!d.is_object()) continue;
    for (auto it = d.begin(); it != d.end(); ++it) keys.insert(it.key());
  }
  std::string type = Str(o, {"type"});
  if (type.empty()) type = "Opaque";
  return {Str(o, {"metadata", "name"}), type, static_cast<int64_t>(keys.size()), Age(o, c)};
}

Row ServiceAccountRow(const Json& o, const Ctx& c, Json&) {
  return {Str(o, {"metadata", "name"}), static_cast<int64_t>(Arr(o, {"secrets"}).size()),
          Age(o, c)};
}

Row CreatedAtRow(const Json& o, const Ctx&, Json&) {
  return {Str(o, {"metadata", "name"}), CreatedAt(o)};
}

Row RoleBindingRow(const Json& o, const Ctx& c, Json&) {
  std::vector<std::string> users, groups, sas;
  for (const auto& s : Arr(o, {"subjects"})) {
    std::string kind = Str(s, {"kind"});
    if (kind == "ServiceAccount") {
      sas.push_back(Str(s, {"namespace"}) + "/" + Str(s, {"name"}));
    } else if (kind == "User") {
      users.push_back(Str(s, {"name"}));
    } else if (kind == "Group") {
      groups.push_back(Str(s, {"name"}));
    }
  }
  return {Str(o, {"metadata", "name"}),
          Str(o, {"roleRef", "kind"}) + "/" + Str(o, {"roleRef", "name"}),
          Age(o, c),
          Join(users, ", "),
          Join(groups, ", "),
          Join(sas, ", ")};
}

Row LeaseRow(const Json& o, const Ctx& c, Json&) {
  return {Str(o, {"metadata", "name"}), Str(o, {"spec", "holderIdentity"}), Age(o, c)};
}

Row ControllerRevisionRow(const Json& o, const Ctx& c, Json&) {
  std::string controller = "<none>";
  for (const auto& ref : Arr(o, {"metadata", "ownerReferences"})) {
    if (Bool(ref, {"controller"})) {
      auto [group, version] = SplitApiVersion(Str(ref, {"apiVersion"}));
      std::string kind = Str(ref, {"kind"});
      std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
      controller = kind + (group.empty() ? "" : "." + group) + "/" + Str(ref, {"name"});
      break;
    }
  }
  return {Str(o, {"metadata", "name"}), controller, Int(o, {"revision"}), Age(o, c)};
}

// ---- quotas, storage, autoscaling, policy ----

Row ResourceQuotaRow(const Json& o, const Ctx& c, Json&) {
  const Json& hard = At(o, {"status", "hard"});
  const Json& used = At(o, {"status", "used"});
  std::vector<std::string> names;
  if (hard.is_object()) {
    for (auto it = hard.begin(); it != hard.end(); ++it) names.push_back(it.key());
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> requests, limits;
  auto quantity = [](const Json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_number()) return j.dump();
    return std::string("0");
  };
  for (const auto& n : names) {
    std::string text = n + ": " + quantity(At(used, {n})) + "/" + quantity(At(hard, {n}));
    (n.starts_with("limits.") ? limits : requests).push_back(text);
  }
  return {Str(o, {"metadata", "name"}), Age(o, c), Join(requests, ", "), Join(limits, ", ")};
}

std::string AccessModes(const Json& modes) {
  std::vector<std::string> out;
  static const std::map<std::string, std::string> kShort = {{"ReadWriteOnce", "RWO"},
                                                            {"ReadOnlyMany", "ROX"},
                                                            {"ReadWriteMany", "RWX"},
                                                            {"ReadWriteOncePod", "RWOP"}};
  for (const auto& m : modes.is_array() ? modes : Json::array()) {
    auto it = kShort.find(m.is_string() ? m.get<std::string>() : "");
    if (it != kShort.end() && std::find(out.begin(), out.end(), it->second) == out.end()) {
      out.push_back(it->second);
    }
  }
  return Join(out, ",");
}

std::string StorageClassOf(const Json& o) {
  std::string ann = Str(o, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
  return ann.empty() ? Str(o, {"spec", "storageClassName"}) : ann;
}

std::string QuantityString(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number()) return j.dump();
  return "";
}

Row PvcRow(const Json& o, const Ctx& c, Json&) {
  std::string phase = Str(o, {"status", "phase"});
  if (!Str(o, {"metadata", "deletionTimestamp"}).empty()) phase = "Terminating";
  std::string volume = Str(o, {"spec", "volumeName"});
  std::string capacity, modes;
  if (!volume.empty()) {
    modes = AccessModes(At(o, {"status", "accessModes"}));
    capacity = QuantityString(At(o, {"status", "capacity", "storage"}));
  }
  std::string vac = Str(o, {"spec", "volumeAttributesClassName"});
  std::string mode = Str(o, {"spec", "volumeMode"});
  return {Str(o, {"metadata", "name"}),
          phase,
          volume,
          capacity,
          modes,
          StorageClassOf(o),
          vac.empty() ? "<unset>" : vac,
          Age(o, c),
          mode.empty() ? "<unset>" : mode};
}

Row PvRow(const Json& o, const Ctx& c, Json&) {
  std::string claim;
  const Json& ref = At(o, {"spec", "claimRef"});
  if (ref.is_object()) claim = Str(ref, {"namespace"}) + "/" + Str(ref, {"name"});
  std::string phase = Str(o, {"status", "phase"});
  if (!Str(o, {"metadata", "deletionTimestamp"}).empty()) phase = "Terminating";
  std::string vac = Str(o, {"spec", "volumeAttributesClassName"});
  std::string mode = Str(o, {"spec", "volumeMode"});
  return {Str(o, {"metadata", "name"}),
          QuantityString(At(o, {"spec", "capacity", "storage"})),
          AccessModes(At(o, {"spec", "accessModes"})),
          Str(o, {"spec", "persistentVolumeReclaimPolicy"}),
          phase,
          claim,
          StorageClassOf(o),
          vac.empty() ? "<unset>" : vac,
          Str(o, {"status", "reason"}),
          Age(o, c),
          mode.empty() ? "<unset>" : mode};
}

Row StorageClassRow(const Json& o, const Ctx& c, Json&) {
  std::string name = Str(o, {"metadata", "name"});
  const Json& ann = At(o, {"metadata", "annotations"});
  if (Str(ann, {"storageclass.kubernetes.io/is-default-class"}) == "true" ||
      Str(ann, {"storageclass.beta.kubernetes.io/is-default-class"}) == "true") {
    name += " (default)";
  }
  std::string reclaim = Str(o, {"reclaimPolicy"});
  std::string binding = Str(o, {"volumeBindingMode"});
  return {name,
          Str(o, {"provisioner"}),
          reclaim.empty() ? "Delete" : reclaim,
          binding.empty() ? "Immediate" : binding,
          Bool(o, {"allowVolumeExpansion"}),
          Age(o, c)};
}

std::string HpaMetrics(const Json& o) {
  const Json& specs = Arr(o, {"spec", "metrics"});
  if (specs.empty()) return "<none>";
  const Json& statuses = Arr(o, {"status", "currentMetrics"});
  std::vector<std::string> list;
  for (size_t i = 0; i < specs.size(); ++i) {
    const Json& m = specs[i];
    const Json* cur = i < statuses.size() ? &statuses[i] : nullptr;
    std::string type = Str(m, {"type"});
    std::string current = "<unknown>";
    if (type == "Resource" || type == "ContainerResource") {
      std::string key = type == "Resource" ? "resource" : "containerResource";
      const Json& target = At(m, {key, "target"});
      std::string res_name = Str(m, {key, "name"});
      std::string target_text;
      if (Str(target, {"type"}) == "Utilization") {
        if (cur) {
          const Json& cv = At(*cur, {key, "current", "averageUtilization"});
          if (cv.is_number()) current = std::to_string(cv.get<int64_t>()) + "%";
        }
        target_text = std::to_string(Int(target, {"averageUtilization"})) + "%";
      } else {
        if (cur) {
          std::string cv = QuantityString(At(*cur, {key, "current", "averageValue"}));
          if (!cv.empty()) current = cv;
        }
        target_text = QuantityString(At(target, {"averageValue"}));
      }
      list.push_back(res_name + ": " + current + "/" + target_text);
    } else {
      const Json& target = At(m, {type == "Pods"     ? "pods"
                                  : type == "Object" ? "object"
                                                     : "external",
                                  "target"});
      std::string target_text = QuantityString(At(target, {"averageValue"}));
      if (target_text.empty()) target_text = QuantityString(At(target, {"value"}));
      std::string ckey = type == "Pods" ? "pods" : type == "Object" ? "object" : "external";
      if (cur) {
        std::string cv = QuantityString(At(*cur, {ckey, "current", "averageValue"}));
        if (cv.empty()) cv = QuantityString(At(*cur, {ckey, "current", "value"}));
        if (!cv.empty()) current = cv;
      }
      if (Str(target, {"type"}) == "AverageValue" && type != "Pods") target_text += " (avg)";
      list.push_back(current + "/" + target_text);
    }
  }
  const size_t max = 2;
  if (list.size() > max) {
    std::vector<std::string> head(list.begin(), list.begin() + max);
    return Join(head, ", ") + " + " + std::to_string(list.size() - max) + " more...";
  }
  return Join(list, ", ");
}

Row HpaRow(const Json& o, const Ctx& c, Json&) {
  const Json& min = At(o, {"spec", "minReplicas"});
  return {
      Str(o, {"metadata", "name"}),
      Str(o, {"spec", "scaleTargetRef", "kind"}) + "/" + Str(o, {"spec", "scaleTargetRef", "name"}),
      HpaMetrics(o),
      min.is_number() ? Json(min.get<int64_t>()) : Json("<unset>"),
      Int(o, {"spec", "maxReplicas"}),
      Int(o, {"status", "currentReplicas"}),
      Age(o, c)};
}

Row PdbRow(const Json& o, const Ctx& c, Json&) {
  auto int_or_string = [](const Json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_number()) return std::to_string(j.get<int64_t>());
    return std::string("N/A");
  };
  return {Str(o, {"metadata", "name"}), int_or_string(At(o, {"spec", "minAvailable"})),
          int_or_string(At(o, {"spec", "maxUnavailable"})),
          Int(o, {"status", "disruptionsAllowed"}), Age(o, c)};
}

Row PriorityClassRow(const Json& o, const Ctx& c, Json&) {
  return {
      Str(o, {"metadata", "name"}), Int(o, {"value"}), Bool(o, {"globalDefault"}), Age(o, c),
      Str(o, {"preemptionPolicy"}).empty() ? "PreemptLowerPriority" : Str(o, {"preemptionPolicy"})};
}

// ---- keelson.dev ----

Row ApplicationRow(const Json& o, const Ctx& c, Json&) {
  auto or_unknown = [](std::string s) { return s.empty() ? std::string("Unknown") : s; };
  return {Str(o, {"metadata", "name"}), or_unknown(Str(o, {"status", "sync", "status"})),
          or_unknown(Str(o, {"status", "health", "status"})),
          Str(o, {"status", "sync", "revision"}), Age(o, c)};
}

Row RepositoryRow(const Json& o, const Ctx& c, Json&) {
  return {Str(o, {"metadata", "name"}), Str(o, {"spec", "url"}), Age(o, c)};
}

Row DefaultRow(const Json& o, const Ctx& c, Json&) {
  return {Str(o, {"metadata", "name"}), Age(o, c)};
}

const std::unordered_map<std::string, Printer>& Printers() {
  static const auto* printers = [] {
    auto* m = new std::unordered_map<std::string, Printer>();
    auto add = [&](std::vector<std::string> keys, std::vector<TableColumn> cols, RowFn fn) {
      for (const auto& k : keys) (*m)[k] = Printer{cols, fn};
    };
    add({"/Pod"},
        {NameCol(),
         Col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
         Col("Status", "string", "The aggregate status of the containers in this pod."),
         Col("Restarts", "string",
             "The number of times the containers in this pod have been restarted and when the "
             "last container in this pod has restarted."),
         AgeCol(), Col("IP", "string", "podIP address allocated to the pod.", 1),
         Col("Node", "string", "NodeName indicates in which node this pod is scheduled.", 1),
         Col("Nominated Node", "string",
             "nominatedNodeName is set only when this pod preempts other pods on the node.", 1),
         Col("Readiness Gates", "string",
             "If specified, all readiness gates will be evaluated for pod readiness.", 1)},
        PodRow);
    add({"apps/Deployment"},
        {NameCol(), Col("Ready", "string", "Number of the pod with ready state"),
         Col("Up-to-date", "string",
             "Total number of non-terminating pods targeted by this deployment that have the "
             "desired template spec."),
         Col("Available", "string",
             "Total number of available pods (ready for at least minReadySeconds) targeted by this "
             "deployment."),
         AgeCol(), Col("Containers", "string", kContainersDoc, 1),
         Col("Images", "string", kImagesDoc, 1),
         Col("Selector", "string", "Label selector for pods.", 1)},
        DeploymentRow);
    add({"apps/ReplicaSet"},
        {NameCol(), Col("Desired", "integer", "Replicas is the number of desired pods."),
         Col("Current", "integer", "Replicas is the most recently observed number of replicas."),
         Col("Ready", "integer", "The number of ready replicas for this replica set."), AgeCol(),
         Col("Containers", "string", kContainersDoc, 1), Col("Images", "string", kImagesDoc, 1),
         Col("Selector", "string", "Selector is a label query over pods.", 1)},
        ReplicaSetRow);
    add({"apps/StatefulSet"},
        {NameCol(), Col("Ready", "string", "Number of the pod with ready state"), AgeCol(),
         Col("Containers", "string", kContainersDoc, 1), Col("Images", "string", kImagesDoc, 1)},
        StatefulSetRow);
    add({"apps/DaemonSet"},
        {NameCol(),
         Col("Desired", "integer",
             "The total number of nodes that should be running the daemon pod."),
         Col("Current", "integer",
             "The number of nodes that are running at least 1 daemon pod and are supposed to run "
             "the daemon pod."),
         Col("Ready", "integer",
             "numberReady is the number of nodes that should be running the daemon pod and have "
             "one or more of the daemon pod running with a Ready Condition."),
         Col("Up-to-date", "integer",
             "The total number of nodes that are running updated daemon pod"),
         Col("Available", "integer",
             "The number of nodes that should be running the daemon pod and have one or more of "
             "the daemon pod running and available (ready for at least spec.minReadySeconds)"),
         Col("Node Selector", "string",
             "NodeSelector is a selector which must be true for the pod to fit on a node."),
         AgeCol(), Col("Containers", "string", kContainersDoc, 1),
         Col("Images", "string", kImagesDoc, 1),
         Col("Selector", "string", "A label query over pods that are managed by the daemon set.",
             1)},
        DaemonSetRow);
    add({"batch/Job"},
        {NameCol(), Col("Status", "string", "Status of the job."),
         Col("Completions", "string", "The completion status of the job."),
         Col("Duration", "string", "Time required to complete the job."), AgeCol(),
         Col("Containers", "string", kContainersDoc, 1), Col("Images", "string", kImagesDoc, 1),
         Col("Selector", "string", "A label query over pods that should match the pod count.", 1)},
        JobRow);
    add({"batch/CronJob"},
        {NameCol(),
         Col("Schedule", "string",
             "The schedule in Cron format, see "
             "https://en.wikipedia.org/wiki/Cron."),
         Col("Timezone", "string", "The time zone name for the given schedule."),
         Col("Suspend", "boolean",
             "This flag tells the controller to suspend subsequent executions, it does not apply "
             "to already started executions.  Defaults to false."),
         Col("Active", "integer", "A list of pointers to currently running jobs."),
         Col("Last Schedule", "string",
             "Information when was the last time the job was successfully scheduled."),
         AgeCol(), Col("Containers", "string", kContainersDoc, 1),
         Col("Images", "string", kImagesDoc, 1),
         Col("Selector", "string", "A label query over pods that should match the pod count.", 1)},
        CronJobRow);
    add({"/Service"},
        {NameCol(), Col("Type", "string", "type determines how the Service is exposed."),
         Col("Cluster-IP", "string",
             "clusterIP is the IP address of the service and is usually assigned randomly."),
         Col("External-IP", "string",
             "externalIPs is a list of IP addresses for which nodes in the cluster will also "
             "accept traffic for this service."),
         Col("Port(s)", "string", "The list of ports that are exposed by this service."), AgeCol(),
         Col("Selector", "string",
             "Route service traffic to pods with label keys and values matching this selector.",
             1)},
        ServiceRow);
    add({"/Endpoints"},
        {NameCol(),
         Col("Endpoints", "string",
             "The set of all endpoints is the union of all "
             "subsets."),
         AgeCol()},
        EndpointsRow);
    add({"discovery.k8s.io/EndpointSlice"},
        {NameCol(),
         Col("AddressType", "string",
             "addressType specifies the type of address carried by this EndpointSlice."),
         Col("Ports", "string",
             "ports specifies the list of network ports exposed by each "
             "endpoint in this slice."),
         Col("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
         AgeCol()},
        EndpointSliceRow);
    add({"networking.k8s.io/Ingress", "extensions/Ingress"},
        {NameCol(), Col("Class", "string", "The name of the IngressClass resource."),
         Col("Hosts", "string",
             "Hosts that incoming requests are matched against before the ingress rule"),
         Col("Address", "string",
             "Address is a list containing ingress points for the load-balancer"),
         Col("Ports", "string", "Ports of TLS configurations that open"), AgeCol()},
        IngressRow);
    add({"networking.k8s.io/IngressClass"},
        {NameCol(),
         Col("Controller", "string",
             "Controller that is responsible for handling "
             "this class"),
         Col("Parameters", "string", "A reference to a resource with additional parameters"),
         AgeCol()},
        IngressClassRow);
    add({"networking.k8s.io/NetworkPolicy"},
        {NameCol(),
         Col("Pod-Selector", "string",
             "podSelector selects the pods to which this NetworkPolicy object applies."),
         AgeCol()},
        NetworkPolicyRow);
    add({"/Node"},
        {NameCol(), Col("Status", "string", "The status of the node"),
         Col("Roles", "string", "The roles of the node"), AgeCol(),
         Col("Version", "string", "Kubelet Version reported by the node."),
         Col("Internal-IP", "string", "List of addresses reachable to the node.", 1),
         Col("External-IP", "string", "List of addresses reachable to the node.", 1),
         Col("OS-Image", "string", "OS Image reported by the node from /etc/os-release.", 1),
         Col("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r'.", 1),
         Col("Container-Runtime", "string",
             "ContainerRuntime Version reported by the node through runtime remote API.", 1)},
        NodeRow);
    add({"/Event"},
        {Col("Last Seen", "string",
             "The time at which the most recent occurrence of this event was recorded."),
         Col("Type", "string",
             "Type of this event (Normal, Warning), new types could be added "
             "in the future"),
         Col("Reason", "string",
             "This should be a short, machine understandable string that gives the reason for "
             "the transition into the object's current status."),
         Col("Object", "string", "The object that this event is about."),
         Col("Subobject", "string",
             "If referring to a piece of an object instead of an entire object, this string "
             "should contain a valid JSON/Go field access statement.",
             1),
         Col("Source", "string", "The component reporting this event.", 1),
         Col("Message", "string", "A human-readable description of the status of this operation."),
         Col("First Seen", "string",
             "The time at which the event was first recorded. (Time of server receipt is in "
             "TypeMeta.)",
             1),
         Col("Count", "string", "The number of times this event has occurred.", 1),
         TableColumn{"Name", "string", "name", kNameDoc, 1}},
        EventRow);
    add({"/Namespace"},
        {NameCol(), Col("Status", "string", "The status of the namespace"), AgeCol()},
        NamespaceRow);
    add({"/ConfigMap"},
        {NameCol(), Col("Data", "string", "Data contains the configuration data."), AgeCol()},
        ConfigMapRow);
    add({"/Secret"},
        {NameCol(),
         Col("Type", "string",
             "Used to facilitate programmatic handling of secret "
             "data."),
         Col("Data", "string", "Data contains the secret data."), AgeCol()},
        SecretRow);
    add({"/ServiceAccount"},
        {NameCol(),
         Col("Secrets", "string",
             "Secrets is a list of the secrets in the same namespace that pods running using "
             "this ServiceAccount are allowed to use."),
         AgeCol()},
        ServiceAccountRow);
    std::vector<TableColumn> created_at = {NameCol(),
                                           Col("Created At", "date",
                                               "CreationTimestamp is a timestamp representing the "
                                               "server time when this object was created.")};
    add({"rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/ClusterRole", "/LimitRange"},
        created_at, CreatedAtRow);
    add({"rbac.authorization.k8s.io/RoleBinding", "rbac.authorization.k8s.io/ClusterRoleBinding"},
        {NameCol(), Col("Role", "string", "RoleRef references a role."), AgeCol(),
         Col("Users", "string", "Users in the roleBinding", 1),
         Col("Groups", "string", "Groups in the roleBinding", 1),
         Col("ServiceAccounts", "string", "ServiceAccounts in the roleBinding", 1)},
        RoleBindingRow);
    add({"coordination.k8s.io/Lease"},
        {NameCol(),
         Col("Holder", "string",
             "holderIdentity contains the identity of the holder of a current lease."),
         AgeCol()},
        LeaseRow);
    add({"apps/ControllerRevision"},
        {NameCol(), Col("Controller", "string", "Controller of the object"),
         Col("Revision", "string",
             "Revision indicates the revision of the state represented by "
             "Data."),
         AgeCol()},
        ControllerRevisionRow);
    add({"/ResourceQuota"},
        {NameCol(), AgeCol(),
         Col("Request", "string",
             "Request represents a minimum amount of "
             "cpu/memory that a container may consume."),
         Col("Limit", "string",
             "Limits control the maximum amount of cpu/memory that a container may use "
             "independent of contention on the node.")},
        ResourceQuotaRow);
    add({"/PersistentVolumeClaim"},
        {NameCol(),
         Col("Status", "string",
             "Phase represents the current phase of "
             "PersistentVolumeClaim."),
         Col("Volume", "string",
             "VolumeName is the binding reference to the PersistentVolume "
             "backing this claim."),
         Col("Capacity", "string",
             "Capacity represents the actual resources of the underlying "
             "volume."),
         Col("Access Modes", "string",
             "AccessModes contains the desired access modes the volume "
             "should have."),
         Col("StorageClass", "string",
             "StorageClassName is the name of the StorageClass "
             "required by the claim."),
         Col("VolumeAttributesClass", "string",
             "VolumeAttributesClassName may be used to set the VolumeAttributesClass used by "
             "this claim."),
         AgeCol(),
         Col("VolumeMode", "string",
             "volumeMode defines what type of volume is required by the "
             "claim.",
             1)},
        PvcRow);
    add({"/PersistentVolume"},
        {NameCol(),
         Col("Capacity", "string",
             "capacity is the description of the persistent "
             "volume's resources and capacity."),
         Col("Access Modes", "string",
             "accessModes contains all ways the volume can be "
             "mounted."),
         Col("Reclaim Policy", "string",
             "persistentVolumeReclaimPolicy defines what happens to a "
             "persistent volume when released from its claim."),
         Col("Status", "string",
             "phase indicates if a volume is available, bound to a claim, or "
             "released by a claim."),
         Col("Claim", "string",
             "claimRef is part of a bi-directional binding between "
             "PersistentVolume and PersistentVolumeClaim."),
         Col("StorageClass", "string",
             "storageClassName is the name of StorageClass to which "
             "this persistent volume belongs."),
         Col("VolumeAttributesClass", "string",
             "Name of VolumeAttributesClass to which this persistent volume belongs."),
         Col("Reason", "string",
             "reason is a brief CamelCase string that describes any failure "
             "and is meant for machine parsing and tidy display in the CLI."),
         AgeCol(),
         Col("VolumeMode", "string",
             "volumeMode defines if a volume is intended to be used with "
             "a formatted filesystem or to remain in raw block state.",
             1)},
        PvRow);
    add({"storage.k8s.io/StorageClass"},
        {NameCol(), Col("Provisioner", "string", "Indicates the type of the provisioner."),
         Col("ReclaimPolicy", "string", "Indicates the type of the reclaim policy."),
         Col("VolumeBindingMode", "string",
             "Indicates how PersistentVolumeClaims should be "
             "provisioned and bound."),
         Col("AllowVolumeExpansion", "string",
             "Indicates whether the storage class allow volume "
             "expand."),
         AgeCol()},
        StorageClassRow);
    add({"autoscaling/HorizontalPodAutoscaler"},
        {NameCol(), Col("Reference", "string", "reference to the target of the autoscaler."),
         Col("Targets", "string", "the metrics the autoscaler scales on."),
         Col("MinPods", "string", "minReplicas is the lower limit for the number of replicas."),
         Col("MaxPods", "string", "maxReplicas is the upper limit for the number of replicas."),
         Col("Replicas", "string",
             "current number of replicas of pods managed by this "
             "autoscaler."),
         AgeCol()},
        HpaRow);
    add({"policy/PodDisruptionBudget"},
        {NameCol(),
         Col("Min Available", "string",
             "The minimum number of pods that must be "
             "available."),
         Col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
         Col("Allowed Disruptions", "integer",
             "Calculated number of pods that may be disrupted "
             "at this time."),
         AgeCol()},
        PdbRow);
    add({"scheduling.k8s.io/PriorityClass"},
        {NameCol(), Col("Value", "integer", "The integer value of this priority class."),
         Col("Global-Default", "boolean",
             "globalDefault specifies whether this PriorityClass "
             "should be considered as the default priority."),
         AgeCol(),
         Col("PreemptionPolicy", "string",
             "PreemptionPolicy is the Policy for preempting pods "
             "with lower priority.")},
        PriorityClassRow);
    add({"keelson.dev/Application"},
        {NameCol(), Col("Sync Status", "string", "Whether the live state matches git."),
         Col("Health Status", "string", "The aggregate health of the managed resources."),
         Col("Revision", "string", "The git revision the application last synced to."), AgeCol()},
        ApplicationRow);
    add({"keelson.dev/Repository"},
        {NameCol(), Col("URL", "string", "The repository's URL."), AgeCol()}, RepositoryRow);
    return m;
  }();
  return *printers;
}

const Printer& DefaultPrinter() {
  static const Printer p{{NameCol(), AgeCol()}, DefaultRow};
  return p;
}

const Printer& PrinterFor(const GroupVersionKind& gvk) {
  auto it = Printers().find(gvk.group + "/" + gvk.kind);
  return it == Printers().end() ? DefaultPrinter() : it->second;
}

Json PartialMetadata(const Json& obj) {
  return Json{{"kind", "PartialObjectMetadata"},
              {"apiVersion", "meta.k8s.io/v1"},
              {"metadata", obj.contains("metadata") ? obj["metadata"] : Json::object()}};
}

// One selector requirement as labels.Requirement.String prints it.
std::string RequirementString(const std::string& key, const std::string& op,
                              std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  if (op == "In") return key + " in (" + Join(values, ",") + ")";
  if (op == "NotIn") return key + " notin (" + Join(values, ",") + ")";
  if (op == "Exists") return key;
  if (op == "DoesNotExist") return "!" + key;
  return "";
}

}  // namespace

Json TableColumn::ToJson() const {
  return Json{{"name", name},
              {"type", type},
              {"format", format},
              {"description", description},
              {"priority", priority}};
}

Result<IncludeObject> ParseIncludeObject(std::string_view value) {
  if (value.empty() || value == "Metadata") return IncludeObject::kMetadata;
  if (value == "None") return IncludeObject::kNone;
  if (value == "Object") return IncludeObject::kObject;
  return std::unexpected(BadRequest("includeObject: unsupported value \"" + std::string(value) +
                                    "\" (supported: None, Metadata, Object)"));
}

std::vector<TableColumn> TableColumns(const GroupVersionKind& gvk) {
  return PrinterFor(gvk).columns;
}

Result<Json> BuildTable(const GroupVersionKind& gvk, const std::vector<Object>& objects,
                        const TableOptions& opts) {
  const Printer& p = PrinterFor(gvk);
  Ctx ctx{opts.now ? *opts.now
                   : std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count()};
  Json columns = Json::array();
  std::vector<bool> keep;
  for (const auto& col : p.columns) {
    keep.push_back(opts.wide || col.priority == 0);
    if (keep.back()) columns.push_back(col.ToJson());
  }
  Json rows = Json::array();
  for (size_t i = 0; i < objects.size(); ++i) {
    const Json& obj = objects[i].json();
    if (!obj.is_object()) {
      return std::unexpected(
          BadRequest("table row " + std::to_string(i) + ": object is not a JSON object"));
    }
    Json conditions;
    Row cells = p.row(obj, ctx, conditions);
    Json row = Json::object();
    Json out_cells = Json::array();
    for (size_t k = 0; k < cells.size() && k < keep.size(); ++k) {
      if (keep[k]) out_cells.push_back(std::move(cells[k]));
    }
    row["cells"] = std::move(out_cells);
    if (!conditions.is_null()) row["conditions"] = std::move(conditions);
    switch (opts.include_object) {
      case IncludeObject::kNone:
        break;
      case IncludeObject::kMetadata:
        row["object"] = PartialMetadata(obj);
        break;
      case IncludeObject::kObject:
        row["object"] = obj;
        break;
    }
    rows.push_back(std::move(row));
  }
  Json meta = Json::object();
  if (!opts.resource_version.empty()) meta["resourceVersion"] = opts.resource_version;
  if (!opts.continue_token.empty()) meta["continue"] = opts.continue_token;
  return Json{{"kind", "Table"},
              {"apiVersion", "meta.k8s.io/v1"},
              {"metadata", std::move(meta)},
              {"columnDefinitions", std::move(columns)},
              {"rows", std::move(rows)}};
}

std::string HumanDuration(int64_t seconds) {
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  int64_t minutes = seconds / 60;
  if (minutes < 10) {
    int64_t s = seconds % 60;
    return s == 0 ? std::to_string(minutes) + "m"
                  : std::to_string(minutes) + "m" + std::to_string(s) + "s";
  }
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  int64_t hours = seconds / 3600;
  if (hours < 8) {
    int64_t m = minutes % 60;
    return m == 0 ? std::to_string(hours) + "h"
                  : std::to_string(hours) + "h" + std::to_string(m) + "m";
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    return h == 0 ? std::to_string(hours / 24) + "d"
                  : std::to_string(hours / 24) + "d" + std::to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    return dy == 0 ? std::to_string(hours / 24 / 365) + "y"
                   : std::to_string(hours / 24 / 365) + "y" + std::to_string(dy) + "d";
  }
  return std::to_string(hours / 24 / 365) + "y";
}

std::string TimestampSince(std::string_view rfc3339, int64_t now) {
  if (rfc3339.empty()) return "<unknown>";
  auto t = ParseTime(rfc3339);
  if (!t) return "<unknown>";
  return HumanDuration(now - *t);
}

std::string FormatLabels(const Json& labels) {
  if (!labels.is_object() || labels.empty()) return "<none>";
  std::map<std::string, std::string> sorted;
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    sorted[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
  }
  std::vector<std::string> parts;
  for (const auto& [k, v] : sorted) parts.push_back(k + "=" + v);
  return Join(parts, ",");
}

std::string FormatLabelSelector(const Json& selector) {
  if (!selector.is_object()) return "";
  std::vector<std::pair<std::string, std::string>> reqs;  // key, text
  const Json& ml = At(selector, {"matchLabels"});
  if (ml.is_object()) {
    for (auto it = ml.begin(); it != ml.end(); ++it) {
      if (!it->is_string()) return "<error>";
      reqs.push_back({it.key(), it.key() + "=" + it->get<std::string>()});
    }
  }
  for (const auto& e : Arr(selector, {"matchExpressions"})) {
    std::vector<std::string> values;
    for (const auto& v : Arr(e, {"values"})) {
      if (v.is_string()) values.push_back(v.get<std::string>());
    }
    std::string text = RequirementString(Str(e, {"key"}), Str(e, {"operator"}), values);
    if (text.empty()) return "<error>";
    reqs.push_back({Str(e, {"key"}), text});
  }
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (auto& r : reqs) parts.push_back(std::move(r.second));
  return Join(parts, ",");
}

}  // namespace keelson::api
