// kubectl top's metrics printer (k8s.io/kubectl/pkg/metricsutil): sorting, units and columns
// for PodMetrics and NodeMetrics lists. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/error.h"
#include "api/object.h"

namespace keelson::cli {

struct TopPodOptions {
  bool containers = false;      // one row per container, with a POD column
  bool with_namespace = false;  // -A: leading NAMESPACE column
  bool no_headers = false;
  bool sum = false;     // --sum: a total row
  std::string sort_by;  // "", "cpu" or "memory"
};

// The text kubectl prints for the items of a PodMetricsList ("" when there are none): cpu as
// "<milli>m", memory as "<MiB>Mi", rows sorted by name (namespace first with -A), or by usage
// descending. Errors: BadRequest for a usage quantity that does not parse (naming the pod).
api::Result<std::string> FormatTopPods(const api::Json& items, const TopPodOptions& opts);

// The text for a NodeMetricsList's items: NAME CPU(cores) CPU(%) MEMORY(bytes) MEMORY(%), the
// percentages against `available` (node name -> allocatable or capacity ResourceList JSON;
// omitted for nodes not in it), then a "<unknown>" row for each node in `available` without
// metrics. Errors: BadRequest for a quantity that does not parse.
api::Result<std::string> FormatTopNodes(const api::Json& items,
                                        const std::map<std::string, api::Json>& available,
                                        bool no_headers, const std::string& sort_by);

}  // namespace keelson::cli
