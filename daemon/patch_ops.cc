// Wrappers over api/patch.h (see patch_ops.h for why they live apart).
#include "daemon/patch_ops.h"

#include "api/patch.h"

namespace keelson::daemon::patch_ops {

api::Json Merge(const api::Json& doc, const api::Json& patch) {
  return api::JsonMergePatch(doc, patch);
}

api::Result<api::Json> JsonPatch(const api::Json& doc, const api::Json& patch) {
  return api::ApplyJsonPatch(doc, patch);
}

api::Result<api::Json> Strategic(const api::Json& doc, const api::Json& patch,
                                 const api::GroupVersionKind& gvk) {
  return api::StrategicMergePatch(doc, patch, gvk);
}

}  // namespace keelson::daemon::patch_ops
