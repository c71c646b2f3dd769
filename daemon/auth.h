// Authentication (who is calling) and authorization (may they do it) for keelsond's API.
// RBAC plugs in as an Authorizer implementation without changes elsewhere.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"

namespace keelson::daemon {

// The authenticated identity, as Kubernetes' user.Info.
struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;  // includes system:authenticated once authenticated
};

// Static bearer tokens and x509 client certificates. Thread-safe after construction.
class Authenticator {
 public:
  // Loads a Kubernetes static token file (CSV: token,user,uid[,"group1,group2"]; blank lines and
  // lines starting with # are skipped). Errors: BadRequest naming file:line.
  api::Status LoadTokenFile(const std::string& path);
  // Adds one token (tests, bootstrap).
  void AddToken(std::string token, UserInfo user);

  // The user of a bearer token, or Unauthorized.
  api::Result<UserInfo> AuthenticateToken(std::string_view token) const;
  // The user of a verified client certificate subject: CN is the name, each O a group.
  static UserInfo FromCertificate(std::string_view common_name, std::vector<std::string> orgs);

 private:
  std::map<std::string, UserInfo, std::less<>> tokens_;
};

// What a request wants to do, in Kubernetes' authorizer.Attributes terms.
struct Attributes {
  const UserInfo* user = nullptr;
  std::string verb;  // get list watch create update patch delete deletecollection
  std::string group;
  std::string resource;
  std::string subresource;
  std::string ns;
  std::string name;
  bool resource_request = true;  // false for /healthz, /version, ...
  std::string path;              // for non-resource requests
};

struct Decision {
  bool allowed = false;
  std::string reason;
};

// Decides whether a request is allowed. Implementations are thread-safe.
class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual Decision Authorize(const Attributes& attrs) const = 0;
};

// Allows everything an authenticated user asks (the default until RBAC is wired in).
class AllowAllAuthorizer : public Authorizer {
 public:
  Decision Authorize(const Attributes&) const override { return {true, "allow-all"}; }
};

// The Kubernetes Forbidden error for a denied request:
// `configmaps "x" is forbidden: User "bob" cannot get resource "configmaps" in API group "" in
// the namespace "default": <reason>`.
api::Error ForbiddenError(const Attributes& attrs, std::string_view reason);

}  // namespace keelson::daemon
