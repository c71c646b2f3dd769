// Helpers shared by the Sprig function families (charts/sprig_*.cc): registration with arity
// checks, text/template's conversion of arguments to typed Go parameters, spf13/cast conversions,
// Go's emptiness and DeepEqual over Values, and UTF-8/Unicode helpers with Go's semantics.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "charts/funcs.h"
#include "charts/gofmt.h"

namespace keelson::charts::sprig {

using Args = std::span<const Value>;
using Result = std::expected<Value, std::string>;
template <class T>
using Expected = std::expected<T, std::string>;

// Evaluates `expr` (an Expected<T>); on error returns the error from the enclosing function,
// otherwise binds the value to `var`.
#define SPRIG_TRY(var, expr)                                         \
  auto var##_result_ = (expr);                                       \
  if (!var##_result_) return std::unexpected(var##_result_.error()); \
  auto var = std::move(*var##_result_)

// The Go type names (kGoTypeKey markers) of the Go-typed values Sprig creates; GoTypeName (gofmt.h)
// prints them for %T and typeOf.
inline constexpr std::string_view kTimeType = "time.Time";
inline constexpr std::string_view kSemverType = "*semver.Version";
inline constexpr std::string_view kCertType = "sprig.certificate";

inline constexpr size_t kVariadic = static_cast<size_t>(-1);

// Registers `fn` under `name`. Before calling it, checks the argument count the way Go's
// text/template checks a function's signature: exactly `min` arguments when max == min, at least
// `min` when max == kVariadic, otherwise between min and max.
void Def(FuncMap& funcs, std::string name, size_t min, size_t max, std::function<Result(Args)> fn);

// reflect.Kind of the value ("string", "int", "float64", "bool", "slice", "map", "struct", "ptr",
// "invalid" for nil).
std::string GoKindName(const Value& v);

// text/template's conversion of an argument to a typed Go parameter (exec.go validateType).
// Errors carry Go's wording: "wrong type for value; expected string; got int" or, for nil,
// "invalid value; expected string". Integers of any Go integer type are accepted for int
// parameters (Values do not keep int vs int64); float64 values are refused as Go refuses them.
Expected<std::string> StringParam(const Value& v);
Expected<int64_t> IntParam(const Value& v);
Expected<double> FloatParam(const Value& v);
Expected<bool> BoolParam(const Value& v);
// map[string]interface{}: nil becomes an empty (nil) map; Go-typed values are refused.
Expected<Value> MapParam(const Value& v);
// []string / variadic ...string parameters.
Expected<std::vector<std::string>> StringParams(Args args);
// time.Time parameters (Go-typed {"\x01gotype":"time"} values).
Expected<Value> TimeParam(const Value& v);

// spf13/cast conversions as Sprig uses them (errors ignored: unconvertible values give 0).
// Strings parse with Go's strconv rules (base prefixes, "1.0" → 1), floats truncate, bools give
// 1/0, nil gives 0.
int64_t CastToInt64(const Value& v);
double CastToFloat64(const Value& v);
// Go strconv.ParseInt(s, base, 64); nullopt on syntax or range error.
std::optional<int64_t> ParseGoInt(std::string_view s, int base);
// Go strconv.ParseFloat(s, 64); nullopt on error.
std::optional<double> ParseGoFloat(std::string_view s);

// Sprig's strval (toString): strings as-is, everything else as fmt's %v prints it (Go-typed
// values through their String()).
std::string Strval(const Value& v);
// time.Time's String(): "2006-01-02 15:04:05.999999999 -0700 MST".
std::string TimeString(const Value& t);

// Sprig's empty(): the Go zero value of the value's type (nil, false, 0, "", empty
// slice/map). Go structs (time.Time, ...) are never empty.
bool Empty(const Value& v);
// reflect.DeepEqual over Go values: numbers of different Go types are not equal (1 != 1.0).
bool DeepEqual(const Value& a, const Value& b);
// Values as []interface{} for list functions that accept any slice; error names the kind.
bool IsList(const Value& v);

// Unicode, with Go's semantics. Decoding maps each invalid byte to U+FFFD (utf8.RuneError).
std::u32string DecodeUtf8(std::string_view s);
void AppendUtf8(std::string& out, char32_t r);
std::string EncodeUtf8(std::u32string_view rs);
bool IsSpace(char32_t r);
bool IsUpper(char32_t r);
bool IsLower(char32_t r);
bool IsTitleCase(char32_t r);
bool IsLetter(char32_t r);
bool IsDigit(char32_t r);
bool IsNumber(char32_t r);
bool IsPunct(char32_t r);
char32_t ToUpper(char32_t r);
char32_t ToLower(char32_t r);
char32_t ToTitle(char32_t r);

// A Go error-like message with printf-free formatting of a kind/type name.
std::string WrongType(std::string_view expected, const Value& got);

// Family registration (one per sprig_*.cc).
void AddStringFunctions(FuncMap& funcs);
void AddRegexFunctions(FuncMap& funcs);
void AddListFunctions(FuncMap& funcs);
void AddDictFunctions(FuncMap& funcs);
void AddDefaultsFunctions(FuncMap& funcs);
void AddMathFunctions(FuncMap& funcs);
void AddDateFunctions(FuncMap& funcs);
void AddCryptoFunctions(FuncMap& funcs);
void AddSemverFunctions(FuncMap& funcs);
void AddEncodingFunctions(FuncMap& funcs);
void AddReflectFunctions(FuncMap& funcs);
void AddPathFunctions(FuncMap& funcs);
void AddNetworkFunctions(FuncMap& funcs);

// Go's base64.StdEncoding; decoding errors carry Go's text ("illegal base64 data at input byte 4").
std::string Base64Encode(std::string_view in);
Expected<std::string> Base64Decode(std::string_view in);

// Go's path.Clean.
std::string GoPathClean(const std::string& p);

// time.Time values: {"\x01gotype":"time","sec":unix seconds,"nsec":0..999999999,"loc":zone name
// ("UTC", "Local", "Europe/Paris", or "" for a fixed zone with "zone" and "offset")}.
// Formats `t` with a Go reference-time layout ("2006-01-02T15:04:05Z07:00").
std::string FormatTime(const Value& t, std::string_view layout);
// The current time in the Local zone (through the clock hook below).
Value Now();
// Replaces the clock used by now/ago/durationRound (tests); returns unix seconds and nanoseconds.
void SetClockForTesting(std::function<std::pair<int64_t, int64_t>()> clock);

// Go's encoding/json Marshal of a Value: keys sorted, floats as Go formats them, HTML characters
// escaped as \u003c/\u003e/\u0026 when `escape_html`, U+2028/U+2029 escaped, `indent` non-empty
// for MarshalIndent. Go-typed values marshal as Go would (time.Time as an RFC 3339 string).
Expected<std::string> MarshalJson(const Value& v, bool escape_html, std::string_view indent);
// Go's json.Unmarshal into interface{}: numbers become float64.
Expected<Value> UnmarshalJson(std::string_view text);

}  // namespace keelson::charts::sprig
