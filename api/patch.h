// Patches as the Kubernetes API server applies them: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch), plus the
// patch computations kubectl's client-side apply performs. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/error.h"
#include "api/object.h"

namespace keelson::api {

// The PATCH body formats, by their Content-Type.
enum class PatchType {
  kJsonPatch,            // application/json-patch+json
  kMergePatch,           // application/merge-patch+json
  kStrategicMergePatch,  // application/strategic-merge-patch+json
};

// Maps a Content-Type header (parameters such as "; charset=utf-8" ignored) to a patch type;
// nullopt for anything else (the server answers 415 UnsupportedMediaType).
std::optional<PatchType> PatchTypeFromContentType(std::string_view content_type);
std::string_view ContentTypeOf(PatchType type);

// RFC 7386: objects merge recursively, null deletes a key, anything else (arrays included)
// replaces. A non-object patch replaces the whole document. Never fails.
Json JsonMergePatch(const Json& target, const Json& patch);

// The RFC 7386 patch that turns `original` into `modified` (what jsonmergepatch.CreateMergePatch
// computes): changed keys, null for removed keys, arrays whole. {} when equal.
Json CreateJsonMergePatch(const Json& original, const Json& modified);

// RFC 6902: applies the operations (add, remove, replace, move, copy, test) in order to a copy of
// `doc`. The patch must be an array of operation objects. JSON pointers use ~0/~1 escapes and "-"
// appends to an array. An operation that cannot apply is Invalid (the API server answers 422),
// naming the operation index, op and path: `json patch operation 2 (remove /spec/x): path not
// found`, `json patch operation 0 (test /a): test failed`. A malformed patch (not an array,
// missing op/path/value/from, unknown op, bad pointer) is BadRequest. `doc` is never modified.
Result<Json> ApplyJsonPatch(const Json& doc, const Json& patch);

}  // namespace keelson::api
