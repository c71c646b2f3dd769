// Go fmt printing as Sprig needs it: %v of a value, strval (toString), strconv.Quote, and the
// String() methods of the Go-typed values Sprig creates.
#include <charconv>
#include <cmath>
#include <cwctype>

#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

namespace {

// Shortest decimal digits of |d| and the decimal exponent: d = 0.DIGITS × 10^dp.
void ShortestDigits(double d, std::string& digits, int& dp) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, std::fabs(d), std::chars_format::scientific);
  std::string s(buf, p);
  auto e = s.find('e');
  std::string mant = s.substr(0, e);
  int exp = std::stoi(s.substr(e + 1));
  digits.clear();
  for (char c : mant)
    if (c != '.') digits.push_back(c);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  dp = exp + 1;
  if (digits == "0") dp = 1;
}

std::string ExpSuffix(int exp, int min_digits) {
  std::string s = exp < 0 ? "e-" : "e+";
  std::string n = std::to_string(std::abs(exp));
  while (static_cast<int>(n.size()) < min_digits) n = "0" + n;
  return s + n;
}

}  // namespace

// strconv.FormatFloat(d, fmt, -1, 64) for fmt in 'g', 'e', 'f'.
std::string FormatGoFloat(double d, char fmt) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  std::string digits;
  int dp = 0;
  ShortestDigits(d, digits, dp);
  std::string sign = std::signbit(d) ? "-" : "";
  int exp = dp - 1;
  bool use_e;
  if (fmt == 'e') {
    use_e = true;
  } else if (fmt == 'f') {
    use_e = false;
  } else {
    // strconv 'g' with the shortest precision: %e when the exponent is < -4 or >= 6.
    int eprec = 6;
    use_e = exp < -4 || exp >= eprec;
  }
  if (use_e) {
    std::string out = sign + digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    return out + ExpSuffix(exp, 2);
  }
  std::string out = sign;
  if (dp <= 0) {
    out += "0." + std::string(-dp, '0') + digits;
  } else if (dp >= static_cast<int>(digits.size())) {
    out += digits + std::string(dp - digits.size(), '0');
  } else {
    out += digits.substr(0, dp) + "." + digits.substr(dp);
  }
  return out;
}

std::optional<std::string> GoTypeString(const Value& v) {
  if (IsGoType(v, "time")) return TimeString(v);
  if (IsGoType(v, "semver")) return v.value("Original", std::string());
  return std::nullopt;
}

std::string GoSprint(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return "<nil>";
    case Value::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case Value::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case Value::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case Value::value_t::number_float: {
      // fmt's %v of a float64 is strconv's shortest %g.
      return FormatGoFloat(v.get<double>(), 'g');
    }
    case Value::value_t::string:
      return v.get<std::string>();
    case Value::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += " ";
        first = false;
        out += GoSprint(e);
      }
      return out + "]";
    }
    case Value::value_t::object: {
      if (auto s = GoTypeString(v)) return *s;
      if (v.contains(std::string(kGoTypeKey))) {
        std::string out = "{";
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
          if (it.key() == kGoTypeKey) continue;
          if (!first) out += " ";
          first = false;
          out += GoSprint(*it);
        }
        return out + "}";
      }
      std::string out = "map[";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += " ";
        first = false;
        out += it.key() + ":" + GoSprint(*it);
      }
      return out + "]";
    }
    default:
      return "";
  }
}

std::string Strval(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  return GoSprint(v);
}

std::string GoQuote(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Decode one rune; invalid bytes print as \x.. escapes.
      std::u32string one = DecodeUtf8(s.substr(i, std::min<size_t>(4, s.size() - i)));
      char32_t r = one.empty() ? 0xFFFD : one[0];
      size_t len = 1;
      if (r != 0xFFFD || (s.size() - i >= 3 && s.substr(i, 3) == "\xEF\xBF\xBD")) {
        len = r < 0x800 ? 2 : r < 0x10000 ? 3 : 4;
      } else {
        out += "\\x";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
        ++i;
        continue;
      }
      if (iswprint(static_cast<wint_t>(r)) || r >= 0xA1) {
        // Go's IsPrint: letters, marks, numbers, punctuation, symbols and U+0020.
        bool printable =
            !(r == 0x00AD || (r >= 0x2028 && r <= 0x202E) || (r >= 0x2060 && r <= 0x206F) ||
              r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) || (r >= 0xE000 && r <= 0xF8FF) ||
              r == 0x85 || r == 0xA0 || (r >= 0x2000 && r <= 0x200F) || r == 0x3000 || r == 0x1680);
        if (printable) {
          out.append(s.substr(i, len));
          i += len;
          continue;
        }
      }
      char buf[16];
      if (r < 0x10000) {
        snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(r));
      } else {
        snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(r));
      }
      out += buf;
      i += len;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
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
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  return out + "\"";
}

}  // namespace keelson::charts::sprig
