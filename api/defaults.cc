// Kubernetes defaulting of built-in kinds (pkg/apis/*/v1/defaults.go plus what the REST strategies
// of the API server fill in on create: Namespace finalizers, Service IP families, Secret
// stringData).
#include <array>
#include <string>

#include "api/base64.h"
#include "api/schema.h"
#include "api/validation.h"

namespace keelson::api {
namespace {

// Sets `j[key] = value` when the key is absent or null.
void Default(Json& j, const char* key, Json value) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) j[key] = std::move(value);
}

Json& Obj(Json& parent, const char* key) {
  Json& j = parent[key];
  if (!j.is_object()) j = Json::object();
  return j;
}

template <typename F>
void ForEach(Json& parent, const char* key, F&& f) {
  auto it = parent.find(key);
  if (it == parent.end() || !it->is_array()) return;
  for (auto& e : *it) {
    if (e.is_object()) f(e);
  }
}

template <typename F>
void IfObject(Json& parent, const char* key, F&& f) {
  auto it = parent.find(key);
  if (it != parent.end() && it->is_object()) f(*it);
}

// Always for ":latest" or an untagged image, IfNotPresent otherwise (digests included).
std::string PullPolicyFor(const std::string& image) {
  if (image.find('@') != std::string::npos) return "IfNotPresent";
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) return "Always";
  return image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

void DefaultHttpGet(Json& handler) {
  IfObject(handler, "httpGet", [](Json& h) {
    Default(h, "path", "/");
    Default(h, "scheme", "HTTP");
  });
}

void DefaultProbe(Json& container, const char* key) {
  IfObject(container, key, [](Json& p) {
    Default(p, "timeoutSeconds", 1);
    Default(p, "periodSeconds", 10);
    Default(p, "successThreshold", 1);
    Default(p, "failureThreshold", 3);
    DefaultHttpGet(p);
  });
}

void DefaultFieldRef(Json& holder) {
  IfObject(holder, "fieldRef", [](Json& f) { Default(f, "apiVersion", "v1"); });
}

void DefaultContainer(Json& c, bool host_network) {
  if (c.contains("image") && c["image"].is_string()) {
    Default(c, "imagePullPolicy", PullPolicyFor(c["image"].get<std::string>()));
  }
  Default(c, "terminationMessagePath", "/dev/termination-log");
  Default(c, "terminationMessagePolicy", "File");
  ForEach(c, "ports", [&](Json& p) {
    Default(p, "protocol", "TCP");
    if (host_network && p.contains("containerPort")) Default(p, "hostPort", p["containerPort"]);
  });
  ForEach(c, "env", [](Json& e) { IfObject(e, "valueFrom", DefaultFieldRef); });
  DefaultProbe(c, "livenessProbe");
  DefaultProbe(c, "readinessProbe");
  DefaultProbe(c, "startupProbe");
  IfObject(c, "lifecycle", [](Json& l) {
    IfObject(l, "postStart", DefaultHttpGet);
    IfObject(l, "preStop", DefaultHttpGet);
  });
}

void DefaultVolume(Json& v) {
  bool any = false;
  for (const char* s : VolumeSourceNames()) any |= v.contains(s) && !v[s].is_null();
  if (!any) v["emptyDir"] = Json::object();
  IfObject(v, "configMap", [](Json& s) { Default(s, "defaultMode", 420); });
  IfObject(v, "secret", [](Json& s) { Default(s, "defaultMode", 420); });
  IfObject(v, "downwardAPI", [](Json& s) {
    Default(s, "defaultMode", 420);
    ForEach(s, "items", DefaultFieldRef);
  });
  IfObject(v, "projected", [](Json& s) {
    Default(s, "defaultMode", 420);
    ForEach(s, "sources", [](Json& src) {
      IfObject(src, "serviceAccountToken", [](Json& t) { Default(t, "expirationSeconds", 3600); });
      IfObject(src, "downwardAPI", [](Json& d) { ForEach(d, "items", DefaultFieldRef); });
    });
  });
  IfObject(v, "hostPath", [](Json& s) { Default(s, "type", ""); });
  IfObject(v, "iscsi", [](Json& s) { Default(s, "iscsiInterface", "default"); });
  IfObject(v, "ephemeral", [](Json& e) {
    IfObject(e, "volumeClaimTemplate", [](Json& t) {
      IfObject(t, "spec", [](Json& s) { Default(s, "volumeMode", "Filesystem"); });
    });
  });
}

// SetDefaults_PodSpec and the defaults of the types it contains.
void DefaultPodSpec(Json& spec) {
  Default(spec, "dnsPolicy", "ClusterFirst");
  Default(spec, "restartPolicy", "Always");
  Default(spec, "securityContext", Json::object());
  Default(spec, "terminationGracePeriodSeconds", 30);
  Default(spec, "schedulerName", "default-scheduler");
  const bool host_network = spec.value("hostNetwork", false) == true;
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    ForEach(spec, list, [&](Json& c) { DefaultContainer(c, host_network); });
  }
  ForEach(spec, "volumes", DefaultVolume);
}

void DefaultPodTemplate(Json& spec) {
  IfObject(spec, "template", [](Json& t) { DefaultPodSpec(Obj(t, "spec")); });
}

// SetDefaults_Pod: requests default to limits; service links on; the ServiceAccount admission
// plugin's account.
void DefaultPod(Json& obj) {
  Json& spec = Obj(obj, "spec");
  DefaultPodSpec(spec);
  Default(spec, "enableServiceLinks", true);
  for (const char* list : {"initContainers", "containers"}) {
    ForEach(spec, list, [](Json& c) {
      IfObject(c, "resources", [](Json& r) {
        auto limits = r.find("limits");
        if (limits == r.end() || !limits->is_object() || limits->empty()) return;
        Json& requests = Obj(r, "requests");
        for (auto it = limits->begin(); it != limits->end(); ++it) {
          if (!requests.contains(it.key())) requests[it.key()] = *it;
        }
      });
    });
  }
  Default(spec, "serviceAccountName", "default");
  Default(spec, "serviceAccount", spec["serviceAccountName"]);
  Default(Obj(obj, "status"), "phase", "Pending");
}

void DefaultDeployment(Json& obj) {
  Json& spec = Obj(obj, "spec");
  Default(spec, "replicas", 1);
  Json& strategy = Obj(spec, "strategy");
  Default(strategy, "type", "RollingUpdate");
  if (strategy["type"] == "RollingUpdate") {
    Json& ru = Obj(strategy, "rollingUpdate");
    Default(ru, "maxUnavailable", "25%");
    Default(ru, "maxSurge", "25%");
  }
  Default(spec, "revisionHistoryLimit", 10);
  Default(spec, "progressDeadlineSeconds", 600);
  DefaultPodTemplate(spec);
}

void DefaultStatefulSet(Json& obj) {
  Json& spec = Obj(obj, "spec");
  Default(spec, "podManagementPolicy", "OrderedReady");
  Json& strategy = Obj(spec, "updateStrategy");
  Default(strategy, "type", "RollingUpdate");
  if (strategy["type"] == "RollingUpdate") Default(Obj(strategy, "rollingUpdate"), "partition", 0);
  Default(spec, "replicas", 1);
  Default(spec, "revisionHistoryLimit", 10);
  Json& retention = Obj(spec, "persistentVolumeClaimRetentionPolicy");
  Default(retention, "whenDeleted", "Retain");
  Default(retention, "whenScaled", "Retain");
  ForEach(spec, "volumeClaimTemplates", [](Json& pvc) {
    Default(Obj(pvc, "spec"), "volumeMode", "Filesystem");
    Default(Obj(pvc, "status"), "phase", "Pending");
  });
  DefaultPodTemplate(spec);
}

void DefaultDaemonSet(Json& obj) {
  Json& spec = Obj(obj, "spec");
  Json& strategy = Obj(spec, "updateStrategy");
  Default(strategy, "type", "RollingUpdate");
  if (strategy["type"] == "RollingUpdate") {
    Json& ru = Obj(strategy, "rollingUpdate");
    Default(ru, "maxUnavailable", 1);
    Default(ru, "maxSurge", 0);
  }
  Default(spec, "revisionHistoryLimit", 10);
  DefaultPodTemplate(spec);
}

void DefaultJobSpec(Json& spec, bool top_level_job) {
  if (top_level_job) {
    if ((!spec.contains("completions") || spec["completions"].is_null()) &&
        (!spec.contains("parallelism") || spec["parallelism"].is_null())) {
      spec["completions"] = 1;
      spec["parallelism"] = 1;
    }
    Default(spec, "parallelism", 1);
    Default(spec, "backoffLimit",
            spec.contains("backoffLimitPerIndex") && !spec["backoffLimitPerIndex"].is_null()
                ? Json(2147483647)
                : Json(6));
    Default(spec, "completionMode", "NonIndexed");
    Default(spec, "suspend", false);
    Default(spec, "podReplacementPolicy",
            spec.contains("podFailurePolicy") && !spec["podFailurePolicy"].is_null()
                ? "Failed"
                : "TerminatingOrFailed");
    IfObject(spec, "podFailurePolicy", [](Json& pfp) {
      ForEach(pfp, "rules", [](Json& rule) {
        ForEach(rule, "onPodConditions", [](Json& c) { Default(c, "status", "True"); });
      });
    });
  }
  DefaultPodTemplate(spec);
}

void DefaultJob(Json& obj) {
  Json& spec = Obj(obj, "spec");
  DefaultJobSpec(spec, true);
  // The Job strategy's generated selector (PrepareForCreate), once the object has its uid: the
  // selector matches the controller uid and the template carries the matching labels.
  const Json& uid = Obj(obj, "metadata").value("uid", Json(""));
  if (spec.value("manualSelector", false) != true && !spec.contains("selector") &&
      uid.is_string() && !uid.get<std::string>().empty()) {
    const std::string name = obj["metadata"].value("name", "");
    spec["selector"] = {{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}};
    Json& tmeta = Obj(Obj(spec, "template"), "metadata");
    Json& tl = Obj(tmeta, "labels");
    Default(tl, "batch.kubernetes.io/controller-uid", uid);
    Default(tl, "batch.kubernetes.io/job-name", name);
    Default(tl, "controller-uid", uid);
    Default(tl, "job-name", name);
  }
  // SetDefaults_Job: a Job without labels takes its pod template's labels.
  Json& meta = Obj(obj, "metadata");
  auto labels = meta.find("labels");
  if (labels == meta.end() || !labels->is_object() || labels->empty()) {
    const Json* tl = nullptr;
    if (spec.contains("template") && spec["template"].is_object() &&
        spec["template"].contains("metadata") && spec["template"]["metadata"].is_object()) {
      auto it = spec["template"]["metadata"].find("labels");
      if (it != spec["template"]["metadata"].end() && it->is_object() && !it->empty()) tl = &*it;
    }
    if (tl) meta["labels"] = *tl;
  }
}

void DefaultCronJob(Json& obj) {
  Json& spec = Obj(obj, "spec");
  Default(spec, "concurrencyPolicy", "Allow");
  Default(spec, "suspend", false);
  Default(spec, "successfulJobsHistoryLimit", 3);
  Default(spec, "failedJobsHistoryLimit", 1);
  IfObject(spec, "jobTemplate", [](Json& t) { DefaultJobSpec(Obj(t, "spec"), false); });
}

void DefaultService(Json& obj) {
  Json& spec = Obj(obj, "spec");
  Default(spec, "type", "ClusterIP");
  Default(spec, "sessionAffinity", "None");
  if (spec["sessionAffinity"] == "ClientIP") {
    Default(Obj(Obj(spec, "sessionAffinityConfig"), "clientIP"), "timeoutSeconds", 10800);
  }
  ForEach(spec, "ports", [](Json& p) {
    Default(p, "protocol", "TCP");
    auto tp = p.find("targetPort");
    if (tp == p.end() || tp->is_null() || *tp == 0 || *tp == "") {
      if (p.contains("port")) p["targetPort"] = p["port"];
    }
  });
  const Json type = spec["type"];
  if (type == "NodePort" || type == "LoadBalancer")
    Default(spec, "externalTrafficPolicy", "Cluster");
  if (type == "LoadBalancer") Default(spec, "allocateLoadBalancerNodePorts", true);
  if (type != "ExternalName") {
    Default(spec, "internalTrafficPolicy", "Cluster");
    // The Service REST storage's single-stack IPv4 defaults (the IP itself is allocated there).
    Default(spec, "ipFamilyPolicy", "SingleStack");
    Default(spec, "ipFamilies", Json::array({"IPv4"}));
    auto ip = spec.find("clusterIP");
    if (ip != spec.end() && ip->is_string() && !ip->get<std::string>().empty()) {
      Default(spec, "clusterIPs", Json::array({*ip}));
    }
  }
}

void DefaultSecret(Json& obj) {
  Default(obj, "type", "Opaque");
  // stringData is write-only: the API server folds it into data (base64) on every write.
  auto sd = obj.find("stringData");
  if (sd != obj.end()) {
    if (sd->is_object()) {
      Json& data = Obj(obj, "data");
      for (auto it = sd->begin(); it != sd->end(); ++it) {
        if (it->is_string()) data[it.key()] = Base64Encode(it->get<std::string>());
      }
    }
    obj.erase("stringData");
  }
}

void DefaultSubjects(Json& obj) {
  ForEach(obj, "subjects", [](Json& s) {
    const Json kind = s.value("kind", Json(""));
    if (kind == "ServiceAccount") {
      Default(s, "apiGroup", "");
    } else if (kind == "User" || kind == "Group") {
      Default(s, "apiGroup", "rbac.authorization.k8s.io");
    }
  });
  IfObject(obj, "roleRef", [](Json& r) {
    auto g = r.find("apiGroup");
    if (g == r.end() || g->is_null() || *g == "") r["apiGroup"] = "rbac.authorization.k8s.io";
  });
}

void DefaultLimitRange(Json& obj) {
  IfObject(obj, "spec", [](Json& spec) {
    ForEach(spec, "limits", [](Json& item) {
      if (item.value("type", Json("")) != "Container") return;
      auto max = item.find("max");
      if (max != item.end() && max->is_object()) {
        Json& def = Obj(item, "default");
        for (auto it = max->begin(); it != max->end(); ++it) {
          if (!def.contains(it.key())) def[it.key()] = *it;
        }
      }
      auto def = item.find("default");
      if (def != item.end() && def->is_object()) {
        Json& req = Obj(item, "defaultRequest");
        for (auto it = def->begin(); it != def->end(); ++it) {
          if (!req.contains(it.key())) req[it.key()] = *it;
        }
      }
    });
  });
}

void DefaultHpa(Json& obj) {
  Json& spec = Obj(obj, "spec");
  Default(spec, "minReplicas", 1);
  auto m = spec.find("metrics");
  if (m == spec.end() || !m->is_array() || m->empty()) {
    spec["metrics"] = Json::parse(R"([{"type":"Resource","resource":{"name":"cpu",)"
                                  R"("target":{"type":"Utilization","averageUtilization":80}}}])");
  }
}

void DefaultNetworkPolicy(Json& obj) {
  Json& spec = Obj(obj, "spec");
  auto rules_ports = [](Json& rule) {
    ForEach(rule, "ports", [](Json& p) { Default(p, "protocol", "TCP"); });
  };
  ForEach(spec, "ingress", rules_ports);
  ForEach(spec, "egress", rules_ports);
  auto pt = spec.find("policyTypes");
  if (pt == spec.end() || !pt->is_array() || pt->empty()) {
    Json types = Json::array({"Ingress"});
    auto eg = spec.find("egress");
    if (eg != spec.end() && eg->is_array() && !eg->empty()) types.push_back("Egress");
    spec["policyTypes"] = std::move(types);
  }
}

void DefaultApplication(Json& obj) {
  Json& spec = Obj(obj, "spec");
  Default(spec, "project", "default");
  IfObject(spec, "syncPolicy", [](Json& sp) {
    IfObject(sp, "retry", [](Json& r) {
      Json& b = Obj(r, "backoff");
      Default(b, "duration", "5s");
      Default(b, "factor", 2);
      Default(b, "maxDuration", "3m");
    });
  });
}

}  // namespace

void ApplyDefaults(Object& obj) {
  Json& j = obj.json();
  if (!j.is_object()) return;
  const GroupVersionKind gvk = obj.gvk();
  const std::string& g = gvk.group;
  const std::string& k = gvk.kind;
  if (gvk.version != "v1" && !(g == "autoscaling" && gvk.version == "v2")) return;
  if (g.empty()) {
    if (k == "Pod") {
      DefaultPod(j);
    } else if (k == "PodTemplate") {
      IfObject(j, "template", [](Json& t) { DefaultPodSpec(Obj(t, "spec")); });
    } else if (k == "ReplicationController") {
      Default(Obj(j, "spec"), "replicas", 1);
      DefaultPodTemplate(j["spec"]);
    } else if (k == "Service") {
      DefaultService(j);
    } else if (k == "Secret") {
      DefaultSecret(j);
    } else if (k == "Namespace") {
      // The namespace strategy's PrepareForCreate.
      Default(Obj(j, "spec"), "finalizers", Json::array({"kubernetes"}));
      Default(Obj(j, "status"), "phase", "Active");
    } else if (k == "PersistentVolume") {
      Json& spec = Obj(j, "spec");
      Default(spec, "persistentVolumeReclaimPolicy", "Retain");
      Default(spec, "volumeMode", "Filesystem");
      Default(Obj(j, "status"), "phase", "Pending");
    } else if (k == "PersistentVolumeClaim") {
      Default(Obj(j, "spec"), "volumeMode", "Filesystem");
      Default(Obj(j, "status"), "phase", "Pending");
    } else if (k == "LimitRange") {
      DefaultLimitRange(j);
    } else if (k == "Endpoints") {
      ForEach(j, "subsets",
              [](Json& s) { ForEach(s, "ports", [](Json& p) { Default(p, "protocol", "TCP"); }); });
    }
  } else if (g == "apps") {
    if (k == "Deployment") {
      DefaultDeployment(j);
    } else if (k == "ReplicaSet") {
      Default(Obj(j, "spec"), "replicas", 1);
      DefaultPodTemplate(j["spec"]);
    } else if (k == "StatefulSet") {
      DefaultStatefulSet(j);
    } else if (k == "DaemonSet") {
      DefaultDaemonSet(j);
    }
  } else if (g == "batch") {
    if (k == "Job") {
      DefaultJob(j);
    } else if (k == "CronJob") {
      DefaultCronJob(j);
    }
  } else if (g == "rbac.authorization.k8s.io") {
    if (k == "RoleBinding" || k == "ClusterRoleBinding") DefaultSubjects(j);
  } else if (g == "autoscaling") {
    if (k == "HorizontalPodAutoscaler") DefaultHpa(j);
  } else if (g == "networking.k8s.io") {
    if (k == "NetworkPolicy") DefaultNetworkPolicy(j);
  } else if (g == "storage.k8s.io") {
    if (k == "StorageClass") {
      Default(j, "reclaimPolicy", "Delete");
      Default(j, "volumeBindingMode", "Immediate");
    }
  } else if (g == "keelson.dev") {
    if (k == "Application") DefaultApplication(j);
  }
}

}  // namespace keelson::api
