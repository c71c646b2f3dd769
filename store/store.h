// The durable object store: a map from (resource, namespace, name) to objects with one revision
// counter for the whole store, optimistic concurrency, and watch from a revision. Backends:
// SQLite (embedded default); etcd later. Safe for concurrent use by many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/object.h"

namespace keelson::store {

using Revision = int64_t;

// Resources are named "group/resource" or "resource" for the core group ("apps/deployments",
// "configmaps"); cluster-scoped objects have namespace "".
struct Key {
  std::string resource;
  std::string ns;
  std::string name;
};

// Transforms stored bytes of some resources (Secret encryption plugs in here). Called with the
// storage key ("/configmaps/default/x") as associated data. Thread-safe.
class ValueTransformer {
 public:
  virtual ~ValueTransformer() = default;
  // Plaintext → stored bytes. Errors: InternalError (nothing is written).
  virtual api::Result<std::string> ToStorage(std::string_view resource, std::string_view key,
                                             std::string_view plaintext) = 0;
  // Stored bytes → plaintext. Errors: InternalError (key missing, tampering).
  virtual api::Result<std::string> FromStorage(std::string_view resource, std::string_view key,
                                               std::string_view stored) = 0;
};

struct ListResult {
  std::vector<api::Object> items;  // sorted by namespace, then name
  Revision revision = 0;           // the store revision the list was read at
};

// One stored object as JSON text, for callers that only pass objects on (see Store::ListRaw).
struct RawObject {
  std::string ns;
  std::string name;
  std::string json;  // the object's JSON, as List would decode it (after the transformer)
};

struct RawListResult {
  std::vector<RawObject> items;  // sorted by namespace, then name
  Revision revision = 0;         // the store revision the list was read at
};

struct WatchFilter {
  std::string resource;  // required
  std::string ns;        // "" = all namespaces
  // Optional extra predicate (label/field selectors), evaluated on the object of each event.
  // For live events it is also evaluated on the previous state of the object, with Kubernetes'
  // watch-cache semantics: an object that starts matching arrives as kAdded, one that stops
  // matching as kDeleted (its previous state, at the event's revision). Events replayed from the
  // durable log (a watch from a revision older than the in-memory window) are filtered on the
  // object alone.
  std::function<bool(const api::Object&)> predicate;
  // Optional: called at most once, on the watch's thread, when the store ends the watch by itself:
  // Gone (the history after from_revision was compacted while the watch was replaying it) or
  // ServiceUnavailable (the callback fell too far behind: more than
  // SqliteOptions::watch_queue_limit undelivered events). No event is delivered afterwards; watch
  // again from the revision of the last event received. Not called when the handle is destroyed.
  std::function<void(const api::Error&)> on_error;
};

enum class EventType { kAdded, kModified, kDeleted };

struct WatchEvent {
  EventType type;
  Revision revision;
  api::Object object;  // for kDeleted: the object as it was last stored, at this revision
};

class WatchHandle {
 public:
  virtual ~WatchHandle() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores `obj` under `resource` if no object with its key exists, and returns it with uid,
  // resourceVersion, generation 1 and creationTimestamp set. When obj.namespace_() is not empty
  // the namespace must exist and not be terminating. Errors: AlreadyExists, NotFound (namespace),
  // Forbidden (namespace terminating), ServiceUnavailable (backend failed; nothing written).
  virtual api::Result<api::Object> Create(std::string_view resource, const api::Object& obj) = 0;

  // The stored object or NotFound.
  virtual api::Result<api::Object> Get(std::string_view resource, std::string_view ns,
                                       std::string_view name) = 0;

  // Every object of `resource` in `ns` ("" = all) for which `predicate` (if set) holds.
  virtual api::Result<ListResult> List(
      std::string_view resource, std::string_view ns,
      const std::function<bool(const api::Object&)>& predicate = nullptr) = 0;

  // List without a predicate, returning each object's JSON text undecoded: an API server that
  // only re-encodes the objects (a JSON LIST response) skips a parse and a dump per object.
  // Backends without a faster path get this default, which encodes List's objects.
  virtual api::Result<RawListResult> ListRaw(std::string_view resource, std::string_view ns) {
    auto list = List(resource, ns);
    if (!list) return std::unexpected(list.error());
    RawListResult out;
    out.revision = list->revision;
    out.items.reserve(list->items.size());
    for (const auto& o : list->items) {
      try {
        out.items.push_back({o.namespace_(), o.name(), o.json().dump()});
      } catch (const std::exception& e) {
        return std::unexpected(api::Internal("encode " + o.name() + ": " + e.what()));
      }
    }
    return out;
  }

  // Replaces the stored object if obj.resource_version() is empty or still matches (this is the
  // compare-and-swap leases use: read, change, Update with the read resourceVersion). uid and
  // creationTimestamp are kept from the stored object; generation is bumped when anything but
  // metadata and status changed; deletionTimestamp cannot be set or cleared here. An update that
  // changes nothing writes nothing (no revision, no event) and returns the stored object. If the
  // object has a deletionTimestamp with deletionGracePeriodSeconds 0 (or none) and its update
  // leaves no finalizers, it is deleted (a kDeleted event), as Kubernetes'
  // ShouldDeleteDuringUpdate; a pod in graceful deletion (grace > 0) stays until deleted with grace
  // 0. Finalizers cannot be added once deletion started (Invalid). Errors: NotFound, Conflict,
  // Invalid, BadRequest (malformed object), ServiceUnavailable.
  virtual api::Result<api::Object> Update(std::string_view resource, const api::Object& obj) = 0;

  // Deletes the object and returns its last state at the deletion's revision. If it has
  // finalizers (for namespaces also spec.finalizers), sets deletionTimestamp and
  // deletionGracePeriodSeconds 0 instead (namespaces also get status.phase Terminating), a
  // kModified event, and returns the updated object; deleting it again changes nothing.
  // `precondition_uid`/`precondition_rv` when non-empty must match. Errors: NotFound, Conflict.
  virtual api::Result<api::Object> Delete(std::string_view resource, std::string_view ns,
                                          std::string_view name,
                                          std::string_view precondition_uid = "",
                                          std::string_view precondition_rv = "") = 0;

  // Graceful deletion (pods): sets metadata.deletionTimestamp to `deletion_timestamp` (RFC 3339)
  // and deletionGracePeriodSeconds to `grace_seconds` (a kModified event) and returns the stored
  // object. An object already marked is only ever hurried: a later timestamp or a longer grace
  // changes nothing (no event). With `grace_seconds` 0 and no finalizers the object is deleted
  // (a kDeleted event; the last state is returned). `precondition_uid`/`precondition_rv` when
  // non-empty must match. Errors: NotFound, Conflict, Unimplemented (backend without it).
  virtual api::Result<api::Object> MarkForDeletion(std::string_view resource, std::string_view ns,
                                                   std::string_view name,
                                                   std::string_view deletion_timestamp,
                                                   int64_t grace_seconds,
                                                   std::string_view precondition_uid = "",
                                                   std::string_view precondition_rv = "") {
    (void)resource, (void)ns, (void)name, (void)deletion_timestamp, (void)grace_seconds,
        (void)precondition_uid, (void)precondition_rv;
    return std::unexpected(api::Internal("graceful deletion: not supported by this store"));
  }

  // Calls `on_event` for every change after `from_revision` (0 = from now) matching `filter`, in
  // revision order, on a thread of the store's, until the handle is destroyed. Errors: Gone (the
  // revision was compacted: list again and watch from the list's revision). Each watch has its
  // own thread and a bounded queue: a slow callback never blocks writers or other watches; one
  // that falls too far behind is ended through filter.on_error. Destroying the handle stops
  // delivery: it returns after any in-flight callback has returned (a callback may destroy its
  // own handle). Destroying the store ends every watch (no on_error); handles may outlive it.
  virtual api::Result<std::unique_ptr<WatchHandle>> Watch(
      const WatchFilter& filter, Revision from_revision,
      std::function<void(const WatchEvent&)> on_event) = 0;

  // The current store revision.
  virtual Revision CurrentRevision() = 0;

  // Drops watch history up to and including `revision`: a later Watch from a revision before it
  // gets Gone ("too old resource version: 5 (120)"). A revision at or below the current
  // compaction is a no-op. Errors: BadRequest (beyond the current revision), ServiceUnavailable.
  virtual api::Status Compact(Revision revision) = 0;

  // Installs the transformer for the stored bytes of `resource` ("secrets"). Start-up only.
  virtual void SetTransformer(std::string_view resource,
                              std::shared_ptr<ValueTransformer> transformer) = 0;
};

struct SqliteOptions {
  // Watch history kept (events); older ones are compacted automatically.
  int64_t history_events = 100000;
  // Undelivered events a watch may accumulate before the store ends it (see WatchFilter).
  int64_t watch_queue_limit = 10000;
  // Recent events kept in memory (with the object before and after: bounded memory at idle); a
  // watch from an older revision replays from the durable log.
  int64_t watch_window_events = 1024;
};

// Opens (creating if needed) the SQLite store at `data_dir`/store.db (mode 0600) in WAL mode with
// synchronous writes: a write is durable (kill -9, power loss) when the call returns. Creates the
// `default`, `kube-system`, `kube-public`, `kube-node-lease` and `keelson-system` namespaces on
// first open. Opening reads only the revision, whatever the number of objects. One process at a
// time: `data_dir`/store.lock is held while the store is open. Errors: ServiceUnavailable (cannot
// open or migrate, or the store is in use by another process).
api::Result<std::unique_ptr<Store>> OpenSqlite(const std::string& data_dir,
                                               const SqliteOptions& options = {});

}  // namespace keelson::store
