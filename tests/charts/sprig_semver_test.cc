// Conformance tests for Sprig's semver functions (ported from Sprig's semver_test.go and
// Masterminds/semver's constraint tests).
#include "tests/charts/sprig_testing.h"

namespace keelson::charts {
namespace {

using testing::Sprig;

TEST(SprigSemver, ParsesVersions) {
  Sprig s;
  Value v = s.Ok("semver", {"v1.2.3-beta.1+build.5"});
  EXPECT_EQ(v["Major"], 1);
  EXPECT_EQ(v["Minor"], 2);
  EXPECT_EQ(v["Patch"], 3);
  EXPECT_EQ(v["Prerelease"], "beta.1");
  EXPECT_EQ(v["Metadata"], "build.5");
  EXPECT_EQ(v["Original"], "v1.2.3-beta.1+build.5");
  EXPECT_EQ(FormatValue(v), "1.2.3-beta.1+build.5");
  EXPECT_EQ(GoTypeName(v), "*semver.Version");
  EXPECT_EQ(FormatValue(s.Ok("semver", {"1.2"})), "1.2.0");
  EXPECT_EQ(s.Err("semver", {"1.2.3.4"}), "Invalid Semantic Version");
  EXPECT_EQ(s.Err("semver", {"1.2.3-01"}), "Version segment starts with 0");
}

TEST(SprigSemver, ConstraintsTable) {
  Sprig s;
  struct C {
    const char* constraint;
    const char* version;
    bool want;
  };
  std::vector<C> cases = {
      {"1.2.3", "1.2.3", true},
      {"1.2.3", "1.2.4", false},
      {"=1.2.3", "1.2.3", true},
      {"!=1.2.3", "1.2.4", true},
      {"!=1.2.3", "1.2.3", false},
      {">1.2.3", "1.2.4", true},
      {">1.2.3", "1.2.3", false},
      {">1.1", "1.1.5", false},
      {">1.1", "1.2.0", true},
      {">11", "11.1.0", false},
      {">=1.2.3", "1.2.3", true},
      {"=>1.2.3", "1.2.3", true},
      {"<1.2.3", "1.2.2", true},
      {"<=1.2.3", "1.2.3", true},
      {"<=1.2", "1.2.9", true},
      {"<=1.2", "1.3.0", false},
      {"~1.2.3", "1.2.9", true},
      {"~1.2.3", "1.3.0", false},
      {"~1", "1.9.0", true},
      {"~1", "2.0.0", false},
      {"~>1.2", "1.2.9", true},
      {"~0.0.0", "5.0.0", true},
      {"^1.2.3", "1.9.9", true},
      {"^1.2.3", "2.0.0", false},
      {"^1.2.3", "1.2.2", false},
      {"^0.2.3", "0.2.9", true},
      {"^0.2.3", "0.3.0", false},
      {"^0.0.3", "0.0.3", true},
      {"^0.0.3", "0.0.4", false},
      {"^0", "0.9.0", true},
      {"^0", "1.0.0", false},
      {"^0.0", "0.0.9", true},
      {"^0.0", "0.1.0", false},
      {"1.2.x", "1.2.9", true},
      {"1.2.x", "1.3.0", false},
      {"1.x", "1.9.9", true},
      {"*", "9.9.9", true},
      {"x", "0.0.1", true},
      {">=1.2, <2", "1.5.0", true},
      {">=1.2, <2", "2.0.0", false},
      {">=1.2 <2", "1.5.0", true},
      {"1.2 - 1.4.5", "1.4.5", true},
      {"1.2 - 1.4.5", "1.4.6", false},
      {"1.2.3 - 2", "2.9.0", true},
      {"<1 || >=3", "0.5.0", true},
      {"<1 || >=3", "2.0.0", false},
      {"<1 || >=3", "3.0.0", true},
      {">=1.0.0", "1.1.0-beta", false},
      {">=1.0.0-0", "1.1.0-beta", true},
      {">=1.1.0-alpha", "1.1.0-beta", true},
      {">=1.1.0-beta.2", "1.1.0-beta.10", true},
      {"<1.1.0-beta.10", "1.1.0-beta.9", true},
      {"1.1.0-beta", "1.1.0-beta", true},
      {">= 1.13.0-0", "1.14.3-gke.1", true},
      {"^1.x", "1.5.0", true},
      {"v1.2.3", "1.2.3", true},
      {">1.2.3", "v1.3.0", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(s.Ok("semverCompare", {c.constraint, c.version}), c.want)
        << c.constraint << " vs " << c.version;
  }
}

TEST(SprigSemver, BadConstraintsAndVersionsFail) {
  Sprig s;
  EXPECT_EQ(s.Err("semverCompare", {"1.2.3 ||", "1.2.3"}), "improper constraint: ");
  EXPECT_EQ(s.Err("semverCompare", {">= bad", "1.2.3"}), "improper constraint: >= bad");
  EXPECT_EQ(s.Err("semverCompare", {"", "1.2.3"}), "improper constraint: ");
  EXPECT_EQ(s.Err("semverCompare", {">=1.0", "bad"}), "Invalid Semantic Version");
}

}  // namespace
}  // namespace keelson::charts
