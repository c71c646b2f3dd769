// Pod and container selection for keelctl logs and exec (kubectl's polymorphichelpers/podcmd).
#include "cli/pod_target.h"

#include <algorithm>
#include <ostream>
#include <thread>

#include "api/selector.h"

namespace keelson::cli {
namespace {

using api::Json;

std::string Str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

const Json& Child(const Json& j, const char* key) {
  static const Json kNull;
  return j.is_object() && j.contains(key) ? j[key] : kNull;
}

// kubectl's podutils.ByLogging: scheduled before unscheduled, Running before Unknown before
// Pending, ready before not ready, more restarts first, older first.
int PhaseRank(const std::string& phase) {
  if (phase == "Running") return 0;
  if (phase == "Unknown") return 1;
  if (phase == "Pending") return 2;
  return 3;
}

bool IsReady(const Json& pod) {
  for (const auto& c : Child(Child(pod, "status"), "conditions")) {
    if (Str(c, "type") == "Ready") return Str(c, "status") == "True";
  }
  return false;
}

int Restarts(const Json& pod) {
  int n = 0;
  for (const auto& c : Child(Child(pod, "status"), "containerStatuses")) {
    n = std::max(n, c.value("restartCount", 0));
  }
  return n;
}

bool LessForLogging(const Json& a, const Json& b) {
  bool sa = !Str(Child(a, "spec"), "nodeName").empty();
  bool sb = !Str(Child(b, "spec"), "nodeName").empty();
  if (sa != sb) return sa;
  int pa = PhaseRank(Str(Child(a, "status"), "phase"));
  int pb = PhaseRank(Str(Child(b, "status"), "phase"));
  if (pa != pb) return pa < pb;
  bool ra = IsReady(a), rb = IsReady(b);
  if (ra != rb) return ra;
  int ca = Restarts(a), cb = Restarts(b);
  if (ca != cb) return ca > cb;
  std::string ta = Str(Child(a, "metadata"), "creationTimestamp");
  std::string tb = Str(Child(b, "metadata"), "creationTimestamp");
  if (ta != tb) return ta < tb;  // RFC 3339 UTC strings order by time
  return Str(Child(a, "metadata"), "name") < Str(Child(b, "metadata"), "name");
}

// The label selector string for a workload's pods. Errors: BadRequest when it has none.
api::Result<std::string> PodSelector(const api::KindInfo& kind, const Json& obj) {
  const Json& sel = Child(Child(obj, "spec"), "selector");
  if (sel.is_object() && !sel.empty()) {
    // Services and ReplicationControllers use a plain map; the rest a metav1.LabelSelector.
    bool plain = kind.kind == "Service" || kind.kind == "ReplicationController";
    Json ls = plain ? Json{{"matchLabels", sel}} : sel;
    auto parsed = api::LabelSelector::FromJson(ls);
    if (!parsed)
      return std::unexpected(parsed.error().Wrap("error: " + kind.resource + " selector"));
    return parsed->ToString();
  }
  return std::unexpected(api::BadRequest("error: cannot attach to " + kind.kind +
                                         ": selector for " + kind.kind + " not implemented"));
}

}  // namespace

api::Result<Json> ResolvePod(RestClient& client, std::string_view arg, const std::string& ns,
                             std::chrono::milliseconds timeout, std::ostream& err) {
  std::string type = "pods", name(arg);
  if (auto slash = arg.find('/'); slash != std::string_view::npos) {
    type = std::string(arg.substr(0, slash));
    name = std::string(arg.substr(slash + 1));
    if (type.empty() || name.empty()) {
      return std::unexpected(api::BadRequest(
          "error: arguments in resource/name form must have a single resource and name"));
    }
  }
  api::KindInfo kind;
  if (type == "pods" || type == "pod" || type == "po") {
    const api::KindInfo* k = api::Kinds::Default().ByGvk({"", "v1", "Pod"});
    if (!k) return std::unexpected(api::Internal("Pod kind not registered"));
    kind = *k;
  } else {
    auto k = client.ResolveResource(type);
    if (!k) return std::unexpected(k.error());
    kind = *k;
  }
  auto obj = client.GetJson(RestClient::ResourcePath(kind, kind.namespaced ? ns : "", name));
  if (!obj) return std::unexpected(obj.error());
  if (kind.kind == "Pod" && kind.group.empty()) return *obj;

  auto selector = PodSelector(kind, *obj);
  if (!selector) return std::unexpected(selector.error());
  const api::KindInfo* pod_kind = api::Kinds::Default().ByGvk({"", "v1", "Pod"});
  std::string path = RestClient::ResourcePath(*pod_kind, ns) +
                     "?labelSelector=" + RestClient::QueryEscape(*selector);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto list = client.GetJson(path);
    if (!list) return std::unexpected(list.error());
    std::vector<Json> pods;
    for (const auto& p : Child(*list, "items")) pods.push_back(p);
    if (!pods.empty()) {
      std::sort(pods.begin(), pods.end(), LessForLogging);
      if (pods.size() > 1) {
        err << "Found " << pods.size() << " pods, using pod/"
            << Str(Child(pods[0], "metadata"), "name") << "\n";
      }
      return pods[0];
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::unexpected(
          api::MakeError(api::Reason::kTimeout, "error: timed out waiting for the condition"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

bool HasContainer(const Json& pod, std::string_view name) {
  const Json& spec = Child(pod, "spec");
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    for (const auto& c : Child(spec, list)) {
      if (Str(c, "name") == name) return true;
    }
  }
  return false;
}

api::Result<std::string> DefaultContainer(const Json& pod, std::ostream& err) {
  const Json& spec = Child(pod, "spec");
  const Json& containers = Child(spec, "containers");
  const Json& inits = Child(spec, "initContainers");
  const Json& ephemeral = Child(spec, "ephemeralContainers");
  std::string pod_name = Str(Child(pod, "metadata"), "name");
  auto has = [](const Json& list, const std::string& name) {
    for (const auto& c : list) {
      if (Str(c, "name") == name) return true;
    }
    return false;
  };
  std::string annotated =
      Str(Child(Child(pod, "metadata"), "annotations"), "kubectl.kubernetes.io/default-container");
  if (!annotated.empty()) {
    if (has(containers, annotated) || has(inits, annotated) || has(ephemeral, annotated)) {
      return annotated;
    }
    err << "Default container name \"" << annotated << "\" not found in pod " << pod_name << "\n";
  }
  if (!containers.is_array() || containers.empty()) {
    return std::unexpected(
        api::BadRequest("error: pod " + pod_name + " does not have any containers"));
  }
  std::string first = Str(containers[0], "name");
  size_t total = containers.size() + (inits.is_array() ? inits.size() : 0) +
                 (ephemeral.is_array() ? ephemeral.size() : 0);
  if (total > 1) {
    std::string all;
    auto add = [&](const std::string& s) { all += (all.empty() ? "" : ", ") + s; };
    for (const auto& c : containers) add(Str(c, "name"));
    for (const auto& c : ephemeral) add(Str(c, "name") + " (ephem)");
    for (const auto& c : inits) add(Str(c, "name") + " (init)");
    err << "Defaulted container \"" << first << "\" out of: " << all << "\n";
  }
  return first;
}

}  // namespace keelson::cli
