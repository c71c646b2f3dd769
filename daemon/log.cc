// Structured logging on spdlog.
#include "daemon/log.h"

#include <atomic>

#include <spdlog/sinks/stdout_sinks.h>
#include <nlohmann/json.hpp>

namespace keelson::daemon {
namespace {

std::atomic<bool> g_json{false};

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') return true;
  }
  return false;
}

}  // namespace

api::Status SetupLogging(std::string_view format, std::string_view level) {
  if (format != "text" && format != "json") {
    return std::unexpected(api::BadRequest("log format \"" + std::string(format) + "\" unknown"));
  }
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    return std::unexpected(api::BadRequest("log level \"" + std::string(level) + "\" unknown"));
  }
  auto logger = spdlog::stderr_logger_mt("keelsond");
  spdlog::set_default_logger(logger);
  g_json = format == "json";
  if (g_json) {
    spdlog::set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                        spdlog::pattern_time_type::utc);
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %L %v", spdlog::pattern_time_type::utc);
  }
  spdlog::set_level(lvl);
  spdlog::flush_on(spdlog::level::warn);
  return {};
}

void Log(spdlog::level::level_enum level, std::string_view msg, LogFields fields) {
  if (!spdlog::should_log(level)) return;
  std::string line;
  if (g_json) {
    line = "\"msg\":" + nlohmann::json(std::string(msg))
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const auto& [k, v] : fields) {
      line += ",\"" + std::string(k) + "\":" +
              nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  } else {
    line = msg;
    for (const auto& [k, v] : fields) {
      line += ' ';
      line += k;
      line += '=';
      if (NeedsQuotes(v)) {
        line += nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      } else {
        line += v;
      }
    }
  }
  spdlog::log(level, "{}", line);
}

}  // namespace keelson::daemon
