// Built-in admission plug-ins.
#include "daemon/admission.h"

#include "api/validation.h"

namespace keelson::daemon {
namespace {

class DefaultsPlugin : public AdmissionPlugin {
 public:
  std::string Name() const override { return "Defaults"; }
  api::Status Admit(const AdmissionRequest& req, api::Object& obj) override {
    if (req.operation != "DELETE") api::ApplyDefaults(obj);
    return {};
  }
};

class FieldValidationPlugin : public AdmissionPlugin {
 public:
  std::string Name() const override { return "FieldValidation"; }
  api::Status Admit(const AdmissionRequest& req, api::Object& obj) override {
    if (req.operation == "DELETE" || req.field_validation == "Ignore") return {};
    auto unknown = api::UnknownFields(obj);
    if (unknown.empty()) return {};
    if (req.field_validation == "Strict") return std::unexpected(StrictDecodingError(unknown));
    if (req.warnings != nullptr) {
      for (const auto& f : unknown) req.warnings->push_back("unknown field \"" + f + "\"");
    }
    return {};
  }
};

class ValidationPlugin : public AdmissionPlugin {
 public:
  std::string Name() const override { return "Validation"; }
  api::Status Admit(const AdmissionRequest& req, api::Object& obj) override {
    if (req.operation == "DELETE") return {};
    auto causes = api::Validate(obj, req.old);
    if (causes.empty()) return {};
    api::Error e = api::Invalid(req.kind->kind, obj.name(), std::move(causes));
    e.group = req.kind->group;
    return std::unexpected(e);
  }
};

// Refuses creates in namespaces that do not exist or are terminating (NamespaceLifecycle).
class NamespaceLifecyclePlugin : public AdmissionPlugin {
 public:
  explicit NamespaceLifecyclePlugin(store::Store& store) : store_(store) {}
  std::string Name() const override { return "NamespaceLifecycle"; }
  api::Status Admit(const AdmissionRequest& req, api::Object& obj) override {
    if (req.operation != "CREATE" || !req.kind->namespaced) return {};
    const std::string ns = obj.namespace_();
    auto got = store_.Get("namespaces", "", ns);
    if (!got) {
      if (got.error().reason == api::Reason::kNotFound) {
        return std::unexpected(api::NotFound("namespaces", ns));
      }
      return std::unexpected(got.error().Wrap("check namespace " + ns));
    }
    const api::Json* phase = got->Find("status.phase");
    if (!got->deletion_timestamp().empty() ||
        (phase != nullptr && phase->is_string() && *phase == "Terminating")) {
      api::Error e =
          api::MakeError(api::Reason::kForbidden,
                         req.kind->resource + " \"" + obj.name() +
                             "\" is forbidden: unable to create new content in namespace " + ns +
                             " because it is being terminated");
      e.kind = req.kind->resource;
      e.name = obj.name();
      return std::unexpected(e);
    }
    return {};
  }

 private:
  store::Store& store_;
};

}  // namespace

api::Status AdmissionChain::Admit(const AdmissionRequest& req, api::Object& obj) const {
  for (const auto& p : plugins_) {
    if (auto s = p->Admit(req, obj); !s) return s;
  }
  return {};
}

AdmissionChain AdmissionChain::Default(store::Store& store) {
  AdmissionChain c;
  c.Add(std::make_unique<FieldValidationPlugin>());
  c.Add(std::make_unique<DefaultsPlugin>());
  c.Add(std::make_unique<ValidationPlugin>());
  c.Add(std::make_unique<NamespaceLifecyclePlugin>(store));
  return c;
}

api::Error StrictDecodingError(const std::vector<std::string>& unknown_fields) {
  std::string msg = "strict decoding error: ";
  for (size_t i = 0; i < unknown_fields.size(); ++i) {
    if (i > 0) msg += ", ";
    msg += "unknown field \"" + unknown_fields[i] + "\"";
  }
  return api::BadRequest(msg);
}

}  // namespace keelson::daemon
