// Registry pulls over the OCI distribution API v2: image references parsed the way Docker and
// containerd parse them, the kubelet's pull-secret keyring, and a client that fetches manifests
// and blobs (verified against their digests) with anonymous, Basic and Bearer-token auth.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/error.h"
#include "api/object.h"

namespace keelson::runtime {

// An image reference split into its parts, normalized like Docker's ParseNormalizedNamed:
// "busybox" → docker.io / library/busybox / latest; "r.example:5000/a/b@sha256:…" keeps the
// digest and has no tag. The first path component is a registry host when it contains '.' or
// ':' or is "localhost"; "index.docker.io" becomes "docker.io".
struct ImageReference {
  std::string domain;      // "docker.io", "127.0.0.1:5000", "localhost"
  std::string repository;  // "library/busybox"
  std::string tag;         // "latest"; "" when the reference has only a digest
  std::string digest;      // "sha256:<64 hex>" or ""

  // "docker.io/library/busybox"
  std::string Name() const { return domain + "/" + repository; }
  // The normalized reference: "docker.io/library/busybox:latest", "h/r@sha256:…" (with both
  // when both were given: "h/r:t@sha256:…").
  std::string String() const;
  // What to ask the registry for: the digest when there is one, else the tag.
  std::string Reference() const { return digest.empty() ? tag : digest; }
};

// Parses `ref`. Errors: BadRequest "couldn't parse image name \"X\": invalid reference format"
// (with a detail: empty, upper case repository, bad tag, bad digest, ...).
api::Result<ImageReference> ParseImageReference(std::string_view ref);

// One registry credential (docker config "auth" or username/password). Empty = anonymous.
struct RegistryAuth {
  std::string username;
  std::string password;
  bool empty() const { return username.empty() && password.empty(); }
};

// The kubelet's BasicDockerKeyring: credentials from imagePullSecrets, matched to an image the
// way the kubelet matches them (keys are "host[:port][/path]" with '*' globs per host label, the
// port must match, the path is a prefix; more specific keys first; the docker.io default key
// "index.docker.io" serves Docker Hub images). Not thread-safe (build, then read).
class DockerKeyring {
 public:
  // Adds the entries of a Secret of type kubernetes.io/dockerconfigjson (data[.dockerconfigjson]
  // = {"auths": {...}}) or kubernetes.io/dockercfg (data[.dockercfg] = {...}); other types are
  // ignored (returns success), as the kubelet does. `data` is base64 as in the API. Errors:
  // BadRequest naming the secret and the bad field (undecodable base64, invalid JSON, an "auth"
  // without ':').
  api::Status AddSecret(const api::Object& secret);
  // Adds the registry map of a docker config (the value of "auths", or a whole .dockercfg).
  // Errors: BadRequest naming the entry.
  api::Status AddConfig(const nlohmann::json& auths, std::string_view source);
  // The credentials to try for `image`, most specific first; empty when none match (pull
  // anonymously).
  std::vector<RegistryAuth> Lookup(const ImageReference& image) const;

 private:
  std::vector<std::pair<std::string, RegistryAuth>> entries_;  // key, credential
};

// Connection settings of a registry client.
struct RegistryOptions {
  // Registries ("host" or "host:port") spoken to over plain HTTP. localhost, 127.0.0.0/8 and
  // [::1] always are, as in Docker.
  std::vector<std::string> insecure_registries;
  // A PEM CA bundle to trust for HTTPS registries ("" = the system's CAs).
  std::string ca_file;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds read_timeout{60};
  // When set and true, transfers stop with a Timeout error ("pull canceled").
  const std::atomic<bool>* cancel = nullptr;
};

// A content descriptor from a manifest or index.
struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<hex>"
  int64_t size = -1;
  nlohmann::json platform;  // index entries only
};

struct FetchedManifest {
  std::string media_type;  // from Content-Type (or the body's mediaType)
  std::string digest;      // sha256 of `body`, verified
  std::string body;        // the exact bytes
};

namespace media_types {
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
}  // namespace media_types

// The largest manifest or index the client accepts (containerd's limit).
inline constexpr size_t kMaxManifestBytes = 4 << 20;

// True for the manifest list and OCI index media types.
bool IsIndexMediaType(std::string_view media_type);
// The platform of this build as the OCI image spec names it ("amd64", "arm64", ...).
std::string_view HostArchitecture();
// Picks the manifest for linux/`arch` from a manifest list or OCI index (for "arm" and "arm64"
// the variant must match when the entry names one: v7 / v8). Errors: NotFound "no matching
// manifest for linux/<arch> in the manifest list entries", BadRequest for a malformed index.
api::Result<Descriptor> SelectPlatform(const nlohmann::json& index,
                                       std::string_view arch = HostArchitecture());

// A client for one repository of one registry. Auth: requests go anonymously until the
// registry answers 401; a `Bearer realm=…,service=…,scope=…` challenge is answered by fetching a
// token from the realm (sending `auth` as Basic credentials when given) and retrying; a `Basic`
// challenge by retrying with `auth`. Tokens are kept for later requests of this client.
// Not thread-safe: one pull uses one client.
class RegistryClient {
 public:
  RegistryClient(ImageReference ref, RegistryAuth auth, RegistryOptions opts);
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  // "https://registry-1.docker.io" for docker.io, "http://127.0.0.1:5000" for insecure ones.
  const std::string& base_url() const { return base_url_; }

  // GETs /v2/<repo>/manifests/<reference> accepting Docker schema2 manifests and lists and OCI
  // manifests and indexes, at most kMaxManifestBytes. Verifies the body against `reference` when
  // it is a digest, and against Docker-Content-Digest when the registry sends one. Errors (each
  // naming the image and the registry's answer): NotFound "manifest unknown", Unauthorized
  // "unauthorized", Forbidden "denied", BadRequest (digest mismatch, too large, unsupported
  // media type), ServiceUnavailable (connection failures, 5xx), Timeout (canceled).
  api::Result<FetchedManifest> GetManifest(std::string_view reference);

  // GETs the blob `d` into a new file at `path`, following redirects (to another host without
  // the registry's credentials), hashing as it streams and stopping as soon as it is larger than
  // d.size. Errors as GetManifest, plus BadRequest "digest mismatch" / "size mismatch"; on any
  // error `path` is removed.
  api::Status GetBlob(const Descriptor& d, const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string base_url_;
};

// True when `host` ("h" or "h:port") is served over plain HTTP under `opts`.
bool IsInsecureRegistry(std::string_view host, const RegistryOptions& opts);

// Parses a WWW-Authenticate header: the scheme ("bearer", "basic": lower case) and its
// parameters (realm, service, scope, error, ...), quoted strings unescaped.
struct AuthChallenge {
  std::string scheme;
  std::vector<std::pair<std::string, std::string>> params;
  std::string Param(std::string_view key) const;
};
std::vector<AuthChallenge> ParseWwwAuthenticate(std::string_view header);

}  // namespace keelson::runtime
