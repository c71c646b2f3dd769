// /version and the OpenAPI v3 documents kubectl reads, built from the kinds registry (the
// discovery documents themselves come from api/discovery.h).
#pragma once

#include <optional>
#include <string>

#include "api/kinds.h"
#include "api/object.h"

namespace keelson::daemon {

// version.Info for /version.
api::Json VersionInfo();

// The /openapi/v3 root: {"paths": {"api/v1": {"serverRelativeURL": ...}, "apis/apps/v1": ...}}.
api::Json OpenApiV3Root(const api::Kinds& kinds);
// The OpenAPI v3 document of one group version ("api/v1", "apis/apps/v1"): every resource path
// with its operations (x-kubernetes-group-version-kind, x-kubernetes-action), the query
// parameters the server accepts (fieldValidation, dryRun, ...), the patch media types and a
// permissive schema per kind. nullopt if unknown.
std::optional<api::Json> OpenApiV3Document(const api::Kinds& kinds, const std::string& gv_path);

}  // namespace keelson::daemon
