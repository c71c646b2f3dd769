// OCI distribution client: reference parsing, pull-secret keyring, manifests and blobs with auth.
#include "runtime/registry.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>

#include "api/base64.h"
#include "runtime/fsutil.h"

namespace keelson::runtime {

using api::Json;

namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool ValidSha256(std::string_view d) {
  return d.size() == 71 && d.starts_with("sha256:") && std::all_of(d.begin() + 7, d.end(), IsHex);
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | [-]*
bool ValidPathComponent(std::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  size_t i = 0;
  while (i < c.size()) {
    if (IsLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsLowerAlnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              std::all_of(sep.begin(), sep.end(), [](char x) { return x == '-'; });
    if (!ok) return false;
    i = j;
  }
  return true;
}

// domain := label ('.' label)* [':' port], label := [a-zA-Z0-9] |
// [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool ValidDomain(std::string_view d) {
  std::string_view host = d;
  if (d.starts_with('[')) {  // [ipv6]:port
    auto close = d.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = d.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() == 1)) return false;
    for (char c : rest.substr(std::min<size_t>(1, rest.size())))
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return close > 1;
  }
  if (auto colon = d.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = d.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        }))
      return false;
    host = d.substr(0, colon);
  }
  if (host.empty()) return false;
  size_t i = 0;
  while (i <= host.size()) {
    size_t j = host.find('.', i);
    if (j == std::string_view::npos) j = host.size();
    std::string_view label = host.substr(i, j - i);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    i = j + 1;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// A parsed absolute URL: "https://h:1/p?q" → scheme "https", host "h:1", target "/p?q".
struct Url {
  std::string scheme, host, target;
  std::string Origin() const { return scheme + "://" + host; }
};

std::optional<Url> ParseUrl(std::string_view s) {
  auto sep = s.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  Url u;
  u.scheme = Lower(s.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
  std::string_view rest = s.substr(sep + 3);
  auto slash = rest.find_first_of("/?#");
  u.host = std::string(rest.substr(0, slash));
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (auto hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  if (u.target.starts_with('?')) u.target = "/" + u.target;
  if (u.host.empty()) return std::nullopt;
  return u;
}

std::string UrlEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Host without the port: "h:5000" → "h", "[::1]:5000" → "::1".
std::string HostOnly(std::string_view host) {
  if (host.starts_with('[')) {
    auto close = host.find(']');
    return std::string(host.substr(1, close == std::string_view::npos ? 0 : close - 1));
  }
  auto colon = host.rfind(':');
  return std::string(colon == std::string_view::npos ? host : host.substr(0, colon));
}

// "CODE: message; CODE2: message2" from a registry error body, or the body's first line.
std::string RegistryErrors(const std::string& body) {
  try {
    Json j = Json::parse(body);
    std::string out;
    for (auto& e : j.at("errors")) {
      if (!out.empty()) out += "; ";
      out += e.value("code", "UNKNOWN");
      if (e.contains("message") && e["message"].is_string())
        out += ": " + e["message"].get<std::string>();
    }
    if (!out.empty()) return out;
  } catch (const std::exception&) {
  }
  std::string line = body.substr(0, std::min(body.find('\n'), size_t{200}));
  return Trim(line);
}

// The error for a non-2xx answer: reason by status, message "<summary>: GET <url>: <status>
// <registry errors>".
api::Error HttpError(int status, const std::string& url, const std::string& body,
                     std::string_view not_found) {
  api::Reason reason = api::Reason::kUnknown;
  std::string summary;
  switch (status) {
    case 401:
      reason = api::Reason::kUnauthorized;
      summary = "unauthorized";
      break;
    case 403:
      reason = api::Reason::kForbidden;
      summary = "denied";
      break;
    case 404:
      reason = api::Reason::kNotFound;
      summary = std::string(not_found);
      break;
    case 429:
      reason = api::Reason::kTooManyRequests;
      summary = "toomanyrequests";
      break;
    default:
      reason = status >= 500 ? api::Reason::kServiceUnavailable : api::Reason::kBadRequest;
      summary = "unexpected status " + std::to_string(status);
  }
  std::string detail = RegistryErrors(body);
  std::string msg = summary + ": GET " + url + ": " + std::to_string(status);
  if (!detail.empty()) msg += " " + detail;
  return api::MakeError(reason, msg);
}

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  void Update(const char* p, size_t n) { EVP_DigestUpdate(ctx_, p, n); }
  std::string Digest() {
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    static const char* hex = "0123456789abcdef";
    std::string out = "sha256:";
    for (unsigned i = 0; i < len; ++i) {
      out += hex[md[i] >> 4];
      out += hex[md[i] & 15];
    }
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

std::string TransportError(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "could not connect";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "connection lost while reading the answer";
    case httplib::Error::Write:
      return "connection lost while sending the request";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts:
      return "could not load the CA certificates";
    case httplib::Error::SSLServerVerification:
      return "TLS certificate verification failed";
    default:
      return httplib::to_string(e);
  }
}

std::string StripParams(std::string_view content_type) {
  return Trim(content_type.substr(0, content_type.find(';')));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// References

std::string ImageReference::String() const {
  std::string out = Name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

api::Result<ImageReference> ParseImageReference(std::string_view in) {
  auto bad = [&](std::string_view detail = "") {
    std::string msg =
        "couldn't parse image name \"" + std::string(in) + "\": invalid reference format";
    if (!detail.empty()) msg += ": " + std::string(detail);
    return std::unexpected(api::BadRequest(msg));
  };
  if (in.empty()) return bad();
  std::string_view s = in;
  ImageReference ref;
  if (auto at = s.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(s.substr(at + 1));
    s = s.substr(0, at);
    if (!ValidSha256(ref.digest)) return bad("invalid digest");
  }
  // A tag is after the last ':' that follows the last '/'.
  std::string_view name = s;
  auto slash = s.rfind('/');
  auto colon = s.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(s.substr(colon + 1));
    name = s.substr(0, colon);
    bool ok = !ref.tag.empty() && ref.tag.size() <= 128 &&
              (std::isalnum(static_cast<unsigned char>(ref.tag[0])) || ref.tag[0] == '_');
    for (char c : ref.tag)
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
    if (!ok) return bad("invalid tag");
  }
  if (name.empty()) return bad();
  if (name.size() == 64 && std::all_of(name.begin(), name.end(), IsHex)) {
    return bad("cannot specify 64-byte hexadecimal strings");
  }
  std::string_view path = name;
  auto first = name.find('/');
  if (first != std::string_view::npos) {
    std::string_view head = name.substr(0, first);
    bool domain = head.find_first_of(".:") != std::string_view::npos || head == "localhost" ||
                  Lower(head) != head;
    if (domain) {
      if (!ValidDomain(head)) return bad("invalid domain");
      ref.domain = std::string(head);
      path = name.substr(first + 1);
    }
  }
  if (ref.domain.empty() || ref.domain == "index.docker.io") ref.domain = "docker.io";
  ref.repository = std::string(path);
  if (ref.domain == "docker.io" && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.repository.empty()) return bad();
  size_t i = 0;
  while (i <= ref.repository.size()) {
    size_t j = ref.repository.find('/', i);
    if (j == std::string::npos) j = ref.repository.size();
    std::string_view comp = std::string_view(ref.repository).substr(i, j - i);
    if (!ValidPathComponent(comp)) {
      if (Lower(comp) != comp && ValidPathComponent(Lower(comp)))
        return bad("repository name must be lowercase");
      return bad();
    }
    i = j + 1;
  }
  if (ref.Name().size() > 255) return bad("repository name must not be more than 255 characters");
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Keyring

namespace {

struct SchemelessUrl {
  std::vector<std::string> host_parts;
  std::string port;
  std::string path;
};

// Go's url.Parse("https://" + s) reduced to what URLsMatch uses.
SchemelessUrl ParseSchemeless(std::string_view s) {
  SchemelessUrl u;
  auto slash = s.find('/');
  std::string_view host = s.substr(0, slash);
  u.path = slash == std::string_view::npos ? "" : std::string(s.substr(slash));
  std::string h(host);
  if (auto colon = h.rfind(':');
      colon != std::string::npos && (h.find(']') == std::string::npos || colon > h.find(']'))) {
    u.port = h.substr(colon + 1);
    h = h.substr(0, colon);
  }
  if (h.starts_with('[') && h.ends_with(']')) h = h.substr(1, h.size() - 2);
  size_t i = 0;
  while (i <= h.size()) {
    size_t j = h.find('.', i);
    if (j == std::string::npos) j = h.size();
    u.host_parts.push_back(h.substr(i, j - i));
    i = j + 1;
  }
  return u;
}

// The kubelet's URLsMatch: same port, same number of host labels each matching the glob label,
// and the target path starts with the glob's.
bool UrlsMatch(std::string_view glob, std::string_view target) {
  SchemelessUrl g = ParseSchemeless(glob), t = ParseSchemeless(target);
  if (g.port != t.port || g.host_parts.size() != t.host_parts.size()) return false;
  if (!t.path.starts_with(g.path)) return false;
  for (size_t i = 0; i < g.host_parts.size(); ++i) {
    if (fnmatch(g.host_parts[i].c_str(), t.host_parts[i].c_str(), 0) != 0) return false;
  }
  return true;
}

// The keyring key of a docker config entry: "https://index.docker.io/v1/" → "index.docker.io",
// "r.example/ns" → "r.example/ns".
std::string KeyringKey(std::string_view loc) {
  std::string value(loc);
  if (!value.starts_with("https://") && !value.starts_with("http://")) value = "https://" + value;
  auto u = ParseUrl(value);
  if (!u) return std::string(loc);
  std::string path = u->target.substr(0, u->target.find('?'));
  if (path.starts_with("/v2/") || path.starts_with("/v1/")) path = path.substr(3);
  return path.empty() || path == "/" ? u->host : u->host + path;
}

bool IsDefaultRegistryMatch(std::string_view image) {
  auto slash = image.find('/');
  std::string_view head = image.substr(0, slash);
  if (head.empty()) return false;
  if (slash == std::string_view::npos) return true;
  if (head == "docker.io" || head == "index.docker.io") return true;
  return head.find_first_of(".:") == std::string_view::npos;
}

}  // namespace

api::Status DockerKeyring::AddConfig(const Json& auths, std::string_view source) {
  if (!auths.is_object())
    return std::unexpected(api::BadRequest(std::string(source) + ": not a JSON object"));
  for (auto& [loc, entry] : auths.items()) {
    std::string where = std::string(source) + ": auths[\"" + loc + "\"]";
    if (!entry.is_object()) return std::unexpected(api::BadRequest(where + ": not an object"));
    RegistryAuth a;
    a.username = entry.value("username", "");
    a.password = entry.value("password", "");
    std::string auth = entry.value("auth", "");
    if (!auth.empty()) {
      auto decoded = Base64Decode(auth);
      if (!decoded) return std::unexpected(api::BadRequest(where + ".auth: invalid base64"));
      auto colon = decoded->find(':');
      if (colon == std::string::npos) {
        return std::unexpected(
            api::BadRequest(where + ".auth: expected \"username:password\" after decoding"));
      }
      a.username = decoded->substr(0, colon);
      a.password = decoded->substr(colon + 1);
      // Go's strings.Trim(password, "\x00") as in decodeDockerConfigFieldAuth.
      while (!a.password.empty() && a.password.back() == '\0') a.password.pop_back();
    }
    entries_.emplace_back(KeyringKey(loc), a);
  }
  return {};
}

api::Status DockerKeyring::AddSecret(const api::Object& secret) {
  const Json& j = secret.json();
  std::string type = j.value("type", "");
  std::string where = "secret \"" + secret.name() + "\"";
  const char* key = type == "kubernetes.io/dockerconfigjson" ? ".dockerconfigjson"
                    : type == "kubernetes.io/dockercfg"      ? ".dockercfg"
                                                             : nullptr;
  if (key == nullptr) return {};
  std::string text;
  if (j.contains("data") && j["data"].is_object() && j["data"].contains(key) &&
      j["data"][key].is_string()) {
    auto d = Base64Decode(j["data"][key].get<std::string>());
    if (!d) return std::unexpected(api::BadRequest(where + ": data[" + key + "]: invalid base64"));
    text = *d;
  } else if (j.contains("stringData") && j["stringData"].is_object() &&
             j["stringData"].contains(key) && j["stringData"][key].is_string()) {
    text = j["stringData"][key].get<std::string>();
  }
  if (text.empty()) return {};
  Json parsed;
  try {
    parsed = Json::parse(text);
  } catch (const std::exception& e) {
    return std::unexpected(
        api::BadRequest(where + ": data[" + key + "]: invalid JSON: " + std::string(e.what())));
  }
  if (std::string_view(key) == ".dockerconfigjson") {
    if (!parsed.is_object() || !parsed.contains("auths")) return {};
    return AddConfig(parsed["auths"], where + ": data[.dockerconfigjson]");
  }
  return AddConfig(parsed, where + ": data[.dockercfg]");
}

std::vector<RegistryAuth> DockerKeyring::Lookup(const ImageReference& image) const {
  std::string target = image.Name();
  std::vector<std::string> index;
  for (auto& [k, a] : entries_) index.push_back(k);
  std::sort(index.begin(), index.end(), std::greater<>());
  index.erase(std::unique(index.begin(), index.end()), index.end());
  std::vector<RegistryAuth> out;
  for (auto& k : index) {
    if (!UrlsMatch(k, target)) continue;
    for (auto& [key, a] : entries_)
      if (key == k) out.push_back(a);
  }
  if (out.empty() && IsDefaultRegistryMatch(target)) {
    for (auto& [key, a] : entries_)
      if (key == "index.docker.io") out.push_back(a);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Platforms, challenges

bool IsIndexMediaType(std::string_view mt) {
  return mt == media_types::kDockerManifestList || mt == media_types::kOciIndex;
}

std::string_view HostArchitecture() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__)
  return "arm";
#elif defined(__i386__)
  return "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
  return "unknown";
#endif
}

api::Result<Descriptor> SelectPlatform(const Json& index, std::string_view arch) {
  auto it = index.find("manifests");
  if (it == index.end() || !it->is_array())
    return std::unexpected(api::BadRequest("manifest list has no \"manifests\" array"));
  std::string_view want_variant = arch == "arm" ? "v7" : arch == "arm64" ? "v8" : "";
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& m = (*it)[i];
    if (!m.is_object()) continue;
    Json p = m.value("platform", Json::object());
    if (!p.is_object() || p.value("os", "") != "linux" || p.value("architecture", "") != arch)
      continue;
    std::string variant = p.value("variant", "");
    if (!variant.empty() && !want_variant.empty() && variant != want_variant) continue;
    Descriptor d;
    d.media_type = m.value("mediaType", "");
    d.digest = m.value("digest", "");
    d.size = m.value("size", int64_t{-1});
    d.platform = p;
    if (!ValidSha256(d.digest)) {
      return std::unexpected(api::BadRequest("manifest list entry " + std::to_string(i) +
                                             ": invalid digest \"" + d.digest + "\""));
    }
    return d;
  }
  return std::unexpected(api::MakeError(
      api::Reason::kNotFound,
      "no matching manifest for linux/" + std::string(arch) + " in the manifest list entries"));
}

std::string AuthChallenge::Param(std::string_view key) const {
  for (auto& [k, v] : params)
    if (k == key) return v;
  return "";
}

std::vector<AuthChallenge> ParseWwwAuthenticate(std::string_view h) {
  std::vector<AuthChallenge> out;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  };
  auto token = [&] {
    size_t b = i;
    while (i < h.size() && h[i] != ' ' && h[i] != '\t' && h[i] != '=' && h[i] != ',') ++i;
    return std::string(h.substr(b, i - b));
  };
  while (i < h.size()) {
    skip_ws();
    while (i < h.size() && h[i] == ',') {
      ++i;
      skip_ws();
    }
    std::string scheme = token();
    if (scheme.empty()) break;
    AuthChallenge c;
    c.scheme = Lower(scheme);
    for (;;) {
      skip_ws();
      size_t save = i;
      std::string key = token();
      skip_ws();
      if (key.empty() || i >= h.size() || h[i] != '=') {
        i = save;  // the next challenge's scheme
        break;
      }
      ++i;
      skip_ws();
      std::string value;
      if (i < h.size() && h[i] == '"') {
        ++i;
        while (i < h.size() && h[i] != '"') {
          if (h[i] == '\\' && i + 1 < h.size()) ++i;
          value += h[i++];
        }
        if (i < h.size()) ++i;
      } else {
        value = token();
      }
      c.params.emplace_back(Lower(key), value);
      skip_ws();
      if (i < h.size() && h[i] == ',') ++i;
    }
    out.push_back(std::move(c));
  }
  return out;
}

bool IsLoopbackRegistry(std::string_view host) {
  std::string h = HostOnly(host);
  return h == "localhost" || h.starts_with("127.") || h == "::1";
}

bool IsInsecureRegistry(std::string_view host, const RegistryOptions& opts) {
  std::string h = HostOnly(host);
  for (std::string entry : opts.insecure_registries) {
    if (entry.starts_with("http://")) entry = entry.substr(7);
    if (entry.starts_with("https://")) entry = entry.substr(8);
    while (entry.ends_with('/')) entry.pop_back();
    if (entry == host || (entry.find(':') == std::string::npos && entry == h)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Client

namespace {

// Loopback registries found to speak plain HTTP, remembered for a while so that every pull does
// not pay a TLS attempt (and the CA bundle load) first.
class PlainHttpCache {
 public:
  bool Known(const std::string& host) {
    std::lock_guard lock(mu_);
    auto it = until_.find(host);
    return it != until_.end() && std::chrono::steady_clock::now() < it->second;
  }
  void Forget(const std::string& host) {
    std::lock_guard lock(mu_);
    until_.erase(host);
  }
  void Remember(const std::string& host) {
    std::lock_guard lock(mu_);
    until_[host] = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> until_;
};

PlainHttpCache& PlainHttpHosts() {
  static PlainHttpCache cache;
  return cache;
}

}  // namespace

struct RegistryClient::Impl {
  ImageReference ref;
  RegistryAuth auth;
  RegistryOptions opts;
  std::string registry_host;   // host[:port] of base_url
  std::string base;            // "https://host[:port]" (or http://)
  bool http_fallback = false;  // loopback: switch to http:// if the registry has no TLS
  bool http_cached = false;    // loopback known to be plain HTTP: back to TLS if that fails
  httplib::Error last_transport_error = httplib::Error::Success;
  std::string authorization;  // current Authorization header for the registry
  std::map<std::string, std::unique_ptr<httplib::Client>> clients;  // by origin

  bool Canceled() const { return opts.cancel && opts.cancel->load(); }

  httplib::Client& ClientFor(const Url& u) {
    auto& c = clients[u.Origin()];
    if (!c) {
      c = std::make_unique<httplib::Client>(u.Origin());
      c->set_connection_timeout(static_cast<time_t>(opts.connect_timeout.count()), 0);
      c->set_read_timeout(static_cast<time_t>(opts.read_timeout.count()), 0);
      c->set_follow_location(false);
      c->set_decompress(false);
      c->set_keep_alive(true);
      if (u.scheme == "https") {
        c->enable_server_certificate_verification(true);
        if (!opts.ca_file.empty()) c->set_ca_cert_path(opts.ca_file.c_str());
      }
    }
    return *c;
  }

  struct Answer {
    int status = 0;
    httplib::Headers headers;
    std::string body;  // the error body (or the whole body when there is no sink)
    std::string url;   // the last URL (after redirects)
    std::string Header(const char* key) const {
      auto it = headers.find(key);
      return it == headers.end() ? "" : it->second;
    }
  };

  // GETs `url` following redirects (up to 10; Authorization only to the registry's own host).
  // A 2xx body goes to `sink` (which may refuse by returning false, then `sink_error` says why)
  // or into Answer::body when there is no sink, limited to `limit` bytes; other bodies are kept
  // (64 KiB) for the error message.
  api::Result<Answer> Get(std::string url, const httplib::Headers& extra,
                          const std::function<bool(const char*, size_t)>& sink, size_t limit,
                          std::string* sink_error, const std::string& authz) {
    Answer ans;
    for (int hop = 0; hop < 11; ++hop) {
      auto u = ParseUrl(url);
      if (!u) return std::unexpected(api::BadRequest("bad URL \"" + url + "\""));
      httplib::Headers headers = extra;
      headers.emplace("User-Agent", "keelson/1 (containerd-compatible)");
      headers.emplace("Accept-Encoding", "identity");
      if (!authz.empty() && u->host == registry_host) headers.emplace("Authorization", authz);
      ans = Answer{};
      ans.url = url;
      bool too_large = false;
      auto on_response = [&](const httplib::Response& r) {
        ans.status = r.status;
        ans.headers = r.headers;
        if (Canceled()) return false;
        if (r.status / 100 == 2 && r.has_header("Content-Length") && limit > 0) {
          auto len = std::strtoull(r.get_header_value("Content-Length").c_str(), nullptr, 10);
          if (len > limit) {
            too_large = true;
            return false;
          }
        }
        return true;
      };
      size_t received = 0;
      auto on_data = [&](const char* p, size_t n) {
        if (Canceled()) return false;
        if (ans.status / 100 != 2) {
          if (ans.body.size() < 65536) ans.body.append(p, std::min(n, 65536 - ans.body.size()));
          return true;
        }
        if (ans.status / 100 == 3) return true;
        received += n;
        if (limit > 0 && received > limit) {
          too_large = true;
          return false;
        }
        if (sink) return sink(p, n);
        ans.body.append(p, n);
        return true;
      };
      auto res = ClientFor(*u).Get(u->target, headers, on_response, on_data);
      if (Canceled())
        return std::unexpected(api::MakeError(api::Reason::kTimeout, "pull canceled"));
      if (too_large) {
        return std::unexpected(api::BadRequest("GET " + url + ": larger than the limit of " +
                                               std::to_string(limit) + " bytes"));
      }
      if (!res) {
        last_transport_error = res.error();
        if (sink_error && !sink_error->empty())
          return std::unexpected(api::BadRequest(*sink_error));
        return std::unexpected(api::MakeError(api::Reason::kServiceUnavailable,
                                              "GET " + url + ": " + TransportError(res.error())));
      }
      if (ans.status == 301 || ans.status == 302 || ans.status == 303 || ans.status == 307 ||
          ans.status == 308) {
        std::string loc = ans.Header("Location");
        if (loc.empty())
          return std::unexpected(api::BadRequest("GET " + url + ": redirect without Location"));
        if (loc.starts_with("//")) {
          loc = u->scheme + ":" + loc;
        } else if (loc.starts_with('/')) {
          loc = u->Origin() + loc;
        } else if (loc.find("://") == std::string::npos) {
          std::string dir = u->target.substr(0, u->target.find('?'));
          loc = u->Origin() + dir.substr(0, dir.rfind('/') + 1) + loc;
        }
        url = loc;
        continue;
      }
      return ans;
    }
    return std::unexpected(api::BadRequest("GET " + url + ": stopped after 10 redirects"));
  }

  // Answers the challenges of a 401 by setting `authorization`. Errors: Unauthorized.
  api::Status Authorize(const Answer& denied) {
    auto challenges = ParseWwwAuthenticate(denied.Header("WWW-Authenticate"));
    for (auto& c : challenges) {
      if (c.scheme == "bearer") {
        std::string realm = c.Param("realm");
        auto ru = ParseUrl(realm);
        if (!ru) {
          return std::unexpected(api::MakeError(
              api::Reason::kUnauthorized, "unauthorized: bad bearer realm \"" + realm + "\""));
        }
        std::string query;
        auto add = [&](const std::string& k, const std::string& v) {
          query += (query.empty() ? "" : "&") + k + "=" + UrlEncode(v);
        };
        if (!c.Param("service").empty()) add("service", c.Param("service"));
        std::string scope = c.Param("scope");
        if (scope.empty()) scope = "repository:" + ref.repository + ":pull";
        // A challenge may carry several space-separated scopes; each is its own parameter.
        size_t b = 0;
        while (b < scope.size()) {
          size_t e = scope.find(' ', b);
          if (e == std::string::npos) e = scope.size();
          if (e > b) add("scope", scope.substr(b, e - b));
          b = e + 1;
        }
        if (!auth.username.empty()) add("account", auth.username);
        std::string token_url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + query;
        httplib::Headers headers;
        headers.emplace("Accept", "application/json");
        std::string authz;
        if (!auth.empty())
          authz = "Basic " + api::Base64Encode(auth.username + ":" + auth.password);
        // The token server is often another host: send the credentials to it explicitly.
        std::string saved = registry_host;
        registry_host = ru->host;
        auto ans = Get(token_url, headers, nullptr, 1 << 20, nullptr, authz);
        registry_host = saved;
        if (!ans) return std::unexpected(ans.error().Wrap("fetch bearer token"));
        if (ans->status != 200) {
          api::Error e = HttpError(ans->status, realm, ans->body, "token endpoint not found");
          e.reason = api::Reason::kUnauthorized;
          e.message = "unauthorized: fetch bearer token: " + e.message;
          return std::unexpected(e);
        }
        try {
          Json j = Json::parse(ans->body);
          std::string token = j.value("token", "");
          if (token.empty()) token = j.value("access_token", "");
          if (token.empty()) throw std::runtime_error("no token in the answer");
          authorization = "Bearer " + token;
          return {};
        } catch (const std::exception& e) {
          return std::unexpected(api::MakeError(
              api::Reason::kUnauthorized,
              "unauthorized: fetch bearer token from " + realm + ": " + std::string(e.what())));
        }
      }
      if (c.scheme == "basic") {
        if (auth.empty()) break;
        authorization = "Basic " + api::Base64Encode(auth.username + ":" + auth.password);
        return {};
      }
    }
    return std::unexpected(HttpError(401, denied.url, denied.body, ""));
  }

  // GET with the auth dance: anonymous (or cached token) first, then one retry after answering
  // the 401 challenge.
  api::Result<Answer> AuthedGet(std::string url, const httplib::Headers& extra,
                                const std::function<bool(const char*, size_t)>& sink, size_t limit,
                                std::string* sink_error) {
    std::string used = authorization;
    last_transport_error = httplib::Error::Success;
    auto ans = Get(url, extra, sink, limit, sink_error, used);
    if (http_cached) {
      http_cached = false;
      // A registry that started speaking TLS on the port answers plain HTTP with a 400.
      if ((!ans || ans->status == 400) && url.starts_with(base)) {
        PlainHttpHosts().Forget(registry_host);
        std::string tls = "https://" + registry_host;
        url = tls + url.substr(base.size());
        base = tls;
        ans = Get(url, extra, sink, limit, sink_error, used);
      }
    } else if (http_fallback) {
      http_fallback = false;
      if (!ans && last_transport_error == httplib::Error::SSLConnection && url.starts_with(base)) {
        std::string plain = "http://" + registry_host;
        url = plain + url.substr(base.size());
        base = plain;
        PlainHttpHosts().Remember(registry_host);
        ans = Get(url, extra, sink, limit, sink_error, used);
      }
    }
    if (!ans || ans->status != 401) return ans;
    if (!used.empty() && used.starts_with("Basic ")) return ans;  // wrong credentials
    auto st = Authorize(*ans);
    if (!st) return std::unexpected(st.error());
    return Get(url, extra, sink, limit, sink_error, authorization);
  }
};

RegistryClient::RegistryClient(ImageReference ref, RegistryAuth auth, RegistryOptions opts)
    : impl_(std::make_unique<Impl>()) {
  std::string host = ref.domain == "docker.io" ? "registry-1.docker.io" : ref.domain;
  impl_->base = (IsInsecureRegistry(ref.domain, opts) ? "http://" : "https://") + host;
  impl_->http_fallback = impl_->base.starts_with("https://") && IsLoopbackRegistry(host);
  if (impl_->http_fallback && PlainHttpHosts().Known(host)) {
    impl_->base = "http://" + host;
    impl_->http_fallback = false;
    impl_->http_cached = true;
  }
  impl_->registry_host = host;
  impl_->ref = std::move(ref);
  impl_->auth = std::move(auth);
  impl_->opts = std::move(opts);
}

RegistryClient::~RegistryClient() = default;

std::string RegistryClient::base_url() const { return impl_->base; }

api::Result<FetchedManifest> RegistryClient::GetManifest(std::string_view reference) {
  std::string url =
      impl_->base + "/v2/" + impl_->ref.repository + "/manifests/" + std::string(reference);
  httplib::Headers headers;
  headers.emplace("Accept", std::string(media_types::kOciIndex) + ", " +
                                std::string(media_types::kDockerManifestList) + ", " +
                                std::string(media_types::kOciManifest) + ", " +
                                std::string(media_types::kDockerManifest));
  auto ans = impl_->AuthedGet(url, headers, nullptr, kMaxManifestBytes, nullptr);
  if (!ans) return std::unexpected(ans.error());
  url = ans->url;  // after redirects and the loopback http fallback
  if (ans->status != 200)
    return std::unexpected(HttpError(ans->status, url, ans->body, "manifest unknown"));
  FetchedManifest m;
  m.body = std::move(ans->body);
  m.digest = "sha256:" + Sha256Hex(m.body);
  if (ValidSha256(reference) && m.digest != reference) {
    return std::unexpected(api::BadRequest("GET " + url + ": digest mismatch: the manifest's " +
                                           "content is " + m.digest));
  }
  std::string header_digest = ans->Header("Docker-Content-Digest");
  if (ValidSha256(header_digest) && header_digest != m.digest) {
    return std::unexpected(api::BadRequest("GET " + url + ": digest mismatch: the registry says " +
                                           header_digest + ", the content is " + m.digest));
  }
  m.media_type = StripParams(ans->Header("Content-Type"));
  bool known = m.media_type == media_types::kDockerManifest ||
               m.media_type == media_types::kDockerManifestList ||
               m.media_type == media_types::kOciManifest || m.media_type == media_types::kOciIndex;
  Json j;
  try {
    j = Json::parse(m.body);
  } catch (const std::exception& e) {
    return std::unexpected(api::BadRequest("GET " + url + ": invalid manifest JSON: " + e.what()));
  }
  if (!j.is_object())
    return std::unexpected(api::BadRequest("GET " + url + ": manifest is not a JSON object"));
  if (j.value("schemaVersion", 0) != 2) {
    return std::unexpected(api::BadRequest("GET " + url + ": unsupported manifest schema version " +
                                           j.value("schemaVersion", Json(0)).dump() +
                                           " (media type \"" + m.media_type + "\")"));
  }
  if (!known) {
    std::string body_type = j.value("mediaType", "");
    if (!body_type.empty()) {
      m.media_type = body_type;
    } else {
      m.media_type = j.contains("manifests") ? std::string(media_types::kOciIndex)
                                             : std::string(media_types::kOciManifest);
    }
  }
  if (m.media_type != media_types::kDockerManifest &&
      m.media_type != media_types::kDockerManifestList &&
      m.media_type != media_types::kOciManifest && m.media_type != media_types::kOciIndex) {
    return std::unexpected(api::BadRequest("GET " + url + ": unsupported manifest media type \"" +
                                           m.media_type + "\""));
  }
  return m;
}

api::Status RegistryClient::GetBlob(const Descriptor& d, const std::string& path) {
  if (!ValidSha256(d.digest))
    return std::unexpected(api::BadRequest("invalid blob digest \"" + d.digest + "\""));
  std::string url = impl_->base + "/v2/" + impl_->ref.repository + "/blobs/" + d.digest;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(api::Internal(ErrnoMessage("create " + path)));
  struct Guard {
    int fd;
    std::string path;
    bool keep = false;
    ~Guard() {
      if (fd >= 0) close(fd);
      if (!keep) unlink(path.c_str());
    }
  } guard{fd, path};
  Sha256 hash;
  int64_t written = 0;
  std::string sink_error;
  auto sink = [&](const char* p, size_t n) {
    written += static_cast<int64_t>(n);
    if (d.size >= 0 && written > d.size) {
      sink_error = "GET " + url + ": size mismatch: more than the " + std::to_string(d.size) +
                   " bytes the manifest declares";
      return false;
    }
    hash.Update(p, n);
    size_t done = 0;
    while (done < n) {
      ssize_t w = write(fd, p + done, n - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        sink_error = ErrnoMessage("write " + path);
        return false;
      }
      done += static_cast<size_t>(w);
    }
    return true;
  };
  // Restart from scratch if the first attempt hit a 401 after writing nothing.
  auto ans = impl_->AuthedGet(url, {}, sink, 0, &sink_error);
  if (!ans) {
    if (!sink_error.empty()) return std::unexpected(api::BadRequest(sink_error));
    return std::unexpected(ans.error());
  }
  if (ans->status != 200)
    return std::unexpected(HttpError(ans->status, ans->url, ans->body, "blob unknown"));
  if (d.size >= 0 && written != d.size) {
    return std::unexpected(
        api::BadRequest("GET " + url + ": size mismatch: got " + std::to_string(written) +
                        " bytes, the manifest declares " + std::to_string(d.size)));
  }
  std::string got = hash.Digest();
  if (got != d.digest) {
    return std::unexpected(
        api::BadRequest("GET " + url + ": digest mismatch: the content is " + got));
  }
  if (fsync(fd) != 0) return std::unexpected(api::Internal(ErrnoMessage("fsync " + path)));
  guard.keep = true;
  return {};
}

}  // namespace keelson::runtime
