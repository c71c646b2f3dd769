// Tests for Go fmt printing of template values (charts/gofmt.h).
#include "charts/gofmt.h"

#include <gtest/gtest.h>

#include <vector>

namespace keelson::charts {
namespace {

using J = Value;

struct PrintCase {
  const char* format;
  std::vector<Value> args;
  const char* want;
};

TEST(GoFmt, FormatValueMatchesGoPercentV) {
  EXPECT_EQ(FormatValue(J()), "<nil>");
  EXPECT_EQ(FormatValue(J(true)), "true");
  EXPECT_EQ(FormatValue(J(3)), "3");
  EXPECT_EQ(FormatValue(J(-7)), "-7");
  EXPECT_EQ(FormatValue(J(3.0)), "3");
  EXPECT_EQ(FormatValue(J(1000000.0)), "1e+06");
  EXPECT_EQ(FormatValue(J(100000.0)), "100000");
  EXPECT_EQ(FormatValue(J(123456789.0)), "1.23456789e+08");
  EXPECT_EQ(FormatValue(J(0.1)), "0.1");
  EXPECT_EQ(FormatValue(J(0.0001)), "0.0001");
  EXPECT_EQ(FormatValue(J(0.00001)), "1e-05");
  EXPECT_EQ(FormatValue(J(1e21)), "1e+21");
  EXPECT_EQ(FormatValue(J(1.5)), "1.5");
  EXPECT_EQ(FormatValue(J(-0.0)), "-0");
  EXPECT_EQ(FormatValue(J(0.0)), "0");
  EXPECT_EQ(FormatValue(J(1e100)), "1e+100");
  EXPECT_EQ(FormatValue(J("x y")), "x y");
  EXPECT_EQ(FormatValue(J::array({1, "a", nullptr, 2.5})), "[1 a <nil> 2.5]");
  EXPECT_EQ(FormatValue(J::parse(R"({"b":2,"a":{"c":[1,2]}})")), "map[a:map[c:[1 2]] b:2]");
  EXPECT_EQ(FormatValue(J::object()), "map[]");
  EXPECT_EQ(FormatValue(J::array()), "[]");
}

TEST(GoFmt, SprintSpacesOnlyBetweenNonStrings) {
  std::vector<Value> a = {J(1), J(2), J("x"), J(3), J("y"), J("z"), J(nullptr), J(true)};
  EXPECT_EQ(Sprint(a), "1 2x3yz<nil> true");
  EXPECT_EQ(Sprintln(a), "1 2 x 3 y z <nil> true\n");
}

TEST(GoFmt, SprintfTable) {
  std::vector<PrintCase> cases = {
      {"%d", {J(42)}, "42"},
      {"%5d|%-5d|%05d", {J(42), J(42), J(-42)}, "   42|42   |-0042"},
      {"%+d % d", {J(5), J(5)}, "+5  5"},
      {"%x %X %o %O %b", {J(255), J(255), J(8), J(8), J(5)}, "ff FF 10 0o10 101"},
      {"%#x %#o", {J(255), J(8)}, "0xff 010"},
      {"%.3d", {J(7)}, "007"},
      {"%c%c", {J(72), J(0x4E16)}, "H\xe4\xb8\x96"},
      {"%U", {J(0x1F600)}, "U+1F600"},
      {"%q", {J(65)}, "'A'"},
      {"%f", {J(3.14159)}, "3.141590"},
      {"%.2f", {J(3.14159)}, "3.14"},
      {"%8.3f|%-8.3f|%08.3f", {J(3.14159), J(3.14159), J(-3.14159)}, "   3.142|3.142   |-003.142"},
      {"%e", {J(1234.5678)}, "1.234568e+03"},
      {"%E", {J(0.000123)}, "1.230000E-04"},
      {"%g", {J(1234.5678)}, "1234.5678"},
      {"%g", {J(1e6)}, "1e+06"},
      {"%.3g", {J(1234.5678)}, "1.23e+03"},
      {"%.3g", {J(1.0)}, "1"},
      {"%G", {J(1e-7)}, "1E-07"},
      {"%v", {J(2.0)}, "2"},
      {"%.2f", {J(0.125)}, "0.12"},
      {"%.0f", {J(2.5)}, "2"},
      {"%s", {J("hello")}, "hello"},
      {"%10s|%-10s|", {J("hi"), J("hi")}, "        hi|hi        |"},
      {"%.2s", {J("hello")}, "he"},
      {"%q", {J("a\"b\n")}, "\"a\\\"b\\n\""},
      {"%#q", {J("ab")}, "`ab`"},
      {"%+q", {J("\xe4\xb8\x96")}, "\"\\u4e16\""},
      {"%x", {J("hi")}, "6869"},
      {"% x", {J("hi")}, "68 69"},
      {"%X", {J("hi")}, "6869"},
      {"%t", {J(true)}, "true"},
      {"%v %v", {J(nullptr), J::array({1, 2})}, "<nil> [1 2]"},
      {"%T %T %T %T %T %T",
       {J(1), J(1.5), J("s"), J(true), J::array(), J::object()},
       "int float64 string bool []interface {} map[string]interface {}"},
      {"%d", {J("x")}, "%!d(string=x)"},
      {"%s", {J(3)}, "%!s(int=3)"},
      {"%d", {J(80.0)}, "%!d(float64=80)"},
      {"%s", {J(nullptr)}, "%!s(<nil>)"},
      {"%t", {J(1)}, "%!t(int=1)"},
      {"%d", {}, "%!d(MISSING)"},
      {"%d %d", {J(1)}, "1 %!d(MISSING)"},
      {"%d", {J(1), J("a"), J(nullptr)}, "1%!(EXTRA string=a, <nil>)"},
      {"hi", {J(1)}, "hi%!(EXTRA int=1)"},
      {"%", {}, "%!(NOVERB)"},
      {"%!", {}, "%!!(MISSING)"},
      {"%[d", {J(2), J(1)}, "%!d(BADINDEX)"},
      {"%]d", {J(2), J(1)}, "%!](int=2)d%!(EXTRA int=1)"},
      {"%[]d", {J(2), J(1)}, "%!d(BADINDEX)"},
      {"%[3]", {J(2), J(1)}, "%!(NOVERB)"},
      {"%[1].2d", {J(5), J(6)}, "%!d(BADINDEX)"},
      {"%d %d %d %#[1]o %#o %#o %#o", {J(11), J(12), J(13)}, "11 12 13 013 014 015 %!o(MISSING)"},
      {"%[5]d %[2]d %d", {J(1), J(2), J(3)}, "%!d(BADINDEX) 2 3"},
      {"%*d", {J(5), J("foo")}, "%!d(string=  foo)"},
      {"%*% %d", {J(20), J(5)}, "% 5"},
      {"%0*d", {J(4), J(42)}, "0042"},
      {"100%%", {}, "100%"},
      {"%[2]d %[1]d", {J(1), J(2)}, "2 1"},
      {"%[3]d", {J(1)}, "%!d(BADINDEX)"},
      {"%*d", {J(5), J(1)}, "    1"},
      {"%-*d|", {J(3), J(1)}, "1  |"},
      {"%.*f", {J(2), J(3.14159)}, "3.14"},
      {"%*d", {J("x"), J(1)}, "%!(BADWIDTH)1"},
      {"%s", {J::array({"a", "b"})}, "[a b]"},
      {"%d", {J::array({1, 2})}, "[1 2]"},
      {"%s", {J::parse(R"({"a":1})")}, "map[a:%!s(int=1)]"},
      {"%q", {J::array({"a", "b"})}, "[\"a\" \"b\"]"},
      {"%#v", {J::parse(R"({"a":"x"})")}, "map[string]interface {}{\"a\":\"x\"}"},
      {"%+v", {J::parse(R"({"a":1})")}, "map[a:1]"},
      {"%5v", {J::array({1, 2})}, "[    1     2]"},
      {"%v", {J(std::numeric_limits<double>::infinity())}, "+Inf"},
      {"%v", {J(std::nan(""))}, "NaN"},
      {"%05s", {J("ab")}, "000ab"},
      {"%x", {J(-255)}, "-ff"},
      {"%6.2f%%", {J(99.5)}, " 99.50%"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Sprintf(c.format, c.args), c.want) << "format " << c.format;
  }
}

TEST(GoFmt, FormatFloatMatchesStrconv) {
  EXPECT_EQ(FormatFloat(1e21, 'f', -1), "1000000000000000000000");
  EXPECT_EQ(FormatFloat(0.000001, 'f', -1), "0.000001");
  EXPECT_EQ(FormatFloat(1.5, 'e', -1), "1.5e+00");
  EXPECT_EQ(FormatFloat(123.456, 'f', 1), "123.5");
  EXPECT_EQ(FormatFloat(5e-324, 'g', -1), "5e-324");
  EXPECT_EQ(FormatFloat(1.7976931348623157e308, 'g', -1), "1.7976931348623157e+308");
}

TEST(GoFmt, GoTruth) {
  EXPECT_FALSE(GoTruth(J()));
  EXPECT_FALSE(GoTruth(J(false)));
  EXPECT_FALSE(GoTruth(J(0)));
  EXPECT_FALSE(GoTruth(J(0.0)));
  EXPECT_FALSE(GoTruth(J("")));
  EXPECT_FALSE(GoTruth(J::array()));
  EXPECT_FALSE(GoTruth(J::object()));
  EXPECT_TRUE(GoTruth(J(0.5)));
  EXPECT_TRUE(GoTruth(J("0")));
  EXPECT_TRUE(GoTruth(J::array({nullptr})));
  EXPECT_TRUE(GoTruth(J::parse(R"({"\u0001gotype":"time.Time"})")));
}

TEST(GoFmt, IntsToFloats) {
  Value v = J::parse(R"({"a":3,"b":[1,2.5,"x"],"c":-4})");
  IntsToFloats(v);
  EXPECT_TRUE(v["a"].is_number_float());
  EXPECT_TRUE(v["b"][0].is_number_float());
  EXPECT_TRUE(v["c"].is_number_float());
  EXPECT_EQ(FormatValue(v), "map[a:3 b:[1 2.5 x] c:-4]");
}

TEST(GoFmt, RegisteredStringerPrintsGoTypedValues) {
  RegisterGoStringer("test.Thing", [](const Value& v) -> std::optional<std::string> {
    return "thing-" + v["n"].get<std::string>();
  });
  Value t = J::parse(R"({"\u0001gotype":"test.Thing","n":"7"})");
  EXPECT_EQ(FormatValue(t), "thing-7");
  EXPECT_EQ(Sprintf("%s|%T", std::vector<Value>{t, t}), "thing-7|test.Thing");
  EXPECT_EQ(FormatValue(J::array({t})), "[thing-7]");
}

}  // namespace
}  // namespace keelson::charts
