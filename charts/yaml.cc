// sigs.k8s.io/yaml + go-yaml v2 + encoding/json behaviour over template values (see yaml.h).
#include "charts/yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <regex>

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

bool IsBase60Float(std::string_view s) {
  static const std::regex re(R"(^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$)");
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
      JsonString(out, Base64(s));
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

// ---------- go-yaml v2 emitter ----------

// After the JSON round trip: a node as go-yaml v2 holds it.
struct YNode {
  enum Kind { kScalar, kMap, kSeq } kind = kScalar;
  // scalar
  std::string text;
  bool is_string = false;  // Go string (style decided by resolve); else plain number/bool/null
  std::vector<std::pair<std::string, YNode>> map;
  std::vector<YNode> seq;
};

// go-yaml v2's keyList.Less for string keys.
bool IsLetterRune(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  return r >= 0xC0;  // approximation of unicode.IsLetter for non-ASCII
}
bool IsDigitRune(char32_t r) { return r >= '0' && r <= '9'; }

std::u32string ToRunes(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t w = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 1;
    if (i + w > s.size()) w = 1;
    char32_t r = w == 1 ? c : c & (w == 2 ? 0x1F : w == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < w; ++k) r = (r << 6) | (s[i + k] & 0x3F);
    out += r;
    i += w;
  }
  return out;
}

bool KeyLess(const std::string& a, const std::string& b) {
  std::u32string ar = ToRunes(a), br = ToRunes(b);
  for (size_t i = 0; i < ar.size() && i < br.size(); ++i) {
    if (ar[i] == br[i]) continue;
    bool al = IsLetterRune(ar[i]), bl = IsLetterRune(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return bl;
    int64_t an = 0, bn = 0;
    if (ar[i] == '0' || br[i] == '0') {
      for (size_t j = i; j-- > 0 && IsDigitRune(ar[j]);) {
        if (ar[j] != '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    size_t ai = i, bi = i;
    for (; ai < ar.size() && IsDigitRune(ar[ai]); ++ai) an = an * 10 + (ar[ai] - '0');
    for (; bi < br.size() && IsDigitRune(br[bi]); ++bi) bn = bn * 10 + (br[bi] - '0');
    if (an != bn) return an < bn;
    if (ai != bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.size() < br.size();
}

bool ToYNode(const Value& v, YNode* out, std::string* err) {
  switch (v.type()) {
    case Value::value_t::null:
      out->text = "null";
      return true;
    case Value::value_t::boolean:
      out->text = v.get<bool>() ? "true" : "false";
      return true;
    case Value::value_t::number_integer:
      out->text = std::to_string(v.get<int64_t>());
      return true;
    case Value::value_t::number_unsigned:
      out->text = std::to_string(v.get<uint64_t>());
      return true;
    case Value::value_t::number_float: {
      double f = v.get<double>();
      if (std::isnan(f) || std::isinf(f)) {
        *err = "json: unsupported value: " + FormatFloat(f, 'g', -1);
        return false;
      }
      // JSON text, then go-yaml's resolution of it.
      std::string j = JsonFloat(f);
      Resolved r = Resolve(j);
      if (r.tag == Tag::kInt) {
        out->text = r.value.is_number_unsigned() ? std::to_string(r.value.get<uint64_t>())
                                                 : std::to_string(r.value.get<int64_t>());
      } else {
        out->text = FormatFloat(f, 'g', -1);
        if (out->text == "+Inf") out->text = ".inf";
        if (out->text == "-Inf") out->text = "-.inf";
        if (out->text == "NaN") out->text = ".nan";
      }
      return true;
    }
    case Value::value_t::string: {
      // JSON encoding replaces invalid UTF-8; decode our JSON string form back.
      std::string js;
      JsonString(js, v.get_ref<const std::string&>());
      out->text = Value::parse(js).get<std::string>();
      out->is_string = true;
      return true;
    }
    case Value::value_t::binary: {
      std::string s(v.get_binary().begin(), v.get_binary().end());
      out->text = Base64(s);
      out->is_string = true;
      return true;
    }
    case Value::value_t::array:
      out->kind = YNode::kSeq;
      for (const auto& e : v) {
        out->seq.emplace_back();
        if (!ToYNode(e, &out->seq.back(), err)) return false;
      }
      return true;
    case Value::value_t::object: {
      out->kind = YNode::kMap;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it.key() == kGoTypeKey) continue;
        YNode child;
        if (!ToYNode(it.value(), &child, err)) return false;
        out->map.emplace_back(it.key(), std::move(child));
      }
      std::stable_sort(out->map.begin(), out->map.end(),
                       [](const auto& a, const auto& b) { return KeyLess(a.first, b.first); });
      return true;
    }
    default:
      out->text = "null";
      return true;
  }
}

struct ScalarAnalysis {
  bool multiline = false;
  bool flow_plain_allowed = false;
  bool block_plain_allowed = false;
  bool single_quoted_allowed = false;
  bool block_allowed = false;
};

size_t Width(unsigned char c) {
  if ((c & 0x80) == 0) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}
bool IsSpaceAt(std::string_view v, size_t i) { return i < v.size() && v[i] == ' '; }
bool IsBlankAt(std::string_view v, size_t i) {
  return i < v.size() && (v[i] == ' ' || v[i] == '\t');
}
bool IsBreakAt(std::string_view v, size_t i) {
  if (i >= v.size()) return false;
  unsigned char c = v[i];
  if (c == '\r' || c == '\n') return true;
  if (c == 0xC2 && i + 1 < v.size() && static_cast<unsigned char>(v[i + 1]) == 0x85) return true;
  if (c == 0xE2 && i + 2 < v.size() && static_cast<unsigned char>(v[i + 1]) == 0x80 &&
      (static_cast<unsigned char>(v[i + 2]) == 0xA8 ||
       static_cast<unsigned char>(v[i + 2]) == 0xA9)) {
    return true;
  }
  return false;
}
bool IsBlankzAt(std::string_view v, size_t i) {
  return i >= v.size() || v[i] == '\0' || IsBlankAt(v, i) || IsBreakAt(v, i);
}
bool IsPrintableAt(std::string_view v, size_t i) {
  unsigned char b = v[i];
  auto at = [&](size_t k) -> unsigned char { return i + k < v.size() ? v[i + k] : 0; };
  return b == 0x0A || (b >= 0x20 && b <= 0x7E) || (b == 0xC2 && at(1) >= 0xA0) ||
         (b > 0xC2 && b < 0xED) || (b == 0xED && at(1) < 0xA0) || b == 0xEE ||
         (b == 0xEF && !(at(1) == 0xBB && at(2) == 0xBF) &&
          !(at(1) == 0xBF && (at(2) == 0xBE || at(2) == 0xBF)));
}
bool IsBomAt(std::string_view v, size_t i) {
  return i + 2 < v.size() && static_cast<unsigned char>(v[i]) == 0xEF &&
         static_cast<unsigned char>(v[i + 1]) == 0xBB &&
         static_cast<unsigned char>(v[i + 2]) == 0xBF;
}

ScalarAnalysis Analyze(std::string_view value) {
  ScalarAnalysis a;
  if (value.empty()) {
    a.block_plain_allowed = true;
    a.single_quoted_allowed = true;
    return a;
  }
  bool block_indicators = false, flow_indicators = false, line_breaks = false,
       special_characters = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false,
       break_space = false, space_break = false;
  bool preceded_by_whitespace = true, followed_by_whitespace = false;
  bool previous_space = false, previous_break = false;
  if (value.starts_with("---") || value.starts_with("...")) {
    block_indicators = true;
    flow_indicators = true;
  }
  for (size_t i = 0, w = 0; i < value.size(); i += w) {
    w = Width(value[i]);
    followed_by_whitespace = i + w >= value.size() || IsBlankAt(value, i + w);
    char c = value[i];
    if (i == 0) {
      switch (c) {
        case '#':
        case ',':
        case '[':
        case ']':
        case '{':
        case '}':
        case '&':
        case '*':
        case '!':
        case '|':
        case '>':
        case '\'':
        case '"':
        case '%':
        case '@':
        case '`':
          flow_indicators = true;
          block_indicators = true;
          break;
        case '?':
        case ':':
          flow_indicators = true;
          if (followed_by_whitespace) block_indicators = true;
          break;
        case '-':
          if (followed_by_whitespace) {
            flow_indicators = true;
            block_indicators = true;
          }
          break;
        default:
          break;
      }
    } else {
      switch (c) {
        case ',':
        case '?':
        case '[':
        case ']':
        case '{':
        case '}':
          flow_indicators = true;
          break;
        case ':':
          flow_indicators = true;
          if (followed_by_whitespace) block_indicators = true;
          break;
        case '#':
          if (preceded_by_whitespace) {
            flow_indicators = true;
            block_indicators = true;
          }
          break;
        default:
          break;
      }
    }
    if (!IsPrintableAt(value, i)) special_characters = true;
    if (IsBreakAt(value, i)) line_breaks = true;
    if (IsSpaceAt(value, i)) {
      if (i == 0) leading_space = true;
      if (i + w == value.size()) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (IsBreakAt(value, i)) {
      line_breaks = true;
      if (i == 0) leading_break = true;
      if (i + w == value.size()) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_whitespace = IsBlankzAt(value, i);
  }
  a.multiline = line_breaks;
  a.flow_plain_allowed = true;
  a.block_plain_allowed = true;
  a.single_quoted_allowed = true;
  a.block_allowed = true;
  if (leading_space || leading_break || trailing_space || trailing_break) {
    a.flow_plain_allowed = false;
    a.block_plain_allowed = false;
  }
  if (trailing_space) a.block_allowed = false;
  if (break_space) {
    a.flow_plain_allowed = false;
    a.block_plain_allowed = false;
    a.single_quoted_allowed = false;
  }
  if (space_break || special_characters) {
    a.flow_plain_allowed = false;
    a.block_plain_allowed = false;
    a.single_quoted_allowed = false;
    a.block_allowed = false;
  }
  if (line_breaks) {
    a.flow_plain_allowed = false;
    a.block_plain_allowed = false;
  }
  if (flow_indicators) a.flow_plain_allowed = false;
  if (block_indicators) a.block_plain_allowed = false;
  return a;
}

enum class Style { kPlain, kSingle, kDouble, kLiteral };

class Emitter {
 public:
  std::string out;

  void EmitDocument(const YNode& n) {
    if (n.kind == YNode::kScalar) {
      root_context_ = true;
      EmitScalar(n, /*indent=*/2, /*simple_key=*/false);
      root_context_ = false;
    } else if (n.kind == YNode::kMap && n.map.empty()) {
      Put('{');
      Put('}');
    } else if (n.kind == YNode::kSeq && n.seq.empty()) {
      Put('[');
      Put(']');
    } else if (n.kind == YNode::kMap) {
      EmitMap(n, 0);
    } else {
      EmitSeq(n, 0);
    }
    // Document end: write_indent at indent 0 (no extra break after a literal's final newline).
    if (!indention_ || column_ > 0 || !whitespace_) PutBreak();
    whitespace_ = true;
    indention_ = true;
    // Stream end: go-yaml writes "..." after an open-ended document (a root plain scalar, or a
    // literal kept with "|+").
    if (open_ended_) {
      WriteIndicator("...", true, false, false);
      PutBreak();
    }
  }

 private:
  int column_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
  bool open_ended_ = false;
  bool root_context_ = false;
  static constexpr int kBestWidth = 80;

  void Put(char c) {
    out += c;
    ++column_;
  }
  void PutBreak() {
    out += '\n';
    column_ = 0;
  }
  // Writes one character (a full UTF-8 sequence) of s at i.
  void WriteChar(std::string_view s, size_t& i) {
    size_t w = Width(s[i]);
    if (i + w > s.size()) w = 1;
    out.append(s.substr(i, w));
    ++column_;
    i += w;
  }
  void WriteIndent(int indent) {
    if (indent < 0) indent = 0;
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) PutBreak();
    while (column_ < indent) Put(' ');
    whitespace_ = true;
    indention_ = true;
  }
  void WriteIndicator(std::string_view ind, bool need_whitespace, bool is_whitespace,
                      bool is_indention) {
    if (need_whitespace && !whitespace_) Put(' ');
    for (char c : ind) Put(c);
    whitespace_ = is_whitespace;
    indention_ = indention_ && is_indention;
    open_ended_ = false;
  }

  void EmitMap(const YNode& n, int indent) {
    for (const auto& [k, v] : n.map) {
      WriteIndent(indent);
      YNode key;
      key.text = k;
      key.is_string = true;
      EmitScalar(key, indent + 2, /*simple_key=*/true);
      WriteIndicator(":", false, false, false);
      EmitValue(v, indent, /*in_map=*/true);
    }
  }

  void EmitSeq(const YNode& n, int indent) {
    for (const auto& item : n.seq) {
      WriteIndent(indent);
      WriteIndicator("-", true, false, true);
      EmitValue(item, indent, /*in_map=*/false);
    }
  }

  // A mapping value (after "key:") or a sequence item (after "-") whose container is at indent.
  void EmitValue(const YNode& v, int indent, bool in_map) {
    if (v.kind == YNode::kScalar) {
      EmitScalar(v, indent + 2, false);
    } else if (v.kind == YNode::kMap && v.map.empty()) {
      WriteIndicator("{", true, true, false);
      WriteIndicator("}", false, false, false);
    } else if (v.kind == YNode::kSeq && v.seq.empty()) {
      WriteIndicator("[", true, true, false);
      WriteIndicator("]", false, false, false);
    } else if (v.kind == YNode::kMap) {
      EmitMap(v, indent + 2);
    } else {
      // A sequence in a mapping is not indented (indentless); in a sequence it is.
      EmitSeq(v, in_map ? indent : indent + 2);
    }
  }

  void EmitScalar(const YNode& n, int indent, bool simple_key) {
    const std::string& value = n.text;
    Style style = Style::kPlain;
    if (n.is_string) {
      Resolved r = Resolve(value);
      bool can_plain = r.tag == Tag::kStr && !IsBase60Float(value);
      if (value.find('\n') != std::string::npos) {
        style = Style::kLiteral;
      } else if (can_plain) {
        style = Style::kPlain;
      } else {
        style = Style::kDouble;
      }
    }
    ScalarAnalysis a = Analyze(value);
    if (simple_key && a.multiline) style = Style::kDouble;
    if (style == Style::kPlain) {
      if (!a.block_plain_allowed) style = Style::kSingle;
      if (value.empty() && simple_key) style = Style::kSingle;
    }
    if (style == Style::kSingle && !a.single_quoted_allowed) style = Style::kDouble;
    if (style == Style::kLiteral && (!a.block_allowed || simple_key)) style = Style::kDouble;
    bool allow_breaks = !simple_key;
    switch (style) {
      case Style::kPlain:
        WritePlain(value, allow_breaks, indent);
        break;
      case Style::kSingle:
        WriteSingle(value, allow_breaks, indent);
        break;
      case Style::kDouble:
        WriteDouble(value, allow_breaks, indent);
        break;
      case Style::kLiteral:
        WriteLiteral(value, indent);
        break;
    }
  }

  void WritePlain(std::string_view value, bool allow_breaks, int indent) {
    if (!whitespace_) Put(' ');
    bool spaces = false;
    for (size_t i = 0; i < value.size();) {
      if (IsSpaceAt(value, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && !IsSpaceAt(value, i + 1)) {
          WriteIndent(indent);
          i += 1;
        } else {
          WriteChar(value, i);
        }
        spaces = true;
      } else {
        WriteChar(value, i);
        indention_ = false;
        spaces = false;
      }
    }
    if (!value.empty()) whitespace_ = false;
    indention_ = false;
    if (root_context_) open_ended_ = true;
  }

  void WriteSingle(std::string_view value, bool allow_breaks, int indent) {
    WriteIndicator("'", true, false, false);
    bool spaces = false, breaks = false;
    for (size_t i = 0; i < value.size();) {
      if (IsSpaceAt(value, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i > 0 && i < value.size() - 1 &&
            !IsSpaceAt(value, i + 1)) {
          WriteIndent(indent);
          i += 1;
        } else {
          WriteChar(value, i);
        }
        spaces = true;
      } else if (IsBreakAt(value, i)) {
        if (!breaks && value[i] == '\n') PutBreak();
        PutBreak();
        i += Width(value[i]);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) WriteIndent(indent);
        if (value[i] == '\'') Put('\'');
        WriteChar(value, i);
        indention_ = false;
        spaces = false;
        breaks = false;
      }
    }
    WriteIndicator("'", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void WriteDouble(std::string_view value, bool allow_breaks, int indent) {
    static const char hex[] = "0123456789ABCDEF";
    bool spaces = false;
    WriteIndicator("\"", true, false, false);
    for (size_t i = 0; i < value.size();) {
      unsigned char c = value[i];
      if (!IsPrintableAt(value, i) || IsBomAt(value, i) || IsBreakAt(value, i) || c == '"' ||
          c == '\\') {
        size_t w = Width(c);
        if (i + w > value.size()) w = 1;
        uint32_t v = w == 1 ? (c & 0x7F) : c & (w == 2 ? 0x1F : w == 3 ? 0x0F : 0x07);
        if (w == 1 && c >= 0x80) v = c;
        for (size_t k = 1; k < w; ++k)
          v = (v << 6) + (static_cast<unsigned char>(value[i + k]) & 0x3F);
        i += w;
        Put('\\');
        switch (v) {
          case 0x00:
            Put('0');
            break;
          case 0x07:
            Put('a');
            break;
          case 0x08:
            Put('b');
            break;
          case 0x09:
            Put('t');
            break;
          case 0x0A:
            Put('n');
            break;
          case 0x0B:
            Put('v');
            break;
          case 0x0C:
            Put('f');
            break;
          case 0x0D:
            Put('r');
            break;
          case 0x1B:
            Put('e');
            break;
          case 0x22:
            Put('"');
            break;
          case 0x5C:
            Put('\\');
            break;
          case 0x85:
            Put('N');
            break;
          case 0xA0:
            Put('_');
            break;
          case 0x2028:
            Put('L');
            break;
          case 0x2029:
            Put('P');
            break;
          default: {
            int digits;
            if (v <= 0xFF) {
              Put('x');
              digits = 2;
            } else if (v <= 0xFFFF) {
              Put('u');
              digits = 4;
            } else {
              Put('U');
              digits = 8;
            }
            for (int k = (digits - 1) * 4; k >= 0; k -= 4) Put(hex[(v >> k) & 0xF]);
          }
        }
        spaces = false;
      } else if (IsSpaceAt(value, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i > 0 && i < value.size() - 1) {
          WriteIndent(indent);
          if (IsSpaceAt(value, i + 1)) Put('\\');
          i += 1;
        } else {
          WriteChar(value, i);
        }
        spaces = true;
      } else {
        WriteChar(value, i);
        spaces = false;
      }
    }
    WriteIndicator("\"", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void WriteLiteral(std::string_view value, int indent) {
    WriteIndicator("|", true, false, false);
    // block scalar hints
    if (IsSpaceAt(value, 0) || IsBreakAt(value, 0)) WriteIndicator("2", false, false, false);
    char chomp = 0;
    if (value.empty()) {
      chomp = '-';
    } else {
      size_t i = value.size() - 1;
      while (i > 0 && (static_cast<unsigned char>(value[i]) & 0xC0) == 0x80) --i;
      if (!IsBreakAt(value, i)) {
        chomp = '-';
      } else if (i == 0) {
        chomp = '+';
      } else {
        --i;
        while (i > 0 && (static_cast<unsigned char>(value[i]) & 0xC0) == 0x80) --i;
        if (IsBreakAt(value, i)) chomp = '+';
      }
    }
    if (chomp) WriteIndicator(std::string_view(&chomp, 1), false, false, false);
    if (chomp == '+') open_ended_ = true;
    PutBreak();
    indention_ = true;
    whitespace_ = true;
    bool breaks = true;
    for (size_t i = 0; i < value.size();) {
      if (IsBreakAt(value, i)) {
        PutBreak();
        i += Width(value[i]);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) WriteIndent(indent);
        WriteChar(value, i);
        indention_ = false;
        breaks = false;
      }
    }
  }
};

// ---------- YAML decoding (yaml-cpp events as sigs.k8s.io/yaml sees them) ----------

std::string YamlError(const YAML::Exception& e) {
  std::string msg = e.msg;
  return "error converting YAML to JSON: yaml: line " + std::to_string(e.mark.line + 1) + ": " +
         msg;
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

std::string Base64(std::string_view in) {
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += t[(v >> 6) & 63];
    out += t[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += t[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::expected<std::string, std::string> GoYamlMarshal(const Value& v) {
  YNode root;
  std::string err;
  if (!ToYNode(v, &root, &err)) return std::unexpected("error marshaling into JSON: " + err);
  Emitter e;
  e.EmitDocument(root);
  return std::move(e.out);
}

std::expected<std::string, std::string> GoJsonMarshal(const Value& v) {
  std::string out, err;
  if (!JsonEncode(out, v, &err)) return std::unexpected(err);
  return out;
}

std::expected<Value, std::string> DecodeYamlValues(std::string_view text) {
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    if (docs.empty()) return Value();
    Value out;
    std::string err;
    if (!Convert(docs[0], &out, &err, 0)) return std::unexpected(err);
    return out;
  } catch (const YAML::Exception& e) {
    return std::unexpected(YamlError(e));
  } catch (const std::exception& e) {
    return std::unexpected(std::string("error converting YAML to JSON: ") + e.what());
  }
}

std::expected<std::vector<Value>, std::string> DecodeYamlStreamValues(std::string_view text) {
  try {
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
