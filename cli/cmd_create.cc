// keelctl create: -f manifests, and the imperative namespace|configmap|secret generic|
// serviceaccount generators.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/imperative.h"
#include "cli/printers.h"

namespace keelson::cli {
namespace {

using api::Json;

struct CreateFlags {
  std::vector<std::string> filenames;
  bool recursive = false;
  std::string output;
  std::string dry_run;
  std::string validate = "strict";
  // imperative
  std::string name;
  DataSources sources;
  std::string secret_type;
};

// Prints the result of a write the way kubectl does: the object in -o format, or
// "<kind>/<name> <verb>[ (dry run)|(server dry run)]".
int PrintResult(Env& env, const api::Object& obj, const std::string& verb, const OutputFormat& fmt,
                int dry_run) {
  if (fmt.kind != OutputKind::kDefault && fmt.kind != OutputKind::kWide) {
    api::Object shown = obj;
    if (dry_run == 1 && !shown.metadata().contains("creationTimestamp")) {
      shown.MutableMeta()["creationTimestamp"] = nullptr;
    }
    auto text = PrintObjects({shown}, fmt, false);
    if (!text) return env.Fail(text.error());
    env.out << *text;
    return 0;
  }
  std::string suffix = dry_run == 1 ? " (dry run)" : dry_run == 2 ? " (server dry run)" : "";
  env.out << KindName(obj.gvk()) << "/" << obj.name() << " " << verb << suffix << "\n";
  return 0;
}

// Sends (or, for --dry-run=client, only prints) one object creation.
int CreateOne(Env& env, RestClient& client, api::Object obj, const OutputFormat& fmt, int dry_run,
              const std::string& validation, const std::string& source = "") {
  auto kind = client.KindFor(obj.gvk());
  if (!kind) return env.Fail(kind.error());
  if (dry_run == 1) {
    if (kind->namespaced && env.NamespaceExplicit() && obj.namespace_().empty()) {
      obj.set_namespace(env.Namespace());
    }
    return PrintResult(env, obj, "created", fmt, dry_run);
  }
  if (auto st = ApplyNamespace(env, *kind, obj); !st) return env.Fail(st.error());
  api::WriteOptions wo;
  wo.dry_run = dry_run == 2;
  wo.field_validation = validation;
  wo.field_manager = "kubectl-create";
  auto created = client.Create(obj, wo);
  if (!created) {
    // kubectl's AddSourceToErr: server errors name the file they came from.
    if (source.empty() || IsTransportError(created.error())) return env.Fail(created.error());
    return env.Fail(created.error().Wrap("error when creating \"" + source + "\""));
  }
  return PrintResult(env, *created, "created", fmt, dry_run);
}

int RunCreateFiles(Env& env, CreateFlags& f) {
  if (f.filenames.empty()) {
    return env.Fail("must specify one of -f and -k");
  }
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
    if (CreateOne(env, **client, std::move(m.object), *fmt, *dry, *validation, m.source) != 0) {
      rc = 1;
    }
  }
  return rc;
}

int RunGenerated(Env& env, CreateFlags& f, api::Result<api::Object> obj) {
  if (!obj) return env.Fail(obj.error());
  auto fmt = ParseOutputFormat(f.output);
  if (!fmt) return env.Fail(fmt.error());
  auto dry = ParseDryRun(f.dry_run);
  if (!dry) return env.Fail(dry.error());
  auto validation = ParseValidate(f.validate);
  if (!validation) return env.Fail(validation.error());
  if (*dry == 1) return PrintResult(env, *obj, "created", *fmt, 1);
  auto client = env.Client();
  if (!client) return env.Fail(client.error());
  return CreateOne(env, **client, std::move(*obj), *fmt, *dry, *validation);
}

void AddCommonFlags(CLI::App* cmd, CreateFlags& f) {
  cmd->add_option("-o,--output", f.output, "Output format: yaml|json|name|jsonpath=...");
  cmd->add_option("--dry-run", f.dry_run, "none|client|server");
  cmd->add_option("--validate", f.validate, "strict|warn|ignore");
}

void AddSourceFlags(CLI::App* cmd, CreateFlags& f) {
  cmd->add_option("--from-literal", f.sources.literals, "key=value (repeatable)");
  cmd->add_option("--from-file", f.sources.files,
                  "[key=]path: a file, or a directory whose regular files become keys");
  cmd->add_option("--from-env-file", f.sources.env_files, "A file of KEY=VALUE lines");
}

// kubectl writes metadata.namespace into generated objects only when -n was given.
std::string GeneratedNamespace(Env& env) { return env.NamespaceExplicit() ? env.Namespace() : ""; }

}  // namespace

void RegisterCreate(CLI::App& app, Env& env) {
  auto f = std::make_shared<CreateFlags>();
  CLI::App* cmd = app.add_subcommand("create", "Create a resource from a file or from stdin");
  cmd->require_subcommand(0, 1);
  cmd->add_option("-f,--filename", f->filenames, "Files, directories (-R) or - for stdin");
  cmd->add_flag("-R,--recursive", f->recursive, "Process directories recursively");
  AddCommonFlags(cmd, *f);
  cmd->callback([&env, f, cmd] {
    if (!cmd->get_subcommands().empty()) return;
    env.exit_code = RunCreateFiles(env, *f);
  });

  CLI::App* ns = cmd->add_subcommand("namespace", "Create a namespace")->alias("ns");
  ns->add_option("name", f->name, "NAME")->required();
  AddCommonFlags(ns, *f);
  ns->callback([&env, f] {
    Json obj = {{"apiVersion", "v1"},
                {"kind", "Namespace"},
                {"metadata", {{"name", f->name}}},
                {"spec", Json::object()},
                {"status", Json::object()}};
    env.exit_code = RunGenerated(env, *f, api::Object(std::move(obj)));
  });

  CLI::App* cm = cmd->add_subcommand("configmap", "Create a config map")->alias("cm");
  cm->add_option("name", f->name, "NAME")->required();
  AddSourceFlags(cm, *f);
  AddCommonFlags(cm, *f);
  cm->callback([&env, f] {
    env.exit_code =
        RunGenerated(env, *f, BuildConfigMap(f->name, GeneratedNamespace(env), f->sources));
  });

  CLI::App* secret = cmd->add_subcommand("secret", "Create a secret");
  secret->require_subcommand(1);
  CLI::App* generic = secret->add_subcommand("generic", "Create a secret from files or literals");
  generic->add_option("name", f->name, "NAME")->required();
  generic->add_option("--type", f->secret_type, "The type of secret to create");
  AddSourceFlags(generic, *f);
  AddCommonFlags(generic, *f);
  generic->callback([&env, f] {
    env.exit_code = RunGenerated(
        env, *f, BuildSecret(f->name, GeneratedNamespace(env), f->secret_type, f->sources));
  });

  CLI::App* sa = cmd->add_subcommand("serviceaccount", "Create a service account")->alias("sa");
  sa->add_option("name", f->name, "NAME")->required();
  AddCommonFlags(sa, *f);
  sa->callback([&env, f] {
    Json meta = {{"name", f->name}};
    if (env.NamespaceExplicit()) meta["namespace"] = env.Namespace();
    Json obj = {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", std::move(meta)}};
    env.exit_code = RunGenerated(env, *f, api::Object(std::move(obj)));
  });
}

}  // namespace keelson::cli
