// Discovery documents in the shapes of k8s.io/apimachinery metav1 (APIVersions, APIGroupList,
// APIGroup, APIResourceList) and k8s.io/api/apidiscovery (APIGroupDiscoveryList).
#include "api/discovery.h"

#include <algorithm>
#include <set>

namespace keelson::api {
namespace {

const std::vector<std::string> kGetPatchUpdate = {"get", "patch", "update"};
const std::vector<std::string> kCreate = {"create"};
const std::vector<std::string> kCreateGet = {"create", "get"};

std::vector<std::string> GroupsInOrder(const Kinds& kinds) {
  std::vector<std::string> groups;
  for (const auto& k : kinds.All()) {
    if (k.group.empty()) continue;
    if (std::find(groups.begin(), groups.end(), k.group) == groups.end()) groups.push_back(k.group);
  }
  return groups;
}

std::vector<std::string> VersionsOf(const Kinds& kinds, std::string_view group) {
  std::vector<std::string> versions;
  for (const auto& k : kinds.All()) {
    if (k.group != group) continue;
    if (std::find(versions.begin(), versions.end(), k.version) == versions.end()) {
      versions.push_back(k.version);
    }
  }
  return versions;
}

std::vector<const KindInfo*> KindsOf(const Kinds& kinds, std::string_view group,
                                     std::string_view version) {
  std::vector<const KindInfo*> out;
  for (const auto& k : kinds.All()) {
    if (k.group == group && k.version == version) out.push_back(&k);
  }
  std::sort(out.begin(), out.end(),
            [](const KindInfo* a, const KindInfo* b) { return a->resource < b->resource; });
  return out;
}

Json GroupVersionForDiscovery(std::string_view group, std::string_view version) {
  return {{"groupVersion", std::string(group) + "/" + std::string(version)},
          {"version", std::string(version)}};
}

Json Strings(const std::vector<std::string>& v) { return Json(v); }

}  // namespace

SubresourceInfo DescribeSubresource(const KindInfo& parent, std::string_view sub) {
  SubresourceInfo s;
  s.kind = parent.kind;
  s.verbs = kGetPatchUpdate;
  if (sub == "status" || sub == "ephemeralcontainers" || sub == "approval") return s;
  if (sub == "scale") {
    s.group = "autoscaling";
    s.version = "v1";
    s.kind = "Scale";
    return s;
  }
  if (sub == "log") {
    s.verbs = {"get"};
    return s;
  }
  if (sub == "exec" || sub == "attach" || sub == "portforward") {
    s.kind = sub == "exec"     ? "PodExecOptions"
             : sub == "attach" ? "PodAttachOptions"
                               : "PodPortForwardOptions";
    s.verbs = kCreateGet;
    return s;
  }
  if (sub == "proxy") {
    s.kind = parent.kind + "ProxyOptions";
    s.verbs = {"create", "delete", "get", "patch", "update"};
    return s;
  }
  if (sub == "binding") {
    s.kind = "Binding";
    s.verbs = kCreate;
    return s;
  }
  if (sub == "eviction") {
    s.group = "policy";
    s.version = "v1";
    s.kind = "Eviction";
    s.verbs = kCreate;
    return s;
  }
  if (sub == "token") {
    s.group = "authentication.k8s.io";
    s.version = "v1";
    s.kind = "TokenRequest";
    s.verbs = kCreate;
    return s;
  }
  if (sub == "finalize") {
    s.verbs = {"update"};
    return s;
  }
  return s;
}

Json BuildApiVersions(std::string_view server_address) {
  Json cidrs = Json::array();
  if (!server_address.empty()) {
    cidrs.push_back({{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", std::string(server_address)}});
  }
  return {{"kind", "APIVersions"},
          {"versions", Json::array({"v1"})},
          {"serverAddressByClientCIDRs", std::move(cidrs)}};
}

Json BuildResourceList(const Kinds& kinds, std::string_view group, std::string_view version) {
  auto list = KindsOf(kinds, group, version);
  if (list.empty()) return nullptr;
  struct Entry {
    std::string name;
    Json json;
  };
  std::vector<Entry> entries;
  for (const KindInfo* k : list) {
    Json r = {{"name", k->resource},
              {"singularName", k->singular},
              {"namespaced", k->namespaced},
              {"kind", k->kind},
              {"verbs", Strings(k->verbs)}};
    if (!k->short_names.empty()) r["shortNames"] = Strings(k->short_names);
    if (!k->categories.empty()) r["categories"] = Strings(k->categories);
    entries.push_back({k->resource, std::move(r)});
    for (const auto& sub : k->subresources) {
      const SubresourceInfo info = DescribeSubresource(*k, sub);
      Json s = {{"name", k->resource + "/" + sub},
                {"singularName", ""},
                {"namespaced", k->namespaced},
                {"kind", info.kind},
                {"verbs", Strings(info.verbs)}};
      if (!info.version.empty()) {
        s["group"] = info.group;
        s["version"] = info.version;
      }
      entries.push_back({k->resource + "/" + sub, std::move(s)});
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.name < b.name; });
  Json resources = Json::array();
  for (auto& e : entries) resources.push_back(std::move(e.json));
  Json doc = {{"kind", "APIResourceList"},
              {"groupVersion", group.empty() ? std::string(version)
                                             : std::string(group) + "/" + std::string(version)},
              {"resources", std::move(resources)}};
  if (!group.empty()) doc["apiVersion"] = "v1";
  return doc;
}

Json BuildApiGroup(const Kinds& kinds, std::string_view group) {
  if (group.empty()) return nullptr;
  auto versions = VersionsOf(kinds, group);
  if (versions.empty()) return nullptr;
  Json vs = Json::array();
  for (const auto& v : versions) vs.push_back(GroupVersionForDiscovery(group, v));
  return {{"kind", "APIGroup"},
          {"apiVersion", "v1"},
          {"name", std::string(group)},
          {"versions", std::move(vs)},
          {"preferredVersion", GroupVersionForDiscovery(group, versions.front())}};
}

Json BuildApiGroupList(const Kinds& kinds) {
  Json groups = Json::array();
  for (const auto& g : GroupsInOrder(kinds)) {
    Json group = BuildApiGroup(kinds, g);
    group.erase("kind");
    group.erase("apiVersion");
    groups.push_back(std::move(group));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(groups)}};
}

namespace {

Json GvkJson(std::string_view group, std::string_view version, std::string_view kind) {
  return {{"group", std::string(group)},
          {"version", std::string(version)},
          {"kind", std::string(kind)}};
}

Json AggregatedGroup(const Kinds& kinds, std::string_view group) {
  Json versions = Json::array();
  for (const auto& v : VersionsOf(kinds, group)) {
    Json resources = Json::array();
    for (const KindInfo* k : KindsOf(kinds, group, v)) {
      Json r = {{"resource", k->resource},
                {"responseKind", GvkJson("", "", k->kind)},
                {"scope", k->namespaced ? "Namespaced" : "Cluster"},
                {"singularResource", k->singular},
                {"verbs", Strings(k->verbs)}};
      if (!k->short_names.empty()) r["shortNames"] = Strings(k->short_names);
      if (!k->categories.empty()) r["categories"] = Strings(k->categories);
      if (!k->subresources.empty()) {
        std::vector<std::string> subs = k->subresources;
        std::sort(subs.begin(), subs.end());
        Json subresources = Json::array();
        for (const auto& sub : subs) {
          const SubresourceInfo info = DescribeSubresource(*k, sub);
          subresources.push_back({{"subresource", sub},
                                  {"responseKind", GvkJson(info.group, info.version, info.kind)},
                                  {"verbs", Strings(info.verbs)}});
        }
        r["subresources"] = std::move(subresources);
      }
      resources.push_back(std::move(r));
    }
    versions.push_back(
        {{"version", v}, {"resources", std::move(resources)}, {"freshness", "Current"}});
  }
  Json metadata = {{"creationTimestamp", nullptr}};
  if (!group.empty()) metadata["name"] = std::string(group);
  return {{"metadata", std::move(metadata)}, {"versions", std::move(versions)}};
}

}  // namespace

Json BuildAggregatedDiscovery(const Kinds& kinds, bool core, AggregatedVersion version) {
  Json items = Json::array();
  if (core) {
    items.push_back(AggregatedGroup(kinds, ""));
  } else {
    for (const auto& g : GroupsInOrder(kinds)) items.push_back(AggregatedGroup(kinds, g));
  }
  return {{"kind", "APIGroupDiscoveryList"},
          {"apiVersion", version == AggregatedVersion::kV2 ? "apidiscovery.k8s.io/v2"
                                                           : "apidiscovery.k8s.io/v2beta1"},
          {"metadata", Json::object()},
          {"items", std::move(items)}};
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

DiscoveryFormat NegotiateDiscovery(std::string_view accept) {
  size_t start = 0;
  while (start <= accept.size()) {
    size_t end = accept.find(',', start);
    if (end == std::string_view::npos) end = accept.size();
    std::string_view range = accept.substr(start, end - start);
    start = end + 1;
    // media-type;param=value;...
    size_t semi = range.find(';');
    std::string_view type = Trim(range.substr(0, semi));
    if (type != "application/json") continue;
    std::string_view g, v, as;
    while (semi != std::string_view::npos) {
      size_t next = range.find(';', semi + 1);
      std::string_view param =
          Trim(range.substr(semi + 1, next == range.npos ? range.npos : next - semi - 1));
      semi = next;
      size_t eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view key = Trim(param.substr(0, eq));
      std::string_view value = Trim(param.substr(eq + 1));
      if (key == "g") g = value;
      if (key == "v") v = value;
      if (key == "as") as = value;
    }
    if (g.empty() && v.empty() && as.empty()) return DiscoveryFormat::kLegacy;
    if (g == "apidiscovery.k8s.io" && as == "APIGroupDiscoveryList") {
      if (v == "v2") return DiscoveryFormat::kAggregatedV2;
      if (v == "v2beta1") return DiscoveryFormat::kAggregatedV2Beta1;
    }
  }
  return DiscoveryFormat::kLegacy;
}

std::string_view DiscoveryContentType(DiscoveryFormat format) {
  switch (format) {
    case DiscoveryFormat::kAggregatedV2:
      return "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    case DiscoveryFormat::kAggregatedV2Beta1:
      return "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
    case DiscoveryFormat::kLegacy:
      break;
  }
  return "application/json";
}

DiscoveryCache::DiscoveryCache(const Kinds& kinds, std::string server_address) {
  api_legacy_ = BuildApiVersions(server_address).dump();
  api_v2_ = BuildAggregatedDiscovery(kinds, true, AggregatedVersion::kV2).dump();
  api_v2beta1_ = BuildAggregatedDiscovery(kinds, true, AggregatedVersion::kV2Beta1).dump();
  apis_legacy_ = BuildApiGroupList(kinds).dump();
  apis_v2_ = BuildAggregatedDiscovery(kinds, false, AggregatedVersion::kV2).dump();
  apis_v2beta1_ = BuildAggregatedDiscovery(kinds, false, AggregatedVersion::kV2Beta1).dump();
  std::set<std::pair<std::string, std::string>> gvs;
  for (const auto& k : kinds.All()) gvs.insert({k.group, k.version});
  for (const auto& [g, v] : gvs) {
    resource_lists_[{g, v}] = BuildResourceList(kinds, g, v).dump();
    if (!g.empty() && !groups_.contains(g)) groups_[g] = BuildApiGroup(kinds, g).dump();
  }
}

const std::string& DiscoveryCache::Api(DiscoveryFormat format) const {
  switch (format) {
    case DiscoveryFormat::kAggregatedV2:
      return api_v2_;
    case DiscoveryFormat::kAggregatedV2Beta1:
      return api_v2beta1_;
    case DiscoveryFormat::kLegacy:
      break;
  }
  return api_legacy_;
}

const std::string& DiscoveryCache::Apis(DiscoveryFormat format) const {
  switch (format) {
    case DiscoveryFormat::kAggregatedV2:
      return apis_v2_;
    case DiscoveryFormat::kAggregatedV2Beta1:
      return apis_v2beta1_;
    case DiscoveryFormat::kLegacy:
      break;
  }
  return apis_legacy_;
}

const std::string* DiscoveryCache::ResourceList(std::string_view group,
                                                std::string_view version) const {
  auto it = resource_lists_.find(std::pair<std::string, std::string>(group, version));
  return it == resource_lists_.end() ? nullptr : &it->second;
}

const std::string* DiscoveryCache::Group(std::string_view group) const {
  auto it = groups_.find(group);
  return it == groups_.end() ? nullptr : &it->second;
}

}  // namespace keelson::api
