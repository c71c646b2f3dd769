// keelctl patch: merge, JSON and strategic merge patches.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/codec.h"
#include "cli/commands.h"
#include "cli/printers.h"

namespace keelson::cli {
namespace {

struct PatchFlags {
  std::vector<std::string> args;
  std::string patch;
  std::string patch_file;
  std::string type = "strategic";
  std::string output;
  std::string dry_run;
  std::vector<std::string> filenames;
};

int RunPatch(Env& env, PatchFlags& f) {
  auto fmt = ParseOutputFormat(f.output);
  if (!fmt) return env.Fail(fmt.error());
  auto dry = ParseDryRun(f.dry_run);
  if (!dry) return env.Fail(dry.error());
  api::PatchType type;
  if (f.type == "strategic") {
    type = api::PatchType::kStrategicMerge;
  } else if (f.type == "merge") {
    type = api::PatchType::kMerge;
  } else if (f.type == "json") {
    type = api::PatchType::kJsonPatch;
  } else {
    return env.Fail("--type must be one of [json merge strategic], not \"" + f.type + "\"");
  }
  std::string body = f.patch;
  if (!f.patch_file.empty()) {
    std::ifstream in(f.patch_file);
    if (!in) return env.Fail("unable to read patch file " + f.patch_file);
    std::ostringstream ss;
    ss << in.rdbuf();
    body = ss.str();
  }
  if (body.empty())
    return env.Fail(
        "must specify --patch or --patch-file containing the contents "
        "of the patch");
  // kubectl accepts YAML or JSON patches and sends JSON.
  auto parsed = api::DecodeYaml(body, "patch");
  if (!parsed) return env.Fail("unable to parse \"" + body + "\": " + parsed.error().message);
  std::string json_body = parsed->dump();
  auto client_or = env.Client();
  if (!client_or) return env.Fail(client_or.error());
  RestClient& client = **client_or;
  std::vector<std::pair<api::KindInfo, std::string>> targets;
  std::string forced_ns;
  if (!f.filenames.empty()) {
    auto objs = ReadManifests(f.filenames, false, env.in);
    if (!objs) return env.Fail(objs.error());
    for (auto& m : *objs) {
      auto k = client.KindFor(m.object.gvk());
      if (!k) return env.Fail(k.error());
      targets.push_back({*k, m.object.name()});
      if (!m.object.namespace_().empty()) forced_ns = m.object.namespace_();
    }
  } else {
    auto refs = ParseResourceArgs(client, f.args);
    if (!refs) return env.Fail(refs.error());
    for (auto& r : *refs) {
      if (r.names.empty()) return env.Fail("resource(s) were provided, but no name was specified");
      for (auto& n : r.names) targets.push_back({r.kind, n});
    }
  }
  int rc = 0;
  for (const auto& [kind, name] : targets) {
    std::string ns = kind.namespaced ? (forced_ns.empty() ? env.Namespace() : forced_ns) : "";
    auto before = client.Get(kind.gvk(), ns, name);
    if (!before) {
      rc = env.Fail(before.error());
      continue;
    }
    api::WriteOptions wo;
    wo.dry_run = *dry != 0;
    wo.field_manager = "kubectl-patch";
    auto after = client.Patch(kind.gvk(), ns, name, type, json_body, wo);
    if (!after) {
      rc = env.Fail(after.error());
      continue;
    }
    if (fmt->kind != OutputKind::kDefault && fmt->kind != OutputKind::kWide) {
      auto text = PrintObjects({*after}, *fmt, false);
      if (!text) return env.Fail(text.error());
      env.out << *text;
      continue;
    }
    bool changed = after->json() != before->json();
    std::string suffix = *dry == 1 ? " (dry run)" : *dry == 2 ? " (server dry run)" : "";
    env.out << KindName(kind) << "/" << name << " patched" << (changed ? "" : " (no change)")
            << suffix << "\n";
  }
  return rc;
}

}  // namespace

void RegisterPatch(CLI::App& app, Env& env) {
  auto f = std::make_shared<PatchFlags>();
  CLI::App* cmd = app.add_subcommand("patch", "Update fields of a resource");
  cmd->add_option("args", f->args, "TYPE NAME | TYPE/NAME");
  cmd->add_option("-p,--patch", f->patch, "The patch (JSON or YAML)");
  cmd->add_option("--patch-file", f->patch_file, "A file containing the patch");
  cmd->add_option("--type", f->type, "json|merge|strategic");
  cmd->add_option("-o,--output", f->output, "Output format");
  cmd->add_option("--dry-run", f->dry_run, "none|client|server");
  cmd->add_option("-f,--filename", f->filenames, "A file identifying the resource");
  cmd->callback([&env, f] { env.exit_code = RunPatch(env, *f); });
}

}  // namespace keelson::cli
