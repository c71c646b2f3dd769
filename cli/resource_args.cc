// Helpers shared by keelctl commands: resource arguments, manifests, namespaces, flags.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/codec.h"
#include "cli/commands.h"

namespace keelson::cli {
namespace {

namespace fs = std::filesystem;

api::Error Bad(std::string msg) { return api::BadRequest("error: " + std::move(msg)); }

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) {
    if (!cur.empty()) out.push_back(cur);
  }
  return out;
}

// The kinds `get all` expands to (kubectl's "all" category).
const std::vector<std::string>& AllCategory() {
  static const std::vector<std::string> kAll = {"pods",
                                                "services",
                                                "daemonsets.apps",
                                                "deployments.apps",
                                                "replicasets.apps",
                                                "statefulsets.apps",
                                                "horizontalpodautoscalers.autoscaling",
                                                "cronjobs.batch",
                                                "jobs.batch"};
  return kAll;
}

api::Status ReadOne(const std::string& path, std::istream& in, std::vector<ManifestObject>& out) {
  std::string text;
  std::string source = path;
  if (path == "-") {
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    source = "STDIN";
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f) return std::unexpected(Bad("the path \"" + path + "\" cannot be read"));
    std::ostringstream ss;
    ss << f.rdbuf();
    text = ss.str();
  }
  auto objs = api::DecodeManifests(text, source);
  if (!objs) {
    return std::unexpected(Bad("error parsing " + source + ": " + objs.error().message));
  }
  for (auto& o : *objs) out.push_back({std::move(o), source});
  return {};
}

}  // namespace

api::Result<std::vector<ResourceRef>> ParseResourceArgs(RestClient& client,
                                                        const std::vector<std::string>& args) {
  std::vector<ResourceRef> out;
  if (args.empty()) {
    return std::unexpected(
        Bad("you must specify the type of resource to get. Use \"keelctl api-resources\" for a "
            "complete list of supported resources."));
  }
  bool slash_form = args[0].find('/') != std::string::npos;
  auto resolve = [&](const std::string& type) -> api::Result<api::KindInfo> {
    return client.ResolveResource(type);
  };
  if (slash_form) {
    for (const auto& a : args) {
      auto slash = a.find('/');
      if (slash == std::string::npos) {
        return std::unexpected(
            Bad("there is no need to specify a resource type as a separate argument when "
                "passing arguments in resource/name form (e.g. 'keelctl get resource/<resource_"
                "name>' instead of 'keelctl get resource resource/<resource_name>'"));
      }
      std::string type = a.substr(0, slash), name = a.substr(slash + 1);
      if (type.empty() || name.empty()) {
        return std::unexpected(
            Bad("arguments in resource/name form must have a single resource and name"));
      }
      auto k = resolve(type);
      if (!k) return std::unexpected(k.error());
      bool merged = false;
      for (auto& r : out) {
        if (r.kind.resource == k->resource && r.kind.group == k->group) {
          r.names.push_back(name);
          merged = true;
        }
      }
      if (!merged) out.push_back({*k, {name}});
    }
    return out;
  }
  std::vector<std::string> names(args.begin() + 1, args.end());
  for (const auto& n : names) {
    if (n.find('/') != std::string::npos) {
      return std::unexpected(
          Bad("there is no need to specify a resource type as a separate argument when passing "
              "arguments in resource/name form (e.g. 'keelctl get resource/<resource_name>' "
              "instead of 'keelctl get resource resource/<resource_name>'"));
    }
  }
  for (const auto& type : Split(args[0], ',')) {
    if (type == "all") {
      auto all = client.ServerResources();
      if (!all) return std::unexpected(all.error());
      for (const auto& t : AllCategory()) {
        auto k = resolve(t);
        if (k) out.push_back({*k, names});
      }
      continue;
    }
    auto k = resolve(type);
    if (!k) return std::unexpected(k.error());
    out.push_back({*k, names});
  }
  return out;
}

api::Result<std::vector<ManifestObject>> ReadManifests(const std::vector<std::string>& filenames,
                                                       bool recursive, std::istream& in) {
  std::vector<ManifestObject> out;
  if (filenames.empty()) {
    return std::unexpected(Bad("must specify one of -f and -k"));
  }
  for (const auto& name : filenames) {
    if (name == "-") {
      if (auto s = ReadOne(name, in, out); !s) return std::unexpected(s.error());
      continue;
    }
    std::error_code ec;
    if (!fs::exists(name, ec)) {
      return std::unexpected(Bad("the path \"" + name + "\" does not exist"));
    }
    if (!fs::is_directory(name, ec)) {
      if (auto s = ReadOne(name, in, out); !s) return std::unexpected(s.error());
      continue;
    }
    std::vector<std::string> files;
    auto consider = [&](const fs::path& p) {
      auto ext = p.extension().string();
      if (ext == ".json" || ext == ".yaml" || ext == ".yml") files.push_back(p.string());
    };
    if (recursive) {
      for (const auto& de : fs::recursive_directory_iterator(name, ec)) {
        if (de.is_regular_file()) consider(de.path());
      }
    } else {
      for (const auto& de : fs::directory_iterator(name, ec)) {
        if (de.is_regular_file()) consider(de.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (auto s = ReadOne(f, in, out); !s) return std::unexpected(s.error());
    }
  }
  return out;
}

api::Status ApplyNamespace(Env& env, const api::KindInfo& kind, api::Object& obj) {
  if (!kind.namespaced) {
    if (obj.metadata().is_object() && obj.metadata().contains("namespace")) {
      obj.MutableMeta().erase("namespace");
    }
    return {};
  }
  std::string ns = env.Namespace();
  std::string own = obj.namespace_();
  if (!own.empty() && env.NamespaceExplicit() && own != ns) {
    return std::unexpected(Bad(
        "the namespace from the provided object \"" + own + "\" does not match the namespace \"" +
        ns + "\". You must pass '--namespace=" + own + "' to perform this operation."));
  }
  if (own.empty()) obj.set_namespace(ns);
  return {};
}

api::Result<int> ParseDryRun(const std::string& value) {
  if (value.empty() || value == "none" || value == "false") return 0;
  if (value == "client" || value == "true" || value == "unchanged") return 1;
  if (value == "server") return 2;
  return std::unexpected(
      Bad("Invalid dry-run value (" + value + "). Must be \"none\", \"server\", or \"client\"."));
}

api::Result<std::string> ParseValidate(const std::string& value) {
  if (value.empty() || value == "strict" || value == "true") return std::string("Strict");
  if (value == "warn") return std::string("Warn");
  if (value == "ignore" || value == "false") return std::string("Ignore");
  return std::unexpected(Bad("invalid - validate option \"" + value +
                             "\"; must be one of: strict (or true), warn, ignore (or false)"));
}

}  // namespace keelson::cli
