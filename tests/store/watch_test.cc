// Tests for the store's watch: replay + live without gaps, Gone after compaction, handle
// lifetime, slow consumers, selector transitions.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace keelson::store {
namespace {

using namespace std::chrono_literals;
using testing::Collector;
using testing::ConfigMap;
using testing::TempDir;

std::unique_ptr<Store> Open(const TempDir& dir, SqliteOptions o = {}) {
  auto s = OpenSqlite(dir.path(), o);
  EXPECT_TRUE(s) << s.error().message;
  return s ? std::move(*s) : nullptr;
}

// Every revision in (from, to] exactly once, ascending.
void ExpectContiguous(const std::vector<WatchEvent>& evs, Revision from, Revision to) {
  ASSERT_EQ(evs.size(), static_cast<size_t>(to - from));
  for (size_t i = 0; i < evs.size(); ++i) {
    ASSERT_EQ(evs[i].revision, from + 1 + static_cast<Revision>(i)) << "event " << i;
    EXPECT_EQ(evs[i].object.resource_version(), std::to_string(evs[i].revision));
  }
}

TEST(Watch, DeliversAddedModifiedDeletedInOrder) {
  TempDir dir;
  auto s = Open(dir);
  Collector c;
  auto h = s->Watch({.resource = "configmaps"}, 0, c.Callback());
  ASSERT_TRUE(h) << h.error().message;
  auto cm = s->Create("configmaps", ConfigMap("default", "a"));
  ASSERT_TRUE(cm);
  api::Object m = *cm;
  m.json()["data"]["k"] = "2";
  ASSERT_TRUE(s->Update("configmaps", m));
  ASSERT_TRUE(s->Create("secrets", ConfigMap("default", "other-resource")));
  auto del = s->Delete("configmaps", "default", "a");
  ASSERT_TRUE(del);
  auto evs = c.WaitFor(3);
  ASSERT_EQ(evs.size(), 3u);
  EXPECT_EQ(evs[0].type, EventType::kAdded);
  EXPECT_EQ(evs[1].type, EventType::kModified);
  EXPECT_EQ(evs[1].object.data()["k"], "2");
  EXPECT_EQ(evs[2].type, EventType::kDeleted);
  EXPECT_EQ(evs[2].object.name(), "a");
  EXPECT_EQ(evs[2].revision, std::stoll(del->resource_version()));
  EXPECT_EQ(evs[2].object.resource_version(), del->resource_version());
}

TEST(Watch, FiltersByNamespace) {
  TempDir dir;
  auto s = Open(dir);
  Collector c;
  auto h = s->Watch({.resource = "configmaps", .ns = "kube-system"}, 0, c.Callback());
  ASSERT_TRUE(h);
  ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "no")));
  ASSERT_TRUE(s->Create("configmaps", ConfigMap("kube-system", "yes")));
  auto evs = c.WaitFor(1);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].object.name(), "yes");
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(c.size(), 1u);
}

// A watch from a revision inside the in-memory window, while a writer keeps going.
TEST(Watch, FromRevisionReplaysThenGoesLiveWithoutGaps) {
  TempDir dir;
  auto s = Open(dir);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "pre" + std::to_string(i))));
  }
  auto list = s->List("configmaps", "");
  ASSERT_TRUE(list);
  Revision from = list->revision - 10;
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "live" + std::to_string(i))));
    }
  });
  Collector c;
  auto h = s->Watch({.resource = "configmaps"}, from, c.Callback());
  ASSERT_TRUE(h) << h.error().message;
  writer.join();
  Revision end = s->CurrentRevision();
  ExpectContiguous(c.WaitFor(end - from), from, end);
}

// A watch from before the in-memory window replays from the durable log, then goes live.
TEST(Watch, FromOldRevisionReplaysFromLogWithoutGapsOrDuplicates) {
  TempDir dir;
  auto s = Open(dir, {.watch_window_events = 8});
  Revision from = s->CurrentRevision();
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "old" + std::to_string(i))));
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 200 && !stop; ++i) {
      ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "new" + std::to_string(i))));
    }
  });
  Collector c;
  auto h = s->Watch({.resource = "configmaps"}, from, c.Callback());
  ASSERT_TRUE(h) << h.error().message;
  writer.join();
  Revision end = s->CurrentRevision();
  ExpectContiguous(c.WaitFor(end - from), from, end);
  // Nothing more arrives.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(c.size(), static_cast<size_t>(end - from));
}

// After a restart the in-memory window is empty: resuming a watch reads the log.
TEST(Watch, ResumesAcrossReopen) {
  TempDir dir;
  Revision from;
  {
    auto s = Open(dir);
    from = s->CurrentRevision();
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "c" + std::to_string(i))));
    }
  }
  auto s = Open(dir);
  Collector c;
  auto h = s->Watch({.resource = "configmaps"}, from, c.Callback());
  ASSERT_TRUE(h);
  ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "after")));
  ExpectContiguous(c.WaitFor(6), from, from + 6);
}

TEST(Watch, FromCompactedRevisionIsGone) {
  TempDir dir;
  auto s = Open(dir);
  Revision old = s->CurrentRevision();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "c" + std::to_string(i))));
  }
  Revision cut = old + 5;
  ASSERT_TRUE(s->Compact(cut));
  Collector c;
  auto h = s->Watch({.resource = "configmaps"}, old, c.Callback());
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().reason, api::Reason::kGone);
  EXPECT_EQ(h.error().HttpCode(), 410);
  EXPECT_EQ(h.error().message,
            "too old resource version: " + std::to_string(old) + " (" + std::to_string(cut) + ")");
  // From the compaction point on, history is still there.
  auto ok = s->Watch({.resource = "configmaps"}, cut, c.Callback());
  ASSERT_TRUE(ok) << ok.error().message;
  ExpectContiguous(c.WaitFor(5), cut, cut + 5);
  // Compacting the future is refused; compacting the past again is a no-op.
  EXPECT_EQ(s->Compact(s->CurrentRevision() + 1).error().reason, api::Reason::kBadRequest);
  EXPECT_TRUE(s->Compact(cut - 1));
}

// A compaction that lands while a watch is still replaying the log ends the watch with Gone.
TEST(Watch, CompactionDuringReplayEndsTheWatchWithGone) {
  TempDir dir;
  auto s = Open(dir, {.watch_window_events = 1});
  Revision from = s->CurrentRevision();
  for (int i = 0; i < 300; ++i) {  // more than one replay page
    ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "c" + std::to_string(i))));
  }
  std::atomic<bool> compacted{false};
  std::atomic<int> delivered{0};
  Collector errors;
  WatchFilter f{.resource = "configmaps", .on_error = errors.ErrorCallback()};
  auto h = s->Watch(f, from, [&](const WatchEvent&) {
    ++delivered;
    while (!compacted) std::this_thread::sleep_for(1ms);
  });
  ASSERT_TRUE(h) << h.error().message;
  while (delivered == 0) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(s->Compact(s->CurrentRevision()));
  compacted = true;
  auto errs = errors.WaitForError();
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].reason, api::Reason::kGone);
  EXPECT_NE(errs[0].message.find("too old resource version"), std::string::npos) << errs[0].message;
  EXPECT_LT(delivered.load(), 300);
}

TEST(Watch, HistoryIsCompactedAutomaticallyAndSurvivesReopen) {
  TempDir dir;
  Revision start;
  {
    auto s = Open(dir, {.history_events = 20});
    start = s->CurrentRevision();
    for (int i = 0; i < 60; ++i) {
      ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "c" + std::to_string(i))));
    }
    Collector c;
    auto h = s->Watch({.resource = "configmaps"}, start, c.Callback());
    ASSERT_FALSE(h);
    EXPECT_EQ(h.error().reason, api::Reason::kGone);
    // The most recent history_events are kept.
    Revision recent = s->CurrentRevision() - 20;
    auto ok = s->Watch({.resource = "configmaps"}, recent, c.Callback());
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(c.WaitFor(20).size(), 20u);
  }
  auto s = Open(dir, {.history_events = 20});
  Collector c;
  auto h = s->Watch({.resource = "configmaps"}, start, c.Callback());
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().reason, api::Reason::kGone);
}

TEST(Watch, DestroyingTheHandleStopsDelivery) {
  TempDir dir;
  auto s = Open(dir);
  Collector c;
  auto h = s->Watch({.resource = "configmaps"}, 0, c.Callback());
  ASSERT_TRUE(h);
  ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "one")));
  ASSERT_EQ(c.WaitFor(1).size(), 1u);
  h->reset();
  ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "two")));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(c.size(), 1u);
}

TEST(Watch, HandleDestructionWaitsForTheInFlightCallback) {
  TempDir dir;
  auto s = Open(dir);
  std::atomic<bool> entered{false}, finished{false};
  auto h = s->Watch({.resource = "configmaps"}, 0, [&](const WatchEvent&) {
    entered = true;
    std::this_thread::sleep_for(200ms);
    finished = true;
  });
  ASSERT_TRUE(h);
  ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "slow")));
  while (!entered) std::this_thread::sleep_for(1ms);
  h->reset();
  EXPECT_TRUE(finished.load());
}

TEST(Watch, CallbackMayDestroyItsOwnHandle) {
  TempDir dir;
  auto s = Open(dir);
  std::unique_ptr<WatchHandle> handle;
  std::mutex mu;
  std::atomic<int> calls{0};
  auto h = s->Watch({.resource = "configmaps"}, 0, [&](const WatchEvent&) {
    ++calls;
    std::lock_guard l(mu);
    handle.reset();
  });
  ASSERT_TRUE(h);
  {
    std::lock_guard l(mu);
    handle = std::move(*h);
  }
  ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "a")));
  ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "b")));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(calls.load(), 1);
}

TEST(Watch, SlowConsumerIsEndedWithAnErrorWithoutBlockingWriters) {
  TempDir dir;
  auto s = Open(dir, {.watch_queue_limit = 5});
  std::atomic<bool> release{false};
  Collector errors;
  std::atomic<int> delivered{0};
  WatchFilter f{.resource = "configmaps", .on_error = errors.ErrorCallback()};
  auto h = s->Watch(f, 0, [&](const WatchEvent&) {
    ++delivered;
    while (!release) std::this_thread::sleep_for(1ms);
  });
  ASSERT_TRUE(h);
  // A healthy watcher alongside keeps receiving everything.
  Collector healthy;
  auto h2 = s->Watch({.resource = "configmaps"}, 0, healthy.Callback());
  ASSERT_TRUE(h2);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "c" + std::to_string(i))));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  release = true;
  auto errs = errors.WaitForError();
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].reason, api::Reason::kServiceUnavailable);
  EXPECT_NE(errs[0].message.find("fell more than 5 events behind"), std::string::npos)
      << errs[0].message;
  EXPECT_LT(delivered.load(), 20);
  EXPECT_EQ(healthy.WaitFor(20).size(), 20u);
}

TEST(Watch, PredicateTransitionsFollowKubernetesSelectors) {
  TempDir dir;
  auto s = Open(dir);
  Collector c;
  WatchFilter f{.resource = "configmaps",
                .predicate = [](const api::Object& o) { return o.label("app") == "web"; }};
  auto h = s->Watch(f, 0, c.Callback());
  ASSERT_TRUE(h);
  auto cm = s->Create("configmaps", ConfigMap("default", "x"));  // not selected
  ASSERT_TRUE(cm);
  api::Object o = *cm;
  o.set_label("app", "web");
  auto joined = s->Update("configmaps", o);  // starts matching → ADDED
  ASSERT_TRUE(joined);
  o = *joined;
  o.json()["data"]["k"] = "2";
  auto changed = s->Update("configmaps", o);  // still matching → MODIFIED
  ASSERT_TRUE(changed);
  o = *changed;
  o.set_label("app", "db");
  auto left = s->Update("configmaps", o);  // stops matching → DELETED (previous state)
  ASSERT_TRUE(left);
  ASSERT_TRUE(s->Delete("configmaps", "default", "x"));  // not selected any more
  auto evs = c.WaitFor(3);
  std::this_thread::sleep_for(50ms);
  evs = c.WaitFor(3);
  ASSERT_EQ(evs.size(), 3u);
  EXPECT_EQ(evs[0].type, EventType::kAdded);
  EXPECT_EQ(evs[0].revision, std::stoll(joined->resource_version()));
  EXPECT_EQ(evs[1].type, EventType::kModified);
  EXPECT_EQ(evs[2].type, EventType::kDeleted);
  EXPECT_EQ(evs[2].object.label("app"), "web");
  EXPECT_EQ(evs[2].object.resource_version(), left->resource_version());
}

TEST(Watch, ManyWatchersAllSeeEveryEvent) {
  TempDir dir;
  auto s = Open(dir);
  constexpr int kWatchers = 50;
  std::vector<std::unique_ptr<Collector>> cs;
  std::vector<std::unique_ptr<WatchHandle>> hs;
  for (int i = 0; i < kWatchers; ++i) {
    cs.push_back(std::make_unique<Collector>());
    auto h = s->Watch({.resource = "configmaps"}, 0, cs.back()->Callback());
    ASSERT_TRUE(h);
    hs.push_back(std::move(*h));
  }
  Revision from = s->CurrentRevision();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "c" + std::to_string(i))));
  }
  for (auto& c : cs) ExpectContiguous(c->WaitFor(10), from, from + 10);
}

TEST(Watch, StoreDestructionEndsWatchesAndHandlesMayOutliveIt) {
  TempDir dir;
  auto s = Open(dir);
  Collector c;
  auto h = s->Watch({.resource = "configmaps"}, 0, c.Callback());
  ASSERT_TRUE(h);
  ASSERT_TRUE(s->Create("configmaps", ConfigMap("default", "a")));
  ASSERT_EQ(c.WaitFor(1).size(), 1u);
  s.reset();
  h->reset();  // no crash, no hang
}

}  // namespace
}  // namespace keelson::store
