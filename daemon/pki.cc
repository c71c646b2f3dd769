// keelsond PKI with OpenSSL 3 EVP APIs.
#include "daemon/pki.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "api/base64.h"
#include "daemon/log.h"

namespace keelson::daemon {
namespace {

namespace fs = std::filesystem;

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

api::Error SslError(std::string_view what) {
  std::string msg(what);
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    msg += ": ";
    msg += buf;
  }
  ERR_clear_error();
  return api::Internal(msg);
}

api::Result<KeyPtr> GenerateKey() {
  EVP_PKEY* k = EVP_EC_gen("P-256");
  if (k == nullptr) return std::unexpected(SslError("generate ECDSA P-256 key"));
  return KeyPtr(k);
}

api::Result<std::string> KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    return std::unexpected(SslError("encode private key"));
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, n);
}

api::Result<std::string> CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) return std::unexpected(SslError("encode certificate"));
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, n);
}

api::Result<KeyPtr> LoadKey(const std::string& path) {
  auto pem = ReadFile(path);
  if (!pem) return std::unexpected(pem.error());
  BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (k == nullptr) return std::unexpected(SslError("read private key " + path));
  return KeyPtr(k);
}

api::Result<CertPtr> LoadCert(const std::string& path) {
  auto pem = ReadFile(path);
  if (!pem) return std::unexpected(pem.error());
  BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (c == nullptr) return std::unexpected(SslError("read certificate " + path));
  return CertPtr(c);
}

api::Status AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) {
    return std::unexpected(SslError("add extension " + std::string(OBJ_nid2sn(nid)) + "=" + value));
  }
  return {};
}

struct CertSpec {
  std::string cn;
  std::vector<std::string> orgs;
  bool is_ca = false;
  bool server = false;
  bool client = false;
  std::vector<std::string> sans;  // "DNS:x" / "IP:y"
  long days = 365;
};

// Signs a certificate for `key` by `issuer_key` (self-signed when issuer is null).
api::Result<CertPtr> Issue(const CertSpec& spec, EVP_PKEY* key, X509* issuer,
                           EVP_PKEY* issuer_key) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return std::unexpected(SslError("random serial"));
  serial[0] &= 0x7f;
  std::unique_ptr<BIGNUM, Free> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.days * 24L * 3600L);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& o : spec.orgs) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
  X509* iss = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(iss));
  if (spec.is_ca) {
    if (auto s = AddExt(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE"); !s) {
      return std::unexpected(s.error());
    }
    if (auto s =
            AddExt(cert.get(), iss, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
        !s) {
      return std::unexpected(s.error());
    }
    if (auto s = AddExt(cert.get(), iss, NID_subject_key_identifier, "hash"); !s) {
      return std::unexpected(s.error());
    }
  } else {
    if (auto s = AddExt(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE"); !s) {
      return std::unexpected(s.error());
    }
    if (auto s =
            AddExt(cert.get(), iss, NID_key_usage, "critical,digitalSignature,keyEncipherment");
        !s) {
      return std::unexpected(s.error());
    }
    std::string eku;
    if (spec.server) eku = "serverAuth";
    if (spec.client) eku += eku.empty() ? "clientAuth" : ",clientAuth";
    if (auto s = AddExt(cert.get(), iss, NID_ext_key_usage, eku); !s)
      return std::unexpected(s.error());
    if (auto s = AddExt(cert.get(), iss, NID_authority_key_identifier, "keyid:always"); !s) {
      return std::unexpected(s.error());
    }
  }
  if (!spec.sans.empty()) {
    std::string v;
    for (const auto& s : spec.sans) v += (v.empty() ? "" : ",") + s;
    if (auto s = AddExt(cert.get(), iss, NID_subject_alt_name, v); !s)
      return std::unexpected(s.error());
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    return std::unexpected(SslError("sign certificate " + spec.cn));
  }
  return cert;
}

bool IsIp(const std::string& h) {
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

std::string SanFor(const std::string& h) { return (IsIp(h) ? "IP:" : "DNS:") + h; }

// True when `cert` expires within `days`.
bool ExpiresWithin(X509* cert, int days) {
  time_t t = time(nullptr) + static_cast<time_t>(days) * 24 * 3600;
  return X509_cmp_time(X509_get0_notAfter(cert), &t) < 0;
}

bool CoversHost(X509* cert, const std::string& host) {
  if (IsIp(host)) return X509_check_ip_asc(cert, host.c_str(), 0) == 1;
  return X509_check_host(cert, host.c_str(), host.size(), 0, nullptr) == 1;
}

api::Status WritePair(const std::string& cert_path, const std::string& key_path, X509* cert,
                      EVP_PKEY* key) {
  auto kp = KeyPem(key);
  if (!kp) return std::unexpected(kp.error());
  auto cp = CertPem(cert);
  if (!cp) return std::unexpected(cp.error());
  if (auto s = WriteFileAtomic(key_path, *kp, 0600); !s) return s;
  return WriteFileAtomic(cert_path, *cp, 0644);
}

}  // namespace

api::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::unexpected(api::Internal("read " + path + ": " + std::strerror(errno)));
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

api::Status WriteFileAtomic(const std::string& path, std::string_view content, unsigned mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return std::unexpected(api::Internal("create " + tmp + ": " + std::strerror(errno)));
  ::fchmod(fd, mode);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return std::unexpected(api::Internal("write " + tmp + ": " + std::strerror(err)));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return std::unexpected(api::Internal("sync " + tmp + ": " + std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return std::unexpected(api::Internal("rename " + tmp + ": " + std::strerror(errno)));
  }
  return {};
}

api::Result<PkiFiles> EnsurePki(const std::string& data_dir,
                                const std::vector<std::string>& server_hosts) {
  std::string dir = data_dir + "/pki";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return std::unexpected(api::Internal("create " + dir + ": " + ec.message()));
  ::chmod(dir.c_str(), 0700);
  PkiFiles f{dir + "/ca.crt",     dir + "/ca.key",    dir + "/server.crt",
             dir + "/server.key", dir + "/admin.crt", dir + "/admin.key"};

  KeyPtr ca_key;
  CertPtr ca_cert;
  if (fs::exists(f.ca_cert) && fs::exists(f.ca_key)) {
    auto k = LoadKey(f.ca_key);
    if (!k) return std::unexpected(k.error());
    auto c = LoadCert(f.ca_cert);
    if (!c) return std::unexpected(c.error());
    ca_key = std::move(*k);
    ca_cert = std::move(*c);
  } else {
    auto k = GenerateKey();
    if (!k) return std::unexpected(k.error());
    auto c = Issue({.cn = "keelson-ca", .is_ca = true, .days = 3650}, k->get(), nullptr, k->get());
    if (!c) return std::unexpected(c.error().Wrap("issue CA"));
    if (auto s = WritePair(f.ca_cert, f.ca_key, c->get(), k->get()); !s) {
      return std::unexpected(s.error());
    }
    ca_key = std::move(*k);
    ca_cert = std::move(*c);
    LogInfo("created certificate authority", {{"cert", f.ca_cert}});
  }

  std::vector<std::string> hosts = {"127.0.0.1", "::1", "localhost"};
  char hostname[256] = {};
  if (gethostname(hostname, sizeof hostname - 1) == 0 && hostname[0] != '\0') {
    hosts.push_back(hostname);
  }
  for (const auto& h : server_hosts) {
    if (!h.empty() && h != "0.0.0.0" && h != "::" &&
        std::find(hosts.begin(), hosts.end(), h) == hosts.end()) {
      hosts.push_back(h);
    }
  }

  bool issue_server = true;
  if (fs::exists(f.server_cert) && fs::exists(f.server_key)) {
    auto c = LoadCert(f.server_cert);
    if (!c) return std::unexpected(c.error());
    issue_server = ExpiresWithin(c->get(), 30);
    for (const auto& h : hosts) issue_server = issue_server || !CoversHost(c->get(), h);
  }
  if (issue_server) {
    auto k = GenerateKey();
    if (!k) return std::unexpected(k.error());
    CertSpec spec{.cn = "keelsond", .server = true, .days = 365};
    for (const auto& h : hosts) spec.sans.push_back(SanFor(h));
    auto c = Issue(spec, k->get(), ca_cert.get(), ca_key.get());
    if (!c) return std::unexpected(c.error().Wrap("issue server certificate"));
    if (auto s = WritePair(f.server_cert, f.server_key, c->get(), k->get()); !s) {
      return std::unexpected(s.error());
    }
    LogInfo("issued server certificate", {{"cert", f.server_cert}});
  }

  bool issue_admin = true;
  if (fs::exists(f.admin_cert) && fs::exists(f.admin_key)) {
    auto c = LoadCert(f.admin_cert);
    if (!c) return std::unexpected(c.error());
    issue_admin = ExpiresWithin(c->get(), 30);
  }
  if (issue_admin) {
    auto k = GenerateKey();
    if (!k) return std::unexpected(k.error());
    auto c = Issue({.cn = "keelson-admin", .orgs = {"system:masters"}, .client = true, .days = 365},
                   k->get(), ca_cert.get(), ca_key.get());
    if (!c) return std::unexpected(c.error().Wrap("issue admin certificate"));
    if (auto s = WritePair(f.admin_cert, f.admin_key, c->get(), k->get()); !s) {
      return std::unexpected(s.error());
    }
    LogInfo("issued admin client certificate", {{"cert", f.admin_cert}});
  }
  return f;
}

api::Result<std::pair<std::string, std::string>> IssueClientCert(
    const PkiFiles& pki, const std::string& user, const std::vector<std::string>& groups) {
  auto ca_key = LoadKey(pki.ca_key);
  if (!ca_key) return std::unexpected(ca_key.error());
  auto ca_cert = LoadCert(pki.ca_cert);
  if (!ca_cert) return std::unexpected(ca_cert.error());
  auto k = GenerateKey();
  if (!k) return std::unexpected(k.error());
  auto c = Issue({.cn = user, .orgs = groups, .client = true, .days = 365}, k->get(),
                 ca_cert->get(), ca_key->get());
  if (!c) return std::unexpected(c.error().Wrap("issue client certificate for " + user));
  auto cp = CertPem(c->get());
  if (!cp) return std::unexpected(cp.error());
  auto kp = KeyPem(k->get());
  if (!kp) return std::unexpected(kp.error());
  return std::make_pair(*cp, *kp);
}

api::Status WriteAdminKubeconfig(const std::string& path, const std::string& server_url,
                                 const PkiFiles& pki) {
  auto ca = ReadFile(pki.ca_cert);
  if (!ca) return std::unexpected(ca.error());
  auto cert = ReadFile(pki.admin_cert);
  if (!cert) return std::unexpected(cert.error());
  auto key = ReadFile(pki.admin_key);
  if (!key) return std::unexpected(key.error());
  std::string y;
  y += "apiVersion: v1\n";
  y += "kind: Config\n";
  y += "clusters:\n";
  y += "- cluster:\n";
  y += "    certificate-authority-data: " + api::Base64Encode(*ca) + "\n";
  y += "    server: " + server_url + "\n";
  y += "  name: keelson\n";
  y += "contexts:\n";
  y += "- context:\n";
  y += "    cluster: keelson\n";
  y += "    user: keelson-admin\n";
  y += "  name: keelson\n";
  y += "current-context: keelson\n";
  y += "preferences: {}\n";
  y += "users:\n";
  y += "- name: keelson-admin\n";
  y += "  user:\n";
  y += "    client-certificate-data: " + api::Base64Encode(*cert) + "\n";
  y += "    client-key-data: " + api::Base64Encode(*key) + "\n";
  return WriteFileAtomic(path, y, 0600);
}

}  // namespace keelson::daemon
