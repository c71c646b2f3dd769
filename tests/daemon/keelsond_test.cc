// Integration tests: the real keelsond binary on a temp dir and a free port, driven over HTTPS.
#include <sys/stat.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/daemon/keelsond_process.h"

namespace keelson::testing {
namespace {

using nlohmann::json;

class KeelsondTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_ = dir_.path() + "/tokens.csv";
    WriteAll(tokens_, "s3cret-token,alice,1001,\"dev\"\n");
    d_ = std::make_unique<Keelsond>(dir_.path() + "/data",
                                    std::vector<std::string>{"--token-auth-file", tokens_});
    std::filesystem::create_directories(dir_.path() + "/data");
    ASSERT_TRUE(d_->Start()) << d_->error();
    c_ = d_->Client();
  }

  httplib::Result Post(const std::string& path, const json& body) {
    return c_->Post(path.c_str(), body.dump(), "application/json");
  }
  httplib::Result Put(const std::string& path, const json& body) {
    return c_->Put(path.c_str(), body.dump(), "application/json");
  }

  static json ConfigMap(const std::string& name, json data = {{"k", "v"}}) {
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"data", data}};
  }

  TempDir dir_;
  std::string tokens_;
  std::unique_ptr<Keelsond> d_;
  std::unique_ptr<httplib::SSLClient> c_;
};

constexpr const char* kCms = "/api/v1/namespaces/default/configmaps";

TEST_F(KeelsondTest, WritesKubeconfigAndPrivateKeysOnFirstStart) {
  std::string conf = ReadAll(d_->kubeconfig());
  for (const char* key :
       {"certificate-authority-data:", "client-certificate-data:", "client-key-data:",
        "current-context: keelson", "server: https://127.0.0.1:"}) {
    EXPECT_NE(conf.find(key), std::string::npos) << key;
  }
  for (const char* key : {"ca.key", "server.key", "admin.key"}) {
    struct stat st {};
    ASSERT_EQ(stat((d_->data_dir() + "/pki/" + key).c_str(), &st), 0) << key;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << key;
  }
}

TEST_F(KeelsondTest, SecondStartReusesPkiAndData) {
  ASSERT_EQ(Post(kCms, ConfigMap("kept"))->status, 201);
  std::string ca = ReadAll(d_->data_dir() + "/pki/ca.crt");
  std::string admin = ReadAll(d_->data_dir() + "/pki/admin.crt");
  EXPECT_EQ(d_->Stop(), 0);
  ASSERT_TRUE(d_->Start()) << d_->error();
  EXPECT_EQ(ReadAll(d_->data_dir() + "/pki/ca.crt"), ca);
  EXPECT_EQ(ReadAll(d_->data_dir() + "/pki/admin.crt"), admin);
  auto c = d_->Client();
  auto r = c->Get((std::string(kCms) + "/kept").c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(KeelsondTest, UnauthenticatedGets401Status) {
  auto c = d_->Client(/*with_cert=*/false);
  auto r = c->Get(kCms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  auto j = Json(r);
  EXPECT_EQ(j["kind"], "Status");
  EXPECT_EQ(j["reason"], "Unauthorized");
  EXPECT_EQ(j["code"], 401);
  httplib::Headers bad = {{"Authorization", "Bearer wrong"}};
  EXPECT_EQ(c->Get(kCms, bad)->status, 401);
}

TEST_F(KeelsondTest, BearerTokenAuthenticates) {
  auto c = d_->Client(/*with_cert=*/false);
  httplib::Headers h = {{"Authorization", "Bearer s3cret-token"}};
  auto r = c->Get(kCms, h);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(KeelsondTest, HealthAndVersionNeedNoCredentials) {
  auto c = d_->Client(false);
  EXPECT_EQ(c->Get("/healthz")->body, "ok");
  EXPECT_EQ(c->Get("/livez")->status, 200);
  EXPECT_EQ(c->Get("/readyz")->status, 200);
  auto v = Json(c->Get("/version"));
  EXPECT_EQ(v["gitVersion"], "v1.32.0-keelson");
  EXPECT_EQ(v["major"], "1");
  EXPECT_EQ(v["minor"], "32");
}

TEST_F(KeelsondTest, ConfigMapCrud) {
  auto created = Post(kCms, ConfigMap("a"));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  auto cj = Json(created);
  EXPECT_EQ(cj["kind"], "ConfigMap");
  EXPECT_EQ(cj["apiVersion"], "v1");
  EXPECT_FALSE(cj["metadata"]["uid"].get<std::string>().empty());
  std::string rv = cj["metadata"]["resourceVersion"];

  auto got = Json(c_->Get((std::string(kCms) + "/a").c_str()));
  EXPECT_EQ(got["data"]["k"], "v");

  auto list = c_->Get(kCms);
  auto lj = Json(list);
  EXPECT_EQ(lj["kind"], "ConfigMapList");
  EXPECT_EQ(lj["apiVersion"], "v1");
  EXPECT_FALSE(lj["metadata"]["resourceVersion"].get<std::string>().empty());
  ASSERT_EQ(lj["items"].size(), 1u);

  json upd = cj;
  upd["data"]["k"] = "v2";
  auto u = Put(std::string(kCms) + "/a", upd);
  ASSERT_EQ(u->status, 200) << u->body;
  EXPECT_EQ(Json(u)["data"]["k"], "v2");

  // The old resourceVersion is stale now.
  auto stale = Put(std::string(kCms) + "/a", upd);
  EXPECT_EQ(stale->status, 409) << stale->body;
  EXPECT_EQ(Json(stale)["reason"], "Conflict");

  auto del = c_->Delete((std::string(kCms) + "/a").c_str());
  ASSERT_EQ(del->status, 200) << del->body;
  auto gone = c_->Get((std::string(kCms) + "/a").c_str());
  EXPECT_EQ(gone->status, 404);
  auto gj = Json(gone);
  EXPECT_EQ(gj["reason"], "NotFound");
  EXPECT_EQ(gj["message"], "configmaps \"a\" not found");
  EXPECT_EQ(gj["details"]["name"], "a");
  EXPECT_EQ(gj["details"]["kind"], "configmaps");
}

TEST_F(KeelsondTest, CreateTwiceIsAlreadyExists) {
  ASSERT_EQ(Post(kCms, ConfigMap("dup"))->status, 201);
  auto r = Post(kCms, ConfigMap("dup"));
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(Json(r)["reason"], "AlreadyExists");
  EXPECT_EQ(Json(r)["message"], "configmaps \"dup\" already exists");
}

TEST_F(KeelsondTest, ClusterScopedNamespacesAndListAcrossNamespaces) {
  auto ns = Post("/api/v1/namespaces",
                 {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team"}}}});
  ASSERT_EQ(ns->status, 201) << ns->body;
  json cm = ConfigMap("x");
  cm["metadata"]["namespace"] = "team";
  ASSERT_EQ(Post("/api/v1/namespaces/team/configmaps", cm)->status, 201);
  ASSERT_EQ(Post(kCms, ConfigMap("y"))->status, 201);
  auto all = Json(c_->Get("/api/v1/configmaps"));
  std::set<std::string> names;
  for (const auto& i : all["items"])
    names.insert(i["metadata"]["namespace"].get<std::string>() + "/" +
                 i["metadata"]["name"].get<std::string>());
  EXPECT_TRUE(names.contains("team/x"));
  EXPECT_TRUE(names.contains("default/y"));
}

TEST_F(KeelsondTest, CreateInMissingNamespaceIs404) {
  json cm = ConfigMap("x");
  cm["metadata"]["namespace"] = "nope";
  auto r = Post("/api/v1/namespaces/nope/configmaps", cm);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_EQ(Json(r)["message"], "namespaces \"nope\" not found");
}

TEST_F(KeelsondTest, LabelSelectorAndLimitContinue) {
  for (int i = 0; i < 5; ++i) {
    json cm = ConfigMap("cm" + std::to_string(i));
    cm["metadata"]["labels"] = {{"tier", i % 2 == 0 ? "even" : "odd"}};
    ASSERT_EQ(Post(kCms, cm)->status, 201);
  }
  auto even = Json(c_->Get((std::string(kCms) + "?labelSelector=tier%3Deven").c_str()));
  EXPECT_EQ(even["items"].size(), 3u);
  auto page1 = Json(c_->Get((std::string(kCms) + "?limit=2").c_str()));
  ASSERT_EQ(page1["items"].size(), 2u);
  std::string cont = page1["metadata"]["continue"];
  ASSERT_FALSE(cont.empty());
  auto page2 = Json(c_->Get((std::string(kCms) + "?limit=10&continue=" + cont).c_str()));
  ASSERT_EQ(page2["items"].size(), 3u);
  EXPECT_EQ(page2["items"][0]["metadata"]["name"], "cm2");
  EXPECT_FALSE(page2["metadata"].contains("continue"));
}

TEST_F(KeelsondTest, MalformedJsonIs400NamingLineAndColumn) {
  auto r =
      c_->Post(kCms, "{\n  \"apiVersion\": \"v1\",\n  \"kind\": ConfigMap\n}", "application/json");
  ASSERT_EQ(r->status, 400) << r->body;
  std::string msg = Json(r)["message"];
  EXPECT_NE(msg.find("3:"), std::string::npos) << msg;
}

TEST_F(KeelsondTest, YamlBodyIsAccepted) {
  auto r = c_->Post(kCms,
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromyaml\ndata:\n  a: b\n",
                    "application/yaml");
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(Json(r)["data"]["a"], "b");
}

TEST_F(KeelsondTest, OversizedBodyIs413) {
  json cm = ConfigMap("big", {{"blob", std::string(4u << 20, 'x')}});
  auto r = Post(kCms, cm);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Json(r)["reason"], "RequestEntityTooLarge");
}

TEST_F(KeelsondTest, UnknownResourceIs404) {
  auto r = c_->Get("/api/v1/namespaces/default/widgets");
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(Json(r)["message"], "the server could not find the requested resource");
  EXPECT_EQ(c_->Get("/apis/nope.example/v1/things")->status, 404);
}

TEST_F(KeelsondTest, InvalidObjectIs422ListingFieldErrors) {
  json cm = ConfigMap("Bad_Name");
  auto r = Post(kCms, cm);
  ASSERT_EQ(r->status, 422) << r->body;
  auto j = Json(r);
  EXPECT_EQ(j["reason"], "Invalid");
  ASSERT_TRUE(j["details"]["causes"].is_array());
  EXPECT_EQ(j["details"]["causes"][0]["field"], "metadata.name");
}

json Deployment(const std::string& name) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"replicas", 1},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec", {{"containers", {{{"name", "web"}, {"image", "nginx:1.27"}}}}}}}}}}};
}

constexpr const char* kDeploys = "/apis/apps/v1/namespaces/default/deployments";

TEST_F(KeelsondTest, StrictFieldValidationRejectsUnknownFields) {
  json d = Deployment("typo");
  d["spec"]["replica"] = 3;
  auto r = Post(std::string(kDeploys) + "?fieldValidation=Strict", d);
  ASSERT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(Json(r)["message"], "strict decoding error: unknown field \"spec.replica\"");

  auto warn = Post(std::string(kDeploys) + "?fieldValidation=Warn", d);
  ASSERT_EQ(warn->status, 201) << warn->body;
  EXPECT_EQ(warn->get_header_value("Warning"), "299 - \"unknown field \\\"spec.replica\\\"\"");
}

TEST_F(KeelsondTest, DryRunDoesNotPersist) {
  auto r = Post(std::string(kCms) + "?dryRun=All", ConfigMap("dry"));
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(Json(r)["metadata"]["name"], "dry");
  EXPECT_EQ(c_->Get((std::string(kCms) + "/dry").c_str())->status, 404);
}

TEST_F(KeelsondTest, GenerateNameAddsSuffix) {
  json cm = ConfigMap("");
  cm["metadata"].erase("name");
  cm["metadata"]["generateName"] = "gen-";
  auto r = Post(kCms, cm);
  ASSERT_EQ(r->status, 201) << r->body;
  std::string name = Json(r)["metadata"]["name"];
  EXPECT_EQ(name.size(), 9u);
  EXPECT_EQ(name.rfind("gen-", 0), 0u);
}

TEST_F(KeelsondTest, StatusSubresourceChangesOnlyStatus) {
  auto created = Post(kDeploys, Deployment("web"));
  ASSERT_EQ(created->status, 201) << created->body;
  json d = Json(created);
  // A main-resource write ignores status.
  d["status"] = {{"replicas", 7}};
  d["spec"]["replicas"] = 2;
  auto u = Put(std::string(kDeploys) + "/web", d);
  ASSERT_EQ(u->status, 200) << u->body;
  json uj = Json(u);
  EXPECT_EQ(uj["spec"]["replicas"], 2);
  EXPECT_FALSE(uj.contains("status") && uj["status"].contains("replicas"));
  // A status write ignores spec.
  uj["status"] = {{"replicas", 2}};
  uj["spec"]["replicas"] = 5;
  auto s = Put(std::string(kDeploys) + "/web/status", uj);
  ASSERT_EQ(s->status, 200) << s->body;
  json sj = Json(s);
  EXPECT_EQ(sj["status"]["replicas"], 2);
  EXPECT_EQ(sj["spec"]["replicas"], 2);
}

TEST_F(KeelsondTest, ScaleSubresource) {
  ASSERT_EQ(Post(kDeploys, Deployment("s"))->status, 201);
  auto sc = Json(c_->Get((std::string(kDeploys) + "/s/scale").c_str()));
  EXPECT_EQ(sc["kind"], "Scale");
  EXPECT_EQ(sc["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(sc["spec"]["replicas"], 1);
  auto p = c_->Patch((std::string(kDeploys) + "/s/scale").c_str(), R"({"spec":{"replicas":4}})",
                     "application/merge-patch+json");
  ASSERT_EQ(p->status, 200) << p->body;
  EXPECT_EQ(Json(p)["spec"]["replicas"], 4);
  EXPECT_EQ(Json(c_->Get((std::string(kDeploys) + "/s").c_str()))["spec"]["replicas"], 4);
}

TEST_F(KeelsondTest, MergeAndJsonPatch) {
  ASSERT_EQ(Post(kCms, ConfigMap("p"))->status, 201);
  auto m = c_->Patch((std::string(kCms) + "/p").c_str(), R"({"data":{"k":null,"n":"1"}})",
                     "application/merge-patch+json");
  ASSERT_EQ(m->status, 200) << m->body;
  EXPECT_EQ(Json(m)["data"], json({{"n", "1"}}));
  auto jp =
      c_->Patch((std::string(kCms) + "/p").c_str(),
                R"([{"op":"add","path":"/data/x","value":"y"}])", "application/json-patch+json");
  ASSERT_EQ(jp->status, 200) << jp->body;
  EXPECT_EQ(Json(jp)["data"]["x"], "y");
  auto bad = c_->Patch((std::string(kCms) + "/p").c_str(), "{}", "text/plain");
  EXPECT_EQ(bad->status, 415);
  auto stale = c_->Patch((std::string(kCms) + "/p").c_str(),
                         R"({"metadata":{"resourceVersion":"1"},"data":{"z":"1"}})",
                         "application/merge-patch+json");
  EXPECT_EQ(stale->status, 409) << stale->body;
}

TEST_F(KeelsondTest, TableOutputForKubectl) {
  ASSERT_EQ(Post(kCms, ConfigMap("t"))->status, 201);
  httplib::Headers h = {
      {"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}};
  auto r = c_->Get((std::string(kCms) + "?includeObject=Object").c_str(), h);
  ASSERT_EQ(r->status, 200) << r->body;
  auto t = Json(r);
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_EQ(t["apiVersion"], "meta.k8s.io/v1");
  ASSERT_FALSE(t["columnDefinitions"].empty());
  EXPECT_EQ(t["columnDefinitions"][0]["name"], "Name");
  ASSERT_EQ(t["rows"].size(), 1u);
  EXPECT_EQ(t["rows"][0]["cells"][0], "t");
  EXPECT_EQ(t["rows"][0]["object"]["kind"], "ConfigMap");
  auto none = Json(c_->Get((std::string(kCms) + "?includeObject=None").c_str(), h));
  EXPECT_FALSE(none["rows"][0].contains("object") && !none["rows"][0]["object"].is_null());
}

TEST_F(KeelsondTest, DiscoveryDocuments) {
  auto api = Json(c_->Get("/api"));
  EXPECT_EQ(api["kind"], "APIVersions");
  EXPECT_EQ(api["versions"][0], "v1");
  auto apis = Json(c_->Get("/apis"));
  EXPECT_EQ(apis["kind"], "APIGroupList");
  bool apps = false;
  for (const auto& g : apis["groups"]) apps = apps || g["name"] == "apps";
  EXPECT_TRUE(apps);
  auto v1 = Json(c_->Get("/api/v1"));
  EXPECT_EQ(v1["kind"], "APIResourceList");
  bool cms = false;
  for (const auto& r : v1["resources"]) {
    if (r["name"] == "configmaps") {
      cms = true;
      EXPECT_EQ(r["kind"], "ConfigMap");
      EXPECT_EQ(r["namespaced"], true);
    }
  }
  EXPECT_TRUE(cms);
  httplib::Headers h = {
      {"Accept",
       "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"}};
  auto agg = c_->Get("/apis", h);
  EXPECT_EQ(Json(agg)["kind"], "APIGroupDiscoveryList");
  EXPECT_NE(agg->get_header_value("Content-Type").find("as=APIGroupDiscoveryList"),
            std::string::npos);
}

TEST_F(KeelsondTest, MetricsCountRequests) {
  c_->Get(kCms);
  auto m = c_->Get("/metrics");
  ASSERT_EQ(m->status, 200);
  EXPECT_NE(
      m->body.find("apiserver_request_total{verb=\"list\",group=\"\",resource=\"configmaps\""),
      std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find("keelson_store_revision "), std::string::npos);
  EXPECT_NE(m->body.find("apiserver_registered_watchers "), std::string::npos);
}

// Reads watch events in a thread until `want` events arrived or the timeout.
std::vector<json> WatchEvents(Keelsond& d, const std::string& path, size_t want) {
  std::vector<json> events;
  auto c = d.Client();
  std::string buf;
  c->Get(path.c_str(), [&](const char* data, size_t len) {
    buf.append(data, len);
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      events.push_back(json::parse(buf.substr(0, nl), nullptr, false));
      buf.erase(0, nl + 1);
    }
    return events.size() < want;
  });
  return events;
}

TEST_F(KeelsondTest, WatchDeliversEventsAndResumesFromResourceVersion) {
  auto first = Json(Post(kCms, ConfigMap("w1")));
  std::string rv1 = first["metadata"]["resourceVersion"];
  std::vector<json> events;
  std::thread watcher([&] {
    events = WatchEvents(
        *d_, std::string(kCms) + "?watch=1&timeoutSeconds=20&resourceVersion=" + rv1, 3);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto w2 = Json(Post(kCms, ConfigMap("w2")));
  json upd = w2;
  upd["data"]["k"] = "changed";
  ASSERT_EQ(Put(std::string(kCms) + "/w2", upd)->status, 200);
  ASSERT_EQ(c_->Delete((std::string(kCms) + "/w1").c_str())->status, 200);
  watcher.join();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "w2");
  EXPECT_EQ(events[1]["type"], "MODIFIED");
  EXPECT_EQ(events[2]["type"], "DELETED");
  EXPECT_EQ(events[2]["object"]["metadata"]["name"], "w1");

  // Resume after the first event: the later two come again, in order.
  std::string rv_after_first = events[0]["object"]["metadata"]["resourceVersion"];
  auto resumed = WatchEvents(
      *d_, std::string(kCms) + "?watch=true&timeoutSeconds=5&resourceVersion=" + rv_after_first, 2);
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_EQ(resumed[0]["type"], "MODIFIED");
  EXPECT_EQ(resumed[1]["type"], "DELETED");
}

TEST_F(KeelsondTest, WatchWithoutResourceVersionStartsWithCurrentObjects) {
  ASSERT_EQ(Post(kCms, ConfigMap("existing"))->status, 201);
  auto events = WatchEvents(*d_, std::string(kCms) + "?watch=1&timeoutSeconds=5", 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "existing");
}

TEST_F(KeelsondTest, WatchTimeoutEndsTheStream) {
  auto start = std::chrono::steady_clock::now();
  auto events = WatchEvents(
      *d_,
      std::string(kCms) + "?watch=1&timeoutSeconds=1&resourceVersion=" + std::to_string(1000000),
      100);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  (void)events;
}

TEST_F(KeelsondTest, DeleteCollectionBySelector) {
  for (int i = 0; i < 3; ++i) {
    json cm = ConfigMap("dc" + std::to_string(i));
    cm["metadata"]["labels"] = {{"batch", i < 2 ? "a" : "b"}};
    ASSERT_EQ(Post(kCms, cm)->status, 201);
  }
  auto r = c_->Delete((std::string(kCms) + "?labelSelector=batch%3Da").c_str());
  ASSERT_EQ(r->status, 200) << r->body;
  auto left = Json(c_->Get(kCms));
  ASSERT_EQ(left["items"].size(), 1u);
  EXPECT_EQ(left["items"][0]["metadata"]["name"], "dc2");
}

TEST_F(KeelsondTest, DeletePreconditionMismatchIsConflict) {
  ASSERT_EQ(Post(kCms, ConfigMap("pre"))->status, 201);
  auto r =
      c_->Delete((std::string(kCms) + "/pre").c_str(),
                 R"({"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"nope"}})",
                 "application/json");
  EXPECT_EQ(r->status, 409) << r->body;
}

TEST_F(KeelsondTest, EventsAreCreatableAndListable) {
  json ev = {{"apiVersion", "v1"},
             {"kind", "Event"},
             {"metadata", {{"name", "web.1"}, {"namespace", "default"}}},
             {"involvedObject", {{"kind", "Pod"}, {"name", "web"}, {"namespace", "default"}}},
             {"reason", "Started"},
             {"message", "Started container"},
             {"type", "Normal"}};
  auto r = Post("/api/v1/namespaces/default/events", ev);
  ASSERT_EQ(r->status, 201) << r->body;
  auto l =
      Json(c_->Get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dweb"));
  ASSERT_EQ(l["items"].size(), 1u);
  EXPECT_EQ(l["items"][0]["reason"], "Started");
}

TEST_F(KeelsondTest, SigtermShutsDownGracefully) {
  EXPECT_EQ(d_->Stop(), 0);
  EXPECT_NE(d_->log().find("stopped"), std::string::npos);
}

}  // namespace
}  // namespace keelson::testing
