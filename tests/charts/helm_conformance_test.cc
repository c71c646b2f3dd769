// Conformance tables for behaviour `helm template` users see, checked against Helm's sources
// (cmd/helm/template.go, pkg/action/install.go renderResources, pkg/releaseutil manifest_sorter.go
// and kind_sorter.go, pkg/engine files.go/funcs.go, pkg/strvals parser.go, pkg/chartutil
// capabilities.go) and BurntSushi/toml v1.3's encoder (Helm's toToml).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "charts/chart.h"
#include "charts/funcs.h"
#include "charts/render.h"
#include "charts/template.h"
#include "charts/values.h"

namespace keelson::charts {
namespace {

const char* kChartYaml = "apiVersion: v2\nname: c\nversion: 0.1.0\n";

api::Result<Rendered> Render(std::vector<ChartFile> files, const RenderOptions& opts = {}) {
  auto c = LoadChartFiles(std::move(files));
  if (!c) return std::unexpected(c.error());
  return RenderChart(**c, opts);
}

std::shared_ptr<const FuncMap> HelmFuncs() {
  static auto funcs = [] {
    auto f = std::make_shared<FuncMap>();
    AddSprigFunctions(*f);
    AddHelmFunctions(*f);
    return std::shared_ptr<const FuncMap>(f);
  }();
  return funcs;
}

std::expected<std::string, std::string> Exec(std::string_view text, const Value& data) {
  TemplateSet set(HelmFuncs());
  if (auto ok = set.Parse("t", text); !ok) return std::unexpected(ok.error());
  return set.Execute("t", data);
}

// ---------- toToml (BurntSushi/toml v1.3 Encoder, Indent "  ") ----------

TEST(HelmToToml, EncoderTable) {
  struct Case {
    const char* tpl;
    const char* want;
  };
  const Value data = Value::parse(
      R"({"Values": {"replicas": 3.0, "ratio": 0.25, "name": "web", "big": 1e21,
                     "image": {"repo": "nginx", "tag": "1.25"}}})");
  std::vector<Case> cases = {
      // Helm's funcs_test.go cases.
      {R"({{ toToml (dict "foo" "bar") }})", "foo = \"bar\"\n"},
      {R"({{ toToml (dict "mast" (dict "sail" "white")) }})", "[mast]\n  sail = \"white\"\n"},
      // Values from YAML are float64: integral floats keep a decimal point.
      {R"({{ toToml .Values }})",
       "big = 1000000000000000000000.0\nname = \"web\"\nratio = 0.25\nreplicas = 3.0\n\n"
       "[image]\n  repo = \"nginx\"\n  tag = \"1.25\"\n"},
      // Key/values first (sorted), then tables and arrays of tables (sorted); nested tables are
      // indented and not preceded by a blank line.
      {R"({{ toToml (dict "a" 1 "b" 2.5 "c" (list 1 2) "s" "q\"uote" "t" (dict "x" "y" "u" (dict "z" true)) "arr" (list (dict "n" 1) (dict "n" 2))) }})",
       "a = 1\nb = 2.5\nc = [1, 2]\ns = \"q\\\"uote\"\n\n[[arr]]\n  n = 1\n\n[[arr]]\n  n = 2\n\n"
       "[t]\n  x = \"y\"\n  [t.u]\n    z = true\n"},
      // Keys that are not bare are quoted; control characters use \uXXXX (lower case).
      {R"({{ toToml (dict "a.b" 1 "" 2 "k" "x\ty\u001b") }})",
       "\"\" = 2\n\"a.b\" = 1\nk = \"x\\ty\\u001b\"\n"},
      // A mixed array is inline; an inline table keeps the separator written before a nil value.
      {R"({{ toToml (dict "k" (list 1 (dict "a" 1 "b" nil))) }})", "k = [1, {a = 1, }]\n"},
      // Nil map values are skipped; empty lists and tables are kept.
      {R"({{ toToml (dict "n" nil "e" (list) "m" (dict)) }})", "e = []\n\n[m]\n"},
      // A nil inside an array cannot be encoded: toToml returns the error text.
      {R"({{ toToml (dict "k" (list 1 nil)) }})", "toml: cannot encode array with nil element"},
      // Top-level non-maps are written as a bare value.
      {R"({{ toToml "s" }}|{{ toToml 2 }}|{{ toToml (list 1 "a") }})", "\"s\"|2|[1, \"a\"]"},
      {R"({{ toToml (list (dict "a" 1)) }})", "toml: top-level values must be Go maps or structs"},
  };
  for (const auto& c : cases) {
    auto r = Exec(c.tpl, data);
    ASSERT_TRUE(r.has_value()) << c.tpl << ": " << r.error();
    EXPECT_EQ(*r, c.want) << c.tpl;
  }
  // Encode(nil) panics inside reflect; text/template reports the panic as the call's error.
  auto nil_value = Exec("{{ toToml .Values.missing }}", data);
  ASSERT_FALSE(nil_value.has_value());
  EXPECT_NE(nil_value.error().find(
                "error calling toToml: reflect: call of reflect.Value.Type on zero Value"),
            std::string::npos)
      << nil_value.error();
}

// yaml-cpp's LoadAll loops forever on these (found by fuzz/template_fuzz): fromYaml reads the
// first document only, as go-yaml's Unmarshal does, and returns promptly.
TEST(HelmFromYaml, MalformedStreamsReturnPromptly) {
  auto r = Exec("{{ fromYaml \", {b: c}]\\nd: yes\" | len }}|{{ fromYamlArray \"- 1\\n,- x\" }}",
                Value::object());
  ASSERT_TRUE(r.has_value()) << r.error();
}

// ---------- helm template output ----------

TEST(HelmTemplateOutput, HooksFollowManifestsSortedByKind) {
  auto r = Render({
      {"Chart.yaml", kChartYaml},
      {"templates/a-job.yaml",
       "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n"
       "    \"helm.sh/hook\": pre-install,pre-upgrade\n"},
      {"templates/b-hook-cm.yaml",
       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hookcm\n  annotations:\n"
       "    helm.sh/hook: post-install\n"},
      {"templates/c-unknown.yaml",
       "kind: Secret\nmetadata:\n  name: skipped\n  annotations:\n    helm.sh/hook: bogus\n"},
      {"templates/d-test.yaml",
       "kind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n"},
      {"templates/e-deploy.yaml", "kind: Deployment\nmetadata:\n  name: d\n"},
      {"templates/f-svc.yaml", "kind: Service\nmetadata:\n  name: s\n"},
  });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->output,
            "---\n# Source: c/templates/f-svc.yaml\nkind: Service\nmetadata:\n  name: s\n"
            "---\n# Source: c/templates/e-deploy.yaml\nkind: Deployment\nmetadata:\n  name: d\n"
            "---\n# Source: c/templates/b-hook-cm.yaml\napiVersion: v1\nkind: ConfigMap\n"
            "metadata:\n  name: hookcm\n  annotations:\n    helm.sh/hook: post-install\n"
            "---\n# Source: c/templates/d-test.yaml\nkind: Pod\nmetadata:\n  name: t\n"
            "  annotations:\n    helm.sh/hook: test\n"
            "---\n# Source: c/templates/a-job.yaml\napiVersion: batch/v1\nkind: Job\nmetadata:\n"
            "  name: migrate\n  annotations:\n    \"helm.sh/hook\": pre-install,pre-upgrade\n");
  RenderOptions skip;
  skip.skip_tests = true;
  skip.disable_hooks = false;
  auto no_tests = Render({{"Chart.yaml", kChartYaml},
                          {"templates/d-test.yaml",
                           "kind: Pod\nmetadata:\n  name: t\n  annotations:\n"
                           "    helm.sh/hook: test-success\n"},
                          {"templates/e.yaml", "kind: ConfigMap\n"}},
                         skip);
  ASSERT_TRUE(no_tests.has_value()) << no_tests.error().message;
  EXPECT_EQ(no_tests->output, "---\n# Source: c/templates/e.yaml\nkind: ConfigMap\n");
  RenderOptions no_hooks;
  no_hooks.disable_hooks = true;
  auto without = Render({{"Chart.yaml", kChartYaml},
                         {"templates/h.yaml",
                          "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n"}},
                        no_hooks);
  ASSERT_TRUE(without.has_value()) << without.error().message;
  EXPECT_EQ(without->output, "\n") << "no manifests: Fprintln of an empty manifest";
}

TEST(HelmTemplateOutput, DocumentsEmptyFilesAndNotes) {
  auto r = Render({
      {"Chart.yaml", kChartYaml},
      {"templates/NOTES.txt", "notes for {{ .Release.Name }}"},
      {"templates/_helpers.tpl", "kind: NotRendered\n"},
      {"templates/empty.yaml", ""},
      {"templates/blank.yaml", "{{ if false }}x: 1{{ end }}\n   \n\n"},
      {"templates/multi.yaml",
       "---\n# leading separator\nkind: ConfigMap\nmetadata:\n  name: one\n---\n\n---   \n"
       "kind: ConfigMap\nmetadata:\n  name: two\n...\n"},
      {"templates/comment.yaml", "# only a comment\n"},
  });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->output,
            "---\n# Source: c/templates/multi.yaml\n# leading separator\nkind: ConfigMap\n"
            "metadata:\n  name: one\n"
            // Helm's separator regexp consumed the newline before the second "---": that one
            // stays in the document (YAML reads it as a document start).
            "---\n# Source: c/templates/multi.yaml\n---   \nkind: ConfigMap\nmetadata:\n"
            "  name: two\n...\n"
            "---\n# Source: c/templates/comment.yaml\n# only a comment\n");
  EXPECT_EQ(r->notes, "notes for release-name");
}

TEST(HelmTemplateOutput, ShowOnlyMatchesGlobsAndHooksAndReportsMissing) {
  std::vector<ChartFile> files = {
      {"Chart.yaml", kChartYaml},
      {"templates/a.yaml", "kind: ConfigMap\nmetadata:\n  name: a\n"},
      {"templates/b.yaml", "kind: Secret\nmetadata:\n  name: b\n"},
      {"templates/hook.yaml",
       "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: post-install\n"},
      {"templates/empty.yaml", "{{- /* nothing */ -}}"},
  };
  RenderOptions opts;
  opts.show_only = {"templates/hook.yaml", "templates/[ab].yaml"};
  auto r = Render(files, opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->output,
            "---\n# Source: c/templates/hook.yaml\nkind: Job\nmetadata:\n  annotations:\n"
            "    helm.sh/hook: post-install\n"
            "---\n# Source: c/templates/b.yaml\nkind: Secret\nmetadata:\n  name: b\n"
            "---\n# Source: c/templates/a.yaml\nkind: ConfigMap\nmetadata:\n  name: a\n");
  opts.show_only = {"templates/empty.yaml"};
  auto empty = Render(files, opts);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().message, "could not find template templates/empty.yaml in chart");
}

TEST(HelmTemplateOutput, RenderStageErrorsAreMarked) {
  auto parse = Render({{"Chart.yaml", kChartYaml}, {"templates/a.yaml", "{{ if }}"}});
  ASSERT_FALSE(parse.has_value());
  EXPECT_EQ(parse.error().kind, kRenderStageKind);
  EXPECT_EQ(parse.error().message, "parse error at (c/templates/a.yaml:1): missing value for if");
  auto yaml = Render({{"Chart.yaml", kChartYaml}, {"templates/a.yaml", "kind: [x\n"}});
  ASSERT_FALSE(yaml.has_value());
  EXPECT_EQ(yaml.error().kind, kRenderStageKind);
  RenderOptions bad_kube;
  bad_kube.kube_version = "1.x";
  auto kube = Render({{"Chart.yaml", kChartYaml}}, bad_kube);
  ASSERT_FALSE(kube.has_value());
  EXPECT_EQ(kube.error().message, "invalid kube version '1.x': Invalid Semantic Version");
  EXPECT_NE(kube.error().kind, kRenderStageKind);
}

TEST(HelmTemplateOutput, IncludeRecursionStopsAtHelmsLimit) {
  auto r = Render({{"Chart.yaml", kChartYaml},
                   {"templates/a.yaml",
                    "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}"
                    "x: {{ include \"r\" . }}\n"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().message.starts_with(
      "template: c/templates/a.yaml:1:50: executing \"c/templates/a.yaml\" at <include \"r\" .>: "
      "error calling include: template: c/templates/a.yaml:1:19: executing \"r\" at "))
      << r.error().message.substr(0, 300);
  EXPECT_TRUE(r.error().message.ends_with(
      "rendering template has a nested reference name: r: unable to execute template"))
      << r.error().message.substr(r.error().message.size() - 200);
}

// ---------- builtin objects ----------

TEST(HelmBuiltins, FilesGlobAsConfigAsSecrets) {
  auto r = Render({
      {"Chart.yaml", kChartYaml},
      {"files/a.txt", "x: 1\n"},
      {"files/b.conf", "hello"},
      {"files/sub/c.txt", "deep"},
      {"templates/a.yaml",
       "config:\n{{ (.Files.Glob \"files/*\").AsConfig | indent 2 }}\n"
       "secret:\n{{ (.Files.Glob \"files/*.conf\").AsSecrets | indent 2 }}\n"
       "none: {{ (.Files.Glob \"nothing/*\").AsConfig }}\n"
       "deep: {{ range $p, $_ := .Files.Glob \"files/**\" }}{{ $p }} {{ end }}\n"
       "get: \"[{{ .Files.Get \"missing\" }}] {{ .Files.Get \"files/b.conf\" }}\"\n"
       "lines: {{ .Files.Lines \"files/a.txt\" | len }}\n"
       "has: {{ if .Files.Glob \"nothing/*\" }}yes{{ else }}no{{ end }} "
       "{{ len (.Files.Glob \"files/*\") }}\n"},
  });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(
      r->output,
      "---\n# Source: c/templates/a.yaml\nconfig:\n  a.txt: |\n    x: 1\n  b.conf: hello\n"
      "secret:\n  b.conf: aGVsbG8=\nnone: {}\n"
      "deep: files/a.txt files/b.conf files/sub/c.txt \nget: \"[] hello\"\nlines: 1\nhas: no 2\n");
}

TEST(HelmBuiltins, CapabilitiesFromKubeVersionAndApiVersions) {
  std::vector<ChartFile> files = {
      {"Chart.yaml",
       "apiVersion: v2\nname: c\nversion: 0.1.0\nappVersion: \"1.0\"\n"
       "annotations:\n  team: core\nkeywords: [a, b]\n"},
      {"templates/a.yaml",
       "v: {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Major }} "
       "{{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.KubeVersion.GitVersion }} "
       "{{ .Capabilities.KubeVersion }}\n"
       "apis: {{ .Capabilities.APIVersions.Has \"apps/v1\" }} "
       "{{ .Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\" }}\n"
       "chart: {{ .Chart.Name }} {{ .Chart.AppVersion }} {{ .Chart.Annotations }} "
       "{{ .Chart.Keywords }} {{ .Chart.Sources }} {{ .Chart.Deprecated }} {{ .Chart.Type }}\n"
       "release: {{ .Release.Service }} {{ .Release.Revision }} {{ .Release.IsInstall }}\n"
       "lookup: {{ lookup \"v1\" \"Namespace\" \"\" \"x\" }}\n"},
  };
  auto r = Render(files);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->output,
            "---\n# Source: c/templates/a.yaml\nv: v1.20.0 1 20 v1.20.0 v1.20.0\n"
            "apis: true false\nchart: c 1.0 map[team:core] [a b] [] false \n"
            "release: Helm 1 true\nlookup: map[]\n");
  RenderOptions opts;
  opts.kube_version = "1.29.3+k3s1";
  opts.api_versions = {"monitoring.coreos.com/v1"};
  auto k3s = Render(files, opts);
  ASSERT_TRUE(k3s.has_value()) << k3s.error().message;
  EXPECT_NE(k3s->output.find("v: v1.29.3+k3s1 1 29 v1.29.3+k3s1 v1.29.3+k3s1\napis: true true\n"),
            std::string::npos)
      << k3s->output;
}

TEST(HelmValues, NumbersFromFilesAreFloatsFromSetAreInt64) {
  std::vector<ChartFile> files = {
      {"Chart.yaml", kChartYaml},
      {"values.yaml", "file: 1000000\nsmall: 3\nratio: 1.5\n"},
      {"templates/a.yaml",
       "a: {{ .Values.file }} {{ .Values.small }} {{ .Values.ratio }} {{ .Values.set }} "
       "{{ .Values.str }} {{ .Values.setf }}\n"
       "t: {{ printf \"%T %T\" .Values.file .Values.setf }}\n"
       "y: '{{ toYaml (dict \"num\" .Values.file) }} {{ toJson .Values.file }}'\n"},
  };
  RenderOptions opts;
  opts.set = {"set=1000000,setf=1.5"};
  opts.set_string = {"str=007"};
  auto r = Render(files, opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->output,
            "---\n# Source: c/templates/a.yaml\na: 1e+06 3 1.5 1000000 007 1.5\n"
            "t: float64 string\ny: 'num: 1000000 1000000'\n");
}

// ---------- --set / --set-json parsing (pkg/strvals) ----------

TEST(HelmSetFlags, EdgeCases) {
  struct Case {
    const char* input;
    const char* want;  // JSON, or the error
    bool ok = true;
    SetKind kind = SetKind::kTyped;
    const char* base = "{}";
  };
  std::vector<Case> cases = {
      {"a[0].b=1", R"({"a":[{"b":1}]})"},
      {"a[0].b=1,a[0].c=x,a[2]=z", R"({"a":[{"b":1,"c":"x"},null,"z"]})"},
      {"a=b\\,c,d\\.e=f", R"({"a":"b,c","d.e":"f"})"},
      {"a=null,b=NULL,c=TRUE,d=-12,e=+7,f=1.5,g=0x10,h=9223372036854775808",
       R"({"a":null,"b":null,"c":true,"d":-12,"e":7,"f":"1.5","g":"0x10",
           "h":"9223372036854775808"})"},
      {"a[0]", R"({"a":[]})"},
      {"a[0].b=", R"({"a":[]})"},
      {"a.b", "key \"b\" has no value", false},
      {"a=1,a[0]=2",
       "unable to parse key: interface conversion: interface {} is int64, not "
       "[]interface {}",
       false},
      {"a.b=1",
       "unable to parse key: interface conversion: interface {} is nil, not "
       "map[string]interface {}",
       false, SetKind::kTyped, R"({"a":null})"},
      {"a[0]x=1", "unexpected data at end of array index: ['x']", false},
      {"a[x]=1", "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax", false},
      {"a[ 1]=1", "error parsing index: strconv.Atoi: parsing \" 1\": invalid syntax", false},
      {"a[65537]=1", "index of 65537 is greater than maximum supported index of 65536", false},
      {R"(a={"b":[1,2]} ,c=3,d=,e="x,y")", R"({"a":{"b":[1.0,2.0]},"c":3.0,"d":null,"e":"x,y"})",
       true, SetKind::kJson},
      {"a[1]={\"k\":true}", R"({"a":[null,{"k":true}]})", true, SetKind::kJson},
      {"a=1x", "key \"x\" has no value", false, SetKind::kJson},
      {"a=tru", "", false, SetKind::kJson},
  };
  for (const auto& c : cases) {
    Value v = Value::parse(c.base);
    auto r = ParseSet(c.input, v, c.kind);
    if (c.ok) {
      ASSERT_TRUE(r.has_value()) << c.input << ": " << r.error().message;
      EXPECT_EQ(v.dump(), Value::parse(c.want).dump()) << c.input;
    } else {
      ASSERT_FALSE(r.has_value()) << c.input << " gave " << v.dump();
      if (*c.want) {
        EXPECT_EQ(r.error().message, c.want) << c.input;
      }
    }
  }
}

TEST(HelmSetFlags, SetFileReadsTheNamedFile) {
  Value v = Value::object();
  auto read = [](const std::string& p) -> api::Result<std::string> {
    if (p == "cert.pem") return std::string("-----BEGIN-----\n");
    return std::unexpected(api::NotFound("files", p));
  };
  ASSERT_TRUE(ParseSet("tls.cert=cert.pem", v, SetKind::kFile, read).has_value());
  EXPECT_EQ(v.dump(), R"({"tls":{"cert":"-----BEGIN-----\n"}})");
  EXPECT_FALSE(ParseSet("x=missing.pem", v, SetKind::kFile, read).has_value());
}

}  // namespace
}  // namespace keelson::charts
