// Sprig's crypto functions (crypto.go) over OpenSSL and libxcrypt: hashes, bcrypt/htpasswd,
// derivePassword (Master Password with scrypt), private keys in Go's PEM forms, certificates as
// Go's x509.CreateCertificate builds them from Sprig's templates, AES-CBC encryptAES/decryptAES,
// randBytes and uuidv4.
#include <arpa/inet.h>
#include <crypt.h>

#include <array>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

namespace {

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;

std::string Hex(const unsigned char* d, size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[d[i] >> 4]);
    out.push_back(kHex[d[i] & 15]);
  }
  return out;
}

std::string Digest(const EVP_MD* md, const std::string& in) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(in.data(), in.size(), out, &n, md, nullptr);
  return Hex(out, n);
}

std::string RandomBytes(size_t n) {
  std::string b(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(b.data()), static_cast<int>(n));
  return b;
}

std::string OpenSslError(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256] = {0};
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return e != 0 ? what + ": " + buf : what;
}

// golang.org/x/crypto/bcrypt.GenerateFromPassword(password, 10): "$2a$10$" hashes, through
// libxcrypt's bcrypt.
std::string Bcrypt(const std::string& password) {
  if (password.size() > 72) {
    return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes";
  }
  std::string rnd = RandomBytes(16);
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2a$", 10, rnd.data(), static_cast<int>(rnd.size()), salt, sizeof salt) ==
      nullptr) {
    return "failed to encrypt string with bcrypt: salt generation failed";
  }
  crypt_data data;
  std::memset(&data, 0, sizeof data);
  char* out = crypt_r(password.c_str(), salt, &data);
  if (out == nullptr || out[0] == '*') return "failed to encrypt string with bcrypt: hash failed";
  return out;
}

const char* kMasterPasswordSeed = "com.lyndir.masterpassword";

const std::vector<std::string>* Templates(const std::string& type) {
  static const std::map<std::string, std::vector<std::string>> kTemplates = {
      {"maximum", {"anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"}},
      {"long",
       {"CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
        "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
        "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
        "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
        "CvccCvcvCvccno"}},
      {"medium", {"CvcnoCvc", "CvcCvcno"}},
      {"short", {"Cvcn"}},
      {"basic", {"aaanaaan", "aannaaan", "aaannaaa"}},
      {"pin", {"nnnn"}},
  };
  auto it = kTemplates.find(type);
  return it == kTemplates.end() ? nullptr : &it->second;
}

std::string TemplateChars(char c) {
  switch (c) {
    case 'V':
      return "AEIOU";
    case 'C':
      return "BCDFGHJKLMNPQRSTVWXYZ";
    case 'v':
      return "aeiou";
    case 'c':
      return "bcdfghjklmnpqrstvwxyz";
    case 'A':
      return "AEIOUBCDFGHJKLMNPQRSTVWXYZ";
    case 'a':
      return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
    case 'n':
      return "0123456789";
    case 'o':
      return "@&%?,=[]_:-+*$#!'^~;()/.";
    case 'x':
      return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()";
  }
  return "";
}

void AppendBE32(std::string& b, uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Master Password's site password, as Sprig's derivePassword computes it.
std::string DerivePassword(uint32_t counter, const std::string& type, const std::string& password,
                           const std::string& user, const std::string& site) {
  const auto* templates = Templates(type);
  if (templates == nullptr) return "cannot find password template " + type;
  std::string salt = kMasterPasswordSeed;
  AppendBE32(salt, static_cast<uint32_t>(user.size()));
  salt += user;
  // The scrypt master key depends only on (password, user); templates often derive several
  // site passwords from one master, so the last few keys are kept.
  static std::mutex mu;
  static std::map<std::pair<std::string, std::string>, std::array<unsigned char, 64>> cache;
  unsigned char key[64];
  bool cached = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find({password, user});
    if (it != cache.end()) {
      std::memcpy(key, it->second.data(), sizeof key);
      cached = true;
    }
  }
  if (!cached) {
    if (EVP_PBE_scrypt(password.data(), password.size(),
                       reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), 32768, 8,
                       2, uint64_t{256} << 20, key, sizeof key) != 1) {
      return "failed to derive password: " + OpenSslError("scrypt");
    }
    std::lock_guard<std::mutex> lock(mu);
    if (cache.size() >= 8) cache.clear();
    std::array<unsigned char, 64> k;
    std::memcpy(k.data(), key, sizeof key);
    cache[{password, user}] = k;
  }
  std::string msg = kMasterPasswordSeed;
  AppendBE32(msg, static_cast<uint32_t>(site.size()));
  msg += site;
  AppendBE32(msg, counter);
  unsigned char seed[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key, sizeof key, reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), seed, &n);
  const std::string& tmpl = (*templates)[seed[0] % templates->size()];
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    std::string chars = TemplateChars(tmpl[i]);
    out.push_back(chars[seed[i + 1] % chars.size()]);
  }
  return out;
}

// ---- Keys ----

std::string PemEncode(const std::string& type, const std::string& der) {
  std::string b64 = Base64Encode(der);
  std::string out = "-----BEGIN " + type + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END " + type + "-----\n";
}

// Go's pemBlockForKey: PKCS#1 for RSA, the traditional forms for DSA and EC, PKCS#8 otherwise.
Expected<std::string> KeyPem(EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  std::string type;
  unsigned char* der = nullptr;
  int n = 0;
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_DSA || id == EVP_PKEY_EC) {
    type = id == EVP_PKEY_RSA   ? "RSA PRIVATE KEY"
           : id == EVP_PKEY_DSA ? "DSA PRIVATE KEY"
                                : "EC PRIVATE KEY";
    n = i2d_PrivateKey(key, &der);
  } else {
    type = "PRIVATE KEY";
    PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key);
    if (p8 != nullptr) {
      n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
      PKCS8_PRIV_KEY_INFO_free(p8);
    }
  }
  if (n <= 0) return std::unexpected(OpenSslError("encoding private key"));
  std::string out(reinterpret_cast<char*>(der), n);
  OPENSSL_free(der);
  return PemEncode(type, out);
}

Expected<PKey> GenerateKey(const std::string& type) {
  EVP_PKEY* k = nullptr;
  if (type == "" || type == "rsa") {
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
  } else if (type == "ecdsa") {
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  } else if (type == "ed25519") {
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  } else if (type == "dsa") {
    CtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
    EVP_PKEY* params = nullptr;
    if (!pctx || EVP_PKEY_paramgen_init(pctx.get()) <= 0 ||
        EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx.get(), 2048) <= 0 ||
        EVP_PKEY_CTX_set_dsa_paramgen_q_bits(pctx.get(), 256) <= 0 ||
        EVP_PKEY_paramgen(pctx.get(), &params) <= 0) {
      return std::unexpected("failed to generate dsa params: " + OpenSslError("paramgen"));
    }
    PKey p(params);
    CtxPtr kctx(EVP_PKEY_CTX_new_from_pkey(nullptr, p.get(), nullptr));
    if (!kctx || EVP_PKEY_keygen_init(kctx.get()) <= 0 || EVP_PKEY_keygen(kctx.get(), &k) <= 0) {
      k = nullptr;
    }
  } else {
    return std::unexpected("Unknown type " + type);
  }
  if (k == nullptr)
    return std::unexpected("failed to generate private key: " + OpenSslError("keygen"));
  return PKey(k);
}

// Sprig's parsePrivateKeyPEM.
Expected<PKey> ParsePrivateKeyPem(const std::string& pem) {
  std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    ERR_clear_error();
    return std::unexpected("no PEM data in input");
  }
  std::string type = name;
  std::string der(reinterpret_cast<char*>(data), len);
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* k = nullptr;
  if (type == "PRIVATE KEY") {
    PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
    if (p8 != nullptr) {
      k = EVP_PKCS82PKEY(p8);
      PKCS8_PRIV_KEY_INFO_free(p8);
    }
    if (k == nullptr) return std::unexpected("decoding PEM as PKCS#8: " + OpenSslError("asn1"));
    return PKey(k);
  }
  if (!type.ends_with(" PRIVATE KEY")) {
    return std::unexpected("no private key data in PEM block of type " + type);
  }
  std::string kind = type.substr(0, type.size() - 12);
  int id = kind == "RSA"   ? EVP_PKEY_RSA
           : kind == "EC"  ? EVP_PKEY_EC
           : kind == "DSA" ? EVP_PKEY_DSA
                           : 0;
  if (id == 0) return std::unexpected("invalid private key type " + type);
  k = d2i_PrivateKey(id, nullptr, &p, static_cast<long>(der.size()));
  if (k == nullptr) {
    return std::unexpected("parsing " + kind + " private key from PEM: " + OpenSslError("asn1"));
  }
  return PKey(k);
}

// ---- Certificates ----

Value MakeCertificate(const std::string& cert, const std::string& key) {
  Value c = Value::object();
  c[std::string(kGoTypeKey)] = std::string(kCertType);
  c["Cert"] = cert;
  c["Key"] = key;
  return c;
}

bool IsPrintable(const std::string& s) {
  for (unsigned char c : s) {
    if (std::isalnum(c)) continue;
    if (std::strchr(" '()+,-./:=?*&", c) == nullptr || c == 0) return false;
  }
  return true;
}

struct Template {
  std::string cn;
  std::vector<std::string> ips;
  std::vector<std::string> dns;
  int64_t days = 0;
  bool ca = false;
};

// []interface{} parameters of string elements (ips, alternate DNS names).
Expected<std::vector<std::string>> StringList(const Value& v, const std::string& what) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) {
    return std::unexpected("wrong type for value; expected []interface {}; got " + GoTypeName(v));
  }
  for (const auto& e : v) {
    if (!e.is_string()) {
      return std::unexpected(what + ": " + FormatValue(e) + " is not a string");
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

Expected<std::string> AddExt(X509* x, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (ext == nullptr) return std::unexpected(OpenSslError("extension"));
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  return "";
}

// x509.CreateCertificate with Sprig's base template: serial < 2^128, subject CN, validity from
// now for `days`, key usage, server+client auth, basic constraints, SKI for CAs, AKI from the
// parent's SKI, SANs (DNS names then IPs).
Expected<std::pair<std::string, std::string>> CreateCertificate(const Template& t, EVP_PKEY* key,
                                                                X509* parent, EVP_PKEY* signer) {
  int signer_id = EVP_PKEY_get_base_id(signer);
  if (signer_id == EVP_PKEY_DSA) {
    return std::unexpected(
        "error creating certificate: x509: certificate private key does not implement "
        "crypto.Signer");
  }
  std::vector<std::vector<unsigned char>> ip_bytes;
  for (const auto& ip : t.ips) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
      ip_bytes.emplace_back(buf, buf + 4);
    } else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
      ip_bytes.emplace_back(buf, buf + 16);
    } else {
      return std::unexpected("error parsing ip: " + ip);
    }
  }
  X509Ptr x(X509_new());
  X509_set_version(x.get(), 2);
  BnPtr bound(BN_new()), serial(BN_new());
  BN_set_bit(bound.get(), 128);
  BN_rand_range(serial.get(), bound.get());
  ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(serial.get(), nullptr);
  X509_set_serialNumber(x.get(), sn);
  ASN1_INTEGER_free(sn);
  X509_NAME* name = X509_get_subject_name(x.get());
  if (!t.cn.empty()) {
    int type = IsPrintable(t.cn) ? V_ASN1_PRINTABLESTRING : MBSTRING_UTF8;
    X509_NAME_add_entry_by_NID(name, NID_commonName, type,
                               reinterpret_cast<const unsigned char*>(t.cn.data()),
                               static_cast<int>(t.cn.size()), -1, 0);
  }
  X509_set_issuer_name(x.get(), parent ? X509_get_subject_name(parent) : name);
  time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  ASN1_TIME_set(X509_getm_notBefore(x.get()), now);
  ASN1_TIME_set(X509_getm_notAfter(x.get()), now + static_cast<time_t>(t.days) * 86400);
  X509_set_pubkey(x.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, parent ? parent : x.get(), x.get(), nullptr, nullptr, 0);
  SPRIG_TRY(e1, AddExt(x.get(), &ctx, NID_key_usage,
                       t.ca ? "critical,digitalSignature,keyEncipherment,keyCertSign"
                            : "critical,digitalSignature,keyEncipherment"));
  SPRIG_TRY(e2, AddExt(x.get(), &ctx, NID_ext_key_usage, "serverAuth,clientAuth"));
  SPRIG_TRY(e3, AddExt(x.get(), &ctx, NID_basic_constraints,
                       t.ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  if (t.ca) {
    SPRIG_TRY(e4, AddExt(x.get(), &ctx, NID_subject_key_identifier, "hash"));
  }
  if (parent != nullptr) {
    const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(parent);
    if (ski != nullptr) {
      AUTHORITY_KEYID* akid = AUTHORITY_KEYID_new();
      akid->keyid = ASN1_OCTET_STRING_dup(ski);
      X509_add1_ext_i2d(x.get(), NID_authority_key_identifier, akid, 0, X509V3_ADD_DEFAULT);
      AUTHORITY_KEYID_free(akid);
    }
  }
  if (!t.dns.empty() || !ip_bytes.empty()) {
    GENERAL_NAMES* names = GENERAL_NAMES_new();
    for (const auto& d : t.dns) {
      GENERAL_NAME* g = GENERAL_NAME_new();
      ASN1_IA5STRING* s = ASN1_IA5STRING_new();
      ASN1_STRING_set(s, d.data(), static_cast<int>(d.size()));
      GENERAL_NAME_set0_value(g, GEN_DNS, s);
      sk_GENERAL_NAME_push(names, g);
    }
    for (const auto& ip : ip_bytes) {
      GENERAL_NAME* g = GENERAL_NAME_new();
      ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
      ASN1_OCTET_STRING_set(s, ip.data(), static_cast<int>(ip.size()));
      GENERAL_NAME_set0_value(g, GEN_IPADD, s);
      sk_GENERAL_NAME_push(names, g);
    }
    X509_add1_ext_i2d(x.get(), NID_subject_alt_name, names, t.cn.empty() ? 1 : 0,
                      X509V3_ADD_DEFAULT);
    GENERAL_NAMES_free(names);
  }
  const EVP_MD* md = signer_id == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  if (X509_sign(x.get(), signer, md) <= 0) {
    return std::unexpected("error creating certificate: " + OpenSslError("x509"));
  }
  unsigned char* der = nullptr;
  int n = i2d_X509(x.get(), &der);
  if (n <= 0) return std::unexpected("error creating certificate: " + OpenSslError("x509"));
  std::string cert = PemEncode("CERTIFICATE", std::string(reinterpret_cast<char*>(der), n));
  OPENSSL_free(der);
  SPRIG_TRY(key_pem, KeyPem(key));
  return std::make_pair(cert, key_pem);
}

Expected<X509Ptr> ParseCertificatePem(const std::string& pem, const std::string& what) {
  std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    ERR_clear_error();
    return std::unexpected("unable to decode certificate");
  }
  std::string der(reinterpret_cast<char*>(data), len);
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr) {
    return std::unexpected("error parsing certificate: " + what + ": " + OpenSslError("x509"));
  }
  return X509Ptr(x);
}

Expected<Template> BaseTemplate(Args a, size_t ips_at) {
  Template t;
  SPRIG_TRY(cn, StringParam(a[0]));
  t.cn = cn;
  if (ips_at > 0) {
    SPRIG_TRY(ips, StringList(a[1], "error parsing ip"));
    SPRIG_TRY(dns, StringList(a[2], "error processing alternate dns name"));
    t.ips = ips;
    t.dns = dns;
    SPRIG_TRY(days, IntParam(a[3]));
    t.days = days;
  } else {
    SPRIG_TRY(days, IntParam(a[1]));
    t.days = days;
  }
  return t;
}

Expected<PKey> KeyArg(const Value& v) {
  SPRIG_TRY(pem, StringParam(v));
  auto k = ParsePrivateKeyPem(pem);
  if (!k) return std::unexpected("parsing private key: " + k.error());
  return k;
}

Expected<PKey> NewRsa2048() {
  EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  if (k == nullptr) return std::unexpected("error generating rsa key: " + OpenSslError("keygen"));
  return PKey(k);
}

Result GenCA(Args a, std::optional<PKey> key) {
  SPRIG_TRY(t, BaseTemplate(a, 0));
  t.ca = true;
  if (!key) {
    SPRIG_TRY(k, NewRsa2048());
    key = std::move(k);
  }
  SPRIG_TRY(ck, CreateCertificate(t, key->get(), nullptr, key->get()));
  return MakeCertificate(ck.first, ck.second);
}

Result GenSelfSigned(Args a, std::optional<PKey> key) {
  SPRIG_TRY(t, BaseTemplate(a, 1));
  if (!key) {
    SPRIG_TRY(k, NewRsa2048());
    key = std::move(k);
  }
  SPRIG_TRY(ck, CreateCertificate(t, key->get(), nullptr, key->get()));
  return MakeCertificate(ck.first, ck.second);
}

Result GenSigned(Args a, std::optional<PKey> key) {
  SPRIG_TRY(t, BaseTemplate(a, 1));
  const Value& ca = a[4];
  if (!IsGoType(ca, kCertType)) return std::unexpected(WrongType(kCertType, ca));
  SPRIG_TRY(parent,
            ParseCertificatePem(ca.value("Cert", std::string()), "decodedSignerCert.Bytes"));
  auto signer = ParsePrivateKeyPem(ca.value("Key", std::string()));
  if (!signer) return std::unexpected("error parsing private key: " + signer.error());
  if (!key) {
    SPRIG_TRY(k, NewRsa2048());
    key = std::move(k);
  }
  SPRIG_TRY(ck, CreateCertificate(t, key->get(), parent.get(), signer->get()));
  return MakeCertificate(ck.first, ck.second);
}

Expected<std::string> AesKey(const std::string& password) {
  std::string key(32, '\0');
  std::memcpy(key.data(), password.data(), std::min<size_t>(32, password.size()));
  return key;
}

Result EncryptAes(const std::string& password, const std::string& plaintext) {
  if (plaintext.empty()) return "";
  SPRIG_TRY(key, AesKey(password));
  size_t pad = 16 - plaintext.size() % 16;
  std::string content = plaintext + std::string(pad, static_cast<char>(pad));
  std::string iv = RandomBytes(16);
  std::string out(content.size(), '\0');
  std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>> c(
      EVP_CIPHER_CTX_new());
  int n = 0;
  EVP_EncryptInit_ex(c.get(), EVP_aes_256_cbc(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  EVP_CIPHER_CTX_set_padding(c.get(), 0);
  EVP_EncryptUpdate(c.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                    reinterpret_cast<const unsigned char*>(content.data()),
                    static_cast<int>(content.size()));
  return Base64Encode(iv + out);
}

Result DecryptAes(const std::string& password, const std::string& b64) {
  if (b64.empty()) return "";
  SPRIG_TRY(key, AesKey(password));
  SPRIG_TRY(crypt, Base64Decode(b64));
  if (crypt.size() < 16) {
    return std::unexpected("runtime error: slice bounds out of range [:16] with capacity " +
                           std::to_string(crypt.size()));
  }
  std::string iv = crypt.substr(0, 16);
  std::string body = crypt.substr(16);
  if (body.size() % 16 != 0) return std::unexpected("crypto/cipher: input not full blocks");
  if (body.empty()) return std::unexpected("runtime error: index out of range [-1]");
  std::string out(body.size(), '\0');
  std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>> c(
      EVP_CIPHER_CTX_new());
  int n = 0;
  EVP_DecryptInit_ex(c.get(), EVP_aes_256_cbc(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  EVP_CIPHER_CTX_set_padding(c.get(), 0);
  EVP_DecryptUpdate(c.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                    reinterpret_cast<const unsigned char*>(body.data()),
                    static_cast<int>(body.size()));
  size_t pad = static_cast<unsigned char>(out.back());
  if (pad > out.size()) {
    return std::unexpected(
        "runtime error: slice bounds out of range [:" +
        std::to_string(static_cast<int64_t>(out.size()) - static_cast<int64_t>(pad)) + "]");
  }
  return out.substr(0, out.size() - pad);
}

std::string Uuidv4() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string h = Hex(reinterpret_cast<const unsigned char*>(b.data()), 16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace

void AddCryptoFunctions(FuncMap& m) {
  struct Hash {
    const char* name;
    const EVP_MD* (*md)();
  };
  for (Hash h :
       {Hash{"sha1sum", EVP_sha1}, Hash{"sha256sum", EVP_sha256}, Hash{"sha512sum", EVP_sha512}}) {
    Def(m, h.name, 1, 1, [h](Args a) -> Result {
      SPRIG_TRY(s, StringParam(a[0]));
      return Digest(h.md(), s);
    });
  }
  Def(m, "adler32sum", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    uint32_t x = 1, y = 0;
    for (unsigned char c : s) {
      x = (x + c) % 65521;
      y = (y + x) % 65521;
    }
    return std::to_string((y << 16) | x);
  });
  Def(m, "bcrypt", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return Bcrypt(s);
  });
  Def(m, "htpasswd", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(user, StringParam(a[0]));
    SPRIG_TRY(pass, StringParam(a[1]));
    if (user.find(':') != std::string::npos) return "invalid username: " + user;
    return user + ":" + Bcrypt(pass);
  });
  Def(m, "derivePassword", 5, 5, [](Args a) -> Result {
    SPRIG_TRY(counter, IntParam(a[0]));
    SPRIG_TRY(type, StringParam(a[1]));
    SPRIG_TRY(password, StringParam(a[2]));
    SPRIG_TRY(user, StringParam(a[3]));
    SPRIG_TRY(site, StringParam(a[4]));
    return DerivePassword(static_cast<uint32_t>(counter), type, password, user, site);
  });
  Def(m, "genPrivateKey", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(type, StringParam(a[0]));
    auto k = GenerateKey(type);
    if (!k) return k.error();
    auto pem = KeyPem(k->get());
    return pem ? *pem : pem.error();
  });
  Def(m, "buildCustomCert", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(b64cert, StringParam(a[0]));
    SPRIG_TRY(b64key, StringParam(a[1]));
    auto cert = Base64Decode(b64cert);
    if (!cert) return std::unexpected("unable to decode base64 certificate");
    auto key = Base64Decode(b64key);
    if (!key) return std::unexpected("unable to decode base64 private key");
    SPRIG_TRY(parsed, ParseCertificatePem(*cert, "decodedCert.Bytes"));
    auto k = ParsePrivateKeyPem(*key);
    if (!k) return std::unexpected("error parsing private key: " + k.error());
    return MakeCertificate(*cert, *key);
  });
  Def(m, "genCA", 2, 2, [](Args a) { return GenCA(a, std::nullopt); });
  Def(m, "genCAWithKey", 3, 3, [](Args a) -> Result {
    SPRIG_TRY(key, KeyArg(a[2]));
    return GenCA(a, std::move(key));
  });
  Def(m, "genSelfSignedCert", 4, 4, [](Args a) { return GenSelfSigned(a, std::nullopt); });
  Def(m, "genSelfSignedCertWithKey", 5, 5, [](Args a) -> Result {
    SPRIG_TRY(key, KeyArg(a[4]));
    return GenSelfSigned(a, std::move(key));
  });
  Def(m, "genSignedCert", 5, 5, [](Args a) { return GenSigned(a, std::nullopt); });
  Def(m, "genSignedCertWithKey", 6, 6, [](Args a) -> Result {
    SPRIG_TRY(key, KeyArg(a[5]));
    return GenSigned(a, std::move(key));
  });
  Def(m, "encryptAES", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(password, StringParam(a[0]));
    SPRIG_TRY(text, StringParam(a[1]));
    return EncryptAes(password, text);
  });
  Def(m, "decryptAES", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(password, StringParam(a[0]));
    SPRIG_TRY(text, StringParam(a[1]));
    return DecryptAes(password, text);
  });
  Def(m, "randBytes", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(n, IntParam(a[0]));
    if (n < 0) return std::unexpected("runtime error: makeslice: len out of range");
    return Base64Encode(RandomBytes(static_cast<size_t>(n)));
  });
  Def(m, "uuidv4", 0, 0, [](Args) -> Result { return Uuidv4(); });
}

}  // namespace keelson::charts::sprig
