// Tests for chart loading, values and rendering as `helm template` (charts/render.h), against
// fixtures under tests/charts/testdata with expected outputs derived from Helm's semantics.
#include "charts/render.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "charts/values.h"

namespace keelson::charts {
namespace {

namespace fs = std::filesystem;

std::string TestData(const std::string& rel) {
  const char* src = std::getenv("KEELSON_SOURCE_DIR");
  std::string root = src ? src : ".";
  return root + "/tests/charts/testdata/" + rel;
}

std::string ReadFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "keelson-charts-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void Write(const std::string& rel, const std::string& data) const {
    fs::path p = fs::path(path_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
  }

 private:
  std::string path_;
};

api::Result<Rendered> RenderDir(const std::string& dir, const RenderOptions& opts = {}) {
  auto c = LoadChart(dir);
  if (!c) return std::unexpected(c.error());
  return RenderChart(**c, opts);
}

TEST(RenderChart, ShopFixtureMatchesHelmTemplate) {
  RenderOptions opts;
  opts.release_name = "rel";
  opts.namespace_name = "prod";
  auto r = RenderDir(TestData("shop"), opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  if (std::getenv("KEELSON_UPDATE_GOLDEN")) {
    std::ofstream(TestData("shop.golden")) << r->output;
  }
  EXPECT_EQ(r->output, ReadFile(TestData("shop.golden")));
  EXPECT_EQ(r->notes, "Thank you for installing shop as rel.\n");
}
}  // namespace
}  // namespace keelson::charts
