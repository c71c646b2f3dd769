// kubectl (pflag/cobra) flag-value parsing with Go's exact error texts, for flags keelctl reads
// as strings so that bad values print what kubectl prints. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/error.h"

namespace keelson::cli {

// Go's time.ParseDuration ("1h30m", "1.5s", "-2m", "0"); nanoseconds. Errors (BadRequest) carry
// Go's messages: `time: invalid duration "x"`, `time: missing unit in duration "5"`,
// `time: unknown unit "x" in duration "5x"`.
api::Result<int64_t> ParseGoDuration(std::string_view s);

// strconv.ParseInt(s, 0, 64) as pflag's Int64 flag uses it. Errors: `strconv.ParseInt: parsing
// "x": invalid syntax` / `...: value out of range`.
api::Result<int64_t> ParseGoInt64(std::string_view s);

// strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False. Errors: `strconv.ParseBool:
// parsing "x": invalid syntax`.
api::Result<bool> ParseGoBool(std::string_view s);

// pflag's message for a bad flag value: `invalid argument "v" for "--name" flag: <why>`.
std::string InvalidFlagValue(std::string_view value, std::string_view flag, std::string_view why);

}  // namespace keelson::cli
