// Error helpers and their metav1.Status encoding.
#include "api/error.h"

#include <array>
#include <utility>

namespace keelson::api {
namespace {

struct ReasonInfo {
  Reason reason;
  std::string_view name;
  int code;
};

constexpr std::array kReasons = {
    ReasonInfo{Reason::kUnknown, "", 500},
    ReasonInfo{Reason::kBadRequest, "BadRequest", 400},
    ReasonInfo{Reason::kUnauthorized, "Unauthorized", 401},
    ReasonInfo{Reason::kForbidden, "Forbidden", 403},
    ReasonInfo{Reason::kNotFound, "NotFound", 404},
    ReasonInfo{Reason::kMethodNotAllowed, "MethodNotAllowed", 405},
    ReasonInfo{Reason::kNotAcceptable, "NotAcceptable", 406},
    ReasonInfo{Reason::kAlreadyExists, "AlreadyExists", 409},
    ReasonInfo{Reason::kConflict, "Conflict", 409},
    ReasonInfo{Reason::kGone, "Expired", 410},
    ReasonInfo{Reason::kRequestEntityTooLarge, "RequestEntityTooLarge", 413},
    ReasonInfo{Reason::kUnsupportedMediaType, "UnsupportedMediaType", 415},
    ReasonInfo{Reason::kInvalid, "Invalid", 422},
    ReasonInfo{Reason::kTooManyRequests, "TooManyRequests", 429},
    ReasonInfo{Reason::kInternalError, "InternalError", 500},
    ReasonInfo{Reason::kServiceUnavailable, "ServiceUnavailable", 503},
    ReasonInfo{Reason::kTimeout, "Timeout", 504},
};

const ReasonInfo& Info(Reason r) {
  for (const auto& i : kReasons) {
    if (i.reason == r) return i;
  }
  return kReasons[0];
}

}  // namespace

std::string_view ReasonString(Reason r) { return Info(r).name; }

Reason ReasonFromString(std::string_view s) {
  if (s == "Gone") return Reason::kGone;
  for (const auto& i : kReasons) {
    if (!s.empty() && i.name == s) return i.reason;
  }
  return Reason::kUnknown;
}

Error Error::Wrap(std::string_view context) const {
  Error e = *this;
  e.message = std::string(context) + ": " + message;
  return e;
}

int Error::HttpCode() const { return Info(reason).code; }

bool Error::Retryable() const {
  switch (reason) {
    case Reason::kConflict:
    case Reason::kTooManyRequests:
    case Reason::kServiceUnavailable:
    case Reason::kTimeout:
      return true;
    default:
      return false;
  }
}

nlohmann::json Error::ToStatus() const {
  nlohmann::json s = {
      {"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
      {"status", "Failure"}, {"message", message}, {"reason", ReasonString(reason)},
      {"code", HttpCode()}};
  nlohmann::json details = nlohmann::json::object();
  if (!name.empty()) details["name"] = name;
  if (!group.empty()) details["group"] = group;
  if (!kind.empty()) details["kind"] = kind;
  if (!causes.empty()) {
    nlohmann::json cs = nlohmann::json::array();
    for (const auto& c : causes) {
      cs.push_back({{"reason", c.type}, {"message", c.message}, {"field", c.field}});
    }
    details["causes"] = std::move(cs);
  }
  if (!details.empty()) s["details"] = std::move(details);
  return s;
}

Error Error::FromStatus(const nlohmann::json& status, int http_code) {
  Error e;
  if (!status.is_object() || status.value("kind", "") != "Status") {
    e.reason = http_code == 404 ? Reason::kNotFound : Reason::kUnknown;
    for (const auto& i : kReasons) {
      if (i.code == http_code && i.reason != Reason::kUnknown) {
        e.reason = i.reason;
        break;
      }
    }
    e.message = "the server responded with status " + std::to_string(http_code);
    return e;
  }
  e.reason = ReasonFromString(status.value("reason", ""));
  e.message = status.value("message", "");
  if (auto d = status.find("details"); d != status.end() && d->is_object()) {
    e.name = d->value("name", "");
    e.kind = d->value("kind", "");
    e.group = d->value("group", "");
    if (auto cs = d->find("causes"); cs != d->end() && cs->is_array()) {
      for (const auto& c : *cs) {
        e.causes.push_back({c.value("reason", ""), c.value("field", ""), c.value("message", "")});
      }
    }
  }
  return e;
}

Error MakeError(Reason reason, std::string message) {
  Error e;
  e.reason = reason;
  e.message = std::move(message);
  return e;
}

Error NotFound(std::string_view resource, std::string_view name) {
  Error e = MakeError(Reason::kNotFound,
                      std::string(resource) + " \"" + std::string(name) + "\" not found");
  e.kind = resource;
  e.name = name;
  return e;
}

Error AlreadyExists(std::string_view resource, std::string_view name) {
  Error e = MakeError(Reason::kAlreadyExists,
                      std::string(resource) + " \"" + std::string(name) + "\" already exists");
  e.kind = resource;
  e.name = name;
  return e;
}

Error Invalid(std::string_view kind, std::string_view name, std::vector<Cause> causes) {
  std::string msg = std::string(kind) + " \"" + std::string(name) + "\" is invalid: ";
  if (causes.size() == 1) {
    msg += causes[0].message;
  } else {
    msg += "[";
    for (size_t i = 0; i < causes.size(); ++i) {
      if (i) msg += ", ";
      msg += causes[i].message;
    }
    msg += "]";
  }
  Error e = MakeError(Reason::kInvalid, std::move(msg));
  e.kind = kind;
  e.name = name;
  e.causes = std::move(causes);
  return e;
}

Error BadRequest(std::string message) { return MakeError(Reason::kBadRequest, std::move(message)); }
Error Internal(std::string message) {
  return MakeError(Reason::kInternalError, std::move(message));
}

}  // namespace keelson::api
