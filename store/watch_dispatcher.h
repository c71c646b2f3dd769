// Watch fan-out for the store: an in-memory ring of recent changes, one thread and one bounded
// queue per watch, replay from the durable log for watches older than the ring. Internal to store/.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/error.h"
#include "api/object.h"
#include "store/store.h"

namespace keelson::store::internal {

// One committed change (one revision). Built once and shared, read-only, by every watch.
struct Change {
  std::string resource;
  std::string ns;
  std::string name;
  WatchEvent event{EventType::kAdded, 0, {}};  // the new state (kDeleted: the last state)
  std::shared_ptr<const api::Object> prev;     // state before (live changes only), may be null
};
using ChangePtr = std::shared_ptr<const Change>;

// The durable event log, read by watches that start before the in-memory ring.
class LogReader {
 public:
  virtual ~LogReader() = default;
  // Changes of `resource` with after < revision <= through in ascending order, at most `limit`.
  // Errors: Gone (history after `after` was compacted), ServiceUnavailable.
  virtual api::Result<std::vector<ChangePtr>> ReadLog(const std::string& resource, Revision after,
                                                      Revision through, int limit) = 0;
};

// Kubernetes' message for a watch from a compacted revision.
api::Error TooOld(Revision requested, Revision compacted);

class Watcher;

// Thread-safe. Publish is called by the store's single writer in revision order.
class Dispatcher : public std::enable_shared_from_this<Dispatcher> {
 public:
  // `log` must outlive every watch thread: the store calls Shutdown before destroying it.
  Dispatcher(LogReader* log, size_t ring_capacity, int64_t queue_limit, Revision published,
             Revision compacted);
  ~Dispatcher();

  // Appends a committed change to the ring and queues it for every matching watch. Never blocks on
  // a watch's callback.
  void Publish(ChangePtr change);
  // Records that the log was compacted through `revision` (watches from before it get Gone).
  void SetCompacted(Revision revision);

  // See Store::Watch.
  api::Result<std::unique_ptr<WatchHandle>> Watch(const WatchFilter& filter, Revision from_revision,
                                                  std::function<void(const WatchEvent&)> on_event);

  // Ends every watch and waits for their threads. Later Watch calls fail with ServiceUnavailable.
  void Shutdown();

  // Active watches (for metrics and tests).
  size_t WatchCount();

  // Stops fanning out to `w` (its thread is stopped separately).
  void Remove(const Watcher* w);

 private:
  void Run(Watcher& w);
  void Deliver(Watcher& w, const Change& c);

  LogReader* log_;
  const size_t ring_capacity_;
  const int64_t queue_limit_;

  std::mutex mu_;
  std::condition_variable threads_done_;
  std::deque<ChangePtr> ring_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Watcher>>> by_resource_;
  Revision published_;
  Revision compacted_;
  bool shut_down_ = false;
  int threads_ = 0;
};

}  // namespace keelson::store::internal
