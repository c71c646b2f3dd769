// Discovery documents (/api, /apis, /apis/{g}, /api/v1, /apis/{g}/{v}, aggregated discovery v2),
// /version and the OpenAPI v3 documents kubectl reads, built from the kinds registry.
#pragma once

#include <optional>
#include <string>

#include "api/kinds.h"
#include "api/object.h"

namespace keelson::daemon {

// APIVersions for /api.
api::Json CoreVersions(const std::string& server_address);
// APIGroupList for /apis (every non-core group).
api::Json GroupList(const api::Kinds& kinds);
// APIGroup for /apis/{group}; nullopt if no kind has that group.
std::optional<api::Json> Group(const api::Kinds& kinds, const std::string& group);
// APIResourceList for a group/version ("" group = core); nullopt if unknown.
std::optional<api::Json> ResourceList(const api::Kinds& kinds, const std::string& group,
                                      const std::string& version);
// apidiscovery.k8s.io/v2 (or v2beta1) APIGroupDiscoveryList of the core group (`core` = true,
// for /api) or of every other group (for /apis).
api::Json AggregatedDiscovery(const api::Kinds& kinds, bool core, const std::string& api_version);

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
