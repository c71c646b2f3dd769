// Tests for the pod-specific API semantics of daemon/resources: the pods/binding subresource
// (and POST bindings), the refusal of spec.nodeName changes through updates, and Kubernetes'
// graceful pod deletion, over a real SQLite store through the in-process client.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "api/kinds.h"
#include "controllers/scheduler.h"
#include "daemon/admission.h"
#include "daemon/local_client.h"
#include "daemon/resources.h"
#include "store/store.h"
#include "tests/daemon/keelsond_process.h"

namespace keelson::daemon {
namespace {

using api::Json;
using keelson::testing::TempDir;

const api::GroupVersionKind kPod{"", "v1", "Pod"};

class PodLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenSqlite(dir_.path());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    resources_ = std::make_unique<Resources>(*store_, authz_, AdmissionChain::Default(*store_));
    client_ = std::make_unique<LocalClient>(*resources_, api::Kinds::Default(),
                                            UserInfo{"system:test", "", {"system:masters"}});
  }
  void TearDown() override {
    client_.reset();
    resources_.reset();
    store_.reset();
  }

  api::Object CreatePod(const std::string& name, const std::string& node = "",
                        Json extra_spec = Json::object()) {
    Json spec = {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}};
    if (!node.empty()) spec["nodeName"] = node;
    spec.merge_patch(extra_spec);
    auto p =
        client_->Create(api::Object(Json{{"apiVersion", "v1"},
                                         {"kind", "Pod"},
                                         {"metadata", {{"name", name}, {"namespace", "default"}}},
                                         {"spec", spec}}));
    EXPECT_TRUE(p) << p.error().message;
    return p ? *p : api::Object();
  }

  static api::Object Binding(const std::string& pod, const std::string& node,
                             const std::string& kind = "Node") {
    return api::Object(Json{{"apiVersion", "v1"},
                            {"kind", "Binding"},
                            {"metadata", {{"name", pod}, {"namespace", "default"}}},
                            {"target", {{"kind", kind}, {"name", node}}}});
  }

  api::Result<api::Object> Bind(const std::string& pod, const api::Object& binding) {
    RequestContext ctx{UserInfo{"system:test", "", {"system:masters"}}, {}};
    return resources_->Bind(ctx, "default", pod, binding, {});
  }

  api::Result<api::Object> DeletePod(const std::string& name, int64_t grace = -1) {
    api::DeleteOptions o;
    o.grace_period_seconds = grace;
    return client_->Delete(kPod, "default", name, o);
  }

  TempDir dir_;
  AllowAllAuthorizer authz_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Resources> resources_;
  std::unique_ptr<LocalClient> client_;
};

TEST_F(PodLifecycleTest, BindingSetsNodeNameAndPodScheduled) {
  CreatePod("web");
  auto st = Bind("web", Binding("web", "node-1"));
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->kind(), "Status");
  EXPECT_EQ(st->json()["status"], "Success");
  auto p = client_->Get(kPod, "default", "web");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->spec()["nodeName"], "node-1");
  bool scheduled = false;
  for (const auto& c : p->status()["conditions"]) {
    scheduled = scheduled || (c["type"] == "PodScheduled" && c["status"] == "True");
  }
  EXPECT_TRUE(scheduled) << p->status().dump();
}

TEST_F(PodLifecycleTest, BindingAnAssignedPodIsAConflict) {
  CreatePod("web", "node-1");
  auto st = Bind("web", Binding("web", "node-2"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().reason, api::Reason::kConflict);
  EXPECT_EQ(st.error().HttpCode(), 409);
  EXPECT_EQ(st.error().message,
            "Operation cannot be fulfilled on pods/binding \"web\": pod web is already assigned "
            "to node \"node-1\"");
}

TEST_F(PodLifecycleTest, BindingThroughTheClientCreatesABinding) {
  CreatePod("web");
  auto st = client_->Create(Binding("web", "node-1"));
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(client_->Get(kPod, "default", "web")->spec()["nodeName"], "node-1");
}

TEST_F(PodLifecycleTest, BindingRejectsBadTargetsAndNames) {
  CreatePod("web");
  auto kind = Bind("web", Binding("web", "node-1", "Service"));
  ASSERT_FALSE(kind);
  EXPECT_EQ(kind.error().reason, api::Reason::kInvalid);
  EXPECT_NE(kind.error().message.find("target.kind: Unsupported value: \"Service\""),
            std::string::npos)
      << kind.error().message;
  auto no_name = Bind("web", Binding("web", ""));
  ASSERT_FALSE(no_name);
  EXPECT_NE(no_name.error().message.find("target.name: Required value"), std::string::npos);
  auto mismatch = Bind("web", Binding("other", "node-1"));
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().reason, api::Reason::kBadRequest);
  auto missing = Bind("ghost", Binding("ghost", "node-1"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason, api::Reason::kNotFound);
}

TEST_F(PodLifecycleTest, SchedulerBindsThroughTheBindingSubresource) {
  auto node = client_->Create(
      api::Object(Json{{"apiVersion", "v1"},
                       {"kind", "Node"},
                       {"metadata", {{"name", "node-1"}}},
                       {"status",
                        {{"allocatable", {{"cpu", "2"}, {"memory", "4Gi"}, {"pods", "110"}}},
                         {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}}));
  ASSERT_TRUE(node) << node.error().message;
  CreatePod("web");
  controllers::Scheduler s(client_.get());
  auto bound = s.RunOnce();
  ASSERT_TRUE(bound) << bound.error().message;
  EXPECT_EQ(*bound, 1);
  auto p = client_->Get(kPod, "default", "web");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->spec().value("nodeName", ""), "node-1") << p->json().dump();
}

TEST_F(PodLifecycleTest, UpdatesMayNotSetOrChangeNodeName) {
  for (const std::string& start : {std::string(), std::string("node-1")}) {
    std::string name = start.empty() ? "unbound" : "bound";
    CreatePod(name, start);
    auto p = client_->Get(kPod, "default", name);
    ASSERT_TRUE(p);
    p->json()["spec"]["nodeName"] = "node-2";
    auto u = client_->Update(*p);
    ASSERT_FALSE(u) << name;
    EXPECT_EQ(u.error().reason, api::Reason::kInvalid);
    EXPECT_NE(u.error().message.find("pod updates may not change fields"), std::string::npos);
    auto patched = client_->Patch(kPod, "default", name, api::PatchType::kMerge,
                                  R"({"spec":{"nodeName":"node-3"}})");
    ASSERT_FALSE(patched) << name;
    EXPECT_EQ(patched.error().reason, api::Reason::kInvalid);
  }
  // Other updates of a bound pod still pass.
  auto ok = client_->Patch(kPod, "default", "bound", api::PatchType::kMerge,
                           R"({"metadata":{"labels":{"a":"b"}}})");
  EXPECT_TRUE(ok) << ok.error().message;
}

TEST_F(PodLifecycleTest, UnboundPodIsDeletedAtOnce) {
  CreatePod("pending");
  auto d = DeletePod("pending");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(client_->Get(kPod, "default", "pending"));
}

TEST_F(PodLifecycleTest, BoundPodIsMarkedWithItsGraceAndStays) {
  CreatePod("web", "node-1", {{"terminationGracePeriodSeconds", 20}});
  int64_t before = *api::ParseTime(api::NowTimestamp());
  auto d = DeletePod("web");
  ASSERT_TRUE(d) << d.error().message;
  auto p = client_->Get(kPod, "default", "web");
  ASSERT_TRUE(p) << "a bound pod stays until its agent confirms";
  EXPECT_EQ(p->metadata()["deletionGracePeriodSeconds"], 20);
  auto ts = api::ParseTime(p->deletion_timestamp());
  ASSERT_TRUE(ts) << p->deletion_timestamp();
  EXPECT_GE(*ts, before + 20);
  EXPECT_LE(*ts, before + 22);
  // Status updates during termination do not delete it.
  p->json()["status"]["phase"] = "Running";
  ASSERT_TRUE(client_->UpdateStatus(*p));
  EXPECT_TRUE(client_->Get(kPod, "default", "web"));
}

TEST_F(PodLifecycleTest, DeleteOptionsGraceWinsAndASecondDeleteOnlyShortens) {
  CreatePod("web", "node-1");
  ASSERT_TRUE(DeletePod("web", 60));
  auto p = client_->Get(kPod, "default", "web");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->metadata()["deletionGracePeriodSeconds"], 60);
  std::string rv = p->resource_version();
  // Longer, or no grace: nothing changes.
  ASSERT_TRUE(DeletePod("web", 120));
  ASSERT_TRUE(DeletePod("web"));
  p = client_->Get(kPod, "default", "web");
  EXPECT_EQ(p->resource_version(), rv);
  EXPECT_EQ(p->metadata()["deletionGracePeriodSeconds"], 60);
  // Shorter: the deadline moves earlier.
  auto old_ts = *api::ParseTime(p->deletion_timestamp());
  ASSERT_TRUE(DeletePod("web", 10));
  p = client_->Get(kPod, "default", "web");
  EXPECT_EQ(p->metadata()["deletionGracePeriodSeconds"], 10);
  EXPECT_EQ(*api::ParseTime(p->deletion_timestamp()), old_ts - 50);
  // Zero (what the agent sends once the containers are gone): the pod goes.
  ASSERT_TRUE(DeletePod("web", 0));
  EXPECT_FALSE(client_->Get(kPod, "default", "web"));
}

TEST_F(PodLifecycleTest, GraceZeroWithFinalizersWaitsForThem) {
  CreatePod("web", "node-1");
  auto p = client_->Get(kPod, "default", "web");
  p->set_finalizers({"example.com/hold"});
  ASSERT_TRUE(client_->Update(*p));
  ASSERT_TRUE(DeletePod("web"));
  ASSERT_TRUE(DeletePod("web", 0));
  p = client_->Get(kPod, "default", "web");
  ASSERT_TRUE(p) << "the finalizer holds it";
  EXPECT_EQ(p->metadata()["deletionGracePeriodSeconds"], 0);
  p->set_finalizers({});
  ASSERT_TRUE(client_->Update(*p));
  EXPECT_FALSE(client_->Get(kPod, "default", "web"));
}

TEST_F(PodLifecycleTest, TerminatedPodIsDeletedAtOnce) {
  CreatePod("done", "node-1");
  auto p = client_->Get(kPod, "default", "done");
  p->json()["status"]["phase"] = "Succeeded";
  ASSERT_TRUE(client_->UpdateStatus(*p));
  ASSERT_TRUE(DeletePod("done"));
  EXPECT_FALSE(client_->Get(kPod, "default", "done"));
}

TEST_F(PodLifecycleTest, GracefulDeletionIsAModifiedEventThenDeleted) {
  CreatePod("web", "node-1");
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events;
  api::ListOptions lo;
  lo.resource_version = std::to_string(store_->CurrentRevision());
  auto w = client_->Watch(kPod, "default", lo, [&](const api::WatchEvent& ev) {
    std::lock_guard l(mu);
    events.push_back(std::string(api::WatchEventTypeString(ev.type)) +
                     (ev.object.deletion_timestamp().empty() ? "" : "+ts"));
    cv.notify_all();
  });
  ASSERT_TRUE(w);
  ASSERT_TRUE(DeletePod("web", 30));
  ASSERT_TRUE(DeletePod("web", 0));
  std::unique_lock l(mu);
  ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(5), [&] { return events.size() >= 2; }));
  EXPECT_EQ(events, (std::vector<std::string>{"MODIFIED+ts", "DELETED+ts"}));
}

}  // namespace
}  // namespace keelson::daemon
