// Sprig's regex functions over RE2, reproducing Go's regexp package: leftmost-first matching,
// FindAll/ReplaceAll/Split iteration rules for empty matches, $1/${name} expansion, and Go's
// error texts ("error parsing regexp: missing closing ): `(`").
#include <map>
#include <memory>
#include <mutex>

#include <re2/re2.h>

#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

namespace {

std::string GoErrorCode(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case RE2::ErrorBadCharClass:
      return "invalid character class";
    case RE2::ErrorBadCharRange:
      return "invalid character class range";
    case RE2::ErrorMissingBracket:
      return "missing closing ]";
    case RE2::ErrorMissingParen:
      return "missing closing )";
    case RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    case RE2::ErrorPatternTooLarge:
      return "expression too large";
    default:
      return "invalid regular expression";
  }
}

// Go's regexp.Compile, cached (templates call the same expressions repeatedly).
Expected<std::shared_ptr<const RE2>> Compile(const std::string& expr) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const RE2>, std::less<>> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(expr);
    if (it != cache.end()) return it->second;
  }
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_encoding(RE2::Options::EncodingUTF8);
  auto re = std::make_shared<const RE2>(expr, opts);
  if (!re->ok()) {
    std::string arg = re->error_arg();
    RE2::ErrorCode code = re->error_code();
    // RE2 reports an unmatched ')' as a missing paren; Go says "unexpected )".
    if (code == RE2::ErrorMissingParen && arg.find('(') == std::string::npos &&
        arg.find(')') != std::string::npos) {
      return std::unexpected("error parsing regexp: unexpected ): `" + expr + "`");
    }
    if (arg.empty()) arg = expr;
    return std::unexpected("error parsing regexp: " + GoErrorCode(code) + ": `" + arg + "`");
  }
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() > 512) cache.clear();
  cache.emplace(expr, re);
  return re;
}

// regexp.MustCompile's panic text, which text/template reports as the call's error.
std::string MustCompileError(const std::string& expr, const std::string& err) {
  bool backquote = expr.find('`') == std::string::npos;
  for (unsigned char c : expr)
    if ((c < 0x20 && c != '\t') || c == 0x7f) backquote = false;
  std::string q = backquote ? "`" + expr + "`" : GoQuote(expr);
  return "regexp: Compile(" + q + "): " + err;
}

Expected<std::shared_ptr<const RE2>> MustCompile(const std::string& expr) {
  auto re = Compile(expr);
  if (!re) return std::unexpected(MustCompileError(expr, re.error()));
  return re;
}

// One match at or after `pos`: submatch byte offsets (-1 when a group did not participate).
bool MatchAt(const RE2& re, std::string_view s, size_t pos, std::vector<int64_t>& m) {
  int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> sub(n);
  if (!re.Match(s, pos, s.size(), RE2::UNANCHORED, sub.data(), n)) return false;
  m.assign(2 * n, -1);
  for (int i = 0; i < n; ++i) {
    if (sub[i].data() == nullptr) continue;
    m[2 * i] = sub[i].data() - s.data();
    m[2 * i + 1] = m[2 * i] + static_cast<int64_t>(sub[i].size());
  }
  return true;
}

size_t RuneWidthAt(std::string_view s, size_t pos) {
  if (pos >= s.size()) return 1;
  unsigned char c = static_cast<unsigned char>(s[pos]);
  if (c < 0x80) return 1;
  std::u32string r = DecodeUtf8(s.substr(pos, std::min<size_t>(4, s.size() - pos)));
  if (r.empty() || (r[0] == 0xFFFD && s.substr(pos, 3) != "\xEF\xBF\xBD")) return 1;
  return r[0] < 0x800 ? 2 : r[0] < 0x10000 ? 3 : 4;
}

// Go's allMatches: every match, skipping an empty match right after the previous one.
std::vector<std::vector<int64_t>> AllMatches(const RE2& re, std::string_view s, int64_t n) {
  std::vector<std::vector<int64_t>> out;
  if (n < 0) n = static_cast<int64_t>(s.size()) + 1;
  size_t pos = 0;
  int64_t prev_end = -1;
  std::vector<int64_t> m;
  while (static_cast<int64_t>(out.size()) < n && pos <= s.size()) {
    if (!MatchAt(re, s, pos, m)) break;
    bool accept = true;
    if (m[1] == static_cast<int64_t>(pos)) {
      if (m[0] == prev_end) accept = false;
      pos += RuneWidthAt(s, pos);
    } else {
      pos = static_cast<size_t>(m[1]);
    }
    prev_end = m[1];
    if (accept) out.push_back(m);
  }
  return out;
}

bool IsWordRune(char32_t r) { return IsLetter(r) || IsDigit(r) || r == '_'; }

// Go's Regexp.Expand of `tmpl` for one match.
void Expand(std::string& dst, std::string_view tmpl, const RE2& re, std::string_view src,
            const std::vector<int64_t>& m) {
  const auto& names = re.NamedCapturingGroups();
  while (!tmpl.empty()) {
    auto d = tmpl.find('$');
    if (d == std::string_view::npos) break;
    dst.append(tmpl.substr(0, d));
    tmpl.remove_prefix(d + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      dst.push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    // extract(): a name of letters, digits and underscores, optionally in braces.
    std::string_view str = tmpl;
    bool brace = false;
    if (!str.empty() && str[0] == '{') {
      brace = true;
      str.remove_prefix(1);
    }
    size_t i = 0;
    while (i < str.size()) {
      size_t w = RuneWidthAt(str, i);
      std::u32string r = DecodeUtf8(str.substr(i, w));
      if (r.empty() || !IsWordRune(r[0])) break;
      i += w;
    }
    bool ok = i > 0;
    std::string name(str.substr(0, i));
    if (ok && brace) {
      if (i >= str.size() || str[i] != '}') {
        ok = false;
      } else {
        ++i;
      }
    }
    if (!ok) {
      dst.push_back('$');
      continue;
    }
    tmpl = str.substr(i);
    int64_t num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name[0] == '0' && name.size() > 1) num = -1;
    if (num < 0) {
      auto it = names.find(name);
      if (it == names.end()) continue;
      num = it->second;
    }
    if (2 * num + 1 < static_cast<int64_t>(m.size()) && m[2 * num] >= 0) {
      dst.append(src.substr(m[2 * num], m[2 * num + 1] - m[2 * num]));
    }
  }
  dst.append(tmpl);
}

// Go's replaceAll.
std::string ReplaceAll(const RE2& re, const std::string& src, const std::string& repl,
                       bool literal) {
  std::string buf;
  size_t last_end = 0;
  size_t search = 0;
  std::vector<int64_t> m;
  while (search <= src.size()) {
    if (!MatchAt(re, src, search, m)) break;
    buf.append(src, last_end, m[0] - last_end);
    if (m[1] > static_cast<int64_t>(last_end) || m[0] == 0) {
      if (literal) {
        buf += repl;
      } else {
        Expand(buf, repl, re, src, m);
      }
    }
    last_end = static_cast<size_t>(m[1]);
    size_t width = search < src.size() ? RuneWidthAt(src, search) : 0;
    if (search + width > static_cast<size_t>(m[1])) {
      search += width;
    } else if (search + 1 > static_cast<size_t>(m[1])) {
      ++search;
    } else {
      search = static_cast<size_t>(m[1]);
    }
  }
  buf.append(src, last_end, std::string::npos);
  return buf;
}

Value Split(const RE2& re, const std::string& expr, const std::string& s, int64_t n) {
  Value out = Value::array();
  if (n == 0) return out;
  if (!expr.empty() && s.empty()) {
    out.push_back("");
    return out;
  }
  auto matches = AllMatches(re, s, n);
  int64_t beg = 0, end = 0;
  for (const auto& m : matches) {
    if (n > 0 && static_cast<int64_t>(out.size()) == n - 1) break;
    end = m[0];
    if (m[1] != 0) out.push_back(s.substr(beg, end - beg));
    beg = m[1];
  }
  if (end != static_cast<int64_t>(s.size())) out.push_back(s.substr(beg));
  return out;
}

std::string QuoteMeta(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

Value FindAll(const RE2& re, const std::string& s, int64_t n) {
  Value out = Value::array();
  for (const auto& m : AllMatches(re, s, n)) out.push_back(s.substr(m[0], m[1] - m[0]));
  return out;
}

std::string Find(const RE2& re, const std::string& s) {
  std::vector<int64_t> m;
  if (!MatchAt(re, s, 0, m)) return "";
  return s.substr(m[0], m[1] - m[0]);
}

// Registers NAME (compile errors as regexp.MustCompile panics) and mustNAME (compile errors as
// returned errors) around one operation.
void DefPair(FuncMap& m, const std::string& name, size_t nargs,
             std::function<Result(const RE2&, const std::string& expr, Args rest)> op) {
  auto call = [op](bool must, Args a) -> Result {
    SPRIG_TRY(expr, StringParam(a[0]));
    auto re = must ? Compile(expr) : MustCompile(expr);
    if (!re) return std::unexpected(re.error());
    return op(**re, expr, a.subspan(1));
  };
  Def(m, name, nargs, nargs, [call](Args a) { return call(false, a); });
  std::string must = "must" + name;
  must[4] = static_cast<char>(std::toupper(static_cast<unsigned char>(must[4])));
  Def(m, must, nargs, nargs, [call](Args a) { return call(true, a); });
}

}  // namespace

void AddRegexFunctions(FuncMap& m) {
  // regexMatch ignores compile errors (regexp.MatchString's error is dropped): false.
  Def(m, "regexMatch", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(expr, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    auto re = Compile(expr);
    if (!re) return false;
    std::vector<int64_t> mm;
    return MatchAt(**re, s, 0, mm);
  });
  Def(m, "mustRegexMatch", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(expr, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    SPRIG_TRY(re, Compile(expr));
    std::vector<int64_t> mm;
    return MatchAt(*re, s, 0, mm);
  });
  DefPair(m, "regexFindAll", 3, [](const RE2& re, const std::string&, Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    SPRIG_TRY(n, IntParam(a[1]));
    return FindAll(re, s, n);
  });
  DefPair(m, "regexFind", 2, [](const RE2& re, const std::string&, Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return Find(re, s);
  });
  DefPair(m, "regexReplaceAll", 3, [](const RE2& re, const std::string&, Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    SPRIG_TRY(repl, StringParam(a[1]));
    return ReplaceAll(re, s, repl, false);
  });
  DefPair(m, "regexReplaceAllLiteral", 3, [](const RE2& re, const std::string&, Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    SPRIG_TRY(repl, StringParam(a[1]));
    return ReplaceAll(re, s, repl, true);
  });
  DefPair(m, "regexSplit", 3, [](const RE2& re, const std::string& expr, Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    SPRIG_TRY(n, IntParam(a[1]));
    return Split(re, expr, s, n);
  });
  Def(m, "regexQuoteMeta", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return QuoteMeta(s);
  });
}

}  // namespace keelson::charts::sprig
