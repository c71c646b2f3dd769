// The in-process api::Client.
#include "daemon/local_client.h"

namespace keelson::daemon {

LocalClient::LocalClient(Resources& resources, const api::Kinds& kinds, UserInfo user)
    : resources_(resources), kinds_(kinds), user_(std::move(user)) {}

api::Result<const api::KindInfo*> LocalClient::KindOf(const api::GroupVersionKind& gvk) const {
  const api::KindInfo* k = kinds_.ByGvk(gvk);
  if (k == nullptr) {
    api::Error e =
        api::MakeError(api::Reason::kNotFound, "no matches for kind \"" + gvk.kind +
                                                   "\" in version \"" + gvk.ApiVersion() + "\"");
    return std::unexpected(e);
  }
  return k;
}

api::Result<api::Object> LocalClient::Get(const api::GroupVersionKind& gvk, std::string_view ns,
                                          std::string_view name) {
  auto k = KindOf(gvk);
  if (!k) return std::unexpected(k.error());
  auto ctx = Context();
  return resources_.Get(ctx, **k, ns, name);
}

api::Result<api::ObjectList> LocalClient::List(const api::GroupVersionKind& gvk,
                                               std::string_view ns, const api::ListOptions& opts) {
  auto k = KindOf(gvk);
  if (!k) return std::unexpected(k.error());
  auto ctx = Context();
  return resources_.List(ctx, **k, ns, opts);
}

api::Result<api::Object> LocalClient::Create(const api::Object& obj,
                                             const api::WriteOptions& opts) {
  auto k = KindOf(obj.gvk());
  if (!k) return std::unexpected(k.error());
  auto ctx = Context();
  std::string ns = (*k)->namespaced ? obj.namespace_() : "";
  if ((*k)->namespaced && ns.empty()) ns = "default";
  return resources_.Create(ctx, **k, ns, obj, opts);
}

api::Result<api::Object> LocalClient::Update(const api::Object& obj,
                                             const api::WriteOptions& opts) {
  auto k = KindOf(obj.gvk());
  if (!k) return std::unexpected(k.error());
  auto ctx = Context();
  std::string ns = (*k)->namespaced ? obj.namespace_() : "";
  if ((*k)->namespaced && ns.empty()) ns = "default";
  return resources_.Update(ctx, **k, ns, obj.name(), "", obj, opts);
}

api::Result<api::Object> LocalClient::UpdateStatus(const api::Object& obj,
                                                   const api::WriteOptions& opts) {
  auto k = KindOf(obj.gvk());
  if (!k) return std::unexpected(k.error());
  auto ctx = Context();
  std::string ns = (*k)->namespaced ? obj.namespace_() : "";
  if ((*k)->namespaced && ns.empty()) ns = "default";
  return resources_.Update(ctx, **k, ns, obj.name(), "status", obj, opts);
}

api::Result<api::Object> LocalClient::Patch(const api::GroupVersionKind& gvk, std::string_view ns,
                                            std::string_view name, api::PatchType type,
                                            std::string_view body, const api::WriteOptions& opts) {
  auto k = KindOf(gvk);
  if (!k) return std::unexpected(k.error());
  auto ctx = Context();
  return resources_.Patch(ctx, **k, ns, name, "", type, body, opts);
}

api::Result<api::Object> LocalClient::Delete(const api::GroupVersionKind& gvk, std::string_view ns,
                                             std::string_view name,
                                             const api::DeleteOptions& opts) {
  auto k = KindOf(gvk);
  if (!k) return std::unexpected(k.error());
  auto ctx = Context();
  auto d = resources_.Delete(ctx, **k, ns, name, opts);
  if (!d) return std::unexpected(d.error());
  return std::move(d->object);
}

api::Result<std::unique_ptr<api::WatchHandle>> LocalClient::Watch(
    const api::GroupVersionKind& gvk, std::string_view ns, const api::ListOptions& opts,
    std::function<void(const api::WatchEvent&)> on_event) {
  auto k = KindOf(gvk);
  if (!k) return std::unexpected(k.error());
  auto ctx = Context();
  // A watch the store ends (Gone, too slow) is reported as an ERROR event with the Status.
  auto on_error = [on_event](const api::Error& e) {
    on_event(api::WatchEvent{api::WatchEventType::kError, api::Object(e.ToStatus())});
  };
  return resources_.Watch(ctx, **k, ns, opts, on_event, on_error);
}

}  // namespace keelson::daemon
