// The node's content-addressed OCI image store: blobs, references, unpacked layers and
// per-container root filesystems (overlayfs over shared layers, or a private copy).
//
// Layout under the store root (<data>/images):
//   blobs/sha256/<hex>        manifests, configs and layer tars, verified against their digest
//   layers/<diffid hex>/      a layer unpacked once, shared read-only by every container
//   refs.json                 {"docker.io/library/busybox:latest": "sha256:<manifest>"}
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "runtime/registry.h"

namespace keelson::runtime {

// The parts of an image config (the OCI "config" object) that decide how a container starts.
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "K=V"
  std::string working_dir;
  std::string user;
};

struct ImageInfo {
  std::vector<std::string> refs;      // normalized names pointing at this image
  std::string manifest_digest;        // "sha256:..."
  std::string config_digest;          // the image ID
  std::vector<std::string> diff_ids;  // "sha256:...", bottom layer first
  int64_t size = 0;                   // sum of the layer blob sizes
  ImageConfig config;

  // The refs of the "name@sha256:<digest>" form: the digests registries serve this image under
  // (for a multi-platform image, the manifest list's digest).
  std::vector<std::string> RepoDigests() const {
    std::vector<std::string> out;
    for (const auto& r : refs)
      if (r.find('@') != std::string::npos) out.push_back(r);
    return out;
  }
};

// Normalizes a reference the way Docker does (ParseImageReference(ref)->String()):
// "busybox" → "docker.io/library/busybox:latest", "r.example:5000/a/b" →
// "r.example:5000/a/b:latest"; digests ("name@sha256:...") are kept. Errors: InvalidImageName-style
// BadRequest for empty names, upper case repositories or bad characters.
api::Result<std::string> NormalizeReference(std::string_view ref);

// Unpacks the (optionally compressed) layer tar at `layer_path` into the existing empty
// directory `dest`, refusing anything that would write outside `dest`: absolute paths, `..`
// components, writes through symlinks that resolve outside `dest`, hardlinks whose target is
// outside, and device nodes. Whiteouts become overlayfs whiteouts (0:0 character devices and
// the trusted.overlay.opaque xattr) when the process may create them, `.wh.` marker files
// otherwise. On error `dest` may hold a partial layer (callers unpack into a temp directory);
// nothing outside it has been touched. Thread-safe.
api::Status UnpackLayer(const std::string& layer_path, const std::string& dest);

// The diff_id of a layer blob: "sha256:<hex>" of its decompressed tar stream. Errors: BadRequest
// (unreadable or corrupt compression).
api::Result<std::string> LayerDiffId(const std::string& layer_path);

// A container's root filesystem made by ImageStore::CreateRootfs.
struct Rootfs {
  std::string path;      // <container_dir>/rootfs
  bool overlay = false;  // overlayfs mount (false: a private copy of the layers)
};

class ImageStore {
 public:
  // Opens (creating) the store at `root`. Errors: InternalError if the directory cannot be made.
  static api::Result<std::unique_ptr<ImageStore>> Open(const std::string& root);

  // Imports every image of a `docker save` archive or an OCI image layout archive (tar,
  // optionally compressed): verifies each blob's digest and each layer's diff_id, stores the
  // blobs, unpacks new layers and points the archive's tags at the images. Returns the imported
  // images. Errors: BadRequest naming the archive member at fault (missing manifest, digest
  // mismatch, unsafe layer entry...); nothing is tagged on error. Thread-safe.
  api::Result<std::vector<ImageInfo>> Import(const std::string& archive_path);

  // Pulls `ref` from its registry over the distribution API (see RegistryClient): the manifest
  // (for a manifest list or OCI index, the linux/<this arch> entry), the config and every layer
  // not already in the store, each verified against its digest, size and diff_id while it
  // streams to a temp file, then unpacked beside the store. Only once everything is verified is
  // it moved into the store and `ref` (normalized) and "name@<digest the registry served>"
  // pointed at the image: on error nothing new is stored. `credentials` are tried in order
  // (empty: anonymous), as the kubelet tries pull secrets; the last error is returned, wrapped
  // as `pull <normalized ref>: ...`, its reason from the registry's answer (NotFound "manifest
  // unknown", Unauthorized, Forbidden, ServiceUnavailable, BadRequest for invalid content,
  // Timeout when opts.cancel fired). Thread-safe; the store lock is held only to commit, so
  // pulls do not block other store users while they download. Callers deduplicate concurrent
  // pulls of one image (ImagePuller does).
  api::Result<ImageInfo> Pull(std::string_view ref, const std::vector<RegistryAuth>& credentials,
                              const RegistryOptions& opts);

  // The image a reference (any form NormalizeReference accepts, "sha256:<config or manifest>",
  // or a unique config digest prefix of at least 12 hex chars) names. Errors: NotFound.
  api::Result<ImageInfo> Resolve(std::string_view ref) const;
  // Every image, sorted by first reference.
  api::Result<std::vector<ImageInfo>> List() const;
  // Removes the reference; the image's blobs and layers go once no reference names it.
  // Errors: NotFound.
  api::Status Remove(std::string_view ref);
  // Points `ref` at an existing image (docker tag).
  api::Status Tag(const ImageInfo& image, std::string_view ref);

  // Builds `<container_dir>/rootfs` from the image's layers: an overlayfs mount with upper and
  // work directories in `<container_dir>` when the kernel allows it, else a private copy with
  // whiteouts applied (always a copy when `allow_overlay` is false). Errors: NotFound (a layer
  // is missing), InternalError.
  api::Result<Rootfs> CreateRootfs(const ImageInfo& image, const std::string& container_dir,
                                   bool allow_overlay = true);
  // Unmounts and deletes what CreateRootfs made; missing pieces are fine (idempotent).
  static api::Status RemoveRootfs(const std::string& container_dir);

  // Directory of an unpacked layer.
  std::string LayerDir(const std::string& diff_id) const;
  const std::string& root() const { return root_; }

 private:
  explicit ImageStore(std::string root) : root_(std::move(root)) {}
  api::Result<ImageInfo> LoadImage(const std::string& manifest_digest) const;
  api::Result<std::map<std::string, std::string>> LoadRefs() const;
  api::Status SaveRefs(const std::map<std::string, std::string>& refs) const;
  api::Status EnsureLayer(const std::string& blob_path, const std::string& diff_id);
  std::string BlobPath(const std::string& digest) const;
  api::Result<ImageInfo> PullOnce(const ImageReference& ref, const RegistryAuth& auth,
                                  const RegistryOptions& opts);

  std::string root_;
  mutable std::mutex mu_;
};

}  // namespace keelson::runtime
