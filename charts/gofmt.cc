// Go's fmt/strconv printing rules over template values (see gofmt.h).
#include "charts/gofmt.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>

namespace keelson::charts {
namespace {

std::mutex& StringerMu() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, GoStringer, std::less<>>& Stringers() {
  static std::map<std::string, GoStringer, std::less<>> m;
  return m;
}

// ---- UTF-8 helpers ----

// Decodes one rune at s[i]; returns {rune, width}; invalid → {0xFFFD, 1}.
std::pair<char32_t, size_t> DecodeRune(std::string_view s, size_t i) {
  unsigned char c = s[i];
  if (c < 0x80) return {c, 1};
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    return {static_cast<char32_t>(((c & 0x1F) << 6) | (s[i + 1] & 0x3F)), 2};
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    char32_t r = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    if (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF)) return {0xFFFD, 1};
    return {r, 3};
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    char32_t r = ((c & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) |
                 (s[i + 3] & 0x3F);
    if (r < 0x10000 || r > 0x10FFFF) return {0xFFFD, 1};
    return {r, 4};
  }
  return {0xFFFD, 1};
}

void AppendRune(std::string& out, char32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    i += DecodeRune(s, i).second;
    ++n;
  }
  return n;
}

// An approximation of unicode.IsPrint good for the characters charts contain.
bool IsPrint(char32_t r) {
  if (r < 0x20) return false;
  if (r < 0x7F) return true;
  if (r < 0xA1) return false;
  if (r == 0xAD) return false;
  if (r >= 0x2028 && r <= 0x202E) return false;
  if (r >= 0x200B && r <= 0x200F) return false;
  if (r >= 0x2060 && r <= 0x206F) return false;
  if (r >= 0xD800 && r <= 0xDFFF) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;
  if (r == 0xFEFF || r == 0xFFFE || r == 0xFFFF) return false;
  if (r >= 0xFFF9 && r <= 0xFFFB) return false;
  if (r >= 0xF0000) return false;
  return r <= 0x10FFFF;
}

const char kLowerHex[] = "0123456789abcdef";
const char kUpperHex[] = "0123456789ABCDEF";

void AppendEscapedRune(std::string& buf, char32_t r, char quote, bool ascii_only) {
  if (r == static_cast<char32_t>(quote) || r == '\\') {
    buf += '\\';
    AppendRune(buf, r);
    return;
  }
  if (ascii_only) {
    if (r < 0x80 && IsPrint(r)) {
      buf += static_cast<char>(r);
      return;
    }
  } else if (IsPrint(r)) {
    AppendRune(buf, r);
    return;
  }
  switch (r) {
    case '\a':
      buf += "\\a";
      return;
    case '\b':
      buf += "\\b";
      return;
    case '\f':
      buf += "\\f";
      return;
    case '\n':
      buf += "\\n";
      return;
    case '\r':
      buf += "\\r";
      return;
    case '\t':
      buf += "\\t";
      return;
    case '\v':
      buf += "\\v";
      return;
    default:
      break;
  }
  if (r < ' ' || r == 0x7F) {
    buf += "\\x";
    buf += kLowerHex[(r >> 4) & 0xF];
    buf += kLowerHex[r & 0xF];
    return;
  }
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x10000) {
    buf += "\\u";
    for (int s = 12; s >= 0; s -= 4) buf += kLowerHex[(r >> s) & 0xF];
  } else {
    buf += "\\U";
    for (int s = 28; s >= 0; s -= 4) buf += kLowerHex[(r >> s) & 0xF];
  }
}

std::string QuoteWith(std::string_view s, char quote, bool ascii_only) {
  std::string buf;
  buf += quote;
  for (size_t i = 0; i < s.size();) {
    auto [r, w] = DecodeRune(s, i);
    if (w == 1 && r == 0xFFFD) {
      buf += "\\x";
      buf += kLowerHex[static_cast<unsigned char>(s[i]) >> 4];
      buf += kLowerHex[static_cast<unsigned char>(s[i]) & 0xF];
      i += 1;
      continue;
    }
    AppendEscapedRune(buf, r, quote, ascii_only);
    i += w;
  }
  buf += quote;
  return buf;
}

bool CanBackquote(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto [r, w] = DecodeRune(s, i);
    if (w == 1 && r == 0xFFFD && static_cast<unsigned char>(s[i]) >= 0x80) return false;
    if (r == '`' || r == 0xFEFF) return false;
    if (r < ' ' && r != '\t') return false;
    if (r == 0x7F) return false;
    i += w;
  }
  return true;
}

// ---- floats: Go's decimal digit model ----

struct Digits {
  std::string d;  // significant digits, no leading/trailing zeros; empty for zero
  int dp = 0;     // decimal point position
};

void TrimDigits(Digits& dg) {
  size_t lead = 0;
  while (lead < dg.d.size() && dg.d[lead] == '0') ++lead;
  dg.d.erase(0, lead);
  dg.dp -= static_cast<int>(lead);
  while (!dg.d.empty() && dg.d.back() == '0') dg.d.pop_back();
  if (dg.d.empty()) dg.dp = 0;
}

// Digits from a to_chars scientific result "d.ddde±x".
Digits FromScientific(std::string_view s) {
  Digits dg;
  size_t e = s.find('e');
  std::string_view mant = s.substr(0, e);
  for (char c : mant)
    if (c != '.') dg.d += c;
  int exp = 0;
  std::from_chars(s.data() + e + 1 + (s[e + 1] == '+' ? 1 : 0), s.data() + s.size(), exp);
  dg.dp = exp + 1;
  TrimDigits(dg);
  return dg;
}

Digits ShortestDigits(double f) {
  if (f == 0) return {};
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  return FromScientific(std::string_view(buf, r.ptr - buf));
}

Digits ScientificDigits(double f, int prec) {  // prec+1 significant digits
  if (f == 0) return {};
  std::string buf(prec + 32, '\0');
  auto r =
      std::to_chars(buf.data(), buf.data() + buf.size(), f, std::chars_format::scientific, prec);
  return FromScientific(std::string_view(buf.data(), r.ptr - buf.data()));
}

Digits FixedDigits(double f, int prec) {
  if (f == 0) return {};
  std::string buf(prec + 400, '\0');
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), f, std::chars_format::fixed, prec);
  std::string_view s(buf.data(), r.ptr - buf.data());
  Digits dg;
  size_t dot = s.find('.');
  std::string_view ip = s.substr(0, dot);
  dg.d = std::string(ip);
  if (dot != std::string_view::npos) dg.d += s.substr(dot + 1);
  dg.dp = static_cast<int>(ip.size());
  TrimDigits(dg);
  return dg;
}

std::string FmtE(bool neg, const Digits& d, int prec, char fmt) {
  std::string out;
  if (neg) out += '-';
  int nd = static_cast<int>(d.d.size());
  out += nd ? d.d[0] : '0';
  if (prec > 0) {
    out += '.';
    int i = 1;
    int m = std::min(nd, prec + 1);
    if (i < m) {
      out.append(d.d, i, m - i);
      i = m;
    }
    for (; i <= prec; ++i) out += '0';
  }
  out += fmt;
  int exp = nd == 0 ? 0 : d.dp - 1;
  if (exp < 0) {
    out += '-';
    exp = -exp;
  } else {
    out += '+';
  }
  if (exp < 10) {
    out += '0';
    out += static_cast<char>('0' + exp);
  } else {
    out += std::to_string(exp);
  }
  return out;
}

std::string FmtF(bool neg, const Digits& d, int prec) {
  std::string out;
  if (neg) out += '-';
  int nd = static_cast<int>(d.d.size());
  if (d.dp > 0) {
    int m = std::min(nd, d.dp);
    out.append(d.d, 0, m);
    for (; m < d.dp; ++m) out += '0';
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (int i = 0; i < prec; ++i) {
      int j = d.dp + i;
      out += (0 <= j && j < nd) ? d.d[j] : '0';
    }
  }
  return out;
}

// ---- the printer (Go's pp/fmt) ----

struct Flags {
  bool sharp = false, zero = false, plus = false, minus = false, space = false;
  bool sharp_v = false, plus_v = false;
  bool wid_present = false, prec_present = false;
  int wid = 0, prec = 0;
};

class Printer {
 public:
  std::string buf;
  Flags f;

  void WritePadding(int n) {
    if (n <= 0) return;
    buf.append(static_cast<size_t>(n), f.zero ? '0' : ' ');
  }
  void Pad(std::string_view s) {
    if (!f.wid_present || f.wid == 0) {
      buf += s;
      return;
    }
    int width = f.wid - static_cast<int>(RuneCount(s));
    if (!f.minus) {
      WritePadding(width);
      buf += s;
    } else {
      buf += s;
      if (width > 0) buf.append(static_cast<size_t>(width), ' ');
    }
  }

  std::string_view Truncate(std::string_view s) {
    if (f.prec_present) {
      int n = f.prec;
      for (size_t i = 0; i < s.size();) {
        if (n <= 0) return s.substr(0, i);
        i += DecodeRune(s, i).second;
        --n;
      }
    }
    return s;
  }

  void FmtS(std::string_view s) { Pad(Truncate(s)); }

  void FmtSx(std::string_view s, const char* digits) {
    size_t length = s.size();
    if (f.prec_present && static_cast<size_t>(f.prec) < length) length = f.prec;
    std::string out;
    for (size_t i = 0; i < length; ++i) {
      if (f.space && i > 0) out += ' ';
      if (f.sharp && (f.space || i == 0)) {
        out += '0';
        out += digits == kUpperHex ? 'X' : 'x';
      }
      unsigned char c = s[i];
      out += digits[c >> 4];
      out += digits[c & 0xF];
    }
    Pad(out);
  }

  void FmtQ(std::string_view s) {
    s = Truncate(s);
    if (f.sharp && CanBackquote(s)) {
      Pad("`" + std::string(s) + "`");
      return;
    }
    Pad(QuoteWith(s, '"', f.plus));
  }

  void FmtBool(bool b) { Pad(b ? "true" : "false"); }

  void FmtInteger(uint64_t u, int base, bool is_signed, char32_t verb, bool upper) {
    const char* digits = upper ? kUpperHex : kLowerHex;
    bool negative = is_signed && static_cast<int64_t>(u) < 0;
    if (negative) u = -u;
    int prec = 0;
    if (f.prec_present) {
      prec = f.prec;
      if (prec == 0 && u == 0) {
        bool old = f.zero;
        f.zero = false;
        WritePadding(f.wid);
        f.zero = old;
        return;
      }
    } else if (f.zero && !f.minus && f.wid_present) {
      prec = f.wid;
      if (negative || f.plus || f.space) --prec;
    }
    std::string rev;  // digits in reverse
    do {
      rev += digits[u % base];
      u /= base;
    } while (u != 0);
    while (static_cast<int>(rev.size()) < prec) rev += '0';
    if (f.sharp) {
      switch (base) {
        case 2:
          rev += "b0";
          break;
        case 8:
          if (rev.back() != '0') rev += '0';
          break;
        case 16:
          rev += upper ? "X0" : "x0";
          break;
      }
    }
    if (verb == 'O') rev += "o0";
    if (negative) {
      rev += '-';
    } else if (f.plus) {
      rev += '+';
    } else if (f.space) {
      rev += ' ';
    }
    std::string s(rev.rbegin(), rev.rend());
    bool old = f.zero;
    f.zero = false;
    Pad(s);
    f.zero = old;
  }

  void FmtC(uint64_t c) {
    char32_t r = c > 0x10FFFF ? 0xFFFD : static_cast<char32_t>(c);
    std::string s;
    AppendRune(s, r);
    Pad(s);
  }
  void FmtQc(uint64_t c) {
    char32_t r = c > 0x10FFFF ? 0xFFFD : static_cast<char32_t>(c);
    if (f.sharp && r != '\'' && IsPrint(r) && r != '`') {
      std::string s = "'";
      AppendRune(s, r);
      s += "'";
      Pad(s);
      return;
    }
    std::string s = "'";
    AppendEscapedRune(s, r, '\'', f.plus);
    s += "'";
    Pad(s);
  }
  void FmtUnicode(uint64_t u) {
    std::string hex;
    do {
      hex.insert(hex.begin(), kUpperHex[u & 0xF]);
      u >>= 4;
    } while (u);
    int prec = 4;
    if (f.prec_present && f.prec > 4) prec = f.prec;
    while (static_cast<int>(hex.size()) < prec) hex.insert(hex.begin(), '0');
    std::string s = "U+" + hex;
    if (f.sharp && u <= 0x10FFFF) {
      // Only printable runes get the quoted form.
    }
    bool old = f.zero;
    f.zero = false;
    Pad(s);
    f.zero = old;
  }

  void FmtFloat(double v, char verb, int prec) {
    if (f.prec_present) prec = f.prec;
    if (verb == 'F') verb = 'f';
    if (verb == 'x' || verb == 'X' || verb == 'b') verb = 'g';  // rare in charts
    std::string num = FormatFloat(v, verb, prec);
    if (num[0] == '-' || num[0] == '+') {
      // keep
    } else {
      num.insert(num.begin(), '+');
    }
    if (f.space && num[0] == '+' && !f.plus) num[0] = ' ';
    if (num[1] == 'I' || num[1] == 'N') {
      bool old = f.zero;
      f.zero = false;
      if (num[1] == 'N' && !f.space && !f.plus) num.erase(0, 1);
      Pad(num);
      f.zero = old;
      return;
    }
    if (f.sharp) {
      int digits = 0;
      if (verb == 'v' || verb == 'g' || verb == 'G') {
        digits = prec;
        if (digits == -1) digits = 6;
      }
      std::string tail;
      bool has_point = false, saw_nonzero = false;
      for (size_t i = 1; i < num.size(); ++i) {
        char c = num[i];
        if (c == '.') {
          has_point = true;
        } else if (c == 'e' || c == 'E') {
          tail = num.substr(i);
          num.resize(i);
          break;
        } else {
          if (c != '0') saw_nonzero = true;
          if (saw_nonzero) --digits;
        }
      }
      if (!has_point) {
        if (num.size() == 2 && num[1] == '0') --digits;
        num += '.';
      }
      while (digits > 0) {
        num += '0';
        --digits;
      }
      num += tail;
    }
    if (f.plus || num[0] != '+') {
      if (f.zero && !f.minus && f.wid_present && f.wid > static_cast<int>(num.size())) {
        buf += num[0];
        WritePadding(f.wid - static_cast<int>(num.size()));
        buf.append(num, 1);
        return;
      }
      Pad(num);
      return;
    }
    Pad(std::string_view(num).substr(1));
  }

  void BadVerb(char32_t verb, const Value* arg) {
    buf += "%!";
    AppendRune(buf, verb);
    buf += '(';
    if (arg && !arg->is_null()) {
      buf += GoTypeName(*arg);
      buf += '=';
      Flags saved = f;
      PrintArg(*arg, 'v', 0);
      f = saved;
    } else {
      buf += "<nil>";
    }
    buf += ')';
  }

  void PrintInt(const Value& v, char32_t verb) {
    uint64_t u;
    bool is_signed;
    if (v.is_number_unsigned()) {
      u = v.get<uint64_t>();
      is_signed = false;
      // JSON parsers store non-negative integers unsigned; they are Go ints unless too large.
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) is_signed = true;
    } else {
      u = static_cast<uint64_t>(v.get<int64_t>());
      is_signed = true;
    }
    switch (verb) {
      case 'v':
      case 'd':
        FmtInteger(u, 10, is_signed, verb, false);
        break;
      case 'b':
        FmtInteger(u, 2, is_signed, verb, false);
        break;
      case 'o':
      case 'O':
        FmtInteger(u, 8, is_signed, verb, false);
        break;
      case 'x':
        FmtInteger(u, 16, is_signed, verb, false);
        break;
      case 'X':
        FmtInteger(u, 16, is_signed, verb, true);
        break;
      case 'c':
        FmtC(u);
        break;
      case 'q':
        FmtQc(u);
        break;
      case 'U':
        FmtUnicode(u);
        break;
      default:
        BadVerb(verb, &v);
    }
  }

  void PrintString(const std::string& s, char32_t verb, const Value& v) {
    switch (verb) {
      case 'v':
        if (f.sharp_v) {
          FmtQ(s);
        } else {
          FmtS(s);
        }
        break;
      case 's':
        FmtS(s);
        break;
      case 'x':
        FmtSx(s, kLowerHex);
        break;
      case 'X':
        FmtSx(s, kUpperHex);
        break;
      case 'q':
        FmtQ(s);
        break;
      default:
        BadVerb(verb, &v);
    }
  }

  void PrintGoType(const Value& v, char32_t verb, int depth) {
    std::string type = v[std::string(kGoTypeKey)].get<std::string>();
    if (verb == 'v' || verb == 's' || verb == 'q') {
      GoStringer fn;
      {
        std::lock_guard lock(StringerMu());
        auto it = Stringers().find(type);
        if (it != Stringers().end()) fn = it->second;
      }
      if (fn) {
        if (auto s = fn(v)) {
          if (verb == 'q') {
            FmtQ(*s);
          } else {
            FmtS(*s);
          }
          return;
        }
      }
    }
    // Struct form: {field field ...} in key order.
    if (!type.empty() && type[0] == '*' && depth == 0) buf += '&';
    buf += '{';
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() == kGoTypeKey) continue;
      if (!first) buf += ' ';
      first = false;
      if (f.plus_v) buf += it.key() + ":";
      PrintArg(it.value(), verb, depth + 1);
    }
    buf += '}';
  }

  void PrintArg(const Value& v, char32_t verb, int depth) {
    if (verb == 'T') {
      Pad(v.is_null() ? "<nil>" : GoTypeName(v));
      return;
    }
    switch (v.type()) {
      case Value::value_t::null:
        if (depth > 0) {
          if (f.sharp_v) {
            buf += "interface {}(nil)";
          } else {
            buf += "<nil>";
          }
          return;
        }
        if (verb == 'v') {
          Pad("<nil>");
        } else {
          BadVerb(verb, nullptr);
        }
        return;
      case Value::value_t::boolean:
        if (verb == 't' || verb == 'v') {
          FmtBool(v.get<bool>());
        } else {
          BadVerb(verb, &v);
        }
        return;
      case Value::value_t::number_integer:
      case Value::value_t::number_unsigned:
        PrintInt(v, verb);
        return;
      case Value::value_t::number_float: {
        double d = v.get<double>();
        switch (verb) {
          case 'v':
            FmtFloat(d, 'g', -1);
            break;
          case 'b':
          case 'g':
          case 'G':
          case 'x':
          case 'X':
            FmtFloat(d, static_cast<char>(verb), -1);
            break;
          case 'f':
          case 'e':
          case 'E':
          case 'F':
            FmtFloat(d, static_cast<char>(verb), 6);
            break;
          default:
            BadVerb(verb, &v);
        }
        return;
      }
      case Value::value_t::string:
        PrintString(v.get_ref<const std::string&>(), verb, v);
        return;
      case Value::value_t::binary: {
        std::string s(v.get_binary().begin(), v.get_binary().end());
        PrintString(s, verb, v);
        return;
      }
      case Value::value_t::array: {
        if (f.sharp_v) {
          buf += "[]interface {}{";
          bool first = true;
          for (const auto& e : v) {
            if (!first) buf += ", ";
            first = false;
            PrintArg(e, verb, depth + 1);
          }
          buf += '}';
          return;
        }
        buf += '[';
        bool first = true;
        for (const auto& e : v) {
          if (!first) buf += ' ';
          first = false;
          PrintArg(e, verb, depth + 1);
        }
        buf += ']';
        return;
      }
      case Value::value_t::object: {
        if (v.contains(std::string(kGoTypeKey))) {
          PrintGoType(v, verb, depth);
          return;
        }
        if (f.sharp_v) {
          buf += "map[string]interface {}{";
        } else {
          buf += "map[";
        }
        bool first = true;
        Value key;
        for (auto it = v.begin(); it != v.end(); ++it) {
          if (!first) buf += f.sharp_v ? ", " : " ";
          first = false;
          key = it.key();
          PrintArg(key, verb, depth + 1);
          buf += ':';
          PrintArg(it.value(), verb, depth + 1);
        }
        buf += f.sharp_v ? '}' : ']';
        return;
      }
      case Value::value_t::discarded:
        buf += "<nil>";
        return;
    }
  }
};

bool TooLarge(long long x) { return x > 1000000 || x < -1000000; }

// Parses decimal digits s[i..end); returns {num, found, newi}.
std::tuple<int, bool, size_t> ParseNum(std::string_view s, size_t i, size_t end) {
  int num = 0;
  bool isnum = false;
  size_t newi = i;
  for (; newi < end && s[newi] >= '0' && s[newi] <= '9'; ++newi) {
    if (TooLarge(num)) return {0, false, end};
    num = num * 10 + (s[newi] - '0');
    isnum = true;
  }
  return {num, isnum, newi};
}

}  // namespace

std::string GoTypeName(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return "<nil>";
    case Value::value_t::boolean:
      return "bool";
    case Value::value_t::number_integer:
      return "int";
    case Value::value_t::number_unsigned:
      return v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                 ? "uint64"
                 : "int";
    case Value::value_t::number_float:
      return "float64";
    case Value::value_t::string:
      return "string";
    case Value::value_t::binary:
      return "[]uint8";
    case Value::value_t::array:
      return "[]interface {}";
    case Value::value_t::object: {
      auto it = v.find(std::string(kGoTypeKey));
      if (it != v.end() && it->is_string()) return it->get<std::string>();
      return "map[string]interface {}";
    }
    default:
      return "<nil>";
  }
}

std::string FormatFloat(double f, char fmt, int prec) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  bool neg = std::signbit(f);
  double a = std::fabs(f);
  bool shortest = prec < 0;
  Digits digs;
  if (shortest) {
    digs = ShortestDigits(a);
    int nd = static_cast<int>(digs.d.size());
    switch (fmt) {
      case 'e':
      case 'E':
        prec = std::max(nd - 1, 0);
        break;
      case 'f':
        prec = std::max(nd - digs.dp, 0);
        break;
      default:
        prec = nd;
        break;
    }
  } else {
    switch (fmt) {
      case 'e':
      case 'E':
        digs = ScientificDigits(a, prec);
        break;
      case 'f':
        digs = FixedDigits(a, prec);
        break;
      default:
        if (prec == 0) prec = 1;
        digs = ScientificDigits(a, prec - 1);
        break;
    }
  }
  int nd = static_cast<int>(digs.d.size());
  switch (fmt) {
    case 'e':
    case 'E':
      return FmtE(neg, digs, prec, fmt);
    case 'f':
      return FmtF(neg, digs, prec);
    default: {
      int eprec = prec;
      if (eprec > nd && nd >= digs.dp) eprec = nd;
      if (shortest) eprec = 6;
      int exp = digs.dp - 1;
      if (nd == 0) exp = 0;  // zero: Go's decimal has dp 0
      if (exp < -4 || exp >= eprec) {
        if (prec > nd) prec = nd;
        return FmtE(neg, digs, prec - 1, fmt == 'G' ? 'E' : 'e');
      }
      if (prec > digs.dp) prec = nd;
      return FmtF(neg, digs, std::max(prec - digs.dp, 0));
    }
  }
}

std::string GoQuote(std::string_view s) { return QuoteWith(s, '"', false); }
std::string GoQuoteASCII(std::string_view s) { return QuoteWith(s, '"', true); }

std::string FormatValue(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  Printer p;
  p.PrintArg(v, 'v', 0);
  return std::move(p.buf);
}

std::string Sprint(std::span<const Value> args) {
  Printer p;
  bool prev_string = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i].is_string();
    if (i > 0 && !is_string && !prev_string) p.buf += ' ';
    p.f = Flags{};
    p.PrintArg(args[i], 'v', 0);
    prev_string = is_string;
  }
  return std::move(p.buf);
}

std::string Sprintln(std::span<const Value> args) {
  Printer p;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) p.buf += ' ';
    p.f = Flags{};
    p.PrintArg(args[i], 'v', 0);
  }
  p.buf += '\n';
  return std::move(p.buf);
}

std::string Sprintf(std::string_view format, std::span<const Value> a) {
  Printer p;
  size_t end = format.size();
  size_t arg_num = 0;
  bool after_index = false;
  bool reordered = false;
  bool good_arg_num = true;

  auto arg_number = [&](size_t argn, size_t i) -> std::tuple<size_t, size_t, bool> {
    if (i >= end || format[i] != '[') return {argn, i, false};
    reordered = true;
    // parseArgNumber
    std::string_view rest = format.substr(i);
    size_t wid = 1;
    bool ok = false;
    int index = 0;
    if (rest.size() >= 3) {
      for (size_t k = 1; k < rest.size(); ++k) {
        if (rest[k] == ']') {
          auto [w, isnum, newi] = ParseNum(rest, 1, k);
          if (!isnum || newi != k) {
            wid = k + 1;
            ok = false;
          } else {
            index = w - 1;
            wid = k + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && static_cast<size_t>(index) < a.size()) {
      return {static_cast<size_t>(index), i + wid, true};
    }
    good_arg_num = false;
    return {argn, i + wid, ok};
  };
  auto int_from_arg = [&](size_t argn) -> std::tuple<int, bool, size_t> {
    int num = 0;
    bool is_int = false;
    if (argn < a.size()) {
      const Value& v = a[argn];
      if (v.is_number_integer()) {
        if (v.is_number_unsigned()) {
          uint64_t u = v.get<uint64_t>();
          if (u <= 2000000) {
            num = static_cast<int>(u);
            is_int = true;
          }
        } else {
          int64_t n = v.get<int64_t>();
          if (n >= -2000000 && n <= 2000000) {
            num = static_cast<int>(n);
            is_int = true;
          }
        }
      }
      ++argn;
      if (TooLarge(num)) {
        num = 0;
        is_int = false;
      }
    }
    return {num, is_int, argn};
  };

  for (size_t i = 0; i < end;) {
    good_arg_num = true;
    size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    if (i > lasti) p.buf.append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;
    p.f = Flags{};
    bool simple_done = false;
    for (; i < end; ++i) {
      char c = format[i];
      if (c == '#') {
        p.f.sharp = true;
      } else if (c == '0') {
        p.f.zero = !p.f.minus;
      } else if (c == '+') {
        p.f.plus = true;
      } else if (c == '-') {
        p.f.minus = true;
        p.f.zero = false;
      } else if (c == ' ') {
        p.f.space = true;
      } else {
        if (c >= 'a' && c <= 'z' && arg_num < a.size()) {
          if (c == 'v') {
            p.f.sharp_v = p.f.sharp;
            p.f.sharp = false;
            p.f.plus_v = p.f.plus;
            p.f.plus = false;
          }
          p.PrintArg(a[arg_num], static_cast<char32_t>(c), 0);
          ++arg_num;
          ++i;
          simple_done = true;
        }
        break;
      }
    }
    if (simple_done) continue;

    std::tie(arg_num, i, after_index) = arg_number(arg_num, i);

    if (i < end && format[i] == '*') {
      ++i;
      std::tie(p.f.wid, p.f.wid_present, arg_num) = int_from_arg(arg_num);
      if (!p.f.wid_present) p.buf += "%!(BADWIDTH)";
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
      after_index = false;
    } else {
      size_t ni;
      std::tie(p.f.wid, p.f.wid_present, ni) = ParseNum(format, i, end);
      i = ni;
      if (after_index && p.f.wid_present) good_arg_num = false;
    }

    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (after_index) good_arg_num = false;
      std::tie(arg_num, i, after_index) = arg_number(arg_num, i);
      if (i < end && format[i] == '*') {
        ++i;
        std::tie(p.f.prec, p.f.prec_present, arg_num) = int_from_arg(arg_num);
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.prec_present = false;
        }
        if (!p.f.prec_present) p.buf += "%!(BADPREC)";
        after_index = false;
      } else {
        size_t ni;
        std::tie(p.f.prec, p.f.prec_present, ni) = ParseNum(format, i, end);
        i = ni;
        if (!p.f.prec_present) {
          p.f.prec = 0;
          p.f.prec_present = true;
        }
      }
    }

    if (!after_index) std::tie(arg_num, i, after_index) = arg_number(arg_num, i);

    if (i >= end) {
      p.buf += "%!(NOVERB)";
      break;
    }
    auto [verb, size] = DecodeRune(format, i);
    i += size;

    if (verb == '%') {
      p.buf += '%';
    } else if (!good_arg_num) {
      p.buf += "%!";
      AppendRune(p.buf, verb);
      p.buf += "(BADINDEX)";
    } else if (arg_num >= a.size()) {
      p.buf += "%!";
      AppendRune(p.buf, verb);
      p.buf += "(MISSING)";
    } else {
      if (verb == 'v') {
        p.f.sharp_v = p.f.sharp;
        p.f.sharp = false;
        p.f.plus_v = p.f.plus;
        p.f.plus = false;
      }
      p.PrintArg(a[arg_num], verb, 0);
      ++arg_num;
    }
  }

  if (!reordered && arg_num < a.size()) {
    p.f = Flags{};
    p.buf += "%!(EXTRA ";
    for (size_t k = arg_num; k < a.size(); ++k) {
      if (k > arg_num) p.buf += ", ";
      if (a[k].is_null()) {
        p.buf += "<nil>";
      } else {
        p.buf += GoTypeName(a[k]);
        p.buf += '=';
        p.PrintArg(a[k], 'v', 0);
      }
    }
    p.buf += ')';
  }
  return std::move(p.buf);
}

bool GoTruth(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return false;
    case Value::value_t::boolean:
      return v.get<bool>();
    case Value::value_t::number_integer:
      return v.get<int64_t>() != 0;
    case Value::value_t::number_unsigned:
      return v.get<uint64_t>() != 0;
    case Value::value_t::number_float:
      return v.get<double>() != 0;
    case Value::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case Value::value_t::array:
      return !v.empty();
    case Value::value_t::object:
      if (IsGoType(v, kFilesGoType)) return v.contains("files") && !v["files"].empty();
      return v.contains(std::string(kGoTypeKey)) || !v.empty();
    case Value::value_t::binary:
      return !v.get_binary().empty();
    default:
      return false;
  }
}

void IntsToFloats(Value& v) {
  if (v.is_number_integer()) {
    v = v.is_number_unsigned() ? static_cast<double>(v.get<uint64_t>())
                               : static_cast<double>(v.get<int64_t>());
  } else if (v.is_array() || v.is_object()) {
    for (auto& e : v) IntsToFloats(e);
  }
}

void RegisterGoStringer(std::string type, GoStringer stringer) {
  std::lock_guard lock(StringerMu());
  Stringers()[std::move(type)] = std::move(stringer);
}

}  // namespace keelson::charts
