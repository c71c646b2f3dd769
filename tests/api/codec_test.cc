// Tests for the YAML/JSON codec: go-yaml v2 scalar resolution, errors with positions, limits,
// multi-document streams, List flattening, and kubectl-style YAML output.
#include "api/codec.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace keelson::api {
namespace {

Json DecodeValue(const std::string& scalar) {
  auto r = DecodeYaml("v: " + scalar + "\n", "t.yaml");
  EXPECT_TRUE(r.has_value()) << scalar << ": " << r.error().message;
  if (!r) return Json("<error>");
  return (*r)["v"];
}

TEST(CodecScalars, Yaml11ResolutionAsSigsK8sYaml) {
  struct Case {
    std::string text;
    Json want;
  };
  const std::vector<Case> cases = {
      // YAML 1.1 booleans (go-yaml v2 resolve table), and near misses that stay strings.
      {"yes", true},
      {"Yes", true},
      {"YES", true},
      {"y", true},
      {"Y", true},
      {"on", true},
      {"On", true},
      {"ON", true},
      {"true", true},
      {"True", true},
      {"TRUE", true},
      {"no", false},
      {"No", false},
      {"NO", false},
      {"n", false},
      {"N", false},
      {"off", false},
      {"Off", false},
      {"OFF", false},
      {"false", false},
      {"False", false},
      {"FALSE", false},
      {"yEs", "yEs"},
      {"tRUE", "tRUE"},
      {"nope", "nope"},
      // Nulls.
      {"null", nullptr},
      {"Null", nullptr},
      {"NULL", nullptr},
      {"~", nullptr},
      {"", nullptr},
      {"nULL", "nULL"},
      // Integers: decimal, signs, 0x, 0o, leading-0 octal, 0b, underscores, 64-bit edges.
      {"42", 42},
      {"-42", -42},
      {"+42", 42},
      {"0", 0},
      {"0x1F", 31},
      {"0X1f", 31},
      {"-0x10", -16},
      {"0o17", 15},
      {"017", 15},
      {"0b101", 5},
      {"1_000", 1000},
      {"9223372036854775807", INT64_MAX},
      {"-9223372036854775808", INT64_MIN},
      {"18446744073709551615", UINT64_MAX},
      // Not integers: "08" is no valid octal but a valid float; "0x" is nothing.
      {"08", 8.0},
      {"0x", "0x"},
      {"0xZZ", "0xZZ"},
      {"+", "+"},
      {"1_", 1},
      {"_1", "_1"},
      // Floats.
      {"1.5", 1.5},
      {"-1.5", -1.5},
      {".5", 0.5},
      {"-.5", -0.5},
      {"1.", 1.0},
      {"1e3", 1000.0},
      {"1E-2", 0.01},
      {"6.02e+23", 6.02e23},
      {"18446744073709551616", 18446744073709551616.0},
      {"1e999", "1e999"},
      {"1.2.3", "1.2.3"},
      {"1,5", "1,5"},
      // Timestamps, base 60 and versions stay strings.
      {"2001-12-14", "2001-12-14"},
      {"2001-12-14T21:59:43.10Z", "2001-12-14T21:59:43.10Z"},
      {"1:20", "1:20"},
      {"v1.2.3", "v1.2.3"},
      // Quoted or !!str-tagged scalars are strings; other tags are honoured.
      {"'yes'", "yes"},
      {"\"123\"", "123"},
      {"!!str 123", "123"},
      {"!!str true", "true"},
      {"!!int \"42\"", 42},
      {"!!float 1", 1.0},
      {"!!bool yes", true},
      {"!!null ''", nullptr},
      {"!custom 12", "12"},
      {"!!binary aGVsbG8=", "hello"},
      {"|\n  yes\n", "yes\n"},
  };
  for (const auto& c : cases) {
    Json got = DecodeValue(c.text);
    EXPECT_EQ(got, c.want) << "v: " << c.text << " gave " << got.dump();
    EXPECT_EQ(got.type() == Json::value_t::number_float, c.want.is_number_float())
        << "v: " << c.text << " type " << got.type_name();
  }
}

TEST(CodecScalars, InfinityAndNaN) {
  EXPECT_TRUE(std::isinf(DecodeValue(".inf").get<double>()));
  EXPECT_GT(DecodeValue("+.Inf").get<double>(), 0);
  EXPECT_LT(DecodeValue("-.INF").get<double>(), 0);
  EXPECT_TRUE(std::isnan(DecodeValue(".nan").get<double>()));
  EXPECT_TRUE(std::isnan(DecodeValue(".NaN").get<double>()));
  EXPECT_EQ(DecodeValue(".nAn"), ".nAn");
}

TEST(CodecScalars, TagMismatchIsAnError) {
  auto r = DecodeYaml("a: 1\nb: !!int abc\n", "t.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, Reason::kBadRequest);
  EXPECT_EQ(r.error().message, "t.yaml:2:4: cannot decode !!str `abc` as a !!int");
}

TEST(CodecKeys, NonStringKeysBecomeStringsAsSigsK8sYaml) {
  auto r = DecodeYaml(R"(
1: a
0x10: b
1.5: c
true: d
off: e
1e3: f
"2": g
)");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(
      *r, Json::parse(R"({"1":"a","16":"b","1.5":"c","true":"d","false":"e","1000":"f","2":"g"})"));
  auto null_key = DecodeYaml("a: 1\n~: x\n", "k.yaml");
  ASSERT_FALSE(null_key.has_value());
  EXPECT_NE(null_key.error().message.find("k.yaml:2:1: unsupported map key of type null"),
            std::string::npos)
      << null_key.error().message;
  auto complex_key = DecodeYaml("? [a, b]\n: x\n");
  ASSERT_FALSE(complex_key.has_value());
  EXPECT_NE(complex_key.error().message.find("cannot be a map key"), std::string::npos);
}

TEST(CodecErrors, DuplicateKeyNamesLineAndColumn) {
  auto r = DecodeYaml(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  name: b
)",
                      "cm.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, Reason::kBadRequest);
  EXPECT_EQ(r.error().message, "cm.yaml:5:3: duplicate key \"name\"");
  // Keys that resolve to the same string are duplicates too.
  auto r2 = DecodeYaml("yes: 1\ntrue: 2\n");
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().message, "line 2, column 1: duplicate key \"true\"");
  // The same key in different maps is fine.
  EXPECT_TRUE(DecodeYaml("a: {name: x}\nb: {name: y}\n").has_value());
}

TEST(CodecErrors, MalformedYamlNamesLineAndColumn) {
  struct Case {
    std::string text;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"a: b: c\n", "bad.yaml:1:5: mapping values are not allowed in this context"},
      {"a: 1\nb: [1, 2\nc: 3\n", "bad.yaml:3:2: did not find expected ',' or ']'"},
      {"a:\n  - x\n  y: 1\n", "bad.yaml:3:"},
      {"a: *nope\n", "bad.yaml:1:4:"},
      {"a: \"unterminated\n", "bad.yaml:1:4: found unexpected end of stream"},
      {"a: 'x\nb: 1\n", "bad.yaml:1:4: found unexpected end of stream"},
      {"a: &x \"y\\\"\n", "bad.yaml:1:4: found unexpected end of stream"},
      {"metadata:\n  name: x\n  labels\n", "bad.yaml:3:3: could not find expected ':'"},
      {"- a\nb: 1\n", "bad.yaml:2:1: did not find expected <document start>"},
      {"a: 1\nb: x\x01y\n", "bad.yaml:2:5: control characters are not allowed"},
      {"a: \xC3\xA9\xFF\n", "bad.yaml:1:5: invalid UTF-8 byte sequence"},
      {"a: \xED\xA0\x80\n", "bad.yaml:1:4: invalid UTF-8 byte sequence"},
  };
  for (const auto& c : cases) {
    auto r = DecodeYamlStream(c.text, "bad.yaml");
    ASSERT_FALSE(r.has_value()) << c.text;
    EXPECT_EQ(r.error().reason, Reason::kBadRequest);
    EXPECT_EQ(r.error().message.rfind(c.want, 0), 0u) << c.text << " gave: " << r.error().message;
  }
}

TEST(CodecLimits, BillionLaughsFailsFast) {
  const std::string laughs = R"(a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
)";
  const auto start = std::chrono::steady_clock::now();
  auto r = DecodeYaml(laughs, "lol.yaml");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, Reason::kBadRequest);
  EXPECT_NE(r.error().message.find("billion laughs"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.rfind("lol.yaml:", 0), 0u) << r.error().message;
  EXPECT_LT(elapsed, std::chrono::milliseconds(500));
}

TEST(CodecLimits, AliasesWithinTheLimitExpand) {
  auto r = DecodeYaml(R"(
defaults: &defaults
  image: nginx
  ports: [80, 443]
a: *defaults
b: *defaults
)");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ((*r)["a"], (*r)["defaults"]);
  EXPECT_EQ((*r)["b"]["ports"][1], 443);
  DecodeLimits tight;
  tight.max_alias_expansions = 5;
  auto t = DecodeYaml("x: &x [1, 2, 3]\ny: *x\nz: *x\n", "", tight);
  ASSERT_FALSE(t.has_value());
  EXPECT_NE(t.error().message.find("line 3, column 4"), std::string::npos) << t.error().message;
}

TEST(CodecLimits, DepthAndSize) {
  DecodeLimits limits;
  limits.max_depth = 10;
  std::string deep = std::string(20, '[') + std::string(20, ']');
  auto r = DecodeYaml(deep, "deep.yaml", limits);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("deeper than 10"), std::string::npos) << r.error().message;
  std::string deep_block;
  for (int i = 0; i < 20; ++i) deep_block += std::string(2 * i, ' ') + "k:\n";
  auto b = DecodeYaml(deep_block, "deep.yaml", limits);
  ASSERT_FALSE(b.has_value());
  EXPECT_NE(b.error().message.find("deeper than 10"), std::string::npos) << b.error().message;

  limits = {};
  limits.max_bytes = 8;
  auto big = DecodeYaml("a: 123456789\n", "big.yaml", limits);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().reason, Reason::kRequestEntityTooLarge);
}

TEST(CodecStreams, ValidLayoutsYamlCppMustNotReject) {
  // Forms next to the ones CheckKeyHasColon and CheckDocumentStart reject.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"? a\n: 1\n", R"([{"a":1}])"},
      {"a : 1\nb\t: 2\n", R"([{"a":1,"b":2}])"},
      {"{a: 1, b}\n", R"([{"a":1,"b":null}])"},
      {"a: b\n...\n# x\n\nd: 1\n", R"([{"a":"b"},{"d":1}])"},
      {"a: b\n---\nc\n...\nd: 1\n", R"([{"a":"b"},"c",{"d":1}])"},
      {"# head\n\n---\na: 1\n", R"([{"a":1}])"},
  };
  for (const auto& [text, want] : cases) {
    auto r = DecodeYamlStream(text);
    ASSERT_TRUE(r.has_value()) << text << ": " << r.error().message;
    EXPECT_EQ(Json(*r), Json::parse(want)) << text;
  }
}

TEST(CodecMerge, MergeKeysExplicitKeysWin) {
  auto r = DecodeYaml(R"(
base: &base {image: nginx, replicas: 1}
extra: &extra {replicas: 5, port: 80}
one:
  replicas: 3
  <<: *base
many:
  <<: [*extra, *base]
  name: x
)");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ((*r)["one"], Json::parse(R"({"image":"nginx","replicas":3})"));
  EXPECT_EQ((*r)["many"], Json::parse(R"({"image":"nginx","replicas":5,"port":80,"name":"x"})"));
  auto bad = DecodeYaml("a:\n  <<: 3\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("map merge requires map"), std::string::npos);
}

TEST(CodecStreams, MultiDocumentSkipsEmptyDocuments) {
  auto r = DecodeYamlStream(R"(---
a: 1
---
---
# only a comment
---
b: 2
...
---
- x
)");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0], Json::parse(R"({"a":1})"));
  EXPECT_EQ((*r)[1], Json::parse(R"({"b":2})"));
  EXPECT_EQ((*r)[2], Json::parse(R"(["x"])"));
  EXPECT_TRUE(DecodeYamlStream("")->empty());
  EXPECT_TRUE(DecodeYaml("")->is_null());
  auto two = DecodeYaml("a: 1\n---\nb: 2\n", "two.yaml");
  ASSERT_FALSE(two.has_value());
  EXPECT_NE(two.error().message.find("two.yaml:3:1: expected a single document"), std::string::npos)
      << two.error().message;
}

TEST(CodecManifests, FlattensListsAndRequiresKinds) {
  auto r = DecodeManifests(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
- apiVersion: v1
  kind: Secret
  metadata: {name: b}
---
apiVersion: v1
kind: ConfigMapList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
)",
                           "all.yaml");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].name(), "a");
  EXPECT_EQ((*r)[1].kind(), "Secret");
  EXPECT_EQ((*r)[2].name(), "c");
  EXPECT_EQ((*r)[3].kind(), "Deployment");

  auto missing = DecodeManifests(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
metadata:
  name: b
)",
                                 "m.yaml");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message,
            "m.yaml: document 2 (line 5): apiVersion not set, kind not set");

  auto item = DecodeManifests(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  metadata: {name: a}
)");
  ASSERT_FALSE(item.has_value());
  EXPECT_EQ(item.error().message, "document 1 (line 1) item 0: kind not set");

  auto scalar = DecodeManifests("just text\n", "s.yaml");
  ASSERT_FALSE(scalar.has_value());
  EXPECT_NE(scalar.error().message.find("expected an object, got string"), std::string::npos);
}

TEST(CodecJson, DecodeJsonAndJsonThroughYaml) {
  auto j = DecodeJson(R"({"a": [1, 2.5, "x", true, null], "b": {"c": 18446744073709551615}})");
  ASSERT_TRUE(j.has_value()) << j.error().message;
  EXPECT_EQ((*j)["a"][1], 2.5);
  EXPECT_EQ((*j)["b"]["c"], UINT64_MAX);
  // The same text through the YAML entry point gives the same value.
  auto y = DecodeYaml(R"({"a": [1, 2.5, "x", true, null], "b": {"c": 18446744073709551615}})");
  ASSERT_TRUE(y.has_value());
  EXPECT_EQ(*y, *j);
  // YAML flow mappings that are not JSON still decode through the YAML path.
  auto flow = DecodeYaml("{a: yes, 'b': [x, 0x10]}");
  ASSERT_TRUE(flow.has_value()) << flow.error().message;
  EXPECT_EQ(*flow, Json::parse(R"({"a": true, "b": ["x", 16]})"));
}

TEST(CodecJson, ErrorsNameLineAndColumn) {
  auto bad = DecodeJson("{\n  \"a\": 1,\n  \"b\": }\n", "body.json");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason, Reason::kBadRequest);
  EXPECT_EQ(bad.error().message.rfind("body.json:3:8: ", 0), 0u) << bad.error().message;
  auto dup = DecodeJson("{\"a\": 1,\n \"a\": 2}", "dup.json");
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().message, "dup.json:2:2: duplicate key \"a\"");
  auto dup_yaml = DecodeYaml("{\"a\": 1,\n \"a\": 2}", "dup.json");
  ASSERT_FALSE(dup_yaml.has_value());
  EXPECT_EQ(dup_yaml.error().message, "dup.json:2:2: duplicate key \"a\"");
  EXPECT_FALSE(DecodeJson("").has_value());
  EXPECT_FALSE(DecodeJson("{} extra").has_value());
}

std::string EncodeValue(const Json& v) { return EncodeYaml(Json{{"v", v}}); }

TEST(CodecEncode, QuotingTableAsGoYamlV2) {
  struct Case {
    Json value;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"hello", "v: hello\n"},
      {"hello world", "v: hello world\n"},
      // Strings that would read back as another type: double quotes.
      {"true", "v: \"true\"\n"},
      {"yes", "v: \"yes\"\n"},
      {"on", "v: \"on\"\n"},
      {"y", "v: \"y\"\n"},
      {"null", "v: \"null\"\n"},
      {"~", "v: \"~\"\n"},
      {"", "v: \"\"\n"},
      {"123", "v: \"123\"\n"},
      {"0x1F", "v: \"0x1F\"\n"},
      {"1.5", "v: \"1.5\"\n"},
      {"1e3", "v: \"1e3\"\n"},
      {".inf", "v: \".inf\"\n"},
      {"1:20", "v: \"1:20\"\n"},
      {"2024-01-01T00:00:00Z", "v: \"2024-01-01T00:00:00Z\"\n"},
      // Plain is not allowed: single quotes.
      {"*", "v: '*'\n"},
      {"&a", "v: '&a'\n"},
      {"!x", "v: '!x'\n"},
      {"- a", "v: '- a'\n"},
      {"a: b", "v: 'a: b'\n"},
      {"key:", "v: 'key:'\n"},
      {"#x", "v: '#x'\n"},
      {"a #b", "v: 'a #b'\n"},
      {" lead", "v: ' lead'\n"},
      {"trail ", "v: 'trail '\n"},
      {"[x]", "v: '[x]'\n"},
      {"{x}", "v: '{x}'\n"},
      {"@x", "v: '@x'\n"},
      {"%x", "v: '%x'\n"},
      {"'q'", "v: '''q'''\n"},
      {"---", "v: '---'\n"},
      {"? x", "v: '? x'\n"},
      // Plain is fine.
      {"it's", "v: it's\n"},
      {"a,b", "v: a,b\n"},
      {"a#b", "v: a#b\n"},
      {"-x", "v: -x\n"},
      {"http://example.com:8080/x", "v: http://example.com:8080/x\n"},
      {"nginx:1.25", "v: nginx:1.25\n"},
      {"--port", "v: --port\n"},
      {"<<", "v: <<\n"},
      {"héllo", "v: héllo\n"},
      // Double quotes with escapes for unprintable characters.
      {"a\tb", "v: \"a\\tb\"\n"},
      {"bell\x07", "v: \"bell\\a\"\n"},
      {"\xF0\x9F\x98\x80", "v: \"\\U0001F600\"\n"},
      // Multi-line strings: literal blocks with chomping and indentation indicators.
      {"a\nb\n", "v: |\n  a\n  b\n"},
      {"a\nb", "v: |-\n  a\n  b\n"},
      {"a\nb\n\n", "v: |+\n  a\n  b\n\n"},
      {" a\nb", "v: |2-\n   a\n  b\n"},
      {"a\n\nb\n", "v: |\n  a\n\n  b\n"},
      {"a \nb", "v: \"a \\nb\"\n"},
      // Numbers, booleans, null, as kubectl prints them.
      {1, "v: 1\n"},
      {-7, "v: -7\n"},
      {UINT64_MAX, "v: 18446744073709551615\n"},
      {1.5, "v: 1.5\n"},
      {1.0, "v: 1\n"},
      {0.1, "v: 0.1\n"},
      {3.14159265358979, "v: 3.1415927\n"},
      {1e21, "v: 1e+21\n"},
      {1e-7, "v: 1e-07\n"},
      {1234567.5, "v: 1.2345675e+06\n"},
      {true, "v: true\n"},
      {nullptr, "v: null\n"},
      // Empty collections are flow style.
      {Json::object(), "v: {}\n"},
      {Json::array(), "v: []\n"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(EncodeValue(c.value), c.want) << c.value.dump();
  }
}

TEST(CodecEncode, KeysAreQuotedWhenNeeded) {
  Json j = {{"true", 1}, {"a b", 2}, {"", 3}, {"x: y", 4}, {"123", 5}};
  EXPECT_EQ(EncodeYaml(j), "\"\": 3\n\"123\": 5\na b: 2\n\"true\": 1\n'x: y': 4\n");
}

TEST(CodecEncode, LayoutLikeKubectl) {
  auto obj = DecodeYaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.25
        args: ["--port", "8080"]
        ports: [{containerPort: 80}]
        env: []
        resources: {}
      matrix: [[a, b], []]
)");
  ASSERT_TRUE(obj.has_value()) << obj.error().message;
  EXPECT_EQ(EncodeYaml(*obj), R"(apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
      - args:
        - --port
        - "8080"
        env: []
        image: nginx:1.25
        name: web
        ports:
        - containerPort: 80
        resources: {}
      matrix:
      - - a
        - b
      - []
)");
  EXPECT_EQ(EncodeYaml(Json::object()), "{}\n");
  EXPECT_EQ(EncodeYaml(Json::array({1, 2})), "- 1\n- 2\n");
  EXPECT_EQ(EncodeYaml("text"), "text\n");
}

TEST(CodecEncode, LongStringsWrapAtEightyColumns) {
  const std::string text =
      "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
      "incididunt ut labore et dolore magna aliqua.";
  EXPECT_EQ(EncodeValue(text),
            "v: Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\n"
            "  incididunt ut labore et dolore magna aliqua.\n");
  EXPECT_EQ(DecodeYaml(EncodeValue(text))->at("v"), text);
  const std::string quoted = "a: " + text;
  EXPECT_EQ(DecodeYaml(EncodeValue(quoted))->at("v"), quoted);
}

TEST(CodecEncode, RoundTripsEveryValue) {
  const std::vector<std::string> inputs = {
      R"({"a": "yes", "b": "", "c": " x ", "d": "multi\nline\n", "e": "tab\there",
          "f": [1, -2, 3.25, true, false, null, "null", "0o17", "#c", "a: b", "'", "\""],
          "g": {"nested": {"deep": [[], {}, [{"k": "v"}]]}}, "h": "trailing space \nnext",
          "i": "\u00e9\u4e2d\ud83d\ude00", "j": "\r\n", "k": "\n", "l": "  indented\nblock\n"})",
      R"([{"apiVersion": "v1", "kind": "ConfigMap", "data": {"config.yaml": "a: 1\nb: [2]\n"}}])",
  };
  for (const auto& in : inputs) {
    Json j = Json::parse(in);
    const std::string yaml = EncodeYaml(j);
    auto back = DecodeYaml(yaml);
    ASSERT_TRUE(back.has_value()) << yaml << "\n" << back.error().message;
    EXPECT_EQ(*back, j) << yaml;
  }
}

// kubectl's client-side generator prints a ConfigMap with -o yaml without a server: our encoder
// must print the same object byte for byte.
TEST(CodecKubectl, EncodeYamlMatchesKubectl) {
  if (!std::filesystem::exists("/usr/bin/kubectl")) {
    GTEST_SKIP() << "kubectl is not installed at /usr/bin/kubectl";
  }
  const std::string dir = ::testing::TempDir() + "/codec-kubectl-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::vector<std::pair<std::string, std::string>> literals = {
      {"a", "yes"},
      {"b", "*star"},
      {"c", "a: b"},
      {"d", "123"},
      {"e", ""},
      {"f", "it's"},
      {"g", "tab\there"},
      {"h",
       "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
       "incididunt ut labore et dolore magna aliqua Ut enim ad minim veniam"},
      {"i", "2024-01-01T00:00:00Z"},
      {"j", "1:20"},
      {"k", "- x"},
      {"l", "h\xC3\xA9llo \xF0\x9F\x98\x80"},
      {"m", "#comment"},
      {"n", "0o17"},
      {"o", "x:y"},
  };
  const std::vector<std::pair<std::string, std::string>> files = {
      {"f1.txt", "line1\nline2 \nx\n"},
      {"f2.txt", " lead\nnext"},
      {"f3.txt", "a: 1\nb:\n  - c\n"},
      {"f4.txt", "keep\n\n"},
  };
  Json data = Json::object();
  std::string cmd = "HOME=" + dir + " KUBECONFIG=/dev/null /usr/bin/kubectl create configmap t";
  for (const auto& [k, v] : literals) {
    data[k] = v;
    std::string quoted = "'";
    for (char c : v) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    cmd += " --from-literal=" + k + "=" + quoted + "'";
  }
  for (const auto& [name, content] : files) {
    data[name] = content;
    std::ofstream(dir + "/" + name, std::ios::binary) << content;
    cmd += " --from-file=" + dir + "/" + name;
  }
  cmd += " --dry-run=client -o yaml 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(status, 0) << out;
  const Json cm = {{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"metadata", {{"creationTimestamp", nullptr}, {"name", "t"}}},
                   {"data", data}};
  EXPECT_EQ(EncodeYaml(cm), out);
  // And what kubectl printed decodes back to the same object.
  auto back = DecodeYaml(out);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, cm);
}

// Objects kubectl generates client-side, printed by kubectl and re-printed by us after a decode:
// the two texts must be identical (nesting, empty maps, quoting, numbers).
TEST(CodecKubectl, ReencodesKubectlOutputIdentically) {
  if (!std::filesystem::exists("/usr/bin/kubectl")) {
    GTEST_SKIP() << "kubectl is not installed at /usr/bin/kubectl";
  }
  const std::string home = ::testing::TempDir() + "/codec-kubectl-home-" + std::to_string(getpid());
  std::filesystem::create_directories(home);
  const std::vector<std::string> commands = {
      "create deployment web --image=nginx:1.25 --replicas=3 --port=80",
      "create cronjob c --image=busybox --schedule='*/1 * * * *' --dry-run=client -o yaml -- date",
      "create job j --image=busybox --dry-run=client -o yaml -- sh -c 'echo \"a: b\"'",
      "create secret generic s --from-literal=password=s3cr3t --from-literal=empty=",
      "create service nodeport ns --tcp=5678:8080",
      "create ingress ing --rule='foo.com/bar*=svc1:8080,tls=my-cert'",
      "create poddisruptionbudget pdb --selector=app=rails --min-available=50%",
      "create quota q --hard=cpu=1,memory=1G,pods=2",
      "create priorityclass high --value=1000 --description='high priority, for things that "
      "matter: the ones a long description wraps around at eighty columns'",
  };
  for (const auto& c : commands) {
    std::string cmd = "HOME=" + home + " KUBECONFIG=/dev/null /usr/bin/kubectl " + c;
    if (c.find("--dry-run") == std::string::npos) cmd += " --dry-run=client -o yaml";
    cmd += " 2>&1";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = pclose(p);
    ASSERT_EQ(status, 0) << c << "\n" << out;
    auto obj = DecodeYaml(out, c);
    ASSERT_TRUE(obj.has_value()) << obj.error().message;
    EXPECT_EQ(EncodeYaml(*obj), out) << c;
  }
  std::filesystem::remove_all(home);
}

}  // namespace
}  // namespace keelson::api
