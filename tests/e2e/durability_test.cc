// kill -9 of keelsond during a stream of writes loses no acknowledged write.
#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/daemon/keelsond_process.h"

namespace keelson::testing {
namespace {

TEST(Durability, Kill9DuringWritesLosesNoAcknowledgedCreate) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/data");
  Keelsond d(dir.path() + "/data");
  ASSERT_TRUE(d.Start()) << d.error();

  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    auto c = d.Client();
    c->set_read_timeout(2);
    for (int i = 0; !stop; ++i) {
      std::string name = "cm-" + std::to_string(i);
      nlohmann::json cm = {{"apiVersion", "v1"},
                           {"kind", "ConfigMap"},
                           {"metadata", {{"name", name}}},
                           {"data", {{"i", std::to_string(i)}}}};
      auto r = c->Post("/api/v1/namespaces/default/configmaps", cm.dump(), "application/json");
      if (!r) break;  // the server is gone
      if (r->status == 201) {
        std::lock_guard<std::mutex> l(mu);
        acknowledged.push_back(name);
      }
    }
  });
  // Let a good number of writes through, then SIGKILL mid-stream.
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::lock_guard<std::mutex> l(mu);
    if (acknowledged.size() >= 100) break;
  }
  d.Kill();
  stop = true;
  writer.join();
  std::vector<std::string> acked;
  {
    std::lock_guard<std::mutex> l(mu);
    acked = acknowledged;
  }
  ASSERT_GT(acked.size(), 10u);

  ASSERT_TRUE(d.Start()) << d.error();
  auto c = d.Client();
  auto r = c->Get("/api/v1/namespaces/default/configmaps");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto list = nlohmann::json::parse(r->body);
  std::set<std::string> stored;
  for (const auto& i : list["items"]) stored.insert(i["metadata"]["name"].get<std::string>());
  for (const auto& name : acked)
    EXPECT_TRUE(stored.contains(name)) << name << " was acknowledged but lost";
}

}  // namespace
}  // namespace keelson::testing
