// Conformance tests for Sprig's crypto functions (ported from Sprig's crypto_test.go): digests,
// Master Password vectors, bcrypt/htpasswd, keys, certificates checked with OpenSSL, AES, UUIDs.
#include <crypt.h>
#include <cstring>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tests/charts/sprig_testing.h"

namespace keelson::charts {
namespace {

using testing::List;
using testing::Sprig;

X509* ParseCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return x;
}

EVP_PKEY* ParseKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return k;
}

std::string CommonName(X509* x) {
  char buf[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, sizeof buf);
  return buf;
}

TEST(SprigCrypto, Digests) {
  Sprig s;
  EXPECT_EQ(s.Ok("sha1sum", {"abc"}), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(s.Ok("sha256sum", {"abc"}),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(s.Ok("sha512sum", {"abc"}),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c"
            "23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(s.Ok("adler32sum", {"abc"}), "38600999");
  EXPECT_EQ(s.Ok("adler32sum", {""}), "1");
}

TEST(SprigCrypto, DerivePasswordMatchesMasterPasswordVectors) {
  Sprig s;
  struct V {
    int counter;
    const char* type;
    const char* want;
  };
  for (V v : {V{1, "long", "ZedaFaxcZaso9*"}, V{2, "long", "Fovi2@JifpTupx"},
              V{1, "maximum", "pf4zS1LjCg&LjhsZ7T2~"}, V{1, "medium", "ZedJuz8$"},
              V{1, "basic", "pIS54PLs"}, V{1, "short", "Zed5"}, V{1, "pin", "6685"}}) {
    EXPECT_EQ(s.Ok("derivePassword", {v.counter, v.type, "password", "user", "example.com"}),
              v.want)
        << v.type << " " << v.counter;
  }
  EXPECT_EQ(s.Ok("derivePassword", {1, "nope", "password", "user", "example.com"}),
            "cannot find password template nope");
}

TEST(SprigCrypto, BcryptAndHtpasswdVerify) {
  Sprig s;
  std::string h = s.Ok("bcrypt", {"secret"}).get<std::string>();
  ASSERT_EQ(h.size(), 60u);
  EXPECT_EQ(h.substr(0, 7), "$2a$10$");
  crypt_data data;
  std::memset(&data, 0, sizeof data);
  EXPECT_EQ(std::string(crypt_r("secret", h.c_str(), &data)), h);
  std::memset(&data, 0, sizeof data);
  EXPECT_NE(std::string(crypt_r("wrong", h.c_str(), &data)), h);
  std::string line = s.Ok("htpasswd", {"myUser", "myPassword"}).get<std::string>();
  EXPECT_EQ(line.substr(0, 7), "myUser:");
  EXPECT_EQ(line.size(), 7u + 60u);
  EXPECT_EQ(s.Ok("htpasswd", {"my:user", "p"}), "invalid username: my:user");
}

TEST(SprigCrypto, PrivateKeysUseGosPemForms) {
  Sprig s;
  struct K {
    const char* type;
    const char* header;
  };
  for (K k : {K{"ecdsa", "-----BEGIN EC PRIVATE KEY-----\n"},
              K{"ed25519", "-----BEGIN PRIVATE KEY-----\n"},
              K{"rsa", "-----BEGIN RSA PRIVATE KEY-----\n"}}) {
    std::string pem = s.Ok("genPrivateKey", {k.type}).get<std::string>();
    EXPECT_TRUE(pem.starts_with(k.header)) << pem;
    EVP_PKEY* key = ParseKey(pem);
    ASSERT_NE(key, nullptr) << k.type;
    if (std::string(k.type) == "rsa") {
      EXPECT_EQ(EVP_PKEY_get_bits(key), 4096);
    }
    EVP_PKEY_free(key);
  }
  EXPECT_EQ(s.Ok("genPrivateKey", {"foo"}), "Unknown type foo");
}

TEST(SprigCrypto, CertificatesChainAndCarryTheTemplate) {
  Sprig s;
  Value ca = s.Ok("genCA", {"foo-ca", 365});
  ASSERT_TRUE(ca.is_object());
  EXPECT_EQ(GoTypeName(ca), "sprig.certificate");
  X509* cax = ParseCert(ca["Cert"].get<std::string>());
  ASSERT_NE(cax, nullptr);
  EXPECT_EQ(CommonName(cax), "foo-ca");
  EXPECT_EQ(X509_check_ca(cax), 1);
  EXPECT_NE(X509_get0_subject_key_id(cax), nullptr);

  Value cert = s.Ok("genSignedCert",
                    {"foo.com", List({"10.0.0.1", "::1"}), List({"bar.com", "bat.com"}), 30, ca});
  X509* x = ParseCert(cert["Cert"].get<std::string>());
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(CommonName(x), "foo.com");
  EXPECT_EQ(X509_check_ca(x), 0);
  EXPECT_EQ(X509_check_host(x, "bat.com", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(x, "10.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(x, "::1", 0), 1);
  EVP_PKEY* capub = X509_get_pubkey(cax);
  EXPECT_EQ(X509_verify(x, capub), 1);
  EXPECT_EQ(X509_check_issued(cax, x), X509_V_OK);
  EVP_PKEY_free(capub);
  // Validity: 30 days from now.
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x));
  EXPECT_EQ(days, 30);
  X509_free(x);

  Value self = s.Ok("genSelfSignedCert", {"self.com", nullptr, List({"self.com"}), 1});
  X509* sx = ParseCert(self["Cert"].get<std::string>());
  ASSERT_NE(sx, nullptr);
  EVP_PKEY* spub = X509_get_pubkey(sx);
  EXPECT_EQ(X509_verify(sx, spub), 1);
  EVP_PKEY_free(spub);
  X509_free(sx);

  // With a given key, the certificate carries that key.
  std::string key = s.Ok("genPrivateKey", {"ecdsa"}).get<std::string>();
  Value withkey = s.Ok("genCAWithKey", {"k-ca", 3, key});
  EXPECT_EQ(withkey["Key"], key);
  Value signedk = s.Ok("genSignedCertWithKey", {"k.com", List({}), List({}), 3, withkey, key});
  EXPECT_EQ(signedk["Key"], key);
  Value selfk = s.Ok("genSelfSignedCertWithKey", {"k.com", nullptr, nullptr, 3, key});
  EXPECT_EQ(selfk["Key"], key);

  // buildCustomCert round-trips base64 PEM.
  Value custom =
      s.Ok("buildCustomCert", {s.Ok("b64enc", {ca["Cert"]}), s.Ok("b64enc", {ca["Key"]})});
  EXPECT_EQ(custom, ca);
  X509_free(cax);
}

TEST(SprigCrypto, CertificateErrors) {
  Sprig s;
  EXPECT_EQ(s.Err("genCAWithKey", {"x", 1, "nope"}), "parsing private key: no PEM data in input");
  EXPECT_EQ(s.Err("genSelfSignedCert", {"x", List({"nope"}), nullptr, 1}),
            "error parsing ip: nope");
  EXPECT_EQ(s.Err("genSelfSignedCert", {"x", List({1}), nullptr, 1}),
            "error parsing ip: 1 is not a string");
  EXPECT_EQ(s.Err("buildCustomCert", {"!!", "x"}), "unable to decode base64 certificate");
  EXPECT_EQ(s.Err("buildCustomCert", {"eHg=", "eHg="}), "unable to decode certificate");
  EXPECT_EQ(s.Err("genSignedCert", {"x", nullptr, nullptr, 1, "ca"}),
            "wrong type for value; expected sprig.certificate; got string");
}

TEST(SprigCrypto, AesRoundTripsAndUuidsAreV4) {
  Sprig s;
  std::string enc = s.Ok("encryptAES", {"secretkey", "plaintext"}).get<std::string>();
  EXPECT_EQ(s.Ok("decryptAES", {"secretkey", enc}), "plaintext");
  EXPECT_NE(s.Ok("encryptAES", {"secretkey", "plaintext"}), enc);  // random IV
  EXPECT_EQ(s.Ok("encryptAES", {"k", ""}), "");
  EXPECT_EQ(s.Ok("decryptAES", {"k", ""}), "");
  // A 16-byte block of plaintext gains a full padding block: IV + 2 blocks.
  std::string enc16 = s.Ok("encryptAES", {"k", "0123456789abcdef"}).get<std::string>();
  EXPECT_EQ(s.Ok("b64dec", {enc16}).get<std::string>().size(), 48u);
  EXPECT_EQ(s.Ok("decryptAES", {"k", enc16}), "0123456789abcdef");
  std::string u = s.Ok("uuidv4", {}).get<std::string>();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos);
  EXPECT_NE(s.Ok("uuidv4", {}), u);
  EXPECT_EQ(s.Ok("b64dec", {s.Ok("randBytes", {12})}).get<std::string>().size(), 12u);
}

}  // namespace
}  // namespace keelson::charts
