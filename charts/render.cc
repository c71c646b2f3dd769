// `helm template` semantics over a loaded chart (see render.h).
#include "charts/render.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <regex>

#include "api/base64.h"
#include "charts/gofmt.h"
#include "charts/template.h"
#include "charts/values.h"
#include "charts/yaml.h"

namespace keelson::charts {
namespace {

// ---------- Masterminds semver (the subset Helm charts use) ----------

struct SemVer {
  uint64_t major = 0, minor = 0, patch = 0;
  std::string pre;
  std::string metadata;
};

std::optional<SemVer> ParseSemver(std::string_view s) {
  static const std::regex re(
      R"(^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$)");
  std::cmatch m;
  std::string str(s);
  if (!std::regex_match(str.c_str(), m, re)) return std::nullopt;
  SemVer v;
  v.major = std::stoull(m[1].str());
  if (m[2].matched) v.minor = std::stoull(m[2].str().substr(1));
  if (m[3].matched) v.patch = std::stoull(m[3].str().substr(1));
  if (m[5].matched) v.pre = m[5].str();
  if (m[8].matched) v.metadata = m[8].str();
  return v;
}

int ComparePre(const std::string& a, const std::string& b) {
  if (a == b) return 0;
  if (a.empty()) return 1;
  if (b.empty()) return -1;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
      size_t d = s.find('.', start);
      out.push_back(s.substr(start, d == std::string::npos ? std::string::npos : d - start));
      if (d == std::string::npos) break;
      start = d + 1;
    }
    return out;
  };
  auto pa = split(a), pb = split(b);
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    bool na = !pa[i].empty() && std::all_of(pa[i].begin(), pa[i].end(), ::isdigit);
    bool nb = !pb[i].empty() && std::all_of(pb[i].begin(), pb[i].end(), ::isdigit);
    if (na && nb) {
      uint64_t x = std::stoull(pa[i]), y = std::stoull(pb[i]);
      if (x != y) return x < y ? -1 : 1;
    } else if (na != nb) {
      return na ? -1 : 1;
    } else if (pa[i] != pb[i]) {
      return pa[i] < pb[i] ? -1 : 1;
    }
  }
  if (pa.size() == pb.size()) return 0;
  return pa.size() < pb.size() ? -1 : 1;
}

int Compare(const SemVer& a, const SemVer& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  return ComparePre(a.pre, b.pre);
}

// One constraint term: operator plus a (possibly wildcard) version.
bool CheckTerm(std::string term, const SemVer& v) {
  std::string op;
  size_t i = 0;
  while (i < term.size() && std::strchr("=<>!~^", term[i])) op += term[i++];
  std::string ver = term.substr(i);
  while (!ver.empty() && ver[0] == ' ') ver.erase(0, 1);
  if (ver.empty()) return false;
  // wildcards
  std::vector<std::string> parts;
  std::string pre;
  std::string core = ver;
  if (core[0] == 'v') core.erase(0, 1);
  size_t dash = core.find('-');
  if (dash != std::string::npos) {
    pre = core.substr(dash + 1);
    core = core.substr(0, dash);
  }
  size_t plus = core.find('+');
  if (plus != std::string::npos) core = core.substr(0, plus);
  {
    size_t start = 0;
    while (true) {
      size_t d = core.find('.', start);
      parts.push_back(core.substr(start, d == std::string::npos ? std::string::npos : d - start));
      if (d == std::string::npos) break;
      start = d + 1;
    }
  }
  int wild = static_cast<int>(parts.size());  // index of the first wildcard/missing part
  for (size_t k = 0; k < parts.size(); ++k) {
    if (parts[k] == "x" || parts[k] == "X" || parts[k] == "*") {
      wild = static_cast<int>(k);
      break;
    }
    if (parts[k].empty() || !std::all_of(parts[k].begin(), parts[k].end(), ::isdigit)) return false;
  }
  SemVer c;
  if (wild > 0) c.major = std::stoull(parts[0]);
  if (wild > 1) c.minor = std::stoull(parts[1]);
  if (wild > 2) c.patch = std::stoull(parts[2]);
  c.pre = pre;
  // Prereleases only satisfy constraints that carry a prerelease themselves.
  if (!v.pre.empty() && pre.empty()) return false;
  bool dirty = wild < 3;
  auto lt_next = [&](int level) {  // v < c bumped at level
    SemVer n = c;
    n.pre.clear();
    if (level == 0) {
      n.major++;
      n.minor = n.patch = 0;
    } else if (level == 1) {
      n.minor++;
      n.patch = 0;
    } else {
      n.patch++;
    }
    return Compare(v, n) < 0;
  };
  int cmp = Compare(v, c);
  if (op.empty() || op == "=") {
    if (!dirty) return cmp == 0;
    if (wild == 0) return true;
    return Compare(v, c) >= 0 && lt_next(wild - 1);
  }
  if (op == "!=") {
    if (!dirty) return cmp != 0;
    if (wild == 0) return false;
    return !(Compare(v, c) >= 0 && lt_next(wild - 1));
  }
  if (op == ">") {
    if (!dirty) return cmp > 0;
    if (wild == 0) return false;
    return !lt_next(wild - 1);
  }
  if (op == ">=" || op == "=>") return cmp >= 0;
  if (op == "<") return cmp < 0;
  if (op == "<=" || op == "=<") {
    if (!dirty) return cmp <= 0;
    if (wild == 0) return true;
    return lt_next(wild - 1);
  }
  if (op == "~" || op == "~>") {
    if (cmp < 0) return false;
    if (wild == 0) return true;
    return lt_next(wild >= 2 ? 1 : 0);
  }
  if (op == "^") {
    if (cmp < 0) return false;
    if (c.major > 0 || wild == 1) return lt_next(0);
    if (c.minor > 0 || wild == 2) return lt_next(1);
    return lt_next(2);
  }
  return false;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// ---------- builtin objects ----------

const std::string kFilesType(kFilesGoType);
const char* kKubeVersionType = "chartutil.KubeVersion";

std::expected<std::string, std::string> StringArgOf(const Value& v) {
  if (v.is_null())
    return std::unexpected(std::string(kRawCallError) + "invalid value; expected string");
  if (!v.is_string()) {
    return std::unexpected(std::string(kRawCallError) +
                           "wrong type for value; expected string; got " + GoTypeName(v));
  }
  return v.get<std::string>();
}

std::string FilesToYaml(const Value& files, bool secrets) {
  Value m = Value::object();
  for (auto it = files.begin(); it != files.end(); ++it) {
    std::string base =
        it.key().substr(it.key().rfind('/') == std::string::npos ? 0 : it.key().rfind('/') + 1);
    const std::string& data = it->get_ref<const std::string&>();
    m[base] = secrets ? api::Base64Encode(data) : data;
  }
  auto y = GoYamlMarshal(m);
  if (!y) return "";
  std::string s = *y;
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

void RegisterBuiltinMethods() {
  static std::once_flag once;
  std::call_once(once, [] {
    using R = std::expected<Value, std::string>;
    RegisterGoMethod(kFilesType, "Get", 1, [](const Value& f, std::span<const Value> a) -> R {
      auto name = StringArgOf(a[0]);
      if (!name) return std::unexpected(name.error());
      auto it = f["files"].find(*name);
      return it == f["files"].end() ? Value("") : *it;
    });
    RegisterGoMethod(kFilesType, "GetBytes", 1, [](const Value& f, std::span<const Value> a) -> R {
      auto name = StringArgOf(a[0]);
      if (!name) return std::unexpected(name.error());
      auto it = f["files"].find(*name);
      std::string data = it == f["files"].end() ? std::string() : it->get<std::string>();
      return Value::binary(std::vector<std::uint8_t>(data.begin(), data.end()));
    });
    RegisterGoMethod(kFilesType, "Glob", 1, [](const Value& f, std::span<const Value> a) -> R {
      auto pattern = StringArgOf(a[0]);
      if (!pattern) return std::unexpected(pattern.error());
      Value out = Value::object();
      out[std::string(kGoTypeKey)] = kFilesType;
      out["files"] = Value::object();
      for (auto it = f["files"].begin(); it != f["files"].end(); ++it) {
        if (GlobMatch(*pattern, it.key())) out["files"][it.key()] = it.value();
      }
      return out;
    });
    RegisterGoMethod(kFilesType, "Lines", 1, [](const Value& f, std::span<const Value> a) -> R {
      auto name = StringArgOf(a[0]);
      if (!name) return std::unexpected(name.error());
      auto it = f["files"].find(*name);
      Value out = Value::array();
      if (it == f["files"].end()) return out;
      std::string s = it->get<std::string>();
      if (!s.empty() && s.back() == '\n') s.pop_back();
      size_t start = 0;
      while (true) {
        size_t nl = s.find('\n', start);
        out.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      return out;
    });
    RegisterGoMethod(kFilesType, "AsConfig", 0, [](const Value& f, std::span<const Value>) -> R {
      return Value(FilesToYaml(f["files"], false));
    });
    RegisterGoMethod(kFilesType, "AsSecrets", 0, [](const Value& f, std::span<const Value>) -> R {
      return Value(FilesToYaml(f["files"], true));
    });
    RegisterGoMethod(kKubeVersionType, "String", 0,
                     [](const Value& k, std::span<const Value>) -> R { return k["Version"]; });
    RegisterGoMethod(kKubeVersionType, "GitVersion", 0,
                     [](const Value& k, std::span<const Value>) -> R { return k["Version"]; });
    // chartutil.VersionSet.Has: APIVersions is a plain list here, so Has is a method of lists.
    RegisterGoMethod("[]interface {}", "Has", 1,
                     [](const Value& list, std::span<const Value> a) -> R {
                       auto v = StringArgOf(a[0]);
                       if (!v) return std::unexpected(v.error());
                       for (const auto& e : list)
                         if (e.is_string() && e.get<std::string>() == *v) return Value(true);
                       return Value(false);
                     });
    RegisterGoStringer(kKubeVersionType, [](const Value& k) -> std::optional<std::string> {
      return k.value("Version", std::string());
    });
  });
}

const std::vector<std::string>& DefaultApiVersions() {
  static const std::vector<std::string> v = {
      "v1",
      "admissionregistration.k8s.io/v1",
      "admissionregistration.k8s.io/v1beta1",
      "internal.apiserver.k8s.io/v1alpha1",
      "apps/v1",
      "apps/v1beta1",
      "apps/v1beta2",
      "authentication.k8s.io/v1",
      "authentication.k8s.io/v1beta1",
      "authorization.k8s.io/v1",
      "authorization.k8s.io/v1beta1",
      "autoscaling/v1",
      "autoscaling/v2",
      "autoscaling/v2beta1",
      "autoscaling/v2beta2",
      "batch/v1",
      "batch/v1beta1",
      "certificates.k8s.io/v1",
      "certificates.k8s.io/v1beta1",
      "coordination.k8s.io/v1beta1",
      "coordination.k8s.io/v1",
      "discovery.k8s.io/v1",
      "discovery.k8s.io/v1beta1",
      "events.k8s.io/v1",
      "events.k8s.io/v1beta1",
      "extensions/v1beta1",
      "flowcontrol.apiserver.k8s.io/v1beta1",
      "networking.k8s.io/v1",
      "networking.k8s.io/v1beta1",
      "node.k8s.io/v1",
      "node.k8s.io/v1beta1",
      "policy/v1",
      "policy/v1beta1",
      "rbac.authorization.k8s.io/v1",
      "rbac.authorization.k8s.io/v1beta1",
      "scheduling.k8s.io/v1",
      "scheduling.k8s.io/v1beta1",
      "storage.k8s.io/v1",
      "storage.k8s.io/v1beta1",
      "apiextensions.k8s.io/v1",
      "apiextensions.k8s.io/v1beta1",
  };
  return v;
}

api::Result<Value> Capabilities(const RenderOptions& opts) {
  std::string version = "v1.20.0", major = "1", minor = "20";
  if (!opts.kube_version.empty()) {
    auto sv = ParseSemver(opts.kube_version);
    if (!sv) {
      return std::unexpected(api::BadRequest("invalid kube version '" + opts.kube_version +
                                             "': Invalid Semantic Version"));
    }
    version = "v" + std::to_string(sv->major) + "." + std::to_string(sv->minor) + "." +
              std::to_string(sv->patch);
    // chartutil.ParseKubeVersion: "v" + semver's String() (prerelease and metadata kept).
    if (!sv->pre.empty()) version += "-" + sv->pre;
    if (!sv->metadata.empty()) version += "+" + sv->metadata;
    major = std::to_string(sv->major);
    minor = std::to_string(sv->minor);
  }
  Value kv = Value::object();
  kv[std::string(kGoTypeKey)] = kKubeVersionType;
  kv["Version"] = version;
  kv["Major"] = major;
  kv["Minor"] = minor;
  Value apis = Value::array();
  for (const auto& a : DefaultApiVersions()) apis.push_back(a);
  for (const auto& a : opts.api_versions) apis.push_back(a);
  Value helm = Value::object();
  helm[std::string(kGoTypeKey)] = "version.BuildInfo";
  helm["Version"] = "v3.14.4";
  helm["GitCommit"] = "81c902a123462fd4052bc5e9aa9c513c4c8fc142";
  helm["GitTreeState"] = "clean";
  helm["GoVersion"] = "go1.22.2";
  Value caps = Value::object();
  caps[std::string(kGoTypeKey)] = "*chartutil.Capabilities";
  caps["KubeVersion"] = kv;
  caps["APIVersions"] = apis;
  caps["HelmVersion"] = helm;
  return caps;
}

struct Renderable {
  std::string name;
  const ChartFile* file;
  Value* data;  // the chart's top-level object
  std::string base_path;
  bool partial;
};

// recAllTpls: builds the per-chart top-level objects and collects templates.
Value* CollectTemplates(const Chart& c, const Value& parent_values, const Value& release,
                        const Value& caps, std::vector<std::unique_ptr<Value>>& storage,
                        std::vector<Renderable>& out) {
  auto next = std::make_unique<Value>(Value::object());
  Value& n = *next;
  n["Chart"] = c.MetadataObject();
  Value files = Value::object();
  files[std::string(kGoTypeKey)] = kFilesType;
  files["files"] = Value::object();
  for (const auto& f : c.files) files["files"][f.name] = f.data;
  n["Files"] = std::move(files);
  n["Release"] = release;
  n["Capabilities"] = caps;
  if (c.IsRoot()) {
    n["Values"] = parent_values;
  } else {
    auto it = parent_values.find(c.name);
    n["Values"] = it != parent_values.end() && it->is_object() ? *it : Value::object();
  }
  Value subs = Value::object();
  Value* self = next.get();
  storage.push_back(std::move(next));
  for (const auto& sub : c.subcharts) {
    Value* sd = CollectTemplates(*sub, (*self)["Values"], release, caps, storage, out);
    subs[sub->name] = *sd;
  }
  (*self)["Subcharts"] = std::move(subs);
  std::string full = c.FullPath();
  bool library = c.type == "library";
  for (const auto& t : c.templates) {
    std::string base = t.name.substr(t.name.rfind('/') + 1);
    bool partial = !base.empty() && base[0] == '_';
    if (library && !partial) continue;
    out.push_back(Renderable{full + "/" + t.name, &t, self, full + "/templates", partial});
  }
  return self;
}

bool ByPathLenLess(const std::string& a, const std::string& b) {
  auto ca = std::count(a.begin(), a.end(), '/'), cb = std::count(b.begin(), b.end(), '/');
  if (ca == cb) return a < b;
  return ca < cb;
}

std::string TrimSpaceStr(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::shared_ptr<const FuncMap> HelmFuncMap() {
  static std::shared_ptr<const FuncMap> funcs = [] {
    auto f = std::make_shared<FuncMap>();
    AddSprigFunctions(*f);
    // Helm removes env and expandenv from Sprig's map.
    f->erase("env");
    f->erase("expandenv");
    AddHelmFunctions(*f);
    return std::shared_ptr<const FuncMap>(f);
  }();
  return funcs;
}

api::Result<Value> UserValues(const RenderOptions& opts) {
  Value base = Value::object();
  for (const auto& f : opts.values_files) {
    auto v = DecodeYamlValues(f.content);
    if (!v) return std::unexpected(api::BadRequest("failed to parse " + f.name + ": " + v.error()));
    if (v->is_null()) continue;
    if (!v->is_object()) {
      return std::unexpected(
          api::BadRequest("failed to parse " + f.name +
                          ": error unmarshaling JSON: while decoding JSON: json: cannot "
                          "unmarshal " +
                          std::string(v->is_array() ? "array" : "string") +
                          " into Go value of type map[string]interface {}"));
    }
    MergeValueMaps(base, *v);
  }
  for (const auto& s : opts.set_json) {
    if (auto ok = ParseSet(s, base, SetKind::kJson); !ok) {
      return std::unexpected(api::BadRequest("failed parsing --set-json data " + s));
    }
  }
  for (const auto& s : opts.set) {
    if (auto ok = ParseSet(s, base, SetKind::kTyped); !ok) {
      return std::unexpected(ok.error().Wrap("failed parsing --set data"));
    }
  }
  for (const auto& s : opts.set_string) {
    if (auto ok = ParseSet(s, base, SetKind::kString); !ok) {
      return std::unexpected(ok.error().Wrap("failed parsing --set-string data"));
    }
  }
  for (const auto& s : opts.set_file) {
    if (auto ok = ParseSet(s, base, SetKind::kFile, opts.read_file); !ok) {
      return std::unexpected(ok.error().Wrap("failed parsing --set-file data"));
    }
  }
  return base;
}

// Prepares the chart (dependencies processed) and the coalesced values.
api::Result<std::pair<std::unique_ptr<Chart>, Value>> Prepare(const Chart& chart,
                                                              const RenderOptions& opts) {
  if (!chart.type.empty() && chart.type != "application") {
    return std::unexpected(api::BadRequest(chart.type + " charts are not installable"));
  }
  if (!chart.dependencies.empty()) {
    if (auto ok = CheckDependencies(chart); !ok) {
      return std::unexpected(
          ok.error().Wrap("An error occurred while checking for chart dependencies. You may need "
                          "to run `helm dependency "
                          "build` to fetch missing dependencies"));
    }
  }
  auto user = UserValues(opts);
  if (!user) return std::unexpected(user.error());
  auto c = chart.Clone();
  if (auto ok = ProcessDependencies(*c, *user, SemverMatches); !ok)
    return std::unexpected(ok.error());
  Value vals = CoalesceValues(*c, *user);
  auto schema = ValidateChartSchemas(*c, vals);
  if (!schema) return std::unexpected(schema.error());
  if (!schema->empty()) {
    return std::unexpected(api::MakeError(
        api::Reason::kInvalid,
        "values don't meet the specifications of the schema(s) in the following chart(s):\n" +
            *schema));
  }
  return std::make_pair(std::move(c), std::move(vals));
}

const std::map<std::string, bool>& HookEvents() {
  static const std::map<std::string, bool> m = {
      {"pre-install", false},  {"post-install", false},  {"pre-delete", false},
      {"post-delete", false},  {"pre-upgrade", false},   {"post-upgrade", false},
      {"pre-rollback", false}, {"post-rollback", false}, {"test", true},
      {"test-success", true},
  };
  return m;
}

}  // namespace

bool SemverMatches(std::string_view constraint, std::string_view version) {
  auto v = ParseSemver(Trim(std::string(version)));
  if (!v) return false;
  std::string cs = Trim(std::string(constraint));
  if (cs.empty()) return false;
  // OR groups
  size_t start = 0;
  while (start <= cs.size()) {
    size_t bar = cs.find("||", start);
    std::string group =
        Trim(cs.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    start = bar == std::string::npos ? cs.size() + 1 : bar + 2;
    // hyphen range "a - b"
    size_t hy = group.find(" - ");
    if (hy != std::string::npos) {
      group = ">=" + Trim(group.substr(0, hy)) + ", <=" + Trim(group.substr(hy + 3));
    }
    // AND terms: split on commas and spaces (an operator may be followed by spaces)
    std::vector<std::string> terms;
    std::string cur;
    for (size_t i = 0; i < group.size(); ++i) {
      char ch = group[i];
      if (ch == ',' || ch == ' ') {
        bool only_op = !cur.empty() && std::all_of(cur.begin(), cur.end(), [](char x) {
          return std::strchr("=<>!~^", x) != nullptr;
        });
        if (only_op) continue;
        if (!cur.empty()) terms.push_back(cur);
        cur.clear();
        continue;
      }
      cur += ch;
    }
    if (!cur.empty()) terms.push_back(cur);
    if (terms.empty()) continue;
    bool all = true;
    for (const auto& t : terms) {
      if (!CheckTerm(t, *v)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

const std::vector<std::string>& InstallOrder() {
  static const std::vector<std::string> order = {
      "PriorityClass",
      "Namespace",
      "NetworkPolicy",
      "ResourceQuota",
      "LimitRange",
      "PodSecurityPolicy",
      "PodDisruptionBudget",
      "ServiceAccount",
      "Secret",
      "SecretList",
      "ConfigMap",
      "StorageClass",
      "PersistentVolume",
      "PersistentVolumeClaim",
      "CustomResourceDefinition",
      "ClusterRole",
      "ClusterRoleList",
      "ClusterRoleBinding",
      "ClusterRoleBindingList",
      "Role",
      "RoleList",
      "RoleBinding",
      "RoleBindingList",
      "Service",
      "DaemonSet",
      "Pod",
      "ReplicationController",
      "ReplicaSet",
      "Deployment",
      "HorizontalPodAutoscaler",
      "StatefulSet",
      "Job",
      "CronJob",
      "IngressClass",
      "Ingress",
      "APIService",
  };
  return order;
}

std::vector<std::string> SplitManifests(std::string_view big_file) {
  static const RE2 sep(R"((?:^|\s*\n)---\s*)");
  std::string tmp = TrimSpaceStr(big_file);
  std::vector<std::string> docs;
  re2::StringPiece input(tmp);
  re2::StringPiece match;
  size_t last = 0;
  size_t pos = 0;
  while (pos <= tmp.size()) {
    if (!sep.Match(input, pos, tmp.size(), RE2::UNANCHORED, &match, 1)) break;
    size_t mstart = match.data() - tmp.data();
    size_t mend = mstart + match.size();
    if (match.size() == 0) {
      // Empty match (only possible at ^ with no ---): skip a byte.
      pos = mstart + 1;
      continue;
    }
    docs.push_back(tmp.substr(last, mstart - last));
    last = mend;
    pos = mend;
  }
  docs.push_back(tmp.substr(last));
  std::vector<std::string> out;
  for (auto& d : docs) {
    if (d.empty()) continue;
    out.push_back(TrimSpaceStr(d));
  }
  return out;
}

api::Result<Value> ComputeValues(const Chart& chart, const RenderOptions& opts) {
  auto p = Prepare(chart, opts);
  if (!p) return std::unexpected(p.error());
  return std::move(p->second);
}

api::Result<Rendered> RenderChart(const Chart& chart, const RenderOptions& opts) {
  RegisterBuiltinMethods();
  auto prepared = Prepare(chart, opts);
  if (!prepared) return std::unexpected(prepared.error());
  auto& [c, vals] = *prepared;

  auto caps = Capabilities(opts);
  if (!caps) return std::unexpected(caps.error());
  std::string kube = (*caps)["KubeVersion"]["Version"].get<std::string>();
  // Errors from here on are renderResources' (Helm returns a partial release with them).
  auto render_error = [&](std::string msg) {
    api::Error e = api::BadRequest(std::move(msg));
    e.kind = std::string(kRenderStageKind);
    e.name = c->name;
    return std::unexpected(std::move(e));
  };
  if (!c->kube_version.empty() && !SemverMatches(c->kube_version, kube)) {
    return render_error("chart requires kubeVersion: " + c->kube_version +
                        " which is incompatible with Kubernetes " + kube);
  }
  Value release = Value::object();
  release["Name"] = opts.release_name;
  release["Namespace"] = opts.namespace_name;
  release["IsUpgrade"] = opts.is_upgrade;
  release["IsInstall"] = !opts.is_upgrade;
  release["Revision"] = static_cast<int64_t>(opts.revision);
  release["Service"] = "Helm";

  std::vector<std::unique_ptr<Value>> storage;
  std::vector<Renderable> tpls;
  CollectTemplates(*c, vals, release, *caps, storage, tpls);
  std::sort(tpls.begin(), tpls.end(),
            [](const Renderable& a, const Renderable& b) { return ByPathLenLess(b.name, a.name); });

  TemplateSet set(HelmFuncMap());
  for (const auto& t : tpls) {
    if (auto ok = set.Parse(t.name, t.file->data); !ok) {
      return render_error(CleanupParseError(t.name, ok.error()));
    }
  }
  Rendered out;
  out.values = vals;
  std::string failure;
  ExecOptions eo;
  eo.max_output_bytes = opts.max_output_bytes;
  size_t total = 0;
  RunWithLargeStack([&] {
    for (const auto& t : tpls) {
      if (t.partial) continue;
      Value tv = Value::object();
      tv["Name"] = t.name;
      tv["BasePath"] = t.base_path;
      (*t.data)["Template"] = tv;
      auto r = set.Execute(t.name, *t.data, eo);
      if (!r) {
        failure = CleanupExecError(t.name, r.error());
        return;
      }
      std::string s = std::move(*r);
      size_t p = 0;
      while ((p = s.find("<no value>", p)) != std::string::npos) s.erase(p, 10);
      total += s.size();
      if (total > opts.max_output_bytes) {
        failure = "rendered output exceeds the limit of " + std::to_string(opts.max_output_bytes) +
                  " bytes";
        return;
      }
      out.files[t.name] = std::move(s);
    }
  });
  if (!failure.empty()) {
    if (failure.starts_with("rendered output exceeds")) {
      return std::unexpected(api::MakeError(api::Reason::kRequestEntityTooLarge, failure));
    }
    return render_error(failure);
  }

  // NOTES.txt
  std::map<std::string, std::string> files = out.files;
  std::string root_notes = c->name + "/templates/NOTES.txt";
  for (auto it = files.begin(); it != files.end();) {
    if (it->first.ends_with("NOTES.txt")) {
      if (opts.render_subchart_notes || it->first == root_notes) {
        if (!out.notes.empty()) out.notes += "\n";
        out.notes += it->second;
      }
      it = files.erase(it);
    } else {
      ++it;
    }
  }

  // SortManifests
  const auto& order = InstallOrder();
  std::map<std::string, int> rank;
  for (size_t i = 0; i < order.size(); ++i) rank[order[i]] = static_cast<int>(i);
  for (const auto& [path, content] : files) {
    std::string base = path.substr(path.rfind('/') + 1);
    if (!base.empty() && base[0] == '_') continue;
    if (TrimSpaceStr(content).empty()) continue;
    for (auto& doc : SplitManifests(content)) {
      auto head = DecodeManifestHead(doc);
      if (!head) return render_error("YAML parse error on " + path + ": " + head.error());
      RenderedManifest m;
      m.source = path;
      m.content = doc;
      m.kind = head->kind;
      std::string hook_types = head->hook;
      bool is_hook = head->has_hook;
      if (!is_hook) {
        out.manifests.push_back(std::move(m));
        continue;
      }
      bool unknown = false;
      size_t start = 0;
      while (start <= hook_types.size()) {
        size_t comma = hook_types.find(',', start);
        std::string ht = Trim(hook_types.substr(
            start, comma == std::string::npos ? std::string::npos : comma - start));
        start = comma == std::string::npos ? hook_types.size() + 1 : comma + 1;
        for (auto& ch : ht) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        auto ev = HookEvents().find(ht);
        if (ev == HookEvents().end()) {
          unknown = true;
          break;
        }
        if (ev->second) m.test_hook = true;
      }
      if (unknown) continue;  // "info: skipping unknown hook"
      m.hook = true;
      out.hooks.push_back(std::move(m));
    }
  }
  auto less_by_kind = [&](const RenderedManifest& a, const RenderedManifest& b) {
    auto ia = rank.find(a.kind), ib = rank.find(b.kind);
    bool aok = ia != rank.end(), bok = ib != rank.end();
    if (!aok && !bok) return a.kind != b.kind && a.kind < b.kind;
    if (!aok) return false;
    if (!bok) return true;
    return ia->second < ib->second;
  };
  std::stable_sort(out.manifests.begin(), out.manifests.end(), less_by_kind);
  std::stable_sort(out.hooks.begin(), out.hooks.end(), less_by_kind);

  // Assemble the manifest stream as renderResources does, then what `helm template` prints.
  std::string b;
  if (opts.include_crds) {
    std::function<void(const Chart&)> crds = [&](const Chart& ch) {
      for (const auto& f : ch.files) {
        if (!f.name.starts_with("crds/")) continue;
        if (!(f.name.ends_with(".yaml") || f.name.ends_with(".yml") || f.name.ends_with(".json")))
          continue;
        b += "---\n# Source: " + ch.FullPath() + "/" + f.name + "\n" + f.data + "\n";
      }
      for (const auto& s : ch.subcharts) crds(*s);
    };
    crds(*c);
  }
  for (const auto& m : out.manifests) b += "---\n# Source: " + m.source + "\n" + m.content + "\n";
  std::string printed = TrimSpaceStr(b) + "\n";
  if (!opts.disable_hooks) {
    for (const auto& h : out.hooks) {
      if (opts.skip_tests && h.test_hook) continue;
      printed += "---\n# Source: " + h.source + "\n" + h.content + "\n";
    }
  }
  if (!opts.show_only.empty()) {
    auto split = SplitManifests(printed);
    static const RE2 name_re("# Source: [^/]+/(.+)");
    std::string shown;
    for (const auto& f : opts.show_only) {
      bool missing = true;
      for (const auto& m : split) {
        std::string name;
        if (!RE2::PartialMatch(m, name_re, &name)) continue;
        if (!GoPathMatch(f, name)) continue;
        shown += "---\n" + m + "\n";
        missing = false;
      }
      if (missing) {
        api::Error e = api::NotFound("templates", f);
        e.message = "could not find template " + f + " in chart";
        return std::unexpected(std::move(e));
      }
    }
    printed = shown;
  }
  if (printed.size() > opts.max_output_bytes) {
    return std::unexpected(api::MakeError(api::Reason::kRequestEntityTooLarge,
                                          "rendered output exceeds the limit of " +
                                              std::to_string(opts.max_output_bytes) + " bytes"));
  }
  out.output = std::move(printed);
  return out;
}

std::vector<std::string> LintChart(const Chart& chart, const RenderOptions& opts) {
  std::vector<std::string> msgs;
  if (!chart.metadata_raw.contains("icon"))
    msgs.push_back("[INFO] Chart.yaml: icon is recommended");
  if (chart.api_version != "v1" && chart.api_version != "v2") {
    msgs.push_back("[ERROR] Chart.yaml: apiVersion '" + chart.api_version +
                   "' is not valid. The value must be either \"v1\" or \"v2\"");
  }
  if (chart.type == "library") return msgs;
  auto r = RenderChart(chart, opts);
  if (!r) {
    const std::string& m = r.error().message;
    if (m.starts_with("values don't meet")) {
      msgs.push_back("[ERROR] values.yaml: " + m);
    } else {
      msgs.push_back("[ERROR] templates/: " + m);
    }
    return msgs;
  }
  for (const auto& m : r->manifests) {
    auto v = DecodeYamlValues(m.content);
    if (!v || !v->is_object()) continue;
    std::string rel = m.source.substr(m.source.find('/') + 1);
    if (!v->contains("apiVersion"))
      msgs.push_back("[ERROR] " + rel + ": object has no apiVersion field");
    if (!v->contains("kind")) msgs.push_back("[ERROR] " + rel + ": object has no kind field");
    if (v->contains("metadata") && (*v)["metadata"].is_object()) {
      const Value& md = (*v)["metadata"];
      if (auto n = md.find("name"); n != md.end() && n->is_string()) {
        static const RE2 dns1123(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
        const std::string& name = n->get_ref<const std::string&>();
        if (!RE2::FullMatch(name, dns1123) || name.size() > 253) {
          msgs.push_back(
              "[ERROR] " + rel +
              ": object name does not conform to Kubernetes naming requirements: " + GoQuote(name));
        }
      }
    }
  }
  return msgs;
}

}  // namespace keelson::charts
