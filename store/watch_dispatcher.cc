// Watch fan-out: ring of recent changes, per-watch queues and threads, replay from the log.
#include "store/watch_dispatcher.h"

#include <algorithm>

namespace keelson::store::internal {

api::Error TooOld(Revision requested, Revision compacted) {
  return api::MakeError(api::Reason::kGone,
                        "too old resource version: " + std::to_string(requested) + " (" +
                            std::to_string(compacted) + ")");
}

class Watcher {
 public:
  Watcher(WatchFilter f, std::function<void(const WatchEvent&)> cb)
      : filter(std::move(f)), on_event(std::move(cb)) {}

  // Queues `c` unless it is at or before skip_through. False when the queue is full: the watch
  // is then failed and must be dropped by the dispatcher.
  bool Push(const ChangePtr& c, int64_t limit) {
    std::lock_guard l(mu);
    if (stopped || failure) return true;
    if (c->event.revision <= skip_through) return true;
    if (static_cast<int64_t>(queue.size()) >= limit) {
      failure = api::MakeError(api::Reason::kServiceUnavailable,
                               "watch of " + filter.resource + " ended at revision " +
                                   std::to_string(c->event.revision) +
                                   ": the consumer fell more than " + std::to_string(limit) +
                                   " events behind; watch again from the last revision received");
      queue.clear();
      cv.notify_one();
      return false;
    }
    queue.push_back(c);
    cv.notify_one();
    return true;
  }

  void Fail(api::Error e) {
    std::lock_guard l(mu);
    if (!failure) failure = std::move(e);
    cv.notify_one();
  }

  void Stop() {
    std::lock_guard l(mu);
    stopped = true;
    stop_flag = true;
    cv.notify_one();
  }

  // Joins the thread, or detaches it when called from the thread itself (a callback that
  // destroys its own handle): the thread then exits as soon as the callback returns.
  void Join() {
    std::lock_guard l(join_mu);
    if (!thread.joinable()) return;
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();
    } else {
      thread.join();
    }
  }

  const WatchFilter filter;
  const std::function<void(const WatchEvent&)> on_event;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<ChangePtr> queue;
  bool stopped = false;
  std::optional<api::Error> failure;
  Revision skip_through = 0;  // changes at or before this revision are not delivered
  Revision replay_after = 0;  // (replay_after, replay_through] comes from the log first
  Revision replay_through = 0;
  std::atomic<bool> stop_flag{false};

  std::mutex join_mu;
  std::thread thread;
};

namespace {

class Handle final : public WatchHandle {
 public:
  Handle(std::shared_ptr<Dispatcher> d, std::shared_ptr<Watcher> w)
      : d_(std::move(d)), w_(std::move(w)) {}
  ~Handle() override {
    d_->Remove(w_.get());
    w_->Stop();
    w_->Join();
  }

 private:
  std::shared_ptr<Dispatcher> d_;
  std::shared_ptr<Watcher> w_;
};

bool NsMatches(const WatchFilter& f, const Change& c) { return f.ns.empty() || f.ns == c.ns; }

}  // namespace

Dispatcher::Dispatcher(LogReader* log, size_t ring_capacity, int64_t queue_limit,
                       Revision published, Revision compacted)
    : log_(log),
      ring_capacity_(std::max<size_t>(ring_capacity, 1)),
      queue_limit_(std::max<int64_t>(queue_limit, 1)),
      published_(published),
      compacted_(compacted) {}

Dispatcher::~Dispatcher() { Shutdown(); }

void Dispatcher::Publish(ChangePtr change) {
  std::lock_guard l(mu_);
  published_ = change->event.revision;
  auto it = by_resource_.find(change->resource);
  if (it != by_resource_.end()) {
    auto& ws = it->second;
    bool dropped = false;
    for (auto& w : ws) {
      if (!NsMatches(w->filter, *change)) continue;
      if (!w->Push(change, queue_limit_)) {
        dropped = true;
        w.reset();
      }
    }
    if (dropped) std::erase(ws, nullptr);
  }
  ring_.push_back(std::move(change));
  if (ring_.size() > ring_capacity_) ring_.pop_front();
}

void Dispatcher::SetCompacted(Revision revision) {
  std::lock_guard l(mu_);
  compacted_ = std::max(compacted_, revision);
}

api::Result<std::unique_ptr<WatchHandle>> Dispatcher::Watch(
    const WatchFilter& filter, Revision from_revision,
    std::function<void(const WatchEvent&)> on_event) {
  if (filter.resource.empty()) {
    return std::unexpected(api::BadRequest("watch: resource is required"));
  }
  if (from_revision < 0) {
    return std::unexpected(
        api::BadRequest("watch: invalid resource version " + std::to_string(from_revision)));
  }
  if (!on_event) return std::unexpected(api::BadRequest("watch: no event callback"));
  auto w = std::make_shared<Watcher>(filter, std::move(on_event));
  std::lock_guard l(mu_);
  if (shut_down_) {
    return std::unexpected(
        api::MakeError(api::Reason::kServiceUnavailable, "watch: the store is closed"));
  }
  if (from_revision != 0 && from_revision < compacted_) {
    return std::unexpected(TooOld(from_revision, compacted_));
  }
  Revision start = from_revision == 0 ? published_ : from_revision;
  w->skip_through = start;
  if (start < published_) {
    if (!ring_.empty() && ring_.front()->event.revision <= start + 1) {
      for (const auto& c : ring_) {
        if (c->event.revision > start && c->resource == filter.resource && NsMatches(filter, *c)) {
          w->queue.push_back(c);
        }
      }
    } else {
      w->replay_after = start;
      w->replay_through = published_;
    }
  }
  by_resource_[filter.resource].push_back(w);
  ++threads_;
  // Started under mu_ so that Shutdown and handles always see a joinable thread.
  w->thread = std::thread([self = shared_from_this(), w] {
    self->Run(*w);
    std::lock_guard l(self->mu_);
    --self->threads_;
    self->threads_done_.notify_all();
  });
  return std::make_unique<Handle>(shared_from_this(), std::move(w));
}

void Dispatcher::Remove(const Watcher* w) {
  std::lock_guard l(mu_);
  auto it = by_resource_.find(w->filter.resource);
  if (it == by_resource_.end()) return;
  std::erase_if(it->second, [&](const std::shared_ptr<Watcher>& x) { return x.get() == w; });
  if (it->second.empty()) by_resource_.erase(it);
}

void Dispatcher::Shutdown() {
  std::vector<std::shared_ptr<Watcher>> all;
  {
    std::lock_guard l(mu_);
    shut_down_ = true;
    for (auto& [r, ws] : by_resource_) all.insert(all.end(), ws.begin(), ws.end());
    by_resource_.clear();
  }
  for (auto& w : all) {
    w->Stop();
    w->Join();
  }
  // Watches already dropped (overflow) or detached threads may still be running.
  std::unique_lock l(mu_);
  threads_done_.wait(l, [&] { return threads_ == 0; });
}

size_t Dispatcher::WatchCount() {
  std::lock_guard l(mu_);
  size_t n = 0;
  for (auto& [r, ws] : by_resource_) n += ws.size();
  return n;
}

void Dispatcher::Run(Watcher& w) {
  constexpr int kPage = 256;
  Revision after = w.replay_after;
  while (after < w.replay_through && !w.stop_flag) {
    auto page = log_->ReadLog(w.filter.resource, after, w.replay_through, kPage);
    if (!page) {
      w.Fail(page.error().Wrap("watch " + w.filter.resource + " from revision " +
                               std::to_string(w.replay_after)));
      break;
    }
    for (const auto& c : *page) {
      if (w.stop_flag) return;
      if (NsMatches(w.filter, *c)) Deliver(w, *c);
      after = c->event.revision;
    }
    if (static_cast<int>(page->size()) < kPage) break;
  }
  for (;;) {
    std::deque<ChangePtr> batch;
    {
      std::unique_lock l(w.mu);
      w.cv.wait(l, [&] { return w.stopped || w.failure || !w.queue.empty(); });
      if (w.stopped) return;
      if (w.failure) {
        api::Error e = *w.failure;
        w.stopped = true;
        l.unlock();
        Remove(&w);
        if (w.filter.on_error && !w.stop_flag) w.filter.on_error(e);
        return;
      }
      batch.swap(w.queue);
    }
    for (const auto& c : batch) {
      if (w.stop_flag) return;
      Deliver(w, *c);
    }
  }
}

void Dispatcher::Deliver(Watcher& w, const Change& c) {
  const WatchEvent& e = c.event;
  if (w.filter.predicate) {
    bool now = w.filter.predicate(e.object);
    if (e.type == EventType::kModified && c.prev) {
      bool before = w.filter.predicate(*c.prev);
      if (!now && !before) return;
      if (now && !before) {
        if (w.stop_flag) return;
        w.on_event(WatchEvent{EventType::kAdded, e.revision, e.object});
        return;
      }
      if (!now && before) {
        // Left the selection: Kubernetes sends the previous state at the event's revision.
        WatchEvent gone{EventType::kDeleted, e.revision, *c.prev};
        gone.object.set_resource_version(std::to_string(e.revision));
        if (w.stop_flag) return;
        w.on_event(gone);
        return;
      }
    } else if (!now) {
      return;
    }
  }
  if (w.stop_flag) return;
  w.on_event(e);  // shared by every watch: no copy per watcher
}

}  // namespace keelson::store::internal
