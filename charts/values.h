// Helm's values handling (helm.sh/helm/v3/pkg/chartutil, pkg/strvals, pkg/cli/values):
// coalescing chart defaults with user values, globals, dependency conditions/tags/aliases and
// import-values, --set parsing, value-file merging and values.schema.json validation.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "charts/chart.h"
#include "charts/funcs.h"

namespace keelson::charts {

// Helm's CoalesceValues(chart, vals): chart defaults (and subchart defaults under their names,
// with globals copied down) under `vals`; a null in `vals` deletes the key.
Value CoalesceValues(const Chart& chart, const Value& vals);

// CoalesceTables(dst, src) (merge=false: null in dst deletes) and MergeTables (merge=true).
void CoalesceTables(Value& dst, const Value& src, bool merge);

// Helm's ProcessDependenciesWithMerge: resolves aliases, drops subcharts disabled by tags or
// conditions (evaluated on the coalesced values), then imports values (import-values) into each
// chart's defaults. `version_matches(constraint, version)` implements semver constraint checks
// (IsCompatibleRange).
api::Status ProcessDependencies(
    Chart& chart, const Value& vals,
    const std::function<bool(std::string_view, std::string_view)>& version_matches);

// Helm's action.CheckDependencies: every Chart.yaml dependency is present under charts/.
// Error: "found in Chart.yaml, but missing in charts/ directory: a, b".
api::Status CheckDependencies(const Chart& chart);

// --set style assignments (pkg/strvals). `kind` selects how values are typed: kTyped (--set:
// true/false/null/int64 recognised), kString (--set-string), kJson (--set-json), kFile
// (--set-file: the value is a path read with `read_file`).
enum class SetKind { kTyped, kString, kJson, kFile };
api::Status ParseSet(
    std::string_view s, Value& dest, SetKind kind = SetKind::kTyped,
    const std::function<api::Result<std::string>(const std::string&)>& read_file = {});

// Helm's mergeMaps for -f value files: maps merge recursively, other values replace.
void MergeValueMaps(Value& base, const Value& overlay);

// Validates `values` against a JSON Schema (draft-07 subset: type, properties, required, enum,
// const, pattern (RE2), minimum/maximum (+exclusive), minLength/maxLength, minItems/maxItems,
// items, additionalProperties, allOf/anyOf/oneOf/not). Returns every violation formatted as Helm
// (gojsonschema) prints them: "- path: description\n". Empty if valid. Errors: BadRequest for a
// schema that is not valid JSON.
api::Result<std::string> ValidateSchema(const Value& values, std::string_view schema_json);

// Helm's ValidateAgainstSchema over the chart tree: "chartname:\n- ...\n" per failing chart.
api::Result<std::string> ValidateChartSchemas(const Chart& chart, const Value& values);

}  // namespace keelson::charts
