// Helpers shared by the runtime tests: temp dirs, tar building, the busybox test image.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/fsutil.h"

namespace keelson::runtime::testing {

// A fresh directory removed (with any mounts below it) on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/keelson-rt-XXXXXX";
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() { RemoveAll(path_); }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// One member of a tar built by WriteTar.
struct TarEntry {
  std::string name;
  enum Kind { kFile, kDir, kSymlink, kHardlink, kCharDev } kind = kFile;
  std::string data;  // file content, or link target
  int mode = 0644;
};

inline void WriteTar(const std::string& path, const std::vector<TarEntry>& entries) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open_filename(a, path.c_str());
  for (const auto& e : entries) {
    archive_entry* en = archive_entry_new();
    archive_entry_set_pathname(en, e.name.c_str());
    archive_entry_set_perm(en, static_cast<mode_t>(e.mode));
    switch (e.kind) {
      case TarEntry::kFile:
        archive_entry_set_filetype(en, AE_IFREG);
        archive_entry_set_size(en, static_cast<la_int64_t>(e.data.size()));
        break;
      case TarEntry::kDir:
        archive_entry_set_filetype(en, AE_IFDIR);
        break;
      case TarEntry::kSymlink:
        archive_entry_set_filetype(en, AE_IFLNK);
        archive_entry_set_symlink(en, e.data.c_str());
        break;
      case TarEntry::kHardlink:
        archive_entry_set_filetype(en, AE_IFREG);
        archive_entry_set_hardlink(en, e.data.c_str());
        break;
      case TarEntry::kCharDev:
        archive_entry_set_filetype(en, AE_IFCHR);
        archive_entry_set_rdevmajor(en, 1);
        archive_entry_set_rdevminor(en, 3);
        break;
    }
    archive_write_header(a, en);
    if (e.kind == TarEntry::kFile && !e.data.empty())
      archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(en);
  }
  archive_write_close(a);
  archive_write_free(a);
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// Builds the busybox test image with scripts/build-test-image.sh into `dir`; "" on failure.
inline std::string BuildTestImage(const std::string& dir, const std::string& format = "docker") {
  const char* src = std::getenv("KEELSON_SOURCE_DIR");
  std::string script = std::string(src ? src : ".") + "/scripts/build-test-image.sh";
  std::string out = dir + "/busybox-" + format + ".tar";
  std::string cmd = script + " " + out + " --format " + format + " >/dev/null";
  if (std::system(cmd.c_str()) != 0) return "";
  return out;
}

inline bool HaveRunc() {
  return access("/usr/sbin/runc", X_OK) == 0 || access("/usr/bin/runc", X_OK) == 0;
}

}  // namespace keelson::runtime::testing
