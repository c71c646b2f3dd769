// keelctl delete: by TYPE NAME..., TYPE/NAME, -f, -l, --all.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/printers.h"

namespace keelson::cli {
namespace {

struct DeleteFlags {
  std::vector<std::string> args;
  std::vector<std::string> filenames;
  bool recursive = false;
  std::string selector;
  std::string field_selector;
  bool all = false;
  bool all_namespaces = false;
  int64_t grace_period = -1;
  bool now = false;
  bool force = false;
  std::string wait = "true";
  std::string cascade = "background";
  bool ignore_not_found = false;
  std::string dry_run;
  std::string output;
};

struct Target {
  api::KindInfo kind;
  std::string ns;
  std::string name;
};

int RunDelete(Env& env, DeleteFlags& f) {
  auto dry = ParseDryRun(f.dry_run);
  if (!dry) return env.Fail(dry.error());
  auto client_or = env.Client();
  if (!client_or) return env.Fail(client_or.error());
  RestClient& client = **client_or;
  api::DeleteOptions opts;
  if (f.cascade == "background" || f.cascade == "true") {
    opts.propagation_policy = "Background";
  } else if (f.cascade == "foreground") {
    opts.propagation_policy = "Foreground";
  } else if (f.cascade == "orphan" || f.cascade == "false") {
    opts.propagation_policy = "Orphan";
  } else {
    return env.Fail("invalid cascade value (" + f.cascade +
                    "). Must be \"background\", \"foreground\", or \"orphan\"");
  }
  opts.grace_period_seconds = f.grace_period;
  if (f.now) opts.grace_period_seconds = 1;
  if (f.force && f.grace_period < 0) opts.grace_period_seconds = 0;
  opts.dry_run = *dry != 0;

  std::vector<Target> targets;
  bool by_selection = !f.selector.empty() || !f.field_selector.empty() || f.all;
  if (!f.filenames.empty()) {
    auto objs = ReadManifests(f.filenames, f.recursive, env.in);
    if (!objs) return env.Fail(objs.error());
    for (auto& m : *objs) {
      auto k = client.KindFor(m.object.gvk());
      if (!k) return env.Fail(k.error());
      std::string ns =
          k->namespaced ? (m.object.namespace_().empty() ? env.Namespace() : m.object.namespace_())
                        : "";
      targets.push_back({*k, ns, m.object.name()});
    }
  } else {
    auto refs = ParseResourceArgs(client, f.args);
    if (!refs) return env.Fail(refs.error());
    for (auto& ref : *refs) {
      std::string ns = ref.kind.namespaced && !f.all_namespaces ? env.Namespace() : "";
      if (ref.names.empty()) {
        if (!by_selection) {
          return env.Fail("resource(s) were provided, but no name was specified");
        }
        api::ListOptions lo;
        lo.label_selector = f.selector;
        lo.field_selector = f.field_selector;
        auto list = client.List(ref.kind.gvk(), ns, lo);
        if (!list) return env.Fail(list.error());
        for (const auto& o : list->items) {
          targets.push_back({ref.kind, ref.kind.namespaced ? o.namespace_() : "", o.name()});
        }
      } else {
        if (by_selection) return env.Fail("name cannot be provided when a selector is specified");
        for (const auto& n : ref.names) targets.push_back({ref.kind, ns, n});
      }
    }
  }
  if (targets.empty() && by_selection) {
    env.err << "No resources found\n";
    return 0;
  }
  int rc = 0;
  std::string suffix = *dry == 1 ? " (dry run)" : *dry == 2 ? " (server dry run)" : "";
  for (const auto& t : targets) {
    if (*dry != 1) {
      auto d = client.Delete(t.kind.gvk(), t.ns, t.name, opts);
      if (!d) {
        if (f.ignore_not_found && d.error().reason == api::Reason::kNotFound) continue;
        rc = env.Fail(d.error());
        continue;
      }
    }
    if (f.output == "name") {
      env.out << KindName(t.kind) << "/" << t.name << "\n";
    } else {
      env.out << KindName(t.kind) << " \"" << t.name << "\" deleted" << suffix << "\n";
    }
  }
  return rc;
}

}  // namespace

void RegisterDelete(CLI::App& app, Env& env) {
  auto f = std::make_shared<DeleteFlags>();
  CLI::App* cmd = app.add_subcommand("delete",
                                     "Delete resources by file names, stdin, "
                                     "resources and names, or by label selector");
  cmd->add_option("args", f->args, "TYPE [NAME...] | TYPE/NAME...");
  cmd->add_option("-f,--filename", f->filenames, "Files, directories (-R) or - for stdin");
  cmd->add_flag("-R,--recursive", f->recursive, "Process directories recursively");
  cmd->add_option("-l,--selector", f->selector, "Label selector");
  cmd->add_option("--field-selector", f->field_selector, "Field selector");
  cmd->add_flag("--all", f->all, "Delete all resources of the types in the namespace");
  cmd->add_flag("-A,--all-namespaces", f->all_namespaces, "Across all namespaces");
  cmd->add_option("--grace-period", f->grace_period, "Seconds given to terminate gracefully");
  cmd->add_flag("--now", f->now, "Signal resources for immediate shutdown");
  cmd->add_flag("--force", f->force, "Immediate deletion (grace period 0)");
  cmd->add_option("--wait", f->wait,
                  "Wait for finalization (accepted; keelctl returns once "
                  "deletion is accepted)")
      ->expected(0, 1);
  cmd->add_option("--cascade", f->cascade, "background|foreground|orphan");
  cmd->add_flag("--ignore-not-found", f->ignore_not_found, "Treat NotFound as success");
  cmd->add_option("--dry-run", f->dry_run, "none|client|server");
  cmd->add_option("-o,--output", f->output, "Only 'name' is supported");
  cmd->callback([&env, f] { env.exit_code = RunDelete(env, *f); });
}

}  // namespace keelson::cli
