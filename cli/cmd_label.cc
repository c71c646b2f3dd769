// keelctl label and annotate: key=value to set, key- to remove, --overwrite.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/printers.h"

namespace keelson::cli {
namespace {

using api::Json;

struct LabelFlags {
  std::vector<std::string> args;
  bool overwrite = false;
  bool all = false;
  bool all_namespaces = false;
  std::string selector;
  std::string resource_version;
  std::string output;
  std::string dry_run;
  std::vector<std::string> filenames;
  bool list = false;
};

// Splits arguments into resource arguments and key=value / key- changes (kubectl allows them
// in any order after the resource).
struct Changes {
  std::vector<std::string> resources;
  std::map<std::string, std::string> set;
  std::vector<std::string> remove;
};

api::Result<Changes> SplitArgs(const std::vector<std::string>& args, bool annotate) {
  Changes c;
  bool after_resource = false;
  for (const auto& a : args) {
    auto eq = a.find('=');
    if (eq != std::string::npos && (after_resource || c.resources.size() > 0)) {
      std::string key = a.substr(0, eq);
      if (key.empty()) {
        return std::unexpected(api::BadRequest(
            "error: invalid " + std::string(annotate ? "annotation" : "label") + " spec: " + a));
      }
      c.set[key] = a.substr(eq + 1);
      after_resource = true;
    } else if (a.size() > 1 && a.back() == '-' && !c.resources.empty()) {
      c.remove.push_back(a.substr(0, a.size() - 1));
      after_resource = true;
    } else {
      if (after_resource) {
        return std::unexpected(api::BadRequest("error: all resources must be specified before " +
                                               std::string(annotate ? "annotation" : "label") +
                                               " changes: " + a));
      }
      c.resources.push_back(a);
    }
  }
  if (c.set.empty() && c.remove.empty()) {
    return std::unexpected(api::BadRequest("error: at least one " +
                                           std::string(annotate ? "annotation" : "label") +
                                           " update is required"));
  }
  for (const auto& r : c.remove) {
    if (c.set.contains(r)) {
      return std::unexpected(
          api::BadRequest("error: can not both modify and remove the "
                          "same " +
                          std::string(annotate ? "annotation" : "label") + " in the same command"));
    }
  }
  return c;
}

int RunLabel(Env& env, LabelFlags& f, bool annotate) {
  const char* field = annotate ? "annotations" : "labels";
  auto changes = SplitArgs(f.args, annotate);
  if (!changes) return env.Fail(changes.error());
  auto dry = ParseDryRun(f.dry_run);
  if (!dry) return env.Fail(dry.error());
  auto fmt = ParseOutputFormat(f.output);
  if (!fmt) return env.Fail(fmt.error());
  auto client_or = env.Client();
  if (!client_or) return env.Fail(client_or.error());
  RestClient& client = **client_or;

  std::vector<api::Object> objects;
  if (!f.filenames.empty()) {
    auto objs = ReadManifests(f.filenames, false, env.in);
    if (!objs) return env.Fail(objs.error());
    for (auto& m : *objs) {
      auto k = client.KindFor(m.object.gvk());
      if (!k) return env.Fail(k.error());
      std::string ns =
          k->namespaced ? (m.object.namespace_().empty() ? env.Namespace() : m.object.namespace_())
                        : "";
      auto o = client.Get(k->gvk(), ns, m.object.name());
      if (!o) return env.Fail(o.error());
      objects.push_back(std::move(*o));
    }
  } else {
    auto refs = ParseResourceArgs(client, changes->resources);
    if (!refs) return env.Fail(refs.error());
    for (auto& r : *refs) {
      std::string ns = r.kind.namespaced && !f.all_namespaces ? env.Namespace() : "";
      if (r.names.empty()) {
        if (!f.all && f.selector.empty()) {
          return env.Fail("resource(s) were provided, but no name was specified");
        }
        api::ListOptions lo;
        lo.label_selector = f.selector;
        auto list = client.List(r.kind.gvk(), ns, lo);
        if (!list) return env.Fail(list.error());
        for (auto& o : list->items) objects.push_back(std::move(o));
      } else {
        for (const auto& n : r.names) {
          auto o = client.Get(r.kind.gvk(), ns, n);
          if (!o) {
            env.Fail(o.error());
            continue;
          }
          objects.push_back(std::move(*o));
        }
      }
    }
  }
  int rc = env.exit_code;
  for (const auto& obj : objects) {
    std::map<std::string, std::string> current = annotate ? obj.annotations() : obj.labels();
    if (!f.overwrite) {
      bool conflict = false;
      for (const auto& [k, v] : changes->set) {
        auto it = current.find(k);
        if (it != current.end()) {
          rc = env.Fail("'" + k + "' already has a value (" + it->second +
                        "), and --overwrite is false");
          conflict = true;
          break;
        }
      }
      if (conflict) continue;
    }
    Json patch_values = Json::object();
    bool changed = false;
    bool added = false;
    for (const auto& [k, v] : changes->set) {
      patch_values[k] = v;
      auto it = current.find(k);
      if (it == current.end() || it->second != v) changed = added = true;
    }
    for (const auto& k : changes->remove) {
      if (!current.contains(k)) {
        env.err << (annotate ? "annotation" : "label") << " \"" << k << "\" not found.\n";
        continue;
      }
      patch_values[k] = nullptr;
      changed = true;
    }
    Json patch = {{"metadata", {{field, patch_values}}}};
    if (!f.resource_version.empty()) patch["metadata"]["resourceVersion"] = f.resource_version;
    api::Object result = obj;
    if (*dry != 1 && changed) {
      api::WriteOptions wo;
      wo.dry_run = *dry == 2;
      wo.field_manager = annotate ? "kubectl-annotate" : "kubectl-label";
      auto r = client.Patch(obj.gvk(), obj.namespace_(), obj.name(), api::PatchType::kMerge,
                            patch.dump(), wo);
      if (!r) {
        rc = env.Fail(r.error());
        continue;
      }
      result = std::move(*r);
    }
    if (fmt->kind != OutputKind::kDefault && fmt->kind != OutputKind::kWide) {
      auto text = PrintObjects({result}, *fmt, false);
      if (!text) return env.Fail(text.error());
      env.out << *text;
      continue;
    }
    std::string msg;
    if (annotate) {
      msg = "annotated";
    } else if (!changed) {
      msg = "not labeled";
    } else {
      msg = added ? "labeled" : "unlabeled";
    }
    std::string suffix = *dry == 1 ? " (dry run)" : *dry == 2 ? " (server dry run)" : "";
    env.out << KindName(obj.gvk()) << "/" << obj.name() << " " << msg << suffix << "\n";
  }
  return rc;
}

void Register(CLI::App& app, Env& env, bool annotate) {
  auto f = std::make_shared<LabelFlags>();
  CLI::App* cmd = app.add_subcommand(
      annotate ? "annotate" : "label",
      annotate ? "Update the annotations on a resource" : "Update the labels on a resource");
  cmd->add_option("args", f->args, "TYPE NAME KEY=VAL ... KEY-");
  cmd->add_flag("--overwrite", f->overwrite, "Allow existing values to be overwritten");
  cmd->add_flag("--all", f->all, "Select all resources of the type in the namespace");
  cmd->add_flag("-A,--all-namespaces", f->all_namespaces, "Across all namespaces");
  cmd->add_option("-l,--selector", f->selector, "Label selector");
  cmd->add_option("--resource-version", f->resource_version,
                  "Only update if the resource is at this version");
  cmd->add_option("-o,--output", f->output, "Output format");
  cmd->add_option("--dry-run", f->dry_run, "none|client|server");
  cmd->add_option("-f,--filename", f->filenames, "Files identifying the resources");
  cmd->callback([&env, f, annotate] { env.exit_code = RunLabel(env, *f, annotate); });
}

}  // namespace

void RegisterLabel(CLI::App& app, Env& env) {
  Register(app, env, false);
  Register(app, env, true);
}

}  // namespace keelson::cli
