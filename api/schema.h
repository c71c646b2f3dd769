// Structural schema of the built-in kinds: the tree of known fields with their types and the
// strategic-merge-patch metadata (patchStrategy, patchMergeKey) of Kubernetes' Go struct tags.
// Built once from a compact table (api/schema_types.cc); immutable afterwards, thread-safe.
#pragma once

#include <span>

#include <string>
#include <string_view>
#include <vector>

#include "api/object.h"

namespace keelson::api {

enum class FieldType {
  kString,
  kBytes,  // base64 string ([]byte in Go)
  kInt32,
  kInt64,
  kNumber,  // float64
  kBool,
  kTime,         // RFC 3339 string (metav1.Time)
  kQuantity,     // resource.Quantity: string or number
  kIntOrString,  // intstr.IntOrString
  kAny,          // free-form JSON (RawExtension, Helm values, ...): anything goes below it
  kStruct,       // known fields only
  kArray,        // of `element`
  kMap,          // string keys to `element`
};

struct SchemaNode;

// Strategic merge metadata of one field, as in the Go struct tags.
struct PatchMeta {
  bool merge = false;        // patchStrategy "merge" (lists merge by merge_key, or as a set)
  bool retain_keys = false;  // patchStrategy "retainKeys"
  bool replace = false;      // patchStrategy "replace" (maps replaced whole)
  std::string merge_key;     // patchMergeKey, empty for primitive lists
};

struct SchemaField {
  std::string name;  // JSON name
  const SchemaNode* node = nullptr;
  PatchMeta patch;
};

struct SchemaNode {
  FieldType type = FieldType::kAny;
  // Go type name for structs ("PodSpec"), the Go spelling for scalars ("int32", "string").
  std::string type_name;
  const SchemaNode* element = nullptr;  // kArray / kMap
  std::vector<SchemaField> fields;      // kStruct, in declaration order

  // The field named `name` of a struct; nullptr if unknown or not a struct.
  const SchemaField* Field(std::string_view name) const;
};

// The schema of a kind's top-level object (apiVersion, kind, metadata, spec, status, ...);
// nullptr for kinds without a schema (custom kinds: everything is allowed there).
const SchemaNode* SchemaFor(const GroupVersionKind& gvk);
// A named struct type ("Container", "ObjectMeta"); nullptr if unknown.
const SchemaNode* SchemaType(std::string_view type_name);
// Every kind with a schema.
std::vector<GroupVersionKind> SchemaKinds();

// Walks `value` against `node`; calls `unknown(path)` for each object key the schema does not
// know, and `mismatch(path, node)` for each value whose JSON type does not fit the field's type
// (a string where an int32 is expected, ...). Paths are as Kubernetes' strict decoder prints them:
// dotted keys with list indices, "spec.template.spec.containers[0].imagee"; `prefix` is
// prepended. Null values always fit (they mean "unset").
struct SchemaVisitor {
  virtual ~SchemaVisitor() = default;
  virtual void Unknown(const std::string& path) = 0;
  virtual void Mismatch(const std::string& path, const SchemaNode& expected, const Json& got) = 0;
};
void WalkSchema(const SchemaNode& node, const Json& value, const std::string& prefix,
                SchemaVisitor& visitor);

// Type mismatches of a built-in object, each in the words of Go's encoding/json as the API server
// reports them ("json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas
// of type int32"). Empty for kinds without a schema.
std::vector<std::string> TypeMismatches(const Object& obj);

// The volume source fields of a v1 Volume ("hostPath", "emptyDir", ...), in Kubernetes' order.
// Exactly one of them is set in a valid Volume; emptyDir is the default when none is.
std::span<const char* const> VolumeSourceNames();

}  // namespace keelson::api
