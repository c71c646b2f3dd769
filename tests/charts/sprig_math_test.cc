// Conformance tests for Sprig's math and conversion functions (ported from Sprig's
// numeric_test.go), with spf13/cast conversion rules.
#include "tests/charts/sprig_testing.h"

namespace keelson::charts {
namespace {

using testing::List;
using testing::Sprig;

struct Case {
  std::string fn;
  std::vector<Value> args;
  Value want;
};

TEST(SprigMath, Table) {
  Sprig s;
  std::vector<Case> cases = {
      {"add1", {3}, 4},
      {"add1", {"3"}, 4},
      {"add", {1, 2, 3}, 6},
      {"add", {1.9, "2", true, nullptr}, 4},
      {"sub", {14, 3}, 11},
      {"div", {5, 4}, 1},
      {"mod", {7, 3}, 1},
      {"mul", {1, "2", 3, "4"}, 24},
      {"max", {1, 2, 3, 345, 5, 6, 7}, 345},
      {"biggest", {1, 2, 3, 345, 5, 6, 7}, 345},
      {"max", {345}, 345},
      {"min", {1, 2, 3, 345, 5, 6, 7}, 1},
      {"maxf", {1, 2, 3, 345.7, 5, 6, 7}, 345.7},
      {"minf", {1.4, 2, 3, 345.6, 5, 6, 7}, 1.4},
      {"add1f", {3.4}, 4.4},
      {"addf", {1.5, 2.2, 3}, 6.7},
      {"addf", {0.1, 0.2}, 0.3},
      {"subf", {4.5, 1, 3}, 0.5},
      {"divf", {5, 4, 2}, 0.625},
      {"divf", {1, 3}, 0.3333333333333333},
      {"divf", {2, 3}, 0.6666666666666667},
      {"mulf", {1.2, "2.4", 10, "4"}, 115.2},
      {"ceil", {123}, 123.0},
      {"ceil", {"123.01"}, 124.0},
      {"floor", {123.9999}, 123.0},
      {"floor", {"123.9999"}, 123.0},
      {"round", {123.5555, 3}, 123.556},
      {"round", {"123.55555", 3}, 123.556},
      {"round", {123.500001, 0}, 124.0},
      {"round", {123.49999999, 0}, 123.0},
      {"round", {123.2329999, 2, .3}, 123.23},
      {"round", {123.233, 2, .3}, 123.24},
      {"int", {"102"}, 102},
      {"int", {102.1234}, 102},
      {"int", {"frankie"}, 0},
      {"int", {true}, 1},
      {"int", {"0x10"}, 16},
      {"int", {"010"}, 8},
      {"int", {"12.0"}, 12},
      {"int", {nullptr}, 0},
      {"int64", {"102"}, 102},
      {"float64", {"102.5"}, 102.5},
      {"float64", {"frankie"}, 0.0},
      {"float64", {1}, 1.0},
      {"toDecimal", {"777"}, 511},
      {"toDecimal", {777}, 511},
      {"toDecimal", {770}, 504},
      {"toDecimal", {"9"}, 0},
      {"until", {5}, List({0, 1, 2, 3, 4})},
      {"until", {-3}, List({0, -1, -2})},
      {"untilStep", {0, 5, 1}, List({0, 1, 2, 3, 4})},
      {"untilStep", {3, 6, 1}, List({3, 4, 5})},
      {"untilStep", {0, -10, -2}, List({0, -2, -4, -6, -8})},
      {"untilStep", {3, 0, 1}, List({})},
      {"untilStep", {3, 99, 0}, List({})},
      {"untilStep", {3, 99, -1}, List({})},
      {"seq", {0, 1, 3}, "0 1 2 3"},
      {"seq", {0, 3, 10}, "0 3 6 9"},
      {"seq", {3, 3, 2}, ""},
      {"seq", {3, -3, 2}, "3"},
      {"seq", {}, ""},
      {"seq", {0, 4}, "0 1 2 3 4"},
      {"seq", {5}, "1 2 3 4 5"},
      {"seq", {-5}, "1 0 -1 -2 -3 -4 -5"},
      {"seq", {0}, "1 0"},
      {"seq", {0, 1, 2, 3}, ""},
      {"seq", {0, -4}, "0 -1 -2 -3 -4"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fn + " " + Value(c.args).dump());
    Value got = s.Ok(c.fn, c.args);
    EXPECT_EQ(got, c.want);
    EXPECT_EQ(got.type(), c.want.type());
  }
}

TEST(SprigMath, ErrorsAndRandomness) {
  Sprig s;
  EXPECT_EQ(s.Err("div", {1, 0}), "runtime error: integer divide by zero");
  EXPECT_EQ(s.Err("mod", {1, 0}), "runtime error: integer divide by zero");
  EXPECT_EQ(s.Err("divf", {1, 0}), "decimal division by zero");
  EXPECT_EQ(s.Err("randInt", {5, 5}), "invalid argument to Intn");
  EXPECT_EQ(s.Err("until", {1.5}), "wrong type for value; expected int; got float64");
  for (int i = 0; i < 50; ++i) {
    int64_t r = s.Ok("randInt", {10, 13}).get<int64_t>();
    EXPECT_GE(r, 10);
    EXPECT_LT(r, 13);
  }
  EXPECT_FALSE(s.Call("until", {100000000}).has_value());
}

}  // namespace
}  // namespace keelson::charts
