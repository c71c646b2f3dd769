// Unstructured Kubernetes-shaped objects: JSON with typed accessors for apiVersion, kind and
// metadata. Value type; cheap to move, copying copies the JSON. Not thread-safe for writes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace keelson::api {

using Json = nlohmann::json;

// Group, version and kind of an object ("apps", "v1", "Deployment"); group is "" for core.
struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;
  // "apps/v1" or "v1".
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  bool operator==(const GroupVersionKind&) const = default;
};

// Splits "apps/v1" into {"apps","v1"} and "v1" into {"","v1"}.
std::pair<std::string, std::string> SplitApiVersion(std::string_view api_version);

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool block_owner_deletion = false;
};

class Object {
 public:
  Object() : json_(Json::object()) {}
  explicit Object(Json j) : json_(std::move(j)) {}

  const Json& json() const { return json_; }
  Json& json() { return json_; }
  Json Release() && { return std::move(json_); }

  std::string api_version() const { return Str("apiVersion"); }
  std::string kind() const { return Str("kind"); }
  GroupVersionKind gvk() const;
  void set_api_version(std::string_view v) { json_["apiVersion"] = v; }
  void set_kind(std::string_view k) { json_["kind"] = k; }

  // metadata accessors: absent fields read as empty.
  std::string name() const { return Meta("name"); }
  std::string generate_name() const { return Meta("generateName"); }
  std::string namespace_() const { return Meta("namespace"); }
  std::string uid() const { return Meta("uid"); }
  std::string resource_version() const { return Meta("resourceVersion"); }
  std::string creation_timestamp() const { return Meta("creationTimestamp"); }
  std::string deletion_timestamp() const { return Meta("deletionTimestamp"); }
  int64_t generation() const;
  std::map<std::string, std::string> labels() const { return StringMap("labels"); }
  std::map<std::string, std::string> annotations() const { return StringMap("annotations"); }
  std::optional<std::string> label(std::string_view key) const;
  std::optional<std::string> annotation(std::string_view key) const;
  std::vector<std::string> finalizers() const;
  std::vector<OwnerReference> owner_references() const;

  void set_name(std::string_view v) { MutableMeta()["name"] = v; }
  void set_namespace(std::string_view v) { MutableMeta()["namespace"] = v; }
  void set_uid(std::string_view v) { MutableMeta()["uid"] = v; }
  void set_resource_version(std::string_view v) { MutableMeta()["resourceVersion"] = v; }
  void set_creation_timestamp(std::string_view v) { MutableMeta()["creationTimestamp"] = v; }
  void set_deletion_timestamp(std::string_view v) { MutableMeta()["deletionTimestamp"] = v; }
  void set_generation(int64_t g) { MutableMeta()["generation"] = g; }
  void set_label(std::string_view key, std::string_view value);
  void set_annotation(std::string_view key, std::string_view value);
  // Removes the label/annotation; removes the map when it becomes empty.
  void remove_label(std::string_view key);
  void remove_annotation(std::string_view key);
  void set_finalizers(const std::vector<std::string>& f);
  void add_owner_reference(const OwnerReference& ref);

  // Sub-objects; the mutable forms create an empty object when absent.
  const Json& metadata() const;
  Json& MutableMeta();
  const Json& spec() const { return Field("spec"); }
  const Json& status() const { return Field("status"); }
  const Json& data() const { return Field("data"); }

  // Reads a nested value by a dotted path of object keys ("spec.replicas"); nullptr if absent.
  const Json* Find(std::string_view dotted_path) const;

  bool operator==(const Object& o) const { return json_ == o.json_; }

 private:
  std::string Str(const char* key) const;
  std::string Meta(const char* key) const;
  std::map<std::string, std::string> StringMap(const char* key) const;
  const Json& Field(const char* key) const;

  Json json_;
};

// RFC 3339 timestamp in UTC with second precision, as Kubernetes writes metadata times.
std::string FormatTime(int64_t unix_seconds);
std::string NowTimestamp();
// Parses FormatTime's output (and RFC 3339 with fractional seconds or offsets); nullopt if bad.
std::optional<int64_t> ParseTime(std::string_view rfc3339);

}  // namespace keelson::api
