// Tests for api/jsonpath.h, ported from k8s.io/client-go/util/jsonpath/jsonpath_test.go. Inputs
// are JSON (as kubectl's unstructured objects), so maps print with sorted keys.
#include "api/jsonpath.h"

#include <gtest/gtest.h>

namespace keelson::api {
namespace {

struct Case {
  const char* name;
  const char* tmpl;
  const char* input;  // JSON
  const char* want;
  bool want_error = false;
};

void RunCases(const std::vector<Case>& cases, bool allow_missing) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Json input = Json::parse(c.input);
    auto jp = JsonPath::Parse(c.tmpl);
    if (!jp) {
      EXPECT_TRUE(c.want_error) << "parse " << c.tmpl << ": " << jp.error().message;
      continue;
    }
    jp->AllowMissingKeys(allow_missing);
    auto out = jp->Execute(input);
    if (c.want_error) {
      EXPECT_FALSE(out) << "expected an error, got " << *out;
      continue;
    }
    ASSERT_TRUE(out) << c.tmpl << ": " << out.error().message;
    EXPECT_EQ(*out, c.want) << c.tmpl;
  }
}

constexpr const char* kTypes = R"({
  "bools": [true, false, true, false],
  "integers": [1, 2, 3, 4],
  "floats": [1.0, 2.2, 3.3, 4.0],
  "strings": ["one", "two", "three", "four"],
  "interfaces": [true, "one", 1, 1.1],
  "maps": [{"name": "one", "value": 1}, {"name": "two", "value": 2.02},
           {"name": "three", "value": 3.03}, {"name": "four", "value": 4.04}]
})";

TEST(JsonPath, TypesInput) {
  RunCases(
      {
          {"boolSlice", "{ .bools }", kTypes, "[true,false,true,false]"},
          {"boolSliceIndex", "{ .bools[0] }", kTypes, "true"},
          {"boolSliceIndexLast", "{ .bools[-1] }", kTypes, "false"},
          {"boolSubSlice", "{ .bools[0:2] }", kTypes, "true false"},
          {"boolSubSliceFirst2", "{ .bools[:2] }", kTypes, "true false"},
          {"boolSubSliceStep2", "{ .bools[:4:2] }", kTypes, "true true"},
          {"integerSlice", "{ .integers }", kTypes, "[1,2,3,4]"},
          {"integerSliceIndexReverse", "{ .integers[-2] }", kTypes, "3"},
          {"integerSubSliceStep2", "{ .integers[:4:2] }", kTypes, "1 3"},
          {"floatSlice", "{ .floats }", kTypes, "[1,2.2,3.3,4]"},
          {"floatSliceIndex", "{ .floats[0] }", kTypes, "1"},
          {"floatSliceIndexReverse", "{ .floats[-2] }", kTypes, "3.3"},
          {"floatSubSliceFirst2", "{ .floats[0:2] }", kTypes, "1 2.2"},
          {"stringSlice", "{ .strings }", kTypes, R"(["one","two","three","four"])"},
          {"stringSliceIndex", "{ .strings[0] }", kTypes, "one"},
          {"stringSubSliceStep2", "{ .strings[:4:2] }", kTypes, "one three"},
          {"interfaceSlice", "{ .interfaces }", kTypes, R"([true,"one",1,1.1])"},
          {"interfaceSubSliceStep2", "{ .interfaces[:4:2] }", kTypes, "true 1"},
          {"mapSlice", "{ .maps }", kTypes,
           R"([{"name":"one","value":1},{"name":"two","value":2.02},{"name":"three","value":3.03},{"name":"four","value":4.04}])"},
          {"mapSliceIndexReverse", "{ .maps[-2] }", kTypes, R"({"name":"three","value":3.03})"},
          {"mapSubSliceStepOdd", "{ .maps[::2] }", kTypes,
           R"({"name":"one","value":1} {"name":"three","value":3.03})"},
          {"mapSubSliceStepEven", "{ .maps[1::2] }", kTypes,
           R"({"name":"two","value":2.02} {"name":"four","value":4.04})"},
      },
      false);
}

constexpr const char* kStore = R"({
  "Name": "jsonpath",
  "Book": [
    {"Category": "reference", "Author": "Nigel Rees", "Title": "Sayings of the Centurey", "Price": 8.95},
    {"Category": "fiction", "Author": "Evelyn Waugh", "Title": "Sword of Honour", "Price": 12.99},
    {"Category": "fiction", "Author": "Herman Melville", "Title": "Moby Dick", "Price": 8.99}
  ],
  "Bicycle": [
    {"Color": "red", "Price": 19.95, "IsNew": true},
    {"Color": "green", "Price": 20.01, "IsNew": false}
  ],
  "Labels": {"engieer": 10, "web/html": 15, "k8s-app": 20},
  "Employees": {"jason": "manager", "dan": "clerk"}
})";

TEST(JsonPath, StoreInput) {
  RunCases(
      {
          {"plain", "hello jsonpath", "null", "hello jsonpath"},
          {"recursive", "{..}", "[1,2,3]", "[1,2,3]"},
          {"filter", "{[?(@<5)]}", "[2,6,3,7]", "2 3"},
          {"quote", R"({"{"})", "null", "{"},
          {"union", "{[1,3,4]}", "[0,1,2,3,4]", "1 3 4"},
          {"array", "{[0:2]}", R"(["Monday","Tudesday"])", "Monday Tudesday"},
          {"variable", "hello {.Name}", kStore, "hello jsonpath"},
          {"dict/", "{$.Labels.web/html}", kStore, "15"},
          {"dict/jason", "{$.Employees.jason}", kStore, "manager"},
          {"dict-", "{.Labels.k8s-app}", kStore, "20"},
          {"nest", "{.Bicycle[*].Color}", kStore, "red green"},
          {"allarray", "{.Book[*].Author}", kStore, "Nigel Rees Evelyn Waugh Herman Melville"},
          {"allfields", R"({range .Bicycle[*]}{ "{" }{ @.* }{ "} " }{end})", kStore,
           "{red true 19.95} {green false 20.01} "},
          {"recurfields", "{..Price}", kStore, "19.95 20.01 8.95 12.99 8.99"},
          {"recurdotfields", "{...Price}", kStore, "19.95 20.01 8.95 12.99 8.99"},
          {"superrecurfields",
           "{............................................................Price}", kStore, "", true},
          {"allstructsSlice", "{.Bicycle}", kStore,
           R"([{"Color":"red","IsNew":true,"Price":19.95},{"Color":"green","IsNew":false,"Price":20.01}])"},
          {"allstructs", R"({range .Bicycle[*]}{ @ }{ " " }{end})", kStore,
           R"({"Color":"red","IsNew":true,"Price":19.95} {"Color":"green","IsNew":false,"Price":20.01} )"},
          {"lastarray", "{.Book[-1:]}", kStore,
           R"({"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"})"},
          {"recurarray", "{..Book[2]}", kStore,
           R"({"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"})"},
          {"bool", "{.Bicycle[?(@.IsNew==true)]}", kStore,
           R"({"Color":"red","IsNew":true,"Price":19.95})"},
      },
      false);
  RunCases({{"nonexistent field", "{.hello}", kStore, ""}}, true);
}

TEST(JsonPath, FailuresCarryUpstreamMessages) {
  struct Fail {
    const char* tmpl;
    const char* message;
  } cases[] = {
      {"{hello}", "unrecognized identifier hello"},
      {"{.hello}", "hello is not found"},
      {"{.Labels[0]}", "map[string]interface {} is not array or slice"},
      {"{.Book[?(@.Price<>10)]}", "unrecognized filter operator <>"},
      {"{range .Labels.*}{@}{end}{end}", "not in range, nothing to end"},
      {"{.a", "unclosed action"},
      {"{.a[0}", "unterminated array"},
      {"{.a[x]}", "invalid array index x"},
  };
  Json store = Json::parse(kStore);
  for (const auto& c : cases) {
    auto jp = JsonPath::Parse(c.tmpl);
    std::string got;
    if (!jp) {
      got = jp.error().message;
    } else {
      auto out = jp->Execute(store);
      got = out ? "nil" : out.error().message;
    }
    EXPECT_EQ(got, c.message) << c.tmpl;
  }
}

TEST(JsonPath, JsonInput) {
  const char* points = R"([
    {"id": "i1", "x":4, "y":-5},
    {"id": "i2", "x":-2, "y":-5, "z":1},
    {"id": "i3", "x":  8, "y":  3 },
    {"id": "i4", "x": -6, "y": -1 },
    {"id": "i5", "x":  0, "y":  2, "z": 1 },
    {"id": "i6", "x":  1, "y":  4 }])";
  RunCases({{"exists filter", "{[?(@.z)].id}", points, "i2 i5"},
            {"bracket key", "{[0]['id']}", points, "i1"},
            {"less than", "{[?(@.x<0)].id}", points, "i2 i4"},
            {"greater equal", "{[?(@.y>=3)].id}", points, "i3 i6"},
            {"not equal", R"({[?(@.id!="i1")].x})", points, "-2 8 -6 0 1"}},
           false);
}

constexpr const char* kNodes = R"({
  "kind": "List",
  "items":[
    {"kind":"None","metadata":{"name":"127.0.0.1","labels":{"kubernetes.io/hostname":"127.0.0.1"}},
     "status":{"capacity":{"cpu":"4"},"ready": true,
               "addresses":[{"type": "LegacyHostIP", "address":"127.0.0.1"}]}},
    {"kind":"None","metadata":{"name":"127.0.0.2","labels":{"kubernetes.io/hostname":"127.0.0.2"}},
     "status":{"capacity":{"cpu":"8"},"ready": false,
               "addresses":[{"type": "LegacyHostIP", "address":"127.0.0.2"},
                            {"type": "another", "address":"127.0.0.3"}]}}
  ],
  "users":[{"name": "myself","user": {}},
           {"name": "e2e","user": {"username": "admin", "password": "secret"}}]
})";

TEST(JsonPath, Kubernetes) {
  RunCases(
      {
          {"range item", "{range .items[*]}{.metadata.name}, {end}{.kind}", kNodes,
           "127.0.0.1, 127.0.0.2, List"},
          {"range item with quote", R"({range .items[*]}{.metadata.name}{"\t"}{end})", kNodes,
           "127.0.0.1\t127.0.0.2\t"},
          {"range addresss", "{.items[*].status.addresses[*].address}", kNodes,
           "127.0.0.1 127.0.0.2 127.0.0.3"},
          {"double range", "{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}",
           kNodes, "127.0.0.1, 127.0.0.2, 127.0.0.3, "},
          {"item name", "{.items[*].metadata.name}", kNodes, "127.0.0.1 127.0.0.2"},
          {"union nodes capacity", "{.items[*]['metadata.name', 'status.capacity']}", kNodes,
           R"(127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"})"},
          {"range nodes capacity", "{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}",
           kNodes, R"([127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] )"},
          {"user password", R"({.users[?(@.name=="e2e")].user.password})", kNodes, "secret"},
          {"hostname", R"({.items[0].metadata.labels.kubernetes\.io/hostname})", kNodes,
           "127.0.0.1"},
          {"hostname filter",
           R"({.items[?(@.metadata.labels.kubernetes\.io/hostname=="127.0.0.1")].kind})", kNodes,
           "None"},
          {"bool item", "{.items[?(@..ready==true)].metadata.name}", kNodes, "127.0.0.1"},
          {"newline literal", R"({range .items[*]}{.metadata.name}{"\n"}{end})", kNodes,
           "127.0.0.1\n127.0.0.2\n"},
          {"single quoted literal", R"({.kind}{'\n'})", kNodes, "List\n"},
      },
      false);
  // Map keys are visited in sorted order here (Go's order is random).
  RunCases({{"recursive name", "{..name}", kNodes, "127.0.0.1 127.0.0.2 myself e2e"}}, false);
}

TEST(JsonPath, EmptyRange) {
  RunCases(
      {{"empty range", "{range .items[*]}{.metadata.name}{end}", R"({"items":[]})", ""},
       {"empty nested range",
        R"({range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end})",
        R"({"items":[]})", ""}},
      true);
}

constexpr const char* kPods = R"({"items": [
  {"metadata": {"name": "pod1"}, "spec": {"containers": [
    {"name": "foo", "another": [{"name": "value1"}, {"name": "value2"}]},
    {"name": "bar", "another": [{"name": "value1"}, {"name": "value2"}]}]}},
  {"metadata": {"name": "pod2"}, "spec": {"containers": [
    {"name": "baz", "another": [{"name": "value1"}, {"name": "value2"}]}]}}]})";

TEST(JsonPath, NestedRanges) {
  RunCases(
      {
          {"nested range",
           R"({range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end})",
           kPods, "pod1:foo,bar,+pod2:baz,+"},
          {"nested range in nested range",
           R"({range .items[*]}{.metadata.name}{"~"}{range @.spec.containers[*]}{.name}{":"}{range @.another[*]}{.name}{","}{end}{"+"}{end}{"#"}{end})",
           kPods, "pod1~foo:value1,value2,+bar:value1,value2,+#pod2~baz:value1,value2,+#"},
          {"two nested ranges at the same level",
           R"({range .items[*]}{.metadata.name}{"\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\n"}{end})",
           kPods, "pod1\tfoo bar \tfoo bar \npod2\tbaz \tbaz \n"},
      },
      false);
}

TEST(JsonPath, FilterToleratesMissingKeysOnlyWhenAllowed) {
  const char* input = R"({"kind":"List","items":[
    {"kind":"Pod","metadata":{"name":"pod1","annotations":{"color":"blue"}}},
    {"kind":"Pod","metadata":{"name":"pod2"}},
    {"kind":"Pod","metadata":{"name":"pod3","annotations":{"color":"green"}}},
    {"kind":"Pod","metadata":{"name":"pod4","annotations":{"color":"blue"}}}]})";
  const char* tmpl = R"({.items[?(@.metadata.annotations.color=="blue")].metadata.name})";
  RunCases({{"allow missing", tmpl, input, "pod1 pod4"}}, true);
  RunCases({{"error on missing", tmpl, input, "", true}}, false);
}

constexpr const char* kFour = R"({"spec":{"containers":[
  {"name":"fake0"},{"name":"fake1"},{"name":"fake2"},{"name":"fake3"}]}})";
constexpr const char* kSix = R"({"spec":{"containers":[
  {"name":"fake0"},{"name":"fake1"},{"name":"fake2"},{"name":"fake3"},{"name":"fake4"},
  {"name":"fake5"}]}})";

TEST(JsonPath, NegativeIndex) {
  RunCases(
      {
          {"[0]", "{.spec.containers[0].name}", kFour, "fake0"},
          {"[0:0]", "{.spec.containers[0:0].name}", kFour, ""},
          {"[0:-1]", "{.spec.containers[0:-1].name}", kFour, "fake0 fake1 fake2"},
          {"[-1:0]", "{.spec.containers[-1:0].name}", kFour, "", true},
          {"[-1]", "{.spec.containers[-1].name}", kFour, "fake3"},
          {"[-1:]", "{.spec.containers[-1:].name}", kFour, "fake3"},
          {"[-2]", "{.spec.containers[-2].name}", kFour, "fake2"},
          {"[-2:]", "{.spec.containers[-2:].name}", kFour, "fake2 fake3"},
          {"[-3]", "{.spec.containers[-3].name}", kFour, "fake1"},
          {"[-4]", "{.spec.containers[-4].name}", kFour, "fake0"},
          {"[-4:]", "{.spec.containers[-4:].name}", kFour, "fake0 fake1 fake2 fake3"},
          {"[-5]", "{.spec.containers[-5].name}", kFour, "", true},
          {"[5:5]", "{.spec.containers[5:5].name}", kFour, ""},
          {"[-5:-5]", "{.spec.containers[-5:-5].name}", kFour, ""},
          {"[3:1]", "{.spec.containers[3:1].name}", kFour, "", true},
          {"[-1:-2]", "{.spec.containers[-1:-2].name}", kFour, "", true},
      },
      false);
}

TEST(JsonPath, Step) {
  RunCases(
      {
          {"[0:]", "{.spec.containers[0:].name}", kSix, "fake0 fake1 fake2 fake3 fake4 fake5"},
          {"[0:6:]", "{.spec.containers[0:6:].name}", kSix, "fake0 fake1 fake2 fake3 fake4 fake5"},
          {"[0:6:1]", "{.spec.containers[0:6:1].name}", kSix,
           "fake0 fake1 fake2 fake3 fake4 fake5"},
          {"[0:6:0]", "{.spec.containers[0:6:0].name}", kSix, "", true},
          {"[0:6:-1]", "{.spec.containers[0:6:-1].name}", kSix, "", true},
          {"[1:4:2]", "{.spec.containers[1:4:2].name}", kSix, "fake1 fake3"},
          {"[1:4:3]", "{.spec.containers[1:4:3].name}", kSix, "fake1"},
          {"[1:4:4]", "{.spec.containers[1:4:4].name}", kSix, "fake1"},
          {"[0:6:2]", "{.spec.containers[0:6:2].name}", kSix, "fake0 fake2 fake4"},
          {"[0:6:3]", "{.spec.containers[0:6:3].name}", kSix, "fake0 fake3"},
          {"[0:6:5]", "{.spec.containers[0:6:5].name}", kSix, "fake0 fake5"},
          {"[0:6:6]", "{.spec.containers[0:6:6].name}", kSix, "fake0"},
      },
      false);
}

TEST(JsonPath, RecursiveImagesOfAPod) {
  const char* pod = R"({"kind":"Pod","spec":{"initContainers":[{"image":"busybox"}],
    "containers":[{"name":"a","image":"nginx:1.25"},{"name":"b","image":"redis"}]}})";
  RunCases({{"images", "{..image}", pod, "nginx:1.25 redis busybox"}}, true);
}

TEST(RelaxedJsonPath, AcceptsFourSpellings) {
  for (const char* in :
       {"metadata.name", ".metadata.name", "{metadata.name}", "{.metadata.name}"}) {
    EXPECT_EQ(RelaxedJsonPathExpression(in), "{.metadata.name}") << in;
  }
  EXPECT_FALSE(RelaxedJsonPathExpression("{.a}{.b}"));
}

TEST(GoFormatting, JsonMarshalAndPrint) {
  EXPECT_EQ(GoJsonMarshal(Json::parse(R"({"b":"<x>&","a":[1,2.5,1e21,1e-7,null]})")),
            R"({"a":[1,2.5,1e+21,1e-7,null],"b":"\u003cx\u003e\u0026"})");
  EXPECT_EQ(GoPrint(Json(1000000.0)), "1e+06");
  EXPECT_EQ(GoPrint(Json(123456.0)), "123456");
  EXPECT_EQ(GoPrint(Json(0.0001)), "0.0001");
  EXPECT_EQ(GoPrint(Json(0.00001)), "1e-05");
  EXPECT_EQ(GoPrint(Json::parse(R"({"b":[1,"x"],"a":null})")), "map[a:<nil> b:[1 x]]");
}

}  // namespace
}  // namespace keelson::api
