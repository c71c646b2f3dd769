// Rendering a Helm chart exactly as `helm template` does: values from the chart, value files and
// --set flags, dependencies, builtin objects, template execution, manifest sorting by kind,
// hooks, CRDs and the printed output. A pure library call (no CLI, no cluster): the GitOps sync
// engine and `keelctl template` both use it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "charts/chart.h"

namespace keelson::charts {

struct ValuesFile {
  std::string name;     // for error messages ("failed to parse NAME: ...")
  std::string content;  // YAML
};

struct RenderOptions {
  std::string release_name = "release-name";
  std::string namespace_name = "default";
  int revision = 1;
  bool is_upgrade = false;
  // Value sources, applied in Helm's order: files (left to right), --set-json, --set,
  // --set-string, --set-file.
  std::vector<ValuesFile> values_files;
  std::vector<std::string> set_json;
  std::vector<std::string> set;
  std::vector<std::string> set_string;
  std::vector<std::string> set_file;
  // Reads a --set-file path; unset means --set-file is refused.
  std::function<api::Result<std::string>(const std::string&)> read_file;
  std::string kube_version;               // --kube-version; default v1.20.0
  std::vector<std::string> api_versions;  // --api-versions, added to the defaults
  bool include_crds = false;              // --include-crds
  bool skip_tests = false;                // --skip-tests
  bool disable_hooks = false;             // --no-hooks
  bool render_subchart_notes = false;     // --render-subchart-notes
  std::vector<std::string> show_only;     // --show-only globs ("templates/x.yaml")
  size_t max_output_bytes = 64u << 20;    // whole render
};

struct RenderedManifest {
  std::string source;   // "mychart/templates/deploy.yaml"
  std::string content;  // one YAML document, trimmed
  std::string kind;
  bool hook = false;
  bool test_hook = false;
};

struct Rendered {
  std::string output;                       // byte for byte what `helm template` prints
  std::vector<RenderedManifest> manifests;  // sorted by install order
  std::vector<RenderedManifest> hooks;
  std::string notes;                         // NOTES.txt output (not part of `output`)
  std::map<std::string, std::string> files;  // every rendered template by name
  Value values;                              // the coalesced .Values of the root chart
};

// The `kind` of errors raised while rendering templates (kubeVersion check, template parse and
// execution, manifest YAML), the stage after which Helm has a partial release to show: `helm
// template` adds "Use --debug flag to render out invalid YAML" to these.
inline constexpr std::string_view kRenderStageKind = "templates";

// Renders `chart` (not modified). Errors carry Helm's wording: parse errors ("parse error at
// (mychart/templates/x.yaml:3): ..."), execution errors ("template: mychart/templates/x.yaml:3:12:
// executing ... at <...>: ..."), required/fail ("execution error at (...): message"), schema
// violations (every failure listed), YAML errors in rendered manifests, missing dependencies,
// library charts, and output over the size limit.
api::Result<Rendered> RenderChart(const Chart& chart, const RenderOptions& opts);

// The values a render would use for the root chart's .Values (for `keelctl template` debugging
// and the sync engine's diff annotations).
api::Result<Value> ComputeValues(const Chart& chart, const RenderOptions& opts);

// Masterminds/semver constraint check as Helm's IsCompatibleRange: false when either side does
// not parse.
bool SemverMatches(std::string_view constraint, std::string_view version);

// Helm's InstallOrder of kinds.
const std::vector<std::string>& InstallOrder();

// Helm's releaseutil.SplitManifests: the documents of a YAML stream, trimmed, in order.
std::vector<std::string> SplitManifests(std::string_view big_file);

// `keelctl lint`: loads and renders with default values and reports problems as Helm's linter
// does ("[ERROR] templates/x.yaml: ..."). Returns the messages; empty when the chart is clean.
std::vector<std::string> LintChart(const Chart& chart, const RenderOptions& opts);

}  // namespace keelson::charts
