// Content-addressed image store: archive import, safe layer unpacking, rootfs assembly.
#include "runtime/image_store.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include "api/object.h"
#include "runtime/fsutil.h"

namespace keelson::runtime {

using api::Json;

namespace {

api::Error Bad(std::string msg) { return api::BadRequest(std::move(msg)); }

// Splits a tar member name into clean components. Rejects absolute paths and `..`.
api::Result<std::vector<std::string>> CleanPath(std::string_view name) {
  if (!name.empty() && name.front() == '/') {
    return std::unexpected(Bad("absolute path not allowed"));
  }
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find('/', i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view c = name.substr(i, j - i);
    if (c == "..") return std::unexpected(Bad("path escapes the layer root (\"..\")"));
    if (!c.empty() && c != ".") parts.emplace_back(c);
    i = j + 1;
  }
  return parts;
}

std::string Join(const std::vector<std::string>& parts, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < parts.size(); ++i) {
    if (!out.empty()) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

// openat2 confined beneath `rootfd`: symlinks are followed only while they stay below it.
int OpenBeneath(int rootfd, const std::string& rel, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  return static_cast<int>(syscall(SYS_openat2, rootfd, rel.c_str(), &how, sizeof how));
}

std::string ResolveError(const std::string& rel) {
  if (errno == EXDEV) return "\"" + rel + "\" resolves outside the layer root through a symlink";
  if (errno == ELOOP) return "\"" + rel + "\": too many symlinks";
  return ErrnoMessage("open \"" + rel + "\"");
}

// Opens (creating as needed) the parent directory of parts[0..n-1]'s last element.
api::Result<int> OpenParent(int rootfd, const std::vector<std::string>& parts) {
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    std::string prefix = Join(parts, i + 1);
    int fd = OpenBeneath(rootfd, prefix, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
      close(fd);
      continue;
    }
    if (errno != ENOENT) return std::unexpected(Bad(ResolveError(prefix)));
    int pfd = OpenBeneath(rootfd, Join(parts, i), O_RDONLY | O_DIRECTORY);
    if (pfd < 0) return std::unexpected(Bad(ResolveError(Join(parts, i))));
    int rc = mkdirat(pfd, parts[i].c_str(), 0755);
    close(pfd);
    if (rc != 0 && errno != EEXIST) return std::unexpected(Bad(ErrnoMessage("mkdir " + prefix)));
  }
  int fd = OpenBeneath(rootfd, Join(parts, parts.size() - 1), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return std::unexpected(Bad(ResolveError(Join(parts, parts.size() - 1))));
  return fd;
}

// Removes whatever is at `name` in `dirfd` (recursively for directories, never following links).
void RemoveAt(int dirfd, const char* name) {
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (!S_ISDIR(st.st_mode)) {
    unlinkat(dirfd, name, 0);
    return;
  }
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    DIR* d = fdopendir(fd);
    if (d != nullptr) {
      std::vector<std::string> names;
      while (dirent* e = readdir(d)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
      }
      for (auto& n : names) RemoveAt(fd, n.c_str());
      closedir(d);
    } else {
      close(fd);
    }
  }
  unlinkat(dirfd, name, AT_REMOVEDIR);
}

bool IsRoot() { return geteuid() == 0; }

off_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

ArchivePtr OpenTar(const std::string& path, std::string* err) {
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    *err = archive_error_string(a.get()) ? archive_error_string(a.get()) : "cannot open";
    return nullptr;
  }
  return a;
}

// Writes one regular file entry's data into `fd`.
api::Status CopyData(archive* a, int fd) {
  const void* buf;
  size_t size;
  la_int64_t offset;
  for (;;) {
    int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK)
      return std::unexpected(Bad(std::string("read data: ") + archive_error_string(a)));
    const char* p = static_cast<const char*>(buf);
    size_t done = 0;
    while (done < size) {
      ssize_t n = pwrite(fd, p + done, size - done, offset + static_cast<off_t>(done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return std::unexpected(api::Internal(ErrnoMessage("write")));
      }
      done += static_cast<size_t>(n);
    }
  }
  return {};
}

api::Status UnpackEntry(archive* a, archive_entry* e, int rootfd) {
  const char* raw = archive_entry_pathname(e);
  std::string name = raw ? raw : "";
  auto parts = CleanPath(name);
  if (!parts) return std::unexpected(parts.error());
  if (parts->empty()) return {};  // the root directory itself
  mode_t type = archive_entry_filetype(e);
  const char* hl = archive_entry_hardlink(e);
  const std::string base = parts->back();

  auto parent = OpenParent(rootfd, *parts);
  if (!parent) return std::unexpected(parent.error());
  int pfd = *parent;
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{pfd};

  // Whiteouts (see the OCI image spec, "Representing Changes").
  if (base == ".wh..wh..opq") {
    if (IsRoot() && fsetxattr(pfd, "trusted.overlay.opaque", "y", 1, 0) == 0) return {};
    int fd = openat(pfd, base.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) close(fd);
    return {};
  }
  if (base.starts_with(".wh.")) {
    std::string target = base.substr(4);
    if (target.empty() || target == "." || target == "..")
      return std::unexpected(Bad("bad whiteout"));
    RemoveAt(pfd, target.c_str());
    if (IsRoot() && mknodat(pfd, target.c_str(), S_IFCHR | 0, makedev(0, 0)) == 0) return {};
    RemoveAt(pfd, base.c_str());
    int fd = openat(pfd, base.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) close(fd);
    return {};
  }

  uid_t uid = static_cast<uid_t>(archive_entry_uid(e));
  gid_t gid = static_cast<gid_t>(archive_entry_gid(e));
  mode_t perm = archive_entry_perm(e);
  timespec times[2] = {{archive_entry_mtime(e), 0}, {archive_entry_mtime(e), 0}};

  if (hl != nullptr) {
    auto tparts = CleanPath(hl);
    if (!tparts)
      return std::unexpected(
          Bad("hardlink target \"" + std::string(hl) + "\": " + tparts.error().message));
    if (tparts->empty()) return std::unexpected(Bad("hardlink to the layer root"));
    auto tparent = OpenParent(rootfd, *tparts);
    if (!tparent) return std::unexpected(Bad("hardlink target: " + tparent.error().message));
    struct stat st;
    int rc = fstatat(*tparent, tparts->back().c_str(), &st, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) {
      close(*tparent);
      return std::unexpected(
          Bad("hardlink target \"" + std::string(hl) + "\" is not in the layer"));
    }
    RemoveAt(pfd, base.c_str());
    rc = linkat(*tparent, tparts->back().c_str(), pfd, base.c_str(), 0);
    close(*tparent);
    if (rc != 0) return std::unexpected(api::Internal(ErrnoMessage("link")));
    return {};
  }

  switch (type) {
    case AE_IFDIR: {
      struct stat st;
      if (fstatat(pfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
        RemoveAt(pfd, base.c_str());
      }
      if (mkdirat(pfd, base.c_str(), 0700) != 0 && errno != EEXIST) {
        return std::unexpected(api::Internal(ErrnoMessage("mkdir")));
      }
      int fd = openat(pfd, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return std::unexpected(api::Internal(ErrnoMessage("open dir")));
      if (IsRoot()) fchown(fd, uid, gid);
      fchmod(fd, perm);
      close(fd);
      return {};
    }
    case AE_IFREG: {
      RemoveAt(pfd, base.c_str());
      int fd =
          openat(pfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0) return std::unexpected(api::Internal(ErrnoMessage("create")));
      auto st = CopyData(a, fd);
      if (st && IsRoot()) fchown(fd, uid, gid);
      if (st) fchmod(fd, perm);  // after chown, which clears set-id bits
      if (st) futimens(fd, times);
      close(fd);
      return st;
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (target == nullptr) return std::unexpected(Bad("symlink without target"));
      RemoveAt(pfd, base.c_str());
      if (symlinkat(target, pfd, base.c_str()) != 0) {
        return std::unexpected(api::Internal(ErrnoMessage("symlink")));
      }
      if (IsRoot()) fchownat(pfd, base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
      utimensat(pfd, base.c_str(), times, AT_SYMLINK_NOFOLLOW);
      return {};
    }
    case AE_IFIFO: {
      RemoveAt(pfd, base.c_str());
      if (mkfifoat(pfd, base.c_str(), perm) != 0)
        return std::unexpected(api::Internal(ErrnoMessage("mkfifo")));
      return {};
    }
    case AE_IFCHR:
    case AE_IFBLK:
      return std::unexpected(Bad("device nodes are not allowed in image layers"));
    default:
      return std::unexpected(Bad("unsupported entry type"));
  }
}

// SHA-256 of the decompressed layer stream (its diff_id).
api::Result<std::string> DiffId(const std::string& path) {
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return std::unexpected(Bad(std::string("open layer: ") + archive_error_string(a.get())));
  }
  archive_entry* e;
  if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK) {
    return std::unexpected(Bad(std::string("read layer: ") + archive_error_string(a.get())));
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  char buf[65536];
  for (;;) {
    la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
    if (n < 0) {
      EVP_MD_CTX_free(ctx);
      return std::unexpected(Bad(std::string("read layer: ") + archive_error_string(a.get())));
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx, buf, static_cast<size_t>(n));
  }
  unsigned char md[32];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::vector<std::string> StringArray(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::string HexOf(const std::string& digest) {
  return digest.starts_with("sha256:") ? digest.substr(7) : digest;
}

bool ValidDigest(const std::string& d) {
  if (!d.starts_with("sha256:") || d.size() != 71) return false;
  return std::all_of(d.begin() + 7, d.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) &&
           !std::isupper(static_cast<unsigned char>(c));
  });
}

// Copies the layer tree `src` onto `dst` applying whiteouts (the non-overlay rootfs).
api::Status ApplyLayerCopy(const std::string& src, const std::string& dst) {
  DIR* d = opendir(src.c_str());
  if (d == nullptr) return std::unexpected(api::Internal(ErrnoMessage("opendir " + src)));
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
  }
  closedir(d);
  char opq[2];
  bool opaque =
      getxattr(src.c_str(), "trusted.overlay.opaque", opq, sizeof opq) == 1 && opq[0] == 'y';
  if (opaque || std::find(names.begin(), names.end(), ".wh..wh..opq") != names.end()) {
    int dfd = open(dst.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd >= 0) {
      DIR* dd = fdopendir(dfd);
      std::vector<std::string> old;
      while (dirent* e = readdir(dd)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) old.push_back(e->d_name);
      }
      for (auto& n : old) RemoveAt(dfd, n.c_str());
      closedir(dd);
    }
  }
  for (const auto& n : names) {
    if (n == ".wh..wh..opq") continue;
    std::string s = src + "/" + n, t = dst + "/" + n;
    struct stat st;
    if (lstat(s.c_str(), &st) != 0) continue;
    if (n.starts_with(".wh.")) {
      RemoveAll(dst + "/" + n.substr(4));
      continue;
    }
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
      RemoveAll(t);
      continue;
    }
    struct stat tst;
    bool exists = lstat(t.c_str(), &tst) == 0;
    if (S_ISDIR(st.st_mode)) {
      if (exists && !S_ISDIR(tst.st_mode)) RemoveAll(t);
      if (mkdir(t.c_str(), st.st_mode & 07777) != 0 && errno != EEXIST) {
        return std::unexpected(api::Internal(ErrnoMessage("mkdir " + t)));
      }
      chmod(t.c_str(), st.st_mode & 07777);
      if (IsRoot()) lchown(t.c_str(), st.st_uid, st.st_gid);
      auto r = ApplyLayerCopy(s, t);
      if (!r) return r;
      continue;
    }
    if (exists) RemoveAll(t);
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n2 = readlink(s.c_str(), target.data(), target.size());
      if (n2 < 0) return std::unexpected(api::Internal(ErrnoMessage("readlink " + s)));
      target.resize(static_cast<size_t>(n2));
      if (symlink(target.c_str(), t.c_str()) != 0)
        return std::unexpected(api::Internal(ErrnoMessage("symlink " + t)));
      if (IsRoot()) lchown(t.c_str(), st.st_uid, st.st_gid);
    } else if (S_ISREG(st.st_mode)) {
      int in = open(s.c_str(), O_RDONLY | O_CLOEXEC);
      int out = open(t.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (in < 0 || out < 0) {
        if (in >= 0) close(in);
        if (out >= 0) close(out);
        return std::unexpected(api::Internal(ErrnoMessage("copy " + s)));
      }
      char buf[65536];
      ssize_t r;
      while ((r = read(in, buf, sizeof buf)) > 0) {
        if (write(out, buf, static_cast<size_t>(r)) != r) break;
      }
      if (IsRoot()) fchown(out, st.st_uid, st.st_gid);
      fchmod(out, st.st_mode & 07777);
      close(in);
      close(out);
    } else if (S_ISFIFO(st.st_mode)) {
      mkfifo(t.c_str(), st.st_mode & 07777);
    }
  }
  return {};
}

}  // namespace

api::Result<std::string> NormalizeReference(std::string_view ref_in) {
  auto ref = ParseImageReference(ref_in);
  if (!ref) return std::unexpected(ref.error());
  return ref->String();
}

api::Result<std::string> LayerDiffId(const std::string& layer_path) { return DiffId(layer_path); }

api::Status UnpackLayer(const std::string& layer_path, const std::string& dest) {
  std::string err;
  ArchivePtr a = OpenTar(layer_path, &err);
  if (!a) return std::unexpected(Bad("open layer " + layer_path + ": " + err));
  int rootfd = open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return std::unexpected(api::Internal(ErrnoMessage("open " + dest)));
  api::Status result;
  for (;;) {
    archive_entry* e;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      result = std::unexpected(Bad(std::string("read layer: ") + archive_error_string(a.get())));
      break;
    }
    auto st = UnpackEntry(a.get(), e, rootfd);
    if (!st) {
      const char* p = archive_entry_pathname(e);
      result = std::unexpected(st.error().Wrap("entry \"" + std::string(p ? p : "") + "\""));
      break;
    }
  }
  close(rootfd);
  return result;
}

api::Result<std::unique_ptr<ImageStore>> ImageStore::Open(const std::string& root) {
  for (const char* sub : {"blobs/sha256", "layers", "tmp"}) {
    auto st = MakeDirs(root + "/" + sub, 0700);
    if (!st) return std::unexpected(st.error().Wrap("open image store"));
  }
  return std::unique_ptr<ImageStore>(new ImageStore(root));
}

std::string ImageStore::BlobPath(const std::string& digest) const {
  return root_ + "/blobs/sha256/" + HexOf(digest);
}

std::string ImageStore::LayerDir(const std::string& diff_id) const {
  return root_ + "/layers/" + HexOf(diff_id);
}

api::Result<std::map<std::string, std::string>> ImageStore::LoadRefs() const {
  auto text = ReadFile(root_ + "/refs.json");
  if (!text) {
    if (text.error().reason == api::Reason::kNotFound) return std::map<std::string, std::string>{};
    return std::unexpected(text.error());
  }
  try {
    return Json::parse(*text).get<std::map<std::string, std::string>>();
  } catch (const std::exception& e) {
    return std::unexpected(api::Internal(root_ + "/refs.json: " + e.what()));
  }
}

api::Status ImageStore::SaveRefs(const std::map<std::string, std::string>& refs) const {
  return WriteFileAtomic(root_ + "/refs.json", Json(refs).dump(2), 0600);
}

api::Result<ImageInfo> ImageStore::LoadImage(const std::string& manifest_digest) const {
  auto mtext = ReadFile(BlobPath(manifest_digest));
  if (!mtext) return std::unexpected(mtext.error().Wrap("manifest " + manifest_digest));
  try {
    Json m = Json::parse(*mtext);
    ImageInfo info;
    info.manifest_digest = manifest_digest;
    info.config_digest = m.at("config").at("digest").get<std::string>();
    for (auto& l : m.at("layers")) info.size += l.value("size", int64_t{0});
    auto ctext = ReadFile(BlobPath(info.config_digest));
    if (!ctext) return std::unexpected(ctext.error().Wrap("config " + info.config_digest));
    Json c = Json::parse(*ctext);
    info.diff_ids = StringArray(c.at("rootfs"), "diff_ids");
    if (auto it = c.find("config"); it != c.end() && it->is_object()) {
      info.config.entrypoint = StringArray(*it, "Entrypoint");
      info.config.cmd = StringArray(*it, "Cmd");
      info.config.env = StringArray(*it, "Env");
      if (it->contains("WorkingDir") && (*it)["WorkingDir"].is_string())
        info.config.working_dir = (*it)["WorkingDir"];
      if (it->contains("User") && (*it)["User"].is_string()) info.config.user = (*it)["User"];
    }
    return info;
  } catch (const std::exception& e) {
    return std::unexpected(api::Internal("image " + manifest_digest + ": " + e.what()));
  }
}

api::Status ImageStore::EnsureLayer(const std::string& blob_path, const std::string& diff_id) {
  std::string dir = LayerDir(diff_id);
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) return {};
  std::string tmp = root_ + "/tmp/layer-" + RandomHex(8);
  if (mkdir(tmp.c_str(), 0755) != 0)
    return std::unexpected(api::Internal(ErrnoMessage("mkdir " + tmp)));
  auto r = UnpackLayer(blob_path, tmp);
  if (!r) {
    RemoveAll(tmp);
    return std::unexpected(r.error().Wrap("unpack layer " + diff_id));
  }
  if (rename(tmp.c_str(), dir.c_str()) != 0) {
    RemoveAll(tmp);
    if (errno == EEXIST || errno == ENOTEMPTY) return {};
    return std::unexpected(api::Internal(ErrnoMessage("rename layer " + diff_id)));
  }
  return {};
}

api::Result<std::vector<ImageInfo>> ImageStore::Import(const std::string& archive_path) {
  std::string err;
  ArchivePtr a = OpenTar(archive_path, &err);
  if (!a) return std::unexpected(Bad("import " + archive_path + ": " + err));
  std::string work = root_ + "/tmp/import-" + RandomHex(8);
  if (mkdir(work.c_str(), 0700) != 0)
    return std::unexpected(api::Internal(ErrnoMessage("mkdir " + work)));
  struct Cleanup {
    std::string dir;
    ~Cleanup() { RemoveAll(dir); }
  } cleanup{work};
  auto fail = [&](std::string msg) -> api::Result<std::vector<ImageInfo>> {
    return std::unexpected(Bad("import " + archive_path + ": " + msg));
  };

  // Members by clean path → a temp file holding their bytes.
  std::map<std::string, std::string> files;
  int counter = 0;
  for (;;) {
    archive_entry* e;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return fail(std::string("read archive: ") + archive_error_string(a.get()));
    if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) != nullptr) continue;
    auto parts = CleanPath(archive_entry_pathname(e));
    if (!parts)
      return fail("member \"" + std::string(archive_entry_pathname(e)) +
                  "\": " + parts.error().message);
    std::string key = Join(*parts, parts->size());
    std::string tmp = work + "/m" + std::to_string(counter++);
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return std::unexpected(api::Internal(ErrnoMessage("create " + tmp)));
    auto st = CopyData(a.get(), fd);
    close(fd);
    if (!st) return fail("member \"" + key + "\": " + st.error().message);
    files[key] = tmp;
  }

  // Stores a member as a blob after checking it against `expect` ("" = no expectation).
  std::lock_guard lock(mu_);
  auto store_blob = [&](const std::string& member,
                        const std::string& expect) -> api::Result<std::string> {
    auto it = files.find(member);
    if (it == files.end()) return std::unexpected(Bad("member \"" + member + "\" is missing"));
    auto hex = Sha256File(it->second);
    if (!hex) return std::unexpected(hex.error());
    std::string digest = "sha256:" + *hex;
    if (!expect.empty() && expect != digest) {
      return std::unexpected(Bad("member \"" + member + "\": digest mismatch: expected " + expect +
                                 ", got " + digest));
    }
    std::string dst = BlobPath(digest);
    struct stat st;
    if (stat(dst.c_str(), &st) != 0 && rename(it->second.c_str(), dst.c_str()) != 0) {
      return std::unexpected(api::Internal(ErrnoMessage("store blob " + digest)));
    }
    it->second = dst;
    return digest;
  };
  auto write_blob = [&](const std::string& content) -> api::Result<std::string> {
    std::string digest = "sha256:" + Sha256Hex(content);
    auto st = WriteFileAtomic(BlobPath(digest), content, 0600);
    if (!st) return std::unexpected(st.error());
    return digest;
  };
  // Verifies and unpacks the layers against the config's diff_ids.
  auto check_layers = [&](const std::string& config_digest,
                          const std::vector<std::string>& layer_digests,
                          const std::string& where) -> api::Status {
    auto ctext = ReadFile(BlobPath(config_digest));
    if (!ctext) return std::unexpected(ctext.error());
    std::vector<std::string> diff_ids;
    try {
      diff_ids = StringArray(Json::parse(*ctext).at("rootfs"), "diff_ids");
    } catch (const std::exception& e) {
      return std::unexpected(Bad(where + ": config " + config_digest + ": " + e.what()));
    }
    if (diff_ids.size() != layer_digests.size()) {
      return std::unexpected(Bad(where + ": config lists " + std::to_string(diff_ids.size()) +
                                 " diff_ids for " + std::to_string(layer_digests.size()) +
                                 " layers"));
    }
    for (size_t i = 0; i < diff_ids.size(); ++i) {
      auto id = DiffId(BlobPath(layer_digests[i]));
      if (!id) return std::unexpected(id.error().Wrap(where + ": layer " + layer_digests[i]));
      if (*id != diff_ids[i]) {
        return std::unexpected(Bad(where + ": layer " + layer_digests[i] +
                                   ": diff_id mismatch: config says " + diff_ids[i] +
                                   ", content is " + *id));
      }
      auto st = EnsureLayer(BlobPath(layer_digests[i]), diff_ids[i]);
      if (!st) return std::unexpected(st.error().Wrap(where));
    }
    return {};
  };

  std::vector<std::pair<std::string, std::vector<std::string>>> imported;  // manifest, tags
  try {
    if (files.contains("manifest.json") && !files.contains("index.json")) {
      auto text = ReadFile(files["manifest.json"]);
      if (!text) return std::unexpected(text.error());
      Json list = Json::parse(*text);
      if (!list.is_array()) return fail("manifest.json: not an array");
      for (size_t n = 0; n < list.size(); ++n) {
        const Json& entry = list[n];
        std::string where = "manifest.json[" + std::to_string(n) + "]";
        std::string config_member = entry.at("Config").get<std::string>();
        std::string expect;
        std::string base = config_member.substr(config_member.rfind('/') + 1);
        if (base.ends_with(".json")) base.resize(base.size() - 5);
        if (ValidDigest("sha256:" + base)) expect = "sha256:" + base;
        if (config_member.starts_with("blobs/sha256/"))
          expect = "sha256:" + config_member.substr(13);
        auto config = store_blob(config_member, expect);
        if (!config) return fail(where + ": " + config.error().message);
        Json manifest = {{"schemaVersion", 2},
                         {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                         {"config",
                          {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                           {"digest", *config},
                           {"size", static_cast<int64_t>(FileSize(BlobPath(*config)))}}},
                         {"layers", Json::array()}};
        std::vector<std::string> layer_digests;
        for (auto& l : entry.at("Layers")) {
          std::string member = l.get<std::string>();
          std::string lexpect;
          if (member.starts_with("blobs/sha256/")) lexpect = "sha256:" + member.substr(13);
          auto d = store_blob(member, lexpect);
          if (!d) return fail(where + ": " + d.error().message);
          layer_digests.push_back(*d);
          manifest["layers"].push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                                        {"digest", *d},
                                        {"size", static_cast<int64_t>(FileSize(BlobPath(*d)))}});
        }
        auto st = check_layers(*config, layer_digests, where);
        if (!st) return fail(st.error().message);
        auto md = write_blob(manifest.dump());
        if (!md) return std::unexpected(md.error());
        std::vector<std::string> tags;
        if (entry.contains("RepoTags") && entry["RepoTags"].is_array()) {
          for (auto& t : entry["RepoTags"]) tags.push_back(t.get<std::string>());
        }
        imported.emplace_back(*md, tags);
      }
    } else if (files.contains("index.json")) {
      auto text = ReadFile(files["index.json"]);
      if (!text) return std::unexpected(text.error());
      Json index = Json::parse(*text);
      std::vector<std::pair<Json, std::string>> todo;  // descriptor, ref annotation
      for (auto& d : index.at("manifests")) {
        std::string ref;
        if (d.contains("annotations")) {
          auto& an = d["annotations"];
          if (an.contains("io.containerd.image.name"))
            ref = an["io.containerd.image.name"];
          else if (an.contains("org.opencontainers.image.ref.name"))
            ref = an["org.opencontainers.image.ref.name"];
        }
        todo.emplace_back(d, ref);
      }
      for (size_t n = 0; n < todo.size(); ++n) {
        auto [desc, ref] = todo[n];
        std::string where = "index.json manifest " + std::to_string(n);
        std::string digest = desc.at("digest").get<std::string>();
        if (!ValidDigest(digest)) return fail(where + ": bad digest \"" + digest + "\"");
        auto md = store_blob("blobs/sha256/" + HexOf(digest), digest);
        if (!md) return fail(where + ": " + md.error().message);
        auto mtext = ReadFile(BlobPath(digest));
        if (!mtext) return std::unexpected(mtext.error());
        Json m = Json::parse(*mtext);
        std::string mt = m.value("mediaType", desc.value("mediaType", ""));
        if (mt.find("index") != std::string::npos ||
            mt.find("manifest.list") != std::string::npos) {
          // Multi-platform: take linux/amd64 (or the only entry).
          for (auto& sub : m.at("manifests")) {
            auto p = sub.value("platform", Json::object());
            if (m["manifests"].size() == 1 ||
                (p.value("os", "") == "linux" && p.value("architecture", "") == "amd64")) {
              todo.emplace_back(sub, ref);
              break;
            }
          }
          continue;
        }
        std::string config_digest = m.at("config").at("digest").get<std::string>();
        if (!ValidDigest(config_digest)) return fail(where + ": bad config digest");
        auto cd = store_blob("blobs/sha256/" + HexOf(config_digest), config_digest);
        if (!cd) return fail(where + ": config: " + cd.error().message);
        std::vector<std::string> layer_digests;
        for (auto& l : m.at("layers")) {
          std::string ld = l.at("digest").get<std::string>();
          if (!ValidDigest(ld)) return fail(where + ": bad layer digest");
          auto d = store_blob("blobs/sha256/" + HexOf(ld), ld);
          if (!d) return fail(where + ": layer: " + d.error().message);
          layer_digests.push_back(ld);
        }
        auto st = check_layers(config_digest, layer_digests, where);
        if (!st) return fail(st.error().message);
        std::vector<std::string> tags;
        if (!ref.empty()) tags.push_back(ref);
        imported.emplace_back(digest, tags);
      }
    } else {
      return fail("neither manifest.json (docker save) nor index.json (OCI layout) found");
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }

  auto refs = LoadRefs();
  if (!refs) return std::unexpected(refs.error());
  for (auto& [md, tags] : imported) {
    for (auto& t : tags) {
      auto norm = NormalizeReference(t);
      if (!norm) return fail(norm.error().message);
      (*refs)[*norm] = md;
    }
  }
  auto st = SaveRefs(*refs);
  if (!st) return std::unexpected(st.error());
  std::vector<ImageInfo> out;
  for (auto& [md, tags] : imported) {
    auto info = LoadImage(md);
    if (!info) return std::unexpected(info.error());
    for (auto& [r, d] : *refs)
      if (d == md) info->refs.push_back(r);
    out.push_back(*info);
  }
  return out;
}

api::Result<ImageInfo> ImageStore::Resolve(std::string_view ref) const {
  std::lock_guard lock(mu_);
  auto refs = LoadRefs();
  if (!refs) return std::unexpected(refs.error());
  std::string manifest;
  std::string r(ref);
  if (r.starts_with("sha256:") || (r.size() >= 12 && std::all_of(r.begin(), r.end(), ::isxdigit))) {
    std::string hex = HexOf(r);
    for (auto& [name, md] : *refs) {
      if (HexOf(md).starts_with(hex)) manifest = md;
      if (manifest.empty()) {
        auto info = LoadImage(md);
        if (info && HexOf(info->config_digest).starts_with(hex)) manifest = md;
      }
    }
  } else {
    auto norm = NormalizeReference(ref);
    if (!norm) return std::unexpected(norm.error());
    auto it = refs->find(*norm);
    if (it != refs->end()) manifest = it->second;
  }
  if (manifest.empty()) return std::unexpected(api::NotFound("images", ref));
  auto info = LoadImage(manifest);
  if (!info) return std::unexpected(info.error());
  for (auto& [name, md] : *refs)
    if (md == manifest) info->refs.push_back(name);
  return info;
}

api::Result<std::vector<ImageInfo>> ImageStore::List() const {
  std::lock_guard lock(mu_);
  auto refs = LoadRefs();
  if (!refs) return std::unexpected(refs.error());
  std::map<std::string, ImageInfo> by_manifest;
  for (auto& [name, md] : *refs) {
    if (!by_manifest.contains(md)) {
      auto info = LoadImage(md);
      if (!info) return std::unexpected(info.error());
      by_manifest[md] = *info;
    }
    by_manifest[md].refs.push_back(name);
  }
  std::vector<ImageInfo> out;
  for (auto& [md, info] : by_manifest) out.push_back(info);
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.refs < b.refs; });
  return out;
}

api::Status ImageStore::Tag(const ImageInfo& image, std::string_view ref) {
  auto norm = NormalizeReference(ref);
  if (!norm) return std::unexpected(norm.error());
  std::lock_guard lock(mu_);
  auto refs = LoadRefs();
  if (!refs) return std::unexpected(refs.error());
  (*refs)[*norm] = image.manifest_digest;
  return SaveRefs(*refs);
}

api::Status ImageStore::Remove(std::string_view ref) {
  auto info = Resolve(ref);
  if (!info) return std::unexpected(info.error());
  std::lock_guard lock(mu_);
  auto refs = LoadRefs();
  if (!refs) return std::unexpected(refs.error());
  auto norm = NormalizeReference(ref);
  if (norm && refs->contains(*norm)) {
    refs->erase(*norm);
  } else {
    for (auto it = refs->begin(); it != refs->end();) {
      it = it->second == info->manifest_digest ? refs->erase(it) : std::next(it);
    }
  }
  auto st = SaveRefs(*refs);
  if (!st) return st;
  // Collect what the remaining images still use; drop the rest of this image.
  std::set<std::string> live_blobs, live_layers;
  for (auto& [name, md] : *refs) {
    auto other = LoadImage(md);
    if (!other) continue;
    live_blobs.insert(HexOf(md));
    live_blobs.insert(HexOf(other->config_digest));
    for (auto& d : other->diff_ids) live_layers.insert(HexOf(d));
    auto mtext = ReadFile(BlobPath(md));
    if (mtext) {
      try {
        for (auto& l : Json::parse(*mtext).at("layers")) live_blobs.insert(HexOf(l.at("digest")));
      } catch (...) {
      }
    }
  }
  if (live_blobs.contains(HexOf(info->manifest_digest))) return {};
  auto mtext = ReadFile(BlobPath(info->manifest_digest));
  if (mtext) {
    try {
      for (auto& l : Json::parse(*mtext).at("layers")) {
        std::string h = HexOf(l.at("digest"));
        if (!live_blobs.contains(h)) RemoveAll(BlobPath(h));
      }
    } catch (...) {
    }
  }
  for (auto& d : info->diff_ids)
    if (!live_layers.contains(HexOf(d))) RemoveAll(LayerDir(d));
  if (!live_blobs.contains(HexOf(info->config_digest))) RemoveAll(BlobPath(info->config_digest));
  RemoveAll(BlobPath(info->manifest_digest));
  return {};
}

api::Result<Rootfs> ImageStore::CreateRootfs(const ImageInfo& image,
                                             const std::string& container_dir, bool allow_overlay) {
  Rootfs fs;
  fs.path = container_dir + "/rootfs";
  auto st = MakeDirs(fs.path, 0755);
  if (!st) return std::unexpected(st.error().Wrap("create rootfs"));
  std::string lower;
  for (auto it = image.diff_ids.rbegin(); it != image.diff_ids.rend(); ++it) {
    std::string dir = LayerDir(*it);
    struct stat sb;
    if (stat(dir.c_str(), &sb) != 0) {
      return std::unexpected(api::MakeError(api::Reason::kNotFound,
                                            "create rootfs: layer " + *it + " is not unpacked"));
    }
    if (!lower.empty()) lower += ':';
    lower += dir;
  }
  if (image.diff_ids.empty()) return fs;
  std::string upper = container_dir + "/upper", work = container_dir + "/work";
  MakeDirs(upper, 0755);
  MakeDirs(work, 0700);
  std::string opts = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
  if (allow_overlay && opts.size() < 4000 &&
      mount("overlay", fs.path.c_str(), "overlay", 0, opts.c_str()) == 0) {
    fs.overlay = true;
    return fs;
  }
  RemoveAll(upper);
  RemoveAll(work);
  for (auto& d : image.diff_ids) {
    auto r = ApplyLayerCopy(LayerDir(d), fs.path);
    if (!r) return std::unexpected(r.error().Wrap("copy layer " + d));
  }
  return fs;
}

api::Status ImageStore::RemoveRootfs(const std::string& container_dir) {
  std::string rootfs = container_dir + "/rootfs";
  umount2(rootfs.c_str(), MNT_DETACH);
  api::Status result;
  for (const char* sub : {"/rootfs", "/upper", "/work"}) {
    auto st = RemoveAll(container_dir + sub);
    if (!st) result = st;
  }
  return result;
}

}  // namespace keelson::runtime
