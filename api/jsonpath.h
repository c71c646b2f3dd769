// The Kubernetes JSONPath template language (k8s.io/client-go/util/jsonpath) used by
// `-o jsonpath=...`, `-o jsonpath-file=...` and `-o custom-columns=...`, plus the Go value
// formatting those printers use (encoding/json.Marshal and fmt's %v). Value types; a parsed
// JsonPath is immutable and safe to execute from several threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/object.h"

namespace keelson::api {

namespace jsonpath_internal {
struct Node;
}

class JsonPath {
 public:
  // Parses a template such as "{.metadata.name}", "{range .items[*]}{.x}{\"\\n\"}{end}",
  // "{..image}", "{.items[?(@.status.phase==\"Running\")].metadata.name}". Text outside braces
  // is printed as is. Errors: BadRequest with the upstream message ("unclosed action",
  // "unterminated array", "invalid array index x", "not in range, nothing to end", ...).
  static Result<JsonPath> Parse(std::string_view tmpl);

  // With true, a field or key that does not exist yields no value instead of an error (kubectl
  // sets this for `get -o jsonpath` and custom columns).
  JsonPath& AllowMissingKeys(bool allow) {
    allow_missing_keys_ = allow;
    return *this;
  }

  // Runs the template over `data` and returns the text: each action's results joined by one
  // space; strings, numbers and booleans as Go's fmt prints them; objects and arrays as
  // compact JSON (keys sorted). Errors: BadRequest ("x is not found", "array index out of
  // bounds: index 5, length 2", "unrecognized identifier x", ...).
  Result<std::string> Execute(const Json& data) const;

  // The values of each action, without printing (custom columns use this). Text segments are
  // included as string values.
  Result<std::vector<std::vector<Json>>> FindResults(const Json& data) const;

 private:
  std::shared_ptr<const std::vector<jsonpath_internal::Node>> items_;
  bool allow_missing_keys_ = false;
};

// kubectl's RelaxedJSONPathExpression for custom columns: "metadata.name", ".metadata.name",
// "{metadata.name}" and "{.metadata.name}" all become "{.metadata.name}". Errors: BadRequest.
Result<std::string> RelaxedJsonPathExpression(std::string_view expr);

// encoding/json.Marshal of a JSON value: compact, object keys sorted, '<' '>' '&' escaped as
// \u003c \u003e \u0026, floats formatted like Go.
std::string GoJsonMarshal(const Json& value);
// encoding/json.MarshalIndent(value, "", indent) (what `kubectl get -o json` prints, plus a
// newline from the caller). Empty objects and arrays print as {} and [].
std::string GoJsonMarshalIndent(const Json& value, std::string_view indent = "    ");
// fmt.Sprint of a decoded JSON value: strings raw, 1.5, 1e+06, true, <nil>, [a b], map[k:v].
std::string GoPrint(const Json& value);

}  // namespace keelson::api
