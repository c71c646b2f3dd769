// Kubeconfig parsing (clientcmd semantics for the fields keelctl uses).
#include "cli/kubeconfig.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/base64.h"
#include "api/codec.h"

namespace keelson::cli {
namespace {

using api::Json;

api::Error Bad(std::string_view source, const std::string& msg) {
  return api::BadRequest(std::string(source) + ": " + msg);
}

api::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(
        api::MakeError(api::Reason::kNotFound, "open " + path + ": " + std::strerror(errno)));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Resolve(std::string_view base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

std::string Str(const Json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Finds the entry named `name` in a named list (clusters/users/contexts) and returns its
// `field` object; sets `index` for messages.
const Json* FindNamed(const Json& doc, const char* list, const char* field, const std::string& name,
                      size_t& index) {
  auto it = doc.find(list);
  if (it == doc.end() || !it->is_array()) return nullptr;
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& e = (*it)[i];
    if (Str(e, "name") == name) {
      index = i;
      auto f = e.find(field);
      static const Json kEmpty = Json::object();
      return f != e.end() && f->is_object() ? &*f : &kEmpty;
    }
  }
  return nullptr;
}

// Reads `<key>-data` (base64) or `<key>` (a file) from `obj`.
api::Result<std::string> DataOrFile(const Json& obj, const std::string& key,
                                    std::string_view source, const std::string& where,
                                    std::string_view base_dir) {
  std::string data = Str(obj, (key + "-data").c_str());
  if (!data.empty()) {
    auto d = Base64Decode(data);
    if (!d) return std::unexpected(Bad(source, where + "." + key + "-data: " + d.error().message));
    return *d;
  }
  std::string file = Str(obj, key.c_str());
  if (!file.empty()) {
    auto f = ReadFile(Resolve(base_dir, file));
    if (!f) return std::unexpected(Bad(source, where + "." + key + ": " + f.error().message));
    return *f;
  }
  return std::string();
}

}  // namespace

api::Result<RestConfig> ParseKubeconfig(std::string_view text, std::string_view source,
                                        std::string_view base_dir, std::string_view context) {
  auto doc = api::DecodeYaml(text, source);
  if (!doc) return std::unexpected(doc.error());
  if (!doc->is_object()) return std::unexpected(Bad(source, "not a kubeconfig (expected a map)"));
  RestConfig cfg;
  cfg.source = std::string(source);
  std::string ctx_name = context.empty() ? Str(*doc, "current-context") : std::string(context);
  if (ctx_name.empty()) {
    return std::unexpected(Bad(source, "no context chosen: current-context is not set"));
  }
  cfg.context = ctx_name;
  size_t ci = 0, cli = 0, ui = 0;
  const Json* ctx = FindNamed(*doc, "contexts", "context", ctx_name, ci);
  if (!ctx) return std::unexpected(Bad(source, "context \"" + ctx_name + "\" not found"));
  cfg.namespace_ = Str(*ctx, "namespace");
  std::string cluster_name = Str(*ctx, "cluster");
  std::string user_name = Str(*ctx, "user");
  const Json* cluster = FindNamed(*doc, "clusters", "cluster", cluster_name, cli);
  if (!cluster) {
    return std::unexpected(Bad(
        source, "cluster \"" + cluster_name + "\" (of context \"" + ctx_name + "\") not found"));
  }
  cfg.server = Str(*cluster, "server");
  if (cfg.server.empty()) {
    return std::unexpected(
        Bad(source, "clusters[" + std::to_string(cli) + "].cluster.server: Required value"));
  }
  if (auto it = cluster->find("insecure-skip-tls-verify"); it != cluster->end()) {
    cfg.insecure_skip_tls_verify = it->is_boolean() && it->get<bool>();
  }
  cfg.tls_server_name = Str(*cluster, "tls-server-name");
  auto ca = DataOrFile(*cluster, "certificate-authority", source,
                       "clusters[" + std::to_string(cli) + "].cluster", base_dir);
  if (!ca) return std::unexpected(ca.error());
  cfg.ca_pem = *ca;

  if (!user_name.empty()) {
    const Json* user = FindNamed(*doc, "users", "user", user_name, ui);
    if (!user) {
      return std::unexpected(
          Bad(source, "user \"" + user_name + "\" (of context \"" + ctx_name + "\") not found"));
    }
    std::string where = "users[" + std::to_string(ui) + "].user";
    auto cert = DataOrFile(*user, "client-certificate", source, where, base_dir);
    if (!cert) return std::unexpected(cert.error());
    auto key = DataOrFile(*user, "client-key", source, where, base_dir);
    if (!key) return std::unexpected(key.error());
    cfg.client_cert_pem = *cert;
    cfg.client_key_pem = *key;
    if (cfg.client_cert_pem.empty() != cfg.client_key_pem.empty()) {
      return std::unexpected(Bad(source, where + ": client-certificate and client-key must be "
                                                 "given together"));
    }
    cfg.token = Str(*user, "token");
    if (cfg.token.empty() && !Str(*user, "tokenFile").empty()) {
      auto t = ReadFile(Resolve(base_dir, Str(*user, "tokenFile")));
      if (!t) return std::unexpected(Bad(source, where + ".tokenFile: " + t.error().message));
      cfg.token = *t;
      while (!cfg.token.empty() && (cfg.token.back() == '\n' || cfg.token.back() == '\r')) {
        cfg.token.pop_back();
      }
    }
    cfg.username = Str(*user, "username");
    cfg.password = Str(*user, "password");
  }
  return cfg;
}

api::Result<RestConfig> LoadKubeconfig(const std::string& path, std::string_view context) {
  auto text = ReadFile(path);
  if (!text) {
    return std::unexpected(
        api::MakeError(api::Reason::kNotFound,
                       "kubeconfig " + path +
                           " not found (use --kubeconfig FILE, "
                           "set KEELCONFIG, or start keelsond to create ./.keelson/admin.conf)"));
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  return ParseKubeconfig(*text, path, dir, context);
}

std::string KubeconfigPath(std::string_view flag) {
  if (!flag.empty()) return std::string(flag);
  if (const char* env = std::getenv("KEELCONFIG"); env != nullptr && *env != '\0') return env;
  return "./.keelson/admin.conf";
}

api::Result<std::string> Base64Decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  size_t pad = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = val(c);
    if (v < 0 || pad > 0) {
      return std::unexpected(
          api::BadRequest("illegal base64 data at input byte " + std::to_string(i)));
    }
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  if (bits >= 6 || pad > 2) {
    return std::unexpected(
        api::BadRequest("illegal base64 data at input byte " + std::to_string(in.size())));
  }
  return out;
}

}  // namespace keelson::cli
