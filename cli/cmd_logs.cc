// keelctl logs: a container's log from GET pods/{name}/log, streamed as it arrives with -f.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <ostream>
#include <regex>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/pod_target.h"

namespace keelson::cli {
namespace {

struct LogsFlags {
  std::vector<std::string> args;
  std::string container;
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  std::string tail = "-1";
  std::string limit_bytes = "0";
  std::string since = "0s";
  std::string since_time;
  std::string pod_running_timeout = "20s";
};

constexpr const char* kUsage =
    "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
    "POD or TYPE/NAME is a required argument for the logs command";

int RunLogs(Env& env, LogsFlags f, bool container_flag_given) {
  // Flag values first (cobra rejects them before the command runs), in kubectl's wording.
  auto tail = ParseGoInt64(f.tail);
  if (!tail) return env.FailFlag("logs", InvalidFlagValue(f.tail, "--tail", tail.error().message));
  auto limit = ParseGoInt64(f.limit_bytes);
  if (!limit) {
    return env.FailFlag("logs",
                        InvalidFlagValue(f.limit_bytes, "--limit-bytes", limit.error().message));
  }
  auto since = ParseGoDuration(f.since);
  if (!since) {
    return env.FailFlag("logs", InvalidFlagValue(f.since, "--since", since.error().message));
  }
  auto timeout = ParseGoDuration(f.pod_running_timeout);
  if (!timeout || *timeout <= 0) {
    return env.FailUsage("logs", "--pod-running-timeout must be higher than zero");
  }
  // Complete: the arguments.
  if (f.args.empty() || f.args.size() > 2) return env.FailUsage("logs", kUsage);
  std::string target = f.args[0];
  if (f.args.size() == 2) {
    if (container_flag_given) {
      return env.Fail("only one of -c or an inline [CONTAINER] arg is allowed");
    }
    f.container = f.args[1];
  }
  // Validate, in kubectl's order.
  if (!f.since_time.empty() && *since != 0) {
    return env.Fail("at most one of `sinceTime` or `sinceSeconds` may be specified");
  }
  if (*limit < 0) return env.Fail("--limit-bytes must be greater than 0");
  if (*since < 0) return env.Fail("--since must be greater than 0");
  if (*tail < -1) return env.Fail("--tail must be greater than or equal to -1");
  static const std::regex kRfc3339(
      R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))");
  if (!f.since_time.empty() && !std::regex_match(f.since_time, kRfc3339)) {
    return env.Fail("parsing time \"" + f.since_time +
                    "\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"" + f.since_time +
                    "\" as \"2006\"");
  }

  auto client = env.Client();
  if (!client) return env.Fail(client.error());
  std::string ns = env.Namespace();
  auto pod =
      ResolvePod(**client, target, ns, std::chrono::milliseconds(*timeout / 1000000), env.err);
  if (!pod) {
    const api::Error& e = pod.error();
    if (e.reason == api::Reason::kNotFound && !e.message.starts_with("error: ")) {
      // kubectl logs wraps the builder's NotFound this way.
      return env.Fail("error from server (NotFound): " + e.message + " in namespace \"" + ns +
                      "\"");
    }
    return env.Fail(e);
  }
  std::string name = (*pod)["metadata"].value("name", "");
  if (f.container.empty()) {
    auto c = DefaultContainer(*pod, env.err);
    if (!c) return env.Fail(c.error());
    f.container = *c;
  } else if (!HasContainer(*pod, f.container)) {
    return env.Fail("container " + f.container + " is not valid for pod " + name);
  }
  std::string path = "/api/v1/namespaces/" + RestClient::QueryEscape(ns) + "/pods/" +
                     RestClient::QueryEscape(name) +
                     "/log?container=" + RestClient::QueryEscape(f.container);
  if (f.follow) path += "&follow=true";
  if (f.previous) path += "&previous=true";
  if (*tail != -1) path += "&tailLines=" + std::to_string(*tail);
  if (f.timestamps) path += "&timestamps=true";
  if (*limit != 0) path += "&limitBytes=" + std::to_string(*limit);
  if (*since != 0) {
    // kubectl rounds --since up to whole seconds.
    int64_t secs = (*since + 999999999) / 1000000000;
    path += "&sinceSeconds=" + std::to_string(secs);
  }
  if (!f.since_time.empty()) path += "&sinceTime=" + RestClient::QueryEscape(f.since_time);

  auto st = (*client)->GetStream(path, "*/*", [&env](std::string_view chunk) {
    env.out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    env.out.flush();
    return static_cast<bool>(env.out);  // stop when our reader went away
  });
  if (!st) return env.Fail(st.error());
  return 0;
}

}  // namespace

void RegisterLogs(CLI::App& app, Env& env) {
  auto f = std::make_shared<LogsFlags>();
  CLI::App* cmd = app.add_subcommand("logs", "Print the logs for a container in a pod");
  cmd->add_option("args", f->args, "(POD | TYPE/NAME) [CONTAINER]");
  auto* c = cmd->add_option("-c,--container", f->container, "Print the logs of this container");
  cmd->add_flag("-f,--follow", f->follow, "Specify if the logs should be streamed");
  cmd->add_flag("-p,--previous", f->previous,
                "Print the logs for the previous instance of the container if it exists");
  cmd->add_flag("--timestamps", f->timestamps, "Include timestamps on each line");
  cmd->add_option("--tail", f->tail, "Lines of recent log file to display (default -1: all lines)");
  cmd->add_option("--limit-bytes", f->limit_bytes, "Maximum bytes of logs to return");
  cmd->add_option("--since", f->since,
                  "Only return logs newer than a relative duration like 5s, 2m, or 3h");
  cmd->add_option("--since-time", f->since_time,
                  "Only return logs after a specific date (RFC3339)");
  cmd->add_option("--pod-running-timeout", f->pod_running_timeout,
                  "How long to wait for a workload's pod to exist (default 20s)");
  cmd->callback([&env, f, c] { env.exit_code = RunLogs(env, *f, c->count() > 0); });
}

}  // namespace keelson::cli
