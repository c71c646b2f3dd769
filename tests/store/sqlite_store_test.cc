// Tests for store/sqlite_store.cc: CRUD semantics, revisions, namespaces, finalizers,
// transformers, concurrency and reopening.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <thread>

#include "store/store.h"
#include "tests/store/store_test_util.h"

namespace keelson::store {
namespace {

using testing::ConfigMap;
using testing::TempDir;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqlite(dir_.path());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, CreateSetsUidRevisionGenerationAndTimestamp) {
  Revision before = store_->CurrentRevision();
  auto cm = store_->Create("configmaps", ConfigMap("default", "a"));
  ASSERT_TRUE(cm) << cm.error().message;
  EXPECT_TRUE(std::regex_match(
      cm->uid(), std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << cm->uid();
  EXPECT_EQ(cm->resource_version(), std::to_string(before + 1));
  EXPECT_EQ(store_->CurrentRevision(), before + 1);
  EXPECT_EQ(cm->generation(), 1);
  EXPECT_TRUE(api::ParseTime(cm->creation_timestamp()).has_value()) << cm->creation_timestamp();
  auto got = store_->Get("configmaps", "default", "a");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, *cm);
  auto other = store_->Create("configmaps", ConfigMap("default", "b"));
  ASSERT_TRUE(other);
  EXPECT_NE(other->uid(), cm->uid());
}

TEST_F(SqliteStoreTest, CreateExistingIsAlreadyExists) {
  ASSERT_TRUE(store_->Create("configmaps", ConfigMap("default", "x")));
  auto again = store_->Create("configmaps", ConfigMap("default", "x"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, api::Reason::kAlreadyExists);
  EXPECT_EQ(again.error().message, "configmaps \"x\" already exists");
  // Same name in another namespace is another object.
  ASSERT_TRUE(store_->Create("configmaps", ConfigMap("kube-system", "x")));
}

TEST_F(SqliteStoreTest, CreateWithoutNameIsInvalid) {
  auto r = store_->Create("configmaps", ConfigMap("default", ""));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, api::Reason::kInvalid);
  EXPECT_EQ(r.error().causes.at(0).field, "metadata.name");
}

TEST_F(SqliteStoreTest, GetMissingIsNotFoundWithKubernetesMessage) {
  auto r = store_->Get("configmaps", "default", "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, api::Reason::kNotFound);
  EXPECT_EQ(r.error().message, "configmaps \"x\" not found");
  auto d = store_->Get("apps/deployments", "default", "web");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message, "deployments.apps \"web\" not found");
  EXPECT_EQ(d.error().kind, "deployments");
  EXPECT_EQ(d.error().group, "apps");
}

TEST_F(SqliteStoreTest, RevisionsIncreaseByOnePerWrite) {
  Revision r0 = store_->CurrentRevision();
  auto a = store_->Create("configmaps", ConfigMap("default", "a"));
  ASSERT_TRUE(a);
  auto changed = *a;
  changed.json()["data"]["k"] = "w";
  auto b = store_->Update("configmaps", changed);
  ASSERT_TRUE(b) << b.error().message;
  auto c = store_->Delete("configmaps", "default", "a");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(a->resource_version(), std::to_string(r0 + 1));
  EXPECT_EQ(b->resource_version(), std::to_string(r0 + 2));
  EXPECT_EQ(c->resource_version(), std::to_string(r0 + 3));
  EXPECT_EQ(store_->CurrentRevision(), r0 + 3);
  // Failed writes do not consume revisions.
  EXPECT_FALSE(store_->Delete("configmaps", "default", "a"));
  EXPECT_FALSE(store_->Create("configmaps", ConfigMap("nope", "a")));
  EXPECT_EQ(store_->CurrentRevision(), r0 + 3);
}

TEST_F(SqliteStoreTest, GenerationBumpsOnlyWhenSpecChanges) {
  auto cm = store_->Create("configmaps", ConfigMap("default", "g"));
  ASSERT_TRUE(cm);
  api::Object o = *cm;
  o.set_label("team", "a");  // metadata only
  auto r1 = store_->Update("configmaps", o);
  ASSERT_TRUE(r1) << r1.error().message;
  EXPECT_EQ(r1->generation(), 1);
  o = *r1;
  o.json()["status"] = {{"ready", true}};  // status only
  auto r2 = store_->Update("configmaps", o);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->generation(), 1);
  o = *r2;
  o.json()["data"]["k"] = "changed";
  auto r3 = store_->Update("configmaps", o);
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->generation(), 2);
  o = *r3;
  o.json()["binaryData"] = api::Json::object();  // a new top-level field
  auto r4 = store_->Update("configmaps", o);
  ASSERT_TRUE(r4);
  EXPECT_EQ(r4->generation(), 3);
  // A client cannot set the generation, uid or creationTimestamp.
  o = *r4;
  o.set_generation(42);
  o.set_uid("forged");
  o.set_creation_timestamp("2000-01-01T00:00:00Z");
  o.set_label("x", "y");
  auto r5 = store_->Update("configmaps", o);
  ASSERT_TRUE(r5);
  EXPECT_EQ(r5->generation(), 3);
  EXPECT_EQ(r5->uid(), cm->uid());
  EXPECT_EQ(r5->creation_timestamp(), cm->creation_timestamp());
}

TEST_F(SqliteStoreTest, UpdateWithStaleResourceVersionIsConflict) {
  auto cm = store_->Create("configmaps", ConfigMap("default", "x"));
  ASSERT_TRUE(cm);
  api::Object first = *cm;
  first.json()["data"]["k"] = "1";
  ASSERT_TRUE(store_->Update("configmaps", first));
  api::Object stale = *cm;
  stale.json()["data"]["k"] = "2";
  auto r = store_->Update("configmaps", stale);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, api::Reason::kConflict);
  EXPECT_EQ(r.error().message,
            "Operation cannot be fulfilled on configmaps \"x\": the object has been modified; "
            "please apply your changes to the latest version and try again");
  // Without a resourceVersion the update is unconditional.
  stale.MutableMeta().erase("resourceVersion");
  auto forced = store_->Update("configmaps", stale);
  ASSERT_TRUE(forced) << forced.error().message;
  EXPECT_EQ(forced->data()["k"], "2");
}

TEST_F(SqliteStoreTest, MalformedObjectIsBadRequestAndWritesNothing) {
  Revision r = store_->CurrentRevision();
  api::Object bad(api::Json{{"apiVersion", "v1"},
                            {"kind", "Namespace"},
                            {"metadata", {{"name", "odd"}}},
                            {"spec", {{"finalizers", {"kubernetes"}}}},
                            {"status", "not-an-object"}});
  ASSERT_TRUE(store_->Create("namespaces", bad));
  // Deleting sets status.phase, which cannot be done on a string status.
  auto del = store_->Delete("namespaces", "", "odd");
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().reason, api::Reason::kBadRequest);
  EXPECT_NE(del.error().message.find("/namespaces/odd"), std::string::npos) << del.error().message;
  EXPECT_EQ(store_->CurrentRevision(), r + 1);
  // Keys given as default-constructed string_views are empty strings, not NULL.
  EXPECT_TRUE(store_->Get("namespaces", std::string_view(), "odd"));
}

// The lease pattern: read, change, Update with the read resourceVersion. Of several holders racing
// from the same read, exactly one wins and the others get Conflict.
TEST_F(SqliteStoreTest, UpdateWithResourceVersionIsCompareAndSwap) {
  api::Object lease(api::Json{{"apiVersion", "coordination.k8s.io/v1"},
                              {"kind", "Lease"},
                              {"metadata", {{"name", "leader"}, {"namespace", "keelson-system"}}},
                              {"spec", {{"holderIdentity", "nobody"}}}});
  auto read = store_->Create("coordination.k8s.io/leases", lease);
  ASSERT_TRUE(read);
  constexpr int kContenders = 4;
  std::atomic<int> won{0}, conflicts{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < kContenders; ++i) {
    ts.emplace_back([&, i] {
      api::Object mine = *read;
      mine.json()["spec"]["holderIdentity"] = "node-" + std::to_string(i);
      auto r = store_->Update("coordination.k8s.io/leases", mine);
      if (r) {
        ++won;
      } else if (r.error().reason == api::Reason::kConflict) {
        ++conflicts;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicts.load(), kContenders - 1);
  auto stale = *read;
  auto r = store_->Update("coordination.k8s.io/leases", stale);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Operation cannot be fulfilled on leases.coordination.k8s.io \"leader\": the object "
            "has been modified; please apply your changes to the latest version and try again");
}

TEST_F(SqliteStoreTest, UpdateMissingIsNotFound) {
  auto r = store_->Update("configmaps", ConfigMap("default", "ghost"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, api::Reason::kNotFound);
}

TEST_F(SqliteStoreTest, UpdateThatChangesNothingWritesNothing) {
  auto cm = store_->Create("configmaps", ConfigMap("default", "same"));
  ASSERT_TRUE(cm);
  Revision r = store_->CurrentRevision();
  auto u = store_->Update("configmaps", *cm);
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, *cm);
  EXPECT_EQ(store_->CurrentRevision(), r);
}

TEST_F(SqliteStoreTest, DefaultNamespacesExistOnFirstOpen) {
  for (const char* ns :
       {"default", "kube-system", "kube-public", "kube-node-lease", "keelson-system"}) {
    auto n = store_->Get("namespaces", "", ns);
    ASSERT_TRUE(n) << ns << ": " << n.error().message;
    EXPECT_EQ(n->kind(), "Namespace");
    EXPECT_EQ(n->status()["phase"], "Active");
    EXPECT_EQ(n->spec()["finalizers"], api::Json::array({"kubernetes"}));
    EXPECT_EQ(n->label("kubernetes.io/metadata.name"), ns);
  }
  auto list = store_->List("namespaces", "");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->items.size(), 5u);
}

TEST_F(SqliteStoreTest, CreateInMissingNamespaceIsNotFound) {
  auto r = store_->Create("configmaps", ConfigMap("nope", "x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, api::Reason::kNotFound);
  EXPECT_EQ(r.error().message, "namespaces \"nope\" not found");
}

TEST_F(SqliteStoreTest, CreateInTerminatingNamespaceIsForbidden) {
  api::Object ns(api::Json{{"apiVersion", "v1"},
                           {"kind", "Namespace"},
                           {"metadata", {{"name", "shop"}}},
                           {"spec", {{"finalizers", {"kubernetes"}}}}});
  ASSERT_TRUE(store_->Create("namespaces", ns));
  ASSERT_TRUE(store_->Create("configmaps", ConfigMap("shop", "before")));
  auto del = store_->Delete("namespaces", "", "shop");
  ASSERT_TRUE(del) << del.error().message;
  EXPECT_FALSE(del->deletion_timestamp().empty());
  EXPECT_EQ(del->status()["phase"], "Terminating");
  auto r = store_->Create("configmaps", ConfigMap("shop", "after"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, api::Reason::kForbidden);
  EXPECT_EQ(r.error().message,
            "configmaps \"after\" is forbidden: unable to create new content in namespace shop "
            "because it is being terminated");
  // The namespace goes away once its spec finalizers are emptied.
  api::Object fin = *del;
  fin.json()["spec"]["finalizers"] = api::Json::array();
  ASSERT_TRUE(store_->Update("namespaces", fin));
  EXPECT_EQ(store_->Get("namespaces", "", "shop").error().reason, api::Reason::kNotFound);
}

TEST_F(SqliteStoreTest, FinalizersHoldDeletionUntilRemoved) {
  api::Object cm = ConfigMap("default", "held");
  cm.set_finalizers({"example.com/a", "example.com/b"});
  auto created = store_->Create("configmaps", cm);
  ASSERT_TRUE(created);
  auto del = store_->Delete("configmaps", "default", "held");
  ASSERT_TRUE(del) << del.error().message;
  EXPECT_FALSE(del->deletion_timestamp().empty());
  EXPECT_EQ(del->metadata()["deletionGracePeriodSeconds"], 0);
  auto still = store_->Get("configmaps", "default", "held");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->deletion_timestamp(), del->deletion_timestamp());
  // Deleting again changes nothing.
  Revision r = store_->CurrentRevision();
  ASSERT_TRUE(store_->Delete("configmaps", "default", "held"));
  EXPECT_EQ(store_->CurrentRevision(), r);
  // An update cannot clear the deletionTimestamp.
  api::Object u = *still;
  u.MutableMeta().erase("deletionTimestamp");
  u.set_finalizers({"example.com/b"});
  auto one = store_->Update("configmaps", u);
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(one->deletion_timestamp(), del->deletion_timestamp());
  // No new finalizers once deletion started (Kubernetes' metadata validation).
  api::Object more = *one;
  more.set_finalizers({"example.com/b", "example.com/new"});
  auto refused = store_->Update("configmaps", more);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, api::Reason::kInvalid);
  EXPECT_EQ(refused.error().message,
            "ConfigMap \"held\" is invalid: metadata.finalizers: Forbidden: no new finalizers can "
            "be added if the object is being deleted, found new finalizers "
            "[]string{\"example.com/new\"}");
  // Removing the last finalizer deletes it.
  api::Object last = *one;
  last.set_finalizers({});
  auto gone = store_->Update("configmaps", last);
  ASSERT_TRUE(gone) << gone.error().message;
  EXPECT_EQ(store_->Get("configmaps", "default", "held").error().reason, api::Reason::kNotFound);
}

TEST_F(SqliteStoreTest, DeletePreconditions) {
  auto cm = store_->Create("configmaps", ConfigMap("default", "p"));
  ASSERT_TRUE(cm);
  auto bad_uid = store_->Delete("configmaps", "default", "p", "other-uid");
  ASSERT_FALSE(bad_uid);
  EXPECT_EQ(bad_uid.error().reason, api::Reason::kConflict);
  EXPECT_EQ(bad_uid.error().message,
            "Operation cannot be fulfilled on configmaps \"p\": Precondition failed: UID in "
            "precondition: other-uid, UID in object meta: " +
                cm->uid());
  auto bad_rv = store_->Delete("configmaps", "default", "p", "", "1");
  ASSERT_FALSE(bad_rv);
  EXPECT_EQ(bad_rv.error().reason, api::Reason::kConflict);
  auto ok = store_->Delete("configmaps", "default", "p", cm->uid(), cm->resource_version());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->uid(), cm->uid());
  EXPECT_EQ(ok->resource_version(), std::to_string(store_->CurrentRevision()));
}

TEST_F(SqliteStoreTest, ListIsSortedFilteredAndCarriesItsRevision) {
  for (auto [ns, name] : std::vector<std::pair<std::string, std::string>>{
           {"kube-system", "b"}, {"default", "c"}, {"default", "a"}, {"kube-public", "a"}}) {
    ASSERT_TRUE(store_->Create("configmaps", ConfigMap(ns, name)));
  }
  api::Object labelled = ConfigMap("default", "l");
  labelled.set_label("app", "web");
  ASSERT_TRUE(store_->Create("configmaps", labelled));
  ASSERT_TRUE(store_->Create("secrets", ConfigMap("default", "not-a-cm")));
  auto all = store_->List("configmaps", "");
  ASSERT_TRUE(all) << all.error().message;
  std::vector<std::string> keys;
  for (const auto& o : all->items) keys.push_back(o.namespace_() + "/" + o.name());
  EXPECT_EQ(keys, (std::vector<std::string>{"default/a", "default/c", "default/l", "kube-public/a",
                                            "kube-system/b"}));
  EXPECT_EQ(all->revision, store_->CurrentRevision());
  auto def = store_->List("configmaps", "default");
  ASSERT_TRUE(def);
  EXPECT_EQ(def->items.size(), 3u);
  auto sel =
      store_->List("configmaps", "", [](const api::Object& o) { return o.label("app") == "web"; });
  ASSERT_TRUE(sel);
  ASSERT_EQ(sel->items.size(), 1u);
  EXPECT_EQ(sel->items[0].name(), "l");
  auto none = store_->List("apps/deployments", "");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->items.empty());
}

TEST_F(SqliteStoreTest, ListRawMatchesList) {
  for (auto [ns, name] : std::vector<std::pair<std::string, std::string>>{
           {"kube-system", "b"}, {"default", "c"}, {"default", "a"}}) {
    ASSERT_TRUE(store_->Create("configmaps", ConfigMap(ns, name)));
  }
  for (std::string ns : {"", "default"}) {
    auto list = store_->List("configmaps", ns);
    auto raw = store_->ListRaw("configmaps", ns);
    ASSERT_TRUE(list && raw) << ns;
    EXPECT_EQ(raw->revision, list->revision);
    ASSERT_EQ(raw->items.size(), list->items.size());
    for (size_t i = 0; i < raw->items.size(); ++i) {
      EXPECT_EQ(raw->items[i].ns, list->items[i].namespace_());
      EXPECT_EQ(raw->items[i].name, list->items[i].name());
      EXPECT_EQ(api::Json::parse(raw->items[i].json), list->items[i].json());
    }
  }
}

// Many large writes: checkpoints on the background thread keep the WAL from growing without
// bound, and the data stays readable.
TEST_F(SqliteStoreTest, WalStaysBoundedUnderManyLargeWrites) {
  std::string big(60000, 'x');
  for (int i = 0; i < 250; ++i) {
    ASSERT_TRUE(store_->Create(
        "configmaps", ConfigMap("default", "big" + std::to_string(i), api::Json{{"blob", big}})));
  }
  // 250 writes * 2 copies * ~60 KB = ~30 MB went through the WAL; it is bounded at about 12 MB.
  auto wal = std::filesystem::file_size(dir_.path() + "/store.db-wal");
  EXPECT_LT(wal, 16u * 1024 * 1024) << "WAL is " << wal << " bytes";
  auto list = store_->List("configmaps", "default");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->items.size(), 250u);
}

// Reverses the bytes and prefixes a marker; records the associated data it was given.
class ReversingTransformer : public ValueTransformer {
 public:
  api::Result<std::string> ToStorage(std::string_view, std::string_view key,
                                     std::string_view plaintext) override {
    std::lock_guard l(mu);
    keys.insert(std::string(key));
    return "enc:" + std::string(key) + ":" + std::string(plaintext.rbegin(), plaintext.rend());
  }
  api::Result<std::string> FromStorage(std::string_view, std::string_view key,
                                       std::string_view stored) override {
    std::string prefix = "enc:" + std::string(key) + ":";
    if (!stored.starts_with(prefix)) return std::unexpected(api::Internal("wrong key"));
    stored.remove_prefix(prefix.size());
    return std::string(stored.rbegin(), stored.rend());
  }
  std::mutex mu;
  std::set<std::string> keys;
};

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(SqliteStore, TransformerKeepsPlaintextOffDisk) {
  TempDir dir;
  auto tf = std::make_shared<ReversingTransformer>();
  const std::string secret = "hunter2-plaintext-marker";
  {
    auto s = OpenSqlite(dir.path());
    ASSERT_TRUE(s) << s.error().message;
    (*s)->SetTransformer("secrets", tf);
    api::Object sec(api::Json{{"apiVersion", "v1"},
                              {"kind", "Secret"},
                              {"metadata", {{"name", "db"}, {"namespace", "default"}}},
                              {"stringData", {{"password", secret}}}});
    ASSERT_TRUE((*s)->Create("secrets", sec));
    auto got = (*s)->Get("secrets", "default", "db");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->json()["stringData"]["password"], secret);
    auto list = (*s)->List("secrets", "default");
    ASSERT_TRUE(list);
    ASSERT_EQ(list->items.size(), 1u);
    auto raw = (*s)->ListRaw("secrets", "");
    ASSERT_TRUE(raw);
    ASSERT_EQ(raw->items.size(), 1u);
    EXPECT_NE(raw->items[0].json.find(secret), std::string::npos);
    // Untransformed resources are stored as JSON.
    ASSERT_TRUE((*s)->Create(
        "configmaps", ConfigMap("default", "plain", api::Json{{"visible", "cm-marker-123"}})));
    std::string bytes;
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
      bytes += ReadAll(e.path());
    EXPECT_EQ(bytes.find(secret), std::string::npos);
    EXPECT_NE(bytes.find("cm-marker-123"), std::string::npos);
  }
  EXPECT_TRUE(tf->keys.contains("/secrets/default/db"));
  std::string bytes;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) bytes += ReadAll(e.path());
  EXPECT_EQ(bytes.find(secret), std::string::npos);
  // Without the transformer the stored bytes do not decode into an object.
  auto s = OpenSqlite(dir.path());
  ASSERT_TRUE(s);
  auto raw = (*s)->Get("secrets", "default", "db");
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().reason, api::Reason::kInternalError);
}

TEST(SqliteStore, ConcurrentWritersGetUniqueRevisions) {
  TempDir dir;
  auto s = OpenSqlite(dir.path());
  ASSERT_TRUE(s);
  Store& store = **s;
  Revision start = store.CurrentRevision();
  constexpr int kThreads = 4, kEach = 50;
  std::vector<std::vector<Revision>> revs(kThreads);
  std::vector<std::thread> ts;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = store.Create(
            "configmaps", ConfigMap("default", "t" + std::to_string(t) + "-" + std::to_string(i)));
        if (!r) {
          ++errors;
          continue;
        }
        revs[t].push_back(std::stoll(r->resource_version()));
        // Readers run alongside.
        if (!store.Get("configmaps", "default", r->name())) ++errors;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(errors.load(), 0);
  std::set<Revision> all;
  for (const auto& v : revs) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*all.begin(), start + 1);
  EXPECT_EQ(*all.rbegin(), start + kThreads * kEach);
  EXPECT_EQ(store.CurrentRevision(), start + kThreads * kEach);
}

TEST(SqliteStore, ReopenKeepsObjectsAndRevision) {
  TempDir dir;
  Revision rev = 0;
  std::string uid;
  {
    auto s = OpenSqlite(dir.path());
    ASSERT_TRUE(s);
    auto cm = (*s)->Create("configmaps", ConfigMap("default", "kept"));
    ASSERT_TRUE(cm);
    uid = cm->uid();
    ASSERT_TRUE((*s)->Delete("namespaces", "", "kube-public"));  // not recreated on reopen
    rev = (*s)->CurrentRevision();
    // A second open of the same directory is refused while the first is open.
    auto twice = OpenSqlite(dir.path());
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().reason, api::Reason::kServiceUnavailable);
    EXPECT_NE(twice.error().message.find("in use by another process"), std::string::npos);
  }
  auto s = OpenSqlite(dir.path());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->CurrentRevision(), rev);
  auto cm = (*s)->Get("configmaps", "default", "kept");
  ASSERT_TRUE(cm);
  EXPECT_EQ(cm->uid(), uid);
  auto next = (*s)->Create("configmaps", ConfigMap("default", "next"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->resource_version(), std::to_string(rev + 1));
  // kube-public is Terminating (its spec finalizer holds it); reopening does not reset it.
  auto kp = (*s)->Get("namespaces", "", "kube-public");
  ASSERT_TRUE(kp);
  EXPECT_EQ(kp->status()["phase"], "Terminating");
}

TEST(SqliteStore, OpenFailsClearlyOnUnusableDirectory) {
  TempDir dir;
  std::string file = dir.path() + "/file";
  std::ofstream(file) << "x";
  auto s = OpenSqlite(file + "/sub");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().reason, api::Reason::kServiceUnavailable);
  EXPECT_NE(s.error().message.find(file), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace keelson::store
