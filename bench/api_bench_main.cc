// api_bench: keelsond's API figures measured end to end through HTTPS with the admin credential.
//   KEELSON_BUILD_DIR=build build/daemon/api_bench [--objects N] [--watchers N]
// Prints: create throughput, GET p50/p99, LIST of N, watch fan-out latency p99, idle RSS and
// start-up time with N stored objects.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "tests/daemon/keelsond_process.h"

using keelson::testing::Keelsond;
using keelson::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

long RssKiB(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::string ConfigMap(const std::string& ns, const std::string& name) {
  nlohmann::json cm = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"bench", "yes"}}}}},
      {"data", {{"key", "value-" + name}, {"other", "some configuration text"}}}};
  return cm.dump();
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  int objects = 10000, watchers = 100, gets = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--objects") objects = std::stoi(argv[i + 1]);
    if (a == "--watchers") watchers = std::stoi(argv[i + 1]);
    if (a == "--gets") gets = std::stoi(argv[i + 1]);
  }
  TempDir dir;
  std::string data = dir.path() + "/data";
  std::filesystem::create_directories(data);
  Keelsond d(data);
  if (!d.Start()) {
    std::fprintf(stderr, "start: %s\n", d.error().c_str());
    return 1;
  }
  std::printf("keelsond pid %d port %d data %s\n", d.pid(), d.port(), data.c_str());
  std::printf("idle RSS (empty store): %ld KiB\n", RssKiB(d.pid()));

  // 1. Creates by one client.
  auto c = d.Client();
  const std::string path = "/api/v1/namespaces/default/configmaps";
  auto t0 = Clock::now();
  for (int i = 0; i < objects; ++i) {
    auto r =
        c->Post(path.c_str(), ConfigMap("default", "cm-" + std::to_string(i)), "application/json");
    if (!r || r->status != 201) {
      std::fprintf(stderr, "create %d failed: %s\n", i, r ? r->body.c_str() : "connection");
      return 1;
    }
  }
  double create_ms = Ms(Clock::now() - t0);
  std::printf("create %d ConfigMaps (1 client): %.0f ms (%.0f/s)  [goal < 10000 ms]\n", objects,
              create_ms, objects / (create_ms / 1000));

  // 2. GET latency.
  std::vector<double> get_ms;
  for (int i = 0; i < gets; ++i) {
    std::string p = path + "/cm-" + std::to_string((i * 7919) % objects);
    auto s = Clock::now();
    auto r = c->Get(p.c_str());
    get_ms.push_back(Ms(Clock::now() - s));
    if (!r || r->status != 200) {
      std::fprintf(stderr, "get failed\n");
      return 1;
    }
  }
  std::printf("GET p50 %.3f ms  p99 %.3f ms  [goal p99 < 2 ms]\n", Percentile(get_ms, 0.5),
              Percentile(get_ms, 0.99));

  // 3. LIST of everything.
  std::vector<double> list_ms;
  for (int i = 0; i < 5; ++i) {
    auto s = Clock::now();
    auto r = c->Get(path.c_str());
    list_ms.push_back(Ms(Clock::now() - s));
    if (!r || r->status != 200) {
      std::fprintf(stderr, "list failed\n");
      return 1;
    }
    if (i == 0) {
      auto n = nlohmann::json::parse(r->body)["items"].size();
      std::printf("LIST returned %zu items, %zu bytes\n", n, r->body.size());
    }
  }
  std::printf("LIST %d: median %.1f ms  max %.1f ms  [goal < 150 ms]\n", objects,
              Percentile(list_ms, 0.5), Percentile(list_ms, 1.0));

  // 4. Watch fan-out: `watchers` watches on namespace kube-public; each write's latency to each
  // watcher.
  const std::string wpath = "/api/v1/namespaces/kube-public/configmaps";
  std::mutex mu;
  std::map<std::string, Clock::time_point> sent, acked;
  std::vector<double> lat, lat_ack;
  std::vector<std::pair<std::string, Clock::time_point>> received;
  std::atomic<int> ready{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> ws;
  for (int w = 0; w < watchers; ++w) {
    ws.emplace_back([&] {
      auto wc = d.Client();
      wc->set_read_timeout(60);
      std::string buf;
      bool counted = false;
      std::string p = wpath + "?watch=1&timeoutSeconds=60&allowWatchBookmarks=false";
      wc->Get(p.c_str(), [&](const char* data, size_t len) {
        auto now = Clock::now();
        buf.append(data, len);
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
          auto ev = nlohmann::json::parse(buf.substr(0, nl), nullptr, false);
          buf.erase(0, nl + 1);
          if (!ev.is_object()) continue;
          std::string name = ev["object"]["metadata"].value("name", "");
          if (name == "ready-probe") {
            if (!counted) ++ready;
            counted = true;
            continue;
          }
          std::lock_guard<std::mutex> l(mu);
          if (name.rfind("w-", 0) == 0) received.emplace_back(name, now);
        }
        return !done.load();
      });
    });
  }
  // A probe object tells when every watcher is connected (its ADDED event arrives).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  c->Post(wpath.c_str(), ConfigMap("kube-public", "ready-probe"), "application/json");
  for (int i = 0; i < 300 && ready.load() < watchers; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (i % 10 == 9 && ready.load() < watchers) {
      c->Delete((wpath + "/ready-probe").c_str());
      c->Post(wpath.c_str(), ConfigMap("kube-public", "ready-probe"), "application/json");
    }
  }
  std::printf("watchers connected: %d/%d\n", ready.load(), watchers);
  const int writes = 100;
  for (int i = 0; i < writes; ++i) {
    std::string name = "w-" + std::to_string(i);
    {
      std::lock_guard<std::mutex> l(mu);
      sent[name] = Clock::now();
    }
    c->Post(wpath.c_str(), ConfigMap("kube-public", name), "application/json");
    {
      std::lock_guard<std::mutex> l(mu);
      acked[name] = Clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (received.size() >= static_cast<size_t>(writes * ready.load())) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  done = true;
  // Nudge each watch so its receiver sees `done` and returns.
  c->Post(wpath.c_str(), ConfigMap("kube-public", "bye"), "application/json");
  for (auto& t : ws) t.join();
  {
    std::lock_guard<std::mutex> l(mu);
    for (const auto& [name, at] : received) {
      lat.push_back(Ms(at - sent[name]));
      lat_ack.push_back(std::max(0.0, Ms(at - acked[name])));
    }
    std::printf(
        "watch fan-out from the write request: %zu deliveries, p50 %.2f ms  p99 %.2f ms  max "
        "%.2f ms\n",
        lat.size(), Percentile(lat, 0.5), Percentile(lat, 0.99), Percentile(lat, 1.0));
    std::printf(
        "watch fan-out after the write was acknowledged: p50 %.2f ms  p99 %.2f ms  max %.2f ms  "
        "[goal p99 < 50 ms]\n",
        Percentile(lat_ack, 0.5), Percentile(lat_ack, 0.99), Percentile(lat_ack, 1.0));
  }

  // 5. Restart with everything stored: start-up time and idle RSS.
  c.reset();
  d.Stop();
  auto s = Clock::now();
  if (!d.Start()) {
    std::fprintf(stderr, "restart: %s\n", d.error().c_str());
    return 1;
  }
  std::printf("start-up with %d stored objects (exec to /readyz 200): %.0f ms  [goal < 1000 ms]\n",
              objects + writes, Ms(Clock::now() - s));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  std::printf("idle RSS (%d objects stored): %ld KiB  [goal < 30720 KiB]\n", objects,
              RssKiB(d.pid()));
  d.Stop();
  return 0;
}
