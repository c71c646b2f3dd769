// Standard base64 (RFC 4648 §4, with padding): the encoding Kubernetes uses for Secret data,
// kubeconfig certificates, registry credentials and the exec result body.
#pragma once

#include <string>
#include <string_view>

namespace keelson::api {

// Encodes `in` with the standard alphabet and '=' padding, no line breaks.
std::string Base64Encode(std::string_view in);

}  // namespace keelson::api
