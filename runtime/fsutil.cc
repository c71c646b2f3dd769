// Filesystem and hashing helpers for the node agent.
#include "runtime/fsutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace keelson::runtime {

std::string ErrnoMessage(std::string_view what) {
  int e = errno;
  return std::string(what) + ": " + std::strerror(e);
}

api::Result<std::string> ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return std::unexpected(api::MakeError(api::Reason::kNotFound, ErrnoMessage("open " + path)));
    return std::unexpected(api::Internal(ErrnoMessage("open " + path)));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = api::Internal(ErrnoMessage("read " + path));
      close(fd);
      return std::unexpected(err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

api::Status WriteFileAtomic(const std::string& path, std::string_view data, int mode,
                            bool durable) {
  std::string tmp = path + ".tmp-" + RandomHex(4);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return std::unexpected(api::Internal(ErrnoMessage("create " + tmp)));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = api::Internal(ErrnoMessage("write " + tmp));
      close(fd);
      unlink(tmp.c_str());
      return std::unexpected(err);
    }
    off += static_cast<size_t>(n);
  }
  fchmod(fd, mode);
  if ((durable && fsync(fd) != 0) || close(fd) != 0) {
    auto err = api::Internal(ErrnoMessage("sync " + tmp));
    unlink(tmp.c_str());
    return std::unexpected(err);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = api::Internal(ErrnoMessage("rename " + tmp + " to " + path));
    unlink(tmp.c_str());
    return std::unexpected(err);
  }
  return {};
}

api::Status MakeDirs(const std::string& path, int mode) {
  if (path.empty()) return {};
  std::string cur;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    cur = path.substr(0, j);
    if (!cur.empty() && mkdir(cur.c_str(), mode) != 0 && errno != EEXIST) {
      return std::unexpected(api::Internal(ErrnoMessage("mkdir " + cur)));
    }
    i = j + 1;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return std::unexpected(api::Internal("mkdir " + path + ": not a directory"));
  }
  return {};
}

namespace {

// Removes the entries of the directory open as `dirfd` (consumed), recursively, without
// following symlinks or crossing into other filesystems.
api::Status RemoveChildren(int dirfd, const std::string& shown, dev_t dev) {
  DIR* d = fdopendir(dirfd);
  if (d == nullptr) {
    close(dirfd);
    return std::unexpected(api::Internal(ErrnoMessage("opendir " + shown)));
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  api::Status result;
  for (const auto& n : names) {
    struct stat st;
    if (fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (st.st_dev != dev) {
        // A mount point below: detach it, then remove the (now plain) directory.
        std::string full = shown + "/" + n;
        umount2(full.c_str(), MNT_DETACH);
        if (fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (st.st_dev != dev) {
          result = std::unexpected(api::Internal("remove " + full + ": still a mount point"));
          continue;
        }
      }
      int child = openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child >= 0) {
        auto st2 = RemoveChildren(child, shown + "/" + n, dev);
        if (!st2) result = st2;
      }
      if (unlinkat(dirfd, n.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
        result = std::unexpected(api::Internal(ErrnoMessage("rmdir " + shown + "/" + n)));
      }
    } else if (unlinkat(dirfd, n.c_str(), 0) != 0 && errno != ENOENT) {
      result = std::unexpected(api::Internal(ErrnoMessage("unlink " + shown + "/" + n)));
    }
  }
  closedir(d);
  return result;
}

}  // namespace

api::Status RemoveAll(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return std::unexpected(api::Internal(ErrnoMessage("stat " + path)));
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return std::unexpected(api::Internal(ErrnoMessage("unlink " + path)));
    }
    return {};
  }
  // The path itself may be a mount point (a tmpfs volume): detach it first.
  struct stat parent;
  std::string parent_path = path + "/..";
  if (stat(parent_path.c_str(), &parent) == 0 && parent.st_dev != st.st_dev) {
    umount2(path.c_str(), MNT_DETACH);
    if (lstat(path.c_str(), &st) != 0) return {};
  }
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::unexpected(api::Internal(ErrnoMessage("open " + path)));
  auto children = RemoveChildren(fd, path, st.st_dev);
  if (rmdir(path.c_str()) != 0 && errno != ENOENT) {
    return std::unexpected(api::Internal(ErrnoMessage("rmdir " + path)));
  }
  return children;
}

api::Result<std::string> Sha256File(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(api::Internal(ErrnoMessage("open " + path)));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto err = api::Internal(ErrnoMessage("read " + path));
      EVP_MD_CTX_free(ctx);
      close(fd);
      return std::unexpected(err);
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx, buf, static_cast<size_t>(n));
  }
  close(fd);
  unsigned char md[32];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=' || c == '\n' || c == '\r')
      continue;
    else
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string RandomHex(int bytes) {
  std::vector<unsigned char> b(static_cast<size_t>(bytes));
  RAND_bytes(b.data(), bytes);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

}  // namespace keelson::runtime
