// AddSprigFunctions and the helpers every Sprig family shares (see sprig_internal.h).
#include <locale.h>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstring>
#include <cwctype>

#include "charts/sprig_internal.h"

namespace keelson::charts {

void AddSprigFunctions(FuncMap& funcs) {
  sprig::AddStringFunctions(funcs);
  sprig::AddRegexFunctions(funcs);
  sprig::AddListFunctions(funcs);
  sprig::AddDictFunctions(funcs);
  sprig::AddDefaultsFunctions(funcs);
  sprig::AddMathFunctions(funcs);
  sprig::AddDateFunctions(funcs);
  // sprig::AddCryptoFunctions(funcs);
  sprig::AddSemverFunctions(funcs);
  sprig::AddEncodingFunctions(funcs);
  sprig::AddReflectFunctions(funcs);
  sprig::AddPathFunctions(funcs);
  sprig::AddNetworkFunctions(funcs);
  RegisterGoStringer(
      std::string(sprig::kTimeType),
      [](const Value& v) -> std::optional<std::string> { return sprig::TimeString(v); });
}

namespace sprig {

void Def(FuncMap& funcs, std::string name, size_t min, size_t max, std::function<Result(Args)> fn) {
  std::string fname = name;
  funcs[std::move(name)] = [fname, min, max, fn = std::move(fn)](FuncContext&,
                                                                 Args args) -> Result {
    if (max == kVariadic) {
      if (args.size() < min) {
        return std::unexpected("wrong number of args for " + fname + ": want at least " +
                               std::to_string(min) + " got " + std::to_string(args.size()));
      }
    } else if (args.size() < min || args.size() > max) {
      return std::unexpected("wrong number of args for " + fname + ": want " +
                             std::to_string(args.size() < min ? min : max) + " got " +
                             std::to_string(args.size()));
    }
    return fn(args);
  };
}

std::string GoKindName(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return "invalid";
    case Value::value_t::boolean:
      return "bool";
    case Value::value_t::number_integer:
      return "int";
    case Value::value_t::number_unsigned:
      return "uint64";
    case Value::value_t::number_float:
      return "float64";
    case Value::value_t::string:
      return "string";
    case Value::value_t::array:
      return "slice";
    case Value::value_t::object:
      if (v.contains(std::string(kGoTypeKey))) {
        return GoTypeName(v).starts_with("*") ? "ptr" : "struct";
      }
      return "map";
    default:
      return "slice";
  }
}

std::string WrongType(std::string_view expected, const Value& got) {
  // Helm runs templates with missingkey=zero: a missing or null value reaches a typed parameter
  // as a nil interface{}.
  if (got.is_null()) {
    return "wrong type for value; expected " + std::string(expected) + "; got interface {}";
  }
  return "wrong type for value; expected " + std::string(expected) + "; got " + GoTypeName(got);
}

Expected<std::string> StringParam(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  return std::unexpected(WrongType("string", v));
}

Expected<int64_t> IntParam(const Value& v) {
  if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<int64_t>();
  if (v.is_number_unsigned()) return static_cast<int64_t>(v.get<uint64_t>());
  return std::unexpected(WrongType("int", v));
}

Expected<double> FloatParam(const Value& v) {
  if (v.is_number_float()) return v.get<double>();
  // Untyped constants in a template convert to float64 parameters; Values do not keep whether an
  // integer came from a constant, so integers are accepted.
  if (v.is_number_unsigned()) return static_cast<double>(v.get<uint64_t>());
  if (v.is_number_integer()) return static_cast<double>(v.get<int64_t>());
  return std::unexpected(WrongType("float64", v));
}

Expected<bool> BoolParam(const Value& v) {
  if (v.is_boolean()) return v.get<bool>();
  return std::unexpected(WrongType("bool", v));
}

Expected<Value> MapParam(const Value& v) {
  if (v.is_null()) return Value::object();
  if (v.is_object() && !v.contains(std::string(kGoTypeKey))) return v;
  return std::unexpected("wrong type for value; expected map[string]interface {}; got " +
                         GoTypeName(v));
}

Expected<std::vector<std::string>> StringParams(Args args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    SPRIG_TRY(s, StringParam(a));
    out.push_back(std::move(s));
  }
  return out;
}

Expected<Value> TimeParam(const Value& v) {
  if (IsGoType(v, kTimeType)) return v;
  return std::unexpected(WrongType("time.Time", v));
}

std::optional<int64_t> ParseGoInt(std::string_view s, int base) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  bool base_prefix = false;
  if (base == 0) {
    base = 10;
    if (s.size() > 1 && s[0] == '0') {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
      if (c == 'x') {
        base = 16;
        s.remove_prefix(2);
        base_prefix = true;
      } else if (c == 'o') {
        base = 8;
        s.remove_prefix(2);
        base_prefix = true;
      } else if (c == 'b') {
        base = 2;
        s.remove_prefix(2);
        base_prefix = true;
      } else {
        base = 8;
        s.remove_prefix(1);
        base_prefix = true;
      }
    }
    // Underscores are allowed only between digits with base-prefix syntax (Go's underscoreOK).
    if (s.find('_') != std::string_view::npos) {
      if (!base_prefix) return std::nullopt;
      std::string clean;
      char prev = '_';
      // A leading underscore right after the prefix is fine ("0x_1"); doubled or trailing are not.
      for (char c : s) {
        if (c == '_' && prev == '_' && !clean.empty()) return std::nullopt;
        if (c != '_') clean.push_back(c);
        prev = c;
      }
      if (prev == '_') return std::nullopt;
      uint64_t acc = 0;
      if (clean.empty()) return std::nullopt;
      auto [p, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), acc, base);
      if (ec != std::errc() || p != clean.data() + clean.size()) return std::nullopt;
      if (neg) {
        if (acc > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
        return static_cast<int64_t>(0 - acc);
      }
      if (acc > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<int64_t>(acc);
    }
  }
  if (s.empty()) {
    // "0" alone was consumed as an octal prefix.
    if (base_prefix && base == 8) return 0;
    return std::nullopt;
  }
  uint64_t acc = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), acc, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  if (neg) {
    if (acc > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - acc);
  }
  if (acc > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(acc);
}

std::optional<double> ParseGoFloat(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string t(s);
  std::string lower;
  for (char c : t) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  std::string_view l = lower;
  bool neg = false;
  if (!l.empty() && (l[0] == '+' || l[0] == '-')) {
    neg = l[0] == '-';
    l.remove_prefix(1);
  }
  if (l == "inf" || l == "infinity") return neg ? -INFINITY : INFINITY;
  if (l == "nan") return NAN;
  // Go accepts digits, '.', exponents, hex floats and underscores (with base prefix only).
  for (char c : t) {
    if (std::isspace(static_cast<unsigned char>(c))) return std::nullopt;
  }
  if (t.find('_') != std::string::npos) {
    std::string clean;
    for (char c : t)
      if (c != '_') clean.push_back(c);
    t = clean;
  }
  if (l.starts_with("0x") && l.find('p') == std::string_view::npos) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return std::nullopt;
  if (errno == ERANGE && std::isinf(d)) return std::nullopt;
  return d;
}

namespace {

// spf13/cast's trimZeroDecimal: "12.0" and "12.00" become "12".
std::string TrimZeroDecimal(std::string s) {
  bool found_zero = false;
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] == '.') {
      if (found_zero) return s.substr(0, i);
      return s;
    }
    if (s[i] != '0') return s;
    found_zero = true;
  }
  return s;
}

}  // namespace

int64_t CastToInt64(const Value& v) {
  switch (v.type()) {
    case Value::value_t::number_integer:
      return v.get<int64_t>();
    case Value::value_t::number_unsigned:
      return static_cast<int64_t>(v.get<uint64_t>());
    case Value::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d)) return INT64_MIN;
      if (d >= 9.2233720368547758e18 || d < -9.2233720368547758e18) return INT64_MIN;
      return static_cast<int64_t>(d);
    }
    case Value::value_t::boolean:
      return v.get<bool>() ? 1 : 0;
    case Value::value_t::string:
      return ParseGoInt(TrimZeroDecimal(v.get<std::string>()), 0).value_or(0);
    default:
      return 0;
  }
}

double CastToFloat64(const Value& v) {
  switch (v.type()) {
    case Value::value_t::number_integer:
      return static_cast<double>(v.get<int64_t>());
    case Value::value_t::number_unsigned:
      return static_cast<double>(v.get<uint64_t>());
    case Value::value_t::number_float:
      return v.get<double>();
    case Value::value_t::boolean:
      return v.get<bool>() ? 1 : 0;
    case Value::value_t::string:
      return ParseGoFloat(v.get<std::string>()).value_or(0);
    default:
      return 0;
  }
}

bool Empty(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return true;
    case Value::value_t::boolean:
      return !v.get<bool>();
    case Value::value_t::number_integer:
      return v.get<int64_t>() == 0;
    case Value::value_t::number_unsigned:
      return v.get<uint64_t>() == 0;
    case Value::value_t::number_float:
      return v.get<double>() == 0;
    case Value::value_t::string:
      return v.get_ref<const std::string&>().empty();
    case Value::value_t::array:
      return v.empty();
    case Value::value_t::object:
      if (v.contains(std::string(kGoTypeKey))) return false;
      return v.empty();
    default:
      return v.empty();
  }
}

bool DeepEqual(const Value& a, const Value& b) {
  if (a.type() != b.type()) {
    // int and int64 are both number_integer; a non-negative int64 may come in as unsigned from
    // JSON parsing, which Go never produces, so treat the two integer kinds alike.
    if (a.is_number_integer() && b.is_number_integer()) {
      if (a.is_number_unsigned() && b.get<int64_t>() < 0) return false;
      if (b.is_number_unsigned() && a.get<int64_t>() < 0) return false;
      return a.get<uint64_t>() == b.get<uint64_t>();
    }
    return false;
  }
  switch (a.type()) {
    case Value::value_t::array:
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i)
        if (!DeepEqual(a[i], b[i])) return false;
      return true;
    case Value::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto it = a.begin(); it != a.end(); ++it) {
        auto jt = b.find(it.key());
        if (jt == b.end() || !DeepEqual(*it, *jt)) return false;
      }
      return true;
    }
    case Value::value_t::number_float:
      return a.get<double>() == b.get<double>();
    default:
      return a == b;
  }
}

bool IsList(const Value& v) { return v.is_array() || v.is_binary(); }

// ---- Unicode ----

std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(c);
      ++i;
      continue;
    }
    int n = 0;
    char32_t r = 0;
    char32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 2;
      r = c & 0x1F;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      r = c & 0x0F;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      r = c & 0x07;
      min = 0x10000;
    } else {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    if (i + n > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    bool ok = true;
    for (int k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      r = (r << 6) | (cc & 0x3F);
    }
    if (!ok || r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(r);
    i += n;
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out.push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (r >> 6)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (r >> 12)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (r >> 18)));
    out.push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

std::string EncodeUtf8(std::u32string_view rs) {
  std::string out;
  out.reserve(rs.size());
  for (char32_t r : rs) AppendUtf8(out, r);
  return out;
}

namespace {

// glibc's C.UTF-8 locale gives Unicode character classes and simple case mappings without
// touching the process-wide locale.
locale_t Utf8Locale() {
  static locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (l == static_cast<locale_t>(0)) l = newlocale(LC_CTYPE_MASK, "C", static_cast<locale_t>(0));
    return l;
  }();
  return loc;
}

}  // namespace

bool IsSpace(char32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
      return true;
  }
  if (r < 0x100) return false;
  return r == 0x1680 || (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f ||
         r == 0x205f || r == 0x3000;
}
bool IsUpper(char32_t r) {
  if (r < 0x80) return r >= 'A' && r <= 'Z';
  return iswupper_l(static_cast<wint_t>(r), Utf8Locale());
}
bool IsLower(char32_t r) {
  if (r < 0x80) return r >= 'a' && r <= 'z';
  return iswlower_l(static_cast<wint_t>(r), Utf8Locale());
}
bool IsTitleCase(char32_t r) {
  // The Unicode titlecase letters (category Lt).
  return r == 0x01C5 || r == 0x01C8 || r == 0x01CB || r == 0x01F2 || (r >= 0x1F88 && r <= 0x1F8F) ||
         (r >= 0x1F98 && r <= 0x1F9F) || (r >= 0x1FA8 && r <= 0x1FAF) || r == 0x1FBC ||
         r == 0x1FCC || r == 0x1FFC;
}
bool IsLetter(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  return iswalpha_l(static_cast<wint_t>(r), Utf8Locale()) &&
         !iswdigit_l(static_cast<wint_t>(r), Utf8Locale());
}
bool IsDigit(char32_t r) {
  if (r < 0x80) return r >= '0' && r <= '9';
  return iswdigit_l(static_cast<wint_t>(r), Utf8Locale());
}
bool IsNumber(char32_t r) {
  if (r < 0x80) return r >= '0' && r <= '9';
  if (r == 0xB2 || r == 0xB3 || r == 0xB9 || (r >= 0xBC && r <= 0xBE)) return true;
  return iswdigit_l(static_cast<wint_t>(r), Utf8Locale());
}
bool IsPunct(char32_t r) {
  if (r < 0x80) {
    // Go's unicode.IsPunct (category P) excludes the ASCII symbols $+<=>^`|~.
    return std::ispunct(static_cast<int>(r)) &&
           std::strchr("$+<=>^`|~", static_cast<int>(r)) == nullptr;
  }
  return iswpunct_l(static_cast<wint_t>(r), Utf8Locale());
}
char32_t ToUpper(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') ? r - 32 : r;
  return static_cast<char32_t>(towupper_l(static_cast<wint_t>(r), Utf8Locale()));
}
char32_t ToLower(char32_t r) {
  if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(r), Utf8Locale()));
}
char32_t ToTitle(char32_t r) {
  switch (r) {
    case 0x01C4:
    case 0x01C5:
    case 0x01C6:
      return 0x01C5;
    case 0x01C7:
    case 0x01C8:
    case 0x01C9:
      return 0x01C8;
    case 0x01CA:
    case 0x01CB:
    case 0x01CC:
      return 0x01CB;
    case 0x01F1:
    case 0x01F2:
    case 0x01F3:
      return 0x01F2;
  }
  return ToUpper(r);
}

}  // namespace sprig
}  // namespace keelson::charts
