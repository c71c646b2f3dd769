// resource.Quantity parsing and canonical formatting, following
// k8s.io/apimachinery/pkg/api/resource.
#include "api/quantity.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace keelson::api {
namespace {

using i128 = __int128;
using u128 = unsigned __int128;

constexpr std::string_view kErrFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kErrNumeric = "unable to parse numeric part of quantity";
constexpr std::string_view kErrSuffix = "unable to parse quantity's suffix";

constexpr i128 kNano = 1000000000;
// Largest magnitude we keep in nano units (~1.7e38): leaves headroom for one addition.
constexpr u128 kMaxNano = (static_cast<u128>(1) << 126);

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string ToString(i128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  u128 u = neg ? static_cast<u128>(-(v + 1)) + 1 : static_cast<u128>(v);
  std::string s;
  while (u > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

// The pieces parseQuantityString extracts.
struct Parts {
  bool positive = true;
  std::string num;
  std::string denom;
  std::string suffix;
};

// A port of parseQuantityString: sign, numerator (leading zeros stripped), optional ".denominator",
// then a suffix of [eEinumkKMGTP]* optionally followed by a signed integer.
std::expected<Parts, std::string_view> SplitQuantity(std::string_view str) {
  Parts p;
  size_t pos = 0;
  const size_t end = str.size();
  if (pos < end && (str[0] == '-' || str[0] == '+')) {
    p.positive = str[0] != '-';
    ++pos;
  }
  while (pos < end && str[pos] == '0') ++pos;
  if (pos >= end) {
    p.num = "0";
    return p;
  }
  size_t i = pos;
  while (i < end && IsDigit(str[i])) ++i;
  p.num = std::string(str.substr(pos, i - pos));
  pos = i;
  if (p.num.empty()) p.num = "0";
  if (pos < end && str[pos] == '.') {
    ++pos;
    i = pos;
    while (i < end && IsDigit(str[i])) ++i;
    p.denom = std::string(str.substr(pos, i - pos));
    pos = i;
  }
  const size_t suffix_start = pos;
  constexpr std::string_view kSuffixChars = "eEinumkKMGTP";
  while (pos < end && kSuffixChars.find(str[pos]) != std::string_view::npos) ++pos;
  if (pos < end && (str[pos] == '-' || str[pos] == '+')) ++pos;
  while (pos < end && IsDigit(str[pos])) ++pos;
  if (pos < end) return std::unexpected(kErrFormatWrong);
  p.suffix = std::string(str.substr(suffix_start));
  return p;
}

struct SuffixInfo {
  int base = 10;
  int exponent = 0;
  Quantity::Format format = Quantity::Format::kDecimalSI;
};

std::optional<SuffixInfo> InterpretSuffix(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, int>, 10> kDec = {{{"n", -9},
                                                                             {"u", -6},
                                                                             {"m", -3},
                                                                             {"", 0},
                                                                             {"k", 3},
                                                                             {"M", 6},
                                                                             {"G", 9},
                                                                             {"T", 12},
                                                                             {"P", 15},
                                                                             {"E", 18}}};
  static constexpr std::array<std::pair<std::string_view, int>, 6> kBin = {
      {{"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}}};
  for (const auto& [name, e] : kDec) {
    if (s == name) return SuffixInfo{10, e, Quantity::Format::kDecimalSI};
  }
  for (const auto& [name, e] : kBin) {
    if (s == name) return SuffixInfo{2, e, Quantity::Format::kBinarySI};
  }
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    std::string_view rest = s.substr(1);
    size_t i = 0;
    if (rest[0] == '+' || rest[0] == '-') i = 1;
    if (i >= rest.size()) return std::nullopt;
    int64_t v = 0;
    for (; i < rest.size(); ++i) {
      if (!IsDigit(rest[i])) return std::nullopt;
      v = v * 10 + (rest[i] - '0');
      if (v > 1000) return std::nullopt;  // far outside what we can represent anyway
    }
    if (rest[0] == '-') v = -v;
    return SuffixInfo{10, static_cast<int>(v), Quantity::Format::kDecimalExponent};
  }
  return std::nullopt;
}

// Multiplies a decimal digit string by a small factor.
std::string MulDigits(const std::string& digits, uint32_t factor) {
  std::string out;
  uint64_t carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    uint64_t d = static_cast<uint64_t>(*it - '0') * factor + carry;
    out.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  while (carry > 0) {
    out.push_back(static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// digits * 10^shift, rounded away from zero to an integer; nullopt if above kMaxNano.
std::optional<u128> ScaleDigits(std::string digits, int shift) {
  bool round_up = false;
  if (shift < 0) {
    size_t drop = static_cast<size_t>(-shift);
    if (drop >= digits.size()) {
      round_up = digits.find_first_not_of('0') != std::string::npos;
      digits = "0";
    } else {
      std::string_view tail(digits.data() + digits.size() - drop, drop);
      round_up = tail.find_first_not_of('0') != std::string_view::npos;
      digits.resize(digits.size() - drop);
    }
  } else {
    if (digits.find_first_not_of('0') == std::string::npos) return 0;
    if (static_cast<size_t>(shift) > 60) return std::nullopt;
    digits.append(static_cast<size_t>(shift), '0');
  }
  u128 v = 0;
  for (char c : digits) {
    v = v * 10 + static_cast<u128>(c - '0');
    if (v > kMaxNano) return std::nullopt;
  }
  if (round_up) ++v;
  if (v > kMaxNano) return std::nullopt;
  return v;
}

// Divides by `unit` rounding away from zero, saturating to int64.
int64_t ScaledInt(i128 nano, i128 unit) {
  i128 q = nano / unit;
  if (nano % unit != 0) q += nano < 0 ? -1 : 1;
  if (q > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (q < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(q);
}

}  // namespace

Result<Quantity> Quantity::Parse(std::string_view text) {
  if (text.empty()) return std::unexpected(BadRequest(std::string(kErrFormatWrong)));
  auto parts = SplitQuantity(text);
  if (!parts) return std::unexpected(BadRequest(std::string(parts.error())));
  auto suffix = InterpretSuffix(parts->suffix);
  if (!suffix) return std::unexpected(BadRequest(std::string(kErrSuffix)));

  std::string denom = parts->denom;
  while (!denom.empty() && denom.back() == '0') denom.pop_back();
  std::string digits = parts->num + denom;
  int shift = 9 - static_cast<int>(denom.size());
  if (suffix->base == 10) {
    shift += suffix->exponent;
  } else {
    for (int i = 0; i < suffix->exponent; i += 10) digits = MulDigits(digits, 1024);
  }
  auto magnitude = ScaleDigits(digits, shift);
  if (!magnitude) return std::unexpected(BadRequest(std::string(kErrNumeric)));
  i128 nano = static_cast<i128>(*magnitude);
  Format format = suffix->format;
  // Binary quantities are capped at the int64 maximum, as resource.Quantity does ("9Ei").
  constexpr i128 kMaxBinary = static_cast<i128>(std::numeric_limits<int64_t>::max()) * kNano;
  if (format == Format::kBinarySI && nano > kMaxBinary) nano = kMaxBinary;
  if (format == Format::kBinarySI && nano > 0 && nano < kNano) format = Format::kDecimalSI;
  if (!parts->positive) nano = -nano;
  return Quantity(nano, format);
}

Result<Quantity> Quantity::FromJson(const Json& value) {
  if (value.is_null()) return Quantity();
  if (value.is_string()) return Parse(value.get<std::string>());
  if (value.is_number_integer()) {
    if (value.is_number_unsigned()) {
      return Parse(std::to_string(value.get<uint64_t>()));
    }
    return FromInt(value.get<int64_t>());
  }
  if (value.is_number_float()) {
    // Go marshals the float with the shortest representation; nlohmann's dump does the same.
    return Parse(value.dump());
  }
  return std::unexpected(
      BadRequest("quantity must be a string or a number, got " + std::string(value.type_name())));
}

Quantity Quantity::FromInt(int64_t value, Format format) {
  return Quantity(static_cast<i128>(value) * kNano, format);
}

Quantity Quantity::FromMilli(int64_t milli, Format format) {
  return Quantity(static_cast<i128>(milli) * 1000000, format);
}

int64_t Quantity::Value() const { return ScaledInt(nano_, kNano); }
int64_t Quantity::MilliValue() const { return ScaledInt(nano_, 1000000); }

double Quantity::AsDouble() const {
  return static_cast<double>(nano_ / kNano) + static_cast<double>(nano_ % kNano) / 1e9;
}

std::string Quantity::String() const {
  if (nano_ == 0) return "0";
  Format format = format_;
  if (format == Format::kBinarySI) {
    if (nano_ > -1024 * kNano && nano_ < 1024 * kNano) {
      format = Format::kDecimalSI;
    } else if (nano_ % kNano != 0) {
      format = Format::kDecimalSI;
    }
  }
  if (format == Format::kBinarySI) {
    i128 amount = nano_ / kNano;
    int exponent = 0;
    while (amount % 1024 == 0 && exponent < 6) {
      amount /= 1024;
      ++exponent;
    }
    static constexpr std::array<std::string_view, 7> kBin = {"",   "Ki", "Mi", "Gi",
                                                             "Ti", "Pi", "Ei"};
    return ToString(amount) + std::string(kBin[static_cast<size_t>(exponent)]);
  }
  // Decimal: strip factors of ten, then move the exponent down to a multiple of three.
  i128 amount = nano_;
  int exponent = -9;
  while (amount % 10 == 0) {
    amount /= 10;
    ++exponent;
  }
  int mod = ((exponent % 3) + 3) % 3;
  for (int i = 0; i < mod; ++i) {
    amount *= 10;
    --exponent;
  }
  if (format == Format::kDecimalExponent) {
    if (exponent == 0) return ToString(amount);
    return ToString(amount) + "e" + std::to_string(exponent);
  }
  while (exponent > 18) {
    amount *= 1000;
    exponent -= 3;
  }
  static constexpr std::array<std::string_view, 10> kDec = {"n", "u", "m", "",  "k",
                                                            "M", "G", "T", "P", "E"};
  return ToString(amount) + std::string(kDec[static_cast<size_t>((exponent + 9) / 3)]);
}

Quantity& Quantity::operator+=(const Quantity& o) {
  if (nano_ == 0) format_ = o.format_;
  nano_ += o.nano_;
  return *this;
}

Quantity& Quantity::operator-=(const Quantity& o) {
  if (nano_ == 0) format_ = o.format_;
  nano_ -= o.nano_;
  return *this;
}

}  // namespace keelson::api
