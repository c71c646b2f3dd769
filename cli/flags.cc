// Go-compatible flag value parsing (time.ParseDuration, strconv.ParseInt/ParseBool).
#include "cli/flags.h"

#include <cctype>
#include <limits>

namespace keelson::cli {
namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

api::Result<int64_t> ParseGoDuration(std::string_view orig) {
  auto invalid = [&] {
    return std::unexpected(api::BadRequest("time: invalid duration " + Quote(orig)));
  };
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return invalid();
  // Accumulate in long double nanoseconds; overflow past int64 is an invalid duration in Go.
  long double total = 0;
  while (!s.empty()) {
    if (!(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) return invalid();
    size_t i = 0;
    bool digits = false;
    long double value = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      value = value * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        value += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return invalid();
    s.remove_prefix(i);
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !std::isdigit(static_cast<unsigned char>(s[u]))) ++u;
    if (u == 0) {
      return std::unexpected(api::BadRequest("time: missing unit in duration " + Quote(orig)));
    }
    std::string_view unit = s.substr(0, u);
    long double mult;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      mult = 1e3L;
    } else if (unit == "ms") {
      mult = 1e6L;
    } else if (unit == "s") {
      mult = 1e9L;
    } else if (unit == "m") {
      mult = 60e9L;
    } else if (unit == "h") {
      mult = 3600e9L;
    } else {
      return std::unexpected(
          api::BadRequest("time: unknown unit " + Quote(unit) + " in duration " + Quote(orig)));
    }
    total += value * mult;
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) return invalid();
    s.remove_prefix(u);
  }
  int64_t ns = static_cast<int64_t>(total);
  return neg ? -ns : ns;
}

api::Result<int64_t> ParseGoInt64(std::string_view s) {
  auto fail = [&](const char* why) {
    return std::unexpected(api::BadRequest("strconv.ParseInt: parsing " + Quote(s) + ": " + why));
  };
  std::string_view t = s;
  bool neg = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  int base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    base = 16;
    t.remove_prefix(2);
  } else if (t.size() > 2 && t[0] == '0' && (t[1] == 'b' || t[1] == 'B')) {
    base = 2;
    t.remove_prefix(2);
  } else if (t.size() > 2 && t[0] == '0' && (t[1] == 'o' || t[1] == 'O')) {
    base = 8;
    t.remove_prefix(2);
  } else if (t.size() > 1 && t[0] == '0') {
    base = 8;
    t.remove_prefix(1);
  }
  if (t.empty()) return fail("invalid syntax");
  unsigned __int128 v = 0;
  bool range = false;
  for (char c : t) {
    if (c == '_') continue;
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      d = c - 'A' + 10;
    } else {
      return fail("invalid syntax");
    }
    if (d >= base) return fail("invalid syntax");
    v = v * base + d;
    if (v > (static_cast<unsigned __int128>(1) << 64)) range = true;
  }
  unsigned __int128 limit =
      static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max()) + (neg ? 1 : 0);
  if (range || v > limit) return fail("value out of range");
  return neg ? static_cast<int64_t>(-static_cast<__int128>(v)) : static_cast<int64_t>(v);
}

api::Result<bool> ParseGoBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
    return false;
  }
  return std::unexpected(
      api::BadRequest("strconv.ParseBool: parsing " + Quote(s) + ": invalid syntax"));
}

std::string InvalidFlagValue(std::string_view value, std::string_view flag, std::string_view why) {
  return "invalid argument " + Quote(value) + " for " + Quote(flag) + " flag: " + std::string(why);
}

}  // namespace keelson::cli
