// Scheduler: filters, scores, binding and the Unschedulable condition.
#include "controllers/scheduler.h"

#include <algorithm>
#include <set>

#include "api/quantity.h"

namespace keelson::controllers {

using api::Json;

namespace {

const api::GroupVersionKind kPod{"", "v1", "Pod"};
const api::GroupVersionKind kNode{"", "v1", "Node"};

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
const Json& Arr(const Json& j, const char* key) {
  static const Json empty = Json::array();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}
const Json& Obj(const Json& j, const char* key) {
  static const Json empty = Json::object();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}
int64_t Milli(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  auto q = api::Quantity::FromJson(*it);
  return q ? q->MilliValue() : 0;
}
int64_t Units(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  auto q = api::Quantity::FromJson(*it);
  return q ? q->Value() : 0;
}

// One nodeSelectorRequirement against a label map (or the node name for matchFields).
bool MatchRequirement(const Json& req, const std::map<std::string, std::string>& labels) {
  std::string key = Str(req, "key"), op = Str(req, "operator");
  auto it = labels.find(key);
  std::vector<std::string> values;
  for (auto& v : Arr(req, "values"))
    if (v.is_string()) values.push_back(v.get<std::string>());
  if (op == "In")
    return it != labels.end() &&
           std::find(values.begin(), values.end(), it->second) != values.end();
  if (op == "NotIn")
    return it == labels.end() ||
           std::find(values.begin(), values.end(), it->second) == values.end();
  if (op == "Exists") return it != labels.end();
  if (op == "DoesNotExist") return it == labels.end();
  if (op == "Gt" || op == "Lt") {
    if (it == labels.end() || values.size() != 1) return false;
    try {
      int64_t have = std::stoll(it->second), want = std::stoll(values[0]);
      return op == "Gt" ? have > want : have < want;
    } catch (...) {
      return false;
    }
  }
  return false;
}

bool MatchTerm(const Json& term, const api::Object& node) {
  auto labels = node.labels();
  std::map<std::string, std::string> fields = {{"metadata.name", node.name()}};
  const Json& exprs = Arr(term, "matchExpressions");
  const Json& field_exprs = Arr(term, "matchFields");
  if (exprs.empty() && field_exprs.empty()) return false;  // an empty term matches nothing
  for (auto& r : exprs)
    if (!MatchRequirement(r, labels)) return false;
  for (auto& r : field_exprs)
    if (!MatchRequirement(r, fields)) return false;
  return true;
}

bool Tolerates(const Json& tolerations, const Json& taint) {
  for (auto& t : tolerations) {
    std::string effect = Str(t, "effect");
    if (!effect.empty() && effect != Str(taint, "effect")) continue;
    std::string op = Str(t, "operator");
    if (op.empty()) op = "Equal";
    std::string key = Str(t, "key");
    if (key.empty()) {
      if (op == "Exists") return true;
      continue;
    }
    if (key != Str(taint, "key")) continue;
    if (op == "Exists") return true;
    if (Str(t, "value") == Str(taint, "value")) return true;
  }
  return false;
}

std::vector<std::string> HostPorts(const Json& spec) {
  std::vector<std::string> out;
  for (auto& c : Arr(spec, "containers")) {
    for (auto& p : Arr(c, "ports")) {
      auto hp = p.find("hostPort");
      if (hp == p.end() || !hp->is_number_integer() || hp->get<int>() <= 0) continue;
      std::string proto = Str(p, "protocol");
      std::string ip = Str(p, "hostIP");
      out.push_back((proto.empty() ? "TCP" : proto) + "/" + (ip.empty() ? "0.0.0.0" : ip) + "/" +
                    std::to_string(hp->get<int>()));
    }
  }
  return out;
}

bool PortsConflict(const std::string& a, const std::string& b) {
  // "PROTO/IP/PORT": same protocol and port, and either IP is the wildcard or they are equal.
  auto pa = a.find('/'), pb = b.find('/');
  auto la = a.rfind('/'), lb = b.rfind('/');
  if (a.substr(0, pa) != b.substr(0, pb) || a.substr(la) != b.substr(lb)) return false;
  std::string ia = a.substr(pa + 1, la - pa - 1), ib = b.substr(pb + 1, lb - pb - 1);
  return ia == ib || ia == "0.0.0.0" || ib == "0.0.0.0";
}

std::string ControllerOwner(const api::Object& pod) {
  for (auto& o : pod.owner_references())
    if (o.controller) return o.uid;
  return "";
}

bool Terminal(const api::Object& pod) {
  const Json* phase = pod.Find("status.phase");
  return phase && phase->is_string() && (*phase == "Succeeded" || *phase == "Failed");
}

}  // namespace

NodeState NodeStateFromNode(const api::Object& node) {
  NodeState s;
  s.node = node;
  const Json& status = node.status();
  Json alloc = Obj(status, "allocatable");
  if (alloc.empty()) alloc = Obj(status, "capacity");
  s.alloc_cpu_milli = Milli(alloc, "cpu");
  s.alloc_memory = Units(alloc, "memory");
  s.alloc_ephemeral = Units(alloc, "ephemeral-storage");
  if (alloc.contains("pods")) s.alloc_pods = Units(alloc, "pods");
  return s;
}

PodRequests RequestsOf(const Json& spec) {
  PodRequests sum;
  for (auto& c : Arr(spec, "containers")) {
    const Json& req = Obj(Obj(c, "resources"), "requests");
    const Json& lim = Obj(Obj(c, "resources"), "limits");
    // Requests default to limits.
    sum.cpu_milli += req.contains("cpu") ? Milli(req, "cpu") : Milli(lim, "cpu");
    sum.memory += req.contains("memory") ? Units(req, "memory") : Units(lim, "memory");
    sum.ephemeral += req.contains("ephemeral-storage") ? Units(req, "ephemeral-storage")
                                                       : Units(lim, "ephemeral-storage");
  }
  for (auto& c : Arr(spec, "initContainers")) {
    const Json& req = Obj(Obj(c, "resources"), "requests");
    sum.cpu_milli = std::max(sum.cpu_milli, Milli(req, "cpu"));
    sum.memory = std::max(sum.memory, Units(req, "memory"));
    sum.ephemeral = std::max(sum.ephemeral, Units(req, "ephemeral-storage"));
  }
  return sum;
}

void AddPod(NodeState& s, const api::Object& pod) {
  auto r = RequestsOf(pod.spec());
  s.req_cpu_milli += r.cpu_milli;
  s.req_memory += r.memory;
  s.req_ephemeral += r.ephemeral;
  s.pods += 1;
  std::string owner = ControllerOwner(pod);
  if (!owner.empty()) s.owner_pods[owner] += 1;
  for (auto& p : HostPorts(pod.spec())) s.host_ports.push_back(p);
}

bool MatchesNodeSelectorAndAffinity(const Json& spec, const api::Object& node) {
  auto labels = node.labels();
  for (auto& [k, v] : Obj(spec, "nodeSelector").items()) {
    auto it = labels.find(k);
    if (it == labels.end() || !v.is_string() || it->second != v.get<std::string>()) return false;
  }
  const Json& required = Obj(Obj(Obj(spec, "affinity"), "nodeAffinity"),
                             "requiredDuringSchedulingIgnoredDuringExecution");
  const Json& terms = Arr(required, "nodeSelectorTerms");
  if (!required.empty()) {
    bool any = false;
    for (auto& t : terms) any = any || MatchTerm(t, node);
    if (!any) return false;
  }
  return true;
}

api::Result<std::string> SchedulePod(const api::Object& pod, const std::vector<NodeState>& nodes) {
  const Json& spec = pod.spec();
  PodRequests req = RequestsOf(spec);
  std::vector<std::string> ports = HostPorts(spec);
  std::map<std::string, int> reasons;
  std::vector<const NodeState*> feasible;
  const Json& tolerations = Arr(spec, "tolerations");
  for (const auto& n : nodes) {
    std::vector<std::string> why;
    const Json& nspec = n.node.spec();
    if (nspec.is_object() && nspec.value("unschedulable", false)) {
      // Unless tolerated, as the NodeUnschedulable plugin allows.
      Json taint = {{"key", "node.kubernetes.io/unschedulable"}, {"effect", "NoSchedule"}};
      if (!Tolerates(tolerations, taint)) why.push_back("node(s) were unschedulable");
    }
    if (why.empty()) {
      for (auto& taint : Arr(nspec, "taints")) {
        std::string effect = Str(taint, "effect");
        if (effect != "NoSchedule" && effect != "NoExecute") continue;
        if (!Tolerates(tolerations, taint)) {
          std::string v = Str(taint, "value");
          why.push_back("node(s) had untolerated taint {" + Str(taint, "key") + ": " + v + "}");
          break;
        }
      }
    }
    if (why.empty() && !MatchesNodeSelectorAndAffinity(spec, n.node)) {
      why.push_back("node(s) didn't match Pod's node affinity/selector");
    }
    if (why.empty()) {
      // NodeResourcesFit reports every insufficient resource.
      if (n.pods + 1 > n.alloc_pods) why.push_back("Too many pods");
      if (req.cpu_milli > 0 && n.req_cpu_milli + req.cpu_milli > n.alloc_cpu_milli)
        why.push_back("Insufficient cpu");
      if (req.memory > 0 && n.req_memory + req.memory > n.alloc_memory)
        why.push_back("Insufficient memory");
      if (req.ephemeral > 0 && n.req_ephemeral + req.ephemeral > n.alloc_ephemeral) {
        why.push_back("Insufficient ephemeral-storage");
      }
    }
    if (why.empty()) {
      for (auto& want : ports) {
        for (auto& have : n.host_ports) {
          if (PortsConflict(want, have)) {
            why.push_back("node(s) didn't have free ports for the requested pod ports");
            break;
          }
        }
        if (!why.empty()) break;
      }
    }
    if (why.empty()) {
      feasible.push_back(&n);
    } else {
      for (auto& w : why) reasons[w] += 1;
    }
  }
  if (feasible.empty()) {
    std::vector<std::string> parts;
    for (auto& [r, count] : reasons) parts.push_back(std::to_string(count) + " " + r);
    std::sort(parts.begin(), parts.end(), [](const std::string& a, const std::string& b) {
      return a.substr(a.find(' ') + 1) < b.substr(b.find(' ') + 1);
    });
    std::string msg = "0/" + std::to_string(nodes.size()) + " nodes are available";
    if (!parts.empty()) {
      msg += ": ";
      for (size_t i = 0; i < parts.size(); ++i) msg += (i ? ", " : "") + parts[i];
    }
    msg += ".";
    api::Error e = api::MakeError(api::Reason::kConflict, msg);
    return std::unexpected(e);
  }
  // Scores: least allocated (cpu, memory), preferred node affinity (normalized), owner spreading.
  const Json& preferred = Arr(Obj(Obj(spec, "affinity"), "nodeAffinity"),
                              "preferredDuringSchedulingIgnoredDuringExecution");
  std::string owner = ControllerOwner(pod);
  std::vector<double> affinity(feasible.size(), 0), spread(feasible.size(), 0);
  double max_aff = 0;
  int max_owned = 0;
  for (size_t i = 0; i < feasible.size(); ++i) {
    for (auto& p : preferred) {
      if (MatchTerm(Obj(p, "preference"), feasible[i]->node)) affinity[i] += p.value("weight", 0);
    }
    max_aff = std::max(max_aff, affinity[i]);
    if (!owner.empty()) {
      auto it = feasible[i]->owner_pods.find(owner);
      spread[i] = it == feasible[i]->owner_pods.end() ? 0 : it->second;
      max_owned = std::max(max_owned, static_cast<int>(spread[i]));
    }
  }
  double best = -1;
  const NodeState* chosen = nullptr;
  for (size_t i = 0; i < feasible.size(); ++i) {
    const NodeState& n = *feasible[i];
    auto free_ratio = [](int64_t alloc, int64_t used) {
      return alloc <= 0 ? 0.0
                        : std::max(0.0, static_cast<double>(alloc - used) * 100.0 /
                                            static_cast<double>(alloc));
    };
    double least = (free_ratio(n.alloc_cpu_milli, n.req_cpu_milli + req.cpu_milli) +
                    free_ratio(n.alloc_memory, n.req_memory + req.memory)) /
                   2;
    double aff = max_aff > 0 ? affinity[i] * 100.0 / max_aff : 0;
    double spr = max_owned > 0 ? (max_owned - spread[i]) * 100.0 / max_owned : 100;
    double score = least + aff + spr;
    if (score > best) {
      best = score;
      chosen = &n;
    }
  }
  return chosen->node.name();
}

api::Result<int> Scheduler::RunOnce() {
  auto nodes = client_->List(kNode, "");
  if (!nodes) return std::unexpected(nodes.error().Wrap("scheduler: list nodes"));
  auto pods = client_->List(kPod, "");
  if (!pods) return std::unexpected(pods.error().Wrap("scheduler: list pods"));
  std::vector<NodeState> states;
  std::map<std::string, size_t> index;
  for (auto& n : nodes->items) {
    index[n.name()] = states.size();
    states.push_back(NodeStateFromNode(n));
  }
  std::vector<const api::Object*> pending;
  for (auto& p : pods->items) {
    const Json* node = p.Find("spec.nodeName");
    std::string bound = node && node->is_string() ? node->get<std::string>() : "";
    if (!bound.empty()) {
      auto it = index.find(bound);
      if (it != index.end() && !Terminal(p)) AddPod(states[it->second], p);
      continue;
    }
    if (!p.deletion_timestamp().empty()) continue;
    const Json* sched = p.Find("spec.schedulerName");
    if (sched && sched->is_string() && *sched != "default-scheduler" &&
        !sched->get<std::string>().empty())
      continue;
    pending.push_back(&p);
  }
  std::stable_sort(pending.begin(), pending.end(), [](auto* a, auto* b) {
    return a->creation_timestamp() < b->creation_timestamp();
  });
  int bound = 0;
  for (auto* p : pending) {
    auto node = SchedulePod(*p, states);
    if (!node) {
      // PodScheduled=False, Unschedulable (only when it changed).
      Json status = p->status().is_object() ? p->status() : Json::object();
      Json cond = {{"type", "PodScheduled"},    {"status", "False"},
                   {"reason", "Unschedulable"}, {"message", node.error().message},
                   {"lastProbeTime", nullptr},  {"lastTransitionTime", api::NowTimestamp()}};
      Json conds = Json::array();
      bool same = false;
      for (auto& c : Arr(status, "conditions")) {
        if (Str(c, "type") == "PodScheduled") {
          same = Str(c, "reason") == "Unschedulable" && Str(c, "message") == node.error().message;
          if (same)
            cond["lastTransitionTime"] = c.value("lastTransitionTime", cond["lastTransitionTime"]);
          continue;
        }
        conds.push_back(c);
      }
      if (same && status.value("phase", "") == "Pending") continue;
      conds.push_back(cond);
      status["conditions"] = conds;
      status["phase"] = "Pending";
      api::Object out = *p;
      out.json()["status"] = status;
      out.set_resource_version("");
      (void)client_->UpdateStatus(out);
      continue;
    }
    // Bind through pods/binding (a v1 Binding), as kube-scheduler does: the API server sets
    // spec.nodeName and PodScheduled=True; a pod update may not change spec.nodeName.
    api::Object binding(
        Json{{"apiVersion", "v1"},
             {"kind", "Binding"},
             {"metadata", {{"name", p->name()}, {"namespace", p->namespace_()}, {"uid", p->uid()}}},
             {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", *node}}}});
    auto r = client_->Create(binding);
    if (!r) continue;
    api::Object placed = *p;
    placed.json()["spec"]["nodeName"] = *node;
    AddPod(states[index[*node]], placed);
    ++bound;
  }
  return bound;
}

api::Status Scheduler::Start() {
  auto on_event = [this](const api::WatchEvent&) {
    {
      std::lock_guard lock(mu_);
      dirty_ = true;
    }
    cv_.notify_all();
  };
  for (const auto& gvk : {kNode, kPod}) {
    auto w = client_->Watch(gvk, "", {}, on_event);
    if (!w) return std::unexpected(w.error().Wrap("scheduler: watch"));
    watches_.push_back(std::move(*w));
  }
  thread_ = std::thread([this] { Loop(); });
  return {};
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  watches_.clear();
}

void Scheduler::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      // Also retry periodically: a pod may become schedulable without an event we watch.
      cv_.wait_for(lock, std::chrono::seconds(5), [&] { return stop_ || dirty_; });
      if (stop_) return;
      dirty_ = false;
    }
    (void)RunOnce();
  }
}

}  // namespace keelson::controllers
