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

}  // namespace

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
