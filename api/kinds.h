// The kinds registry: group/version/kind ↔ REST resource, short names, scope. Thread-safe for
// reads after start-up; Register is for start-up only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/object.h"

namespace keelson::api {

struct KindInfo {
  std::string group;                     // "" for core
  std::string version;                   // "v1"
  std::string kind;                      // "Deployment"
  std::string resource;                  // "deployments"
  std::string singular;                  // "deployment"
  std::vector<std::string> short_names;  // {"deploy"}
  std::vector<std::string> categories;   // {"all"}
  bool namespaced = true;
  std::vector<std::string> verbs;  // create delete deletecollection get list patch update watch
  std::vector<std::string> subresources;  // {"status", "scale"}

  GroupVersionKind gvk() const { return {group, version, kind}; }
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // "deployments.apps" or "pods": the name kubectl prints in errors for a group resource.
  std::string qualified_resource() const {
    return group.empty() ? resource : resource + "." + group;
  }
};

class Kinds {
 public:
  // The process-wide registry, preloaded with the Kubernetes built-ins (core v1, apps/v1,
  // batch/v1, rbac.authorization.k8s.io/v1, networking.k8s.io/v1, autoscaling/v2, policy/v1,
  // storage.k8s.io/v1, coordination.k8s.io/v1, events.k8s.io/v1, apiextensions.k8s.io/v1,
  // authorization.k8s.io/v1, discovery.k8s.io/v1, and the rest of what `kubectl api-resources`
  // lists on a v1.32 cluster: autoscaling/v1, authentication, admissionregistration,
  // apiregistration, certificates, flowcontrol, node, scheduling) and keelson.dev/v1
  // (Application, Repository, SealedSecret), with the short names, categories, verbs and
  // subresources a v1.32 API server advertises.
  static Kinds& Default();

  // Adds or replaces a kind (start-up only, not thread-safe against readers).
  void Register(KindInfo info);
  // By exact group/version/kind; nullptr if unknown.
  const KindInfo* ByGvk(const GroupVersionKind& gvk) const;
  // By group, version and plural resource name; nullptr if unknown.
  const KindInfo* ByResource(std::string_view group, std::string_view version,
                             std::string_view resource) const;
  // Resolves what a user types: plural, singular, short name or kind, case-insensitive, each
  // optionally qualified by group ("deployments.apps", "deploy", "Deployment", "po").
  // nullptr if unknown.
  const KindInfo* Lookup(std::string_view user_input) const;
  // Every registered kind, in registration order.
  const std::vector<KindInfo>& All() const { return kinds_; }

 private:
  std::vector<KindInfo> kinds_;
};

}  // namespace keelson::api
