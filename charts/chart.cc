// Loading Helm charts (see chart.h).
#include "charts/chart.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>

#include "charts/gofmt.h"
#include "charts/yaml.h"

namespace keelson::charts {
namespace fs = std::filesystem;
namespace {

api::Error Bad(std::string msg) { return api::BadRequest(std::move(msg)); }

std::string CleanPath(std::string_view p) {
  // Go's path.Clean.
  bool rooted = !p.empty() && p[0] == '/';
  std::vector<std::string> parts;
  std::string cur;
  auto flush = [&] {
    if (cur.empty() || cur == ".") {
    } else if (cur == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back("..");
      }
    } else {
      parts.push_back(cur);
    }
    cur.clear();
  };
  for (char c : p) {
    if (c == '/') {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  if (out.empty()) return ".";
  return out;
}

bool ValidSemver(std::string_view v) {
  static const std::regex re(
      R"(^v?(0|[1-9]\d*)(\.(0|[1-9]\d*))?(\.(0|[1-9]\d*))?(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$)");
  return std::regex_match(v.begin(), v.end(), re);
}

api::Result<std::string> StringField(const Value& obj, const char* key, const char* go_field) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    std::string kind = it->is_number()    ? "number"
                       : it->is_boolean() ? "bool"
                       : it->is_array()   ? "array"
                                          : "object";
    return std::unexpected(
        Bad("cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: "
            "cannot unmarshal " +
            kind + " into Go struct field Metadata." + go_field + " of type string"));
  }
  return it->get<std::string>();
}

api::Result<std::vector<ChartDependency>> ParseDependencies(const Value& list,
                                                            std::string_view file) {
  std::vector<ChartDependency> out;
  if (list.is_null()) return out;
  if (!list.is_array())
    return std::unexpected(
        Bad("cannot load " + std::string(file) + ": dependencies must be a list"));
  for (const auto& d : list) {
    if (!d.is_object()) continue;
    ChartDependency dep;
    auto s = [&](const char* k) {
      return d.contains(k) && d[k].is_string() ? d[k].get<std::string>() : std::string();
    };
    dep.name = s("name");
    dep.version = s("version");
    dep.repository = s("repository");
    dep.condition = s("condition");
    dep.alias = s("alias");
    if (d.contains("tags") && d["tags"].is_array()) {
      for (const auto& t : d["tags"])
        if (t.is_string()) dep.tags.push_back(t.get<std::string>());
    }
    if (d.contains("import-values") && d["import-values"].is_array())
      dep.import_values = d["import-values"];
    out.push_back(std::move(dep));
  }
  return out;
}

api::Status ValidateMetadata(const Chart& c) {
  auto v = [](std::string m) { return std::unexpected(Bad("validation: " + m)); };
  if (c.api_version.empty()) return v("chart.metadata.apiVersion is required");
  if (c.name.empty()) return v("chart.metadata.name is required");
  if (c.name.find('/') != std::string::npos || c.name == "." || c.name == "..") {
    return v("chart.metadata.name " + GoQuote(c.name) + " is invalid");
  }
  if (c.version.empty()) return v("chart.metadata.version is required");
  if (!ValidSemver(c.version))
    return v("chart.metadata.version " + GoQuote(c.version) + " is invalid");
  if (!c.type.empty() && c.type != "application" && c.type != "library") {
    return v("chart.metadata.type must be application or library");
  }
  std::map<std::string, bool> seen;
  static const std::regex alias_re(R"(^[a-zA-Z0-9_-]+$)");
  for (const auto& d : c.dependencies) {
    if (!d.alias.empty() && !std::regex_match(d.alias, alias_re)) {
      return v("dependency " + GoQuote(d.name) + " has disallowed characters in the alias");
    }
    std::string key = d.alias.empty() ? d.name : d.alias;
    if (seen[key]) return v("more than one dependency with name or alias " + GoQuote(key));
    seen[key] = true;
  }
  return {};
}

bool IsArchiveName(std::string_view n) { return n.ends_with(".tgz") || n.ends_with(".tar.gz"); }

}  // namespace

std::string Chart::FullPath() const {
  if (parent) return parent->FullPath() + "/charts/" + name;
  return name;
}

std::unique_ptr<Chart> Chart::Clone() const {
  auto c = std::make_unique<Chart>();
  c->metadata_raw = metadata_raw;
  c->api_version = api_version;
  c->name = name;
  c->version = version;
  c->app_version = app_version;
  c->type = type;
  c->kube_version = kube_version;
  c->dependencies = dependencies;
  c->templates = templates;
  c->files = files;
  c->values = values;
  c->schema = schema;
  for (const auto& s : subcharts) {
    auto sc = s->Clone();
    sc->parent = c.get();
    c->subcharts.push_back(std::move(sc));
  }
  return c;
}

Value Chart::MetadataObject() const {
  Value m = Value::object();
  m[std::string(kGoTypeKey)] = "chart.Metadata";
  auto str = [&](const char* json_key, const char* go) {
    auto it = metadata_raw.find(json_key);
    m[go] = it != metadata_raw.end() && it->is_string() ? *it : Value("");
  };
  str("home", "Home");
  str("description", "Description");
  str("icon", "Icon");
  str("condition", "Condition");
  str("tags", "Tags");
  str("kubeVersion", "KubeVersion");
  m["Name"] = name;
  m["Version"] = version;
  m["AppVersion"] = app_version;
  m["APIVersion"] = api_version;
  m["Type"] = type;
  auto list = [&](const char* json_key, const char* go) {
    auto it = metadata_raw.find(json_key);
    m[go] = it != metadata_raw.end() && it->is_array() ? *it : Value::array();
  };
  list("sources", "Sources");
  list("keywords", "Keywords");
  Value maint = Value::array();
  if (auto it = metadata_raw.find("maintainers"); it != metadata_raw.end() && it->is_array()) {
    for (const auto& mt : *it) {
      Value o = Value::object();
      o[std::string(kGoTypeKey)] = "*chart.Maintainer";
      o["Name"] = mt.value("name", "");
      o["Email"] = mt.value("email", "");
      o["URL"] = mt.value("url", "");
      maint.push_back(o);
    }
  }
  m["Maintainers"] = maint;
  m["Deprecated"] = metadata_raw.value("deprecated", false);
  auto ann = metadata_raw.find("annotations");
  m["Annotations"] = ann != metadata_raw.end() && ann->is_object() ? *ann : Value::object();
  Value deps = Value::array();
  for (const auto& d : dependencies) {
    Value o = Value::object();
    o[std::string(kGoTypeKey)] = "*chart.Dependency";
    o["Name"] = d.name;
    o["Version"] = d.version;
    o["Repository"] = d.repository;
    o["Condition"] = d.condition;
    o["Tags"] = d.tags;
    o["Enabled"] = d.enabled;
    o["ImportValues"] = d.import_values;
    o["Alias"] = d.alias;
    deps.push_back(o);
  }
  m["Dependencies"] = deps;
  m["IsRoot"] = IsRoot();
  return m;
}

api::Result<std::unique_ptr<Chart>> LoadChartFiles(std::vector<ChartFile> files,
                                                   const LoadLimits& limits, int depth) {
  if (depth > limits.max_depth) {
    return std::unexpected(
        Bad("chart dependencies are nested deeper than " + std::to_string(limits.max_depth)));
  }
  auto c = std::make_unique<Chart>();
  bool have_meta = false;
  std::map<std::string, std::vector<ChartFile>> subcharts;
  std::vector<std::string> subchart_order;
  Value requirements;
  size_t total = 0;
  for (auto& f : files) {
    total += f.data.size();
    if (total > limits.max_chart_bytes) {
      return std::unexpected(api::MakeError(
          api::Reason::kRequestEntityTooLarge,
          "chart is larger than the maximum size " + std::to_string(limits.max_chart_bytes)));
    }
    if (f.name == "Chart.yaml") {
      auto v = DecodeYamlValues(f.data);
      if (!v) return std::unexpected(Bad("cannot load Chart.yaml: " + v.error()));
      if (!v->is_object()) v = Value::object();
      c->metadata_raw = *v;
      have_meta = true;
      auto api_version = StringField(*v, "apiVersion", "apiVersion");
      if (!api_version) return std::unexpected(api_version.error());
      auto name = StringField(*v, "name", "name");
      if (!name) return std::unexpected(name.error());
      auto version = StringField(*v, "version", "version");
      if (!version) return std::unexpected(version.error());
      auto app = StringField(*v, "appVersion", "appVersion");
      if (!app) return std::unexpected(app.error());
      auto type = StringField(*v, "type", "type");
      if (!type) return std::unexpected(type.error());
      auto kube = StringField(*v, "kubeVersion", "kubeVersion");
      if (!kube) return std::unexpected(kube.error());
      c->api_version = api_version->empty() ? "v1" : *api_version;
      c->name = *name;
      c->version = *version;
      c->app_version = *app;
      c->type = *type;
      c->kube_version = *kube;
      if (c->api_version == "v2" && v->contains("dependencies")) {
        auto deps = ParseDependencies((*v)["dependencies"], "Chart.yaml");
        if (!deps) return std::unexpected(deps.error());
        c->dependencies = std::move(*deps);
      }
    } else if (f.name == "requirements.yaml") {
      auto v = DecodeYamlValues(f.data);
      if (!v) return std::unexpected(Bad("cannot load requirements.yaml: " + v.error()));
      requirements = *v;
      c->files.push_back(std::move(f));
    } else if (f.name == "values.yaml") {
      auto v = DecodeYamlValues(f.data);
      if (!v) return std::unexpected(Bad("cannot load values.yaml: " + v.error()));
      if (v->is_null()) v = Value::object();
      if (!v->is_object()) {
        return std::unexpected(
            Bad("cannot load values.yaml: error unmarshaling JSON: while decoding JSON: json: "
                "cannot unmarshal " +
                std::string(v->is_array() ? "array" : "string") +
                " into Go value of type map[string]interface {}"));
      }
      c->values = std::move(*v);
    } else if (f.name == "values.schema.json") {
      c->schema = std::move(f.data);
    } else if (f.name == "Chart.lock" || f.name == "requirements.lock") {
      // lock files are not needed to render
    } else if (f.name.starts_with("templates/")) {
      c->templates.push_back(std::move(f));
    } else if (f.name.starts_with("charts/")) {
      if (f.name.ends_with(".prov")) {
        c->files.push_back(std::move(f));
        continue;
      }
      std::string fname = f.name.substr(7);
      std::string cname = fname.substr(0, fname.find('/'));
      if (!subcharts.contains(cname)) subchart_order.push_back(cname);
      subcharts[cname].push_back(ChartFile{fname, std::move(f.data)});
    } else {
      c->files.push_back(std::move(f));
    }
  }
  if (!have_meta) return std::unexpected(Bad("Chart.yaml file is missing"));
  if (c->api_version == "v1" && requirements.is_object() && requirements.contains("dependencies")) {
    auto deps = ParseDependencies(requirements["dependencies"], "requirements.yaml");
    if (!deps) return std::unexpected(deps.error());
    c->dependencies = std::move(*deps);
  }
  if (auto ok = ValidateMetadata(*c); !ok) return std::unexpected(ok.error());

  for (const auto& n : subchart_order) {
    auto& sfiles = subcharts[n];
    if (n.empty() || n[0] == '_' || n[0] == '.') continue;
    api::Result<std::unique_ptr<Chart>> sc;
    if (IsArchiveName(n)) {
      const ChartFile& file = sfiles[0];
      if (file.name != n) {
        return std::unexpected(
            Bad("error unpacking tar in " + c->name + ": expected " + n + ", got " + file.name));
      }
      sc = LoadChartArchive(file.data, limits, depth + 1);
    } else {
      std::vector<ChartFile> buff;
      for (auto& f : sfiles) {
        size_t slash = f.name.find('/');
        if (slash == std::string::npos) continue;
        buff.push_back(ChartFile{f.name.substr(slash + 1), std::move(f.data)});
      }
      sc = LoadChartFiles(std::move(buff), limits, depth + 1);
    }
    if (!sc) return std::unexpected(sc.error().Wrap("error unpacking " + n + " in " + c->name));
    (*sc)->parent = c.get();
    c->subcharts.push_back(std::move(*sc));
  }
  return c;
}

api::Result<std::unique_ptr<Chart>> LoadChartArchive(std::string_view tgz, const LoadLimits& limits,
                                                     int depth) {
  struct ArchiveCloser {
    void operator()(archive* a) const { archive_read_free(a); }
  };
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), tgz.data(), tgz.size()) != ARCHIVE_OK) {
    return std::unexpected(
        Bad(std::string("not a chart archive: ") + archive_error_string(a.get())));
  }
  std::vector<ChartFile> files;
  size_t total = 0;
  archive_entry* entry;
  while (true) {
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return std::unexpected(
          Bad(std::string("reading chart archive: ") + archive_error_string(a.get())));
    }
    const char* pn = archive_entry_pathname(entry);
    std::string raw = pn ? pn : "";
    auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) continue;
    if (type == AE_IFLNK || archive_entry_hardlink(entry) != nullptr) {
      return std::unexpected(Bad("chart archive contains a link, which is not allowed: " + raw));
    }
    if (type != AE_IFREG) {
      return std::unexpected(Bad("chart archive contains an irregular file: " + raw));
    }
    std::replace(raw.begin(), raw.end(), '\\', '/');
    if (!raw.empty() && raw[0] == '/') {
      return std::unexpected(Bad("chart illegally contains absolute paths: " + raw));
    }
    size_t slash = raw.find('/');
    std::string n = slash == std::string::npos ? std::string() : raw.substr(slash + 1);
    n = CleanPath(n);
    if (n == ".")
      return std::unexpected(Bad("chart illegally contains content outside the base directory"));
    if (n.starts_with(".."))
      return std::unexpected(Bad("chart illegally references parent directory"));
    if (n.size() >= 2 && std::isalpha(static_cast<unsigned char>(n[0])) && n[1] == ':') {
      return std::unexpected(Bad("chart contains illegally named files"));
    }
    if (raw.substr(0, slash) == "Chart.yaml" || slash == std::string::npos) {
      return std::unexpected(Bad("chart yaml not in base directory"));
    }
    la_int64_t size = archive_entry_size(entry);
    if (size > static_cast<la_int64_t>(limits.max_file_bytes)) {
      return std::unexpected(api::MakeError(api::Reason::kRequestEntityTooLarge,
                                            "decompressed chart file " + GoQuote(raw) +
                                                " is larger than the maximum file size " +
                                                std::to_string(limits.max_file_bytes)));
    }
    std::string data;
    data.resize(static_cast<size_t>(std::max<la_int64_t>(size, 0)));
    la_ssize_t got = data.empty() ? 0 : archive_read_data(a.get(), data.data(), data.size());
    if (got < 0)
      return std::unexpected(
          Bad(std::string("reading chart archive: ") + archive_error_string(a.get())));
    data.resize(static_cast<size_t>(got));
    total += data.size();
    if (total > limits.max_chart_bytes) {
      return std::unexpected(api::MakeError(api::Reason::kRequestEntityTooLarge,
                                            "decompressed chart is larger than the maximum size " +
                                                std::to_string(limits.max_chart_bytes)));
    }
    if (files.size() >= limits.max_files) {
      return std::unexpected(
          Bad("chart archive has more than " + std::to_string(limits.max_files) + " files"));
    }
    files.push_back(ChartFile{n, std::move(data)});
  }
  if (files.empty()) return std::unexpected(Bad("no files in chart archive"));
  return LoadChartFiles(std::move(files), limits, depth);
}

namespace {

api::Status WalkDir(const fs::path& root, const fs::path& dir, const std::string& rel_prefix,
                    const IgnoreRules& rules, const LoadLimits& limits, std::vector<ChartFile>& out,
                    size_t& total, int depth) {
  if (depth > 64)
    return std::unexpected(Bad("chart directory nesting too deep at " + dir.string()));
  std::vector<fs::directory_entry> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(*it);
  if (ec) return std::unexpected(Bad("reading " + dir.string() + ": " + ec.message()));
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.path().filename().string() < b.path().filename().string();
  });
  std::error_code ec2;
  fs::path canon_root = fs::canonical(root, ec2);
  for (const auto& e : entries) {
    std::string n = rel_prefix + e.path().filename().string();
    fs::path p = e.path();
    if (e.is_symlink()) {
      std::error_code lec;
      fs::path target = fs::canonical(p, lec);
      if (lec) return std::unexpected(Bad("chart file " + GoQuote(n) + " is a broken symlink"));
      auto rel = target.lexically_relative(canon_root);
      if (rel.empty() || rel.native().starts_with("..")) {
        return std::unexpected(
            Bad("chart file " + GoQuote(n) + " is a symlink pointing outside the chart"));
      }
      p = target;
    }
    std::error_code sec;
    auto st = fs::status(p, sec);
    if (sec) return std::unexpected(Bad("stat " + n + ": " + sec.message()));
    if (fs::is_directory(st)) {
      if (rules.Ignore(n, true)) continue;
      if (auto ok = WalkDir(root, p, n + "/", rules, limits, out, total, depth + 1); !ok) return ok;
      continue;
    }
    if (rules.Ignore(n, false)) continue;
    if (!fs::is_regular_file(st)) {
      return std::unexpected(
          Bad("cannot load irregular file " + p.string() + " as it has file mode type bits set"));
    }
    auto size = fs::file_size(p, sec);
    if (size > limits.max_file_bytes) {
      return std::unexpected(api::MakeError(api::Reason::kRequestEntityTooLarge,
                                            "chart file " + GoQuote(e.path().filename().string()) +
                                                " is larger than the maximum file size " +
                                                std::to_string(limits.max_file_bytes)));
    }
    total += size;
    if (total > limits.max_chart_bytes) {
      return std::unexpected(api::MakeError(
          api::Reason::kRequestEntityTooLarge,
          "chart is larger than the maximum size " + std::to_string(limits.max_chart_bytes)));
    }
    if (out.size() >= limits.max_files) {
      return std::unexpected(
          Bad("chart has more than " + std::to_string(limits.max_files) + " files"));
    }
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string data = ss.str();
    if (data.starts_with("\xEF\xBB\xBF")) data.erase(0, 3);
    out.push_back(ChartFile{n, std::move(data)});
  }
  return {};
}

}  // namespace

api::Result<std::unique_ptr<Chart>> LoadChart(const std::string& path, const LoadLimits& limits) {
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return std::unexpected(api::NotFound("charts", path));
  if (fs::is_regular_file(st)) {
    auto size = fs::file_size(path, ec);
    if (size > limits.max_chart_bytes) {
      return std::unexpected(api::MakeError(api::Reason::kRequestEntityTooLarge,
                                            "chart archive " + path +
                                                " is larger than the maximum size " +
                                                std::to_string(limits.max_chart_bytes)));
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto c = LoadChartArchive(ss.str(), limits);
    if (!c) return std::unexpected(c.error().Wrap("load " + path));
    return c;
  }
  IgnoreRules rules;
  fs::path ignore_file = fs::path(path) / ".helmignore";
  if (fs::exists(ignore_file, ec)) {
    std::ifstream in(ignore_file);
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = IgnoreRules::Parse(ss.str());
    if (!r) return std::unexpected(r.error().Wrap("load " + path + ": .helmignore"));
    rules = std::move(*r);
  }
  rules.AddDefaults();
  std::vector<ChartFile> files;
  size_t total = 0;
  if (auto ok = WalkDir(path, path, "", rules, limits, files, total, 0); !ok) {
    return std::unexpected(ok.error().Wrap("load " + path));
  }
  auto c = LoadChartFiles(std::move(files), limits);
  if (!c) return std::unexpected(c.error().Wrap("load " + path));
  return c;
}

// ---- globs ----

namespace {

// Matches one character class at pattern[pi] (after '['); returns {matched, next pi}; bad on error.
bool MatchClass(std::string_view pattern, size_t& pi, char32_t ch, bool* bad) {
  bool negated = false;
  if (pi < pattern.size() && (pattern[pi] == '^' || pattern[pi] == '!')) {
    negated = true;
    ++pi;
  }
  bool matched = false;
  int nrange = 0;
  while (true) {
    if (pi < pattern.size() && pattern[pi] == ']' && nrange > 0) {
      ++pi;
      break;
    }
    if (pi >= pattern.size()) {
      *bad = true;
      return false;
    }
    char lo = pattern[pi];
    if (lo == '\\') {
      ++pi;
      if (pi >= pattern.size()) {
        *bad = true;
        return false;
      }
      lo = pattern[pi];
    }
    ++pi;
    char hi = lo;
    if (pi + 1 < pattern.size() && pattern[pi] == '-' && pattern[pi + 1] != ']') {
      ++pi;
      hi = pattern[pi];
      if (hi == '\\') {
        ++pi;
        if (pi >= pattern.size()) {
          *bad = true;
          return false;
        }
        hi = pattern[pi];
      }
      ++pi;
    }
    if (static_cast<char32_t>(static_cast<unsigned char>(lo)) <= ch &&
        ch <= static_cast<char32_t>(static_cast<unsigned char>(hi))) {
      matched = true;
    }
    ++nrange;
  }
  return matched != negated;
}

bool PathMatchImpl(std::string_view p, size_t pi, std::string_view n, size_t ni, bool* bad) {
  while (pi < p.size()) {
    char c = p[pi];
    if (c == '*') {
      ++pi;
      // star: try every split that stays within one path element
      for (size_t k = ni;; ++k) {
        if (PathMatchImpl(p, pi, n, k, bad)) return true;
        if (*bad) return false;
        if (k >= n.size() || n[k] == '/') return false;
      }
    }
    if (ni >= n.size()) {
      // validate the rest of the pattern for syntax errors
      return false;
    }
    if (c == '?') {
      if (n[ni] == '/') return false;
      ++pi;
      ++ni;
      continue;
    }
    if (c == '[') {
      ++pi;
      if (n[ni] == '/') {
        return false;
      }
      if (!MatchClass(p, pi, static_cast<unsigned char>(n[ni]), bad)) return false;
      ++ni;
      continue;
    }
    if (c == '\\') {
      ++pi;
      if (pi >= p.size()) {
        *bad = true;
        return false;
      }
      c = p[pi];
    }
    if (n[ni] != c) return false;
    ++pi;
    ++ni;
  }
  return ni == n.size();
}

bool GlobImpl(std::string_view p, size_t pi, std::string_view n, size_t ni) {
  while (pi < p.size()) {
    char c = p[pi];
    if (c == '*') {
      bool super = pi + 1 < p.size() && p[pi + 1] == '*';
      pi += super ? 2 : 1;
      for (size_t k = ni;; ++k) {
        if (GlobImpl(p, pi, n, k)) return true;
        if (k >= n.size()) return false;
        if (!super && n[k] == '/') return false;
      }
    }
    if (c == '{') {
      // alternatives up to the matching '}'
      size_t depth = 0, end = pi;
      for (; end < p.size(); ++end) {
        if (p[end] == '{') ++depth;
        if (p[end] == '}' && --depth == 0) break;
      }
      if (end >= p.size()) return false;
      std::string_view inner = p.substr(pi + 1, end - pi - 1);
      std::string rest(p.substr(end + 1));
      size_t start = 0;
      int d = 0;
      for (size_t i = 0; i <= inner.size(); ++i) {
        if (i < inner.size() && inner[i] == '{') ++d;
        if (i < inner.size() && inner[i] == '}') --d;
        if (i == inner.size() || (inner[i] == ',' && d == 0)) {
          std::string alt = std::string(inner.substr(start, i - start)) + rest;
          if (GlobImpl(alt, 0, n, ni)) return true;
          start = i + 1;
        }
      }
      return false;
    }
    if (ni >= n.size()) return false;
    if (c == '?') {
      if (n[ni] == '/') return false;
      ++pi;
      ++ni;
      continue;
    }
    if (c == '[') {
      ++pi;
      bool bad = false;
      if (!MatchClass(p, pi, static_cast<unsigned char>(n[ni]), &bad) || bad) return false;
      ++ni;
      continue;
    }
    if (c == '\\' && pi + 1 < p.size()) {
      ++pi;
      c = p[pi];
    }
    if (n[ni] != c) return false;
    ++pi;
    ++ni;
  }
  return ni == n.size();
}

}  // namespace

bool GoPathMatch(std::string_view pattern, std::string_view name, bool* bad) {
  bool b = false;
  bool r = PathMatchImpl(pattern, 0, name, 0, &b);
  if (bad) *bad = b;
  return r && !b;
}

bool GlobMatch(std::string_view pattern, std::string_view name) {
  return GlobImpl(pattern, 0, name, 0);
}

api::Result<IgnoreRules> IgnoreRules::Parse(std::string_view text) {
  IgnoreRules r;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
      line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (line.find("**") != std::string_view::npos) {
      return std::unexpected(Bad("double-star (**) syntax is not supported"));
    }
    bool bad = false;
    GoPathMatch(line, "abc", &bad);
    if (bad) return std::unexpected(Bad("syntax error in pattern"));
    Pattern p;
    std::string rule(line);
    if (rule.starts_with("!")) {
      p.negate = true;
      rule.erase(0, 1);
    }
    if (rule.ends_with("/")) {
      p.must_dir = true;
      rule.pop_back();
    }
    if (rule.starts_with("/")) {
      p.kind = 2;
      rule.erase(0, 1);
    } else if (rule.find('/') != std::string::npos) {
      p.kind = 1;
    }
    p.rule = rule;
    r.patterns_.push_back(std::move(p));
  }
  return r;
}

void IgnoreRules::AddDefaults() {
  Pattern p;
  p.rule = "templates/.?*";
  p.kind = 1;
  patterns_.push_back(p);
}

bool IgnoreRules::Ignore(std::string_view path, bool is_dir) const {
  if (path.empty() || path == "." || path == "./") return false;
  for (const auto& p : patterns_) {
    auto match = [&] {
      if (p.kind == 0) {
        size_t slash = path.rfind('/');
        std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
        return GoPathMatch(p.rule, base);
      }
      return GoPathMatch(p.rule, path);
    };
    if (p.negate) {
      if (p.must_dir && !is_dir) return true;
      if (!match()) return true;
      continue;
    }
    if (p.must_dir && !is_dir) continue;
    if (match()) return true;
  }
  return false;
}

}  // namespace keelson::charts
