// Errors as values: a canonical reason (decides HTTP code and retry), a message, field causes.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace keelson::api {

// Kubernetes StatusReason values. Each maps to one HTTP code (see HttpCode).
enum class Reason {
  kUnknown,                // 500
  kBadRequest,             // 400 (malformed input)
  kUnauthorized,           // 401
  kForbidden,              // 403
  kNotFound,               // 404
  kMethodNotAllowed,       // 405
  kNotAcceptable,          // 406
  kAlreadyExists,          // 409
  kConflict,               // 409 (stale resourceVersion: read again and retry)
  kGone,                   // 410 (watch revision compacted: list again)
  kRequestEntityTooLarge,  // 413
  kUnsupportedMediaType,   // 415
  kInvalid,                // 422 (field errors in `causes`)
  kTooManyRequests,        // 429 (retry after a pause)
  kInternalError,          // 500
  kServiceUnavailable,     // 503 (retry)
  kTimeout,                // 504 (retry)
};

// One field-level problem, as in metav1.StatusCause: type is the Kubernetes cause type
// ("FieldValueRequired", "FieldValueInvalid", "FieldValueNotSupported", "FieldValueDuplicate",
// "FieldValueTooLong", "FieldValueForbidden", "FieldValueTypeInvalid"), field the path
// ("spec.containers[0].image"), message the full human text ("spec.containers[0].image: Required
// value").
struct Cause {
  std::string type;
  std::string field;
  std::string message;
};

struct Error {
  Reason reason = Reason::kUnknown;
  std::string message;  // no trailing period
  std::vector<Cause> causes;
  // For Invalid/NotFound/AlreadyExists/Conflict: the object the error is about (Status.details).
  std::string kind;  // resource plural or kind, e.g. "configmaps"
  std::string name;
  std::string group;

  // Returns a copy whose message is "context: message". Reason and causes are kept.
  Error Wrap(std::string_view context) const;
  // HTTP status code for the reason.
  int HttpCode() const;
  // True if the caller may retry the same call later (Conflict, TooManyRequests, Unavailable,
  // Timeout).
  bool Retryable() const;
  // The metav1.Status JSON the API server returns for this error.
  nlohmann::json ToStatus() const;
  // Parses a metav1.Status body (the client side); `http_code` is used when the body is not a
  // Status.
  static Error FromStatus(const nlohmann::json& status, int http_code);
};

// The Kubernetes reason string ("NotFound", "AlreadyExists", ...); "" for kUnknown.
std::string_view ReasonString(Reason r);
// Inverse of ReasonString; kUnknown if not recognised.
Reason ReasonFromString(std::string_view s);

Error MakeError(Reason reason, std::string message);
Error NotFound(std::string_view resource, std::string_view name);  // configmaps "x" not found
Error AlreadyExists(std::string_view resource,
                    std::string_view name);  // configmaps "x" already exists
// Invalid with every field error: `<Kind> "<name>" is invalid: [a: Required value, b: ...]`.
Error Invalid(std::string_view kind, std::string_view name, std::vector<Cause> causes);
Error BadRequest(std::string message);
Error Internal(std::string message);

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

}  // namespace keelson::api
