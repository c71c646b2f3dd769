// YAML and JSON the way Helm's template functions and value files see them:
// sigs.k8s.io/yaml (JSON round trip + go-yaml v2 emitter/resolver) and encoding/json.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "charts/funcs.h"

namespace keelson::charts {

// sigs.k8s.io/yaml.Marshal(v): v is encoded to JSON (encoding/json rules for numbers), read back
// by go-yaml v2 (JSON numbers become ints or floats) and emitted as go-yaml v2 does: keys in
// go-yaml's natural sort order, 2-space indents, sequences not indented under their key, strings
// quoted only when they would resolve to another type or contain indicators, multi-line strings
// as literal blocks, long lines folded at 80 columns. Output ends with a newline. Errors: values
// JSON cannot encode (NaN, Inf).
std::expected<std::string, std::string> GoYamlMarshal(const Value& v);

// encoding/json.Marshal(v): compact, map keys sorted, HTML-safe escaping (<, >, & as \u003c...),
// floats as Go prints them (1e+21, 0.000001 → 1e-06 ...). Errors: NaN/Inf ("json: unsupported
// value: NaN").
std::expected<std::string, std::string> GoJsonMarshal(const Value& v);

// sigs.k8s.io/yaml.Unmarshal into interface{}: the first YAML document, YAML 1.1 scalars as go-yaml
// v2 resolves them (yes/no/on/off booleans, ~/null, 0x/0o/octal ints, floats, .inf/.nan), then the
// JSON conversion (every number becomes float64, non-string keys become strings, timestamps stay
// strings). An empty document is null. Errors: "error converting YAML to JSON: yaml: line N: ...".
std::expected<Value, std::string> DecodeYamlValues(std::string_view text);

// Every document of a YAML stream decoded as above (empty documents skipped).
std::expected<std::vector<Value>, std::string> DecodeYamlStreamValues(std::string_view text);

// What Helm's manifest sorter reads of a rendered document (releaseutil.SimpleHead): kind and the
// helm.sh/hook annotation. Errors as DecodeYamlValues for documents that are not valid YAML.
struct ManifestHead {
  std::string kind;
  bool has_hook = false;
  std::string hook;
};
std::expected<ManifestHead, std::string> DecodeManifestHead(std::string_view doc);

// encoding/json.Unmarshal into interface{} (numbers → float64). Errors as Go words them roughly
// ("invalid character 'x' looking for beginning of value").
std::expected<Value, std::string> DecodeJsonValues(std::string_view text);

}  // namespace keelson::charts
