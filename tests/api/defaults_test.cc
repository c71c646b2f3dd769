// Tests for ApplyDefaults (api/validation.h): the values Kubernetes' API server fills in.
#include <gtest/gtest.h>

#include "api/validation.h"

namespace keelson::api {
namespace {

Object Defaulted(const char* json) {
  Object o(Json::parse(json));
  ApplyDefaults(o);
  return o;
}

TEST(Defaults, PodSpecAndContainers) {
  Object pod = Defaulted(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[
      {"name":"a","image":"nginx","ports":[{"containerPort":80}],
       "resources":{"limits":{"cpu":"500m"}},
       "livenessProbe":{"httpGet":{"port":80}},
       "env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]},
      {"name":"b","image":"nginx:1.25"},
      {"name":"c","image":"registry:5000/app:latest"},
      {"name":"d","image":"registry:5000/app"},
      {"name":"e","image":"app@sha256:abc"}],
     "volumes":[{"name":"v1"},{"name":"v2","configMap":{"name":"cm"}},
                {"name":"v3","secret":{"secretName":"s"}},{"name":"v4","hostPath":{"path":"/x"}}]}})");
  const Json& spec = pod.spec();
  EXPECT_EQ(spec["restartPolicy"], "Always");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"], 30);
  EXPECT_EQ(spec["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(spec["schedulerName"], "default-scheduler");
  EXPECT_EQ(spec["securityContext"], Json::object());
  EXPECT_EQ(spec["enableServiceLinks"], true);
  EXPECT_EQ(spec["serviceAccountName"], "default");
  EXPECT_EQ(pod.status()["phase"], "Pending");
  const Json& a = spec["containers"][0];
  EXPECT_EQ(a["imagePullPolicy"], "Always");
  EXPECT_EQ(a["terminationMessagePath"], "/dev/termination-log");
  EXPECT_EQ(a["terminationMessagePolicy"], "File");
  EXPECT_EQ(a["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(a["resources"]["requests"]["cpu"], "500m");
  EXPECT_EQ(a["livenessProbe"], Json::parse(R"({"httpGet":{"port":80,"path":"/","scheme":"HTTP"},
    "timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3})"));
  EXPECT_EQ(a["env"][0]["valueFrom"]["fieldRef"]["apiVersion"], "v1");
  EXPECT_EQ(spec["containers"][1]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(spec["containers"][2]["imagePullPolicy"], "Always");
  EXPECT_EQ(spec["containers"][3]["imagePullPolicy"], "Always");
  EXPECT_EQ(spec["containers"][4]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(spec["volumes"][0]["emptyDir"], Json::object());
  EXPECT_EQ(spec["volumes"][1]["configMap"]["defaultMode"], 420);
  EXPECT_EQ(spec["volumes"][2]["secret"]["defaultMode"], 420);
  EXPECT_EQ(spec["volumes"][3]["hostPath"]["type"], "");
}

TEST(Defaults, KeepsWhatTheUserSet) {
  Object pod = Defaulted(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x:latest",
      "imagePullPolicy":"Never","readinessProbe":{"exec":{"command":["true"]},"periodSeconds":2}}]}})");
  EXPECT_EQ(pod.spec()["restartPolicy"], "Never");
  EXPECT_EQ(pod.spec()["containers"][0]["imagePullPolicy"], "Never");
  EXPECT_EQ(pod.spec()["containers"][0]["readinessProbe"]["periodSeconds"], 2);
}

TEST(Defaults, Deployment) {
  Object d = Defaulted(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
    "spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
      "spec":{"containers":[{"name":"c","image":"nginx:1"}]}}}})");
  const Json& spec = d.spec();
  EXPECT_EQ(spec["replicas"], 1);
  EXPECT_EQ(
      spec["strategy"],
      Json::parse(
          R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}})"));
  EXPECT_EQ(spec["revisionHistoryLimit"], 10);
  EXPECT_EQ(spec["progressDeadlineSeconds"], 600);
  EXPECT_EQ(spec["template"]["spec"]["restartPolicy"], "Always");
  EXPECT_EQ(spec["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
  // Pod-only defaults do not apply to templates.
  EXPECT_FALSE(spec["template"]["spec"].contains("enableServiceLinks"));
  Object recreate = Defaulted(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "spec":{"strategy":{"type":"Recreate"}}})");
  EXPECT_FALSE(recreate.spec()["strategy"].contains("rollingUpdate"));
}

TEST(Defaults, OtherWorkloads) {
  Object sts = Defaulted(R"({"apiVersion":"apps/v1","kind":"StatefulSet","spec":{}})");
  EXPECT_EQ(sts.spec()["podManagementPolicy"], "OrderedReady");
  EXPECT_EQ(sts.spec()["updateStrategy"],
            Json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"partition":0}})"));
  EXPECT_EQ(sts.spec()["replicas"], 1);
  Object ds = Defaulted(R"({"apiVersion":"apps/v1","kind":"DaemonSet","spec":{}})");
  EXPECT_EQ(
      ds.spec()["updateStrategy"],
      Json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}})"));
  Object rs = Defaulted(R"({"apiVersion":"apps/v1","kind":"ReplicaSet","spec":{}})");
  EXPECT_EQ(rs.spec()["replicas"], 1);
  Object job = Defaulted(R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},
    "spec":{"template":{"metadata":{"labels":{"x":"y"}},"spec":{"restartPolicy":"Never",
      "containers":[{"name":"c","image":"busybox"}]}}}})");
  EXPECT_EQ(job.spec()["completions"], 1);
  EXPECT_EQ(job.spec()["parallelism"], 1);
  EXPECT_EQ(job.spec()["backoffLimit"], 6);
  EXPECT_EQ(job.spec()["completionMode"], "NonIndexed");
  EXPECT_EQ(job.spec()["suspend"], false);
  EXPECT_EQ(job.spec()["podReplacementPolicy"], "TerminatingOrFailed");
  EXPECT_EQ(job.label("x"), "y");
  Object parallel = Defaulted(R"({"apiVersion":"batch/v1","kind":"Job","spec":{"parallelism":3}})");
  EXPECT_FALSE(parallel.spec().contains("completions"));
  Object cj = Defaulted(R"({"apiVersion":"batch/v1","kind":"CronJob","spec":{"schedule":"* * * * *",
    "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"b"}]}}}}}})");
  EXPECT_EQ(cj.spec()["concurrencyPolicy"], "Allow");
  EXPECT_EQ(cj.spec()["successfulJobsHistoryLimit"], 3);
  EXPECT_EQ(cj.spec()["failedJobsHistoryLimit"], 1);
  EXPECT_EQ(cj.spec()["suspend"], false);
  EXPECT_FALSE(cj.spec()["jobTemplate"]["spec"].contains("backoffLimit"));
  EXPECT_EQ(cj.spec()["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");
}

TEST(Defaults, ServiceSecretNamespaceRbac) {
  Object svc = Defaulted(R"({"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":80},
    {"port":443,"targetPort":"https"}]}})");
  EXPECT_EQ(svc.spec()["type"], "ClusterIP");
  EXPECT_EQ(svc.spec()["sessionAffinity"], "None");
  EXPECT_EQ(svc.spec()["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(svc.spec()["ports"][0]["targetPort"], 80);
  EXPECT_EQ(svc.spec()["ports"][1]["targetPort"], "https");
  EXPECT_EQ(svc.spec()["ipFamilyPolicy"], "SingleStack");
  EXPECT_EQ(svc.spec()["ipFamilies"], Json::array({"IPv4"}));
  EXPECT_EQ(svc.spec()["internalTrafficPolicy"], "Cluster");
  Object np = Defaulted(R"({"apiVersion":"v1","kind":"Service","spec":{"type":"NodePort"}})");
  EXPECT_EQ(np.spec()["externalTrafficPolicy"], "Cluster");

  Object secret = Defaulted(R"({"apiVersion":"v1","kind":"Secret","stringData":{"u":"admin"},
    "data":{"p":"cGFzcw=="}})");
  EXPECT_EQ(secret.json()["type"], "Opaque");
  EXPECT_EQ(secret.json()["data"], Json::parse(R"({"p":"cGFzcw==","u":"YWRtaW4="})"));
  EXPECT_FALSE(secret.json().contains("stringData"));

  Object ns = Defaulted(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}})");
  EXPECT_EQ(ns.spec()["finalizers"], Json::array({"kubernetes"}));
  EXPECT_EQ(ns.status()["phase"], "Active");

  Object rb = Defaulted(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding",
    "roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"u"},
    {"kind":"ServiceAccount","name":"s","namespace":"n"}]})");
  EXPECT_EQ(rb.json()["roleRef"]["apiGroup"], "rbac.authorization.k8s.io");
  EXPECT_EQ(rb.json()["subjects"][0]["apiGroup"], "rbac.authorization.k8s.io");
  EXPECT_EQ(rb.json()["subjects"][1]["apiGroup"], "");
}

TEST(Defaults, UnknownKindsAreLeftAlone) {
  Json in = Json::parse(R"({"apiVersion":"example.com/v1","kind":"Pod","spec":{}})");
  Object o(in);
  ApplyDefaults(o);
  EXPECT_EQ(o.json(), in);
}

}  // namespace
}  // namespace keelson::api
