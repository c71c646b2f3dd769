// Tests for api/quantity.h: cases from resource.Quantity's own tests.
#include "api/quantity.h"

#include <gtest/gtest.h>

namespace keelson::api {
namespace {

struct Canonical {
  const char* in;
  const char* out;
};

TEST(Quantity, ParsesAndPrintsCanonically) {
  const Canonical cases[] = {
      {"0", "0"},
      {"0Ki", "0"},
      {"100m", "100m"},
      {"1Gi", "1Gi"},
      {"1.5", "1500m"},
      {"2e3", "2e3"},
      {"128974848", "128974848"},
      {"129M", "129M"},
      {"123Mi", "123Mi"},
      {"1024Mi", "1Gi"},
      {"1000M", "1G"},
      {"1000", "1k"},
      {"1000m", "1"},
      {"0.1", "100m"},
      {"0.5Gi", "512Mi"},
      {"1.5Ki", "1536"},
      {"0.5Ki", "512"},
      {".001Ki", "1024m"},
      {".000001Ki", "1024u"},
      {".000000001Ki", "1024n"},
      {".000000000001Ki", "2n"},
      {"3.001n", "4n"},
      {"1.2e3", "1200"},
      {"1.5e-3", "1500e-6"},
      {"1e9", "1e9"},
      {"12E", "12E"},
      {"1.", "1"},
      {"1.G", "1G"},
      {"-100m", "-100m"},
      {"+1Gi", "1Gi"},
      {"0.00000012345", "124n"},
      {"9Ei", "9223372036854775807"},
      {"100.035k", "100035"},
  };
  for (const auto& c : cases) {
    auto q = Quantity::Parse(c.in);
    ASSERT_TRUE(q.has_value()) << c.in << ": " << q.error().message;
    EXPECT_EQ(q->String(), c.out) << c.in;
  }
}

TEST(Quantity, RejectsMalformedInputWithUpstreamMessages) {
  const std::string kFormat =
      "quantities must match the regular expression "
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  const std::pair<const char*, std::string> cases[] = {
      {"", kFormat},
      {"1.1.M", kFormat},
      {"1+1.0M", kFormat},
      {" 1", kFormat},
      {"1 ", kFormat},
      {"aoeu", kFormat},
      {"0.1mi", "unable to parse quantity's suffix"},
      {"0.1am", kFormat},
      {".5i", "unable to parse quantity's suffix"},
      {"1i", "unable to parse quantity's suffix"},
      {"-3.01e-", "unable to parse quantity's suffix"},
  };
  for (const auto& [in, msg] : cases) {
    auto q = Quantity::Parse(in);
    ASSERT_FALSE(q.has_value()) << in;
    EXPECT_EQ(q.error().message, msg) << in;
    EXPECT_EQ(q.error().reason, Reason::kBadRequest);
  }
}

TEST(Quantity, ValuesRoundAwayFromZero) {
  EXPECT_EQ(Quantity::Parse("100m")->MilliValue(), 100);
  EXPECT_EQ(Quantity::Parse("1")->MilliValue(), 1000);
  EXPECT_EQ(Quantity::Parse("1.5")->Value(), 2);
  EXPECT_EQ(Quantity::Parse("-1.5")->Value(), -2);
  EXPECT_EQ(Quantity::Parse("1Gi")->Value(), 1073741824);
  EXPECT_EQ(Quantity::Parse("1n")->MilliValue(), 1);
  EXPECT_EQ(Quantity::Parse("9Ei")->Value(), INT64_MAX);
  EXPECT_EQ(Quantity::Parse("100E")->Value(), INT64_MAX);  // saturates
}

TEST(Quantity, ComparesByValue) {
  EXPECT_EQ(*Quantity::Parse("1Gi"), *Quantity::Parse("1073741824"));
  EXPECT_GT(*Quantity::Parse("10000T"), *Quantity::Parse("100Gi"));
  EXPECT_LT(*Quantity::Parse("50m"), *Quantity::Parse("100m"));
  EXPECT_EQ(*Quantity::Parse("0"), Quantity());
}

TEST(Quantity, ArithmeticKeepsTheSuffixOfTheNonZeroOperand) {
  Quantity zero;
  EXPECT_EQ((zero + *Quantity::Parse("100m")).String(), "100m");
  EXPECT_EQ((*Quantity::Parse("1Gi") + zero).String(), "1Gi");
  EXPECT_EQ((*Quantity::Parse("1Gi") - *Quantity::Parse("512Mi")).String(), "512Mi");
  EXPECT_EQ((zero - *Quantity::Parse("100m")).String(), "-100m");
}

TEST(Quantity, ReadsJsonStringsAndNumbers) {
  EXPECT_EQ(Quantity::FromJson(Json("250m"))->MilliValue(), 250);
  EXPECT_EQ(Quantity::FromJson(Json(2))->String(), "2");
  EXPECT_EQ(Quantity::FromJson(Json(0.5))->String(), "500m");
  EXPECT_FALSE(Quantity::FromJson(Json::array()).has_value());
  EXPECT_EQ(Quantity::FromMilli(1500).String(), "1500m");
  EXPECT_EQ(Quantity::FromInt(2048, Quantity::Format::kBinarySI).String(), "2Ki");
}

}  // namespace
}  // namespace keelson::api
