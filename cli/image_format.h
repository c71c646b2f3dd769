// Table rendering for `keelctl image ls`, in docker's formats (IMAGE ID as 12 hex digits,
// go-units HumanSizeWithPrecision sizes, "N units ago" ages). Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "api/object.h"

namespace keelson::cli {

struct ImageRow {
  std::string repository;    // "<none>" for an untagged image
  std::string tag;           // "<none>" for an untagged image or a digest-only reference
  std::string id;            // 12 hex digits (all of the digest with no_trunc)
  std::string size;          // "4.26MB"
  std::string created;       // "2 weeks ago", "N/A" when unknown
  int64_t created_unix = 0;  // INT64_MIN when unknown (sorts last)
};

// One row per repoTag (per repoDigest for an image with no tags; one <none> row for an image
// with neither), newest first, then by repository and tag.
std::vector<ImageRow> ImageRows(const api::Json& items, std::chrono::system_clock::time_point now,
                                bool no_trunc);
// The table with header: REPOSITORY TAG IMAGE ID SIZE CREATED (tabwriter minwidth 10, padding 3
// as docker uses).
std::string FormatImageTable(const std::vector<ImageRow>& rows);

// go-units HumanSizeWithPrecision(size, 3): decimal units ("1.24MB", "512B", "1kB").
std::string HumanSize(double bytes);
// go-units HumanDuration ("Less than a second", "About a minute", "3 hours", "2 weeks").
std::string HumanDuration(std::chrono::nanoseconds d);

}  // namespace keelson::cli
