// The pod subresources and node endpoints over HTTPS against the real keelsond without a node
// agent (no root needed): pods/binding, graceful deletion as a client sees it, and the clear
// errors pods/log, pods/exec, images and metrics give when no agent runs. The agent-backed paths
// are covered by tests/e2e/node_e2e_test.cc (root).
#include <gtest/gtest.h>

#include "tests/daemon/keelsond_process.h"

namespace keelson::testing {
namespace {

using nlohmann::json;

class NodeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() + "/data");
    d_ = std::make_unique<Keelsond>(dir_.path() + "/data");
    ASSERT_TRUE(d_->Start()) << d_->error();
    c_ = d_->Client();
  }

  void CreatePod(const std::string& name, const std::string& node = "",
                 json containers = json::array({{{"name", "main"}, {"image", "busybox"}}})) {
    json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}}},
                {"spec", {{"containers", containers}}}};
    if (!node.empty()) pod["spec"]["nodeName"] = node;
    auto r = c_->Post("/api/v1/namespaces/default/pods", pod.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201) << r->body;
  }

  static std::string Message(const httplib::Result& r) { return Json(r).value("message", ""); }

  TempDir dir_;
  std::unique_ptr<Keelsond> d_;
  std::unique_ptr<httplib::SSLClient> c_;
};

TEST_F(NodeApiTest, BindingSubresourceBindsOnceAndUpdatesCannotRebind) {
  CreatePod("web");
  std::string binding =
      R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"web"},"target":{"kind":"Node","name":"n1"}})";
  auto r = c_->Post("/api/v1/namespaces/default/pods/web/binding", binding, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(Json(r)["status"], "Success");
  EXPECT_EQ(Json(c_->Get("/api/v1/namespaces/default/pods/web"))["spec"]["nodeName"], "n1");
  auto again = c_->Post("/api/v1/namespaces/default/pods/web/binding", binding, "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(Message(again),
            "Operation cannot be fulfilled on pods/binding \"web\": pod web is already assigned "
            "to node \"n1\"");
  auto patch = c_->Patch("/api/v1/namespaces/default/pods/web", R"({"spec":{"nodeName":"n2"}})",
                         "application/merge-patch+json");
  ASSERT_TRUE(patch);
  EXPECT_EQ(patch->status, 422) << patch->body;
}

TEST_F(NodeApiTest, GracefulDeleteKeepsABoundPodUntilGraceZero) {
  CreatePod("web", "n1");
  auto d = c_->Delete("/api/v1/namespaces/default/pods/web");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 200) << d->body;
  auto obj = Json(d);
  EXPECT_EQ(obj["kind"], "Pod");
  EXPECT_TRUE(obj["metadata"].contains("deletionTimestamp")) << d->body;
  EXPECT_EQ(obj["metadata"]["deletionGracePeriodSeconds"], 30);
  EXPECT_EQ(c_->Get("/api/v1/namespaces/default/pods/web")->status, 200);
  auto forced = c_->Delete("/api/v1/namespaces/default/pods/web",
                           R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0})",
                           "application/json");
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->status, 200) << forced->body;
  EXPECT_EQ(c_->Get("/api/v1/namespaces/default/pods/web")->status, 404);
}

TEST_F(NodeApiTest, LogsNameTheContainersAndSayWhenNoAgentRuns) {
  CreatePod(
      "two", "n1",
      json::array({{{"name", "a"}, {"image", "busybox"}}, {{"name", "b"}, {"image", "busybox"}}}));
  auto none = c_->Get("/api/v1/namespaces/default/pods/two/log");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 400);
  EXPECT_EQ(Message(none), "a container name must be specified for pod two, choose one of: [a b]");
  auto bad = c_->Get("/api/v1/namespaces/default/pods/two/log?container=zz");
  EXPECT_EQ(Message(bad), "container zz is not valid for pod two");
  auto off = c_->Get("/api/v1/namespaces/default/pods/two/log?container=a");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 503);
  EXPECT_NE(Message(off).find("node agent"), std::string::npos) << off->body;
  auto missing = c_->Get("/api/v1/namespaces/default/pods/ghost/log");
  EXPECT_EQ(missing->status, 404);
  // A pod not bound anywhere has no logs yet: an empty body, as Kubernetes answers.
  CreatePod("pending");
  auto pending = c_->Get("/api/v1/namespaces/default/pods/pending/log");
  EXPECT_EQ(pending->status, 200);
  EXPECT_EQ(pending->body, "");
}

TEST_F(NodeApiTest, ExecRefusesSpdyAndNeedsTheAgent) {
  CreatePod("web", "n1");
  auto spdy = c_->Post("/api/v1/namespaces/default/pods/web/exec?command=ls",
                       httplib::Headers{{"Upgrade", "SPDY/3.1"}, {"Connection", "Upgrade"}}, "",
                       "text/plain");
  ASSERT_TRUE(spdy);
  EXPECT_EQ(spdy->status, 400);
  EXPECT_EQ(Message(spdy), "keelsond serves exec over WebSocket (v5.channel.k8s.io), not SPDY/3.1");
  // A WebSocket upgrade is checked like any exec before it is accepted: no agent, no session.
  auto ws = c_->Get("/api/v1/namespaces/default/pods/web/exec?command=ls",
                    httplib::Headers{{"Upgrade", "websocket"},
                                     {"Connection", "Upgrade"},
                                     {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                     {"Sec-WebSocket-Version", "13"},
                                     {"Sec-WebSocket-Protocol", "v5.channel.k8s.io"}});
  ASSERT_TRUE(ws);
  EXPECT_EQ(ws->status, 503) << ws->body;
  auto nocmd = c_->Post("/api/v1/namespaces/default/pods/web/exec", "", "text/plain");
  EXPECT_EQ(Message(nocmd), "you must specify at least 1 command");
  auto off = c_->Post("/api/v1/namespaces/default/pods/web/exec?command=ls", "", "text/plain");
  EXPECT_EQ(off->status, 503) << off->body;
}

TEST_F(NodeApiTest, ImagesAndMetricsNeedTheAgent) {
  auto images = c_->Get("/apis/keelson.dev/v1/images");
  ASSERT_TRUE(images);
  EXPECT_EQ(images->status, 503);
  auto upload =
      c_->Post("/apis/keelson.dev/v1/images", std::string(1000, 'x'), "application/x-tar");
  EXPECT_EQ(upload->status, 503);
  EXPECT_EQ(c_->Get("/apis/metrics.k8s.io/v1beta1/pods")->status, 404);
  EXPECT_EQ(Json(c_->Get("/apis")).dump().find("metrics.k8s.io"), std::string::npos);
}

}  // namespace
}  // namespace keelson::testing
