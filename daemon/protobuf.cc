// Kubernetes protobuf decoding for a few built-in kinds.
#include "daemon/protobuf.h"
#include "api/base64.h"

#include <cstdint>
#include <functional>
#include <optional>

namespace keelson::daemon {
namespace {

using api::Json;

// A protobuf wire-format reader over one message.
class Reader {
 public:
  explicit Reader(std::string_view data) : d_(data) {}
  bool done() const { return pos_ >= d_.size(); }

  // Reads the next field: its number, wire type, and either a varint or a length-delimited
  // payload. False on malformed input.
  bool Next(uint32_t& field, uint32_t& wire, uint64_t& varint, std::string_view& bytes) {
    uint64_t key;
    if (!Varint(key)) return false;
    field = static_cast<uint32_t>(key >> 3);
    wire = static_cast<uint32_t>(key & 7);
    switch (wire) {
      case 0:
        return Varint(varint);
      case 1:
        if (pos_ + 8 > d_.size()) return false;
        pos_ += 8;
        return true;
      case 2: {
        uint64_t len;
        if (!Varint(len) || len > d_.size() - pos_) return false;
        bytes = d_.substr(pos_, len);
        pos_ += len;
        return true;
      }
      case 5:
        if (pos_ + 4 > d_.size()) return false;
        pos_ += 4;
        return true;
      default:
        return false;
    }
  }

 private:
  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= d_.size()) return false;
      uint8_t b = static_cast<uint8_t>(d_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }

  std::string_view d_;
  size_t pos_ = 0;
};

using FieldFn = std::function<bool(uint32_t field, uint32_t wire, uint64_t v, std::string_view b)>;

bool Walk(std::string_view msg, const FieldFn& fn) {
  Reader r(msg);
  while (!r.done()) {
    uint32_t f, w;
    uint64_t v = 0;
    std::string_view b;
    if (!r.Next(f, w, v, b)) return false;
    if (!fn(f, w, v, b)) return false;
  }
  return true;
}

// A map<string, string|bytes> entry (key = 1, value = 2).
bool MapEntry(std::string_view entry, Json& into, bool bytes_value) {
  std::string key, value;
  bool ok = Walk(entry, [&](uint32_t f, uint32_t w, uint64_t, std::string_view b) {
    if (w != 2) return true;
    if (f == 1) key = std::string(b);
    if (f == 2) value = std::string(b);
    return true;
  });
  if (!ok) return false;
  into[key] = bytes_value ? api::Base64Encode(value) : value;
  return true;
}

std::optional<std::string> Timestamp(std::string_view msg) {
  int64_t seconds = 0;
  if (!Walk(msg, [&](uint32_t f, uint32_t w, uint64_t v, std::string_view) {
        if (f == 1 && w == 0) seconds = static_cast<int64_t>(v);
        return true;
      })) {
    return std::nullopt;
  }
  if (seconds == 0) return std::nullopt;
  return api::FormatTime(seconds);
}

bool OwnerRef(std::string_view msg, Json& out) {
  out = Json::object();
  return Walk(msg, [&](uint32_t f, uint32_t w, uint64_t v, std::string_view b) {
    switch (f) {
      case 1:
        out["kind"] = std::string(b);
        break;
      case 3:
        out["name"] = std::string(b);
        break;
      case 4:
        out["uid"] = std::string(b);
        break;
      case 5:
        out["apiVersion"] = std::string(b);
        break;
      case 6:
        if (w == 0) out["controller"] = v != 0;
        break;
      case 7:
        if (w == 0) out["blockOwnerDeletion"] = v != 0;
        break;
      default:
        break;
    }
    return true;
  });
}

bool ObjectMeta(std::string_view msg, Json& m) {
  m = Json::object();
  const char* strings[] = {nullptr,    "name", "generateName",   "namespace",
                           "selfLink", "uid",  "resourceVersion"};
  return Walk(msg, [&](uint32_t f, uint32_t w, uint64_t v, std::string_view b) {
    if (f >= 1 && f <= 6 && w == 2) {
      if (!b.empty() && f != 4) m[strings[f]] = std::string(b);
      return true;
    }
    switch (f) {
      case 7:
        if (w == 0 && v != 0) m["generation"] = static_cast<int64_t>(v);
        return true;
      case 8:
      case 9: {
        if (w != 2) return true;
        auto t = Timestamp(b);
        if (t) m[f == 8 ? "creationTimestamp" : "deletionTimestamp"] = *t;
        return true;
      }
      case 10:
        if (w == 0) m["deletionGracePeriodSeconds"] = static_cast<int64_t>(v);
        return true;
      case 11:
      case 12:
        return w == 2 && MapEntry(b, m[f == 11 ? "labels" : "annotations"], false);
      case 13: {
        Json ref;
        if (w != 2 || !OwnerRef(b, ref)) return false;
        m["ownerReferences"].push_back(ref);
        return true;
      }
      case 14:
        if (w == 2) m["finalizers"].push_back(std::string(b));
        return true;
      default:
        return true;  // managedFields and anything newer: ignored
    }
  });
}

api::Error Malformed(std::string_view kind) {
  return api::BadRequest("protobuf body: malformed " + std::string(kind) + " message");
}

api::Result<Json> DecodeKind(const std::string& kind, std::string_view raw) {
  Json obj = Json::object();
  bool ok = true;
  if (kind == "ConfigMap" || kind == "Secret") {
    bool secret = kind == "Secret";
    ok = Walk(raw, [&](uint32_t f, uint32_t w, uint64_t v, std::string_view b) {
      if (f == 1 && w == 2) return ObjectMeta(b, obj["metadata"]);
      if (f == 2 && w == 2) return MapEntry(b, obj["data"], secret);
      if (!secret && f == 3 && w == 2) return MapEntry(b, obj["binaryData"], true);
      if (!secret && f == 4 && w == 0) obj["immutable"] = v != 0;
      if (secret && f == 3 && w == 2 && !b.empty()) obj["type"] = std::string(b);
      if (secret && f == 4 && w == 2) return MapEntry(b, obj["stringData"], false);
      if (secret && f == 5 && w == 0) obj["immutable"] = v != 0;
      return true;
    });
  } else if (kind == "Namespace") {
    ok = Walk(raw, [&](uint32_t f, uint32_t w, uint64_t, std::string_view b) {
      if (f == 1 && w == 2) return ObjectMeta(b, obj["metadata"]);
      if (f == 2 && w == 2) {
        Json spec = Json::object();
        bool r = Walk(b, [&](uint32_t sf, uint32_t sw, uint64_t, std::string_view sb) {
          if (sf == 1 && sw == 2) spec["finalizers"].push_back(std::string(sb));
          return true;
        });
        if (!spec.empty()) obj["spec"] = spec;
        return r;
      }
      return true;
    });
  } else if (kind == "ServiceAccount") {
    ok = Walk(raw, [&](uint32_t f, uint32_t w, uint64_t v, std::string_view b) {
      if (f == 1 && w == 2) return ObjectMeta(b, obj["metadata"]);
      if ((f == 2 || f == 3) && w == 2) {
        Json ref = Json::object();
        const char* names[] = {nullptr, "kind",       "namespace",       "name",
                               "uid",   "apiVersion", "resourceVersion", "fieldPath"};
        bool r = Walk(b, [&](uint32_t rf, uint32_t rw, uint64_t, std::string_view rb) {
          if (rw == 2 && !rb.empty()) {
            if (f == 3 && rf == 1) ref["name"] = std::string(rb);
            if (f == 2 && rf >= 1 && rf <= 7) ref[names[rf]] = std::string(rb);
          }
          return true;
        });
        obj[f == 2 ? "secrets" : "imagePullSecrets"].push_back(ref);
        return r;
      }
      if (f == 4 && w == 0) obj["automountServiceAccountToken"] = v != 0;
      return true;
    });
  } else {
    return std::unexpected(api::MakeError(
        api::Reason::kUnsupportedMediaType,
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml (protobuf is accepted for ConfigMap, Secret, "
        "Namespace and ServiceAccount only, not " +
            kind + ")"));
  }
  if (!ok) return std::unexpected(Malformed(kind));
  return obj;
}

}  // namespace

api::Result<Json> DecodeProtobufObject(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) {
    return std::unexpected(api::BadRequest("protobuf body: missing the k8s envelope prefix"));
  }
  std::string api_version, kind;
  std::string_view raw;
  bool ok = Walk(body.substr(4), [&](uint32_t f, uint32_t w, uint64_t, std::string_view b) {
    if (w != 2) return true;
    if (f == 1) {
      return Walk(b, [&](uint32_t tf, uint32_t tw, uint64_t, std::string_view tb) {
        if (tw == 2 && tf == 1) api_version = std::string(tb);
        if (tw == 2 && tf == 2) kind = std::string(tb);
        return true;
      });
    }
    if (f == 2) raw = b;
    return true;
  });
  if (!ok) return std::unexpected(api::BadRequest("protobuf body: malformed envelope"));
  auto obj = DecodeKind(kind, raw);
  if (!obj) return obj;
  Json out = {{"apiVersion", api_version}, {"kind", kind}};
  for (auto& [k, v] : obj->items()) out[k] = std::move(v);
  return out;
}

}  // namespace keelson::daemon
