// Objects built by keelctl's imperative `create` verbs, with kubectl's sources and checks:
// --from-literal key=value, --from-file [key=]path (a file or every regular file of a
// directory), --from-env-file (KEY=VALUE lines). Thread-safe; reads only the named files.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/error.h"
#include "api/object.h"

namespace keelson::cli {

struct DataSources {
  std::vector<std::string> literals;   // "key=value"
  std::vector<std::string> files;      // "path" or "key=path"
  std::vector<std::string> env_files;  // paths
  // Environment lookup for env-file lines without '=' (default: getenv).
  std::function<std::optional<std::string>(const std::string&)> getenv;
};

// A v1 ConfigMap named `name` (namespace set when non-empty). Text file contents go to data,
// non-UTF-8 contents to binaryData (base64). Errors: BadRequest with kubectl's messages
// ("invalid literal source x, expected key=value", `cannot add key "k", another key by that
// name already exists in Data for ConfigMap "n"`, "error reading f: no such file or
// directory", `"a b" is not a valid key name for a ConfigMap: ...`).
api::Result<api::Object> BuildConfigMap(const std::string& name, const std::string& ns,
                                        const DataSources& src);

// A v1 Secret of `type` ("" = left for the server to default to Opaque) whose data values are
// base64-encoded. Errors as BuildConfigMap.
api::Result<api::Object> BuildSecret(const std::string& name, const std::string& ns,
                                     const std::string& type, const DataSources& src);

// Parses an env file as kubectl does: blank lines and lines starting with '#' are skipped,
// leading whitespace is trimmed, a UTF-8 BOM is ignored, KEY=VALUE keeps VALUE verbatim (no
// unquoting), a bare KEY takes its value from the environment (skipped if unset). Errors:
// BadRequest naming the file and line for an invalid variable name.
api::Result<std::vector<std::pair<std::string, std::string>>> ParseEnvFile(
    const std::string& path, const std::string& text,
    const std::function<std::optional<std::string>(const std::string&)>& getenv);

}  // namespace keelson::cli
