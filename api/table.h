// Server-side table printing: metav1.Table documents with the columns and cells a Kubernetes 1.32
// API server returns for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (the printers of
// k8s.io/kubernetes/pkg/printers/internalversion), used by keelsond and printed by keelctl.
// Pure functions over their inputs; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/object.h"

namespace keelson::api {

// What each row's `object` holds (the includeObject query parameter).
enum class IncludeObject {
  kNone,      // no object
  kMetadata,  // a meta.k8s.io/v1 PartialObjectMetadata (the API server's default)
  kObject,    // the full object
};

// Parses the includeObject query value ("None", "Metadata", "Object"); "" = kMetadata.
// Errors: BadRequest naming the value.
Result<IncludeObject> ParseIncludeObject(std::string_view value);

struct TableOptions {
  // All columns, including priority-1 ("wide") columns. An API server always sends them and lets
  // the client hide priority > 0 columns; false drops them from columnDefinitions and cells.
  bool wide = true;
  IncludeObject include_object = IncludeObject::kMetadata;
  // "Now" in unix seconds for AGE and other relative times; nullopt = the system clock.
  std::optional<int64_t> now;
  // Copied to the Table's metadata (the list's revision and continue token).
  std::string resource_version;
  std::string continue_token;
};

// One metav1.TableColumnDefinition.
struct TableColumn {
  std::string name;    // "Name", "Ready", "Up-to-date": kubectl upper-cases it for the header
  std::string type;    // "string", "integer", "boolean", "date", "number"
  std::string format;  // "name" for the name column, else ""
  std::string description;
  int priority = 0;  // 0 = always shown, 1 = only with -o wide

  Json ToJson() const;
};

// The columns the server prints for objects of `gvk` (all priorities). Kinds without a dedicated
// printer get Name and Age. Keyed by group and kind (the version is ignored).
std::vector<TableColumn> TableColumns(const GroupVersionKind& gvk);

// Builds a metav1.Table (apiVersion meta.k8s.io/v1, kind Table) for `objects`, all of kind `gvk`,
// in the given order. Cells hold strings or integers exactly as the upstream printers produce
// them (e.g. pod STATUS "CrashLoopBackOff", RESTARTS "3 (5m ago)", AGE "3d2h").
// Errors: BadRequest if an object is not a JSON object.
Result<Json> BuildTable(const GroupVersionKind& gvk, const std::vector<Object>& objects,
                        const TableOptions& opts = {});

// duration.HumanDuration from k8s.io/apimachinery: "5s", "3m20s", "10m", "5h", "3d2h", "2y"...;
// "<invalid>" below -1 s, "0s" for -1 s.
std::string HumanDuration(int64_t seconds);
// translateTimestampSince: HumanDuration(now - ts); "<unknown>" if `rfc3339` is empty or bad.
std::string TimestampSince(std::string_view rfc3339, int64_t now);

// A label selector JSON object ({matchLabels, matchExpressions}) as LabelSelectorAsSelector
// prints it ("app=web,tier in (a,b)"), requirements sorted by key; "" for an empty or absent
// selector (as labels.Everything/Nothing print); "<error>" if it is malformed.
std::string FormatLabelSelector(const Json& selector);
// labels.FormatLabels: "k1=v1,k2=v2" sorted by key, "<none>" when empty.
std::string FormatLabels(const Json& labels);

}  // namespace keelson::api
