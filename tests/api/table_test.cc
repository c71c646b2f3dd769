// Tests for api/table.h: columns and cells per kind as a Kubernetes 1.32 API server prints them.
#include "api/table.h"

#include <gtest/gtest.h>

namespace keelson::api {
namespace {

// 2024-01-10T00:00:00Z.
constexpr int64_t kNow = 1704844800;

Object J(std::string_view text) { return Object(Json::parse(text)); }

std::vector<std::string> Names(const Json& table) {
  std::vector<std::string> out;
  for (const auto& c : table["columnDefinitions"]) out.push_back(c["name"].get<std::string>());
  return out;
}

Json Row(const GroupVersionKind& gvk, const Object& obj, bool wide = true) {
  TableOptions opts;
  opts.now = kNow;
  opts.wide = wide;
  auto t = BuildTable(gvk, {obj}, opts);
  EXPECT_TRUE(t) << t.error().message;
  return (*t)["rows"][0];
}

const GroupVersionKind kPod{"", "v1", "Pod"};

TEST(HumanDuration, MatchesApimachinery) {
  struct Case {
    int64_t seconds;
    const char* want;
  } cases[] = {
      {-5, "<invalid>"},
      {-1, "0s"},
      {0, "0s"},
      {5, "5s"},
      {119, "119s"},
      {120, "2m"},
      {200, "3m20s"},
      {599, "9m59s"},
      {600, "10m"},
      {3 * 3600 - 1, "179m"},
      {3 * 3600, "3h"},
      {5 * 3600 + 60, "5h1m"},
      {8 * 3600, "8h"},
      {47 * 3600, "47h"},
      {48 * 3600, "2d"},
      {74 * 3600, "3d2h"},
      {8 * 86400, "8d"},
      {400 * 86400, "400d"},
      {730 * 86400, "2y"},
      {800 * 86400, "2y70d"},
      {9 * 365 * 86400, "9y"},
  };
  for (const auto& c : cases) EXPECT_EQ(HumanDuration(c.seconds), c.want) << c.seconds;
}

TEST(TimestampSince, UnknownWhenMissingOrBad) {
  EXPECT_EQ(TimestampSince("", kNow), "<unknown>");
  EXPECT_EQ(TimestampSince("garbage", kNow), "<unknown>");
  EXPECT_EQ(TimestampSince("2024-01-09T23:59:55Z", kNow), "5s");
}

TEST(Table, ShapeIsMetaV1TableWithPartialMetadataObjects) {
  TableOptions opts;
  opts.now = kNow;
  opts.resource_version = "42";
  auto t = BuildTable({"", "v1", "ConfigMap"},
                      {J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a",
                            "namespace":"default","creationTimestamp":"2024-01-09T23:50:00Z"},
                            "data":{"x":"1","y":"2"},"binaryData":{"z":"AA=="}})")},
                      opts);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ((*t)["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ((*t)["kind"], "Table");
  EXPECT_EQ((*t)["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(Names(*t), (std::vector<std::string>{"Name", "Data", "Age"}));
  EXPECT_EQ((*t)["columnDefinitions"][0]["format"], "name");
  const Json& row = (*t)["rows"][0];
  EXPECT_EQ(row["cells"], Json::parse(R"(["a", 3, "10m"])"));
  EXPECT_EQ(row["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(row["object"]["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(row["object"]["metadata"]["namespace"], "default");
  EXPECT_FALSE(row["object"].contains("data"));
}

TEST(Table, IncludeObjectNoneAndObject) {
  Object cm = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}})");
  TableOptions opts;
  opts.include_object = IncludeObject::kNone;
  auto t = BuildTable({"", "v1", "ConfigMap"}, {cm}, opts);
  ASSERT_TRUE(t);
  EXPECT_FALSE((*t)["rows"][0].contains("object"));
  opts.include_object = IncludeObject::kObject;
  t = BuildTable({"", "v1", "ConfigMap"}, {cm}, opts);
  ASSERT_TRUE(t);
  EXPECT_EQ((*t)["rows"][0]["object"], cm.json());
  EXPECT_EQ(ParseIncludeObject("Object"), IncludeObject::kObject);
  EXPECT_FALSE(ParseIncludeObject("Everything"));
}

TEST(Table, NarrowDropsPriorityOneColumnsAndCells) {
  Object pod = J(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
                     "status":{"phase":"Pending"}})");
  TableOptions opts;
  opts.now = kNow;
  opts.wide = false;
  auto t = BuildTable(kPod, {pod}, opts);
  ASSERT_TRUE(t);
  EXPECT_EQ(Names(*t), (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age"}));
  EXPECT_EQ((*t)["rows"][0]["cells"].size(), 5u);
}

TEST(PodTable, ColumnsMatchKubernetes) {
  auto cols = TableColumns(kPod);
  std::vector<std::string> names;
  std::vector<int> prio;
  for (const auto& c : cols) {
    names.push_back(c.name);
    prio.push_back(c.priority);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age", "IP",
                                             "Node", "Nominated Node", "Readiness Gates"}));
  EXPECT_EQ(prio, (std::vector<int>{0, 0, 0, 0, 0, 1, 1, 1, 1}));
}

TEST(PodTable, RunningPodWithRestartsAndWideCells) {
  Json row = Row(kPod, J(R"({"metadata":{"name":"web-1","creationTimestamp":"2024-01-09T00:00:00Z"},
    "spec":{"nodeName":"n1","containers":[{"name":"a"},{"name":"b"}],
            "readinessGates":[{"conditionType":"x/ok"}]},
    "status":{"phase":"Running","podIPs":[{"ip":"10.0.0.5"}],
      "conditions":[{"type":"Ready","status":"True"},{"type":"x/ok","status":"True"}],
      "containerStatuses":[
        {"name":"a","ready":true,"restartCount":3,"state":{"running":{}},
         "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-01-09T23:55:00Z"}}},
        {"name":"b","ready":true,"restartCount":0,"state":{"running":{}}}]}})"));
  EXPECT_EQ(row["cells"], Json::parse(R"j(["web-1","2/2","Running","3 (5m ago)","24h",
                                          "10.0.0.5","n1","<none>","1/1"])j"));
  EXPECT_FALSE(row.contains("conditions"));
}

struct PodStatusCase {
  const char* name;
  const char* pod;
  const char* ready;
  const char* status;
};

class PodStatusTest : public testing::TestWithParam<PodStatusCase> {};

TEST_P(PodStatusTest, StatusColumnLikeKubectl) {
  Json row = Row(kPod, J(GetParam().pod));
  EXPECT_EQ(row["cells"][1], GetParam().ready);
  EXPECT_EQ(row["cells"][2], GetParam().status);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PodStatusTest,
    testing::Values(
        PodStatusCase{"Pending", R"({"spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Pending"}})",
                      "0/1", "Pending"},
        PodStatusCase{"ContainerCreating", R"({"spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Pending","containerStatuses":[{"name":"a",
              "state":{"waiting":{"reason":"ContainerCreating"}}}]}})",
                      "0/1", "ContainerCreating"},
        PodStatusCase{"CrashLoopBackOff", R"({"spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Running","containerStatuses":[{"name":"a","restartCount":4,
              "state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})",
                      "0/1", "CrashLoopBackOff"},
        PodStatusCase{"Completed", R"({"spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Succeeded","containerStatuses":[{"name":"a",
              "state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})",
                      "0/1", "Completed"},
        PodStatusCase{"ExitCode", R"({"spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Failed","containerStatuses":[{"name":"a",
              "state":{"terminated":{"exitCode":3}}}]}})",
                      "0/1", "ExitCode:3"},
        PodStatusCase{"Signal", R"({"spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Failed","containerStatuses":[{"name":"a",
              "state":{"terminated":{"exitCode":137,"signal":9}}}]}})",
                      "0/1", "Signal:9"},
        PodStatusCase{"InitRunning", R"({"spec":{"initContainers":[{"name":"i"}],
              "containers":[{"name":"a"}]},
            "status":{"phase":"Pending","initContainerStatuses":[{"name":"i",
              "state":{"running":{}}}],"containerStatuses":[{"name":"a",
              "state":{"waiting":{"reason":"PodInitializing"}}}]}})",
                      "0/1", "Init:0/1"},
        PodStatusCase{"InitSecondOfTwo", R"({"spec":{"initContainers":[{"name":"i"},{"name":"j"}],
              "containers":[{"name":"a"}]},
            "status":{"phase":"Pending","initContainerStatuses":[
              {"name":"i","state":{"terminated":{"exitCode":0}}},
              {"name":"j","state":{"running":{}}}]}})",
                      "0/1", "Init:1/2"},
        PodStatusCase{"InitCrashLoop", R"({"spec":{"initContainers":[{"name":"i"}],
              "containers":[{"name":"a"}]},
            "status":{"phase":"Pending","initContainerStatuses":[{"name":"i",
              "state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})",
                      "0/1", "Init:CrashLoopBackOff"},
        PodStatusCase{"InitFailedExitCode", R"({"spec":{"initContainers":[{"name":"i"}],
              "containers":[{"name":"a"}]},
            "status":{"phase":"Pending","initContainerStatuses":[{"name":"i",
              "state":{"terminated":{"exitCode":2}}}]}})",
                      "0/1", "Init:ExitCode:2"},
        PodStatusCase{"SidecarCountsAsContainer", R"({"spec":{"initContainers":[{"name":"s",
              "restartPolicy":"Always"}],"containers":[{"name":"a"}]},
            "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],
              "initContainerStatuses":[{"name":"s","started":true,"ready":true,
                "state":{"running":{}}}],
              "containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}}]}})",
                      "2/2", "Running"},
        PodStatusCase{"Terminating", R"({"metadata":{"deletionTimestamp":"2024-01-09T23:00:00Z"},
            "spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true,
              "state":{"running":{}}}]}})",
                      "1/1", "Terminating"},
        PodStatusCase{"NodeLostIsUnknown",
                      R"({"metadata":{"deletionTimestamp":"2024-01-09T23:00:00Z"},
            "spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Running","reason":"NodeLost"}})",
                      "0/1", "Unknown"},
        PodStatusCase{"CompletedButOneRunningIsNotReady",
                      R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]},
            "status":{"phase":"Running","containerStatuses":[
              {"name":"a","ready":true,"state":{"running":{}}},
              {"name":"b","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})",
                      "1/2", "NotReady"},
        PodStatusCase{"SchedulingGated", R"({"spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False",
              "reason":"SchedulingGated"}]}})",
                      "0/1", "SchedulingGated"},
        PodStatusCase{"Evicted", R"({"spec":{"containers":[{"name":"a"}]},
            "status":{"phase":"Failed","reason":"Evicted"}})",
                      "0/1", "Evicted"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PodTable, SucceededPodCarriesCompletedCondition) {
  Json row =
      Row(kPod, J(R"({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Succeeded"}})"));
  ASSERT_TRUE(row.contains("conditions"));
  EXPECT_EQ(row["conditions"][0]["type"], "Completed");
  EXPECT_EQ(row["conditions"][0]["reason"], "Succeeded");
}

TEST(DeploymentTable, ReadyUpToDateAvailableAndWide) {
  Json t = *BuildTable({"apps", "v1", "Deployment"}, {}, {});
  EXPECT_EQ(Names(t), (std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available", "Age",
                                                "Containers", "Images", "Selector"}));
  Json row = Row({"apps", "v1", "Deployment"},
                 J(R"({"metadata":{"name":"web","creationTimestamp":"2024-01-09T23:59:00Z"},
    "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"},
      "matchExpressions":[{"key":"tier","operator":"In","values":["b","a"]}]},
      "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"},
                                        {"name":"side","image":"busybox"}]}}},
    "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})"));
  EXPECT_EQ(row["cells"], Json::parse(R"j(["web","2/3",3,2,"60s","nginx,side","nginx:1.25,busybox",
                                          "app=web,tier in (a,b)"])j"));
}

TEST(ReplicaSetAndStatefulSetTables, Cells) {
  Json rs =
      Row({"apps", "v1", "ReplicaSet"}, J(R"({"metadata":{"name":"web-abc"},"spec":{"replicas":2,
    "template":{"spec":{"containers":[{"name":"c","image":"i"}]}}},
    "status":{"replicas":2,"readyReplicas":1}})"));
  EXPECT_EQ(rs["cells"], Json::parse(R"(["web-abc",2,2,1,"<unknown>","c","i",""])"));
  Json ss =
      Row({"apps", "v1", "StatefulSet"},
          J(R"({"metadata":{"name":"db"},"spec":{"replicas":3},"status":{"readyReplicas":3}})"));
  EXPECT_EQ(ss["cells"], Json::parse(R"(["db","3/3","<unknown>","",""])"));
}

TEST(DaemonSetTable, NodeSelectorColumn) {
  Json row = Row({"apps", "v1", "DaemonSet"},
                 J(R"({"metadata":{"name":"agent"},"spec":{"template":{"spec":{
    "nodeSelector":{"zone":"a","disk":"ssd"},"containers":[{"name":"c","image":"i"}]}}},
    "status":{"desiredNumberScheduled":2,"currentNumberScheduled":2,"numberReady":1,
              "updatedNumberScheduled":2,"numberAvailable":1}})"));
  EXPECT_EQ(row["cells"],
            Json::parse(R"(["agent",2,2,1,2,1,"disk=ssd,zone=a","<unknown>","c","i",""])"));
}

TEST(JobTable, StatusCompletionsDuration) {
  GroupVersionKind job{"batch", "v1", "Job"};
  EXPECT_EQ(Names(*BuildTable(job, {}, {})),
            (std::vector<std::string>{"Name", "Status", "Completions", "Duration", "Age",
                                      "Containers", "Images", "Selector"}));
  Json done = Row(job, J(R"({"metadata":{"name":"pi"},"spec":{"completions":1},
    "status":{"succeeded":1,"startTime":"2024-01-09T23:00:00Z",
      "completionTime":"2024-01-09T23:00:42Z","conditions":[{"type":"Complete","status":"True"}]}})"));
  EXPECT_EQ(done["cells"][1], "Complete");
  EXPECT_EQ(done["cells"][2], "1/1");
  EXPECT_EQ(done["cells"][3], "42s");
  Json running = Row(job, J(R"({"metadata":{"name":"w"},"spec":{"parallelism":3},
    "status":{"succeeded":1,"startTime":"2024-01-09T23:57:00Z"}})"));
  EXPECT_EQ(running["cells"][1], "Running");
  EXPECT_EQ(running["cells"][2], "1/1 of 3");
  EXPECT_EQ(running["cells"][3], "3m");
  Json failed = Row(job, J(R"({"metadata":{"name":"f"},"spec":{"completions":2},
    "status":{"conditions":[{"type":"Failed","status":"True"}]}})"));
  EXPECT_EQ(failed["cells"][1], "Failed");
  EXPECT_EQ(failed["cells"][2], "0/2");
  EXPECT_EQ(failed["cells"][3], "");
}

TEST(CronJobTable, Cells) {
  Json row = Row({"batch", "v1", "CronJob"},
                 J(R"({"metadata":{"name":"hello"},"spec":{"schedule":"*/5 * * * *",
    "suspend":false,"jobTemplate":{"spec":{"template":{"spec":{"containers":[
      {"name":"c","image":"busybox"}]}}}}},
    "status":{"active":[{"name":"x"}],"lastScheduleTime":"2024-01-09T23:58:00Z"}})"));
  EXPECT_EQ(row["cells"], Json::parse(R"(["hello","*/5 * * * *","<none>","False",1,"2m",
                                          "<unknown>","c","busybox","<none>"])"));
}

TEST(ServiceTable, TypesAndPorts) {
  GroupVersionKind svc{"", "v1", "Service"};
  EXPECT_EQ(Names(*BuildTable(svc, {}, {})),
            (std::vector<std::string>{"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age",
                                      "Selector"}));
  Json cip = Row(svc, J(R"({"metadata":{"name":"web"},"spec":{"type":"ClusterIP",
    "clusterIP":"10.96.0.10","selector":{"app":"web"},
    "ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}})"));
  EXPECT_EQ(cip["cells"], Json::parse(R"(["web","ClusterIP","10.96.0.10","<none>",
                                          "80/TCP,53/UDP","<unknown>","app=web"])"));
  Json np = Row(svc, J(R"({"metadata":{"name":"np"},"spec":{"type":"NodePort",
    "clusterIP":"10.96.0.11","ports":[{"port":80,"nodePort":30080,"protocol":"TCP"}]}})"));
  EXPECT_EQ(np["cells"][4], "80:30080/TCP");
  EXPECT_EQ(np["cells"][6], "<none>");
  Json lb = Row(svc, J(R"({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer",
    "clusterIP":"10.96.0.12","ports":[]}})"));
  EXPECT_EQ(lb["cells"][3], "<pending>");
  EXPECT_EQ(lb["cells"][4], "<none>");
  Json ext = Row(svc, J(R"({"metadata":{"name":"e"},"spec":{"type":"ExternalName",
    "externalName":"db.example.com"}})"));
  EXPECT_EQ(ext["cells"][2], "<none>");
  EXPECT_EQ(ext["cells"][3], "db.example.com");
}

TEST(EndpointsTable, ListsUpToThreeThenMore) {
  Json row = Row({"", "v1", "Endpoints"}, J(R"({"metadata":{"name":"web"},"subsets":[{
    "addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"},{"ip":"10.0.0.3"},{"ip":"10.0.0.4"}],
    "ports":[{"port":8080}]}]})"));
  EXPECT_EQ(row["cells"][1], "10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more...");
  Json none = Row({"", "v1", "Endpoints"}, J(R"({"metadata":{"name":"x"}})"));
  EXPECT_EQ(none["cells"][1], "<none>");
}

TEST(SimpleTables, ConfigMapSecretNamespaceServiceAccount) {
  EXPECT_EQ(Row({"", "v1", "Secret"},
                J(R"({"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"a":"","b":""}})"))
                ["cells"],
            Json::parse(R"(["s","kubernetes.io/tls",2,"<unknown>"])"));
  EXPECT_EQ(Row({"", "v1", "Namespace"},
                J(R"({"metadata":{"name":"shop"},"status":{"phase":"Terminating"}})"))["cells"],
            Json::parse(R"(["shop","Terminating","<unknown>"])"));
  EXPECT_EQ(Row({"", "v1", "ServiceAccount"}, J(R"({"metadata":{"name":"default"}})"))["cells"],
            Json::parse(R"(["default",0,"<unknown>"])"));
}

TEST(NodeTable, StatusRolesAndWide) {
  Json row = Row({"", "v1", "Node"}, J(R"({"metadata":{"name":"n1","labels":{
      "node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/worker":""}},
    "spec":{"unschedulable":true},
    "status":{"conditions":[{"type":"Ready","status":"True"}],
      "addresses":[{"type":"InternalIP","address":"192.168.1.2"}],
      "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian 12"}}})"));
  EXPECT_EQ(row["cells"], Json::parse(R"(["n1","Ready,SchedulingDisabled","control-plane,worker",
    "<unknown>","v1.32.0","192.168.1.2","<none>","Debian 12","<unknown>","<unknown>"])"));
}

TEST(EventTable, LastSeenTypeReasonObjectMessage) {
  GroupVersionKind ev{"", "v1", "Event"};
  TableOptions narrow;
  narrow.wide = false;
  EXPECT_EQ(Names(*BuildTable(ev, {}, narrow)),
            (std::vector<std::string>{"Last Seen", "Type", "Reason", "Object", "Message"}));
  Json row = Row(ev, J(R"({"metadata":{"name":"web.1"},"type":"Normal","reason":"Scheduled",
    "message":"Successfully assigned default/web to n1\n","involvedObject":{"kind":"Pod","name":"web"},
    "source":{"component":"default-scheduler"},"firstTimestamp":"2024-01-09T23:00:00Z",
    "lastTimestamp":"2024-01-09T23:59:30Z","count":2})"),
                 false);
  EXPECT_EQ(row["cells"], Json::parse(R"(["30s","Normal","Scheduled","pod/web",
                                          "Successfully assigned default/web to n1"])"));
}

TEST(RbacTables, CreatedAtAndBindingSubjects) {
  Json role = Row({"rbac.authorization.k8s.io", "v1", "ClusterRole"},
                  J(R"({"metadata":{"name":"view","creationTimestamp":"2024-01-02T03:04:05Z"}})"));
  EXPECT_EQ(role["cells"], Json::parse(R"(["view","2024-01-02T03:04:05Z"])"));
  Json rb = Row({"rbac.authorization.k8s.io", "v1", "RoleBinding"},
                J(R"({"metadata":{"name":"b"},"roleRef":{"kind":"ClusterRole","name":"edit"},
    "subjects":[{"kind":"User","name":"alice"},{"kind":"Group","name":"devs"},
                {"kind":"ServiceAccount","name":"ci","namespace":"tools"}]})"));
  EXPECT_EQ(rb["cells"],
            Json::parse(R"(["b","ClusterRole/edit","<unknown>","alice","devs","tools/ci"])"));
}

TEST(OtherTables, IngressPvcLeaseQuotaHpa) {
  Json ing = Row({"networking.k8s.io", "v1", "Ingress"},
                 J(R"({"metadata":{"name":"web"},"spec":{"ingressClassName":"nginx",
    "rules":[{"host":"a.example"},{"host":"b.example"}],"tls":[{"hosts":["a.example"]}]},
    "status":{"loadBalancer":{"ingress":[{"ip":"1.2.3.4"}]}}})"));
  EXPECT_EQ(ing["cells"], Json::parse(R"(["web","nginx","a.example,b.example","1.2.3.4","80, 443",
                                          "<unknown>"])"));
  Json pvc = Row({"", "v1", "PersistentVolumeClaim"},
                 J(R"({"metadata":{"name":"data"},"spec":{"volumeName":"pv1",
    "storageClassName":"local","volumeMode":"Filesystem"},
    "status":{"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"1Gi"}}})"));
  EXPECT_EQ(pvc["cells"], Json::parse(R"(["data","Bound","pv1","1Gi","RWO","local","<unset>",
                                          "<unknown>","Filesystem"])"));
  Json lease = Row({"coordination.k8s.io", "v1", "Lease"},
                   J(R"({"metadata":{"name":"leader"},"spec":{"holderIdentity":"node-a"}})"));
  EXPECT_EQ(lease["cells"][1], "node-a");
  Json quota = Row({"", "v1", "ResourceQuota"}, J(R"({"metadata":{"name":"q"},"status":{
    "hard":{"pods":"10","limits.cpu":"2","requests.cpu":"1"},"used":{"pods":"3"}}})"));
  EXPECT_EQ(quota["cells"],
            Json::parse(R"(["q","<unknown>","pods: 3/10, requests.cpu: 0/1","limits.cpu: 0/2"])"));
  Json hpa = Row({"autoscaling", "v2", "HorizontalPodAutoscaler"},
                 J(R"({"metadata":{"name":"web"},"spec":{"scaleTargetRef":{"kind":"Deployment",
    "name":"web"},"minReplicas":1,"maxReplicas":5,"metrics":[{"type":"Resource","resource":{
    "name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}]},
    "status":{"currentReplicas":2}})"));
  EXPECT_EQ(hpa["cells"], Json::parse(R"(["web","Deployment/web","cpu: <unknown>/80%",1,5,2,
                                          "<unknown>"])"));
}

TEST(KeelsonTables, ApplicationLikeArgoCd) {
  Json row = Row({"keelson.dev", "v1", "Application"},
                 J(R"({"metadata":{"name":"shop"},"status":{"sync":{"status":"Synced",
    "revision":"3f2a1c"},"health":{"status":"Healthy"}}})"));
  EXPECT_EQ(row["cells"], Json::parse(R"(["shop","Synced","Healthy","3f2a1c","<unknown>"])"));
  Json fresh = Row({"keelson.dev", "v1", "Application"}, J(R"({"metadata":{"name":"new"}})"));
  EXPECT_EQ(fresh["cells"][1], "Unknown");
}

TEST(DefaultTable, NameAndAge) {
  Json t = *BuildTable({"example.com", "v1", "Widget"}, {J(R"({"metadata":{"name":"w",
    "creationTimestamp":"2024-01-07T22:00:00Z"}})")},
                       TableOptions{.now = kNow});
  EXPECT_EQ(Names(t), (std::vector<std::string>{"Name", "Age"}));
  EXPECT_EQ(t["rows"][0]["cells"], Json::parse(R"(["w","2d2h"])"));
}

TEST(Table, RejectsNonObject) {
  auto t = BuildTable({"", "v1", "ConfigMap"}, {Object(Json::array())}, {});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().reason, Reason::kBadRequest);
}

TEST(FormatLabelSelector, SortedRequirements) {
  EXPECT_EQ(FormatLabelSelector(Json::parse(R"({"matchLabels":{"b":"2","a":"1"},
    "matchExpressions":[{"key":"c","operator":"Exists"},{"key":"0","operator":"DoesNotExist"},
    {"key":"d","operator":"NotIn","values":["y","x"]}]})")),
            "!0,a=1,b=2,c,d notin (x,y)");
  EXPECT_EQ(FormatLabelSelector(Json()), "");
  EXPECT_EQ(
      FormatLabelSelector(Json::parse(R"({"matchExpressions":[{"key":"a","operator":"Bad"}]})")),
      "<error>");
}

}  // namespace
}  // namespace keelson::api
