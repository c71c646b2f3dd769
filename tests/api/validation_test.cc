// Tests for Validate and UnknownFields (api/validation.h): Kubernetes' exact messages and paths.
#include <gtest/gtest.h>

#include "api/validation.h"

namespace keelson::api {
namespace {

std::vector<std::string> Messages(const Object& obj, const Object* old = nullptr) {
  std::vector<std::string> out;
  for (const auto& c : Validate(obj, old)) out.push_back(c.message);
  return out;
}

Object Parse(const char* json) { return Object(Json::parse(json)); }

Object ValidPod() {
  Object pod =
      Parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default",
    "labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1",
    "ports":[{"containerPort":80,"name":"http"}]}]}})");
  ApplyDefaults(pod);
  return pod;
}

Object ValidDeployment() {
  Object d = Parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
    "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"web","image":"nginx:1"}]}}}})");
  ApplyDefaults(d);
  return d;
}

const char* kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

TEST(Validation, NameRules) {
  EXPECT_TRUE(ValidateDns1123Subdomain("my.app-1").empty());
  EXPECT_EQ(ValidateDns1123Subdomain("My_App"), std::vector<std::string>{kSubdomainMsg});
  EXPECT_EQ(ValidateDns1123Label("a.b"), std::vector<std::string>{kLabelMsg});
  EXPECT_EQ(ValidateDns1123Label(std::string(64, 'a')),
            std::vector<std::string>{"must be no more than 63 characters"});
}

TEST(Validation, HugeInputsAreCheckedInLinearTime) {
  Object cm = Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}})");
  const std::string key(2 << 20, 'k');
  cm.json()["data"][key] = "v";
  cm.set_label(std::string(1 << 20, 'a'), "b");
  auto causes = Validate(cm);
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(causes[0].field, "metadata.labels");
  EXPECT_EQ(causes[1].field, "data[" + key + "]");
  EXPECT_NE(causes[1].message.find("must be no more than 253 characters"), std::string::npos);
}

TEST(Validation, ValidObjectsHaveNoErrors) {
  EXPECT_EQ(Messages(ValidPod()), std::vector<std::string>{});
  EXPECT_EQ(Messages(ValidDeployment()), std::vector<std::string>{});
}

TEST(Validation, Metadata) {
  Object pod = ValidPod();
  pod.set_name("Web_1");
  pod.set_label("bad key!", "ok");
  pod.set_label("ok", "-bad");
  auto msgs = Messages(pod);
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(msgs[0], std::string("metadata.name: Invalid value: \"Web_1\": ") + kSubdomainMsg);
  EXPECT_EQ(msgs[1],
            "metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric "
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
            "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
            "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  EXPECT_EQ(msgs[2],
            "metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or "
            "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
            "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");

  Object unnamed = Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{}})");
  EXPECT_EQ(
      Messages(unnamed),
      std::vector<std::string>{"metadata.name: Required value: name or generateName is required"});
  Object svc = Parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"1web"},
    "spec":{"ports":[{"port":80}]}})");
  EXPECT_EQ(Messages(svc)[0],
            "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case "
            "alphanumeric characters or '-', start with an alphabetic character, and end with an "
            "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
            "'[a-z]([-a-z0-9]*[a-z0-9])?')");
  Object ns = Parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n","namespace":"x"}})");
  EXPECT_EQ(Messages(ns),
            std::vector<std::string>{"metadata.namespace: Forbidden: not allowed on this type"});
}

TEST(Validation, PodSpec) {
  Object pod = Parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{
    "restartPolicy":"Sometimes",
    "containers":[{"name":"web","ports":[{"containerPort":70000,"protocol":"HTTP"}]},
                  {"name":"web","image":"x","imagePullPolicy":"Maybe",
                   "volumeMounts":[{"name":"data","mountPath":"/d"}],
                   "resources":{"requests":{"cpu":"2"},"limits":{"cpu":"1","memory":"lots"}},
                   "livenessProbe":{"periodSeconds":-1,"successThreshold":2}}],
    "volumes":[{"name":"cfg","configMap":{}},{"name":"cfg","emptyDir":{},"secret":{"secretName":"s"}}]}})");
  auto msgs = Messages(pod);
  std::vector<std::string> want = {
      "spec.volumes[0].configMap.name: Required value",
      "spec.volumes[1].name: Duplicate value: \"cfg\"",
      "spec.volumes[1].secret: Forbidden: may not specify more than 1 volume type",
      "spec.containers[0].image: Required value",
      "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and "
      "65535, inclusive",
      "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: "
      "\"SCTP\", \"TCP\", \"UDP\"",
      "spec.containers[1].imagePullPolicy: Unsupported value: \"Maybe\": supported values: "
      "\"Always\", \"IfNotPresent\", \"Never\"",
      "spec.containers[1].volumeMounts[0].name: Not found: \"data\"",
      "spec.containers[1].resources.limits[memory]: Invalid value: \"lots\": quantities must "
      "match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      "spec.containers[1].resources.requests[cpu]: Invalid value: \"2\": must be less than or "
      "equal to cpu limit of 1",
      "spec.containers[1].livenessProbe: Required value: must specify a handler type",
      "spec.containers[1].livenessProbe.periodSeconds: Invalid value: -1: must be greater than "
      "or equal to 0",
      "spec.containers[1].livenessProbe.successThreshold: Invalid value: 2: must be 1",
      "spec.containers[1].name: Duplicate value: \"web\"",
      "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
      "\"OnFailure\", \"Never\"",
  };
  EXPECT_EQ(msgs, want);
  Object empty = Parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}})");
  EXPECT_EQ(Messages(empty), std::vector<std::string>{"spec.containers: Required value"});
  // Causes carry the Kubernetes cause type and the field path.
  auto causes = Validate(empty);
  EXPECT_EQ(causes[0].type, "FieldValueRequired");
  EXPECT_EQ(causes[0].field, "spec.containers");
}

TEST(Validation, PodUpdatesMayOnlyChangeImages) {
  Object old = ValidPod();
  Object image = old;
  image.json()["spec"]["containers"][0]["image"] = "nginx:2";
  EXPECT_EQ(Messages(image, &old), std::vector<std::string>{});
  Object bound = old;
  bound.json()["spec"]["nodeName"] = "node-1";
  EXPECT_EQ(Messages(bound, &old), std::vector<std::string>{});
  Object changed = old;
  changed.json()["spec"]["restartPolicy"] = "Never";
  auto msgs = Messages(changed, &old);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].rfind("spec: Forbidden: pod updates may not change fields other than "
                          "`spec.containers[*].image`",
                          0),
            0u);
}

TEST(Validation, DeploymentSelectorAndStrategy) {
  Object d = ValidDeployment();
  d.json()["spec"]["template"]["metadata"]["labels"] = {{"app", "other"}};
  d.json()["spec"]["replicas"] = -1;
  d.json()["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure";
  d.json()["spec"]["strategy"]["rollingUpdate"] = {{"maxSurge", 0}, {"maxUnavailable", "0%"}};
  auto msgs = Messages(d);
  std::vector<std::string> want = {
      "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
      "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: "
      "`selector` does not match template `labels`",
      "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: "
      "\"Always\"",
      "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when "
      "`maxSurge` is 0",
  };
  EXPECT_EQ(msgs, want);
  Object no_sel = ValidDeployment();
  no_sel.json()["spec"]["selector"] = Json::object();
  EXPECT_EQ(Messages(no_sel)[0],
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for "
            "deployment");
  Object old = ValidDeployment();
  Object moved = ValidDeployment();
  moved.json()["spec"]["selector"]["matchLabels"]["tier"] = "fe";
  moved.json()["spec"]["template"]["metadata"]["labels"]["tier"] = "fe";
  EXPECT_EQ(Messages(moved, &old),
            std::vector<std::string>{
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"
                "\"app\":\"web\", \"tier\":\"fe\"}, MatchExpressions:[]v1.LabelSelectorRequirement("
                "nil)}: field is immutable"});
}

TEST(Validation, JobsAndCronJobs) {
  Object job = Parse(R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},
    "spec":{"template":{"spec":{"containers":[{"name":"c","image":"b"}]}}}})");
  ApplyDefaults(job);
  EXPECT_EQ(Messages(job),
            std::vector<std::string>{"spec.template.spec.restartPolicy: Unsupported value: "
                                     "\"Always\": supported values: \"OnFailure\", \"Never\""});
  Object cj = Parse(R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},
    "spec":{"schedule":"every minute","jobTemplate":{"spec":{"template":{"spec":{
      "restartPolicy":"Never","containers":[{"name":"c","image":"b"}]}}}}}})");
  EXPECT_EQ(Messages(cj), std::vector<std::string>{
                              "spec.schedule: Invalid value: \"every minute\": expected exactly 5 "
                              "fields, found 2: [every minute]"});
}

TEST(Validation, ServiceConfigMapSecret) {
  Object svc = Parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
    "spec":{"ports":[{"port":80},{"port":0,"name":"x","targetPort":70000}]}})");
  EXPECT_EQ(Messages(svc),
            (std::vector<std::string>{
                "spec.ports[0].name: Required value",
                "spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                "spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, "
                "inclusive"}));
  Object noports =
      Parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{}})");
  EXPECT_EQ(Messages(noports), std::vector<std::string>{"spec.ports: Required value"});
  Object old_svc = Parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
    "spec":{"clusterIP":"10.96.0.10","ports":[{"port":80}]}})");
  Object new_svc = old_svc;
  new_svc.json()["spec"]["clusterIP"] = "10.96.0.11";
  EXPECT_EQ(Messages(new_svc, &old_svc),
            std::vector<std::string>{
                "spec.clusterIP: Invalid value: \"10.96.0.11\": field is immutable"});

  Object cm = Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},
    "data":{"bad key":"v","ok":"v"},"binaryData":{"ok":"dg=="}})");
  EXPECT_EQ(Messages(cm),
            (std::vector<std::string>{
                "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of "
                "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                "data[ok]: Invalid value: \"ok\": duplicate of key present in binaryData"}));
  Object frozen = Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},
    "immutable":true,"data":{"a":"1"}})");
  Object thawed = frozen;
  thawed.json()["data"]["a"] = "2";
  EXPECT_EQ(
      Messages(thawed, &frozen),
      std::vector<std::string>{"data: Forbidden: field is immutable when `immutable` is set"});

  Object tls = Parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"t"},
    "type":"kubernetes.io/tls","data":{"tls.crt":"Y3J0"}})");
  EXPECT_EQ(Messages(tls), std::vector<std::string>{"data[tls.key]: Required value"});
  Object retyped = tls;
  retyped.json()["type"] = "Opaque";
  EXPECT_EQ(Messages(retyped, &tls),
            std::vector<std::string>{"type: Invalid value: \"Opaque\": field is immutable"});
}

TEST(Validation, Rbac) {
  Object role = Parse(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role",
    "metadata":{"name":"r"},"rules":[{"resources":["pods"]}]})");
  EXPECT_EQ(Messages(role),
            (std::vector<std::string>{
                "rules[0].verbs: Required value: verbs must contain at least one value",
                "rules[0].apiGroups: Required value: resource rules must supply at least one api "
                "group"}));
  Object rb = Parse(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding",
    "metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r"},
    "subjects":[{"kind":"ServiceAccount","name":"sa"},{"kind":"Robot","name":"x"}]})");
  EXPECT_EQ(Messages(rb),
            (std::vector<std::string>{
                "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
                "subjects[0].namespace: Required value",
                "subjects[1].kind: Unsupported value: \"Robot\": supported values: "
                "\"ServiceAccount\", \"User\", \"Group\""}));
  Object old = Parse(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding",
    "metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole",
    "name":"view"}})");
  Object changed = old;
  changed.json()["roleRef"]["name"] = "edit";
  EXPECT_EQ(Messages(changed, &old),
            std::vector<std::string>{
                "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", "
                "Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef"});
}

TEST(Validation, Application) {
  Object app = Parse(R"({"apiVersion":"keelson.dev/v1","kind":"Application","metadata":{"name":"a"},
    "spec":{"source":{"path":"k8s"},"destination":{"namespace":"Shop"}}})");
  EXPECT_EQ(Messages(app),
            (std::vector<std::string>{
                "spec.source.repoURL: Required value",
                std::string("spec.destination.namespace: Invalid value: \"Shop\": ") + kLabelMsg}));
}

TEST(UnknownFields, ReportsPathsLikeStrictDecoding) {
  Object d = Parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d",
    "labels":{"any":"thing"},"annotaions":{}},
    "spec":{"replica":3,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
      "spec":{"containers":[{"name":"c","image":"x"},{"name":"d","imagee":"y",
        "resources":{"limits":{"cpu":"1"}},"livenessProbe":{"httpGet":{"port":80,"pth":"/"}}}],
        "volumes":[{"name":"v","configMap":{"name":"c","itemz":[]}}]}}}})");
  EXPECT_EQ(UnknownFields(d),
            (std::vector<std::string>{"metadata.annotaions", "spec.replica",
                                      "spec.template.spec.containers[1].imagee",
                                      "spec.template.spec.containers[1].livenessProbe.httpGet.pth",
                                      "spec.template.spec.volumes[0].configMap.itemz"}));
  // Free-form parts and unknown kinds accept anything.
  Object cm = Parse(R"({"apiVersion":"v1","kind":"ConfigMap","data":{"anything":"goes"}})");
  EXPECT_TRUE(UnknownFields(cm).empty());
  Object app = Parse(R"({"apiVersion":"keelson.dev/v1","kind":"Application",
    "spec":{"source":{"helm":{"values":{"free":{"form":1}}}},"sync":{}}})");
  EXPECT_EQ(UnknownFields(app), std::vector<std::string>{"spec.sync"});
  Object custom = Parse(R"({"apiVersion":"example.com/v1","kind":"Widget","spec":{"x":1}})");
  EXPECT_TRUE(UnknownFields(custom).empty());
}

}  // namespace
}  // namespace keelson::api
