// Conformance tests for Sprig's string functions, ported from Sprig's strings_test.go and the
// goutils/xstrings behaviour it relies on.
#include "charts/sprig_internal.h"
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

TEST(SprigStrings, Table) {
  Sprig s;
  std::vector<Case> cases = {
      {"substr", {0, 3, "fooo"}, "foo"},
      {"substr", {0, 10, "foo"}, "foo"},
      {"substr", {-1, 2, "foo"}, "fo"},
      {"substr", {1, -1, "foo"}, "oo"},
      {"trunc", {3, "foooooo"}, "foo"},
      {"trunc", {-3, "baaaaaar"}, "aar"},
      {"trunc", {-999, "baaaaaar"}, "baaaaaar"},
      {"trunc", {0, "baaaaaz"}, ""},
      {"quote", {"a", "b", "c"}, R"("a" "b" "c")"},
      {"quote", {"\"a\"", "b", "c"}, R"("\"a\"" "b" "c")"},
      {"quote", {1, 2, 3}, R"("1" "2" "3")"},
      {"quote", {nullptr}, ""},
      {"quote", {"tab\there", "é\x01"}, R"("tab\there" "é\x01")"},
      {"squote", {"a", "b", "c"}, "'a' 'b' 'c'"},
      {"squote", {1, 2, 3}, "'1' '2' '3'"},
      {"squote", {nullptr}, ""},
      {"contains", {"cat", "fair catch"}, true},
      {"hasPrefix", {"cat", "catch"}, true},
      {"hasSuffix", {"cat", "ducat"}, true},
      {"hasSuffix", {"cat", "catch"}, false},
      {"trim", {"   5.00   "}, "5.00"},
      {"trimAll", {"$", "$5.00$"}, "5.00"},
      {"trimall", {"$", "$5.00$"}, "5.00"},
      {"trimPrefix", {"$", "$5.00"}, "5.00"},
      {"trimSuffix", {"$", "5.00$"}, "5.00"},
      {"split", {"$", "foo$bar$baz"}, Value{{"_0", "foo"}, {"_1", "bar"}, {"_2", "baz"}}},
      {"splitn", {"$", 2, "foo$bar$baz"}, Value{{"_0", "foo"}, {"_1", "bar$baz"}}},
      {"splitList", {"$", "foo$bar$baz"}, List({"foo", "bar", "baz"})},
      {"splitList", {"", "ab"}, List({"a", "b"})},
      {"toString", {"string"}, "string"},
      {"toString", {1}, "1"},
      {"toString", {1.5}, "1.5"},
      {"toString", {1000000.0}, "1e+06"},
      {"toString", {nullptr}, "<nil>"},
      {"toString", {List({1, "a"})}, "[1 a]"},
      {"toString", {Value{{"a", 1}}}, "map[a:1]"},
      {"toStrings", {List({1, 2, 3})}, List({"1", "2", "3"})},
      {"toStrings", {List({1, nullptr, 2})}, List({"1", "2"})},
      {"join", {"-", List({"a", "b", "c"})}, "a-b-c"},
      {"join", {"-", List({1, 2, 3})}, "1-2-3"},
      {"join", {"-", "abc"}, "abc"},
      {"join", {"-", List({"1", nullptr, "2"})}, "1-2"},
      {"sortAlpha", {List({"c", "a", "b"})}, List({"a", "b", "c"})},
      {"sortAlpha", {List({2, 1, 4, 3})}, List({"1", "2", "3", "4"})},
      {"sortAlpha", {"x"}, List({"x"})},
      {"abbrev", {5, "hello world"}, "he..."},
      {"abbrev", {3, "hello world"}, "hello world"},
      {"abbrevboth", {5, 10, "1234 5678 9123"}, "...5678..."},
      {"nospace", {"h e l l o "}, "hello"},
      {"untitle", {"First Try"}, "first try"},
      {"title", {"hello world-wide_web"}, "Hello World-Wide_web"},
      {"upper", {"héllo"}, "HÉLLO"},
      {"lower", {"HÉLLO"}, "héllo"},
      {"initials", {"First Try"}, "FT"},
      {"wrap", {5, "Hello World"}, "Hello\nWorld"},
      {"wrapWith", {5, "\t", "Hello World"}, "Hello\tWorld"},
      {"wrapWith", {3, "\n", "abcdefg"}, "abc\ndef\ng"},
      {"cat", {"a", "b", "c"}, "a b c"},
      {"cat", {"a", "b", nullptr}, "a b"},
      {"cat", {"a", 1, List({1, 2})}, "a 1 [1 2]"},
      {"indent", {4, "a\nb\nc"}, "    a\n    b\n    c"},
      {"nindent", {4, "a\nb\nc"}, "\n    a\n    b\n    c"},
      {"replace", {" ", "-", "I Am Henry VIII"}, "I-Am-Henry-VIII"},
      {"plural", {"1 char", "chars", 3}, "chars"},
      {"plural", {"cheese", "%d chars", 1}, "cheese"},
      {"repeat", {3, "ab"}, "ababab"},
      {"snakecase", {"FirstName"}, "first_name"},
      {"snakecase", {"HTTPServer"}, "http_server"},
      {"snakecase", {"NoHTTPS"}, "no_https"},
      {"snakecase", {"GO_PATH"}, "go_path"},
      {"snakecase", {"GO PATH"}, "go_path"},
      {"snakecase", {"GO-PATH"}, "go_path"},
      {"snakecase", {"http2xx"}, "http_2xx"},
      {"snakecase", {"HTTP20xOK"}, "http_20x_ok"},
      {"snakecase", {"Duration2m3s"}, "duration_2m3s"},
      {"snakecase", {"Bld4Floor3rd"}, "bld4_floor_3rd"},
      {"kebabcase", {"FirstName"}, "first-name"},
      {"kebabcase", {"HTTPServer"}, "http-server"},
      {"camelcase", {"http_server"}, "HttpServer"},
      {"camelcase", {"some words"}, "SomeWords"},
      {"camelcase", {"_complex__case_"}, "_Complex_Case_"},
      {"camelcase", {"GOLANG_IS_GREAT"}, "GolangIsGreat"},
      {"swapcase", {"This Is A.Test"}, "tHIS iS a.tEST"},
      {"atoi", {"42"}, 42},
      {"atoi", {"042"}, 42},
      {"atoi", {"x"}, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.fn + " " + Value(c.args).dump());
    EXPECT_EQ(s.Ok(c.fn, c.args), c.want);
  }
}

TEST(SprigStrings, RandomStringsHaveTheRequestedLengthAndAlphabet) {
  Sprig s;
  auto check = [&](const char* fn, auto pred) {
    std::string r = s.Ok(fn, {32}).get<std::string>();
    EXPECT_EQ(r.size(), 32u) << fn;
    for (char c : r) EXPECT_TRUE(pred(static_cast<unsigned char>(c))) << fn << " " << r;
  };
  check("randAlphaNum", [](unsigned char c) { return std::isalnum(c); });
  check("randAlpha", [](unsigned char c) { return std::isalpha(c); });
  check("randNumeric", [](unsigned char c) { return std::isdigit(c); });
  check("randAscii", [](unsigned char c) { return c >= 32 && c <= 126; });
  EXPECT_EQ(s.Ok("randAlpha", {0}), "");
  EXPECT_NE(s.Ok("randAlphaNum", {16}), s.Ok("randAlphaNum", {16}));
  std::string sh = s.Ok("shuffle", {"abcdef"}).get<std::string>();
  std::sort(sh.begin(), sh.end());
  EXPECT_EQ(sh, "abcdef");
}

TEST(SprigStrings, TypedParametersRefuseOtherTypesAsTextTemplateDoes) {
  Sprig s;
  EXPECT_EQ(s.Err("upper", {1}), "wrong type for value; expected string; got int");
  EXPECT_EQ(s.Err("upper", {nullptr}), "wrong type for value; expected string; got interface {}");
  EXPECT_EQ(s.Err("trunc", {1.5, "abc"}), "wrong type for value; expected int; got float64");
  EXPECT_EQ(s.Err("repeat", {"a"}), "wrong number of args for repeat: want 2 got 1");
  EXPECT_EQ(s.Err("repeat", {-1, "a"}), "strings: negative Repeat count");
}

TEST(SprigStrings, SubstrOutOfRangePanicsLikeGo) {
  Sprig s;
  EXPECT_EQ(s.Err("substr", {5, 3, "abcdef"}), "runtime error: slice bounds out of range [5:3]");
  EXPECT_EQ(s.Err("substr", {-1, 9, "abc"}),
            "runtime error: slice bounds out of range [:9] with length 3");
}

}  // namespace
}  // namespace keelson::charts
