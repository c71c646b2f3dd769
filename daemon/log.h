// Structured logging for keelsond on spdlog: `msg key=value ...` (text) or one JSON object per
// line (json). Thread-safe. Never pass secrets, tokens or private keys.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "api/error.h"

namespace keelson::daemon {

using LogFields = std::initializer_list<std::pair<std::string_view, std::string>>;

// Configures the default spdlog logger (stderr). format: "text" | "json"; level as spdlog names
// it. Errors: BadRequest for an unknown format or level.
api::Status SetupLogging(std::string_view format, std::string_view level);

// Logs `msg` with fields at `level`.
void Log(spdlog::level::level_enum level, std::string_view msg, LogFields fields = {});

inline void LogInfo(std::string_view msg, LogFields f = {}) { Log(spdlog::level::info, msg, f); }
inline void LogWarn(std::string_view msg, LogFields f = {}) { Log(spdlog::level::warn, msg, f); }
inline void LogError(std::string_view msg, LogFields f = {}) { Log(spdlog::level::err, msg, f); }
inline void LogDebug(std::string_view msg, LogFields f = {}) { Log(spdlog::level::debug, msg, f); }

}  // namespace keelson::daemon
