// Conformance tests for Sprig's encoding, path and URL functions (ported from Sprig's
// strings_test.go, url_test.go and Go's path tests).
#include "tests/charts/sprig_testing.h"

namespace keelson::charts {
namespace {

using testing::Sprig;

TEST(SprigEncoding, Base64AndBase32) {
  Sprig s;
  EXPECT_EQ(s.Ok("b64enc", {"coffee"}), "Y29mZmVl");
  EXPECT_EQ(s.Ok("b64dec", {"Y29mZmVl"}), "coffee");
  EXPECT_EQ(s.Ok("b64enc", {"a"}), "YQ==");
  EXPECT_EQ(s.Ok("b64dec", {"YQ=="}), "a");
  EXPECT_EQ(s.Ok("b64dec", {"YWI="}), "ab");
  EXPECT_EQ(s.Ok("b64dec", {"Y29m\nZmVl"}), "coffee");
  EXPECT_EQ(s.Ok("b64dec", {"Y29mZ!Vl"}), "illegal base64 data at input byte 5");
  EXPECT_EQ(s.Ok("b64dec", {"YQ"}), "illegal base64 data at input byte 2");
  EXPECT_EQ(s.Ok("b32enc", {"coffee"}), "MNXWMZTFMU======");
  EXPECT_EQ(s.Ok("b32dec", {"MNXWMZTFMU======"}), "coffee");
  EXPECT_EQ(s.Ok("b32dec", {"M1"}), "illegal base32 data at input byte 2");
}

TEST(SprigPaths, GoPathSemantics) {
  Sprig s;
  for (const char* pre : {"", "os"}) {
    auto fn = [&](std::string n) {
      if (*pre == 0) return n;
      n[0] = static_cast<char>(std::toupper(n[0]));
      return std::string(pre) + n;
    };
    EXPECT_EQ(s.Ok(fn("base"), {"foo/bar"}), "bar");
    EXPECT_EQ(s.Ok(fn("base"), {"foo/bar/"}), "bar");
    EXPECT_EQ(s.Ok(fn("base"), {""}), ".");
    EXPECT_EQ(s.Ok(fn("base"), {"///"}), "/");
    EXPECT_EQ(s.Ok(fn("dir"), {"foo/bar/baz"}), "foo/bar");
    EXPECT_EQ(s.Ok(fn("dir"), {"foo"}), ".");
    EXPECT_EQ(s.Ok(fn("dir"), {"/foo"}), "/");
    EXPECT_EQ(s.Ok(fn("clean"), {"foo/../bar"}), "bar");
    EXPECT_EQ(s.Ok(fn("clean"), {"/../a//b/./c/"}), "/a/b/c");
    EXPECT_EQ(s.Ok(fn("clean"), {"../../x"}), "../../x");
    EXPECT_EQ(s.Ok(fn("clean"), {""}), ".");
    EXPECT_EQ(s.Ok(fn("ext"), {"foo.bar"}), ".bar");
    EXPECT_EQ(s.Ok(fn("ext"), {"a.b/c"}), "");
    EXPECT_EQ(s.Ok(fn("isAbs"), {"/foo"}), true);
    EXPECT_EQ(s.Ok(fn("isAbs"), {"foo"}), false);
  }
}

TEST(SprigUrl, ParseAndJoin) {
  Sprig s;
  Value d = s.Ok("urlParse", {"proto://auth@host:80/path?query#fragment"});
  EXPECT_EQ(d, (Value{{"fragment", "fragment"},
                      {"host", "host:80"},
                      {"hostname", "host"},
                      {"opaque", ""},
                      {"path", "/path"},
                      {"query", "query"},
                      {"scheme", "proto"},
                      {"userinfo", "auth"}}));
  EXPECT_EQ(s.Ok("urlJoin", {d}), "proto://auth@host:80/path?query#fragment");
  EXPECT_EQ(s.Ok("urlJoin", {Value{{"host", "host:80"},
                                   {"path", "/path"},
                                   {"query", "query"},
                                   {"scheme", "proto"},
                                   {"fragment", "frag ment"}}}),
            "proto://host:80/path?query#frag%20ment");
  EXPECT_EQ(s.Ok("urlJoin", {Value{{"scheme", "mailto"}, {"opaque", "a@b.c"}}}), "mailto:a@b.c");
  EXPECT_EQ(s.Ok("urlJoin", {Value{{"path", "a b"}, {"userinfo", "u:p%40ss"}, {"host", "h"}}}),
            "//u:p%40ss@h/a%20b");
  EXPECT_EQ(s.Ok("urlParse", {"/a%20b"})["path"], "/a b");
  EXPECT_EQ(s.Err("urlParse", {"http://a b.com/"}),
            "unable to parse url: parse \"http://a b.com/\": invalid character \" \" in host name");
  EXPECT_EQ(s.Err("urlJoin", {Value{{"host", 1}}}),
            "unable to parse host key, must be of type string, but int found");
}

TEST(SprigNetwork, ResolvesLocalhostWithoutLeavingTheMachine) {
  Sprig s;
  std::string ip = s.Ok("getHostByName", {"localhost"}).get<std::string>();
  EXPECT_TRUE(ip == "127.0.0.1" || ip == "::1") << ip;
}

}  // namespace
}  // namespace keelson::charts
