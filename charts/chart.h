// Helm charts in memory and how they are loaded (helm.sh/helm/v3/pkg/chart/loader semantics):
// from a directory (with .helmignore), from a .tgz archive, or from files already in memory
// (the GitOps engine reads git trees without a checkout).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "charts/funcs.h"

namespace keelson::charts {

// One file of a chart, path relative to the chart root with '/' separators.
struct ChartFile {
  std::string name;
  std::string data;
};

// A dependency entry of Chart.yaml (or requirements.yaml for apiVersion v1).
struct ChartDependency {
  std::string name;
  std::string version;
  std::string repository;
  std::string condition;
  std::vector<std::string> tags;
  std::string alias;
  Value import_values = Value::array();  // strings or {child, parent} maps
  bool enabled = true;
};

struct Chart {
  // Chart.yaml decoded as JSON (camelCase keys as written).
  Value metadata_raw = Value::object();
  std::string api_version;
  std::string name;
  std::string version;
  std::string app_version;
  std::string type;          // "", "application" or "library"
  std::string kube_version;  // constraint, may be empty
  std::vector<ChartDependency> dependencies;

  std::vector<ChartFile> templates;  // "templates/..."
  std::vector<ChartFile> files;      // every other file (.Files), including crds/
  Value values = Value::object();    // values.yaml, numbers as float64
  std::string schema;                // values.schema.json, empty if none
  std::vector<std::unique_ptr<Chart>> subcharts;
  Chart* parent = nullptr;

  bool IsRoot() const { return parent == nullptr; }
  // "mychart" for the root, "mychart/charts/sub" for a subchart (Helm's ChartFullPath).
  std::string FullPath() const;
  // Deep copy (subcharts included, parent links rebuilt).
  std::unique_ptr<Chart> Clone() const;
  // .Chart as templates see it (chart.Metadata fields with Go names, plus IsRoot).
  Value MetadataObject() const;
};

struct LoadLimits {
  size_t max_chart_bytes = 100u << 20;  // Helm's MaxDecompressedChartSize
  size_t max_file_bytes = 5u << 20;     // Helm's MaxDecompressedFileSize
  size_t max_files = 20000;
  int max_depth = 30;  // nested subcharts
};

// Loads a chart from a directory or a .tgz/.tar.gz file. Errors: NotFound for a missing path,
// BadRequest naming the file for malformed content, paths escaping the chart, symlinks leading
// outside it, or a chart over the limits.
api::Result<std::unique_ptr<Chart>> LoadChart(const std::string& path,
                                              const LoadLimits& limits = {});

// Loads a chart from files relative to its root (Helm's loader.LoadFiles). Subcharts under
// charts/ may be directories or .tgz files.
api::Result<std::unique_ptr<Chart>> LoadChartFiles(std::vector<ChartFile> files,
                                                   const LoadLimits& limits = {}, int depth = 0);

// Loads a chart archive (gzip-compressed tar whose entries share one top directory).
api::Result<std::unique_ptr<Chart>> LoadChartArchive(std::string_view tgz,
                                                     const LoadLimits& limits = {}, int depth = 0);

// .helmignore rules (helm.sh/helm/v3/pkg/ignore): shell globs per line, "!" negation, trailing
// "/" for directories, leading "/" anchors at the root; the first matching rule decides.
class IgnoreRules {
 public:
  // Parses .helmignore text. Errors: BadRequest for "**" or malformed patterns.
  static api::Result<IgnoreRules> Parse(std::string_view text);
  // Adds Helm's default rule "templates/.?*".
  void AddDefaults();
  // True if `path` (relative, '/'-separated) should be skipped.
  bool Ignore(std::string_view path, bool is_dir) const;

 private:
  struct Pattern {
    std::string rule;
    bool negate = false;
    bool must_dir = false;
    int kind = 0;  // 0: basename match, 1: structural match, 2: anchored at root
  };
  std::vector<Pattern> patterns_;
};

// Go's path.Match (filepath.Match with '/' separators): '*' any run of non-'/' characters, '?'
// one, '[...]' classes ('^' negates), '\\' escapes. Returns false for malformed patterns and sets
// *bad when given.
bool GoPathMatch(std::string_view pattern, std::string_view name, bool* bad = nullptr);

// gobwas/glob with '/' separators as Helm's .Files.Glob uses it: '*' (no '/'), '**' (anything),
// '?', '[...]', '{a,b}'.
bool GlobMatch(std::string_view pattern, std::string_view name);

}  // namespace keelson::charts
