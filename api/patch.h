// Patches as the Kubernetes API server applies them: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch), plus the
// patch computations kubectl's client-side apply performs. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/client.h"
#include "api/error.h"
#include "api/object.h"

namespace keelson::api {

// The PATCH body formats are api::PatchType (api/client.h): kJsonPatch
// (application/json-patch+json), kMerge (application/merge-patch+json), kStrategicMerge
// (application/strategic-merge-patch+json).

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

// Strategic merge patch as the API server applies it for built-in kinds, using the schema's
// patch strategies and merge keys (api/schema.h) for `gvk`:
//  - maps merge recursively; null deletes; `$patch: replace` replaces a map, `$patch: delete`
//    removes it; `$retainKeys: [..]` drops keys not listed (retainKeys fields);
//  - lists with patchStrategy merge merge by patchMergeKey (elements matched by key, patched
//    recursively; `{key: k, $patch: delete}` removes an element; a `$patch: replace` element
//    replaces the list); primitive merge lists (finalizers) take the union;
//    `$deleteFromPrimitiveList/<field>: [..]` removes values; `$setElementOrder/<field>: [..]`
//    orders the result; other lists are replaced.
// Kinds without a schema: UnsupportedMediaType, as the API server answers for custom resources
// ("the body of the request was in an unknown format - accepted media types include: ...").
// Malformed directives: BadRequest.
Result<Json> StrategicMergePatch(const Json& original, const Json& patch,
                                 const GroupVersionKind& gvk);

// Applies a PATCH body of the given type to `current` (the stored object's JSON). For
// kStrategicMerge the kind's schema is used (see StrategicMergePatch). Errors: BadRequest for
// a body that is not valid JSON or a failing patch, UnsupportedMediaType as above.
Result<Json> ApplyPatch(PatchType type, const Json& current, const Json& patch,
                        const GroupVersionKind& gvk);

// The two-way strategic merge patch from `original` to `modified` (strategicpatch.
// CreateTwoWayMergePatch): map changes, null for deleted keys, merge lists diffed by key with
// `$patch: delete` elements and `$setElementOrder/<field>` directives, `$deleteFromPrimitiveList`
// for removed primitives of merge lists, `$retainKeys` for retainKeys fields. For kinds without a
// schema the result is a plain RFC 7386 patch (lists whole). BadRequest if merge keys are missing.
Result<Json> CreateTwoWayMergePatch(const Json& original, const Json& modified,
                                    const GroupVersionKind& gvk);

// What `kubectl apply` (client-side) sends: the three-way strategic merge patch of
// strategicpatch.CreateThreeWayMergePatch with overwrite=true. `original` is the last-applied
// configuration (null when there is none), `modified` the desired configuration, `current` the
// live object. Fields present in original but absent from modified are deleted; fields whose
// modified value differs from current are set; fields only in current (defaults, controller-set
// values) are kept. For kinds without a schema the result contains no directives and lists are
// replaced whole: it is then a valid RFC 7386 merge patch, which is what kubectl sends for custom
// resources (jsonmergepatch.CreateThreeWayJSONMergePatch). Returns {} when nothing changes.
Result<Json> CreateThreeWayMergePatch(const Json& original, const Json& modified,
                                      const Json& current, const GroupVersionKind& gvk);

// True when the kind has a strategic-merge schema (built-in and keelson.dev kinds); the patch
// type a client should send for it (strategic merge if so, JSON merge patch otherwise).
bool SupportsStrategicMerge(const GroupVersionKind& gvk);

}  // namespace keelson::api
