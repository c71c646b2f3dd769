// The kinds registry and its built-in table, matching `kubectl api-resources` of a v1.32 cluster.
#include "api/kinds.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace keelson::api {
namespace {

using Strings = std::vector<std::string>;

// Verb sets as the Kubernetes API server advertises them.
const Strings kAllVerbs = {"create", "delete", "deletecollection", "get",
                           "list",   "patch",  "update",           "watch"};
// Namespaces do not support deletecollection.
const Strings kNoCollectionVerbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
const Strings kCreateOnly = {"create"};
const Strings kGetList = {"get", "list"};

KindInfo Make(std::string group, std::string version, std::string kind, std::string resource,
              bool namespaced, Strings short_names = {}, Strings subresources = {},
              Strings categories = {}, const Strings& verbs = kAllVerbs) {
  KindInfo k;
  k.group = std::move(group);
  k.version = std::move(version);
  k.singular = kind;
  std::transform(k.singular.begin(), k.singular.end(), k.singular.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  k.kind = std::move(kind);
  k.resource = std::move(resource);
  k.namespaced = namespaced;
  k.short_names = std::move(short_names);
  k.subresources = std::move(subresources);
  k.categories = std::move(categories);
  k.verbs = verbs;
  return k;
}

void RegisterBuiltins(Kinds& k) {
  const Strings all = {"all"};
  const Strings ext = {"api-extensions"};
  const Strings status = {"status"};
  const Strings scale_status = {"scale", "status"};

  // Core v1, in the order /api/v1 lists them.
  k.Register(Make("", "v1", "Binding", "bindings", true, {}, {}, {}, kCreateOnly));
  k.Register(
      Make("", "v1", "ComponentStatus", "componentstatuses", false, {"cs"}, {}, {}, kGetList));
  k.Register(Make("", "v1", "ConfigMap", "configmaps", true, {"cm"}));
  k.Register(Make("", "v1", "Endpoints", "endpoints", true, {"ep"}));
  k.Register(Make("", "v1", "Event", "events", true, {"ev"}));
  k.Register(Make("", "v1", "LimitRange", "limitranges", true, {"limits"}));
  k.Register(Make("", "v1", "Namespace", "namespaces", false, {"ns"}, {"finalize", "status"}, {},
                  kNoCollectionVerbs));
  k.Register(Make("", "v1", "Node", "nodes", false, {"no"}, {"proxy", "status"}));
  k.Register(
      Make("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, {"pvc"}, status));
  k.Register(Make("", "v1", "PersistentVolume", "persistentvolumes", false, {"pv"}, status));
  k.Register(Make("", "v1", "Pod", "pods", true, {"po"},
                  {"attach", "binding", "ephemeralcontainers", "eviction", "exec", "log",
                   "portforward", "proxy", "status"},
                  all));
  k.Register(Make("", "v1", "PodTemplate", "podtemplates", true));
  k.Register(Make("", "v1", "ReplicationController", "replicationcontrollers", true, {"rc"},
                  scale_status, all));
  k.Register(Make("", "v1", "ResourceQuota", "resourcequotas", true, {"quota"}, status));
  k.Register(Make("", "v1", "Secret", "secrets", true));
  k.Register(Make("", "v1", "ServiceAccount", "serviceaccounts", true, {"sa"}, {"token"}));
  k.Register(Make("", "v1", "Service", "services", true, {"svc"}, {"proxy", "status"}, all));

  // admissionregistration.k8s.io/v1
  k.Register(Make("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
                  "mutatingwebhookconfigurations", false, {}, {}, ext));
  k.Register(Make("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
                  "validatingwebhookconfigurations", false, {}, {}, ext));

  // apiextensions.k8s.io/v1
  k.Register(Make("apiextensions.k8s.io", "v1", "CustomResourceDefinition",
                  "customresourcedefinitions", false, {"crd", "crds"}, status, ext));

  // apps/v1
  k.Register(Make("apps", "v1", "ControllerRevision", "controllerrevisions", true));
  k.Register(Make("apps", "v1", "DaemonSet", "daemonsets", true, {"ds"}, status, all));
  k.Register(Make("apps", "v1", "Deployment", "deployments", true, {"deploy"}, scale_status, all));
  k.Register(Make("apps", "v1", "ReplicaSet", "replicasets", true, {"rs"}, scale_status, all));
  k.Register(Make("apps", "v1", "StatefulSet", "statefulsets", true, {"sts"}, scale_status, all));

  // authentication.k8s.io/v1
  k.Register(Make("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false,
                  {}, {}, {}, kCreateOnly));
  k.Register(Make("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", false, {}, {}, {},
                  kCreateOnly));

  // authorization.k8s.io/v1
  k.Register(Make("authorization.k8s.io", "v1", "LocalSubjectAccessReview",
                  "localsubjectaccessreviews", true, {}, {}, {}, kCreateOnly));
  k.Register(Make("authorization.k8s.io", "v1", "SelfSubjectAccessReview",
                  "selfsubjectaccessreviews", false, {}, {}, {}, kCreateOnly));
  k.Register(Make("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews",
                  false, {}, {}, {}, kCreateOnly));
  k.Register(Make("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews",
                  false, {}, {}, {}, kCreateOnly));

  // autoscaling: v2 is the preferred version, v1 is still served.
  k.Register(Make("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true,
                  {"hpa"}, status, all));
  k.Register(Make("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true,
                  {"hpa"}, status, all));

  // batch/v1
  k.Register(Make("batch", "v1", "CronJob", "cronjobs", true, {"cj"}, status, all));
  k.Register(Make("batch", "v1", "Job", "jobs", true, {}, status, all));

  // certificates.k8s.io/v1
  k.Register(Make("certificates.k8s.io", "v1", "CertificateSigningRequest",
                  "certificatesigningrequests", false, {"csr"}, {"approval", "status"}));

  // coordination.k8s.io/v1
  k.Register(Make("coordination.k8s.io", "v1", "Lease", "leases", true));

  // discovery.k8s.io/v1
  k.Register(Make("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true));

  // events.k8s.io/v1 (after core v1 events, so "events" and "ev" resolve to the core group)
  k.Register(Make("events.k8s.io", "v1", "Event", "events", true, {"ev"}));

  // networking.k8s.io/v1
  k.Register(Make("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false));
  k.Register(Make("networking.k8s.io", "v1", "Ingress", "ingresses", true, {"ing"}, status));
  k.Register(Make("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, {"netpol"}));

  // node.k8s.io/v1
  k.Register(Make("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false));

  // policy/v1
  k.Register(
      Make("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, {"pdb"}, status));

  // rbac.authorization.k8s.io/v1
  const std::string rbac = "rbac.authorization.k8s.io";
  k.Register(Make(rbac, "v1", "ClusterRoleBinding", "clusterrolebindings", false));
  k.Register(Make(rbac, "v1", "ClusterRole", "clusterroles", false));
  k.Register(Make(rbac, "v1", "RoleBinding", "rolebindings", true));
  k.Register(Make(rbac, "v1", "Role", "roles", true));

  // scheduling.k8s.io/v1
  k.Register(Make("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, {"pc"}));

  // storage.k8s.io/v1
  k.Register(Make("storage.k8s.io", "v1", "CSIDriver", "csidrivers", false));
  k.Register(Make("storage.k8s.io", "v1", "CSINode", "csinodes", false));
  k.Register(Make("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, {"sc"}));
  k.Register(
      Make("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", false, {}, status));

  // keelson.dev/v1: Keelson's own kinds.
  k.Register(
      Make("keelson.dev", "v1", "Application", "applications", true, {"app", "apps"}, status));
  k.Register(
      Make("keelson.dev", "v1", "Repository", "repositories", true, {"repo", "repos"}, status));
  k.Register(Make("keelson.dev", "v1", "SealedSecret", "sealedsecrets", true, {}, status));
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// True if `qualifier` (what followed the first '.' of the user's input) names the kind's group,
// as "apps" or "v1.apps" (kubectl's resource.version.group form).
bool QualifierMatches(const KindInfo& k, std::string_view qualifier) {
  if (qualifier.empty()) return true;
  if (IEquals(qualifier, k.group)) return true;
  if (k.group.empty()) return IEquals(qualifier, k.version);
  return IEquals(qualifier, k.version + "." + k.group);
}

}  // namespace

Kinds& Kinds::Default() {
  static Kinds* kinds = [] {
    auto* k = new Kinds();
    RegisterBuiltins(*k);
    return k;
  }();
  return *kinds;
}

void Kinds::Register(KindInfo info) {
  for (auto& k : kinds_) {
    if (k.group == info.group && k.version == info.version && k.kind == info.kind) {
      k = std::move(info);
      return;
    }
  }
  kinds_.push_back(std::move(info));
}

const KindInfo* Kinds::ByGvk(const GroupVersionKind& gvk) const {
  for (const auto& k : kinds_) {
    if (k.kind == gvk.kind && k.version == gvk.version && k.group == gvk.group) return &k;
  }
  return nullptr;
}

const KindInfo* Kinds::ByResource(std::string_view group, std::string_view version,
                                  std::string_view resource) const {
  for (const auto& k : kinds_) {
    if (k.resource == resource && k.version == version && k.group == group) return &k;
  }
  return nullptr;
}

const KindInfo* Kinds::Lookup(std::string_view input) const {
  if (input.empty()) return nullptr;
  // Unqualified names first: "pods" or a kind with dots in no built-in name.
  auto try_match = [&](std::string_view name, std::string_view qualifier) -> const KindInfo* {
    // kubectl's precedence: plural resource, singular, short name, then kind. Within each
    // class the first registered (core group first) wins.
    for (const auto& k : kinds_) {
      if (IEquals(name, k.resource) && QualifierMatches(k, qualifier)) return &k;
    }
    for (const auto& k : kinds_) {
      if (IEquals(name, k.singular) && QualifierMatches(k, qualifier)) return &k;
    }
    for (const auto& k : kinds_) {
      if (!QualifierMatches(k, qualifier)) continue;
      for (const auto& s : k.short_names) {
        if (IEquals(name, s)) return &k;
      }
    }
    for (const auto& k : kinds_) {
      if (IEquals(name, k.kind) && QualifierMatches(k, qualifier)) return &k;
    }
    return nullptr;
  };
  const size_t dot = input.find('.');
  if (dot == std::string_view::npos) return try_match(input, "");
  if (dot == 0 || dot + 1 == input.size()) return nullptr;
  return try_match(input.substr(0, dot), input.substr(dot + 1));
}

}  // namespace keelson::api
