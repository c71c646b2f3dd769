// keelctl version: client and server versions.
#include <CLI/CLI.hpp>
#include <iostream>

#include "api/codec.h"
#include "api/jsonpath.h"
#include "cli/commands.h"

namespace keelson::cli {
namespace {

using api::Json;

constexpr const char* kClientVersion = "v1.32.0-keelson";

struct VersionFlags {
  bool client_only = false;
  std::string output;
};

int RunVersion(Env& env, const VersionFlags& f) {
  if (!f.output.empty() && f.output != "json" && f.output != "yaml") {
    return env.Fail("--output must be 'yaml' or 'json'");
  }
  Json client_info = {
      {"major", "1"}, {"minor", "32"}, {"gitVersion", kClientVersion}, {"platform", "linux/amd64"}};
  Json doc = {{"clientVersion", client_info}};
  std::optional<api::Error> failure;
  if (!f.client_only) {
    auto client = env.Client();
    if (!client) {
      failure = client.error();
    } else {
      auto v = (*client)->GetJson("/version");
      if (!v) {
        failure = v.error();
      } else {
        doc["serverVersion"] = *v;
      }
    }
  }
  if (f.output == "json") {
    env.out << api::GoJsonMarshalIndent(doc, "  ") << "\n";
  } else if (f.output == "yaml") {
    env.out << api::EncodeYaml(doc);
  } else {
    env.out << "Client Version: " << kClientVersion << "\n";
    if (doc.contains("serverVersion")) {
      env.out << "Server Version: " << doc["serverVersion"].value("gitVersion", "") << "\n";
    }
  }
  if (failure) return env.Fail(*failure);
  return 0;
}

}  // namespace

void RegisterVersion(CLI::App& app, Env& env) {
  auto f = std::make_shared<VersionFlags>();
  CLI::App* cmd = app.add_subcommand("version", "Print the client and server version information");
  cmd->add_flag("--client", f->client_only, "Client version only (no server required)");
  cmd->add_option("-o,--output", f->output, "yaml|json");
  cmd->callback([&env, f] { env.exit_code = RunVersion(env, *f); });
}

}  // namespace keelson::cli
