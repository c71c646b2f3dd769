// Tests for api/object.h and api/error.h.
#include "api/object.h"

#include <gtest/gtest.h>

#include "api/error.h"

namespace keelson::api {
namespace {

TEST(Object, MetadataAccessorsReadAndWrite) {
  Object o(Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
                            "metadata":{"name":"web","namespace":"shop","labels":{"app":"web"}}})"));
  EXPECT_EQ(o.gvk(), (GroupVersionKind{"apps", "v1", "Deployment"}));
  EXPECT_EQ(o.name(), "web");
  EXPECT_EQ(o.label("app"), "web");
  EXPECT_EQ(o.label("missing"), std::nullopt);
  o.set_annotation("a", "1");
  o.remove_label("app");
  EXPECT_FALSE(o.metadata().contains("labels"));
  EXPECT_EQ(o.annotation("a"), "1");
}

TEST(Object, TimeRoundTrips) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(ParseTime("2024-02-03T04:05:06Z"), 1706933106);
  EXPECT_EQ(ParseTime("2024-02-03T05:05:06.123+01:00"), 1706933106);
  EXPECT_EQ(ParseTime("yesterday"), std::nullopt);
}

TEST(Error, StatusRoundTripKeepsReasonAndCauses) {
  Error e = Invalid("ConfigMap", "x", {{"FieldValueRequired", "data", "data: Required value"}});
  EXPECT_EQ(e.HttpCode(), 422);
  Error back = Error::FromStatus(e.ToStatus(), 422);
  EXPECT_EQ(back.reason, Reason::kInvalid);
  EXPECT_EQ(back.message, "ConfigMap \"x\" is invalid: data: Required value");
  ASSERT_EQ(back.causes.size(), 1u);
  EXPECT_EQ(back.causes[0].field, "data");
  EXPECT_EQ(NotFound("configmaps", "x").Wrap("get").message, "get: configmaps \"x\" not found");
}

}  // namespace
}  // namespace keelson::api
