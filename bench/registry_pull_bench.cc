// Registry pull figures: the busybox test image pulled from a real docker-registry on loopback
// into an empty image store (cold: manifest, config and the gzip layer fetched, verified and
// unpacked) and into a store that already has it (warm: manifest only).
//
//   KEELSON_SOURCE_DIR=. ./build/bench/registry_pull_bench
//
// Needs docker-registry and skopeo (scripts/deps.txt); the registry runs in a temp dir and is
// killed when the benchmark ends.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "runtime/fsutil.h"
#include "runtime/image_store.h"
#include "tests/runtime/registry_fixture.h"
#include "tests/runtime/test_util.h"

using namespace keelson;
using namespace keelson::runtime;

namespace {

struct Env {
  testing::TempDir tmp;
  std::unique_ptr<testing::TestRegistry> registry;
  std::string ref;
  std::string error;

  Env() {
    spdlog::set_level(spdlog::level::warn);
    if (!testing::HaveRegistryTools()) {
      error = "needs docker-registry and skopeo";
      return;
    }
    std::string archive = testing::BuildTestImage(tmp.path());
    if (archive.empty()) {
      error = "scripts/build-test-image.sh failed (set KEELSON_SOURCE_DIR)";
      return;
    }
    MakeDirs(tmp / "registry", 0700);
    registry = testing::TestRegistry::Start(tmp / "registry", {}, &error);
    if (!registry) return;
    error = registry->Push("docker-archive:" + archive, "busybox:1");
    ref = registry->host() + "/busybox:1";
  }
};

Env& TheEnv() {
  static Env env;
  return env;
}

void BM_PullBusyboxCold(benchmark::State& state) {
  Env& env = TheEnv();
  if (!env.error.empty()) {
    state.SkipWithError(env.error.c_str());
    return;
  }
  int n = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string root = env.tmp / ("store" + std::to_string(n++));
    auto store = ImageStore::Open(root);
    state.ResumeTiming();
    auto img = (*store)->Pull(env.ref, {}, {});
    state.PauseTiming();
    if (!img) {
      state.SkipWithError(img.error().message.c_str());
      break;
    }
    bytes += img->size;
    store->reset();
    RemoveAll(root);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_PullBusyboxCold)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_PullBusyboxWarm(benchmark::State& state) {
  Env& env = TheEnv();
  if (!env.error.empty()) {
    state.SkipWithError(env.error.c_str());
    return;
  }
  auto store = ImageStore::Open(env.tmp / "warm");
  if (!store || !(*store)->Pull(env.ref, {}, {})) {
    state.SkipWithError("first pull failed");
    return;
  }
  for (auto _ : state) {
    auto img = (*store)->Pull(env.ref, {}, {});
    if (!img) {
      state.SkipWithError(img.error().message.c_str());
      break;
    }
  }
}
BENCHMARK(BM_PullBusyboxWarm)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();
