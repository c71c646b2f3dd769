// keelctl's command registry, shared state and error printing.
#include "cli/commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

namespace keelson::cli {

api::Result<RestClient*> Env::Client() {
  if (client_) return client_.get();
  // Configuration problems are client-side: kubectl prints them as "error: ...".
  auto local = [](api::Error e) {
    if (!e.message.starts_with("error: ")) e.message = "error: " + e.message;
    return e;
  };
  auto cfg = LoadKubeconfig(KubeconfigPath(flags.kubeconfig), flags.context);
  if (!cfg) return std::unexpected(local(cfg.error()));
  auto c = RestClient::Create(*cfg);
  if (!c) return std::unexpected(local(c.error()));
  client_ = std::move(*c);
  return client_.get();
}

std::string Env::Namespace() {
  if (!flags.namespace_.empty()) return flags.namespace_;
  if (client_) return client_->default_namespace();
  auto c = Client();
  return c ? (*c)->default_namespace() : "default";
}

std::string FormatError(const api::Error& e) {
  if (IsTransportError(e)) return e.message;
  if (e.message.starts_with("error: ")) return e.message;
  if (e.reason == api::Reason::kInvalid && !e.causes.empty()) {
    std::string s = e.kind.empty() && e.name.empty()
                        ? "The request is invalid"
                        : "The " + e.kind + " \"" + e.name + "\" is invalid";
    std::vector<std::string> lines;
    for (const auto& c : e.causes) {
      if (c.field.empty() || c.message.starts_with(c.field + ":")) {
        lines.push_back(c.message);
      } else {
        lines.push_back(c.field + ": " + c.message);
      }
    }
    if (lines.size() == 1) return s + ": " + lines[0];
    std::string out = s + ": ";
    for (const auto& l : lines) out += "\n* " + l;
    return out;
  }
  if (e.reason == api::Reason::kUnauthorized) {
    return "error: You must be logged in to the server (" + e.message + ")";
  }
  std::string_view reason = api::ReasonString(e.reason);
  if (reason.empty()) return "Error from server: " + e.message;
  return "Error from server (" + std::string(reason) + "): " + e.message;
}

int Env::Fail(const api::Error& e) {
  err << FormatError(e) << "\n";
  exit_code = 1;
  return 1;
}

int Env::Fail(const std::string& message) {
  err << (message.starts_with("error: ") ? message : "error: " + message) << "\n";
  exit_code = 1;
  return 1;
}

int Env::FailFlag(std::string_view command, const std::string& message) {
  err << "Error: " << message << "\nSee 'keelctl " << command << " --help' for usage.\n";
  exit_code = 1;
  return 1;
}

int Env::FailUsage(std::string_view command, const std::string& message) {
  err << "error: " << message << "\nSee 'keelctl " << command << " -h' for help and examples\n";
  exit_code = 1;
  return 1;
}

void RegisterAll(CLI::App& app, Env& env) {
  RegisterGet(app, env);
  RegisterDescribe(app, env);
  RegisterCreate(app, env);
  RegisterReplace(app, env);
  RegisterDelete(app, env);
  RegisterEdit(app, env);
  RegisterPatch(app, env);
  RegisterLabel(app, env);
  RegisterApiResources(app, env);
  RegisterVersion(app, env);
  RegisterTemplate(app, env);
  RegisterLint(app, env);
  RegisterLogs(app, env);
  RegisterExec(app, env);
  RegisterImage(app, env);
  RegisterTop(app, env);
}

int RunKeelctl(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err) {
  Env env(in, out, err);
  env.args = args;
  // What follows the first "--" is a command for exec (cobra's ArgsLenAtDash); CLI11 is not
  // given it, and commands read it from env.args.
  std::vector<std::string> parse_args(args.begin(), std::find(args.begin(), args.end(), "--"));
  CLI::App app("keelctl controls the Keelson daemon (kubectl-compatible).", "keelctl");
  app.require_subcommand(1);
  app.fallthrough();
  app.set_help_all_flag("--help-all", "Expand all help");
  app.add_option("--kubeconfig,--config", env.flags.kubeconfig,
                 "Path to the kubeconfig file (default $KEELCONFIG, else ./.keelson/admin.conf)");
  app.add_option("--context", env.flags.context, "The kubeconfig context to use");
  app.add_option("-n,--namespace", env.flags.namespace_, "The namespace scope for this request");
  RegisterAll(app, env);
  std::vector<std::string> rev(parse_args.rbegin(), parse_args.rend());
  try {
    app.parse(rev);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::RequiredError& e) {
    if (app.get_subcommands().empty()) {
      out << app.help();
      return args.empty() ? 0 : 1;
    }
    // A command group run without its subcommand (`keelctl top`): cobra prints its help, exit 1.
    CLI::App* group = &app;
    while (!group->get_subcommands().empty()) group = group->get_subcommands().back();
    if (group->get_require_subcommand_min() > 0 && group->get_subcommands().empty()) {
      out << group->help();
      return 1;
    }
    err << "error: " << e.what() << "\n";
    return 1;
  } catch (const CLI::ParseError& e) {
    err << "error: " << e.what() << "\n";
    if (!app.get_subcommands().empty()) {
      err << "See 'keelctl " << app.get_subcommands().back()->get_name() << " --help' for usage.\n";
    }
    return 1;
  }
  return env.exit_code;
}

}  // namespace keelson::cli
