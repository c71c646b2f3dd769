// Sprig's string functions (strings.go and the goutils/xstrings helpers it calls), with Go's
// byte-oriented indexing and Unicode rules.
#include <algorithm>
#include <random>

#include <openssl/rand.h>

#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

namespace {

// Go's s[lo:hi] with the runtime's panic message when out of range.
Expected<std::string> GoSlice(const std::string& s, int64_t lo, int64_t hi) {
  int64_t len = static_cast<int64_t>(s.size());
  if (hi < 0 || hi > len) {
    return std::unexpected("runtime error: slice bounds out of range [:" + std::to_string(hi) +
                           "] with length " + std::to_string(len));
  }
  if (lo < 0 || lo > hi) {
    return std::unexpected("runtime error: slice bounds out of range [" + std::to_string(lo) + ":" +
                           std::to_string(hi) + "]");
  }
  return s.substr(lo, hi - lo);
}

// goutils.AbbreviateFull; the error cases return "" as Sprig ignores the error.
std::string AbbreviateFull(const std::string& str, int64_t offset, int64_t max_width) {
  if (str.empty()) return "";
  if (max_width < 4) return "";
  int64_t len = static_cast<int64_t>(str.size());
  if (len <= max_width) return str;
  if (offset > len) offset = len;
  if (len - offset < max_width - 3) offset = len - (max_width - 3);
  if (offset <= 4) return str.substr(0, max_width - 3) + "...";
  if (max_width < 7) return "";
  if (offset + max_width - 3 < len) {
    return "..." + AbbreviateFull(str.substr(offset), 0, max_width - 3);
  }
  return "..." + str.substr(len - (max_width - 3));
}

bool InCutset(char32_t r, const std::u32string& cutset) {
  return cutset.find(r) != std::u32string::npos;
}

std::string GoTrim(const std::string& s, const std::string& cutset, bool left, bool right) {
  std::u32string rs = DecodeUtf8(s);
  std::u32string cs = DecodeUtf8(cutset);
  size_t b = 0, e = rs.size();
  if (left)
    while (b < e && InCutset(rs[b], cs)) ++b;
  if (right)
    while (e > b && InCutset(rs[e - 1], cs)) --e;
  // Re-slice the original bytes so invalid UTF-8 outside the trimmed runes is kept.
  size_t byte_b = EncodeUtf8(rs.substr(0, b)).size();
  size_t byte_e = s.size() - EncodeUtf8(rs.substr(e)).size();
  if (byte_b > byte_e) return "";
  return s.substr(byte_b, byte_e - byte_b);
}

std::string TrimSpace(const std::string& s) {
  std::u32string rs = DecodeUtf8(s);
  size_t b = 0, e = rs.size();
  while (b < e && IsSpace(rs[b])) ++b;
  while (e > b && IsSpace(rs[e - 1])) --e;
  size_t byte_b = EncodeUtf8(rs.substr(0, b)).size();
  size_t byte_e = s.size() - EncodeUtf8(rs.substr(e)).size();
  if (byte_b > byte_e) return "";
  return s.substr(byte_b, byte_e - byte_b);
}

std::string MapRunes(const std::string& s, char32_t (*f)(char32_t)) {
  std::u32string rs = DecodeUtf8(s);
  for (auto& r : rs) r = f(r);
  return EncodeUtf8(rs);
}

// strings.Title: the first letter of each word, words separated by non-letters/digits.
std::string Title(const std::string& s) {
  auto is_separator = [](char32_t r) {
    if (r <= 0x7F) {
      if ((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_')
        return false;
      return true;
    }
    if (IsLetter(r) || IsDigit(r)) return false;
    return IsSpace(r);
  };
  std::u32string rs = DecodeUtf8(s);
  char32_t prev = ' ';
  for (auto& r : rs) {
    char32_t cur = r;
    if (is_separator(prev)) r = ToTitle(r);
    prev = cur;
  }
  return EncodeUtf8(rs);
}

// goutils.Uncapitalize with whitespace delimiters.
std::string Untitle(const std::string& s) {
  if (s.empty()) return s;
  std::u32string rs = DecodeUtf8(s);
  bool next = true;
  for (auto& r : rs) {
    if (IsSpace(r)) {
      next = true;
    } else if (next) {
      r = ToLower(r);
      next = false;
    }
  }
  return EncodeUtf8(rs);
}

// goutils.SwapCase.
std::string GoutilsSwapCase(const std::string& s) {
  if (s.empty()) return s;
  std::u32string rs = DecodeUtf8(s);
  bool whitespace = true;
  for (auto& r : rs) {
    if (IsUpper(r) || IsTitleCase(r)) {
      r = ToLower(r);
      whitespace = false;
    } else if (IsLower(r)) {
      r = whitespace ? ToTitle(r) : ToUpper(r);
      whitespace = false;
    } else {
      whitespace = IsSpace(r);
    }
  }
  return EncodeUtf8(rs);
}

// goutils works byte by byte and writes each byte back as a rune (Latin-1 re-encoding).
void WriteByteRune(std::string& out, unsigned char c) { AppendUtf8(out, c); }

std::string Initials(const std::string& s) {
  std::string out;
  bool gap = true;
  for (unsigned char c : s) {
    if (IsSpace(c)) {
      gap = true;
    } else if (gap) {
      WriteByteRune(out, c);
      gap = false;
    }
  }
  return out;
}

std::string DeleteWhiteSpace(const std::string& s) {
  std::string out;
  size_t count = 0;
  for (unsigned char c : s) {
    if (!IsSpace(c)) {
      WriteByteRune(out, c);
      ++count;
    }
  }
  if (count == s.size()) return s;
  return out;
}

// goutils.WrapCustom.
std::string WrapCustom(const std::string& str, int64_t wrap_length, std::string new_line,
                       bool wrap_long_words) {
  if (str.empty()) return "";
  if (new_line.empty()) new_line = "\n";
  if (wrap_length < 1) wrap_length = 1;
  int64_t input_len = static_cast<int64_t>(str.size());
  int64_t offset = 0;
  std::string out;
  while (input_len - offset > wrap_length) {
    if (str[offset] == ' ') {
      ++offset;
      continue;
    }
    int64_t end = wrap_length + offset + 1;
    std::string window = str.substr(offset, end - offset);
    auto last = window.rfind(' ');
    int64_t space_at = (last == std::string::npos ? -1 : static_cast<int64_t>(last)) + offset;
    if (space_at >= offset) {
      out += str.substr(offset, space_at - offset);
      out += new_line;
      offset = space_at + 1;
    } else if (wrap_long_words) {
      out += str.substr(offset, wrap_length);
      out += new_line;
      offset += wrap_length;
    } else {
      int64_t e2 = wrap_length + offset;
      auto idx = str.find(' ', e2);
      if (idx != std::string::npos) {
        out += str.substr(offset, idx - offset);
        out += new_line;
        offset = static_cast<int64_t>(idx) + 1;
      } else {
        out += str.substr(offset);
        offset = input_len;
      }
    }
  }
  out += str.substr(offset);
  return out;
}

// ---- huandu/xstrings v1.5 ----

bool IsConnector(char32_t r) { return r == '-' || r == '_' || IsSpace(r); }
bool IsAlphabet(char32_t r) { return IsLetter(r); }

// xstrings.ToPascalCase (Sprig's camelcase).
std::string ToPascalCase(const std::string& s) {
  if (s.empty()) return "";
  std::u32string rs = DecodeUtf8(s);
  std::u32string out;
  size_t i = 0;
  bool first_upper = false;
  char32_t r0 = 0, r1 = 0;
  bool have = false;
  while (i < rs.size()) {
    r0 = rs[i++];
    have = true;
    if (!IsConnector(r0)) {
      first_upper = IsUpper(r0);
      r0 = ToUpper(r0);
      break;
    }
    out.push_back(r0);
  }
  if (i >= rs.size()) {
    if (have && !IsConnector(r0)) out.push_back(r0);
    return EncodeUtf8(out);
  }
  while (i < rs.size()) {
    r1 = r0;
    r0 = rs[i++];
    if (IsConnector(r0) && IsConnector(r1)) {
      out.push_back(r1);
      continue;
    }
    if (IsConnector(r1)) {
      first_upper = IsUpper(r0);
      r0 = ToUpper(r0);
    } else {
      if (first_upper) {
        if (IsUpper(r0)) {
          r0 = ToLower(r0);
        } else {
          first_upper = false;
        }
      }
      out.push_back(r1);
    }
  }
  out.push_back(r0);
  return EncodeUtf8(out);
}

enum class WordType { kInvalid, kNumber, kUpper, kAlphabet, kConnector, kPunct, kOther };

struct Word {
  WordType type = WordType::kInvalid;
  std::u32string text;
};

// xstrings nextWord over runes (invalid bytes were already mapped to U+FFFD).
Word NextWord(const std::u32string& s, size_t& pos) {
  Word w;
  if (pos >= s.size()) return w;
  size_t start = pos;
  char32_t r = s[pos++];
  if (r == 0xFFFD) {
    w.type = WordType::kInvalid;
  } else if (IsConnector(r)) {
    w.type = WordType::kConnector;
    while (pos < s.size() && IsConnector(s[pos])) ++pos;
  } else if (IsPunct(r)) {
    w.type = WordType::kPunct;
    while (pos < s.size() && IsPunct(s[pos])) ++pos;
  } else if (IsUpper(r)) {
    w.type = WordType::kUpper;
    if (pos < s.size()) {
      char32_t n = s[pos];
      if (IsUpper(n)) {
        ++pos;
        while (pos < s.size() && IsUpper(s[pos])) ++pos;
        // "HTTPStatus" splits into "HTTP" and "Status".
        if (pos < s.size() && IsAlphabet(s[pos])) --pos;
      } else if (IsAlphabet(n)) {
        ++pos;
        while (pos < s.size() && IsAlphabet(s[pos]) && !IsUpper(s[pos])) ++pos;
      }
    }
  } else if (IsAlphabet(r)) {
    w.type = WordType::kAlphabet;
    while (pos < s.size() && IsAlphabet(s[pos]) && !IsUpper(s[pos])) ++pos;
  } else if (IsNumber(r)) {
    w.type = WordType::kNumber;
    while (pos < s.size() && IsNumber(s[pos])) ++pos;
  } else {
    w.type = WordType::kOther;
    while (pos < s.size() && !IsConnector(s[pos]) && !IsAlphabet(s[pos]) && !IsNumber(s[pos]) &&
           !IsPunct(s[pos]))
      ++pos;
  }
  w.text = s.substr(start, pos - start);
  return w;
}

void ToLowerWord(std::u32string& buf, WordType wt, const std::u32string& str, char32_t connector) {
  if (wt != WordType::kUpper && wt != WordType::kConnector) {
    buf += str;
    return;
  }
  for (char32_t r : str) {
    if (IsConnector(r)) {
      buf.push_back(connector);
    } else if (IsUpper(r)) {
      buf.push_back(ToLower(r));
    } else {
      buf.push_back(r);
    }
  }
}

// xstrings camelCaseToLowerCase (snakecase/kebabcase).
std::string CamelCaseToLowerCase(const std::string& str, char32_t connector) {
  if (str.empty()) return "";
  std::u32string s = DecodeUtf8(str);
  std::u32string buf;
  size_t pos = 0;
  Word w = NextWord(s, pos);
  while (pos < s.size()) {
    if (w.type != WordType::kConnector) ToLowerWord(buf, w.type, w.text, connector);
    WordType prev = w.type;
    std::u32string last = w.text;
    w = NextWord(s, pos);
    switch (prev) {
      case WordType::kNumber:
        while (w.type == WordType::kAlphabet || w.type == WordType::kNumber) {
          ToLowerWord(buf, w.type, w.text, connector);
          w = NextWord(s, pos);
        }
        if (w.type != WordType::kInvalid && w.type != WordType::kPunct &&
            w.type != WordType::kConnector) {
          buf.push_back(connector);
        }
        break;
      case WordType::kConnector:
        ToLowerWord(buf, prev, last, connector);
        break;
      case WordType::kPunct:
        break;
      default: {
        if (w.type != WordType::kNumber) {
          if (w.type != WordType::kConnector && w.type != WordType::kPunct) {
            buf.push_back(connector);
          }
          break;
        }
        if (pos >= s.size()) break;
        std::u32string num = w.text;
        w = NextWord(s, pos);
        if (w.type != WordType::kAlphabet) {
          ToLowerWord(buf, WordType::kNumber, num, connector);
          if (w.type != WordType::kConnector && w.type != WordType::kPunct) {
            buf.push_back(connector);
          }
          break;
        }
        buf.push_back(connector);
        ToLowerWord(buf, WordType::kNumber, num, connector);
        while (w.type == WordType::kAlphabet || w.type == WordType::kNumber) {
          ToLowerWord(buf, w.type, w.text, connector);
          w = NextWord(s, pos);
        }
        if (w.type != WordType::kInvalid && w.type != WordType::kConnector &&
            w.type != WordType::kPunct) {
          buf.push_back(connector);
        }
      }
    }
  }
  ToLowerWord(buf, w.type, w.text, connector);
  return EncodeUtf8(buf);
}

// A uniform random integer in [0, n) from OpenSSL's CSPRNG (Go's crypto/rand.Int).
uint64_t CryptoRandomInt(uint64_t n) {
  if (n <= 1) return 0;
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    uint64_t x = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&x), sizeof x) != 1) {
      x = std::random_device{}();
      x = (x << 32) ^ std::random_device{}();
    }
    if (x < limit) return x % n;
  }
}

// goutils.CryptoRandom restricted to the ASCII ranges Sprig uses.
std::string CryptoRandom(int64_t count, bool letters, bool numbers, char32_t start, char32_t end) {
  if (count <= 0) return "";
  std::string out;
  while (static_cast<int64_t>(out.size()) < count) {
    char32_t ch = static_cast<char32_t>(CryptoRandomInt(end - start) + start);
    if ((letters && IsLetter(ch)) || (numbers && IsDigit(ch)) || (!letters && !numbers)) {
      out.push_back(static_cast<char>(ch));
    }
  }
  return out;
}

std::vector<std::string> GoSplit(const std::string& s, const std::string& sep, int64_t n) {
  std::vector<std::string> out;
  if (n == 0) return out;
  if (sep.empty()) {
    // Split after each UTF-8 sequence.
    std::u32string rs = DecodeUtf8(s);
    size_t off = 0;
    for (size_t i = 0; i < rs.size(); ++i) {
      if (n > 0 && static_cast<int64_t>(out.size()) == n - 1) {
        out.push_back(s.substr(off));
        return out;
      }
      size_t len = 1;
      unsigned char c = static_cast<unsigned char>(s[off]);
      if (rs[i] != 0xFFFD || (off + 3 <= s.size() && s.compare(off, 3, "\xEF\xBF\xBD") == 0)) {
        len = c < 0x80 ? 1 : rs[i] < 0x800 ? 2 : rs[i] < 0x10000 ? 3 : 4;
      }
      out.push_back(s.substr(off, len));
      off += len;
    }
    return out;
  }
  size_t start = 0;
  while (true) {
    if (n > 0 && static_cast<int64_t>(out.size()) == n - 1) break;
    auto p = s.find(sep, start);
    if (p == std::string::npos) break;
    out.push_back(s.substr(start, p - start));
    start = p + sep.size();
  }
  out.push_back(s.substr(start));
  return out;
}

Value SplitMap(const std::vector<std::string>& parts) {
  Value m = Value::object();
  for (size_t i = 0; i < parts.size(); ++i) m["_" + std::to_string(i)] = parts[i];
  return m;
}

std::string StringsReplace(const std::string& src, const std::string& from, const std::string& to) {
  if (from.empty()) {
    // Go inserts `to` before each rune and at the end.
    std::vector<std::string> runes = GoSplit(src, "", -1);
    std::string out = to;
    for (const auto& r : runes) out += r + to;
    return out;
  }
  std::string out;
  size_t start = 0;
  while (true) {
    auto p = src.find(from, start);
    if (p == std::string::npos) break;
    out += src.substr(start, p - start) + to;
    start = p + from.size();
  }
  return out + src.substr(start);
}

}  // namespace

// Sprig's strslice (toStrings, join, sortAlpha): lists become their elements' strval, nil
// elements dropped; nil becomes an empty list; anything else a one-element list.
Value StrSlice(const Value& v) {
  Value out = Value::array();
  if (v.is_array()) {
    for (const auto& e : v)
      if (!e.is_null()) out.push_back(Strval(e));
    return out;
  }
  if (v.is_null()) return out;
  out.push_back(Strval(v));
  return out;
}

std::string JoinStrings(const Value& list, const std::string& sep) {
  std::string out;
  bool first = true;
  for (const auto& e : list) {
    if (!first) out += sep;
    first = false;
    out += e.get<std::string>();
  }
  return out;
}

void AddStringFunctions(FuncMap& m) {
  Def(m, "abbrev", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(w, IntParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    if (w < 4) return s;
    return AbbreviateFull(s, 0, w);
  });
  Def(m, "abbrevboth", 3, 3, [](Args a) -> Result {
    SPRIG_TRY(left, IntParam(a[0]));
    SPRIG_TRY(right, IntParam(a[1]));
    SPRIG_TRY(s, StringParam(a[2]));
    if (right < 4 || (left > 0 && right < 7)) return s;
    return AbbreviateFull(s, left, right);
  });
  Def(m, "trunc", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(c, IntParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    int64_t len = static_cast<int64_t>(s.size());
    if (c < 0 && len + c > 0) return s.substr(len + c);
    if (c >= 0 && len > c) return s.substr(0, c);
    return s;
  });
  Def(m, "trim", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return TrimSpace(s);
  });
  Def(m, "upper", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return MapRunes(s, ToUpper);
  });
  Def(m, "lower", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return MapRunes(s, ToLower);
  });
  Def(m, "title", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return Title(s);
  });
  Def(m, "untitle", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return Untitle(s);
  });
  Def(m, "substr", 3, 3, [](Args a) -> Result {
    SPRIG_TRY(start, IntParam(a[0]));
    SPRIG_TRY(end, IntParam(a[1]));
    SPRIG_TRY(s, StringParam(a[2]));
    int64_t len = static_cast<int64_t>(s.size());
    if (start < 0) return GoSlice(s, 0, end);
    if (end < 0 || end > len) return GoSlice(s, start, len);
    return GoSlice(s, start, end);
  });
  Def(m, "repeat", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(count, IntParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    if (count < 0) return std::unexpected("strings: negative Repeat count");
    if (!s.empty() && static_cast<uint64_t>(count) > (uint64_t{1} << 31) / s.size()) {
      return std::unexpected("strings: Repeat output length overflow");
    }
    std::string out;
    out.reserve(s.size() * count);
    for (int64_t i = 0; i < count; ++i) out += s;
    return out;
  });
  for (const char* name : {"trimall", "trimAll"}) {
    Def(m, name, 2, 2, [](Args a) -> Result {
      SPRIG_TRY(cut, StringParam(a[0]));
      SPRIG_TRY(s, StringParam(a[1]));
      return GoTrim(s, cut, true, true);
    });
  }
  Def(m, "trimSuffix", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(suf, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    if (s.ends_with(suf)) return s.substr(0, s.size() - suf.size());
    return s;
  });
  Def(m, "trimPrefix", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(pre, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    if (s.starts_with(pre)) return s.substr(pre.size());
    return s;
  });
  Def(m, "nospace", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return DeleteWhiteSpace(s);
  });
  Def(m, "initials", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return Initials(s);
  });
  Def(m, "randAlphaNum", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(n, IntParam(a[0]));
    return CryptoRandom(n, true, true, ' ', 'z' + 1);
  });
  Def(m, "randAlpha", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(n, IntParam(a[0]));
    return CryptoRandom(n, true, false, ' ', 'z' + 1);
  });
  Def(m, "randAscii", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(n, IntParam(a[0]));
    return CryptoRandom(n, false, false, 32, 127);
  });
  Def(m, "randNumeric", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(n, IntParam(a[0]));
    return CryptoRandom(n, false, true, ' ', 'z' + 1);
  });
  Def(m, "swapcase", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return GoutilsSwapCase(s);
  });
  Def(m, "shuffle", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    std::u32string rs = DecodeUtf8(s);
    for (size_t i = rs.size(); i-- > 1;) {
      size_t j = CryptoRandomInt(i + 1);
      std::swap(rs[i], rs[j]);
    }
    return EncodeUtf8(rs);
  });
  Def(m, "snakecase", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return CamelCaseToLowerCase(s, '_');
  });
  Def(m, "kebabcase", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return CamelCaseToLowerCase(s, '-');
  });
  Def(m, "camelcase", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return ToPascalCase(s);
  });
  Def(m, "wrap", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(l, IntParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    return WrapCustom(s, l, "", false);
  });
  Def(m, "wrapWith", 3, 3, [](Args a) -> Result {
    SPRIG_TRY(l, IntParam(a[0]));
    SPRIG_TRY(sep, StringParam(a[1]));
    SPRIG_TRY(s, StringParam(a[2]));
    return WrapCustom(s, l, sep, true);
  });
  Def(m, "contains", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(sub, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    return s.find(sub) != std::string::npos;
  });
  Def(m, "hasPrefix", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(sub, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    return s.starts_with(sub);
  });
  Def(m, "hasSuffix", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(sub, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    return s.ends_with(sub);
  });
  Def(m, "quote", 0, kVariadic, [](Args a) -> Result {
    std::string out;
    bool first = true;
    for (const auto& v : a) {
      if (v.is_null()) continue;
      if (!first) out += " ";
      first = false;
      out += GoQuote(Strval(v));
    }
    return out;
  });
  Def(m, "squote", 0, kVariadic, [](Args a) -> Result {
    std::string out;
    bool first = true;
    for (const auto& v : a) {
      if (v.is_null()) continue;
      if (!first) out += " ";
      first = false;
      out += "'" + FormatValue(v) + "'";
    }
    return out;
  });
  Def(m, "cat", 0, kVariadic, [](Args a) -> Result {
    std::string out;
    bool first = true;
    for (const auto& v : a) {
      if (v.is_null()) continue;
      if (!first) out += " ";
      first = false;
      out += FormatValue(v);
    }
    return out;
  });
  Def(m, "indent", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(n, IntParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    if (n < 0) return std::unexpected("strings: negative Repeat count");
    std::string pad(n, ' ');
    return pad + StringsReplace(s, "\n", "\n" + pad);
  });
  Def(m, "nindent", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(n, IntParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    if (n < 0) return std::unexpected("strings: negative Repeat count");
    std::string pad(n, ' ');
    return "\n" + pad + StringsReplace(s, "\n", "\n" + pad);
  });
  Def(m, "replace", 3, 3, [](Args a) -> Result {
    SPRIG_TRY(from, StringParam(a[0]));
    SPRIG_TRY(to, StringParam(a[1]));
    SPRIG_TRY(s, StringParam(a[2]));
    return StringsReplace(s, from, to);
  });
  Def(m, "plural", 3, 3, [](Args a) -> Result {
    SPRIG_TRY(one, StringParam(a[0]));
    SPRIG_TRY(many, StringParam(a[1]));
    SPRIG_TRY(n, IntParam(a[2]));
    return n == 1 ? one : many;
  });
  Def(m, "toString", 1, 1, [](Args a) -> Result { return Strval(a[0]); });
  Def(m, "atoi", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    // strconv.Atoi: base 10, optional sign; errors give 0.
    return ParseGoInt(s, 10).value_or(0);
  });
  Def(m, "split", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(sep, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    return SplitMap(GoSplit(s, sep, -1));
  });
  Def(m, "splitn", 3, 3, [](Args a) -> Result {
    SPRIG_TRY(sep, StringParam(a[0]));
    SPRIG_TRY(n, IntParam(a[1]));
    SPRIG_TRY(s, StringParam(a[2]));
    return SplitMap(GoSplit(s, sep, n));
  });
  Def(m, "splitList", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(sep, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    Value out = Value::array();
    for (auto& p : GoSplit(s, sep, -1)) out.push_back(std::move(p));
    return out;
  });
  Def(m, "toStrings", 1, 1, [](Args a) -> Result { return StrSlice(a[0]); });
  Def(m, "join", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(sep, StringParam(a[0]));
    return JoinStrings(StrSlice(a[1]), sep);
  });
  Def(m, "sortAlpha", 1, 1, [](Args a) -> Result {
    if (!a[0].is_array()) {
      Value out = Value::array();
      out.push_back(Strval(a[0]));
      return out;
    }
    Value list = StrSlice(a[0]);
    std::vector<std::string> v;
    for (auto& e : list) v.push_back(e.get<std::string>());
    std::sort(v.begin(), v.end());
    return Value(v);
  });
}

}  // namespace keelson::charts::sprig
