// Sprig's date functions (date.go) over Go-typed time.Time values: Go's reference-time layouts
// for formatting and parsing, time zones from the system tz database (TZif files, as Go's
// time.LoadLocation reads them), time.Duration parsing and printing.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "charts/sprig_internal.h"
#include "charts/template.h"

namespace keelson::charts::sprig {

namespace {

// ---- Zones ----

struct ZoneType {
  int32_t offset = 0;
  bool dst = false;
  std::string abbr = "UTC";
};

struct Zone {
  std::string name;
  std::vector<ZoneType> types{ZoneType{}};
  std::vector<int64_t> trans;      // transition times (unix seconds), ascending
  std::vector<uint8_t> trans_idx;  // type index in effect from each transition
  // Type in effect after the last transition when the footer rule has no DST (or is unknown).
  std::optional<ZoneType> tail;
};

// Looks up the zone type at unix time `t`; also returns the validity range [start, end).
const ZoneType& Lookup(const Zone& z, int64_t t, int64_t* start = nullptr, int64_t* end = nullptr) {
  if (start) *start = INT64_MIN;
  if (end) *end = INT64_MAX;
  if (z.trans.empty()) return z.tail ? *z.tail : z.types[0];
  auto it = std::upper_bound(z.trans.begin(), z.trans.end(), t);
  if (it == z.trans.begin()) {
    // Before the first transition: the first non-DST type (Go's lookupFirstZone).
    if (end) *end = z.trans.front();
    for (const auto& ty : z.types)
      if (!ty.dst) return ty;
    return z.types[0];
  }
  size_t i = static_cast<size_t>(it - z.trans.begin()) - 1;
  if (start) *start = z.trans[i];
  if (end && i + 1 < z.trans.size()) *end = z.trans[i + 1];
  if (i + 1 == z.trans.size() && z.tail) return *z.tail;
  return z.types[z.trans_idx[i]];
}

int64_t ReadBE(const std::string& d, size_t off, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(d[off + i]);
  if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

// Parses a TZif file (v1 or the 64-bit v2+ block).
std::optional<Zone> ParseTzif(const std::string& name, const std::string& d) {
  if (d.size() < 44 || d.compare(0, 4, "TZif") != 0) return std::nullopt;
  auto counts = [&](size_t off) {
    std::array<int64_t, 6> c{};
    for (int i = 0; i < 6; ++i) c[i] = ReadBE(d, off + 20 + 4 * i, 4);
    return c;  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  };
  size_t off = 0;
  int tsize = 4;
  auto c = counts(0);
  if (d[4] >= '2') {
    size_t v1len = c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    off = 44 + v1len;
    if (d.size() < off + 44) return std::nullopt;
    c = counts(off);
    tsize = 8;
  }
  size_t p = off + 44;
  size_t need = c[3] * tsize + c[3] + c[4] * 6 + c[5] + c[2] * (tsize + 4) + c[1] + c[0];
  if (d.size() < p + need) return std::nullopt;
  Zone z;
  z.name = name;
  for (int64_t i = 0; i < c[3]; ++i) z.trans.push_back(ReadBE(d, p + i * tsize, tsize));
  p += c[3] * tsize;
  for (int64_t i = 0; i < c[3]; ++i) z.trans_idx.push_back(static_cast<uint8_t>(d[p + i]));
  p += c[3];
  z.types.clear();
  std::vector<std::pair<int32_t, std::pair<bool, uint8_t>>> raw;
  for (int64_t i = 0; i < c[4]; ++i) {
    raw.push_back({static_cast<int32_t>(ReadBE(d, p + i * 6, 4)),
                   {d[p + i * 6 + 4] != 0, static_cast<uint8_t>(d[p + i * 6 + 5])}});
  }
  p += c[4] * 6;
  std::string chars = d.substr(p, c[5]);
  p += c[5] + c[2] * (tsize + 4) + c[1] + c[0];
  for (auto& [offs, rest] : raw) {
    ZoneType t;
    t.offset = offs;
    t.dst = rest.first;
    size_t a = rest.second;
    t.abbr = a < chars.size() ? std::string(chars.c_str() + a) : "";
    z.types.push_back(t);
  }
  if (z.types.empty()) z.types.push_back(ZoneType{});
  for (auto& idx : z.trans_idx)
    if (idx >= z.types.size()) idx = 0;
  // Footer: a POSIX TZ string. Only a rule without DST is used past the last transition; rules
  // with DST keep the last transition's type (the system files list transitions to 2037).
  if (tsize == 8 && p < d.size() && d[p] == '\n') {
    auto e = d.find('\n', p + 1);
    std::string footer = d.substr(p + 1, e == std::string::npos ? std::string::npos : e - p - 1);
    if (!footer.empty() && footer.find(',') == std::string::npos) {
      // "<+03>-3", "UTC0", "EST5": name then offset (hours west).
      size_t i = 0;
      std::string abbr;
      if (footer[0] == '<') {
        auto close = footer.find('>');
        if (close != std::string::npos) {
          abbr = footer.substr(1, close - 1);
          i = close + 1;
        }
      } else {
        while (i < footer.size() && std::isalpha(static_cast<unsigned char>(footer[i]))) ++i;
        abbr = footer.substr(0, i);
      }
      std::string rest = footer.substr(i);
      bool has_dst_name = false;
      for (char ch : rest)
        if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '<') has_dst_name = true;
      if (!has_dst_name && !rest.empty()) {
        int sign = 1;
        size_t k = 0;
        if (rest[k] == '+' || rest[k] == '-') {
          sign = rest[k] == '-' ? -1 : 1;
          ++k;
        }
        int h = 0, mi = 0, se = 0;
        std::sscanf(rest.c_str() + k, "%d:%d:%d", &h, &mi, &se);
        ZoneType t;
        t.abbr = abbr;
        t.offset = -sign * (h * 3600 + mi * 60 + se);
        z.tail = t;
      }
    }
  }
  if (z.trans.empty() && !z.tail) {
    z.tail = z.types[0];
  }
  return z;
}

std::mutex zones_mu;
std::map<std::string, std::shared_ptr<const Zone>> zones;

std::shared_ptr<const Zone> UtcZone() {
  static auto utc = std::make_shared<const Zone>(Zone{"UTC", {ZoneType{}}, {}, {}, ZoneType{}});
  return utc;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Go's time.LoadLocation: "" and "UTC" are UTC, "Local" the process's zone, other names files
// in the tz database. Errors name the zone as Go does ("unknown time zone X").
Expected<std::shared_ptr<const Zone>> LoadZone(const std::string& name) {
  if (name.empty() || name == "UTC") return UtcZone();
  {
    std::lock_guard<std::mutex> lock(zones_mu);
    auto it = zones.find(name);
    if (it != zones.end()) return it->second;
  }
  std::shared_ptr<const Zone> z;
  if (name == "Local") {
    const char* tz = std::getenv("TZ");
    std::optional<std::string> data;
    std::string zname = "Local";
    if (tz != nullptr) {
      std::string t = tz;
      if (!t.empty() && t[0] == ':') t = t.substr(1);
      if (t.empty() || t == "UTC") {
        z = UtcZone();
      } else if (t[0] == '/') {
        data = ReadFile(t);
      } else if (t.find("..") == std::string::npos) {
        data = ReadFile("/usr/share/zoneinfo/" + t);
      }
    } else {
      data = ReadFile("/etc/localtime");
    }
    if (!z) {
      std::optional<Zone> parsed = data ? ParseTzif(zname, *data) : std::nullopt;
      if (parsed) {
        parsed->name = "Local";
        z = std::make_shared<const Zone>(std::move(*parsed));
      } else {
        z = UtcZone();
      }
    }
  } else {
    bool valid = name.find("..") == std::string::npos && name[0] != '/' && name[0] != '\\';
    std::optional<std::string> data;
    if (valid) data = ReadFile("/usr/share/zoneinfo/" + name);
    std::optional<Zone> parsed = data ? ParseTzif(name, *data) : std::nullopt;
    if (!parsed) return std::unexpected("unknown time zone " + name);
    z = std::make_shared<const Zone>(std::move(*parsed));
  }
  std::lock_guard<std::mutex> lock(zones_mu);
  zones[name] = z;
  return z;
}

// ---- Civil time ----

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month, day, hour, minute, second, weekday, yday;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Civil CivilFromUnix(int64_t t) {
  int64_t days = FloorDiv(t, 86400);
  int64_t secs = t - days * 86400;
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  Civil c;
  c.year = y;
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>(secs / 60 % 60);
  c.second = static_cast<int>(secs % 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  c.yday = static_cast<int>(days - DaysFromCivil(y, 1, 1) + 1);
  return c;
}

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }
int DaysIn(int m, int64_t y) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && IsLeap(y)) return 29;
  return kDays[m - 1];
}

const char* kLongDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                           "Thursday", "Friday", "Saturday"};
const char* kLongMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                             "July",    "August",   "September", "October", "November", "December"};

// The zone offset and abbreviation of a time value.
struct ZoneInfo {
  int32_t offset = 0;
  std::string abbr = "UTC";
};

ZoneInfo ZoneOf(const Value& t) {
  std::string loc = t.value("loc", std::string("UTC"));
  int64_t sec = t.value("sec", int64_t{0});
  if (loc.empty()) {
    return ZoneInfo{t.value("offset", 0), t.value("zone", std::string())};
  }
  auto z = LoadZone(loc);
  if (!z) return ZoneInfo{};
  const ZoneType& ty = Lookup(**z, sec);
  return ZoneInfo{ty.offset, ty.abbr};
}

Value MakeTime(int64_t sec, int64_t nsec, const std::string& loc) {
  Value t = Value::object();
  t[std::string(kGoTypeKey)] = std::string(kTimeType);
  t["sec"] = sec;
  t["nsec"] = nsec;
  t["loc"] = loc;
  return t;
}

Value MakeFixedTime(int64_t sec, int64_t nsec, const std::string& zone, int32_t offset) {
  Value t = MakeTime(sec, nsec, "");
  t["zone"] = zone;
  t["offset"] = offset;
  return t;
}

// ---- Layouts ----

enum Std {
  kNone = 0,
  kLongMonth,
  kMonth,
  kNumMonth,
  kZeroMonth,
  kLongWeekDay,
  kWeekDay,
  kDay,
  kUnderDay,
  kZeroDay,
  kUnderYearDay,
  kZeroYearDay,
  kHour,
  kHour12,
  kZeroHour12,
  kMinute,
  kZeroMinute,
  kSecond,
  kZeroSecond,
  kLongYear,
  kYear,
  kPM,
  kpm,
  kTZ,
  kISO8601TZ,
  kISO8601SecondsTZ,
  kISO8601ShortTZ,
  kISO8601ColonTZ,
  kISO8601ColonSecondsTZ,
  kNumTZ,
  kNumSecondsTz,
  kNumShortTZ,
  kNumColonTZ,
  kNumColonSecondsTZ,
  kFracSecond0,
  kFracSecond9,
};

struct Chunk {
  std::string_view prefix;
  int std = kNone;
  int frac_digits = 0;
  char frac_sep = '.';
  std::string_view suffix;
};

bool StartsLower(std::string_view s) { return !s.empty() && s[0] >= 'a' && s[0] <= 'z'; }

// Go's nextStdChunk.
Chunk NextStdChunk(std::string_view l) {
  auto ret = [&](size_t i, int std, size_t len) {
    return Chunk{l.substr(0, i), std, 0, '.', l.substr(i + len)};
  };
  for (size_t i = 0; i < l.size(); ++i) {
    std::string_view r = l.substr(i);
    switch (l[i]) {
      case 'J':
        if (r.starts_with("Jan")) {
          if (r.starts_with("January")) return ret(i, kLongMonth, 7);
          if (!StartsLower(r.substr(3))) return ret(i, kMonth, 3);
        }
        break;
      case 'M':
        if (r.size() >= 3) {
          if (r.starts_with("Mon")) {
            if (r.starts_with("Monday")) return ret(i, kLongWeekDay, 6);
            if (!StartsLower(r.substr(3))) return ret(i, kWeekDay, 3);
          }
          if (r.starts_with("MST")) return ret(i, kTZ, 3);
        }
        break;
      case '0':
        if (r.size() >= 2 && r[1] >= '1' && r[1] <= '6') {
          static const int k0x[] = {kZeroMonth,  kZeroDay,    kZeroHour12,
                                    kZeroMinute, kZeroSecond, kYear};
          return ret(i, k0x[r[1] - '1'], 2);
        }
        if (r.size() >= 3 && r[1] == '0' && r[2] == '2') return ret(i, kZeroYearDay, 3);
        break;
      case '1':
        if (r.size() >= 2 && r[1] == '5') return ret(i, kHour, 2);
        return ret(i, kNumMonth, 1);
      case '2':
        if (r.starts_with("2006")) return ret(i, kLongYear, 4);
        return ret(i, kDay, 1);
      case '_':
        if (r.size() >= 2 && r[1] == '2') {
          if (r.substr(1).starts_with("2006"))
            return Chunk{l.substr(0, i + 1), kLongYear, 0, '.', l.substr(i + 5)};
          return ret(i, kUnderDay, 2);
        }
        if (r.size() >= 3 && r[1] == '_' && r[2] == '2') return ret(i, kUnderYearDay, 3);
        break;
      case '3':
        return ret(i, kHour12, 1);
      case '4':
        return ret(i, kMinute, 1);
      case '5':
        return ret(i, kSecond, 1);
      case 'P':
        if (r.size() >= 2 && r[1] == 'M') return ret(i, kPM, 2);
        break;
      case 'p':
        if (r.size() >= 2 && r[1] == 'm') return ret(i, kpm, 2);
        break;
      case '-':
        if (r.starts_with("-070000")) return ret(i, kNumSecondsTz, 7);
        if (r.starts_with("-07:00:00")) return ret(i, kNumColonSecondsTZ, 9);
        if (r.starts_with("-0700")) return ret(i, kNumTZ, 5);
        if (r.starts_with("-07:00")) return ret(i, kNumColonTZ, 6);
        if (r.starts_with("-07")) return ret(i, kNumShortTZ, 3);
        break;
      case 'Z':
        if (r.starts_with("Z070000")) return ret(i, kISO8601SecondsTZ, 7);
        if (r.starts_with("Z07:00:00")) return ret(i, kISO8601ColonSecondsTZ, 9);
        if (r.starts_with("Z0700")) return ret(i, kISO8601TZ, 5);
        if (r.starts_with("Z07:00")) return ret(i, kISO8601ColonTZ, 6);
        if (r.starts_with("Z07")) return ret(i, kISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (r.size() >= 2 && (r[1] == '0' || r[1] == '9')) {
          char ch = r[1];
          size_t j = 1;
          while (j < r.size() && r[j] == ch) ++j;
          if (!(j < r.size() && r[j] >= '0' && r[j] <= '9')) {
            Chunk c{l.substr(0, i), ch == '0' ? kFracSecond0 : kFracSecond9,
                    static_cast<int>(j - 1), l[i], l.substr(i + j)};
            return c;
          }
        }
        break;
    }
  }
  return Chunk{l, kNone, 0, '.', {}};
}

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  while (static_cast<int>(s.size()) < width) s = "0" + s;
  return (v < 0 ? "-" : "") + s;
}

std::string FormatCivil(std::string_view layout, const Civil& c, int64_t nsec, const ZoneInfo& z) {
  std::string b;
  while (!layout.empty()) {
    Chunk ch = NextStdChunk(layout);
    b.append(ch.prefix);
    if (ch.std == kNone) break;
    layout = ch.suffix;
    switch (ch.std) {
      case kYear:
        b += Pad(((c.year % 100) + 100) % 100, 2);
        break;
      case kLongYear:
        b += Pad(c.year, 4);
        break;
      case kMonth:
        b += std::string(kLongMonths[c.month - 1]).substr(0, 3);
        break;
      case kLongMonth:
        b += kLongMonths[c.month - 1];
        break;
      case kNumMonth:
        b += std::to_string(c.month);
        break;
      case kZeroMonth:
        b += Pad(c.month, 2);
        break;
      case kWeekDay:
        b += std::string(kLongDays[c.weekday]).substr(0, 3);
        break;
      case kLongWeekDay:
        b += kLongDays[c.weekday];
        break;
      case kDay:
        b += std::to_string(c.day);
        break;
      case kUnderDay:
        if (c.day < 10) b.push_back(' ');
        b += std::to_string(c.day);
        break;
      case kZeroDay:
        b += Pad(c.day, 2);
        break;
      case kUnderYearDay:
        if (c.yday < 100) b.push_back(' ');
        if (c.yday < 10) b.push_back(' ');
        b += std::to_string(c.yday);
        break;
      case kZeroYearDay:
        b += Pad(c.yday, 3);
        break;
      case kHour:
        b += Pad(c.hour, 2);
        break;
      case kHour12:
      case kZeroHour12: {
        int hr = c.hour % 12;
        if (hr == 0) hr = 12;
        b += ch.std == kHour12 ? std::to_string(hr) : Pad(hr, 2);
        break;
      }
      case kMinute:
        b += std::to_string(c.minute);
        break;
      case kZeroMinute:
        b += Pad(c.minute, 2);
        break;
      case kSecond:
        b += std::to_string(c.second);
        break;
      case kZeroSecond:
        b += Pad(c.second, 2);
        break;
      case kPM:
        b += c.hour >= 12 ? "PM" : "AM";
        break;
      case kpm:
        b += c.hour >= 12 ? "pm" : "am";
        break;
      case kISO8601TZ:
      case kISO8601ColonTZ:
      case kISO8601SecondsTZ:
      case kISO8601ShortTZ:
      case kISO8601ColonSecondsTZ:
      case kNumTZ:
      case kNumColonTZ:
      case kNumSecondsTz:
      case kNumShortTZ:
      case kNumColonSecondsTZ: {
        bool iso = ch.std == kISO8601TZ || ch.std == kISO8601ColonTZ ||
                   ch.std == kISO8601SecondsTZ || ch.std == kISO8601ShortTZ ||
                   ch.std == kISO8601ColonSecondsTZ;
        if (z.offset == 0 && iso) {
          b.push_back('Z');
          break;
        }
        int zone = z.offset / 60;
        int absoffset = z.offset;
        if (zone < 0) {
          b.push_back('-');
          zone = -zone;
          absoffset = -absoffset;
        } else {
          b.push_back('+');
        }
        b += Pad(zone / 60, 2);
        bool colon = ch.std == kISO8601ColonTZ || ch.std == kNumColonTZ ||
                     ch.std == kISO8601ColonSecondsTZ || ch.std == kNumColonSecondsTZ;
        if (colon) b.push_back(':');
        if (ch.std != kNumShortTZ && ch.std != kISO8601ShortTZ) b += Pad(zone % 60, 2);
        if (ch.std == kISO8601SecondsTZ || ch.std == kNumSecondsTz ||
            ch.std == kNumColonSecondsTZ || ch.std == kISO8601ColonSecondsTZ) {
          if (ch.std == kNumColonSecondsTZ || ch.std == kISO8601ColonSecondsTZ) b.push_back(':');
          b += Pad(absoffset % 60, 2);
        }
        break;
      }
      case kTZ:
        if (!z.abbr.empty()) {
          b += z.abbr;
        } else {
          int zone = z.offset / 60;
          if (zone < 0) {
            b.push_back('-');
            zone = -zone;
          } else {
            b.push_back('+');
          }
          b += Pad(zone / 60, 2) + Pad(zone % 60, 2);
        }
        break;
      case kFracSecond0:
      case kFracSecond9: {
        std::string digits = Pad(nsec, 9);
        if (ch.std == kFracSecond0) {
          b.push_back(ch.frac_sep);
          b += digits.substr(0, std::min(ch.frac_digits, 9));
          break;
        }
        std::string d = digits.substr(0, std::min(ch.frac_digits, 9));
        while (!d.empty() && d.back() == '0') d.pop_back();
        if (!d.empty()) {
          b.push_back(ch.frac_sep);
          b += d;
        }
        break;
      }
    }
  }
  return b;
}

// ---- Parsing (time.ParseInLocation) ----

std::string QuoteGo(std::string_view s) { return "\"" + std::string(s) + "\""; }

struct ParseError {
  std::string layout, value, layout_elem, value_elem, message;
  std::string Text() const {
    if (!message.empty()) {
      return "parsing time " + QuoteGo(value) + message;
    }
    return "parsing time " + QuoteGo(value) + " as " + QuoteGo(layout) + ": cannot parse " +
           QuoteGo(value_elem) + " as " + QuoteGo(layout_elem);
  }
};

bool IsDigitAt(std::string_view s, size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }

// getnum: one or two digits (exactly two when fixed).
bool GetNum(std::string_view& s, bool fixed, int& out) {
  if (!IsDigitAt(s, 0)) return false;
  if (!IsDigitAt(s, 1)) {
    if (fixed) return false;
    out = s[0] - '0';
    s.remove_prefix(1);
    return true;
  }
  out = (s[0] - '0') * 10 + (s[1] - '0');
  s.remove_prefix(2);
  return true;
}

bool GetNum3(std::string_view& s, bool fixed, int& out) {
  int n = 0, i = 0;
  for (; i < 3 && IsDigitAt(s, i); ++i) n = n * 10 + (s[i] - '0');
  if (i == 0 || (fixed && i != 3)) return false;
  out = n;
  s.remove_prefix(i);
  return true;
}

bool Lookup(const char* const* tab, int n, size_t len, std::string_view& s, int& out) {
  for (int i = 0; i < n; ++i) {
    std::string name = len ? std::string(tab[i]).substr(0, len) : tab[i];
    if (s.size() >= name.size()) {
      bool eq = true;
      for (size_t k = 0; k < name.size(); ++k) {
        if (std::tolower(static_cast<unsigned char>(s[k])) !=
            std::tolower(static_cast<unsigned char>(name[k])))
          eq = false;
      }
      if (eq) {
        out = i;
        s.remove_prefix(name.size());
        return true;
      }
    }
  }
  return false;
}

// Go's parseTimeZone: the length of a zone abbreviation at the start of s.
size_t ParseTimeZone(std::string_view s) {
  if (s.size() < 3) return 0;
  if (s.size() >= 4 && (s.substr(0, 4) == "ChST" || s.substr(0, 4) == "MeST")) return 4;
  if (s.substr(0, 3) == "GMT") {
    // GMT followed by an optional signed hour offset.
    if (s.size() == 3) return 3;
    if (s[3] != '-' && s[3] != '+') return 3;
    size_t i = 4;
    while (i < s.size() && IsDigitAt(s, i)) ++i;
    return i == 4 ? 3 : i;
  }
  if (s[0] == '+' || s[0] == '-') {
    size_t i = 1;
    while (i < s.size() && IsDigitAt(s, i)) ++i;
    return (i == 3 || i == 5) ? i : 0;
  }
  size_t n = 0;
  while (n < s.size() && s[n] >= 'A' && s[n] <= 'Z') ++n;
  if (n == 3) return 3;
  if (n == 4) return (s[3] == 'T' || s.substr(0, 4) == "WITA") ? 4 : 0;
  if (n == 5) return s[4] == 'T' ? 5 : 0;
  return 0;
}

Expected<Value> ParseTime(std::string_view layout_in, std::string_view value_in,
                          const std::string& local_name) {
  std::string_view layout = layout_in, value = value_in;
  std::string alayout(layout_in), avalue(value_in);
  int64_t year = 0;
  int month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0;
  int64_t nsec = 0;
  bool pm_set = false, am_set = false, utc = false;
  int zone_offset = -1;
  bool have_offset = false;
  std::string zone_name;
  std::string range_err;
  auto fail = [&](std::string_view lelem, std::string_view velem) {
    ParseError e{alayout, avalue, std::string(lelem), std::string(velem), ""};
    return std::unexpected(e.Text());
  };
  while (true) {
    Chunk ch = NextStdChunk(layout);
    std::string_view std_str =
        layout.substr(ch.prefix.size(), layout.size() - ch.prefix.size() - ch.suffix.size());
    // skip prefix
    std::string_view p = ch.prefix;
    {
      // Go's skip: spaces in the layout match runs of spaces in the value.
      std::string_view v = value;
      while (!p.empty()) {
        if (p[0] == ' ') {
          if (!v.empty() && v[0] != ' ') return fail(ch.prefix, value);
          while (!p.empty() && p[0] == ' ') p.remove_prefix(1);
          while (!v.empty() && v[0] == ' ') v.remove_prefix(1);
          continue;
        }
        if (v.empty() || v[0] != p[0]) return fail(ch.prefix, value);
        p.remove_prefix(1);
        v.remove_prefix(1);
      }
      value = v;
    }
    if (ch.std == kNone) {
      if (!value.empty()) {
        ParseError e{alayout, avalue, "", "", ": extra text: " + QuoteGo(value)};
        return std::unexpected(e.Text());
      }
      break;
    }
    layout = ch.suffix;
    std::string_view hold = value;
    bool ok = true;
    switch (ch.std) {
      case kYear: {
        if (value.size() < 2) {
          ok = false;
          break;
        }
        int y = 0;
        std::string_view v = value;
        if (!GetNum(v, true, y)) {
          ok = false;
          break;
        }
        value = v;
        year = y >= 69 ? y + 1900 : y + 2000;
        break;
      }
      case kLongYear: {
        if (value.size() < 4 || !IsDigitAt(value, 0) || !IsDigitAt(value, 1) ||
            !IsDigitAt(value, 2) || !IsDigitAt(value, 3)) {
          ok = false;
          break;
        }
        year = std::stoi(std::string(value.substr(0, 4)));
        value.remove_prefix(4);
        break;
      }
      case kMonth:
        ok = Lookup(kLongMonths, 12, 3, value, month);
        if (ok) ++month;
        break;
      case kLongMonth:
        ok = Lookup(kLongMonths, 12, 0, value, month);
        if (ok) ++month;
        break;
      case kNumMonth:
      case kZeroMonth:
        ok = GetNum(value, ch.std == kZeroMonth, month);
        if (ok && (month <= 0 || month > 12)) range_err = "month";
        break;
      case kWeekDay: {
        int wd;
        ok = Lookup(kLongDays, 7, 3, value, wd);
        break;
      }
      case kLongWeekDay: {
        int wd;
        ok = Lookup(kLongDays, 7, 0, value, wd);
        break;
      }
      case kDay:
      case kUnderDay:
      case kZeroDay:
        if (ch.std == kUnderDay && !value.empty() && value[0] == ' ') value.remove_prefix(1);
        ok = GetNum(value, ch.std == kZeroDay, day);
        break;
      case kUnderYearDay:
      case kZeroYearDay:
        for (int i = 0; i < 2; ++i)
          if (ch.std == kUnderYearDay && !value.empty() && value[0] == ' ') value.remove_prefix(1);
        ok = GetNum3(value, ch.std == kZeroYearDay, yday);
        break;
      case kHour:
        ok = GetNum(value, false, hour);
        if (hour < 0 || hour >= 24) range_err = "hour";
        break;
      case kHour12:
      case kZeroHour12:
        ok = GetNum(value, ch.std == kZeroHour12, hour);
        if (hour < 0 || hour > 12) range_err = "hour";
        break;
      case kMinute:
      case kZeroMinute:
        ok = GetNum(value, ch.std == kZeroMinute, min);
        if (min < 0 || min >= 60) range_err = "minute";
        break;
      case kSecond:
      case kZeroSecond: {
        ok = GetNum(value, ch.std == kZeroSecond, sec);
        if (!ok) break;
        if (sec < 0 || sec >= 60) {
          range_err = "second";
          break;
        }
        // A fractional second in the value without one in the layout.
        if (value.size() >= 2 && (value[0] == '.' || value[0] == ',') && IsDigitAt(value, 1)) {
          Chunk nx = NextStdChunk(layout);
          if (nx.std == kFracSecond0 || nx.std == kFracSecond9) break;
          size_t n = 2;
          while (n < value.size() && IsDigitAt(value, n)) ++n;
          std::string digits(value.substr(1, n - 1));
          std::string nine = (digits + "000000000").substr(0, 9);
          nsec = std::stoll(nine);
          value.remove_prefix(n);
        }
        break;
      }
      case kPM:
        if (value.size() < 2) {
          ok = false;
          break;
        }
        if (value.substr(0, 2) == "PM") {
          pm_set = true;
        } else if (value.substr(0, 2) == "AM") {
          am_set = true;
        } else {
          ok = false;
        }
        if (ok) value.remove_prefix(2);
        break;
      case kpm:
        if (value.size() < 2) {
          ok = false;
          break;
        }
        if (value.substr(0, 2) == "pm") {
          pm_set = true;
        } else if (value.substr(0, 2) == "am") {
          am_set = true;
        } else {
          ok = false;
        }
        if (ok) value.remove_prefix(2);
        break;
      case kISO8601TZ:
      case kISO8601ColonTZ:
      case kISO8601SecondsTZ:
      case kISO8601ShortTZ:
      case kISO8601ColonSecondsTZ:
      case kNumTZ:
      case kNumShortTZ:
      case kNumColonTZ:
      case kNumSecondsTz:
      case kNumColonSecondsTZ: {
        bool iso = ch.std >= kISO8601TZ && ch.std <= kISO8601ColonSecondsTZ;
        if (iso && !value.empty() && value[0] == 'Z') {
          value.remove_prefix(1);
          utc = true;
          break;
        }
        std::string sign, hh, mm = "00", ss = "00";
        auto need = [&](size_t n) { return value.size() >= n; };
        if (ch.std == kISO8601ColonTZ || ch.std == kNumColonTZ) {
          if (!need(6) || value[3] != ':') {
            ok = false;
            break;
          }
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(4, 2);
          value.remove_prefix(6);
        } else if (ch.std == kNumShortTZ || ch.std == kISO8601ShortTZ) {
          if (!need(3)) {
            ok = false;
            break;
          }
          sign = value.substr(0, 1), hh = value.substr(1, 2);
          value.remove_prefix(3);
        } else if (ch.std == kISO8601ColonSecondsTZ || ch.std == kNumColonSecondsTZ) {
          if (!need(9) || value[3] != ':' || value[6] != ':') {
            ok = false;
            break;
          }
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(4, 2),
          ss = value.substr(7, 2);
          value.remove_prefix(9);
        } else if (ch.std == kISO8601SecondsTZ || ch.std == kNumSecondsTz) {
          if (!need(7)) {
            ok = false;
            break;
          }
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(3, 2),
          ss = value.substr(5, 2);
          value.remove_prefix(7);
        } else {
          if (!need(5)) {
            ok = false;
            break;
          }
          sign = value.substr(0, 1), hh = value.substr(1, 2), mm = value.substr(3, 2);
          value.remove_prefix(5);
        }
        auto two = [](const std::string& s, int& out) {
          if (s.size() != 2 || !std::isdigit(static_cast<unsigned char>(s[0])) ||
              !std::isdigit(static_cast<unsigned char>(s[1])))
            return false;
          out = (s[0] - '0') * 10 + (s[1] - '0');
          return true;
        };
        int h = 0, mi = 0, se = 0;
        if (!two(hh, h) || !two(mm, mi) || !two(ss, se) || (sign != "+" && sign != "-")) {
          ok = false;
          break;
        }
        if (h > 24) range_err = "time zone offset hour";
        if (mi > 60) range_err = "time zone offset minute";
        if (se > 60) range_err = "time zone offset second";
        zone_offset = (h * 60 + mi) * 60 + se;
        if (sign == "-") zone_offset = -zone_offset;
        have_offset = true;
        break;
      }
      case kTZ: {
        if (value.size() >= 3 && value.substr(0, 3) == "UTC") {
          utc = true;
          value.remove_prefix(3);
          break;
        }
        size_t n = ParseTimeZone(value);
        if (n == 0) {
          ok = false;
          break;
        }
        zone_name = value.substr(0, n);
        value.remove_prefix(n);
        break;
      }
      case kFracSecond0: {
        size_t ndigit = 1 + ch.frac_digits;
        if (value.size() < ndigit || (value[0] != '.' && value[0] != ',')) {
          ok = false;
          break;
        }
        for (size_t i = 1; i < ndigit; ++i)
          if (!IsDigitAt(value, i)) ok = false;
        if (!ok) break;
        std::string nine = (std::string(value.substr(1, ndigit - 1)) + "000000000").substr(0, 9);
        nsec = std::stoll(nine);
        value.remove_prefix(ndigit);
        break;
      }
      case kFracSecond9: {
        if (value.size() < 2 || (value[0] != '.' && value[0] != ',') || !IsDigitAt(value, 1)) {
          break;  // fractional second omitted
        }
        size_t i = 1;
        while (i < 10 && IsDigitAt(value, i)) ++i;
        std::string nine = (std::string(value.substr(1, i - 1)) + "000000000").substr(0, 9);
        nsec = std::stoll(nine);
        value.remove_prefix(i);
        break;
      }
    }
    if (!range_err.empty()) {
      ParseError e{alayout, avalue, "", "", ": " + range_err + " out of range"};
      return std::unexpected(e.Text());
    }
    if (!ok) return fail(std_str, hold);
  }
  if (pm_set && hour < 12) hour += 12;
  if (am_set && hour == 12) hour = 0;
  if (yday >= 0) {
    int64_t yy = year;
    if (yday < 1 || yday > (IsLeap(yy) ? 366 : 365)) {
      return std::unexpected(
          ParseError{alayout, avalue, "", "", ": day-of-year out of range"}.Text());
    }
    int m = 1, d = yday;
    while (d > DaysIn(m, yy)) d -= DaysIn(m++, yy);
    if (month >= 0 && month != m) {
      return std::unexpected(
          ParseError{alayout, avalue, "", "", ": day-of-year does not match month"}.Text());
    }
    if (day >= 0 && day != d) {
      return std::unexpected(
          ParseError{alayout, avalue, "", "", ": day-of-year does not match day"}.Text());
    }
    month = m;
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > DaysIn(month, year)) {
    return std::unexpected(ParseError{alayout, avalue, "", "", ": day out of range"}.Text());
  }
  int64_t wall = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
  if (utc) return MakeTime(wall, nsec, "UTC");
  auto local = LoadZone(local_name);
  if (have_offset) {
    int64_t t = wall - zone_offset;
    if (local) {
      const ZoneType& ty = Lookup(**local, t);
      if (ty.offset == zone_offset && (zone_name.empty() || ty.abbr == zone_name)) {
        return MakeTime(t, nsec, local_name);
      }
    }
    return MakeFixedTime(t, nsec, zone_name, zone_offset);
  }
  if (!zone_name.empty()) {
    // A zone abbreviation: use the local zone's offset when it knows the name.
    if (local) {
      const Zone& z = **local;
      const ZoneType* found = nullptr;
      const ZoneType& at = Lookup(z, wall - Lookup(z, wall).offset);
      if (at.abbr == zone_name) found = &at;
      for (const auto& ty : z.types)
        if (!found && ty.abbr == zone_name) found = &ty;
      if (found) return MakeTime(wall - found->offset, nsec, local_name);
    }
    int32_t off = 0;
    if (zone_name.size() > 3 && zone_name.starts_with("GMT")) {
      off = std::stoi(zone_name.substr(3)) * 3600;
    }
    return MakeFixedTime(wall - off, nsec, zone_name, off);
  }
  // Wall time in the local zone.
  if (!local) return MakeTime(wall, nsec, "UTC");
  int64_t start = 0, end = 0;
  int32_t off = Lookup(**local, wall, &start, &end).offset;
  if (off != 0) {
    int64_t t = wall - off;
    if (t < start || t >= end) off = Lookup(**local, t).offset;
  }
  return MakeTime(wall - off, nsec, local_name);
}

// ---- Durations ----

std::string FormatDuration(int64_t d) {
  char buf[40];
  int w = sizeof buf;
  uint64_t u = static_cast<uint64_t>(d);
  bool neg = d < 0;
  if (neg) u = 0 - u;
  auto fmt_frac = [&](uint64_t v, int prec) {
    bool print = false;
    for (int i = 0; i < prec; ++i) {
      int digit = static_cast<int>(v % 10);
      print = print || digit != 0;
      if (print) buf[--w] = static_cast<char>('0' + digit);
      v /= 10;
    }
    if (print) buf[--w] = '.';
    return v;
  };
  auto fmt_int = [&](uint64_t v) {
    if (v == 0) {
      buf[--w] = '0';
    } else {
      while (v > 0) {
        buf[--w] = static_cast<char>('0' + v % 10);
        v /= 10;
      }
    }
  };
  if (u < 1000000000ULL) {
    int prec = 0;
    buf[--w] = 's';
    if (u == 0) {
      buf[--w] = '0';
      return std::string(buf + w, sizeof buf - w);
    }
    if (u < 1000ULL) {
      prec = 0;
      buf[--w] = 'n';
    } else if (u < 1000000ULL) {
      prec = 3;
      buf[--w] = '\xB5';
      buf[--w] = '\xC2';
    } else {
      prec = 6;
      buf[--w] = 'm';
    }
    u = fmt_frac(u, prec);
    fmt_int(u);
  } else {
    buf[--w] = 's';
    u = fmt_frac(u, 9);
    fmt_int(u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      fmt_int(u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        fmt_int(u);
      }
    }
  }
  if (neg) buf[--w] = '-';
  return std::string(buf + w, sizeof buf - w);
}

// Go's time.ParseDuration.
Expected<int64_t> ParseDuration(std::string_view s) {
  std::string orig(s);
  auto invalid = [&] { return std::unexpected("time: invalid duration \"" + orig + "\""); };
  uint64_t d = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return invalid();
  while (!s.empty()) {
    uint64_t v = 0, f = 0;
    double scale = 1;
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid();
    size_t pl = s.size();
    bool overflow = false;
    while (!s.empty() && s[0] >= '0' && s[0] <= '9') {
      if (v > (UINT64_MAX >> 1) / 10) overflow = true;
      v = v * 10 + (s[0] - '0');
      if (v > (uint64_t{1} << 63)) overflow = true;
      s.remove_prefix(1);
    }
    if (overflow) return invalid();
    bool pre = pl != s.size();
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t pl2 = s.size();
      bool of = false;
      while (!s.empty() && s[0] >= '0' && s[0] <= '9') {
        if (!of) {
          if (f > (uint64_t{1} << 63) / 10) {
            of = true;
          } else {
            f = f * 10 + (s[0] - '0');
            scale *= 10;
          }
        }
        s.remove_prefix(1);
      }
      post = pl2 != s.size();
    }
    if (!pre && !post) return invalid();
    size_t i = 0;
    while (i < s.size() && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9')) ++i;
    if (i == 0) return std::unexpected("time: missing unit in duration \"" + orig + "\"");
    std::string u(s.substr(0, i));
    s.remove_prefix(i);
    uint64_t unit = 0;
    if (u == "ns")
      unit = 1;
    else if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs")
      unit = 1000;
    else if (u == "ms")
      unit = 1000000;
    else if (u == "s")
      unit = 1000000000ULL;
    else if (u == "m")
      unit = 60000000000ULL;
    else if (u == "h")
      unit = 3600000000000ULL;
    else
      return std::unexpected("time: unknown unit \"" + u + "\" in duration \"" + orig + "\"");
    if (v > (uint64_t{1} << 63) / unit) return invalid();
    v *= unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > (uint64_t{1} << 63)) return invalid();
    }
    d += v;
    if (d > (uint64_t{1} << 63)) return invalid();
  }
  if (neg) return -static_cast<int64_t>(d);
  if (d > static_cast<uint64_t>(INT64_MAX)) return invalid();
  return static_cast<int64_t>(d);
}

std::mutex clock_mu;
std::function<std::pair<int64_t, int64_t>()> clock_fn;

std::pair<int64_t, int64_t> NowPair() {
  {
    std::lock_guard<std::mutex> lock(clock_mu);
    if (clock_fn) return clock_fn();
  }
  auto now = std::chrono::system_clock::now().time_since_epoch();
  int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  return {FloorDiv(ns, 1000000000), ns - FloorDiv(ns, 1000000000) * 1000000000};
}

// Nanoseconds since t (time.Since), saturating as Go's Sub does.
int64_t Since(const Value& t) {
  auto [s, n] = NowPair();
  __int128 diff = (static_cast<__int128>(s) - t.value("sec", int64_t{0})) * 1000000000 +
                  (n - t.value("nsec", int64_t{0}));
  if (diff > INT64_MAX) return INT64_MAX;
  if (diff < INT64_MIN) return INT64_MIN;
  return static_cast<int64_t>(diff);
}

// time.Duration.Round(time.Second).
int64_t RoundSecond(int64_t d) {
  const int64_t m = 1000000000;
  int64_t r = d % m;
  if (d < 0) {
    r = -r;
    if (r + r < m) return d + r;
    if (d - m + r < d) return d - m + r;
    return INT64_MIN;
  }
  if (r + r < m) return d - r;
  if (d + m - r > d) return d + m - r;
  return INT64_MAX;
}

// The time a date argument stands for (dateInZone/ago): time.Time, or integers as unix seconds;
// anything else is now.
Value DateArg(const Value& v) {
  if (IsGoType(v, kTimeType)) return v;
  if (v.is_number_integer()) return MakeTime(CastToInt64(v), 0, "Local");
  return Now();
}

Value InZone(const Value& t, const std::string& zone) {
  Value out = t;
  std::string name = zone;
  if (!LoadZone(zone)) name = "UTC";
  if (name.empty()) name = "UTC";
  out["loc"] = name;
  out.erase("zone");
  out.erase("offset");
  return out;
}

std::string DateInZone(const std::string& fmt, const Value& date, const std::string& zone) {
  return FormatTime(InZone(DateArg(date), zone), fmt);
}

}  // namespace

std::string FormatTime(const Value& t, std::string_view layout) {
  ZoneInfo z = ZoneOf(t);
  int64_t sec = t.value("sec", int64_t{0});
  Civil c = CivilFromUnix(sec + z.offset);
  return FormatCivil(layout, c, t.value("nsec", int64_t{0}), z);
}

std::string TimeString(const Value& t) {
  return FormatTime(t, "2006-01-02 15:04:05.999999999 -0700 MST");
}

Value Now() {
  auto [s, n] = NowPair();
  return MakeTime(s, n, "Local");
}

void SetClockForTesting(std::function<std::pair<int64_t, int64_t>()> clock) {
  std::lock_guard<std::mutex> lock(clock_mu);
  clock_fn = std::move(clock);
}

namespace {

// time.Time's commonly used methods, for templates such as {{ now.Year }} or
// {{ (now).Format "2006" }}. Month and Weekday print as Go prints them ("July", "Friday").
void RegisterTimeMethods() {
  const std::string t(kTimeType);
  auto civil = [](const Value& v) {
    ZoneInfo z = ZoneOf(v);
    return CivilFromUnix(v.value("sec", int64_t{0}) + z.offset);
  };
  RegisterGoMethod(t, "Format", 1, [](const Value& v, std::span<const Value> a) -> Result {
    SPRIG_TRY(layout, StringParam(a[0]));
    return FormatTime(v, layout);
  });
  RegisterGoMethod(t, "String", 0,
                   [](const Value& v, std::span<const Value>) -> Result { return TimeString(v); });
  RegisterGoMethod(t, "Unix", 0, [](const Value& v, std::span<const Value>) -> Result {
    return v.value("sec", int64_t{0});
  });
  RegisterGoMethod(t, "UnixMilli", 0, [](const Value& v, std::span<const Value>) -> Result {
    return v.value("sec", int64_t{0}) * 1000 + v.value("nsec", int64_t{0}) / 1000000;
  });
  RegisterGoMethod(t, "UnixNano", 0, [](const Value& v, std::span<const Value>) -> Result {
    return v.value("sec", int64_t{0}) * 1000000000 + v.value("nsec", int64_t{0});
  });
  RegisterGoMethod(t, "Nanosecond", 0, [](const Value& v, std::span<const Value>) -> Result {
    return v.value("nsec", int64_t{0});
  });
  RegisterGoMethod(t, "Year", 0, [civil](const Value& v, std::span<const Value>) -> Result {
    return civil(v).year;
  });
  RegisterGoMethod(t, "Month", 0, [civil](const Value& v, std::span<const Value>) -> Result {
    return kLongMonths[civil(v).month - 1];
  });
  RegisterGoMethod(t, "Day", 0, [civil](const Value& v, std::span<const Value>) -> Result {
    return civil(v).day;
  });
  RegisterGoMethod(t, "Hour", 0, [civil](const Value& v, std::span<const Value>) -> Result {
    return civil(v).hour;
  });
  RegisterGoMethod(t, "Minute", 0, [civil](const Value& v, std::span<const Value>) -> Result {
    return civil(v).minute;
  });
  RegisterGoMethod(t, "Second", 0, [civil](const Value& v, std::span<const Value>) -> Result {
    return civil(v).second;
  });
  RegisterGoMethod(t, "YearDay", 0, [civil](const Value& v, std::span<const Value>) -> Result {
    return civil(v).yday;
  });
  RegisterGoMethod(t, "Weekday", 0, [civil](const Value& v, std::span<const Value>) -> Result {
    return kLongDays[civil(v).weekday];
  });
  RegisterGoMethod(t, "UTC", 0, [](const Value& v, std::span<const Value>) -> Result {
    return InZone(v, "UTC");
  });
  RegisterGoMethod(t, "Local", 0, [](const Value& v, std::span<const Value>) -> Result {
    return InZone(v, "Local");
  });
  RegisterGoMethod(t, "IsZero", 0, [](const Value& v, std::span<const Value>) -> Result {
    return v.value("sec", int64_t{0}) == -62135596800 && v.value("nsec", int64_t{0}) == 0;
  });
}

}  // namespace

void AddDateFunctions(FuncMap& m) {
  RegisterTimeMethods();
  Def(m, "now", 0, 0, [](Args) -> Result { return Now(); });
  Def(m, "date", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(fmt, StringParam(a[0]));
    return DateInZone(fmt, a[1], "Local");
  });
  for (const char* name : {"dateInZone", "date_in_zone"}) {
    Def(m, name, 3, 3, [](Args a) -> Result {
      SPRIG_TRY(fmt, StringParam(a[0]));
      SPRIG_TRY(zone, StringParam(a[2]));
      return DateInZone(fmt, a[1], zone);
    });
  }
  Def(m, "htmlDate", 1, 1,
      [](Args a) -> Result { return DateInZone("2006-01-02", a[0], "Local"); });
  Def(m, "htmlDateInZone", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(zone, StringParam(a[1]));
    return DateInZone("2006-01-02", a[0], zone);
  });
  auto modify = [](bool must) {
    return [must](Args a) -> Result {
      SPRIG_TRY(fmt, StringParam(a[0]));
      SPRIG_TRY(t, TimeParam(a[1]));
      auto d = ParseDuration(fmt);
      if (!d) {
        if (must) return std::unexpected(d.error());
        return t;
      }
      int64_t sec = t.value("sec", int64_t{0}), nsec = t.value("nsec", int64_t{0});
      nsec += *d % 1000000000;
      sec += *d / 1000000000;
      if (nsec < 0) {
        nsec += 1000000000;
        --sec;
      } else if (nsec >= 1000000000) {
        nsec -= 1000000000;
        ++sec;
      }
      Value out = t;
      out["sec"] = sec;
      out["nsec"] = nsec;
      return out;
    };
  };
  for (const char* name : {"dateModify", "date_modify"}) Def(m, name, 2, 2, modify(false));
  for (const char* name : {"mustDateModify", "must_date_modify"}) Def(m, name, 2, 2, modify(true));
  Def(m, "ago", 1, 1,
      [](Args a) -> Result { return FormatDuration(RoundSecond(Since(DateArg(a[0])))); });
  Def(m, "duration", 1, 1, [](Args a) -> Result {
    // Only strings (parsed as integer seconds) and int64 count; Go's int literals and float64
    // values fall to the default case (0). Values do not keep int vs int64: integers count.
    int64_t n = 0;
    if (a[0].is_string()) {
      n = ParseGoInt(a[0].get<std::string>(), 10).value_or(0);
    } else if (a[0].is_number_integer()) {
      n = CastToInt64(a[0]);
    }
    __int128 ns = static_cast<__int128>(n) * 1000000000;
    return FormatDuration(static_cast<int64_t>(static_cast<uint64_t>(ns)));
  });
  Def(m, "durationRound", 1, 1, [](Args a) -> Result {
    int64_t d = 0;
    if (a[0].is_string()) {
      d = ParseDuration(a[0].get<std::string>()).value_or(0);
    } else if (a[0].is_number_integer()) {
      d = CastToInt64(a[0]);
    } else if (IsGoType(a[0], kTimeType)) {
      d = Since(a[0]);
    }
    uint64_t u = static_cast<uint64_t>(d);
    if (d < 0) u = 0 - u;
    const uint64_t second = 1000000000ULL, minute = 60 * second, hour = 60 * minute,
                   day = 24 * hour, month = 30 * day, year = 365 * day;
    if (u > year) return std::to_string(u / year) + "y";
    if (u > month) return std::to_string(u / month) + "m";
    if (u > day) return std::to_string(u / day) + "d";
    if (u > hour) return std::to_string(u / hour) + "h";
    if (u > minute) return std::to_string(u / minute) + "m";
    if (u > second) return std::to_string(u / second) + "s";
    return "0s";
  });
  Def(m, "toDate", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(fmt, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    auto t = ParseTime(fmt, s, "Local");
    if (!t) return MakeTime(-62135596800, 0, "UTC");
    return *t;
  });
  Def(m, "mustToDate", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(fmt, StringParam(a[0]));
    SPRIG_TRY(s, StringParam(a[1]));
    return ParseTime(fmt, s, "Local");
  });
  Def(m, "unixEpoch", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(t, TimeParam(a[0]));
    return std::to_string(t.value("sec", int64_t{0}));
  });
}

}  // namespace keelson::charts::sprig
