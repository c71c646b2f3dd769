// Kubernetes resource.Quantity: parsing ("100m", "1Gi", "2e3"), comparison, arithmetic and the
// canonical string form the API server serializes. Value type, thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/error.h"
#include "api/object.h"

namespace keelson::api {

// A fixed-point number with nano precision (as resource.Quantity rounds every parsed value up to
// 1n) and the suffix family it was written in. Magnitudes up to about 1.7e29 are representable;
// larger values fail to parse (Kubernetes keeps arbitrary precision there, no real resource
// needs it).
class Quantity {
 public:
  // The suffix family, kept so that String() writes the value back the way the user wrote it.
  enum class Format {
    kDecimalSI,        // n u m "" k M G T P E
    kBinarySI,         // Ki Mi Gi Ti Pi Ei
    kDecimalExponent,  // e3, E-6
  };

  Quantity() = default;

  // Parses the Kubernetes quantity syntax `<sign><digits>[.<digits>]<suffix>`. Values finer than
  // 1n are rounded away from zero to the next nano; BinarySI values below 1 become DecimalSI.
  // Errors (BadRequest) carry resource.Quantity's messages:
  //   "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
  //   "unable to parse quantity's suffix", "unable to parse numeric part of quantity".
  static Result<Quantity> Parse(std::string_view text);
  // Reads a quantity from JSON the way Quantity.UnmarshalJSON does: a string, or a bare number
  // (`cpu: 1`, `cpu: 0.5`). Null reads as zero. Other types: BadRequest.
  static Result<Quantity> FromJson(const Json& value);
  // Exact constructors.
  static Quantity FromInt(int64_t value, Format format = Format::kDecimalSI);
  static Quantity FromMilli(int64_t milli, Format format = Format::kDecimalSI);

  // ceil-away-from-zero of the value in whole units (resource.Quantity.Value) and in thousandths
  // (MilliValue). Saturate at the int64 range.
  int64_t Value() const;
  int64_t MilliValue() const;
  // The value as a double (for ratios and scores; not exact).
  double AsDouble() const;
  bool IsZero() const { return nano_ == 0; }
  int Sign() const { return nano_ < 0 ? -1 : (nano_ > 0 ? 1 : 0); }
  Format format() const { return format_; }

  // The canonical form resource.Quantity.String() returns: "0", "100m", "1500m" for 1.5,
  // "1k" for 1000, "1Gi" for 1024Mi, "512Mi" for 0.5Gi, "2e3" for 2e3, "1500" for 1.5e3.
  std::string String() const;

  Quantity& operator+=(const Quantity& o);
  Quantity& operator-=(const Quantity& o);
  friend Quantity operator+(Quantity a, const Quantity& b) { return a += b; }
  friend Quantity operator-(Quantity a, const Quantity& b) { return a -= b; }
  // Compares values only (the format is ignored): 1Gi == 1073741824.
  friend std::strong_ordering operator<=>(const Quantity& a, const Quantity& b) {
    return a.nano_ <=> b.nano_;
  }
  friend bool operator==(const Quantity& a, const Quantity& b) { return a.nano_ == b.nano_; }

 private:
  Quantity(__int128 nano, Format f) : nano_(nano), format_(f) {}
  __int128 nano_ = 0;  // value * 1e9
  Format format_ = Format::kDecimalSI;
};

}  // namespace keelson::api
