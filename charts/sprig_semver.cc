// Sprig's semver functions over a port of Masterminds/semver v3: NewVersion's parsing (leading
// "v", optional minor/patch), precedence with prerelease rules, and the constraint language
// (ranges "1 - 2", ~, ^, x/X/* wildcards, comparison operators, "," or space for AND, "||").
#include <re2/re2.h>

#include "charts/sprig_internal.h"
#include "charts/template.h"

namespace keelson::charts::sprig {

namespace {

struct Version {
  uint64_t major = 0, minor = 0, patch = 0;
  std::string pre, metadata, original;
};

const std::string kSemVer = R"(v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?)"
                            R"((-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?)"
                            R"((\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?)";
const std::string kCv = R"(v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?)"
                        R"((-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?)"
                        R"((\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?)";
const std::string kOps = R"(!=|>=|=>|<=|=<|~>|>|<|~|\^|=|)";

const RE2& VersionRe() {
  static RE2 re("^" + kSemVer + "$");
  return re;
}
const RE2& ConstraintRe() {
  static RE2 re(R"(^\s*()" + kOps + R"()\s*()" + kCv + R"()\s*$)");
  return re;
}
const RE2& RangeRe() {
  static RE2 re(R"(\s*()" + kCv + R"()\s+-\s+()" + kCv + R"()\s*)");
  return re;
}
const RE2& FindRe() {
  static RE2 re("(" + kOps + R"()\s*()" + kCv + ")");
  return re;
}
const RE2& ValidRe() {
  static RE2 re(R"(^(\s*()" + kOps + R"()\s*()" + kCv + R"()\s*)((?:\s+|,\s*)()" + kOps +
                R"()\s*()" + kCv + R"()\s*)*$)");
  return re;
}

// All submatches of `re` on `s` (unanchored, first match at or after pos); "" for groups that did
// not participate.
bool Submatch(const RE2& re, std::string_view s, size_t pos, std::vector<std::string>& out,
              size_t* begin = nullptr, size_t* end = nullptr) {
  int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> sub(n);
  if (!re.Match(s, pos, s.size(), RE2::UNANCHORED, sub.data(), n)) return false;
  out.assign(n, "");
  for (int i = 0; i < n; ++i)
    if (sub[i].data() != nullptr) out[i] = std::string(sub[i]);
  if (begin) *begin = sub[0].data() - s.data();
  if (end) *end = sub[0].data() - s.data() + sub[0].size();
  return true;
}

std::vector<std::vector<std::string>> FindAll(const RE2& re, std::string_view s) {
  std::vector<std::vector<std::string>> all;
  size_t pos = 0;
  std::vector<std::string> m;
  while (pos <= s.size()) {
    size_t b = 0, e = 0;
    if (!Submatch(re, s, pos, m, &b, &e)) break;
    all.push_back(m);
    pos = e > b ? e : e + 1;
  }
  return all;
}

Expected<uint64_t> ParseSegment(const std::string& s) {
  uint64_t v = 0;
  for (char c : s) {
    if (v > (UINT64_MAX - (c - '0')) / 10) {
      return std::unexpected("Error parsing version segment: strconv.ParseUint: parsing " +
                             GoQuote(s) + ": value out of range");
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// semver.NewVersion.
Expected<Version> NewVersion(const std::string& v) {
  std::vector<std::string> m;
  if (!Submatch(VersionRe(), v, 0, m)) return std::unexpected("Invalid Semantic Version");
  Version sv;
  sv.original = v;
  sv.pre = m[5];
  sv.metadata = m[8];
  SPRIG_TRY(major, ParseSegment(m[1]));
  sv.major = major;
  if (!m[2].empty()) {
    SPRIG_TRY(minor, ParseSegment(m[2].substr(1)));
    sv.minor = minor;
  }
  if (!m[3].empty()) {
    SPRIG_TRY(patch, ParseSegment(m[3].substr(1)));
    sv.patch = patch;
  }
  if (!sv.pre.empty()) {
    size_t start = 0;
    while (true) {
      auto dot = sv.pre.find('.', start);
      std::string part =
          sv.pre.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (AllDigits(part) && part.size() > 1 && part[0] == '0') {
        return std::unexpected("Version segment starts with 0");
      }
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  return sv;
}

int CompareSegment(uint64_t a, uint64_t b) { return a < b ? -1 : a > b ? 1 : 0; }

int ComparePrePart(const std::string& s, const std::string& o) {
  if (s == o) return 0;
  if (s.empty()) return o.empty() ? 1 : -1;
  if (o.empty()) return 1;
  bool sn = AllDigits(s) && ParseSegment(s).has_value();
  bool on = AllDigits(o) && ParseSegment(o).has_value();
  if (!sn && !on) return s > o ? 1 : -1;
  if (!sn) return 1;
  if (!on) return -1;
  return *ParseSegment(s) > *ParseSegment(o) ? 1 : -1;
}

std::vector<std::string> SplitDots(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

int ComparePrerelease(const std::string& v, const std::string& o) {
  auto sp = SplitDots(v), op = SplitDots(o);
  size_t l = std::max(sp.size(), op.size());
  for (size_t i = 0; i < l; ++i) {
    int d = ComparePrePart(i < sp.size() ? sp[i] : "", i < op.size() ? op[i] : "");
    if (d != 0) return d;
  }
  return 0;
}

int Compare(const Version& v, const Version& o) {
  if (int d = CompareSegment(v.major, o.major)) return d;
  if (int d = CompareSegment(v.minor, o.minor)) return d;
  if (int d = CompareSegment(v.patch, o.patch)) return d;
  if (v.pre.empty() && o.pre.empty()) return 0;
  if (v.pre.empty()) return 1;
  if (o.pre.empty()) return -1;
  return ComparePrerelease(v.pre, o.pre);
}

struct Constraint {
  std::string op;
  Version con;
  bool minor_dirty = false, patch_dirty = false, dirty = false;
};

bool IsX(const std::string& s) { return s == "x" || s == "*" || s == "X"; }

Expected<Constraint> ParseConstraint(const std::string& c) {
  Constraint cs;
  if (c.empty()) {
    cs.con = *NewVersion("0.0.0");
    cs.dirty = true;
    return cs;
  }
  std::vector<std::string> m;
  if (!Submatch(ConstraintRe(), c, 0, m)) return std::unexpected("improper constraint: " + c);
  cs.op = m[1];
  std::string ver = m[2];
  std::string minor = m[4].empty() ? "" : m[4].substr(1);
  std::string patch = m[5].empty() ? "" : m[5].substr(1);
  if (IsX(m[3]) || m[3].empty()) {
    ver = "0.0.0" + m[6];
    cs.dirty = true;
  } else if (IsX(minor) || m[4].empty()) {
    cs.minor_dirty = cs.dirty = true;
    ver = m[3] + ".0.0" + m[6];
  } else if (IsX(patch) || m[5].empty()) {
    cs.patch_dirty = cs.dirty = true;
    ver = m[3] + m[4] + ".0" + m[6];
  }
  auto v = NewVersion(ver);
  if (!v) return std::unexpected("constraint Parser Error");
  cs.con = *v;
  return cs;
}

bool Tilde(const Version& v, const Constraint& c) {
  if (!v.pre.empty() && c.con.pre.empty()) return false;
  if (Compare(v, c.con) < 0) return false;
  if (c.con.major == 0 && c.con.minor == 0 && c.con.patch == 0 && !c.minor_dirty &&
      !c.patch_dirty) {
    return true;
  }
  if (v.major != c.con.major) return false;
  if (v.minor != c.con.minor && !c.minor_dirty) return false;
  return true;
}

bool Check(const Version& v, const Constraint& c) {
  const std::string& op = c.op;
  bool pre_excluded = !v.pre.empty() && c.con.pre.empty();
  if (op.empty() || op == "=") {
    if (pre_excluded) return false;
    if (c.dirty) return Tilde(v, c);
    return Compare(v, c.con) == 0;
  }
  if (op == "!=") {
    if (c.dirty) {
      if (pre_excluded) return false;
      if (c.con.major != v.major) return true;
      if (c.con.minor != v.minor && !c.minor_dirty) return true;
      if (c.minor_dirty) return false;
      if (c.con.patch != v.patch && !c.patch_dirty) return true;
      if (c.patch_dirty) {
        if (!v.pre.empty() || !c.con.pre.empty()) return ComparePrerelease(v.pre, c.con.pre) != 0;
        return false;
      }
    }
    return Compare(v, c.con) != 0;
  }
  if (pre_excluded) return false;
  if (op == ">") {
    if (!c.dirty) return Compare(v, c.con) == 1;
    if (v.major > c.con.major) return true;
    if (v.major < c.con.major) return false;
    if (c.minor_dirty) return false;
    if (c.patch_dirty) return v.minor > c.con.minor;
    return Compare(v, c.con) == 1;
  }
  if (op == "<") return Compare(v, c.con) < 0;
  if (op == ">=" || op == "=>") return Compare(v, c.con) >= 0;
  if (op == "<=" || op == "=<") {
    if (!c.dirty) return Compare(v, c.con) <= 0;
    if (v.major > c.con.major) return false;
    if (v.major == c.con.major && v.minor > c.con.minor && !c.minor_dirty) return false;
    return true;
  }
  if (op == "~" || op == "~>") return Tilde(v, c);
  if (op == "^") {
    if (Compare(v, c.con) < 0) return false;
    if (c.con.major > 0 || c.minor_dirty) return v.major == c.con.major;
    if (c.con.major == 0 && v.major > 0) return false;
    if (c.con.minor > 0 || c.patch_dirty) return v.minor == c.con.minor;
    if (c.con.minor == 0 && v.minor > 0) return false;
    return c.con.patch == v.patch;
  }
  return false;
}

std::string RewriteRange(const std::string& in) {
  auto all = FindAll(RangeRe(), in);
  std::string o = in;
  for (const auto& m : all) {
    std::string t = ">= " + m[1] + ", <= " + m[11] + " ";
    auto p = o.find(m[0]);
    if (p != std::string::npos) o.replace(p, m[0].size(), t);
  }
  return o;
}

Expected<std::vector<std::vector<Constraint>>> NewConstraint(const std::string& text) {
  std::string c = RewriteRange(text);
  std::vector<std::vector<Constraint>> ors;
  size_t start = 0;
  while (true) {
    auto bar = c.find("||", start);
    std::string part = c.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (!RE2::FullMatch(part, ValidRe())) return std::unexpected("improper constraint: " + part);
    auto found = FindAll(FindRe(), part);
    std::vector<std::string> cs;
    for (const auto& m : found) cs.push_back(m[0]);
    if (cs.empty()) cs.push_back(part);
    std::vector<Constraint> ands;
    for (const auto& s : cs) {
      SPRIG_TRY(pc, ParseConstraint(s));
      ands.push_back(std::move(pc));
    }
    ors.push_back(std::move(ands));
    if (bar == std::string::npos) break;
    start = bar + 2;
  }
  return ors;
}

std::string VersionString(const Value& v) {
  std::string s = std::to_string(v.value("Major", uint64_t{0})) + "." +
                  std::to_string(v.value("Minor", uint64_t{0})) + "." +
                  std::to_string(v.value("Patch", uint64_t{0}));
  std::string pre = v.value("Prerelease", std::string());
  std::string meta = v.value("Metadata", std::string());
  if (!pre.empty()) s += "-" + pre;
  if (!meta.empty()) s += "+" + meta;
  return s;
}

}  // namespace

void AddSemverFunctions(FuncMap& m) {
  RegisterGoStringer(std::string(kSemverType),
                     [](const Value& v) -> std::optional<std::string> { return VersionString(v); });
  // *semver.Version's accessor methods ({{ (semver "1.2.3").Major }}).
  for (const char* field : {"Major", "Minor", "Patch", "Prerelease", "Metadata", "Original"}) {
    std::string f = field;
    RegisterGoMethod(std::string(kSemverType), f, 0,
                     [f](const Value& v, std::span<const Value>) -> Result { return v[f]; });
  }
  RegisterGoMethod(
      std::string(kSemverType), "String", 0,
      [](const Value& v, std::span<const Value>) -> Result { return VersionString(v); });
  Def(m, "semver", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    SPRIG_TRY(v, NewVersion(s));
    Value out = Value::object();
    out[std::string(kGoTypeKey)] = std::string(kSemverType);
    out["Major"] = v.major;
    out["Minor"] = v.minor;
    out["Patch"] = v.patch;
    out["Prerelease"] = v.pre;
    out["Metadata"] = v.metadata;
    out["Original"] = v.original;
    return out;
  });
  Def(m, "semverCompare", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(constraint, StringParam(a[0]));
    SPRIG_TRY(version, StringParam(a[1]));
    SPRIG_TRY(cs, NewConstraint(constraint));
    SPRIG_TRY(v, NewVersion(version));
    for (const auto& ands : cs) {
      bool ok = true;
      for (const auto& c : ands) {
        if (!Check(v, c)) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    return false;
  });
}

}  // namespace keelson::charts::sprig
