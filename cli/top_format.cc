// kubectl top's metrics printer.
#include "cli/top_format.h"

#include <algorithm>

#include "api/quantity.h"
#include "cli/tabwriter.h"

namespace keelson::cli {
namespace {

using api::Json;
using api::Quantity;

struct Usage {
  Quantity cpu;
  Quantity memory;
};

api::Result<Usage> ReadUsage(const Json& usage, const std::string& who) {
  Usage u;
  if (!usage.is_object()) return u;
  for (const char* res : {"cpu", "memory"}) {
    if (!usage.contains(res)) continue;
    auto q = Quantity::FromJson(usage[res]);
    if (!q) return std::unexpected(q.error().Wrap("error: " + who + ": usage." + res));
    (std::string_view(res) == "cpu" ? u.cpu : u.memory) = *q;
  }
  return u;
}

std::string Cpu(const Quantity& q) { return std::to_string(q.MilliValue()) + "m"; }
std::string Mem(const Quantity& q) { return std::to_string(q.Value() / (1024 * 1024)) + "Mi"; }

std::string Percent(const Quantity& used, const Quantity& avail) {
  // float64(used.MilliValue()) / float64(avail.MilliValue()) * 100, truncated like int64().
  double fraction =
      static_cast<double>(used.MilliValue()) / static_cast<double>(avail.MilliValue()) * 100;
  return std::to_string(static_cast<int64_t>(fraction)) + "%";
}

std::string Str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// Go's sort.Sort is not stable; ties keep input order here, which is what the server's list
// order (namespace/name) gives in practice.
template <typename T, typename Key>
void SortByUsage(std::vector<T>& v, const std::string& sort_by, Key name_less) {
  std::stable_sort(v.begin(), v.end(), [&](const T& a, const T& b) {
    if (sort_by == "cpu") return a.usage.cpu.MilliValue() > b.usage.cpu.MilliValue();
    if (sort_by == "memory") return a.usage.memory.Value() > b.usage.memory.Value();
    return name_less(a, b);
  });
}

struct ContainerRow {
  std::string name;
  Usage usage;
};

struct PodRow {
  std::string ns, name;
  Usage usage;
  std::vector<ContainerRow> containers;
};

}  // namespace

api::Result<std::string> FormatTopPods(const Json& items, const TopPodOptions& opts) {
  if (!items.is_array() || items.empty()) return std::string();
  std::vector<PodRow> pods;
  for (const auto& m : items) {
    PodRow p;
    p.ns = Str(m["metadata"], "namespace");
    p.name = Str(m["metadata"], "name");
    if (m.contains("containers") && m["containers"].is_array()) {
      for (const auto& c : m["containers"]) {
        ContainerRow cr;
        cr.name = Str(c, "name");
        auto u = ReadUsage(c.contains("usage") ? c["usage"] : Json(), "pod " + p.name);
        if (!u) return std::unexpected(u.error());
        cr.usage = *u;
        p.usage.cpu += u->cpu;
        p.usage.memory += u->memory;
        p.containers.push_back(std::move(cr));
      }
    }
    pods.push_back(std::move(p));
  }
  std::string text;
  if (!opts.no_headers) {
    if (opts.with_namespace) text += "NAMESPACE\t";
    if (opts.containers) text += "POD\t";
    text += "NAME\tCPU(cores)\tMEMORY(bytes)\t\n";
  }
  SortByUsage(pods, opts.sort_by, [&](const PodRow& a, const PodRow& b) {
    if (opts.with_namespace && a.ns != b.ns) return a.ns < b.ns;
    return a.name < b.name;
  });
  Usage total;
  for (auto& p : pods) {
    total.cpu += p.usage.cpu;
    total.memory += p.usage.memory;
    if (opts.containers) {
      SortByUsage(p.containers, opts.sort_by,
                  [](const ContainerRow& a, const ContainerRow& b) { return a.name < b.name; });
      for (const auto& c : p.containers) {
        if (opts.with_namespace) text += p.ns + "\t";
        text +=
            p.name + "\t" + c.name + "\t" + Cpu(c.usage.cpu) + "\t" + Mem(c.usage.memory) + "\t\n";
      }
    } else {
      if (opts.with_namespace) text += p.ns + "\t";
      text += p.name + "\t" + Cpu(p.usage.cpu) + "\t" + Mem(p.usage.memory) + "\t\n";
    }
  }
  if (opts.sum) {
    size_t width = 3 + (opts.with_namespace ? 1 : 0) + (opts.containers ? 1 : 0);
    // kubectl counts the optional columns only when it prints headers.
    if (opts.no_headers) width = 3;
    for (size_t i = 0; i + 2 < width; ++i) text += "\t";
    text += "________\t________\t\n";
    for (size_t i = 0; i + 3 < width; ++i) text += "\t";
    text += "\t" + Cpu(total.cpu) + "\t" + Mem(total.memory) + "\t\n";
  }
  return TabWriteRememberWidths(text, 6, 3);
}

api::Result<std::string> FormatTopNodes(const Json& items,
                                        const std::map<std::string, Json>& available,
                                        bool no_headers, const std::string& sort_by) {
  if (!items.is_array() || items.empty()) return std::string();
  struct NodeRow {
    std::string name;
    Usage usage;
  };
  std::vector<NodeRow> nodes;
  for (const auto& m : items) {
    NodeRow n;
    n.name = Str(m["metadata"], "name");
    auto u = ReadUsage(m.contains("usage") ? m["usage"] : Json(), "node " + n.name);
    if (!u) return std::unexpected(u.error());
    n.usage = *u;
    nodes.push_back(std::move(n));
  }
  SortByUsage(nodes, sort_by, [](const NodeRow& a, const NodeRow& b) { return a.name < b.name; });
  std::string text;
  if (!no_headers) text += "NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n";
  std::map<std::string, Json> rest = available;
  for (const auto& n : nodes) {
    text += n.name + "\t" + Cpu(n.usage.cpu) + "\t";
    auto it = rest.find(n.name);
    Usage avail;
    bool have_cpu = false, have_mem = false;
    if (it != rest.end() && it->second.is_object()) {
      auto a = ReadUsage(it->second, "node " + n.name + " allocatable");
      if (!a) return std::unexpected(a.error());
      avail = *a;
      have_cpu = it->second.contains("cpu");
      have_mem = it->second.contains("memory");
    }
    if (have_cpu) text += Percent(n.usage.cpu, avail.cpu) + "\t";
    text += Mem(n.usage.memory) + "\t";
    if (have_mem) text += Percent(n.usage.memory, avail.memory) + "\t";
    text += "\n";
    if (it != rest.end()) rest.erase(it);
  }
  for (const auto& [name, _] : rest) {
    text += name + "\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n";
  }
  return TabWriteRememberWidths(text, 6, 3);
}

}  // namespace keelson::cli
