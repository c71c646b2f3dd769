// Sprig's network and URL functions: getHostByName (net.LookupHost through getaddrinfo; it
// resolves through the system resolver, so it may query DNS), urlParse and urlJoin with Go's
// net/url parsing and escaping rules.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <openssl/rand.h>

#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

namespace {

enum class Enc { kPath, kPathSegment, kHost, kZone, kUserPassword, kQueryComponent, kFragment };

bool ShouldEscape(unsigned char c, Enc mode) {
  if (std::isalnum(c)) return false;
  if (mode == Enc::kHost || mode == Enc::kZone) {
    switch (c) {
      case '!':
      case '$':
      case '&':
      case '\'':
      case '(':
      case ')':
      case '*':
      case '+':
      case ',':
      case ';':
      case '=':
      case ':':
      case '[':
      case ']':
      case '<':
      case '>':
      case '"':
        return false;
    }
  }
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '~':
      return false;
    case '$':
    case '&':
    case '+':
    case ',':
    case '/':
    case ':':
    case ';':
    case '=':
    case '?':
    case '@':
      switch (mode) {
        case Enc::kUserPassword:
          return c == '@' || c == '/' || c == '?' || c == ':';
        case Enc::kPathSegment:
          return c == '/' || c == ';' || c == ',' || c == '?';
        case Enc::kQueryComponent:
          return true;
        case Enc::kFragment:
          return false;
        case Enc::kPath:
          return c == '?';
        default:
          break;
      }
  }
  if (mode == Enc::kFragment) {
    switch (c) {
      case '!':
      case '(':
      case ')':
      case '*':
        return false;
    }
  }
  return true;
}

std::string Escape(std::string_view s, Enc mode) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (ShouldEscape(c, mode)) {
      if (c == ' ' && mode == Enc::kQueryComponent) {
        out.push_back('+');
      } else {
        out.push_back('%');
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

int Unhex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Expected<std::string> Unescape(std::string_view s, Enc mode) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      if (i + 2 >= s.size() + 0 || Unhex(s[i + 1]) < 0 || Unhex(s[i + 2]) < 0) {
        std::string_view bad = s.substr(i, std::min<size_t>(3, s.size() - i));
        return std::unexpected("invalid URL escape " + GoQuote(bad));
      }
      int v = Unhex(s[i + 1]) * 16 + Unhex(s[i + 2]);
      if (mode == Enc::kHost && v < 0x80) {
        return std::unexpected("invalid URL escape " + GoQuote(s.substr(i, 3)));
      }
      out.push_back(static_cast<char>(v));
      i += 2;
      continue;
    }
    if ((mode == Enc::kHost || mode == Enc::kZone) && c < 0x80 && ShouldEscape(c, mode)) {
      return std::unexpected("invalid character " + GoQuote(s.substr(i, 1)) + " in host name");
    }
    if (c == '+' && mode == Enc::kQueryComponent) c = ' ';
    out.push_back(static_cast<char>(c));
  }
  return out;
}

struct Url {
  std::string scheme, opaque, host, path, raw_query, fragment;
  bool has_user = false, has_password = false, force_query = false, omit_host = false;
  std::string username, password;

  std::string UserString() const {
    std::string s = Escape(username, Enc::kUserPassword);
    if (has_password) s += ":" + Escape(password, Enc::kUserPassword);
    return s;
  }
  std::string Hostname() const {
    std::string h = host;
    if (!h.empty() && h[0] == '[') {
      auto e = h.find(']');
      return e == std::string::npos ? h.substr(1) : h.substr(1, e - 1);
    }
    auto c = h.rfind(':');
    if (c != std::string::npos) h = h.substr(0, c);
    return h;
  }
  std::string String() const {
    std::string buf;
    if (!scheme.empty()) buf += scheme + ":";
    if (!opaque.empty()) {
      buf += opaque;
    } else {
      if (!scheme.empty() || !host.empty() || has_user) {
        if (!(omit_host && host.empty() && !has_user)) {
          if (!host.empty() || !path.empty() || has_user) buf += "//";
          if (has_user) buf += UserString() + "@";
          if (!host.empty()) buf += Escape(host, Enc::kHost);
        }
      }
      std::string p = path == "*" ? "*" : Escape(path, Enc::kPath);
      if (!p.empty() && p[0] != '/' && !host.empty()) buf += "/";
      if (buf.empty()) {
        auto seg = p.substr(0, p.find('/'));
        if (seg.find(':') != std::string::npos) buf += "./";
      }
      buf += p;
    }
    if (force_query || !raw_query.empty()) buf += "?" + raw_query;
    if (!fragment.empty()) buf += "#" + Escape(fragment, Enc::kFragment);
    return buf;
  }
};

Expected<bool> ParseAuthority(Url& u, std::string_view authority) {
  auto at = authority.rfind('@');
  std::string_view hostpart = authority;
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    for (unsigned char c : userinfo) {
      if (std::isalnum(c)) continue;
      if (std::string_view("-._:~!$&'()*+,;=%@").find(static_cast<char>(c)) ==
          std::string_view::npos) {
        return std::unexpected("net/url: invalid userinfo");
      }
    }
    u.has_user = true;
    auto colon = userinfo.find(':');
    SPRIG_TRY(user, Unescape(userinfo.substr(0, colon), Enc::kUserPassword));
    u.username = user;
    if (colon != std::string_view::npos) {
      SPRIG_TRY(pass, Unescape(userinfo.substr(colon + 1), Enc::kUserPassword));
      u.password = pass;
      u.has_password = true;
    }
    hostpart = authority.substr(at + 1);
  }
  std::string_view h = hostpart;
  if (!h.empty() && h[0] == '[') {
    auto close = h.rfind(']');
    if (close == std::string_view::npos) return std::unexpected("missing ']' in host");
    std::string_view port = h.substr(close + 1);
    if (!port.empty()) {
      if (port[0] != ':') return std::unexpected("invalid port " + GoQuote(port) + " after host");
      for (char c : port.substr(1))
        if (!std::isdigit(static_cast<unsigned char>(c)))
          return std::unexpected("invalid port " + GoQuote(port) + " after host");
    }
    u.host = std::string(h);
    return true;
  }
  auto colon = h.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = h.substr(colon);
    for (char c : port.substr(1))
      if (!std::isdigit(static_cast<unsigned char>(c)))
        return std::unexpected("invalid port " + GoQuote(port) + " after host");
  }
  SPRIG_TRY(host, Unescape(h, Enc::kHost));
  u.host = host;
  return true;
}

// Go's url.Parse.
Expected<Url> ParseUrl(const std::string& raw) {
  auto wrap = [](const std::string& what, const std::string& err) {
    return "parse " + GoQuote(what) + ": " + err;
  };
  std::string rest = raw, frag;
  auto hash = raw.find('#');
  if (hash != std::string::npos) {
    rest = raw.substr(0, hash);
    frag = raw.substr(hash + 1);
  }
  Url u;
  for (unsigned char c : rest) {
    if (c < 0x20 || c == 0x7f)
      return std::unexpected(wrap(rest, "net/url: invalid control character in URL"));
  }
  if (rest == "*") {
    u.path = "*";
  } else {
    // Scheme.
    for (size_t i = 0; i < rest.size(); ++i) {
      char c = rest[i];
      if (std::isalpha(static_cast<unsigned char>(c))) continue;
      if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.') {
        if (i == 0) break;
        continue;
      }
      if (c == ':') {
        if (i == 0) return std::unexpected(wrap(rest, "missing protocol scheme"));
        u.scheme = rest.substr(0, i);
        for (auto& ch : u.scheme)
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        rest = rest.substr(i + 1);
      }
      break;
    }
    if (!rest.empty() && rest.back() == '?' && std::count(rest.begin(), rest.end(), '?') == 1) {
      u.force_query = true;
      rest.pop_back();
    } else {
      auto q = rest.find('?');
      if (q != std::string::npos) {
        u.raw_query = rest.substr(q + 1);
        rest = rest.substr(0, q);
      }
    }
    bool done = false;
    if (!rest.starts_with("/")) {
      if (!u.scheme.empty()) {
        u.opaque = rest;
        done = true;
      } else {
        auto seg = rest.substr(0, rest.find('/'));
        if (seg.find(':') != std::string::npos) {
          return std::unexpected(wrap(rest, "first path segment in URL cannot contain colon"));
        }
      }
    }
    if (!done) {
      if ((!u.scheme.empty() || !rest.starts_with("///")) && rest.starts_with("//")) {
        std::string authority = rest.substr(2);
        rest.clear();
        auto slash = authority.find('/');
        if (slash != std::string::npos) {
          rest = authority.substr(slash);
          authority = authority.substr(0, slash);
        }
        auto ok = ParseAuthority(u, authority);
        if (!ok) return std::unexpected(wrap(raw.substr(0, hash), ok.error()));
      } else if (!u.scheme.empty() && rest.starts_with("/")) {
        u.omit_host = true;
      }
      auto p = Unescape(rest, Enc::kPath);
      if (!p) return std::unexpected(wrap(raw.substr(0, hash), p.error()));
      u.path = *p;
    }
  }
  if (!frag.empty()) {
    auto f = Unescape(frag, Enc::kFragment);
    if (!f) return std::unexpected(wrap(raw, f.error()));
    u.fragment = *f;
  }
  return u;
}

Expected<std::string> MetaValue(const Value& d, const std::string& key) {
  auto it = d.find(key);
  if (it == d.end()) return std::string();
  if (!it->is_string()) {
    return std::unexpected("unable to parse " + key + " key, must be of type string, but " +
                           GoTypeName(*it) + " found");
  }
  return it->get<std::string>();
}

}  // namespace

void AddNetworkFunctions(FuncMap& m) {
  Def(m, "getHostByName", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(name, StringParam(a[0]));
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::vector<std::string> addrs;
    if (getaddrinfo(name.c_str(), nullptr, &hints, &res) == 0) {
      for (addrinfo* p = res; p != nullptr; p = p->ai_next) {
        char buf[INET6_ADDRSTRLEN] = {0};
        if (p->ai_family == AF_INET) {
          inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr, buf,
                    sizeof buf);
        } else if (p->ai_family == AF_INET6) {
          inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr, buf,
                    sizeof buf);
        } else {
          continue;
        }
        if (std::find(addrs.begin(), addrs.end(), buf) == addrs.end()) addrs.emplace_back(buf);
      }
      freeaddrinfo(res);
    }
    // Sprig indexes a random address; with none, rand.Intn(0) panics.
    if (addrs.empty()) return std::unexpected("invalid argument to Intn");
    uint32_t r = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof r);
    return addrs[r % addrs.size()];
  });
  Def(m, "urlParse", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    auto u = ParseUrl(s);
    if (!u) return std::unexpected("unable to parse url: " + u.error());
    Value d = Value::object();
    d["scheme"] = u->scheme;
    d["host"] = u->host;
    d["hostname"] = u->Hostname();
    d["path"] = u->path;
    d["query"] = u->raw_query;
    d["opaque"] = u->opaque;
    d["fragment"] = u->fragment;
    d["userinfo"] = u->has_user ? u->UserString() : "";
    return d;
  });
  Def(m, "urlJoin", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(d, MapParam(a[0]));
    Url u;
    SPRIG_TRY(scheme, MetaValue(d, "scheme"));
    SPRIG_TRY(host, MetaValue(d, "host"));
    SPRIG_TRY(path, MetaValue(d, "path"));
    SPRIG_TRY(query, MetaValue(d, "query"));
    SPRIG_TRY(opaque, MetaValue(d, "opaque"));
    SPRIG_TRY(fragment, MetaValue(d, "fragment"));
    SPRIG_TRY(userinfo, MetaValue(d, "userinfo"));
    u.scheme = scheme;
    u.host = host;
    u.path = path;
    u.raw_query = query;
    u.opaque = opaque;
    u.fragment = fragment;
    if (!userinfo.empty()) {
      auto tmp = ParseUrl("proto://" + userinfo + "@host");
      if (!tmp) return std::unexpected("unable to parse userinfo in dict: " + tmp.error());
      u.has_user = tmp->has_user;
      u.username = tmp->username;
      u.password = tmp->password;
      u.has_password = tmp->has_password;
    }
    return u.String();
  });
}

}  // namespace keelson::charts::sprig
