// Node agent figures (root, runc, CNI): pod created → Running observed through a watch (p50/p99)
// against `runc run --detach` of the same container alone; 100 pods created at once → all
// Running; agent and monitor memory.
//
//   sudo KEELSON_SOURCE_DIR=. ./build/bench/runtime_pods_bench
//
// KEELSON_BENCH_RUNTIME=process runs the pods under the process runtime instead of runc (the
// raw figure stays `runc run`). KEELSON_BENCH_DEBUG=1 logs the agent's per-pod stage timings
// (network, prepare, rootfs, runtime) at debug level on stderr. Prints one line per figure.
// Everything it creates (pods, netns, bridge, cgroups) is removed.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "runtime/cni.h"
#include "runtime/fsutil.h"
#include "runtime/image_store.h"
#include "runtime/node_agent.h"
#include "runtime/oci_spec.h"
#include "runtime/process.h"
#include "runtime/runc_runtime.h"
#include "tests/runtime/fake_client.h"
#include "tests/runtime/test_util.h"

using namespace keelson;
using namespace keelson::runtime;
using api::Json;
using namespace std::chrono_literals;
using BenchClock = std::chrono::steady_clock;

namespace {

const api::GroupVersionKind kPod{"", "v1", "Pod"};

int64_t RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      int64_t kb;
      in >> kb;
      return kb;
    }
  }
  return -1;
}

// Runs argv with stdio on /dev/null (a detached container inherits runc's stdio, so a pipe would
// stay open) and returns the exit status.
int RunQuiet(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open("/dev/null", O_RDWR);
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main() {
  if (std::getenv("KEELSON_BENCH_DEBUG")) spdlog::set_level(spdlog::level::debug);
  if (geteuid() != 0 || !runtime::testing::HaveRunc()) {
    std::printf("runtime_pods_bench: needs root and runc; skipped\n");
    return 0;
  }
  runtime::testing::TempDir tmp;
  std::string id = RandomHex(3);
  NodeAgentConfig cfg;
  cfg.node_name = "bench-" + id;
  cfg.data_dir = tmp / "data";
  cfg.cni_bridge = "kb" + id;
  int third = std::stoi(id.substr(0, 2), nullptr, 16);
  cfg.pod_cidr = "10.254." + std::to_string(third) + ".0/24";
  cfg.service_cidr = "10.255." + std::to_string(third) + ".0/24";
  cfg.sync_interval = 1000ms;
  if (const char* rt = std::getenv("KEELSON_BENCH_RUNTIME")) cfg.runtime = rt;
  runtime::testing::FakeClient client;
  auto agent = NodeAgent::Create(&client, cfg);
  if (!agent) {
    std::printf("create agent: %s\n", agent.error().message.c_str());
    return 1;
  }
  auto image_tar = runtime::testing::BuildTestImage(tmp.path());
  auto images = (*agent)->images().Import(image_tar);
  if (!images) {
    std::printf("import: %s\n", images.error().message.c_str());
    return 1;
  }
  const int kSequential = 20;

  // 1. Raw runc: the same busybox container (rootfs, spec, a pinned netns), `runc run -d`.
  std::vector<double> raw_ms;
  {
    CniOptions co;
    co.netns_dir = tmp / "raw-netns";
    co.state_dir = tmp / "raw-cni";
    Cni cni(co);
    auto ns = cni.CreateNetns("raw");
    for (int i = 0; i < kSequential && ns; ++i) {
      std::string cid = "raw" + std::to_string(i);
      std::string dir = tmp / ("raw/" + cid);
      auto fs = (*agent)->images().CreateRootfs((*images)[0], dir);
      api::Object pod(Json::parse(
          R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"raw","namespace":"default","uid":"raw"},"spec":{}})"));
      Json c = {{"name", "c"}, {"command", {"sleep", "1000"}}};
      pod.json()["spec"]["containers"] = Json::array({c});
      SpecParams p;
      p.pod = &pod;
      p.container = &c;
      p.image = (*images)[0].config;
      p.env = p.image.env;
      p.rootfs = fs->path;
      p.netns_path = *ns;
      p.cgroups_path = "/keelson-bench-raw/" + cid;
      auto spec = BuildOciSpec(p);
      (*spec)["process"].erase("oomScoreAdj");
      WriteFileAtomic(dir + "/config.json", spec->dump());
      auto t0 = BenchClock::now();
      int rc =
          RunQuiet({"runc", "--root", tmp / "raw-runc", "run", "--detach", "--bundle", dir, cid});
      raw_ms.push_back(std::chrono::duration<double, std::milli>(BenchClock::now() - t0).count());
      if (rc != 0) std::printf("raw runc failed: exit %d\n", rc);
      RunCommand({"runc", "--root", tmp / "raw-runc", "delete", "--force", cid});
      ImageStore::RemoveRootfs(dir);
    }
    Cgroups().Remove("/keelson-bench-raw");
    cni.DeleteNetns("raw");
  }

  // 2. Pods through the agent, observed through a watch.
  if (auto st = (*agent)->Start(); !st) {
    std::printf("start: %s\n", st.error().message.c_str());
    return 1;
  }
  std::mutex mu;
  std::map<std::string, BenchClock::time_point> created, running;
  auto watch = client.Watch(kPod, "", {}, [&](const api::WatchEvent& ev) {
    const Json* phase = ev.object.Find("status.phase");
    if (phase && phase->is_string() && *phase == "Running") {
      std::lock_guard lock(mu);
      running.emplace(ev.object.name(), BenchClock::now());
    }
  });
  auto make_pod = [&](const std::string& name) {
    Json j = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec",
               {{"nodeName", cfg.node_name},
                {"terminationGracePeriodSeconds", 0},
                {"containers", Json::array({{{"name", "c"},
                                             {"image", "keelson.dev/busybox:test"},
                                             {"command", {"sleep", "1000"}}}})}}}};
    {
      std::lock_guard lock(mu);
      created[name] = BenchClock::now();
    }
    client.Create(api::Object(j));
  };
  auto wait_running = [&](const std::vector<std::string>& names, std::chrono::seconds timeout) {
    auto deadline = BenchClock::now() + timeout;
    while (BenchClock::now() < deadline) {
      {
        std::lock_guard lock(mu);
        if (std::all_of(names.begin(), names.end(), [&](auto& n) { return running.contains(n); }))
          return true;
      }
      std::this_thread::sleep_for(5ms);
    }
    return false;
  };
  auto delete_all = [&](const std::vector<std::string>& names) {
    for (auto& n : names) client.Delete(kPod, "default", n);
    auto deadline = BenchClock::now() + 120s;
    for (auto& n : names)
      while (client.Get(kPod, "default", n) && BenchClock::now() < deadline)
        std::this_thread::sleep_for(50ms);
  };
  std::vector<double> pod_ms;
  std::vector<std::string> seq;
  for (int i = 0; i < kSequential; ++i) {
    std::string name = "seq-" + std::to_string(i);
    seq.push_back(name);
    make_pod(name);
    if (!wait_running({name}, 30s)) std::printf("%s did not run\n", name.c_str());
    std::lock_guard lock(mu);
    pod_ms.push_back(
        std::chrono::duration<double, std::milli>(running[name] - created[name]).count());
  }
  // Monitor memory while the sequential pods run.
  int64_t max_monitor_kb = 0;
  std::string mon = cfg.data_dir + "/runtime/" + cfg.runtime + "/monitors";
  if (DIR* d = opendir(mon.c_str())) {
    while (dirent* e = readdir(d)) {
      auto text = ReadFile(mon + "/" + e->d_name + "/state.json");
      if (!text) continue;
      try {
        int pid = Json::parse(*text).value("monitorPid", 0);
        if (pid > 0) max_monitor_kb = std::max(max_monitor_kb, RssKb(pid));
      } catch (...) {
      }
    }
    closedir(d);
  }
  delete_all(seq);

  // 3. 100 pods at once.
  std::vector<std::string> burst;
  for (int i = 0; i < 100; ++i) burst.push_back("burst-" + std::to_string(i));
  auto t0 = BenchClock::now();
  for (auto& n : burst) make_pod(n);
  bool all = wait_running(burst, 60s);
  double burst_s = std::chrono::duration<double>(BenchClock::now() - t0).count();
  std::this_thread::sleep_for(1s);
  int64_t agent_kb = RssKb(getpid());
  delete_all(burst);
  watch->reset();
  (*agent)->Stop();
  RunCommand({"ip", "link", "del", cfg.cni_bridge});

  double raw50 = Percentile(raw_ms, 0.5), raw99 = Percentile(raw_ms, 0.99);
  double pod50 = Percentile(pod_ms, 0.5), pod99 = Percentile(pod_ms, 0.99);
  std::printf("raw runc run --detach (n=%zu): p50 %.1f ms, p99 %.1f ms\n", raw_ms.size(), raw50,
              raw99);
  std::printf(
      "pod created -> Running via watch (n=%zu): p50 %.1f ms, p99 %.1f ms (p50 ratio %.2fx raw)\n",
      pod_ms.size(), pod50, pod99, raw50 > 0 ? pod50 / raw50 : 0);
  std::printf("100 pods created at once: %s Running after %.2f s\n", all ? "all" : "NOT all",
              burst_s);
  std::printf(
      "agent process RSS with 100 pods running: %.1f MiB (bench process: agent + in-memory API)\n",
      static_cast<double>(agent_kb) / 1024);
  std::printf("keelson-monitor RSS (max over %d containers): %.2f MiB\n", kSequential,
              static_cast<double>(max_monitor_kb) / 1024);
  return 0;
}
