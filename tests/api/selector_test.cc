// Tests for label selectors (string and metav1.LabelSelector forms) and field selectors.
#include "api/selector.h"

#include <gtest/gtest.h>

namespace keelson::api {
namespace {

using Labels = std::map<std::string, std::string>;

struct MatchCase {
  std::string selector;
  Labels labels;
  bool want;
};

TEST(LabelSelectorParse, MatchesTable) {
  const std::vector<MatchCase> cases = {
      {"", {}, true},
      {"", {{"a", "b"}}, true},
      {"app=web", {{"app", "web"}}, true},
      {"app==web", {{"app", "web"}}, true},
      {"app=web", {{"app", "db"}}, false},
      {"app=web", {}, false},
      {"app!=web", {}, true},
      {"app!=web", {{"app", "web"}}, false},
      {"app!=web", {{"app", "db"}}, true},
      {"env in (prod,staging)", {{"env", "prod"}}, true},
      {"env in (prod,staging)", {{"env", "dev"}}, false},
      {"env in (prod,staging)", {}, false},
      {"env notin (prod,staging)", {}, true},
      {"env notin (prod,staging)", {{"env", "prod"}}, false},
      {"env notin (prod,staging)", {{"env", "dev"}}, true},
      {"release", {{"release", ""}}, true},
      {"release", {}, false},
      {"!legacy", {}, true},
      {"!legacy", {{"legacy", "x"}}, false},
      {"app=web,tier!=db", {{"app", "web"}, {"tier", "fe"}}, true},
      {"app=web,tier!=db", {{"app", "web"}, {"tier", "db"}}, false},
      {"  app = web  ,  env in ( a , b ) ", {{"app", "web"}, {"env", "b"}}, true},
      {"app=", {{"app", ""}}, true},
      {"app=", {{"app", "x"}}, false},
      {"x in (foo,,baz)", {{"x", ""}}, true},
      {"x in ()", {{"x", ""}}, true},
      {"x in (in,notin)", {{"x", "in"}}, true},
      {"example.com/app=web", {{"example.com/app", "web"}}, true},
      {"replicas>3", {{"replicas", "4"}}, true},
      {"replicas>3", {{"replicas", "3"}}, false},
      {"replicas<3", {{"replicas", "x"}}, false},
      {"replicas<3", {{"replicas", "-1"}}, true},
  };
  for (const auto& c : cases) {
    auto s = LabelSelector::Parse(c.selector);
    ASSERT_TRUE(s.has_value()) << c.selector << ": " << s.error().message;
    EXPECT_EQ(s->Matches(c.labels), c.want) << c.selector;
  }
}

struct ErrorCase {
  std::string selector;
  std::string message;  // expected substring
};

TEST(LabelSelectorParse, RejectsBadSyntaxWithKubernetesMessages) {
  const std::vector<ErrorCase> cases = {
      {"app=web,", "found '', expected: identifier after ','"},
      {",app", "found ',', expected: !, identifier, or 'end of string'"},
      {"app in web", "unable to parse requirement: found 'web' expected: '('"},
      {"app in (a", "found '', expected: ',' or ')'"},
      {"app=a=b", "found '=', expected: ',' or 'end of string'"},
      {"app web", "found 'web', expected: in, notin, =, ==, !=, gt, lt"},
      {"!app=x", "found '=', expected: ',' or 'end of string'"},
      {"a b c", "found 'b', expected: in, notin"},
      {"=web", "found '=', expected: !, identifier, or 'end of string'"},
      {"-bad=x", "<nil>: Invalid value: \"-bad\": name part must consist of alphanumeric"},
      {"a/b/c=x", "a qualified name must consist of"},
      {"Example.com/app=x", "prefix part a lowercase RFC 1123 subdomain"},
      {"/app=x", "prefix part must be non-empty"},
      {"app=-web",
       "values[0][app]: Invalid value: \"-web\": a valid label must be an empty string"},
      {"app in (ok,bad value)", "found 'value', expected: ',' or ')'"},
      {"replicas>x", "for 'Gt', 'Lt' operators, the value must be an integer"},
      {std::string("app=") + std::string(64, 'a'), "must be no more than 63 characters"},
  };
  for (const auto& c : cases) {
    auto s = LabelSelector::Parse(c.selector);
    ASSERT_FALSE(s.has_value()) << c.selector;
    EXPECT_EQ(s.error().reason, Reason::kBadRequest);
    EXPECT_NE(s.error().message.find(c.message), std::string::npos)
        << c.selector << " gave: " << s.error().message;
  }
}

TEST(LabelSelectorParse, ToStringSortsKeysAndValues) {
  auto s = LabelSelector::Parse("z=1, env in (b,a,b), !gone, app, x!=2, r>3");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  // Sorted by key as labels.Parse does ("!" is not part of the key).
  EXPECT_EQ(s->ToString(), "app,env in (a,b),!gone,r>3,x!=2,z=1");
  auto again = LabelSelector::Parse(s->ToString());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->ToString(), s->ToString());
  EXPECT_TRUE(LabelSelector::Parse("")->Empty());
  EXPECT_FALSE(s->Empty());
}

TEST(LabelSelectorFromJson, MatchLabelsAndExpressions) {
  auto s = LabelSelector::FromJson(Json::parse(R"({
    "matchLabels": {"app": "web"},
    "matchExpressions": [
      {"key": "env", "operator": "In", "values": ["prod", "staging"]},
      {"key": "legacy", "operator": "DoesNotExist"},
      {"key": "tier", "operator": "NotIn", "values": ["db"]},
      {"key": "team", "operator": "Exists"}
    ]})"));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->ToString(), "app=web,env in (prod,staging),!legacy,team,tier notin (db)");
  EXPECT_TRUE(s->Matches({{"app", "web"}, {"env", "prod"}, {"team", "x"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"env", "prod"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"env", "prod"}, {"team", "x"}, {"legacy", "1"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"env", "prod"}, {"team", "x"}, {"tier", "db"}}));
  EXPECT_TRUE(s->Matches({{"app", "web"}, {"env", "staging"}, {"team", "x"}, {"tier", "fe"}}));
}

TEST(LabelSelectorFromJson, NullAndEmptySelectEverything) {
  for (const char* text : {"null", "{}", R"({"matchLabels": {}, "matchExpressions": []})"}) {
    auto s = LabelSelector::FromJson(Json::parse(text));
    ASSERT_TRUE(s.has_value()) << text;
    EXPECT_TRUE(s->Empty()) << text;
    EXPECT_TRUE(s->Matches({{"a", "b"}}));
  }
}

TEST(LabelSelectorFromJson, ErrorsCarryFieldPaths) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"matchExpressions": [{"key": "a", "operator": "Foo"}]})",
       "matchExpressions[0].operator: Unsupported value: \"Foo\""},
      {R"({"matchExpressions": [{"key": "a", "operator": "In"}]})",
       "matchExpressions[0].values: Required value"},
      {R"({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})",
       "matchExpressions[0].values: Forbidden"},
      {R"({"matchExpressions": [{"operator": "Exists"}]})", "matchExpressions[0].key: Required"},
      {R"({"matchExpressions": [{"key": "a b", "operator": "Exists"}]})",
       "matchExpressions[0].key: Invalid value: \"a b\""},
      {R"({"matchExpressions": [{"key": "a", "operator": "In", "values": ["x y"]}]})",
       "matchExpressions[0].values[0][a]: Invalid value: \"x y\""},
      {R"({"matchLabels": {"app": "has space"}})", "matchLabels: Invalid value: \"has space\""},
      {R"({"matchLabels": {"app": 3}})", "matchLabels: Invalid value: \"number\""},
      {R"({"matchLabels": []})", "matchLabels: Invalid value: \"array\""},
      {R"("app=web")", "expected an object"},
  };
  for (const auto& [text, want] : cases) {
    auto s = LabelSelector::FromJson(Json::parse(text));
    ASSERT_FALSE(s.has_value()) << text;
    EXPECT_EQ(s.error().reason, Reason::kInvalid) << text;
    ASSERT_FALSE(s.error().causes.empty()) << text;
    EXPECT_NE(s.error().message.find(want), std::string::npos)
        << text << " gave: " << s.error().message;
  }
}

Object Pod(const std::string& name, const std::string& ns, const std::string& phase) {
  Json j = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", ns}}},
            {"spec", {{"nodeName", "node-1"}, {"replicas", 3}}}};
  if (!phase.empty()) j["status"]["phase"] = phase;
  return Object(std::move(j));
}

TEST(FieldSelector, ParseAndMatchTable) {
  struct Case {
    std::string selector;
    bool want;
  };
  const Object pod = Pod("web-1", "default", "Running");
  const std::vector<Case> cases = {
      {"", true},
      {"metadata.name=web-1", true},
      {"metadata.name==web-1", true},
      {"metadata.name!=web-1", false},
      {"metadata.name=web-2", false},
      {"metadata.namespace=default,status.phase=Running", true},
      {"metadata.namespace=default,status.phase!=Running", false},
      {"spec.nodeName=node-1", true},
      {"spec.nodeName=", false},
      {"spec.missing=", true},
      {"spec.missing!=x", true},
      {"spec.replicas=3", true},
      {"metadata.name=web-1,", true},
  };
  for (const auto& c : cases) {
    auto s = FieldSelector::Parse(c.selector);
    ASSERT_TRUE(s.has_value()) << c.selector << ": " << s.error().message;
    EXPECT_EQ(s->Matches(pod), c.want) << c.selector;
  }
  EXPECT_TRUE(FieldSelector::Parse("")->Empty());
  EXPECT_FALSE(FieldSelector::Parse("a=b")->Empty());
}

TEST(FieldSelector, EscapesAndErrors) {
  Object obj = Pod("a,b=c", "default", "");
  auto s = FieldSelector::Parse(R"(metadata.name=a\,b\=c)");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_TRUE(s->Matches(obj));

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"},
      {"a=b,c", "can't understand 'c'"},
      {"a=b=c", "unescaped character in value: ="},
      {R"(a=b\x)", "invalid escape sequence: \\x"},
      {R"(a=b\)", "invalid escape sequence: \\"},
  };
  for (const auto& [text, want] : bad) {
    auto r = FieldSelector::Parse(text);
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_EQ(r.error().reason, Reason::kBadRequest);
    EXPECT_NE(r.error().message.find(want), std::string::npos)
        << text << " gave: " << r.error().message;
  }
}

}  // namespace
}  // namespace keelson::api
