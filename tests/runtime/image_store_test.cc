// Tests for runtime/image_store: import, references, safe unpacking, rootfs.
#include "runtime/image_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "runtime/fsutil.h"
#include "tests/runtime/test_util.h"

namespace keelson::runtime {
namespace {

using testing::BuildTestImage;
using testing::Exists;
using testing::TarEntry;
using testing::TempDir;
using testing::WriteTar;

TEST(NormalizeReference, DockerRules) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"busybox", "docker.io/library/busybox:latest"},
      {"busybox:1.36", "docker.io/library/busybox:1.36"},
      {"me/app", "docker.io/me/app:latest"},
      {"localhost/app:v1", "localhost/app:v1"},
      {"r.example:5000/a/b", "r.example:5000/a/b:latest"},
      {"keelson.dev/busybox:test", "keelson.dev/busybox:test"},
  };
  for (const auto& c : cases) {
    auto got = NormalizeReference(c.in);
    ASSERT_TRUE(got) << c.in << ": " << got.error().message;
    EXPECT_EQ(*got, c.want) << c.in;
  }
  for (const char* bad : {"", "Busybox", "a:", "a b", "x@sha256:zz"}) {
    EXPECT_FALSE(NormalizeReference(bad)) << bad;
  }
}

class UnpackLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    ASSERT_TRUE(MakeDirs(tmp_ / "outside"));
    ASSERT_TRUE(WriteFileAtomic(tmp_ / "outside/secret", "s"));
    ASSERT_TRUE(MakeDirs(tmp_ / "layer"));
  }
  api::Status Unpack(const std::vector<TarEntry>& entries) {
    WriteTar(tmp_ / "l.tar", entries);
    return UnpackLayer(tmp_ / "l.tar", tmp_ / "layer");
  }
  // Nothing but the secret was ever written outside the layer.
  void ExpectOutsideUntouched() {
    EXPECT_FALSE(Exists(tmp_ / "outside/evil"));
    EXPECT_FALSE(Exists(tmp_ / "evil"));
    struct stat st;
    ASSERT_EQ(stat((tmp_ / "outside/secret").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u) << "a hardlink to a file outside the layer was made";
    EXPECT_EQ(*ReadFile(tmp_ / "outside/secret"), "s");
  }
  TempDir tmp_;
};

TEST_F(UnpackLayerTest, UnpacksFilesDirsAndInternalLinks) {
  auto st = Unpack({{"./dir/", TarEntry::kDir, "", 0755},
                    {"./dir/f", TarEntry::kFile, "hello", 0640},
                    {"link", TarEntry::kSymlink, "dir"},
                    {"link/g", TarEntry::kFile, "via link"},
                    {"abs", TarEntry::kSymlink, "/etc/passwd"},
                    {"hard", TarEntry::kHardlink, "dir/f"}});
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(*ReadFile(tmp_ / "layer/dir/f"), "hello");
  EXPECT_EQ(*ReadFile(tmp_ / "layer/dir/g"), "via link");
  EXPECT_EQ(*ReadFile(tmp_ / "layer/hard"), "hello");
  struct stat sb;
  ASSERT_EQ(stat((tmp_ / "layer/dir/f").c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0640u);
  char buf[64] = {};
  ASSERT_GT(readlink((tmp_ / "layer/abs").c_str(), buf, sizeof buf), 0);
  EXPECT_STREQ(buf,
               "/etc/passwd");  // a symlink itself may point anywhere: it resolves in the container
}

TEST_F(UnpackLayerTest, RejectsMaliciousEntries) {
  std::string abs_outside = tmp_ / "outside";
  struct Case {
    const char* what;
    std::vector<TarEntry> entries;
    const char* want;  // substring of the error
  } cases[] = {
      {"dotdot", {{"../outside/evil", TarEntry::kFile, "x"}}, "escapes"},
      {"dotdot deep", {{"a/../../evil", TarEntry::kFile, "x"}}, "escapes"},
      {"absolute", {{abs_outside + "/evil", TarEntry::kFile, "x"}}, "absolute"},
      {"relative symlink escape",
       {{"l", TarEntry::kSymlink, "../outside"}, {"l/evil", TarEntry::kFile, "x"}},
       "outside the layer"},
      {"absolute symlink escape",
       {{"l", TarEntry::kSymlink, abs_outside}, {"l/evil", TarEntry::kFile, "x"}},
       "outside the layer"},
      {"hardlink dotdot", {{"h", TarEntry::kHardlink, "../outside/secret"}}, "escapes"},
      {"hardlink absolute", {{"h", TarEntry::kHardlink, abs_outside + "/secret"}}, "absolute"},
      {"hardlink through symlink",
       {{"l", TarEntry::kSymlink, abs_outside}, {"h", TarEntry::kHardlink, "l/secret"}},
       "outside the layer"},
      {"device node", {{"dev/mem", TarEntry::kCharDev}}, "device"},
  };
  for (auto& c : cases) {
    RemoveAll(tmp_ / "layer");
    MakeDirs(tmp_ / "layer");
    auto st = Unpack(c.entries);
    ASSERT_FALSE(st) << c.what;
    EXPECT_NE(st.error().message.find(c.want), std::string::npos)
        << c.what << ": " << st.error().message;
    EXPECT_NE(st.error().message.find("entry \""), std::string::npos)
        << "names the entry: " << st.error().message;
    ExpectOutsideUntouched();
  }
}

TEST_F(UnpackLayerTest, WhiteoutsBecomeOverlayWhiteoutsOrMarkers) {
  auto st = Unpack({{"d/", TarEntry::kDir, "", 0755},
                    {"d/.wh.gone", TarEntry::kFile, ""},
                    {"o/", TarEntry::kDir, "", 0755},
                    {"o/.wh..wh..opq", TarEntry::kFile, ""}});
  ASSERT_TRUE(st) << st.error().message;
  struct stat sb;
  if (geteuid() == 0) {
    ASSERT_EQ(lstat((tmp_ / "layer/d/gone").c_str(), &sb), 0);
    EXPECT_TRUE(S_ISCHR(sb.st_mode));
    EXPECT_EQ(sb.st_rdev, makedev(0, 0));
  } else {
    EXPECT_TRUE(Exists(tmp_ / "layer/d/.wh.gone"));
  }
}

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ImageStore::Open(tmp_ / "images");
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  TempDir tmp_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageStoreTest, ImportsDockerSaveArchive) {
  std::string archive = BuildTestImage(tmp_.path(), "docker");
  ASSERT_FALSE(archive.empty()) << "scripts/build-test-image.sh failed";
  auto images = store_->Import(archive);
  ASSERT_TRUE(images) << images.error().message;
  ASSERT_EQ(images->size(), 1u);
  const auto& img = (*images)[0];
  EXPECT_EQ(img.refs, std::vector<std::string>{"keelson.dev/busybox:test"});
  EXPECT_EQ(img.config.cmd, std::vector<std::string>{"sh"});
  ASSERT_EQ(img.diff_ids.size(), 1u);
  EXPECT_TRUE(Exists(store_->LayerDir(img.diff_ids[0]) + "/bin/busybox"));
  EXPECT_TRUE(Exists(store_->LayerDir(img.diff_ids[0]) + "/bin/httpd"));
  auto again = store_->Resolve("keelson.dev/busybox:test");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->config_digest, img.config_digest);
  auto by_id = store_->Resolve(img.config_digest.substr(7, 12));
  ASSERT_TRUE(by_id) << by_id.error().message;
  EXPECT_EQ(by_id->manifest_digest, img.manifest_digest);
}

TEST_F(ImageStoreTest, ImportsOciLayoutArchiveToTheSameImage) {
  std::string docker = BuildTestImage(tmp_.path(), "docker");
  std::string oci = BuildTestImage(tmp_.path(), "oci");
  ASSERT_FALSE(oci.empty());
  auto a = store_->Import(docker);
  auto b = store_->Import(oci);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ((*a)[0].config_digest, (*b)[0].config_digest);
  auto list = store_->List();
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 1u);
}

TEST_F(ImageStoreTest, RemoveDropsBlobsAndLayers) {
  auto images = store_->Import(BuildTestImage(tmp_.path()));
  ASSERT_TRUE(images) << images.error().message;
  std::string layer = store_->LayerDir((*images)[0].diff_ids[0]);
  ASSERT_TRUE(store_->Remove("keelson.dev/busybox:test"));
  EXPECT_FALSE(store_->Resolve("keelson.dev/busybox:test"));
  EXPECT_FALSE(Exists(layer));
  EXPECT_EQ(store_->Remove("keelson.dev/busybox:test").error().reason, api::Reason::kNotFound);
}

TEST_F(ImageStoreTest, RejectsDigestMismatchAndMaliciousLayer) {
  // A docker-save archive whose config name lies about its digest.
  std::string config = R"({"rootfs":{"type":"layers","diff_ids":[]}})";
  std::string bad_name = std::string(64, 'a');
  WriteTar(tmp_ / "mismatch.tar",
           {{"manifest.json", TarEntry::kFile,
             R"([{"Config":")" + bad_name + R"(.json","RepoTags":["x:1"],"Layers":[]}])"},
            {bad_name + ".json", TarEntry::kFile, config}});
  auto r = store_->Import(tmp_ / "mismatch.tar");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("digest mismatch"), std::string::npos) << r.error().message;

  // A layer with a path traversal: rejected, nothing tagged, nothing written outside the store.
  WriteTar(tmp_ / "evil-layer.tar", {{"../../../evil", TarEntry::kFile, "x"}});
  std::string layer = *ReadFile(tmp_ / "evil-layer.tar");
  std::string diff = "sha256:" + Sha256Hex(layer);
  std::string cfg = R"({"rootfs":{"type":"layers","diff_ids":[")" + diff + R"("]}})";
  std::string cfg_hex = Sha256Hex(cfg);
  WriteTar(tmp_ / "evil.tar", {{"manifest.json", TarEntry::kFile,
                                R"([{"Config":")" + cfg_hex +
                                    R"(.json","RepoTags":["evil:1"],"Layers":["l/layer.tar"]}])"},
                               {cfg_hex + ".json", TarEntry::kFile, cfg},
                               {"l/layer.tar", TarEntry::kFile, layer}});
  r = store_->Import(tmp_ / "evil.tar");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("escapes"), std::string::npos) << r.error().message;
  EXPECT_FALSE(store_->Resolve("evil:1"));
  EXPECT_FALSE(Exists(tmp_ / "evil"));
  EXPECT_FALSE(Exists(tmp_ / "images/evil"));
  EXPECT_FALSE(Exists(tmp_ / "images/layers/" + diff.substr(7)));
}

TEST_F(ImageStoreTest, CopyRootfsAppliesWhiteouts) {
  // Two layers: the second deletes /a/x and makes /b opaque.
  WriteTar(tmp_ / "l1.tar", {{"a/x", TarEntry::kFile, "1"},
                             {"a/y", TarEntry::kFile, "2"},
                             {"b/z", TarEntry::kFile, "3"}});
  WriteTar(tmp_ / "l2.tar", {{"a/.wh.x", TarEntry::kFile, ""},
                             {"b/.wh..wh..opq", TarEntry::kFile, ""},
                             {"b/n", TarEntry::kFile, "4"}});
  std::string l1 = *ReadFile(tmp_ / "l1.tar"), l2 = *ReadFile(tmp_ / "l2.tar");
  std::string d1 = Sha256Hex(l1), d2 = Sha256Hex(l2);
  std::string cfg = R"({"config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:)" +
                    d1 + R"(","sha256:)" + d2 + R"("]}})";
  std::string ch = Sha256Hex(cfg);
  WriteTar(tmp_ / "two.tar",
           {{"manifest.json", TarEntry::kFile,
             R"([{"Config":")" + ch +
                 R"(.json","RepoTags":["two:1"],"Layers":["1/layer.tar","2/layer.tar"]}])"},
            {ch + ".json", TarEntry::kFile, cfg},
            {"1/layer.tar", TarEntry::kFile, l1},
            {"2/layer.tar", TarEntry::kFile, l2}});
  auto images = store_->Import(tmp_ / "two.tar");
  ASSERT_TRUE(images) << images.error().message;
  for (bool overlay : {false, true}) {
    if (overlay && geteuid() != 0) continue;
    std::string cdir = tmp_ / (overlay ? "c-overlay" : "c-copy");
    auto fs = store_->CreateRootfs((*images)[0], cdir, overlay);
    ASSERT_TRUE(fs) << fs.error().message;
    EXPECT_EQ(fs->overlay, overlay);
    EXPECT_FALSE(Exists(fs->path + "/a/x")) << overlay;
    EXPECT_EQ(*ReadFile(fs->path + "/a/y"), "2");
    EXPECT_FALSE(Exists(fs->path + "/b/z")) << overlay;
    EXPECT_EQ(*ReadFile(fs->path + "/b/n"), "4");
    ASSERT_TRUE(ImageStore::RemoveRootfs(cdir));
    EXPECT_FALSE(Exists(fs->path));
  }
}

}  // namespace
}  // namespace keelson::runtime
