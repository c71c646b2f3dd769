// PATCH bodies: parsing and applying JSON merge patch, JSON patch and strategic merge patch to a
// stored object (through api/patch.h).
#pragma once

#include <optional>
#include <string_view>

#include "api/client.h"
#include "api/error.h"
#include "api/kinds.h"
#include "api/object.h"

namespace keelson::daemon {

// The patch type of a PATCH request's Content-Type (parameters ignored); nullopt when it is not
// one of application/merge-patch+json, application/json-patch+json,
// application/strategic-merge-patch+json.
std::optional<api::PatchType> PatchTypeOf(std::string_view content_type);

// Parses a patch body: a JSON object (merge, strategic) or array (JSON patch). Errors: BadRequest
// naming line and column.
api::Result<api::Json> ParsePatchBody(api::PatchType type, std::string_view body);

// Applies `patch` to `doc` (an object of `kind`). Errors: BadRequest (bad operation, failed test,
// patch of the wrong shape).
api::Result<api::Json> ApplyPatch(const api::KindInfo& kind, api::PatchType type,
                                  const api::Json& doc, const api::Json& patch);

}  // namespace keelson::daemon
