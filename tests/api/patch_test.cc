// Tests for api/patch.h: JSON merge patch (RFC 7386 appendix A), JSON patch (RFC 6902 appendix A).
#include "api/patch.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace keelson::api {
namespace {

Json J(const char* s) { return Json::parse(s); }

TEST(JsonMergePatch, Rfc7386AppendixA) {
  const char* cases[][3] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", R"(null)", R"(null)"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(JsonMergePatch(J(c[0]), J(c[1])), J(c[2])) << c[0] << " + " << c[1];
  }
}

TEST(JsonMergePatch, CreateRoundTrips) {
  Json a = J(R"({"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"x":[1,2],"y":1}})");
  Json b = J(R"({"metadata":{"labels":{"a":"1","c":"3"}},"spec":{"x":[1],"z":true}})");
  Json p = CreateJsonMergePatch(a, b);
  EXPECT_EQ(p,
            J(R"({"metadata":{"labels":{"b":null,"c":"3"}},"spec":{"x":[1],"y":null,"z":true}})"));
  EXPECT_EQ(JsonMergePatch(a, p), b);
  EXPECT_EQ(CreateJsonMergePatch(a, a), Json::object());
}

TEST(JsonPatch, AppliesEveryOperation) {
  Json doc = J(R"({"foo":["bar","baz"],"a":{"b":1},"k~/":2})");
  Json patch = J(R"([
    {"op":"add","path":"/foo/1","value":"qux"},
    {"op":"add","path":"/foo/-","value":"end"},
    {"op":"remove","path":"/a/b"},
    {"op":"replace","path":"/k~0~1","value":3},
    {"op":"copy","from":"/foo/0","path":"/first"},
    {"op":"move","from":"/first","path":"/a/moved"},
    {"op":"test","path":"/foo","value":["bar","qux","baz","end"]}
  ])");
  auto out = ApplyJsonPatch(doc, patch);
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(*out, J(R"({"foo":["bar","qux","baz","end"],"a":{"moved":"bar"},"k~/":3})"));
}

TEST(JsonPatch, ErrorsNameTheOperation) {
  Json doc = J(R"({"a":{"b":1},"l":[1]})");
  struct Case {
    const char* patch;
    Reason reason;
    const char* message;
  } cases[] = {
      {R"([{"op":"test","path":"/a/b","value":1},{"op":"test","path":"/a/b","value":2}])",
       Reason::kInvalid, "json patch operation 1 (test /a/b): test failed"},
      {R"([{"op":"remove","path":"/x"}])", Reason::kInvalid,
       "json patch operation 0 (remove /x): path not found"},
      {R"([{"op":"replace","path":"/a/c","value":1}])", Reason::kInvalid,
       "json patch operation 0 (replace /a/c): path not found"},
      {R"([{"op":"add","path":"/l/5","value":1}])", Reason::kInvalid,
       "json patch operation 0 (add /l/5): array index out of bounds"},
      {R"([{"op":"move","from":"/a","path":"/a/b/c"}])", Reason::kInvalid,
       "json patch operation 0 (move /a/b/c): cannot move \"/a\" into its own child"},
      {R"([{"op":"frobnicate","path":"/a"}])", Reason::kBadRequest,
       "json patch operation 0 (frobnicate /a): unknown op \"frobnicate\""},
      {R"([{"op":"add","path":"/a"}])", Reason::kBadRequest,
       "json patch operation 0 (add /a): missing \"value\""},
      {R"({"op":"add"})", Reason::kBadRequest,
       "json patch must be an array of operations, got object"},
  };
  for (const auto& c : cases) {
    auto out = ApplyJsonPatch(doc, J(c.patch));
    ASSERT_FALSE(out.has_value()) << c.patch;
    EXPECT_EQ(out.error().message, c.message);
    EXPECT_EQ(out.error().reason, c.reason) << c.patch;
  }
}

TEST(JsonPatch, ContentTypes) {
  EXPECT_EQ(PatchTypeFromContentType("application/merge-patch+json; charset=utf-8"),
            PatchType::kMerge);
  EXPECT_EQ(PatchTypeFromContentType("application/strategic-merge-patch+json"),
            PatchType::kStrategicMerge);
  EXPECT_EQ(PatchTypeFromContentType("application/json-patch+json"), PatchType::kJsonPatch);
  EXPECT_EQ(PatchTypeFromContentType("application/json"), std::nullopt);
}

}  // namespace
}  // namespace keelson::api

// ---- strategic merge patch ----

namespace keelson::api {
namespace {

// A small YAML reader for test inputs: plain scalars that look like ints or booleans are typed.
Json FromYaml(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      Json o = Json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = FromYaml(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      Json a = Json::array();
      for (const auto& v : n) a.push_back(FromYaml(v));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = n.Scalar();
      if (n.Tag() == "!") return s;
      if (s == "true" || s == "false") return s == "true";
      if (s == "null" || s == "~") return nullptr;
      if (!s.empty() && s.find_first_not_of("-0123456789") == std::string::npos) {
        return std::stoll(s);
      }
      return s;
    }
    default:
      return nullptr;
  }
}

Json Y(const char* text) {
  Json j = FromYaml(YAML::Load(text));
  return j.is_null() ? Json::object() : j;
}

const GroupVersionKind kPod{"", "v1", "Pod"};
const GroupVersionKind kDeploy{"apps", "v1", "Deployment"};

// Cases adapted from strategicpatch's patch_test.go ("... and preserve order", "server-only
// items", retainKeys): its mergingList is spec.containers (merge by name; value -> image,
// other -> workingDir), its mergingIntList is metadata.finalizers, its retainKeysMap is a
// Deployment's spec.strategy.
struct ThreeWayCase {
  const char* description;
  GroupVersionKind gvk;
  const char* original;
  const char* two_way;
  const char* modified;
  const char* current;
  const char* three_way;
  const char* result;
};

const ThreeWayCase kThreeWay[] = {
    {"add multiple items in a list and preserve order", kPod,
     R"(
spec:
  containers:
  - name: a
  - name: b
    image: b
)",
     R"(
spec:
  $setElementOrder/containers: [{name: a}, {name: d}, {name: b}, {name: c}]
  containers:
  - {name: d, image: d}
  - {name: c, image: c}
)",
     R"(
spec:
  containers:
  - name: a
  - {name: d, image: d}
  - {name: b, image: b}
  - {name: c, image: c}
)",
     R"(
spec:
  containers:
  - {name: a, workingDir: x}
  - {name: b, image: b, workingDir: y}
)",
     R"(
spec:
  $setElementOrder/containers: [{name: a}, {name: d}, {name: b}, {name: c}]
  containers:
  - {name: d, image: d}
  - {name: c, image: c}
)",
     R"(
spec:
  containers:
  - {name: a, workingDir: x}
  - {name: d, image: d}
  - {name: b, image: b, workingDir: y}
  - {name: c, image: c}
)"},
    {"add and delete an item in a list and preserve order", kPod,
     R"(
spec:
  containers:
  - name: a
  - {name: c, image: c}
  - {name: b, image: b}
)",
     R"(
spec:
  $setElementOrder/containers: [{name: d}, {name: b}, {name: a}]
  containers:
  - {name: d, image: d}
  - {name: c, $patch: delete}
)",
     R"(
spec:
  containers:
  - {name: d, image: d}
  - {name: b, image: b}
  - name: a
)",
     R"(
spec:
  containers:
  - {name: a, workingDir: x}
  - {name: b, image: b, workingDir: y}
  - {name: c, image: c}
)",
     R"(
spec:
  $setElementOrder/containers: [{name: d}, {name: b}, {name: a}]
  containers:
  - {name: d, image: d}
  - {name: c, $patch: delete}
)",
     R"(
spec:
  containers:
  - {name: d, image: d}
  - {name: b, image: b, workingDir: y}
  - {name: a, workingDir: x}
)"},
    {"set elements order in a list with server-only items 2", kPod,
     R"(
spec:
  containers:
  - name: a
  - {name: b, image: b}
  - {name: c, image: c}
  - {name: d, image: d}
)",
     R"(
spec:
  $setElementOrder/containers: [{name: b}, {name: a}, {name: d}, {name: c}]
)",
     R"(
spec:
  containers:
  - {name: b, image: b}
  - name: a
  - {name: d, image: d}
  - {name: c, image: c}
)",
     R"(
spec:
  containers:
  - {name: a, workingDir: x}
  - {name: b, image: b}
  - name: z
  - {name: c, image: c}
  - {name: d, image: d}
)",
     R"(
spec:
  $setElementOrder/containers: [{name: b}, {name: a}, {name: d}, {name: c}]
)",
     R"(
spec:
  containers:
  - {name: b, image: b}
  - {name: a, workingDir: x}
  - name: z
  - {name: d, image: d}
  - {name: c, image: c}
)"},
    {"add and delete an item in a primitive merge list and preserve order", kPod,
     R"(
metadata:
  finalizers: [a, c, b]
)",
     R"(
metadata:
  $setElementOrder/finalizers: [d, b, a]
  finalizers: [d]
  $deleteFromPrimitiveList/finalizers: [c]
)",
     R"(
metadata:
  finalizers: [d, b, a]
)",
     R"(
metadata:
  finalizers: [a, b, c]
)",
     R"(
metadata:
  $setElementOrder/finalizers: [d, b, a]
  finalizers: [d]
  $deleteFromPrimitiveList/finalizers: [c]
)",
     R"(
metadata:
  finalizers: [d, b, a]
)"},
    {"set elements order in a primitive list with server-only items 3", kPod,
     R"(
metadata:
  finalizers: [a, b, c, d]
)",
     R"(
metadata:
  $setElementOrder/finalizers: [b, a, d, c]
)",
     R"(
metadata:
  finalizers: [b, a, d, c]
)",
     R"(
metadata:
  finalizers: [a, b, x, z, y, c, d]
)",
     R"(
metadata:
  $setElementOrder/finalizers: [b, a, d, c]
)",
     R"(
metadata:
  finalizers: [b, a, x, z, y, d, c]
)"},
    {"retainKeys map should clear defaulted field with conflict (discriminated union)", kDeploy,
     "{}",
     R"(
spec:
  strategy: {type: Recreate}
)",
     R"(
spec:
  strategy: {type: Recreate}
)",
     R"(
spec:
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
)",
     R"(
spec:
  strategy:
    $retainKeys: [type]
    type: Recreate
)",
     R"(
spec:
  strategy: {type: Recreate}
)"},
    {"retainKeys map adds a field and clears a field", kDeploy,
     R"(
spec:
  strategy: {type: RollingUpdate}
)",
     R"(
spec:
  strategy:
    $retainKeys: [rollingUpdate, type]
    rollingUpdate: {maxSurge: 1}
)",
     R"(
spec:
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1}
)",
     R"(
spec:
  strategy: {type: RollingUpdate}
  paused: true
)",
     R"(
spec:
  strategy:
    $retainKeys: [rollingUpdate, type]
    rollingUpdate: {maxSurge: 1}
)",
     R"(
spec:
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1}
  paused: true
)"},
};

TEST(StrategicMergePatch, UpstreamThreeWayCases) {
  for (const auto& c : kThreeWay) {
    SCOPED_TRACE(c.description);
    Json original = Y(c.original), modified = Y(c.modified), current = Y(c.current);
    auto two_way = CreateTwoWayMergePatch(original, modified, c.gvk);
    ASSERT_TRUE(two_way.has_value()) << two_way.error().message;
    EXPECT_EQ(*two_way, Y(c.two_way)) << two_way->dump();
    auto applied = StrategicMergePatch(original, *two_way, c.gvk);
    ASSERT_TRUE(applied.has_value()) << applied.error().message;
    EXPECT_EQ(*applied, modified) << applied->dump();

    auto three_way = CreateThreeWayMergePatch(original, modified, current, c.gvk);
    ASSERT_TRUE(three_way.has_value()) << three_way.error().message;
    EXPECT_EQ(*three_way, Y(c.three_way)) << three_way->dump();
    auto result = StrategicMergePatch(current, *three_way, c.gvk);
    ASSERT_TRUE(result.has_value()) << result.error().message;
    EXPECT_EQ(*result, Y(c.result)) << result->dump();
  }
}

struct ApplyCase {
  const char* description;
  GroupVersionKind gvk;
  const char* original;
  const char* patch;
  const char* result;
};

const ApplyCase kApply[] = {
    {"null deletes a field; maps merge", kPod,
     "{metadata: {labels: {a: '1', b: '2'}}, spec: {nodeName: n1}}",
     "{metadata: {labels: {a: null, c: '3'}}, spec: {nodeName: null}}",
     "{metadata: {labels: {b: '2', c: '3'}}, spec: {}}"},
    {"$patch: replace on a map", kPod, "{metadata: {labels: {a: '1', b: '2'}}}",
     "{metadata: {labels: {$patch: replace, c: '3'}}}", "{metadata: {labels: {c: '3'}}}"},
    {"$patch: delete on a map", kPod, "{spec: {securityContext: {runAsUser: 1}, nodeName: n}}",
     "{spec: {securityContext: {$patch: delete}}}", "{spec: {securityContext: {}, nodeName: n}}"},
    {"merge list merges by key and appends after matched elements", kPod,
     "{spec: {containers: [{name: a, image: a1}, {name: b, image: b1}]}}",
     "{spec: {containers: [{name: b, image: b2}, {name: c, image: c1}]}}",
     "{spec: {containers: [{name: a, image: a1}, {name: b, image: b2}, {name: c, image: c1}]}}"},
    {"$patch: delete element", kPod,
     "{spec: {containers: [{name: a, image: a1}, {name: b, image: b1}]}}",
     "{spec: {containers: [{name: a, $patch: delete}]}}",
     "{spec: {containers: [{name: b, image: b1}]}}"},
    {"$patch: replace element replaces the whole list", kPod,
     "{spec: {containers: [{name: a, image: a1}, {name: b, image: b1}]}}",
     "{spec: {containers: [{name: c, image: c1}, {$patch: replace}]}}",
     "{spec: {containers: [{name: c, image: c1}]}}"},
    // A new element with no live neighbour goes first: mergeSortedSlice places patch items absent
    // from the live list ahead of server-only items (kubectl patch adding an env var prepends it).
    {"nested merge lists: env by name, ports by containerPort", kPod,
     "{spec: {containers: [{name: a, env: [{name: X, value: '1'}], ports: [{containerPort: 80, "
     "protocol: TCP}]}]}}",
     "{spec: {containers: [{name: a, env: [{name: Y, value: '2'}], ports: [{containerPort: 80, "
     "name: http}]}]}}",
     "{spec: {containers: [{name: a, env: [{name: Y, value: '2'}, {name: X, value: '1'}], ports: "
     "[{containerPort: 80, protocol: TCP, name: http}]}]}}"},
    {"non-merge lists (tolerations) are replaced", kPod,
     "{spec: {tolerations: [{key: a}, {key: b}]}}", "{spec: {tolerations: [{key: c}]}}",
     "{spec: {tolerations: [{key: c}]}}"},
    {"primitive merge list takes the union; $deleteFromPrimitiveList removes", kPod,
     "{metadata: {finalizers: [a, b]}}",
     "{metadata: {finalizers: [c], $deleteFromPrimitiveList/finalizers: [a]}}",
     "{metadata: {finalizers: [c, b]}}"},
    {"$retainKeys drops keys not listed", kDeploy,
     "{spec: {strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}}}",
     "{spec: {strategy: {$retainKeys: [type], type: Recreate}}}",
     "{spec: {strategy: {type: Recreate}}}"},
    {"volumes merge by name with retainKeys", kPod, "{spec: {volumes: [{name: v, emptyDir: {}}]}}",
     "{spec: {volumes: [{name: v, $retainKeys: [configMap, name], configMap: {name: cm}}]}}",
     "{spec: {volumes: [{name: v, configMap: {name: cm}}]}}"},
    {"ownerReferences merge by uid", kPod, "{metadata: {ownerReferences: [{uid: u1, name: a}]}}",
     "{metadata: {ownerReferences: [{uid: u2, name: b}]}}",
     "{metadata: {ownerReferences: [{uid: u2, name: b}, {uid: u1, name: a}]}}"},
    {"service ports merge by port",
     {"", "v1", "Service"},
     "{spec: {ports: [{port: 80, targetPort: 8080}, {port: 443}]}}",
     "{spec: {ports: [{port: 80, targetPort: 9090}]}}",
     "{spec: {ports: [{port: 80, targetPort: 9090}, {port: 443}]}}"},
    {"replace strategy: PDB selector is replaced whole",
     {"policy", "v1", "PodDisruptionBudget"},
     "{spec: {selector: {matchLabels: {a: '1'}}}}",
     "{spec: {selector: {matchLabels: {b: '2'}}}}",
     "{spec: {selector: {matchLabels: {b: '2'}}}}"},
    {"nulls inside a value taken whole are dropped", kPod, "{metadata: {name: x}}",
     "{metadata: {labels: {a: '1', b: null}}}", "{metadata: {name: x, labels: {a: '1'}}}"},
};

TEST(StrategicMergePatch, AppliesDirectives) {
  for (const auto& c : kApply) {
    SCOPED_TRACE(c.description);
    auto out = StrategicMergePatch(Y(c.original), Y(c.patch), c.gvk);
    ASSERT_TRUE(out.has_value()) << out.error().message;
    EXPECT_EQ(*out, Y(c.result)) << out->dump();
  }
}

TEST(StrategicMergePatch, RejectsMalformedDirectives) {
  struct Case {
    const char* patch;
    const char* message;
  } cases[] = {
      {"{spec: {containers: [{image: x}]}}",
       R"(map: {"image":"x"} does not contain declared merge key: name)"},
      {"{metadata: {labels: {$patch: frobnicate}}}",
       R"(unknown patch type: frobnicate in map: {"$patch":"frobnicate"})"},
      {"{spec: {containers: [{name: a, $patch: merge}]}}",
       "merging lists cannot yet be specified in the patch"},
      {"{spec: {$retainKeys: [nodeName], hostname: h}}", "invalid patch format of retainKeys"},
  };
  Json pod = Y("{spec: {containers: [{name: a}], nodeName: n}, metadata: {labels: {a: b}}}");
  for (const auto& c : cases) {
    auto out = StrategicMergePatch(pod, Y(c.patch), kPod);
    ASSERT_FALSE(out.has_value()) << c.patch;
    EXPECT_EQ(out.error().message, c.message);
    EXPECT_EQ(out.error().reason, Reason::kBadRequest);
  }
}

TEST(StrategicMergePatch, CustomKindsAreUnsupportedMediaType) {
  auto out = StrategicMergePatch(Y("{spec: {a: 1}}"), Y("{spec: {a: 2}}"),
                                 {"example.com", "v1", "Widget"});
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().reason, Reason::kUnsupportedMediaType);
  EXPECT_EQ(out.error().HttpCode(), 415);
  EXPECT_FALSE(SupportsStrategicMerge({"example.com", "v1", "Widget"}));
  EXPECT_TRUE(SupportsStrategicMerge(kDeploy));
}

// What kubectl apply does for a Deployment: fields dropped from the manifest are deleted, fields
// set by defaulting or controllers are kept, changed list elements are patched by key.
TEST(StrategicMergePatch, ThreeWayKeepsDefaultsAndDeletesDroppedFields) {
  Json original = Y(R"(
metadata: {name: web, labels: {app: web, tier: fe}}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        image: nginx:1
        env: [{name: A, value: '1'}, {name: B, value: '2'}]
)");
  Json modified = Y(R"(
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx:2
        env: [{name: A, value: '1'}]
)");
  Json current = Y(R"(
metadata: {name: web, labels: {app: web, tier: fe}, uid: u1, resourceVersion: '7'}
spec:
  replicas: 2
  revisionHistoryLimit: 10
  template:
    spec:
      restartPolicy: Always
      containers:
      - name: web
        image: nginx:1
        imagePullPolicy: IfNotPresent
        env: [{name: A, value: '1'}, {name: B, value: '2'}]
status: {replicas: 2}
)");
  auto patch = CreateThreeWayMergePatch(original, modified, current, kDeploy);
  ASSERT_TRUE(patch.has_value()) << patch.error().message;
  EXPECT_EQ(*patch, Y(R"(
metadata: {labels: {tier: null}}
spec:
  replicas: 3
  template:
    spec:
      $setElementOrder/containers: [{name: web}]
      containers:
      - name: web
        image: nginx:2
        $setElementOrder/env: [{name: A}]
        env: [{name: B, $patch: delete}]
)")) << patch->dump();
  auto result = StrategicMergePatch(current, *patch, kDeploy);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(*result, Y(R"(
metadata: {name: web, labels: {app: web}, uid: u1, resourceVersion: '7'}
spec:
  replicas: 3
  revisionHistoryLimit: 10
  template:
    spec:
      restartPolicy: Always
      containers:
      - name: web
        image: nginx:2
        imagePullPolicy: IfNotPresent
        env: [{name: A, value: '1'}]
status: {replicas: 2}
)")) << result->dump();
  // Nothing to do when desired state is already live.
  auto none = CreateThreeWayMergePatch(modified, modified, *result, kDeploy);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(*none, Json::object());
}

TEST(StrategicMergePatch, ThreeWayForCustomKindsIsAMergePatch) {
  GroupVersionKind widget{"example.com", "v1", "Widget"};
  Json original = Y("{spec: {a: 1, list: [1, 2], gone: x}}");
  Json modified = Y("{spec: {a: 2, list: [3]}}");
  Json current = Y("{spec: {a: 1, list: [1, 2], gone: x, server: y}}");
  auto patch = CreateThreeWayMergePatch(original, modified, current, widget);
  ASSERT_TRUE(patch.has_value());
  EXPECT_EQ(*patch, Y("{spec: {a: 2, list: [3], gone: null}}"));
  EXPECT_EQ(JsonMergePatch(current, *patch), Y("{spec: {a: 2, list: [3], server: y}}"));
}

TEST(Patch, ApplyPatchDispatchesOnType) {
  Json cm = Y("{data: {a: '1'}}");
  GroupVersionKind cm_gvk{"", "v1", "ConfigMap"};
  EXPECT_EQ(*ApplyPatch(PatchType::kMerge, cm, Y("{data: {b: '2'}}"), cm_gvk),
            Y("{data: {a: '1', b: '2'}}"));
  EXPECT_EQ(*ApplyPatch(PatchType::kStrategicMerge, cm, Y("{data: {a: null}}"), cm_gvk),
            Y("{data: {}}"));
  EXPECT_EQ(*ApplyPatch(PatchType::kJsonPatch, cm,
                        J(R"([{"op":"add","path":"/data/c","value":"3"}])"), cm_gvk),
            Y("{data: {a: '1', c: '3'}}"));
}

}  // namespace
}  // namespace keelson::api
