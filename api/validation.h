// Kubernetes defaulting and validation of built-in kinds, with field paths and Kubernetes'
// messages. Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "api/error.h"
#include "api/object.h"

namespace keelson::api {

// Fills the defaults Kubernetes' API server sets for the object's kind (restartPolicy,
// terminationGracePeriodSeconds, dnsPolicy, imagePullPolicy from the tag, protocol TCP, probe
// timeouts, Deployment strategy 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600,
// Service sessionAffinity/type, ...). Unknown kinds are left alone.
void ApplyDefaults(Object& obj);

// Every validation error of the object, each with its path and Kubernetes' message
// ("metadata.name: Invalid value: \"A\": a lowercase RFC 1123 subdomain must consist of ...",
// "spec.containers[0].image: Required value"). Empty when valid. `old` is the stored object on
// update (immutable fields), nullptr on create.
std::vector<Cause> Validate(const Object& obj, const Object* old = nullptr);

// Fields of a built-in kind that its schema does not know, as dotted paths ("spec.replica");
// empty for unknown kinds and for kinds with free-form parts (data, labels, annotations).
std::vector<std::string> UnknownFields(const Object& obj);

// Name rules: empty when valid, otherwise the Kubernetes messages.
std::vector<std::string> ValidateDns1123Subdomain(std::string_view value);
std::vector<std::string> ValidateDns1123Label(std::string_view value);

}  // namespace keelson::api
