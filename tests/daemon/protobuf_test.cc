// Tests for decoding kubectl's protobuf request bodies.
#include <gtest/gtest.h>

#include "daemon/protobuf.h"

namespace keelson::daemon {
namespace {

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}
std::string Bytes(uint32_t field, std::string_view payload) {
  return Varint((field << 3) | 2) + Varint(payload.size()) + std::string(payload);
}
std::string Int(uint32_t field, uint64_t v) { return Varint(field << 3) + Varint(v); }
std::string Entry(uint32_t field, std::string_view k, std::string_view v) {
  return Bytes(field, Bytes(1, k) + Bytes(2, v));
}
std::string Envelope(std::string_view api_version, std::string_view kind, std::string_view raw) {
  std::string type_meta = Bytes(1, api_version) + Bytes(2, kind);
  return std::string("k8s\0", 4) + Bytes(1, type_meta) + Bytes(2, raw) + Bytes(3, "") +
         Bytes(4, "");
}

TEST(Protobuf, DecodesKubectlCreateConfigMap) {
  std::string meta = Bytes(1, "lit") + Bytes(2, "") + Bytes(3, "default") + Int(7, 0) +
                     Bytes(8, "") + Entry(11, "app", "web");
  std::string cm = Bytes(1, meta) + Entry(2, "a", "1") + Entry(2, "b", "two");
  auto j = DecodeProtobufObject(Envelope("v1", "ConfigMap", cm));
  ASSERT_TRUE(j) << j.error().message;
  EXPECT_EQ((*j)["apiVersion"], "v1");
  EXPECT_EQ((*j)["kind"], "ConfigMap");
  EXPECT_EQ((*j)["metadata"],
            api::Json({{"name", "lit"}, {"namespace", "default"}, {"labels", {{"app", "web"}}}}));
  EXPECT_EQ((*j)["data"], api::Json({{"a", "1"}, {"b", "two"}}));
}

TEST(Protobuf, SecretDataBecomesBase64) {
  std::string secret = Bytes(1, Bytes(1, "s")) + Entry(2, "pw", "hunter2") + Bytes(3, "Opaque");
  auto j = DecodeProtobufObject(Envelope("v1", "Secret", secret));
  ASSERT_TRUE(j) << j.error().message;
  EXPECT_EQ((*j)["data"]["pw"], "aHVudGVyMg==");
  EXPECT_EQ((*j)["type"], "Opaque");
}

TEST(Protobuf, UnsupportedKindIs415) {
  auto j = DecodeProtobufObject(Envelope("apps/v1", "Deployment", Bytes(1, Bytes(1, "d"))));
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().HttpCode(), 415);
}

TEST(Protobuf, TruncatedMessageIs400) {
  std::string body = Envelope("v1", "ConfigMap", Bytes(1, Bytes(1, "x")));
  body.resize(body.size() - 6);
  auto j = DecodeProtobufObject(body);
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().HttpCode(), 400);
}

}  // namespace
}  // namespace keelson::daemon
