// Discovery, version and OpenAPI documents from the kinds registry.
#include "daemon/discovery_docs.h"

#include <sys/utsname.h>

#include <map>
#include <set>

namespace keelson::daemon {
namespace {

constexpr const char* kGitVersion = "v1.32.0-keelson";

// Groups in registration order, each with its versions in order.
std::vector<std::pair<std::string, std::vector<std::string>>> GroupsOf(const api::Kinds& kinds) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& k : kinds.All()) {
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& g) { return g.first == k.group; });
    if (it == out.end()) {
      out.push_back({k.group, {k.version}});
    } else if (std::find(it->second.begin(), it->second.end(), k.version) == it->second.end()) {
      it->second.push_back(k.version);
    }
  }
  return out;
}

std::vector<std::string> VerbsOf(const api::KindInfo& k) {
  if (!k.verbs.empty()) return k.verbs;
  return {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
}

api::Json GroupJson(const std::string& group, const std::vector<std::string>& versions) {
  api::Json vs = api::Json::array();
  for (const auto& v : versions) vs.push_back({{"groupVersion", group + "/" + v}, {"version", v}});
  return {{"name", group},
          {"versions", vs},
          {"preferredVersion",
           {{"groupVersion", group + "/" + versions.front()}, {"version", versions.front()}}}};
}

}  // namespace

api::Json CoreVersions(const std::string& server_address) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}};
}

api::Json GroupList(const api::Kinds& kinds) {
  api::Json groups = api::Json::array();
  for (const auto& [g, vs] : GroupsOf(kinds)) {
    if (!g.empty()) groups.push_back(GroupJson(g, vs));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<api::Json> Group(const api::Kinds& kinds, const std::string& group) {
  for (const auto& [g, vs] : GroupsOf(kinds)) {
    if (g == group && !g.empty()) {
      api::Json j = GroupJson(g, vs);
      j["kind"] = "APIGroup";
      j["apiVersion"] = "v1";
      return j;
    }
  }
  return std::nullopt;
}

std::optional<api::Json> ResourceList(const api::Kinds& kinds, const std::string& group,
                                      const std::string& version) {
  api::Json resources = api::Json::array();
  bool found = false;
  for (const auto& k : kinds.All()) {
    if (k.group != group || k.version != version) continue;
    found = true;
    api::Json r = {{"name", k.resource},
                   {"singularName", k.singular},
                   {"namespaced", k.namespaced},
                   {"kind", k.kind},
                   {"verbs", VerbsOf(k)}};
    if (!k.short_names.empty()) r["shortNames"] = k.short_names;
    if (!k.categories.empty()) r["categories"] = k.categories;
    resources.push_back(r);
    for (const auto& sub : k.subresources) {
      api::Json s = {{"name", k.resource + "/" + sub},
                     {"singularName", ""},
                     {"namespaced", k.namespaced},
                     {"kind", k.kind},
                     {"verbs", {"get", "patch", "update"}}};
      if (sub == "scale") {
        s["group"] = "autoscaling";
        s["version"] = "v1";
        s["kind"] = "Scale";
      }
      resources.push_back(s);
    }
  }
  if (!found) return std::nullopt;
  return api::Json{{"kind", "APIResourceList"},
                   {"apiVersion", "v1"},
                   {"groupVersion", group.empty() ? version : group + "/" + version},
                   {"resources", resources}};
}

api::Json AggregatedDiscovery(const api::Kinds& kinds, bool core, const std::string& api_version) {
  api::Json items = api::Json::array();
  for (const auto& [g, vs] : GroupsOf(kinds)) {
    if (g.empty() != core) continue;
    api::Json versions = api::Json::array();
    for (const auto& v : vs) {
      api::Json resources = api::Json::array();
      for (const auto& k : kinds.All()) {
        if (k.group != g || k.version != v) continue;
        api::Json r = {
            {"resource", k.resource},
            {"responseKind", {{"group", k.group}, {"version", k.version}, {"kind", k.kind}}},
            {"scope", k.namespaced ? "Namespaced" : "Cluster"},
            {"singularResource", k.singular},
            {"verbs", VerbsOf(k)}};
        if (!k.short_names.empty()) r["shortNames"] = k.short_names;
        if (!k.categories.empty()) r["categories"] = k.categories;
        api::Json subs = api::Json::array();
        for (const auto& sub : k.subresources) {
          api::Json kindref = {{"group", k.group}, {"version", k.version}, {"kind", k.kind}};
          if (sub == "scale")
            kindref = {{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}};
          subs.push_back({{"subresource", sub},
                          {"responseKind", kindref},
                          {"verbs", {"get", "patch", "update"}}});
        }
        if (!subs.empty()) r["subresources"] = subs;
        resources.push_back(r);
      }
      versions.push_back({{"version", v}, {"resources", resources}, {"freshness", "Current"}});
    }
    items.push_back(
        {{"metadata", {{"name", g}, {"creationTimestamp", nullptr}}}, {"versions", versions}});
  }
  return {{"kind", "APIGroupDiscoveryList"},
          {"apiVersion", api_version},
          {"metadata", api::Json::object()},
          {"items", items}};
}

api::Json VersionInfo() {
  struct utsname u {};
  uname(&u);
  std::string arch = u.machine;
  if (arch == "x86_64") arch = "amd64";
  if (arch == "aarch64") arch = "arm64";
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", kGitVersion},
          {"gitCommit", "keelson"},
          {"gitTreeState", "clean"},
          {"buildDate", __DATE__ " " __TIME__},
          {"goVersion", "n/a (C++)"},
          {"compiler", "g++"},
          {"platform", "linux/" + arch}};
}

api::Json OpenApiV3Root(const api::Kinds& kinds) {
  api::Json paths = api::Json::object();
  for (const auto& [g, vs] : GroupsOf(kinds)) {
    for (const auto& v : vs) {
      std::string p = g.empty() ? "api/" + v : "apis/" + g + "/" + v;
      paths[p] = {{"serverRelativeURL", "/openapi/v3/" + p + "?hash=keelson"}};
    }
  }
  return {{"paths", paths}};
}

std::optional<api::Json> OpenApiV3Document(const api::Kinds& kinds, const std::string& gv_path) {
  std::string group, version;
  if (gv_path.rfind("api/", 0) == 0) {
    version = gv_path.substr(4);
  } else if (gv_path.rfind("apis/", 0) == 0) {
    auto rest = gv_path.substr(5);
    auto slash = rest.find('/');
    if (slash == std::string::npos) return std::nullopt;
    group = rest.substr(0, slash);
    version = rest.substr(slash + 1);
  } else {
    return std::nullopt;
  }
  auto qp = [](const char* name, const char* desc) {
    return api::Json{{"name", name},
                     {"in", "query"},
                     {"description", desc},
                     {"schema", {{"type", "string"}}},
                     {"uniqueItems", true}};
  };
  api::Json write_params = {
      qp("dryRun", "When present, indicates that modifications should not be persisted."),
      qp("fieldManager",
         "fieldManager is a name associated with the actor or entity that is "
         "making these changes."),
      qp("fieldValidation",
         "fieldValidation instructs the server on how to handle objects in "
         "the request containing unknown or duplicate fields: Ignore, Warn or "
         "Strict.")};
  api::Json paths = api::Json::object();
  api::Json schemas = api::Json::object();
  bool found = false;
  for (const auto& k : kinds.All()) {
    if (k.group != group || k.version != version) continue;
    found = true;
    std::string prefix = "/" + gv_path + "/";
    std::string coll = prefix + (k.namespaced ? "namespaces/{namespace}/" : "") + k.resource;
    std::string item = coll + "/{name}";
    api::Json gvk = {{"group", k.group}, {"version", k.version}, {"kind", k.kind}};
    std::string schema_name =
        (k.group.empty() ? "io.k8s.api.core." : k.group + ".") + k.version + "." + k.kind;
    schemas[schema_name] = {{"type", "object"},
                            {"description", k.kind + " (keelson: any fields accepted here; the "
                                                     "server validates)"},
                            {"x-kubernetes-group-version-kind", {gvk}},
                            {"additionalProperties", true}};
    api::Json ref = {{"$ref", "#/components/schemas/" + schema_name}};
    api::Json ok = {
        {"200", {{"description", "OK"}, {"content", {{"application/json", {{"schema", ref}}}}}}}};
    auto op = [&](const std::string& action, const std::string& id, bool with_write_params) {
      api::Json o = {{"operationId", id},
                     {"x-kubernetes-action", action},
                     {"x-kubernetes-group-version-kind", gvk},
                     {"responses", ok}};
      if (with_write_params) o["parameters"] = write_params;
      return o;
    };
    api::Json body_json = {{"content", {{"application/json", {{"schema", ref}}}}},
                           {"required", true}};
    api::Json item_ops = {
        {"get", op("get", "read" + k.kind, false)},
        {"put", op("put", "replace" + k.kind, true)},
        {"delete", op("delete", "delete" + k.kind, false)},
    };
    item_ops["put"]["requestBody"] = body_json;
    // No strategic-merge-patch media type here: kubectl then computes strategic merge patches
    // for built-in kinds from its compiled-in types instead of from this permissive schema.
    api::Json patch = op("patch", "patch" + k.kind, true);
    patch["requestBody"] = {{"content",
                             {{"application/json-patch+json", {{"schema", api::Json::object()}}},
                              {"application/merge-patch+json", {{"schema", api::Json::object()}}}}},
                            {"required", true}};
    item_ops["patch"] = patch;
    paths[item] = item_ops;
    api::Json coll_ops = {{"get", op("list", "list" + k.kind, false)},
                          {"post", op("post", "create" + k.kind, true)}};
    coll_ops["post"]["requestBody"] = body_json;
    paths[coll] = coll_ops;
  }
  if (!found) return std::nullopt;
  return api::Json{{"openapi", "3.0.0"},
                   {"info", {{"title", "Kubernetes"}, {"version", kGitVersion}}},
                   {"paths", paths},
                   {"components", {{"schemas", schemas}}}};
}

}  // namespace keelson::daemon
