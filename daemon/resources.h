// The REST semantics of keelsond's API, independent of HTTP: every verb on every kind, through
// authorization, admission and the store. The HTTP server and the in-process client both call
// it, so a request behaves the same whichever way it arrives. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/client.h"
#include "api/error.h"
#include "api/kinds.h"
#include "api/object.h"
#include "daemon/admission.h"
#include "daemon/auth.h"
#include "store/store.h"

namespace keelson::daemon {

// Who asks, and where the request's warnings go.
struct RequestContext {
  UserInfo user;
  std::vector<std::string> warnings;  // texts for `Warning: 299 - "..."` headers
};

struct ListRequest {
  api::ListOptions opts;
  bool allow_bookmarks = false;
};

// The result of a delete: the object (as stored last, or as marked for deletion) and whether it
// is gone already (200) or still pending finalizers (202).
struct DeleteResult {
  api::Object object;
  bool deleted = true;
};

class Resources {
 public:
  Resources(store::Store& store, const Authorizer& authorizer, AdmissionChain admission);

  // The store key of a kind: "group/resource", or "resource" in the core group.
  static std::string StoreResource(const api::KindInfo& kind);

  // GET of one object; `subresource` "" | "status" | "scale" (scale answers an autoscaling/v1
  // Scale). Errors: NotFound, Forbidden.
  api::Result<api::Object> Get(RequestContext& ctx, const api::KindInfo& kind, std::string_view ns,
                               std::string_view name, std::string_view subresource = "");

  // LIST ("" ns = every namespace). limit/continue are honoured (the continue token names the
  // last key returned). Errors: BadRequest (selector, continue token), Forbidden.
  api::Result<api::ObjectList> List(RequestContext& ctx, const api::KindInfo& kind,
                                    std::string_view ns, const api::ListOptions& opts);

  // LIST of every object of the kind in `ns` as stored JSON text, without selectors or paging:
  // for responses that only re-encode the objects. Errors: Forbidden, the store's.
  api::Result<store::RawListResult> ListRaw(RequestContext& ctx, const api::KindInfo& kind,
                                            std::string_view ns);

  // POST. `obj` as the client sent it (decoded); `ns` from the path. Handles generateName and
  // dry run. Errors: BadRequest (kind or namespace mismatch, strict unknown fields), Invalid,
  // AlreadyExists, NotFound (namespace), Forbidden.
  api::Result<api::Object> Create(RequestContext& ctx, const api::KindInfo& kind,
                                  std::string_view ns, api::Object obj,
                                  const api::WriteOptions& opts);

  // PUT of the object or its status/scale subresource. A non-empty resourceVersion is a
  // precondition. Errors: Conflict, NotFound, Invalid, BadRequest, Forbidden.
  api::Result<api::Object> Update(RequestContext& ctx, const api::KindInfo& kind,
                                  std::string_view ns, std::string_view name,
                                  std::string_view subresource, api::Object obj,
                                  const api::WriteOptions& opts);

  // PATCH with a body of `type`; retried on write races. Errors: BadRequest (malformed patch),
  // NotFound, Conflict (resourceVersion in the patch is stale), Invalid, Forbidden.
  api::Result<api::Object> Patch(RequestContext& ctx, const api::KindInfo& kind,
                                 std::string_view ns, std::string_view name,
                                 std::string_view subresource, api::PatchType type,
                                 std::string_view body, const api::WriteOptions& opts);

  // DELETE with Kubernetes propagation: Background deletes now (the garbage collector removes
  // dependents), Foreground and Orphan add the foregroundDeletion/orphan finalizer first.
  // Pods are deleted gracefully as Kubernetes does: a pod bound to a node and not terminated gets
  // metadata.deletionTimestamp = now + grace and deletionGracePeriodSeconds = grace (grace from
  // opts, else spec.terminationGracePeriodSeconds, else 30) and stays (deleted = false) until a
  // delete with grace 0 (the node agent's, once its containers are gone, or a forced delete);
  // a second delete may only shorten the grace. Unbound or terminated pods go at once.
  // `precondition_rv` as in metav1.Preconditions. Errors: NotFound, Conflict, Forbidden.
  api::Result<DeleteResult> Delete(RequestContext& ctx, const api::KindInfo& kind,
                                   std::string_view ns, std::string_view name,
                                   const api::DeleteOptions& opts,
                                   std::string_view precondition_rv = "");

  // POST pods/{name}/binding (and POST bindings): binds the pod to binding.target.name (kind
  // Node or empty) as Kubernetes' BindingREST does: sets spec.nodeName, the binding's annotations
  // and the PodScheduled=True condition, without the pod update validation (which refuses
  // spec.nodeName changes). `pod_name` "" takes the binding's metadata.name. Returns a Status
  // Success (201). Errors: BadRequest (name or namespace mismatch, not a v1 Binding), Invalid
  // (target), NotFound (pod), Conflict (already assigned: `pod x is already assigned to node
  // "y"`, being deleted, uid precondition), Forbidden.
  api::Result<api::Object> Bind(RequestContext& ctx, std::string_view ns, std::string_view pod_name,
                                api::Object binding, const api::WriteOptions& opts);

  // DELETE of every object matching the selectors; returns the deleted objects.
  api::Result<api::ObjectList> DeleteCollection(RequestContext& ctx, const api::KindInfo& kind,
                                                std::string_view ns, const api::ListOptions& list,
                                                const api::DeleteOptions& opts);

  // WATCH. With resource_version "" or "0", first delivers every current object as ADDED, then
  // changes; otherwise changes after that revision. Events arrive on a store thread, in order.
  // `on_error` is called once if the store ends the watch (then no more events).
  // Errors: Gone (compacted; the HTTP layer sends it as an ERROR event), BadRequest, Forbidden.
  api::Result<std::unique_ptr<api::WatchHandle>> Watch(
      RequestContext& ctx, const api::KindInfo& kind, std::string_view ns,
      const api::ListOptions& opts, std::function<void(const api::WatchEvent&)> on_event,
      std::function<void(const api::Error&)> on_error);

  // Checks `verb` on the kind for the caller (Forbidden on deny).
  api::Status Authorize(const RequestContext& ctx, std::string_view verb, const api::KindInfo& kind,
                        std::string_view subresource, std::string_view ns,
                        std::string_view name) const;

  store::Store& store() { return store_; }
  int64_t watchers() const { return watchers_.load(); }

 private:
  api::Result<api::Object> UpdateLocked(RequestContext& ctx, const api::KindInfo& kind,
                                        std::string_view subresource, api::Object obj,
                                        const api::Object& current, const api::WriteOptions& opts);
  api::Result<DeleteResult> DeletePod(const api::KindInfo& kind, const api::Object& current,
                                      const api::DeleteOptions& opts);
  api::Result<api::Object> UpdateScale(RequestContext& ctx, const api::KindInfo& kind,
                                       std::string_view ns, std::string_view name,
                                       const api::Object& scale, const api::WriteOptions& opts);

  store::Store& store_;
  const Authorizer& authorizer_;
  AdmissionChain admission_;
  std::atomic<int64_t> watchers_{0};
};

// The autoscaling/v1 Scale of a deployment/replicaset/statefulset object.
api::Object ScaleOf(const api::KindInfo& kind, const api::Object& obj);

// A random 5-character suffix from Kubernetes' alphabet (bcdfghjklmnpqrstvwxz2456789).
std::string RandomNameSuffix();
// A random RFC 4122 version 4 UUID.
std::string NewUid();

}  // namespace keelson::daemon
