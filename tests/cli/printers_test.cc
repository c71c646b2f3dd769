// Tests for cli/printers.h: kubectl's column layout and -o formats.
#include "cli/printers.h"

#include <gtest/gtest.h>

#include "api/table.h"
#include "cli/commands.h"

namespace keelson::cli {
namespace {

using api::Json;

TEST(ColumnWriter, ThreeSpacesAfterTheWidestCellMinimumSix) {
  std::string out = ColumnWriter().Write(
      {{"NAME", "DATA", "AGE"}, {"a", "1", "5s"}, {"kube-root-ca.crt", "12", "3d2h"}});
  EXPECT_EQ(out,
            "NAME               DATA   AGE\n"
            "a                  1      5s\n"
            "kube-root-ca.crt   12     3d2h\n");
}

TEST(ColumnWriter, RememberWidthsOnlyGrows) {
  ColumnWriter w(true);
  EXPECT_EQ(w.Write({{"NAME", "AGE"}, {"longer-name", "1s"}}),
            "NAME          AGE\nlonger-name   1s\n");
  EXPECT_EQ(w.Write({{"x", "2s"}}), "x             2s\n");
}

TEST(TableRows, NamespaceLabelsKindPrefixAndWide) {
  api::TableOptions to;
  to.now = 1704844800;
  auto table = api::BuildTable(
      {"", "v1", "Pod"}, {api::Object(Json::parse(R"({"metadata":{"name":"web","namespace":"shop",
        "labels":{"app":"web","tier":"fe"},"creationTimestamp":"2024-01-09T23:59:00Z"},
        "spec":{"nodeName":"n1","containers":[{"name":"c"}]},
        "status":{"phase":"Running","podIP":"10.1.0.2","containerStatuses":[{"name":"c",
        "ready":true,"state":{"running":{}}}]}})"))},
      to);
  ASSERT_TRUE(table);
  TableOptions opts;
  opts.with_namespace = true;
  opts.show_labels = true;
  opts.kind_prefix = "pod";
  auto rows = TableRows(*table, opts);
  ASSERT_TRUE(rows);
  EXPECT_EQ(ColumnWriter().Write(*rows),
            "NAMESPACE   NAME      READY   STATUS    RESTARTS   AGE   LABELS\n"
            "shop        pod/web   1/1     Running   0          60s   app=web,tier=fe\n");
  TableOptions wide;
  wide.wide = true;
  wide.no_headers = true;
  wide.label_columns = {"app"};
  rows = TableRows(*table, wide);
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"web", "1/1", "Running", "0", "60s", "10.1.0.2",
                                                  "n1", "<none>", "<none>", "web"}));
}

TEST(TableRows, RejectsNonTables) {
  EXPECT_FALSE(TableRows(Json::parse(R"({"kind":"ConfigMap"})"), {}));
}

TEST(TabWrite, DescribeLayout) {
  EXPECT_EQ(TabWrite("Name:\tweb\nNamespace:\tshop\nLabels:\tapp=web\n\ttier=fe\nEvents:\t<none>\n",
                     0, 2),
            "Name:       web\n"
            "Namespace:  shop\n"
            "Labels:     app=web\n"
            "            tier=fe\n"
            "Events:     <none>\n");
  // A line without tabs ends the column block.
  EXPECT_EQ(TabWrite("a:\t1\nData\nlonger key:\t2\n", 0, 2), "a:  1\nData\nlonger key:  2\n");
}

TEST(OutputFormat, ParsesKubectlFormats) {
  EXPECT_EQ(ParseOutputFormat("wide")->kind, OutputKind::kWide);
  auto jp = ParseOutputFormat("jsonpath={..image}");
  ASSERT_TRUE(jp);
  EXPECT_EQ(jp->jsonpath, "{..image}");
  auto cc = ParseOutputFormat("custom-columns=NAME:.metadata.name,IMG:spec.containers[*].image");
  ASSERT_TRUE(cc);
  ASSERT_EQ(cc->columns.size(), 2u);
  EXPECT_EQ(cc->columns[1].second, "{.spec.containers[*].image}");
  auto bad = ParseOutputFormat("xml");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().message.starts_with(
      "error: unable to match a printer suitable for the output format \"xml\""));
  auto badjp = ParseOutputFormat("jsonpath={.a");
  ASSERT_FALSE(badjp);
  EXPECT_EQ(badjp.error().message, "error: error parsing jsonpath {.a, unclosed action");
  EXPECT_FALSE(ParseOutputFormat("custom-columns=NAME"));
}

std::vector<api::Object> Pods() {
  return {api::Object(Json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},
            "spec":{"containers":[{"name":"x","image":"nginx"},{"name":"y","image":"redis"}]}})")),
          api::Object(Json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"},
            "spec":{"containers":[{"name":"z","image":"busybox"}]}})"))};
}

TEST(PrintObjects, NameJsonPathCustomColumnsJson) {
  OutputFormat name;
  name.kind = OutputKind::kName;
  EXPECT_EQ(*PrintObjects(Pods(), name, true), "pod/a\npod/b\n");
  auto jp = ParseOutputFormat("jsonpath={..image}");
  EXPECT_EQ(*PrintObjects(Pods(), *jp, true), "nginx redis busybox");
  auto range = ParseOutputFormat(R"(jsonpath={range .items[*]}{.metadata.name}{"\n"}{end})");
  EXPECT_EQ(*PrintObjects(Pods(), *range, true), "a\nb\n");
  auto cc = ParseOutputFormat(
      "custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,"
      "NODE:.spec.nodeName");
  EXPECT_EQ(*PrintObjects(Pods(), *cc, true),
            "NAME   IMAGES        NODE\n"
            "a      nginx,redis   <none>\n"
            "b      busybox       <none>\n");
  OutputFormat json;
  json.kind = OutputKind::kJson;
  EXPECT_EQ(*PrintObjects({api::Object(Json::parse(R"({"kind":"X","metadata":{"name":"<a>"},
    "spec":{}})"))},
                          json, false),
            "{\n    \"kind\": \"X\",\n    \"metadata\": {\n        \"name\": \"\\u003ca\\u003e\"\n"
            "    },\n    \"spec\": {}\n}\n");
}

TEST(PrintObjects, YamlListLikeKubectl) {
  OutputFormat yaml;
  yaml.kind = OutputKind::kYaml;
  auto out = PrintObjects({Pods()[1]}, yaml, true);
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->starts_with("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n")) << *out;
  EXPECT_NE(out->find("kind: List\nmetadata:\n  resourceVersion: \"\"\n"), std::string::npos)
      << *out;
}

TEST(KindName, LowerKindDotGroup) {
  EXPECT_EQ(KindName(api::GroupVersionKind{"apps", "v1", "Deployment"}), "deployment.apps");
  EXPECT_EQ(KindName(api::GroupVersionKind{"", "v1", "ConfigMap"}), "configmap");
}

TEST(FormatError, KubectlShapes) {
  EXPECT_EQ(FormatError(api::NotFound("configmaps", "x")),
            "Error from server (NotFound): configmaps \"x\" not found");
  api::Error invalid = api::Invalid(
      "ConfigMap", "bad",
      {{"FieldValueInvalid", "metadata.name", "metadata.name: Invalid value: \"Bad\""}});
  EXPECT_EQ(FormatError(invalid),
            "The ConfigMap \"bad\" is invalid: metadata.name: Invalid value: \"Bad\"");
  api::Error two = api::Invalid("Pod", "p",
                                {{"FieldValueRequired", "a", "Required value"},
                                 {"FieldValueRequired", "b", "Required value"}});
  EXPECT_EQ(FormatError(two),
            "The Pod \"p\" is invalid: \n* a: Required value\n* b: Required value");
  EXPECT_EQ(FormatError(api::MakeError(api::Reason::kBadRequest,
                                       "error: the server doesn't have a "
                                       "resource type \"foo\"")),
            "error: the server doesn't have a resource type \"foo\"");
  api::Error unknown = api::MakeError(api::Reason::kUnknown, "boom");
  EXPECT_EQ(FormatError(unknown), "Error from server: boom");
}

}  // namespace
}  // namespace keelson::cli
