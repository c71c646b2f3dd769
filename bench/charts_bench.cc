// Chart rendering figures: a chart producing 600 objects, and 1,000 / 2,000 tpl calls (linear).
// Run: build/bench/charts_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "charts/render.h"

namespace keelson::charts {
namespace {

// A chart with `n` services, each rendered as a Deployment, a Service and a ConfigMap (3n objects)
// through helpers, toYaml and range, as real charts do.
std::unique_ptr<Chart> ManyObjectsChart(int n, bool dict = true) {
  std::vector<ChartFile> files;
  files.push_back({"Chart.yaml", "apiVersion: v2\nname: big\nversion: 1.0.0\n"});
  std::string values =
      "image: nginx\nresources:\n  limits:\n    cpu: 100m\n    memory: 128Mi\nservices:\n";
  for (int i = 0; i < n; ++i) {
    values += "  - name: svc" + std::to_string(i) + "\n    port: " + std::to_string(8000 + i) +
              "\n    replicas: 2\n    env:\n      A: \"1\"\n      B: two\n";
  }
  files.push_back({"values.yaml", values});
  files.push_back(
      {"templates/_helpers.tpl",
       "{{- define \"big.labels\" -}}\napp: {{ .name }}\nrelease: {{ .root.Release.Name }}\n"
       "chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}\n{{- end -}}\n"});
  files.push_back(
      {"templates/all.yaml",
       "{{- range .Values.services }}\n"
       "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .name }}\n  labels:\n" +
           std::string(dict ? "    {{- include \"big.labels\" (dict \"name\" .name \"root\" $) | "
                              "nindent 4 }}\n"
                            : "    app: {{ .name }}\n") +
           "spec:\n  replicas: {{ .replicas }}\n  template:\n    spec:\n      containers:\n"
           "        - name: app\n          image: {{ $.Values.image }}\n          resources:\n"
           "            {{- toYaml $.Values.resources | nindent 12 }}\n          env:\n"
           "            {{- range $k, $v := .env }}\n            - name: {{ $k }}\n"
           "              value: {{ $v | quote }}\n            {{- end }}\n"
           "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .name }}\nspec:\n  ports:\n"
           "    - port: {{ .port }}\n"
           "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .name }}-config\ndata:\n"
           "  port: {{ .port | quote }}\n"
           "{{- end }}\n"});
  auto c = LoadChartFiles(std::move(files));
  if (!c) abort();
  return std::move(*c);
}

std::unique_ptr<Chart> TplChart(int n) {
  std::vector<ChartFile> files;
  files.push_back({"Chart.yaml", "apiVersion: v2\nname: tpl\nversion: 1.0.0\n"});
  files.push_back(
      {"values.yaml", "count: " + std::to_string(n) +
                          "\nmessage: 'hello {{ .Release.Name }} from {{ .Chart.Name }} {{ "
                          ".Values.suffix }}'\nsuffix: x\n"});
  files.push_back(
      {"templates/cm.yaml",
       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tpl\ndata:\n"
       "{{- range $i := int .Values.count }}\n  k{{ $i }}: {{ tpl $.Values.message $ | quote }}\n"
       "{{- end }}\n"});
  auto c = LoadChartFiles(std::move(files));
  if (!c) abort();
  return std::move(*c);
}

void BM_Render600Objects(benchmark::State& state) {
  auto chart = ManyObjectsChart(200);
  size_t objects = 0;
  for (auto _ : state) {
    auto r = RenderChart(*chart, {});
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    objects = r->manifests.size();
    benchmark::DoNotOptimize(r->output);
  }
  state.counters["objects"] = static_cast<double>(objects);
}
void BM_Render600ObjectsNoDict(benchmark::State& state) {
  auto chart = ManyObjectsChart(200, false);
  for (auto _ : state) {
    auto r = RenderChart(*chart, {});
    benchmark::DoNotOptimize(r->output);
  }
}
BENCHMARK(BM_Render600ObjectsNoDict)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK(BM_Render600Objects)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_TplCalls(benchmark::State& state) {
  auto chart = TplChart(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto r = RenderChart(*chart, {});
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(r->output);
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_TplCalls)
    ->Arg(1000)
    ->Arg(2000)
    ->Arg(4000)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->Complexity();

}  // namespace
}  // namespace keelson::charts

BENCHMARK_MAIN();
