// The template function contract shared by the template engine (charts/template*) and the
// function libraries (Sprig in charts/sprig*, Helm's own in charts/helm_funcs*).
//
// Values are JSON values with Go's types mapped as:
//   nil → null; bool; int/int64 → number_integer; uint64 → number_unsigned;
//   float64 → number_float (values from YAML/JSON are float64, as in Helm);
//   string; []interface{} / []string → array; map[string]interface{} → object (keys sorted,
//   as Go's fmt prints them).
// Go values with no JSON form (time.Time, semver.Version, certificates, ...) are objects carrying
// a marker key "\x01gotype" naming the type (see IsGoType); functions that accept them check it.
#pragma once

#include <expected>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace keelson::charts {

using Value = nlohmann::json;

// The marker key of Go-typed values (time.Time is {"\x01gotype":"time", "unix_nanos":..,
// "loc":"UTC"}).
inline constexpr std::string_view kGoTypeKey = "\x01gotype";
inline bool IsGoType(const Value& v, std::string_view type) {
  return v.is_object() && v.contains(std::string(kGoTypeKey)) && v[std::string(kGoTypeKey)] == type;
}

// Helm's .Files (engine.files, a Go map[string][]byte) as template values hold it:
// {kGoTypeKey: kFilesGoType, "files": {path: data}}. `range`, `len` and truth see it as that map:
// range iterates its paths in sorted order with the data as []byte, as Go ranges over the map.
inline constexpr std::string_view kFilesGoType = "engine.files";

// What a function may reach of the engine while it runs (include, tpl, the current template
// name). Implemented by the engine; not thread-safe (one per execution).
class FuncContext {
 public:
  virtual ~FuncContext() = default;
  // Executes the named template with `data` as dot and returns its output (Helm's include).
  // Errors carry Go/Helm wording.
  virtual std::expected<std::string, std::string> ExecuteTemplate(std::string_view name,
                                                                  const Value& data) = 0;
  // Parses `text` as a template (named after the calling template) and executes it with `data`
  // as dot, sharing the current defines (Helm's tpl).
  virtual std::expected<std::string, std::string> ExecuteText(std::string_view text,
                                                              const Value& data) = 0;
  // The name of the template being executed ("mychart/templates/deploy.yaml").
  virtual std::string CurrentTemplateName() const = 0;
};

// A template function. Arguments are already evaluated, in call order (for a pipeline, the
// piped value is the last argument, as in Go). On error returns the message Go/Helm would
// print after "error calling NAME: " (the engine adds the position and that prefix).
using Function =
    std::function<std::expected<Value, std::string>(FuncContext& ctx, std::span<const Value> args)>;

// A Function whose error starts with kRawCallError reports a call Go would have rejected before
// calling (wrong number or type of arguments): the engine prints the rest of the message as is,
// without the "error calling NAME: " prefix (e.g. "wrong type for value; expected string; got
// float64", "wrong number of args for upper: want 1 got 2").
inline constexpr std::string_view kRawCallError = "\x01raw:";

// Name → function. The engine looks functions up here; libraries add theirs.
using FuncMap = std::map<std::string, Function, std::less<>>;

// Adds every Sprig v3 function Helm exposes (sprig.TxtFuncMap() minus env and expandenv).
void AddSprigFunctions(FuncMap& funcs);
// Adds Helm's own functions: include, tpl, required, fail, toYaml, fromYaml, fromYamlArray,
// toJson, fromJson, fromJsonArray, toToml, lookup.
void AddHelmFunctions(FuncMap& funcs);

}  // namespace keelson::charts
