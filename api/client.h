// The Client every component uses to read and write objects: in-process inside keelsond
// (daemon/ wires it through authn, authz, admission and the store), over HTTPS for keelctl or
// a remote agent. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/object.h"

namespace keelson::api {

struct ListOptions {
  std::string label_selector;    // "app=web,tier in (a,b)"
  std::string field_selector;    // "metadata.name=x,status.phase=Running"
  std::string resource_version;  // watch: start after this revision ("" = from now, after a list)
  int64_t limit = 0;             // 0 = no limit
  std::string continue_token;
};

struct ObjectList {
  std::vector<Object> items;
  std::string resource_version;  // the store revision the list was read at
  std::string continue_token;
};

struct WriteOptions {
  bool dry_run = false;
  std::string field_validation = "Strict";  // Strict | Warn | Ignore
  std::string field_manager;
};

struct DeleteOptions {
  std::string propagation_policy = "Background";  // Background | Foreground | Orphan
  int64_t grace_period_seconds = -1;              // -1 = the object's default
  std::string precondition_uid;
  bool dry_run = false;
};

enum class PatchType { kMerge, kJsonPatch, kStrategicMerge };

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };
std::string_view WatchEventTypeString(WatchEventType t);  // "ADDED", ...

struct WatchEvent {
  WatchEventType type;
  Object object;  // for kError, a Status object
};

// Keeps a watch open; destroying it stops delivery (after any callback in progress returns).
class WatchHandle {
 public:
  virtual ~WatchHandle() = default;
};

class Client {
 public:
  virtual ~Client() = default;

  // The object, or NotFound.
  virtual Result<Object> Get(const GroupVersionKind& gvk, std::string_view ns,
                             std::string_view name) = 0;
  // Objects of the kind in `ns` ("" = all namespaces, or a cluster-scoped kind) matching the
  // selectors. Errors: BadRequest (bad selector), NotFound (unknown kind).
  virtual Result<ObjectList> List(const GroupVersionKind& gvk, std::string_view ns,
                                  const ListOptions& opts = {}) = 0;
  // Creates `obj` (its apiVersion/kind/namespace pick the resource); returns the stored object.
  // Errors: AlreadyExists, Invalid, NotFound (namespace), Forbidden.
  virtual Result<Object> Create(const Object& obj, const WriteOptions& opts = {}) = 0;
  // Replaces `obj`; a non-empty resourceVersion is a precondition. Errors: Conflict, NotFound,
  // Invalid, Forbidden. Status is not changed (use UpdateStatus).
  virtual Result<Object> Update(const Object& obj, const WriteOptions& opts = {}) = 0;
  // Replaces only the status of `obj` (the /status subresource). Errors as Update.
  virtual Result<Object> UpdateStatus(const Object& obj, const WriteOptions& opts = {}) = 0;
  // Applies a patch body of the given type. Errors: BadRequest (bad patch), NotFound, Conflict,
  // Invalid.
  virtual Result<Object> Patch(const GroupVersionKind& gvk, std::string_view ns,
                               std::string_view name, PatchType type, std::string_view body,
                               const WriteOptions& opts = {}) = 0;
  // Deletes (or marks for deletion when finalizers remain); returns the object as it was last
  // stored. Errors: NotFound, Conflict (uid precondition).
  virtual Result<Object> Delete(const GroupVersionKind& gvk, std::string_view ns,
                                std::string_view name, const DeleteOptions& opts = {}) = 0;
  // Calls `on_event` for each change after opts.resource_version (or from now) until the handle
  // is destroyed, on a thread of the client's; events for one watch arrive in order.
  // Errors: Gone (the revision was compacted: list again), NotFound (unknown kind).
  virtual Result<std::unique_ptr<WatchHandle>> Watch(
      const GroupVersionKind& gvk, std::string_view ns, const ListOptions& opts,
      std::function<void(const WatchEvent&)> on_event) = 0;
};

}  // namespace keelson::api
