// PATCH bodies.
#include "daemon/patching.h"

#include "api/codec.h"
#include "api/patch.h"

namespace keelson::daemon {

std::optional<api::PatchType> PatchTypeOf(std::string_view content_type) {
  auto semi = content_type.find(';');
  std::string_view mt = content_type.substr(0, semi);
  while (!mt.empty() && mt.back() == ' ') mt.remove_suffix(1);
  if (mt == "application/merge-patch+json") return api::PatchType::kMerge;
  if (mt == "application/json-patch+json") return api::PatchType::kJsonPatch;
  if (mt == "application/strategic-merge-patch+json") return api::PatchType::kStrategicMerge;
  return std::nullopt;
}

api::Result<api::Json> ParsePatchBody(api::PatchType type, std::string_view body) {
  auto j = api::DecodeJson(body, "patch");
  if (!j) return std::unexpected(j.error());
  if (type == api::PatchType::kJsonPatch) {
    if (!j->is_array()) {
      return std::unexpected(api::BadRequest("json: cannot unmarshal " +
                                             std::string(j->type_name()) +
                                             " into Go value of type jsonpatch.Patch"));
    }
  } else if (!j->is_object()) {
    return std::unexpected(api::BadRequest("json: cannot unmarshal " + std::string(j->type_name()) +
                                           " into Go value of type map[string]interface {}"));
  }
  return j;
}

api::Result<api::Json> ApplyPatch(const api::KindInfo& kind, api::PatchType type,
                                  const api::Json& doc, const api::Json& patch) {
  switch (type) {
    case api::PatchType::kMerge:
      return api::JsonMergePatch(doc, patch);
    case api::PatchType::kJsonPatch:
      return api::ApplyJsonPatch(doc, patch);
    case api::PatchType::kStrategicMerge:
      return api::StrategicMergePatch(doc, patch, kind.gvk());
  }
  return std::unexpected(api::BadRequest("unsupported patch type"));
}

}  // namespace keelson::daemon
