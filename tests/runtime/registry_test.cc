// Tests for runtime/registry and ImageStore::Pull: reference parsing, the pull-secret keyring,
// auth challenges, platform selection, and pulls from a real docker-registry on loopback (pushed
// to with skopeo), plus the Bearer-token flow and blob redirects against an in-test server.
#include "runtime/registry.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "runtime/fsutil.h"
#include "runtime/image_puller.h"
#include "runtime/image_store.h"
#include "tests/runtime/fake_client.h"
#include "tests/runtime/registry_fixture.h"
#include "tests/runtime/test_util.h"

namespace keelson::runtime {
namespace {

using api::Json;
using testing::TempDir;
using namespace std::chrono_literals;

TEST(ParseImageReference, DockerAndContainerdRules) {
  const std::string d = "sha256:" + std::string(64, 'a');
  struct Case {
    std::string in, domain, repo, tag, digest, str;
  } cases[] = {
      {"busybox", "docker.io", "library/busybox", "latest", "", "docker.io/library/busybox:latest"},
      {"busybox:1.36", "docker.io", "library/busybox", "1.36", "", ""},
      {"docker.io/busybox", "docker.io", "library/busybox", "latest", "", ""},
      {"index.docker.io/library/busybox", "docker.io", "library/busybox", "latest", "", ""},
      {"me/app", "docker.io", "me/app", "latest", "", "docker.io/me/app:latest"},
      {"localhost/app:v1", "localhost", "app", "v1", "", "localhost/app:v1"},
      {"localhost:5000/a/b", "localhost:5000", "a/b", "latest", "", ""},
      {"127.0.0.1:5000/busybox@" + d, "127.0.0.1:5000", "busybox", "", d,
       "127.0.0.1:5000/busybox@" + d},
      {"r.example/ns/app:v2@" + d, "r.example", "ns/app", "v2", d, "r.example/ns/app:v2@" + d},
      {"Registry.Example/a", "Registry.Example", "a", "latest", "", ""},
      {"a__b/c-d.e_f", "docker.io", "a__b/c-d.e_f", "latest", "", ""},
  };
  for (const auto& c : cases) {
    auto r = ParseImageReference(c.in);
    ASSERT_TRUE(r) << c.in << ": " << r.error().message;
    EXPECT_EQ(r->domain, c.domain) << c.in;
    EXPECT_EQ(r->repository, c.repo) << c.in;
    EXPECT_EQ(r->tag, c.tag) << c.in;
    EXPECT_EQ(r->digest, c.digest) << c.in;
    if (!c.str.empty()) {
      EXPECT_EQ(r->String(), c.str) << c.in;
    }
  }
  for (const char* bad : {"", "Busybox", "a:", "a b", "x@sha256:zz", "a/-b", "a//b", ":tag", "a:-x",
                          "r.example:port/a"}) {
    auto r = ParseImageReference(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("invalid reference format"), std::string::npos)
        << r.error().message;
  }
  EXPECT_EQ(ParseImageReference("Busybox").error().message,
            "couldn't parse image name \"Busybox\": invalid reference format: repository name "
            "must be lowercase");
  EXPECT_FALSE(ParseImageReference(std::string(64, 'a')));
}

TEST(ParseImageReference, DefaultPullPolicyLikeKubernetes) {
  auto policy = [](const char* ref) {
    return ImagePuller::DefaultPullPolicy(*ParseImageReference(ref));
  };
  EXPECT_EQ(policy("busybox"), "Always");
  EXPECT_EQ(policy("busybox:latest"), "Always");
  EXPECT_EQ(policy("busybox:1"), "IfNotPresent");
  EXPECT_EQ(policy(("busybox@sha256:" + std::string(64, 'b')).c_str()), "IfNotPresent");
}

api::Object DockerSecret(const std::string& name, const std::string& type, const std::string& key,
                         const std::string& json) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -6;
  for (unsigned char c : json) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(tbl[(val >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(tbl[((val << 8) >> (bits + 8)) & 0x3F]);
  while (out.size() % 4) out.push_back('=');
  return api::Object(Json{{"apiVersion", "v1"},
                          {"kind", "Secret"},
                          {"metadata", {{"name", name}, {"namespace", "default"}}},
                          {"type", type},
                          {"data", {{key, out}}}});
}

std::string B64(const std::string& s) {
  auto o = DockerSecret("x", "t", "k", s);
  return o.json()["data"]["k"];
}

TEST(DockerKeyring, MatchesRegistryHostsTheWayTheKubeletDoes) {
  DockerKeyring k;
  auto st =
      k.AddSecret(DockerSecret("regcred", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
                               R"({"auths":{
        "r.example:5000":{"auth":")" +
                                   B64("alice:pw1") + R"("},
        "https://r.example/v2/":{"username":"bob","password":"pw2"},
        "r.example/team":{"username":"carol","password":"pw3"},
        "*.corp.example":{"username":"dave","password":"pw4"},
        "https://index.docker.io/v1/":{"auth":")" +
                                   B64("hub:pw5") + R"("}}})"));
  ASSERT_TRUE(st) << st.error().message;
  auto users = [&](const char* image) {
    std::string out;
    for (auto& a : k.Lookup(*ParseImageReference(image))) out += a.username + ",";
    return out;
  };
  EXPECT_EQ(users("r.example:5000/app:1"), "alice,");  // port must match
  EXPECT_EQ(users("r.example/app"), "bob,");
  EXPECT_EQ(users("r.example/team/app"), "carol,bob,");  // more specific first
  EXPECT_EQ(users("build.corp.example/x"), "dave,");
  EXPECT_EQ(users("a.b.corp.example/x"), "");  // a glob matches one label
  EXPECT_EQ(users("busybox"), "hub,");
  EXPECT_EQ(users("docker.io/me/app"), "hub,");
  EXPECT_EQ(users("other.example/app"), "");
  EXPECT_EQ(users("r.example:5001/app"), "");
  auto a = k.Lookup(*ParseImageReference("r.example:5000/app"));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].password, "pw1");
}

TEST(DockerKeyring, ReadsDockercfgAndRejectsBadSecretsByName) {
  DockerKeyring k;
  ASSERT_TRUE(
      k.AddSecret(DockerSecret("old", "kubernetes.io/dockercfg", ".dockercfg",
                               R"({"r.example":{"auth":")" + B64("u:p:with:colons") + R"("}})")));
  auto a = k.Lookup(*ParseImageReference("r.example/app"));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].username, "u");
  EXPECT_EQ(a[0].password, "p:with:colons");
  // Opaque secrets are ignored, as the kubelet ignores them.
  EXPECT_TRUE(k.AddSecret(DockerSecret("opaque", "Opaque", ".dockerconfigjson", "{")));
  auto bad =
      k.AddSecret(DockerSecret("broken", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
                               R"({"auths":{"r":{"auth":")" + B64("nocolon") + R"("}}})"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("secret \"broken\""), std::string::npos)
      << bad.error().message;
  EXPECT_NE(bad.error().message.find("auths[\"r\"].auth"), std::string::npos);
  auto notjson = k.AddSecret(
      DockerSecret("nj", "kubernetes.io/dockerconfigjson", ".dockerconfigjson", "{nope"));
  ASSERT_FALSE(notjson);
  EXPECT_NE(notjson.error().message.find("invalid JSON"), std::string::npos);
}

TEST(ParseWwwAuthenticate, BearerAndBasicChallenges) {
  auto c = ParseWwwAuthenticate(
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push" , Basic realm="x\"y")");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].Param("realm"), "https://auth.example/token");
  EXPECT_EQ(c[0].Param("service"), "registry.example");
  EXPECT_EQ(c[0].Param("scope"), "repository:a/b:pull,push");
  EXPECT_EQ(c[1].scheme, "basic");
  EXPECT_EQ(c[1].Param("realm"), "x\"y");
  EXPECT_TRUE(ParseWwwAuthenticate("").empty());
}

TEST(SelectPlatform, PicksLinuxOfThisArchitecture) {
  const std::string a = "sha256:" + std::string(64, 'a'), b = "sha256:" + std::string(64, 'b'),
                    c = "sha256:" + std::string(64, 'c');
  Json index = {
      {"manifests",
       {{{"digest", a}, {"size", 1}, {"platform", {{"os", "linux"}, {"architecture", "s390x"}}}},
        {{"digest", c}, {"size", 1}, {"platform", {{"os", "windows"}, {"architecture", "amd64"}}}},
        {{"digest", b},
         {"size", 1},
         {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}},
        {{"digest", c}, {"size", 1}, {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}}}};
  EXPECT_EQ(SelectPlatform(index, "s390x")->digest, a);
  EXPECT_EQ(SelectPlatform(index, "arm64")->digest, b);
  EXPECT_EQ(SelectPlatform(index, "amd64")->digest, c);
  auto none = SelectPlatform(index, "riscv64");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message,
            "no matching manifest for linux/riscv64 in the manifest list entries");
}

TEST(GoDuration, FormatsLikeGo) {
  EXPECT_EQ(GoDuration(0ms), "0s");
  EXPECT_EQ(GoDuration(523ms), "523ms");
  EXPECT_EQ(GoDuration(1200ms), "1.2s");
  EXPECT_EQ(GoDuration(1234ms), "1.234s");
  EXPECT_EQ(GoDuration(2000ms), "2s");
  EXPECT_EQ(GoDuration(123500ms), "2m3.5s");
  EXPECT_EQ(GoDuration(3600000ms), "1h0m0s");
}

// ---------------------------------------------------------------------------------------------
// Bearer tokens and blob redirects against an in-test registry (cpp-httplib), so the exact
// requests can be checked.

class FakeTokenRegistry : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    // A one-layer image: /hello.
    std::string layer_path = tmp_ / "layer.tar";
    testing::WriteTar(layer_path, {{"hello", testing::TarEntry::kFile, "hi\n", 0644}});
    layer_ = *ReadFile(layer_path);
    layer_digest_ = "sha256:" + Sha256Hex(layer_);
    config_ = Json{{"architecture", "amd64"},
                   {"os", "linux"},
                   {"config", {{"Cmd", {"sh"}}}},
                   {"rootfs", {{"type", "layers"}, {"diff_ids", {layer_digest_}}}}}
                  .dump();
    config_digest_ = "sha256:" + Sha256Hex(config_);
    manifest_ = Json{{"schemaVersion", 2},
                     {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                     {"config",
                      {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                       {"digest", config_digest_},
                       {"size", config_.size()}}},
                     {"layers",
                      {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                        {"digest", layer_digest_},
                        {"size", layer_.size()}}}}}
                    .dump();

    storage_port_ = storage_.bind_to_any_port("127.0.0.1");
    registry_port_ = registry_.bind_to_any_port("127.0.0.1");
    auth_port_ = auth_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(storage_port_, 0);
    storage_.Get(R"(/storage/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard l(mu_);
      storage_saw_authorization_ |= req.has_header("Authorization");
      if ("sha256:" + req.matches[1].str() == layer_digest_) {
        res.set_content(layer_, "application/octet-stream");
      } else if ("sha256:" + req.matches[1].str() == config_digest_) {
        res.set_content(config_, "application/octet-stream");
      } else {
        res.status = 404;
      }
    });
    auth_.Get("/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard l(mu_);
      token_queries_.push_back(req.get_param_value("service") + " " + req.get_param_value("scope") +
                               " " + req.get_param_value("account"));
      if (req.get_header_value("Authorization") != "Basic " + B64("alice:s3cret")) {
        res.status = 401;
        res.set_content(R"({"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]})",
                        "application/json");
        return;
      }
      res.set_content(R"({"token":"tok-123","expires_in":300})", "application/json");
    });
    auto authorized = [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") == "Bearer tok-123") return true;
      res.status = 401;
      res.set_header("WWW-Authenticate",
                     "Bearer realm=\"http://127.0.0.1:" + std::to_string(auth_port_) +
                         "/token\",service=\"fake-registry\",scope=\"repository:team/demo:pull\"");
      res.set_content(R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
                      "application/json");
      return false;
    };
    registry_.Get("/v2/team/demo/manifests/v1",
                  [this, authorized](const httplib::Request& req, httplib::Response& res) {
                    if (!authorized(req, res)) return;
                    {
                      std::lock_guard l(mu_);
                      ++manifest_gets_;
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(manifest_delay_ms_));
                    res.set_header("Docker-Content-Digest", "sha256:" + Sha256Hex(manifest_));
                    res.set_content(manifest_, "application/vnd.oci.image.manifest.v1+json");
                  });
    registry_.Get(R"(/v2/team/demo/blobs/sha256:(.*))",
                  [this, authorized](const httplib::Request& req, httplib::Response& res) {
                    if (!authorized(req, res)) return;
                    res.status = 307;
                    res.set_header("Location", "http://127.0.0.1:" + std::to_string(storage_port_) +
                                                   "/storage/" + req.matches[1].str());
                  });
    for (auto* s : {&storage_, &registry_, &auth_}) {
      threads_.emplace_back([s] { s->listen_after_bind(); });
    }
    auto store = ImageStore::Open(tmp_ / "images");
    ASSERT_TRUE(store);
    store_ = std::move(*store);
  }
  void TearDown() override {
    for (auto* s : {&storage_, &registry_, &auth_}) s->stop();
    for (auto& t : threads_) t.join();
  }
  std::string Ref() const {
    return "127.0.0.1:" + std::to_string(registry_port_) + "/team/demo:v1";
  }

  TempDir tmp_;
  httplib::Server storage_, registry_, auth_;
  int storage_port_ = 0, registry_port_ = 0, auth_port_ = 0;
  std::vector<std::thread> threads_;
  std::string layer_, layer_digest_, config_, config_digest_, manifest_;
  std::mutex mu_;
  bool storage_saw_authorization_ = false;
  int manifest_gets_ = 0;
  std::atomic<int> manifest_delay_ms_{0};
  std::vector<std::string> token_queries_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(FakeTokenRegistry, BearerChallengeFetchesATokenWithBasicCredentials) {
  auto img = store_->Pull(Ref(), {{"alice", "s3cret"}}, {});
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_EQ(img->config_digest, config_digest_);
  EXPECT_EQ(*ReadFile(store_->LayerDir(layer_digest_) + "/hello"), "hi\n");
  std::lock_guard l(mu_);
  ASSERT_FALSE(token_queries_.empty());
  EXPECT_EQ(token_queries_[0], "fake-registry repository:team/demo:pull alice");
  EXPECT_EQ(token_queries_.size(), 1u) << "the token is reused for the blobs";
  EXPECT_FALSE(storage_saw_authorization_)
      << "registry credentials must not follow a redirect to another host";
}

TEST_F(FakeTokenRegistry, WrongCredentialsAreUnauthorizedWithTheTokenServersAnswer) {
  auto img = store_->Pull(Ref(), {{"alice", "wrong"}}, {});
  ASSERT_FALSE(img);
  EXPECT_EQ(img.error().reason, api::Reason::kUnauthorized);
  EXPECT_NE(img.error().message.find("pull " + Ref() + ": unauthorized"), std::string::npos)
      << img.error().message;
  EXPECT_NE(img.error().message.find("bad credentials"), std::string::npos) << img.error().message;
  auto anon = store_->Pull(Ref(), {}, {});
  ASSERT_FALSE(anon);
  EXPECT_EQ(anon.error().reason, api::Reason::kUnauthorized);
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(FakeTokenRegistry, ConcurrentPullsOfOneImageShareOneDownload) {
  manifest_delay_ms_ = 300;  // long enough for every puller to join the first pull
  testing::FakeClient client;
  FakeClock clock;
  ImagePuller puller(store_.get(), &client, {}, &clock);
  std::vector<std::thread> threads;
  std::vector<api::Result<ImageInfo>> results(4, std::unexpected(api::Internal("not run")));
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] { results[i] = puller.Pull(Ref(), {{"alice", "s3cret"}}); });
  for (auto& t : threads) t.join();
  for (auto& r : results) {
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->config_digest, config_digest_);
  }
  std::lock_guard l(mu_);
  EXPECT_EQ(manifest_gets_, 1);
}

// ---------------------------------------------------------------------------------------------
// A real registry.

bool DirEmpty(const std::string& dir) {
  std::error_code ec;
  return std::filesystem::is_empty(dir, ec);
}

class RegistryPull : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveRegistryTools())
      GTEST_SKIP() << "needs docker-registry and skopeo (scripts/install-deps.sh)";
    ASSERT_FALSE(tmp_.path().empty());
    archive_ = testing::BuildTestImage(tmp_.path());
    ASSERT_FALSE(archive_.empty());
    auto store = ImageStore::Open(tmp_ / "images");
    ASSERT_TRUE(store);
    store_ = std::move(*store);
  }
  // Starts a registry in its own dir and pushes the busybox image as each of `tags`.
  std::unique_ptr<testing::TestRegistry> StartRegistry(const testing::TestRegistry::Options& o,
                                                       std::vector<std::string> tags,
                                                       const std::string& format = "") {
    std::string dir = tmp_ / ("registry" + std::to_string(registries_++));
    MakeDirs(dir, 0700);
    std::string err;
    auto r = testing::TestRegistry::Start(dir, o, &err);
    EXPECT_TRUE(r) << err;
    if (!r) return nullptr;
    for (auto& t : tags) {
      std::string e = r->Push("docker-archive:" + archive_, t, format);
      EXPECT_EQ(e, "") << "push " << t;
    }
    return r;
  }
  // The manifest digest the registry serves for repo:tag.
  std::string ManifestDigest(const testing::TestRegistry& r, const std::string& path,
                             const httplib::Headers& auth = {}) {
    httplib::Client c("http://" + r.host());
    httplib::Headers h = auth;
    h.emplace("Accept",
              "application/vnd.oci.image.manifest.v1+json, "
              "application/vnd.docker.distribution.manifest.v2+json, "
              "application/vnd.oci.image.index.v1+json, "
              "application/vnd.docker.distribution.manifest.list.v2+json");
    auto res = c.Get(("/v2/" + path).c_str(), h);
    if (!res || res->status != 200) return "";
    return "sha256:" + Sha256Hex(res->body);
  }
  void ExpectStoreEmpty() {
    EXPECT_TRUE(store_->List()->empty());
    EXPECT_TRUE(DirEmpty(tmp_ / "images/blobs/sha256")) << "no blob was stored";
    EXPECT_TRUE(DirEmpty(tmp_ / "images/layers")) << "no layer was stored";
    EXPECT_TRUE(DirEmpty(tmp_ / "images/tmp")) << "temp files are gone";
  }

  TempDir tmp_;
  std::string archive_;
  std::unique_ptr<ImageStore> store_;
  int registries_ = 0;
};

TEST_F(RegistryPull, AnonymousPullStoresTheImageUnderItsRefAndDigest) {
  auto reg = StartRegistry({}, {"busybox:1"});
  ASSERT_TRUE(reg);
  std::string ref = reg->host() + "/busybox:1";
  auto img = store_->Pull(ref, {}, {});
  ASSERT_TRUE(img) << img.error().message;
  std::string digest = ManifestDigest(*reg, "busybox/manifests/1");
  EXPECT_EQ(img->manifest_digest, digest);
  EXPECT_EQ(img->config.cmd, std::vector<std::string>{"sh"});
  EXPECT_EQ(img->diff_ids.size(), 1u);
  // ls shows the reference and the repo digest; both resolve.
  auto list = store_->List();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].refs, (std::vector<std::string>{reg->host() + "/busybox:1",
                                                       reg->host() + "/busybox@" + digest}));
  EXPECT_EQ((*list)[0].RepoDigests(), std::vector<std::string>{reg->host() + "/busybox@" + digest});
  EXPECT_TRUE(store_->Resolve(reg->host() + "/busybox@" + digest));
  // The same image as an archive import gives the same config and layers.
  auto imported = store_->Import(archive_);
  ASSERT_TRUE(imported);
  EXPECT_EQ((*imported)[0].config_digest, img->config_digest);
  EXPECT_EQ((*imported)[0].diff_ids, img->diff_ids);
  auto fs = store_->CreateRootfs(*img, tmp_ / "c1", /*allow_overlay=*/false);
  ASSERT_TRUE(fs) << fs.error().message;
  EXPECT_TRUE(testing::Exists(fs->path + "/bin/busybox"));
  EXPECT_EQ(*ReadFile(fs->path + "/var/www/index.html"), "hello from keelson\n");
  ImageStore::RemoveRootfs(tmp_ / "c1");
}

TEST_F(RegistryPull, LayersAlreadyInTheStoreAreNotFetchedAgain) {
  auto reg = StartRegistry({}, {"busybox:1", "busybox:2"});
  ASSERT_TRUE(reg);
  auto first = store_->Pull(reg->host() + "/busybox:1", {}, {});
  ASSERT_TRUE(first) << first.error().message;
  // Corrupt the layer in the registry: a second pull of the same image only works if it reuses
  // the verified layer it already has.
  Json manifest =
      Json::parse(*ReadFile(tmp_ / ("images/blobs/sha256/" + first->manifest_digest.substr(7))));
  std::string layer = manifest["layers"][0].value("digest", "");
  ASSERT_FALSE(layer.empty());
  ASSERT_TRUE(WriteFileAtomic(reg->BlobFile(layer), "garbage", 0644));
  auto second = store_->Pull(reg->host() + "/busybox:2", {}, {});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->manifest_digest, first->manifest_digest);
  EXPECT_EQ(store_->Resolve(reg->host() + "/busybox:2")->manifest_digest, first->manifest_digest);
}

TEST_F(RegistryPull, PullByDigestAndMissingManifests) {
  auto reg = StartRegistry({}, {"busybox:1"}, "oci");
  ASSERT_TRUE(reg);
  std::string digest = ManifestDigest(*reg, "busybox/manifests/1");
  ASSERT_FALSE(digest.empty());
  auto img = store_->Pull(reg->host() + "/busybox@" + digest, {}, {});
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_EQ(img->manifest_digest, digest);
  EXPECT_TRUE(store_->Resolve(reg->host() + "/busybox@" + digest));

  auto missing = store_->Pull(reg->host() + "/busybox:nope", {}, {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason, api::Reason::kNotFound);
  EXPECT_EQ(missing.error().message.rfind("pull " + reg->host() +
                                              "/busybox:nope: manifest unknown: "
                                              "GET http://" +
                                              reg->host() +
                                              "/v2/busybox/manifests/nope: "
                                              "404 MANIFEST_UNKNOWN: manifest unknown",
                                          0),
            0u)
      << missing.error().message;
  auto no_digest = store_->Pull(reg->host() + "/busybox@sha256:" + std::string(64, '0'), {}, {});
  ASSERT_FALSE(no_digest);
  EXPECT_EQ(no_digest.error().reason, api::Reason::kNotFound) << no_digest.error().message;
  auto no_repo = store_->Pull(reg->host() + "/nothing/here:1", {}, {});
  ASSERT_FALSE(no_repo);
  EXPECT_NE(no_repo.error().message.find("manifest unknown"), std::string::npos)
      << no_repo.error().message;
  auto closed =
      store_->Pull("127.0.0.1:" + std::to_string(testing::FreePort()) + "/busybox:1", {}, {});
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().reason, api::Reason::kServiceUnavailable) << closed.error().message;
  EXPECT_NE(closed.error().message.find("could not connect"), std::string::npos);
}

TEST_F(RegistryPull, BasicAuthWithADockerConfigJsonSecret) {
  auto reg = StartRegistry({.user = "alice", .password = "s3cret"}, {"private/busybox:1"});
  ASSERT_TRUE(reg);
  std::string ref = reg->host() + "/private/busybox:1";
  auto anon = store_->Pull(ref, {}, {});
  ASSERT_FALSE(anon);
  EXPECT_EQ(anon.error().reason, api::Reason::kUnauthorized);
  EXPECT_NE(anon.error().message.find("pull " + ref + ": unauthorized: "), std::string::npos)
      << anon.error().message;

  DockerKeyring keyring;
  ASSERT_TRUE(keyring.AddSecret(DockerSecret(
      "wrong", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
      R"({"auths":{")" + reg->host() + R"(":{"username":"alice","password":"nope"}}})")));
  auto wrong = store_->Pull(ref, keyring.Lookup(*ParseImageReference(ref)), {});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().reason, api::Reason::kUnauthorized);
  EXPECT_NE(wrong.error().message.find("401 UNAUTHORIZED"), std::string::npos)
      << wrong.error().message;
  ExpectStoreEmpty();

  // The kubelet tries every matching credential: the good one after the bad one works.
  ASSERT_TRUE(keyring.AddSecret(DockerSecret(
      "regcred", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
      R"({"auths":{"http://)" + reg->host() + R"(":{"auth":")" + B64("alice:s3cret") + R"("}}})")));
  auto creds = keyring.Lookup(*ParseImageReference(ref));
  ASSERT_EQ(creds.size(), 2u);
  auto img = store_->Pull(ref, creds, {});
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_TRUE(store_->Resolve(ref));
}

TEST_F(RegistryPull, TamperedOrTruncatedBlobsAreRejectedAndNothingIsStored) {
  auto reg = StartRegistry({}, {"busybox:1"});
  ASSERT_TRUE(reg);
  std::string ref = reg->host() + "/busybox:1";
  httplib::Client c("http://" + reg->host());
  auto res = c.Get("/v2/busybox/manifests/1",
                   {{"Accept", "application/vnd.docker.distribution.manifest.v2+json"}});
  ASSERT_TRUE(res && res->status == 200);
  std::string layer = Json::parse(res->body)["layers"][0]["digest"];
  std::string file = reg->BlobFile(layer);
  std::string original = *ReadFile(file);

  std::string flipped = original;
  flipped[flipped.size() / 2] ^= 0x55;
  ASSERT_TRUE(WriteFileAtomic(file, flipped, 0644));
  auto bad = store_->Pull(ref, {}, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason, api::Reason::kBadRequest);
  EXPECT_NE(bad.error().message.find("layer " + layer + ": GET"), std::string::npos)
      << bad.error().message;
  EXPECT_NE(bad.error().message.find("digest mismatch"), std::string::npos) << bad.error().message;
  ExpectStoreEmpty();

  ASSERT_TRUE(WriteFileAtomic(file, original + "trailing bytes", 0644));
  auto longer = store_->Pull(ref, {}, {});
  ASSERT_FALSE(longer);
  EXPECT_NE(longer.error().message.find("size mismatch"), std::string::npos)
      << longer.error().message;
  ExpectStoreEmpty();

  ASSERT_TRUE(WriteFileAtomic(file, original, 0644));
  EXPECT_TRUE(store_->Pull(ref, {}, {}));
}

// Pushes a manifest list / OCI index over the distribution API (what `docker buildx` does).
std::string PutManifest(const testing::TestRegistry& r, const std::string& path,
                        const std::string& body, const std::string& media_type) {
  httplib::Client c("http://" + r.host());
  auto res = c.Put(("/v2/" + path).c_str(), body, media_type.c_str());
  if (!res) return "no answer";
  if (res->status != 201) return std::to_string(res->status) + " " + res->body;
  return "";
}

TEST_F(RegistryPull, ManifestListsAndOciIndexesPickThisPlatform) {
  auto reg = StartRegistry({}, {});
  ASSERT_TRUE(reg);
  ASSERT_EQ(reg->Push("docker-archive:" + archive_, "multi:docker"), "");
  ASSERT_EQ(reg->Push("docker-archive:" + archive_, "multi:oci", "oci"), "");
  std::string docker = ManifestDigest(*reg, "multi/manifests/docker");
  std::string oci = ManifestDigest(*reg, "multi/manifests/oci");
  ASSERT_FALSE(docker.empty());
  ASSERT_FALSE(oci.empty());
  ASSERT_NE(docker, oci);
  auto size_of = [&](const std::string& d) {
    return static_cast<int64_t>(ReadFile(reg->BlobFile(d))->size());
  };
  std::string arch(HostArchitecture());
  std::string other = arch == "s390x" ? "ppc64le" : "s390x";
  // The other platform first, so taking the first entry would be wrong.
  Json index = {{"schemaVersion", 2},
                {"mediaType", "application/vnd.oci.image.index.v1+json"},
                {"manifests",
                 {{{"mediaType", "application/vnd.docker.distribution.manifest.v2+json"},
                   {"digest", docker},
                   {"size", size_of(docker)},
                   {"platform", {{"os", "linux"}, {"architecture", other}}}},
                  {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"digest", oci},
                   {"size", size_of(oci)},
                   {"platform", {{"os", "linux"}, {"architecture", arch}}}}}}};
  ASSERT_EQ(PutManifest(*reg, "multi/manifests/index", index.dump(),
                        "application/vnd.oci.image.index.v1+json"),
            "");
  Json list = index;
  list["mediaType"] = "application/vnd.docker.distribution.manifest.list.v2+json";
  list["manifests"][0]["platform"]["architecture"] = arch;
  list["manifests"][1]["platform"]["architecture"] = other;
  ASSERT_EQ(PutManifest(*reg, "multi/manifests/list", list.dump(),
                        "application/vnd.docker.distribution.manifest.list.v2+json"),
            "");

  auto from_index = store_->Pull(reg->host() + "/multi:index", {}, {});
  ASSERT_TRUE(from_index) << from_index.error().message;
  EXPECT_EQ(from_index->manifest_digest, oci);
  std::string index_digest = "sha256:" + Sha256Hex(index.dump());
  EXPECT_TRUE(store_->Resolve(reg->host() + "/multi@" + index_digest))
      << "the index digest names the image";
  auto from_list = store_->Pull(reg->host() + "/multi:list", {}, {});
  ASSERT_TRUE(from_list) << from_list.error().message;
  EXPECT_EQ(from_list->manifest_digest, docker);
  EXPECT_EQ(from_list->diff_ids, from_index->diff_ids);

  Json foreign = index;
  foreign["manifests"].erase(1);
  ASSERT_EQ(PutManifest(*reg, "multi/manifests/foreign", foreign.dump(),
                        "application/vnd.oci.image.index.v1+json"),
            "");
  auto none = store_->Pull(reg->host() + "/multi:foreign", {}, {});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no matching manifest for linux/" + arch), std::string::npos)
      << none.error().message;
}

// ---------------------------------------------------------------------------------------------
// The pod-facing puller: policies, back-off, events, secrets (no containers are run here).

class ImagePullerTest : public RegistryPull {
 protected:
  void SetUp() override {
    RegistryPull::SetUp();
    if (IsSkipped()) return;
    puller_ = std::make_unique<ImagePuller>(store_.get(), &client_, RegistryOptions{}, &clock_);
  }
  void TearDown() override { puller_.reset(); }
  api::Object Pod(const Json& container, const Json& secrets = Json::array()) {
    return api::Object(
        Json{{"apiVersion", "v1"},
             {"kind", "Pod"},
             {"metadata", {{"name", "p"}, {"namespace", "default"}, {"uid", "u1"}}},
             {"spec", {{"containers", {container}}, {"imagePullSecrets", secrets}}}});
  }
  // Calls Ensure until the outcome is no longer "pulling" (at most 30 s).
  ImagePuller::Outcome Settle(const api::Object& pod, ImagePullState& state) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    for (;;) {
      auto o = puller_->Ensure(pod, pod.spec()["containers"][0], state, Record());
      if (o.image || !o.reason.empty() || std::chrono::steady_clock::now() > deadline) return o;
      std::this_thread::sleep_for(10ms);
    }
  }
  ImagePuller::EventSink Record() {
    return [this](const std::string& type, const std::string& reason, const std::string& msg) {
      events_.push_back(type + " " + reason + " " + msg);
    };
  }

  testing::FakeClient client_;
  FakeClock clock_;
  std::unique_ptr<ImagePuller> puller_;
  std::vector<std::string> events_;
};

TEST_F(ImagePullerTest, PolicyAlwaysPullsAndReportsLikeTheKubelet) {
  auto reg = StartRegistry({}, {"busybox:latest"});
  ASSERT_TRUE(reg);
  std::string image = reg->host() + "/busybox";  // no tag: Always
  auto pod = Pod({{"name", "c"}, {"image", image}});
  ImagePullState state;
  auto first = puller_->Ensure(pod, pod.spec()["containers"][0], state, Record());
  EXPECT_FALSE(first.image);
  EXPECT_EQ(first.reason, "") << "ContainerCreating while the pull runs";
  auto done = Settle(pod, state);
  ASSERT_TRUE(done.image) << done.reason << ": " << done.message;
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[0], "Normal Pulling Pulling image \"" + image + "\"");
  EXPECT_TRUE(
      events_[1].starts_with("Normal Pulled Successfully pulled image \"" + image + "\" in "))
      << events_[1];
  EXPECT_NE(events_[1].find(" including waiting). Image size: " + std::to_string(done.image->size) +
                            " bytes."),
            std::string::npos)
      << events_[1];
}

TEST_F(ImagePullerTest, MissingImageIsErrImagePullThenImagePullBackOffWithGrowingDelay) {
  auto reg = StartRegistry({}, {});
  ASSERT_TRUE(reg);
  std::string image = reg->host() + "/missing:1";
  auto pod = Pod({{"name", "c"}, {"image", image}});
  ImagePullState state;
  auto o = Settle(pod, state);
  EXPECT_EQ(o.reason, "ErrImagePull");
  EXPECT_NE(o.message.find("manifest unknown"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find(image), std::string::npos) << o.message;
  EXPECT_EQ(events_.back(), "Warning Failed Failed to pull image \"" + image + "\": " + o.message);
  auto c = pod.spec()["containers"][0];
  o = puller_->Ensure(pod, c, state, Record());
  EXPECT_EQ(o.reason, "ErrImagePull") << "shown until the next sync, not the next status echo";
  clock_.Advance(2s);
  o = puller_->Ensure(pod, c, state, Record());
  EXPECT_EQ(o.reason, "ImagePullBackOff");
  EXPECT_EQ(o.message, "Back-off pulling image \"" + image + "\"");
  EXPECT_EQ(events_.back(), "Normal BackOff Back-off pulling image \"" + image + "\"");
  clock_.Advance(7s);
  EXPECT_EQ(puller_->Ensure(pod, c, state, Record()).reason, "ImagePullBackOff");
  clock_.Advance(2s);  // 10 s passed: pull again, fail again, now 20 s
  EXPECT_EQ(Settle(pod, state).reason, "ErrImagePull");
  clock_.Advance(15s);
  EXPECT_EQ(puller_->Ensure(pod, c, state, Record()).reason, "ImagePullBackOff");
  clock_.Advance(6s);
  EXPECT_EQ(Settle(pod, state).reason, "ErrImagePull");
}

TEST_F(ImagePullerTest, NeverIfNotPresentAndInvalidNames) {
  auto reg = StartRegistry({}, {"busybox:1"});
  ASSERT_TRUE(reg);
  std::string image = reg->host() + "/busybox:1";
  auto never = Pod({{"name", "c"}, {"image", image}, {"imagePullPolicy", "Never"}});
  ImagePullState s1;
  auto o = puller_->Ensure(never, never.spec()["containers"][0], s1, Record());
  EXPECT_EQ(o.reason, "ErrImageNeverPull");
  EXPECT_EQ(o.message,
            "Container image \"" + image + "\" is not present with pull policy of Never");
  EXPECT_EQ(events_.back(), "Warning ErrImageNeverPull " + o.message);

  auto ifnp = Pod({{"name", "c"}, {"image", image}});  // tag 1: IfNotPresent
  ImagePullState s2;
  ASSERT_TRUE(Settle(ifnp, s2).image);
  // Now present: no pull, for Never and IfNotPresent alike, even with the registry gone.
  reg.reset();
  ImagePullState s3, s4;
  EXPECT_TRUE(puller_->Ensure(never, never.spec()["containers"][0], s3, Record()).image);
  EXPECT_EQ(events_.back(),
            "Normal Pulled Container image \"" + image + "\" already present on machine");
  EXPECT_TRUE(puller_->Ensure(ifnp, ifnp.spec()["containers"][0], s4, Record()).image);
  // Always must reach the registry, and fails without it.
  auto always = Pod({{"name", "c"}, {"image", image}, {"imagePullPolicy", "Always"}});
  ImagePullState s5;
  EXPECT_EQ(Settle(always, s5).reason, "ErrImagePull");

  auto invalid = Pod({{"name", "c"}, {"image", "Not/Valid"}});
  ImagePullState s6;
  o = puller_->Ensure(invalid, invalid.spec()["containers"][0], s6, Record());
  EXPECT_EQ(o.reason, "InvalidImageName");
  EXPECT_EQ(o.message,
            "Failed to apply default image tag \"Not/Valid\": couldn't parse image name "
            "\"Not/Valid\": invalid reference format: repository name must be lowercase");
}

TEST_F(ImagePullerTest, PullSecretsOfThePodAreUsedAndMissingOnesReported) {
  auto reg = StartRegistry({.user = "alice", .password = "s3cret"}, {"private/app:1"});
  ASSERT_TRUE(reg);
  std::string image = reg->host() + "/private/app:1";
  ASSERT_TRUE(client_.Create(DockerSecret(
      "regcred", "kubernetes.io/dockerconfigjson", ".dockerconfigjson",
      R"({"auths":{")" + reg->host() + R"(":{"auth":")" + B64("alice:s3cret") + R"("}}})")));
  auto pod = Pod({{"name", "c"}, {"image", image}},
                 Json::array({{{"name", "gone"}}, {{"name", "regcred"}}}));
  ImagePullState state;
  auto o = Settle(pod, state);
  ASSERT_TRUE(o.image) << o.message;
  EXPECT_EQ(events_[0],
            "Warning FailedToRetrieveImagePullSecret Unable to retrieve some image pull secrets "
            "(gone); attempting to pull the image may not succeed.");

  auto without = Pod(
      {{"name", "c"}, {"image", reg->host() + "/private/app:1"}, {"imagePullPolicy", "Always"}});
  ImagePullState s2;
  o = Settle(without, s2);
  EXPECT_EQ(o.reason, "ErrImagePull");
  EXPECT_NE(o.message.find("unauthorized"), std::string::npos) << o.message;
}

}  // namespace
}  // namespace keelson::runtime
