// Kubeconfig loading for keelctl: the standard clientcmd YAML (clusters, users, contexts,
// current-context) resolved to one REST configuration. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "api/error.h"

namespace keelson::cli {

// What a client needs to reach and authenticate to the API server.
struct RestConfig {
  std::string server;  // "https://127.0.0.1:6443"
  std::string ca_pem;  // PEM CA bundle ("" = system roots)
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string client_cert_pem;  // PEM (from client-certificate-data or client-certificate)
  std::string client_key_pem;
  std::string token;  // bearer token (token or tokenFile)
  std::string username, password;
  std::string namespace_;  // the context's namespace ("" = default)
  std::string context;     // the context name used
  std::string source;      // the kubeconfig path, for messages
};

// Resolves `text` (a kubeconfig) to a RestConfig using `context` or, when empty, the file's
// current-context. Relative file references (certificate-authority, client-certificate,
// client-key, tokenFile) are read relative to `base_dir`. Errors: BadRequest naming the
// source and the missing or malformed entry, e.g. `admin.conf: context "x" not found`,
// `admin.conf: users[0].user.client-key-data: illegal base64 data`.
api::Result<RestConfig> ParseKubeconfig(std::string_view text, std::string_view source,
                                        std::string_view base_dir = "",
                                        std::string_view context = "");

// Reads and parses the kubeconfig at `path`. Errors: NotFound if the file does not exist
// (message names the path), and the errors of ParseKubeconfig.
api::Result<RestConfig> LoadKubeconfig(const std::string& path, std::string_view context = "");

// The kubeconfig keelctl uses: `flag` if set, else $KEELCONFIG, else ./.keelson/admin.conf.
std::string KubeconfigPath(std::string_view flag);

// Standard base64 (RFC 4648, padding optional, whitespace ignored). Errors: BadRequest.
api::Result<std::string> Base64Decode(std::string_view in);

}  // namespace keelson::cli
