// Sprig's math and conversion functions (numeric.go, functions.go): int64 arithmetic over
// spf13/cast conversions, float arithmetic through shopspring/decimal (exact decimal operations
// on the floats' shortest representations, division rounded to 16 places), rounding, ranges
// (until, untilStep, seq) and int/int64/float64/toDecimal/atoi conversions.
#include <charconv>
#include <cmath>
#include <memory>

#include <openssl/bn.h>
#include <openssl/rand.h>

#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

namespace {

// A ceiling on generated ranges so a template cannot exhaust memory.
constexpr int64_t kMaxRange = 10'000'000;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
struct CtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};

Bn NewBn() { return Bn(BN_new()); }

// shopspring/decimal: value × 10^exp.
struct Decimal {
  Bn value;
  int64_t exp = 0;
};

Bn Pow10(int64_t n, BN_CTX* ctx) {
  Bn ten = NewBn(), e = NewBn(), r = NewBn();
  BN_set_word(ten.get(), 10);
  BN_set_word(e.get(), static_cast<BN_ULONG>(n));
  BN_exp(r.get(), ten.get(), e.get(), ctx);
  return r;
}

Expected<Decimal> FromFloat(double f) {
  if (std::isnan(f) || std::isinf(f)) {
    return std::unexpected("Cannot create a Decimal from " + FormatFloat(f, 'g', -1));
  }
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string s(buf, p);
  auto e = s.find('e');
  std::string mant = s.substr(0, e);
  int64_t exp = std::stoll(s.substr(e + 1));
  std::string digits;
  bool neg = false;
  for (char c : mant) {
    if (c == '-') neg = true;
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  Decimal d;
  d.value = NewBn();
  BIGNUM* raw = d.value.get();
  BN_dec2bn(&raw, digits.c_str());
  if (neg) BN_set_negative(d.value.get(), 1);
  d.exp = exp - static_cast<int64_t>(digits.size() - 1);
  return d;
}

// Rescales a and b to the smaller exponent.
void Align(Decimal& a, Decimal& b, BN_CTX* ctx) {
  if (a.exp > b.exp) {
    Bn p = Pow10(a.exp - b.exp, ctx);
    BN_mul(a.value.get(), a.value.get(), p.get(), ctx);
    a.exp = b.exp;
  } else if (b.exp > a.exp) {
    Bn p = Pow10(b.exp - a.exp, ctx);
    BN_mul(b.value.get(), b.value.get(), p.get(), ctx);
    b.exp = a.exp;
  }
}

double ToDouble(const Decimal& d) {
  char* dec = BN_bn2dec(d.value.get());
  std::string s = std::string(dec) + "e" + std::to_string(d.exp);
  OPENSSL_free(dec);
  return std::strtod(s.c_str(), nullptr);
}

enum class Op { kAdd, kSub, kMul, kDiv };

Expected<Decimal> Apply(Decimal a, Decimal b, Op op) {
  std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_new());
  Decimal r;
  r.value = NewBn();
  switch (op) {
    case Op::kAdd:
      Align(a, b, ctx.get());
      BN_add(r.value.get(), a.value.get(), b.value.get());
      r.exp = a.exp;
      break;
    case Op::kSub:
      Align(a, b, ctx.get());
      BN_sub(r.value.get(), a.value.get(), b.value.get());
      r.exp = a.exp;
      break;
    case Op::kMul:
      BN_mul(r.value.get(), a.value.get(), b.value.get(), ctx.get());
      r.exp = a.exp + b.exp;
      break;
    case Op::kDiv: {
      if (BN_is_zero(b.value.get())) return std::unexpected("decimal division by zero");
      // DivRound(b, 16): the quotient truncated at 16 decimal places, then rounded half away
      // from zero by comparing twice the remainder with the divisor.
      constexpr int64_t kPrecision = 16;
      int64_t shift = a.exp - b.exp + kPrecision;
      Bn num = NewBn(), den = NewBn();
      BN_copy(num.get(), a.value.get());
      BN_copy(den.get(), b.value.get());
      if (shift >= 0) {
        Bn p = Pow10(shift, ctx.get());
        BN_mul(num.get(), num.get(), p.get(), ctx.get());
      } else {
        Bn p = Pow10(-shift, ctx.get());
        BN_mul(den.get(), den.get(), p.get(), ctx.get());
      }
      Bn rem = NewBn();
      BN_div(r.value.get(), rem.get(), num.get(), den.get(), ctx.get());
      Bn rem2 = NewBn(), dabs = NewBn();
      BN_copy(rem2.get(), rem.get());
      BN_set_negative(rem2.get(), 0);
      BN_lshift1(rem2.get(), rem2.get());
      BN_copy(dabs.get(), den.get());
      BN_set_negative(dabs.get(), 0);
      if (BN_cmp(rem2.get(), dabs.get()) >= 0) {
        bool negative = BN_is_negative(a.value.get()) != BN_is_negative(b.value.get()) &&
                        !BN_is_zero(a.value.get());
        if (negative) {
          BN_sub_word(r.value.get(), 1);
        } else {
          BN_add_word(r.value.get(), 1);
        }
      }
      r.exp = -kPrecision;
      break;
    }
  }
  return r;
}

// execDecimalOp: folds `op` over a and rest, from the floats' decimal forms.
Result DecimalFold(const Value& first, Args rest, Op op) {
  SPRIG_TRY(acc, FromFloat(CastToFloat64(first)));
  for (const auto& v : rest) {
    SPRIG_TRY(d, FromFloat(CastToFloat64(v)));
    SPRIG_TRY(r, Apply(std::move(acc), std::move(d), op));
    acc = std::move(r);
  }
  return ToDouble(acc);
}

Value UntilStep(int64_t start, int64_t stop, int64_t step) {
  Value v = Value::array();
  if (stop < start) {
    if (step >= 0) return v;
    for (int64_t i = start; i > stop; i += step) v.push_back(i);
    return v;
  }
  if (step <= 0) return v;
  for (int64_t i = start; i < stop; i += step) v.push_back(i);
  return v;
}

Expected<Value> CheckedUntilStep(int64_t start, int64_t stop, int64_t step) {
  if (step != 0) {
    long double n = (static_cast<long double>(stop) - start) / step;
    if (n > kMaxRange) {
      return std::unexpected("range of " + std::to_string(static_cast<int64_t>(n)) +
                             " elements exceeds the limit of " + std::to_string(kMaxRange));
    }
  }
  return UntilStep(start, stop, step);
}

std::string JoinInts(const Value& list) {
  std::string out;
  for (const auto& v : list) {
    if (!out.empty()) out += " ";
    out += std::to_string(v.get<int64_t>());
  }
  return out;
}

Result Seq(Args a) {
  std::vector<int64_t> p;
  for (const auto& v : a) {
    SPRIG_TRY(i, IntParam(v));
    p.push_back(i);
  }
  Value r;
  switch (p.size()) {
    case 1: {
      int64_t start = 1, end = p[0], inc = end < start ? -1 : 1;
      SPRIG_TRY(l, CheckedUntilStep(start, end + inc, inc));
      return JoinInts(l);
    }
    case 2: {
      int64_t start = p[0], end = p[1], step = end < start ? -1 : 1;
      SPRIG_TRY(l, CheckedUntilStep(start, end + step, step));
      return JoinInts(l);
    }
    case 3: {
      int64_t start = p[0], end = p[2], step = p[1], inc = 1;
      if (end < start) {
        inc = -1;
        if (step > 0) return "";
      }
      SPRIG_TRY(l, CheckedUntilStep(start, end + inc, step));
      return JoinInts(l);
    }
    default:
      return "";
  }
}

uint64_t RandomBelow(uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    uint64_t x = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&x), sizeof x);
    if (x < limit) return x % n;
  }
}

}  // namespace

void AddMathFunctions(FuncMap& m) {
  Def(m, "add1", 1, 1, [](Args a) -> Result { return CastToInt64(a[0]) + 1; });
  Def(m, "add", 0, kVariadic, [](Args a) -> Result {
    int64_t s = 0;
    for (const auto& v : a) s += CastToInt64(v);
    return s;
  });
  Def(m, "sub", 2, 2, [](Args a) -> Result { return CastToInt64(a[0]) - CastToInt64(a[1]); });
  Def(m, "div", 2, 2, [](Args a) -> Result {
    int64_t b = CastToInt64(a[1]);
    if (b == 0) return std::unexpected("runtime error: integer divide by zero");
    int64_t x = CastToInt64(a[0]);
    if (x == INT64_MIN && b == -1) return x;
    return x / b;
  });
  Def(m, "mod", 2, 2, [](Args a) -> Result {
    int64_t b = CastToInt64(a[1]);
    if (b == 0) return std::unexpected("runtime error: integer divide by zero");
    if (b == -1) return int64_t{0};
    return CastToInt64(a[0]) % b;
  });
  Def(m, "mul", 1, kVariadic, [](Args a) -> Result {
    uint64_t v = static_cast<uint64_t>(CastToInt64(a[0]));
    for (size_t i = 1; i < a.size(); ++i) v *= static_cast<uint64_t>(CastToInt64(a[i]));
    return static_cast<int64_t>(v);
  });
  Def(m, "randInt", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(lo, IntParam(a[0]));
    SPRIG_TRY(hi, IntParam(a[1]));
    if (hi - lo <= 0) return std::unexpected("invalid argument to Intn");
    return static_cast<int64_t>(RandomBelow(static_cast<uint64_t>(hi - lo))) + lo;
  });
  Def(m, "add1f", 1, 1, [](Args a) -> Result {
    Value one = 1;
    return DecimalFold(a[0], Args(&one, 1), Op::kAdd);
  });
  Def(m, "addf", 0, kVariadic,
      [](Args a) -> Result { return DecimalFold(Value(0.0), a, Op::kAdd); });
  Def(m, "subf", 1, kVariadic,
      [](Args a) -> Result { return DecimalFold(a[0], a.subspan(1), Op::kSub); });
  Def(m, "mulf", 1, kVariadic,
      [](Args a) -> Result { return DecimalFold(a[0], a.subspan(1), Op::kMul); });
  Def(m, "divf", 1, kVariadic,
      [](Args a) -> Result { return DecimalFold(a[0], a.subspan(1), Op::kDiv); });
  for (const char* name : {"max", "biggest"}) {
    Def(m, name, 1, kVariadic, [](Args a) -> Result {
      int64_t r = CastToInt64(a[0]);
      for (size_t i = 1; i < a.size(); ++i) r = std::max(r, CastToInt64(a[i]));
      return r;
    });
  }
  Def(m, "min", 1, kVariadic, [](Args a) -> Result {
    int64_t r = CastToInt64(a[0]);
    for (size_t i = 1; i < a.size(); ++i) r = std::min(r, CastToInt64(a[i]));
    return r;
  });
  // math.Max/math.Min: NaN wins, and +0/-0 are ordered.
  Def(m, "maxf", 1, kVariadic, [](Args a) -> Result {
    double r = CastToFloat64(a[0]);
    for (size_t i = 1; i < a.size(); ++i) {
      double b = CastToFloat64(a[i]);
      if (std::isinf(r) && r > 0) continue;
      if (std::isinf(b) && b > 0) {
        r = b;
      } else if (std::isnan(r) || std::isnan(b)) {
        r = NAN;
      } else if (r == 0 && b == 0) {
        r = std::signbit(r) ? b : r;
      } else {
        r = b > r ? b : r;
      }
    }
    return r;
  });
  Def(m, "minf", 1, kVariadic, [](Args a) -> Result {
    double r = CastToFloat64(a[0]);
    for (size_t i = 1; i < a.size(); ++i) {
      double b = CastToFloat64(a[i]);
      if (std::isinf(r) && r < 0) continue;
      if (std::isinf(b) && b < 0) {
        r = b;
      } else if (std::isnan(r) || std::isnan(b)) {
        r = NAN;
      } else if (r == 0 && b == 0) {
        r = std::signbit(r) ? r : b;
      } else {
        r = b < r ? b : r;
      }
    }
    return r;
  });
  Def(m, "floor", 1, 1, [](Args a) -> Result { return std::floor(CastToFloat64(a[0])); });
  Def(m, "ceil", 1, 1, [](Args a) -> Result { return std::ceil(CastToFloat64(a[0])); });
  Def(m, "round", 2, kVariadic, [](Args a) -> Result {
    SPRIG_TRY(places, IntParam(a[1]));
    double round_on = 0.5;
    if (a.size() > 2) {
      SPRIG_TRY(r, FloatParam(a[2]));
      round_on = r;
    }
    for (size_t i = 3; i < a.size(); ++i) {
      SPRIG_TRY(unused, FloatParam(a[i]));
      (void)unused;
    }
    double val = CastToFloat64(a[0]);
    double pow = std::pow(10.0, static_cast<double>(places));
    double digit = pow * val;
    double intpart;
    double frac = std::modf(digit, &intpart);
    double r = frac >= round_on ? std::ceil(digit) : std::floor(digit);
    return r / pow;
  });
  Def(m, "int", 1, 1, [](Args a) -> Result { return CastToInt64(a[0]); });
  Def(m, "int64", 1, 1, [](Args a) -> Result { return CastToInt64(a[0]); });
  Def(m, "float64", 1, 1, [](Args a) -> Result { return CastToFloat64(a[0]); });
  Def(m, "toDecimal", 1, 1,
      [](Args a) -> Result { return ParseGoInt(FormatValue(a[0]), 8).value_or(0); });
  Def(m, "seq", 0, kVariadic, Seq);
  Def(m, "until", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(count, IntParam(a[0]));
    return CheckedUntilStep(0, count, count < 0 ? -1 : 1);
  });
  Def(m, "untilStep", 3, 3, [](Args a) -> Result {
    SPRIG_TRY(start, IntParam(a[0]));
    SPRIG_TRY(stop, IntParam(a[1]));
    SPRIG_TRY(step, IntParam(a[2]));
    return CheckedUntilStep(start, stop, step);
  });
}

}  // namespace keelson::charts::sprig
