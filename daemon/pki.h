// keelsond's PKI: a CA, a server certificate and an admin client certificate under DIR/pki/, and
// the admin kubeconfig DIR/admin.conf. Created on first start, reused afterwards.
#pragma once

#include <string>
#include <vector>

#include "api/error.h"

namespace keelson::daemon {

struct PkiFiles {
  std::string ca_cert;      // DIR/pki/ca.crt
  std::string ca_key;       // DIR/pki/ca.key (0600)
  std::string server_cert;  // DIR/pki/server.crt
  std::string server_key;   // DIR/pki/server.key (0600)
  std::string admin_cert;   // DIR/pki/admin.crt (CN=keelson-admin, O=system:masters)
  std::string admin_key;    // DIR/pki/admin.key (0600)
};

// Makes sure the CA, server and admin key pairs and certificates exist under `data_dir`/pki
// (ECDSA P-256, SHA-256). Existing files are reused; the server certificate is re-issued by the
// existing CA when it lacks one of `server_hosts` or expires within 30 days, and the admin
// certificate likewise when it expires soon. The server certificate always covers 127.0.0.1,
// ::1, localhost and this machine's hostname in addition to `server_hosts`. Keys are written with
// mode 0600. Errors: InternalError naming the file or the OpenSSL call that failed.
api::Result<PkiFiles> EnsurePki(const std::string& data_dir,
                                const std::vector<std::string>& server_hosts);

// Issues a client certificate signed by the CA in `pki` for `user` with `groups` as O; returns
// {cert PEM, key PEM}. Used by tests and by keelsond to mint identities.
api::Result<std::pair<std::string, std::string>> IssueClientCert(
    const PkiFiles& pki, const std::string& user, const std::vector<std::string>& groups);

// Writes a standard kubeconfig at `path` (mode 0600) for `server_url` with the CA and the admin
// client credential embedded (certificate-authority-data, client-certificate-data,
// client-key-data), cluster/user/context named "keelson"/"keelson-admin"/"keelson" and
// current-context set. Errors: InternalError.
api::Status WriteAdminKubeconfig(const std::string& path, const std::string& server_url,
                                 const PkiFiles& pki);

// Reads a whole file; InternalError naming it on failure.
api::Result<std::string> ReadFile(const std::string& path);
// Writes a file atomically (temp + rename) with `mode`. InternalError on failure.
api::Status WriteFileAtomic(const std::string& path, std::string_view content, unsigned mode);

}  // namespace keelson::daemon
