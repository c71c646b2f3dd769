// Codec throughput: decoding a 10,000-object YAML stream, a typical Deployment (YAML and JSON),
// a 10,000-item JSON list (the API server's common case), and encoding as kubectl -o yaml.
// Run: build/bench/codec_bench
#include <string>

#include <benchmark/benchmark.h>

#include "api/codec.h"

namespace keelson::api {
namespace {

constexpr const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/part-of: shop
  annotations:
    keelson.dev/sync-wave: "2"
spec:
  replicas: 3
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: registry.example.com/shop/web:1.4.2
        imagePullPolicy: IfNotPresent
        args: ["--port=8080", "--log-level=info"]
        ports:
        - name: http
          containerPort: 8080
          protocol: TCP
        env:
        - name: DATABASE_URL
          valueFrom:
            secretKeyRef: {name: db, key: url}
        - name: FEATURE_FLAGS
          value: "checkout,search"
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 10
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: "1", memory: 512Mi}
        volumeMounts:
        - name: config
          mountPath: /etc/web
      volumes:
      - name: config
        configMap:
          name: web-config
)";

std::string ConfigMapStream(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(i);
    s += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-" + id +
         "\n  namespace: default\n  labels:\n    app: bench\n    index: \"" + id +
         "\"\ndata:\n  key: value-" + id +
         "\n  enabled: \"true\"\n  config.yaml: |\n    a: 1\n"
         "    b: [x, y]\n";
  }
  return s;
}

Json ConfigMapList(int n) {
  auto docs = DecodeYamlStream(ConfigMapStream(n));
  Json items = Json::array();
  for (auto& d : *docs) items.push_back(std::move(d));
  return Json{{"apiVersion", "v1"}, {"kind", "ConfigMapList"}, {"items", std::move(items)}};
}

void BM_DecodeYamlStream10k(benchmark::State& state) {
  const std::string text = ConfigMapStream(10000);
  for (auto _ : state) {
    auto r = DecodeYamlStream(text);
    if (!r || r->size() != 10000) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_DecodeYamlStream10k)->Unit(benchmark::kMillisecond);

void BM_DecodeDeploymentYaml(benchmark::State& state) {
  const std::string text = kDeployment;
  for (auto _ : state) {
    auto r = DecodeYaml(text);
    if (!r) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_DecodeDeploymentYaml)->Unit(benchmark::kMicrosecond);

void BM_DecodeDeploymentJson(benchmark::State& state) {
  const std::string text = DecodeYaml(kDeployment)->dump();
  for (auto _ : state) {
    auto r = DecodeJson(text);
    if (!r) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_DecodeDeploymentJson)->Unit(benchmark::kMicrosecond);

void BM_DecodeJsonList10k(benchmark::State& state) {
  const std::string text = ConfigMapList(10000).dump();
  for (auto _ : state) {
    // Through the YAML entry point, as a body of unknown type would go.
    auto r = DecodeYaml(text);
    if (!r) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_DecodeJsonList10k)->Unit(benchmark::kMillisecond);

void BM_EncodeDeploymentYaml(benchmark::State& state) {
  const Json obj = *DecodeYaml(kDeployment);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = EncodeYaml(obj);
    bytes += out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_EncodeDeploymentYaml)->Unit(benchmark::kMicrosecond);

void BM_EncodeYamlList10k(benchmark::State& state) {
  const Json list = ConfigMapList(10000);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = EncodeYaml(list);
    bytes += out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_EncodeYamlList10k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace keelson::api

BENCHMARK_MAIN();
