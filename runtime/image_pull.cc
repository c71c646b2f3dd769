// ImageStore::Pull: fetch an image from a registry into the content-addressed store, verifying
// everything in a temp directory before anything is moved into place.
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "runtime/fsutil.h"
#include "runtime/image_store.h"
#include "runtime/registry.h"

namespace keelson::runtime {

using api::Json;

namespace {

bool PathExists(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

bool ValidSha256(const std::string& d) {
  return d.size() == 71 && d.starts_with("sha256:") &&
         d.find_first_not_of("0123456789abcdef", 7) == std::string::npos;
}

// Reads a descriptor ({mediaType, digest, size}) at `where` in a manifest.
api::Result<Descriptor> ReadDescriptor(const Json& j, const std::string& where) {
  if (!j.is_object()) return std::unexpected(api::BadRequest(where + ": not an object"));
  Descriptor d;
  d.media_type = j.value("mediaType", "");
  d.digest = j.value("digest", "");
  if (!ValidSha256(d.digest))
    return std::unexpected(api::BadRequest(where + ".digest: invalid digest \"" + d.digest + "\""));
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0)
    return std::unexpected(api::BadRequest(where + ".size: required non-negative integer"));
  d.size = size->get<int64_t>();
  return d;
}

bool IsLayerMediaType(const std::string& mt) {
  return mt.empty() || mt.starts_with("application/vnd.oci.image.layer.") ||
         mt.starts_with("application/vnd.docker.image.rootfs.");
}

constexpr int64_t kMaxConfigBytes = 8 << 20;

}  // namespace

api::Result<ImageInfo> ImageStore::Pull(std::string_view ref_in,
                                        const std::vector<RegistryAuth>& credentials,
                                        const RegistryOptions& opts) {
  auto ref = ParseImageReference(ref_in);
  if (!ref) return std::unexpected(ref.error());
  std::vector<RegistryAuth> tries = credentials;
  if (tries.empty()) tries.emplace_back();
  api::Error last;
  for (const auto& auth : tries) {
    auto start = std::chrono::steady_clock::now();
    auto img = PullOnce(*ref, auth, opts);
    if (img) {
      spdlog::info("image pulled ref={} digest={} ms={}", ref->String(), img->manifest_digest,
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count());
      return img;
    }
    last = img.error();
    if (last.reason == api::Reason::kTimeout) break;  // canceled
  }
  spdlog::warn("image pull failed ref={} error=\"{}\"", ref->String(), last.message);
  return std::unexpected(last.Wrap("pull " + ref->String()));
}

api::Result<ImageInfo> ImageStore::PullOnce(const ImageReference& ref, const RegistryAuth& auth,
                                            const RegistryOptions& opts) {
  RegistryClient client(ref, auth, opts);
  auto top = client.GetManifest(ref.Reference());
  if (!top) return std::unexpected(top.error());
  FetchedManifest manifest = *top;
  if (IsIndexMediaType(top->media_type)) {
    Json index;
    try {
      index = Json::parse(top->body);
    } catch (const std::exception& e) {
      return std::unexpected(api::BadRequest("manifest list " + top->digest + ": " + e.what()));
    }
    auto picked = SelectPlatform(index);
    if (!picked) return std::unexpected(picked.error().Wrap("manifest list " + top->digest));
    auto m = client.GetManifest(picked->digest);
    if (!m) return std::unexpected(m.error());
    if (IsIndexMediaType(m->media_type)) {
      return std::unexpected(api::BadRequest("manifest list " + top->digest + " entry " +
                                             picked->digest + " is itself a manifest list"));
    }
    manifest = std::move(*m);
  }
  std::string where = "manifest " + manifest.digest;
  Descriptor config;
  std::vector<Descriptor> layers;
  try {
    Json m = Json::parse(manifest.body);
    auto c = ReadDescriptor(m.value("config", Json()), where + ": config");
    if (!c) return std::unexpected(c.error());
    config = *c;
    auto ls = m.find("layers");
    if (ls == m.end() || !ls->is_array())
      return std::unexpected(api::BadRequest(where + ": layers: required array"));
    for (size_t i = 0; i < ls->size(); ++i) {
      std::string at = where + ": layers[" + std::to_string(i) + "]";
      auto d = ReadDescriptor((*ls)[i], at);
      if (!d) return std::unexpected(d.error());
      if (!IsLayerMediaType(d->media_type)) {
        return std::unexpected(
            api::BadRequest(at + ".mediaType: unsupported layer type \"" + d->media_type + "\""));
      }
      layers.push_back(*d);
    }
  } catch (const std::exception& e) {
    return std::unexpected(api::BadRequest(where + ": " + e.what()));
  }
  if (config.size > kMaxConfigBytes) {
    return std::unexpected(api::BadRequest(where + ": config of " + std::to_string(config.size) +
                                           " bytes is larger than the limit of " +
                                           std::to_string(kMaxConfigBytes)));
  }

  // Everything new goes to a private temp directory first.
  std::string work = root_ + "/tmp/pull-" + RandomHex(8);
  if (auto st = MakeDirs(work, 0700); !st) return std::unexpected(st.error());
  struct Cleanup {
    std::string dir;
    ~Cleanup() { RemoveAll(dir); }
  } cleanup{work};
  std::vector<std::pair<std::string, std::string>> moves;  // staged path → store path
  std::vector<std::string> reused;                         // store paths this image relies on

  std::string config_path = BlobPath(config.digest);
  if (PathExists(config_path)) {
    reused.push_back(config_path);
  } else {
    std::string staged = work + "/config";
    auto st = client.GetBlob(config, staged);
    if (!st) return std::unexpected(st.error().Wrap("config " + config.digest));
    moves.emplace_back(staged, config_path);
    config_path = staged;
  }
  std::vector<std::string> diff_ids;
  {
    auto text = ReadFile(config_path);
    if (!text) return std::unexpected(text.error());
    try {
      Json c = Json::parse(*text);
      const Json& rootfs = c.at("rootfs");
      if (rootfs.value("type", "") != "layers")
        throw std::runtime_error("rootfs.type must be \"layers\"");
      for (auto& d : rootfs.at("diff_ids")) diff_ids.push_back(d.get<std::string>());
    } catch (const std::exception& e) {
      return std::unexpected(api::BadRequest("config " + config.digest + ": " + e.what()));
    }
  }
  if (diff_ids.size() != layers.size()) {
    return std::unexpected(api::BadRequest("config " + config.digest + " lists " +
                                           std::to_string(diff_ids.size()) + " diff_ids for the " +
                                           std::to_string(layers.size()) + " layers of " + where));
  }
  int fetched = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Descriptor& l = layers[i];
    if (!ValidSha256(diff_ids[i])) {
      return std::unexpected(api::BadRequest("config " + config.digest + ": rootfs.diff_ids[" +
                                             std::to_string(i) + "]: invalid digest"));
    }
    std::string blob = BlobPath(l.digest), dir = LayerDir(diff_ids[i]);
    bool have_blob = PathExists(blob), have_layer = PathExists(dir);
    if (have_blob && have_layer) {
      reused.push_back(blob);
      reused.push_back(dir);
      continue;
    }
    std::string src = blob;
    if (!have_blob) {
      src = work + "/layer" + std::to_string(i);
      auto st = client.GetBlob(l, src);
      if (!st) return std::unexpected(st.error().Wrap("layer " + l.digest));
      ++fetched;
    }
    auto id = LayerDiffId(src);
    if (!id) return std::unexpected(id.error().Wrap("layer " + l.digest));
    if (*id != diff_ids[i]) {
      return std::unexpected(api::BadRequest("layer " + l.digest + ": diff_id mismatch: config " +
                                             "says " + diff_ids[i] + ", content is " + *id));
    }
    if (!have_blob) moves.emplace_back(src, blob);
    if (!have_layer) {
      std::string udir = work + "/unpacked" + std::to_string(i);
      if (mkdir(udir.c_str(), 0755) != 0)
        return std::unexpected(api::Internal(ErrnoMessage("mkdir " + udir)));
      auto st = UnpackLayer(src, udir);
      if (!st) return std::unexpected(st.error().Wrap("unpack layer " + l.digest));
      moves.emplace_back(udir, dir);
    } else {
      reused.push_back(dir);
    }
  }
  std::string manifest_tmp = work + "/manifest";
  if (auto st = WriteFileAtomic(manifest_tmp, manifest.body, 0600); !st)
    return std::unexpected(st.error());
  moves.emplace_back(manifest_tmp, BlobPath(manifest.digest));

  // Commit: under the store lock so a concurrent Remove cannot collect what we rely on.
  std::lock_guard lock(mu_);
  for (auto& p : reused) {
    if (!PathExists(p)) {
      return std::unexpected(api::MakeError(
          api::Reason::kConflict, p + " was removed while the image was pulled; pull again"));
    }
  }
  for (auto& [from, to] : moves) {
    if (rename(from.c_str(), to.c_str()) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
      return std::unexpected(api::Internal(ErrnoMessage("store " + to)));
    }
  }
  auto refs = LoadRefs();
  if (!refs) return std::unexpected(refs.error());
  (*refs)[ref.String()] = manifest.digest;
  (*refs)[ref.Name() + "@" + top->digest] = manifest.digest;
  if (auto st = SaveRefs(*refs); !st) return std::unexpected(st.error());
  auto info = LoadImage(manifest.digest);
  if (!info) return std::unexpected(info.error());
  for (auto& [name, md] : *refs)
    if (md == manifest.digest) info->refs.push_back(name);
  spdlog::debug("image layers ref={} fetched={} reused={}", ref.String(), fetched,
                layers.size() - static_cast<size_t>(fetched));
  return info;
}

}  // namespace keelson::runtime
