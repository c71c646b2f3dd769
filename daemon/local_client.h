// The in-process api::Client: runs each call through the same authorization, admission and store
// path as an HTTPS request, as a fixed identity. For controllers, the sync engine and the node
// agent inside keelsond. Thread-safe.
#pragma once

#include <memory>

#include "api/client.h"
#include "api/kinds.h"
#include "daemon/auth.h"
#include "daemon/resources.h"

namespace keelson::daemon {

class LocalClient : public api::Client {
 public:
  // `resources` and `kinds` must outlive the client. Warnings of writes are dropped.
  LocalClient(Resources& resources, const api::Kinds& kinds, UserInfo user);

  api::Result<api::Object> Get(const api::GroupVersionKind& gvk, std::string_view ns,
                               std::string_view name) override;
  api::Result<api::ObjectList> List(const api::GroupVersionKind& gvk, std::string_view ns,
                                    const api::ListOptions& opts = {}) override;
  api::Result<api::Object> Create(const api::Object& obj,
                                  const api::WriteOptions& opts = {}) override;
  api::Result<api::Object> Update(const api::Object& obj,
                                  const api::WriteOptions& opts = {}) override;
  api::Result<api::Object> UpdateStatus(const api::Object& obj,
                                        const api::WriteOptions& opts = {}) override;
  api::Result<api::Object> Patch(const api::GroupVersionKind& gvk, std::string_view ns,
                                 std::string_view name, api::PatchType type, std::string_view body,
                                 const api::WriteOptions& opts = {}) override;
  api::Result<api::Object> Delete(const api::GroupVersionKind& gvk, std::string_view ns,
                                  std::string_view name,
                                  const api::DeleteOptions& opts = {}) override;
  api::Result<std::unique_ptr<api::WatchHandle>> Watch(
      const api::GroupVersionKind& gvk, std::string_view ns, const api::ListOptions& opts,
      std::function<void(const api::WatchEvent&)> on_event) override;

 private:
  api::Result<const api::KindInfo*> KindOf(const api::GroupVersionKind& gvk) const;
  RequestContext Context() const { return RequestContext{user_, {}}; }

  Resources& resources_;
  const api::Kinds& kinds_;
  UserInfo user_;
};

}  // namespace keelson::daemon
