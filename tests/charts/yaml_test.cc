// Tests for toYaml/toJson/fromYaml as Helm produces them (sigs.k8s.io/yaml over go-yaml v2,
// encoding/json), charts/yaml.h.
#include "charts/yaml.h"

#include <gtest/gtest.h>

#include <cmath>

namespace keelson::charts {
namespace {

std::string Y(const Value& v) {
  auto r = GoYamlMarshal(v);
  EXPECT_TRUE(r.has_value());
  return r ? *r : "";
}

TEST(GoYaml, ScalarStylesAsGoYamlV2) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"plain", "a: plain\n"},
      {"yes", "a: \"yes\"\n"},
      {"on", "a: \"on\"\n"},
      {"true", "a: \"true\"\n"},
      {"null", "a: \"null\"\n"},
      {"~", "a: \"~\"\n"},
      {"", "a: \"\"\n"},
      {"123", "a: \"123\"\n"},
      {"1.5", "a: \"1.5\"\n"},
      {"0x1F", "a: \"0x1F\"\n"},
      {"1e3", "a: \"1e3\"\n"},
      {".inf", "a: \".inf\"\n"},
      {"2001-12-14", "a: \"2001-12-14\"\n"},
      {"1:20", "a: \"1:20\"\n"},
      {"*", "a: '*'\n"},
      {"- x", "a: '- x'\n"},
      {"a: b", "a: 'a: b'\n"},
      {"x:", "a: 'x:'\n"},
      {"#c", "a: '#c'\n"},
      {"a #c", "a: 'a #c'\n"},
      {"a#c", "a: a#c\n"},
      {"@x", "a: '@x'\n"},
      {" lead", "a: ' lead'\n"},
      {"trail ", "a: 'trail '\n"},
      {"it's", "a: it's\n"},
      {"'q'", "a: '''q'''\n"},
      {"tab\there", "a: \"tab\\there\"\n"},
      {"multi\nline", "a: |-\n  multi\n  line\n"},
      {"trail\n", "a: |\n  trail\n"},
      {"two\n\n", "a: |+\n  two\n\n...\n"},
      {" indented\nx", "a: |2-\n   indented\n  x\n"},
      {"http://x.y/z?q=1", "a: http://x.y/z?q=1\n"},
      {"{a}", "a: '{a}'\n"},
      {"a, b", "a: a, b\n"},
      {"é ü", "a: é ü\n"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Y(Value{{"a", c.in}}), c.out) << c.in;
  }
}

TEST(GoYaml, NumbersGoThroughJson) {
  EXPECT_EQ(Y(Value{{"a", 3.0}}), "a: 3\n");
  EXPECT_EQ(Y(Value{{"a", 1000000.0}}), "a: 1000000\n");
  EXPECT_EQ(Y(Value{{"a", 1.5}}), "a: 1.5\n");
  EXPECT_EQ(Y(Value{{"a", 1e21}}), "a: 1e+21\n");
  EXPECT_EQ(Y(Value{{"a", 0.000001}}), "a: 1e-06\n");
  EXPECT_EQ(Y(Value{{"a", -0.0}}), "a: 0\n");
  EXPECT_EQ(Y(Value{{"a", 7}}), "a: 7\n");
  EXPECT_EQ(Y(Value{{"a", true}}), "a: true\n");
  EXPECT_EQ(Y(Value{{"a", nullptr}}), "a: null\n");
  EXPECT_FALSE(GoYamlMarshal(Value{{"a", std::nan("")}}).has_value());
}

TEST(GoYaml, StructureAndKeyOrder) {
  EXPECT_EQ(Y(Value::object()), "{}\n");
  EXPECT_EQ(Y(Value::array()), "[]\n");
  EXPECT_EQ(Y(Value("s")), "s\n...\n");
  EXPECT_EQ(Y(Value("yes")), "\"yes\"\n");
  EXPECT_EQ(Y(Value::parse(R"({"a":"x\n\n","b":1})")), "a: |+\n  x\n\nb: 1\n");
  EXPECT_EQ(Y(Value::parse(R"({"a":{"b":[1,{"c":2,"d":[]}],"e":{}}})")),
            "a:\n  b:\n  - 1\n  - c: 2\n    d: []\n  e: {}\n");
  EXPECT_EQ(Y(Value::parse(R"([[1,2],{"a":1}])")), "- - 1\n  - 2\n- a: 1\n");
  EXPECT_EQ(Y(Value::parse(R"({"b10":1,"b2":1,"a":1,"B":1,"_x":1})")),
            "_x: 1\nB: 1\na: 1\nb2: 1\nb10: 1\n");
  // A multi-line key is not a simple key (go-yaml's check_simple_key): "? " with a literal block.
  EXPECT_EQ(Y(Value::parse(R"({"multi\nkey":1})")), "? |-\n  multi\n  key\n: 1\n");
}

TEST(GoYaml, LongLinesFoldAtEightyColumns) {
  std::string words;
  for (int i = 0; i < 20; ++i) words += "word" + std::to_string(i) + " ";
  words += "end";
  std::string out = Y(Value{{"key", words}});
  EXPECT_EQ(
      out,
      "key: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n"
      "  word13 word14 word15 word16 word17 word18 word19 end\n");
  auto back = DecodeYamlValues(out);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ((*back)["key"], words);
}

TEST(GoJson, MarshalAsEncodingJson) {
  EXPECT_EQ(*GoJsonMarshal(Value::parse(R"({"b":1.5,"a":[true,null,"<&>"]})")),
            R"({"a":[true,null,"\u003c\u0026\u003e"],"b":1.5})");
  EXPECT_EQ(*GoJsonMarshal(Value(1e21)), "1e+21");
  EXPECT_EQ(*GoJsonMarshal(Value(1e-7)), "1e-7");
  EXPECT_EQ(*GoJsonMarshal(Value(3.0)), "3");
  EXPECT_EQ(*GoJsonMarshal(Value("\xff")), "\"\\ufffd\"");
}

TEST(DecodeYaml, ResolvesYaml11ScalarsAndFloats) {
  auto v = DecodeYamlValues(
      "a: 3\nb: yes\nc: '3'\nd: ~\ne: 0x10\nf: 1.5\ng: 2001-12-14\nh: off\n1: one\n");
  ASSERT_TRUE(v.has_value()) << v.error();
  EXPECT_TRUE((*v)["a"].is_number_float());
  EXPECT_EQ((*v)["b"], true);
  EXPECT_EQ((*v)["c"], "3");
  EXPECT_TRUE((*v)["d"].is_null());
  EXPECT_EQ((*v)["e"].get<double>(), 16.0);
  EXPECT_EQ((*v)["g"], "2001-12-14");
  EXPECT_EQ((*v)["h"], false);
  EXPECT_EQ((*v)["1"], "one");
  auto bad = DecodeYamlValues("a: [1\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_TRUE(bad.error().starts_with("error converting YAML to JSON: yaml: line")) << bad.error();
}

}  // namespace
}  // namespace keelson::charts
