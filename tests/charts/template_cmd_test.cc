// keelctl template / lint end to end through the CLI entry point (cli/cmd_template.cc).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/commands.h"

namespace keelson::cli {
namespace {

std::string Chart(const std::string& name) {
  const char* src = std::getenv("KEELSON_SOURCE_DIR");
  return std::string(src ? src : ".") + "/tests/charts/testdata/" + name;
}

TEST(KeelctlTemplate, PrintsWhatHelmTemplatePrints) {
  std::istringstream in;
  std::ostringstream out, err;
  int rc = RunKeelctl({"template", "rel", Chart("shop"), "-n", "prod"}, in, out, err);
  ASSERT_EQ(rc, 0) << err.str();
  std::ostringstream golden;
  golden << std::ifstream(Chart("shop.golden")).rdbuf();
  EXPECT_EQ(out.str(), golden.str());
}

TEST(KeelctlTemplate, FlagsAndErrors) {
  std::istringstream in;
  std::ostringstream out, err;
  int rc = RunKeelctl({"template", Chart("shop"), "--set", "replicaCount=4", "--show-only",
                       "templates/service.yaml", "--skip-tests"},
                      in, out, err);
  ASSERT_EQ(rc, 0) << err.str();
  EXPECT_TRUE(out.str().starts_with("---\n# Source: shop/templates/service.yaml\n")) << out.str();
  std::ostringstream out2, err2;
  rc = RunKeelctl({"template", "rel", "/nonexistent/chart"}, in, out2, err2);
  EXPECT_EQ(rc, 1);
  EXPECT_TRUE(err2.str().starts_with("Error: ")) << err2.str();
}

TEST(KeelctlLint, CleanChart) {
  std::istringstream in;
  std::ostringstream out, err;
  int rc = RunKeelctl({"lint", Chart("shop")}, in, out, err);
  EXPECT_EQ(rc, 0) << err.str() << out.str();
  EXPECT_NE(out.str().find("[INFO] Chart.yaml: icon is recommended"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("1 chart(s) linted, 0 chart(s) failed"), std::string::npos);
}

}  // namespace
}  // namespace keelson::cli
