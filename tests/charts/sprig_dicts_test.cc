// Conformance tests for Sprig's dict functions (ported from Sprig's dict_test.go), with mergo's
// merge/mergeOverwrite rules.
#include "tests/charts/sprig_testing.h"

namespace keelson::charts {
namespace {

using testing::List;
using testing::Sprig;

TEST(SprigDicts, Table) {
  Sprig s;
  Value d = {{"a", 1}, {"b", "two"}, {"c", List({3})}};
  EXPECT_EQ(s.Ok("dict", {"a", 1, "b"}), (Value{{"a", 1}, {"b", ""}}));
  EXPECT_EQ(s.Ok("dict", {1, "x", true, "y"}), (Value{{"1", "x"}, {"true", "y"}}));
  EXPECT_EQ(s.Ok("get", {d, "b"}), "two");
  EXPECT_EQ(s.Ok("get", {d, "zz"}), "");
  EXPECT_EQ(s.Ok("set", {d, "z", 9})["z"], 9);
  EXPECT_FALSE(s.Ok("unset", {d, "a"}).contains("a"));
  EXPECT_EQ(s.Ok("hasKey", {d, "a"}), true);
  EXPECT_EQ(s.Ok("hasKey", {d, "q"}), false);
  EXPECT_EQ(s.Ok("pluck", {"a", d, Value{{"a", 2}}, Value{{"x", 3}}}), List({1, 2}));
  EXPECT_EQ(s.Ok("keys", {d}), List({"a", "b", "c"}));
  EXPECT_EQ(s.Ok("keys", {Value{{"x", 1}}, Value{{"a", 1}}}), List({"x", "a"}));
  EXPECT_EQ(s.Ok("values", {Value{{"x", 1}, {"a", 2}}}), List({2, 1}));
  EXPECT_EQ(s.Ok("pick", {d, "a", "c", "nope"}), (Value{{"a", 1}, {"c", List({3})}}));
  EXPECT_EQ(s.Ok("omit", {d, "a", "c"}), (Value{{"b", "two"}}));
  Value nested = {{"a", {{"b", {{"c", "d"}}}}}};
  EXPECT_EQ(s.Ok("dig", {"a", "b", "c", "dflt", nested}), "d");
  EXPECT_EQ(s.Ok("dig", {"a", "x", "c", "dflt", nested}), "dflt");
  EXPECT_EQ(s.Ok("dig", {"a", "b", "dflt", nested}), (Value{{"c", "d"}}));
  EXPECT_EQ(s.Err("dig", {"a", "b", "c", "x", "dflt", nested}),
            "interface conversion: interface {} is string, not map[string]interface {}");
  EXPECT_EQ(s.Err("get", {"x", "a"}),
            "wrong type for value; expected map[string]interface {}; got string");
}

TEST(SprigDicts, MergeKeepsNonEmptyDestinationValues) {
  Sprig s;
  // Sprig's documented example.
  Value dst = {{"default", "default"}, {"overwrite", "me"}, {"key", true}};
  Value src = {{"overwrite", "overwritten"}, {"key", false}};
  for (const char* fn : {"merge", "mustMerge"}) {
    EXPECT_EQ(s.Ok(fn, {dst, src}),
              (Value{{"default", "default"}, {"overwrite", "me"}, {"key", true}}));
  }
  // Empty destination values (false, 0, "", nil) are filled; nested maps merge.
  Value d2 = {{"a", false}, {"b", 0}, {"c", ""}, {"n", {{"x", 1}}}, {"l", List({1})}};
  Value s2 = {{"a", true},      {"b", 2},    {"c", "s"}, {"n", {{"x", 2}, {"y", 3}}},
              {"l", List({9})}, {"new", "v"}};
  EXPECT_EQ(s.Ok("merge", {d2, s2}), (Value{{"a", true},
                                            {"b", 2},
                                            {"c", "s"},
                                            {"n", {{"x", 1}, {"y", 3}}},
                                            {"l", List({1})},
                                            {"new", "v"}}));
  // Several sources apply left to right.
  EXPECT_EQ(s.Ok("merge", {Value::object(), Value{{"a", 1}}, Value{{"a", 2}, {"b", 3}}}),
            (Value{{"a", 1}, {"b", 3}}));
}

TEST(SprigDicts, MergeOverwriteTakesSourceValuesEvenEmptyOnes) {
  Sprig s;
  Value dst = {{"default", "default"}, {"overwrite", "me"}, {"key", true}};
  Value src = {{"overwrite", "overwritten"}, {"key", false}};
  for (const char* fn : {"mergeOverwrite", "mustMergeOverwrite"}) {
    EXPECT_EQ(s.Ok(fn, {dst, src}),
              (Value{{"default", "default"}, {"overwrite", "overwritten"}, {"key", false}}));
  }
  Value d2 = {{"n", {{"x", 1}, {"z", 0}}}, {"l", List({1})}, {"s", "keep"}, {"m", {{"k", 1}}}};
  Value s2 = {
      {"n", {{"x", 2}}}, {"l", List({9})}, {"s", {{"map", 1}}}, {"m", "scalar"}, {"nil", nullptr}};
  EXPECT_EQ(s.Ok("mergeOverwrite", {d2, s2}),
            (Value{{"n", {{"x", 2}, {"z", 0}}},
                   {"l", List({9})},
                   {"s", "keep"},  // mergo keeps a non-empty scalar when the source is a map
                   {"m", "scalar"},
                   {"nil", nullptr}}));
}

}  // namespace
}  // namespace keelson::charts
