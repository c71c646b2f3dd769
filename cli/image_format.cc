// docker-style image table formatting.
#include "cli/image_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>

#include "cli/printers.h"

namespace keelson::cli {
namespace {

using api::Json;

// Seconds since the epoch of an RFC 3339 timestamp; nullopt when it does not parse.
std::optional<int64_t> ParseRfc3339(const std::string& s) {
  std::tm tm{};
  if (s.size() < 20) return std::nullopt;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  // Go's zero time (0001-01-01): docker prints N/A for it.
  if (tm.tm_year <= 1) return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t t = static_cast<int64_t>(timegm(&tm));
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int hh = 0, mm = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &hh, &mm) == 2) {
      int64_t off = hh * 3600 + mm * 60;
      t += s[i] == '+' ? -off : off;
    }
  }
  return t;
}

void SplitRepoTag(const std::string& ref, std::string& repo, std::string& tag) {
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    repo = ref.substr(0, colon);
    tag = ref.substr(colon + 1);
  } else {
    repo = ref;
    tag = "<none>";
  }
}

}  // namespace

std::string HumanSize(double size) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  int i = 0;
  while (size >= 1000.0 && i < 8) {
    size /= 1000.0;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g%s", size, kUnits[i]);
  return buf;
}

std::string HumanDuration(std::chrono::nanoseconds d) {
  double secs_f = std::chrono::duration<double>(d).count();
  int64_t seconds = static_cast<int64_t>(secs_f);
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return std::to_string(seconds) + " seconds";
  int64_t minutes = static_cast<int64_t>(secs_f / 60);
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return std::to_string(minutes) + " minutes";
  int64_t hours = static_cast<int64_t>(std::round(secs_f / 3600));
  if (hours == 1) return "About an hour";
  if (hours < 48) return std::to_string(hours) + " hours";
  if (hours < 24 * 7 * 2) return std::to_string(hours / 24) + " days";
  if (hours < 24 * 30 * 2) return std::to_string(hours / 24 / 7) + " weeks";
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24 / 30) + " months";
  return std::to_string(static_cast<int64_t>(secs_f / 3600) / 24 / 365) + " years";
}

std::vector<ImageRow> ImageRows(const Json& items, std::chrono::system_clock::time_point now,
                                bool no_trunc) {
  std::vector<ImageRow> rows;
  if (!items.is_array()) return rows;
  int64_t now_unix =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  for (const auto& img : items) {
    if (!img.is_object()) continue;
    ImageRow base;
    std::string id = img.value("id", "");
    std::string hex = id.starts_with("sha256:") ? id.substr(7) : id;
    base.id = no_trunc ? id : hex.substr(0, 12);
    double size = img.contains("size") && img["size"].is_number() ? img["size"].get<double>() : 0;
    base.size = HumanSize(size);
    std::string created = img.value("created", "");
    std::optional<int64_t> when = ParseRfc3339(created);
    base.created_unix = when.value_or(std::numeric_limits<int64_t>::min());
    base.created = when ? HumanDuration(std::chrono::seconds(now_unix - *when)) + " ago" : "N/A";
    std::vector<std::string> tags, digests;
    if (img.contains("repoTags") && img["repoTags"].is_array()) {
      for (const auto& t : img["repoTags"]) {
        if (t.is_string()) tags.push_back(t.get<std::string>());
      }
    }
    if (img.contains("repoDigests") && img["repoDigests"].is_array()) {
      for (const auto& t : img["repoDigests"]) {
        if (t.is_string()) digests.push_back(t.get<std::string>());
      }
    }
    if (!tags.empty()) {
      for (const auto& t : tags) {
        ImageRow r = base;
        SplitRepoTag(t, r.repository, r.tag);
        rows.push_back(std::move(r));
      }
    } else if (!digests.empty()) {
      for (const auto& d : digests) {
        ImageRow r = base;
        r.repository = d.substr(0, d.find('@'));
        r.tag = "<none>";
        rows.push_back(std::move(r));
      }
    } else {
      ImageRow r = base;
      r.repository = "<none>";
      r.tag = "<none>";
      rows.push_back(std::move(r));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const ImageRow& a, const ImageRow& b) {
    if (a.created_unix != b.created_unix) return a.created_unix > b.created_unix;
    if (a.repository != b.repository) return a.repository < b.repository;
    return a.tag < b.tag;
  });
  return rows;
}

std::string FormatImageTable(const std::vector<ImageRow>& rows) {
  std::string text = "REPOSITORY\tTAG\tIMAGE ID\tSIZE\tCREATED\n";
  for (const auto& r : rows) {
    text += r.repository + "\t" + r.tag + "\t" + r.id + "\t" + r.size + "\t" + r.created + "\n";
  }
  std::string out = TabWrite(text, 10, 3);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

}  // namespace keelson::cli
