// keelctl api-resources: the server's resources as kubectl lists them.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "cli/printers.h"

namespace keelson::cli {
namespace {

struct ApiResourcesFlags {
  std::string output;
  std::string namespaced;
  std::string api_group;
  bool no_headers = false;
  std::vector<std::string> verbs;
};

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

int RunApiResources(Env& env, const ApiResourcesFlags& f) {
  if (!f.output.empty() && f.output != "wide" && f.output != "name") {
    return env.Fail("--output " + f.output + " is not available");
  }
  auto client = env.Client();
  if (!client) return env.Fail(client.error());
  auto all = (*client)->ServerResources();
  if (!all) return env.Fail(all.error());
  std::vector<api::KindInfo> list;
  for (const auto& k : *all) {
    if (!f.namespaced.empty() && (f.namespaced == "true") != k.namespaced) continue;
    if (!f.api_group.empty() && k.group != f.api_group) continue;
    bool has_verbs = true;
    for (const auto& v : f.verbs) {
      if (std::find(k.verbs.begin(), k.verbs.end(), v) == k.verbs.end()) has_verbs = false;
    }
    if (!has_verbs) continue;
    list.push_back(k);
  }
  std::stable_sort(list.begin(), list.end(), [](const api::KindInfo& a, const api::KindInfo& b) {
    if (a.group != b.group) return a.group < b.group;
    return a.resource < b.resource;
  });
  if (f.output == "name") {
    for (const auto& k : list) {
      env.out << k.resource << (k.group.empty() ? "" : "." + k.group) << "\n";
    }
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  if (!f.no_headers) {
    rows.push_back({"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"});
    if (f.output == "wide") {
      rows.back().push_back("VERBS");
      rows.back().push_back("CATEGORIES");
    }
  }
  for (const auto& k : list) {
    rows.push_back({k.resource, Join(k.short_names, ","), k.api_version(),
                    k.namespaced ? "true" : "false", k.kind});
    if (f.output == "wide") {
      rows.back().push_back("[" + Join(k.verbs, " ") + "]");
      rows.back().push_back(Join(k.categories, ","));
    }
  }
  env.out << ColumnWriter().Write(rows);
  return 0;
}

}  // namespace

void RegisterApiResources(CLI::App& app, Env& env) {
  auto f = std::make_shared<ApiResourcesFlags>();
  CLI::App* cmd = app.add_subcommand("api-resources", "Print the supported API resources");
  cmd->add_option("-o,--output", f->output, "wide|name");
  cmd->add_option("--namespaced", f->namespaced, "true|false: filter by scope");
  cmd->add_option("--api-group", f->api_group, "Limit to resources in the API group");
  cmd->add_option("--verbs", f->verbs, "Limit to resources supporting these verbs")->delimiter(',');
  cmd->add_flag("--no-headers", f->no_headers, "Do not print headers");
  cmd->callback([&env, f] { env.exit_code = RunApiResources(env, *f); });
}

}  // namespace keelson::cli
