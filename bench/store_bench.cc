// Store figures (Foundation targets, measured on the store alone): create throughput, GET latency,
// LIST of 10,000 objects, write → 100 watchers fan-out latency, reopen time with 10,000 objects.
// Run: build/bench/store_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace keelson::store {
namespace {

using Clock = std::chrono::steady_clock;

std::string MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "keelson-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

api::Object ConfigMap(const std::string& name) {
  return api::Object(api::Json{
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", "bench"}}}}},
      {"data",
       {{"config.yaml", "replicas: 3\nimage: nginx:1.25\nport: 8080\n"}, {"mode", "prod"}}}});
}

std::unique_ptr<Store> MustOpen(const std::string& dir) {
  auto s = OpenSqlite(dir);
  if (!s) {
    fprintf(stderr, "open: %s\n", s.error().message.c_str());
    std::abort();
  }
  return std::move(*s);
}

// A store with 10,000 ConfigMaps, built once and shared by the read benchmarks.
const std::string& Populated() {
  static const std::string dir = [] {
    std::string d = MakeTempDir();
    auto s = MustOpen(d);
    for (int i = 0; i < 10000; ++i) {
      if (!s->Create("configmaps", ConfigMap("cm-" + std::to_string(i)))) std::abort();
    }
    return d;
  }();
  return dir;
}

void SetPercentiles(benchmark::State& state, std::vector<double>& us) {
  if (us.empty()) return;
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  state.counters["max_us"] = us.back();
}

// 10,000 sequential creates by one client (each one durable before the next starts).
void BM_Create10k(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    std::string dir = MakeTempDir();
    auto s = MustOpen(dir);
    state.ResumeTiming();
    for (int i = 0; i < 10000; ++i) {
      if (!s->Create("configmaps", ConfigMap("cm-" + std::to_string(i)))) std::abort();
    }
    state.PauseTiming();
    s.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_Create10k)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// Latency of one durable create (includes the fsync of the WAL).
void BM_CreateLatency(benchmark::State& state) {
  std::string dir = MakeTempDir();
  auto s = MustOpen(dir);
  std::vector<double> us;
  int i = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    auto r = s->Create("configmaps", ConfigMap("cm-" + std::to_string(i++)));
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!r) std::abort();
  }
  SetPercentiles(state, us);
  s.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_CreateLatency)->Unit(benchmark::kMicrosecond)->UseRealTime()->Iterations(500);

void BM_Get(benchmark::State& state) {
  auto s = MustOpen(Populated());
  std::vector<double> us;
  int i = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    auto r = s->Get("configmaps", "default", "cm-" + std::to_string(i++ % 10000));
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!r) std::abort();
    benchmark::DoNotOptimize(r);
  }
  SetPercentiles(state, us);
}
BENCHMARK(BM_Get)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_List10k(benchmark::State& state) {
  auto s = MustOpen(Populated());
  for (auto _ : state) {
    auto r = s->List("configmaps", "default");
    if (!r || r->items.size() != 10000) std::abort();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_List10k)->Unit(benchmark::kMillisecond)->UseRealTime();

// Time from the start of a write until each of 100 watchers has its event (p99 over all
// deliveries).
void BM_ListRaw10k(benchmark::State& state) {
  auto s = MustOpen(Populated());
  for (auto _ : state) {
    auto r = s->ListRaw("configmaps", "default");
    if (!r || r->items.size() != 10000) std::abort();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ListRaw10k)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_WatchFanout100(benchmark::State& state) {
  std::string dir = MakeTempDir();
  auto s = MustOpen(dir);
  constexpr int kWatchers = 100;
  std::mutex mu;
  std::condition_variable cv;
  int delivered = 0;
  Clock::time_point start;
  std::vector<double> us;
  std::vector<std::unique_ptr<WatchHandle>> hs;
  for (int w = 0; w < kWatchers; ++w) {
    auto h = s->Watch({.resource = "configmaps"}, 0, [&](const WatchEvent&) {
      auto now = Clock::now();
      std::lock_guard l(mu);
      us.push_back(std::chrono::duration<double, std::micro>(now - start).count());
      if (++delivered == kWatchers) cv.notify_all();
    });
    if (!h) std::abort();
    hs.push_back(std::move(*h));
  }
  int i = 0;
  for (auto _ : state) {
    {
      std::lock_guard l(mu);
      delivered = 0;
      start = Clock::now();
    }
    if (!s->Create("configmaps", ConfigMap("cm-" + std::to_string(i++)))) std::abort();
    std::unique_lock l(mu);
    cv.wait(l, [&] { return delivered == kWatchers; });
  }
  hs.clear();
  SetPercentiles(state, us);
  s.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WatchFanout100)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(200);

// Open of a store holding 10,000 objects, until the first GET answers.
void BM_Reopen10k(benchmark::State& state) {
  const std::string& dir = Populated();
  for (auto _ : state) {
    auto s = MustOpen(dir);
    if (!s->Get("configmaps", "default", "cm-1")) std::abort();
  }
}
BENCHMARK(BM_Reopen10k)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace keelson::store

BENCHMARK_MAIN();
