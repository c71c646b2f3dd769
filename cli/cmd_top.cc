// keelctl top pod|node: resource usage from the metrics.k8s.io/v1beta1 API, as kubectl top.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "cli/commands.h"
#include "cli/top_format.h"

namespace keelson::cli {
namespace {

using api::Json;

constexpr const char* kMetricsRoot = "/apis/metrics.k8s.io/v1beta1";

struct TopFlags {
  std::vector<std::string> args;
  bool all_namespaces = false;
  std::string selector;
  std::string field_selector;
  bool containers = false;
  std::string sort_by;
  bool no_headers = false;
  bool sum = false;
  bool show_capacity = false;
  bool use_protobuf = true;  // accepted for kubectl compatibility; JSON is always used
};

// kubectl's SupportedMetricsAPIVersionAvailable over /apis. Errors: transport and server errors.
api::Result<bool> MetricsApiAvailable(RestClient& c) {
  auto groups = c.GetJson("/apis");
  if (!groups) return std::unexpected(groups.error());
  if (!groups->contains("groups") || !(*groups)["groups"].is_array()) return false;
  for (const auto& g : (*groups)["groups"]) {
    if (g.value("name", "") != "metrics.k8s.io" || !g.contains("versions")) continue;
    for (const auto& v : g["versions"]) {
      if (v.value("version", "") == "v1beta1") return true;
    }
  }
  return false;
}

std::string WithSelectors(std::string path, const TopFlags& f) {
  char sep = '?';
  if (!f.selector.empty()) {
    path += sep + std::string("labelSelector=") + RestClient::QueryEscape(f.selector);
    sep = '&';
  }
  if (!f.field_selector.empty()) {
    path += sep + std::string("fieldSelector=") + RestClient::QueryEscape(f.field_selector);
  }
  return path;
}

// Go's time.Duration.String for whole and fractional seconds ("2m30.5s", "1h0m0s").
std::string GoDurationString(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  if (ns < 0) ns = -ns;
  int64_t h = ns / 3600000000000LL, rem = ns % 3600000000000LL;
  int64_t m = rem / 60000000000LL;
  rem %= 60000000000LL;
  std::string secs = std::to_string(rem / 1000000000LL);
  int64_t frac = rem % 1000000000LL;
  if (frac) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(frac));
    std::string f = buf;
    while (!f.empty() && f.back() == '0') f.pop_back();
    secs += "." + f;
  }
  std::string out = sign;
  if (h) out += std::to_string(h) + "h";
  if (h || m) out += std::to_string(m) + "m";
  return out + secs + "s";
}

// kubectl's checkPodAge: a pod older than two minutes should have metrics by now.
api::Status CheckPodAge(const Json& pod) {
  std::string ts = pod["metadata"].value("creationTimestamp", "");
  std::tm tm{};
  if (std::sscanf(ts.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return {};
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto created = std::chrono::system_clock::from_time_t(timegm(&tm));
  auto age = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now() -
                                                                  created);
  if (age > std::chrono::minutes(2)) {
    return std::unexpected(api::Internal(
        "error: Metrics not available for pod " + pod["metadata"].value("namespace", "") + "/" +
        pod["metadata"].value("name", "") + ", age: " + GoDurationString(age)));
  }
  return {};
}

int RunTopPod(Env& env, const TopFlags& f) {
  if (f.args.size() > 1) return env.FailUsage("top pod", "pod [NAME | -l label]");
  std::string name = f.args.empty() ? "" : f.args[0];
  if (!f.sort_by.empty() && f.sort_by != "cpu" && f.sort_by != "memory") {
    return env.Fail("--sort-by accepts only cpu or memory");
  }
  if (!name.empty() && (!f.selector.empty() || !f.field_selector.empty())) {
    return env.Fail("only one of NAME or selector can be provided");
  }
  auto client = env.Client();
  if (!client) return env.Fail(client.error());
  RestClient& c = **client;
  auto available = MetricsApiAvailable(c);
  if (!available) return env.Fail(available.error());
  if (!*available) return env.Fail("Metrics API not available");

  std::string ns = env.Namespace();
  std::string ns_path = f.all_namespaces ? "" : "/namespaces/" + RestClient::QueryEscape(ns);
  Json items = Json::array();
  if (!name.empty()) {
    auto m = c.GetJson(std::string(kMetricsRoot) + "/namespaces/" + RestClient::QueryEscape(ns) +
                       "/pods/" + RestClient::QueryEscape(name));
    if (!m) return env.Fail(m.error());
    items.push_back(*m);
  } else {
    auto list = c.GetJson(WithSelectors(std::string(kMetricsRoot) + ns_path + "/pods", f));
    if (!list) return env.Fail(list.error());
    if (list->contains("items") && (*list)["items"].is_array()) items = (*list)["items"];
  }

  if (items.empty()) {
    // kubectl's verifyEmptyMetrics: pods that exist but have no metrics yet are an error.
    std::string pods_path = "/api/v1/namespaces/" + RestClient::QueryEscape(ns) + "/pods";
    if (!name.empty()) {
      auto pod = c.GetJson(pods_path + "/" + RestClient::QueryEscape(name));
      if (!pod) return env.Fail(pod.error());
      if (auto st = CheckPodAge(*pod); !st) return env.Fail(st.error());
      return env.Fail("metrics not available yet");
    }
    auto pods = c.GetJson(WithSelectors(pods_path, f));
    if (!pods) return env.Fail(pods.error());
    if (pods->contains("items") && !(*pods)["items"].empty()) {
      for (const auto& p : (*pods)["items"]) {
        if (auto st = CheckPodAge(p); !st) return env.Fail(st.error());
      }
      return env.Fail("metrics not available yet");
    }
    if (f.all_namespaces) {
      env.err << "No resources found\n";
    } else {
      env.err << "No resources found in " << ns << " namespace.\n";
    }
  }
  TopPodOptions opts;
  opts.containers = f.containers;
  opts.with_namespace = f.all_namespaces;
  opts.no_headers = f.no_headers;
  opts.sum = f.sum;
  opts.sort_by = f.sort_by;
  auto text = FormatTopPods(items, opts);
  if (!text) return env.Fail(text.error());
  env.out << *text;
  return 0;
}

int RunTopNode(Env& env, const TopFlags& f) {
  if (f.args.size() > 1) return env.FailUsage("top node", "node [NAME | -l label]");
  std::string name = f.args.empty() ? "" : f.args[0];
  if (!f.sort_by.empty() && f.sort_by != "cpu" && f.sort_by != "memory") {
    return env.Fail("--sort-by accepts only cpu or memory");
  }
  if (!name.empty() && !f.selector.empty()) {
    return env.Fail("only one of NAME or --selector can be provided");
  }
  auto client = env.Client();
  if (!client) return env.Fail(client.error());
  RestClient& c = **client;
  auto available = MetricsApiAvailable(c);
  if (!available) return env.Fail(available.error());
  if (!*available) return env.Fail("Metrics API not available");

  Json items = Json::array();
  if (!name.empty()) {
    auto m = c.GetJson(std::string(kMetricsRoot) + "/nodes/" + RestClient::QueryEscape(name));
    if (!m) return env.Fail(m.error());
    items.push_back(*m);
  } else {
    auto list = c.GetJson(WithSelectors(std::string(kMetricsRoot) + "/nodes", f));
    if (!list) return env.Fail(list.error());
    if (list->contains("items") && (*list)["items"].is_array()) items = (*list)["items"];
  }
  if (items.empty()) return env.Fail("metrics not available yet");

  std::vector<Json> nodes;
  if (!name.empty()) {
    auto n = c.GetJson("/api/v1/nodes/" + RestClient::QueryEscape(name));
    if (!n) return env.Fail(n.error());
    nodes.push_back(*n);
  } else {
    auto list = c.GetJson(WithSelectors("/api/v1/nodes", f));
    if (!list) return env.Fail(list.error());
    if (list->contains("items")) {
      for (const auto& n : (*list)["items"]) nodes.push_back(n);
    }
  }
  std::map<std::string, Json> resources;
  for (const auto& n : nodes) {
    const char* field = f.show_capacity ? "capacity" : "allocatable";
    Json status = n.contains("status") ? n["status"] : Json::object();
    resources[n["metadata"].value("name", "")] =
        status.contains(field) ? status[field] : Json::object();
  }
  auto text = FormatTopNodes(items, resources, f.no_headers, f.sort_by);
  if (!text) return env.Fail(text.error());
  env.out << *text;
  return 0;
}

}  // namespace

void RegisterTop(CLI::App& app, Env& env) {
  auto f = std::make_shared<TopFlags>();
  CLI::App* top = app.add_subcommand("top", "Display resource (CPU/memory) usage");
  top->require_subcommand(1);

  CLI::App* pod = top->add_subcommand("pod", "Display resource (CPU/memory) usage of pods");
  pod->alias("pods");
  pod->alias("po");
  pod->add_option("args", f->args, "[NAME]");
  pod->add_flag("-A,--all-namespaces", f->all_namespaces,
                "List the requested object(s) across all namespaces");
  pod->add_option("-l,--selector", f->selector, "Selector (label query) to filter on");
  pod->add_option("--field-selector", f->field_selector, "Selector (field query) to filter on");
  pod->add_flag("--containers", f->containers, "Print usage of containers within a pod");
  pod->add_option("--sort-by", f->sort_by, "Sort pods by 'cpu' or 'memory'");
  pod->add_flag("--no-headers", f->no_headers, "Print output without headers");
  pod->add_flag("--sum", f->sum, "Print the sum of the resource usage");
  pod->add_flag("--use-protocol-buffers", f->use_protobuf, "Accepted; JSON is always used");
  pod->callback([&env, f] { env.exit_code = RunTopPod(env, *f); });

  CLI::App* node = top->add_subcommand("node", "Display resource (CPU/memory) usage of nodes");
  node->alias("nodes");
  node->alias("no");
  node->add_option("args", f->args, "[NAME]");
  node->add_option("-l,--selector", f->selector, "Selector (label query) to filter on");
  node->add_option("--sort-by", f->sort_by, "Sort nodes by 'cpu' or 'memory'");
  node->add_flag("--no-headers", f->no_headers, "Print output without headers");
  node->add_flag("--show-capacity", f->show_capacity,
                 "Percentages against Capacity instead of Allocatable");
  node->add_flag("--use-protocol-buffers", f->use_protobuf, "Accepted; JSON is always used");
  node->callback([&env, f] { env.exit_code = RunTopNode(env, *f); });
}

}  // namespace keelson::cli
