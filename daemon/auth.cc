// Static token and client certificate authentication; Forbidden errors.
#include "daemon/auth.h"

#include <fstream>

namespace keelson::daemon {
namespace {

// Splits one CSV line with double-quoted fields ("a,b").
std::vector<std::string> SplitCsv(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

}  // namespace

api::Status Authenticator::LoadTokenFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::unexpected(api::BadRequest("token file " + path + ": cannot open"));
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto fields = SplitCsv(line);
    if (fields.size() < 3 || fields[0].empty() || fields[1].empty()) {
      return std::unexpected(api::BadRequest("token file " + path + ":" + std::to_string(n) +
                                             ": want token,user,uid[,\"groups\"]"));
    }
    UserInfo u{fields[1], fields[2], {}};
    if (fields.size() > 3) {
      for (auto& g : SplitCsv(fields[3])) {
        if (!g.empty()) u.groups.push_back(g);
      }
    }
    AddToken(fields[0], std::move(u));
  }
  return {};
}

void Authenticator::AddToken(std::string token, UserInfo user) {
  if (std::find(user.groups.begin(), user.groups.end(), "system:authenticated") ==
      user.groups.end()) {
    user.groups.push_back("system:authenticated");
  }
  tokens_[std::move(token)] = std::move(user);
}

api::Result<UserInfo> Authenticator::AuthenticateToken(std::string_view token) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end())
    return std::unexpected(api::MakeError(api::Reason::kUnauthorized, "Unauthorized"));
  return it->second;
}

UserInfo Authenticator::FromCertificate(std::string_view common_name,
                                        std::vector<std::string> orgs) {
  UserInfo u{std::string(common_name), "", std::move(orgs)};
  u.groups.push_back("system:authenticated");
  return u;
}

api::Error ForbiddenError(const Attributes& a, std::string_view reason) {
  std::string user = a.user != nullptr ? a.user->name : "system:anonymous";
  std::string msg;
  if (!a.resource_request) {
    msg = "forbidden: User \"" + user + "\" cannot " + a.verb + " path \"" + a.path + "\"";
  } else {
    std::string res = a.resource + (a.subresource.empty() ? "" : "/" + a.subresource);
    std::string qualified = a.group.empty() ? a.resource : a.resource + "." + a.group;
    msg = a.name.empty() ? qualified : qualified + " \"" + a.name + "\"";
    msg += " is forbidden: User \"" + user + "\" cannot " + a.verb + " resource \"" + res +
           "\" in API group \"" + a.group + "\"";
    msg += a.ns.empty() ? " at the cluster scope" : " in the namespace \"" + a.ns + "\"";
  }
  if (!reason.empty()) msg += ": " + std::string(reason);
  api::Error e = api::MakeError(api::Reason::kForbidden, msg);
  e.kind = a.resource;
  e.name = a.name;
  e.group = a.group;
  return e;
}

}  // namespace keelson::daemon
