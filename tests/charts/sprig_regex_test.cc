// Conformance tests for Sprig's regex functions (ported from Sprig's regex_test.go) and Go's
// regexp semantics over RE2: $-expansion, empty matches, Split, error texts.
#include "tests/charts/sprig_testing.h"

namespace keelson::charts {
namespace {

using testing::List;
using testing::Sprig;

TEST(SprigRegex, MatchFindReplaceSplit) {
  Sprig s;
  const char* email = "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}";
  for (const char* fn : {"regexMatch", "mustRegexMatch"}) {
    EXPECT_EQ(s.Ok(fn, {email, "test@acme.com"}), true);
    EXPECT_EQ(s.Ok(fn, {email, "Test@Acme.Com"}), true);
    EXPECT_EQ(s.Ok(fn, {email, "test"}), false);
    EXPECT_EQ(s.Ok(fn, {email, "test@acme"}), false);
  }
  for (const char* fn : {"regexFindAll", "mustRegexFindAll"}) {
    EXPECT_EQ(s.Ok(fn, {"a{2}", "aa", -1}).size(), 1u);
    EXPECT_EQ(s.Ok(fn, {"a{2}", "aaaaaaaa", 1}).size(), 1u);
    EXPECT_EQ(s.Ok(fn, {"a{2}", "aaaa", -1}).size(), 2u);
    EXPECT_EQ(s.Ok(fn, {"a{2}", "none", -1}).size(), 0u);
    EXPECT_EQ(s.Ok(fn, {"a*", "baaab", -1}), List({"", "aaa", ""}));
  }
  for (const char* fn : {"regexFind", "mustRegexFind"}) {
    EXPECT_EQ(s.Ok(fn, {"fo.?", "foorbar"}), "foo");
    EXPECT_EQ(s.Ok(fn, {"fo.?", "foo foe fome"}), "foo");
    EXPECT_EQ(s.Ok(fn, {"fo.?", "none"}), "");
  }
  for (const char* fn : {"regexReplaceAll", "mustRegexReplaceAll"}) {
    EXPECT_EQ(s.Ok(fn, {"a(x*)b", "-ab-axxb-", "T"}), "-T-T-");
    EXPECT_EQ(s.Ok(fn, {"a(x*)b", "-ab-axxb-", "$1"}), "--xx-");
    EXPECT_EQ(s.Ok(fn, {"a(x*)b", "-ab-axxb-", "$1W"}), "---");
    EXPECT_EQ(s.Ok(fn, {"a(x*)b", "-ab-axxb-", "${1}W"}), "-W-xxW-");
    EXPECT_EQ(s.Ok(fn, {"(?P<first>\\w+) (?P<last>\\w+)", "Jane Doe", "$last, $first $$"}),
              "Doe, Jane $");
    EXPECT_EQ(s.Ok(fn, {"x*", "abc", "-"}), "-a-b-c-");
    EXPECT_EQ(s.Ok(fn, {"a", "banana", "${"}), "b${n${n${");
  }
  for (const char* fn : {"regexReplaceAllLiteral", "mustRegexReplaceAllLiteral"}) {
    EXPECT_EQ(s.Ok(fn, {"a(x*)b", "-ab-axxb-", "T"}), "-T-T-");
    EXPECT_EQ(s.Ok(fn, {"a(x*)b", "-ab-axxb-", "$1"}), "-$1-$1-");
    EXPECT_EQ(s.Ok(fn, {"a(x*)b", "-ab-axxb-", "${1}"}), "-${1}-${1}-");
  }
  for (const char* fn : {"regexSplit", "mustRegexSplit"}) {
    EXPECT_EQ(s.Ok(fn, {"a", "banana", -1}).size(), 4u);
    EXPECT_EQ(s.Ok(fn, {"a", "banana", 0}).size(), 0u);
    EXPECT_EQ(s.Ok(fn, {"a", "banana", 1}).size(), 1u);
    EXPECT_EQ(s.Ok(fn, {"a", "banana", 2}), List({"b", "nana"}));
    EXPECT_EQ(s.Ok(fn, {"z+", "pizza", -1}), List({"pi", "a"}));
    EXPECT_EQ(s.Ok(fn, {"", "abc", -1}), List({"a", "b", "c"}));
  }
  EXPECT_EQ(s.Ok("regexQuoteMeta", {"1.2.3"}), "1\\.2\\.3");
  EXPECT_EQ(s.Ok("regexQuoteMeta", {"pretzel"}), "pretzel");
}

TEST(SprigRegex, InvalidExpressionsFailWithGoMessages) {
  Sprig s;
  EXPECT_EQ(s.Ok("regexMatch", {"(", "x"}), false);
  EXPECT_EQ(s.Err("mustRegexMatch", {"(", "x"}), "error parsing regexp: missing closing ): `(`");
  EXPECT_EQ(s.Err("regexFind", {"(", "x"}),
            "regexp: Compile(`(`): error parsing regexp: missing closing ): `(`");
  EXPECT_EQ(s.Err("mustRegexFind", {"a**", "x"}),
            "error parsing regexp: invalid nested repetition operator: `**`");
  EXPECT_EQ(s.Err("mustRegexSplit", {"[a", "x", -1}),
            "error parsing regexp: missing closing ]: `[a`");
}

}  // namespace
}  // namespace keelson::charts
