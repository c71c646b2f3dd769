// keelctl describe: kubectl-style text for pods, deployments, services, configmaps, secrets
// (sizes only, never values), namespaces and nodes, and a generic fallback for other kinds.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <sstream>

#include "api/codec.h"
#include "api/table.h"
#include "cli/commands.h"
#include "cli/printers.h"

namespace keelson::cli {
namespace {

using api::Json;

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const Json& At(const Json& j, std::initializer_list<const char*> path) {
  static const Json kNull;
  const Json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object() || !cur->contains(k)) return kNull;
    cur = &(*cur)[k];
  }
  return *cur;
}

std::string S(const Json& j, std::initializer_list<const char*> path) {
  const Json& v = At(j, path);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return "";
}

std::string OrNone(const std::string& s) { return s.empty() ? "<none>" : s; }

// kubectl's describe writer: LEVEL_n indents by two spaces per level; cells are tab-separated.
class Writer {
 public:
  void Line(int level, const std::string& text) {
    buf_ += std::string(level * 2, ' ') + text + "\n";
  }
  // "Key:\tvalue"
  void Field(int level, const std::string& key, const std::string& value) {
    Line(level, key + ":\t" + value);
  }
  void Map(int level, const std::string& title, const Json& m) {
    if (!m.is_object() || m.empty()) {
      Field(level, title, "<none>");
      return;
    }
    bool first = true;
    for (auto it = m.begin(); it != m.end(); ++it) {
      std::string v = it->is_string() ? it->get<std::string>() : it->dump();
      if (first) {
        Field(level, title, it.key() + "=" + v);
        first = false;
      } else {
        Line(level, "\t" + it.key() + "=" + v);
      }
    }
  }
  std::string Done() const { return TabWrite(buf_, 0, 2); }

 private:
  std::string buf_;
};

void Meta(Writer& w, const api::Object& o, bool namespaced) {
  w.Field(0, "Name", o.name());
  if (namespaced) w.Field(0, "Namespace", o.namespace_());
  w.Map(0, "Labels", At(o.json(), {"metadata", "labels"}));
  Json ann = At(o.json(), {"metadata", "annotations"});
  if (ann.is_object()) ann.erase("kubectl.kubernetes.io/last-applied-configuration");
  w.Map(0, "Annotations", ann);
}

std::string CreationTime(const api::Object& o) {
  auto t = api::ParseTime(o.creation_timestamp());
  if (!t) return "<unknown>";
  std::time_t tt = *t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

void Events(Writer& w, RestClient& client, const api::Object& o) {
  api::KindInfo ev;
  ev.version = "v1";
  ev.kind = "Event";
  ev.resource = "events";
  ev.namespaced = true;
  std::string ns = o.namespace_().empty() ? "default" : o.namespace_();
  std::string path = RestClient::ResourcePath(ev, ns) +
                     "?fieldSelector=" + RestClient::QueryEscape("involvedObject.name=" + o.name());
  auto list = client.GetJson(path);
  std::vector<Json> events;
  if (list && list->contains("items")) {
    for (const auto& e : (*list)["items"]) {
      if (S(e, {"involvedObject", "kind"}) == o.kind() &&
          (S(e, {"involvedObject", "uid"}).empty() || S(e, {"involvedObject", "uid"}) == o.uid())) {
        events.push_back(e);
      }
    }
  }
  if (events.empty()) {
    w.Field(0, "Events", "<none>");
    return;
  }
  w.Line(0, "Events:");
  w.Line(1, "Type\tReason\tAge\tFrom\tMessage");
  w.Line(1, "----\t------\t----\t----\t-------");
  int64_t now = Now();
  for (const auto& e : events) {
    std::string last = S(e, {"lastTimestamp"});
    if (last.empty()) last = S(e, {"eventTime"});
    std::string first = S(e, {"firstTimestamp"});
    std::string age = api::TimestampSince(last, now);
    int64_t count = At(e, {"count"}).is_number() ? At(e, {"count"}).get<int64_t>() : 1;
    if (count > 1 && !first.empty()) {
      age += " (x" + std::to_string(count) + " over " + api::TimestampSince(first, now) + ")";
    }
    std::string from = S(e, {"source", "component"});
    if (from.empty()) from = S(e, {"reportingComponent"});
    std::string msg = S(e, {"message"});
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    w.Line(1, S(e, {"type"}) + "\t" + S(e, {"reason"}) + "\t" + age + "\t" + from + "\t" + msg);
  }
}

std::string Ports(const Json& c) {
  std::vector<std::string> out;
  for (const auto& p : At(c, {"ports"}).is_array() ? At(c, {"ports"}) : Json::array()) {
    std::string proto = S(p, {"protocol"});
    out.push_back(S(p, {"containerPort"}) + "/" + proto);
  }
  std::string s;
  for (size_t i = 0; i < out.size(); ++i) s += (i ? ", " : "") + out[i];
  return s;
}

void ContainerState(Writer& w, int level, const std::string& title, const Json& state) {
  if (state.contains("running")) {
    w.Field(level, title, "Running");
    w.Field(level + 1, "Started", S(state, {"running", "startedAt"}));
  } else if (state.contains("waiting")) {
    w.Field(level, title, "Waiting");
    w.Field(level + 1, "Reason", S(state, {"waiting", "reason"}));
  } else if (state.contains("terminated")) {
    w.Field(level, title, "Terminated");
    w.Field(level + 1, "Reason", S(state, {"terminated", "reason"}));
    w.Field(level + 1, "Exit Code", S(state, {"terminated", "exitCode"}));
    w.Field(level + 1, "Started", S(state, {"terminated", "startedAt"}));
    w.Field(level + 1, "Finished", S(state, {"terminated", "finishedAt"}));
  } else {
    w.Field(level, title, "Waiting");
  }
}

void Containers(Writer& w, const std::string& title, const Json& specs, const Json& statuses,
                bool template_only) {
  if (!specs.is_array() || specs.empty()) return;
  w.Line(template_only ? 1 : 0, title + ":");
  int l = 1;
  for (const auto& c : specs) {
    w.Line(l, std::string(template_only ? " " : "") + S(c, {"name"}) + ":");
    const Json* st = nullptr;
    if (statuses.is_array()) {
      for (const auto& s : statuses) {
        if (S(s, {"name"}) == S(c, {"name"})) st = &s;
      }
    }
    if (st) w.Field(l + 1, "Container ID", S(*st, {"containerID"}));
    w.Field(l + 1, "Image", S(c, {"image"}));
    if (st) w.Field(l + 1, "Image ID", S(*st, {"imageID"}));
    std::string ports = Ports(c);
    w.Field(l + 1, ports.find(',') != std::string::npos ? "Ports" : "Port", OrNone(ports));
    std::string host_ports;
    if (At(c, {"ports"}).is_array()) {
      for (const auto& p : At(c, {"ports"})) {
        std::string hp = S(p, {"hostPort"});
        host_ports +=
            (host_ports.empty() ? "" : ", ") + (hp.empty() ? "0" : hp) + "/" + S(p, {"protocol"});
      }
    }
    w.Field(l + 1, host_ports.find(',') != std::string::npos ? "Host Ports" : "Host Port",
            OrNone(host_ports));
    const Json& cmd = At(c, {"command"});
    if (cmd.is_array()) {
      w.Line(l + 1, "Command:");
      for (const auto& a : cmd) w.Line(l + 2, a.is_string() ? a.get<std::string>() : a.dump());
    }
    const Json& args = At(c, {"args"});
    if (args.is_array()) {
      w.Line(l + 1, "Args:");
      for (const auto& a : args) w.Line(l + 2, a.is_string() ? a.get<std::string>() : a.dump());
    }
    if (st) {
      ContainerState(w, l + 1, "State", At(*st, {"state"}));
      if (At(*st, {"lastState"}).is_object() && !At(*st, {"lastState"}).empty()) {
        ContainerState(w, l + 1, "Last State", At(*st, {"lastState"}));
      }
      w.Field(l + 1, "Ready",
              At(*st, {"ready"}).is_boolean() && At(*st, {"ready"}).get<bool>() ? "True" : "False");
      w.Field(l + 1, "Restart Count",
              S(*st, {"restartCount"}).empty() ? "0" : S(*st, {"restartCount"}));
    }
    const Json& env = At(c, {"env"});
    if (!env.is_array() || env.empty()) {
      w.Field(l + 1, "Environment", "<none>");
    } else {
      w.Line(l + 1, "Environment:");
      for (const auto& e : env) {
        std::string v = S(e, {"value"});
        if (e.contains("valueFrom")) {
          const Json& vf = e["valueFrom"];
          if (vf.contains("secretKeyRef")) {
            v = "<set to the key '" + S(vf, {"secretKeyRef", "key"}) + "' in secret '" +
                S(vf, {"secretKeyRef", "name"}) + "'>";
          } else if (vf.contains("configMapKeyRef")) {
            v = "<set to the key '" + S(vf, {"configMapKeyRef", "key"}) + "' of config map '" +
                S(vf, {"configMapKeyRef", "name"}) + "'>";
          } else if (vf.contains("fieldRef")) {
            v = " (" + S(vf, {"fieldRef", "apiVersion"}) + ":" + S(vf, {"fieldRef", "fieldPath"}) +
                ")";
          }
        }
        w.Field(l + 2, S(e, {"name"}), v);
      }
    }
    const Json& mounts = At(c, {"volumeMounts"});
    if (!mounts.is_array() || mounts.empty()) {
      w.Field(l + 1, "Mounts", "<none>");
    } else {
      w.Line(l + 1, "Mounts:");
      for (const auto& m : mounts) {
        bool ro = At(m, {"readOnly"}).is_boolean() && At(m, {"readOnly"}).get<bool>();
        w.Line(l + 2, S(m, {"mountPath"}) + " from " + S(m, {"name"}) + (ro ? " (ro)" : " (rw)"));
      }
    }
  }
}

void Conditions(Writer& w, const Json& conds) {
  if (!conds.is_array() || conds.empty()) return;
  w.Line(0, "Conditions:");
  w.Line(1, "Type\tStatus");
  for (const auto& c : conds) w.Line(1, S(c, {"type"}) + " \t" + S(c, {"status"}));
}

void Volumes(Writer& w, const Json& vols, int level) {
  if (!vols.is_array() || vols.empty()) {
    w.Field(level, "Volumes", "<none>");
    return;
  }
  w.Line(level, "Volumes:");
  for (const auto& v : vols) {
    w.Line(level + 1, S(v, {"name"}) + ":");
    if (v.contains("configMap")) {
      w.Field(level + 2, "Type", "ConfigMap (a volume populated by a ConfigMap)");
      w.Field(level + 2, "Name", S(v, {"configMap", "name"}));
    } else if (v.contains("secret")) {
      w.Field(level + 2, "Type", "Secret (a volume populated by a Secret)");
      w.Field(level + 2, "SecretName", S(v, {"secret", "secretName"}));
    } else if (v.contains("emptyDir")) {
      w.Field(level + 2, "Type", "EmptyDir (a temporary directory that shares a pod's lifetime)");
    } else if (v.contains("hostPath")) {
      w.Field(level + 2, "Type", "HostPath (bare host directory volume)");
      w.Field(level + 2, "Path", S(v, {"hostPath", "path"}));
    } else if (v.contains("persistentVolumeClaim")) {
      w.Field(level + 2, "Type",
              "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
              "namespace)");
      w.Field(level + 2, "ClaimName", S(v, {"persistentVolumeClaim", "claimName"}));
    }
  }
}

// The pod's QoS class: status.qosClass, else computed as kubectl's qos.GetPodQOS does.
std::string QosClass(const Json& pod) {
  std::string set = S(pod, {"status", "qosClass"});
  if (!set.empty()) return set;
  bool any = false, guaranteed = true;
  for (const char* list : {"initContainers", "containers"}) {
    const Json& cs = At(pod, {"spec", list});
    if (!cs.is_array()) continue;
    for (const auto& c : cs) {
      const Json& req = At(c, {"resources", "requests"});
      const Json& lim = At(c, {"resources", "limits"});
      if ((req.is_object() && !req.empty()) || (lim.is_object() && !lim.empty())) any = true;
      for (const char* r : {"cpu", "memory"}) {
        const Json& l = At(lim, {r});
        const Json& q = At(req, {r});
        if (l.is_null() || (!q.is_null() && q != l)) guaranteed = false;
      }
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

void Tolerations(Writer& w, int level, const Json& tol) {
  if (!tol.is_array() || tol.empty()) {
    w.Field(level, "Tolerations", "<none>");
    return;
  }
  bool first = true;
  for (const auto& t : tol) {
    std::string s = S(t, {"key"});
    if (!S(t, {"value"}).empty()) s += "=" + S(t, {"value"});
    if (!S(t, {"effect"}).empty()) s += ":" + S(t, {"effect"});
    if (S(t, {"operator"}) == "Exists" && S(t, {"key"}).empty()) s = "op=Exists";
    if (At(t, {"tolerationSeconds"}).is_number()) {
      s += " for " + S(t, {"tolerationSeconds"}) + "s";
    }
    if (first) {
      w.Field(level, "Tolerations", s);
      first = false;
    } else {
      w.Line(level, "\t" + s);
    }
  }
}

void DescribePod(Writer& w, const api::Object& o) {
  const Json& j = o.json();
  w.Field(0, "Name", o.name());
  w.Field(0, "Namespace", o.namespace_());
  if (At(j, {"spec", "priority"}).is_number()) w.Field(0, "Priority", S(j, {"spec", "priority"}));
  std::string sa = S(j, {"spec", "serviceAccountName"});
  if (!sa.empty()) w.Field(0, "Service Account", sa);
  std::string node = S(j, {"spec", "nodeName"});
  std::string host_ip = S(j, {"status", "hostIP"});
  w.Field(0, "Node", node.empty() ? "<none>" : node + (host_ip.empty() ? "" : "/" + host_ip));
  std::string start = S(j, {"status", "startTime"});
  if (!start.empty()) {
    api::Object tmp(Json{{"metadata", {{"creationTimestamp", start}}}});
    w.Field(0, "Start Time", CreationTime(tmp));
  }
  w.Map(0, "Labels", At(j, {"metadata", "labels"}));
  w.Map(0, "Annotations", At(j, {"metadata", "annotations"}));
  std::string phase = S(j, {"status", "phase"});
  if (!o.deletion_timestamp().empty()) {
    w.Field(0, "Status",
            "Terminating (lasts " + api::TimestampSince(o.deletion_timestamp(), Now()) + ")");
  } else {
    w.Field(0, "Status", phase.empty() ? "Pending" : phase);
  }
  if (!S(j, {"status", "reason"}).empty()) w.Field(0, "Reason", S(j, {"status", "reason"}));
  if (!S(j, {"status", "message"}).empty()) w.Field(0, "Message", S(j, {"status", "message"}));
  w.Field(0, "IP", S(j, {"status", "podIP"}));
  const Json& ips = At(j, {"status", "podIPs"});
  if (ips.is_array() && !ips.empty()) {
    w.Line(0, "IPs:");
    for (const auto& ip : ips) w.Field(1, "IP", S(ip, {"ip"}));
  } else {
    w.Field(0, "IPs", "<none>");
  }
  for (const auto& ref : o.owner_references()) {
    if (ref.controller) w.Field(0, "Controlled By", ref.kind + "/" + ref.name);
  }
  Containers(w, "Init Containers", At(j, {"spec", "initContainers"}),
             At(j, {"status", "initContainerStatuses"}), false);
  Containers(w, "Containers", At(j, {"spec", "containers"}), At(j, {"status", "containerStatuses"}),
             false);
  Conditions(w, At(j, {"status", "conditions"}));
  Volumes(w, At(j, {"spec", "volumes"}), 0);
  w.Field(0, "QoS Class", QosClass(j));
  w.Map(0, "Node-Selectors", At(j, {"spec", "nodeSelector"}));
  Tolerations(w, 0, At(j, {"spec", "tolerations"}));
}

void DescribeDeployment(Writer& w, const api::Object& o) {
  const Json& j = o.json();
  w.Field(0, "Name", o.name());
  w.Field(0, "Namespace", o.namespace_());
  w.Field(0, "CreationTimestamp", CreationTime(o));
  w.Map(0, "Labels", At(j, {"metadata", "labels"}));
  w.Map(0, "Annotations", At(j, {"metadata", "annotations"}));
  w.Field(0, "Selector", api::FormatLabelSelector(At(j, {"spec", "selector"})));
  auto n = [&](std::initializer_list<const char*> p) {
    const Json& v = At(j, p);
    return v.is_number() ? std::to_string(v.get<int64_t>()) : std::string("0");
  };
  std::string desired = At(j, {"spec", "replicas"}).is_number() ? n({"spec", "replicas"}) : "1";
  int64_t total =
      At(j, {"status", "replicas"}).is_number() ? At(j, {"status", "replicas"}).get<int64_t>() : 0;
  int64_t avail = At(j, {"status", "availableReplicas"}).is_number()
                      ? At(j, {"status", "availableReplicas"}).get<int64_t>()
                      : 0;
  (void)total;
  (void)avail;
  w.Field(0, "Replicas",
          desired + " desired | " + n({"status", "updatedReplicas"}) + " updated | " +
              n({"status", "replicas"}) + " total | " + n({"status", "availableReplicas"}) +
              " available | " + n({"status", "unavailableReplicas"}) + " unavailable");
  // Raw values as kubectl prints them (the API server defaults strategy and friends).
  w.Field(0, "StrategyType", S(j, {"spec", "strategy", "type"}));
  w.Field(0, "MinReadySeconds", n({"spec", "minReadySeconds"}));
  const Json& ru = At(j, {"spec", "strategy", "rollingUpdate"});
  if (ru.is_object()) {
    w.Field(0, "RollingUpdateStrategy",
            S(ru, {"maxUnavailable"}) + " max unavailable, " + S(ru, {"maxSurge"}) + " max surge");
  }
  const Json& tpl = At(j, {"spec", "template"});
  w.Line(0, "Pod Template:");
  w.Map(1, "Labels", At(tpl, {"metadata", "labels"}));
  const Json& tann = At(tpl, {"metadata", "annotations"});
  if (tann.is_object() && !tann.empty()) w.Map(1, "Annotations", tann);
  if (!S(tpl, {"spec", "serviceAccountName"}).empty()) {
    w.Field(1, "Service Account", S(tpl, {"spec", "serviceAccountName"}));
  }
  Containers(w, "Init Containers", At(tpl, {"spec", "initContainers"}), Json(), true);
  Containers(w, "Containers", At(tpl, {"spec", "containers"}), Json(), true);
  Volumes(w, At(tpl, {"spec", "volumes"}), 1);
  if (!S(tpl, {"spec", "priorityClassName"}).empty()) {
    w.Field(1, "Priority Class Name", S(tpl, {"spec", "priorityClassName"}));
  }
  w.Map(1, "Node-Selectors", At(tpl, {"spec", "nodeSelector"}));
  Tolerations(w, 1, At(tpl, {"spec", "tolerations"}));
  const Json& conds = At(j, {"status", "conditions"});
  if (conds.is_array() && !conds.empty()) {
    w.Line(0, "Conditions:");
    w.Line(1, "Type\tStatus\tReason");
    w.Line(1, "----\t------\t------");
    for (const auto& c : conds) {
      w.Line(1, S(c, {"type"}) + " \t" + S(c, {"status"}) + "\t" + S(c, {"reason"}));
    }
  }
}

void DescribeService(Writer& w, RestClient& client, const api::Object& o) {
  const Json& j = o.json();
  Meta(w, o, true);
  w.Field(0, "Selector", api::FormatLabels(At(j, {"spec", "selector"})));
  w.Field(0, "Type", S(j, {"spec", "type"}));
  if (!S(j, {"spec", "ipFamilyPolicy"}).empty()) {
    w.Field(0, "IP Family Policy", S(j, {"spec", "ipFamilyPolicy"}));
  }
  auto joined = [&](std::initializer_list<const char*> p) {
    std::string out;
    const Json& a = At(j, p);
    if (a.is_array()) {
      for (const auto& v : a)
        out += (out.empty() ? "" : ",") + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    return out;
  };
  w.Field(0, "IP Families", OrNone(joined({"spec", "ipFamilies"})));
  w.Field(0, "IP", S(j, {"spec", "clusterIP"}));
  w.Field(0, "IPs", OrNone(joined({"spec", "clusterIPs"})));
  if (!joined({"spec", "externalIPs"}).empty()) {
    w.Field(0, "External IPs", joined({"spec", "externalIPs"}));
  }
  if (!S(j, {"spec", "externalName"}).empty()) {
    w.Field(0, "External Name", S(j, {"spec", "externalName"}));
  }
  api::KindInfo ep;
  ep.version = "v1";
  ep.kind = "Endpoints";
  ep.resource = "endpoints";
  ep.namespaced = true;
  auto endpoints = client.GetJson(RestClient::ResourcePath(ep, o.namespace_(), o.name()));
  const Json& ports = At(j, {"spec", "ports"});
  for (const auto& p : ports.is_array() ? ports : Json::array()) {
    std::string name = S(p, {"name"});
    std::string proto = S(p, {"protocol"});
    w.Line(0, "Port:\t" + (name.empty() ? std::string("<unset>") : name) + "\t" +
                  (S(p, {"port"}).empty() ? "0" : S(p, {"port"})) + "/" + proto);
    std::string tp = S(p, {"targetPort"});
    w.Field(0, "TargetPort", (tp.empty() ? "0" : tp) + "/" + proto);
    if (!S(p, {"nodePort"}).empty()) {
      w.Line(0, "NodePort:\t" + (name.empty() ? std::string("<unset>") : name) + "\t" +
                    S(p, {"nodePort"}) + "/" + proto);
    }
    std::vector<std::string> addrs;
    if (endpoints && endpoints->contains("subsets")) {
      for (const auto& ss : (*endpoints)["subsets"]) {
        for (const auto& ep_port :
             At(ss, {"ports"}).is_array() ? At(ss, {"ports"}) : Json::array()) {
          if (S(ep_port, {"name"}) != name) continue;
          for (const auto& a :
               At(ss, {"addresses"}).is_array() ? At(ss, {"addresses"}) : Json::array()) {
            addrs.push_back(S(a, {"ip"}) + ":" + S(ep_port, {"port"}));
          }
        }
      }
    }
    std::string eps;
    for (size_t i = 0; i < addrs.size() && i < 3; ++i) eps += (i ? "," : "") + addrs[i];
    if (addrs.size() > 3) eps += " + " + std::to_string(addrs.size() - 3) + " more...";
    w.Field(0, "Endpoints", OrNone(eps));
  }
  w.Field(0, "Session Affinity", S(j, {"spec", "sessionAffinity"}));
  if (!S(j, {"spec", "externalTrafficPolicy"}).empty()) {
    w.Field(0, "External Traffic Policy", S(j, {"spec", "externalTrafficPolicy"}));
  }
  if (!S(j, {"spec", "internalTrafficPolicy"}).empty()) {
    w.Field(0, "Internal Traffic Policy", S(j, {"spec", "internalTrafficPolicy"}));
  }
}

void DescribeConfigMap(Writer& w, const api::Object& o, bool secret) {
  const Json& j = o.json();
  Meta(w, o, true);
  w.Line(0, "");
  if (secret) {
    std::string type = S(j, {"type"});
    w.Field(0, "Type", type.empty() ? "Opaque" : type);
    w.Line(0, "");
    w.Line(0, "Data");
    w.Line(0, "====");
    const Json& data = At(j, {"data"});
    if (data.is_object()) {
      for (auto it = data.begin(); it != data.end(); ++it) {
        // Sizes only, never values (decoded length of the base64 data).
        std::string b64 = it->is_string() ? it->get<std::string>() : "";
        size_t pad = 0;
        while (!b64.empty() && b64[b64.size() - 1 - pad] == '=' && pad < 2) ++pad;
        size_t bytes = b64.size() / 4 * 3 - pad;
        w.Line(0, it.key() + ":\t" + std::to_string(bytes) + " bytes");
      }
    }
    return;
  }
  w.Line(0, "Data");
  w.Line(0, "====");
  const Json& data = At(j, {"data"});
  if (data.is_object()) {
    for (auto it = data.begin(); it != data.end(); ++it) {
      w.Line(0, it.key() + ":");
      w.Line(0, "----");
      w.Line(0, it->is_string() ? it->get<std::string>() : it->dump());
      w.Line(0, "");
    }
  }
  w.Line(0, "");
  w.Line(0, "BinaryData");
  w.Line(0, "====");
  const Json& bin = At(j, {"binaryData"});
  if (bin.is_object()) {
    for (auto it = bin.begin(); it != bin.end(); ++it) {
      std::string b64 = it->is_string() ? it->get<std::string>() : "";
      w.Line(0, it.key() + ": " + std::to_string(b64.size() / 4 * 3) + " bytes");
    }
  }
  w.Line(0, "");
}

void DescribeNamespace(Writer& w, const api::Object& o) {
  Meta(w, o, false);
  std::string phase = S(o.json(), {"status", "phase"});
  w.Field(0, "Status", phase.empty() ? "Active" : phase);
  w.Line(0, "");
  w.Line(0, "No resource quota.");
  w.Line(0, "");
  w.Line(0, "No LimitRange resource.");
}

void DescribeNode(Writer& w, const api::Object& o) {
  const Json& j = o.json();
  w.Field(0, "Name", o.name());
  std::vector<std::string> roles;
  for (const auto& [k, v] : o.labels()) {
    if (k.starts_with("node-role.kubernetes.io/")) roles.push_back(k.substr(24));
  }
  std::string r;
  for (size_t i = 0; i < roles.size(); ++i) r += (i ? "," : "") + roles[i];
  w.Field(0, "Roles", OrNone(r));
  w.Map(0, "Labels", At(j, {"metadata", "labels"}));
  w.Map(0, "Annotations", At(j, {"metadata", "annotations"}));
  w.Field(0, "CreationTimestamp", CreationTime(o));
  const Json& taints = At(j, {"spec", "taints"});
  if (!taints.is_array() || taints.empty()) {
    w.Field(0, "Taints", "<none>");
  } else {
    bool first = true;
    for (const auto& t : taints) {
      std::string s = S(t, {"key"}) + (S(t, {"value"}).empty() ? "" : "=" + S(t, {"value"})) + ":" +
                      S(t, {"effect"});
      if (first) {
        w.Field(0, "Taints", s);
        first = false;
      } else {
        w.Line(0, "\t" + s);
      }
    }
  }
  bool unsched =
      At(j, {"spec", "unschedulable"}).is_boolean() && At(j, {"spec", "unschedulable"}).get<bool>();
  w.Field(0, "Unschedulable", unsched ? "true" : "false");
  const Json& conds = At(j, {"status", "conditions"});
  if (conds.is_array() && !conds.empty()) {
    w.Line(0, "Conditions:");
    w.Line(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage");
    w.Line(1, "----\t------\t-----------------\t------------------\t------\t-------");
    for (const auto& c : conds) {
      w.Line(1, S(c, {"type"}) + " \t" + S(c, {"status"}) + " \t" + S(c, {"lastHeartbeatTime"}) +
                    " \t" + S(c, {"lastTransitionTime"}) + " \t" + S(c, {"reason"}) + " \t" +
                    S(c, {"message"}));
    }
  }
  const Json& addrs = At(j, {"status", "addresses"});
  w.Line(0, "Addresses:");
  if (addrs.is_array()) {
    for (const auto& a : addrs) w.Field(1, S(a, {"type"}), S(a, {"address"}));
  }
  for (const char* section : {"capacity", "allocatable"}) {
    const Json& m = At(j, {"status", section});
    if (!m.is_object()) continue;
    std::string title = section;
    title[0] = static_cast<char>(::toupper(title[0]));
    w.Line(0, title + ":");
    for (auto it = m.begin(); it != m.end(); ++it) {
      w.Field(1, "  " + it.key(), it->is_string() ? it->get<std::string>() : it->dump());
    }
  }
  const Json& info = At(j, {"status", "nodeInfo"});
  if (info.is_object()) {
    w.Line(0, "System Info:");
    w.Field(1, "Kernel Version", S(info, {"kernelVersion"}));
    w.Field(1, "OS Image", S(info, {"osImage"}));
    w.Field(1, "Operating System", S(info, {"operatingSystem"}));
    w.Field(1, "Architecture", S(info, {"architecture"}));
    w.Field(1, "Container Runtime Version", S(info, {"containerRuntimeVersion"}));
    w.Field(1, "Kubelet Version", S(info, {"kubeletVersion"}));
  }
}

// Generic fallback: metadata, then the rest of the object as indented YAML-like fields.
void DescribeGeneric(Writer& w, const api::Object& o, bool namespaced) {
  Meta(w, o, namespaced);
  w.Field(0, "API Version", o.api_version());
  w.Field(0, "Kind", o.kind());
  w.Line(0, "Metadata:");
  w.Field(1, "Creation Timestamp", o.creation_timestamp());
  w.Field(1, "Resource Version", o.resource_version());
  w.Field(1, "UID", o.uid());
  for (const auto& [key, value] : o.json().items()) {
    if (key == "apiVersion" || key == "kind" || key == "metadata") continue;
    std::string title = key;
    title[0] = static_cast<char>(::toupper(title[0]));
    if (!value.is_object() && !value.is_array()) {
      w.Field(0, title, value.is_string() ? value.get<std::string>() : value.dump());
      continue;
    }
    w.Line(0, title + ":");
    std::string yaml = api::EncodeYaml(value);
    std::istringstream in(yaml);
    std::string line;
    while (std::getline(in, line)) w.Line(1, line);
  }
}

struct DescribeFlags {
  std::vector<std::string> args;
  std::string selector;
  bool all_namespaces = false;
  bool show_events = true;
  std::vector<std::string> filenames;
};

std::string Describe(RestClient& client, const api::KindInfo& kind, const api::Object& o,
                     bool show_events) {
  Writer w;
  const std::string& k = kind.kind;
  bool core = kind.group.empty();
  if (core && k == "Pod") {
    DescribePod(w, o);
  } else if (kind.group == "apps" && k == "Deployment") {
    DescribeDeployment(w, o);
  } else if (core && k == "Service") {
    DescribeService(w, client, o);
  } else if (core && k == "ConfigMap") {
    DescribeConfigMap(w, o, false);
  } else if (core && k == "Secret") {
    DescribeConfigMap(w, o, true);
  } else if (core && k == "Namespace") {
    DescribeNamespace(w, o);
  } else if (core && k == "Node") {
    DescribeNode(w, o);
  } else {
    DescribeGeneric(w, o, kind.namespaced);
  }
  if (show_events && !(core && (k == "Secret" || k == "Namespace"))) Events(w, client, o);
  return w.Done();
}

int RunDescribe(Env& env, DescribeFlags& f) {
  auto client_or = env.Client();
  if (!client_or) return env.Fail(client_or.error());
  RestClient& client = **client_or;
  std::vector<std::pair<api::KindInfo, api::Object>> objects;
  auto refs = ParseResourceArgs(client, f.args);
  if (!refs) return env.Fail(refs.error());
  int rc = 0;
  for (auto& r : *refs) {
    std::string ns = r.kind.namespaced && !f.all_namespaces ? env.Namespace() : "";
    if (r.names.empty()) {
      api::ListOptions lo;
      lo.label_selector = f.selector;
      auto list = client.List(r.kind.gvk(), ns, lo);
      if (!list) return env.Fail(list.error());
      for (auto& o : list->items) objects.emplace_back(r.kind, std::move(o));
      continue;
    }
    for (const auto& n : r.names) {
      auto o = client.Get(r.kind.gvk(), ns, n);
      if (!o) {
        rc = env.Fail(o.error());
        continue;
      }
      objects.emplace_back(r.kind, std::move(*o));
    }
  }
  if (objects.empty() && rc == 0) {
    env.err << "No resources found in " << env.Namespace() << " namespace.\n";
    return 0;
  }
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i) env.out << "\n\n";
    env.out << Describe(client, objects[i].first, objects[i].second, f.show_events);
  }
  return rc;
}

}  // namespace

void RegisterDescribe(CLI::App& app, Env& env) {
  auto f = std::make_shared<DescribeFlags>();
  CLI::App* cmd = app.add_subcommand("describe",
                                     "Show details of a specific resource or group "
                                     "of resources");
  cmd->add_option("args", f->args, "TYPE [NAME...] | TYPE/NAME");
  cmd->add_option("-l,--selector", f->selector, "Label selector");
  cmd->add_flag("-A,--all-namespaces", f->all_namespaces, "Across all namespaces");
  cmd->add_option("--show-events", f->show_events, "Show related events (default true)");
  cmd->callback([&env, f] { env.exit_code = RunDescribe(env, *f); });
}

}  // namespace keelson::cli
