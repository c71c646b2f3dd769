// End-to-end: Sprig functions called from templates through the engine (TemplateSet) with
// Helm's function map, checking pipelines, printing of Sprig's results and error positions.
#include <memory>

#include "charts/template.h"
#include "tests/charts/sprig_testing.h"

namespace keelson::charts {
namespace {

std::expected<std::string, std::string> Render(const std::string& text, const Value& data = {}) {
  auto funcs = std::make_shared<FuncMap>();
  AddSprigFunctions(*funcs);
  TemplateSet set(funcs);
  auto parsed = set.Parse("t", text);
  if (!parsed) return std::unexpected(parsed.error());
  return set.Execute("t", data);
}

TEST(SprigTemplate, PipelinesAndPrinting) {
  struct C {
    const char* text;
    const char* want;
  };
  Value data = {{"Values",
                 {{"name", "my app"},
                  {"n", 3.0},
                  {"big", 1000000.0},
                  {"list", {1.0, 2.0}},
                  {"nil", nullptr}}}};
  for (C c : std::vector<C>{
           {R"({{ "hello" | upper | repeat 2 }})", "HELLOHELLO"},
           {R"({{ .Values.name | kebabcase | quote }})", R"("my-app")"},
           {R"({{ .Values.nil | quote }})", ""},
           {R"({{ .Values.missing | default "dflt" }})", "dflt"},
           {R"({{ list 1 2 3 | join "," }})", "1,2,3"},
           {R"({{ .Values.list | toStrings }})", "[1 2]"},
           {R"({{ add .Values.n 1 }})", "4"},
           {R"({{ .Values.big | int64 }})", "1000000"},
           {R"({{ addf 1.5 2 }})", "3.5"},
           {R"({{ dict "b" 2 "a" 1 }})", "map[a:1 b:2]"},
           {R"({{ $d := dict "a" (dict "b" "c") }}{{ dig "a" "b" "x" $d }})", "c"},
           {R"({{ "a,b,c" | splitList "," | last }})", "c"},
           {R"({{ range $i, $e := until 3 }}{{ $i }}{{ $e }}{{ end }})", "001122"},
           {R"({{ (semver "1.2.3-beta").Minor }} {{ semver "v1.2" }})", "2 1.2.0"},
           {R"({{ semverCompare ">=1.20-0" "1.21.3" }})", "true"},
           {R"({{ toDate "2006-01-02" "2021-03-04" | date "Jan 2, 2006" }})", "Mar 4, 2021"},
           {R"({{ (toDate "2006-01-02" "2021-03-04").Year }})", "2021"},
           {R"({{ toDate "2006-01-02" "2021-03-04" }})", "2021-03-04 00:00:00 +0000 UTC"},
           {R"({{ typeOf (toDate "2006-01-02" "2021-03-04") }})", "time.Time"},
           {R"({{ regexReplaceAll "(\\w+)@" "me@x.org" "${1} at " }})", "me at x.org"},
           {R"({{ "abc" | b64enc | b64dec }})", "abc"},
           {R"({{ $ca := genCA "ca" 1 }}{{ $ca.Cert | trunc 27 }})", "-----BEGIN CERTIFICATE-----"},
           {R"({{ tuple 1 "a" nil | toJson }})", R"([1,"a",null])"},
           {R"({{ ternary "y" "n" (empty .Values.list) }})", "n"},
       }) {
    auto out = Render(c.text, data);
    ASSERT_TRUE(out.has_value()) << c.text << ": " << out.error();
    EXPECT_EQ(*out, c.want) << c.text;
  }
}

TEST(SprigTemplate, FunctionErrorsCarryPositions) {
  auto out = Render(R"({{ "x" | mustRegexFind "(" }})");
  ASSERT_FALSE(out.has_value());
  EXPECT_NE(out.error().find("t:1:"), std::string::npos) << out.error();
  EXPECT_NE(out.error().find("error parsing regexp: missing closing ): `(`"), std::string::npos)
      << out.error();
  auto typed = Render(R"({{ .n | trunc 2 }})", Value{{"n", 1.0}});
  ASSERT_FALSE(typed.has_value());
  EXPECT_NE(typed.error().find("expected string; got float64"), std::string::npos) << typed.error();
}

}  // namespace
}  // namespace keelson::charts
