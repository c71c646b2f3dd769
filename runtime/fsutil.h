// Small filesystem and hashing helpers shared by the node agent's pieces. Errors as values; no
// exceptions escape. Thread-safe (no shared state).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/error.h"

namespace keelson::runtime {

// Reads the whole file. Errors: NotFound, InternalError (with errno text).
api::Result<std::string> ReadFile(const std::string& path);
// Writes `data` to a temp file beside `path`, fsyncs it (when `durable`) and renames it over
// `path`, so readers see either the old or the new content. `mode` applies to the new file.
// durable=false is for files about things that do not outlive a machine crash (containers,
// network namespaces, pod sandbox files): they stay atomic for readers but skip the disk flush.
api::Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0644,
                            bool durable = true);
// mkdir -p with `mode` for created directories.
api::Status MakeDirs(const std::string& path, int mode = 0755);
// rm -rf that never crosses mount points (it detaches any mount found below `path` first) and
// does not follow symlinks. Missing `path` is success.
api::Status RemoveAll(const std::string& path);
// Lowercase hex SHA-256 of a file's bytes / of a string.
api::Result<std::string> Sha256File(const std::string& path);
std::string Sha256Hex(std::string_view data);
// "error text (errno N)" for the current errno, prefixed with `what`.
std::string ErrnoMessage(std::string_view what);
// Standard base64 (with or without padding); nullopt on bad input.
std::optional<std::string> Base64Decode(std::string_view in);

// A random lowercase hex string of 2*bytes characters.
std::string RandomHex(int bytes);

}  // namespace keelson::runtime
