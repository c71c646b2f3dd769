// Tests for chart loading, values and rendering as `helm template` (charts/render.h), against
// fixtures under tests/charts/testdata with expected outputs derived from Helm's semantics.
#include "charts/render.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "charts/values.h"

namespace keelson::charts {
namespace {

namespace fs = std::filesystem;

std::string TestData(const std::string& rel) {
  const char* src = std::getenv("KEELSON_SOURCE_DIR");
  std::string root = src ? src : ".";
  return root + "/tests/charts/testdata/" + rel;
}

std::string ReadFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "keelson-charts-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void Write(const std::string& rel, const std::string& data) const {
    fs::path p = fs::path(path_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
  }

 private:
  std::string path_;
};

api::Result<Rendered> RenderDir(const std::string& dir, const RenderOptions& opts = {}) {
  auto c = LoadChart(dir);
  if (!c) return std::unexpected(c.error());
  return RenderChart(**c, opts);
}

TEST(RenderChart, ShopFixtureMatchesHelmTemplate) {
  RenderOptions opts;
  opts.release_name = "rel";
  opts.namespace_name = "prod";
  auto r = RenderDir(TestData("shop"), opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  if (std::getenv("KEELSON_UPDATE_GOLDEN")) {
    std::ofstream(TestData("shop.golden")) << r->output;
  }
  EXPECT_EQ(r->output, ReadFile(TestData("shop.golden")));
  EXPECT_EQ(r->notes, "Thank you for installing shop as rel.\n");
}

// A chart written into a temp dir from inline files.
std::unique_ptr<TempDir> MakeChart(const std::vector<std::pair<std::string, std::string>>& files) {
  auto d = std::make_unique<TempDir>();
  for (const auto& [name, data] : files) d->Write(name, data);
  return d;
}

const char* kChartYaml = "apiVersion: v2\nname: c\nversion: 0.1.0\n";

TEST(RenderChart, IncludeCrdsPutsThemFirstAndSkipTestsDropsTestHooks) {
  RenderOptions opts;
  opts.release_name = "rel";
  opts.include_crds = true;
  opts.skip_tests = true;
  auto r = RenderDir(TestData("shop"), opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->output.starts_with(
      "---\n# Source: shop/crds/widgets.yaml\napiVersion: apiextensions.k8s.io/v1\n"))
      << r->output.substr(0, 200);
  EXPECT_EQ(r->output.find("rel-shop-test"), std::string::npos);
  EXPECT_NE(r->output.find("rel-shop-migrate"), std::string::npos);
}

TEST(RenderChart, ShowOnlyPrintsTheMatchingTemplate) {
  RenderOptions opts;
  opts.release_name = "rel";
  opts.show_only = {"templates/service.yaml"};
  auto r = RenderDir(TestData("shop"), opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(
      r->output,
      "---\n# Source: shop/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n"
      "  name: rel-shop\n  namespace: default\nspec:\n  type: ClusterIP\n  ports:\n    - port: 80\n"
      "      targetPort: 80\n");
  opts.show_only = {"templates/nope.yaml"};
  auto missing = RenderDir(TestData("shop"), opts);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("could not find template templates/nope.yaml in chart"),
            std::string::npos);
}

TEST(RenderChart, ValuePrecedenceFilesThenSetFlags) {
  RenderOptions opts;
  opts.values_files = {{"a.yaml", "replicaCount: 7\nimage:\n  tag: v1\nlabels:\n  tier: null\n"},
                       {"b.yaml", "image:\n  tag: v2\n"}};
  opts.set = {"replicaCount=9"};
  opts.set_string = {"service.type=NodePort"};
  auto r = RenderDir(TestData("shop"), opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_NE(r->output.find("replicas: 9\n"), std::string::npos);
  EXPECT_NE(r->output.find("image: \"nginx:v2\""), std::string::npos);
  EXPECT_NE(r->output.find("type: NodePort"), std::string::npos);
  EXPECT_EQ(r->output.find("tier:"), std::string::npos) << "null must delete the key";
  EXPECT_NE(r->output.find("team: \"checkout\""), std::string::npos);
}

TEST(RenderChart, TagsAndConditionsDisableSubcharts) {
  RenderOptions opts;
  opts.set = {"tags.caching=false", "memcache.enabled=true"};
  auto r = RenderDir(TestData("shop"), opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->output.find("release-name-redis"), std::string::npos);
  EXPECT_NE(r->output.find("release-name-memcache"), std::string::npos);
}

TEST(RenderChart, DisabledDependencyLosesItsImports) {
  RenderOptions opts;
  opts.set = {"db.enabled=false"};
  auto r = RenderDir(TestData("shop"), opts);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message,
            "template: shop/templates/deployment.yaml:15:27: executing "
            "\"shop/templates/deployment.yaml\" at "
            "<include (print $.Template.BasePath \"/configmap.yaml\") .>: error calling include: "
            "template: "
            "shop/templates/configmap.yaml:7:16: executing \"shop/templates/configmap.yaml\" at "
            "<.Values.dbinfo.host>: nil pointer evaluating interface {}.host");
}

TEST(RenderChart, RequiredAndFailUseHelmMessages) {
  auto d = MakeChart(
      {{"Chart.yaml", kChartYaml},
       {"templates/a.yaml", "x: {{ required \"image.tag is required\" .Values.tag }}\n"}});
  auto r = RenderDir(d->path());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message,
            "execution error at (c/templates/a.yaml:1:6): image.tag is required");
  auto f = MakeChart({{"Chart.yaml", kChartYaml},
                      {"templates/_h.tpl", "{{ define \"h\" }}{{ fail \"no way\" }}{{ end }}"},
                      {"templates/a.yaml", "{{ include \"h\" . }}"}});
  auto rf = RenderDir(f->path());
  ASSERT_FALSE(rf.has_value());
  EXPECT_EQ(rf.error().message, "execution error at (c/templates/a.yaml:1:3): no way");
}

TEST(RenderChart, ParseErrorNamesFileAndLine) {
  auto d =
      MakeChart({{"Chart.yaml", kChartYaml}, {"templates/a.yaml", "a: 1\nb: {{ .Values.x \n"}});
  auto r = RenderDir(d->path());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(
      r.error().message,
      "parse error at (c/templates/a.yaml:3): unclosed action started at c/templates/a.yaml:2");
}

TEST(RenderChart, YamlErrorInRenderedManifest) {
  auto d = MakeChart({{"Chart.yaml", kChartYaml}, {"templates/a.yaml", "a: [1\n"}});
  auto r = RenderDir(d->path());
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().message.starts_with(
      "YAML parse error on c/templates/a.yaml: error converting YAML to JSON"))
      << r.error().message;
}

TEST(RenderChart, SchemaViolationsAreAllListed) {
  auto d = MakeChart(
      {{"Chart.yaml", kChartYaml},
       {"values.yaml", "replicas: \"3\"\nenv: qa\nname: Bad_Name\nport: 70000\nextra: 1\n"},
       {"values.schema.json", R"({
  "type": "object",
  "required": ["image"],
  "additionalProperties": false,
  "properties": {
    "replicas": {"type": "integer"},
    "env": {"enum": ["dev", "prod"]},
    "name": {"type": "string", "pattern": "^[a-z]+$"},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "image": {"type": "string"}
  }
})"},
       {"templates/a.yaml", "a: 1\n"}});
  auto r = RenderDir(d->path());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message,
            "values don't meet the specifications of the schema(s) in the following chart(s):\n"
            "c:\n"
            "- (root): image is required\n"
            "- replicas: Invalid type. Expected: integer, given: string\n"
            "- env: env must be one of the following: \"dev\", \"prod\"\n"
            "- name: Does not match pattern '^[a-z]+$'\n"
            "- port: Must be less than or equal to 65535\n"
            "- (root): Additional property extra is not allowed\n");
}

TEST(RenderChart, LibraryChartIsNotInstallable) {
  auto d =
      MakeChart({{"Chart.yaml", "apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n"}});
  auto r = RenderDir(d->path());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "library charts are not installable");
}

TEST(RenderChart, MissingDependencyIsReported) {
  auto d = MakeChart({{"Chart.yaml", std::string(kChartYaml) +
                                         "dependencies:\n  - name: gone\n    version: 1.0.0\n"}});
  auto r = RenderDir(d->path());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message,
            "An error occurred while checking for chart dependencies. You may need to run `helm "
            "dependency "
            "build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ "
            "directory: gone");
}

TEST(RenderChart, BuiltinObjects) {
  auto d = MakeChart(
      {{"Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\nappVersion: \"1.16\"\n"},
       {"templates/a.yaml",
        "kube: {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Major }}.{{ "
        ".Capabilities.KubeVersion.Minor }}\n"
        "git: {{ .Capabilities.KubeVersion.GitVersion }}\n"
        "has: {{ .Capabilities.APIVersions.Has \"batch/v1\" }} {{ .Capabilities.APIVersions.Has "
        "\"x/v1\" }}\n"
        "rel: {{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Service }} {{ "
        ".Release.IsInstall }} {{ .Release.IsUpgrade }} {{ .Release.Revision }}\n"
        "chart: {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.IsRoot "
        "}}\n"
        "tpl: {{ .Template.Name }} {{ .Template.BasePath }}\n"
        "lookup: {{ lookup \"v1\" \"Pod\" \"ns\" \"x\" | len }}\n"}});
  RenderOptions opts;
  opts.kube_version = "1.28.3";
  opts.api_versions = {"x/v1"};
  auto r = RenderDir(d->path(), opts);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->output,
            "---\n# Source: c/templates/a.yaml\nkube: v1.28.3 1.28\ngit: v1.28.3\nhas: true true\n"
            "rel: release-name default Helm true false 1\nchart: c 0.1.0 1.16 true\n"
            "tpl: c/templates/a.yaml c/templates\nlookup: 0\n");
}

TEST(RenderChart, KubeVersionConstraint) {
  auto d = MakeChart({{"Chart.yaml", std::string(kChartYaml) + "kubeVersion: \">=1.25.0-0\"\n"},
                      {"templates/a.yaml", "a: 1\n"}});
  auto r = RenderDir(d->path());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message,
            "chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.20.0");
  RenderOptions opts;
  opts.kube_version = "v1.29.0";
  EXPECT_TRUE(RenderDir(d->path(), opts).has_value());
}

TEST(RenderChart, OutputLimit) {
  auto d = MakeChart({{"Chart.yaml", kChartYaml},
                      {"templates/a.yaml",
                       "{{ range 10000 }}a: 0123456789012345678901234567890123456789\n{{ end }}"}});
  RenderOptions opts;
  opts.max_output_bytes = 4096;
  auto r = RenderDir(d->path(), opts);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("exceeds the limit of 4096 bytes"), std::string::npos);
}

TEST(RenderChart, DefinePrecedenceParentOverridesSubchart) {
  auto d = MakeChart({{"Chart.yaml", kChartYaml},
                      {"templates/_a.tpl", "{{ define \"x\" }}parent{{ end }}"},
                      {"templates/a.yaml", "x: {{ include \"x\" . }}\n"},
                      {"charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"},
                      {"charts/sub/templates/_a.tpl", "{{ define \"x\" }}sub{{ end }}"},
                      {"charts/sub/templates/b.yaml", "y: {{ include \"x\" . }}\n"}});
  auto r = RenderDir(d->path());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(
      r->output,
      "---\n# Source: c/charts/sub/templates/b.yaml\ny: parent\n---\n# Source: c/templates/a.yaml\n"
      "x: parent\n");
}

TEST(LoadChart, HelmIgnoreAndFilesExcludeTemplates) {
  auto c = LoadChart(TestData("shop"));
  ASSERT_TRUE(c.has_value()) << c.error().message;
  std::vector<std::string> names;
  for (const auto& f : (*c)->files) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{".helmignore", "crds/widgets.yaml",
                                             "files/app.properties", "files/motd.txt"}));
  EXPECT_EQ((*c)->subcharts.size(), 4u);
}

TEST(LoadChart, SymlinkOutsideChartIsRefused) {
  auto d = MakeChart({{"Chart.yaml", kChartYaml}});
  fs::create_directories(fs::path(d->path()) / "templates");
  fs::create_symlink("/etc/hostname", fs::path(d->path()) / "templates" / "x.yaml");
  auto c = LoadChart(d->path());
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message.find("symlink pointing outside the chart"), std::string::npos)
      << c.error().message;
}

// An uncompressed tar entry (ustar header + data).
std::string TarEntry(const std::string& name, const std::string& data, char type = '0',
                     const std::string& link = "") {
  std::string h(512, '\0');
  std::copy(name.begin(), name.end(), h.begin());
  auto octal = [&](size_t off, size_t len, unsigned long v) {
    std::string s(len - 1, '0');
    for (size_t i = len - 1; i-- > 0; v >>= 3) s[i] = static_cast<char>('0' + (v & 7));
    std::copy(s.begin(), s.end(), h.begin() + off);
  };
  octal(100, 8, 0644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, data.size());
  octal(136, 12, 0);
  h[156] = type;
  std::copy(link.begin(), link.end(), h.begin() + 157);
  std::string magic = "ustar";
  std::copy(magic.begin(), magic.end(), h.begin() + 257);
  h[263] = '0';
  h[264] = '0';
  std::fill(h.begin() + 148, h.begin() + 156, ' ');
  unsigned long sum = 0;
  for (unsigned char ch : h) sum += ch;
  octal(148, 7, sum);
  std::string out = h + data;
  out.append((512 - data.size() % 512) % 512, '\0');
  return out;
}

TEST(LoadChart, ArchiveEscapesAreRefused) {
  std::string chart = TarEntry("c/Chart.yaml", kChartYaml);
  auto with = [&](const std::string& entry) { return chart + entry + std::string(1024, '\0'); };
  auto r1 = LoadChartArchive(with(TarEntry("c/../../etc/evil", "x")));
  ASSERT_FALSE(r1.has_value());
  EXPECT_EQ(r1.error().message, "chart illegally references parent directory");
  auto r2 = LoadChartArchive(with(TarEntry("c/templates/l.yaml", "", '2', "/etc/passwd")));
  ASSERT_FALSE(r2.has_value());
  EXPECT_NE(r2.error().message.find("link"), std::string::npos);
  auto ok = LoadChartArchive(with(TarEntry("c/templates/a.yaml", "a: 1\n")));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ((*ok)->templates.size(), 1u);
  LoadLimits small;
  small.max_file_bytes = 10;
  auto big = LoadChartArchive(with(TarEntry("c/templates/a.yaml", std::string(100, 'a'))), small);
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().message.find("is larger than the maximum file size 10"), std::string::npos);
}

TEST(IgnoreRules, HelmSemantics) {
  auto r = IgnoreRules::Parse("# comment\n*.txt\n/top.md\nsub/*.yaml\ndir/\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->Ignore("a.txt", false));
  EXPECT_TRUE(r->Ignore("x/y/a.txt", false));
  EXPECT_TRUE(r->Ignore("top.md", false));
  EXPECT_FALSE(r->Ignore("x/top.md", false));
  EXPECT_TRUE(r->Ignore("sub/a.yaml", false));
  EXPECT_FALSE(r->Ignore("x/sub/a.yaml", false));
  EXPECT_TRUE(r->Ignore("dir", true));
  EXPECT_FALSE(r->Ignore("dir", false));
  EXPECT_FALSE(r->Ignore("a.yaml", false));
  EXPECT_FALSE(IgnoreRules::Parse("a/**/b\n").has_value());
  auto neg = IgnoreRules::Parse("!keep.txt\n");
  ASSERT_TRUE(neg.has_value());
  EXPECT_TRUE(neg->Ignore("other.txt", false))
      << "Helm ignores what a lone negation does not match";
  EXPECT_FALSE(neg->Ignore("keep.txt", false));
  IgnoreRules defaults;
  defaults.AddDefaults();
  EXPECT_TRUE(defaults.Ignore("templates/.hidden", false));
  EXPECT_FALSE(defaults.Ignore("templates/a.yaml", false));
}

struct SetCase {
  const char* input;
  const char* want_json;  // or the error
  bool ok = true;
  SetKind kind = SetKind::kTyped;
};

TEST(ParseSet, StrvalsTable) {
  std::vector<SetCase> cases = {
      {"name=value", R"({"name":"value"})"},
      {"long_int_string=1234567890", R"({"long_int_string":1234567890})"},
      {"boolean=true", R"({"boolean":true})"},
      {"is_null=null", R"({"is_null":null})"},
      {"zero_int=0", R"({"zero_int":0})"},
      {"leading_zeros=00009", R"({"leading_zeros":"00009"})"},
      {"name1=value1,name2=value2", R"({"name1":"value1","name2":"value2"})"},
      {"name1=,name2=value2", R"({"name1":"","name2":"value2"})"},
      {"name1.name2=value", R"({"name1":{"name2":"value"}})"},
      {"a\\,b=c", R"({"a,b":"c"})"},
      {"a\\.b=c", R"({"a.b":"c"})"},
      {"name=value\\,with\\,commas", R"({"name":"value,with,commas"})"},
      {"list={one,two}", R"({"list":["one","two"]})"},
      {"list={}", R"({"list":[""]})"},
      {"list[0]=foo", R"({"list":["foo"]})"},
      {"list[1]=foo", R"({"list":[null,"foo"]})"},
      {"list[0].foo=bar,list[0].hello=world", R"({"list":[{"foo":"bar","hello":"world"}]})"},
      {"nested[0][1]=1", R"({"nested":[[null,1]]})"},
      {"port=8080", R"({"port":"8080"})", true, SetKind::kString},
      {"name", "key \"name\" has no value", false},
      {"name1,name2=", "key \"name1\" has no value (cannot end with ,)", false},
      {"list[-1]=x", "negative -1 index not allowed", false},
      {"list[0]x=y", "unexpected data at end of array index: ['x']", false},
      {"a={x,y", "list must terminate with '}'", false},
  };
  for (const auto& c : cases) {
    Value v = Value::object();
    auto r = ParseSet(c.input, v, c.kind);
    if (c.ok) {
      ASSERT_TRUE(r.has_value()) << c.input << ": " << r.error().message;
      EXPECT_EQ(v.dump(), Value::parse(c.want_json).dump()) << c.input;
    } else {
      ASSERT_FALSE(r.has_value()) << c.input;
      EXPECT_EQ(r.error().message, c.want_json) << c.input;
    }
  }
  Value j = Value::object();
  ASSERT_TRUE(ParseSet(R"(a={"b":[1,2]},c=3)", j, SetKind::kJson).has_value());
  EXPECT_EQ(j.dump(), R"({"a":{"b":[1.0,2.0]},"c":3.0})");
}

TEST(Coalesce, GlobalsFlowDownAndNullDeletes) {
  Chart parent;
  parent.name = "p";
  parent.values = Value::parse(R"({"global":{"g":1,"t":{"a":1}},"keep":1,"drop":2,"sub":{"x":1}})");
  auto sub = std::make_unique<Chart>();
  sub->name = "sub";
  sub->values = Value::parse(R"({"x":0,"y":2,"global":{"g":9,"own":true,"t":{"b":2}}})");
  sub->parent = &parent;
  parent.subcharts.push_back(std::move(sub));
  Value out = CoalesceValues(parent, Value::parse(R"({"drop":null,"sub":{"y":null}})"));
  EXPECT_EQ(out.dump(), Value::parse(R"({"global":{"g":1,"t":{"a":1}},"keep":1,"sub":{"x":1,
              "global":{"g":1,"own":true,"t":{"a":1,"b":2}}}})")
                            .dump());
}
}  // namespace
}  // namespace keelson::charts
