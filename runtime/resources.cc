// Quantities, QoS and cgroup figures.
#include "runtime/resources.h"

#include <cmath>
#include <utility>

namespace keelson::runtime {

api::Result<long double> ParseQuantity(std::string_view text) {
  auto bad = [&] {
    return std::unexpected(api::BadRequest(
        "quantity \"" + std::string(text) +
        "\": must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
  };
  if (text.empty()) return bad();
  size_t i = 0;
  bool neg = false;
  if (text[i] == '+' || text[i] == '-') neg = text[i++] == '-';
  size_t num_start = i;
  bool dot = false;
  while (i < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[i])) || (text[i] == '.' && !dot))) {
    if (text[i] == '.') dot = true;
    ++i;
  }
  std::string num(text.substr(num_start, i - num_start));
  if (num.empty() || num == ".") return bad();
  long double v = std::stold(num);
  std::string_view suffix = text.substr(i);
  static const std::pair<std::string_view, long double> kSuffixes[] = {
      {"", 1.0L},
      {"m", 1e-3L},
      {"u", 1e-6L},
      {"n", 1e-9L},
      {"k", 1e3L},
      {"M", 1e6L},
      {"G", 1e9L},
      {"T", 1e12L},
      {"P", 1e15L},
      {"E", 1e18L},
      {"Ki", 1024.0L},
      {"Mi", 1048576.0L},
      {"Gi", 1073741824.0L},
      {"Ti", 1099511627776.0L},
      {"Pi", 1125899906842624.0L},
      {"Ei", 1152921504606846976.0L}};
  bool found = false;
  for (auto& [s, mult] : kSuffixes) {
    if (suffix == s) {
      v *= mult;
      found = true;
      break;
    }
  }
  if (!found) {
    if ((suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1) {
      std::string exp(suffix.substr(1));
      size_t j = (exp[0] == '+' || exp[0] == '-') ? 1 : 0;
      if (j >= exp.size()) return bad();
      for (; j < exp.size(); ++j)
        if (!std::isdigit(static_cast<unsigned char>(exp[j]))) return bad();
      v *= std::pow(10.0L, std::stoi(exp));
    } else {
      return bad();
    }
  }
  return neg ? -v : v;
}

int64_t MilliValue(long double q) { return static_cast<int64_t>(std::ceil(q * 1000.0L - 1e-9L)); }
int64_t IntValue(long double q) { return static_cast<int64_t>(std::ceil(q - 1e-12L)); }

std::string_view QosClassName(QosClass q) {
  switch (q) {
    case QosClass::kGuaranteed:
      return "Guaranteed";
    case QosClass::kBurstable:
      return "Burstable";
    case QosClass::kBestEffort:
      return "BestEffort";
  }
  return "BestEffort";
}

namespace {

// The quantity at resources.<kind>.<name>, if any and parseable.
std::optional<long double> Quantity(const api::Json& container, const char* kind,
                                    const char* name) {
  auto r = container.find("resources");
  if (r == container.end() || !r->is_object()) return std::nullopt;
  auto k = r->find(kind);
  if (k == r->end() || !k->is_object()) return std::nullopt;
  auto v = k->find(name);
  if (v == k->end()) return std::nullopt;
  std::string s = v->is_string() ? v->get<std::string>() : v->dump();
  auto q = ParseQuantity(s);
  if (!q) return std::nullopt;
  return *q;
}

}  // namespace

QosClass PodQosClass(const api::Json& pod_spec) {
  bool any = false, guaranteed = true;
  for (const char* list : {"initContainers", "containers"}) {
    auto it = pod_spec.find(list);
    if (it == pod_spec.end() || !it->is_array()) continue;
    for (const auto& c : *it) {
      for (const char* res : {"cpu", "memory"}) {
        auto req = Quantity(c, "requests", res);
        auto lim = Quantity(c, "limits", res);
        if ((req && *req != 0) || (lim && *lim != 0)) any = true;
        if (!lim) {
          guaranteed = false;
        } else if (req && *req != *lim) {
          guaranteed = false;
        }
      }
    }
  }
  if (!any) return QosClass::kBestEffort;
  return guaranteed ? QosClass::kGuaranteed : QosClass::kBurstable;
}

api::Result<ContainerResources> ContainerResourcesOf(const api::Json& container) {
  ContainerResources out;
  auto read = [&](const char* kind, const char* name, bool milli, int64_t* dst) -> api::Status {
    auto r = container.find("resources");
    if (r == container.end() || !r->is_object()) return {};
    auto k = r->find(kind);
    if (k == r->end() || !k->is_object()) return {};
    auto v = k->find(name);
    if (v == k->end()) return {};
    std::string s = v->is_string() ? v->get<std::string>() : v->dump();
    auto q = ParseQuantity(s);
    if (!q) return std::unexpected(q.error().Wrap(std::string("resources.") + kind + "." + name));
    *dst = milli ? MilliValue(*q) : IntValue(*q);
    return {};
  };
  for (auto st : {read("requests", "cpu", true, &out.cpu_request_milli),
                  read("limits", "cpu", true, &out.cpu_limit_milli),
                  read("requests", "memory", false, &out.memory_request),
                  read("limits", "memory", false, &out.memory_limit)}) {
    if (!st) return std::unexpected(st.error());
  }
  if (out.cpu_request_milli == 0) out.cpu_request_milli = out.cpu_limit_milli;
  if (out.memory_request == 0) out.memory_request = out.memory_limit;
  return out;
}

int64_t CpuShares(int64_t milli) {
  if (milli <= 0) return 2;
  int64_t s = milli * 1024 / 1000;
  return s < 2 ? 2 : s;
}

int64_t CpuQuota(int64_t milli) {
  if (milli <= 0) return 0;
  int64_t q = milli * kCpuPeriodUs / 1000;
  return q < 1000 ? 1000 : q;
}

int OomScoreAdj(QosClass qos, int64_t memory_request, int64_t memory_capacity) {
  if (qos == QosClass::kGuaranteed) return -997;
  if (qos == QosClass::kBestEffort) return 1000;
  if (memory_capacity <= 0) return 999;
  int64_t adj = 1000 - (1000 * memory_request) / memory_capacity;
  if (adj < 1000 - 997) adj = 3;
  if (adj >= 1000) adj = 999;
  return static_cast<int>(adj);
}

}  // namespace keelson::runtime
