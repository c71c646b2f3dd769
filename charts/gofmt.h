// Go's fmt package over template values: how Go prints interface{} values (%v and friends),
// Sprint/Sprintln/Sprintf with Go's error forms, template truthiness and number helpers.
// Shared by the template engine and the function libraries (Sprig, Helm's). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "charts/funcs.h"

namespace keelson::charts {

// The Go type name of a value as reflect prints it: "bool", "int", "uint64", "float64", "string",
// "[]interface {}", "map[string]interface {}", a Go-typed value's marker ("time.Time"), and
// "<nil>" for null.
std::string GoTypeName(const Value& v);

// True for values Go would hold as an integer type (int, int64, uint64): JSON integers.
inline bool IsGoInt(const Value& v) { return v.is_number_integer(); }
// True for float64 values.
inline bool IsGoFloat(const Value& v) { return v.is_number_float(); }

// strconv.FormatFloat(f, fmt, prec, 64) for fmt in 'e','E','f','g','G' (prec -1 = shortest).
std::string FormatFloat(double f, char fmt, int prec);

// strconv.Quote: a double-quoted Go string literal (printable runes kept, others escaped).
std::string GoQuote(std::string_view s);
// strconv.QuoteToASCII: as GoQuote but every non-ASCII rune escaped.
std::string GoQuoteASCII(std::string_view s);

// fmt.Sprint(v): the %v form ("<nil>", "true", "3", "1e+06", "[a b]", "map[a:1 b:2]").
std::string FormatValue(const Value& v);

// fmt.Sprint(args...): operands joined, with a space between two operands when neither is a
// string.
std::string Sprint(std::span<const Value> args);
// fmt.Sprintln(args...): operands separated by spaces, then a newline.
std::string Sprintln(std::span<const Value> args);
// fmt.Sprintf(format, args...): verbs %v %+v %#v %T %s %q %d %b %o %O %x %X %c %U %e %E %f %F
// %g %G %t %%, flags + - # 0 space, width and precision (also *), argument indexes [n], and Go's
// error forms: %!d(string=x), %!d(MISSING), %!(EXTRA type=value, ...), %!(NOVERB),
// %!(BADWIDTH), %!(BADPREC), %!(BADINDEX).
std::string Sprintf(std::string_view format, std::span<const Value> args);

// text/template truthiness (Go's isTrue): false for null, false, 0, 0.0, "" and empty
// lists/maps; true otherwise (Go-typed values are structs: always true).
bool GoTruth(const Value& v);

// Replaces every integer in `v` (recursively) by the float64 of the same value: how Helm sees
// numbers decoded from YAML/JSON (sigs.k8s.io/yaml → encoding/json → float64).
void IntsToFloats(Value& v);

// A printer for a Go-typed value (IsGoType marker): returns what %v prints (e.g. time.Time's
// String()), or nullopt to fall back to the struct form. Libraries register theirs once at
// start-up (thread-safe); the last registration for a type wins.
using GoStringer = std::function<std::optional<std::string>(const Value&)>;
void RegisterGoStringer(std::string type, GoStringer stringer);

}  // namespace keelson::charts
