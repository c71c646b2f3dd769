// Tests for api/schema.h: the table parses, merge metadata matches the Go struct tags.
#include "api/schema.h"

#include <gtest/gtest.h>

namespace keelson::api {
namespace {

const SchemaField& FieldAt(const SchemaNode* node, std::initializer_list<const char*> path) {
  const SchemaField* f = nullptr;
  for (const char* key : path) {
    EXPECT_NE(node, nullptr) << key;
    while (node->type == FieldType::kArray || node->type == FieldType::kMap) node = node->element;
    f = node->Field(key);
    EXPECT_NE(f, nullptr) << key;
    node = f->node;
  }
  return *f;
}

TEST(Schema, CoversTheBuiltInKinds) {
  for (const auto& gvk : std::vector<GroupVersionKind>{
           {"", "v1", "Pod"},
           {"", "v1", "Service"},
           {"", "v1", "ConfigMap"},
           {"", "v1", "Secret"},
           {"", "v1", "Namespace"},
           {"", "v1", "ServiceAccount"},
           {"", "v1", "Node"},
           {"", "v1", "Event"},
           {"", "v1", "LimitRange"},
           {"", "v1", "ResourceQuota"},
           {"", "v1", "PersistentVolume"},
           {"", "v1", "PersistentVolumeClaim"},
           {"apps", "v1", "Deployment"},
           {"apps", "v1", "ReplicaSet"},
           {"apps", "v1", "StatefulSet"},
           {"apps", "v1", "DaemonSet"},
           {"batch", "v1", "Job"},
           {"batch", "v1", "CronJob"},
           {"rbac.authorization.k8s.io", "v1", "Role"},
           {"rbac.authorization.k8s.io", "v1", "ClusterRole"},
           {"rbac.authorization.k8s.io", "v1", "RoleBinding"},
           {"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"},
           {"networking.k8s.io", "v1", "Ingress"},
           {"networking.k8s.io", "v1", "NetworkPolicy"},
           {"autoscaling", "v2", "HorizontalPodAutoscaler"},
           {"policy", "v1", "PodDisruptionBudget"},
           {"storage.k8s.io", "v1", "StorageClass"},
           {"coordination.k8s.io", "v1", "Lease"},
           {"keelson.dev", "v1", "Application"},
           {"keelson.dev", "v1", "Repository"},
           {"keelson.dev", "v1", "SealedSecret"},
       }) {
    const SchemaNode* s = SchemaFor(gvk);
    ASSERT_NE(s, nullptr) << gvk.ApiVersion() << " " << gvk.kind;
    EXPECT_NE(s->Field("metadata"), nullptr);
    EXPECT_NE(s->Field("apiVersion"), nullptr);
  }
  EXPECT_EQ(SchemaFor({"example.com", "v1", "Widget"}), nullptr);
}

TEST(Schema, MergeKeysFollowTheGoTags) {
  const SchemaNode* pod = SchemaFor({"", "v1", "Pod"});
  struct Case {
    std::initializer_list<const char*> path;
    bool merge;
    const char* key;
  } cases[] = {
      {{"spec", "containers"}, true, "name"},
      {{"spec", "initContainers"}, true, "name"},
      {{"spec", "ephemeralContainers"}, true, "name"},
      {{"spec", "volumes"}, true, "name"},
      {{"spec", "imagePullSecrets"}, true, "name"},
      {{"spec", "hostAliases"}, true, "ip"},
      {{"spec", "tolerations"}, false, ""},
      {{"spec", "containers", "env"}, true, "name"},
      {{"spec", "containers", "ports"}, true, "containerPort"},
      {{"spec", "containers", "volumeMounts"}, true, "mountPath"},
      {{"spec", "containers", "volumeDevices"}, true, "devicePath"},
      {{"spec", "containers", "envFrom"}, false, ""},
      {{"metadata", "finalizers"}, true, ""},
      {{"metadata", "ownerReferences"}, true, "uid"},
      {{"status", "conditions"}, true, "type"},
  };
  for (const auto& c : cases) {
    const SchemaField& f = FieldAt(pod, c.path);
    EXPECT_EQ(f.patch.merge, c.merge) << *(c.path.end() - 1);
    EXPECT_EQ(f.patch.merge_key, c.key) << *(c.path.end() - 1);
  }
  EXPECT_TRUE(FieldAt(pod, {"spec", "volumes"}).patch.retain_keys);
  EXPECT_EQ(FieldAt(SchemaFor({"", "v1", "Service"}), {"spec", "ports"}).patch.merge_key, "port");
  EXPECT_TRUE(
      FieldAt(SchemaFor({"apps", "v1", "Deployment"}), {"spec", "strategy"}).patch.retain_keys);
  EXPECT_TRUE(FieldAt(SchemaFor({"policy", "v1", "PodDisruptionBudget"}), {"spec", "selector"})
                  .patch.replace);
  // Inline embedding: Volume carries VolumeSource's fields, Probe carries ProbeHandler's.
  EXPECT_EQ(FieldAt(pod, {"spec", "volumes", "configMap", "defaultMode"}).node->type,
            FieldType::kInt32);
  EXPECT_EQ(FieldAt(pod, {"spec", "containers", "livenessProbe", "httpGet", "port"}).node->type,
            FieldType::kIntOrString);
  EXPECT_EQ(FieldAt(pod, {"spec", "containers", "resources", "limits"}).node->element->type,
            FieldType::kQuantity);
}

TEST(Schema, TypeMismatchesUseGoMessages) {
  Object d(Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},
    "spec":{"replicas":"3","template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":"80"}]}]}}}})"));
  auto errs = TypeMismatches(d);
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0],
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of "
            "type int32");
  EXPECT_EQ(errs[1],
            "json: cannot unmarshal string into Go struct field "
            "ContainerPort.spec.template.spec.containers.ports.containerPort of type int32");
}

}  // namespace
}  // namespace keelson::api
