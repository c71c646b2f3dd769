// go-yaml v2's encoder (yaml.Marshal as sigs.k8s.io/yaml drives it) over JSON values: the one
// YAML emitter of the code base. kubectl's printing (api::EncodeYaml) and Helm's toYaml
// (charts::GoYamlMarshal) are this emitter with different options. Thread-safe.
#pragma once

#include <string>

#include "api/object.h"

namespace keelson::api {

// What differs between the callers of go-yaml's encoder.
struct GoYamlOptions {
  // Map keys in the order go-yaml sorts a Go map's keys (runs of digits compare as numbers,
  // letters before other characters) instead of the JSON object's own order.
  bool sort_keys = false;
  // Floats that are not whole numbers print as strconv.FormatFloat(f, 'g', -1, float_bits):
  // 32 as kubectl prints, 64 as Helm's toYaml prints.
  int float_bits = 32;
  // Ends an open-ended document (a root plain scalar, or a last literal block kept with "|+")
  // with "...", as go-yaml's stream end does. Off for api::EncodeYaml, whose contract predates
  // this emitter and which never prints such documents for objects.
  bool mark_open_ended = false;
};

// Emits `value` as go-yaml v2 does for the equivalent Go value decoded from JSON: block style,
// 2-space indents, sequences not indented under their key, strings quoted only when they would
// read back as another type or contain indicators, multi-line strings as literal blocks, long
// plain and quoted lines folded at 80 columns, keys longer than 128 bytes as "? key", invalid
// UTF-8 as !!binary, whole-number floats as integers. The
// output ends with a newline. Binary JSON values print as null. Never fails.
std::string EncodeGoYaml(const Json& value, const GoYamlOptions& opts);

}  // namespace keelson::api
