// kubectl's configmap/secret generators.
#include "cli/imperative.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "api/base64.h"
#include "cli/kubeconfig.h"

namespace keelson::cli {
namespace {

namespace fs = std::filesystem;
using api::Json;

api::Error Bad(std::string msg) { return api::BadRequest("error: " + std::move(msg)); }

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// validation.IsConfigMapKey.
std::string CheckKey(const std::string& key) {
  static const std::regex kKey("[-._a-zA-Z0-9]+");
  if (key.size() > 253) return "must be no more than 253 characters";
  if (!std::regex_match(key, kKey)) {
    return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
           "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
           "'[-._a-zA-Z0-9]+')";
  }
  if (key == ".") return "must not be '.'";
  if (key == "..") return "must not be '..'";
  if (key.starts_with("..")) return "must not start with '..'";
  return "";
}

struct Entries {
  std::map<std::string, std::string> text;    // key -> value
  std::map<std::string, std::string> binary;  // key -> raw bytes
};

api::Status Add(Entries& e, const std::string& key, const std::string& value, bool allow_binary,
                const std::string& kind, const std::string& name) {
  if (std::string why = CheckKey(key); !why.empty()) {
    return std::unexpected(
        Bad("\"" + key + "\" is not a valid key name for a " + kind + ": " + why));
  }
  if (e.text.contains(key) || e.binary.contains(key)) {
    return std::unexpected(Bad(
        "cannot add key \"" + key + "\", another key by that name already exists in " +
        (e.binary.contains(key) ? "BinaryData" : "Data") + " for " + kind + " \"" + name + "\""));
  }
  if (allow_binary && !ValidUtf8(value)) {
    e.binary[key] = value;
  } else {
    e.text[key] = value;
  }
  return {};
}

api::Result<std::string> Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(Bad("error reading " + path + ": no such file or directory"));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

api::Result<Entries> Collect(const DataSources& src, bool allow_binary, const std::string& kind,
                             const std::string& name) {
  Entries e;
  auto getenv = src.getenv ? src.getenv : [](const std::string& k) -> std::optional<std::string> {
    const char* v = std::getenv(k.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  for (const auto& f : src.files) {
    std::string key, path = f;
    if (auto eq = f.find('='); eq != std::string::npos) {
      key = f.substr(0, eq);
      path = f.substr(eq + 1);
      if (key.empty() || path.empty()) {
        return std::unexpected(Bad("key names or file paths cannot be empty"));
      }
    }
    std::error_code ec;
    auto st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      return std::unexpected(Bad("error reading " + path + ": no such file or directory"));
    }
    if (fs::is_directory(st)) {
      if (!key.empty()) return std::unexpected(Bad("cannot give a key name for a directory path"));
      std::vector<fs::path> entries;
      for (const auto& de : fs::directory_iterator(path, ec)) {
        if (de.is_regular_file()) entries.push_back(de.path());
      }
      std::sort(entries.begin(), entries.end());
      for (const auto& p : entries) {
        auto data = Read(p.string());
        if (!data) return std::unexpected(data.error());
        if (auto s = Add(e, p.filename().string(), *data, allow_binary, kind, name); !s) {
          return std::unexpected(s.error());
        }
      }
      continue;
    }
    auto data = Read(path);
    if (!data) return std::unexpected(data.error());
    if (key.empty()) key = fs::path(path).filename().string();
    if (auto s = Add(e, key, *data, allow_binary, kind, name); !s)
      return std::unexpected(s.error());
  }
  for (const auto& l : src.literals) {
    auto eq = l.find('=');
    if (eq == std::string::npos || eq == 0) {
      return std::unexpected(Bad("invalid literal source " + l + ", expected key=value"));
    }
    if (auto s = Add(e, l.substr(0, eq), l.substr(eq + 1), false, kind, name); !s) {
      return std::unexpected(s.error());
    }
  }
  for (const auto& path : src.env_files) {
    auto text = Read(path);
    if (!text) return std::unexpected(text.error());
    auto vars = ParseEnvFile(path, *text, getenv);
    if (!vars) return std::unexpected(vars.error());
    for (const auto& [k, v] : *vars) {
      if (auto s = Add(e, k, v, false, kind, name); !s) return std::unexpected(s.error());
    }
  }
  return e;
}

Json Meta(const std::string& name, const std::string& ns) {
  Json m = {{"name", name}};
  if (!ns.empty()) m["namespace"] = ns;
  return m;
}

}  // namespace

api::Result<std::vector<std::pair<std::string, std::string>>> ParseEnvFile(
    const std::string& path, const std::string& text,
    const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  static const std::regex kEnvName("[-._a-zA-Z][-._a-zA-Z0-9]*");
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (n == 1 && line.starts_with("\xEF\xBB\xBF")) line = line.substr(3);
    size_t b = line.find_first_not_of(" \t\v\f");
    line = b == std::string::npos ? "" : line.substr(b);
    if (line.empty() || line[0] == '#') continue;
    std::string key = line, value;
    auto eq = line.find('=');
    if (eq != std::string::npos) {
      key = line.substr(0, eq);
      value = line.substr(eq + 1);
    }
    if (!std::regex_match(key, kEnvName)) {
      return std::unexpected(
          Bad("\"" + key +
              "\" is not a valid key name: a valid environment variable name must "
              "consist of alphabetic characters, digits, '_', '-', or '.', and must "
              "not start with a digit (in " +
              path + " line " + std::to_string(n) + ")"));
    }
    if (eq == std::string::npos) {
      auto v = getenv(key);
      if (!v) continue;
      value = *v;
    }
    out.emplace_back(key, value);
  }
  return out;
}

api::Result<api::Object> BuildConfigMap(const std::string& name, const std::string& ns,
                                        const DataSources& src) {
  auto e = Collect(src, true, "ConfigMap", name);
  if (!e) return std::unexpected(e.error());
  Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", Meta(name, ns)}};
  if (!e->text.empty()) {
    Json data = Json::object();
    for (const auto& [k, v] : e->text) data[k] = v;
    cm["data"] = std::move(data);
  }
  if (!e->binary.empty()) {
    Json data = Json::object();
    for (const auto& [k, v] : e->binary) data[k] = api::Base64Encode(v);
    cm["binaryData"] = std::move(data);
  }
  return api::Object(std::move(cm));
}

api::Result<api::Object> BuildSecret(const std::string& name, const std::string& ns,
                                     const std::string& type, const DataSources& src) {
  auto e = Collect(src, false, "Secret", name);
  if (!e) return std::unexpected(e.error());
  Json s = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", Meta(name, ns)}};
  if (!e->text.empty()) {
    Json data = Json::object();
    for (const auto& [k, v] : e->text) data[k] = api::Base64Encode(v);
    s["data"] = std::move(data);
  }
  if (!type.empty()) s["type"] = type;
  return api::Object(std::move(s));
}

}  // namespace keelson::cli
