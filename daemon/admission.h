// The admission chain every write passes after authorization and before the store: mutating
// plug-ins first (defaults), then validating ones (strict unknown fields, schema validation,
// namespace lifecycle). Plug-ins are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/error.h"
#include "api/kinds.h"
#include "api/object.h"
#include "daemon/auth.h"
#include "store/store.h"

namespace keelson::daemon {

struct AdmissionRequest {
  const api::KindInfo* kind = nullptr;
  std::string operation;    // CREATE | UPDATE | DELETE
  std::string subresource;  // "" | "status" | "scale"
  const UserInfo* user = nullptr;
  const api::Object* old = nullptr;         // the stored object on UPDATE
  std::string field_validation = "Strict";  // Strict | Warn | Ignore
  bool dry_run = false;
  std::vector<std::string>* warnings = nullptr;  // collected `Warning:` texts
};

class AdmissionPlugin {
 public:
  virtual ~AdmissionPlugin() = default;
  virtual std::string Name() const = 0;
  // May change `obj` (mutating plug-ins). Returns the error that rejects the request.
  virtual api::Status Admit(const AdmissionRequest& req, api::Object& obj) = 0;
};

// Runs plug-ins in order; the first error wins.
class AdmissionChain {
 public:
  void Add(std::unique_ptr<AdmissionPlugin> plugin) { plugins_.push_back(std::move(plugin)); }
  api::Status Admit(const AdmissionRequest& req, api::Object& obj) const;

  // defaults → unknown fields (per field_validation) → validation → namespace lifecycle.
  static AdmissionChain Default(store::Store& store);

 private:
  std::vector<std::unique_ptr<AdmissionPlugin>> plugins_;
};

// The Kubernetes strict decoding error for unknown field paths:
// `strict decoding error: unknown field "spec.replica", unknown field "x"` (BadRequest).
api::Error StrictDecodingError(const std::vector<std::string>& unknown_fields);

}  // namespace keelson::daemon
