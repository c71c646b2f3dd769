// Kubernetes resource arithmetic for the node agent: quantities, QoS class, and the cgroup and
// OOM-score figures the kubelet derives from them. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/error.h"
#include "api/object.h"

namespace keelson::runtime {

// Parses a resource.Quantity ("100m", "1.5", "128Mi", "1G", "1e3"). Errors: BadRequest naming
// the text.
api::Result<long double> ParseQuantity(std::string_view text);
// ceil(q * 1000) and ceil(q), as resource.Quantity's MilliValue()/Value() round.
int64_t MilliValue(long double q);
int64_t IntValue(long double q);

enum class QosClass { kGuaranteed, kBurstable, kBestEffort };
// "Guaranteed", "Burstable", "BestEffort".
std::string_view QosClassName(QosClass q);
// The pod's QoS class from the requests and limits of all its (init and app) containers, with
// Kubernetes' rules: requests default to limits; Guaranteed when every container limits and
// requests cpu and memory equally; BestEffort when none requests or limits either.
QosClass PodQosClass(const api::Json& pod_spec);

// Per-container request/limit in milli-CPU and bytes; 0 = unset (requests default to limits).
struct ContainerResources {
  int64_t cpu_request_milli = 0;
  int64_t cpu_limit_milli = 0;
  int64_t memory_request = 0;
  int64_t memory_limit = 0;
};
// Errors: BadRequest naming the field (resources.limits.memory: ...).
api::Result<ContainerResources> ContainerResourcesOf(const api::Json& container);

// cpu.shares = milliCPU*1024/1000, at least 2 (also for no request).
int64_t CpuShares(int64_t cpu_request_milli);
// CFS quota in microseconds for a 100 ms period; 0 = no limit. At least 1000 (1 ms).
int64_t CpuQuota(int64_t cpu_limit_milli);
constexpr int64_t kCpuPeriodUs = 100000;
// oom_score_adj: Guaranteed -997, BestEffort 1000, Burstable 1000 - 1000*request/capacity
// clamped to [3, 999] (the kubelet's policy/qos.go).
int OomScoreAdj(QosClass qos, int64_t memory_request, int64_t memory_capacity);

}  // namespace keelson::runtime
