// Kubernetes discovery documents built from a kinds registry: the legacy documents (/api,
// /api/v1, /apis, /apis/{group}, /apis/{group}/{version}) and the aggregated discovery
// documents (apidiscovery.k8s.io/v2 and v2beta1 APIGroupDiscoveryList) that kubectl 1.32 asks
// for first. The builders are pure functions; DiscoveryCache computes every document once so
// that an API server can serve them without work per request.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/kinds.h"
#include "api/object.h"

namespace keelson::api {

// What a subresource looks like in discovery ("pods/log" answers a Pod to get; "deployments/scale"
// takes and returns an autoscaling/v1 Scale).
struct SubresourceInfo {
  std::string group;    // of the response kind; "" with an empty version means "the parent's"
  std::string version;  // "" for the parent's group/version
  std::string kind;     // "Pod", "Scale", "Eviction", "TokenRequest", "PodExecOptions", ...
  std::vector<std::string> verbs;
};

// The response kind and verbs of `subresource` of `parent` as the Kubernetes API server
// advertises them (status: get/patch/update of the parent kind; scale: autoscaling/v1 Scale;
// log: get Pod; exec/attach/portforward: create/get; binding/eviction/token: create; ...). An
// unknown subresource name gets the parent kind with get/patch/update.
SubresourceInfo DescribeSubresource(const KindInfo& parent, std::string_view subresource);

// GET /api: {"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[...]}.
// `server_address` ("127.0.0.1:6443") is advertised for clientCIDR 0.0.0.0/0; the list is empty
// when it is "".
Json BuildApiVersions(std::string_view server_address);

// GET /api/v1 or /apis/{group}/{version}: the APIResourceList of every kind registered for that
// group/version, sorted by name, with one "<resource>/<sub>" entry per subresource (verbs and
// response kind as DescribeSubresource says). Entries carry name, singularName, namespaced, kind,
// verbs, and shortNames/categories when non-empty. Returns null JSON if no kind is registered for
// the group/version (the server answers 404).
Json BuildResourceList(const Kinds& kinds, std::string_view group, std::string_view version);

// GET /apis/{group}: the APIGroup with its versions in registration order (the first registered
// version is the preferred one, as autoscaling v2 before v1). Null JSON for an unknown group and
// for the core group "".
Json BuildApiGroup(const Kinds& kinds, std::string_view group);

// GET /apis: the APIGroupList of every named group, in order of first registration.
Json BuildApiGroupList(const Kinds& kinds);

enum class AggregatedVersion { kV2, kV2Beta1 };

// GET /api (core = true: one item, the "" group) or /apis (core = false: every named group) with
// Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList. Each group holds
// its versions (preferred first, freshness "Current"), each version its resources with
// responseKind, scope ("Namespaced"/"Cluster"), singularResource, verbs, shortNames, categories
// and subresources.
Json BuildAggregatedDiscovery(const Kinds& kinds, bool core, AggregatedVersion version);

// What a client's Accept header asks of /api and /apis: the aggregated documents when it names
// them (g=apidiscovery.k8s.io;v=v2 or v2beta1;as=APIGroupDiscoveryList, first acceptable wins),
// else the legacy documents.
enum class DiscoveryFormat { kLegacy, kAggregatedV2, kAggregatedV2Beta1 };
DiscoveryFormat NegotiateDiscovery(std::string_view accept_header);
// The Content-Type to answer with for `format` ("application/json" for kLegacy,
// "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" for kAggregatedV2, ...).
std::string_view DiscoveryContentType(DiscoveryFormat format);

// Every discovery document of one registry, built once at construction and serialized to JSON
// text. Construct after the registry is complete (after every Kinds::Register); the registry is
// not referenced afterwards. Immutable and so safe for concurrent readers; rebuild (construct a
// new cache) when kinds change.
class DiscoveryCache {
 public:
  DiscoveryCache(const Kinds& kinds, std::string server_address);

  // The body for GET /api or /apis in `format`.
  const std::string& Api(DiscoveryFormat format) const;
  const std::string& Apis(DiscoveryFormat format) const;
  // The body for GET /api/v1 ("" group) or /apis/{group}/{version}; nullptr if unknown (404).
  const std::string* ResourceList(std::string_view group, std::string_view version) const;
  // The body for GET /apis/{group}; nullptr if unknown (404).
  const std::string* Group(std::string_view group) const;

 private:
  std::string api_legacy_, api_v2_, api_v2beta1_;
  std::string apis_legacy_, apis_v2_, apis_v2beta1_;
  std::map<std::pair<std::string, std::string>, std::string, std::less<>> resource_lists_;
  std::map<std::string, std::string, std::less<>> groups_;
};

}  // namespace keelson::api
