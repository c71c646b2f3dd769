// sigs.k8s.io/yaml + go-yaml v2 + encoding/json behaviour over template values (see yaml.h).
#include "charts/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <regex>
#include <sstream>

#include "api/base64.h"
#include "api/goyaml.h"
#include "charts/gofmt.h"

namespace keelson::charts {
namespace {

// ---------- go-yaml v2 plain scalar resolution ----------

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// strconv.ParseInt/ParseUint(s, 0, 64) (no underscores: callers strip them).
bool ParseIntBase0(std::string_view s, int64_t* iv, uint64_t* uv, bool* is_unsigned) {
  bool neg = false;
  std::string_view t = s;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  if (t.empty()) return false;
  int base = 10;
  if (t.size() > 1 && t[0] == '0') {
    char p = t[1] | 0x20;
    if (p == 'x') {
      base = 16;
      t.remove_prefix(2);
    } else if (p == 'o') {
      base = 8;
      t.remove_prefix(2);
    } else if (p == 'b') {
      base = 2;
      t.remove_prefix(2);
    } else {
      base = 8;
      t.remove_prefix(1);
    }
    if (t.empty()) return false;
  }
  unsigned __int128 v = 0;
  for (char c : t) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      d = (c | 0x20) - 'a' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    v = v * base + d;
    if (v > (static_cast<unsigned __int128>(1) << 65)) return false;
  }
  if (neg) {
    if (v > static_cast<unsigned __int128>(INT64_MAX) + 1) return false;
    *iv = static_cast<int64_t>(-static_cast<__int128>(v));
    *is_unsigned = false;
    return true;
  }
  if (v <= INT64_MAX) {
    *iv = static_cast<int64_t>(v);
    *is_unsigned = false;
    return true;
  }
  if (v <= UINT64_MAX) {
    *uv = static_cast<uint64_t>(v);
    *is_unsigned = true;
    return true;
  }
  return false;
}

bool YamlStyleFloat(std::string_view s) {
  static const std::regex re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  return std::regex_match(s.begin(), s.end(), re);
}

// go-yaml's parseTimestamp over its allowed formats.
bool IsTimestamp(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i != 4 || i == s.size() || s[i] != '-') return false;
  static const std::regex date(R"(^\d{4}-\d{1,2}-\d{1,2}$)");
  static const std::regex dt(
      R"(^\d{4}-\d{1,2}-\d{1,2}[Tt ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$)");
  if (!std::regex_match(s.begin(), s.end(), date) && !std::regex_match(s.begin(), s.end(), dt)) {
    return false;
  }
  int y = 0, mo = 0, d = 0;
  if (sscanf(std::string(s).c_str(), "%d-%d-%d", &y, &mo, &d) != 3) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d > days[mo - 1]) return false;
  if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
  return true;
}

enum class Tag { kStr, kBool, kNull, kInt, kFloat, kTimestamp, kMerge };

struct Resolved {
  Tag tag = Tag::kStr;
  Value value;
};

// go-yaml v2 resolve("", s) for a plain scalar.
Resolved Resolve(std::string_view in) {
  Resolved r;
  char h = in.empty() ? 'N' : in[0];
  bool hinted = in.empty() || h == '+' || h == '-' || IsDigit(h) || h == '.' ||
                std::strchr("yYnNtTfFoO~<", h) != nullptr;
  if (!hinted) {
    r.value = std::string(in);
    return r;
  }
  static const std::map<std::string_view, std::pair<Tag, int>> kMap = {
      {"y", {Tag::kBool, 1}},      {"Y", {Tag::kBool, 1}},      {"yes", {Tag::kBool, 1}},
      {"Yes", {Tag::kBool, 1}},    {"YES", {Tag::kBool, 1}},    {"on", {Tag::kBool, 1}},
      {"On", {Tag::kBool, 1}},     {"ON", {Tag::kBool, 1}},     {"true", {Tag::kBool, 1}},
      {"True", {Tag::kBool, 1}},   {"TRUE", {Tag::kBool, 1}},   {"n", {Tag::kBool, 0}},
      {"N", {Tag::kBool, 0}},      {"no", {Tag::kBool, 0}},     {"No", {Tag::kBool, 0}},
      {"NO", {Tag::kBool, 0}},     {"off", {Tag::kBool, 0}},    {"Off", {Tag::kBool, 0}},
      {"OFF", {Tag::kBool, 0}},    {"false", {Tag::kBool, 0}},  {"False", {Tag::kBool, 0}},
      {"FALSE", {Tag::kBool, 0}},  {"", {Tag::kNull, 0}},       {"~", {Tag::kNull, 0}},
      {"null", {Tag::kNull, 0}},   {"Null", {Tag::kNull, 0}},   {"NULL", {Tag::kNull, 0}},
      {".nan", {Tag::kFloat, 2}},  {".NaN", {Tag::kFloat, 2}},  {".NAN", {Tag::kFloat, 2}},
      {".inf", {Tag::kFloat, 3}},  {".Inf", {Tag::kFloat, 3}},  {".INF", {Tag::kFloat, 3}},
      {"+.inf", {Tag::kFloat, 3}}, {"+.Inf", {Tag::kFloat, 3}}, {"+.INF", {Tag::kFloat, 3}},
      {"-.inf", {Tag::kFloat, 4}}, {"-.Inf", {Tag::kFloat, 4}}, {"-.INF", {Tag::kFloat, 4}},
      {"<<", {Tag::kMerge, 0}},
  };
  auto it = kMap.find(in);
  if (it != kMap.end()) {
    r.tag = it->second.first;
    switch (r.tag) {
      case Tag::kBool:
        r.value = it->second.second == 1;
        break;
      case Tag::kNull:
        r.value = nullptr;
        break;
      case Tag::kFloat:
        r.value = it->second.second == 2   ? std::nan("")
                  : it->second.second == 3 ? std::numeric_limits<double>::infinity()
                                           : -std::numeric_limits<double>::infinity();
        break;
      default:
        r.value = std::string(in);
    }
    return r;
  }
  if (h == '.') {
    char* end = nullptr;
    std::string s(in);
    double f = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size() && YamlStyleFloat(s)) {
      r.tag = Tag::kFloat;
      r.value = f;
      return r;
    }
  } else if (h == '+' || h == '-' || IsDigit(h)) {
    if (IsTimestamp(in)) {
      r.tag = Tag::kTimestamp;
      r.value = std::string(in);
      return r;
    }
    std::string plain;
    for (char c : in)
      if (c != '_') plain += c;
    int64_t iv;
    uint64_t uv;
    bool is_unsigned;
    if (ParseIntBase0(plain, &iv, &uv, &is_unsigned)) {
      r.tag = Tag::kInt;
      r.value = is_unsigned ? Value(uv) : Value(iv);
      return r;
    }
    if (YamlStyleFloat(plain)) {
      errno = 0;
      double f = std::strtod(plain.c_str(), nullptr);
      if (!std::isinf(f)) {
        r.tag = Tag::kFloat;
        r.value = f;
        return r;
      }
    }
  }
  r.value = std::string(in);
  return r;
}

// ---------- encoding/json ----------

std::string JsonFloat(double f) {
  double a = std::fabs(f);
  char fmt = 'f';
  if (a != 0 && (a < 1e-6 || a >= 1e21)) fmt = 'e';
  std::string b = FormatFloat(f, fmt, -1);
  if (fmt == 'e') {
    size_t n = b.size();
    if (n >= 4 && b[n - 4] == 'e' && b[n - 3] == '-' && b[n - 2] == '0') {
      b[n - 2] = b[n - 1];
      b.pop_back();
    }
  }
  return b;
}

void JsonString(std::string& out, std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
        out += static_cast<char>(c);
        ++i;
        continue;
      }
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xF];
      }
      ++i;
      continue;
    }
    // Validate UTF-8; invalid bytes become U+FFFD.
    size_t w = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = w > 0 && i + w <= s.size();
    uint32_t r = 0;
    if (ok) {
      r = c & (w == 2 ? 0x1F : w == 3 ? 0x0F : 0x07);
      for (size_t k = 1; k < w; ++k) {
        unsigned char cc = s[i + k];
        if ((cc & 0xC0) != 0x80) {
          ok = false;
          break;
        }
        r = (r << 6) | (cc & 0x3F);
      }
      if (ok && ((w == 2 && r < 0x80) || (w == 3 && r < 0x800) || (w == 4 && r < 0x10000) ||
                 r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))) {
        ok = false;
      }
    }
    if (!ok) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (r == 0x2028 || r == 0x2029) {
      out += r == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, w));
    }
    i += w;
  }
  out += '"';
}

bool JsonEncode(std::string& out, const Value& v, std::string* err) {
  switch (v.type()) {
    case Value::value_t::null:
      out += "null";
      return true;
    case Value::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return true;
    case Value::value_t::number_integer:
      out += std::to_string(v.get<int64_t>());
      return true;
    case Value::value_t::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return true;
    case Value::value_t::number_float: {
      double f = v.get<double>();
      if (std::isnan(f) || std::isinf(f)) {
        *err = "json: unsupported value: " + FormatFloat(f, 'g', -1);
        return false;
      }
      out += JsonFloat(f);
      return true;
    }
    case Value::value_t::string:
      JsonString(out, v.get_ref<const std::string&>());
      return true;
    case Value::value_t::binary: {
      std::string s(v.get_binary().begin(), v.get_binary().end());
      JsonString(out, api::Base64Encode(s));
      return true;
    }
    case Value::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        if (!JsonEncode(out, e, err)) return false;
      }
      out += ']';
      return true;
    }
    case Value::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it.key() == kGoTypeKey) continue;
        if (!first) out += ',';
        first = false;
        JsonString(out, it.key());
        out += ':';
        if (!JsonEncode(out, it.value(), err)) return false;
      }
      out += '}';
      return true;
    }
    default:
      out += "null";
      return true;
  }
}

// ---------- sigs.k8s.io/yaml.Marshal: JSON round trip, then go-yaml's encoder ----------

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t w = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (w == 0 || i + w > s.size()) return false;
    uint32_t r = c & (w == 2 ? 0x1F : w == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < w; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      r = (r << 6) | (cc & 0x3F);
    }
    if ((w == 2 && r < 0x80) || (w == 3 && r < 0x800) || (w == 4 && r < 0x10000) || r > 0x10FFFF ||
        (r >= 0xD800 && r <= 0xDFFF)) {
      return false;
    }
    i += w;
  }
  return true;
}

// What the JSON round trip changes before go-yaml sees a value: invalid UTF-8 becomes U+FFFD,
// []byte becomes base64 text, Go-type markers are not data. Returns whether `v` holds any of
// these; NaN and Inf (which JSON cannot encode) set `err`.
bool NeedsJsonRoundTrip(const Value& v, std::string* err) {
  switch (v.type()) {
    case Value::value_t::number_float: {
      double f = v.get<double>();
      if (std::isnan(f) || std::isinf(f)) {
        *err = "json: unsupported value: " + FormatFloat(f, 'g', -1);
        return true;
      }
      return false;
    }
    case Value::value_t::string:
      return !ValidUtf8(v.get_ref<const std::string&>());
    case Value::value_t::binary:
      return true;
    case Value::value_t::array:
      for (const auto& e : v)
        if (NeedsJsonRoundTrip(e, err)) return true;
      return false;
    case Value::value_t::object:
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it.key() == kGoTypeKey || !ValidUtf8(it.key())) return true;
        if (NeedsJsonRoundTrip(it.value(), err)) return true;
      }
      return false;
    default:
      return false;
  }
}

std::string JsonRoundTripString(std::string_view s) {
  std::string js;
  JsonString(js, s);
  return Value::parse(js).get<std::string>();
}

// The value after the JSON round trip (see NeedsJsonRoundTrip).
Value JsonRoundTrip(const Value& v) {
  switch (v.type()) {
    case Value::value_t::string:
      return JsonRoundTripString(v.get_ref<const std::string&>());
    case Value::value_t::binary: {
      const auto& b = v.get_binary();
      return api::Base64Encode(std::string(b.begin(), b.end()));
    }
    case Value::value_t::array: {
      Value out = Value::array();
      for (const auto& e : v) out.push_back(JsonRoundTrip(e));
      return out;
    }
    case Value::value_t::object: {
      Value out = Value::object();
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it.key() == kGoTypeKey) continue;
        out[JsonRoundTripString(it.key())] = JsonRoundTrip(it.value());
      }
      return out;
    }
    default:
      return v;
  }
}

// ---------- YAML decoding (yaml-cpp events as sigs.k8s.io/yaml sees them) ----------

std::string YamlError(const YAML::Exception& e) {
  std::string msg = e.msg;
  return "error converting YAML to JSON: yaml: line " + std::to_string(e.mark.line + 1) + ": " +
         msg;
}

// yaml-cpp 0.7 reports documents forever, consuming nothing, on some malformed input
// (", {b: c}]\nd: x"): true if the stream's documents end (never more documents than bytes).
// Throws YAML::Exception for syntax errors, as LoadAll would.
bool DocumentsTerminate(std::string_view text) {
  struct Counter : YAML::EventHandler {
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  } counter;
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  size_t documents = 0;
  while (parser.HandleNextDocument(counter)) {
    if (++documents > text.size() + 1) return false;
  }
  return true;
}

// Converts a yaml-cpp node into the JSON form (numbers → float64). Depth-limited.
bool Convert(const YAML::Node& n, Value* out, std::string* err, int depth) {
  if (depth > 1000) {
    *err = "error converting YAML to JSON: yaml: exceeded max depth of 1000";
    return false;
  }
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      *out = nullptr;
      return true;
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str" || n.Tag() == "!!str") {
        *out = s;
        return true;
      }
      if (n.Tag() != "?" && !n.Tag().empty()) {
        // explicit tags: !!int, !!float, !!bool, !!null; anything else keeps the text
        const std::string& t = n.Tag();
        Resolved r = Resolve(s);
        if ((t.ends_with(":int") || t.ends_with(":float")) &&
            (r.tag == Tag::kInt || r.tag == Tag::kFloat)) {
          *out = r.value.is_number() ? r.value.get<double>() : 0.0;
          return true;
        }
        if (t.ends_with(":bool") && r.tag == Tag::kBool) {
          *out = r.value;
          return true;
        }
        if (t.ends_with(":null")) {
          *out = nullptr;
          return true;
        }
        *out = s;
        return true;
      }
      Resolved r = Resolve(s);
      switch (r.tag) {
        case Tag::kInt:
          *out = r.value.is_number_unsigned() ? static_cast<double>(r.value.get<uint64_t>())
                                              : static_cast<double>(r.value.get<int64_t>());
          return true;
        case Tag::kFloat: {
          double f = r.value.get<double>();
          if (std::isnan(f) || std::isinf(f)) {
            *err = "error converting YAML to JSON: json: unsupported value: " +
                   FormatFloat(f, 'g', -1);
            return false;
          }
          *out = f;
          return true;
        }
        case Tag::kBool:
        case Tag::kNull:
          *out = r.value;
          return true;
        default:
          *out = s;
          return true;
      }
    }
    case YAML::NodeType::Sequence: {
      *out = Value::array();
      for (const auto& e : n) {
        Value v;
        if (!Convert(e, &v, err, depth + 1)) return false;
        out->push_back(std::move(v));
      }
      return true;
    }
    case YAML::NodeType::Map: {
      *out = Value::object();
      for (const auto& kv : n) {
        std::string key;
        const YAML::Node& k = kv.first;
        if (k.IsScalar()) {
          if (k.Tag() == "!") {
            key = k.Scalar();
          } else {
            Resolved r = Resolve(k.Scalar());
            if (r.tag == Tag::kMerge) {
              // merge key: merge the referenced mapping(s) without overriding
              Value merged;
              if (!Convert(kv.second, &merged, err, depth + 1)) return false;
              auto merge_one = [&](const Value& m) {
                if (!m.is_object()) return;
                for (auto it = m.begin(); it != m.end(); ++it) {
                  if (!out->contains(it.key())) (*out)[it.key()] = it.value();
                }
              };
              if (merged.is_array()) {
                for (const auto& m : merged) merge_one(m);
              } else {
                merge_one(merged);
              }
              continue;
            }
            if (r.tag == Tag::kNull) {
              key = "null";
            } else if (r.tag == Tag::kBool) {
              key = r.value.get<bool>() ? "true" : "false";
            } else if (r.tag == Tag::kInt) {
              key = r.value.is_number_unsigned() ? std::to_string(r.value.get<uint64_t>())
                                                 : std::to_string(r.value.get<int64_t>());
            } else if (r.tag == Tag::kFloat) {
              key = FormatFloat(r.value.get<double>(), 'g', -1);
            } else {
              key = k.Scalar();
            }
          }
        } else {
          *err = "error converting YAML to JSON: yaml: invalid map key";
          return false;
        }
        Value v;
        if (!Convert(kv.second, &v, err, depth + 1)) return false;
        (*out)[key] = std::move(v);
      }
      return true;
    }
  }
  *out = nullptr;
  return true;
}

}  // namespace

std::expected<std::string, std::string> GoYamlMarshal(const Value& v) {
  // Helm's toYaml is go-yaml's encoder over the JSON form of the value: map keys sorted as
  // go-yaml sorts Go maps, floats printed with float64 precision.
  static const api::GoYamlOptions kHelm{
      .sort_keys = true, .float_bits = 64, .mark_open_ended = true};
  std::string err;
  if (!NeedsJsonRoundTrip(v, &err)) return api::EncodeGoYaml(v, kHelm);
  if (!err.empty()) return std::unexpected("error marshaling into JSON: " + err);
  return api::EncodeGoYaml(JsonRoundTrip(v), kHelm);
}

std::expected<std::string, std::string> GoJsonMarshal(const Value& v) {
  std::string out, err;
  if (!JsonEncode(out, v, &err)) return std::unexpected(err);
  return out;
}

std::expected<Value, std::string> DecodeYamlValues(std::string_view text) {
  try {
    // go-yaml's Unmarshal reads the first document only (and yaml-cpp's LoadAll can loop forever
    // on malformed input, see DocumentsTerminate).
    YAML::Node doc = YAML::Load(std::string(text));
    if (!doc.IsDefined()) return Value();
    Value out;
    std::string err;
    if (!Convert(doc, &out, &err, 0)) return std::unexpected(err);
    return out;
  } catch (const YAML::Exception& e) {
    return std::unexpected(YamlError(e));
  } catch (const std::exception& e) {
    return std::unexpected(std::string("error converting YAML to JSON: ") + e.what());
  }
}

std::expected<std::vector<Value>, std::string> DecodeYamlStreamValues(std::string_view text) {
  try {
    if (!DocumentsTerminate(text)) {
      return std::unexpected(
          "error converting YAML to JSON: yaml: did not find expected node content");
    }
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    std::vector<Value> out;
    for (const auto& d : docs) {
      if (d.IsNull() || !d.IsDefined()) continue;
      Value v;
      std::string err;
      if (!Convert(d, &v, &err, 0)) return std::unexpected(err);
      out.push_back(std::move(v));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return std::unexpected(YamlError(e));
  }
}

std::expected<ManifestHead, std::string> DecodeManifestHead(std::string_view doc) {
  ManifestHead h;
  try {
    YAML::Node n = YAML::Load(std::string(doc));
    if (!n.IsMap()) return h;
    if (YAML::Node k = n["kind"]; k && k.IsScalar()) h.kind = k.Scalar();
    YAML::Node md = n["metadata"];
    if (md && md.IsMap()) {
      YAML::Node ann = md["annotations"];
      if (ann && ann.IsMap()) {
        if (YAML::Node hk = ann["helm.sh/hook"]; hk && hk.IsScalar()) {
          h.has_hook = true;
          h.hook = hk.Scalar();
        }
      }
    }
    return h;
  } catch (const YAML::Exception& e) {
    return std::unexpected(YamlError(e));
  }
}

std::expected<Value, std::string> DecodeJsonValues(std::string_view text) {
  try {
    Value v = Value::parse(text);
    IntsToFloats(v);
    return v;
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    size_t p = what.find("syntax error");
    return std::unexpected(p == std::string::npos ? what : what.substr(p));
  }
}

}  // namespace keelson::charts
