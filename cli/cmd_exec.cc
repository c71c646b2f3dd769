// keelctl exec: runs a command in a container through Keelson's non-streaming
// POST pods/{name}/exec and replays its stdout, stderr and exit code.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iterator>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/kubeconfig.h"
#include "cli/pod_target.h"

namespace keelson::cli {
namespace {

using api::Json;

struct ExecFlags {
  std::vector<std::string> args;
  std::string container;
  bool stdin_ = false;
  bool tty = false;
  bool quiet = false;
  std::string pod_running_timeout = "1m0s";
};

int RunExec(Env& env, const ExecFlags& f) {
  // cobra's ArgsLenAtDash: f.args holds what came before "--", the command what followed.
  auto dash_at = std::find(env.args.begin(), env.args.end(), "--");
  bool dash = dash_at != env.args.end();
  std::vector<std::string> command(dash ? dash_at + 1 : env.args.end(), env.args.end());
  std::string resource = f.args.empty() ? "" : f.args[0];
  if (!dash && f.args.size() > 1) {
    return env.FailUsage(
        "exec",
        "exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead");
  }
  auto timeout = ParseGoDuration(f.pod_running_timeout);
  if (!timeout || *timeout <= 0) {
    return env.FailUsage("exec", "--pod-running-timeout must be higher than zero");
  }
  if (resource.empty()) return env.Fail("pod, type/name or --filename must be specified");
  if (command.empty()) return env.Fail("you must specify at least one command for the container");

  // kubectl's SetupTTY: a TTY needs -i and a terminal on stdin; this endpoint never gives one.
  if (f.tty && f.stdin_ && !f.quiet) {
    env.err << "Unable to use a TTY - input is not a terminal or the right kind of file\n";
  }

  auto client = env.Client();
  if (!client) return env.Fail(client.error());
  std::string ns = env.Namespace();
  std::ostringstream discard;
  std::ostream& notes = f.quiet ? static_cast<std::ostream&>(discard) : env.err;
  auto pod =
      ResolvePod(**client, resource, ns, std::chrono::milliseconds(*timeout / 1000000), notes);
  if (!pod) return env.Fail(pod.error());
  std::string phase = (*pod)["status"].value("phase", "");
  if (phase == "Succeeded" || phase == "Failed") {
    return env.Fail("cannot exec into a container in a completed pod; current phase is " + phase);
  }
  std::string container = f.container;
  if (container.empty()) {
    auto c = DefaultContainer(*pod, notes);
    if (!c) return env.Fail(c.error());
    container = *c;
  }
  std::string name = (*pod)["metadata"].value("name", "");
  std::string path = "/api/v1/namespaces/" + RestClient::QueryEscape(ns) + "/pods/" +
                     RestClient::QueryEscape(name) +
                     "/exec?container=" + RestClient::QueryEscape(container);
  for (const auto& a : command) path += "&command=" + RestClient::QueryEscape(a);
  path += f.stdin_ ? "&stdin=true" : "&stdin=false";
  std::string body;
  if (f.stdin_) body.assign(std::istreambuf_iterator<char>(env.in), {});
  auto r = (*client)->Do("POST", path, body, "application/octet-stream", "application/json");
  if (!r) return env.Fail(r.error());
  if (r->status < 200 || r->status >= 300) {
    return env.Fail(RestClient::ErrorFromResponse(*r));
  }
  Json result = Json::parse(r->body, nullptr, false);
  if (result.is_discarded() || !result.is_object() || result.value("kind", "") != "ExecResult") {
    return env.Fail("exec " + name + ": the server returned no ExecResult (HTTP " +
                    std::to_string(r->status) + ")");
  }
  for (const char* stream : {"stdout", "stderr"}) {
    auto data = Base64Decode(result.value(stream, ""));
    if (!data) return env.Fail("exec " + name + ": " + stream + ": " + data.error().message);
    std::ostream& o = std::string_view(stream) == "stdout" ? env.out : env.err;
    o.write(data->data(), static_cast<std::streamsize>(data->size()));
    o.flush();
  }
  int code = result.value("exitCode", 0);
  if (code != 0) {
    // kubectl's CheckErr for an exec.ExitError: the message bare, the command's exit code.
    env.err << "command terminated with exit code " << code << "\n";
    return code;
  }
  return 0;
}

}  // namespace

void RegisterExec(CLI::App& app, Env& env) {
  auto f = std::make_shared<ExecFlags>();
  CLI::App* cmd = app.add_subcommand("exec", "Execute a command in a container");
  cmd->add_option("args", f->args, "(POD | TYPE/NAME) -- COMMAND [args...]");
  cmd->add_option("-c,--container", f->container,
                  "Container name (default: the kubectl.kubernetes.io/default-container "
                  "annotation, else the first container)");
  cmd->add_flag("-i,--stdin", f->stdin_, "Pass stdin to the container");
  cmd->add_flag("-t,--tty", f->tty, "Stdin is a TTY (not supported: runs without one)");
  cmd->add_flag("-q,--quiet", f->quiet, "Only print output from the remote session");
  cmd->add_option("--pod-running-timeout", f->pod_running_timeout,
                  "How long to wait for a workload's pod to exist (default 1m0s)");
  cmd->callback([&env, f] { env.exit_code = RunExec(env, *f); });
}

}  // namespace keelson::cli
