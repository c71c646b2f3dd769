// keelctl replace -f: PUT each object from the manifests.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/printers.h"

namespace keelson::cli {
namespace {

struct ReplaceFlags {
  std::vector<std::string> filenames;
  bool recursive = false;
  std::string output;
  std::string dry_run;
  std::string validate = "strict";
};

int RunReplace(Env& env, const ReplaceFlags& f) {
  auto fmt = ParseOutputFormat(f.output);
  if (!fmt) return env.Fail(fmt.error());
  auto dry = ParseDryRun(f.dry_run);
  if (!dry) return env.Fail(dry.error());
  auto validation = ParseValidate(f.validate);
  if (!validation) return env.Fail(validation.error());
  auto objs = ReadManifests(f.filenames, f.recursive, env.in);
  if (!objs) return env.Fail(objs.error());
  auto client = env.Client();
  if (!client) return env.Fail(client.error());
  int rc = 0;
  for (auto& m : *objs) {
    auto kind = (*client)->KindFor(m.object.gvk());
    if (!kind) {
      rc = env.Fail(kind.error());
      continue;
    }
    if (auto st = ApplyNamespace(env, *kind, m.object); !st) {
      rc = env.Fail(st.error());
      continue;
    }
    api::Object result = m.object;
    if (*dry != 1) {
      api::WriteOptions wo;
      wo.dry_run = *dry == 2;
      wo.field_validation = *validation;
      wo.field_manager = "kubectl-replace";
      auto updated = (*client)->Update(m.object, wo);
      if (!updated) {
        rc = IsTransportError(updated.error())
                 ? env.Fail(updated.error())
                 : env.Fail(updated.error().Wrap("error when replacing \"" + m.source + "\""));
        continue;
      }
      result = std::move(*updated);
    }
    if (fmt->kind != OutputKind::kDefault && fmt->kind != OutputKind::kWide) {
      auto text = PrintObjects({result}, *fmt, false);
      if (!text) return env.Fail(text.error());
      env.out << *text;
    } else {
      std::string suffix = *dry == 1 ? " (dry run)" : *dry == 2 ? " (server dry run)" : "";
      env.out << KindName(result.gvk()) << "/" << result.name() << " replaced" << suffix << "\n";
    }
  }
  return rc;
}

}  // namespace

void RegisterReplace(CLI::App& app, Env& env) {
  auto f = std::make_shared<ReplaceFlags>();
  CLI::App* cmd = app.add_subcommand("replace", "Replace a resource by file name or stdin");
  cmd->add_option("-f,--filename", f->filenames, "Files, directories (-R) or - for stdin")
      ->required();
  cmd->add_flag("-R,--recursive", f->recursive, "Process directories recursively");
  cmd->add_option("-o,--output", f->output, "Output format");
  cmd->add_option("--dry-run", f->dry_run, "none|client|server");
  cmd->add_option("--validate", f->validate, "strict|warn|ignore");
  cmd->callback([&env, f] { env.exit_code = RunReplace(env, *f); });
}

}  // namespace keelson::cli
