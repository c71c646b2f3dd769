// Sprig's encoding functions (b64enc/b64dec/b32enc/b32dec with Go's standard encodings, decode
// errors returned as the result text as Sprig does) and Go's encoding/json Marshal/Unmarshal
// over Values, used by toJson/fromJson and friends.
#include <cmath>
#include <cstring>

#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

}  // namespace

std::string Base64Encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  while (i + 3 <= in.size()) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
    i += 3;
  }
  size_t rem = in.size() - i;
  if (rem == 1) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (rem == 2) {
    uint32_t v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Go's base64.StdEncoding.DecodeString: padding required, \r and \n ignored.
Expected<std::string> Base64Decode(std::string_view in) {
  auto err = [](size_t at) {
    return std::unexpected("illegal base64 data at input byte " + std::to_string(at));
  };
  std::string out;
  size_t si = 0;
  auto next = [&](size_t& pos) -> int {
    while (si < in.size() && (in[si] == '\n' || in[si] == '\r')) ++si;
    if (si >= in.size()) return -2;
    pos = si;
    return static_cast<unsigned char>(in[si++]);
  };
  while (true) {
    int vals[4];
    size_t pos[4] = {0, 0, 0, 0};
    int n = 0;
    for (; n < 4; ++n) {
      int c = next(pos[n]);
      if (c == -2) break;
      if (c == '=') {
        // Padding: valid only at positions 2 or 3 of a quantum.
        if (n < 2) return err(pos[n]);
        if (n == 2) {
          size_t p2 = 0;
          int c2 = next(p2);
          if (c2 == -2) return err(in.size());
          if (c2 != '=') return err(p2);
        }
        size_t p3 = 0;
        if (next(p3) != -2) return err(p3);
        break;
      }
      const char* f = std::strchr(kB64, c);
      if (c == 0 || f == nullptr) return err(pos[n]);
      vals[n] = static_cast<int>(f - kB64);
    }
    if (n == 0) break;
    if (n == 1) return err(pos[0]);
    uint32_t v = 0;
    for (int k = 0; k < n; ++k) v |= static_cast<uint32_t>(vals[k]) << (18 - 6 * k);
    out.push_back(static_cast<char>((v >> 16) & 0xFF));
    if (n >= 3) out.push_back(static_cast<char>((v >> 8) & 0xFF));
    if (n == 4) out.push_back(static_cast<char>(v & 0xFF));
    if (n < 4) {
      // A quantum shorter than 4 without padding is an error at the end of input.
      bool padded = false;
      for (size_t k = pos[n - 1] + 1; k < in.size(); ++k)
        if (in[k] == '=') padded = true;
      if (!padded) return err(in.size());
      break;
    }
  }
  return out;
}

namespace {

std::string B32Encode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); i += 5) {
    uint64_t v = 0;
    size_t n = std::min<size_t>(5, in.size() - i);
    for (size_t k = 0; k < 5; ++k) {
      v <<= 8;
      if (k < n) v |= static_cast<unsigned char>(in[i + k]);
    }
    static const int kChars[] = {0, 2, 4, 5, 7, 8};
    int nc = kChars[n];
    for (int k = 0; k < 8; ++k) out += k < nc ? kB32[(v >> (35 - 5 * k)) & 31] : '=';
  }
  return out;
}

Expected<std::string> B32Decode(std::string_view in) {
  std::string clean;
  std::vector<size_t> at;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n' || in[i] == '\r') continue;
    clean.push_back(in[i]);
    at.push_back(i);
  }
  auto err = [](size_t p) {
    return std::unexpected("illegal base32 data at input byte " + std::to_string(p));
  };
  if (clean.size() % 8 != 0) return err(in.size());
  std::string out;
  for (size_t i = 0; i < clean.size(); i += 8) {
    uint64_t v = 0;
    int n = 0;
    for (int k = 0; k < 8; ++k) {
      char c = clean[i + k];
      if (c == '=') {
        for (int j = k; j < 8; ++j)
          if (clean[i + j] != '=') return err(at[i + j]);
        if (i + 8 != clean.size()) return err(at[i + k]);
        if (k != 2 && k != 4 && k != 5 && k != 7) return err(at[i + k]);
        break;
      }
      const char* f = std::strchr(kB32, c);
      if (c == 0 || f == nullptr) return err(at[i + k]);
      v |= static_cast<uint64_t>(f - kB32) << (35 - 5 * k);
      ++n;
    }
    static const int kBytes[] = {0, 0, 1, 0, 2, 3, 0, 4, 5};
    int nb = kBytes[n];
    for (int k = 0; k < nb; ++k) out.push_back(static_cast<char>((v >> (32 - 8 * k)) & 0xFF));
  }
  return out;
}

void JsonString(std::string& out, std::string_view s, bool escape_html) {
  static const char* kHex = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 0x20 && c != '"' && c != '\\' &&
          (!escape_html || (c != '<' && c != '>' && c != '&'))) {
        out.push_back(static_cast<char>(c));
      } else {
        switch (c) {
          case '"':
            out += "\\\"";
            break;
          case '\\':
            out += "\\\\";
            break;
          case '\b':
            out += "\\b";
            break;
          case '\f':
            out += "\\f";
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
          default:
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
      }
      ++i;
      continue;
    }
    std::u32string r = DecodeUtf8(s.substr(i, std::min<size_t>(4, s.size() - i)));
    char32_t rr = r.empty() ? 0xFFFD : r[0];
    if (rr == 0xFFFD && s.substr(i, 3) != "\xEF\xBF\xBD") {
      out += "\\ufffd";
      ++i;
      continue;
    }
    size_t len = rr < 0x800 ? 2 : rr < 0x10000 ? 3 : 4;
    if (rr == 0x2028 || rr == 0x2029) {
      out += rr == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  out.push_back('"');
}

Expected<std::string> JsonFloat(double f) {
  if (std::isnan(f) || std::isinf(f)) {
    return std::unexpected("json: unsupported value: " + FormatFloat(f, 'g', -1));
  }
  double a = std::fabs(f);
  char fmt = 'f';
  if (a != 0 && (a < 1e-6 || a >= 1e21)) fmt = 'e';
  std::string s = FormatFloat(f, fmt, -1);
  if (fmt == 'e') {
    size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') {
      s.erase(n - 2, 1);
    }
  }
  return s;
}

Expected<bool> Marshal(std::string& out, const Value& v, bool escape_html, std::string_view indent,
                       int depth) {
  auto newline = [&](int d) {
    if (indent.empty()) return;
    out.push_back('\n');
    for (int k = 0; k < d; ++k) out.append(indent);
  };
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
      SPRIG_TRY(s, JsonFloat(v.get<double>()));
      out += s;
      return true;
    }
    case Value::value_t::string:
      JsonString(out, v.get_ref<const std::string&>(), escape_html);
      return true;
    case Value::value_t::array: {
      if (v.empty()) {
        out += "[]";
        return true;
      }
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        newline(depth + 1);
        SPRIG_TRY(ok, Marshal(out, e, escape_html, indent, depth + 1));
        (void)ok;
      }
      newline(depth);
      out.push_back(']');
      return true;
    }
    case Value::value_t::object: {
      if (IsGoType(v, kTimeType)) {
        // time.Time.MarshalJSON: RFC 3339 with nanoseconds.
        JsonString(out, FormatTime(v, "2006-01-02T15:04:05.999999999Z07:00"), escape_html);
        return true;
      }
      if (IsGoType(v, kSemverType)) {
        JsonString(out, v.value("Original", std::string()), escape_html);
        return true;
      }
      bool go_typed = v.contains(std::string(kGoTypeKey));
      size_t count = 0;
      for (auto it = v.begin(); it != v.end(); ++it)
        if (!(go_typed && it.key() == kGoTypeKey)) ++count;
      if (count == 0) {
        out += "{}";
        return true;
      }
      out.push_back('{');
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (go_typed && it.key() == kGoTypeKey) continue;
        if (!first) out.push_back(',');
        first = false;
        newline(depth + 1);
        JsonString(out, it.key(), escape_html);
        out.push_back(':');
        if (!indent.empty()) out.push_back(' ');
        SPRIG_TRY(ok, Marshal(out, *it, escape_html, indent, depth + 1));
        (void)ok;
      }
      newline(depth);
      out.push_back('}');
      return true;
    }
    default:
      out += "null";
      return true;
  }
}

Value ToGoJson(const Value& v) {
  switch (v.type()) {
    case Value::value_t::number_integer:
      return static_cast<double>(v.get<int64_t>());
    case Value::value_t::number_unsigned:
      return static_cast<double>(v.get<uint64_t>());
    case Value::value_t::array: {
      Value out = Value::array();
      for (const auto& e : v) out.push_back(ToGoJson(e));
      return out;
    }
    case Value::value_t::object: {
      Value out = Value::object();
      for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = ToGoJson(*it);
      return out;
    }
    default:
      return v;
  }
}

}  // namespace

Expected<std::string> MarshalJson(const Value& v, bool escape_html, std::string_view indent) {
  std::string out;
  SPRIG_TRY(ok, Marshal(out, v, escape_html, indent, 0));
  (void)ok;
  return out;
}

Expected<Value> UnmarshalJson(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::unexpected("unexpected end of JSON input");
  try {
    return ToGoJson(Value::parse(text));
  } catch (const nlohmann::json::parse_error& e) {
    // Go's messages: a truncated document is "unexpected end of JSON input"; anything else names
    // the offending character.
    size_t at = e.byte > 0 ? e.byte - 1 : 0;
    if (at >= text.size()) return std::unexpected("unexpected end of JSON input");
    std::string c(1, text[at]);
    if (text[at] == '\'') c = "\\'";
    return std::unexpected("invalid character '" + c + "' looking for beginning of value");
  } catch (const std::exception& e) {
    return std::unexpected(std::string("json: ") + e.what());
  }
}

void AddEncodingFunctions(FuncMap& m) {
  Def(m, "b64enc", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return Base64Encode(s);
  });
  Def(m, "b64dec", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    auto d = Base64Decode(s);
    return d ? *d : d.error();
  });
  Def(m, "b32enc", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return B32Encode(s);
  });
  Def(m, "b32dec", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    auto d = B32Decode(s);
    return d ? *d : d.error();
  });
}

}  // namespace keelson::charts::sprig
