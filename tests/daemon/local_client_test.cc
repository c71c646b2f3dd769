// Tests for the in-process client and the event recorder over a real SQLite store.
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "api/kinds.h"
#include "daemon/admission.h"
#include "daemon/events.h"
#include "daemon/local_client.h"
#include "daemon/resources.h"
#include "store/store.h"
#include "tests/daemon/keelsond_process.h"

namespace keelson::daemon {
namespace {

using keelson::testing::TempDir;

class DenyDeletes : public Authorizer {
 public:
  Decision Authorize(const Attributes& a) const override {
    if (a.verb == "delete") return {false, "deletes are not allowed here"};
    return {true, ""};
  }
};

class LocalClientTest : public ::testing::Test {
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

  static api::Object ConfigMap(const std::string& name) {
    return api::Object(api::Json{{"apiVersion", "v1"},
                                 {"kind", "ConfigMap"},
                                 {"metadata", {{"name", name}, {"namespace", "default"}}},
                                 {"data", {{"a", "1"}}}});
  }

  TempDir dir_;
  AllowAllAuthorizer authz_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Resources> resources_;
  std::unique_ptr<LocalClient> client_;
};

const api::GroupVersionKind kCm{"", "v1", "ConfigMap"};

TEST_F(LocalClientTest, CreateGetUpdateDelete) {
  auto c = client_->Create(ConfigMap("x"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->uid().empty());
  auto g = client_->Get(kCm, "default", "x");
  ASSERT_TRUE(g);
  api::Object u = *g;
  u.json()["data"]["a"] = "2";
  auto up = client_->Update(u);
  ASSERT_TRUE(up) << up.error().message;
  // The read version is stale now.
  auto stale = client_->Update(u);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().reason, api::Reason::kConflict);
  ASSERT_TRUE(client_->Delete(kCm, "default", "x"));
  auto nf = client_->Get(kCm, "default", "x");
  ASSERT_FALSE(nf);
  EXPECT_EQ(nf.error().message, "configmaps \"x\" not found");
}

TEST_F(LocalClientTest, UnknownKindIsNotFound) {
  auto r = client_->Get({"example.com", "v1", "Widget"}, "default", "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, api::Reason::kNotFound);
}

TEST_F(LocalClientTest, StrictFieldValidationIsTheInProcessDefault) {
  api::Object d(api::Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"d","namespace":"default"},
    "spec":{"replica":1,"selector":{"matchLabels":{"a":"b"}},
            "template":{"metadata":{"labels":{"a":"b"}},
                        "spec":{"containers":[{"name":"c","image":"nginx"}]}}}})"));
  auto r = client_->Create(d);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "strict decoding error: unknown field \"spec.replica\"");
}

TEST_F(LocalClientTest, WatchSeesWritesInOrder) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> seen;
  auto h = client_->Watch(kCm, "default", {}, [&](const api::WatchEvent& ev) {
    std::lock_guard<std::mutex> l(mu);
    seen.push_back(std::string(api::WatchEventTypeString(ev.type)) + " " + ev.object.name());
    cv.notify_all();
  });
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_TRUE(client_->Create(ConfigMap("a")));
  ASSERT_TRUE(client_->Delete(kCm, "default", "a"));
  std::unique_lock<std::mutex> l(mu);
  ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(5), [&] { return seen.size() >= 2; }));
  EXPECT_EQ(seen[0], "ADDED a");
  EXPECT_EQ(seen[1], "DELETED a");
}

TEST_F(LocalClientTest, AuthorizerDenialIsForbidden) {
  DenyDeletes deny;
  Resources r(*store_, deny, AdmissionChain::Default(*store_));
  LocalClient c(r, api::Kinds::Default(), UserInfo{"bob", "", {}});
  ASSERT_TRUE(c.Create(ConfigMap("keep")));
  auto d = c.Delete(kCm, "default", "keep");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().reason, api::Reason::kForbidden);
  EXPECT_NE(d.error().message.find("User \"bob\" cannot delete resource \"configmaps\""),
            std::string::npos)
      << d.error().message;
  EXPECT_TRUE(c.Get(kCm, "default", "keep"));
}

TEST_F(LocalClientTest, EventRecorderCountsRepeats) {
  auto cm = client_->Create(ConfigMap("about"));
  ASSERT_TRUE(cm);
  EventRecorder rec(*client_, "test-controller", "node-1");
  auto e1 = rec.Record(*cm, "Normal", "Synced", "synced ok");
  ASSERT_TRUE(e1) << e1.error().message;
  auto e2 = rec.Record(*cm, "Normal", "Synced", "synced ok");
  ASSERT_TRUE(e2) << e2.error().message;
  EXPECT_EQ(e1->name(), e2->name());
  EXPECT_EQ(e2->json()["count"], 2);
  auto list = client_->List({"", "v1", "Event"}, "default",
                            {.field_selector = "involvedObject.name=about"});
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].json()["reason"], "Synced");
  EXPECT_EQ(list->items[0].json()["source"]["component"], "test-controller");
}

}  // namespace
}  // namespace keelson::daemon
