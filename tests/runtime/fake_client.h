// An in-memory api::Client for the runtime's unit tests (a test double): objects keyed by
// apiVersion/kind/namespace/name, a revision counter, merge patches, and watches delivered in
// order on one dispatcher thread. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "api/client.h"

namespace keelson::runtime::testing {

class FakeClient : public api::Client {
 public:
  FakeClient() : dispatcher_([this] { Dispatch(); }) {}
  ~FakeClient() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    dispatcher_.join();
  }

  api::Result<api::Object> Get(const api::GroupVersionKind& gvk, std::string_view ns,
                               std::string_view name) override {
    std::lock_guard lock(mu_);
    ++gets_;
    auto it = objects_.find(Key(gvk.ApiVersion(), gvk.kind, ns, name));
    if (it == objects_.end()) return std::unexpected(api::NotFound(Plural(gvk.kind), name));
    return it->second;
  }
  api::Result<api::ObjectList> List(const api::GroupVersionKind& gvk, std::string_view ns,
                                    const api::ListOptions& opts) override {
    std::lock_guard lock(mu_);
    api::ObjectList out;
    for (auto& [k, o] : objects_) {
      if (o.api_version() == gvk.ApiVersion() && o.kind() == gvk.kind &&
          (ns.empty() || o.namespace_() == ns) && MatchesField(o, opts.field_selector)) {
        out.items.push_back(o);
      }
    }
    out.resource_version = std::to_string(revision_);
    return out;
  }
  api::Result<api::Object> Create(const api::Object& obj, const api::WriteOptions& = {}) override {
    std::lock_guard lock(mu_);
    if (obj.api_version() == "v1" && obj.kind() == "Binding") return BindLocked(obj);
    std::string key = Key(obj.api_version(), obj.kind(), obj.namespace_(), obj.name());
    if (objects_.contains(key))
      return std::unexpected(api::AlreadyExists(Plural(obj.kind()), obj.name()));
    api::Object o = obj;
    if (o.uid().empty()) o.set_uid("uid-" + std::to_string(++uid_counter_));
    o.set_creation_timestamp(api::NowTimestamp());
    return StoreLocked(key, o, api::WatchEventType::kAdded);
  }
  // POST pods/{name}/binding as the API server does it: sets spec.nodeName and PodScheduled.
  api::Result<api::Object> BindLocked(const api::Object& binding) {
    std::string key = Key("v1", "Pod", binding.namespace_(), binding.name());
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::unexpected(api::NotFound("pods", binding.name()));
    api::Object o = it->second;
    if (!o.spec().value("nodeName", "").empty()) {
      return std::unexpected(api::MakeError(
          api::Reason::kConflict, "Operation cannot be fulfilled on pods/binding \"" + o.name() +
                                      "\": pod " + o.name() + " is already assigned to node \"" +
                                      o.spec().value("nodeName", "") + "\""));
    }
    o.json()["spec"]["nodeName"] = binding.json()["target"].value("name", "");
    api::Json conds = api::Json::array();
    if (o.status().is_object()) {
      for (const auto& c : o.status().value("conditions", api::Json::array()))
        if (c.is_object() && c.value("type", "") != "PodScheduled") conds.push_back(c);
    }
    conds.push_back({{"type", "PodScheduled"}, {"status", "True"}});
    o.json()["status"]["conditions"] = conds;
    auto r = StoreLocked(key, o, api::WatchEventType::kModified);
    if (!r) return r;
    return api::Object(api::Json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Success"}});
  }
  api::Result<api::Object> Update(const api::Object& obj, const api::WriteOptions& = {}) override {
    return Replace(obj, false);
  }
  api::Result<api::Object> UpdateStatus(const api::Object& obj,
                                        const api::WriteOptions& = {}) override {
    return Replace(obj, true);
  }
  api::Result<api::Object> Patch(const api::GroupVersionKind& gvk, std::string_view ns,
                                 std::string_view name, api::PatchType type, std::string_view body,
                                 const api::WriteOptions& = {}) override {
    std::lock_guard lock(mu_);
    std::string key = Key(gvk.ApiVersion(), gvk.kind, ns, name);
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::unexpected(api::NotFound(Plural(gvk.kind), name));
    api::Object o = it->second;
    try {
      o.json().merge_patch(api::Json::parse(body));
    } catch (const std::exception& e) {
      return std::unexpected(api::BadRequest(e.what()));
    }
    return StoreLocked(key, o, api::WatchEventType::kModified);
  }
  api::Result<api::Object> Delete(const api::GroupVersionKind& gvk, std::string_view ns,
                                  std::string_view name,
                                  const api::DeleteOptions& opts = {}) override {
    std::lock_guard lock(mu_);
    std::string key = Key(gvk.ApiVersion(), gvk.kind, ns, name);
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::unexpected(api::NotFound(Plural(gvk.kind), name));
    api::Object o = it->second;
    // Pods are deleted gracefully (deletionTimestamp) unless grace is 0, as the API server does
    // when a node agent runs them.
    if (gvk.kind == "Pod" && opts.grace_period_seconds != 0 && o.deletion_timestamp().empty() &&
        !o.spec().value("nodeName", "").empty()) {
      o.set_deletion_timestamp(api::NowTimestamp());
      int64_t grace = opts.grace_period_seconds >= 0
                          ? opts.grace_period_seconds
                          : o.spec().value("terminationGracePeriodSeconds", 30);
      o.MutableMeta()["deletionGracePeriodSeconds"] = grace;
      return StoreLocked(key, o, api::WatchEventType::kModified);
    }
    objects_.erase(it);
    o.set_resource_version(std::to_string(++revision_));
    Emit(gvk, o, api::WatchEventType::kDeleted);
    return o;
  }
  api::Result<std::unique_ptr<api::WatchHandle>> Watch(
      const api::GroupVersionKind& gvk, std::string_view ns, const api::ListOptions& opts,
      std::function<void(const api::WatchEvent&)> on_event) override {
    std::lock_guard lock(mu_);
    int id = ++watch_counter_;
    watches_[id] = {gvk, std::string(ns), opts.field_selector, std::move(on_event)};
    return std::unique_ptr<api::WatchHandle>(new Handle(this, id));
  }

  // Test helpers.
  int64_t revision() {
    std::lock_guard lock(mu_);
    return revision_;
  }
  // Waits until every queued watch event was delivered.
  void Drain() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return queue_.empty() && !delivering_; });
  }
  int gets() {
    std::lock_guard lock(mu_);
    return gets_;
  }

 private:
  struct WatchEntry {
    api::GroupVersionKind gvk;
    std::string ns;
    std::string field_selector;
    std::function<void(const api::WatchEvent&)> fn;
  };
  class Handle : public api::WatchHandle {
   public:
    Handle(FakeClient* c, int id) : c_(c), id_(id) {}
    ~Handle() override {
      std::unique_lock lock(c_->mu_);
      c_->watches_.erase(id_);
      // Wait out a callback in progress (unless we are that callback).
      if (std::this_thread::get_id() != c_->dispatcher_.get_id()) {
        c_->cv_.wait(lock, [&] { return c_->delivering_id_ != id_; });
      }
    }

   private:
    FakeClient* c_;
    int id_;
  };

  static std::string Key(std::string_view av, std::string_view kind, std::string_view ns,
                         std::string_view name) {
    return std::string(av) + "/" + std::string(kind) + "/" + std::string(ns) + "/" +
           std::string(name);
  }
  static std::string Plural(std::string kind) {
    for (auto& ch : kind) ch = static_cast<char>(std::tolower(ch));
    return kind + "s";
  }
  static bool MatchesField(const api::Object& o, const std::string& sel) {
    if (sel.empty()) return true;
    size_t eq = sel.find('=');
    std::string path = sel.substr(0, eq), want = sel.substr(eq + 1);
    const api::Json* v = o.Find(path);
    std::string got = v && v->is_string() ? v->get<std::string>() : "";
    return got == want;
  }
  api::Result<api::Object> Replace(const api::Object& obj, bool status) {
    std::lock_guard lock(mu_);
    std::string key = Key(obj.api_version(), obj.kind(), obj.namespace_(), obj.name());
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::unexpected(api::NotFound(Plural(obj.kind()), obj.name()));
    if (!obj.resource_version().empty() &&
        obj.resource_version() != it->second.resource_version()) {
      return std::unexpected(
          api::MakeError(api::Reason::kConflict, "the object has been modified"));
    }
    api::Object o = it->second;
    if (status) {
      o.json()["status"] = obj.status();
    } else {
      api::Json st = o.status();
      o = obj;
      if (!st.is_null())
        o.json()["status"] = st;
      else
        o.json().erase("status");
      o.set_uid(it->second.uid());
    }
    return StoreLocked(key, o, api::WatchEventType::kModified);
  }
  api::Result<api::Object> StoreLocked(const std::string& key, api::Object o,
                                       api::WatchEventType type) {
    o.set_resource_version(std::to_string(++revision_));
    objects_[key] = o;
    Emit(o.gvk(), o, type);
    return o;
  }
  void Emit(const api::GroupVersionKind& gvk, const api::Object& o, api::WatchEventType type) {
    for (auto& [id, w] : watches_) {
      if (w.gvk == gvk && (w.ns.empty() || w.ns == o.namespace_()) &&
          MatchesField(o, w.field_selector)) {
        queue_.push_back({id, api::WatchEvent{type, o}});
      }
    }
    cv_.notify_all();
  }
  void Dispatch() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      auto [id, ev] = queue_.front();
      queue_.pop_front();
      auto it = watches_.find(id);
      if (it == watches_.end()) continue;
      auto fn = it->second.fn;
      delivering_ = true;
      delivering_id_ = id;
      lock.unlock();
      fn(ev);
      lock.lock();
      delivering_ = false;
      delivering_id_ = 0;
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, api::Object> objects_;
  std::map<int, WatchEntry> watches_;
  std::deque<std::pair<int, api::WatchEvent>> queue_;
  int64_t revision_ = 0;
  int uid_counter_ = 0;
  int watch_counter_ = 0;
  int gets_ = 0;
  bool stop_ = false;
  bool delivering_ = false;
  int delivering_id_ = 0;
  std::thread dispatcher_;
};

}  // namespace keelson::runtime::testing
