// Tests for api/patch.h: JSON merge patch (RFC 7386 appendix A), JSON patch (RFC 6902 appendix A).
#include "api/patch.h"

#include <gtest/gtest.h>

namespace keelson::api {
namespace {

Json J(const char* s) { return Json::parse(s); }

TEST(JsonMergePatch, Rfc7386AppendixA) {
  const char* cases[][3] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", R"(null)", R"(null)"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(JsonMergePatch(J(c[0]), J(c[1])), J(c[2])) << c[0] << " + " << c[1];
  }
}

TEST(JsonMergePatch, CreateRoundTrips) {
  Json a = J(R"({"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"x":[1,2],"y":1}})");
  Json b = J(R"({"metadata":{"labels":{"a":"1","c":"3"}},"spec":{"x":[1],"z":true}})");
  Json p = CreateJsonMergePatch(a, b);
  EXPECT_EQ(p,
            J(R"({"metadata":{"labels":{"b":null,"c":"3"}},"spec":{"x":[1],"y":null,"z":true}})"));
  EXPECT_EQ(JsonMergePatch(a, p), b);
  EXPECT_EQ(CreateJsonMergePatch(a, a), Json::object());
}

TEST(JsonPatch, AppliesEveryOperation) {
  Json doc = J(R"({"foo":["bar","baz"],"a":{"b":1},"k~/":2})");
  Json patch = J(R"([
    {"op":"add","path":"/foo/1","value":"qux"},
    {"op":"add","path":"/foo/-","value":"end"},
    {"op":"remove","path":"/a/b"},
    {"op":"replace","path":"/k~0~1","value":3},
    {"op":"copy","from":"/foo/0","path":"/first"},
    {"op":"move","from":"/first","path":"/a/moved"},
    {"op":"test","path":"/foo","value":["bar","qux","baz","end"]}
  ])");
  auto out = ApplyJsonPatch(doc, patch);
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(*out, J(R"({"foo":["bar","qux","baz","end"],"a":{"moved":"bar"},"k~/":3})"));
}

TEST(JsonPatch, ErrorsNameTheOperation) {
  Json doc = J(R"({"a":{"b":1},"l":[1]})");
  struct Case {
    const char* patch;
    Reason reason;
    const char* message;
  } cases[] = {
      {R"([{"op":"test","path":"/a/b","value":1},{"op":"test","path":"/a/b","value":2}])",
       Reason::kInvalid, "json patch operation 1 (test /a/b): test failed"},
      {R"([{"op":"remove","path":"/x"}])", Reason::kInvalid,
       "json patch operation 0 (remove /x): path not found"},
      {R"([{"op":"replace","path":"/a/c","value":1}])", Reason::kInvalid,
       "json patch operation 0 (replace /a/c): path not found"},
      {R"([{"op":"add","path":"/l/5","value":1}])", Reason::kInvalid,
       "json patch operation 0 (add /l/5): array index out of bounds"},
      {R"([{"op":"move","from":"/a","path":"/a/b/c"}])", Reason::kInvalid,
       "json patch operation 0 (move /a/b/c): cannot move \"/a\" into its own child"},
      {R"([{"op":"frobnicate","path":"/a"}])", Reason::kBadRequest,
       "json patch operation 0 (frobnicate /a): unknown op \"frobnicate\""},
      {R"([{"op":"add","path":"/a"}])", Reason::kBadRequest,
       "json patch operation 0 (add /a): missing \"value\""},
      {R"({"op":"add"})", Reason::kBadRequest,
       "json patch must be an array of operations, got object"},
  };
  for (const auto& c : cases) {
    auto out = ApplyJsonPatch(doc, J(c.patch));
    ASSERT_FALSE(out.has_value()) << c.patch;
    EXPECT_EQ(out.error().message, c.message);
    EXPECT_EQ(out.error().reason, c.reason) << c.patch;
  }
}

TEST(JsonPatch, ContentTypes) {
  EXPECT_EQ(PatchTypeFromContentType("application/merge-patch+json; charset=utf-8"),
            PatchType::kMergePatch);
  EXPECT_EQ(PatchTypeFromContentType("application/strategic-merge-patch+json"),
            PatchType::kStrategicMergePatch);
  EXPECT_EQ(PatchTypeFromContentType("application/json-patch+json"), PatchType::kJsonPatch);
  EXPECT_EQ(PatchTypeFromContentType("application/json"), std::nullopt);
}

}  // namespace
}  // namespace keelson::api
