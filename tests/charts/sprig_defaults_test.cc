// Conformance tests for Sprig's defaults, JSON and reflection functions (ported from Sprig's
// defaults_test.go and reflect_test.go).
#include "tests/charts/sprig_testing.h"

namespace keelson::charts {
namespace {

using testing::List;
using testing::Sprig;

TEST(SprigDefaults, DefaultEmptyCoalesceAllAny) {
  Sprig s;
  EXPECT_EQ(s.Ok("default", {"foo", nullptr}), "foo");
  EXPECT_EQ(s.Ok("default", {"foo"}), "foo");
  EXPECT_EQ(s.Ok("default", {"foo", "bar"}), "bar");
  EXPECT_EQ(s.Ok("default", {"foo", ""}), "foo");
  EXPECT_EQ(s.Ok("default", {"foo", 0}), "foo");
  EXPECT_EQ(s.Ok("default", {"foo", 0.0}), "foo");
  EXPECT_EQ(s.Ok("default", {"foo", false}), "foo");
  EXPECT_EQ(s.Ok("default", {"foo", List({})}), "foo");
  EXPECT_EQ(s.Ok("default", {"foo", Value::object()}), "foo");
  EXPECT_EQ(s.Ok("default", {"foo", 1}), 1);
  EXPECT_EQ(s.Ok("default", {"foo", List({0})}), List({0}));
  for (Value v :
       {Value(), Value(""), Value(0), Value(0.0), Value(false), List({}), Value::object()}) {
    EXPECT_EQ(s.Ok("empty", {v}), true) << v.dump();
  }
  for (Value v :
       {Value(" "), Value(1), Value(-0.5), Value(true), List({nullptr}), Value{{"a", nullptr}}}) {
    EXPECT_EQ(s.Ok("empty", {v}), false) << v.dump();
  }
  EXPECT_EQ(s.Ok("coalesce", {nullptr, "", 0, "x", "y"}), "x");
  EXPECT_EQ(s.Ok("coalesce", {nullptr, ""}), nullptr);
  EXPECT_EQ(s.Ok("all", {1, "a", true}), true);
  EXPECT_EQ(s.Ok("all", {1, "", true}), false);
  EXPECT_EQ(s.Ok("all", {}), true);
  EXPECT_EQ(s.Ok("any", {0, "", true}), true);
  EXPECT_EQ(s.Ok("any", {0, ""}), false);
  EXPECT_EQ(s.Ok("any", {}), false);
  EXPECT_EQ(s.Ok("ternary", {"yes", "no", true}), "yes");
  EXPECT_EQ(s.Ok("ternary", {"yes", "no", false}), "no");
  EXPECT_EQ(s.Err("ternary", {"yes", "no", 1}), "wrong type for value; expected bool; got int");
  Value deep = {{"a", List({1, {{"b", 2}}})}};
  EXPECT_EQ(s.Ok("deepCopy", {deep}), deep);
  EXPECT_EQ(s.Ok("mustDeepCopy", {deep}), deep);
}

TEST(SprigDefaults, JsonFollowsGoEncoding) {
  Sprig s;
  Value v = {{"b", List({1, 2.5, 3.0, "x"})},
             {"a", "<&>"},
             {"e", Value::object()},
             {"n", nullptr},
             {"big", 1e21},
             {"small", 1e-7}};
  EXPECT_EQ(
      s.Ok("toJson", {v}),
      R"({"a":"\u003c\u0026\u003e","b":[1,2.5,3,"x"],"big":1e+21,"e":{},"n":null,"small":1e-7})");
  EXPECT_EQ(s.Ok("mustToJson", {v}), s.Ok("toJson", {v}));
  EXPECT_EQ(s.Ok("toRawJson", {Value{{"a", "<&>"}}}), R"({"a":"<&>"})");
  EXPECT_EQ(s.Ok("toPrettyJson", {Value{{"a", List({1})}, {"b", Value::object()}}}),
            "{\n  \"a\": [\n    1\n  ],\n  \"b\": {}\n}");
  EXPECT_EQ(s.Ok("toJson", {"tab\t\x01\xe2\x80\xa8"}), R"("tab\t\u0001\u2028")");
  EXPECT_EQ(s.Ok("fromJson", {R"({"a":1,"b":[true,null,"x"]})"}),
            (Value{{"a", 1.0}, {"b", List({true, nullptr, "x"})}}));
  EXPECT_TRUE(s.Ok("fromJson", {R"({"a":1)"}).is_null());
  EXPECT_EQ(s.Err("mustFromJson", {R"({"a":1)"}), "unexpected end of JSON input");
  EXPECT_EQ(s.Err("mustFromJson", {"xyz"}), "invalid character 'x' looking for beginning of value");
  EXPECT_EQ(s.Ok("toJson", {std::nan("")}), "");
  EXPECT_EQ(s.Err("mustToJson", {std::nan("")}), "json: unsupported value: NaN");
}

TEST(SprigReflect, TypesAndKinds) {
  Sprig s;
  EXPECT_EQ(s.Ok("typeOf", {"a"}), "string");
  EXPECT_EQ(s.Ok("typeOf", {1}), "int");
  EXPECT_EQ(s.Ok("typeOf", {1.5}), "float64");
  EXPECT_EQ(s.Ok("typeOf", {List({})}), "[]interface {}");
  EXPECT_EQ(s.Ok("typeOf", {Value::object()}), "map[string]interface {}");
  EXPECT_EQ(s.Ok("typeOf", {nullptr}), "<nil>");
  EXPECT_EQ(s.Ok("kindOf", {"a"}), "string");
  EXPECT_EQ(s.Ok("kindOf", {List({})}), "slice");
  EXPECT_EQ(s.Ok("kindOf", {Value::object()}), "map");
  EXPECT_EQ(s.Ok("kindOf", {nullptr}), "invalid");
  EXPECT_EQ(s.Ok("kindIs", {"int", 1}), true);
  EXPECT_EQ(s.Ok("kindIs", {"map", List({})}), false);
  EXPECT_EQ(s.Ok("typeIs", {"float64", 1.5}), true);
  EXPECT_EQ(s.Ok("typeIsLike", {"float64", 1.5}), true);
  EXPECT_EQ(s.Ok("typeIsLike", {"semver.Version", s.Ok("semver", {"1.2.3"})}), true);
  EXPECT_EQ(s.Ok("kindOf", {s.Ok("now", {})}), "struct");
  EXPECT_EQ(s.Ok("deepEqual", {List({1, "a"}), List({1, "a"})}), true);
  EXPECT_EQ(s.Ok("deepEqual", {1, 1.0}), false);
  EXPECT_EQ(s.Ok("deepEqual", {Value{{"a", 1}}, Value{{"a", 2}}}), false);
}

}  // namespace
}  // namespace keelson::charts
