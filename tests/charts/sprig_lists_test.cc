// Conformance tests for Sprig's list functions (ported from Sprig's list_test.go), including the
// errors of must* variants.
#include "tests/charts/sprig_testing.h"

namespace keelson::charts {
namespace {

using testing::List;
using testing::Sprig;

TEST(SprigLists, Table) {
  Sprig s;
  Value l = List({1, 2, 3, 4, 5});
  for (const char* p : {"", "must"}) {
    auto fn = [&](std::string n) {
      if (*p == 0) return n;
      n[0] = static_cast<char>(std::toupper(n[0]));
      return std::string(p) + n;
    };
    EXPECT_EQ(s.Ok(fn("push"), {List({1, 2}), 3}), List({1, 2, 3}));
    EXPECT_EQ(s.Ok(fn("append"), {List({}), "a"}), List({"a"}));
    EXPECT_EQ(s.Ok(fn("prepend"), {List({1, 2}), 0}), List({0, 1, 2}));
    EXPECT_EQ(s.Ok(fn("first"), {l}), 1);
    EXPECT_EQ(s.Ok(fn("first"), {List({})}), nullptr);
    EXPECT_EQ(s.Ok(fn("last"), {l}), 5);
    EXPECT_EQ(s.Ok(fn("rest"), {l}), List({2, 3, 4, 5}));
    EXPECT_EQ(s.Ok(fn("initial"), {l}), List({1, 2, 3, 4}));
    EXPECT_EQ(s.Ok(fn("reverse"), {List({1, 2, 3})}), List({3, 2, 1}));
    EXPECT_EQ(s.Ok(fn("uniq"), {List({1, 2, 1, 3, 2})}), List({1, 2, 3}));
    EXPECT_EQ(s.Ok(fn("uniq"), {List({1, 1.0})}), List({1, 1.0}));  // int 1 != float64 1
    EXPECT_EQ(s.Ok(fn("without"), {l, 1, 3}), List({2, 4, 5}));
    EXPECT_EQ(s.Ok(fn("has"), {4, l}), true);
    EXPECT_EQ(s.Ok(fn("has"), {"4", l}), false);
    EXPECT_EQ(s.Ok(fn("has"), {1, nullptr}), false);
    EXPECT_EQ(s.Ok(fn("compact"), {List({1, 0, "", "a", nullptr, false, List({})})}),
              List({1, "a"}));
    EXPECT_EQ(s.Ok(fn("slice"), {l}), l);
    EXPECT_EQ(s.Ok(fn("slice"), {l, 1}), List({2, 3, 4, 5}));
    EXPECT_EQ(s.Ok(fn("slice"), {l, 1, 3}), List({2, 3}));
    EXPECT_EQ(s.Ok(fn("slice"), {l, "1", "3"}), List({2, 3}));
    EXPECT_EQ(s.Ok(fn("chunk"), {2, l}), List({List({1, 2}), List({3, 4}), List({5})}));
    EXPECT_EQ(s.Ok(fn("chunk"), {5, l}), List({l}));
    EXPECT_EQ(s.Ok(fn("chunk"), {2, List({})}), List({}));
  }
  EXPECT_EQ(s.Ok("list", {1, "a"}), List({1, "a"}));
  EXPECT_EQ(s.Ok("tuple", {}), List({}));
  EXPECT_EQ(s.Ok("concat", {List({1, 2}), List({3}), List({})}), List({1, 2, 3}));
}

TEST(SprigLists, NonListsFailWithSprigsMessages) {
  Sprig s;
  EXPECT_EQ(s.Err("mustPush", {"foo", 1}), "Cannot push on type string");
  EXPECT_EQ(s.Err("append", {"foo", 1}), "Cannot push on type string");
  EXPECT_EQ(s.Err("mustPrepend", {1, 1}), "Cannot prepend on type int");
  EXPECT_EQ(s.Err("mustFirst", {"foo"}), "Cannot find first on type string");
  EXPECT_EQ(s.Err("mustLast", {Value::object()}), "Cannot find last on type map");
  EXPECT_EQ(s.Err("mustRest", {1.5}), "Cannot find rest on type float64");
  EXPECT_EQ(s.Err("mustInitial", {true}), "Cannot find initial on type bool");
  EXPECT_EQ(s.Err("mustReverse", {"x"}), "Cannot find reverse on type string");
  EXPECT_EQ(s.Err("mustUniq", {"x"}), "Cannot find uniq on type string");
  EXPECT_EQ(s.Err("mustWithout", {"x", 1}), "Cannot find without on type string");
  EXPECT_EQ(s.Err("mustHas", {1, "x"}), "Cannot find has on type string");
  EXPECT_EQ(s.Err("mustCompact", {"x"}), "Cannot compact on type string");
  EXPECT_EQ(s.Err("mustSlice", {"x"}), "list should be type of slice or array but string");
  EXPECT_EQ(s.Err("mustChunk", {2, "x"}), "Cannot chunk type string");
  EXPECT_EQ(s.Err("concat", {List({}), "x"}), "Cannot concat type string as list");
  EXPECT_EQ(s.Err("first", {nullptr}),
            "runtime error: invalid memory address or nil pointer dereference");
  EXPECT_EQ(s.Err("slice", {List({1, 2}), 1, 5}), "reflect: slice index out of range");
}

}  // namespace
}  // namespace keelson::charts
