// YAML/JSON decoding with sigs.k8s.io/yaml (go-yaml v2) semantics on top of yaml-cpp's event
// parser, a fast JSON path on nlohmann's SAX parser, and a YAML encoder that reproduces go-yaml
// v2's emitter (what `kubectl get -o yaml` prints).
#include "api/codec.h"
#include "api/goyaml.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <istream>
#include <optional>
#include <streambuf>
#include <unordered_map>

namespace keelson::api {
namespace {

// ---------------------------------------------------------------------------------------------
// Errors with positions

std::string Located(std::string_view source, int line, int column, std::string_view msg) {
  if (source.empty()) {
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
           std::string(msg);
  }
  return std::string(source) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
         std::string(msg);
}

std::string WithSource(std::string_view source, std::string_view msg) {
  if (source.empty()) return std::string(msg);
  return std::string(source) + ": " + std::string(msg);
}

// Thrown inside the event handler (yaml-cpp calls us, we cannot return errors through it) and
// caught at the edge of DecodeYamlStream.
struct DecodeFailure {
  Error error;
};

// ---------------------------------------------------------------------------------------------
// go-yaml v2 plain scalar resolution (resolve.go)

enum class Kind { kNull, kBool, kInt, kUint, kFloat, kStr, kTimestamp };

struct Resolved {
  Kind kind = Kind::kStr;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double f = 0;
};

char Hint(unsigned char c) {
  if (c == '+' || c == '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if (std::strchr("yYnNtTfFoO~", c) != nullptr && c != 0) return 'M';
  if (c == '.') return '.';
  return 0;
}

bool LookupMap(std::string_view s, Resolved& r) {
  static const std::unordered_map<std::string_view, Resolved> kMap = [] {
    std::unordered_map<std::string_view, Resolved> m;
    auto set = [&](std::initializer_list<std::string_view> names, Resolved v) {
      for (auto n : names) m[n] = v;
    };
    Resolved t{Kind::kBool, true};
    Resolved f{Kind::kBool, false};
    set({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}, t);
    set({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}, f);
    set({"", "~", "null", "Null", "NULL"}, Resolved{Kind::kNull});
    Resolved nan{Kind::kFloat};
    nan.f = std::nan("");
    set({".nan", ".NaN", ".NAN"}, nan);
    Resolved inf{Kind::kFloat};
    inf.f = HUGE_VAL;
    set({".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}, inf);
    Resolved ninf{Kind::kFloat};
    ninf.f = -HUGE_VAL;
    set({"-.inf", "-.Inf", "-.INF"}, ninf);
    return m;
  }();
  auto it = kMap.find(s);
  if (it == kMap.end()) return false;
  r = it->second;
  return true;
}

// strconv.ParseUint(s, 0, 64) without the sign.
std::optional<uint64_t> GoParseUint(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s[0] == '0') {
    auto lower = [](char c) { return static_cast<char>(c | 0x20); };
    if (s.size() >= 3 && lower(s[1]) == 'b') {
      base = 2;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && lower(s[1]) == 'o') {
      base = 8;
      s.remove_prefix(2);
    } else if (s.size() >= 3 && lower(s[1]) == 'x') {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      d = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    if (d >= base) return std::nullopt;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
      return std::nullopt;
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return v;
}

// strconv.ParseInt(s, 0, 64).
std::optional<int64_t> GoParseInt(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  auto u = GoParseUint(s);
  if (!u) return std::nullopt;
  if (!neg && *u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  if (neg && *u > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
  return neg ? static_cast<int64_t>(0 - *u) : static_cast<int64_t>(*u);
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool YamlStyleFloat(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// strconv.ParseFloat(s, 64) for decimal syntax already checked by the caller. Overflow is an
// error (Go returns ErrRange); underflow rounds to zero as Go does.
std::optional<double> GoParseFloat(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ptr != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Decide between overflow and underflow from the decimal exponent.
    long exp10 = 0;
    size_t e = s.find_first_of("eE");
    if (e != std::string_view::npos) {
      std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exp10);
    }
    std::string_view mant = s.substr(0, e);
    size_t dot = mant.find('.');
    std::string_view int_part = mant.substr(0, dot);
    size_t first_nz = int_part.find_first_not_of('0');
    if (first_nz != std::string_view::npos) {
      exp10 += static_cast<long>(int_part.size() - first_nz);
    } else if (dot != std::string_view::npos) {
      std::string_view frac = mant.substr(dot + 1);
      size_t nz = frac.find_first_not_of('0');
      exp10 -= static_cast<long>(nz == std::string_view::npos ? frac.size() : nz);
    }
    if (exp10 > 0) return std::nullopt;
    v = 0;
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return neg ? -v : v;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads 1-2 (or exactly `fixed`) digits into `out`.
bool Num(std::string_view s, size_t& i, int& out, int min_digits, int max_digits) {
  int n = 0;
  out = 0;
  while (i < s.size() && IsDigit(s[i]) && n < max_digits) {
    out = out * 10 + (s[i] - '0');
    ++i;
    ++n;
  }
  return n >= min_digits;
}

// go-yaml's parseTimestamp: the formats 2006-1-2T15:4:5.999999999Z07:00 (also lower-case t),
// "2006-1-2 15:4:5.999999999" and 2006-1-2, with Go's range checks.
bool ParseTimestamp(std::string_view s) {
  size_t i = 0;
  int year, month, day;
  if (!Num(s, i, year, 4, 4) || i >= s.size() || s[i] != '-') return false;
  ++i;
  if (!Num(s, i, month, 1, 2) || i >= s.size() || s[i] != '-') return false;
  ++i;
  if (!Num(s, i, day, 1, 2)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] || (month == 2 && day == 29 && !leap)) return false;
  if (i == s.size()) return true;
  const char sep = s[i];
  if (sep != 'T' && sep != 't' && sep != ' ') return false;
  ++i;
  int h, m, sec;
  if (!Num(s, i, h, 1, 2) || i >= s.size() || s[i] != ':') return false;
  ++i;
  if (!Num(s, i, m, 1, 2) || i >= s.size() || s[i] != ':') return false;
  ++i;
  if (!Num(s, i, sec, 1, 2)) return false;
  if (h > 23 || m > 59 || sec > 59) return false;
  if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && IsDigit(s[i + 1])) {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (sep == ' ') return i == s.size();
  if (i == s.size()) return false;
  if (s[i] == 'Z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  ++i;
  int zh, zm;
  if (!Num(s, i, zh, 2, 2) || i >= s.size() || s[i] != ':') return false;
  ++i;
  if (!Num(s, i, zm, 2, 2)) return false;
  return i == s.size() && zh <= 24 && zm <= 59;
}

// resolve("", in): what an untagged plain scalar means to go-yaml v2.
Resolved ResolvePlain(std::string_view in) {
  Resolved r;
  const char hint = in.empty() ? 'N' : Hint(static_cast<unsigned char>(in[0]));
  if (hint == 0) return r;
  if (LookupMap(in, r)) return r;
  switch (hint) {
    case '.': {
      // strconv.ParseFloat on something starting with '.': only decimal syntax can succeed.
      if (YamlStyleFloat(in)) {
        if (auto f = GoParseFloat(in)) {
          r.kind = Kind::kFloat;
          r.f = *f;
        }
      }
      return r;
    }
    case 'D':
    case 'S': {
      if (ParseTimestamp(in)) {
        r.kind = Kind::kTimestamp;
        return r;
      }
      std::string plain;
      plain.reserve(in.size());
      for (char c : in) {
        if (c != '_') plain += c;
      }
      if (auto i = GoParseInt(plain)) {
        r.kind = Kind::kInt;
        r.i = *i;
        return r;
      }
      if (auto u = GoParseUint(plain)) {
        r.kind = Kind::kUint;
        r.u = *u;
        return r;
      }
      if (YamlStyleFloat(plain)) {
        if (auto f = GoParseFloat(plain)) {
          r.kind = Kind::kFloat;
          r.f = *f;
          return r;
        }
      }
      return r;
    }
    default:
      return r;
  }
}

const char* KindTag(Kind k) {
  switch (k) {
    case Kind::kNull:
      return "!!null";
    case Kind::kBool:
      return "!!bool";
    case Kind::kInt:
    case Kind::kUint:
      return "!!int";
    case Kind::kFloat:
      return "!!float";
    case Kind::kTimestamp:
      return "!!timestamp";
    case Kind::kStr:
      return "!!str";
  }
  return "!!str";
}

Json ResolvedToJson(const Resolved& r, std::string_view text) {
  switch (r.kind) {
    case Kind::kNull:
      return nullptr;
    case Kind::kBool:
      return r.b;
    case Kind::kInt:
      return r.i;
    case Kind::kUint:
      return r.u;
    case Kind::kFloat:
      return r.f;
    case Kind::kTimestamp:  // go-yaml hands timestamps to interface{} as their text
    case Kind::kStr:
      return std::string(text);
  }
  return nullptr;
}

bool ValidUtf8(std::string_view s);

bool Base64Decode(std::string_view in, std::string& out) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : in) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad) return false;
    int v = val(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return pad <= 2;
}

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

// A scalar event to JSON, honouring the tag as go-yaml's decoder does. `tag` is yaml-cpp's: "?"
// for plain, "!" for quoted/block scalars, the expanded tag otherwise.
Json ScalarToJson(const std::string& tag, const std::string& value, const YAML::Mark& mark,
                  std::string_view source) {
  if (tag == "?") return ResolvedToJson(ResolvePlain(value), value);
  if (tag == "!" || tag.compare(0, kTagPrefix.size(), kTagPrefix) != 0) {
    // Quoted, block, or an application tag go-yaml cannot resolve: the text as a string.
    return value;
  }
  std::string_view t = std::string_view(tag).substr(kTagPrefix.size());
  if (t == "str") return value;
  if (t == "binary") {
    std::string decoded;
    if (!Base64Decode(value, decoded) || !ValidUtf8(decoded)) {
      throw DecodeFailure{BadRequest(Located(source, mark.line + 1, mark.column + 1,
                                             "!!binary value is not base64 of UTF-8 text"))};
    }
    return decoded;
  }
  Kind want;
  if (t == "int") {
    want = Kind::kInt;
  } else if (t == "float") {
    want = Kind::kFloat;
  } else if (t == "bool") {
    want = Kind::kBool;
  } else if (t == "null") {
    want = Kind::kNull;
  } else if (t == "timestamp") {
    want = Kind::kTimestamp;
  } else {
    return value;  // !!map, !!seq, !!merge... on a scalar: not resolvable, kept as text
  }
  Resolved r = ResolvePlain(value);
  if (r.kind == Kind::kUint && want == Kind::kInt) return r.u;
  if (r.kind == want) return ResolvedToJson(r, value);
  if (want == Kind::kFloat && r.kind == Kind::kInt) return static_cast<double>(r.i);
  if (want == Kind::kFloat && r.kind == Kind::kUint) return static_cast<double>(r.u);
  throw DecodeFailure{BadRequest(Located(source, mark.line + 1, mark.column + 1,
                                         "cannot decode " + std::string(KindTag(r.kind)) + " `" +
                                             value + "` as a !!" + std::string(t)))};
}

// ---------------------------------------------------------------------------------------------
// Go number formatting, used for float map keys and by the encoder

// strconv.FormatFloat(v, 'g', -1, bits) (bits 32 or 64) with go-yaml's .inf/.nan spellings.
std::string FormatFloatG(double v, int bits) {
  if (std::isnan(v)) return ".nan";
  char buf[64];
  std::to_chars_result res;
  if (bits == 32) {
    const float f = static_cast<float>(v);
    if (std::isinf(f)) return f > 0 ? ".inf" : "-.inf";
    if (f == 0) return std::signbit(f) ? "-0" : "0";
    res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  } else {
    if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
    if (v == 0) return std::signbit(v) ? "-0" : "0";
    res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  }
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  bool neg = false;
  if (sci[0] == '-') {
    neg = true;
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp = 0;
  std::string_view es = sci.substr(e + 1);
  if (!es.empty() && es[0] == '+') es.remove_prefix(1);
  std::from_chars(es.data(), es.data() + es.size(), exp);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = neg ? "-" : "";
  const int nd = static_cast<int>(digits.size());
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (nd > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += exp < 0 ? '-' : '+';
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out += '0';
    out += std::to_string(a);
    return out;
  }
  const int dp = exp + 1;  // digits before the decimal point
  if (dp <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-dp), '0');
    out += digits;
  } else if (dp >= nd) {
    out += digits;
    out.append(static_cast<size_t>(dp - nd), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(dp));
    out += '.';
    out += digits.substr(static_cast<size_t>(dp));
  }
  return out;
}

// strconv.FormatFloat(v, 'g', -1, 32) with go-yaml's .inf/.nan spellings.
std::string FormatFloat32G(double v) { return FormatFloatG(v, 32); }

// A YAML map key as sigs.k8s.io/yaml turns it into a JSON object key.
std::string KeyString(const Json& key, const YAML::Mark& mark, std::string_view source) {
  auto fail = [&](std::string_view type) -> std::string {
    throw DecodeFailure{BadRequest(
        Located(source, mark.line + 1, mark.column + 1,
                "unsupported map key of type " + std::string(type) + ": " + key.dump()))};
  };
  switch (key.type()) {
    case Json::value_t::string:
      return key.get<std::string>();
    case Json::value_t::number_integer:
      return std::to_string(key.get<int64_t>());
    case Json::value_t::number_unsigned:
      return fail("uint64");
    case Json::value_t::number_float:
      return FormatFloat32G(key.get<double>());
    case Json::value_t::boolean:
      return key.get<bool>() ? "true" : "false";
    case Json::value_t::null:
      return fail("null");
    default:
      return fail(key.is_object() ? "map" : "sequence");
  }
}

// ---------------------------------------------------------------------------------------------
// The event handler: builds JSON documents from yaml-cpp events.

class MemoryBuf : public std::streambuf {
 public:
  explicit MemoryBuf(std::string_view s) {
    char* p = const_cast<char*>(s.data());
    setg(p, p, p + s.size());
  }
};

struct Document {
  Json value;
  int line = 1;  // 1-based line where the document's root node starts
};

class Builder : public YAML::EventHandler {
 public:
  Builder(std::string_view text, std::string_view source, const DecodeLimits& limits,
          std::vector<Document>& out)
      : text_(text), source_(source), limits_(limits), out_(out) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_++ > 0) CheckDocumentStart(mark);
    anchors_.clear();
    stack_.clear();
    doc_line_ = mark.line + 1;
    have_root_ = false;
  }
  void OnDocumentEnd() override {
    if (have_root_ && !root_.is_null()) out_.push_back({std::move(root_), doc_line_});
    root_ = Json();
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    CountNode(mark);
    if (InKeyPosition()) {
      SetKey(mark, Json(nullptr), false);
      RememberAnchor(anchor, Json(nullptr), 1);
      return;
    }
    Complete(Json(nullptr), mark, anchor, total_nodes_ - 1);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      Fail(mark, "anchor is used before its node is complete (recursive alias)");
    }
    alias_nodes_ += it->second.nodes;
    if (alias_nodes_ > limits_.max_alias_expansions) {
      Fail(mark, "document expands aliases into more than " +
                     std::to_string(limits_.max_alias_expansions) +
                     " nodes (possible \"billion laughs\" attack)");
    }
    total_nodes_ += it->second.nodes;
    if (InKeyPosition()) {
      SetKey(mark, it->second.value, false);
      return;
    }
    const size_t before = total_nodes_ - it->second.nodes;
    Complete(Json(it->second.value), mark, YAML::NullAnchor, before);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    CountNode(mark);
    if (tag == "!") CheckQuotedClosed(mark);
    if (InKeyPosition()) {
      const bool merge = (tag == "?" && value == "<<") || tag == std::string(kTagPrefix) + "merge";
      Json key = merge ? Json(value) : ScalarToJson(tag, value, mark, source_);
      RememberAnchor(anchor, key, 1);
      if (tag == "?" && anchor == YAML::NullAnchor && stack_.back().block) {
        CheckKeyHasColon(mark, value);
      }
      SetKey(mark, std::move(key), merge);
      return;
    }
    Complete(ScalarToJson(tag, value, mark, source_), mark, anchor, total_nodes_ - 1);
  }

  // yaml-cpp takes a lone plain scalar line in a block mapping ("labels" where "labels:" was
  // meant) as a key with a null value; libyaml rejects it. Check the text after the key.
  void CheckKeyHasColon(const YAML::Mark& mark, const std::string& key) const {
    if (mark.pos < 0) return;
    const size_t pos = static_cast<size_t>(mark.pos);
    if (text_.compare(pos, key.size(), key) != 0) return;  // not the literal text: cannot tell
    // An explicit key ("? key") has its ':' on a later line.
    size_t b = pos;
    while (b > 0 && (text_[b - 1] == ' ' || text_[b - 1] == '\t')) --b;
    if (b > 0 && text_[b - 1] == '?') return;
    size_t i = pos + key.size();
    while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t')) ++i;
    if (i < text_.size() && text_[i] == ':') return;
    Fail(mark, "could not find expected ':'");
  }

  // yaml-cpp starts a new document when a line dedents out of the root node ("- a" then
  // "b: 1"); libyaml requires "---" (or "..." ending the previous document) first.
  void CheckDocumentStart(const YAML::Mark& mark) const {
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) > text_.size()) return;
    const size_t pos = static_cast<size_t>(mark.pos);
    if (text_.compare(pos, 3, "---") == 0) return;
    // Walk back over blank and comment lines to the last content line.
    size_t end = text_.rfind('\n', pos == 0 ? 0 : pos - 1);
    while (end != std::string_view::npos) {
      const size_t start = end == 0 ? 0 : text_.rfind('\n', end - 1);
      const size_t from = start == std::string_view::npos ? 0 : start + 1;
      std::string_view line = text_.substr(from, end - from);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
        line.remove_suffix(1);
      }
      size_t first = line.find_first_not_of(" \t");
      if (first != std::string_view::npos && line[first] != '#') {
        if (line.compare(0, 3, "...") == 0 || line.compare(0, 3, "---") == 0) return;
        break;
      }
      if (start == std::string_view::npos || from == 0) break;
      end = start;
    }
    if (pos == 0) return;
    Fail(mark, "did not find expected <document start>");
  }

  // yaml-cpp accepts a quoted scalar that is still open at the end of the input when a line
  // break precedes it (it swallows the rest of the file); libyaml rejects it. Check the text.
  void CheckQuotedClosed(const YAML::Mark& mark) const {
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text_.size()) return;
    size_t i = static_cast<size_t>(mark.pos);
    // Skip node properties (&anchor) before the opening quote.
    while (i < text_.size() && text_[i] == '&') {
      while (i < text_.size() && text_[i] != ' ' && text_[i] != '\t' && text_[i] != '\n') ++i;
      while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t')) ++i;
    }
    if (i >= text_.size()) return;
    const char q = text_[i];
    if (q != '"' && q != '\'') return;
    for (++i; i < text_.size(); ++i) {
      if (q == '"' && text_[i] == '\\') {
        ++i;
      } else if (text_[i] == q) {
        if (q == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;
        } else {
          return;
        }
      }
    }
    Fail(mark, "found unexpected end of stream while scanning a quoted scalar");
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor, Json::array());
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    Open(mark, anchor, Json::object());
    stack_.back().block = style == YAML::EmitterStyle::Block;
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    Json value;
    YAML::Mark mark;
    YAML::anchor_t anchor;
    size_t start_nodes;
    // Mappings: the pending key, and values merged in through "<<" (explicit keys win).
    bool have_key = false;
    bool key_is_merge = false;
    std::string key;
    YAML::Mark key_mark;
    Json merged;
    bool block = false;  // a block mapping (not flow)
  };
  struct Anchor {
    Json value;
    size_t nodes;
  };

  [[noreturn]] void Fail(const YAML::Mark& mark, std::string_view msg) const {
    throw DecodeFailure{BadRequest(Located(source_, mark.line + 1, mark.column + 1, msg))};
  }

  void CountNode(const YAML::Mark&) { ++total_nodes_; }

  bool InKeyPosition() const {
    return !stack_.empty() && stack_.back().value.is_object() && !stack_.back().have_key;
  }

  void SetKey(const YAML::Mark& mark, const Json& key, bool merge) {
    Frame& f = stack_.back();
    f.have_key = true;
    f.key_is_merge = merge;
    f.key_mark = mark;
    f.key = merge ? std::string("<<") : KeyString(key, mark, source_);
  }

  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, Json empty) {
    if (InKeyPosition()) Fail(mark, "a mapping or sequence cannot be a map key");
    ++total_nodes_;
    if (stack_.size() >= limits_.max_depth) {
      Fail(mark, "document nests deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    Frame f;
    f.value = std::move(empty);
    f.mark = mark;
    f.anchor = anchor;
    f.start_nodes = total_nodes_ - 1;
    stack_.push_back(std::move(f));
  }

  void Close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.value.is_object() && f.merged.is_object()) {
      for (auto& [k, v] : f.merged.items()) {
        if (!f.value.contains(k)) f.value[k] = std::move(v);
      }
    }
    Complete(std::move(f.value), f.mark, f.anchor, f.start_nodes);
  }

  void RememberAnchor(YAML::anchor_t anchor, const Json& value, size_t nodes) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = Anchor{value, nodes};
  }

  // A node is finished: remember its anchor and attach it to its parent.
  void Complete(Json value, const YAML::Mark& mark, YAML::anchor_t anchor, size_t start_nodes) {
    if (anchor != YAML::NullAnchor) RememberAnchor(anchor, value, total_nodes_ - start_nodes);
    if (stack_.empty()) {
      root_ = std::move(value);
      have_root_ = true;
      doc_line_ = mark.line + 1;
      return;
    }
    Frame& parent = stack_.back();
    if (parent.value.is_array()) {
      parent.value.push_back(std::move(value));
      return;
    }
    parent.have_key = false;
    if (parent.key_is_merge) {
      Merge(parent, std::move(value), mark);
      return;
    }
    auto [it, inserted] = parent.value.emplace(parent.key, std::move(value));
    if (!inserted) Fail(parent.key_mark, "duplicate key \"" + parent.key + "\"");
  }

  // "<<: *base" or "<<: [*a, *b]": keys of earlier maps win, explicit keys win over all.
  void Merge(Frame& f, Json value, const YAML::Mark& mark) {
    if (!f.merged.is_object()) f.merged = Json::object();
    auto add = [&](Json& m) {
      for (auto& [k, v] : m.items()) {
        if (!f.merged.contains(k)) f.merged[k] = std::move(v);
      }
    };
    if (value.is_object()) {
      add(value);
      return;
    }
    if (value.is_array()) {
      for (auto& m : value) {
        if (!m.is_object()) Fail(mark, "map merge requires map or sequence of maps as the value");
        add(m);
      }
      return;
    }
    Fail(mark, "map merge requires map or sequence of maps as the value");
  }

  std::string_view text_;
  std::string_view source_;
  const DecodeLimits& limits_;
  std::vector<Document>& out_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchor> anchors_;
  Json root_;
  bool have_root_ = false;
  int doc_line_ = 1;
  int documents_ = 0;
  size_t total_nodes_ = 0;
  size_t alias_nodes_ = 0;
};

// yaml-cpp's messages, reworded as libyaml (and so kubectl) words them where they differ.
std::string LibyamlMessage(const std::string& msg) {
  static const std::pair<std::string_view, std::string_view> kMap[] = {
      {YAML::ErrorMsg::MAP_VALUE, "mapping values are not allowed in this context"},
      {YAML::ErrorMsg::END_OF_MAP, "did not find expected key"},
      {YAML::ErrorMsg::END_OF_SEQ, "did not find expected '-' indicator"},
      {YAML::ErrorMsg::END_OF_MAP_FLOW, "did not find expected ',' or '}'"},
      {YAML::ErrorMsg::END_OF_SEQ_FLOW, "did not find expected ',' or ']'"},
      {YAML::ErrorMsg::EOF_IN_SCALAR, "found unexpected end of stream"},
      {YAML::ErrorMsg::UNKNOWN_ANCHOR, "unknown anchor referenced"},
      {YAML::ErrorMsg::TAB_IN_INDENTATION, "found character that cannot start any token"},
      {YAML::ErrorMsg::BLOCK_ENTRY, "block sequence entries are not allowed in this context"},
  };
  for (const auto& [from, to] : kMap) {
    if (msg == from) return std::string(to);
  }
  return msg;
}

// ---------------------------------------------------------------------------------------------
// JSON fast path

class JsonSax {
 public:
  explicit JsonSax(size_t max_depth) : max_depth_(max_depth) {}

  bool null() { return Value(nullptr); }
  bool boolean(bool v) { return Value(v); }
  bool number_integer(Json::number_integer_t v) { return Value(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return Value(v); }
  bool number_float(Json::number_float_t v, const std::string&) { return Value(v); }
  bool string(std::string& v) { return Value(std::move(v)); }
  bool binary(Json::binary_t&) { return false; }
  bool start_object(size_t) { return Open(Json::object()); }
  bool key(std::string& k) {
    Json& obj = *stack_.back();
    if (obj.contains(k)) {
      duplicate_ = k;
      return false;
    }
    key_ = std::move(k);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(size_t) { return Open(Json::array()); }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception& ex) {
    error_ = ex.what();
    return false;
  }

  Json root;
  std::string error_;      // nlohmann's message on a syntax error
  std::string duplicate_;  // set when a key repeats
  bool too_deep_ = false;

 private:
  Json* Place(Json v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    Json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    auto [it, inserted] = parent.emplace(std::move(key_), std::move(v));
    return &*it;
  }
  bool Value(Json v) {
    Place(std::move(v));
    return true;
  }
  bool Open(Json v) {
    if (stack_.size() >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    stack_.push_back(Place(std::move(v)));
    return true;
  }

  size_t max_depth_;
  std::vector<Json*> stack_;
  std::string key_;
};

// "[json.exception.parse_error.101] parse error at line 3, column 7: syntax error ..." →
// line, column and the message after them.
void SplitNlohmannError(const std::string& what, int& line, int& column, std::string& msg) {
  line = 1;
  column = 1;
  msg = what;
  size_t l = what.find("at line ");
  if (l == std::string::npos) return;
  size_t c = what.find(", column ", l);
  size_t colon = what.find(": ", c == std::string::npos ? l : c);
  if (c == std::string::npos || colon == std::string::npos) return;
  line = std::atoi(what.c_str() + l + 8);
  column = std::atoi(what.c_str() + c + 9);
  msg = what.substr(colon + 2);
}

bool LooksLikeJson(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' || c == '[';
  }
  return false;
}

enum class JsonOutcome { kOk, kSyntax, kDuplicate, kTooDeep };

JsonOutcome ParseJsonFast(std::string_view text, size_t max_depth, Json& out, std::string& detail) {
  JsonSax sax(max_depth);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json,
                         /*strict=*/true, /*ignore_comments=*/false);
  } catch (const std::exception& e) {
    detail = e.what();
    return JsonOutcome::kSyntax;
  }
  if (ok) {
    out = std::move(sax.root);
    return JsonOutcome::kOk;
  }
  if (!sax.duplicate_.empty()) {
    detail = sax.duplicate_;
    return JsonOutcome::kDuplicate;
  }
  if (sax.too_deep_) return JsonOutcome::kTooDeep;
  detail = sax.error_;
  return JsonOutcome::kSyntax;
}

// libyaml's reader check, which yaml-cpp lacks: the input must be UTF-8 of printable characters
// (tab, line breaks, #x20-#x7E, #x85, #xA0-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF).
Status CheckCharacters(std::string_view text, std::string_view source) {
  int line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
      ++i;
      continue;
    }
    if (c >= 0x20 && c < 0x7F) {
      ++column;
      ++i;
      continue;
    }
    size_t n = 1;
    uint32_t cp = c;
    if (c >= 0x80) {
      if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1F;
      } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0F;
      } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07;
      } else {
        n = 0;
      }
      bool ok = n != 0 && i + n <= text.size();
      for (size_t k = 1; ok && k < n; ++k) {
        const unsigned char cc = static_cast<unsigned char>(text[i + k]);
        ok = (cc & 0xC0) == 0x80;
        cp = (cp << 6) | (cc & 0x3F);
      }
      if (ok) {
        ok = !((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
               cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF));
      }
      if (!ok) {
        return std::unexpected(
            BadRequest(Located(source, line, column, "invalid UTF-8 byte sequence")));
      }
    }
    const bool printable = cp == 0x09 || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
                           (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
                           (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!printable) {
      return std::unexpected(
          BadRequest(Located(source, line, column, "control characters are not allowed")));
    }
    ++column;
    i += n;
  }
  return {};
}

Result<std::vector<Document>> DecodeDocuments(std::string_view text, std::string_view source,
                                              const DecodeLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return std::unexpected(
        MakeError(Reason::kRequestEntityTooLarge,
                  WithSource(source, "input of " + std::to_string(text.size()) +
                                         " bytes exceeds the limit of " +
                                         std::to_string(limits.max_bytes) + " bytes")));
  }
  std::vector<Document> docs;
  if (LooksLikeJson(text)) {
    Json j;
    std::string detail;
    if (ParseJsonFast(text, limits.max_depth, j, detail) == JsonOutcome::kOk) {
      if (!j.is_null()) docs.push_back({std::move(j), 1});
      return docs;
    }
    // Not plain JSON (YAML flow style, a duplicate key, ...): the YAML path decides and
    // reports positions.
  }
  if (auto bad = CheckCharacters(text, source); !bad) return std::unexpected(bad.error());
  MemoryBuf buf(text);
  std::istream in(&buf);
  Builder builder(text, source, limits, docs);
  try {
    YAML::Parser parser(in);
    size_t documents = 0;
    while (parser.HandleNextDocument(builder)) {
      // yaml-cpp 0.7 reports documents forever, consuming nothing, on some malformed input
      // (", {b: c}]\nd: x"): a stream cannot hold more documents than bytes.
      if (++documents > text.size() + 1) {
        return std::unexpected(
            BadRequest(WithSource(source, "did not find expected node content")));
      }
    }
  } catch (const DecodeFailure& f) {
    return std::unexpected(f.error);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    const int col = e.mark.is_null() ? 0 : e.mark.column + 1;
    return std::unexpected(BadRequest(Located(source, line, col, LibyamlMessage(e.msg))));
  } catch (const std::exception& e) {
    return std::unexpected(BadRequest(WithSource(source, e.what())));
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------
// The encoder: go-yaml v2's emitter for the events its encoder produces from JSON values.

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

enum class Style { kPlain, kSingle, kDouble, kLiteral };

// go-yaml v2's keyList.Less for string keys: runs of digits compare as numbers, letters sort
// before other characters.
bool IsLetterRune(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  return r >= 0xC0;  // approximation of unicode.IsLetter for non-ASCII
}
bool IsDigitRune(char32_t r) { return r >= '0' && r <= '9'; }

std::u32string ToRunes(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t w = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 1;
    if (i + w > s.size()) w = 1;
    char32_t r = w == 1 ? c : c & (w == 2 ? 0x1F : w == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < w; ++k) r = (r << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out += r;
    i += w;
  }
  return out;
}

bool GoYamlKeyLess(const std::string& a, const std::string& b) {
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

class Emitter {
 public:
  explicit Emitter(const GoYamlOptions& opts) : opts_(opts) {}

  std::string Finish() {
    WriteIndent();  // document end
    // Stream end: go-yaml writes "..." after an open-ended document (a root plain scalar, or a
    // literal block kept with "|+").
    if (open_ended_ && opts_.mark_open_ended) {
      WriteIndicator("...", true, false, false);
      WriteIndent();
    }
    return std::move(out_);
  }

  void EmitNode(const Json& v, bool root, bool seq, bool map, bool simple_key) {
    root_ctx_ = root;
    seq_ctx_ = seq;
    map_ctx_ = map;
    simple_key_ctx_ = simple_key;
    switch (v.type()) {
      case Json::value_t::object:
        if (v.empty()) {
          EmptyFlow("{", "}");
          return;
        }
        EmitBlockMapping(v);
        return;
      case Json::value_t::array:
        if (v.empty()) {
          EmptyFlow("[", "]");
          return;
        }
        EmitBlockSequence(v);
        return;
      case Json::value_t::string:
        EmitString(v.get_ref<const std::string&>());
        return;
      case Json::value_t::boolean:
        EmitScalar(v.get<bool>() ? "true" : "false", Style::kPlain);
        return;
      case Json::value_t::number_integer:
        EmitScalar(std::to_string(v.get<int64_t>()), Style::kPlain);
        return;
      case Json::value_t::number_unsigned:
        EmitScalar(std::to_string(v.get<uint64_t>()), Style::kPlain);
        return;
      case Json::value_t::number_float:
        EmitScalar(FloatText(v.get<double>()), Style::kPlain);
        return;
      case Json::value_t::binary:
      case Json::value_t::discarded:
      case Json::value_t::null:
        EmitScalar("null", Style::kPlain);
        return;
    }
  }

 private:
  static constexpr int kBestIndent = 2;
  static constexpr int kBestWidth = 80;

  struct Analysis {
    bool multiline = false;
    bool flow_plain_allowed = false;
    bool block_plain_allowed = true;
    bool single_quoted_allowed = true;
    bool block_allowed = false;
  };

  // How kubectl prints a float64: encoding/json writes it ('f' or 'e' form, shortest), go-yaml
  // reads that back (whole numbers become ints) and writes floats with FormatFloat(.., 'g', -1,
  // 32).
  std::string FloatText(double d) const {
    if (!std::isfinite(d)) return FormatFloatG(d, opts_.float_bits);
    const double a = std::fabs(d);
    if (a == 0 || (a >= 1e-6 && a < 1e21)) {
      char buf[400];
      auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
      std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
      if (text.find('.') == std::string_view::npos) {
        if (auto i = GoParseInt(text)) return std::to_string(*i);
        if (auto u = GoParseUint(text)) return std::to_string(*u);
      }
    }
    return FormatFloatG(d, opts_.float_bits);
  }

  static int Width(unsigned char c) {
    if ((c & 0x80) == 0) return 1;
    if ((c & 0xE0) == 0xC0) return 2;
    if ((c & 0xF0) == 0xE0) return 3;
    if ((c & 0xF8) == 0xF0) return 4;
    return 1;
  }
  static unsigned char At(std::string_view s, size_t i) {
    return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
  }
  static bool IsSpace(std::string_view s, size_t i) { return At(s, i) == ' '; }
  static bool IsBlank(std::string_view s, size_t i) { return At(s, i) == ' ' || At(s, i) == '\t'; }
  static bool IsBreak(std::string_view s, size_t i) {
    const unsigned char c = At(s, i);
    return c == '\r' || c == '\n' || (c == 0xC2 && At(s, i + 1) == 0x85) ||
           (c == 0xE2 && At(s, i + 1) == 0x80 && (At(s, i + 2) == 0xA8 || At(s, i + 2) == 0xA9));
  }
  static bool IsBlankz(std::string_view s, size_t i) {
    return IsBlank(s, i) || IsBreak(s, i) || i >= s.size();
  }
  static bool IsPrintable(std::string_view s, size_t i) {
    const unsigned char c = At(s, i), c1 = At(s, i + 1), c2 = At(s, i + 2);
    return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c == 0xC2 && c1 >= 0xA0) ||
           (c > 0xC2 && c < 0xED) || (c == 0xED && c1 < 0xA0) || c == 0xEE ||
           (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) &&
            !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)));
  }
  static bool IsBom(std::string_view s, size_t i) {
    return At(s, i) == 0xEF && At(s, i + 1) == 0xBB && At(s, i + 2) == 0xBF;
  }

  // yaml_emitter_analyze_scalar.
  static Analysis Analyze(std::string_view v) {
    Analysis a;
    if (v.empty()) return a;
    bool block_ind = false, flow_ind = false, line_breaks = false, special = false;
    bool leading_space = false, leading_break = false, trailing_space = false,
         trailing_break = false, break_space = false, space_break = false;
    bool previous_space = false, previous_break = false;
    if (v.size() >= 3 && (v.substr(0, 3) == "---" || v.substr(0, 3) == "...")) {
      block_ind = flow_ind = true;
    }
    bool preceded_by_ws = true;
    for (size_t i = 0; i < v.size();) {
      const int w = Width(At(v, i));
      const bool followed_by_ws = i + w >= v.size() || IsBlank(v, i + w);
      const char c = v[i];
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
            flow_ind = block_ind = true;
            break;
          case '?':
          case ':':
            flow_ind = true;
            if (followed_by_ws) block_ind = true;
            break;
          case '-':
            if (followed_by_ws) flow_ind = block_ind = true;
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
            flow_ind = true;
            break;
          case ':':
            flow_ind = true;
            if (followed_by_ws) block_ind = true;
            break;
          case '#':
            if (preceded_by_ws) flow_ind = block_ind = true;
            break;
          default:
            break;
        }
      }
      if (!IsPrintable(v, i)) special = true;
      if (IsSpace(v, i)) {
        if (i == 0) leading_space = true;
        if (i + w == v.size()) trailing_space = true;
        if (previous_break) break_space = true;
        previous_space = true;
        previous_break = false;
      } else if (IsBreak(v, i)) {
        line_breaks = true;
        if (i == 0) leading_break = true;
        if (i + w == v.size()) trailing_break = true;
        if (previous_space) space_break = true;
        previous_space = false;
        previous_break = true;
      } else {
        previous_space = previous_break = false;
      }
      preceded_by_ws = IsBlankz(v, i);
      i += w;
    }
    a.multiline = line_breaks;
    a.flow_plain_allowed = a.block_plain_allowed = a.single_quoted_allowed = a.block_allowed = true;
    if (leading_space || leading_break || trailing_space || trailing_break) {
      a.flow_plain_allowed = a.block_plain_allowed = false;
    }
    if (trailing_space) a.block_allowed = false;
    if (break_space) {
      a.flow_plain_allowed = a.block_plain_allowed = a.single_quoted_allowed = false;
    }
    if (space_break || special) {
      a.flow_plain_allowed = a.block_plain_allowed = a.single_quoted_allowed = a.block_allowed =
          false;
    }
    if (line_breaks) a.flow_plain_allowed = a.block_plain_allowed = false;
    if (flow_ind) a.flow_plain_allowed = false;
    if (block_ind) a.block_plain_allowed = false;
    return a;
  }

  static bool IsBase60Float(std::string_view s) {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    if (s.empty()) return false;
    const char c = s[0];
    if (!(c == '+' || c == '-' || IsDigit(c)) || s.find(':') == std::string_view::npos) {
      return false;
    }
    size_t i = 0;
    if (s[i] == '+' || s[i] == '-') ++i;
    if (i >= s.size() || !IsDigit(s[i])) return false;
    ++i;
    while (i < s.size() && (IsDigit(s[i]) || s[i] == '_')) ++i;
    int groups = 0;
    while (i < s.size() && s[i] == ':') {
      ++i;
      // [0-5]?[0-9]: one or two digits, the first of two at most 5.
      if (i < s.size() && IsDigit(s[i])) {
        if (i + 1 < s.size() && IsDigit(s[i + 1]) && s[i] <= '5') {
          i += 2;
        } else {
          ++i;
        }
      } else {
        return false;
      }
      ++groups;
    }
    if (groups == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && (IsDigit(s[i]) || s[i] == '_')) ++i;
    }
    return i == s.size();
  }

  // encoder.stringv: strings that would read back as something else are double-quoted,
  // multi-line strings are literal blocks, everything else is asked for plain.
  void EmitString(const std::string& s) {
    if (!ValidUtf8(s)) {
      // go-yaml writes invalid UTF-8 as !!binary.
      static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      std::string b64;
      size_t i = 0;
      for (; i + 2 < s.size(); i += 3) {
        uint32_t n = (static_cast<unsigned char>(s[i]) << 16) |
                     (static_cast<unsigned char>(s[i + 1]) << 8) |
                     static_cast<unsigned char>(s[i + 2]);
        b64 += kB64[(n >> 18) & 63];
        b64 += kB64[(n >> 12) & 63];
        b64 += kB64[(n >> 6) & 63];
        b64 += kB64[n & 63];
      }
      if (i < s.size()) {
        uint32_t n = static_cast<unsigned char>(s[i]) << 16;
        if (i + 1 < s.size()) n |= static_cast<unsigned char>(s[i + 1]) << 8;
        b64 += kB64[(n >> 18) & 63];
        b64 += kB64[(n >> 12) & 63];
        b64 += i + 1 < s.size() ? kB64[(n >> 6) & 63] : '=';
        b64 += '=';
      }
      WriteIndicator("!!binary", true, false, false);
      EmitScalar(b64, Style::kPlain);
      return;
    }
    const Resolved r = ResolvePlain(s);
    Style style;
    if (r.kind != Kind::kStr || IsBase60Float(s)) {
      style = Style::kDouble;
    } else if (s.find('\n') != std::string::npos) {
      style = Style::kLiteral;
    } else {
      style = Style::kPlain;
    }
    EmitScalar(s, style);
  }

  // yaml_emitter_emit_scalar with yaml_emitter_select_scalar_style.
  void EmitScalar(std::string_view value, Style style) {
    const Analysis a = Analyze(value);
    if (simple_key_ctx_ && a.multiline) style = Style::kDouble;
    if (style == Style::kPlain) {
      if ((flow_level_ > 0 && !a.flow_plain_allowed) ||
          (flow_level_ == 0 && !a.block_plain_allowed)) {
        style = Style::kSingle;
      }
      if (value.empty() && (flow_level_ > 0 || simple_key_ctx_)) style = Style::kSingle;
    }
    if (style == Style::kSingle && !a.single_quoted_allowed) style = Style::kDouble;
    if (style == Style::kLiteral && (!a.block_allowed || flow_level_ > 0 || simple_key_ctx_)) {
      style = Style::kDouble;
    }
    IncreaseIndent(true, false);
    switch (style) {
      case Style::kPlain:
        WritePlain(value, !simple_key_ctx_);
        break;
      case Style::kSingle:
        WriteSingle(value, !simple_key_ctx_);
        break;
      case Style::kDouble:
        WriteDouble(value, !simple_key_ctx_);
        break;
      case Style::kLiteral:
        WriteLiteral(value);
        break;
    }
    PopIndent();
  }

  void EmptyFlow(std::string_view open, std::string_view close) {
    WriteIndicator(open, true, true, false);
    IncreaseIndent(true, false);
    ++flow_level_;
    --flow_level_;
    PopIndent();
    WriteIndicator(close, false, false, false);
  }

  void EmitBlockSequence(const Json& v) {
    IncreaseIndent(false, map_ctx_ && !indention_);
    for (const auto& item : v) {
      WriteIndent();
      WriteIndicator("-", true, false, true);
      EmitNode(item, false, true, false, false);
    }
    PopIndent();
  }

  void EmitBlockMapping(const Json& v) {
    IncreaseIndent(false, false);
    if (!opts_.sort_keys) {
      for (auto it = v.begin(); it != v.end(); ++it) EmitMappingEntry(it.key(), it.value());
    } else {
      std::vector<std::pair<const std::string*, const Json*>> items;
      items.reserve(v.size());
      for (auto it = v.begin(); it != v.end(); ++it) items.emplace_back(&it.key(), &it.value());
      std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
        return GoYamlKeyLess(*a.first, *b.first);
      });
      for (const auto& [key, value] : items) EmitMappingEntry(*key, *value);
    }
    PopIndent();
  }

  void EmitMappingEntry(const std::string& key, const Json& value) {
    WriteIndent();
    const Analysis a = Analyze(key);
    if (!a.multiline && key.size() <= 128) {
      root_ctx_ = false;
      seq_ctx_ = false;
      map_ctx_ = true;
      simple_key_ctx_ = true;
      EmitString(key);
      WriteIndicator(":", false, false, false);
    } else {
      WriteIndicator("?", true, false, true);
      root_ctx_ = false;
      seq_ctx_ = false;
      map_ctx_ = true;
      simple_key_ctx_ = false;
      EmitString(key);
      WriteIndent();
      WriteIndicator(":", true, false, true);
    }
    EmitNode(value, false, false, true, false);
  }

  // ---- output primitives (put, write, write_indent, write_indicator) ----

  void Put(char c) {
    out_ += c;
    ++column_;
  }
  void PutBreak() {
    out_ += '\n';
    column_ = 0;
  }
  void Write(std::string_view s, size_t& i) {
    const int w = Width(At(s, i));
    out_.append(s.substr(i, static_cast<size_t>(w)));
    ++column_;
    i += static_cast<size_t>(w);
  }
  void WriteBreak(std::string_view s, size_t& i) {
    if (s[i] == '\n') {
      PutBreak();
      ++i;
    } else {
      Write(s, i);
      column_ = 0;
    }
  }
  void WriteIndent() {
    const int indent = indent_ < 0 ? 0 : indent_;
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) PutBreak();
    while (column_ < indent) Put(' ');
    whitespace_ = true;
    indention_ = true;
  }
  void WriteIndicator(std::string_view ind, bool need_ws, bool is_ws, bool is_indention) {
    if (need_ws && !whitespace_) Put(' ');
    for (size_t i = 0; i < ind.size();) Write(ind, i);
    whitespace_ = is_ws;
    indention_ = indention_ && is_indention;
    open_ended_ = false;
  }
  void IncreaseIndent(bool flow, bool indentless) {
    indents_.push_back(indent_);
    if (indent_ < 0) {
      indent_ = flow ? kBestIndent : 0;
    } else if (!indentless) {
      indent_ += kBestIndent;
    }
  }
  void PopIndent() {
    indent_ = indents_.back();
    indents_.pop_back();
  }

  // ---- scalar writers ----

  void WritePlain(std::string_view v, bool allow_breaks) {
    if (!whitespace_) Put(' ');
    bool spaces = false, breaks = false;
    for (size_t i = 0; i < v.size();) {
      if (IsSpace(v, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && !IsSpace(v, i + 1)) {
          WriteIndent();
          i += 1;
        } else {
          Write(v, i);
        }
        spaces = true;
      } else if (IsBreak(v, i)) {
        if (!breaks && v[i] == '\n') PutBreak();
        WriteBreak(v, i);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) WriteIndent();
        Write(v, i);
        indention_ = false;
        spaces = breaks = false;
      }
    }
    whitespace_ = false;
    indention_ = false;
    if (root_ctx_) open_ended_ = true;
  }

  void WriteSingle(std::string_view v, bool allow_breaks) {
    WriteIndicator("'", true, false, false);
    bool spaces = false, breaks = false;
    for (size_t i = 0; i < v.size();) {
      if (IsSpace(v, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i > 0 && i < v.size() - 1 &&
            !IsSpace(v, i + 1)) {
          WriteIndent();
          i += 1;
        } else {
          Write(v, i);
        }
        spaces = true;
      } else if (IsBreak(v, i)) {
        if (!breaks && v[i] == '\n') PutBreak();
        WriteBreak(v, i);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) WriteIndent();
        if (v[i] == '\'') Put('\'');
        Write(v, i);
        indention_ = false;
        spaces = breaks = false;
      }
    }
    WriteIndicator("'", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void WriteDouble(std::string_view v, bool allow_breaks) {
    bool spaces = false;
    WriteIndicator("\"", true, false, false);
    for (size_t i = 0; i < v.size();) {
      if (!IsPrintable(v, i) || IsBom(v, i) || IsBreak(v, i) || v[i] == '"' || v[i] == '\\') {
        unsigned char octet = At(v, i);
        int w = 1;
        uint32_t cp = octet;
        if ((octet & 0x80) == 0) {
          w = 1;
          cp = octet & 0x7F;
        } else if ((octet & 0xE0) == 0xC0) {
          w = 2;
          cp = octet & 0x1F;
        } else if ((octet & 0xF0) == 0xE0) {
          w = 3;
          cp = octet & 0x0F;
        } else if ((octet & 0xF8) == 0xF0) {
          w = 4;
          cp = octet & 0x07;
        }
        for (int k = 1; k < w; ++k) cp = (cp << 6) + (At(v, i + static_cast<size_t>(k)) & 0x3F);
        i += static_cast<size_t>(w);
        Put('\\');
        switch (cp) {
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
            if (cp <= 0xFF) {
              Put('x');
              digits = 2;
            } else if (cp <= 0xFFFF) {
              Put('u');
              digits = 4;
            } else {
              Put('U');
              digits = 8;
            }
            for (int k = (digits - 1) * 4; k >= 0; k -= 4) {
              const unsigned d = (cp >> k) & 0x0F;
              Put(static_cast<char>(d < 10 ? '0' + d : 'A' + d - 10));
            }
          }
        }
        spaces = false;
      } else if (IsSpace(v, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i > 0 && i < v.size() - 1) {
          WriteIndent();
          if (IsSpace(v, i + 1)) Put('\\');
          i += 1;
        } else {
          Write(v, i);
        }
        spaces = true;
      } else {
        Write(v, i);
        spaces = false;
      }
    }
    WriteIndicator("\"", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void WriteLiteral(std::string_view v) {
    WriteIndicator("|", true, false, false);
    // Block scalar hints: an indentation indicator when the text starts with a space or break,
    // and the chomping indicator from its trailing breaks.
    if (IsSpace(v, 0) || IsBreak(v, 0)) {
      WriteIndicator(std::string(1, static_cast<char>('0' + kBestIndent)), false, false, false);
    }
    char chomp = 0;
    if (v.empty()) {
      chomp = '-';
    } else {
      size_t i = v.size() - 1;
      while (i > 0 && (At(v, i) & 0xC0) == 0x80) --i;
      if (!IsBreak(v, i)) {
        chomp = '-';
      } else if (i == 0) {
        chomp = '+';
      } else {
        --i;
        while (i > 0 && (At(v, i) & 0xC0) == 0x80) --i;
        if (IsBreak(v, i)) chomp = '+';
      }
    }
    if (chomp) WriteIndicator(std::string(1, chomp), false, false, false);
    if (chomp == '+') open_ended_ = true;
    PutBreak();
    indention_ = true;
    whitespace_ = true;
    bool breaks = true;
    for (size_t i = 0; i < v.size();) {
      if (IsBreak(v, i)) {
        WriteBreak(v, i);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) WriteIndent();
        Write(v, i);
        indention_ = false;
        breaks = false;
      }
    }
  }

  std::string out_;
  int column_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
  int indent_ = -1;
  std::vector<int> indents_;
  int flow_level_ = 0;
  bool open_ended_ = false;
  bool root_ctx_ = false, seq_ctx_ = false, map_ctx_ = false, simple_key_ctx_ = false;
  GoYamlOptions opts_;
};

}  // namespace

Result<std::vector<Json>> DecodeYamlStream(std::string_view text, std::string_view source_name,
                                           const DecodeLimits& limits) {
  auto docs = DecodeDocuments(text, source_name, limits);
  if (!docs) return std::unexpected(docs.error());
  std::vector<Json> out;
  out.reserve(docs->size());
  for (auto& d : *docs) out.push_back(std::move(d.value));
  return out;
}

Result<Json> DecodeYaml(std::string_view text, std::string_view source_name,
                        const DecodeLimits& limits) {
  auto docs = DecodeDocuments(text, source_name, limits);
  if (!docs) return std::unexpected(docs.error());
  if (docs->empty()) return Json(nullptr);
  if (docs->size() > 1) {
    return std::unexpected(
        BadRequest(Located(source_name, (*docs)[1].line, 1,
                           "expected a single document, found " + std::to_string(docs->size()))));
  }
  return std::move((*docs)[0].value);
}

Result<Json> DecodeJson(std::string_view text, std::string_view source_name) {
  const DecodeLimits limits;
  Json j;
  std::string detail;
  switch (ParseJsonFast(text, limits.max_depth, j, detail)) {
    case JsonOutcome::kOk:
      return j;
    case JsonOutcome::kTooDeep:
      return std::unexpected(BadRequest(WithSource(
          source_name, "JSON nests deeper than " + std::to_string(limits.max_depth) + " levels")));
    case JsonOutcome::kDuplicate: {
      // JSON is YAML: the YAML decoder finds the same duplicate and knows its position.
      auto y = DecodeDocuments(text, source_name, limits);
      if (!y && y.error().message.find("duplicate key") != std::string::npos) {
        return std::unexpected(y.error());
      }
      return std::unexpected(
          BadRequest(WithSource(source_name, "duplicate key \"" + detail + "\"")));
    }
    case JsonOutcome::kSyntax:
      break;
  }
  int line, column;
  std::string msg;
  SplitNlohmannError(detail, line, column, msg);
  return std::unexpected(BadRequest(Located(source_name, line, column, msg)));
}

Result<std::vector<Object>> DecodeManifests(std::string_view text, std::string_view source_name) {
  auto docs = DecodeDocuments(text, source_name, DecodeLimits{});
  if (!docs) return std::unexpected(docs.error());
  std::vector<Object> objects;
  const std::string src = source_name.empty() ? std::string() : std::string(source_name) + ": ";
  // Checks one object and appends it, flattening List kinds; `where` names it in errors.
  std::function<Status(Json&&, const std::string&)> add = [&](Json&& j,
                                                              const std::string& where) -> Status {
    if (!j.is_object()) {
      return std::unexpected(
          BadRequest(src + where + ": expected an object, got " + std::string(j.type_name())));
    }
    auto str = [&](const char* key) -> std::string {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string kind = str("kind");
    const std::string api_version = str("apiVersion");
    std::vector<std::string> missing;
    if (api_version.empty()) missing.push_back("apiVersion not set");
    if (kind.empty()) missing.push_back("kind not set");
    if (!missing.empty()) {
      std::string msg = src + where + ": ";
      for (size_t i = 0; i < missing.size(); ++i) msg += (i ? ", " : "") + missing[i];
      return std::unexpected(BadRequest(msg));
    }
    const bool is_list = kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0;
    if (is_list && j.contains("items")) {
      Json& items = j["items"];
      if (items.is_null()) return {};
      if (!items.is_array()) {
        return std::unexpected(BadRequest(src + where + ": items of " + kind + " is not a list"));
      }
      for (size_t i = 0; i < items.size(); ++i) {
        if (auto s = add(std::move(items[i]), where + " item " + std::to_string(i)); !s) return s;
      }
      return {};
    }
    objects.emplace_back(std::move(j));
    return {};
  };
  for (size_t d = 0; d < docs->size(); ++d) {
    const std::string where =
        "document " + std::to_string(d + 1) + " (line " + std::to_string((*docs)[d].line) + ")";
    if (auto s = add(std::move((*docs)[d].value), where); !s) return std::unexpected(s.error());
  }
  return objects;
}

std::string EncodeGoYaml(const Json& value, const GoYamlOptions& opts) {
  Emitter e(opts);
  e.EmitNode(value, true, false, false, false);
  return e.Finish();
}

std::string EncodeYaml(const Json& value) { return EncodeGoYaml(value, GoYamlOptions{}); }

}  // namespace keelson::api
