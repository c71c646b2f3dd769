// YAML and JSON decoding of manifests the way Kubernetes reads them (sigs.k8s.io/yaml: YAML 1.1
// scalars, multi-document streams), and YAML encoding as kubectl prints it. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/object.h"

namespace keelson::api {

struct DecodeLimits {
  size_t max_bytes = 64u << 20;         // input size
  size_t max_alias_expansions = 10000;  // nodes produced through aliases ("billion laughs")
  size_t max_depth = 1000;
};

// Decodes every document of a YAML (or JSON, a YAML subset) stream. Empty documents are skipped.
// YAML 1.1 plain scalars resolve as sigs.k8s.io/yaml does (yes/no/on/off/true/false booleans,
// ~/null, ints incl. 0x/0o, floats, .inf/.nan); quoted scalars are strings. Errors: BadRequest
// whose message names the source, line and column ("deploy.yaml:3:7: mapping values are not
// allowed here", "deploy.yaml:5:3: duplicate key \"name\""), or a limit that was exceeded.
Result<std::vector<Json>> DecodeYamlStream(std::string_view text, std::string_view source_name = "",
                                           const DecodeLimits& limits = {});
// Decodes exactly one document (an empty input decodes to null). Errors as above, and BadRequest
// if there is more than one document.
Result<Json> DecodeYaml(std::string_view text, std::string_view source_name = "",
                        const DecodeLimits& limits = {});
// Parses JSON, with errors naming line and column. BadRequest on malformed input.
Result<Json> DecodeJson(std::string_view text, std::string_view source_name = "");

// Decodes a manifest stream into objects: `kind: List` (and *List kinds with items) are
// flattened; every object needs apiVersion and kind (BadRequest naming the document otherwise).
Result<std::vector<Object>> DecodeManifests(std::string_view text,
                                            std::string_view source_name = "");

// YAML as kubectl -o yaml prints it: keys in the JSON object's order, 2-space indent, sequences
// not indented under their key, strings quoted only when needed.
std::string EncodeYaml(const Json& value);

}  // namespace keelson::api
