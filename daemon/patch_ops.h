// Thin wrappers over api/patch.h kept in their own translation unit: api/patch.h and
// api/client.h both declare an api::PatchType, so no file may include both.
#pragma once

#include "api/error.h"
#include "api/object.h"

namespace keelson::daemon::patch_ops {

// RFC 7386 merge patch.
api::Json Merge(const api::Json& doc, const api::Json& patch);
// RFC 6902 JSON patch; BadRequest/Invalid naming the failing operation.
api::Result<api::Json> JsonPatch(const api::Json& doc, const api::Json& patch);
// Strategic merge patch with the kind's merge keys and directives; UnsupportedMediaType for kinds
// without a schema.
api::Result<api::Json> Strategic(const api::Json& doc, const api::Json& patch,
                                 const api::GroupVersionKind& gvk);

}  // namespace keelson::daemon::patch_ops
