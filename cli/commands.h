// keelctl command registry and the state every command shares (global flags, streams, the
// lazily-built REST client, kubectl-style error printing). One command per cmd_*.cc file; to
// add a command, declare its Register function below and add it to RegisterAll in
// commands.cc. Not thread-safe: one Env per keelctl run.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/kinds.h"
#include "api/object.h"
#include "cli/rest_client.h"

namespace CLI {
class App;
}

namespace keelson::cli {

struct GlobalFlags {
  std::string kubeconfig;       // --kubeconfig / --config
  std::string context;          // --context
  std::string namespace_;       // -n / --namespace
  bool all_namespaces = false;  // -A (used by get/delete/label...)
};

class Env {
 public:
  Env(std::istream& in, std::ostream& out, std::ostream& err) : in(in), out(out), err(err) {}

  GlobalFlags flags;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  int exit_code = 0;
  // The command line as given (without the program name), for commands that need what cobra
  // calls ArgsLenAtDash (exec: the arguments after "--").
  std::vector<std::string> args;

  // The REST client for the chosen kubeconfig and context, built on first use. Errors: the
  // kubeconfig could not be read or parsed.
  api::Result<RestClient*> Client();
  // -n if given, else the context's namespace, else "default".
  std::string Namespace();
  // True when -n was given (kubectl "enforces" the namespace then).
  bool NamespaceExplicit() const { return !flags.namespace_.empty(); }

  // Prints `e` as kubectl does and sets exit_code = 1; returns 1. Server errors print as
  // `Error from server (NotFound): configmaps "x" not found`, Invalid as `The ConfigMap "x" is
  // invalid: ...`, client-side errors as `error: ...`.
  int Fail(const api::Error& e);
  // Prints "error: <message>" (unless it already starts with "error: ") and sets exit_code.
  int Fail(const std::string& message);
  // cobra's flag-error form: "Error: <message>" then "See 'keelctl <command> --help' for
  // usage."; sets exit_code = 1 and returns 1.
  int FailFlag(std::string_view command, const std::string& message);
  // kubectl's UsageErrorf form: "error: <message>" then "See 'keelctl <command> -h' for help and
  // examples"; sets exit_code = 1 and returns 1.
  int FailUsage(std::string_view command, const std::string& message);

 private:
  std::unique_ptr<RestClient> client_;
};

// kubectl's text for an error (without the trailing newline).
std::string FormatError(const api::Error& e);

// Adds every keelctl command to `app`.
void RegisterAll(CLI::App& app, Env& env);

// Runs keelctl with `args` (argv without the program name); returns the exit code.
int RunKeelctl(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err);

// The commands, one per file.
void RegisterGet(CLI::App& app, Env& env);           // cmd_get.cc
void RegisterDescribe(CLI::App& app, Env& env);      // cmd_describe.cc
void RegisterCreate(CLI::App& app, Env& env);        // cmd_create.cc
void RegisterReplace(CLI::App& app, Env& env);       // cmd_replace.cc
void RegisterDelete(CLI::App& app, Env& env);        // cmd_delete.cc
void RegisterEdit(CLI::App& app, Env& env);          // cmd_edit.cc
void RegisterPatch(CLI::App& app, Env& env);         // cmd_patch.cc
void RegisterLabel(CLI::App& app, Env& env);         // cmd_label.cc (label and annotate)
void RegisterApiResources(CLI::App& app, Env& env);  // cmd_api_resources.cc
void RegisterVersion(CLI::App& app, Env& env);       // cmd_version.cc
void RegisterTemplate(CLI::App& app, Env& env);      // cmd_template.cc (charts-engine)
void RegisterLint(CLI::App& app, Env& env);          // cmd_template.cc (charts-engine)
void RegisterLogs(CLI::App& app, Env& env);          // cmd_logs.cc
void RegisterExec(CLI::App& app, Env& env);          // cmd_exec.cc
void RegisterImage(CLI::App& app, Env& env);         // cmd_image.cc
void RegisterTop(CLI::App& app, Env& env);           // cmd_top.cc

// ---- helpers shared by commands (resource_args.cc) ----

// One resource type with the names the user gave for it.
struct ResourceRef {
  api::KindInfo kind;
  std::vector<std::string> names;  // empty = all
};

// Parses kubectl's resource arguments: "TYPE", "TYPE NAME...", "TYPE1,TYPE2", "TYPE/NAME
// TYPE/NAME", "all". Resolves each type with discovery. Errors: kubectl's messages ("the server
// doesn't have a resource type \"x\"", "there is no need to specify a resource type as a
// separate argument when passing arguments in resource/name form ...").
api::Result<std::vector<ResourceRef>> ParseResourceArgs(RestClient& client,
                                                        const std::vector<std::string>& args);

// An object read from a manifest, with where it came from for messages.
struct ManifestObject {
  api::Object object;
  std::string source;
};

// Reads objects from -f arguments: files, directories (their .json/.yaml/.yml files, recursing
// with `recursive`) or "-" (stdin); `kind: List` is flattened. Errors: `the path "x" does not
// exist`, decode errors naming the file and line.
api::Result<std::vector<ManifestObject>> ReadManifests(const std::vector<std::string>& filenames,
                                                       bool recursive, std::istream& in);

// Sets the namespace of a namespaced object read from a manifest: -n wins over none; a
// conflicting explicit namespace is an error as in kubectl ("the namespace from the provided
// object \"a\" does not match the namespace \"b\". You must pass '--namespace=a' to perform
// this operation.").
api::Status ApplyNamespace(Env& env, const api::KindInfo& kind, api::Object& obj);

// Parses --dry-run: "none"/"" -> 0, "client" -> 1, "server" -> 2. Errors: kubectl's message.
api::Result<int> ParseDryRun(const std::string& value);

// --validate: "strict"/"true" -> Strict, "warn" -> Warn, "ignore"/"false" -> Ignore.
api::Result<std::string> ParseValidate(const std::string& value);

}  // namespace keelson::cli
