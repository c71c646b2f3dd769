// Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) for the
// kinds kubectl's typed clients send that way (`kubectl create configmap|secret|namespace|
// serviceaccount`): the "k8s\0" runtime.Unknown envelope and the generated messages of those
// kinds, into the same JSON an application/json body would carry.
#pragma once

#include <string_view>

#include "api/error.h"
#include "api/object.h"

namespace keelson::daemon {

// The object in a protobuf body. Errors: UnsupportedMediaType for kinds without a decoder here
// (the client may retry with JSON), BadRequest for a malformed message (naming the field).
api::Result<api::Json> DecodeProtobufObject(std::string_view body);

}  // namespace keelson::daemon
